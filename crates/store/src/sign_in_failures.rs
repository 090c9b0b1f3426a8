//! Sign-in failure counts, kept in the database so that every instance on it sees the same
//! counts and locks. One row per sign-in key — the SHA-256 of the normalised email, so rows are
//! bounded in size and emails are not stored in clear — on the instance, not an org. The
//! arithmetic (window, limit, lockout, expiry, cap) is `portico_domain::lockout::LockoutRule`;
//! this file only reads, locks and writes rows.

use crate::error::{StoreError, StoreResult};
use crate::rows::{one, opt};
use crate::sql::{Dialect, Executor, Row, Val};
use crate::store::Tx;
use portico_domain::Millis;
use portico_domain::lockout::{Attempt, FailureCount, LockoutRule};

const COUNT_COLS: &str = "failures, first_failure_at, locked_until";

fn count_row(r: &Row) -> StoreResult<FailureCount> {
    Ok(FailureCount {
        failures: r.int(0)?,
        first_failure_at: r.int(1)?,
        locked_until: r.int(2)?,
    })
}

/// What makes a `SELECT` lock the rows it reads until the transaction ends. PostgreSQL runs
/// READ COMMITTED, so a row must be locked to be read, changed and written back without losing
/// a concurrent attempt; SQLite's write transaction (`BEGIN IMMEDIATE`) already excludes every
/// other writer, and has no such clause.
fn row_lock(dialect: Dialect, skip_locked: bool) -> &'static str {
    match (dialect, skip_locked) {
        (Dialect::Sqlite, _) => "",
        (Dialect::Postgres, false) => " FOR UPDATE",
        (Dialect::Postgres, true) => " FOR UPDATE SKIP LOCKED",
    }
}

async fn tracked_keys(c: &mut impl Executor) -> StoreResult<i64> {
    one(c, "SELECT COUNT(*) FROM sign_in_failures", &[])
        .await?
        .int(0)
}

impl Tx {
    /// One sign-in attempt for this key, counted as a failure unless the key is locked:
    /// answers [`Attempt::Locked`] (nothing written) or the key's new count. The row is locked
    /// from the read to the commit, so concurrent attempts — on any instance — are counted one
    /// after the other and none is lost. A key seen for the first time may push the table past
    /// `rule.max_keys`; the oldest unlocked keys are then forgotten (locked ones last), so a
    /// spray of distinct emails cannot grow the table without bound. Call it in a transaction.
    pub async fn record_sign_in_failure(
        &mut self,
        key_hash: &str,
        rule: &LockoutRule,
        now: Millis,
    ) -> StoreResult<Attempt> {
        let c = &mut self.conn;
        let lock = row_lock(c.dialect(), false);
        let found = opt(
            c,
            &format!("SELECT {COUNT_COLS} FROM sign_in_failures WHERE key_hash = $1{lock}"),
            &[Val::from(key_hash)],
        )
        .await?;
        let (current, new_key) = match found {
            Some(row) => (count_row(&row)?, false),
            None => {
                // A new key — unless another attempt inserted it since the read: then the
                // upsert waits for that one, locks the row and answers it as it is now.
                let none = FailureCount::none(now);
                let row = opt(
                    c,
                    &format!(
                        "INSERT INTO sign_in_failures \
                         (key_hash, failures, first_failure_at, locked_until, expires_at) \
                         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key_hash) \
                         DO UPDATE SET failures = sign_in_failures.failures \
                         RETURNING {COUNT_COLS}"
                    ),
                    &[
                        Val::from(key_hash),
                        Val::Int(none.failures),
                        Val::Int(none.first_failure_at),
                        Val::Int(none.locked_until),
                        Val::Int(rule.expires_at(&none)),
                    ],
                )
                .await?
                .ok_or_else(|| {
                    StoreError::Backend("the sign-in failure upsert gave no row".into())
                })?;
                (count_row(&row)?, true)
            }
        };
        let attempt = rule.attempt(&current, now);
        if let Attempt::Counted(next) = attempt {
            c.execute(
                "UPDATE sign_in_failures SET failures = $2, first_failure_at = $3, \
                 locked_until = $4, expires_at = $5 WHERE key_hash = $1",
                &[
                    Val::from(key_hash),
                    Val::Int(next.failures),
                    Val::Int(next.first_failure_at),
                    Val::Int(next.locked_until),
                    Val::Int(rule.expires_at(&next)),
                ],
            )
            .await?;
        }
        if new_key {
            let forget = rule.keys_to_forget(tracked_keys(c).await?);
            if forget > 0 {
                // Rows other attempts hold are skipped rather than waited for: two attempts
                // trimming at once must not wait on each other's rows (a deadlock).
                let skip = row_lock(c.dialect(), true);
                c.execute(
                    &format!(
                        "DELETE FROM sign_in_failures WHERE key_hash IN (\
                         SELECT key_hash FROM sign_in_failures WHERE key_hash <> $1 \
                         ORDER BY CASE WHEN locked_until > $2 THEN 1 ELSE 0 END, \
                         first_failure_at, key_hash LIMIT $3{skip})"
                    ),
                    &[Val::from(key_hash), Val::Int(now), Val::Int(forget)],
                )
                .await?;
            }
        }
        Ok(attempt)
    }

    /// The key's failure count as stored (expired counts included until they are swept).
    pub async fn get_sign_in_failures(
        &mut self,
        key_hash: &str,
    ) -> StoreResult<Option<FailureCount>> {
        let c = &mut self.conn;
        let row = opt(
            c,
            &format!("SELECT {COUNT_COLS} FROM sign_in_failures WHERE key_hash = $1"),
            &[Val::from(key_hash)],
        )
        .await?;
        row.as_ref().map(count_row).transpose()
    }

    /// Forgets the key's failures (a successful sign-in).
    pub async fn clear_sign_in_failures(&mut self, key_hash: &str) -> StoreResult<()> {
        self.conn
            .execute(
                "DELETE FROM sign_in_failures WHERE key_hash = $1",
                &[Val::from(key_hash)],
            )
            .await?;
        Ok(())
    }

    /// Deletes the counts that no longer matter at `now` (see `LockoutRule::expires_at`);
    /// answers how many.
    pub async fn delete_expired_sign_in_failures(&mut self, now: Millis) -> StoreResult<u64> {
        self.conn
            .execute(
                "DELETE FROM sign_in_failures WHERE expires_at <= $1",
                &[Val::Int(now)],
            )
            .await
    }

    /// How many sign-in keys have a count stored.
    pub async fn count_sign_in_failure_keys(&mut self) -> StoreResult<i64> {
        tracked_keys(&mut self.conn).await
    }
}
