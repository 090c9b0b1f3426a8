//! The REST API under `/api/v1`: bearer-token auth for CRM users, JSON in and out, every error
//! as `{"error": {"code", "message", "field"?}}`. Request bodies refuse unknown keys (422).
//! Routes are added through a registry that lists them, so the OpenAPI document can be checked
//! against what is actually served.

mod audit;
mod email_domains;
mod extract;
mod invitations;
mod mail;
mod portal_users;
mod portals;
mod registry;
mod signups;

pub(crate) use audit::parse_filter as parse_audit_filter;
pub use extract::{ApiActor, ApiJson};
pub(crate) use extract::{bearer_token, body_rejection, nul_error};
pub(crate) use registry::ApiRoutes;

use crate::error::{ApiResult, AppError};
use crate::present::{
    api_token_json, module_json, module_summary, profile_json, record_json, record_list_body,
    rfc3339, user_json, web_tab_json,
};
use crate::{AppState, openapi};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use portico_app::modules::ModuleChanges;
use portico_app::org_choice::SignIn;
use portico_app::records::{ListRequest, RecordExtras};
use portico_app::users::NewUserInput;
use portico_domain::Id;
use portico_domain::field::NewField;
use portico_domain::layout::NewLayout;
use portico_domain::module::{DataSharing, Module};
use portico_domain::org::OrgSettings;
use portico_domain::profile::NewProfile;
use portico_domain::record::Record;
use portico_domain::record::RecordState;
use portico_domain::standard::NewCustomModule;
use portico_domain::webtab::NewWebTab;
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// Every API route. The registry is the only way to add one: `ApiRoutes` keeps its router
/// private and lists every (method, path) it was given.
fn table() -> ApiRoutes {
    ApiRoutes::default()
        .get("/api/v1/openapi.json", openapi_doc)
        .post(
            "/api/v1/auth/token",
            create_token.layer(DefaultBodyLimit::max(crate::SIGN_IN_BODY_LIMIT)),
        )
        .get("/api/v1/tokens", list_tokens)
        .delete("/api/v1/tokens/{id}", revoke_token)
        .get("/api/v1/org", get_org)
        .patch("/api/v1/org", patch_org)
        .get("/api/v1/modules", list_modules)
        .post("/api/v1/modules", create_module)
        .get("/api/v1/modules/{module}", get_module)
        .patch("/api/v1/modules/{module}", patch_module)
        .post("/api/v1/modules/{module}/fields", create_field)
        .post("/api/v1/modules/{module}/layouts", create_layout)
        .put("/api/v1/modules/{module}/fields/{field}", put_field)
        .put("/api/v1/modules/{module}/layouts/{id}", put_layout)
        .get("/api/v1/records/{module}", list_records)
        .post("/api/v1/records/{module}", create_record)
        .get("/api/v1/records/{module}/{id}", get_record)
        .patch("/api/v1/records/{module}/{id}", patch_record)
        .delete("/api/v1/records/{module}/{id}", delete_record)
        .post("/api/v1/records/{module}/{id}/restore", restore_record)
        .get("/api/v1/users", list_users)
        .post("/api/v1/users", create_user)
        .patch("/api/v1/users/{id}", patch_user)
        .get("/api/v1/profiles", list_profiles)
        .post("/api/v1/profiles", create_profile)
        .put("/api/v1/profiles/{id}", put_profile)
        .get("/api/v1/web-tabs", list_web_tabs)
        .post("/api/v1/web-tabs", create_web_tab)
        .put("/api/v1/web-tabs/{id}", put_web_tab)
        .delete("/api/v1/web-tabs/{id}", delete_web_tab)
        .merge(portals::routes())
        .merge(mail::routes())
        .merge(portal_users::routes())
        .merge(email_domains::routes())
        .merge(signups::routes())
        .merge(invitations::routes())
        .merge(audit::routes())
}

/// The API router: exactly the routes of [`route_table`].
pub fn routes() -> Router<AppState> {
    table().into_router()
}

/// Method and path of every API route the router serves, in axum's path syntax (which is
/// OpenAPI's: `{id}`). The OpenAPI tests compare it with the document.
pub fn route_table() -> Vec<(Method, &'static str)> {
    table().into_table()
}

async fn openapi_doc() -> Json<Value> {
    Json(openapi::document())
}

/// Checks that a query names only `known` parameters (422 `unknown_parameter` otherwise) and
/// answers a reader of its whole-number parameters (an empty value is absent; anything else
/// that is not a number is 422 `invalid_number`).
pub(crate) fn query_numbers<'a>(
    params: &'a HashMap<String, String>,
    known: &[&str],
) -> Result<impl Fn(&str) -> Result<Option<i64>, AppError> + 'a, AppError> {
    if let Some(unknown) = params.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(AppError::invalid(
            unknown,
            "unknown_parameter",
            format!("Unknown query parameter {unknown}"),
        ));
    }
    Ok(move |name: &str| {
        params
            .get(name)
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<i64>().map_err(|_| {
                    AppError::invalid(
                        name,
                        "invalid_number",
                        format!("{name} must be a whole number"),
                    )
                })
            })
            .transpose()
    })
}

/// Ids in paths are the digits the document's `integer` allows; anything else (`+5`, `-1`,
/// `abc`) names nothing: 404, like any missing record.
pub(crate) fn parse_id(raw: &str) -> Result<Id, AppError> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::NotFound);
    }
    raw.parse().map_err(|_| AppError::NotFound)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    email: String,
    password: String,
    /// The org to sign in to, when the email and password open accounts in several.
    #[serde(default)]
    org: Option<Id>,
}

async fn create_token(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TokenRequest>,
) -> ApiResult<Response> {
    let signed_in = portico_app::org_choice::sign_in(&state, &body.email, &body.password, body.org)
        .await
        .map_err(|e| match e {
            AppError::Invalid(_) => AppError::Unauthorized,
            other => other,
        })?;
    let user = match signed_in {
        SignIn::User(user) => user,
        SignIn::ChooseOrg(options) => return Ok(crate::error::org_required(&options)),
    };
    let ttl = state.config().api_token_ttl_ms;
    let (token, stored) = portico_app::sign_in::issue_api_token(&state, &user, "api", ttl).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "token": token,
            "token_type": "Bearer",
            "id": stored.id,
            "expires_at": rfc3339(stored.expires_at),
        })),
    )
        .into_response())
}

/// `?scope=mine` (the default) or `?scope=org` (administrators: every token of the org).
async fn list_tokens(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Json<Value>> {
    let scope = token_scope(&params)?;
    let tokens = portico_app::api_tokens::list_tokens(&state, &actor, scope).await?;
    Ok(Json(
        json!({"items": tokens.iter().map(api_token_json).collect::<Vec<_>>(), "next": null}),
    ))
}

fn token_scope(
    params: &HashMap<String, String>,
) -> Result<portico_app::api_tokens::TokenScope, AppError> {
    use portico_app::api_tokens::TokenScope;
    if let Some(unknown) = params.keys().find(|k| k.as_str() != "scope") {
        return Err(AppError::invalid(
            unknown,
            "unknown_parameter",
            format!("Unknown query parameter {unknown}"),
        ));
    }
    match params.get("scope").map(String::as_str) {
        None | Some("mine") => Ok(TokenScope::Mine),
        Some("org") => Ok(TokenScope::Org),
        Some(_) => Err(AppError::invalid(
            "scope",
            "invalid_scope",
            "scope is either mine or org",
        )),
    }
}

async fn revoke_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    portico_app::api_tokens::revoke_token(&state, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---- org ----

async fn get_org(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Value>> {
    let org = portico_app::org::org(&state, &actor).await?;
    Ok(Json(json!(org)))
}

async fn patch_org(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(patch): ApiJson<Map<String, Value>>,
) -> ApiResult<Json<Value>> {
    let current = portico_app::org::org(&state, &actor).await?;
    let mut merged =
        serde_json::to_value(&current.settings).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Value::Object(m) = &mut merged {
        for (k, v) in patch {
            m.insert(k, v);
        }
    }
    let settings: OrgSettings =
        serde_json::from_value(merged).map_err(|e| crate::error::body_error(&e.to_string()))?;
    let org = portico_app::org::update_org(&state, &actor, settings).await?;
    Ok(Json(json!(org)))
}

// ---- modules ----

async fn list_modules(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Value>> {
    let modules = portico_app::modules::visible_modules(&state, &actor).await?;
    Ok(Json(
        json!({"items": modules.iter().map(module_summary).collect::<Vec<_>>()}),
    ))
}

async fn create_module(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NewCustomModule>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let module = portico_app::modules::create_module(&state, &actor, body).await?;
    let detail =
        portico_app::modules::module_detail(&state, &actor, module.api_name.as_str()).await?;
    Ok((StatusCode::CREATED, Json(module_json(&detail))))
}

async fn get_module(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(module): Path<String>,
) -> ApiResult<Json<Value>> {
    let detail = portico_app::modules::module_detail(&state, &actor, &module).await?;
    Ok(Json(module_json(&detail)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModulePatch {
    label: Option<String>,
    sharing: Option<DataSharing>,
    #[serde(default, with = "double_option")]
    canvas_template: Option<Option<String>>,
}

/// Tells "absent" (leave as is) from `null` (remove) for optional settings.
mod double_option {
    use serde::{Deserialize, Deserializer};
    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(d).map(Some)
    }
}

async fn patch_module(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(module): Path<String>,
    ApiJson(body): ApiJson<ModulePatch>,
) -> ApiResult<Json<Value>> {
    let changes = ModuleChanges {
        label: body.label,
        sharing: body.sharing,
        canvas_template: body.canvas_template,
    };
    let updated = portico_app::modules::update_module(&state, &actor, &module, changes).await?;
    let detail =
        portico_app::modules::module_detail(&state, &actor, updated.api_name.as_str()).await?;
    Ok(Json(module_json(&detail)))
}

async fn create_field(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(module): Path<String>,
    ApiJson(body): ApiJson<NewField>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let field = portico_app::modules::add_field(&state, &actor, &module, &body).await?;
    Ok((StatusCode::CREATED, Json(json!(field))))
}

async fn put_field(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((module, field)): Path<(String, String)>,
    ApiJson(body): ApiJson<NewField>,
) -> ApiResult<Json<Value>> {
    let field = portico_app::modules::update_field(&state, &actor, &module, &field, &body).await?;
    Ok(Json(json!(field)))
}

async fn put_layout(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((module, id)): Path<(String, String)>,
    ApiJson(body): ApiJson<NewLayout>,
) -> ApiResult<Json<Value>> {
    let layout =
        portico_app::modules::update_layout(&state, &actor, &module, parse_id(&id)?, &body).await?;
    Ok(Json(
        json!({"id": layout.id, "name": layout.name, "sections": layout.sections}),
    ))
}

async fn create_layout(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(module): Path<String>,
    ApiJson(body): ApiJson<NewLayout>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let layout = portico_app::modules::add_layout(&state, &actor, &module, &body).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": layout.id, "name": layout.name, "sections": layout.sections})),
    ))
}

// ---- records ----

/// The query of a record list.
struct ListParams {
    limit: Option<i64>,
    after: Option<Id>,
    q: Option<String>,
}

/// `limit`, `after` and `q`; any other parameter or a malformed value is refused.
fn list_params(params: &HashMap<String, String>) -> Result<ListParams, AppError> {
    let number = query_numbers(params, &["limit", "after", "q"])?;
    let limit = number("limit")?;
    if limit.is_some_and(|l| !(1..=portico_app::records::PAGE_MAX).contains(&l)) {
        return Err(AppError::invalid(
            "limit",
            "out_of_range",
            format!("limit is between 1 and {}", portico_app::records::PAGE_MAX),
        ));
    }
    Ok(ListParams {
        limit,
        after: number("after")?,
        q: params.get("q").cloned(),
    })
}

/// A page of records: the stored data of each is copied into the answer as it is, never parsed
/// (see `present::record_list_body`).
async fn list_records(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(module): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> ApiResult<Response> {
    let p = list_params(&params)?;
    let request = ListRequest {
        after: p.after,
        limit: p.limit,
        search: p.q,
    };
    let (module, page) =
        portico_app::records::list_serialized_records(&state, &actor, &module, request).await?;
    let body = record_list_body(&module, &page);
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordBody {
    data: Map<String, Value>,
    owner_id: Option<Id>,
    state: Option<RecordState>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordPatch {
    #[serde(default)]
    data: Map<String, Value>,
    owner_id: Option<Id>,
    state: Option<RecordState>,
}

async fn create_record(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(module): Path<String>,
    ApiJson(body): ApiJson<RecordBody>,
) -> ApiResult<impl IntoResponse> {
    let extras = RecordExtras {
        owner_id: body.owner_id,
        state: body.state,
        version: None,
    };
    let record =
        portico_app::records::create_record(&state, &actor, &module, &body.data, extras).await?;
    let m = portico_app::modules::module(
        &state,
        &actor,
        &module,
        portico_domain::profile::Action::View,
    )
    .await?;
    Ok(record_reply(StatusCode::CREATED, &m, &record))
}

/// A record answer: the record as JSON, with its version as the `ETag`.
fn record_reply(status: StatusCode, module: &Module, record: &Record) -> Response {
    let body = Json(record_json(module, record));
    (status, [(header::ETAG, etag_header(record))], body).into_response()
}

fn etag_header(record: &Record) -> HeaderValue {
    HeaderValue::from_str(&crate::present::etag(record))
        .unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// The version an `If-Match` header names: `None` without the header or with `*` (any
/// version); one strong entity tag `"N"` otherwise. A weak or malformed tag, or a list, is a
/// 400: a precondition the server cannot evaluate must not be ignored.
pub(crate) fn if_match(headers: &HeaderMap) -> Result<Option<i64>, AppError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or("").trim();
    if text == "*" {
        return Ok(None);
    }
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|t| t.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            AppError::BadRequest(
                "If-Match takes one entity tag as the record's ETag header gave it, e.g. \"3\""
                    .into(),
            )
        })
}

async fn get_record(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((module, id)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let (module, record) =
        portico_app::records::get_record(&state, &actor, &module, parse_id(&id)?).await?;
    Ok(record_reply(StatusCode::OK, &module, &record))
}

async fn patch_record(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((module, id)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RecordPatch>,
) -> ApiResult<impl IntoResponse> {
    let extras = RecordExtras {
        owner_id: body.owner_id,
        state: body.state,
        version: if_match(&headers)?,
    };
    let record = portico_app::records::update_record(
        &state,
        &actor,
        &module,
        parse_id(&id)?,
        &body.data,
        extras,
    )
    .await?;
    let m = portico_app::modules::module(
        &state,
        &actor,
        &module,
        portico_domain::profile::Action::View,
    )
    .await?;
    Ok(record_reply(StatusCode::OK, &m, &record))
}

async fn delete_record(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((module, id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    portico_app::records::delete_record(&state, &actor, &module, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn restore_record(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path((module, id)): Path<(String, String)>,
) -> ApiResult<impl IntoResponse> {
    let id = parse_id(&id)?;
    portico_app::records::restore_record(&state, &actor, &module, id).await?;
    let (module, record) = portico_app::records::get_record(&state, &actor, &module, id).await?;
    Ok(record_reply(StatusCode::OK, &module, &record))
}

// ---- users, profiles, web tabs ----

async fn list_users(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Value>> {
    let users = portico_app::users::list_users(&state, &actor).await?;
    Ok(Json(
        json!({"items": users.iter().map(user_json).collect::<Vec<_>>()}),
    ))
}

async fn create_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NewUserInput>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let user = portico_app::users::create_user(&state, &actor, body).await?;
    Ok((StatusCode::CREATED, Json(user_json(&user))))
}

async fn patch_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<portico_app::users::UserEdit>,
) -> ApiResult<Json<Value>> {
    // Only `active`: the long-standing activate/deactivate call, audited as such.
    let user = match body {
        portico_app::users::UserEdit {
            active: Some(active),
            email: None,
            name: None,
            profile_id: None,
            super_admin: None,
        } => portico_app::users::set_user_active(&state, &actor, parse_id(&id)?, active).await?,
        edit => portico_app::users::update_user(&state, &actor, parse_id(&id)?, edit).await?,
    };
    Ok(Json(user_json(&user)))
}

async fn list_profiles(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Value>> {
    let profiles = portico_app::users::list_profiles(&state, &actor).await?;
    Ok(Json(
        json!({"items": profiles.iter().map(profile_json).collect::<Vec<_>>()}),
    ))
}

async fn create_profile(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NewProfile>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let profile = portico_app::users::create_profile(&state, &actor, body).await?;
    Ok((StatusCode::CREATED, Json(profile_json(&profile))))
}

async fn put_profile(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewProfile>,
) -> ApiResult<Json<Value>> {
    let profile = portico_app::users::update_profile(&state, &actor, parse_id(&id)?, body).await?;
    Ok(Json(profile_json(&profile)))
}

async fn list_web_tabs(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> ApiResult<Json<Value>> {
    let tabs = portico_app::org::web_tabs(&state, &actor).await?;
    Ok(Json(
        json!({"items": tabs.iter().map(web_tab_json).collect::<Vec<_>>()}),
    ))
}

async fn create_web_tab(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(body): ApiJson<NewWebTab>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let tab = portico_app::org::create_web_tab(&state, &actor, body).await?;
    Ok((StatusCode::CREATED, Json(web_tab_json(&tab))))
}

async fn put_web_tab(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NewWebTab>,
) -> ApiResult<Json<Value>> {
    let tab = portico_app::org::update_web_tab(&state, &actor, parse_id(&id)?, body).await?;
    Ok(Json(web_tab_json(&tab)))
}

async fn delete_web_tab(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    portico_app::org::delete_web_tab(&state, &actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::parse_id;

    #[test]
    fn path_ids_are_digits_only() {
        assert_eq!(parse_id("42").ok(), Some(42));
        for bad in ["", "+5", "-1", "1.0", "abc", " 1", "99999999999999999999"] {
            assert!(parse_id(bad).is_err(), "{bad:?}");
        }
    }
}
