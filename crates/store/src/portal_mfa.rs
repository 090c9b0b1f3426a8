//! Portal MFA: a portal user's TOTP secret (pending until the first code confirms it), the
//! last time step a code was accepted at (so no code works twice), the hashes of the
//! single-use recovery codes, and the sign-in challenges between the password and the code.
//!
//! Every "use once" rule is decided by one conditional `UPDATE` or `DELETE`, so of two
//! concurrent requests with the same code exactly one wins, on both backends.

use crate::error::{StoreError, StoreResult};
use crate::rows::opt;
use crate::sql::{Executor, Val};
use crate::store::Tx;
use portico_domain::{Id, Millis};

/// A portal user's TOTP secret and its state.
#[derive(Clone, PartialEq, Eq)]
pub struct PortalMfa {
    /// Base32, as typed into an authenticator app.
    pub secret: String,
    /// When the first code confirmed it; `None` while enrolment is under way.
    pub enabled_at: Option<Millis>,
    /// The last time step a code was accepted at.
    pub last_step: Option<i64>,
}

// The secret never appears in logs.
impl std::fmt::Debug for PortalMfa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalMfa")
            .field("enabled_at", &self.enabled_at)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

/// The step between a correct password and a session: the code of an enrolled user, or the
/// enrolment a portal that enforces MFA asks of a user without it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaChallenge {
    pub org_id: Id,
    pub portal_id: Id,
    pub portal_user_id: Id,
    /// Enrolment (set up an app first) rather than a code.
    pub enrol: bool,
    /// Wrong codes so far.
    pub attempts: i64,
    pub expires_at: Millis,
}

impl Tx {
    /// Refuses an account that is not of `org` (and `portal`, when given) as "not found".
    async fn mfa_account(
        &mut self,
        org: Id,
        portal_user: Id,
        portal: Option<Id>,
    ) -> StoreResult<()> {
        let row = opt(
            &mut self.conn,
            "SELECT portal_id FROM portal_users WHERE org_id = $1 AND id = $2",
            &[Val::Int(org), Val::Int(portal_user)],
        )
        .await?;
        let found = row.map(|r| r.int(0)).transpose()?;
        match (found, portal) {
            (Some(p), Some(want)) if p != want => Err(StoreError::NotFound),
            (Some(_), _) => Ok(()),
            (None, _) => Err(StoreError::NotFound),
        }
    }

    /// The account's MFA row, pending or enabled.
    pub async fn portal_mfa(&mut self, org: Id, portal_user: Id) -> StoreResult<Option<PortalMfa>> {
        let row = opt(
            &mut self.conn,
            "SELECT secret, enabled_at, last_step FROM portal_mfa \
             WHERE org_id = $1 AND portal_user_id = $2",
            &[Val::Int(org), Val::Int(portal_user)],
        )
        .await?;
        row.map(|r| {
            Ok(PortalMfa {
                secret: r.text(0)?,
                enabled_at: r.opt_int(1)?,
                last_step: r.opt_int(2)?,
            })
        })
        .transpose()
    }

    /// Stores a new pending secret for the account, replacing a pending one; an enabled secret
    /// is never replaced (answers `false`). Another org's account is "not found".
    pub async fn start_portal_mfa(
        &mut self,
        org: Id,
        portal_user: Id,
        secret: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        self.mfa_account(org, portal_user, None).await?;
        let n = self
            .conn
            .execute(
                "INSERT INTO portal_mfa (portal_user_id, org_id, secret, enabled_at, last_step, created_at) \
                 VALUES ($2, $1, $3, NULL, NULL, $4) \
                 ON CONFLICT (portal_user_id) DO UPDATE SET secret = excluded.secret, \
                 created_at = excluded.created_at, last_step = NULL \
                 WHERE portal_mfa.enabled_at IS NULL AND portal_mfa.org_id = excluded.org_id",
                &[
                    Val::Int(org),
                    Val::Int(portal_user),
                    Val::from(secret),
                    Val::Int(now),
                ],
            )
            .await?;
        Ok(n == 1)
    }

    /// Accepts a code's time step for the account when it is later than the last accepted one
    /// (the check and the write are one statement); enables a pending secret on the way.
    /// `false`: the step (or a later one) was already used.
    pub async fn accept_portal_totp_step(
        &mut self,
        org: Id,
        portal_user: Id,
        step: i64,
        now: Millis,
    ) -> StoreResult<bool> {
        let n = self
            .conn
            .execute(
                "UPDATE portal_mfa SET last_step = $3, enabled_at = COALESCE(enabled_at, $4) \
                 WHERE org_id = $1 AND portal_user_id = $2 AND (last_step IS NULL OR last_step < $3)",
                &[
                    Val::Int(org),
                    Val::Int(portal_user),
                    Val::Int(step),
                    Val::Int(now),
                ],
            )
            .await?;
        Ok(n == 1)
    }

    /// Replaces the account's recovery codes with these hashes. Another org's account is "not
    /// found".
    pub async fn set_recovery_codes(
        &mut self,
        org: Id,
        portal_user: Id,
        hashes: &[String],
    ) -> StoreResult<()> {
        self.mfa_account(org, portal_user, None).await?;
        self.conn
            .execute(
                "DELETE FROM portal_recovery_codes WHERE org_id = $1 AND portal_user_id = $2",
                &[Val::Int(org), Val::Int(portal_user)],
            )
            .await?;
        for hash in hashes {
            self.conn
                .execute(
                    "INSERT INTO portal_recovery_codes (portal_user_id, org_id, code_hash, used_at) \
                     VALUES ($2, $1, $3, NULL)",
                    &[Val::Int(org), Val::Int(portal_user), Val::from(hash.as_str())],
                )
                .await?;
        }
        Ok(())
    }

    /// Uses the recovery code with this hash, once; `false` when it is unknown or used.
    pub async fn use_recovery_code(
        &mut self,
        org: Id,
        portal_user: Id,
        hash: &str,
        now: Millis,
    ) -> StoreResult<bool> {
        let n = self
            .conn
            .execute(
                "UPDATE portal_recovery_codes SET used_at = $4 \
                 WHERE org_id = $1 AND portal_user_id = $2 AND code_hash = $3 AND used_at IS NULL",
                &[
                    Val::Int(org),
                    Val::Int(portal_user),
                    Val::from(hash),
                    Val::Int(now),
                ],
            )
            .await?;
        Ok(n == 1)
    }

    /// How many unused recovery codes the account has.
    pub async fn recovery_codes_left(&mut self, org: Id, portal_user: Id) -> StoreResult<i64> {
        let row = opt(
            &mut self.conn,
            "SELECT COUNT(*) FROM portal_recovery_codes \
             WHERE org_id = $1 AND portal_user_id = $2 AND used_at IS NULL",
            &[Val::Int(org), Val::Int(portal_user)],
        )
        .await?;
        Ok(row.map(|r| r.int(0)).transpose()?.unwrap_or(0))
    }

    /// Switches MFA off for the account: the secret, the recovery codes and its challenges go.
    pub async fn delete_portal_mfa(&mut self, org: Id, portal_user: Id) -> StoreResult<()> {
        for table in [
            "portal_mfa",
            "portal_recovery_codes",
            "portal_mfa_challenges",
        ] {
            self.conn
                .execute(
                    &format!("DELETE FROM {table} WHERE org_id = $1 AND portal_user_id = $2"),
                    &[Val::Int(org), Val::Int(portal_user)],
                )
                .await?;
        }
        Ok(())
    }

    /// Stores a sign-in challenge under the hash of its secret; an account that is not of the
    /// challenge's org and portal is "not found".
    pub async fn create_mfa_challenge(
        &mut self,
        token_hash: &str,
        c: &MfaChallenge,
    ) -> StoreResult<()> {
        self.mfa_account(c.org_id, c.portal_user_id, Some(c.portal_id))
            .await?;
        self.conn
            .execute(
                "INSERT INTO portal_mfa_challenges \
                 (token_hash, org_id, portal_id, portal_user_id, enrol, attempts, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    Val::from(token_hash),
                    Val::Int(c.org_id),
                    Val::Int(c.portal_id),
                    Val::Int(c.portal_user_id),
                    Val::Bool(c.enrol),
                    Val::Int(c.attempts),
                    Val::Int(c.expires_at),
                ],
            )
            .await?;
        Ok(())
    }

    /// The unexpired challenge behind `token_hash`.
    pub async fn mfa_challenge(
        &mut self,
        token_hash: &str,
        now: Millis,
    ) -> StoreResult<Option<MfaChallenge>> {
        let row = opt(
            &mut self.conn,
            "SELECT org_id, portal_id, portal_user_id, enrol, attempts, expires_at \
             FROM portal_mfa_challenges WHERE token_hash = $1 AND expires_at > $2",
            &[Val::from(token_hash), Val::Int(now)],
        )
        .await?;
        row.map(|r| {
            Ok(MfaChallenge {
                org_id: r.int(0)?,
                portal_id: r.int(1)?,
                portal_user_id: r.int(2)?,
                enrol: r.bool(3)?,
                attempts: r.int(4)?,
                expires_at: r.int(5)?,
            })
        })
        .transpose()
    }

    /// Counts a wrong code against the challenge; answers whether the challenge still allows
    /// another try (fewer than `max` wrong codes), deleting it when it does not.
    pub async fn fail_mfa_challenge(&mut self, token_hash: &str, max: i64) -> StoreResult<bool> {
        self.conn
            .execute(
                "UPDATE portal_mfa_challenges SET attempts = attempts + 1 WHERE token_hash = $1",
                &[Val::from(token_hash)],
            )
            .await?;
        let n = self
            .conn
            .execute(
                "DELETE FROM portal_mfa_challenges WHERE token_hash = $1 AND attempts >= $2",
                &[Val::from(token_hash), Val::Int(max)],
            )
            .await?;
        Ok(n == 0)
    }

    /// Ends a challenge (used, or given up); `false` when it was already gone, so of two
    /// concurrent completions only one goes on.
    pub async fn end_mfa_challenge(&mut self, token_hash: &str) -> StoreResult<bool> {
        let n = self
            .conn
            .execute(
                "DELETE FROM portal_mfa_challenges WHERE token_hash = $1",
                &[Val::from(token_hash)],
            )
            .await?;
        Ok(n == 1)
    }
}
