//! Comparing secrets (CSRF tokens, key hashes, one-time codes) in time that does not depend on
//! where they first differ.

/// Equal, without stopping at the first difference (only the lengths may leak, and they are
/// public: every token of a kind has the same length).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
