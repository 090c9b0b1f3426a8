//! Inviting one record and managing a portal's users, over the API and the admin pages, on both
//! backends: the reasons come back with their codes and statuses; the rules for who may invite
//! and who may manage are enforced (negative tests); another org sees nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::app::csrf_of;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::{ADMIN, REP, TestApp};

on_both_backends!(
    one_invitation_over_the_api,
    managing_users_over_the_api,
    the_detail_page_invites_and_the_users_tab_manages,
    the_record_form_sets_the_state_invitations_consult,
);

fn invite_path(record: i64) -> String {
    format!("/api/v1/records/Contacts/{record}/portal-invite")
}

async fn one_invitation_over_the_api(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let fx = &app.fx;
    let body = json!({"portal": fx.portal, "user_type": fx.client_type});
    let r = app
        .post(&invite_path(fx.contacts.client), &admin, body.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(r.body["portal_user"]["status"], "invited");
    assert_eq!(r.body["portal_user"]["record_id"], fx.contacts.client);
    assert!(r.body["portal_user"].get("password_hash").is_none());
    let mail = app
        .get(&format!("/api/v1/mail/{}", r.body["mail_id"]), &admin)
        .await;
    assert_eq!(mail.body["kind"], "invitation");
    assert!(mail.body["text"].as_str().unwrap().contains("/invite/"));

    let again = app
        .post(&invite_path(fx.contacts.client), &admin, body.clone())
        .await;
    assert_eq!(
        (again.status, again.code()),
        (StatusCode::CONFLICT, "already_invited")
    );
    let missing = app
        .post(&invite_path(9_999_999), &admin, body.clone())
        .await;
    assert_eq!(
        (missing.status, missing.code()),
        (StatusCode::NOT_FOUND, "record_not_found")
    );
    // The rep edits contacts but reaches only their own: the administrator's is refused.
    let rep = app.token(REP).await;
    let other = app
        .post(&invite_path(fx.contacts.other), &rep, body.clone())
        .await;
    assert_eq!(
        (other.status, other.code()),
        (StatusCode::FORBIDDEN, "no_record_permission")
    );
    let own = app
        .post(&invite_path(fx.contacts.rep[0]), &rep, body.clone())
        .await;
    assert!(
        own.status == StatusCode::CREATED || own.status == StatusCode::UNPROCESSABLE_ENTITY,
        "the rep may invite their own contact (or be told why not): {:?}",
        own.body
    );
    // A user type of another personality module, an unknown key, another org.
    let vendors = json!({"portal": fx.portal, "user_type": fx.vendor_type});
    let wrong = app
        .post(&invite_path(fx.contacts.other), &admin, vendors)
        .await;
    assert_eq!(
        (wrong.status, wrong.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "wrong_module")
    );
    let extra = json!({"portal": fx.portal, "user_type": fx.client_type, "owner": 1});
    let unknown = app
        .post(&invite_path(fx.contacts.other), &admin, extra)
        .await;
    assert_eq!(
        (unknown.status, unknown.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_field")
    );
    let rival = app.other_org().await;
    let foreign = app
        .post(&invite_path(fx.contacts.other), &rival, body)
        .await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{:?}", foreign.body);
}

async fn managing_users_over_the_api(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let fx = &app.fx;
    let body = json!({"portal": fx.portal, "user_type": fx.client_type});
    let invited = app
        .post(&invite_path(fx.contacts.client), &admin, body)
        .await;
    let id = invited.body["portal_user"]["id"].as_i64().unwrap();
    let users = format!("/api/v1/portals/{}/users", fx.portal);
    let list = app.get(&users, &admin).await;
    assert_eq!(list.status, StatusCode::OK, "{:?}", list.body);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["counts"]["invited"], 1);
    let client_seats = list.body["seats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["user_type_id"] == fx.client_type)
        .unwrap();
    assert_eq!(client_seats["used"], 1);
    let active = app.get(&format!("{users}?status=active"), &admin).await;
    assert!(active.body["items"].as_array().unwrap().is_empty());
    let bad = app.get(&format!("{users}?status=sleeping"), &admin).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Only administrators manage users; another org's administrator finds nothing.
    let rep = app.token(REP).await;
    assert_eq!(app.get(&users, &rep).await.status, StatusCode::FORBIDDEN);
    let one = format!("{users}/{id}");
    assert_eq!(
        app.post(&format!("{one}/deactivate"), &rep, json!(null))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let rival = app.other_org().await;
    assert_eq!(app.get(&one, &rival).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&one, &rival).await.status, StatusCode::NOT_FOUND);

    let r = app
        .post(&format!("{one}/reinvite"), &admin, json!(null))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let r = app
        .post(&format!("{one}/deactivate"), &admin, json!(null))
        .await;
    assert_eq!(r.body["status"], "deactivated");
    let r = app
        .post(&format!("{one}/reinvite"), &admin, json!(null))
        .await;
    assert_eq!((r.status, r.code()), (StatusCode::CONFLICT, "conflict"));
    let r = app
        .post(&format!("{one}/reactivate"), &admin, json!(null))
        .await;
    assert_eq!(
        r.body["status"], "invited",
        "never accepted: invited again, with a new link"
    );
    let r = app
        .patch(&one, &admin, json!({"user_type": fx.vendor_type}))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "wrong_module")
    );
    assert_eq!(
        app.delete(&one, &admin).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get(&one, &admin).await.status, StatusCode::NOT_FOUND);
    let log = app.get("/api/v1/mail", &admin).await;
    let invitations = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "invitation")
        .count();
    assert_eq!(
        invitations, 3,
        "the first, the re-invitation, the reactivation"
    );
}

async fn the_detail_page_invites_and_the_users_tab_manages(app: TestApp) {
    let cookie = app.admin_cookie(ADMIN).await;
    let fx = &app.fx;
    let detail = format!("/admin/records/Contacts/{}", fx.contacts.client);
    let page = app.browse(&cookie, Method::GET, &detail, None).await;
    assert!(
        page.body.contains("Send portal invitation"),
        "{}",
        page.body
    );
    let csrf = csrf_of(&page.body);
    let target = format!("{}:{}", fx.portal, fx.client_type);
    let form = [("_csrf", csrf.as_str()), ("target", target.as_str())];
    let path = format!("{detail}/portal-invite");
    let sent = app.browse(&cookie, Method::POST, &path, Some(&form)).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert!(
        sent.location.contains("Invitation%20sent"),
        "{}",
        sent.location
    );
    let again = app.browse(&cookie, Method::POST, &path, Some(&form)).await;
    assert!(
        again.location.contains("already_invited"),
        "{}",
        again.location
    );
    // Without the CSRF token nothing is sent.
    let forged = [("target", target.as_str())];
    let refused = app
        .browse(&cookie, Method::POST, &path, Some(&forged))
        .await;
    assert_ne!(refused.status, StatusCode::SEE_OTHER);

    let users = format!("/admin/setup/portals/{}/users", fx.portal);
    let tab = app.browse(&cookie, Method::GET, &users, None).await;
    assert_eq!(tab.status, StatusCode::OK);
    assert!(
        tab.body.contains(portico_testkit::fixtures::CLIENT_EMAIL),
        "{}",
        tab.body
    );
    let admin = app.token(ADMIN).await;
    let list = app
        .get(&format!("/api/v1/portals/{}/users", fx.portal), &admin)
        .await;
    let id = list.body["items"][0]["id"].as_i64().unwrap();
    let csrf = csrf_of(&tab.body);
    let done = app
        .browse(
            &cookie,
            Method::POST,
            &format!("{users}/{id}/deactivate"),
            Some(&[("_csrf", csrf.as_str())]),
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let after = app
        .get(&format!("/api/v1/portals/{}/users/{id}", fx.portal), &admin)
        .await;
    assert_eq!(after.body["status"], "deactivated");
    // The rep is no administrator: the tab is not theirs.
    let rep_cookie = app.admin_cookie(REP).await;
    let theirs = app.browse(&rep_cookie, Method::GET, &users, None).await;
    assert_eq!(theirs.status, StatusCode::FORBIDDEN);
}

async fn the_record_form_sets_the_state_invitations_consult(app: TestApp) {
    let cookie = app.admin_cookie(ADMIN).await;
    let admin = app.token(ADMIN).await;
    let fx = &app.fx;
    let record = fx.contacts.other;
    let edit = format!("/admin/records/Contacts/{record}/edit");
    let form = app.browse(&cookie, Method::GET, &edit, None).await;
    assert!(
        form.body.contains("name=\"state.approval_locked\""),
        "{}",
        form.body
    );
    let csrf = csrf_of(&form.body);
    let stored = app
        .get(&format!("/api/v1/records/Contacts/{record}"), &admin)
        .await;
    let version = stored.body["version"].to_string();
    // The form posts every field of its layout; these are the ones the contact has.
    let kept: Vec<(String, String)> = stored.body["data"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(k, v)| Some((format!("f.{k}"), v.as_str()?.to_string())))
        .collect();
    let save = |locked: bool, version: String| {
        let mut fields = vec![
            ("_csrf".to_string(), csrf.clone()),
            ("version".to_string(), version),
            ("state.gdpr_consent".to_string(), "true".to_string()),
        ];
        fields.extend(kept.iter().cloned());
        if locked {
            fields.push(("state.approval_locked".to_string(), "true".to_string()));
        }
        fields
    };
    let path = format!("/admin/records/Contacts/{record}");
    let post = |fields: Vec<(String, String)>| {
        let cookie = cookie.clone();
        let path = path.clone();
        let app = &app;
        async move {
            let pairs: Vec<(&str, &str)> = fields
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            app.browse(&cookie, Method::POST, &path, Some(&pairs)).await
        }
    };
    let saved = post(save(true, version)).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let locked = app
        .get(&format!("/api/v1/records/Contacts/{record}"), &admin)
        .await;
    assert_eq!(locked.body["state"]["approval_locked"], true);
    let body = json!({"portal": fx.portal, "user_type": fx.client_type});
    let refused = app.post(&invite_path(record), &admin, body.clone()).await;
    assert_eq!(
        (refused.status, refused.code()),
        (StatusCode::UNPROCESSABLE_ENTITY, "awaiting_approval")
    );
    let cleared = post(save(false, locked.body["version"].to_string())).await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER, "{}", cleared.body);
    let sent = app.post(&invite_path(record), &admin, body).await;
    assert_eq!(sent.status, StatusCode::CREATED, "{:?}", sent.body);
}
