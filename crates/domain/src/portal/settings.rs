//! Portal settings: the URL slug, status, type, and every setting that needs no database to
//! check.

use super::IDLE_TIMEOUTS;
use crate::email::is_domain;
use crate::{DomainError, FieldError, Id};
use serde::{Deserialize, Serialize};

/// A portal URL slug: 3–63 lower-case letters, digits and inner hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim();
        let ok = (3..=63).contains(&s.len())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(DomainError::field(
                "slug",
                "invalid_slug",
                "The portal address is 3 to 63 lower-case letters, digits and hyphens",
            ))
        }
    }

    /// `Zylker Customers` → `zylker-customers`.
    pub fn from_name(name: &str) -> Result<Self, DomainError> {
        let mut slug = String::new();
        for c in name.trim().chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') {
                slug.push('-');
            }
        }
        let slug: String = slug.trim_matches('-').chars().take(63).collect();
        let slug = slug.trim_end_matches('-');
        let padded = if slug.len() < 3 {
            format!("{slug}-portal")
        } else {
            slug.to_string()
        };
        Self::parse(padded.trim_start_matches('-'))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Slug> for String {
    fn from(value: Slug) -> Self {
        value.0
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalStatus {
    Enabled,
    Disabled,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalType {
    /// Anyone with the link signs up.
    Public,
    /// Invitation only.
    Private,
    /// Sign-up, then approval.
    Restricted,
}

/// Consent text an admin adds to the pages that carry analytics.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentText {
    #[serde(default)]
    pub signup: String,
    #[serde(default)]
    pub signin: String,
    #[serde(default)]
    pub reset_password: String,
    #[serde(default)]
    pub confirm_password: String,
}

/// Every portal setting (seed 004), as the API names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortalSettings {
    pub status: PortalStatus,
    pub disabled_message: String,
    pub slug: Slug,
    pub custom_domain: Option<String>,
    pub portal_type: PortalType,
    /// CRM users told about sign-ups (public and restricted portals).
    pub signup_notify_user_ids: Vec<Id>,
    /// Restricted portals: tell the applicant about the decision.
    pub notify_applicant: bool,
    /// Restricted portals: approve sign-ups whose email matches a Contacts record.
    pub auto_approve_contacts: bool,
    pub default_user_type_id: Option<Id>,
    /// The CRM user who owns the personality records sign-ups create (and the records those
    /// users create); the org's first super admin when unset. A portal user is never an owner.
    #[serde(default)]
    pub default_owner_id: Option<Id>,
    pub allow_email_change: bool,
    pub enforce_mfa: bool,
    /// `None` = never.
    pub idle_timeout_minutes: Option<i64>,
    pub ga_measurement_id: Option<String>,
    pub ga_terms_accepted: bool,
    pub consent_text: ConsentText,
    /// The portal's brand colour (`#rrggbb`, white text on it at least 4.5:1); `None` keeps
    /// the product's own.
    #[serde(default)]
    pub accent_colour: Option<String>,
}

pub const DEFAULT_DISABLED_MESSAGE: &str =
    "This portal is down for maintenance. Please try again later.";
pub const CONSENT_MAX: usize = 2_000;

impl PortalSettings {
    /// The settings of a new portal: enabled, private, nothing optional switched on.
    pub fn new(slug: Slug) -> Self {
        Self {
            status: PortalStatus::Enabled,
            disabled_message: DEFAULT_DISABLED_MESSAGE.to_string(),
            slug,
            custom_domain: None,
            portal_type: PortalType::Private,
            signup_notify_user_ids: Vec::new(),
            notify_applicant: false,
            auto_approve_contacts: false,
            default_user_type_id: None,
            default_owner_id: None,
            allow_email_change: false,
            enforce_mfa: false,
            idle_timeout_minutes: None,
            ga_measurement_id: None,
            ga_terms_accepted: false,
            consent_text: ConsentText::default(),
            accent_colour: None,
        }
    }

    /// Checks every setting that needs no database; reports each bad one.
    pub fn check(mut self) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let mut bad = |field: &str, code: &'static str, msg: &str| {
            errors.push(FieldError::new(field, code, msg))
        };
        self.disabled_message = self.disabled_message.trim().to_string();
        if self.disabled_message.is_empty() {
            self.disabled_message = DEFAULT_DISABLED_MESSAGE.to_string();
        }
        if self.disabled_message.chars().count() > 1_000 {
            bad(
                "disabled_message",
                "too_long",
                "The maintenance message has at most 1,000 characters",
            );
        }
        self.custom_domain = self
            .custom_domain
            .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|d| !d.is_empty());
        if self.custom_domain.as_deref().is_some_and(|d| !is_domain(d)) {
            bad(
                "custom_domain",
                "invalid_domain",
                "The custom domain looks like portal.zylker.com",
            );
        }
        if self.portal_type != PortalType::Restricted
            && (self.notify_applicant || self.auto_approve_contacts)
        {
            bad(
                "portal_type",
                "restricted_only",
                "Notifying applicants and auto-approving contacts apply only to restricted portals",
            );
        }
        if self.portal_type == PortalType::Private && !self.signup_notify_user_ids.is_empty() {
            bad(
                "signup_notify_user_ids",
                "no_signups",
                "A private portal has no sign-ups to notify anyone about",
            );
        }
        self.signup_notify_user_ids.sort_unstable();
        self.signup_notify_user_ids.dedup();
        if self
            .idle_timeout_minutes
            .is_some_and(|m| !IDLE_TIMEOUTS.contains(&m))
        {
            bad(
                "idle_timeout_minutes",
                "invalid_timeout",
                "The idle timeout is never (null) or 15, 30, 60, 120, 240, 480 or 720 minutes",
            );
        }
        self.ga_measurement_id = self
            .ga_measurement_id
            .map(|g| g.trim().to_string())
            .filter(|g| !g.is_empty());
        if let Some(id) = &self.ga_measurement_id {
            let valid = id.strip_prefix("G-").is_some_and(|rest| {
                (4..=16).contains(&rest.len())
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            });
            if !valid {
                bad(
                    "ga_measurement_id",
                    "invalid_measurement_id",
                    "A Google Analytics measurement ID looks like G-XXXXXXXXXX",
                );
            } else if !self.ga_terms_accepted {
                bad(
                    "ga_terms_accepted",
                    "terms_required",
                    "Accept the Google Analytics terms before adding a measurement ID",
                );
            }
        }
        for (field, text) in [
            ("consent_text.signup", &self.consent_text.signup),
            ("consent_text.signin", &self.consent_text.signin),
            (
                "consent_text.reset_password",
                &self.consent_text.reset_password,
            ),
            (
                "consent_text.confirm_password",
                &self.consent_text.confirm_password,
            ),
        ] {
            if text.chars().count() > CONSENT_MAX {
                bad(
                    field,
                    "too_long",
                    "Consent text has at most 2,000 characters",
                );
            }
        }
        self.accent_colour = self
            .accent_colour
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty());
        if let Some(colour) = &self.accent_colour {
            match super::brand::parse_accent_colour(colour) {
                Ok(c) => self.accent_colour = Some(c),
                Err(e) => errors.extend(e.errors().iter().cloned()),
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(e: DomainError) -> Vec<&'static str> {
        e.errors().iter().map(|e| e.code).collect()
    }

    #[test]
    fn slugs() {
        assert_eq!(
            Slug::from_name("Zylker Customers").unwrap().as_str(),
            "zylker-customers"
        );
        assert_eq!(
            Slug::from_name("  Ünïcode & Co!! ").unwrap().as_str(),
            "n-code-co"
        );
        assert_eq!(Slug::from_name("AB").unwrap().as_str(), "ab-portal");
        assert!(Slug::parse("-bad").is_err());
        assert!(Slug::parse("Upper").is_err());
        assert!(Slug::parse("ok-slug-1").is_ok());
    }

    #[test]
    fn settings_are_validated() {
        let ok = PortalSettings::new(Slug::parse("zylker").unwrap());
        assert!(ok.clone().check().is_ok());
        let bad = PortalSettings {
            custom_domain: Some("not a domain".into()),
            notify_applicant: true,
            idle_timeout_minutes: Some(7),
            ga_measurement_id: Some("UA-123".into()),
            ..ok.clone()
        };
        let fields: Vec<String> = bad
            .check()
            .unwrap_err()
            .errors()
            .iter()
            .map(|e| e.field.clone())
            .collect();
        assert_eq!(
            fields,
            [
                "custom_domain",
                "portal_type",
                "idle_timeout_minutes",
                "ga_measurement_id"
            ]
        );
        let no_terms = PortalSettings {
            ga_measurement_id: Some("G-ABC123XYZ".into()),
            ..ok.clone()
        };
        assert_eq!(codes(no_terms.check().unwrap_err()), ["terms_required"]);
        let accepted = PortalSettings {
            ga_measurement_id: Some("G-ABC123XYZ".into()),
            ga_terms_accepted: true,
            ..ok.clone()
        };
        assert!(accepted.check().is_ok());
        let restricted = PortalSettings {
            portal_type: PortalType::Restricted,
            notify_applicant: true,
            auto_approve_contacts: true,
            ..ok
        };
        assert!(restricted.check().is_ok());
    }
}
