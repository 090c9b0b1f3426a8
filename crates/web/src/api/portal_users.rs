//! Portal users over the API: inviting one record, and managing a portal's users (list by
//! status with counts and seats, re-invite, deactivate, reactivate, change user type, remove).

use super::{ApiActor, ApiJson, ApiRoutes, parse_id, query_numbers};
use crate::AppState;
use crate::error::{ApiResult, AppError};
use crate::present::rfc3339;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use portico_app::invitations::InviteTo;
use portico_app::portal_users as users;
use portico_domain::Id;
use portico_domain::portal_user::{PortalUser, PortalUserStatus};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn routes() -> ApiRoutes {
    ApiRoutes::default()
        .post("/api/v1/records/{module}/{id}/portal-invite", invite)
        .get("/api/v1/portals/{portal}/users", list)
        .get("/api/v1/portals/{portal}/users/{id}", show)
        .patch("/api/v1/portals/{portal}/users/{id}", change_type)
        .delete("/api/v1/portals/{portal}/users/{id}", remove)
        .post("/api/v1/portals/{portal}/users/{id}/reinvite", reinvite)
        .post("/api/v1/portals/{portal}/users/{id}/deactivate", deactivate)
        .post("/api/v1/portals/{portal}/users/{id}/reactivate", reactivate)
}

/// A portal user as the API shows it (never a password hash).
pub fn portal_user_json(u: &PortalUser) -> Value {
    json!({
        "id": u.id,
        "portal_id": u.portal_id,
        "user_type_id": u.user_type_id,
        "record_id": u.record_id,
        "email": u.email,
        "name": u.name,
        "status": u.status,
        "preferences": u.preferences,
        "invited_by": u.invited_by,
        "created_at": rfc3339(u.created_at),
        "updated_at": rfc3339(u.updated_at),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InviteBody {
    portal: Id,
    user_type: Id,
    #[serde(default)]
    language: Option<String>,
}

async fn invite(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((module, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<InviteBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let to = InviteTo {
        portal_id: body.portal,
        user_type_id: body.user_type,
        language: body.language,
    };
    let invited =
        portico_app::invitations::invite_record(&state, &actor, &module, parse_id(&id)?, &to)
            .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "portal_user": portal_user_json(&invited.portal_user),
            "mail_id": invited.mail_id,
        })),
    ))
}

/// What a users list asks for.
struct ListParams {
    status: Option<PortalUserStatus>,
    after: Option<Id>,
    limit: Option<i64>,
}

/// `status`, `after`, `limit`; anything else, or a malformed value, is a 422 naming it.
fn list_params(params: &HashMap<String, String>) -> Result<ListParams, AppError> {
    let number = query_numbers(params, &["status", "after", "limit"])?;
    let status = params
        .get("status")
        .filter(|v| !v.is_empty())
        .map(|v| PortalUserStatus::parse(v))
        .transpose()?;
    Ok(ListParams {
        status,
        after: number("after")?,
        limit: number("limit")?,
    })
}

async fn list(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(portal): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let portal = parse_id(&portal)?;
    let p = list_params(&params)?;
    let page = users::list_users(&state, &actor, portal, p.status, p.after, p.limit).await?;
    let summary = users::summary(&state, &actor, portal).await?;
    let counts: serde_json::Map<String, Value> = summary
        .counts
        .iter()
        .map(|(s, n)| (s.as_str().to_string(), json!(n)))
        .collect();
    Ok(Json(json!({
        "items": page.items.iter().map(portal_user_json).collect::<Vec<_>>(),
        "next": page.next,
        "counts": counts,
        "seats": summary.seats,
    })))
}

fn ids(portal: &str, id: &str) -> Result<(Id, Id), AppError> {
    Ok((parse_id(portal)?, parse_id(id)?))
}

async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let (portal, id) = ids(&portal, &id)?;
    let u = users::user(&state, &actor, portal, id).await?;
    Ok(Json(portal_user_json(&u)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeBody {
    user_type: Id,
}

async fn change_type(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<ChangeBody>,
) -> ApiResult<Json<Value>> {
    let (portal, id) = ids(&portal, &id)?;
    let u = users::change_type(&state, &actor, portal, id, body.user_type).await?;
    Ok(Json(portal_user_json(&u)))
}

async fn remove(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (portal, id) = ids(&portal, &id)?;
    users::remove(&state, &actor, portal, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn reinvite(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let (portal, id) = ids(&portal, &id)?;
    let u = users::reinvite(&state, &actor, portal, id).await?;
    Ok(Json(portal_user_json(&u)))
}

async fn deactivate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let (portal, id) = ids(&portal, &id)?;
    let u = users::deactivate(&state, &actor, portal, id).await?;
    Ok(Json(portal_user_json(&u)))
}

async fn reactivate(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let (portal, id) = ids(&portal, &id)?;
    let u = users::reactivate(&state, &actor, portal, id).await?;
    Ok(Json(portal_user_json(&u)))
}
