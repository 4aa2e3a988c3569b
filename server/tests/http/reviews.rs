//! Access reviews over HTTP: the owner plans a review that starts at once (its population frozen,
//! its reviewers mailed a signed link), opens it from the mail, keeps one assignment and revokes
//! another (the revoke ends it), a keep in one go where nothing speaks against it, and the
//! review's page is the evidence: who decided what, when.
use crate::common::*;

async fn a_review_is_planned_decided_and_kept_as_evidence(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    // The role with the most live assignments in acme.
    let roles = t.db.with(|c| gatehouse_db::roles::list(c, acme.id)).unwrap();
    let role = roles.iter().max_by_key(|r| t.count_where("role_assignments", &format!("role_id = {}", r.id.0))).unwrap().clone();
    let held_before = t.count_where("role_assignments", &format!("role_id = {}", role.id.0));
    assert!(held_before >= 2, "the demo has holders of {}", role.name);
    let app = || gatehouse_server::http::app(state(t, &clock), options());
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let csrf = owner.get("/o/acme/reviews").await.csrf();

    // A bad duration comes back in words; nothing is planned.
    let r = owner
        .post("/o/acme/reviews/plans", &[("csrf_token", &csrf), ("name", "Too long"), ("population", "roles"), ("role", &role.id.0.to_string()), ("schedule", "quarterly"), ("duration_days", "120"), ("no_response", "keep")])
        .await;
    assert!(r.location().contains("error="), "{}", r.location());
    assert_eq!(t.count("review_plans"), 0);

    let r = owner
        .post(
            "/o/acme/reviews/plans",
            &[("csrf_token", &csrf), ("name", "Role check"), ("population", "roles"), ("role", &role.id.0.to_string()), ("rule", "unit_managers"), ("schedule", "once"), ("duration_days", "14"), ("no_response", "escalate_revoke"), ("fallback", seed::DEMO_OWNER)],
        )
        .await;
    assert_eq!(r.location(), "/o/acme/reviews?done=1");
    assert_eq!(t.count("review_campaigns"), 1, "a plan that starts now starts at once");
    let campaign: i64 = t.db.with(|c| gatehouse_db::reviews::campaigns(c, acme.id, None)).unwrap()[0].id;
    let items = t.db.with(|c| gatehouse_db::reviews::items(c, acme.id, campaign)).unwrap();
    assert!(items.len() as i64 >= 2 && items.len() as i64 <= held_before, "{} items", items.len());

    // The reviewer's dashboard entry: what waits for them, by when.
    let work: serde_json::Value = serde_json::from_str(&owner.get("/api/my-work?org=acme").await.body).unwrap();
    assert_eq!((work["reviews"][0][0].as_i64(), work["reviews"][0][1].as_str()), (Some(campaign), Some("Role check")), "{work}");
    assert!(owner.get("/o/acme/dashboard").await.body.contains("Waiting for you"));
    // The owner (who may assign roles everywhere) is mailed a signed link to the review.
    let mail = t.db.with(|c| gatehouse_db::testing::latest_mail(c, 50)).unwrap().into_iter().find(|m| m.template == "review_assigned" && m.to == seed::DEMO_OWNER).expect("the reviewer is mailed");
    let text = mail.text.unwrap();
    let start = text.find(&format!("/o/acme/reviews/{campaign}?link=")).expect("a signed link");
    let link: String = text[start..].split_whitespace().next().unwrap().to_string();
    let page = owner.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Role check") && page.body.contains(">Keep<") && page.body.contains(">Revoke<"));
    let tampered = format!("{}x", link);
    assert_eq!(owner.get(&tampered).await.status, StatusCode::BAD_REQUEST, "an altered link opens nothing by itself");

    // Named reviewers: an address that is nobody here is refused in words; named people review.
    let r = owner
        .post(
            "/o/acme/reviews/plans",
            &[("csrf_token", &csrf), ("name", "Named check"), ("population", "roles"), ("role", &role.id.0.to_string()), ("rule", "named"), ("named", "nobody@nowhere.test"), ("schedule", "once"), ("duration_days", "14"), ("no_response", "keep")],
        )
        .await;
    assert!(r.location().contains("error=") && r.location().contains("name=Named%20check"), "{}", r.location());
    let r = owner
        .post(
            "/o/acme/reviews/plans",
            &[("csrf_token", &csrf), ("name", "Named check"), ("population", "roles"), ("role", &role.id.0.to_string()), ("rule", "named"), ("named", ""), ("schedule", "once"), ("duration_days", "14"), ("no_response", "keep")],
        )
        .await;
    assert!(r.location().contains("error="), "named without anyone: {}", r.location());
    assert_eq!(t.count("review_plans"), 1);
    // Keep one with a comment, revoke another: the revoke ends the assignment.
    let (keep, revoke) = (items[0].id, items[1].id);
    let csrf = page.csrf();
    let r = owner.post(&format!("/o/acme/reviews/items/{keep}/decide"), &[("csrf_token", &csrf), ("decision", "keep"), ("comment", "still needed")]).await;
    assert_eq!(r.location(), format!("/o/acme/reviews/{campaign}?done=1"));
    let r = owner.post(&format!("/o/acme/reviews/items/{revoke}/decide"), &[("csrf_token", &csrf), ("decision", "")]).await;
    assert!(r.location().contains("error="), "a decision is an explicit choice");
    owner.post(&format!("/o/acme/reviews/items/{revoke}/decide"), &[("csrf_token", &csrf), ("decision", "revoke"), ("comment", "left the team")]).await;
    assert_eq!(t.count_where("role_assignments", &format!("role_id = {}", role.id.0)), held_before - 1);
    // Deciding again is refused; nothing changes.
    let r = owner.post(&format!("/o/acme/reviews/items/{keep}/decide"), &[("csrf_token", &csrf), ("decision", "revoke")]).await;
    assert!(r.location().contains("error="), "{}", r.location());
    assert_eq!(t.count_where("role_assignments", &format!("role_id = {}", role.id.0)), held_before - 1);

    // The evidence.
    let r = owner.get(&format!("/api/review?org=acme&id={campaign}")).await;
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!((v["campaign"]["kept"].as_i64(), v["campaign"]["revoked"].as_i64()), (Some(1), Some(1)));
    let kept = v["items"].as_array().unwrap().iter().find(|i| i["id"] == keep).unwrap();
    assert_eq!((kept["decision"].as_str(), kept["decided_by"].as_str(), kept["comment"].as_str()), (Some("keep"), Some("Dana Demo"), Some("still needed")));
    assert_eq!(t.count_where("audit_events", "action = 'review.decided'"), 2);
    let csv = owner.get(&format!("/o/acme/reviews/{campaign}/evidence.csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), items.len() + 1, "one line per frozen assignment");
    assert!(csv.body.contains(",final,keep,Dana Demo,") && csv.body.contains("still needed") && csv.body.contains(",final,revoke,Dana Demo,"), "{}", csv.body);
    // The printable evidence: every frozen assignment with its decision, in both languages.
    let page = owner.get(&format!("/o/acme/reviews/{campaign}/evidence")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Access review “Role check”: the evidence") && page.body.contains("still needed") && page.body.contains("left the team"), "{}", page.body);
    assert_eq!(page.body.matches("<tr><td>").count(), items.len(), "one row per frozen assignment");
    let de = owner.get(&format!("/o/acme/reviews/{campaign}/evidence?lang=de")).await;
    assert!(de.body.contains("Zugriffsprüfung „Role check“: der Nachweis") && de.body.contains("lang=\"de\""));
    // The dashboard charts the running review's progress; the document lists it with its outcome.
    let dash: serde_json::Value = serde_json::from_str(&owner.get("/api/dashboard?org=acme").await.body).unwrap();
    let pct = gatehouse_domain::reviews::progress(2, items.len() as i64);
    assert_eq!(dash["review_progress"], serde_json::json!([["Role check", pct]]), "{dash}");
    let doc = owner.get("/o/acme/document").await;
    assert!(doc.body.contains("7. Access reviews") && doc.body.contains(&format!("2 of {} decided: 1 kept, 1 revoked.", items.len())), "the document");
    let list = owner.get("/o/acme/reviews").await;
    assert!(list.body.contains("Role check") && list.body.contains("2 of"), "progress on the list");

    // A review by named people: only they are its reviewers.
    let r = owner
        .post(
            "/o/acme/reviews/plans",
            &[("csrf_token", &csrf), ("name", "Named check"), ("population", "roles"), ("role", &role.id.0.to_string()), ("rule", "named"), ("named", &format!("{},\n", seed::DEMO_OWNER)), ("schedule", "once"), ("duration_days", "14"), ("no_response", "keep")],
        )
        .await;
    assert_eq!(r.location(), "/o/acme/reviews?done=1");
    let named = t.db.with(|c| gatehouse_db::reviews::campaigns(c, acme.id, None)).unwrap()[0].id;
    let owner_m = t.db.with(|c| gatehouse_db::members::by_email(c, acme.id, seed::DEMO_OWNER)).unwrap().unwrap();
    let reviewers: std::collections::BTreeSet<i64> =
        t.db.with(|c| gatehouse_db::reviews::items(c, acme.id, named)).unwrap().iter().flat_map(|i| i.reviewers.iter().map(|m| m.0)).collect();
    assert_eq!(reviewers.into_iter().collect::<Vec<_>>(), vec![owner_m.0], "the named reviewer only");

    // Organization roles: ownership is not reviewed (refused in words); administrators are.
    let plans = t.count("review_plans");
    let org_roles = |role: &'static str| {
        vec![("csrf_token", csrf.clone()), ("name", format!("Org roles {role}")), ("population", "org_roles".into()), ("org_role", role.into()), ("rule", "unit_managers".into()), ("schedule", "once".into()), ("duration_days", "14".into()), ("no_response", "keep".into())]
    };
    let form = org_roles("owner");
    let r = owner.post("/o/acme/reviews/plans", &form.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert!(r.location().contains("error="), "{}", r.location());
    let form = org_roles("administrator");
    let r = owner.post("/o/acme/reviews/plans", &form.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert_eq!(r.location(), "/o/acme/reviews?done=1");
    assert_eq!(t.count("review_plans"), plans + 1);
}
http_both!(reviews, a_review_is_planned_decided_and_kept_as_evidence);
