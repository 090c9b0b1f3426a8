//! Storage for Portico: the [`Store`] with every persistent operation, written once against the
//! [`sql::Executor`] trait, and two real backends behind it — SQLite (embedded default, WAL) and
//! PostgreSQL (for many stateless instances). The backend is picked from the database URL.
//! Every operation takes the org it acts for and never reaches another org's rows.

mod audit;
mod blocked_domains;
pub mod error;
mod invitation_batches;
pub mod migrations;
mod modules;
mod orgs;
mod outbox;
mod portal_branding;
mod portal_email_change;
mod portal_mfa;
mod portal_sessions;
mod portal_users;
mod portals;
mod postgres;
mod records;
mod rows;
mod search;
mod sessions;
mod sign_in_choices;
mod sign_in_failures;
pub mod sql;
mod sqlite;
mod store;
mod users;
mod web_tabs;

pub use audit::{
    AUDIT_PAGE_MAX, AUDIT_PORTAL_USERS_MAX, ActionFilter, AuditEntry, AuditInsert, AuditPage,
    AuditQuery,
};
pub use blocked_domains::BlockedEmailDomain;
pub use error::{StoreError, StoreResult};
pub use invitation_batches::{
    BatchItem, BatchState, CandidateQuery, InvitationBatch, InvitationCandidate, NewInvitationBatch,
};
pub use modules::ModuleSettings;
pub use orgs::{CreatedOrg, NewOrg, NewOrgAdmin, OrgConfig};
pub use outbox::{MailQuery, MailSummary, OutboxMail};
pub use portal_branding::PortalLogo;
pub use portal_email_change::EmailChangeLink;
pub use portal_mfa::{MfaChallenge, PortalMfa};
pub use portal_sessions::{PortalLink, PortalSession, PortalVisit};
pub use portal_users::{PortalAccountChange, PortalUserOrder, PortalUserQuery, PortalUserSort};
pub use portals::PortalScopeRow;
pub use records::{
    CountedPage, Page, RecordMeta, RecordPageQuery, RecordQuery, RecordRef, RecordSort,
};
pub use sessions::{ApiCaller, ApiToken, Session};
pub use sign_in_choices::PendingAccount;
pub use store::{DatabaseUrl, Store, Tx};
pub use users::{MAX_LOGINS, NewUser, UserChanges};
