//! Portals and their user types: names, URL slugs, settings, and the tab and field
//! configuration that becomes the security boundary for portal users. Configurations refer to
//! modules, layouts, fields and web tabs by their stable names, so a portal's configuration can
//! be exported from one org and imported into another with the same modules.
//!
//! Split by concern: `settings` (slug and portal settings), `user_type` (the tab and field
//! configuration and its checked constructor) and `config_doc` (the portable document and its
//! diff). Every item is re-exported here, so callers name `portal::X`.

pub mod brand;
mod config_doc;
#[cfg(test)]
pub(crate) mod fixtures;
mod settings;
mod user_type;

pub use config_doc::{Change, PortableSettings, PortalConfigDoc, json_diff};
pub use settings::{
    CONSENT_MAX, ConsentText, DEFAULT_DISABLED_MESSAGE, PortalSettings, PortalStatus, PortalType,
    Slug,
};
pub use user_type::{
    Catalogue, CheckedUserTypeConfig, ColumnPermission, FieldPermission, LayoutAccess, TabModule,
    TabRole, TabView, UserTypeConfig, checked_seat_sum, purchased_seats_needed,
};

use crate::Id;
use serde::Serialize;

/// The default user type every portal starts with.
pub const DEFAULT_USER_TYPE: &str = "Client Portal";
/// Portal users included at no cost on the default user type.
pub const FREE_SEATS: i64 = 10_000;
/// The most seats one user type may have (the default type's free seats included).
pub const MAX_SEATS_PER_TYPE: i64 = 1_000_000;
/// Modules that can carry products in a Product_Details subform.
pub const INVENTORY_MODULES: [&str; 4] = ["Quotes", "Sales_Orders", "Purchase_Orders", "Invoices"];
/// Modules that can be a user type's personality module (besides custom modules with an email field).
pub const PERSONALITY_MODULES: [&str; 3] = ["Leads", "Contacts", "Vendors"];
/// Idle session timeouts offered, in minutes (`None` = never).
pub const IDLE_TIMEOUTS: [i64; 7] = [15, 30, 60, 120, 240, 480, 720];

/// A portal as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Portal {
    pub id: Id,
    pub org_id: Id,
    /// Fixed once created; unique on the instance.
    pub name: String,
    pub settings: PortalSettings,
    /// The value the admin puts in the `_portico.{domain}` TXT record.
    pub domain_token: String,
    pub domain_verified: bool,
}

/// A user type as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserType {
    pub id: Id,
    pub portal_id: Id,
    /// The "Client Portal" type every portal starts with; it cannot be deleted.
    pub is_default: bool,
    pub config: UserTypeConfig,
}

/// A grant of purchased portal seats, recorded with who granted how many and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeatGrant {
    pub id: Id,
    pub seats: i64,
    pub granted_by: String,
    pub note: String,
    pub granted_at: crate::Millis,
}
