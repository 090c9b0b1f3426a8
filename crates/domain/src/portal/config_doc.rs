//! The whole portal configuration as one portable document, and the path-by-path differences
//! an import would make.

use super::settings::{ConsentText, PortalStatus, PortalType};
use super::user_type::{Catalogue, CheckedUserTypeConfig, UserTypeConfig};
use crate::{DomainError, FieldError};
use serde::{Deserialize, Serialize};

/// Portal settings without what identifies the portal on this instance (its name, address and
/// custom domain), with users and the default user type named rather than numbered: the part
/// of a configuration that can move between orgs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortableSettings {
    pub status: PortalStatus,
    pub disabled_message: String,
    pub portal_type: PortalType,
    /// Emails of the CRM users told about sign-ups.
    pub signup_notify_users: Vec<String>,
    pub notify_applicant: bool,
    pub auto_approve_contacts: bool,
    /// The name of the user type sign-ups get.
    pub default_user_type: Option<String>,
    pub allow_email_change: bool,
    pub enforce_mfa: bool,
    pub idle_timeout_minutes: Option<i64>,
    pub ga_measurement_id: Option<String>,
    pub ga_terms_accepted: bool,
    pub consent_text: ConsentText,
}

/// A whole portal configuration as one reviewable document (`GET|PUT .../config`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalConfigDoc {
    pub settings: PortableSettings,
    pub user_types: Vec<UserTypeConfig>,
}

impl PortalConfigDoc {
    /// Checks every user type of the document against the org's catalogue, the one way an
    /// import turns configurations into checked ones. Errors name the user type they belong to
    /// (`user_types[1].modules[0].layouts`), and two user types whose names differ only in case
    /// or surrounding spaces are refused: users, seats and the default type are matched by name.
    /// Every problem of every user type is reported at once.
    pub fn check_user_types(
        &self,
        catalogue: &Catalogue<'_>,
    ) -> Result<Vec<CheckedUserTypeConfig>, DomainError> {
        let mut checked = Vec::with_capacity(self.user_types.len());
        let mut errors = Vec::new();
        let mut names: Vec<String> = Vec::with_capacity(self.user_types.len());
        for (i, config) in self.user_types.iter().enumerate() {
            let name = config.name.trim();
            let key = name.to_lowercase();
            if !key.is_empty() && names.contains(&key) {
                errors.push(FieldError::new(
                    format!("user_types[{i}].name"),
                    "duplicate_user_type",
                    format!(
                        "There is more than one user type named {name}; user type names must differ (ignoring case)"
                    ),
                ));
            }
            names.push(key);
            match config.clone().check(catalogue) {
                Ok(c) => checked.push(c),
                Err(e) => errors.extend(e.errors().iter().map(|f| {
                    FieldError::new(
                        format!("user_types[{i}].{}", f.field),
                        f.code,
                        f.message.clone(),
                    )
                })),
            }
        }
        if errors.is_empty() {
            Ok(checked)
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// One difference between two JSON documents: where, and the value before and after
/// (`null` for absent).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub path: String,
    pub from: serde_json::Value,
    pub to: serde_json::Value,
}

/// The differences between two JSON documents, path by path. Arrays of objects with a `name`
/// (user types) or `module` (tabs) key are matched by that key, so reordering is not a change.
pub fn json_diff(before: &serde_json::Value, after: &serde_json::Value) -> Vec<Change> {
    let mut out = Vec::new();
    diff_at("", before, after, &mut out);
    out
}

fn keyed(items: &[serde_json::Value]) -> Option<Vec<(String, &serde_json::Value)>> {
    items
        .iter()
        .map(|v| {
            ["name", "module", "layout", "field", "column"]
                .iter()
                .find_map(|k| v.get(*k).and_then(serde_json::Value::as_str))
                .map(|k| (k.to_string(), v))
        })
        .collect()
}

fn diff_at(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<Change>) {
    use serde_json::Value;
    let child = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                diff_at(
                    &child(k),
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) => match (keyed(x), keyed(y)) {
            (Some(kx), Some(ky)) => {
                let mut names: Vec<&String> = kx
                    .iter()
                    .map(|(k, _)| k)
                    .chain(ky.iter().map(|(k, _)| k))
                    .collect();
                names.sort();
                names.dedup();
                for n in names {
                    let find = |list: &[(String, &Value)]| {
                        list.iter()
                            .find(|(k, _)| k == n)
                            .map(|(_, v)| (*v).clone())
                            .unwrap_or(Value::Null)
                    };
                    diff_at(&format!("{path}[{n}]"), &find(&kx), &find(&ky), out);
                }
            }
            _ if x != y => out.push(Change {
                path: path.to_string(),
                from: a.clone(),
                to: b.clone(),
            }),
            _ => {}
        },
        _ if a != b => out.push(Change {
            path: path.to_string(),
            from: a.clone(),
            to: b.clone(),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::portal::fixtures::{api, catalogue_data, codes};

    fn doc(user_types: Vec<UserTypeConfig>) -> PortalConfigDoc {
        PortalConfigDoc {
            settings: PortableSettings {
                status: PortalStatus::Enabled,
                disabled_message: String::new(),
                portal_type: PortalType::Private,
                signup_notify_users: vec![],
                notify_applicant: false,
                auto_approve_contacts: false,
                default_user_type: None,
                allow_email_change: false,
                enforce_mfa: false,
                idle_timeout_minutes: None,
                ga_measurement_id: None,
                ga_terms_accepted: false,
                consent_text: ConsentText::default(),
            },
            user_types,
        }
    }

    #[test]
    fn user_types_are_checked_in_order() {
        let data = catalogue_data();
        let cat = Catalogue {
            modules: &data,
            web_tabs: &[],
        };
        let customers = UserTypeConfig::starter(" Customers ", &api("Contacts"), true, 10, &cat);
        let vendors = UserTypeConfig::starter("Vendors", &api("Vendors"), false, 5, &cat);
        let checked = doc(vec![customers, vendors])
            .check_user_types(&cat)
            .unwrap();
        let names: Vec<&str> = checked.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Customers", "Vendors"], "checked and normalised");
    }

    #[test]
    fn errors_name_the_user_type_they_belong_to() {
        let data = catalogue_data();
        let cat = Catalogue {
            modules: &data,
            web_tabs: &[],
        };
        let good = UserTypeConfig::starter("Customers", &api("Contacts"), true, 10, &cat);
        let mut no_layouts = UserTypeConfig::starter("Vendors", &api("Vendors"), false, 5, &cat);
        no_layouts.modules[0].layouts.clear();
        let mut bad_seats = good.clone();
        bad_seats.name = "Partners".into();
        bad_seats.seats = -1;
        let e = doc(vec![good, no_layouts, bad_seats])
            .check_user_types(&cat)
            .unwrap_err();
        let fields: Vec<(&str, &str)> = e
            .errors()
            .iter()
            .map(|f| (f.field.as_str(), f.code))
            .collect();
        assert_eq!(
            fields,
            [
                ("user_types[1].modules[0].layouts", "layout_required"),
                ("user_types[2].seats", "invalid_seats"),
            ]
        );
    }

    #[test]
    fn user_type_names_differing_only_in_case_or_spaces_are_refused() {
        let data = catalogue_data();
        let cat = Catalogue {
            modules: &data,
            web_tabs: &[],
        };
        let starter = |name: &str| UserTypeConfig::starter(name, &api("Contacts"), true, 1, &cat);
        // (names, the duplicate refused: its field and name as the message quotes it)
        type Case = (
            &'static [&'static str],
            Option<(&'static str, &'static str)>,
        );
        let cases: [Case; 4] = [
            (&["Customers", "Partners"], None),
            (
                &["Customers", "customers"],
                Some(("user_types[1].name", "customers")),
            ),
            (
                &["Customers", "  CUSTOMERS "],
                Some(("user_types[1].name", "CUSTOMERS")),
            ),
            (
                &["A", "B", "Customers", "Customers"],
                Some(("user_types[3].name", "Customers")),
            ),
        ];
        for (names, expected) in cases {
            let result = doc(names.iter().map(|n| starter(n)).collect()).check_user_types(&cat);
            match expected {
                None => assert!(result.is_ok(), "{names:?}"),
                Some((field, name)) => {
                    let e = result.unwrap_err();
                    assert_eq!(codes(e.clone()), ["duplicate_user_type"], "{names:?}");
                    assert_eq!(e.errors()[0].field, field);
                    assert!(
                        e.errors()[0].message.contains(&format!("named {name};")),
                        "{}",
                        e.errors()[0].message
                    );
                }
            }
        }
    }

    #[test]
    fn diffs_match_lists_by_name() {
        use serde_json::json;
        let a = json!({"settings": {"enforce_mfa": false}, "user_types": [{"name": "A", "seats": 1}, {"name": "B", "seats": 2}]});
        let b = json!({"settings": {"enforce_mfa": true}, "user_types": [{"name": "B", "seats": 2}, {"name": "C", "seats": 3}]});
        let paths: Vec<String> = json_diff(&a, &b).into_iter().map(|c| c.path).collect();
        assert_eq!(
            paths,
            ["settings.enforce_mfa", "user_types[A]", "user_types[C]"]
        );
        assert!(json_diff(&a, &a).is_empty());
    }
}
