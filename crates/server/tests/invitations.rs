//! Bulk invitations over HTTP on both backends: the API (201 done at once, 202 running in the
//! background with progress until done, candidates in keyset pages, bounds), its permission
//! rules (per record for CRM users without the module or the records; another org's portal and
//! batches are not found) and the admin's Users → Invite pages (CSRF, summary, progress bar,
//! failed invitees).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::app::csrf_of;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN, REP, TestApp};

portico_testkit::on_both_backends!(
    bulk_invitations_over_the_api,
    bulk_invitation_permissions,
    the_admin_invites_from_the_users_tab,
    the_operator_invites_from_the_command_line,
);

fn path(app: &TestApp, rest: &str) -> String {
    format!("/api/v1/portals/{}{rest}", app.fx.portal)
}

/// Contacts named `{prefix}{i}` with addresses `{prefix}{i}@client-{prefix}.com`, as `token`.
async fn contacts(app: &TestApp, token: &str, prefix: &str, n: usize) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let r = app
            .post(
                "/api/v1/records/Contacts",
                token,
                json!({"data": {"Last_Name": format!("{prefix}{i}"), "Email": format!("{prefix}{i}@client-{prefix}.com")}}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        ids.push(r.body["id"].as_i64().unwrap());
    }
    ids
}

fn codes(body: &Value) -> Vec<(i64, String)> {
    body["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["record_id"].as_i64().unwrap(),
                f["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn bulk_invitations_over_the_api(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let ut = app.fx.client_type;
    let few = contacts(&app, &admin, "few", 2).await;
    let r = app
        .post(
            &path(&app, "/invitations"),
            &admin,
            json!({"user_type": ut, "records": [few[0], few[1], 99_999_999]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["state"], "done");
    assert_eq!(
        (r.body["total"].as_i64(), r.body["sent"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(
        codes(&r.body),
        [(99_999_999, "record_not_found".to_string())]
    );
    assert_eq!(r.body["failed"][0]["name"], Value::Null);
    let id = r.body["batch_id"].as_i64().unwrap();
    let again = app
        .get(&path(&app, &format!("/invitations/{id}")), &admin)
        .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["sent"], 2);

    // Candidates: keyset pages, the first counting them all; invited records are gone.
    let many = contacts(&app, &admin, "bulk", 105).await;
    let first = app
        .get(
            &path(
                &app,
                &format!("/invitation-candidates?user_type={ut}&q=client-bulk&limit=100"),
            ),
            &admin,
        )
        .await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    assert_eq!(first.body["matching"], 105);
    assert_eq!(first.body["items"].as_array().unwrap().len(), 100);
    let next = first.body["next"].as_str().unwrap();
    let second = app
        .get(
            &path(
                &app,
                &format!(
                    "/invitation-candidates?user_type={ut}&q=client-bulk&limit=100&after={next}"
                ),
            ),
            &admin,
        )
        .await;
    assert_eq!(second.body["items"].as_array().unwrap().len(), 5);
    assert_eq!(second.body["matching"], Value::Null);
    assert_eq!(second.body["next"], Value::Null);

    // More than 100: 202, running in the background until a worker finishes it.
    let r = app
        .post(
            &path(&app, "/invitations"),
            &admin,
            json!({"user_type": ut, "filter": {"search": "client-bulk"}, "language": "de"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.body);
    assert_eq!(
        (r.body["state"].as_str(), r.body["total"].as_i64()),
        (Some("running"), Some(105))
    );
    let id = r.body["batch_id"].as_i64().unwrap();
    let worker = app.start_invitations();
    let mut done = Value::Null;
    for _ in 0..200 {
        let p = app
            .get(&path(&app, &format!("/invitations/{id}")), &admin)
            .await;
        if p.body["state"] == "done" {
            done = p.body;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    worker.abort();
    assert_eq!(done["sent"], 105, "{done}");
    assert!(done["finished_at"].is_string());
    let left = app
        .get(
            &path(
                &app,
                &format!("/invitation-candidates?user_type={ut}&q=client-bulk"),
            ),
            &admin,
        )
        .await;
    assert_eq!(left.body["matching"], 0);
    let _ = many;

    // Bounds and shape: one of records or filter; nothing unknown; no empty list; pages bounded.
    for body in [
        json!({"user_type": ut}),
        json!({"user_type": ut, "records": [1], "filter": {}}),
        json!({"user_type": ut, "records": []}),
        json!({"user_type": ut, "records": [1], "extra": 1}),
        json!({"user_type": ut, "filter": {"search": "a\u{1}b"}}),
        json!({"user_type": ut, "records": (1..=50_001).collect::<Vec<i64>>()}),
    ] {
        let r = app.post(&path(&app, "/invitations"), &admin, body).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    }
    for query in [
        "user_type=x",
        "",
        &format!("user_type={ut}&limit=0"),
        &format!("user_type={ut}&bogus=1"),
    ] {
        let r = app
            .get(
                &path(&app, &format!("/invitation-candidates?{query}")),
                &admin,
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            r.body
        );
    }
    let r = app
        .post(
            &path(&app, "/invitations"),
            &admin,
            json!({"user_type": 99_999_999, "records": [1]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

async fn bulk_invitation_permissions(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let ut = app.fx.client_type;
    let theirs = contacts(&app, &admin, "adm", 1).await;

    // A CRM user whose profile has no Contacts: every record fails alike, and the filter and
    // the candidates are refused.
    let profile = app
        .post(
            "/api/v1/profiles",
            &admin,
            json!({"name": "Deals only", "scope": "all", "permissions": {"Deals": {"view": true, "create": true, "edit": true}}}),
        )
        .await;
    assert_eq!(profile.status, StatusCode::CREATED, "{}", profile.body);
    let user = app
        .post(
            "/api/v1/users",
            &admin,
            json!({"email": "deals@northwind.example", "name": "Dee Deals", "password": "deals-only-password-1",
                   "profile_id": profile.body["id"]}),
        )
        .await;
    assert_eq!(user.status, StatusCode::CREATED, "{}", user.body);
    let outsider = app
        .token(("deals@northwind.example", "deals-only-password-1"))
        .await;
    let r = app
        .post(
            &path(&app, "/invitations"),
            &outsider,
            json!({"user_type": ut, "records": [theirs[0], 99_999_999]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["sent"], 0);
    assert_eq!(
        codes(&r.body),
        [
            (theirs[0], "no_module_permission".to_string()),
            (99_999_999, "no_module_permission".to_string())
        ]
    );
    let batch = r.body["batch_id"].as_i64().unwrap();
    let r = app
        .post(
            &path(&app, "/invitations"),
            &outsider,
            json!({"user_type": ut, "filter": {}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = app
        .get(
            &path(&app, &format!("/invitation-candidates?user_type={ut}")),
            &outsider,
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The rep may invite from Contacts but reaches only their own records.
    let rep = app.token(REP).await;
    let mine = contacts(&app, &rep, "rep", 1).await;
    let r = app
        .post(
            &path(&app, "/invitations"),
            &rep,
            json!({"user_type": ut, "records": [theirs[0], mine[0]]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["sent"], 1);
    assert_eq!(
        codes(&r.body),
        [(theirs[0], "no_record_permission".to_string())]
    );
    // Someone else's batch: as missing as one that does not exist; the admin reads both.
    for id in [batch, 99_999_999] {
        let r = app
            .get(&path(&app, &format!("/invitations/{id}")), &rep)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    let r = app
        .get(&path(&app, &format!("/invitations/{batch}")), &admin)
        .await;
    assert_eq!(r.status, StatusCode::OK);

    // Another org: this portal and its batches do not exist.
    let rival = app.other_org().await;
    let r = app
        .post(
            &path(&app, "/invitations"),
            &rival,
            json!({"user_type": ut, "records": [theirs[0]]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(&path(&app, &format!("/invitations/{batch}")), &rival)
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(
            &path(&app, &format!("/invitation-candidates?user_type={ut}")),
            &rival,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app
        .get(&path(&app, &format!("/invitations/{batch}")), "")
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

async fn the_admin_invites_from_the_users_tab(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let ids = contacts(&app, &admin, "ui", 2).await;
    let bad = app
        .post(
            "/api/v1/records/Contacts",
            &admin,
            json!({"data": {"Last_Name": "Colleague", "Email": "colleague@northwind.example"}}),
        )
        .await;
    let bad = bad.body["id"].as_i64().unwrap();
    let cookie = app.admin_cookie(ADMIN).await;
    let portal = app.fx.portal;
    let ut = app.fx.client_type;
    let summary = app
        .browse(
            &cookie,
            Method::GET,
            &format!("/admin/setup/portals/{portal}"),
            None,
        )
        .await;
    assert!(
        summary
            .body
            .contains(&format!("/admin/setup/portals/{portal}/invite"))
    );
    let page = app
        .browse(
            &cookie,
            Method::GET,
            &format!("/admin/setup/portals/{portal}/invite?user_type={ut}&q=client-ui"),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("ui0@client-ui.com") && page.body.contains("ui1@client-ui.com"));
    assert!(page.body.contains("Select all 2 matching"));
    let csrf = csrf_of(&page.body);
    let send = format!("/admin/setup/portals/{portal}/invite");
    let (a, b, c) = (ids[0].to_string(), ids[1].to_string(), bad.to_string());
    let ut_s = ut.to_string();
    // Without the CSRF token nothing is sent.
    let forged = app
        .browse(
            &cookie,
            Method::POST,
            &send,
            Some(&[("user_type", &ut_s), ("records", &a)]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let sent = app
        .browse(
            &cookie,
            Method::POST,
            &send,
            Some(&[
                ("_csrf", &csrf),
                ("user_type", &ut_s),
                ("records", &a),
                ("records", &b),
                ("records", &c),
            ]),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    assert!(
        sent.location
            .starts_with(&format!("/admin/setup/portals/{portal}/invitations/"))
    );
    let result = app.browse(&cookie, Method::GET, &sent.location, None).await;
    assert_eq!(result.status, StatusCode::OK, "{}", result.body);
    assert!(
        result.body.contains("<strong>2</strong> sent"),
        "{}",
        result.body
    );
    assert!(result.body.contains("<strong>1</strong> failed"));
    assert!(result.body.contains("view failed invitees"));
    assert!(result.body.contains("Colleague") && result.body.contains("same_domain"));
    // The progress fragment: done, so htmx reloads the page.
    let id = sent
        .location
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let r = app
        .client
        .get(format!(
            "{}/admin/setup/portals/{portal}/invitations/{id}/progress",
            app.base
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers().get("hx-refresh").unwrap(), "true");
    assert!(r.text().await.unwrap().contains("<progress"));
    // Nothing chosen: back to the list with the reason.
    let empty = app
        .browse(
            &cookie,
            Method::POST,
            &send,
            Some(&[("_csrf", &csrf), ("user_type", &ut_s)]),
        )
        .await;
    assert_eq!(empty.status, StatusCode::SEE_OTHER);
    assert!(empty.location.contains("flash="));
    // "All matching across pages" takes what is left: nothing here.
    let all = app
        .browse(
            &cookie,
            Method::POST,
            &send,
            Some(&[
                ("_csrf", &csrf),
                ("user_type", &ut_s),
                ("all", "true"),
                ("q", "client-ui"),
            ]),
        )
        .await;
    assert_eq!(all.status, StatusCode::SEE_OTHER);
    let result = app.browse(&cookie, Method::GET, &all.location, None).await;
    assert!(result.body.contains("Done: 0 processed"), "{}", result.body);
}

/// `portico invite` on the app's database: it runs the batch itself (no server worker holds
/// it), draws its progress and prints the summary with the failures by code.
async fn the_operator_invites_from_the_command_line(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let ids = contacts(&app, &admin, "cli", 3).await;
    let org = app.org_of(portico_testkit::fixtures::ADMIN_EMAIL).await;
    let run = |args: Vec<String>| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_portico"))
            .args(args)
            .env("PORTICO_DATABASE_URL", &app.database_url)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let base = |rest: &[&str]| {
        let mut args: Vec<String> = vec![
            "invite".into(),
            "--org".into(),
            org.to_string(),
            "--portal".into(),
            app.fx.portal.to_string(),
            "--user-type".into(),
            app.fx.client_type.to_string(),
        ];
        args.extend(rest.iter().map(|s| s.to_string()));
        args
    };
    let records = format!("{},{},99999999", ids[0], ids[1]);
    let (ok, out, err) = run(base(&["--records", &records]));
    assert!(ok, "{out}{err}");
    assert!(out.contains("Done: 2 sent, 1 failed of 3."), "{out}");
    assert!(out.contains("record_not_found"), "{out}");
    // As another CRM user (--as): the rep reaches only their own records.
    let third = ids[2].to_string();
    let rep = portico_testkit::fixtures::REP_EMAIL;
    let (ok, out, err) = run(base(&["--records", &third, "--as", rep]));
    assert!(ok, "{out}{err}");
    assert!(out.contains("Done: 0 sent, 1 failed of 1."), "{out}");
    assert!(out.contains("no_record_permission"), "{out}");
    // --all takes what is left of the search.
    let (ok, out, err) = run(base(&["--all", "--search", "client-cli"]));
    assert!(ok, "{out}{err}");
    assert!(out.contains("Done: 1 sent, 0 failed of 1."), "{out}");
    let (ok, _, err) = run(base(&[
        "--records",
        "1",
        "--as",
        "nobody@northwind.example",
    ]));
    assert!(!ok);
    assert!(err.contains("no active CRM user"), "{err}");
    let mut other = base(&["--records", "1"]);
    other[4] = "99999999".into();
    let (ok, _, err) = run(other);
    assert!(!ok);
    assert!(err.contains("no such portal"), "{err}");
}
