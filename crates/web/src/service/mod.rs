//! CRM operations with access control: the one enforcement point for CRM users. The admin UI
//! and the REST API both call these functions for every record, module and setup operation;
//! handlers read the store directly only for what decorates a page (owner names, counts of
//! records the caller may list).
//!
//! Rules (see `portico_domain::access`): a module action needs the profile's permission (403
//! without it); a record outside the user's reach answers 404, exactly like a missing one;
//! setup (modules, fields, layouts, users, profiles, org settings, web tabs) is for super admins.

use crate::AppState;
use crate::error::ServiceError;
use portico_auth::{hash_password, random_token, token_hash, verify_password, verify_unknown};
use portico_domain::access::{CrmActor, ListScope};
use portico_domain::canvas::check_template;
use portico_domain::email::EmailAddress;
use portico_domain::field::{Field, LinkTarget, NewField};
use portico_domain::layout::{Layout, NewLayout};
use portico_domain::module::{DataSharing, Module, parse_label};
use portico_domain::org::{Org, OrgSettings};
use portico_domain::profile::{Action, NewProfile, Profile, User, check_password};
use portico_domain::record::{Record, RecordState, validate_data};
use portico_domain::standard::NewCustomModule;
use portico_domain::webtab::{NewWebTab, WebTab};
use portico_domain::{DomainError, FieldError, Id, Millis};
use portico_store::{ModuleSettings, NewUser, Page, RecordMeta, RecordQuery};
use serde_json::{Map, Value};
use std::collections::HashMap;

pub mod portals;

type Result<T> = std::result::Result<T, ServiceError>;

pub const PAGE_DEFAULT: i64 = 50;
pub const PAGE_MAX: i64 = 200;

fn forbidden(what: &str) -> ServiceError {
    ServiceError::Forbidden(format!("Your profile does not allow you to {what}"))
}

pub fn require_admin(actor: &CrmActor) -> Result<()> {
    if actor.user.super_admin {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "Only an administrator can do this".into(),
        ))
    }
}

/// Loads the user and profile behind a session or token; inactive users are refused.
pub async fn actor(state: &AppState, org: Id, user_id: Id) -> Result<CrmActor> {
    let user = state
        .store()
        .get_user(org, user_id)
        .await
        .map_err(|_| ServiceError::Unauthorized)?;
    if !user.active {
        return Err(ServiceError::Unauthorized);
    }
    let profile = state.store().get_profile(org, user.profile_id).await?;
    Ok(CrmActor { user, profile })
}

/// Checks an email and password, with throttling and equal cost for unknown accounts.
pub async fn check_credentials(state: &AppState, email: &str, password: &str) -> Result<User> {
    let key = email.trim().to_lowercase();
    let now = state.now();
    // The attempt counts as a failure before the slow verification, so parallel guesses cannot
    // slip past the limit; a success clears the count.
    let locked = state
        .0
        .throttle
        .lock()
        .map(|mut t| {
            let locked = t.locked_until(&key, now);
            if locked.is_none() {
                t.record_failure(&key, now);
            }
            locked
        })
        .unwrap_or(None);
    if locked.is_some() {
        return Err(ServiceError::TooManyAttempts);
    }
    let found = state.store().find_login(&key).await?;
    let password = password.to_string();
    let (ok, user) = tokio::task::spawn_blocking(move || match found {
        Some((user, hash)) => (verify_password(&password, &hash) && user.active, Some(user)),
        None => (verify_unknown(&password), None),
    })
    .await
    .map_err(|e| ServiceError::Internal(e.to_string()))?;
    if ok && let Ok(mut t) = state.0.throttle.lock() {
        t.record_success(&key);
    }
    match (ok, user) {
        (true, Some(user)) => Ok(user),
        _ => Err(ServiceError::Invalid(portico_domain::DomainError::field(
            "password",
            "invalid_credentials",
            "The email address or password is not right",
        ))),
    }
}

/// Issues an API token for a user; answers the token (shown once) and its expiry.
pub async fn issue_api_token(
    state: &AppState,
    user: &User,
    label: &str,
    ttl_ms: i64,
) -> Result<(String, Millis)> {
    let token = random_token().map_err(|e| ServiceError::Internal(e.to_string()))?;
    let now = state.now();
    let expires_at = now + ttl_ms;
    state
        .store()
        .create_api_token(
            user.org_id,
            user.id,
            &token_hash(&token),
            label,
            now,
            expires_at,
        )
        .await?;
    Ok((token, expires_at))
}

// ---- modules ----

/// A module the actor may perform `action` on (404 if it does not exist, 403 if not allowed).
pub async fn module(
    state: &AppState,
    actor: &CrmActor,
    api_name: &str,
    action: Action,
) -> Result<Module> {
    let module = state
        .store()
        .get_module(actor.user.org_id, api_name)
        .await?;
    if actor.can(&module, action) {
        Ok(module)
    } else {
        Err(forbidden(&format!("{} {}", action.as_str(), module.label)))
    }
}

/// The modules the actor may view, in menu order.
pub async fn visible_modules(state: &AppState, actor: &CrmActor) -> Result<Vec<Module>> {
    let all = state.store().list_modules(actor.user.org_id).await?;
    Ok(all
        .into_iter()
        .filter(|m| actor.can(m, Action::View))
        .collect())
}

/// A module with its fields and layouts.
pub struct ModuleDetail {
    pub module: Module,
    pub fields: Vec<Field>,
    pub layouts: Vec<Layout>,
}

pub async fn module_detail(
    state: &AppState,
    actor: &CrmActor,
    api_name: &str,
) -> Result<ModuleDetail> {
    let module = module(state, actor, api_name, Action::View).await?;
    let org = actor.user.org_id;
    let fields = state.store().list_fields(org, module.id).await?;
    let layouts = state.store().list_layouts(org, module.id).await?;
    Ok(ModuleDetail {
        module,
        fields,
        layouts,
    })
}

pub async fn create_module(
    state: &AppState,
    actor: &CrmActor,
    new: NewCustomModule,
) -> Result<Module> {
    require_admin(actor)?;
    let spec = new.into_spec()?;
    Ok(state
        .store()
        .create_module(actor.user.org_id, &spec)
        .await?)
}

pub async fn add_field(
    state: &AppState,
    actor: &CrmActor,
    api_name: &str,
    new: &NewField,
) -> Result<Field> {
    require_admin(actor)?;
    let module = state
        .store()
        .get_module(actor.user.org_id, api_name)
        .await?;
    Ok(state
        .store()
        .create_field(actor.user.org_id, module.id, new)
        .await?)
}

pub async fn add_layout(
    state: &AppState,
    actor: &CrmActor,
    api_name: &str,
    new: &NewLayout,
) -> Result<Layout> {
    require_admin(actor)?;
    let module = state
        .store()
        .get_module(actor.user.org_id, api_name)
        .await?;
    Ok(state
        .store()
        .create_layout(actor.user.org_id, module.id, new)
        .await?)
}

/// Changes to a module's settings; `None` leaves a setting as it is.
#[derive(Debug, Default)]
pub struct ModuleChanges {
    pub label: Option<String>,
    pub sharing: Option<DataSharing>,
    /// `Some(None)` removes the canvas template.
    pub canvas_template: Option<Option<String>>,
}

pub async fn update_module(
    state: &AppState,
    actor: &CrmActor,
    api_name: &str,
    changes: ModuleChanges,
) -> Result<Module> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let module = state.store().get_module(org, api_name).await?;
    let label = match changes.label {
        Some(l) => parse_label("label", &l)?,
        None => module.label.clone(),
    };
    let canvas_template = match changes.canvas_template {
        Some(t) => t.filter(|t| !t.trim().is_empty()),
        None => module.canvas_template.clone(),
    };
    if let Some(t) = &canvas_template {
        check_template(t, &state.store().list_fields(org, module.id).await?)?;
    }
    let settings = ModuleSettings {
        label,
        sharing: changes.sharing.unwrap_or(module.sharing),
        canvas_template,
    };
    Ok(state
        .store()
        .update_module(org, module.id, &settings)
        .await?)
}

// ---- records ----

fn page_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(PAGE_DEFAULT).clamp(1, PAGE_MAX)
}

pub async fn list_records(
    state: &AppState,
    actor: &CrmActor,
    api_name: &str,
    after: Option<Id>,
    limit: Option<i64>,
    search: Option<String>,
) -> Result<(Module, Page<Record>)> {
    let module = module(state, actor, api_name, Action::View).await?;
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
    let page = state
        .store()
        .list_records(actor.user.org_id, &query)
        .await?;
    Ok((module, page))
}

/// A live record the actor can see; anything else is "not found".
pub async fn get_record(
    state: &AppState,
    actor: &CrmActor,
    api_name: &str,
    id: Id,
) -> Result<(Module, Record)> {
    let module = module(state, actor, api_name, Action::View).await?;
    let record = state
        .store()
        .get_record(actor.user.org_id, module.id, id)
        .await?;
    if record.deleted_at.is_some() || !actor.sees(&module, record.owner_id) {
        return Err(ServiceError::NotFound);
    }
    Ok((module, record))
}

/// What a create or update may set besides data.
#[derive(Debug, Default, Clone, Copy)]
pub struct RecordExtras {
    pub owner_id: Option<Id>,
    pub state: Option<RecordState>,
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
    state: &AppState,
    actor: &CrmActor,
    api_name: &str,
    data: &Map<String, Value>,
    extras: RecordExtras,
) -> Result<Record> {
    let module = module(state, actor, api_name, Action::Create).await?;
    check_owner_change(actor, extras.owner_id)?;
    let org = actor.user.org_id;
    let fields = state.store().list_fields(org, module.id).await?;
    let valid = validate_data(&fields, &module.name_fields, data, None)?;
    check_visible_links(state, actor, data, &valid.links).await?;
    let owner = extras.owner_id.unwrap_or(actor.user.id);
    Ok(state
        .store()
        .create_record(
            org,
            module.id,
            owner,
            &valid,
            extras.state.unwrap_or_default(),
            state.now(),
        )
        .await?)
}

pub async fn update_record(
    state: &AppState,
    actor: &CrmActor,
    api_name: &str,
    id: Id,
    data: &Map<String, Value>,
    extras: RecordExtras,
) -> Result<Record> {
    let (module, record) = get_record(state, actor, api_name, id).await?;
    if !actor.may(&module, record.owner_id, Action::Edit) {
        return Err(forbidden(&format!("edit this {} record", module.label)));
    }
    check_owner_change(actor, extras.owner_id)?;
    let org = actor.user.org_id;
    let fields = state.store().list_fields(org, module.id).await?;
    let valid = validate_data(&fields, &module.name_fields, data, Some(&record.data))?;
    check_visible_links(state, actor, data, &valid.links).await?;
    let meta = RecordMeta {
        owner_id: extras.owner_id,
        state: extras.state,
    };
    Ok(state
        .store()
        .update_record(org, module.id, id, &valid, meta, state.now())
        .await?)
}

pub async fn delete_record(
    state: &AppState,
    actor: &CrmActor,
    api_name: &str,
    id: Id,
) -> Result<()> {
    let (module, record) = get_record(state, actor, api_name, id).await?;
    if !actor.may(&module, record.owner_id, Action::Delete) {
        return Err(forbidden(&format!("delete {} records", module.label)));
    }
    Ok(state
        .store()
        .delete_record(actor.user.org_id, module.id, id, state.now())
        .await?)
}

/// A record in the recycle bin the actor could delete (and so may restore).
async fn binned(state: &AppState, actor: &CrmActor, api_name: &str, id: Id) -> Result<Module> {
    let module = module(state, actor, api_name, Action::View).await?;
    let record = state
        .store()
        .get_record(actor.user.org_id, module.id, id)
        .await?;
    if record.deleted_at.is_none() || !actor.sees(&module, record.owner_id) {
        return Err(ServiceError::NotFound);
    }
    if !actor.may(&module, record.owner_id, Action::Delete) {
        return Err(forbidden(&format!("restore {} records", module.label)));
    }
    Ok(module)
}

pub async fn restore_record(
    state: &AppState,
    actor: &CrmActor,
    api_name: &str,
    id: Id,
) -> Result<()> {
    let module = binned(state, actor, api_name, id).await?;
    Ok(state
        .store()
        .restore_record(actor.user.org_id, module.id, id)
        .await?)
}

/// Purging is final, so only administrators may do it.
pub async fn purge_record(
    state: &AppState,
    actor: &CrmActor,
    api_name: &str,
    id: Id,
) -> Result<()> {
    require_admin(actor)?;
    let module = binned(state, actor, api_name, id).await?;
    Ok(state
        .store()
        .purge_record(actor.user.org_id, module.id, id)
        .await?)
}

/// The recycle bin (administrators see every module's deleted records).
pub async fn recycle_bin(
    state: &AppState,
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
    Ok(state
        .store()
        .list_records(actor.user.org_id, &query)
        .await?)
}

/// Names of the records among `ids` that the actor may see. Others are left out, so a page
/// shows them exactly as it shows a deleted record.
pub async fn record_names(
    state: &AppState,
    actor: &CrmActor,
    ids: Vec<Id>,
) -> Result<HashMap<Id, String>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let org = actor.user.org_id;
    let refs = state.store().record_refs(org, &ids).await?;
    let modules = state.store().list_modules(org).await?;
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

/// Lookups the caller sets must point at records the caller can see; any other target gets the
/// same 422 as a missing record, so lookups cannot probe for records out of reach. Lookups the
/// request does not touch are left alone (someone else may have set them).
async fn check_visible_links(
    state: &AppState,
    actor: &CrmActor,
    input: &Map<String, Value>,
    links: &[LinkTarget],
) -> Result<()> {
    let touched: Vec<&LinkTarget> = links
        .iter()
        .filter(|l| input.contains_key(&l.field))
        .collect();
    if touched.is_empty() || actor.user.super_admin {
        return Ok(());
    }
    let visible = record_names(state, actor, touched.iter().map(|l| l.target_id).collect()).await?;
    let mut errors: Vec<FieldError> = Vec::new();
    for link in touched {
        if !visible.contains_key(&link.target_id) && !errors.iter().any(|e| e.field == link.field) {
            errors.push(link.not_found());
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(DomainError::Invalid(errors)))
    }
}

// ---- people ----

pub async fn list_users(state: &AppState, actor: &CrmActor) -> Result<Vec<User>> {
    require_admin(actor)?;
    Ok(state.store().list_users(actor.user.org_id).await?)
}

/// A new CRM user as submitted (password in clear; hashed here).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    pub email: String,
    pub name: String,
    pub password: String,
    pub profile_id: Id,
    #[serde(default)]
    pub super_admin: bool,
}

pub async fn create_user(state: &AppState, actor: &CrmActor, input: NewUserInput) -> Result<User> {
    require_admin(actor)?;
    let user = create_user_unchecked(state, actor.user.org_id, input).await?;
    Ok(user)
}

/// Checks the password policy and hashes it off the async threads.
async fn hash(password: String) -> Result<String> {
    check_password(&password)?;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ServiceError::Internal(e.to_string()))?
        .map_err(|e| ServiceError::Internal(e.to_string()))
}

/// Creates a user without an acting admin (CLI and demo set-up).
pub async fn create_user_unchecked(state: &AppState, org: Id, input: NewUserInput) -> Result<User> {
    let email = EmailAddress::parse(&input.email)?;
    let name = parse_label("name", &input.name)?;
    let password_hash = hash(input.password).await?;
    let new = NewUser {
        email,
        name,
        password_hash,
        profile_id: input.profile_id,
        super_admin: input.super_admin,
    };
    Ok(state.store().create_user(org, &new, state.now()).await?)
}

pub async fn list_profiles(state: &AppState, actor: &CrmActor) -> Result<Vec<Profile>> {
    require_admin(actor)?;
    Ok(state.store().list_profiles(actor.user.org_id).await?)
}

async fn checked_profile(state: &AppState, org: Id, p: NewProfile) -> Result<NewProfile> {
    let modules: Vec<String> = state
        .store()
        .list_modules(org)
        .await?
        .into_iter()
        .map(|m| m.api_name.to_string())
        .collect();
    Ok(p.check(&modules)?)
}

pub async fn create_profile(state: &AppState, actor: &CrmActor, p: NewProfile) -> Result<Profile> {
    require_admin(actor)?;
    let p = checked_profile(state, actor.user.org_id, p).await?;
    Ok(state.store().create_profile(actor.user.org_id, &p).await?)
}

pub async fn update_profile(
    state: &AppState,
    actor: &CrmActor,
    id: Id,
    p: NewProfile,
) -> Result<Profile> {
    require_admin(actor)?;
    let p = checked_profile(state, actor.user.org_id, p).await?;
    Ok(state
        .store()
        .update_profile(actor.user.org_id, id, &p)
        .await?)
}

// ---- org and web tabs ----

/// Creates an org with the standard modules, the default profiles and its first administrator,
/// in one transaction: either all of it exists afterwards or none of it.
pub async fn provision_org(
    state: &AppState,
    settings: OrgSettings,
    admin: NewUserInput,
) -> Result<(Org, User)> {
    let settings = settings.check()?;
    let email = EmailAddress::parse(&admin.email)?;
    let name = parse_label("name", &admin.name)?;
    let password_hash = hash(admin.password).await?;
    let modules = portico_domain::standard::standard_modules();
    let profiles = portico_domain::standard::default_profiles(&modules);
    let admin = portico_store::NewOrgAdmin {
        email,
        name,
        password_hash,
    };
    let new = portico_store::NewOrg {
        settings,
        modules,
        profiles,
        admin: Some(admin),
    };
    let created = state.store().create_org(&new, state.now()).await?;
    let user = created
        .admin
        .ok_or_else(|| ServiceError::Internal("org created without its administrator".into()))?;
    Ok((created.org, user))
}

pub async fn org(state: &AppState, actor: &CrmActor) -> Result<Org> {
    Ok(state.store().get_org(actor.user.org_id).await?)
}

pub async fn update_org(state: &AppState, actor: &CrmActor, settings: OrgSettings) -> Result<Org> {
    require_admin(actor)?;
    let settings = settings.check()?;
    Ok(state
        .store()
        .update_org(actor.user.org_id, &settings)
        .await?)
}

pub async fn web_tabs(state: &AppState, actor: &CrmActor) -> Result<Vec<WebTab>> {
    Ok(state.store().list_web_tabs(actor.user.org_id).await?)
}

pub async fn create_web_tab(state: &AppState, actor: &CrmActor, tab: NewWebTab) -> Result<WebTab> {
    require_admin(actor)?;
    Ok(state
        .store()
        .create_web_tab(actor.user.org_id, &tab.check()?)
        .await?)
}

pub async fn delete_web_tab(state: &AppState, actor: &CrmActor, id: Id) -> Result<()> {
    require_admin(actor)?;
    Ok(state.store().delete_web_tab(actor.user.org_id, id).await?)
}
