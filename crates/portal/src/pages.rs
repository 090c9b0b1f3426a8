//! What the portal app shows a signed-in portal user: the navigation, a module's list (paged,
//! counted, sorted, searched; as a table or as cards), a record's detail through its shared
//! layout, and the create and edit forms — each built from
//! [`portico_app::scoped_records::ScopedRecords`], so only visible fields ever reach a page,
//! read-only fields are shown but not offered as inputs, and a lookup names its target only
//! when the portal user reaches it. Values are formatted for the user ([`Locale`]).

use crate::format::Locale;
use crate::i18n::Tr;
use portico_app::portal_accounts::PortalSignedIn;
use portico_app::scoped_records::{ListQuery, ScopedRecord, ScopedRecords};
use portico_app::{AppError, Context, Result};
use portico_domain::field::{Field, FieldType};
use portico_domain::portal::{TabRole, TabView};
use portico_domain::portal_access::{FieldMask, PortalTab};
use portico_domain::profile::Action;
use portico_domain::{DomainError, Id};
use serde_json::{Map, Value};
use std::collections::HashMap;

mod subform;
pub use subform::{CellInput, SubformInput};

/// Rows on one page of a portal list, unless it asks for one of [`PAGE_SIZES`].
pub const PAGE_SIZE: i64 = 25;

/// The page sizes a portal list offers (`?per=`).
pub const PAGE_SIZES: [i64; 4] = [10, 25, 50, 100];

/// The page size a list asked for: one of [`PAGE_SIZES`], anything else [`PAGE_SIZE`].
pub fn page_size(asked: Option<i64>) -> i64 {
    asked
        .filter(|n| PAGE_SIZES.contains(n))
        .unwrap_or(PAGE_SIZE)
}

/// A signed-in portal user's view of the portal: their scope, their locale and their tabs.
pub struct PortalApp<'a> {
    pub scoped: ScopedRecords<'a>,
    pub locale: Locale,
    pub tabs: Vec<PortalTab>,
    pub web_tabs: Vec<(String, String)>,
}

/// One entry of the navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavTab {
    pub module: String,
    pub label: String,
}

/// A column of a list: a visible field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub key: String,
    pub label: String,
    pub sortable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    pub id: Id,
    pub name: String,
    pub cells: Vec<String>,
}

/// What a list page asks for.
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    pub search: String,
    pub sort: String,
    pub descending: bool,
    /// 1-based.
    pub page: i64,
    /// Rows a page: one of [`PAGE_SIZES`] (see [`page_size`]).
    pub per: i64,
}

/// A module's list as the portal user sees it.
#[derive(Debug, Clone)]
pub struct ListView {
    pub module: String,
    pub label: String,
    pub canvas: bool,
    pub columns: Vec<Column>,
    pub rows: Vec<ListRow>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub can_create: bool,
    pub public: bool,
    pub params: ListParams,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldView {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionView {
    pub name: String,
    pub fields: Vec<FieldView>,
}

/// A subform as a table of its visible columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubformView {
    pub label: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A record's page.
#[derive(Debug, Clone)]
pub struct DetailView {
    pub module: String,
    pub tab_label: String,
    pub id: Id,
    pub name: String,
    pub version: i64,
    pub sections: Vec<SectionView>,
    pub subforms: Vec<SubformView>,
    pub can_edit: bool,
    pub can_delete: bool,
    pub own: bool,
    /// The shared layouts (more than one: the user picks).
    pub layouts: Vec<String>,
    pub layout: String,
}

/// One input of a create or edit form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputView {
    pub name: String,
    pub label: String,
    /// `text`, `email`, `tel`, `url`, `number`, `date`, `datetime-local`, `textarea`,
    /// `checkbox`, `select`, `multi`, or `readonly` (shown, not sent).
    pub kind: &'static str,
    pub step: &'static str,
    pub value: String,
    /// Chosen values of a `multi`, as given.
    pub values: Vec<String>,
    /// (value, label) of a `select` or `multi`.
    pub options: Vec<(String, String)>,
    pub required: bool,
    pub error: Option<String>,
    /// A writable subform (`kind` `subform`): its columns and rows of cells.
    pub subform: Option<SubformInput>,
}

/// An input kind (and step) for a field type.
fn kind_of(field_type: &FieldType) -> (&'static str, &'static str) {
    match field_type {
        FieldType::Text => ("text", ""),
        FieldType::LongText => ("textarea", ""),
        FieldType::Email => ("email", ""),
        FieldType::Phone => ("tel", ""),
        FieldType::Url => ("url", ""),
        FieldType::Number => ("number", "1"),
        FieldType::Decimal | FieldType::Percent => ("number", "any"),
        FieldType::Currency => ("number", "0.01"),
        FieldType::Date => ("date", ""),
        FieldType::DateTime => ("datetime-local", ""),
        FieldType::Boolean => ("checkbox", ""),
        FieldType::Picklist { .. } | FieldType::Lookup { .. } => ("select", ""),
        FieldType::MultiselectPicklist { .. } => ("multi", ""),
        FieldType::MultiselectLookup { .. } | FieldType::Subform { .. } => ("readonly", ""),
    }
}

/// A create or edit form.
#[derive(Debug, Clone)]
pub struct FormView {
    pub module: String,
    pub tab_label: String,
    pub id: Option<Id>,
    pub name: String,
    pub version: i64,
    pub layout: String,
    pub inputs: Vec<InputView>,
    /// An error not about one field (a stale version, a refusal).
    pub error: Option<String>,
    pub has_errors: bool,
}

impl<'a> PortalApp<'a> {
    /// Opens the portal for a signed-in user.
    pub async fn open(ctx: &'a Context, me: &PortalSignedIn) -> Result<Self> {
        let scoped = ScopedRecords::for_portal_user(ctx, me).await?;
        let tabs = scoped.tabs();
        let web_tabs = scoped.web_tab_links();
        Ok(Self {
            locale: Locale::new(&me.user.preferences),
            scoped,
            tabs,
            web_tabs,
        })
    }

    pub fn tr(&self) -> Tr {
        self.locale.tr
    }

    pub fn nav(&self) -> Vec<NavTab> {
        self.tabs
            .iter()
            .map(|t| NavTab {
                module: t.module.clone(),
                label: t.label.clone(),
            })
            .collect()
    }

    /// The tab of a module; "not found" when the user type does not share it.
    pub fn tab(&self, module: &str) -> Result<&PortalTab> {
        self.tabs
            .iter()
            .find(|t| t.module == module)
            .ok_or(AppError::NotFound)
    }

    /// The portal user's own record (personality tab): its id, when shared.
    pub fn own_record(&self, module: &str) -> Option<Id> {
        match self.tab(module) {
            Ok(t) if t.role == TabRole::Personality => self.scoped.me().map(|(id, _)| id),
            _ => None,
        }
    }

    fn visible<'f>(&'f self, module: &str, mask: &FieldMask) -> Vec<&'f Field> {
        let fields = self.scoped.fields(module);
        mask.visible_fields()
            .filter_map(|name| fields.iter().find(|f| f.api_name.as_str() == name))
            .collect()
    }

    /// Names of the lookup targets in `records` the user reaches (at most one statement: see
    /// [`ScopedRecords::lookup_names`]).
    async fn lookup_names(
        &self,
        fields: &[&Field],
        records: &[&Map<String, Value>],
    ) -> Result<HashMap<Id, String>> {
        let mut targets: Vec<(&str, Id)> = records
            .iter()
            .flat_map(|data| {
                fields
                    .iter()
                    .filter_map(|f| Some((f.field_type.lookup_target()?, f.api_name.as_str())))
                    .filter_map(|(target, name)| Some((target.as_str(), data.get(name)?)))
                    .flat_map(|(target, v)| match v {
                        Value::Array(items) => items
                            .iter()
                            .filter_map(Value::as_i64)
                            .map(|id| (target, id))
                            .collect(),
                        other => other
                            .as_i64()
                            .map(|id| (target, id))
                            .into_iter()
                            .collect::<Vec<_>>(),
                    })
            })
            .collect();
        // A page often points at the same few records (every case at one contact).
        targets.sort_unstable();
        targets.dedup();
        self.scoped.lookup_names(&targets).await
    }

    /// A field's value as text: a lookup shows its target's name when the user reaches it
    /// and "(not shared)" otherwise; anything else is formatted for the user.
    fn cell(&self, field: &Field, value: Option<&Value>, names: &HashMap<Id, String>) -> String {
        let not_shared = || self.tr().t("record-not-shared");
        self.locale
            .shown(&field.field_type, value, names, not_shared)
    }

    /// A module's list page.
    pub async fn list(&self, module: &str, params: ListParams) -> Result<ListView> {
        let tab = self.tab(module)?;
        let mask = self.scoped.mask(module, None);
        let visible = self.visible(module, &mask);
        let page = params.page.max(1);
        let per = page_size(Some(params.per));
        let search = params.search.trim();
        let found = self
            .scoped
            .counted_page(
                module,
                &ListQuery {
                    layout: None,
                    search: (!search.is_empty()).then_some(search),
                    sort: (!params.sort.is_empty()).then_some(params.sort.as_str()),
                    descending: params.descending,
                    offset: (page - 1).saturating_mul(per),
                    limit: per,
                },
            )
            .await?;
        let data: Vec<&Map<String, Value>> = found.items.iter().map(|r| &r.data).collect();
        let names = self.lookup_names(&visible, &data).await?;
        let name_fields = self.scoped.name_fields(module);
        let columns: Vec<&Field> = visible
            .iter()
            .copied()
            .filter(|f| !matches!(f.field_type, FieldType::Subform { .. }))
            .filter(|f| !name_fields.iter().any(|n| n == f.api_name.as_str()))
            .take(6)
            .collect();
        let rows = found
            .items
            .iter()
            .map(|r| ListRow {
                id: r.id,
                name: r.display_name.clone(),
                cells: columns
                    .iter()
                    .map(|f| self.cell(f, r.data.get(f.api_name.as_str()), &names))
                    .collect(),
            })
            .collect();
        Ok(ListView {
            module: module.to_string(),
            label: tab.label.clone(),
            canvas: tab.view == TabView::Canvas,
            columns: columns
                .iter()
                .map(|f| Column {
                    key: f.api_name.to_string(),
                    label: f.label.clone(),
                    sortable: !matches!(
                        f.field_type,
                        FieldType::MultiselectPicklist { .. } | FieldType::MultiselectLookup { .. }
                    ),
                })
                .collect(),
            rows,
            pages: ((found.total + per - 1) / per).max(1),
            total: found.total,
            page,
            can_create: self.scoped.allows(module, Action::Create) && tab.role == TabRole::Related,
            public: tab.role == TabRole::Public,
            params: ListParams {
                page,
                search: search.to_string(),
                // Only a sort the list applied is echoed back into its links.
                sort: if params.sort == "name"
                    || columns.iter().any(|c| c.api_name.as_str() == params.sort)
                {
                    params.sort.clone()
                } else {
                    String::new()
                },
                descending: params.descending,
                per,
            },
        })
    }

    /// The layout a page uses: the one asked for when it is shared, else the first.
    fn layout_name(&self, module: &str, asked: Option<&str>) -> String {
        let layouts = self.scoped.layouts(module);
        asked
            .filter(|a| layouts.iter().any(|l| l == a))
            .map(str::to_string)
            .or_else(|| layouts.into_iter().next())
            .unwrap_or_default()
    }

    /// Visible fields grouped by the layout's sections (fields in no section come last).
    fn sections<'f>(
        &'f self,
        module: &str,
        layout: &str,
        visible: &[&'f Field],
    ) -> Vec<(String, Vec<&'f Field>)> {
        let mut placed: Vec<&str> = Vec::new();
        let mut out = Vec::new();
        if let Some(l) = self.scoped.layout(module, layout) {
            for section in &l.sections {
                let fields: Vec<&Field> = section
                    .fields
                    .iter()
                    .filter_map(|n| visible.iter().find(|f| f.api_name.as_str() == n).copied())
                    .collect();
                placed.extend(fields.iter().map(|f| f.api_name.as_str()));
                if !fields.is_empty() {
                    out.push((section.name.clone(), fields));
                }
            }
        }
        let rest: Vec<&Field> = visible
            .iter()
            .copied()
            .filter(|f| !placed.contains(&f.api_name.as_str()))
            .collect();
        if !rest.is_empty() {
            out.push((String::new(), rest));
        }
        out
    }

    /// A record's page through a shared layout.
    pub async fn detail(&self, module: &str, id: Id, layout: Option<&str>) -> Result<DetailView> {
        let tab = self.tab(module)?;
        let layout = self.layout_name(module, layout);
        let record = self.scoped.get(module, Some(&layout), id).await?;
        let mask = self.scoped.mask(module, Some(&layout));
        let visible = self.visible(module, &mask);
        let names = self.lookup_names(&visible, &[&record.data]).await?;
        let mut sections = Vec::new();
        let mut subforms = Vec::new();
        for (name, fields) in self.sections(module, &layout, &visible) {
            let mut shown = Vec::new();
            for f in fields {
                match &f.field_type {
                    FieldType::Subform { fields: columns } => {
                        subforms.push(self.subform(f, columns, &mask, &record));
                    }
                    _ => shown.push(FieldView {
                        label: f.label.clone(),
                        value: self.cell(f, record.data.get(f.api_name.as_str()), &names),
                    }),
                }
            }
            if !shown.is_empty() {
                sections.push(SectionView {
                    name,
                    fields: shown,
                });
            }
        }
        let own = self.own_record(module) == Some(id);
        Ok(DetailView {
            module: module.to_string(),
            tab_label: tab.label.clone(),
            id,
            name: record.display_name.clone(),
            version: record.version,
            sections,
            subforms,
            can_edit: self.scoped.allows(module, Action::Edit)
                && tab.role != TabRole::Public
                && mask.writable_fields().next().is_some(),
            can_delete: self.scoped.allows(module, Action::Delete) && tab.role == TabRole::Related,
            own,
            layouts: self.scoped.layouts(module),
            layout,
        })
    }

    fn subform(
        &self,
        field: &Field,
        columns: &[portico_domain::field::SubformField],
        mask: &FieldMask,
        record: &ScopedRecord,
    ) -> SubformView {
        let shown: Vec<&portico_domain::field::SubformField> = mask
            .field(field.api_name.as_str())
            .and_then(|m| m.columns.as_ref())
            .map(|cols| {
                cols.iter()
                    .filter_map(|c| columns.iter().find(|sf| sf.api_name.as_str() == c.column))
                    .collect()
            })
            .unwrap_or_default();
        let rows = record
            .data
            .get(field.api_name.as_str())
            .and_then(Value::as_array)
            .map(|rows| {
                rows.iter()
                    .map(|row| {
                        shown
                            .iter()
                            .map(|c| match &c.field_type {
                                // A lookup inside a row shows nothing that identifies it.
                                FieldType::Lookup { .. } => String::new(),
                                t => self.locale.value(t, row.get(c.api_name.as_str())),
                            })
                            .collect()
                    })
                    .collect()
            })
            .unwrap_or_default();
        SubformView {
            label: field.label.clone(),
            columns: shown.iter().map(|c| c.label.clone()).collect(),
            rows,
        }
    }

    /// The create form (empty) or the edit form of a record (its values), with `errors` beside
    /// their fields and `posted` values kept when a save failed.
    pub async fn form(
        &self,
        module: &str,
        id: Option<Id>,
        layout: Option<&str>,
        posted: Option<&[(String, String)]>,
        error: Option<&AppError>,
    ) -> Result<FormView> {
        let tab = self.tab(module)?;
        let action = if id.is_some() {
            Action::Edit
        } else {
            Action::Create
        };
        if !self.scoped.allows(module, action) || tab.role == TabRole::Public {
            return Err(AppError::Forbidden(format!(
                "Your portal access does not allow this in {}",
                tab.label
            )));
        }
        let layout = self.layout_name(module, layout);
        let record = match id {
            Some(id) => Some(self.scoped.get(module, Some(&layout), id).await?),
            None => None,
        };
        let mask = self.scoped.mask(module, Some(&layout));
        let visible = self.visible(module, &mask);
        let data = record.as_ref().map(|r| &r.data);
        let names = match data {
            Some(d) => self.lookup_names(&visible, &[d]).await?,
            None => HashMap::new(),
        };
        let links = self.scoped.link_fields(module);
        let (field_errors, general) = split_errors(error, &self.locale.tr);
        let mut inputs = Vec::new();
        for f in visible {
            let name = f.api_name.as_str();
            let writable = mask.field(name).is_some_and(|m| m.writable);
            let stored = data.and_then(|d| d.get(name));
            let sent: Vec<String> = posted
                .map(|p| {
                    p.iter()
                        .filter(|(k, _)| k == name)
                        .map(|(_, v)| v.clone())
                        .collect()
                })
                .unwrap_or_default();
            let is_link = links.iter().any(|l| l == name);
            let mut input = InputView {
                name: name.to_string(),
                label: f.label.clone(),
                kind: "readonly",
                step: "",
                value: String::new(),
                values: Vec::new(),
                options: Vec::new(),
                required: f.mandatory && writable && !is_link,
                error: field_errors.get(name).cloned(),
                subform: None,
            };
            if let (true, FieldType::Subform { fields: columns }) = (writable, &f.field_type) {
                input.kind = "subform";
                let rows = self
                    .subform_input(f, columns, &mask, stored, posted)
                    .await?;
                input.subform = Some(rows);
                inputs.push(input);
                continue;
            }
            if !writable || is_link || matches!(f.field_type, FieldType::Subform { .. }) {
                input.value = if is_link && id.is_none() {
                    self.scoped
                        .me()
                        .map(|(_, n)| n.to_string())
                        .unwrap_or_default()
                } else {
                    self.cell(f, stored, &names)
                };
                inputs.push(input);
                continue;
            }
            self.fill_input(&mut input, f, stored, posted.map(|_| sent), &names)
                .await?;
            inputs.push(input);
        }
        Ok(FormView {
            module: module.to_string(),
            tab_label: tab.label.clone(),
            id,
            name: record
                .as_ref()
                .map(|r| r.display_name.clone())
                .unwrap_or_default(),
            version: record.as_ref().map_or(0, |r| r.version),
            layout,
            has_errors: error.is_some(),
            inputs,
            error: general,
        })
    }

    /// An input's kind, options and value: what was sent when the form comes back, else the
    /// stored value.
    async fn fill_input(
        &self,
        input: &mut InputView,
        f: &Field,
        stored: Option<&Value>,
        sent: Option<Vec<String>>,
        names: &HashMap<Id, String>,
    ) -> Result<()> {
        let stored_text = || match (&f.field_type, stored) {
            (FieldType::DateTime, Some(Value::String(s))) => self.locale.datetime_input(s),
            (_, Some(Value::Number(n))) => n.to_string(),
            (_, v) => portico_domain::canvas::display_value(v),
        };
        let (kind, step) = kind_of(&f.field_type);
        input.kind = kind;
        input.step = step;
        match &f.field_type {
            FieldType::Picklist { options } | FieldType::MultiselectPicklist { options } => {
                input.options = options.iter().map(|o| (o.clone(), o.clone())).collect();
            }
            FieldType::Lookup { target_module } => {
                input.options = self.choices(target_module.as_str()).await?;
                if let Some(id) = stored.and_then(Value::as_i64)
                    && !input.options.iter().any(|(v, _)| *v == id.to_string())
                {
                    // The current target stays chosen, by the only name the user may see.
                    let label = names
                        .get(&id)
                        .cloned()
                        .unwrap_or_else(|| self.tr().t("record-not-shared"));
                    input.options.insert(0, (id.to_string(), label));
                }
            }
            FieldType::MultiselectLookup { .. } => {
                input.value = self.cell(f, stored, names);
            }
            _ => {}
        }
        match sent {
            Some(sent) => {
                input.value = sent.last().cloned().unwrap_or_default();
                input.values = sent;
            }
            None if kind == "multi" => {
                input.values = stored
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default();
            }
            None if kind != "readonly" => input.value = stored_text(),
            None => {}
        }
        Ok(())
    }

    /// The records a lookup to `target` may point at: those of that module in the user's scope
    /// (the first page by name), or none when the module is not shared.
    async fn choices(&self, target: &str) -> Result<Vec<(String, String)>> {
        if self.tab(target).is_err() {
            return Ok(Vec::new());
        }
        let page = self
            .scoped
            .counted_page(
                target,
                &ListQuery {
                    sort: Some("name"),
                    limit: 200,
                    ..Default::default()
                },
            )
            .await?;
        Ok(page
            .items
            .into_iter()
            .map(|r| (r.id.to_string(), r.display_name))
            .collect())
    }

    /// A submitted form as the input a write takes: every submitted name (a hidden or
    /// read-only one included, so the enforcement point refuses it by name), each value
    /// converted by its field's type. Empty values clear the field.
    pub fn input(&self, module: &str, posted: &[(String, String)]) -> Map<String, Value> {
        let fields = self.scoped.fields(module);
        let mut input = Map::new();
        let mut names: Vec<&str> = Vec::new();
        for (k, _) in posted {
            if !k.starts_with('_') && !k.contains('[') && !names.contains(&k.as_str()) {
                names.push(k);
            }
        }
        for (name, rows) in self.posted_subforms(module, posted) {
            input.insert(name, rows);
        }
        for name in names {
            let values: Vec<&str> = posted
                .iter()
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.trim())
                .collect();
            let last = values.last().copied().unwrap_or("");
            let field = fields.iter().find(|f| f.api_name.as_str() == name);
            let value = match field.map(|f| &f.field_type) {
                Some(FieldType::Boolean) => Value::Bool(values.contains(&"true")),
                Some(FieldType::MultiselectPicklist { .. }) => Value::Array(
                    values
                        .iter()
                        .filter(|v| !v.is_empty())
                        .map(|v| Value::from(*v))
                        .collect(),
                ),
                _ if last.is_empty() => Value::Null,
                Some(FieldType::DateTime) => Value::from(self.locale.datetime_from_input(last)),
                Some(FieldType::Lookup { .. }) => last
                    .parse::<i64>()
                    .map_or_else(|_| Value::from(last), Value::from),
                _ => Value::from(last),
            };
            input.insert(name.to_string(), value);
        }
        input
    }
}

/// A failed save's errors: by field, and one for the whole form.
fn split_errors(error: Option<&AppError>, tr: &Tr) -> (HashMap<String, String>, Option<String>) {
    match error {
        None => (HashMap::new(), None),
        Some(AppError::Invalid(DomainError::Invalid(errors))) => {
            let mut by_field = HashMap::new();
            let mut other = Vec::new();
            for e in errors {
                // A subform column's error names `Field[row].Column`: shown beside the field.
                let field = e.field.split(['[', '.']).next().unwrap_or(&e.field);
                if field.is_empty() {
                    other.push(e.message.clone());
                } else {
                    by_field
                        .entry(field.to_string())
                        .and_modify(|m: &mut String| {
                            m.push(' ');
                            m.push_str(&e.message);
                        })
                        .or_insert_with(|| e.message.clone());
                }
            }
            (
                by_field,
                Some(if other.is_empty() {
                    tr.t("record-errors")
                } else {
                    other.join(" ")
                }),
            )
        }
        Some(AppError::Stale { .. }) => (HashMap::new(), Some(tr.t("record-stale"))),
        Some(e) => (HashMap::new(), Some(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_offers_four_page_sizes_and_falls_back_to_the_default() {
        for n in PAGE_SIZES {
            assert_eq!(page_size(Some(n)), n);
        }
        for n in [
            None,
            Some(0),
            Some(-25),
            Some(1),
            Some(24),
            Some(51),
            Some(1000),
        ] {
            assert_eq!(page_size(n), PAGE_SIZE, "{n:?}");
        }
    }
}
