//! The document's component schemas, and the small builders they are written with.

use serde_json::{Value, json};

pub(super) fn r(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// `schema` or `null`.
pub(super) fn nullable(schema: Value) -> Value {
    json!({"anyOf": [schema, {"type": "null"}]})
}

/// A list answered whole: every item in one answer, no cursor.
pub(super) fn list_of(item: &str) -> Value {
    obj(
        json!({"items": {"type": "array", "items": r(item)}}),
        &["items"],
    )
}

/// A keyset page: `next` is the cursor to pass as `after`, `null` on the last page.
pub(super) fn page_of(item: &str) -> Value {
    obj(
        json!({"items": {"type": "array", "items": r(item)},
               "next": {"type": ["string", "null"], "description": "Cursor for the next page (pass as `after`); null on the last page"}}),
        &["items", "next"],
    )
}

/// An object with exactly these keys; `required` lists the ones always present (answers) or
/// that must be sent (bodies). Request bodies refuse unknown keys, and answers carry no others.
pub(super) fn obj(props: Value, required: &[&str]) -> Value {
    json!({"type": "object", "additionalProperties": false, "properties": props, "required": required})
}

/// A label or name as `parse_label` takes it: trimmed, then 1 to 100 characters.
pub(super) fn label() -> Value {
    json!({"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S",
           "description": "Surrounding spaces are trimmed; then 1 to 100 characters"})
}

/// An identifier as `ApiName::parse` takes it.
pub(super) fn api_name() -> Value {
    json!({"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]*$", "minLength": 1, "maxLength": 50})
}

/// `schema` with its description replaced.
pub(super) fn described(mut schema: Value, description: &str) -> Value {
    if let Value::Object(o) = &mut schema {
        o.insert("description".into(), json!(description));
    }
    schema
}

/// A blocked email domain as `BlockedDomain::parse` keeps it.
pub(super) fn blocked_domain() -> Value {
    json!({"type": "string", "minLength": 3, "maxLength": portico_domain::email_domains::DOMAIN_MAX,
           "description": "A lower-cased domain name; addresses at it and at its subdomains are refused"})
}

pub(super) fn email() -> Value {
    json!({"type": "string", "format": "email", "minLength": 3, "maxLength": 254})
}

pub(super) fn date_time() -> Value {
    json!({"type": "string", "format": "date-time", "description": "RFC 3339, UTC"})
}

/// The states of an email, as the API spells them.
pub(super) fn mail_states() -> Vec<&'static str> {
    portico_domain::outbox::MailState::ALL
        .iter()
        .map(|s| s.as_str())
        .collect()
}

pub(super) fn schemas() -> Value {
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
        "default_owner_id": {"type": ["integer", "null"], "description": "The active CRM user who owns the records sign-ups bring and create; null: the org's first super admin"},
        "allow_email_change": boolean, "enforce_mfa": boolean,
        "idle_timeout_minutes": {"type": ["integer", "null"], "enum": [null, 15, 30, 60, 120, 240, 480, 720], "description": "null: never"},
        "ga_measurement_id": {"type": ["string", "null"], "pattern": "^(G-[A-Z0-9]{4,16})?$", "description": "Google Analytics, e.g. G-XXXXXXXXXX; needs ga_terms_accepted"},
        "ga_terms_accepted": boolean,
        "consent_text": r("ConsentText"),
        "accent_colour": {"type": ["string", "null"], "pattern": "^(#?[0-9a-fA-F]{6})?$", "description": "The portal's brand colour, #rrggbb; white text on it must have a contrast of at least 4.5:1 (refused otherwise: low_contrast). null: the standard colour. The logo is uploaded in the admin settings page (no API)."}});
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
    let mail_summary = json!({
        "id": int, "kind": {"type": "string", "enum": portico_domain::outbox::MailKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>()},
        "recipient": {"type": "string", "format": "email"}, "language": {"type": "string", "description": "The language the bodies are written in, e.g. en"},
        "subject": string, "message_id": {"type": "string", "description": "<random@host of the base URL>: the same on every attempt"},
        "state": {"type": "string", "enum": mail_states(),
                  "description": "pending: waiting for its (next) attempt, or for SMTP to be configured; sending: claimed by a worker; sent: accepted by the SMTP server; failed: refused for good or out of attempts"},
        "attempts": {"type": "integer", "minimum": 0},
        "next_attempt_at": {"type": ["string", "null"], "format": "date-time", "description": "pending: when the next attempt is due; sending: when the worker's claim ends; null once sent or failed"},
        "last_error": {"type": ["string", "null"], "description": "The last attempt's error, at most 1000 characters"},
        "created_at": date_time(),
        "sent_at": {"type": ["string", "null"], "format": "date-time", "description": "When the SMTP server accepted it"}});
    let mail_keys = [
        "id",
        "kind",
        "recipient",
        "language",
        "subject",
        "message_id",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    ];
    let mut all = error_schemas();
    let main = json!({
        "Any": {"description": "Any JSON"},
        "TokenRequest": obj(json!({"email": {"type": "string", "maxLength": 254}, "password": string,
                                   "org": {"type": ["integer", "null"], "format": "int64",
                                           "description": "The id of the org to sign in to: needed only when the email address and password open accounts in several orgs (the 409 org_required lists them). An org where the password opens no account answers 401, like a wrong password"}}),
                              &["email", "password"]),
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
        "UserPatch": obj(json!({"active": described(boolean.clone(), "false deactivates: the user's sessions and API tokens stop working at once"),
                                "email": email(), "name": label(), "profile_id": int,
                                "super_admin": boolean}), &[]),
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
        "MailSummary": obj(mail_summary.clone(), &mail_keys),
        "Mail": obj(with(mail_summary, json!({"text": {"type": "string", "description": "The text/plain body"},
                                              "html": {"type": "string", "description": "The text/html body, as sent: show it escaped or in a sandboxed frame, never as part of a page"}})),
                    &[mail_keys.as_slice(), &["text", "html"]].concat()),
        "MailList": page_of("MailSummary"),
        "BlockedDomain": obj(json!({"domain": blocked_domain(),
                                    "created_by": {"type": "string", "description": "The email of the administrator who blocked it"},
                                    "created_at": date_time()}),
                             &["domain", "created_by", "created_at"]),
        "BlockedDomainList": list_of("BlockedDomain"),
        "BlockDomainRequest": obj(json!({"domain": described(blocked_domain(), "A domain name such as example.com (an international one in its xn-- form); surrounding spaces, a leading @ and a final dot are dropped, and it is lower-cased. Blocking it blocks its subdomains too")}),
                                  &["domain"]),
        "Signup": obj(json!({"id": int, "name": string, "email": {"type": "string", "format": "email"},
                             "status": {"type": "string", "enum": ["pending", "active"], "description": "pending while waiting; active once approved"},
                             "user_type_id": int, "record_id": {"type": ["integer", "null"], "description": "The personality record; null until approved"},
                             "created_at": date_time()}),
                      &["id", "name", "email", "status", "user_type_id", "record_id", "created_at"]),
        "SignupList": page_of("Signup"),
        "InvitationRequest": obj(json!({
            "user_type": {"type": "integer", "format": "int64", "description": "The user type to invite to (of this portal)"},
            "records": {"type": "array", "items": {"type": "integer", "format": "int64"}, "minItems": 1, "maxItems": portico_app::invitation_batches::BATCH_MAX,
                        "description": "The records to invite, in order (a repeated id counts once). Send this or `filter`"},
            "filter": obj(json!({"search": {"type": ["string", "null"], "maxLength": portico_app::invitation_batches::SEARCH_MAX,
                                            "description": "Only records whose name or email contains this"}}), &[]),
            "language": {"type": ["string", "null"], "description": "The emails' and accounts' language, e.g. en or en-GB (default: the org's)"}}),
            &["user_type"]),
        "InvitationFailure": obj(json!({
            "record_id": {"type": "integer", "format": "int64"},
            "name": {"type": ["string", "null"], "description": "The record's name; null when it does not exist"},
            "code": {"type": "string", "description": "same_domain, awaiting_approval, under_review, no_consent, invalid_email, anonymous_domain, seat_limit, already_invited, record_not_found, no_module_permission, no_record_permission, in_recycle_bin, no_email; or, when the invitation became impossible mid-way, that error's code (inactive_user_type, not_found, inviter_inactive)"},
            "message": {"type": "string"}}),
            &["record_id", "name", "code", "message"]),
        "InvitationBatch": obj(json!({
            "batch_id": {"type": "integer", "format": "int64"},
            "state": {"type": "string", "enum": ["running", "done"]},
            "total": {"type": "integer"}, "sent": {"type": "integer"}, "failed_count": {"type": "integer"},
            "failed": {"type": "array", "items": r("InvitationFailure"), "description": "A page of the failures, in batch order"},
            "failed_next": {"type": ["string", "null"], "description": "Pass as failed_after for the next page of failures; null on the last"},
            "created_at": date_time(), "finished_at": nullable(date_time())}),
            &["batch_id", "state", "total", "sent", "failed_count", "failed", "failed_next", "created_at", "finished_at"]),
        "InvitationCandidate": obj(json!({"id": {"type": "integer", "format": "int64"}, "name": {"type": "string"}, "email": email()}), &["id", "name", "email"]),
        "InvitationCandidates": obj(json!({
            "items": {"type": "array", "items": r("InvitationCandidate")},
            "next": {"type": ["string", "null"], "description": "Cursor for the next page (pass as `after`); null on the last page"},
            "matching": {"type": ["integer", "null"], "description": "On the first page: how many records match in all (up to 50,001); null on later pages"}}),
            &["items", "next", "matching"]),
        "Seats": obj(json!({"granted": int, "used": int, "free": int, "grants": {"type": "array", "items": r("SeatGrant")}}), &["granted", "used", "free", "grants"]),
    });
    for part in [
        main,
        portal_user_schemas(),
        audit_schemas(),
        super::portal::schemas(),
    ] {
        if let (Value::Object(all), Value::Object(part)) = (&mut all, part) {
            all.extend(part);
        }
    }
    all
}

pub(super) fn portal_user_statuses() -> Vec<&'static str> {
    portico_domain::portal_user::PortalUserStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect()
}

/// Portal users and invitations.
fn portal_user_schemas() -> Value {
    let int = json!({"type": "integer", "format": "int64"});
    let string = json!({"type": "string"});
    json!({
        "Preferences": obj(json!({"language": {"type": "string", "description": "A tag such as en or en-GB"},
                                  "time_format": {"type": "string", "enum": ["12h", "24h"]},
                                  "time_zone": {"type": "string", "description": "e.g. Europe/Berlin"},
                                  "country": {"type": "string", "pattern": "^[A-Z]{2}$"}}),
                           &["language", "time_format", "time_zone", "country"]),
        "PortalUser": obj(json!({"id": int, "portal_id": int, "user_type_id": int,
                                 "record_id": {"type": ["integer", "null"], "description": "The personality record; null while a sign-up waits, or after the record was purged"},
                                 "email": {"type": "string", "format": "email"}, "name": string,
                                 "status": {"type": "string", "enum": portal_user_statuses(),
                                            "description": "invited: the link is not used yet; unverified: a public sign-up whose address is not confirmed; pending: a restricted sign-up waiting for approval; active: may sign in; deactivated: stopped by an administrator. Seats count invited and active users"},
                                 "preferences": r("Preferences"),
                                 "invited_by": {"type": ["integer", "null"], "description": "The CRM user who invited them: the owner of the records they create"},
                                 "created_at": date_time(), "updated_at": date_time()}),
                          &["id", "portal_id", "user_type_id", "record_id", "email", "name", "status", "preferences", "invited_by", "created_at", "updated_at"]),
        "SeatUse": obj(json!({"user_type_id": int, "name": string, "used": int, "limit": int}), &["user_type_id", "name", "used", "limit"]),
        "PortalUserList": obj(json!({"items": {"type": "array", "items": r("PortalUser")},
                                     "next": {"type": ["integer", "null"], "description": "The cursor of the next page (?after=), null on the last"},
                                     "counts": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "Users of the portal per status"},
                                     "seats": {"type": "array", "items": r("SeatUse")}}),
                              &["items", "next", "counts", "seats"]),
        "PortalInvite": obj(json!({"portal": int, "user_type": int,
                                   "language": {"type": ["string", "null"], "description": "The email's and the account's language; the org's default when absent"}}),
                            &["portal", "user_type"]),
        "PortalInvited": obj(json!({"portal_user": r("PortalUser"), "mail_id": int}), &["portal_user", "mail_id"]),
        "PortalUserPatch": obj(json!({"user_type": int}), &["user_type"]),
    })
}

pub(super) fn error_schemas() -> Value {
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
        "OrgRequiredError": error(
            json!({"code": {"type": "string", "const": "org_required"}, "message": {"type": "string"},
                   "orgs": {"type": "array", "description": "The orgs where this email address and password open an account, by id",
                            "items": obj(json!({"id": {"type": "integer", "format": "int64"}, "name": {"type": "string"}}), &["id", "name"])}}),
            &["code", "message", "orgs"],
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

/// The audit log.
fn audit_schemas() -> Value {
    let id = json!({"type": "integer", "format": "int64"});
    let opt_id =
        |d: &str| json!({"type": ["integer", "null"], "format": "int64", "description": d});
    let cursor = |d: &str| json!({"type": ["string", "null"], "description": d});
    json!({
        "AuditEntry": obj(json!({"id": id, "at": date_time(),
                                 "actor": {"type": "string", "description": "A CRM user's email, portal:{email} for a portal user, or operator"},
                                 "action": {"type": "string", "description": "e.g. portal.record.view, portal.sign_in, portal.create"},
                                 "portal_id": opt_id("The portal it happened in or is about"),
                                 "portal_user_id": opt_id("The portal user who acted, or whom it is about"),
                                 "module": {"type": ["string", "null"], "description": "The module of the record it is about (API name)"},
                                 "record_id": opt_id("The record it is about"),
                                 "ip": {"type": ["string", "null"], "description": "The address the request came from, when known"},
                                 "detail": {"description": "What else the action recorded: for a list the ids shown and the search text, for an update the names of the changed fields (never values)"}}),
                          &["id", "at", "actor", "action", "portal_id", "portal_user_id", "module", "record_id", "ip", "detail"]),
        "AuditList": obj(json!({"items": {"type": "array", "items": r("AuditEntry")},
                                "count": {"type": "integer", "description": "How many entries match the filters in all"},
                                "next": cursor("Cursor for the older page (pass as `before`); null on the last page"),
                                "previous": cursor("Cursor for the newer page (pass as `after`); null on the first page")}),
                         &["items", "count", "next", "previous"]),
    })
}
