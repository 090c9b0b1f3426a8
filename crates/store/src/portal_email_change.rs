//! Email-change links: a single-use link like the others in `portal_links` (bound to the
//! account's current address, found by the hash of its secret), which also carries the new
//! address it confirms; and the change of an account's address, unique within its portal.

use crate::error::{StoreError, StoreResult};
use crate::portal_sessions::PortalLink;
use crate::rows::opt;
use crate::sql::{Executor, Val};
use crate::store::Tx;
use portico_domain::portal_user::{LinkPurpose, PortalUser, email_key};
use portico_domain::{Id, Millis};

/// A usable email-change link and the address it confirms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailChangeLink {
    pub link: PortalLink,
    pub new_email: String,
}

impl Tx {
    /// Stores a new email-change link for the account, to `new_email`, and kills its older
    /// ones (only the newest request counts). Another org's account is "not found".
    pub async fn create_email_change_link(
        &mut self,
        org: Id,
        portal_user: Id,
        token_hash: &str,
        new_email: &str,
        now: Millis,
    ) -> StoreResult<PortalLink> {
        let link = self
            .create_portal_link(org, portal_user, token_hash, LinkPurpose::EmailChange, now)
            .await?;
        self.conn
            .execute(
                "UPDATE portal_links SET new_email = $2 WHERE token_hash = $1",
                &[Val::from(token_hash), Val::from(new_email)],
            )
            .await?;
        Ok(link)
    }

    /// The email-change link behind `token_hash` while it is usable (unused, unexpired, its
    /// account's address unchanged), with the address it confirms; `None` otherwise.
    pub async fn usable_email_change(
        &mut self,
        token_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<EmailChangeLink>> {
        let Some(link) = self
            .usable_portal_link(token_hash, LinkPurpose::EmailChange, now)
            .await?
        else {
            return Ok(None);
        };
        let row = opt(
            &mut self.conn,
            "SELECT new_email FROM portal_links WHERE token_hash = $1",
            &[Val::from(token_hash)],
        )
        .await?;
        let new_email = row.map(|r| r.opt_text(0)).transpose()?.flatten();
        Ok(new_email.map(|new_email| EmailChangeLink { link, new_email }))
    }

    /// Changes the account's sign-in address. An address another account of the portal has
    /// (any letter case) is a duplicate, decided in the statement itself; the unique index is
    /// the last word between concurrent changes.
    pub async fn set_portal_user_email(
        &mut self,
        org: Id,
        portal: Id,
        id: Id,
        email: &str,
        now: Millis,
    ) -> StoreResult<PortalUser> {
        let key = email_key(email);
        let n = self
            .conn
            .execute(
                "UPDATE portal_users SET email = $4, email_key = $5, updated_at = $6 \
                 WHERE org_id = $1 AND portal_id = $2 AND id = $3 AND NOT EXISTS (\
                 SELECT 1 FROM portal_users o WHERE o.portal_id = $2 AND o.email_key = $5 AND o.id <> $3)",
                &[
                    Val::Int(org),
                    Val::Int(portal),
                    Val::Int(id),
                    Val::from(email.trim()),
                    Val::from(key.as_str()),
                    Val::Int(now),
                ],
            )
            .await?;
        let user = self.get_portal_user(org, portal, id).await?;
        if n == 0 {
            return Err(StoreError::Duplicate {
                field: "email".into(),
                message: "This email address is already a user of this portal".into(),
            });
        }
        Ok(user)
    }
}
