//! The org's catalogue: modules with fields and layouts, and web tab names — what portal
//! configuration is checked against.

use crate::Result;
use portico_domain::Id;
use portico_domain::field::Field;
use portico_domain::layout::Layout;
use portico_domain::module::Module;
use portico_domain::portal::{Catalogue, CheckedUserTypeConfig, UserTypeConfig};
use portico_store::Tx;

/// The org's modules with their fields and layouts, and its web tab names.
pub struct OrgCatalogue {
    pub modules: Vec<(Module, Vec<Field>, Vec<Layout>)>,
    pub web_tabs: Vec<String>,
    /// The web tabs' names with their addresses, in the order of `web_tabs`.
    pub web_tab_links: Vec<(String, String)>,
}

/// An org's catalogue as [`crate::Context`] caches it between requests: read at
/// `config_version` `version` or later (see `config_cache`).
pub(crate) struct VersionedCatalogue {
    pub version: i64,
    pub catalogue: OrgCatalogue,
}

impl crate::config_cache::Versioned for VersionedCatalogue {
    fn version(&self) -> i64 {
        self.version
    }
}

impl OrgCatalogue {
    pub fn view(&self) -> Catalogue<'_> {
        Catalogue {
            modules: &self.modules,
            web_tabs: &self.web_tabs,
        }
    }

    /// A module with its fields and layouts, by API name.
    pub fn module_entry(&self, name: &str) -> Option<&(Module, Vec<Field>, Vec<Layout>)> {
        self.modules
            .iter()
            .find(|(m, _, _)| m.api_name.as_str() == name)
    }

    pub fn module(&self, name: &str) -> Option<&Module> {
        self.module_entry(name).map(|(m, _, _)| m)
    }

    /// Checks a configuration against this catalogue: the one way to a
    /// [`CheckedUserTypeConfig`], shared by the admin forms, the API and import.
    pub fn check(&self, config: UserTypeConfig) -> Result<CheckedUserTypeConfig> {
        Ok(config.check(&self.view())?)
    }
}

/// Reads the catalogue inside `tx`, so a change checked against it commits only if nothing it
/// was checked against moved meanwhile (on SQLite the writer lock guarantees it).
pub async fn catalogue(tx: &mut Tx, org: Id) -> Result<OrgCatalogue> {
    let mut modules = Vec::new();
    for m in tx.list_modules(org).await? {
        let fields = tx.list_fields(org, m.id).await?;
        let layouts = tx.list_layouts(org, m.id).await?;
        modules.push((m, fields, layouts));
    }
    let web_tab_links: Vec<(String, String)> = tx
        .list_web_tabs(org)
        .await?
        .into_iter()
        .map(|t| (t.name, t.url))
        .collect();
    Ok(OrgCatalogue {
        modules,
        web_tabs: web_tab_links.iter().map(|(n, _)| n.clone()).collect(),
        web_tab_links,
    })
}

/// The actor's org catalogue, for the portal configuration pages (administrators only).
pub async fn org_catalogue(
    ctx: &crate::Context,
    actor: &portico_domain::access::CrmActor,
) -> Result<OrgCatalogue> {
    crate::require_admin(actor)?;
    let mut reader = ctx.store().reader().await?;
    catalogue(&mut reader, actor.user.org_id).await
}
