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
    /// Stable and unique, snake_case: generated clients name their functions after it.
    pub operation_id: &'static str,
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
            operation_id: "",
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

    const fn id(self, operation_id: &'static str) -> Self {
        Self {
            operation_id,
            ..self
        }
    }

    /// The tag groups operations by resource: the path's first segment after `/api/v1/`.
    pub fn tag(&self) -> &'static str {
        let rest = self.path.trim_start_matches("/api/v1/");
        match rest.split('/').next() {
            Some("openapi.json") | None => "meta",
            Some("seats") => "portals",
            Some("tokens") => "auth",
            Some(first) => first,
        }
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
    RouteDoc::get("/api/v1/openapi.json", "This document")
.id("get_openapi_document").ok(200, "Any"),
    RouteDoc::post(
        "/api/v1/auth/token",
        "Exchange email and password for a bearer token",
    )
.id("create_token")
    .body("TokenRequest")
    .ok(201, "Token")
    .errors(&[400, 401, 422, 429, 500]),
    RouteDoc::get(
        "/api/v1/tokens",
        "The caller's API tokens that are not revoked; with scope=org every token of the org (administrators). Secrets are never shown again",
    )
    .id("list_tokens")
    .params(&["TokenScope"])
    .ok(200, "ApiTokenList")
    .errors(&[401, 403, 422, 500]),
    RouteDoc::delete(
        "/api/v1/tokens/{id}",
        "Revoke an API token (your own; administrators: any of the org's). It answers 401 at once",
    )
    .id("revoke_token")
    .no_content()
    .errors(&[401, 404, 500]),
    RouteDoc::get("/api/v1/org", "The caller's org settings")
.id("get_org")
        .ok(200, "Org")
        .errors(&[401, 500]),
    RouteDoc::patch("/api/v1/org", "Change org settings (administrators)")
.id("update_org")
        .body("OrgPatch")
        .ok(200, "Org")
        .errors(&[400, 401, 403, 422, 500]),
    RouteDoc::get("/api/v1/modules", "Modules the caller may view")
.id("list_modules")
        .ok(200, "ModuleList")
        .errors(&[401, 500]),
    RouteDoc::post("/api/v1/modules", "Create a custom module (administrators)")
.id("create_module")
        .body("NewModule")
        .ok(201, "Module")
        .errors(&[400, 401, 403, 409, 422, 500]),
    RouteDoc::get(
        "/api/v1/modules/{module}",
        "A module with its fields and layouts",
    )
.id("get_module")
    .ok(200, "Module")
    .errors(&[401, 403, 404, 500]),
    RouteDoc::patch(
        "/api/v1/modules/{module}",
        "Change a module's label, data sharing or canvas template (administrators)",
    )
.id("update_module")
    .body("ModulePatch")
    .ok(200, "Module")
    .errors(&[400, 401, 403, 404, 422, 500]),
    RouteDoc::post("/api/v1/modules/{module}/fields", "Add a field (administrators)")
.id("create_field")
        .body("NewField")
        .ok(201, "Field")
        .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::post(
        "/api/v1/modules/{module}/layouts",
        "Add a layout (administrators)",
    )
.id("create_layout")
    .body("NewLayout")
    .ok(201, "Layout")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::get(
        "/api/v1/records/{module}",
        "List records, newest first (keyset pages; q searches name and email)",
    )
.id("list_records")
    .params(&["Limit", "After", "Search"])
    .ok(200, "RecordList")
    .errors(&[401, 403, 404, 422, 500]),
    RouteDoc::post("/api/v1/records/{module}", "Create a record")
.id("create_record")
        .body("RecordBody")
        .ok(201, "Record")
        .etag()
        .errors(&[400, 401, 403, 404, 422, 500]),
    RouteDoc::get("/api/v1/records/{module}/{id}", "One record")
.id("get_record")
        .ok(200, "Record")
        .etag()
        .errors(&[401, 403, 404, 500]),
    RouteDoc::patch(
        "/api/v1/records/{module}/{id}",
        "Change some of a record's values (null clears); If-Match makes it conditional",
    )
.id("update_record")
    .params(&["IfMatch"])
    .body("RecordPatch")
    .ok(200, "Record")
    .etag()
    .errors(&[400, 401, 403, 404, 412, 422, 500]),
    RouteDoc::delete(
        "/api/v1/records/{module}/{id}",
        "Move a record to the recycle bin",
    )
.id("delete_record")
    .no_content()
    .errors(&[401, 403, 404, 500]),
    RouteDoc::post(
        "/api/v1/records/{module}/{id}/restore",
        "Bring a record back from the recycle bin",
    )
.id("restore_record")
    .ok(200, "Record")
    .etag()
    .errors(&[401, 403, 404, 500]),
    RouteDoc::get("/api/v1/users", "CRM users (administrators)")
.id("list_users")
        .ok(200, "UserList")
        .errors(&[401, 403, 500]),
    RouteDoc::post("/api/v1/users", "Create a CRM user (administrators)")
.id("create_user")
        .body("NewUser")
        .ok(201, "User")
        .errors(&[400, 401, 403, 409, 422, 500]),
    RouteDoc::patch(
        "/api/v1/users/{id}",
        "Activate or deactivate a CRM user (administrators); a deactivated user's sessions and API tokens stop working at once",
    )
    .id("update_user")
    .body("UserPatch")
    .ok(200, "User")
    .errors(&[400, 401, 403, 404, 422, 500]),
    RouteDoc::get("/api/v1/profiles", "Profiles (administrators)")
.id("list_profiles")
        .ok(200, "ProfileList")
        .errors(&[401, 403, 500]),
    RouteDoc::post("/api/v1/profiles", "Create a profile (administrators)")
.id("create_profile")
        .body("NewProfile")
        .ok(201, "Profile")
        .errors(&[400, 401, 403, 409, 422, 500]),
    RouteDoc::put("/api/v1/profiles/{id}", "Replace a profile (administrators)")
.id("replace_profile")
        .body("NewProfile")
        .ok(200, "Profile")
        .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::get("/api/v1/web-tabs", "Web tabs")
.id("list_web_tabs")
        .ok(200, "WebTabList")
        .errors(&[401, 500]),
    RouteDoc::post("/api/v1/web-tabs", "Create a web tab (administrators)")
.id("create_web_tab")
        .body("NewWebTab")
        .ok(201, "WebTab")
        .errors(&[400, 401, 403, 409, 422, 500]),
    RouteDoc::delete("/api/v1/web-tabs/{id}", "Delete a web tab (administrators)")
.id("delete_web_tab")
        .no_content()
        .errors(&[401, 403, 404, 500]),
    RouteDoc::get("/api/v1/portals", "Portals of the org (administrators)")
.id("list_portals")
        .ok(200, "PortalList")
        .errors(&[401, 403, 500]),
    RouteDoc::post(
        "/api/v1/portals",
        "Create a portal with its default Client Portal user type (administrators)",
    )
.id("create_portal")
    .body("NewPortal")
    .ok(201, "Portal")
    .errors(&[400, 401, 403, 409, 422, 500]),
    RouteDoc::get("/api/v1/portals/{portal}", "A portal and all its settings")
.id("get_portal")
        .ok(200, "Portal")
        .errors(&[401, 403, 404, 500]),
    RouteDoc::patch(
        "/api/v1/portals/{portal}",
        "Change portal settings (the name is fixed)",
    )
.id("update_portal")
    .body("PortalPatch")
    .ok(200, "Portal")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::get(
        "/api/v1/portals/{portal}/user-types",
        "The portal's user types",
    )
.id("list_user_types")
    .ok(200, "UserTypeList")
    .errors(&[401, 403, 404, 500]),
    RouteDoc::post(
        "/api/v1/portals/{portal}/user-types",
        "Add a user type (needs purchased seats)",
    )
.id("create_user_type")
    .body("UserTypeConfig")
    .ok(201, "UserType")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::get(
        "/api/v1/portals/{portal}/user-types/{id}",
        "A user type: its whole tab and field configuration",
    )
.id("get_user_type")
    .ok(200, "UserType")
    .errors(&[401, 403, 404, 500]),
    RouteDoc::put(
        "/api/v1/portals/{portal}/user-types/{id}",
        "Replace a user type's configuration (one transaction)",
    )
.id("replace_user_type")
    .body("UserTypeUpdate")
    .ok(200, "UserType")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::delete(
        "/api/v1/portals/{portal}/user-types/{id}",
        "Delete a user type (not the default one: 409)",
    )
.id("delete_user_type")
    .no_content()
    .errors(&[401, 403, 404, 409, 500]),
    RouteDoc::get(
        "/api/v1/portals/{portal}/config",
        "Export the whole portal configuration",
    )
.id("export_portal_config")
    .ok(200, "PortalConfig")
    .errors(&[401, 403, 404, 500]),
    RouteDoc::put(
        "/api/v1/portals/{portal}/config",
        "Import a configuration; ?dry_run=true answers the differences only",
    )
.id("import_portal_config")
    .params(&["DryRun"])
    .body("PortalConfig")
    .ok(200, "ConfigChanges")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::get(
        "/api/v1/portals/{portal}/preview",
        "Preview the portal as a user type (?user_type=) or as one portal user's record (&record=); read-only, audited",
    )
.id("preview_portal")
    .params(&["PreviewUserType", "PreviewRecord"])
    .ok(200, "Preview")
    .errors(&[401, 403, 404, 422, 500]),
    RouteDoc::post(
        "/api/v1/portals/{portal}/domain/verify",
        "Verify the custom domain: _portico.{domain} must have a TXT record with the portal's token (422 when it has not)",
    )
.id("verify_portal_domain")
    .ok(200, "Portal")
    .errors(&[401, 403, 404, 422, 500]),
    RouteDoc::get(
        "/api/v1/seats",
        "Purchased portal seats: granted, used, free, and the grants",
    )
.id("get_seats")
    .ok(200, "Seats")
    .errors(&[401, 403, 500]),
];

fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// `schema` or `null`.
fn nullable(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "null"}]})
}

/// A list answered whole: every item in one answer, no cursor.
fn list_of(item: &str) -> Value {
    obj(
        json!({"items": {"type": "array", "items": r(item)}}),
        &["items"],
    )
}

/// A keyset page: `next` is the cursor to pass as `after`, `null` on the last page.
fn page_of(item: &str) -> Value {
    obj(
        json!({"items": {"type": "array", "items": r(item)},
               "next": {"type": ["string", "null"], "description": "Cursor for the next page (pass as `after`); null on the last page"}}),
        &["items", "next"],
    )
}

/// An object with exactly these keys; `required` lists the ones always present (answers) or
/// that must be sent (bodies). Request bodies refuse unknown keys, and answers carry no others.
fn obj(props: Value, required: &[&str]) -> Value {
    json!({"type": "object", "additionalProperties": false, "properties": props, "required": required})
}

/// A label or name as `parse_label` takes it: trimmed, then 1 to 100 characters.
fn label() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S",
           "description": "Surrounding spaces are trimmed; then 1 to 100 characters"})
}

/// An identifier as `ApiName::parse` takes it.
fn api_name() -> Value {
    json!({"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$", "minLength": 1, "maxLength": 50})
}

/// `schema` with its description replaced.
fn described(mut schema: Value, description: &str) -> Value {
    if let Value::Object(o) = &mut schema {
        o.insert("description".into(), json!(description));
    }
    schema
}

fn email() -> Value {
    json!({"type": "string", "format": "email", "minLength": 3, "maxLength": 254})
}

fn date_time() -> Value {
    json!({"type": "string", "format": "date-time", "description": "RFC 3339, UTC"})
}

fn schemas() -> Value {
    use portico_domain::profile::{PASSWORD_MAX, PASSWORD_MIN};
    let int = json!({"type": "integer"});
    let boolean = json!({"type": "boolean"});
    let string = json!({"type": "string"});
    let strings = json!({"type": "array", "items": {"type": "string"}});
    let field_types: Vec<&str> = portico_domain::field::FieldType::NAMES.to_vec();
    let field_type = json!({"type": "string", "enum": field_types});
    let sharing = json!({"type": "string", "enum": ["private", "public_read_only", "public_read_write_delete"]});
    let org_props = json!({
        "name": label(),
        "email_domain": {"type": "string", "minLength": 3, "maxLength": 253, "description": "The company email domain, e.g. zylker.com"},
        "language": {"type": "string", "pattern": "^[a-z]{2}(-[A-Z]{2})?$", "description": "e.g. en or en-GB"},
        "time_format": {"type": "string", "enum": ["12h", "24h"]},
        "time_zone": {"type": "string", "maxLength": 64, "pattern": "^(UTC|[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)+)$", "description": "UTC or an area/city name such as Europe/London"},
        "country": {"type": "string", "pattern": "^[A-Za-z]{2}$", "description": "Two-letter ISO code; answered in upper case"},
        "gdpr_consent_required": boolean});
    let org_keys = [
        "name",
        "email_domain",
        "language",
        "time_format",
        "time_zone",
        "country",
        "gdpr_consent_required",
    ];
    let mut org = org_props.clone();
    if let Value::Object(o) = &mut org {
        o.insert("id".into(), int.clone());
    }
    let mut org_required = org_keys.to_vec();
    org_required.push("id");
    // A field's type-specific keys: `options` (picklists), `target_module` (lookups), `fields`
    // (a subform's columns); absent for the other types.
    let typed = |columns: Value| {
        json!({"options": {"type": "array", "items": {"type": "string"}, "description": "picklist and multiselect_picklist"},
               "target_module": described(api_name(), "lookup and multiselect_lookup: the module looked up"),
               "fields": {"type": "array", "items": columns, "description": "subform: its columns"}})
    };
    let with = |mut base: Value, extra: Value| {
        if let (Value::Object(b), Value::Object(e)) = (&mut base, extra) {
            b.extend(e);
        }
        base
    };
    let column_props =
        json!({"api_name": api_name(), "label": label(), "type": field_type, "mandatory": boolean});
    let section = obj(
        json!({"name": label(), "fields": {"type": "array", "items": {"type": "string"}, "description": "Field API names, in display order"}}),
        &["name", "fields"],
    );
    let record_data = json!({"type": "object", "additionalProperties": true,
        "description": "Field API name → value (any JSON: text, number, boolean, list, object or null, as the field's type takes)"});
    let portal_settings = json!({
        "slug": {"type": "string", "minLength": 3, "maxLength": 63, "pattern": "^[a-z0-9]([a-z0-9-]*[a-z0-9])?$", "description": "The portal's address: /p/{slug}/"},
        "status": {"type": "string", "enum": ["enabled", "disabled"]},
        "disabled_message": {"type": "string", "maxLength": 1000, "description": "Blank: the default message"},
        "custom_domain": {"type": ["string", "null"], "maxLength": 253, "description": "e.g. portal.zylker.com"},
        "portal_type": {"type": "string", "enum": ["public", "private", "restricted"]},
        "signup_notify_user_ids": {"type": "array", "items": int},
        "notify_applicant": {"type": "boolean", "description": "Restricted portals only"},
        "auto_approve_contacts": {"type": "boolean", "description": "Restricted portals only"},
        "default_user_type_id": {"type": ["integer", "null"]},
        "allow_email_change": boolean, "enforce_mfa": boolean,
        "idle_timeout_minutes": {"type": ["integer", "null"], "enum": [null, 15, 30, 60, 120, 240, 480, 720], "description": "null: never"},
        "ga_measurement_id": {"type": ["string", "null"], "pattern": "^(G-[A-Z0-9]{4,16})?$", "description": "Google Analytics, e.g. G-XXXXXXXXXX; needs ga_terms_accepted"},
        "ga_terms_accepted": boolean,
        "consent_text": r("ConsentText")});
    let portal = with(
        portal_settings.clone(),
        json!({"id": int, "name": string, "url": {"type": "string", "format": "uri"}, "domain_verified": boolean,
               "domain_verification": nullable(r("DomainVerification"))}),
    );
    let portal_required: Vec<String> = portal
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    let portal_required: Vec<&str> = portal_required.iter().map(String::as_str).collect();
    let portal_patch = with(
        portal_settings,
        json!({"name": {"type": "string", "description": "The portal's current name, or leave it out: a name cannot change (422)"}}),
    );
    let user_type_config = json!({
        "name": label(), "personality_module": api_name(),
        "customer": {"type": "boolean", "default": true}, "active": {"type": "boolean", "default": true},
        "seats": {"type": "integer", "minimum": 0, "description": "Portal users of this type; needs purchased seats"},
        "modules": {"type": "array", "items": r("PortalTab"), "default": []},
        "web_tabs": {"type": "array", "items": {"type": "string"}, "default": [], "description": "Web tab names"}});
    let user_type = with(
        user_type_config.clone(),
        json!({"id": int, "is_default": boolean}),
    );
    let user_type_update = with(
        user_type_config.clone(),
        json!({"id": {"type": "integer", "description": "May stay in the body as GET answered it; must be the id in the path"},
               "is_default": {"type": "boolean", "description": "Ignored: as GET answered it"}}),
    );
    let mut all = error_schemas();
    let main = json!({
        "Any": {"description": "Any JSON"},
        "TokenRequest": obj(json!({"email": {"type": "string", "maxLength": 254}, "password": string}), &["email", "password"]),
        "Token": obj(json!({"token": {"type": "string", "description": "The secret, shown only here"}, "token_type": {"type": "string", "const": "Bearer"},
                            "id": {"type": "integer", "description": "The token's public id, to list and revoke it by"}, "expires_at": date_time()}),
                     &["token", "token_type", "id", "expires_at"]),
        "ApiToken": obj(json!({"id": int, "user_id": int, "label": string, "created_at": date_time(), "expires_at": date_time(),
                               "last_used_at": {"type": ["string", "null"], "format": "date-time", "description": "RFC 3339, UTC; updated at most once a minute; null until first used"}}),
                        &["id", "user_id", "label", "created_at", "expires_at", "last_used_at"]),
        "ApiTokenList": list_of("ApiToken"),
        "Org": obj(org, &org_required),
        "OrgPatch": obj(org_props, &[]),
        "ModuleSummary": obj(json!({"api_name": api_name(), "label": string, "kind": {"type": "string", "enum": ["standard", "custom"]}, "sharing": sharing}), &["api_name", "label", "kind", "sharing"]),
        "ModuleList": list_of("ModuleSummary"),
        "Module": obj(json!({
            "api_name": api_name(), "label": string, "kind": {"type": "string", "enum": ["standard", "custom"]}, "sharing": sharing,
            "name_fields": strings, "canvas_template": {"type": ["string", "null"]},
            "fields": {"type": "array", "items": r("Field")}, "layouts": {"type": "array", "items": r("Layout")}}),
            &["api_name", "label", "kind", "sharing", "name_fields", "canvas_template", "fields", "layouts"]),
        "NewModule": obj(json!({"api_name": {"type": ["string", "null"], "pattern": "^[A-Za-z][A-Za-z0-9_]*$", "maxLength": 50, "description": "Absent or null: made from the label"},
                                "label": label(), "sharing": {"anyOf": [sharing, {"type": "null"}], "description": "Absent or null: private"}}), &["label"]),
        "ModulePatch": obj(json!({"label": {"anyOf": [label(), {"type": "null"}], "description": "Absent or null: unchanged"},
                                  "sharing": {"anyOf": [sharing, {"type": "null"}], "description": "Absent or null: unchanged"},
                                  "canvas_template": {"type": ["string", "null"], "description": "null removes the template"}}), &[]),
        "Field": obj(with(json!({"id": int, "api_name": api_name(), "label": string, "type": field_type, "mandatory": boolean}), typed(r("SubformColumn"))),
                     &["id", "api_name", "label", "type", "mandatory"]),
        "NewField": obj(with(json!({"api_name": {"type": ["string", "null"], "pattern": "^[A-Za-z][A-Za-z0-9_]*$", "maxLength": 50, "description": "Absent or null: made from the label"},
                                    "label": label(), "type": field_type, "mandatory": {"type": "boolean", "default": false}}), typed(r("NewSubformColumn"))),
                        &["label", "type"]),
        "SubformColumn": obj(with(column_props.clone(), typed(json!({"type": "object", "additionalProperties": false, "properties": {}, "required": [], "description": "Subforms do not nest"}))), &["api_name", "label", "type", "mandatory"]),
        "NewSubformColumn": obj(with(column_props, typed(json!({"type": "object", "additionalProperties": false, "properties": {}, "required": [], "description": "Subforms do not nest"}))), &["label", "type"]),
        "Section": section,
        "Layout": obj(json!({"id": int, "name": string, "sections": {"type": "array", "items": r("Section")}}), &["id", "name", "sections"]),
        "NewLayout": obj(json!({"name": label(), "sections": {"type": "array", "items": r("Section"), "minItems": 1}}), &["name", "sections"]),
        "RecordState": obj(json!({"approval_locked": boolean, "in_review": boolean, "gdpr_consent": boolean}), &["approval_locked", "in_review", "gdpr_consent"]),
        "RecordStateChange": {"type": "object", "additionalProperties": false, "required": [],
            "description": "The whole state to set: a flag left out is false",
            "properties": {"approval_locked": {"type": "boolean", "default": false}, "in_review": {"type": "boolean", "default": false}, "gdpr_consent": {"type": "boolean", "default": false}}},
        "Record": obj(json!({
            "id": int, "module": api_name(), "name": {"type": "string", "description": "The record's display name"},
            "data": record_data, "owner_id": int, "state": r("RecordState"),
            "created_at": date_time(), "updated_at": date_time(),
            "deleted_at": {"type": ["string", "null"], "format": "date-time", "description": "RFC 3339, UTC; null unless in the recycle bin"},
            "version": {"type": "integer", "minimum": 1, "description": "Starts at 1 and goes up by one with every change; the ETag header quotes it"}}),
            &["id", "module", "name", "data", "owner_id", "state", "created_at", "updated_at", "deleted_at", "version"]),
        "RecordList": page_of("Record"),
        "RecordBody": obj(json!({"data": record_data, "owner_id": {"type": ["integer", "null"], "description": "Absent or null: the caller"},
                                 "state": {"anyOf": [r("RecordStateChange"), {"type": "null"}], "description": "Absent or null: all flags false"}}), &["data"]),
        "RecordPatch": obj(json!({"data": {"type": "object", "additionalProperties": true, "description": "Only the fields to change (null clears one); absent: none"},
                                  "owner_id": {"type": ["integer", "null"], "description": "Absent or null: unchanged"},
                                  "state": {"anyOf": [r("RecordStateChange"), {"type": "null"}], "description": "Absent or null: unchanged"}}), &[]),
        "User": obj(json!({"id": int, "email": {"type": "string", "format": "email"}, "name": string, "profile_id": int, "super_admin": boolean, "active": boolean}),
                    &["id", "email", "name", "profile_id", "super_admin", "active"]),
        "UserList": list_of("User"),
        "UserPatch": obj(json!({"active": boolean}), &["active"]),
        "NewUser": obj(json!({"email": email(), "name": label(), "password": {"type": "string", "minLength": PASSWORD_MIN, "maxLength": PASSWORD_MAX},
                              "profile_id": int, "super_admin": {"type": "boolean", "default": false}}), &["email", "name", "password", "profile_id"]),
        "ModulePermissions": {"type": "object", "additionalProperties": false, "required": [], "description": "A permission left out is false",
            "properties": {"view": {"type": "boolean", "default": false}, "create": {"type": "boolean", "default": false}, "edit": {"type": "boolean", "default": false}, "delete": {"type": "boolean", "default": false}}},
        "Profile": obj(json!({"id": int, "name": string, "scope": {"type": "string", "enum": ["all", "own"]},
                              "permissions": {"type": "object", "additionalProperties": r("ModulePermissions"), "description": "Module API name → what the profile allows on it"}}),
                       &["id", "name", "scope", "permissions"]),
        "ProfileList": list_of("Profile"),
        "NewProfile": obj(json!({"name": label(), "scope": {"type": "string", "enum": ["all", "own"]},
                                 "permissions": {"type": "object", "additionalProperties": r("ModulePermissions"), "default": {}, "description": "Module API name → what the profile allows on it"}}), &["name", "scope"]),
        "WebTab": obj(json!({"id": int, "name": string, "url": {"type": "string", "format": "uri"}}), &["id", "name", "url"]),
        "WebTabList": list_of("WebTab"),
        "NewWebTab": obj(json!({"name": label(), "url": {"type": "string", "format": "uri", "pattern": "^https?://", "description": "An http:// or https:// address"}}), &["name", "url"]),
        "NewPortal": obj(json!({"name": described(label(), "Leave it out for the company name; null or a blank name is refused (422). 1 to 100 characters after trimming")}), &[]),
        "ConsentText": {"type": "object", "additionalProperties": false, "required": [], "description": "A text left out is empty",
            "properties": {"signup": {"type": "string", "maxLength": 2000}, "signin": {"type": "string", "maxLength": 2000},
                           "reset_password": {"type": "string", "maxLength": 2000}, "confirm_password": {"type": "string", "maxLength": 2000}}},
        "DomainVerification": obj(json!({"type": {"type": "string", "const": "TXT"}, "name": {"type": "string", "description": "_portico.{domain}"}, "value": {"type": "string", "description": "The portal's token"}}), &["type", "name", "value"]),
        "Portal": obj(portal, &portal_required),
        "PortalList": list_of("Portal"),
        "PortalPatch": obj(portal_patch, &[]),
        "PortalTab": obj(json!({
            "module": api_name(), "role": {"type": "string", "enum": ["personality", "related", "public"]},
            "permissions": r("ModulePermissions"), "view": {"type": "string", "enum": ["list", "canvas"], "default": "list"},
            "lookup_fields": {"type": "array", "items": {"type": "string"}, "default": []},
            "layouts": {"type": "array", "items": r("LayoutAccess")}}), &["module", "role", "layouts"]),
        "LayoutAccess": obj(json!({"layout": string, "fields": {"type": "array", "items": r("FieldAccess")}}), &["layout", "fields"]),
        "FieldAccess": obj(json!({"field": string, "visible": {"type": "boolean", "default": true}, "read_only": {"type": "boolean", "default": false},
                                  "columns": {"type": "array", "items": r("ColumnAccess"), "description": "Subforms: per column"}}), &["field"]),
        "ColumnAccess": obj(json!({"column": string, "visible": {"type": "boolean", "default": true}, "read_only": {"type": "boolean", "default": false}}), &["column"]),
        "UserTypeConfig": obj(user_type_config, &["name", "personality_module", "seats"]),
        "UserTypeUpdate": obj(user_type_update, &["name", "personality_module", "seats"]),
        "UserType": obj(user_type, &["id", "is_default", "name", "personality_module", "customer", "active", "seats", "modules", "web_tabs"]),
        "UserTypeList": list_of("UserType"),
        "PortableSettings": obj(json!({
            "status": {"type": "string", "enum": ["enabled", "disabled"]}, "disabled_message": {"type": "string", "maxLength": 1000},
            "portal_type": {"type": "string", "enum": ["public", "private", "restricted"]},
            "signup_notify_users": {"type": "array", "items": {"type": "string"}, "description": "Emails of CRM users"},
            "notify_applicant": boolean, "auto_approve_contacts": boolean,
            "default_user_type": {"type": ["string", "null"], "description": "A user type's name"},
            "allow_email_change": boolean, "enforce_mfa": boolean,
            "idle_timeout_minutes": {"type": ["integer", "null"], "enum": [null, 15, 30, 60, 120, 240, 480, 720]},
            "ga_measurement_id": {"type": ["string", "null"], "pattern": "^(G-[A-Z0-9]{4,16})?$"}, "ga_terms_accepted": boolean,
            "consent_text": r("ConsentText")}),
            &["status", "disabled_message", "portal_type", "signup_notify_users", "notify_applicant", "auto_approve_contacts",
              "default_user_type", "allow_email_change", "enforce_mfa", "idle_timeout_minutes", "ga_measurement_id", "ga_terms_accepted", "consent_text"]),
        "PortalConfig": obj(json!({"settings": r("PortableSettings"), "user_types": {"type": "array", "items": r("UserTypeConfig")}}), &["settings", "user_types"]),
        "ConfigChange": obj(json!({"path": string, "from": {"description": "Any JSON"}, "to": {"description": "Any JSON"}}), &["path", "from", "to"]),
        "ConfigChanges": obj(json!({"dry_run": boolean, "applied": boolean, "changes": {"type": "array", "items": r("ConfigChange")}}), &["dry_run", "applied", "changes"]),
        "PreviewTab": obj(json!({"module": string, "label": string, "role": string, "view": string, "actions": strings, "layout": string,
                                 "columns": strings, "writable_fields": strings, "records": {"type": "array", "items": r("PreviewRow")}}),
                          &["module", "label", "role", "view", "actions", "layout", "columns", "writable_fields", "records"]),
        "PreviewRow": obj(json!({"id": int, "values": strings}), &["id", "values"]),
        "PreviewRecord": obj(json!({"id": int, "name": string}), &["id", "name"]),
        "PreviewWebTab": obj(json!({"name": string, "url": string}), &["name", "url"]),
        "Preview": obj(json!({"preview": {"type": "boolean", "const": true}, "user_type": {"type": "string", "description": "The user type's name"},
                              "as_record": nullable(r("PreviewRecord")), "tabs": {"type": "array", "items": r("PreviewTab")},
                              "web_tabs": {"type": "array", "items": r("PreviewWebTab")}}),
                       &["preview", "user_type", "as_record", "tabs", "web_tabs"]),
        "SeatGrant": obj(json!({"id": int, "seats": int, "granted_by": string, "note": string, "granted_at": date_time()}), &["id", "seats", "granted_by", "note", "granted_at"]),
        "Seats": obj(json!({"granted": int, "used": int, "free": int, "grants": {"type": "array", "items": r("SeatGrant")}}), &["granted", "used", "free", "grants"]),
    });
    if let (Value::Object(all), Value::Object(main)) = (&mut all, main) {
        all.extend(main);
    }
    all
}

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

/// Query parameters and request headers, referred to by name from [`RouteDoc::params`].
fn parameters() -> Value {
    let query = |name: &str, schema: Value, description: &str| json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description});
    json!({
        "Limit": query("limit", json!({"type": "integer", "minimum": 1, "maximum": portico_app::records::PAGE_MAX, "default": portico_app::records::PAGE_DEFAULT}), "Records per page"),
        "After": query("after", json!({"type": "string", "pattern": "^[+-]?[0-9]+$"}), "The `next` cursor of the previous page"),
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
    op.insert("operationId".into(), json!(route.operation_id));
    op.insert("tags".into(), json!([route.tag()]));
    op.insert("summary".into(), json!(route.summary));
    let params: Vec<Value> = route
        .path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| {
            // Ids are numbers: anything else names nothing and answers 404 (`api::parse_id`).
            let schema = if name == "module" {
                described(api_name(), "The module's API name, e.g. Contacts")
            } else {
                json!({"type": "integer", "format": "int64"})
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
        ],
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
        for route in ROUTES {
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

    /// Lists that answer everything at once document no cursor; the one that pages takes
    /// `after` and documents `next`.
    #[test]
    fn only_paged_lists_document_a_cursor() {
        let doc = document();
        for route in ROUTES
            .iter()
            .filter(|r| r.response.is_some_and(|s| s.ends_with("List")))
        {
            let schema = &doc["components"]["schemas"][route.response.unwrap_or_default()];
            let has_next = schema["properties"].get("next").is_some();
            assert_eq!(
                has_next,
                route.params.contains(&"After"),
                "{} {}: `next` only with `after`",
                route.method,
                route.path
            );
        }
    }
}
