//! Keyset pagination benchmark: a list of 100,000 records pages to its 1,000th page (100 per
//! page) as fast as to its first. Prints the median time of page 1 (the anchor), of page 1,000,
//! and their ratio, both measured in this run on the same database.
//!
//! Usage: `cargo run --release -p portico-bench --bin keyset [-- --records N --runs N --database-url URL]`
//! (default: a fresh SQLite file in the temp directory; pass a postgres:// URL of an empty
//! database to measure PostgreSQL).

mod store_fixture;

use portico_domain::record::{RecordState, validate_data};
use portico_store::RecordQuery;
use std::time::{Duration, Instant};
use store_fixture::{arg_or, bench_org, database_url, remove_database, spread};

const PAGE: i64 = 100;

#[tokio::main]
async fn main() -> Result<(), String> {
    let records: i64 = arg_or("--records", 100_000);
    let runs: usize = arg_or("--runs", 300);
    let url = database_url("bench");
    let b = bench_org(&url).await?;
    let (store, contacts, fields) = (&b.store, &b.contacts, &b.fields);
    let (org, user) = (b.org, b.user);

    let started = Instant::now();
    for i in 0..records {
        let data = serde_json::json!({"First_Name": "Person", "Last_Name": format!("Number {i}"), "Email": format!("p{i}@example.com")});
        let map = data.as_object().ok_or("not an object")?;
        let valid =
            validate_data(fields, &contacts.name_fields, map, None).map_err(|e| e.to_string())?;
        store
            .create_record(org, contacts.id, user, &valid, RecordState::default(), i)
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
            .list_records(org, &q)
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
                .list_records(org, &q)
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
    remove_database(&url);
    Ok(())
}
