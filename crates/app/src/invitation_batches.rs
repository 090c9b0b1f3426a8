//! Bulk invitations: many records of a user type's personality module invited at once (the
//! portal's "Users → Invite", `POST /api/v1/portals/{portal}/invitations`, `portico invite`).
//!
//! [`start_batch`] resolves the selection — the records named, or every candidate matching a
//! search across all pages — into a batch of at most [`BATCH_MAX`] items, written with its
//! audit row in one transaction. A batch of at most [`INLINE_MAX`] records is run at once and
//! answered done; a larger one is answered running and run by the batch worker
//! ([`run_worker`], started by `portico serve` on every instance).
//!
//! Each chunk of [`CHUNK`] items is one transaction holding, per item, everything
//! [`Invitation::invite_in`] writes (portal user, link, outbox row and audit row — or the
//! failure's audit row) plus the item's outcome and the batch's counters; the transaction also
//! extends the worker's lease, checked against the lease it held. So a worker killed at any
//! point loses nothing and repeats nothing: what committed is done for good (an item is only
//! ever recorded while pending), what did not is pending, and once the lease runs out
//! ([`LEASE_MS`]) another worker claims the batch and goes on at the first pending item.

use crate::audit::audit;
use crate::invitations::{Invitation, InviteTo};
use crate::mail::wake_delivery;
use crate::{AppError, Context, Result};
use portico_domain::access::CrmActor;
use portico_domain::profile::Action;
use portico_domain::{Id, Millis};
use portico_store::{BatchState, CandidateQuery, InvitationBatch, NewInvitationBatch, Page, Tx};
use serde::Serialize;
use serde_json::json;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

/// The most records one bulk invitation takes.
pub const BATCH_MAX: usize = 50_000;
/// Batches of at most this many records run during the request and answer done.
pub const INLINE_MAX: usize = 100;
/// Items per transaction.
pub const CHUNK: i64 = 25;
/// How long a worker holds a batch without writing to it; each chunk extends it.
pub const LEASE_MS: Millis = 30_000;
/// Failed items per page of a batch's progress, unless the caller asks for another size.
pub const FAILED_PAGE_DEFAULT: i64 = 100;
pub const FAILED_PAGE_MAX: i64 = 1_000;
/// Candidates per page.
pub const CANDIDATES_DEFAULT: i64 = 50;
pub const CANDIDATES_MAX: i64 = 200;
/// The longest search a selection takes.
pub const SEARCH_MAX: usize = 200;

/// Which records to invite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These records, in this order (repeats are invited once).
    Records(Vec<Id>),
    /// Every candidate ([`candidates`]) matching the search, across all pages.
    Filter { search: Option<String> },
}

/// A record that could not be invited, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedInvitee {
    pub record_id: Id,
    /// The record's name, when it still exists.
    pub name: Option<String>,
    /// One of PRODUCT.md's reasons (`same_domain`, …), or, when the invitation as a whole
    /// became impossible mid-way (the user type was deactivated), that error's code.
    pub code: String,
    pub message: String,
}

/// A batch and how far it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchProgress {
    pub batch_id: Id,
    pub portal_id: Id,
    pub user_type_id: Id,
    /// `running` or `done`.
    pub state: &'static str,
    pub total: i64,
    pub sent: i64,
    /// How many failed in all.
    pub failed_count: i64,
    /// A page of the failed items, in batch order.
    pub failed: Vec<FailedInvitee>,
    /// The cursor for the next page of failed items.
    pub failed_next: Option<i64>,
    pub created_at: Millis,
    pub finished_at: Option<Millis>,
}

impl BatchProgress {
    pub fn done(&self) -> bool {
        self.state == BatchState::Done.as_str()
    }
}

/// A page of candidates; `matching` (first page only) counts them all, up to
/// [`BATCH_MAX`]` + 1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CandidatePage {
    pub items: Vec<Candidate>,
    pub next: Option<Id>,
    pub matching: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    pub id: Id,
    pub name: String,
    pub email: String,
}

/// Checks a search: one line, bounded.
fn check_search(search: Option<String>) -> Result<Option<String>> {
    let Some(q) = search else { return Ok(None) };
    if portico_domain::text::has_forbidden_chars(&q, false) {
        return Err(AppError::invalid(
            "q",
            "invalid_characters",
            "The search may not contain control characters",
        ));
    }
    if q.chars().count() > SEARCH_MAX {
        return Err(AppError::invalid(
            "q",
            "too_long",
            format!("The search is at most {SEARCH_MAX} characters"),
        ));
    }
    Ok(Some(q).filter(|q| !q.trim().is_empty()))
}

/// The candidates' query for `actor`: the module of the invitation, and only the actor's own
/// records when they cannot change other users' records of it.
fn candidate_query(
    invitation: &Invitation<'_>,
    search: Option<String>,
    after: Option<Id>,
    limit: i64,
) -> Result<CandidateQuery> {
    let actor = invitation.actor;
    let module = &invitation.module;
    if !actor.can(module, Action::Edit) {
        return Err(AppError::Forbidden(format!(
            "Your profile does not allow you to invite {} records",
            module.label
        )));
    }
    // Owner 0 is nobody: whether the actor may edit a record they do not own.
    let owner_id = (!actor.may(module, 0, Action::Edit)).then_some(actor.user.id);
    Ok(CandidateQuery {
        module_id: module.id,
        owner_id,
        search,
        after,
        limit,
    })
}

/// A page of the records of the user type's personality module that may be invited: live,
/// with an address of the invitable characters, not yet users of the portal, reachable by the
/// caller. The first page also counts them all (up to [`BATCH_MAX`]` + 1`).
pub async fn candidates(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    user_type_id: Id,
    search: Option<String>,
    after: Option<Id>,
    limit: Option<i64>,
) -> Result<CandidatePage> {
    let limit = limit.unwrap_or(CANDIDATES_DEFAULT);
    if !(1..=CANDIDATES_MAX).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            "out_of_range",
            format!("limit is between 1 and {CANDIDATES_MAX}"),
        ));
    }
    let search = check_search(search)?;
    let to = InviteTo {
        portal_id,
        user_type_id,
        language: None,
    };
    let org = actor.user.org_id;
    let mut reader = ctx.store().reader().await?;
    let invitation = Invitation::prepare(&mut reader, actor, &to).await?;
    let q = candidate_query(&invitation, search, after, limit)?;
    let page = reader.invitation_candidates(org, portal_id, &q).await?;
    let matching = match after {
        None => Some(count(&mut reader, org, portal_id, &q).await?),
        Some(_) => None,
    };
    Ok(CandidatePage {
        items: page
            .items
            .into_iter()
            .map(|c| Candidate {
                id: c.id,
                name: c.name,
                email: c.email,
            })
            .collect(),
        next: page.next,
        matching,
    })
}

async fn count(tx: &mut Tx, org: Id, portal: Id, q: &CandidateQuery) -> Result<i64> {
    let ids = tx
        .invitation_candidate_ids(org, portal, q, BATCH_MAX as i64 + 1)
        .await?;
    Ok(ids.len() as i64)
}

fn too_many() -> AppError {
    AppError::invalid(
        "records",
        "too_many_records",
        format!(
            "A bulk invitation takes at most {BATCH_MAX} records; narrow the selection or send several"
        ),
    )
}

/// Starts a bulk invitation of `selection` to `to` as `actor`. Each record is checked as one
/// invitation is (its failure reasons are per record, in the answer); an unknown portal or user
/// type is `NotFound`, an inactive user type or a bad language 422, more than [`BATCH_MAX`]
/// records 422 `too_many_records`, a filter on a module the caller may not invite from 403.
/// At most [`INLINE_MAX`] records run now and answer done; more answer running.
pub async fn start_batch(
    ctx: &Context,
    actor: &CrmActor,
    to: &InviteTo,
    selection: Selection,
) -> Result<BatchProgress> {
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    let invitation = Invitation::prepare(&mut tx, actor, to).await?;
    let records = match selection {
        Selection::Records(ids) => {
            if ids.is_empty() {
                return Err(AppError::invalid(
                    "records",
                    "required",
                    "Choose at least one record to invite",
                ));
            }
            if ids.len() > BATCH_MAX {
                return Err(too_many());
            }
            let mut seen = HashSet::with_capacity(ids.len());
            ids.into_iter().filter(|id| seen.insert(*id)).collect()
        }
        Selection::Filter { search } => {
            let q = candidate_query(&invitation, check_search(search)?, None, 1)?;
            let ids = tx
                .invitation_candidate_ids(org, to.portal_id, &q, BATCH_MAX as i64 + 1)
                .await?;
            if ids.len() > BATCH_MAX {
                return Err(too_many());
            }
            ids
        }
    };
    let inline = records.len() <= INLINE_MAX;
    let now = ctx.now();
    // An inline batch is held by this request; a background one is free for any worker.
    let lease_until = if inline { now + LEASE_MS } else { 0 };
    let new = NewInvitationBatch {
        portal_id: to.portal_id,
        user_type_id: to.user_type_id,
        created_by: actor.user.id,
        language: to.language.clone(),
    };
    let batch = tx
        .create_invitation_batch(org, &new, &records, lease_until, now)
        .await?;
    audit(
        &mut tx,
        actor,
        now,
        "portal.invite_batch",
        json!({"batch_id": batch.id, "portal_id": batch.portal_id,
               "user_type_id": batch.user_type_id, "total": batch.total}),
    )
    .await?;
    tx.commit().await?;
    if inline {
        // Should this fail half-way, the lease runs out and a worker finishes the batch.
        run_held(ctx, &batch, lease_until, None).await?;
    } else {
        ctx.batches_waiting().notify_one();
    }
    progress(ctx, org, to.portal_id, batch.id, None, FAILED_PAGE_DEFAULT).await
}

/// A batch's progress: its counters and a page of its failed items (after position
/// `failed_after`). For administrators and the CRM user who sent it; for anyone else, and for
/// another org's or portal's batch, `NotFound`.
pub async fn batch(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    batch_id: Id,
    failed_after: Option<i64>,
    failed_limit: Option<i64>,
) -> Result<BatchProgress> {
    let limit = failed_limit.unwrap_or(FAILED_PAGE_DEFAULT);
    if !(1..=FAILED_PAGE_MAX).contains(&limit) {
        return Err(AppError::invalid(
            "failed_limit",
            "out_of_range",
            format!("failed_limit is between 1 and {FAILED_PAGE_MAX}"),
        ));
    }
    let org = actor.user.org_id;
    let found = ctx
        .store()
        .get_invitation_batch(org, portal_id, batch_id)
        .await?;
    if !(actor.user.super_admin || found.created_by == actor.user.id) {
        return Err(AppError::NotFound);
    }
    progress(ctx, org, portal_id, batch_id, failed_after, limit).await
}

async fn progress(
    ctx: &Context,
    org: Id,
    portal: Id,
    batch_id: Id,
    failed_after: Option<i64>,
    limit: i64,
) -> Result<BatchProgress> {
    let mut reader = ctx.store().reader().await?;
    let b = reader.get_invitation_batch(org, portal, batch_id).await?;
    let page = reader
        .failed_batch_items(org, portal, batch_id, failed_after, limit)
        .await?;
    let ids: Vec<Id> = page.items.iter().map(|i| i.record_id).collect();
    let names: HashMap<Id, String> = reader
        .record_refs(org, &ids)
        .await?
        .into_iter()
        .map(|r| (r.id, r.display_name))
        .collect();
    let failed = page
        .items
        .into_iter()
        .map(|i| {
            let (code, message) = match i.outcome {
                Some(Err(reason)) => reason,
                _ => (String::new(), String::new()),
            };
            FailedInvitee {
                record_id: i.record_id,
                name: names.get(&i.record_id).cloned(),
                code,
                message,
            }
        })
        .collect();
    Ok(progress_of(&b, failed, page.next))
}

fn progress_of(
    b: &InvitationBatch,
    failed: Vec<FailedInvitee>,
    next: Option<i64>,
) -> BatchProgress {
    BatchProgress {
        batch_id: b.id,
        portal_id: b.portal_id,
        user_type_id: b.user_type_id,
        state: b.state.as_str(),
        total: b.total,
        sent: b.sent,
        failed_count: b.failed,
        failed,
        failed_next: next,
        created_at: b.created_at,
        finished_at: b.finished_at,
    }
}

/// A page of the portal's batches, newest first (administrators).
pub async fn list_batches(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    after: Option<Id>,
) -> Result<Page<BatchProgress>> {
    crate::require_admin(actor)?;
    let org = actor.user.org_id;
    let page = ctx
        .store()
        .list_invitation_batches(org, portal_id, after, 20)
        .await?;
    Ok(Page {
        items: page
            .items
            .iter()
            .map(|b| progress_of(b, Vec::new(), None))
            .collect(),
        next: page.next,
    })
}

/// How many of the batch's records failed, by code, most frequent first (the CLI's summary).
pub async fn failures_by_code(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    batch_id: Id,
) -> Result<Vec<(String, i64)>> {
    let mut counts: HashMap<String, i64> = HashMap::new();
    let mut after = None;
    loop {
        let p = batch(
            ctx,
            actor,
            portal_id,
            batch_id,
            after,
            Some(FAILED_PAGE_MAX),
        )
        .await?;
        for f in p.failed {
            *counts.entry(f.code).or_default() += 1;
        }
        match p.failed_next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut counts: Vec<(String, i64)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(counts)
}

/// The CRM user the operator's `portico invite` acts as: the one with `email`, or the org's
/// first active super admin. An unknown org, or no such user, is `NotFound`.
pub async fn operator_actor(ctx: &Context, org: Id, email: Option<&str>) -> Result<CrmActor> {
    let users = ctx.store().list_users(org).await?;
    let user = match email {
        Some(e) => users
            .iter()
            .find(|u| u.email.as_str().eq_ignore_ascii_case(e.trim())),
        None => users
            .iter()
            .filter(|u| u.super_admin && u.active)
            .min_by_key(|u| u.id),
    }
    .ok_or(AppError::NotFound)?;
    crate::sign_in::actor(ctx, org, user.id).await
}

/// How a worker's run of a batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    /// No item is pending: the batch is done.
    Done,
    /// The lease ran out and another worker holds the batch now.
    Lost,
    /// Stopped after the number of chunks asked for (tests).
    Paused,
}

/// The code and message with which every remaining item fails when the invitation as a whole
/// became impossible (the user type was deactivated or deleted, the inviting user deactivated);
/// `None` for errors worth trying again (the database).
fn refusal(e: &AppError) -> Option<(String, String)> {
    match e {
        AppError::Store(_) | AppError::Internal(_) | AppError::Busy => None,
        AppError::Invalid(d) => d
            .errors()
            .first()
            .map(|f| (f.code.to_string(), f.message.clone())),
        AppError::Unauthorized => Some((
            "inviter_inactive".into(),
            "The CRM user who sent these invitations is no longer active".into(),
        )),
        AppError::NotFound => Some((
            "not_found".into(),
            "The portal or the user type no longer exists".into(),
        )),
        other => Some(("refused".into(), other.to_string())),
    }
}

/// Runs `batch`, which this worker holds until `held`, chunk by chunk until no item is pending
/// (or for `max_chunks` chunks).
async fn run_held(
    ctx: &Context,
    batch: &InvitationBatch,
    mut held: Millis,
    max_chunks: Option<usize>,
) -> Result<RunEnd> {
    let org = batch.org_id;
    let actor = crate::sign_in::actor(ctx, org, batch.created_by).await;
    let to = InviteTo {
        portal_id: batch.portal_id,
        user_type_id: batch.user_type_id,
        language: batch.language.clone(),
    };
    let mut chunks = 0usize;
    loop {
        if max_chunks.is_some_and(|m| chunks >= m) {
            return Ok(RunEnd::Paused);
        }
        let mut tx = ctx.store().transaction().await?;
        let until = ctx.now() + LEASE_MS;
        if !tx
            .extend_invitation_batch_lease(batch.id, held, until)
            .await?
        {
            return Ok(RunEnd::Lost);
        }
        held = until;
        let items = tx.next_batch_items(batch.id, CHUNK).await?;
        if items.is_empty() {
            tx.finish_invitation_batch(batch.id, ctx.now()).await?;
            tx.commit().await?;
            return Ok(RunEnd::Done);
        }
        let invitation = match &actor {
            Ok(actor) => Invitation::prepare(&mut tx, actor, &to).await,
            Err(e) => Err(clone_refusal(e)),
        };
        match invitation {
            Ok(invitation) => {
                for item in &items {
                    let outcome = invitation.invite_in(&mut tx, ctx, item.record_id).await?;
                    let recorded = outcome
                        .as_ref()
                        .map(|_| ())
                        .map_err(|f| (f.code(), f.message()));
                    if !tx
                        .record_batch_item(batch.id, item.position, recorded)
                        .await?
                    {
                        // Another worker did this item: nothing of this chunk may commit.
                        return Ok(RunEnd::Lost);
                    }
                }
            }
            Err(e) => {
                let Some((code, message)) = refusal(&e) else {
                    return Err(e);
                };
                tracing::warn!(batch_id = batch.id, %code, "an invitation batch cannot go on");
                for item in &items {
                    tx.record_batch_item(batch.id, item.position, Err((&code, &message)))
                        .await?;
                }
            }
        }
        tx.commit().await?;
        wake_delivery(ctx);
        chunks += 1;
    }
}

/// The actor lookup's error again (it is not `Clone`), for each chunk that reports it.
fn clone_refusal(e: &AppError) -> AppError {
    match e {
        AppError::Unauthorized => AppError::Unauthorized,
        AppError::NotFound => AppError::NotFound,
        other => AppError::Internal(other.to_string()),
    }
}

/// Claims a batch whose lease is free (with `only`, that batch) and runs it: to the end, or for
/// `max_chunks` chunks. Answers the batch and how the run ended, or `None` when there was
/// nothing to claim.
pub async fn run_claimed(
    ctx: &Context,
    only: Option<Id>,
    max_chunks: Option<usize>,
) -> Result<Option<(Id, RunEnd)>> {
    let now = ctx.now();
    let Some(batch) = ctx
        .store()
        .claim_invitation_batch(only, now + LEASE_MS, now)
        .await?
    else {
        return Ok(None);
    };
    tracing::info!(
        batch_id = batch.id,
        total = batch.total,
        sent = batch.sent,
        failed = batch.failed,
        "running an invitation batch"
    );
    let end = run_held(ctx, &batch, batch.lease_until, max_chunks).await?;
    Ok(Some((batch.id, end)))
}

/// The batch worker of one instance: runs claimable batches one after the other until the task
/// is dropped; when none is, waits for a batch started on this instance or `poll` (batches
/// started elsewhere, leases that ran out). A failure is logged and waited out.
pub async fn run_worker(ctx: &Context, poll: Duration) {
    loop {
        match run_claimed(ctx, None, None).await {
            Ok(Some(_)) => continue,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e.detail(), "invitation batch round failed"),
        }
        tokio::select! {
            () = ctx.batches_waiting().notified() => {}
            () = tokio::time::sleep(poll) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn searches_are_one_bounded_line() {
        assert_eq!(check_search(None).unwrap(), None);
        assert_eq!(check_search(Some("  ".into())).unwrap(), None);
        assert_eq!(
            check_search(Some("ann".into())).unwrap(),
            Some("ann".into())
        );
        assert!(check_search(Some("a\nb".into())).is_err());
        assert!(check_search(Some("x".repeat(SEARCH_MAX + 1))).is_err());
    }

    #[test]
    fn only_database_failures_are_tried_again() {
        assert_eq!(refusal(&AppError::Internal("x".into())), None);
        let inactive = AppError::invalid("user_type", "inactive_user_type", "inactive");
        assert_eq!(
            refusal(&inactive),
            Some(("inactive_user_type".into(), "inactive".into()))
        );
        assert_eq!(
            refusal(&AppError::NotFound).map(|r| r.0),
            Some("not_found".into())
        );
    }
}
