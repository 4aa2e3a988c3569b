//! Single sign-on with OpenID Connect: the rules that need no network or database — which
//! issuers may be configured, which e-mail domains a provider may sign in, which groups an ID
//! token names, and what a group mapping changes at a sign-in.
use crate::ids::{RoleId, UnitId};
use crate::DomainError;
use std::collections::BTreeSet;

/// The claim the groups are read from unless the provider is configured otherwise.
pub const DEFAULT_GROUPS_CLAIM: &str = "groups";
/// How long a sign-in may stay at the provider before its state is no longer accepted.
pub const LOGIN_MINUTES: i64 = 10;

/// An issuer URL an organization may configure: `https://`, or `http://` on the loopback only
/// (a provider on the same machine, as in tests); no query, fragment or credentials.
pub fn check_issuer(input: &str) -> Result<String, DomainError> {
    let bad = || DomainError::InvalidValue { field: "issuer", value: input.to_string() };
    let s = input.trim().trim_end_matches('/');
    let (scheme, rest) = s.split_once("://").ok_or_else(bad)?;
    let host_port = rest.split('/').next().unwrap_or_default();
    if host_port.is_empty() || s.contains(['?', '#', '@', ' ']) {
        return Err(bad());
    }
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.rsplit_once(':').map(|(h, _)| h).unwrap_or(host_port),
    };
    match scheme {
        "https" => Ok(s.to_string()),
        "http" if is_loopback(host) => Ok(s.to_string()),
        _ => Err(bad()),
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The allowed e-mail domains as typed (separated by spaces, commas or new lines): lower case,
/// without duplicates, each a plausible domain name. At least one.
pub fn parse_domains(input: &str) -> Result<Vec<String>, DomainError> {
    let mut out = BTreeSet::new();
    for d in input.split(|c: char| c.is_whitespace() || c == ',' || c == ';').filter(|d| !d.is_empty()) {
        let d = d.trim_start_matches('@').to_lowercase();
        let labels_ok = d.split('.').all(|l| !l.is_empty() && l.len() <= 63 && !l.starts_with('-') && !l.ends_with('-') && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if !d.contains('.') || !labels_ok || d.len() > 253 {
            return Err(DomainError::InvalidValue { field: "allowed_domains", value: d });
        }
        out.insert(d);
    }
    if out.is_empty() {
        return Err(DomainError::InvalidValue { field: "allowed_domains", value: String::new() });
    }
    Ok(out.into_iter().collect())
}

/// The stored form of [`parse_domains`]'s answer.
pub fn join_domains(domains: &[String]) -> String {
    domains.join(" ")
}

/// Whether `email`'s domain is exactly one of `domains` (a subdomain is not its parent).
pub fn domain_allowed(email: &str, domains: &[String]) -> bool {
    match email.trim().rsplit_once('@') {
        Some((local, domain)) if !local.is_empty() => {
            let domain = domain.to_lowercase();
            domains.iter().any(|d| *d == domain)
        }
        _ => false,
    }
}

/// The groups a claim value names: an array of strings, or one string (some providers send a
/// single group that way). Anything else names none.
pub fn groups_of(value: Option<&serde_json::Value>) -> BTreeSet<String> {
    match value {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str()).map(str::trim).filter(|g| !g.is_empty()).map(String::from).collect(),
        Some(serde_json::Value::String(g)) if !g.trim().is_empty() => BTreeSet::from([g.trim().to_string()]),
        _ => BTreeSet::new(),
    }
}

/// "Members of the provider's group `group` hold `role` at `unit` (or the whole organization)".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMapping {
    pub group: String,
    pub role: RoleId,
    pub unit: Option<UnitId>,
}

/// A role assignment the member holds: made by this provider's mapping (`id` given), or by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    pub id: i64,
    pub role: RoleId,
    pub unit: Option<UnitId>,
    pub by_mapping: bool,
}

/// What a sign-in changes: the assignments to make, and the mapping's earlier ones to take away.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MappingPlan {
    pub add: Vec<(RoleId, Option<UnitId>)>,
    pub remove: Vec<i64>,
}

impl MappingPlan {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty()
    }
}

/// The mapping applied to the groups of this sign-in: every (role, unit) some group maps to is
/// held afterwards; an assignment the mapping made earlier whose group is gone is taken away.
/// Assignments made by hand are never taken away, and a (role, unit) already held by hand is not
/// made a second time.
pub fn plan(mappings: &[GroupMapping], groups: &BTreeSet<String>, held: &[Held]) -> MappingPlan {
    let wanted: BTreeSet<(RoleId, Option<UnitId>)> = mappings.iter().filter(|m| groups.contains(&m.group)).map(|m| (m.role, m.unit)).collect();
    let mut plan = MappingPlan::default();
    let mut have = BTreeSet::new();
    for h in held {
        let key = (h.role, h.unit);
        if h.by_mapping && !wanted.contains(&key) {
            plan.remove.push(h.id);
        } else {
            have.insert(key);
        }
    }
    plan.add = wanted.into_iter().filter(|k| !have.contains(k)).collect();
    plan
}

/// Why a single sign-on was refused, as a stable code (the sign-in page words it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The state is unknown, used already, older than [`LOGIN_MINUTES`], or not this browser's.
    State,
    /// The provider answered with an error (the person cancelled, or it refused them).
    Provider,
    /// The provider could not be reached or answered with something that is not OpenID Connect.
    Unreachable,
    /// The ID token failed a check: signature, issuer, audience, expiry or nonce.
    Token,
    /// No verified e-mail address in the ID token or userinfo.
    Unverified,
    /// The address is outside the provider's allowed domains.
    Domain,
    /// Neither a membership (active or invited) nor just-in-time membership.
    NoMembership,
    /// The membership has ended.
    Ended,
    /// The provider is switched off, or gone.
    Disabled,
    /// The address belongs to someone who is also a member of another organization, or staff:
    /// they sign in with their password.
    OtherOrganizations,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::State => "sso_state",
            Refusal::Provider => "sso_provider",
            Refusal::Unreachable => "sso_unreachable",
            Refusal::Token => "sso_token",
            Refusal::Unverified => "sso_unverified",
            Refusal::Domain => "sso_domain",
            Refusal::NoMembership => "sso_no_membership",
            Refusal::Ended => "sso_ended",
            Refusal::Disabled => "sso_disabled",
            Refusal::OtherOrganizations => "sso_other_organizations",
        }
    }

    pub const ALL: [Refusal; 10] = [
        Refusal::State,
        Refusal::Provider,
        Refusal::Unreachable,
        Refusal::Token,
        Refusal::Unverified,
        Refusal::Domain,
        Refusal::NoMembership,
        Refusal::Ended,
        Refusal::Disabled,
        Refusal::OtherOrganizations,
    ];

    pub fn parse(code: &str) -> Option<Refusal> {
        Refusal::ALL.into_iter().find(|r| r.code() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_are_https_or_loopback_http() {
        assert_eq!(check_issuer("https://login.example.com/tenant/").unwrap(), "https://login.example.com/tenant");
        assert_eq!(check_issuer("http://127.0.0.1:9000").unwrap(), "http://127.0.0.1:9000");
        assert_eq!(check_issuer("http://localhost:9000/oidc").unwrap(), "http://localhost:9000/oidc");
        assert_eq!(check_issuer("http://[::1]:9000").unwrap(), "http://[::1]:9000");
        for bad in ["http://idp.example.com", "ftp://x.example", "https://", "https://u:p@idp.example.com", "https://idp.example.com/?a=1", "https://idp.example.com/#x", "idp.example.com", "http://127.0.0.1.evil.example"] {
            assert!(check_issuer(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn domains_are_parsed_and_matched_exactly() {
        let d = parse_domains("Example.com, @corp.example.org\nexample.com").unwrap();
        assert_eq!(d, vec!["corp.example.org".to_string(), "example.com".to_string()]);
        assert_eq!(join_domains(&d), "corp.example.org example.com");
        assert!(domain_allowed("Ana@EXAMPLE.com", &d));
        assert!(!domain_allowed("ana@sub.example.com", &d), "a subdomain is not its parent");
        assert!(!domain_allowed("ana@example.com.evil.org", &d));
        assert!(!domain_allowed("@example.com", &d));
        assert!(!domain_allowed("nobody", &d));
        assert!(parse_domains("  ").is_err());
        assert!(parse_domains("localhost").is_err());
        assert_eq!(parse_domains("a.com b.org").unwrap().len(), 2, "two words are two entries");
        assert!(parse_domains("exa mple.com").is_err(), "\"exa\" is no domain");
        assert!(parse_domains("-bad.com").is_err());
        assert!(parse_domains("ex_ample.com").is_err());
    }

    #[test]
    fn groups_come_from_arrays_or_one_string() {
        let v = serde_json::json!(["admins", " ", 3, "staff"]);
        assert_eq!(groups_of(Some(&v)), BTreeSet::from(["admins".to_string(), "staff".to_string()]));
        assert_eq!(groups_of(Some(&serde_json::json!("solo"))), BTreeSet::from(["solo".to_string()]));
        assert!(groups_of(Some(&serde_json::json!({"a": 1}))).is_empty());
        assert!(groups_of(None).is_empty());
    }

    #[test]
    fn the_plan_adds_what_groups_map_to_and_removes_only_what_the_mapping_made() {
        let (r1, r2, r3) = (RoleId(1), RoleId(2), RoleId(3));
        let u = Some(UnitId(7));
        let maps = vec![
            GroupMapping { group: "eng".into(), role: r1, unit: u },
            GroupMapping { group: "eng".into(), role: r2, unit: None },
            GroupMapping { group: "ops".into(), role: r3, unit: u },
            GroupMapping { group: "leads".into(), role: r1, unit: u },
        ];
        let groups = BTreeSet::from(["eng".to_string()]);
        // Nothing held: both of eng's assignments are made.
        assert_eq!(plan(&maps, &groups, &[]), MappingPlan { add: vec![(r1, u), (r2, None)], remove: vec![] });
        // r2 held by hand: not made again; ops's earlier assignment is taken away.
        let held = [Held { id: 10, role: r2, unit: None, by_mapping: false }, Held { id: 11, role: r3, unit: u, by_mapping: true }, Held { id: 12, role: r1, unit: u, by_mapping: true }];
        assert_eq!(plan(&maps, &groups, &held), MappingPlan { add: vec![], remove: vec![11] });
        // No groups at all: the mapping's assignments go, the hand-made one stays.
        let p = plan(&maps, &BTreeSet::new(), &held);
        assert_eq!(p, MappingPlan { add: vec![], remove: vec![11, 12] });
        assert!(!p.is_empty());
        // Two groups mapping to the same (role, unit) make it once.
        let both = BTreeSet::from(["eng".to_string(), "leads".to_string()]);
        assert_eq!(plan(&maps, &both, &[]).add, vec![(r1, u), (r2, None)]);
        assert!(plan(&maps, &groups, &[Held { id: 1, role: r1, unit: u, by_mapping: true }, Held { id: 2, role: r2, unit: None, by_mapping: true }]).is_empty());
    }

    #[test]
    fn refusal_codes_round_trip() {
        for r in Refusal::ALL {
            assert_eq!(Refusal::parse(r.code()), Some(r));
        }
        assert_eq!(Refusal::parse("nope"), None);
    }
}
