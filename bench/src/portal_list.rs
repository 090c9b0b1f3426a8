//! Portal list page benchmark: a signed-in portal user's `GET /p/{slug}/m/Cases?per=50` through
//! Portico's real router, against an anchor that runs the same SELECT (the store's counted,
//! linked page query, text copied from `portico_store`) on the same database file through one
//! rusqlite connection and renders the same rows with the same template engine (askama, a
//! table like `portal/list.html`'s) — without authentication, scope, field mask, audit, lookup
//! names or formatting.
//!
//! It creates a fresh SQLite database in a temp directory: an org with the standard modules, a
//! portal whose Client Portal type shares Cases linked to the user's Contact by `Contact_Name`,
//! `--records` Cases (default 5,000) of which every `--every`-th (default 20: 250) is linked to
//! the portal user's Contact and the rest to another Contact, each also pointing at one of ten
//! Accounts (not shared: the lookup column shows "not shared"), and an active portal user with
//! a session. Requests go to the router in-process (no socket), one at a time, Portico and the
//! anchor alternating request by request so machine noise hits both: a warm-up, then
//! `--requests` (default 400) each. It prints median, p90, p99 and maximum latency, the ratios
//! Portico ÷ anchor of the medians and p99s, and SQL statements per page for both (Portico: the
//! store's statement counter).
//!
//! Usage: `cargo run --release -p portico-bench --bin portal_list [-- --records N --every N
//! --requests N --per N]`.

use askama::Template;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use portico_app::{Context, Settings};
use portico_domain::module::ApiName;
use portico_domain::org::{OrgSettings, TimeFormat};
use portico_domain::portal::{TabModule, TabRole, TabView};
use portico_domain::portal_user::{NewPortalUser, PortalUserStatus, Preferences};
use portico_domain::profile::ModulePermissions;
use portico_domain::record::{RecordState, validate_data};
use portico_domain::{Id, Millis};
use portico_store::{PortalSession, Store};
use portico_web::{AppState, WebConfig};
use rusqlite::{Connection, OpenFlags};
use serde_json::{Map, Value, json};
use std::path::Path;
use std::time::{Duration, Instant};
use tower_service::Service;

struct Options {
    records: i64,
    every: i64,
    requests: usize,
    per: i64,
}

fn options() -> Result<Options, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut o = Options {
        records: 5_000,
        every: 20,
        requests: 400,
        per: 50,
    };
    let mut i = 0;
    while i < args.len() {
        let value = args
            .get(i + 1)
            .ok_or_else(|| format!("{} needs a value", args[i]))?;
        let n: i64 = value
            .parse()
            .map_err(|_| format!("{} takes a whole number, not {value}", args[i]))?;
        match args[i].as_str() {
            "--records" => o.records = n,
            "--every" => o.every = n,
            "--requests" => o.requests = usize::try_from(n).map_err(|e| e.to_string())?,
            "--per" => o.per = n,
            other => return Err(format!("unknown option {other}")),
        }
        i += 2;
    }
    if o.records < 1 || o.every < 1 || o.requests < 1 || o.per < 1 {
        return Err("every option must be at least 1".into());
    }
    Ok(o)
}

const SLUG: &str = "bench-clients";
const NOW: Millis = 1_750_000_000_000;

/// What the set-up made: the app, the session cookie and what the anchor needs.
struct Setup {
    state: AppState,
    cookie: String,
    org: Id,
    cases: Id,
    client: Id,
    contact_name: Id,
    linked: i64,
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

async fn set_up(opts: &Options, url: &str) -> Result<Setup, String> {
    let store = Store::open(url).map_err(err)?;
    let clock = portico_app::system_clock();
    store.migrate(clock()).await.map_err(err)?;
    let ctx = Context::new(store, Settings::default(), clock);
    let settings = OrgSettings {
        name: "Northwind".into(),
        email_domain: "northwind.example".into(),
        language: "en".into(),
        time_format: TimeFormat::TwentyFourHour,
        time_zone: "UTC".into(),
        country: "US".into(),
        gdpr_consent_required: false,
    };
    let admin = portico_app::users::NewUserInput {
        email: "admin@northwind.example".into(),
        name: "Bench Admin".into(),
        password: "bench-admin-password".into(),
        profile_id: 0,
        super_admin: true,
    };
    let (_, admin) = portico_app::org::provision_org(&ctx, settings.clone(), admin)
        .await
        .map_err(err)?;
    let org = admin.org_id;
    let actor = portico_app::sign_in::actor(&ctx, org, admin.id)
        .await
        .map_err(err)?;
    let (portal, client_type) =
        portico_app::portals::create_portal(&ctx, &actor, Some("Bench Clients".into()))
            .await
            .map_err(err)?;
    if portal.settings.slug.as_str() != SLUG {
        return Err(format!("unexpected slug {}", portal.settings.slug.as_str()));
    }
    let cat = portico_app::catalogue::org_catalogue(&ctx, &actor)
        .await
        .map_err(err)?;
    let mut config = client_type.config.clone();
    config.modules.push(TabModule {
        module: ApiName::parse("Cases").map_err(err)?,
        role: TabRole::Related,
        permissions: ModulePermissions {
            view: true,
            ..Default::default()
        },
        view: TabView::List,
        lookup_fields: vec!["Contact_Name".into()],
        layouts: cat.view().first_layout_access("Cases", &[], |_| false),
    });
    portico_app::user_types::replace_user_type(&ctx, &actor, portal.id, client_type.id, config)
        .await
        .map_err(err)?;

    // The records, through the store's real write path, a thousand per transaction.
    let direct = Store::open(url).map_err(err)?;
    let module = |name: &'static str| {
        let direct = &direct;
        async move {
            let m = direct.get_module(org, name).await.map_err(err)?;
            let fields = direct.list_fields(org, m.id).await.map_err(err)?;
            Ok::<_, String>((m, fields))
        }
    };
    let (accounts_m, accounts_f) = module("Accounts").await?;
    let (contacts_m, contacts_f) = module("Contacts").await?;
    let (cases_m, cases_f) = module("Cases").await?;
    let contact_name = cases_f
        .iter()
        .find(|f| f.api_name.as_str() == "Contact_Name")
        .map(|f| f.id)
        .ok_or("no Contact_Name field")?;
    let mut tx = direct.transaction().await.map_err(err)?;
    let create = async |tx: &mut portico_store::Tx,
                        m: &portico_domain::module::Module,
                        fields: &[portico_domain::field::Field],
                        data: Value,
                        at: Millis|
           -> Result<Id, String> {
        let map = data.as_object().ok_or("not an object")?;
        let valid = validate_data(fields, &m.name_fields, map, None).map_err(err)?;
        let r = tx
            .create_record(org, m.id, admin.id, &valid, RecordState::default(), at)
            .await
            .map_err(err)?;
        Ok(r.id)
    };
    let mut accounts = Vec::new();
    for i in 0..10 {
        let data = json!({"Account_Name": format!("Account {i}")});
        accounts.push(create(&mut tx, &accounts_m, &accounts_f, data, NOW).await?);
    }
    let contact =
        json!({"First_Name": "Carla", "Last_Name": "Client", "Email": "carla@client.example"});
    let client = create(&mut tx, &contacts_m, &contacts_f, contact, NOW).await?;
    let other = json!({"First_Name": "Otto", "Last_Name": "Other", "Email": "otto@other.example"});
    let other = create(&mut tx, &contacts_m, &contacts_f, other, NOW).await?;
    tx.commit().await.map_err(err)?;
    const STATUS: [&str; 4] = ["New", "Escalated", "On Hold", "Closed"];
    const PRIORITY: [&str; 3] = ["High", "Medium", "Low"];
    let pick = |list: &[&'static str], i: i64| list[usize::try_from(i).unwrap_or(0) % list.len()];
    let mut linked = 0;
    let mut i = 0;
    while i < opts.records {
        let mut tx = direct.transaction().await.map_err(err)?;
        for i in i..opts.records.min(i + 1000) {
            let mine = i % opts.every == 0;
            linked += i64::from(mine);
            let account = accounts[usize::try_from(i).unwrap_or(0) % accounts.len()];
            let data = json!({
                "Subject": format!("Case {i}: the printer on floor {} jams", i % 7),
                "Contact_Name": if mine { client } else { other },
                "Account_Name": account,
                "Status": pick(&STATUS, i),
                "Priority": pick(&PRIORITY, i / 3),
                "Case_Origin": "Portal",
                "Reported_On": "2026-11-30T10:15:00Z",
                "Description": "Paper jam in tray 2; restarting does not help.",
            });
            create(&mut tx, &cases_m, &cases_f, data, NOW + i).await?;
        }
        tx.commit().await.map_err(err)?;
        i += 1000;
    }

    // The portal user (invited by the admin, active) and a session, written as the sign-in
    // writes them.
    let email = portico_domain::email::EmailAddress::parse("carla@client.example").map_err(err)?;
    let mut tx = direct.transaction().await.map_err(err)?;
    let user = tx
        .create_portal_user(
            org,
            &NewPortalUser {
                portal_id: portal.id,
                user_type_id: client_type.id,
                record_id: Some(client),
                email,
                name: "Carla Client".into(),
                status: PortalUserStatus::Active,
                preferences: Preferences::from_org(&settings),
                invited_by: Some(admin.id),
                password_hash: None,
            },
            NOW,
        )
        .await
        .map_err(err)?;
    let secret = portico_auth::random_token().map_err(err)?;
    let now = portico_app::system_clock()();
    tx.create_portal_session(
        &portico_auth::token_hash(&secret),
        &PortalSession {
            org_id: org,
            portal_id: portal.id,
            portal_user_id: user.id,
            csrf_token: "bench".into(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + 12 * 60 * 60 * 1000,
        },
    )
    .await
    .map_err(err)?;
    tx.commit().await.map_err(err)?;
    drop(direct);
    Ok(Setup {
        state: AppState::new(ctx, WebConfig::new("http://127.0.0.1")),
        cookie: format!("portico_portal={secret}"),
        org,
        cases: cases_m.id,
        client,
        contact_name,
        linked,
    })
}

// ---- the anchor ----

/// The store's counted page of a module's records linked to one record (`record_page` with
/// `linked_to` and one lookup field, newest-first sort ascending as the portal list asks),
/// written for rusqlite.
const SELECT: &str = "SELECT r.id, r.org_id, r.module_id, r.owner_id, r.data, r.display_name, \
     r.email, r.approval_locked, r.in_review, r.gdpr_consent, r.created_at, r.updated_at, \
     r.deleted_at, r.version, COUNT(*) OVER () FROM records r WHERE r.org_id = ?1 \
     AND r.module_id = ?2 AND r.deleted_at IS NULL AND r.id IN (SELECT l.record_id FROM \
     record_links l WHERE l.org_id = ?1 AND l.target_id = ?3 AND l.field_id IN (?4)) \
     ORDER BY r.id ASC LIMIT ?5 OFFSET ?6";

/// The list columns the portal shows for Cases (the layout's non-name fields, six at most).
const COLUMNS: [&str; 6] = [
    "Contact_Name",
    "Account_Name",
    "Status",
    "Priority",
    "Case_Origin",
    "Reported_On",
];

struct Row {
    id: Id,
    name: String,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(
    ext = "html",
    source = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ label }}</title></head>
<body><main>
<h1>{{ label }} <span class="count">{{ total }} records</span></h1>
<table class="grid portal-list">
  <thead><tr><th scope="col">Name</th>{% for c in columns %}<th scope="col">{{ c }}</th>{% endfor %}</tr></thead>
  <tbody>
    {% for r in rows %}<tr>
      <td><a href="/p/bench-clients/m/{{ module }}/{{ r.id }}">{{ r.name }}</a></td>
      {% for cell in r.cells %}<td>{{ cell }}</td>{% endfor %}
    </tr>{% endfor %}
  </tbody>
</table>
</main></body></html>"#
)]
struct AnchorPage<'a> {
    label: &'a str,
    module: &'a str,
    total: i64,
    columns: &'a [&'a str],
    rows: Vec<Row>,
}

struct Anchor {
    conn: Connection,
    org: Id,
    module: Id,
    target: Id,
    field: Id,
    per: i64,
}

impl Anchor {
    fn page(&self) -> Result<String, String> {
        let mut stmt = self.conn.prepare_cached(SELECT).map_err(err)?;
        let mut total = 0;
        let rows = stmt
            .query_map(
                (self.org, self.module, self.target, self.field, self.per, 0),
                |r| {
                    total = r.get(14)?;
                    let data: String = r.get(4)?;
                    Ok((r.get::<_, Id>(0)?, r.get::<_, String>(5)?, data))
                },
            )
            .map_err(err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(err)?;
        let rows = rows
            .into_iter()
            .map(|(id, name, data)| {
                let data: Map<String, Value> = serde_json::from_str(&data).map_err(err)?;
                let cells = COLUMNS
                    .iter()
                    .map(|c| match data.get(*c) {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Null) | None => String::new(),
                        Some(v) => v.to_string(),
                    })
                    .collect();
                Ok(Row { id, name, cells })
            })
            .collect::<Result<Vec<_>, String>>()?;
        AnchorPage {
            label: "Cases",
            module: "Cases",
            total,
            columns: &COLUMNS,
            rows,
        }
        .render()
        .map_err(err)
    }
}

// ---- measuring ----

async fn portico_page(
    router: &mut axum::Router,
    path: &str,
    cookie: &str,
) -> Result<String, String> {
    let request = Request::get(path)
        .header(header::HOST, "127.0.0.1")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .map_err(err)?;
    let response = match router.call(request).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .map_err(err)?;
    let body = String::from_utf8_lossy(&body).into_owned();
    if status != StatusCode::OK {
        return Err(format!("GET {path} answered {status}: {body}"));
    }
    Ok(body)
}

fn quantile(sorted: &[Duration], per_mille: usize) -> f64 {
    let at = (sorted.len() * per_mille / 1000).min(sorted.len().saturating_sub(1));
    sorted.get(at).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn rows_in(html: &str) -> usize {
    html.matches("<tr>").count().saturating_sub(1)
}

async fn run(opts: &Options, dir: &Path) -> Result<(), String> {
    let file = dir.join("portico.db");
    let url = format!("sqlite:{}", file.display());
    let started = Instant::now();
    let setup = set_up(opts, &url).await?;
    let seeding = started.elapsed();
    let conn = Connection::open_with_flags(
        &file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    let anchor = Anchor {
        conn,
        org: setup.org,
        module: setup.cases,
        target: setup.client,
        field: setup.contact_name,
        per: opts.per,
    };
    let mut router = portico_web::app(setup.state.clone());
    let path = format!("/p/{SLUG}/m/Cases?per={}", opts.per);

    let first = portico_page(&mut router, &path, &setup.cookie).await?;
    let anchor_first = anchor.page()?;
    println!(
        "portal list page benchmark — SQLite, {} Cases ({} linked to the portal user; seeded in \
         {:.1} s), GET {path}, in-process, {} requests per side, alternating",
        opts.records,
        setup.linked,
        seeding.as_secs_f64(),
        opts.requests,
    );
    println!(
        "rows shown: portico {}, anchor {}; page bytes: portico {}, anchor {}",
        rows_in(&first),
        rows_in(&anchor_first),
        first.len(),
        anchor_first.len()
    );
    for _ in 0..opts.requests / 10 {
        portico_page(&mut router, &path, &setup.cookie).await?;
        anchor.page()?;
    }
    let (mut p, mut a) = (Vec::new(), Vec::new());
    let mut statements = 0;
    let mut anchor_statements = 0;
    for i in 0..opts.requests {
        // Alternate which side goes first, so neither always runs on a warmer cache.
        let portico_first = i % 2 == 0;
        if !portico_first {
            let t = Instant::now();
            anchor.page()?;
            a.push(t.elapsed());
            anchor_statements += 1;
        }
        let before = setup.state.statements();
        let t = Instant::now();
        portico_page(&mut router, &path, &setup.cookie).await?;
        p.push(t.elapsed());
        statements += setup.state.statements() - before;
        if portico_first {
            let t = Instant::now();
            anchor.page()?;
            a.push(t.elapsed());
            anchor_statements += 1;
        }
    }
    p.sort();
    a.sort();
    let per_page = |s: u64, n: usize| s as f64 / n.max(1) as f64;
    let (p50, p99) = (quantile(&p, 500), quantile(&p, 990));
    let (a50, a99) = (quantile(&a, 500), quantile(&a, 990));
    println!(
        "{:<8} {:>10} {:>8} {:>8} {:>8} {:>12}",
        "side", "median ms", "p90 ms", "p99 ms", "max ms", "stmts/page"
    );
    for (side, times, statements) in [
        ("anchor", &a, anchor_statements),
        ("portico", &p, statements),
    ] {
        println!(
            "{side:<8} {:>10.3} {:>8.3} {:>8.3} {:>8.3} {:>12.2}",
            quantile(times, 500),
            quantile(times, 900),
            quantile(times, 990),
            quantile(times, 1000),
            per_page(statements, times.len())
        );
    }
    println!(
        "ratio portico ÷ anchor: {:.2} (medians), {:.2} (p99)",
        p50 / a50.max(1e-9),
        p99 / a99.max(1e-9)
    );
    Ok(())
}

fn main() -> Result<(), String> {
    let opts = options()?;
    let dir = std::env::temp_dir().join(format!("portico-bench-portal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(err)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(err)?;
    let result = runtime.block_on(run(&opts, &dir));
    drop(runtime);
    if let Err(e) = std::fs::remove_dir_all(&dir) {
        eprintln!("could not remove {}: {e}", dir.display());
    }
    result
}
