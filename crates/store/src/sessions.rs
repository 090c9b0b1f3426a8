//! Admin sessions and API tokens, found by the hash of their secret.

use crate::error::StoreResult;
use crate::rows::*;
use crate::sql::{Executor, Val};
use crate::store::Tx;
use crate::users::check_owner;
use portico_domain::{Id, Millis};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub org_id: Id,
    pub user_id: Id,
    pub csrf_token: String,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub expires_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub org_id: Id,
    pub user_id: Id,
    pub expires_at: Millis,
}

impl Tx {
    /// Stores a session; its user must belong to its org, as for API tokens.
    pub async fn create_session(&mut self, token_hash: &str, s: &Session) -> StoreResult<()> {
        let tx = &mut self.conn;
        check_owner(tx, s.org_id, s.user_id).await?;
        tx.execute(
            "INSERT INTO sessions (token_hash, org_id, user_id, csrf_token, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                Val::from(token_hash),
                Val::Int(s.org_id),
                Val::Int(s.user_id),
                Val::from(s.csrf_token.as_str()),
                Val::Int(s.created_at),
                Val::Int(s.last_seen_at),
                Val::Int(s.expires_at),
            ],
        )
        .await?;
        Ok(())
    }

    pub async fn get_session(&mut self, token_hash: &str) -> StoreResult<Option<Session>> {
        let c = &mut self.conn;
        let row = opt(
            c,
            "SELECT org_id, user_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1",
            &[Val::from(token_hash)],
        )
        .await?;
        row.map(|r| {
            Ok(Session {
                org_id: r.int(0)?,
                user_id: r.int(1)?,
                csrf_token: r.text(2)?,
                created_at: r.int(3)?,
                last_seen_at: r.int(4)?,
                expires_at: r.int(5)?,
            })
        })
        .transpose()
    }

    pub async fn touch_session(&mut self, token_hash: &str, now: Millis) -> StoreResult<()> {
        let tx = &mut self.conn;
        tx.execute(
            "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1",
            &[Val::from(token_hash), Val::Int(now)],
        )
        .await?;
        Ok(())
    }

    pub async fn delete_session(&mut self, token_hash: &str) -> StoreResult<()> {
        let tx = &mut self.conn;
        tx.execute(
            "DELETE FROM sessions WHERE token_hash = $1",
            &[Val::from(token_hash)],
        )
        .await?;
        Ok(())
    }

    /// Removes sessions that expired before `now`; answers how many.
    pub async fn delete_expired_sessions(&mut self, now: Millis) -> StoreResult<u64> {
        let tx = &mut self.conn;
        let n = tx
            .execute(
                "DELETE FROM sessions WHERE expires_at < $1",
                &[Val::Int(now)],
            )
            .await?;
        Ok(n)
    }

    pub async fn create_api_token(
        &mut self,
        org: Id,
        user: Id,
        token_hash: &str,
        label: &str,
        now: Millis,
        expires_at: Millis,
    ) -> StoreResult<()> {
        let tx = &mut self.conn;
        check_owner(tx, org, user).await?;
        tx.execute(
            "INSERT INTO api_tokens (token_hash, org_id, user_id, label, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                Val::from(token_hash),
                Val::Int(org),
                Val::Int(user),
                Val::from(label),
                Val::Int(now),
                Val::Int(expires_at),
            ],
        )
        .await?;
        Ok(())
    }

    pub async fn find_api_token(&mut self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
        let c = &mut self.conn;
        let row = opt(
            c,
            "SELECT org_id, user_id, expires_at FROM api_tokens WHERE token_hash = $1",
            &[Val::from(token_hash)],
        )
        .await?;
        row.map(|r| {
            Ok(ApiToken {
                org_id: r.int(0)?,
                user_id: r.int(1)?,
                expires_at: r.int(2)?,
            })
        })
        .transpose()
    }
}
