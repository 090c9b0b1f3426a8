//! The use cases of Portico: one function per thing a user (or the operator) does — sign in,
//! save a record, create a portal, import a configuration, preview a portal. The HTTP layer, the
//! CLI and background workers all call these; none of them holds a business rule of its own.
//!
//! Rules for CRM users (see `portico_domain::access`): a module action needs the profile's
//! permission (403 without it); a record outside the user's reach answers 404, exactly like a
//! missing one; setup (modules, fields, layouts, users, profiles, org settings, web tabs,
//! portals) is for super admins. Portal-facing reads and writes go through
//! [`scoped_records::ScopedRecords`], the one portal enforcement point.

pub mod api_tokens;
pub mod audit;
pub mod catalogue;
mod config_cache;
mod context;
pub mod dns;
pub mod email_domains;
mod error;
pub mod invitation_batches;
pub mod invitations;
pub mod mail;
pub mod mail_delivery;
pub mod modules;
pub mod org;
pub mod org_choice;
pub mod passwords;
pub mod portal_account;
pub mod portal_accounts;
pub mod portal_branding;
pub mod portal_config;
pub mod portal_mfa;
pub mod portal_users;
pub mod portal_web_tabs;
pub mod portals;
pub mod records;
pub mod scoped_records;
pub mod seats;
pub mod sign_in;
pub mod sign_in_lockout;
pub mod signups;
pub mod user_types;
pub mod users;

pub use context::{Clock, Context, Settings, system_clock};
pub use error::{AppError, Result, body_error};

use portico_domain::access::CrmActor;

fn forbidden(what: &str) -> AppError {
    AppError::Forbidden(format!("Your profile does not allow you to {what}"))
}

pub fn require_admin(actor: &CrmActor) -> Result<()> {
    if actor.user.super_admin {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only an administrator can do this".into(),
        ))
    }
}
