//! Extractors for the API: the bearer-token caller, and JSON bodies whose errors answer in the
//! API's error format (unknown keys and wrong types → 422 naming the field).

use crate::AppState;
use crate::error::{ApiError, AppError, body_error};

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use portico_domain::access::CrmActor;
use serde::de::DeserializeOwned;

/// The CRM user behind `Authorization: Bearer <token>`.
pub struct ApiActor(pub CrmActor);

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthorized)?;
        Ok(Self(portico_app::sign_in::api_actor(state, token).await?))
    }
}

/// A JSON body, parsed strictly.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(JsonRejection::JsonDataError(e)) => Err(ApiError(body_error(&e.body_text()))),
            Err(JsonRejection::JsonSyntaxError(e)) => Err(ApiError(AppError::BadRequest(format!(
                "The body is not valid JSON: {}",
                e.body_text()
            )))),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError(AppError::BadRequest(
                "Send the body as JSON with Content-Type: application/json".into(),
            ))),
            Err(other) => Err(ApiError(AppError::BadRequest(other.body_text()))),
        }
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
}
