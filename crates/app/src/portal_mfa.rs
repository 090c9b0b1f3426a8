//! Two-step sign-in for portal users: TOTP (RFC 6238) with an authenticator app, and ten
//! single-use recovery codes.
//!
//! - **Enrolment** stores a pending secret; the first correct code enables it and answers the
//!   recovery codes (shown once, only their SHA-256 kept). A user can enrol from the account
//!   page; when the portal enforces MFA, a user without it enrols at sign-in, before any
//!   session exists.
//! - **Sign-in**: a correct password of an enrolled user (or of anyone on an enforcing portal)
//!   opens a *challenge*, not a session: a random secret (only its hash stored) that lives five
//!   minutes and takes five wrong codes. Only the code (or a recovery code) turns it into a
//!   session. The password lockout is cleared only then.
//! - A code is accepted for the current 30-second step and one either side, never for a step at
//!   or before the last one accepted (one conditional `UPDATE`: concurrent replays lose); a
//!   recovery code works once.
//! - A password reset or an invitation signs in through the same step: a reset never switches
//!   MFA off. Switching it off needs the password, and is refused while the portal enforces it.
//! - Every enrolment, sign-in with a code, wrong code, recovery-code use and switch-off is
//!   audited with the portal user and the address.

use crate::portal_accounts::{
    PortalSignedIn, account_in, audit_portal, plausible_token, start_session_in,
};
use crate::{AppError, Context, Result, sign_in, sign_in_lockout};
use portico_auth::totp::{Totp, recovery_code_hash, recovery_codes};
use portico_auth::{random_token, token_hash};
use portico_domain::Millis;
use portico_domain::portal::Portal;
use portico_domain::portal_user::{PortalUser, PortalUserStatus};
use portico_store::{MfaChallenge, Tx};
use serde_json::json;

/// How long the step between password and code lasts: five minutes.
pub const CHALLENGE_MS: Millis = 5 * 60 * 1000;
/// Wrong codes a challenge takes before it ends (the password must be typed again).
pub const CHALLENGE_TRIES: i64 = 5;
/// The longest code read (a recovery code with spaces is well under it).
const CODE_MAX: usize = 64;

/// Where a correct password leads.
#[derive(Debug)]
pub enum SignInStep {
    /// Signed in: the session secret and the account.
    SignedIn {
        session: String,
        user: Box<PortalUser>,
    },
    /// The account has MFA: the code is asked for under this challenge secret.
    Code { challenge: String },
    /// The portal enforces MFA and the account has none: it enrols first, under this challenge.
    Enrol { challenge: String },
}

impl SignInStep {
    /// The session and the account when signed in; `None` when a code or an enrolment is due.
    pub fn session(self) -> Option<(String, PortalUser)> {
        match self {
            Self::SignedIn { session, user } => Some((session, *user)),
            Self::Code { .. } | Self::Enrol { .. } => None,
        }
    }
}

/// What an authenticator app needs: the secret as text and the `otpauth://` URI (for the QR
/// code).
#[derive(Clone, PartialEq, Eq)]
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
}

impl std::fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment").finish_non_exhaustive()
    }
}

/// The account page's view of MFA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MfaStatus {
    pub enabled: bool,
    pub recovery_codes_left: i64,
}

fn invalid_code() -> AppError {
    AppError::invalid(
        "code",
        "invalid_code",
        "That code is not right; enter the current code from your app",
    )
}

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("random source failed: {e}"))
}

fn unix_secs(now: Millis) -> u64 {
    u64::try_from(now / 1000).unwrap_or(0)
}

fn lockout_key(portal: &Portal, user: &PortalUser) -> Option<String> {
    sign_in::sign_in_key(&user.email).map(|key| format!("portal:{}:{key}", portal.id))
}

/// After a correct password (or a password set by a link) in `tx`: a session, or the MFA step
/// the account or the portal asks for.
pub(crate) async fn after_password(
    tx: &mut Tx,
    portal: &Portal,
    user: &PortalUser,
    replaces: Option<&str>,
    now: Millis,
) -> Result<SignInStep> {
    let enabled = tx
        .portal_mfa(user.org_id, user.id)
        .await?
        .is_some_and(|m| m.enabled_at.is_some());
    if !enabled && !portal.settings.enforce_mfa {
        let session = start_session_in(tx, user, replaces, now).await?;
        return Ok(SignInStep::SignedIn {
            session,
            user: Box::new(user.clone()),
        });
    }
    let challenge = random_token().map_err(internal)?;
    let row = MfaChallenge {
        org_id: user.org_id,
        portal_id: portal.id,
        portal_user_id: user.id,
        enrol: !enabled,
        attempts: 0,
        expires_at: now.saturating_add(CHALLENGE_MS),
    };
    tx.create_mfa_challenge(&token_hash(&challenge), &row)
        .await?;
    Ok(if enabled {
        SignInStep::Code { challenge }
    } else {
        SignInStep::Enrol { challenge }
    })
}

/// The challenge behind `token` on `portal` and its (still active) account, when it is of the
/// kind asked for; anything else is [`AppError::NotFound`] ("sign in again").
async fn open_challenge(
    tx: &mut Tx,
    portal: &Portal,
    token: &str,
    enrol: bool,
    now: Millis,
) -> Result<(String, PortalUser)> {
    if !plausible_token(token) {
        return Err(AppError::NotFound);
    }
    let hash = token_hash(token);
    let challenge = tx
        .mfa_challenge(&hash, now)
        .await?
        .filter(|c| c.portal_id == portal.id && c.enrol == enrol)
        .ok_or(AppError::NotFound)?;
    let user = account_in(
        tx,
        portal,
        challenge.org_id,
        challenge.portal_user_id,
        PortalUserStatus::Active,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    Ok((hash, user))
}

/// Whether `token` is a live code challenge of `portal` (the code page shows only then).
pub async fn code_challenge_live(ctx: &Context, portal: &Portal, token: &str) -> Result<bool> {
    let mut reader = ctx.store().reader().await?;
    match open_challenge(&mut reader, portal, token, false, ctx.now()).await {
        Ok(_) => Ok(true),
        Err(AppError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Checks a TOTP code (or, when `recovery` allows it, a recovery code) of `user` in `tx`,
/// using it up; answers how it passed, `None` when it did not.
async fn use_code(
    tx: &mut Tx,
    user: &PortalUser,
    code: &str,
    recovery: bool,
    now: Millis,
) -> Result<Option<&'static str>> {
    if code.len() > CODE_MAX {
        return Ok(None);
    }
    let Some(mfa) = tx.portal_mfa(user.org_id, user.id).await? else {
        return Ok(None);
    };
    let Some(totp) = Totp::from_base32(&mfa.secret) else {
        return Err(AppError::Internal(
            "a stored TOTP secret is not base32".into(),
        ));
    };
    let last = mfa.last_step.and_then(|s| u64::try_from(s).ok());
    if let Some(step) = totp.verify(code, unix_secs(now), last) {
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        let accepted = tx
            .accept_portal_totp_step(user.org_id, user.id, step, now)
            .await?;
        return Ok(accepted.then_some("totp"));
    }
    if recovery && mfa.enabled_at.is_some() {
        let used = tx
            .use_recovery_code(user.org_id, user.id, &recovery_code_hash(code), now)
            .await?;
        return Ok(used.then_some("recovery_code"));
    }
    Ok(None)
}

/// A wrong code: counted against the challenge (which ends after [`CHALLENGE_TRIES`]) and
/// audited. Answers the error the caller shows.
async fn wrong_code(
    mut tx: Tx,
    hash: &str,
    user: &PortalUser,
    ip: Option<&str>,
    now: Millis,
) -> Result<AppError> {
    let more = tx.fail_mfa_challenge(hash, CHALLENGE_TRIES).await?;
    audit_portal(
        &mut tx,
        user.org_id,
        &user.email,
        "portal.mfa_failed",
        json!({"portal_id": user.portal_id, "portal_user_id": user.id, "ip": ip}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(if more {
        invalid_code()
    } else {
        AppError::NotFound
    })
}

/// Ends the challenge and starts the session in `tx`, audits the sign-in, commits and clears
/// the password lockout.
async fn finish(
    ctx: &Context,
    mut tx: Tx,
    portal: &Portal,
    (hash, user): (&str, &PortalUser),
    how: &str,
    (ip, replaces): (Option<&str>, Option<&str>),
    now: Millis,
) -> Result<String> {
    if !tx.end_mfa_challenge(hash).await? {
        // Another request with the same challenge finished first.
        return Err(AppError::NotFound);
    }
    let session = start_session_in(&mut tx, user, replaces, now).await?;
    audit_portal(
        &mut tx,
        user.org_id,
        &user.email,
        "portal.sign_in",
        json!({"portal_id": portal.id, "portal_user_id": user.id, "mfa": how, "ip": ip}),
        now,
    )
    .await?;
    tx.commit().await?;
    if let Some(key) = lockout_key(portal, user) {
        sign_in_lockout::clear(ctx, &key).await?;
    }
    Ok(session)
}

/// The code step of a sign-in: a current TOTP code or an unused recovery code turns the
/// challenge into a session. A wrong code is `Invalid` (field `code`) while the challenge
/// allows another try, [`AppError::NotFound`] once it is used up, expired or unknown.
pub async fn sign_in_with_code(
    ctx: &Context,
    portal: &Portal,
    challenge: &str,
    code: &str,
    (ip, replaces): (Option<&str>, Option<&str>),
) -> Result<(String, PortalUser)> {
    let now = ctx.now();
    let mut tx = ctx.store().transaction().await?;
    let (hash, user) = open_challenge(&mut tx, portal, challenge, false, now).await?;
    let Some(how) = use_code(&mut tx, &user, code, true, now).await? else {
        return Err(wrong_code(tx, &hash, &user, ip, now).await?);
    };
    let session = finish(ctx, tx, portal, (&hash, &user), how, (ip, replaces), now).await?;
    Ok((session, user))
}

/// The pending secret of `user`, made when there is none; `NotFound` when MFA is already on.
async fn pending_secret(
    tx: &mut Tx,
    portal: &Portal,
    user: &PortalUser,
    now: Millis,
) -> Result<Enrolment> {
    let secret = match tx.portal_mfa(user.org_id, user.id).await? {
        Some(m) if m.enabled_at.is_some() => return Err(AppError::NotFound),
        Some(m) => m.secret,
        None => {
            let secret = Totp::generate().map_err(internal)?.secret_base32();
            if !tx
                .start_portal_mfa(user.org_id, user.id, &secret, now)
                .await?
            {
                return Err(AppError::NotFound);
            }
            secret
        }
    };
    let totp = Totp::from_base32(&secret)
        .ok_or_else(|| AppError::Internal("a stored TOTP secret is not base32".into()))?;
    Ok(Enrolment {
        uri: totp.otpauth_uri(&portal.name, &user.email),
        secret,
    })
}

/// Enables MFA with the first correct code of the pending secret and stores new recovery
/// codes; answers them (to show once).
async fn enable_in(
    tx: &mut Tx,
    user: &PortalUser,
    code: &str,
    ip: Option<&str>,
    now: Millis,
) -> Result<Option<Vec<String>>> {
    if use_code(tx, user, code, false, now).await?.is_none() {
        return Ok(None);
    }
    let codes = recovery_codes().map_err(internal)?;
    let hashes: Vec<String> = codes.iter().map(|c| recovery_code_hash(c)).collect();
    tx.set_recovery_codes(user.org_id, user.id, &hashes).await?;
    audit_portal(
        tx,
        user.org_id,
        &user.email,
        "portal.mfa_enabled",
        json!({"portal_id": user.portal_id, "portal_user_id": user.id, "ip": ip}),
        now,
    )
    .await?;
    Ok(Some(codes))
}

/// The enrolment a sign-in on an enforcing portal asks for: the secret to add to an app (the
/// same one on every reload until it is confirmed).
pub async fn enrolment_for_sign_in(
    ctx: &Context,
    portal: &Portal,
    challenge: &str,
) -> Result<Enrolment> {
    let now = ctx.now();
    let mut tx = ctx.store().transaction().await?;
    let (_, user) = open_challenge(&mut tx, portal, challenge, true, now).await?;
    let enrolment = pending_secret(&mut tx, portal, &user, now).await?;
    tx.commit().await?;
    Ok(enrolment)
}

/// Confirms the enrolment of a sign-in with the first code: MFA on, the recovery codes made,
/// signed in. Answers the session, the account and the recovery codes (to show once).
pub async fn enrol_at_sign_in(
    ctx: &Context,
    portal: &Portal,
    challenge: &str,
    code: &str,
    (ip, replaces): (Option<&str>, Option<&str>),
) -> Result<(String, PortalUser, Vec<String>)> {
    let now = ctx.now();
    let mut tx = ctx.store().transaction().await?;
    let (hash, user) = open_challenge(&mut tx, portal, challenge, true, now).await?;
    let Some(codes) = enable_in(&mut tx, &user, code, ip, now).await? else {
        return Err(wrong_code(tx, &hash, &user, ip, now).await?);
    };
    let how = "enrolled";
    let session = finish(ctx, tx, portal, (&hash, &user), how, (ip, replaces), now).await?;
    Ok((session, user, codes))
}

/// Whether the signed-in user has MFA on, and how many recovery codes are left.
pub async fn status(ctx: &Context, me: &PortalSignedIn) -> Result<MfaStatus> {
    let (org, id) = (me.user.org_id, me.user.id);
    let mut reader = ctx.store().reader().await?;
    let enabled = reader
        .portal_mfa(org, id)
        .await?
        .is_some_and(|m| m.enabled_at.is_some());
    let left = if enabled {
        reader.recovery_codes_left(org, id).await?
    } else {
        0
    };
    Ok(MfaStatus {
        enabled,
        recovery_codes_left: left,
    })
}

/// Starts (or shows again) the signed-in user's enrolment from the account page.
/// [`AppError::Conflict`] when MFA is already on.
pub async fn begin_enrolment(ctx: &Context, me: &PortalSignedIn) -> Result<Enrolment> {
    let mut tx = ctx.store().transaction().await?;
    let enrolment = pending_secret(&mut tx, &me.portal, &me.user, ctx.now())
        .await
        .map_err(already_on)?;
    tx.commit().await?;
    Ok(enrolment)
}

fn already_on(e: AppError) -> AppError {
    match e {
        AppError::NotFound => AppError::Conflict("Two-step verification is already on".into()),
        e => e,
    }
}

/// Confirms the account page's enrolment with the first code; answers the recovery codes.
pub async fn confirm_enrolment(
    ctx: &Context,
    me: &PortalSignedIn,
    code: &str,
) -> Result<Vec<String>> {
    let now = ctx.now();
    let mut tx = ctx.store().transaction().await?;
    let pending = tx.portal_mfa(me.user.org_id, me.user.id).await?;
    match pending {
        None => return Err(AppError::Conflict("Start the set-up again".into())),
        Some(m) if m.enabled_at.is_some() => {
            return Err(already_on(AppError::NotFound));
        }
        Some(_) => {}
    }
    let ip = me.ip.as_deref();
    let codes = enable_in(&mut tx, &me.user, code, ip, now)
        .await?
        .ok_or_else(invalid_code)?;
    tx.commit().await?;
    Ok(codes)
}

/// New recovery codes for the signed-in user (the old ones stop working), against a current
/// TOTP code.
pub async fn renew_recovery_codes(
    ctx: &Context,
    me: &PortalSignedIn,
    code: &str,
) -> Result<Vec<String>> {
    let now = ctx.now();
    let user = &me.user;
    let mut tx = ctx.store().transaction().await?;
    let on = tx
        .portal_mfa(user.org_id, user.id)
        .await?
        .is_some_and(|m| m.enabled_at.is_some());
    if !on || use_code(&mut tx, user, code, false, now).await?.is_none() {
        return Err(invalid_code());
    }
    let codes = recovery_codes().map_err(internal)?;
    let hashes: Vec<String> = codes.iter().map(|c| recovery_code_hash(c)).collect();
    tx.set_recovery_codes(user.org_id, user.id, &hashes).await?;
    audit_portal(
        &mut tx,
        user.org_id,
        &user.email,
        "portal.recovery_codes_renewed",
        json!({"portal_id": user.portal_id, "portal_user_id": user.id, "ip": me.ip}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(codes)
}

/// Switches MFA off for the signed-in user, with the current password (under the sign-in
/// lockout). Refused while the portal enforces MFA.
pub async fn disable(ctx: &Context, me: &PortalSignedIn, password: &str) -> Result<()> {
    if me.portal.settings.enforce_mfa {
        return Err(AppError::Forbidden(
            "This portal requires two-step verification; it cannot be switched off".into(),
        ));
    }
    crate::portal_account::check_current_password(ctx, me, password, "password").await?;
    let user = &me.user;
    let now = ctx.now();
    let mut tx = ctx.store().transaction().await?;
    tx.delete_portal_mfa(user.org_id, user.id).await?;
    audit_portal(
        &mut tx,
        user.org_id,
        &user.email,
        "portal.mfa_disabled",
        json!({"portal_id": user.portal_id, "portal_user_id": user.id, "ip": me.ip}),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
