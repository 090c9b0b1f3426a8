//! A signed-in portal user's account page: changing the password and the sign-in address.
//!
//! - **Password**: the current password is checked under the same shared lockout as a sign-in
//!   (a wrong one counts as a failed sign-in of the account's address); the new one follows
//!   the policy. Every other session of the account ends, this browser gets a new session,
//!   and the account's address is told ("your password was changed").
//! - **Email** (only when the portal allows it): the current password again, and the new
//!   address must pass the invitation rules that apply (valid, not the company's own domain,
//!   not disposable or blocked). The answer is the same whether or not another account of
//!   the portal has the address; only a free address gets the single-use link (24 hours).
//!   Opening the link changes nothing; confirming it changes the address (its uniqueness
//!   checked again in that transaction), ends every session and tells the old address.

use crate::portal_accounts::{
    PortalSignedIn, account_in, audit_portal, hash_new_password, plausible_token, redeem_in,
    start_session_in,
};
use crate::{AppError, Context, Result, sign_in, sign_in_lockout};
use portico_auth::{random_token, token_hash, verify_password_in};
use portico_domain::outbox::MailKind;
use portico_domain::password_policy::NewPassword;
use portico_domain::portal::Portal;
use portico_domain::portal_user::{
    InviteFailure, InviteeFacts, LinkPurpose, PortalUser, PortalUserStatus, check_invitee,
    email_key,
};
use portico_store::{PortalAccountChange, Tx};
use serde_json::json;

/// The longest address accepted (RFC 5321's path limit).
const EMAIL_MAX: usize = 254;

fn wrong_password(field: &str) -> AppError {
    AppError::invalid(field, "wrong_password", "This is not your current password")
}

/// Checks the signed-in user's current password under the shared sign-in lockout (the same
/// key as signing in with the account's address): a wrong one is a failed attempt, audited;
/// too many answer [`AppError::TooManyAttempts`]. The error names `field`.
pub(crate) async fn check_current_password(
    ctx: &Context,
    me: &PortalSignedIn,
    password: &str,
    field: &str,
) -> Result<()> {
    let (org, portal) = (me.user.org_id, me.portal.id);
    let Some(key) = sign_in::sign_in_key(&me.user.email) else {
        return Err(wrong_password(field));
    };
    let lockout_key = format!("portal:{portal}:{key}");
    sign_in_lockout::count_attempt(ctx, &lockout_key).await?;
    let found = ctx.store().portal_login(org, portal, &key).await?;
    let (id, password) = (me.user.id, password.to_string());
    let ok = ctx
        .passwords()
        .run(move |memory| match found {
            Some((user, Some(hash))) if user.id == id => {
                verify_password_in(&password, &hash, memory)
            }
            _ => false,
        })
        .await?;
    if !ok {
        let mut tx = ctx.store().transaction().await?;
        audit_portal(
            &mut tx,
            org,
            &me.user.email,
            "portal.password_check_failed",
            json!({"portal_id": portal, "portal_user_id": me.user.id, "ip": me.ip}),
            ctx.now(),
        )
        .await?;
        tx.commit().await?;
        return Err(wrong_password(field));
    }
    sign_in_lockout::clear(ctx, &lockout_key).await
}

/// Renders and queues a mail to `to` in `tx`.
async fn queue_mail<E: std::fmt::Display>(
    tx: &mut Tx,
    ctx: &Context,
    user: &PortalUser,
    kind: MailKind,
    to: &str,
    rendered: std::result::Result<portico_mail::templates::Rendered, E>,
) -> Result<()> {
    let rendered = rendered
        .map_err(|e| AppError::Internal(format!("the {} template failed: {e}", kind.as_str())))?;
    crate::mail::enqueue_rendered(tx, ctx, user.org_id, kind, to, rendered).await?;
    Ok(())
}

/// Changes the signed-in user's password (see the module's text). Answers the new session's
/// secret for this browser: every session of the account, this one included, has ended.
pub async fn change_password(
    ctx: &Context,
    me: &PortalSignedIn,
    current: &str,
    new: &str,
    confirm: &str,
) -> Result<String> {
    let password = NewPassword::parse(new).map_err(|e| {
        // The policy speaks of `password`; on this form the field is `new_password`.
        AppError::Invalid(portico_domain::DomainError::Invalid(
            e.errors()
                .iter()
                .map(|f| portico_domain::FieldError {
                    field: "new_password".into(),
                    ..f.clone()
                })
                .collect(),
        ))
    })?;
    if password.expose() != confirm {
        return Err(AppError::invalid(
            "confirm",
            "password_mismatch",
            "The two passwords are not the same",
        ));
    }
    check_current_password(ctx, me, current, "current_password").await?;
    let hash = hash_new_password(ctx, password).await?;
    let (portal, now) = (&me.portal, ctx.now());
    let mut tx = ctx.store().transaction().await?;
    let change = PortalAccountChange {
        password_hash: Some(hash),
        ..PortalAccountChange::default()
    };
    let user = tx
        .update_portal_account(me.user.org_id, portal.id, me.user.id, &change, now)
        .await?;
    let ended = tx.end_portal_user_sessions(user.org_id, user.id).await?;
    let session = start_session_in(&mut tx, &user, None, now).await?;
    audit_portal(
        &mut tx,
        user.org_id,
        &user.email,
        "portal.password_changed",
        json!({"portal_id": portal.id, "portal_user_id": user.id, "ip": me.ip, "sessions_ended": ended}),
        now,
    )
    .await?;
    let org = tx.get_org(user.org_id).await?;
    let link = crate::invitations::portal_link(ctx, portal, "forgot");
    let rendered = portico_mail::templates::password_changed(
        &portico_mail::templates::PasswordChanged {
            name: &user.name,
            org: &org.settings.name,
            portal: &portal.name,
            link: &link,
        },
        &user.preferences.language,
    );
    queue_mail(
        &mut tx,
        ctx,
        &user,
        MailKind::PasswordChanged,
        &user.email,
        rendered,
    )
    .await?;
    tx.commit().await?;
    crate::mail::wake_delivery(ctx);
    Ok(session)
}

/// The new address as the invitation rules see it, as a field error on `new_email`.
fn parse_new_email(input: &str, org_domain: &str) -> Result<String> {
    let input = input.trim();
    if input.len() > EMAIL_MAX {
        return Err(AppError::invalid(
            "new_email",
            "too_long",
            format!("The email address has at most {EMAIL_MAX} characters"),
        ));
    }
    let facts = InviteeFacts {
        in_recycle_bin: false,
        actor_reaches_record: true,
        approval_locked: false,
        in_review: false,
        email: Some(input),
        lacks_required_consent: false,
    };
    match check_invitee(&facts, org_domain) {
        Ok(e) => Ok(e.as_str().to_string()),
        Err(InviteFailure::NoEmail) => Err(AppError::invalid(
            "new_email",
            "required",
            "Enter the new email address",
        )),
        Err(InviteFailure::SameDomain) => Err(AppError::invalid(
            "new_email",
            InviteFailure::SameDomain.code(),
            "This address is on the company's own domain",
        )),
        Err(f) => Err(AppError::invalid("new_email", f.code(), f.message())),
    }
}

/// Asks to sign in with `new_email` from now on (see the module's text). `Ok` is the one
/// answer whether or not the address was free; a refusal is a field error (`password`,
/// `new_email`), [`AppError::Forbidden`] when the portal does not allow changes, or
/// [`AppError::TooManyAttempts`].
pub async fn request_email_change(
    ctx: &Context,
    me: &PortalSignedIn,
    password: &str,
    new_email: &str,
) -> Result<()> {
    let portal = &me.portal;
    if !portal.settings.allow_email_change {
        return Err(AppError::Forbidden(
            "This portal does not let you change your email address".into(),
        ));
    }
    let org = ctx.store().get_org(me.user.org_id).await?;
    let new_email = parse_new_email(new_email, &org.settings.email_domain)?;
    if email_key(&new_email) == email_key(&me.user.email) {
        return Err(AppError::invalid(
            "new_email",
            "same_email",
            "This is already your email address",
        ));
    }
    // At most five requests in 15 minutes for one account, so nobody floods an inbox.
    sign_in_lockout::count_attempt(ctx, &format!("email-change:{}:{}", portal.id, me.user.id))
        .await?;
    check_current_password(ctx, me, password, "password").await?;
    let now = ctx.now();
    let mut tx = ctx.store().transaction().await?;
    if crate::email_domains::refused_domain(&mut tx, me.user.org_id, &new_email).await? {
        return Err(AppError::invalid(
            "new_email",
            InviteFailure::AnonymousDomain.code(),
            InviteFailure::AnonymousDomain.message(),
        ));
    }
    let user = account_in(
        &mut tx,
        portal,
        me.user.org_id,
        me.user.id,
        PortalUserStatus::Active,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let taken = tx
        .portal_user_by_email(user.org_id, portal.id, &new_email)
        .await?
        .is_some();
    if !taken {
        let token = random_token().map_err(|e| AppError::Internal(e.to_string()))?;
        let link = tx
            .create_email_change_link(user.org_id, user.id, &token_hash(&token), &new_email, now)
            .await?;
        let url = crate::invitations::portal_link(ctx, portal, &format!("email-change/{token}"));
        let rendered = portico_mail::templates::email_change(
            &portico_mail::templates::EmailChange {
                name: &user.name,
                org: &org.settings.name,
                portal: &portal.name,
                link: &url,
                expires: &portico_mail::templates::utc_minute(link.expires_at),
            },
            &user.preferences.language,
        );
        queue_mail(
            &mut tx,
            ctx,
            &user,
            MailKind::EmailChange,
            &new_email,
            rendered,
        )
        .await?;
    }
    // The audit log (admins only) may say what the user was not told.
    audit_portal(
        &mut tx,
        user.org_id,
        &user.email,
        "portal.email_change_requested",
        json!({"portal_id": portal.id, "portal_user_id": user.id, "ip": me.ip, "link_sent": !taken}),
        now,
    )
    .await?;
    tx.commit().await?;
    if !taken {
        crate::mail::wake_delivery(ctx);
    }
    Ok(())
}

/// The account and the new address an email-change link of `portal` would confirm, while the
/// link is usable; `None` for anything else (one page for every dead link). Reading it uses
/// nothing up.
pub async fn email_change_link(
    ctx: &Context,
    portal: &Portal,
    token: &str,
) -> Result<Option<(PortalUser, String)>> {
    if !plausible_token(token) {
        return Ok(None);
    }
    let mut reader = ctx.store().reader().await?;
    let Some(found) = reader
        .usable_email_change(&token_hash(token), ctx.now())
        .await?
    else {
        return Ok(None);
    };
    let user = account_in(
        &mut reader,
        portal,
        found.link.org_id,
        found.link.portal_user_id,
        PortalUserStatus::Active,
    )
    .await?;
    Ok(user.map(|u| (u, found.new_email)))
}

/// `n***@example.com`: enough for the owner to recognise, little for anyone else.
pub fn masked_email(email: &str) -> String {
    match email.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// Confirms an email-change link: the account's address becomes the new one (once; a link
/// that cannot be used is [`AppError::NotFound`]; an address another account took meanwhile
/// is [`AppError::Conflict`] and changes nothing), every session of the account ends and the
/// old address is told.
pub async fn confirm_email_change(
    ctx: &Context,
    portal: &Portal,
    token: &str,
) -> Result<PortalUser> {
    if !plausible_token(token) || !portal.settings.allow_email_change {
        return Err(AppError::NotFound);
    }
    let now = ctx.now();
    let mut tx = ctx.store().transaction().await?;
    let found = tx
        .usable_email_change(&token_hash(token), now)
        .await?
        .ok_or(AppError::NotFound)?;
    let user = redeem_in(&mut tx, portal, token, LinkPurpose::EmailChange, now).await?;
    if crate::email_domains::refused_domain(&mut tx, user.org_id, &found.new_email).await? {
        return Err(AppError::Conflict(
            "This address can no longer be used on this portal".into(),
        ));
    }
    let changed = match tx
        .set_portal_user_email(user.org_id, portal.id, user.id, &found.new_email, now)
        .await
    {
        Ok(u) => u,
        Err(portico_store::StoreError::Duplicate { .. }) => {
            return Err(AppError::Conflict(
                "This address is already used by another account of this portal".into(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    tx.end_portal_user_sessions(user.org_id, user.id).await?;
    audit_portal(
        &mut tx,
        user.org_id,
        &changed.email,
        "portal.email_changed",
        json!({"portal_id": portal.id, "portal_user_id": user.id, "from": user.email, "to": changed.email}),
        now,
    )
    .await?;
    let org = tx.get_org(user.org_id).await?;
    let masked = masked_email(&changed.email);
    let rendered = portico_mail::templates::email_changed(
        &portico_mail::templates::EmailChanged {
            name: &user.name,
            org: &org.settings.name,
            portal: &portal.name,
            masked: &masked,
        },
        &user.preferences.language,
    );
    queue_mail(
        &mut tx,
        ctx,
        &user,
        MailKind::EmailChanged,
        &user.email,
        rendered,
    )
    .await?;
    tx.commit().await?;
    crate::mail::wake_delivery(ctx);
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked() {
        assert_eq!(masked_email("nora@example.com"), "n***@example.com");
        assert_eq!(masked_email("é@x.example"), "é***@x.example");
        assert_eq!(masked_email("nobody"), "***");
    }

    #[test]
    fn new_addresses_follow_the_invitation_rules() {
        assert_eq!(
            parse_new_email(" nora@client.example ", "northwind.example").unwrap(),
            "nora@client.example"
        );
        let code = |e: &str| {
            parse_new_email(e, "northwind.example")
                .unwrap_err()
                .field_errors()[0]
                .code
        };
        assert_eq!(code("not an address"), "invalid_email");
        assert_eq!(code("it@northwind.example"), "same_domain");
        assert_eq!(code(""), "required");
        assert_eq!(code(&format!("{}@x.example", "a".repeat(260))), "too_long");
    }
}
