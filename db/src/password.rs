//! Password hashing with argon2id (PHC strings, a random salt per hash).
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Constant-time verification; a malformed stored hash verifies nothing.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Spends the same time as a real verification, so an unknown email answers as slowly as a
/// known one (no account enumeration by timing).
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let h = DUMMY.get_or_init(|| hash("gatehouse-dummy-password"));
    let _ = verify(password, h);
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = super::hash("correct horse battery 9");
        let b = super::hash("correct horse battery 9");
        assert_ne!(a, b);
        assert!(a.starts_with("$argon2id$"));
        assert!(super::verify("correct horse battery 9", &a));
        assert!(!super::verify("wrong", &a));
        assert!(!super::verify("x", "not a hash"));
    }
}
