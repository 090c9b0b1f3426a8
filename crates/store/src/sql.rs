//! The executor boundary both backends implement: parameters and rows as plain values, so every
//! storage operation is written once (in `store.rs`) against [`Executor`].

use crate::error::{StoreError, StoreResult};
use serde_json::Value as Json;
use std::borrow::Cow;

/// A parameter or column value. SQL text uses `$1, $2, …` placeholders on both backends.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
    Json(Json),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Self::Text(v.to_string())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<Json> for Val {
    fn from(v: Json) -> Self {
        Self::Json(v)
    }
}
impl<T: Into<Val>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// One result row.
#[derive(Debug, Clone)]
pub struct Row(pub Vec<Val>);

impl Row {
    fn at(&self, i: usize) -> StoreResult<&Val> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Backend(format!("missing column {i}")))
    }

    fn wrong(&self, i: usize, want: &str) -> StoreError {
        StoreError::Backend(format!("column {i} is not {want}: {:?}", self.0.get(i)))
    }

    pub fn int(&self, i: usize) -> StoreResult<i64> {
        match self.at(i)? {
            Val::Int(v) => Ok(*v),
            _ => Err(self.wrong(i, "an integer")),
        }
    }

    pub fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        match self.at(i)? {
            Val::Null => Ok(None),
            _ => self.int(i).map(Some),
        }
    }

    pub fn text(&self, i: usize) -> StoreResult<String> {
        match self.at(i)? {
            Val::Text(v) => Ok(v.clone()),
            _ => Err(self.wrong(i, "text")),
        }
    }

    pub fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        match self.at(i)? {
            Val::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    /// SQLite stores booleans as 0/1 integers.
    pub fn bool(&self, i: usize) -> StoreResult<bool> {
        match self.at(i)? {
            Val::Bool(v) => Ok(*v),
            Val::Int(v) => Ok(*v != 0),
            _ => Err(self.wrong(i, "a boolean")),
        }
    }

    /// SQLite stores JSON as text, PostgreSQL as JSONB.
    pub fn json(&self, i: usize) -> StoreResult<Json> {
        match self.at(i)? {
            Val::Json(v) => Ok(v.clone()),
            Val::Text(t) => Ok(serde_json::from_str(t)?),
            _ => Err(self.wrong(i, "JSON")),
        }
    }

    /// Takes a column's value out of the row (leaving `Null`), so mapping a row by value copies
    /// no text.
    pub fn take(&mut self, i: usize) -> StoreResult<Val> {
        self.0
            .get_mut(i)
            .map(|v| std::mem::replace(v, Val::Null))
            .ok_or_else(|| StoreError::Backend(format!("missing column {i}")))
    }

    /// [`Row::text`] without the copy.
    pub fn take_text(&mut self, i: usize) -> StoreResult<String> {
        match self.take(i)? {
            Val::Text(v) => Ok(v),
            other => Err(StoreError::Backend(format!(
                "column {i} is not text: {other:?}"
            ))),
        }
    }

    /// [`Row::opt_text`] without the copy.
    pub fn take_opt_text(&mut self, i: usize) -> StoreResult<Option<String>> {
        match self.at(i)? {
            Val::Null => Ok(None),
            _ => self.take_text(i).map(Some),
        }
    }

    /// Decodes a JSON column into a typed value.
    pub fn parse<T: serde::de::DeserializeOwned>(&self, i: usize) -> StoreResult<T> {
        Ok(serde_json::from_value(self.json(i)?)?)
    }
}

/// One result row read where the backend holds it, column by column: a mapper copies only
/// what it keeps, and text it only reads (JSON to parse or check) is not copied at all.
pub trait Columns {
    fn int(&self, i: usize) -> StoreResult<i64>;
    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>>;
    /// SQLite stores booleans as 0/1 integers.
    fn bool(&self, i: usize) -> StoreResult<bool>;
    fn opt_text(&self, i: usize) -> StoreResult<Option<Cow<'_, str>>>;
    /// A JSON column: text on SQLite, parsed JSONB on PostgreSQL.
    fn json(&self, i: usize) -> StoreResult<JsonColumn<'_>>;

    fn text(&self, i: usize) -> StoreResult<Cow<'_, str>> {
        self.opt_text(i)?
            .ok_or_else(|| StoreError::Backend(format!("column {i} is NULL, not text")))
    }
}

/// A row copied out of the backend reads like one read in place.
impl Columns for Row {
    fn int(&self, i: usize) -> StoreResult<i64> {
        Row::int(self, i)
    }
    fn opt_int(&self, i: usize) -> StoreResult<Option<i64>> {
        Row::opt_int(self, i)
    }
    fn bool(&self, i: usize) -> StoreResult<bool> {
        Row::bool(self, i)
    }
    fn opt_text(&self, i: usize) -> StoreResult<Option<Cow<'_, str>>> {
        Ok(Row::opt_text(self, i)?.map(Cow::Owned))
    }
    fn json(&self, i: usize) -> StoreResult<JsonColumn<'_>> {
        Ok(JsonColumn::Value(Row::json(self, i)?))
    }
}

impl Row {
    /// The columns from `at` on, as a row of their own (this row keeps the first `at`).
    pub(crate) fn split_off(&mut self, at: usize) -> Row {
        Row(self.0.split_off(at.min(self.0.len())))
    }
}

/// A JSON column as the backend hands it over.
pub enum JsonColumn<'a> {
    Text(Cow<'a, str>),
    Value(Json),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection (or an open transaction) that runs SQL. Implemented by each backend.
pub trait Executor: Send {
    fn query(
        &mut self,
        sql: &str,
        params: &[Val],
    ) -> impl Future<Output = StoreResult<Vec<Row>>> + Send;
    /// Runs a query and maps each row where it lies ([`Columns`]), without copying it into a
    /// [`Row`] first: for the paths that read many rows (record lists).
    fn query_map<T: Send>(
        &mut self,
        sql: &str,
        params: &[Val],
        map: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> impl Future<Output = StoreResult<Vec<T>>> + Send;
    /// Runs a statement and answers how many rows it changed.
    fn execute(
        &mut self,
        sql: &str,
        params: &[Val],
    ) -> impl Future<Output = StoreResult<u64>> + Send;
    /// Runs several statements without parameters (migrations).
    fn batch(&mut self, sql: &str) -> impl Future<Output = StoreResult<()>> + Send;
    /// Ends the transaction this connection was opened for, keeping its changes. Dropping a
    /// transaction without committing rolls it back.
    fn commit(self) -> impl Future<Output = StoreResult<()>> + Send;
    fn dialect(&self) -> Dialect;
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn like_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// `$1, $2, …, $n` starting after `offset` placeholders, for `IN (…)` lists.
pub fn placeholders(offset: usize, n: usize) -> String {
    (offset + 1..=offset + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(like_pattern("a%b_c\\"), "%a\\%b\\_c\\\\%");
        assert_eq!(placeholders(2, 3), "$3, $4, $5");
    }
}
