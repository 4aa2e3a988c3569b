//! Platform staff: always with a second factor (sent to set it up before anything else), the
//! staff console for the roles that may see organizations, nothing of it for anyone else.
use crate::common::*;
use gatehouse_domain::staff::StaffRole;
use gatehouse_domain::two_factor::{code_at, step_of};

async fn staff_sign_in_and_console(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let hash = gatehouse_db::password::hash("staff-password-2026");
    t.db.with(|c| gatehouse_db::staff::ensure(c, "cara@ops.gatehouse.test", "Cara Success", StaffRole::CustomerSuccess, Some(&hash), now())).unwrap();
    let (dev, _) = t.db.with(|c| gatehouse_db::staff::ensure(c, "dev@ops.gatehouse.test", "Dev Eloper", StaffRole::Developer, Some(&hash), now())).unwrap();
    let app = || gatehouse_server::http::app(state(t, &clock), options());

    // Without a second factor a staff member sees only the way to set it up.
    let mut cara = Client::new(test::init_service(app()).await);
    cara.sign_in("cara@ops.gatehouse.test", "staff-password-2026").await;
    for path in ["/", "/staff", "/orgs", "/api/staff"] {
        let r = cara.get(path).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/account?two_factor=required#two-factor"), "{path}");
    }
    let page = cara.get("/account?two_factor=required").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Platform staff always sign in with two-factor authentication"), "{}", page.body);
    let csrf = page.csrf();
    let r = cara.post("/language", &[("csrf_token", &csrf), ("locale", "en"), ("back", "/account")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "the language still changes");
    cara.post("/account/two-factor/start", &[("csrf_token", &csrf)]).await;
    let user = t.db.with(|c| users::find_by_email(c, "cara@ops.gatehouse.test")).unwrap().unwrap().id;
    let secret = t.db.with(|c| gatehouse_db::two_factor::status(c, user)).unwrap().pending.unwrap();
    let r = cara.post("/account/two-factor/confirm", &[("csrf_token", &csrf), ("code", &code_at(&secret, step_of(now())))]).await;
    assert_eq!(r.status, StatusCode::OK, "recovery codes shown");

    // With it: the console lists every organization with its active members.
    let r = cara.get("/staff").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Staff console") && r.body.contains("<code>acme</code>") && r.body.contains("customer success"), "{}", r.body);
    let r = cara.get("/api/staff").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("\"slug\":\"acme\""), "{}", r.body);
    // It cannot be turned off.
    clock.advance(Duration::seconds(30));
    let csrf = cara.get("/account").await.csrf();
    let r = cara.post("/account/two-factor/disable", &[("csrf_token", &csrf), ("code", &code_at(&secret, step_of(clock.now())))]).await;
    assert_eq!(r.location(), "/account?tf_error=required#two-factor");

    // A developer (code and deployments only) is refused the console; a person who is not staff
    // is told it does not exist.
    let dev_secret = t.db.with(|c| gatehouse_db::two_factor::begin(c, dev, clock.now())).unwrap();
    t.db.with(|c| gatehouse_db::two_factor::confirm(c, dev, &code_at(&dev_secret, step_of(clock.now())), clock.now())).unwrap();
    let mut d = Client::new(test::init_service(app()).await);
    d.sign_in("dev@ops.gatehouse.test", "staff-password-2026").await;
    clock.advance(Duration::seconds(30));
    let csrf = d.get("/sign-in/two-factor").await.csrf();
    d.post("/auth/two-factor", &[("csrf_token", &csrf), ("code", &code_at(&dev_secret, step_of(clock.now())))]).await;
    assert_eq!(d.get("/staff").await.status, StatusCode::FORBIDDEN);
    assert_eq!(d.get("/api/staff").await.status, StatusCode::FORBIDDEN);
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    assert_eq!(owner.get("/staff").await.status, StatusCode::NOT_FOUND);
    assert_eq!(owner.get("/api/staff").await.status, StatusCode::NOT_FOUND);
    assert_eq!(owner.get("/staff/orgs/acme/export.json").await.status, StatusCode::NOT_FOUND);
    assert_eq!(cara.get("/staff/orgs/acme/export.json").await.status, StatusCode::FORBIDDEN, "customer success does not export");

    // The sysadmin exports a whole organization, streamed, audited as the staff member.
    let (sam, _) = t.db.with(|c| gatehouse_db::staff::ensure(c, "sam@ops.gatehouse.test", "Sam Sysadmin", StaffRole::Sysadmin, Some(&hash), now())).unwrap();
    let sam_secret = t.db.with(|c| gatehouse_db::two_factor::begin(c, sam, clock.now())).unwrap();
    t.db.with(|c| gatehouse_db::two_factor::confirm(c, sam, &code_at(&sam_secret, step_of(clock.now())), clock.now())).unwrap();
    let mut s = Client::new(test::init_service(app()).await);
    s.sign_in("sam@ops.gatehouse.test", "staff-password-2026").await;
    clock.advance(Duration::seconds(30));
    let csrf = s.get("/sign-in/two-factor").await.csrf();
    s.post("/auth/two-factor", &[("csrf_token", &csrf), ("code", &code_at(&sam_secret, step_of(clock.now())))]).await;
    let r = s.get("/staff/orgs/acme/export.json").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("content-disposition").unwrap().to_str().unwrap().contains("gatehouse-acme-export.json"));
    let doc: serde_json::Value = serde_json::from_str(&r.body).expect("one JSON document");
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    assert_eq!(doc["organization"]["slug"], "acme");
    assert_eq!(doc["members"].as_array().unwrap().len() as i64, t.db.with(|c| members::count(c, acme.id)).unwrap());
    assert!(!doc["roles"].as_array().unwrap().is_empty() && !doc["units"].as_array().unwrap().is_empty());
    assert!(doc["audit_events"].as_array().unwrap().iter().any(|e| e["action"] == "organization.exported" && e["actor_kind"] == "staff"), "the export itself is in it");
    assert!(r.body.contains(seed::DEMO_OWNER));
    assert_eq!(s.get("/staff/orgs/nope/export.json").await.status, StatusCode::NOT_FOUND);
    // And as CSV, one table per file, streamed the same way.
    let r = s.get("/staff/orgs/acme/export/members.csv").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));
    assert!(r.headers.get("content-disposition").unwrap().to_str().unwrap().contains("gatehouse-acme-members.csv"));
    let lines: Vec<&str> = r.body.lines().collect();
    assert_eq!(lines[0], "id,name,email,status,kind,job_title,joined_at,units,tags");
    assert_eq!(lines.len() as i64 - 1, t.db.with(|c| members::count(c, acme.id)).unwrap(), "one line per member");
    assert!(r.body.contains(seed::DEMO_OWNER));
    for table in ["units", "roles", "assignments", "audit_events"] {
        let r = s.get(&format!("/staff/orgs/acme/export/{table}.csv")).await;
        assert_eq!(r.status, StatusCode::OK, "{table}");
        assert!(r.body.lines().count() > 1, "{table}: {}", r.body);
    }
    assert!(s.get("/staff/orgs/acme/export/audit_events.csv").await.body.contains("organization.exported"));
    assert_eq!(t.count_where("audit_events", "action = 'organization.exported' AND after_data LIKE '%csv%'"), 6);
    assert_eq!(s.get("/staff/orgs/acme/export/sessions.csv").await.status, StatusCode::NOT_FOUND, "only the organization's tables");
    assert_eq!(cara.get("/staff/orgs/acme/export/members.csv").await.status, StatusCode::FORBIDDEN);
    assert_eq!(owner.get("/staff/orgs/acme/export/members.csv").await.status, StatusCode::NOT_FOUND);
    let anon = Client::new(test::init_service(app()).await).get("/staff").await;
    assert_eq!(anon.status, StatusCode::SEE_OTHER, "signed out: to sign-in");

    // The quarterly review of staff roles: due after three months; whoever may assign staff roles
    // keeps or reduces a role (never their own), with a comment; customer success may not.
    let later = clock.now() + Duration::days(100);
    let due: Vec<String> = t.db.with(|c| gatehouse_db::staff::reviews_due(c, later)).unwrap().into_iter().map(|d| d.email).collect();
    assert!(due.contains(&"cara@ops.gatehouse.test".to_string()), "{due:?}");
    let cara_csrf = cara.get("/staff").await.csrf();
    let r = cara.post("/staff/reviews", &[("csrf_token", &cara_csrf), ("email", "sam@ops.gatehouse.test"), ("decision", "reduce")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let csrf = s.get("/staff").await.csrf();
    let r = s.post("/staff/reviews", &[("csrf_token", &csrf), ("email", "sam@ops.gatehouse.test"), ("decision", "keep")]).await;
    assert!(r.location().contains("error="), "not one's own: {}", r.location());
    let r = s.post("/staff/reviews", &[("csrf_token", &csrf), ("email", "cara@ops.gatehouse.test"), ("decision", "maybe")]).await;
    assert!(r.location().contains("error="), "{}", r.location());
    let r = s.post("/staff/reviews", &[("csrf_token", &csrf), ("email", "cara@ops.gatehouse.test"), ("decision", "keep"), ("comment", "still on the support rota")]).await;
    assert_eq!(r.location(), "/staff?staff_reviewed=1");
    assert_eq!(t.count_where("audit_events", "action = 'staff.review_kept' AND after_data LIKE '%support rota%'"), 1);
    let due: Vec<String> = t.db.with(|c| gatehouse_db::staff::reviews_due(c, clock.now() + Duration::days(30))).unwrap().into_iter().map(|d| d.email).collect();
    assert!(!due.contains(&"cara@ops.gatehouse.test".to_string()), "kept: not due again for three months");
    let r = s.post("/staff/reviews", &[("csrf_token", &csrf), ("email", "cara@ops.gatehouse.test"), ("decision", "reduce"), ("comment", "moved to sales")]).await;
    assert_eq!(r.location(), "/staff?staff_reviewed=1");
    assert_eq!(t.db.with(|c| gatehouse_db::staff::of_email(c, "cara@ops.gatehouse.test")).unwrap().unwrap().1, StaffRole::Developer);
    assert_eq!(cara.get("/staff").await.status, StatusCode::FORBIDDEN, "a developer sees no organizations");
}
http_both!(console, staff_sign_in_and_console);
