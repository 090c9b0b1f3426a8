//! Every storage operation, once, over whichever backend the URL chose.

use crate::error::{StoreError, StoreResult};
use crate::migrations;
use crate::postgres::{PgConn, PgDb};
use crate::sql::{Dialect, Executor, Row, Val, like_pattern, placeholders};
use crate::sqlite::{SqliteConn, SqliteDb};
use portico_domain::field::{Field, FieldType, LinkTarget, NewField};
use portico_domain::layout::{Layout, NewLayout, Section};
use portico_domain::module::{ApiName, DataSharing, Module, ModuleKind};
use portico_domain::org::{Org, OrgSettings, TimeFormat};
use portico_domain::profile::{NewProfile, Profile, RecordScope, User};
use portico_domain::record::{Record, RecordState, ValidRecordData};
use portico_domain::standard::ModuleSpec;
use portico_domain::webtab::{NewWebTab, WebTab};
use portico_domain::{DomainError, FieldError, Id, Millis};
use serde_json::Value;
use std::path::PathBuf;

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

pub(crate) async fn one(c: &mut impl Executor, sql: &str, params: &[Val]) -> StoreResult<Row> {
    opt(c, sql, params).await?.ok_or(StoreError::NotFound)
}

pub(crate) async fn opt(
    c: &mut impl Executor,
    sql: &str,
    params: &[Val],
) -> StoreResult<Option<Row>> {
    Ok(c.query(sql, params).await?.into_iter().next())
}

pub(crate) fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::Invalid(DomainError::field(field, code, message))
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

/// The org, its standard modules, its first profiles and (optionally) its first administrator,
/// created together.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub settings: OrgSettings,
    pub modules: Vec<ModuleSpec>,
    pub profiles: Vec<NewProfile>,
    /// Given the first profile, as a super admin.
    pub admin: Option<NewOrgAdmin>,
}

/// What [`Store::create_org`] made.
#[derive(Debug, Clone)]
pub struct CreatedOrg {
    pub org: Org,
    pub profiles: Vec<Profile>,
    pub admin: Option<User>,
}

/// A CRM user to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: portico_domain::email::EmailAddress,
    pub name: String,
    pub password_hash: String,
    pub profile_id: Id,
    pub super_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub org_id: Id,
    pub user_id: Id,
    pub csrf_token: String,
    pub created_at: Millis,
    pub last_seen_at: Millis,
    pub expires_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub org_id: Id,
    pub user_id: Id,
    pub expires_at: Millis,
}

/// Which records a list returns. Pages run newest first; `after` is the last id of the previous
/// page (keyset pagination: page 1,000 costs what page 1 costs).
#[derive(Debug, Clone, Default)]
pub struct RecordQuery {
    pub module_id: Option<Id>,
    /// Only records owned by this user.
    pub owner_id: Option<Id>,
    pub after: Option<Id>,
    pub limit: i64,
    /// Case-insensitive substring of the record's name or email.
    pub search: Option<String>,
    /// The recycle bin instead of live records.
    pub in_bin: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor for the next page, when there is one.
    pub next: Option<Id>,
}

/// A live record's identity, owner and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRef {
    pub id: Id,
    pub module_id: Id,
    pub owner_id: Id,
    pub display_name: String,
}

/// The first administrator of a new org (password already hashed); created with the org.
#[derive(Debug, Clone)]
pub struct NewOrgAdmin {
    pub email: portico_domain::email::EmailAddress,
    pub name: String,
    pub password_hash: String,
}

/// Changes to a record beyond its data.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordMeta {
    pub owner_id: Option<Id>,
    pub state: Option<RecordState>,
}

/// The module settings an admin may change.
#[derive(Debug, Clone)]
pub struct ModuleSettings {
    pub label: String,
    pub sharing: DataSharing,
    pub canvas_template: Option<String>,
}

const ORG_COLS: &str =
    "id, name, email_domain, language, time_format, time_zone, country, gdpr_consent_required";
const MODULE_COLS: &str =
    "id, org_id, api_name, label, kind, sharing, name_fields, canvas_template";
const FIELD_COLS: &str = "id, module_id, api_name, label, spec, mandatory, position";
const LAYOUT_COLS: &str = "id, module_id, name, sections";
const PROFILE_COLS: &str = "id, org_id, name, scope, permissions";
const USER_COLS: &str = "id, org_id, email, name, profile_id, super_admin, active";
const RECORD_COLS: &str = "r.id, r.org_id, r.module_id, r.owner_id, r.data, r.display_name, \
     r.email, r.approval_locked, r.in_review, r.gdpr_consent, r.created_at, r.updated_at, r.deleted_at";

fn api_name(row: &Row, i: usize) -> StoreResult<ApiName> {
    ApiName::parse(&row.text(i)?).map_err(|e| StoreError::Backend(e.to_string()))
}

fn org_from(r: &Row) -> StoreResult<Org> {
    Ok(Org {
        id: r.int(0)?,
        settings: OrgSettings {
            name: r.text(1)?,
            email_domain: r.text(2)?,
            language: r.text(3)?,
            time_format: TimeFormat::parse(&r.text(4)?)?,
            time_zone: r.text(5)?,
            country: r.text(6)?,
            gdpr_consent_required: r.bool(7)?,
        },
    })
}

fn module_from(r: &Row) -> StoreResult<Module> {
    Ok(Module {
        id: r.int(0)?,
        org_id: r.int(1)?,
        api_name: api_name(r, 2)?,
        label: r.text(3)?,
        kind: ModuleKind::parse(&r.text(4)?)
            .ok_or_else(|| StoreError::Backend("unknown module kind".into()))?,
        sharing: DataSharing::parse(&r.text(5)?)?,
        name_fields: r.parse(6)?,
        canvas_template: r.opt_text(7)?,
    })
}

fn field_from(r: &Row) -> StoreResult<Field> {
    Ok(Field {
        id: r.int(0)?,
        module_id: r.int(1)?,
        api_name: api_name(r, 2)?,
        label: r.text(3)?,
        field_type: r.parse::<FieldType>(4)?,
        mandatory: r.bool(5)?,
        position: r.int(6)?,
    })
}

fn layout_from(r: &Row) -> StoreResult<Layout> {
    Ok(Layout {
        id: r.int(0)?,
        module_id: r.int(1)?,
        name: r.text(2)?,
        sections: r.parse(3)?,
    })
}

fn profile_from(r: &Row) -> StoreResult<Profile> {
    Ok(Profile {
        id: r.int(0)?,
        org_id: r.int(1)?,
        name: r.text(2)?,
        scope: RecordScope::parse(&r.text(3)?)?,
        permissions: r.parse(4)?,
    })
}

fn user_from(r: &Row) -> StoreResult<User> {
    Ok(User {
        id: r.int(0)?,
        org_id: r.int(1)?,
        email: portico_domain::email::EmailAddress::parse(&r.text(2)?)?,
        name: r.text(3)?,
        profile_id: r.int(4)?,
        super_admin: r.bool(5)?,
        active: r.bool(6)?,
    })
}

fn record_from(r: &Row) -> StoreResult<Record> {
    let data = match r.json(4)? {
        Value::Object(map) => map,
        _ => return Err(StoreError::Backend("record data is not an object".into())),
    };
    Ok(Record {
        id: r.int(0)?,
        org_id: r.int(1)?,
        module_id: r.int(2)?,
        owner_id: r.int(3)?,
        data,
        display_name: r.text(5)?,
        email: r.opt_text(6)?,
        state: RecordState {
            approval_locked: r.bool(7)?,
            in_review: r.bool(8)?,
            gdpr_consent: r.bool(9)?,
        },
        created_at: r.int(10)?,
        updated_at: r.int(11)?,
        deleted_at: r.opt_int(12)?,
    })
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<Val> {
    Ok(Val::Json(serde_json::to_value(value)?))
}

/// Checks that each lookup target is a live record of the right module in this org.
async fn check_links(c: &mut impl Executor, org: Id, links: &[LinkTarget]) -> StoreResult<()> {
    let mut errors: Vec<FieldError> = Vec::new();
    for link in links {
        let found = opt(
            c,
            "SELECT r.id FROM records r JOIN modules m ON m.id = r.module_id \
             WHERE r.org_id = $1 AND r.id = $2 AND m.api_name = $3 AND r.deleted_at IS NULL",
            &[
                Val::Int(org),
                Val::Int(link.target_id),
                Val::from(link.target_module.as_str()),
            ],
        )
        .await?;
        if found.is_none() && !errors.iter().any(|e| e.field == link.field) {
            errors.push(FieldError::new(
                link.field.as_str(),
                "invalid_lookup",
                format!(
                    "There is no {} record with id {}",
                    link.target_module, link.target_id
                ),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(StoreError::Invalid(DomainError::Invalid(errors)))
    }
}

async fn write_links(
    c: &mut impl Executor,
    org: Id,
    record: Id,
    links: &[LinkTarget],
) -> StoreResult<()> {
    c.execute(
        "DELETE FROM record_links WHERE record_id = $1",
        &[Val::Int(record)],
    )
    .await?;
    for link in links {
        c.execute(
            "INSERT INTO record_links (org_id, target_id, field_id, record_id) VALUES ($1, $2, $3, $4) \
             ON CONFLICT DO NOTHING",
            &[Val::Int(org), Val::Int(link.target_id), Val::Int(link.field_id), Val::Int(record)],
        )
        .await?;
    }
    Ok(())
}

async fn module_exists(c: &mut impl Executor, org: Id, name: &ApiName) -> StoreResult<bool> {
    Ok(opt(
        c,
        "SELECT id FROM modules WHERE org_id = $1 AND api_name = $2",
        &[Val::Int(org), Val::from(name.as_str())],
    )
    .await?
    .is_some())
}

async fn check_lookup_target(
    c: &mut impl Executor,
    org: Id,
    field_type: &FieldType,
) -> StoreResult<()> {
    let targets: Vec<&ApiName> = match field_type {
        FieldType::Subform { fields } => fields
            .iter()
            .filter_map(|f| f.field_type.lookup_target())
            .collect(),
        other => other.lookup_target().into_iter().collect(),
    };
    for target in targets {
        if !module_exists(c, org, target).await? {
            return Err(invalid(
                "target_module",
                "unknown_module",
                format!("There is no module {target} to look up"),
            ));
        }
    }
    Ok(())
}

async fn insert_field(
    c: &mut impl Executor,
    org: Id,
    module_id: Id,
    new: &NewField,
    position: i64,
) -> StoreResult<Field> {
    let (api_name, label) = new.check()?;
    check_lookup_target(c, org, &new.field_type).await?;
    let row = one(
        c,
        "INSERT INTO fields (org_id, module_id, api_name, label, spec, mandatory, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        &[
            Val::Int(org),
            Val::Int(module_id),
            Val::from(api_name.as_str()),
            Val::from(label.as_str()),
            to_json(&new.field_type)?,
            Val::Bool(new.mandatory),
            Val::Int(position),
        ],
    )
    .await?;
    Ok(Field {
        id: row.int(0)?,
        module_id,
        api_name,
        label,
        field_type: new.field_type.clone(),
        mandatory: new.mandatory,
        position,
    })
}

async fn insert_layout(
    c: &mut impl Executor,
    org: Id,
    module_id: Id,
    layout: &NewLayout,
) -> StoreResult<Layout> {
    let row = one(
        c,
        "INSERT INTO layouts (org_id, module_id, name, sections) VALUES ($1, $2, $3, $4) RETURNING id",
        &[Val::Int(org), Val::Int(module_id), Val::from(layout.name.as_str()), to_json(&layout.sections)?],
    )
    .await?;
    Ok(Layout {
        id: row.int(0)?,
        module_id,
        name: layout.name.clone(),
        sections: layout.sections.clone(),
    })
}

async fn insert_module(c: &mut impl Executor, org: Id, spec: &ModuleSpec) -> StoreResult<Module> {
    if module_exists(c, org, &spec.api_name).await? {
        return Err(StoreError::Conflict(format!(
            "A module named {} already exists",
            spec.api_name
        )));
    }
    let position = one(
        c,
        "SELECT COALESCE(MAX(position), 0) + 1 FROM modules WHERE org_id = $1",
        &[Val::Int(org)],
    )
    .await?
    .int(0)?;
    let row = one(
        c,
        "INSERT INTO modules (org_id, api_name, label, kind, sharing, name_fields, position) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        &[
            Val::Int(org),
            Val::from(spec.api_name.as_str()),
            Val::from(spec.label.as_str()),
            Val::from(spec.kind.as_str()),
            Val::from(spec.sharing.as_str()),
            to_json(&spec.name_fields)?,
            Val::Int(position),
        ],
    )
    .await?;
    let module_id = row.int(0)?;
    let mut fields = Vec::with_capacity(spec.fields.len());
    for (i, f) in spec.fields.iter().enumerate() {
        fields.push(insert_field(c, org, module_id, f, i64::try_from(i).unwrap_or(0) + 1).await?);
    }
    insert_layout(c, org, module_id, &NewLayout::standard(&fields)).await?;
    Ok(Module {
        id: module_id,
        org_id: org,
        api_name: spec.api_name.clone(),
        label: spec.label.clone(),
        kind: spec.kind,
        sharing: spec.sharing,
        name_fields: spec.name_fields.clone(),
        canvas_template: None,
    })
}

async fn insert_profile(c: &mut impl Executor, org: Id, p: &NewProfile) -> StoreResult<Profile> {
    let exists = opt(
        c,
        "SELECT id FROM profiles WHERE org_id = $1 AND name = $2",
        &[Val::Int(org), Val::from(p.name.as_str())],
    )
    .await?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!(
            "A profile named {} already exists",
            p.name
        )));
    }
    let row = one(
        c,
        "INSERT INTO profiles (org_id, name, scope, permissions) VALUES ($1, $2, $3, $4) RETURNING id",
        &[Val::Int(org), Val::from(p.name.as_str()), Val::from(p.scope.as_str()), to_json(&p.permissions)?],
    )
    .await?;
    Ok(Profile {
        id: row.int(0)?,
        org_id: org,
        name: p.name.clone(),
        scope: p.scope,
        permissions: p.permissions.clone(),
    })
}

async fn fields_of(c: &mut impl Executor, org: Id, module_id: Id) -> StoreResult<Vec<Field>> {
    c.query(
        &format!("SELECT {FIELD_COLS} FROM fields WHERE org_id = $1 AND module_id = $2 ORDER BY position, id"),
        &[Val::Int(org), Val::Int(module_id)],
    )
    .await?
    .iter()
    .map(field_from)
    .collect()
}

async fn layouts_of(c: &mut impl Executor, org: Id, module_id: Id) -> StoreResult<Vec<Layout>> {
    c.query(
        &format!(
            "SELECT {LAYOUT_COLS} FROM layouts WHERE org_id = $1 AND module_id = $2 ORDER BY id"
        ),
        &[Val::Int(org), Val::Int(module_id)],
    )
    .await?
    .iter()
    .map(layout_from)
    .collect()
}

async fn record_in(c: &mut impl Executor, org: Id, module_id: Id, id: Id) -> StoreResult<Record> {
    record_from(
        &one(
            c,
            &format!("SELECT {RECORD_COLS} FROM records r WHERE r.org_id = $1 AND r.module_id = $2 AND r.id = $3"),
            &[Val::Int(org), Val::Int(module_id), Val::Int(id)],
        )
        .await?,
    )
}

async fn insert_user(
    c: &mut impl Executor,
    org: Id,
    u: &NewUser,
    now: Millis,
) -> StoreResult<User> {
    let profile = opt(
        c,
        "SELECT id FROM profiles WHERE org_id = $1 AND id = $2",
        &[Val::Int(org), Val::Int(u.profile_id)],
    )
    .await?;
    if profile.is_none() {
        return Err(invalid(
            "profile_id",
            "unknown_profile",
            "Choose a profile of this org",
        ));
    }
    let key = u.email.as_str().to_lowercase();
    let taken = opt(
        c,
        "SELECT id FROM users WHERE email_key = $1",
        &[Val::from(key.as_str())],
    )
    .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict(
            "A user with this email address already exists".into(),
        ));
    }
    let row = one(
        c,
        "INSERT INTO users (org_id, email, email_key, name, password_hash, profile_id, super_admin, \
         active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        &[
            Val::Int(org),
            Val::from(u.email.as_str()),
            Val::from(key),
            Val::from(u.name.as_str()),
            Val::from(u.password_hash.as_str()),
            Val::Int(u.profile_id),
            Val::Bool(u.super_admin),
            Val::Bool(true),
            Val::Int(now),
        ],
    )
    .await?;
    Ok(User {
        id: row.int(0)?,
        org_id: org,
        email: u.email.clone(),
        name: u.name.clone(),
        profile_id: u.profile_id,
        super_admin: u.super_admin,
        active: true,
    })
}

async fn check_owner(c: &mut impl Executor, org: Id, owner: Id) -> StoreResult<()> {
    let found = opt(
        c,
        "SELECT id FROM users WHERE org_id = $1 AND id = $2",
        &[Val::Int(org), Val::Int(owner)],
    )
    .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(invalid(
            "owner_id",
            "unknown_user",
            "The owner must be a user of this org",
        )),
    }
}

/// The storage of one Portico instance.
pub struct Store {
    db: Db,
}

impl Store {
    /// Opens the database the URL names. Call [`Store::migrate`] before use.
    pub fn open(url: &str) -> StoreResult<Self> {
        let db = match DatabaseUrl::parse(url)? {
            DatabaseUrl::Sqlite(path) => Db::Sqlite(SqliteDb::open(&path)?),
            DatabaseUrl::Postgres(url) => Db::Postgres(PgDb::connect(&url, 16)?),
        };
        Ok(Self { db })
    }

    pub fn backend(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub(crate) async fn read(&self) -> StoreResult<Conn> {
        Ok(match &self.db {
            Db::Sqlite(db) => Conn::Sqlite(db.read().await),
            Db::Postgres(db) => Conn::Postgres(Box::new(db.read().await?)),
        })
    }

    pub(crate) async fn begin(&self) -> StoreResult<Conn> {
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

    // ---- orgs ----

    /// Creates an org with its modules and profiles in one transaction.
    pub async fn create_org(&self, new: &NewOrg, now: Millis) -> StoreResult<CreatedOrg> {
        let s = &new.settings;
        let mut tx = self.begin().await?;
        let row = one(
            &mut tx,
            "INSERT INTO orgs (name, email_domain, language, time_format, time_zone, country, \
             gdpr_consent_required, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            &[
                Val::from(s.name.as_str()),
                Val::from(s.email_domain.as_str()),
                Val::from(s.language.as_str()),
                Val::from(s.time_format.as_str()),
                Val::from(s.time_zone.as_str()),
                Val::from(s.country.as_str()),
                Val::Bool(s.gdpr_consent_required),
                Val::Int(now),
            ],
        )
        .await?;
        let org = Org {
            id: row.int(0)?,
            settings: s.clone(),
        };
        for spec in &new.modules {
            insert_module(&mut tx, org.id, spec).await?;
        }
        let mut profiles = Vec::with_capacity(new.profiles.len());
        for p in &new.profiles {
            profiles.push(insert_profile(&mut tx, org.id, p).await?);
        }
        let admin = match (&new.admin, profiles.first()) {
            (Some(a), Some(profile)) => {
                let u = NewUser {
                    email: a.email.clone(),
                    name: a.name.clone(),
                    password_hash: a.password_hash.clone(),
                    profile_id: profile.id,
                    super_admin: true,
                };
                Some(insert_user(&mut tx, org.id, &u, now).await?)
            }
            (Some(_), None) => {
                return Err(invalid(
                    "profiles",
                    "required",
                    "An org with an administrator needs a profile",
                ));
            }
            (None, _) => None,
        };
        tx.commit().await?;
        Ok(CreatedOrg {
            org,
            profiles,
            admin,
        })
    }

    pub async fn get_org(&self, org: Id) -> StoreResult<Org> {
        let mut c = self.read().await?;
        org_from(
            &one(
                &mut c,
                &format!("SELECT {ORG_COLS} FROM orgs WHERE id = $1"),
                &[Val::Int(org)],
            )
            .await?,
        )
    }

    pub async fn find_org_by_domain(&self, domain: &str) -> StoreResult<Option<Org>> {
        let mut c = self.read().await?;
        opt(
            &mut c,
            &format!("SELECT {ORG_COLS} FROM orgs WHERE email_domain = $1 ORDER BY id LIMIT 1"),
            &[Val::from(domain)],
        )
        .await?
        .as_ref()
        .map(org_from)
        .transpose()
    }

    pub async fn update_org(&self, org: Id, s: &OrgSettings) -> StoreResult<Org> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "UPDATE orgs SET name = $2, email_domain = $3, language = $4, time_format = $5, \
                 time_zone = $6, country = $7, gdpr_consent_required = $8 WHERE id = $1",
                &[
                    Val::Int(org),
                    Val::from(s.name.as_str()),
                    Val::from(s.email_domain.as_str()),
                    Val::from(s.language.as_str()),
                    Val::from(s.time_format.as_str()),
                    Val::from(s.time_zone.as_str()),
                    Val::from(s.country.as_str()),
                    Val::Bool(s.gdpr_consent_required),
                ],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await?;
        Ok(Org {
            id: org,
            settings: s.clone(),
        })
    }

    // ---- modules, fields, layouts ----

    pub async fn create_module(&self, org: Id, spec: &ModuleSpec) -> StoreResult<Module> {
        let mut tx = self.begin().await?;
        let module = insert_module(&mut tx, org, spec).await?;
        tx.commit().await?;
        Ok(module)
    }

    pub async fn list_modules(&self, org: Id) -> StoreResult<Vec<Module>> {
        let mut c = self.read().await?;
        c.query(
            &format!("SELECT {MODULE_COLS} FROM modules WHERE org_id = $1 ORDER BY position, id"),
            &[Val::Int(org)],
        )
        .await?
        .iter()
        .map(module_from)
        .collect()
    }

    pub async fn get_module(&self, org: Id, api_name: &str) -> StoreResult<Module> {
        let mut c = self.read().await?;
        module_from(
            &one(
                &mut c,
                &format!("SELECT {MODULE_COLS} FROM modules WHERE org_id = $1 AND api_name = $2"),
                &[Val::Int(org), Val::from(api_name)],
            )
            .await?,
        )
    }

    pub async fn update_module(
        &self,
        org: Id,
        module_id: Id,
        s: &ModuleSettings,
    ) -> StoreResult<Module> {
        let mut tx = self.begin().await?;
        let row = one(
            &mut tx,
            &format!(
                "UPDATE modules SET label = $3, sharing = $4, canvas_template = $5 \
                 WHERE org_id = $1 AND id = $2 RETURNING {MODULE_COLS}"
            ),
            &[
                Val::Int(org),
                Val::Int(module_id),
                Val::from(s.label.as_str()),
                Val::from(s.sharing.as_str()),
                Val::from(s.canvas_template.clone()),
            ],
        )
        .await?;
        let module = module_from(&row)?;
        if !module.sharing.is_public() {
            crate::portals::drop_public_module(&mut tx, org, module.api_name.as_str()).await?;
        }
        tx.commit().await?;
        Ok(module)
    }

    /// Adds a field at the end of the module. It is appended to the module's first layout, and
    /// a mandatory field to every layout (a layout must place every mandatory field).
    pub async fn create_field(&self, org: Id, module_id: Id, new: &NewField) -> StoreResult<Field> {
        let mut tx = self.begin().await?;
        let existing = fields_of(&mut tx, org, module_id).await?;
        let (api_name, _) = new.check()?;
        if existing.iter().any(|f| f.api_name == api_name) {
            return Err(StoreError::Conflict(format!(
                "This module already has a field {api_name}"
            )));
        }
        let layouts = layouts_of(&mut tx, org, module_id).await?;
        if layouts.is_empty() {
            // Every module is created with a layout, so none means the module is not this org's.
            return Err(StoreError::NotFound);
        }
        let position = existing.iter().map(|f| f.position).max().unwrap_or(0) + 1;
        let field = insert_field(&mut tx, org, module_id, new, position).await?;
        for (i, layout) in layouts.iter().enumerate() {
            if i == 0 || field.mandatory {
                let mut sections = layout.sections.clone();
                match sections.last_mut() {
                    Some(last) => last.fields.push(field.api_name.to_string()),
                    None => sections.push(Section {
                        name: "Information".into(),
                        fields: vec![field.api_name.to_string()],
                    }),
                }
                tx.execute(
                    "UPDATE layouts SET sections = $2 WHERE id = $1",
                    &[Val::Int(layout.id), to_json(&sections)?],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(field)
    }

    pub async fn list_fields(&self, org: Id, module_id: Id) -> StoreResult<Vec<Field>> {
        fields_of(&mut self.read().await?, org, module_id).await
    }

    pub async fn create_layout(
        &self,
        org: Id,
        module_id: Id,
        new: &NewLayout,
    ) -> StoreResult<Layout> {
        let mut tx = self.begin().await?;
        let fields = fields_of(&mut tx, org, module_id).await?;
        if fields.is_empty() {
            return Err(StoreError::NotFound);
        }
        let checked = new.check(&fields)?;
        if layouts_of(&mut tx, org, module_id)
            .await?
            .iter()
            .any(|l| l.name == checked.name)
        {
            return Err(StoreError::Conflict(format!(
                "A layout named {} already exists",
                checked.name
            )));
        }
        let layout = insert_layout(&mut tx, org, module_id, &checked).await?;
        tx.commit().await?;
        Ok(layout)
    }

    pub async fn list_layouts(&self, org: Id, module_id: Id) -> StoreResult<Vec<Layout>> {
        layouts_of(&mut self.read().await?, org, module_id).await
    }

    // ---- profiles and users ----

    pub async fn create_profile(&self, org: Id, p: &NewProfile) -> StoreResult<Profile> {
        let mut tx = self.begin().await?;
        let profile = insert_profile(&mut tx, org, p).await?;
        tx.commit().await?;
        Ok(profile)
    }

    pub async fn update_profile(&self, org: Id, id: Id, p: &NewProfile) -> StoreResult<Profile> {
        let mut tx = self.begin().await?;
        let clash = opt(
            &mut tx,
            "SELECT id FROM profiles WHERE org_id = $1 AND name = $2 AND id <> $3",
            &[Val::Int(org), Val::from(p.name.as_str()), Val::Int(id)],
        )
        .await?;
        if clash.is_some() {
            return Err(StoreError::Conflict(format!(
                "A profile named {} already exists",
                p.name
            )));
        }
        let row = one(
            &mut tx,
            &format!(
                "UPDATE profiles SET name = $3, scope = $4, permissions = $5 \
                 WHERE org_id = $1 AND id = $2 RETURNING {PROFILE_COLS}"
            ),
            &[
                Val::Int(org),
                Val::Int(id),
                Val::from(p.name.as_str()),
                Val::from(p.scope.as_str()),
                to_json(&p.permissions)?,
            ],
        )
        .await?;
        let profile = profile_from(&row)?;
        tx.commit().await?;
        Ok(profile)
    }

    pub async fn list_profiles(&self, org: Id) -> StoreResult<Vec<Profile>> {
        let mut c = self.read().await?;
        c.query(
            &format!("SELECT {PROFILE_COLS} FROM profiles WHERE org_id = $1 ORDER BY id"),
            &[Val::Int(org)],
        )
        .await?
        .iter()
        .map(profile_from)
        .collect()
    }

    pub async fn get_profile(&self, org: Id, id: Id) -> StoreResult<Profile> {
        let mut c = self.read().await?;
        profile_from(
            &one(
                &mut c,
                &format!("SELECT {PROFILE_COLS} FROM profiles WHERE org_id = $1 AND id = $2"),
                &[Val::Int(org), Val::Int(id)],
            )
            .await?,
        )
    }

    pub async fn create_user(&self, org: Id, u: &NewUser, now: Millis) -> StoreResult<User> {
        let mut tx = self.begin().await?;
        let user = insert_user(&mut tx, org, u, now).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn list_users(&self, org: Id) -> StoreResult<Vec<User>> {
        let mut c = self.read().await?;
        c.query(
            &format!("SELECT {USER_COLS} FROM users WHERE org_id = $1 ORDER BY id"),
            &[Val::Int(org)],
        )
        .await?
        .iter()
        .map(user_from)
        .collect()
    }

    pub async fn get_user(&self, org: Id, id: Id) -> StoreResult<User> {
        let mut c = self.read().await?;
        user_from(
            &one(
                &mut c,
                &format!("SELECT {USER_COLS} FROM users WHERE org_id = $1 AND id = $2"),
                &[Val::Int(org), Val::Int(id)],
            )
            .await?,
        )
    }

    /// The user with this email (any org; emails are unique per instance) and their password hash.
    pub async fn find_login(&self, email: &str) -> StoreResult<Option<(User, String)>> {
        let mut c = self.read().await?;
        let row = opt(
            &mut c,
            &format!("SELECT {USER_COLS}, password_hash FROM users WHERE email_key = $1"),
            &[Val::from(email.trim().to_lowercase())],
        )
        .await?;
        row.map(|r| Ok((user_from(&r)?, r.text(7)?))).transpose()
    }

    // ---- sessions and API tokens ----

    pub async fn create_session(&self, token_hash: &str, s: &Session) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        tx.execute(
            "INSERT INTO sessions (token_hash, org_id, user_id, csrf_token, created_at, last_seen_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                Val::from(token_hash),
                Val::Int(s.org_id),
                Val::Int(s.user_id),
                Val::from(s.csrf_token.as_str()),
                Val::Int(s.created_at),
                Val::Int(s.last_seen_at),
                Val::Int(s.expires_at),
            ],
        )
        .await?;
        tx.commit().await
    }

    pub async fn get_session(&self, token_hash: &str) -> StoreResult<Option<Session>> {
        let mut c = self.read().await?;
        let row = opt(
            &mut c,
            "SELECT org_id, user_id, csrf_token, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = $1",
            &[Val::from(token_hash)],
        )
        .await?;
        row.map(|r| {
            Ok(Session {
                org_id: r.int(0)?,
                user_id: r.int(1)?,
                csrf_token: r.text(2)?,
                created_at: r.int(3)?,
                last_seen_at: r.int(4)?,
                expires_at: r.int(5)?,
            })
        })
        .transpose()
    }

    pub async fn touch_session(&self, token_hash: &str, now: Millis) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        tx.execute(
            "UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1",
            &[Val::from(token_hash), Val::Int(now)],
        )
        .await?;
        tx.commit().await
    }

    pub async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        tx.execute(
            "DELETE FROM sessions WHERE token_hash = $1",
            &[Val::from(token_hash)],
        )
        .await?;
        tx.commit().await
    }

    /// Removes sessions that expired before `now`; answers how many.
    pub async fn delete_expired_sessions(&self, now: Millis) -> StoreResult<u64> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                "DELETE FROM sessions WHERE expires_at < $1",
                &[Val::Int(now)],
            )
            .await?;
        tx.commit().await?;
        Ok(n)
    }

    pub async fn create_api_token(
        &self,
        org: Id,
        user: Id,
        token_hash: &str,
        label: &str,
        now: Millis,
        expires_at: Millis,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        check_owner(&mut tx, org, user).await?;
        tx.execute(
            "INSERT INTO api_tokens (token_hash, org_id, user_id, label, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                Val::from(token_hash),
                Val::Int(org),
                Val::Int(user),
                Val::from(label),
                Val::Int(now),
                Val::Int(expires_at),
            ],
        )
        .await?;
        tx.commit().await
    }

    pub async fn find_api_token(&self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
        let mut c = self.read().await?;
        let row = opt(
            &mut c,
            "SELECT org_id, user_id, expires_at FROM api_tokens WHERE token_hash = $1",
            &[Val::from(token_hash)],
        )
        .await?;
        row.map(|r| {
            Ok(ApiToken {
                org_id: r.int(0)?,
                user_id: r.int(1)?,
                expires_at: r.int(2)?,
            })
        })
        .transpose()
    }

    // ---- records ----

    /// Creates a record after checking its owner and every lookup target, in one transaction.
    pub async fn create_record(
        &self,
        org: Id,
        module_id: Id,
        owner_id: Id,
        valid: &ValidRecordData,
        state: RecordState,
        now: Millis,
    ) -> StoreResult<Record> {
        let mut tx = self.begin().await?;
        check_owner(&mut tx, org, owner_id).await?;
        check_links(&mut tx, org, &valid.links).await?;
        let row = one(
            &mut tx,
            "INSERT INTO records (org_id, module_id, owner_id, data, display_name, email, search, \
             approval_locked, in_review, gdpr_consent, created_at, updated_at) \
             SELECT $1, id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11 FROM modules \
             WHERE org_id = $1 AND id = $2 RETURNING id",
            &[
                Val::Int(org),
                Val::Int(module_id),
                Val::Int(owner_id),
                Val::Json(Value::Object(valid.data.clone())),
                Val::from(valid.display_name.as_str()),
                Val::from(valid.email.clone()),
                Val::from(valid.search.as_str()),
                Val::Bool(state.approval_locked),
                Val::Bool(state.in_review),
                Val::Bool(state.gdpr_consent),
                Val::Int(now),
            ],
        )
        .await?;
        let id = row.int(0)?;
        write_links(&mut tx, org, id, &valid.links).await?;
        let record = record_in(&mut tx, org, module_id, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Fetches a record, live or in the recycle bin.
    pub async fn get_record(&self, org: Id, module_id: Id, id: Id) -> StoreResult<Record> {
        record_in(&mut self.read().await?, org, module_id, id).await
    }

    /// Replaces a live record's data (already merged and validated) and optionally its owner and
    /// state. The last write wins; there is no optimistic-concurrency check yet.
    pub async fn update_record(
        &self,
        org: Id,
        module_id: Id,
        id: Id,
        valid: &ValidRecordData,
        meta: RecordMeta,
        now: Millis,
    ) -> StoreResult<Record> {
        let mut tx = self.begin().await?;
        let current = record_in(&mut tx, org, module_id, id).await?;
        if current.deleted_at.is_some() {
            return Err(StoreError::NotFound);
        }
        if let Some(owner) = meta.owner_id {
            check_owner(&mut tx, org, owner).await?;
        }
        check_links(&mut tx, org, &valid.links).await?;
        let state = meta.state.unwrap_or(current.state);
        tx.execute(
            "UPDATE records SET data = $3, display_name = $4, email = $5, search = $6, owner_id = $7, \
             approval_locked = $8, in_review = $9, gdpr_consent = $10, updated_at = $11 \
             WHERE org_id = $1 AND id = $2",
            &[
                Val::Int(org),
                Val::Int(id),
                Val::Json(Value::Object(valid.data.clone())),
                Val::from(valid.display_name.as_str()),
                Val::from(valid.email.clone()),
                Val::from(valid.search.as_str()),
                Val::Int(meta.owner_id.unwrap_or(current.owner_id)),
                Val::Bool(state.approval_locked),
                Val::Bool(state.in_review),
                Val::Bool(state.gdpr_consent),
                Val::Int(now.max(current.updated_at)),
            ],
        )
        .await?;
        write_links(&mut tx, org, id, &valid.links).await?;
        let record = record_in(&mut tx, org, module_id, id).await?;
        tx.commit().await?;
        Ok(record)
    }

    /// Moves a live record to the recycle bin.
    pub async fn delete_record(
        &self,
        org: Id,
        module_id: Id,
        id: Id,
        now: Millis,
    ) -> StoreResult<()> {
        self.set_deleted(org, module_id, id, Some(now)).await
    }

    /// Brings a record back from the recycle bin. Its lookups may point at records deleted
    /// meanwhile; they are kept, as the CRM shows them as missing rather than losing data.
    pub async fn restore_record(&self, org: Id, module_id: Id, id: Id) -> StoreResult<()> {
        self.set_deleted(org, module_id, id, None).await
    }

    async fn set_deleted(
        &self,
        org: Id,
        module_id: Id,
        id: Id,
        at: Option<Millis>,
    ) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let condition = if at.is_some() {
            "deleted_at IS NULL"
        } else {
            "deleted_at IS NOT NULL"
        };
        let n = tx
            .execute(
                &format!("UPDATE records SET deleted_at = $4 WHERE org_id = $1 AND module_id = $2 AND id = $3 AND {condition}"),
                &[Val::Int(org), Val::Int(module_id), Val::Int(id), Val::from(at)],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.commit().await
    }

    /// Deletes a record in the recycle bin for good, with its links in both directions.
    pub async fn purge_record(&self, org: Id, module_id: Id, id: Id) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let current = record_in(&mut tx, org, module_id, id).await?;
        if current.deleted_at.is_none() {
            return Err(StoreError::Conflict(
                "Only records in the recycle bin can be purged".into(),
            ));
        }
        tx.execute(
            "DELETE FROM record_links WHERE org_id = $1 AND (record_id = $2 OR target_id = $2)",
            &[Val::Int(org), Val::Int(id)],
        )
        .await?;
        tx.execute(
            "DELETE FROM records WHERE org_id = $1 AND id = $2",
            &[Val::Int(org), Val::Int(id)],
        )
        .await?;
        tx.commit().await
    }

    pub async fn list_records(&self, org: Id, q: &RecordQuery) -> StoreResult<Page<Record>> {
        let mut sql = format!("SELECT {RECORD_COLS} FROM records r WHERE r.org_id = $1");
        let mut params = vec![Val::Int(org)];
        let mut push = |clause: &str, value: Val, sql: &mut String| {
            params.push(value);
            sql.push_str(&clause.replace('?', &format!("${}", params.len())));
        };
        if let Some(module) = q.module_id {
            push(" AND r.module_id = ?", Val::Int(module), &mut sql);
        }
        sql.push_str(if q.in_bin {
            " AND r.deleted_at IS NOT NULL"
        } else {
            " AND r.deleted_at IS NULL"
        });
        if let Some(owner) = q.owner_id {
            push(" AND r.owner_id = ?", Val::Int(owner), &mut sql);
        }
        if let Some(after) = q.after {
            push(" AND r.id < ?", Val::Int(after), &mut sql);
        }
        if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            push(
                " AND r.search LIKE ? ESCAPE '\\'",
                Val::from(like_pattern(&s.to_lowercase())),
                &mut sql,
            );
        }
        let limit = q.limit.clamp(1, 500);
        push(" ORDER BY r.id DESC LIMIT ?", Val::Int(limit + 1), &mut sql);
        let rows = self.read().await?.query(&sql, &params).await?;
        page(rows, limit)
    }

    /// Live records whose lookup fields `field_ids` point at `target_id`: one indexed query.
    pub async fn linked_records(
        &self,
        org: Id,
        target_id: Id,
        field_ids: &[Id],
        after: Option<Id>,
        limit: i64,
    ) -> StoreResult<Page<Record>> {
        if field_ids.is_empty() {
            return Ok(Page {
                items: Vec::new(),
                next: None,
            });
        }
        let limit = limit.clamp(1, 500);
        let mut params = vec![
            Val::Int(org),
            Val::Int(target_id),
            Val::Int(after.unwrap_or(i64::MAX)),
            Val::Int(limit + 1),
        ];
        params.extend(field_ids.iter().map(|f| Val::Int(*f)));
        let sql = format!(
            "SELECT {RECORD_COLS} FROM records r WHERE r.org_id = $1 AND r.deleted_at IS NULL AND r.id < $3 \
             AND r.id IN (SELECT l.record_id FROM record_links l WHERE l.org_id = $1 AND l.target_id = $2 \
             AND l.field_id IN ({})) ORDER BY r.id DESC LIMIT $4",
            placeholders(4, field_ids.len())
        );
        let rows = self.read().await?.query(&sql, &params).await?;
        page(rows, limit)
    }

    /// Who owns the given live records of this org, their module and name: what a caller needs
    /// to decide whether it may show or link to them.
    pub async fn record_refs(&self, org: Id, ids: &[Id]) -> StoreResult<Vec<RecordRef>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut params = vec![Val::Int(org)];
        params.extend(ids.iter().map(|i| Val::Int(*i)));
        let sql = format!(
            "SELECT id, module_id, owner_id, display_name FROM records \
             WHERE org_id = $1 AND deleted_at IS NULL AND id IN ({})",
            placeholders(1, ids.len())
        );
        self.read()
            .await?
            .query(&sql, &params)
            .await?
            .iter()
            .map(|r| {
                Ok(RecordRef {
                    id: r.int(0)?,
                    module_id: r.int(1)?,
                    owner_id: r.int(2)?,
                    display_name: r.text(3)?,
                })
            })
            .collect()
    }

    /// Live records of a module, optionally only those `owner` owns.
    pub async fn count_records(
        &self,
        org: Id,
        module_id: Id,
        owner: Option<Id>,
    ) -> StoreResult<i64> {
        let mut c = self.read().await?;
        let mut sql = "SELECT COUNT(*) FROM records WHERE org_id = $1 AND module_id = $2 AND deleted_at IS NULL".to_string();
        let mut params = vec![Val::Int(org), Val::Int(module_id)];
        if let Some(owner) = owner {
            sql.push_str(" AND owner_id = $3");
            params.push(Val::Int(owner));
        }
        one(&mut c, &sql, &params).await?.int(0)
    }

    // ---- web tabs ----

    pub async fn create_web_tab(&self, org: Id, tab: &NewWebTab) -> StoreResult<WebTab> {
        let mut tx = self.begin().await?;
        let clash = opt(
            &mut tx,
            "SELECT id FROM web_tabs WHERE org_id = $1 AND name = $2",
            &[Val::Int(org), Val::from(tab.name.as_str())],
        )
        .await?;
        if clash.is_some() {
            return Err(StoreError::Conflict(format!(
                "A web tab named {} already exists",
                tab.name
            )));
        }
        let row = one(
            &mut tx,
            "INSERT INTO web_tabs (org_id, name, url) VALUES ($1, $2, $3) RETURNING id",
            &[
                Val::Int(org),
                Val::from(tab.name.as_str()),
                Val::from(tab.url.as_str()),
            ],
        )
        .await?;
        tx.commit().await?;
        Ok(WebTab {
            id: row.int(0)?,
            org_id: org,
            name: tab.name.clone(),
            url: tab.url.clone(),
        })
    }

    pub async fn list_web_tabs(&self, org: Id) -> StoreResult<Vec<WebTab>> {
        let mut c = self.read().await?;
        c.query(
            "SELECT id, org_id, name, url FROM web_tabs WHERE org_id = $1 ORDER BY name",
            &[Val::Int(org)],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(WebTab {
                id: r.int(0)?,
                org_id: r.int(1)?,
                name: r.text(2)?,
                url: r.text(3)?,
            })
        })
        .collect()
    }

    /// Deletes a web tab, and removes it from every portal user type that shows it.
    pub async fn delete_web_tab(&self, org: Id, id: Id) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let row = one(
            &mut tx,
            "SELECT name FROM web_tabs WHERE org_id = $1 AND id = $2",
            &[Val::Int(org), Val::Int(id)],
        )
        .await?;
        let name = row.text(0)?;
        tx.execute(
            "DELETE FROM web_tabs WHERE org_id = $1 AND id = $2",
            &[Val::Int(org), Val::Int(id)],
        )
        .await?;
        crate::portals::drop_web_tab(&mut tx, org, &name).await?;
        tx.commit().await
    }
}

fn page(rows: Vec<Row>, limit: i64) -> StoreResult<Page<Record>> {
    let mut items = rows
        .iter()
        .map(record_from)
        .collect::<StoreResult<Vec<_>>>()?;
    let more = items.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    if more {
        items.pop();
    }
    let next = if more {
        items.last().map(|r| r.id)
    } else {
        None
    };
    Ok(Page { items, next })
}
