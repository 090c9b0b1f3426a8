//! Admin sessions and API tokens, found by the hash of their secret.

use crate::error::{StoreError, StoreResult};
use crate::rows::*;
use crate::sql::{Executor, Row, Val};
use crate::store::Tx;
use crate::users::check_owner;
use portico_domain::profile::User;
use portico_domain::{Id, Millis};
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub org_id: Id,
    pub user_id: Id,
    pub csrf_token: String,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub expires_at: Millis,
}

/// An API token as stored: never its secret, only the secret's hash (which is not kept here
/// either). `id` is a public identifier to list and revoke it by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: Id,
    pub org_id: Id,
    pub user_id: Id,
    pub label: String,
    pub created_at: Millis,
    pub expires_at: Millis,
    pub last_used_at: Option<Millis>,
    pub revoked_at: Option<Millis>,
}

/// The caller behind an API token, as one statement finds them: the token, its user and the
/// version of their org's configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiCaller {
    pub token: ApiToken,
    pub user: User,
    pub config_version: i64,
}

const TOKEN_COLS: &str =
    "id, org_id, user_id, label, created_at, expires_at, last_used_at, revoked_at";

fn token_row(r: &Row) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: r.int(0)?,
        org_id: r.int(1)?,
        user_id: r.int(2)?,
        label: r.text(3)?,
        created_at: r.int(4)?,
        expires_at: r.int(5)?,
        last_used_at: r.opt_int(6)?,
        revoked_at: r.opt_int(7)?,
    })
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
    ) -> StoreResult<ApiToken> {
        let tx = &mut self.conn;
        check_owner(tx, org, user).await?;
        let row = one(
            tx,
            &format!(
                "INSERT INTO api_tokens (token_hash, org_id, user_id, label, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {TOKEN_COLS}"
            ),
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
        token_row(&row)
    }

    /// The token whose secret has this hash, revoked and expired ones included (the caller
    /// refuses those).
    pub async fn find_api_token(&mut self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
        let c = &mut self.conn;
        let row = opt(
            c,
            &format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE token_hash = $1"),
            &[Val::from(token_hash)],
        )
        .await?;
        row.as_ref().map(token_row).transpose()
    }

    /// [`Tx::find_api_token`] with the token's user (of the token's org) and that org's
    /// configuration version, in one statement: the whole cost of authenticating an API call
    /// when the org's profiles and modules are cached. Revoked and expired tokens are included
    /// (the caller refuses those); a token whose user is gone is not found.
    pub async fn find_api_caller(&mut self, token_hash: &str) -> StoreResult<Option<ApiCaller>> {
        static SQL: LazyLock<String> = LazyLock::new(|| {
            format!(
                "SELECT {}, {}, o.config_version FROM api_tokens t \
                 JOIN users u ON u.id = t.user_id AND u.org_id = t.org_id \
                 JOIN orgs o ON o.id = t.org_id WHERE t.token_hash = $1",
                prefixed("t", TOKEN_COLS),
                prefixed("u", USER_COLS),
            )
        });
        let Some(mut token) = opt(&mut self.conn, &SQL, &[Val::from(token_hash)]).await? else {
            return Ok(None);
        };
        // Token columns, then user columns, then the version.
        let mut user = Row(token.0.split_off(column_count(TOKEN_COLS)));
        let version = Row(user.0.split_off(column_count(USER_COLS)));
        Ok(Some(ApiCaller {
            token: token_row(&token)?,
            user: user_from(&user)?,
            config_version: version.int(0)?,
        }))
    }

    /// The org's tokens that are not revoked (only `user`'s when given), newest first.
    pub async fn list_api_tokens(
        &mut self,
        org: Id,
        user: Option<Id>,
    ) -> StoreResult<Vec<ApiToken>> {
        let c = &mut self.conn;
        let rows = match user {
            Some(user) => {
                c.query(
                    &format!(
                        "SELECT {TOKEN_COLS} FROM api_tokens WHERE org_id = $1 AND user_id = $2 \
                         AND revoked_at IS NULL ORDER BY id DESC"
                    ),
                    &[Val::Int(org), Val::Int(user)],
                )
                .await?
            }
            None => {
                c.query(
                    &format!(
                        "SELECT {TOKEN_COLS} FROM api_tokens WHERE org_id = $1 \
                         AND revoked_at IS NULL ORDER BY id DESC"
                    ),
                    &[Val::Int(org)],
                )
                .await?
            }
        };
        rows.iter().map(token_row).collect()
    }

    /// One of the org's tokens that is not revoked; another org's answers `NotFound`.
    pub async fn get_api_token(&mut self, org: Id, id: Id) -> StoreResult<ApiToken> {
        let c = &mut self.conn;
        let row = one(
            c,
            &format!(
                "SELECT {TOKEN_COLS} FROM api_tokens WHERE org_id = $1 AND id = $2 \
                 AND revoked_at IS NULL"
            ),
            &[Val::Int(org), Val::Int(id)],
        )
        .await?;
        token_row(&row)
    }

    /// Revokes one of the org's tokens: it answers 401 from now on. `NotFound` when the org
    /// has no such token, or it is already revoked.
    pub async fn revoke_api_token(&mut self, org: Id, id: Id, now: Millis) -> StoreResult<()> {
        let n = self
            .conn
            .execute(
                "UPDATE api_tokens SET revoked_at = $3 WHERE org_id = $1 AND id = $2 \
                 AND revoked_at IS NULL",
                &[Val::Int(org), Val::Int(id), Val::Int(now)],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Notes that one of the org's tokens was used at `now`.
    pub async fn touch_api_token(&mut self, org: Id, id: Id, now: Millis) -> StoreResult<()> {
        self.conn
            .execute(
                "UPDATE api_tokens SET last_used_at = $3 WHERE org_id = $1 AND id = $2",
                &[Val::Int(org), Val::Int(id), Val::Int(now)],
            )
            .await?;
        Ok(())
    }

    /// The org a token id belongs to, for the operator's CLI, which names tokens by id alone.
    pub async fn api_token_org(&mut self, id: Id) -> StoreResult<Option<Id>> {
        let c = &mut self.conn;
        let row = opt(
            c,
            "SELECT org_id FROM api_tokens WHERE id = $1",
            &[Val::Int(id)],
        )
        .await?;
        row.map(|r| r.int(0)).transpose()
    }
}
