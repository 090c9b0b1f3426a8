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
//! - **3 characters or more** — the index. SQLite: the FTS5 table `records_search` (migration
//!   8: trigram tokenizer, contentless, kept in step with `records` by triggers) holds each
//!   record under rowid `-id`, because FTS5 reads fastest in ascending rowid order and pages
//!   run newest first. It is read in that order and joined to `records` by id, so a page stops
//!   after its last row however common the key is; the cursor (`s.rowid > -after`) and the
//!   order are pushed into FTS5. The index is asked about the key's middle 12 characters at
//!   most ([`PROBE_MAX`]): SQLite, three of their trigrams ([`fts5_query`]); PostgreSQL,
//!   `search LIKE '%probe%'` with the wildcards escaped, which the `pg_trgm` GIN index
//!   `records_search_trgm` serves (the planner may prefer walking the list index when the key
//!   is so common that the first page is reached at once; it estimates that from a 1,000-entry
//!   histogram of `search`, migration 8). On both, the exact substring test on the whole key
//!   (`instr` / `strpos`, or the `LIKE` itself when the probe is the whole key) decides for
//!   every row the index offers, so the index only ever narrows the rows read, never changes
//!   the answer.
//! - **1 or 2 characters** — no trigram to look up, so the list's own index is walked newest
//!   first with an exact substring test (`instr` / `strpos`). Short keys are common, so a page
//!   fills after a few rows; a rare one (`"qz"`) reads the whole module, as every search did
//!   before the index. The statement text differs from the indexed one, so PostgreSQL caches a
//!   separate plan for each and the slow short searches cannot push the indexed statement onto
//!   a generic plan that ignores the index.
//!
//! A key holding NUL matches nothing (no stored text can hold NUL: field values refuse it) and
//! is answered without a query: PostgreSQL would refuse it as a parameter.
//!
//! **Upkeep.** Each SQLite write transaction adds a small FTS5 segment, and FTS5 merges them
//! only level by level, so an index grown one record at a time is read from ~10 segments, each
//! looked up for every trigram. [`Tx::tidy_search_index`] merges them into one (the server
//! runs it hourly); on PostgreSQL it moves the GIN index's pending entries into the index and
//! refreshes the planner's statistics.

use crate::error::StoreResult;
use crate::sql::{Dialect, Executor, Val, like_pattern};
use crate::store::Tx;
use portico_domain::record::search_key;

/// The trigram indexes serve keys of at least this many characters.
const INDEXED_FROM: usize = 3;

/// The index is asked about at most this many characters of a key: its middle. Both indexes
/// read the whole list of rows of every trigram they are asked about, and the ends of a long
/// key are its most common parts (a whole email's first name and `.com`: 75% of records);
/// the middle narrows the rows about as well, and the exact test on the whole key decides.
/// A 2 KB key costs what a 12-character one does.
const PROBE_MAX: usize = 12;

/// How a record list reads its rows for one search.
pub(crate) struct Source {
    /// The `FROM` clause; the records are always `r`.
    pub from: &'static str,
    /// The keyset cursor's condition, with `?` for the last id of the previous page.
    pub after: &'static str,
    /// What orders the rows newest first (pushed into the index when it drives the query).
    pub order: &'static str,
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
            after: "r.id < ?",
            order: "r.id DESC",
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
        let probe = probe(&key);
        match dialect {
            Dialect::Sqlite => Self {
                // CROSS JOIN keeps the FTS table the outer loop, read in rowid (-id) order.
                from: "records_search s CROSS JOIN records r ON r.id = -s.rowid",
                after: "s.rowid > -?",
                order: "s.rowid",
                filters: vec![
                    ("s.records_search MATCH ?", Val::Text(fts5_query(&probe))),
                    substring(dialect, key),
                ],
                matches_nothing: false,
            },
            Dialect::Postgres => {
                let mut filters = vec![(
                    "r.search LIKE ? ESCAPE '\\'",
                    Val::Text(like_pattern(&probe)),
                )];
                // A probe that is the whole key is the exact test already; another condition
                // would only skew the planner's row estimate.
                if probe != key {
                    filters.push(substring(dialect, key));
                }
                plain(filters)
            }
        }
    }
}

impl Tx {
    /// Keeps the search index quick to read after many small writes: on SQLite, merges the FTS5
    /// index's segments into one (nothing to do when it is one already; otherwise about 0.3 s
    /// per 100,000 records, holding the write lock); on PostgreSQL, moves the GIN index's
    /// pending list into the index and refreshes the table's statistics, from which the
    /// planner chooses between the trigram index and the list's index (autovacuum does both
    /// too, where it runs). For the whole instance.
    pub async fn tidy_search_index(&mut self) -> StoreResult<()> {
        match self.conn.dialect() {
            Dialect::Sqlite => {
                self.conn
                    .batch("INSERT INTO records_search (records_search) VALUES ('optimize')")
                    .await
            }
            Dialect::Postgres => {
                self.conn
                    .query(
                        "SELECT gin_clean_pending_list('records_search_trgm'::regclass)",
                        &[],
                    )
                    .await?;
                self.conn.batch("ANALYZE records").await
            }
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

/// What the index is asked about for `key`: its middle [`PROBE_MAX`] characters at most.
fn probe(key: &str) -> String {
    let n = key.chars().count();
    key.chars()
        .skip(n.saturating_sub(PROBE_MAX) / 2)
        .take(PROBE_MAX)
        .collect()
}

/// The FTS5 query that narrows the rows for `probe` (3 characters or more): its first, middle
/// and last trigram, all required — only the first and last when those two already cover every
/// character (6 characters or fewer: one doclist fewer to read, the same rows narrowed to). Each is a double-quoted string, in which only `"` is special
/// (written twice), so operators, column filters, `*`, `^`, `NEAR(…)` and parentheses in the
/// key are text. Three trigrams and not all ten of a 12-character probe: FTS5 reads the whole
/// list of rows of every trigram, common ones ("ann", "lee") hold thousands, and three spread
/// over the probe narrow the rows about as well (docs/BENCHMARKS.md).
fn fts5_query(probe: &str) -> String {
    let chars: Vec<char> = probe.chars().collect();
    let last = chars.len().saturating_sub(3);
    let mut starts = if chars.len() <= 6 {
        vec![0, last]
    } else {
        vec![0, last / 2, last]
    };
    starts.dedup();
    let trigram = |start: usize| {
        let mut out = String::from("\"");
        for &c in chars.get(start..start + 3).unwrap_or_default() {
            if c == '"' {
                out.push('"');
            }
            out.push(c);
        }
        out.push('"');
        out
    };
    starts
        .into_iter()
        .map(trigram)
        .collect::<Vec<_>>()
        .join(" AND ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fts5_queries_quote_everything_and_stay_short() {
        assert_eq!(fts5_query("ann"), "\"ann\"");
        assert_eq!(fts5_query("anne"), "\"ann\" AND \"nne\"");
        assert_eq!(fts5_query("whitf"), "\"whi\" AND \"itf\"");
        assert_eq!(fts5_query("whitfi"), "\"whi\" AND \"tfi\"");
        assert_eq!(fts5_query("whitfie"), "\"whi\" AND \"itf\" AND \"fie\"");
        assert_eq!(fts5_query("hannah lee"), "\"han\" AND \"nah\" AND \"lee\"");
        assert_eq!(
            fts5_query("a\"b OR c*"),
            "\"a\"\"b\" AND \" OR\" AND \" c*\""
        );
        assert_eq!(fts5_query("\"\"\""), "\"\"\"\"\"\"\"\"");
        assert_eq!(fts5_query(&"é".repeat(1000)), ["\"ééé\""; 3].join(" AND "));
    }

    #[test]
    fn long_keys_are_probed_in_the_middle() {
        assert_eq!(probe("hannah lee"), "hannah lee");
        assert_eq!(probe("christopher.allen66666@globex.com"), "r.allen66666");
        assert_eq!(probe(&"é🦀".repeat(1000)).chars().count(), PROBE_MAX);
        let pg = Source::new(Dialect::Postgres, Some("Christopher.Allen66666@globex.com"));
        assert_eq!(pg.filters[0].1, Val::Text("%r.allen66666%".into()));
        assert_eq!(
            pg.filters[1].1,
            Val::Text("christopher.allen66666@globex.com".into())
        );
    }

    #[test]
    fn short_keys_scan_long_keys_use_the_index() {
        for dialect in [Dialect::Sqlite, Dialect::Postgres] {
            let none = Source::new(dialect, Some("   "));
            assert!(none.filters.is_empty() && !none.matches_nothing);
            let short = Source::new(dialect, Some(" AN "));
            assert_eq!(short.order, "r.id DESC");
            assert_eq!(short.filters.len(), 1);
            assert_eq!(short.filters[0].1, Val::Text("an".into()));
            assert!(Source::new(dialect, Some("a\0b")).matches_nothing);
        }
        let sqlite = Source::new(Dialect::Sqlite, Some("Ann%"));
        assert_eq!(sqlite.order, "s.rowid");
        assert_eq!(sqlite.filters[0].1, Val::Text("\"ann\" AND \"nn%\"".into()));
        assert_eq!(sqlite.filters[1].1, Val::Text("ann%".into()));
        let pg = Source::new(Dialect::Postgres, Some("Ann%"));
        assert_eq!(pg.filters[0].1, Val::Text("%ann\\%%".into()));
        assert_eq!(pg.filters.len(), 1, "a short key's LIKE is the exact test");
    }
}
