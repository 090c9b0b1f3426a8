//! The table of documented API operations: per route its body, success answer, parameters
//! and every error status its handler can answer.

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
    /// Error statuses this route answers with a response of its own instead of the shared one
    /// (status, name in `components/responses`).
    pub own_errors: &'static [(u16, &'static str)],
    /// A second success status answering the same schema (201 done now, 202 still running).
    pub also_ok: Option<u16>,
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
            own_errors: &[],
            also_ok: None,
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
        if self.path.starts_with("/p/") {
            return "portal-api";
        }
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

    const fn also_ok(self, status: u16) -> Self {
        Self {
            also_ok: Some(status),
            ..self
        }
    }

    const fn own_errors(self, own_errors: &'static [(u16, &'static str)]) -> Self {
        Self { own_errors, ..self }
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
    .errors(&[400, 401, 409, 422, 429, 500, 503])
    .own_errors(&[(409, "OrgRequired")]),
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
    RouteDoc::put(
        "/api/v1/modules/{module}/fields/{field}",
        "Change a field (administrators): label, mandatory, picklist options, subform columns (added or relabelled, none removed). The API name, the type and a lookup's module stay (422 api_name_fixed, type_fixed, target_fixed, column_fixed); a field made mandatory is placed on every layout",
    )
    .id("replace_field")
    .body("NewField")
    .ok(200, "Field")
    .errors(&[400, 401, 403, 404, 422, 500]),
    RouteDoc::put(
        "/api/v1/modules/{module}/layouts/{id}",
        "Change a layout (administrators): its name and sections. Portal user types sharing it follow a new name and keep permissions only for the fields still on it",
    )
    .id("replace_layout")
    .body("NewLayout")
    .ok(200, "Layout")
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
    RouteDoc::post(
        "/api/v1/users",
        "Create a CRM user (administrators). The email is unique within the org (409 duplicate); another org's user with the same address is no obstacle",
    )
.id("create_user")
        .body("NewUser")
        .ok(201, "User")
        .errors(&[400, 401, 403, 409, 422, 500]),
    RouteDoc::patch(
        "/api/v1/users/{id}",
        "Change a CRM user (administrators): name, email, profile, administrator role, active; what is left out stays. A deactivated user's sessions and API tokens stop working at once; administrators cannot deactivate or demote themselves",
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
    RouteDoc::put(
        "/api/v1/web-tabs/{id}",
        "Rename a web tab or change its address (administrators); portal user types showing it follow the new name",
    )
    .id("replace_web_tab")
    .body("NewWebTab")
    .ok(200, "WebTab")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
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
    RouteDoc::get(
        "/api/v1/mail",
        "The mail log (administrators): the org's outbox, newest first, in keyset pages; ?state= keeps one state. Without SMTP configured every message stays pending",
    )
    .id("list_mail")
    .params(&["MailLimit", "After", "MailState"])
    .ok(200, "MailList")
    .errors(&[401, 403, 422, 500]),
    RouteDoc::get(
        "/api/v1/mail/{id}",
        "One message of the outbox with its text and HTML bodies (administrators)",
    )
    .id("get_mail")
    .ok(200, "Mail")
    .errors(&[401, 403, 404, 500]),
    RouteDoc::post(
        "/api/v1/mail/test",
        "Send a test email to the caller's own address (administrators): written to the outbox with an audit row, delivered by the worker like every email",
    )
    .id("send_test_mail")
    .ok(201, "MailSummary")
    .errors(&[401, 403, 500]),
    RouteDoc::post(
        "/api/v1/records/{module}/{id}/portal-invite",
        "Invite the record to a portal as a user of a user type: the portal user, a single-use link valid 7 days and the email are written together. A refusal carries its reason's code: record_not_found (404), no_module_permission / no_record_permission (403), already_invited / seat_limit (409), same_domain, awaiting_approval, under_review, no_consent, invalid_email, anonymous_domain, in_recycle_bin, no_email (422)",
    )
    .id("invite_record")
    .body("PortalInvite")
    .ok(201, "PortalInvited")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::get(
        "/api/v1/portals/{portal}/users",
        "The portal's users, newest first (keyset pages; ?status= keeps one status), with counts per status and seats per user type (administrators)",
    )
    .id("list_portal_users")
    .params(&["PortalUserStatus", "After", "PortalUserLimit"])
    .ok(200, "PortalUserList")
    .errors(&[401, 403, 404, 422, 500]),
    RouteDoc::get("/api/v1/portals/{portal}/users/{id}", "One portal user (administrators)")
        .id("get_portal_user")
        .ok(200, "PortalUser")
        .errors(&[401, 403, 404, 500]),
    RouteDoc::patch(
        "/api/v1/portals/{portal}/users/{id}",
        "Move a portal user to another active user type of the portal with the same personality module and a free seat (409 seat_limit)",
    )
    .id("change_portal_user_type")
    .body("PortalUserPatch")
    .ok(200, "PortalUser")
    .errors(&[400, 401, 403, 404, 409, 422, 500]),
    RouteDoc::delete(
        "/api/v1/portals/{portal}/users/{id}",
        "Remove a portal user with their sessions and links; the record stays and can be invited again",
    )
    .id("remove_portal_user")
    .no_content()
    .errors(&[401, 403, 404, 500]),
    RouteDoc::post(
        "/api/v1/portals/{portal}/users/{id}/reinvite",
        "Send an invited user a new link; the previous link stops working (409 unless invited)",
    )
    .id("reinvite_portal_user")
    .ok(200, "PortalUser")
    .errors(&[401, 403, 404, 409, 422, 500]),
    RouteDoc::post(
        "/api/v1/portals/{portal}/users/{id}/deactivate",
        "Deactivate a portal user: they cannot sign in and their sessions end at once",
    )
    .id("deactivate_portal_user")
    .ok(200, "PortalUser")
    .errors(&[401, 403, 404, 409, 500]),
    RouteDoc::post(
        "/api/v1/portals/{portal}/users/{id}/reactivate",
        "Reactivate a deactivated user: active when they have a password, else invited again with a new link (409 seat_limit when the user type is full)",
    )
    .id("reactivate_portal_user")
    .ok(200, "PortalUser")
    .errors(&[401, 403, 404, 409, 422, 500]),
    RouteDoc::get(
        "/api/v1/email-domains/blocked",
        "The org's blocked email domains, alphabetical (administrators). Portal invitations and sign-ups refuse addresses at these domains and their subdomains, and at the shipped list of disposable-address services",
    )
    .id("list_blocked_domains")
    .ok(200, "BlockedDomainList")
    .errors(&[401, 403, 500]),
    RouteDoc::post(
        "/api/v1/email-domains/blocked",
        "Block an email domain and its subdomains (administrators; audited). 409 duplicate when it is already blocked; 422 invalid_domain, too_long, required or invalid_characters for a value that is no domain name; 413 for a body over 4 KiB",
    )
    .id("block_domain")
    .body("BlockDomainRequest")
    .ok(201, "BlockedDomain")
    .errors(&[400, 401, 403, 409, 422, 500]),
    RouteDoc::delete(
        "/api/v1/email-domains/blocked/{domain}",
        "Unblock an email domain (administrators; audited); 404 when it is not blocked",
    )
    .id("unblock_domain")
    .no_content()
    .errors(&[401, 403, 404, 500]),
    RouteDoc::get(
        "/api/v1/portals/{portal}/signups",
        "Sign-ups waiting for a decision (restricted portals; administrators), newest first in keyset pages",
    )
    .id("list_signups")
    .params(&["SignupLimit", "After"])
    .ok(200, "SignupList")
    .errors(&[401, 403, 404, 422, 500]),
    RouteDoc::post(
        "/api/v1/portals/{portal}/signups/{id}/approve",
        "Approve a pending sign-up: it takes a seat (422 seat_limit when none is left), gets its personality record (an existing one with its address, else a new one owned by the portal's default owner) and can sign in with the password it chose; the applicant is emailed when the portal notifies applicants. 409 when it is not pending",
    )
    .id("approve_signup")
    .ok(200, "Signup")
    .errors(&[401, 403, 404, 409, 422, 500]),
    RouteDoc::post(
        "/api/v1/portals/{portal}/signups/{id}/reject",
        "Reject a pending sign-up: the account is removed and the applicant is emailed when the portal notifies applicants. 409 when it is not pending",
    )
    .id("reject_signup")
    .no_content()
    .errors(&[401, 403, 404, 409, 500]),
    RouteDoc::post(
        "/api/v1/portals/{portal}/invitations",
        "Invite many records at once: `records` (ids, at most 50,000) or `filter` (every record not yet invited with a valid address matching `search`, across all pages). Each record is checked as one invitation is; a failure is reported per record with its code, never as an error of the whole request. Up to 100 records run at once and answer 201 with the summary; more answer 202 and run in the background (follow GET …/invitations/{id}); a killed server resumes them without losing or repeating an invitation",
    )
    .id("start_invitations")
    .body("InvitationRequest")
    .ok(201, "InvitationBatch")
    .also_ok(202)
    .errors(&[400, 401, 403, 404, 422, 500]),
    RouteDoc::get(
        "/api/v1/portals/{portal}/invitations/{id}",
        "A bulk invitation's progress: state, total, sent, and its failures in batch order, paged by failed_after (administrators and the CRM user who sent it)",
    )
    .id("get_invitations")
    .params(&["FailedAfter", "FailedLimit"])
    .ok(200, "InvitationBatch")
    .errors(&[401, 404, 422, 500]),
    RouteDoc::get(
        "/api/v1/portals/{portal}/invitation-candidates",
        "Records that may be invited to a user type: live records of its personality module with a valid address, not yet users of the portal, reachable by the caller; newest first in keyset pages. The first page counts them all (`matching`, up to 50,001)",
    )
    .id("list_invitation_candidates")
    .params(&["CandidateUserType", "CandidateSearch", "After", "CandidateLimit"])
    .ok(200, "InvitationCandidates")
    .errors(&[401, 403, 404, 422, 500]),
    RouteDoc::get(
        "/api/v1/audit",
        "The audit log (administrators): admin changes, portal account events and every portal user's read and write of a record, newest first in keyset pages with the matching `count`. Filters: portal, portal_user (an id, or an address: that portal user in any portal), module and record, action (exact, or a prefix ending in . or *), from/to. A bad value is a 422 naming it (invalid_number, invalid_portal_user, invalid_module, invalid_action, invalid_time, invalid_range, out_of_range, unknown_parameter)",
    )
    .id("list_audit")
    .params(&["AuditPortal", "AuditPortalUser", "AuditModule", "AuditRecord", "AuditAction", "AuditFrom", "AuditTo", "AuditBefore", "AuditAfter", "AuditLimit"])
    .ok(200, "AuditList")
    .errors(&[401, 403, 422, 500]),
];

// The portal API (`crate::portal_site::api`): a portal user's bearer token (`portalBearer`),
// 404 for an unknown portal (every path names one), 503 `portal_disabled` for a disabled one,
// 409 when the user type's configuration no longer matches the CRM.
pub const PORTAL_ROUTES: &[RouteDoc] = &[
    RouteDoc::post(
        "/p/{slug}/api/v1/auth/token",
        "Exchange a portal user's email and password (and authenticator code) for a bearer token",
    )
    .id("portal_create_token")
    .body("PortalTokenRequest")
    .ok(201, "PortalToken")
    .errors(&[400, 401, 403, 404, 422, 429, 500, 503])
    .own_errors(&[(401, "PortalSignInRefused"), (503, "PortalUnavailable")]),
    RouteDoc::delete(
        "/p/{slug}/api/v1/auth/token",
        "Sign out: the token (a portal session) ends at once",
    )
    .id("portal_delete_token")
    .no_content()
    .errors(&[401, 404, 500, 503])
    .own_errors(&[(503, "PortalUnavailable")]),
    RouteDoc::get(
        "/p/{slug}/api/v1/me",
        "The signed-in portal user: name, email, user type, preferences and portal",
    )
    .id("portal_get_me")
    .ok(200, "PortalMe")
    .errors(&[401, 404, 500, 503])
    .own_errors(&[(503, "PortalUnavailable")]),
    RouteDoc::get(
        "/p/{slug}/api/v1/tabs",
        "The tabs the user type allows: per module its role, view, allowed actions and shared layouts with their visible fields; and the web tabs",
    )
    .id("portal_list_tabs")
    .ok(200, "PortalTabs")
    .errors(&[401, 404, 409, 500, 503])
    .own_errors(&[(503, "PortalUnavailable")]),
    RouteDoc::get(
        "/p/{slug}/api/v1/records/{module}",
        "The module's records in your scope, newest first (keyset pages); only the layout's visible fields",
    )
    .id("portal_list_records")
    .params(&["PortalLimit", "After", "PortalSearch", "PortalLayout"])
    .ok(200, "PortalRecordList")
    .errors(&[401, 404, 409, 422, 500, 503])
    .own_errors(&[(503, "PortalUnavailable")]),
    RouteDoc::post(
        "/p/{slug}/api/v1/records/{module}",
        "Create a record of a related module: linked to you, owned by the CRM user who invited you",
    )
    .id("portal_create_record")
    .params(&["PortalLayout"])
    .body("PortalRecordBody")
    .ok(201, "PortalRecord")
    .etag()
    .errors(&[400, 401, 403, 404, 409, 422, 500, 503])
    .own_errors(&[(503, "PortalUnavailable")]),
    RouteDoc::get(
        "/p/{slug}/api/v1/records/{module}/{id}",
        "One record in your scope; a record outside it answers 404 exactly like a missing one",
    )
    .id("portal_get_record")
    .params(&["PortalLayout", "IfNoneMatch"])
    .ok(200, "PortalRecord")
    .etag()
    .errors(&[401, 404, 409, 422, 500, 503])
    .own_errors(&[(503, "PortalUnavailable")]),
    RouteDoc::patch(
        "/p/{slug}/api/v1/records/{module}/{id}",
        "Change writable fields of a record in your scope; If-Match is required",
    )
    .id("portal_update_record")
    .params(&["PortalIfMatch", "PortalLayout"])
    .body("PortalRecordBody")
    .ok(200, "PortalRecord")
    .etag()
    .errors(&[400, 401, 403, 404, 409, 412, 422, 428, 500, 503])
    .own_errors(&[(503, "PortalUnavailable")]),
    RouteDoc::delete(
        "/p/{slug}/api/v1/records/{module}/{id}",
        "Delete a record in your scope (to the CRM's recycle bin), when your user type allows it; If-Match is required",
    )
    .id("portal_delete_record")
    .params(&["PortalIfMatch"])
    .no_content()
    .errors(&[400, 401, 403, 404, 409, 412, 428, 500, 503])
    .own_errors(&[(503, "PortalUnavailable")]),
];
