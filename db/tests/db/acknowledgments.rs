//! Acknowledgments and training on SQLite and PostgreSQL: a yearly training for everyone and a
//! policy for one unit are published (each only by whoever may manage policies there), members
//! do them for themselves, the figures never count auditors, reminders go out a week before and
//! once overdue — each once — and a yearly training comes round again.
use chrono::{TimeZone, Utc};
use gatehouse_db::acknowledgments::{self as ack, PolicyInput};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{authz, both, members, roles, seed, units, users, DbError};
use gatehouse_domain::acknowledgments::{Kind, Recurrence, Standing, DEFAULT_RECURRENCE};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::{RoleGrant, RoleScope, Visibility};
use gatehouse_domain::ids::{MembershipId, UserId};
use gatehouse_domain::member::MemberKind;

fn day(y: i32, m: u32, d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
}

const URL: &str = "https://gatehouse.example";

both!(policies_are_published_done_counted_and_reminded, |t: &TestDb| {
    let start = day(2026, 3, 1);
    let (org, owner) = t.db.tx(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "o@acme.test", "Olga Owner", None, "default", start)).unwrap();
    let actor = Actor::System;
    let person = |c: &mut gatehouse_db::Conn<'_>, email: &str, kind: MemberKind, unit: &[gatehouse_domain::ids::UnitId]| -> Result<MembershipId, DbError> {
        let u = users::create(c, &users::NewUser { email, display_name: email, locale: Default::default(), password_hash: None, is_system: false }, actor, start)?;
        members::add(c, &members::NewMember::active(org.id, u, kind, unit), actor, start)
    };
    let (sales, a, b, auditor, manager) = t
        .db
        .tx(|c| {
            let sales = units::create(c, org.id, None, "Sales", "team", actor, start)?;
            let a = person(c, "a@acme.test", MemberKind::Employee, &[sales])?;
            let b = person(c, "b@acme.test", MemberKind::Employee, &[])?;
            let auditor = person(c, "aud@acme.test", MemberKind::Auditor, &[])?;
            let manager = person(c, "m@acme.test", MemberKind::Employee, &[sales])?;
            let r = roles::create(c, org.id, "policy-keeper", "Policy keeper", "", actor, start)?;
            roles::replace_grants(c, org.id, r, &[RoleGrant { permission: "policies.manage".into(), scope: RoleScope::Unit, visibility: Visibility::Individual }])?;
            roles::insert_assignment(c, org.id, manager, r, Some(sales), None, actor, start)?;
            authz::bump(c, org.id, None)?;
            Ok::<_, DbError>((sales, a, b, auditor, manager))
        })
        .unwrap();
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    let tree = policy.tree.clone();
    let me = |m: MembershipId| Actor::User { user: UserId(0), membership: Some(m) };
    let training = PolicyInput {
        kind: Kind::Training,
        title: "Information security training".into(),
        body: "Complete the yearly training.".into(),
        url: Some("https://learn.example/security".into()),
        recurrence: DEFAULT_RECURRENCE,
        due_days: 30,
        unit: None,
    };
    let guide = PolicyInput { kind: Kind::Policy, title: "Sales guidebook".into(), body: "Read the instructions.".into(), url: None, recurrence: Recurrence::Once, due_days: 14, unit: Some(sales) };

    // Refused: the unit's keeper for the whole organization; a day count of zero; a bad address.
    let r = t.db.with(|c| ack::publish(c, org.id, &policy, manager, &training, me(manager), start));
    assert!(matches!(r, Err(DbError::Denied(_))), "{r:?}");
    let r = t.db.with(|c| ack::publish(c, org.id, &policy, owner, &PolicyInput { due_days: 0, ..training.clone() }, me(owner), start));
    assert!(matches!(r, Err(DbError::Domain(_))), "{r:?}");
    let r = t.db.with(|c| ack::publish(c, org.id, &policy, owner, &PolicyInput { url: Some("javascript:alert(1)".into()), ..training.clone() }, me(owner), start));
    assert!(matches!(r, Err(DbError::Domain(_))), "{r:?}");
    assert_eq!(t.count("policies"), 0);

    let tr = t.db.with(|c| ack::publish(c, org.id, &policy, owner, &training, me(owner), start)).unwrap();
    let gd = t.db.with(|c| ack::publish(c, org.id, &policy, manager, &guide, me(manager), start)).unwrap();
    assert_eq!(t.count_where("audit_events", "action = 'policy.published'"), 2);

    // Who is asked what: b is not in Sales; the auditor is asked but never counted.
    assert_eq!(t.db.with(|c| ack::mine(c, org.id, &tree, b, day(2026, 3, 5))).unwrap().len(), 1);
    assert_eq!(t.db.with(|c| ack::mine(c, org.id, &tree, a, day(2026, 3, 5))).unwrap().len(), 2);
    assert!(matches!(t.db.with(|c| ack::acknowledge(c, org.id, &tree, b, gd, me(b), day(2026, 3, 5))), Err(DbError::NotFound)), "not asked of b");
    t.db.with(|c| ack::acknowledge(c, org.id, &tree, a, tr, me(a), day(2026, 3, 10))).unwrap();
    t.db.with(|c| ack::acknowledge(c, org.id, &tree, a, tr, me(a), day(2026, 3, 11))).unwrap();
    t.db.with(|c| ack::acknowledge(c, org.id, &tree, auditor, tr, me(auditor), day(2026, 3, 11))).unwrap();
    assert_eq!(t.count("policy_acceptances"), 2, "doing it again while done changes nothing");
    let figures = t.db.with(|c| ack::figures(c, org.id, &tree, day(2026, 3, 12))).unwrap();
    let f = |id: i64| figures.iter().find(|(r, _)| r.id == id).unwrap().1;
    // Training: the owner, a, b and the manager are counted (not the auditor, who did it).
    assert_eq!((f(tr).asked, f(tr).done, f(tr).due), (4, 1, 3));
    assert_eq!((f(gd).asked, f(gd).done), (2, 0));

    // 25 March: the training is due within the week, the guidebook overdue since 15 March.
    let n = t.db.with(|c| ack::remind_due(c, URL, day(2026, 3, 25))).unwrap();
    assert_eq!(n, 3 + 2, "owner, b, manager for the training; a and the manager for the guidebook");
    assert_eq!(t.count_where("email_outbox", "template = 'policy_reminder'"), 5);
    assert_eq!(t.db.with(|c| ack::remind_due(c, URL, day(2026, 3, 25) + chrono::Duration::minutes(1))).unwrap(), 0, "looked at once an hour");
    assert_eq!(t.db.with(|c| ack::remind_due(c, URL, day(2026, 3, 26))).unwrap(), 0, "each reminder once");
    assert_eq!(t.count_where("audit_events", "action = 'policy.reminded' AND actor_kind = 'background'"), 5);

    // The keeper of Sales retires the guidebook but not the organization's training.
    assert!(matches!(t.db.with(|c| ack::retire(c, org.id, &policy, manager, tr, me(manager), day(2026, 4, 1))), Err(DbError::Denied(_))));
    t.db.with(|c| ack::retire(c, org.id, &policy, manager, gd, me(manager), day(2026, 4, 1))).unwrap();
    assert_eq!(t.db.with(|c| ack::figures(c, org.id, &tree, day(2026, 4, 2))).unwrap().len(), 1);

    // A yearly training comes round again: due in the 30 days before the year is over.
    let standing = |at| t.db.with(|c| ack::mine(c, org.id, &tree, a, at)).unwrap().into_iter().find(|(r, _)| r.id == tr).unwrap().1;
    assert!(matches!(standing(day(2026, 12, 1)), Standing::Done { .. }));
    assert_eq!(standing(day(2027, 2, 20)), Standing::Due { by: day(2027, 3, 10) });
    let row = t.db.with(|c| ack::list(c, org.id, &tree)).unwrap().into_iter().find(|r| r.id == tr).unwrap();
    let rows = t.db.with(|c| ack::standings(c, org.id, &tree, &row, day(2026, 4, 2))).unwrap();
    assert!(rows.iter().any(|r| r.member == a && r.standing.is_done()) && rows.iter().any(|r| r.member == b && !r.standing.is_done()));
});
