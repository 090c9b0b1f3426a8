//! Portal configuration for administrators: portals, settings, user types with their tab and
//! field configuration, seats, and configuration as code. Every change is validated as a whole
//! before anything is written, saved in one transaction, and recorded in the audit log.

use super::require_admin;
use crate::AppState;
use crate::error::ServiceError;
use portico_auth::random_token;
use portico_domain::access::CrmActor;
use portico_domain::field::Field;
use portico_domain::layout::Layout;
use portico_domain::module::{ApiName, Module, parse_label};
use portico_domain::portal::{
    Catalogue, Change, DEFAULT_USER_TYPE, FREE_SEATS, PortableSettings, Portal, PortalConfigDoc,
    PortalSettings, SeatGrant, Slug, UserType, UserTypeConfig, json_diff, purchased_seats_needed,
};
use portico_domain::{DomainError, Id};
use serde_json::{Map, Value, json};

type Result<T> = std::result::Result<T, ServiceError>;

/// The org's modules with their fields and layouts, and its web tab names.
pub struct OrgCatalogue {
    pub modules: Vec<(Module, Vec<Field>, Vec<Layout>)>,
    pub web_tabs: Vec<String>,
}

impl OrgCatalogue {
    pub fn view(&self) -> Catalogue<'_> {
        Catalogue {
            modules: &self.modules,
            web_tabs: &self.web_tabs,
        }
    }
}

pub async fn catalogue(state: &AppState, org: Id) -> Result<OrgCatalogue> {
    let store = state.store();
    let mut modules = Vec::new();
    for m in store.list_modules(org).await? {
        let fields = store.list_fields(org, m.id).await?;
        let layouts = store.list_layouts(org, m.id).await?;
        modules.push((m, fields, layouts));
    }
    let web_tabs = store
        .list_web_tabs(org)
        .await?
        .into_iter()
        .map(|t| t.name)
        .collect();
    Ok(OrgCatalogue { modules, web_tabs })
}

async fn audit(state: &AppState, actor: &CrmActor, action: &str, detail: Value) -> Result<()> {
    Ok(state
        .store()
        .record_audit(
            actor.user.org_id,
            actor.user.email.as_str(),
            action,
            &detail,
            state.now(),
        )
        .await?)
}

/// Creates a portal: the name defaults to the company name and makes the address; the default
/// "Client Portal" user type (customers, Contacts) comes with it.
pub async fn create_portal(
    state: &AppState,
    actor: &CrmActor,
    name: Option<String>,
) -> Result<(Portal, UserType)> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let name = match name.filter(|n| !n.trim().is_empty()) {
        Some(n) => parse_label("name", &n)?,
        None => state.store().get_org(org).await?.settings.name,
    };
    let slug = Slug::from_name(&name).map_err(|_| {
        ServiceError::invalid(
            "name",
            "invalid_name",
            "The name needs letters or digits to make the portal address from",
        )
    })?;
    let cat = catalogue(state, org).await?;
    let contacts = ApiName::parse("Contacts")?;
    let default_type =
        UserTypeConfig::starter(DEFAULT_USER_TYPE, &contacts, true, FREE_SEATS, &cat.view())
            .check(&cat.view())?;
    let token = random_token().map_err(|e| ServiceError::Internal(e.to_string()))?;
    let settings = PortalSettings::new(slug);
    let created = state
        .store()
        .create_portal(
            org,
            &name,
            &settings,
            &token[..32],
            &default_type,
            state.now(),
        )
        .await?;
    audit(
        state,
        actor,
        "portal.create",
        json!({"portal_id": created.0.id, "name": name}),
    )
    .await?;
    Ok(created)
}

pub async fn list_portals(state: &AppState, actor: &CrmActor) -> Result<Vec<Portal>> {
    require_admin(actor)?;
    Ok(state.store().list_portals(actor.user.org_id).await?)
}

pub async fn portal(state: &AppState, actor: &CrmActor, id: Id) -> Result<Portal> {
    require_admin(actor)?;
    Ok(state.store().get_portal(actor.user.org_id, id).await?)
}

/// Checks what needs the database: the users to notify belong to the org, the default user
/// type belongs to the portal.
async fn check_settings_refs(
    state: &AppState,
    org: Id,
    portal: Id,
    s: &PortalSettings,
) -> Result<()> {
    let users = state.store().list_users(org).await?;
    let mut errors = Vec::new();
    for id in &s.signup_notify_user_ids {
        if !users.iter().any(|u| u.id == *id && u.active) {
            errors.push(portico_domain::FieldError::new(
                "signup_notify_user_ids",
                "unknown_user",
                format!("There is no active CRM user with id {id}"),
            ));
        }
    }
    if let Some(ut) = s.default_user_type_id {
        let types = state.store().list_user_types(org, portal).await?;
        if !types.iter().any(|t| t.id == ut && t.config.active) {
            errors.push(portico_domain::FieldError::new(
                "default_user_type_id",
                "unknown_user_type",
                "The default user type must be an active user type of this portal",
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(DomainError::Invalid(errors)))
    }
}

/// Changes settings: `patch` names only what changes; unknown keys are refused; the name is
/// fixed once created.
pub async fn update_portal(
    state: &AppState,
    actor: &CrmActor,
    id: Id,
    patch: Map<String, Value>,
) -> Result<Portal> {
    let current = portal(state, actor, id).await?;
    if let Some(name) = patch.get("name")
        && name.as_str() != Some(current.name.as_str())
    {
        return Err(ServiceError::invalid(
            "name",
            "name_fixed",
            "A portal's name cannot be changed once it is created",
        ));
    }
    // Parse the address first, so a bad one is reported against `slug`, not the body.
    if let Some(slug) = patch.get("slug") {
        Slug::parse(slug.as_str().unwrap_or(""))?;
    }
    let mut merged = serde_json::to_value(&current.settings)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    if let Value::Object(m) = &mut merged {
        for (k, v) in patch.iter().filter(|(k, _)| k.as_str() != "name") {
            if !m.contains_key(k) {
                return Err(ServiceError::invalid(
                    k,
                    "unknown_field",
                    format!("There is no portal setting {k}"),
                ));
            }
            m.insert(k.clone(), v.clone());
        }
    }
    let settings: PortalSettings =
        serde_json::from_value(merged).map_err(|e| crate::error::body_error(&e.to_string()))?;
    let settings = settings.check()?;
    check_settings_refs(state, actor.user.org_id, id, &settings).await?;
    let updated = state
        .store()
        .update_portal_settings(actor.user.org_id, id, &settings)
        .await?;
    let changed: Vec<&String> = patch.keys().collect();
    audit(
        state,
        actor,
        "portal.settings",
        json!({"portal_id": id, "changed": changed}),
    )
    .await?;
    Ok(updated)
}

pub async fn user_types(
    state: &AppState,
    actor: &CrmActor,
    portal_id: Id,
) -> Result<Vec<UserType>> {
    portal(state, actor, portal_id).await?;
    Ok(state
        .store()
        .list_user_types(actor.user.org_id, portal_id)
        .await?)
}

pub async fn user_type(
    state: &AppState,
    actor: &CrmActor,
    portal_id: Id,
    id: Id,
) -> Result<UserType> {
    require_admin(actor)?;
    Ok(state
        .store()
        .get_user_type(actor.user.org_id, portal_id, id)
        .await?)
}

/// Seats granted to the org, and seats taken from them by the user types `counts` keeps (the
/// one being saved, or the portal being imported, is left out by the caller).
async fn seat_pool(
    state: &AppState,
    org: Id,
    counts: impl Fn(&UserType) -> bool,
) -> Result<(i64, i64)> {
    let granted: i64 = state
        .store()
        .seat_grants(org)
        .await?
        .iter()
        .map(|g| g.seats)
        .sum();
    let used: i64 = state
        .store()
        .all_user_types(org)
        .await?
        .iter()
        .filter(|t| counts(t))
        .map(|t| purchased_seats_needed(&t.config, t.is_default))
        .sum();
    Ok((granted, used))
}

async fn check_seats(
    state: &AppState,
    org: Id,
    config: &UserTypeConfig,
    is_default: bool,
    except: Option<Id>,
) -> Result<()> {
    if !is_default && config.seats < 1 {
        return Err(ServiceError::invalid(
            "seats",
            "seat_limit",
            "A user type other than Client Portal needs at least one purchased seat",
        ));
    }
    let needed = purchased_seats_needed(config, is_default);
    let (granted, used) = seat_pool(state, org, |t| Some(t.id) != except).await?;
    if needed > granted - used {
        return Err(ServiceError::invalid(
            "seats",
            "seat_limit",
            format!(
                "Not enough seats: this needs {needed} purchased seats and {} of {granted} are free. The operator grants more with `portico seats grant`",
                (granted - used).max(0)
            ),
        ));
    }
    Ok(())
}

pub async fn create_user_type(
    state: &AppState,
    actor: &CrmActor,
    portal_id: Id,
    config: UserTypeConfig,
) -> Result<UserType> {
    portal(state, actor, portal_id).await?;
    let org = actor.user.org_id;
    let cat = catalogue(state, org).await?;
    let config = config.check(&cat.view())?;
    check_seats(state, org, &config, false, None).await?;
    let ut = state
        .store()
        .create_user_type(org, portal_id, &config, state.now())
        .await?;
    audit(
        state,
        actor,
        "portal.user_type.create",
        json!({"portal_id": portal_id, "user_type_id": ut.id, "name": config.name}),
    )
    .await?;
    Ok(ut)
}

/// Replaces a user type's whole tab and field configuration.
pub async fn replace_user_type(
    state: &AppState,
    actor: &CrmActor,
    portal_id: Id,
    id: Id,
    config: UserTypeConfig,
) -> Result<UserType> {
    let current = user_type(state, actor, portal_id, id).await?;
    let org = actor.user.org_id;
    let cat = catalogue(state, org).await?;
    let config = config.check(&cat.view())?;
    if current.is_default && !config.customer {
        return Err(ServiceError::invalid(
            "customer",
            "default_is_customer",
            "The default user type is for customers",
        ));
    }
    check_seats(state, org, &config, current.is_default, Some(id)).await?;
    let ut = state
        .store()
        .replace_user_type(org, portal_id, id, &config)
        .await?;
    audit(
        state,
        actor,
        "portal.user_type.update",
        json!({"portal_id": portal_id, "user_type_id": id, "name": config.name}),
    )
    .await?;
    Ok(ut)
}

pub async fn delete_user_type(
    state: &AppState,
    actor: &CrmActor,
    portal_id: Id,
    id: Id,
) -> Result<()> {
    user_type(state, actor, portal_id, id).await?;
    state
        .store()
        .delete_user_type(actor.user.org_id, portal_id, id)
        .await?;
    audit(
        state,
        actor,
        "portal.user_type.delete",
        json!({"portal_id": portal_id, "user_type_id": id}),
    )
    .await
}

/// The portal's configuration as one portable document.
pub async fn export_config(
    state: &AppState,
    actor: &CrmActor,
    portal_id: Id,
) -> Result<PortalConfigDoc> {
    let p = portal(state, actor, portal_id).await?;
    let org = actor.user.org_id;
    let types = state.store().list_user_types(org, portal_id).await?;
    let users = state.store().list_users(org).await?;
    let s = p.settings;
    let settings = PortableSettings {
        status: s.status,
        disabled_message: s.disabled_message,
        portal_type: s.portal_type,
        signup_notify_users: s
            .signup_notify_user_ids
            .iter()
            .filter_map(|id| {
                users
                    .iter()
                    .find(|u| u.id == *id)
                    .map(|u| u.email.to_string())
            })
            .collect(),
        notify_applicant: s.notify_applicant,
        auto_approve_contacts: s.auto_approve_contacts,
        default_user_type: s.default_user_type_id.and_then(|id| {
            types
                .iter()
                .find(|t| t.id == id)
                .map(|t| t.config.name.clone())
        }),
        allow_email_change: s.allow_email_change,
        enforce_mfa: s.enforce_mfa,
        idle_timeout_minutes: s.idle_timeout_minutes,
        ga_measurement_id: s.ga_measurement_id,
        ga_terms_accepted: s.ga_terms_accepted,
        consent_text: s.consent_text,
    };
    Ok(PortalConfigDoc {
        settings,
        user_types: types.into_iter().map(|t| t.config).collect(),
    })
}

/// Imports a configuration document: with `dry_run`, answers the differences without changing
/// anything; otherwise checks everything and applies it in one transaction, answering the
/// differences applied.
pub async fn import_config(
    state: &AppState,
    actor: &CrmActor,
    portal_id: Id,
    doc: PortalConfigDoc,
    dry_run: bool,
) -> Result<Vec<Change>> {
    let current_doc = export_config(state, actor, portal_id).await?;
    let p = state
        .store()
        .get_portal(actor.user.org_id, portal_id)
        .await?;
    let org = actor.user.org_id;
    let cat = catalogue(state, org).await?;
    let existing = state.store().list_user_types(org, portal_id).await?;
    // Check every user type, the seats and the settings before anything is written.
    let mut checked = Vec::with_capacity(doc.user_types.len());
    let mut errors = Vec::new();
    let mut needed = 0;
    for (i, config) in doc.user_types.iter().enumerate() {
        match config.clone().check(&cat.view()) {
            Ok(c) => {
                let is_default = existing
                    .iter()
                    .any(|t| t.is_default && t.config.name.to_lowercase() == c.name.to_lowercase());
                needed += purchased_seats_needed(&c, is_default);
                checked.push(c);
            }
            Err(e) => errors.extend(e.errors().iter().map(|f| {
                portico_domain::FieldError::new(
                    format!("user_types[{i}].{}", f.field),
                    f.code,
                    f.message.clone(),
                )
            })),
        }
    }
    let users = state.store().list_users(org).await?;
    let s = &doc.settings;
    let mut notify = Vec::new();
    for email in &s.signup_notify_users {
        match users
            .iter()
            .find(|u| u.email.as_str().eq_ignore_ascii_case(email))
        {
            Some(u) => notify.push(u.id),
            None => errors.push(portico_domain::FieldError::new(
                "settings.signup_notify_users",
                "unknown_user",
                format!("There is no CRM user {email} in this org"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(DomainError::Invalid(errors)));
    }
    let settings = PortalSettings {
        status: s.status,
        disabled_message: s.disabled_message.clone(),
        slug: p.settings.slug.clone(),
        custom_domain: p.settings.custom_domain.clone(),
        portal_type: s.portal_type,
        signup_notify_user_ids: notify,
        notify_applicant: s.notify_applicant,
        auto_approve_contacts: s.auto_approve_contacts,
        default_user_type_id: None,
        allow_email_change: s.allow_email_change,
        enforce_mfa: s.enforce_mfa,
        idle_timeout_minutes: s.idle_timeout_minutes,
        ga_measurement_id: s.ga_measurement_id.clone(),
        ga_terms_accepted: s.ga_terms_accepted,
        consent_text: s.consent_text.clone(),
    }
    .check()?;
    let (granted, others) = seat_pool(state, org, |t| t.portal_id != portal_id).await?;
    if needed > granted - others {
        return Err(ServiceError::invalid(
            "user_types",
            "seat_limit",
            format!(
                "The configuration needs {needed} purchased seats; {} are free",
                (granted - others).max(0)
            ),
        ));
    }
    let normalised = PortalConfigDoc {
        settings: doc.settings.clone(),
        user_types: checked.clone(),
    };
    let before =
        serde_json::to_value(&current_doc).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let after =
        serde_json::to_value(&normalised).map_err(|e| ServiceError::Internal(e.to_string()))?;
    let changes = json_diff(&before, &after);
    if dry_run || changes.is_empty() {
        return Ok(changes);
    }
    state
        .store()
        .apply_portal_config(
            org,
            portal_id,
            &settings,
            doc.settings.default_user_type.as_deref(),
            &checked,
            state.now(),
        )
        .await?;
    audit(
        state,
        actor,
        "portal.config.import",
        json!({"portal_id": portal_id, "changes": changes.len()}),
    )
    .await?;
    Ok(changes)
}

/// Grants purchased seats to an org (the operator's CLI; recorded with who and when).
pub async fn grant_seats(
    state: &AppState,
    org: Id,
    seats: i64,
    granted_by: &str,
    note: &str,
) -> Result<SeatGrant> {
    if !(1..=1_000_000).contains(&seats) {
        return Err(ServiceError::invalid(
            "seats",
            "invalid_seats",
            "Grant between 1 and 1,000,000 seats",
        ));
    }
    state.store().get_org(org).await?;
    let grant = state
        .store()
        .grant_seats(org, seats, granted_by, note, state.now())
        .await?;
    state
        .store()
        .record_audit(
            org,
            granted_by,
            "seats.grant",
            &json!({"seats": seats, "note": note}),
            state.now(),
        )
        .await?;
    Ok(grant)
}

/// Seats granted and taken by user types across the org's portals.
pub async fn seat_usage(state: &AppState, actor: &CrmActor) -> Result<(i64, i64)> {
    require_admin(actor)?;
    seat_pool(state, actor.user.org_id, |_| true).await
}

/// One tab of a preview: what the portal user sees in it.
pub struct PreviewTab {
    pub module: String,
    pub label: String,
    pub role: &'static str,
    pub view: &'static str,
    pub actions: Vec<&'static str>,
    pub layout: String,
    pub columns: Vec<String>,
    pub rows: Vec<PreviewRow>,
    /// Labels of the fields the portal user may change on this layout.
    pub writable: Vec<String>,
}

pub struct PreviewRow {
    pub id: Id,
    pub cells: Vec<String>,
}

/// The portal as one user type sees it, optionally as the portal user whose personality record
/// is `as_record` (their real records).
pub struct Preview {
    pub user_type: UserType,
    pub as_record: Option<(Id, String)>,
    pub tabs: Vec<PreviewTab>,
    pub web_tabs: Vec<(String, String)>,
}

const PREVIEW_ROWS: i64 = 50;

/// Builds a read-only preview through the portal access policy, and audits it.
pub async fn preview(
    state: &AppState,
    actor: &CrmActor,
    portal_id: Id,
    user_type_id: Id,
    as_record: Option<Id>,
) -> Result<Preview> {
    use portico_domain::canvas::display_value;
    use portico_domain::portal::{TabRole, TabView};
    use portico_domain::portal_access::{PortalPolicy, PortalScope};
    use portico_domain::profile::Action;
    use portico_store::RecordQuery;

    let ut = user_type(state, actor, portal_id, user_type_id).await?;
    let org = actor.user.org_id;
    let cat = catalogue(state, org).await?;
    let view = cat.view();
    let policy = PortalPolicy::new(&ut.config, &view);
    let module_of = |name: &str| {
        cat.modules
            .iter()
            .find(|(m, _, _)| m.api_name.as_str() == name)
    };
    let personality =
        module_of(ut.config.personality_module.as_str()).ok_or(ServiceError::NotFound)?;
    let me = match as_record {
        Some(id) => {
            let r = state.store().get_record(org, personality.0.id, id).await?;
            if r.deleted_at.is_some() {
                return Err(ServiceError::NotFound);
            }
            Some(r)
        }
        None => None,
    };
    // First the records of every tab, then the cells: a lookup shows a name only when its
    // target is itself among the records this portal user reaches.
    let mut fetched = Vec::new();
    for tab in policy.tabs() {
        let Some((module, fields, _)) = module_of(&tab.module) else {
            continue;
        };
        let records = match (policy.scope(&tab.module), &me) {
            (Some(PortalScope::Own), Some(r)) => vec![r.clone()],
            (Some(PortalScope::LinkedBy(ids)), Some(r)) => {
                state
                    .store()
                    .linked_records(org, r.id, &ids, None, PREVIEW_ROWS)
                    .await?
                    .items
            }
            (Some(PortalScope::All), _) => {
                let q = RecordQuery {
                    module_id: Some(module.id),
                    limit: PREVIEW_ROWS,
                    ..Default::default()
                };
                state.store().list_records(org, &q).await?.items
            }
            _ => Vec::new(),
        };
        fetched.push((tab, fields, records));
    }
    let reachable: std::collections::HashMap<Id, String> = fetched
        .iter()
        .flat_map(|(_, _, rs)| rs.iter().map(|r| (r.id, r.display_name.clone())))
        .collect();
    let mut tabs = Vec::new();
    for (tab, fields, records) in fetched {
        let layout = policy
            .layouts(&tab.module)
            .into_iter()
            .next()
            .unwrap_or_default();
        let visible: Vec<&Field> = policy
            .visible_fields(&tab.module, &layout)
            .iter()
            .filter_map(|n| fields.iter().find(|f| f.api_name.as_str() == n))
            .collect();
        let cell = |f: &Field, v: Option<&Value>| match (
            f.field_type.lookup_target(),
            v.and_then(Value::as_i64),
        ) {
            (Some(_), Some(id)) => reachable
                .get(&id)
                .cloned()
                .unwrap_or_else(|| format!("#{id}")),
            _ => display_value(v),
        };
        let rows = records
            .iter()
            .map(|r| PreviewRow {
                id: r.id,
                cells: visible
                    .iter()
                    .map(|f| cell(f, r.data.get(f.api_name.as_str())))
                    .collect(),
            })
            .collect();
        let actions = [Action::View, Action::Create, Action::Edit, Action::Delete]
            .into_iter()
            .filter(|a| policy.allows(&tab.module, *a))
            .map(Action::as_str)
            .collect();
        tabs.push(PreviewTab {
            role: match tab.role {
                TabRole::Personality => "My record",
                TabRole::Related => "Related",
                TabRole::Public => "Public",
            },
            view: if tab.view == TabView::Canvas {
                "Canvas view"
            } else {
                "List view"
            },
            actions,
            writable: policy
                .writable_fields(&tab.module, &layout)
                .iter()
                .filter_map(|n| {
                    fields
                        .iter()
                        .find(|f| f.api_name.as_str() == n)
                        .map(|f| f.label.clone())
                })
                .collect(),
            columns: visible.iter().map(|f| f.label.clone()).collect(),
            rows,
            layout,
            label: tab.label,
            module: tab.module,
        });
    }
    let urls = state.store().list_web_tabs(org).await?;
    let web_tabs = policy
        .web_tabs()
        .iter()
        .filter_map(|n| {
            urls.iter()
                .find(|t| &t.name == n)
                .map(|t| (t.name.clone(), t.url.clone()))
        })
        .collect();
    audit(
        state,
        actor,
        "portal.preview",
        json!({"portal_id": portal_id, "user_type_id": user_type_id, "as_record": as_record}),
    )
    .await?;
    Ok(Preview {
        as_record: me.map(|r| (r.id, r.display_name)),
        user_type: ut,
        tabs,
        web_tabs,
    })
}

/// Looks up `_portico.{custom_domain}` and marks the domain verified when a TXT record holds the
/// portal's token; otherwise unverified, with what was found. An unverified domain serves nothing.
pub async fn verify_domain(state: &AppState, actor: &CrmActor, portal_id: Id) -> Result<Portal> {
    let p = portal(state, actor, portal_id).await?;
    let Some(domain) = p.settings.custom_domain.clone() else {
        return Err(ServiceError::invalid(
            "custom_domain",
            "required",
            "Set a custom domain before verifying it",
        ));
    };
    let resolver = state.config().dns_resolver.ok_or_else(|| {
        ServiceError::Internal("no DNS resolver configured (--dns-resolver)".into())
    })?;
    let name = format!("_portico.{domain}");
    let found = crate::dns::txt_records(resolver, &name)
        .await
        .map_err(|e| {
            ServiceError::invalid(
                "custom_domain",
                "dns_error",
                format!("Could not look up {name}: {e}"),
            )
        })?;
    let verified = found.iter().any(|t| t.trim() == p.domain_token);
    state
        .store()
        .set_domain_verified(actor.user.org_id, portal_id, verified)
        .await?;
    audit(
        state,
        actor,
        "portal.domain.verify",
        json!({"portal_id": portal_id, "domain": domain, "verified": verified}),
    )
    .await?;
    if !verified {
        let seen = if found.is_empty() {
            "no TXT record".to_string()
        } else {
            format!("only {}", found.join(", "))
        };
        return Err(ServiceError::invalid(
            "custom_domain",
            "domain_not_verified",
            format!(
                "{name} must have a TXT record with the value {}; DNS has {seen}",
                p.domain_token
            ),
        ));
    }
    Ok(state
        .store()
        .get_portal(actor.user.org_id, portal_id)
        .await?)
}
