//! The sign-in lockout, shared by every instance on one database: each attempt is counted in
//! the `sign_in_failures` table under the SHA-256 of its sign-in key (the normalised email), so
//! several `portico serve` instances behind a load balancer give an attacker the same five
//! attempts as one. The rule is `Settings::sign_in_lockout` (`LockoutRule::STANDARD`); the
//! store applies it to a locked row, so concurrent attempts are counted exactly.

use crate::{AppError, Context, Result};
use portico_auth::token_hash;
use portico_domain::lockout::Attempt;

/// Counts a sign-in attempt for `key` as a failure, before its (slow) password check, so that
/// parallel guesses cannot slip past the limit while the first ones are being verified.
/// A locked key answers [`AppError::TooManyAttempts`]; a database failure is an error (a 500),
/// never a pass.
pub(crate) async fn count_attempt(ctx: &Context, key: &str) -> Result<()> {
    let rule = ctx.settings().sign_in_lockout;
    match ctx
        .store()
        .record_sign_in_failure(&token_hash(key), &rule, ctx.now())
        .await?
    {
        Attempt::Locked { .. } => Err(AppError::TooManyAttempts),
        Attempt::Counted(count) => {
            if count.locked_until > 0 {
                tracing::info!("a sign-in key was locked after repeated failures");
            }
            Ok(())
        }
    }
}

/// Forgets `key`'s failures after a successful sign-in, on every instance at once.
pub(crate) async fn clear(ctx: &Context, key: &str) -> Result<()> {
    Ok(ctx.store().clear_sign_in_failures(&token_hash(key)).await?)
}

/// Deletes the failure counts that no longer matter (outside their window and unlocked);
/// answers how many. The server runs it beside the session sweep.
pub async fn sweep(ctx: &Context) -> Result<u64> {
    Ok(ctx
        .store()
        .delete_expired_sign_in_failures(ctx.now())
        .await?)
}
