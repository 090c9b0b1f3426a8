//! The embedded backend: SQLite through rusqlite, in WAL mode, with one writer connection and a
//! few reader connections. Write transactions run their statements inside `block_in_place`, so
//! waiting for the file lock or the disk never stalls an async worker; reads run on the worker
//! itself (see [`SqliteConn::run`]).

use crate::error::{StoreError, StoreResult};
use crate::sql::{Columns, Dialect, Executor, JsonColumn, Row, Val};
use rusqlite::config::DbConfig;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};
use std::borrow::Cow;
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
    // The query planner's stability guarantee: plans never depend on bound values. Without it,
    // SQLite reads the value bound to `LIMIT ?` (and to `LIKE ?`) when planning, so each
    // execution of a cached statement with a new binding is prepared again — every records
    // list paid a full re-parse (≈ 5 µs, measured by bench/records_api). Our plans come from
    // the indexes, not from the values.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
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

    fn conn(&self, conn: OwnedMutexGuard<Connection>, writer: bool) -> SqliteConn {
        SqliteConn {
            conn,
            in_tx: false,
            writer,
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
        let mut conn = self.conn(conn, true);
        conn.count();
        blocking(|| conn.conn.execute_batch("BEGIN IMMEDIATE"))?;
        conn.in_tx = true;
        Ok(conn)
    }

    /// The writer without a transaction: for one statement that is atomic by itself
    /// (autocommit), so it costs no `BEGIN` and `COMMIT`.
    pub async fn write_alone(&self) -> SqliteConn {
        let conn = Arc::clone(&self.writer).lock_owned().await;
        self.conn(conn, true)
    }
}

pub struct SqliteConn {
    conn: OwnedMutexGuard<Connection>,
    in_tx: bool,
    /// The writer connection (in a transaction or not): its work runs in `block_in_place`.
    writer: bool,
    statements: Arc<AtomicU64>,
}

impl SqliteConn {
    /// Counts one statement about to run.
    fn count(&self) {
        self.statements.fetch_add(1, Ordering::Relaxed);
    }

    /// Runs SQLite work on this connection: inside `block_in_place` for the writer, directly
    /// for a reader. Handing the worker's core to another thread costs ≈ 30 µs of CPU per call
    /// (measured by bench/records_api on 2 cores), several times what a read costs, and a WAL
    /// reader never waits for a lock: it only reads pages, from the cache when warm.
    fn run<T>(&self, f: impl FnOnce(&Connection) -> T) -> T {
        let conn = &*self.conn;
        if self.writer {
            blocking(|| f(conn))
        } else {
            f(conn)
        }
    }
}

/// `$1` → `?1`: SQLite numbers `$name` parameters by first appearance, `?N` by value. Runs
/// for every statement, so it copies whole runs of bytes between the `$`s.
fn dialect_sql(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let next_is_digit = rest.as_bytes().get(at + 1).is_some_and(u8::is_ascii_digit);
        out.push(if next_is_digit { '?' } else { '$' });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
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

fn read_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let columns = row.as_ref().column_count();
    let mut values = Vec::with_capacity(columns);
    for i in 0..columns {
        values.push(match row.get_ref(i)? {
            ValueRef::Null => Val::Null,
            ValueRef::Integer(v) => Val::Int(v),
            ValueRef::Real(v) => Val::Json(serde_json::Value::from(v)),
            ValueRef::Text(t) | ValueRef::Blob(t) => Val::Text(text(t).into_owned()),
        });
    }
    Ok(Row(values))
}

/// [`Columns`] over a row as rusqlite holds it.
struct SqliteColumns<'a, 'r>(&'a rusqlite::Row<'r>);

impl SqliteColumns<'_, '_> {
    fn wrong(&self, i: usize, want: &str) -> StoreError {
        StoreError::Backend(format!("column {i} is not {want}"))
    }
}

impl Columns for SqliteColumns<'_, '_> {
    fn int(&self, i: usize) -> StoreResult<i64> {
        match self.0.get_ref(i)? {
            ValueRef::Integer(v) => Ok(v),
            _ => Err(self.wrong(i, "an integer")),
        }
    }

    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        match self.0.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Integer(v) => Ok(Some(v)),
            _ => Err(self.wrong(i, "an integer")),
        }
    }

    fn bool(&self, i: usize) -> StoreResult<bool> {
        Ok(self.int(i)? != 0)
    }

    fn opt_text(&self, i: usize) -> StoreResult<Option<Cow<'_, str>>> {
        match self.0.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(t) | ValueRef::Blob(t) => Ok(Some(text(t))),
            _ => Err(self.wrong(i, "text")),
        }
    }

    fn json(&self, i: usize) -> StoreResult<JsonColumn<'_>> {
        self.text(i).map(JsonColumn::Text)
    }
}

/// SQLite's bytes as text: valid UTF-8 (all text we write) as it lies; anything else repaired.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

impl SqliteConn {
    /// Runs a query and maps each row as rusqlite hands it over.
    fn each_row<T>(
        &mut self,
        sql: &str,
        params: &[Val],
        mut map: impl FnMut(&rusqlite::Row<'_>) -> StoreResult<T>,
    ) -> StoreResult<Vec<T>> {
        self.count();
        self.run(|conn| {
            let mut stmt = conn.prepare_cached(&dialect_sql(sql))?;
            let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(map(row)?);
            }
            Ok(out)
        })
    }
}

impl Executor for SqliteConn {
    async fn query(&mut self, sql: &str, params: &[Val]) -> StoreResult<Vec<Row>> {
        self.each_row(sql, params, |r| Ok(read_row(r)?))
    }

    async fn query_map<T: Send>(
        &mut self,
        sql: &str,
        params: &[Val],
        mut map: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> StoreResult<Vec<T>> {
        self.each_row(sql, params, |r| map(&SqliteColumns(r)))
    }

    async fn execute(&mut self, sql: &str, params: &[Val]) -> StoreResult<u64> {
        self.count();
        self.run(|conn| {
            let mut stmt = conn.prepare_cached(&dialect_sql(sql))?;
            let n = stmt.execute(rusqlite::params_from_iter(params))?;
            Ok(u64::try_from(n).unwrap_or(u64::MAX))
        })
    }

    async fn batch(&mut self, sql: &str) -> StoreResult<()> {
        self.count();
        Ok(self.run(|conn| conn.execute_batch(sql))?)
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
