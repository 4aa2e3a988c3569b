//! Validation and normalization of what people type.
use crate::DomainError;

/// Trims and lower-cases an email address and checks its shape (one `@`, a dotted domain, no
/// spaces). Deliverability is proven by the invitation mail, not here.
pub fn normalize_email(input: &str) -> Result<String, DomainError> {
    let e = input.trim().to_lowercase();
    let (local, domain) = e.split_once('@').ok_or(DomainError::InvalidEmail)?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && e.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !e.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"'));
    if ok {
        Ok(e)
    } else {
        Err(DomainError::InvalidEmail)
    }
}

/// Accepts a phone number already in E.164 form (`+` and 8 to 15 digits, spaces allowed on
/// input) and returns it without spaces. Parsing national formats comes with invitations.
pub fn normalize_e164(input: &str) -> Result<String, DomainError> {
    let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
    let digits = compact.strip_prefix('+').ok_or(DomainError::InvalidPhone)?;
    if (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0') {
        Ok(compact)
    } else {
        Err(DomainError::InvalidPhone)
    }
}

/// An IANA time zone name such as `Europe/Berlin`.
pub fn time_zone(input: &str) -> Result<chrono_tz::Tz, DomainError> {
    input.trim().parse::<chrono_tz::Tz>().map_err(|_| DomainError::InvalidTimeZone(input.to_string()))
}

/// A URL-safe organization handle: lower-case letters, digits and dashes, 2–48 characters.
pub fn slug(input: &str) -> Result<String, DomainError> {
    let s = input.trim().to_lowercase();
    let ok = (2..=48).contains(&s.len())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if ok {
        Ok(s)
    } else {
        Err(DomainError::InvalidValue { field: "slug", value: input.to_string() })
    }
}

/// Minimal password policy for now: at least 12 characters, not all one kind of character.
pub fn password_strength(pw: &str) -> Result<(), DomainError> {
    if pw.chars().count() < 12 {
        return Err(DomainError::WeakPassword("at least 12 characters"));
    }
    let classes = [
        pw.chars().any(|c| c.is_lowercase()),
        pw.chars().any(|c| c.is_uppercase()),
        pw.chars().any(|c| c.is_ascii_digit()),
        pw.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|b| **b).count() < 2 {
        return Err(DomainError::WeakPassword("mix letters with digits, capitals or symbols"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_bad_ones_refused() {
        assert_eq!(normalize_email("  Ada.Lovelace@Example.COM ").unwrap(), "ada.lovelace@example.com");
        for bad in ["", "ada", "ada@", "@x.org", "a@b", "a@@b.org", "a b@c.org", "a@b..org", "a@.b.org", "<a@b.org>"] {
            assert_eq!(normalize_email(bad), Err(DomainError::InvalidEmail), "{bad:?}");
        }
    }

    #[test]
    fn phones_must_be_e164() {
        assert_eq!(normalize_e164("+49 151 1234 5678").unwrap(), "+4915112345678");
        for bad in ["015112345678", "+0151234567", "+49", "+49abc12345678", "+1234567890123456"] {
            assert!(normalize_e164(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn time_zones_slugs_and_passwords() {
        assert!(time_zone("Europe/Berlin").is_ok());
        assert!(time_zone("Mars/Olympus").is_err());
        assert_eq!(slug("Acme-42").unwrap(), "acme-42");
        assert!(slug("-acme").is_err() && slug("a").is_err() && slug("acme corp").is_err());
        assert!(password_strength("short1!").is_err());
        assert!(password_strength("aaaaaaaaaaaaaaaa").is_err());
        assert!(password_strength("correct horse battery 9").is_ok());
    }
}
