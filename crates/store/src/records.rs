//! Records: create, read, version-checked update, recycle bin, keyset lists, lookup links.

use crate::error::{StoreError, StoreResult};
use crate::rows::*;
use crate::search::{self, Source};
use crate::sql::{Dialect, Executor, Val, placeholders};
use crate::store::Tx;
use crate::users::check_owner;
use portico_domain::field::LinkTarget;
use portico_domain::record::{Record, RecordState, SerializedRecord, ValidRecordData, search_key};
use portico_domain::{DomainError, FieldError, Id, Millis};
use serde_json::Value;

/// Which records a list returns. Pages run newest first; `after` is the last id of the previous
/// page (keyset pagination: page 1,000 costs what page 1 costs).
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    pub module_id: Option<Id>,
    /// Only records owned by this user.
    pub owner_id: Option<Id>,
    pub after: Option<Id>,
    pub limit: i64,
    /// Case-insensitive substring of the record's name or email.
    pub search: Option<String>,
    /// The recycle bin instead of live records.
    pub in_bin: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor for the next page, when there is one.
    pub next: Option<Id>,
}

/// What orders a [`Tx::record_page`]: newest first, by name, or by one field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordSort<'a> {
    Newest,
    Name,
    /// A field's API name (the caller checks the field may be seen); records without a value
    /// come last either way.
    Field(&'a str),
}

/// A sorted page of one module's live records with their total (the portal's lists).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordPageQuery<'a> {
    pub module_id: Id,
    /// Only the records linked to this record by one of these lookup fields.
    pub linked_to: Option<(Id, &'a [Id])>,
    /// Only the records this CRM user owns (a profile that sees only its own records).
    pub owned_by: Option<Id>,
    /// Case-insensitive substring of the record's name or email.
    pub search: Option<&'a str>,
    pub sort: RecordSort<'a>,
    pub descending: bool,
    pub offset: i64,
    pub limit: i64,
}

/// One page of a [`RecordPageQuery`] and how many records match in all.
#[derive(Debug, Clone, PartialEq)]
pub struct CountedPage {
    pub items: Vec<Record>,
    pub total: i64,
}

/// A live record's identity, owner and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    pub id: Id,
    pub module_id: Id,
    pub owner_id: Id,
    pub display_name: String,
}

/// Changes to a record beyond its data.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordMeta {
    pub owner_id: Option<Id>,
    pub state: Option<RecordState>,
    /// The version the change was based on; when set, a record now at another version is
    /// refused with [`StoreError::Stale`] and left as it is.
    pub expected_version: Option<i64>,
}

/// Checks that each lookup target is a live record of the right module in this org.
async fn check_links(c: &mut impl Executor, org: Id, links: &[LinkTarget]) -> StoreResult<()> {
    let mut errors: Vec<FieldError> = Vec::new();
    for link in links {
        let found = opt(
            c,
            "SELECT r.id FROM records r JOIN modules m ON m.id = r.module_id \
             WHERE r.org_id = $1 AND r.id = $2 AND m.api_name = $3 AND r.deleted_at IS NULL",
            &[
                Val::Int(org),
                Val::Int(link.target_id),
                Val::from(link.target_module.as_str()),
            ],
        )
        .await?;
        if found.is_none() && !errors.iter().any(|e| e.field == link.field) {
            errors.push(FieldError::new(
                link.field.as_str(),
                "invalid_lookup",
                format!(
                    "There is no {} record with id {}",
                    link.target_module, link.target_id
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(DomainError::Invalid(errors)))
    }
}

async fn write_links(
    c: &mut impl Executor,
    org: Id,
    record: Id,
    links: &[LinkTarget],
) -> StoreResult<()> {
    c.execute(
        "DELETE FROM record_links WHERE record_id = $1",
        &[Val::Int(record)],
    )
    .await?;
    for link in links {
        c.execute(
            "INSERT INTO record_links (org_id, target_id, field_id, record_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
            &[Val::Int(org), Val::Int(link.target_id), Val::Int(link.field_id), Val::Int(record)],
        )
        .await?;
    }
    Ok(())
}

async fn record_in(c: &mut impl Executor, org: Id, module_id: Id, id: Id) -> StoreResult<Record> {
    c.query_map(
        &format!("SELECT {RECORD_COLS} FROM records r WHERE r.org_id = $1 AND r.module_id = $2 AND r.id = $3"),
        &[Val::Int(org), Val::Int(module_id), Val::Int(id)],
        record_from,
    )
    .await?
    .pop()
    .ok_or(StoreError::NotFound)
}

/// Records of a query that asked for `limit + 1`: the extra one only says there is a next page.
fn page<D>(mut items: Vec<Record<D>>, limit: i64) -> StoreResult<Page<Record<D>>> {
    let more = items.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    if more {
        items.pop();
    }
    let next = if more {
        items.last().map(|r| r.id)
    } else {
        None
    };
    Ok(Page { items, next })
}

impl Tx {
    /// Creates a record after checking its owner and every lookup target, in one transaction.
    pub async fn create_record(
        &mut self,
        org: Id,
        module_id: Id,
        owner_id: Id,
        valid: &ValidRecordData,
        state: RecordState,
        now: Millis,
    ) -> StoreResult<Record> {
        let tx = &mut self.conn;
        check_owner(tx, org, owner_id).await?;
        check_links(tx, org, &valid.links).await?;
        let row = one(
            tx,
            "INSERT INTO records (org_id, module_id, owner_id, data, display_name, email, search, \
             approval_locked, in_review, gdpr_consent, created_at, updated_at) \
             SELECT $1, id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11 FROM modules \
             WHERE org_id = $1 AND id = $2 RETURNING id",
            &[
                Val::Int(org),
                Val::Int(module_id),
                Val::Int(owner_id),
                Val::Json(Value::Object(valid.data.clone())),
                Val::from(valid.display_name.as_str()),
                Val::from(valid.email.clone()),
                Val::from(valid.search.as_str()),
                Val::Bool(state.approval_locked),
                Val::Bool(state.in_review),
                Val::Bool(state.gdpr_consent),
                Val::Int(now),
            ],
        )
        .await?;
        let id = row.int(0)?;
        write_links(tx, org, id, &valid.links).await?;
        let record = record_in(tx, org, module_id, id).await?;
        Ok(record)
    }

    /// Fetches a record, live or in the recycle bin.
    pub async fn get_record(&mut self, org: Id, module_id: Id, id: Id) -> StoreResult<Record> {
        record_in(&mut self.conn, org, module_id, id).await
    }

    /// Replaces a live record's data (already merged and validated) and optionally its owner and
    /// state, raising its version by one.
    pub async fn update_record(
        &mut self,
        org: Id,
        module_id: Id,
        id: Id,
        valid: &ValidRecordData,
        meta: RecordMeta,
        now: Millis,
    ) -> StoreResult<Record> {
        let tx = &mut self.conn;
        let current = record_in(tx, org, module_id, id).await?;
        if current.deleted_at.is_some() {
            return Err(StoreError::NotFound);
        }
        let stale = StoreError::Stale {
            current_version: current.version,
        };
        if meta.expected_version.is_some_and(|v| v != current.version) {
            return Err(stale);
        }
        if let Some(owner) = meta.owner_id {
            check_owner(tx, org, owner).await?;
        }
        check_links(tx, org, &valid.links).await?;
        let state = meta.state.unwrap_or(current.state);
        // Compare-and-set on the version read above: a concurrent writer that committed in
        // between (PostgreSQL runs READ COMMITTED) makes this update touch no row.
        let n = tx.execute(
            "UPDATE records SET data = $3, display_name = $4, email = $5, search = $6, owner_id = $7, \
             approval_locked = $8, in_review = $9, gdpr_consent = $10, updated_at = $11, \
             version = version + 1 WHERE org_id = $1 AND id = $2 AND version = $12",
            &[
                Val::Int(org),
                Val::Int(id),
                Val::Json(Value::Object(valid.data.clone())),
                Val::from(valid.display_name.as_str()),
                Val::from(valid.email.clone()),
                Val::from(valid.search.as_str()),
                Val::Int(meta.owner_id.unwrap_or(current.owner_id)),
                Val::Bool(state.approval_locked),
                Val::Bool(state.in_review),
                Val::Bool(state.gdpr_consent),
                Val::Int(now.max(current.updated_at)),
                Val::Int(current.version),
            ],
        )
        .await?;
        if n == 0 {
            return Err(stale);
        }
        write_links(tx, org, id, &valid.links).await?;
        let record = record_in(tx, org, module_id, id).await?;
        Ok(record)
    }

    /// Moves a live record to the recycle bin.
    pub async fn delete_record(
        &mut self,
        org: Id,
        module_id: Id,
        id: Id,
        now: Millis,
    ) -> StoreResult<()> {
        self.set_deleted(org, module_id, id, Some(now)).await
    }

    /// Brings a record back from the recycle bin. Its lookups may point at records deleted
    /// meanwhile; they are kept, as the CRM shows them as missing rather than losing data.
    pub async fn restore_record(&mut self, org: Id, module_id: Id, id: Id) -> StoreResult<()> {
        self.set_deleted(org, module_id, id, None).await
    }

    async fn set_deleted(
        &mut self,
        org: Id,
        module_id: Id,
        id: Id,
        at: Option<Millis>,
    ) -> StoreResult<()> {
        let tx = &mut self.conn;
        let condition = if at.is_some() {
            "deleted_at IS NULL"
        } else {
            "deleted_at IS NOT NULL"
        };
        let n = tx
            .execute(
                &format!("UPDATE records SET deleted_at = $4 WHERE org_id = $1 AND module_id = $2 AND id = $3 AND {condition}"),
                &[Val::Int(org), Val::Int(module_id), Val::Int(id), Val::from(at)],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Deletes a record in the recycle bin for good, with its links in both directions.
    pub async fn purge_record(&mut self, org: Id, module_id: Id, id: Id) -> StoreResult<()> {
        let tx = &mut self.conn;
        let current = record_in(tx, org, module_id, id).await?;
        if current.deleted_at.is_none() {
            return Err(StoreError::Conflict(
                "Only records in the recycle bin can be purged".into(),
            ));
        }
        tx.execute(
            "DELETE FROM record_links WHERE org_id = $1 AND (record_id = $2 OR target_id = $2)",
            &[Val::Int(org), Val::Int(id)],
        )
        .await?;
        // A portal user keeps their account, without a personality record (they then reach
        // nothing), rather than pointing at an id that may be reused.
        tx.execute(
            "UPDATE portal_users SET record_id = NULL WHERE org_id = $1 AND record_id = $2",
            &[Val::Int(org), Val::Int(id)],
        )
        .await?;
        tx.execute(
            "DELETE FROM records WHERE org_id = $1 AND id = $2",
            &[Val::Int(org), Val::Int(id)],
        )
        .await?;
        Ok(())
    }

    /// A page of records, newest first, as `q` chooses.
    pub async fn list_records(&mut self, org: Id, q: &RecordQuery) -> StoreResult<Page<Record>> {
        self.list_page(org, q).await
    }

    /// [`Tx::list_records`] with each record's data as the JSON text it was stored as, for
    /// answers that pass it on without reading it.
    pub async fn list_serialized_records(
        &mut self,
        org: Id,
        q: &RecordQuery,
    ) -> StoreResult<Page<SerializedRecord>> {
        self.list_page(org, q).await
    }

    async fn list_page<D: RecordData>(
        &mut self,
        org: Id,
        q: &RecordQuery,
    ) -> StoreResult<Page<Record<D>>> {
        let source = Source::new(self.conn.dialect(), q.search.as_deref());
        if source.matches_nothing {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let mut sql = format!(
            "SELECT {RECORD_COLS} FROM {} WHERE r.org_id = $1",
            source.from
        );
        let mut params = vec![Val::Int(org)];
        let mut push = |clause: &str, value: Val, sql: &mut String| {
            params.push(value);
            sql.push_str(&clause.replace('?', &format!("${}", params.len())));
        };
        if let Some(module) = q.module_id {
            push(" AND r.module_id = ?", Val::Int(module), &mut sql);
        }
        sql.push_str(if q.in_bin {
            " AND r.deleted_at IS NOT NULL"
        } else {
            " AND r.deleted_at IS NULL"
        });
        if let Some(owner) = q.owner_id {
            push(" AND r.owner_id = ?", Val::Int(owner), &mut sql);
        }
        if let Some(after) = q.after {
            push(&format!(" AND {}", source.after), Val::Int(after), &mut sql);
        }
        for (clause, value) in source.filters {
            push(&format!(" AND {clause}"), value, &mut sql);
        }
        let limit = q.limit.clamp(1, 500);
        let order = format!(" ORDER BY {} LIMIT ?", source.order);
        push(&order, Val::Int(limit + 1), &mut sql);
        let items = self.conn.query_map(&sql, &params, record_from).await?;
        page(items, limit)
    }

    /// Live records whose lookup fields `field_ids` point at `target_id`, optionally only those
    /// whose name or email contains `search`: one indexed query.
    pub async fn linked_records(
        &mut self,
        org: Id,
        target_id: Id,
        field_ids: &[Id],
        after: Option<Id>,
        limit: i64,
        search: Option<&str>,
    ) -> StoreResult<Page<Record>> {
        if field_ids.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let limit = limit.clamp(1, 500);
        let mut params = vec![
            Val::Int(org),
            Val::Int(target_id),
            Val::Int(after.unwrap_or(i64::MAX)),
            Val::Int(limit + 1),
        ];
        params.extend(field_ids.iter().map(|f| Val::Int(*f)));
        let mut filter = String::new();
        if let Some(key) = search.and_then(search_key) {
            // The links narrowed the rows already; a substring test on each is enough.
            if key.contains('\0') {
                return Ok(Page {
                    items: Vec::new(),
                    next: None,
                });
            }
            let (clause, value) = search::substring(self.conn.dialect(), key);
            params.push(value);
            filter = format!(
                " AND {}",
                clause.replace('?', &format!("${}", params.len()))
            );
        }
        let sql = format!(
            "SELECT {RECORD_COLS} FROM records r WHERE r.org_id = $1 AND r.deleted_at IS NULL AND r.id < $3 \
             AND r.id IN (SELECT l.record_id FROM record_links l WHERE l.org_id = $1 AND l.target_id = $2 \
             AND l.field_id IN ({})){filter} ORDER BY r.id DESC LIMIT $4",
            placeholders(4, field_ids.len())
        );
        let items = self.conn.query_map(&sql, &params, record_from).await?;
        page(items, limit)
    }

    /// A sorted page of a module's live records, optionally only those linked to a record,
    /// with the number of matching records: one statement (the total rides on each row as a
    /// window count; a page past the end asks for the count alone).
    pub async fn record_page(
        &mut self,
        org: Id,
        q: &RecordPageQuery<'_>,
    ) -> StoreResult<CountedPage> {
        let empty = CountedPage {
            items: Vec::new(),
            total: 0,
        };
        let dialect = self.conn.dialect();
        let mut params = vec![Val::Int(org), Val::Int(q.module_id)];
        let mut filter = String::new();
        if let Some((target, fields)) = q.linked_to {
            if fields.is_empty() {
                return Ok(empty);
            }
            params.push(Val::Int(target));
            let target_at = params.len();
            let first = params.len();
            params.extend(fields.iter().map(|f| Val::Int(*f)));
            filter.push_str(&format!(
                " AND r.id IN (SELECT l.record_id FROM record_links l WHERE l.org_id = $1 \
                 AND l.target_id = ${target_at} AND l.field_id IN ({}))",
                placeholders(first, fields.len())
            ));
        }
        if let Some(owner) = q.owned_by {
            params.push(Val::Int(owner));
            filter.push_str(&format!(" AND r.owner_id = ${}", params.len()));
        }
        if let Some(key) = q.search.and_then(search_key) {
            if key.contains('\0') {
                return Ok(empty);
            }
            let (clause, value) = search::substring(dialect, key);
            params.push(value);
            filter.push_str(&format!(
                " AND {}",
                clause.replace('?', &format!("${}", params.len()))
            ));
        }
        let direction = if q.descending { "DESC" } else { "ASC" };
        let order = match q.sort {
            RecordSort::Newest => format!("r.id {direction}"),
            RecordSort::Name => format!("lower(r.display_name) {direction}, r.id DESC"),
            RecordSort::Field(name) => {
                let key = match dialect {
                    Dialect::Sqlite => {
                        params.push(Val::Text(format!("$.\"{}\"", name.replace('"', ""))));
                        format!("json_extract(r.data, ${})", params.len())
                    }
                    Dialect::Postgres => {
                        params.push(Val::from(name));
                        format!("(r.data -> (${}::text))", params.len())
                    }
                };
                format!("{key} {direction} NULLS LAST, r.id DESC")
            }
        };
        let limit = q.limit.clamp(1, 500);
        let offset = q.offset.max(0);
        params.push(Val::Int(limit));
        params.push(Val::Int(offset));
        let n = params.len();
        let sql = format!(
            "SELECT {RECORD_COLS}, COUNT(*) OVER () FROM records r WHERE r.org_id = $1 \
             AND r.module_id = $2 AND r.deleted_at IS NULL{filter} ORDER BY {order} \
             LIMIT ${} OFFSET ${n}",
            n - 1
        );
        let rows = self
            .conn
            .query_map(&sql, &params, |r| {
                // The window count follows the record's 14 columns.
                let record: Record = record_from(r)?;
                Ok((record, r.int(14)?))
            })
            .await?;
        if let Some((_, total)) = rows.first() {
            let total = *total;
            return Ok(CountedPage {
                items: rows.into_iter().map(|(r, _)| r).collect(),
                total,
            });
        }
        if offset == 0 {
            return Ok(empty);
        }
        // Past the end: the count alone, with the same conditions.
        params.truncate(n - 2);
        if matches!(q.sort, RecordSort::Field(_)) {
            params.pop();
        }
        let sql = format!(
            "SELECT COUNT(*) FROM records r WHERE r.org_id = $1 AND r.module_id = $2 \
             AND r.deleted_at IS NULL{filter}"
        );
        let total = match self.conn.query(&sql, &params).await?.first() {
            Some(row) => row.int(0)?,
            None => 0,
        };
        Ok(CountedPage {
            items: Vec::new(),
            total,
        })
    }

    /// Whether the live record `record_id` points at `target_id` through one of the lookup
    /// fields `field_ids`: one indexed query.
    pub async fn is_linked(
        &mut self,
        org: Id,
        record_id: Id,
        target_id: Id,
        field_ids: &[Id],
    ) -> StoreResult<bool> {
        if field_ids.is_empty() {
            return Ok(false);
        }
        let mut params = vec![Val::Int(org), Val::Int(record_id), Val::Int(target_id)];
        params.extend(field_ids.iter().map(|f| Val::Int(*f)));
        let sql = format!(
            "SELECT 1 FROM record_links l JOIN records r ON r.id = l.record_id \
             WHERE l.org_id = $1 AND l.record_id = $2 AND l.target_id = $3 AND r.deleted_at IS NULL \
             AND l.field_id IN ({}) LIMIT 1",
            placeholders(3, field_ids.len())
        );
        Ok(!self.conn.query(&sql, &params).await?.is_empty())
    }

    /// Who owns the given live records of this org, their module and name: what a caller needs
    /// to decide whether it may show or link to them.
    pub async fn record_refs(&mut self, org: Id, ids: &[Id]) -> StoreResult<Vec<RecordRef>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = vec![Val::Int(org)];
        params.extend(ids.iter().map(|i| Val::Int(*i)));
        let sql = format!(
            "SELECT id, module_id, owner_id, display_name FROM records \
             WHERE org_id = $1 AND deleted_at IS NULL AND id IN ({})",
            placeholders(1, ids.len())
        );
        self.conn
            .query(&sql, &params)
            .await?
            .iter()
            .map(|r| {
                Ok(RecordRef {
                    id: r.int(0)?,
                    module_id: r.int(1)?,
                    owner_id: r.int(2)?,
                    display_name: r.text(3)?,
                })
            })
            .collect()
    }

    /// [`Tx::record_refs`] of the distinct `ids`, each with whether it points at `target`
    /// through one of the lookup fields `field_ids` (as [`Tx::is_linked`] answers): what a
    /// portal scope needs to name lookup targets, in one statement whatever the number of ids.
    pub async fn record_refs_linked(
        &mut self,
        org: Id,
        ids: &[Id],
        target: Option<Id>,
        field_ids: &[Id],
    ) -> StoreResult<Vec<(RecordRef, bool)>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = vec![Val::Int(org)];
        let linked = match target {
            Some(target) if !field_ids.is_empty() => {
                params.push(Val::Int(target));
                let first = params.len();
                params.extend(field_ids.iter().map(|f| Val::Int(*f)));
                format!(
                    "EXISTS (SELECT 1 FROM record_links l WHERE l.org_id = $1 AND l.record_id = r.id \
                     AND l.target_id = $2 AND l.field_id IN ({}))",
                    placeholders(first, field_ids.len())
                )
            }
            _ => "1 = 0".to_string(),
        };
        let first = params.len();
        params.extend(ids.iter().map(|i| Val::Int(*i)));
        let sql = format!(
            "SELECT r.id, r.module_id, r.owner_id, r.display_name, {linked} FROM records r \
             WHERE r.org_id = $1 AND r.deleted_at IS NULL AND r.id IN ({})",
            placeholders(first, ids.len())
        );
        self.conn
            .query(&sql, &params)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    RecordRef {
                        id: r.int(0)?,
                        module_id: r.int(1)?,
                        owner_id: r.int(2)?,
                        display_name: r.text(3)?,
                    },
                    r.bool(4)?,
                ))
            })
            .collect()
    }

    /// Live records of a module, optionally only those `owner` owns.
    pub async fn count_records(
        &mut self,
        org: Id,
        module_id: Id,
        owner: Option<Id>,
    ) -> StoreResult<i64> {
        let c = &mut self.conn;
        let mut sql = "SELECT COUNT(*) FROM records WHERE org_id = $1 AND module_id = $2 AND deleted_at IS NULL".to_string();
        let mut params = vec![Val::Int(org), Val::Int(module_id)];
        if let Some(owner) = owner {
            sql.push_str(" AND owner_id = $3");
            params.push(Val::Int(owner));
        }
        one(c, &sql, &params).await?.int(0)
    }

    /// The oldest live record of `module_id` whose email is `email` (any letter case), for
    /// sign-ups: with `not_user_of`, one that is not already a user of that portal. Served by
    /// the `records_email` index (migration 14).
    pub async fn live_record_by_email(
        &mut self,
        org: Id,
        module_id: Id,
        email: &str,
        not_user_of: Option<Id>,
    ) -> StoreResult<Option<Record>> {
        let mut sql = format!(
            "SELECT {RECORD_COLS} FROM records r WHERE r.org_id = $1 AND r.module_id = $2 \
             AND r.email IS NOT NULL AND lower(r.email) = $3 AND r.deleted_at IS NULL"
        );
        let mut params = vec![
            Val::Int(org),
            Val::Int(module_id),
            Val::from(portico_domain::portal_user::email_key(email)),
        ];
        if let Some(portal) = not_user_of {
            sql.push_str(
                " AND NOT EXISTS (SELECT 1 FROM portal_users u WHERE u.org_id = $1 \
                 AND u.portal_id = $4 AND u.record_id = r.id)",
            );
            params.push(Val::Int(portal));
        }
        sql.push_str(" ORDER BY r.id LIMIT 1");
        Ok(self.conn.query_map(&sql, &params, record_from).await?.pop())
    }
}
