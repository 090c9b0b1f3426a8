//! The one portal enforcement point. Everything a portal user — or an admin previewing as one —
//! reads or writes goes through [`ScopedRecords`]: it applies the record scope (their own
//! record, the records linked to it by the chosen lookups, every record of a public module) and
//! the field mask (visible and writable fields, subform columns, the Unit Price rule) of one
//! checked user-type configuration.
//!
//! It is built only from an org, a user type whose configuration passes the check against the
//! org's current catalogue, and the portal user's personality record. Portal-facing code (the
//! `portico-portal` crate) does not depend on the store crate and [`crate::Context`] hands out
//! no store, so records cannot be reached around it: such code does not compile.

use crate::audit::PortalAudit;
use crate::catalogue::{OrgCatalogue, VersionedCatalogue};
use crate::{AppError, Context, Result, audit};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::field::Field;
use portico_domain::layout::Layout;
use portico_domain::module::Module;
use portico_domain::portal::{CheckedUserTypeConfig, UserType};
use portico_domain::portal_access::{FieldMask, PortalPolicy, PortalScope, PortalTab};
use portico_domain::profile::Action;
use portico_domain::record::{Record, search_key, search_text, validate_data};
use portico_store::{CountedPage, RecordMeta, RecordPageQuery, RecordQuery, RecordSort, Store, Tx};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// A user type's configuration checked against the org's catalogue as it is now.
fn checked(user_type: &UserType, catalogue: &OrgCatalogue) -> Result<CheckedUserTypeConfig> {
    user_type
        .config
        .clone()
        .check(&catalogue.view())
        .map_err(|e| {
            AppError::Conflict(format!(
                "The configuration of user type {} no longer matches the CRM ({e}); an administrator must update it",
                user_type.config.name
            ))
        })
}

/// The most records one list answers.
pub const LIST_MAX: i64 = 200;

/// A record as a portal user may see it: its data reduced by the field mask.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopedRecord {
    pub id: Id,
    pub display_name: String,
    /// Only the visible fields (and, in subforms, the visible columns).
    pub data: Map<String, Value>,
    /// The version a later write must name (ETag).
    pub version: i64,
}

/// One page of a module's records in scope, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopedPage {
    pub items: Vec<ScopedRecord>,
    pub next: Option<Id>,
}

/// The records and fields one portal user reaches. See the module documentation.
pub struct ScopedRecords<'a> {
    store: &'a Store,
    org: Id,
    user_type: UserType,
    config: CheckedUserTypeConfig,
    catalogue: Arc<VersionedCatalogue>,
    /// `None` only for an admin's preview as a user type in general: then no record is the
    /// portal user's own and nothing is linked to it.
    me: Option<Record>,
    /// The CRM user who owns what the portal user creates (see [`ScopedRecords::for_portal_user`]);
    /// `None` in a preview, which creates nothing.
    owner: Option<Id>,
    /// Whose reads and writes are audited (see [`ScopedRecords::audit_read`]); `None` in a
    /// preview, which the preview code audits itself.
    audit: Option<PortalAudit<'a>>,
}

impl<'a> ScopedRecords<'a> {
    /// The scope of one portal user of `user_type` whose personality record is `me` (`None`:
    /// a preview as the user type, with no personality record). The user type's stored
    /// configuration is checked against the org's catalogue as it is now; one that no longer
    /// passes (a module or field was removed since) answers a conflict rather than guessing.
    /// `me` must be a live record of the personality module, or the answer is "not found".
    pub async fn open(
        ctx: &'a Context,
        org: Id,
        user_type: UserType,
        me: Option<Id>,
    ) -> Result<Self> {
        let store = ctx.store();
        let version = store.config_version(org).await?;
        let catalogue = ctx.org_catalogue(org, Some(version)).await?;
        let config = checked(&user_type, &catalogue.catalogue)?;
        let me = match me {
            None => None,
            Some(id) => {
                let module = catalogue
                    .catalogue
                    .module(config.personality_module.as_str())
                    .ok_or(AppError::NotFound)?;
                Some(store.get_record(org, module.id, id).await?)
            }
        };
        Self::assemble(ctx, org, user_type, config, catalogue, me)
    }

    /// The scope from its parts: `me` must be a live record of the personality module.
    fn assemble(
        ctx: &'a Context,
        org: Id,
        user_type: UserType,
        config: CheckedUserTypeConfig,
        catalogue: Arc<VersionedCatalogue>,
        me: Option<Record>,
    ) -> Result<Self> {
        if let Some(record) = &me {
            let personality = catalogue
                .catalogue
                .module(config.personality_module.as_str())
                .ok_or(AppError::NotFound)?;
            if record.module_id != personality.id || record.deleted_at.is_some() {
                return Err(AppError::NotFound);
            }
        }
        Ok(Self {
            store: ctx.store(),
            org,
            user_type,
            config,
            catalogue,
            me,
            owner: None,
            audit: None,
        })
    }

    /// The scope of a signed-in portal user: their user type and personality record, and the
    /// owner of the records they create — the CRM user who invited them, or for a sign-up the
    /// portal's default owner. A portal user is never an owner.
    ///
    /// One statement reads the user type, the personality record and the org's configuration
    /// version together; the catalogue the configuration is checked against comes from the
    /// cache at that version or later (see `config_cache`), so a change to the user type, a
    /// module, a field, a layout or a web tab applies to the very next request.
    pub async fn for_portal_user(
        ctx: &'a Context,
        me: &crate::portal_accounts::PortalSignedIn,
    ) -> Result<Self> {
        let org = me.user.org_id;
        // Read with the session when the page came through `portal_accounts::visit`.
        let scope = match &me.scope {
            Some(scope) => scope.clone(),
            None => {
                ctx.store()
                    .portal_scope(org, me.portal.id, me.user.user_type_id, me.user.record_id)
                    .await?
            }
        };
        let catalogue = ctx.org_catalogue(org, Some(scope.config_version)).await?;
        let config = checked(&scope.user_type, &catalogue.catalogue)?;
        let record = match me.user.record_id {
            None => None,
            Some(_) => Some(scope.record.ok_or(AppError::NotFound)?),
        };
        let owner = crate::signups::records_owner(ctx, &me.portal, &me.user).await?;
        let mut scoped = Self::assemble(ctx, org, scope.user_type, config, catalogue, record)?;
        scoped.owner = Some(owner);
        scoped.audit = Some(PortalAudit::new(ctx, me));
        Ok(scoped)
    }

    /// The org's catalogue this scope was checked against.
    fn cat(&self) -> &OrgCatalogue {
        &self.catalogue.catalogue
    }

    pub fn user_type(&self) -> &UserType {
        &self.user_type
    }

    /// The portal user's own record, unmasked name and id (for headings).
    pub fn me(&self) -> Option<(Id, &str)> {
        self.me.as_ref().map(|r| (r.id, r.display_name.as_str()))
    }

    fn with_policy<T>(&self, f: impl FnOnce(&PortalPolicy<'_>) -> T) -> T {
        let view = self.cat().view();
        f(&PortalPolicy::new(&self.config, &view))
    }

    pub fn tabs(&self) -> Vec<PortalTab> {
        self.with_policy(|p| p.tabs())
    }

    pub fn web_tabs(&self) -> Vec<String> {
        self.with_policy(|p| p.web_tabs().to_vec())
    }

    pub fn allows(&self, module: &str, action: Action) -> bool {
        self.with_policy(|p| p.allows(module, action))
    }

    /// The shared layouts of a module, in configured order.
    pub fn layouts(&self, module: &str) -> Vec<String> {
        self.with_policy(|p| p.layouts(module))
    }

    /// The mask of a shared layout; `None` names the module's first shared layout.
    pub fn mask(&self, module: &str, layout: Option<&str>) -> FieldMask {
        self.with_policy(|p| {
            let layout = layout
                .map(str::to_string)
                .or_else(|| p.layouts(module).into_iter().next())
                .unwrap_or_default();
            p.field_mask(module, &layout)
        })
    }

    /// The module's fields, for labels and types.
    pub fn fields(&self, module: &str) -> &[Field] {
        self.cat()
            .module_entry(module)
            .map_or(&[], |(_, fields, _)| fields.as_slice())
    }

    fn scope(&self, module: &str) -> Result<(PortalScope, &Module)> {
        let scope = self
            .with_policy(|p| p.scope(module))
            .ok_or(AppError::NotFound)?;
        let module = self.cat().module(module).ok_or(AppError::NotFound)?;
        Ok((scope, module))
    }

    fn present(&self, mask: &FieldMask, record: &Record) -> ScopedRecord {
        ScopedRecord {
            id: record.id,
            display_name: record.display_name.clone(),
            data: mask.reduce(&record.data),
            version: record.version,
        }
    }

    /// The module's records in scope through `layout`'s mask, newest first; `search` matches
    /// the name or email. A module that is not shared answers "not found".
    pub async fn list(
        &self,
        module: &str,
        layout: Option<&str>,
        after: Option<Id>,
        limit: i64,
        search: Option<&str>,
    ) -> Result<ScopedPage> {
        let (scope, m) = self.scope(module)?;
        let mask = self.mask(module, layout);
        let limit = limit.clamp(1, LIST_MAX);
        let page = match (scope, &self.me) {
            (PortalScope::Own, Some(me)) => {
                // The store's search, on the one record: its name and email contain the key.
                let matches = search.and_then(search_key).is_none_or(|key| {
                    search_text(&me.display_name, me.email.as_deref()).contains(&key)
                });
                let shown = matches && after.is_none_or(|a| me.id < a);
                portico_store::Page {
                    items: if shown { vec![me.clone()] } else { Vec::new() },
                    next: None,
                }
            }
            (PortalScope::LinkedBy(fields), Some(me)) => {
                self.store
                    .linked_records(self.org, me.id, &fields, after, limit, search)
                    .await?
            }
            (PortalScope::All, _) => {
                let q = RecordQuery {
                    module_id: Some(m.id),
                    after,
                    limit,
                    search: search.map(str::to_string),
                    ..Default::default()
                };
                self.store.list_records(self.org, &q).await?
            }
            (_, None) => portico_store::Page {
                items: Vec::new(),
                next: None,
            },
        };
        let ids: Vec<Id> = page.items.iter().map(|r| r.id).collect();
        self.audit_read(module, &ids, search, after).await?;
        Ok(ScopedPage {
            items: page.items.iter().map(|r| self.present(&mask, r)).collect(),
            next: page.next,
        })
    }

    /// Whether the live record `id` of a module with `scope` is in scope.
    async fn in_scope(&self, tx: &mut Tx, scope: &PortalScope, id: Id) -> Result<bool> {
        Ok(match (scope, &self.me) {
            (PortalScope::All, _) => true,
            (PortalScope::Own, Some(me)) => id == me.id,
            (PortalScope::LinkedBy(fields), Some(me)) => {
                tx.is_linked(self.org, id, me.id, fields).await?
            }
            (_, None) => false,
        })
    }

    async fn fetch(&self, tx: &mut Tx, module: &str, id: Id) -> Result<(Record, &Module)> {
        let (scope, m) = self.scope(module)?;
        let record = tx.get_record(self.org, m.id, id).await?;
        if record.deleted_at.is_some() || !self.in_scope(tx, &scope, id).await? {
            return Err(AppError::NotFound);
        }
        Ok((record, m))
    }

    /// One record in scope through `layout`'s mask; a record outside the scope answers "not
    /// found", exactly like one that does not exist.
    pub async fn get(&self, module: &str, layout: Option<&str>, id: Id) -> Result<ScopedRecord> {
        let mut reader = self.store.reader().await?;
        let (record, _) = self.fetch(&mut reader, module, id).await?;
        drop(reader);
        self.audit_view(module, id).await?;
        Ok(self.present(&self.mask(module, layout), &record))
    }

    /// Display names of the records among `ids` that this portal user reaches (through any of
    /// their tabs); the others are left out, exactly as a deleted record is. One statement
    /// whatever the number of ids (repeated ids are asked for once).
    pub async fn display_names(&self, ids: &[Id]) -> Result<HashMap<Id, String>> {
        // A link row names a field of the linking record's own module, so one list of every
        // related tab's lookups tells, for a record of any module, whether its module's lookups
        // link it to the portal user — what `in_scope` asks record by record.
        let linked_by: Vec<Id> = self.with_policy(|p| {
            self.cat()
                .modules
                .iter()
                .filter_map(|(m, _, _)| match p.scope(m.api_name.as_str()) {
                    Some(PortalScope::LinkedBy(fields)) => Some(fields),
                    _ => None,
                })
                .flatten()
                .collect()
        });
        let me = self.me.as_ref().map(|r| r.id);
        let refs = self
            .store
            .record_refs_linked(self.org, ids, me, &linked_by)
            .await?;
        let mut names = HashMap::new();
        for (r, linked) in refs {
            let Some(module) = self
                .cat()
                .modules
                .iter()
                .find(|(m, _, _)| m.id == r.module_id)
                .map(|(m, _, _)| m.api_name.as_str())
            else {
                continue;
            };
            let reached = match self.with_policy(|p| p.scope(module)) {
                None => false,
                Some(PortalScope::All) => true,
                Some(PortalScope::Own) => me == Some(r.id),
                Some(PortalScope::LinkedBy(_)) => linked && me.is_some(),
            };
            if reached {
                names.insert(r.id, r.display_name);
            }
        }
        Ok(names)
    }

    /// Display names of lookup targets, given as (the lookup's target module, id), that this
    /// portal user reaches — what [`ScopedRecords::display_names`] answers, asking the store
    /// only what it must: a target in a module the user type does not share is never reached,
    /// and in the personality module only the user's own record is (named from the scope, which
    /// checked it is live). Targets in related and public modules take one statement.
    pub async fn lookup_names(&self, targets: &[(&str, Id)]) -> Result<HashMap<Id, String>> {
        let mut names = HashMap::new();
        let mut ask = Vec::new();
        for &(module, id) in targets {
            match self.with_policy(|p| p.scope(module)) {
                None => {}
                Some(PortalScope::Own) => {
                    if let Some(me) = self.me.as_ref().filter(|me| me.id == id) {
                        names.insert(me.id, me.display_name.clone());
                    }
                }
                Some(PortalScope::All | PortalScope::LinkedBy(_)) => ask.push(id),
            }
        }
        if !ask.is_empty() {
            names.extend(self.display_names(&ask).await?);
        }
        Ok(names)
    }

    /// Changes a record in scope through `layout`'s mask. Hidden and read-only fields (and
    /// subform columns) are refused, never silently dropped; values the portal user cannot see
    /// are kept. The write names the version it was based on and is refused if the record
    /// changed since. The read, the checks and the write share one transaction.
    pub async fn update(
        &self,
        module: &str,
        layout: Option<&str>,
        id: Id,
        input: &Map<String, Value>,
        expected_version: i64,
        now: portico_domain::Millis,
    ) -> Result<ScopedRecord> {
        if !self.allows(module, Action::Edit) {
            return Err(AppError::Forbidden(format!(
                "Your portal access does not allow you to edit {module} records"
            )));
        }
        let mut tx = self.store.transaction().await?;
        let (record, m) = self.fetch(&mut tx, module, id).await?;
        if record.version != expected_version {
            return Err(AppError::Stale {
                current_version: record.version,
            });
        }
        let mask = self.mask(module, layout);
        let merged = mask.apply_write(input, Some(&record.data))?;
        let valid = validate_data(self.fields(module), &m.name_fields, &merged, None)?;
        let meta = RecordMeta {
            expected_version: Some(expected_version),
            ..Default::default()
        };
        let saved = tx
            .update_record(self.org, m.id, id, &valid, meta, now)
            .await?;
        let fields = crate::audit::changed_fields(&record.data, &saved.data);
        let detail = serde_json::json!({"fields": fields, "version": saved.version});
        self.audit_write(&mut tx, audit::PORTAL_RECORD_UPDATE, module, id, detail)
            .await?;
        tx.commit().await?;
        Ok(self.present(&mask, &saved))
    }

    /// Creates a record of a related module through `layout`'s mask, linked to the portal
    /// user's record by the first lookup of the module's filter, and owned by the scope's owner
    /// (the CRM user who invited the portal user: a portal user never owns records). A scope
    /// opened without one — a preview — creates nothing.
    pub async fn create(
        &self,
        module: &str,
        layout: Option<&str>,
        input: &Map<String, Value>,
        now: portico_domain::Millis,
    ) -> Result<ScopedRecord> {
        let Some(owner) = self.owner else {
            return Err(AppError::Forbidden(
                "A preview shows the portal; it creates nothing".into(),
            ));
        };
        if !self.allows(module, Action::Create) {
            return Err(AppError::Forbidden(format!(
                "Your portal access does not allow you to create {module} records"
            )));
        }
        let (scope, m) = self.scope(module)?;
        let (PortalScope::LinkedBy(lookups), Some(me)) = (scope, &self.me) else {
            return Err(AppError::Forbidden(format!(
                "Portal users cannot create {module} records"
            )));
        };
        let mask = self.mask(module, layout);
        let mut data = mask.apply_write(input, None)?;
        let fields = self.fields(module);
        if let Some(link) = fields.iter().find(|f| lookups.contains(&f.id)) {
            data.insert(link.api_name.to_string(), Value::from(me.id));
        }
        let valid = validate_data(fields, &m.name_fields, &data, None)?;
        let mut tx = self.store.transaction().await?;
        let saved = tx
            .create_record(self.org, m.id, owner, &valid, Default::default(), now)
            .await?;
        let detail = serde_json::json!({"fields": data.keys().collect::<Vec<_>>()});
        self.audit_write(
            &mut tx,
            audit::PORTAL_RECORD_CREATE,
            module,
            saved.id,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(self.present(&mask, &saved))
    }

    /// Deletes (to the recycle bin) a record in scope, when the user type allows deleting in
    /// the module. A record outside the scope answers "not found", like a missing one. With
    /// `expected_version` (the API's `If-Match`), a record changed since is
    /// [`AppError::Stale`]. The checks and the delete share one transaction.
    pub async fn delete(
        &self,
        module: &str,
        id: Id,
        expected_version: Option<i64>,
        now: portico_domain::Millis,
    ) -> Result<()> {
        if self.owner.is_none() {
            return Err(AppError::Forbidden(
                "A preview shows the portal; it deletes nothing".into(),
            ));
        }
        if !self.allows(module, Action::Delete) {
            return Err(AppError::Forbidden(format!(
                "Your portal access does not allow you to delete {module} records"
            )));
        }
        let mut tx = self.store.transaction().await?;
        let (record, m) = self.fetch(&mut tx, module, id).await?;
        if self.me.as_ref().is_some_and(|me| me.id == record.id) {
            return Err(AppError::Forbidden(
                "Your own record cannot be deleted from the portal".into(),
            ));
        }
        // The version the caller saw, checked in the delete's own transaction.
        if expected_version.is_some_and(|v| v != record.version) {
            return Err(AppError::Stale {
                current_version: record.version,
            });
        }
        tx.delete_record(self.org, m.id, id, now).await?;
        self.audit_write(
            &mut tx,
            audit::PORTAL_RECORD_DELETE,
            module,
            id,
            Map::new().into(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The shared layout `name` of a module, with its sections.
    pub fn layout(&self, module: &str, name: &str) -> Option<&Layout> {
        self.cat()
            .module_entry(module)
            .and_then(|(_, _, layouts)| layouts.iter().find(|l| l.name == name))
            .filter(|_| self.layouts(module).iter().any(|l| l == name))
    }

    /// The fields a module's record name is made of (a list shows the name once, not again
    /// as its fields).
    pub fn name_fields(&self, module: &str) -> Vec<String> {
        self.cat()
            .module(module)
            .map(|m| m.name_fields.iter().map(|f| f.to_string()).collect())
            .unwrap_or_default()
    }

    /// The API names of a related module's lookups that link its records to the portal user
    /// (set automatically on create); empty for other modules.
    pub fn link_fields(&self, module: &str) -> Vec<String> {
        match self.with_policy(|p| p.scope(module)) {
            Some(PortalScope::LinkedBy(ids)) => self
                .fields(module)
                .iter()
                .filter(|f| ids.contains(&f.id))
                .map(|f| f.api_name.to_string())
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The web tabs of this user type with their addresses, in configured order (from the
    /// catalogue: no statement).
    pub fn web_tab_links(&self) -> Vec<(String, String)> {
        let links = &self.cat().web_tab_links;
        self.web_tabs()
            .iter()
            .filter_map(|n| links.iter().find(|(name, _)| name == n))
            .cloned()
            .collect()
    }

    /// A sorted page of a module's records in scope through `layout`'s mask, with how many
    /// there are. Sorting is by the record name, by a field visible on the layout (a hidden or
    /// unknown one sorts newest first, so order never tells what a hidden field holds), or
    /// newest first. One statement for the page and its count.
    pub async fn counted_page(&self, module: &str, q: &ListQuery<'_>) -> Result<CountedScopedPage> {
        let (scope, m) = self.scope(module)?;
        let mask = self.mask(module, q.layout);
        let sort = match q.sort {
            Some("name") => RecordSort::Name,
            Some(field) if mask.is_visible(field) && self.sortable(module, field) => {
                RecordSort::Field(field)
            }
            _ => RecordSort::Newest,
        };
        let limit = q.limit.clamp(1, LIST_MAX);
        let page = |linked_to| RecordPageQuery {
            module_id: m.id,
            linked_to,
            owned_by: None,
            search: q.search,
            sort,
            descending: q.descending,
            offset: q.offset.max(0),
            limit,
        };
        let found = match (scope, &self.me) {
            (PortalScope::Own, Some(me)) => {
                let matches = q.search.and_then(search_key).is_none_or(|key| {
                    search_text(&me.display_name, me.email.as_deref()).contains(&key)
                });
                let items = if matches && q.offset <= 0 {
                    vec![me.clone()]
                } else {
                    Vec::new()
                };
                CountedPage {
                    items,
                    total: i64::from(matches),
                }
            }
            (PortalScope::LinkedBy(fields), Some(me)) => {
                self.store
                    .record_page(self.org, &page(Some((me.id, &fields[..]))))
                    .await?
            }
            (PortalScope::All, _) => self.store.record_page(self.org, &page(None)).await?,
            (_, None) => CountedPage {
                items: Vec::new(),
                total: 0,
            },
        };
        let ids: Vec<Id> = found.items.iter().map(|r| r.id).collect();
        self.audit_read(module, &ids, q.search, None).await?;
        Ok(CountedScopedPage {
            items: found.items.iter().map(|r| self.present(&mask, r)).collect(),
            total: found.total,
        })
    }

    /// Whether a list may be sorted by `field`: a single value (not a subform or a list).
    fn sortable(&self, module: &str, field: &str) -> bool {
        use portico_domain::field::FieldType as T;
        self.fields(module).iter().any(|f| {
            f.api_name.as_str() == field
                && !matches!(
                    f.field_type,
                    T::Subform { .. } | T::MultiselectPicklist { .. } | T::MultiselectLookup { .. }
                )
        })
    }
}

/// What [`ScopedRecords::counted_page`] reads: a layout's mask, a search, a sort key (`name`,
/// a field's API name, or none for newest first), and the page's offset and size.
#[derive(Debug, Clone, Copy, Default)]
pub struct ListQuery<'q> {
    pub layout: Option<&'q str>,
    pub search: Option<&'q str>,
    pub sort: Option<&'q str>,
    pub descending: bool,
    pub offset: i64,
    pub limit: i64,
}

/// One page of a portal list and how many records are in scope in all.
#[derive(Debug, Clone, PartialEq)]
pub struct CountedScopedPage {
    pub items: Vec<ScopedRecord>,
    pub total: i64,
}

impl ScopedRecords<'_> {
    // ---- the audit of the portal user's reads and writes (nothing in a preview) ----

    /// Audits a list read of `module` that showed the records `ids` (the search text and page
    /// cursor with them): one INSERT after the read. A read whose entry cannot be written
    /// fails, so nothing is shown unaudited. For every new read method of this type.
    pub(crate) async fn audit_read(
        &self,
        module: &str,
        ids: &[Id],
        search: Option<&str>,
        after: Option<Id>,
    ) -> Result<()> {
        let Some(a) = &self.audit else { return Ok(()) };
        let detail = audit::list_detail(ids, search, after);
        a.read(audit::PORTAL_RECORD_LIST, module, None, detail)
            .await
    }

    /// Audits the read of one record (as [`ScopedRecords::audit_read`]).
    pub(crate) async fn audit_view(&self, module: &str, id: Id) -> Result<()> {
        let Some(a) = &self.audit else { return Ok(()) };
        a.read(
            audit::PORTAL_RECORD_VIEW,
            module,
            Some(id),
            Map::new().into(),
        )
        .await
    }

    /// Audits a write inside its transaction `tx`, so the entry commits with the change.
    pub(crate) async fn audit_write(
        &self,
        tx: &mut Tx,
        action: &str,
        module: &str,
        id: Id,
        detail: Value,
    ) -> Result<()> {
        let Some(a) = &self.audit else { return Ok(()) };
        a.write(tx, action, module, id, detail).await
    }
}

/// The user type an admin previews: checked as an admin action first.
pub async fn preview_scope<'a>(
    ctx: &'a Context,
    actor: &CrmActor,
    portal_id: Id,
    user_type_id: Id,
    as_record: Option<Id>,
) -> Result<ScopedRecords<'a>> {
    let ut = crate::user_types::user_type(ctx, actor, portal_id, user_type_id).await?;
    ScopedRecords::open(ctx, actor.user.org_id, ut, as_record).await
}
