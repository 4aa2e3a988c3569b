//! A person's own data: a member downloads what the organization holds about them (nothing of
//! anyone else's), an administrator produces it for a member, a member may not produce someone
//! else's, another organization finds nothing; every copy is audited.
use crate::common::*;
use serde_json::Value;

async fn members_download_their_data_and_admins_produce_it(t: &TestDb) {
    seeded(t).await;
    let hash = gatehouse_db::password::hash("outsider-password-1");
    t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "out@beta.test", "Otto Outsider", Some(&hash), "default", now())).unwrap();
    let clock = FixedClock::at(now());
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let max = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_MEMBER)).unwrap().unwrap();
    let owner_m = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_OWNER)).unwrap().unwrap();
    let app = || gatehouse_server::http::app(state(t, &clock), options());

    let mut member = Client::new(test::init_service(app()).await);
    member.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let page = member.get("/o/acme/me").await;
    assert!(page.body.contains("/o/acme/me/data.json"), "the own page offers the download");
    let r = member.get("/o/acme/me/data.json").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.headers.get(header::CONTENT_DISPOSITION).unwrap().to_str().unwrap().contains("acme-my-data.json"));
    let doc: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(doc["format"], "gatehouse-personal-data/1");
    assert_eq!(doc["member"]["email"], seed::DEMO_MEMBER);
    assert_eq!(doc["organization"]["slug"], "acme");
    assert!(doc["audit_events"].as_array().unwrap().iter().all(|e| e["target_id"] == max.0 || e["by_them"] == true), "only events about or by them");
    assert!(!r.body.contains(seed::DEMO_OWNER), "nothing of anyone else's address");
    assert_eq!(t.count_where("audit_events", &format!("action = 'member.data_exported' AND target_id = {} AND after_data LIKE '%self%'", max.0)), 1);

    // Someone else's: refused for the member, produced for the owner, nothing for another organization.
    let r = member.get(&format!("/o/acme/members/{}/data.json", owner_m.0)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = owner.get(&format!("/o/acme/members/{}", max.0)).await;
    assert!(page.body.contains(&format!("/o/acme/members/{}/data.json", max.0)), "the member page offers it to whoever may export");
    let r = owner.get(&format!("/o/acme/members/{}/data.json", max.0)).await;
    assert_eq!(r.status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(doc["member"]["email"], seed::DEMO_MEMBER);
    assert_eq!(t.count_where("audit_events", &format!("action = 'member.data_exported' AND target_id = {} AND after_data LIKE '%administrator%'", max.0)), 1);
    let mut stranger = Client::new(test::init_service(app()).await);
    stranger.sign_in("out@beta.test", "outsider-password-1").await;
    assert_eq!(stranger.get(&format!("/o/acme/members/{}/data.json", max.0)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(stranger.get(&format!("/o/beta/members/{}/data.json", max.0)).await.status, StatusCode::NOT_FOUND, "acme's member is no member of beta");
}
http_both!(personal_data, members_download_their_data_and_admins_produce_it);
