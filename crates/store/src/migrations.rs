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

/// Migration 7's new table, the same on both backends: the accounts a sign-in's password
/// opened in several orgs, waiting under the hash of a random secret for the user to choose.
macro_rules! sign_in_choices_ddl {
    () => {
        r#"
CREATE TABLE sign_in_choices (
    token_hash TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (token_hash, user_id)
);
CREATE INDEX sign_in_choices_expiry ON sign_in_choices (expires_at);
"#
    };
}

/// Migration 17's columns and indexes, the same on both backends (the copy from the detail
/// that follows is spelled per dialect). Each index leads with the org and ends with the id,
/// so a filtered page is one range scan in id order.
macro_rules! audit_columns_ddl {
    () => {
        r#"
ALTER TABLE audit_log ADD COLUMN portal_id BIGINT;
ALTER TABLE audit_log ADD COLUMN portal_user_id BIGINT;
ALTER TABLE audit_log ADD COLUMN module TEXT;
ALTER TABLE audit_log ADD COLUMN record_id BIGINT;
ALTER TABLE audit_log ADD COLUMN ip TEXT;
CREATE INDEX audit_log_org_at ON audit_log (org_id, at, id);
CREATE INDEX audit_log_portal ON audit_log (org_id, portal_id, id) WHERE portal_id IS NOT NULL;
CREATE INDEX audit_log_portal_user ON audit_log (org_id, portal_user_id, id) WHERE portal_user_id IS NOT NULL;
CREATE INDEX audit_log_record ON audit_log (org_id, record_id, id) WHERE record_id IS NOT NULL;
"#
    };
}

/// SQLite's rebuild of `$table` with a new definition (column by column, constraints included),
/// keeping the rows of `$columns`, for changes it cannot make in place. The caller defers
/// foreign keys first and creates the table's indexes again afterwards (see migration 7 for
/// why the copy goes aside and comes back under the table's own name).
macro_rules! sqlite_rebuild {
    ($table:literal, $columns:literal, $definition:literal) => {
        concat!(
            "\nCREATE TABLE rebuild_",
            $table,
            " AS SELECT * FROM ",
            $table,
            ";\n",
            "DROP TABLE ",
            $table,
            ";\n",
            "CREATE TABLE ",
            $table,
            " (",
            $definition,
            ");\n",
            "INSERT INTO ",
            $table,
            " (",
            $columns,
            ")\n",
            "    SELECT ",
            $columns,
            " FROM rebuild_",
            $table,
            " ORDER BY id;\n",
            "DROP TABLE rebuild_",
            $table,
            ";\n",
        )
    };
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
        version: 6,
        name: "sign-in failures shared by every instance",
        // One row per sign-in key (the SHA-256 of the normalised email, never the email), on
        // the instance rather than an org. `expires_at` is computed by the lockout rule in
        // Rust, so sweeping expired rows is a plain comparison and the rule lives in one place.
        ddl: Ddl::Both(
            r#"
CREATE TABLE sign_in_failures (
    key_hash TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    first_failure_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_expiry ON sign_in_failures (expires_at);
"#,
        ),
    },
    Migration {
        version: 7,
        name: "claims scoped by org: user emails per org, verified custom domains per instance",
        // CRM user emails become unique within an org (one org can no longer take an address and
        // lock every other org out of it), custom domains unique within an org and, once
        // verified, on the instance; and sign-ins that open accounts in several orgs wait in
        // `sign_in_choices` for the user to pick one. PostgreSQL changes constraints in place.
        // SQLite cannot drop a column's UNIQUE, so `users` and `portals` are rebuilt: inside the
        // migration's transaction `PRAGMA foreign_keys` cannot be switched off, so foreign keys
        // are deferred, each table is copied aside, dropped (its children's references now count
        // as violations), created again under its own name and filled back (each row put back
        // clears the violations it caused), so the commit finds none left. Renaming a copy into
        // place instead would leave the violations counted. No child table may have an ON DELETE
        // action, or dropping the parent would apply it. Every index and the AUTOINCREMENT
        // counters are kept; temporary indexes let the foreign-key bookkeeping find child rows
        // without scanning whole tables.
        ddl: Ddl::PerDialect {
            sqlite: concat!(
                r#"
PRAGMA defer_foreign_keys = ON;
CREATE INDEX m7_records_owner ON records (owner_id);
CREATE INDEX m7_sessions_user ON sessions (user_id);
CREATE INDEX m7_api_tokens_user ON api_tokens (user_id);
CREATE TABLE m7_sequence AS SELECT name, seq FROM sqlite_sequence WHERE name IN ('users', 'portals');
"#,
                sqlite_rebuild!(
                    "users",
                    "id, org_id, email, email_key, name, password_hash, profile_id, super_admin, active, created_at",
                    r#"
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    profile_id BIGINT NOT NULL REFERENCES profiles(id),
    super_admin {bool} NOT NULL DEFAULT {false},
    active {bool} NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, email_key)
"#
                ),
                r#"
CREATE INDEX users_org ON users (org_id, id);
CREATE INDEX users_email ON users (email_key);
"#,
                sqlite_rebuild!(
                    "portals",
                    "id, org_id, name, name_key, slug, custom_domain, settings, domain_token, domain_verified, created_at",
                    r#"
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    slug TEXT NOT NULL UNIQUE,
    custom_domain TEXT,
    settings {json} NOT NULL,
    domain_token TEXT NOT NULL,
    domain_verified {bool} NOT NULL DEFAULT {false},
    created_at BIGINT NOT NULL,
    UNIQUE (org_id, custom_domain)
"#
                ),
                r#"
CREATE INDEX portals_org ON portals (org_id, id);
CREATE UNIQUE INDEX portals_verified_domain ON portals (custom_domain) WHERE domain_verified;

DELETE FROM sqlite_sequence WHERE name IN ('users', 'portals');
INSERT INTO sqlite_sequence (name, seq) SELECT name, seq FROM m7_sequence;
DROP TABLE m7_sequence;
DROP INDEX m7_records_owner;
DROP INDEX m7_sessions_user;
DROP INDEX m7_api_tokens_user;
"#,
                sign_in_choices_ddl!()
            ),
            postgres: concat!(
                r#"
ALTER TABLE users DROP CONSTRAINT users_email_key_key;
ALTER TABLE users ADD CONSTRAINT users_org_id_email_key_key UNIQUE (org_id, email_key);
CREATE INDEX users_email ON users (email_key);
ALTER TABLE portals DROP CONSTRAINT portals_custom_domain_key;
ALTER TABLE portals ADD CONSTRAINT portals_org_id_custom_domain_key UNIQUE (org_id, custom_domain);
CREATE UNIQUE INDEX portals_verified_domain ON portals (custom_domain) WHERE domain_verified;
"#,
                sign_in_choices_ddl!()
            ),
        },
    },
    Migration {
        version: 8,
        name: "record search index",
        // Search was `search LIKE '%x%'`, a scan of the whole module (47 ms at 100,000
        // Contacts). Both indexes hold trigrams of `records.search` (name and email,
        // lower-cased), so a substring of 3 characters or more is an index lookup; see
        // `search.rs` for how each is queried. Existing records are indexed here.
        //
        // SQLite: a contentless FTS5 table (the text stays in `records` only) whose rowid is
        // the record's id negated: FTS5 reads ascending rowids fastest, and lists run newest
        // first. Triggers keep it in step, so every write path (create, update, purge, and any
        // added later) updates it in the writing transaction. Records in the recycle bin stay
        // indexed: the bin can be searched too. A migration that rebuilds `records` must
        // recreate the triggers. `case_sensitive 1`: the text is lower-cased already, and
        // folding it again could only offer rows the exact test then drops. The backfill is
        // merged into one segment at once (`optimize`).
        //
        // PostgreSQL: `pg_trgm` ships with PostgreSQL (the contrib modules) and is a trusted
        // extension, so the database owner may create it; a GIN index of trigrams serves
        // `LIKE '%x%'`. CREATE INDEX reads the existing rows. The planner chooses between that
        // index and walking the list newest first from the share of rows it expects to match,
        // which it estimates by trying the pattern on a histogram of `search`: 1,000 entries
        // rather than 100 tell a rare name (0.05%: the index, ~1 ms at 100,000 records) from
        // a common one (2%: the walk) where 100 often could not, and a rare name walked is a
        // scan of the whole module (25 ms).
        ddl: Ddl::PerDialect {
            sqlite: r#"
CREATE VIRTUAL TABLE records_search USING fts5(
    search, content = '', contentless_delete = 1, tokenize = 'trigram case_sensitive 1'
);
INSERT INTO records_search (rowid, search) SELECT -id, search FROM records ORDER BY id DESC;
INSERT INTO records_search (records_search) VALUES ('optimize');
CREATE TRIGGER records_search_insert AFTER INSERT ON records BEGIN
    INSERT INTO records_search (rowid, search) VALUES (-new.id, new.search);
END;
CREATE TRIGGER records_search_delete AFTER DELETE ON records BEGIN
    DELETE FROM records_search WHERE rowid = -old.id;
END;
CREATE TRIGGER records_search_update AFTER UPDATE OF search ON records
WHEN old.search IS NOT new.search BEGIN
    DELETE FROM records_search WHERE rowid = -old.id;
    INSERT INTO records_search (rowid, search) VALUES (-new.id, new.search);
END;
"#,
            postgres: r#"
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX records_search_trgm ON records USING gin (search gin_trgm_ops);
ALTER TABLE records ALTER COLUMN search SET STATISTICS 1000;
"#,
        },
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
    Migration {
        version: 10,
        name: "the outbox: every email, written with the change that causes it",
        // One row per email. `next_attempt_at` is when the message is next due: for a pending
        // message its next attempt, for one being sent the end of the worker's lease (a worker
        // that dies leaves it due again then). The partial indexes serve the workers: the pick
        // of due messages, and the few leased ones whose lease ran out on their last attempt;
        // the others the mail log's keyset pages, all and by state.
        ddl: Ddl::Both(
            r#"
CREATE TABLE outbox (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    message_id TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_leased ON outbox (next_attempt_at) WHERE state = 'sending';
CREATE INDEX outbox_org ON outbox (org_id, id);
CREATE INDEX outbox_org_state ON outbox (org_id, state, id);
"#,
        ),
    },
    Migration {
        version: 11,
        name: "portal users, their single-use links and sessions, invitation batches",
        // A portal user is unique per portal by address and by personality record (a NULL
        // record — a sign-up not yet approved — is not a duplicate of another). Links and
        // sessions keep only the SHA-256 of their secret. An invitation batch keeps one item per
        // record with its outcome, so a worker killed mid-batch resumes at the first pending
        // item: an item, its portal user, link, outbox row and audit row commit together.
        ddl: Ddl::Both(
            r#"
CREATE TABLE portal_users (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    portal_id BIGINT NOT NULL REFERENCES portals(id),
    user_type_id BIGINT NOT NULL REFERENCES portal_user_types(id),
    record_id BIGINT,
    email TEXT NOT NULL,
    email_key TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    password_hash TEXT,
    preferences {json} NOT NULL,
    invited_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT portal_users_email UNIQUE (portal_id, email_key),
    CONSTRAINT portal_users_record UNIQUE (portal_id, record_id)
);
CREATE INDEX portal_users_list ON portal_users (org_id, portal_id, status, id);
CREATE INDEX portal_users_type ON portal_users (user_type_id, status);
CREATE INDEX portal_users_by_record ON portal_users (record_id);
CREATE TABLE portal_links (
    token_hash TEXT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    portal_user_id BIGINT NOT NULL REFERENCES portal_users(id),
    purpose TEXT NOT NULL,
    email_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX portal_links_user ON portal_links (portal_user_id, purpose);
CREATE TABLE portal_sessions (
    token_hash TEXT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    portal_id BIGINT NOT NULL REFERENCES portals(id),
    portal_user_id BIGINT NOT NULL REFERENCES portal_users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX portal_sessions_user ON portal_sessions (portal_user_id);
CREATE TABLE invitation_batches (
    id {id},
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    portal_id BIGINT NOT NULL REFERENCES portals(id),
    user_type_id BIGINT NOT NULL REFERENCES portal_user_types(id),
    created_by BIGINT NOT NULL REFERENCES users(id),
    language TEXT,
    state TEXT NOT NULL,
    total BIGINT NOT NULL,
    sent BIGINT NOT NULL DEFAULT 0,
    failed BIGINT NOT NULL DEFAULT 0,
    lease_until BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX invitation_batches_org ON invitation_batches (org_id, portal_id, id);
CREATE INDEX invitation_batches_running ON invitation_batches (lease_until) WHERE state = 'running';
CREATE TABLE invitation_batch_items (
    batch_id BIGINT NOT NULL REFERENCES invitation_batches(id),
    position BIGINT NOT NULL,
    record_id BIGINT NOT NULL,
    state TEXT NOT NULL,
    code TEXT,
    message TEXT,
    PRIMARY KEY (batch_id, position)
);
CREATE INDEX invitation_batch_items_state ON invitation_batch_items (batch_id, state, position);
"#,
        ),
    },
    Migration {
        version: 12,
        name: "email domains an org blocks for portal invitations and sign-ups",
        // The primary key serves both reads: the org's list, and the check of an address's
        // domain and its parents (`Tx::email_domain_blocked`), an equality lookup per name.
        // Domains are stored lower-cased (`BlockedDomain::parse`).
        ddl: Ddl::Both(
            r#"
CREATE TABLE blocked_email_domains (
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    domain TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (org_id, domain)
);
"#,
        ),
    },
    Migration {
        version: 14,
        name: "live records by email, for sign-ups",
        // A sign-up links the live record of the personality module with its address (and a
        // restricted portal auto-approves a Contacts address): an equality on the lower-cased
        // email within one module, which neither the list indexes nor the trigram index serve.
        // (12 and 13 are taken by work landing beside this.)
        ddl: Ddl::Both(
            r#"
CREATE INDEX records_email ON records (org_id, module_id, lower(email)) WHERE deleted_at IS NULL AND email IS NOT NULL;
"#,
        ),
    },
    Migration {
        version: 16,
        name: "email-change links carry the new address; portal logos",
        // An email-change link is bound to the account's current address (`email_key`, as every
        // link) and carries the address it confirms. A portal's logo is one row per portal,
        // its bytes as base64 text (the store's values are text; 512 KB at most) with the
        // ETag the pages and the stylesheet use.
        ddl: Ddl::Both(
            r#"
ALTER TABLE portal_links ADD COLUMN new_email TEXT;
CREATE TABLE portal_logos (
    portal_id BIGINT PRIMARY KEY REFERENCES portals(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    content_type TEXT NOT NULL,
    data TEXT NOT NULL,
    etag TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
"#,
        ),
    },
    Migration {
        version: 17,
        name: "audit log columns to filter on: portal, portal user, module, record, address",
        // The audit page and API filter by portal, portal user, record and time without
        // reading the JSON detail. No foreign keys: an entry outlives the portal user or
        // record it names. Entries written before carry their portal and portal user in the
        // detail (the portal-account events); those are copied into the columns.
        ddl: Ddl::PerDialect {
            sqlite: concat!(
                audit_columns_ddl!(),
                r#"
UPDATE audit_log SET portal_id = json_extract(detail, '$.portal_id') WHERE json_type(detail, '$.portal_id') = 'integer';
UPDATE audit_log SET portal_user_id = json_extract(detail, '$.portal_user_id') WHERE json_type(detail, '$.portal_user_id') = 'integer';
"#
            ),
            postgres: concat!(
                audit_columns_ddl!(),
                r#"
UPDATE audit_log SET portal_id = (detail->>'portal_id')::BIGINT WHERE jsonb_typeof(detail) = 'object' AND detail->>'portal_id' ~ '^[0-9]+$' AND length(detail->>'portal_id') < 19;
UPDATE audit_log SET portal_user_id = (detail->>'portal_user_id')::BIGINT WHERE jsonb_typeof(detail) = 'object' AND detail->>'portal_user_id' ~ '^[0-9]+$' AND length(detail->>'portal_user_id') < 19;
"#
            ),
        },
    },
    Migration {
        version: 18,
        name: "portal MFA: TOTP secrets, recovery codes, sign-in challenges",
        // One secret per portal user (pending until a code confirms it; `last_step` makes each
        // code single-use), the SHA-256 of each recovery code, and the challenges between a
        // correct password and the code (only their hash stored, swept with the sessions).
        // 15 was left unused by work that did not land.
        ddl: Ddl::Both(
            r#"
CREATE TABLE portal_mfa (
    portal_user_id BIGINT PRIMARY KEY REFERENCES portal_users(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    secret TEXT NOT NULL,
    enabled_at BIGINT,
    last_step BIGINT,
    created_at BIGINT NOT NULL
);
CREATE TABLE portal_recovery_codes (
    portal_user_id BIGINT NOT NULL REFERENCES portal_users(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (portal_user_id, code_hash)
);
CREATE TABLE portal_mfa_challenges (
    token_hash TEXT PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    portal_id BIGINT NOT NULL REFERENCES portals(id),
    portal_user_id BIGINT NOT NULL REFERENCES portal_users(id),
    enrol {bool} NOT NULL,
    attempts BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX portal_mfa_challenges_user ON portal_mfa_challenges (portal_user_id);
CREATE INDEX portal_mfa_challenges_expiry ON portal_mfa_challenges (expires_at);
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

pub const LATEST: i64 = 18;

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
