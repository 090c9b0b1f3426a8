//! The org (tenant) and its regional defaults.

use crate::email::is_domain;
use crate::module::parse_label;
use crate::{DomainError, Id};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeFormat {
    #[serde(rename = "12h")]
    TwelveHour,
    #[serde(rename = "24h")]
    TwentyFourHour,
}

impl TimeFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::TwelveHour => "12h",
            Self::TwentyFourHour => "24h",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s {
            "12h" => Ok(Self::TwelveHour),
            "24h" => Ok(Self::TwentyFourHour),
            _ => Err(DomainError::field(
                "time_format",
                "invalid_time_format",
                "Time format is 12h or 24h",
            )),
        }
    }
}

/// An org's settings, validated as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSettings {
    pub name: String,
    pub email_domain: String,
    pub language: String,
    pub time_format: TimeFormat,
    pub time_zone: String,
    pub country: String,
    pub gdpr_consent_required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Org {
    pub id: Id,
    #[serde(flatten)]
    pub settings: OrgSettings,
}

impl OrgSettings {
    /// Normalises and checks every setting, reporting each bad one.
    pub fn check(self) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        let name = parse_label("name", &self.name).unwrap_or_else(|e| {
            errors.extend(e.errors().iter().cloned());
            String::new()
        });
        let email_domain = self.email_domain.trim().to_ascii_lowercase();
        if !is_domain(&email_domain) {
            errors.push(crate::FieldError::new(
                "email_domain",
                "invalid_domain",
                "The company email domain looks like zylker.com",
            ));
        }
        let language = self.language.trim().to_string();
        let lang_ok = matches!(language.len(), 2 | 5)
            && language
                .get(0..2)
                .is_some_and(|l| l.chars().all(|c| c.is_ascii_lowercase()))
            && (language.len() == 2
                || (language.as_bytes()[2] == b'-'
                    && language
                        .get(3..5)
                        .is_some_and(|r| r.chars().all(|c| c.is_ascii_uppercase()))));
        if !lang_ok {
            errors.push(crate::FieldError::new(
                "language",
                "invalid_language",
                "Language is a code such as en or en-GB",
            ));
        }
        let time_zone = self.time_zone.trim().to_string();
        let tz_ok = time_zone == "UTC"
            || (time_zone.contains('/')
                && time_zone.len() <= 64
                && time_zone.split('/').all(|p| {
                    !p.is_empty()
                        && p.chars()
                            .all(|c| c.is_ascii_alphanumeric() || "_-+".contains(c))
                }));
        if !tz_ok {
            errors.push(crate::FieldError::new(
                "time_zone",
                "invalid_time_zone",
                "Time zone is UTC or an area/city name such as Europe/London",
            ));
        }
        let country = self.country.trim().to_ascii_uppercase();
        if !(country.len() == 2 && country.chars().all(|c| c.is_ascii_uppercase())) {
            errors.push(crate::FieldError::new(
                "country",
                "invalid_country",
                "Country is a two-letter ISO code such as GB or US",
            ));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(Self {
            name,
            email_domain,
            language,
            time_format: self.time_format,
            time_zone,
            country,
            gdpr_consent_required: self.gdpr_consent_required,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> OrgSettings {
        OrgSettings {
            name: "Zylker".into(),
            email_domain: "Zylker.com".into(),
            language: "en".into(),
            time_format: TimeFormat::TwentyFourHour,
            time_zone: "Europe/London".into(),
            country: "gb".into(),
            gdpr_consent_required: false,
        }
    }

    #[test]
    fn good_settings_are_normalised() {
        let s = settings().check().unwrap();
        assert_eq!(s.email_domain, "zylker.com");
        assert_eq!(s.country, "GB");
    }

    #[test]
    fn each_bad_setting_is_reported() {
        let bad = OrgSettings {
            email_domain: "nodot".into(),
            language: "english".into(),
            time_zone: "Mars".into(),
            country: "GBR".into(),
            ..settings()
        };
        let err = bad.check().unwrap_err();
        let fields: Vec<_> = err.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email_domain", "language", "time_zone", "country"]);
    }
}
