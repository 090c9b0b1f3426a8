//! Argon2id with the OWASP-recommended parameters (19 MiB, 2 passes, 1 lane).

use argon2::password_hash::{self, Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the system random number generator failed: {0}")]
    Random(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

fn params() -> Result<Params, PasswordError> {
    Params::new(19 * 1024, 2, 1, None).map_err(|e| PasswordError::Hash(e.to_string()))
}

/// The most working memory a stored hash may ask for (64 MiB): a hash naming more never
/// matches, so a corrupt or hostile row cannot make a verification allocate without bound.
const MAX_BLOCKS: usize = 64 * 1024;

/// Argon2 working memory (19 MiB for our parameters), kept and reused from one hash to the
/// next. Argon2 otherwise allocates and frees it on every call, and the C allocator keeps such
/// freed blocks in per-thread arenas: a few dozen sign-ins spread over the blocking threads
/// grew the server by hundreds of MB that never came back. A fixed set of these, one per
/// hashing thread, keeps the memory of password checks constant.
pub struct Memory(Vec<Block>);

impl Memory {
    /// Memory for our parameters. The pages are only touched, and counted, at first use.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// At least `blocks` blocks, growing (once) when a stored hash needs more than we have.
    fn blocks(&mut self, blocks: usize) -> &mut [Block] {
        if self.0.len() < blocks {
            self.0 = vec![Block::default(); blocks];
        }
        &mut self.0[..blocks]
    }
}

impl Default for Memory {
    fn default() -> Self {
        Self::new()
    }
}

/// Argon2 of `password` with `salt` into an output of `len` bytes, in `memory`.
fn compute(
    argon: &Argon2<'_>,
    params: &Params,
    password: &str,
    salt: &[u8],
    len: usize,
    memory: &mut Memory,
) -> Result<Output, PasswordError> {
    let blocks = params.block_count();
    if blocks > MAX_BLOCKS {
        return Err(PasswordError::Hash(format!("{blocks} blocks asked for")));
    }
    Output::init_with(len, |out| {
        argon
            .hash_password_into_with_memory(password.as_bytes(), salt, out, memory.blocks(blocks))
            .map_err(password_hash::Error::from)
    })
    .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Hashes a password into a PHC string (algorithm, parameters and salt included), in `memory`.
pub fn hash_password_in(password: &str, memory: &mut Memory) -> Result<String, PasswordError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| PasswordError::Random(e.to_string()))?;
    let params = params()?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output = compute(
        &argon,
        &params,
        password,
        &salt,
        Params::DEFAULT_OUTPUT_LEN,
        memory,
    )?;
    let hash = |e: password_hash::Error| PasswordError::Hash(e.to_string());
    let salt = SaltString::encode_b64(&salt).map_err(hash)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(hash)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(phc.to_string())
}

/// Hashes a password with fresh working memory (tests and one-off tools; servers use
/// [`hash_password_in`] with memory they keep).
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    hash_password_in(password, &mut Memory::new())
}

/// True when `password` matches the stored hash, computed in `memory`. A malformed stored hash,
/// or one asking for more than 64 MiB, never matches. The comparison is constant-time.
pub fn verify_password_in(password: &str, stored: &str, memory: &mut Memory) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let (Ok(algorithm), Ok(params), Ok(salt)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
        salt.decode_b64(&mut salt_bytes),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::default(),
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
    };
    let argon = Argon2::new(algorithm, version, params.clone());
    compute(&argon, &params, password, salt, expected.len(), memory)
        .is_ok_and(|computed| computed == expected)
}

/// [`verify_password_in`] with fresh working memory (tests and one-off tools).
pub fn verify_password(password: &str, stored: &str) -> bool {
    verify_password_in(password, stored, &mut Memory::new())
}

/// A fixed hash with the same parameters, so that signing in as an unknown account costs the
/// same time as a wrong password for a real one (no account enumeration by timing).
const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$YXqM7JU1bd6sj8xE0HPfl6YzcPrzh5xg0Wr4Ov7l/rc";

/// Burns the time of one verification, in `memory`, and answers false.
pub fn verify_unknown_in(password: &str, memory: &mut Memory) -> bool {
    let _ = verify_password_in(password, DECOY, memory);
    false
}

/// [`verify_unknown_in`] with fresh working memory.
pub fn verify_unknown(password: &str) -> bool {
    verify_unknown_in(password, &mut Memory::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    #[test]
    fn one_memory_serves_many_hashes_and_refuses_huge_ones() {
        let mut memory = Memory::new();
        let a = hash_password_in("first password", &mut memory).unwrap();
        let b = hash_password_in("second password", &mut memory).unwrap();
        assert!(verify_password_in("first password", &a, &mut memory));
        assert!(verify_password_in("second password", &b, &mut memory));
        assert!(!verify_password_in("second password", &a, &mut memory));
        assert_eq!(
            memory.0.len(),
            19 * 1024,
            "allocated once, at our parameters"
        );
        // A stored hash asking for 1 GiB never matches and allocates nothing.
        let huge = a.replace("m=19456", "m=1048576");
        assert!(!verify_password_in("first password", &huge, &mut memory));
        assert_eq!(memory.0.len(), 19 * 1024);
    }

    #[test]
    fn hashes_verify_and_are_salted() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert_ne!(a, b, "each hash has its own salt");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("wrong horse battery", &a));
        assert!(!verify_password("x", "not a hash"));
        assert!(!verify_unknown("anything"));
        // The standard verifier agrees with ours, both ways.
        let standard = Argon2::new(Algorithm::Argon2id, Version::V0x13, params().unwrap());
        let parsed = PasswordHash::new(&a).unwrap();
        assert!(
            standard
                .verify_password(b"correct horse battery", &parsed)
                .is_ok()
        );
        let theirs = standard
            .hash_password(
                b"tr0ub4dor",
                &SaltString::encode_b64(b"0123456789abcdef").unwrap(),
            )
            .unwrap()
            .to_string();
        assert!(verify_password("tr0ub4dor", &theirs));
        assert!(!verify_password("tr0ub4dor!", &theirs));
        assert!(
            PasswordHash::new(DECOY).is_ok(),
            "the decoy parses, so it costs a full verification"
        );
    }
}
