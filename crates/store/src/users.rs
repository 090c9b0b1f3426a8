//! CRM users and their profiles.

use crate::error::{StoreError, StoreResult};
use crate::rows::*;
use crate::sql::{Executor, Val};
use crate::store::Tx;
use portico_domain::profile::{NewProfile, Profile, User};
use portico_domain::{Id, Millis};

/// The most accounts one sign-in email is looked up in (one per org): each costs a password
/// verification. Accounts past this many (the newest) cannot sign in with a password.
pub const MAX_LOGINS: usize = 20;

/// A CRM user to create; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: portico_domain::email::EmailAddress,
    pub name: String,
    pub password_hash: String,
    pub profile_id: Id,
    pub super_admin: bool,
}

/// A CRM user's details as an administrator changes them (the password is the user's own).
#[derive(Debug, Clone)]
pub struct UserChanges {
    pub email: portico_domain::email::EmailAddress,
    pub name: String,
    pub profile_id: Id,
    pub super_admin: bool,
    pub active: bool,
}

pub(crate) async fn insert_profile(
    c: &mut impl Executor,
    org: Id,
    p: &NewProfile,
) -> StoreResult<Profile> {
    let exists = opt(
        c,
        "SELECT id FROM profiles WHERE org_id = $1 AND name = $2",
        &[Val::Int(org), Val::from(p.name.as_str())],
    )
    .await?;
    if exists.is_some() {
        return Err(StoreError::Conflict(format!(
            "A profile named {} already exists",
            p.name
        )));
    }
    let row = one(
        c,
        "INSERT INTO profiles (org_id, name, scope, permissions) VALUES ($1, $2, $3, $4) RETURNING id",
        &[Val::Int(org), Val::from(p.name.as_str()), Val::from(p.scope.as_str()), to_json(&p.permissions)?],
    )
    .await?;
    Ok(Profile {
        id: row.int(0)?,
        org_id: org,
        name: p.name.clone(),
        scope: p.scope,
        permissions: p.permissions.clone(),
    })
}

/// A user's profile must be one of the org's, and their address no other user's of the org
/// (`except`: the user being changed). Answers the address's key.
async fn check_profile_and_email(
    c: &mut impl Executor,
    org: Id,
    profile_id: Id,
    email: &portico_domain::email::EmailAddress,
    except: Id,
) -> StoreResult<String> {
    let profile = opt(
        c,
        "SELECT id FROM profiles WHERE org_id = $1 AND id = $2",
        &[Val::Int(org), Val::Int(profile_id)],
    )
    .await?;
    if profile.is_none() {
        return Err(invalid(
            "profile_id",
            "unknown_profile",
            "Choose a profile of this org",
        ));
    }
    // Unique within the org only: another org's user with this address is no obstacle, and is
    // not revealed.
    let key = email.as_str().to_lowercase();
    let taken = opt(
        c,
        "SELECT id FROM users WHERE org_id = $1 AND email_key = $2 AND id <> $3",
        &[Val::Int(org), Val::from(key.as_str()), Val::Int(except)],
    )
    .await?;
    if taken.is_some() {
        return Err(StoreError::Duplicate {
            field: "email".into(),
            message: "A user with this email address already exists in this org".into(),
        });
    }
    Ok(key)
}

pub(crate) async fn insert_user(
    c: &mut impl Executor,
    org: Id,
    u: &NewUser,
    now: Millis,
) -> StoreResult<User> {
    let key = check_profile_and_email(c, org, u.profile_id, &u.email, 0).await?;
    let row = one(
        c,
        "INSERT INTO users (org_id, email, email_key, name, password_hash, profile_id, super_admin, \
         active, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        &[
            Val::Int(org),
            Val::from(u.email.as_str()),
            Val::from(key),
            Val::from(u.name.as_str()),
            Val::from(u.password_hash.as_str()),
            Val::Int(u.profile_id),
            Val::Bool(u.super_admin),
            Val::Bool(true),
            Val::Int(now),
        ],
    )
    .await?;
    Ok(User {
        id: row.int(0)?,
        org_id: org,
        email: u.email.clone(),
        name: u.name.clone(),
        profile_id: u.profile_id,
        super_admin: u.super_admin,
        active: true,
    })
}

pub(crate) async fn check_owner(c: &mut impl Executor, org: Id, owner: Id) -> StoreResult<()> {
    let found = opt(
        c,
        "SELECT id FROM users WHERE org_id = $1 AND id = $2",
        &[Val::Int(org), Val::Int(owner)],
    )
    .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(invalid(
            "owner_id",
            "unknown_user",
            "The owner must be a user of this org",
        )),
    }
}

impl Tx {
    pub async fn create_profile(&mut self, org: Id, p: &NewProfile) -> StoreResult<Profile> {
        let tx = &mut self.conn;
        let profile = insert_profile(tx, org, p).await?;
        self.config_changed(org).await?;
        Ok(profile)
    }

    pub async fn update_profile(
        &mut self,
        org: Id,
        id: Id,
        p: &NewProfile,
    ) -> StoreResult<Profile> {
        let tx = &mut self.conn;
        let clash = opt(
            tx,
            "SELECT id FROM profiles WHERE org_id = $1 AND name = $2 AND id <> $3",
            &[Val::Int(org), Val::from(p.name.as_str()), Val::Int(id)],
        )
        .await?;
        if clash.is_some() {
            return Err(StoreError::Conflict(format!(
                "A profile named {} already exists",
                p.name
            )));
        }
        let row = one(
            tx,
            &format!(
                "UPDATE profiles SET name = $3, scope = $4, permissions = $5 \
                 WHERE org_id = $1 AND id = $2 RETURNING {PROFILE_COLS}"
            ),
            &[
                Val::Int(org),
                Val::Int(id),
                Val::from(p.name.as_str()),
                Val::from(p.scope.as_str()),
                to_json(&p.permissions)?,
            ],
        )
        .await?;
        let profile = profile_from(&row)?;
        self.config_changed(org).await?;
        Ok(profile)
    }

    pub async fn list_profiles(&mut self, org: Id) -> StoreResult<Vec<Profile>> {
        let c = &mut self.conn;
        c.query(
            &format!("SELECT {PROFILE_COLS} FROM profiles WHERE org_id = $1 ORDER BY id"),
            &[Val::Int(org)],
        )
        .await?
        .iter()
        .map(profile_from)
        .collect()
    }

    pub async fn get_profile(&mut self, org: Id, id: Id) -> StoreResult<Profile> {
        let c = &mut self.conn;
        profile_from(
            &one(
                c,
                &format!("SELECT {PROFILE_COLS} FROM profiles WHERE org_id = $1 AND id = $2"),
                &[Val::Int(org), Val::Int(id)],
            )
            .await?,
        )
    }

    pub async fn create_user(&mut self, org: Id, u: &NewUser, now: Millis) -> StoreResult<User> {
        let tx = &mut self.conn;
        let user = insert_user(tx, org, u, now).await?;
        Ok(user)
    }

    pub async fn list_users(&mut self, org: Id) -> StoreResult<Vec<User>> {
        let c = &mut self.conn;
        c.query(
            &format!("SELECT {USER_COLS} FROM users WHERE org_id = $1 ORDER BY id"),
            &[Val::Int(org)],
        )
        .await?
        .iter()
        .map(user_from)
        .collect()
    }

    pub async fn get_user(&mut self, org: Id, id: Id) -> StoreResult<User> {
        let c = &mut self.conn;
        user_from(
            &one(
                c,
                &format!("SELECT {USER_COLS} FROM users WHERE org_id = $1 AND id = $2"),
                &[Val::Int(org), Val::Int(id)],
            )
            .await?,
        )
    }

    /// One of the org's users with the org's configuration version, read in one statement: what
    /// a request acting for a signed-in user needs to trust its cached profiles and modules.
    pub async fn get_user_with_config(&mut self, org: Id, id: Id) -> StoreResult<(User, i64)> {
        let row = one(
            &mut self.conn,
            &format!(
                "SELECT {}, o.config_version FROM users u JOIN orgs o ON o.id = u.org_id \
                 WHERE u.org_id = $1 AND u.id = $2",
                prefixed("u", USER_COLS)
            ),
            &[Val::Int(org), Val::Int(id)],
        )
        .await?;
        let version = row.int(column_count(USER_COLS))?;
        Ok((user_from(&row)?, version))
    }

    /// Changes one of the org's users: name, address (unique within the org), profile (one of
    /// the org's), role and whether active. Answers the user as saved.
    pub async fn update_user(&mut self, org: Id, id: Id, u: &UserChanges) -> StoreResult<User> {
        let c = &mut self.conn;
        let key = check_profile_and_email(c, org, u.profile_id, &u.email, id).await?;
        let n = c
            .execute(
                "UPDATE users SET email = $3, email_key = $4, name = $5, profile_id = $6,                  super_admin = $7, active = $8 WHERE org_id = $1 AND id = $2",
                &[
                    Val::Int(org),
                    Val::Int(id),
                    Val::from(u.email.as_str()),
                    Val::from(key),
                    Val::from(u.name.as_str()),
                    Val::Int(u.profile_id),
                    Val::Bool(u.super_admin),
                    Val::Bool(u.active),
                ],
            )
            .await?;
        if n == 0 {
            return Err(crate::error::StoreError::NotFound);
        }
        self.get_user(org, id).await
    }

    /// Activates or deactivates one of the org's users; an inactive user can neither sign in
    /// nor use a session or API token.
    pub async fn set_user_active(&mut self, org: Id, id: Id, active: bool) -> StoreResult<User> {
        let c = &mut self.conn;
        let n = c
            .execute(
                "UPDATE users SET active = $3 WHERE org_id = $1 AND id = $2",
                &[Val::Int(org), Val::Int(id), Val::Bool(active)],
            )
            .await?;
        if n == 0 {
            return Err(crate::error::StoreError::NotFound);
        }
        self.get_user(org, id).await
    }

    /// The users with this email in every org (an address is unique within an org, not on the
    /// instance), with their password hashes, active or not: at most [`MAX_LOGINS`], oldest
    /// first. Sign-in checks the password against each.
    pub async fn find_logins(&mut self, email: &str) -> StoreResult<Vec<(User, String)>> {
        let c = &mut self.conn;
        c.query(
            &format!(
                "SELECT {USER_COLS}, password_hash FROM users WHERE email_key = $1 ORDER BY id LIMIT {MAX_LOGINS}"
            ),
            &[Val::from(email.trim().to_lowercase())],
        )
        .await?
        .iter()
        .map(|r| Ok((user_from(r)?, r.text(7)?)))
        .collect()
    }
}
