//! CRM users: the list and the new-user form.

use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{Chrome, FormErrors, PageResult, Posted, redirect_with, render};
use askama::Template;
use portico_app::users::NewUserInput;
use portico_domain::profile::{Profile, User};

#[derive(Template)]
#[template(path = "admin/setup_users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<(User, String)>,
    profiles: Vec<Profile>,
    errors: FormErrors,
    form: Posted,
}

/// The users page, showing what was typed into its new-user form.
#[derive(Default)]
struct UsersForm(Posted);

impl FormPage for UsersForm {
    const CONFLICT_FIELD: Option<&'static str> = Some("email");

    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let users = portico_app::users::list_users(cx.state, &cx.s.actor).await?;
        let profiles = portico_app::users::list_profiles(cx.state, &cx.s.actor).await?;
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
        Ok(render(&UsersPage {
            chrome: cx.chrome("Users", "setup-users").await?,
            users,
            profiles,
            errors: cx.errors,
            form: self.0,
        }))
    }
}

pub(super) async fn list(page: PageRequest) -> PageResult {
    page.show(UsersForm::default()).await
}

pub(super) async fn create(post: FormPost) -> PageResult {
    let input = NewUserInput {
        email: post.value("email").to_string(),
        name: post.value("name").to_string(),
        password: post.value("password").to_string(),
        profile_id: post.value("profile_id").parse().unwrap_or(0),
        super_admin: post.checked("super_admin"),
    };
    let result = portico_app::users::create_user(&post.state, &post.s.actor, input).await;
    // The password is never sent back to the browser.
    let page = |posted: Posted| UsersForm(posted.without("password"));
    post.submit(result, page, |u| {
        redirect_with("/admin/setup/users", &format!("{} can now sign in", u.name))
    })
    .await
}
