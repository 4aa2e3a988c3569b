//! Two-factor sign-in with time-based one-time codes (RFC 6238: HMAC-SHA1, six digits, 30-second
//! steps, one step of clock drift either way) and single-use recovery codes. A code is accepted
//! only for a step later than the last one used, so a code seen over someone's shoulder (or
//! replayed) does not work a second time.
use chrono::{DateTime, Utc};
use totp_rs::{Algorithm, TOTP};

pub const DIGITS: usize = 6;
pub const STEP_SECS: u64 = 30;
/// Steps of drift accepted either way (a phone a little fast or slow).
pub const DRIFT_STEPS: i64 = 1;
pub const SECRET_BYTES: usize = 20;
pub const RECOVERY_CODES: usize = 10;
pub const ISSUER: &str = "Gatehouse";

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding: how authenticator apps take a secret typed by hand.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    for chunk in bytes.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let n = u64::from_be_bytes([0, 0, 0, buf[0], buf[1], buf[2], buf[3], buf[4]]);
        let chars = (chunk.len() * 8).div_ceil(5);
        for i in 0..chars {
            out.push(BASE32[((n >> (35 - i * 5)) & 31) as usize] as char);
        }
    }
    out
}

/// The secret in groups of four, for typing it into an app.
pub fn grouped(secret_b32: &str) -> String {
    secret_b32.as_bytes().chunks(4).map(|c| std::str::from_utf8(c).unwrap_or_default()).collect::<Vec<_>>().join(" ")
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// The `otpauth://` address the QR code carries (Key Uri Format, as every authenticator reads it).
pub fn otpauth_uri(account: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}", // not user text: a URI
        issuer = percent(ISSUER),
        account = percent(account),
        secret = base32(secret),
    )
}

fn totp(secret: &[u8]) -> TOTP {
    TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 0, STEP_SECS, secret.to_vec())
}

/// The time step `now` falls in.
pub fn step_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(STEP_SECS as i64)
}

/// The code for one time step.
pub fn code_at(secret: &[u8], step: i64) -> String {
    totp(secret).generate(step.max(0) as u64 * STEP_SECS)
}

/// Digits only: spaces and dashes people type are dropped.
pub fn normalize_code(entered: &str) -> String {
    entered.chars().filter(|c| c.is_ascii_digit()).collect()
}

/// The step `entered` is the code of — within the drift around `now` and later than
/// `last_used` — or None. The caller stores the step it returns as the new last one.
pub fn matching_step(secret: &[u8], entered: &str, now: DateTime<Utc>, last_used: Option<i64>) -> Option<i64> {
    let code = normalize_code(entered);
    if code.len() != DIGITS {
        return None;
    }
    let current = step_of(now);
    let mut found = None;
    // Every step of the window is computed (no early exit), so the time taken says nothing.
    for step in (current - DRIFT_STEPS)..=(current + DRIFT_STEPS) {
        let ok = crate::secret::constant_time_eq(code_at(secret, step).as_bytes(), code.as_bytes());
        if ok && last_used.is_none_or(|l| step > l) && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// A recovery code from 8 random bytes: ten characters of base32 in two groups (`abcde-fghij`,
/// 50 bits).
pub fn recovery_code(random: &[u8; 8]) -> String {
    let s = base32(random).to_lowercase();
    format!("{}-{}", &s[..5], &s[5..10])
}

/// A recovery code as entered, reduced to what is compared: lower case, no dashes or spaces.
pub fn normalize_recovery(entered: &str) -> String {
    entered.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Does `entered` look like a recovery code rather than a six-digit code?
pub fn is_recovery_code(entered: &str) -> bool {
    normalize_recovery(entered).len() == 10
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// RFC 6238, appendix B: the SHA-1 test vectors (eight digits there; six here are their last six).
    #[test]
    fn codes_follow_rfc_6238() {
        let secret = b"12345678901234567890";
        for (t, eight) in [(59i64, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"), (2000000000, "69279037")] {
            assert_eq!(code_at(secret, t / 30), eight[2..], "at {t}");
        }
    }

    #[test]
    fn base32_matches_rfc_4648() {
        for (raw, enc) in [("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI")] {
            assert_eq!(base32(raw.as_bytes()), enc);
        }
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
        let uri = otpauth_uri("dana@acme.test", b"12345678901234567890");
        assert_eq!(uri, "otpauth://totp/Gatehouse:dana%40acme.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Gatehouse&algorithm=SHA1&digits=6&period=30");
    }

    #[test]
    fn a_code_works_within_the_drift_and_only_once() {
        let secret = b"0123456789abcdefghij";
        let now = Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 10).unwrap();
        let step = step_of(now);
        let code = code_at(secret, step);
        assert_eq!(matching_step(secret, &code, now, None), Some(step));
        assert_eq!(matching_step(secret, &format!("{} {}", &code[..3], &code[3..]), now, None), Some(step), "typed with a space");
        assert_eq!(matching_step(secret, &code, now, Some(step)), None, "used once: not again");
        assert_eq!(matching_step(secret, &code_at(secret, step - 1), now, None), Some(step - 1), "a phone 30 s slow");
        assert_eq!(matching_step(secret, &code_at(secret, step + 1), now, None), Some(step + 1), "a phone 30 s fast");
        assert_eq!(matching_step(secret, &code_at(secret, step - 2), now, None), None, "a minute old: no longer");
        assert_eq!(matching_step(secret, &code_at(secret, step - 1), now, Some(step)), None, "older than the last used");
        assert_eq!(matching_step(secret, "12345", now, None), None);
        assert_eq!(matching_step(b"another secret 12345", &code, now, None).filter(|s| *s == step && code_at(b"another secret 12345", *s) != code), None);
    }

    #[test]
    fn recovery_codes_read_back_however_typed() {
        let c = recovery_code(&[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(c.len(), 11);
        assert!(is_recovery_code(&c) && is_recovery_code(&c.to_uppercase().replace('-', " ")));
        assert_eq!(normalize_recovery(&c.to_uppercase()), c.replace('-', ""));
        assert!(!is_recovery_code("123456"));
    }
}
