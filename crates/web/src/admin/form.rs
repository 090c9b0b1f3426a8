//! The one shape of every admin form: a page that shows itself, then on submit either moves on
//! (303 with a notice) or shows itself again with what the user typed and every problem.
//!
//! A form page is a value ([`FormPage`]) holding what the page shows: nothing typed yet, or the
//! posted input. A GET handler takes a [`PageRequest`] and ends with [`PageRequest::show`]; a
//! POST handler takes a [`FormPost`] (session and CSRF token already checked) and ends with
//! [`FormPost::submit`]. Status codes, error placement and the redirect live here once.

use super::{AdminSession, Chrome, PageError, PageResult};
use crate::AppState;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use portico_app::AppError;
use portico_domain::FieldError;
use serde::Deserialize;

/// A page with a form that can render itself, with the errors of a refused submit.
pub(crate) trait FormPage: Send {
    /// The form field a uniqueness conflict (`AppError::Conflict`) is about, if one: the
    /// message is then shown beside that field rather than on top.
    const CONFLICT_FIELD: Option<&'static str> = None;

    /// Renders the page. `cx.errors` is empty when it is first shown; after a refused submit
    /// it holds every problem, and `self` carries what the user posted.
    fn render(self, cx: PageContext<'_>) -> impl Future<Output = PageResult> + Send;
}

/// What a form page renders with besides itself.
pub(crate) struct PageContext<'a> {
    pub state: &'a AppState,
    pub s: &'a AdminSession,
    pub errors: FormErrors,
    flash: Option<String>,
    problem: Option<String>,
}

impl<'a> PageContext<'a> {
    /// A form page shown again after a refused submit that did not come through [`FormPost`]
    /// (a file upload).
    pub(crate) fn refused(state: &'a AppState, s: &'a AdminSession, errors: FormErrors) -> Self {
        Self {
            state,
            s,
            errors,
            flash: None,
            problem: None,
        }
    }

    /// The navigation around the page, with the notice of the previous step if any.
    pub async fn chrome(&self, title: &str, active: &str) -> Result<Chrome, PageError> {
        Ok(Chrome::new(self.state, self.s, title, active)
            .await?
            .with_flash(self.flash.clone())
            .with_problem(self.problem.clone()))
    }
}

#[derive(Deserialize)]
struct PageQuery {
    flash: Option<String>,
    problem: Option<String>,
    wizard: Option<String>,
}

/// A signed-in CRM user opening an admin page (GET), with the notice to show and whether the
/// page is a step of the portal wizard (`?wizard=1`).
pub(crate) struct PageRequest {
    pub state: AppState,
    pub s: AdminSession,
    pub flash: Option<String>,
    /// A failure of the previous step (`?problem=`), shown as a failure.
    pub problem: Option<String>,
    pub wizard: bool,
}

impl FromRequestParts<AppState> for PageRequest {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let s = AdminSession::from_request_parts(parts, state).await?;
        let Query(q) = Query::<PageQuery>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        Ok(Self {
            state: state.clone(),
            s,
            flash: q.flash,
            problem: q.problem,
            wizard: q.wizard.as_deref() == Some("1"),
        })
    }
}

impl PageRequest {
    /// The navigation around a page, with the notice of the previous step if any.
    pub async fn chrome(&self, title: &str, active: &str) -> Result<Chrome, PageError> {
        Ok(Chrome::new(&self.state, &self.s, title, active)
            .await?
            .with_flash(self.flash.clone())
            .with_problem(self.problem.clone()))
    }

    /// The form page as first opened.
    pub async fn show<P: FormPage>(self, page: P) -> PageResult {
        let cx = PageContext {
            state: &self.state,
            s: &self.s,
            errors: FormErrors::default(),
            flash: self.flash,
            problem: self.problem,
        };
        page.render(cx).await
    }
}

/// An admin form body that could not be read: one over the route's limit is a 413 page;
/// other failures keep axum's answer.
pub(crate) fn form_rejection(e: FormRejection) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        PageError(crate::api::body_rejection(e.status(), e.body_text())).into_response()
    } else {
        e.into_response()
    }
}

/// A submitted admin form (POST) of a signed-in CRM user, its CSRF token checked.
pub(crate) struct FormPost {
    pub state: AppState,
    pub s: AdminSession,
    pub pairs: Vec<(String, String)>,
}

impl FromRequest<AppState> for FormPost {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let s = AdminSession::from_request_parts(&mut parts, state).await?;
        let Form(pairs) =
            Form::<Vec<(String, String)>>::from_request(Request::from_parts(parts, body), state)
                .await
                .map_err(form_rejection)?;
        s.check_csrf(&pairs).map_err(IntoResponse::into_response)?;
        // NUL has no place in any admin field (and PostgreSQL cannot store it): refused here,
        // once for every form, naming the field.
        if let Some((name, _)) = pairs
            .iter()
            .find(|(name, value)| name.contains('\0') || value.contains('\0'))
        {
            let name = if name.contains('\0') { "form" } else { name };
            return Err(PageError(crate::api::nul_error(name)).into_response());
        }
        Ok(Self {
            state: state.clone(),
            s,
            pairs,
        })
    }
}

impl FormPost {
    /// The value of a posted field, or "".
    pub fn value(&self, name: &str) -> &str {
        form_value(&self.pairs, name)
    }

    /// The value of a posted field, trimmed, or None when blank.
    pub fn text(&self, name: &str) -> Option<String> {
        Some(self.value(name).trim().to_string()).filter(|v| !v.is_empty())
    }

    pub fn checked(&self, name: &str) -> bool {
        form_checked(&self.pairs, name)
    }

    /// The end of a form submit. On success `done` answers (a redirect with a notice). A
    /// refusal shows the page `page` makes from the posted input again, with every error, as
    /// 422 — or 409 when the record changed since the form was opened. Anything else is an
    /// error page.
    pub async fn submit<T, P: FormPage>(
        self,
        result: Result<T, AppError>,
        page: impl FnOnce(Posted) -> P,
        done: impl FnOnce(T) -> Response,
    ) -> PageResult {
        let FormPost { state, s, pairs } = self;
        let e = match result {
            Ok(value) => return Ok(done(value)),
            Err(e) => e,
        };
        let status = match e {
            AppError::Stale { .. } => StatusCode::CONFLICT,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        let e = match (e, P::CONFLICT_FIELD) {
            (AppError::Conflict(m), Some(field)) => AppError::invalid(field, "taken", m),
            (other, _) => other,
        };
        let cx = PageContext {
            state: &state,
            s: &s,
            errors: FormErrors::from_error(e)?,
            flash: None,
            problem: None,
        };
        let mut r = page(Posted(pairs)).render(cx).await?;
        *r.status_mut() = status;
        Ok(r)
    }
}

/// The field name, in [`FormErrors`], of a refusal because the record changed meanwhile.
pub const STALE: &str = "stale";

/// Field errors of a submitted form, looked up by field name in templates.
#[derive(Default)]
pub struct FormErrors(pub Vec<FieldError>);

impl FormErrors {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    /// The id of the message shown beside `field`'s control (`{field}-error`), which the
    /// control names in `aria-describedby`.
    pub fn error_id(&self, field: &str) -> String {
        error_id(field)
    }

    /// The attributes of `field`'s control: marked invalid and described by its message when
    /// the field has an error, nothing otherwise. Safe to write unescaped: the id keeps only
    /// letters, digits, `_`, `.` and `-`.
    pub fn aria(&self, field: &str) -> String {
        if self.get(field).is_some() {
            format!(
                " aria-invalid=\"true\" aria-describedby=\"{}\"",
                error_id(field)
            )
        } else {
            String::new()
        }
    }

    /// Errors that name no field shown on the form.
    pub fn general(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter(|e| e.field.is_empty() || e.field == "body")
            .map(|e| e.message.as_str())
            .collect()
    }

    /// Every message, for forms that list all their problems on top.
    pub fn messages(&self) -> Vec<&str> {
        self.0.iter().map(|e| e.message.as_str()).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the submit was refused because the record changed since the form was opened.
    pub fn is_stale(&self) -> bool {
        self.0.iter().any(|e| e.code == STALE)
    }

    /// Splits a use case's error into form errors (shown on the form) or a page error.
    pub fn from_error(e: AppError) -> Result<Self, PageError> {
        match e {
            AppError::Invalid(d) => Ok(Self(d.errors().to_vec())),
            AppError::Conflict(m) => Ok(Self(vec![FieldError::new("", "conflict", m)])),
            AppError::Duplicate { field, message } => {
                Ok(Self(vec![FieldError::new(&field, "duplicate", message)]))
            }
            AppError::Stale { .. } => Ok(Self(vec![FieldError::new(
                "",
                STALE,
                "Someone else changed this record since you opened it, so nothing was saved. \
                 Your changes are below; open the record again to see theirs.",
            )])),
            other => Err(PageError(other)),
        }
    }
}

/// `{field}-error`, with anything but letters, digits, `_`, `.` and `-` replaced by `_`.
pub fn error_id(field: &str) -> String {
    let clean: String = field
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{clean}-error")
}

/// A submitted form, kept to show the user what they typed.
#[derive(Default, Clone)]
pub struct Posted(pub Vec<(String, String)>);

impl Posted {
    pub fn get(&self, name: &str) -> &str {
        form_value(&self.0, name)
    }

    pub fn checked(&self, name: &str) -> bool {
        form_checked(&self.0, name)
    }

    pub fn is(&self, name: &str, value: &str) -> bool {
        self.get(name) == value
    }

    /// Every value posted under `name`, in order (multi-selects, repeated checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The same form without one field (a password is never sent back to the browser).
    pub fn without(mut self, name: &str) -> Self {
        self.0.retain(|(k, _)| k != name);
        self
    }
}

/// The value of a form field, or "".
pub fn form_value<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

pub fn form_checked(pairs: &[(String, String)], name: &str) -> bool {
    pairs
        .iter()
        .any(|(k, v)| k == name && (v == "on" || v == "true"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_become_form_errors_and_the_rest_pages() {
        let dup = FormErrors::from_error(AppError::Duplicate {
            field: "name".into(),
            message: "taken".into(),
        })
        .unwrap_or_default();
        assert_eq!(dup.get("name"), Some("taken"));
        let stale =
            FormErrors::from_error(AppError::Stale { current_version: 3 }).unwrap_or_default();
        assert!(stale.is_stale() && stale.general().len() == 1);
        assert!(FormErrors::from_error(AppError::NotFound).is_err());
    }

    #[test]
    fn a_field_with_an_error_is_marked_invalid_and_described_by_its_message() {
        let errors = FormErrors(vec![FieldError::new("slug", "invalid_slug", "bad")]);
        assert_eq!(
            errors.aria("slug"),
            r#" aria-invalid="true" aria-describedby="slug-error""#
        );
        assert_eq!(errors.aria("custom_domain"), "");
        assert_eq!(error_id(r#"a"><script>"#), "a___script_-error");
    }
}
