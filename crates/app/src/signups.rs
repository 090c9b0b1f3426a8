//! Signing up to a portal, by its type (PRODUCT.md, "Portal settings"):
//!
//! - **private**: there is no sign-up; every call answers `NotFound`.
//! - **public**: the account is created `unverified` with the applicant's password (Argon2id,
//!   checked by the password policy) and a single-use verification link is emailed. Opening it
//!   ([`verify_email`]) activates the account, creates or links its personality record, tells
//!   the CRM users the portal names, and signs in.
//! - **restricted**: the account is created `pending` with the applicant's password; the CRM
//!   users the portal names are told; an administrator approves ([`approve`]: the account
//!   becomes active with the password the applicant chose) or rejects ([`reject`]: the account
//!   is removed). The applicant hears the decision when the portal says so. With
//!   "auto-approve existing contacts", an address of a live Contacts record is approved at once.
//!
//! The answer never tells whether the address already has an account: the same outcome comes
//! back, the password is hashed all the same, and nothing new is sent (an `unverified` account
//! gets a fresh link instead, the old one dies, and the newest password counts). Sign-ups are
//! counted per portal and address in the shared lockout table, so one address cannot be
//! flooded with verification emails. The same domain rules as invitations apply (`same_domain`,
//! `invalid_email`, `anonymous_domain`, `seat_limit`), refused as field errors.

use crate::invitations::portal_link;
use crate::mail::{enqueue_rendered, wake_delivery};
use crate::portal_accounts::{audit_portal, hash_new_password, plausible_token, redeem_in};
use crate::portal_mfa::SignInStep;
use crate::portal_users::{finish, open, require_seat, wrong_status};
use crate::{AppError, Context, Result, sign_in, sign_in_lockout};

mod personality;
use personality::personality_record;
pub use personality::records_owner;
use portico_auth::{random_token, token_hash};
use portico_domain::access::CrmActor;
use portico_domain::email::EmailAddress;
use portico_domain::org::Org;
use portico_domain::outbox::MailKind;
use portico_domain::password_policy::NewPassword;
use portico_domain::portal::{Portal, PortalStatus, PortalType, UserType};
use portico_domain::portal_user::{
    InviteFailure, InviteeFacts, LinkPurpose, NAME_MAX, NewPortalUser, PortalUser,
    PortalUserStatus, Preferences, check_invitee,
};

use portico_domain::{DomainError, FieldError, Id};
use portico_store::{Page, PortalAccountChange, StoreError, Tx};
use serde::Serialize;
use serde_json::{Value, json};

/// The longest address a sign-up accepts (RFC 5321's path limit).
pub const EMAIL_MAX: usize = 254;

/// What the sign-up page posts. Its `Debug` never shows the passwords.
#[derive(Clone, PartialEq, Eq)]
pub struct SignUpForm {
    pub name: String,
    pub email: String,
    pub password: String,
    pub confirm: String,
}

impl std::fmt::Debug for SignUpForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUpForm")
            .field("name", &self.name)
            .field("email", &self.email)
            .finish_non_exhaustive()
    }
}

/// What the applicant is told; the same whether or not the address already had an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignUpOutcome {
    /// Public portal: a verification link is on its way.
    CheckYourEmail,
    /// Restricted portal: an administrator decides (or the address was approved at once).
    AwaitingApproval,
}

/// A sign-up form that passed every check that needs no database.
struct Applicant {
    name: String,
    email: EmailAddress,
    password: NewPassword,
}

/// Checks the form, reporting every bad field at once: the name (1–200 characters, no control
/// characters), the address (at most 254 characters, the invitation rules `invalid_email` and
/// `same_domain`), the password policy and its confirmation.
fn parse_form(form: &SignUpForm, org_domain: &str) -> Result<Applicant> {
    let mut errors: Vec<FieldError> = Vec::new();
    let name = form.name.trim();
    if name.is_empty() {
        errors.push(FieldError::new("name", "required", "Your name is required"));
    } else if name.chars().count() > NAME_MAX {
        errors.push(FieldError::new(
            "name",
            "too_long",
            format!("The name has at most {NAME_MAX} characters"),
        ));
    } else if portico_domain::text::has_forbidden_chars(name, false) {
        errors.push(FieldError::new(
            "name",
            "invalid_characters",
            "The name may not contain control characters or line breaks",
        ));
    }
    let email = if form.email.len() > EMAIL_MAX {
        errors.push(FieldError::new(
            "email",
            "too_long",
            format!("The email address has at most {EMAIL_MAX} characters"),
        ));
        None
    } else {
        let facts = InviteeFacts {
            in_recycle_bin: false,
            actor_reaches_record: true,
            approval_locked: false,
            in_review: false,
            email: Some(form.email.as_str()),
            lacks_required_consent: false,
        };
        match check_invitee(&facts, org_domain) {
            Ok(e) => Some(e),
            Err(InviteFailure::NoEmail) => {
                errors.push(FieldError::new(
                    "email",
                    "required",
                    "Your email address is required",
                ));
                None
            }
            Err(f) => {
                errors.push(refusal(f));
                None
            }
        }
    };
    let password = match NewPassword::parse(&form.password) {
        Ok(p) => {
            if p.expose() != form.confirm {
                errors.push(FieldError::new(
                    "confirm",
                    "password_mismatch",
                    "The two passwords are not the same",
                ));
            }
            Some(p)
        }
        Err(e) => {
            errors.extend(e.errors().iter().cloned());
            None
        }
    };
    match (email, password) {
        (Some(email), Some(password)) if errors.is_empty() => Ok(Applicant {
            name: name.to_string(),
            email,
            password,
        }),
        _ => Err(AppError::Invalid(DomainError::Invalid(errors))),
    }
}

/// A reason of the invitation rules as a field error on the address.
fn refusal(f: InviteFailure) -> FieldError {
    let message = match f {
        InviteFailure::SameDomain => {
            "This address is on the company's own domain; employees cannot sign up"
        }
        InviteFailure::SeatLimit => "This portal takes no more users at the moment",
        other => other.message(),
    };
    FieldError::new("email", f.code(), message)
}

fn refused(f: InviteFailure) -> AppError {
    AppError::Invalid(DomainError::Invalid(vec![refusal(f)]))
}

/// The user type sign-ups get: the one the settings name, else the portal's default type.
/// None usable (missing or inactive) means the portal takes no sign-ups.
async fn signup_user_type(tx: &mut Tx, portal: &Portal) -> Result<UserType> {
    let types = tx.list_user_types(portal.org_id, portal.id).await?;
    let chosen = match portal.settings.default_user_type_id {
        Some(id) => types.into_iter().find(|t| t.id == id),
        None => types.into_iter().find(|t| t.is_default),
    };
    chosen
        .filter(|t| t.config.active)
        .ok_or_else(|| AppError::Conflict("This portal takes no sign-ups at the moment".into()))
}

/// Signs up to `portal` (see the module's text). Answers the same outcome whether or not the
/// address already had an account; a refusal by the domain or seat rules is a field error on
/// `email` carrying the invitation code.
pub async fn sign_up(ctx: &Context, portal: &Portal, form: SignUpForm) -> Result<SignUpOutcome> {
    if portal.settings.portal_type == PortalType::Private
        || portal.settings.status == PortalStatus::Disabled
    {
        return Err(AppError::NotFound);
    }
    let org_id = portal.org_id;
    let mut reader = ctx.store().reader().await?;
    let org = reader.get_org(org_id).await?;
    let applicant = parse_form(&form, &org.settings.email_domain)?;
    let email = applicant.email.as_str().to_string();
    if crate::email_domains::refused_domain(&mut reader, org_id, &email).await? {
        return Err(refused(InviteFailure::AnonymousDomain));
    }
    let user_type = signup_user_type(&mut reader, portal).await?;
    if reader.seated_portal_users(org_id, user_type.id).await? >= user_type.config.seats {
        return Err(refused(InviteFailure::SeatLimit));
    }
    drop(reader);
    throttle(ctx, portal, &email).await?;
    // Hashed whether or not the address has an account, so both cost the same time.
    let hash = hash_new_password(ctx, applicant.password).await?;
    let now = ctx.now();
    let mut tx = ctx.store().transaction().await?;
    let existing = tx.portal_user_by_email(org_id, portal.id, &email).await?;
    let restricted = portal.settings.portal_type == PortalType::Restricted;
    let preferences = Preferences::from_org(&org.settings);
    let new = NewPortalUser {
        portal_id: portal.id,
        user_type_id: user_type.id,
        record_id: None,
        email: applicant.email,
        name: applicant.name,
        status: if restricted {
            PortalUserStatus::Pending
        } else {
            PortalUserStatus::Unverified
        },
        preferences,
        invited_by: None,
        password_hash: Some(hash.clone()),
    };
    let created = match existing {
        Some(_) => None,
        None => match tx.create_portal_user(org_id, &new, now).await {
            Ok(u) => Some(u),
            // The same address signed up a moment ago: the same answer.
            Err(StoreError::Duplicate { .. }) => None,
            Err(e) => return Err(e.into()),
        },
    };
    let outcome = match (created, restricted) {
        (Some(user), false) => {
            mail_verification(&mut tx, ctx, &org, portal, &user).await?;
            audit_signup(&mut tx, ctx, &user, "portal.signup", json!({})).await?;
            SignUpOutcome::CheckYourEmail
        }
        (Some(user), true) => {
            let auto = auto_approves(&mut tx, &org, portal, &email).await?;
            if auto {
                let user = activate(&mut tx, ctx, portal, &user).await?;
                decide(&mut tx, ctx, &org, portal, &user, true).await?;
            }
            notify_crm_users(&mut tx, ctx, &org, portal, &user, true, auto).await?;
            audit_signup(
                &mut tx,
                ctx,
                &user,
                "portal.signup",
                json!({"auto_approved": auto}),
            )
            .await?;
            SignUpOutcome::AwaitingApproval
        }
        (None, restricted) => {
            repeat_sign_up(&mut tx, ctx, &org, portal, &email, &hash).await?;
            if restricted {
                SignUpOutcome::AwaitingApproval
            } else {
                SignUpOutcome::CheckYourEmail
            }
        }
    };
    tx.commit().await?;
    wake_delivery(ctx);
    Ok(outcome)
}

/// Counts the sign-up under the portal and the address; past the lockout rule's limit the
/// address is refused for a while (429), whatever the answer would have been.
async fn throttle(ctx: &Context, portal: &Portal, email: &str) -> Result<()> {
    let Some(key) = sign_in::sign_in_key(email) else {
        return Err(refused(InviteFailure::InvalidEmail));
    };
    let result = sign_in_lockout::count_attempt(ctx, &format!("signup:{}:{key}", portal.id)).await;
    if matches!(result, Err(AppError::TooManyAttempts)) {
        let mut tx = ctx.store().transaction().await?;
        audit_portal(
            &mut tx,
            portal.org_id,
            &key,
            "portal.signup_locked",
            json!({"portal_id": portal.id}),
            ctx.now(),
        )
        .await?;
        tx.commit().await?;
    }
    result
}

async fn audit_signup(
    tx: &mut Tx,
    ctx: &Context,
    user: &PortalUser,
    action: &str,
    extra: Value,
) -> Result<()> {
    audit_portal(
        tx,
        user.org_id,
        &user.email,
        action,
        json!({"portal_id": user.portal_id, "portal_user_id": user.id, "status": user.status, "detail": extra}),
        ctx.now(),
    )
    .await
}

/// An address that already has an account in the portal signs up again. Nothing changes and
/// nothing is sent, except for an account still waiting for its verification: it gets a new
/// link (the old one dies) and the newest password, since only the address's owner can use it.
async fn repeat_sign_up(
    tx: &mut Tx,
    ctx: &Context,
    org: &Org,
    portal: &Portal,
    email: &str,
    hash: &str,
) -> Result<()> {
    let Some(user) = tx.portal_user_by_email(org.id, portal.id, email).await? else {
        return Ok(());
    };
    let resent = user.status == PortalUserStatus::Unverified;
    if resent {
        let change = PortalAccountChange {
            password_hash: Some(hash.to_string()),
            ..PortalAccountChange::default()
        };
        tx.update_portal_account(org.id, portal.id, user.id, &change, ctx.now())
            .await?;
        mail_verification(tx, ctx, org, portal, &user).await?;
    }
    audit_portal(
        tx,
        org.id,
        &user.email,
        "portal.signup_repeat",
        json!({"portal_id": portal.id, "portal_user_id": user.id, "status": user.status, "verification_resent": resent}),
        ctx.now(),
    )
    .await
}

/// A new verification link for `user` (older ones die) and its email.
async fn mail_verification(
    tx: &mut Tx,
    ctx: &Context,
    org: &Org,
    portal: &Portal,
    user: &PortalUser,
) -> Result<Id> {
    let token = random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let link = tx
        .create_portal_link(
            org.id,
            user.id,
            &token_hash(&token),
            LinkPurpose::Verification,
            ctx.now(),
        )
        .await?;
    let rendered = portico_mail::templates::verification(
        &portico_mail::templates::Verification {
            name: &user.name,
            org: &org.settings.name,
            portal: &portal.name,
            link: &portal_link(ctx, portal, &format!("verify/{token}")),
            expires: &portico_mail::templates::utc_minute(link.expires_at),
        },
        &user.preferences.language,
    )
    .map_err(|e| AppError::Internal(format!("the verification template failed: {e}")))?;
    enqueue_rendered(
        tx,
        ctx,
        org.id,
        MailKind::Verification,
        &user.email,
        rendered,
    )
    .await
}

/// The admin page where a portal's sign-ups are listed.
fn signups_page(ctx: &Context, portal: &Portal) -> String {
    ctx.settings()
        .base_url
        .link(&format!("/admin/setup/portals/{}/signups", portal.id))
}

/// Tells the active CRM users the portal names about a sign-up.
async fn notify_crm_users(
    tx: &mut Tx,
    ctx: &Context,
    org: &Org,
    portal: &Portal,
    user: &PortalUser,
    awaiting_approval: bool,
    auto_approved: bool,
) -> Result<()> {
    let link = signups_page(ctx, portal);
    for id in &portal.settings.signup_notify_user_ids {
        let recipient = match tx.get_user(org.id, *id).await {
            Ok(u) if u.active => u,
            Ok(_) | Err(StoreError::NotFound) => continue,
            Err(e) => return Err(e.into()),
        };
        let rendered = portico_mail::templates::signup_notice(
            &portico_mail::templates::SignupNotice {
                recipient: &recipient.name,
                applicant: &user.name,
                applicant_email: &user.email,
                portal: &portal.name,
                awaiting_approval: awaiting_approval && !auto_approved,
                auto_approved,
                link: &link,
            },
            &org.settings.language,
        )
        .map_err(|e| AppError::Internal(format!("the sign-up notice template failed: {e}")))?;
        enqueue_rendered(
            tx,
            ctx,
            org.id,
            MailKind::SignupNotice,
            recipient.email.as_str(),
            rendered,
        )
        .await?;
    }
    Ok(())
}

/// Tells the applicant to a restricted portal the decision, when the portal says so.
async fn decide(
    tx: &mut Tx,
    ctx: &Context,
    org: &Org,
    portal: &Portal,
    user: &PortalUser,
    approved: bool,
) -> Result<Option<Id>> {
    if !portal.settings.notify_applicant {
        return Ok(None);
    }
    let rendered = portico_mail::templates::signup_decision(
        &portico_mail::templates::SignupDecision {
            name: &user.name,
            org: &org.settings.name,
            portal: &portal.name,
            approved,
            link: &portal_link(ctx, portal, ""),
        },
        &user.preferences.language,
    )
    .map_err(|e| AppError::Internal(format!("the decision template failed: {e}")))?;
    let id = enqueue_rendered(
        tx,
        ctx,
        org.id,
        MailKind::SignupDecision,
        &user.email,
        rendered,
    )
    .await?;
    Ok(Some(id))
}

/// Whether a restricted portal approves `email` at once: it auto-approves existing contacts
/// and a live Contacts record has that address.
async fn auto_approves(tx: &mut Tx, org: &Org, portal: &Portal, email: &str) -> Result<bool> {
    if !portal.settings.auto_approve_contacts {
        return Ok(false);
    }
    let contacts = match tx.get_module(org.id, "Contacts").await {
        Ok(m) => m,
        Err(StoreError::NotFound) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    Ok(tx
        .live_record_by_email(org.id, contacts.id, email, None)
        .await?
        .is_some())
}

/// Makes a waiting sign-up a usable account: a seat of its user type, its personality record
/// (linked or created), status active.
async fn activate(
    tx: &mut Tx,
    ctx: &Context,
    portal: &Portal,
    user: &PortalUser,
) -> Result<PortalUser> {
    let org = user.org_id;
    let user_type = tx.get_user_type(org, portal.id, user.user_type_id).await?;
    require_seat(tx, org, &user_type)
        .await
        .map_err(|e| match e {
            AppError::InviteRefused(f) => refused(f),
            other => other,
        })?;
    let record_id = personality_record(tx, ctx, portal, &user_type, user).await?;
    let change = PortalAccountChange {
        record_id: Some(record_id),
        ..PortalAccountChange::default()
    };
    tx.update_portal_account(org, portal.id, user.id, &change, ctx.now())
        .await?;
    Ok(tx
        .set_portal_user_status(org, portal.id, user.id, PortalUserStatus::Active, ctx.now())
        .await?)
}

/// Opens a verification link of `portal`: the account becomes active with its personality
/// record, the CRM users the portal names are told, and the user is signed in (or, on a portal
/// that enforces MFA, sent to enrol first), like accepting an invitation. The link works once; an unknown, used,
/// expired or other portal's link is [`AppError::NotFound`], whatever the reason.
pub async fn verify_email(
    ctx: &Context,
    portal: &Portal,
    token: &str,
    replaces: Option<&str>,
) -> Result<SignInStep> {
    if !plausible_token(token) {
        return Err(AppError::NotFound);
    }
    let now = ctx.now();
    let mut tx = ctx.store().transaction().await?;
    let user = redeem_in(&mut tx, portal, token, LinkPurpose::Verification, now).await?;
    let org = tx.get_org(user.org_id).await?;
    let user = activate(&mut tx, ctx, portal, &user).await?;
    notify_crm_users(&mut tx, ctx, &org, portal, &user, false, false).await?;
    let step = crate::portal_mfa::after_password(&mut tx, portal, &user, replaces, now).await?;
    audit_signup(
        &mut tx,
        ctx,
        &user,
        "portal.verify",
        json!({"record_id": user.record_id}),
    )
    .await?;
    tx.commit().await?;
    wake_delivery(ctx);
    tracing::info!(
        portal_user = user.id,
        portal = portal.id,
        "sign-up verified"
    );
    Ok(step)
}

/// A page of the portal's sign-ups waiting for a decision, newest first (administrators).
pub async fn list_signups(
    ctx: &Context,
    actor: &CrmActor,
    portal_id: Id,
    after: Option<Id>,
    limit: Option<i64>,
) -> Result<Page<PortalUser>> {
    crate::portal_users::list_users(
        ctx,
        actor,
        portal_id,
        Some(PortalUserStatus::Pending),
        after,
        limit,
    )
    .await
}

/// Approves a pending sign-up: it takes a seat, gets its personality record, becomes active
/// with the password the applicant chose, and the applicant is told when the portal says so.
pub async fn approve(ctx: &Context, actor: &CrmActor, portal_id: Id, id: Id) -> Result<PortalUser> {
    let (mut tx, user) = open(ctx, actor, portal_id, id).await?;
    if user.status != PortalUserStatus::Pending {
        return Err(wrong_status(&user, "pending sign-ups can be approved"));
    }
    let portal = tx.get_portal(user.org_id, portal_id).await?;
    let org = tx.get_org(user.org_id).await?;
    let user = activate(&mut tx, ctx, &portal, &user).await?;
    let mail_id = decide(&mut tx, ctx, &org, &portal, &user, true).await?;
    finish(
        tx,
        ctx,
        actor,
        "portal.signup_approve",
        &user,
        json!({"record_id": user.record_id, "mail_id": mail_id}),
    )
    .await?;
    wake_delivery(ctx);
    Ok(user)
}

/// Rejects a pending sign-up: the account is removed (the audit log keeps the decision), and
/// the applicant is told when the portal says so.
pub async fn reject(ctx: &Context, actor: &CrmActor, portal_id: Id, id: Id) -> Result<()> {
    let (mut tx, user) = open(ctx, actor, portal_id, id).await?;
    if user.status != PortalUserStatus::Pending {
        return Err(wrong_status(&user, "pending sign-ups can be rejected"));
    }
    let portal = tx.get_portal(user.org_id, portal_id).await?;
    let org = tx.get_org(user.org_id).await?;
    tx.delete_portal_user(user.org_id, portal_id, user.id)
        .await?;
    let mail_id = decide(&mut tx, ctx, &org, &portal, &user, false).await?;
    finish(
        tx,
        ctx,
        actor,
        "portal.signup_reject",
        &user,
        json!({"mail_id": mail_id}),
    )
    .await?;
    wake_delivery(ctx);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(name: &str, email: &str, password: &str, confirm: &str) -> SignUpForm {
        SignUpForm {
            name: name.into(),
            email: email.into(),
            password: password.into(),
            confirm: confirm.into(),
        }
    }

    fn codes(e: AppError) -> Vec<(String, &'static str)> {
        e.field_errors()
            .iter()
            .map(|f| (f.field.clone(), f.code))
            .collect()
    }

    #[test]
    fn a_form_reports_every_bad_field() {
        let ok = parse_form(
            &form(
                " Ann Lee ",
                "ann@customer.com",
                "long enough pass",
                "long enough pass",
            ),
            "zylker.com",
        )
        .map(|a| (a.name, a.email.as_str().to_string()));
        assert_eq!(
            ok.ok(),
            Some(("Ann Lee".to_string(), "ann@customer.com".to_string()))
        );
        let e = parse_form(&form("", "", "short", "short"), "zylker.com").err();
        assert_eq!(
            codes(e.unwrap()),
            [
                ("name".into(), "required"),
                ("email".into(), "required"),
                ("password".into(), "password_too_short")
            ]
        );
        let long = "a".repeat(201);
        let address = format!("{}@customer.com", "a".repeat(250));
        let e = parse_form(&form(&long, &address, "long enough pass", "other"), "z.com").err();
        assert_eq!(
            codes(e.unwrap()),
            [
                ("name".into(), "too_long"),
                ("email".into(), "too_long"),
                ("confirm".into(), "password_mismatch")
            ]
        );
        for (name, email, code) in [
            ("Ann\u{7}", "ann@customer.com", "invalid_characters"),
            ("Ann", "ann!@customer.com", "invalid_email"),
            ("Ann", "it@eu.zylker.com", "same_domain"),
        ] {
            let e = parse_form(
                &form(name, email, "long enough pass", "long enough pass"),
                "zylker.com",
            );
            assert_eq!(codes(e.err().unwrap())[0].1, code, "{name} {email}");
        }
    }
}
