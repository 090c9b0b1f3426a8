//! Web tabs: links to other sites shown in the navigation (and offered to portals); each has
//! its page to rename it or change its address.

use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{Chrome, FormErrors, PageResult, Posted, parse_id, redirect_with, render};
use askama::Template;
use axum::extract::Path;
use portico_domain::Id;
use portico_domain::webtab::{NewWebTab, WebTab};

#[derive(Template)]
#[template(path = "admin/setup_web_tabs.html")]
struct WebTabsPage {
    chrome: Chrome,
    tabs: Vec<WebTab>,
    errors: FormErrors,
    form: Posted,
}

/// The web tabs page, showing what was typed into its new-tab form.
#[derive(Default)]
struct WebTabsForm(Posted);

impl FormPage for WebTabsForm {
    const CONFLICT_FIELD: Option<&'static str> = Some("name");

    async fn render(self, cx: PageContext<'_>) -> PageResult {
        portico_app::require_admin(&cx.s.actor)?;
        let tabs = portico_app::org::web_tabs(cx.state, &cx.s.actor).await?;
        Ok(render(&WebTabsPage {
            chrome: cx.chrome("Web tabs", "setup-web-tabs").await?,
            tabs,
            errors: cx.errors,
            form: self.0,
        }))
    }
}

pub(super) async fn list(page: PageRequest) -> PageResult {
    page.show(WebTabsForm::default()).await
}

pub(super) async fn create(post: FormPost) -> PageResult {
    let tab = NewWebTab {
        name: post.value("name").to_string(),
        url: post.value("url").to_string(),
    };
    let result = portico_app::org::create_web_tab(&post.state, &post.s.actor, tab).await;
    post.submit(result, WebTabsForm, |t| {
        redirect_with(
            "/admin/setup/web-tabs",
            &format!("Web tab {} added", t.name),
        )
    })
    .await
}

pub(super) async fn delete(Path(id): Path<String>, post: FormPost) -> PageResult {
    portico_app::org::delete_web_tab(&post.state, &post.s.actor, parse_id(&id)?).await?;
    Ok(redirect_with("/admin/setup/web-tabs", "Web tab deleted"))
}

#[derive(Template)]
#[template(path = "admin/setup_web_tab.html")]
struct WebTabPage {
    chrome: Chrome,
    tab: WebTab,
    form: Posted,
    errors: FormErrors,
}

/// One web tab's page: as saved, or as just submitted.
struct WebTabForm {
    id: Id,
    posted: Option<Posted>,
}

impl FormPage for WebTabForm {
    const CONFLICT_FIELD: Option<&'static str> = Some("name");

    async fn render(self, cx: PageContext<'_>) -> PageResult {
        portico_app::require_admin(&cx.s.actor)?;
        let tab = portico_app::org::web_tabs(cx.state, &cx.s.actor)
            .await?
            .into_iter()
            .find(|t| t.id == self.id)
            .ok_or(crate::admin::PageError(portico_app::AppError::NotFound))?;
        let form = self.posted.unwrap_or_else(|| {
            Posted(vec![
                ("name".to_string(), tab.name.clone()),
                ("url".to_string(), tab.url.clone()),
            ])
        });
        Ok(render(&WebTabPage {
            chrome: cx.chrome(&tab.name, "setup-web-tabs").await?,
            tab,
            form,
            errors: cx.errors,
        }))
    }
}

pub(super) async fn show_tab(Path(id): Path<String>, page: PageRequest) -> PageResult {
    let id = parse_id(&id)?;
    page.show(WebTabForm { id, posted: None }).await
}

pub(super) async fn save_tab(Path(id): Path<String>, post: FormPost) -> PageResult {
    let id = parse_id(&id)?;
    let tab = NewWebTab {
        name: post.value("name").to_string(),
        url: post.value("url").to_string(),
    };
    let result = portico_app::org::update_web_tab(&post.state, &post.s.actor, id, tab).await;
    let page = |posted| WebTabForm {
        id,
        posted: Some(posted),
    };
    post.submit(result, page, |t| {
        redirect_with(
            "/admin/setup/web-tabs",
            &format!("Web tab {} saved", t.name),
        )
    })
    .await
}
