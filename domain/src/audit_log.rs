//! The audit log as people read it: the filters of the audit log page and its CSV export (parsed
//! from a query string, checked, turned into UTC bounds in the organization's time zone), and the
//! readable difference between an event's before and after data. No database and no words here:
//! the app puts field names and values into the reader's language.
use crate::error::DomainError;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The kinds of actor a reader can filter by (`actor_kind` as stored).
pub const ACTOR_KINDS: &[&str] = &["user", "staff_as_user", "background", "api_key", "staff", "system"];

/// The kinds of target events name (`target_kind` as stored), for the filter's choices.
pub const TARGET_KINDS: &[&str] = &[
    "membership",
    "role",
    "role_assignment",
    "unit",
    "organization",
    "access_request",
    "compliance_case",
    "invitation",
    "item",
    "technical_user",
    "api_key",
    "sso_provider",
    "scim_resource",
    "support_session",
    "member_import",
    "review_plan",
    "review_campaign",
    "review_item",
    "policy",
    "user",
    "endpoint",
];

/// What the reader asked for, as typed (the query string of the page and of the export).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterInput {
    /// Part of the acting person's name (or pseudonym).
    pub who: Option<String>,
    pub actor_kind: Option<String>,
    /// An action key (`role.assigned`) or a family (`role.`).
    pub action: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    /// A unit id: events at it or anywhere below it.
    pub unit: Option<String>,
    /// First and last day, `YYYY-MM-DD`, in the organization's time zone.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// The filter, checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Folded (as the members list's search keys are).
    pub who: Option<String>,
    pub actor_kind: Option<String>,
    pub action: Option<String>,
    pub target_kind: Option<String>,
    pub target_id: Option<i64>,
    pub unit: Option<i64>,
    /// From this instant (inclusive) …
    pub since: Option<DateTime<Utc>>,
    /// … to this instant (exclusive).
    pub until: Option<DateTime<Utc>>,
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn day(field: &'static str, v: &str) -> Result<NaiveDate, DomainError> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| DomainError::InvalidValue { field, value: v.to_string() })
}

/// Midnight at the start of `d` in `tz`, as UTC (the earlier instant when the clock goes back).
fn start_of(d: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists");
    match tz.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        chrono::LocalResult::None => Utc.from_utc_datetime(&midnight),
    }
}

impl FilterInput {
    /// Checks the input: known actor and target kinds, an action of letters, dots and
    /// underscores, whole numbers for ids, real dates with `from` not after `to`; the days become
    /// UTC bounds in the organization's time zone (`to` includes its whole day).
    pub fn check(&self, time_zone: &str) -> Result<Filter, DomainError> {
        let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::UTC);
        let mut f = Filter { who: given(&self.who).map(crate::members_query::fold), ..Default::default() };
        if let Some(k) = given(&self.actor_kind) {
            if !ACTOR_KINDS.contains(&k) {
                return Err(DomainError::InvalidValue { field: "actor_kind", value: k.to_string() });
            }
            f.actor_kind = Some(k.to_string());
        }
        if let Some(a) = given(&self.action) {
            if a.len() > 80 || !a.chars().all(|c| c.is_ascii_lowercase() || c == '.' || c == '_') {
                return Err(DomainError::InvalidValue { field: "action", value: a.to_string() });
            }
            f.action = Some(a.to_string());
        }
        if let Some(k) = given(&self.target_kind) {
            if !TARGET_KINDS.contains(&k) {
                return Err(DomainError::InvalidValue { field: "target_kind", value: k.to_string() });
            }
            f.target_kind = Some(k.to_string());
        }
        if let Some(id) = given(&self.target_id) {
            f.target_id = Some(id.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| DomainError::InvalidValue { field: "target_id", value: id.to_string() })?);
        }
        if let Some(u) = given(&self.unit) {
            f.unit = Some(u.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| DomainError::InvalidValue { field: "unit", value: u.to_string() })?);
        }
        let from = given(&self.from).map(|v| day("from", v)).transpose()?;
        let to = given(&self.to).map(|v| day("to", v)).transpose()?;
        if let (Some(a), Some(b)) = (from, to) {
            if a > b {
                return Err(DomainError::InvalidValue { field: "to", value: b.to_string() });
            }
        }
        f.since = from.map(|d| start_of(d, tz));
        f.until = to.and_then(|d| d.succ_opt()).map(|d| start_of(d, tz));
        Ok(f)
    }

    /// The query string that asks for the same filter (links to the next page, the export).
    pub fn query(&self) -> String {
        let pairs = [
            ("who", &self.who),
            ("actor_kind", &self.actor_kind),
            ("action", &self.action),
            ("target_kind", &self.target_kind),
            ("target_id", &self.target_id),
            ("unit", &self.unit),
            ("from", &self.from),
            ("to", &self.to),
        ];
        pairs
            .iter()
            .filter_map(|(k, v)| given(v).map(|v| format!("{k}={}", encode(v)))) // not user text: a query string
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// Percent-encodes a query value (unreserved characters kept).
fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")), // not user text: percent-encoding
        }
    }
    out
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Whether an action key passes the action filter: the key itself, or a family ending in a
    /// dot (`role.` takes `role.assigned`, `role.created` …).
    pub fn takes_action(&self, action: &str) -> bool {
        match &self.action {
            None => true,
            Some(a) if a.ends_with('.') => action.starts_with(a.as_str()),
            Some(a) => a == action,
        }
    }
}

/// One changed field of an event, as data: its path (`name`, `settings.require_2fa`) and the
/// value before and after (absent: the field was not there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// A value as one line of text: strings as they are, lists joined by ", ", objects as
/// `key: value` pairs, null as absent.
pub fn plain(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(a) => Some(a.iter().filter_map(plain).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => Some(o.iter().filter_map(|(k, v)| plain(v).map(|v| format!("{k}: {v}"))).collect::<Vec<_>>().join("; ")), // not user text: data rendered as data
    }
}

fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(o) if !o.is_empty() => {
            for (k, v) in o {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") }; // not user text: a field path
                flatten(&path, v, out);
            }
        }
        other => out.push((if prefix.is_empty() { "value".to_string() } else { prefix.to_string() }, other.clone())),
    }
}

/// The difference between an event's before and after data, field by field in the order the
/// data names them (before's fields first, then those only after has); unchanged fields are left
/// out unless the event has only one side (a creation shows what was made, a deletion what was
/// removed).
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Vec<Change> {
    let mut b = Vec::new();
    let mut a = Vec::new();
    if let Some(v) = before {
        flatten("", v, &mut b);
    }
    if let Some(v) = after {
        flatten("", v, &mut a);
    }
    let both_sides = before.is_some() && after.is_some();
    let mut out = Vec::new();
    for (field, bv) in &b {
        let av = a.iter().find(|(f, _)| f == field).map(|(_, v)| v);
        if both_sides && av == Some(bv) {
            continue;
        }
        out.push(Change { field: field.clone(), before: plain(bv), after: av.and_then(plain) });
    }
    for (field, av) in &a {
        if b.iter().any(|(f, _)| f == field) {
            continue;
        }
        out.push(Change { field: field.clone(), before: None, after: plain(av) });
    }
    out.retain(|c| c.before.is_some() || c.after.is_some());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_filter_is_checked_and_its_days_are_the_organizations() {
        let input = FilterInput { who: Some(" Özdemir ".into()), actor_kind: Some("api_key".into()), action: Some("role.".into()), from: Some("2026-03-29".into()), to: Some("2026-03-29".into()), ..Default::default() };
        let f = input.check("Europe/Berlin").unwrap();
        assert_eq!(f.who.as_deref(), Some("ozdemir"));
        // The day the clocks go forward in Berlin: 23 hours long.
        assert_eq!(f.since.unwrap().to_rfc3339(), "2026-03-28T23:00:00+00:00");
        assert_eq!(f.until.unwrap().to_rfc3339(), "2026-03-29T22:00:00+00:00");
        assert!(f.takes_action("role.assigned") && !f.takes_action("roles.x") && !f.takes_action("unit.created"));
        assert!(FilterInput::default().check("UTC").unwrap().is_empty());
        for bad in [
            FilterInput { actor_kind: Some("robot".into()), ..Default::default() },
            FilterInput { action: Some("DROP TABLE".into()), ..Default::default() },
            FilterInput { target_kind: Some("x".into()), ..Default::default() },
            FilterInput { target_id: Some("-3".into()), ..Default::default() },
            FilterInput { unit: Some("u".into()), ..Default::default() },
            FilterInput { from: Some("2026-02-30".into()), ..Default::default() },
            FilterInput { from: Some("2026-05-02".into()), to: Some("2026-05-01".into()), ..Default::default() },
        ] {
            assert!(bad.check("UTC").is_err(), "{bad:?}");
        }
        let q = FilterInput { who: Some("Ana María".into()), action: Some("role.".into()), ..Default::default() }.query();
        assert_eq!(q, "who=Ana%20Mar%C3%ADa&action=role.");
    }

    #[test]
    fn the_difference_is_field_by_field() {
        let d = diff(Some(&json!({"name": "Sales", "kind": "team", "settings": {"require_2fa": false}})), Some(&json!({"name": "Sales EMEA", "kind": "team", "settings": {"require_2fa": true}, "roles": ["a", "b"]})));
        assert_eq!(
            d,
            vec![
                Change { field: "name".into(), before: Some("Sales".into()), after: Some("Sales EMEA".into()) },
                Change { field: "settings.require_2fa".into(), before: Some("false".into()), after: Some("true".into()) },
                Change { field: "roles".into(), before: None, after: Some("a, b".into()) },
            ]
        );
        // A creation shows everything it made; a deletion everything it removed.
        assert_eq!(diff(None, Some(&json!({"name": "X"}))), vec![Change { field: "name".into(), before: None, after: Some("X".into()) }]);
        assert_eq!(diff(Some(&json!({"name": "X"})), None), vec![Change { field: "name".into(), before: Some("X".into()), after: None }]);
        assert_eq!(diff(Some(&json!("a")), Some(&json!("b"))), vec![Change { field: "value".into(), before: Some("a".into()), after: Some("b".into()) }]);
        assert!(diff(None, None).is_empty());
        // An empty text is no value: nothing to show for it.
        assert_eq!(diff(None, Some(&json!({"name": "X", "description": ""}))), vec![Change { field: "name".into(), before: None, after: Some("X".into()) }]);
    }
}
