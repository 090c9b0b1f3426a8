//! Migrations on databases that hold data. Migration 7 rebuilds `users` and `portals` on SQLite
//! (a column's UNIQUE cannot be dropped there) and changes their constraints on PostgreSQL: a
//! database filled at version 6 must come out with every row of every table unchanged, its
//! foreign keys intact and its counters kept. And whatever each dialect's DDL does, the two
//! backends must end with the same tables, columns and indexes.

use super::isolation::checked;
use super::{NOW, new_org};
use portico_domain::email::EmailAddress;
use portico_domain::portal::{PortalSettings, Slug};
use portico_domain::record::{RecordState, validate_data};
use portico_store::migrations::{LATEST, MIGRATIONS, ddl};
use portico_store::sql::Dialect;
use portico_store::{NewOrg, NewOrgAdmin, NewUser, Session, Store};
use serde_json::json;
use std::collections::BTreeMap;

/// A connection to the database beside the store, for what the store does not offer: applying
/// the migrations up to a version, and reading every row of every table.
enum Raw {
    Sqlite(rusqlite::Connection),
    /// The client, and the task driving its connection (ended with the test).
    Postgres(
        tokio_postgres::Client,
        #[allow(dead_code)] tokio::task::JoinHandle<()>,
    ),
}

impl Raw {
    async fn open(url: &str) -> Self {
        match url.strip_prefix("sqlite:") {
            Some(path) => {
                let conn = rusqlite::Connection::open(path).unwrap();
                conn.execute_batch("PRAGMA foreign_keys = ON").unwrap();
                Self::Sqlite(conn)
            }
            None => {
                let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                let task = tokio::spawn(async move {
                    let _ = connection.await;
                });
                Self::Postgres(client, task)
            }
        }
    }

    fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite(_) => Dialect::Sqlite,
            Self::Postgres(..) => Dialect::Postgres,
        }
    }

    async fn batch(&self, sql: &str) {
        match self {
            Self::Sqlite(c) => c.execute_batch(sql).unwrap(),
            Self::Postgres(c, _) => c.batch_execute(sql).await.unwrap(),
        }
    }

    /// Each row of the query as one string per column.
    async fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        match self {
            Self::Sqlite(c) => {
                let mut stmt = c.prepare(sql).unwrap();
                let n = stmt.column_count();
                stmt.query_map([], |r| {
                    (0..n)
                        .map(|i| {
                            use rusqlite::types::Value;
                            Ok(match r.get::<_, Value>(i)? {
                                Value::Null => "NULL".to_string(),
                                Value::Integer(v) => v.to_string(),
                                Value::Real(v) => v.to_string(),
                                Value::Text(v) => v,
                                Value::Blob(v) => format!("{v:?}"),
                            })
                        })
                        .collect()
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
            }
            Self::Postgres(c, _) => {
                let rows = c.simple_query(sql).await.unwrap();
                rows.iter()
                    .filter_map(|m| match m {
                        tokio_postgres::SimpleQueryMessage::Row(r) => Some(
                            (0..r.len())
                                .map(|i| r.get(i).unwrap_or("NULL").to_string())
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect()
            }
        }
    }

    /// Applies the migrations before `version`, as the runner does.
    async fn migrate_before(&self, version: i64) {
        self.batch(
            "CREATE TABLE schema_migrations (
                version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await;
        for m in MIGRATIONS.iter().filter(|m| m.version < version) {
            self.batch(&ddl(m, self.dialect())).await;
            self.batch(&format!(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, 'm', 0)",
                m.version
            ))
            .await;
        }
    }

    /// The tables of the schema, without the record search index: it is each dialect's own by
    /// design (an FTS5 table and its shadow tables on SQLite, a GIN index on PostgreSQL), and
    /// `conformance/search.rs` checks it.
    async fn tables(&self) -> Vec<String> {
        let sql = match self {
            Self::Sqlite(_) => {
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 ORDER BY name"
            }
            Self::Postgres(..) => {
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            }
        };
        self.rows(sql)
            .await
            .into_iter()
            .map(|r| r[0].clone())
            .filter(|t| !t.starts_with(SEARCH_INDEX))
            .collect()
    }

    /// Every row of every table of `shape` but the migrations' own, its columns only, in a
    /// stable order (so columns a later migration adds do not count as a change).
    async fn dump(
        &self,
        shape: &BTreeMap<String, Vec<String>>,
    ) -> BTreeMap<String, Vec<Vec<String>>> {
        let mut out = BTreeMap::new();
        for (table, columns) in shape {
            if table != "schema_migrations" {
                let sql = format!(
                    "SELECT {} FROM {table} ORDER BY 1, 2, 3",
                    columns.join(", ")
                );
                out.insert(table.clone(), self.rows(&sql).await);
            }
        }
        out
    }

    /// Table → its columns, and the names of the indexes made by `CREATE INDEX` (not those
    /// behind a constraint, which each backend names its own way).
    async fn shape(&self) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
        let mut columns = BTreeMap::new();
        for table in self.tables().await {
            let sql = match self {
                Self::Sqlite(_) => format!("SELECT name FROM pragma_table_info('{table}')"),
                Self::Postgres(..) => format!(
                    "SELECT column_name FROM information_schema.columns \
                     WHERE table_schema = 'public' AND table_name = '{table}' ORDER BY ordinal_position"
                ),
            };
            let names = self.rows(&sql).await.into_iter().map(|r| r[0].clone());
            columns.insert(table, names.collect());
        }
        let sql = match self {
            Self::Sqlite(_) => {
                "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"
            }
            Self::Postgres(..) => {
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' \
                 AND indexname NOT IN (SELECT conname FROM pg_constraint) ORDER BY indexname"
            }
        };
        let indexes = self
            .rows(sql)
            .await
            .into_iter()
            .map(|r| r[0].clone())
            .filter(|i| !i.starts_with(SEARCH_INDEX));
        (columns, indexes.collect())
    }
}

/// The prefix of the search index's tables and indexes (migration 8).
const SEARCH_INDEX: &str = "records_search";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_migration_7_keeps_the_data_of_version_6() {
    migration_7_keeps_the_data_of_version_6(portico_testkit::sqlite_url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_migration_7_keeps_the_data_of_version_6() {
    match portico_testkit::postgres_url().await {
        Ok(Some(url)) => migration_7_keeps_the_data_of_version_6(url).await,
        Ok(None) => {}
        Err(e) => panic!("{e}"),
    }
}

fn org(name: &str, domain: &str, admin: &str) -> NewOrg {
    let admin = NewOrgAdmin {
        email: EmailAddress::parse(admin).unwrap(),
        name: "Boss".into(),
        password_hash: format!("hash-of-{admin}"),
    };
    new_org(name, domain, Some(admin))
}

async fn migration_7_keeps_the_data_of_version_6(url: String) {
    let raw = Raw::open(&url).await;
    raw.migrate_before(7).await;
    raw.batch(&super::later_columns::lend()).await;
    // Filled through the store's own operations, which version 6's schema serves as well.
    let store = Store::open(&url).unwrap();
    let zylker = store
        .create_org(&org("Zylker", "zylker.com", "ada@zylker.com"), NOW)
        .await
        .unwrap();
    let rival = store
        .create_org(&org("Rival", "rival.example", "bob@rival.example"), NOW)
        .await
        .unwrap();
    let ada = zylker.admin.unwrap();
    let bob = rival.admin.unwrap();
    let z = zylker.org.id;
    let gone = store
        .create_user(
            z,
            &NewUser {
                email: EmailAddress::parse("gone@zylker.com").unwrap(),
                name: "Gone".into(),
                password_hash: "h".into(),
                profile_id: ada.profile_id,
                super_admin: false,
            },
            NOW,
        )
        .await
        .unwrap();
    // The newest user goes: its id must never be handed out again.
    raw.batch(&format!("DELETE FROM users WHERE id = {}", gone.id))
        .await;
    let session = Session {
        org_id: z,
        user_id: ada.id,
        csrf_token: "csrf".into(),
        created_at: NOW,
        last_seen_at: NOW,
        expires_at: NOW + 1_000_000,
    };
    store
        .create_session("session-hash", &session)
        .await
        .unwrap();
    let token = store
        .create_api_token(z, ada.id, "token-hash", "cli", NOW, NOW + 1_000_000)
        .await
        .unwrap();
    let contacts = store.get_module(z, "Contacts").await.unwrap();
    let fields = store.list_fields(z, contacts.id).await.unwrap();
    let data = json!({"Last_Name": "Lee", "Email": "ann@client.example"});
    let valid = validate_data(
        &fields,
        &contacts.name_fields,
        data.as_object().unwrap(),
        None,
    )
    .unwrap();
    let record = store
        .create_record(z, contacts.id, ada.id, &valid, RecordState::default(), NOW)
        .await
        .unwrap();
    let client = checked(&store, z, "Client Portal", "Contacts", true).await;
    let (portal, _) = store
        .create_portal(
            z,
            "Zylker Clients",
            &PortalSettings::new(Slug::parse("zylker-clients").unwrap()),
            "domain-token",
            &client,
            NOW,
        )
        .await
        .unwrap();
    let mut settings = portal.settings.clone();
    settings.custom_domain = Some("clients.zylker.com".into());
    store
        .update_portal_settings(z, portal.id, &settings)
        .await
        .unwrap();
    store.set_domain_verified(z, portal.id, true).await.unwrap();
    store.grant_seats(z, 5, "ops", "PO-1", NOW).await.unwrap();
    store
        .record_audit(z, "ada@zylker.com", "a.thing", &json!({"n": 1}), NOW)
        .await
        .unwrap();

    raw.batch(&super::later_columns::take_back()).await;
    let (version_6, _) = raw.shape().await;
    let before = raw.dump(&version_6).await;
    assert_eq!(store.migrate(NOW).await.unwrap(), LATEST);
    let after = raw.dump(&version_6).await;
    for (table, rows) in &before {
        assert_eq!(
            after.get(table),
            Some(rows),
            "{table} changed in the migration"
        );
    }
    assert!(before["users"].len() == 2 && before["portals"].len() == 1);

    // Read back through the store.
    let logins = store.find_logins("ada@zylker.com").await.unwrap();
    let logins: Vec<(i64, &str)> = logins.iter().map(|(u, h)| (u.id, h.as_str())).collect();
    assert_eq!(logins, [(ada.id, "hash-of-ada@zylker.com")]);
    assert_eq!(
        store.get_session("session-hash").await.unwrap(),
        Some(session)
    );
    assert_eq!(
        store.find_api_token("token-hash").await.unwrap(),
        Some(token)
    );
    let served = store
        .portal_by_domain("clients.zylker.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (served.id, served.domain_verified, served.settings),
        (portal.id, true, settings)
    );
    assert_eq!(
        store
            .get_record(z, contacts.id, record.id)
            .await
            .unwrap()
            .owner_id,
        ada.id
    );
    // The new rule holds, and ids go on where they were.
    let twin = store
        .create_user(
            rival.org.id,
            &NewUser {
                email: EmailAddress::parse("ADA@zylker.com").unwrap(),
                name: "Twin".into(),
                password_hash: "h".into(),
                profile_id: bob.profile_id,
                super_admin: false,
            },
            NOW,
        )
        .await
        .unwrap();
    assert!(twin.id > gone.id, "{} reuses a deleted id", twin.id);
    if let Raw::Sqlite(c) = &raw {
        // The rebuilt tables' children still point at them, and nothing dangles.
        let dangling: i64 = c
            .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(dangling, 0);
        let orphan = c.execute(
            "INSERT INTO sessions (token_hash, org_id, user_id, csrf_token, created_at, last_seen_at, expires_at) \
             VALUES ('x', ?1, 999999, 'c', 0, 0, 1)",
            [z],
        );
        assert!(orphan.is_err(), "foreign keys still hold");
    }
}

/// Both backends end with the same tables, columns (in the same order) and indexes, whatever
/// each dialect's DDL does on the way (SQLite rebuilds tables that PostgreSQL alters).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_backends_have_the_same_schema() {
    let Some(pg_url) = portico_testkit::postgres_url()
        .await
        .unwrap_or_else(|e| panic!("{e}"))
    else {
        return;
    };
    let sqlite_url = portico_testkit::sqlite_url();
    let mut shapes = Vec::new();
    for url in [sqlite_url, pg_url] {
        Store::open(&url).unwrap().migrate(NOW).await.unwrap();
        shapes.push(Raw::open(&url).await.shape().await);
    }
    assert_eq!(shapes[0].0, shapes[1].0, "tables and columns");
    assert_eq!(shapes[0].1, shapes[1].1, "indexes");
}
