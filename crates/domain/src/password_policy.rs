//! TEMPORARY: replaced by the full policy (common passwords refused) from branch `domains`.

use crate::DomainError;

pub struct NewPassword(String);

impl NewPassword {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let n = input.chars().count();
        if !(12..=128).contains(&n) {
            return Err(DomainError::field(
                "password",
                "password_too_short",
                "The password is 12 to 128 characters long",
            ));
        }
        Ok(Self(input.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
