//! Portal configuration over the API: portals and their settings, user types (the whole tab and
//! field configuration as one document), configuration export/import with a dry run, seats.

use super::{ApiActor, ApiJson, ApiRoutes, parse_id};
use crate::AppState;
use crate::error::{ApiResult, AppError};
use crate::present::seat_grant_json;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use portico_domain::portal::{Portal, PortalConfigDoc, UserType, UserTypeConfig};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub fn routes() -> ApiRoutes {
    ApiRoutes::default()
        .get("/api/v1/portals", list)
        .post("/api/v1/portals", create)
        .get("/api/v1/portals/{portal}", show)
        .patch("/api/v1/portals/{portal}", update)
        .get("/api/v1/portals/{portal}/user-types", list_types)
        .post("/api/v1/portals/{portal}/user-types", create_type)
        .get("/api/v1/portals/{portal}/user-types/{id}", show_type)
        .put("/api/v1/portals/{portal}/user-types/{id}", replace_type)
        .delete("/api/v1/portals/{portal}/user-types/{id}", delete_type)
        .get("/api/v1/portals/{portal}/config", export)
        .put("/api/v1/portals/{portal}/config", import)
        .get("/api/v1/portals/{portal}/preview", preview)
        .post("/api/v1/portals/{portal}/domain/verify", verify_domain)
        .get("/api/v1/seats", seats)
}

/// A portal as the API shows it: identity, address, every setting, domain verification.
pub fn portal_json(state: &AppState, p: &Portal) -> Value {
    let mut v = serde_json::to_value(&p.settings).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("id".into(), json!(p.id));
        m.insert("name".into(), json!(p.name));
        m.insert(
            "url".into(),
            json!(format!(
                "{}/p/{}/",
                state.config().base_url,
                p.settings.slug
            )),
        );
        m.insert("domain_verified".into(), json!(p.domain_verified));
        m.insert(
            "domain_verification".into(),
            match &p.settings.custom_domain {
                Some(d) => {
                    json!({"type": "TXT", "name": format!("_portico.{d}"), "value": p.domain_token})
                }
                None => Value::Null,
            },
        );
    }
    v
}

pub fn user_type_json(t: &UserType) -> Value {
    let mut v = serde_json::to_value(&t.config).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("id".into(), json!(t.id));
        m.insert("is_default".into(), json!(t.is_default));
    }
    v
}

/// `name` left out means the company name; `null` and a blank name are refused (422), as the
/// OpenAPI document says.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewPortal {
    /// `None`: left out; `Some(None)`: `null`.
    #[serde(default, deserialize_with = "null_kept")]
    name: Option<Option<String>>,
}

fn null_kept<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

async fn list(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Value>> {
    let portals = portico_app::portals::list_portals(&state, &actor).await?;
    Ok(Json(
        json!({"items": portals.iter().map(|p| portal_json(&state, p)).collect::<Vec<_>>()}),
    ))
}

async fn create(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NewPortal>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let name = match body.name {
        None => None,
        Some(Some(name)) if !name.trim().is_empty() => Some(name),
        Some(_) => {
            return Err(AppError::invalid(
                "name",
                "required",
                "A portal's name is required; leave the key out for the company name",
            )
            .into());
        }
    };
    let (portal, _) = portico_app::portals::create_portal(&state, &actor, name).await?;
    Ok((StatusCode::CREATED, Json(portal_json(&state, &portal))))
}

async fn show(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(portal): Path<String>,
) -> ApiResult<Json<Value>> {
    let p = portico_app::portals::portal(&state, &actor, parse_id(&portal)?).await?;
    Ok(Json(portal_json(&state, &p)))
}

async fn update(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(portal): Path<String>,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let p = portico_app::portals::update_portal(&state, &actor, parse_id(&portal)?, patch).await?;
    Ok(Json(portal_json(&state, &p)))
}

async fn list_types(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(portal): Path<String>,
) -> ApiResult<Json<Value>> {
    let types = portico_app::user_types::user_types(&state, &actor, parse_id(&portal)?).await?;
    Ok(Json(
        json!({"items": types.iter().map(user_type_json).collect::<Vec<_>>()}),
    ))
}

async fn create_type(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(portal): Path<String>,
    ApiJson(config): ApiJson<UserTypeConfig>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let t = portico_app::user_types::create_user_type(&state, &actor, parse_id(&portal)?, config)
        .await?;
    Ok((StatusCode::CREATED, Json(user_type_json(&t))))
}

async fn show_type(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, id)): Path<(String, String)>,
) -> ApiResult<Json<Value>> {
    let t = portico_app::user_types::user_type(&state, &actor, parse_id(&portal)?, parse_id(&id)?)
        .await?;
    Ok(Json(user_type_json(&t)))
}

/// The body is the document `GET` answers: `id` and `is_default` may stay in it (they must
/// match); everything else is the configuration.
async fn replace_type(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, id)): Path<(String, String)>,
    ApiJson(mut body): ApiJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&id)?;
    if body.remove("id").is_some_and(|v| v.as_i64() != Some(id)) {
        return Err(AppError::invalid(
            "id",
            "id_mismatch",
            "The id in the body is not the id in the path",
        )
        .into());
    }
    body.remove("is_default");
    let config: UserTypeConfig = serde_json::from_value(Value::Object(body))
        .map_err(|e| crate::error::body_error(&e.to_string()))?;
    let t =
        portico_app::user_types::replace_user_type(&state, &actor, parse_id(&portal)?, id, config)
            .await?;
    Ok(Json(user_type_json(&t)))
}

async fn delete_type(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((portal, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    portico_app::user_types::delete_user_type(&state, &actor, parse_id(&portal)?, parse_id(&id)?)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn export(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(portal): Path<String>,
) -> ApiResult<Json<PortalConfigDoc>> {
    Ok(Json(
        portico_app::portal_config::export_config(&state, &actor, parse_id(&portal)?).await?,
    ))
}

async fn import(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(portal): Path<String>,
    Query(params): Query<HashMap<String, String>>,
    ApiJson(doc): ApiJson<PortalConfigDoc>,
) -> ApiResult<Json<Value>> {
    if let Some(unknown) = params.keys().find(|k| k.as_str() != "dry_run") {
        return Err(AppError::invalid(
            unknown,
            "unknown_parameter",
            format!("Unknown query parameter {unknown}"),
        )
        .into());
    }
    let dry_run = match params.get("dry_run").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            return Err(AppError::invalid(
                "dry_run",
                "invalid_boolean",
                "dry_run is true or false",
            )
            .into());
        }
    };
    let changes =
        portico_app::portal_config::import_config(&state, &actor, parse_id(&portal)?, doc, dry_run)
            .await?;
    Ok(Json(
        json!({"dry_run": dry_run, "applied": !dry_run && !changes.is_empty(), "changes": changes}),
    ))
}

async fn seats(State(state): State<AppState>, ApiActor(actor): ApiActor) -> ApiResult<Json<Value>> {
    let (granted, used) = portico_app::seats::seat_usage(&state, &actor).await?;
    let grants = portico_app::seats::grants(&state, &actor).await?;
    Ok(Json(
        json!({"granted": granted, "used": used, "free": granted.saturating_sub(used).max(0),
               "grants": grants.iter().map(seat_grant_json).collect::<Vec<_>>()}),
    ))
}

/// `?user_type=ID[&record=ID]`: the portal as that user type sees it, or as the portal user
/// whose personality record is `record`. Read-only and audited.
async fn preview(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(portal): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    if let Some(unknown) = params
        .keys()
        .find(|k| !["user_type", "record"].contains(&k.as_str()))
    {
        return Err(AppError::invalid(
            unknown,
            "unknown_parameter",
            format!("Unknown query parameter {unknown}"),
        )
        .into());
    }
    let number = |name: &str| -> Result<Option<i64>, AppError> {
        params
            .get(name)
            .map(|v| {
                v.parse().map_err(|_| {
                    AppError::invalid(name, "invalid_number", format!("{name} must be an id"))
                })
            })
            .transpose()
    };
    let user_type = number("user_type")?.ok_or_else(|| {
        AppError::invalid("user_type", "required", "Choose a user type to preview")
    })?;
    let p = portico_portal::preview::preview(
        &state,
        &actor,
        parse_id(&portal)?,
        user_type,
        number("record")?,
    )
    .await?;
    let tabs: Vec<Value> = p
        .tabs
        .iter()
        .map(|t| {
            json!({
                "module": t.module, "label": t.label, "role": t.role, "view": t.view, "actions": t.actions,
                "layout": t.layout, "columns": t.columns, "writable_fields": t.writable,
                "records": t.rows.iter().map(|r| json!({"id": r.id, "values": r.cells})).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({
        "preview": true,
        "user_type": p.user_type.config.name,
        "as_record": p.as_record.map(|(id, name)| json!({"id": id, "name": name})),
        "tabs": tabs,
        "web_tabs": p.web_tabs.iter().map(|(name, url)| json!({"name": name, "url": url})).collect::<Vec<_>>(),
    })))
}

async fn verify_domain(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(portal): Path<String>,
) -> ApiResult<Json<Value>> {
    let p = portico_app::portals::verify_domain(&state, &actor, parse_id(&portal)?).await?;
    Ok(Json(portal_json(&state, &p)))
}
