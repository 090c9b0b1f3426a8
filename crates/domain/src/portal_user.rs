//! Portal users — the people outside the company who sign in to a portal — and the rules that
//! decide whether a record may be invited: the thirteen failure reasons of PRODUCT.md, each
//! with its machine code, and the single-use links (invitation, email verification) that turn
//! an invitation or a sign-up into an account.

use crate::email::EmailAddress;
use crate::org::{OrgSettings, TimeFormat};
use crate::{DomainError, Id, Millis};
use serde::{Deserialize, Serialize};

/// How long an invitation link stays valid: 7 days.
pub const INVITATION_TTL: Millis = 7 * 24 * 60 * 60 * 1000;
/// How long a password-reset link stays valid: 1 hour.
pub const RESET_TTL: Millis = 60 * 60 * 1000;
/// How long an email-verification link (sign-up) stays valid: 2 days.
pub const VERIFICATION_TTL: Millis = 2 * 24 * 60 * 60 * 1000;
/// How long an email-change link (sent to the new address) stays valid: 24 hours.
pub const EMAIL_CHANGE_TTL: Millis = 24 * 60 * 60 * 1000;
/// The longest name a portal user may give.
pub const NAME_MAX: usize = 200;

/// Where a portal account stands. Seats count `Invited` and `Active` users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalUserStatus {
    /// Invited; the link has not been used yet.
    Invited,
    /// Signed up to a public portal; the email address is not verified yet.
    Unverified,
    /// Signed up to a restricted portal; waiting for an administrator's decision.
    Pending,
    /// May sign in.
    Active,
    /// Stopped by an administrator; cannot sign in until reactivated.
    Deactivated,
}

impl PortalUserStatus {
    pub const ALL: [Self; 5] = [
        Self::Invited,
        Self::Unverified,
        Self::Pending,
        Self::Active,
        Self::Deactivated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "invited",
            Self::Unverified => "unverified",
            Self::Pending => "pending",
            Self::Active => "active",
            Self::Deactivated => "deactivated",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                DomainError::field(
                    "status",
                    "invalid_status",
                    "The status is one of invited, unverified, pending, active, deactivated",
                )
            })
    }

    /// Whether a user in this state takes one of the user type's seats.
    pub fn takes_seat(self) -> bool {
        matches!(self, Self::Invited | Self::Active)
    }
}

/// A portal user's display preferences, prefilled from the org's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    pub language: String,
    pub time_format: TimeFormat,
    pub time_zone: String,
    pub country: String,
}

impl Preferences {
    pub fn from_org(org: &OrgSettings) -> Self {
        Self {
            language: org.language.clone(),
            time_format: org.time_format,
            time_zone: org.time_zone.clone(),
            country: org.country.clone(),
        }
    }

    /// Checks preferences a user submitted: a language tag (`en`, `en-GB`), an IANA-style time
    /// zone name, a two-letter country code.
    pub fn parse(
        language: &str,
        time_format: &str,
        time_zone: &str,
        country: &str,
    ) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let language = language.trim();
        let language_ok = (2..=12).contains(&language.len())
            && language
                .split('-')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric()));
        if !language_ok {
            errors.push(crate::FieldError::new(
                "language",
                "invalid_language",
                "The language is a tag such as en or en-GB",
            ));
        }
        let time_format = TimeFormat::parse(time_format.trim()).unwrap_or_else(|e| {
            errors.extend(e.errors().iter().cloned());
            TimeFormat::TwentyFourHour
        });
        let time_zone = time_zone.trim();
        let zone_ok = (1..=64).contains(&time_zone.len())
            && time_zone
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c));
        if !zone_ok {
            errors.push(crate::FieldError::new(
                "time_zone",
                "invalid_time_zone",
                "The time zone is a name such as Europe/Berlin or UTC",
            ));
        }
        let country = country.trim().to_ascii_uppercase();
        if !(country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase())) {
            errors.push(crate::FieldError::new(
                "country",
                "invalid_country",
                "The country is a two-letter code such as DE or US",
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(Self {
            language: language.to_string(),
            time_format,
            time_zone: time_zone.to_string(),
            country,
        })
    }
}

/// A portal account as stored (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortalUser {
    pub id: Id,
    pub org_id: Id,
    pub portal_id: Id,
    pub user_type_id: Id,
    /// The personality record: the portal user's own record in the user type's personality
    /// module. `None` only while a sign-up waits for verification or approval.
    pub record_id: Option<Id>,
    pub email: String,
    pub name: String,
    pub status: PortalUserStatus,
    pub preferences: Preferences,
    /// The CRM user who invited them: the owner of every record they create. `None` for
    /// sign-ups, whose records go to the portal's default owner.
    pub invited_by: Option<Id>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// What a new portal account starts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPortalUser {
    pub portal_id: Id,
    pub user_type_id: Id,
    pub record_id: Option<Id>,
    pub email: EmailAddress,
    pub name: String,
    pub status: PortalUserStatus,
    pub preferences: Preferences,
    pub invited_by: Option<Id>,
    /// Set for sign-ups, which choose their password before they can use the account.
    pub password_hash: Option<String>,
}

/// The lower-cased address: the key that makes an email unique within a portal.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// What a single-use link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    /// Accept an invitation: set a password, then sign in.
    Invitation,
    /// Confirm the address given at sign-up.
    Verification,
    /// Choose a new password ("Forgot your password?").
    Reset,
    /// Confirm a new sign-in address (sent to that address; the account's address changes
    /// when it is used).
    EmailChange,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "invitation",
            Self::Verification => "verification",
            Self::Reset => "reset",
            Self::EmailChange => "email_change",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Invitation,
            Self::Verification,
            Self::Reset,
            Self::EmailChange,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    pub fn ttl(self) -> Millis {
        match self {
            Self::Invitation => INVITATION_TTL,
            Self::Verification => VERIFICATION_TTL,
            Self::Reset => RESET_TTL,
            Self::EmailChange => EMAIL_CHANGE_TTL,
        }
    }
}

/// Why a record could not be invited (PRODUCT.md, "Portal users and invitations").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteFailure {
    SameDomain,
    AwaitingApproval,
    UnderReview,
    NoConsent,
    InvalidEmail,
    AnonymousDomain,
    SeatLimit,
    AlreadyInvited,
    RecordNotFound,
    NoModulePermission,
    NoRecordPermission,
    InRecycleBin,
    NoEmail,
}

impl InviteFailure {
    pub const ALL: [Self; 13] = [
        Self::SameDomain,
        Self::AwaitingApproval,
        Self::UnderReview,
        Self::NoConsent,
        Self::InvalidEmail,
        Self::AnonymousDomain,
        Self::SeatLimit,
        Self::AlreadyInvited,
        Self::RecordNotFound,
        Self::NoModulePermission,
        Self::NoRecordPermission,
        Self::InRecycleBin,
        Self::NoEmail,
    ];

    /// The machine code, exactly as PRODUCT.md names it.
    pub fn code(self) -> &'static str {
        match self {
            Self::SameDomain => "same_domain",
            Self::AwaitingApproval => "awaiting_approval",
            Self::UnderReview => "under_review",
            Self::NoConsent => "no_consent",
            Self::InvalidEmail => "invalid_email",
            Self::AnonymousDomain => "anonymous_domain",
            Self::SeatLimit => "seat_limit",
            Self::AlreadyInvited => "already_invited",
            Self::RecordNotFound => "record_not_found",
            Self::NoModulePermission => "no_module_permission",
            Self::NoRecordPermission => "no_record_permission",
            Self::InRecycleBin => "in_recycle_bin",
            Self::NoEmail => "no_email",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// What the administrator reads, and can act on.
    pub fn message(self) -> &'static str {
        match self {
            Self::SameDomain => {
                "The email address is on the company's own domain; employees cannot be portal users"
            }
            Self::AwaitingApproval => "The record is locked in an approval process",
            Self::UnderReview => "The record is in a review process",
            Self::NoConsent => "The record has no GDPR consent, which this company requires",
            Self::InvalidEmail => {
                "The email address holds characters other than A-Z a-z 0-9 @ . - _ +"
            }
            Self::AnonymousDomain => "The email domain is a disposable or blocked domain",
            Self::SeatLimit => "The user type has no seats left",
            Self::AlreadyInvited => "The record is already a user of this portal",
            Self::RecordNotFound => "The record does not exist",
            Self::NoModulePermission => "You do not have permission for this module",
            Self::NoRecordPermission => "You do not have permission for this record",
            Self::InRecycleBin => "The record is in the recycle bin",
            Self::NoEmail => "The record has no email address",
        }
    }
}

/// The facts about a record that decide whether it may be invited, gathered by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InviteeFacts<'a> {
    pub in_recycle_bin: bool,
    /// The inviting CRM user reaches the record (their record scope).
    pub actor_reaches_record: bool,
    pub approval_locked: bool,
    pub in_review: bool,
    pub email: Option<&'a str>,
    /// The org requires GDPR consent, and the record has none.
    pub lacks_required_consent: bool,
}

/// Characters an invitable address may hold (PRODUCT.md: `A-Z a-z 0-9 @ . - _ +`).
fn invitable_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "@.-_+".contains(c)
}

/// The first failure the record's own state gives, in the order an administrator fixes them;
/// answers the address to invite when there is none. The checks that need the database
/// (domain lists, existing users, seats) follow in the caller.
pub fn check_invitee(
    facts: &InviteeFacts<'_>,
    org_domain: &str,
) -> Result<EmailAddress, InviteFailure> {
    if facts.in_recycle_bin {
        return Err(InviteFailure::InRecycleBin);
    }
    if !facts.actor_reaches_record {
        return Err(InviteFailure::NoRecordPermission);
    }
    if facts.approval_locked {
        return Err(InviteFailure::AwaitingApproval);
    }
    if facts.in_review {
        return Err(InviteFailure::UnderReview);
    }
    let raw = facts.email.map(str::trim).unwrap_or("");
    if raw.is_empty() {
        return Err(InviteFailure::NoEmail);
    }
    if !raw.chars().all(invitable_char) {
        return Err(InviteFailure::InvalidEmail);
    }
    let email = EmailAddress::parse(raw).map_err(|_| InviteFailure::InvalidEmail)?;
    let domain = email.domain();
    let own = org_domain.trim().to_ascii_lowercase();
    if domain == own || domain.ends_with(&format!(".{own}")) {
        return Err(InviteFailure::SameDomain);
    }
    if facts.lacks_required_consent {
        return Err(InviteFailure::NoConsent);
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(email: Option<&str>) -> InviteeFacts<'_> {
        InviteeFacts {
            in_recycle_bin: false,
            actor_reaches_record: true,
            approval_locked: false,
            in_review: false,
            email,
            lacks_required_consent: false,
        }
    }

    #[test]
    fn every_code_is_distinct_and_round_trips() {
        let codes: std::collections::HashSet<_> =
            InviteFailure::ALL.iter().map(|f| f.code()).collect();
        assert_eq!(codes.len(), 13);
        for f in InviteFailure::ALL {
            assert_eq!(InviteFailure::from_code(f.code()), Some(f));
            assert_eq!(
                serde_json::to_value(f).unwrap(),
                serde_json::Value::String(f.code().into())
            );
        }
    }

    #[test]
    fn each_state_of_the_record_gives_its_reason() {
        let ok = facts(Some("ada@customer.com"));
        assert_eq!(
            check_invitee(&ok, "zylker.com").map(|e| e.as_str().to_string()),
            Ok("ada@customer.com".to_string())
        );
        let cases: [(InviteeFacts<'_>, InviteFailure); 10] = [
            (
                InviteeFacts {
                    in_recycle_bin: true,
                    ..ok
                },
                InviteFailure::InRecycleBin,
            ),
            (
                InviteeFacts {
                    actor_reaches_record: false,
                    ..ok
                },
                InviteFailure::NoRecordPermission,
            ),
            (
                InviteeFacts {
                    approval_locked: true,
                    ..ok
                },
                InviteFailure::AwaitingApproval,
            ),
            (
                InviteeFacts {
                    in_review: true,
                    ..ok
                },
                InviteFailure::UnderReview,
            ),
            (facts(None), InviteFailure::NoEmail),
            (facts(Some("  ")), InviteFailure::NoEmail),
            (
                facts(Some("ada!@customer.com")),
                InviteFailure::InvalidEmail,
            ),
            (facts(Some("ada@@customer")), InviteFailure::InvalidEmail),
            (facts(Some("it@ZYLKER.com")), InviteFailure::SameDomain),
            (
                InviteeFacts {
                    lacks_required_consent: true,
                    ..ok
                },
                InviteFailure::NoConsent,
            ),
        ];
        for (f, want) in cases {
            assert_eq!(check_invitee(&f, "zylker.com"), Err(want), "{f:?}");
        }
        assert_eq!(
            check_invitee(&facts(Some("it@eu.zylker.com")), "zylker.com"),
            Err(InviteFailure::SameDomain)
        );
        assert!(check_invitee(&facts(Some("it@notzylker.com")), "zylker.com").is_ok());
        assert!(check_invitee(&facts(Some("a.b-c_d+e@x-y.co")), "zylker.com").is_ok());
    }

    #[test]
    fn preferences_are_checked_field_by_field() {
        let p = Preferences::parse("en-GB", "12h", "Europe/London", "gb").unwrap();
        assert_eq!(p.country, "GB");
        assert_eq!(p.time_format, TimeFormat::TwelveHour);
        let DomainError::Invalid(errors) =
            Preferences::parse("", "13h", "a b", "Germany").expect_err("all four are bad");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["language", "time_format", "time_zone", "country"]);
    }

    #[test]
    fn statuses_round_trip_and_seats_count_invited_and_active() {
        for s in PortalUserStatus::ALL {
            assert_eq!(PortalUserStatus::parse(s.as_str()).unwrap(), s);
        }
        let taking: Vec<_> = PortalUserStatus::ALL
            .into_iter()
            .filter(|s| s.takes_seat())
            .collect();
        assert_eq!(
            taking,
            [PortalUserStatus::Invited, PortalUserStatus::Active]
        );
    }
}
