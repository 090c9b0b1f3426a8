//! API tokens: the signed-in user's own, with a revoke button each; administrators also see
//! every token of the org. Secrets are shown once when a token is issued, never here.

use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{Chrome, PageResult, parse_id, redirect_with, render};
use crate::present::human_time;
use askama::Template;
use axum::extract::Path;
use portico_app::api_tokens::TokenScope;
use portico_store::ApiToken;

/// One token as the page shows it.
struct TokenRow {
    id: i64,
    user: String,
    label: String,
    created: String,
    expires: String,
    last_used: String,
    expired: bool,
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    chrome: Chrome,
    mine: Vec<TokenRow>,
    org: Option<Vec<TokenRow>>,
}

#[derive(Default)]
struct Tokens;

fn rows(tokens: Vec<ApiToken>, users: &[(i64, String)], now: i64) -> Vec<TokenRow> {
    tokens
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            user: users
                .iter()
                .find(|(id, _)| *id == t.user_id)
                .map_or_else(|| t.user_id.to_string(), |(_, email)| email.clone()),
            label: t.label,
            created: human_time(t.created_at),
            expires: human_time(t.expires_at),
            last_used: t.last_used_at.map_or_else(|| "never".into(), human_time),
            expired: t.expires_at <= now,
        })
        .collect()
}

impl FormPage for Tokens {
    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let actor = &cx.s.actor;
        let now = cx.state.now();
        let mut users = vec![(actor.user.id, actor.user.email.to_string())];
        let mine = portico_app::api_tokens::list_tokens(cx.state, actor, TokenScope::Mine).await?;
        let org = if actor.user.super_admin {
            users.extend(
                portico_app::users::list_users(cx.state, actor)
                    .await?
                    .into_iter()
                    .map(|u| (u.id, u.email.to_string())),
            );
            let all =
                portico_app::api_tokens::list_tokens(cx.state, actor, TokenScope::Org).await?;
            Some(rows(all, &users, now))
        } else {
            None
        };
        Ok(render(&TokensPage {
            chrome: cx.chrome("API tokens", "tokens").await?,
            mine: rows(mine, &users, now),
            org,
        }))
    }
}

pub(super) async fn list(page: PageRequest) -> PageResult {
    page.show(Tokens).await
}

pub(super) async fn revoke(Path(id): Path<String>, post: FormPost) -> PageResult {
    portico_app::api_tokens::revoke_token(&post.state, &post.s.actor, parse_id(&id)?).await?;
    Ok(redirect_with("/admin/tokens", "API token revoked"))
}
