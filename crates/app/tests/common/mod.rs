//! What the use-case tests share: a context over a fresh database, an org with its
//! administrator, JSON objects, and running a test on both backends.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use portico_app::users::NewUserInput;
use portico_app::{Context, Settings};
use portico_domain::access::CrmActor;
use portico_domain::org::{OrgSettings, TimeFormat};
use portico_store::Store;
use serde_json::{Map, Value};
use std::sync::Arc;

pub const NOW: i64 = 1_750_000_000_000;

/// A context over a freshly migrated database, its clock stopped at [`NOW`].
pub async fn context(url: &str) -> Context {
    let store = Store::open(url).unwrap();
    store.migrate(NOW).await.unwrap();
    Context::new(store, Settings::default(), Arc::new(|| NOW))
}

/// A new org with the standard modules and its administrator (`admin@{domain}`).
pub async fn org(ctx: &Context, name: &str, domain: &str) -> CrmActor {
    let (org, user) = portico_app::org::provision_org(
        ctx,
        OrgSettings {
            name: name.into(),
            email_domain: domain.into(),
            language: "en".into(),
            time_format: TimeFormat::TwentyFourHour,
            time_zone: "UTC".into(),
            country: "US".into(),
            gdpr_consent_required: false,
        },
        NewUserInput {
            email: format!("admin@{domain}"),
            name: "Admin".into(),
            password: "fixture-admin-password".into(),
            profile_id: 0,
            super_admin: true,
        },
    )
    .await
    .unwrap();
    portico_app::sign_in::actor(ctx, org.id, user.id)
        .await
        .unwrap()
}

pub fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// Runs each named `async fn(Context)` on a fresh SQLite file and on PostgreSQL (skipped when
/// unreachable, unless `PORTICO_REQUIRE_POSTGRES=1`).
#[macro_export]
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let ctx = $crate::common::context(&portico_testkit::sqlite_url()).await;
                    super::$name(ctx).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    match portico_testkit::postgres_url().await {
                        Ok(Some(url)) => super::$name($crate::common::context(&url).await).await,
                        Ok(None) => {}
                        Err(e) => panic!("{e}"),
                    }
                }
            )*
        }
    };
}
