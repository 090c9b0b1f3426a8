//! The outbox's cost, without SMTP (the SMTP server's speed is not ours to measure):
//!
//! 1. anchor: N audit rows, each in its own transaction (what every use case writes anyway);
//! 2. N use-case transactions that write an audit row **and** an email (a ~2 KB test email),
//!    as a use case that sends mail does: the time to put N emails in the outbox, and the
//!    ratio to the anchor;
//! 3. draining them as the delivery worker does — claim 10, mark each sent — with one worker,
//!    then (after putting N back) with two workers on their own store handles.
//!
//! `cargo run --release -p portico-bench --bin outbox [-- --messages N --database-url URL]`
//! (default 10,000 messages on a temporary SQLite file; pass the URL of an empty PostgreSQL
//! database to measure it).

use portico_domain::email::EmailAddress;
use portico_domain::org::{OrgSettings, TimeFormat};
use portico_domain::outbox::{DeliveryRule, MailKind, NewMail};
use portico_domain::standard::{default_profiles, standard_modules};
use portico_store::{NewOrg, NewOrgAdmin, Store};
use serde_json::json;
use std::time::Instant;

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

async fn org(store: &Store) -> Res<i64> {
    let modules = standard_modules();
    let created = store
        .create_org(
            &NewOrg {
                settings: OrgSettings {
                    name: "Bench".into(),
                    email_domain: "bench.example".into(),
                    language: "en".into(),
                    time_format: TimeFormat::TwentyFourHour,
                    time_zone: "UTC".into(),
                    country: "GB".into(),
                    gdpr_consent_required: false,
                },
                profiles: default_profiles(&modules),
                modules,
                admin: Some(NewOrgAdmin {
                    email: EmailAddress::parse("admin@bench.example").map_err(err)?,
                    name: "Admin".into(),
                    password_hash: "h".into(),
                }),
            },
            0,
        )
        .await
        .map_err(err)?;
    Ok(created.org.id)
}

/// N use-case transactions: an audit row, and an email when `with_mail`.
async fn write(store: &Store, org: i64, n: usize, with_mail: bool, tag: &str) -> Res<f64> {
    let text = "Hello,\n\nthis is a message of the outbox benchmark.\n".repeat(20);
    let html = format!("<p>{}</p>", text.replace('\n', "<br>"));
    let start = Instant::now();
    for i in 0..n {
        let mut tx = store.transaction().await.map_err(err)?;
        tx.record_audit(org, "bench", "bench.write", &json!({"i": i}), 0)
            .await
            .map_err(err)?;
        if with_mail {
            let mail = NewMail::new(
                MailKind::Test,
                &format!("client{i}@client.example"),
                "en",
                &format!("Message {i}"),
                &text,
                &html,
            )
            .map_err(err)?;
            tx.enqueue_mail(org, &mail, &format!("<{tag}{i}@bench.example>"), 0)
                .await
                .map_err(err)?;
        }
        tx.commit().await.map_err(err)?;
    }
    Ok(start.elapsed().as_secs_f64())
}

/// Claims and marks everything due with `workers` workers, each on its own store handle.
async fn drain(url: &str, workers: usize) -> Res<(f64, usize)> {
    let rule = DeliveryRule::STANDARD;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let store = Store::open(url).map_err(err)?;
        tasks.push(tokio::spawn(async move {
            let mut done = 0usize;
            loop {
                let batch = store.claim_mail(&rule, 1, 10).await.map_err(err)?;
                if batch.is_empty() {
                    return Ok::<usize, String>(done);
                }
                for m in batch {
                    store
                        .mark_mail_sent(m.summary.id, m.summary.attempts, 1)
                        .await
                        .map_err(err)?;
                    done += 1;
                }
            }
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.map_err(err)??;
    }
    Ok((start.elapsed().as_secs_f64(), total))
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Res<()> {
    let n: usize = arg("--messages")
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let url = arg("--database-url").unwrap_or_else(|| {
        let path = std::env::temp_dir().join(format!("portico-outbox-{}.db", std::process::id()));
        format!("sqlite:{}", path.display())
    });
    let store = Store::open(&url).map_err(err)?;
    store.migrate(0).await.map_err(err)?;
    let org = org(&store).await?;
    println!("{n} messages on {}", store.backend());
    let anchor = write(&store, org, n, false, "a").await?;
    println!(
        "anchor: {n} audit-only transactions      {anchor:>7.2} s ({:.3} ms each)",
        anchor * 1e3 / n as f64
    );
    let outbox = write(&store, org, n, true, "m").await?;
    println!(
        "outbox: {n} audit + email transactions   {outbox:>7.2} s ({:.3} ms each), ratio {:.2}",
        outbox * 1e3 / n as f64,
        outbox / anchor
    );
    let (one, sent) = drain(&url, 1).await?;
    println!(
        "drain, 1 worker:  {sent} claimed and marked in {one:.2} s ({:.0}/s)",
        sent as f64 / one
    );
    write(&store, org, n, true, "b").await?;
    let (two, sent) = drain(&url, 2).await?;
    println!(
        "drain, 2 workers: {sent} claimed and marked in {two:.2} s ({:.0}/s)",
        sent as f64 / two
    );
    Ok(())
}
