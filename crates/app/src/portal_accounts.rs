//! Portal accounts from the portal user's side: accepting an invitation (choose a password,
//! then sign in), signing in and out with a password, server-side portal sessions, and the
//! account's preferences.
//!
//! Sessions: a random id in a cookie, only its SHA-256 stored, a new id at every sign-in; an
//! absolute lifetime, and the portal's idle timeout when it sets one. A session belongs to one
//! portal: its cookie opens nothing on another. Deactivating or removing the account ends its
//! sessions at once (and a session of an account that is no longer active is refused anyway).

use crate::portal_mfa::{self, SignInStep};
use crate::{AppError, Context, Result, sign_in, sign_in_lockout};
use portico_auth::{
    hash_password_in, random_token, token_hash, verify_password_in, verify_unknown_in,
};
use portico_domain::outbox::MailKind;
use portico_domain::password_policy::NewPassword;
use portico_domain::portal::{Portal, UserType};
use portico_domain::portal_user::{LinkPurpose, PortalUser, PortalUserStatus, Preferences};
use portico_domain::{Id, Millis};
use portico_store::{PortalAccountChange, PortalSession, Tx};
use serde_json::json;

/// How long a portal session lives, however active: 12 hours.
pub const SESSION_ABSOLUTE_MS: Millis = 12 * 60 * 60 * 1000;

/// A signed-in portal user: the account, the portal, and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct PortalSignedIn {
    pub user: PortalUser,
    pub portal: Portal,
    pub csrf: String,
    /// The address the request came from, as the web layer saw it (for the audit log and the
    /// per-address limits); `None` when it is not known.
    pub ip: Option<String>,
    /// The user's scope (user type, config version, own record) when it was read with the
    /// session ([`visit`]); `None`: [`crate::scoped_records::ScopedRecords`] reads it.
    pub scope: Option<portico_store::PortalScopeRow>,
}

/// Audits an action of (or about) a portal account; the actor is written `portal:{email}`.
pub(crate) async fn audit_portal(
    tx: &mut Tx,
    org: Id,
    who: &str,
    action: &str,
    detail: serde_json::Value,
    now: Millis,
) -> Result<()> {
    Ok(tx
        .record_audit(org, &format!("portal:{who}"), action, &detail, now)
        .await?)
}

fn new_secrets() -> Result<(String, String)> {
    match (random_token(), random_token()) {
        (Ok(t), Ok(c)) => Ok((t, c)),
        _ => Err(AppError::Internal("random source failed".into())),
    }
}

/// Starts a session for `user` in `tx`; answers its secret (the cookie value).
pub(crate) async fn start_session_in(
    tx: &mut Tx,
    user: &PortalUser,
    replaces: Option<&str>,
    now: Millis,
) -> Result<String> {
    let (token, csrf) = new_secrets()?;
    if let Some(old) = replaces {
        tx.delete_portal_session(&token_hash(old)).await?;
    }
    let session = PortalSession {
        org_id: user.org_id,
        portal_id: user.portal_id,
        portal_user_id: user.id,
        csrf_token: csrf,
        created_at: now,
        last_seen_at: now,
        expires_at: now.saturating_add(SESSION_ABSOLUTE_MS),
    };
    tx.create_portal_session(&token_hash(&token), &session)
        .await?;
    Ok(token)
}

/// The invited account an invitation link of `portal` opens, while the link is usable (unused,
/// unexpired, still bound to the account's address) and the account still waits for it.
/// Anything else — unknown, used, expired, another portal's — is `None`, and the page says
/// the same thing for all of them.
pub async fn invitation(ctx: &Context, portal: &Portal, token: &str) -> Result<Option<PortalUser>> {
    waiting_account(ctx, portal, token, LinkPurpose::Invitation).await
}

/// The unverified account a verification link of `portal` opens, on the same terms as
/// [`invitation`]; reading it uses nothing up (the confirmation page asks first, so a mail
/// scanner that opens the link does not activate the account).
pub async fn verification(
    ctx: &Context,
    portal: &Portal,
    token: &str,
) -> Result<Option<PortalUser>> {
    waiting_account(ctx, portal, token, LinkPurpose::Verification).await
}

async fn waiting_account(
    ctx: &Context,
    portal: &Portal,
    token: &str,
    purpose: LinkPurpose,
) -> Result<Option<PortalUser>> {
    if !plausible_token(token) {
        return Ok(None);
    }
    let mut reader = ctx.store().reader().await?;
    let Some(link) = reader
        .usable_portal_link(&token_hash(token), purpose, ctx.now())
        .await?
    else {
        return Ok(None);
    };
    account_in(
        &mut reader,
        portal,
        link.org_id,
        link.portal_user_id,
        waiting_status(purpose),
    )
    .await
}

/// The status an account has while a link of `purpose` waits to be used.
fn waiting_status(purpose: LinkPurpose) -> PortalUserStatus {
    match purpose {
        LinkPurpose::Invitation => PortalUserStatus::Invited,
        LinkPurpose::Verification => PortalUserStatus::Unverified,
        LinkPurpose::Reset | LinkPurpose::EmailChange => PortalUserStatus::Active,
    }
}

/// The account `id` of `portal` (a link's, so `org` is checked against the portal's) while it
/// is in `status`; `None` otherwise.
pub(crate) async fn account_in(
    tx: &mut Tx,
    portal: &Portal,
    org: Id,
    id: Id,
    status: PortalUserStatus,
) -> Result<Option<PortalUser>> {
    if org != portal.org_id {
        return Ok(None);
    }
    match tx.get_portal_user(org, portal.id, id).await {
        Ok(u) if u.status == status => Ok(Some(u)),
        Ok(_) | Err(portico_store::StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Uses the link `token` of `purpose` in `tx` (once: of concurrent redemptions exactly one
/// wins) and answers its account of `portal`, which must still wait for it (invited for an
/// invitation, unverified for a verification). Anything else is [`AppError::NotFound`].
pub(crate) async fn redeem_in(
    tx: &mut Tx,
    portal: &Portal,
    token: &str,
    purpose: LinkPurpose,
    now: Millis,
) -> Result<PortalUser> {
    let waiting = waiting_status(purpose);
    let link = tx
        .redeem_portal_link(&token_hash(token), purpose, now)
        .await?
        .ok_or(AppError::NotFound)?;
    account_in(tx, portal, link.org_id, link.portal_user_id, waiting)
        .await?
        .ok_or(AppError::NotFound)
}

/// A token as this system writes them: 64 hex digits. Anything else is not looked up.
pub(crate) fn plausible_token(token: &str) -> bool {
    token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Accepts an invitation: checks the password against the policy, uses the link (once — of
/// concurrent acceptances exactly one wins), sets the password, activates the account and signs
/// it in. Answers the session secret and the account. A link that cannot be used is
/// [`AppError::NotFound`], whatever the reason.
pub async fn accept_invitation(
    ctx: &Context,
    portal: &Portal,
    token: &str,
    password: &str,
    confirm: &str,
    replaces: Option<&str>,
) -> Result<SignInStep> {
    let chosen = ChosenPassword {
        password,
        confirm,
        replaces,
    };
    password_by_link(ctx, portal, token, LinkPurpose::Invitation, chosen).await
}

/// Uses a "Forgot your password?" link: like accepting an invitation, but the account is
/// already active, and every other session of it ends (whoever knew the old password is
/// signed out). A link that cannot be used is [`AppError::NotFound`].
pub async fn reset_password(
    ctx: &Context,
    portal: &Portal,
    token: &str,
    password: &str,
    confirm: &str,
    replaces: Option<&str>,
) -> Result<SignInStep> {
    let chosen = ChosenPassword {
        password,
        confirm,
        replaces,
    };
    password_by_link(ctx, portal, token, LinkPurpose::Reset, chosen).await
}

/// A password typed twice into a link's form, and the browser's previous session.
struct ChosenPassword<'a> {
    password: &'a str,
    confirm: &'a str,
    replaces: Option<&'a str>,
}

/// The password step of an invitation or a reset link, in one transaction: the link used (once),
/// the password set, the account active, the new session and the audit row.
async fn password_by_link(
    ctx: &Context,
    portal: &Portal,
    token: &str,
    purpose: LinkPurpose,
    chosen: ChosenPassword<'_>,
) -> Result<SignInStep> {
    // The link first: a dead link answers the same whatever password came with it (and costs
    // no password hash).
    if waiting_account(ctx, portal, token, purpose)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let password = NewPassword::parse(chosen.password)?;
    if password.expose() != chosen.confirm {
        return Err(AppError::invalid(
            "confirm",
            "password_mismatch",
            "The two passwords are not the same",
        ));
    }
    let hash = hash_new_password(ctx, password).await?;
    let now = ctx.now();
    let mut tx = ctx.store().transaction().await?;
    let user = redeem_in(&mut tx, portal, token, purpose, now).await?;
    let change = PortalAccountChange {
        password_hash: Some(hash),
        ..PortalAccountChange::default()
    };
    tx.update_portal_account(user.org_id, portal.id, user.id, &change, now)
        .await?;
    let (user, action) = match purpose {
        LinkPurpose::Reset => {
            tx.end_portal_user_sessions(user.org_id, user.id).await?;
            (user, "portal.password_reset")
        }
        _ => {
            let active = tx
                .set_portal_user_status(
                    user.org_id,
                    portal.id,
                    user.id,
                    PortalUserStatus::Active,
                    now,
                )
                .await?;
            (active, "portal.accept")
        }
    };
    // The new password signs in as a typed one does: an account with MFA (or on a portal that
    // enforces it) still gives its code, so a reset link never gets round it.
    let step = portal_mfa::after_password(&mut tx, portal, &user, chosen.replaces, now).await?;
    audit_portal(
        &mut tx,
        user.org_id,
        &user.email,
        action,
        json!({"portal_id": portal.id, "portal_user_id": user.id}),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(
        portal_user = user.id,
        portal = portal.id,
        action,
        "password set by link"
    );
    Ok(step)
}

/// The account a password-reset link of `portal` opens, on the same terms as [`invitation`].
pub async fn password_reset_link(
    ctx: &Context,
    portal: &Portal,
    token: &str,
) -> Result<Option<PortalUser>> {
    waiting_account(ctx, portal, token, LinkPurpose::Reset).await
}

/// "Forgot your password?": when `email` is an active account of `portal`, emails it a reset
/// link (valid one hour; a newer request kills the older link). The answer is the same
/// whether or not the account exists; requests count in the shared lockout table under the
/// portal and the address (five in 15 minutes), so nobody can flood an inbox.
pub async fn request_password_reset(ctx: &Context, portal: &Portal, email: &str) -> Result<()> {
    let Some(key) = sign_in::sign_in_key(email) else {
        return Ok(());
    };
    sign_in_lockout::count_attempt(ctx, &format!("reset:{}:{key}", portal.id)).await?;
    let now = ctx.now();
    let mut tx = ctx.store().transaction().await?;
    let found = tx
        .portal_user_by_email(portal.org_id, portal.id, &key)
        .await?;
    let Some(user) = found.filter(|u| u.status == PortalUserStatus::Active) else {
        return Ok(());
    };
    let token = random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let link = tx
        .create_portal_link(
            user.org_id,
            user.id,
            &token_hash(&token),
            LinkPurpose::Reset,
            now,
        )
        .await?;
    let org = tx.get_org(user.org_id).await?;
    let rendered = portico_mail::templates::password_reset(
        &portico_mail::templates::PasswordReset {
            name: &user.name,
            org: &org.settings.name,
            portal: &portal.name,
            link: &crate::invitations::portal_link(ctx, portal, &format!("reset/{token}")),
            expires: &portico_mail::templates::utc_minute(link.expires_at),
        },
        &user.preferences.language,
    )
    .map_err(|e| AppError::Internal(format!("the reset template failed: {e}")))?;
    crate::mail::enqueue_rendered(
        &mut tx,
        ctx,
        user.org_id,
        MailKind::PasswordReset,
        &user.email,
        rendered,
    )
    .await?;
    audit_portal(
        &mut tx,
        user.org_id,
        &user.email,
        "portal.password_reset_requested",
        json!({"portal_id": portal.id, "portal_user_id": user.id}),
        now,
    )
    .await?;
    tx.commit().await?;
    crate::mail::wake_delivery(ctx);
    Ok(())
}

/// Hashes a password that passed the policy, on the password threads.
pub(crate) async fn hash_new_password(ctx: &Context, password: NewPassword) -> Result<String> {
    let password = password.expose().to_string();
    ctx.passwords()
        .run(move |memory| hash_password_in(&password, memory))
        .await?
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

pub(crate) fn invalid_credentials() -> AppError {
    AppError::invalid(
        "password",
        "invalid_credentials",
        "The email address or password is not right",
    )
}

/// A refused sign-in (`action`: failed or locked): counted against the client's address and
/// audited under the address typed.
async fn refused_attempt(
    ctx: &Context,
    portal: &Portal,
    key: &str,
    action: &str,
    ip: Option<&str>,
) -> Result<()> {
    sign_in_lockout::count_address_failure(ctx, "portal-sign-in", ip).await?;
    let mut tx = ctx.store().transaction().await?;
    let detail = json!({"portal_id": portal.id, "ip": ip});
    audit_portal(&mut tx, portal.org_id, key, action, detail, ctx.now()).await?;
    Ok(tx.commit().await?)
}

/// Signs in to `portal` with a password. The lockout every instance shares counts the attempt
/// first (under the portal and the address); an unknown address costs the same time as a
/// known one and gets the same answer as a wrong password, and so do an account that is not
/// active and a locked one (a lockout tells nobody the account exists). Besides, the client's
/// address `ip` has its own limit across accounts ([`AppError::TooManyAttempts`]). A correct
/// password leads to a session or to the MFA step ([`SignInStep`]). Success, failure and
/// lockout are audited.
pub async fn sign_in(
    ctx: &Context,
    portal: &Portal,
    email: &str,
    password: &str,
    (ip, replaces): (Option<&str>, Option<&str>),
) -> Result<SignInStep> {
    sign_in_lockout::address_open(ctx, "portal-sign-in", ip).await?;
    let Some(key) = sign_in::sign_in_key(email) else {
        return Err(invalid_credentials());
    };
    let lockout_key = format!("portal:{}:{key}", portal.id);
    let org = portal.org_id;
    if let Err(e) = sign_in_lockout::count_attempt(ctx, &lockout_key).await {
        if !matches!(e, AppError::TooManyAttempts) {
            return Err(e);
        }
        refused_attempt(ctx, portal, &key, "portal.sign_in_locked", ip).await?;
        // A wrong password's time and answer: the lockout is not a signal that the account
        // exists.
        let password = password.to_string();
        ctx.passwords()
            .run(move |memory| verify_unknown_in(&password, memory))
            .await?;
        return Err(invalid_credentials());
    }
    let found = ctx.store().portal_login(org, portal.id, &key).await?;
    let password = password.to_string();
    let opened = ctx
        .passwords()
        .run(move |memory| match found {
            Some((user, Some(hash))) => {
                let ok = verify_password_in(&password, &hash, memory);
                (ok && user.status == PortalUserStatus::Active).then_some(user)
            }
            _ => {
                verify_unknown_in(&password, memory);
                None
            }
        })
        .await?;
    let now = ctx.now();
    let Some(user) = opened else {
        refused_attempt(ctx, portal, &key, "portal.sign_in_failed", ip).await?;
        return Err(invalid_credentials());
    };
    let mut tx = ctx.store().transaction().await?;
    let step = portal_mfa::after_password(&mut tx, portal, &user, replaces, now).await?;
    let action = match step {
        SignInStep::SignedIn { .. } => "portal.sign_in",
        SignInStep::Code { .. } | SignInStep::Enrol { .. } => "portal.password_accepted",
    };
    audit_portal(
        &mut tx,
        org,
        &user.email,
        action,
        json!({"portal_id": portal.id, "portal_user_id": user.id, "ip": ip}),
        now,
    )
    .await?;
    tx.commit().await?;
    if matches!(step, SignInStep::SignedIn { .. }) {
        sign_in_lockout::clear(ctx, &lockout_key).await?;
    }
    Ok(step)
}

/// The portal user behind a session cookie on `portal`. `Ok(None)` means "sign in again":
/// unknown, another portal's, expired, idle longer than the portal allows, or the account is
/// no longer active. A database failure stays an error, never a sign-out.
pub async fn resume(ctx: &Context, portal: &Portal, token: &str) -> Result<Option<PortalSignedIn>> {
    if !plausible_token(token) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let Some((session, user)) = ctx.store().get_portal_session(&hash).await? else {
        return Ok(None);
    };
    if session.portal_id != portal.id || session.org_id != portal.org_id {
        return Ok(None);
    }
    live(ctx, &hash, session, user, portal.clone(), None).await
}

/// Like [`resume`], for a page: the session, its account, its portal and the account's scope
/// in one statement. The caller checks that the portal answered is the one the request
/// addressed (the session's portal is the only one it opens).
pub async fn visit(ctx: &Context, token: &str) -> Result<Option<PortalSignedIn>> {
    if !plausible_token(token) {
        return Ok(None);
    }
    let hash = token_hash(token);
    let Some(v) = ctx.store().portal_visit(&hash).await? else {
        return Ok(None);
    };
    if v.portal.org_id != v.session.org_id {
        return Ok(None);
    }
    live(ctx, &hash, v.session, v.user, v.portal, Some(v.scope)).await
}

/// The session's checks: the absolute limit, the portal's idle timeout, an active account. A
/// dead session is deleted; a live one's idle clock is written once a minute.
async fn live(
    ctx: &Context,
    hash: &str,
    session: PortalSession,
    user: PortalUser,
    portal: Portal,
    scope: Option<portico_store::PortalScopeRow>,
) -> Result<Option<PortalSignedIn>> {
    let now = ctx.now();
    let idle_ms = portal
        .settings
        .idle_timeout_minutes
        .map(|m| m.saturating_mul(60_000));
    let idle = idle_ms.is_some_and(|ms| session.last_seen_at.saturating_add(ms) <= now);
    if session.expires_at <= now || idle || user.status != PortalUserStatus::Active {
        ctx.store().delete_portal_session(hash).await?;
        return Ok(None);
    }
    if now - session.last_seen_at > 60_000 {
        // The idle clock is written once a minute, not on every request.
        ctx.store().touch_portal_session(hash, now).await?;
    }
    Ok(Some(PortalSignedIn {
        user,
        portal,
        csrf: session.csrf_token,
        ip: None,
        scope,
    }))
}

/// The user type of a signed-in portal user, as stored (the one read with the session when
/// there is one).
pub async fn user_type(ctx: &Context, me: &PortalSignedIn) -> Result<UserType> {
    if let Some(scope) = &me.scope {
        return Ok(scope.user_type.clone());
    }
    Ok(ctx
        .store()
        .get_user_type(me.user.org_id, me.portal.id, me.user.user_type_id)
        .await?)
}

/// Signs out: the session ends on the server.
pub async fn sign_out(ctx: &Context, token: &str) -> Result<()> {
    if !plausible_token(token) {
        return Ok(());
    }
    Ok(ctx
        .store()
        .delete_portal_session(&token_hash(token))
        .await?)
}

/// Saves the signed-in user's preferences.
pub async fn save_preferences(
    ctx: &Context,
    me: &PortalSignedIn,
    preferences: Preferences,
) -> Result<PortalUser> {
    let now = ctx.now();
    let mut tx = ctx.store().transaction().await?;
    let change = PortalAccountChange {
        preferences: Some(preferences),
        ..PortalAccountChange::default()
    };
    let user = tx
        .update_portal_account(me.user.org_id, me.portal.id, me.user.id, &change, now)
        .await?;
    audit_portal(
        &mut tx,
        user.org_id,
        &user.email,
        "portal.preferences",
        json!({"portal_id": me.portal.id, "portal_user_id": user.id}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Sweeps expired portal sessions and links; answers how many rows went.
pub async fn sweep(ctx: &Context) -> Result<u64> {
    Ok(ctx
        .store()
        .delete_expired_portal_sessions(ctx.now())
        .await?)
}
