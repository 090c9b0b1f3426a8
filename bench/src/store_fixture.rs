//! What the store-level benchmarks share: command-line options, timing summaries, and a fresh
//! org with the standard modules on the database a URL names.

use portico_domain::Id;
use portico_domain::field::Field;
use portico_domain::module::Module;
use portico_domain::org::{OrgSettings, TimeFormat};
use portico_domain::standard::{default_profiles, standard_modules};
use portico_store::{NewOrg, NewOrgAdmin, Store};
use std::time::Duration;

/// The value after `--name` on the command line.
pub fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// The value after `--name`, parsed, or `default`.
pub fn arg_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    arg(name).and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// Minimum, 25th percentile, median and 75th percentile, in milliseconds.
pub fn spread(mut v: Vec<Duration>) -> [f64; 4] {
    v.sort();
    let at = |q: usize| {
        v.get(v.len() * q / 100)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    [at(0), at(25), at(50), at(75)]
}

/// The database to measure: `--database-url`, or a fresh SQLite file in the temp directory.
pub fn database_url(bench: &str) -> String {
    arg("--database-url").unwrap_or_else(|| {
        let path = std::env::temp_dir().join(format!("portico-{bench}-{}.db", std::process::id()));
        format!("sqlite:{}", path.display())
    })
}

/// Removes the SQLite files the benchmark created (nothing for PostgreSQL).
pub fn remove_database(url: &str) {
    if let Some(path) = url.strip_prefix("sqlite:") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
}

/// An org on a migrated store, with its administrator and the Contacts module's fields.
pub struct BenchOrg {
    pub store: Store,
    pub org: Id,
    pub user: Id,
    pub contacts: Module,
    pub fields: Vec<Field>,
}

pub async fn bench_org(url: &str) -> Result<BenchOrg, String> {
    let store = Store::open(url).map_err(|e| e.to_string())?;
    store.migrate(0).await.map_err(|e| e.to_string())?;
    let modules = standard_modules();
    let profiles = default_profiles(&modules);
    let settings = OrgSettings {
        name: "Bench".into(),
        email_domain: "bench.example".into(),
        language: "en".into(),
        time_format: TimeFormat::TwentyFourHour,
        time_zone: "UTC".into(),
        country: "US".into(),
        gdpr_consent_required: false,
    };
    let email = portico_domain::email::EmailAddress::parse("bench@bench.example")
        .map_err(|e| e.to_string())?;
    let admin = NewOrgAdmin {
        email,
        name: "Bench".into(),
        password_hash: "x".into(),
    };
    let created = store
        .create_org(
            &NewOrg {
                settings,
                modules,
                profiles,
                admin: Some(admin),
            },
            0,
        )
        .await
        .map_err(|e| e.to_string())?;
    let (org, user) = (created.org, created.admin.ok_or("no admin")?);
    let contacts = store
        .get_module(org.id, "Contacts")
        .await
        .map_err(|e| e.to_string())?;
    let fields = store
        .list_fields(org.id, contacts.id)
        .await
        .map_err(|e| e.to_string())?;
    Ok(BenchOrg {
        store,
        org: org.id,
        user: user.id,
        contacts,
        fields,
    })
}
