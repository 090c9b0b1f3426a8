//! Authentication primitives: Argon2id password hashing (with equal cost for unknown accounts),
//! random opaque tokens stored only as SHA-256 hashes, and sign-in throttling. Nothing here reads
//! a clock or global state: the time is always a parameter, so the rules are tested exactly.

pub mod password;
pub mod throttle;
pub mod token;

pub use password::{PasswordError, hash_password, verify_password, verify_unknown};
pub use throttle::Throttle;
pub use token::{constant_time_eq, random_token, token_hash};
