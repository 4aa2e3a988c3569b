//! Authorization storage and its checked commands, on SQLite and PostgreSQL (`both!`).
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::authz::{self, PolicyCache};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{both, items, members, roles, seed, units, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::escalation::Refusal;
use gatehouse_domain::authz::{Adjustment, Denial, Reason, RoleGrant, RoleScope, Scope, Target, Visibility};
use gatehouse_domain::ids::{MembershipId, OrgId, RoleId, UnitId, UserId};
use gatehouse_domain::member::MemberKind;
use gatehouse_domain::org_role::{AppointRefusal, Change, OrgRole};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

/// An organization on the permission-matrix template: Company ─┬ Team A ── Team A1, └ Team B.
struct Org {
    id: OrgId,
    owner: MembershipId,
    team_a: UnitId,
    team_a1: UnitId,
    team_b: UnitId,
    manager: MembershipId,
    dev_a1: MembershipId,
    dev_b: MembershipId,
    auditor: MembershipId,
}

fn member(t: &TestDb, org: OrgId, email: &str, kind: MemberKind, unit: Option<UnitId>) -> MembershipId {
    t.db.tx(|c| {
        let user = gatehouse_db::users::create(
            c,
            &gatehouse_db::users::NewUser { email, display_name: email, locale: gatehouse_domain::locale::Locale::En, password_hash: None, is_system: false },
            Actor::System,
            now(),
        )?;
        let units: Vec<UnitId> = unit.into_iter().collect();
        members::add(
            c,
            &members::NewMember::active(org, user, kind, &units),
            Actor::System,
            now(),
        )
    })
    .unwrap()
}

fn role_id(t: &TestDb, org: OrgId, key: &str) -> RoleId {
    t.db.with(|c| roles::list(c, org)).unwrap().into_iter().find(|r| r.key == key).unwrap_or_else(|| panic!("role {key}")).id
}

fn setup(t: &TestDb) -> Org {
    let (org, owner) = t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "o@acme.test", "Olga Owner", None, "permission-matrix", now())).unwrap();
    let id = org.id;
    let (company, team_a, team_a1, team_b) = t
        .db
        .tx(|c| {
            let company = units::create(c, id, None, "Company", "company", Actor::System, now())?;
            let a = units::create(c, id, Some(company), "Team A", "team", Actor::System, now())?;
            let a1 = units::create(c, id, Some(a), "Team A1", "team", Actor::System, now())?;
            let b = units::create(c, id, Some(company), "Team B", "team", Actor::System, now())?;
            Ok((company, a, a1, b))
        })
        .unwrap();
    let _ = company;
    let manager = member(t, id, "tm@acme.test", MemberKind::Employee, Some(team_a));
    let dev_a1 = member(t, id, "dev-a1@acme.test", MemberKind::Employee, Some(team_a1));
    let dev_b = member(t, id, "dev-b@acme.test", MemberKind::Employee, Some(team_b));
    let auditor = member(t, id, "aud@acme.test", MemberKind::Auditor, Some(team_a));
    let tm_role = role_id(t, id, "team_manager");
    let dev_role = role_id(t, id, "developer");
    t.db.tx(|c| {
        roles::insert_assignment(c, id, manager, tm_role, Some(team_a), None, Actor::System, now())?;
        roles::insert_assignment(c, id, dev_a1, dev_role, Some(team_a1), None, Actor::System, now())?;
        roles::insert_assignment(c, id, dev_b, dev_role, Some(team_b), None, Actor::System, now())?;
        Ok(())
    })
    .unwrap();
    Org { id, owner, team_a, team_a1, team_b, manager, dev_a1, dev_b, auditor }
}

fn actor(m: MembershipId) -> Actor {
    Actor::User { user: UserId(0), membership: Some(m) }
}

fn in_unit(m: MembershipId, u: UnitId) -> Target {
    Target::Member { id: m, units: vec![u] }
}

both!(templates_are_stored_and_policies_decide_from_the_database, |t: &TestDb| {
    let o = setup(t);
    let cache = PolicyCache::new();
    let p = t.db.with(|c| cache.get(c, o.id)).unwrap();
    assert_eq!(p.roles().len(), 3, "the template's three roles");
    assert!(p.knows("tournaments.manage") && p.knows("members.edit") && !p.knows("tournaments.fly"));
    assert!(p.check(o.manager, "members.edit", &in_unit(o.dev_a1, o.team_a1), now()).allowed);
    assert!(!p.check(o.manager, "members.edit", &in_unit(o.dev_b, o.team_b), now()).allowed);
    assert!(p.check(o.owner, "members.edit", &in_unit(o.dev_b, o.team_b), now()).allowed);
    let who: Vec<MembershipId> = p.who_can("members.edit", &in_unit(o.dev_a1, o.team_a1), now()).into_iter().map(|(m, _)| m).collect();
    assert_eq!(who, vec![o.owner, o.manager]);
    // The snapshot is reused while nothing changes.
    let again = t.db.with(|c| cache.get(c, o.id)).unwrap();
    assert!(std::sync::Arc::ptr_eq(&p, &again));
    // Applying a template on demand keeps what exists and adds the rest.
    let applied = t.db.tx(|c| authz::apply_template(c, o.id, &gatehouse_domain::authz::templates::by_key("user-levels").unwrap(), Actor::System, now())).unwrap();
    assert_eq!(applied.roles_added, vec!["admin", "team", "contributor", "employee"]);
    let twice = t.db.tx(|c| authz::apply_template(c, o.id, &gatehouse_domain::authz::templates::by_key("user-levels").unwrap(), Actor::System, now())).unwrap();
    assert!(twice.roles_added.is_empty() && twice.roles_kept.len() == 4);
});

both!(a_change_reaches_every_instance_at_its_next_request, |t: &TestDb| {
    let o = setup(t);
    // Two server instances: two caches over one database.
    let (a, b) = (PolicyCache::new(), PolicyCache::new());
    let pa = t.db.with(|c| a.get(c, o.id)).unwrap();
    let pb = t.db.with(|c| b.get(c, o.id)).unwrap();
    let target = in_unit(o.dev_b, o.team_b);
    assert!(!pb.check(o.dev_a1, "members.edit", &target, now()).allowed);
    // Instance A assigns the team manager role in team B (the owner decides).
    let tm = role_id(t, o.id, "team_manager");
    let assignment = t.db.with(|c| roles::assign(c, o.id, &pa, o.owner, o.dev_a1, tm, Some(o.team_b), None, actor(o.owner), now())).unwrap();
    let pb = t.db.with(|c| b.get(c, o.id)).unwrap();
    assert!(pb.check(o.dev_a1, "members.edit", &target, now()).allowed, "instance B sees the assignment at once");
    // A decision made on A's outdated snapshot is refused, and nothing is written.
    let stale = t.db.with(|c| roles::assign(c, o.id, &pa, o.owner, o.dev_b, tm, Some(o.team_b), None, actor(o.owner), now()));
    assert!(matches!(stale, Err(DbError::Outdated)), "{stale:?}");
    assert_eq!(t.db.with(|c| roles::assignments_of(c, o.id, o.dev_b, now())).unwrap().len(), 1);
    // Instance B revokes; A sees it at its next request.
    let other = t.db.with(|c| roles::unassign(c, o.id, &pb, o.owner, o.dev_b, assignment, actor(o.owner), now()));
    assert!(matches!(other, Err(DbError::NotFound)), "an assignment is removed only from the member it belongs to: {other:?}");
    t.db.with(|c| roles::unassign(c, o.id, &pb, o.owner, o.dev_a1, assignment, actor(o.owner), now())).unwrap();
    let pa = t.db.with(|c| a.get(c, o.id)).unwrap();
    assert!(!pa.check(o.dev_a1, "members.edit", &target, now()).allowed, "revoked everywhere");
    // A withdrawal through B beats the role on A.
    let pb = t.db.with(|c| b.get(c, o.id)).unwrap();
    t.db.with(|c| authz::adjust(c, o.id, &pb, o.owner, o.manager, &Adjustment::Withdraw { permission: "members.edit".into() }, "on leave", actor(o.owner), now())).unwrap();
    let pa = t.db.with(|c| a.get(c, o.id)).unwrap();
    let d = pa.check(o.manager, "members.edit", &in_unit(o.dev_a1, o.team_a1), now());
    assert_eq!((d.allowed, d.reasons), (false, vec![Reason::Withdrawn]));
});

both!(nobody_escalates_through_any_path_that_grants, |t: &TestDb| {
    let o = setup(t);
    let cache = PolicyCache::new();
    let p = |t: &TestDb| t.db.with(|c| cache.get(c, o.id)).unwrap();
    let ca = role_id(t, o.id, "company_admin");
    let tm = role_id(t, o.id, "team_manager");
    let dev = role_id(t, o.id, "developer");
    let denied = |r: Result<i64, DbError>| match r {
        Err(DbError::Denied(d)) => d,
        other => panic!("expected a refusal, got {other:?}"),
    };
    // Assignments.
    let pol = p(t);
    assert!(matches!(
        denied(t.db.with(|c| roles::assign(c, o.id, &pol, o.manager, o.dev_a1, ca, Some(o.team_a), None, actor(o.manager), now()))),
        Denial::Escalation(Refusal::WouldEscalate { .. })
    ));
    assert_eq!(
        denied(t.db.with(|c| roles::assign(c, o.id, &pol, o.manager, o.manager, tm, Some(o.team_b), None, actor(o.manager), now()))),
        Denial::Escalation(Refusal::OwnAccess)
    );
    assert!(matches!(
        denied(t.db.with(|c| roles::assign(c, o.id, &pol, o.manager, o.dev_b, dev, Some(o.team_b), None, actor(o.manager), now()))),
        Denial::Escalation(Refusal::Missing { .. })
    ));
    // Team managers are meant for teams (the role's unit kind).
    let company = pol.tree.roots()[0];
    assert_eq!(
        denied(t.db.with(|c| roles::assign(c, o.id, &pol, o.owner, o.dev_b, tm, Some(company), None, actor(o.owner), now()))),
        Denial::AnchorKind { expected: "team".into() }
    );
    // Allowed: a team manager makes a teammate team manager of the sub-team, with an end date.
    let ends = now() + Duration::days(30);
    t.db.with(|c| roles::assign(c, o.id, &pol, o.manager, o.dev_a1, tm, Some(o.team_a1), Some(ends), actor(o.manager), now())).unwrap();
    // Adjustments.
    let pol = p(t);
    let add = |perm: &str, scope: Scope| Adjustment::Add { permission: perm.into(), scope, visibility: Visibility::Individual, ends_at: None };
    assert!(matches!(
        denied(t.db.with(|c| authz::adjust(c, o.id, &pol, o.manager, o.dev_a1, &add("audit.view", Scope::Unit(o.team_a)), "", actor(o.manager), now()))),
        Denial::Escalation(Refusal::WouldEscalate { .. })
    ));
    assert_eq!(
        denied(t.db.with(|c| authz::adjust(c, o.id, &pol, o.manager, o.manager, &add("members.move", Scope::Unit(o.team_a)), "", actor(o.manager), now()))),
        Denial::Escalation(Refusal::OwnAccess)
    );
    assert_eq!(
        denied(t.db.with(|c| authz::adjust(c, o.id, &pol, o.owner, o.dev_a1, &add("tournaments.fly", Scope::Organization), "", actor(o.owner), now()))),
        Denial::UnknownPermission("tournaments.fly".into())
    );
    // Content is handed out by whoever assigns there.
    t.db.with(|c| authz::adjust(c, o.id, &pol, o.manager, o.dev_a1, &add("courses.manage", Scope::Unit(o.team_a1)), "course lead", actor(o.manager), now())).unwrap();
    // Role edits and new roles.
    let pol = p(t);
    let grant = |perm: &str| RoleGrant { permission: perm.into(), scope: RoleScope::Organization, visibility: Visibility::Individual };
    let r = t.db.with(|c| roles::create_checked(c, o.id, &pol, o.manager, "helper", "Helper", "", &[grant("members.view")], None, actor(o.manager), now()));
    assert!(matches!(r, Err(DbError::Denied(Denial::Escalation(Refusal::Missing { .. })))), "{r:?}");
    let admin = member(t, o.id, "admin@acme.test", MemberKind::Employee, None);
    t.db.with(|c| members::grant_org_role(c, o.id, admin, OrgRole::Administrator, Actor::System, now())).unwrap();
    let pol = p(t);
    let r = t.db.with(|c| roles::create_checked(c, o.id, &pol, admin, "anonymizer", "Anonymizer", "", &[grant("compliance.anonymize")], None, actor(admin), now()));
    assert!(matches!(r, Err(DbError::Denied(Denial::Escalation(Refusal::WouldEscalate { .. })))), "administrators cannot hand out what the seeds reserve: {r:?}");
    let helper = t.db.with(|c| roles::create_checked(c, o.id, &pol, admin, "helper", "Helper", "", &[grant("members.view"), grant("courses.view_list")], None, actor(admin), now())).unwrap();
    assert_eq!(t.db.with(|c| roles::detail(c, o.id, helper)).unwrap().grants.len(), 2);
    // Nothing refused above left a trace: only the allowed changes are in the audit log.
    let refused_audit = t.db.with(|c| gatehouse_db::audit::recent(c, o.id, 500)).unwrap().into_iter().filter(|e| e.action == "role.assigned" && e.target_id == Some(o.dev_b.0)).count();
    assert_eq!(refused_audit, 1, "only the seed assignment of dev B");
});

both!(role_edits_are_versioned_audited_and_retiring_needs_the_assignments_ended, |t: &TestDb| {
    let o = setup(t);
    let cache = PolicyCache::new();
    let dev = role_id(t, o.id, "developer");
    let before = t.db.with(|c| roles::detail(c, o.id, dev)).unwrap();
    let pol = t.db.with(|c| cache.get(c, o.id)).unwrap();
    let mut edit = roles::RoleEdit { name: "Developer".into(), description: "Plays and trains".into(), requestable: true, grants: before.grants.clone(), expected_version: before.version };
    edit.grants.push(RoleGrant { permission: "courses.view_list".into(), scope: RoleScope::Unit, visibility: Visibility::Individual });
    t.db.with(|c| roles::edit(c, o.id, &pol, o.owner, dev, &edit, actor(o.owner), now())).unwrap();
    let pol = t.db.with(|c| cache.get(c, o.id)).unwrap();
    assert!(pol.check(o.dev_b, "courses.view_list", &Target::Unit(o.team_b), now()).allowed, "a role edit takes effect at once");
    // A second editor who saw the old version is refused with who changed it.
    let stale = t.db.with(|c| roles::edit(c, o.id, &pol, o.owner, dev, &edit, actor(o.owner), now()));
    match stale {
        Err(DbError::Stale { changed_by, .. }) => assert_eq!(changed_by.as_deref(), Some("Olga Owner")),
        other => panic!("{other:?}"),
    }
    let ev = t.db.with(|c| gatehouse_db::audit::recent(c, o.id, 50)).unwrap().into_iter().find(|e| e.action == "role.edited").expect("audited");
    assert!(ev.before.as_deref().unwrap_or_default().contains("Plays, trains") && ev.after.as_deref().unwrap_or_default().contains("courses.view_list"));
    // Retiring a role in use is refused until its assignments are ended with it.
    let r = t.db.with(|c| roles::retire(c, o.id, &pol, o.owner, dev, false, actor(o.owner), now()));
    assert!(matches!(r, Err(DbError::Denied(Denial::RoleInUse { assignments: 2 }))), "{r:?}");
    t.db.with(|c| roles::retire(c, o.id, &pol, o.owner, dev, true, actor(o.owner), now())).unwrap();
    let pol = t.db.with(|c| cache.get(c, o.id)).unwrap();
    assert!(!pol.check(o.dev_b, "tournaments.play", &Target::Item { creator: None, owner: None, assignees: vec![o.dev_b], unit: None }, now()).allowed);
    let kept = t.db.with(|c| roles::assignments_of(c, o.id, o.dev_b, now())).unwrap();
    assert_eq!(kept.len(), 1, "history kept");
    assert!(kept[0].expired && kept[0].role_retired);
});

both!(organization_roles_follow_the_appointment_rules, |t: &TestDb| {
    let o = setup(t);
    let v = |t: &TestDb| t.db.with(|c| authz::version(c, o.id)).unwrap();
    let change = |t: &TestDb, by, target, role, ch| t.db.with(|c| members::change_org_role(c, o.id, v(t), by, target, role, ch, actor(by), now()));
    change(t, o.owner, o.manager, OrgRole::CoOwner, Change::Appoint).unwrap();
    change(t, o.manager, o.dev_a1, OrgRole::PaymentUser, Change::Appoint).unwrap();
    change(t, o.dev_a1, o.dev_b, OrgRole::Administrator, Change::Appoint).unwrap();
    let r = change(t, o.dev_b, o.auditor, OrgRole::ComplianceManager, Change::Appoint);
    assert!(matches!(r, Err(DbError::Denied(Denial::Appointment(AppointRefusal::OnlyBy(_))))), "administrators do not name compliance managers: {r:?}");
    let r = change(t, o.owner, o.owner, OrgRole::Owner, Change::Remove);
    assert!(matches!(r, Err(DbError::Denied(Denial::Appointment(AppointRefusal::OwnerIsHandedOver)))));
    let r = change(t, o.manager, o.manager, OrgRole::CoOwner, Change::Remove);
    assert!(matches!(r, Err(DbError::Denied(Denial::Appointment(AppointRefusal::OwnRoles)))));
    // Hand-over: exactly one owner before and after.
    change(t, o.owner, o.manager, OrgRole::Owner, Change::Appoint).unwrap();
    let holders = t.db.with(|c| members::org_role_holders(c, o.id)).unwrap();
    let owners: Vec<MembershipId> = holders.iter().filter(|h| h.1 == OrgRole::Owner).map(|h| h.0).collect();
    assert_eq!(owners, vec![o.manager]);
    let cache = PolicyCache::new();
    let pol = t.db.with(|c| cache.get(c, o.id)).unwrap();
    assert!(pol.check(o.dev_b, "members.edit", &Target::Organization, now()).allowed, "administrator");
    assert!(!pol.check(o.dev_b, "tournaments.view", &Target::Organization, now()).allowed, "administrators see no content");
    assert!(pol.check(o.dev_a1, "licenses.buy", &Target::Organization, now()).allowed, "payment user");
    // Mail routing follows the holders: owners' side and administrators' side.
    use gatehouse_domain::org_role::Audience;
    let to = |t: &TestDb, a| t.db.with(|c| members::mail_recipients(c, o.id, a)).unwrap().into_iter().map(|r| r.email).collect::<Vec<_>>();
    assert_eq!(to(t, Audience::Owners), vec!["tm@acme.test"], "the new owner (no co-owner left after the hand-over)");
    assert_eq!(to(t, Audience::Administrators), vec!["dev-b@acme.test"]);
    assert_eq!(to(t, Audience::Role(OrgRole::ComplianceManager)), Vec::<String>::new());
    // Someone from outside may hold an organization role (not owner) as "role holder only".
    t.db.tx(|c| {
        gatehouse_db::users::create(
            c,
            &gatehouse_db::users::NewUser { email: "auditor@firm.test", display_name: "Ext Auditor", locale: gatehouse_domain::locale::Locale::En, password_hash: None, is_system: false },
            Actor::System,
            now(),
        )
    })
    .unwrap();
    let before = t.db.with(|c| members::count(c, o.id)).unwrap();
    let by_email = |t: &TestDb, role, ch| t.db.with(|c| members::change_org_role_by_email(c, o.id, v(t), o.manager, "auditor@firm.test", role, ch, actor(o.manager), now()));
    let r = by_email(t, OrgRole::Owner, Change::Appoint);
    assert!(matches!(r, Err(DbError::Denied(Denial::Appointment(AppointRefusal::OwnerMustBeMember)))), "{r:?}");
    by_email(t, OrgRole::ComplianceManager, Change::Appoint).unwrap();
    assert_eq!(t.db.with(|c| members::count(c, o.id)).unwrap(), before, "a role holder only is not counted as a member");
    let holder = t.db.with(|c| members::by_email(c, o.id, "auditor@firm.test")).unwrap().unwrap();
    assert!(t.db.with(|c| members::org_role_holders(c, o.id)).unwrap().contains(&(holder, OrgRole::ComplianceManager)));
    let r = t.db.with(|c| members::change_org_role_by_email(c, o.id, v(t), o.dev_b, "nobody@nowhere.test", OrgRole::SupportTeam, Change::Appoint, actor(o.dev_b), now()));
    assert!(matches!(r, Err(DbError::NotFound)));
});

both!(items_follow_the_creator_and_ownership_rules, |t: &TestDb| {
    let o = setup(t);
    let cache = PolicyCache::new();
    let pol = t.db.with(|c| cache.get(c, o.id)).unwrap();
    // The team manager manages tournaments they created ("creator"); a developer cannot create.
    let r = t.db.with(|c| items::create(c, o.id, &pol, o.dev_a1, "tournaments", "Spring cup", Some(o.team_a1), None, actor(o.dev_a1), now()));
    assert!(matches!(r, Err(DbError::Denied(Denial::NotPermitted { .. }))), "{r:?}");
    // Team managers create tournaments in their teams (the template's reading of "manage: creator").
    // Admins may declare more actions; a declared action is a permission at once.
    let mut module = pol.modules.iter().find(|m| m.key == "tournaments").unwrap().clone();
    module.actions.push(gatehouse_domain::authz::content::ContentAction { key: "archive".into(), en: "Archive tournaments".into(), de: "Turniere archivieren".into(), about_people: false });
    t.db.tx(|c| authz::declare_module(c, o.id, &module, Actor::System, now())).unwrap();
    let pol = t.db.with(|c| cache.get(c, o.id)).unwrap();
    assert!(pol.knows("tournaments.archive"));
    let cup = t.db.with(|c| items::create(c, o.id, &pol, o.manager, "tournaments", "Spring cup", Some(o.team_a1), Some(o.dev_a1), actor(o.manager), now())).unwrap();
    // Auditors never own items.
    let r = t.db.with(|c| items::create(c, o.id, &pol, o.manager, "tournaments", "Audit cup", Some(o.team_a1), Some(o.auditor), actor(o.manager), now()));
    assert!(matches!(r, Err(DbError::Denied(Denial::Owner(_)))), "{r:?}");
    // The creator edits; the owner (a developer, no edit rights) does not; a stale version is refused.
    let item = t.db.with(|c| items::get(c, o.id, cup)).unwrap();
    t.db.with(|c| items::update(c, o.id, &pol, o.manager, cup, "Spring cup 2027", Some(o.dev_a1), item.version, actor(o.manager), now())).unwrap();
    let r = t.db.with(|c| items::update(c, o.id, &pol, o.dev_a1, cup, "Mine now", Some(o.dev_a1), item.version + 1, actor(o.dev_a1), now()));
    assert!(matches!(r, Err(DbError::Denied(_))), "{r:?}");
    let r = t.db.with(|c| items::update(c, o.id, &pol, o.manager, cup, "Again", Some(o.dev_a1), item.version, actor(o.manager), now()));
    assert!(matches!(r, Err(DbError::Stale { .. })), "{r:?}");
    // Administrators see no content; the owner of the organization sees everything.
    let admin = member(t, o.id, "admin@acme.test", MemberKind::Employee, None);
    t.db.with(|c| members::grant_org_role(c, o.id, admin, OrgRole::Administrator, Actor::System, now())).unwrap();
    let pol = t.db.with(|c| cache.get(c, o.id)).unwrap();
    assert!(t.db.with(|c| items::visible(c, o.id, "tournaments", &pol, admin, now())).unwrap().is_empty());
    assert_eq!(t.db.with(|c| items::visible(c, o.id, "tournaments", &pol, o.owner, now())).unwrap().len(), 1);
    assert_eq!(t.db.with(|c| items::visible(c, o.id, "tournaments", &pol, o.dev_b, now())).unwrap().len(), 0, "another team's developer");
    // Bulk delete stays with the creator, even for the organization's owner.
    let r = t.db.with(|c| items::delete(c, o.id, &pol, o.owner, cup, true, actor(o.owner), now()));
    assert!(matches!(r, Err(DbError::Denied(_))), "{r:?}");
    t.db.with(|c| items::delete(c, o.id, &pol, o.manager, cup, true, actor(o.manager), now())).unwrap();
    assert_eq!(t.count("items"), 0);
});
