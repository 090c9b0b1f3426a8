//! Extractors for the API: the bearer-token caller, and JSON bodies whose errors answer in the
//! API's error format (unknown keys and wrong types → 422 naming the field).

use crate::AppState;
use crate::error::{ApiError, AppError, body_error};

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use portico_domain::access::CrmActor;
use serde::de::DeserializeOwned;

/// The CRM user behind `Authorization: Bearer <token>`.
pub struct ApiActor(pub CrmActor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer_token(&parts.headers).ok_or(AppError::Unauthorized)?;
        Ok(Self(portico_app::sign_in::api_actor(state, token).await?))
    }
}

/// The token of an `Authorization: Bearer <token>` header, when there is one.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// A JSON body, parsed strictly: a body over the route's limit answers 413, and a string (or
/// key) holding NUL answers 422 naming its path before anything reads it — PostgreSQL cannot
/// store NUL in text, and no field of ours has a use for it.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers()) {
            return Err(ApiError(AppError::BadRequest(
                "Send the body as JSON with Content-Type: application/json".into(),
            )));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError(body_rejection(e.status(), e.body_text())))?;
        if let Some(path) = nul_path(&bytes) {
            return Err(ApiError(nul_error(&path)));
        }
        match axum::Json::<T>::from_bytes(&bytes) {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError(body_error(&e.body_text()))),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError(AppError::BadRequest(format!(
                "The body is not valid JSON: {}",
                e.body_text()
            )))),
            Err(other) => Err(ApiError(AppError::BadRequest(other.body_text()))),
        }
    }
}

/// `application/json` or any `application/*+json`, as axum's `Json` accepts.
fn is_json(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// A body that could not be read: too large (413, JSON or page alike) or cut short (400).
pub(crate) fn body_rejection(status: StatusCode, text: String) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge("The request body is larger than this address accepts".into())
    } else {
        AppError::BadRequest(text)
    }
}

/// The 422 for a NUL character in the field at `path`.
pub(crate) fn nul_error(path: &str) -> AppError {
    AppError::invalid(
        path,
        "nul_character",
        format!("{path} contains a NUL character, which is not allowed"),
    )
}

/// Where in a JSON body a string holds NUL, as a field path (`data.Last_Name`, `items[2]`),
/// or `None`. JSON can only write NUL as the escape `\u0000`, so bodies without one (nearly all)
/// cost one scan and are never parsed twice.
fn nul_path(body: &[u8]) -> Option<String> {
    if !has_nul_escape(body) {
        return None;
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    find_nul(&value, String::new())
}

/// Whether the text holds `\u0000` as an escape (an odd run of backslashes before `u0000`).
fn has_nul_escape(body: &[u8]) -> bool {
    body.windows(6).enumerate().any(|(i, w)| {
        w == b"\\u0000" && body[..i].iter().rev().take_while(|b| **b == b'\\').count() % 2 == 0
    })
}

fn find_nul(value: &serde_json::Value, path: String) -> Option<String> {
    use serde_json::Value;
    let name = |path: &str| {
        if path.is_empty() {
            "body".to_string()
        } else {
            path.to_string()
        }
    };
    match value {
        Value::String(s) if s.contains('\0') => Some(name(&path)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_nul(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            let child = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            if k.contains('\0') {
                Some(name(&path))
            } else {
                find_nul(v, child)
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_messages_name_fields() {
        let e = body_error(
            "Failed to deserialize the JSON body into the target type: unknown field `colour`, expected one of `data`",
        );
        assert_eq!(e.field_errors()[0].field, "colour");
        assert_eq!(e.field_errors()[0].code, "unknown_field");
        let e = body_error("missing field `data` at line 1");
        assert_eq!(
            (e.field_errors()[0].field.as_str(), e.field_errors()[0].code),
            ("data", "required")
        );
    }

    #[test]
    fn nul_is_found_by_its_path() {
        let path = |body: &str| nul_path(body.as_bytes());
        assert_eq!(path(r#"{"a": "x"}"#), None);
        assert_eq!(
            path(r#"{"a": "x\\u0000"}"#),
            None,
            "an escaped backslash, then text"
        );
        assert_eq!(path(r#"{"a": "x\u0000"}"#).as_deref(), Some("a"));
        assert_eq!(
            path(r#"{"data": {"Tags": ["ok", "b\u0000"]}}"#).as_deref(),
            Some("data.Tags[1]")
        );
        assert_eq!(path(r#"{"data": {"\u0000k": 1}}"#).as_deref(), Some("data"));
        assert_eq!(path(r#""\u0000""#).as_deref(), Some("body"));
    }
}
