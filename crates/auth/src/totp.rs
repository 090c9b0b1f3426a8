//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP) and recovery codes, for
//! portal MFA. Nothing here reads a clock or stores anything: callers pass the time (Unix
//! seconds) and the last time step a user's code was accepted at, and keep what comes back.
//!
//! - A code is accepted for the current step and one step either side (±30 s), never for a
//!   step at or before the last one accepted: a code cannot be used twice, nor an older one
//!   after a newer one.
//! - Secrets are 20 random bytes (160 bits, RFC 4226's recommendation), shown as base32 and in
//!   an `otpauth://` URI for authenticator apps.
//! - Recovery codes are ten random single-use codes; only their SHA-256 is stored.

use crate::token::constant_time_eq;
use data_encoding::BASE32_NOPAD;
use hmac::{EagerHash, Hmac, KeyInit, Mac};

/// The hash under the HMAC. Authenticator apps use SHA-1 (RFC 6238's default); the others are
/// there for the RFC's test vectors and for apps that offer them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Sha1,
    Sha256,
    Sha512,
}

impl Algorithm {
    fn name(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }
}

/// Length of a generated secret: 160 bits.
pub const SECRET_BYTES: usize = 20;
/// How many recovery codes a user gets.
pub const RECOVERY_CODES: usize = 10;

/// A TOTP generator: the shared secret and the parameters both sides agree on.
#[derive(Clone, PartialEq, Eq)]
pub struct Totp {
    secret: Vec<u8>,
    algorithm: Algorithm,
    digits: u32,
    step_secs: u64,
}

// The secret never appears in logs or panics.
impl std::fmt::Debug for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Totp")
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("step_secs", &self.step_secs)
            .finish_non_exhaustive()
    }
}

impl Totp {
    /// What authenticator apps expect: SHA-1, six digits, 30-second steps.
    pub fn new(secret: Vec<u8>) -> Self {
        Self {
            secret,
            algorithm: Algorithm::Sha1,
            digits: 6,
            step_secs: 30,
        }
    }

    /// Other parameters; `digits` is kept within 6..=9 (a `u32` holds nine digits of the
    /// truncated value) and a step of 0 seconds counts as 1.
    pub fn with(secret: Vec<u8>, algorithm: Algorithm, digits: u32, step_secs: u64) -> Self {
        Self {
            secret,
            algorithm,
            digits: digits.clamp(6, 9),
            step_secs: step_secs.max(1),
        }
    }

    /// A new random secret with the standard parameters.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut secret = vec![0u8; SECRET_BYTES];
        getrandom::fill(&mut secret)?;
        Ok(Self::new(secret))
    }

    /// The secret as it is typed into an app or stored: base32 without padding.
    pub fn secret_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.secret)
    }

    /// A standard generator from a base32 secret (spaces and letter case ignored); `None` when
    /// it is not base32 or shorter than 128 bits.
    pub fn from_base32(text: &str) -> Option<Self> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let secret = BASE32_NOPAD
            .decode(cleaned.trim_end_matches('=').as_bytes())
            .ok()?;
        (secret.len() >= 16).then(|| Self::new(secret))
    }

    /// The time step a moment falls in.
    pub fn step_at(&self, unix_secs: u64) -> u64 {
        unix_secs / self.step_secs
    }

    /// The code of one time step, zero-padded to the number of digits (RFC 4226, 5.3).
    pub fn code_at_step(&self, step: u64) -> String {
        let counter = step.to_be_bytes();
        let digest = match self.algorithm {
            Algorithm::Sha1 => mac::<sha1::Sha1>(&self.secret, &counter),
            Algorithm::Sha256 => mac::<sha2::Sha256>(&self.secret, &counter),
            Algorithm::Sha512 => mac::<sha2::Sha512>(&self.secret, &counter),
        };
        let value = truncate(&digest) % 10u32.pow(self.digits);
        format!("{value:0width$}", width = self.digits as usize)
    }

    /// The code at a moment.
    pub fn code_at(&self, unix_secs: u64) -> String {
        self.code_at_step(self.step_at(unix_secs))
    }

    /// Checks a code typed at `unix_secs` against the current step and one either side, newest
    /// first, refusing any step at or before `last_used` (the step of the last code accepted).
    /// Answers the step it matched, which the caller stores as the new `last_used`.
    pub fn verify(&self, code: &str, unix_secs: u64, last_used: Option<u64>) -> Option<u64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != self.digits as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = self.step_at(unix_secs);
        [now.saturating_add(1), now, now.saturating_sub(1)]
            .into_iter()
            .filter(|step| last_used.is_none_or(|used| *step > used))
            .find(|step| constant_time_eq(&self.code_at_step(*step), &code))
    }

    /// The `otpauth://totp/…` URI an authenticator app reads from a QR code.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm={}&digits={}&period={}",
            percent(issuer),
            percent(account),
            self.secret_base32(),
            percent(issuer),
            self.algorithm.name(),
            self.digits,
            self.step_secs
        )
    }
}

fn mac<D: EagerHash>(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length, so this cannot fail; an empty MAC would match no code.
    match <Hmac<D> as KeyInit>::new_from_slice(key) {
        Ok(mut m) => {
            m.update(message);
            m.finalize().into_bytes().to_vec()
        }
        Err(_) => Vec::new(),
    }
}

/// RFC 4226's dynamic truncation: 31 bits from the offset the last nibble names.
fn truncate(digest: &[u8]) -> u32 {
    let offset = digest.last().map_or(0, |b| usize::from(b & 0x0f));
    match digest.get(offset..offset + 4) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a & 0x7f, b, c, d]),
        _ => 0,
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for the URI's label.
fn percent(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Ten new recovery codes, `xxxxx-xxxxx` of lower-case base32 (50 random bits each), to show
/// the user once; store only [`recovery_code_hash`] of each.
pub fn recovery_codes() -> Result<Vec<String>, getrandom::Error> {
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let mut bytes = [0u8; 7];
        getrandom::fill(&mut bytes)?;
        let text = BASE32_NOPAD.encode(&bytes).to_ascii_lowercase();
        codes.push(format!("{}-{}", &text[..5], &text[5..10]));
    }
    Ok(codes)
}

/// The stored form of a recovery code: the SHA-256 of the code as typed, ignoring letter case,
/// spaces and hyphens.
pub fn recovery_code_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    crate::token::token_hash(&normal)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const SHA1_KEY: &[u8] = b"12345678901234567890";
    const SHA256_KEY: &[u8] = b"12345678901234567890123456789012";
    const SHA512_KEY: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

    /// RFC 6238, Appendix B: time, then the eight-digit codes for SHA-1, SHA-256, SHA-512.
    const VECTORS: [(u64, &str, &str, &str); 6] = [
        (59, "94287082", "46119246", "90693936"),
        (1_111_111_109, "07081804", "68084774", "25091201"),
        (1_111_111_111, "14050471", "67062674", "99943326"),
        (1_234_567_890, "89005924", "91819424", "93441116"),
        (2_000_000_000, "69279037", "90698825", "38618901"),
        (20_000_000_000, "65353130", "77737706", "47863826"),
    ];

    #[test]
    fn rfc_6238_test_vectors() {
        let sha1 = Totp::with(SHA1_KEY.to_vec(), Algorithm::Sha1, 8, 30);
        let sha256 = Totp::with(SHA256_KEY.to_vec(), Algorithm::Sha256, 8, 30);
        let sha512 = Totp::with(SHA512_KEY.to_vec(), Algorithm::Sha512, 8, 30);
        for (time, a, b, c) in VECTORS {
            assert_eq!(sha1.code_at(time), a, "SHA-1 at {time}");
            assert_eq!(sha256.code_at(time), b, "SHA-256 at {time}");
            assert_eq!(sha512.code_at(time), c, "SHA-512 at {time}");
        }
    }

    #[test]
    fn rfc_4226_hotp_values() {
        // Appendix D: the six-digit HOTP values of counters 0..9 for the SHA-1 key.
        let hotp = Totp::new(SHA1_KEY.to_vec());
        let want = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in want.iter().enumerate() {
            assert_eq!(hotp.code_at_step(counter as u64), *code);
        }
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_only_once() {
        let t = Totp::new(SHA1_KEY.to_vec());
        let now = 1_111_111_111;
        let step = t.step_at(now);
        let current = t.code_at(now);
        assert_eq!(t.verify(&current, now, None), Some(step));
        assert_eq!(t.verify(&t.code_at(now - 30), now, None), Some(step - 1));
        assert_eq!(t.verify(&t.code_at(now + 30), now, None), Some(step + 1));
        assert_eq!(
            t.verify(&t.code_at(now - 60), now, None),
            None,
            "two steps old"
        );
        assert_eq!(
            t.verify(&t.code_at(now + 60), now, None),
            None,
            "two steps ahead"
        );
        // Replay: the same code (or an older one) after it was accepted.
        assert_eq!(t.verify(&current, now, Some(step)), None);
        assert_eq!(t.verify(&t.code_at(now - 30), now, Some(step)), None);
        assert_eq!(
            t.verify(&t.code_at(now + 30), now, Some(step)),
            Some(step + 1)
        );
        // Shape: spaces are forgiven, anything else is not a code.
        let spaced = format!("{} {}", &current[..3], &current[3..]);
        assert_eq!(t.verify(&spaced, now, None), Some(step));
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(t.verify(bad, now, None), None, "{bad:?}");
        }
    }

    #[test]
    fn secrets_round_trip_through_base32_and_the_uri() {
        let t = Totp::generate().unwrap();
        assert_eq!(
            t.secret_base32().len(),
            32,
            "160 bits are 32 base32 characters"
        );
        let back = Totp::from_base32(&t.secret_base32().to_lowercase()).unwrap();
        assert_eq!(back, t);
        assert!(Totp::from_base32("not base32!").is_none());
        assert!(
            Totp::from_base32("MZXW6YTB").is_none(),
            "too short a secret"
        );
        let uri = t.otpauth_uri("Zylker Customers", "ada@example.com");
        assert!(uri.starts_with("otpauth://totp/Zylker%20Customers:ada%40example.com?secret="));
        assert!(uri.ends_with("&issuer=Zylker%20Customers&algorithm=SHA1&digits=6&period=30"));
        assert!(
            !format!("{t:?}").contains(&t.secret_base32()),
            "Debug hides the secret"
        );
        assert_ne!(Totp::generate().unwrap(), t, "secrets are random");
    }

    #[test]
    fn recovery_codes_are_random_and_hashed_as_typed() {
        let codes = recovery_codes().unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        for c in &codes {
            assert_eq!(c.len(), 11);
            assert_eq!(c.as_bytes()[5], b'-');
        }
        let code = &codes[0];
        let hash = recovery_code_hash(code);
        assert_eq!(hash.len(), 64);
        assert_eq!(
            recovery_code_hash(&code.to_uppercase().replace('-', " ")),
            hash
        );
        assert_ne!(recovery_code_hash(&codes[1]), hash);
    }
}
