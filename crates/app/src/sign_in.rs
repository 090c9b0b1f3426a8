//! Signing in: credential checks with the shared lockout (`sign_in_lockout`), admin sessions (idle and absolute
//! timeouts, a new id at every sign-in), API tokens, and the actor behind each of them.

use crate::{AppError, Context, Result, sign_in_lockout};
use portico_auth::{random_token, token_hash, verify_password_in, verify_unknown_in};
use portico_domain::Id;
use portico_domain::access::CrmActor;
use portico_domain::profile::User;
use portico_store::{ApiToken, Session};

/// The lifetime rules of admin sessions.
#[derive(Debug, Clone, Copy)]
pub struct SessionRules {
    /// A session ends after this long without a request.
    pub idle_ms: i64,
    /// A session ends this long after sign-in, however active.
    pub absolute_ms: i64,
}

/// A new admin session for `user`: a random id (only its hash is stored) and a CSRF token.
/// `replaces` is the browser's previous session id, which ends here. Answers the session id.
pub async fn start_session(
    ctx: &Context,
    user: &User,
    replaces: Option<&str>,
    rules: SessionRules,
) -> Result<String> {
    let (token, csrf) = match (random_token(), random_token()) {
        (Ok(t), Ok(c)) => (t, c),
        _ => return Err(AppError::Internal("random source failed".into())),
    };
    let now = ctx.now();
    let session = Session {
        org_id: user.org_id,
        user_id: user.id,
        csrf_token: csrf,
        created_at: now,
        last_seen_at: now,
        expires_at: now + rules.absolute_ms,
    };
    let mut tx = ctx.store().transaction().await?;
    if let Some(old) = replaces {
        tx.delete_session(&token_hash(old)).await?;
    }
    tx.create_session(&token_hash(&token), &session).await?;
    tx.commit().await?;
    tracing::info!(user_id = user.id, org_id = user.org_id, "admin signed in");
    Ok(token)
}

/// A signed-in admin: who, their session's CSRF token and their org's name.
pub struct SignedIn {
    pub actor: CrmActor,
    pub csrf: String,
    pub org_name: String,
}

/// The admin behind a session id. `Ok(None)` means "sign in again" (unknown, expired, idle
/// too long, or the user is gone or inactive); an `Err` is a failure to report, never a
/// sign-out.
pub async fn resume_session(
    ctx: &Context,
    token: &str,
    rules: SessionRules,
) -> Result<Option<SignedIn>> {
    let hash = token_hash(token);
    let now = ctx.now();
    let Some(session) = ctx.store().get_session(&hash).await? else {
        return Ok(None);
    };
    if session.expires_at <= now || session.last_seen_at + rules.idle_ms <= now {
        ctx.store().delete_session(&hash).await?;
        return Ok(None);
    }
    if now - session.last_seen_at > 60_000 {
        // Only write the idle timestamp once a minute, not on every request.
        ctx.store().touch_session(&hash, now).await?;
    }
    let actor = match actor(ctx, session.org_id, session.user_id).await {
        Ok(a) => a,
        Err(AppError::Unauthorized) => return Ok(None),
        Err(e) => return Err(e),
    };
    let org_name = ctx.store().get_org(session.org_id).await?.settings.name;
    Ok(Some(SignedIn {
        actor,
        csrf: session.csrf_token,
        org_name,
    }))
}

/// Ends an admin session (signing out).
pub async fn end_session(ctx: &Context, token: &str) -> Result<()> {
    Ok(ctx.store().delete_session(&token_hash(token)).await?)
}

/// Removes sessions past their absolute expiry; answers how many.
pub async fn sweep_sessions(ctx: &Context) -> Result<u64> {
    Ok(ctx.store().delete_expired_sessions(ctx.now()).await?)
}

/// The CRM user behind an API bearer token. Unknown, expired and revoked tokens are refused
/// alike, and so are the tokens of a user who is inactive or gone. The last use is written at
/// most once a minute.
///
/// One statement reads the token, its user and the org's configuration version; the profile
/// comes from the org's cached configuration at that version (see `config_cache`). So a
/// revoked or expired token, a deactivated user or a changed profile counts from the next
/// request on, on every instance.
pub async fn api_actor(ctx: &Context, bearer: &str) -> Result<CrmActor> {
    let now = ctx.now();
    let caller = match ctx.store().find_api_caller(&token_hash(bearer)).await? {
        Some(c) if c.token.expires_at > now && c.token.revoked_at.is_none() => c,
        _ => return Err(AppError::Unauthorized),
    };
    let actor = actor_at(ctx, caller.user, caller.config_version).await?;
    let token = caller.token;
    if crate::api_tokens::needs_touch(&token, now) {
        ctx.store()
            .touch_api_token(token.org_id, token.id, now)
            .await?;
    }
    Ok(actor)
}

/// Issues an API token for the CRM user with this email (the operator's CLI). An email with
/// users in several orgs needs `org`, the id of the org whose user it is.
pub async fn issue_api_token_for(
    ctx: &Context,
    email: &str,
    org: Option<Id>,
    label: &str,
    ttl_ms: i64,
) -> Result<(String, ApiToken)> {
    let mut users: Vec<User> = ctx
        .store()
        .find_logins(email)
        .await?
        .into_iter()
        .map(|(user, _)| user)
        .filter(|user| org.is_none_or(|org| user.org_id == org))
        .collect();
    if users.len() > 1 {
        let orgs: Vec<String> = users.iter().map(|u| u.org_id.to_string()).collect();
        return Err(AppError::invalid(
            "org",
            "org_required",
            format!(
                "{email} is a CRM user in several orgs (ids {}); name one with --org",
                orgs.join(", ")
            ),
        ));
    }
    let Some(user) = users.pop() else {
        let where_ = org.map(|o| format!(" in org {o}")).unwrap_or_default();
        return Err(AppError::invalid(
            "email",
            "unknown_user",
            format!("There is no CRM user with the email {email}{where_}"),
        ));
    };
    issue_api_token(ctx, &user, label, ttl_ms).await
}
/// Loads the user and profile behind a session or token; inactive users are refused. The user
/// and the org's configuration version are one statement; the profile comes from the cache.
pub async fn actor(ctx: &Context, org: Id, user_id: Id) -> Result<CrmActor> {
    // A user that no longer exists ends the session; a database failure stays a failure (a
    // 500 with a request id), never a sign-out.
    let (user, version) = match ctx.store().get_user_with_config(org, user_id).await {
        Ok(found) => found,
        Err(portico_store::StoreError::NotFound) => return Err(AppError::Unauthorized),
        Err(e) => return Err(e.into()),
    };
    actor_at(ctx, user, version).await
}

/// The actor for a user read together with their org's configuration `version`: refused when
/// inactive; their profile from the org's configuration cached at that version or later.
async fn actor_at(ctx: &Context, user: User, version: i64) -> Result<CrmActor> {
    if !user.active {
        return Err(AppError::Unauthorized);
    }
    let config = ctx.org_config(user.org_id, Some(version)).await?;
    let profile = config
        .profile(user.profile_id)
        .cloned()
        .ok_or(AppError::NotFound)?;
    Ok(CrmActor { user, profile })
}

/// The longest email address a sign-in considers (RFC 5321's limit on a path).
pub const MAX_SIGN_IN_EMAIL: usize = 254;

/// The lockout key of a sign-in email: trimmed and lower-cased, or `None` when it could not be
/// anyone's address (longer than [`MAX_SIGN_IN_EMAIL`] characters, or holding NUL or another
/// control character). Checked before anything else, so such input never becomes a failure
/// count, a database lookup or a hash.
pub fn sign_in_key(email: &str) -> Option<String> {
    let email = email.trim();
    if email.chars().count() > MAX_SIGN_IN_EMAIL || email.chars().any(char::is_control) {
        return None;
    }
    Some(email.to_lowercase())
}

fn invalid_credentials() -> AppError {
    AppError::Invalid(portico_domain::DomainError::field(
        "password",
        "invalid_credentials",
        "The email address or password is not right",
    ))
}

/// Checks an email and password, with the lockout every instance shares and equal cost for unknown accounts, and
/// answers the accounts they open (at least one; several when the email has an account with
/// this password in several orgs; only the account in `org` when one is named). An email
/// no account could have (see [`sign_in_key`]) gets the answer of a wrong password at once:
/// the same shape, nothing to learn from it, and nothing remembered.
pub async fn check_credentials(
    ctx: &Context,
    email: &str,
    password: &str,
    org: Option<Id>,
) -> Result<Vec<User>> {
    let Some(key) = sign_in_key(email) else {
        return Err(invalid_credentials());
    };
    // Counted as a failure before the slow verification, in the database every instance
    // shares; a locked key answers 429 here, and a success clears the count below.
    sign_in_lockout::count_attempt(ctx, &key).await?;
    let accounts = accounts_opened(ctx, &key, password, org).await?;
    if accounts.is_empty() {
        return Err(invalid_credentials());
    }
    sign_in_lockout::clear(ctx, &key).await?;
    Ok(accounts)
}

/// The active accounts with the email `key` (one per org, in `org` only when it is named) whose
/// password is `password`. CRM user emails are unique within an org, not on the instance, so
/// the password is verified against every account with this email, active or not; with no
/// account at all the decoy is verified instead. Nothing here tells which orgs have the email:
/// only accounts this password opens come back.
async fn accounts_opened(
    ctx: &Context,
    key: &str,
    password: &str,
    org: Option<Id>,
) -> Result<Vec<User>> {
    let mut candidates = ctx.store().find_logins(key).await?;
    if let Some(org) = org {
        candidates.retain(|(user, _)| user.org_id == org);
    }
    let password = password.to_string();
    ctx.passwords()
        .run(move |memory| {
            if candidates.is_empty() {
                verify_unknown_in(&password, memory);
                return Vec::new();
            }
            candidates
                .into_iter()
                .filter_map(|(user, hash)| {
                    let matches = verify_password_in(&password, &hash, memory);
                    (matches && user.active).then_some(user)
                })
                .collect()
        })
        .await
}

/// Issues an API token for a user; answers the secret (shown once, never stored or logged)
/// and the token as stored (its public id, label and expiry).
pub async fn issue_api_token(
    ctx: &Context,
    user: &User,
    label: &str,
    ttl_ms: i64,
) -> Result<(String, ApiToken)> {
    let token = random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let now = ctx.now();
    let expires_at = now.saturating_add(ttl_ms);
    let stored = ctx
        .store()
        .create_api_token(
            user.org_id,
            user.id,
            &token_hash(&token),
            label,
            now,
            expires_at,
        )
        .await?;
    Ok((token, stored))
}
