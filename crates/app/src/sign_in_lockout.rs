//! The sign-in lockout, shared by every instance on one database: each attempt is counted in
//! the `sign_in_failures` table under the SHA-256 of its sign-in key (the normalised email), so
//! several `portico serve` instances behind a load balancer give an attacker the same five
//! attempts as one. The rule is `Settings::sign_in_lockout` (`LockoutRule::STANDARD`); the
//! store applies it to a locked row, so concurrent attempts are counted exactly.

use crate::{AppError, Context, Result};
use portico_auth::token_hash;
use portico_domain::lockout::{Attempt, LockoutRule};

/// The per-address limit on the portal's sign-in forms (password, code, forgotten password):
/// 100 failures from one address within 15 minutes close those forms to it for 15 minutes,
/// whichever accounts were tried. It stops one address spraying many accounts (the
/// per-account lockout allows five tries each) while an office behind one address can still
/// sign in.
pub const ADDRESS_RULE: LockoutRule = LockoutRule {
    max_failures: 100,
    ..LockoutRule::STANDARD
};

fn address_key(form: &str, ip: &str) -> String {
    format!("ip:{form}:{ip}")
}

fn address_rule(ctx: &Context) -> LockoutRule {
    ctx.settings().address_lockout.unwrap_or(ADDRESS_RULE)
}

/// Refuses with [`AppError::TooManyAttempts`] when the address `ip` is locked out of `form`
/// (an unknown address is never refused). Read only: failures are counted by
/// [`count_address_failure`].
pub(crate) async fn address_open(ctx: &Context, form: &str, ip: Option<&str>) -> Result<()> {
    let Some(ip) = ip else { return Ok(()) };
    let count = ctx
        .store()
        .get_sign_in_failures(&token_hash(&address_key(form, ip)))
        .await?;
    match count {
        Some(c) if c.locked_until > ctx.now() => Err(AppError::TooManyAttempts),
        _ => Ok(()),
    }
}

/// Counts a failure of `form` from the address `ip` (the account's own lockout counts too).
pub(crate) async fn count_address_failure(
    ctx: &Context,
    form: &str,
    ip: Option<&str>,
) -> Result<()> {
    let Some(ip) = ip else { return Ok(()) };
    ctx.store()
        .record_sign_in_failure(
            &token_hash(&address_key(form, ip)),
            &address_rule(ctx),
            ctx.now(),
        )
        .await?;
    Ok(())
}

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
