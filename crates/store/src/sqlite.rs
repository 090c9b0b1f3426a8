//! The embedded backend: SQLite through rusqlite, in WAL mode, with one writer connection and a
//! few reader connections. Statements run on the calling thread inside `block_in_place`, so a
//! slow disk never stalls the async workers.

use crate::error::{StoreError, StoreResult};
use crate::sql::{Dialect, Executor, Row, Val};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use tokio::sync::{Mutex, OwnedMutexGuard};

const READERS: usize = 4;

pub struct SqliteDb {
    writer: Arc<Mutex<Connection>>,
    readers: Vec<Arc<Mutex<Connection>>>,
    next_reader: AtomicUsize,
    /// Every statement run on any connection (see [`crate::Store::statements`]).
    statements: Arc<AtomicU64>,
}

/// Runs blocking SQLite work off the async worker when the runtime allows it.
fn blocking<T>(f: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current() {
        Ok(h) if h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
            tokio::task::block_in_place(f)
        }
        _ => f(),
    }
}

fn open(path: &Path, flags: OpenFlags) -> StoreResult<Connection> {
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
    )?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

impl SqliteDb {
    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: &Path) -> StoreResult<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Backend(format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        let writer = open(path, OpenFlags::default())?;
        let readers = (0..READERS)
            .map(|_| {
                open(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY
                        | OpenFlags::SQLITE_OPEN_URI
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map(|c| Arc::new(Mutex::new(c)))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        Ok(Self {
            writer: Arc::new(Mutex::new(writer)),
            readers,
            next_reader: AtomicUsize::new(0),
            statements: Arc::new(AtomicU64::new(0)),
        })
    }

    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    fn conn(&self, conn: OwnedMutexGuard<Connection>, in_tx: bool) -> SqliteConn {
        SqliteConn {
            conn,
            in_tx,
            statements: Arc::clone(&self.statements),
        }
    }

    /// A reader connection: the first free one, so that without contention the same warm
    /// connection (its page cache and prepared statements) serves every read; when all are busy,
    /// wait for one in turn.
    pub async fn read(&self) -> SqliteConn {
        for reader in &self.readers {
            if let Ok(conn) = Arc::clone(reader).try_lock_owned() {
                return self.conn(conn, false);
            }
        }
        let i = self.next_reader.fetch_add(1, Ordering::Relaxed) % self.readers.len();
        let conn = Arc::clone(&self.readers[i]).lock_owned().await;
        self.conn(conn, false)
    }

    /// Starts a write transaction; SQLite allows one writer at a time.
    pub async fn begin(&self) -> StoreResult<SqliteConn> {
        let conn = Arc::clone(&self.writer).lock_owned().await;
        let conn = self.conn(conn, true);
        conn.count();
        blocking(|| conn.conn.execute_batch("BEGIN IMMEDIATE"))?;
        Ok(conn)
    }
}

pub struct SqliteConn {
    conn: OwnedMutexGuard<Connection>,
    in_tx: bool,
    statements: Arc<AtomicU64>,
}

impl SqliteConn {
    /// Counts one statement about to run.
    fn count(&self) {
        self.statements.fetch_add(1, Ordering::Relaxed);
    }
}

/// `$1` → `?1`: SQLite numbers `$name` parameters by first appearance, `?N` by value.
fn dialect_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(c);
        }
    }
    out
}

impl rusqlite::ToSql for Val {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Val::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Val::Int(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Val::Text(v) => ToSqlOutput::Borrowed(ValueRef::Text(v.as_bytes())),
            Val::Bool(v) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*v))),
            Val::Json(v) => ToSqlOutput::Owned(rusqlite::types::Value::Text(v.to_string())),
        })
    }
}

fn read_row(row: &rusqlite::Row<'_>, columns: usize) -> rusqlite::Result<Row> {
    let mut values = Vec::with_capacity(columns);
    for i in 0..columns {
        values.push(match row.get_ref(i)? {
            ValueRef::Null => Val::Null,
            ValueRef::Integer(v) => Val::Int(v),
            ValueRef::Real(v) => Val::Json(serde_json::Value::from(v)),
            ValueRef::Text(t) | ValueRef::Blob(t) => {
                Val::Text(String::from_utf8_lossy(t).into_owned())
            }
        });
    }
    Ok(Row(values))
}

impl Executor for SqliteConn {
    async fn query(&mut self, sql: &str, params: &[Val]) -> StoreResult<Vec<Row>> {
        self.count();
        let conn = &*self.conn;
        blocking(|| {
            let mut stmt = conn.prepare_cached(&dialect_sql(sql))?;
            let columns = stmt.column_count();
            let rows =
                stmt.query_map(rusqlite::params_from_iter(params), |r| read_row(r, columns))?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    async fn execute(&mut self, sql: &str, params: &[Val]) -> StoreResult<u64> {
        self.count();
        let conn = &*self.conn;
        blocking(|| {
            let mut stmt = conn.prepare_cached(&dialect_sql(sql))?;
            let n = stmt.execute(rusqlite::params_from_iter(params))?;
            Ok(u64::try_from(n).unwrap_or(u64::MAX))
        })
    }

    async fn batch(&mut self, sql: &str) -> StoreResult<()> {
        self.count();
        let conn = &*self.conn;
        Ok(blocking(|| conn.execute_batch(sql))?)
    }

    async fn commit(mut self) -> StoreResult<()> {
        if self.in_tx {
            self.count();
            let conn = &*self.conn;
            blocking(|| conn.execute_batch("COMMIT"))?;
            self.in_tx = false;
        }
        Ok(())
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
}

impl Drop for SqliteConn {
    fn drop(&mut self) {
        if self.in_tx {
            self.count();
            // An error here means the transaction is already gone; nothing is left to undo.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::dialect_sql;

    #[test]
    fn placeholders_are_numbered_for_sqlite() {
        assert_eq!(
            dialect_sql("a = $1 AND b = $12 AND c = '$'"),
            "a = ?1 AND b = ?12 AND c = '$'"
        );
    }
}
