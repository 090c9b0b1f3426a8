//! The API's route registry. axum cannot list the routes of a `Router`, so API routes are added
//! here only: each call routes one method of one path and writes (method, path) in a table
//! beside the router. The table is what the OpenAPI test compares with the document, so a route
//! cannot be served without being documented, nor documented without being served.

use crate::AppState;
use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, on};

/// API routes under construction. The router inside is private: submodules hand their routes
/// over as `ApiRoutes`, and [`ApiRoutes::into_router`] is the only way out.
#[derive(Default)]
#[must_use]
pub struct ApiRoutes {
    router: Router<AppState>,
    table: Vec<(Method, &'static str)>,
}

impl ApiRoutes {
    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::GET, MethodFilter::GET, path, h)
    }

    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::POST, MethodFilter::POST, path, h)
    }

    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::PUT, MethodFilter::PUT, path, h)
    }

    pub fn patch<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::PATCH, MethodFilter::PATCH, path, h)
    }

    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H) -> Self {
        self.add(Method::DELETE, MethodFilter::DELETE, path, h)
    }

    /// The method and its filter come in pairs from the methods above, so what the table
    /// records is what the router serves. Routing a second method of a path merges it into the
    /// path's method router (axum panics, at start-up, if the method is already there).
    fn add<H: Handler<T, AppState>, T: 'static>(
        mut self,
        method: Method,
        filter: MethodFilter,
        path: &'static str,
        handler: H,
    ) -> Self {
        assert!(
            path.starts_with("/api/") || path.starts_with("/p/{slug}/api/"),
            "{path} is not an API path: only API routes (the CRM's and the portal's) go through the registry"
        );
        self.router = self.router.route(path, on(filter, handler));
        self.table.push((method, path));
        self
    }

    pub fn merge(mut self, other: ApiRoutes) -> Self {
        self.router = self.router.merge(other.router);
        self.table.extend(other.table);
        self
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }

    pub fn into_table(self) -> Vec<(Method, &'static str)> {
        self.table
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::path::Path;

    /// The other half of "only through the registry": no file of this crate routes an API path
    /// by hand, and no file of the API module routes anything by hand.
    #[test]
    fn api_routes_only_through_the_registry() {
        fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    rust_files(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let mut offenders = Vec::new();
        for file in files {
            let rel = file
                .strip_prefix(&src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "api/registry.rs" {
                continue;
            }
            // Without whitespace, so rustfmt's line breaks change nothing.
            let code: String = std::fs::read_to_string(&file)
                .unwrap()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let by_hand = [".route(", ".route_service(", ".nest(", ".nest_service("];
            let api_by_hand = by_hand
                .iter()
                .any(|call| code.contains(&format!("{call}\"/api")));
            let in_api = rel.starts_with("api/") && by_hand.iter().any(|call| code.contains(call));
            if api_by_hand || in_api {
                offenders.push(rel);
            }
        }
        assert!(
            offenders.is_empty(),
            "route API paths through api::ApiRoutes (so the OpenAPI test sees them), not by hand in: {offenders:?}"
        );
    }
}
