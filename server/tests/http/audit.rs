//! The audit log over HTTP: the owner's page with filters, pages and readable before/after; a
//! bad filter told in words with what was typed kept; a reader of one unit sees that unit's
//! events only; the CSV export streams exactly the filtered events, is audited, and is refused
//! without `audit.export`.
use crate::common::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::{RoleGrant, RoleScope, Visibility};
use serde_json::{json, Value};

async fn the_audit_log_is_filtered_paged_scoped_and_exported(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let owner_m = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_OWNER)).unwrap().unwrap();
    let max_m = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_MEMBER)).unwrap().unwrap();
    let units = t.db.with(|c| gatehouse_db::units::list(c, acme.id)).unwrap();
    let unit = units.iter().find(|u| u.parent.is_none()).expect("a top unit").id;
    let app = || gatehouse_server::http::app(state(t, &clock), options());

    // A rename with before and after, at the unit, by the owner.
    let as_owner = Actor::User { user: gatehouse_domain::ids::UserId(0), membership: Some(owner_m) };
    t.db.with(|c| {
        gatehouse_db::audit::record(
            c,
            now(),
            &gatehouse_db::audit::AuditEntry::new(Some(acme.id), as_owner, "unit.renamed", "unit", Some(unit.0)).unit(Some(unit)).before(json!({"name": "Vertrieb"})).after(json!({"name": "Sales & Marketing"})),
        )
    })
    .unwrap();

    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = owner.get("/o/acme/audit").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Audit log") && page.body.contains("renamed a unit"), "{}", page.body);
    assert!(page.body.contains("<del>") && page.body.contains("Vertrieb") && page.body.contains("Sales &amp; Marketing"), "before and after shown");
    assert!(page.body.contains("/o/acme/audit.csv"), "the owner may export");

    // The server function: a filter, pages without repeats.
    let api = |q: &str| format!("/api/audit?org=acme&{q}");
    let r = owner.get(&api("action=unit.renamed")).await;
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(v["events"].as_array().unwrap().len(), 1, "{}", r.body);
    assert_eq!(v["events"][0]["changes"][0], json!({"field": "name", "before": "Vertrieb", "after": "Sales & Marketing"}));
    let total = t.count_where("audit_events", &format!("org_id = {}", acme.id.0)) as usize;
    let mut seen: Vec<i64> = Vec::new();
    let mut q = String::new();
    loop {
        let v: Value = serde_json::from_str(&owner.get(&api(&q)).await.body).unwrap();
        seen.extend(v["events"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()));
        match v["next"].as_i64() {
            Some(n) => q = format!("before={n}"),
            None => break,
        }
    }
    assert!(seen.len() >= total && seen.windows(2).all(|w| w[0] > w[1]), "every event once, newest first ({} of {total})", seen.len());

    // A bad filter is told in words; nothing listed; the form keeps what was typed.
    let page = owner.get("/o/acme/audit?from=2026-02-30&who=Dana").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("role=\"alert\"") && page.body.contains("2026-02-30") && page.body.contains("value=\"Dana\""), "{}", page.body);
    let r = owner.get("/o/acme/audit.csv?actor_kind=robot").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    // The export: exactly the filtered events, cells guarded, and the export audited.
    let exported_before = t.count_where("audit_events", "action = 'audit.exported'");
    let r = owner.get("/o/acme/audit.csv?action=unit.").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = r.body.lines().collect();
    assert!(lines[0].starts_with("id,occurred_at,actor_kind"), "{}", lines[0]);
    let unit_events = t.count_where("audit_events", &format!("org_id = {} AND action LIKE 'unit.%'", acme.id.0)) as usize;
    assert_eq!(lines.len() - 1, unit_events, "one line per event");
    assert!(r.body.contains("name: Vertrieb → Sales & Marketing"));
    assert_eq!(t.count_where("audit_events", "action = 'audit.exported'"), exported_before + 1);

    // Max reads the log of one unit (audit.view there), and may not export.
    t.db.with(|c| {
        let role = gatehouse_db::roles::create(c, acme.id, "unit-auditor", "Unit auditor", "", Actor::System, now())?;
        gatehouse_db::roles::replace_grants(c, acme.id, role, &[RoleGrant { permission: "audit.view".into(), scope: RoleScope::Unit, visibility: Visibility::Individual }])?;
        gatehouse_db::roles::insert_assignment(c, acme.id, max_m, role, Some(unit), None, Actor::System, now())?;
        gatehouse_db::authz::bump(c, acme.id, None)
    })
    .unwrap();
    let mut max = Client::new(test::init_service(app()).await);
    max.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let r = max.get(&api("")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v: Value = serde_json::from_str(&r.body).unwrap();
    assert!(v["scope_note"].is_string() && v["can_export"] == false);
    let tree = gatehouse_domain::units::UnitTree::new(units.clone());
    let events = v["events"].as_array().unwrap();
    assert!(!events.is_empty());
    for e in events {
        let name = e["unit"].as_str().expect("every event Max sees is at a unit");
        let u = units.iter().find(|x| x.name == name).unwrap();
        assert!(tree.is_within(u.id, unit), "{name} is within the unit");
    }
    let r = max.get("/o/acme/audit.csv").await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let page = max.get("/o/acme/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Protokoll") && !page.body.contains("audit.csv"), "German for Max, no export link");
}
http_both!(audit_log, the_audit_log_is_filtered_paged_scoped_and_exported);
