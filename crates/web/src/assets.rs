//! Static assets, embedded in the binary at compile time (no CDN, nothing read from disk).

use crate::AppState;
use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "portico.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/portico.css"),
    ),
    (
        "htmx.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/htmx.min.js"),
    ),
    (
        "noscript.css",
        "text/css; charset=utf-8",
        include_bytes!("../static/noscript.css"),
    ),
    (
        "portico.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/portico.js"),
    ),
];

pub fn routes() -> Router<AppState> {
    Router::new().route("/static/{file}", get(asset))
}

async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, body)) => {
            let mut r = (StatusCode::OK, *body).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
            r.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            );
            r
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
