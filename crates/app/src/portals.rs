//! Portals and their settings, for administrators; custom-domain verification. Each change is
//! written with its audit row in one transaction.

use crate::audit::audit;
use crate::catalogue::catalogue;
use crate::{AppError, Context, Result, require_admin};
use portico_auth::random_token;
use portico_domain::access::CrmActor;
use portico_domain::module::{ApiName, parse_label};
use portico_domain::portal::{
    DEFAULT_USER_TYPE, FREE_SEATS, Portal, PortalSettings, Slug, UserType, UserTypeConfig,
};
use portico_domain::{DomainError, FieldError, Id};
use portico_store::Tx;
use serde_json::{Map, Value, json};

/// Creates a portal: the name defaults to the company name and makes the address; the default
/// "Client Portal" user type (customers, Contacts) comes with it.
pub async fn create_portal(
    ctx: &Context,
    actor: &CrmActor,
    name: Option<String>,
) -> Result<(Portal, UserType)> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    let name = match name.filter(|n| !n.trim().is_empty()) {
        Some(n) => parse_label("name", &n)?,
        None => tx.get_org(org).await?.settings.name,
    };
    let slug = Slug::from_name(&name).map_err(|_| {
        AppError::invalid(
            "name",
            "invalid_name",
            "The name needs letters or digits to make the portal address from",
        )
    })?;
    let cat = catalogue(&mut tx, org).await?;
    let contacts = ApiName::parse("Contacts")?;
    let default_type = cat.check(UserTypeConfig::starter(
        DEFAULT_USER_TYPE,
        &contacts,
        true,
        FREE_SEATS,
        &cat.view(),
    ))?;
    let token = random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let settings = PortalSettings::new(slug);
    let created = tx
        .create_portal(
            org,
            &name,
            &settings,
            &token[..32],
            &default_type,
            ctx.now(),
        )
        .await?;
    audit(
        &mut tx,
        actor,
        ctx.now(),
        "portal.create",
        json!({"portal_id": created.0.id, "name": name}),
    )
    .await?;
    tx.commit().await?;
    Ok(created)
}

pub async fn list_portals(ctx: &Context, actor: &CrmActor) -> Result<Vec<Portal>> {
    require_admin(actor)?;
    Ok(ctx.store().list_portals(actor.user.org_id).await?)
}

pub async fn portal(ctx: &Context, actor: &CrmActor, id: Id) -> Result<Portal> {
    require_admin(actor)?;
    Ok(ctx.store().get_portal(actor.user.org_id, id).await?)
}

/// The one check of portal settings, for a PATCH and an import alike: the settings' own rules,
/// then the users to notify of sign-ups and the default owner (active CRM users of this org).
pub(crate) async fn check_settings(
    tx: &mut Tx,
    org: Id,
    settings: PortalSettings,
    field_prefix: &str,
) -> Result<PortalSettings> {
    let settings = settings.check()?;
    let users = tx.list_users(org).await?;
    let active = |id: Id| users.iter().any(|u| u.id == id && u.active);
    let mut errors: Vec<FieldError> = settings
        .signup_notify_user_ids
        .iter()
        .filter(|id| !active(**id))
        .map(|id| {
            FieldError::new(
                format!("{field_prefix}signup_notify_user_ids"),
                "unknown_user",
                format!("There is no active CRM user with id {id}"),
            )
        })
        .collect();
    if let Some(owner) = settings.default_owner_id.filter(|id| !active(*id)) {
        errors.push(FieldError::new(
            format!("{field_prefix}default_owner_id"),
            "unknown_user",
            format!("The default owner must be an active CRM user; there is none with id {owner}"),
        ));
    }
    if errors.is_empty() {
        Ok(settings)
    } else {
        Err(AppError::Invalid(DomainError::Invalid(errors)))
    }
}

/// The user type sign-ups get must exist in the portal and be active.
pub(crate) fn check_default_choice(found: Option<&UserTypeConfig>, field: &str) -> Result<()> {
    match found {
        Some(config) if config.active => Ok(()),
        _ => Err(AppError::invalid(
            field,
            "unknown_user_type",
            "The default user type must be an active user type of this portal",
        )),
    }
}

/// Changes settings: `patch` names only what changes; unknown keys are refused; the name is
/// fixed once created.
pub async fn update_portal(
    ctx: &Context,
    actor: &CrmActor,
    id: Id,
    patch: Map<String, Value>,
) -> Result<Portal> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    let current = tx.get_portal(org, id).await?;
    if let Some(name) = patch.get("name")
        && name.as_str() != Some(current.name.as_str())
    {
        return Err(AppError::invalid(
            "name",
            "name_fixed",
            "A portal's name cannot be changed once it is created",
        ));
    }
    // A bad address is reported against `slug` together with every other problem: the rest
    // is checked with the saved address in its place.
    let mut errors: Vec<FieldError> = Vec::new();
    let slug_error = patch
        .get("slug")
        .and_then(|slug| Slug::parse(slug.as_str().unwrap_or("")).err());
    if let Some(e) = slug_error {
        errors.extend_from_slice(e.errors());
    }
    let mut merged =
        serde_json::to_value(&current.settings).map_err(|e| AppError::Internal(e.to_string()))?;
    if let Value::Object(m) = &mut merged {
        for (k, v) in patch.iter().filter(|(k, _)| k.as_str() != "name") {
            if !m.contains_key(k) {
                return Err(AppError::invalid(
                    k,
                    "unknown_field",
                    format!("There is no portal setting {k}"),
                ));
            }
            if k != "slug" || errors.is_empty() {
                m.insert(k.clone(), v.clone());
            }
        }
    }
    let settings: PortalSettings =
        serde_json::from_value(merged).map_err(|e| crate::body_error(&e.to_string()))?;
    let default_type = settings.default_user_type_id;
    let settings = match check_settings(&mut tx, org, settings, "").await {
        Ok(settings) => Some(settings),
        Err(AppError::Invalid(d)) => {
            errors.extend_from_slice(d.errors());
            None
        }
        Err(e) => return Err(e),
    };
    if let Some(default) = default_type {
        let types = tx.list_user_types(org, id).await?;
        let found = types.iter().find(|t| t.id == default).map(|t| &t.config);
        if let Err(AppError::Invalid(d)) = check_default_choice(found, "default_user_type_id") {
            errors.extend_from_slice(d.errors());
        }
    }
    let settings = match settings {
        Some(settings) if errors.is_empty() => settings,
        _ => return Err(AppError::Invalid(DomainError::Invalid(errors))),
    };
    let updated = tx.update_portal_settings(org, id, &settings).await?;
    let changed: Vec<&String> = patch.keys().collect();
    audit(
        &mut tx,
        actor,
        ctx.now(),
        "portal.settings",
        json!({"portal_id": id, "changed": changed}),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Looks up `_portico.{custom_domain}` and marks the domain verified when a TXT record holds the
/// portal's token; otherwise unverified, with what was found. An unverified domain serves nothing.
pub async fn verify_domain(ctx: &Context, actor: &CrmActor, portal_id: Id) -> Result<Portal> {
    let p = portal(ctx, actor, portal_id).await?;
    let Some(domain) = p.settings.custom_domain.clone() else {
        return Err(AppError::invalid(
            "custom_domain",
            "required",
            "Set a custom domain before verifying it",
        ));
    };
    let resolver = ctx
        .settings()
        .dns_resolver
        .ok_or_else(|| AppError::Internal("no DNS resolver configured (--dns-resolver)".into()))?;
    let name = format!("_portico.{domain}");
    // The DNS answer is awaited before the transaction opens: no writer lock is held over the
    // network.
    let found = crate::dns::txt_records(resolver, &name)
        .await
        .map_err(|e| {
            AppError::invalid(
                "custom_domain",
                "dns_error",
                format!("Could not look up {name}: {e}"),
            )
        })?;
    let verified = found.iter().any(|t| t.trim() == p.domain_token);
    let mut tx = ctx.store().transaction().await?;
    tx.set_domain_verified(actor.user.org_id, portal_id, verified)
        .await?;
    audit(
        &mut tx,
        actor,
        ctx.now(),
        "portal.domain.verify",
        json!({"portal_id": portal_id, "domain": domain, "verified": verified}),
    )
    .await?;
    let portal = tx.get_portal(actor.user.org_id, portal_id).await?;
    tx.commit().await?;
    if !verified {
        let seen = if found.is_empty() {
            "no TXT record".to_string()
        } else {
            format!("only {}", found.join(", "))
        };
        return Err(AppError::invalid(
            "custom_domain",
            "domain_not_verified",
            format!(
                "{name} must have a TXT record with the value {}; DNS has {seen}",
                p.domain_token
            ),
        ));
    }
    Ok(portal)
}

/// The portal at `/p/{slug}/` or `{slug}.{portal domain}`: public, for serving it.
pub async fn by_slug(ctx: &Context, slug: &str) -> Result<Option<Portal>> {
    Ok(ctx.store().portal_by_slug(slug).await?)
}

/// The portal that verified `host` as its custom domain; unverified claims serve nothing.
pub async fn by_domain(ctx: &Context, host: &str) -> Result<Option<Portal>> {
    Ok(ctx.store().portal_by_domain(host).await?)
}
