//! Purchased portal seats: the pool, the check every user type change passes, and grants by
//! the operator. Seats are read inside the writing transaction, so two saves cannot both take
//! the last free seats.

use crate::{AppError, Context, Result, require_admin};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::portal::{
    SeatGrant, UserType, UserTypeConfig, checked_seat_sum, purchased_seats_needed,
};
use portico_store::Tx;
use serde_json::json;

/// Seats granted to the org, and seats taken from them by the user types `counts` keeps (the
/// one being saved, or the portal being imported, is left out by the caller). A sum that would
/// overflow is refused, never wrapped.
pub(crate) async fn seat_pool(
    tx: &mut Tx,
    org: Id,
    counts: impl Fn(&UserType) -> bool,
) -> Result<(i64, i64)> {
    let grants = tx.seat_grants(org).await?;
    let granted = checked_seat_sum(grants.iter().map(|g| g.seats)).ok_or_else(too_many_seats)?;
    let used = checked_seat_sum(
        tx.all_user_types(org)
            .await?
            .iter()
            .filter(|t| counts(t))
            .map(|t| purchased_seats_needed(&t.config, t.is_default)),
    )
    .ok_or_else(too_many_seats)?;
    Ok((granted, used))
}

/// The refusal of a seat count too large to add up.
pub(crate) fn too_many_seats() -> AppError {
    AppError::invalid(
        "seats",
        "seat_limit",
        "The seat counts are too large to add up",
    )
}

/// Refuses `needed` purchased seats unless `granted - used` are free; `field` names the input.
pub(crate) fn require_free_seats(field: &str, needed: i64, granted: i64, used: i64) -> Result<()> {
    let free = granted.saturating_sub(used).max(0);
    if needed > free {
        return Err(AppError::invalid(
            field,
            "seat_limit",
            format!(
                "Not enough seats: this needs {needed} purchased seats and {free} of {granted} are free. The operator grants more with `portico seats grant`"
            ),
        ));
    }
    Ok(())
}

pub(crate) async fn check_seats(
    tx: &mut Tx,
    org: Id,
    config: &UserTypeConfig,
    is_default: bool,
    except: Option<Id>,
) -> Result<()> {
    if !is_default && config.seats < 1 {
        return Err(AppError::invalid(
            "seats",
            "seat_limit",
            "A user type other than Client Portal needs at least one purchased seat",
        ));
    }
    let needed = purchased_seats_needed(config, is_default);
    let (granted, used) = seat_pool(tx, org, |t| Some(t.id) != except).await?;
    require_free_seats("seats", needed, granted, used)
}

/// Grants purchased seats to an org (the operator's CLI; recorded with who and when, in the
/// same transaction as the grant).
pub async fn grant_seats(
    ctx: &Context,
    org: Id,
    seats: i64,
    granted_by: &str,
    note: &str,
) -> Result<SeatGrant> {
    if !(1..=1_000_000).contains(&seats) {
        return Err(AppError::invalid(
            "seats",
            "invalid_seats",
            "Grant between 1 and 1,000,000 seats",
        ));
    }
    let mut tx = ctx.store().transaction().await?;
    tx.get_org(org).await?;
    let grant = tx
        .grant_seats(org, seats, granted_by, note, ctx.now())
        .await?;
    tx.record_audit(
        org,
        granted_by,
        "seats.grant",
        &json!({"seats": seats, "note": note}),
        ctx.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(grant)
}

/// Seats granted and taken by user types across the org's portals.
pub async fn seat_usage(ctx: &Context, actor: &CrmActor) -> Result<(i64, i64)> {
    require_admin(actor)?;
    let mut reader = ctx.store().reader().await?;
    seat_pool(&mut reader, actor.user.org_id, |_| true).await
}

/// Seats granted to an org, for the operator.
pub async fn seat_grants(ctx: &Context, org: Id) -> Result<Vec<SeatGrant>> {
    ctx.store().get_org(org).await?;
    Ok(ctx.store().seat_grants(org).await?)
}

/// Seats granted to the actor's org, for its administrators.
pub async fn grants(ctx: &Context, actor: &CrmActor) -> Result<Vec<SeatGrant>> {
    require_admin(actor)?;
    Ok(ctx.store().seat_grants(actor.user.org_id).await?)
}
