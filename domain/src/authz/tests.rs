use super::*;
use crate::units::UnitNode;
use chrono::{Duration, TimeZone};

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

fn tree() -> UnitTree {
    // 1 Company ─┬ 2 Sales ── 4 North
    //            └ 3 Engineering
    let n = |id: i64, parent: Option<i64>, name: &str| UnitNode { id: UnitId(id), parent: parent.map(UnitId), name: name.into(), kind: "unit".into() };
    UnitTree::new([n(1, None, "Company"), n(2, Some(1), "Sales"), n(3, Some(1), "Engineering"), n(4, Some(2), "North")])
}

fn grant(p: &str, scope: RoleScope, visibility: Visibility) -> RoleGrant {
    RoleGrant { permission: p.into(), scope, visibility }
}

fn roles() -> Vec<Role> {
    vec![
        Role {
            id: RoleId(1),
            name: "Team manager".into(),
            grants: vec![
                grant("members.view", RoleScope::Unit, Visibility::Individual),
                grant("members.edit", RoleScope::Unit, Visibility::Individual),
                grant("tournaments.manage", RoleScope::Unit, Visibility::Individual),
            ],
            retired: false,
        },
        Role {
            id: RoleId(2),
            name: "Developer".into(),
            grants: vec![
                grant("tournaments.view", RoleScope::Own, Visibility::Individual),
                grant("metrics.view", RoleScope::Unit, Visibility::Aggregate),
            ],
            retired: false,
        },
        Role { id: RoleId(3), name: "Company admin".into(), grants: vec![grant("members.view", RoleScope::Organization, Visibility::Individual)], retired: false },
        Role { id: RoleId(4), name: "Old".into(), grants: vec![grant("audit.view", RoleScope::Organization, Visibility::Individual)], retired: true },
    ]
}

fn subject(org_roles: Vec<OrgRole>, assignments: Vec<Assignment>, adjustments: Vec<Adjustment>) -> Subject {
    Subject { membership: MembershipId(100), org_roles, assignments, adjustments }
}

fn at(role: i64, anchor: Option<i64>) -> Assignment {
    Assignment { role: RoleId(role), anchor: anchor.map(UnitId), ends_at: None }
}

fn member(id: i64, units: &[i64]) -> Target {
    Target::Member { id: MembershipId(id), units: units.iter().map(|u| UnitId(*u)).collect() }
}

fn allowed(s: &Subject, p: &str, t: &Target) -> bool {
    check(s, p, t, &roles(), &tree(), now()).allowed
}

#[test]
fn unit_grants_cover_the_anchor_and_everything_below_it_only() {
    let s = subject(vec![], vec![at(1, Some(2))], vec![]);
    let cases = [(member(7, &[2]), true), (member(7, &[4]), true), (member(7, &[3]), false), (member(7, &[1]), false), (member(7, &[]), false), (member(7, &[3, 4]), true)];
    for (t, want) in cases {
        assert_eq!(allowed(&s, "members.view", &t), want, "{t:?}");
    }
    let d = check(&s, "members.view", &member(7, &[4]), &roles(), &tree(), now());
    assert_eq!(d.visibility, Some(Visibility::Individual));
    assert_eq!(d.reasons, vec![Reason::Role { role: RoleId(1), role_name: "Team manager".into(), scope: RoleScope::Unit, anchor: Some(UnitId(2)), via: vec![UnitId(2), UnitId(4)] }]);
    let no = check(&s, "members.view", &member(7, &[3]), &roles(), &tree(), now());
    assert_eq!(no.reasons, vec![Reason::OutOfScope { role: Some(RoleId(1)), scope: RoleScope::Unit, anchor: Some(UnitId(2)) }]);
}

#[test]
fn own_organization_scopes_and_visibility() {
    let dev = subject(vec![], vec![at(2, Some(3))], vec![]);
    let mine = Target::Item { creator: Some(MembershipId(100)), owner: None, assignees: vec![], unit: Some(UnitId(3)) };
    let theirs = Target::Item { creator: Some(MembershipId(5)), owner: None, assignees: vec![], unit: Some(UnitId(3)) };
    assert!(allowed(&dev, "tournaments.view", &mine));
    assert!(!allowed(&dev, "tournaments.view", &theirs));
    let owned = Target::Item { creator: Some(MembershipId(5)), owner: Some(MembershipId(100)), assignees: vec![], unit: None };
    assert!(allowed(&dev, "tournaments.view", &owned));
    let agg = check(&dev, "metrics.view", &Target::Unit(UnitId(3)), &roles(), &tree(), now());
    assert_eq!((agg.allowed, agg.visibility), (true, Some(Visibility::Aggregate)));
    // Two grants: the widest visibility wins.
    let both = subject(vec![], vec![at(1, Some(2)), at(3, None)], vec![]);
    let d = check(&both, "members.view", &member(7, &[4]), &roles(), &tree(), now());
    assert_eq!((d.allowed, d.reasons.len()), (true, 2));
    assert!(allowed(&both, "members.view", &member(7, &[3])));
    assert!(!allowed(&both, "members.edit", &member(7, &[3])));
}

#[test]
fn withdrawals_beat_roles_but_never_restrict_owners() {
    let w = vec![Adjustment::Withdraw { permission: "members.view".into() }];
    let s = subject(vec![OrgRole::Administrator], vec![at(3, None)], w.clone());
    let d = check(&s, "members.view", &member(7, &[2]), &roles(), &tree(), now());
    assert_eq!((d.allowed, d.reasons.clone()), (false, vec![Reason::Withdrawn]));
    assert!(allowed(&s, "members.edit", &member(7, &[2])), "only the withdrawn permission goes");
    let owner = subject(vec![OrgRole::Owner], vec![], w);
    assert!(allowed(&owner, "members.view", &member(7, &[2])));
    assert!(allowed(&owner, "tournaments.manage", &Target::Organization), "owners see content");
}

#[test]
fn an_addition_with_an_end_stops_granting_at_its_end() {
    let ends = now() + chrono::Duration::hours(1);
    let s = subject(vec![], vec![], vec![Adjustment::Add { permission: "audit.view".into(), scope: Scope::Organization, visibility: Visibility::Individual, ends_at: Some(ends) }]);
    assert!(check(&s, "audit.view", &Target::Organization, &roles(), &tree(), now()).allowed);
    assert!(!check(&s, "audit.view", &Target::Organization, &roles(), &tree(), ends).allowed, "not at its end");
}

#[test]
fn additions_apply_at_their_own_scope() {
    let s = subject(vec![], vec![], vec![Adjustment::Add { permission: "audit.view".into(), scope: Scope::Unit(UnitId(2)), visibility: Visibility::Individual, ends_at: None }]);
    assert!(allowed(&s, "audit.view", &Target::Unit(UnitId(4))));
    assert!(!allowed(&s, "audit.view", &Target::Unit(UnitId(3))));
    assert_eq!(check(&s, "audit.view", &Target::Unit(UnitId(4)), &roles(), &tree(), now()).reasons, vec![Reason::Added(Scope::Unit(UnitId(2)))]);
}

#[test]
fn expired_assignments_and_retired_roles_stop_granting_at_once() {
    let mut a = at(1, Some(2));
    a.ends_at = Some(now());
    let s = subject(vec![], vec![a], vec![]);
    let d = check(&s, "members.view", &member(7, &[2]), &roles(), &tree(), now());
    assert!(!d.allowed);
    assert_eq!(d.reasons, vec![Reason::Expired { role: RoleId(1), role_name: "Team manager".into(), ended: now() }]);
    assert!(check(&s, "members.view", &member(7, &[2]), &roles(), &tree(), now() - Duration::seconds(1)).allowed);
    let retired = subject(vec![], vec![at(4, None)], vec![]);
    assert_eq!(check(&retired, "audit.view", &Target::Organization, &roles(), &tree(), now()).reasons, vec![Reason::NoGrant]);
}

#[test]
fn administrators_hold_admin_permissions_but_no_content_and_not_the_reserved_ones() {
    let admin = subject(vec![OrgRole::Administrator], vec![], vec![]);
    for p in ["members.view", "roles.assign", "audit.view", "settings.edit", "api_keys.generate"] {
        assert!(allowed(&admin, p, &Target::Organization), "{p}");
    }
    let d = check(&admin, "tournaments.view", &Target::Organization, &roles(), &tree(), now());
    assert_eq!((d.allowed, d.reasons.clone()), (false, vec![Reason::AdministratorsSeeNoContent]));
    for p in ["licenses.buy", "compliance.anonymize"] {
        assert!(!allowed(&admin, p, &Target::Organization), "{p} is reserved");
    }
    assert!(allowed(&subject(vec![OrgRole::PaymentUser], vec![], vec![]), "licenses.buy", &Target::Organization));
    assert!(allowed(&subject(vec![OrgRole::AuthorizedBuyer], vec![], vec![]), "licenses.buy", &Target::Organization));
    assert!(allowed(&subject(vec![OrgRole::ComplianceManager], vec![], vec![]), "compliance.anonymize", &member(7, &[])));
    assert!(!allowed(&subject(vec![OrgRole::ComplianceManager], vec![], vec![]), "members.edit", &member(7, &[])));
    assert!(!allowed(&subject(vec![], vec![], vec![]), "members.view", &member(100, &[])), "no grant, not even for oneself");
}

#[test]
fn who_can_lists_exactly_the_allowed_members() {
    let manager = Subject { membership: MembershipId(1), ..subject(vec![], vec![at(1, Some(2))], vec![]) };
    let other_manager = Subject { membership: MembershipId(2), ..subject(vec![], vec![at(1, Some(3))], vec![]) };
    let admin = Subject { membership: MembershipId(3), ..subject(vec![OrgRole::Administrator], vec![], vec![]) };
    let withdrawn = Subject { membership: MembershipId(4), ..subject(vec![OrgRole::Administrator], vec![], vec![Adjustment::Withdraw { permission: "members.edit".into() }]) };
    let all = [manager, other_manager, admin, withdrawn];
    let who: Vec<MembershipId> = who_can(&all, "members.edit", &member(9, &[4]), &roles(), &tree(), now()).into_iter().map(|(s, _)| s.membership).collect();
    assert_eq!(who, vec![MembershipId(1), MembershipId(3)]);
    let content: Vec<MembershipId> = who_can(&all, "tournaments.manage", &Target::Unit(UnitId(4)), &roles(), &tree(), now()).into_iter().map(|(s, _)| s.membership).collect();
    assert_eq!(content, vec![MembershipId(1)], "administrators see no content");
}

#[test]
fn effective_permissions_agree_with_check() {
    let mut expired = at(3, None);
    expired.ends_at = Some(now() - Duration::days(1));
    let s = subject(
        vec![OrgRole::ComplianceManager],
        vec![at(1, Some(2)), expired],
        vec![Adjustment::Withdraw { permission: "members.edit".into() }, Adjustment::Add { permission: "audit.view".into(), scope: Scope::Organization, visibility: Visibility::Aggregate, ends_at: None }],
    );
    let eff = effective(&s, &roles(), &[], now());
    let perms: Vec<(&str, Scope)> = eff.iter().map(|e| (e.permission.as_str(), e.scope)).collect();
    assert_eq!(
        perms,
        vec![
            ("audit.view", Scope::Organization),
            ("compliance.anonymize", Scope::Organization),
            ("compliance.view_links", Scope::Organization),
            ("members.view", Scope::Unit(UnitId(2))),
            ("tournaments.manage", Scope::Unit(UnitId(2))),
        ]
    );
    for e in &eff {
        let t = match e.scope {
            Scope::Unit(u) => Target::Unit(u),
            _ => Target::Organization,
        };
        assert!(check(&s, &e.permission, &t, &roles(), &tree(), now()).allowed, "{e:?}");
    }
    let owner = effective(&subject(vec![OrgRole::Owner], vec![], vec![]), &roles(), &["tournaments.view".into()], now());
    assert_eq!(owner.len(), catalog::ADMIN_PERMISSIONS.len() + 1);
}

#[test]
fn no_escalation_for_adjustments_and_role_edits() {
    use super::escalation::{may_adjust, may_edit_role, Refusal};
    // A team manager (role 1: members.view/edit at unit 2) who may also assign there.
    let mut rs = roles();
    rs.push(Role { id: RoleId(5), name: "Assigner".into(), grants: vec![grant("roles.assign", RoleScope::Unit, Visibility::Individual)], retired: false });
    let tm = subject(vec![], vec![at(1, Some(2)), at(5, Some(2))], vec![]);
    let add = |p: &str, scope: Scope| Adjustment::Add { permission: p.into(), scope, visibility: Visibility::Individual, ends_at: None };
    let ok = |a: &Adjustment, target: i64, units: &[i64]| may_adjust(&tm, MembershipId(target), &units.iter().map(|u| UnitId(*u)).collect::<Vec<_>>(), a, &rs, &tree(), now());
    assert_eq!(ok(&add("members.view", Scope::Unit(UnitId(4))), 7, &[4]), Ok(()), "held at that scope");
    assert_eq!(ok(&add("tournaments.view", Scope::Unit(UnitId(4))), 7, &[4]), Ok(()), "content is handed out by whoever assigns there");
    assert_eq!(ok(&add("audit.view", Scope::Unit(UnitId(4))), 7, &[4]), Err(Refusal::WouldEscalate { permission: "audit.view".into(), at: Scope::Unit(UnitId(4)) }));
    assert_eq!(ok(&add("members.view", Scope::Organization), 7, &[4]), Err(Refusal::Missing { permission: "roles.assign".into(), at: Scope::Organization }));
    assert_eq!(ok(&add("members.view", Scope::Unit(UnitId(3))), 7, &[3]), Err(Refusal::Missing { permission: "roles.assign".into(), at: Scope::Unit(UnitId(3)) }));
    assert_eq!(ok(&Adjustment::Withdraw { permission: "members.view".into() }, 7, &[4]), Ok(()));
    assert_eq!(ok(&Adjustment::Withdraw { permission: "members.view".into() }, 7, &[3]), Err(Refusal::Missing { permission: "roles.assign".into(), at: Scope::Own }));
    assert_eq!(ok(&add("members.view", Scope::Unit(UnitId(2))), 100, &[2]), Err(Refusal::OwnAccess), "never one's own");
    // Visibility counts: aggregate-only holders cannot hand out individual visibility.
    let agg = subject(vec![], vec![at(5, Some(2)), at(2, Some(2))], vec![]);
    let metrics = Adjustment::Add { permission: "audit.view".into(), scope: Scope::Unit(UnitId(2)), visibility: Visibility::Individual, ends_at: None };
    assert!(may_adjust(&agg, MembershipId(7), &[UnitId(2)], &metrics, &rs, &tree(), now()).is_err());

    // Role edits: an administrator holds every unreserved admin permission organization-wide.
    let admin = subject(vec![OrgRole::Administrator], vec![], vec![]);
    let before = vec![grant("members.view", RoleScope::Unit, Visibility::Individual)];
    let after = vec![grant("members.view", RoleScope::Organization, Visibility::Individual), grant("tournaments.view", RoleScope::Unit, Visibility::Individual)];
    assert_eq!(may_edit_role(&admin, &before, &after, &rs, &tree(), now()), Ok(()));
    let with_reserved = vec![grant("compliance.anonymize", RoleScope::Organization, Visibility::Individual)];
    assert_eq!(
        may_edit_role(&admin, &before, &with_reserved, &rs, &tree(), now()),
        Err(Refusal::WouldEscalate { permission: "compliance.anonymize".into(), at: Scope::Organization })
    );
    assert!(matches!(may_edit_role(&tm, &before, &before, &rs, &tree(), now()), Err(Refusal::Missing { .. })), "roles.edit needed");
    // Keeping what is already there is no escalation, even for someone who does not hold it.
    let editor = subject(vec![], vec![], vec![Adjustment::Add { permission: "roles.edit".into(), scope: Scope::Organization, visibility: Visibility::Individual, ends_at: None }]);
    assert_eq!(may_edit_role(&editor, &with_reserved, &with_reserved, &rs, &tree(), now()), Ok(()));
    assert!(may_edit_role(&editor, &[], &with_reserved, &rs, &tree(), now()).is_err());
}

#[test]
fn the_adjust_form_reads_as_an_adjustment() {
    let perm = || "members.view".to_string();
    assert_eq!(Adjustment::from_form("withdraw", perm(), "unit", "", ""), Ok(Adjustment::Withdraw { permission: perm() }));
    assert_eq!(
        Adjustment::from_form("add", perm(), "unit", " 7 ", "aggregate"),
        Ok(Adjustment::Add { permission: perm(), scope: Scope::Unit(UnitId(7)), visibility: Visibility::Aggregate, ends_at: None })
    );
    assert_eq!(
        Adjustment::from_form("add", perm(), "own", "", ""),
        Ok(Adjustment::Add { permission: perm(), scope: Scope::Own, visibility: Visibility::Individual, ends_at: None })
    );
    assert!(Adjustment::from_form("add", perm(), "unit", "sales", "").is_err(), "a unit is named by its id");
}
