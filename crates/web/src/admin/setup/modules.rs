//! Modules: the list with the new-module form, and one module's page with its settings, fields
//! and layouts (three forms on one page).

use super::Pairs;
use super::module_parts::{
    ColumnRow, LayoutRow, column_rows, column_types, layout_rows, posted_columns, posted_layout,
    posted_options, section_names,
};
use crate::admin::form::{FormPage, FormPost, PageContext, PageRequest};
use crate::admin::{
    Chrome, FormErrors, PageResult, Posted, form_checked, form_value, redirect_with, render,
};
use askama::Template;
use axum::extract::Path;
use portico_app::AppError;
use portico_app::modules::ModuleChanges;
use portico_domain::DomainError;
use portico_domain::field::{FieldType, NewField};
use portico_domain::layout::Section;
use portico_domain::module::{ApiName, DataSharing, Module};
use portico_domain::standard::NewCustomModule;

fn opt_text(pairs: &Pairs, name: &str) -> Option<String> {
    Some(form_value(pairs, name).trim().to_string()).filter(|s| !s.is_empty())
}

fn api_name_input(pairs: &Pairs) -> Result<Option<ApiName>, DomainError> {
    opt_text(pairs, "api_name")
        .map(|n| ApiName::parse(&n))
        .transpose()
}

fn sharing_input(pairs: &Pairs) -> Result<DataSharing, DomainError> {
    DataSharing::parse(form_value(pairs, "sharing"))
}

fn sharings() -> Vec<(&'static str, &'static str)> {
    DataSharing::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect()
}

// ---- the list and the new-module form ----

#[derive(Template)]
#[template(path = "admin/setup_modules.html")]
struct ModulesPage {
    chrome: Chrome,
    modules: Vec<Module>,
    sharings: Vec<(&'static str, &'static str)>,
    errors: FormErrors,
    form: Posted,
}

/// The modules page, showing what was typed into its new-module form.
#[derive(Default)]
struct ModulesForm(Posted);

impl FormPage for ModulesForm {
    async fn render(self, cx: PageContext<'_>) -> PageResult {
        portico_app::require_admin(&cx.s.actor)?;
        let chrome = cx.chrome("Modules & fields", "setup-modules").await?;
        let modules = portico_app::modules::all_modules(cx.state, &cx.s.actor).await?;
        Ok(render(&ModulesPage {
            chrome,
            modules,
            sharings: sharings(),
            errors: cx.errors,
            form: self.0,
        }))
    }
}

pub(super) async fn list(page: PageRequest) -> PageResult {
    page.show(ModulesForm::default()).await
}

pub(super) async fn create(post: FormPost) -> PageResult {
    let result = async {
        let input = NewCustomModule {
            api_name: api_name_input(&post.pairs)?,
            label: post.value("label").to_string(),
            sharing: Some(sharing_input(&post.pairs)?),
        };
        portico_app::modules::create_module(&post.state, &post.s.actor, input).await
    }
    .await;
    post.submit(result, ModulesForm, |m| {
        redirect_with(
            &format!("/admin/setup/modules/{}", m.api_name),
            "Module created",
        )
    })
    .await
}

// ---- one module ----

struct FieldRow {
    api_name: String,
    label: String,
    kind: String,
    mandatory: bool,
    details: String,
}

#[derive(Template)]
#[template(path = "admin/setup_module.html")]
struct ModulePage {
    chrome: Chrome,
    module: Module,
    fields: Vec<FieldRow>,
    layouts: Vec<(i64, String, Vec<Section>)>,
    modules: Vec<(String, String)>,
    /// The add-field form's subform column rows.
    columns: Vec<ColumnRow>,
    column_types: Vec<&'static str>,
    /// The add-layout form's table of fields.
    layout_rows: Vec<LayoutRow>,
    sections: Vec<String>,
    sharings: Vec<(&'static str, &'static str)>,
    field_types: Vec<&'static str>,
    errors: FormErrors,
    form: Posted,
    /// Which form the errors belong to: settings, field or layout.
    failed: &'static str,
}

/// One module's setup page; after a refused submit, `failed` names the form (settings, field
/// or layout) that shows the input and errors.
struct ModuleForms {
    api: String,
    posted: Posted,
    failed: &'static str,
}

fn field_row(f: &portico_domain::field::Field) -> FieldRow {
    FieldRow {
        api_name: f.api_name.to_string(),
        label: f.label.clone(),
        kind: f.field_type.name().replace('_', " "),
        mandatory: f.mandatory,
        details: match &f.field_type {
            FieldType::Picklist { options } | FieldType::MultiselectPicklist { options } => {
                options.join(", ")
            }
            FieldType::Lookup { target_module }
            | FieldType::MultiselectLookup { target_module } => {
                format!("→ {target_module}")
            }
            FieldType::Subform { fields } => fields
                .iter()
                .map(|c| c.label.clone())
                .collect::<Vec<_>>()
                .join(", "),
            _ => String::new(),
        },
    }
}

impl FormPage for ModuleForms {
    async fn render(self, cx: PageContext<'_>) -> PageResult {
        let (state, actor) = (cx.state, &cx.s.actor);
        portico_app::require_admin(actor)?;
        let d = portico_app::modules::module_detail(state, actor, &self.api).await?;
        let all = portico_app::modules::all_modules(state, actor).await?;
        let title = format!("{} setup", d.module.label);
        Ok(render(&ModulePage {
            chrome: cx.chrome(&title, "setup-modules").await?,
            fields: d.fields.iter().map(field_row).collect(),
            layouts: d
                .layouts
                .iter()
                .map(|l| (l.id, l.name.clone(), l.sections.clone()))
                .collect(),
            columns: column_rows(&[], (self.failed == "field").then_some(&self.posted.0)),
            column_types: column_types(),
            layout_rows: layout_rows(
                &d.fields,
                None,
                (self.failed == "layout").then_some(&self.posted.0),
            ),
            sections: section_names(&d.layouts),
            modules: all
                .iter()
                .map(|m| (m.api_name.to_string(), m.label.clone()))
                .collect(),
            sharings: sharings(),
            field_types: FieldType::NAMES.to_vec(),
            errors: cx.errors,
            form: self.posted,
            failed: self.failed,
            module: d.module,
        }))
    }
}

pub(super) async fn setup(Path(api): Path<String>, page: PageRequest) -> PageResult {
    let posted = Posted::default();
    page.show(ModuleForms {
        api,
        posted,
        failed: "",
    })
    .await
}

/// Ends a submit of one of the module page's forms (`failed` names it): back to the page with
/// a notice, or the page again with that form's input and errors.
async fn module_submit<T>(
    post: FormPost,
    api: String,
    failed: &'static str,
    result: Result<T, AppError>,
    notice: impl FnOnce(T) -> String,
) -> PageResult {
    let back = format!("/admin/setup/modules/{api}");
    let page = |posted| ModuleForms {
        api,
        posted,
        failed,
    };
    post.submit(result, page, |v| redirect_with(&back, &notice(v)))
        .await
}

pub(super) async fn save_settings(Path(module): Path<String>, post: FormPost) -> PageResult {
    let result = async {
        let changes = ModuleChanges {
            label: Some(post.value("label").to_string()),
            sharing: Some(sharing_input(&post.pairs)?),
            canvas_template: Some(post.text("canvas_template")),
        };
        portico_app::modules::update_module(&post.state, &post.s.actor, &module, changes).await
    }
    .await;
    let notice = |_| "Module settings saved".to_string();
    module_submit(post, module, "settings", result, notice).await
}

/// Builds a field definition from the add-field form.
fn field_input(pairs: &Pairs) -> Result<NewField, DomainError> {
    let options = || posted_options(pairs);
    let target = || {
        ApiName::parse(form_value(pairs, "target_module")).map_err(|_| {
            DomainError::field("target_module", "required", "Choose the module to look up")
        })
    };
    let field_type = match form_value(pairs, "type") {
        "text" => FieldType::Text,
        "long_text" => FieldType::LongText,
        "email" => FieldType::Email,
        "phone" => FieldType::Phone,
        "number" => FieldType::Number,
        "decimal" => FieldType::Decimal,
        "currency" => FieldType::Currency,
        "percent" => FieldType::Percent,
        "date" => FieldType::Date,
        "datetime" => FieldType::DateTime,
        "boolean" => FieldType::Boolean,
        "url" => FieldType::Url,
        "picklist" => FieldType::Picklist { options: options() },
        "multiselect_picklist" => FieldType::MultiselectPicklist { options: options() },
        "lookup" => FieldType::Lookup {
            target_module: target()?,
        },
        "multiselect_lookup" => FieldType::MultiselectLookup {
            target_module: target()?,
        },
        "subform" => FieldType::Subform {
            fields: posted_columns(pairs)?,
        },
        _ => {
            return Err(DomainError::field(
                "type",
                "invalid_type",
                "Choose a field type",
            ));
        }
    };
    Ok(NewField {
        api_name: api_name_input(pairs)?,
        label: form_value(pairs, "label").to_string(),
        field_type,
        mandatory: form_checked(pairs, "mandatory"),
    })
}

pub(super) async fn add_field(Path(module): Path<String>, post: FormPost) -> PageResult {
    let result = async {
        let f = field_input(&post.pairs)?;
        portico_app::modules::add_field(&post.state, &post.s.actor, &module, &f).await
    }
    .await;
    let notice = |f: portico_domain::field::Field| format!("Field {} added", f.label);
    module_submit(post, module, "field", result, notice).await
}

pub(super) async fn add_layout(Path(module): Path<String>, post: FormPost) -> PageResult {
    let result = async {
        let d = portico_app::modules::module_detail(&post.state, &post.s.actor, &module).await?;
        let layout = posted_layout(&post.pairs, &d.fields);
        portico_app::modules::add_layout(&post.state, &post.s.actor, &module, &layout).await
    }
    .await;
    let notice = |l: portico_domain::layout::Layout| format!("Layout {} added", l.name);
    module_submit(post, module, "layout", result, notice).await
}
