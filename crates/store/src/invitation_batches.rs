//! Bulk invitations: a batch is a list of records to invite to one user type of a portal, kept
//! as one row per record (`invitation_batch_items`, in the order given) with its outcome, and
//! counters on the batch. Workers on any instance run batches:
//!
//! - [`Tx::claim_invitation_batch`] takes a running batch whose lease ran out, and leases it —
//!   on PostgreSQL the pick skips a batch another claim has locked (`FOR UPDATE SKIP LOCKED`),
//!   on SQLite the one writer claims alone — so two workers never run one batch at once.
//! - Each chunk of items is done in one transaction with its invitations:
//!   [`Tx::next_batch_items`] reads the first pending items (locking them on PostgreSQL), the
//!   invitations are written, and [`Tx::record_batch_item`] writes each outcome and bumps the
//!   counters — only while the item is still pending, so an item is done at most once even by
//!   a worker whose lease ran out. A worker killed mid-chunk leaves the whole chunk pending.
//! - [`Tx::finish_invitation_batch`] marks the batch done once no item is pending.
//!
//! The candidates for an invitation — live records of a module with a valid address that are
//! not users of the portal yet — are listed by [`Tx::invitation_candidates`] (keyset pages) and
//! selected all at once by [`Tx::invitation_candidate_ids`].

use crate::error::{StoreError, StoreResult};
use crate::records::Page;
use crate::rows::{one, opt};
use crate::search::Source;
use crate::sql::{Dialect, Executor, Row, Val};
use crate::store::Tx;
use portico_domain::{Id, Millis};

/// Where a batch stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BatchState {
    /// Items are pending; a worker runs it (or will, once its lease is free).
    Running,
    /// Every item has its outcome.
    Done,
}

impl BatchState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Done => "done",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Running, Self::Done]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A bulk invitation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationBatch {
    pub id: Id,
    pub org_id: Id,
    pub portal_id: Id,
    pub user_type_id: Id,
    /// The CRM user who sent it: every invitation is theirs (permissions, audit, owner).
    pub created_by: Id,
    pub language: Option<String>,
    pub state: BatchState,
    pub total: i64,
    pub sent: i64,
    pub failed: i64,
    /// A worker holds the batch until then; 0 when nobody does.
    pub lease_until: Millis,
    pub created_at: Millis,
    pub finished_at: Option<Millis>,
}

/// What a new batch is: the records are given to [`Tx::create_invitation_batch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitationBatch {
    pub portal_id: Id,
    pub user_type_id: Id,
    pub created_by: Id,
    pub language: Option<String>,
}

/// One record of a batch: its place in the batch and, once done, its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchItem {
    pub position: i64,
    pub record_id: Id,
    /// `None` while pending; `Ok` when sent; `Err((code, message))` when it failed.
    pub outcome: Option<Result<(), (String, String)>>,
}

/// A record that may be invited: its id, name and address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationCandidate {
    pub id: Id,
    pub name: String,
    pub email: String,
}

/// Which candidates to list: live records of `module_id` not yet users of the portal, with an
/// address of the invitable characters only, newest first.
#[derive(Debug, Clone, Default)]
pub struct CandidateQuery {
    pub module_id: Id,
    /// Only records owned by this user (a CRM user who reaches only their own records).
    pub owner_id: Option<Id>,
    /// Case-insensitive substring of the record's name or email (as record lists search).
    pub search: Option<String>,
    pub after: Option<Id>,
    pub limit: i64,
}

const BATCH_COLS: &str = "id, org_id, portal_id, user_type_id, created_by, language, state, \
     total, sent, failed, lease_until, created_at, finished_at";

/// Items written per `INSERT` statement.
const INSERT_CHUNK: usize = 500;
/// The most items one read of pending items takes.
const ITEMS_MAX: i64 = 500;

fn batch_from(r: &Row) -> StoreResult<InvitationBatch> {
    let state = r.text(6)?;
    Ok(InvitationBatch {
        id: r.int(0)?,
        org_id: r.int(1)?,
        portal_id: r.int(2)?,
        user_type_id: r.int(3)?,
        created_by: r.int(4)?,
        language: r.opt_text(5)?,
        state: BatchState::parse(&state)
            .ok_or_else(|| StoreError::Backend(format!("unknown batch state {state:?}")))?,
        total: r.int(7)?,
        sent: r.int(8)?,
        failed: r.int(9)?,
        lease_until: r.int(10)?,
        created_at: r.int(11)?,
        finished_at: r.opt_int(12)?,
    })
}

fn item_from(r: &Row) -> StoreResult<BatchItem> {
    let state = r.text(2)?;
    let outcome = match state.as_str() {
        "pending" => None,
        "sent" => Some(Ok(())),
        "failed" => Some(Err((
            r.opt_text(3)?.unwrap_or_default(),
            r.opt_text(4)?.unwrap_or_default(),
        ))),
        other => {
            return Err(StoreError::Backend(format!(
                "unknown batch item state {other:?}"
            )));
        }
    };
    Ok(BatchItem {
        position: r.int(0)?,
        record_id: r.int(1)?,
        outcome,
    })
}

/// A page of `items` fetched with `limit + 1` rows: the extra row says there is a next page,
/// whose cursor is `key` of the page's last item.
fn paged<T>(mut items: Vec<T>, limit: i64, key: impl Fn(&T) -> i64) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(key)
    } else {
        None
    };
    Page { items, next }
}

/// The condition "the address holds only `A-Z a-z 0-9 @ . - _ +`" on `r.email`.
fn invitable_email(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "r.email NOT GLOB '*[^A-Za-z0-9@._+-]*'",
        Dialect::Postgres => "r.email !~ '[^A-Za-z0-9@._+-]'",
    }
}

impl Tx {
    /// Creates a batch of `records` (in that order) for the org's portal and user type, every
    /// item pending, leased until `lease_until` (0: free for any worker at once). Another
    /// org's portal or user type answers `NotFound`.
    pub async fn create_invitation_batch(
        &mut self,
        org: Id,
        new: &NewInvitationBatch,
        records: &[Id],
        lease_until: Millis,
        now: Millis,
    ) -> StoreResult<InvitationBatch> {
        let c = &mut self.conn;
        let total = i64::try_from(records.len())
            .map_err(|_| StoreError::Backend("too many records".into()))?;
        let row = opt(
            c,
            &format!(
                "INSERT INTO invitation_batches (org_id, portal_id, user_type_id, created_by, \
                 language, state, total, sent, failed, lease_until, created_at) \
                 SELECT t.org_id, t.portal_id, t.id, u.id, $5, 'running', $6, 0, 0, $7, $8 \
                 FROM portal_user_types t JOIN portals p ON p.id = t.portal_id AND p.org_id = t.org_id \
                 JOIN users u ON u.org_id = t.org_id AND u.id = $4 \
                 WHERE t.org_id = $1 AND t.portal_id = $2 AND t.id = $3 RETURNING {BATCH_COLS}"
            ),
            &[
                Val::Int(org),
                Val::Int(new.portal_id),
                Val::Int(new.user_type_id),
                Val::Int(new.created_by),
                Val::from(new.language.clone()),
                Val::Int(total),
                Val::Int(lease_until),
                Val::Int(now),
            ],
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        let batch = batch_from(&row)?;
        for (chunk_no, chunk) in records.chunks(INSERT_CHUNK).enumerate() {
            let first = chunk_no * INSERT_CHUNK;
            let mut params = Vec::with_capacity(1 + chunk.len() * 2);
            params.push(Val::Int(batch.id));
            let mut values = Vec::with_capacity(chunk.len());
            for (i, record) in chunk.iter().enumerate() {
                let position = i64::try_from(first + i)
                    .map_err(|_| StoreError::Backend("too many records".into()))?;
                params.push(Val::Int(position));
                params.push(Val::Int(*record));
                values.push(format!(
                    "($1, ${}, ${}, 'pending')",
                    params.len() - 1,
                    params.len()
                ));
            }
            c.execute(
                &format!(
                    "INSERT INTO invitation_batch_items (batch_id, position, record_id, state) \
                     VALUES {}",
                    values.join(", ")
                ),
                &params,
            )
            .await?;
        }
        Ok(batch)
    }

    /// One of the org's batches of the portal; another org's (or portal's) is `NotFound`.
    pub async fn get_invitation_batch(
        &mut self,
        org: Id,
        portal: Id,
        id: Id,
    ) -> StoreResult<InvitationBatch> {
        let row = one(
            &mut self.conn,
            &format!(
                "SELECT {BATCH_COLS} FROM invitation_batches \
                 WHERE org_id = $1 AND portal_id = $2 AND id = $3"
            ),
            &[Val::Int(org), Val::Int(portal), Val::Int(id)],
        )
        .await?;
        batch_from(&row)
    }

    /// A page of the portal's batches, newest first.
    pub async fn list_invitation_batches(
        &mut self,
        org: Id,
        portal: Id,
        after: Option<Id>,
        limit: i64,
    ) -> StoreResult<Page<InvitationBatch>> {
        let limit = limit.clamp(1, 200);
        let items = self
            .conn
            .query(
                &format!(
                    "SELECT {BATCH_COLS} FROM invitation_batches \
                     WHERE org_id = $1 AND portal_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4"
                ),
                &[
                    Val::Int(org),
                    Val::Int(portal),
                    Val::Int(after.unwrap_or(i64::MAX)),
                    Val::Int(limit + 1),
                ],
            )
            .await?
            .iter()
            .map(batch_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(paged(items, limit, |b| b.id))
    }

    /// A page of a batch's failed items in batch order, after position `after`; `next` is the
    /// last position of the page when there are more.
    pub async fn failed_batch_items(
        &mut self,
        org: Id,
        portal: Id,
        batch: Id,
        after: Option<i64>,
        limit: i64,
    ) -> StoreResult<Page<BatchItem>> {
        let limit = limit.clamp(1, 1_000);
        let items = self
            .conn
            .query(
                "SELECT i.position, i.record_id, i.state, i.code, i.message \
                 FROM invitation_batch_items i JOIN invitation_batches b ON b.id = i.batch_id \
                 WHERE b.org_id = $1 AND b.portal_id = $2 AND b.id = $3 AND i.batch_id = $3 \
                 AND i.state = 'failed' AND i.position > $4 ORDER BY i.position LIMIT $5",
                &[
                    Val::Int(org),
                    Val::Int(portal),
                    Val::Int(batch),
                    Val::Int(after.unwrap_or(-1)),
                    Val::Int(limit + 1),
                ],
            )
            .await?
            .iter()
            .map(item_from)
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(paged(items, limit, |i| i.position))
    }

    /// Takes a running batch for one worker until `lease_until`: the oldest whose lease ran
    /// out by `now` (with `only`, that batch or none). Several workers claiming at once never
    /// take the same batch: on PostgreSQL the pick skips a batch another claim has locked, and
    /// the lease is written in the same statement; SQLite has one writer. Acts for every org
    /// (the worker serves the instance).
    pub async fn claim_invitation_batch(
        &mut self,
        only: Option<Id>,
        lease_until: Millis,
        now: Millis,
    ) -> StoreResult<Option<InvitationBatch>> {
        let skip_locked = match self.conn.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        };
        let (filter, mut params) = match only {
            Some(id) => (" AND id = $3", vec![Val::Int(id)]),
            None => ("", Vec::new()),
        };
        params.splice(0..0, [Val::Int(now), Val::Int(lease_until)]);
        let row = opt(
            &mut self.conn,
            &format!(
                "UPDATE invitation_batches SET lease_until = $2 WHERE id = (\
                 SELECT id FROM invitation_batches WHERE state = 'running' AND lease_until <= $1{filter} \
                 ORDER BY lease_until, id LIMIT 1{skip_locked}) RETURNING {BATCH_COLS}"
            ),
            &params,
        )
        .await?;
        row.as_ref().map(batch_from).transpose()
    }

    /// Extends the lease of a batch this worker holds (it held it until `held_until`). Answers
    /// false when the lease is no longer this worker's: it ran out and another worker took it.
    pub async fn extend_invitation_batch_lease(
        &mut self,
        batch: Id,
        held_until: Millis,
        lease_until: Millis,
    ) -> StoreResult<bool> {
        let n = self
            .conn
            .execute(
                "UPDATE invitation_batches SET lease_until = $3 \
                 WHERE id = $1 AND lease_until = $2 AND state = 'running'",
                &[Val::Int(batch), Val::Int(held_until), Val::Int(lease_until)],
            )
            .await?;
        Ok(n == 1)
    }

    /// The first `limit` pending items of a batch, in batch order. On PostgreSQL they stay
    /// locked until the transaction ends, so another worker's transaction reading them waits
    /// and then finds them done.
    pub async fn next_batch_items(&mut self, batch: Id, limit: i64) -> StoreResult<Vec<BatchItem>> {
        let lock = match self.conn.dialect() {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        };
        self.conn
            .query(
                &format!(
                    "SELECT position, record_id, state, code, message FROM invitation_batch_items \
                     WHERE batch_id = $1 AND state = 'pending' ORDER BY position LIMIT $2{lock}"
                ),
                &[Val::Int(batch), Val::Int(limit.clamp(1, ITEMS_MAX))],
            )
            .await?
            .iter()
            .map(item_from)
            .collect()
    }

    /// Writes a pending item's outcome (`Ok` sent, `Err((code, message))` failed) and counts
    /// it on the batch. Answers false, and changes nothing, when the item is not pending:
    /// another worker did it — the caller must then roll back what it wrote for it.
    pub async fn record_batch_item(
        &mut self,
        batch: Id,
        position: i64,
        outcome: Result<(), (&str, &str)>,
    ) -> StoreResult<bool> {
        let (state, code, message, counter) = match outcome {
            Ok(()) => ("sent", None, None, "sent"),
            Err((code, message)) => ("failed", Some(code), Some(message), "failed"),
        };
        let n = self
            .conn
            .execute(
                "UPDATE invitation_batch_items SET state = $3, code = $4, message = $5 \
                 WHERE batch_id = $1 AND position = $2 AND state = 'pending'",
                &[
                    Val::Int(batch),
                    Val::Int(position),
                    Val::from(state),
                    Val::from(code),
                    Val::from(message),
                ],
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        self.conn
            .execute(
                &format!("UPDATE invitation_batches SET {counter} = {counter} + 1 WHERE id = $1"),
                &[Val::Int(batch)],
            )
            .await?;
        Ok(true)
    }

    /// Marks the batch done when no item is pending, and frees its lease. Answers the batch
    /// as it is now (done or still running).
    pub async fn finish_invitation_batch(
        &mut self,
        batch: Id,
        now: Millis,
    ) -> StoreResult<InvitationBatch> {
        self.conn
            .execute(
                "UPDATE invitation_batches SET state = 'done', finished_at = $2, lease_until = 0 \
                 WHERE id = $1 AND state = 'running' AND NOT EXISTS (\
                 SELECT 1 FROM invitation_batch_items WHERE batch_id = $1 AND state = 'pending')",
                &[Val::Int(batch), Val::Int(now)],
            )
            .await?;
        let row = one(
            &mut self.conn,
            &format!("SELECT {BATCH_COLS} FROM invitation_batches WHERE id = $1"),
            &[Val::Int(batch)],
        )
        .await?;
        batch_from(&row)
    }

    /// A page of the records that may be invited to the portal (see [`CandidateQuery`]).
    pub async fn invitation_candidates(
        &mut self,
        org: Id,
        portal: Id,
        q: &CandidateQuery,
    ) -> StoreResult<Page<InvitationCandidate>> {
        let limit = q.limit.clamp(1, 500);
        let Some((sql, params)) = candidate_sql(
            self.conn.dialect(),
            org,
            portal,
            q,
            "r.id, r.display_name, r.email",
            limit + 1,
        ) else {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        };
        let items = self
            .conn
            .query(&sql, &params)
            .await?
            .iter()
            .map(|r| {
                Ok(InvitationCandidate {
                    id: r.int(0)?,
                    name: r.text(1)?,
                    email: r.opt_text(2)?.unwrap_or_default(),
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(paged(items, limit, |c| c.id))
    }

    /// The ids of every candidate `q` matches (its cursor and limit ignored), newest first, at
    /// most `max`: the caller asks for one more than it accepts to tell "too many".
    pub async fn invitation_candidate_ids(
        &mut self,
        org: Id,
        portal: Id,
        q: &CandidateQuery,
        max: i64,
    ) -> StoreResult<Vec<Id>> {
        let q = CandidateQuery {
            after: None,
            ..q.clone()
        };
        let Some((sql, params)) =
            candidate_sql(self.conn.dialect(), org, portal, &q, "r.id", max.max(1))
        else {
            return Ok(Vec::new());
        };
        self.conn
            .query(&sql, &params)
            .await?
            .iter()
            .map(|r| r.int(0))
            .collect()
    }
}

/// Deletes the bulk invitations of a user type that is being deleted, with their items: their
/// portal users and emails stay; a worker running one finds its lease gone and stops.
pub(crate) async fn delete_batches_of_type(
    c: &mut impl Executor,
    user_type: Id,
) -> StoreResult<()> {
    c.execute(
        "DELETE FROM invitation_batch_items WHERE batch_id IN (\
         SELECT id FROM invitation_batches WHERE user_type_id = $1)",
        &[Val::Int(user_type)],
    )
    .await?;
    c.execute(
        "DELETE FROM invitation_batches WHERE user_type_id = $1",
        &[Val::Int(user_type)],
    )
    .await?;
    Ok(())
}

/// The candidates' query with `cols`, or `None` when nothing can match.
fn candidate_sql(
    dialect: Dialect,
    org: Id,
    portal: Id,
    q: &CandidateQuery,
    cols: &str,
    limit: i64,
) -> Option<(String, Vec<Val>)> {
    let source = Source::new(dialect, q.search.as_deref());
    if source.matches_nothing {
        return None;
    }
    let mut sql = format!(
        "SELECT {cols} FROM {} WHERE r.org_id = $1 AND r.module_id = $2 AND r.deleted_at IS NULL \
         AND r.email IS NOT NULL AND r.email <> '' AND {} \
         AND NOT EXISTS (SELECT 1 FROM portal_users u WHERE u.portal_id = $3 AND u.org_id = $1 \
         AND (u.record_id = r.id OR u.email_key = lower(r.email)))",
        source.from,
        invitable_email(dialect)
    );
    let mut params = vec![Val::Int(org), Val::Int(q.module_id), Val::Int(portal)];
    let mut push = |clause: &str, value: Val, sql: &mut String| {
        params.push(value);
        sql.push_str(&clause.replace('?', &format!("${}", params.len())));
    };
    if let Some(owner) = q.owner_id {
        push(" AND r.owner_id = ?", Val::Int(owner), &mut sql);
    }
    if let Some(after) = q.after {
        push(&format!(" AND {}", source.after), Val::Int(after), &mut sql);
    }
    for (clause, value) in source.filters {
        push(&format!(" AND {clause}"), value, &mut sql);
    }
    let order = format!(" ORDER BY {} LIMIT ?", source.order);
    push(&order, Val::Int(limit), &mut sql);
    Some((sql, params))
}
