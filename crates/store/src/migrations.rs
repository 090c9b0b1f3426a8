//! Versioned, forward-only schema migrations. One DDL text per version serves both backends
//! where it can: `{id}`, `{bool}`, `{json}` and `{false}` become each dialect's spelling, so the
//! two schemas cannot drift apart and carry the same version numbers. A change only one dialect
//! can spell (a full-text index, a table rebuild SQLite needs and PostgreSQL forbids) gives one
//! text per dialect for the same version.

use crate::error::StoreResult;
use crate::sql::{Dialect, Executor, Val};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub ddl: Ddl,
}

/// The DDL of one migration.
pub enum Ddl {
    /// One text for both dialects (with the `{id}`-style tokens replaced).
    Both(&'static str),
    /// A text per dialect, for changes the two spell differently.
    PerDialect {
        sqlite: &'static str,
        postgres: &'static str,
    },
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "crm core",
        ddl: Ddl::Both(
            r#"
CREATE TABLE orgs (
    id {id},
    name TEXT NOT NULL,
    email_domain TEXT NOT NULL,
    language TEXT NOT NULL,
    time_format TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    country TEXT NOT NULL,
    gdpr_consent_required {bool} NOT NULL DEFAULT {false},
    created_at BIGINT NOT NULL
);
CREATE TABLE profiles (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    permissions {json} NOT NULL,
    UNIQUE (org_id, name)
);
CREATE TABLE users (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    email TEXT NOT NULL,
    email_key TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    profile_id BIGINT NOT NULL REFERENCES profiles(id),
    super_admin {bool} NOT NULL DEFAULT {false},
    active {bool} NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX users_org ON users (org_id, id);
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE TABLE modules (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    api_name TEXT NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    sharing TEXT NOT NULL,
    name_fields {json} NOT NULL,
    canvas_template TEXT,
    position BIGINT NOT NULL,
    UNIQUE (org_id, api_name)
);
CREATE TABLE fields (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    module_id BIGINT NOT NULL REFERENCES modules(id),
    api_name TEXT NOT NULL,
    label TEXT NOT NULL,
    spec {json} NOT NULL,
    mandatory {bool} NOT NULL,
    position BIGINT NOT NULL,
    UNIQUE (module_id, api_name)
);
CREATE TABLE layouts (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    module_id BIGINT NOT NULL REFERENCES modules(id),
    name TEXT NOT NULL,
    sections {json} NOT NULL,
    UNIQUE (module_id, name)
);
CREATE TABLE records (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    module_id BIGINT NOT NULL REFERENCES modules(id),
    owner_id BIGINT NOT NULL REFERENCES users(id),
    data {json} NOT NULL,
    display_name TEXT NOT NULL,
    email TEXT,
    search TEXT NOT NULL,
    approval_locked {bool} NOT NULL DEFAULT {false},
    in_review {bool} NOT NULL DEFAULT {false},
    gdpr_consent {bool} NOT NULL DEFAULT {false},
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT
);
CREATE INDEX records_list ON records (org_id, module_id, deleted_at, id);
CREATE INDEX records_owner ON records (org_id, module_id, owner_id, deleted_at, id);
CREATE INDEX records_bin ON records (org_id, deleted_at, id);
CREATE TABLE record_links (
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    target_id BIGINT NOT NULL,
    field_id BIGINT NOT NULL REFERENCES fields(id),
    record_id BIGINT NOT NULL REFERENCES records(id),
    PRIMARY KEY (target_id, field_id, record_id)
);
CREATE INDEX record_links_source ON record_links (record_id);
CREATE TABLE web_tabs (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    UNIQUE (org_id, name)
);
"#,
        ),
    },
    Migration {
        version: 2,
        name: "partial indexes for record lists",
        // PostgreSQL does not treat `deleted_at IS NULL` as an equality, so the composite index
        // above could not return live records in id order and page 1 sorted the whole module
        // (35 ms at 100,000 records, against 0.4 ms for page 1,000). Partial indexes keyed by
        // (org, module, id) give every page an ordered index scan on both backends.
        ddl: Ddl::Both(
            r#"
DROP INDEX records_list;
DROP INDEX records_owner;
DROP INDEX records_bin;
CREATE INDEX records_live ON records (org_id, module_id, id) WHERE deleted_at IS NULL;
CREATE INDEX records_live_owner ON records (org_id, module_id, owner_id, id) WHERE deleted_at IS NULL;
CREATE INDEX records_binned ON records (org_id, id) WHERE deleted_at IS NOT NULL;
"#,
        ),
    },
    Migration {
        version: 3,
        name: "portals, user types, seats, audit log",
        ddl: Ddl::Both(
            r#"
CREATE TABLE portals (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL UNIQUE,
    custom_domain TEXT UNIQUE,
    settings {json} NOT NULL,
    domain_token TEXT NOT NULL,
    domain_verified {bool} NOT NULL DEFAULT {false},
    created_at BIGINT NOT NULL
);
CREATE INDEX portals_org ON portals (org_id, id);
CREATE TABLE portal_user_types (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    portal_id BIGINT NOT NULL REFERENCES portals(id),
    name_key TEXT NOT NULL,
    is_default {bool} NOT NULL DEFAULT {false},
    config {json} NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (portal_id, name_key)
);
CREATE INDEX portal_user_types_org ON portal_user_types (org_id, portal_id);
CREATE TABLE seat_grants (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    seats BIGINT NOT NULL,
    granted_by TEXT NOT NULL,
    note TEXT NOT NULL,
    granted_at BIGINT NOT NULL
);
CREATE TABLE audit_log (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail {json} NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (org_id, id);
"#,
        ),
    },
    Migration {
        version: 4,
        name: "record versions",
        ddl: Ddl::Both(
            r#"
ALTER TABLE records ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
"#,
        ),
    },
    Migration {
        version: 5,
        name: "api token ids, last use and revocation",
        ddl: Ddl::Both(
            r#"
CREATE TABLE api_tokens_v5 (
    id {id},
    token_hash TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
INSERT INTO api_tokens_v5 (token_hash, org_id, user_id, label, created_at, expires_at)
    SELECT token_hash, org_id, user_id, label, created_at, expires_at FROM api_tokens ORDER BY created_at;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_v5 RENAME TO api_tokens;
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_org_user ON api_tokens (org_id, user_id, id);
"#,
        ),
    },
    Migration {
        version: 9,
        name: "org configuration version",
        // Raised in the transaction of every change to the org's profiles, modules, fields or
        // layouts; instances compare it with what they cached (see `Tx::config_changed`).
        ddl: Ddl::Both(
            r#"
ALTER TABLE orgs ADD COLUMN config_version BIGINT NOT NULL DEFAULT 0;
"#,
        ),
    },
];

/// The DDL text in the given dialect.
pub fn ddl(migration: &Migration, dialect: Dialect) -> String {
    let (id, boolean, json, false_) = match dialect {
        Dialect::Sqlite => ("INTEGER PRIMARY KEY AUTOINCREMENT", "INTEGER", "TEXT", "0"),
        Dialect::Postgres => ("BIGSERIAL PRIMARY KEY", "BOOLEAN", "JSONB", "FALSE"),
    };
    let text = match (&migration.ddl, dialect) {
        (Ddl::Both(text), _) => text,
        (Ddl::PerDialect { sqlite, .. }, Dialect::Sqlite) => sqlite,
        (Ddl::PerDialect { postgres, .. }, Dialect::Postgres) => postgres,
    };
    text.replace("{id}", id)
        .replace("{bool}", boolean)
        .replace("{json}", json)
        .replace("{false}", false_)
}

pub const LATEST: i64 = 9;

/// Applies pending migrations inside `tx` (a write transaction) and answers the new version.
pub(crate) async fn run<E: Executor>(tx: &mut E, now: i64) -> StoreResult<i64> {
    if tx.dialect() == Dialect::Postgres {
        // Several instances may start at once; one migrates, the others wait here.
        tx.batch("SELECT pg_advisory_xact_lock(7012345)").await?;
    }
    tx.batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
    )
    .await?;
    let rows = tx
        .query(
            "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
            &[],
        )
        .await?;
    let applied = rows.first().map(|r| r.int(0)).transpose()?.unwrap_or(0);
    let mut current = applied;
    for m in MIGRATIONS.iter().filter(|m| m.version > applied) {
        tx.batch(&ddl(m, tx.dialect())).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            &[Val::Int(m.version), Val::from(m.name), Val::Int(now)],
        )
        .await?;
        current = m.version;
    }
    Ok(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_increase_and_latest_is_last() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|m| m.version).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(versions.last(), Some(&LATEST));
        for m in MIGRATIONS {
            for d in [Dialect::Sqlite, Dialect::Postgres] {
                assert!(
                    !ddl(m, d).contains('{'),
                    "unreplaced token in migration {}",
                    m.version
                );
            }
        }
    }
}
