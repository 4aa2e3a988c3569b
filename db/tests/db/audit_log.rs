//! The audit log's reads on SQLite and PostgreSQL: pages by id without repeats or gaps, every
//! filter (who, actor kind, action and family, target, unit and below, days), the reader's scope
//! (their units, their own actions), names resolved, and the chunked walk of the export.
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::audit::{record, AuditEntry};
use gatehouse_db::testing::TestDb;
use gatehouse_db::views::audit::{each_chunk, page, Scope};
use gatehouse_db::{both, members, seed, units, users, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::audit_log::FilterInput;
use gatehouse_domain::ids::UserId;
use gatehouse_domain::member::MemberKind;
use serde_json::json;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap()
}

both!(the_log_is_filtered_paged_and_scoped, |t: &TestDb| {
    let (org, owner) = t.db.tx(|c| seed::create_org_with_owner(c, "acme", "Acme", "Europe/Berlin", "o@acme.test", "Olga Owner", None, "default", now())).unwrap();
    let (sales, emea, ops) = t
        .db
        .tx(|c| {
            let sales = units::create(c, org.id, None, "Sales", "division", Actor::System, now())?;
            let emea = units::create(c, org.id, Some(sales), "EMEA", "team", Actor::System, now())?;
            let ops = units::create(c, org.id, None, "Ops", "division", Actor::System, now())?;
            Ok::<_, DbError>((sales, emea, ops))
        })
        .unwrap();
    let zoe = t
        .db
        .tx(|c| {
            let u = users::create(c, &users::NewUser { email: "zoe@acme.test", display_name: "Zoë Özdemir", locale: Default::default(), password_hash: None, is_system: false }, Actor::System, now())?;
            members::add(c, &members::NewMember::active(org.id, u, MemberKind::Employee, &[]), Actor::System, now())
        })
        .unwrap();
    let as_owner = Actor::User { user: UserId(0), membership: Some(owner) };
    let as_zoe = Actor::User { user: UserId(0), membership: Some(zoe) };
    // 30 events by Zoë at EMEA over three days, 10 by the owner at Ops, 5 background ones.
    t.db.tx(|c| {
        for i in 0..30 {
            let at = now() + Duration::hours(i * 2);
            record(c, at, &AuditEntry::new(Some(org.id), as_zoe, "role.assigned", "membership", Some(owner.0)).unit(Some(emea)).after(json!({"role": format!("r{i}")})))?;
        }
        for i in 0..10 {
            record(c, now() + Duration::minutes(i), &AuditEntry::new(Some(org.id), as_owner, "unit.renamed", "unit", Some(ops.0)).unit(Some(ops)).before(json!({"name": "Ops"})).after(json!({"name": "Operations"})))?;
        }
        for _ in 0..5 {
            record(c, now(), &AuditEntry::new(Some(org.id), Actor::Background { user: UserId(1) }, "invitation.reminded", "invitation", Some(1)))?;
        }
        Ok::<_, DbError>(())
    })
    .unwrap();
    let filter = |f: FilterInput| f.check("Europe/Berlin").unwrap();
    let all = filter(FilterInput::default());
    let count = |scope: &Scope, f: &gatehouse_domain::audit_log::Filter, units: Option<&[i64]>| t.db.with(|c| page(c, org.id, scope, f, units, None, 10_000)).unwrap().len();
    let total = count(&Scope::All, &all, None);
    assert!(total >= 45, "{total}");

    // Pages of 7, newest first, without repeats or gaps.
    let mut seen: Vec<i64> = Vec::new();
    let mut before = None;
    loop {
        let p = t.db.with(|c| page(c, org.id, &Scope::All, &all, None, before, 7)).unwrap();
        if p.is_empty() {
            break;
        }
        before = p.last().map(|e| e.id);
        seen.extend(p.iter().map(|e| e.id));
    }
    assert_eq!(seen.len(), total);
    assert!(seen.windows(2).all(|w| w[0] > w[1]));

    // Filters.
    assert_eq!(count(&Scope::All, &filter(FilterInput { who: Some("ozdemir".into()), ..Default::default() }), None), 30, "a folded name finds Zoë Özdemir");
    assert_eq!(count(&Scope::All, &filter(FilterInput { who: Some("nobody".into()), ..Default::default() }), None), 0);
    assert_eq!(count(&Scope::All, &filter(FilterInput { actor_kind: Some("background".into()), ..Default::default() }), None), 5);
    let unit_events = t.count_where("audit_events", &format!("org_id = {} AND action LIKE 'unit.%'", org.id.0)) as usize;
    assert!(unit_events >= 13, "renamed ten times, three created");
    assert_eq!(count(&Scope::All, &filter(FilterInput { action: Some("unit.".into()), ..Default::default() }), None), unit_events, "the family");
    assert_eq!(count(&Scope::All, &filter(FilterInput { action: Some("unit.renamed".into()), ..Default::default() }), None), 10);
    let about_ops = t.count_where("audit_events", &format!("org_id = {} AND target_kind = 'unit' AND target_id = {}", org.id.0, ops.0)) as usize;
    assert!(about_ops >= 10);
    assert_eq!(count(&Scope::All, &filter(FilterInput { target_kind: Some("unit".into()), target_id: Some(ops.0.to_string()), ..Default::default() }), None), about_ops);
    let sales_tree = [sales.0, emea.0];
    assert_eq!(count(&Scope::All, &all, Some(&sales_tree)), 30 + 2, "a unit takes the events below it (Zoë's, and Sales and EMEA made)");
    assert_eq!(count(&Scope::All, &all, Some(&[emea.0])), 30 + 1);
    // Days in Berlin: the first day (from 10:00 Berlin) holds Zoë's first 7 events (every two hours).
    assert_eq!(count(&Scope::All, &filter(FilterInput { who: Some("zoe".into()), from: Some("2026-12-05".into()), to: Some("2026-12-05".into()), ..Default::default() }), None), 7);
    assert_eq!(count(&Scope::All, &filter(FilterInput { who: Some("zoe".into()), from: Some("2026-12-07".into()), ..Default::default() }), None), 30 - 7 - 12);

    // Scope: a reader of Sales sees EMEA's events only; Zoë's own actions.
    assert_eq!(count(&Scope::Units(vec![sales.0, emea.0]), &all, None), 32);
    assert_eq!(count(&Scope::Units(vec![ops.0]), &filter(FilterInput { action: Some("role.".into()), ..Default::default() }), None), 0);
    assert_eq!(count(&Scope::Own(zoe.0), &all, None), 30);

    // Names: the actor, the target, the unit; before and after as data.
    let renamed = t.db.with(|c| page(c, org.id, &Scope::All, &filter(FilterInput { action: Some("unit.renamed".into()), ..Default::default() }), None, None, 1)).unwrap().remove(0);
    assert_eq!((renamed.actor_name.as_deref(), renamed.target_name.as_deref(), renamed.unit_name.as_deref()), (Some("Olga Owner"), Some("Ops"), Some("Ops")));
    assert_eq!(renamed.after, Some(json!({"name": "Operations"})));
    let assigned = t.db.with(|c| page(c, org.id, &Scope::All, &filter(FilterInput { who: Some("zoe".into()), ..Default::default() }), None, None, 1)).unwrap().remove(0);
    assert_eq!((assigned.actor_name.as_deref(), assigned.target_name.as_deref(), assigned.unit_name.as_deref()), (Some("Zoë Özdemir"), Some("Olga Owner"), Some("EMEA")));

    // The export's walk: every event once, in chunks, and it stops when the reader goes.
    let mut chunks = Vec::new();
    let sent = t.db.with(|c| each_chunk(c, org.id, &Scope::All, &all, None, 10, &mut |e| {
        chunks.push(e.len());
        true
    })).unwrap();
    assert_eq!(sent, total);
    assert!(chunks.iter().all(|n| *n <= 10) && chunks.len() >= total / 10);
    let mut calls = 0;
    t.db.with(|c| each_chunk(c, org.id, &Scope::All, &all, None, 10, &mut |_| {
        calls += 1;
        false
    })).unwrap();
    assert_eq!(calls, 1, "a reader that went away stops the walk");
    // Another organization's log has none of it.
    let (beta, _) = t.db.tx(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "o@beta.test", "Otto", None, "default", now())).unwrap();
    let theirs = t.db.with(|c| page(c, beta.id, &Scope::All, &all, None, None, 10_000)).unwrap();
    assert!(theirs.iter().all(|e| e.action != "role.assigned" && e.action != "unit.renamed"));
});
