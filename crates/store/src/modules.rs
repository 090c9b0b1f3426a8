//! Modules, their fields and layouts.

use crate::error::{StoreError, StoreResult};
use crate::rows::*;
use crate::sql::{Executor, Val};
use crate::store::Tx;
use portico_domain::Id;
use portico_domain::field::{Field, FieldType, NewField};
use portico_domain::layout::{Layout, NewLayout, Section};
use portico_domain::module::{ApiName, DataSharing, Module};
use portico_domain::standard::ModuleSpec;

/// The module settings an admin may change.
#[derive(Debug, Clone)]
pub struct ModuleSettings {
    pub label: String,
    pub sharing: DataSharing,
    pub canvas_template: Option<String>,
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

pub(crate) async fn insert_module(
    c: &mut impl Executor,
    org: Id,
    spec: &ModuleSpec,
) -> StoreResult<Module> {
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

impl Tx {
    pub async fn create_module(&mut self, org: Id, spec: &ModuleSpec) -> StoreResult<Module> {
        let tx = &mut self.conn;
        let module = insert_module(tx, org, spec).await?;
        self.config_changed(org).await?;
        Ok(module)
    }

    pub async fn list_modules(&mut self, org: Id) -> StoreResult<Vec<Module>> {
        let c = &mut self.conn;
        c.query(
            &format!("SELECT {MODULE_COLS} FROM modules WHERE org_id = $1 ORDER BY position, id"),
            &[Val::Int(org)],
        )
        .await?
        .iter()
        .map(module_from)
        .collect()
    }

    pub async fn get_module(&mut self, org: Id, api_name: &str) -> StoreResult<Module> {
        let c = &mut self.conn;
        module_from(
            &one(
                c,
                &format!("SELECT {MODULE_COLS} FROM modules WHERE org_id = $1 AND api_name = $2"),
                &[Val::Int(org), Val::from(api_name)],
            )
            .await?,
        )
    }

    pub async fn update_module(
        &mut self,
        org: Id,
        module_id: Id,
        s: &ModuleSettings,
    ) -> StoreResult<Module> {
        let tx = &mut self.conn;
        let row = one(
            tx,
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
            crate::portals::drop_public_module(tx, org, module.api_name.as_str()).await?;
        }
        self.config_changed(org).await?;
        Ok(module)
    }

    /// Adds a field at the end of the module. It is appended to the module's first layout, and
    /// a mandatory field to every layout (a layout must place every mandatory field).
    pub async fn create_field(
        &mut self,
        org: Id,
        module_id: Id,
        new: &NewField,
    ) -> StoreResult<Field> {
        let tx = &mut self.conn;
        let existing = fields_of(tx, org, module_id).await?;
        let (api_name, _) = new.check()?;
        if existing.iter().any(|f| f.api_name == api_name) {
            return Err(StoreError::Conflict(format!(
                "This module already has a field {api_name}"
            )));
        }
        let layouts = layouts_of(tx, org, module_id).await?;
        if layouts.is_empty() {
            // Every module is created with a layout, so none means the module is not this org's.
            return Err(StoreError::NotFound);
        }
        let position = existing.iter().map(|f| f.position).max().unwrap_or(0) + 1;
        let field = insert_field(tx, org, module_id, new, position).await?;
        let places = |i: usize, _: &Layout| i == 0 || field.mandatory;
        place_on_layouts(tx, &layouts, field.api_name.as_str(), places).await?;
        self.config_changed(org).await?;
        Ok(field)
    }

    /// Changes a field: its label, whether it is mandatory, and its type's details (picklist
    /// options, subform columns). The API name, the type and a lookup's target stay, and a
    /// subform keeps every column it has (records hold values under their names). A field
    /// made mandatory is placed on every layout that lacks it.
    pub async fn update_field(
        &mut self,
        org: Id,
        module_id: Id,
        field_id: Id,
        new: &NewField,
    ) -> StoreResult<Field> {
        let tx = &mut self.conn;
        let existing = fields_of(tx, org, module_id).await?;
        let Some(current) = existing.iter().find(|f| f.id == field_id) else {
            return Err(StoreError::NotFound);
        };
        check_same_kind(&current.field_type, &new.field_type)?;
        let checked = NewField {
            api_name: Some(current.api_name.clone()),
            ..new.clone()
        };
        let (_, label) = checked.check()?;
        tx.execute(
            "UPDATE fields SET label = $4, spec = $5, mandatory = $6              WHERE org_id = $1 AND module_id = $2 AND id = $3",
            &[
                Val::Int(org),
                Val::Int(module_id),
                Val::Int(field_id),
                Val::from(label.as_str()),
                to_json(&new.field_type)?,
                Val::Bool(new.mandatory),
            ],
        )
        .await?;
        if new.mandatory && !current.mandatory {
            let layouts = layouts_of(tx, org, module_id).await?;
            let name = current.api_name.as_str();
            let lacks = |_: usize, l: &Layout| !l.field_names().any(|n| n == name);
            place_on_layouts(tx, &layouts, name, lacks).await?;
        }
        let field = Field {
            label,
            field_type: new.field_type.clone(),
            mandatory: new.mandatory,
            ..current.clone()
        };
        self.config_changed(org).await?;
        Ok(field)
    }

    pub async fn list_fields(&mut self, org: Id, module_id: Id) -> StoreResult<Vec<Field>> {
        fields_of(&mut self.conn, org, module_id).await
    }

    pub async fn create_layout(
        &mut self,
        org: Id,
        module_id: Id,
        new: &NewLayout,
    ) -> StoreResult<Layout> {
        let tx = &mut self.conn;
        let fields = fields_of(tx, org, module_id).await?;
        if fields.is_empty() {
            return Err(StoreError::NotFound);
        }
        let checked = new.check(&fields)?;
        if layouts_of(tx, org, module_id)
            .await?
            .iter()
            .any(|l| l.name == checked.name)
        {
            return Err(StoreError::Conflict(format!(
                "A layout named {} already exists",
                checked.name
            )));
        }
        let layout = insert_layout(tx, org, module_id, &checked).await?;
        self.config_changed(org).await?;
        Ok(layout)
    }

    /// Changes a layout's name and sections. Portal user types that share it follow a new
    /// name, and keep permissions only for the fields still on it.
    pub async fn update_layout(
        &mut self,
        org: Id,
        module_id: Id,
        layout_id: Id,
        new: &NewLayout,
    ) -> StoreResult<Layout> {
        let tx = &mut self.conn;
        let fields = fields_of(tx, org, module_id).await?;
        let layouts = layouts_of(tx, org, module_id).await?;
        let Some(current) = layouts.iter().find(|l| l.id == layout_id) else {
            return Err(StoreError::NotFound);
        };
        let checked = new.check(&fields)?;
        if layouts
            .iter()
            .any(|l| l.id != layout_id && l.name == checked.name)
        {
            return Err(StoreError::Conflict(format!(
                "A layout named {} already exists",
                checked.name
            )));
        }
        tx.execute(
            "UPDATE layouts SET name = $4, sections = $5              WHERE org_id = $1 AND module_id = $2 AND id = $3",
            &[
                Val::Int(org),
                Val::Int(module_id),
                Val::Int(layout_id),
                Val::from(checked.name.as_str()),
                to_json(&checked.sections)?,
            ],
        )
        .await?;
        let layout = Layout {
            id: layout_id,
            module_id,
            name: checked.name,
            sections: checked.sections,
        };
        let module = one(
            tx,
            "SELECT api_name FROM modules WHERE org_id = $1 AND id = $2",
            &[Val::Int(org), Val::Int(module_id)],
        )
        .await?
        .text(0)?;
        crate::portals::follow_layout(tx, org, &module, &current.name, &layout).await?;
        self.config_changed(org).await?;
        Ok(layout)
    }

    pub async fn list_layouts(&mut self, org: Id, module_id: Id) -> StoreResult<Vec<Layout>> {
        layouts_of(&mut self.conn, org, module_id).await
    }
}

/// Appends field `name` to the last section of each layout `places` picks.
async fn place_on_layouts(
    c: &mut impl Executor,
    layouts: &[Layout],
    name: &str,
    places: impl Fn(usize, &Layout) -> bool,
) -> StoreResult<()> {
    for (i, layout) in layouts.iter().enumerate() {
        if !places(i, layout) {
            continue;
        }
        let mut sections = layout.sections.clone();
        match sections.last_mut() {
            Some(last) => last.fields.push(name.to_string()),
            None => sections.push(Section {
                name: "Information".into(),
                fields: vec![name.to_string()],
            }),
        }
        c.execute(
            "UPDATE layouts SET sections = $2 WHERE id = $1",
            &[Val::Int(layout.id), to_json(&sections)?],
        )
        .await?;
    }
    Ok(())
}

/// A field keeps its type, a lookup its target, and a subform every column (with its type).
fn check_same_kind(current: &FieldType, new: &FieldType) -> StoreResult<()> {
    let fixed = |field: &str, code: &'static str, message: String| -> StoreResult<()> {
        Err(invalid(field, code, message))
    };
    if current.name() != new.name() {
        return fixed(
            "type",
            "type_fixed",
            format!(
                "A field's type cannot be changed (it is {}): add a new field instead",
                current.name().replace('_', " ")
            ),
        );
    }
    if current.lookup_target() != new.lookup_target() {
        return fixed(
            "target_module",
            "target_fixed",
            "A lookup's module cannot be changed: add a new field instead".to_string(),
        );
    }
    if let (FieldType::Subform { fields: old }, FieldType::Subform { fields: columns }) =
        (current, new)
    {
        for column in old {
            let kept = columns
                .iter()
                .find(|c| c.api_name == column.api_name)
                .is_some_and(|c| {
                    c.field_type.name() == column.field_type.name()
                        && c.field_type.lookup_target() == column.field_type.lookup_target()
                });
            if !kept {
                return fixed(
                    "fields",
                    "column_fixed",
                    format!(
                        "Column {} stays, with its type: records hold values in it",
                        column.label
                    ),
                );
            }
        }
    }
    Ok(())
}
