//! Database tests. Each runs on SQLite and on PostgreSQL (`both!`).
use chrono::{Duration, TimeZone, Utc};
use diesel::RunQueryDsl;
use gatehouse_db::testing::TestDb;
use gatehouse_db::views::{dashboard, members as mview, units as uview};
use gatehouse_db::{both, members, on, orgs, seed, sessions, throttle, units, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{MembershipId, OrgId, UserId};
use gatehouse_domain::member::{MemberKind, MemberStatus};
use gatehouse_domain::members_query::{MemberQuery, MemberSort};
use gatehouse_domain::org_role::OrgRole;
use gatehouse_domain::throttle::ThrottlePolicy;
use std::collections::HashMap;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

fn query(pairs: &[(&str, &str)]) -> MemberQuery {
    let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    MemberQuery::from_params(|k| m.get(k).map(String::as_str))
}

both!(migrations_are_idempotent_and_schema_is_complete, |t: &TestDb| {
    assert!(t.db.migrate().unwrap().is_empty(), "second run applies nothing");
    for table in ["platform_staff", "users", "organizations", "units", "memberships", "membership_units", "tags",
        "membership_tags", "org_role_holders", "roles", "role_assignments", "audit_events", "email_outbox", "sessions",
        "sign_in_throttle"] {
        assert_eq!(t.count(table), 0, "{table} exists and is empty");
    }
});

both!(foreign_keys_are_enforced, |t: &TestDb| {
    let err = t.db.with(|c| {
        on!(c, c => diesel::sql_query(
            "INSERT INTO units (org_id, name, kind, created_at, updated_at, version, updated_by_kind) \
             VALUES (999, 'x', 'team', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1, 'system')"
        ).execute(c))?;
        Ok(())
    });
    assert!(err.is_err(), "a unit of a missing organization is refused");
    assert_eq!(t.count("units"), 0);
});

both!(audit_events_are_append_only, |t: &TestDb| {
    t.db.tx(|c| orgs::create(c, "acme", "Acme", "Europe/Berlin", Actor::System, now())).unwrap();
    assert_eq!(t.count("audit_events"), 1);
    for sql in ["UPDATE audit_events SET action = 'forged'", "DELETE FROM audit_events"] {
        let r = t.db.with(|c| {
            on!(c, c => diesel::sql_query(sql).execute(c))?;
            Ok(())
        });
        let msg = format!("{:?}", r.expect_err(sql));
        assert!(msg.contains("append-only"), "{sql}: {msg}");
    }
    assert_eq!(t.count("audit_events"), 1);
});

both!(a_failure_inside_a_change_leaves_nothing_behind, |t: &TestDb| {
    // The owner's email is invalid: the organization created before it must be rolled back.
    let r = t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "Europe/Berlin", "not-an-email", "X", None, "default", now()));
    assert!(r.is_err());
    assert_eq!((t.count("organizations"), t.count("users"), t.count("audit_events")), (0, 0, 0));
    // Duplicate handle: clear conflict, first organization intact.
    t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "Europe/Berlin", "o@acme.test", "Olga", None, "default", now())).unwrap();
    let dup = t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme 2", "Europe/Berlin", "p@acme.test", "Paul", None, "default", now()));
    assert!(matches!(dup, Err(DbError::Conflict(_))), "{dup:?}");
    assert_eq!(t.count("organizations"), 1);
    let bad_tz = t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "Mars/Base", "q@b.test", "Q", None, "default", now()));
    assert!(bad_tz.is_err());
    assert_eq!(t.count("organizations"), 1);
});

both!(owner_provisioning_and_membership_context, |t: &TestDb| {
    let (org, m) = t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "Europe/Berlin", "Olga@Acme.test", "Olga", Some("h"), "default", now())).unwrap();
    let user = t.db.with(|c| gatehouse_db::users::find_by_email(c, "olga@acme.test")).unwrap().expect("normalized email");
    let ctx = t.db.with(|c| members::active_membership(c, user.id, org.id)).unwrap().expect("active");
    assert_eq!((ctx.id, ctx.org_roles.clone()), (m, vec![OrgRole::Owner]));
    // The background user exists, is a system user, and cannot sign in with a password.
    let bg = t.db.with(|c| gatehouse_db::users::get(c, org.background_user)).unwrap();
    assert!(bg.is_system);
    assert!(t.db.with(|c| gatehouse_db::users::password_hash_for(c, &bg.email)).unwrap().is_none());
    // Another organization knows nothing of this membership.
    let (other, _) = t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "b@beta.test", "B", None, "default", now())).unwrap();
    assert!(t.db.with(|c| members::active_membership(c, user.id, other.id)).unwrap().is_none());
    assert!(matches!(t.db.with(|c| mview::detail(c, other.id, m, now())), Err(DbError::NotFound)));
    assert_eq!(t.db.with(|c| orgs::for_user(c, user.id)).unwrap().len(), 1);
});

both!(demo_seed_dashboard_and_members_list, |t: &TestDb| {
    let report = seed::seed_demo(&t.db, 300, now()).unwrap();
    assert_eq!(report.organizations_created, 3);
    assert_eq!(report.main_org_members, 300);
    // Idempotent: a second run adds nothing.
    let again = seed::seed_demo(&t.db, 300, now()).unwrap();
    assert_eq!((again.organizations_created, again.members_added), (0, 0));

    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let d = t.db.with(|c| dashboard::dashboard(c, acme.id, chrono::Utc::now())).unwrap();
    let total: i64 = d.by_status.iter().map(|c| c.count).sum();
    assert_eq!(total, 300);
    assert_eq!(d.by_kind.iter().map(|c| c.count).sum::<i64>(), 300);
    assert!(d.invited > 0 && d.units >= 20 && d.roles == 3 && d.tags == 8);
    let auditors_active = t.db.with(|c| mview::list(c, acme.id, &query(&[("kind", "auditor"), ("status", "active")]))).unwrap().total as i64;
    let active = d.by_status.iter().find(|c| c.key == "active").unwrap().count;
    assert_eq!(d.active_counted, active - auditors_active, "auditors are never counted");
    assert_eq!(d.recent.len(), 10);

    // Paging covers every member exactly once.
    let mut seen = std::collections::HashSet::new();
    let first = t.db.with(|c| mview::list(c, acme.id, &query(&[("per_page", "100")]))).unwrap();
    assert_eq!((first.total, first.page_count), (300, 3));
    for p in 1..=3 {
        let page = t.db.with(|c| mview::list(c, acme.id, &query(&[("per_page", "100"), ("page", &p.to_string())]))).unwrap();
        for r in page.rows {
            assert!(seen.insert(r.id), "member on two pages");
        }
    }
    assert_eq!(seen.len(), 300);
    // Sorted by name, case-insensitively.
    let names: Vec<String> = first.rows.iter().map(|r| r.name.to_lowercase()).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let desc = t.db.with(|c| mview::list(c, acme.id, &query(&[("sort", "email"), ("dir", "desc")]))).unwrap();
    assert!(desc.rows.windows(2).all(|w| w[0].email >= w[1].email));

    // Filters.
    let auditors = t.db.with(|c| mview::list(c, acme.id, &query(&[("kind", "auditor"), ("per_page", "100")]))).unwrap();
    assert!(auditors.total > 0 && auditors.rows.iter().all(|r| r.kind == "auditor"));
    let invited = t.db.with(|c| mview::list(c, acme.id, &query(&[("status", "invited")]))).unwrap();
    assert_eq!(invited.total as i64, d.invited);
    let first_aid = t.db.with(|c| gatehouse_db::tags::list(c, acme.id)).unwrap().into_iter().find(|(_, n)| n == "first-aid").unwrap().0;
    let tagged = t.db.with(|c| mview::list(c, acme.id, &query(&[("tag", &first_aid.0.to_string()), ("per_page", "100")]))).unwrap();
    assert!(tagged.total > 0 && tagged.rows.iter().all(|r| r.tags.contains(&"first-aid".to_string())));

    // A division includes the members of every team below it.
    let lines = t.db.with(|c| uview::tree_lines(c, acme.id)).unwrap();
    let ops = lines.iter().find(|l| l.name == "Operations").unwrap();
    let in_ops = t.db.with(|c| mview::list(c, acme.id, &query(&[("unit", &ops.id.0.to_string())]))).unwrap();
    assert_eq!(in_ops.total as i64, ops.total_members);
    assert!(ops.total_members > ops.direct_members, "teams below add members");
    let hamburg = lines.iter().find(|l| l.name == "Hamburg hub").unwrap();
    assert!(hamburg.depth == 1 && hamburg.has_children);

    // Search matches name or email, case-insensitively, and escapes wildcards.
    let someone = &first.rows[0];
    let needle = someone.name.split(' ').next().unwrap().to_uppercase();
    let found = t.db.with(|c| mview::list(c, acme.id, &query(&[("q", &needle), ("per_page", "100")]))).unwrap();
    assert!(found.rows.iter().any(|r| r.id == someone.id));
    assert_eq!(t.db.with(|c| mview::list(c, acme.id, &query(&[("q", "%")]))).unwrap().total, 0);
    assert_eq!(t.db.with(|c| mview::list(c, acme.id, &query(&[("q", "demo@gatehouse")]))).unwrap().total, 1);

    // Another organization's unit filters to nothing, never to its members.
    let nordwind = t.db.with(|c| orgs::by_slug(c, "nordwind")).unwrap().unwrap();
    let nw_unit = t.db.with(|c| units::list(c, nordwind.id)).unwrap()[0].id;
    assert_eq!(t.db.with(|c| mview::list(c, acme.id, &query(&[("unit", &nw_unit.0.to_string())]))).unwrap().total, 0);

    // Detail with units, tags, org roles and assignments.
    let demo = t.db.with(|c| gatehouse_db::users::find_by_email(c, seed::DEMO_OWNER)).unwrap().unwrap();
    let ctx = t.db.with(|c| members::active_membership(c, demo.id, acme.id)).unwrap().unwrap();
    let detail = t.db.with(|c| mview::detail(c, acme.id, ctx.id, now())).unwrap();
    assert_eq!(detail.org_roles, vec!["owner".to_string()]);
    assert_eq!(detail.email.as_deref(), Some(seed::DEMO_OWNER));
    assert_eq!(t.db.with(|c| orgs::for_user(c, demo.id)).unwrap().len(), 3);
    let _ = MemberSort::Name;
});

both!(scaling_the_demo_organization_tops_it_up, |t: &TestDb| {
    seed::seed_demo(&t.db, 300, now()).unwrap();
    let r = seed::seed_demo(&t.db, 1200, now()).unwrap();
    assert_eq!((r.organizations_created, r.members_added, r.main_org_members), (0, 900, 1200));
});

both!(sessions_live_in_the_database, |t: &TestDb| {
    let (org, _) = t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "o@acme.test", "O", None, "default", now())).unwrap();
    let user = t.db.with(|c| gatehouse_db::users::find_by_email(c, "o@acme.test")).unwrap().unwrap().id;
    let (token, csrf) = t.db.with(|c| sessions::create(c, user, now())).unwrap();
    assert_ne!(token, csrf);
    assert_eq!(t.db.with(|c| sessions::load(c, "nope")).unwrap(), None);
    let s = t.db.with(|c| sessions::load(c, &token)).unwrap().unwrap();
    assert_eq!((s.user, s.csrf_token.clone(), s.last_seen_at), (user, csrf, now()));
    t.db.with(|c| sessions::touch(c, &token, now() + Duration::minutes(5))).unwrap();
    t.db.with(|c| sessions::set_last_org(c, &token, org.id)).unwrap();
    let s = t.db.with(|c| sessions::load(c, &token)).unwrap().unwrap();
    assert_eq!((s.last_seen_at, s.last_org), (now() + Duration::minutes(5), Some(org.id)));
    // Only the hash is stored.
    assert_eq!(t.count("sessions"), 1);
    let purged = t.db.with(|c| sessions::purge_expired(c, now() - Duration::hours(12), now() + Duration::minutes(6))).unwrap();
    assert_eq!(purged, 1);
    assert_eq!(t.db.with(|c| sessions::load(c, &token)).unwrap(), None);
});

both!(throttle_records_persist_and_clear, |t: &TestDb| {
    let p = ThrottlePolicy::default();
    let mut rec = None;
    for _ in 0..6 {
        let r = p.record_failure(rec.as_ref(), now());
        t.db.tx(|c| throttle::put(c, "email:x@y.z", &r)).unwrap();
        rec = t.db.with(|c| throttle::get(c, "email:x@y.z")).unwrap();
    }
    assert!(p.check(rec.as_ref(), now()).is_err());
    t.db.with(|c| throttle::clear(c, "email:x@y.z")).unwrap();
    assert_eq!(t.db.with(|c| throttle::get(c, "email:x@y.z")).unwrap(), None);
});

#[test]
fn postgres_migrations_serialize_under_the_advisory_lock() {
    let Some(t) = TestDb::postgres() else { return };
    // A second and third pool on the same (already migrated) schema migrate concurrently.
    let handles: Vec<_> = (0..3)
        .map(|_| {
            let url = t.url.clone();
            std::thread::spawn(move || gatehouse_db::Db::connect(&url, 2).unwrap().migrate().unwrap())
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap().is_empty());
    }
    let _ = (OrgId(1), MembershipId(1), UserId(1), MemberKind::Employee, MemberStatus::Active);
}

#[test]
fn bad_database_urls_fail_with_a_clear_message() {
    let e = gatehouse_db::Db::connect("postgres://nobody:secret@127.0.0.1:1/none", 1).unwrap_err().to_string();
    assert!(e.contains("cannot open database") && !e.contains("secret"), "{e}");
    let e = gatehouse_db::Db::connect("mysql://x/y", 1).unwrap_err().to_string();
    assert!(e.contains("not supported"), "{e}");
}

both!(outbox_claims_leases_and_backs_off, |t: &TestDb| {
    use gatehouse_db::outbox::{self, NewMail};
    let mail = NewMail { org: None, to: "Ops@Acme.test", locale: "en", template: "test_message", subject: "S", text: "T", html: "<p>H</p>" };
    let id = t.db.tx(|c| outbox::enqueue(c, &mail, Actor::System, now())).unwrap();
    assert!(t.db.tx(|c| outbox::enqueue(c, &NewMail { to: "not an address", ..mail }, Actor::System, now())).is_err());
    // Claimed once: a second worker finds nothing while the lease runs.
    let first = t.db.tx(|c| outbox::claim_due(c, now(), 10, Duration::minutes(5))).unwrap();
    assert_eq!((first.len(), first[0].to.as_str()), (1, "ops@acme.test"));
    assert!(first[0].message_id.starts_with('<') && first[0].message_id.ends_with("@gatehouse>"));
    assert!(t.db.tx(|c| outbox::claim_due(c, now(), 10, Duration::minutes(5))).unwrap().is_empty());
    // A crashed worker's lease runs out: the row comes back with the same Message-ID.
    let again = t.db.tx(|c| outbox::claim_due(c, now() + Duration::minutes(6), 10, Duration::minutes(5))).unwrap();
    assert_eq!(again[0].message_id, first[0].message_id);
    // A failure backs off, then succeeds.
    t.db.with(|c| outbox::mark_failed(c, id, 0, "connection refused", now(), 5)).unwrap();
    assert!(t.db.tx(|c| outbox::claim_due(c, now() + Duration::seconds(29), 10, Duration::minutes(5))).unwrap().is_empty());
    let retry = t.db.tx(|c| outbox::claim_due(c, now() + Duration::seconds(30), 10, Duration::minutes(5))).unwrap();
    assert_eq!(retry[0].attempts, 1);
    t.db.with(|c| outbox::mark_sent(c, id, now() + Duration::seconds(31))).unwrap();
    let (status, attempts, sent) = t.db.with(|c| outbox::status(c, None, id)).unwrap();
    assert_eq!((status.as_str(), attempts, sent), ("sent", 2, Some(now() + Duration::seconds(31))));
    assert!(t.db.tx(|c| outbox::claim_due(c, now() + Duration::hours(2), 10, Duration::minutes(5))).unwrap().is_empty());
});

// A pooled PostgreSQL connection the server has closed is replaced before it is handed out again
// (the pool skips its `SELECT 1` only for a connection that went back unbroken within the last
// second).
#[test]
fn postgres_pool_replaces_a_connection_the_server_closed() {
    let Some(t) = TestDb::postgres() else { return };
    #[derive(diesel::QueryableByName)]
    struct Pid {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        pid: i32,
    }
    let pool = gatehouse_db::Db::connect(&t.url, 1).unwrap();
    let pid_of = |db: &gatehouse_db::Db| {
        db.with(|c| Ok(on!(c, c => diesel::sql_query("SELECT pg_backend_pid() AS pid").get_result::<Pid>(c))?.pid)).unwrap()
    };
    let first = pid_of(&pool);
    t.db.with(|c| Ok(on!(c, c => diesel::sql_query(format!("SELECT pg_terminate_backend({first})")).execute(c))?)).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1300));
    let second = pid_of(&pool);
    assert_ne!(first, second, "a new connection replaced the closed one");
    pool.ping().unwrap();
}
