//! Units of work on both backends: a transaction's writes commit together or not at all;
//! versioned updates refuse a stale base; the schema's unique constraints are exactly the ones
//! the error mapping names, so a violation becomes a 409 naming the field.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use portico_domain::email::EmailAddress;
use portico_domain::org::{OrgSettings, TimeFormat};
use portico_domain::record::{RecordState, validate_data};
use portico_domain::standard::{default_profiles, standard_modules};
use portico_domain::webtab::NewWebTab;
use portico_store::error::UNIQUE_CONSTRAINTS;
use portico_store::{NewOrg, NewOrgAdmin, RecordMeta, Store, StoreError};
use serde_json::{Map, json};

const NOW: i64 = 1_700_000_000_000;

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let url = portico_testkit::sqlite_url();
                    super::$name(super::fresh(&url).await, url).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    match portico_testkit::postgres_url().await {
                        Ok(Some(url)) => super::$name(super::fresh(&url).await, url).await,
                        Ok(None) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            )*
        }
    };
}

on_both!(
    a_dropped_transaction_leaves_nothing,
    a_failure_midway_rolls_back_the_earlier_writes,
    committed_writes_are_seen_together,
    stale_versions_are_refused,
    unique_constraints_are_all_mapped_to_fields,
);

async fn fresh(url: &str) -> Store {
    let store = Store::open(url).unwrap();
    store.migrate(NOW).await.unwrap();
    store
}

/// An org with the standard modules; answers (org, admin user id).
async fn org(store: &Store) -> (i64, i64) {
    let modules = standard_modules();
    let created = store
        .create_org(
            &NewOrg {
                settings: OrgSettings {
                    name: "Tx Co".into(),
                    email_domain: "tx.example".into(),
                    language: "en".into(),
                    time_format: TimeFormat::TwentyFourHour,
                    time_zone: "UTC".into(),
                    country: "US".into(),
                    gdpr_consent_required: false,
                },
                profiles: default_profiles(&modules),
                modules,
                admin: Some(NewOrgAdmin {
                    email: EmailAddress::parse("admin@tx.example").unwrap(),
                    name: "Admin".into(),
                    password_hash: "x".into(),
                }),
            },
            NOW,
        )
        .await
        .unwrap();
    (created.org.id, created.admin.unwrap().id)
}

fn tab(name: &str) -> NewWebTab {
    NewWebTab {
        name: name.into(),
        url: "https://example.com/".into(),
    }
}

async fn a_dropped_transaction_leaves_nothing(store: Store, _url: String) {
    let (org, _) = org(&store).await;
    {
        let mut tx = store.transaction().await.unwrap();
        tx.create_web_tab(org, &tab("Docs")).await.unwrap();
        tx.record_audit(org, "admin@tx.example", "tab.create", &json!({}), NOW)
            .await
            .unwrap();
        // Inside, the transaction sees its own writes.
        assert_eq!(tx.list_web_tabs(org).await.unwrap().len(), 1);
        // Dropped without commit: an early return, a panic or a cancelled request.
    }
    assert!(store.list_web_tabs(org).await.unwrap().is_empty());
    assert!(store.audit_log(org, 10).await.unwrap().is_empty());
}

async fn a_failure_midway_rolls_back_the_earlier_writes(store: Store, _url: String) {
    let (org, _) = org(&store).await;
    store.create_web_tab(org, &tab("Existing")).await.unwrap();
    let outcome: Result<(), StoreError> = async {
        let mut tx = store.transaction().await?;
        tx.create_web_tab(org, &tab("New")).await?;
        tx.record_audit(org, "admin@tx.example", "tab.create", &json!({}), NOW)
            .await?;
        tx.create_web_tab(org, &tab("Existing")).await?; // refused: the name is taken
        tx.commit().await
    }
    .await;
    assert!(
        matches!(outcome, Err(StoreError::Conflict(_))),
        "{outcome:?}"
    );
    let names: Vec<String> = store
        .list_web_tabs(org)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Existing"], "the first write went with the failure");
    assert!(store.audit_log(org, 10).await.unwrap().is_empty());
}

async fn committed_writes_are_seen_together(store: Store, _url: String) {
    let (org, _) = org(&store).await;
    let mut tx = store.transaction().await.unwrap();
    tx.create_web_tab(org, &tab("Docs")).await.unwrap();
    tx.record_audit(
        org,
        "admin@tx.example",
        "tab.create",
        &json!({"name": "Docs"}),
        NOW,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.list_web_tabs(org).await.unwrap().len(), 1);
    let log = store.audit_log(org, 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].detail, json!({"name": "Docs"}));
}

async fn stale_versions_are_refused(store: Store, _url: String) {
    let (org, admin) = org(&store).await;
    let contacts = store.get_module(org, "Contacts").await.unwrap();
    let fields = store.list_fields(org, contacts.id).await.unwrap();
    let data = |name: &str| -> Map<String, serde_json::Value> {
        match json!({"Last_Name": name}) {
            serde_json::Value::Object(m) => m,
            _ => unreachable!(),
        }
    };
    let valid = validate_data(&fields, &contacts.name_fields, &data("First"), None).unwrap();
    let created = store
        .create_record(org, contacts.id, admin, &valid, RecordState::default(), NOW)
        .await
        .unwrap();
    assert_eq!(created.version, 1);
    let based_on = |v: i64| RecordMeta {
        expected_version: Some(v),
        ..Default::default()
    };
    let second = validate_data(&fields, &contacts.name_fields, &data("Second"), None).unwrap();
    let updated = store
        .update_record(org, contacts.id, created.id, &second, based_on(1), NOW + 1)
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    let third = validate_data(&fields, &contacts.name_fields, &data("Third"), None).unwrap();
    let stale = store
        .update_record(org, contacts.id, created.id, &third, based_on(1), NOW + 2)
        .await;
    assert!(
        matches!(stale, Err(StoreError::Stale { current_version: 2 })),
        "{stale:?}"
    );
    let now = store
        .get_record(org, contacts.id, created.id)
        .await
        .unwrap();
    assert_eq!((now.version, now.display_name.as_str()), (2, "Second"));
    // Without a base version the write goes through (the CRM's own forms always send one).
    let unconditional = store
        .update_record(
            org,
            contacts.id,
            created.id,
            &third,
            RecordMeta::default(),
            NOW + 3,
        )
        .await
        .unwrap();
    assert_eq!(unconditional.version, 3);
}

/// The unique constraints and unique indexes (partial ones included; primary keys aside) the
/// schema has, as the backend reports them in errors.
async fn schema_unique_constraints(url: &str) -> Vec<String> {
    if let Some(path) = url.strip_prefix("sqlite:") {
        let conn = rusqlite::Connection::open(path).unwrap();
        let tables: Vec<String> = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut out = Vec::new();
        for table in tables {
            let indexes: Vec<(String, bool, String)> = conn
                .prepare(&format!("PRAGMA index_list(\"{table}\")"))
                .unwrap()
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let unique = indexes
                .into_iter()
                .filter(|(_, unique, origin)| *unique && origin != "pk");
            for (index, _, _) in unique {
                let columns: Vec<String> = conn
                    .prepare(&format!("PRAGMA index_info(\"{index}\")"))
                    .unwrap()
                    .query_map([], |r| r.get::<_, String>(2))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                out.push(
                    columns
                        .iter()
                        .map(|c| format!("{table}.{c}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
        }
        out
    } else {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
            .await
            .unwrap();
        let task = tokio::spawn(connection);
        let rows = client
            .query(
                "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                    JOIN pg_namespace n ON n.oid = c.relnamespace \
                    WHERE i.indisunique AND NOT i.indisprimary AND n.nspname = 'public'",
                &[],
            )
            .await
            .unwrap();
        task.abort();
        rows.iter().map(|r| r.get::<_, String>(0)).collect()
    }
}

async fn unique_constraints_are_all_mapped_to_fields(_store: Store, url: String) {
    let mut in_schema = schema_unique_constraints(&url).await;
    in_schema.sort();
    let mut mapped: Vec<String> = UNIQUE_CONSTRAINTS
        .iter()
        .map(|u| {
            if url.starts_with("sqlite:") {
                u.sqlite.to_string()
            } else {
                u.postgres.to_string()
            }
        })
        .collect();
    mapped.sort();
    assert_eq!(
        in_schema, mapped,
        "every unique constraint of the schema names its field in StoreError's mapping"
    );
}
