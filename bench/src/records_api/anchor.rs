//! The anchor: what a bare handler for `GET /api/v1/records/{module}?limit=N` costs. No
//! authentication, no middleware, no layers: axum, one SELECT — the one the store runs for
//! that list — on the same database file through rusqlite, with a pool of read-only
//! connections the size of Portico's (four, the first free one taken, the read run on the async
//! worker, the same query-planner setting), and the rows written as the same JSON Portico answers (record data passed
//! through as stored).

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::{Mutex, OwnedMutexGuard};

/// Portico's SQLite reader pool size.
const READERS: usize = 4;

/// Statements the anchor ran.
#[derive(Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

pub struct Anchor {
    readers: Vec<Arc<Mutex<Connection>>>,
    next: AtomicUsize,
    org: i64,
    module: i64,
    pub statements: Counter,
}

impl Anchor {
    /// Read-only connections on the database at `path`, answering the lists of one module.
    pub fn open(path: &Path, org: i64, module: i64) -> Result<Self, String> {
        let readers = (0..READERS)
            .map(|_| {
                let conn = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(|e| e.to_string())?;
                conn.busy_timeout(std::time::Duration::from_secs(5))
                    .map_err(|e| e.to_string())?;
                // As Portico's readers: without it SQLite prepares `LIMIT ?` statements again
                // at every execution.
                conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
                    .map_err(|e| e.to_string())?;
                Ok(Arc::new(Mutex::new(conn)))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Self {
            readers,
            next: AtomicUsize::new(0),
            org,
            module,
            statements: Counter::default(),
        })
    }

    async fn reader(&self) -> OwnedMutexGuard<Connection> {
        for reader in &self.readers {
            if let Ok(conn) = Arc::clone(reader).try_lock_owned() {
                return conn;
            }
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        Arc::clone(&self.readers[i]).lock_owned().await
    }
}

pub fn router(anchor: Arc<Anchor>) -> Router {
    Router::new()
        .route("/api/v1/records/{module}", axum::routing::get(list))
        .with_state(anchor)
}

#[derive(Deserialize)]
struct Params {
    limit: Option<i64>,
}

#[derive(Serialize)]
struct RecordState {
    approval_locked: bool,
    gdpr_consent: bool,
    in_review: bool,
}

/// A record as the API writes it (keys in the API's order).
#[derive(Serialize)]
struct Item {
    created_at: String,
    data: Box<RawValue>,
    deleted_at: Option<String>,
    id: i64,
    module: &'static str,
    name: String,
    owner_id: i64,
    state: RecordState,
    updated_at: String,
    version: i64,
}

#[derive(Serialize)]
struct Page {
    items: Vec<Item>,
    next: Option<String>,
}

fn rfc3339(ms: i64) -> String {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

const SELECT: &str = "SELECT r.id, r.org_id, r.module_id, r.owner_id, r.data, r.display_name, \
     r.email, r.approval_locked, r.in_review, r.gdpr_consent, r.created_at, r.updated_at, \
     r.deleted_at, r.version FROM records r WHERE r.org_id = ?1 AND r.module_id = ?2 \
     AND r.deleted_at IS NULL ORDER BY r.id DESC LIMIT ?3";

fn page(conn: &Connection, org: i64, module: i64, limit: i64) -> rusqlite::Result<Vec<u8>> {
    let mut stmt = conn.prepare_cached(SELECT)?;
    let rows = stmt.query_map((org, module, limit + 1), |r| {
        let data: String = r.get(4)?;
        let data = RawValue::from_string(data).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(4, rusqlite::types::Type::Text, Box::new(e))
        })?;
        Ok(Item {
            created_at: rfc3339(r.get(10)?),
            data,
            deleted_at: r.get::<_, Option<i64>>(12)?.map(rfc3339),
            id: r.get(0)?,
            module: "Contacts",
            name: r.get(5)?,
            owner_id: r.get(3)?,
            state: RecordState {
                approval_locked: r.get(7)?,
                gdpr_consent: r.get(9)?,
                in_review: r.get(8)?,
            },
            updated_at: rfc3339(r.get(11)?),
            version: r.get(13)?,
        })
    })?;
    let mut items = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let more = items.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    if more {
        items.pop();
    }
    let next = if more {
        items.last().map(|r| r.id.to_string())
    } else {
        None
    };
    serde_json::to_vec(&Page { items, next })
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))
}

async fn list(State(anchor): State<Arc<Anchor>>, Query(params): Query<Params>) -> Response {
    let limit = params.limit.unwrap_or(50).clamp(1, 200);
    let conn = anchor.reader().await;
    anchor.statements.0.fetch_add(1, Ordering::Relaxed);
    match page(&conn, anchor.org, anchor.module, limit) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}
