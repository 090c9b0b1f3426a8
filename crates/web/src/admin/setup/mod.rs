//! Setup pages for administrators: modules (fields, layouts, data sharing, canvas view), CRM
//! users and profiles, org settings, web tabs, blocked email domains, the mail log. One module
//! per resource.

mod email_domains;
mod mail;
mod module_parts;
mod modules;
mod org;
mod profiles;
mod users;
mod web_tabs;

use crate::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/admin/setup",
            get(|| async { super::see_other("/admin/setup/modules") }),
        )
        .route(
            "/admin/setup/modules",
            get(modules::list).post(modules::create),
        )
        .route("/admin/setup/modules/{module}", get(modules::setup))
        .route(
            "/admin/setup/modules/{module}/settings",
            post(modules::save_settings),
        )
        .route(
            "/admin/setup/modules/{module}/fields",
            post(modules::add_field),
        )
        .route(
            "/admin/setup/modules/{module}/layouts",
            post(modules::add_layout),
        )
        .route(
            "/admin/setup/modules/{module}/fields/{field}",
            get(module_parts::show_field).post(module_parts::save_field),
        )
        .route(
            "/admin/setup/modules/{module}/layouts/{layout}",
            get(module_parts::show_layout).post(module_parts::save_layout),
        )
        .route("/admin/setup/users", get(users::list).post(users::create))
        .route(
            "/admin/setup/users/{id}",
            get(users::show_user).post(users::save_user),
        )
        .route(
            "/admin/setup/profiles",
            get(profiles::list).post(profiles::create),
        )
        .route(
            "/admin/setup/profiles/{id}",
            get(profiles::show_profile).post(profiles::update),
        )
        .route("/admin/setup/org", get(org::show_org).post(org::update))
        .route(
            "/admin/setup/web-tabs",
            get(web_tabs::list).post(web_tabs::create),
        )
        .route(
            "/admin/setup/web-tabs/{id}",
            get(web_tabs::show_tab).post(web_tabs::save_tab),
        )
        .route("/admin/setup/web-tabs/{id}/delete", post(web_tabs::delete))
        // Both forms hold a CSRF token and a domain name: a few hundred bytes.
        .route(
            "/admin/setup/email-domains",
            get(email_domains::list)
                .post(email_domains::block)
                .layer(DefaultBodyLimit::max(email_domains::BODY_LIMIT)),
        )
        .route(
            "/admin/setup/email-domains/remove",
            post(email_domains::unblock).layer(DefaultBodyLimit::max(email_domains::BODY_LIMIT)),
        )
        .route("/admin/setup/mail", get(mail::list))
        .route("/admin/setup/mail/test", post(mail::send_test))
        .route("/admin/setup/mail/{id}", get(mail::show))
}

type Pairs = Vec<(String, String)>;
