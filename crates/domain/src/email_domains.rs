//! Email domains a portal refuses: the shipped list of disposable-address services
//! ([`is_disposable`]) and the names an org blocks itself ([`BlockedDomain`]). Both match a
//! domain and every subdomain of it, so listing `mailinator.com` also refuses
//! `x.mailinator.com` — disposable services hand out subdomains freely.

use crate::DomainError;
use crate::email::is_domain;
use std::sync::LazyLock;

/// The longest DNS name (RFC 1035), and so the longest name worth storing or comparing.
pub const DOMAIN_MAX: usize = 253;

/// The vendored list (`data/disposable_domains.txt`: source, version and licence in its
/// header). Compiled in, so a server needs no file or network to check an address.
const DISPOSABLE_LIST: &str = include_str!("../data/disposable_domains.txt");

/// The list's domains, sorted for binary search. Built on first use: 120,000 borrowed slices
/// of the compiled-in text, with nothing copied.
static DISPOSABLE: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    let mut domains: Vec<&'static str> = DISPOSABLE_LIST
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    // The file is sorted when vendored; sorting again keeps a hand edit from silently breaking
    // the binary search.
    domains.sort_unstable();
    domains.dedup();
    domains
});

/// How many domains the shipped disposable list holds.
pub fn disposable_count() -> usize {
    DISPOSABLE.len()
}

/// `domain` lower-cased, without surrounding spaces and a final root dot (`Example.COM.` is
/// `example.com`), as the lists hold names.
pub fn normalise(domain: &str) -> String {
    let d = domain.trim();
    d.strip_suffix('.').unwrap_or(d).to_ascii_lowercase()
}

/// `domain` and each of its parents that is still a name of two labels or more, longest first:
/// `a.b.example.com`, `b.example.com`, `example.com`. Names no list can hold are skipped:
/// longer than [`DOMAIN_MAX`] (which also bounds the parents of a hostile input to 127), or
/// with a character other than an ASCII letter, digit, hyphen or dot (PostgreSQL cannot even
/// take a NUL as a parameter).
pub fn domain_and_parents(domain: &str) -> impl Iterator<Item = &str> {
    let starts = std::iter::once(0).chain(domain.match_indices('.').map(|(i, _)| i + 1));
    starts.map(move |i| &domain[i..]).filter(|d| {
        d.len() <= DOMAIN_MAX
            && d.contains('.')
            && !d.starts_with('.')
            && d.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    })
}

/// Whether addresses at `domain` come from a disposable-address service on the shipped list:
/// the domain or one of its parents is listed. Case-insensitive.
pub fn is_disposable(domain: &str) -> bool {
    let domain = normalise(domain);
    domain_and_parents(&domain).any(|d| DISPOSABLE.binary_search(&d).is_ok())
}

/// A domain an org refuses addresses at (its block list): a DNS name of two labels or more,
/// lower-cased, at most [`DOMAIN_MAX`] characters. `@example.com` is taken as `example.com`,
/// since admins often type the part of an address they mean.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockedDomain(String);

impl BlockedDomain {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let err = |code, message: String| DomainError::field("domain", code, message);
        let trimmed = input.trim();
        let bare = trimmed.strip_prefix('@').unwrap_or(trimmed);
        if bare.is_empty() {
            return Err(err("required", "Enter a domain, e.g. example.com".into()));
        }
        // Bounded before anything else looks at it: a 2 MB input is refused here, uncopied.
        if bare.chars().count() > DOMAIN_MAX {
            return Err(err(
                "too_long",
                format!("A domain has at most {DOMAIN_MAX} characters"),
            ));
        }
        if bare.chars().any(char::is_control) {
            return Err(err(
                "invalid_characters",
                "A domain cannot hold control characters".into(),
            ));
        }
        let domain = normalise(bare);
        if !domain.is_ascii() {
            return Err(err(
                "invalid_domain",
                format!(
                    "\u{201c}{domain}\u{201d} is not in ASCII: write an international domain in \
                     its xn-- form"
                ),
            ));
        }
        if !is_domain(&domain) {
            return Err(err(
                "invalid_domain",
                format!(
                    "\u{201c}{domain}\u{201d} is not a domain name such as example.com (letters, \
                     digits and hyphens, at least two parts)"
                ),
            ));
        }
        Ok(Self(domain))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BlockedDomain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(input: &str) -> &'static str {
        match BlockedDomain::parse(input) {
            Ok(d) => panic!("{input:?} was accepted as {d}"),
            Err(e) => e.errors()[0].code,
        }
    }

    #[test]
    fn the_list_is_loaded_sorted_and_without_comments() {
        assert!(disposable_count() > 100_000, "{}", disposable_count());
        assert!(DISPOSABLE.windows(2).all(|w| w[0] < w[1]));
        assert!(DISPOSABLE.iter().all(|d| !d.starts_with('#')
            && d.is_ascii()
            && *d == d.to_ascii_lowercase()
            && d.contains('.')));
    }

    #[test]
    fn listed_domains_are_disposable_whatever_their_case() {
        for d in [
            "mailinator.com",
            "MAILINATOR.COM",
            "Mailinator.Com",
            " mailinator.com ",
            "mailinator.com.",
            "guerrillamail.com",
            "10minutemail.com",
            "yopmail.com",
        ] {
            assert!(is_disposable(d), "{d}");
        }
    }

    #[test]
    fn subdomains_of_listed_domains_are_disposable() {
        for d in ["x.mailinator.com", "a.b.c.MAILINATOR.com", "x.yopmail.com"] {
            assert!(is_disposable(d), "{d}");
        }
    }

    #[test]
    fn ordinary_domains_are_not() {
        for d in [
            "gmail.com",
            "zylker.com",
            "example.org",
            "com",
            "",
            ".",
            "mailinator.com.evil.example",
            "mailinatorx.com",
            "mailinator.co",
        ] {
            assert!(!is_disposable(d), "{d}");
        }
    }

    #[test]
    fn hostile_inputs_answer_quickly_and_safely() {
        let long = format!("{}mailinator.com", "a.".repeat(1_000_000));
        assert!(is_disposable(&long), "a listed parent still counts");
        assert!(!is_disposable(&"a".repeat(2_000_000)));
        assert!(!is_disposable("..."));
        assert!(!is_disposable("mailinator.com\0"));
    }

    #[test]
    fn parents_stop_at_two_labels() {
        let all: Vec<&str> = domain_and_parents("a.b.example.com").collect();
        assert_eq!(all, ["a.b.example.com", "b.example.com", "example.com"]);
        assert_eq!(domain_and_parents("com").count(), 0);
        assert_eq!(
            domain_and_parents(".example.com").collect::<Vec<_>>(),
            ["example.com"]
        );
        assert_eq!(
            domain_and_parents("x\0.%.spam.example").collect::<Vec<_>>(),
            ["spam.example"]
        );
        let long = format!("{}example.com", "a.".repeat(500));
        assert!(domain_and_parents(&long).all(|d| d.len() <= DOMAIN_MAX));
        assert_eq!(domain_and_parents(&long).count(), 1 + (DOMAIN_MAX - 11) / 2);
    }

    #[test]
    fn blocked_domains_are_lower_cased_domain_names() {
        for (input, parsed) in [
            ("example.com", "example.com"),
            ("  Spam.Example.COM ", "spam.example.com"),
            ("@rival.example", "rival.example"),
            ("rival.example.", "rival.example"),
            ("xn--lndwirt-hwa.com", "xn--lndwirt-hwa.com"),
        ] {
            assert_eq!(BlockedDomain::parse(input).unwrap().as_str(), parsed);
        }
    }

    #[test]
    fn bad_blocked_domains_are_refused_with_a_code() {
        assert_eq!(code(""), "required");
        assert_eq!(code("  @ "), "required");
        assert_eq!(code(&"a".repeat(2 * 1024 * 1024)), "too_long");
        assert_eq!(code(&format!("{}.com", "a".repeat(250))), "too_long");
        assert_eq!(code("exa\0mple.com"), "invalid_characters");
        assert_eq!(code("exa\nmple.com"), "invalid_characters");
        for bad in [
            "com",
            "example",
            "a@example.com",
            "exa mple.com",
            "-example.com",
            "example..com",
            "example.c0m",
            "*.example.com",
            "http://example.com",
            "example.com/x",
            "lándwirt.com",
        ] {
            assert_eq!(code(bad), "invalid_domain", "{bad}");
        }
    }
}
