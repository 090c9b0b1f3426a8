//! The audit log: who did what, when.

use crate::error::StoreResult;
use crate::sql::{Executor, Val};
use crate::store::Tx;
use portico_domain::{Id, Millis};
use serde_json::Value;

/// One audit entry: who (an email or "operator"), what, and details.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: Id,
    pub actor: String,
    pub action: String,
    pub detail: Value,
    pub at: Millis,
}

impl Tx {
    pub async fn record_audit(
        &mut self,
        org: Id,
        actor: &str,
        action: &str,
        detail: &Value,
        now: Millis,
    ) -> StoreResult<()> {
        let tx = &mut self.conn;
        tx.execute(
            "INSERT INTO audit_log (org_id, actor, action, detail, at) VALUES ($1, $2, $3, $4, $5)",
            &[
                Val::Int(org),
                Val::from(actor),
                Val::from(action),
                Val::Json(detail.clone()),
                Val::Int(now),
            ],
        )
        .await?;
        Ok(())
    }

    /// The newest audit entries of the org.
    pub async fn audit_log(&mut self, org: Id, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let c = &mut self.conn;
        c.query(
            "SELECT id, actor, action, detail, at FROM audit_log WHERE org_id = $1 ORDER BY id DESC LIMIT $2",
            &[Val::Int(org), Val::Int(limit.clamp(1, 1000))],
        )
        .await?
        .iter()
        .map(|r| Ok(AuditEntry { id: r.int(0)?, actor: r.text(1)?, action: r.text(2)?, detail: r.json(3)?, at: r.int(4)? }))
        .collect()
    }
}
