//! A module's fields and layouts after creation: each field's page (label, mandatory, picklist
//! options, subform columns) and each layout's page (name, which fields in which section). The
//! subform columns and the layout's sections are edited as rows and tables, never as JSON or
//! code to type; the same editors serve the module page's add-field and add-layout forms.

use super::Pairs;
use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::records::rows::posted_rows;
use crate::admin::{
    Chrome, FormErrors, PageError, PageResult, form_checked, form_value, parse_id, redirect_with,
    render,
};
use askama::Template;
use axum::extract::Path;
use portico_app::AppError;
use portico_domain::DomainError;
use portico_domain::field::{Field, FieldType, NewField, SubformField};
use portico_domain::layout::{Layout, NewLayout, Section};
use portico_domain::module::Module;
use serde_json::{Value, json};

/// Blank rows offered to add subform columns.
const BLANK_COLUMNS: usize = 3;

/// The types a subform column may have (no nested subforms or multi-select lookups).
pub fn column_types() -> Vec<&'static str> {
    FieldType::NAMES
        .iter()
        .copied()
        .filter(|t| !matches!(*t, "subform" | "multiselect_lookup"))
        .collect()
}

/// One row of the subform column editor.
pub struct ColumnRow {
    pub index: usize,
    /// Set for a column that exists: its name and type stay.
    pub api_name: String,
    pub label: String,
    pub kind: String,
    pub target: String,
    pub options: String,
    pub mandatory: bool,
}

impl ColumnRow {
    pub fn fixed(&self) -> bool {
        !self.api_name.is_empty()
    }
}

fn column_row(index: usize, c: &SubformField) -> ColumnRow {
    let options = match &c.field_type {
        FieldType::Picklist { options } | FieldType::MultiselectPicklist { options } => {
            options.join(", ")
        }
        _ => String::new(),
    };
    ColumnRow {
        index,
        api_name: c.api_name.to_string(),
        label: c.label.clone(),
        kind: c.field_type.name().to_string(),
        target: c
            .field_type
            .lookup_target()
            .map(ToString::to_string)
            .unwrap_or_default(),
        options,
        mandatory: c.mandatory,
    }
}

/// The column editor's rows: the columns there are (or what was posted), then blank rows.
pub fn column_rows(existing: &[SubformField], posted: Option<&Pairs>) -> Vec<ColumnRow> {
    let mut rows: Vec<ColumnRow> = match posted.and_then(|p| posted_rows("col", p)) {
        Some(posted) => posted
            .into_iter()
            .map(|(index, cells)| {
                let cell = |k: &str| cells.get(k).cloned().unwrap_or_default();
                ColumnRow {
                    index,
                    api_name: cell("api_name"),
                    label: cell("label"),
                    kind: cell("type"),
                    target: cell("target_module"),
                    options: cell("options"),
                    mandatory: cells.get("mandatory").is_some_and(|v| v == "true"),
                }
            })
            .filter(|r| r.fixed() || !r.label.trim().is_empty())
            .collect(),
        None => existing
            .iter()
            .enumerate()
            .map(|(i, c)| column_row(i, c))
            .collect(),
    };
    let next = rows.iter().map(|r| r.index + 1).max().unwrap_or(0);
    rows.extend((next..next + BLANK_COLUMNS).map(|index| ColumnRow {
        index,
        api_name: String::new(),
        label: String::new(),
        kind: "text".into(),
        target: String::new(),
        options: String::new(),
        mandatory: false,
    }));
    rows
}

/// The subform columns the editor posted: rows with a label, in order. Each is checked as a
/// column definition; a problem names the row.
pub fn posted_columns(pairs: &Pairs) -> Result<Vec<SubformField>, DomainError> {
    let Some(rows) = posted_rows("col", pairs) else {
        return Ok(Vec::new());
    };
    let mut columns = Vec::new();
    for (n, (_, cells)) in rows
        .iter()
        .filter(|(_, c)| c.get("label").is_some_and(|l| !l.trim().is_empty()))
        .enumerate()
    {
        let cell = |k: &str| cells.get(k).map_or("", |v| v.trim());
        let mut spec = json!({
            "label": cell("label"),
            "type": cell("type"),
            "mandatory": cell("mandatory") == "true",
        });
        if !cell("api_name").is_empty() {
            spec["api_name"] = json!(cell("api_name"));
        }
        match cell("type") {
            "lookup" => spec["target_module"] = json!(cell("target_module")),
            "picklist" | "multiselect_picklist" => {
                spec["options"] = Value::from(
                    cell("options")
                        .split(',')
                        .map(str::trim)
                        .filter(|o| !o.is_empty())
                        .collect::<Vec<_>>(),
                );
            }
            _ => {}
        }
        let column: SubformField = serde_json::from_value(spec).map_err(|e| {
            DomainError::field(
                "fields",
                "invalid_subform",
                format!("Column {} ({}): {e}", n + 1, cell("label")),
            )
        })?;
        columns.push(column);
    }
    Ok(columns)
}

/// One field in the layout table: which section it is in (blank: not on the layout) and where.
pub struct LayoutRow {
    pub api_name: String,
    pub label: String,
    pub mandatory: bool,
    pub section: String,
    pub position: String,
}

/// The layout table: every field of the module with its section and position on `layout` (or
/// as posted); a new layout starts with every field in one section.
pub fn layout_rows(
    fields: &[Field],
    layout: Option<&Layout>,
    posted: Option<&Pairs>,
) -> Vec<LayoutRow> {
    fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let name = f.api_name.as_str();
            let (section, position) = match (posted, layout) {
                (Some(p), _) => (
                    form_value(p, &format!("section.{name}")).to_string(),
                    form_value(p, &format!("pos.{name}")).to_string(),
                ),
                (None, Some(l)) => l
                    .sections
                    .iter()
                    .flat_map(|s| s.fields.iter().map(move |n| (s, n)))
                    .enumerate()
                    .find(|(_, (_, n))| n.as_str() == name)
                    .map_or((String::new(), String::new()), |(at, (s, _))| {
                        (s.name.clone(), (at + 1).to_string())
                    }),
                (None, None) => ("Information".to_string(), (i + 1).to_string()),
            };
            LayoutRow {
                api_name: name.to_string(),
                label: f.label.clone(),
                mandatory: f.mandatory,
                section,
                position,
            }
        })
        .collect()
}

/// The layout the table posted: sections in the order of their first field, fields by their
/// positions (blank positions last, in field order).
pub fn posted_layout(pairs: &Pairs, fields: &[Field]) -> NewLayout {
    let mut placed: Vec<(f64, usize, String, String)> = fields
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let name = f.api_name.as_str();
            let section = form_value(pairs, &format!("section.{name}"))
                .trim()
                .to_string();
            let position = form_value(pairs, &format!("pos.{name}"))
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| p.is_finite())
                .unwrap_or(f64::MAX);
            (!section.is_empty()).then(|| (position, i, section, name.to_string()))
        })
        .collect();
    placed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let mut sections: Vec<Section> = Vec::new();
    for (_, _, section, field) in placed {
        match sections.iter_mut().find(|s| s.name == section) {
            Some(s) => s.fields.push(field),
            None => sections.push(Section {
                name: section,
                fields: vec![field],
            }),
        }
    }
    NewLayout {
        name: form_value(pairs, "name").to_string(),
        sections,
    }
}

/// A picklist's options as posted: one a line, blank lines left out.
pub fn posted_options(pairs: &Pairs) -> Vec<String> {
    form_value(pairs, "options")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

// ---- one field's page ----

#[derive(Template)]
#[template(path = "admin/setup_field.html")]
struct FieldPage {
    chrome: Chrome,
    module: Module,
    field: Field,
    label: String,
    mandatory: bool,
    options: String,
    columns: Vec<ColumnRow>,
    column_types: Vec<&'static str>,
    modules: Vec<(String, String)>,
    errors: FormErrors,
}

struct FieldForm {
    module: String,
    field: String,
    posted: Option<Pairs>,
}

async fn module_and_field(
    cx: &PageContext<'_>,
    module: &str,
    field: &str,
) -> Result<(Module, Vec<Field>, Vec<Layout>, Field), PageError> {
    portico_app::require_admin(&cx.s.actor)?;
    let d = portico_app::modules::module_detail(cx.state, &cx.s.actor, module).await?;
    let f = d
        .fields
        .iter()
        .find(|f| f.api_name.as_str() == field)
        .cloned()
        .ok_or(PageError(AppError::NotFound))?;
    Ok((d.module, d.fields, d.layouts, f))
}

impl FormPage for FieldForm {
    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let (module, _, _, field) = module_and_field(&cx, &self.module, &self.field).await?;
        let all = portico_app::modules::all_modules(cx.state, &cx.s.actor).await?;
        let posted = self.posted.as_ref();
        let saved_options = match &field.field_type {
            FieldType::Picklist { options } | FieldType::MultiselectPicklist { options } => {
                options.join("\n")
            }
            _ => String::new(),
        };
        let existing = match &field.field_type {
            FieldType::Subform { fields } => fields.as_slice(),
            _ => &[],
        };
        let title = format!("{}: {}", module.label, field.label);
        Ok(render(&FieldPage {
            chrome: cx.chrome(&title, "setup-modules").await?.with_trail(vec![(
                module.label.clone(),
                format!("/admin/setup/modules/{}", module.api_name),
            )]),
            label: posted.map_or(field.label.clone(), |p| form_value(p, "label").to_string()),
            mandatory: posted.map_or(field.mandatory, |p| form_checked(p, "mandatory")),
            options: posted.map_or(saved_options, |p| form_value(p, "options").to_string()),
            columns: column_rows(existing, posted),
            column_types: column_types(),
            modules: all
                .iter()
                .map(|m| (m.api_name.to_string(), m.label.clone()))
                .collect(),
            errors: cx.errors,
            module,
            field,
        }))
    }
}

pub(super) async fn show_field(
    Path((module, field)): Path<(String, String)>,
    page: PageRequest,
) -> PageResult {
    page.show(FieldForm {
        module,
        field,
        posted: None,
    })
    .await
}

/// The field's type with the posted details: options one per line, subform columns as rows.
fn posted_type(current: &FieldType, pairs: &Pairs) -> Result<FieldType, DomainError> {
    let options = || posted_options(pairs);
    Ok(match current {
        FieldType::Picklist { .. } => FieldType::Picklist { options: options() },
        FieldType::MultiselectPicklist { .. } => {
            FieldType::MultiselectPicklist { options: options() }
        }
        FieldType::Subform { .. } => FieldType::Subform {
            fields: posted_columns(pairs)?,
        },
        other => other.clone(),
    })
}

pub(super) async fn save_field(
    Path((module, field)): Path<(String, String)>,
    post: FormPost,
) -> PageResult {
    let result = async {
        let d = portico_app::modules::module_detail(&post.state, &post.s.actor, &module).await?;
        let current = d
            .fields
            .iter()
            .find(|f| f.api_name.as_str() == field)
            .ok_or(AppError::NotFound)?;
        let new = NewField {
            api_name: None,
            label: post.value("label").to_string(),
            field_type: posted_type(&current.field_type, &post.pairs)?,
            mandatory: post.checked("mandatory"),
        };
        portico_app::modules::update_field(&post.state, &post.s.actor, &module, &field, &new).await
    }
    .await;
    let back = format!("/admin/setup/modules/{module}");
    let pairs = post.pairs.clone();
    let page = |_| FieldForm {
        module,
        field,
        posted: Some(pairs),
    };
    post.submit(result, page, |f| {
        redirect_with(&back, &format!("Field {} saved", f.label))
    })
    .await
}

// ---- one layout's page ----

#[derive(Template)]
#[template(path = "admin/setup_layout.html")]
struct LayoutPage {
    chrome: Chrome,
    module: Module,
    layout: Layout,
    name: String,
    layout_rows: Vec<LayoutRow>,
    sections: Vec<String>,
    errors: FormErrors,
}

struct LayoutForm {
    module: String,
    layout: i64,
    posted: Option<Pairs>,
}

impl FormPage for LayoutForm {
    async fn render(self, cx: PageContext<'_>) -> PageResult {
        portico_app::require_admin(&cx.s.actor)?;
        let d = portico_app::modules::module_detail(cx.state, &cx.s.actor, &self.module).await?;
        let layout = d
            .layouts
            .iter()
            .find(|l| l.id == self.layout)
            .cloned()
            .ok_or(PageError(AppError::NotFound))?;
        let posted = self.posted.as_ref();
        let title = format!("{}: layout {}", d.module.label, layout.name);
        let sections = section_names(&d.layouts);
        Ok(render(&LayoutPage {
            chrome: cx.chrome(&title, "setup-modules").await?.with_trail(vec![(
                d.module.label.clone(),
                format!("/admin/setup/modules/{}", d.module.api_name),
            )]),
            name: posted.map_or(layout.name.clone(), |p| form_value(p, "name").to_string()),
            layout_rows: layout_rows(&d.fields, Some(&layout), posted),
            sections,
            errors: cx.errors,
            module: d.module,
            layout,
        }))
    }
}

/// Every section name the module's layouts use, for the section inputs' suggestions.
pub fn section_names(layouts: &[Layout]) -> Vec<String> {
    let mut names: Vec<String> = layouts
        .iter()
        .flat_map(|l| l.sections.iter().map(|s| s.name.clone()))
        .collect();
    names.sort();
    names.dedup();
    names
}

pub(super) async fn show_layout(
    Path((module, layout)): Path<(String, String)>,
    page: PageRequest,
) -> PageResult {
    let layout = parse_id(&layout)?;
    page.show(LayoutForm {
        module,
        layout,
        posted: None,
    })
    .await
}

pub(super) async fn save_layout(
    Path((module, layout)): Path<(String, String)>,
    post: FormPost,
) -> PageResult {
    let layout = parse_id(&layout)?;
    let result = async {
        let d = portico_app::modules::module_detail(&post.state, &post.s.actor, &module).await?;
        let new = posted_layout(&post.pairs, &d.fields);
        portico_app::modules::update_layout(&post.state, &post.s.actor, &module, layout, &new).await
    }
    .await;
    let back = format!("/admin/setup/modules/{module}");
    let pairs = post.pairs.clone();
    let page = |_| LayoutForm {
        module,
        layout,
        posted: Some(pairs),
    };
    post.submit(result, page, |l| {
        redirect_with(&back, &format!("Layout {} saved", l.name))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Pairs {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn columns_come_from_rows_with_a_label() {
        let posted = pairs(&[
            ("col[0].label", "Quantity"),
            ("col[0].type", "number"),
            ("col[0].mandatory", "true"),
            ("col[1].label", "Colour"),
            ("col[1].type", "picklist"),
            ("col[1].options", "Red, Green,,"),
            ("col[2].label", " "),
            ("col[2].type", "text"),
        ]);
        let columns = posted_columns(&posted).unwrap();
        assert_eq!(columns.len(), 2);
        assert_eq!(columns[0].api_name.as_str(), "Quantity");
        assert!(columns[0].mandatory);
        assert_eq!(
            columns[1].field_type,
            FieldType::Picklist {
                options: vec!["Red".into(), "Green".into()]
            }
        );
        let bad = pairs(&[("col[0].label", "Thing"), ("col[0].type", "subform")]);
        assert_eq!(
            posted_columns(&bad).unwrap_err().errors()[0].field,
            "fields"
        );
    }
}
