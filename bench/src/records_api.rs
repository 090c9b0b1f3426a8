//! Records API benchmark: Portico's `GET /api/v1/records/Contacts` against an anchor — a bare
//! axum + rusqlite handler running the same SELECT on the same database file and answering the
//! same JSON — under the same load, in one run.
//!
//! It creates a fresh SQLite database in a temp directory with two fixture-like orgs (one with
//! `--records` Contacts for the list scenarios, one with `--search-records` for search), issues
//! an API token for each org's administrator, starts Portico's real router (the one `portico
//! serve` runs) and the anchor on 127.0.0.1 port 0, checks that both answer byte-identical
//! bodies, then drives each with `--connections` keep-alive connections: a warm-up, then
//! `--duration` seconds (in two alternating halves, so drift on a shared machine hits both
//! sides), at most `--max-requests` requests per phase. It prints req/s, p50, p99, SQL
//! statements per call (Portico: the store's statement counter over the timed phase) and the
//! ratios Portico ÷ anchor and search ÷ unsearched list.
//!
//! Usage: `cargo run --release -p portico-bench --bin records_api [-- --records N
//! --search-records N --duration SECS --warmup SECS --connections N --max-requests N
//! --scenarios list50,list1,search]`.
//! It only ever connects to the two servers it started on 127.0.0.1.

#[path = "records_api/anchor.rs"]
mod anchor;
#[path = "records_api/client.rs"]
mod client;

use client::{Load, Measured, Target};
use portico_app::{Context, Settings};
use portico_domain::org::{OrgSettings, TimeFormat};
use portico_domain::profile::User;
use portico_domain::record::{RecordState, validate_data};
use portico_store::Store;
use portico_web::{AppState, WebConfig};
use serde_json::json;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct Options {
    records: i64,
    search_records: i64,
    /// Which scenarios to run: `list50`, `list1`, `search`.
    scenarios: Vec<String>,
    load: Load,
}

impl Options {
    fn runs(&self, scenario: &str) -> bool {
        self.scenarios.iter().any(|s| s == scenario)
    }
}

const SCENARIOS: [&str; 3] = ["list50", "list1", "search"];

fn options() -> Result<Options, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut records = 10_000;
    let mut search_records = 100_000;
    let mut scenarios: Vec<String> = SCENARIOS.iter().map(|s| s.to_string()).collect();
    let mut load = Load {
        connections: 8,
        warmup: Duration::from_secs(1),
        duration: Duration::from_secs(4),
        max_requests: 2_000_000,
    };
    let mut i = 0;
    while i < args.len() {
        let value = args
            .get(i + 1)
            .ok_or_else(|| format!("{} needs a value", args[i]))?;
        let number = || -> Result<u64, String> {
            value
                .parse::<u64>()
                .map_err(|_| format!("{} takes a whole number, not {value}", args[i]))
        };
        let count = || -> Result<i64, String> {
            i64::try_from(number()?).map_err(|_| format!("{} is too large", args[i]))
        };
        match args[i].as_str() {
            "--records" => records = count()?,
            "--search-records" => search_records = count()?,
            "--duration" => {
                load.duration = Duration::from_secs_f64(
                    value
                        .parse()
                        .map_err(|_| "--duration takes seconds".to_string())?,
                )
            }
            "--warmup" => {
                load.warmup = Duration::from_secs_f64(
                    value
                        .parse()
                        .map_err(|_| "--warmup takes seconds".to_string())?,
                )
            }
            "--connections" => {
                load.connections = usize::try_from(number()?).map_err(|e| e.to_string())?;
            }
            "--max-requests" => load.max_requests = number()?,
            "--scenarios" => {
                scenarios = value.split(',').map(str::to_string).collect();
                if let Some(bad) = scenarios.iter().find(|s| !SCENARIOS.contains(&s.as_str())) {
                    return Err(format!("unknown scenario {bad}: choose from {SCENARIOS:?}"));
                }
            }
            other => return Err(format!("unknown option {other}")),
        }
        i += 2;
    }
    if load.connections == 0 || records < 1 || search_records < 1 {
        return Err("--connections, --records and --search-records must be at least 1".into());
    }
    Ok(Options {
        records,
        search_records,
        scenarios,
        load,
    })
}

fn org_settings(name: &str, domain: &str) -> OrgSettings {
    OrgSettings {
        name: name.into(),
        email_domain: domain.into(),
        language: "en".into(),
        time_format: TimeFormat::TwentyFourHour,
        time_zone: "UTC".into(),
        country: "US".into(),
        gdpr_consent_required: false,
    }
}

/// An org with the standard modules, the default profiles and its administrator, made by the
/// same use case the CLI and the test fixture use.
async fn provision(ctx: &Context, name: &str, domain: &str) -> Result<User, String> {
    let admin = portico_app::users::NewUserInput {
        email: format!("admin@{domain}"),
        name: "Bench Admin".into(),
        password: "bench-admin-password".into(),
        profile_id: 0,
        super_admin: true,
    };
    let (_, user) = portico_app::org::provision_org(ctx, org_settings(name, domain), admin)
        .await
        .map_err(|e| e.to_string())?;
    Ok(user)
}

const FIRST: [&str; 8] = [
    "Ada", "Bruno", "Chidi", "Dana", "Elif", "Farah", "Goran", "Hana",
];
const LAST: [&str; 8] = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Silva",
    "Novak",
    "Haddad",
    "Kowalski",
];
const CITIES: [&str; 4] = ["Lisbon", "Osaka", "Lagos", "Toronto"];
/// One record in a thousand has this last name: the search scenario looks for it.
const RARE: &str = "Whitfield";
const SEARCH: &str = "whitf";

/// Inserts `n` Contacts through the store's real write path (owner check, link index), a
/// thousand per transaction.
async fn seed(store: &Store, user: &User, n: i64) -> Result<(), String> {
    let err = |e: portico_store::StoreError| e.to_string();
    let contacts = store
        .get_module(user.org_id, "Contacts")
        .await
        .map_err(err)?;
    let fields = store
        .list_fields(user.org_id, contacts.id)
        .await
        .map_err(err)?;
    let pick = |list: &[&'static str], i: i64| list[usize::try_from(i).unwrap_or(0) % list.len()];
    let mut i = 0;
    while i < n {
        let mut tx = store.transaction().await.map_err(err)?;
        for i in i..n.min(i + 1000) {
            let last = if i % 1000 == 999 {
                RARE
            } else {
                pick(&LAST, i / 8)
            };
            let first = pick(&FIRST, i);
            let data = json!({
                "First_Name": first,
                "Last_Name": format!("{last} {i}"),
                "Email": format!("{}.{i}@example.com", first.to_lowercase()),
                "Phone": format!("+1 555 {:04}", i % 10_000),
                "Title": "Purchasing Manager",
                "Mailing_City": pick(&CITIES, i),
                "Mailing_Country": "Portugal",
                "Email_Opt_Out": i % 3 == 0,
            });
            let map = data.as_object().ok_or("not an object")?;
            let valid = validate_data(&fields, &contacts.name_fields, map, None)
                .map_err(|e| e.to_string())?;
            tx.create_record(
                user.org_id,
                contacts.id,
                user.id,
                &valid,
                RecordState::default(),
                1_750_000_000_000 + i,
            )
            .await
            .map_err(err)?;
        }
        tx.commit().await.map_err(err)?;
        i += 1000;
    }
    Ok(())
}

async fn serve(router: axum::Router) -> Result<SocketAddr, String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(axum::serve(listener, router).into_future());
    Ok(address)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn print_row(scenario: &str, side: &str, m: &Measured, statements: f64, ratio: Option<f64>) {
    let ratio = ratio.map_or(String::new(), |r| format!("{r:>8.2}"));
    let cpu = m.cpu_per_request().map_or("n/a".to_string(), |d| {
        format!("{:.0}", d.as_secs_f64() * 1e6)
    });
    println!(
        "{scenario:<28} {side:<9} {:>9.0} {:>8.2} {:>8.2} {statements:>7.2} {cpu:>8} {ratio}",
        m.rate(),
        ms(m.p50()),
        ms(m.p99()),
    );
}

struct Sides<'a> {
    state: &'a AppState,
    portico: SocketAddr,
    anchor: SocketAddr,
    anchor_statements: &'a anchor::Counter,
    load: &'a Load,
}

/// One scenario against Portico alone; answers its figures and statements per call.
fn portico_only(sides: &Sides<'_>, target: &Target) -> Result<(Measured, f64), String> {
    client::run(sides.portico, target, sides.load, sides.load.warmup)?;
    let before = sides.state.statements();
    let m = client::run(sides.portico, target, sides.load, sides.load.duration)?;
    let statements = sides.state.statements() - before;
    let per = per_call(statements, m.requests);
    Ok((m, per))
}

fn per_call(statements: u64, requests: u64) -> f64 {
    statements as f64 / requests.max(1) as f64
}

/// One scenario against both sides, in alternating halves after a warm-up of each.
fn versus(sides: &Sides<'_>, scenario: &str, target: &Target) -> Result<f64, String> {
    let (p_body, a_body) = (
        client::fetch(sides.portico, target)?,
        client::fetch(sides.anchor, target)?,
    );
    if p_body != a_body {
        let at = p_body
            .iter()
            .zip(&a_body)
            .position(|(a, b)| a != b)
            .unwrap_or(p_body.len().min(a_body.len()));
        return Err(format!(
            "{scenario}: Portico and the anchor answer different bodies (first difference at \
             byte {at}):\n  portico: {}\n  anchor:  {}",
            String::from_utf8_lossy(&p_body[at.saturating_sub(60)..p_body.len().min(at + 60)]),
            String::from_utf8_lossy(&a_body[at.saturating_sub(60)..a_body.len().min(at + 60)]),
        ));
    }
    let half = sides.load.duration / 2;
    client::run(sides.anchor, target, sides.load, sides.load.warmup)?;
    client::run(sides.portico, target, sides.load, sides.load.warmup)?;
    let (mut a, mut p) = (Measured::default(), Measured::default());
    let (mut a_statements, mut p_statements) = (0, 0);
    for _ in 0..2 {
        let before = sides.anchor_statements.get();
        a.add(client::run(sides.anchor, target, sides.load, half)?);
        a_statements += sides.anchor_statements.get() - before;
        let before = sides.state.statements();
        p.add(client::run(sides.portico, target, sides.load, half)?);
        p_statements += sides.state.statements() - before;
    }
    let ratio = p.rate() / a.rate();
    print_row(
        scenario,
        "anchor",
        &a,
        per_call(a_statements, a.requests),
        None,
    );
    print_row(
        scenario,
        "portico",
        &p,
        per_call(p_statements, p.requests),
        Some(ratio),
    );
    Ok(ratio)
}

fn cleanup(dir: &Path) {
    if let Err(e) = std::fs::remove_dir_all(dir) {
        eprintln!("could not remove {}: {e}", dir.display());
    }
}

/// The servers run on a runtime of their own (one worker per core, as `portico serve`); this
/// thread only sets up and then drives the load, so it never takes a worker from them.
fn main() -> Result<(), String> {
    let opts = options()?;
    let dir = std::env::temp_dir().join(format!("portico-bench-records-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let servers = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let result = servers
        .block_on(start(&opts, &dir))
        .and_then(|running| measure(&opts, &running));
    drop(servers);
    cleanup(&dir);
    result
}

/// The database, the tokens and both servers, running.
struct Running {
    state: AppState,
    anchor: Arc<anchor::Anchor>,
    portico: SocketAddr,
    anchor_addr: SocketAddr,
    list_token: String,
    search_token: String,
    seeding: Duration,
}

async fn start(opts: &Options, dir: &Path) -> Result<Running, String> {
    let file = dir.join("portico.db");
    let url = format!("sqlite:{}", file.display());
    let store = Store::open(&url).map_err(|e| e.to_string())?;
    let clock = portico_app::system_clock();
    store.migrate(clock()).await.map_err(|e| e.to_string())?;
    let ctx = Context::new(store, Settings::default(), clock);
    let listed = provision(&ctx, "Northwind", "northwind.example").await?;
    let searched = provision(&ctx, "Contoso", "contoso.example").await?;

    let direct = Store::open(&url).map_err(|e| e.to_string())?;
    let started = Instant::now();
    seed(&direct, &listed, opts.records).await?;
    if opts.runs("search") {
        seed(&direct, &searched, opts.search_records).await?;
    }
    let seeding = started.elapsed();
    let contacts = direct
        .get_module(listed.org_id, "Contacts")
        .await
        .map_err(|e| e.to_string())?;
    drop(direct);

    let ttl = 24 * 60 * 60 * 1000;
    let mut tokens = Vec::new();
    for user in [&listed, &searched] {
        let (secret, _) = portico_app::sign_in::issue_api_token(&ctx, user, "bench", ttl)
            .await
            .map_err(|e| e.to_string())?;
        tokens.push(secret);
    }
    let search_token = tokens.pop().ok_or("no token")?;
    let list_token = tokens.pop().ok_or("no token")?;

    let anchor = Arc::new(anchor::Anchor::open(&file, listed.org_id, contacts.id)?);
    let anchor_addr = serve(anchor::router(Arc::clone(&anchor))).await?;
    let state = AppState::new(ctx, WebConfig::new("http://127.0.0.1"));
    let portico = serve(portico_web::app(state.clone())).await?;
    Ok(Running {
        state,
        anchor,
        portico,
        anchor_addr,
        list_token,
        search_token,
        seeding,
    })
}

fn measure(opts: &Options, run: &Running) -> Result<(), String> {
    println!(
        "records API benchmark — SQLite, {} + {} Contacts (seeded in {:.1} s), {} connections, \
         {:.1} s per side and scenario after {:.1} s warm-up",
        opts.records,
        opts.search_records,
        run.seeding.as_secs_f64(),
        opts.load.connections,
        opts.load.duration.as_secs_f64(),
        opts.load.warmup.as_secs_f64(),
    );
    println!(
        "{:<28} {:<9} {:>9} {:>8} {:>8} {:>7} {:>8} {:>8}",
        "scenario", "side", "req/s", "p50 ms", "p99 ms", "stmts", "cpu µs", "ratio"
    );
    let sides = Sides {
        state: &run.state,
        portico: run.portico,
        anchor: run.anchor_addr,
        anchor_statements: &run.anchor.statements,
        load: &opts.load,
    };
    let list = |limit: u32| {
        Target::get(
            &format!("/api/v1/records/Contacts?limit={limit}"),
            &run.list_token,
        )
    };
    let mut summary = Vec::new();
    if opts.runs("list50") {
        let ratio = versus(&sides, "list limit=50", &list(50))?;
        summary.push(format!(
            "Portico ÷ anchor, list limit=50: {ratio:.2} (goal ≥ 0.80)"
        ));
    }
    if opts.runs("list1") {
        let ratio = versus(&sides, "list limit=1", &list(1))?;
        summary.push(format!("Portico ÷ anchor, list limit=1:  {ratio:.2}"));
    }
    if opts.runs("search") {
        let unsearched = Target::get("/api/v1/records/Contacts?limit=50", &run.search_token);
        let (u, u_statements) = portico_only(&sides, &unsearched)?;
        let big = format!("list limit=50 at {}", opts.search_records);
        print_row(&big, "portico", &u, u_statements, None);
        let searched = Target::get(
            &format!("/api/v1/records/Contacts?limit=50&q={SEARCH}"),
            &run.search_token,
        );
        let (s, s_statements) = portico_only(&sides, &searched)?;
        let ratio = s.rate() / u.rate();
        let scenario = format!("search q={SEARCH} at {}", opts.search_records);
        print_row(&scenario, "portico", &s, s_statements, Some(ratio));
        summary.push(format!(
            "search ÷ unsearched list at {} records: {ratio:.2} (goal ≥ 0.50)",
            opts.search_records
        ));
    }
    println!();
    for line in summary {
        println!("{line}");
    }
    Ok(())
}
