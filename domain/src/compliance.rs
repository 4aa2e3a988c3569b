//! Leaving and anonymization (DECISIONS.md "Identity, membership and personal data"): the
//! rules that do not need the database — the stable pseudonym, which texts carry a person's
//! values and how they are redacted, the reminder date and the automatic anonymization date.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Why ending a membership, anonymizing or setting a reminder is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// Nobody ends or anonymizes their own membership.
    OwnMembership,
    /// The organization's only owner stays (ownership is transferred first).
    LastOwner,
    /// Platform staff are not anonymized through an organization.
    PlatformStaff,
    /// Only an active (or invited) membership can end.
    NotActive,
    /// Only a former member (membership ended) can be anonymized.
    NotEnded,
    /// Already anonymized: there is nothing left to do, and it cannot be undone.
    AlreadyAnonymized,
    /// The confirmation did not repeat the pseudonym shown (expected).
    PseudonymMismatch(String),
    /// A reminder date must lie after today in the organization's calendar.
    ReminderNotInFuture,
    /// The end date must not lie in the past.
    EndInPast,
    /// Automatic anonymization takes 1–3650 days, or is off.
    BadAutoDays,
}

/// The pseudonym of a membership: stable (the same membership always gets the same one, so
/// the confirmation page can show it before anything changes), derived from nothing personal,
/// and made unique inside an organization by lengthening it on a clash (`attempt` 0, 1, …).
pub fn pseudonym(membership_id: i64, attempt: u32) -> String {
    let hex = format!("{:016X}", mix(membership_id as u64));
    let len = (4 + 2 * attempt as usize).min(16);
    format!("Former member {}", &hex[..len])
}

/// SplitMix64's finalizer: a fixed bijection on u64, so the pseudonym never changes between
/// releases (unlike std's hashers) and distinct ids give distinct 16-digit codes.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The forms a personal value takes inside stored text: as typed, lower-cased (addresses are
/// stored that way), escaped inside JSON (audit before/after) and inside HTML (mail bodies).
/// Longest first, so a longer form is replaced before a shorter one inside it. Values shorter
/// than three characters are not redacted by text (they would match inside other words); they
/// are cleared where they are stored as fields.
pub fn variants(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let v = v.trim();
        if v.chars().count() < 3 {
            continue;
        }
        for base in [v.to_string(), v.to_lowercase()] {
            let json = json_escape(&base);
            let html = html_escape(&base);
            let html39 = html.replace("&#x27;", "&#39;");
            for form in [base.clone(), json, html, html39] {
                if !out.contains(&form) {
                    out.push(form);
                }
            }
        }
    }
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out
}

/// The inside of a JSON string as serde_json writes it.
fn json_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            '\u{8}' => o.push_str("\\b"),
            '\u{c}' => o.push_str("\\f"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o
}

fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#x27;"),
            c => o.push(c),
        }
    }
    o
}

/// A part every variant of every value shares (the longest run of letters and digits), used to
/// find candidate rows cheaply before replacing; one per value.
pub fn needles(values: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for v in values {
        let v = v.trim();
        if v.chars().count() < 3 {
            continue;
        }
        for base in [v.to_string(), v.to_lowercase()] {
            let best = base.split(|c: char| !c.is_alphanumeric()).max_by_key(|t| t.chars().count()).unwrap_or("");
            if best.chars().count() >= 2 && !out.iter().any(|n: &String| n == best) {
                out.push(best.to_string());
            }
        }
    }
    out
}

/// Replaces every variant of the person's values in `text` by the pseudonym.
pub fn redact(text: &str, variants: &[String], pseudonym: &str) -> String {
    let mut t = text.to_string();
    for v in variants {
        if t.contains(v.as_str()) {
            t = t.replace(v.as_str(), pseudonym);
        }
    }
    t
}

/// The address a severed identity keeps: unique, undeliverable, naming nobody.
pub fn anonymous_email(user_id: i64) -> String {
    format!("former-{user_id}@anonymized.invalid")
}

/// A reminder date is accepted only after `today` (the organization's calendar).
pub fn check_reminder(on: NaiveDate, today: NaiveDate) -> Result<(), Refusal> {
    if on > today {
        Ok(())
    } else {
        Err(Refusal::ReminderNotInFuture)
    }
}

/// When an open case is anonymized automatically: `days` after the membership ended.
pub fn auto_anonymize_at(ended_at: DateTime<Utc>, days: Option<i32>) -> Option<DateTime<Utc>> {
    days.map(|d| ended_at + Duration::days(d as i64))
}

pub fn check_auto_days(days: Option<i32>) -> Result<(), Refusal> {
    match days {
        None => Ok(()),
        Some(d) if (1..=3650).contains(&d) => Ok(()),
        Some(_) => Err(Refusal::BadAutoDays),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_impersonal_and_lengthen_on_a_clash() {
        assert_eq!(pseudonym(42, 0), pseudonym(42, 0));
        assert!(pseudonym(42, 0).starts_with("Former member "));
        assert_eq!(pseudonym(42, 0).len(), "Former member ".len() + 4);
        assert_eq!(pseudonym(42, 1).len(), "Former member ".len() + 6);
        assert!(pseudonym(42, 1).starts_with(&pseudonym(42, 0)));
        assert_eq!(pseudonym(42, 99).len(), "Former member ".len() + 16);
        // Distinct memberships, distinct full codes.
        let all: std::collections::HashSet<String> = (0..10_000).map(|i| pseudonym(i, 6)).collect();
        assert_eq!(all.len(), 10_000);
        // The value is fixed across releases.
        assert_eq!(pseudonym(1, 0), pseudonym(1, 0));
        assert_eq!(&pseudonym(1, 6)["Former member ".len()..], &format!("{:016X}", mix(1)));
    }

    #[test]
    fn redaction_finds_json_html_and_lowercase_forms() {
        let values = vec!["Seán O'Brien".to_string(), "Sean.OBrien@Example.org".to_string(), "+4915112345678".to_string(), "x".to_string()];
        let v = variants(&values);
        let p = "Former member 7F3A";
        let json = serde_json::json!({"name": "Seán O'Brien", "email": "sean.obrien@example.org", "phone": "+4915112345678"}).to_string();
        let r = redact(&json, &v, p);
        assert!(!r.contains("Sean") && !r.contains("sean") && !r.contains("Brien") && !r.contains("4915112345678"), "{r}");
        assert!(r.contains(p));
        let html = "<p>Hello Seán O&#x27;Brien, write to sean.obrien@example.org</p>";
        let r = redact(html, &v, p);
        assert!(!r.contains("Brien") && !r.contains("example.org"), "{r}");
        let quoted = serde_json::json!({"name": "A \"quoted\" name"}).to_string();
        let r = redact(&quoted, &variants(&["A \"quoted\" name".into()]), p);
        assert_eq!(r, serde_json::json!({"name": p}).to_string());
        // Too short to redact by text: cleared as a field instead.
        assert!(variants(&["x".into(), "ab".into()]).is_empty());
        let n = needles(&values);
        assert!(n.contains(&"Brien".to_string()) && n.contains(&"4915112345678".to_string()), "{n:?}");
        for form in &v {
            assert!(n.iter().any(|needle| form.contains(needle.as_str())), "{form} has no needle");
        }
    }

    #[test]
    fn reminders_lie_ahead_and_auto_days_are_bounded() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(check_reminder(today, today), Err(Refusal::ReminderNotInFuture));
        assert_eq!(check_reminder(today.succ_opt().unwrap(), today), Ok(()));
        assert_eq!(check_auto_days(None), Ok(()));
        assert_eq!(check_auto_days(Some(0)), Err(Refusal::BadAutoDays));
        assert_eq!(check_auto_days(Some(30)), Ok(()));
        let ended = DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(auto_anonymize_at(ended, Some(30)).unwrap().to_rfc3339(), "2026-12-01T10:00:00+00:00");
        assert_eq!(auto_anonymize_at(ended, None), None);
    }
}
