//! The admin forms over HTTP, as a browser drives them: a form is fetched, its controls read
//! the way a browser serialises them, and posted back with the session cookie and CSRF token.
//! Stale record saves, lookups to records the editor cannot see, field permissions saved by
//! name, refused setup forms, and escaped fallback pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN, Page, REP, TestApp};

on_both_backends!(
    a_stale_record_save_is_refused_with_the_input_kept,
    a_link_to_a_record_the_editor_cannot_see_is_kept_unnamed,
    field_permissions_are_saved_by_name,
    refused_setup_forms_keep_the_input_and_show_every_error,
    the_api_tokens_page_lists_and_revokes,
    a_failed_domain_check_shows_as_a_failure,
    the_portal_settings_form_keeps_every_input_and_shows_every_error,
    a_refused_portal_name_shows_in_an_open_section,
    new_user_types_start_safe_and_new_fields_are_flagged,
    public_modules_offer_view_only,
    the_preview_formats_values_and_never_dead_ends,
    record_lists_count_sort_and_page,
    pages_have_breadcrumbs_a_skip_link_and_a_menu_button,
    company_settings_are_chosen_from_lists,
    the_portal_address_is_copyable_and_seats_are_shown,
    crm_users_stay_editable,
    web_tabs_stay_editable_and_user_types_follow_a_rename,
    subform_rows_are_edited_in_a_row_editor,
    fields_and_layouts_stay_editable_without_json,
    the_record_picker_searches_and_tells_namesakes_apart,
    the_portal_users_list_is_counted_sorted_and_paged,
);

// ---- a browser, in a few lines ----

/// Sends a request with a cookie (and form fields, if any).
async fn send(
    app: &TestApp,
    cookie: &str,
    method: Method,
    path: &str,
    fields: &[(String, String)],
) -> Page {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let form = (!pairs.is_empty()).then_some(pairs.as_slice());
    app.browse(cookie, method, path, form).await
}

/// Signs in through the sign-in form; answers the session cookie.
async fn sign_in(app: &TestApp, (email, password): (&str, &str)) -> String {
    let form = send(app, "", Method::GET, "/admin/login", &[]).await;
    let mut fields = form_fields(&form.body, "/admin/login");
    set(&mut fields, "email", email);
    set(&mut fields, "password", password);
    let signed = send(app, &form.cookie, Method::POST, "/admin/login", &fields).await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);
    signed.cookie
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let a = send(app, cookie, Method::GET, path, &[]).await;
    (a.status, a.body)
}

/// Posts form fields; answers the status, the `Location` header (or "") and the body.
async fn post(
    app: &TestApp,
    cookie: &str,
    path: &str,
    fields: &[(String, String)],
) -> (StatusCode, String, String) {
    let a = send(app, cookie, Method::POST, path, fields).await;
    (a.status, a.location, a.body)
}

/// The text of an HTML attribute value or element content, entities decoded.
fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';') else { break };
        let entity = &rest[1..end];
        let c = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            e if e.starts_with("#x") => u32::from_str_radix(&e[2..], 16)
                .ok()
                .and_then(char::from_u32),
            e if e.starts_with('#') => e[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The value of attribute `name` in one tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let needle = format!(" {name}=\"");
    let at = tag.find(&needle)? + needle.len();
    let end = tag[at..].find('"')?;
    Some(unescape(&tag[at..at + end]))
}

fn has_attr(tag: &str, name: &str) -> bool {
    let needle = format!(" {name}");
    tag.match_indices(&needle).any(|(at, _)| {
        matches!(
            tag[at + needle.len()..].chars().next(),
            Some(' ' | '>' | '=')
        )
    })
}

/// The controls of the form posting to `action`, as a browser submits them: inputs with their
/// value (checkboxes only when checked), text areas, and the selected options of selects.
fn form_fields(html: &str, action: &str) -> Vec<(String, String)> {
    let start = html
        .find(&format!("action=\"{action}\""))
        .unwrap_or_else(|| panic!("no form posting to {action}"));
    let start = html[..start].rfind("<form").unwrap();
    let end = start + html[start..].find("</form>").unwrap();
    let form = &html[start..end];
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(at) = rest.find('<') {
        rest = &rest[at..];
        let tag_end = rest.find('>').unwrap() + 1;
        let tag = &rest[..tag_end];
        if tag.starts_with("<input") {
            let kind = attr(tag, "type").unwrap_or_else(|| "text".into());
            if let Some(name) = attr(tag, "name") {
                let checkable = matches!(kind.as_str(), "checkbox" | "radio");
                let on = !checkable || has_attr(tag, "checked");
                if on && !has_attr(tag, "disabled") && kind != "submit" {
                    let default = if checkable { "on" } else { "" };
                    let v = attr(tag, "value").unwrap_or_else(|| default.into());
                    fields.push((name, v));
                }
            }
        } else if tag.starts_with("<textarea") {
            let close = rest.find("</textarea>").unwrap();
            if let Some(name) = attr(tag, "name") {
                fields.push((name, unescape(&rest[tag_end..close])));
            }
        } else if tag.starts_with("<select") {
            let close = rest.find("</select>").unwrap();
            let name = attr(tag, "name").unwrap();
            let options = &rest[tag_end..close];
            let mut first = None;
            let mut any = false;
            for option in options.split("<option").skip(1) {
                let option_tag = &option[..option.find('>').unwrap() + 1];
                let value = attr(&format!(" {option_tag}"), "value").unwrap_or_default();
                first.get_or_insert(value.clone());
                if has_attr(option_tag, "selected") {
                    fields.push((name.clone(), value));
                    any = true;
                }
            }
            if !any && !has_attr(tag, "multiple") {
                fields.push((name, first.unwrap_or_default()));
            }
        }
        rest = &rest[1..];
    }
    fields
}

fn value<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("the form has no field {name}: {fields:?}"))
}

fn set(fields: &mut Vec<(String, String)>, name: &str, to: &str) {
    fields.retain(|(k, _)| k != name);
    fields.push((name.to_string(), to.to_string()));
}

// ---- record versions ----

async fn a_stale_record_save_is_refused_with_the_input_kept(app: TestApp) {
    let token = app.token(ADMIN).await;
    let created = app
        .post(
            "/api/v1/records/Contacts",
            &token,
            json!({"data": {"First_Name": "Vera", "Last_Name": "Version", "Title": "Buyer"}}),
        )
        .await;
    let id = created.body["id"].as_i64().unwrap();
    let path = format!("/admin/records/Contacts/{id}");
    let cookie = sign_in(&app, ADMIN).await;
    let (status, html) = page(&app, &cookie, &format!("{path}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    let opened = form_fields(&html, &path);
    let version = value(&opened, "version").to_string();
    assert_eq!(version, created.body["version"].to_string());

    // Someone else saves a change after the form was opened.
    let theirs = app
        .patch(
            &format!("/api/v1/records/Contacts/{id}"),
            &token,
            json!({"data": {"Title": "Changed elsewhere"}}),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::OK);

    let mut mine = opened.clone();
    set(&mut mine, "f.Last_Name", "Typed <by> me");
    let (status, _, html) = post(&app, &cookie, &path, &mine).await;
    assert_eq!(status, StatusCode::CONFLICT, "a stale save is a 409");
    assert!(
        html.contains("changed this record since you opened it"),
        "the reason is on top"
    );
    assert!(
        html.contains("class=\"record-form\""),
        "the form, not an error page"
    );
    let shown = form_fields(&html, &path);
    assert_eq!(
        value(&shown, "f.Last_Name"),
        "Typed <by> me",
        "the input is kept"
    );
    assert_eq!(
        value(&shown, "version"),
        version,
        "the form stays based on the version the input was typed over"
    );
    let stored = app
        .get(&format!("/api/v1/records/Contacts/{id}"), &token)
        .await;
    assert_eq!(stored.body["data"]["Last_Name"], "Version", "nothing saved");
    assert_eq!(stored.body["data"]["Title"], "Changed elsewhere");

    // A form without a usable version is refused as a form error, not a crash.
    for broken in [None, Some("abc"), Some("")] {
        let mut fields = mine.clone();
        fields.retain(|(k, _)| k != "version");
        if let Some(v) = broken {
            fields.push(("version".into(), v.into()));
        }
        let (status, _, html) = post(&app, &cookie, &path, &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{broken:?}");
        assert!(
            html.contains("does not say which version"),
            "{broken:?}: the reason is shown"
        );
        assert_eq!(
            value(&form_fields(&html, &path), "f.Last_Name"),
            "Typed <by> me"
        );
    }
    let stored = app
        .get(&format!("/api/v1/records/Contacts/{id}"), &token)
        .await;
    assert_eq!(
        stored.body["data"]["Last_Name"], "Version",
        "still nothing saved"
    );

    // Opened again, the form carries the current version and saves.
    let (_, html) = page(&app, &cookie, &format!("{path}/edit")).await;
    let mut fresh = form_fields(&html, &path);
    assert_eq!(value(&fresh, "version"), stored.body["version"].to_string());
    set(&mut fresh, "f.Last_Name", "Saved");
    let (status, location, _) = post(&app, &cookie, &path, &fresh).await;
    assert_eq!(
        (status, location.as_str()),
        (
            StatusCode::SEE_OTHER,
            &*format!("{path}?flash=Changes%20saved")
        )
    );
    let stored = app
        .get(&format!("/api/v1/records/Contacts/{id}"), &token)
        .await;
    assert_eq!(stored.body["data"]["Last_Name"], "Saved");
    assert_eq!(
        stored.body["data"]["Title"], "Changed elsewhere",
        "their change stays"
    );
}

// ---- lookups the editor cannot see ----

async fn a_link_to_a_record_the_editor_cannot_see_is_kept_unnamed(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let rep = app.token(REP).await;
    // A demo deal of the rep's whose contact belongs to someone else.
    let deals = app.get("/api/v1/records/Deals?limit=200", &rep).await;
    let mut found = None;
    for deal in deals.body["items"].as_array().unwrap() {
        let Some(contact) = deal["data"]["Contact_Name"].as_i64() else {
            continue;
        };
        let seen = app
            .get(&format!("/api/v1/records/Contacts/{contact}"), &rep)
            .await;
        if seen.status == StatusCode::NOT_FOUND {
            found = Some((deal["id"].as_i64().unwrap(), contact));
            break;
        }
    }
    let (deal, contact) = found.expect("a demo deal of the rep's links a contact they cannot see");
    let hidden_name = app
        .get(&format!("/api/v1/records/Contacts/{contact}"), &admin)
        .await
        .body["name"]
        .as_str()
        .unwrap()
        .to_string();
    let raw_id = format!("#{contact}");
    let cookie = sign_in(&app, REP).await;
    let path = format!("/admin/records/Deals/{deal}");

    let (status, detail) = page(&app, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(detail.contains("a record you cannot see"));
    assert!(!detail.contains(&hidden_name) && !detail.contains(&raw_id));
    assert!(
        !detail.contains(&format!("/admin/records/Contacts/{contact}\"")),
        "no link to it"
    );

    let (status, form) = page(&app, &cookie, &format!("{path}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("a record you cannot see"));
    assert!(!form.contains(&hidden_name), "{form}");
    assert!(
        !form.contains(&raw_id),
        "{}",
        &form[form.find(&raw_id).unwrap_or(0).saturating_sub(300)..][..400]
    );
    let mut fields = form_fields(&form, &path);
    assert_eq!(
        value(&fields, "f.Contact_Name"),
        contact.to_string(),
        "the form posts the same link back"
    );
    set(&mut fields, "f.Amount", "4321");
    let (status, location, body) = post(&app, &cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.starts_with(&path));
    let saved = app
        .get(&format!("/api/v1/records/Deals/{deal}"), &rep)
        .await;
    assert_eq!(
        saved.body["data"]["Contact_Name"].as_i64(),
        Some(contact),
        "link kept"
    );
    assert_eq!(saved.body["data"]["Amount"].as_f64(), Some(4321.0));

    // A refused save shows the form again, the link still unnamed and still posted.
    set(&mut fields, "f.Deal_Name", "");
    let version = saved.body["version"].to_string();
    set(&mut fields, "version", &version);
    let (status, _, html) = post(&app, &cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("a record you cannot see") && !html.contains(&hidden_name));
    assert_eq!(
        value(&form_fields(&html, &path), "f.Contact_Name"),
        contact.to_string()
    );
}

// ---- field permissions by name ----

async fn field_permissions_are_saved_by_name(app: TestApp) {
    let token = app.token(ADMIN).await;
    let portals = app.get("/api/v1/portals", &token).await;
    let portal = portals.body["items"][0]["id"].as_i64().unwrap();
    let types = app
        .get(&format!("/api/v1/portals/{portal}/user-types"), &token)
        .await;
    let customers = types.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| {
            let modules = t["modules"].as_array().unwrap();
            ["Deals", "Invoices"]
                .iter()
                .all(|m| modules.iter().any(|t| t["module"] == *m))
        })
        .expect("the demo customers share deals and invoices")
        .clone();
    let ut = customers["id"].as_i64().unwrap();
    let type_path = format!("/api/v1/portals/{portal}/user-types/{ut}");
    let path = format!("/admin/setup/portals/{portal}/user-types/{ut}/fields");
    let cookie = sign_in(&app, ADMIN).await;
    let (status, html) = page(&app, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK);
    let opened = form_fields(&html, &path);
    assert_eq!(value(&opened, "visible.Deals.Standard.Amount"), "true");
    assert!(
        html.contains("name=\"col.Invoices.Standard.Product_Details.List_Price.visible\""),
        "subform columns have their own checkboxes"
    );
    assert!(
        !html.contains("name=\"v."),
        "no checkbox is named by position"
    );

    // Between showing the form and saving it, the tab configuration changes order: a form
    // keyed by position would now write Deals' choices onto another module.
    let mut reordered = app.get(&type_path, &token).await.body;
    reordered["modules"].as_array_mut().unwrap().reverse();
    let r = app
        .call(Method::PUT, &type_path, Some(&token), Some(reordered))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let before = app.get(&type_path, &token).await.body;

    // Hide the deal amount and the invoice lines' list price; post in another order.
    let mut fields: Vec<(String, String)> = opened
        .iter()
        .filter(|(k, _)| {
            k != "visible.Deals.Standard.Amount"
                && k != "col.Invoices.Standard.Product_Details.List_Price.visible"
        })
        .cloned()
        .collect();
    fields.reverse();
    let (status, location, body) = post(&app, &cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(
        location.contains("Field%20permissions%20saved"),
        "{location}"
    );

    let after = app.get(&type_path, &token).await.body;
    let layout = |config: &Value, module: &str| -> Vec<Value> {
        config["modules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["module"] == module)
            .unwrap()["layouts"][0]["fields"]
            .as_array()
            .unwrap()
            .clone()
    };
    let field_names = |fields: &[Value]| -> Vec<String> {
        fields
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect()
    };
    // Every field of the layout stays listed (a hidden one is a decision, not a new field);
    // Amount is now hidden, nothing else changed.
    let shown = |fields: &[Value]| -> Vec<String> {
        fields
            .iter()
            .filter(|f| f["visible"] == true)
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect()
    };
    let mut expected = shown(&layout(&before, "Deals"));
    expected.retain(|f| f != "Amount");
    assert_eq!(
        shown(&layout(&after, "Deals")),
        expected,
        "only Amount hidden"
    );
    let amount = layout(&after, "Deals")
        .into_iter()
        .find(|f| f["field"] == "Amount")
        .expect("a hidden field stays listed");
    assert_eq!(amount["visible"], false);
    let listed = field_names(&layout(&after, "Deals"));
    assert!(
        field_names(&layout(&before, "Deals"))
            .iter()
            .all(|f| listed.contains(f)),
        "{listed:?}"
    );
    assert!(
        listed.contains(&"Description".to_string()),
        "the fields the page showed unticked are listed as hidden: {listed:?}"
    );
    // Elsewhere the same fields are shown as before (the page now also lists, as hidden, the
    // fields it showed unticked).
    let visible_entries = |fields: Vec<Value>| -> Vec<Value> {
        fields
            .into_iter()
            .filter(|f| f["visible"] == true)
            .collect()
    };
    for module in ["Contacts", "Cases", "Products", "Car_Licences"] {
        assert_eq!(
            visible_entries(layout(&after, module)),
            visible_entries(layout(&before, module)),
            "{module} unchanged"
        );
    }
    let lines = layout(&after, "Invoices")
        .into_iter()
        .find(|f| f["field"] == "Product_Details")
        .unwrap();
    let columns = lines["columns"]
        .as_array()
        .expect("column permissions saved");
    for c in columns {
        let shown = c["column"] != "List_Price";
        assert_eq!(c["visible"], shown, "{c}");
    }
    assert_eq!(columns.len(), 4, "every column listed");
    let (_, html) = page(&app, &cookie, &path).await;
    let reopened = form_fields(&html, &path);
    assert!(
        !reopened
            .iter()
            .any(|(k, _)| k == "col.Invoices.Standard.Product_Details.List_Price.visible"),
        "the form shows the column hidden"
    );
    assert_eq!(
        value(
            &reopened,
            "col.Invoices.Standard.Product_Details.Quantity.visible"
        ),
        "true"
    );

    // A name the form could not have shown is refused, and nothing is saved.
    for unknown in [
        "visible.Deals.Standard.No_Such_Field",
        "read_only.Vendors.Standard.Phone",
        "v.1.0.Amount",
    ] {
        let mut fields = reopened.clone();
        fields.push((unknown.to_string(), "true".to_string()));
        let (status, _, html) = post(&app, &cookie, &path, &fields).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{unknown}");
        assert!(
            html.contains("Nothing was saved") && html.contains(unknown),
            "{unknown}"
        );
        assert_eq!(app.get(&type_path, &token).await.body, after, "{unknown}");
    }
}

// ---- the form helper on setup pages ----

async fn refused_setup_forms_keep_the_input_and_show_every_error(app: TestApp) {
    let cookie = sign_in(&app, ADMIN).await;
    let (_, html) = page(&app, &cookie, "/admin/setup/web-tabs").await;
    let mut fields = form_fields(&html, "/admin/setup/web-tabs");
    set(&mut fields, "name", "Status <page>");
    set(&mut fields, "url", "not a url");
    let (status, _, html) = post(&app, &cookie, "/admin/setup/web-tabs", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let shown = form_fields(&html, "/admin/setup/web-tabs");
    assert_eq!(value(&shown, "name"), "Status <page>", "input kept");
    assert_eq!(value(&shown, "url"), "not a url");
    assert!(
        html.contains("class=\"field-error\""),
        "the error beside its field"
    );

    set(&mut fields, "url", "https://status.example.com");
    let (status, location, _) = post(&app, &cookie, "/admin/setup/web-tabs", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with("/admin/setup/web-tabs?flash="));
    // The same name again: the uniqueness refusal shows beside the name, not as an error page.
    let (status, _, html) = post(&app, &cookie, "/admin/setup/web-tabs", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("class=\"field-error\"") && html.contains("already exists"),
        "{}",
        &html[html.find("<main").unwrap_or(0)..]
    );

    // A new user's password is never sent back.
    let (_, html) = page(&app, &cookie, "/admin/setup/users").await;
    let mut fields = form_fields(&html, "/admin/setup/users");
    set(&mut fields, "name", "New Person");
    set(&mut fields, "email", "not-an-email");
    set(&mut fields, "password", "secret-password-1");
    let (status, _, html) = post(&app, &cookie, "/admin/setup/users", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("value=\"New Person\"") && !html.contains("secret-password-1"));
}

// ---- escaping ----

#[test]
fn fallback_pages_escape_their_text() {
    let html = portico_web::admin::fallback_page("Oops <b>", "<script>alert(1)</script>");
    assert!(!html.contains("<script>") && !html.contains("<b>"));
    assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
    let html = portico_web::admin::plain_page("Not found", "<script>alert(1)</script>");
    assert!(!html.contains("<script>alert(1)"));
}

/// The API tokens page: a user sees and revokes their own tokens (CSRF-checked); an
/// administrator also sees the org's; secrets are never shown.
async fn the_api_tokens_page_lists_and_revokes(app: TestApp) {
    let (rep_secret, rep_token) = app.issue_token(REP).await;
    let (_, admin_token) = app.issue_token(ADMIN).await;
    let rep = sign_in(&app, REP).await;
    let (status, html) = page(&app, &rep, "/admin/tokens").await;
    assert_eq!(status, StatusCode::OK);
    let revoke = format!("/admin/tokens/{rep_token}/revoke");
    assert!(html.contains(&revoke), "{html}");
    assert!(!html.contains(&format!("/admin/tokens/{admin_token}/revoke")));
    assert!(!html.contains(&rep_secret));

    let admin = sign_in(&app, ADMIN).await;
    let (_, admin_html) = page(&app, &admin, "/admin/tokens").await;
    assert!(admin_html.contains(&revoke) && admin_html.contains(REP.0));

    // Without the CSRF token nothing is revoked.
    let forged = [("_csrf".to_string(), "forged".to_string())];
    let (status, _, _) = post(&app, &rep, &revoke, &forged).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/api/v1/org", &rep_secret).await.status,
        StatusCode::OK
    );
    // A user cannot revoke another's token through the page either.
    let fields = form_fields(&html, &revoke);
    let (status, _, _) = post(
        &app,
        &rep,
        &format!("/admin/tokens/{admin_token}/revoke"),
        &fields,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, location, _) = post(&app, &rep, &revoke, &fields).await;
    assert_eq!(
        (status, location.starts_with("/admin/tokens")),
        (StatusCode::SEE_OTHER, true)
    );
    assert_eq!(
        app.get("/api/v1/org", &rep_secret).await.status,
        StatusCode::UNAUTHORIZED
    );
    let (_, after) = page(&app, &rep, "/admin/tokens").await;
    assert!(!after.contains(&revoke));
}

/// A domain check that fails is shown as a failure (an alert), never in the green notice.
async fn a_failed_domain_check_shows_as_a_failure(app: TestApp) {
    let cookie = sign_in(&app, ADMIN).await;
    let portal = app.fx.portal;
    let summary = format!("/admin/setup/portals/{portal}");
    let (status, body) = page(&app, &cookie, &summary).await;
    assert_eq!(status, StatusCode::OK);
    let csrf = csrf_of(&body);
    // No custom domain is set: the check cannot pass.
    let (status, location, _) = post(
        &app,
        &cookie,
        &format!("{summary}/domain/verify"),
        &[("_csrf".to_string(), csrf)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("problem="), "{location}");
    let (_, shown) = page(&app, &cookie, &location).await;
    assert!(
        shown.contains("<p class=\"alert\" role=\"alert\">Set a custom domain before verifying it"),
        "{shown}"
    );
    assert!(
        !shown.contains("class=\"flash\""),
        "not in the success banner"
    );
}

// ---- issue 11: forms that keep input, safe defaults, no dead ends ----

/// The CSRF token of the first form on a page.
fn csrf_of(body: &str) -> String {
    let marker = "name=\"_csrf\" value=\"";
    let at = body.find(marker).unwrap() + marker.len();
    body[at..at + body[at..].find('"').unwrap()].to_string()
}

/// The opening tag of the control named `name`.
fn control<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html
        .find(&format!(" name=\"{name}\""))
        .unwrap_or_else(|| panic!("no control {name}"));
    let start = html[..at].rfind('<').unwrap();
    &html[start..at + html[at..].find('>').unwrap() + 1]
}

/// Asserts the control `name` is marked invalid and described by an element holding `message`.
fn assert_marked_invalid(html: &str, name: &str, message: &str) {
    let tag = control(html, name);
    assert_eq!(attr(tag, "aria-invalid").as_deref(), Some("true"), "{tag}");
    let described = attr(tag, "aria-describedby").unwrap_or_else(|| panic!("{tag}"));
    let at = html
        .find(&format!("id=\"{described}\""))
        .unwrap_or_else(|| panic!("no element {described} for {name}"));
    let text = &html[at..at + html[at..].find("</").unwrap()];
    assert!(text.contains(message), "{name}: {text}");
}

async fn the_portal_settings_form_keeps_every_input_and_shows_every_error(app: TestApp) {
    let token = app.token(ADMIN).await;
    let portal = app.fx.portal;
    let api = format!("/api/v1/portals/{portal}");
    let saved = app.get(&api, &token).await.body;
    let path = format!("/admin/setup/portals/{portal}/settings");
    let cookie = sign_in(&app, ADMIN).await;
    let (status, html) = page(&app, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("aria-invalid"), "nothing invalid yet");
    let mut fields = form_fields(&html, &path);
    // Four bad values and one good change in one save.
    set(&mut fields, "slug", "Not An Address!");
    set(&mut fields, "custom_domain", "not a domain");
    set(&mut fields, "accent_colour", "#zzzzzz");
    set(&mut fields, "ga_measurement_id", "UA-nope");
    set(
        &mut fields,
        "disabled_message",
        "Back at noon, with new invoices",
    );
    let long = "x".repeat(2_100);
    set(&mut fields, "consent_signin", &long);
    let (status, _, html) = post(&app, &cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    let shown = form_fields(&html, &path);
    assert_eq!(
        value(&shown, "slug"),
        "Not An Address!",
        "the bad address kept"
    );
    assert_eq!(value(&shown, "custom_domain"), "not a domain");
    assert_eq!(value(&shown, "accent_colour"), "#zzzzzz");
    assert_eq!(
        value(&shown, "disabled_message"),
        "Back at noon, with new invoices",
        "the good change kept too"
    );
    assert_eq!(value(&shown, "consent_signin"), long);
    assert_marked_invalid(&html, "slug", "portal address");
    assert_marked_invalid(&html, "custom_domain", "domain");
    assert_marked_invalid(&html, "accent_colour", "colour");
    assert_marked_invalid(&html, "ga_measurement_id", "G-");
    assert_marked_invalid(&html, "consent_signin", "2,000");
    assert!(!control(&html, "disabled_message").contains("aria-invalid"));
    assert!(html.contains("role=\"alert\">Nothing was saved"));
    // Nothing was saved.
    assert_eq!(app.get(&api, &token).await.body, saved);

    // Mended, the same form saves.
    let mut fields = shown;
    set(&mut fields, "slug", "acme-portal-2");
    set(&mut fields, "custom_domain", "");
    set(&mut fields, "accent_colour", "");
    set(&mut fields, "ga_measurement_id", "");
    set(&mut fields, "consent_signin", "");
    let (status, location, body) = post(&app, &cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.contains("flash="));
    let after = app.get(&api, &token).await.body;
    assert_eq!(after["slug"], "acme-portal-2", "{after}");
    assert_eq!(after["disabled_message"], "Back at noon, with new invoices");
}

async fn a_refused_portal_name_shows_in_an_open_section(app: TestApp) {
    let token = app.token(ADMIN).await;
    let existing = app.get("/api/v1/portals", &token).await.body["items"][0]["name"]
        .as_str()
        .unwrap()
        .to_string();
    let cookie = sign_in(&app, ADMIN).await;
    let (_, html) = page(&app, &cookie, "/admin/setup/portals").await;
    assert!(
        html.contains("<details class=\"card\">"),
        "closed while nothing is wrong"
    );
    let mut fields = form_fields(&html, "/admin/setup/portals");
    set(&mut fields, "name", &existing);
    let (status, _, html) = post(&app, &cookie, "/admin/setup/portals", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("<details class=\"card\" open>"), "{html}");
    assert!(html.contains("role=\"alert\">No portal was created"));
    let tag = control(&html, "name");
    assert_eq!(attr(tag, "aria-invalid").as_deref(), Some("true"));
    assert_eq!(
        value(&form_fields(&html, "/admin/setup/portals"), "name"),
        existing
    );
}

async fn new_user_types_start_safe_and_new_fields_are_flagged(app: TestApp) {
    let token = app.token(ADMIN).await;
    let portal = app.fx.portal;
    let summary = format!("/admin/setup/portals/{portal}");
    let cookie = sign_in(&app, ADMIN).await;
    let (_, html) = page(&app, &cookie, &summary).await;
    let action = format!("{summary}/user-types");
    let mut fields = form_fields(&html, &format!("{action}#add-type"));
    set(&mut fields, "name", "Partners");
    set(&mut fields, "personality_module", "Contacts");
    set(&mut fields, "seats", "1");
    let (status, location, body) = post(&app, &cookie, &action, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let types = app
        .get(&format!("/api/v1/portals/{portal}/user-types"), &token)
        .await;
    let partners = types.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Partners")
        .expect("created")
        .clone();
    let ut = partners["id"].as_i64().unwrap();
    assert!(
        location.contains(&format!("/user-types/{ut}/tabs?wizard=1")),
        "{location}"
    );
    let (_, tabs) = page(&app, &cookie, &location).await;
    assert!(
        tabs.contains("aria-current=\"step\""),
        "the wizard's step bar"
    );
    let tab = &partners["modules"][0];
    assert_eq!(tab["module"], "Contacts");
    assert_eq!(
        tab["permissions"],
        json!({"view": true, "create": false, "edit": false, "delete": false}),
        "view only to start"
    );
    let fields = tab["layouts"][0]["fields"].as_array().unwrap();
    let visible: Vec<&str> = fields
        .iter()
        .filter(|f| f["visible"] == true)
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        visible,
        ["First_Name", "Last_Name", "Email"],
        "only name and email"
    );
    assert!(fields.len() > 5, "every other field listed, hidden");
    assert!(
        fields
            .iter()
            .all(|f| f["read_only"] == true || f["visible"] == false)
    );

    // A field added to the layout later is new: flagged on the field page and the summary,
    // and still not shown to portal users.
    let r = app
        .post(
            "/api/v1/modules/Contacts/fields",
            &token,
            json!({"label": "Shoe Size", "type": "number"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let fields_path = format!("{summary}/user-types/{ut}/fields");
    let (_, html) = page(&app, &cookie, &fields_path).await;
    let row = &html[html.find(">Shoe Size").expect("the new field is offered")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("New — not shown yet"), "{row}");
    assert!(!row.contains(" checked"), "{row}");
    assert!(
        html.contains("1 field was added to a layout"),
        "the page says so"
    );
    let (_, html) = page(&app, &cookie, &summary).await;
    assert!(
        type_row(&html, "Partners").contains("Contacts: Shoe Size"),
        "the summary lists it"
    );
    let policy = app
        .get(&format!("/api/v1/portals/{portal}/user-types/{ut}"), &token)
        .await
        .body;
    assert!(
        !policy["modules"][0]["layouts"][0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "Shoe_Size" && f["visible"] == true)
    );
    // Saving the field page records the decision: no longer new.
    let form = form_fields(&html_of(&app, &cookie, &fields_path).await, &fields_path);
    let (status, _, body) = post(&app, &cookie, &fields_path, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, html) = page(&app, &cookie, &fields_path).await;
    assert!(!html.contains("New — not shown yet"));
    let (_, html) = page(&app, &cookie, &summary).await;
    assert!(!type_row(&html, "Partners").contains("Shoe Size"));
    // Another type sharing the same layout still has to decide.
    assert!(type_row(&html, "Client Portal").contains("Contacts: Shoe Size"));
}

/// The summary's table row of the user type named `name`.
fn type_row<'a>(html: &'a str, name: &str) -> &'a str {
    let at = html
        .find(&format!("<td>{name}"))
        .unwrap_or_else(|| panic!("no row {name}"));
    &html[at..at + html[at..].find("</tr>").unwrap()]
}

async fn html_of(app: &TestApp, cookie: &str, path: &str) -> String {
    page(app, cookie, path).await.1
}

async fn public_modules_offer_view_only(app: TestApp) {
    let token = app.token(ADMIN).await;
    let portal = app.fx.portal;
    let ut = app.fx.client_type;
    let path = format!("/admin/setup/portals/{portal}/user-types/{ut}/tabs");
    let cookie = sign_in(&app, ADMIN).await;
    let (status, html) = page(&app, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK);
    let row = &html[html
        .find("<th scope=\"row\">Products</th>")
        .expect("Products offered")..];
    let row = &row[..row.find("</tr>").unwrap()];
    assert!(row.contains("View only (public)"), "{row}");
    assert!(
        !row.contains("perm.Products."),
        "no create, edit or delete: {row}"
    );
    // A forged (or stale) tick is not taken.
    let mut fields = form_fields(&html, &path);
    set(&mut fields, "on.Products", "true");
    set(&mut fields, "role.Products", "public");
    fields.push(("perm.Products.edit".into(), "true".into()));
    fields.push(("perm.Products.create".into(), "true".into()));
    post_saved(&app, &cookie, &path, &fields).await;
    let config = app
        .get(&format!("/api/v1/portals/{portal}/user-types/{ut}"), &token)
        .await
        .body;
    let products = config["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "Products")
        .expect("Products shared")
        .clone();
    assert_eq!(
        products["permissions"],
        json!({"view": true, "create": false, "edit": false, "delete": false})
    );
    // Layouts are chosen from the module's layouts (a list), never typed.
    assert!(control(&html, "layouts.Products").starts_with("<select"));
}

async fn the_preview_formats_values_and_never_dead_ends(app: TestApp) {
    let portal = app.fx.portal;
    let client = app.fx.contacts.client;
    let cookie = sign_in(&app, ADMIN).await;
    let base = format!("/admin/setup/portals/{portal}/preview");
    let (status, html) = page(
        &app,
        &cookie,
        &format!("{base}?user_type={}&record={client}", app.fx.client_type),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let deals = &html[html.find("id=\"tab-Deals\"").expect("a deals tab")..];
    let deals = &deals[..deals.find("</section>").unwrap()];
    assert!(deals.contains("Acme renewal"), "{deals}");
    // The org is in Great Britain: pounds, two decimals, grouped; dates in its format.
    assert!(deals.contains("£12,000.00"), "{deals}");
    assert!(!deals.contains("12000"), "{deals}");
    assert!(deals.contains("30 Jun 2026"), "{deals}");
    // Lookups show the linked record's name, never an id.
    assert!(deals.contains("<td>Carla Client</td>"), "{deals}");
    for id in [client, app.fx.accounts.client] {
        assert!(!deals.contains(&format!(">{id}<")), "{deals}");
        assert!(!deals.contains(&format!("#{id}")), "{deals}");
    }

    // Switching to the vendors type with the contact still chosen: no bare "Not found".
    let (status, html) = page(
        &app,
        &cookie,
        &format!("{base}?user_type={}&record={client}", app.fx.vendor_type),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("role=\"alert\">That record is not a Vendors record"),
        "{html}"
    );
    assert!(html.contains("class=\"preview-banner\""));
    // A user type that no longer exists.
    let (status, html) = page(&app, &cookie, &format!("{base}?user_type=999999999")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("That user type does not exist"), "{html}");
    assert!(html.contains("class=\"preview-banner\""));
}

/// The `<td>` texts of the first column, in order.
fn first_column(html: &str) -> Vec<String> {
    html.split("<tr>")
        .skip(2)
        .filter_map(|row| {
            let at = row.find("\">")? + 2;
            let end = row[at..].find("</a>")?;
            Some(row[at..at + end].to_string())
        })
        .collect()
}

async fn record_lists_count_sort_and_page(app: TestApp) {
    let token = app.token(ADMIN).await;
    for i in 0..55 {
        let r = app
            .post(
                "/api/v1/records/Leads",
                &token,
                json!({"data": {"First_Name": format!("Pat{i:02}"), "Last_Name": format!("Zed{i:02}"), "Company": "Listco"}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    let total = app
        .get("/api/v1/records/Leads?limit=200", &token)
        .await
        .body["items"]
        .as_array()
        .unwrap()
        .len();
    let cookie = sign_in(&app, ADMIN).await;
    let (status, html) = page(&app, &cookie, "/admin/records/Leads").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("{total} records")),
        "the total is shown"
    );
    assert!(html.contains("page 1 of 2"));
    assert!(
        html.contains("rel=\"next\" href=\"/admin/records/Leads?q=&#38;page=2\""),
        "{html}"
    );
    assert!(!html.contains("rel=\"prev\""));
    let (_, second) = page(&app, &cookie, "/admin/records/Leads?q=&page=2").await;
    assert_eq!(first_column(&second).len(), total - 50);
    assert!(second.contains("rel=\"prev\""));
    // Sorted by a column, both ways, announced with aria-sort.
    let (_, asc) = page(&app, &cookie, "/admin/records/Leads?q=Zed&sort=Last_Name").await;
    assert!(asc.contains("aria-sort=\"ascending\""), "{asc}");
    let (_, desc) = page(
        &app,
        &cookie,
        "/admin/records/Leads?q=Zed&sort=Last_Name&desc=1",
    )
    .await;
    assert!(desc.contains("aria-sort=\"descending\""));
    let asc_rows = first_column(&asc);
    let desc_rows = first_column(&desc);
    assert_eq!((asc_rows.len(), desc_rows.len()), (50, 50));
    assert!(asc_rows.windows(2).all(|w| w[0] < w[1]), "{asc_rows:?}");
    assert!(desc_rows.windows(2).all(|w| w[0] > w[1]), "{desc_rows:?}");
    assert_ne!(asc_rows[0], desc_rows[0]);
    // A column that cannot be sorted (or does not exist) leaves the list newest first.
    let (status, _) = page(
        &app,
        &cookie,
        "/admin/records/Leads?sort=No_Such&desc=x&page=zz",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // A rep who sees only their own records counts only those.
    let rep = sign_in(&app, REP).await;
    let (_, rep_html) = page(&app, &rep, "/admin/records/Leads").await;
    assert!(
        !rep_html.contains(&format!("{total} records")),
        "{rep_html}"
    );
}

async fn pages_have_breadcrumbs_a_skip_link_and_a_menu_button(app: TestApp) {
    let portal = app.fx.portal;
    let cookie = sign_in(&app, ADMIN).await;
    let (_, html) = page(
        &app,
        &cookie,
        &format!("/admin/setup/portals/{portal}/settings"),
    )
    .await;
    let crumbs = &html[html.find("aria-label=\"Breadcrumb\"").expect("breadcrumbs")..];
    let crumbs = &crumbs[..crumbs.find("</nav>").unwrap()];
    let links: Vec<&str> = crumbs
        .split("href=\"")
        .skip(1)
        .map(|l| &l[..l.find('"').unwrap()])
        .collect();
    assert_eq!(
        links,
        [
            "/admin/home",
            "/admin/setup/portals",
            &format!("/admin/setup/portals/{portal}")
        ],
        "{crumbs}"
    );
    assert!(crumbs.contains("aria-current=\"page\""));
    assert!(html.contains("class=\"skip-link\" href=\"#content\""));
    assert!(html.contains("<main id=\"content\""));
    assert!(
        html.contains("class=\"menu-button\" aria-controls=\"sidebar\" aria-expanded=\"false\"")
    );
    assert!(html.contains("<nav class=\"sidebar\" id=\"sidebar\""));
    let (_, record) = page(
        &app,
        &cookie,
        &format!("/admin/records/Contacts/{}", app.fx.contacts.client),
    )
    .await;
    assert!(
        record.contains("<li><a href=\"/admin/records/Contacts\">Contacts</a></li>"),
        "a record's crumbs name its module"
    );
    let (_, home) = page(&app, &cookie, "/admin/home").await;
    assert!(
        !home.contains("aria-label=\"Breadcrumb\""),
        "home is the top"
    );
}

async fn company_settings_are_chosen_from_lists(app: TestApp) {
    let token = app.token(ADMIN).await;
    let cookie = sign_in(&app, ADMIN).await;
    let (_, html) = page(&app, &cookie, "/admin/setup/org").await;
    assert!(control(&html, "language").starts_with("<select"));
    assert!(control(&html, "time_format").starts_with("<select"));
    assert!(control(&html, "country").starts_with("<select"));
    assert!(html.contains("<option value=\"GB\" selected>United Kingdom</option>"));
    assert!(html.contains("<option value=\"DE\">Germany</option>"));
    let zone = control(&html, "time_zone");
    assert_eq!(
        attr(zone, "list").as_deref(),
        Some("o-zones"),
        "a searchable list"
    );
    assert!(html.contains("<option value=\"Europe/Berlin\">"));
    let mut fields = form_fields(&html, "/admin/setup/org");
    set(&mut fields, "country", "DE");
    set(&mut fields, "time_zone", "Europe/Berlin");
    set(&mut fields, "language", "de");
    post_saved(&app, &cookie, "/admin/setup/org", &fields).await;
    let org = app.get("/api/v1/org", &token).await.body;
    let settings = if org.get("settings").is_some() {
        &org["settings"]
    } else {
        &org
    };
    assert_eq!(
        (
            settings["country"].as_str(),
            settings["time_zone"].as_str(),
            settings["language"].as_str()
        ),
        (Some("DE"), Some("Europe/Berlin"), Some("de")),
        "{org}"
    );
    // A zone that is not one is refused beside its field, the rest kept.
    set(&mut fields, "time_zone", "Mars/Olympus");
    set(&mut fields, "name", "Renamed Ltd");
    let (status, _, html) = post(&app, &cookie, "/admin/setup/org", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        attr(control(&html, "time_zone"), "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        value(&form_fields(&html, "/admin/setup/org"), "name"),
        "Renamed Ltd"
    );
}

async fn the_portal_address_is_copyable_and_seats_are_shown(app: TestApp) {
    let portal = app.fx.portal;
    let cookie = sign_in(&app, ADMIN).await;
    for path in [
        format!("/admin/setup/portals/{portal}"),
        format!("/admin/setup/portals/{portal}/settings"),
    ] {
        let (_, html) = page(&app, &cookie, &path).await;
        let at = html
            .find("<input id=\"portal-url\"")
            .expect("the address field");
        let tag = &html[at..at + html[at..].find('>').unwrap() + 1];
        let url = attr(tag, "value").unwrap_or_default();
        assert!(
            url.starts_with("http") && url.ends_with('/'),
            "{path}: {url}"
        );
        assert!(has_attr(tag, "readonly"), "{tag}");
        assert!(
            html.contains("data-copy=\"portal-url\">Copy</button>"),
            "{path}"
        );
        assert!(
            html.contains("<label for=\"portal-url\">"),
            "{path}: labelled"
        );
    }
    let (_, html) = page(&app, &cookie, &format!("/admin/setup/portals/{portal}")).await;
    assert!(
        html.contains(&format!("portico seats grant --org {} --seats", app.fx.org)),
        "the operator's command, ready to copy"
    );
    assert!(html.contains("in use"));
}

async fn crm_users_stay_editable(app: TestApp) {
    let token = app.token(ADMIN).await;
    let cookie = sign_in(&app, ADMIN).await;
    let rep = app.fx.rep;
    let (_, list) = page(&app, &cookie, "/admin/setup/users").await;
    let path = format!("/admin/setup/users/{rep}");
    assert!(
        list.contains(&format!("href=\"{path}\"")),
        "each user links to their page"
    );
    let (status, html) = page(&app, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK);
    let mut fields = form_fields(&html, &path);
    assert_eq!(value(&fields, "email"), REP.0);
    set(&mut fields, "name", "Rhea Renamed");
    let (status, location, body) = post(&app, &cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location.contains("flash="));
    let users = app.get("/api/v1/users", &token).await.body;
    let saved = users["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == rep)
        .unwrap()
        .clone();
    assert_eq!(saved["name"], "Rhea Renamed");
    // Another user's address: refused beside the field, input kept, nothing saved.
    set(&mut fields, "email", ADMIN.0);
    set(&mut fields, "name", "Not Saved");
    let (status, _, html) = post(&app, &cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        attr(control(&html, "email"), "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(value(&form_fields(&html, &path), "name"), "Not Saved");
    let users = app.get("/api/v1/users", &token).await.body;
    assert!(users.to_string().contains("Rhea Renamed"));
    // An administrator cannot lock themselves out: both refusals at once.
    let own = format!("/admin/setup/users/{}", app.fx.admin);
    let (_, html) = page(&app, &cookie, &own).await;
    let mut fields: Vec<(String, String)> = form_fields(&html, &own)
        .into_iter()
        .filter(|(k, _)| k != "active" && k != "super_admin")
        .collect();
    set(&mut fields, "name", "Still Admin");
    let (status, _, html) = post(&app, &cookie, &own, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_marked_invalid(&html, "active", "deactivate your own");
    assert_marked_invalid(&html, "super_admin", "administrator role");
    // A rep may not open or change anyone's page.
    let rep_cookie = sign_in(&app, REP).await;
    let (status, _) = page(&app, &rep_cookie, &own).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The API changes the same details.
    let r = app
        .call(
            Method::PATCH,
            &format!("/api/v1/users/{rep}"),
            Some(&token),
            Some(json!({"name": "Rhea Again"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["name"], "Rhea Again");
    assert_eq!(r.body["active"], true, "what is left out stays");
}

async fn web_tabs_stay_editable_and_user_types_follow_a_rename(app: TestApp) {
    let token = app.token(ADMIN).await;
    let cookie = sign_in(&app, ADMIN).await;
    let tab = app.fx.web_tab;
    let path = format!("/admin/setup/web-tabs/{tab}");
    let (status, html) = page(&app, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK);
    let mut fields = form_fields(&html, &path);
    set(&mut fields, "name", "News and notices");
    set(&mut fields, "url", "https://news.northwind.example/");
    post_saved(&app, &cookie, &path, &fields).await;
    let ut = client_type_config(&app, &token).await;
    assert_eq!(ut["web_tabs"], json!(["News and notices"]), "{ut}");
    // A bad address keeps the input and names the field.
    set(&mut fields, "url", "javascript:alert(1)");
    let (status, _, html) = post(&app, &cookie, &path, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        attr(control(&html, "url"), "aria-invalid").as_deref(),
        Some("true")
    );
    // Another org's tab reads as missing, and the API renames the same way.
    let rival = app.other_org().await;
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/web-tabs/{tab}"),
            Some(&rival),
            Some(json!({"name": "Hijacked", "url": "https://x.example"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/web-tabs/{tab}"),
            Some(&token),
            Some(json!({"name": "Notices", "url": "https://news.northwind.example/"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["name"], "Notices");
}

async fn subform_rows_are_edited_in_a_row_editor(app: TestApp) {
    let token = app.token(ADMIN).await;
    let cookie = sign_in(&app, ADMIN).await;
    let invoice = app.fx.invoices.client[1];
    let api = format!("/api/v1/records/Invoices/{invoice}");
    let before = app.get(&api, &token).await.body;
    let lines = before["data"]["Product_Details"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(lines.len(), 2);
    let path = format!("/admin/records/Invoices/{invoice}/edit");
    let action = format!("/admin/records/Invoices/{invoice}");
    let (status, html) = page(&app, &cookie, &path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("Rows as JSON"), "no JSON to type");
    assert!(html.contains("<fieldset class=\"row-editor\""));
    let mut fields = form_fields(&html, &action);
    assert!(
        fields.iter().all(|(k, _)| k != "f.Product_Details"),
        "no JSON text area"
    );
    assert_eq!(value(&fields, "f.Product_Details[0].Quantity"), "1");
    assert_eq!(
        value(&fields, "f.Product_Details[1].Product"),
        lines[1]["Product"].to_string()
    );
    assert!(
        control(&html, "f.Product_Details[0].Product").starts_with("<select"),
        "products chosen from a list"
    );
    // Two blank rows offered for new lines.
    assert_eq!(value(&fields, "f.Product_Details[3].Quantity"), "");
    // Change the first line, remove the second, add one in a blank row, and put it first.
    set(&mut fields, "f.Product_Details[0].Quantity", "7");
    set(&mut fields, "f.Product_Details[1]._remove", "true");
    let product = app.fx.products[2].to_string();
    set(&mut fields, "f.Product_Details[2].Product", &product);
    set(&mut fields, "f.Product_Details[2].Quantity", "5");
    set(&mut fields, "f.Product_Details[2]._pos", "0");
    post_saved(&app, &cookie, &action, &fields).await;
    let after = app.get(&api, &token).await.body;
    let saved = after["data"]["Product_Details"].as_array().unwrap();
    assert_eq!(saved.len(), 2, "{saved:?}");
    assert_eq!(saved[0]["Product"], app.fx.products[2]);
    assert_eq!(saved[0]["Quantity"], 5);
    assert_eq!(saved[1]["Product"], lines[0]["Product"]);
    assert_eq!(saved[1]["Quantity"], 7);
    assert_eq!(
        saved[1]["List_Price"], lines[0]["List_Price"],
        "untouched cells kept"
    );

    // A bad cell: refused beside the subform, every row as typed, nothing saved.
    let (_, html) = page(&app, &cookie, &path).await;
    let mut fields = form_fields(&html, &action);
    set(&mut fields, "f.Product_Details[1].Quantity", "lots");
    set(&mut fields, "f.Subject", "INV-1002 renamed");
    let (status, _, html) = post(&app, &cookie, &action, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fieldset = &html[html.find("<fieldset class=\"row-editor\"").unwrap()..];
    let fieldset = &fieldset[..fieldset.find('>').unwrap()];
    assert!(fieldset.contains("aria-invalid=\"true\""), "{fieldset}");
    assert_eq!(
        value(
            &form_fields(&html, &action),
            "f.Product_Details[1].Quantity"
        ),
        "lots"
    );
    assert_eq!(app.get(&api, &token).await.body["data"], after["data"]);
}

async fn fields_and_layouts_stay_editable_without_json(app: TestApp) {
    let token = app.token(ADMIN).await;
    let cookie = sign_in(&app, ADMIN).await;
    let module_page = "/admin/setup/modules/Deals";
    let (_, html) = page(&app, &cookie, module_page).await;
    assert!(
        !html.contains("as JSON") && !html.contains("name=\"columns\""),
        "no JSON to type"
    );
    assert!(
        !html.contains("name=\"sections\""),
        "no layout code to type"
    );
    assert!(html.contains("href=\"/admin/setup/modules/Deals/fields/Stage\""));
    let field = |body: &Value, name: &str| -> Value {
        body["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["api_name"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };

    // A picklist's label and options change on its page.
    let stage_path = "/admin/setup/modules/Deals/fields/Stage";
    let (status, html) = page(&app, &cookie, stage_path).await;
    assert_eq!(status, StatusCode::OK);
    let mut fields = form_fields(&html, stage_path);
    let options = format!("{}\nOn hold", value(&fields, "options"));
    set(&mut fields, "label", "Deal stage");
    set(&mut fields, "options", &options);
    post_saved(&app, &cookie, stage_path, &fields).await;
    let deals = app.get("/api/v1/modules/Deals", &token).await.body;
    let stage = field(&deals, "Stage");
    assert_eq!(stage["label"], "Deal stage");
    assert!(
        stage["options"]
            .as_array()
            .unwrap()
            .contains(&json!("On hold"))
    );

    // A subform added through rows of columns, then relabelled and widened on its page.
    let add = "/admin/setup/modules/Deals/fields#add-field";
    let mut fields = form_fields(&html_of(&app, &cookie, module_page).await, add);
    set(&mut fields, "label", "Parts");
    set(&mut fields, "type", "subform");
    set(&mut fields, "col[0].label", "Quantity");
    set(&mut fields, "col[0].type", "number");
    set(&mut fields, "col[0].mandatory", "true");
    set(&mut fields, "col[1].label", "Colour");
    set(&mut fields, "col[1].type", "picklist");
    set(&mut fields, "col[1].options", "Red, Blue");
    post_saved(&app, &cookie, "/admin/setup/modules/Deals/fields", &fields).await;
    let deals = app.get("/api/v1/modules/Deals", &token).await.body;
    let parts = field(&deals, "Parts");
    assert_eq!(parts["fields"].as_array().map(Vec::len), Some(2), "{parts}");
    assert_eq!(parts["fields"][1]["options"], json!(["Red", "Blue"]));
    let parts_path = "/admin/setup/modules/Deals/fields/Parts";
    let (_, html) = page(&app, &cookie, parts_path).await;
    let mut fields = form_fields(&html, parts_path);
    assert_eq!(
        value(&fields, "col[0].api_name"),
        "Quantity",
        "existing columns keep their name"
    );
    set(&mut fields, "col[0].label", "Qty");
    set(&mut fields, "col[2].label", "Note");
    set(&mut fields, "col[2].type", "text");
    post_saved(&app, &cookie, parts_path, &fields).await;
    let deals = app.get("/api/v1/modules/Deals", &token).await.body;
    let parts = field(&deals, "Parts");
    let labels: Vec<&str> = parts["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["Qty", "Colour", "Note"]);
    assert_eq!(parts["fields"][0]["api_name"], "Quantity");
    // A forged post that changes an existing column's type is refused, nothing changed.
    let (_, html) = page(&app, &cookie, parts_path).await;
    let mut fields = form_fields(&html, parts_path);
    set(&mut fields, "col[0].type", "text");
    let (status, _, html) = post(&app, &cookie, parts_path, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("stays, with its type"), "{html}");
    assert_eq!(
        field(
            &app.get("/api/v1/modules/Deals", &token).await.body,
            "Parts"
        ),
        parts
    );

    // A layout renamed with a field taken off: the portal user type follows.
    let contacts = app.get("/api/v1/modules/Contacts", &token).await.body;
    let layout_id = contacts["layouts"][0]["id"].as_i64().unwrap();
    let layout_path = format!("/admin/setup/modules/Contacts/layouts/{layout_id}");
    let (status, html) = page(&app, &cookie, &layout_path).await;
    assert_eq!(status, StatusCode::OK);
    let mut fields = form_fields(&html, &layout_path);
    assert!(
        !value(&fields, "section.Mobile").is_empty(),
        "Mobile is on the layout"
    );
    set(&mut fields, "name", "Main");
    set(&mut fields, "section.Mobile", "");
    post_saved(&app, &cookie, &layout_path, &fields).await;
    let ut = client_type_config(&app, &token).await;
    let contact_tab = ut["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "Contacts")
        .unwrap()
        .clone();
    assert_eq!(contact_tab["layouts"][0]["layout"], "Main", "{contact_tab}");
    assert!(
        !contact_tab["layouts"][0]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["field"] == "Mobile"),
        "a field off the layout leaves the user type's permissions"
    );
    // Taking a mandatory field off is refused beside the table, the input kept.
    let (_, html) = page(&app, &cookie, &layout_path).await;
    let mut fields = form_fields(&html, &layout_path);
    set(&mut fields, "section.Last_Name", "");
    set(&mut fields, "name", "Renamed again");
    let (status, _, html) = post(&app, &cookie, &layout_path, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fieldset = &html[html.find("id=\"sections\"").unwrap() - 30..];
    assert!(
        fieldset[..200].contains("aria-invalid=\"true\""),
        "{}",
        &fieldset[..200]
    );
    assert_eq!(
        value(&form_fields(&html, &layout_path), "name"),
        "Renamed again"
    );
    // Another org's layout reads as missing.
    let rival = app.other_org().await;
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/modules/Contacts/layouts/{layout_id}"),
            Some(&rival),
            Some(json!({"name": "Hijack", "sections": [{"name": "S", "fields": ["Last_Name"]}]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn the_record_picker_searches_and_tells_namesakes_apart(app: TestApp) {
    let token = app.token(ADMIN).await;
    for email in ["sam.one@example.org", "sam.two@example.org"] {
        let r = app
            .post(
                "/api/v1/records/Contacts",
                &token,
                json!({"data": {"First_Name": "Sam", "Last_Name": "Same", "Email": email, "Account_Name": app.fx.accounts.client}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    }
    let cookie = sign_in(&app, ADMIN).await;
    // A deal's contact is a picker: search as you type, the current one chosen.
    let deal = app.fx.deals.client;
    let path = format!("/admin/records/Deals/{deal}/edit");
    let (_, html) = page(&app, &cookie, &path).await;
    let picker = &html[html
        .find("<fieldset class=\"picker\" id=\"f.Contact_Name\"")
        .expect("a picker")..];
    let picker = &picker[..picker.find("</fieldset>").unwrap()];
    assert!(
        picker.contains("hx-get=\"/admin/pick/Contacts?input=f.Contact_Name"),
        "{picker}"
    );
    assert!(picker.contains("type=\"search\""));
    let fields = form_fields(&html, &format!("/admin/records/Deals/{deal}"));
    assert_eq!(
        value(&fields, "f.Contact_Name"),
        app.fx.contacts.client.to_string()
    );
    // The search answers the matches alone, each with email and account.
    let (status, found) = page(
        &app,
        &cookie,
        "/admin/pick/Contacts?input=f.Contact_Name&q=Same",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        found
            .matches("<span class=\"pick-name\">Sam Same</span>")
            .count(),
        2,
        "{found}"
    );
    assert!(found.contains("sam.one@example.org · Acme Ltd"), "{found}");
    assert!(found.contains("sam.two@example.org · Acme Ltd"));
    assert!(!found.contains("Carla"), "only matches");
    assert!(!found.contains("<html"), "the options alone");
    // A rep who sees only their own contacts finds only those.
    let rep = sign_in(&app, REP).await;
    let (_, theirs) = page(
        &app,
        &rep,
        "/admin/pick/Contacts?input=f.Contact_Name&q=Same",
    )
    .await;
    assert!(!theirs.contains("Sam Same"), "{theirs}");
    // Only the pickers the forms have.
    let (status, _) = page(
        &app,
        &cookie,
        "/admin/pick/Contacts?input=%22%3E%3Cscript%3E",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // The preview's "as" is the same picker.
    let (_, preview) = page(
        &app,
        &cookie,
        &format!(
            "/admin/setup/portals/{}/preview?user_type={}",
            app.fx.portal, app.fx.client_type
        ),
    )
    .await;
    assert!(preview.contains("<fieldset class=\"picker\" id=\"record\""));
    assert!(preview.contains("carla"), "emails shown: {preview}");
}

/// The fixture's client user type as the API shows it.
async fn client_type_config(app: &TestApp, token: &str) -> Value {
    let path = format!(
        "/api/v1/portals/{}/user-types/{}",
        app.fx.portal, app.fx.client_type
    );
    app.get(&path, token).await.body
}

/// Posts a form that must be saved (303); answers where it leads.
async fn post_saved(
    app: &TestApp,
    cookie: &str,
    path: &str,
    fields: &[(String, String)],
) -> String {
    let (status, location, body) = post(app, cookie, path, fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    location
}

async fn the_portal_users_list_is_counted_sorted_and_paged(app: TestApp) {
    let token = app.token(ADMIN).await;
    let portal = app.fx.portal;
    // 52 invited users, enough for two pages.
    let mut ids = Vec::new();
    for i in 0..52 {
        let r = app
            .post(
                "/api/v1/records/Contacts",
                &token,
                json!({"data": {"First_Name": format!("Inv{i:02}"), "Last_Name": "Itee", "Email": format!("inv{i:02}@invitees.example")}}),
            )
            .await;
        ids.push(r.body["id"].as_i64().unwrap());
    }
    let invitations = format!("/api/v1/portals/{portal}/invitations");
    let started = app
        .post(
            &invitations,
            &token,
            json!({"user_type": app.fx.client_type, "records": ids}),
        )
        .await;
    assert!(started.status.is_success(), "{:?}", started.body);
    let batch = started.body["batch_id"].as_i64().unwrap();
    for _ in 0..200 {
        let p = app
            .get(&format!("{invitations}/{batch}"), &token)
            .await
            .body;
        if !p["finished_at"].is_null() {
            assert_eq!(p["sent"], 52, "{p}");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let cookie = sign_in(&app, ADMIN).await;
    let path = format!("/admin/setup/portals/{portal}/users");
    let (_, html) = page(&app, &cookie, &path).await;
    let total: i64 = {
        let marker = "class=\"list-count\" role=\"status\">";
        let at = html.find(marker).unwrap() + marker.len();
        html[at..].split(' ').next().unwrap().parse().unwrap()
    };
    assert!(total >= 52, "{total}");
    assert!(html.contains("page 1 of 2"));
    assert!(
        html.contains("aria-sort=\"descending\""),
        "newest first, announced"
    );
    assert!(html.contains("rel=\"next\""));
    let (_, second) = page(
        &app,
        &cookie,
        &format!("{path}?status=&sort=since&desc=1&page=2"),
    )
    .await;
    assert!(second.contains("rel=\"prev\""));
    // Sorted by email, ascending: the invitees in order.
    let (_, by_email) = page(&app, &cookie, &format!("{path}?status=invited&sort=email")).await;
    assert!(by_email.contains("aria-sort=\"ascending\""));
    let emails: Vec<&str> = by_email
        .match_indices("@invitees.example")
        .map(|(at, _)| &by_email[at - 5..at])
        .collect();
    assert!(emails.len() >= 2);
    assert!(emails.windows(2).all(|w| w[0] <= w[1]), "{emails:?}");
    // A refused action is shown as a failure, not in the success banner.
    let user = app
        .get(
            &format!("/api/v1/portals/{portal}/users?status=invited&limit=1"),
            &token,
        )
        .await
        .body["items"][0]["id"]
        .as_i64()
        .unwrap();
    let fields = vec![("_csrf".to_string(), csrf_of(&html))];
    let (status, location, _) =
        post(&app, &cookie, &format!("{path}/{user}/reactivate"), &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.contains("problem=Not%20done"), "{location}");
}
