//! The admin UI in a real headless Chromium: sign in, create a record through the form, see it
//! in the list.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::fixtures;
use support::webdriver::Browser;
use support::{ADMIN, Backend, spawn};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_create_a_contact_and_find_it_in_the_list() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn(Backend::Sqlite).await.unwrap();
    let base = &app.base;

    browser
        .goto(&format!("{base}/admin/records/Contacts"))
        .await;
    browser.wait_for("Sign in").await;
    browser.type_into("#email", ADMIN.0).await;
    browser.type_into("#password", ADMIN.1).await;
    browser.click("button[type=submit]").await;
    browser.wait_for("New record").await;
    assert!(
        browser.url().await.ends_with("/admin/records/Contacts"),
        "back where sign-in started"
    );

    browser.click("a.button.primary").await;
    browser.wait_for("f.Last_Name").await;
    // A first attempt with a bad email shows the error beside the field and keeps the input.
    browser.type_into("[name='f.First_Name']", "Brow").await;
    browser.type_into("[name='f.Last_Name']", "Serwright").await;
    browser.type_into("[name='f.Email']", "brow@").await;
    browser.click(".form-actions button[type=submit]").await;
    let page = browser.wait_for("must be a valid email address").await;
    assert!(page.contains("value=\"Serwright\""));
    browser
        .type_into("[name='f.Email']", "brow.serwright@example.com")
        .await;
    browser.click(".form-actions button[type=submit]").await;
    browser.wait_for("Record created").await;

    browser
        .goto(&format!("{base}/admin/records/Contacts"))
        .await;
    let list = browser.wait_for("Serwright").await;
    assert!(list.contains("brow.serwright@example.com"));
    if let Ok(dir) = std::env::var("PORTICO_SCREENSHOTS") {
        browser
            .screenshot(&std::path::Path::new(&dir).join("contacts-list.png"))
            .await;
    }
    browser.quit().await;
}

/// The portal creation wizard end to end: Get started → name → user type → tab configuration →
/// field permissions → finish, then the summary and a preview as one contact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_wizard_end_to_end() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn(Backend::Sqlite).await.unwrap();
    let base = &app.base;
    // A fresh org, with a contact and a deal linked to it.
    let rival = app.other_org().await;
    let contact = app.post("/api/v1/records/Contacts", &rival, serde_json::json!({"data": {"First_Name": "Wendy", "Last_Name": "Wizard", "Email": "wendy@example.org"}})).await;
    let cid = contact.body["id"].as_i64().unwrap();
    app.post("/api/v1/records/Deals", &rival, serde_json::json!({"data": {"Deal_Name": "Wizard deal", "Stage": "Proposal", "Contact_Name": cid}})).await;
    app.post(
        "/api/v1/records/Deals",
        &rival,
        serde_json::json!({"data": {"Deal_Name": "Someone else's deal", "Stage": "Proposal"}}),
    )
    .await;
    let shots = std::env::var("PORTICO_SCREENSHOTS")
        .ok()
        .map(std::path::PathBuf::from);
    let snap = |name: &'static str| {
        let path = shots.as_ref().map(|d| d.join(name));
        async {
            if let Some(p) = path {
                browser.screenshot(&p).await
            }
        }
    };

    browser.goto(&format!("{base}/admin/setup/portals")).await;
    browser.wait_for("Sign in").await;
    browser.type_into("#email", fixtures::RIVAL_ADMIN.0).await;
    browser
        .type_into("#password", fixtures::RIVAL_ADMIN.1)
        .await;
    browser.click("button[type=submit]").await;
    let start = browser.wait_for("Get started").await;
    assert!(
        start.contains(&format!("value=\"{}\"", fixtures::RIVAL_NAME)),
        "the name defaults to the company name"
    );
    snap("wizard-1-start.png").await;

    // Step 1: the name.
    browser.type_into("#p-name", "Rival Clients").await;
    browser.click("button.primary").await;
    browser.wait_for("Portal created").await;
    assert!(browser.url().await.contains("/basics?wizard=1"));
    // Step 2: the user type.
    browser.type_into("#u-name", "Clients").await;
    snap("wizard-2-user-type.png").await;
    browser.click("button.primary").await;
    let tabs = browser.wait_for("User type saved").await;
    assert!(tabs.contains("aria-current=\"step\""));
    assert!(
        !tabs.contains("name=\"on.Vendors\""),
        "Vendors has no lookup to Contacts, so it is not offered"
    );
    // Step 3: share Deals (view only) and Cases (create).
    browser.click("input[name='on.Deals']").await;
    browser.click("input[name='on.Cases']").await;
    browser.click("input[name='perm.Cases.create']").await;
    snap("wizard-3-tabs.png").await;
    browser.click("button.primary").await;
    let fields = browser.wait_for("field permissions").await;
    assert!(fields.contains("Deal Name") && fields.contains("Subject"));
    // Step 4: a newly shared module starts with only its name shown; show the deal's stage
    // too (the amount stays hidden), then finish.
    assert!(fields.contains("name=\"visible.Deals.Standard.Deal_Name\" value=\"true\" aria-label=\"Deal Name visible\" checked"));
    browser
        .click("input[name='visible.Deals.Standard.Stage']")
        .await;
    snap("wizard-4-fields.png").await;
    browser.click("button.primary").await;
    let summary = browser.wait_for("Your portal is configured").await;
    assert!(summary.contains("Clients") && summary.contains("Deals") && summary.contains("Cases"));
    snap("wizard-5-summary.png").await;

    // The saved configuration is what the wizard chose.
    let portals = app.get("/api/v1/portals", &rival).await;
    let pid = portals.body["items"][0]["id"].as_i64().unwrap();
    let types = app
        .get(&format!("/api/v1/portals/{pid}/user-types"), &rival)
        .await;
    let clients = &types.body["items"][0];
    assert_eq!(clients["name"], "Clients");
    let deals = clients["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "Deals")
        .unwrap();
    assert_eq!(deals["permissions"]["create"], false);
    let shown: Vec<&str> = deals["layouts"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["visible"] == true)
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ["Deal_Name", "Stage"], "Amount hidden");
    let cases = clients["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["module"] == "Cases")
        .unwrap();
    assert_eq!(cases["permissions"]["create"], true);

    // Preview as the contact: their deal only, without the hidden field.
    browser
        .goto(&format!(
            "{base}/admin/setup/portals/{pid}/preview?user_type={}&record={cid}",
            clients["id"]
        ))
        .await;
    let preview = browser.wait_for("read only").await;
    assert!(preview.contains("Wizard deal") && !preview.contains("Someone else"));
    assert!(!preview.contains(">Amount<"));
    snap("wizard-6-preview.png").await;
    browser.quit().await;
}

/// The mail log in a real browser: "Send a test email", the notice, the message with its text
/// and its HTML shown in a sandboxed frame.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_a_test_email_and_read_it_in_the_mail_log() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn(Backend::Sqlite).await.unwrap();
    let base = &app.base;
    browser.goto(&format!("{base}/admin/setup/mail")).await;
    browser.wait_for("Sign in").await;
    browser.type_into("#email", ADMIN.0).await;
    browser.type_into("#password", ADMIN.1).await;
    browser.click("button[type=submit]").await;
    browser.wait_for("No SMTP server is configured").await;
    browser
        .click("form[action='/admin/setup/mail/test'] button")
        .await;
    let log = browser.wait_for("written to the outbox").await;
    assert!(log.contains(">pending<"), "{log}");
    browser.click("table.grid a").await;
    let detail = browser.wait_for("HTML source").await;
    assert!(detail.contains("<iframe") && detail.contains("sandbox=\"\""));
    assert!(detail.contains(&format!("{base}/admin/setup/mail")));
    if let Ok(dir) = std::env::var("PORTICO_SCREENSHOTS") {
        let url = browser.url().await;
        browser.goto(&format!("{url}#mail-html")).await;
        browser
            .screenshot(&std::path::Path::new(&dir).join("mail-detail.png"))
            .await;
    }
    browser.quit().await;
}

/// An invitation followed from the email the SMTP server received to a signed-in portal user:
/// the link in the delivered text part, the password form (a mismatch shown beside its field),
/// the preferences prefilled from the org's defaults, then the landing page with the user's
/// name, tabs and own record.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_from_the_email_to_a_signed_in_portal_user() {
    if !portico_testkit::smtp::smtp_available() {
        return;
    }
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn(Backend::Sqlite).await.unwrap();
    let sink = portico_testkit::smtp::SmtpSink::start().expect("the SMTP server starts");
    let delivery = app.start_delivery(&sink.url());
    let shots = std::env::var("PORTICO_SCREENSHOTS")
        .ok()
        .map(std::path::PathBuf::from);
    let shot = |name: &'static str| {
        let path = shots.as_ref().map(|d| d.join(name));
        let browser = &browser;
        async move {
            if let Some(p) = path {
                browser.screenshot(&p).await;
            }
        }
    };

    let actor = portico_app::sign_in::actor(&app.state, app.fx.org, app.fx.admin)
        .await
        .unwrap();
    let to = portico_app::invitations::InviteTo {
        portal_id: app.fx.portal,
        user_type_id: app.fx.client_type,
        language: None,
    };
    portico_app::invitations::invite_record(
        &app.state,
        &actor,
        "Contacts",
        app.fx.contacts.client,
        &to,
    )
    .await
    .unwrap();
    let received = sink.wait_for(1, std::time::Duration::from_secs(20)).await;
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert!(mail.header("to").contains(fixtures::CLIENT_EMAIL));
    let text = mail.part("text/plain").expect("a text part");
    let link = text
        .split_whitespace()
        .find(|w| w.contains("/invite/"))
        .expect("the invitation link");
    assert!(link.starts_with(&app.base), "links come from the base URL");

    browser.goto(link).await;
    let form = browser.wait_for("Set your password").await;
    assert!(form.contains(fixtures::CLIENT_NAME));
    let password = "a long portal passphrase 7";
    browser.type_into("#password", password).await;
    browser
        .type_into("#confirm", "another long passphrase 8")
        .await;
    browser.click("button[type=submit]").await;
    browser.wait_for("not the same").await;
    shot("portal-invitation-mismatch.png").await;
    browser.type_into("#password", password).await;
    browser.type_into("#confirm", password).await;
    browser.click("button[type=submit]").await;
    let welcome = browser.wait_for("Your preferences").await;
    let org = app.store.get_org(app.fx.org).await.unwrap().settings;
    assert!(welcome.contains(&format!("value=\"{}\"", org.time_zone)));
    browser.type_into("#time_zone", "Europe/Berlin").await;
    browser.type_into("#country", "DE").await;
    shot("portal-welcome.png").await;
    browser.click(".form-actions button[type=submit]").await;
    let landing = browser.wait_for("My details").await;
    assert!(landing.contains(&format!("Welcome, {}", fixtures::CLIENT_NAME)));
    assert!(landing.contains(">Contacts<") && landing.contains(fixtures::CLIENT_EMAIL));
    assert!(landing.contains("Your preferences are saved"));
    shot("portal-landing.png").await;
    let user = app
        .store
        .portal_user_by_email(app.fx.org, app.fx.portal, fixtures::CLIENT_EMAIL)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            user.preferences.time_zone.as_str(),
            user.preferences.country.as_str()
        ),
        ("Europe/Berlin", "DE")
    );

    // Signing out and in again through the pages.
    browser.click(".portal-user button[type=submit]").await;
    browser.wait_for("Email address").await;
    browser.type_into("#email", fixtures::CLIENT_EMAIL).await;
    browser.type_into("#password", password).await;
    shot("portal-sign-in.png").await;
    browser.click("button[type=submit]").await;
    browser.wait_for("My details").await;
    delivery.abort();
    browser.quit().await;
}

/// The secret an MFA set-up page shows as text.
fn mfa_secret(page: &str) -> portico_auth::totp::Totp {
    let marker = "id=\"mfa-secret\">";
    let at = page.find(marker).expect("the secret as text") + marker.len();
    let end = at + page[at..].find('<').unwrap();
    portico_auth::totp::Totp::from_base32(&page[at..end]).expect("a base32 secret")
}

/// On a portal that enforces MFA, in Chromium: the invited user sets a password, must set up
/// an authenticator (the QR code drawn on the page) before anything else, sees the recovery
/// codes once, and later signs in with password and code — a wrong code refused first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_sign_in_with_mfa() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn(Backend::Sqlite).await.unwrap();
    let shots = std::env::var("PORTICO_SCREENSHOTS")
        .ok()
        .map(std::path::PathBuf::from);
    let shot = |name: &'static str| {
        let path = shots.as_ref().map(|d| d.join(name));
        let browser = &browser;
        async move {
            if let Some(p) = path {
                browser.screenshot(&p).await;
            }
        }
    };
    let admin = app.token(ADMIN).await;
    let r = app
        .patch(
            &format!("/api/v1/portals/{}", app.fx.portal),
            &admin,
            serde_json::json!({"enforce_mfa": true}),
        )
        .await;
    assert_eq!(r.status, reqwest::StatusCode::OK, "{:?}", r.body);
    let token = support::portal::invite(&app).await;
    let base = format!("{}{}", app.base, support::portal::BASE);
    let code_now = |totp: &portico_auth::totp::Totp| {
        totp.code_at(u64::try_from(app.state.now() / 1000).unwrap())
    };

    browser.goto(&format!("{base}invite/{token}")).await;
    browser.wait_for("Set your password").await;
    let password = support::portal::PASSWORD;
    browser.type_into("#password", password).await;
    browser.type_into("#confirm", password).await;
    browser.click("button[type=submit]").await;
    let enrol = browser.wait_for("Set up two-step verification").await;
    assert!(enrol.contains("<svg"), "the QR code is on the page");
    shot("portal-mfa-enrol.png").await;
    let totp = mfa_secret(&enrol);
    // Nothing else opens before the set-up.
    browser.goto(&format!("{base}welcome")).await;
    browser.wait_for("Forgot your password?").await;
    browser
        .goto(&format!("{base}sign-in/enrol?then=welcome"))
        .await;
    browser.wait_for("Set up two-step verification").await;
    browser.type_into("#code", &code_now(&totp)).await;
    browser.click("form button[type=submit]").await;
    let codes = browser.wait_for("Save your recovery codes").await;
    assert_eq!(codes.matches("<li><code>").count(), 10);
    shot("portal-mfa-recovery-codes.png").await;
    browser.click("a.button.primary").await;
    browser.wait_for("Your preferences").await;
    browser.click(".form-actions button[type=submit]").await;
    browser.wait_for("My details").await;

    // Out, and in again: password, then the code.
    browser.click(".portal-user button[type=submit]").await;
    browser.wait_for("Email address").await;
    browser.type_into("#email", fixtures::CLIENT_EMAIL).await;
    browser.type_into("#password", password).await;
    browser.click("button[type=submit]").await;
    browser.wait_for("authenticator app and enter").await;
    browser.type_into("#code", "000000").await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("That code is not right").await;
    shot("portal-mfa-code.png").await;
    app.advance(30_000);
    browser.type_into("#code", &code_now(&totp)).await;
    browser.click("form button[type=submit]").await;
    let landing = browser.wait_for("My details").await;
    assert!(landing.contains(&format!("Welcome, {}", fixtures::CLIENT_NAME)));
    browser.quit().await;
}

/// Every admin page a signed-in administrator can reach by following links (one page per
/// route shape, the demo-like fixture data behind them), plus a form shown again with errors,
/// passes axe-core with no serious or critical violation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_page_passes_axe() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn(Backend::Sqlite).await.unwrap();
    let base = &app.base;
    browser.goto(&format!("{base}/admin/login")).await;
    browser.wait_for("Sign in").await;
    let login = browser.axe_violations().await;
    browser.type_into("#email", ADMIN.0).await;
    browser.type_into("#password", ADMIN.1).await;
    browser.click("button[type=submit]").await;
    browser.wait_for("Sign out").await;

    let mut failures: Vec<String> = login
        .into_iter()
        .map(|v| format!("/admin/login: {v}"))
        .collect();
    let mut queue = std::collections::VecDeque::from(["/admin/home".to_string()]);
    let mut shapes = std::collections::HashSet::new();
    let mut visited = Vec::new();
    // One page per route shape (ids, a module's field names and query values folded; every
    // module keeps its own pages, whose forms differ), at most 300 pages.
    let shape = |path: &str| -> String {
        let path = path.split('?').next().unwrap_or(path);
        let mut folded: Vec<&str> = Vec::new();
        for seg in path.split('/') {
            let numeric = !seg.is_empty() && seg.chars().all(|c| c.is_ascii_digit());
            let field = folded.last().is_some_and(|prev| *prev == "fields");
            folded.push(if numeric {
                "N"
            } else if field {
                "F"
            } else {
                seg
            });
        }
        folded.join("/")
    };
    while let Some(path) = queue.pop_front() {
        if visited.len() >= 300 || !shapes.insert(shape(&path)) {
            continue;
        }
        browser.goto(&format!("{base}{path}")).await;
        let kind = browser
            .execute("return document.contentType;", Vec::new())
            .await;
        if kind != serde_json::json!("text/html") {
            continue;
        }
        visited.push(path.clone());
        for v in browser.axe_violations().await {
            failures.push(format!("{path}: {v}"));
        }
        let links = browser
            .execute(
                "return Array.from(document.querySelectorAll('a[href]')).map(function (a) { return a.getAttribute('href'); });",
                Vec::new(),
            )
            .await;
        for link in links
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l.as_str())
        {
            let link = link.split('#').next().unwrap_or(link);
            if link.starts_with("/admin/") && !link.starts_with("/admin/logout") {
                queue.push_back(link.to_string());
            }
        }
    }
    // The pages the issue names are among those checked.
    for must in [
        "/admin/setup/portals",
        "/admin/setup/portals/N",
        "/admin/setup/portals/N/settings",
        "/admin/setup/portals/N/preview",
        "/admin/setup/portals/N/user-types/N/tabs",
        "/admin/setup/portals/N/user-types/N/fields",
        "/admin/records/Contacts",
        "/admin/records/Contacts/N",
        "/admin/setup/users",
        "/admin/setup/users/N",
        "/admin/setup/web-tabs/N",
        "/admin/setup/modules/Deals/fields/F",
        "/admin/setup/modules/Contacts/layouts/N",
        "/admin/records/Deals/N/edit",
        "/admin/records/Invoices/N/edit",
    ] {
        assert!(
            shapes.contains(must),
            "{must} was not reached; visited {visited:?}"
        );
    }
    // A form shown again with its errors.
    let portal = app.fx.portal;
    browser
        .goto(&format!("{base}/admin/setup/portals/{portal}/settings"))
        .await;
    browser.type_into("#s-slug", "Not An Address!").await;
    browser.type_into("#s-domain", "not a domain").await;
    browser.click(".form-actions button[type=submit]").await;
    browser.wait_for("Nothing was saved").await;
    let focused = browser
        .execute(
            "return document.activeElement && document.activeElement.id;",
            Vec::new(),
        )
        .await;
    assert_eq!(
        focused,
        serde_json::json!("s-slug"),
        "focus on the first error"
    );
    for v in browser.axe_violations().await {
        failures.push(format!("settings with errors: {v}"));
    }
    if let Ok(dir) = std::env::var("PORTICO_SCREENSHOTS") {
        browser
            .screenshot(&std::path::Path::new(&dir).join("portal-settings-errors.png"))
            .await;
    }
    // On a phone the navigation folds behind the Menu button, which opens and closes it.
    browser.window_size(390, 844).await;
    browser
        .goto(&format!("{base}/admin/setup/portals/{portal}"))
        .await;
    browser.wait_for("Portal address").await;
    let shown = "return getComputedStyle(document.getElementById('sidebar')).display;";
    assert_eq!(
        browser.execute(shown, Vec::new()).await,
        serde_json::json!("none"),
        "folded on a phone"
    );
    browser.click(".menu-button").await;
    assert_eq!(
        browser.execute(shown, Vec::new()).await,
        serde_json::json!("block")
    );
    let expanded = browser
        .execute(
            "return document.querySelector('.menu-button').getAttribute('aria-expanded');",
            Vec::new(),
        )
        .await;
    assert_eq!(expanded, serde_json::json!("true"));
    for v in browser.axe_violations().await {
        failures.push(format!("portal summary on a phone: {v}"));
    }
    // The portal set-up pages and the widest forms, on a phone too.
    let phone_pages = [
        format!("/admin/setup/portals/{portal}/settings"),
        format!(
            "/admin/setup/portals/{portal}/preview?user_type={}&record={}",
            app.fx.client_type, app.fx.contacts.client
        ),
        format!(
            "/admin/setup/portals/{portal}/user-types/{}/tabs",
            app.fx.client_type
        ),
        format!(
            "/admin/setup/portals/{portal}/user-types/{}/fields",
            app.fx.client_type
        ),
        format!("/admin/records/Invoices/{}/edit", app.fx.invoices.client[0]),
        "/admin/setup/modules/Invoices/fields/Product_Details".to_string(),
    ];
    for path in &phone_pages {
        browser.goto(&format!("{base}{path}")).await;
        for v in browser.axe_violations().await {
            failures.push(format!("{path} on a phone: {v}"));
        }
    }
    eprintln!(
        "axe-core checked {} admin pages",
        visited.len() + 3 + phone_pages.len()
    );
    assert!(
        failures.is_empty(),
        "{} serious or critical accessibility violations:\n{}",
        failures.len(),
        failures.join("\n")
    );
    browser.quit().await;
}

/// The row editor and the record picker as a person uses them in Chromium: "Add a row", ↑ to
/// move it first, and a contact found by typing part of an email, then saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn row_editor_and_record_picker() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let app = spawn(Backend::Sqlite).await.unwrap();
    let base = &app.base;
    let token = app.token(ADMIN).await;
    browser.goto(&format!("{base}/admin/login")).await;
    browser.wait_for("Sign in").await;
    browser.type_into("#email", ADMIN.0).await;
    browser.type_into("#password", ADMIN.1).await;
    browser.click("button[type=submit]").await;
    browser.wait_for("Sign out").await;

    // An invoice with one line: add a row with JavaScript, fill it, move it first, save.
    let invoice = app.fx.invoices.client[0];
    browser
        .goto(&format!("{base}/admin/records/Invoices/{invoice}/edit"))
        .await;
    browser.wait_for("Add a row").await;
    let rows = "return document.querySelectorAll('#f\\\\.Product_Details tbody tr').length;";
    let before = browser.execute(rows, Vec::new()).await.as_i64().unwrap();
    browser.click("#f\\.Product_Details [data-add-row]").await;
    assert_eq!(
        browser.execute(rows, Vec::new()).await.as_i64().unwrap(),
        before + 1
    );
    let product = app.fx.products[2];
    let last = format!("f.Product_Details[{before}]");
    browser
        .execute(
            "document.querySelector('[name=\"' + arguments[0] + '.Product\"]').value = arguments[1];",
            vec![serde_json::json!(last), serde_json::json!(product.to_string())],
        )
        .await;
    browser
        .type_into(&format!("[name='{last}.Quantity']"), "9")
        .await;
    // ↑ on the new row until it is first (a person clicks the same button again).
    let up = "document.querySelector('[name=\"' + arguments[0] + '.Quantity\"]').closest('tr').querySelector('button[data-move=\"up\"]').click();";
    for _ in 0..before {
        browser.execute(up, vec![serde_json::json!(last)]).await;
    }
    browser.click(".form-actions button[type=submit]").await;
    browser.wait_for("Changes saved").await;
    let lines = app
        .get(&format!("/api/v1/records/Invoices/{invoice}"), &token)
        .await
        .body["data"]["Product_Details"]
        .clone();
    assert_eq!(lines.as_array().map(Vec::len), Some(2), "{lines}");
    assert_eq!(lines[0]["Product"], product, "moved first: {lines}");
    assert_eq!(lines[0]["Quantity"], 9);

    // A deal's contact: typing part of an email narrows the choices as you type.
    let email = "wanda.unique@example.org";
    let made = app
        .post(
            "/api/v1/records/Contacts",
            &token,
            serde_json::json!({"data": {"First_Name": "Wanda", "Last_Name": "Unique", "Email": email}}),
        )
        .await;
    let wanda = made.body["id"].as_i64().unwrap();
    let deal = app.fx.deals.client;
    browser
        .goto(&format!("{base}/admin/records/Deals/{deal}/edit"))
        .await;
    browser.wait_for("Search by name or email").await;
    browser
        .type_into("#pick-q-f-Contact_Name", "wanda.uni")
        .await;
    browser.wait_for(email).await;
    browser
        .click(&format!("#pick-f-Contact_Name input[value='{wanda}']"))
        .await;
    browser.click(".form-actions button[type=submit]").await;
    browser.wait_for("Changes saved").await;
    let saved = app
        .get(&format!("/api/v1/records/Deals/{deal}"), &token)
        .await
        .body;
    assert_eq!(saved["data"]["Contact_Name"], wanda);
    browser.quit().await;
}
