//! Setup pages for administrators: modules (fields, layouts, data sharing, canvas view), CRM
//! users and profiles, org settings, web tabs.

use super::{
    AdminSession, Chrome, FlashQuery, FormErrors, PageError, PageResult, Posted, form_checked,
    form_value, redirect_with, render,
};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use portico_app::AppError;
use portico_app::modules::ModuleChanges;
use portico_app::users::NewUserInput;
use portico_domain::field::{FieldType, NewField, SubformField};
use portico_domain::layout::{NewLayout, Section};
use portico_domain::module::{ApiName, DataSharing, Module};
use portico_domain::org::{Org, OrgSettings, TimeFormat};
use portico_domain::profile::{ModulePermissions, NewProfile, Profile, RecordScope, User};
use portico_domain::standard::NewCustomModule;
use portico_domain::webtab::{NewWebTab, WebTab};
use portico_domain::{DomainError, Id};
use std::collections::BTreeMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/setup",
            get(|| async { super::see_other("/admin/setup/modules") }),
        )
        .route("/admin/setup/modules", get(modules).post(create_module))
        .route("/admin/setup/modules/{module}", get(module_setup))
        .route(
            "/admin/setup/modules/{module}/settings",
            post(module_settings),
        )
        .route("/admin/setup/modules/{module}/fields", post(add_field))
        .route("/admin/setup/modules/{module}/layouts", post(add_layout))
        .route("/admin/setup/users", get(users).post(create_user))
        .route("/admin/setup/profiles", get(profiles).post(create_profile))
        .route(
            "/admin/setup/profiles/{id}",
            get(profile_page).post(update_profile),
        )
        .route("/admin/setup/org", get(org_page).post(update_org))
        .route("/admin/setup/web-tabs", get(web_tabs).post(create_web_tab))
        .route("/admin/setup/web-tabs/{id}/delete", post(delete_web_tab))
}

type Pairs = Vec<(String, String)>;

fn opt_text(pairs: &Pairs, name: &str) -> Option<String> {
    Some(form_value(pairs, name).trim().to_string()).filter(|s| !s.is_empty())
}

fn api_name_input(pairs: &Pairs) -> Result<Option<ApiName>, DomainError> {
    opt_text(pairs, "api_name")
        .map(|n| ApiName::parse(&n))
        .transpose()
}

fn sharing_input(pairs: &Pairs) -> Result<DataSharing, DomainError> {
    DataSharing::parse(form_value(pairs, "sharing"))
}

/// Shows a page again with its errors (status 422), or the page error for anything else.
async fn with_errors<F, Fut>(e: AppError, show: F) -> PageResult
where
    F: FnOnce(FormErrors) -> Fut,
    Fut: Future<Output = PageResult>,
{
    let errors = FormErrors::from_service(e)?;
    super::unprocessable(show(errors).await)
}

// ---- modules ----

#[derive(Template)]
#[template(path = "admin/setup_modules.html")]
struct ModulesPage {
    chrome: Chrome,
    modules: Vec<Module>,
    sharings: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    form: Posted,
}

fn sharings() -> Vec<(&'static str, &'static str)> {
    DataSharing::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect()
}

async fn modules_page(
    state: &AppState,
    s: &AdminSession,
    errors: FormErrors,
    form: Posted,
    flash: Option<String>,
) -> PageResult {
    portico_app::require_admin(&s.actor)?;
    let chrome = Chrome::new(state, s, "Modules", "setup-modules")
        .await?
        .with_flash(flash);
    let modules = portico_app::modules::all_modules(state, &s.actor).await?;
    Ok(render(&ModulesPage {
        chrome,
        modules,
        sharings: sharings(),
        errors,
        form,
    }))
}

async fn modules(
    State(state): State<AppState>,
    s: AdminSession,
    Query(q): Query<FlashQuery>,
) -> PageResult {
    modules_page(
        &state,
        &s,
        FormErrors::default(),
        Posted::default(),
        q.flash,
    )
    .await
}

async fn create_module(
    State(state): State<AppState>,
    s: AdminSession,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let input = (|| -> Result<NewCustomModule, DomainError> {
        Ok(NewCustomModule {
            api_name: api_name_input(&pairs)?,
            label: form_value(&pairs, "label").to_string(),
            sharing: Some(sharing_input(&pairs)?),
        })
    })();
    let result = match input {
        Ok(input) => portico_app::modules::create_module(&state, &s.actor, input).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(m) => Ok(redirect_with(
            &format!("/admin/setup/modules/{}", m.api_name),
            "Module created",
        )),
        Err(e) => {
            with_errors(e, |errors| {
                modules_page(&state, &s, errors, Posted(pairs.clone()), None)
            })
            .await
        }
    }
}

struct FieldRow {
    api_name: String,
    label: String,
    kind: String,
    mandatory: bool,
    details: String,
}

#[derive(Template)]
#[template(path = "admin/setup_module.html")]
struct ModulePage {
    chrome: Chrome,
    module: Module,
    fields: Vec<FieldRow>,
    layouts: Vec<(String, Vec<Section>)>,
    modules: Vec<(String, String)>,
    sharings: Vec<(&'static str, &'static str)>,
    field_types: Vec<&'static str>,
    errors: FormErrors,
    form: Posted,
    /// Which form the errors belong to: settings, field or layout.
    failed: &'static str,
}

async fn module_page(
    state: &AppState,
    s: &AdminSession,
    api: &str,
    errors: FormErrors,
    form: Posted,
    failed: &'static str,
    flash: Option<String>,
) -> PageResult {
    portico_app::require_admin(&s.actor)?;
    let d = portico_app::modules::module_detail(state, &s.actor, api).await?;
    let all = portico_app::modules::all_modules(state, &s.actor).await?;
    let fields = d
        .fields
        .iter()
        .map(|f| FieldRow {
            api_name: f.api_name.to_string(),
            label: f.label.clone(),
            kind: f.field_type.name().replace('_', " "),
            mandatory: f.mandatory,
            details: match &f.field_type {
                FieldType::Picklist { options } | FieldType::MultiselectPicklist { options } => {
                    options.join(", ")
                }
                FieldType::Lookup { target_module }
                | FieldType::MultiselectLookup { target_module } => format!("→ {target_module}"),
                FieldType::Subform { fields } => fields
                    .iter()
                    .map(|c| c.label.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => String::new(),
            },
        })
        .collect();
    let chrome = Chrome::new(
        state,
        s,
        &format!("{} setup", d.module.label),
        "setup-modules",
    )
    .await?
    .with_flash(flash);
    Ok(render(&ModulePage {
        chrome,
        fields,
        layouts: d
            .layouts
            .iter()
            .map(|l| (l.name.clone(), l.sections.clone()))
            .collect(),
        modules: all
            .iter()
            .map(|m| (m.api_name.to_string(), m.label.clone()))
            .collect(),
        sharings: sharings(),
        field_types: FieldType::NAMES.to_vec(),
        errors,
        form,
        failed,
        module: d.module,
    }))
}

async fn module_setup(
    State(state): State<AppState>,
    s: AdminSession,
    Path(module): Path<String>,
    Query(q): Query<FlashQuery>,
) -> PageResult {
    module_page(
        &state,
        &s,
        &module,
        FormErrors::default(),
        Posted::default(),
        "",
        q.flash,
    )
    .await
}

async fn module_settings(
    State(state): State<AppState>,
    s: AdminSession,
    Path(module): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let result = match sharing_input(&pairs) {
        Ok(sharing) => {
            let changes = ModuleChanges {
                label: Some(form_value(&pairs, "label").to_string()),
                sharing: Some(sharing),
                canvas_template: Some(opt_text(&pairs, "canvas_template")),
            };
            portico_app::modules::update_module(&state, &s.actor, &module, changes).await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => Ok(redirect_with(
            &format!("/admin/setup/modules/{module}"),
            "Module settings saved",
        )),
        Err(e) => {
            with_errors(e, |errors| {
                module_page(
                    &state,
                    &s,
                    &module,
                    errors,
                    Posted(pairs.clone()),
                    "settings",
                    None,
                )
            })
            .await
        }
    }
}

/// Builds a field definition from the add-field form.
fn field_input(pairs: &Pairs) -> Result<NewField, DomainError> {
    let options = || -> Vec<String> {
        form_value(pairs, "options")
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect()
    };
    let target = || {
        ApiName::parse(form_value(pairs, "target_module")).map_err(|_| {
            DomainError::field("target_module", "required", "Choose the module to look up")
        })
    };
    let field_type = match form_value(pairs, "type") {
        "text" => FieldType::Text,
        "long_text" => FieldType::LongText,
        "email" => FieldType::Email,
        "phone" => FieldType::Phone,
        "number" => FieldType::Number,
        "decimal" => FieldType::Decimal,
        "currency" => FieldType::Currency,
        "percent" => FieldType::Percent,
        "date" => FieldType::Date,
        "datetime" => FieldType::DateTime,
        "boolean" => FieldType::Boolean,
        "url" => FieldType::Url,
        "picklist" => FieldType::Picklist { options: options() },
        "multiselect_picklist" => FieldType::MultiselectPicklist { options: options() },
        "lookup" => FieldType::Lookup {
            target_module: target()?,
        },
        "multiselect_lookup" => FieldType::MultiselectLookup {
            target_module: target()?,
        },
        "subform" => {
            let columns: Vec<SubformField> = serde_json::from_str(form_value(pairs, "columns"))
                .map_err(|e| {
                    DomainError::field(
                        "fields",
                        "invalid_subform",
                        format!("Columns must be a JSON list of fields: {e}"),
                    )
                })?;
            FieldType::Subform { fields: columns }
        }
        _ => {
            return Err(DomainError::field(
                "type",
                "invalid_type",
                "Choose a field type",
            ));
        }
    };
    Ok(NewField {
        api_name: api_name_input(pairs)?,
        label: form_value(pairs, "label").to_string(),
        field_type,
        mandatory: form_checked(pairs, "mandatory"),
    })
}

async fn add_field(
    State(state): State<AppState>,
    s: AdminSession,
    Path(module): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let result = match field_input(&pairs) {
        Ok(f) => portico_app::modules::add_field(&state, &s.actor, &module, &f).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(f) => Ok(redirect_with(
            &format!("/admin/setup/modules/{module}"),
            &format!("Field {} added", f.label),
        )),
        Err(e) => {
            with_errors(e, |errors| {
                module_page(
                    &state,
                    &s,
                    &module,
                    errors,
                    Posted(pairs.clone()),
                    "field",
                    None,
                )
            })
            .await
        }
    }
}

/// Parses "Section name: Field_A, Field_B" lines.
fn sections_input(text: &str) -> Result<Vec<Section>, DomainError> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (name, fields) = line.split_once(':').ok_or_else(|| {
                DomainError::field(
                    "sections",
                    "invalid_sections",
                    format!("“{line}” needs the form Section name: Field_A, Field_B"),
                )
            })?;
            Ok(Section {
                name: name.trim().to_string(),
                fields: fields
                    .split(',')
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect(),
            })
        })
        .collect()
}

async fn add_layout(
    State(state): State<AppState>,
    s: AdminSession,
    Path(module): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let result = match sections_input(form_value(&pairs, "sections")) {
        Ok(sections) => {
            portico_app::modules::add_layout(
                &state,
                &s.actor,
                &module,
                &NewLayout {
                    name: form_value(&pairs, "name").to_string(),
                    sections,
                },
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(l) => Ok(redirect_with(
            &format!("/admin/setup/modules/{module}"),
            &format!("Layout {} added", l.name),
        )),
        Err(e) => {
            with_errors(e, |errors| {
                module_page(
                    &state,
                    &s,
                    &module,
                    errors,
                    Posted(pairs.clone()),
                    "layout",
                    None,
                )
            })
            .await
        }
    }
}

// ---- users ----

#[derive(Template)]
#[template(path = "admin/setup_users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<(User, String)>,
    profiles: Vec<Profile>,
    errors: FormErrors,
    form: Posted,
}

async fn users_page(
    state: &AppState,
    s: &AdminSession,
    errors: FormErrors,
    form: Posted,
    flash: Option<String>,
) -> PageResult {
    let users = portico_app::users::list_users(state, &s.actor).await?;
    let profiles = portico_app::users::list_profiles(state, &s.actor).await?;
    let users = users
        .into_iter()
        .map(|u| {
            let p = profiles
                .iter()
                .find(|p| p.id == u.profile_id)
                .map(|p| p.name.clone())
                .unwrap_or_default();
            (u, p)
        })
        .collect();
    let chrome = Chrome::new(state, s, "Users", "setup-users")
        .await?
        .with_flash(flash);
    Ok(render(&UsersPage {
        chrome,
        users,
        profiles,
        errors,
        form,
    }))
}

async fn users(
    State(state): State<AppState>,
    s: AdminSession,
    Query(q): Query<FlashQuery>,
) -> PageResult {
    users_page(
        &state,
        &s,
        FormErrors::default(),
        Posted::default(),
        q.flash,
    )
    .await
}

async fn create_user(
    State(state): State<AppState>,
    s: AdminSession,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let input = NewUserInput {
        email: form_value(&pairs, "email").to_string(),
        name: form_value(&pairs, "name").to_string(),
        password: form_value(&pairs, "password").to_string(),
        profile_id: form_value(&pairs, "profile_id").parse().unwrap_or(0),
        super_admin: form_checked(&pairs, "super_admin"),
    };
    match portico_app::users::create_user(&state, &s.actor, input).await {
        Ok(u) => Ok(redirect_with(
            "/admin/setup/users",
            &format!("{} can now sign in", u.name),
        )),
        Err(e) => {
            // The password is never sent back to the browser.
            let kept: Pairs = pairs
                .iter()
                .filter(|(k, _)| k != "password")
                .cloned()
                .collect();
            let e = match e {
                AppError::Conflict(m) => AppError::invalid("email", "taken", m),
                other => other,
            };
            with_errors(e, |errors| {
                users_page(&state, &s, errors, Posted(kept.clone()), None)
            })
            .await
        }
    }
}

// ---- profiles ----

#[derive(Template)]
#[template(path = "admin/setup_profiles.html")]
struct ProfilesPage {
    chrome: Chrome,
    profiles: Vec<Profile>,
    errors: FormErrors,
    form: Posted,
}

async fn profiles_page(
    state: &AppState,
    s: &AdminSession,
    errors: FormErrors,
    form: Posted,
    flash: Option<String>,
) -> PageResult {
    let profiles = portico_app::users::list_profiles(state, &s.actor).await?;
    let chrome = Chrome::new(state, s, "Profiles", "setup-profiles")
        .await?
        .with_flash(flash);
    Ok(render(&ProfilesPage {
        chrome,
        profiles,
        errors,
        form,
    }))
}

async fn profiles(
    State(state): State<AppState>,
    s: AdminSession,
    Query(q): Query<FlashQuery>,
) -> PageResult {
    profiles_page(
        &state,
        &s,
        FormErrors::default(),
        Posted::default(),
        q.flash,
    )
    .await
}

fn profile_input(pairs: &Pairs, modules: &[Module]) -> Result<NewProfile, DomainError> {
    let scope = RecordScope::parse(form_value(pairs, "scope"))?;
    let mut permissions = BTreeMap::new();
    for m in modules {
        let on = |action: &str| form_checked(pairs, &format!("perm.{}.{action}", m.api_name));
        let p = ModulePermissions {
            view: on("view"),
            create: on("create"),
            edit: on("edit"),
            delete: on("delete"),
        };
        if p != ModulePermissions::default() {
            permissions.insert(m.api_name.to_string(), p);
        }
    }
    Ok(NewProfile {
        name: form_value(pairs, "name").to_string(),
        scope,
        permissions,
    })
}

async fn create_profile(
    State(state): State<AppState>,
    s: AdminSession,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let result = match profile_input(&pairs, &[]) {
        Ok(p) => portico_app::users::create_profile(&state, &s.actor, p).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(p) => Ok(redirect_with(
            &format!("/admin/setup/profiles/{}", p.id),
            "Profile created; now choose what it allows",
        )),
        Err(e) => {
            with_errors(e, |errors| {
                profiles_page(&state, &s, errors, Posted(pairs.clone()), None)
            })
            .await
        }
    }
}

struct PermRow {
    api_name: String,
    label: String,
    perms: ModulePermissions,
}

#[derive(Template)]
#[template(path = "admin/setup_profile.html")]
struct ProfilePage {
    chrome: Chrome,
    profile: Profile,
    rows: Vec<PermRow>,
    errors: FormErrors,
}

async fn profile_view(
    state: &AppState,
    s: &AdminSession,
    id: Id,
    errors: FormErrors,
    shown: Option<NewProfile>,
    flash: Option<String>,
) -> PageResult {
    let profile = portico_app::users::list_profiles(state, &s.actor)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(PageError(AppError::NotFound))?;
    let modules = portico_app::modules::all_modules(state, &s.actor).await?;
    let source = shown
        .map(|n| Profile {
            id,
            org_id: profile.org_id,
            name: n.name,
            scope: n.scope,
            permissions: n.permissions,
        })
        .unwrap_or(profile);
    let rows = modules
        .iter()
        .map(|m| PermRow {
            api_name: m.api_name.to_string(),
            label: m.label.clone(),
            perms: source.module(m.api_name.as_str()),
        })
        .collect();
    let chrome = Chrome::new(
        state,
        s,
        &format!("Profile {}", source.name),
        "setup-profiles",
    )
    .await?
    .with_flash(flash);
    Ok(render(&ProfilePage {
        chrome,
        profile: source,
        rows,
        errors,
    }))
}

async fn profile_page(
    State(state): State<AppState>,
    s: AdminSession,
    Path(id): Path<String>,
    Query(q): Query<FlashQuery>,
) -> PageResult {
    let id = super::parse_id(&id)?;
    profile_view(&state, &s, id, FormErrors::default(), None, q.flash).await
}

async fn update_profile(
    State(state): State<AppState>,
    s: AdminSession,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let id = super::parse_id(&id)?;
    portico_app::require_admin(&s.actor)?;
    let modules = portico_app::modules::all_modules(&state, &s.actor).await?;
    let input = profile_input(&pairs, &modules);
    let result = match input.clone() {
        Ok(p) => portico_app::users::update_profile(&state, &s.actor, id, p).await,
        Err(e) => Err(e.into()),
    };
    match result {
        Ok(_) => Ok(redirect_with(
            &format!("/admin/setup/profiles/{id}"),
            "Profile saved",
        )),
        Err(e) => {
            with_errors(e, |errors| {
                profile_view(&state, &s, id, errors, input.ok(), None)
            })
            .await
        }
    }
}

// ---- org ----

#[derive(Template)]
#[template(path = "admin/setup_org.html")]
struct OrgPage {
    chrome: Chrome,
    org: OrgSettings,
    errors: FormErrors,
}

async fn org_view(
    state: &AppState,
    s: &AdminSession,
    shown: Option<OrgSettings>,
    errors: FormErrors,
    flash: Option<String>,
) -> PageResult {
    portico_app::require_admin(&s.actor)?;
    let org: Org = portico_app::org::org(state, &s.actor).await?;
    let chrome = Chrome::new(state, s, "Company settings", "setup-org")
        .await?
        .with_flash(flash);
    Ok(render(&OrgPage {
        chrome,
        org: shown.unwrap_or(org.settings),
        errors,
    }))
}

async fn org_page(
    State(state): State<AppState>,
    s: AdminSession,
    Query(q): Query<FlashQuery>,
) -> PageResult {
    org_view(&state, &s, None, FormErrors::default(), q.flash).await
}

async fn update_org(
    State(state): State<AppState>,
    s: AdminSession,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let settings = OrgSettings {
        name: form_value(&pairs, "name").to_string(),
        email_domain: form_value(&pairs, "email_domain").to_string(),
        language: form_value(&pairs, "language").to_string(),
        time_format: TimeFormat::parse(form_value(&pairs, "time_format"))
            .unwrap_or(TimeFormat::TwentyFourHour),
        time_zone: form_value(&pairs, "time_zone").to_string(),
        country: form_value(&pairs, "country").to_string(),
        gdpr_consent_required: form_checked(&pairs, "gdpr_consent_required"),
    };
    match portico_app::org::update_org(&state, &s.actor, settings.clone()).await {
        Ok(_) => Ok(redirect_with("/admin/setup/org", "Company settings saved")),
        Err(e) => {
            with_errors(e, |errors| {
                org_view(&state, &s, Some(settings), errors, None)
            })
            .await
        }
    }
}

// ---- web tabs ----

#[derive(Template)]
#[template(path = "admin/setup_web_tabs.html")]
struct WebTabsPage {
    chrome: Chrome,
    tabs: Vec<WebTab>,
    errors: FormErrors,
    form: Posted,
}

async fn web_tabs_page(
    state: &AppState,
    s: &AdminSession,
    errors: FormErrors,
    form: Posted,
    flash: Option<String>,
) -> PageResult {
    portico_app::require_admin(&s.actor)?;
    let tabs = portico_app::org::web_tabs(state, &s.actor).await?;
    let chrome = Chrome::new(state, s, "Web tabs", "setup-web-tabs")
        .await?
        .with_flash(flash);
    Ok(render(&WebTabsPage {
        chrome,
        tabs,
        errors,
        form,
    }))
}

async fn web_tabs(
    State(state): State<AppState>,
    s: AdminSession,
    Query(q): Query<FlashQuery>,
) -> PageResult {
    web_tabs_page(
        &state,
        &s,
        FormErrors::default(),
        Posted::default(),
        q.flash,
    )
    .await
}

async fn create_web_tab(
    State(state): State<AppState>,
    s: AdminSession,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let tab = NewWebTab {
        name: form_value(&pairs, "name").to_string(),
        url: form_value(&pairs, "url").to_string(),
    };
    match portico_app::org::create_web_tab(&state, &s.actor, tab).await {
        Ok(t) => Ok(redirect_with(
            "/admin/setup/web-tabs",
            &format!("Web tab {} added", t.name),
        )),
        Err(e) => {
            with_errors(e, |errors| {
                web_tabs_page(&state, &s, errors, Posted(pairs.clone()), None)
            })
            .await
        }
    }
}

async fn delete_web_tab(
    State(state): State<AppState>,
    s: AdminSession,
    Path(id): Path<String>,
    Form(pairs): Form<Pairs>,
) -> Response {
    let id = match s.check_csrf(&pairs).and_then(|()| super::parse_id(&id)) {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    match portico_app::org::delete_web_tab(&state, &s.actor, id).await {
        Ok(()) => redirect_with("/admin/setup/web-tabs", "Web tab deleted"),
        Err(e) => PageError(e).into_response(),
    }
}
