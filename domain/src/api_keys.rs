//! Technical users and their API keys: what a key looks like, what it may be scoped to, how long
//! it lives, and what a call with it may do. A key acts as its technical user's membership (the
//! engine decides as for a person) and only within its scopes: a call needs both.
use crate::authz::catalog;
use crate::authz::policy::Policy;
use crate::authz::{Decision, Denial, Target};
use crate::ids::MembershipId;
use crate::DomainError;
use chrono::{DateTime, Duration, Utc};

/// Every key starts with this, so a leaked one is recognisable (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "ghk_";
/// Hex digits of the public part (looked up) and of the secret part (only its hash is kept).
pub const PUBLIC_LEN: usize = 16;
pub const SECRET_LEN: usize = 64;
pub const DEFAULT_VALID_DAYS: i64 = 90;
pub const MAX_VALID_DAYS: i64 = 366;
/// The last-used time is written at most this often per key (a busy key is not a write per call).
pub const LAST_USED_RESOLUTION_SECS: i64 = 60;

/// A presented key, split into the part that finds it and the part that proves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presented<'a> {
    pub public: &'a str,
    pub secret: &'a str,
}

/// `ghk_<16 hex>_<64 hex>`; anything else is not a key (and is never looked up).
pub fn parse(token: &str) -> Option<Presented<'_>> {
    let rest = token.strip_prefix(TOKEN_PREFIX)?;
    let (public, secret) = rest.split_once('_')?;
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    (hex(public, PUBLIC_LEN) && hex(secret, SECRET_LEN)).then_some(Presented { public, secret })
}

pub fn format(public: &str, secret: &str) -> String {
    format!("{TOKEN_PREFIX}{public}_{secret}") // not user text: the key's wire format
}

/// Permissions a key may carry: the admin catalog's (what the JSON API and the decision point
/// check). Content permissions are asked about through the decision point, not exercised.
pub fn scopable(permission: &str) -> bool {
    catalog::is_admin_permission(permission)
}

/// The scopes as entered: at least one, each scopable; sorted, without repeats.
pub fn scopes(entered: &[String]) -> Result<Vec<String>, DomainError> {
    let mut out: Vec<String> = entered.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    if let Some(bad) = out.iter().find(|s| !scopable(s)) {
        return Err(DomainError::InvalidValue { field: "scope", value: bad.clone() });
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err(DomainError::InvalidValue { field: "scope", value: String::new() });
    }
    Ok(out)
}

/// When a key made `now` for `days` days expires: 1 to 366 days, none without an end.
pub fn expiry(days: i64, now: DateTime<Utc>) -> Result<DateTime<Utc>, DomainError> {
    if !(1..=MAX_VALID_DAYS).contains(&days) {
        return Err(DomainError::InvalidValue { field: "valid_days", value: days.to_string() });
    }
    Ok(now + Duration::days(days))
}

/// A technical user's name: 1 to 100 characters, no control characters.
pub fn name(entered: &str) -> Result<String, DomainError> {
    let n = entered.trim();
    if n.is_empty() || n.chars().count() > 100 || n.chars().any(char::is_control) {
        return Err(DomainError::InvalidValue { field: "name", value: entered.to_string() });
    }
    Ok(n.to_string())
}

/// No escalation for keys: whoever makes a key gives it only permissions they hold for the
/// whole organization themselves. The first one they lack is the refusal.
pub fn may_scope(policy: &Policy, creator: MembershipId, scopes: &[String], now: DateTime<Utc>) -> Result<(), Denial> {
    for s in scopes {
        policy.require(creator, s, &Target::Organization, now)?;
    }
    Ok(())
}

/// Why a call with a key is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRefusal {
    /// The key does not carry this permission (whatever its technical user holds).
    OutOfScope { permission: String },
    /// The technical user does not hold it here; the engine's reasons.
    NotPermitted { permission: String, decision: Decision },
}

/// A key's call decides twice: the key must carry the permission and its technical user must
/// hold it for the target — the narrower of the two wins.
pub fn require(policy: &Policy, member: MembershipId, key_scopes: &[String], permission: &str, target: &Target, now: DateTime<Utc>) -> Result<Decision, KeyRefusal> {
    if !key_scopes.iter().any(|s| s == permission) {
        return Err(KeyRefusal::OutOfScope { permission: permission.to_string() });
    }
    let d = policy.check(member, permission, target, now);
    if d.allowed {
        Ok(d)
    } else {
        Err(KeyRefusal::NotPermitted { permission: permission.to_string(), decision: d })
    }
}

/// Is a key with these dates usable at `now`?
pub fn usable(expires_at: DateTime<Utc>, revoked_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    revoked_at.is_none() && now < expires_at
}

/// Should this call write the key's last-used time (at most once a minute per key)?
pub fn touch_due(last_used: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_used.is_none_or(|t| now - t >= Duration::seconds(LAST_USED_RESOLUTION_SECS) || now < t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::{Assignment, Role, RoleGrant, RoleScope, Subject, Visibility};
    use crate::ids::RoleId;
    use crate::units::UnitTree;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap()
    }

    #[test]
    fn only_well_formed_keys_are_looked_up() {
        let public = "0123456789abcdef";
        let secret = "a".repeat(64);
        let token = format(public, &secret);
        assert_eq!(parse(&token), Some(Presented { public, secret: &secret }));
        for bad in [
            "",
            "ghk_",
            &token[..token.len() - 1],
            &token.replace("ghk_", "ghx_"),
            &token.to_uppercase(),
            &format!("{token}0"),
            &format!("ghk_{public}-{secret}"),
            &format!("ghk_{}_{secret}", "g".repeat(16)),
            &format!("ghk_{public}_{}", "é".repeat(32)),
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn scopes_are_catalog_permissions_sorted_once() {
        let s = scopes(&["members.view".into(), " audit.view ".into(), "members.view".into(), "".into()]).unwrap();
        assert_eq!(s, vec!["audit.view".to_string(), "members.view".to_string()]);
        assert!(scopes(&[]).is_err(), "a key does something");
        assert!(scopes(&["tournaments.view".into()]).is_err(), "content permissions are asked about, not carried");
        assert!(scopes(&["members.view".into(), "bogus".into()]).is_err());
    }

    #[test]
    fn keys_end_within_a_year_and_stop_when_revoked() {
        assert_eq!(expiry(90, now()).unwrap(), now() + Duration::days(90));
        assert!(expiry(0, now()).is_err() && expiry(367, now()).is_err() && expiry(-1, now()).is_err());
        let end = now() + Duration::days(1);
        assert!(usable(end, None, now()));
        assert!(!usable(end, None, end), "expired at its end");
        assert!(!usable(end, Some(now()), now()), "revoked");
        assert!(touch_due(None, now()));
        assert!(!touch_due(Some(now() - Duration::seconds(59)), now()));
        assert!(touch_due(Some(now() - Duration::seconds(60)), now()));
        assert!(touch_due(Some(now() + Duration::seconds(5)), now()), "a clock that went back is written anew");
        assert!(name("  Reporting  ").unwrap() == "Reporting" && name(" ").is_err() && name("a\nb").is_err() && name(&"x".repeat(101)).is_err());
    }

    fn policy() -> Policy {
        let role = Role {
            id: RoleId(1),
            name: "Reporting".into(),
            grants: vec![
                RoleGrant { permission: "members.view".into(), scope: RoleScope::Organization, visibility: Visibility::Individual },
                RoleGrant { permission: "audit.view".into(), scope: RoleScope::Organization, visibility: Visibility::Individual },
            ],
            retired: false,
        };
        let tech = Subject {
            membership: MembershipId(7),
            org_roles: vec![],
            assignments: vec![Assignment { role: RoleId(1), anchor: None, ends_at: None }],
            adjustments: vec![],
        };
        Policy::new(1, vec![role], UnitTree::default(), vec![], [tech])
    }

    #[test]
    fn a_call_needs_the_scope_and_the_technical_users_grant() {
        let p = policy();
        let scopes = vec!["members.view".to_string(), "roles.view".to_string()];
        assert!(require(&p, MembershipId(7), &scopes, "members.view", &Target::Organization, now()).is_ok());
        assert_eq!(
            require(&p, MembershipId(7), &scopes, "audit.view", &Target::Organization, now()),
            Err(KeyRefusal::OutOfScope { permission: "audit.view".into() }),
            "held by the technical user, not carried by the key"
        );
        assert!(matches!(
            require(&p, MembershipId(7), &scopes, "roles.view", &Target::Organization, now()),
            Err(KeyRefusal::NotPermitted { .. })
        ), "carried by the key, not held by the technical user");
        // The creator gives only what they hold.
        assert!(may_scope(&p, MembershipId(7), &["members.view".into()], now()).is_ok());
        assert!(matches!(may_scope(&p, MembershipId(7), &["members.view".into(), "roles.edit".into()], now()), Err(Denial::NotPermitted { permission, .. }) if permission == "roles.edit"));
    }
}
