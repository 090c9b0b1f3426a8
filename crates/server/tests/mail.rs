//! Email end to end, on both backends, delivered to a real SMTP server the test starts
//! (aiosmtpd; see `portico_testkit::smtp`): the test email arrives once, multipart, with the
//! Message-ID stored at enqueue; an SMTP server that is down is retried with backoff until it
//! comes up, or given up on after the last attempt; two instances deliver 200 messages exactly
//! once; a claim whose instance died is taken again when its lease ends; without SMTP every
//! message stays pending and readable; the mail log (API and page) is for the org's
//! administrators only and never renders a message's HTML into the page.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use portico_domain::outbox::{DeliveryRule, MailKind, NewMail};
use portico_testkit::app::{MAIL_FROM, csrf_of};
use portico_testkit::fixtures::{ADMIN_EMAIL, ORG_NAME};
use portico_testkit::smtp::{SmtpSink, free_port, smtp_available};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::Duration;
use support::{ADMIN, REP, TestApp};

on_both_backends!(
    a_test_email_is_delivered_once_with_its_message_id,
    smtp_down_is_retried_with_backoff_until_it_comes_up,
    delivery_gives_up_after_the_last_attempt_or_a_refusal,
    two_instances_deliver_200_messages_exactly_once,
    an_expired_lease_returns_a_stuck_message,
    without_smtp_mail_stays_pending_and_is_listed,
    the_mail_api_is_for_administrators_of_the_org,
    the_mail_log_page_never_renders_a_messages_html,
);

const WAIT: Duration = Duration::from_secs(20);

/// `POST /api/v1/mail/test` as the administrator: the queued message as the API shows it.
async fn send_test(app: &TestApp, token: &str) -> Value {
    let r = app.post("/api/v1/mail/test", token, json!(null)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    r.body
}

async fn mail(app: &TestApp, token: &str, id: i64) -> Value {
    let r = app.get(&format!("/api/v1/mail/{id}"), token).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body
}

/// Polls the API until message `id` is in `state`.
async fn until_state(app: &TestApp, token: &str, id: i64, state: &str) -> Value {
    let start = std::time::Instant::now();
    loop {
        let m = mail(app, token, id).await;
        if m["state"] == state {
            return m;
        }
        assert!(
            start.elapsed() < WAIT,
            "mail {id} never became {state}: {m}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One delivery round on the app's instance, to the server at `url`.
async fn round(app: &TestApp, url: &str) -> portico_app::mail_delivery::DeliveryRound {
    portico_app::mail_delivery::deliver_due(&app.state, &app.mailer(url), 10)
        .await
        .unwrap()
}

/// Writes a message to the org's outbox directly (as a use case would), to `to`.
async fn enqueue(app: &TestApp, to: &str, n: usize) -> i64 {
    let org = app.org_of(ADMIN_EMAIL).await;
    let m = NewMail::new(
        MailKind::Test,
        to,
        "en",
        &format!("Message {n}"),
        &format!("Text of message {n}"),
        &format!("<p>HTML of message {n}</p>"),
    )
    .unwrap();
    let id = format!("<n{n}.{}@northwind.example>", app.state.now());
    app.store
        .enqueue_mail(org, &m, &id, app.state.now())
        .await
        .unwrap()
        .summary
        .id
}

async fn a_test_email_is_delivered_once_with_its_message_id(app: TestApp) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let token = app.token(ADMIN).await;
    let queued = send_test(&app, &token).await;
    assert_eq!(
        (&queued["state"], &queued["attempts"], &queued["kind"]),
        (&json!("pending"), &json!(0), &json!("test"))
    );
    let id = queued["id"].as_i64().unwrap();
    let message_id = queued["message_id"].as_str().unwrap().to_string();
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@127.0.0.1>"),
        "<random@host of the base URL>: {message_id}"
    );
    let worker = app.start_delivery(&sink.url());
    let got = sink.wait_for(1, WAIT).await;
    let sent = until_state(&app, &token, id, "sent").await;
    assert_eq!(sent["attempts"], 1);
    assert!(sent["sent_at"].is_string() && sent["next_attempt_at"].is_null());
    assert!(sent["last_error"].is_null());

    let m = &got[0];
    assert_eq!(m.header("message_id"), message_id, "the stored Message-ID");
    assert_eq!(m.header("from"), MAIL_FROM);
    assert_eq!(m.header("to"), ADMIN_EMAIL);
    assert_eq!(m.parsed["rcpt_tos"], json!([ADMIN_EMAIL]));
    assert_eq!(m.parsed["mail_from"], "crm@northwind.example");
    assert_eq!(
        m.header("subject"),
        format!("Test email from Portico for {ORG_NAME}")
    );
    assert_eq!(m.header("subject"), sent["subject"]);
    assert_eq!(m.header("content_language"), "en");
    assert_eq!(m.header("content_type"), "multipart/alternative");
    assert!(!m.header("date").is_empty());
    let link = format!("{}/admin/setup/mail", app.base);
    let text = m.part("text/plain").unwrap();
    assert!(text.contains(&format!("test email from Portico for {ORG_NAME}")));
    assert!(text.contains(&link), "links come from the base URL: {text}");
    let html = m.part("text/html").unwrap();
    assert!(html.contains(&format!("href=\"{link}\"")), "{html}");
    let parts: Vec<&Value> = m.parsed["parts"].as_array().unwrap().iter().collect();
    assert_eq!(
        parts
            .iter()
            .map(|p| p["content_type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["text/plain", "text/html"]
    );
    // What was sent is what the outbox holds (SMTP carries lines ending in CRLF).
    let stored = mail(&app, &token, id).await;
    let lines = |s: &str| s.replace("\r\n", "\n").trim().to_string();
    assert_eq!(lines(stored["text"].as_str().unwrap()), lines(text));
    assert_eq!(lines(stored["html"].as_str().unwrap()), lines(html));

    // Exactly once: the worker keeps polling and sends nothing more.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(sink.received().len(), 1);
    worker.abort();

    // The test email was audited in the same transaction.
    let org = app.org_of(ADMIN_EMAIL).await;
    let audit = app.store.audit_log(org, 10).await.unwrap();
    let entry = audit.iter().find(|e| e.action == "mail.test").unwrap();
    assert_eq!(entry.actor, ADMIN_EMAIL);
    assert_eq!(entry.detail["mail_id"], id);
}

/// A test email queued while the SMTP server is down (nothing listens on its port yet):
/// the admin's token, the port, the server's URL and the message's id.
async fn queued_while_down(app: &TestApp) -> Option<(String, u16, String, i64)> {
    if !smtp_available() {
        return None;
    }
    let token = app.token(ADMIN).await;
    let port = free_port();
    let id = send_test(app, &token).await["id"].as_i64().unwrap();
    Some((token, port, format!("smtp://127.0.0.1:{port}"), id))
}

async fn smtp_down_is_retried_with_backoff_until_it_comes_up(app: TestApp) {
    let Some((token, port, url, id)) = queued_while_down(&app).await else {
        return;
    };
    let message_id = mail(&app, &token, id).await["message_id"].clone();

    let before = app.state.now();
    let r = round(&app, &url).await;
    assert_eq!((r.claimed, r.retried, r.sent), (1, 1, 0));
    let org = app.org_of(ADMIN_EMAIL).await;
    let stored = app.store.get_mail(org, id).await.unwrap().summary;
    assert_eq!(stored.state.as_str(), "pending");
    assert_eq!(stored.attempts, 1);
    let wait = stored.next_attempt_at - before;
    assert!(
        (60_000..61_000).contains(&wait),
        "the first retry waits a minute, not {wait} ms"
    );
    let error = stored.last_error.unwrap();
    assert!(error.to_lowercase().contains("connect"), "{error}");
    let shown = mail(&app, &token, id).await;
    assert_eq!(shown["last_error"], error.as_str());
    assert!(shown["next_attempt_at"].is_string());

    // Not due before its time, even once the server is up.
    assert_eq!(round(&app, &url).await.claimed, 0);
    let sink = SmtpSink::start_on(port).unwrap();
    assert_eq!(round(&app, &url).await.claimed, 0);
    assert!(sink.received().is_empty());
    app.advance(60_000);
    let r = round(&app, &url).await;
    assert_eq!((r.claimed, r.sent), (1, 1));
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(
        got[0].header("message_id"),
        message_id,
        "stable across attempts"
    );
    let sent = mail(&app, &token, id).await;
    assert_eq!(
        (&sent["state"], &sent["attempts"]),
        (&json!("sent"), &json!(2))
    );
    assert!(sent["last_error"].is_null(), "a success clears the error");
}

async fn delivery_gives_up_after_the_last_attempt_or_a_refusal(app: TestApp) {
    let Some((token, port, url, id)) = queued_while_down(&app).await else {
        return;
    };
    let org = app.org_of(ADMIN_EMAIL).await;
    let rule = DeliveryRule::STANDARD;
    let mut waits = Vec::new();
    for attempt in 1..=rule.max_attempts {
        let at = app.state.now();
        let r = round(&app, &url).await;
        assert_eq!(r.claimed, 1, "attempt {attempt}");
        let m = app.store.get_mail(org, id).await.unwrap().summary;
        assert_eq!(m.attempts, attempt);
        if attempt < rule.max_attempts {
            assert_eq!((r.retried, m.state.as_str()), (1, "pending"));
            let wait = m.next_attempt_at - at;
            waits.push(wait / 60_000);
            app.advance(wait);
        } else {
            assert_eq!((r.failed, m.state.as_str()), (1, "failed"));
        }
    }
    assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60], "minutes between attempts");
    let failed = mail(&app, &token, id).await;
    assert_eq!(failed["state"], "failed");
    assert_eq!(failed["attempts"], rule.max_attempts);
    assert!(
        failed["last_error"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("connect")
    );
    assert!(failed["next_attempt_at"].is_null() && failed["sent_at"].is_null());
    app.advance(24 * 3_600_000);
    assert_eq!(round(&app, &url).await.claimed, 0, "never tried again");

    // A server that refuses a recipient for good (550) fails the message at once; one that
    // refuses for now (451) gets it retried.
    let sink = SmtpSink::start_on(port).unwrap();
    let refused = enqueue(&app, "reject.me@client.example", 1).await;
    let busy = enqueue(&app, "busy.box@client.example", 2).await;
    let r = round(&app, &sink.url()).await;
    assert_eq!((r.claimed, r.failed, r.retried), (2, 1, 1));
    let refused = app.store.get_mail(org, refused).await.unwrap().summary;
    assert_eq!((refused.state.as_str(), refused.attempts), ("failed", 1));
    assert!(refused.last_error.unwrap().contains("550"));
    let busy = app.store.get_mail(org, busy).await.unwrap().summary;
    assert_eq!(busy.state.as_str(), "pending");
    assert!(busy.last_error.unwrap().contains("451"));
    assert!(sink.received().is_empty());
}

/// Two instances on one database, each running its worker, as two `portico serve` behind a
/// load balancer would: 200 messages arrive, each exactly once.
async fn two_instances_deliver_200_messages_exactly_once(app: TestApp) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let token = app.token(ADMIN).await;
    for n in 0..200 {
        enqueue(&app, &format!("client{n}@client.example"), n).await;
    }
    let other = app.second_instance().await;
    let workers = [
        app.start_delivery(&sink.url()),
        other.start_delivery(&sink.url()),
    ];
    sink.wait_for(200, Duration::from_secs(60)).await;
    let start = std::time::Instant::now();
    loop {
        let r = app.get("/api/v1/mail?state=sent&limit=200", &token).await;
        if r.body["items"].as_array().unwrap().len() == 200 {
            break;
        }
        assert!(start.elapsed() < WAIT, "not all marked sent");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for w in workers {
        w.abort();
    }
    let got = sink.received();
    assert_eq!(got.len(), 200, "each message exactly once");
    let ids: BTreeSet<&str> = got.iter().map(|m| m.header("message_id")).collect();
    assert_eq!(ids.len(), 200);
    let to: BTreeSet<&str> = got.iter().map(|m| m.header("to")).collect();
    assert_eq!(to.len(), 200);
    let r = app.get("/api/v1/mail?state=sent&limit=200", &token).await;
    assert!(
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["attempts"] == 1)
    );
}

async fn an_expired_lease_returns_a_stuck_message(app: TestApp) {
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let token = app.token(ADMIN).await;
    let id = send_test(&app, &token).await["id"].as_i64().unwrap();
    // An instance claims it and dies before sending (or before recording the outcome).
    let rule = DeliveryRule::STANDARD;
    let claimed = app
        .store
        .claim_mail(&rule, app.state.now(), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let shown = mail(&app, &token, id).await;
    assert_eq!(
        (&shown["state"], &shown["attempts"]),
        (&json!("sending"), &json!(1))
    );
    // While the lease holds, no other worker takes it.
    assert_eq!(round(&app, &sink.url()).await.claimed, 0);
    app.advance(rule.lease_ms);
    let r = round(&app, &sink.url()).await;
    assert_eq!((r.claimed, r.sent), (1, 1));
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got[0].header("message_id"), shown["message_id"]);
    let sent = mail(&app, &token, id).await;
    assert_eq!(
        (&sent["state"], &sent["attempts"]),
        (&json!("sent"), &json!(2))
    );
    // The dead instance's claim can no longer write an outcome.
    assert!(
        !app.store
            .mark_mail_sent(id, 1, app.state.now())
            .await
            .unwrap()
    );
}

async fn without_smtp_mail_stays_pending_and_is_listed(app: TestApp) {
    let token = app.token(ADMIN).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(send_test(&app, &token).await["id"].as_i64().unwrap());
    }
    ids.reverse();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let all = app.get("/api/v1/mail", &token).await;
    assert_eq!(all.status, StatusCode::OK);
    let items = all.body["items"].as_array().unwrap();
    assert_eq!(
        items
            .iter()
            .map(|m| m["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        ids,
        "newest first"
    );
    assert!(
        items.iter().all(|m| m["state"] == "pending"
            && m["attempts"] == 0
            && m["recipient"] == ADMIN_EMAIL)
    );
    assert!(all.body["next"].is_null());
    assert!(items[0].get("html").is_none(), "lists leave the bodies out");
    let first = app.get("/api/v1/mail?limit=2", &token).await;
    assert_eq!(first.body["items"].as_array().unwrap().len(), 2);
    let next = first.body["next"].as_str().unwrap();
    let rest = app
        .get(&format!("/api/v1/mail?limit=2&after={next}"), &token)
        .await;
    assert_eq!(rest.body["items"][0]["id"], ids[2]);
    assert!(rest.body["next"].is_null());
    let sent = app.get("/api/v1/mail?state=sent", &token).await;
    assert!(sent.body["items"].as_array().unwrap().is_empty());
    let pending = app.get("/api/v1/mail?state=pending", &token).await;
    assert_eq!(pending.body["items"].as_array().unwrap().len(), 3);
    let one = mail(&app, &token, ids[0]).await;
    assert!(one["text"].as_str().unwrap().contains(ORG_NAME));
    assert!(one["html"].as_str().unwrap().contains("<p>"));

    // The mail log says why, and lists them.
    let cookie = app.admin_cookie(ADMIN).await;
    let page = app
        .browse(&cookie, Method::GET, "/admin/setup/mail", None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("No SMTP server is configured"));
    assert_eq!(
        page.body.matches("Test email from Portico for").count(),
        3,
        "{}",
        page.body
    );
}

async fn the_mail_api_is_for_administrators_of_the_org(app: TestApp) {
    let admin = app.token(ADMIN).await;
    let id = send_test(&app, &admin).await["id"].as_i64().unwrap();
    let rep = app.token(REP).await;
    for r in [
        app.get("/api/v1/mail", &rep).await,
        app.get(&format!("/api/v1/mail/{id}"), &rep).await,
        app.post("/api/v1/mail/test", &rep, json!(null)).await,
    ] {
        assert_eq!((r.status, r.code()), (StatusCode::FORBIDDEN, "forbidden"));
    }
    let anonymous = app.call(Method::GET, "/api/v1/mail", None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let listed = app.get("/api/v1/mail", &admin).await;
    assert_eq!(
        listed.body["items"].as_array().unwrap().len(),
        1,
        "the rep's refused test email was never written"
    );
    for (query, field, code) in [
        ("state=bogus", "state", "invalid_state"),
        ("limit=0", "limit", "out_of_range"),
        ("limit=201", "limit", "out_of_range"),
        ("after=x", "after", "invalid_number"),
        ("colour=red", "colour", "unknown_parameter"),
    ] {
        let r = app.get(&format!("/api/v1/mail?{query}"), &admin).await;
        assert_eq!(
            (r.status, r.field(), r.code()),
            (StatusCode::UNPROCESSABLE_ENTITY, field, code),
            "{query}"
        );
    }
    for path in ["/api/v1/mail/abc", "/api/v1/mail/999999"] {
        assert_eq!(app.get(path, &admin).await.status, StatusCode::NOT_FOUND);
    }

    // Another org's administrator sees none of it, and its mail stays its own.
    let rival = app.other_org().await;
    let theirs = app.get("/api/v1/mail", &rival).await;
    assert!(theirs.body["items"].as_array().unwrap().is_empty());
    let probe = app.get(&format!("/api/v1/mail/{id}"), &rival).await;
    assert_eq!(probe.status, StatusCode::NOT_FOUND);
    assert_eq!(
        probe.body,
        app.get("/api/v1/mail/999999", &rival).await.body
    );
    let own = send_test(&app, &rival).await;
    let mine = app.get("/api/v1/mail", &admin).await;
    assert!(
        mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["id"] != own["id"])
    );
    let other = app
        .get(&format!("/api/v1/mail/{}", own["id"]), &admin)
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
}

async fn the_mail_log_page_never_renders_a_messages_html(app: TestApp) {
    let org = app.org_of(ADMIN_EMAIL).await;
    let hostile = NewMail::new(
        MailKind::Test,
        "carla@client.example",
        "en",
        "Hello <b>there</b>",
        "Text with <script>alert(1)</script>",
        "<p>Hi</p><script>alert(2)</script><img src=x onerror=alert(3)>\"'",
    )
    .unwrap();
    let id = app
        .store
        .enqueue_mail(
            org,
            &hostile,
            "<hostile@northwind.example>",
            app.state.now(),
        )
        .await
        .unwrap()
        .summary
        .id;
    let cookie = app.admin_cookie(ADMIN).await;
    let page = app
        .browse(
            &cookie,
            Method::GET,
            &format!("/admin/setup/mail/{id}"),
            None,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(!body.contains("<script>alert"), "{body}");
    assert!(!body.contains("<img src=x"), "{body}");
    assert!(!body.contains("<b>there</b>"));
    assert!(
        body.contains("&#60;script&#62;alert(2)"),
        "the HTML source, escaped"
    );
    let frame = body.find("<iframe").unwrap();
    let tag = &body[frame..frame + body[frame..].find('>').unwrap()];
    assert!(tag.contains("sandbox=\"\""), "a sandboxed frame: {tag}");
    assert!(tag.contains("srcdoc=\"&#60;p&#62;Hi&#60;/p&#62;"), "{tag}");
    assert!(body.contains("Text with &#60;script&#62;alert(1)"));
    let log = app
        .browse(&cookie, Method::GET, "/admin/setup/mail", None)
        .await;
    assert!(log.body.contains("Hello &#60;b&#62;there&#60;/b&#62;"));

    // "Send a test email" is a CSRF-protected form.
    let token = csrf_of(&log.body);
    let forged = app
        .browse(
            &cookie,
            Method::POST,
            "/admin/setup/mail/test",
            Some(&[("_csrf", "forged")]),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let sent = app
        .browse(
            &cookie,
            Method::POST,
            "/admin/setup/mail/test",
            Some(&[("_csrf", token.as_str())]),
        )
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    assert!(sent.location.starts_with("/admin/setup/mail?flash="));
    let after = app.browse(&cookie, Method::GET, &sent.location, None).await;
    assert!(after.body.contains("stays pending"), "{}", after.body);
    assert_eq!(after.body.matches("Test email from Portico for").count(), 1);

    // A sales rep gets neither the log nor a message.
    let rep = app.admin_cookie(REP).await;
    for path in [
        "/admin/setup/mail".to_string(),
        format!("/admin/setup/mail/{id}"),
    ] {
        let p = app.browse(&rep, Method::GET, &path, None).await;
        assert_eq!(p.status, StatusCode::FORBIDDEN, "{path}");
        assert!(!p.body.contains("carla@client.example"));
    }
    let p = app
        .browse(
            &rep,
            Method::POST,
            "/admin/setup/mail/test",
            Some(&[(
                "_csrf",
                csrf_of(
                    &app.browse(&rep, Method::GET, "/admin/home", None)
                        .await
                        .body,
                )
                .as_str(),
            )]),
        )
        .await;
    assert_eq!(p.status, StatusCode::FORBIDDEN);
}

/// The `portico` binary as an operator runs it: `serve --smtp-url … --mail-from …` starts the
/// delivery worker, and `mail list` shows the outbox; `--smtp-url` without a sender is refused
/// at start-up.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portico_serve_delivers_and_portico_mail_lists() {
    use std::process::{Command, Stdio};
    let Some(sink) = SmtpSink::start() else {
        return;
    };
    let portico = env!("CARGO_BIN_EXE_portico");
    let db = portico_testkit::sqlite_url();
    let run = |args: &[&str], stdin: &str| {
        let mut child = Command::new(portico)
            .args(args)
            .env("PORTICO_DATABASE_URL", &db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (ok, out) = run(
        &[
            "admin",
            "create",
            "--org-name",
            "Acme",
            "--domain",
            "acme.example",
            "--email",
            "boss@acme.example",
            "--name",
            "Boss",
        ],
        "binary-test-pass-1\n",
    );
    assert!(ok, "{out}");

    let refused = run(&["serve", "--smtp-url", &sink.url()], "");
    assert!(!refused.0);
    assert!(refused.1.contains("--mail-from"), "{}", refused.1);

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    struct Server(std::process::Child);
    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Server(
        Command::new(portico)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args([
                "--smtp-url",
                &sink.url(),
                "--mail-from",
                "Acme CRM <crm@acme.example>",
            ])
            .env("PORTICO_DATABASE_URL", &db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let client = reqwest::Client::new();
    let start = std::time::Instant::now();
    while !client
        .get(format!("{base}/readyz"))
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the server never got ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let token: Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"email": "boss@acme.example", "password": "binary-test-pass-1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["token"].as_str().unwrap();
    let queued = client
        .post(format!("{base}/api/v1/mail/test"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(queued.status(), StatusCode::CREATED);
    let got = sink.wait_for(1, WAIT).await;
    assert_eq!(got[0].header("from"), "Acme CRM <crm@acme.example>");
    assert_eq!(got[0].header("to"), "boss@acme.example");
    assert!(got[0].header("message_id").ends_with("@127.0.0.1>"));
    assert!(
        got[0]
            .part("text/plain")
            .unwrap()
            .contains(&format!("{base}/admin/setup/mail"))
    );

    let start = std::time::Instant::now();
    loop {
        let (ok, out) = run(&["mail", "list", "--org", "1"], "");
        assert!(ok, "{out}");
        if out.contains(" sent ") {
            assert!(
                out.contains("boss@acme.example")
                    && out.contains("Test email from Portico for Acme")
            );
            break;
        }
        assert!(start.elapsed() < WAIT, "never listed as sent: {out}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (ok, out) = run(&["mail", "list", "--org", "99"], "");
    assert!(!ok && out.contains("no org with id 99"), "{out}");
    let (ok, out) = run(&["mail", "list", "--org", "1", "--state", "lost"], "");
    assert!(!ok && out.contains("--state"), "{out}");
}
