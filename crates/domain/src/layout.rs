//! Layouts: an ordered arrangement of a module's fields in named sections.

use crate::field::Field;
use crate::module::parse_label;
use crate::{DomainError, Id};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub name: String,
    /// Field API names, in display order.
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layout {
    pub id: Id,
    pub module_id: Id,
    pub name: String,
    pub sections: Vec<Section>,
}

impl Layout {
    /// Field API names in layout order.
    pub fn field_names(&self) -> impl Iterator<Item = &str> {
        self.sections
            .iter()
            .flat_map(|s| s.fields.iter().map(String::as_str))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewLayout {
    pub name: String,
    pub sections: Vec<Section>,
}

impl NewLayout {
    /// A layout names only fields of its module, each at most once, and places every mandatory
    /// field (a record created through it could not be saved otherwise).
    pub fn check(&self, fields: &[Field]) -> Result<NewLayout, DomainError> {
        let name = parse_label("name", &self.name)?;
        if self.sections.is_empty() {
            return Err(DomainError::field(
                "sections",
                "required",
                "A layout needs at least one section",
            ));
        }
        let mut seen = std::collections::HashSet::new();
        let mut sections = Vec::with_capacity(self.sections.len());
        for section in &self.sections {
            let section_name = parse_label("sections", &section.name)?;
            for f in &section.fields {
                if !fields.iter().any(|field| field.api_name.as_str() == f) {
                    return Err(DomainError::field(
                        "sections",
                        "unknown_field",
                        format!("This module has no field {f}"),
                    ));
                }
                if !seen.insert(f.as_str()) {
                    return Err(DomainError::field(
                        "sections",
                        "duplicate_field",
                        format!("Field {f} is placed twice"),
                    ));
                }
            }
            sections.push(Section {
                name: section_name,
                fields: section.fields.clone(),
            });
        }
        if let Some(missing) = fields
            .iter()
            .find(|f| f.mandatory && !seen.contains(f.api_name.as_str()))
        {
            return Err(DomainError::field(
                "sections",
                "mandatory_missing",
                format!(
                    "Mandatory field {} must be on every layout",
                    missing.api_name
                ),
            ));
        }
        Ok(NewLayout { name, sections })
    }

    /// One section holding every field, in field order: each module's first layout.
    pub fn standard(fields: &[Field]) -> Self {
        Self {
            name: "Standard".into(),
            sections: vec![Section {
                name: "Information".into(),
                fields: fields.iter().map(|f| f.api_name.to_string()).collect(),
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::FieldType;
    use crate::module::ApiName;

    fn f(name: &str, mandatory: bool) -> Field {
        Field {
            id: 1,
            module_id: 1,
            api_name: ApiName::parse(name).unwrap(),
            label: name.into(),
            field_type: FieldType::Text,
            mandatory,
            position: 0,
        }
    }

    fn layout(fields: &[&str]) -> NewLayout {
        NewLayout {
            name: "Short".into(),
            sections: vec![Section {
                name: "Main".into(),
                fields: fields.iter().map(|s| s.to_string()).collect(),
            }],
        }
    }

    #[test]
    fn layouts_place_only_known_fields_once_and_all_mandatory_ones() {
        let fields = [f("Name", true), f("Notes", false)];
        assert!(layout(&["Name"]).check(&fields).is_ok());
        assert_eq!(
            layout(&["Nope", "Name"])
                .check(&fields)
                .unwrap_err()
                .errors()[0]
                .code,
            "unknown_field"
        );
        assert_eq!(
            layout(&["Name", "Name"])
                .check(&fields)
                .unwrap_err()
                .errors()[0]
                .code,
            "duplicate_field"
        );
        assert_eq!(
            layout(&["Notes"]).check(&fields).unwrap_err().errors()[0].code,
            "mandatory_missing"
        );
    }
}
