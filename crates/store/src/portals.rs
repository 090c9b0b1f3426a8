//! Portals, their user types and seat grants.

use crate::error::{StoreError, StoreResult};
use crate::rows::*;
use crate::sql::{Columns, Executor, JsonColumn, Row, Val};
use crate::store::Tx;
use portico_domain::portal::{
    CheckedUserTypeConfig, Portal, PortalSettings, SeatGrant, UserType, UserTypeConfig,
};
use portico_domain::record::Record;
use portico_domain::{Id, Millis};

pub(crate) const PORTAL_COLS: &str = "id, org_id, name, settings, domain_token, domain_verified";
const USER_TYPE_COLS: &str = "id, portal_id, is_default, config";

/// What [`Tx::portal_scope`] reads.
#[derive(Debug, Clone, PartialEq)]
pub struct PortalScopeRow {
    pub user_type: UserType,
    /// The org's `config_version` in the same statement.
    pub config_version: i64,
    /// The personality record asked for, if the org has it (deleted or not).
    pub record: Option<Record>,
}

/// A row's columns from `.1` on, as if they were the first.
struct Shifted<'a>(&'a dyn Columns, usize);

impl Columns for Shifted<'_> {
    fn int(&self, i: usize) -> StoreResult<i64> {
        self.0.int(i + self.1)
    }
    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        self.0.opt_int(i + self.1)
    }
    fn bool(&self, i: usize) -> StoreResult<bool> {
        self.0.bool(i + self.1)
    }
    fn opt_text(&self, i: usize) -> StoreResult<Option<std::borrow::Cow<'_, str>>> {
        self.0.opt_text(i + self.1)
    }
    fn json(&self, i: usize) -> StoreResult<JsonColumn<'_>> {
        self.0.json(i + self.1)
    }
}

pub(crate) fn portal_from(r: &Row) -> StoreResult<Portal> {
    Ok(Portal {
        id: r.int(0)?,
        org_id: r.int(1)?,
        name: r.text(2)?,
        settings: r.parse(3)?,
        domain_token: r.text(4)?,
        domain_verified: r.bool(5)?,
    })
}

pub(crate) fn user_type_from(r: &Row) -> StoreResult<UserType> {
    Ok(UserType {
        id: r.int(0)?,
        portal_id: r.int(1)?,
        is_default: r.bool(2)?,
        config: r.parse(3)?,
    })
}

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

async fn check_slug_free(
    c: &mut impl Executor,
    settings: &PortalSettings,
    except: Option<Id>,
) -> StoreResult<()> {
    let taken = opt(
        c,
        "SELECT id FROM portals WHERE slug = $1 AND id <> $2",
        &[
            Val::from(settings.slug.as_str()),
            Val::Int(except.unwrap_or(0)),
        ],
    )
    .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!(
            "The portal address {} is already in use; choose another",
            settings.slug
        )));
    }
    Ok(())
}

/// Whether a portal of `org` may claim `domain`: no other portal of the same org claims it,
/// and no portal at all has verified it. Other orgs' unverified claims are not looked at: until
/// it is verified a claim is its org's alone, and nothing here may tell one org that another
/// claimed a domain (a verified domain is public anyway: it serves that portal).
async fn check_domain_claim(
    c: &mut impl Executor,
    org: Id,
    domain: &str,
    except: Option<Id>,
) -> StoreResult<()> {
    let own = opt(
        c,
        "SELECT id FROM portals WHERE org_id = $1 AND custom_domain = $2 AND id <> $3",
        &[
            Val::Int(org),
            Val::from(domain),
            Val::Int(except.unwrap_or(0)),
        ],
    )
    .await?;
    if own.is_some() {
        return Err(StoreError::Conflict(format!(
            "Another portal of this org already uses the domain {domain}"
        )));
    }
    check_not_verified_elsewhere(c, domain, except).await
}

/// A domain is verified by one portal at most on the whole instance.
async fn check_not_verified_elsewhere(
    c: &mut impl Executor,
    domain: &str,
    except: Option<Id>,
) -> StoreResult<()> {
    let verified = opt(
        c,
        "SELECT id FROM portals WHERE custom_domain = $1 AND domain_verified AND id <> $2",
        &[Val::from(domain), Val::Int(except.unwrap_or(0))],
    )
    .await?;
    if verified.is_some() {
        return Err(StoreError::Conflict(format!(
            "The domain {domain} is already verified by another portal"
        )));
    }
    Ok(())
}

async fn write_settings(
    c: &mut impl Executor,
    org: Id,
    id: Id,
    settings: &PortalSettings,
    domain_changed: bool,
) -> StoreResult<()> {
    let n = c
        .execute(
            "UPDATE portals SET settings = $3, slug = $4, custom_domain = $5, \
             domain_verified = CASE WHEN $6 THEN FALSE ELSE domain_verified END WHERE org_id = $1 AND id = $2",
            &[
                Val::Int(org),
                Val::Int(id),
                to_json(settings)?,
                Val::from(settings.slug.as_str()),
                Val::from(settings.custom_domain.clone()),
                Val::Bool(domain_changed),
            ],
        )
        .await?;
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

async fn insert_user_type(
    c: &mut impl Executor,
    org: Id,
    portal: Id,
    config: &CheckedUserTypeConfig,
    is_default: bool,
    now: Millis,
) -> StoreResult<UserType> {
    let clash = opt(
        c,
        "SELECT id FROM portal_user_types WHERE org_id = $1 AND portal_id = $2 AND name_key = $3",
        &[
            Val::Int(org),
            Val::Int(portal),
            Val::from(key(&config.name)),
        ],
    )
    .await?;
    if clash.is_some() {
        return Err(StoreError::Conflict(format!(
            "This portal already has a user type named {}",
            config.name
        )));
    }
    let row = one(
        c,
        "INSERT INTO portal_user_types (org_id, portal_id, name_key, is_default, config, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        &[Val::Int(org), Val::Int(portal), Val::from(key(&config.name)), Val::Bool(is_default), to_json(config)?, Val::Int(now)],
    )
    .await?;
    Ok(UserType {
        id: row.int(0)?,
        portal_id: portal,
        is_default,
        config: config.config().clone(),
    })
}

async fn portal_in(c: &mut impl Executor, org: Id, id: Id) -> StoreResult<Portal> {
    portal_from(
        &one(
            c,
            &format!("SELECT {PORTAL_COLS} FROM portals WHERE org_id = $1 AND id = $2"),
            &[Val::Int(org), Val::Int(id)],
        )
        .await?,
    )
}

/// Removes a deleted web tab from every user type of the org.
/// Rewrites the configuration of every user type of the org with `change`, saving those it
/// changed (it answers whether it did). For the org's setup changes that user types follow.
async fn rewrite_user_types(
    c: &mut impl Executor,
    org: Id,
    mut change: impl FnMut(&mut UserTypeConfig) -> bool,
) -> StoreResult<()> {
    let rows = c
        .query(
            &format!("SELECT {USER_TYPE_COLS} FROM portal_user_types WHERE org_id = $1"),
            &[Val::Int(org)],
        )
        .await?;
    for row in rows {
        let mut ut = user_type_from(&row)?;
        if change(&mut ut.config) {
            c.execute(
                "UPDATE portal_user_types SET config = $2 WHERE id = $1",
                &[Val::Int(ut.id), to_json(&ut.config)?],
            )
            .await?;
        }
    }
    Ok(())
}

/// Every user type that shows the web tab `name` shows `renamed` instead (the tab was renamed),
/// or nothing (`None`: the tab was deleted).
pub(crate) async fn replace_web_tab(
    c: &mut impl Executor,
    org: Id,
    name: &str,
    renamed: Option<&str>,
) -> StoreResult<()> {
    rewrite_user_types(c, org, |config| {
        if !config.web_tabs.iter().any(|t| t == name) {
            return false;
        }
        config.web_tabs = config
            .web_tabs
            .iter()
            .filter_map(|t| match (t == name, renamed) {
                (false, _) => Some(t.clone()),
                (true, Some(new)) => Some(new.to_string()),
                (true, None) => None,
            })
            .collect();
        true
    })
    .await
}

/// A layout of `module` once named `old` is now `layout`: every user type sharing it follows
/// the new name and keeps permissions only for the fields still on it.
pub(crate) async fn follow_layout(
    c: &mut impl Executor,
    org: Id,
    module: &str,
    old: &str,
    layout: &portico_domain::layout::Layout,
) -> StoreResult<()> {
    rewrite_user_types(c, org, |config| {
        let mut changed = false;
        for tab in config
            .modules
            .iter_mut()
            .filter(|t| t.module.as_str() == module)
        {
            for access in tab.layouts.iter_mut().filter(|a| a.layout == old) {
                let before = access.fields.len();
                access
                    .fields
                    .retain(|p| layout.field_names().any(|n| n == p.field));
                changed |= access.layout != layout.name || access.fields.len() != before;
                access.layout.clone_from(&layout.name);
            }
        }
        changed
    })
    .await
}

/// Removes a module from every user type's public modules (its sharing became private).
pub(crate) async fn drop_public_module(
    c: &mut impl Executor,
    org: Id,
    module: &str,
) -> StoreResult<()> {
    rewrite_user_types(c, org, |config| config.drop_public(module)).await
}

impl Tx {
    /// Creates a portal with its default user type, in one transaction. The portal's name must
    /// be unused on the whole instance (case-insensitively), and so must its address.
    pub async fn create_portal(
        &mut self,
        org: Id,
        name: &str,
        settings: &PortalSettings,
        domain_token: &str,
        default_type: &CheckedUserTypeConfig,
        now: Millis,
    ) -> StoreResult<(Portal, UserType)> {
        let tx = &mut self.conn;
        let clash = opt(
            tx,
            "SELECT id FROM portals WHERE name_key = $1",
            &[Val::from(key(name))],
        )
        .await?;
        if clash.is_some() {
            return Err(StoreError::Conflict(format!(
                "The portal name {name} is already in use; choose another name"
            )));
        }
        check_slug_free(tx, settings, None).await?;
        if let Some(domain) = &settings.custom_domain {
            check_domain_claim(tx, org, domain, None).await?;
        }
        let row = one(
            tx,
            "INSERT INTO portals (org_id, name, name_key, slug, custom_domain, settings, domain_token, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                Val::Int(org),
                Val::from(name.trim()),
                Val::from(key(name)),
                Val::from(settings.slug.as_str()),
                Val::from(settings.custom_domain.clone()),
                to_json(settings)?,
                Val::from(domain_token),
                Val::Int(now),
            ],
        )
        .await?;
        let id = row.int(0)?;
        let user_type = insert_user_type(tx, org, id, default_type, true, now).await?;
        let mut settings = settings.clone();
        settings.default_user_type_id = Some(user_type.id);
        write_settings(tx, org, id, &settings, false).await?;
        let portal = portal_in(tx, org, id).await?;
        Ok((portal, user_type))
    }

    pub async fn list_portals(&mut self, org: Id) -> StoreResult<Vec<Portal>> {
        let c = &mut self.conn;
        c.query(
            &format!("SELECT {PORTAL_COLS} FROM portals WHERE org_id = $1 ORDER BY id"),
            &[Val::Int(org)],
        )
        .await?
        .iter()
        .map(portal_from)
        .collect()
    }

    pub async fn get_portal(&mut self, org: Id, id: Id) -> StoreResult<Portal> {
        portal_in(&mut self.conn, org, id).await
    }

    /// The portal at an address (any org): for resolving `/p/{slug}/` and subdomains.
    pub async fn portal_by_slug(&mut self, slug: &str) -> StoreResult<Option<Portal>> {
        let c = &mut self.conn;
        opt(
            c,
            &format!("SELECT {PORTAL_COLS} FROM portals WHERE slug = $1"),
            &[Val::from(slug)],
        )
        .await?
        .as_ref()
        .map(portal_from)
        .transpose()
    }

    /// The portal that verified this custom domain (any org; one at most). Unverified claims,
    /// however many orgs hold them, are not found: they serve nothing.
    pub async fn portal_by_domain(&mut self, domain: &str) -> StoreResult<Option<Portal>> {
        let c = &mut self.conn;
        opt(
            c,
            &format!(
                "SELECT {PORTAL_COLS} FROM portals WHERE custom_domain = $1 AND domain_verified"
            ),
            &[Val::from(domain)],
        )
        .await?
        .as_ref()
        .map(portal_from)
        .transpose()
    }

    /// Replaces a portal's settings. A changed custom domain must be verified again; it may be
    /// claimed while other orgs claim it unverified, but not when another portal of the org
    /// claims it or any portal has verified it.
    pub async fn update_portal_settings(
        &mut self,
        org: Id,
        id: Id,
        settings: &PortalSettings,
    ) -> StoreResult<Portal> {
        let tx = &mut self.conn;
        let current = portal_in(tx, org, id).await?;
        check_slug_free(tx, settings, Some(id)).await?;
        let domain_changed = current.settings.custom_domain != settings.custom_domain;
        if let (true, Some(domain)) = (domain_changed, &settings.custom_domain) {
            check_domain_claim(tx, org, domain, Some(id)).await?;
        }
        write_settings(tx, org, id, settings, domain_changed).await?;
        let portal = portal_in(tx, org, id).await?;
        Ok(portal)
    }

    /// Marks a portal's custom domain verified or not. Verifying a domain another portal has
    /// verified is refused: a verified domain is unique on the instance. Other orgs' unverified
    /// claims on it stay as they are, serve nothing, and cannot be verified while this holds.
    pub async fn set_domain_verified(
        &mut self,
        org: Id,
        id: Id,
        verified: bool,
    ) -> StoreResult<()> {
        let tx = &mut self.conn;
        let portal = portal_in(tx, org, id).await?;
        if let (true, Some(domain)) = (verified, &portal.settings.custom_domain) {
            check_not_verified_elsewhere(tx, domain, Some(id)).await?;
        }
        let n = tx
            .execute(
                "UPDATE portals SET domain_verified = $3 WHERE org_id = $1 AND id = $2",
                &[Val::Int(org), Val::Int(id), Val::Bool(verified)],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    pub async fn list_user_types(&mut self, org: Id, portal: Id) -> StoreResult<Vec<UserType>> {
        let c = &mut self.conn;
        c.query(
            &format!("SELECT {USER_TYPE_COLS} FROM portal_user_types WHERE org_id = $1 AND portal_id = $2 ORDER BY id"),
            &[Val::Int(org), Val::Int(portal)],
        )
        .await?
        .iter()
        .map(user_type_from)
        .collect()
    }

    /// Every user type of the org, across portals (seat accounting).
    pub async fn all_user_types(&mut self, org: Id) -> StoreResult<Vec<UserType>> {
        let c = &mut self.conn;
        c.query(
            &format!(
                "SELECT {USER_TYPE_COLS} FROM portal_user_types WHERE org_id = $1 ORDER BY id"
            ),
            &[Val::Int(org)],
        )
        .await?
        .iter()
        .map(user_type_from)
        .collect()
    }

    pub async fn get_user_type(&mut self, org: Id, portal: Id, id: Id) -> StoreResult<UserType> {
        let c = &mut self.conn;
        user_type_from(
            &one(
                c,
                &format!("SELECT {USER_TYPE_COLS} FROM portal_user_types WHERE org_id = $1 AND portal_id = $2 AND id = $3"),
                &[Val::Int(org), Val::Int(portal), Val::Int(id)],
            )
            .await?,
        )
    }

    /// What a portal user's scope is built from, in one statement: their user type, the org's
    /// `config_version` (how new a cached catalogue must be) and their personality record
    /// (`None` when `record` is `None` or names no record of the org; deleted records are
    /// answered, with their `deleted_at`).
    pub async fn portal_scope(
        &mut self,
        org: Id,
        portal: Id,
        user_type: Id,
        record: Option<Id>,
    ) -> StoreResult<PortalScopeRow> {
        let columns = column_count(RECORD_COLS);
        self.conn
            .query_map(
                &format!(
                    "SELECT {RECORD_COLS}, t.id, t.portal_id, t.is_default, t.config, o.config_version \
                     FROM portal_user_types t JOIN orgs o ON o.id = t.org_id \
                     LEFT JOIN records r ON r.org_id = t.org_id AND r.id = $4 \
                     WHERE t.org_id = $1 AND t.portal_id = $2 AND t.id = $3"
                ),
                &[
                    Val::Int(org),
                    Val::Int(portal),
                    Val::Int(user_type),
                    Val::from(record),
                ],
                |r| {
                    let record = match r.opt_int(0)? {
                        Some(_) => Some(record_from(r)?),
                        None => None,
                    };
                    let rest = Shifted(r, columns);
                    let config = match rest.json(3)? {
                        JsonColumn::Text(t) => serde_json::from_str(&t)?,
                        JsonColumn::Value(v) => serde_json::from_value(v)?,
                    };
                    Ok(PortalScopeRow {
                        user_type: UserType {
                            id: rest.int(0)?,
                            portal_id: rest.int(1)?,
                            is_default: rest.bool(2)?,
                            config,
                        },
                        config_version: rest.int(4)?,
                        record,
                    })
                },
            )
            .await?
            .pop()
            .ok_or(StoreError::NotFound)
    }

    pub async fn create_user_type(
        &mut self,
        org: Id,
        portal: Id,
        config: &CheckedUserTypeConfig,
        now: Millis,
    ) -> StoreResult<UserType> {
        let tx = &mut self.conn;
        portal_in(tx, org, portal).await?;
        let ut = insert_user_type(tx, org, portal, config, false, now).await?;
        Ok(ut)
    }

    /// Replaces a user type's whole configuration in one statement.
    pub async fn replace_user_type(
        &mut self,
        org: Id,
        portal: Id,
        id: Id,
        config: &CheckedUserTypeConfig,
    ) -> StoreResult<UserType> {
        let tx = &mut self.conn;
        // Scoped by org like the update below: another org's portal must answer NotFound, not
        // reveal through a name clash which user types it has.
        let clash = opt(
            tx,
            "SELECT id FROM portal_user_types WHERE org_id = $1 AND portal_id = $2 AND name_key = $3 AND id <> $4",
            &[Val::Int(org), Val::Int(portal), Val::from(key(&config.name)), Val::Int(id)],
        )
        .await?;
        if clash.is_some() {
            return Err(StoreError::Conflict(format!(
                "This portal already has a user type named {}",
                config.name
            )));
        }
        let row = one(
            tx,
            &format!(
                "UPDATE portal_user_types SET config = $4, name_key = $5 WHERE org_id = $1 AND portal_id = $2 AND id = $3 \
                 RETURNING {USER_TYPE_COLS}"
            ),
            &[Val::Int(org), Val::Int(portal), Val::Int(id), to_json(config)?, Val::from(key(&config.name))],
        )
        .await?;
        let ut = user_type_from(&row)?;
        Ok(ut)
    }

    /// Deletes a user type that is not the portal's default "Client Portal" type.
    pub async fn delete_user_type(&mut self, org: Id, portal: Id, id: Id) -> StoreResult<()> {
        let tx = &mut self.conn;
        let ut = user_type_from(
            &one(
                tx,
                &format!("SELECT {USER_TYPE_COLS} FROM portal_user_types WHERE org_id = $1 AND portal_id = $2 AND id = $3"),
                &[Val::Int(org), Val::Int(portal), Val::Int(id)],
            )
            .await?,
        )?;
        if ut.is_default {
            return Err(StoreError::Conflict(
                "The default user type cannot be deleted".into(),
            ));
        }
        let mut p = portal_in(tx, org, portal).await?;
        if p.settings.default_user_type_id == Some(id) {
            p.settings.default_user_type_id = None;
            write_settings(tx, org, portal, &p.settings, false).await?;
        }
        crate::invitation_batches::delete_batches_of_type(tx, id).await?;
        tx.execute(
            "DELETE FROM portal_user_types WHERE id = $1",
            &[Val::Int(id)],
        )
        .await?;
        Ok(())
    }

    /// Applies a whole portal configuration in one transaction: the settings, then the user
    /// types matched by name (updated or created); user types the configuration does not name
    /// are deleted, except the default one, which must be named. `default_type` names the user
    /// type sign-ups get. Either all of it is saved or none of it.
    pub async fn apply_portal_config(
        &mut self,
        org: Id,
        portal: Id,
        settings: &PortalSettings,
        default_type: Option<&str>,
        user_types: &[CheckedUserTypeConfig],
        now: Millis,
    ) -> StoreResult<Portal> {
        let tx = &mut self.conn;
        portal_in(tx, org, portal).await?;
        let existing: Vec<UserType> = tx
            .query(&format!("SELECT {USER_TYPE_COLS} FROM portal_user_types WHERE org_id = $1 AND portal_id = $2"), &[Val::Int(org), Val::Int(portal)])
            .await?
            .iter()
            .map(user_type_from)
            .collect::<StoreResult<_>>()?;
        for old in &existing {
            if !user_types
                .iter()
                .any(|c| key(&c.name) == key(&old.config.name))
            {
                if old.is_default {
                    return Err(StoreError::Conflict(format!(
                        "The default user type {} cannot be removed",
                        old.config.name
                    )));
                }
                crate::invitation_batches::delete_batches_of_type(tx, old.id).await?;
                tx.execute(
                    "DELETE FROM portal_user_types WHERE id = $1",
                    &[Val::Int(old.id)],
                )
                .await?;
            }
        }
        let mut ids: Vec<(String, Id)> = Vec::new();
        for config in user_types {
            let id = match existing
                .iter()
                .find(|o| key(&o.config.name) == key(&config.name))
            {
                Some(old) => {
                    tx.execute(
                        "UPDATE portal_user_types SET config = $2 WHERE id = $1",
                        &[Val::Int(old.id), to_json(config)?],
                    )
                    .await?;
                    old.id
                }
                None => {
                    insert_user_type(tx, org, portal, config, false, now)
                        .await?
                        .id
                }
            };
            ids.push((key(&config.name), id));
        }
        let mut settings = settings.clone();
        settings.default_user_type_id = match default_type {
            None => None,
            Some(name) => Some(
                ids.iter()
                    .find(|(k, _)| *k == key(name))
                    .map(|(_, id)| *id)
                    .ok_or_else(|| {
                        invalid(
                            "default_user_type",
                            "unknown_user_type",
                            format!("There is no user type named {name} in this configuration"),
                        )
                    })?,
            ),
        };
        check_slug_free(tx, &settings, Some(portal)).await?;
        write_settings(tx, org, portal, &settings, false).await?;
        let portal = portal_in(tx, org, portal).await?;
        Ok(portal)
    }

    pub async fn grant_seats(
        &mut self,
        org: Id,
        seats: i64,
        granted_by: &str,
        note: &str,
        now: Millis,
    ) -> StoreResult<SeatGrant> {
        let tx = &mut self.conn;
        let row = one(
            tx,
            "INSERT INTO seat_grants (org_id, seats, granted_by, note, granted_at) SELECT id, $2, $3, $4, $5 FROM orgs WHERE id = $1 RETURNING id",
            &[Val::Int(org), Val::Int(seats), Val::from(granted_by), Val::from(note), Val::Int(now)],
        )
        .await?;
        Ok(SeatGrant {
            id: row.int(0)?,
            seats,
            granted_by: granted_by.to_string(),
            note: note.to_string(),
            granted_at: now,
        })
    }

    pub async fn seat_grants(&mut self, org: Id) -> StoreResult<Vec<SeatGrant>> {
        let c = &mut self.conn;
        c.query("SELECT id, seats, granted_by, note, granted_at FROM seat_grants WHERE org_id = $1 ORDER BY id", &[Val::Int(org)])
            .await?
            .iter()
            .map(|r| Ok(SeatGrant { id: r.int(0)?, seats: r.int(1)?, granted_by: r.text(2)?, note: r.text(3)?, granted_at: r.int(4)? }))
            .collect()
    }
}
