//! Record search: which records a list's `search` keeps, and how each backend finds them fast.
//!
//! **What matches** is the same on both backends and for every query: a record matches when
//! its search text (`records.search`: name and email, lower-cased, see
//! [`portico_domain::record::search_text`]) contains the query's search key (trimmed and
//! lower-cased, [`search_key`]) as a substring. "ann" finds "Annabel Smith", "Joanna Lee" and
//! "hannah@x.com"; "lee ann@" finds "Ann Lee <ann@x.com>". Every character is literal: `%`,
//! `_`, `\`, `"`, `*`, `OR`, `NEAR(` mean themselves, on both backends.
//!
//! **How it is found** depends on the key's length, because both indexes are made of trigrams
//! (three consecutive characters):
//! - **3 characters or more** — the index. SQLite: the FTS5 table `records_search` (trigram
//!   tokenizer, case-sensitive on the already lower-cased text, kept in step with `records` by
//!   triggers; migration 8) is read newest first and joined to `records` by id, so a page stops
//!   after its last row however common the key is. The key goes in as one quoted FTS5 phrase
//!   (its `"` doubled), which the trigram tokenizer turns into "these trigrams, consecutive": a
//!   substring match. PostgreSQL: `search LIKE '%key%'` with the wildcards escaped, which the
//!   `pg_trgm` GIN index `records_search_trgm` serves (the planner may prefer walking the list
//!   index when the key is so common that the first page is reached at once). On both, the
//!   exact substring test is applied to every row the index offers, so the index only ever
//!   narrows the rows read, never changes the answer.
//! - **1 or 2 characters** — no trigram to look up, so the list's own index is walked newest
//!   first with an exact substring test (`instr` / `strpos`). Short keys are common, so a page
//!   fills after a few rows; a rare one (`"qz"`) reads the whole module, as every search did
//!   before the index. The statement text differs from the indexed one, so PostgreSQL caches a
//!   separate plan for each and the slow short searches cannot push the indexed statement onto
//!   a generic plan that ignores the index.
//!
//! A key holding NUL matches nothing (no stored text can hold NUL: field values refuse it) and
//! is answered without a query: PostgreSQL would refuse it as a parameter.

use crate::sql::{Dialect, Val, like_pattern};
use portico_domain::record::search_key;

/// The trigram indexes serve keys of at least this many characters.
const INDEXED_FROM: usize = 3;

/// The FTS5 phrase is built from at most this many characters of the key. The index only
/// narrows the rows; the substring test on the whole key decides. So a 2 KB query costs the
/// trigrams of its first characters, not two thousand lookups.
const PHRASE_MAX: usize = 32;

/// How a record list reads its rows for one search.
pub(crate) struct Source {
    /// The `FROM` clause; the records are always `r`.
    pub from: &'static str,
    /// The column that orders pages newest first and takes the `after` cursor: the index's own
    /// id when it drives the query, so both are pushed into it.
    pub key: &'static str,
    /// `WHERE` conditions, each with one `?` for its parameter.
    pub filters: Vec<(&'static str, Val)>,
    /// Nothing can match: answer an empty page without asking the database.
    pub matches_nothing: bool,
}

impl Source {
    /// The rows of a list with this search (none: every record).
    pub fn new(dialect: Dialect, search: Option<&str>) -> Self {
        let plain = |filters| Self {
            from: "records r",
            key: "r.id",
            filters,
            matches_nothing: false,
        };
        let Some(key) = search.and_then(search_key) else {
            return plain(Vec::new());
        };
        if key.contains('\0') {
            return Self {
                matches_nothing: true,
                ..plain(Vec::new())
            };
        }
        if key.chars().count() < INDEXED_FROM {
            return plain(vec![substring(dialect, key)]);
        }
        match dialect {
            Dialect::Sqlite => Self {
                // CROSS JOIN keeps the FTS table the outer loop, read in rowid order.
                from: "records_search s CROSS JOIN records r ON r.id = s.rowid",
                key: "s.rowid",
                filters: vec![
                    ("s.records_search MATCH ?", Val::Text(fts5_phrase(&key))),
                    substring(dialect, key),
                ],
                matches_nothing: false,
            },
            Dialect::Postgres => plain(vec![(
                "r.search LIKE ? ESCAPE '\\'",
                Val::Text(like_pattern(&key)),
            )]),
        }
    }
}

/// The condition "the record's search text contains `key`" for a list the caller has already
/// narrowed by an index (a portal user's linked records), or for keys too short for trigrams.
pub(crate) fn substring(dialect: Dialect, key: String) -> (&'static str, Val) {
    let clause = match dialect {
        Dialect::Sqlite => "instr(r.search, ?) > 0",
        Dialect::Postgres => "strpos(r.search, ?) > 0",
    };
    (clause, Val::Text(key))
}

/// `key` as one FTS5 phrase: a double-quoted string, in which only `"` is special (written
/// twice). Operators, column filters, `*`, `^`, `NEAR(…)` and parentheses inside it are text.
fn fts5_phrase(key: &str) -> String {
    let mut out = String::with_capacity(key.len().min(PHRASE_MAX * 4) + 2);
    out.push('"');
    for c in key.chars().take(PHRASE_MAX) {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_quote_everything_and_stay_short() {
        assert_eq!(fts5_phrase("ann"), "\"ann\"");
        assert_eq!(fts5_phrase("a\"b OR c*"), "\"a\"\"b OR c*\"");
        assert_eq!(fts5_phrase("\""), "\"\"\"\"");
        let long = "é".repeat(1000);
        assert_eq!(fts5_phrase(&long).chars().count(), PHRASE_MAX + 2);
    }

    #[test]
    fn short_keys_scan_long_keys_use_the_index() {
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let none = Source::new(dialect, Some("   "));
            assert!(none.filters.is_empty() && !none.matches_nothing);
            let short = Source::new(dialect, Some(" AN "));
            assert_eq!(short.key, "r.id");
            assert_eq!(short.filters.len(), 1);
            assert_eq!(short.filters[0].1, Val::Text("an".into()));
            assert!(Source::new(dialect, Some("a\0b")).matches_nothing);
        }
        let sqlite = Source::new(Dialect::Sqlite, Some("Ann%"));
        assert_eq!(sqlite.key, "s.rowid");
        assert_eq!(sqlite.filters[0].1, Val::Text("\"ann%\"".into()));
        assert_eq!(sqlite.filters[1].1, Val::Text("ann%".into()));
        let pg = Source::new(Dialect::Postgres, Some("Ann%"));
        assert_eq!(pg.filters[0].1, Val::Text("%ann\\%%".into()));
    }
}
