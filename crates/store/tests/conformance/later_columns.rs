//! Upgrade tests fill an older schema through today's store, whose writes also touch columns
//! that later migrations add. Such columns are lent to the older schema while it is filled and
//! taken back before it is migrated, so the migration meets the schema it would meet in the
//! field.

/// (table, column, type) of the columns later migrations add that today's store writes.
const LATER_COLUMNS: &[(&str, &str, &str)] = &[
    ("orgs", "config_version", "BIGINT NOT NULL DEFAULT 0"),
    // Migration 17: the audit log's filterable columns.
    ("audit_log", "portal_id", "BIGINT"),
    ("audit_log", "portal_user_id", "BIGINT"),
    ("audit_log", "module", "TEXT"),
    ("audit_log", "record_id", "BIGINT"),
    ("audit_log", "ip", "TEXT"),
];

/// The SQL that adds the later columns to an older schema.
pub fn lend() -> String {
    LATER_COLUMNS
        .iter()
        .map(|(table, column, ty)| format!("ALTER TABLE {table} ADD COLUMN {column} {ty};\n"))
        .collect()
}

/// The SQL that takes them away again (both backends can drop a column).
pub fn take_back() -> String {
    LATER_COLUMNS
        .iter()
        .map(|(table, column, _)| format!("ALTER TABLE {table} DROP COLUMN {column};\n"))
        .collect()
}
