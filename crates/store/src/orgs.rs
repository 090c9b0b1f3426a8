//! Orgs (tenants): creation with their modules, profiles and first administrator; settings.

use crate::error::{StoreError, StoreResult};
use crate::modules::insert_module;
use crate::rows::*;
use crate::sql::{Executor, Val};
use crate::store::Tx;
use crate::users::{NewUser, insert_profile, insert_user};
use portico_domain::module::Module;
use portico_domain::org::{Org, OrgSettings};
use portico_domain::profile::{NewProfile, Profile, User};
use portico_domain::standard::ModuleSpec;
use portico_domain::{Id, Millis};

/// The org, its standard modules, its first profiles and (optionally) its first administrator,
/// created together.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub settings: OrgSettings,
    pub modules: Vec<ModuleSpec>,
    pub profiles: Vec<NewProfile>,
    /// Given the first profile, as a super admin.
    pub admin: Option<NewOrgAdmin>,
}

/// What [`Store::create_org`] made.
#[derive(Debug, Clone)]
pub struct CreatedOrg {
    pub org: Org,
    pub profiles: Vec<Profile>,
    pub admin: Option<User>,
}

/// What every request of an org's users needs and rarely changes — its profiles and modules —
/// with the org's `config_version` as it was before they were read. Every change to profiles,
/// modules, fields or layouts raises that version in its own transaction
/// ([`Tx::config_changed`]), so a copy is current for a request that read a version no higher.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgConfig {
    pub version: i64,
    pub profiles: Vec<Profile>,
    /// In menu order.
    pub modules: Vec<Module>,
}

impl OrgConfig {
    pub fn profile(&self, id: Id) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    pub fn module(&self, api_name: &str) -> Option<&Module> {
        self.modules
            .iter()
            .find(|m| m.api_name.as_str() == api_name)
    }
}

/// The first administrator of a new org (password already hashed); created with the org.
#[derive(Debug, Clone)]
pub struct NewOrgAdmin {
    pub email: portico_domain::email::EmailAddress,
    pub name: String,
    pub password_hash: String,
}

impl Tx {
    /// Creates an org with its modules and profiles in one transaction.
    pub async fn create_org(&mut self, new: &NewOrg, now: Millis) -> StoreResult<CreatedOrg> {
        let s = &new.settings;
        let tx = &mut self.conn;
        let row = one(
            tx,
            "INSERT INTO orgs (name, email_domain, language, time_format, time_zone, country, \
             gdpr_consent_required, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                Val::from(s.name.as_str()),
                Val::from(s.email_domain.as_str()),
                Val::from(s.language.as_str()),
                Val::from(s.time_format.as_str()),
                Val::from(s.time_zone.as_str()),
                Val::from(s.country.as_str()),
                Val::Bool(s.gdpr_consent_required),
                Val::Int(now),
            ],
        )
        .await?;
        let org = Org {
            id: row.int(0)?,
            settings: s.clone(),
        };
        self.config_changed(org.id).await?;
        let tx = &mut self.conn;
        for spec in &new.modules {
            insert_module(tx, org.id, spec).await?;
        }
        let mut profiles = Vec::with_capacity(new.profiles.len());
        for p in &new.profiles {
            profiles.push(insert_profile(tx, org.id, p).await?);
        }
        let admin = match (&new.admin, profiles.first()) {
            (Some(a), Some(profile)) => {
                let u = NewUser {
                    email: a.email.clone(),
                    name: a.name.clone(),
                    password_hash: a.password_hash.clone(),
                    profile_id: profile.id,
                    super_admin: true,
                };
                Some(insert_user(tx, org.id, &u, now).await?)
            }
            (Some(_), None) => {
                return Err(invalid(
                    "profiles",
                    "required",
                    "An org with an administrator needs a profile",
                ));
            }
            (None, _) => None,
        };
        Ok(CreatedOrg {
            org,
            profiles,
            admin,
        })
    }

    /// Raises the org's `config_version` inside this transaction and notes the change for
    /// [`crate::Store::config_changes`] at commit. Every operation that writes profiles,
    /// modules, fields or layouts calls it (a unit test reads the sources to hold that), so
    /// no use case can forget it, and caches on every instance see the change with the next
    /// request that reads the version.
    pub(crate) async fn config_changed(&mut self, org: Id) -> StoreResult<()> {
        self.conn
            .execute(
                "UPDATE orgs SET config_version = config_version + 1 WHERE id = $1",
                &[Val::Int(org)],
            )
            .await?;
        self.changes_config = true;
        Ok(())
    }

    /// The org's `config_version`: read before what a cache loads, so the copy is at least as
    /// new as the version it is kept under.
    pub async fn config_version(&mut self, org: Id) -> StoreResult<i64> {
        one(
            &mut self.conn,
            "SELECT config_version FROM orgs WHERE id = $1",
            &[Val::Int(org)],
        )
        .await?
        .int(0)
    }

    /// The org's profiles and modules with the configuration version read before them, so the
    /// copy is at least as new as the version it carries.
    pub async fn org_config(&mut self, org: Id) -> StoreResult<OrgConfig> {
        let version = one(
            &mut self.conn,
            "SELECT config_version FROM orgs WHERE id = $1",
            &[Val::Int(org)],
        )
        .await?
        .int(0)?;
        Ok(OrgConfig {
            version,
            profiles: self.list_profiles(org).await?,
            modules: self.list_modules(org).await?,
        })
    }

    pub async fn get_org(&mut self, org: Id) -> StoreResult<Org> {
        let c = &mut self.conn;
        org_from(
            &one(
                c,
                &format!("SELECT {ORG_COLS} FROM orgs WHERE id = $1"),
                &[Val::Int(org)],
            )
            .await?,
        )
    }

    pub async fn find_org_by_domain(&mut self, domain: &str) -> StoreResult<Option<Org>> {
        let c = &mut self.conn;
        opt(
            c,
            &format!("SELECT {ORG_COLS} FROM orgs WHERE email_domain = $1 ORDER BY id LIMIT 1"),
            &[Val::from(domain)],
        )
        .await?
        .as_ref()
        .map(org_from)
        .transpose()
    }

    /// Every org of the instance, oldest first (the operator's CLI).
    pub async fn list_orgs(&mut self) -> StoreResult<Vec<Org>> {
        self.conn
            .query(&format!("SELECT {ORG_COLS} FROM orgs ORDER BY id"), &[])
            .await?
            .iter()
            .map(org_from)
            .collect()
    }

    pub async fn update_org(&mut self, org: Id, s: &OrgSettings) -> StoreResult<Org> {
        let tx = &mut self.conn;
        let n = tx
            .execute(
                "UPDATE orgs SET name = $2, email_domain = $3, language = $4, time_format = $5, \
                 time_zone = $6, country = $7, gdpr_consent_required = $8 WHERE id = $1",
                &[
                    Val::Int(org),
                    Val::from(s.name.as_str()),
                    Val::from(s.email_domain.as_str()),
                    Val::from(s.language.as_str()),
                    Val::from(s.time_format.as_str()),
                    Val::from(s.time_zone.as_str()),
                    Val::from(s.country.as_str()),
                    Val::Bool(s.gdpr_consent_required),
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(Org {
            id: org,
            settings: s.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    /// The tables whose rows instances cache per org (profiles, modules; the portal catalogue:
    /// modules with fields and layouts, and web tabs): every write to them must raise the org's
    /// `config_version`.
    const CACHED: [&str; 5] = ["profiles", "modules", "fields", "layouts", "web_tabs"];

    /// The functions of the store's sources: (name, text up to the next function).
    fn functions(source: &str) -> Vec<(String, &str)> {
        let starts: Vec<usize> = source.match_indices("fn ").map(|(i, _)| i).collect();
        starts
            .iter()
            .enumerate()
            .filter_map(|(k, &start)| {
                let end = starts.get(k + 1).copied().unwrap_or(source.len());
                let rest = &source[start + 3..];
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                (!name.is_empty()).then(|| (name, &source[start..end]))
            })
            .collect()
    }

    fn writes_cached_table(body: &str) -> bool {
        CACHED.iter().any(|table| {
            ["INSERT INTO ", "UPDATE ", "DELETE FROM "]
                .iter()
                .any(|verb| body.contains(&format!("{verb}{table} ")))
        })
    }

    /// Whether `body` calls `name(` (not a longer name ending in it).
    fn calls(body: &str, name: &str) -> bool {
        body.match_indices(&format!("{name}(")).any(|(i, _)| {
            !body[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    }

    /// Reads every source file of the store: a function that writes profiles, modules, fields
    /// or layouts must call `config_changed`, or every path to it must go through a function
    /// that does. A new write path that forgets fails here, before any cache serves stale data.
    #[test]
    fn every_write_to_cached_configuration_raises_the_config_version() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let sources: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "rs"))
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        let fns: Vec<(String, &str)> = sources.iter().flat_map(|s| functions(s)).collect();
        let bumps = |body: &str| calls(body, "config_changed");
        let mut writers: Vec<&str> = fns
            .iter()
            .filter(|(_, body)| writes_cached_table(body) && !bumps(body))
            .map(|(name, _)| name.as_str())
            .collect();
        assert!(
            fns.iter().any(|(name, _)| name == "insert_profile"),
            "the scan found the store's functions"
        );
        let mut seen: Vec<&str> = Vec::new();
        while let Some(writer) = writers.pop() {
            if seen.contains(&writer) {
                continue;
            }
            seen.push(writer);
            let callers: Vec<&(String, &str)> = fns
                .iter()
                .filter(|(name, body)| name != writer && calls(body, writer))
                .collect();
            assert!(
                !callers.is_empty(),
                "{writer} writes one of {CACHED:?} but does not call config_changed"
            );
            writers.extend(
                callers
                    .iter()
                    .filter(|(_, body)| !bumps(body))
                    .map(|(name, _)| name.as_str()),
            );
        }
    }
}
