//! Record search on both backends: what it finds (substrings of names and emails, the same for
//! keys served by the trigram index and for short keys that are not), that the index follows
//! every write in the writing transaction, that no input can break or bend the query, and that
//! migration 8 indexes the records a database already had.
//!
//! The expected answers come from [`model`], a plain substring test over the names and emails
//! the test itself wrote — not from the store's `search` column or its code.

use super::{NOW, Tenant, add, tenant};
use portico_domain::Id;
use portico_domain::module::Module;
use portico_domain::record::{Record, RecordState, validate_data};
use portico_store::migrations::{LATEST, MIGRATIONS};
use portico_store::{RecordMeta, RecordQuery, Store};
use serde_json::json;

const SEARCH_MIGRATION: i64 = 8;

/// What a search for `query` must find among `people` (name, email), newest first.
fn model(people: &[(Id, String, Option<String>)], query: &str) -> Vec<Id> {
    let key = query.trim().to_lowercase();
    let mut found: Vec<Id> = people
        .iter()
        .filter(|(_, name, email)| {
            key.is_empty()
                || format!("{name} {}", email.as_deref().unwrap_or(""))
                    .to_lowercase()
                    .contains(&key)
        })
        .map(|(id, _, _)| *id)
        .collect();
    found.sort_unstable_by(|a, b| b.cmp(a));
    found
}

async fn search(store: &Store, org: Id, module: Option<Id>, query: &str, bin: bool) -> Vec<Id> {
    let mut ids = Vec::new();
    let mut after = None;
    // Small pages: the keyset cursor is part of what the index must serve.
    loop {
        let page = store
            .list_records(
                org,
                &RecordQuery {
                    module_id: module,
                    search: Some(query.to_string()),
                    after,
                    limit: 3,
                    in_bin: bin,
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_else(|e| panic!("search {query:?} failed: {e}"));
        ids.extend(page.items.iter().map(|r| r.id));
        match page.next {
            Some(next) => after = Some(next),
            None => return ids,
        }
    }
}

async fn contact(store: &Store, t: &Tenant, first: &str, last: &str, email: &str) -> Record {
    let mut data = json!({"First_Name": first, "Last_Name": last});
    if !email.is_empty() {
        data["Email"] = json!(email);
    }
    add(store, t, "Contacts", data).await.unwrap()
}

fn person(r: &Record) -> (Id, String, Option<String>) {
    (r.id, r.display_name.clone(), r.email.clone())
}

type People = Vec<(Id, String, Option<String>)>;

/// An org with these Contacts (first name, last name, email): the org, its Contacts module,
/// and the Contacts as [`model`] takes them.
async fn org_with_people(store: &Store, rows: &[(&str, &str, &str)]) -> (Tenant, Module, People) {
    let t = tenant(store, "Zylker", "zylker.com").await;
    let contacts = store.get_module(t.org, "Contacts").await.unwrap();
    let mut people = Vec::new();
    for (first, last, email) in rows {
        people.push(person(&contact(store, &t, first, last, email).await));
    }
    (t, contacts, people)
}

pub async fn search_finds_substrings_of_names_and_emails(store: Store) {
    let (t, contacts, people) = org_with_people(
        &store,
        &[
            ("Annabel", "Smith", "annabel@x.com"),
            ("Joanna", "Lee", "jo@y.com"),
            ("Hannah", "Brown", "h.brown@zylker-partner.com"),
            ("Bob", "Stone", "bob@example.com"),
            ("Élodie", "Müller", "elodie@x.com"),
            ("Straße", "İnce", ""),
            ("", "Ann", "ann@ann.com"),
            // Holds the trigrams of "hannah lee" (han, nah, lee), but not the text.
            ("Lee", "Nah Han", ""),
            // Holds the middle of "xx window middle part xx", which is all the index is asked.
            ("Probe", "Window Middle Part", ""),
        ],
    )
    .await;
    // The same names in another module: a Contacts search must not return them.
    let lead = add(
        &store,
        &t,
        "Leads",
        json!({"First_Name": "Annabel", "Last_Name": "Smith"}),
    )
    .await
    .unwrap();
    let cases = [
        ("ann", 4),              // Annabel, Joanna, Hannah, Ann: substrings of words
        ("ANN", 4),              // case does not matter
        ("  ann  ", 4),          // nor surrounding spaces
        ("an", 5),               // two characters: no trigram, same semantics
        ("a", 8),                // one character
        ("lee jo@", 1),          // across name and email
        ("@example", 1),         // email only
        ("bel sm", 1),           // inside and across words
        ("müll", 1),             // beyond ASCII
        ("MÜLLER", 1),           // and its case
        ("straße", 1),           // ß stays ß
        ("İNCE", 1),             // İ lower-cases to i + combining dot, on both sides
        ("zylker-partner.c", 1), // punctuation is text
        ("hannah lee", 0),       // trigrams in the index are not the text
        ("nah han", 1),
        ("xx window middle part xx", 0), // long keys are checked whole
        ("window middle part", 1),
        ("zzz", 0),
        ("zz", 0),
    ];
    for (query, count) in cases {
        let expected = model(&people, query);
        assert_eq!(expected.len(), count, "the model disagrees on {query:?}");
        assert_eq!(
            search(&store, t.org, Some(contacts.id), query, false).await,
            expected,
            "{query:?}"
        );
    }
    // Without a module, every module of the org is searched.
    let everywhere = search(&store, t.org, None, "annabel", false).await;
    assert_eq!(everywhere, [lead.id, people[0].0]);
    // An owner filter applies to searches too.
    let nobody = store
        .list_records(
            t.org,
            &RecordQuery {
                module_id: Some(contacts.id),
                owner_id: Some(t.user + 1000),
                search: Some("ann".into()),
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(nobody.items.is_empty());
    // Many matches: every page comes from the index, newest first, each record once.
    let mut many = Vec::new();
    for i in 0..25 {
        many.push(person(
            &contact(&store, &t, "Person", &format!("Number {i:02}"), "").await,
        ));
    }
    for query in ["person", "number 1", "pe", "r 2"] {
        assert_eq!(
            search(&store, t.org, Some(contacts.id), query, false).await,
            model(&many, query),
            "{query:?}"
        );
    }
}

pub async fn search_index_follows_every_write(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    let contacts = store.get_module(t.org, "Contacts").await.unwrap();
    let fields = store.list_fields(t.org, contacts.id).await.unwrap();
    let find = |q: &'static str, bin: bool| search(&store, t.org, Some(contacts.id), q, bin);
    let ann = contact(&store, &t, "Ann", "Lee", "ann@x.com").await;
    assert_eq!(find("ann lee", false).await, [ann.id]);

    // Renamed: the old name is no longer found, the new one is.
    let renamed = validate_data(
        &fields,
        &contacts.name_fields,
        json!({"First_Name": "Zoe", "Last_Name": "Park", "Email": "zoe@x.com"})
            .as_object()
            .unwrap(),
        Some(&ann.data),
    )
    .unwrap();
    let update = |meta: RecordMeta, at: i64| {
        store.update_record(t.org, contacts.id, ann.id, &renamed, meta, at)
    };
    update(RecordMeta::default(), NOW + 1).await.unwrap();
    assert!(find("ann lee", false).await.is_empty());
    assert!(find("ann@", false).await.is_empty());
    assert_eq!(find("zoe park", false).await, [ann.id]);
    assert_eq!(find("zoe@x", false).await, [ann.id]);

    // An update that leaves the name alone keeps it found, once.
    let in_review = RecordState {
        in_review: true,
        ..Default::default()
    };
    update(
        RecordMeta {
            state: Some(in_review),
            ..Default::default()
        },
        NOW + 2,
    )
    .await
    .unwrap();
    assert_eq!(find("zoe park", false).await, [ann.id]);

    // The recycle bin: out of the list's search, in the bin's; back on restore.
    store
        .delete_record(t.org, contacts.id, ann.id, NOW + 3)
        .await
        .unwrap();
    assert!(find("zoe", false).await.is_empty());
    assert_eq!(find("zoe", true).await, [ann.id]);
    assert_eq!(find("zo", true).await, [ann.id]);
    store
        .restore_record(t.org, contacts.id, ann.id)
        .await
        .unwrap();
    assert_eq!(find("zoe", false).await, [ann.id]);
    assert!(find("zoe", true).await.is_empty());

    // Purged: gone from both.
    store
        .delete_record(t.org, contacts.id, ann.id, NOW + 4)
        .await
        .unwrap();
    store
        .purge_record(t.org, contacts.id, ann.id)
        .await
        .unwrap();
    assert!(find("zoe", false).await.is_empty());
    assert!(find("zoe", true).await.is_empty());

    // A write rolled back leaves nothing in the index; a committed one is found at once.
    let valid = validate_data(
        &fields,
        &contacts.name_fields,
        json!({"Last_Name": "Rollback"}).as_object().unwrap(),
        None,
    )
    .unwrap();
    for commit in [false, true] {
        let mut tx = store.transaction().await.unwrap();
        let created = tx
            .create_record(
                t.org,
                contacts.id,
                t.user,
                &valid,
                RecordState::default(),
                NOW,
            )
            .await
            .unwrap();
        // Inside the writing transaction the new record is already searchable.
        let q = RecordQuery {
            module_id: Some(contacts.id),
            search: Some("rollback".into()),
            limit: 10,
            ..Default::default()
        };
        let inside = tx.list_records(t.org, &q).await.unwrap();
        assert_eq!(inside.items.len(), 1);
        if commit {
            tx.commit().await.unwrap();
            assert_eq!(find("rollback", false).await, [created.id]);
        } else {
            drop(tx);
            assert!(find("rollback", false).await.is_empty());
        }
    }
}

pub async fn hostile_searches_are_literal_and_never_fail(store: Store) {
    let t = tenant(&store, "Zylker", "zylker.com").await;
    let contacts = store.get_module(t.org, "Contacts").await.unwrap();
    let long_name = format!("Long{}", "x\"y%z_".repeat(40));
    let mut people = Vec::new();
    for last in [
        "O\"Brien",
        "100% Pure",
        "a_b",
        "back\\slash",
        "Foo OR Bar",
        "NEAR(x y)",
        "star* ^caret",
        "col:on - minus + plus",
        "'; DROP TABLE records; --",
        "(paren) {brace} [square]",
        "🦀 Crab",
        "עברית",
        "zero\u{200b}width",
        long_name.as_str(),
    ] {
        people.push(person(&contact(&store, &t, "", last, "").await));
    }
    let two_kb: String = "\"*%_\\ OR NEAR( ".chars().cycle().take(2048).collect();
    let long_unicode = "é🦀\"".repeat(700);
    let queries = [
        "\"",
        "\"\"",
        "\"o",
        "o\"brien",
        "*",
        "star*",
        "^caret",
        "%",
        "100%",
        "0% p",
        "_",
        "a_b",
        "a%b",
        "\\",
        "k\\s",
        "OR",
        "or bar",
        "foo OR",
        "AND",
        "NOT",
        "NEAR(",
        "near(x",
        "NEAR(x y)",
        "col:",
        "col:on",
        "- minus",
        "+ plus",
        "(",
        ")",
        "{brace}",
        "[square]",
        "'",
        "'; drop",
        "drop table records",
        "🦀",
        "🦀 c",
        "עבר",
        "\u{200b}",
        "o\u{200b}w",
        "records_search",
        long_name.as_str(),
        &long_name[..long_name.len() - 1],
        two_kb.as_str(),
        long_unicode.as_str(),
    ];
    for query in queries {
        assert_eq!(
            search(&store, t.org, Some(contacts.id), query, false).await,
            model(&people, query),
            "{query:?}"
        );
    }
    // Nothing was dropped or changed along the way.
    assert_eq!(
        search(&store, t.org, Some(contacts.id), "", false)
            .await
            .len(),
        people.len()
    );
    // NUL cannot be stored, so it matches nothing — without reaching PostgreSQL, which would
    // refuse it as a parameter.
    for query in ["\0", "a\0", "pure\0", "\0\0\0"] {
        assert!(
            search(&store, t.org, Some(contacts.id), query, false)
                .await
                .is_empty()
        );
        assert!(
            store
                .linked_records(t.org, people[0].0, &[1], None, 10, Some(query))
                .await
                .unwrap()
                .items
                .is_empty()
        );
    }
}

/// A database from before migration 8 gets every record it already had indexed, and the index
/// stays equal to the records through every kind of write.
pub async fn the_search_index_is_built_on_upgrade_and_kept_in_step(store: Store) {
    let url = match store.backend() {
        "sqlite" => portico_testkit::sqlite_url(),
        _ => match portico_testkit::postgres_url().await {
            Ok(Some(url)) => url,
            other => panic!("no PostgreSQL database: {other:?}"),
        },
    };
    apply_migrations_before_search(&url).await;
    let old = Store::open(&url).unwrap();
    let (t, contacts, people) = org_with_people(
        &old,
        &[
            ("Marianne", "Holt", "m.holt@x.com"),
            ("Joann", "Keller", "jk@y.com"),
            ("Rob", "Quarry", "rob@example.com"),
        ],
    )
    .await;
    let binned = contact(&old, &t, "Hannah", "Binned", "").await;
    old.delete_record(t.org, contacts.id, binned.id, NOW)
        .await
        .unwrap();
    run_script(&url, &super::later_columns::take_back()).await;
    assert_eq!(old.migrate(NOW).await.unwrap(), LATEST);
    for query in ["ann", "joann keller", "example.com", "an", "nobody"] {
        assert_eq!(
            search(&old, t.org, Some(contacts.id), query, false).await,
            model(&people, query),
            "{query:?}"
        );
    }
    assert_eq!(
        search(&old, t.org, Some(contacts.id), "hannah", true).await,
        [binned.id]
    );
    // From then on every write keeps the index in step: create, rename, bin, restore, purge.
    let new = contact(&old, &t, "Yvette", "New", "").await;
    assert_eq!(
        search(&old, t.org, Some(contacts.id), "yvette", false).await,
        [new.id]
    );
    let fields = old.list_fields(t.org, contacts.id).await.unwrap();
    let renamed = validate_data(
        &fields,
        &contacts.name_fields,
        json!({"First_Name": "Zoe"}).as_object().unwrap(),
        Some(&new.data),
    )
    .unwrap();
    old.update_record(
        t.org,
        contacts.id,
        new.id,
        &renamed,
        RecordMeta::default(),
        NOW,
    )
    .await
    .unwrap();
    old.delete_record(t.org, contacts.id, people[2].0, NOW)
        .await
        .unwrap();
    old.restore_record(t.org, contacts.id, people[2].0)
        .await
        .unwrap();
    old.purge_record(t.org, contacts.id, binned.id)
        .await
        .unwrap();
    assert!(
        search(&old, t.org, Some(contacts.id), "yvette", false)
            .await
            .is_empty()
    );
    assert_eq!(
        search(&old, t.org, Some(contacts.id), "zoe new", false).await,
        [new.id]
    );
    index_matches_the_records(&old, &url).await;
    // Tidied, it answers the same.
    assert_eq!(
        search(&old, t.org, Some(contacts.id), "zoe new", false).await,
        [new.id]
    );
    assert_eq!(
        search(&old, t.org, Some(contacts.id), "ann", false).await,
        model(&people, "ann")
    );
}

/// The index holds exactly the records, each once, and answers from one piece after
/// `tidy_search_index`. SQLite: the FTS5 rowids are the negated record ids (a missed delete or
/// insert shows here), FTS5's own integrity check passes, and tidying leaves one segment.
/// PostgreSQL: the trigram index exists and can serve a `LIKE '%…%'` on its own.
async fn index_matches_the_records(store: &Store, url: &str) {
    match url.strip_prefix("sqlite:") {
        Some(path) => {
            let conn = rusqlite::Connection::open(path).unwrap();
            let ids = |sql: &str| -> Vec<i64> {
                conn.prepare(sql)
                    .unwrap()
                    .query_map([], |r| r.get(0))
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap()
            };
            assert_eq!(
                ids("SELECT -rowid FROM records_search ORDER BY rowid"),
                ids("SELECT id FROM records ORDER BY id DESC")
            );
            conn.execute_batch(
                "INSERT INTO records_search (records_search) VALUES ('integrity-check')",
            )
            .unwrap();
            let segments = "SELECT COUNT(DISTINCT segid) FROM records_search_idx";
            let before: i64 = conn.query_row(segments, [], |r| r.get(0)).unwrap();
            assert!(before > 1, "each write transaction adds a segment");
            store.tidy_search_index().await.unwrap();
            let after: i64 = conn.query_row(segments, [], |r| r.get(0)).unwrap();
            assert_eq!(after, 1);
            store.tidy_search_index().await.unwrap();
        }
        None => {
            store.tidy_search_index().await.unwrap();
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            let task = tokio::spawn(connection);
            client
                .batch_execute("SET enable_seqscan = off; SET enable_indexscan = off")
                .await
                .unwrap();
            let plan: Vec<String> = client
                .query(
                    "EXPLAIN SELECT id FROM records WHERE search LIKE '%zoe%' ESCAPE '\\'",
                    &[],
                )
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            task.abort();
            assert!(
                plan.iter().any(|l| l.contains("records_search_trgm")),
                "{plan:#?}"
            );
        }
    }
}

/// Runs the migrations before the search index on the raw database at `url`, as an older
/// Portico would have left it.
async fn apply_migrations_before_search(url: &str) {
    use portico_store::migrations::ddl;
    use portico_store::sql::Dialect;
    let dialect = if url.starts_with("sqlite:") {
        Dialect::Sqlite
    } else {
        Dialect::Postgres
    };
    let mut script = String::from(
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, \
         applied_at BIGINT NOT NULL);\n",
    );
    for m in MIGRATIONS.iter().filter(|m| m.version < SEARCH_MIGRATION) {
        script.push_str(&ddl(m, dialect));
        script.push_str(&format!(
            "\nINSERT INTO schema_migrations (version, name, applied_at) VALUES ({}, 'before search', 0);\n",
            m.version
        ));
    }
    script.push_str(&super::later_columns::lend());
    run_script(url, &script).await;
}

/// Runs SQL on the database at `url`, around the store.
async fn run_script(url: &str, script: &str) {
    match url.strip_prefix("sqlite:") {
        Some(path) => rusqlite::Connection::open(path)
            .unwrap()
            .execute_batch(script)
            .unwrap(),
        None => {
            let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
                .await
                .unwrap();
            let task = tokio::spawn(connection);
            client.batch_execute(script).await.unwrap();
            task.abort();
        }
    }
}
