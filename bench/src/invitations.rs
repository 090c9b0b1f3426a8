//! A bulk invitation of N generated Contacts (default 10,000) through a real `portico serve`
//! process delivering to a real SMTP server (the test kit's aiosmtpd sink), then the same with
//! the server killed (SIGKILL) mid-batch and started again.
//!
//! Reported: the time until every invitation is in the outbox, the time until every email was
//! accepted by the SMTP server, failures by code, and whether every successful invitation's
//! email arrived exactly once (Message-IDs and recipients counted in the sink); for the kill
//! run, invitations lost (must be 0) and duplicate emails (only messages in flight at the
//! kill). The anchor, measured in the same run: N plain outbox rows written one transaction
//! each, in-process, on the same backend.
//!
//! `cargo build --release -p portico -p portico-bench && target/release/invitations
//!  [--records N] [--python /usr/bin/python3]`: it runs `target/release/portico` next to
//! itself and `crates/testkit/src/smtp_sink.py` with a Python that has `aiosmtpd`.

use portico_app::invitations::InviteTo;
use portico_app::users::NewUserInput;
use portico_app::{Context, Settings, system_clock};
use portico_domain::org::{OrgSettings, TimeFormat};
use portico_domain::outbox::{MailKind, NewMail};
use portico_domain::record::{RecordState, validate_data};
use portico_store::Store;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

type Res<T> = Result<T, String>;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn err(e: impl std::fmt::Debug) -> String {
    format!("{e:?}")
}

fn free_port() -> Res<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(err)?;
    Ok(l.local_addr().map_err(err)?.port())
}

/// The SMTP sink: a child process writing each message it accepts into `dir`.
struct Sink {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Sink {
    fn start(python: &str, root: &Path, dir: PathBuf) -> Res<Self> {
        std::fs::create_dir_all(&dir).map_err(err)?;
        let port = free_port()?;
        let mut child = Command::new(python)
            .arg(root.join("crates/testkit/src/smtp_sink.py"))
            .args(["127.0.0.1", &port.to_string()])
            .arg(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the SMTP sink with {python}: {e}"))?;
        let out = child.stdout.take().ok_or("no sink stdout")?;
        let mut line = String::new();
        BufReader::new(out).read_line(&mut line).map_err(err)?;
        if !line.starts_with("READY") {
            return Err(format!("the SMTP sink did not start: {line:?}"));
        }
        Ok(Self { child, dir, port })
    }

    /// (message count, recipients with how many messages each, distinct Message-IDs).
    fn received(&self) -> Res<(usize, HashMap<String, usize>, usize)> {
        let mut per_rcpt: HashMap<String, usize> = HashMap::new();
        let mut ids = HashSet::new();
        let mut n = 0;
        for entry in std::fs::read_dir(&self.dir).map_err(err)? {
            let path = entry.map_err(err)?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let v: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).map_err(err)?).map_err(err)?;
            n += 1;
            ids.insert(v["message_id"].as_str().unwrap_or("").to_string());
            for r in v["rcpt_tos"].as_array().into_iter().flatten() {
                *per_rcpt
                    .entry(r.as_str().unwrap_or("").to_lowercase())
                    .or_default() += 1;
            }
        }
        Ok((n, per_rcpt, ids.len()))
    }

    fn count(&self) -> usize {
        std::fs::read_dir(&self.dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().and_then(|x| x.to_str()) == Some("json"))
                    .count()
            })
            .unwrap_or(0)
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `portico serve` process on `db`, delivering to `smtp`.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(binary: &Path, db: &str, smtp: u16, port: u16) -> Res<Self> {
        let base = format!("http://127.0.0.1:{port}");
        let child = Command::new(binary)
            .args(["--database-url", db, "serve", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["--smtp-url", &format!("smtp://127.0.0.1:{smtp}")])
            .args(["--mail-from", "Bench <crm@bench.example>"])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let server = Self { child, base };
        for _ in 0..200 {
            if http(&server.base, "GET", "/healthz", "", None)
                .await
                .is_ok()
            {
                return Ok(server);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err("the server did not start".into())
    }

    fn kill(mut self) -> Res<()> {
        // SIGKILL: no graceful shutdown, nothing flushed.
        self.child.kill().map_err(err)?;
        self.child.wait().map_err(err)?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 client: one request per connection, JSON in and out.
async fn http(
    base: &str,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> Res<(u16, Value)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = base.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(host).await.map_err(err)?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).await.map_err(err)?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.map_err(err)?;
    let text = String::from_utf8_lossy(&raw);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or("no status")?;
    let json = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| serde_json::from_str(b).unwrap_or(Value::Null))
        .unwrap_or(Value::Null);
    Ok((status, json))
}

/// The generated world: an org, its portal, N Contacts, an API token.
struct World {
    portal: i64,
    user_type: i64,
    records: Vec<i64>,
    token: String,
    /// Which records were made to fail, by the code they must fail with.
    expected: BTreeMap<&'static str, usize>,
}

/// Record `i`'s data and state, and the failure it must give (`None`: it is invited).
fn generated(i: usize) -> (Value, RecordState, Option<&'static str>) {
    let name = format!("Contact {i}");
    let mut state = RecordState::default();
    let (email, code) = match i % 100 {
        0 => (None, Some("no_email")),
        1 => (Some(format!("it{i}@bench.example")), Some("same_domain")),
        2 => (
            Some(format!("bad!{i}@client.example")),
            Some("invalid_email"),
        ),
        3 => {
            state.approval_locked = true;
            (
                Some(format!("locked{i}@client.example")),
                Some("awaiting_approval"),
            )
        }
        4 => {
            state.in_review = true;
            (
                Some(format!("review{i}@client.example")),
                Some("under_review"),
            )
        }
        5 => (
            Some(format!("binned{i}@client.example")),
            Some("in_recycle_bin"),
        ),
        // The address of record i + 1: this one is invited first and record i + 1 then fails
        // (the count is the same). The recorded run used record i - 6's, which has no email.
        6 => (
            Some(format!("c{}@client.example", i + 1)),
            Some("already_invited"),
        ),
        _ => (Some(format!("c{i}@client.example")), None),
    };
    let mut data = json!({"Last_Name": name});
    if let Some(e) = email {
        data["Email"] = json!(e);
    }
    (data, state, code)
}

async fn build(db: &str, n: usize) -> Res<World> {
    let store = Store::open(db).map_err(err)?;
    store.migrate(0).await.map_err(err)?;
    let ctx = Context::new(store, Settings::system(), system_clock());
    let settings = OrgSettings {
        name: "Bench".into(),
        email_domain: "bench.example".into(),
        language: "en".into(),
        time_format: TimeFormat::TwentyFourHour,
        time_zone: "UTC".into(),
        country: "GB".into(),
        gdpr_consent_required: false,
    };
    let admin = NewUserInput {
        email: "admin@bench.example".into(),
        name: "Admin".into(),
        password: "bench-admin-password".into(),
        profile_id: 0,
        super_admin: true,
    };
    let (org, user) = portico_app::org::provision_org(&ctx, settings, admin)
        .await
        .map_err(err)?;
    let actor = portico_app::sign_in::actor(&ctx, org.id, user.id)
        .await
        .map_err(err)?;
    let (portal, user_type) = portico_app::portals::create_portal(&ctx, &actor, None)
        .await
        .map_err(err)?;
    let (token, _) = portico_app::sign_in::issue_api_token_for(
        &ctx,
        "admin@bench.example",
        Some(org.id),
        "bench",
        86_400_000,
    )
    .await
    .map_err(err)?;
    // The records go straight into the store (the use case would cost minutes at 10,000).
    let direct = Store::open(db).map_err(err)?;
    let contacts = direct.get_module(org.id, "Contacts").await.map_err(err)?;
    let fields = direct.list_fields(org.id, contacts.id).await.map_err(err)?;
    let mut records = Vec::with_capacity(n);
    let mut expected: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut tx = direct.transaction().await.map_err(err)?;
    for i in 0..n {
        let (data, state, code) = generated(i);
        let map = data.as_object().ok_or("not an object")?;
        let valid = validate_data(&fields, &contacts.name_fields, map, None).map_err(err)?;
        let r = tx
            .create_record(org.id, contacts.id, user.id, &valid, state, 0)
            .await
            .map_err(err)?;
        if code == Some("in_recycle_bin") {
            tx.delete_record(org.id, contacts.id, r.id, 0)
                .await
                .map_err(err)?;
        }
        *expected.entry(code.unwrap_or("sent")).or_default() += 1;
        records.push(r.id);
    }
    tx.commit().await.map_err(err)?;
    // Two that do not exist.
    records.extend([i64::MAX - 1, i64::MAX - 2]);
    *expected.entry("record_not_found").or_default() += 2;
    let _ = InviteTo {
        portal_id: portal.id,
        user_type_id: user_type.id,
        language: None,
    };
    Ok(World {
        portal: portal.id,
        user_type: user_type.id,
        records,
        token,
        expected,
    })
}

/// The anchor: N plain outbox rows, one transaction each, in-process.
async fn anchor(db: &str, n: usize) -> Res<f64> {
    let store = Store::open(db).map_err(err)?;
    store.migrate(0).await.map_err(err)?;
    let org = store
        .list_orgs()
        .await
        .map_err(err)?
        .first()
        .ok_or("no org")?
        .id;
    let text = "Hello,\n\nyou are invited.\n".repeat(20);
    let html = format!("<p>{}</p>", text.replace('\n', "<br>"));
    let start = Instant::now();
    for i in 0..n {
        let mail = NewMail::new(
            MailKind::Test,
            &format!("anchor{i}@client.example"),
            "en",
            "Anchor",
            &text,
            &html,
        )
        .map_err(err)?;
        let mut tx = store.transaction().await.map_err(err)?;
        tx.enqueue_mail(org, &mail, &format!("<anchor{i}@bench.example>"), 0)
            .await
            .map_err(err)?;
        tx.commit().await.map_err(err)?;
    }
    let took = start.elapsed().as_secs_f64();
    // Keep the anchor's rows out of the way of the delivery worker.
    let conn = rusqlite::Connection::open(db.trim_start_matches("sqlite:")).map_err(err)?;
    conn.execute("DELETE FROM outbox WHERE kind = 'test'", [])
        .map_err(err)?;
    Ok(took)
}

fn count(db: &str, sql: &str) -> Res<i64> {
    let conn = rusqlite::Connection::open(db.trim_start_matches("sqlite:")).map_err(err)?;
    conn.busy_timeout(Duration::from_secs(10)).map_err(err)?;
    conn.query_row(sql, [], |r| r.get(0)).map_err(err)
}

async fn start_batch(base: &str, w: &World) -> Res<i64> {
    let (status, body) = http(
        base,
        "POST",
        &format!("/api/v1/portals/{}/invitations", w.portal),
        &w.token,
        Some(&json!({"user_type": w.user_type, "records": w.records})),
    )
    .await?;
    if status != 202 {
        return Err(format!("starting the batch answered {status}: {body}"));
    }
    body["batch_id"]
        .as_i64()
        .ok_or_else(|| "no batch id".into())
}

async fn wait_done(base: &str, w: &World, batch: i64) -> Res<Value> {
    loop {
        let (status, body) = http(
            base,
            "GET",
            &format!(
                "/api/v1/portals/{}/invitations/{batch}?failed_limit=1",
                w.portal
            ),
            &w.token,
            None,
        )
        .await?;
        if status == 200 && body["state"] == "done" {
            return Ok(body);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn wait_delivered(db: &str, sink: &Sink, expect: i64, give_up: Duration) -> Res<f64> {
    let start = Instant::now();
    loop {
        let sent = count(db, "SELECT COUNT(*) FROM outbox WHERE state = 'sent'")?;
        if sent >= expect {
            return Ok(start.elapsed().as_secs_f64());
        }
        if start.elapsed() > give_up {
            return Err(format!(
                "only {sent} of {expect} delivered after {give_up:?} (sink has {})",
                sink.count()
            ));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn failures(db: &str) -> Res<BTreeMap<String, i64>> {
    let conn = rusqlite::Connection::open(db.trim_start_matches("sqlite:")).map_err(err)?;
    let mut stmt = conn
        .prepare("SELECT COALESCE(code, state), COUNT(*) FROM invitation_batch_items GROUP BY 1")
        .map_err(err)?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
        .map_err(err)?;
    rows.collect::<Result<_, _>>().map_err(err)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Res<()> {
    let n: usize = arg("--records")
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let python = arg("--python").unwrap_or_else(|| "/usr/bin/python3".into());
    let exe = std::env::current_exe().map_err(err)?;
    let bin_dir = exe.parent().ok_or("no binary directory")?;
    let binary = bin_dir.join("portico");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace")?
        .to_path_buf();
    let tmp = std::env::temp_dir().join(format!("portico-invitations-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(err)?;

    // 1. A normal run.
    let db = format!("sqlite:{}", tmp.join("normal.db").display());
    let w = build(&db, n).await?;
    let anchor_s = anchor(&db, n).await?;
    let sink = Sink::start(&python, &root, tmp.join("sink-normal"))?;
    let server = Server::start(&binary, &db, sink.port, free_port()?).await?;
    let start = Instant::now();
    let batch = start_batch(&server.base, &w).await?;
    let done = wait_done(&server.base, &w, batch).await?;
    let to_outbox = start.elapsed().as_secs_f64();
    let sent = done["sent"].as_i64().unwrap_or(0);
    let delivered_after = wait_delivered(&db, &sink, sent, Duration::from_secs(600)).await?;
    let to_delivered = to_outbox + delivered_after;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (messages, per_rcpt, ids) = sink.received()?;
    let twice = per_rcpt.values().filter(|c| **c > 1).count();
    println!(
        "{} records ({} with a failure cause), SQLite, release build",
        w.records.len(),
        w.records.len() as i64 - sent
    );
    println!(
        "anchor: {n} plain outbox rows, one transaction each      {anchor_s:>7.2} s ({:.3} ms each)",
        anchor_s * 1e3 / n as f64
    );
    println!(
        "bulk invitation: all {} items done, {sent} in the outbox   {to_outbox:>7.2} s ({:.3} ms per record), ratio {:.2}",
        w.records.len(),
        to_outbox * 1e3 / w.records.len() as f64,
        to_outbox / anchor_s
    );
    println!("delivered (accepted by the SMTP server): {to_delivered:.2} s after the request");
    println!(
        "sink: {messages} messages, {ids} distinct Message-IDs, {} recipients, {twice} recipients with more than one",
        per_rcpt.len()
    );
    println!(
        "exactly once: {}",
        messages as i64 == sent && ids == messages && twice == 0
    );
    println!("outcomes by code (expected in brackets):");
    for (code, got) in failures(&db)? {
        let want = w.expected.get(code.as_str()).copied().unwrap_or(0);
        println!("  {code:<20} {got:>6}  [{want}]");
    }
    server.kill()?;
    drop(sink);

    // 2. Killed mid-batch, started again.
    let db = format!("sqlite:{}", tmp.join("kill.db").display());
    let w = build(&db, n).await?;
    let sink = Sink::start(&python, &root, tmp.join("sink-kill"))?;
    let port = free_port()?;
    let server = Server::start(&binary, &db, sink.port, port).await?;
    let batch = start_batch(&server.base, &w).await?;
    while count(&db, "SELECT sent + failed FROM invitation_batches")? < (n as i64) / 3 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.kill()?;
    let at_kill = count(&db, "SELECT sent + failed FROM invitation_batches")?;
    let in_flight = count(&db, "SELECT COUNT(*) FROM outbox WHERE state = 'sending'")?;
    let restart = Instant::now();
    let server = Server::start(&binary, &db, sink.port, port).await?;
    let done = wait_done(&server.base, &w, batch).await?;
    let resumed = restart.elapsed().as_secs_f64();
    let sent = done["sent"].as_i64().unwrap_or(0);
    // Messages claimed when the server died stay `sending` until their lease (10 minutes)
    // ends; everything else is delivered now.
    wait_delivered(&db, &sink, sent - in_flight, Duration::from_secs(600)).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let users = count(&db, "SELECT COUNT(*) FROM portal_users")?;
    let rows = count(&db, "SELECT COUNT(*) FROM outbox WHERE kind = 'invitation'")?;
    let pending_items = count(
        &db,
        "SELECT COUNT(*) FROM invitation_batch_items WHERE state = 'pending'",
    )?;
    let (messages, per_rcpt, _) = sink.received()?;
    let duplicates: usize = per_rcpt.values().map(|c| c.saturating_sub(1)).sum();
    println!();
    println!(
        "kill test: SIGKILL after {at_kill} of {} items; {in_flight} emails in flight (claimed, not yet marked sent)",
        w.records.len()
    );
    println!(
        "  restarted: the batch resumed and finished in {resumed:.2} s (lease {} s)",
        portico_app::invitation_batches::LEASE_MS / 1000
    );
    println!(
        "  sent {sent}, portal users {users}, invitation emails in the outbox {rows}, items left pending {pending_items}"
    );
    println!(
        "  lost invitations: {}",
        (sent - rows).abs() + (sent - users).abs() + pending_items
    );
    println!(
        "  sink: {messages} messages; duplicate emails seen: {duplicates} (the {in_flight} in flight are sent again only when their 10-minute lease ends)"
    );
    let _ = std::io::stdout().flush();
    server.kill()?;
    drop(sink);
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}
