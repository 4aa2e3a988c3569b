//! Access review campaigns on SQLite and PostgreSQL: a plan's campaign freezes who holds what
//! where when it starts (later assignments are not in it), each item goes to the reviewers the
//! rule finds (never the holder), a reviewer keeps or revokes (a revoke ends the assignment, a
//! keep can need a comment), the deadline applies the no-response policy as the background user
//! (escalating first when there is a fallback), and a quarterly plan starts once per quarter even
//! with two sweeps.
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::reviews::{self, PlanInput};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{authz, both, members, roles, seed, units, users, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::{RoleGrant, RoleScope, Visibility};
use gatehouse_domain::ids::{MembershipId, UserId};
use gatehouse_domain::member::MemberKind;
use gatehouse_domain::reviews::{CampaignState, Decision, Interval, ItemState, NoResponse, Population, ReviewerPlan, ReviewerRule, Schedule};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 1, 8, 0, 0).unwrap()
}

both!(a_quarterly_campaign_is_frozen_decided_and_closed, |t: &TestDb| {
    let (org, owner) = t.db.tx(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "o@acme.test", "Olga Owner", None, "default", now())).unwrap();
    let actor = Actor::System;
    // Sales with a manager (roles.assign there) and two sellers; a third seller comes later.
    let (sales, manager, a, b) = t
        .db
        .tx(|c| {
            let sales = units::create(c, org.id, None, "Sales", "team", actor, now())?;
            let person = |c: &mut gatehouse_db::Conn<'_>, email: &str| -> Result<MembershipId, DbError> {
                let u = users::create(c, &users::NewUser { email, display_name: email, locale: Default::default(), password_hash: None, is_system: false }, actor, now())?;
                members::add(c, &members::NewMember::active(org.id, u, MemberKind::Employee, &[sales]), actor, now())
            };
            let (manager, a, b) = (person(c, "m@acme.test")?, person(c, "a@acme.test")?, person(c, "b@acme.test")?);
            let boss = roles::create(c, org.id, "sales-manager", "Sales manager", "", actor, now())?;
            let g = |p: &str| RoleGrant { permission: p.into(), scope: RoleScope::Unit, visibility: Visibility::Individual };
            roles::replace_grants(c, org.id, boss, &[g("roles.assign"), g("members.view")])?;
            roles::insert_assignment(c, org.id, manager, boss, Some(sales), None, actor, now())?;
            let seller = roles::create(c, org.id, "seller", "Seller", "", actor, now())?;
            roles::replace_grants(c, org.id, seller, &[g("members.view")])?;
            roles::insert_assignment(c, org.id, a, seller, Some(sales), None, actor, now())?;
            roles::insert_assignment(c, org.id, b, seller, Some(sales), None, actor, now())?;
            authz::bump(c, org.id, None)?;
            Ok::<_, DbError>((sales, manager, a, b))
        })
        .unwrap();
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    let as_owner = Actor::User { user: UserId(0), membership: Some(owner) };
    let input = PlanInput {
        name: "Sales quarterly".into(),
        population: Population::Units(vec![sales]),
        reviewers: ReviewerPlan { rule: ReviewerRule::UnitManagers, fallback: Some(owner), self_review: false, second_stage: None },
        schedule: Schedule::Every(Interval::Quarterly),
        duration_days: 14,
        keep_needs_comment: true,
        no_response: NoResponse::EscalateThenRevoke,
        escalation_days: 7,
        inactive_days: 30,
        first_start: now(),
    };
    // Only whoever may run reviews makes a plan; a bad duration is refused.
    let as_a = Actor::User { user: UserId(0), membership: Some(a) };
    assert!(matches!(t.db.with(|c| reviews::create_plan(c, org.id, &policy, a, &input, as_a, now())), Err(DbError::Denied(_))));
    let too_long = PlanInput { duration_days: 120, ..input.clone() };
    assert!(matches!(t.db.with(|c| reviews::create_plan(c, org.id, &policy, owner, &too_long, as_owner, now())), Err(DbError::Domain(_))));
    t.db.with(|c| reviews::create_plan(c, org.id, &policy, owner, &input, as_owner, now())).unwrap();

    // Two sweeps at once start one campaign.
    let started = t.db.with(|c| reviews::start_due(c, "https://gatehouse.test", now())).unwrap();
    assert_eq!(started.len(), 1);
    assert!(t.db.with(|c| reviews::start_due(c, "https://gatehouse.test", now() + Duration::minutes(1))).unwrap().is_empty());
    let campaign = started[0];
    // Each reviewer is mailed once, with the number of their items.
    assert_eq!(t.count_where("email_outbox", "template = 'review_assigned'"), 2, "the manager and the owner");
    // A seller who comes after the start is not in it: the population is frozen.
    t.db.tx(|c| {
        let u = users::create(c, &users::NewUser { email: "late@acme.test", display_name: "Late", locale: Default::default(), password_hash: None, is_system: false }, actor, now())?;
        let late = members::add(c, &members::NewMember::active(org.id, u, MemberKind::Employee, &[sales]), actor, now())?;
        let seller = roles::list(c, org.id)?.into_iter().find(|r| r.key == "seller").unwrap().id;
        roles::insert_assignment(c, org.id, late, seller, Some(sales), None, actor, now())
    })
    .unwrap();
    let items = t.db.with(|c| reviews::items(c, org.id, campaign)).unwrap();
    let by_member = |m: MembershipId| items.iter().find(|i| i.member == m).unwrap().clone();
    assert_eq!(items.len(), 3, "the manager's and both sellers' assignments: {items:?}");
    let of_a = by_member(a).reviewers;
    assert!(of_a.contains(&manager) && of_a.contains(&owner) && !of_a.contains(&a), "whoever may assign roles at Sales: {of_a:?}");
    assert_eq!(by_member(manager).reviewers, vec![owner], "never their own reviewer");
    assert!(by_member(a).helpers.never_signed_in, "nobody signed in yet");

    // Decisions: a stranger to the item, a keep without a comment, then a keep and a revoke.
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    let as_manager = Actor::User { user: UserId(0), membership: Some(manager) };
    let item_a = by_member(a).id;
    let item_b = by_member(b).id;
    assert!(matches!(t.db.with(|c| reviews::decide(c, org.id, &policy, b, item_a, Decision::Keep, "ok", as_a, now())), Err(DbError::NotFound)));
    assert!(matches!(t.db.with(|c| reviews::decide(c, org.id, &policy, manager, item_a, Decision::Keep, " ", as_manager, now())), Err(DbError::Domain(_))));
    assert_eq!(t.db.with(|c| reviews::decide(c, org.id, &policy, manager, item_a, Decision::Keep, "still sells", as_manager, now())).unwrap(), ItemState::Final(Decision::Keep));
    let assignments_before = t.count_where("role_assignments", &format!("membership_id = {}", b.0));
    t.db.with(|c| reviews::decide(c, org.id, &policy, manager, item_b, Decision::Revoke, "moved to ops", as_manager, now())).unwrap();
    assert_eq!(t.count_where("role_assignments", &format!("membership_id = {}", b.0)), assignments_before - 1, "the revoke ended the assignment");
    assert!(t.db.with(|c| reviews::decide(c, org.id, &policy, manager, item_b, Decision::Keep, "x", as_manager, now())).is_err(), "decided once");

    // Two days before the deadline the reviewers with open items are reminded, once.
    assert_eq!(t.db.with(|c| reviews::remind_due(c, "https://gatehouse.test", now() + Duration::days(11))).unwrap(), 0, "not yet");
    assert_eq!(t.db.with(|c| reviews::remind_due(c, "https://gatehouse.test", now() + Duration::days(12))).unwrap(), 1, "the owner still has the manager's item");
    assert_eq!(t.db.with(|c| reviews::remind_due(c, "https://gatehouse.test", now() + Duration::days(13))).unwrap(), 0, "once");
    assert_eq!(t.count_where("email_outbox", "template = 'review_reminder'"), 1);

    // The deadline: the owner never answered for the manager's assignment: escalated to the
    // fallback (the owner, who still does not answer), then revoked as the background user.
    assert_eq!(t.db.with(|c| reviews::sweep(c, now() + Duration::days(13))).unwrap(), 0, "before the deadline nothing happens");
    assert_eq!(t.db.with(|c| reviews::sweep(c, now() + Duration::days(14))).unwrap(), 1);
    assert_eq!(t.db.with(|c| reviews::items(c, org.id, campaign)).unwrap().iter().find(|i| i.member == manager).unwrap().state, ItemState::Escalated);
    assert_eq!(t.db.with(|c| reviews::campaign_state(c, org.id, campaign)).unwrap(), CampaignState::Running);
    assert_eq!(t.db.with(|c| reviews::sweep(c, now() + Duration::days(18))).unwrap(), 0, "the escalation runs seven days");
    assert_eq!(t.db.with(|c| reviews::sweep(c, now() + Duration::days(21))).unwrap(), 1);
    assert_eq!(t.db.with(|c| reviews::campaign_state(c, org.id, campaign)).unwrap(), CampaignState::Closed);
    assert!(t.db.with(|c| reviews::running(c, org.id)).unwrap().is_empty(), "closed: not running");
    assert_eq!(t.db.with(|c| reviews::campaigns(c, org.id, None)).unwrap().len(), 1);
    assert_eq!(t.count_where("role_assignments", &format!("membership_id = {}", manager.0)), 0, "revoked as the background user");
    assert_eq!(t.count_where("audit_events", "action = 'role.unassigned' AND actor_kind = 'background'"), 1);
    assert_eq!(t.count_where("audit_events", "action = 'review.deadline_applied' AND actor_kind = 'background'"), 2);
    // Closed: no decision changes it.
    assert!(t.db.with(|c| reviews::decide(c, org.id, &policy, manager, item_a, Decision::Revoke, "", as_manager, now() + Duration::days(22))).is_err());

    // The next quarter's campaign, once.
    assert!(t.db.with(|c| reviews::start_due(c, "https://gatehouse.test", now() + Duration::days(60))).unwrap().is_empty());
    assert_eq!(t.db.with(|c| reviews::start_due(c, "https://gatehouse.test", now() + Duration::days(92))).unwrap().len(), 1);
    // Anonymized: the evidence keeps the item under the pseudonym.
    t.db.with(|c| reviews::redact_member(c, org.id, a, "Former member 7F3A")).unwrap();
    assert!(t.db.with(|c| reviews::items(c, org.id, campaign)).unwrap().iter().any(|i| i.member == a && i.member_name == "Former member 7F3A"));
    // Another organization sees none of it.
    let (beta, _) = t.db.tx(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "o@beta.test", "Otto", None, "default", now())).unwrap();
    assert!(t.db.with(|c| reviews::items(c, beta.id, campaign)).unwrap().is_empty());
});

both!(organization_roles_are_reviewed_by_who_may_appoint_them, |t: &TestDb| {
    use gatehouse_domain::org_role::OrgRole;
    let (org, owner) = t.db.tx(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "o@acme.test", "Olga Owner", None, "default", now())).unwrap();
    let actor = Actor::System;
    let (a, b) = t
        .db
        .tx(|c| {
            let person = |c: &mut gatehouse_db::Conn<'_>, email: &str| -> Result<MembershipId, DbError> {
                let u = users::create(c, &users::NewUser { email, display_name: email, locale: Default::default(), password_hash: None, is_system: false }, actor, now())?;
                members::add(c, &members::NewMember::active(org.id, u, MemberKind::Employee, &[]), actor, now())
            };
            let (a, b) = (person(c, "a@acme.test")?, person(c, "b@acme.test")?);
            members::grant_org_role(c, org.id, a, OrgRole::Administrator, actor, now())?;
            members::grant_org_role(c, org.id, b, OrgRole::Administrator, actor, now())?;
            authz::bump(c, org.id, None)?;
            Ok::<_, DbError>((a, b))
        })
        .unwrap();
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    let input = PlanInput {
        name: "Administrators".into(),
        population: Population::OrgRoles(vec!["administrator".into()]),
        reviewers: ReviewerPlan { rule: ReviewerRule::UnitManagers, fallback: None, self_review: false, second_stage: None },
        schedule: Schedule::Every(Interval::Quarterly),
        duration_days: 14,
        keep_needs_comment: false,
        no_response: NoResponse::Revoke,
        escalation_days: 7,
        inactive_days: 30,
        first_start: now(),
    };
    let as_owner = Actor::User { user: UserId(0), membership: Some(owner) };
    // Ownership is handed over, never reviewed away; an unknown role is refused.
    for bad in [vec!["owner".to_string()], vec!["chief".to_string()], vec![]] {
        let r = t.db.with(|c| reviews::create_plan(c, org.id, &policy, owner, &PlanInput { population: Population::OrgRoles(bad.clone()), ..input.clone() }, as_owner, now()));
        assert!(matches!(r, Err(DbError::Domain(_))), "{bad:?}: {r:?}");
    }
    let plan = t.db.with(|c| reviews::create_plan(c, org.id, &policy, owner, &input, as_owner, now())).unwrap();
    let campaign = t.db.with(|c| reviews::start(c, org.id, plan, now(), "https://gatehouse.example", now())).unwrap().unwrap();
    let items = t.db.with(|c| reviews::items(c, org.id, campaign)).unwrap();
    assert_eq!(items.len(), 2, "the two administrators");
    assert!(items.iter().all(|i| i.org_role.as_deref() == Some("administrator") && i.reviewers == vec![owner]), "reviewed by who may appoint administrators: {items:?}");
    assert_eq!(t.count_where("email_outbox", "template = 'review_assigned' AND to_address = 'o@acme.test'"), 1);
    // The owner revokes a's administrator role through the appointment rules; b's is left open.
    let item_a = items.iter().find(|i| i.member == a).unwrap().id;
    t.db.with(|c| reviews::decide(c, org.id, &policy, owner, item_a, Decision::Revoke, "left the admin team", as_owner, now())).unwrap();
    assert!(!t.db.with(|c| members::org_roles(c, org.id, a)).unwrap().contains(&OrgRole::Administrator));
    assert!(t.db.with(|c| members::org_roles(c, org.id, b)).unwrap().contains(&OrgRole::Administrator));
    // At the deadline the background user revokes what nobody answered.
    t.db.with(|c| reviews::sweep(c, now() + Duration::days(15))).unwrap();
    assert!(!t.db.with(|c| members::org_roles(c, org.id, b)).unwrap().contains(&OrgRole::Administrator), "revoked as the background user");
    assert_eq!(t.db.with(|c| reviews::campaign_state(c, org.id, campaign)).unwrap(), CampaignState::Closed);
    assert_eq!(t.count_where("audit_events", "action = 'org_role.removed' AND actor_kind = 'background'"), 1);
});
