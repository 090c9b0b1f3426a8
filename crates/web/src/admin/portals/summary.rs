//! A portal's summary: its user types, the seat pool, and the form that adds a user type.

use super::{personality_choices, posted_personality, posted_seats, ut_path};
use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{
    Chrome, FormErrors, PageError, PageResult, Posted, parse_id, redirect_with, render,
};
use askama::Template;
use axum::extract::Path;
use portico_app::AppError;
use portico_domain::Id;
use portico_domain::portal::{Portal, PortalStatus, PortalType, UserType, UserTypeConfig};

struct TypeRow {
    ut: UserType,
    modules: Vec<String>,
    /// Fields added to a shared layout since the type's permissions were saved, not shown to
    /// its users yet: "Contacts: Twitter".
    new_fields: Vec<String>,
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
    /// The org's id, for the operator's seat command.
    org_id: i64,
    /// Seat grants: how many, who, when, note.
    grants: Vec<(i64, String, String, String)>,
    errors: FormErrors,
    form: Posted,
}

/// The summary, showing what was typed into its add-user-type form.
struct SummaryForm {
    portal_id: Id,
    posted: Posted,
}

impl FormPage for SummaryForm {
    const CONFLICT_FIELD: Option<&'static str> = Some("name");

    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let (state, actor) = (cx.state, &cx.s.actor);
        let portal = portico_app::portals::portal(state, actor, self.portal_id).await?;
        let types = portico_app::user_types::user_types(state, actor, portal.id).await?;
        let cat = portico_app::catalogue::org_catalogue(state, actor).await?;
        let (granted, used) = portico_app::seats::seat_usage(state, actor).await?;
        let grants = portico_app::seats::grants(state, actor)
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
        let view = cat.view();
        let new_fields = |config: &UserTypeConfig| -> Vec<String> {
            let mut found = Vec::new();
            for tab in &config.modules {
                let module = tab.module.as_str();
                for access in &tab.layouts {
                    for f in view.unlisted_fields(module, access) {
                        found.push(format!("{}: {}", label(module), f.label));
                    }
                }
            }
            found
        };
        let types = types
            .into_iter()
            .map(|ut| TypeRow {
                new_fields: new_fields(&ut.config),
                modules: ut
                    .config
                    .modules
                    .iter()
                    .map(|m| label(m.module.as_str()))
                    .collect(),
                ut,
            })
            .collect();
        let title = format!("Portal {}", portal.name);
        Ok(render(&SummaryPage {
            chrome: cx.chrome(&title, "setup-portals").await?,
            url: format!("{}/p/{}/", state.config().base_url, portal.settings.slug),
            portal,
            types,
            default_type,
            personality_modules: personality_choices(&cat),
            granted,
            used,
            org_id: cx.s.actor.user.org_id,
            grants,
            errors: cx.errors,
            form: self.posted,
        }))
    }
}

pub(super) async fn summary(Path(portal): Path<String>, page: PageRequest) -> PageResult {
    let portal_id = parse_id(&portal)?;
    let posted = Posted::default();
    page.show(SummaryForm { portal_id, posted }).await
}

pub(super) async fn add_user_type(Path(portal): Path<String>, post: FormPost) -> PageResult {
    let portal_id = parse_id(&portal)?;
    let result = async {
        let personality = posted_personality(&post)?;
        let seats = posted_seats(&post)?;
        let cat = portico_app::catalogue::org_catalogue(&post.state, &post.s.actor).await?;
        let config = UserTypeConfig::starter(
            post.value("name"),
            &personality,
            post.checked("customer"),
            seats,
            &cat.view(),
        );
        portico_app::user_types::create_user_type(&post.state, &post.s.actor, portal_id, config)
            .await
    }
    .await;
    let page = |posted| SummaryForm { portal_id, posted };
    post.submit(result, page, |ut| {
        redirect_with(
            &ut_path(portal_id, ut.id, "tabs", true),
            "User type added. Choose its tabs.",
        )
    })
    .await
}

pub(super) async fn delete_user_type(
    Path((portal, ut)): Path<(String, String)>,
    post: FormPost,
) -> PageResult {
    let portal_id = parse_id(&portal)?;
    let back = format!("/admin/setup/portals/{portal_id}");
    let ut = parse_id(&ut)?;
    match portico_app::user_types::delete_user_type(&post.state, &post.s.actor, portal_id, ut).await
    {
        Ok(()) => Ok(redirect_with(&back, "User type deleted")),
        // A user type still in use stays; the summary says why.
        Err(AppError::Conflict(m)) => Ok(redirect_with(&back, &m)),
        Err(e) => Err(PageError(e)),
    }
}
