//! Support sessions on SQLite and PostgreSQL: an administrator for a bounded time and nothing
//! more; nothing can be given to the support membership; ending is once only and takes the
//! administrator role away; switching support access off ends every session at once.
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::support::{self, EndReason};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{authz, both, roles, seed, sessions, staff, Conflict, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::{Adjustment, Scope, Visibility};
use gatehouse_domain::org_role::{Change, OrgRole};
use gatehouse_domain::staff::StaffRole;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap()
}

both!(a_support_session_is_an_administrator_for_a_while_and_nothing_more, |t: &TestDb| {
    let (org, owner) = t.db.tx(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "olga@acme.test", "Olga Owner", None, "permission-matrix", now())).unwrap();
    let (cara_user, cara) = t.db.with(|c| staff::ensure(c, "cara@ops.test", "Cara Success", StaffRole::CustomerSuccess, None, now())).unwrap();
    let (token, _) = t.db.with(|c| sessions::create(c, cara_user, now())).unwrap();

    // Bad input: nothing written.
    for (reason, minutes) in [("", 30), ("ok reason", 0), ("ok reason", 61)] {
        assert!(matches!(t.db.with(|c| support::start(c, org.id, cara, &token, reason, minutes, "http://x", now())), Err(DbError::Domain(_))), "{reason:?} {minutes}");
    }
    assert_eq!(t.count("support_sessions"), 0);

    let live = t.db.with(|c| support::start(c, org.id, cara, &token, "Ticket 4711", 30, "http://x", now())).unwrap();
    assert_eq!(live.expires_at, now() + Duration::minutes(30));
    assert_eq!(live.staff_name, "Cara Success");
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    assert_eq!(policy.subject(live.membership).org_roles, vec![OrgRole::Administrator], "an administrator and nothing else");
    assert!(policy.subject(live.membership).assignments.is_empty());
    assert_eq!(t.count_where("email_outbox", "subject LIKE '%Cara Success (Gatehouse support)%'"), 1, "the owner is mailed");
    assert_eq!(t.count_where("audit_events", "action = 'support.started' AND actor_kind = 'staff_as_user'"), 1);
    assert_eq!(t.db.with(|c| gatehouse_db::members::count(c, org.id)).unwrap(), 1, "never counted as a member");
    // The browser session points to it; in force until its limit only.
    let s = t.db.with(|c| sessions::load(c, &token)).unwrap().unwrap();
    assert_eq!(t.db.with(|c| support::of_session(c, s.support_session, now() + Duration::minutes(29))).unwrap().map(|l| l.id), Some(live.id));
    assert!(t.db.with(|c| support::of_session(c, s.support_session, now() + Duration::minutes(30))).unwrap().is_none(), "not a second past its limit");

    // Nothing can be given to it: no role, no adjustment, no other organization role.
    let role = t.db.with(|c| roles::list(c, org.id)).unwrap()[0].id;
    assert!(matches!(t.db.with(|c| roles::assign(c, org.id, &policy, owner, live.membership, role, None, None, Actor::System, now())), Err(DbError::Conflict(Conflict::SupportMembership))));
    let add = Adjustment::Add { permission: "audit.view".into(), scope: Scope::Organization, visibility: Visibility::Individual, ends_at: None };
    assert!(matches!(t.db.with(|c| authz::adjust(c, org.id, &policy, owner, live.membership, &add, "", Actor::System, now())), Err(DbError::Conflict(Conflict::SupportMembership))));
    let owner_role = t.db.with(|c| gatehouse_db::members::change_org_role(c, org.id, policy.version, owner, live.membership, OrgRole::Owner, Change::Appoint, Actor::System, now()));
    assert!(matches!(owner_role, Err(DbError::Conflict(Conflict::SupportMembership))), "{owner_role:?}");

    // The sweep ends it once, at its limit, and the administrator role goes with it.
    assert_eq!(t.db.with(|c| support::end_due(c, now() + Duration::minutes(29))).unwrap(), 0);
    assert_eq!(t.db.with(|c| support::end_due(c, now() + Duration::minutes(30))).unwrap(), 1);
    assert_eq!(t.db.with(|c| support::end_due(c, now() + Duration::minutes(31))).unwrap(), 0, "once");
    assert!(!t.db.with(|c| support::end(c, live.id, EndReason::ByStaff, Actor::System, now())).unwrap(), "ending twice changes nothing");
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    assert!(policy.subject(live.membership).org_roles.is_empty());
    assert!(t.db.with(|c| sessions::load(c, &token)).unwrap().unwrap().support_session.is_none(), "the browser session acts as the staff member again");

    // Switched off: every session in force ends at once, and none starts.
    let a = t.db.with(|c| support::start(c, org.id, cara, &token, "Ticket 4712", 60, "http://x", now())).unwrap();
    t.db.with(|c| support::set_access(c, org.id, &policy, owner, false, Actor::System, now())).unwrap();
    assert!(t.db.with(|c| support::live(c, a.id, now())).unwrap().is_none());
    assert_eq!(t.count_where("support_sessions", "end_reason = 'switched_off'"), 1);
    assert!(matches!(t.db.with(|c| support::start(c, org.id, cara, &token, "Ticket 4713", 60, "http://x", now())), Err(DbError::Conflict(Conflict::SupportAccessOff))));
    assert_eq!(t.count("support_sessions"), 2, "the refused start left nothing behind");
});
