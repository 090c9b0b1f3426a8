//! Keyset pagination benchmark: a list of 100,000 records pages to its 1,000th page (100 per
//! page) as fast as to its first. Prints the median time of page 1 (the anchor), of page 1,000,
//! and their ratio, both measured in this run on the same database.
//!
//! Usage: `cargo run --release -p portico-bench --bin keyset [-- --records N --runs N --database-url URL]`
//! (default: a fresh SQLite file in the temp directory; pass a postgres:// URL of an empty
//! database to measure PostgreSQL).

use portico_domain::org::{OrgSettings, TimeFormat};
use portico_domain::record::{RecordState, validate_data};
use portico_domain::standard::{default_profiles, standard_modules};
use portico_store::{NewOrg, NewOrgAdmin, RecordQuery, Store};
use std::time::{Duration, Instant};

const PAGE: i64 = 100;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Minimum, 25th percentile, median and 75th percentile, in milliseconds.
fn spread(mut v: Vec<Duration>) -> [f64; 4] {
    v.sort();
    let at = |q: usize| {
        v.get(v.len() * q / 100)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    [at(0), at(25), at(50), at(75)]
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let records: i64 = arg("--records")
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let runs: usize = arg("--runs").and_then(|s| s.parse().ok()).unwrap_or(300);
    let url = arg("--database-url").unwrap_or_else(|| {
        let path = std::env::temp_dir().join(format!("portico-bench-{}.db", std::process::id()));
        format!("sqlite:{}", path.display())
    });
    let store = Store::open(&url).map_err(|e| e.to_string())?;
    store.migrate(0).await.map_err(|e| e.to_string())?;
    let modules = standard_modules();
    let profiles = default_profiles(&modules);
    let settings = OrgSettings {
        name: "Bench".into(),
        email_domain: "bench.example".into(),
        language: "en".into(),
        time_format: TimeFormat::TwentyFourHour,
        time_zone: "UTC".into(),
        country: "US".into(),
        gdpr_consent_required: false,
    };
    let email = portico_domain::email::EmailAddress::parse("bench@bench.example")
        .map_err(|e| e.to_string())?;
    let admin = NewOrgAdmin {
        email,
        name: "Bench".into(),
        password_hash: "x".into(),
    };
    let created = store
        .create_org(
            &NewOrg {
                settings,
                modules,
                profiles,
                admin: Some(admin),
            },
            0,
        )
        .await
        .map_err(|e| e.to_string())?;
    let (org, user) = (created.org, created.admin.ok_or("no admin")?);
    let contacts = store
        .get_module(org.id, "Contacts")
        .await
        .map_err(|e| e.to_string())?;
    let fields = store
        .list_fields(org.id, contacts.id)
        .await
        .map_err(|e| e.to_string())?;

    let started = Instant::now();
    for i in 0..records {
        let data = serde_json::json!({"First_Name": "Person", "Last_Name": format!("Number {i}"), "Email": format!("p{i}@example.com")});
        let map = data.as_object().ok_or("not an object")?;
        let valid =
            validate_data(&fields, &contacts.name_fields, map, None).map_err(|e| e.to_string())?;
        store
            .create_record(
                org.id,
                contacts.id,
                user.id,
                &valid,
                RecordState::default(),
                i,
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    let insert = started.elapsed();

    // Walk every page once: proves the cursors cover the list and finds page 1,000's cursor.
    let mut cursors = vec![None];
    let mut seen = 0;
    let walk = Instant::now();
    loop {
        let q = RecordQuery {
            module_id: Some(contacts.id),
            after: *cursors.last().ok_or("no cursor")?,
            limit: PAGE,
            ..Default::default()
        };
        let page = store
            .list_records(org.id, &q)
            .await
            .map_err(|e| e.to_string())?;
        seen += page.items.len();
        match page.next {
            Some(next) => cursors.push(Some(next)),
            None => break,
        }
    }
    let walk = walk.elapsed();
    if i64::try_from(seen).unwrap_or(0) != records {
        return Err(format!("walked {seen} records, expected {records}"));
    }
    let last_page = usize::try_from(records / PAGE).unwrap_or(1).clamp(1, 1000);
    let far = cursors.get(last_page - 1).copied().flatten();

    let time_page = |after: Option<i64>| {
        let store = &store;
        async move {
            let q = RecordQuery {
                module_id: Some(contacts.id),
                after,
                limit: PAGE,
                ..Default::default()
            };
            let t = Instant::now();
            let page = store
                .list_records(org.id, &q)
                .await
                .map_err(|e| e.to_string())?;
            let d = t.elapsed();
            if page.items.len() != usize::try_from(PAGE).unwrap_or(0) {
                return Err(format!("short page: {}", page.items.len()));
            }
            Ok::<Duration, String>(d)
        }
    };
    // Interleave the two measurements so machine noise hits both alike, and alternate which goes
    // first: the second query of a pair measures ~0.15 ms slower on SQLite whichever page it
    // is (see docs/BENCHMARKS.md), which a fixed order would charge to one page.
    let (mut first, mut deep) = (Vec::with_capacity(runs), Vec::with_capacity(runs));
    for run in 0..runs {
        if run % 2 == 0 {
            first.push(time_page(None).await?);
            deep.push(time_page(far).await?);
        } else {
            deep.push(time_page(far).await?);
            first.push(time_page(None).await?);
        }
    }
    let (p1, pn) = (spread(first), spread(deep));
    println!("backend            {}", store.backend());
    println!(
        "records            {records} (inserted in {:.1} s, {:.0} records/s)",
        insert.as_secs_f64(),
        records as f64 / insert.as_secs_f64()
    );
    println!(
        "full walk          {} pages of {PAGE} in {:.2} s",
        cursors.len(),
        walk.as_secs_f64()
    );
    println!("                   min / p25 / median / p75 (ms) over {runs} runs");
    println!(
        "page 1 (anchor)    {:.3} / {:.3} / {:.3} / {:.3}",
        p1[0], p1[1], p1[2], p1[3]
    );
    println!(
        "page {last_page:<13} {:.3} / {:.3} / {:.3} / {:.3}",
        pn[0], pn[1], pn[2], pn[3]
    );
    println!(
        "ratio of minimums  {:.2} (page {last_page} / page 1; 1.00 = no slower)",
        pn[0] / p1[0]
    );
    println!("ratio of medians   {:.2}", pn[2] / p1[2]);
    if let Some(path) = url.strip_prefix("sqlite:") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
    Ok(())
}
