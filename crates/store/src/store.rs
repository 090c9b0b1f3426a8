//! The store: one handle over whichever backend the URL chose, and [`Tx`], a unit of work on
//! one connection. Every storage operation is a method of `Tx` (one file per resource:
//! `orgs.rs`, `modules.rs`, `users.rs`, `sessions.rs`, `sign_in_failures.rs`, `sign_in_choices.rs`, `records.rs`,
//! `web_tabs.rs`, `portals.rs`, `audit.rs`, `outbox.rs`, `portal_users.rs`, `portal_sessions.rs`,
//! `invitation_batches.rs`, `blocked_domains.rs`); `Store` offers each of them too, in a
//! transaction of its own.
//! A use case that must write several things together opens [`Store::transaction`], calls
//! the same methods on the `Tx`, and commits — or drops it, which rolls everything back.

use crate::error::{StoreError, StoreResult};
use crate::migrations;
use crate::postgres::{PgConn, PgDb};
use crate::rows::one;
use crate::sql::{Columns, Dialect, Executor, Row, Val};
use crate::sqlite::{SqliteConn, SqliteDb};
use crate::{
    ApiCaller, ApiToken, AuditEntry, AuditInsert, AuditPage, AuditQuery, BatchItem,
    BlockedEmailDomain, CandidateQuery, CountedPage, CreatedOrg, EmailChangeLink, InvitationBatch,
    InvitationCandidate, MailQuery, MailSummary, MfaChallenge, ModuleSettings, NewInvitationBatch,
    NewOrg, NewUser, OrgConfig, OutboxMail, Page, PendingAccount, PortalAccountChange, PortalLink,
    PortalLogo, PortalMfa, PortalScopeRow, PortalSession, PortalUserQuery, PortalVisit, RecordMeta,
    RecordPageQuery, RecordQuery, RecordRef, Session, UserChanges,
};
use portico_domain::email_domains::BlockedDomain;
use portico_domain::field::{Field, NewField};
use portico_domain::layout::{Layout, NewLayout};
use portico_domain::lockout::{Attempt, FailureCount, LockoutRule};
use portico_domain::module::Module;
use portico_domain::org::{Org, OrgSettings};
use portico_domain::outbox::{DeliveryRule, MailState, NewMail};
use portico_domain::portal::{CheckedUserTypeConfig, Portal, PortalSettings, SeatGrant, UserType};
use portico_domain::portal_user::{LinkPurpose, NewPortalUser, PortalUser, PortalUserStatus};
use portico_domain::profile::{NewProfile, Profile, User};
use portico_domain::record::{Record, RecordState, SerializedRecord, ValidRecordData};
use portico_domain::standard::ModuleSpec;
use portico_domain::webtab::{NewWebTab, WebTab};
use portico_domain::{Id, Millis};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

enum Db {
    Sqlite(SqliteDb),
    Postgres(PgDb),
}

/// A connection of either backend; operations are generic over [`Executor`] through it.
pub(crate) enum Conn {
    Sqlite(SqliteConn),
    /// Boxed: a pooled PostgreSQL client is much larger than a SQLite guard.
    Postgres(Box<PgConn>),
}

impl Executor for Conn {
    async fn query(&mut self, sql: &str, params: &[Val]) -> StoreResult<Vec<Row>> {
        match self {
            Self::Sqlite(c) => c.query(sql, params).await,
            Self::Postgres(c) => c.query(sql, params).await,
        }
    }

    async fn query_map<T: Send>(
        &mut self,
        sql: &str,
        params: &[Val],
        map: impl FnMut(&dyn Columns) -> StoreResult<T> + Send,
    ) -> StoreResult<Vec<T>> {
        match self {
            Self::Sqlite(c) => c.query_map(sql, params, map).await,
            Self::Postgres(c) => c.query_map(sql, params, map).await,
        }
    }

    async fn execute(&mut self, sql: &str, params: &[Val]) -> StoreResult<u64> {
        match self {
            Self::Sqlite(c) => c.execute(sql, params).await,
            Self::Postgres(c) => c.execute(sql, params).await,
        }
    }

    async fn batch(&mut self, sql: &str) -> StoreResult<()> {
        match self {
            Self::Sqlite(c) => c.batch(sql).await,
            Self::Postgres(c) => c.batch(sql).await,
        }
    }

    async fn commit(self) -> StoreResult<()> {
        match self {
            Self::Sqlite(c) => c.commit().await,
            Self::Postgres(c) => (*c).commit().await,
        }
    }

    fn dialect(&self) -> Dialect {
        match self {
            Self::Sqlite(c) => c.dialect(),
            Self::Postgres(c) => c.dialect(),
        }
    }
}

/// Where the data lives, parsed from a database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseUrl {
    /// `sqlite:path`, `sqlite://path` (relative) or `sqlite:///abs/path`; `postgres://…`.
    pub fn parse(url: &str) -> StoreResult<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_string()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| {
                StoreError::Backend(format!(
                    "unsupported database URL {url:?}: use sqlite:PATH or postgres://…"
                ))
            })?;
        if path.is_empty() {
            return Err(StoreError::Backend("the sqlite URL names no file".into()));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

/// The storage of one Portico instance.
pub struct Store {
    db: Db,
    /// Transactions of this handle that changed an org's configuration and committed.
    config_changes: Arc<AtomicU64>,
}

impl Store {
    /// Opens the database the URL names. Call [`Store::migrate`] before use.
    pub fn open(url: &str) -> StoreResult<Self> {
        let db = match DatabaseUrl::parse(url)? {
            DatabaseUrl::Sqlite(path) => Db::Sqlite(SqliteDb::open(&path)?),
            DatabaseUrl::Postgres(url) => Db::Postgres(PgDb::connect(&url, 16)?),
        };
        Ok(Self {
            db,
            config_changes: Arc::new(AtomicU64::new(0)),
        })
    }

    /// How many transactions of this handle that changed an org's configuration (profiles,
    /// modules, fields, layouts) have committed. A cache of configuration loaded when this was
    /// `n` is stale for this instance's own changes once it is past `n`; other instances'
    /// changes show in the org's `config_version` instead.
    pub fn config_changes(&self) -> u64 {
        self.config_changes.load(Ordering::Acquire)
    }

    /// How many SQL statements this handle has run so far, on every connection: queries,
    /// updates, `BEGIN`, `COMMIT` and `ROLLBACK` (migrations too). Read-only; benchmarks and
    /// tests compare it before and after to count statements per request.
    pub fn statements(&self) -> u64 {
        match &self.db {
            Db::Sqlite(db) => db.statements(),
            Db::Postgres(db) => db.statements(),
        }
    }

    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    async fn read(&self) -> StoreResult<Conn> {
        Ok(match &self.db {
            Db::Sqlite(db) => Conn::Sqlite(db.read().await),
            Db::Postgres(db) => Conn::Postgres(Box::new(db.read().await?)),
        })
    }

    async fn write_alone(&self) -> StoreResult<Conn> {
        Ok(match &self.db {
            Db::Sqlite(db) => Conn::Sqlite(db.write_alone().await),
            Db::Postgres(db) => Conn::Postgres(Box::new(db.write_alone().await?)),
        })
    }

    async fn begin(&self) -> StoreResult<Conn> {
        Ok(match &self.db {
            Db::Sqlite(db) => Conn::Sqlite(db.begin().await?),
            Db::Postgres(db) => Conn::Postgres(Box::new(db.begin().await?)),
        })
    }

    /// Applies pending migrations; answers the schema version now in place.
    pub async fn migrate(&self, now: Millis) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let version = migrations::run(&mut tx, now).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Answers whether the database is reachable (readiness).
    pub async fn ping(&self) -> StoreResult<()> {
        let mut c = self.read().await?;
        one(&mut c, "SELECT 1", &[]).await.map(|_| ())
    }
}

impl Store {
    /// Opens a write transaction: every storage operation is a method of the [`Tx`], and
    /// nothing is visible to others until [`Tx::commit`]. Dropping the `Tx` without committing
    /// (an early `?`, a panic, a cancelled request) rolls all of it back. SQLite allows one
    /// writer at a time, so keep a transaction to the work of one use case.
    pub async fn transaction(&self) -> StoreResult<Tx> {
        Ok(Tx {
            conn: self.begin().await?,
            changes_config: false,
            config_changes: Arc::clone(&self.config_changes),
        })
    }

    /// For an operation that is a single write statement: it is atomic by itself (autocommit),
    /// so it runs on the writer without `BEGIN` and `COMMIT` — a third of the statements.
    /// Nothing else may go through it.
    async fn statement_alone(&self) -> StoreResult<Tx> {
        Ok(Tx {
            conn: self.write_alone().await?,
            changes_config: false,
            config_changes: Arc::clone(&self.config_changes),
        })
    }

    /// A unit of work for a use case that only reads: several reads on one reader connection,
    /// without the writer lock. No transaction is opened, so nothing may be written through it.
    pub async fn reader(&self) -> StoreResult<Tx> {
        Ok(Tx {
            conn: self.read().await?,
            changes_config: false,
            config_changes: Arc::clone(&self.config_changes),
        })
    }
}

/// A unit of work on one connection: inside [`Store::transaction`] a database transaction that
/// commits or rolls back as a whole.
pub struct Tx {
    pub(crate) conn: Conn,
    /// Set by [`Tx::config_changed`]: committing tells the store's `config_changes`.
    pub(crate) changes_config: bool,
    config_changes: Arc<AtomicU64>,
}

impl Tx {
    /// Makes every change of this transaction visible at once.
    pub async fn commit(self) -> StoreResult<()> {
        let result = self.conn.commit().await;
        if self.changes_config {
            // Even when COMMIT reported an error: the change may have landed, and a cache
            // reloaded for nothing costs less than one kept stale.
            self.config_changes.fetch_add(1, Ordering::AcqRel);
        }
        result
    }
}

/// `Store::x(args)` for each `Tx::x(args)`: the operation alone, in a transaction of its own
/// (`write`), on a reader connection (`read`), or — for an operation that is one write
/// statement — on the writer without a transaction (`single`).
macro_rules! each_alone {
    ($( $kind:ident fn $name:ident( $($arg:ident: $ty:ty),* ) -> $ret:ty; )*) => {
        impl Store {
            $(
                #[doc = concat!("[`Tx::", stringify!($name), "`] on its own.")]
                pub async fn $name(&self, $($arg: $ty),*) -> StoreResult<$ret> {
                    let mut tx = each_alone!(@open $kind self);
                    let out = tx.$name($($arg),*).await?;
                    tx.commit().await?;
                    Ok(out)
                }
            )*
        }
    };
    (@open read $store:ident) => { $store.reader().await? };
    (@open write $store:ident) => { $store.transaction().await? };
    (@open single $store:ident) => { $store.statement_alone().await? };
}

each_alone! {
    write fn create_org(new: &NewOrg, now: Millis) -> CreatedOrg;
    read fn get_org(org: Id) -> Org;
    read fn org_config(org: Id) -> OrgConfig;
    read fn config_version(org: Id) -> i64;
    read fn find_org_by_domain(domain: &str) -> Option<Org>;
    read fn list_orgs() -> Vec<Org>;
    write fn update_org(org: Id, s: &OrgSettings) -> Org;
    write fn create_module(org: Id, spec: &ModuleSpec) -> Module;
    read fn list_modules(org: Id) -> Vec<Module>;
    read fn get_module(org: Id, api_name: &str) -> Module;
    write fn update_module(org: Id, module_id: Id, s: &ModuleSettings) -> Module;
    write fn create_field(org: Id, module_id: Id, new: &NewField) -> Field;
    read fn list_fields(org: Id, module_id: Id) -> Vec<Field>;
    write fn create_layout(org: Id, module_id: Id, new: &NewLayout) -> Layout;
    write fn update_field(org: Id, module_id: Id, field_id: Id, new: &NewField) -> Field;
    write fn update_layout(org: Id, module_id: Id, layout_id: Id, new: &NewLayout) -> Layout;
    read fn list_layouts(org: Id, module_id: Id) -> Vec<Layout>;
    write fn create_profile(org: Id, p: &NewProfile) -> Profile;
    write fn update_profile(org: Id, id: Id, p: &NewProfile) -> Profile;
    read fn list_profiles(org: Id) -> Vec<Profile>;
    read fn get_profile(org: Id, id: Id) -> Profile;
    write fn create_user(org: Id, u: &NewUser, now: Millis) -> User;
    read fn list_users(org: Id) -> Vec<User>;
    read fn get_user(org: Id, id: Id) -> User;
    read fn get_user_with_config(org: Id, id: Id) -> (User, i64);
    write fn set_user_active(org: Id, id: Id, active: bool) -> User;
    write fn update_user(org: Id, id: Id, u: &UserChanges) -> User;
    read fn find_logins(email: &str) -> Vec<(User, String)>;
    write fn create_session(token_hash: &str, s: &Session) -> ();
    read fn get_session(token_hash: &str) -> Option<Session>;
    write fn touch_session(token_hash: &str, now: Millis) -> ();
    write fn delete_session(token_hash: &str) -> ();
    write fn delete_expired_sessions(now: Millis) -> u64;
    write fn tidy_search_index() -> ();
    write fn create_api_token(org: Id, user: Id, token_hash: &str, label: &str, now: Millis, expires_at: Millis) -> ApiToken;
    read fn find_api_token(token_hash: &str) -> Option<ApiToken>;
    read fn find_api_caller(token_hash: &str) -> Option<ApiCaller>;
    read fn list_api_tokens(org: Id, user: Option<Id>) -> Vec<ApiToken>;
    read fn get_api_token(org: Id, id: Id) -> ApiToken;
    write fn revoke_api_token(org: Id, id: Id, now: Millis) -> ();
    write fn touch_api_token(org: Id, id: Id, now: Millis) -> ();
    read fn api_token_org(id: Id) -> Option<Id>;
    write fn record_sign_in_failure(key_hash: &str, rule: &LockoutRule, now: Millis) -> Attempt;
    read fn get_sign_in_failures(key_hash: &str) -> Option<FailureCount>;
    write fn clear_sign_in_failures(key_hash: &str) -> ();
    write fn delete_expired_sign_in_failures(now: Millis) -> u64;
    read fn count_sign_in_failure_keys() -> i64;
    write fn create_sign_in_choice(token_hash: &str, accounts: &[PendingAccount], expires_at: Millis, now: Millis) -> ();
    write fn take_sign_in_choice(token_hash: &str, now: Millis) -> Vec<PendingAccount>;
    write fn create_record(org: Id, module_id: Id, owner_id: Id, valid: &ValidRecordData, state: RecordState, now: Millis) -> Record;
    read fn get_record(org: Id, module_id: Id, id: Id) -> Record;
    write fn update_record(org: Id, module_id: Id, id: Id, valid: &ValidRecordData, meta: RecordMeta, now: Millis) -> Record;
    write fn delete_record(org: Id, module_id: Id, id: Id, now: Millis) -> ();
    write fn restore_record(org: Id, module_id: Id, id: Id) -> ();
    write fn purge_record(org: Id, module_id: Id, id: Id) -> ();
    read fn list_records(org: Id, q: &RecordQuery) -> Page<Record>;
    read fn list_serialized_records(org: Id, q: &RecordQuery) -> Page<SerializedRecord>;
    read fn linked_records(org: Id, target_id: Id, field_ids: &[Id], after: Option<Id>, limit: i64, search: Option<&str>) -> Page<Record>;
    read fn record_page(org: Id, q: &RecordPageQuery<'_>) -> CountedPage;
    read fn is_linked(org: Id, record_id: Id, target_id: Id, field_ids: &[Id]) -> bool;
    read fn record_refs(org: Id, ids: &[Id]) -> Vec<RecordRef>;
    read fn record_refs_linked(org: Id, ids: &[Id], target: Option<Id>, field_ids: &[Id]) -> Vec<(RecordRef, bool)>;
    read fn count_records(org: Id, module_id: Id, owner: Option<Id>) -> i64;
    read fn live_record_by_email(org: Id, module_id: Id, email: &str, not_user_of: Option<Id>) -> Option<Record>;
    write fn create_web_tab(org: Id, tab: &NewWebTab) -> WebTab;
    read fn list_web_tabs(org: Id) -> Vec<WebTab>;
    write fn delete_web_tab(org: Id, id: Id) -> ();
    write fn update_web_tab(org: Id, id: Id, tab: &NewWebTab) -> WebTab;
    write fn create_portal(org: Id, name: &str, settings: &PortalSettings, domain_token: &str, default_type: &CheckedUserTypeConfig, now: Millis) -> (Portal, UserType);
    read fn list_portals(org: Id) -> Vec<Portal>;
    read fn get_portal(org: Id, id: Id) -> Portal;
    read fn portal_by_slug(slug: &str) -> Option<Portal>;
    read fn portal_by_domain(domain: &str) -> Option<Portal>;
    write fn update_portal_settings(org: Id, id: Id, settings: &PortalSettings) -> Portal;
    write fn set_domain_verified(org: Id, id: Id, verified: bool) -> ();
    read fn list_user_types(org: Id, portal: Id) -> Vec<UserType>;
    read fn all_user_types(org: Id) -> Vec<UserType>;
    read fn get_user_type(org: Id, portal: Id, id: Id) -> UserType;
    read fn portal_scope(org: Id, portal: Id, user_type: Id, record: Option<Id>) -> PortalScopeRow;
    write fn create_user_type(org: Id, portal: Id, config: &CheckedUserTypeConfig, now: Millis) -> UserType;
    write fn replace_user_type(org: Id, portal: Id, id: Id, config: &CheckedUserTypeConfig) -> UserType;
    write fn delete_user_type(org: Id, portal: Id, id: Id) -> ();
    write fn apply_portal_config(org: Id, portal: Id, settings: &PortalSettings, default_type: Option<&str>, user_types: &[CheckedUserTypeConfig], now: Millis) -> Portal;
    write fn grant_seats(org: Id, seats: i64, granted_by: &str, note: &str, now: Millis) -> SeatGrant;
    read fn seat_grants(org: Id) -> Vec<SeatGrant>;
    write fn record_audit(org: Id, actor: &str, action: &str, detail: &Value, now: Millis) -> ();
    read fn audit_log(org: Id, limit: i64) -> Vec<AuditEntry>;
    single fn record_audit_entry(org: Id, entry: &AuditInsert<'_>, now: Millis) -> ();
    read fn list_audit(org: Id, q: &AuditQuery) -> AuditPage;
    read fn count_audit(org: Id, q: &AuditQuery) -> i64;
    write fn enqueue_mail(org: Id, mail: &NewMail, message_id: &str, now: Millis) -> OutboxMail;
    read fn list_mail(org: Id, q: &MailQuery) -> Page<MailSummary>;
    read fn get_mail(org: Id, id: Id) -> OutboxMail;
    write fn claim_mail(rule: &DeliveryRule, now: Millis, limit: i64) -> Vec<OutboxMail>;
    write fn mark_mail_sent(id: Id, attempt: i64, now: Millis) -> bool;
    write fn mark_mail_failed(id: Id, attempt: i64, error: &str, permanent: bool, rule: &DeliveryRule, now: Millis) -> Option<MailState>;
    write fn create_portal_user(org: Id, new: &NewPortalUser, now: Millis) -> PortalUser;
    read fn get_portal_user(org: Id, portal: Id, id: Id) -> PortalUser;
    read fn portal_user_by_email(org: Id, portal: Id, email: &str) -> Option<PortalUser>;
    read fn portal_user_by_record(org: Id, portal: Id, record: Id) -> Option<PortalUser>;
    read fn portal_login(org: Id, portal: Id, email: &str) -> Option<(PortalUser, Option<String>)>;
    read fn list_portal_users(org: Id, portal: Id, q: &PortalUserQuery) -> Page<PortalUser>;
    read fn count_portal_users(org: Id, portal: Id) -> Vec<(PortalUserStatus, i64)>;
    read fn seated_portal_users(org: Id, user_type: Id) -> i64;
    write fn lock_user_type(org: Id, user_type: Id) -> ();
    read fn invited_records(org: Id, portal: Id, records: &[Id]) -> Vec<Id>;
    write fn set_portal_user_status(org: Id, portal: Id, id: Id, status: PortalUserStatus, now: Millis) -> PortalUser;
    write fn set_portal_user_type(org: Id, portal: Id, id: Id, user_type: Id, now: Millis) -> PortalUser;
    write fn update_portal_account(org: Id, portal: Id, id: Id, change: &PortalAccountChange, now: Millis) -> PortalUser;
    write fn delete_portal_user(org: Id, portal: Id, id: Id) -> ();
    write fn create_portal_link(org: Id, portal_user: Id, token_hash: &str, purpose: LinkPurpose, now: Millis) -> PortalLink;
    read fn usable_portal_link(token_hash: &str, purpose: LinkPurpose, now: Millis) -> Option<PortalLink>;
    write fn redeem_portal_link(token_hash: &str, purpose: LinkPurpose, now: Millis) -> Option<PortalLink>;
    write fn create_portal_session(token_hash: &str, s: &PortalSession) -> ();
    read fn get_portal_session(token_hash: &str) -> Option<(PortalSession, PortalUser)>;
    read fn portal_visit(token_hash: &str) -> Option<PortalVisit>;
    write fn touch_portal_session(token_hash: &str, now: Millis) -> ();
    write fn delete_portal_session(token_hash: &str) -> ();
    write fn end_portal_user_sessions(org: Id, portal_user: Id) -> u64;
    write fn delete_expired_portal_sessions(now: Millis) -> u64;
    write fn create_email_change_link(org: Id, portal_user: Id, token_hash: &str, new_email: &str, now: Millis) -> PortalLink;
    read fn usable_email_change(token_hash: &str, now: Millis) -> Option<EmailChangeLink>;
    write fn set_portal_user_email(org: Id, portal: Id, id: Id, email: &str, now: Millis) -> PortalUser;
    read fn portal_mfa(org: Id, portal_user: Id) -> Option<PortalMfa>;
    write fn start_portal_mfa(org: Id, portal_user: Id, secret: &str, now: Millis) -> bool;
    write fn accept_portal_totp_step(org: Id, portal_user: Id, step: i64, now: Millis) -> bool;
    write fn set_recovery_codes(org: Id, portal_user: Id, hashes: &[String]) -> ();
    write fn use_recovery_code(org: Id, portal_user: Id, hash: &str, now: Millis) -> bool;
    read fn recovery_codes_left(org: Id, portal_user: Id) -> i64;
    write fn delete_portal_mfa(org: Id, portal_user: Id) -> ();
    write fn create_mfa_challenge(token_hash: &str, c: &MfaChallenge) -> ();
    read fn mfa_challenge(token_hash: &str, now: Millis) -> Option<MfaChallenge>;
    write fn fail_mfa_challenge(token_hash: &str, max: i64) -> bool;
    write fn end_mfa_challenge(token_hash: &str) -> bool;
    write fn put_portal_logo(org: Id, portal: Id, logo: &PortalLogo) -> ();
    read fn portal_logo(org: Id, portal: Id) -> Option<PortalLogo>;
    read fn portal_logo_etag(org: Id, portal: Id) -> Option<String>;
    write fn delete_portal_logo(org: Id, portal: Id) -> bool;
    read fn list_blocked_domains(org: Id) -> Vec<BlockedEmailDomain>;
    write fn add_blocked_domain(org: Id, domain: &BlockedDomain, created_by: &str, now: Millis) -> Option<BlockedEmailDomain>;
    write fn remove_blocked_domain(org: Id, domain: &BlockedDomain) -> ();
    read fn email_domain_blocked(org: Id, domain: &str) -> bool;
    write fn create_invitation_batch(org: Id, new: &NewInvitationBatch, records: &[Id], lease_until: Millis, now: Millis) -> InvitationBatch;
    read fn get_invitation_batch(org: Id, portal: Id, id: Id) -> InvitationBatch;
    read fn list_invitation_batches(org: Id, portal: Id, after: Option<Id>, limit: i64) -> Page<InvitationBatch>;
    read fn failed_batch_items(org: Id, portal: Id, batch: Id, after: Option<i64>, limit: i64) -> Page<BatchItem>;
    write fn claim_invitation_batch(only: Option<Id>, lease_until: Millis, now: Millis) -> Option<InvitationBatch>;
    write fn extend_invitation_batch_lease(batch: Id, held_until: Millis, lease_until: Millis) -> bool;
    read fn next_batch_items(batch: Id, limit: i64) -> Vec<BatchItem>;
    write fn record_batch_item(batch: Id, position: i64, outcome: Result<(), (&str, &str)>) -> bool;
    write fn finish_invitation_batch(batch: Id, now: Millis) -> InvitationBatch;
    read fn invitation_candidates(org: Id, portal: Id, q: &CandidateQuery) -> Page<InvitationCandidate>;
    read fn invitation_candidate_ids(org: Id, portal: Id, q: &CandidateQuery, max: i64) -> Vec<Id>;
}
