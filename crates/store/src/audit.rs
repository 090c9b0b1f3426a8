//! The audit log: who did what, when — and, for portal activity, through which portal, as which
//! portal user, on which record and from which address. Those four are columns (migration 17),
//! so the audit page and `GET /api/v1/audit` filter on them through indexes without reading
//! the JSON detail.

use crate::error::StoreResult;
use crate::sql::{Executor, Row, Val};
use crate::store::Tx;
use portico_domain::{Id, Millis};
use serde_json::Value;

/// The most entries one page of the audit log answers.
pub const AUDIT_PAGE_MAX: i64 = 200;
/// The most portal users one filter names (an address can belong to a user of every portal).
pub const AUDIT_PORTAL_USERS_MAX: usize = 50;

/// One audit entry: who (an email, `portal:{email}` or "operator"), what, and details.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub id: Id,
    pub actor: String,
    pub action: String,
    pub detail: Value,
    pub at: Millis,
    pub portal_id: Option<Id>,
    pub portal_user_id: Option<Id>,
    /// The module's API name, for an entry about records.
    pub module: Option<String>,
    pub record_id: Option<Id>,
    /// The client address of the request, when it is known.
    pub ip: Option<String>,
}

/// A new audit entry with its filterable columns. [`Tx::record_audit`] is the short form for
/// entries that name none of them explicitly.
#[derive(Debug, Clone, Copy)]
pub struct AuditInsert<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub detail: &'a Value,
    pub portal_id: Option<Id>,
    pub portal_user_id: Option<Id>,
    pub module: Option<&'a str>,
    pub record_id: Option<Id>,
    pub ip: Option<&'a str>,
}

/// The action filter: one action, or every action that starts with a prefix (`portal.mfa.`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionFilter {
    Exact(String),
    Prefix(String),
}

/// Which entries of an org to list: every filter that is set must hold. `before` and `after`
/// are keyset cursors on the id (at most one is used; `before` wins).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditQuery {
    pub portal_id: Option<Id>,
    /// Entries of (or about) any of these portal users; an empty list matches nothing.
    pub portal_user_ids: Option<Vec<Id>>,
    pub module: Option<String>,
    pub record_id: Option<Id>,
    pub action: Option<ActionFilter>,
    /// From this instant (inclusive)…
    pub from: Option<Millis>,
    /// …to this one (exclusive).
    pub to: Option<Millis>,
    pub before: Option<Id>,
    pub after: Option<Id>,
    pub limit: i64,
}

/// One page of the audit log, newest first, with the cursors of its neighbours.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// `before` for the next (older) page, when there is one.
    pub older: Option<Id>,
    /// `after` for the previous (newer) page, when there is one.
    pub newer: Option<Id>,
}

const COLS: &str =
    "id, actor, action, detail, at, portal_id, portal_user_id, module, record_id, ip";

fn entry(r: &Row) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: r.int(0)?,
        actor: r.text(1)?,
        action: r.text(2)?,
        detail: r.json(3)?,
        at: r.int(4)?,
        portal_id: r.opt_int(5)?,
        portal_user_id: r.opt_int(6)?,
        module: r.opt_text(7)?,
        record_id: r.opt_int(8)?,
        ip: r.opt_text(9)?,
    })
}

/// A whole number at `key` of an object detail (the portal-account helpers write
/// `{"portal_id", "portal_user_id"}`), so their entries filter like the others.
fn detail_id(detail: &Value, key: &str) -> Option<Id> {
    detail.get(key).and_then(Value::as_i64)
}

/// `prefix` as a `LIKE … ESCAPE '\'` pattern matching what starts with it.
fn prefix_pattern(prefix: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// The WHERE clause of `q` after `org_id = $1`, and its parameters (org first).
fn filter(org: Id, q: &AuditQuery) -> (String, Vec<Val>) {
    let mut sql = String::from("org_id = $1");
    let mut params = vec![Val::Int(org)];
    let mut add = |sql: &mut String, clause: &str, v: Val| {
        params.push(v);
        sql.push_str(&clause.replace('?', &format!("${}", params.len())));
    };
    if let Some(p) = q.portal_id {
        add(&mut sql, " AND portal_id = ?", Val::Int(p));
    }
    if let Some(ids) = &q.portal_user_ids {
        let ids = &ids[..ids.len().min(AUDIT_PORTAL_USERS_MAX)];
        if ids.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(" AND portal_user_id IN (");
            for (i, id) in ids.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                add(&mut sql, "?", Val::Int(*id));
            }
            sql.push(')');
        }
    }
    if let Some(m) = &q.module {
        add(&mut sql, " AND module = ?", Val::from(m.as_str()));
    }
    if let Some(r) = q.record_id {
        add(&mut sql, " AND record_id = ?", Val::Int(r));
    }
    match &q.action {
        Some(ActionFilter::Exact(a)) => add(&mut sql, " AND action = ?", Val::from(a.as_str())),
        Some(ActionFilter::Prefix(p)) => add(
            &mut sql,
            " AND action LIKE ? ESCAPE '\\'",
            Val::from(prefix_pattern(p)),
        ),
        None => {}
    }
    if let Some(from) = q.from {
        add(&mut sql, " AND at >= ?", Val::Int(from));
    }
    if let Some(to) = q.to {
        add(&mut sql, " AND at < ?", Val::Int(to));
    }
    (sql, params)
}

impl Tx {
    /// Adds an entry with no portal, record or address of its own. A detail that names
    /// `portal_id` or `portal_user_id` (as the portal-account events do) fills those columns,
    /// so such entries are found by the same filters as the rest.
    pub async fn record_audit(
        &mut self,
        org: Id,
        actor: &str,
        action: &str,
        detail: &Value,
        now: Millis,
    ) -> StoreResult<()> {
        let entry = AuditInsert {
            actor,
            action,
            detail,
            portal_id: detail_id(detail, "portal_id"),
            portal_user_id: detail_id(detail, "portal_user_id"),
            module: None,
            record_id: None,
            ip: detail.get("ip").and_then(Value::as_str),
        };
        self.record_audit_entry(org, &entry, now).await
    }

    /// Adds an entry with its filterable columns: one INSERT. It must stay one statement:
    /// `Store::record_audit_entry` runs it without a transaction.
    pub async fn record_audit_entry(
        &mut self,
        org: Id,
        e: &AuditInsert<'_>,
        now: Millis,
    ) -> StoreResult<()> {
        let tx = &mut self.conn;
        tx.execute(
            "INSERT INTO audit_log (org_id, actor, action, detail, at, portal_id, portal_user_id, module, record_id, ip) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                Val::Int(org),
                Val::from(e.actor),
                Val::from(e.action),
                Val::Json(e.detail.clone()),
                Val::Int(now),
                Val::from(e.portal_id),
                Val::from(e.portal_user_id),
                Val::from(e.module),
                Val::from(e.record_id),
                Val::from(e.ip),
            ],
        )
        .await?;
        Ok(())
    }

    /// The newest audit entries of the org.
    pub async fn audit_log(&mut self, org: Id, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let c = &mut self.conn;
        c.query(
            &format!("SELECT {COLS} FROM audit_log WHERE org_id = $1 ORDER BY id DESC LIMIT $2"),
            &[Val::Int(org), Val::Int(limit.clamp(1, 1000))],
        )
        .await?
        .iter()
        .map(entry)
        .collect()
    }

    /// One page of the org's entries that pass `q`, newest first (keyset on the id).
    pub async fn list_audit(&mut self, org: Id, q: &AuditQuery) -> StoreResult<AuditPage> {
        let limit = q.limit.clamp(1, AUDIT_PAGE_MAX);
        let (mut sql, mut params) = filter(org, q);
        // Going back (`after`) reads upwards from the cursor, then turns the page round.
        let upwards = q.before.is_none() && q.after.is_some();
        let cursor = if upwards {
            q.after.map(|a| (" AND id > ", a, "ASC"))
        } else {
            q.before.map(|b| (" AND id < ", b, "DESC"))
        };
        let order = match cursor {
            Some((op, id, order)) => {
                params.push(Val::Int(id));
                sql.push_str(&format!("{op}${}", params.len()));
                order
            }
            None => "DESC",
        };
        params.push(Val::Int(limit + 1));
        let text = format!(
            "SELECT {COLS} FROM audit_log WHERE {sql} ORDER BY id {order} LIMIT ${}",
            params.len()
        );
        let mut items = self
            .conn
            .query(&text, &params)
            .await?
            .iter()
            .map(entry)
            .collect::<StoreResult<Vec<_>>>()?;
        let keep = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = items.len() > keep;
        items.truncate(keep);
        if upwards {
            items.reverse();
        }
        let first = items.first().map(|e| e.id);
        let last = items.last().map(|e| e.id);
        let (older, newer) = if upwards {
            (last, if more { first } else { None })
        } else {
            (if more { last } else { None }, q.before.and(first))
        };
        Ok(AuditPage {
            items,
            older,
            newer,
        })
    }

    /// How many of the org's entries pass `q` (the cursors and limit aside).
    pub async fn count_audit(&mut self, org: Id, q: &AuditQuery) -> StoreResult<i64> {
        let (sql, params) = filter(org, q);
        let rows = self
            .conn
            .query(
                &format!("SELECT COUNT(*) FROM audit_log WHERE {sql}"),
                &params,
            )
            .await?;
        rows.first().map_or(Ok(0), |r| r.int(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_escape_wildcards() {
        assert_eq!(prefix_pattern("portal.mfa."), "portal.mfa.%");
        assert_eq!(prefix_pattern("a%b_c\\"), "a\\%b\\_c\\\\%");
    }

    #[test]
    fn filters_number_their_parameters_in_order() {
        let q = AuditQuery {
            portal_id: Some(3),
            portal_user_ids: Some(vec![4, 5]),
            action: Some(ActionFilter::Prefix("portal.".into())),
            to: Some(9),
            ..Default::default()
        };
        let (sql, params) = filter(1, &q);
        assert_eq!(
            sql,
            "org_id = $1 AND portal_id = $2 AND portal_user_id IN ($3, $4) AND action LIKE $5 ESCAPE '\\' AND at < $6"
        );
        assert_eq!(params.len(), 6);
        let (none, _) = filter(
            1,
            &AuditQuery {
                portal_user_ids: Some(Vec::new()),
                ..Default::default()
            },
        );
        assert_eq!(none, "org_id = $1 AND 1 = 0");
    }
}
