//! Inviting records to a portal. One invitation and each item of a bulk invitation go through
//! the same steps ([`invite_in`]): the reasons of PRODUCT.md are checked in a fixed order, and
//! a successful invitation writes the portal user, its single-use link, the email (outbox) and
//! the audit row in the caller's transaction — all of them or none.
//!
//! The link's secret exists only in the email: the store keeps its SHA-256. Re-inviting makes a
//! new link and deletes the old one, so only the newest invitation works.

use crate::audit::audit;
use crate::mail::{enqueue_rendered, wake_delivery};
use crate::{AppError, Context, Result};
use portico_auth::{random_token, token_hash};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::module::Module;
use portico_domain::org::Org;
use portico_domain::outbox::MailKind;
use portico_domain::portal::{Portal, UserType};
use portico_domain::portal_user::{
    InviteFailure, InviteeFacts, LinkPurpose, NewPortalUser, PortalUser, PortalUserStatus,
    Preferences, check_invitee,
};
use portico_domain::profile::Action;
use portico_store::{StoreError, Tx};
use serde::Serialize;
use serde_json::json;

/// Where to invite to: a portal, one of its user types, and optionally the language of the
/// email and of the account (the org's default otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteTo {
    pub portal_id: Id,
    pub user_type_id: Id,
    pub language: Option<String>,
}

/// A sent invitation: the new portal user and the email waiting in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invited {
    pub portal_user: PortalUser,
    pub mail_id: Id,
}

/// What every invitation of one request shares, read once: the org, the portal, the user type
/// and its personality module, and the inviting CRM user.
pub(crate) struct Invitation<'a> {
    pub actor: &'a CrmActor,
    pub org: Org,
    pub portal: Portal,
    pub user_type: UserType,
    pub module: Module,
    pub language: String,
}

/// The longest language tag an invitation accepts.
const LANGUAGE_MAX: usize = 12;

impl<'a> Invitation<'a> {
    /// Reads what the invitations of `to` share. An unknown portal or user type (or another
    /// org's) is "not found"; an inactive user type is refused.
    pub(crate) async fn prepare(tx: &mut Tx, actor: &'a CrmActor, to: &InviteTo) -> Result<Self> {
        let org_id = actor.user.org_id;
        let org = tx.get_org(org_id).await?;
        let portal = tx.get_portal(org_id, to.portal_id).await?;
        let user_type = tx
            .get_user_type(org_id, to.portal_id, to.user_type_id)
            .await?;
        if !user_type.config.active {
            return Err(AppError::invalid(
                "user_type",
                "inactive_user_type",
                format!(
                    "The user type {} is inactive; activate it before inviting to it",
                    user_type.config.name
                ),
            ));
        }
        let module = tx
            .get_module(org_id, user_type.config.personality_module.as_str())
            .await?;
        let language = match &to.language {
            Some(l) => {
                Preferences::parse(l, "24h", "UTC", "US")?;
                if l.len() > LANGUAGE_MAX {
                    return Err(AppError::invalid(
                        "language",
                        "invalid_language",
                        "The language is a tag such as en or en-GB",
                    ));
                }
                l.trim().to_string()
            }
            None => org.settings.language.clone(),
        };
        Ok(Self {
            actor,
            org,
            portal,
            user_type,
            module,
            language,
        })
    }

    /// Invites one record inside `tx`: a failure reason, or the new user with the email in
    /// the outbox and the audit row written. A failure writes nothing but its audit row.
    pub(crate) async fn invite_in(
        &self,
        tx: &mut Tx,
        ctx: &Context,
        record_id: Id,
    ) -> Result<std::result::Result<Invited, InviteFailure>> {
        let outcome = match self.check(tx, record_id).await? {
            Ok((email, name)) => self.send(tx, ctx, record_id, &email, &name).await?,
            Err(failure) => Err(failure),
        };
        if let Err(failure) = outcome {
            audit(
                tx,
                self.actor,
                ctx.now(),
                "portal.invite_failed",
                json!({
                    "portal_id": self.portal.id,
                    "user_type_id": self.user_type.id,
                    "record_id": record_id,
                    "code": failure.code(),
                }),
            )
            .await?;
        }
        Ok(outcome)
    }

    /// The reasons, in order; answers the address and the name to invite.
    async fn check(
        &self,
        tx: &mut Tx,
        record_id: Id,
    ) -> Result<std::result::Result<(String, String), InviteFailure>> {
        let org = self.org.id;
        // Before the record is read: without the module, whether it exists is not theirs to know.
        if !self.actor.can(&self.module, Action::Edit) {
            return Ok(Err(InviteFailure::NoModulePermission));
        }
        let record = match tx.get_record(org, self.module.id, record_id).await {
            Ok(r) => r,
            Err(StoreError::NotFound) => return Ok(Err(InviteFailure::RecordNotFound)),
            Err(e) => return Err(e.into()),
        };
        let facts = InviteeFacts {
            in_recycle_bin: record.deleted_at.is_some(),
            actor_reaches_record: self.actor.may(&self.module, record.owner_id, Action::Edit),
            approval_locked: record.state.approval_locked,
            in_review: record.state.in_review,
            email: record.email.as_deref(),
            lacks_required_consent: self.org.settings.gdpr_consent_required
                && !record.state.gdpr_consent,
        };
        let email = match check_invitee(&facts, &self.org.settings.email_domain) {
            Ok(e) => e,
            Err(f) => return Ok(Err(f)),
        };
        if crate::email_domains::refused_domain(tx, org, email.as_str()).await? {
            return Ok(Err(InviteFailure::AnonymousDomain));
        }
        let portal = self.portal.id;
        if tx
            .portal_user_by_record(org, portal, record_id)
            .await?
            .is_some()
            || tx
                .portal_user_by_email(org, portal, email.as_str())
                .await?
                .is_some()
        {
            return Ok(Err(InviteFailure::AlreadyInvited));
        }
        tx.lock_user_type(org, self.user_type.id).await?;
        if tx.seated_portal_users(org, self.user_type.id).await? >= self.user_type.config.seats {
            return Ok(Err(InviteFailure::SeatLimit));
        }
        Ok(Ok((email.as_str().to_string(), record.display_name)))
    }

    async fn send(
        &self,
        tx: &mut Tx,
        ctx: &Context,
        record_id: Id,
        email: &str,
        name: &str,
    ) -> Result<std::result::Result<Invited, InviteFailure>> {
        let mut preferences = Preferences::from_org(&self.org.settings);
        preferences.language = self.language.clone();
        let new = NewPortalUser {
            portal_id: self.portal.id,
            user_type_id: self.user_type.id,
            record_id: Some(record_id),
            email: portico_domain::email::EmailAddress::parse(email)?,
            name: name.to_string(),
            status: PortalUserStatus::Invited,
            preferences,
            invited_by: Some(self.actor.user.id),
            password_hash: None,
        };
        let user = match tx.create_portal_user(self.org.id, &new, ctx.now()).await {
            Ok(u) => u,
            // Someone invited the same record or address a moment ago.
            Err(StoreError::Duplicate { .. }) => return Ok(Err(InviteFailure::AlreadyInvited)),
            Err(e) => return Err(e.into()),
        };
        let mail_id = self.mail_link(tx, ctx, &user).await?;
        audit(
            tx,
            self.actor,
            ctx.now(),
            "portal.invite",
            json!({
                "portal_id": self.portal.id,
                "user_type_id": self.user_type.id,
                "record_id": record_id,
                "portal_user_id": user.id,
                "mail_id": mail_id,
            }),
        )
        .await?;
        Ok(Ok(Invited {
            portal_user: user,
            mail_id,
        }))
    }

    /// A new invitation link for `user` (the old one dies) and its email; answers the mail id.
    pub(crate) async fn mail_link(
        &self,
        tx: &mut Tx,
        ctx: &Context,
        user: &PortalUser,
    ) -> Result<Id> {
        let token = random_token().map_err(|e| AppError::Internal(e.to_string()))?;
        let link = tx
            .create_portal_link(
                self.org.id,
                user.id,
                &token_hash(&token),
                LinkPurpose::Invitation,
                ctx.now(),
            )
            .await?;
        let url = portal_link(ctx, &self.portal, &format!("invite/{token}"));
        let rendered = portico_mail::templates::invitation(
            &portico_mail::templates::Invitation {
                name: &user.name,
                inviter: &self.actor.user.name,
                org: &self.org.settings.name,
                portal: &self.portal.name,
                link: &url,
                expires: &portico_mail::templates::utc_minute(link.expires_at),
            },
            &user.preferences.language,
        )
        .map_err(|e| AppError::Internal(format!("the invitation template failed: {e}")))?;
        enqueue_rendered(
            tx,
            ctx,
            self.org.id,
            MailKind::Invitation,
            &user.email,
            rendered,
        )
        .await
    }
}

/// An absolute link into `portal`: on its verified custom domain when it has one, else under
/// `/p/{slug}/` of the configured base URL. Never from a request's Host header.
pub fn portal_link(ctx: &Context, portal: &Portal, path: &str) -> String {
    let base = &ctx.settings().base_url;
    match (&portal.settings.custom_domain, portal.domain_verified) {
        (Some(domain), true) => {
            let scheme = if base.is_https() { "https" } else { "http" };
            format!("{scheme}://{domain}/{path}")
        }
        _ => base.link(&format!("/p/{}/{path}", portal.settings.slug)),
    }
}

/// Invites one record of `module_api` (the detail page's "Send portal invitation", and
/// `POST /api/v1/records/{module}/{id}/portal-invite`). A reason not to is an error carrying
/// its code ([`AppError::InviteRefused`]); it is audited all the same.
pub async fn invite_record(
    ctx: &Context,
    actor: &CrmActor,
    module_api: &str,
    record_id: Id,
    to: &InviteTo,
) -> Result<Invited> {
    let mut tx = ctx.store().transaction().await?;
    let invitation = Invitation::prepare(&mut tx, actor, to).await?;
    if invitation.module.api_name.as_str() != module_api {
        return Err(AppError::invalid(
            "user_type",
            "wrong_module",
            format!(
                "The user type {} is for {} records, not {module_api}",
                invitation.user_type.config.name, invitation.module.label
            ),
        ));
    }
    let outcome = invitation.invite_in(&mut tx, ctx, record_id).await?;
    tx.commit().await?;
    match outcome {
        Ok(invited) => {
            wake_delivery(ctx);
            Ok(invited)
        }
        Err(failure) => Err(AppError::InviteRefused(failure)),
    }
}

/// Where a record of `module_api` can be invited: each active user type, of any of the org's
/// portals, whose personality module it is. Empty for a user who may not edit the module.
pub async fn invite_choices(
    ctx: &Context,
    actor: &CrmActor,
    module_api: &str,
) -> Result<Vec<(Portal, UserType)>> {
    let org = actor.user.org_id;
    let mut reader = ctx.store().reader().await?;
    let module = reader.get_module(org, module_api).await?;
    if !actor.can(&module, Action::Edit) {
        return Ok(Vec::new());
    }
    let mut choices = Vec::new();
    for portal in reader.list_portals(org).await? {
        for t in reader.list_user_types(org, portal.id).await? {
            if t.config.active && t.config.personality_module.as_str() == module_api {
                choices.push((portal.clone(), t));
            }
        }
    }
    Ok(choices)
}

/// The portals `record_id` is a user of, with its account in each (for the record's page).
/// The caller has checked that the actor sees the record.
pub async fn memberships(
    ctx: &Context,
    actor: &CrmActor,
    record_id: Id,
) -> Result<Vec<(Portal, PortalUser)>> {
    let org = actor.user.org_id;
    let mut reader = ctx.store().reader().await?;
    let mut found = Vec::new();
    for portal in reader.list_portals(org).await? {
        if let Some(user) = reader
            .portal_user_by_record(org, portal.id, record_id)
            .await?
        {
            found.push((portal, user));
        }
    }
    Ok(found)
}
