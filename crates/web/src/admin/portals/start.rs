//! "Get started": the portals of the org and the form that creates one (wizard step 1).

use super::{Steps, ut_path};
use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{Chrome, FormErrors, PageResult, Posted, redirect_with, render};
use askama::Template;
use portico_domain::portal::{Portal, PortalStatus, PortalType};

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

/// The start page, showing what was typed into its new-portal form.
#[derive(Default)]
struct StartForm(Posted);

impl FormPage for StartForm {
    const CONFLICT_FIELD: Option<&'static str> = Some("name");

    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let portals = portico_app::portals::list_portals(cx.state, &cx.s.actor).await?;
        Ok(render(&StartPage {
            chrome: cx.chrome("Portals", "setup-portals").await?,
            portals,
            default_name: cx.s.org_name.clone(),
            errors: cx.errors,
            form: self.0,
            steps: Steps {
                on: true,
                current: 1,
            },
        }))
    }
}

pub(super) async fn start(page: PageRequest) -> PageResult {
    page.show(StartForm::default()).await
}

pub(super) async fn create(post: FormPost) -> PageResult {
    let name = post.value("name").to_string();
    let result = portico_app::portals::create_portal(&post.state, &post.s.actor, Some(name)).await;
    post.submit(result, StartForm, |(portal, ut)| {
        redirect_with(
            &ut_path(portal.id, ut.id, "basics", true),
            "Portal created. Now define the user type.",
        )
    })
    .await
}
