//! Sign-ins waiting for an org to be chosen. A CRM user's email is unique within an org, not on
//! the instance, so one email and password can open accounts in several orgs; the accounts the
//! password opened wait here, under the hash of a random secret, until the user picks one.
//! A choice is taken once and expires soon.

use crate::error::StoreResult;
use crate::sql::{Executor, Val};
use crate::store::Tx;
use crate::users::check_owner;
use portico_domain::{Id, Millis};

/// One account a pending sign-in may continue as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingAccount {
    pub org_id: Id,
    pub user_id: Id,
}

impl Tx {
    /// Stores a pending choice among `accounts` (each user must belong to its org), valid until
    /// `expires_at`. Choices that expired before `now` are removed on the way, so the table
    /// holds only live ones.
    pub async fn create_sign_in_choice(
        &mut self,
        token_hash: &str,
        accounts: &[PendingAccount],
        expires_at: Millis,
        now: Millis,
    ) -> StoreResult<()> {
        let tx = &mut self.conn;
        tx.execute(
            "DELETE FROM sign_in_choices WHERE expires_at <= $1",
            &[Val::Int(now)],
        )
        .await?;
        for a in accounts {
            check_owner(tx, a.org_id, a.user_id).await?;
            tx.execute(
                "INSERT INTO sign_in_choices (token_hash, org_id, user_id, expires_at) \
                 VALUES ($1, $2, $3, $4)",
                &[
                    Val::from(token_hash),
                    Val::Int(a.org_id),
                    Val::Int(a.user_id),
                    Val::Int(expires_at),
                ],
            )
            .await?;
        }
        Ok(())
    }

    /// Takes a pending choice: its accounts, or none if it is unknown or expired. Either way it
    /// is gone afterwards, so a choice is used at most once, even by two requests at a time.
    pub async fn take_sign_in_choice(
        &mut self,
        token_hash: &str,
        now: Millis,
    ) -> StoreResult<Vec<PendingAccount>> {
        let rows = self
            .conn
            .query(
                "DELETE FROM sign_in_choices WHERE token_hash = $1 \
                 RETURNING org_id, user_id, expires_at",
                &[Val::from(token_hash)],
            )
            .await?;
        let mut accounts = Vec::with_capacity(rows.len());
        for r in &rows {
            if r.int(2)? > now {
                accounts.push(PendingAccount {
                    org_id: r.int(0)?,
                    user_id: r.int(1)?,
                });
            }
        }
        accounts.sort_by_key(|a| a.org_id);
        Ok(accounts)
    }
}
