//! Access review campaigns as plain rules (seed roles-responsibilities-isms: "the permissions of
//! internal users are reviewed every three months and permissions that are no longer required …
//! are revoked"): when a campaign runs and until when, what it covers, who reviews each frozen
//! assignment, the decision helpers shown beside it, a reviewer's decision and the optional second
//! stage, and what an unanswered item becomes at the deadline. No database and no words here: the
//! db crate freezes the population and keeps the decisions; the portal shows them.
use crate::authz::policy::Policy;
use crate::authz::Target;
use crate::error::DomainError;
use crate::ids::{MembershipId, RoleId, UnitId};
use chrono::{DateTime, Datelike, Duration, Months, Utc};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------- when

/// How often a recurring campaign starts again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Interval {
    Monthly,
    /// The default for staff (seed isms: every three months).
    Quarterly,
    HalfYearly,
    Yearly,
}

impl Interval {
    pub const ALL: [Interval; 4] = [Interval::Monthly, Interval::Quarterly, Interval::HalfYearly, Interval::Yearly];

    pub fn months(self) -> u32 {
        match self {
            Interval::Monthly => 1,
            Interval::Quarterly => 3,
            Interval::HalfYearly => 6,
            Interval::Yearly => 12,
        }
    }

    /// The shortest the interval can be in days (February in a monthly one).
    pub fn min_days(self) -> u32 {
        match self {
            Interval::Monthly => 28,
            Interval::Quarterly => 89,
            Interval::HalfYearly => 181,
            Interval::Yearly => 365,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Interval::Monthly => "monthly",
            Interval::Quarterly => "quarterly",
            Interval::HalfYearly => "half_yearly",
            Interval::Yearly => "yearly",
        }
    }

    pub fn parse(s: &str) -> Option<Interval> {
        Interval::ALL.into_iter().find(|i| i.as_str() == s)
    }
}

/// One campaign, or one every interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Schedule {
    Once,
    Every(Interval),
}

impl Schedule {
    pub fn as_str(self) -> &'static str {
        match self {
            Schedule::Once => "once",
            Schedule::Every(i) => i.as_str(),
        }
    }

    pub fn parse(s: &str) -> Option<Schedule> {
        if s == "once" {
            Some(Schedule::Once)
        } else {
            Interval::parse(s).map(Schedule::Every)
        }
    }
}

/// A campaign runs `duration_days` (at least one) and, when it recurs, ends before the next one
/// starts.
pub fn check_timing(schedule: Schedule, duration_days: u32) -> Result<(), DomainError> {
    let too_long = match schedule {
        Schedule::Once => duration_days > 366,
        Schedule::Every(i) => duration_days >= i.min_days(),
    };
    if duration_days == 0 || too_long {
        return Err(DomainError::InvalidValue { field: "duration_days", value: duration_days.to_string() });
    }
    Ok(())
}

/// When a campaign started at `start` must be answered.
pub fn deadline(start: DateTime<Utc>, duration_days: u32) -> DateTime<Utc> {
    start + Duration::days(duration_days as i64)
}

/// When the next campaign of a recurring series starts after one that started at `start` (the
/// same day of the month, or the month's last day when it is shorter).
pub fn next_start(schedule: Schedule, start: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match schedule {
        Schedule::Once => None,
        Schedule::Every(i) => start.checked_add_months(Months::new(i.months())),
    }
}

/// The starts due by `now` of a series last started at `last` (a server that was down for two
/// quarters starts one campaign, the latest due, not two: the population is frozen when it starts).
pub fn due_start(schedule: Schedule, last: DateTime<Utc>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let mut due = None;
    let mut at = next_start(schedule, last)?;
    while at <= now {
        due = Some(at);
        at = next_start(schedule, at)?;
    }
    due
}

// ---------------------------------------------------------------- what

/// What a campaign covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Population {
    /// Assignments anchored at these units or below them, and assignments of members placed there.
    Units(Vec<UnitId>),
    /// Assignments of these roles wherever they are.
    Roles(Vec<RoleId>),
    /// Holders of these organization roles (`owner`, `administrator` …).
    OrgRoles(Vec<String>),
    /// Platform staff and their staff roles.
    Staff,
}

/// One role assignment as the campaign sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub member: MembershipId,
    pub role: RoleId,
    /// Where the assignment is anchored (None: the whole organization).
    pub anchor: Option<UnitId>,
    /// The units the member is placed in.
    pub member_units: Vec<UnitId>,
}

/// Whether a role assignment belongs to the population.
pub fn covers(population: &Population, policy: &Policy, held: &Held) -> bool {
    match population {
        Population::Units(units) => units.iter().any(|u| {
            held.anchor.is_some_and(|a| policy.tree.is_within(a, *u)) || held.member_units.iter().any(|m| policy.tree.is_within(*m, *u))
        }),
        Population::Roles(roles) => roles.contains(&held.role),
        Population::OrgRoles(_) | Population::Staff => false,
    }
}

// ---------------------------------------------------------------- who

/// Who reviews an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewerRule {
    /// Whoever may assign roles (`roles.assign`) where the assignment is anchored.
    UnitManagers,
    /// Whoever may assign roles to the holder (at the units the holder is placed in).
    HoldersManagers,
    /// These people.
    Named(Vec<MembershipId>),
    /// The holder confirms their own access.
    SelfAttestation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewerPlan {
    pub rule: ReviewerRule,
    /// Who reviews when the rule finds nobody, and who an escalation goes to.
    pub fallback: Option<MembershipId>,
    /// May a reviewer decide on their own assignment? Off by default (self-attestation aside).
    pub self_review: bool,
    /// A second stage (e.g. the compliance manager) confirms every first-stage decision.
    pub second_stage: Option<MembershipId>,
}

/// The reviewers of an organization role held by `member` (a population of organization roles):
/// whoever may appoint and remove holders of that role (seed organization-roles) for the
/// managers' rules, the named people, or the holder; never the holder otherwise (nobody changes
/// their own organization roles); the fallback when that leaves nobody.
pub fn reviewers_for_org_role(plan: &ReviewerPlan, holders: &[(MembershipId, crate::org_role::OrgRole)], member: MembershipId, role: crate::org_role::OrgRole) -> Vec<MembershipId> {
    let found: Vec<MembershipId> = match &plan.rule {
        ReviewerRule::SelfAttestation => return vec![member],
        ReviewerRule::Named(people) => people.clone(),
        ReviewerRule::UnitManagers | ReviewerRule::HoldersManagers => {
            let by = crate::org_role::appointers(role);
            holders.iter().filter(|(_, r)| by.contains(r)).map(|(m, _)| *m).collect()
        }
    };
    let mut out: Vec<MembershipId> = found.into_iter().filter(|m| *m != member).collect();
    out.sort();
    out.dedup();
    if out.is_empty() {
        if let Some(f) = plan.fallback.filter(|f| *f != member) {
            out.push(f);
        }
    }
    out
}

/// The reviewers of one frozen assignment, each once, in a stable order. Empty only when the rule
/// finds nobody and there is no fallback that may review it.
pub fn reviewers_for(plan: &ReviewerPlan, policy: &Policy, held: &Held, now: DateTime<Utc>) -> Vec<MembershipId> {
    let found: Vec<MembershipId> = match &plan.rule {
        ReviewerRule::SelfAttestation => return vec![held.member],
        ReviewerRule::Named(people) => people.clone(),
        ReviewerRule::UnitManagers => {
            let target = match held.anchor {
                Some(u) => Target::Unit(u),
                None => Target::Organization,
            };
            policy.who_can("roles.assign", &target, now).into_iter().map(|(m, _)| m).collect()
        }
        ReviewerRule::HoldersManagers => {
            let target = Target::Member { id: held.member, units: held.member_units.clone() };
            policy.who_can("roles.assign", &target, now).into_iter().map(|(m, _)| m).collect()
        }
    };
    let allowed = |m: &MembershipId| plan.self_review || *m != held.member;
    let mut out: Vec<MembershipId> = Vec::new();
    for m in found.into_iter().filter(allowed) {
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out.sort();
    if out.is_empty() {
        if let Some(f) = plan.fallback.filter(allowed) {
            out.push(f);
        }
    }
    out
}

// ---------------------------------------------------------------- helpers

/// What is shown beside an item to help decide.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Helpers {
    /// Days since the holder last signed in, when at least the threshold (or never signed in).
    pub inactive_days: Option<i64>,
    pub never_signed_in: bool,
    /// The assignment came from an access request that has ended (withdrawn, expired, revoked).
    pub from_ended_request: bool,
    /// Few others in the holder's units hold this role (less than a tenth of them).
    pub unusual_in_unit: bool,
}

/// The helpers for one item: `last_sign_in` of the holder, `threshold_days` (default 30), whether
/// it came from an access request that has ended, and how many of the `unit_members` hold the role.
pub fn helpers(last_sign_in: Option<DateTime<Utc>>, now: DateTime<Utc>, threshold_days: i64, from_ended_request: bool, unit_members: i64, unit_holders: i64) -> Helpers {
    let (inactive_days, never) = match last_sign_in {
        None => (None, true),
        Some(t) => {
            let days = (now - t).num_days();
            ((days >= threshold_days).then_some(days), false)
        }
    };
    Helpers { inactive_days, never_signed_in: never, from_ended_request, unusual_in_unit: unit_members >= 5 && unit_holders * 10 < unit_members }
}

impl Helpers {
    /// Nothing speaks against keeping: such rows may be kept in bulk.
    pub fn agrees_to_keep(&self) -> bool {
        self.inactive_days.is_none() && !self.never_signed_in && !self.from_ended_request && !self.unusual_in_unit
    }
}

// ---------------------------------------------------------------- decisions

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Decision {
    Keep,
    Revoke,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Keep => "keep",
            Decision::Revoke => "revoke",
        }
    }

    pub fn parse(s: &str) -> Option<Decision> {
        match s {
            "keep" => Some(Decision::Keep),
            "revoke" => Some(Decision::Revoke),
            _ => None,
        }
    }
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemState {
    Pending,
    /// Unanswered at the deadline and handed to the fallback reviewer.
    Escalated,
    /// Decided at the first stage, waiting for the second.
    Proposed(Decision),
    Final(Decision),
}

/// Why a decision is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The campaign is not running (not started, or closed: its evidence cannot change).
    NotRunning,
    /// This item is decided already.
    Decided,
    /// Keeping needs a comment in this campaign.
    CommentRequired,
    /// Not this person's item to decide (at this stage).
    NotReviewer,
}

/// The campaign's lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CampaignState {
    Scheduled,
    Running,
    Closed,
}

impl CampaignState {
    pub fn as_str(self) -> &'static str {
        match self {
            CampaignState::Scheduled => "scheduled",
            CampaignState::Running => "running",
            CampaignState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<CampaignState> {
        [CampaignState::Scheduled, CampaignState::Running, CampaignState::Closed].into_iter().find(|c| c.as_str() == s)
    }

    /// Only a campaign that has not started can be changed; a closed one is evidence.
    pub fn editable(self) -> bool {
        self == CampaignState::Scheduled
    }
}

/// A decision on an item: by a first-stage reviewer (or the fallback once escalated), or by the
/// second stage on a proposal. `comment` is required for keeping when the campaign says so.
#[allow(clippy::too_many_arguments)]
pub fn decide(
    campaign: CampaignState,
    state: ItemState,
    by: MembershipId,
    reviewers: &[MembershipId],
    fallback: Option<MembershipId>,
    second_stage: Option<MembershipId>,
    decision: Decision,
    comment: &str,
    keep_needs_comment: bool,
) -> Result<ItemState, Refusal> {
    if campaign != CampaignState::Running {
        return Err(Refusal::NotRunning);
    }
    if decision == Decision::Keep && keep_needs_comment && comment.trim().is_empty() {
        return Err(Refusal::CommentRequired);
    }
    let first_stage = |may: bool| -> Result<ItemState, Refusal> {
        if !may {
            return Err(Refusal::NotReviewer);
        }
        Ok(match second_stage {
            Some(_) => ItemState::Proposed(decision),
            None => ItemState::Final(decision),
        })
    };
    match state {
        ItemState::Pending => first_stage(reviewers.contains(&by)),
        ItemState::Escalated => first_stage(fallback == Some(by)),
        ItemState::Proposed(_) if second_stage == Some(by) => Ok(ItemState::Final(decision)),
        ItemState::Proposed(_) => Err(Refusal::NotReviewer),
        ItemState::Final(_) => Err(Refusal::Decided),
    }
}

/// What an organization does with items nobody answered by the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoResponse {
    Keep,
    Revoke,
    /// Hand them to the fallback reviewer for `escalation_days` more, then keep.
    EscalateThenKeep,
    /// Hand them to the fallback reviewer for `escalation_days` more, then revoke.
    EscalateThenRevoke,
}

impl NoResponse {
    pub const ALL: [NoResponse; 4] = [NoResponse::Keep, NoResponse::Revoke, NoResponse::EscalateThenKeep, NoResponse::EscalateThenRevoke];

    pub fn as_str(self) -> &'static str {
        match self {
            NoResponse::Keep => "keep",
            NoResponse::Revoke => "revoke",
            NoResponse::EscalateThenKeep => "escalate_keep",
            NoResponse::EscalateThenRevoke => "escalate_revoke",
        }
    }

    pub fn parse(s: &str) -> Option<NoResponse> {
        NoResponse::ALL.into_iter().find(|n| n.as_str() == s)
    }
}

/// What the background user does with an item at a deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtDeadline {
    /// Nothing: it is decided (a proposal waiting for the second stage is settled by it).
    Nothing,
    Escalate,
    Apply(Decision),
}

/// The no-response policy applied to one item: at the campaign's deadline (`escalated` false)
/// or at the end of the escalation (`escalated` true). Without a fallback there is nobody to
/// escalate to, so the policy's final decision applies at once. A proposal nobody confirmed
/// stands as proposed.
pub fn at_deadline(policy: NoResponse, state: ItemState, fallback: Option<MembershipId>) -> AtDeadline {
    let final_of = |p: NoResponse| match p {
        NoResponse::Keep | NoResponse::EscalateThenKeep => Decision::Keep,
        NoResponse::Revoke | NoResponse::EscalateThenRevoke => Decision::Revoke,
    };
    match state {
        ItemState::Final(_) => AtDeadline::Nothing,
        ItemState::Proposed(d) => AtDeadline::Apply(d),
        ItemState::Escalated => AtDeadline::Apply(final_of(policy)),
        ItemState::Pending => match policy {
            NoResponse::EscalateThenKeep | NoResponse::EscalateThenRevoke if fallback.is_some() => AtDeadline::Escalate,
            p => AtDeadline::Apply(final_of(p)),
        },
    }
}

/// The share of decided items, in whole percent (a campaign with no items is complete).
pub fn progress(decided: i64, total: i64) -> i64 {
    if total <= 0 {
        100
    } else {
        decided * 100 / total
    }
}

/// The month a quarterly series started in, for labels (`2026-Q4`).
pub fn quarter_label(start: DateTime<Utc>) -> String {
    format!("{}-Q{}", start.year(), start.month0() / 3 + 1) // not user text: a period label
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authz::{Assignment, Role, RoleGrant, RoleScope, Subject, Visibility};
    use crate::units::{UnitNode, UnitTree};
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
    }

    #[test]
    fn timing_and_recurrence() {
        assert!(check_timing(Schedule::Every(Interval::Quarterly), 14).is_ok());
        assert!(check_timing(Schedule::Every(Interval::Quarterly), 89).is_err(), "shorter than its interval");
        assert!(check_timing(Schedule::Every(Interval::Monthly), 28).is_err());
        assert!(check_timing(Schedule::Once, 0).is_err());
        assert!(check_timing(Schedule::Once, 30).is_ok());
        assert_eq!(deadline(at(2026, 10, 1), 14), at(2026, 10, 15));
        assert_eq!(next_start(Schedule::Every(Interval::Quarterly), at(2026, 11, 30)), Some(at(2027, 2, 28)), "the month's last day");
        assert_eq!(next_start(Schedule::Once, at(2026, 1, 1)), None);
        // Down for two quarters: the latest start due, once.
        assert_eq!(due_start(Schedule::Every(Interval::Quarterly), at(2026, 1, 1), at(2026, 7, 15)), Some(at(2026, 7, 1)));
        assert_eq!(due_start(Schedule::Every(Interval::Quarterly), at(2026, 1, 1), at(2026, 3, 31)), None);
        for s in ["once", "monthly", "quarterly", "half_yearly", "yearly"] {
            assert_eq!(Schedule::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(quarter_label(at(2026, 11, 2)), "2026-Q4");
    }

    fn policy() -> Policy {
        // Units: 1 Sales > 2 EMEA; 3 Ops. Role 10 "manager" grants roles.assign at its unit;
        // member 100 manages Sales, 101 manages Ops, 200 holds role 20 at EMEA.
        let tree = UnitTree::new(vec![
            UnitNode { id: UnitId(1), parent: None, name: "Sales".into(), kind: "division".into() },
            UnitNode { id: UnitId(2), parent: Some(UnitId(1)), name: "EMEA".into(), kind: "team".into() },
            UnitNode { id: UnitId(3), parent: None, name: "Ops".into(), kind: "division".into() },
        ]);
        let roles = vec![
            Role { id: RoleId(10), name: "manager".into(), grants: vec![RoleGrant { permission: "roles.assign".into(), scope: RoleScope::Unit, visibility: Visibility::Individual }], retired: false },
            Role { id: RoleId(20), name: "seller".into(), grants: vec![], retired: false },
        ];
        let subject = |m: i64, role: i64, unit: i64| Subject { membership: MembershipId(m), org_roles: vec![], assignments: vec![Assignment { role: RoleId(role), anchor: Some(UnitId(unit)), ends_at: None }], adjustments: vec![] };
        Policy::new(1, roles, tree, vec![], vec![subject(100, 10, 1), subject(101, 10, 3), subject(200, 20, 2), subject(201, 10, 2)])
    }

    #[test]
    fn organization_roles_are_reviewed_by_who_may_appoint_them() {
        use crate::org_role::OrgRole::*;
        let holders = vec![(MembershipId(1), Owner), (MembershipId(2), CoOwner), (MembershipId(3), Administrator), (MembershipId(4), Administrator), (MembershipId(5), PaymentUser)];
        let plan = ReviewerPlan { rule: ReviewerRule::UnitManagers, fallback: Some(MembershipId(9)), self_review: true, second_stage: None };
        assert_eq!(reviewers_for_org_role(&plan, &holders, MembershipId(3), Administrator), vec![MembershipId(1), MembershipId(2), MembershipId(5)]);
        // The owner's role: only the owner appoints it, and not for themselves: the fallback.
        assert_eq!(reviewers_for_org_role(&plan, &holders, MembershipId(1), Owner), vec![MembershipId(9)]);
        let named = ReviewerPlan { rule: ReviewerRule::Named(vec![MembershipId(4), MembershipId(3)]), ..plan.clone() };
        assert_eq!(reviewers_for_org_role(&named, &holders, MembershipId(3), Administrator), vec![MembershipId(4)], "never one's own");
        let attest = ReviewerPlan { rule: ReviewerRule::SelfAttestation, ..plan };
        assert_eq!(reviewers_for_org_role(&attest, &holders, MembershipId(3), Administrator), vec![MembershipId(3)]);
    }

    #[test]
    fn populations_and_reviewers() {
        let p = policy();
        let held = Held { member: MembershipId(200), role: RoleId(20), anchor: Some(UnitId(2)), member_units: vec![UnitId(2)] };
        assert!(covers(&Population::Units(vec![UnitId(1)]), &p, &held), "below Sales");
        assert!(!covers(&Population::Units(vec![UnitId(3)]), &p, &held));
        assert!(covers(&Population::Roles(vec![RoleId(20)]), &p, &held));
        let plan = ReviewerPlan { rule: ReviewerRule::UnitManagers, fallback: Some(MembershipId(101)), self_review: false, second_stage: None };
        assert_eq!(reviewers_for(&plan, &p, &held, at(2026, 12, 1)), vec![MembershipId(100), MembershipId(201)], "Sales' and EMEA's managers, not Ops'");
        // 201 manages EMEA and holds the manager role there: not their own reviewer.
        let own = Held { member: MembershipId(201), role: RoleId(10), anchor: Some(UnitId(2)), member_units: vec![] };
        assert_eq!(reviewers_for(&plan, &p, &own, at(2026, 12, 1)), vec![MembershipId(100)]);
        let with_self = ReviewerPlan { self_review: true, ..plan.clone() };
        assert_eq!(reviewers_for(&with_self, &p, &own, at(2026, 12, 1)), vec![MembershipId(100), MembershipId(201)]);
        // Nobody found: the fallback.
        let ops = Held { member: MembershipId(101), role: RoleId(10), anchor: Some(UnitId(3)), member_units: vec![] };
        let ops_plan = ReviewerPlan { fallback: Some(MembershipId(100)), ..plan.clone() };
        assert_eq!(reviewers_for(&ops_plan, &p, &ops, at(2026, 12, 1)), vec![MembershipId(100)], "Ops' only manager is the holder: the fallback");
        let named = ReviewerPlan { rule: ReviewerRule::Named(vec![MembershipId(300), MembershipId(200), MembershipId(300)]), ..plan.clone() };
        assert_eq!(reviewers_for(&named, &p, &held, at(2026, 12, 1)), vec![MembershipId(300)]);
        let attest = ReviewerPlan { rule: ReviewerRule::SelfAttestation, ..plan };
        assert_eq!(reviewers_for(&attest, &p, &held, at(2026, 12, 1)), vec![MembershipId(200)]);
    }

    #[test]
    fn helpers_flag_what_speaks_against_keeping() {
        let now = at(2026, 12, 1);
        let h = helpers(Some(at(2026, 10, 1)), now, 30, false, 20, 10);
        assert_eq!(h.inactive_days, Some(61));
        assert!(!h.agrees_to_keep());
        let fine = helpers(Some(at(2026, 11, 25)), now, 30, false, 20, 10);
        assert!(fine.agrees_to_keep());
        assert!(helpers(None, now, 30, false, 20, 10).never_signed_in);
        assert!(helpers(Some(now), now, 30, true, 20, 10).from_ended_request);
        assert!(helpers(Some(now), now, 30, false, 40, 1).unusual_in_unit, "1 of 40 holds it");
        assert!(!helpers(Some(now), now, 30, false, 3, 0).unusual_in_unit, "too few to say");
    }

    #[test]
    fn decisions_stages_and_deadlines() {
        let (a, b, f, s) = (MembershipId(1), MembershipId(2), MembershipId(9), MembershipId(7));
        let run = CampaignState::Running;
        assert_eq!(decide(run, ItemState::Pending, a, &[a], Some(f), None, Decision::Keep, "", false), Ok(ItemState::Final(Decision::Keep)));
        assert_eq!(decide(run, ItemState::Pending, b, &[a], Some(f), None, Decision::Keep, "", false), Err(Refusal::NotReviewer));
        assert_eq!(decide(run, ItemState::Pending, a, &[a], Some(f), None, Decision::Keep, " ", true), Err(Refusal::CommentRequired));
        assert_eq!(decide(run, ItemState::Pending, a, &[a], Some(f), None, Decision::Revoke, "", true), Ok(ItemState::Final(Decision::Revoke)), "revoking needs no comment");
        assert_eq!(decide(CampaignState::Closed, ItemState::Pending, a, &[a], None, None, Decision::Keep, "x", false), Err(Refusal::NotRunning));
        assert_eq!(decide(run, ItemState::Final(Decision::Keep), a, &[a], None, None, Decision::Revoke, "", false), Err(Refusal::Decided));
        // Two stages: a proposal, then the second stage settles it.
        let p = decide(run, ItemState::Pending, a, &[a], None, Some(s), Decision::Revoke, "", false).unwrap();
        assert_eq!(p, ItemState::Proposed(Decision::Revoke));
        assert_eq!(decide(run, p, a, &[a], None, Some(s), Decision::Keep, "", false), Err(Refusal::NotReviewer));
        assert_eq!(decide(run, p, s, &[a], None, Some(s), Decision::Keep, "", false), Ok(ItemState::Final(Decision::Keep)));
        // Escalated: only the fallback decides.
        assert_eq!(decide(run, ItemState::Escalated, a, &[a], Some(f), None, Decision::Keep, "", false), Err(Refusal::NotReviewer));
        assert_eq!(decide(run, ItemState::Escalated, f, &[a], Some(f), None, Decision::Keep, "", false), Ok(ItemState::Final(Decision::Keep)));
        // Deadlines.
        assert_eq!(at_deadline(NoResponse::Keep, ItemState::Pending, Some(f)), AtDeadline::Apply(Decision::Keep));
        assert_eq!(at_deadline(NoResponse::Revoke, ItemState::Pending, Some(f)), AtDeadline::Apply(Decision::Revoke));
        assert_eq!(at_deadline(NoResponse::EscalateThenRevoke, ItemState::Pending, Some(f)), AtDeadline::Escalate);
        assert_eq!(at_deadline(NoResponse::EscalateThenRevoke, ItemState::Pending, None), AtDeadline::Apply(Decision::Revoke), "nobody to escalate to");
        assert_eq!(at_deadline(NoResponse::EscalateThenKeep, ItemState::Escalated, Some(f)), AtDeadline::Apply(Decision::Keep));
        assert_eq!(at_deadline(NoResponse::Revoke, ItemState::Proposed(Decision::Keep), None), AtDeadline::Apply(Decision::Keep), "a proposal stands");
        assert_eq!(at_deadline(NoResponse::Revoke, ItemState::Final(Decision::Keep), None), AtDeadline::Nothing);
        assert!(CampaignState::Scheduled.editable() && !CampaignState::Running.editable() && !CampaignState::Closed.editable());
        assert_eq!((progress(3, 4), progress(0, 0)), (75, 100));
        for n in NoResponse::ALL {
            assert_eq!(NoResponse::parse(n.as_str()), Some(n));
        }
    }
}
