//! User types of a portal: their tab and field configuration. Each change is checked against
//! the catalogue, the seats and the default type's rules, then written with its audit row in
//! one transaction.

use crate::audit::audit;
use crate::catalogue::catalogue;
use crate::portals::portal;
use crate::seats::check_seats;
use crate::{AppError, Context, Result, require_admin};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::portal::{UserType, UserTypeConfig};
use serde_json::json;

pub async fn user_types(ctx: &Context, actor: &CrmActor, portal_id: Id) -> Result<Vec<UserType>> {
    portal(ctx, actor, portal_id).await?;
    Ok(ctx
        .store()
        .list_user_types(actor.user.org_id, portal_id)
        .await?)
}

pub async fn user_type(ctx: &Context, actor: &CrmActor, portal_id: Id, id: Id) -> Result<UserType> {
    require_admin(actor)?;
    Ok(ctx
        .store()
        .get_user_type(actor.user.org_id, portal_id, id)
        .await?)
}

pub async fn create_user_type(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    config: UserTypeConfig,
) -> Result<UserType> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    tx.get_portal(org, portal_id).await?;
    let config = catalogue(&mut tx, org).await?.check(config)?;
    check_seats(&mut tx, org, &config, false, None).await?;
    let ut = tx
        .create_user_type(org, portal_id, &config, ctx.now())
        .await?;
    audit(
        &mut tx,
        actor,
        ctx.now(),
        "portal.user_type.create",
        json!({"portal_id": portal_id, "user_type_id": ut.id, "name": config.name}),
    )
    .await?;
    tx.commit().await?;
    Ok(ut)
}

/// The rules of the default "Client Portal" type: it is for customers and stays active.
pub(crate) fn check_default_type(config: &UserTypeConfig, field: &str) -> Result<()> {
    if !config.customer {
        return Err(AppError::invalid(
            &format!("{field}customer"),
            "default_is_customer",
            "The default user type is for customers",
        ));
    }
    if !config.active {
        return Err(AppError::invalid(
            &format!("{field}active"),
            "default_inactive",
            "The default user type cannot be deactivated: sign-ups and invitations fall back to it",
        ));
    }
    Ok(())
}

/// Replaces a user type's whole tab and field configuration.
pub async fn replace_user_type(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    id: Id,
    config: UserTypeConfig,
) -> Result<UserType> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    let current = tx.get_user_type(org, portal_id, id).await?;
    let config = catalogue(&mut tx, org).await?.check(config)?;
    if current.is_default {
        check_default_type(&config, "")?;
    }
    check_seats(&mut tx, org, &config, current.is_default, Some(id)).await?;
    let ut = tx.replace_user_type(org, portal_id, id, &config).await?;
    audit(
        &mut tx,
        actor,
        ctx.now(),
        "portal.user_type.update",
        json!({"portal_id": portal_id, "user_type_id": id, "name": config.name}),
    )
    .await?;
    tx.commit().await?;
    Ok(ut)
}

pub async fn delete_user_type(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    id: Id,
) -> Result<()> {
    require_admin(actor)?;
    let mut tx = ctx.store().transaction().await?;
    tx.delete_user_type(actor.user.org_id, portal_id, id)
        .await?;
    audit(
        &mut tx,
        actor,
        ctx.now(),
        "portal.user_type.delete",
        json!({"portal_id": portal_id, "user_type_id": id}),
    )
    .await?;
    Ok(tx.commit().await?)
}
