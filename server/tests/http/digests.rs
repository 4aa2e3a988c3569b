//! Digests over HTTP: the owner sets the organization's default and mails themselves the period
//! so far; the mail's unsubscribe link works without signing in, asks first, and an altered one
//! opens nothing; bad input is refused in words; and when a month ends, two instances running the
//! minute job at once send each recipient's digest once.
use crate::common::*;

async fn digests_are_set_up_mailed_once_and_unsubscribed(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let app = || gatehouse_server::http::app(state(t, &clock), options());
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = owner.get("/o/acme/digests").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("The organization&#x27;s default") || page.body.contains("The organization's default"), "the owner sets the default");
    let csrf = page.csrf();

    // Bad input comes back in words; nothing changes.
    let r = owner.post("/o/acme/digests/default", &[("csrf_token", &csrf), ("frequency", "hourly")]).await;
    assert!(r.location().contains("error=") && r.location().contains("How%20often"), "{}", r.location());
    let r = owner.post("/o/acme/digests/default", &[("csrf_token", &csrf), ("frequency", "weekly")]).await;
    assert_eq!(r.location(), "/o/acme/digests?done=1");
    assert_eq!(t.db.with(|c| gatehouse_db::digests::default(c, acme.id)).unwrap().0, gatehouse_domain::digests::Frequency::Weekly);
    assert_eq!(t.count_where("audit_events", "action = 'digest.default_changed'"), 1);

    // The owner receives it monthly by their own choice, and mails themselves the month so far.
    let r = owner.post("/o/acme/digests/choice", &[("csrf_token", &csrf), ("unit", ""), ("frequency", "monthly")]).await;
    assert_eq!(r.location(), "/o/acme/digests?done=1");
    let r = owner.post("/o/acme/digests/send-now", &[("csrf_token", &csrf), ("unit", ""), ("frequency", "monthly")]).await;
    assert_eq!(r.location(), "/o/acme/digests?sent=1");
    let mail = t.db.with(|c| gatehouse_db::testing::latest_mail(c, 20)).unwrap().into_iter().find(|m| m.template == "digest" && m.to == seed::DEMO_OWNER).expect("mailed");
    assert!(mail.subject.contains("Monthly digest") && mail.subject.contains("2026-11-01"), "{}", mail.subject);
    let text = mail.text.unwrap();
    assert!(text.contains("Active members now") && !text.contains("Max Mitglied"), "figures only: {text}");
    let start = text.find("/digests/unsubscribe?").expect("an unsubscribe link");
    let link: String = text[start..].split_whitespace().next().unwrap().to_string();

    // Signed out: the link asks first; a scanner's GET changes nothing.
    let mut anyone = Client::new(test::init_service(app()).await);
    let ask = anyone.get(&link).await;
    assert_eq!(ask.status, StatusCode::OK, "{}", ask.body);
    assert!(ask.body.contains("Stop receiving the digest of"), "{}", ask.body);
    assert!(!t.db.with(|c| gatehouse_db::digests::unsubscribe_target(c, mail_member(t, acme.id), 0)).unwrap().done);
    let altered = link.replace("&s=0", "&s=1");
    assert_eq!(anyone.get(&altered).await.status, StatusCode::NOT_FOUND, "an altered link opens nothing");
    let q: Vec<(String, String)> = url_query(&link);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();
    let r = anyone.post("/digests/unsubscribe", &[("csrf_token", &ask.csrf()), ("m", &get("m")), ("s", &get("s")), ("link", &get("link"))]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("You no longer receive"), "{}", r.body);
    assert!(t.db.with(|c| gatehouse_db::digests::unsubscribe_target(c, mail_member(t, acme.id), 0)).unwrap().done);
    let page = owner.get("/api/digests?org=acme").await;
    assert!(page.body.contains("\"frequency\":\"off\""), "{}", page.body);

    // The owner turns it back on (weekly). When the week ends, two instances at once send it once.
    let r = owner.post("/o/acme/digests/choice", &[("csrf_token", &csrf), ("unit", ""), ("frequency", "weekly")]).await;
    assert_eq!(r.location(), "/o/acme/digests?done=1");
    let digests = |t: &TestDb| t.count_where("email_outbox", "template = 'digest'");
    // The minute job has run before (its first sweep notes where things stand and sends nothing).
    assert_eq!(gatehouse_server::jobs::scheduled(&state(t, &clock)).await.unwrap().digests_sent, 0);
    let before = digests(t);
    let next_week = FixedClock::at(now() + chrono::Duration::days(7));
    let a = state(t, &next_week);
    let mut b = state(t, &next_week);
    b.db = gatehouse_db::Db::connect(&t.url, 4).unwrap();
    let (ra, rb) = tokio::join!(gatehouse_server::jobs::scheduled(&a), gatehouse_server::jobs::scheduled(&b));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert!(ra.digests_sent + rb.digests_sent >= 1, "{ra:?} {rb:?}");
    assert_eq!(digests(t), before + (ra.digests_sent + rb.digests_sent) as i64);
    let subjects: Vec<String> = t.db.with(|c| gatehouse_db::testing::latest_mail(c, 500)).unwrap().into_iter().filter(|m| m.template == "digest" && m.to == seed::DEMO_OWNER).map(|m| m.subject).collect();
    assert_eq!(subjects.len(), 2, "the one sent now and the week's, once: {subjects:?}");
    assert_eq!(gatehouse_server::jobs::scheduled(&a).await.unwrap().digests_sent, 0, "once per period");
}

/// The membership the owner's digest was for.
fn mail_member(t: &TestDb, org: gatehouse_domain::ids::OrgId) -> i64 {
    t.db.with(|c| gatehouse_db::views::api::active_member(c, org, None, Some(seed::DEMO_OWNER))).unwrap().unwrap().0
}

fn url_query(link: &str) -> Vec<(String, String)> {
    let q = link.split_once('?').map(|x| x.1).unwrap_or("");
    q.split('&').filter_map(|p| p.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

http_both!(digests, digests_are_set_up_mailed_once_and_unsubscribed);
