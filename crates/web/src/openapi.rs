//! The OpenAPI 3.1 document for `/api/v1`, generated from one table of routes ([`ROUTES`]):
//! per route its body, success answer, parameters and every error status its handler can
//! answer. The API router lists what it serves through its registry (`api::route_table`); the
//! tests below fail when the two disagree in either direction.

use serde_json::{Map, Value, json};

/// One documented operation. Path parameters come from the path template itself.
#[derive(Debug, Clone, Copy)]
pub struct RouteDoc {
    /// Lower case, as the document's `paths` spell it.
    pub method: &'static str,
    /// axum's template syntax, which is OpenAPI's: `{id}`.
    pub path: &'static str,
    pub summary: &'static str,
    /// Schema of the JSON body, for routes that take one.
    pub request: Option<&'static str>,
    pub status: u16,
    /// Schema of the success body; `None` answers no body (204).
    pub response: Option<&'static str>,
    /// Names in `components/parameters` (query parameters and request headers).
    pub params: &'static [&'static str],
    /// The success answer carries the record's `ETag`.
    pub etag: bool,
    /// Every error status the handler can answer; each is a `components/responses` entry.
    pub errors: &'static [u16],
}

impl RouteDoc {
    const fn new(method: &'static str, path: &'static str, summary: &'static str) -> Self {
        Self {
            method,
            path,
            summary,
            request: None,
            status: 200,
            response: None,
            params: &[],
            etag: false,
            errors: &[],
        }
    }

    const fn get(path: &'static str, summary: &'static str) -> Self {
        Self::new("get", path, summary)
    }

    const fn post(path: &'static str, summary: &'static str) -> Self {
        Self::new("post", path, summary)
    }

    const fn put(path: &'static str, summary: &'static str) -> Self {
        Self::new("put", path, summary)
    }

    const fn patch(path: &'static str, summary: &'static str) -> Self {
        Self::new("patch", path, summary)
    }

    const fn delete(path: &'static str, summary: &'static str) -> Self {
        Self::new("delete", path, summary)
    }

    const fn body(self, schema: &'static str) -> Self {
        Self {
            request: Some(schema),
            ..self
        }
    }

    const fn ok(self, status: u16, schema: &'static str) -> Self {
        Self {
            status,
            response: Some(schema),
            ..self
        }
    }

    const fn no_content(self) -> Self {
        Self {
            status: 204,
            response: None,
            ..self
        }
    }

    const fn params(self, params: &'static [&'static str]) -> Self {
        Self { params, ..self }
    }

    const fn etag(self) -> Self {
        Self { etag: true, ..self }
    }

    const fn errors(self, errors: &'static [u16]) -> Self {
        Self { errors, ..self }
    }
}

// The error statuses follow the handlers: 401 from the bearer-token extractor; 400 and 422 from
// a JSON body (malformed / wrong shape); 404 from ids in the path; 403 from profile checks and
// administrator-only use cases; 409 where a name must be unique or a state rule applies; 500
// from any database access.
pub const ROUTES: &[RouteDoc] = &[
    RouteDoc::get("/api/v1/openapi.json", "This document").ok(200, "Any"),
    RouteDoc::post(
        "/api/v1/auth/token",
        "Exchange email and password for a bearer token",
    )
    .body("TokenRequest")
    .ok(201, "Token")
    .errors(&[400, 401, 422, 429, 500]),
    RouteDoc::get(
        "/api/v1/tokens",
        "The caller's API tokens that are not revoked; with scope=org every token of the org (administrators). Secrets are never shown again",
    )
    .params(&["TokenScope"])
    .ok(200, "ApiTokenList")
    .errors(&[401, 403, 422, 500]),
    RouteDoc::delete(
        "/api/v1/tokens/{id}",
        "Revoke an API token (your own; administrators: any of the org's). It answers 401 at once",
    )
    .no_content()
    .errors(&[401, 404, 500]),
    RouteDoc::get("/api/v1/org", "The caller's org settings")
        .ok(200, "Org")
        .errors(&[401, 500]),
    RouteDoc::patch("/api/v1/org", "Change org settings (administrators)")
        .body("OrgPatch")
        .ok(200, "Org")
        .errors(&[400, 401, 403, 422, 500]),
    RouteDoc::get("/api/v1/modules", "Modules the caller may view")
        .ok(200, "ModuleList")
        .errors(&[401, 500]),
    RouteDoc::post("/api/v1/modules", "Create a custom module (administrators)")
        .body("NewModule")
        .ok(201, "Module")
        .errors(&[400, 401, 403, 409, 422, 500]),
    RouteDoc::get(
        "/api/v1/modules/{module}",
        "A module with its fields and layouts",
    )
    .ok(200, "Module")
    .errors(&[401, 403, 404, 500]),
    RouteDoc::patch(
        "/api/v1/modules/{module}",
        "Change a module's label, data sharing or canvas template (administrators)",
    )
    .body("ModulePatch")
    .ok(200, "Module")
    .errors(&[400, 401, 403, 404, 422, 500]),
    RouteDoc::post("/api/v1/modules/{module}/fields", "Add a field (administrators)")
        .body("NewField")
        .ok(201, "Field")
        .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::post(
        "/api/v1/modules/{module}/layouts",
        "Add a layout (administrators)",
    )
    .body("NewLayout")
    .ok(201, "Layout")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::get(
        "/api/v1/records/{module}",
        "List records, newest first (keyset pages; q searches name and email)",
    )
    .params(&["Limit", "After", "Search"])
    .ok(200, "RecordList")
    .errors(&[401, 403, 404, 422, 500]),
    RouteDoc::post("/api/v1/records/{module}", "Create a record")
        .body("RecordBody")
        .ok(201, "Record")
        .etag()
        .errors(&[400, 401, 403, 404, 422, 500]),
    RouteDoc::get("/api/v1/records/{module}/{id}", "One record")
        .ok(200, "Record")
        .etag()
        .errors(&[401, 403, 404, 500]),
    RouteDoc::patch(
        "/api/v1/records/{module}/{id}",
        "Change some of a record's values (null clears); If-Match makes it conditional",
    )
    .params(&["IfMatch"])
    .body("RecordPatch")
    .ok(200, "Record")
    .etag()
    .errors(&[400, 401, 403, 404, 412, 422, 500]),
    RouteDoc::delete(
        "/api/v1/records/{module}/{id}",
        "Move a record to the recycle bin",
    )
    .no_content()
    .errors(&[401, 403, 404, 500]),
    RouteDoc::post(
        "/api/v1/records/{module}/{id}/restore",
        "Bring a record back from the recycle bin",
    )
    .ok(200, "Record")
    .etag()
    .errors(&[401, 403, 404, 500]),
    RouteDoc::get("/api/v1/users", "CRM users (administrators)")
        .ok(200, "UserList")
        .errors(&[401, 403, 500]),
    RouteDoc::post("/api/v1/users", "Create a CRM user (administrators)")
        .body("NewUser")
        .ok(201, "User")
        .errors(&[400, 401, 403, 409, 422, 500]),
    RouteDoc::patch(
        "/api/v1/users/{id}",
        "Activate or deactivate a CRM user (administrators); a deactivated user's sessions and API tokens stop working at once",
    )
    .body("UserPatch")
    .ok(200, "User")
    .errors(&[400, 401, 403, 404, 422, 500]),
    RouteDoc::get("/api/v1/profiles", "Profiles (administrators)")
        .ok(200, "ProfileList")
        .errors(&[401, 403, 500]),
    RouteDoc::post("/api/v1/profiles", "Create a profile (administrators)")
        .body("NewProfile")
        .ok(201, "Profile")
        .errors(&[400, 401, 403, 409, 422, 500]),
    RouteDoc::put("/api/v1/profiles/{id}", "Replace a profile (administrators)")
        .body("NewProfile")
        .ok(200, "Profile")
        .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::get("/api/v1/web-tabs", "Web tabs")
        .ok(200, "WebTabList")
        .errors(&[401, 500]),
    RouteDoc::post("/api/v1/web-tabs", "Create a web tab (administrators)")
        .body("NewWebTab")
        .ok(201, "WebTab")
        .errors(&[400, 401, 403, 409, 422, 500]),
    RouteDoc::delete("/api/v1/web-tabs/{id}", "Delete a web tab (administrators)")
        .no_content()
        .errors(&[401, 403, 404, 500]),
    RouteDoc::get("/api/v1/portals", "Portals of the org (administrators)")
        .ok(200, "PortalList")
        .errors(&[401, 403, 500]),
    RouteDoc::post(
        "/api/v1/portals",
        "Create a portal with its default Client Portal user type (administrators)",
    )
    .body("NewPortal")
    .ok(201, "Portal")
    .errors(&[400, 401, 403, 409, 422, 500]),
    RouteDoc::get("/api/v1/portals/{portal}", "A portal and all its settings")
        .ok(200, "Portal")
        .errors(&[401, 403, 404, 500]),
    RouteDoc::patch(
        "/api/v1/portals/{portal}",
        "Change portal settings (the name is fixed)",
    )
    .body("PortalPatch")
    .ok(200, "Portal")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::get(
        "/api/v1/portals/{portal}/user-types",
        "The portal's user types",
    )
    .ok(200, "UserTypeList")
    .errors(&[401, 403, 404, 500]),
    RouteDoc::post(
        "/api/v1/portals/{portal}/user-types",
        "Add a user type (needs purchased seats)",
    )
    .body("UserTypeConfig")
    .ok(201, "UserType")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::get(
        "/api/v1/portals/{portal}/user-types/{id}",
        "A user type: its whole tab and field configuration",
    )
    .ok(200, "UserType")
    .errors(&[401, 403, 404, 500]),
    RouteDoc::put(
        "/api/v1/portals/{portal}/user-types/{id}",
        "Replace a user type's configuration (one transaction)",
    )
    .body("UserTypeConfig")
    .ok(200, "UserType")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::delete(
        "/api/v1/portals/{portal}/user-types/{id}",
        "Delete a user type (not the default one: 409)",
    )
    .no_content()
    .errors(&[401, 403, 404, 409, 500]),
    RouteDoc::get(
        "/api/v1/portals/{portal}/config",
        "Export the whole portal configuration",
    )
    .ok(200, "PortalConfig")
    .errors(&[401, 403, 404, 500]),
    RouteDoc::put(
        "/api/v1/portals/{portal}/config",
        "Import a configuration; ?dry_run=true answers the differences only",
    )
    .params(&["DryRun"])
    .body("PortalConfig")
    .ok(200, "ConfigChanges")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::get(
        "/api/v1/portals/{portal}/preview",
        "Preview the portal as a user type (?user_type=) or as one portal user's record (&record=); read-only, audited",
    )
    .params(&["PreviewUserType", "PreviewRecord"])
    .ok(200, "Preview")
    .errors(&[401, 403, 404, 422, 500]),
    RouteDoc::post(
        "/api/v1/portals/{portal}/domain/verify",
        "Verify the custom domain: _portico.{domain} must have a TXT record with the portal's token (422 when it has not)",
    )
    .ok(200, "Portal")
    .errors(&[401, 403, 404, 422, 500]),
    RouteDoc::get(
        "/api/v1/seats",
        "Purchased portal seats: granted, used, free, and the grants",
    )
    .ok(200, "Seats")
    .errors(&[401, 403, 500]),
];

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn list_of(item: &str) -> Value {
    json!({"type": "object", "required": ["items", "next"], "properties": {
        "items": {"type": "array", "items": r(item)},
        "next": {"type": ["string", "null"], "description": "Cursor for the next page (pass as `after`)"}}})
}

fn obj(props: Value, required: &[&str]) -> Value {
    json!({"type": "object", "additionalProperties": false, "properties": props, "required": required})
}

fn schemas() -> Value {
    let perms = obj(
        json!({"view": {"type": "boolean"}, "create": {"type": "boolean"}, "edit": {"type": "boolean"}, "delete": {"type": "boolean"}}),
        &[],
    );
    let state = obj(
        json!({"approval_locked": {"type": "boolean"}, "in_review": {"type": "boolean"}, "gdpr_consent": {"type": "boolean"}}),
        &[],
    );
    let field_types: Vec<&str> = portico_domain::field::FieldType::NAMES.to_vec();
    let sharing = json!({"type": "string", "enum": ["private", "public_read_only", "public_read_write_delete"]});
    let section = obj(
        json!({"name": {"type": "string"}, "fields": {"type": "array", "items": {"type": "string"}}}),
        &["name", "fields"],
    );
    let org_props = json!({
        "name": {"type": "string"}, "email_domain": {"type": "string"}, "language": {"type": "string"},
        "time_format": {"type": "string", "enum": ["12h", "24h"]}, "time_zone": {"type": "string"},
        "country": {"type": "string", "minLength": 2, "maxLength": 2}, "gdpr_consent_required": {"type": "boolean"}});
    let mut org = org_props.clone();
    if let Value::Object(o) = &mut org {
        o.insert("id".into(), json!({"type": "integer"}));
    }
    let field = json!({"type": "object", "required": ["api_name", "label", "type", "mandatory"], "properties": {
        "id": {"type": "integer"}, "api_name": {"type": "string"}, "label": {"type": "string"},
        "type": {"type": "string", "enum": field_types}, "mandatory": {"type": "boolean"},
        "options": {"type": "array", "items": {"type": "string"}, "description": "picklist and multiselect_picklist"},
        "target_module": {"type": "string", "description": "lookup and multiselect_lookup: the module looked up"},
        "fields": {"type": "array", "items": {"type": "object"}, "description": "subform: its columns"}}});
    let mut new_field = field.clone();
    if let Value::Object(o) = &mut new_field {
        o.insert("required".into(), json!(["label", "type"]));
        if let Some(Value::Object(p)) = o.get_mut("properties") {
            p.remove("id");
        }
    }
    let mut all = error_schemas();
    let main = json!({
        "Any": {},
        "TokenRequest": obj(json!({"email": {"type": "string"}, "password": {"type": "string"}}), &["email", "password"]),
        "Token": obj(json!({"token": {"type": "string", "description": "The secret, shown only here"}, "token_type": {"type": "string"}, "id": {"type": "integer", "description": "The token's public id, to list and revoke it by"}, "expires_at": {"type": "string", "format": "date-time"}}), &["token", "id", "expires_at"]),
        "ApiToken": obj(json!({"id": {"type": "integer"}, "user_id": {"type": "integer"}, "label": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}, "expires_at": {"type": "string", "format": "date-time"}, "last_used_at": {"type": ["string", "null"], "format": "date-time", "description": "Updated at most once a minute"}}), &["id", "user_id", "label", "created_at", "expires_at", "last_used_at"]),
        "ApiTokenList": list_of("ApiToken"),
        "Org": {"type": "object", "properties": org},
        "OrgPatch": obj(org_props, &[]),
        "ModuleSummary": {"type": "object", "properties": {"api_name": {"type": "string"}, "label": {"type": "string"}, "kind": {"type": "string", "enum": ["standard", "custom"]}, "sharing": sharing}},
        "ModuleList": list_of("ModuleSummary"),
        "Module": {"type": "object", "required": ["api_name", "label", "kind", "sharing", "fields", "layouts"], "properties": {
            "api_name": {"type": "string"}, "label": {"type": "string"}, "kind": {"type": "string"}, "sharing": sharing,
            "name_fields": {"type": "array", "items": {"type": "string"}}, "canvas_template": {"type": ["string", "null"]},
            "fields": {"type": "array", "items": r("Field")}, "layouts": {"type": "array", "items": r("Layout")}}},
        "NewModule": obj(json!({"api_name": {"type": "string"}, "label": {"type": "string"}, "sharing": sharing}), &["label"]),
        "ModulePatch": obj(json!({"label": {"type": "string"}, "sharing": sharing, "canvas_template": {"type": ["string", "null"]}}), &[]),
        "Field": field,
        "NewField": new_field,
        "Layout": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "sections": {"type": "array", "items": section.clone()}}},
        "NewLayout": obj(json!({"name": {"type": "string"}, "sections": {"type": "array", "items": section}}), &["name", "sections"]),
        "RecordState": state.clone(),
        "Record": {"type": "object", "required": ["id", "module", "name", "data", "owner_id", "state", "created_at", "updated_at", "deleted_at", "version"], "properties": {
            "id": {"type": "integer"}, "module": {"type": "string"}, "name": {"type": "string"},
            "data": {"type": "object", "description": "Field API name → value"}, "owner_id": {"type": "integer"}, "state": r("RecordState"),
            "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
            "deleted_at": {"type": ["string", "null"], "format": "date-time"},
            "version": {"type": "integer", "minimum": 1, "description": "Starts at 1 and goes up by one with every change; the ETag header quotes it"}}},
        "RecordList": list_of("Record"),
        "RecordBody": obj(json!({"data": {"type": "object"}, "owner_id": {"type": "integer"}, "state": r("RecordState")}), &["data"]),
        "RecordPatch": obj(json!({"data": {"type": "object"}, "owner_id": {"type": "integer"}, "state": r("RecordState")}), &[]),
        "User": {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"}, "profile_id": {"type": "integer"}, "super_admin": {"type": "boolean"}, "active": {"type": "boolean"}}},
        "UserList": list_of("User"),
        "UserPatch": obj(json!({"active": {"type": "boolean"}}), &["active"]),
        "NewUser": obj(json!({"email": {"type": "string"}, "name": {"type": "string"}, "password": {"type": "string", "minLength": 10}, "profile_id": {"type": "integer"}, "super_admin": {"type": "boolean"}}), &["email", "name", "password", "profile_id"]),
        "Profile": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "scope": {"type": "string", "enum": ["all", "own"]}, "permissions": {"type": "object", "additionalProperties": perms.clone()}}},
        "ProfileList": list_of("Profile"),
        "NewProfile": obj(json!({"name": {"type": "string"}, "scope": {"type": "string", "enum": ["all", "own"]}, "permissions": {"type": "object", "additionalProperties": perms}}), &["name", "scope"]),
        "WebTab": {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}, "url": {"type": "string", "format": "uri"}}},
        "WebTabList": list_of("WebTab"),
        "NewWebTab": obj(json!({"name": {"type": "string"}, "url": {"type": "string", "format": "uri"}}), &["name", "url"]),
        "NewPortal": obj(json!({"name": {"type": "string", "description": "Defaults to the company name"}}), &[]),
        "Portal": portal_schema(),
        "PortalList": list_of("Portal"),
        "PortalPatch": {"type": "object", "description": "Any settings of Portal except id, name, url and domain fields; unknown keys are refused"},
        "UserTypeConfig": user_type_schema(false),
        "UserType": user_type_schema(true),
        "UserTypeList": list_of("UserType"),
        "PortalConfig": {"type": "object", "required": ["settings", "user_types"], "properties": {
            "settings": {"type": "object", "description": "Portal settings without name, slug and custom domain; users by email, the default user type by name"},
            "user_types": {"type": "array", "items": r("UserTypeConfig")}}},
        "ConfigChanges": {"type": "object", "properties": {"dry_run": {"type": "boolean"}, "applied": {"type": "boolean"},
            "changes": {"type": "array", "items": {"type": "object", "properties": {"path": {"type": "string"}, "from": {}, "to": {}}}}}},
        "Preview": preview_schema(),
        "Seats": {"type": "object", "properties": {"granted": {"type": "integer"}, "used": {"type": "integer"}, "free": {"type": "integer"}, "grants": {"type": "array", "items": {"type": "object"}}}},
    });
    if let (Value::Object(all), Value::Object(main)) = (&mut all, main) {
        all.extend(main);
    }
    all
}

fn portal_schema() -> Value {
    json!({"type": "object", "properties": {
        "id": {"type": "integer"}, "name": {"type": "string"}, "slug": {"type": "string"}, "url": {"type": "string"},
        "status": {"type": "string", "enum": ["enabled", "disabled"]}, "disabled_message": {"type": "string"},
        "custom_domain": {"type": ["string", "null"]}, "portal_type": {"type": "string", "enum": ["public", "private", "restricted"]},
        "signup_notify_user_ids": {"type": "array", "items": {"type": "integer"}}, "notify_applicant": {"type": "boolean"},
        "auto_approve_contacts": {"type": "boolean"}, "default_user_type_id": {"type": ["integer", "null"]},
        "allow_email_change": {"type": "boolean"}, "enforce_mfa": {"type": "boolean"},
        "idle_timeout_minutes": {"type": ["integer", "null"], "enum": [null, 15, 30, 60, 120, 240, 480, 720]},
        "ga_measurement_id": {"type": ["string", "null"]}, "ga_terms_accepted": {"type": "boolean"},
        "consent_text": {"type": "object", "properties": {"signup": {"type": "string"}, "signin": {"type": "string"}, "reset_password": {"type": "string"}, "confirm_password": {"type": "string"}}},
        "domain_verified": {"type": "boolean"},
        "domain_verification": {"type": ["object", "null"], "description": "The TXT record to add: name _portico.{domain}, value the token"}}})
}

fn user_type_schema(stored: bool) -> Value {
    let perms = json!({"type": "object", "properties": {"view": {"type": "boolean"}, "create": {"type": "boolean"}, "edit": {"type": "boolean"}, "delete": {"type": "boolean"}}});
    let field = json!({"type": "object", "required": ["field"], "properties": {"field": {"type": "string"}, "visible": {"type": "boolean"}, "read_only": {"type": "boolean"},
        "columns": {"type": "array", "items": {"type": "object", "properties": {"column": {"type": "string"}, "visible": {"type": "boolean"}, "read_only": {"type": "boolean"}}}}}});
    let tab = json!({"type": "object", "required": ["module", "role", "layouts"], "properties": {
        "module": {"type": "string"}, "role": {"type": "string", "enum": ["personality", "related", "public"]},
        "permissions": perms, "view": {"type": "string", "enum": ["list", "canvas"]},
        "lookup_fields": {"type": "array", "items": {"type": "string"}},
        "layouts": {"type": "array", "items": {"type": "object", "required": ["layout", "fields"], "properties": {"layout": {"type": "string"}, "fields": {"type": "array", "items": field}}}}}});
    let mut props = json!({"name": {"type": "string"}, "personality_module": {"type": "string"}, "customer": {"type": "boolean"},
        "active": {"type": "boolean"}, "seats": {"type": "integer"}, "modules": {"type": "array", "items": tab},
        "web_tabs": {"type": "array", "items": {"type": "string"}}});
    if stored && let Value::Object(p) = &mut props {
        p.insert("id".into(), json!({"type": "integer"}));
        p.insert("is_default".into(), json!({"type": "boolean"}));
    }
    json!({"type": "object", "required": ["name", "personality_module", "seats"], "properties": props})
}

/// The error bodies: `{"error": {"code", "message", ...}}` with the extra keys each kind has.
fn error_schemas() -> Value {
    let field_error = obj(
        json!({"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}),
        &["field", "code", "message"],
    );
    let error = |props: Value, required: &[&str]| -> Value {
        obj(json!({"error": obj(props, required)}), &["error"])
    };
    json!({
        "FieldError": field_error,
        "Error": error(
            json!({"code": {"type": "string", "description": "Machine-readable: not_found, forbidden, unauthorized, bad_request, too_many_attempts, …"},
                   "message": {"type": "string", "description": "For people; may change"}}),
            &["code", "message"],
        ),
        "ValidationError": error(
            json!({"code": {"type": "string", "description": "The first field error's code (required, unknown_field, invalid_number, …)"},
                   "message": {"type": "string"},
                   "field": {"type": ["string", "null"], "description": "The first offending field"},
                   "details": {"type": "array", "items": r("FieldError"), "description": "Every field error"}}),
            &["code", "message", "field", "details"],
        ),
        "ConflictError": error(
            json!({"code": {"type": "string", "enum": ["conflict", "duplicate"],
                            "description": "duplicate: a unique value (a name, an email, an address) is already in use, and `field` names it; conflict: another uniqueness or state rule, in the message"},
                   "message": {"type": "string"},
                   "field": {"type": "string", "description": "With `duplicate`: the field whose value is taken"}}),
            &["code", "message"],
        ),
        "StaleVersionError": error(
            json!({"code": {"type": "string", "const": "stale_version"}, "message": {"type": "string"},
                   "current_version": {"type": "integer", "description": "The record's version now: read it again, reapply the change, send If-Match with the new ETag"}}),
            &["code", "message", "current_version"],
        ),
        "InternalError": error(
            json!({"code": {"type": "string", "const": "internal"},
                   "message": {"type": "string", "description": "A plain message naming the request id; the details are in the server log only"},
                   "request_id": {"type": "string", "description": "Also in the X-Request-Id response header"}}),
            &["code", "message", "request_id"],
        ),
    })
}

fn preview_schema() -> Value {
    json!({"type": "object", "required": ["preview", "user_type", "as_record", "tabs", "web_tabs"], "properties": {
        "preview": {"type": "boolean", "const": true}, "user_type": {"type": "string", "description": "The user type's name"},
        "as_record": {"type": ["object", "null"], "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        "tabs": {"type": "array", "items": {"type": "object", "properties": {
            "module": {"type": "string"}, "label": {"type": "string"}, "role": {"type": "string"}, "view": {"type": "string"},
            "actions": {}, "layout": {}, "columns": {"type": "array"}, "writable_fields": {"type": "array"},
            "records": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "integer"}, "values": {}}}}}}},
        "web_tabs": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}, "url": {"type": "string"}}}}}})
}

/// Query parameters and request headers, referred to by name from [`RouteDoc::params`].
fn parameters() -> Value {
    let query = |name: &str, schema: Value, description: &str| json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description});
    json!({
        "Limit": query("limit", json!({"type": "integer", "minimum": 1, "maximum": portico_app::records::PAGE_MAX, "default": portico_app::records::PAGE_DEFAULT}), "Records per page"),
        "After": query("after", json!({"type": "string"}), "The `next` cursor of the previous page"),
        "Search": query("q", json!({"type": "string"}), "Search in record name and email"),
        "TokenScope": query("scope", json!({"type": "string", "enum": ["mine", "org"], "default": "mine"}), "mine: the caller's tokens; org: every token of the org (administrators)"),
        "DryRun": query("dry_run", json!({"type": "boolean", "default": false}), "Answer the differences without applying them"),
        "PreviewUserType": {"name": "user_type", "in": "query", "required": true, "schema": {"type": "integer"}, "description": "The user type to preview the portal as"},
        "PreviewRecord": query("record", json!({"type": "integer"}), "Preview as the portal user whose personality record this is"),
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
    (429, "TooManyRequests"),
    (500, "Internal"),
];

fn responses() -> Value {
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
            json!({"error": {"code": "duplicate", "message": "A user with this email address already exists", "field": "email"}}),
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
        "TooManyRequests": answer(
            "Too many failed sign-ins for this email; wait 15 minutes",
            "Error",
            json!({"error": {"code": "too_many_attempts", "message": "too many attempts; try again later"}}),
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
    op.insert("summary".into(), json!(route.summary));
    let params: Vec<Value> = route
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            let schema = if name == "module" {
                json!({"type": "string", "description": "The module's API name, e.g. Contacts"})
            } else {
                json!({"type": "integer"})
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
    if matches!(route.path, "/api/v1/openapi.json" | "/api/v1/auth/token") {
        op.insert("security".into(), json!([]));
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
    responses.insert(route.status.to_string(), ok);
    for status in route.errors {
        let name = ERROR_RESPONSES
            .iter()
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
    for route in ROUTES {
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
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
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
        for route in ROUTES {
            let name = format!("{} {}", route.method, route.path);
            let public = matches!(route.path, "/api/v1/openapi.json" | "/api/v1/auth/token");
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
            assert_eq!(has(412), route.params.contains(&"IfMatch"), "{name}");
            for s in route.errors {
                assert!(
                    ERROR_RESPONSES.iter().any(|(e, _)| e == s),
                    "{name}: no shared response for {s}"
                );
            }
        }
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
}
