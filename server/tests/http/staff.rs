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

    // Reviews of staff permissions. The first sweep plans the first one an interval (a quarter by
    // default) after the longest-serving staff member who acts in organizations was added.
    let st = state(t, &clock);
    assert_eq!(gatehouse_server::jobs::scheduled(&st).await.unwrap().staff_reviews_started, 0);
    let plan = t.db.with(gatehouse_db::staff_reviews::plan).unwrap();
    assert_eq!(plan.plan.schedule.as_str(), "quarterly");
    let first = plan.next_start_at.expect("planned");
    assert!(first > clock.now() + Duration::days(80) && first < clock.now() + Duration::days(95), "{first}");
    // Customer success may not review staff; a person who is not staff is told nothing exists.
    let cara_csrf = cara.get("/staff").await.csrf();
    assert_eq!(cara.post("/staff/reviews/start", &[("csrf_token", &cara_csrf)]).await.status, StatusCode::FORBIDDEN);
    assert!(!cara.get("/api/staff").await.body.contains("\"staff_reviews\":{"), "no reviews for customer success");
    let ocsrf = owner.get("/o/acme/dashboard").await.csrf();
    assert_eq!(owner.post("/staff/reviews/start", &[("csrf_token", &ocsrf)]).await.status, StatusCode::NOT_FOUND);
    // The plan: a duration as long as the interval is refused in words; a good one is saved.
    let csrf = s.get("/staff").await.csrf();
    let r = s.post("/staff/reviews/plan", &[("csrf_token", &csrf), ("schedule", "monthly"), ("duration_days", "40"), ("no_response", "reduce")]).await;
    assert!(r.location().starts_with("/staff?error="), "{}", r.location());
    let r = s.post("/staff/reviews/plan", &[("csrf_token", &csrf), ("schedule", "quarterly"), ("duration_days", "10"), ("no_response", "reduce")]).await;
    assert_eq!(r.location(), "/staff?staff_plan_saved=1");
    assert_eq!(t.count_where("audit_events", "action = 'staff.review_plan_changed' AND actor_kind = 'staff'"), 1);
    // Started by hand: the population is frozen (cara and sam; not the developer), the reviewers
    // mailed a signed link; a second start is refused while it runs.
    let r = s.post("/staff/reviews/start", &[("csrf_token", &csrf)]).await;
    let campaign: i64 = r.location().trim_start_matches("/staff/reviews/").split('?').next().unwrap().parse().expect(r.location());
    assert!(s.post("/staff/reviews/start", &[("csrf_token", &csrf)]).await.location().starts_with("/staff?error="));
    let items = t.db.with(|c| gatehouse_db::staff_reviews::items(c, campaign)).unwrap();
    let mut frozen: Vec<&str> = items.iter().map(|i| i.email.as_str()).collect();
    frozen.sort();
    assert_eq!(frozen, ["cara@ops.gatehouse.test", "sam@ops.gatehouse.test"]);
    let sam_item = items.iter().find(|i| i.email.starts_with("sam")).unwrap();
    assert!(sam_item.reviewers.is_empty(), "nobody reviews their own role; the sole sysadmin has no reviewer");
    let cara_item = items.iter().find(|i| i.email.starts_with("cara")).unwrap();
    assert_eq!(cara_item.reviewers.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>(), ["Sam Sysadmin"]);
    assert!(cara_item.helpers.support_unused, "no support sign-in in the last quarter");
    let mail = t.db.with(|c| gatehouse_db::testing::latest_mail(c, 20)).unwrap().into_iter().find(|m| m.template == "staff_review_assigned").expect("mailed");
    assert_eq!(mail.to, "sam@ops.gatehouse.test");
    let text = mail.text.unwrap();
    let link = text.lines().find(|l| l.contains("/staff/reviews/")).unwrap().trim().to_string();
    let path = link.split_once("://").unwrap().1.split_once('/').map(|(_, p)| format!("/{p}")).unwrap();
    let page = s.get(&path).await;
    assert_eq!(page.status, StatusCode::OK, "the signed link opens the review");
    assert!(page.body.contains("Review of platform staff permissions") && page.body.contains("Cara Success") && page.body.contains("no support sign-in"), "{}", page.body);
    assert_eq!(s.get(&format!("{}x", path)).await.status, StatusCode::BAD_REQUEST, "an altered link is refused");
    assert_eq!(cara.get(&format!("/staff/reviews/{campaign}")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(owner.get(&format!("/staff/reviews/{campaign}")).await.status, StatusCode::NOT_FOUND);
    // Decisions: not one's own, not a made-up one; then kept with a comment, once.
    let decide = |item: i64| format!("/staff/reviews/items/{item}/decide");
    let c = campaign.to_string();
    let r = s.post(&decide(sam_item.id), &[("csrf_token", &csrf), ("campaign", &c), ("decision", "keep")]).await;
    assert!(r.location().contains("error="), "not one's own: {}", r.location());
    let r = s.post(&decide(cara_item.id), &[("csrf_token", &csrf), ("campaign", &c), ("decision", "maybe")]).await;
    assert!(r.location().contains("error="), "{}", r.location());
    assert_eq!(cara.post(&decide(cara_item.id), &[("csrf_token", &cara_csrf), ("campaign", &c), ("decision", "keep")]).await.status, StatusCode::FORBIDDEN);
    let r = s.post(&decide(cara_item.id), &[("csrf_token", &csrf), ("campaign", &c), ("decision", "keep"), ("comment", "still on the support rota")]).await;
    assert_eq!(r.location(), format!("/staff/reviews/{campaign}?decided=1#item-{}", cara_item.id));
    assert_eq!(t.count_where("audit_events", "action = 'staff.review_kept' AND actor_kind = 'staff' AND after_data LIKE '%support rota%'"), 1);
    let r = s.post(&decide(cara_item.id), &[("csrf_token", &csrf), ("campaign", &c), ("decision", "reduce")]).await;
    assert!(r.location().contains("error="), "decided once: {}", r.location());
    // The evidence as CSV.
    let r = s.get(&format!("/staff/reviews/{campaign}/evidence.csv")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));
    assert!(r.body.lines().any(|l| l.contains("Cara Success") && l.contains(",keep,staff,Sam Sysadmin,") && l.contains("support rota")), "{}", r.body);
    // At the deadline the plan's rule (reduce) settles sam's item as the system; the review closes
    // and cannot be changed.
    let later = FixedClock::at(clock.now() + Duration::days(11));
    let swept = gatehouse_server::jobs::scheduled(&state(t, &later)).await.unwrap();
    assert_eq!(swept.staff_review_items_settled, 1, "{swept:?}");
    assert_eq!(t.db.with(|c| gatehouse_db::staff::of_email(c, "sam@ops.gatehouse.test")).unwrap().unwrap().1, StaffRole::Developer);
    assert_eq!(t.db.with(|c| gatehouse_db::staff::of_email(c, "cara@ops.gatehouse.test")).unwrap().unwrap().1, StaffRole::CustomerSuccess, "kept");
    assert_eq!(t.count_where("audit_events", "action = 'staff.role_reduced' AND actor_kind = 'system'"), 1);
    assert_eq!(t.count_where("audit_events", "action = 'staff.review_closed'"), 1);
    let head = t.db.with(|c| gatehouse_db::staff_reviews::campaigns(c, Some(campaign), 1)).unwrap().remove(0);
    assert_eq!((head.state.as_str(), head.kept, head.reduced), ("closed", 1, 1));
    assert_eq!(gatehouse_server::jobs::scheduled(&state(t, &later)).await.unwrap().staff_review_items_settled, 0, "settled once");
}
http_both!(console, staff_sign_in_and_console);
