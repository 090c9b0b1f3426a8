//! The org: provisioning, settings, web tabs.

use crate::users::{NewUserInput, hash};
use crate::{AppError, Context, Result, require_admin};
use portico_domain::access::CrmActor;
use portico_domain::email::EmailAddress;
use portico_domain::module::parse_label;
use portico_domain::org::{Org, OrgSettings};
use portico_domain::profile::User;
use portico_domain::webtab::{NewWebTab, WebTab};
use portico_domain::{DomainError, FieldError, Id};
/// Creates an org with the standard modules, the default profiles and its first administrator,
/// in one transaction: either all of it exists afterwards or none of it.
pub async fn provision_org(
    ctx: &Context,
    settings: OrgSettings,
    admin: NewUserInput,
) -> Result<(Org, User)> {
    let settings = settings.check()?;
    let email = EmailAddress::parse(&admin.email)?;
    let name = parse_label("name", &admin.name)?;
    let password_hash = hash(ctx, admin.password).await?;
    let modules = portico_domain::standard::standard_modules();
    let profiles = portico_domain::standard::default_profiles(&modules);
    let admin = portico_store::NewOrgAdmin {
        email,
        name,
        password_hash,
    };
    let new = portico_store::NewOrg {
        settings,
        modules,
        profiles,
        admin: Some(admin),
    };
    let created = ctx.store().create_org(&new, ctx.now()).await?;
    let user = created
        .admin
        .ok_or_else(|| AppError::Internal("org created without its administrator".into()))?;
    Ok((created.org, user))
}

pub async fn org(ctx: &Context, actor: &CrmActor) -> Result<Org> {
    Ok(ctx.store().get_org(actor.user.org_id).await?)
}

pub async fn update_org(ctx: &Context, actor: &CrmActor, settings: OrgSettings) -> Result<Org> {
    require_admin(actor)?;
    let zone = settings.time_zone.trim().to_string();
    // The shape is the domain's check; whether the zone exists is the bundled IANA database's.
    let unknown_zone = (!zone.is_empty() && !is_time_zone(&zone)).then(|| {
        FieldError::new(
            "time_zone",
            "unknown_time_zone",
            format!(
                "There is no time zone {zone}: choose one from the list, such as Europe/London"
            ),
        )
    });
    let settings = match (settings.check(), unknown_zone) {
        (Ok(settings), None) => settings,
        (Ok(_), Some(e)) => return Err(AppError::Invalid(DomainError::Invalid(vec![e]))),
        (Err(d), unknown) => {
            let mut errors = d.errors().to_vec();
            errors.extend(unknown.filter(|_| !errors.iter().any(|e| e.field == "time_zone")));
            return Err(AppError::Invalid(DomainError::Invalid(errors)));
        }
    };
    Ok(ctx.store().update_org(actor.user.org_id, &settings).await?)
}

/// Whether `name` is a time zone of the bundled IANA database.
pub fn is_time_zone(name: &str) -> bool {
    jiff::tz::TimeZone::get(name).is_ok()
}

pub async fn web_tabs(ctx: &Context, actor: &CrmActor) -> Result<Vec<WebTab>> {
    Ok(ctx.store().list_web_tabs(actor.user.org_id).await?)
}

pub async fn create_web_tab(ctx: &Context, actor: &CrmActor, tab: NewWebTab) -> Result<WebTab> {
    require_admin(actor)?;
    Ok(ctx
        .store()
        .create_web_tab(actor.user.org_id, &tab.check()?)
        .await?)
}

/// Changes a web tab's name and address (administrators); portal user types that show it
/// follow a new name.
pub async fn update_web_tab(
    ctx: &Context,
    actor: &CrmActor,
    id: Id,
    tab: NewWebTab,
) -> Result<WebTab> {
    require_admin(actor)?;
    Ok(ctx
        .store()
        .update_web_tab(actor.user.org_id, id, &tab.check()?)
        .await?)
}

pub async fn delete_web_tab(ctx: &Context, actor: &CrmActor, id: Id) -> Result<()> {
    require_admin(actor)?;
    Ok(ctx.store().delete_web_tab(actor.user.org_id, id).await?)
}

/// Every org of the instance, for the operator's CLI.
pub async fn list_orgs(ctx: &Context) -> Result<Vec<Org>> {
    Ok(ctx.store().list_orgs().await?)
}

/// An org by id, for the operator's CLI.
pub async fn org_by_id(ctx: &Context, org: Id) -> Result<Org> {
    Ok(ctx.store().get_org(org).await?)
}

/// Whether an org with this email domain exists (the demo loads once).
pub async fn domain_in_use(ctx: &Context, domain: &str) -> Result<bool> {
    Ok(ctx.store().find_org_by_domain(domain).await?.is_some())
}
