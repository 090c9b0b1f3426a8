//! Search benchmark: at 100,000 Contacts, a search runs at least half as fast as the unsearched
//! list it filters. Prints, for several kinds of search, the median time of a searched page
//! against the median time of the unsearched first page (the anchor), both of 50 records and
//! both through `Store::list_records`, measured interleaved in this run on the same database,
//! and the ratio of their rates (anchor time ÷ search time; 0.50 is the target, 1.00 = as fast).
//!
//! Usage: `cargo run --release -p portico-bench --bin search [-- --records N --runs N --database-url URL]`
//! (default: a fresh SQLite file in the temp directory; pass a postgres:// URL of an empty
//! database to measure PostgreSQL).

mod store_fixture;

use portico_domain::record::{RecordState, validate_data};
use portico_store::RecordQuery;
use std::time::{Duration, Instant};
use store_fixture::{BenchOrg, arg_or, bench_org, database_url, remove_database, spread};

/// The API's default page.
const PAGE: i64 = 50;

const FIRST: &[&str] = &[
    "Anna",
    "Annabel",
    "Joanna",
    "Hannah",
    "Leanne",
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Nancy",
    "Daniel",
    "Lisa",
    "Matthew",
    "Betty",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Paul",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
];
const DOMAINS: &[&str] = &[
    "acme.com",
    "globex.com",
    "initech.com",
    "umbrella.com",
    "hooli.com",
    "zylker.com",
    "example.org",
    "contoso.com",
    "fabrikam.com",
    "northwind.com",
    "tailspin.io",
    "wingtip.net",
    "adatum.com",
    "litware.com",
    "proseware.com",
    "fourthcoffee.com",
    "woodgrove.com",
    "lucerne.com",
    "margie.travel",
    "treyresearch.net",
];

/// What is searched, and why: common and rare keys through the index, and the short keys the
/// index cannot serve. (The full email of one record is added at run time.)
const SEARCHES: &[(&str, &str)] = &[
    ("ann", "3 chars inside first names (12% of records)"),
    ("rodriguez", "a surname (2%)"),
    ("hannah lee", "first and last name (0.05%)"),
    ("12345@", "part of one record's email"),
    ("@initech", "an email domain (5%)"),
    ("zqxj", "nothing matches"),
    ("an", "2 chars, scan: common"),
    ("qz", "2 chars, scan: nothing matches"),
];

/// A deterministic, well-mixed number for `i` (splitmix64; no RNG dependency): the same data
/// in every run.
fn mix(i: i64) -> usize {
    let mut x = (i as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    usize::try_from((x ^ (x >> 31)) >> 33).unwrap_or(0)
}

/// Contact number `i`: first name, last name, email.
fn person(i: i64) -> (&'static str, &'static str, String) {
    let first = FIRST[mix(i) % FIRST.len()];
    let last = LAST[mix(i + 1_000_000) % LAST.len()];
    let domain = DOMAINS[mix(i + 2_000_000) % DOMAINS.len()];
    let email = format!(
        "{}.{}{i}@{domain}",
        first.to_lowercase(),
        last.to_lowercase()
    );
    (first, last, email)
}

/// Times the anchor and every search `runs` times, interleaved in a rotating order so machine
/// noise and cache state hit all of them alike, and prints one table.
async fn measure(
    b: &BenchOrg,
    searches: &[(&str, &str)],
    runs: usize,
    title: &str,
) -> Result<(), String> {
    let time = |search: Option<&str>| {
        let q = RecordQuery {
            module_id: Some(b.contacts.id),
            limit: PAGE,
            search: search.map(str::to_string),
            ..Default::default()
        };
        async move {
            let t = Instant::now();
            let page = b
                .store
                .list_records(b.org, &q)
                .await
                .map_err(|e| e.to_string())?;
            Ok::<_, String>((t.elapsed(), page.items.len(), page.next.is_some()))
        }
    };
    // Warm-up, and what each search finds on its first page.
    let mut found = Vec::new();
    for (q, _) in searches {
        let (_, n, more) = time(Some(q)).await?;
        found.push(if more { format!("{n}+") } else { n.to_string() });
    }
    let mut anchor = Vec::with_capacity(runs);
    let mut searched: Vec<Vec<Duration>> = vec![Vec::with_capacity(runs); searches.len()];
    for run in 0..runs {
        for k in 0..=searches.len() {
            let which = (k + run) % (searches.len() + 1);
            match searches.get(which) {
                None => anchor.push(time(None).await?.0),
                Some((q, _)) => searched[which].push(time(Some(q)).await?.0),
            }
        }
    }
    let a = spread(anchor);
    println!("\n{title}: pages of {PAGE}, min / p25 / median / p75 in ms over {runs} runs");
    println!(
        "{:<36} {:>5}  {:>29}  {:>5}  what",
        "search", "found", "min / p25 / median / p75", "ratio"
    );
    println!(
        "{:<36} {:>5}  {:>6.3} / {:.3} / {:.3} / {:.3}  {:>5}  the unsearched list (anchor)",
        "(none)", PAGE, a[0], a[1], a[2], a[3], "1.00"
    );
    for (((q, what), times), n) in searches.iter().zip(searched).zip(found) {
        let s = spread(times);
        println!(
            "{:<36} {:>5}  {:>6.3} / {:.3} / {:.3} / {:.3}  {:>5.2}  {what}",
            format!("{q:?}"),
            n,
            s[0],
            s[1],
            s[2],
            s[3],
            a[2] / s[2]
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let records: i64 = arg_or("--records", 100_000);
    let runs: usize = arg_or("--runs", 300);
    let url = database_url("search");
    let b = bench_org(&url).await?;

    // One record per transaction through the real write path (owner and lookup checks, links,
    // the search index's triggers on SQLite), as the API and the admin UI write them.
    let started = Instant::now();
    for i in 0..records {
        let (first, last, email) = person(i);
        let data = serde_json::json!({"First_Name": first, "Last_Name": last, "Email": email});
        let map = data.as_object().ok_or("not an object")?;
        let valid = validate_data(&b.fields, &b.contacts.name_fields, map, None)
            .map_err(|e| e.to_string())?;
        b.store
            .create_record(
                b.org,
                b.contacts.id,
                b.user,
                &valid,
                RecordState::default(),
                i,
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    let insert = started.elapsed();
    println!("backend            {}", b.store.backend());
    println!(
        "records            {records} Contacts, one transaction each ({:.1} s, {:.0} records/s)",
        insert.as_secs_f64(),
        records as f64 / insert.as_secs_f64()
    );

    let one_email = person(records * 2 / 3).2;
    let searches: Vec<(&str, &str)> = SEARCHES
        .iter()
        .copied()
        .chain([(one_email.as_str(), "one record's whole email")])
        .collect();
    measure(&b, &searches, runs, "As written").await?;
    let tidy = Instant::now();
    b.store
        .tidy_search_index()
        .await
        .map_err(|e| e.to_string())?;
    let tidy = tidy.elapsed();
    measure(
        &b,
        &searches,
        runs,
        &format!(
            "After tidy_search_index ({:.2} s; the server runs it hourly)",
            tidy.as_secs_f64()
        ),
    )
    .await?;
    if let Some(path) = url.strip_prefix("sqlite:") {
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!("\ndatabase file      {:.1} MB", size as f64 / 1e6);
    }
    println!("ratio = anchor median / search median: the search's rate as a share of the list's");
    remove_database(&url);
    Ok(())
}
