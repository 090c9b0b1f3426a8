//! A portal's logo: uploaded and removed by an administrator (audited), served to anyone who
//! opens the portal. The accent colour is a portal setting (`accent_colour`, checked with the
//! others by `PortalSettings::check`).

use crate::audit::audit;
use crate::{Context, Result, require_admin};
use portico_auth::content_hash;
use portico_domain::access::CrmActor;
use portico_domain::portal::Portal;
use portico_domain::portal::brand::LogoImage;
use portico_domain::{Id, Millis};
use portico_store::PortalLogo;
use serde_json::json;

/// Sets the portal's logo from an uploaded file's bytes, after [`LogoImage::parse`]'s checks
/// (type by magic bytes, size, dimensions); a refusal is a field error on `logo`.
pub async fn set_logo(ctx: &Context, actor: &CrmActor, portal_id: Id, bytes: &[u8]) -> Result<()> {
    require_admin(actor)?;
    let image = LogoImage::parse(bytes)?;
    let org = actor.user.org_id;
    let now = ctx.now();
    let logo = PortalLogo {
        content_type: image.content_type.to_string(),
        bytes: bytes.to_vec(),
        etag: content_hash(bytes),
        updated_at: now,
    };
    let mut tx = ctx.store().transaction().await?;
    tx.put_portal_logo(org, portal_id, &logo).await?;
    audit(
        &mut tx,
        actor,
        now,
        "portal.logo_set",
        json!({"portal_id": portal_id, "type": image.content_type, "bytes": bytes.len(),
               "width": image.width, "height": image.height}),
    )
    .await?;
    Ok(tx.commit().await?)
}

/// Removes the portal's logo (the pages show the initial-letter badge again).
pub async fn remove_logo(ctx: &Context, actor: &CrmActor, portal_id: Id) -> Result<()> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    // Another org's portal is "not found", not "nothing to remove".
    tx.get_portal(org, portal_id).await?;
    let removed = tx.delete_portal_logo(org, portal_id).await?;
    audit(
        &mut tx,
        actor,
        ctx.now(),
        "portal.logo_removed",
        json!({"portal_id": portal_id, "had_logo": removed}),
    )
    .await?;
    Ok(tx.commit().await?)
}

/// The portal's logo, for anyone who opens the portal.
pub async fn logo(ctx: &Context, portal: &Portal) -> Result<Option<PortalLogo>> {
    Ok(ctx.store().portal_logo(portal.org_id, portal.id).await?)
}

/// What the portal's stylesheet needs: whether there is a logo, and its version.
pub async fn logo_etag(ctx: &Context, portal: &Portal) -> Result<Option<String>> {
    Ok(ctx
        .store()
        .portal_logo_etag(portal.org_id, portal.id)
        .await?)
}

/// When the logo was last set, for the admin page.
pub async fn logo_for_admin(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
) -> Result<Option<(String, usize, Millis)>> {
    require_admin(actor)?;
    let found = ctx
        .store()
        .portal_logo(actor.user.org_id, portal_id)
        .await?;
    Ok(found.map(|l| (l.content_type, l.bytes.len(), l.updated_at)))
}
