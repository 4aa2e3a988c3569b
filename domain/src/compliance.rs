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
    /// A technical user is removed on the API keys page (its keys revoked, its roles ended),
    /// never ended and anonymized like a person.
    TechnicalUser,
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
    // not user text: the stored name that replaces a person's, the same for every reader
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

/// A person's values as they were kept: addresses (current, earlier, pending), phone numbers,
/// names, and other personal fields (job title).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Personal {
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub names: Vec<String>,
    pub other: Vec<String>,
}

/// One replacement: every occurrence of `from` becomes `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    pub from: String,
    pub to: String,
}

impl Personal {
    fn all(&self) -> impl Iterator<Item = &String> {
        self.emails.iter().chain(&self.phones).chain(&self.names).chain(&self.other)
    }

    /// Values distinctive enough to be replaced anywhere inside a text without touching other
    /// words: addresses, phone numbers, and names of several words (five characters or more).
    /// A single-word name or a job title ("Tim", "Developer") would match inside other words
    /// and other people's texts; those are replaced only as whole values (see [`Personal::replacements`]).
    fn distinctive(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in self.emails.iter().chain(&self.phones) {
            if v.trim().chars().count() >= 3 {
                out.push(v.trim().to_string());
                out.push(v.trim().to_lowercase());
            }
        }
        for n in &self.names {
            let n = n.trim();
            if n.chars().count() >= 5 && n.split_whitespace().count() >= 2 {
                out.push(n.to_string());
            }
        }
        out
    }

    /// What to replace, longest first: whole JSON string values (every value, quoted, becomes the
    /// quoted pseudonym — for audit before/after data) when `json`, then the distinctive values in
    /// every form they take inside stored text (as typed, inside JSON, HTML-escaped the ways the
    /// mail templates write them).
    pub fn replacements(&self, pseudonym: &str, json: bool) -> Vec<Replacement> {
        let mut out: Vec<Replacement> = Vec::new();
        let mut push = |from: String, to: String| {
            if !from.is_empty() && !out.iter().any(|r| r.from == from) {
                out.push(Replacement { from, to });
            }
        };
        if json {
            let quoted_pseudonym = format!("\"{}\"", json_escape(pseudonym));
            for v in self.all() {
                let v = v.trim();
                if !v.is_empty() {
                    push(format!("\"{}\"", json_escape(v)), quoted_pseudonym.clone());
                }
            }
        }
        for v in self.distinctive() {
            for form in [json_escape(&v), html_escape(&v, false), html_escape(&v, true), v.clone()] {
                push(form, pseudonym.to_string());
            }
        }
        out.sort_by_key(|r| std::cmp::Reverse(r.from.len()));
        out
    }

    /// A part of every form of every value (its longest run of letters and digits), to find
    /// candidate rows cheaply before replacing.
    pub fn needles(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for v in self.all() {
            for base in [v.trim().to_string(), v.trim().to_lowercase()] {
                let best = base.split(|c: char| !c.is_alphanumeric()).max_by_key(|t| t.chars().count()).unwrap_or("");
                if !best.is_empty() && !out.iter().any(|n| n == best) {
                    out.push(best.to_string());
                }
            }
        }
        out
    }
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

/// HTML escaping as templates write it: named entities, or (`numeric`) askama's decimal ones.
fn html_escape(s: &str, numeric: bool) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match (c, numeric) {
            ('&', false) => o.push_str("&amp;"),
            ('<', false) => o.push_str("&lt;"),
            ('>', false) => o.push_str("&gt;"),
            ('"', false) => o.push_str("&quot;"),
            ('\'', false) => o.push_str("&#x27;"),
            ('&', true) => o.push_str("&#38;"),
            ('<', true) => o.push_str("&#60;"),
            ('>', true) => o.push_str("&#62;"),
            ('"', true) => o.push_str("&#34;"),
            ('\'', true) => o.push_str("&#39;"),
            (c, _) => o.push(c),
        }
    }
    o
}

/// Applies the replacements to one text (what the database does with REPLACE).
pub fn redact(text: &str, replacements: &[Replacement]) -> String {
    let mut t = text.to_string();
    for r in replacements {
        if t.contains(r.from.as_str()) {
            t = t.replace(r.from.as_str(), &r.to);
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
    fn redaction_finds_json_html_and_lowercase_forms_and_leaves_other_words_alone() {
        let p = Personal {
            emails: vec!["Sean.OBrien@Example.org".into()],
            phones: vec!["+4915112345678".into()],
            names: vec!["Seán O'Brien".into()],
            other: vec!["Developer".into()],
        };
        let pseudo = "Former member 7F3A";
        let json = serde_json::json!({"name": "Seán O'Brien", "email": "sean.obrien@example.org", "phone": "+4915112345678", "job": "Developer", "role": "Developer lead"}).to_string();
        let r = redact(&json, &p.replacements(pseudo, true));
        assert!(!r.contains("Brien") && !r.contains("sean") && !r.contains("4915112345678"), "{r}");
        assert!(r.contains("\"job\":\"Former member 7F3A\"") && r.contains("\"role\":\"Developer lead\""), "whole values only for single words: {r}");
        let html = "<p>Hello Seán O&#x27;Brien, Seán O&#39;Brien, write to sean.obrien@example.org</p>";
        let r = redact(html, &p.replacements(pseudo, false));
        assert!(!r.contains("Brien") && !r.contains("example.org"), "{r}");
        // A short single-word name never touches other words.
        let tim = Personal { names: vec!["Tim".into()], ..Personal::default() };
        let audit = serde_json::json!({"time_zone": "Europe/Berlin", "name": "Tim", "note": "Timetable"}).to_string();
        let r = redact(&audit, &tim.replacements(pseudo, true));
        assert_eq!(r, serde_json::json!({"time_zone": "Europe/Berlin", "name": pseudo, "note": "Timetable"}).to_string());
        assert_eq!(redact("Hello Tim, the Timetable", &tim.replacements(pseudo, false)), "Hello Tim, the Timetable", "not as free text");
        let quoted = Personal { names: vec!["A \"quoted\" name".into()], ..Personal::default() };
        let r = redact(&serde_json::json!({"name": "A \"quoted\" name"}).to_string(), &quoted.replacements(pseudo, true));
        assert_eq!(r, serde_json::json!({"name": pseudo}).to_string());
        for form in p.replacements(pseudo, true) {
            assert!(p.needles().iter().any(|n| form.from.contains(n.as_str())), "{} has no needle", form.from);
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
