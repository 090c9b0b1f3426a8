//! The portal API: what a signed-in portal user does in the pages, as JSON, under the portal's
//! base — `/p/{slug}/api/v1/…` on any host, `/api/v1/…` on a portal host ([`super::by_host`]
//! rewrites it here).
//!
//! - Auth: `POST auth/token` answers a bearer token, which is a portal session secret
//!   (`portico_app::portal_accounts`): stored hashed, with the portal's idle timeout and the
//!   absolute limit, ended by `DELETE auth/token`, by deactivation and by a password reset — the
//!   same rules as the pages' cookie. It opens only the portal that issued it. The API reads no
//!   cookie, so a browser's session cannot be driven from another site (no CSRF surface).
//! - A disabled portal answers every call 503 `portal_disabled`; an unknown one 404.
//! - Records go through `portico_portal::api`, which reads and writes only through
//!   `ScopedRecords`: a record out of scope is 404 exactly like a missing one, a hidden or
//!   read-only field in a write is 422 naming it, lookups are `{id, name}` or `null`.
//! - Versions: `GET` answers an `ETag` (and 304 to a matching `If-None-Match`); `PATCH` and
//!   `DELETE` require `If-Match` (428 without it, 412 when stale).
//!
//! The routes are added through the API registry ([`crate::api::ApiRoutes`]), so
//! [`route_table`] lists exactly what is served, for the OpenAPI document and security tests.

use super::{Site, SiteRefusal};
use crate::AppState;
use crate::api::{ApiJson, ApiRoutes, bearer_token, if_match, parse_id, query_numbers};
use crate::error::{ApiError, AppError};
use crate::middleware::ClientIp;
use crate::present::rfc3339;
use axum::Json;
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use portico_app::portal_accounts::{self, PortalSignedIn, SESSION_ABSOLUTE_MS};
use portico_app::portal_mfa::{self, SignInStep};
use portico_app::scoped_records::LIST_MAX;
use portico_portal::api::{self as portal_api, ApiField, ApiRecord, LAYOUT_MAX, SEARCH_MAX};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The largest record body (`POST`/`PATCH` of a record) the portal API reads: a portal user's
/// record, subform rows included, fits many times over.
pub const RECORD_BODY_LIMIT: usize = 256 * 1024;
/// Records per page when `limit` is not given.
pub const PAGE_DEFAULT: i64 = 50;
/// The longest `totp` a token request takes.
const TOTP_MAX: usize = 32;

fn table() -> ApiRoutes {
    let small = || DefaultBodyLimit::max(crate::SIGN_IN_BODY_LIMIT);
    let record = || DefaultBodyLimit::max(RECORD_BODY_LIMIT);
    ApiRoutes::default()
        .post("/p/{slug}/api/v1/auth/token", create_token.layer(small()))
        .delete("/p/{slug}/api/v1/auth/token", delete_token)
        .get("/p/{slug}/api/v1/me", me)
        .get("/p/{slug}/api/v1/tabs", tabs)
        .get("/p/{slug}/api/v1/records/{module}", list_records)
        .post(
            "/p/{slug}/api/v1/records/{module}",
            create_record.layer(record()),
        )
        .get("/p/{slug}/api/v1/records/{module}/{id}", get_record)
        .patch(
            "/p/{slug}/api/v1/records/{module}/{id}",
            update_record.layer(record()),
        )
        .delete("/p/{slug}/api/v1/records/{module}/{id}", delete_record)
}

/// The portal API's router: [`route_table`]'s routes, and a JSON 404 for any other path under
/// the portal's `api/` (503 when the portal is disabled).
pub(crate) fn routes() -> axum::Router<AppState> {
    table()
        .into_router()
        .route("/p/{slug}/api/{*rest}", any(no_such_route))
}

/// Method and path of every portal API route, in axum's (and OpenAPI's) template syntax.
pub fn route_table() -> Vec<(Method, &'static str)> {
    table().into_table()
}

async fn no_such_route(_: ApiSite) -> Response {
    error_body(StatusCode::NOT_FOUND, "not_found", "No such route")
}

/// A JSON error that is not one of the use cases' (`AppError`) answers.
fn error_body(status: StatusCode, code: &str, message: &str) -> Response {
    let mut r = (
        status,
        Json(json!({"error": {"code": code, "message": message}})),
    )
        .into_response();
    if status == StatusCode::UNAUTHORIZED {
        r.headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    r
}

/// A refused portal API call, already an answer.
struct Refusal(Box<Response>);

impl From<AppError> for Refusal {
    fn from(e: AppError) -> Self {
        Self(Box::new(ApiError(e).into_response()))
    }
}

impl From<ApiError> for Refusal {
    fn from(e: ApiError) -> Self {
        Self(Box::new(e.into_response()))
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        *self.0
    }
}

type Answer = Result<Response, Refusal>;

/// The portal an API call is for, when it is enabled; refusals answer as JSON.
struct ApiSite(Site);

impl FromRequestParts<AppState> for ApiSite {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match Site::resolve(parts, state).await {
            Ok(site) => Ok(Self(site)),
            Err(SiteRefusal::Unknown) => Err(ApiError(AppError::NotFound).into_response()),
            Err(SiteRefusal::Disabled(site)) => Err(error_body(
                StatusCode::SERVICE_UNAVAILABLE,
                "portal_disabled",
                &site.portal.settings.disabled_message,
            )),
            Err(SiteRefusal::Failed(e)) => Err(ApiError(e).into_response()),
        }
    }
}

/// The portal user behind `Authorization: Bearer <token>` on this portal. Cookies are not
/// read. No token, or one that opens no session here (unknown, another portal's, idle, expired,
/// signed out, account no longer active), is 401.
struct Caller {
    me: PortalSignedIn,
    token: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ApiSite(site) = ApiSite::from_request_parts(parts, state).await?;
        let unauthorized = || ApiError(AppError::Unauthorized).into_response();
        let token = bearer_token(&parts.headers)
            .ok_or_else(unauthorized)?
            .to_string();
        let me = portal_accounts::resume(state, &site.portal, &token)
            .await
            .map_err(|e| ApiError(e).into_response())?
            .ok_or_else(unauthorized)?;
        let ip = ClientIp::of(parts, state.config()).text();
        Ok(Self {
            me: PortalSignedIn { ip, ..me },
            token,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    email: String,
    password: String,
    /// The authenticator's code, for an account with two-step verification.
    #[serde(default)]
    totp: Option<String>,
}

/// Every way a sign-in can fail — unknown address, wrong password, locked, not active — is
/// the same 401 `invalid_credentials`, so the answer tells nobody which it was.
fn invalid_credentials() -> Refusal {
    refusal(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "The email address or password is not right",
    )
}

fn refusal(status: StatusCode, code: &str, message: &str) -> Refusal {
    Refusal(Box::new(error_body(status, code, message)))
}

async fn create_token(
    State(state): State<AppState>,
    ApiSite(site): ApiSite,
    ip: ClientIp,
    ApiJson(body): ApiJson<TokenRequest>,
) -> Answer {
    if body
        .totp
        .as_ref()
        .is_some_and(|t| t.chars().count() > TOTP_MAX)
    {
        return Err(AppError::invalid("totp", "too_long", "totp is a short code").into());
    }
    // The session starts inside the sign-in, a moment after this: the answer's `expires_at` is
    // never later than the session's.
    let expires_at = state.now().saturating_add(SESSION_ABSOLUTE_MS);
    let ip = ip.text();
    let how = (ip.as_deref(), None);
    let signed_in =
        portal_accounts::sign_in(&state, &site.portal, &body.email, &body.password, how).await;
    let step = match signed_in {
        Ok(step) => step,
        // A locked account answers as a wrong password does; too many attempts from one
        // address is 429 (it says nothing about any account).
        Err(AppError::Invalid(_) | AppError::Unauthorized) => return Err(invalid_credentials()),
        Err(e) => return Err(e.into()),
    };
    let token = match (step, body.totp.as_deref()) {
        (SignInStep::SignedIn { session, .. }, _) => session,
        (SignInStep::Code { challenge }, Some(totp)) => {
            match portal_mfa::sign_in_with_code(&state, &site.portal, &challenge, totp, how).await {
                Ok((session, _)) => session,
                Err(AppError::Invalid(_) | AppError::NotFound) => {
                    return Err(refusal(
                        StatusCode::UNAUTHORIZED,
                        "invalid_totp",
                        "The code is not right: send the current code from the authenticator app, or a recovery code",
                    ));
                }
                Err(e) => return Err(e.into()),
            }
        }
        (SignInStep::Code { .. }, None) => {
            return Err(refusal(
                StatusCode::UNAUTHORIZED,
                "totp_required",
                "This account uses two-step verification: send the request again with `totp`, the current code from the authenticator app",
            ));
        }
        (SignInStep::Enrol { .. }, _) => {
            return Err(refusal(
                StatusCode::FORBIDDEN,
                "mfa_enrolment_required",
                "This portal requires two-step verification: sign in to the portal in a browser once to set it up",
            ));
        }
    };
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "token": token,
            "token_type": "Bearer",
            "expires_at": rfc3339(expires_at),
        })),
    )
        .into_response())
}

async fn delete_token(State(state): State<AppState>, caller: Caller) -> Answer {
    portal_accounts::sign_out(&state, &caller.token).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn me(State(state): State<AppState>, caller: Caller) -> Answer {
    let me = portal_api::me(&state, &caller.me).await?;
    let user = &me.user;
    let portal = &caller.me.portal;
    Ok(Json(json!({
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "user_type": {"id": user.user_type_id, "name": me.user_type},
        "record_id": user.record_id,
        "preferences": user.preferences,
        "portal": {"id": portal.id, "name": portal.name, "slug": portal.settings.slug},
    }))
    .into_response())
}

fn field_json(f: &ApiField) -> Value {
    let mut v = json!({
        "api_name": f.api_name,
        "label": f.label,
        "type": f.field_type,
        "mandatory": f.mandatory,
        "writable": f.writable,
    });
    if let Value::Object(o) = &mut v {
        if let Some(target) = &f.target_module {
            o.insert("target_module".into(), json!(target));
        }
        if !f.options.is_empty() {
            o.insert("options".into(), json!(f.options));
        }
        if f.field_type == "subform" {
            o.insert(
                "columns".into(),
                Value::Array(f.columns.iter().map(field_json).collect()),
            );
        }
    }
    v
}

async fn tabs(State(state): State<AppState>, caller: Caller) -> Answer {
    let tabs = portal_api::tabs(&state, &caller.me).await?;
    let modules: Vec<Value> = tabs
        .modules
        .iter()
        .map(|t| {
            json!({
                "module": t.module,
                "label": t.label,
                "role": t.role,
                "view": t.view,
                "actions": t.actions,
                "layouts": t.layouts.iter().map(|l| json!({
                    "name": l.name,
                    "fields": l.fields.iter().map(field_json).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let web_tabs: Vec<Value> = tabs
        .web_tabs
        .iter()
        .map(|t| json!({"name": t.name, "url": t.url}))
        .collect();
    Ok(Json(json!({"modules": modules, "web_tabs": web_tabs})).into_response())
}

fn record_json(module: &str, r: &ApiRecord) -> Value {
    json!({"id": r.id, "module": module, "name": r.name, "version": r.version, "data": r.data})
}

fn etag(version: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

fn record_reply(status: StatusCode, module: &str, r: &ApiRecord) -> Response {
    (
        status,
        [(header::ETAG, etag(r.version))],
        Json(record_json(module, r)),
    )
        .into_response()
}

/// `layout`, checked for length (whether the user type shares it is the use case's question).
fn layout_param(params: &HashMap<String, String>) -> Result<Option<&str>, AppError> {
    match params.get("layout").map(String::as_str) {
        None | Some("") => Ok(None),
        Some(l) if l.chars().count() > LAYOUT_MAX => Err(AppError::invalid(
            "layout",
            "too_long",
            format!("layout is at most {LAYOUT_MAX} characters"),
        )),
        Some(l) => Ok(Some(l)),
    }
}

/// Only `layout` (any other parameter is 422 `unknown_parameter`).
fn layout_only(params: &HashMap<String, String>) -> Result<Option<&str>, AppError> {
    query_numbers(params, &["layout"]).map(|_| ())?;
    layout_param(params)
}

async fn list_records(
    State(state): State<AppState>,
    caller: Caller,
    Path((_, module)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
) -> Answer {
    let number = query_numbers(&params, &["limit", "after", "search", "layout"])?;
    let limit = number("limit")?.unwrap_or(PAGE_DEFAULT);
    if !(1..=LIST_MAX).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            "out_of_range",
            format!("limit is between 1 and {LIST_MAX}"),
        )
        .into());
    }
    let after = number("after")?;
    let search = params
        .get("search")
        .map(String::as_str)
        .filter(|s| !s.is_empty());
    if search.is_some_and(|s| s.chars().count() > SEARCH_MAX) {
        return Err(AppError::invalid(
            "search",
            "too_long",
            format!("search is at most {SEARCH_MAX} characters"),
        )
        .into());
    }
    let layout = layout_param(&params)?;
    let page = portal_api::list(&state, &caller.me, &module, layout, after, limit, search).await?;
    let items: Vec<Value> = page.items.iter().map(|r| record_json(&module, r)).collect();
    Ok(Json(json!({"items": items, "next": page.next})).into_response())
}

/// Whether `If-None-Match` names this version (or `*`): weak comparison, as RFC 9110 asks.
fn not_modified(headers: &HeaderMap, version: i64) -> bool {
    let current = format!("\"{version}\"");
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == current)
}

async fn get_record(
    State(state): State<AppState>,
    caller: Caller,
    Path((_, module, id)): Path<(String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Answer {
    let id = parse_id(&id)?;
    let layout = layout_only(&params)?;
    let record = portal_api::get(&state, &caller.me, &module, layout, id).await?;
    if not_modified(&headers, record.version) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [(header::ETAG, etag(record.version))],
        )
            .into_response());
    }
    Ok(record_reply(StatusCode::OK, &module, &record))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecordBody {
    data: Map<String, Value>,
}

async fn create_record(
    State(state): State<AppState>,
    caller: Caller,
    Path((_, module)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    ApiJson(body): ApiJson<RecordBody>,
) -> Answer {
    let layout = layout_only(&params)?;
    let record = portal_api::create(&state, &caller.me, &module, layout, &body.data).await?;
    Ok(record_reply(StatusCode::CREATED, &module, &record))
}

/// The version `If-Match` names. A change must name one: without the header (or with `*`) it
/// is 428; a weak or malformed tag is 400.
fn required_version(headers: &HeaderMap) -> Result<i64, Refusal> {
    match if_match(headers)? {
        Some(version) => Ok(version),
        None => Err(Refusal(Box::new(error_body(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition_required",
            "Send If-Match with the record's ETag (e.g. \"3\"): a change names the version it is based on",
        )))),
    }
}

async fn update_record(
    State(state): State<AppState>,
    caller: Caller,
    Path((_, module, id)): Path<(String, String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RecordBody>,
) -> Answer {
    let id = parse_id(&id)?;
    let layout = layout_only(&params)?;
    let version = required_version(&headers)?;
    let record =
        portal_api::update(&state, &caller.me, &module, layout, id, &body.data, version).await?;
    Ok(record_reply(StatusCode::OK, &module, &record))
}

async fn delete_record(
    State(state): State<AppState>,
    caller: Caller,
    Path((_, module, id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Answer {
    let id = parse_id(&id)?;
    let version = required_version(&headers)?;
    portal_api::delete(&state, &caller.me, &module, id, version).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly() {
        let headers = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::IF_NONE_MATCH,
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("")),
            );
            h
        };
        assert!(not_modified(&headers("\"3\""), 3));
        assert!(not_modified(&headers("W/\"3\""), 3));
        assert!(not_modified(&headers("\"1\", \"3\""), 3));
        assert!(not_modified(&headers("*"), 3));
        assert!(!not_modified(&headers("\"4\""), 3));
        assert!(!not_modified(&HeaderMap::new(), 3));
    }
}
