//! The outbox over the API (administrators): the mail log as keyset pages, one message with its
//! bodies, and the test email.

use super::{ApiActor, ApiRoutes, parse_id, query_numbers};
use crate::AppState;
use crate::error::{ApiResult, AppError};
use crate::present::{mail_json, mail_summary_json};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use portico_app::mail::MailPage;
use portico_domain::outbox::MailState;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn routes() -> ApiRoutes {
    ApiRoutes::default()
        .get("/api/v1/mail", list)
        .get("/api/v1/mail/{id}", show)
        .post("/api/v1/mail/test", send_test)
}

/// `limit`, `after` and `state`; anything else, or a malformed value, is a 422 naming it.
fn mail_page(params: &HashMap<String, String>) -> Result<MailPage, AppError> {
    let number = query_numbers(params, &["limit", "after", "state"])?;
    let state = params
        .get("state")
        .filter(|v| !v.is_empty())
        .map(|v| {
            MailState::parse(v).ok_or_else(|| {
                AppError::invalid(
                    "state",
                    "invalid_state",
                    "state is pending, sending, sent or failed",
                )
            })
        })
        .transpose()?;
    Ok(MailPage {
        state,
        after: number("after")?,
        limit: number("limit")?,
    })
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let page = portico_app::mail::list_mail(&state, &actor, mail_page(&params)?).await?;
    Ok(Json(json!({
        "items": page.items.iter().map(mail_summary_json).collect::<Vec<_>>(),
        "next": page.next.map(|n| n.to_string()),
    })))
}

async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let mail = portico_app::mail::get_mail(&state, &actor, parse_id(&id)?).await?;
    Ok(Json(mail_json(&mail)))
}

async fn send_test(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let queued = portico_app::mail::send_test_email(&state, &actor).await?;
    Ok((StatusCode::CREATED, Json(mail_summary_json(&queued))))
}
