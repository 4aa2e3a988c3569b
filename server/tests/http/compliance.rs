//! Leaving and anonymization over forms.
use crate::common::*;

/// An owner ends a membership on the member's page; the compliance manager (German) is mailed
/// three links, each opening its page after sign-in; a reminder date is set; a wrong
/// confirmation is refused in her words and changes nothing; the right one anonymizes: the
/// person's session is gone, their name is on no page, the case lists the pseudonym.
async fn leaving_and_anonymization_over_forms(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let hash = gatehouse_db::password::hash("leaving-password-1");
    let lee = t
        .db
        .tx(|c| {
            let user = users::create(c, &users::NewUser { email: "lee.left@example.test", display_name: "Lee Left", locale: gatehouse_domain::locale::Locale::En, password_hash: Some(&hash), is_system: false }, gatehouse_domain::actor::Actor::System, now())?;
            members::add(
                c,
                &members::NewMember { mobile_phone: Some("+4917098765432"), job_title: Some("Contractor"), ..members::NewMember::active(acme.id, user, gatehouse_domain::member::MemberKind::External, &[]) },
                gatehouse_domain::actor::Actor::System,
                now(),
            )
        })
        .unwrap();
    let max = t.db.with(|conn| members::by_email(conn, acme.id, seed::DEMO_MEMBER)).unwrap().unwrap();
    t.db.with(|c| members::grant_org_role(c, acme.id, max, gatehouse_domain::org_role::OrgRole::ComplianceManager, gatehouse_domain::actor::Actor::System, now())).unwrap();
    let mut leaver = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    leaver.sign_in("lee.left@example.test", "leaving-password-1").await;
    assert_eq!(leaver.get("/o/acme/me").await.status, StatusCode::OK);

    let mut dana = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    dana.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = dana.get(&format!("/o/acme/members/{}", lee.0)).await;
    assert!(page.body.contains("End membership now"), "the owner may end it");
    // A last day in the past is refused in words; then ended now.
    let r = dana.post(&format!("/o/acme/members/{}/end", lee.0), &[("csrf_token", &page.csrf()), ("when", "date"), ("last_day", "2020-01-01")]).await;
    assert!(dana.get(r.location()).await.body.contains("must not lie in the past"), "{}", r.location());
    let r = dana.post(&format!("/o/acme/members/{}/end", lee.0), &[("csrf_token", &page.csrf()), ("when", "now")]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    assert_ne!(leaver.get("/o/acme/me").await.status, StatusCode::OK, "a former member has no access");

    let mail = t.db.with(|conn| gatehouse_db::testing::latest_mail(conn, 10)).unwrap().into_iter().find(|m| m.to == seed::DEMO_MEMBER).expect("the compliance manager is mailed");
    assert_eq!(mail.subject, "Lee Left hat Acme Logistics verlassen – anonymisieren?");
    let body = mail.text.unwrap();
    let links: Vec<String> = body.lines().filter(|l| l.starts_with("http://127.0.0.1:3000/o/acme/compliance/")).map(|l| l.trim_start_matches("http://127.0.0.1:3000").to_string()).collect();
    assert_eq!(links.len(), 3, "anonymize, linked, remind: {body}");
    let (anonymize, linked, remind) = (links[0].clone(), links[1].clone(), links[2].clone());
    // Each carries the same signed token naming the case.
    let token = linked.split_once("?link=").expect("a signed token").1.to_string();
    assert!(anonymize.ends_with(&format!("/anonymize?link={token}")) && remind.ends_with(&format!("/remind?link={token}")), "{anonymize} {remind}");
    let bare = |l: &str| l.split_once('?').map_or(l, |(p, _)| p).to_string();

    let mut cm = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    for l in [&anonymize, &linked, &remind] {
        assert!(cm.get(l).await.location().starts_with("/sign-in?next="), "{l} needs a sign-in first");
    }
    cm.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let page = cm.get(&linked).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Lee Left") && page.body.contains("Audit-Ereignisse zur Person"), "the linked rows, per kind, in German");
    assert!(page.body.contains("hat eine Mitgliedschaft beendet") && !page.body.contains("membership.ended"), "audit events in words, not keys");
    // A request's token does not open a case with the same number.
    let case_id: i64 = bare(&linked).rsplit('/').next().unwrap().parse().unwrap();
    let foreign = t.db.tx(|c| gatehouse_db::links::token(c, gatehouse_domain::links::Subject::AccessRequest(case_id), now())).unwrap();
    let r = cm.get(&format!("{}?link={foreign}", bare(&anonymize))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body.contains("Dieser Link ist ungültig") && !r.body.contains("Lee Left"), "{}", r.body);
    let page = cm.get(&remind).await;
    let r = cm.post(&bare(&remind), &[("csrf_token", &page.csrf()), ("remind_on", "2026-11-23")]).await;
    assert!(cm.get(r.location()).await.body.contains("Wählen Sie einen Tag nach heute."), "{}", r.location());
    let r = cm.post(&bare(&remind), &[("csrf_token", &page.csrf()), ("remind_on", "2026-12-01")]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());

    let page = cm.get(&anonymize).await;
    let pseudonym = t.db.with(|c| gatehouse_db::compliance::pseudonym_for(c, acme.id, lee)).unwrap();
    assert!(page.body.contains(&pseudonym), "the pseudonym to type is shown");
    let audit_before = t.count("audit_events");
    let r = cm.post(&bare(&anonymize), &[("csrf_token", &page.csrf()), ("confirm", "Lee Left")]).await;
    assert!(cm.get(r.location()).await.body.contains(&format!("Das ist nicht das Pseudonym {pseudonym}")), "{}", r.location());
    assert_eq!(t.count("audit_events"), audit_before, "refused: nothing changed");
    let r = cm.post(&bare(&anonymize), &[("csrf_token", &page.csrf()), ("confirm", &pseudonym)]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    let done = cm.get(r.location()).await;
    assert!(done.body.contains(&pseudonym) && !done.body.contains("Lee Left"), "the case names the pseudonym only");
    assert!(!cm.get("/o/acme/compliance").await.body.contains("Lee Left"));
    assert!(leaver.get("/orgs").await.location().starts_with("/sign-in"), "the session ended");
    let csrf = leaver.get("/sign-in").await.csrf();
    let r = leaver.post("/auth/sign-in", &[("csrf_token", &csrf), ("email", "lee.left@example.test"), ("password", "leaving-password-1")]).await;
    assert!(!r.location().starts_with("/orgs") && !r.location().starts_with("/o/"), "the identity is gone: {}", r.location());
    for needle in ["Lee Left", "lee.left@example.test", "4917098765432"] {
        assert_eq!(t.grep(needle, None), vec![], "{needle} is nowhere");
    }
}
http_both!(leaving_and_anonymization, leaving_and_anonymization_over_forms);
