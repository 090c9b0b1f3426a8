//! No squatting across orgs, over HTTP on SQLite and PostgreSQL. A CRM user's email is unique
//! within an org, not on the instance: another org taking an address neither locks its owner
//! out nor learns that it exists, and sign-in, after the password is verified, asks which org
//! only among the orgs where that password is right. A custom domain is its org's alone until
//! verified; only a verified domain is unique on the instance, and only it routes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_testkit::fixtures::{self, ORG_NAME, PORTAL_NAME, RIVAL_NAME};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use support::{ADMIN, Backend, Page, Reply, TestApp};

on_both_backends!(
    crm_user_emails_are_unique_within_an_org,
    the_api_asks_which_org_only_among_those_where_the_password_is_right,
    the_admin_sign_in_offers_only_the_orgs_where_the_password_is_right,
);

const SHARED: &str = "shared.person@partner.example";
const PASSWORD: &str = "the-same-password-1";
const OTHER_PASSWORD: &str = "another-password-22";
const THIRD_NAME: &str = "Third";

/// Another org with its own administrator; answers the org's id and the admin's token.
async fn org(app: &TestApp, name: &str, domain: &str) -> (i64, String) {
    let email = format!("admin@{domain}");
    let admin = portico_app::users::NewUserInput {
        email: email.clone(),
        name: "Boss".into(),
        password: "boss-password-1".into(),
        profile_id: 0,
        super_admin: true,
    };
    let (org, _) =
        portico_app::org::provision_org(&app.state, fixtures::org_settings(name, domain), admin)
            .await
            .unwrap();
    (org.id, app.token((&email, "boss-password-1")).await)
}

/// Creates a CRM user through the API with the caller's first profile.
async fn create_user(app: &TestApp, token: &str, email: &str, password: &str) -> Reply {
    let profiles = app.get("/api/v1/profiles", token).await;
    let profile = profiles.body["items"][0]["id"].as_i64().unwrap();
    app.post(
        "/api/v1/users",
        token,
        json!({"email": email, "name": "Someone", "password": password, "profile_id": profile}),
    )
    .await
}

/// `POST /api/v1/auth/token`, with `org` when given.
async fn token_request(app: &TestApp, email: &str, password: &str, org: Option<i64>) -> Reply {
    let mut body = json!({"email": email, "password": password});
    if let Some(org) = org {
        body["org"] = json!(org);
    }
    app.call(Method::POST, "/api/v1/auth/token", None, Some(body))
        .await
}

/// The name of the org a bearer token acts for.
async fn org_name_of(app: &TestApp, token: &str) -> String {
    let org = app.get("/api/v1/org", token).await;
    org.body["name"].as_str().unwrap().to_string()
}

/// What a wrong password answers: status, body and the `WWW-Authenticate` header.
async fn refusal(app: &TestApp, email: &str, password: &str, org: Option<i64>) -> (u16, Value) {
    let r = token_request(app, email, password, org).await;
    assert_eq!(
        r.headers
            .get("www-authenticate")
            .map(|v| v.to_str().unwrap()),
        Some("Bearer"),
        "{email}: {:?}",
        r.body
    );
    (r.status.as_u16(), r.body)
}

/// The fixture org, Rival and Third, with `SHARED` in all three: `PASSWORD` in Northwind and
/// Rival, `OTHER_PASSWORD` in Third. Pages the three org ids.
async fn shared_in_three_orgs(app: &TestApp) -> [i64; 3] {
    let northwind_admin = app.token(ADMIN).await;
    let rival_admin = app.other_org().await;
    let (third, third_admin) = org(app, THIRD_NAME, "third.example").await;
    for (token, password) in [
        (&northwind_admin, PASSWORD),
        (&rival_admin, PASSWORD),
        (&third_admin, OTHER_PASSWORD),
    ] {
        let created = create_user(app, token, SHARED, password).await;
        assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    }
    let rival = app.org_of(fixtures::RIVAL_ADMIN.0).await;
    [app.fx.org, rival, third]
}

async fn crm_user_emails_are_unique_within_an_org(app: TestApp) {
    let a = app.token(ADMIN).await;
    let b = app.other_org().await;
    let hire = "future.hire@northwind.example";
    // Rival takes an address on Northwind's domain first: Northwind is not locked out of it.
    let taken_by_b = create_user(&app, &b, hire, "rival-hire-pass-1").await;
    assert_eq!(
        taken_by_b.status,
        StatusCode::CREATED,
        "{:?}",
        taken_by_b.body
    );
    let own = create_user(
        &app,
        &a,
        "Future.Hire@Northwind.example",
        "northwind-hire-1",
    )
    .await;
    assert_eq!(own.status, StatusCode::CREATED, "{:?}", own.body);
    // Within one org the address is taken: 409 naming the field, in both orgs.
    for token in [&a, &b] {
        let again = create_user(&app, token, hire, "yet-another-pass").await;
        assert_eq!(
            (again.status, again.code(), again.field()),
            (StatusCode::CONFLICT, "duplicate", "email"),
            "{:?}",
            again.body
        );
    }
    // An address of another org's user is never a conflict: not even the administrator's.
    let admin_address = create_user(&app, &b, ADMIN.0, "rival-copy-of-ada").await;
    assert_eq!(
        admin_address.status,
        StatusCode::CREATED,
        "{:?}",
        admin_address.body
    );

    // Each password signs in to its own org, without a choice.
    let northwind = app.token((hire, "northwind-hire-1")).await;
    assert_eq!(org_name_of(&app, &northwind).await, ORG_NAME);
    let rival = app.token((hire, "rival-hire-pass-1")).await;
    assert_eq!(org_name_of(&app, &rival).await, RIVAL_NAME);
    let ada = app.token(ADMIN).await;
    assert_eq!(org_name_of(&app, &ada).await, ORG_NAME);

    // A wrong password answers the same whether the email is in no org, one or two.
    let in_two = refusal(&app, hire, "wrong-password-1", None).await;
    let in_one = refusal(&app, fixtures::REP_EMAIL, "wrong-password-1", None).await;
    let in_none = refusal(&app, "nobody@northwind.example", "wrong-password-1", None).await;
    assert_eq!(in_two.0, 401);
    assert_eq!(in_two, in_one);
    assert_eq!(in_two, in_none);
}

async fn the_api_asks_which_org_only_among_those_where_the_password_is_right(app: TestApp) {
    let [northwind, rival, third] = shared_in_three_orgs(&app).await;
    // Two orgs where this password is right: the caller must name one, and only those two are
    // listed — never Third, where the email exists with another password.
    let ambiguous = token_request(&app, SHARED, PASSWORD, None).await;
    assert_eq!(
        (ambiguous.status, ambiguous.code()),
        (StatusCode::CONFLICT, "org_required"),
        "{:?}",
        ambiguous.body
    );
    assert_eq!(
        ambiguous.body["error"]["orgs"],
        json!([{"id": northwind, "name": ORG_NAME}, {"id": rival, "name": RIVAL_NAME}])
    );
    assert!(
        !ambiguous.body.to_string().contains(THIRD_NAME),
        "{:?}",
        ambiguous.body
    );
    // Naming one signs in to it.
    for (org, name) in [(rival, RIVAL_NAME), (northwind, ORG_NAME)] {
        let r = token_request(&app, SHARED, PASSWORD, Some(org)).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!(
            org_name_of(&app, r.body["token"].as_str().unwrap()).await,
            name
        );
    }
    // An org where this password is not right, or where the email is not, answers exactly
    // like a wrong password.
    let wrong = refusal(&app, SHARED, "wrong-password-1", None).await;
    assert_eq!(wrong.0, 401);
    assert_eq!(refusal(&app, SHARED, PASSWORD, Some(third)).await, wrong);
    assert_eq!(refusal(&app, SHARED, PASSWORD, Some(999_999)).await, wrong);
    assert_eq!(refusal(&app, ADMIN.0, ADMIN.1, Some(rival)).await, wrong);
    // The other password opens Third alone: no choice.
    let r = token_request(&app, SHARED, OTHER_PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(
        org_name_of(&app, r.body["token"].as_str().unwrap()).await,
        THIRD_NAME
    );
    // A bad `org` is a bad body.
    let bad = app
        .call(
            Method::POST,
            "/api/v1/auth/token",
            None,
            Some(json!({"email": SHARED, "password": PASSWORD, "org": "Rival"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // An inactive account is no candidate: with Rival's deactivated, Northwind's signs in.
    let rival_admin = app.token(fixtures::RIVAL_ADMIN).await;
    let users = app.get("/api/v1/users", &rival_admin).await;
    let shared_in_rival = users.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == SHARED)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let off = app
        .patch(
            &format!("/api/v1/users/{shared_in_rival}"),
            &rival_admin,
            json!({"active": false}),
        )
        .await;
    assert_eq!(off.status, StatusCode::OK, "{:?}", off.body);
    let r = token_request(&app, SHARED, PASSWORD, None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    assert_eq!(
        org_name_of(&app, r.body["token"].as_str().unwrap()).await,
        ORG_NAME
    );

    // The operator's CLI names the org when the email is in several.
    let cli = |org: Option<i64>| {
        portico_app::sign_in::issue_api_token_for(&app.state, SHARED, org, "cli", 60_000)
    };
    let ambiguous = cli(None).await.unwrap_err();
    assert_eq!(
        ambiguous.field_errors()[0].code,
        "org_required",
        "{ambiguous:?}"
    );
    let (_, issued) = cli(Some(third)).await.unwrap();
    assert_eq!(issued.org_id, third);
    let unknown = portico_app::sign_in::issue_api_token_for(
        &app.state,
        "nobody@partner.example",
        None,
        "cli",
        60_000,
    )
    .await
    .unwrap_err();
    assert_eq!(unknown.field_errors()[0].code, "unknown_user");
}

// ---- the admin sign-in, as a browser drives it ----

async fn send(app: &TestApp, cookie: &str, path: &str, form: Option<&[(&str, &str)]>) -> Page {
    let method = if form.is_some() {
        Method::POST
    } else {
        Method::GET
    };
    app.browse(cookie, method, path, form).await
}

/// The value of the hidden input `name` in a page.
fn hidden(html: &str, name: &str) -> String {
    let needle = format!("name=\"{name}\" value=\"");
    let at = html.find(&needle).unwrap_or_else(|| panic!("no {name}")) + needle.len();
    html[at..at + html[at..].find('"').unwrap()].to_string()
}

/// The org buttons of a choice page: (org id, name).
fn offered(html: &str) -> Vec<(i64, String)> {
    html.match_indices("name=\"org\" value=\"")
        .map(|(at, needle)| {
            let rest = &html[at + needle.len()..];
            let id = rest[..rest.find('"').unwrap()].parse().unwrap();
            let name = &rest[rest.find('>').unwrap() + 1..rest.find("</button>").unwrap()];
            (id, name.to_string())
        })
        .collect()
}

/// A sign-in as a browser posts it (the form's token and cookie): the answer, and the
/// sign-in cookie it was posted with.
async fn login(app: &TestApp, email: &str, password: &str) -> (Page, String) {
    let form = send(app, "", "/admin/login", None).await;
    let csrf = hidden(&form.body, "_csrf");
    let fields = [
        ("email", email),
        ("password", password),
        ("next", "/admin/home"),
        ("_csrf", csrf.as_str()),
    ];
    let answer = send(app, &form.cookie, "/admin/login", Some(&fields)).await;
    (answer, form.cookie)
}

/// An org choice page's answer for `org`.
async fn choose(app: &TestApp, page: &str, login_cookie: &str, org: &str) -> Page {
    let (choice, csrf) = (hidden(page, "choice"), hidden(page, "_csrf"));
    let fields = [
        ("choice", choice.as_str()),
        ("org", org),
        ("next", "/admin/home"),
        ("_csrf", csrf.as_str()),
    ];
    send(app, login_cookie, "/admin/login/org", Some(&fields)).await
}

/// The org whose name the admin pages show for a session.
async fn signed_in_org(app: &TestApp, session: &str) -> String {
    let home = send(app, session, "/admin/home", None).await;
    assert_eq!(home.status, StatusCode::OK);
    let at = home.body.find("<p class=\"org\">").unwrap() + "<p class=\"org\">".len();
    home.body[at..at + home.body[at..].find('<').unwrap()].to_string()
}

async fn the_admin_sign_in_offers_only_the_orgs_where_the_password_is_right(app: TestApp) {
    let [northwind, rival, third] = shared_in_three_orgs(&app).await;

    // After the password: a choice of exactly the two orgs where it is right.
    let (page, login_cookie) = login(&app, SHARED, PASSWORD).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Choose an org"));
    assert_eq!(
        offered(&page.body),
        [
            (northwind, ORG_NAME.to_string()),
            (rival, RIVAL_NAME.to_string())
        ]
    );
    assert!(!page.body.contains(THIRD_NAME));
    assert!(page.cookie.is_empty(), "no session before the choice");
    // Choosing one signs in to it.
    let chosen = choose(&app, &page.body, &login_cookie, &rival.to_string()).await;
    assert_eq!(
        (chosen.status, chosen.location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/home")
    );
    assert!(chosen.cookie.starts_with("portico_admin="));
    assert_eq!(signed_in_org(&app, &chosen.cookie).await, RIVAL_NAME);

    // The same choice again: used up.
    let expired = "expired or was already used";
    let replayed = choose(&app, &page.body, &login_cookie, &northwind.to_string()).await;
    assert_eq!(replayed.status, StatusCode::UNAUTHORIZED);
    assert!(replayed.body.contains(expired) && replayed.cookie.starts_with("portico_login="));

    // An org that was not offered is refused, and uses the choice up.
    let (page, login_cookie) = login(&app, SHARED, PASSWORD).await;
    let not_offered = choose(&app, &page.body, &login_cookie, &third.to_string()).await;
    assert_eq!(not_offered.status, StatusCode::UNAUTHORIZED);
    let after = choose(&app, &page.body, &login_cookie, &northwind.to_string()).await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
    let (page, login_cookie) = login(&app, SHARED, PASSWORD).await;
    let garbage = choose(&app, &page.body, &login_cookie, "Northwind").await;
    assert_eq!(garbage.status, StatusCode::UNAUTHORIZED);

    // A forged choice is refused.
    let (page, login_cookie) = login(&app, SHARED, PASSWORD).await;
    let forged = page
        .body
        .replace(&hidden(&page.body, "choice"), &"ab".repeat(32));
    let r = choose(&app, &forged, &login_cookie, &northwind.to_string()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains(expired));

    // Another site cannot answer a choice for the browser: without the sign-in cookie, 403.
    let (page, _) = login(&app, SHARED, PASSWORD).await;
    let r = choose(&app, &page.body, "", &northwind.to_string()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.cookie.starts_with("portico_login="), "a new sign-in form");

    // A choice lasts five minutes.
    let (page, login_cookie) = login(&app, SHARED, PASSWORD).await;
    app.advance(portico_app::org_choice::CHOICE_TTL_MS + 1);
    let late = choose(&app, &page.body, &login_cookie, &northwind.to_string()).await;
    assert_eq!(late.status, StatusCode::UNAUTHORIZED);

    // In time, Northwind.
    let (page, login_cookie) = login(&app, SHARED, PASSWORD).await;
    let chosen = choose(&app, &page.body, &login_cookie, &northwind.to_string()).await;
    assert_eq!(chosen.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in_org(&app, &chosen.cookie).await, ORG_NAME);

    // The other password goes straight to Third.
    let (direct, _) = login(&app, SHARED, OTHER_PASSWORD).await;
    assert_eq!(direct.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_in_org(&app, &direct.cookie).await, THIRD_NAME);

    // A wrong password answers the same page whether the email is in three orgs or none.
    let (wrong, _) = login(&app, SHARED, "wrong-password-1").await;
    let (unknown, _) = login(&app, "nobody@partner.example", "wrong-password-1").await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, wrong.status);
    let message = |a: &Page| {
        let at = a.body.find("role=\"alert\">").unwrap();
        a.body[at..at + a.body[at..].find('<').unwrap()].to_string()
    };
    assert_eq!(message(&wrong), message(&unknown));
    assert!(!wrong.body.contains("Choose an org"));
}

// ---- custom domains ----

mod domains {
    use super::*;

    async fn host_page(app: &TestApp, host: &str) -> (StatusCode, String) {
        let r = app
            .client
            .get(format!("{}/", app.base))
            .header("host", host)
            .send()
            .await
            .unwrap();
        (r.status(), r.text().await.unwrap())
    }

    async fn set_domain(app: &TestApp, token: &str, portal: i64, domain: &str) -> Reply {
        app.patch(
            &format!("/api/v1/portals/{portal}"),
            token,
            json!({"custom_domain": domain}),
        )
        .await
    }

    async fn verify(app: &TestApp, token: &str, portal: i64) -> Reply {
        app.post(
            &format!("/api/v1/portals/{portal}/domain/verify"),
            token,
            json!({}),
        )
        .await
    }

    /// The portal a host serves, by name: `None` when it serves none (it answers like any
    /// unknown host).
    async fn served(app: &TestApp, host: &str, names: &[&str]) -> Option<String> {
        let (status, html) = host_page(app, host).await;
        let unknown = host_page(app, "nobody-claimed-this.example").await;
        if status == StatusCode::OK {
            names
                .iter()
                .find(|n| html.contains(**n))
                .map(|n| n.to_string())
        } else {
            assert_eq!((status, html), unknown, "{host}: like an unknown host");
            None
        }
    }

    async fn custom_domains_are_claimed_per_org_until_verified(backend: Backend) {
        let (dns, answers) = portico_testkit::dns::test_dns().await;
        let Some(app) = support::spawn_configured(backend, |_, s| {
            s.dns_resolver = Some(dns);
        })
        .await
        else {
            return;
        };
        let a = app.token(ADMIN).await;
        let b = app.other_org().await;
        let a_portal = app.fx.portal;
        let b_portal = app
            .post("/api/v1/portals", &b, json!({"name": "Rival Clients"}))
            .await;
        assert_eq!(b_portal.status, StatusCode::CREATED, "{:?}", b_portal.body);
        let b_portal = b_portal.body["id"].as_i64().unwrap();
        let a_second = app
            .post("/api/v1/portals", &a, json!({"name": "Northwind Partners"}))
            .await
            .body["id"]
            .as_i64()
            .unwrap();
        let names = [PORTAL_NAME, "Rival Clients", "Northwind Partners"];
        let domain = "portal.shared.example";

        // B first tries a domain nobody claimed, and fails to verify it.
        let free = "free.shared.example";
        let claimed_free = set_domain(&app, &b, b_portal, free).await;
        assert_eq!(claimed_free.status, StatusCode::OK);
        let b_token = claimed_free.body["domain_verification"]["value"]
            .as_str()
            .unwrap()
            .to_string();
        answers.set_texts(&[]);
        let failed_free = verify(&app, &b, b_portal).await;

        // A claims the domain (unverified). B may claim it too, with the very answers B got
        // for the unclaimed one: nothing tells B that A claimed it.
        let claimed = set_domain(&app, &a, a_portal, domain).await;
        assert_eq!(claimed.status, StatusCode::OK, "{:?}", claimed.body);
        let a_token = claimed.body["domain_verification"]["value"]
            .as_str()
            .unwrap()
            .to_string();
        let claimed_by_b = set_domain(&app, &b, b_portal, domain).await;
        assert_eq!(
            claimed_by_b.body.to_string(),
            claimed_free.body.to_string().replace(free, domain)
        );
        let failed = verify(&app, &b, b_portal).await;
        assert_eq!(
            (failed.status, failed.body.to_string()),
            (
                failed_free.status,
                failed_free.body.to_string().replace(free, domain)
            )
        );
        assert_eq!(failed.code(), "domain_not_verified");
        assert!(!failed.body.to_string().contains(&a_token));
        // Within A, a second portal may not claim it.
        let twice = set_domain(&app, &a, a_second, domain).await;
        assert_eq!(
            (twice.status, twice.code()),
            (StatusCode::CONFLICT, "conflict"),
            "{:?}",
            twice.body
        );
        // Unverified claims route nowhere.
        assert_eq!(served(&app, domain, &names).await, None);

        // B verifies first: the domain serves B's portal, and only it.
        answers.set_texts(&[&a_token, &b_token]);
        let verified = verify(&app, &b, b_portal).await;
        assert_eq!(
            (verified.status, verified.body["domain_verified"].as_bool()),
            (StatusCode::OK, Some(true)),
            "{:?}",
            verified.body
        );
        assert_eq!(
            served(&app, domain, &names).await.as_deref(),
            Some("Rival Clients")
        );
        // A's claim stays unverified and cannot be verified while B's holds.
        let refused = verify(&app, &a, a_portal).await;
        assert_eq!(
            (refused.status, refused.code()),
            (StatusCode::CONFLICT, "conflict"),
            "{:?}",
            refused.body
        );
        let a_now = app.get(&format!("/api/v1/portals/{a_portal}"), &a).await;
        assert_eq!(
            (
                a_now.body["custom_domain"].as_str(),
                a_now.body["domain_verified"].as_bool()
            ),
            (Some(domain), Some(false)),
            "{:?}",
            a_now.body
        );
        assert_eq!(
            served(&app, domain, &names).await.as_deref(),
            Some("Rival Clients")
        );
        // A verified domain is public, so another portal is told it is taken.
        let taken = set_domain(&app, &a, a_second, domain).await;
        assert_eq!(taken.status, StatusCode::CONFLICT);

        // B moves away: nothing serves the domain until A verifies it.
        let moved = set_domain(&app, &b, b_portal, "portal.rival.example").await;
        assert_eq!(moved.status, StatusCode::OK);
        assert_eq!(served(&app, domain, &names).await, None);
        let verified = verify(&app, &a, a_portal).await;
        assert_eq!(verified.status, StatusCode::OK, "{:?}", verified.body);
        assert_eq!(
            served(&app, domain, &names).await.as_deref(),
            Some(PORTAL_NAME)
        );
        let back = set_domain(&app, &b, b_portal, domain).await;
        assert_eq!(back.status, StatusCode::CONFLICT);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        custom_domains_are_claimed_per_org_until_verified(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        custom_domains_are_claimed_per_org_until_verified(Backend::Postgres).await;
    }
}
