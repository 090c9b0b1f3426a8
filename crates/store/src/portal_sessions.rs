//! Portal users' single-use links (invitation, email verification, password reset) and their
//! sessions. Links and sessions are found by the SHA-256 of their secret; the secret itself is
//! never stored. Redeeming a link is one conditional `UPDATE`, so of any number of concurrent
//! redemptions exactly one succeeds, on both backends.

use crate::PortalScopeRow;
use crate::error::{StoreError, StoreResult};
use crate::portal_users::{COLS, user_from, user_in};
use crate::rows::*;
use crate::sql::{Executor, Val};
use crate::store::Tx;
use portico_domain::portal::Portal;
use portico_domain::portal_user::{LinkPurpose, PortalUser};
use portico_domain::{Id, Millis};

/// A single-use link as stored: whose it is and whether it can still be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalLink {
    pub org_id: Id,
    pub portal_user_id: Id,
    pub purpose: LinkPurpose,
    /// The address the link was sent to; a link dies when the account's address changes.
    pub email_key: String,
    pub expires_at: Millis,
    pub used_at: Option<Millis>,
}

/// A signed-in portal user's session (found by the hash of its cookie).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalSession {
    pub org_id: Id,
    pub portal_id: Id,
    pub portal_user_id: Id,
    pub csrf_token: String,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub expires_at: Millis,
}

impl Tx {
    /// Stores a new single-use link for the account and kills its older unused links of the
    /// same purpose: a re-invitation makes the previous invitation useless.
    pub async fn create_portal_link(
        &mut self,
        org: Id,
        portal_user: Id,
        token_hash: &str,
        purpose: LinkPurpose,
        now: Millis,
    ) -> StoreResult<PortalLink> {
        let c = &mut self.conn;
        let row = opt(
            c,
            "SELECT email_key FROM portal_users WHERE org_id = $1 AND id = $2",
            &[Val::Int(org), Val::Int(portal_user)],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let key = row.text(0)?;
        c.execute(
            "DELETE FROM portal_links WHERE org_id = $1 AND portal_user_id = $2 AND purpose = $3",
            &[
                Val::Int(org),
                Val::Int(portal_user),
                Val::from(purpose.as_str()),
            ],
        )
        .await?;
        let expires_at = now.saturating_add(purpose.ttl());
        c.execute(
            "INSERT INTO portal_links (token_hash, org_id, portal_user_id, purpose, email_key, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                Val::from(token_hash),
                Val::Int(org),
                Val::Int(portal_user),
                Val::from(purpose.as_str()),
                Val::from(key.as_str()),
                Val::Int(now),
                Val::Int(expires_at),
            ],
        )
        .await?;
        Ok(PortalLink {
            org_id: org,
            portal_user_id: portal_user,
            purpose,
            email_key: key,
            expires_at,
            used_at: None,
        })
    }

    /// The link behind `token_hash` when it is of `purpose`, unused, unexpired and still bound
    /// to its account's address; `None` for anything else (unknown, used, expired alike).
    pub async fn usable_portal_link(
        &mut self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: Millis,
    ) -> StoreResult<Option<PortalLink>> {
        let row = opt(
            &mut self.conn,
            "SELECT l.org_id, l.portal_user_id, l.email_key, l.expires_at FROM portal_links l \
             JOIN portal_users u ON u.id = l.portal_user_id AND u.org_id = l.org_id \
             WHERE l.token_hash = $1 AND l.purpose = $2 AND l.used_at IS NULL AND l.expires_at > $3 \
             AND u.email_key = l.email_key",
            &[Val::from(token_hash), Val::from(purpose.as_str()), Val::Int(now)],
        )
        .await?;
        row.map(|r| {
            Ok(PortalLink {
                org_id: r.int(0)?,
                portal_user_id: r.int(1)?,
                purpose,
                email_key: r.text(2)?,
                expires_at: r.int(3)?,
                used_at: None,
            })
        })
        .transpose()
    }

    /// Uses the link: answers it when this call was the one that used it (it was usable and
    /// nobody used it first), `None` otherwise. One statement decides, so concurrent
    /// redemptions cannot both succeed.
    pub async fn redeem_portal_link(
        &mut self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: Millis,
    ) -> StoreResult<Option<PortalLink>> {
        let Some(link) = self.usable_portal_link(token_hash, purpose, now).await? else {
            return Ok(None);
        };
        let n = self
            .conn
            .execute(
                "UPDATE portal_links SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
                &[Val::from(token_hash), Val::Int(now)],
            )
            .await?;
        Ok((n == 1).then_some(PortalLink {
            used_at: Some(now),
            ..link
        }))
    }

    pub async fn create_portal_session(
        &mut self,
        token_hash: &str,
        s: &PortalSession,
    ) -> StoreResult<()> {
        let c = &mut self.conn;
        user_in(c, s.org_id, s.portal_id, s.portal_user_id).await?;
        c.execute(
            "INSERT INTO portal_sessions (token_hash, org_id, portal_id, portal_user_id, csrf_token, \
             created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                Val::from(token_hash),
                Val::Int(s.org_id),
                Val::Int(s.portal_id),
                Val::Int(s.portal_user_id),
                Val::from(s.csrf_token.as_str()),
                Val::Int(s.created_at),
                Val::Int(s.last_seen_at),
                Val::Int(s.expires_at),
            ],
        )
        .await?;
        Ok(())
    }

    /// Everything a signed-in portal page starts from, in one statement: the session behind
    /// `token_hash`, its account, its portal, and the account's scope (user type, the org's
    /// config version, the personality record). The caller checks expiry, idleness, status
    /// and that the portal is the one the request addressed.
    pub async fn portal_visit(&mut self, token_hash: &str) -> StoreResult<Option<PortalVisit>> {
        let sql = format!(
            "SELECT {}, s.org_id, s.portal_id, s.portal_user_id, s.csrf_token, s.created_at, \
             s.last_seen_at, s.expires_at, {}, t.id, t.portal_id, t.is_default, t.config, \
             o.config_version, {RECORD_COLS} FROM portal_sessions s \
             JOIN portal_users u ON u.id = s.portal_user_id AND u.org_id = s.org_id \
             JOIN portals p ON p.id = s.portal_id AND p.org_id = s.org_id \
             JOIN portal_user_types t ON t.id = u.user_type_id AND t.org_id = s.org_id \
             AND t.portal_id = s.portal_id \
             JOIN orgs o ON o.id = s.org_id \
             LEFT JOIN records r ON r.org_id = s.org_id AND r.id = u.record_id \
             WHERE s.token_hash = $1",
            prefixed("u", COLS),
            prefixed("p", crate::portals::PORTAL_COLS),
        );
        let Some(mut user) = opt(&mut self.conn, &sql, &[Val::from(token_hash)]).await? else {
            return Ok(None);
        };
        let mut session = user.split_off(column_count(COLS));
        let mut portal = session.split_off(7);
        let mut user_type = portal.split_off(column_count(crate::portals::PORTAL_COLS));
        let mut version = user_type.split_off(4);
        let record = version.split_off(1);
        Ok(Some(PortalVisit {
            session: PortalSession {
                org_id: session.int(0)?,
                portal_id: session.int(1)?,
                portal_user_id: session.int(2)?,
                csrf_token: session.text(3)?,
                created_at: session.int(4)?,
                last_seen_at: session.int(5)?,
                expires_at: session.int(6)?,
            },
            user: user_from(&user)?,
            portal: crate::portals::portal_from(&portal)?,
            scope: PortalScopeRow {
                user_type: crate::portals::user_type_from(&user_type)?,
                config_version: version.int(0)?,
                record: match record.opt_int(0)? {
                    Some(_) => Some(record_from(&record)?),
                    None => None,
                },
            },
        }))
    }

    /// The session behind `token_hash` with its account, in one statement.
    pub async fn get_portal_session(
        &mut self,
        token_hash: &str,
    ) -> StoreResult<Option<(PortalSession, PortalUser)>> {
        let row = opt(
            &mut self.conn,
            &format!(
                "SELECT {}, s.org_id, s.portal_id, s.portal_user_id, s.csrf_token, s.created_at, \
                 s.last_seen_at, s.expires_at FROM portal_sessions s \
                 JOIN portal_users u ON u.id = s.portal_user_id AND u.org_id = s.org_id \
                 WHERE s.token_hash = $1",
                prefixed("u", COLS)
            ),
            &[Val::from(token_hash)],
        )
        .await?;
        let Some(r) = row else { return Ok(None) };
        // The account's columns come first, then the session's.
        let at = column_count(COLS);
        let user = user_from(&r)?;
        let session = PortalSession {
            org_id: r.int(at)?,
            portal_id: r.int(at + 1)?,
            portal_user_id: r.int(at + 2)?,
            csrf_token: r.text(at + 3)?,
            created_at: r.int(at + 4)?,
            last_seen_at: r.int(at + 5)?,
            expires_at: r.int(at + 6)?,
        };
        Ok(Some((session, user)))
    }

    pub async fn touch_portal_session(&mut self, token_hash: &str, now: Millis) -> StoreResult<()> {
        self.conn
            .execute(
                "UPDATE portal_sessions SET last_seen_at = $2 WHERE token_hash = $1",
                &[Val::from(token_hash), Val::Int(now)],
            )
            .await?;
        Ok(())
    }

    pub async fn delete_portal_session(&mut self, token_hash: &str) -> StoreResult<()> {
        self.conn
            .execute(
                "DELETE FROM portal_sessions WHERE token_hash = $1",
                &[Val::from(token_hash)],
            )
            .await?;
        Ok(())
    }

    /// Ends every session of the account (deactivation, removal, a new password).
    pub async fn end_portal_user_sessions(&mut self, org: Id, portal_user: Id) -> StoreResult<u64> {
        self.conn
            .execute(
                "DELETE FROM portal_sessions WHERE org_id = $1 AND portal_user_id = $2",
                &[Val::Int(org), Val::Int(portal_user)],
            )
            .await
    }

    /// Sweeps expired portal sessions and long-dead links.
    pub async fn delete_expired_portal_sessions(&mut self, now: Millis) -> StoreResult<u64> {
        let sessions = self
            .conn
            .execute(
                "DELETE FROM portal_sessions WHERE expires_at <= $1",
                &[Val::Int(now)],
            )
            .await?;
        let links = self
            .conn
            .execute(
                "DELETE FROM portal_links WHERE expires_at <= $1",
                &[Val::Int(now)],
            )
            .await?;
        let challenges = self
            .conn
            .execute(
                "DELETE FROM portal_mfa_challenges WHERE expires_at <= $1",
                &[Val::Int(now)],
            )
            .await?;
        Ok(sessions + links + challenges)
    }
}

/// A signed-in request's context, read in one statement ([`Tx::portal_visit`]).
#[derive(Debug, Clone)]
pub struct PortalVisit {
    pub session: PortalSession,
    pub user: PortalUser,
    pub portal: Portal,
    pub scope: PortalScopeRow,
}
