//! Portal users: their accounts, the admin's lists of them, seats and status changes. Their
//! single-use links and sessions are in `portal_sessions.rs`.

use crate::error::{StoreError, StoreResult};
use crate::records::Page;
use crate::rows::*;
use crate::sql::{Dialect, Executor, Row, Val};
use crate::store::Tx;
use portico_domain::portal_user::{
    NewPortalUser, PortalUser, PortalUserStatus, Preferences, email_key,
};
use portico_domain::{Id, Millis};

pub(crate) const COLS: &str = "id, org_id, portal_id, user_type_id, record_id, email, name, status, \
     preferences, invited_by, created_at, updated_at";

pub(crate) fn user_from(r: &Row) -> StoreResult<PortalUser> {
    let status = r.text(7)?;
    Ok(PortalUser {
        id: r.int(0)?,
        org_id: r.int(1)?,
        portal_id: r.int(2)?,
        user_type_id: r.int(3)?,
        record_id: r.opt_int(4)?,
        email: r.text(5)?,
        name: r.text(6)?,
        status: PortalUserStatus::parse(&status)
            .map_err(|_| StoreError::Backend(format!("unknown portal user status {status:?}")))?,
        preferences: r.parse::<Preferences>(8)?,
        invited_by: r.opt_int(9)?,
        created_at: r.int(10)?,
        updated_at: r.int(11)?,
    })
}

/// Which portal users a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalUserQuery {
    pub status: Option<PortalUserStatus>,
    pub user_type_id: Option<Id>,
    /// Keyset cursor: users with a smaller id (newest first).
    pub after: Option<Id>,
    pub limit: i64,
    /// Sorted and numbered pages instead of newest first with a cursor (the admin's list).
    pub order: Option<PortalUserOrder>,
}

/// What a sorted list of portal users is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortalUserSort {
    Name,
    Email,
    Status,
    Since,
}

impl PortalUserSort {
    pub const ALL: [PortalUserSort; 4] = [Self::Name, Self::Email, Self::Status, Self::Since];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Email => "email",
            Self::Status => "status",
            Self::Since => "since",
        }
    }

    fn column(self) -> &'static str {
        match self {
            Self::Name => "lower(name)",
            Self::Email => "lower(email)",
            Self::Status => "status",
            Self::Since => "created_at",
        }
    }
}

/// A sorted, numbered page: by what, which way, how many users to skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortalUserOrder {
    pub by: PortalUserSort,
    pub descending: bool,
    pub offset: i64,
}

pub(crate) async fn user_in(
    c: &mut impl Executor,
    org: Id,
    portal: Id,
    id: Id,
) -> StoreResult<PortalUser> {
    let row = opt(
        c,
        &format!(
            "SELECT {COLS} FROM portal_users WHERE org_id = $1 AND portal_id = $2 AND id = $3"
        ),
        &[Val::Int(org), Val::Int(portal), Val::Int(id)],
    )
    .await?;
    row.as_ref()
        .map(user_from)
        .transpose()?
        .ok_or(StoreError::NotFound)
}

impl Tx {
    /// Creates a portal account. Its portal and user type must be the org's; an address or a
    /// record already used in the portal is a duplicate (409 naming the field).
    pub async fn create_portal_user(
        &mut self,
        org: Id,
        new: &NewPortalUser,
        now: Millis,
    ) -> StoreResult<PortalUser> {
        let c = &mut self.conn;
        let owned = opt(
            c,
            "SELECT t.id FROM portal_user_types t JOIN portals p ON p.id = t.portal_id \
             WHERE t.id = $1 AND t.portal_id = $2 AND t.org_id = $3 AND p.org_id = $3",
            &[
                Val::Int(new.user_type_id),
                Val::Int(new.portal_id),
                Val::Int(org),
            ],
        )
        .await?;
        if owned.is_none() {
            return Err(StoreError::NotFound);
        }
        // ON CONFLICT: a duplicate must not fail the statement, which on PostgreSQL would abort
        // the caller's whole transaction (a bulk invitation records the duplicate as
        // `already_invited` and goes on in the same transaction).
        let row = opt(
            c,
            "INSERT INTO portal_users (org_id, portal_id, user_type_id, record_id, email, email_key, \
             name, status, password_hash, preferences, invited_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
             ON CONFLICT DO NOTHING RETURNING id",
            &[
                Val::Int(org),
                Val::Int(new.portal_id),
                Val::Int(new.user_type_id),
                Val::from(new.record_id),
                Val::from(new.email.as_str()),
                Val::from(email_key(new.email.as_str())),
                Val::from(new.name.as_str()),
                Val::from(new.status.as_str()),
                Val::from(new.password_hash.clone()),
                to_json(&new.preferences)?,
                Val::from(new.invited_by),
                Val::Int(now),
            ],
        )
        .await?;
        let Some(row) = row else {
            let by_email = opt(
                c,
                "SELECT id FROM portal_users WHERE portal_id = $1 AND email_key = $2",
                &[
                    Val::Int(new.portal_id),
                    Val::from(email_key(new.email.as_str())),
                ],
            )
            .await?
            .is_some();
            let (field, message) = if by_email {
                (
                    "email",
                    "This email address is already a user of this portal",
                )
            } else {
                ("record_id", "This record is already a user of this portal")
            };
            return Err(StoreError::Duplicate {
                field: field.into(),
                message: message.into(),
            });
        };
        user_in(c, org, new.portal_id, row.int(0)?).await
    }

    pub async fn get_portal_user(
        &mut self,
        org: Id,
        portal: Id,
        id: Id,
    ) -> StoreResult<PortalUser> {
        user_in(&mut self.conn, org, portal, id).await
    }

    /// The portal's account for `email` (any letter case), if there is one.
    pub async fn portal_user_by_email(
        &mut self,
        org: Id,
        portal: Id,
        email: &str,
    ) -> StoreResult<Option<PortalUser>> {
        let row = opt(
            &mut self.conn,
            &format!(
                "SELECT {COLS} FROM portal_users WHERE org_id = $1 AND portal_id = $2 AND email_key = $3"
            ),
            &[Val::Int(org), Val::Int(portal), Val::from(email_key(email))],
        )
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    /// The portal's account whose personality record is `record`, if there is one.
    pub async fn portal_user_by_record(
        &mut self,
        org: Id,
        portal: Id,
        record: Id,
    ) -> StoreResult<Option<PortalUser>> {
        let row = opt(
            &mut self.conn,
            &format!(
                "SELECT {COLS} FROM portal_users WHERE org_id = $1 AND portal_id = $2 AND record_id = $3"
            ),
            &[Val::Int(org), Val::Int(portal), Val::Int(record)],
        )
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    /// The account and its password hash, for signing in to a portal.
    pub async fn portal_login(
        &mut self,
        org: Id,
        portal: Id,
        email: &str,
    ) -> StoreResult<Option<(PortalUser, Option<String>)>> {
        let row = opt(
            &mut self.conn,
            &format!(
                "SELECT {COLS}, password_hash FROM portal_users \
                 WHERE org_id = $1 AND portal_id = $2 AND email_key = $3"
            ),
            &[Val::Int(org), Val::Int(portal), Val::from(email_key(email))],
        )
        .await?;
        row.map(|r| Ok((user_from(&r)?, r.opt_text(12)?)))
            .transpose()
    }

    /// A page of the portal's users, newest first.
    pub async fn list_portal_users(
        &mut self,
        org: Id,
        portal: Id,
        q: &PortalUserQuery,
    ) -> StoreResult<Page<PortalUser>> {
        let mut sql =
            format!("SELECT {COLS} FROM portal_users WHERE org_id = $1 AND portal_id = $2");
        let mut params = vec![Val::Int(org), Val::Int(portal)];
        if let Some(s) = q.status {
            params.push(Val::from(s.as_str()));
            sql.push_str(&format!(" AND status = ${}", params.len()));
        }
        if let Some(t) = q.user_type_id {
            params.push(Val::Int(t));
            sql.push_str(&format!(" AND user_type_id = ${}", params.len()));
        }
        let limit = q.limit.clamp(1, 1_000);
        match q.order {
            Some(o) => {
                let direction = if o.descending { "DESC" } else { "ASC" };
                sql.push_str(&format!(
                    " ORDER BY {} {direction}, id DESC LIMIT {} OFFSET {}",
                    o.by.column(),
                    limit + 1,
                    o.offset.clamp(0, 10_000_000)
                ));
            }
            None => {
                if let Some(after) = q.after {
                    params.push(Val::Int(after));
                    sql.push_str(&format!(" AND id < ${}", params.len()));
                }
                sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit + 1));
            }
        }
        let mut items = self
            .conn
            .query(&sql, &params)
            .await?
            .iter()
            .map(user_from)
            .collect::<StoreResult<Vec<_>>>()?;
        let next = if items.len() as i64 > limit {
            items.truncate(limit as usize);
            items.last().map(|u| u.id)
        } else {
            None
        };
        Ok(Page { items, next })
    }

    /// How many of the portal's users are in each status, in [`PortalUserStatus::ALL`] order.
    pub async fn count_portal_users(
        &mut self,
        org: Id,
        portal: Id,
    ) -> StoreResult<Vec<(PortalUserStatus, i64)>> {
        let rows = self
            .conn
            .query(
                "SELECT status, COUNT(*) FROM portal_users WHERE org_id = $1 AND portal_id = $2 GROUP BY status",
                &[Val::Int(org), Val::Int(portal)],
            )
            .await?;
        let mut counts: Vec<(PortalUserStatus, i64)> =
            PortalUserStatus::ALL.iter().map(|s| (*s, 0)).collect();
        for r in &rows {
            let status = r.text(0)?;
            if let Some(slot) = counts.iter_mut().find(|(s, _)| s.as_str() == status) {
                slot.1 = r.int(1)?;
            }
        }
        Ok(counts)
    }

    /// The seats a user type's accounts take: its invited and active users.
    pub async fn seated_portal_users(&mut self, org: Id, user_type: Id) -> StoreResult<i64> {
        one(
            &mut self.conn,
            "SELECT COUNT(*) FROM portal_users WHERE org_id = $1 AND user_type_id = $2 \
             AND status IN ('invited', 'active')",
            &[Val::Int(org), Val::Int(user_type)],
        )
        .await?
        .int(0)
    }

    /// Holds the user type's row until the transaction ends, so that counting its seats and
    /// taking one cannot interleave with another transaction doing the same: on PostgreSQL a
    /// row lock (`FOR UPDATE`); SQLite's one writer already runs write transactions one at a
    /// time. Another org's user type is "not found".
    pub async fn lock_user_type(&mut self, org: Id, user_type: Id) -> StoreResult<()> {
        let c = &mut self.conn;
        let lock = match c.dialect() {
            Dialect::Postgres => " FOR UPDATE",
            Dialect::Sqlite => "",
        };
        opt(
            c,
            &format!("SELECT id FROM portal_user_types WHERE org_id = $1 AND id = $2{lock}"),
            &[Val::Int(org), Val::Int(user_type)],
        )
        .await?
        .map(|_| ())
        .ok_or(StoreError::NotFound)
    }

    /// Of `records`, those that already are users of the portal.
    pub async fn invited_records(
        &mut self,
        org: Id,
        portal: Id,
        records: &[Id],
    ) -> StoreResult<Vec<Id>> {
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = vec![Val::Int(org), Val::Int(portal)];
        params.extend(records.iter().map(|r| Val::Int(*r)));
        let sql = format!(
            "SELECT record_id FROM portal_users WHERE org_id = $1 AND portal_id = $2 AND record_id IN ({})",
            crate::sql::placeholders(2, records.len())
        );
        self.conn
            .query(&sql, &params)
            .await?
            .iter()
            .map(|r| r.int(0))
            .collect()
    }

    /// Changes the account's status (and, with `user_type`, its user type).
    pub async fn set_portal_user_status(
        &mut self,
        org: Id,
        portal: Id,
        id: Id,
        status: PortalUserStatus,
        now: Millis,
    ) -> StoreResult<PortalUser> {
        let n = self
            .conn
            .execute(
                "UPDATE portal_users SET status = $4, updated_at = $5 \
                 WHERE org_id = $1 AND portal_id = $2 AND id = $3",
                &[
                    Val::Int(org),
                    Val::Int(portal),
                    Val::Int(id),
                    Val::from(status.as_str()),
                    Val::Int(now),
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        user_in(&mut self.conn, org, portal, id).await
    }

    /// Moves the account to another user type of the same portal.
    pub async fn set_portal_user_type(
        &mut self,
        org: Id,
        portal: Id,
        id: Id,
        user_type: Id,
        now: Millis,
    ) -> StoreResult<PortalUser> {
        let n = self
            .conn
            .execute(
                "UPDATE portal_users SET user_type_id = $4, updated_at = $5 \
                 WHERE org_id = $1 AND portal_id = $2 AND id = $3 AND EXISTS (\
                 SELECT 1 FROM portal_user_types t WHERE t.id = $4 AND t.org_id = $1 AND t.portal_id = $2)",
                &[
                    Val::Int(org),
                    Val::Int(portal),
                    Val::Int(id),
                    Val::Int(user_type),
                    Val::Int(now),
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        user_in(&mut self.conn, org, portal, id).await
    }

    /// Sets what an account holder chose: a password hash, preferences, a personality record
    /// (each only when given).
    pub async fn update_portal_account(
        &mut self,
        org: Id,
        portal: Id,
        id: Id,
        change: &PortalAccountChange,
        now: Millis,
    ) -> StoreResult<PortalUser> {
        let current = user_in(&mut self.conn, org, portal, id).await?;
        let preferences = change.preferences.as_ref().unwrap_or(&current.preferences);
        let n = self
            .conn
            .execute(
                "UPDATE portal_users SET password_hash = COALESCE($4, password_hash), preferences = $5, \
                 record_id = COALESCE($6, record_id), updated_at = $7 \
                 WHERE org_id = $1 AND portal_id = $2 AND id = $3",
                &[
                    Val::Int(org),
                    Val::Int(portal),
                    Val::Int(id),
                    Val::from(change.password_hash.clone()),
                    to_json(preferences)?,
                    Val::from(change.record_id),
                    Val::Int(now),
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        user_in(&mut self.conn, org, portal, id).await
    }

    /// Removes the account with its links and sessions.
    pub async fn delete_portal_user(&mut self, org: Id, portal: Id, id: Id) -> StoreResult<()> {
        let c = &mut self.conn;
        user_in(c, org, portal, id).await?;
        let tables = [
            "portal_links",
            "portal_sessions",
            "portal_mfa",
            "portal_recovery_codes",
            "portal_mfa_challenges",
        ];
        for table in tables {
            c.execute(
                &format!("DELETE FROM {table} WHERE org_id = $1 AND portal_user_id = $2"),
                &[Val::Int(org), Val::Int(id)],
            )
            .await?;
        }
        c.execute(
            "DELETE FROM portal_users WHERE org_id = $1 AND portal_id = $2 AND id = $3",
            &[Val::Int(org), Val::Int(portal), Val::Int(id)],
        )
        .await?;
        Ok(())
    }
}

/// What [`Tx::update_portal_account`] changes; `None` keeps the current value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PortalAccountChange {
    pub password_hash: Option<String>,
    pub preferences: Option<Preferences>,
    pub record_id: Option<Id>,
}
