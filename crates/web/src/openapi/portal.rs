//! The portal API's part of the document: its schemas, parameters and error answers. Its
//! routes are `routes::PORTAL_ROUTES`; the security scheme `portalBearer` is a portal user's
//! token from `POST /p/{slug}/api/v1/auth/token`.

use super::schemas::{api_name, obj, r};
use serde_json::{Value, json};

/// Merges `part`'s keys into `into` (both objects).
pub(super) fn extend(into: &mut Value, part: Value) {
    if let (Value::Object(into), Value::Object(part)) = (into, part) {
        into.extend(part);
    }
}

fn error(code: Value, extra: &str) -> Value {
    obj(
        json!({"error": obj(json!({"code": code, "message": {"type": "string", "description": extra}}), &["code", "message"])}),
        &["error"],
    )
}

pub(super) fn schemas() -> Value {
    let int = json!({"type": "integer", "format": "int64"});
    let string = json!({"type": "string"});
    let boolean = json!({"type": "boolean"});
    let data = json!({"type": "object", "additionalProperties": true,
        "description": "The visible fields of the layout, by API name. A lookup (and each value of a multi-select lookup, and a lookup column of a subform) is {\"id\", \"name\"} when its target is a record you reach through one of your tabs, and null otherwise: nothing identifies a record outside your reach. Subform rows carry only the visible columns"});
    json!({
        "PortalTokenRequest": obj(json!({
            "email": {"type": "string", "maxLength": 254}, "password": string,
            "totp": {"type": ["string", "null"], "maxLength": 32, "description": "The authenticator's current code (or a recovery code), for an account with two-step verification; without it such an account answers 401 totp_required"}}),
            &["email", "password"]),
        "PortalToken": obj(json!({
            "token": {"type": "string", "description": "The secret, shown only here; send it as Authorization: Bearer"},
            "token_type": {"type": "string", "const": "Bearer"},
            "expires_at": {"type": "string", "format": "date-time", "description": "RFC 3339, UTC: the latest the token lives. It ends sooner after the portal's idle timeout without a call, on DELETE auth/token, a password reset, or when the account is deactivated"}}),
            &["token", "token_type", "expires_at"]),
        "PortalMe": obj(json!({
            "id": int, "name": string, "email": {"type": "string", "format": "email"},
            "user_type": obj(json!({"id": int, "name": string}), &["id", "name"]),
            "record_id": {"type": ["integer", "null"], "description": "Your own record (the user type's personality module)"},
            "preferences": r("Preferences"),
            "portal": obj(json!({"id": int, "name": string, "slug": string}), &["id", "name", "slug"])}),
            &["id", "name", "email", "user_type", "record_id", "preferences", "portal"]),
        "PortalField": obj(json!({
            "api_name": api_name(), "label": string, "type": string, "mandatory": boolean,
            "writable": {"type": "boolean", "description": "false: read-only for you; a write naming it is refused (422 read_only_field)"},
            "target_module": {"type": "string", "description": "Lookups: the module they point at"},
            "options": {"type": "array", "items": string, "description": "Picklists: the options"},
            "columns": {"type": "array", "items": r("PortalField"), "description": "Subforms: the visible columns"}}),
            &["api_name", "label", "type", "mandatory", "writable"]),
        "PortalLayout": obj(json!({"name": string, "fields": {"type": "array", "items": r("PortalField")}}), &["name", "fields"]),
        "PortalUserTab": obj(json!({
            "module": api_name(), "label": string,
            "role": {"type": "string", "enum": ["personality", "related", "public"], "description": "personality: your own record; related: records linked to it; public: every record, view only"},
            "view": {"type": "string", "enum": ["list", "canvas"]},
            "actions": {"type": "array", "items": {"type": "string", "enum": ["view", "create", "edit", "delete"]}},
            "layouts": {"type": "array", "items": r("PortalLayout"), "description": "The shared layouts; the first is the default of ?layout="}}),
            &["module", "label", "role", "view", "actions", "layouts"]),
        "PortalTabs": obj(json!({
            "modules": {"type": "array", "items": r("PortalUserTab")},
            "web_tabs": {"type": "array", "items": obj(json!({"name": string, "url": {"type": "string", "format": "uri"}}), &["name", "url"])}}),
            &["modules", "web_tabs"]),
        "PortalRecord": obj(json!({
            "id": int, "module": api_name(), "name": {"type": "string", "description": "The record's display name"},
            "version": {"type": "integer", "minimum": 1, "description": "Goes up by one with every change; the ETag header quotes it"},
            "data": data}),
            &["id", "module", "name", "version", "data"]),
        "PortalRecordList": obj(json!({
            "items": {"type": "array", "items": r("PortalRecord")},
            "next": {"type": ["integer", "null"], "description": "Pass as `after` for the next page; null on the last"}}),
            &["items", "next"]),
        "PortalRecordBody": obj(json!({"data": {"type": "object", "additionalProperties": true,
            "description": "Fields to set, by API name: only writable fields of the layout (a hidden one is 422 hidden_field, a read-only one 422 read_only_field, both naming the field). Lookups are written as record ids. On create, the lookup to you is set for you"}}),
            &["data"]),
        "PortalUnavailableError": error(json!({"type": "string", "enum": ["portal_disabled", "busy"]}),
            "portal_disabled: the portal's maintenance message"),
        "PortalSignInError": error(json!({"type": "string", "enum": ["invalid_credentials", "totp_required", "invalid_totp"]}),
            "For people; may change"),
        "PreconditionRequiredError": error(json!({"type": "string", "const": "precondition_required"}),
            "For people; may change"),
    })
}

pub(super) fn parameters() -> Value {
    let query = |name: &str, schema: Value, description: &str| json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description});
    json!({
        "PortalLimit": query("limit", json!({"type": "integer", "minimum": 1, "maximum": portico_app::scoped_records::LIST_MAX, "default": crate::portal_site::api::PAGE_DEFAULT}), "Records per page"),
        "PortalSearch": query("search", json!({"type": "string", "maxLength": portico_portal::api::SEARCH_MAX}), "Records whose name or email contains this text, ignoring case"),
        "PortalLayout": query("layout", json!({"type": "string", "maxLength": portico_portal::api::LAYOUT_MAX}), "One of the tab's shared layouts (GET tabs lists them); absent: the first. Another is 422 unknown_layout"),
        "PortalIfMatch": {"name": "If-Match", "in": "header", "required": true, "schema": {"type": "string"}, "example": "\"3\"",
            "description": "The record's ETag as you last read it (e.g. \"3\"). Required: without it (or with *) the answer is 428; when the record changed since, 412 and nothing is changed"},
        "IfNoneMatch": {"name": "If-None-Match", "in": "header", "required": false, "schema": {"type": "string"}, "example": "\"3\"",
            "description": "The ETag you hold: while the record is still at that version the answer is 304 with no body"},
    })
}

pub(super) fn responses() -> Value {
    let answer = |description: &str, schema: &str, example: Value| {
        json!({"description": description,
               "content": {"application/json": {"schema": r(schema), "example": example}}})
    };
    let mut refused = answer(
        "The sign-in is refused: invalid_credentials for an unknown address, a wrong password, a locked or inactive account alike; totp_required when the account has two-step verification and no totp was sent; invalid_totp when the totp is wrong or already used (a correct password with five wrong codes needs the password again). A portal that enforces two-step verification answers 403 mfa_enrolment_required to an account without it (it sets it up in the browser first); 429 too_many_attempts when one address has failed too often across accounts",
        "PortalSignInError",
        json!({"error": {"code": "invalid_credentials", "message": "The email address or password is not right"}}),
    );
    if let Value::Object(o) = &mut refused {
        o.insert(
            "headers".into(),
            json!({"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}}),
        );
    }
    json!({
        "PortalSignInRefused": refused,
        "PortalUnavailable": answer(
            "portal_disabled: the portal is disabled, and answers every call so until it is enabled again (tokens survive); busy: more password checks are waiting than the server takes on at once",
            "PortalUnavailableError",
            json!({"error": {"code": "portal_disabled", "message": "The portal is closed for maintenance."}}),
        ),
        "PreconditionRequired": answer(
            "The change sent no If-Match: a portal write must name the version it is based on",
            "PreconditionRequiredError",
            json!({"error": {"code": "precondition_required", "message": "Send If-Match with the record's ETag (e.g. \"3\"): a change names the version it is based on"}}),
        ),
    })
}
