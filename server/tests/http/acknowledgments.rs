//! Policies and trainings over HTTP: the owner publishes a yearly training (bad input comes back
//! in words with what was typed), a member completes it for themselves (another organization's
//! user cannot), the figures and the dashboard count it, the document lists who did it when,
//! the background user reminds the others once, and a retired training is asked of nobody.
use crate::common::*;

async fn a_training_is_published_completed_counted_and_reminded(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let app = || gatehouse_server::http::app(state(t, &clock), options());
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let csrf = owner.get("/o/acme/policies").await.csrf();

    let r = owner
        .post("/o/acme/policies", &[("csrf_token", &csrf), ("kind", "training"), ("title", "Security basics"), ("body", "Complete the course."), ("recurrence", "12"), ("due_days", "0"), ("unit", "")])
        .await;
    assert!(r.location().contains("error=") && r.location().contains("Days%20to%20do%20it") && r.location().contains("title=Security%20basics"), "{}", r.location());
    assert_eq!(t.count("policies"), 0);
    let r = owner
        .post(
            "/o/acme/policies",
            &[("csrf_token", &csrf), ("kind", "training"), ("title", "Security basics"), ("body", "Complete the course."), ("url", "https://learn.example/sec"), ("recurrence", "12"), ("due_days", "30"), ("unit", "")],
        )
        .await;
    assert_eq!(r.location(), "/o/acme/policies?done=1");
    let id: i64 = t.db.with(|c| {
        let acme = orgs::by_slug(c, "acme")?.unwrap();
        let tree = gatehouse_db::units::tree(c, acme.id)?;
        Ok::<_, gatehouse_db::DbError>(gatehouse_db::acknowledgments::list(c, acme.id, &tree)?[0].id)
    })
    .unwrap();

    // The member (German) completes it for themselves.
    let mut member = Client::new(test::init_service(app()).await);
    member.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let work: serde_json::Value = serde_json::from_str(&member.get("/api/my-work?org=acme").await.body).unwrap();
    assert_eq!(work["policies_open"], 1, "{work}");
    assert!(member.get("/o/acme/me").await.body.contains("Richtlinien und Schulungen: 1 zu erledigen"));
    let page = member.get("/o/acme/policies").await;
    assert!(page.body.contains("Security basics") && page.body.contains("Ich habe diese Schulung abgeschlossen"), "{}", page.body);
    let r = member.post(&format!("/o/acme/policies/{id}/done"), &[("csrf_token", &page.csrf())]).await;
    assert_eq!(r.location(), "/o/acme/policies?done=1");
    let mine: serde_json::Value = serde_json::from_str(&member.get("/api/policies?org=acme").await.body).unwrap();
    assert_eq!(mine["mine"][0]["standing"]["state"], "done", "{mine}");
    assert_eq!(mine["managed"], serde_json::json!([]), "a member manages nothing");
    // The member may not publish or retire; another organization's user reaches nothing.
    let r = member.post(&format!("/o/acme/policies/{id}/retire"), &[("csrf_token", &page.csrf())]).await;
    assert!(r.location().contains("error="), "{}", r.location());
    let mut stranger = Client::new(test::init_service(app()).await);
    let hash = gatehouse_db::password::hash("outsider-password-1");
    t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "out@beta.test", "Otto Outsider", Some(&hash), "default", now())).unwrap();
    stranger.sign_in("out@beta.test", "outsider-password-1").await;
    let scsrf = stranger.get("/o/beta/me").await.csrf();
    assert_eq!(stranger.post(&format!("/o/acme/policies/{id}/done"), &[("csrf_token", &scsrf)]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(t.count("policy_acceptances"), 1);

    // The owner's figures, the dashboard and the document.
    let v: serde_json::Value = serde_json::from_str(&owner.get("/api/policies?org=acme").await.body).unwrap();
    let figures = &v["managed"][0]["figures"];
    assert_eq!(figures[1], 1, "{v}");
    assert!(figures[0].as_i64().unwrap() > 1);
    let dash: serde_json::Value = serde_json::from_str(&owner.get("/api/dashboard?org=acme").await.body).unwrap();
    assert_eq!((dash["acknowledgments"][0][0].as_str(), dash["acknowledgments"][0][1].as_i64()), (Some("Security basics"), Some(1)), "{dash}");
    let doc = owner.get("/o/acme/document").await;
    assert!(doc.body.contains("8. Acknowledgments and training") && doc.body.contains("Security basics") && doc.body.contains("Max Mitglied"), "the document");

    // A week before the due date the background user reminds everyone else, once.
    let later = FixedClock::at(now() + chrono::Duration::days(25));
    let r = gatehouse_server::jobs::scheduled(&state(t, &later)).await.unwrap();
    assert!(r.policy_reminders > 1, "{r:?}");
    assert_eq!(t.count_where("email_outbox", "template = 'policy_reminder'"), r.policy_reminders as i64);
    assert_eq!(t.count_where("email_outbox", &format!("template = 'policy_reminder' AND to_address = '{}'", seed::DEMO_MEMBER)), 0, "done: not reminded");
    later.advance(chrono::Duration::hours(2));
    assert_eq!(gatehouse_server::jobs::scheduled(&state(t, &later)).await.unwrap().policy_reminders, 0, "once");

    // Retired: asked of nobody, kept on record.
    let r = owner.post(&format!("/o/acme/policies/{id}/retire"), &[("csrf_token", &csrf)]).await;
    assert_eq!(r.location(), "/o/acme/policies?done=1");
    let mine: serde_json::Value = serde_json::from_str(&member.get("/api/policies?org=acme").await.body).unwrap();
    assert_eq!(mine["mine"], serde_json::json!([]));
    assert_eq!(t.count_where("audit_events", "action IN ('policy.published', 'policy.acknowledged', 'policy.retired')"), 3);
}
http_both!(acknowledgments, a_training_is_published_completed_counted_and_reminded);
