//! The scale-out backend: PostgreSQL through tokio-postgres with a deadpool connection pool and
//! cached prepared statements.

use crate::error::{StoreError, StoreResult};
use crate::sql::{Columns, Dialect, Executor, JsonColumn, Row, Val};
use bytes::BytesMut;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use std::borrow::Cow;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio_postgres::types::{IsNull, ToSql, Type, to_sql_checked};

pub struct PgDb {
    pool: Pool,
    /// Every statement run on any connection (see [`crate::Store::statements`]).
    statements: Arc<AtomicU64>,
}

impl PgDb {
    pub fn connect(url: &str, max_connections: usize) -> StoreResult<Self> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Backend(format!("invalid PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(max_connections)
            .build()
            .map_err(|e| StoreError::Backend(e.to_string()))?;
        Ok(Self {
            pool,
            statements: Arc::new(AtomicU64::new(0)),
        })
    }

    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    pub async fn read(&self) -> StoreResult<PgConn> {
        Ok(PgConn {
            client: Some(self.pool.get().await?),
            in_tx: false,
            statements: Arc::clone(&self.statements),
        })
    }

    /// A connection without a transaction, for one statement that is atomic by itself.
    pub async fn write_alone(&self) -> StoreResult<PgConn> {
        self.read().await
    }

    pub async fn begin(&self) -> StoreResult<PgConn> {
        let client = self.pool.get().await?;
        self.statements.fetch_add(1, Ordering::Relaxed);
        client.batch_execute("BEGIN").await?;
        Ok(PgConn {
            client: Some(client),
            in_tx: true,
            statements: Arc::clone(&self.statements),
        })
    }
}

pub struct PgConn {
    client: Option<Object>,
    in_tx: bool,
    statements: Arc<AtomicU64>,
}

impl PgConn {
    /// Counts one statement about to run.
    fn count(&self) {
        self.statements.fetch_add(1, Ordering::Relaxed);
    }

    fn client(&self) -> StoreResult<&Object> {
        self.client
            .as_ref()
            .ok_or_else(|| StoreError::Backend("connection already released".into()))
    }
}

impl ToSql for Val {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Val::Null => Ok(IsNull::Yes),
            Val::Int(v) if *ty == Type::INT4 => i32::try_from(*v)?.to_sql(ty, out),
            Val::Int(v) => v.to_sql(ty, out),
            Val::Text(v) => v.to_sql(ty, out),
            Val::Bool(v) => v.to_sql(ty, out),
            Val::Json(v) => v.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        // Each variant checks the real column type when it is encoded.
        true
    }

    to_sql_checked!();
}

fn read_row(row: &tokio_postgres::Row) -> StoreResult<Row> {
    let mut values = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let value = if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(i)?.map(Val::Int)
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(i)?
                .map(|v| Val::Int(v.into()))
        } else if *ty == Type::TEXT || *ty == Type::VARCHAR || *ty == Type::NAME {
            row.try_get::<_, Option<String>>(i)?.map(Val::Text)
        } else if *ty == Type::BOOL {
            row.try_get::<_, Option<bool>>(i)?.map(Val::Bool)
        } else if *ty == Type::JSONB || *ty == Type::JSON {
            row.try_get::<_, Option<serde_json::Value>>(i)?
                .map(Val::Json)
        } else {
            return Err(StoreError::Backend(format!("unsupported column type {ty}")));
        };
        values.push(value.unwrap_or(Val::Null));
    }
    Ok(Row(values))
}

/// [`Columns`] over a row as tokio-postgres holds it.
struct PgColumns<'a>(&'a tokio_postgres::Row);

impl Columns for PgColumns<'_> {
    fn int(&self, i: usize) -> StoreResult<i64> {
        self.opt_int(i)?
            .ok_or_else(|| StoreError::Backend(format!("column {i} is NULL, not an integer")))
    }

    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        let int4 = self
            .0
            .columns()
            .get(i)
            .is_some_and(|c| *c.type_() == Type::INT4);
        Ok(if int4 {
            self.0.try_get::<_, Option<i32>>(i)?.map(i64::from)
        } else {
            self.0.try_get::<_, Option<i64>>(i)?
        })
    }

    fn bool(&self, i: usize) -> StoreResult<bool> {
        Ok(self.0.try_get::<_, bool>(i)?)
    }

    fn opt_text(&self, i: usize) -> StoreResult<Option<Cow<'_, str>>> {
        Ok(self.0.try_get::<_, Option<&str>>(i)?.map(Cow::Borrowed))
    }

    fn json(&self, i: usize) -> StoreResult<JsonColumn<'_>> {
        Ok(JsonColumn::Value(
            self.0.try_get::<_, serde_json::Value>(i)?,
        ))
    }
}

fn refs(params: &[Val]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl PgConn {
    async fn rows(&mut self, sql: &str, params: &[Val]) -> StoreResult<Vec<tokio_postgres::Row>> {
        self.count();
        let client = self.client()?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.query(&stmt, &refs(params)).await?)
    }
}

impl Executor for PgConn {
    async fn query(&mut self, sql: &str, params: &[Val]) -> StoreResult<Vec<Row>> {
        self.rows(sql, params).await?.iter().map(read_row).collect()
    }

    async fn query_map<T: Send>(
        &mut self,
        sql: &str,
        params: &[Val],
        mut map: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> StoreResult<Vec<T>> {
        let rows = self.rows(sql, params).await?;
        rows.iter().map(|r| map(&PgColumns(r))).collect()
    }

    async fn execute(&mut self, sql: &str, params: &[Val]) -> StoreResult<u64> {
        self.count();
        let client = self.client()?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.execute(&stmt, &refs(params)).await?)
    }

    async fn batch(&mut self, sql: &str) -> StoreResult<()> {
        self.count();
        Ok(self.client()?.batch_execute(sql).await?)
    }

    async fn commit(mut self) -> StoreResult<()> {
        if self.in_tx {
            self.count();
            self.client()?.batch_execute("COMMIT").await?;
            self.in_tx = false;
        }
        Ok(())
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
}

impl Drop for PgConn {
    fn drop(&mut self) {
        if !self.in_tx {
            return;
        }
        self.count();
        if let Some(client) = self.client.take() {
            // Dropped mid-transaction (an error, or the request was cancelled): roll back before
            // the connection goes back to the pool. Without a runtime, detach it from the pool
            // instead so no one reuses a connection with an open transaction.
            match tokio::runtime::Handle::try_current() {
                Ok(handle) => {
                    handle.spawn(async move {
                        if client.batch_execute("ROLLBACK").await.is_err() {
                            drop(Object::take(client));
                        }
                    });
                }
                Err(_) => drop(Object::take(client)),
            }
        }
    }
}
