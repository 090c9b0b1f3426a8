//! Modules: the kinds of record an org keeps, and their data sharing setting.

use crate::{DomainError, Id};
use serde::{Deserialize, Serialize};

/// An identifier usable in URLs and JSON keys: a letter, then letters, digits or `_`, at most 50.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ApiName(String);

impl ApiName {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let valid = input.len() <= 50
            && input
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            && input.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            Ok(Self(input.to_string()))
        } else {
            Err(DomainError::field(
                "api_name",
                "invalid_api_name",
                "An API name starts with a letter and has only letters, digits and _ (at most 50)",
            ))
        }
    }

    /// An API name written in this crate's source (the standard modules and fields). Every such
    /// literal is checked by `standard::tests::standard_modules_are_valid`.
    pub(crate) fn literal(name: &'static str) -> Self {
        Self(name.to_string())
    }

    /// Derives an API name from a human label: `Sales Orders` → `Sales_Orders`.
    pub fn from_label(label: &str) -> Result<Self, DomainError> {
        let mut name: String = label
            .trim()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        while name.contains("__") {
            name = name.replace("__", "_");
        }
        let name = name.trim_matches('_');
        Self::parse(name).map_err(|_| {
            DomainError::field(
                "label",
                "invalid_label",
                "The label needs at least one letter to make an API name from",
            )
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ApiName {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ApiName> for String {
    fn from(value: ApiName) -> Self {
        value.0
    }
}

impl std::fmt::Display for ApiName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModuleKind {
    Standard,
    Custom,
}

impl ModuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "standard" => Some(Self::Standard),
            "custom" => Some(Self::Custom),
            _ => None,
        }
    }
}

/// Who, beyond a record's owner, may see and change a module's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSharing {
    Private,
    PublicReadOnly,
    PublicReadWriteDelete,
}

impl DataSharing {
    pub const ALL: [Self; 3] = [
        Self::Private,
        Self::PublicReadOnly,
        Self::PublicReadWriteDelete,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::PublicReadOnly => "public_read_only",
            Self::PublicReadWriteDelete => "public_read_write_delete",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Private => "Private",
            Self::PublicReadOnly => "Public read only",
            Self::PublicReadWriteDelete => "Public read/write/delete",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                DomainError::field(
                    "sharing",
                    "invalid_sharing",
                    "Sharing is one of private, public_read_only, public_read_write_delete",
                )
            })
    }

    pub fn is_public(self) -> bool {
        self != Self::Private
    }
}

/// A module as stored: its identity, kind, sharing and optional canvas template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Module {
    pub id: Id,
    pub org_id: Id,
    pub api_name: ApiName,
    pub label: String,
    pub kind: ModuleKind,
    pub sharing: DataSharing,
    /// Fields whose values, joined, name a record (e.g. First_Name, Last_Name).
    pub name_fields: Vec<String>,
    /// Admin-written canvas template; `None` means only the list view exists.
    pub canvas_template: Option<String>,
}

/// A non-empty label of at most 100 characters.
pub fn parse_label(field: &str, input: &str) -> Result<String, DomainError> {
    let label = input.trim();
    if label.is_empty() {
        return Err(DomainError::field(field, "required", "A label is required"));
    }
    if label.chars().count() > 100 {
        return Err(DomainError::field(
            field,
            "too_long",
            "A label has at most 100 characters",
        ));
    }
    if crate::text::has_forbidden_chars(label, false) {
        return Err(DomainError::field(
            field,
            "invalid_characters",
            "A label may not contain control characters or line breaks",
        ));
    }
    Ok(label.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_names_are_identifiers() {
        assert!(ApiName::parse("Sales_Orders").is_ok());
        assert!(ApiName::parse("1abc").is_err());
        assert!(ApiName::parse("a b").is_err());
        assert!(ApiName::parse("").is_err());
        assert!(ApiName::parse(&"a".repeat(51)).is_err());
        assert!(parse_label("label", "Deals\0").is_err());
        assert!(parse_label("label", "Two\nlines").is_err());
    }

    #[test]
    fn api_name_from_label() {
        assert_eq!(
            ApiName::from_label("Sales Orders").unwrap().as_str(),
            "Sales_Orders"
        );
        assert_eq!(
            ApiName::from_label(" Car -- Licences ").unwrap().as_str(),
            "Car_Licences"
        );
        assert!(ApiName::from_label("---").is_err());
    }

    #[test]
    fn sharing_round_trips() {
        for s in DataSharing::ALL {
            assert_eq!(DataSharing::parse(s.as_str()).unwrap(), s);
        }
        assert!(DataSharing::parse("public").is_err());
    }
}
