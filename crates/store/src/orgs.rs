//! Orgs (tenants): creation with their modules, profiles and first administrator; settings.

use crate::error::{StoreError, StoreResult};
use crate::modules::insert_module;
use crate::rows::*;
use crate::sql::{Executor, Val};
use crate::store::Tx;
use crate::users::{NewUser, insert_profile, insert_user};
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
