//! CRM users: the list, the new-user form, and each user's page to change them.

use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{Chrome, FormErrors, PageResult, Posted, parse_id, redirect_with, render};
use askama::Template;
use axum::extract::Path;
use portico_app::users::{NewUserInput, UserEdit};
use portico_domain::Id;
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

#[derive(Template)]
#[template(path = "admin/setup_user.html")]
struct UserPage {
    chrome: Chrome,
    user: User,
    profiles: Vec<Profile>,
    /// What the form shows: the saved user, or what was posted.
    form: Posted,
    errors: FormErrors,
    /// The page is the signed-in administrator's own.
    own: bool,
}

/// One user's page: the saved details, or those just submitted.
struct UserForm {
    id: Id,
    posted: Option<Posted>,
}

impl FormPage for UserForm {
    const CONFLICT_FIELD: Option<&'static str> = Some("email");

    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let (state, actor) = (cx.state, &cx.s.actor);
        let user = portico_app::users::list_users(state, actor)
            .await?
            .into_iter()
            .find(|u| u.id == self.id)
            .ok_or(crate::admin::PageError(portico_app::AppError::NotFound))?;
        let profiles = portico_app::users::list_profiles(state, actor).await?;
        let form = self.posted.unwrap_or_else(|| {
            let mut pairs = vec![
                ("name".to_string(), user.name.clone()),
                ("email".to_string(), user.email.to_string()),
                ("profile_id".to_string(), user.profile_id.to_string()),
            ];
            for (k, on) in [("super_admin", user.super_admin), ("active", user.active)] {
                if on {
                    pairs.push((k.to_string(), "true".to_string()));
                }
            }
            Posted(pairs)
        });
        Ok(render(&UserPage {
            chrome: cx.chrome(&user.name, "setup-users").await?,
            own: user.id == actor.user.id,
            user,
            profiles,
            form,
            errors: cx.errors,
        }))
    }
}

pub(super) async fn show_user(Path(id): Path<String>, page: PageRequest) -> PageResult {
    let id = parse_id(&id)?;
    page.show(UserForm { id, posted: None }).await
}

pub(super) async fn save_user(Path(id): Path<String>, post: FormPost) -> PageResult {
    let id = parse_id(&id)?;
    let edit = UserEdit {
        email: Some(post.value("email").to_string()),
        name: Some(post.value("name").to_string()),
        profile_id: Some(post.value("profile_id").parse().unwrap_or(0)),
        super_admin: Some(post.checked("super_admin")),
        active: Some(post.checked("active")),
    };
    let result = portico_app::users::update_user(&post.state, &post.s.actor, id, edit).await;
    let page = |posted| UserForm {
        id,
        posted: Some(posted),
    };
    post.submit(result, page, |u| {
        redirect_with("/admin/setup/users", &format!("{} saved", u.name))
    })
    .await
}
