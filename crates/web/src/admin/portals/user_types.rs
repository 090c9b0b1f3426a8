//! A user type's basics (wizard step 2): name, personality module, seats, active, customers.

use super::{
    StepPage, Steps, UserTypeStep, personality_choices, posted_personality, posted_seats, ut_path,
};
use crate::admin::form::{FormPage, FormPost, PageContext};
use crate::admin::{Chrome, FormErrors, PageResult, redirect_with, render};
use askama::Template;
use axum::extract::Path;
use portico_domain::portal::{Portal, UserType, UserTypeConfig};

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

pub(super) struct BasicsForm(UserTypeStep);

impl StepPage for BasicsForm {
    const STEP: u8 = 2;
    const NEW: fn(UserTypeStep) -> Self = Self;
}

impl FormPage for BasicsForm {
    const CONFLICT_FIELD: Option<&'static str> = Some("name");

    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let step = self.0;
        let title = |p: &Portal| format!("{}: user type", p.name);
        let (portal, cat, chrome) = step.frame(&cx, title).await?;
        Ok(render(&BasicsPage {
            chrome,
            portal,
            ut: step.ut,
            personality_modules: personality_choices(&cat),
            errors: cx.errors,
            steps: step.steps,
        }))
    }
}

pub(super) async fn save_basics(Path(ids): Path<(String, String)>, post: FormPost) -> PageResult {
    let step = UserTypeStep::posted(&post, ids, BasicsForm::STEP).await?;
    let mut config = step.ut.config.clone();
    config.name = post.value("name").to_string();
    config.active = post.checked("active");
    config.customer = step.ut.is_default || post.checked("customer");
    let result = async {
        let seats = posted_seats(&post)?;
        let personality = posted_personality(&post)?;
        config.seats = seats;
        if personality != config.personality_module {
            // Another personality module changes which modules are related: start afresh.
            let cat = portico_app::catalogue::org_catalogue(&post.state, &post.s.actor).await?;
            let fresh = UserTypeConfig::starter(
                &config.name,
                &personality,
                config.customer,
                seats,
                &cat.view(),
            );
            config = UserTypeConfig {
                active: config.active,
                web_tabs: config.web_tabs.clone(),
                ..fresh
            };
        }
        step.save(&post, config.clone()).await
    }
    .await;
    step.submit::<BasicsForm>(post, result, config, |portal, ut, wizard| {
        redirect_with(&ut_path(portal, ut.id, "tabs", wizard), "User type saved")
    })
    .await
}
