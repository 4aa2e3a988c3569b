//! Digests on SQLite and PostgreSQL: the administrators' side and whoever a role grants
//! `digests.receive` get the organization's digest at its default frequency once the period is
//! over — once, even when two instances sweep at the same moment; a team manager sets up a
//! weekly digest of their team (its figures only); a choice sends nothing about the past; an
//! unsubscribe link turns one digest off; whoever may not is refused.
use chrono::{TimeZone, Utc};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{authz, both, digests, members, roles, seed, units, users, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::{RoleGrant, RoleScope, Visibility};
use gatehouse_domain::digests::Frequency;
use gatehouse_domain::ids::{MembershipId, UserId};
use gatehouse_domain::member::MemberKind;
use gatehouse_domain::org_role::OrgRole;

fn at(m: u32, d: u32, h: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, h, 0, 0).unwrap()
}

const URL: &str = "https://gatehouse.example";

both!(digests_go_out_once_per_period_to_whom_they_concern, |t: &TestDb| {
    let start = at(10, 15, 9);
    let (org, owner) = t.db.tx(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "o@acme.test", "Olga Owner", None, "default", start)).unwrap();
    let actor = Actor::System;
    let person = |c: &mut gatehouse_db::Conn<'_>, email: &str, unit: &[gatehouse_domain::ids::UnitId], when| -> Result<MembershipId, DbError> {
        let u = users::create(c, &users::NewUser { email, display_name: email, locale: Default::default(), password_hash: None, is_system: false }, actor, when)?;
        members::add(c, &members::NewMember::active(org.id, u, MemberKind::Employee, unit), actor, when)
    };
    let (sales, ops, admin, reader, lead, plain) = t
        .db
        .tx(|c| {
            let sales = units::create(c, org.id, None, "Sales", "team", actor, start)?;
            let ops = units::create(c, org.id, None, "Ops", "team", actor, start)?;
            let admin = person(c, "admin@acme.test", &[], start)?;
            let reader = person(c, "reader@acme.test", &[], start)?;
            let lead = person(c, "lead@acme.test", &[sales], start)?;
            let plain = person(c, "plain@acme.test", &[sales], start)?;
            members::grant_org_role(c, org.id, admin, OrgRole::Administrator, actor, start)?;
            let receiver = roles::create(c, org.id, "digest-reader", "Digest reader", "", actor, start)?;
            roles::replace_grants(c, org.id, receiver, &[RoleGrant { permission: "digests.receive".into(), scope: RoleScope::Organization, visibility: Visibility::Aggregate }])?;
            roles::insert_assignment(c, org.id, reader, receiver, None, None, actor, start)?;
            let manager = roles::create(c, org.id, "team-manager", "Team manager", "", actor, start)?;
            roles::replace_grants(c, org.id, manager, &[RoleGrant { permission: "digests.setup".into(), scope: RoleScope::Unit, visibility: Visibility::Aggregate }])?;
            roles::insert_assignment(c, org.id, lead, manager, Some(sales), None, actor, start)?;
            authz::bump(c, org.id, None)?;
            Ok::<_, DbError>((sales, ops, admin, reader, lead, plain))
        })
        .unwrap();
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    let me = |m: MembershipId| Actor::User { user: UserId(0), membership: Some(m) };
    let digests_to = |t: &TestDb, email: &str| t.count_where("email_outbox", &format!("template = 'digest' AND to_address = '{email}'"));

    // The default is monthly; nothing is due while October runs, and September ended before.
    assert_eq!(t.db.with(|c| digests::default(c, org.id)).unwrap().0, Frequency::Monthly);
    assert_eq!(t.db.with(|c| digests::send_due(c, URL, at(10, 31, 23))).unwrap(), 0);

    // Refused: setting the default without digests.setup for the organization; a team digest of
    // a unit outside one's reach; the organization's digest for someone who may not receive it.
    let r = t.db.with(|c| digests::set_default(c, org.id, &policy, lead, Frequency::Weekly, me(lead), start));
    assert!(matches!(r, Err(DbError::Denied(_))), "{r:?}");
    let r = t.db.with(|c| digests::choose(c, org.id, &policy, lead, Some(ops), Frequency::Weekly, me(lead), start));
    assert!(matches!(r, Err(DbError::Denied(_))), "{r:?}");
    let r = t.db.with(|c| digests::choose(c, org.id, &policy, plain, None, Frequency::Weekly, me(plain), start));
    assert!(matches!(r, Err(DbError::Denied(_))), "{r:?}");

    // The team manager sets up a weekly digest of Sales on Monday 2 November.
    t.db.with(|c| digests::choose(c, org.id, &policy, lead, Some(sales), Frequency::Weekly, me(lead), at(11, 2, 8))).unwrap();
    let o = t.db.with(|c| digests::overview(c, org.id, &policy, lead, at(11, 2, 8))).unwrap();
    assert_eq!((o.may_receive, o.may_set_default, o.units.len()), (false, false, 1));
    assert_eq!(o.setup_units.iter().map(|u| u.1.as_str()).collect::<Vec<_>>(), vec!["Sales"]);

    // 1 November: October's digest goes to the administrator and the reader, not to the owner,
    // the team manager or a plain member. Two instances sweeping at once send it once.
    let sent: Vec<usize> = std::thread::scope(|s| {
        let a = s.spawn(|| t.db.with(|c| digests::send_due(c, URL, at(11, 2, 9))).unwrap());
        let b = s.spawn(|| t.db.with(|c| digests::send_due(c, URL, at(11, 2, 9))).unwrap());
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    assert_eq!(sent.iter().sum::<usize>(), 2, "{sent:?}");
    assert_eq!(t.db.with(|c| digests::send_due(c, URL, at(11, 3, 9))).unwrap(), 0, "once per period");
    assert_eq!((digests_to(t, "admin@acme.test"), digests_to(t, "reader@acme.test")), (1, 1));
    assert_eq!((digests_to(t, "o@acme.test"), digests_to(t, "lead@acme.test"), digests_to(t, "plain@acme.test")), (0, 0, 0));
    assert_eq!(t.count_where("audit_events", "action = 'digest.sent' AND actor_kind = 'background'"), 2);
    let body = t.db.with(|c| {
        use diesel::prelude::*;
        use gatehouse_db::schema::email_outbox as eo;
        gatehouse_db::on!(c, c => eo::table.filter(eo::to_address.eq("admin@acme.test")).select(eo::body_text).first::<Option<String>>(c)).map_err(DbError::from)
    });
    let body = body.unwrap().unwrap_or_default();
    assert!(body.contains("2026-10-01") && body.contains("2026-10-31"), "{body}");
    assert!(!body.contains("plain@acme.test"), "figures only");

    // Someone joins Sales in the week of 2 November: the weekly team digest of 9 November counts
    // them, and nothing of Ops.
    t.db.tx(|c| person(c, "new@acme.test", &[sales], at(11, 4, 10))).unwrap();
    t.db.tx(|c| person(c, "elsewhere@acme.test", &[ops], at(11, 4, 10))).unwrap();
    assert_eq!(t.db.with(|c| digests::send_due(c, URL, at(11, 9, 0))).unwrap(), 1);
    let f = t.db.with(|c| digests::figures(c, org.id, &policy, Some(sales), at(11, 2, 0), at(11, 9, 0), at(11, 9, 0))).unwrap();
    assert_eq!((f.joined, f.active), (1, 3), "{f:?}");
    let all = t.db.with(|c| digests::figures(c, org.id, &policy, None, at(11, 2, 0), at(11, 9, 0), at(11, 9, 0))).unwrap();
    assert_eq!(all.joined, 2, "{all:?}");
    assert_eq!(digests_to(t, "lead@acme.test"), 1);

    // The reader turns it off; the administrator unsubscribes through the mailed link's target.
    t.db.with(|c| digests::choose(c, org.id, &policy, reader, None, Frequency::Off, me(reader), at(11, 10, 9))).unwrap();
    let target = t.db.with(|c| digests::unsubscribe_target(c, admin.0, 0)).unwrap();
    assert!(!target.done && target.scope.is_none() && target.org_slug == "acme");
    t.db.with(|c| digests::unsubscribe(c, &target, at(11, 10, 9))).unwrap();
    assert!(t.db.with(|c| digests::unsubscribe_target(c, admin.0, 0)).unwrap().done);
    assert_eq!(t.db.with(|c| digests::send_due(c, URL, at(12, 1, 1))).unwrap(), 1, "only the team digest of the week before");
    assert_eq!((digests_to(t, "admin@acme.test"), digests_to(t, "reader@acme.test")), (1, 1), "nothing after unsubscribing");
    assert_eq!(digests_to(t, "lead@acme.test"), 2);
    // The team manager removes their team digest.
    t.db.with(|c| digests::remove(c, org.id, lead, sales, me(lead), at(12, 1, 9))).unwrap();
    assert!(matches!(t.db.with(|c| digests::remove(c, org.id, lead, sales, me(lead), at(12, 1, 9))), Err(DbError::NotFound)));

    // The owner sets a quarterly default: whoever did not choose gets the next quarter's, not
    // the one that already ended.
    t.db.with(|c| digests::choose(c, org.id, &policy, admin, None, Frequency::Quarterly, me(admin), at(12, 2, 9))).unwrap();
    t.db.with(|c| digests::set_default(c, org.id, &policy, owner, Frequency::Quarterly, me(owner), at(12, 2, 9))).unwrap();
    assert_eq!(t.db.with(|c| digests::send_due(c, URL, at(12, 20, 9))).unwrap(), 0);
    assert_eq!(t.count_where("audit_events", "action = 'digest.default_changed'"), 1);

    // Sent now ("downloadable via email"): the period so far, not counted as the period's.
    t.db.with(|c| digests::send_now(c, org.id, &policy, lead, Some(sales), Frequency::Monthly, URL, me(lead), at(12, 20, 9))).unwrap();
    assert_eq!(digests_to(t, "lead@acme.test"), 3, "two weekly digests and the one sent now");
});
