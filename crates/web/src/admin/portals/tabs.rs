//! A user type's tab configuration (wizard step 3): which modules it shares, in which role,
//! with which permissions, layouts, display and lookup filters, and which web tabs.

use super::{Choice, Pairs, StepPage, Steps, UserTypeStep, ut_path};
use crate::admin::form::{FormPage, FormPost, PageContext};
use crate::admin::{
    Chrome, FormErrors, PageResult, form_checked, form_value, redirect_with, render,
};
use askama::Template;
use axum::extract::Path;
use portico_app::catalogue::OrgCatalogue;
use portico_domain::module::ApiName;
use portico_domain::portal::{Portal, TabModule, TabRole, TabView, UserType, UserTypeConfig};
use portico_domain::profile::ModulePermissions;

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

impl TabRow {
    /// Whether the module can only be public (every record, view only): no create, edit or
    /// delete is offered.
    pub fn view_only(&self) -> bool {
        !self.fixed && self.roles.iter().all(|r| r.value == "public")
    }

    /// Whether public is one choice among others (then the form switches create, edit and
    /// delete off while public is chosen).
    pub fn may_be_public(&self) -> bool {
        self.roles.len() > 1 && self.roles.iter().any(|r| r.value == "public")
    }

    /// Whether public is one choice among others and the chosen one.
    pub fn public_now(&self) -> bool {
        self.may_be_public() && self.roles.iter().any(|r| r.value == "public" && r.selected)
    }
}

#[derive(Template)]
#[template(path = "admin/user_type_tabs.html")]
struct TabsPage {
    chrome: Chrome,
    portal: Portal,
    ut: UserType,
    rows: Vec<TabRow>,
    web_tabs: Vec<Choice>,
    errors: FormErrors,
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

pub(super) struct TabsForm(UserTypeStep);

impl StepPage for TabsForm {
    const STEP: u8 = 3;
    const NEW: fn(UserTypeStep) -> Self = Self;
}

impl FormPage for TabsForm {
    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let step = self.0;
        let title = |_: &Portal| format!("{}: tab configuration", step.ut.config.name);
        let (portal, cat, chrome) = step.frame(&cx, title).await?;
        let rows = tab_rows(&cat, &step.ut.config);
        let web_tabs = cat
            .web_tabs
            .iter()
            .map(|n| Choice {
                value: n.clone(),
                label: n.clone(),
                selected: step.ut.config.web_tabs.contains(n),
            })
            .collect();
        Ok(render(&TabsPage {
            chrome,
            portal,
            ut: step.ut,
            rows,
            web_tabs,
            errors: cx.errors,
            steps: step.steps,
        }))
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
    let view = cat.view();
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
        // Public modules are view only: the form offers nothing else for them, and a stale or
        // forged tick is not taken.
        let perm =
            |a: &str| role != TabRole::Public && form_checked(pairs, &format!("perm.{api}.{a}"));
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
            .filter_map(|name| {
                previous
                    .filter(|p| p.role == role)
                    .and_then(|p| p.layouts.iter().find(|l| l.layout == name).cloned())
                    .or_else(|| {
                        let personality = role == TabRole::Personality;
                        view.starting_access(api, &name, personality, permissions.create)
                    })
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

pub(super) async fn save(Path(ids): Path<(String, String)>, post: FormPost) -> PageResult {
    let step = UserTypeStep::posted(&post, ids, TabsForm::STEP).await?;
    let cat = portico_app::catalogue::org_catalogue(&post.state, &post.s.actor).await?;
    let config = posted_tabs(&cat, &step.ut.config, &post.pairs);
    let result = step.save(&post, config.clone()).await;
    step.submit::<TabsForm>(post, result, config, |portal, ut, wizard| {
        redirect_with(
            &ut_path(portal, ut.id, "fields", wizard),
            "Tab configuration saved",
        )
    })
    .await
}
