//! Email domains a portal refuses: the org's block list (administrators keep it; each change is
//! audited with it) and [`refused_domain`], the check that portal invitations and sign-ups make
//! for their `anonymous_domain` failure — a disposable-address service on the shipped list
//! (`portico_domain::email_domains`), or a domain on the org's list, subdomains included.

use crate::audit::audit;
use crate::{AppError, Context, Result, require_admin};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::email_domains::{BlockedDomain, is_disposable};
use portico_store::{BlockedEmailDomain, Tx};
use serde_json::json;

/// The org's blocked domains, in alphabetical order (administrators only).
pub async fn list_blocked(ctx: &Context, actor: &CrmActor) -> Result<Vec<BlockedEmailDomain>> {
    require_admin(actor)?;
    Ok(ctx.store().list_blocked_domains(actor.user.org_id).await?)
}

/// Adds a domain to the org's block list, with its audit row (administrators only). A domain
/// already on the list is a 409 `duplicate` naming `domain`, and nothing is written.
pub async fn block_domain(
    ctx: &Context,
    actor: &CrmActor,
    domain: &str,
) -> Result<BlockedEmailDomain> {
    require_admin(actor)?;
    let domain = BlockedDomain::parse(domain)?;
    let mut tx = ctx.store().transaction().await?;
    let added = tx
        .add_blocked_domain(
            actor.user.org_id,
            &domain,
            actor.user.email.as_str(),
            ctx.now(),
        )
        .await?
        .ok_or_else(|| AppError::Duplicate {
            field: "domain".into(),
            message: format!("{domain} is already blocked"),
        })?;
    audit(
        &mut tx,
        actor,
        ctx.now(),
        "email_domain.block",
        json!({"domain": added.domain}),
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// Takes a domain off the org's block list, with its audit row (administrators only). A domain
/// that is not on the list — or could not be, not being a domain name — is `NotFound`.
pub async fn unblock_domain(ctx: &Context, actor: &CrmActor, domain: &str) -> Result<()> {
    require_admin(actor)?;
    let domain = BlockedDomain::parse(domain).map_err(|_| AppError::NotFound)?;
    let mut tx = ctx.store().transaction().await?;
    tx.remove_blocked_domain(actor.user.org_id, &domain).await?;
    audit(
        &mut tx,
        actor,
        ctx.now(),
        "email_domain.unblock",
        json!({"domain": domain.as_str()}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether `org` refuses portal accounts at `email`'s domain: it is a disposable-address
/// service on the shipped list, or it (or a parent of it) is on the org's block list. Call it
/// inside the invitation's or sign-up's transaction, so the answer and the write agree; a
/// `true` is the `anonymous_domain` failure. `email` should already be a parsed address; the
/// domain is what follows its last `@`, compared without regard to case.
pub async fn refused_domain(tx: &mut Tx, org: Id, email: &str) -> Result<bool> {
    let domain = email.rsplit_once('@').map_or(email, |(_, d)| d);
    // The shipped list first: it needs no statement.
    if is_disposable(domain) {
        return Ok(true);
    }
    Ok(tx.email_domain_blocked(org, domain).await?)
}
