//! The password policy for portal accounts: length, not composition rules (NIST SP 800-63B
//! §5.1.1.2), and never one of the passwords attackers try first.

use crate::DomainError;
use std::collections::HashSet;
use std::sync::LazyLock;

/// The fewest characters a portal password has.
pub const PORTAL_PASSWORD_MIN: usize = 12;
/// The most: long passphrases are welcome, but hashing an unbounded input is not.
pub const PORTAL_PASSWORD_MAX: usize = 128;

/// The vendored list (`data/common_passwords.txt`: source, version and licence in its header),
/// lower-cased. It keeps only entries of at least [`PORTAL_PASSWORD_MIN`] characters: a shorter
/// password is refused before the list is read.
const COMMON_LIST: &str = include_str!("../data/common_passwords.txt");

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    COMMON_LIST
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Whether `password` is on the common-password list, ignoring case.
pub fn is_common(password: &str) -> bool {
    COMMON.contains(password.to_lowercase().as_str())
}

/// A password a portal account may have: [`PORTAL_PASSWORD_MIN`] to [`PORTAL_PASSWORD_MAX`]
/// characters (Unicode scalar values, not bytes), no control characters, not a common one.
/// Spaces count like any character and nothing is trimmed: what is typed is what is hashed.
/// It has no `Display` or `Serialize`, and its `Debug` hides it, so it cannot reach a log or an
/// answer by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let err = |code, message: String| DomainError::field("password", code, message);
        // Counted only as far as the limit, so an oversized input costs no more than that.
        let length = input.chars().take(PORTAL_PASSWORD_MAX + 1).count();
        if length > PORTAL_PASSWORD_MAX {
            return Err(err(
                "password_too_long",
                format!("A password has at most {PORTAL_PASSWORD_MAX} characters"),
            ));
        }
        if input.chars().any(char::is_control) {
            return Err(err(
                "invalid_characters",
                "A password cannot hold control characters (such as NUL, tab or a line break)"
                    .into(),
            ));
        }
        if length < PORTAL_PASSWORD_MIN {
            return Err(err(
                "password_too_short",
                format!("A password has at least {PORTAL_PASSWORD_MIN} characters"),
            ));
        }
        if is_common(input) {
            return Err(err(
                "password_too_common",
                "This password is one of the most common ones, which attackers try first; \
                 choose another"
                    .into(),
            ));
        }
        Ok(Self(input.to_string()))
    }

    /// The password itself, to hash.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(input: &str) -> &'static str {
        match NewPassword::parse(input) {
            Ok(_) => panic!("{input:?} was accepted"),
            Err(e) => {
                assert_eq!(e.errors()[0].field, "password");
                e.errors()[0].code
            }
        }
    }

    #[test]
    fn the_list_holds_only_lower_cased_entries_long_enough_to_matter() {
        assert!(COMMON.len() > 250, "{}", COMMON.len());
        assert!(
            COMMON
                .iter()
                .all(|p| p.chars().count() >= PORTAL_PASSWORD_MIN
                    && *p == p.to_lowercase()
                    && !p.starts_with('#'))
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for p in [
            "password1234",
            "PASSWORD1234",
            "Password1234",
            "qwertyuiop123",
            "QwertyUiop123",
            "123456789012",
            "qwerty123456",
            "1qaz2wsx3edc",
            "administrator",
            "LeaveMeAlone",
        ] {
            assert!(is_common(p), "{p} is on the list");
            assert_eq!(code(p), "password_too_common", "{p}");
        }
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        assert_eq!(code(""), "password_too_short");
        assert_eq!(code("correcthors"), "password_too_short");
        // Eleven characters but 22 bytes: still too short.
        assert_eq!(code("ééééééééééé"), "password_too_short");
        assert!(NewPassword::parse("éééééééééééé").is_ok(), "12 characters");
        assert!(NewPassword::parse(&"ü".repeat(PORTAL_PASSWORD_MAX)).is_ok());
        assert_eq!(
            code(&"ü".repeat(PORTAL_PASSWORD_MAX + 1)),
            "password_too_long"
        );
        assert_eq!(code(&"x".repeat(2 * 1024 * 1024)), "password_too_long");
        assert!(NewPassword::parse("correct horse battery staple").is_ok());
        assert!(NewPassword::parse("  spaces  count  ").is_ok());
    }

    #[test]
    fn control_characters_are_refused() {
        for p in [
            "correct\0horse battery",
            "correct\thorse battery",
            "correct horse\nbattery",
            "correct horse\u{7f}battery",
            "correct horse\u{85}battery",
            "\0",
        ] {
            assert_eq!(code(p), "invalid_characters", "{p:?}");
        }
    }

    #[test]
    fn messages_are_clear_and_the_password_never_shows() {
        let e = NewPassword::parse("short").unwrap_err();
        assert_eq!(
            e.errors()[0].message,
            "A password has at least 12 characters"
        );
        let e = NewPassword::parse("password1234").unwrap_err();
        assert!(!e.to_string().contains("password1234"));
        let ok = NewPassword::parse("a sound portal passphrase").unwrap();
        assert_eq!(ok.expose(), "a sound portal passphrase");
        assert_eq!(format!("{ok:?}"), "NewPassword(…)");
    }
}
