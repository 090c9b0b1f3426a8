//! CRM users and profiles (administrators only).

use crate::{AppError, Context, Result, require_admin};
use portico_auth::hash_password_in;
use portico_domain::access::CrmActor;
use portico_domain::email::EmailAddress;
use portico_domain::module::parse_label;
use portico_domain::profile::{NewProfile, Profile, User, check_password};
use portico_domain::{DomainError, FieldError, Id};
use portico_store::{NewUser, UserChanges};
pub async fn list_users(ctx: &Context, actor: &CrmActor) -> Result<Vec<User>> {
    require_admin(actor)?;
    Ok(ctx.store().list_users(actor.user.org_id).await?)
}

/// A new CRM user as submitted (password in clear; hashed here).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    pub email: String,
    pub name: String,
    pub password: String,
    pub profile_id: Id,
    #[serde(default)]
    pub super_admin: bool,
}

pub async fn create_user(ctx: &Context, actor: &CrmActor, input: NewUserInput) -> Result<User> {
    require_admin(actor)?;
    let user = create_user_unchecked(ctx, actor.user.org_id, input).await?;
    Ok(user)
}

/// Checks the password policy and hashes it on a password thread.
pub(crate) async fn hash(ctx: &Context, password: String) -> Result<String> {
    check_password(&password)?;
    ctx.passwords()
        .run(move |memory| hash_password_in(&password, memory))
        .await?
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// Creates a user without an acting admin (CLI and demo set-up).
pub async fn create_user_unchecked(ctx: &Context, org: Id, input: NewUserInput) -> Result<User> {
    let email = EmailAddress::parse(&input.email)?;
    let name = parse_label("name", &input.name)?;
    let password_hash = hash(ctx, input.password).await?;
    let new = NewUser {
        email,
        name,
        password_hash,
        profile_id: input.profile_id,
        super_admin: input.super_admin,
    };
    Ok(ctx.store().create_user(org, &new, ctx.now()).await?)
}

pub async fn list_profiles(ctx: &Context, actor: &CrmActor) -> Result<Vec<Profile>> {
    require_admin(actor)?;
    Ok(ctx.store().list_profiles(actor.user.org_id).await?)
}

async fn checked_profile(ctx: &Context, org: Id, p: NewProfile) -> Result<NewProfile> {
    let modules: Vec<String> = ctx
        .store()
        .list_modules(org)
        .await?
        .into_iter()
        .map(|m| m.api_name.to_string())
        .collect();
    Ok(p.check(&modules)?)
}

pub async fn create_profile(ctx: &Context, actor: &CrmActor, p: NewProfile) -> Result<Profile> {
    require_admin(actor)?;
    let p = checked_profile(ctx, actor.user.org_id, p).await?;
    Ok(ctx.store().create_profile(actor.user.org_id, &p).await?)
}

pub async fn update_profile(
    ctx: &Context,
    actor: &CrmActor,
    id: Id,
    p: NewProfile,
) -> Result<Profile> {
    require_admin(actor)?;
    let p = checked_profile(ctx, actor.user.org_id, p).await?;
    Ok(ctx
        .store()
        .update_profile(actor.user.org_id, id, &p)
        .await?)
}

/// The name of a CRM user of the actor's org (a record's owner, shown on its page).
pub async fn user_name(ctx: &Context, actor: &CrmActor, user_id: Id) -> Result<String> {
    Ok(ctx.store().get_user(actor.user.org_id, user_id).await?.name)
}

/// Activates or deactivates a CRM user of the org (administrators only), with its audit row.
/// A deactivated user's sessions and API tokens stop working at once: every request loads the
/// user and refuses an inactive one. Administrators cannot deactivate themselves.
pub async fn set_user_active(
    ctx: &Context,
    actor: &CrmActor,
    id: Id,
    active: bool,
) -> Result<User> {
    require_admin(actor)?;
    if id == actor.user.id && !active {
        return Err(AppError::invalid(
            "active",
            "cannot_deactivate_self",
            "You cannot deactivate your own account",
        ));
    }
    let mut tx = ctx.store().transaction().await?;
    let user = tx.set_user_active(actor.user.org_id, id, active).await?;
    crate::audit::audit(
        &mut tx,
        actor,
        ctx.now(),
        if active {
            "user.activate"
        } else {
            "user.deactivate"
        },
        serde_json::json!({"user_id": id}),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// A CRM user's details as an administrator submits them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserEdit {
    pub email: Option<String>,
    pub name: Option<String>,
    pub profile_id: Option<Id>,
    pub super_admin: Option<bool>,
    pub active: Option<bool>,
}

/// Changes a CRM user of the org (administrators only): what `edit` names changes, the rest
/// stays. Every problem is reported at once. Administrators cannot deactivate themselves or
/// give up their own administrator role, so an org always keeps an active administrator.
/// Audited with the names of the details that changed.
pub async fn update_user(ctx: &Context, actor: &CrmActor, id: Id, edit: UserEdit) -> Result<User> {
    require_admin(actor)?;
    let org = actor.user.org_id;
    let mut tx = ctx.store().transaction().await?;
    let current = tx.get_user(org, id).await?;
    let mut errors = Vec::new();
    let email = match edit.email.as_deref().map(EmailAddress::parse) {
        None => Some(current.email.clone()),
        Some(Ok(e)) => Some(e),
        Some(Err(e)) => {
            errors.extend(e.errors().iter().cloned());
            None
        }
    };
    let name = match edit.name.as_deref().map(|n| parse_label("name", n)) {
        None => Some(current.name.clone()),
        Some(Ok(n)) => Some(n),
        Some(Err(e)) => {
            errors.extend(e.errors().iter().cloned());
            None
        }
    };
    let active = edit.active.unwrap_or(current.active);
    let super_admin = edit.super_admin.unwrap_or(current.super_admin);
    if id == actor.user.id && !active {
        errors.push(FieldError::new(
            "active",
            "cannot_deactivate_self",
            "You cannot deactivate your own account",
        ));
    }
    if id == actor.user.id && !super_admin {
        errors.push(FieldError::new(
            "super_admin",
            "cannot_demote_self",
            "You cannot give up your own administrator role: another administrator can",
        ));
    }
    let (Some(email), Some(name), true) = (email, name, errors.is_empty()) else {
        return Err(AppError::Invalid(DomainError::Invalid(errors)));
    };
    let changes = UserChanges {
        email,
        name,
        profile_id: edit.profile_id.unwrap_or(current.profile_id),
        super_admin,
        active,
    };
    let user = tx.update_user(org, id, &changes).await?;
    let changed: Vec<&str> = [
        ("email", user.email != current.email),
        ("name", user.name != current.name),
        ("profile_id", user.profile_id != current.profile_id),
        ("super_admin", user.super_admin != current.super_admin),
        ("active", user.active != current.active),
    ]
    .into_iter()
    .filter_map(|(k, changed)| changed.then_some(k))
    .collect();
    crate::audit::audit(
        &mut tx,
        actor,
        ctx.now(),
        "user.update",
        serde_json::json!({"user_id": id, "changed": changed}),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}
