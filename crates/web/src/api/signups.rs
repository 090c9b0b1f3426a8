//! Sign-ups waiting for a decision (administrators): the list of a portal's pending sign-ups
//! in keyset pages, approve, reject.

use super::{ApiActor, ApiRoutes, parse_id};
use crate::AppState;
use crate::error::{ApiResult, AppError};
use crate::present::rfc3339;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use portico_domain::portal_user::PortalUser;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn routes() -> ApiRoutes {
    ApiRoutes::default()
        .get("/api/v1/portals/{portal}/signups", list)
        .post("/api/v1/portals/{portal}/signups/{id}/approve", approve)
        .post("/api/v1/portals/{portal}/signups/{id}/reject", reject)
}

/// A sign-up as the API shows it.
fn signup_json(u: &PortalUser) -> Value {
    json!({
        "id": u.id,
        "name": u.name,
        "email": u.email,
        "status": u.status.as_str(),
        "user_type_id": u.user_type_id,
        "record_id": u.record_id,
        "created_at": rfc3339(u.created_at),
    })
}

/// `limit` and `after`; anything else, or a malformed value, is a 422 naming it.
fn page_params(params: &HashMap<String, String>) -> Result<(Option<i64>, Option<i64>), AppError> {
    let (mut limit, mut after) = (None, None);
    for (name, value) in params {
        let slot = match name.as_str() {
            "limit" => &mut limit,
            "after" => &mut after,
            other => {
                return Err(AppError::invalid(
                    other,
                    "unknown_parameter",
                    format!("Unknown query parameter {other}"),
                ));
            }
        };
        *slot = Some(value.parse::<i64>().map_err(|_| {
            AppError::invalid(
                name,
                "invalid_number",
                format!("{name} must be a whole number"),
            )
        })?);
    }
    Ok((limit, after))
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(portal): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let portal = parse_id(&portal)?;
    let (limit, after) = page_params(&params)?;
    let page = portico_app::signups::list_signups(&state, &actor, portal, after, limit).await?;
    Ok(Json(json!({
        "items": page.items.iter().map(signup_json).collect::<Vec<_>>(),
        "next": page.next.map(|n| n.to_string()),
    })))
}

async fn approve(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let user =
        portico_app::signups::approve(&state, &actor, parse_id(&portal)?, parse_id(&id)?).await?;
    Ok(Json(signup_json(&user)))
}

async fn reject(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    portico_app::signups::reject(&state, &actor, parse_id(&portal)?, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}
