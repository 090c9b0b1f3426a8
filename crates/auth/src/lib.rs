//! Authentication primitives: Argon2id password hashing (with equal cost for unknown accounts),
//! random opaque tokens stored only as SHA-256 hashes, and TOTP codes with recovery codes
//! (RFC 6238, the time passed in). Nothing here reads a clock or global
//! state. The sign-in lockout rule is pure arithmetic in `portico_domain::lockout`, applied by
//! the store to counts every instance shares.

pub mod password;
pub mod token;
pub mod totp;

pub use password::{
    Memory as PasswordMemory, PasswordError, hash_password, hash_password_in, verify_password,
    verify_password_in, verify_unknown, verify_unknown_in,
};
pub use token::{constant_time_eq, content_hash, random_token, token_hash};
