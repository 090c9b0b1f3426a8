//! Records in the API's JSON: one record through serde ([`RecordJson`]), and a page of them
//! written straight into the response body ([`record_list_body`]), the stored data copied as
//! it is. Both give the same bytes for the same record (test
//! `a_list_writes_each_record_as_a_single_answer_does`).

use super::{rfc3339, write_rfc3339};
use portico_domain::Id;
use portico_domain::module::{ApiName, Module};
use portico_domain::record::{Record, SerializedRecord};
use portico_store::Page;
use serde::Serialize;

/// A record as the API writes it. The keys are in alphabetical order — the order serde_json's
/// maps wrote them in when answers were built as `Value`s — so the bytes did not change when
/// records stopped going through a `Value`.
#[derive(Serialize)]
pub struct RecordJson<'a, D> {
    created_at: String,
    data: &'a D,
    deleted_at: Option<String>,
    id: Id,
    module: &'a ApiName,
    name: &'a str,
    owner_id: Id,
    state: RecordStateJson,
    updated_at: String,
    version: i64,
}

/// [`RecordState`](portico_domain::record::RecordState), keys in alphabetical order.
#[derive(Serialize)]
struct RecordStateJson {
    approval_locked: bool,
    gdpr_consent: bool,
    in_review: bool,
}

/// A record of `module` as the API writes it; `D` is its data, parsed or as stored.
pub fn record_json<'a, D: Serialize>(module: &'a Module, r: &'a Record<D>) -> RecordJson<'a, D> {
    RecordJson {
        created_at: rfc3339(r.created_at),
        data: &r.data,
        deleted_at: r.deleted_at.map(rfc3339),
        id: r.id,
        module: &module.api_name,
        name: &r.display_name,
        owner_id: r.owner_id,
        state: RecordStateJson {
            approval_locked: r.state.approval_locked,
            gdpr_consent: r.state.gdpr_consent,
            in_review: r.state.in_review,
        },
        updated_at: rfc3339(r.updated_at),
        version: r.version,
    }
}

/// A page of `module`'s records as the API answers it, `{"items": [...], "next": ...}`,
/// written directly: the keys are constants, the stored data is copied in as it is (the
/// store wrote it with serde_json; see `StoredJson`), and only names go through serde_json's
/// escaping. This is the records list's hot path; [`record_json`] is the reference it agrees
/// with byte for byte.
pub fn record_list_body(module: &Module, page: &Page<SerializedRecord>) -> Vec<u8> {
    let data: usize = page.items.iter().map(|r| r.data.as_str().len()).sum();
    let mut out = Vec::with_capacity(32 + data + page.items.len() * 320);
    let mut module_name = Vec::new();
    string(&mut module_name, module.api_name.as_str());
    out.extend_from_slice(b"{\"items\":[");
    for (i, r) in page.items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_record(&mut out, &module_name, r);
    }
    out.extend_from_slice(b"],\"next\":");
    match page.next {
        Some(next) => {
            out.push(b'"');
            number(&mut out, next);
            out.push(b'"');
        }
        None => out.extend_from_slice(b"null"),
    }
    out.push(b'}');
    out
}

fn write_record(out: &mut Vec<u8>, module_name: &[u8], r: &SerializedRecord) {
    out.extend_from_slice(b"{\"created_at\":");
    timestamp(out, r.created_at);
    out.extend_from_slice(b",\"data\":");
    out.extend_from_slice(r.data.as_str().as_bytes());
    out.extend_from_slice(b",\"deleted_at\":");
    match r.deleted_at {
        Some(at) => timestamp(out, at),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"id\":");
    number(out, r.id);
    out.extend_from_slice(b",\"module\":");
    out.extend_from_slice(module_name);
    out.extend_from_slice(b",\"name\":");
    string(out, &r.display_name);
    out.extend_from_slice(b",\"owner_id\":");
    number(out, r.owner_id);
    out.extend_from_slice(b",\"state\":{\"approval_locked\":");
    boolean(out, r.state.approval_locked);
    out.extend_from_slice(b",\"gdpr_consent\":");
    boolean(out, r.state.gdpr_consent);
    out.extend_from_slice(b",\"in_review\":");
    boolean(out, r.state.in_review);
    out.extend_from_slice(b"},\"updated_at\":");
    timestamp(out, r.updated_at);
    out.extend_from_slice(b",\"version\":");
    number(out, r.version);
    out.push(b'}');
}

/// A JSON string, escaped by serde_json.
fn string(out: &mut Vec<u8>, text: &str) {
    // Writing a `str` into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

fn number(out: &mut Vec<u8>, n: i64) {
    let _ = serde_json::to_writer(&mut *out, &n);
}

fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// An RFC 3339 timestamp is digits, `-`, `:`, `T`, `.` and `Z`: nothing to escape.
fn timestamp(out: &mut Vec<u8>, ms: i64) {
    out.push(b'"');
    write_rfc3339(out, ms);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use portico_domain::module::{DataSharing, ModuleKind};
    use portico_domain::record::{RecordState, StoredJson};
    use serde_json::{Map, Value, json};

    fn module() -> Module {
        Module {
            id: 3,
            org_id: 1,
            api_name: ApiName::parse("Contacts").unwrap(),
            label: "Contacts".into(),
            kind: ModuleKind::Standard,
            sharing: DataSharing::Private,
            name_fields: vec!["Last_Name".into()],
            canvas_template: None,
        }
    }

    fn record(
        id: Id,
        data: Value,
        name: &str,
        deleted_at: Option<i64>,
        state: RecordState,
    ) -> Record {
        let Value::Object(data) = data else {
            panic!("data is an object")
        };
        Record {
            id,
            org_id: 1,
            module_id: 3,
            owner_id: 7,
            data,
            display_name: name.into(),
            email: None,
            state,
            created_at: 1_750_000_000_123,
            updated_at: 1_750_000_100_000,
            deleted_at,
            version: id * 3,
        }
    }

    /// As the store hands it over: the data is the text serde_json writes for the `Map`.
    fn stored(r: &Record) -> SerializedRecord {
        Record {
            id: r.id,
            org_id: r.org_id,
            module_id: r.module_id,
            owner_id: r.owner_id,
            data: StoredJson::from_store(Value::Object(r.data.clone()).to_string()),
            display_name: r.display_name.clone(),
            email: r.email.clone(),
            state: r.state,
            created_at: r.created_at,
            updated_at: r.updated_at,
            deleted_at: r.deleted_at,
            version: r.version,
        }
    }

    #[test]
    fn a_list_writes_each_record_as_a_single_answer_does() {
        let module = module();
        let records = [
            record(
                9,
                json!({"Last_Name": "Quote \" and \\ and \u{1}", "Tags": ["a", "b"], "Amount": 12.5,
                       "Sub": [{"Qty": 2, "Name": "Ünïcode ✓"}], "Empty": null, "Yes": true}),
                "Quote \" and \\ and \u{1}",
                None,
                RecordState::default(),
            ),
            record(
                8,
                json!({}),
                "</script><b>",
                Some(1_760_000_000_000),
                RecordState {
                    approval_locked: true,
                    in_review: false,
                    gdpr_consent: true,
                },
            ),
        ];
        for next in [Some(8), None] {
            let page = Page {
                items: records.iter().map(stored).collect(),
                next,
            };
            let expected = serde_json::to_vec(&json!({
                "items": records.iter().map(|r| record_json(&module, r)).collect::<Vec<_>>(),
                "next": next.map(|n| n.to_string()),
            }))
            .unwrap();
            assert_eq!(
                String::from_utf8(record_list_body(&module, &page)).unwrap(),
                String::from_utf8(expected).unwrap()
            );
        }
        let empty = Page::<SerializedRecord> {
            items: Vec::new(),
            next: None,
        };
        assert_eq!(
            record_list_body(&module, &empty),
            br#"{"items":[],"next":null}"#
        );
    }

    #[test]
    fn stored_data_through_serde_is_checked_and_the_same() {
        let data: Map<String, Value> = json!({"b": 1, "a": [true, null]})
            .as_object()
            .unwrap()
            .clone();
        let text = Value::Object(data.clone()).to_string();
        let stored = StoredJson::from_store(text);
        assert_eq!(
            serde_json::to_string(&stored).unwrap(),
            serde_json::to_string(&data).unwrap()
        );
        assert!(serde_json::to_string(&StoredJson::from_store("{oops".into())).is_err());
    }
}
