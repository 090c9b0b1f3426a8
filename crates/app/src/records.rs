//! CRM records with the actor's profile and record scope applied: list, read, create, update,
//! recycle bin. A write reads, checks and writes inside one transaction; an update names the
//! version it was based on and is refused if the record changed since.

use crate::modules::module;
use crate::{AppError, Context, Result, forbidden, require_admin};
use portico_domain::access::{CrmActor, ListScope};
use portico_domain::field::LinkTarget;
use portico_domain::module::Module;
use portico_domain::profile::Action;
use portico_domain::record::{Record, RecordState, SerializedRecord, validate_data};
use portico_domain::{DomainError, FieldError, Id};
use portico_store::{CountedPage, Page, RecordMeta, RecordPageQuery, RecordQuery, RecordSort, Tx};
use serde_json::{Map, Value};
use std::collections::HashMap;

pub const PAGE_DEFAULT: i64 = 50;
pub const PAGE_MAX: i64 = 200;

fn page_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX)
}

/// Which page of a module's live records to list.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    /// The last id of the previous page.
    pub after: Option<Id>,
    /// How many (default 50, at most 200).
    pub limit: Option<i64>,
    /// Only records whose name or email matches.
    pub search: Option<String>,
}

/// The page of `api_name`'s live records the actor may list: newest first, from `after`,
/// `limit` of them (default 50), optionally only those matching `search`.
pub async fn list_records(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    after: Option<Id>,
    limit: Option<i64>,
    search: Option<String>,
) -> Result<(Module, Page<Record>)> {
    let request = ListRequest {
        after,
        limit,
        search,
    };
    let (module, query) = list_query(ctx, actor, api_name, request).await?;
    let page = ctx.store().list_records(actor.user.org_id, &query).await?;
    Ok((module, page))
}

/// One page of a list that shows its total and can be sorted (the administrator's list page).
#[derive(Debug, Clone, Copy)]
pub struct CountedList<'a> {
    pub search: Option<&'a str>,
    /// Newest first, by name, or by a field the caller shows (records without a value last).
    pub sort: RecordSort<'a>,
    pub descending: bool,
    /// 1-based.
    pub page: i64,
    pub per: i64,
}

/// A sorted page of a module's live records the actor may list, with how many there are in
/// all: the same module check and own-records scope as [`list_records`].
pub async fn counted_records(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    list: CountedList<'_>,
) -> Result<(Module, CountedPage)> {
    let request = ListRequest {
        after: None,
        limit: Some(list.per),
        search: list.search.map(str::to_string),
    };
    let (module, query) = list_query(ctx, actor, api_name, request).await?;
    let page = RecordPageQuery {
        module_id: module.id,
        linked_to: None,
        owned_by: query.owner_id,
        search: query.search.as_deref(),
        sort: list.sort,
        descending: list.descending,
        offset: (list.page.max(1) - 1).saturating_mul(query.limit),
        limit: query.limit,
    };
    let found = ctx.store().record_page(actor.user.org_id, &page).await?;
    Ok((module, found))
}

/// [`list_records`] with each record's data as the JSON text the store holds, for answers that
/// pass it on unchanged (the API's lists): no value is parsed and written again.
pub async fn list_serialized_records(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    request: ListRequest,
) -> Result<(Module, Page<SerializedRecord>)> {
    let (module, query) = list_query(ctx, actor, api_name, request).await?;
    let org = actor.user.org_id;
    Ok((
        module,
        ctx.store().list_serialized_records(org, &query).await?,
    ))
}

/// The module and the query of a list: the module must be viewable, and a user who sees only
/// their own records of it lists only those.
async fn list_query(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    request: ListRequest,
) -> Result<(Module, RecordQuery)> {
    let ListRequest {
        after,
        limit,
        search,
    } = request;
    // A search is one line of text; NUL in it would fail on PostgreSQL, so it is refused here
    // for every caller (the API, the admin's list, the CLI) rather than in each.
    if search
        .as_deref()
        .is_some_and(|q| portico_domain::text::has_forbidden_chars(q, false))
    {
        return Err(AppError::invalid(
            "q",
            "invalid_characters",
            "The search may not contain control characters",
        ));
    }
    let module = module(ctx, actor, api_name, Action::View).await?;
    let owner_id = match actor.list_scope(&module) {
        ListScope::All => None,
        ListScope::OwnedBy(user) => Some(user),
    };
    let query = RecordQuery {
        module_id: Some(module.id),
        owner_id,
        after,
        limit: page_limit(limit),
        search,
        in_bin: false,
    };
    Ok((module, query))
}

/// A live record the actor can see; anything else is "not found".
pub async fn get_record(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    id: Id,
) -> Result<(Module, Record)> {
    let module = module(ctx, actor, api_name, Action::View).await?;
    let record = ctx
        .store()
        .get_record(actor.user.org_id, module.id, id)
        .await?;
    if record.deleted_at.is_some() || !actor.sees(&module, record.owner_id) {
        return Err(AppError::NotFound);
    }
    Ok((module, record))
}

/// What a create or update may set besides data.
#[derive(Debug, Default, Clone, Copy)]
pub struct RecordExtras {
    pub owner_id: Option<Id>,
    pub state: Option<RecordState>,
    /// Updates: the version the change is based on (the API's `If-Match`, the form's hidden
    /// field). When set, a record at another version is left as it is and the update refused.
    pub version: Option<i64>,
}

fn check_owner_change(actor: &CrmActor, owner: Option<Id>) -> Result<()> {
    match owner {
        Some(o)
            if o != actor.user.id
                && !actor.user.super_admin
                && actor.profile.scope != portico_domain::profile::RecordScope::All =>
        {
            Err(forbidden("assign records to other users"))
        }
        _ => Ok(()),
    }
}

pub async fn create_record(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    data: &Map<String, Value>,
    extras: RecordExtras,
) -> Result<Record> {
    let module = module(ctx, actor, api_name, Action::Create).await?;
    check_owner_change(actor, extras.owner_id)?;
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    let fields = tx.list_fields(org, module.id).await?;
    let valid = validate_data(&fields, &module.name_fields, data, None)?;
    check_visible_links(&mut tx, actor, None, &valid.links).await?;
    let owner = extras.owner_id.unwrap_or(actor.user.id);
    let record = tx
        .create_record(
            org,
            module.id,
            owner,
            &valid,
            extras.state.unwrap_or_default(),
            ctx.now(),
        )
        .await?;
    tx.commit().await?;
    Ok(record)
}

pub async fn update_record(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    id: Id,
    data: &Map<String, Value>,
    extras: RecordExtras,
) -> Result<Record> {
    let module = module(ctx, actor, api_name, Action::View).await?;
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    let record = reach(&mut tx, actor, &module, id, false).await?;
    if !actor.may(&module, record.owner_id, Action::Edit) {
        return Err(forbidden(&format!("edit this {} record", module.label)));
    }
    if let Some(v) = extras.version.filter(|v| *v != record.version) {
        tracing::debug!(record = id, expected = v, "stale update refused");
        return Err(AppError::Stale {
            current_version: record.version,
        });
    }
    check_owner_change(actor, extras.owner_id)?;
    let fields = tx.list_fields(org, module.id).await?;
    let valid = validate_data(&fields, &module.name_fields, data, Some(&record.data))?;
    check_visible_links(&mut tx, actor, Some(&record.data), &valid.links).await?;
    let meta = RecordMeta {
        owner_id: extras.owner_id,
        state: extras.state,
        expected_version: Some(record.version),
    };
    let saved = tx
        .update_record(org, module.id, id, &valid, meta, ctx.now())
        .await?;
    tx.commit().await?;
    Ok(saved)
}

pub async fn delete_record(ctx: &Context, actor: &CrmActor, api_name: &str, id: Id) -> Result<()> {
    let module = module(ctx, actor, api_name, Action::View).await?;
    let mut tx = ctx.store().transaction().await?;
    let record = reach(&mut tx, actor, &module, id, false).await?;
    if !actor.may(&module, record.owner_id, Action::Delete) {
        return Err(forbidden(&format!("delete {} records", module.label)));
    }
    tx.delete_record(actor.user.org_id, module.id, id, ctx.now())
        .await?;
    Ok(tx.commit().await?)
}

/// The record `id` of `module`, read inside `tx`, when the actor reaches it and it is live (or,
/// with `in_bin`, in the recycle bin); anything else is "not found", like a missing record.
async fn reach(
    tx: &mut Tx,
    actor: &CrmActor,
    module: &Module,
    id: Id,
    in_bin: bool,
) -> Result<Record> {
    let record = tx.get_record(actor.user.org_id, module.id, id).await?;
    if record.deleted_at.is_some() != in_bin || !actor.sees(module, record.owner_id) {
        return Err(AppError::NotFound);
    }
    Ok(record)
}

/// Checks, inside `tx`, that `id` is in the recycle bin and that the actor could delete it (and
/// so may restore it).
async fn binned(tx: &mut Tx, actor: &CrmActor, module: &Module, id: Id) -> Result<()> {
    let record = reach(tx, actor, module, id, true).await?;
    if !actor.may(module, record.owner_id, Action::Delete) {
        return Err(forbidden(&format!("restore {} records", module.label)));
    }
    Ok(())
}

pub async fn restore_record(ctx: &Context, actor: &CrmActor, api_name: &str, id: Id) -> Result<()> {
    let module = module(ctx, actor, api_name, Action::View).await?;
    let mut tx = ctx.store().transaction().await?;
    binned(&mut tx, actor, &module, id).await?;
    tx.restore_record(actor.user.org_id, module.id, id).await?;
    Ok(tx.commit().await?)
}

/// Purging is final, so only administrators may do it.
pub async fn purge_record(ctx: &Context, actor: &CrmActor, api_name: &str, id: Id) -> Result<()> {
    require_admin(actor)?;
    let module = module(ctx, actor, api_name, Action::View).await?;
    let mut tx = ctx.store().transaction().await?;
    binned(&mut tx, actor, &module, id).await?;
    tx.purge_record(actor.user.org_id, module.id, id).await?;
    Ok(tx.commit().await?)
}

/// The recycle bin (administrators see every module's deleted records).
pub async fn recycle_bin(
    ctx: &Context,
    actor: &CrmActor,
    after: Option<Id>,
) -> Result<Page<Record>> {
    require_admin(actor)?;
    let query = RecordQuery {
        after,
        limit: PAGE_DEFAULT,
        in_bin: true,
        ..Default::default()
    };
    Ok(ctx.store().list_records(actor.user.org_id, &query).await?)
}

/// Names of the records among `ids` that the actor may see. Others are left out, so a page
/// shows them exactly as it shows a deleted record.
pub async fn record_names(
    ctx: &Context,
    actor: &CrmActor,
    ids: Vec<Id>,
) -> Result<HashMap<Id, String>> {
    let mut reader = ctx.store().reader().await?;
    visible_names(&mut reader, actor, &ids).await
}

async fn visible_names(tx: &mut Tx, actor: &CrmActor, ids: &[Id]) -> Result<HashMap<Id, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let org = actor.user.org_id;
    let refs = tx.record_refs(org, ids).await?;
    let modules = tx.list_modules(org).await?;
    Ok(refs
        .into_iter()
        .filter(|r| {
            modules
                .iter()
                .find(|m| m.id == r.module_id)
                .is_some_and(|m| actor.sees(m, r.owner_id))
        })
        .map(|r| (r.id, r.display_name))
        .collect())
}

/// Whether the stored data already links `link.field` to `link.target_id` (a lookup holding
/// that id, or a multi-select lookup containing it).
fn already_linked(stored: &Map<String, Value>, link: &LinkTarget) -> bool {
    match stored.get(&link.field) {
        Some(Value::Array(ids)) => ids.iter().any(|v| v.as_i64() == Some(link.target_id)),
        Some(v) => v.as_i64() == Some(link.target_id),
        None => false,
    }
}

/// Lookups the caller sets must point at records the caller can see; any other target gets the
/// same 422 as a missing record, so lookups cannot probe for records out of reach. A link the
/// record already has is not checked again: an editor keeps a link someone else set to a
/// record they cannot see (forms post every field back), but cannot make a new one.
async fn check_visible_links(
    tx: &mut Tx,
    actor: &CrmActor,
    stored: Option<&Map<String, Value>>,
    links: &[LinkTarget],
) -> Result<()> {
    let new: Vec<&LinkTarget> = links
        .iter()
        .filter(|l| !stored.is_some_and(|s| already_linked(s, l)))
        .collect();
    if new.is_empty() || actor.user.super_admin {
        return Ok(());
    }
    let ids: Vec<Id> = new.iter().map(|l| l.target_id).collect();
    let visible = visible_names(tx, actor, &ids).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    for link in new {
        if !visible.contains_key(&link.target_id) && !errors.iter().any(|e| e.field == link.field) {
            errors.push(link.not_found());
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(DomainError::Invalid(errors)))
    }
}

/// How many live records of `module` the actor can list.
pub async fn count_visible(ctx: &Context, actor: &CrmActor, module: &Module) -> Result<i64> {
    let owner = match actor.list_scope(module) {
        ListScope::All => None,
        ListScope::OwnedBy(user) => Some(user),
    };
    Ok(ctx
        .store()
        .count_records(actor.user.org_id, module.id, owner)
        .await?)
}

/// Hourly upkeep of the record search index, for the whole instance: merges what many small
/// writes left in pieces, so searches read one index rather than a dozen (see the store's
/// `search.rs`). It reads and changes no record.
pub async fn tidy_search_index(ctx: &Context) -> Result<()> {
    Ok(ctx.store().tidy_search_index().await?)
}
