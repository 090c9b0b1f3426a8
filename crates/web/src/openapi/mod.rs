//! The OpenAPI 3.1 document for `/api/v1`, generated from one table of routes ([`ROUTES`]):
//! per route its body, success answer, parameters and every error status its handler can
//! answer. The API router lists what it serves through its registry (`api::route_table`); the
//! tests below fail when the two disagree in either direction.

use serde_json::{Map, Value, json};

mod portal;
mod routes;
mod schemas;

pub use routes::{PORTAL_ROUTES, ROUTES, RouteDoc};

/// Every documented operation: the CRM API's, then the portal API's.
pub fn all_routes() -> impl Iterator<Item = &'static RouteDoc> {
    ROUTES.iter().chain(PORTAL_ROUTES)
}

/// Operations anyone may call: no bearer token.
fn is_public(route: &RouteDoc) -> bool {
    matches!(
        (route.method, route.path),
        (_, "/api/v1/openapi.json" | "/api/v1/auth/token")
            | ("post", "/p/{slug}/api/v1/auth/token")
    )
}
use schemas::*;

/// Query parameters and request headers, referred to by name from [`RouteDoc::params`].
fn parameters() -> Value {
    let mut all = crm_parameters();
    portal::extend(&mut all, portal::parameters());
    all
}

fn crm_parameters() -> Value {
    let query = |name: &str, schema: Value, description: &str| json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description});
    json!({
        "Limit": query("limit", json!({"type": "integer", "minimum": 1, "maximum": portico_app::records::PAGE_MAX, "default": portico_app::records::PAGE_DEFAULT}), "Records per page"),
        "After": query("after", json!({"type": "string", "pattern": "^[+-]?[0-9]+$"}), "The `next` cursor of the previous page"),
        "Search": query("q", json!({"type": "string"}), "Records whose name or email contains this text, ignoring case and surrounding spaces (every character is literal: % _ \" * mean themselves). Three characters or more are looked up in the search index; one or two scan the list newest first. Control characters are refused (422 invalid_characters)."),
        "MailLimit": query("limit", json!({"type": "integer", "minimum": 1, "maximum": portico_app::mail::PAGE_MAX, "default": portico_app::mail::PAGE_DEFAULT}), "Messages per page"),
        "SignupLimit": query("limit", json!({"type": "integer", "minimum": 1, "maximum": portico_app::portal_users::PAGE_MAX, "default": 50}), "Sign-ups per page"),
        "MailState": query("state", json!({"type": "string", "enum": mail_states()}), "Only messages in this state"),
        "TokenScope": query("scope", json!({"type": "string", "enum": ["mine", "org"], "default": "mine"}), "mine: the caller's tokens; org: every token of the org (administrators)"),
        "FailedAfter": query("failed_after", json!({"type": "string", "pattern": "^[+-]?[0-9]+$"}), "The `failed_next` cursor of the previous answer"),
        "FailedLimit": query("failed_limit", json!({"type": "integer", "minimum": 1, "maximum": portico_app::invitation_batches::FAILED_PAGE_MAX, "default": portico_app::invitation_batches::FAILED_PAGE_DEFAULT}), "Failed records per answer"),
        "CandidateUserType": {"name": "user_type", "in": "query", "required": true, "schema": {"type": "integer"}, "description": "The user type to invite to; its personality module is listed"},
        "CandidateSearch": query("q", json!({"type": "string", "maxLength": portico_app::invitation_batches::SEARCH_MAX}), "Records whose name or email contains this text, ignoring case (as the records list searches)"),
        "CandidateLimit": query("limit", json!({"type": "integer", "minimum": 1, "maximum": portico_app::invitation_batches::CANDIDATES_MAX, "default": portico_app::invitation_batches::CANDIDATES_DEFAULT}), "Records per page"),
        "DryRun": query("dry_run", json!({"type": "boolean", "default": false}), "Answer the differences without applying them"),
        "PreviewUserType": {"name": "user_type", "in": "query", "required": true, "schema": {"type": "integer"}, "description": "The user type to preview the portal as"},
        "PreviewRecord": query("record", json!({"type": "integer"}), "Preview as the portal user whose personality record this is"),
        "PortalUserStatus": query("status", json!({"type": "string", "enum": portal_user_statuses()}), "Only users in this status"),
        "PortalUserLimit": query("limit", json!({"type": "integer", "minimum": 1, "maximum": portico_app::portal_users::PAGE_MAX, "default": 50}), "Users per page"),
        "AuditPortal": query("portal", json!({"type": "integer"}), "Only entries of this portal"),
        "AuditPortalUser": query("portal_user", json!({"type": "string", "maxLength": 254}), "Only entries of (or about) this portal user: an id, or an email address (the portal users who have it now, in the chosen portal or any)"),
        "AuditModule": query("module", json!({"type": "string", "pattern": "^[A-Za-z0-9_]+$", "maxLength": 100}), "Only entries about records of this module (API name)"),
        "AuditRecord": query("record", json!({"type": "integer"}), "Only entries about this record"),
        "AuditAction": query("action", json!({"type": "string", "pattern": "^[A-Za-z0-9._-]+[*]?$", "maxLength": 100}), "This action (e.g. portal.record.view), or every action starting with a prefix ending in . or * (e.g. portal.mfa.)"),
        "AuditFrom": query("from", json!({"type": "string"}), "Entries at or after this time: milliseconds since 1970, RFC 3339, or a date YYYY-MM-DD (UTC midnight)"),
        "AuditTo": query("to", json!({"type": "string"}), "Entries before this time: milliseconds since 1970 or RFC 3339 (exclusive), or a date YYYY-MM-DD (UTC; that whole day included)"),
        "AuditBefore": query("before", json!({"type": "string", "pattern": "^[0-9]+$"}), "The `next` cursor of the previous answer: older entries"),
        "AuditAfter": query("after", json!({"type": "string", "pattern": "^[0-9]+$"}), "The `previous` cursor of an answer: the newer page"),
        "AuditLimit": query("limit", json!({"type": "integer", "minimum": 1, "maximum": portico_app::audit::PAGE_MAX, "default": portico_app::audit::PAGE_DEFAULT}), "Entries per page"),
        "IfMatch": {"name": "If-Match", "in": "header", "required": false, "schema": {"type": "string"}, "example": "\"3\"",
            "description": "The ETag of the record as the caller last read it (e.g. \"3\"), or *: the change is refused with 412 if the record changed since. Without it the change applies to whatever version is current. A weak, malformed or listed tag is a 400."},
    })
}

/// The error answers, one per status; operations refer to them by status code.
const ERROR_RESPONSES: &[(u16, &str)] = &[
    (400, "BadRequest"),
    (401, "Unauthorized"),
    (403, "Forbidden"),
    (404, "NotFound"),
    (409, "Conflict"),
    (412, "PreconditionFailed"),
    (422, "Unprocessable"),
    (428, "PreconditionRequired"),
    (429, "TooManyRequests"),
    (500, "Internal"),
    (503, "Busy"),
];

fn responses() -> Value {
    let mut all = crm_responses();
    portal::extend(&mut all, portal::responses());
    all
}

fn crm_responses() -> Value {
    let answer = |description: &str, schema: &str, example: Value| {
        json!({"description": description,
               "content": {"application/json": {"schema": r(schema), "example": example}}})
    };
    let mut unauthorized = answer(
        "No bearer token, or an unknown or expired one; from POST /api/v1/auth/token, a wrong email or password",
        "Error",
        json!({"error": {"code": "unauthorized", "message": "authentication required"}}),
    );
    if let Value::Object(u) = &mut unauthorized {
        u.insert(
            "headers".into(),
            json!({"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}}),
        );
    }
    json!({
        "BadRequest": answer(
            "Malformed request: the body is not JSON or not sent as application/json, or a header (If-Match) cannot be read",
            "Error",
            json!({"error": {"code": "bad_request", "message": "Send the body as JSON with Content-Type: application/json"}}),
        ),
        "Unauthorized": unauthorized,
        "Forbidden": answer(
            "The caller's profile does not allow this, or only an administrator may do it",
            "Error",
            json!({"error": {"code": "forbidden", "message": "Only an administrator can do this"}}),
        ),
        "NotFound": answer(
            "No such item, or one outside the caller's reach: the two look the same",
            "Error",
            json!({"error": {"code": "not_found", "message": "Not found"}}),
        ),
        "Conflict": answer(
            "A unique value is taken (`duplicate`, with `field`) or another rule of uniqueness or state is broken (`conflict`)",
            "ConflictError",
            json!({"error": {"code": "duplicate", "message": "A user with this email address already exists in this org", "field": "email"}}),
        ),
        "PreconditionFailed": answer(
            "If-Match names a version the record is no longer at: nothing was changed",
            "StaleVersionError",
            json!({"error": {"code": "stale_version", "message": "This record was changed by someone else since you opened it (it is now at version 4); reload it and apply your change again", "current_version": 4}}),
        ),
        "Unprocessable": answer(
            "Invalid input: a body key or value, or a query parameter, breaks a rule; `field` names the first, `details` lists all",
            "ValidationError",
            json!({"error": {"code": "required", "message": "missing field `data`", "field": "data", "details": [{"field": "data", "code": "required", "message": "missing field `data`"}]}}),
        ),
        "OrgRequired": answer(
            "The email address and password open accounts in several orgs: `orgs` lists exactly those (never an org where the password is not right); send the request again with one's id as `org`",
            "OrgRequiredError",
            json!({"error": {"code": "org_required", "message": "This email address and password open accounts in several orgs; send the id of one as `org`",
                             "orgs": [{"id": 1, "name": "Zylker"}, {"id": 4, "name": "Zylker Labs"}]}}),
        ),
        "TooManyRequests": answer(
            "Too many failed sign-ins for this email, counted on every instance; wait 15 minutes",
            "Error",
            json!({"error": {"code": "too_many_attempts", "message": "too many attempts; try again later"}}),
        ),
        "Busy": answer(
            "More password checks are waiting than the server takes on at once; try again in a moment",
            "Error",
            json!({"error": {"code": "busy", "message": "the server is busy; try again in a moment"}}),
        ),
        "Internal": answer(
            "The server failed (the database, most often); the details are logged under the request id",
            "InternalError",
            json!({"error": {"code": "internal", "message": "Something went wrong on our side. The details are in the server log under request id 3f2a9c1b7d4e8f60.", "request_id": "3f2a9c1b7d4e8f60"}}),
        ),
    })
}

fn headers() -> Value {
    json!({"ETag": {"description": "The record's version as a strong entity tag, e.g. \"3\": send it back in If-Match to change the record only if nobody changed it since",
                    "schema": {"type": "string", "pattern": "^\"[0-9]+\"$"}, "example": "\"3\""}})
}

fn operation(route: &RouteDoc) -> Value {
    let mut op = Map::new();
    op.insert("operationId".into(), json!(route.operation_id));
    op.insert("tags".into(), json!([route.tag()]));
    op.insert("summary".into(), json!(route.summary));
    let params: Vec<Value> = route
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            // Ids are numbers: anything else names nothing and answers 404 (`api::parse_id`).
            let schema = match name {
                "module" => described(api_name(), "The module's API name, e.g. Contacts"),
                "domain" => described(blocked_domain(), "The blocked domain, e.g. example.com"),
                "slug" => json!({"type": "string", "description": "The portal's URL name (on a portal host the API is at /api/v1/… without /p/{slug})"}),
                _ => json!({"type": "integer", "format": "int64"}),
            };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .chain(
            route
                .params
                .iter()
                .map(|p| json!({"$ref": format!("#/components/parameters/{p}")})),
        )
        .collect();
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }
    if let Some(req) = route.request {
        op.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": {"schema": r(req)}}}),
        );
    }
    if is_public(route) {
        op.insert("security".into(), json!([]));
    } else if route.path.starts_with("/p/") {
        op.insert("security".into(), json!([{"portalBearer": []}]));
    }
    let mut ok = match route.response {
        Some(schema) => {
            json!({"description": "Success", "content": {"application/json": {"schema": r(schema)}}})
        }
        None => json!({"description": "Done; no body"}),
    };
    if route.etag
        && let Value::Object(o) = &mut ok
    {
        o.insert(
            "headers".into(),
            json!({"ETag": {"$ref": "#/components/headers/ETag"}}),
        );
    }
    let mut responses = Map::new();
    if let Some(also) = route.also_ok {
        responses.insert(also.to_string(), ok.clone());
    }
    if route.params.contains(&"IfNoneMatch") {
        responses.insert(
            "304".into(),
            json!({"description": "Not modified: the record is still at the version If-None-Match names; no body",
                   "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}}),
        );
    }
    responses.insert(route.status.to_string(), ok);
    for status in route.errors {
        let name = route
            .own_errors
            .iter()
            .chain(ERROR_RESPONSES)
            .find(|(s, _)| s == status)
            .map_or("Error", |(_, name)| name);
        responses.insert(
            status.to_string(),
            json!({"$ref": format!("#/components/responses/{name}")}),
        );
    }
    op.insert("responses".into(), Value::Object(responses));
    Value::Object(op)
}

pub fn document() -> Value {
    let mut paths = Map::new();
    for route in all_routes() {
        let entry = paths
            .entry(route.path.to_string())
            .or_insert_with(|| json!({}));
        if let Value::Object(e) = entry {
            e.insert(route.method.to_string(), operation(route));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Portico CRM API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "CRM records, modules and settings. Authenticate with POST /api/v1/auth/token, then send `Authorization: Bearer <token>`. Every error answers `{\"error\": {\"code\", \"message\", ...}}`. Records carry a `version`; GET, POST and PATCH answer it as an `ETag`, and a PATCH with `If-Match` is refused with 412 if the record changed since."},
        "servers": [{"url": "/"}],
        "tags": [
            {"name": "meta", "description": "This document"},
            {"name": "auth", "description": "Bearer tokens: issue, list, revoke"},
            {"name": "org", "description": "The org's settings"},
            {"name": "modules", "description": "Modules, their fields and layouts"},
            {"name": "records", "description": "Records of a module"},
            {"name": "users", "description": "CRM users"},
            {"name": "profiles", "description": "Profiles: what CRM users may do"},
            {"name": "web-tabs", "description": "Web tabs"},
            {"name": "portals", "description": "Portals, user types, configuration and seats"},
            {"name": "mail", "description": "The outbox: every email the system sends, and its delivery"},
            {"name": "portal-api", "description": "A portal user's API, under the portal's base: /p/{slug}/api/v1/… on any host, /api/v1/… on the portal's own host. Authenticate with POST auth/token there, then send Authorization: Bearer <token> (the portalBearer scheme; cookies are not read). Everything goes through the same enforcement point as the portal's pages: a record outside your scope answers 404 like a missing one, hidden fields never appear, lookups out of reach are null. A disabled portal answers 503 portal_disabled"},
            {"name": "email-domains", "description": "Email domains portal invitations and sign-ups refuse: the org's block list (the shipped list of disposable-address services applies as well)"},
            {"name": "audit", "description": "The audit log: admin changes, portal account events, and every portal read and write of a record"},
        ],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "portalBearer": {"type": "http", "scheme": "bearer", "description": "A portal user's token from POST /p/{slug}/api/v1/auth/token; it opens only that portal"}},
            "schemas": schemas(),
            "parameters": parameters(),
            "headers": headers(),
            "responses": responses(),
        },
        "paths": paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const METHODS: &[&str] = &[
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];

    fn lines(set: &BTreeSet<(String, String)>) -> String {
        set.iter()
            .map(|(m, p)| format!("  {} {p}\n", m.to_uppercase()))
            .collect()
    }

    /// The router's table (what is served) and the document's paths (what is documented) are
    /// the same set of (method, path), in the same template syntax.
    #[test]
    fn document_lists_exactly_the_served_routes() {
        let served: BTreeSet<(String, String)> = crate::api::route_table()
            .iter()
            .chain(crate::portal_api_routes().iter())
            .map(|(m, p)| (m.as_str().to_lowercase(), (*p).to_string()))
            .collect();
        let doc = document();
        let mut documented = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for method in item.as_object().into_iter().flatten().map(|(k, _)| k) {
                if METHODS.contains(&method.as_str()) {
                    documented.insert((method.clone(), path.clone()));
                }
            }
        }
        let undocumented: BTreeSet<_> = served.difference(&documented).cloned().collect();
        let unserved: BTreeSet<_> = documented.difference(&served).cloned().collect();
        assert!(
            undocumented.is_empty() && unserved.is_empty(),
            "the API router and the OpenAPI document disagree\n\
             served but missing from the document:\n{}\
             in the document but not served:\n{}",
            lines(&undocumented),
            lines(&unserved),
        );
        let wildcards: Vec<_> = served.iter().filter(|(_, p)| p.contains("{*")).collect();
        assert!(
            wildcards.is_empty(),
            "OpenAPI has no wildcard paths: {wildcards:?}"
        );
    }

    /// Each operation documents the errors its extractors can answer, and each error status
    /// has its shared response.
    #[test]
    fn errors_follow_the_extractors() {
        for route in all_routes() {
            let name = format!("{} {}", route.method, route.path);
            let public = is_public(route);
            let has = |s: u16| route.errors.contains(&s);
            if !public {
                assert!(has(401) && has(500), "{name}: bearer token and database");
            }
            if route.request.is_some() {
                assert!(has(400) && has(422), "{name}: a JSON body");
            }
            if route.path.contains('{') {
                assert!(has(404), "{name}: an id in the path");
            }
            let if_match =
                route.params.contains(&"IfMatch") || route.params.contains(&"PortalIfMatch");
            assert_eq!(has(412), if_match, "{name}");
            assert_eq!(has(428), route.params.contains(&"PortalIfMatch"), "{name}");
            for s in route.errors {
                assert!(
                    ERROR_RESPONSES.iter().any(|(e, _)| e == s),
                    "{name}: no shared response for {s}"
                );
            }
            for (s, own) in route.own_errors {
                assert!(
                    has(*s),
                    "{name}: its own {s} response is not among its errors"
                );
                assert!(
                    responses()[own].is_object(),
                    "{name}: no response named {own}"
                );
            }
        }
    }

    /// An ambiguous sign-in is documented as what it answers: 409 `org_required` with the
    /// orgs, and the request's optional `org`.
    #[test]
    fn token_requests_document_the_org_choice() {
        let doc = document();
        let op = &doc["paths"]["/api/v1/auth/token"]["post"];
        assert_eq!(
            op["responses"]["409"]["$ref"],
            "#/components/responses/OrgRequired"
        );
        let schemas = &doc["components"]["schemas"];
        let error = &schemas["OrgRequiredError"]["properties"]["error"];
        assert_eq!(error["properties"]["code"]["const"], "org_required");
        assert!(
            error["required"]
                .as_array()
                .is_some_and(|r| r.contains(&json!("orgs")))
        );
        let request = &schemas["TokenRequest"];
        assert!(request["properties"]["org"].is_object());
        assert_eq!(request["required"], json!(["email", "password"]));
    }

    #[test]
    fn records_document_versions() {
        let doc = document();
        let record = &doc["components"]["schemas"]["Record"];
        assert_eq!(record["properties"]["version"]["type"], "integer");
        let op = &doc["paths"]["/api/v1/records/{module}/{id}"]["patch"];
        assert!(op["responses"]["412"].is_object());
        assert!(op["responses"]["200"]["headers"]["ETag"].is_object());
        assert!(op["parameters"].as_array().is_some_and(|ps| {
            ps.iter()
                .any(|p| p["$ref"] == "#/components/parameters/IfMatch")
        }));
    }

    /// Code generators name functions after operationIds and group them by tag: every operation
    /// has both, and the ids are unique snake_case.
    #[test]
    fn operations_have_ids_and_tags() {
        let doc = document();
        let tags: BTreeSet<String> = doc["tags"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["name"].as_str().map(str::to_string))
            .collect();
        let mut ids = BTreeSet::new();
        for route in all_routes() {
            let name = format!("{} {}", route.method, route.path);
            let id = route.operation_id;
            assert!(
                !id.is_empty()
                    && id.starts_with(|c: char| c.is_ascii_lowercase())
                    && id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{name}: operationId {id:?} is not snake_case"
            );
            assert!(ids.insert(id), "{name}: operationId {id} is used twice");
            assert!(
                tags.contains(route.tag()),
                "{name}: undeclared tag {}",
                route.tag()
            );
            let op = &doc["paths"][route.path][route.method];
            assert_eq!(op["operationId"], id);
            assert_eq!(op["tags"], json!([route.tag()]));
        }
    }

    /// Every object schema says whether it takes other keys (`additionalProperties`) and, when
    /// it lists properties, which are required: generators otherwise guess, and guess wrong.
    #[test]
    fn object_schemas_state_required_and_additional_properties() {
        fn walk(value: &Value, at: &str, out: &mut Vec<String>) {
            match value {
                Value::Object(map) => {
                    let is_object = match map.get("type") {
                        Some(Value::String(t)) => t == "object",
                        Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
                        _ => false,
                    };
                    if is_object {
                        if !map.contains_key("additionalProperties") {
                            out.push(format!("{at}: no additionalProperties"));
                        }
                        if map.contains_key("properties") && !map.contains_key("required") {
                            out.push(format!("{at}: properties without required"));
                        }
                    }
                    for (k, v) in map {
                        walk(v, &format!("{at}/{k}"), out);
                    }
                }
                Value::Array(items) => {
                    for (i, v) in items.iter().enumerate() {
                        walk(v, &format!("{at}/{i}"), out);
                    }
                }
                _ => {}
            }
        }
        let doc = document();
        let mut problems = Vec::new();
        walk(
            &doc["components"]["schemas"],
            "#/components/schemas",
            &mut problems,
        );
        assert!(problems.is_empty(), "{}", problems.join("\n"));
        // Record data is any JSON per field, so TypeScript gets `Record<string, unknown>`.
        let record = &doc["components"]["schemas"]["Record"];
        assert_eq!(record["properties"]["data"]["additionalProperties"], true);
        assert_eq!(record["properties"]["state"], r("RecordState"));
    }

    /// Lists that answer everything at once document no cursor; one that pages takes an
    /// `after` cursor (`After`, or its own such as `AuditAfter`) and documents `next`.
    #[test]
    fn only_paged_lists_document_a_cursor() {
        let doc = document();
        for route in all_routes().filter(|r| r.response.is_some_and(|s| s.ends_with("List"))) {
            let schema = &doc["components"]["schemas"][route.response.unwrap_or_default()];
            let has_next = schema["properties"].get("next").is_some();
            assert_eq!(
                has_next,
                route.params.iter().any(|p| p.ends_with("After")),
                "{} {}: `next` only with `after`",
                route.method,
                route.path
            );
        }
    }
}
