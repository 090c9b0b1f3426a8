//! The org's block list of email domains over the API (administrators): portal invitations and
//! sign-ups refuse addresses at a blocked domain or a subdomain of it, as they refuse the
//! shipped list of disposable-address services.

use super::{ApiActor, ApiJson, ApiRoutes};
use crate::AppState;
use crate::error::ApiResult;
use crate::present::blocked_domain_json;
use axum::Json;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::handler::Handler;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

/// A body of `{"domain": …}` needs a few hundred bytes; anything near this is not one.
pub const BODY_LIMIT: usize = 4 * 1024;

pub fn routes() -> ApiRoutes {
    ApiRoutes::default()
        .get("/api/v1/email-domains/blocked", list)
        .post(
            "/api/v1/email-domains/blocked",
            block.layer(DefaultBodyLimit::max(BODY_LIMIT)),
        )
        .delete("/api/v1/email-domains/blocked/{domain}", unblock)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BlockRequest {
    domain: String,
}

async fn list(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Value>> {
    let blocked = portico_app::email_domains::list_blocked(&state, &actor).await?;
    Ok(Json(json!({
        "items": blocked.iter().map(blocked_domain_json).collect::<Vec<_>>(),
    })))
}

async fn block(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<BlockRequest>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let added = portico_app::email_domains::block_domain(&state, &actor, &body.domain).await?;
    Ok((StatusCode::CREATED, Json(blocked_domain_json(&added))))
}

async fn unblock(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(domain): Path<String>,
) -> ApiResult<StatusCode> {
    portico_app::email_domains::unblock_domain(&state, &actor, &domain).await?;
    Ok(StatusCode::NO_CONTENT)
}
