//! Choosing the org at sign-in. A CRM user's email is unique within an org, not on the
//! instance, so the same email may have accounts in several orgs. A sign-in goes on as the one
//! account its password opens; when the password opens accounts in several orgs, the choice
//! comes only after the password is verified, and it lists only those orgs — never an org
//! where the email has another password, or an inactive account. A wrong password answers the
//! same whether the email exists in no org, one or many.
//!
//! The admin sign-in keeps the choice on the server ([`offer_choice`]): the accounts wait under
//! the hash of a random secret, for [`CHOICE_TTL_MS`], and are taken once ([`take_choice`]).
//! The API names the org in the request instead.

use crate::sign_in::check_credentials;
use crate::{AppError, Context, Result};
use portico_auth::{random_token, token_hash};
use portico_domain::Id;
use portico_domain::profile::User;
use portico_store::PendingAccount;

/// How long an offered org choice may be answered.
pub const CHOICE_TTL_MS: i64 = 5 * 60_000;

/// An org where the password opened an account, as offered to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgOption {
    pub org_id: Id,
    pub org_name: String,
    pub user_id: Id,
}

/// Where a sign-in with the right password leads.
#[derive(Debug)]
pub enum SignIn {
    /// The password opens one account: signed in as this user.
    User(User),
    /// The password opens accounts in several orgs (ordered by org id): the user chooses.
    ChooseOrg(Vec<OrgOption>),
}

/// Signs in with an email and password (throttled, see [`check_credentials`]). With `org`, only
/// the account in that org is considered: an org where the password opens no account answers
/// exactly like a wrong password.
pub async fn sign_in(
    ctx: &Context,
    email: &str,
    password: &str,
    org: Option<Id>,
) -> Result<SignIn> {
    let mut accounts = check_credentials(ctx, email, password, org).await?;
    if accounts.len() == 1
        && let Some(user) = accounts.pop()
    {
        return Ok(SignIn::User(user));
    }
    accounts.sort_by_key(|u| u.org_id);
    let mut options = Vec::with_capacity(accounts.len());
    for user in accounts {
        let org = ctx.store().get_org(user.org_id).await?;
        options.push(OrgOption {
            org_id: org.id,
            org_name: org.settings.name,
            user_id: user.id,
        });
    }
    Ok(SignIn::ChooseOrg(options))
}

/// Keeps an org choice on the server until the user answers it; answers the secret that names
/// it (only its hash is stored).
pub async fn offer_choice(ctx: &Context, options: &[OrgOption]) -> Result<String> {
    let secret = random_token().map_err(|e| AppError::Internal(e.to_string()))?;
    let accounts: Vec<PendingAccount> = options
        .iter()
        .map(|o| PendingAccount {
            org_id: o.org_id,
            user_id: o.user_id,
        })
        .collect();
    let now = ctx.now();
    ctx.store()
        .create_sign_in_choice(
            &token_hash(&secret),
            &accounts,
            now.saturating_add(CHOICE_TTL_MS),
            now,
        )
        .await?;
    Ok(secret)
}

/// Answers an offered choice with `org`: the account there, if `org` was offered, the choice has
/// not expired and the account is still active. The choice is used up either way, so a
/// replayed, forged or expired one, or an org that was not offered, is `Unauthorized`.
pub async fn take_choice(ctx: &Context, secret: &str, org: Id) -> Result<User> {
    let offered = ctx
        .store()
        .take_sign_in_choice(&token_hash(secret), ctx.now())
        .await?;
    let Some(chosen) = offered.iter().find(|a| a.org_id == org) else {
        return Err(AppError::Unauthorized);
    };
    let user = match ctx.store().get_user(chosen.org_id, chosen.user_id).await {
        Ok(user) => user,
        Err(portico_store::StoreError::NotFound) => return Err(AppError::Unauthorized),
        Err(e) => return Err(e.into()),
    };
    if !user.active {
        return Err(AppError::Unauthorized);
    }
    Ok(user)
}
