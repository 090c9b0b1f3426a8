//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL database.
//!
//! PostgreSQL tests use the server at `PORTICO_TEST_POSTGRES` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it cannot be reached they are skipped
//! with a message — unless `PORTICO_REQUIRE_POSTGRES=1` (CI sets it), when they fail.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    format!(
        "{secs}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A database URL for a new, empty SQLite file in the temp directory.
pub fn sqlite_url() -> String {
    let path = std::env::temp_dir().join(format!("portico-test-{}.db", unique()));
    format!("sqlite:{}", path.display())
}

pub fn postgres_required() -> bool {
    std::env::var("PORTICO_REQUIRE_POSTGRES").is_ok_and(|v| v == "1" || v == "true")
}

/// Creates a new PostgreSQL database and answers its URL; `Ok(None)` means "skip" (server not
/// reachable and not required); `Err` means the suite must fail.
pub async fn postgres_url() -> Result<Option<String>, String> {
    let admin = std::env::var("PORTICO_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
    let connected = tokio_postgres::connect(&admin, tokio_postgres::NoTls).await;
    let (client, connection) = match connected {
        Ok(pair) => pair,
        Err(e) if postgres_required() => {
            return Err(format!(
                "PostgreSQL is required but {admin} is unreachable: {e}"
            ));
        }
        Err(e) => {
            eprintln!(
                "SKIPPED: PostgreSQL suite ({admin} unreachable: {e}); set PORTICO_REQUIRE_POSTGRES=1 to fail instead"
            );
            return Ok(None);
        }
    };
    let task = tokio::spawn(connection);
    let name = format!("portico_t_{}", unique());
    // Old test databases from earlier runs (older than two hours) are dropped on the way.
    let cutoff = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .saturating_sub(7200);
    if let Ok(rows) = client
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'portico_t_%'",
            &[],
        )
        .await
    {
        for row in rows {
            let old: String = row.get(0);
            let stamp = old
                .trim_start_matches("portico_t_")
                .split('_')
                .next()
                .and_then(|s| s.parse::<u64>().ok());
            if stamp.is_some_and(|s| s < cutoff) {
                let _ = client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{old}\""))
                    .await;
            }
        }
    }
    client
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
        .map_err(|e| format!("cannot create test database: {e}"))?;
    drop(client);
    task.abort();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    Ok(Some(format!("{base}/{name}")))
}

/// Runs each named test on a fresh SQLite file and on a fresh PostgreSQL database (`mod
/// sqlite`, `mod postgres`): `async fn name(url: String)`. The test opens the database itself,
/// as often as it likes (several store handles on one URL stand for several instances). The
/// PostgreSQL run is skipped, or fails, as [`postgres_url`] decides.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    super::$name($crate::sqlite_url()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    match $crate::postgres_url().await {
                        Ok(Some(url)) => super::$name(url).await,
                        Ok(None) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            )*
        }
    };
}
