//! The audit log: every admin change, preview and seat grant leaves a row, written in the same
//! transaction as the change it records; so does every portal user's read and write of a
//! record, through the enforcement point ([`PortalAudit`], used by
//! [`crate::scoped_records::ScopedRecords`]). Administrators search the log by portal, portal
//! user, record, action and time ([`search`]).

use crate::{Context, Result, require_admin};
use portico_domain::access::CrmActor;
use portico_domain::{Id, Millis};
use portico_store::{
    AUDIT_PAGE_MAX, AUDIT_PORTAL_USERS_MAX, ActionFilter, AuditEntry, AuditInsert, AuditPage,
    AuditQuery, Tx,
};
use serde_json::{Value, json};

/// An audit page when the caller names no size.
pub const PAGE_DEFAULT: i64 = 50;
/// The most entries one page answers.
pub const PAGE_MAX: i64 = AUDIT_PAGE_MAX;
/// The most record ids one list entry names (a portal list page holds at most this many).
pub const LISTED_IDS_MAX: usize = 200;
/// The most characters of a portal list's search text an entry keeps.
pub const SEARCH_TEXT_MAX: usize = 100;

/// The actions of a portal user's record reads and writes (all start with `portal.record.`).
pub const PORTAL_RECORD_LIST: &str = "portal.record.list";
pub const PORTAL_RECORD_VIEW: &str = "portal.record.view";
pub const PORTAL_RECORD_CREATE: &str = "portal.record.create";
pub const PORTAL_RECORD_UPDATE: &str = "portal.record.update";
pub const PORTAL_RECORD_DELETE: &str = "portal.record.delete";

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

// ---- the audit of a portal user's reads and writes ----

/// Who a portal user's scope acts for, as its audit entries name them: the actor
/// `portal:{email}` (as the account events write it), the portal, the portal user and the
/// request's address.
pub(crate) struct PortalAudit<'a> {
    ctx: &'a Context,
    org: Id,
    actor: String,
    portal_id: Id,
    portal_user_id: Id,
    ip: Option<String>,
}

impl<'a> PortalAudit<'a> {
    pub(crate) fn new(ctx: &'a Context, me: &crate::portal_accounts::PortalSignedIn) -> Self {
        Self {
            ctx,
            org: me.user.org_id,
            actor: format!("portal:{}", me.user.email),
            portal_id: me.portal.id,
            portal_user_id: me.user.id,
            ip: me.ip.clone(),
        }
    }

    pub(crate) fn now(&self) -> Millis {
        self.ctx.now()
    }

    fn entry<'e>(
        &'e self,
        action: &'e str,
        module: &'e str,
        record: Option<Id>,
        detail: &'e Value,
    ) -> AuditInsert<'e> {
        AuditInsert {
            actor: &self.actor,
            action,
            detail,
            portal_id: Some(self.portal_id),
            portal_user_id: Some(self.portal_user_id),
            module: Some(module),
            record_id: record,
            ip: self.ip.as_deref(),
        }
    }

    /// A write's entry, inside the write's transaction.
    pub(crate) async fn write(
        &self,
        tx: &mut Tx,
        action: &str,
        module: &str,
        record: Id,
        detail: Value,
    ) -> Result<()> {
        let entry = self.entry(action, module, Some(record), &detail);
        Ok(tx.record_audit_entry(self.org, &entry, self.now()).await?)
    }

    /// A read's entry: one INSERT of its own after the read. It fails closed: when the entry
    /// cannot be written the read answers the error, so nothing is shown unaudited.
    pub(crate) async fn read(
        &self,
        action: &str,
        module: &str,
        record: Option<Id>,
        detail: Value,
    ) -> Result<()> {
        let entry = self.entry(action, module, record, &detail);
        Ok(self
            .ctx
            .store()
            .record_audit_entry(self.org, &entry, self.now())
            .await?)
    }
}

/// The detail of a list read: the ids shown (at most [`LISTED_IDS_MAX`]), the search text
/// (cut to [`SEARCH_TEXT_MAX`] characters) and the page cursor.
pub(crate) fn list_detail(ids: &[Id], search: Option<&str>, after: Option<Id>) -> Value {
    let shown = &ids[..ids.len().min(LISTED_IDS_MAX)];
    let mut detail = json!({"ids": shown, "count": ids.len()});
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        detail["search"] = Value::from(s.chars().take(SEARCH_TEXT_MAX).collect::<String>());
    }
    if let Some(a) = after {
        detail["after"] = Value::from(a);
    }
    detail
}

/// The names of the fields whose values differ between `before` and `after` (never the values).
pub(crate) fn changed_fields(
    before: &serde_json::Map<String, Value>,
    after: &serde_json::Map<String, Value>,
) -> Vec<String> {
    let mut names: Vec<String> = after
        .iter()
        .filter(|(k, v)| before.get(k.as_str()) != Some(v))
        .map(|(k, _)| k.clone())
        .chain(
            before
                .keys()
                .filter(|k| !after.contains_key(k.as_str()))
                .cloned(),
        )
        .collect();
    names.sort();
    names.dedup();
    names
}

// ---- searching the log ----

/// Whose entries: a portal user's id, or an address (the portal users who have it now — in
/// the chosen portal, or in any portal of the org).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortalUserFilter {
    Id(Id),
    Email(String),
}

/// The administrator's filters of the audit log; each that is set must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub portal: Option<Id>,
    pub portal_user: Option<PortalUserFilter>,
    pub module: Option<String>,
    pub record: Option<Id>,
    pub action: Option<ActionFilter>,
    /// Entries at or after this instant…
    pub from: Option<Millis>,
    /// …and before this one.
    pub to: Option<Millis>,
    /// Keyset cursors: the page older than `before`, or newer than `after`.
    pub before: Option<Id>,
    pub after: Option<Id>,
    pub limit: Option<i64>,
}

/// One page of matching entries, newest first, with how many match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSearch {
    pub page: AuditPage,
    pub total: i64,
}

/// The org's entries that pass `filter` (administrators only). An address that is no portal
/// user's matches nothing; another org's entries never appear.
pub async fn search(ctx: &Context, actor: &CrmActor, filter: &AuditFilter) -> Result<AuditSearch> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let mut reader = ctx.store().reader().await?;
    let portal_user_ids = match &filter.portal_user {
        None => None,
        Some(PortalUserFilter::Id(id)) => Some(vec![*id]),
        Some(PortalUserFilter::Email(email)) => {
            let portals = match filter.portal {
                Some(p) => vec![p],
                None => reader
                    .list_portals(org)
                    .await?
                    .iter()
                    .map(|p| p.id)
                    .collect(),
            };
            let mut ids = Vec::new();
            for p in portals.into_iter().take(AUDIT_PORTAL_USERS_MAX) {
                if let Some(u) = reader.portal_user_by_email(org, p, email).await? {
                    ids.push(u.id);
                }
            }
            Some(ids)
        }
    };
    let q = AuditQuery {
        portal_id: filter.portal,
        portal_user_ids,
        module: filter.module.clone(),
        record_id: filter.record,
        action: filter.action.clone(),
        from: filter.from,
        to: filter.to,
        before: filter.before,
        after: filter.after,
        limit: filter.limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX),
    };
    let page = reader.list_audit(org, &q).await?;
    let total = reader.count_audit(org, &q).await?;
    Ok(AuditSearch { page, total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_details_are_bounded() {
        let ids: Vec<Id> = (1..=500).collect();
        let long = "x".repeat(1000);
        let d = list_detail(&ids, Some(&long), Some(7));
        assert_eq!(d["ids"].as_array().map(Vec::len), Some(LISTED_IDS_MAX));
        assert_eq!(d["count"], 500);
        assert_eq!(
            d["search"].as_str().map(|s| s.chars().count()),
            Some(SEARCH_TEXT_MAX)
        );
        assert_eq!(d["after"], 7);
        assert_eq!(
            list_detail(&[], Some("  "), None),
            json!({"ids": [], "count": 0})
        );
    }

    #[test]
    fn changed_fields_name_fields_not_values() {
        let before = json!({"a": 1, "b": "x", "gone": true});
        let after = json!({"a": 1, "b": "y", "new": null});
        let (Value::Object(before), Value::Object(after)) = (before, after) else {
            unreachable!()
        };
        assert_eq!(changed_fields(&before, &after), ["b", "gone", "new"]);
    }
}
