//! Setup → Portals: the "Get started" page, the creation wizard (name → user type → tab
//! configuration → field permissions → finish), the summary, settings and the preview. Every
//! wizard step saves what it shows, so a step can be left and resumed from the summary.

use super::{
    AdminSession, Chrome, FlashQuery, FormErrors, PageError, PageResult, Posted, form_checked,
    form_value, parse_id, redirect_with, render, unprocessable,
};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Form, Router};
use portico_app::AppError;
use portico_app::catalogue::OrgCatalogue;
use portico_domain::Id;
use portico_domain::module::ApiName;
use portico_domain::portal::{
    FieldPermission, IDLE_TIMEOUTS, LayoutAccess, Portal, PortalSettings, PortalStatus, PortalType,
    TabModule, TabRole, TabView, UserType, UserTypeConfig,
};
use portico_domain::profile::{ModulePermissions, User};
use portico_portal::preview::Preview;
use serde::Deserialize;
use serde_json::{Map, Value, json};

type Pairs = Vec<(String, String)>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/setup/portals", get(start).post(create))
        .route("/admin/setup/portals/{portal}", get(summary))
        .route(
            "/admin/setup/portals/{portal}/settings",
            get(settings_page).post(save_settings),
        )
        .route(
            "/admin/setup/portals/{portal}/user-types",
            axum::routing::post(add_user_type),
        )
        .route(
            "/admin/setup/portals/{portal}/user-types/{ut}/basics",
            get(basics_page).post(save_basics),
        )
        .route(
            "/admin/setup/portals/{portal}/user-types/{ut}/tabs",
            get(tabs_page).post(save_tabs),
        )
        .route(
            "/admin/setup/portals/{portal}/user-types/{ut}/fields",
            get(fields_page).post(save_fields),
        )
        .route(
            "/admin/setup/portals/{portal}/user-types/{ut}/delete",
            axum::routing::post(delete_user_type),
        )
        .route("/admin/setup/portals/{portal}/preview", get(preview_page))
        .route(
            "/admin/setup/portals/{portal}/domain/verify",
            axum::routing::post(verify_domain),
        )
}

/// Wizard steps, shown as a progress bar while creating a portal.
pub struct Steps {
    pub on: bool,
    pub current: u8,
}

impl Steps {
    fn from(pairs_or_query: Option<&str>, current: u8) -> Self {
        Self {
            on: pairs_or_query == Some("1"),
            current,
        }
    }

    pub fn names(&self) -> [(u8, &'static str); 5] {
        [
            (1, "Portal name"),
            (2, "User type"),
            (3, "Tab configuration"),
            (4, "Field permissions"),
            (5, "Finish"),
        ]
    }
}

#[derive(Deserialize)]
struct WizardQuery {
    wizard: Option<String>,
    flash: Option<String>,
}

fn ut_path(portal: Id, ut: Id, step: &str, wizard: bool) -> String {
    format!(
        "/admin/setup/portals/{portal}/user-types/{ut}/{step}{}",
        if wizard { "?wizard=1" } else { "" }
    )
}

// ---- start / create ----

#[derive(Template)]
#[template(path = "admin/portals_start.html")]
struct StartPage {
    chrome: Chrome,
    portals: Vec<Portal>,
    default_name: String,
    errors: FormErrors,
    form: Posted,
    steps: Steps,
}

async fn start_view(
    state: &AppState,
    s: &AdminSession,
    errors: FormErrors,
    form: Posted,
    flash: Option<String>,
) -> PageResult {
    let portals = portico_app::portals::list_portals(state, &s.actor).await?;
    let chrome = Chrome::new(state, s, "Portals", "setup-portals")
        .await?
        .with_flash(flash);
    Ok(render(&StartPage {
        chrome,
        portals,
        default_name: s.org_name.clone(),
        errors,
        form,
        steps: Steps {
            on: true,
            current: 1,
        },
    }))
}

async fn start(
    State(state): State<AppState>,
    s: AdminSession,
    Query(q): Query<FlashQuery>,
) -> PageResult {
    start_view(
        &state,
        &s,
        FormErrors::default(),
        Posted::default(),
        q.flash,
    )
    .await
}

async fn create(
    State(state): State<AppState>,
    s: AdminSession,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    match portico_app::portals::create_portal(
        &state,
        &s.actor,
        Some(form_value(&pairs, "name").to_string()),
    )
    .await
    {
        Ok((portal, ut)) => Ok(redirect_with(
            &ut_path(portal.id, ut.id, "basics", true),
            "Portal created. Now define the user type.",
        )),
        Err(e) => {
            let e = match e {
                AppError::Conflict(m) => AppError::invalid("name", "taken", m),
                other => other,
            };
            let errors = FormErrors::from_service(e)?;
            unprocessable(start_view(&state, &s, errors, Posted(pairs.clone()), None).await)
        }
    }
}

// ---- summary ----

struct TypeRow {
    ut: UserType,
    modules: Vec<String>,
}

#[derive(Template)]
#[template(path = "admin/portal_summary.html")]
struct SummaryPage {
    chrome: Chrome,
    portal: Portal,
    url: String,
    types: Vec<TypeRow>,
    default_type: String,
    personality_modules: Vec<(String, String)>,
    granted: i64,
    used: i64,
    /// Seat grants: how many, who, when, note.
    grants: Vec<(i64, String, String, String)>,
    errors: FormErrors,
    form: Posted,
}

fn personality_choices(cat: &OrgCatalogue) -> Vec<(String, String)> {
    let view = cat.view();
    cat.modules
        .iter()
        .filter(|(m, _, _)| view.can_be_personality(m.api_name.as_str()))
        .map(|(m, _, _)| (m.api_name.to_string(), m.label.clone()))
        .collect()
}

async fn summary_view(
    state: &AppState,
    s: &AdminSession,
    portal_id: Id,
    errors: FormErrors,
    form: Posted,
    flash: Option<String>,
) -> PageResult {
    let portal = portico_app::portals::portal(state, &s.actor, portal_id).await?;
    let types = portico_app::user_types::user_types(state, &s.actor, portal_id).await?;
    let cat = portico_app::catalogue::org_catalogue(state, &s.actor).await?;
    let (granted, used) = portico_app::seats::seat_usage(state, &s.actor).await?;
    let grants = portico_app::seats::grants(state, &s.actor)
        .await?
        .into_iter()
        .map(|g| {
            (
                g.seats,
                g.granted_by,
                crate::present::human_time(g.granted_at),
                g.note,
            )
        })
        .collect();
    let label = |api: &str| {
        cat.modules
            .iter()
            .find(|(m, _, _)| m.api_name.as_str() == api)
            .map_or(api.to_string(), |(m, _, _)| m.label.clone())
    };
    let default_type = types
        .iter()
        .find(|t| Some(t.id) == portal.settings.default_user_type_id)
        .map_or("—".to_string(), |t| t.config.name.clone());
    let types = types
        .into_iter()
        .map(|ut| TypeRow {
            modules: ut
                .config
                .modules
                .iter()
                .map(|m| label(m.module.as_str()))
                .collect(),
            ut,
        })
        .collect();
    let chrome = Chrome::new(
        state,
        s,
        &format!("Portal {}", portal.name),
        "setup-portals",
    )
    .await?
    .with_flash(flash);
    Ok(render(&SummaryPage {
        chrome,
        url: format!("{}/p/{}/", state.config().base_url, portal.settings.slug),
        portal,
        types,
        default_type,
        personality_modules: personality_choices(&cat),
        granted,
        used,
        grants,
        errors,
        form,
    }))
}

async fn summary(
    State(state): State<AppState>,
    s: AdminSession,
    Path(portal): Path<String>,
    Query(q): Query<FlashQuery>,
) -> PageResult {
    summary_view(
        &state,
        &s,
        parse_id(&portal)?,
        FormErrors::default(),
        Posted::default(),
        q.flash,
    )
    .await
}

async fn add_user_type(
    State(state): State<AppState>,
    s: AdminSession,
    Path(portal): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let portal_id = parse_id(&portal)?;
    let result = async {
        let personality =
            ApiName::parse(form_value(&pairs, "personality_module")).map_err(|_| {
                AppError::invalid(
                    "personality_module",
                    "required",
                    "Choose a personality module",
                )
            })?;
        let seats: i64 = form_value(&pairs, "seats")
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("seats", "invalid_number", "Seats is a whole number"))?;
        let cat = portico_app::catalogue::org_catalogue(&state, &s.actor).await?;
        let config = UserTypeConfig::starter(
            form_value(&pairs, "name"),
            &personality,
            form_checked(&pairs, "customer"),
            seats,
            &cat.view(),
        );
        portico_app::user_types::create_user_type(&state, &s.actor, portal_id, config).await
    }
    .await;
    match result {
        Ok(ut) => Ok(redirect_with(
            &ut_path(portal_id, ut.id, "tabs", false),
            "User type added. Choose its tabs.",
        )),
        Err(e) => {
            let e = match e {
                AppError::Conflict(m) => AppError::invalid("name", "taken", m),
                other => other,
            };
            let errors = FormErrors::from_service(e)?;
            let mut r =
                summary_view(&state, &s, portal_id, errors, Posted(pairs.clone()), None).await?;
            *r.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(r)
        }
    }
}

async fn delete_user_type(
    State(state): State<AppState>,
    s: AdminSession,
    Path((portal, ut)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let portal_id = parse_id(&portal)?;
    match portico_app::user_types::delete_user_type(&state, &s.actor, portal_id, parse_id(&ut)?)
        .await
    {
        Ok(()) => Ok(redirect_with(
            &format!("/admin/setup/portals/{portal_id}"),
            "User type deleted",
        )),
        Err(AppError::Conflict(m)) => Ok(redirect_with(
            &format!("/admin/setup/portals/{portal_id}"),
            &m,
        )),
        Err(e) => Err(PageError(e)),
    }
}

/// The portal id and user type named by a wizard path.
async fn load_user_type(
    state: &AppState,
    s: &AdminSession,
    portal: &str,
    ut: &str,
) -> Result<(Id, UserType), PageError> {
    let portal_id = parse_id(portal)?;
    let ut = portico_app::user_types::user_type(state, &s.actor, portal_id, parse_id(ut)?).await?;
    Ok((portal_id, ut))
}

// ---- user type: basics ----

#[derive(Template)]
#[template(path = "admin/user_type_basics.html")]
struct BasicsPage {
    chrome: Chrome,
    portal: Portal,
    ut: UserType,
    personality_modules: Vec<(String, String)>,
    errors: FormErrors,
    steps: Steps,
}

async fn basics_view(
    state: &AppState,
    s: &AdminSession,
    portal_id: Id,
    ut: UserType,
    errors: FormErrors,
    steps: Steps,
    flash: Option<String>,
) -> PageResult {
    let portal = portico_app::portals::portal(state, &s.actor, portal_id).await?;
    let cat = portico_app::catalogue::org_catalogue(state, &s.actor).await?;
    let chrome = Chrome::new(
        state,
        s,
        &format!("{}: user type", portal.name),
        "setup-portals",
    )
    .await?
    .with_flash(flash);
    Ok(render(&BasicsPage {
        chrome,
        portal,
        ut,
        personality_modules: personality_choices(&cat),
        steps,
        errors,
    }))
}

async fn basics_page(
    State(state): State<AppState>,
    s: AdminSession,
    Path((portal, ut)): Path<(String, String)>,
    Query(q): Query<WizardQuery>,
) -> PageResult {
    let (portal_id, ut) = load_user_type(&state, &s, &portal, &ut).await?;
    basics_view(
        &state,
        &s,
        portal_id,
        ut,
        FormErrors::default(),
        Steps::from(q.wizard.as_deref(), 2),
        q.flash,
    )
    .await
}

async fn save_basics(
    State(state): State<AppState>,
    s: AdminSession,
    Path((portal, ut)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let (portal_id, current) = load_user_type(&state, &s, &portal, &ut).await?;
    let wizard = form_value(&pairs, "_wizard") == "1";
    let mut config = current.config.clone();
    config.name = form_value(&pairs, "name").to_string();
    config.active = form_checked(&pairs, "active");
    config.customer = current.is_default || form_checked(&pairs, "customer");
    let seats = form_value(&pairs, "seats").trim().parse::<i64>();
    let personality = ApiName::parse(form_value(&pairs, "personality_module"));
    let result = match (seats, personality) {
        (Err(_), _) => Err(AppError::invalid(
            "seats",
            "invalid_number",
            "Seats is a whole number",
        )),
        (_, Err(_)) => Err(AppError::invalid(
            "personality_module",
            "required",
            "Choose a personality module",
        )),
        (Ok(seats), Ok(personality)) => {
            config.seats = seats;
            if personality != config.personality_module {
                // Another personality module changes which modules are related: start afresh.
                let cat = portico_app::catalogue::org_catalogue(&state, &s.actor).await?;
                let fresh = UserTypeConfig::starter(
                    &config.name,
                    &personality,
                    config.customer,
                    seats,
                    &cat.view(),
                );
                config = UserTypeConfig {
                    active: config.active,
                    web_tabs: config.web_tabs,
                    ..fresh
                };
            }
            portico_app::user_types::replace_user_type(
                &state,
                &s.actor,
                portal_id,
                current.id,
                config.clone(),
            )
            .await
        }
    };
    match result {
        Ok(ut) => Ok(redirect_with(
            &ut_path(portal_id, ut.id, "tabs", wizard),
            "User type saved",
        )),
        Err(e) => {
            let errors = FormErrors::from_service(e)?;
            let shown = UserType { config, ..current };
            unprocessable(
                basics_view(
                    &state,
                    &s,
                    portal_id,
                    shown,
                    errors,
                    Steps {
                        on: wizard,
                        current: 2,
                    },
                    None,
                )
                .await,
            )
        }
    }
}

// ---- user type: tab configuration ----

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One module the tab configuration offers.
pub struct TabRow {
    pub api: String,
    pub label: String,
    pub on: bool,
    pub fixed: bool,
    /// Roles this module can have: (value, label, selected).
    pub roles: Vec<Choice>,
    pub perms: ModulePermissions,
    pub layouts: Vec<Choice>,
    pub canvas: bool,
    pub canvas_on: bool,
    pub lookups: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "admin/user_type_tabs.html")]
struct TabsPage {
    chrome: Chrome,
    portal: Portal,
    ut: UserType,
    rows: Vec<TabRow>,
    web_tabs: Vec<Choice>,
    errors: Vec<String>,
    steps: Steps,
}

/// The modules a user type can share: its personality module, every module with a lookup to
/// it, and every module with public data sharing.
fn tab_rows(cat: &OrgCatalogue, config: &UserTypeConfig) -> Vec<TabRow> {
    let view = cat.view();
    let personality = config.personality_module.as_str();
    let related = view.related_candidates(personality);
    cat.modules
        .iter()
        .filter(|(m, _, _)| {
            let api = m.api_name.as_str();
            api == personality || related.iter().any(|r| r == api) || m.sharing.is_public()
        })
        .map(|(m, _, layouts)| {
            let api = m.api_name.as_str();
            let tab = config.tab(api);
            let mut roles = Vec::new();
            if api == personality {
                roles.push(Choice {
                    value: "personality".into(),
                    label: "Their own record".into(),
                    selected: true,
                });
            } else {
                let current = tab.map(|t| t.role);
                if related.iter().any(|r| r == api) {
                    roles.push(Choice {
                        value: "related".into(),
                        label: "Related records".into(),
                        selected: current != Some(TabRole::Public),
                    });
                }
                if m.sharing.is_public() {
                    let only = !related.iter().any(|r| r == api);
                    roles.push(Choice {
                        value: "public".into(),
                        label: "Public (view all)".into(),
                        selected: current == Some(TabRole::Public) || only,
                    });
                }
            }
            let lookups = view.lookups_to(api, personality);
            TabRow {
                api: api.to_string(),
                label: m.label.clone(),
                on: api == personality || tab.is_some(),
                fixed: api == personality,
                perms: tab.map(|t| t.permissions).unwrap_or(ModulePermissions {
                    view: true,
                    ..Default::default()
                }),
                layouts: layouts
                    .iter()
                    .enumerate()
                    .map(|(i, l)| Choice {
                        value: l.name.clone(),
                        label: l.name.clone(),
                        selected: tab
                            .map_or(i == 0, |t| t.layouts.iter().any(|a| a.layout == l.name)),
                    })
                    .collect(),
                canvas: m.canvas_template.is_some(),
                canvas_on: tab.is_some_and(|t| t.view == TabView::Canvas),
                lookups: if lookups.len() > 1 && api != personality {
                    lookups
                        .iter()
                        .map(|l| Choice {
                            value: l.clone(),
                            label: l.replace('_', " "),
                            selected: tab.is_none_or(|t| {
                                t.lookup_fields.is_empty() || t.lookup_fields.contains(l)
                            }),
                        })
                        .collect()
                } else {
                    Vec::new()
                },
                roles,
            }
        })
        .collect()
}

async fn tabs_view(
    state: &AppState,
    s: &AdminSession,
    portal_id: Id,
    ut: UserType,
    errors: Vec<String>,
    steps: Steps,
    flash: Option<String>,
) -> PageResult {
    let portal = portico_app::portals::portal(state, &s.actor, portal_id).await?;
    let cat = portico_app::catalogue::org_catalogue(state, &s.actor).await?;
    let rows = tab_rows(&cat, &ut.config);
    let web_tabs = cat
        .web_tabs
        .iter()
        .map(|n| Choice {
            value: n.clone(),
            label: n.clone(),
            selected: ut.config.web_tabs.contains(n),
        })
        .collect();
    let chrome = Chrome::new(
        state,
        s,
        &format!("{}: tab configuration", ut.config.name),
        "setup-portals",
    )
    .await?
    .with_flash(flash);
    Ok(render(&TabsPage {
        chrome,
        portal,
        ut,
        rows,
        web_tabs,
        errors,
        steps,
    }))
}

async fn tabs_page(
    State(state): State<AppState>,
    s: AdminSession,
    Path((portal, ut)): Path<(String, String)>,
    Query(q): Query<WizardQuery>,
) -> PageResult {
    let (portal_id, ut) = load_user_type(&state, &s, &portal, &ut).await?;
    tabs_view(
        &state,
        &s,
        portal_id,
        ut,
        Vec::new(),
        Steps::from(q.wizard.as_deref(), 3),
        q.flash,
    )
    .await
}

/// A layout as first shared: every field visible; read-only unless the CRM requires it (so
/// records can still be created) or the module is public.
fn default_access(cat: &OrgCatalogue, module: &str, layout: &str, public: bool) -> LayoutAccess {
    let fields = cat
        .modules
        .iter()
        .find(|(m, _, _)| m.api_name.as_str() == module)
        .and_then(|(_, fields, layouts)| {
            layouts
                .iter()
                .find(|l| l.name == layout)
                .map(|l| (fields, l))
        })
        .map(|(fields, l)| {
            l.field_names()
                .filter_map(|n| fields.iter().find(|f| f.api_name.as_str() == n))
                .map(|f| FieldPermission {
                    field: f.api_name.to_string(),
                    visible: true,
                    read_only: public || !f.mandatory,
                    columns: None,
                })
                .collect()
        })
        .unwrap_or_default();
    LayoutAccess {
        layout: layout.to_string(),
        fields,
    }
}

fn posted_tabs(cat: &OrgCatalogue, current: &UserTypeConfig, pairs: &Pairs) -> UserTypeConfig {
    let all = |name: &str| {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let mut modules = Vec::new();
    for row in tab_rows(cat, current) {
        let api = &row.api;
        if !row.fixed && !form_checked(pairs, &format!("on.{api}")) {
            continue;
        }
        let role = match (row.fixed, form_value(pairs, &format!("role.{api}"))) {
            (true, _) => TabRole::Personality,
            (false, "public") => TabRole::Public,
            _ => TabRole::Related,
        };
        let perm = |a: &str| form_checked(pairs, &format!("perm.{api}.{a}"));
        let permissions = ModulePermissions {
            view: true,
            create: perm("create"),
            edit: perm("edit"),
            delete: perm("delete"),
        };
        let Ok(module) = ApiName::parse(api) else {
            continue;
        };
        let previous = current.tab(api);
        let layouts = all(&format!("layouts.{api}"))
            .into_iter()
            .map(|name| {
                previous
                    .filter(|p| p.role == role)
                    .and_then(|p| p.layouts.iter().find(|l| l.layout == name).cloned())
                    .unwrap_or_else(|| default_access(cat, api, &name, role == TabRole::Public))
            })
            .collect();
        modules.push(TabModule {
            module,
            role,
            permissions,
            view: if form_value(pairs, &format!("view.{api}")) == "canvas" {
                TabView::Canvas
            } else {
                TabView::List
            },
            lookup_fields: all(&format!("lookup.{api}")),
            layouts,
        });
    }
    UserTypeConfig {
        modules,
        web_tabs: all("web_tab"),
        ..current.clone()
    }
}

fn messages(e: AppError) -> Result<Vec<String>, PageError> {
    match e {
        AppError::Invalid(d) => Ok(d.errors().iter().map(|e| e.message.clone()).collect()),
        AppError::Conflict(m) => Ok(vec![m]),
        other => Err(PageError(other)),
    }
}

async fn save_tabs(
    State(state): State<AppState>,
    s: AdminSession,
    Path((portal, ut)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let (portal_id, current) = load_user_type(&state, &s, &portal, &ut).await?;
    let wizard = form_value(&pairs, "_wizard") == "1";
    let cat = portico_app::catalogue::org_catalogue(&state, &s.actor).await?;
    let config = posted_tabs(&cat, &current.config, &pairs);
    match portico_app::user_types::replace_user_type(
        &state,
        &s.actor,
        portal_id,
        current.id,
        config.clone(),
    )
    .await
    {
        Ok(ut) => Ok(redirect_with(
            &ut_path(portal_id, ut.id, "fields", wizard),
            "Tab configuration saved",
        )),
        Err(e) => {
            let shown = UserType { config, ..current };
            unprocessable(
                tabs_view(
                    &state,
                    &s,
                    portal_id,
                    shown,
                    messages(e)?,
                    Steps {
                        on: wizard,
                        current: 3,
                    },
                    None,
                )
                .await,
            )
        }
    }
}

// ---- user type: field permissions ----

pub struct FieldRow {
    pub field: String,
    pub label: String,
    pub mandatory: bool,
    pub visible: bool,
    pub read_only: bool,
}

pub struct LayoutBlock {
    pub module: String,
    pub layout: String,
    pub key: String,
    pub rows: Vec<FieldRow>,
    pub price_note: bool,
}

#[derive(Template)]
#[template(path = "admin/user_type_fields.html")]
struct FieldsPage {
    chrome: Chrome,
    portal: Portal,
    ut: UserType,
    blocks: Vec<LayoutBlock>,
    errors: Vec<String>,
    steps: Steps,
}

fn field_blocks(cat: &OrgCatalogue, config: &UserTypeConfig) -> Vec<LayoutBlock> {
    let mut blocks = Vec::new();
    for (mi, tab) in config.modules.iter().enumerate() {
        let Some((module, fields, layouts)) = cat
            .modules
            .iter()
            .find(|(m, _, _)| m.api_name == tab.module)
        else {
            continue;
        };
        for (li, access) in tab.layouts.iter().enumerate() {
            let Some(layout) = layouts.iter().find(|l| l.name == access.layout) else {
                continue;
            };
            let rows = layout
                .field_names()
                .filter_map(|n| fields.iter().find(|f| f.api_name.as_str() == n))
                .map(|f| {
                    let p = access
                        .fields
                        .iter()
                        .find(|p| p.field == f.api_name.as_str());
                    FieldRow {
                        field: f.api_name.to_string(),
                        label: f.label.clone(),
                        mandatory: f.mandatory,
                        visible: p.is_some_and(|p| p.visible),
                        read_only: p.is_some_and(|p| p.read_only),
                    }
                })
                .collect();
            blocks.push(LayoutBlock {
                module: module.label.clone(),
                layout: layout.name.clone(),
                key: format!("{mi}.{li}"),
                rows,
                price_note: module.api_name.as_str() == "Products",
            });
        }
    }
    blocks
}

async fn fields_view(
    state: &AppState,
    s: &AdminSession,
    portal_id: Id,
    ut: UserType,
    errors: Vec<String>,
    steps: Steps,
    flash: Option<String>,
) -> PageResult {
    let portal = portico_app::portals::portal(state, &s.actor, portal_id).await?;
    let cat = portico_app::catalogue::org_catalogue(state, &s.actor).await?;
    let blocks = field_blocks(&cat, &ut.config);
    let chrome = Chrome::new(
        state,
        s,
        &format!("{}: field permissions", ut.config.name),
        "setup-portals",
    )
    .await?
    .with_flash(flash);
    Ok(render(&FieldsPage {
        chrome,
        portal,
        ut,
        blocks,
        errors,
        steps,
    }))
}

async fn fields_page(
    State(state): State<AppState>,
    s: AdminSession,
    Path((portal, ut)): Path<(String, String)>,
    Query(q): Query<WizardQuery>,
) -> PageResult {
    let (portal_id, ut) = load_user_type(&state, &s, &portal, &ut).await?;
    fields_view(
        &state,
        &s,
        portal_id,
        ut,
        Vec::new(),
        Steps::from(q.wizard.as_deref(), 4),
        q.flash,
    )
    .await
}

async fn save_fields(
    State(state): State<AppState>,
    s: AdminSession,
    Path((portal, ut)): Path<(String, String)>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let (portal_id, current) = load_user_type(&state, &s, &portal, &ut).await?;
    let wizard = form_value(&pairs, "_wizard") == "1";
    let cat = portico_app::catalogue::org_catalogue(&state, &s.actor).await?;
    let mut config = current.config.clone();
    for block in field_blocks(&cat, &current.config) {
        let Some((mi, li)) = block
            .key
            .split_once('.')
            .and_then(|(a, b)| Some((a.parse::<usize>().ok()?, b.parse::<usize>().ok()?)))
        else {
            continue;
        };
        let Some(access) = config
            .modules
            .get_mut(mi)
            .and_then(|t| t.layouts.get_mut(li))
        else {
            continue;
        };
        let previous = access.fields.clone();
        access.fields = block
            .rows
            .iter()
            .filter(|r| form_checked(&pairs, &format!("v.{}.{}", block.key, r.field)))
            .map(|r| FieldPermission {
                field: r.field.clone(),
                visible: true,
                read_only: form_checked(&pairs, &format!("ro.{}.{}", block.key, r.field)),
                columns: previous
                    .iter()
                    .find(|p| p.field == r.field)
                    .and_then(|p| p.columns.clone()),
            })
            .collect();
    }
    match portico_app::user_types::replace_user_type(
        &state,
        &s.actor,
        portal_id,
        current.id,
        config.clone(),
    )
    .await
    {
        Ok(_) if wizard => Ok(redirect_with(
            &format!("/admin/setup/portals/{portal_id}"),
            "Your portal is configured. Review it below, preview it, or add more user types.",
        )),
        Ok(ut) => Ok(redirect_with(
            &ut_path(portal_id, ut.id, "fields", false),
            "Field permissions saved",
        )),
        Err(e) => {
            let shown = UserType { config, ..current };
            unprocessable(
                fields_view(
                    &state,
                    &s,
                    portal_id,
                    shown,
                    messages(e)?,
                    Steps {
                        on: wizard,
                        current: 4,
                    },
                    None,
                )
                .await,
            )
        }
    }
}

// ---- settings ----

#[derive(Template)]
#[template(path = "admin/portal_settings.html")]
struct SettingsPage {
    chrome: Chrome,
    portal: Portal,
    settings: PortalSettings,
    users: Vec<User>,
    types: Vec<UserType>,
    timeouts: Vec<(String, String, bool)>,
    errors: FormErrors,
}

async fn settings_view(
    state: &AppState,
    s: &AdminSession,
    portal: Portal,
    settings: PortalSettings,
    errors: FormErrors,
    flash: Option<String>,
) -> PageResult {
    let users = portico_app::users::list_users(state, &s.actor).await?;
    let types = portico_app::user_types::user_types(state, &s.actor, portal.id).await?;
    let current = settings.idle_timeout_minutes;
    let mut timeouts = vec![(String::new(), "Never".to_string(), current.is_none())];
    timeouts.extend(IDLE_TIMEOUTS.iter().map(|m| {
        let label = if *m < 60 {
            format!("{m} minutes")
        } else if *m == 60 {
            "1 hour".to_string()
        } else {
            format!("{} hours", m / 60)
        };
        (m.to_string(), label, current == Some(*m))
    }));
    let chrome = Chrome::new(
        state,
        s,
        &format!("{}: settings", portal.name),
        "setup-portals",
    )
    .await?
    .with_flash(flash);
    Ok(render(&SettingsPage {
        chrome,
        portal,
        settings,
        users,
        types,
        timeouts,
        errors,
    }))
}

async fn settings_page(
    State(state): State<AppState>,
    s: AdminSession,
    Path(portal): Path<String>,
    Query(q): Query<FlashQuery>,
) -> PageResult {
    let portal = portico_app::portals::portal(&state, &s.actor, parse_id(&portal)?).await?;
    let settings = portal.settings.clone();
    settings_view(&state, &s, portal, settings, FormErrors::default(), q.flash).await
}

/// The settings form as the API's settings document.
fn posted_settings(pairs: &Pairs) -> Map<String, Value> {
    let text = |k: &str| Value::String(form_value(pairs, k).to_string());
    let opt_text = |k: &str| {
        Some(form_value(pairs, k).trim())
            .filter(|v| !v.is_empty())
            .map_or(Value::Null, |v| json!(v))
    };
    let ids = |k: &str| -> Value {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .filter_map(|(_, v)| v.parse::<i64>().ok())
            .collect::<Vec<_>>()
            .into()
    };
    let number = |k: &str| {
        form_value(pairs, k)
            .parse::<i64>()
            .map_or(Value::Null, Value::from)
    };
    let mut m = Map::new();
    for k in ["status", "disabled_message", "slug", "portal_type"] {
        m.insert(k.into(), text(k));
    }
    for k in ["custom_domain", "ga_measurement_id"] {
        m.insert(k.into(), opt_text(k));
    }
    for k in [
        "notify_applicant",
        "auto_approve_contacts",
        "allow_email_change",
        "enforce_mfa",
        "ga_terms_accepted",
    ] {
        m.insert(k.into(), json!(form_checked(pairs, k)));
    }
    m.insert(
        "signup_notify_user_ids".into(),
        ids("signup_notify_user_ids"),
    );
    m.insert(
        "default_user_type_id".into(),
        number("default_user_type_id"),
    );
    m.insert(
        "idle_timeout_minutes".into(),
        number("idle_timeout_minutes"),
    );
    m.insert(
        "consent_text".into(),
        json!({
            "signup": form_value(pairs, "consent_signup"), "signin": form_value(pairs, "consent_signin"),
            "reset_password": form_value(pairs, "consent_reset_password"), "confirm_password": form_value(pairs, "consent_confirm_password"),
        }),
    );
    m
}

async fn save_settings(
    State(state): State<AppState>,
    s: AdminSession,
    Path(portal): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let portal_id = parse_id(&portal)?;
    let patch = posted_settings(&pairs);
    match portico_app::portals::update_portal(&state, &s.actor, portal_id, patch.clone()).await {
        Ok(_) => Ok(redirect_with(
            &format!("/admin/setup/portals/{portal_id}/settings"),
            "Portal settings saved",
        )),
        Err(e) => {
            let e = match e {
                AppError::Conflict(m) => AppError::invalid("slug", "taken", m),
                other => other,
            };
            let errors = FormErrors::from_service(e)?;
            let portal = portico_app::portals::portal(&state, &s.actor, portal_id).await?;
            // Show what was typed where it parses; otherwise the saved value.
            let mut merged = serde_json::to_value(&portal.settings).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut merged {
                for (k, v) in patch {
                    m.insert(k, v);
                }
            }
            let shown = serde_json::from_value(merged).unwrap_or_else(|_| portal.settings.clone());
            unprocessable(settings_view(&state, &s, portal, shown, errors, None).await)
        }
    }
}

// ---- preview ----

#[derive(Deserialize)]
struct PreviewQuery {
    user_type: Option<String>,
    record: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/portal_preview.html")]
struct PreviewPage {
    chrome: Chrome,
    portal: Portal,
    types: Vec<UserType>,
    records: Vec<Choice>,
    preview: Option<Preview>,
}

async fn preview_page(
    State(state): State<AppState>,
    s: AdminSession,
    Path(portal): Path<String>,
    Query(q): Query<PreviewQuery>,
) -> PageResult {
    let portal = portico_app::portals::portal(&state, &s.actor, parse_id(&portal)?).await?;
    let types = portico_app::user_types::user_types(&state, &s.actor, portal.id).await?;
    let chosen = q
        .user_type
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(parse_id)
        .transpose()?
        .or_else(|| types.first().map(|t| t.id));
    let record = q
        .record
        .as_deref()
        .filter(|v| !v.is_empty())
        .map(parse_id)
        .transpose()?;
    let (preview, records) = match chosen.and_then(|c| types.iter().find(|t| t.id == c)) {
        Some(ut) => {
            let (_, page) = portico_app::records::list_records(
                &state,
                &s.actor,
                ut.config.personality_module.as_str(),
                None,
                Some(200),
                None,
            )
            .await?;
            let records = page
                .items
                .iter()
                .map(|r| Choice {
                    value: r.id.to_string(),
                    label: r.display_name.clone(),
                    selected: Some(r.id) == record,
                })
                .collect();
            (
                Some(
                    portico_portal::preview::preview(&state, &s.actor, portal.id, ut.id, record)
                        .await?,
                ),
                records,
            )
        }
        None => (None, Vec::new()),
    };
    let chrome = Chrome::new(
        &state,
        &s,
        &format!("Preview of {}", portal.name),
        "setup-portals",
    )
    .await?;
    Ok(render(&PreviewPage {
        chrome,
        portal,
        types,
        records,
        preview,
    }))
}

async fn verify_domain(
    State(state): State<AppState>,
    s: AdminSession,
    Path(portal): Path<String>,
    Form(pairs): Form<Pairs>,
) -> PageResult {
    s.check_csrf(&pairs)?;
    let portal_id = parse_id(&portal)?;
    let back = format!("/admin/setup/portals/{portal_id}");
    match portico_app::portals::verify_domain(&state, &s.actor, portal_id).await {
        Ok(_) => Ok(redirect_with(
            &back,
            "Custom domain verified: the portal now answers on it",
        )),
        Err(AppError::Invalid(d)) => Ok(redirect_with(&back, &d.to_string())),
        Err(e) => Err(PageError(e)),
    }
}
