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

/// A mobile phone number as people type it ("0151 1234 5678" with the organization's region,
/// or "+49 151 …"), checked against the numbering plan (the `phonenumber` crate, libphonenumber's
/// metadata) and returned in E.164. `region` is an ISO 3166 code such as `DE`; without one,
/// only international numbers are understood.
#[cfg(feature = "people")]
pub fn normalize_phone(input: &str, region: Option<&str>) -> Result<String, DomainError> {
    let input = input.trim();
    if input.is_empty() || input.len() > 40 {
        return Err(DomainError::InvalidPhone);
    }
    let region = region.and_then(|r| r.trim().to_ascii_uppercase().parse::<phonenumber::country::Id>().ok());
    let region = if input.starts_with('+') || input.starts_with("00") { None } else { region };
    let input = match input.strip_prefix("00") {
        Some(rest) => format!("+{rest}"),
        None => input.to_string(),
    };
    let n = phonenumber::parse(region, &input).map_err(|_| DomainError::InvalidPhone)?;
    if !phonenumber::is_valid(&n) {
        return Err(DomainError::InvalidPhone);
    }
    Ok(n.format().mode(phonenumber::Mode::E164).to_string())
}

/// Is this an ISO 3166 region the phone metadata knows (for the organization's setting)?
#[cfg(feature = "people")]
pub fn phone_region(input: &str) -> Result<String, DomainError> {
    let r = input.trim().to_ascii_uppercase();
    r.parse::<phonenumber::country::Id>().map(|_| r.clone()).map_err(|_| DomainError::InvalidValue { field: "phone_region", value: input.to_string() })
}

/// An IANA time zone name such as `Europe/Berlin`.
pub fn time_zone(input: &str) -> Result<chrono_tz::Tz, DomainError> {
    input.trim().parse::<chrono_tz::Tz>().map_err(|_| DomainError::InvalidTimeZone(input.to_string()))
}

/// A date typed into a form (`YYYY-MM-DD`) as the last second of that day in the organization's
/// time zone — how every "until" and "ends on" date of the portal is read. Empty: no date.
pub fn end_of_day(input: &str, time_zone: &str) -> Result<Option<chrono::DateTime<chrono::Utc>>, DomainError> {
    use chrono::TimeZone;
    let input = input.trim();
    if input.is_empty() {
        return Ok(None);
    }
    let day = chrono::NaiveDate::parse_from_str(input, "%Y-%m-%d").map_err(|_| DomainError::InvalidValue { field: "date", value: input.to_string() })?;
    let end = day.and_hms_opt(23, 59, 59).expect("a valid time of day");
    let tz = crate::validate::time_zone(time_zone).unwrap_or(chrono_tz::UTC);
    // A day ending in a clock change: its earliest reading (or UTC for a skipped second).
    Ok(Some(tz.from_local_datetime(&end).earliest().map(|t| t.with_timezone(&chrono::Utc)).unwrap_or_else(|| chrono::Utc.from_utc_datetime(&end))))
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

/// What is wrong with a new password typed twice (a set-password form's `error=` code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NewPasswordProblem {
    /// The two entries differ.
    Mismatch,
    /// Fails [`password_strength`].
    Weak,
}

impl NewPasswordProblem {
    pub fn code(self) -> &'static str {
        match self {
            NewPasswordProblem::Mismatch => "mismatch",
            NewPasswordProblem::Weak => "weak",
        }
    }
}

/// A new password as a set-password form sends it: typed twice alike, and strong enough.
pub fn new_password(password: &str, again: &str) -> Result<(), NewPasswordProblem> {
    if password != again {
        return Err(NewPasswordProblem::Mismatch);
    }
    password_strength(password).map_err(|_| NewPasswordProblem::Weak)
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
    #[test]
    fn a_new_password_is_typed_twice_alike_and_strong() {
        assert_eq!(new_password("Correct-horse-7", "Correct-horse-7"), Ok(()));
        assert_eq!(new_password("Correct-horse-7", "Correct-horse-8"), Err(NewPasswordProblem::Mismatch));
        assert_eq!(new_password("short", "short").map_err(|p| p.code()), Err("weak"));
    }

    #[test]
    fn form_dates_end_at_the_end_of_the_day_in_the_organizations_zone() {
        use chrono::TimeZone;
        assert_eq!(end_of_day("", "Europe/Berlin").unwrap(), None);
        assert_eq!(end_of_day("2026-12-31", "Europe/Berlin").unwrap(), Some(chrono::Utc.with_ymd_and_hms(2026, 12, 31, 22, 59, 59).unwrap()));
        assert_eq!(end_of_day(" 2026-07-01 ", "Europe/Berlin").unwrap(), Some(chrono::Utc.with_ymd_and_hms(2026, 7, 1, 21, 59, 59).unwrap()), "summer time");
        assert_eq!(end_of_day("2026-07-01", "UTC").unwrap(), Some(chrono::Utc.with_ymd_and_hms(2026, 7, 1, 23, 59, 59).unwrap()));
        for bad in ["31.12.2026", "2026-02-30", "tomorrow"] {
            assert!(end_of_day(bad, "UTC").is_err(), "{bad}");
        }
    }

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

    #[cfg(feature = "people")]
    #[test]
    fn phones_are_parsed_with_the_region_and_stored_as_e164() {
        assert_eq!(normalize_phone("0151 1234 5678", Some("DE")).unwrap(), "+4915112345678");
        assert_eq!(normalize_phone("+49 (151) 1234-5678", None).unwrap(), "+4915112345678");
        assert_eq!(normalize_phone("0049 151 12345678", Some("us")).unwrap(), "+4915112345678");
        assert_eq!(normalize_phone("(415) 555-2671", Some("US")).unwrap(), "+14155552671");
        for (bad, region) in [("0151 1234 5678", None), ("12", Some("DE")), ("+49 000", None), ("call me", Some("DE")), ("", Some("DE"))] {
            assert_eq!(normalize_phone(bad, region), Err(DomainError::InvalidPhone), "{bad:?}");
        }
        assert_eq!(phone_region("de").unwrap(), "DE");
        assert!(phone_region("XX").is_err());
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
