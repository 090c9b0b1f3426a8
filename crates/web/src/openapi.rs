//! The OpenAPI 3.1 document for `/api/v1`, generated from one table of routes. A test walks the
//! table against the live router (every documented route is served); the API router and this
//! table are kept side by side in review, as the router cannot be listed at run time.

use serde_json::{Map, Value, json};

/// Method, path, summary, request schema (if any), success status, response schema.
pub type RouteDoc = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    u16,
    &'static str,
);

pub const ROUTES: &[RouteDoc] = &[
    (
        "get",
        "/api/v1/openapi.json",
        "This document",
        None,
        200,
        "Any",
    ),
    (
        "post",
        "/api/v1/auth/token",
        "Exchange email and password for a bearer token",
        Some("TokenRequest"),
        201,
        "Token",
    ),
    (
        "get",
        "/api/v1/org",
        "The caller's org settings",
        None,
        200,
        "Org",
    ),
    (
        "patch",
        "/api/v1/org",
        "Change org settings (administrators)",
        Some("OrgPatch"),
        200,
        "Org",
    ),
    (
        "get",
        "/api/v1/modules",
        "Modules the caller may view",
        None,
        200,
        "ModuleList",
    ),
    (
        "post",
        "/api/v1/modules",
        "Create a custom module (administrators)",
        Some("NewModule"),
        201,
        "Module",
    ),
    (
        "get",
        "/api/v1/modules/{module}",
        "A module with its fields and layouts",
        None,
        200,
        "Module",
    ),
    (
        "patch",
        "/api/v1/modules/{module}",
        "Change a module's label, data sharing or canvas template",
        Some("ModulePatch"),
        200,
        "Module",
    ),
    (
        "post",
        "/api/v1/modules/{module}/fields",
        "Add a field",
        Some("NewField"),
        201,
        "Field",
    ),
    (
        "post",
        "/api/v1/modules/{module}/layouts",
        "Add a layout",
        Some("NewLayout"),
        201,
        "Layout",
    ),
    (
        "get",
        "/api/v1/records/{module}",
        "List records, newest first (keyset pages; q searches name and email)",
        None,
        200,
        "RecordList",
    ),
    (
        "post",
        "/api/v1/records/{module}",
        "Create a record",
        Some("RecordBody"),
        201,
        "Record",
    ),
    (
        "get",
        "/api/v1/records/{module}/{id}",
        "One record",
        None,
        200,
        "Record",
    ),
    (
        "patch",
        "/api/v1/records/{module}/{id}",
        "Change some of a record's values (null clears)",
        Some("RecordPatch"),
        200,
        "Record",
    ),
    (
        "delete",
        "/api/v1/records/{module}/{id}",
        "Move a record to the recycle bin",
        None,
        204,
        "Empty",
    ),
    (
        "post",
        "/api/v1/records/{module}/{id}/restore",
        "Bring a record back from the recycle bin",
        None,
        200,
        "Record",
    ),
    (
        "get",
        "/api/v1/users",
        "CRM users (administrators)",
        None,
        200,
        "UserList",
    ),
    (
        "post",
        "/api/v1/users",
        "Create a CRM user (administrators)",
        Some("NewUser"),
        201,
        "User",
    ),
    (
        "get",
        "/api/v1/profiles",
        "Profiles (administrators)",
        None,
        200,
        "ProfileList",
    ),
    (
        "post",
        "/api/v1/profiles",
        "Create a profile (administrators)",
        Some("NewProfile"),
        201,
        "Profile",
    ),
    (
        "put",
        "/api/v1/profiles/{id}",
        "Replace a profile (administrators)",
        Some("NewProfile"),
        200,
        "Profile",
    ),
    (
        "get",
        "/api/v1/web-tabs",
        "Web tabs",
        None,
        200,
        "WebTabList",
    ),
    (
        "post",
        "/api/v1/web-tabs",
        "Create a web tab (administrators)",
        Some("NewWebTab"),
        201,
        "WebTab",
    ),
    (
        "delete",
        "/api/v1/web-tabs/{id}",
        "Delete a web tab (administrators)",
        None,
        204,
        "Empty",
    ),
    (
        "get",
        "/api/v1/portals",
        "Portals of the org (administrators)",
        None,
        200,
        "PortalList",
    ),
    (
        "post",
        "/api/v1/portals",
        "Create a portal with its default Client Portal user type",
        Some("NewPortal"),
        201,
        "Portal",
    ),
    (
        "get",
        "/api/v1/portals/{portal}",
        "A portal and all its settings",
        None,
        200,
        "Portal",
    ),
    (
        "patch",
        "/api/v1/portals/{portal}",
        "Change portal settings (the name is fixed)",
        Some("PortalPatch"),
        200,
        "Portal",
    ),
    (
        "get",
        "/api/v1/portals/{portal}/user-types",
        "The portal's user types",
        None,
        200,
        "UserTypeList",
    ),
    (
        "post",
        "/api/v1/portals/{portal}/user-types",
        "Add a user type (needs purchased seats)",
        Some("UserTypeConfig"),
        201,
        "UserType",
    ),
    (
        "get",
        "/api/v1/portals/{portal}/user-types/{id}",
        "A user type: its whole tab and field configuration",
        None,
        200,
        "UserType",
    ),
    (
        "put",
        "/api/v1/portals/{portal}/user-types/{id}",
        "Replace a user type's configuration (one transaction)",
        Some("UserTypeConfig"),
        200,
        "UserType",
    ),
    (
        "delete",
        "/api/v1/portals/{portal}/user-types/{id}",
        "Delete a user type (not the default one)",
        None,
        204,
        "Empty",
    ),
    (
        "get",
        "/api/v1/portals/{portal}/config",
        "Export the whole portal configuration",
        None,
        200,
        "PortalConfig",
    ),
    (
        "put",
        "/api/v1/portals/{portal}/config",
        "Import a configuration; ?dry_run=true answers the differences only",
        Some("PortalConfig"),
        200,
        "ConfigChanges",
    ),
    (
        "get",
        "/api/v1/portals/{portal}/preview",
        "Preview the portal as a user type (?user_type=) or as one portal user's record (&record=); read-only, audited",
        None,
        200,
        "Any",
    ),
    (
        "post",
        "/api/v1/portals/{portal}/domain/verify",
        "Verify the custom domain: _portico.{domain} must have a TXT record with the portal's token",
        None,
        200,
        "Portal",
    ),
    (
        "get",
        "/api/v1/seats",
        "Purchased portal seats: granted, used, free, and the grants",
        None,
        200,
        "Seats",
    ),
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
    json!({
        "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "string"}, "message": {"type": "string"}, "field": {"type": "string"},
            "details": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "code": {"type": "string"}, "message": {"type": "string"}}}}}}}},
        "Any": {},
        "Empty": {},
        "TokenRequest": obj(json!({"email": {"type": "string"}, "password": {"type": "string"}}), &["email", "password"]),
        "Token": obj(json!({"token": {"type": "string"}, "token_type": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"}}), &["token", "expires_at"]),
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
        "Record": {"type": "object", "required": ["id", "module", "data", "owner_id", "created_at", "updated_at"], "properties": {
            "id": {"type": "integer"}, "module": {"type": "string"}, "name": {"type": "string"},
            "data": {"type": "object", "description": "Field API name → value"}, "owner_id": {"type": "integer"}, "state": state,
            "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
            "deleted_at": {"type": ["string", "null"], "format": "date-time"}}},
        "RecordList": list_of("Record"),
        "RecordBody": obj(json!({"data": {"type": "object"}, "owner_id": {"type": "integer"}, "state": r("RecordState")}), &["data"]),
        "RecordPatch": obj(json!({"data": {"type": "object"}, "owner_id": {"type": "integer"}, "state": r("RecordState")}), &[]),
        "User": {"type": "object", "properties": {"id": {"type": "integer"}, "email": {"type": "string"}, "name": {"type": "string"}, "profile_id": {"type": "integer"}, "super_admin": {"type": "boolean"}, "active": {"type": "boolean"}}},
        "UserList": list_of("User"),
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
        "Seats": {"type": "object", "properties": {"granted": {"type": "integer"}, "used": {"type": "integer"}, "free": {"type": "integer"}, "grants": {"type": "array", "items": {"type": "object"}}}},
    })
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

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": r("Error")}}})
}

pub fn document() -> Value {
    let mut paths = Map::new();
    for (method, path, summary, request, status, response) in ROUTES {
        let mut op = Map::new();
        op.insert("summary".into(), json!(summary));
        let params: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": if name == "id" { "integer" } else { "string" }}}))
            .chain(if *path == "/api/v1/records/{module}" && *method == "get" {
                vec![
                    json!({"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}),
                    json!({"name": "after", "in": "query", "schema": {"type": "string"}, "description": "The `next` cursor of the previous page"}),
                    json!({"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Search in record name and email"}),
                ]
            } else {
                vec![]
            })
            .collect();
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if let Some(req) = request {
            op.insert(
                "requestBody".into(),
                json!({"required": true, "content": {"application/json": {"schema": r(req)}}}),
            );
        }
        let public = matches!(*path, "/api/v1/openapi.json" | "/api/v1/auth/token");
        if public {
            op.insert("security".into(), json!([]));
        }
        let mut responses = Map::new();
        let ok = if *status == 204 {
            json!({"description": "Done"})
        } else {
            json!({"description": "Success", "content": {"application/json": {"schema": r(response)}}})
        };
        responses.insert(status.to_string(), ok);
        for (code, text) in [
            ("400", "Malformed request"),
            ("401", "Missing or invalid token"),
            ("403", "The profile does not allow this"),
            ("404", "Not found (or outside the caller's reach)"),
            ("409", "Conflicts with existing data"),
            ("422", "Invalid input; `field` names it"),
        ] {
            if !(public && code == "403") {
                responses.insert(code.into(), error_response(text));
            }
        }
        if *path == "/api/v1/auth/token" {
            responses.insert(
                "429".into(),
                error_response("Too many failed sign-ins for this email; wait 15 minutes"),
            );
        }
        op.insert("responses".into(), Value::Object(responses));
        let entry = paths.entry(path.to_string()).or_insert_with(|| json!({}));
        if let Value::Object(e) = entry {
            e.insert(method.to_string(), Value::Object(op));
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Portico CRM API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "CRM records, modules and settings. Authenticate with POST /api/v1/auth/token, then send `Authorization: Bearer <token>`."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": schemas()},
        "paths": paths,
    })
}
