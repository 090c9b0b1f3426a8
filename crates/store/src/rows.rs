//! Rows to domain types, and the small query helpers every resource uses.

use crate::error::{StoreError, StoreResult};
use crate::sql::{Columns, Executor, JsonColumn, Row, Val};
use portico_domain::DomainError;
use portico_domain::field::{Field, FieldType};
use portico_domain::layout::Layout;
use portico_domain::module::{ApiName, DataSharing, Module, ModuleKind};
use portico_domain::org::{Org, OrgSettings, TimeFormat};
use portico_domain::profile::{Profile, RecordScope, User};
use portico_domain::record::{Record, RecordState, StoredJson};
use serde_json::{Map, Value};
use std::borrow::Cow;

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

pub(crate) const ORG_COLS: &str =
    "id, name, email_domain, language, time_format, time_zone, country, gdpr_consent_required";
pub(crate) const MODULE_COLS: &str =
    "id, org_id, api_name, label, kind, sharing, name_fields, canvas_template";
pub(crate) const FIELD_COLS: &str = "id, module_id, api_name, label, spec, mandatory, position";

pub(crate) const LAYOUT_COLS: &str = "id, module_id, name, sections";

pub(crate) const PROFILE_COLS: &str = "id, org_id, name, scope, permissions";

pub(crate) const USER_COLS: &str = "id, org_id, email, name, profile_id, super_admin, active";

pub(crate) const RECORD_COLS: &str = "r.id, r.org_id, r.module_id, r.owner_id, r.data, r.display_name, \
     r.email, r.approval_locked, r.in_review, r.gdpr_consent, r.created_at, r.updated_at, r.deleted_at, r.version";

/// How many columns a column list names.
pub(crate) fn column_count(cols: &str) -> usize {
    cols.split(", ").count()
}

/// `a, b` as `t.a, t.b`, for a column list in a join.
pub(crate) fn prefixed(table: &str, cols: &str) -> String {
    cols.split(", ")
        .map(|c| format!("{table}.{c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn api_name(row: &Row, i: usize) -> StoreResult<ApiName> {
    ApiName::parse(&row.text(i)?).map_err(|e| StoreError::Backend(e.to_string()))
}

pub(crate) fn org_from(r: &Row) -> StoreResult<Org> {
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

pub(crate) fn module_from(r: &Row) -> StoreResult<Module> {
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

pub(crate) fn field_from(r: &Row) -> StoreResult<Field> {
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

pub(crate) fn layout_from(r: &Row) -> StoreResult<Layout> {
    Ok(Layout {
        id: r.int(0)?,
        module_id: r.int(1)?,
        name: r.text(2)?,
        sections: r.parse(3)?,
    })
}

pub(crate) fn profile_from(r: &Row) -> StoreResult<Profile> {
    Ok(Profile {
        id: r.int(0)?,
        org_id: r.int(1)?,
        name: r.text(2)?,
        scope: RecordScope::parse(&r.text(3)?)?,
        permissions: r.parse(4)?,
    })
}

pub(crate) fn user_from(r: &Row) -> StoreResult<User> {
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

/// How a record's data leaves a row: parsed into a `Map`, or kept as the JSON text it was
/// stored as ([`portico_domain::record::SerializedRecord`]).
pub(crate) trait RecordData: Sized + Send {
    fn from_column(value: JsonColumn<'_>) -> StoreResult<Self>;
}

fn not_an_object() -> StoreError {
    StoreError::Backend("record data is not an object".into())
}

impl RecordData for Map<String, Value> {
    fn from_column(value: JsonColumn<'_>) -> StoreResult<Self> {
        match value {
            JsonColumn::Text(t) => Ok(serde_json::from_str(&t)?),
            JsonColumn::Value(Value::Object(map)) => Ok(map),
            JsonColumn::Value(_) => Err(not_an_object()),
        }
    }
}

impl RecordData for StoredJson {
    /// SQLite keeps the text serde_json wrote from the record's `Map`; PostgreSQL's JSONB
    /// arrives parsed and is written the same way. Either way the text is what writing the
    /// parsed `Map` gives, so it is not parsed again here.
    fn from_column(value: JsonColumn<'_>) -> StoreResult<Self> {
        let text = match value {
            JsonColumn::Text(t) => t.into_owned(),
            JsonColumn::Value(v @ Value::Object(_)) => v.to_string(),
            JsonColumn::Value(_) => return Err(not_an_object()),
        };
        if text.starts_with('{') && text.ends_with('}') {
            Ok(StoredJson::from_store(text))
        } else {
            Err(not_an_object())
        }
    }
}

/// A row of [`RECORD_COLS`], read where it lies: only the data and the two texts are copied.
pub(crate) fn record_from<D: RecordData>(r: &dyn Columns) -> StoreResult<Record<D>> {
    Ok(Record {
        id: r.int(0)?,
        org_id: r.int(1)?,
        module_id: r.int(2)?,
        owner_id: r.int(3)?,
        data: D::from_column(r.json(4)?)?,
        display_name: r.text(5)?.into_owned(),
        email: r.opt_text(6)?.map(Cow::into_owned),
        state: RecordState {
            approval_locked: r.bool(7)?,
            in_review: r.bool(8)?,
            gdpr_consent: r.bool(9)?,
        },
        created_at: r.int(10)?,
        updated_at: r.int(11)?,
        deleted_at: r.opt_int(12)?,
        version: r.int(13)?,
    })
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> StoreResult<Val> {
    Ok(Val::Json(serde_json::to_value(value)?))
}
