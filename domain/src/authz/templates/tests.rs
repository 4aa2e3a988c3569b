//! One table-driven test per seed, asserting the seed's rules through the engine. The
//! permission-matrix test reads the reading of the seed (a copy of
//! ../shared/seeds/permission-matrix-reading.md) and checks every cell.
use super::*;
use crate::authz::content::{check_item, may_own, ItemOp, OwnerRefusal};
use crate::authz::escalation::{may_assign, Refusal};
use crate::authz::{check, Adjustment, Assignment, Decision, Reason, Scope, Subject, Target};
use crate::ids::{MembershipId, UnitId};
use crate::member::MemberKind;
use crate::org_role::OrgRole;
use crate::units::{UnitNode, UnitTree};
use chrono::{DateTime, TimeZone, Utc};

const ME: MembershipId = MembershipId(100);
const OTHER: MembershipId = MembershipId(200);

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

/// 1 Company ─┬ 2 Team A ── 3 Team A1
///            └ 4 Team B
fn tree() -> UnitTree {
    let n = |id: i64, parent: Option<i64>, name: &str, kind: &str| UnitNode { id: UnitId(id), parent: parent.map(UnitId), name: name.into(), kind: kind.into() };
    UnitTree::new([n(1, None, "Company", "company"), n(2, Some(1), "Team A", "team"), n(3, Some(2), "Team A1", "team"), n(4, Some(1), "Team B", "team")])
}

fn holder(t: &Template, role_key: &str, anchor: Option<i64>) -> Subject {
    let idx = t.roles.iter().position(|r| r.key == role_key).unwrap_or_else(|| panic!("{role_key} in {}", t.key));
    Subject {
        membership: ME,
        org_roles: vec![],
        assignments: vec![Assignment { role: crate::ids::RoleId(idx as i64 + 1), anchor: anchor.map(UnitId), ends_at: None }],
        adjustments: vec![],
    }
}

fn item(creator: MembershipId, owner: Option<MembershipId>, assignees: &[MembershipId], unit: i64) -> Target {
    Target::Item { creator: Some(creator), owner, assignees: assignees.to_vec(), unit: Some(UnitId(unit)) }
}

fn decide(t: &Template, s: &Subject, p: &str, target: &Target) -> Decision {
    check(s, p, target, &t.engine_roles(), &tree(), now())
}

// ---------------------------------------------------------------- permission-matrix

/// Which permission each row of the reading is, and whether it is a personal action (then every
/// "Y" is about oneself).
const ROWS: &[(&str, &str, &str, bool)] = &[
    ("home", "view own dashboard metrics", "home.view_own_dashboard", true),
    ("home", "view team/company overview (last 7 days)", "home.view_overview", false),
    ("home", "overview summary (activation pending, enabled …)", "home.view_summary", false),
    ("home", "view published and expiring courses", "home.view_courses", false),
    ("home", "view all assessments", "home.view_assessments", false),
    ("home", "view all tournaments", "home.view_tournaments", false),
    ("home", "view recently completed assessments", "home.view_completed_assessments", false),
    ("tournaments", "view active tournaments", "tournaments.view", false),
    ("tournaments", "manage tournaments", "tournaments.manage", false),
    ("tournaments", "tournament reporting", "tournaments.report", false),
    ("tournaments", "view tournament leaderboard", "tournaments.view_leaderboard", false),
    ("tournaments", "join / play", "tournaments.play", true),
    ("training", "train via mission control", "training.train", true),
    ("training", "view own training statistics", "training.view_own_stats", true),
    ("training", "view leaderboards", "training.view_leaderboards", false),
    ("courses", "view and participate", "courses.participate", false),
    ("courses", "view courses list", "courses.view_list", false),
    ("courses", "manage courses", "courses.manage", false),
    ("courses", "manage badges", "courses.manage_badges", false),
    ("courses", "view course statistics", "courses.view_statistics", false),
    ("courses", "view courses metrics", "courses.view_metrics", false),
    ("courses", "view course leaderboard", "courses.view_leaderboard", false),
    ("assessments", "manage certificate", "assessments.manage_certificate", false),
    ("assessments", "manage assessment", "assessments.manage", false),
    ("assessments", "view assessments", "assessments.view", false),
    ("assessments", "take a self-assessment", "assessments.take_self", true),
    ("assessments", "view results of invited users external to the team", "assessments.view_external_results", false),
    ("metrics", "view course metrics", "metrics.view_course", false),
    ("metrics", "view training metrics", "metrics.view_training", false),
    ("administration", "view teams", "units.view", false),
    ("administration", "add team (and assign team manager)", "units.manage", false),
    ("administration", "edit team", "units.manage", false),
    ("administration", "delete team", "units.manage", false),
    ("administration", "view users by license", "licenses.view", false),
    ("administration", "invite users", "members.invite", false),
    ("administration", "edit users", "members.edit", false),
    ("administration", "delete users", "members.terminate", false),
    ("administration", "tag users", "members.edit", false),
    ("administration", "move user to a team", "members.move", false),
    ("administration", "edit company preferences", "settings.edit", false),
    ("administration", "edit company properties (basic)", "settings.edit", false),
    ("administration", "view audit log", "audit.view", false),
    ("administration", "set licenses", "licenses.buy", false),
    ("communications", "receive weekly/monthly/quarterly digest", "digests.receive", false),
    ("communications", "set up weekly/monthly/quarterly digest", "digests.setup", false),
    ("communications", "receive personal mail", "communications.receive_personal", true),
    ("communications", "assessment result — author", "communications.assessment_result_author", false),
    ("communications", "activity summary", "communications.activity_summary", false),
    ("communications", "bulk management notification", "communications.bulk_notification", false),
    ("api", "generate the admin and reporting API key", "api_keys.generate", false),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    Nothing,
    Own,
    Team,
    Company,
}

/// What a mark in the reading means for a role column (0 Developer, 1 Team Manager, 2 Company
/// Admin): how far it reaches and with which visibility.
fn meaning(mark: &str, col: usize, personal: bool) -> (Reach, Visibility) {
    let mark = mark.trim();
    let natural = [Reach::Own, Reach::Team, Reach::Company][col];
    let vis = if mark == "A" { Visibility::Aggregate } else { Visibility::Individual };
    let reach = if mark.starts_with('–') || mark.starts_with('-') {
        Reach::Nothing
    } else if personal || mark == "own" || mark == "creator" || mark.starts_with("creator") || mark == "invited" {
        Reach::Own
    } else if mark == "team leaderboard" || mark == "all in team" {
        Reach::Team
    } else if mark.starts_with("Y (external users)") && col == 1 {
        // The team manager sees the results of the people from outside the team whom they
        // invited to their own assessments.
        Reach::Own
    } else {
        natural
    };
    (reach, vis)
}

fn is_admin_column_target(permission: &str) -> bool {
    crate::authz::catalog::is_admin_permission(permission)
}

#[test]
fn permission_matrix_every_cell_of_the_reading() {
    let reading = include_str!("permission-matrix-reading.md");
    let t = by_key("permission-matrix").unwrap();
    let roles = ["developer", "team_manager", "company_admin"];
    let mut seen = 0;
    for line in reading.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| module") && !l.starts_with("|---")) {
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        assert_eq!(cells.len(), 5, "{line}");
        let (module, action) = (cells[0], cells[1]);
        let &(_, _, permission, personal) = ROWS
            .iter()
            .find(|(m, a, _, _)| *m == module && action.starts_with(a))
            .unwrap_or_else(|| panic!("row not mapped: {module} / {action}"));
        let dev = meaning(cells[2], 0, personal);
        for (col, role_key) in roles.iter().enumerate() {
            let (reach, vis) = meaning(cells[2 + col], col, personal);
            // "every role has the Developer's basic permissions" (at the Developer's reach).
            let basic = if col > 0 { dev.0 } else { Reach::Nothing };
            let anchor = if col == 2 { None } else { Some(2) };
            let s = holder(&t, role_key, anchor);
            let admin = is_admin_column_target(permission);
            // Targets: things of the member themself (placed in the other team, so only
            // "own" reaches them), a teammate's thing one unit below the anchor, a thing of the
            // other team.
            let own: Vec<Target> = if admin {
                vec![Target::Member { id: ME, units: vec![UnitId(4)] }]
            } else {
                vec![item(ME, None, &[], 4), item(OTHER, Some(ME), &[], 4), item(OTHER, None, &[ME], 4)]
            };
            let team = if admin { Target::Member { id: OTHER, units: vec![UnitId(3)] } } else { item(OTHER, None, &[], 3) };
            let other = if admin { Target::Member { id: OTHER, units: vec![UnitId(4)] } } else { item(OTHER, None, &[], 4) };
            let ctx = format!("{module} / {action} / {role_key} (mark {:?})", cells[2 + col]);
            for o in &own {
                // The developer's own things sit in the other team here; only an "own" or company
                // reach gets there. A team reach covers the member's own things only in the team.
                let want = matches!(reach, Reach::Own | Reach::Company) || basic == Reach::Own;
                assert_eq!(decide(&t, &s, permission, o).allowed, want, "own thing: {ctx} {o:?}");
            }
            let d = decide(&t, &s, permission, &team);
            assert_eq!(d.allowed, reach >= Reach::Team || basic >= Reach::Team, "teammate's thing: {ctx}");
            if reach >= Reach::Team {
                assert_eq!(d.visibility, Some(vis), "visibility: {ctx}");
            }
            assert_eq!(decide(&t, &s, permission, &other).allowed, reach == Reach::Company, "other team's thing: {ctx}");
            seen += 1;
        }
    }
    assert_eq!(seen, 3 * 50, "every row of the reading, three roles each");
}

#[test]
fn permission_matrix_invitations_follow_no_escalation() {
    let t = by_key("permission-matrix").unwrap();
    let roles = t.engine_roles();
    let tm = holder(&t, "team_manager", Some(2));
    let (dev_role, tm_role, ca_role) = (&roles[0], &roles[1], &roles[2]);
    // "invite users, incl. other team managers": at their own team, yes.
    assert_eq!(may_assign(&tm, OTHER, &[UnitId(3)], tm_role, Some(UnitId(2)), &roles, &tree(), now()), Ok(()));
    assert_eq!(may_assign(&tm, OTHER, &[UnitId(3)], dev_role, Some(UnitId(3)), &roles, &tree(), now()), Ok(()));
    // Not in another team, and never a company admin ("incl. new company admins" is the company admin's).
    assert!(matches!(may_assign(&tm, OTHER, &[UnitId(4)], dev_role, Some(UnitId(4)), &roles, &tree(), now()), Err(Refusal::Missing { .. })));
    assert!(matches!(may_assign(&tm, OTHER, &[UnitId(3)], ca_role, None, &roles, &tree(), now()), Err(Refusal::Missing { .. })));
    assert!(matches!(may_assign(&tm, OTHER, &[UnitId(3)], ca_role, Some(UnitId(2)), &roles, &tree(), now()), Err(Refusal::WouldEscalate { .. })));
    let ca = holder(&t, "company_admin", None);
    assert_eq!(may_assign(&ca, OTHER, &[UnitId(4)], ca_role, None, &roles, &tree(), now()), Ok(()));
    assert_eq!(may_assign(&ca, OTHER, &[UnitId(4)], tm_role, Some(UnitId(4)), &roles, &tree(), now()), Ok(()));
    assert_eq!(may_assign(&ca, ME, &[UnitId(4)], dev_role, None, &roles, &tree(), now()), Err(Refusal::OwnAccess), "not to oneself");
    // Licences are the payment user's and the authorized buyers'.
    let payment = Subject { org_roles: vec![OrgRole::PaymentUser], ..holder(&t, "developer", Some(2)) };
    assert!(decide(&t, &payment, "licenses.buy", &Target::Organization).allowed);
    assert!(!decide(&t, &ca, "licenses.buy", &Target::Organization).allowed);
}

// ---------------------------------------------------------------- users-and-roles-de

#[test]
fn users_and_roles_de_orgadmin_sec_manager_viewer() {
    let t = by_key("users-and-roles-de").unwrap();
    assert!(t.require_mobile_phone, "Telefonnummer erforderlich");
    let org_admin = holder(&t, "org_admin", None);
    let sec = holder(&t, "sec_manager", None);
    let viewer = holder(&t, "viewer", None);
    let theirs = item(OTHER, None, &[], 4);
    // (who, permission, expected)
    let mut rules: Vec<(&Subject, String, bool)> = vec![
        (&org_admin, "members.invite".into(), true),
        (&org_admin, "settings.edit".into(), true),
        (&org_admin, "roles.assign".into(), true),
        (&org_admin, "alerts.create".into(), true),
        (&org_admin, "events.publish_public".into(), true),
        (&sec, "members.invite".into(), false),
        (&sec, "members.view".into(), false),
        (&sec, "roles.view".into(), false),
        (&sec, "settings.edit".into(), false),
        (&sec, "events.publish".into(), true),
        (&sec, "community.contact_users".into(), true),
        (&sec, "events.publish_public".into(), false),
        (&viewer, "analytics.run".into(), true),
        (&viewer, "members.view".into(), false),
        (&viewer, "events.publish".into(), false),
    ];
    for m in users_and_roles_de::ITEM_MODULES {
        for a in ["view", "create", "edit_any", "delete_any", "share", "export"] {
            rules.push((&sec, format!("{m}.{a}"), true));
            rules.push((&viewer, format!("{m}.{a}"), a == "view"));
        }
    }
    for (s, p, want) in rules {
        assert_eq!(decide(&t, s, &p, &theirs).allowed, want, "{p} for {:?}", s.assignments[0].role);
    }
}

#[test]
fn users_and_roles_de_creator_rule_bulk_delete_and_adjustments() {
    let t = by_key("users-and-roles-de").unwrap();
    let roles = t.engine_roles();
    let op = |s: &Subject, op: ItemOp, it: &Target| check_item(s, "alerts", op, it, &roles, &tree(), now());
    let mine = item(ME, None, &[], 4);
    let theirs = item(OTHER, None, &[], 4);
    // A Sec Manager whose edit/delete rights were withdrawn still edits and deletes their own.
    let mut sec = holder(&t, "sec_manager", None);
    sec.adjustments = vec![Adjustment::Withdraw { permission: "alerts.edit_any".into() }, Adjustment::Withdraw { permission: "alerts.delete_any".into() }];
    let d = op(&sec, ItemOp::Edit, &mine);
    assert!(d.allowed);
    assert_eq!(d.reasons, vec![Reason::CreatorRule { create_permission: "alerts.create".into() }]);
    assert!(op(&sec, ItemOp::Delete, &mine).allowed);
    assert!(!op(&sec, ItemOp::Edit, &theirs).allowed, "edit rights reach other people's items");
    // With edit/delete rights: other people's items, but bulk delete/replace stays with the creator.
    let sec = holder(&t, "sec_manager", None);
    assert!(op(&sec, ItemOp::Edit, &theirs).allowed && op(&sec, ItemOp::Delete, &theirs).allowed);
    assert_eq!(op(&sec, ItemOp::BulkDelete, &theirs).reasons, vec![Reason::BulkLimitedToCreator]);
    assert!(op(&sec, ItemOp::BulkDelete, &mine).allowed);
    let owner = Subject { org_roles: vec![OrgRole::Owner], ..holder(&t, "viewer", None) };
    assert!(!op(&owner, ItemOp::BulkDelete, &theirs).allowed, "even an owner bulk-replaces only their own");
    // A Viewer cannot create, so cannot edit even what they once created.
    let viewer = holder(&t, "viewer", None);
    assert!(op(&viewer, ItemOp::View, &theirs).allowed);
    assert!(!op(&viewer, ItemOp::Edit, &mine).allowed);
    // Per-member adjustments on top of the role: public publishing added, sharing withdrawn.
    let mut adjusted = holder(&t, "sec_manager", None);
    adjusted.adjustments = vec![
        Adjustment::Add { permission: "events.publish_public".into(), scope: Scope::Organization, visibility: Visibility::Individual, ends_at: None },
        Adjustment::Withdraw { permission: "alerts.share".into() },
    ];
    assert_eq!(decide(&t, &adjusted, "events.publish_public", &theirs).reasons, vec![Reason::Added(Scope::Organization)]);
    assert_eq!(decide(&t, &adjusted, "alerts.share", &theirs).reasons, vec![Reason::Withdrawn]);
}

// ---------------------------------------------------------------- user-levels

#[test]
fn user_levels_admin_team_contributor_employee() {
    let t = by_key("user-levels").unwrap();
    let admin = holder(&t, "admin", None);
    let team = holder(&t, "team", None);
    let contributor = holder(&t, "contributor", None);
    let employee = holder(&t, "employee", None);
    let anywhere = item(OTHER, None, &[], 4);
    let cases: &[(&Subject, &str, [bool; 4])] = &[
        // permission: admin, team, contributor, employee
        (&admin, "dashboard.open", [true, true, false, false]),
        (&admin, "taskbook.open", [true, true, true, false]),
        (&admin, "guidebook.open", [true, true, true, true]),
        (&admin, "taskbook.edit_any", [true, true, false, false]),
        (&admin, "guidebook.edit_any", [true, true, false, false]),
        (&admin, "settings.edit", [true, false, false, false]),
        (&admin, "members.invite", [true, false, false, false]),
        (&admin, "frameworks.select", [true, false, false, false]),
        (&admin, "access_requests.decide", [true, false, false, false]),
    ];
    for (_, p, want) in cases {
        for (s, w) in [&admin, &team, &contributor, &employee].into_iter().zip(want) {
            assert_eq!(decide(&t, s, p, &anywhere).allowed, *w, "{p} for role {:?}", s.assignments[0].role);
        }
    }
    // Contributors edit the content they own, nothing else; everyone accepts guidelines for themselves.
    let owned = item(OTHER, Some(ME), &[], 4);
    let roles = t.engine_roles();
    assert!(check_item(&contributor, "taskbook", ItemOp::Edit, &owned, &roles, &tree(), now()).allowed);
    assert!(!check_item(&contributor, "taskbook", ItemOp::Edit, &anywhere, &roles, &tree(), now()).allowed);
    assert!(decide(&t, &employee, "guidebook.accept", &Target::Member { id: ME, units: vec![] }).allowed);
    assert!(!decide(&t, &employee, "guidebook.accept", &Target::Member { id: OTHER, units: vec![] }).allowed);
}

#[test]
fn user_levels_who_may_own_items() {
    let t = by_key("user-levels").unwrap();
    let roles = t.engine_roles();
    let taskbook = t.modules.iter().find(|m| m.key == "taskbook").unwrap();
    let task = item(OTHER, None, &[], 4);
    let own = |s: &Subject, kind| may_own(s, kind, taskbook, &task, &roles, &tree(), now());
    assert_eq!(own(&holder(&t, "contributor", None), MemberKind::Employee), Ok(()), "a contributor can be named owner");
    assert_eq!(own(&holder(&t, "contributor", None), MemberKind::Partner), Ok(()), "partners can own tasks");
    assert_eq!(own(&holder(&t, "employee", None), MemberKind::Employee), Err(OwnerRefusal::NotPermitted { permission: "taskbook.own".into() }));
    assert_eq!(own(&holder(&t, "team", None), MemberKind::Auditor), Err(OwnerRefusal::Kind(MemberKind::Auditor)));
    assert_eq!(own(&holder(&t, "team", None), MemberKind::External), Err(OwnerRefusal::Kind(MemberKind::External)));
    assert!(!MemberKind::Auditor.counted_in_statistics() && MemberKind::Partner.counted_in_statistics());
    // Employees may ask for more; the admin level is not requestable.
    let requestable: Vec<&str> = t.roles.iter().filter(|r| r.requestable).map(|r| r.key).collect();
    assert_eq!(requestable, vec!["team", "contributor"]);
}

// ---------------------------------------------------------------- isms

#[test]
fn isms_team_division_and_company_users_manage_their_units() {
    // 1 Company ─┬ 2 Division ── 3 Team      and a second company 4 with its team 5
    let n = |id: i64, parent: Option<i64>, kind: &str| UnitNode { id: UnitId(id), parent: parent.map(UnitId), name: format!("{kind} {id}"), kind: kind.into() };
    let tree = UnitTree::new([n(1, None, "company"), n(2, Some(1), "division"), n(3, Some(2), "team"), n(4, None, "company"), n(5, Some(4), "team")]);
    let t = by_key("isms").unwrap();
    let roles = t.engine_roles();
    let in_unit = |u: i64| Target::Member { id: OTHER, units: vec![UnitId(u)] };
    let can = |s: &Subject, p: &str, u: i64| check(s, p, &in_unit(u), &roles, &tree, now()).allowed;
    let team_user = holder(&t, "team_user", Some(3));
    let division_user = holder(&t, "division_user", Some(2));
    let company_user = holder(&t, "company_user", Some(1));
    for p in ["members.view", "members.invite", "members.edit", "feedback.use", "feedback.manage", "feedback.view_results"] {
        assert_eq!([can(&team_user, p, 3), can(&team_user, p, 2), can(&team_user, p, 5)], [true, false, false], "{p} team user");
        assert_eq!([can(&division_user, p, 3), can(&division_user, p, 1), can(&division_user, p, 5)], [true, false, false], "{p} division user");
        assert_eq!([can(&company_user, p, 3), can(&company_user, p, 1), can(&company_user, p, 5)], [true, true, false], "{p} company user");
    }
    // Assigned to several teams: manages each of them.
    let mut two = holder(&t, "team_user", Some(3));
    two.assignments.push(Assignment { anchor: Some(UnitId(5)), ..two.assignments[0].clone() });
    assert!(can(&two, "members.edit", 3) && can(&two, "members.edit", 5) && !can(&two, "members.edit", 2));
    // Feedback results are aggregate only.
    assert_eq!(check(&team_user, "feedback.view_results", &in_unit(3), &roles, &tree, now()).visibility, Some(Visibility::Aggregate));
    let kinds: Vec<Option<&str>> = t.roles.iter().map(|r| r.anchor_kind).collect();
    assert_eq!(kinds, vec![Some("team"), Some("division"), Some("company")]);
}

// ---------------------------------------------------------------- organization-roles

#[test]
fn organization_roles_owners_see_everything_administrators_no_teamrooms() {
    let t = by_key("organization-roles").unwrap();
    let with = |r: OrgRole| Subject { membership: ME, org_roles: vec![r], assignments: vec![], adjustments: vec![] };
    let room = item(OTHER, None, &[], 4);
    // (org role, permission, expected)
    let cases = [
        (OrgRole::Owner, "teamrooms.open", true),
        (OrgRole::CoOwner, "teamrooms.open", true),
        (OrgRole::Owner, "licenses.buy", true),
        (OrgRole::Administrator, "teamrooms.open", false),
        (OrgRole::MainAdministrator, "teamrooms.open", false),
        (OrgRole::Administrator, "members.edit", true),
        (OrgRole::Administrator, "settings.edit", true),
        (OrgRole::Administrator, "licenses.buy", false),
        (OrgRole::Administrator, "compliance.anonymize", false),
        (OrgRole::PaymentUser, "licenses.buy", true),
        (OrgRole::AuthorizedBuyer, "licenses.buy", true),
        (OrgRole::PaymentUser, "members.edit", false),
        (OrgRole::ComplianceManager, "compliance.anonymize", true),
        (OrgRole::ComplianceManager, "compliance.view_links", true),
        (OrgRole::ComplianceManager, "teamrooms.open", false),
        (OrgRole::SupportTeam, "support.handle", true),
        (OrgRole::SupportTeam, "members.view", false),
        (OrgRole::Administrator, "support.handle", false),
        (OrgRole::MainOwner, "members.view", false),
    ];
    for (r, p, want) in cases {
        let d = decide(&t, &with(r), p, &room);
        assert_eq!(d.allowed, want, "{r:?} {p}");
    }
    let admin_no = decide(&t, &with(OrgRole::Administrator), "teamrooms.open", &room);
    assert_eq!(admin_no.reasons, vec![Reason::AdministratorsSeeNoContent]);
    let member = holder(&t, "teamroom_member", Some(2));
    assert!(decide(&t, &member, "teamrooms.open", &item(OTHER, None, &[], 3)).allowed);
    assert!(!decide(&t, &member, "teamrooms.open", &room).allowed);
}

// ---------------------------------------------------------------- every template

#[test]
fn templates_are_well_formed() {
    let all = all();
    assert_eq!(all.iter().map(|t| t.key).collect::<Vec<_>>(), KEYS.to_vec());
    for t in &all {
        let declared = t.content_permissions();
        for r in &t.roles {
            assert!(!r.grants.is_empty(), "{} / {}", t.key, r.key);
            for g in &r.grants {
                assert!(
                    crate::authz::catalog::is_admin_permission(&g.permission) || declared.contains(&g.permission),
                    "{} / {}: {} is neither an admin permission nor declared",
                    t.key,
                    r.key,
                    g.permission
                );
            }
        }
        for m in &t.modules {
            assert!(crate::authz::content::valid_key(&m.key) && !m.en.is_empty() && !m.de.is_empty(), "{}", m.key);
            for a in &m.actions {
                assert!(crate::authz::content::valid_key(&a.key) && a.en != a.de || a.en == a.de && !a.en.is_empty(), "{}.{}", m.key, a.key);
            }
            assert!(!crate::authz::catalog::ADMIN_PERMISSIONS.iter().any(|p| p.key.split('.').next() == Some(m.key.as_str())), "module {} shadows an admin area", m.key);
        }
        let mut keys: Vec<&str> = t.roles.iter().map(|r| r.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), t.roles.len(), "{}", t.key);
    }
}
