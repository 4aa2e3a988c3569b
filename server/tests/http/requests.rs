//! Access requests: asking, deciding, reminders.
use crate::common::*;

/// A member of nordwind asks for a requestable role; the administrator is mailed a link that
/// opens the request after sign-in, approves it; the role works at once and the requester is
/// mailed. A second decision is refused in words; nothing is granted twice.
async fn access_request_from_ask_to_grant(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let nordwind = t.db.with(|conn| orgs::by_slug(conn, "nordwind")).unwrap().unwrap();
    let max_user = t.db.with(|conn| users::find_by_email(conn, seed::DEMO_MEMBER)).unwrap().unwrap().id;
    let max = t
        .db
        .with(|c| {
            members::add(
                c,
                &members::NewMember { mobile_phone: Some("+4915112345678"), ..members::NewMember::active(nordwind.id, max_user, gatehouse_domain::member::MemberKind::Employee, &[]) },
                gatehouse_domain::actor::Actor::System,
                now(),
            )
        })
        .unwrap();
    let sec = t.db.with(|c| gatehouse_db::roles::list(c, nordwind.id)).unwrap().into_iter().find(|r| r.key == "sec_manager").unwrap().id.0;
    let mut m = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    m.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let page = m.get("/o/nordwind/requests").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Sec Manager") && !page.body.contains(">Org Admin<"), "only requestable roles are offered");
    let csrf = page.csrf();
    // No reason: refused in Max's words, what he chose kept.
    let r = m.post("/o/nordwind/requests", &[("csrf_token", &csrf), ("kind", "role"), ("role", &sec.to_string()), ("justification", " "), ("ends_on", "2027-01-31")]).await;
    assert!(r.location().contains("error=") && r.location().contains("ends_on=2027-01-31"), "{}", r.location());
    let r = m.post("/o/nordwind/requests", &[("csrf_token", &csrf), ("kind", "role"), ("role", &sec.to_string()), ("justification", "Ich vertrete die Leitstelle."), ("ends_on", "2027-01-31")]).await;
    assert!(r.location().starts_with("/o/nordwind/requests/") && r.location().ends_with("?done=1"), "{}", r.location());
    let id: i64 = r.location().trim_start_matches("/o/nordwind/requests/").trim_end_matches("?done=1").parse().unwrap();
    let own = m.get(&format!("/o/nordwind/requests/{id}")).await;
    assert!(own.body.contains("wartet") && own.body.contains("Anfrage zurückziehen") && !own.body.contains(">Genehmigen<"), "the requester sees it waiting and may withdraw, not decide");

    let mail = t.db.with(|conn| gatehouse_db::testing::latest_mail(conn, 20)).unwrap().into_iter().find(|m| m.to == seed::DEMO_OWNER).expect("the administrator is mailed");
    assert_eq!(mail.subject, "Max Mitglied asks for access in Nordwind Energie GmbH");
    let body = mail.text.unwrap();
    let link = body.lines().find(|l| l.starts_with("http://127.0.0.1:3000/o/nordwind/requests/")).expect("a link to the request");
    let path = link.trim_start_matches("http://127.0.0.1:3000").to_string();
    // The link names the request with a signed token (DECISIONS.md "Email links").
    let (bare, token) = path.split_once("?link=").expect("the link carries a signed token");
    let (bare, token) = (bare.to_string(), token.to_string());
    assert_eq!(bare, format!("/o/nordwind/requests/{id}"));
    // The link needs a sign-in first, then opens the request.
    let mut dana = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    let r = dana.get(&path).await;
    assert!(r.location().starts_with("/sign-in?next="), "{}", r.location());
    dana.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let open = dana.get(&path).await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(open.body.contains("Ich vertrete die Leitstelle.") && open.body.contains(">Approve<"));
    // An altered token, another request's token or an expired one opens nothing: the reader is
    // told why (in their language) and offered the page itself, which checks access as always.
    let mut altered = token.clone().into_bytes();
    let last = altered.len() - 1;
    altered[last] = if altered[last] == b'0' { b'1' } else { b'0' };
    let other = t.db.tx(|c| gatehouse_db::links::token(c, gatehouse_domain::links::Subject::AccessRequest(id + 1), now())).unwrap();
    for bad in [String::from_utf8(altered).unwrap(), other, "nonsense".into()] {
        let r = dana.get(&format!("{bare}?link={bad}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(r.body.contains("This link is not valid") && r.body.contains(&format!("href=\"{bare}\"")) && !r.body.contains("Ich vertrete die Leitstelle."), "{bad}: {}", r.body);
    }
    let old = t.db.tx(|c| gatehouse_db::links::token(c, gatehouse_domain::links::Subject::AccessRequest(id), now() - Duration::days(31))).unwrap();
    let r = dana.get(&format!("{bare}?link={old}")).await;
    assert_eq!(r.status, StatusCode::GONE);
    assert!(r.body.contains("This link has expired") && r.body.contains("work for 30 days") && !r.body.contains("Ich vertrete die Leitstelle."), "{}", r.body);
    assert!(dana.get(&bare).await.body.contains("Ich vertrete die Leitstelle."), "the page itself opens");
    // In Max's language.
    assert!(m.get(&format!("{bare}?link={old}")).await.body.contains("Dieser Link ist abgelaufen"));
    // A fresh key does not end the link mailed before it.
    t.db.tx(|c| gatehouse_db::links::rotate(c, false, gatehouse_domain::actor::Actor::System, now())).unwrap();
    assert_eq!(dana.get(&path).await.status, StatusCode::OK, "the retired key is still accepted");
    let before = t.db.with(|c| gatehouse_db::authz::load_policy(c, nordwind.id)).unwrap();
    assert!(!before.check(max, "alerts.create", &gatehouse_domain::authz::Target::Organization, now()).allowed);
    // Without an explicit choice nothing is decided.
    let r = dana.post(&format!("{bare}/decide"), &[("csrf_token", &open.csrf()), ("comment", "hm")]).await;
    assert!(r.location().contains("error="), "{}", r.location());
    assert!(dana.get(&path).await.body.contains(">Approve<"), "still waiting");
    let r = dana.post(&format!("{bare}/decide"), &[("csrf_token", &open.csrf()), ("decision", "approve"), ("comment", "Viel Erfolg")]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    let after = t.db.with(|c| gatehouse_db::authz::load_policy(c, nordwind.id)).unwrap();
    assert!(after.check(max, "alerts.create", &gatehouse_domain::authz::Target::Organization, now()).allowed, "the role works at once");
    let told = t.db.with(|conn| gatehouse_db::testing::latest_mail(conn, 1)).unwrap().remove(0);
    assert_eq!((told.to.as_str(), told.subject.as_str()), (seed::DEMO_MEMBER, "Ihre Zugriffsanfrage in Nordwind Energie GmbH wurde genehmigt"));
    // Decided again: refused in words, nothing granted twice.
    let r = dana.post(&format!("{bare}/decide"), &[("csrf_token", &open.csrf()), ("decision", "deny")]).await;
    assert!(dana.get(r.location()).await.body.contains("already approved"), "{}", r.location());
    let done = m.get(&format!("/o/nordwind/requests/{id}")).await;
    assert!(done.body.contains("genehmigt") && done.body.contains("Viel Erfolg"));
    // The history of what Dana may decide, filtered by status.
    let approved = dana.get("/o/nordwind/requests?status=approved").await;
    assert!(approved.body.contains("Requests you may decide") && approved.body.contains(&format!("/o/nordwind/requests/{id}")), "approved ones listed");
    let pending = dana.get("/o/nordwind/requests?status=denied").await;
    assert!(!pending.body.contains(&format!("/o/nordwind/requests/{id}\"")) && pending.body.contains("No requests match."), "filtered");
    assert!(!m.get("/o/nordwind/requests").await.body.contains("Requests you may decide"), "only for approvers");
    // Dana takes the grant back: the role stops at once, Max is told why, the history says revoked.
    let page = dana.get(&bare).await;
    assert!(page.body.contains("Revoke access"), "offered to the approver");
    assert!(!m.get(&bare).await.body.contains("Zugriff entziehen"), "not to the requester");
    let r = dana.post(&format!("{bare}/revoke"), &[("csrf_token", &page.csrf()), ("comment", "Der Dezember ist vorbei")]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    let revoked = t.db.with(|c| gatehouse_db::authz::load_policy(c, nordwind.id)).unwrap();
    assert!(!revoked.check(max, "alerts.create", &gatehouse_domain::authz::Target::Organization, now()).allowed, "the role is gone at once");
    let told = t.db.with(|conn| gatehouse_db::testing::latest_mail(conn, 1)).unwrap().remove(0);
    assert_eq!((told.to.as_str(), told.subject.as_str()), (seed::DEMO_MEMBER, "Ihr Zugriff in Nordwind Energie GmbH wurde entzogen"));
    assert!(told.text.unwrap().contains("Der Dezember ist vorbei"));
    let own = m.get(&bare).await;
    assert!(own.body.contains(">entzogen<") && own.body.contains("Entzogen von") && own.body.contains("Der Dezember ist vorbei"), "revoked, by whom and why");
    assert!(dana.get("/o/nordwind/requests?status=revoked").await.body.contains(&format!("/o/nordwind/requests/{id}\"")), "the history filters revoked");
    let r = dana.post(&format!("{bare}/revoke"), &[("csrf_token", &page.csrf())]).await;
    assert!(dana.get(r.location()).await.body.contains("already revoked"), "{}", r.location());
    // The administrator sets the reminder and expiry days; a bad value is refused in words.
    let page = dana.get("/o/nordwind/requests").await;
    assert!(page.body.contains("name=\"expiry_days\"") && !m.get("/o/nordwind/requests").await.body.contains("name=\"expiry_days\""), "settings for settings.edit only");
    let r = dana.post("/o/nordwind/requests/settings", &[("csrf_token", &page.csrf()), ("reminder_days", "2"), ("expiry_days", "0")]).await;
    assert!(r.location().contains("error="), "{}", r.location());
    let r = dana.post("/o/nordwind/requests/settings", &[("csrf_token", &page.csrf()), ("reminder_days", "2"), ("expiry_days", "10")]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    assert_eq!(t.db.with(|c| gatehouse_db::requests::settings(c, nordwind.id)).unwrap(), gatehouse_domain::requests::Settings { reminder_days: 2, expiry_days: 10 });
}
http_both!(access_requests, access_request_from_ask_to_grant);

/// An employee without dashboard access (seed user-levels: Dana is a plain member of
/// example-health) asks for a level from her own page's menu; the organization's admins are
/// mailed; once approved, the level's permissions (the product's dashboard) are hers.
async fn an_employee_without_dashboard_asks_for_a_level(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let health = t.db.with(|conn| orgs::by_slug(conn, "example-health")).unwrap().unwrap();
    let dana_m = t.db.with(|conn| members::by_email(conn, health.id, seed::DEMO_OWNER)).unwrap().unwrap();
    let mut dana = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    dana.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    assert_eq!(dana.get("/o/example-health/dashboard").await.status, StatusCode::FORBIDDEN, "no dashboard for an employee");
    let me = dana.get("/o/example-health/me").await;
    assert!(me.body.contains("href=\"/o/example-health/requests\""), "her own page leads to the requests");
    let page = dana.get("/o/example-health/requests").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(">Team<") && page.body.contains(">Contributor<") && !page.body.contains(">Admin<"), "only the requestable levels");
    let team = t.db.with(|c| gatehouse_db::roles::list(c, health.id)).unwrap().into_iter().find(|r| r.key == "team").unwrap().id;
    let r = dana.post("/o/example-health/requests", &[("csrf_token", &page.csrf()), ("kind", "role"), ("role", &team.0.to_string()), ("justification", "I run the Boston onboarding.")]).await;
    assert!(r.location().starts_with("/o/example-health/requests/") && r.location().ends_with("?done=1"), "{}", r.location());
    let id: i64 = r.location().trim_start_matches("/o/example-health/requests/").trim_end_matches("?done=1").parse().unwrap();
    let policy = t.db.with(|c| gatehouse_db::authz::load_policy(c, health.id)).unwrap();
    let approvers = gatehouse_domain::requests::approvers(&policy, dana_m, &gatehouse_domain::requests::Asked::Role { role: team, unit: None }, now());
    assert!(!approvers.is_empty() && !approvers.contains(&dana_m));
    // Each in their own language.
    let subjects = ["Dana Demo asks for access in Example Health", "Dana Demo bittet um Zugriff in Example Health"];
    let mailed = t.db.with(|conn| gatehouse_db::testing::latest_mail(conn, 50)).unwrap().into_iter().filter(|m| subjects.contains(&m.subject.as_str())).count();
    assert_eq!(mailed, approvers.len(), "every admin is mailed, once");
    t.db.with(|c| {
        let p = gatehouse_db::authz::load_policy(c, health.id)?;
        gatehouse_db::requests::decide(c, health.id, &p, approvers[0], id, true, None, "http://127.0.0.1:3000", gatehouse_domain::actor::Actor::System, now())
    })
    .unwrap();
    let after = t.db.with(|c| gatehouse_db::authz::load_policy(c, health.id)).unwrap();
    assert!(!policy.check(dana_m, "dashboard.open", &gatehouse_domain::authz::Target::Organization, now()).allowed);
    assert!(after.check(dana_m, "dashboard.open", &gatehouse_domain::authz::Target::Organization, now()).allowed, "the level works at once");
    assert!(dana.get(&format!("/o/example-health/requests/{id}")).await.body.contains(">approved<"));
}
http_both!(employee_requests, an_employee_without_dashboard_asks_for_a_level);

/// A refused page offers to request exactly the missing permission: the link opens the request
/// form with that permission chosen; asking for it makes a pending request for a single
/// permission (granted as a personal addition when approved: db tests).
async fn a_refusal_leads_to_a_single_permission_request(t: &TestDb) {
    seeded(t).await;
    // acme offers one role for requests: one that grants members.view.
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let owner = t.db.with(|conn| members::by_email(conn, acme.id, seed::DEMO_OWNER)).unwrap().unwrap();
    t.db.with(|c| {
        let p = gatehouse_db::authz::load_policy(c, acme.id)?;
        let role = gatehouse_db::roles::list(c, acme.id)?
            .into_iter()
            .map(|r| gatehouse_db::roles::detail(c, acme.id, r.id))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .find(|d| d.grants.iter().any(|g| g.permission == "members.view"))
            .expect("a role granting members.view");
        let e = gatehouse_db::roles::RoleEdit { name: role.name.clone(), description: role.description.clone(), requestable: true, grants: role.grants.clone(), expected_version: role.version };
        gatehouse_db::roles::edit(c, acme.id, &p, owner, role.id, &e, gatehouse_domain::actor::Actor::System, now())
    })
    .unwrap();
    let clock = FixedClock::at(now());
    let mut m = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    m.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let refused = m.get("/o/acme/dashboard").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let href = "/o/acme/requests?kind=permission&amp;permission=members.view#ask";
    assert!(refused.body.contains(href), "the refusal links to a request for the missing permission: {}", refused.body);
    let form = m.get(&href.replace("&amp;", "&")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(r#"value="permission" checked"#), "kind: {}", &form.body[form.body.find("name=\"kind\"").unwrap_or(0)..][..400]);
    assert!( form.body.contains(r#"<option value="members.view" selected"#), "prefilled: {}", &form.body[form.body.find("req-permission").unwrap_or(0)..][..600.min(form.body.len() - form.body.find("req-permission").unwrap_or(0))]);
    let r = m.post("/o/acme/requests", &[("csrf_token", &form.csrf()), ("kind", "permission"), ("permission", ""), ("justification", "Zahlen für den Bericht")]).await;
    assert!(m.get(r.location()).await.body.contains("Wählen Sie die Berechtigung, die Sie anfragen."), "{}", r.location());
    let r = m.post("/o/acme/requests", &[("csrf_token", &form.csrf()), ("kind", "permission"), ("permission", "members.view"), ("justification", "Zahlen für den Bericht")]).await;
    assert!(r.location().ends_with("?done=1"), "{}", r.location());
    let page = m.get(r.location()).await;
    assert!(page.body.contains("members.view") && page.body.contains("wartet"), "a pending request for the permission");
}
http_both!(single_permission_requests, a_refusal_leads_to_a_single_permission_request);

/// Scheduled work runs on every instance, yet each reminder goes out once: two instances on
/// one PostgreSQL run the same round at the same moment.
#[actix_web::test]
async fn two_instances_send_each_reminder_once_on_postgres() {
    let Some(t) = TestDb::postgres() else { return };
    seeded(&t).await;
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let owner = t.db.with(|conn| members::by_email(conn, acme.id, seed::DEMO_OWNER)).unwrap().unwrap().0;
    let p = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
    for i in 0..20 {
        let who = gatehouse_domain::people::Invitee {
            email: format!("wait{i}@example.test"),
            name: format!("Waiting {i}"),
            mobile_phone: None,
            locale: gatehouse_domain::locale::Locale::En,
            kind: gatehouse_domain::member::MemberKind::Employee,
            tags: vec![],
            units: vec![],
            roles: vec![],
            existing_identity: false,
        };
        let p = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap_or(p.clone());
        t.db.with(|c| gatehouse_db::invitations::invite_checked(c, acme.id, &p, gatehouse_domain::ids::MembershipId(owner), &who, "http://x", gatehouse_domain::actor::Actor::System, now())).unwrap();
    }
    let mails = t.count("email_outbox");
    let later = FixedClock::at(now() + chrono::Duration::days(4));
    let a = state(&t, &later);
    let mut b = state(&t, &later);
    b.db = gatehouse_db::Db::connect(&t.url, 4).unwrap();
    let (ra, rb) = tokio::join!(gatehouse_server::jobs::scheduled(&a), gatehouse_server::jobs::scheduled(&b));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.reminders + rb.reminders, 20, "every reminder once: {ra:?} {rb:?}");
    assert_eq!(t.count("email_outbox"), mails + 20);
    let again = gatehouse_server::jobs::scheduled(&a).await.unwrap();
    assert_eq!(again.reminders, 0);
}
