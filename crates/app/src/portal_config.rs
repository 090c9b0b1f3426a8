//! Portal configuration as code: export, and import with a dry run. An import passes through
//! the same checks as the admin forms and the API — the checked user-type constructor, the
//! settings check, the default type's rules and the seats — and is applied, with its audit
//! row, in one transaction.

use crate::audit::audit;
use crate::catalogue::catalogue;
use crate::portals::{check_default_choice, check_settings};
use crate::seats::{require_free_seats, seat_pool, too_many_seats};
use crate::user_types::check_default_type;
use crate::{AppError, Context, Result, require_admin};
use portico_domain::access::CrmActor;
use portico_domain::portal::{
    Change, PortableSettings, PortalConfigDoc, PortalSettings, json_diff, purchased_seats_needed,
};
use portico_domain::{DomainError, FieldError, Id};
use portico_store::Tx;
use serde_json::json;

/// The portal's configuration as one portable document.
pub async fn export_config(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
) -> Result<PortalConfigDoc> {
    require_admin(actor)?;
    let mut reader = ctx.store().reader().await?;
    export(&mut reader, actor.user.org_id, portal_id).await
}

async fn export(tx: &mut Tx, org: Id, portal_id: Id) -> Result<PortalConfigDoc> {
    let p = tx.get_portal(org, portal_id).await?;
    let types = tx.list_user_types(org, portal_id).await?;
    let users = tx.list_users(org).await?;
    let s = p.settings;
    let settings = PortableSettings {
        status: s.status,
        disabled_message: s.disabled_message,
        portal_type: s.portal_type,
        signup_notify_users: s
            .signup_notify_user_ids
            .iter()
            .filter_map(|id| {
                users
                    .iter()
                    .find(|u| u.id == *id)
                    .map(|u| u.email.to_string())
            })
            .collect(),
        notify_applicant: s.notify_applicant,
        auto_approve_contacts: s.auto_approve_contacts,
        default_user_type: s.default_user_type_id.and_then(|id| {
            types
                .iter()
                .find(|t| t.id == id)
                .map(|t| t.config.name.clone())
        }),
        allow_email_change: s.allow_email_change,
        enforce_mfa: s.enforce_mfa,
        idle_timeout_minutes: s.idle_timeout_minutes,
        ga_measurement_id: s.ga_measurement_id,
        ga_terms_accepted: s.ga_terms_accepted,
        consent_text: s.consent_text,
    };
    Ok(PortalConfigDoc {
        settings,
        user_types: types.into_iter().map(|t| t.config).collect(),
    })
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Imports a configuration document: with `dry_run`, answers the differences without changing
/// anything; otherwise checks everything and applies it in one transaction, answering the
/// differences applied.
pub async fn import_config(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    doc: PortalConfigDoc,
    dry_run: bool,
) -> Result<Vec<Change>> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    let current_doc = export(&mut tx, org, portal_id).await?;
    let p = tx.get_portal(org, portal_id).await?;
    let cat = catalogue(&mut tx, org).await?;
    let existing = tx.list_user_types(org, portal_id).await?;
    // Every problem is reported at once: the user types, then the users to notify.
    let mut errors: Vec<FieldError> = Vec::new();
    let checked = match doc.check_user_types(&cat.view()) {
        Ok(checked) => checked,
        Err(e) => {
            errors.extend(e.errors().iter().cloned());
            Vec::new()
        }
    };
    let users = tx.list_users(org).await?;
    let s = &doc.settings;
    let mut notify = Vec::new();
    for email in &s.signup_notify_users {
        match users
            .iter()
            .find(|u| u.email.as_str().eq_ignore_ascii_case(email))
        {
            Some(u) => notify.push(u.id),
            None => errors.push(FieldError::new(
                "settings.signup_notify_users",
                "unknown_user",
                format!("There is no CRM user {email} in this org"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(DomainError::Invalid(errors)));
    }
    let mut needed: i64 = 0;
    for (i, config) in checked.iter().enumerate() {
        let is_default = existing
            .iter()
            .any(|t| t.is_default && same_name(&t.config.name, &config.name));
        if is_default {
            check_default_type(config, &format!("user_types[{i}]."))?;
        }
        needed = needed
            .checked_add(purchased_seats_needed(config, is_default))
            .ok_or_else(too_many_seats)?;
    }
    let settings = PortalSettings {
        status: s.status,
        disabled_message: s.disabled_message.clone(),
        slug: p.settings.slug.clone(),
        custom_domain: p.settings.custom_domain.clone(),
        portal_type: s.portal_type,
        signup_notify_user_ids: notify,
        notify_applicant: s.notify_applicant,
        auto_approve_contacts: s.auto_approve_contacts,
        default_user_type_id: None,
        // Not in the portable document (a user id means nothing in another org): kept.
        default_owner_id: p.settings.default_owner_id,
        allow_email_change: s.allow_email_change,
        enforce_mfa: s.enforce_mfa,
        idle_timeout_minutes: s.idle_timeout_minutes,
        ga_measurement_id: s.ga_measurement_id.clone(),
        ga_terms_accepted: s.ga_terms_accepted,
        consent_text: s.consent_text.clone(),
        // The brand is not in the portable document (the logo is not either): kept.
        accent_colour: p.settings.accent_colour.clone(),
    };
    let settings = check_settings(&mut tx, org, settings, "settings.").await?;
    if let Some(name) = &s.default_user_type {
        let found = checked.iter().find(|c| same_name(&c.name, name));
        check_default_choice(found.map(|c| c.config()), "settings.default_user_type")?;
    }
    // Import never grants seats: whatever the document says, the seats it needs must already
    // be granted by the operator (`portico seats grant`).
    let (granted, others) = seat_pool(&mut tx, org, |t| t.portal_id != portal_id).await?;
    require_free_seats("user_types", needed, granted, others)?;
    let normalised = PortalConfigDoc {
        settings: doc.settings.clone(),
        user_types: checked.iter().map(|c| c.config().clone()).collect(),
    };
    let before =
        serde_json::to_value(&current_doc).map_err(|e| AppError::Internal(e.to_string()))?;
    let after = serde_json::to_value(&normalised).map_err(|e| AppError::Internal(e.to_string()))?;
    let changes = json_diff(&before, &after);
    if dry_run || changes.is_empty() {
        // Dropping the transaction rolls it back; it wrote nothing anyway.
        return Ok(changes);
    }
    tx.apply_portal_config(
        org,
        portal_id,
        &settings,
        doc.settings.default_user_type.as_deref(),
        &checked,
        ctx.now(),
    )
    .await?;
    audit(
        &mut tx,
        actor,
        ctx.now(),
        "portal.config.import",
        json!({"portal_id": portal_id, "changes": changes.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(changes)
}
