//! Where a signed-in portal user lands: their tabs (the first one the user type allows is the
//! landing tab) and their own record's visible fields — nothing more until the full portal app
//! arrives. Built through [`ScopedRecords`], so a field the user type hides never leaves here.

use crate::preview::cell;
use portico_app::portal_accounts::PortalSignedIn;
use portico_app::scoped_records::ScopedRecords;
use portico_app::{AppError, Context, Result};
use portico_domain::Id;
use portico_domain::field::Field;
use portico_domain::portal::TabRole;
use serde_json::Value;

/// One tab of the portal user's navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandingTab {
    pub module: String,
    pub label: String,
}

/// The landing page's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Landing {
    /// The portal user's name, from the account.
    pub name: String,
    /// Module tabs in order; the first is where the user lands. Empty when the user type is
    /// inactive or shares nothing.
    pub tabs: Vec<LandingTab>,
    /// The own record's visible fields as (label, value), in the configured order; empty when
    /// the personality module is not shared or the account has no record (yet).
    pub fields: Vec<(String, String)>,
}

/// The landing page of `me`, read through the enforcement point.
pub async fn landing(ctx: &Context, me: &PortalSignedIn) -> Result<Landing> {
    let scoped = ScopedRecords::for_portal_user(ctx, me).await?;
    let tabs = scoped.tabs();
    let fields = match (
        tabs.iter().find(|t| t.role == TabRole::Personality),
        scoped.me(),
    ) {
        (Some(tab), Some((id, _))) => own_fields(&scoped, &tab.module, id).await?,
        _ => Vec::new(),
    };
    Ok(Landing {
        name: me.user.name.clone(),
        tabs: tabs
            .into_iter()
            .map(|t| LandingTab {
                module: t.module,
                label: t.label,
            })
            .collect(),
        fields,
    })
}

/// The visible fields of the user's own record on the module's first shared layout.
async fn own_fields(
    scoped: &ScopedRecords<'_>,
    module: &str,
    id: Id,
) -> Result<Vec<(String, String)>> {
    let record = match scoped.get(module, None, id).await {
        Ok(r) => r,
        Err(AppError::NotFound) => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let fields = scoped.fields(module);
    let mask = scoped.mask(module, None);
    let visible: Vec<&Field> = mask
        .visible_fields()
        .filter_map(|name| fields.iter().find(|f| f.api_name.as_str() == name))
        .collect();
    let lookup_ids: Vec<Id> = visible
        .iter()
        .filter(|f| f.field_type.lookup_target().is_some())
        .filter_map(|f| record.data.get(f.api_name.as_str()))
        .filter_map(Value::as_i64)
        .collect();
    let names = scoped.display_names(&lookup_ids).await?;
    Ok(visible
        .into_iter()
        .map(|f| {
            (
                f.label.clone(),
                cell(f, record.data.get(f.api_name.as_str()), &names),
            )
        })
        .collect())
}
