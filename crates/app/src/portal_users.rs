//! Managing a portal's users (administrators): list them by status with the seats each user
//! type takes, re-invite, deactivate (their sessions end at once), reactivate, change user type,
//! remove. Each change is written with its audit row in one transaction.

use crate::audit::audit;
use crate::invitations::{Invitation, InviteTo};
use crate::mail::wake_delivery;
use crate::{AppError, Context, Result, require_admin};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::portal::UserType;
use portico_domain::portal_user::{InviteFailure, PortalUser, PortalUserStatus};
use portico_store::{Page, PortalUserOrder, PortalUserQuery, Tx};
use serde::Serialize;
use serde_json::json;

/// The most users one page lists.
pub const PAGE_MAX: i64 = 200;

/// Seats of one user type: how many its users take (invited and active) of how many it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatUse {
    pub user_type_id: Id,
    pub name: String,
    pub used: i64,
    pub limit: i64,
}

/// A portal's users at a glance: counts by status and seats by user type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UsersSummary {
    pub counts: Vec<(PortalUserStatus, i64)>,
    pub seats: Vec<SeatUse>,
}

/// A page of the portal's users, newest first, optionally of one status.
pub async fn list_users(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    status: Option<PortalUserStatus>,
    after: Option<Id>,
    limit: Option<i64>,
) -> Result<Page<PortalUser>> {
    require_admin(actor)?;
    let limit = limit.unwrap_or(50);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(AppError::invalid(
            "limit",
            "out_of_range",
            format!("limit is between 1 and {PAGE_MAX}"),
        ));
    }
    let q = PortalUserQuery {
        status,
        user_type_id: None,
        after,
        limit,
        order: None,
    };
    list_in(ctx, actor, portal_id, &q).await
}

/// A sorted, numbered page of the portal's users, optionally of one status (the admin's list:
/// 50 a page).
pub async fn sorted_users(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    status: Option<PortalUserStatus>,
    order: PortalUserOrder,
) -> Result<Page<PortalUser>> {
    require_admin(actor)?;
    let q = PortalUserQuery {
        status,
        user_type_id: None,
        after: None,
        limit: 50,
        order: Some(order),
    };
    list_in(ctx, actor, portal_id, &q).await
}

async fn list_in(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    q: &PortalUserQuery,
) -> Result<Page<PortalUser>> {
    let org = actor.user.org_id;
    let mut reader = ctx.store().reader().await?;
    reader.get_portal(org, portal_id).await?;
    Ok(reader.list_portal_users(org, portal_id, q).await?)
}

/// Counts by status and seats by user type.
pub async fn summary(ctx: &Context, actor: &CrmActor, portal_id: Id) -> Result<UsersSummary> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let mut reader = ctx.store().reader().await?;
    reader.get_portal(org, portal_id).await?;
    let counts = reader.count_portal_users(org, portal_id).await?;
    let mut seats = Vec::new();
    for t in reader.list_user_types(org, portal_id).await? {
        seats.push(SeatUse {
            user_type_id: t.id,
            used: reader.seated_portal_users(org, t.id).await?,
            name: t.config.name,
            limit: t.config.seats,
        });
    }
    Ok(UsersSummary { counts, seats })
}

/// One user of the portal.
pub async fn user(ctx: &Context, actor: &CrmActor, portal_id: Id, id: Id) -> Result<PortalUser> {
    require_admin(actor)?;
    Ok(ctx
        .store()
        .get_portal_user(actor.user.org_id, portal_id, id)
        .await?)
}

/// Opens an admin change of one user: the transaction and the user as it is now.
pub(crate) async fn open(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    id: Id,
) -> Result<(Tx, PortalUser)> {
    require_admin(actor)?;
    let mut tx = ctx.store().transaction().await?;
    let user = tx.get_portal_user(actor.user.org_id, portal_id, id).await?;
    Ok((tx, user))
}

pub(crate) async fn finish(
    mut tx: Tx,
    ctx: &Context,
    actor: &CrmActor,
    action: &str,
    user: &PortalUser,
    extra: serde_json::Value,
) -> Result<()> {
    audit(
        &mut tx,
        actor,
        ctx.now(),
        action,
        json!({"portal_id": user.portal_id, "portal_user_id": user.id, "email": user.email, "detail": extra}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) fn wrong_status(user: &PortalUser, what: &str) -> AppError {
    AppError::Conflict(format!(
        "{} is {}; only {what}",
        user.email,
        user.status.as_str()
    ))
}

/// Refuses a change that would put one more user on `user_type` than it has seats for; the
/// user type stays locked until `tx` ends, so two changes cannot both take its last seat.
pub(crate) async fn require_seat(tx: &mut Tx, org: Id, user_type: &UserType) -> Result<()> {
    tx.lock_user_type(org, user_type.id).await?;
    if tx.seated_portal_users(org, user_type.id).await? >= user_type.config.seats {
        return Err(AppError::InviteRefused(InviteFailure::SeatLimit));
    }
    Ok(())
}

/// A new invitation link for `user`, in their language, and its email; answers the mail id.
async fn new_link(tx: &mut Tx, ctx: &Context, actor: &CrmActor, user: &PortalUser) -> Result<Id> {
    let to = InviteTo {
        portal_id: user.portal_id,
        user_type_id: user.user_type_id,
        language: Some(user.preferences.language.clone()),
    };
    let invitation = Invitation::prepare(tx, actor, &to).await?;
    invitation.mail_link(tx, ctx, user).await
}

/// Sends an invited user a new link; the old one stops working.
pub async fn reinvite(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    id: Id,
) -> Result<PortalUser> {
    let (mut tx, user) = open(ctx, actor, portal_id, id).await?;
    if user.status != PortalUserStatus::Invited {
        return Err(wrong_status(&user, "invited users can be invited again"));
    }
    let mail_id = new_link(&mut tx, ctx, actor, &user).await?;
    finish(
        tx,
        ctx,
        actor,
        "portal.reinvite",
        &user,
        json!({"mail_id": mail_id}),
    )
    .await?;
    wake_delivery(ctx);
    Ok(user)
}

/// Stops an account: it cannot sign in, and its sessions end now.
pub async fn deactivate(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    id: Id,
) -> Result<PortalUser> {
    let (mut tx, user) = open(ctx, actor, portal_id, id).await?;
    if !matches!(
        user.status,
        PortalUserStatus::Active | PortalUserStatus::Invited
    ) {
        return Err(wrong_status(
            &user,
            "active or invited users can be deactivated",
        ));
    }
    let org = actor.user.org_id;
    let ended = tx.end_portal_user_sessions(org, id).await?;
    let user = tx
        .set_portal_user_status(org, portal_id, id, PortalUserStatus::Deactivated, ctx.now())
        .await?;
    finish(
        tx,
        ctx,
        actor,
        "portal.user_deactivate",
        &user,
        json!({"sessions_ended": ended}),
    )
    .await?;
    Ok(user)
}

/// Lets a deactivated account in again: active when it has chosen a password, invited (with
/// a new link) when it never accepted. It takes a seat again.
pub async fn reactivate(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    id: Id,
) -> Result<PortalUser> {
    let (mut tx, user) = open(ctx, actor, portal_id, id).await?;
    if user.status != PortalUserStatus::Deactivated {
        return Err(wrong_status(&user, "deactivated users can be reactivated"));
    }
    let org = actor.user.org_id;
    let user_type = tx.get_user_type(org, portal_id, user.user_type_id).await?;
    require_seat(&mut tx, org, &user_type).await?;
    let has_password = tx
        .portal_login(org, portal_id, &user.email)
        .await?
        .is_some_and(|(_, hash)| hash.is_some());
    let status = if has_password {
        PortalUserStatus::Active
    } else {
        PortalUserStatus::Invited
    };
    let user = tx
        .set_portal_user_status(org, portal_id, id, status, ctx.now())
        .await?;
    let mut mail_id = None;
    if status == PortalUserStatus::Invited {
        mail_id = Some(new_link(&mut tx, ctx, actor, &user).await?);
    }
    finish(
        tx,
        ctx,
        actor,
        "portal.user_reactivate",
        &user,
        json!({"mail_id": mail_id}),
    )
    .await?;
    if mail_id.is_some() {
        wake_delivery(ctx);
    }
    Ok(user)
}

/// Moves a user to another active user type of the portal with the same personality module
/// and a free seat.
pub async fn change_type(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    id: Id,
    user_type_id: Id,
) -> Result<PortalUser> {
    let (mut tx, user) = open(ctx, actor, portal_id, id).await?;
    let org = actor.user.org_id;
    if user.user_type_id == user_type_id {
        return Ok(user);
    }
    let current = tx.get_user_type(org, portal_id, user.user_type_id).await?;
    let target = match tx.get_user_type(org, portal_id, user_type_id).await {
        Ok(t) => t,
        Err(portico_store::StoreError::NotFound) => {
            return Err(AppError::invalid(
                "user_type",
                "unknown_user_type",
                "This portal has no such user type",
            ));
        }
        Err(e) => return Err(e.into()),
    };
    if !target.config.active {
        return Err(AppError::invalid(
            "user_type",
            "inactive_user_type",
            format!("The user type {} is inactive", target.config.name),
        ));
    }
    if target.config.personality_module != current.config.personality_module {
        return Err(AppError::invalid(
            "user_type",
            "wrong_module",
            format!(
                "{} users are {} records; {} users are {} records",
                current.config.name,
                current.config.personality_module,
                target.config.name,
                target.config.personality_module
            ),
        ));
    }
    if user.status.takes_seat() {
        require_seat(&mut tx, org, &target).await?;
    }
    let user = tx
        .set_portal_user_type(org, portal_id, id, user_type_id, ctx.now())
        .await?;
    finish(
        tx,
        ctx,
        actor,
        "portal.user_change_type",
        &user,
        json!({"from": current.id, "to": target.id}),
    )
    .await?;
    Ok(user)
}

/// Removes the account (its sessions and links with it). The record stays in the CRM and can
/// be invited again.
pub async fn remove(ctx: &Context, actor: &CrmActor, portal_id: Id, id: Id) -> Result<()> {
    let (mut tx, user) = open(ctx, actor, portal_id, id).await?;
    tx.delete_portal_user(actor.user.org_id, portal_id, id)
        .await?;
    finish(
        tx,
        ctx,
        actor,
        "portal.user_remove",
        &user,
        json!({"record_id": user.record_id}),
    )
    .await
}
