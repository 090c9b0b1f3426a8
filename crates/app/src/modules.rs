//! Modules, their fields and layouts: reading what the actor may see, and setup for administrators.

use crate::{AppError, Context, Result, forbidden, require_admin};
use portico_domain::access::CrmActor;
use portico_domain::canvas::check_template;
use portico_domain::field::{Field, NewField};
use portico_domain::layout::{Layout, NewLayout};
use portico_domain::module::{DataSharing, Module, parse_label};
use portico_domain::profile::Action;
use portico_domain::standard::NewCustomModule;
use portico_store::ModuleSettings;
/// A module the actor may perform `action` on (404 if it does not exist, 403 if not allowed).
/// Read from the org's cached configuration, which building the actor brought up to the
/// version the request saw (see `config_cache`).
pub async fn module(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    action: Action,
) -> Result<Module> {
    let config = ctx.org_config(actor.user.org_id, None).await?;
    let module = config.module(api_name).ok_or(AppError::NotFound)?;
    if actor.can(module, action) {
        Ok(module.clone())
    } else {
        Err(forbidden(&format!("{} {}", action.as_str(), module.label)))
    }
}

/// The modules the actor may view, in menu order.
pub async fn visible_modules(ctx: &Context, actor: &CrmActor) -> Result<Vec<Module>> {
    let config = ctx.org_config(actor.user.org_id, None).await?;
    Ok(config
        .modules
        .iter()
        .filter(|m| actor.can(m, Action::View))
        .cloned()
        .collect())
}

/// A module with its fields and layouts.
pub struct ModuleDetail {
    pub module: Module,
    pub fields: Vec<Field>,
    pub layouts: Vec<Layout>,
}

pub async fn module_detail(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
) -> Result<ModuleDetail> {
    let module = module(ctx, actor, api_name, Action::View).await?;
    let org = actor.user.org_id;
    let fields = ctx.store().list_fields(org, module.id).await?;
    let layouts = ctx.store().list_layouts(org, module.id).await?;
    Ok(ModuleDetail {
        module,
        fields,
        layouts,
    })
}

pub async fn create_module(
    ctx: &Context,
    actor: &CrmActor,
    new: NewCustomModule,
) -> Result<Module> {
    require_admin(actor)?;
    let spec = new.into_spec()?;
    Ok(ctx.store().create_module(actor.user.org_id, &spec).await?)
}

pub async fn add_field(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    new: &NewField,
) -> Result<Field> {
    require_admin(actor)?;
    let module = ctx.store().get_module(actor.user.org_id, api_name).await?;
    Ok(ctx
        .store()
        .create_field(actor.user.org_id, module.id, new)
        .await?)
}

pub async fn add_layout(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    new: &NewLayout,
) -> Result<Layout> {
    require_admin(actor)?;
    let module = ctx.store().get_module(actor.user.org_id, api_name).await?;
    Ok(ctx
        .store()
        .create_layout(actor.user.org_id, module.id, new)
        .await?)
}

/// Changes a field of a module (administrators): label, mandatory, picklist options, subform
/// columns (added or relabelled; none removed). Audited.
pub async fn update_field(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    field: &str,
    new: &NewField,
) -> Result<Field> {
    require_admin(actor)?;
    if new.api_name.as_ref().is_some_and(|n| n.as_str() != field) {
        return Err(AppError::invalid(
            "api_name",
            "api_name_fixed",
            "A field's API name cannot be changed: integrations and layouts use it",
        ));
    }
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    let module = tx.get_module(org, api_name).await?;
    let current = tx
        .list_fields(org, module.id)
        .await?
        .into_iter()
        .find(|f| f.api_name.as_str() == field)
        .ok_or(AppError::NotFound)?;
    let updated = tx.update_field(org, module.id, current.id, new).await?;
    crate::audit::audit(
        &mut tx,
        actor,
        ctx.now(),
        "field.update",
        serde_json::json!({"module": api_name, "field": field}),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Changes a layout of a module (administrators): its name and sections. Portal user types
/// sharing it follow a new name and keep permissions only for fields still on it. Audited.
pub async fn update_layout(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    layout_id: portico_domain::Id,
    new: &NewLayout,
) -> Result<Layout> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    let module = tx.get_module(org, api_name).await?;
    let layout = tx.update_layout(org, module.id, layout_id, new).await?;
    crate::audit::audit(
        &mut tx,
        actor,
        ctx.now(),
        "layout.update",
        serde_json::json!({"module": api_name, "layout_id": layout_id, "name": layout.name}),
    )
    .await?;
    tx.commit().await?;
    Ok(layout)
}

/// Changes to a module's settings; `None` leaves a setting as it is.
#[derive(Debug, Default)]
pub struct ModuleChanges {
    pub label: Option<String>,
    pub sharing: Option<DataSharing>,
    /// `Some(None)` removes the canvas template.
    pub canvas_template: Option<Option<String>>,
}

pub async fn update_module(
    ctx: &Context,
    actor: &CrmActor,
    api_name: &str,
    changes: ModuleChanges,
) -> Result<Module> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let module = ctx.store().get_module(org, api_name).await?;
    let label = match changes.label {
        Some(l) => parse_label("label", &l)?,
        None => module.label.clone(),
    };
    let canvas_template = match changes.canvas_template {
        Some(t) => t.filter(|t| !t.trim().is_empty()),
        None => module.canvas_template.clone(),
    };
    if let Some(t) = &canvas_template {
        check_template(t, &ctx.store().list_fields(org, module.id).await?)?;
    }
    let settings = ModuleSettings {
        label,
        sharing: changes.sharing.unwrap_or(module.sharing),
        canvas_template,
    };
    Ok(ctx.store().update_module(org, module.id, &settings).await?)
}

/// Every module of the org, for setup pages (administrators only).
pub async fn all_modules(ctx: &Context, actor: &CrmActor) -> Result<Vec<Module>> {
    require_admin(actor)?;
    Ok(ctx.store().list_modules(actor.user.org_id).await?)
}
