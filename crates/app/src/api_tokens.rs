//! API tokens after they are issued: listing (a user's own; an administrator's view of the
//! org's), revocation with its audit row, and the operator's list and revoke. A token is
//! named by its public id; its secret is shown once when issued and never again.

use crate::audit::audit;
use crate::{AppError, Context, Result, require_admin};
use portico_domain::access::CrmActor;
use portico_domain::{Id, Millis};
use portico_store::ApiToken;
use serde_json::json;

/// Whose tokens to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    /// The signed-in user's own tokens.
    Mine,
    /// Every token of the org (administrators only).
    Org,
}

/// The tokens of the actor (or, for an administrator asking for [`TokenScope::Org`], of the
/// whole org) that are not revoked, newest first; expired ones are listed until revoked.
pub async fn list_tokens(
    ctx: &Context,
    actor: &CrmActor,
    scope: TokenScope,
) -> Result<Vec<ApiToken>> {
    let user = match scope {
        TokenScope::Mine => Some(actor.user.id),
        TokenScope::Org => {
            require_admin(actor)?;
            None
        }
    };
    Ok(ctx.store().list_api_tokens(actor.user.org_id, user).await?)
}

/// Revokes a token: a CRM user their own, an administrator any of the org's. Another user's
/// token (for a non-administrator), another org's and an unknown id all answer `NotFound`
/// alike. The token answers 401 from the moment this commits.
pub async fn revoke_token(ctx: &Context, actor: &CrmActor, id: Id) -> Result<()> {
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    let token = tx.get_api_token(org, id).await?;
    if token.user_id != actor.user.id && !actor.user.super_admin {
        return Err(AppError::NotFound);
    }
    tx.revoke_api_token(org, id, ctx.now()).await?;
    audit(
        &mut tx,
        actor,
        ctx.now(),
        "api_token.revoke",
        json!({"token_id": id, "user_id": token.user_id, "label": token.label}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Every token of an org that is not revoked, for the operator's CLI.
pub async fn org_tokens(ctx: &Context, org: Id) -> Result<Vec<ApiToken>> {
    ctx.store().get_org(org).await?;
    Ok(ctx.store().list_api_tokens(org, None).await?)
}

/// Revokes a token by id, for the operator's CLI; the audit row names the operator.
pub async fn revoke_token_by_operator(ctx: &Context, id: Id, operator: &str) -> Result<ApiToken> {
    let Some(org) = ctx.store().api_token_org(id).await? else {
        return Err(AppError::NotFound);
    };
    let mut tx = ctx.store().transaction().await?;
    let token = tx.get_api_token(org, id).await?;
    tx.revoke_api_token(org, id, ctx.now()).await?;
    tx.record_audit(
        org,
        operator,
        "api_token.revoke",
        &json!({"token_id": id, "user_id": token.user_id, "label": token.label}),
        ctx.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(token)
}

/// Whether a token's last use is old enough to be written again (at most once a minute, so
/// requests do not each cost a write).
pub(crate) fn needs_touch(token: &ApiToken, now: Millis) -> bool {
    token.last_used_at.is_none_or(|at| now - at >= 60_000)
}
