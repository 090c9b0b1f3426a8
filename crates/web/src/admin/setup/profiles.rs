//! Profiles: the list with the new-profile form, and one profile's permissions.

use super::Pairs;
use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{
    Chrome, FormErrors, PageError, PageResult, Posted, form_checked, form_value, parse_id,
    redirect_with, render,
};
use askama::Template;
use axum::extract::Path;
use portico_app::AppError;
use portico_domain::module::Module;
use portico_domain::profile::{ModulePermissions, NewProfile, Profile, RecordScope};
use portico_domain::{DomainError, Id};
use std::collections::BTreeMap;

#[derive(Template)]
#[template(path = "admin/setup_profiles.html")]
struct ProfilesPage {
    chrome: Chrome,
    profiles: Vec<Profile>,
    errors: FormErrors,
    form: Posted,
}

/// The profiles page, showing what was typed into its new-profile form.
#[derive(Default)]
struct ProfilesForm(Posted);

impl FormPage for ProfilesForm {
    const CONFLICT_FIELD: Option<&'static str> = Some("name");

    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let profiles = portico_app::users::list_profiles(cx.state, &cx.s.actor).await?;
        Ok(render(&ProfilesPage {
            chrome: cx.chrome("Profiles", "setup-profiles").await?,
            profiles,
            errors: cx.errors,
            form: self.0,
        }))
    }
}

pub(super) async fn list(page: PageRequest) -> PageResult {
    page.show(ProfilesForm::default()).await
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

pub(super) async fn create(post: FormPost) -> PageResult {
    let result = async {
        let p = profile_input(&post.pairs, &[])?;
        portico_app::users::create_profile(&post.state, &post.s.actor, p).await
    }
    .await;
    post.submit(result, ProfilesForm, |p| {
        redirect_with(
            &format!("/admin/setup/profiles/{}", p.id),
            "Profile created; now choose what it allows",
        )
    })
    .await
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

/// One profile's page: as saved, or as just submitted.
struct ProfileForm {
    id: Id,
    shown: Option<NewProfile>,
}

impl FormPage for ProfileForm {
    const CONFLICT_FIELD: Option<&'static str> = Some("name");

    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let id = self.id;
        let profile = portico_app::users::list_profiles(cx.state, &cx.s.actor)
            .await?
            .into_iter()
            .find(|p| p.id == id)
            .ok_or(PageError(AppError::NotFound))?;
        let modules = portico_app::modules::all_modules(cx.state, &cx.s.actor).await?;
        let source = self
            .shown
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
        let title = format!("Profile {}", source.name);
        Ok(render(&ProfilePage {
            chrome: cx.chrome(&title, "setup-profiles").await?,
            profile: source,
            rows,
            errors: cx.errors,
        }))
    }
}

pub(super) async fn show_profile(Path(id): Path<String>, page: PageRequest) -> PageResult {
    let id = parse_id(&id)?;
    page.show(ProfileForm { id, shown: None }).await
}

pub(super) async fn update(Path(id): Path<String>, post: FormPost) -> PageResult {
    let id = parse_id(&id)?;
    portico_app::require_admin(&post.s.actor)?;
    let modules = portico_app::modules::all_modules(&post.state, &post.s.actor).await?;
    let input = profile_input(&post.pairs, &modules);
    let result = match input.clone() {
        Ok(p) => portico_app::users::update_profile(&post.state, &post.s.actor, id, p).await,
        Err(e) => Err(e.into()),
    };
    let shown = input.ok();
    post.submit(
        result,
        |_| ProfileForm { id, shown },
        |_| redirect_with(&format!("/admin/setup/profiles/{id}"), "Profile saved"),
    )
    .await
}
