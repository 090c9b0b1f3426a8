//! Values as a portal user reads them: dates and times in their time zone (the IANA database,
//! bundled) and time format, numbers and amounts with their language's separators, booleans and
//! months in their language.

use crate::i18n::Tr;
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use portico_domain::field::FieldType;
use portico_domain::org::TimeFormat;
use portico_domain::portal_user::Preferences;
use serde_json::Value;

/// How one portal user reads values.
#[derive(Debug, Clone)]
pub struct Locale {
    pub tr: Tr,
    zone: TimeZone,
    zone_name: String,
    twelve_hour: bool,
    country: String,
}

/// Whether `name` is a time zone of the IANA database (what preferences accept).
pub use portico_app::org::is_time_zone;

/// Every time zone name of the bundled IANA database, sorted (for the preferences page).
pub fn time_zones() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.to_string())
        .filter(|n| n.contains('/') || n == "UTC")
        .filter(|n| !n.starts_with("Etc/") && !n.starts_with("SystemV/"))
        .collect();
    names.sort();
    names.dedup();
    names
}

impl Locale {
    /// The locale of a portal user's preferences; an unknown time zone reads as UTC.
    pub fn new(prefs: &Preferences) -> Self {
        let (zone, zone_name) = match TimeZone::get(&prefs.time_zone) {
            Ok(z) => (z, prefs.time_zone.clone()),
            Err(_) => (TimeZone::UTC, "UTC".to_string()),
        };
        Self {
            tr: Tr::for_language(&prefs.language),
            zone,
            zone_name,
            twelve_hour: prefs.time_format == TimeFormat::TwelveHour,
            country: prefs.country.to_ascii_uppercase(),
        }
    }

    pub fn time_zone(&self) -> &str {
        &self.zone_name
    }

    /// A calendar date (`YYYY-MM-DD`) in the user's language; other text is shown as it is.
    pub fn date(&self, iso: &str) -> String {
        match iso.parse::<Date>() {
            Ok(d) => self.civil_date(d),
            Err(_) => iso.to_string(),
        }
    }

    fn civil_date(&self, d: Date) -> String {
        let month = self.tr.t(&format!("month-{}", d.month()));
        let mut args = fluent_args(&[
            ("day", d.day().to_string()),
            ("month", month),
            ("year", d.year().to_string()),
        ]);
        self.tr.with_args("date-format", &mut args)
    }

    fn clock(&self, hour: i8, minute: i8) -> String {
        if self.twelve_hour {
            let (h, suffix) = match hour {
                0 => (12, "AM"),
                1..=11 => (hour, "AM"),
                12 => (12, "PM"),
                _ => (hour - 12, "PM"),
            };
            format!("{h}:{minute:02} {suffix}")
        } else {
            format!("{hour:02}:{minute:02}")
        }
    }

    /// A moment (RFC 3339; without an offset it is read as UTC) in the user's time zone.
    pub fn datetime(&self, text: &str) -> String {
        match parse_moment(text) {
            Some(t) => self.moment(t),
            None => text.to_string(),
        }
    }

    /// A moment in epoch milliseconds, in the user's time zone.
    pub fn millis(&self, ms: i64) -> String {
        match Timestamp::from_millisecond(ms) {
            Ok(t) => self.moment(t),
            Err(_) => String::new(),
        }
    }

    fn moment(&self, t: Timestamp) -> String {
        let z = t.to_zoned(self.zone.clone());
        format!(
            "{} {}",
            self.civil_date(z.date()),
            self.clock(z.hour(), z.minute())
        )
    }

    /// The value a `datetime-local` input shows for a stored moment, in the user's time zone.
    pub fn datetime_input(&self, text: &str) -> String {
        match parse_moment(text) {
            Some(t) => t
                .to_zoned(self.zone.clone())
                .strftime("%Y-%m-%dT%H:%M")
                .to_string(),
            None => String::new(),
        }
    }

    /// A `datetime-local` input's value (the user's wall clock) as the moment to store (UTC,
    /// RFC 3339); text that is no such value is passed on as it is, for the field check to refuse.
    pub fn datetime_from_input(&self, text: &str) -> String {
        let parsed = text
            .parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|dt| dt.to_zoned(self.zone.clone()).ok());
        match parsed {
            Some(z) => z.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
            None => text.to_string(),
        }
    }

    /// A number with `decimals` places and the language's separators.
    pub fn number(&self, n: f64, decimals: usize) -> String {
        let (group, point) = match self.tr.lang() {
            "de" => (".", ","),
            "fr" => ("\u{202f}", ","),
            _ => (",", "."),
        };
        let text = format!("{:.*}", decimals, n.abs());
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push_str(group);
            }
            grouped.push(c);
        }
        let sign = if n < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
            "-"
        } else {
            ""
        };
        if fraction.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}{point}{fraction}")
        }
    }

    /// An amount with two decimals and the currency of the user's country when it is known
    /// (no symbol otherwise: the CRM stores amounts without a currency).
    pub fn amount(&self, n: f64) -> String {
        let number = self.number(n, 2);
        match currency(&self.country) {
            Some((symbol, true)) => format!("{symbol}{number}"),
            Some((symbol, false)) => format!("{number}\u{a0}{symbol}"),
            None => number,
        }
    }

    /// A field's value as text for this user. Lookups are not handled here (their names come
    /// from the enforcement point); subforms show their row count.
    pub fn value(&self, field_type: &FieldType, value: Option<&Value>) -> String {
        let Some(value) = value.filter(|v| !v.is_null()) else {
            return String::new();
        };
        match (field_type, value) {
            (FieldType::Date, Value::String(s)) => self.date(s),
            (FieldType::DateTime, Value::String(s)) => self.datetime(s),
            (FieldType::Currency, v) => v.as_f64().map_or_else(|| plain(v), |n| self.amount(n)),
            (FieldType::Decimal, v) => v.as_f64().map_or_else(|| plain(v), |n| self.number(n, 2)),
            (FieldType::Number, v) => v.as_f64().map_or_else(|| plain(v), |n| self.number(n, 0)),
            (FieldType::Percent, v) => v
                .as_f64()
                .map_or_else(|| plain(v), |n| format!("{}\u{a0}%", self.number(n, 2))),
            (FieldType::Boolean, Value::Bool(b)) => {
                self.tr.t(if *b { "record-yes" } else { "record-no" })
            }
            (FieldType::Subform { .. }, Value::Array(rows)) => self
                .tr
                .count("record-rows", i64::try_from(rows.len()).unwrap_or(i64::MAX)),
            (_, v) => plain(v),
        }
    }
}

impl Locale {
    /// A record's value as shown: a lookup shows its target's name when the portal user
    /// reaches it (`names`) and what `not_shared` says otherwise; anything else is formatted for
    /// the user.
    pub fn shown(
        &self,
        field_type: &FieldType,
        value: Option<&Value>,
        names: &std::collections::HashMap<portico_domain::Id, String>,
        not_shared: impl Fn() -> String,
    ) -> String {
        let name_of = |v: &Value| {
            v.as_i64()
                .map(|id| names.get(&id).cloned().unwrap_or_else(&not_shared))
        };
        match (field_type, value) {
            (FieldType::Lookup { .. }, Some(v)) => name_of(v).unwrap_or_default(),
            (FieldType::MultiselectLookup { .. }, Some(Value::Array(items))) => items
                .iter()
                .filter_map(name_of)
                .collect::<Vec<_>>()
                .join(", "),
            (t, v) => self.value(t, v),
        }
    }
}

fn plain(v: &Value) -> String {
    portico_domain::canvas::display_value(Some(v))
}

fn parse_moment(text: &str) -> Option<Timestamp> {
    text.parse::<Timestamp>().ok().or_else(|| {
        text.parse::<jiff::civil::DateTime>()
            .ok()
            .and_then(|dt| dt.to_zoned(TimeZone::UTC).ok())
            .map(|z| z.timestamp())
    })
}

/// The currency symbol of a country, and whether it comes before the number.
fn currency(country: &str) -> Option<(&'static str, bool)> {
    const EURO: &[&str] = &[
        "AT", "BE", "CY", "DE", "EE", "ES", "FI", "FR", "GR", "HR", "IE", "IT", "LT", "LU", "LV",
        "MT", "NL", "PT", "SI", "SK",
    ];
    Some(match country {
        "US" | "CA" | "AU" | "NZ" | "SG" => ("$", true),
        "GB" => ("£", true),
        "IN" => ("₹", true),
        "JP" => ("¥", true),
        "CH" => ("CHF", false),
        c if EURO.contains(&c) => ("€", false),
        _ => return None,
    })
}

fn fluent_args(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn locale(language: &str, zone: &str, format: TimeFormat, country: &str) -> Locale {
        Locale::new(&Preferences {
            language: language.into(),
            time_format: format,
            time_zone: zone.into(),
            country: country.into(),
        })
    }

    #[test]
    fn moments_are_shown_in_the_users_zone_and_clock() {
        let berlin = locale("de", "Europe/Berlin", TimeFormat::TwentyFourHour, "DE");
        assert_eq!(
            berlin.datetime("2026-11-30T13:05:00Z"),
            "30. Nov. 2026 14:05"
        );
        // Summer time.
        assert_eq!(
            berlin.datetime("2026-07-01T13:05:00Z"),
            "1. Juli 2026 15:05"
        );
        let ny = locale("en", "America/New_York", TimeFormat::TwelveHour, "US");
        assert_eq!(ny.datetime("2026-11-30T13:05:00Z"), "30 Nov 2026 8:05 AM");
        assert_eq!(ny.datetime("2026-11-30T03:05:00"), "29 Nov 2026 10:05 PM");
        assert_eq!(ny.datetime("not a date"), "not a date");
        let paris = locale("fr", "Europe/Paris", TimeFormat::TwentyFourHour, "FR");
        assert_eq!(paris.date("2026-08-04"), "4 août 2026");
    }

    #[test]
    fn a_wall_clock_input_is_stored_as_the_moment_it_means() {
        let berlin = locale("de", "Europe/Berlin", TimeFormat::TwentyFourHour, "DE");
        assert_eq!(
            berlin.datetime_from_input("2026-11-30T14:05"),
            "2026-11-30T13:05:00Z"
        );
        assert_eq!(
            berlin.datetime_input("2026-11-30T13:05:00Z"),
            "2026-11-30T14:05"
        );
        assert_eq!(berlin.datetime_from_input("garbage"), "garbage");
    }

    #[test]
    fn numbers_and_amounts_follow_the_language_and_country() {
        let en = locale("en", "UTC", TimeFormat::TwentyFourHour, "US");
        assert_eq!(en.amount(1234567.5), "$1,234,567.50");
        assert_eq!(en.number(-1234.0, 0), "-1,234");
        assert_eq!(en.number(-0.001, 2), "0.00");
        let de = locale("de", "UTC", TimeFormat::TwentyFourHour, "DE");
        assert_eq!(de.amount(782.0), "782,00\u{a0}€");
        assert_eq!(de.number(1234.5, 2), "1.234,50");
        let fr = locale("fr", "UTC", TimeFormat::TwentyFourHour, "ZZ");
        assert_eq!(fr.amount(1234.5), "1\u{202f}234,50");
        assert_eq!(
            fr.value(&FieldType::Boolean, Some(&Value::Bool(true))),
            "Oui"
        );
    }

    #[test]
    fn an_unknown_zone_reads_as_utc_and_the_database_lists_zones() {
        let l = locale("en", "Mars/Olympus", TimeFormat::TwentyFourHour, "US");
        assert_eq!(l.time_zone(), "UTC");
        assert!(is_time_zone("Asia/Kolkata"));
        assert!(!is_time_zone("Mars/Olympus"));
        let zones = time_zones();
        assert!(zones.len() > 300, "{}", zones.len());
        assert!(zones.iter().any(|z| z == "Europe/Berlin"));
    }
}
