//! Setup → Portals: the "Get started" page, the creation wizard (name → user type → tab
//! configuration → field permissions → finish), the summary, settings and the preview. Every
//! wizard step saves what it shows, so a step can be left and resumed from the summary.

mod fields;
mod invite;
mod preview;
mod settings;
mod signups;
mod start;
mod summary;
mod tabs;
mod user_types;
mod users;

use super::form::{FormPage, FormPost, PageContext, PageRequest};
use super::{AdminSession, Chrome, PageError, PageResult, parse_id};
use crate::AppState;
use axum::Router;
use axum::extract::Path;
use axum::response::Response;
use axum::routing::{get, post};
use portico_app::AppError;
use portico_app::catalogue::OrgCatalogue;
use portico_domain::Id;
use portico_domain::module::ApiName;
use portico_domain::portal::{Portal, UserType, UserTypeConfig};

type Pairs = Vec<(String, String)>;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/setup/portals",
            get(start::start).post(start::create),
        )
        .route("/admin/setup/portals/{portal}", get(summary::summary))
        .route(
            "/admin/setup/portals/{portal}/settings",
            get(settings::settings_page).post(settings::save),
        )
        .route(
            "/admin/setup/portals/{portal}/logo",
            post(settings::upload_logo).layer(axum::extract::DefaultBodyLimit::max(
                settings::LOGO_BODY_LIMIT,
            )),
        )
        .route(
            "/admin/setup/portals/{portal}/logo/remove",
            post(settings::remove_logo),
        )
        .route(
            "/admin/setup/portals/{portal}/user-types",
            post(summary::add_user_type),
        )
        .route(
            "/admin/setup/portals/{portal}/user-types/{ut}/basics",
            get(open_step::<user_types::BasicsForm>).post(user_types::save_basics),
        )
        .route(
            "/admin/setup/portals/{portal}/user-types/{ut}/tabs",
            get(open_step::<tabs::TabsForm>).post(tabs::save),
        )
        .route(
            "/admin/setup/portals/{portal}/user-types/{ut}/fields",
            get(open_step::<fields::FieldsForm>).post(fields::save),
        )
        .route(
            "/admin/setup/portals/{portal}/user-types/{ut}/delete",
            post(summary::delete_user_type),
        )
        .route(
            "/admin/setup/portals/{portal}/preview",
            get(preview::preview_page),
        )
        .route(
            "/admin/setup/portals/{portal}/users",
            get(users::users_page),
        )
        .route(
            "/admin/setup/portals/{portal}/users/{id}/{action}",
            post(users::user_action),
        )
        .route(
            "/admin/setup/portals/{portal}/invite",
            get(invite::invite_page).post(invite::send),
        )
        .route(
            "/admin/setup/portals/{portal}/invitations/{batch}",
            get(invite::batch_page),
        )
        .route(
            "/admin/setup/portals/{portal}/invitations/{batch}/progress",
            get(invite::progress_fragment),
        )
        .route(
            "/admin/setup/portals/{portal}/domain/verify",
            post(settings::verify_domain),
        )
        .route("/admin/setup/portals/{portal}/signups", get(signups::list))
        .route(
            "/admin/setup/portals/{portal}/signups/{id}/approve",
            post(signups::approve),
        )
        .route(
            "/admin/setup/portals/{portal}/signups/{id}/reject",
            post(signups::reject),
        )
}

/// Wizard steps, shown as a progress bar while creating a portal.
pub struct Steps {
    pub on: bool,
    pub current: u8,
}

impl Steps {
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

fn ut_path(portal: Id, ut: Id, step: &str, wizard: bool) -> String {
    format!(
        "/admin/setup/portals/{portal}/user-types/{ut}/{step}{}",
        if wizard { "?wizard=1" } else { "" }
    )
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The modules whose records can be portal users.
fn personality_choices(cat: &OrgCatalogue) -> Vec<(String, String)> {
    let view = cat.view();
    cat.modules
        .iter()
        .filter(|(m, _, _)| view.can_be_personality(m.api_name.as_str()))
        .map(|(m, _, _)| (m.api_name.to_string(), m.label.clone()))
        .collect()
}

/// The seats a user-type form posted.
fn posted_seats(post: &FormPost) -> Result<i64, AppError> {
    post.value("seats")
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("seats", "invalid_number", "Seats is a whole number"))
}

/// The personality module a user-type form posted.
fn posted_personality(post: &FormPost) -> Result<ApiName, AppError> {
    ApiName::parse(post.value("personality_module")).map_err(|_| {
        AppError::invalid(
            "personality_module",
            "required",
            "Choose a personality module",
        )
    })
}

/// One step of a user type's configuration (basics, tabs, fields): the user type as saved, or
/// as just submitted.
struct UserTypeStep {
    portal_id: Id,
    ut: UserType,
    steps: Steps,
}

impl UserTypeStep {
    /// The user type named by a step's path.
    async fn load(
        state: &AppState,
        s: &AdminSession,
        (portal, ut): (String, String),
        steps: Steps,
    ) -> Result<Self, PageError> {
        let portal_id = parse_id(&portal)?;
        let ut =
            portico_app::user_types::user_type(state, &s.actor, portal_id, parse_id(&ut)?).await?;
        Ok(Self {
            portal_id,
            ut,
            steps,
        })
    }

    /// Step `n` as submitted; the form carries `_wizard=1` while in the wizard.
    async fn posted(post: &FormPost, ids: (String, String), n: u8) -> Result<Self, PageError> {
        let steps = Steps {
            on: post.value("_wizard") == "1",
            current: n,
        };
        Self::load(&post.state, &post.s, ids, steps).await
    }

    /// Saves `config` as this user type's configuration.
    async fn save(&self, post: &FormPost, config: UserTypeConfig) -> Result<UserType, AppError> {
        portico_app::user_types::replace_user_type(
            &post.state,
            &post.s.actor,
            self.portal_id,
            self.ut.id,
            config,
        )
        .await
    }

    /// Ends the submit of step page `P`: `next` answers with the saved user type (given the
    /// portal id and whether the wizard is on), or the page shows again with `shown`, the
    /// configuration submitted.
    async fn submit<P: StepPage>(
        mut self,
        post: FormPost,
        result: Result<UserType, AppError>,
        shown: UserTypeConfig,
        next: impl FnOnce(Id, UserType, bool) -> Response + Send,
    ) -> PageResult {
        let (portal_id, wizard) = (self.portal_id, self.steps.on);
        self.ut.config = shown;
        post.submit(result, |_| (P::NEW)(self), |ut| next(portal_id, ut, wizard))
            .await
    }

    /// The portal, the org's catalogue and the page chrome every step shows.
    async fn frame(
        &self,
        cx: &PageContext<'_>,
        title: impl FnOnce(&Portal) -> String,
    ) -> Result<(Portal, OrgCatalogue, Chrome), PageError> {
        let portal = portico_app::portals::portal(cx.state, &cx.s.actor, self.portal_id).await?;
        let cat = portico_app::catalogue::org_catalogue(cx.state, &cx.s.actor).await?;
        let chrome = cx
            .chrome(&title(&portal), "setup-portals")
            .await?
            .with_trail(portal_trail(&portal));
        Ok((portal, cat, chrome))
    }
}

/// The page of one step of a user type's configuration.
trait StepPage: FormPage {
    /// Its place in the wizard.
    const STEP: u8;

    /// The page showing a step.
    const NEW: fn(UserTypeStep) -> Self;
}

/// Opens a user type's step page (GET).
async fn open_step<P: StepPage>(
    Path(ids): Path<(String, String)>,
    page: PageRequest,
) -> PageResult {
    let step = UserTypeStep::load(
        &page.state,
        &page.s,
        ids,
        Steps {
            on: page.wizard,
            current: P::STEP,
        },
    )
    .await?;
    page.show((P::NEW)(step)).await
}

/// The breadcrumb of a page that belongs to a portal: the portal's summary.
pub(super) fn portal_trail(portal: &Portal) -> Vec<(String, String)> {
    vec![(
        portal.name.clone(),
        format!("/admin/setup/portals/{}", portal.id),
    )]
}
