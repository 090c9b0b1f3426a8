//! The audit log: every admin change, preview and seat grant leaves a row, written in the same
//! transaction as the change it records.

use crate::{Context, Result, require_admin};
use portico_domain::Millis;
use portico_domain::access::CrmActor;
use portico_store::{AuditEntry, Tx};
use serde_json::Value;

/// Adds an audit row for `actor` inside `tx`: it commits or rolls back with the change.
pub(crate) async fn audit(
    tx: &mut Tx,
    actor: &CrmActor,
    at: Millis,
    action: &str,
    detail: Value,
) -> Result<()> {
    Ok(tx
        .record_audit(
            actor.user.org_id,
            actor.user.email.as_str(),
            action,
            &detail,
            at,
        )
        .await?)
}

/// The newest entries of the actor's org (administrators only).
pub async fn audit_log(ctx: &Context, actor: &CrmActor, limit: i64) -> Result<Vec<AuditEntry>> {
    require_admin(actor)?;
    Ok(ctx.store().audit_log(actor.user.org_id, limit).await?)
}

/// Records one audited event that changes nothing else (an admin's preview, a read).
pub async fn note(ctx: &Context, actor: &CrmActor, action: &str, detail: Value) -> Result<()> {
    let mut tx = ctx.store().transaction().await?;
    audit(&mut tx, actor, ctx.now(), action, detail).await?;
    Ok(tx.commit().await?)
}
