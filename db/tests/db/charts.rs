//! The dashboard's charts on SQLite and PostgreSQL: active members month by month follow joins
//! and departures (auditors and role holders only not counted), in the organization's months;
//! access requests by state list every state.
use chrono::{TimeZone, Utc};
use gatehouse_db::testing::TestDb;
use gatehouse_db::views::dashboard::{members_over_time, requests_by_status};
use gatehouse_db::{both, compliance, members, seed, users};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::member::MemberKind;

both!(members_month_by_month, |t: &TestDb| {
    let at = |y: i32, m: u32, d: u32| Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap();
    let (org, _) = t.db.tx(|c| seed::create_org_with_owner(c, "acme", "Acme", "Europe/Berlin", "o@acme.test", "Olga Owner", None, "default", at(2026, 1, 10))).unwrap();
    let add = |email: &str, kind: MemberKind, when| {
        t.db.tx(|c| {
            let u = users::create(c, &users::NewUser { email, display_name: email, locale: Default::default(), password_hash: None, is_system: false }, Actor::System, when)?;
            members::add(c, &members::NewMember::active(org.id, u, kind, &[]), Actor::System, when)
        })
        .unwrap()
    };
    // The owner (January), two employees in September, one in November; an auditor in September.
    let a = add("a@acme.test", MemberKind::Employee, at(2026, 9, 3));
    add("b@acme.test", MemberKind::Employee, at(2026, 9, 20));
    add("c@acme.test", MemberKind::Employee, at(2026, 11, 2));
    add("audit@acme.test", MemberKind::Auditor, at(2026, 9, 1));
    // A leaves in October.
    t.db.with(|c| compliance::end_membership(c, org.id, None, a, "https://x", Actor::System, at(2026, 10, 15))).unwrap();

    let series = t.db.with(|c| members_over_time(c, org.id, "Europe/Berlin", at(2026, 12, 5), 4)).unwrap();
    assert_eq!(
        series,
        vec![("2026-09".to_string(), 3), ("2026-10".to_string(), 2), ("2026-11".to_string(), 3), ("2026-12".to_string(), 3)],
        "owner + A + B; A left; C joined; as now"
    );
    // A year back from January: the months before anyone joined are zero.
    let early = t.db.with(|c| members_over_time(c, org.id, "UTC", at(2026, 2, 1), 3)).unwrap();
    assert_eq!(early, vec![("2025-12".to_string(), 0), ("2026-01".to_string(), 1), ("2026-02".to_string(), 1)]);

    let requests = t.db.with(|c| requests_by_status(c, org.id)).unwrap();
    assert_eq!(requests.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(), ["pending", "approved", "denied", "withdrawn", "expired", "revoked"]);
    assert!(requests.iter().all(|c| c.count == 0));
});
