//! Access requests: what a member may ask for, who decides, and the life of a request —
//! pending until approved, denied, withdrawn by the requester, or expired by the background
//! user. Pure: the database supplies the policy and the clock.
use crate::authz::policy::Policy;
use crate::authz::Target;
use crate::ids::{MembershipId, RoleId, UnitId};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The permission that decides requests.
pub const DECIDE: &str = "access_requests.decide";

/// What is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Asked {
    /// A role, at a unit (or organization-wide).
    Role { role: RoleId, unit: Option<UnitId> },
    /// One permission, at a unit (or organization-wide).
    Permission { permission: String, unit: Option<UnitId> },
    /// Membership of a unit.
    Unit { unit: UnitId },
}

/// What is missing from an "ask for access" form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskProblem {
    ChooseUnit,
    ChoosePermission,
    ChooseRole,
}

impl Asked {
    /// Reads the ask form: `kind` (role, permission or unit) and the fields it needs; the unit is
    /// optional for roles and permissions (organization-wide).
    pub fn from_form(kind: &str, role: &str, permission: &str, unit: &str) -> Result<Asked, AskProblem> {
        let unit = unit.trim().parse::<i64>().ok().map(UnitId);
        match kind.trim() {
            "unit" => unit.map(|unit| Asked::Unit { unit }).ok_or(AskProblem::ChooseUnit),
            "permission" => match permission.trim() {
                "" => Err(AskProblem::ChoosePermission),
                p => Ok(Asked::Permission { permission: p.to_string(), unit }),
            },
            _ => role.trim().parse::<i64>().map(|r| Asked::Role { role: RoleId(r), unit }).map_err(|_| AskProblem::ChooseRole),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Asked::Role { .. } => "role",
            Asked::Permission { .. } => "permission",
            Asked::Unit { .. } => "unit",
        }
    }

    /// Where it would apply: the scope at which deciding it is checked.
    pub fn unit(&self) -> Option<UnitId> {
        match self {
            Asked::Role { unit, .. } | Asked::Permission { unit, .. } => *unit,
            Asked::Unit { unit } => Some(*unit),
        }
    }

    /// What deciding it is checked against.
    pub fn target(&self) -> Target {
        self.unit().map_or(Target::Organization, Target::Unit)
    }
}

/// Where a request stands. Only a pending request moves; every other state is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Pending,
    Approved,
    Denied,
    Expired,
    Withdrawn,
    /// Approved, then taken back before its end: by an approver from the request, or by the
    /// grant being removed elsewhere (member page, roles).
    Revoked,
}

impl Status {
    /// Every status, in the order the portal lists them.
    pub const ALL: [Status; 6] = [Status::Pending, Status::Approved, Status::Denied, Status::Withdrawn, Status::Expired, Status::Revoked];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Approved => "approved",
            Status::Denied => "denied",
            Status::Expired => "expired",
            Status::Withdrawn => "withdrawn",
            Status::Revoked => "revoked",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "pending" => Status::Pending,
            "approved" => Status::Approved,
            "denied" => Status::Denied,
            "expired" => Status::Expired,
            "withdrawn" => Status::Withdrawn,
            "revoked" => Status::Revoked,
            _ => return None,
        })
    }
}

/// What happens to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Event {
    Approve,
    Deny,
    Withdraw,
    Expire,
    /// An approved request's grant is taken back.
    Revoke,
}

/// Why a request cannot move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// Someone decided (or it expired or was withdrawn) first: `Status` is how it ended.
    AlreadyClosed(Status),
    /// The requester decides their own request.
    OwnRequest,
    /// Not one of the approvers at this scope.
    NotApprover,
    /// Only the requester withdraws.
    NotRequester,
    /// The end date is not in the future.
    EndInPast,
    /// Nothing may be asked that the requester already has.
    AlreadyHeld,
    /// The same thing is already asked and waiting.
    AlreadyAsked,
    /// The role is not offered for requests (or retired).
    NotRequestable,
    /// The requester's membership is no longer active.
    NotMember,
    /// Only an approved request's grant can be revoked (this one is still waiting).
    NotGranted,
    /// The grant ended by its end date before it could be revoked.
    GrantEnded,
}

/// The next state, or why not.
pub fn transition(from: Status, event: Event) -> Result<Status, Refusal> {
    match (from, event) {
        (Status::Pending, Event::Approve) => Ok(Status::Approved),
        (Status::Pending, Event::Deny) => Ok(Status::Denied),
        (Status::Pending, Event::Withdraw) => Ok(Status::Withdrawn),
        (Status::Pending, Event::Expire) => Ok(Status::Expired),
        (Status::Approved, Event::Revoke) => Ok(Status::Revoked),
        (Status::Pending, Event::Revoke) => Err(Refusal::NotGranted),
        (other, _) => Err(Refusal::AlreadyClosed(other)),
    }
}

/// The organization's request settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    /// Days after asking when approvers are reminded (0: never).
    pub reminder_days: i32,
    /// Days after asking when an undecided request expires.
    pub expiry_days: i32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { reminder_days: 3, expiry_days: 14 }
    }
}

impl Settings {
    pub fn remind_at(&self, asked: DateTime<Utc>) -> Option<DateTime<Utc>> {
        (self.reminder_days > 0 && self.reminder_days < self.expiry_days).then(|| asked + Duration::days(self.reminder_days as i64))
    }

    pub fn expires_at(&self, asked: DateTime<Utc>) -> DateTime<Utc> {
        asked + Duration::days(self.expiry_days as i64)
    }
}

/// Who decides a request: every member who may decide it at its scope (administrators and
/// owners included), never the requester.
pub fn approvers(policy: &Policy, requester: MembershipId, asked: &Asked, now: DateTime<Utc>) -> Vec<MembershipId> {
    policy.who_can(DECIDE, &asked.target(), now).into_iter().map(|(m, _)| m).filter(|m| *m != requester).collect()
}

/// May `by` decide this request now?
pub fn may_decide(policy: &Policy, by: MembershipId, requester: MembershipId, asked: &Asked, now: DateTime<Utc>) -> Result<(), Refusal> {
    if by == requester {
        return Err(Refusal::OwnRequest);
    }
    if !policy.check(by, DECIDE, &asked.target(), now).allowed {
        return Err(Refusal::NotApprover);
    }
    Ok(())
}

/// Checks an end date the requester chose.
pub fn check_end(ends_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<(), Refusal> {
    match ends_at {
        Some(e) if e <= now => Err(Refusal::EndInPast),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn only_a_pending_request_moves_and_each_end_is_distinct() {
        assert_eq!(transition(Status::Pending, Event::Approve), Ok(Status::Approved));
        assert_eq!(transition(Status::Pending, Event::Deny), Ok(Status::Denied));
        assert_eq!(transition(Status::Pending, Event::Withdraw), Ok(Status::Withdrawn));
        assert_eq!(transition(Status::Pending, Event::Expire), Ok(Status::Expired));
        for end in [Status::Approved, Status::Denied, Status::Expired, Status::Withdrawn, Status::Revoked] {
            for ev in [Event::Approve, Event::Deny, Event::Withdraw, Event::Expire] {
                assert_eq!(transition(end, ev), Err(Refusal::AlreadyClosed(end)), "{end:?} is final");
            }
            assert_eq!(Status::parse(end.as_str()), Some(end));
        }
        // Only a grant is taken back: approved → revoked, once; a waiting request is not granted.
        assert_eq!(transition(Status::Approved, Event::Revoke), Ok(Status::Revoked));
        assert_eq!(transition(Status::Pending, Event::Revoke), Err(Refusal::NotGranted));
        for end in [Status::Denied, Status::Expired, Status::Withdrawn, Status::Revoked] {
            assert_eq!(transition(end, Event::Revoke), Err(Refusal::AlreadyClosed(end)));
        }
    }

    #[test]
    fn reminders_come_before_expiry_or_not_at_all() {
        let t = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        let s = Settings::default();
        assert_eq!(s.remind_at(t), Some(t + Duration::days(3)));
        assert_eq!(s.expires_at(t), t + Duration::days(14));
        assert_eq!(Settings { reminder_days: 0, expiry_days: 14 }.remind_at(t), None);
        assert_eq!(Settings { reminder_days: 14, expiry_days: 14 }.remind_at(t), None, "no reminder on the day it expires");
        assert_eq!(check_end(Some(t), t), Err(Refusal::EndInPast));
        assert_eq!(check_end(Some(t + Duration::hours(1)), t), Ok(()));
        assert_eq!(check_end(None, t), Ok(()));
    }

    #[test]
    fn the_scope_of_a_request_is_its_unit() {
        let r = Asked::Role { role: RoleId(1), unit: Some(UnitId(4)) };
        assert_eq!((r.kind(), r.target()), ("role", Target::Unit(UnitId(4))));
        let p = Asked::Permission { permission: "alerts.create".into(), unit: None };
        assert_eq!((p.kind(), p.target()), ("permission", Target::Organization));
        assert_eq!(Asked::Unit { unit: UnitId(2) }.target(), Target::Unit(UnitId(2)));
    }
}
