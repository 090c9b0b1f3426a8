//! Bulk invitations over the API: start one (records by id, or every candidate matching a
//! search), follow its progress, and list the candidates — the records of a user type's
//! personality module not yet invited, with a valid address (keyset pages).

use super::{ApiActor, ApiJson, ApiRoutes, parse_id, query_numbers};
use crate::AppState;
use crate::error::{ApiResult, AppError};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use portico_app::invitation_batches::{BatchProgress, Selection};
use portico_app::invitations::InviteTo;
use portico_domain::Id;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn routes() -> ApiRoutes {
    ApiRoutes::default()
        .post("/api/v1/portals/{portal}/invitations", start)
        .get("/api/v1/portals/{portal}/invitations/{id}", progress)
        .get("/api/v1/portals/{portal}/invitation-candidates", candidates)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartBody {
    user_type: Id,
    #[serde(default)]
    records: Option<Vec<Id>>,
    #[serde(default)]
    filter: Option<FilterBody>,
    #[serde(default)]
    language: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterBody {
    #[serde(default)]
    search: Option<String>,
}

pub(crate) fn progress_json(p: &BatchProgress) -> Value {
    json!({
        "batch_id": p.batch_id,
        "state": p.state,
        "total": p.total,
        "sent": p.sent,
        "failed_count": p.failed_count,
        "failed": p.failed.iter().map(|f| json!({
            "record_id": f.record_id, "name": f.name, "code": f.code, "message": f.message,
        })).collect::<Vec<_>>(),
        "failed_next": p.failed_next.map(|n| n.to_string()),
        "created_at": crate::present::rfc3339(p.created_at),
        "finished_at": p.finished_at.map(crate::present::rfc3339),
    })
}

async fn start(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(portal): Path<String>,
    ApiJson(body): ApiJson<StartBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let portal_id = parse_id(&portal)?;
    let selection = match (body.records, body.filter) {
        (Some(records), None) => Selection::Records(records),
        (None, Some(filter)) => Selection::Filter {
            search: filter.search,
        },
        _ => {
            return Err(AppError::invalid(
                "records",
                "records_or_filter",
                "Send either records (a list of record ids) or filter (with an optional search)",
            )
            .into());
        }
    };
    let to = InviteTo {
        portal_id,
        user_type_id: body.user_type,
        language: body.language,
    };
    let p = portico_app::invitation_batches::start_batch(&state, &actor, &to, selection).await?;
    let status = if p.done() {
        StatusCode::CREATED
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(progress_json(&p))))
}

async fn progress(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, id)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let (portal, id) = (parse_id(&portal)?, parse_id(&id)?);
    let number = query_numbers(&params, &["failed_after", "failed_limit"])?;
    let p = portico_app::invitation_batches::batch(
        &state,
        &actor,
        portal,
        id,
        number("failed_after")?,
        number("failed_limit")?,
    )
    .await?;
    Ok(Json(progress_json(&p)))
}

async fn candidates(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(portal): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let portal = parse_id(&portal)?;
    let number = query_numbers(&params, &["user_type", "q", "after", "limit"])?;
    let user_type = number("user_type")?.ok_or_else(|| {
        AppError::invalid("user_type", "required", "Choose the user type to invite to")
    })?;
    let page = portico_app::invitation_batches::candidates(
        &state,
        &actor,
        portal,
        user_type,
        params.get("q").cloned(),
        number("after")?,
        number("limit")?,
    )
    .await?;
    Ok(Json(json!({
        "items": page.items.iter().map(|c| json!({"id": c.id, "name": c.name, "email": c.email})).collect::<Vec<_>>(),
        "next": page.next.map(|n| n.to_string()),
        "matching": page.matching,
    })))
}
