//! The outside probes of the running portal (issue "Security and bad-input fixes"), kept as
//! tests so a returning bug fails them: redirects never leave the site, bad input never gets a
//! 500, a refused caller learns nothing about a record, every password check is throttled —
//! counted before the check, also in parallel — and the throttle is right behind a proxy
//! without locking an account's owner out.
use crate::common::*;

fn app_state(t: &TestDb, clock: &FixedClock, proxies: &str) -> AppState {
    let mut s = state(t, clock);
    s.trusted_proxies = gatehouse_domain::client_addr::TrustedProxies::parse(proxies).unwrap();
    s
}

/// Caller-supplied paths that would lead elsewhere once a browser normalises them, or would break
/// the `Location` header.
const HOSTILE: &[&str] = &[
    "/\t/evil.example/",
    "/\r/evil.example/",
    "/\n/evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/%09/evil.example/",
    "/%2f%2fevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "/x\r\nSet-Cookie: gh_session=stolen",
    "/x\nSet-Cookie: a=b",
    "/\0",
];

async fn redirects_stay_on_the_site(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut c = Client::new(test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await);
    let csrf = c.get("/sign-in").await.csrf();
    for back in HOSTILE {
        let r = c.post("/language", &[("csrf_token", &csrf), ("locale", "en"), ("back", back)]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"), "language back={back:?}");
        assert!(r.headers.get_all(header::SET_COOKIE).all(|v| !v.to_str().unwrap_or("").contains("stolen")), "no header injected");
    }
    // Sign-in: a wrong password keeps only a safe `next`; the right one follows only a safe one.
    for (i, next) in HOSTILE.iter().enumerate() {
        let email = format!("probe{i}@nowhere.test");
        let r = c.post("/auth/sign-in", &[("csrf_token", &csrf), ("email", &email), ("password", "wrong"), ("next", next)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{next:?}");
        assert!(r.location() == "/sign-in?error=invalid&next=/", "wrong password, next={next:?}: {}", r.location());
    }
    let mut owner = Client::new(test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await);
    for next in HOSTILE.iter().take(4) {
        let csrf = owner.get("/sign-in").await.csrf();
        let r = owner.post("/auth/sign-in", &[("csrf_token", &csrf), ("email", seed::DEMO_OWNER), ("password", seed::DEMO_PASSWORD), ("next", next)]).await;
        assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"), "signed in, next={next:?}");
        owner.cookies.clear();
    }
    let csrf = owner.get("/sign-in").await.csrf();
    let r = owner.post("/auth/sign-in", &[("csrf_token", &csrf), ("email", seed::DEMO_OWNER), ("password", seed::DEMO_PASSWORD), ("next", "/o/acme/members?q=%C3%96")]).await;
    assert_eq!(r.location(), "/o/acme/members?q=%C3%96", "a real local path is followed");
    // The sign-in page never puts a hostile `next` into its form.
    let page = c.get("/sign-in?next=%2F%09%2Fevil.example%2F").await;
    assert!(page.status == StatusCode::OK && page.body.contains("name=\"next\" value=\"\""), "the page drops the value");
    // A path segment with an encoded line break: a 404 or a safe redirect, never a 500.
    for path in ["/o/%0d%0aSet-Cookie:x", "/o/acme%0d%0a/dashboard", "/o/%2F%2Fevil.example"] {
        let r = owner.get(path).await;
        assert!(r.status.as_u16() < 500, "{path}: {}", r.status);
        assert!(r.location().is_empty() || r.location().starts_with('/') && !r.location().starts_with("//"), "{path}: {}", r.location());
    }
}
http_both!(redirects, redirects_stay_on_the_site);

async fn bad_input_is_the_callers_mistake_never_a_500(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut anon = Client::new(test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await);
    let mut owner = Client::new(test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;

    // Every registered server function: without a session, 401 (the pages behind mailed links
    // and the viewer answer anyone); with a malformed or missing argument, 400.
    let public = ["/api/viewer", "/api/reset-link", "/api/sign-in-link", "/api/invitation-link", "/api/email-change-link", "/api/sso-buttons"];
    let no_arguments = ["/api/viewer", "/api/staff", "/api/account", "/api/sso-buttons"];
    let malformed: &[(&str, &str)] = &[
        ("/api/member", "org=acme&id=abc"),
        ("/api/role", "org=acme&id=1.5"),
        ("/api/member-access", "org=acme&id=-"),
        ("/api/member-page", "org=acme&id=x"),
        ("/api/import", "org=acme&id=%00"),
        ("/api/request", "org=acme&id=9999999999999999999999"),
        ("/api/compliance-case", "org=acme&id="),
        ("/api/requests", "org=acme&unit=abc"),
        ("/api/email-change-link", "token=x&confirm=maybe"),
    ];
    let mut registered: Vec<&str> = leptos::server_fn::actix::server_fn_paths().map(|(p, _)| p).collect();
    registered.sort();
    assert!(registered.len() >= 20, "{registered:?}");
    for path in &registered {
        let r = anon.get(&format!("{path}?org=acme&id=1&token=x&confirm=true")).await;
        if public.contains(path) {
            assert!(r.status.as_u16() < 500, "{path} signed out: {} {}", r.status, r.body);
        } else {
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path} signed out: {}", r.body);
        }
        if !no_arguments.contains(path) {
            // Nothing given: every required argument is missing.
            let r = owner.get(path).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path} without arguments: {}", r.body);
        }
    }
    for (path, query) in malformed {
        let r = owner.get(&format!("{path}?{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}?{query}: {}", r.body);
    }
    // Values of the caller's choosing that name nothing: 400 or 404, never 500.
    for url in [
        "/api/requests?org=acme&status=bogus",
        "/api/mail?org=acme&status=bogus",
        "/api/invitations?org=acme&show=bogus",
        "/api/who-can?org=acme&permission=bogus.perm",
        "/api/who-can?org=acme&permission=members.view&unit=%27%3B--",
        "/api/content?org=acme&module=bogus",
        "/api/members?org=acme&page=-5&sort=bogus&status=bogus&kind=bogus",
        "/api/role?org=acme&id=99999",
        "/o/acme/requests?status=bogus",
        "/o/acme/members?page=abc",
        "/o/acme/roles/99999",
    ] {
        let r = owner.get(url).await;
        assert!(r.status.as_u16() < 500, "{url}: {} {}", r.status, r.body);
    }
    // Every form route, posted by the owner (who may do everything) with values that name
    // nothing: refused in words or not found, never a 500, never a redirect off the site.
    let csrf = owner.get("/o/acme/me").await.csrf();
    let garbage: Vec<(&str, &str)> = vec![
        ("csrf_token", csrf.as_str()),
        ("version", "x"),
        ("name", "\u{1}"),
        ("key", "Bad Key!"),
        ("role", "bogus"),
        ("kind", "bogus"),
        ("scope", "bogus"),
        ("permission", "bogus.perm"),
        ("unit", "abc"),
        ("ends", "31.02.2026"),
        ("ends_at", "2026-02-31"),
        ("when", "bogus"),
        ("decision", "bogus"),
        ("remind_on", "not-a-date"),
        ("email", "\u{1}not an address"),
        ("template", "bogus"),
        ("from", "tpl:bogus:bogus"),
        ("change", "bogus"),
        ("valid_days", "-1"),
        ("reminder_days", "many"),
        ("expiry_days", "9999999999999"),
        ("auto_days", "x"),
        ("item", "abc"),
        ("title", ""),
        ("back", "/\t/evil.example/"),
    ];
    for (method, pattern) in gatehouse_server::forms::ORG_FORMS {
        for id in ["1", "99999"] {
            let path = pattern.replace("{org}", "acme").replace("{module}", "tournaments").replace("{id}", id).replace("{aid}", id);
            let r = if *method == "GET" { owner.get(&path).await } else { owner.post(&path, &garbage).await };
            assert!(r.status.as_u16() < 500, "{method} {path}: {} {}", r.status, r.body);
            let l = r.location();
            assert!(l.is_empty() || (l.starts_with('/') && !l.starts_with("//")), "{method} {path}: {l}");
        }
    }
    let r = owner.post("/language", &[("csrf_token", &csrf), ("locale", "xx"), ("back", "/o/acme/me")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/o/acme/me"), "an unknown language changes nothing");

    let r = owner.get("/api/requests?org=acme&status=bogus").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    let r = anon.get("/api/account").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);

    // Pages say their character set.
    let page = owner.get("/o/acme/dashboard").await;
    assert_eq!(page.headers.get(header::CONTENT_TYPE).unwrap(), "text/html; charset=utf-8");
    assert_eq!(anon.get("/sign-in").await.headers.get(header::CONTENT_TYPE).unwrap(), "text/html; charset=utf-8");
}
http_both!(bad_input, bad_input_is_the_callers_mistake_never_a_500);

/// A refused caller is told the permission is missing — never who changed the record or when,
/// and the same for an id that does not exist.
async fn refused_callers_learn_nothing_about_records(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let role = t.db.with(|c| gatehouse_db::roles::list(c, acme.id)).unwrap()[0].id.0;
    let owner_m = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_OWNER)).unwrap().unwrap().0;
    let cup = {
        let p = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
        let owner = gatehouse_domain::ids::MembershipId(owner_m);
        t.db.with(|c| gatehouse_db::items::create(c, acme.id, &p, owner, "tournaments", "Owner's cup", None, None, gatehouse_domain::actor::Actor::System, now())).unwrap()
    };
    // The owner edits both, so their versions moved on.
    let mut owner = Client::new(test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = owner.get(&format!("/o/acme/roles/{role}")).await;
    let csrf = page.csrf();
    let v = page.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let r = owner.post(&format!("/o/acme/roles/{role}"), &[("csrf_token", &csrf), ("name", "Renamed by Dana"), ("version", &v)]).await;
    assert!(r.location().contains("done=1"), "{}", r.location());
    let r = owner.post(&format!("/o/acme/content/tournaments/{cup}"), &[("csrf_token", &csrf), ("title", "Dana's cup"), ("version", "1")]).await;
    assert!(r.location().contains("done=1"), "{}", r.location());

    let mut member = Client::new(test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await);
    member.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let csrf = member.get("/o/acme/me").await.csrf();
    let decoded = |s: &str| s.replace("%20", " ");
    let stale = member.post(&format!("/o/acme/roles/{role}"), &[("csrf_token", &csrf), ("name", "Mine"), ("version", "1")]).await;
    let missing = member.post("/o/acme/roles/987654", &[("csrf_token", &csrf), ("name", "Mine"), ("version", "1")]).await;
    for r in [&stale, &missing] {
        let l = decoded(r.location());
        assert!(r.status == StatusCode::SEE_OTHER && l.contains("error="), "{} {l}", r.status);
        assert!(!l.contains("geändert") && !l.contains("Dana") && !l.contains("UTC") && !l.contains("2026"), "nothing about the record: {l}");
    }
    let error = |r: &Resp| r.location().split("error=").nth(1).unwrap().split('&').next().unwrap().to_string();
    assert_eq!(error(&stale), error(&missing), "an existing role and a missing one are refused alike");
    let r = member.post(&format!("/o/acme/roles/{role}/retire"), &[("csrf_token", &csrf)]).await;
    let r2 = member.post("/o/acme/roles/987654/retire", &[("csrf_token", &csrf)]).await;
    assert_eq!(error(&r), error(&r2), "retiring too");
    // An item the member may not see: not found, as for an id that does not exist.
    let stale = member.post(&format!("/o/acme/content/tournaments/{cup}"), &[("csrf_token", &csrf), ("title", "Mine"), ("version", "1")]).await;
    let missing = member.post("/o/acme/content/tournaments/987654", &[("csrf_token", &csrf), ("title", "Mine"), ("version", "1")]).await;
    assert_eq!((stale.status, missing.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(stale.body, missing.body);
    for path in [format!("/o/acme/content/tournaments/{cup}/delete"), format!("/o/acme/content/tournaments/{cup}/invite")] {
        assert_eq!(member.post(&path, &[("csrf_token", &csrf), ("email", seed::DEMO_MEMBER)]).await.status, StatusCode::NOT_FOUND, "{path}");
    }
}
http_both!(refusals, refused_callers_learn_nothing_about_records);

/// Re-entering one's password (the email change form) is throttled like signing in, and shares
/// the account's budget.
async fn every_password_check_is_throttled(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut c = Client::new(test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await);
    c.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let csrf = c.get("/account").await.csrf();
    let mut answers = Vec::new();
    for _ in 0..8 {
        let r = c.post("/auth/email-change", &[("csrf_token", &csrf), ("new_email", "max.neu@example.test"), ("password", "wrong-guess")]).await;
        answers.push(r.location().split('&').next().unwrap().to_string());
    }
    assert_eq!(answers.iter().filter(|a| *a == "/account?error=password").count(), 6, "{answers:?}");
    assert_eq!(answers.iter().filter(|a| *a == "/account?error=throttled").count(), 2, "{answers:?}");
    let page = c.get("/account?error=throttled&retry=30").await;
    assert!(page.body.contains("30 Sekunden"), "told in the member's words");
    // The right password waits too, and so does signing in to the account elsewhere.
    let r = c.post("/auth/email-change", &[("csrf_token", &csrf), ("new_email", "max.neu@example.test"), ("password", seed::DEMO_PASSWORD)]).await;
    assert!(r.location().starts_with("/account?error=throttled"), "{}", r.location());
    let mut elsewhere = Client::new(test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await);
    elsewhere.peer = Some("198.51.100.20:5000".parse().unwrap());
    assert!(elsewhere.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await.location().starts_with("/sign-in?error=throttled"));
    clock.advance(Duration::minutes(2));
    let r = c.post("/auth/email-change", &[("csrf_token", &csrf), ("new_email", "max.neu@example.test"), ("password", seed::DEMO_PASSWORD)]).await;
    assert_eq!(r.location(), "/account?done=requested");
}
http_both!(password_reentry, every_password_check_is_throttled);

/// Nine guesses at once for one address: each is counted before its password is checked, so no
/// more are checked than one after another would be.
async fn parallel_guesses_are_counted(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let svc = test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await;
    let mut c = Client::new(svc);
    let csrf = c.get("/sign-in").await.csrf();
    let pre = format!("gh_pre={}", c.cookies["gh_pre"]);
    let requests = (0..9).map(|_| {
        let req = test::TestRequest::post()
            .uri("/auth/sign-in")
            .peer_addr("127.0.0.1:40000".parse().unwrap())
            .insert_header((header::COOKIE, pre.clone()))
            .set_form(vec![("csrf_token", csrf.as_str()), ("email", seed::DEMO_OWNER), ("password", "parallel-guess")])
            .to_request();
        test::call_service(&c.svc, req)
    });
    let answers: Vec<String> = futures_util::future::join_all(requests).await.iter().map(|r| r.headers().get(header::LOCATION).unwrap().to_str().unwrap().to_string()).collect();
    let checked = answers.iter().filter(|l| l.as_str() == "/sign-in?error=invalid").count();
    let throttled = answers.iter().filter(|l| l.starts_with("/sign-in?error=throttled")).count();
    assert_eq!((checked, throttled), (6, 3), "as many checked as sequentially: {answers:?}");
    // The right password now waits as well.
    assert!(c.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await.location().starts_with("/sign-in?error=throttled"));
}
http_both!(parallel_guesses, parallel_guesses_are_counted);

/// Behind a trusted reverse proxy each person has their own bucket; a forwarded address from
/// anyone else is ignored; and a locked account's owner signs in by a mailed link.
async fn throttle_behind_a_proxy_and_the_owners_way_in(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let proxied = |c: &mut Client<_>, client: &str| {
        c.peer = Some("10.0.0.5:443".parse().unwrap());
        c.forwarded_for = Some(format!("{client}, 10.0.0.9"));
    };
    let mut guesser = Client::new(test::init_service(gatehouse_server::http::app(app_state(t, &clock, "10.0.0.0/24"), options())).await);
    proxied(&mut guesser, "203.0.113.7");
    for i in 0..21 {
        guesser.sign_in(&format!("guess{i}@nowhere.test"), "wrong").await;
    }
    assert!(guesser.sign_in("guess0@nowhere.test", "wrong").await.location().starts_with("/sign-in?error=throttled"), "the guesser's own address is throttled");
    let mut colleague = Client::new(test::init_service(gatehouse_server::http::app(app_state(t, &clock, "10.0.0.0/24"), options())).await);
    proxied(&mut colleague, "203.0.113.8");
    assert_eq!(colleague.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await.location(), "/", "another person behind the same proxy is not");

    // Without the proxy configured, forwarded addresses are ignored (a client can forge them).
    let mut forger = Client::new(test::init_service(gatehouse_server::http::app(app_state(t, &clock, ""), options())).await);
    forger.peer = Some("198.51.100.7:5000".parse().unwrap());
    for i in 0..21 {
        forger.forwarded_for = Some(format!("192.0.2.{i}"));
        forger.sign_in(&format!("forged{i}@nowhere.test"), "wrong").await;
    }
    forger.forwarded_for = Some("192.0.2.200".into());
    assert!(forger.sign_in("forged0@nowhere.test", "wrong").await.location().starts_with("/sign-in?error=throttled"), "one bucket for the real peer");

    // Someone guesses Dana's password: her account is throttled, again and again…
    let mut attacker = Client::new(test::init_service(gatehouse_server::http::app(app_state(t, &clock, "10.0.0.0/24"), options())).await);
    attacker.peer = Some("198.51.100.66:5000".parse().unwrap());
    for _ in 0..8 {
        attacker.sign_in(seed::DEMO_OWNER, "guess").await;
    }
    let mut dana = Client::new(test::init_service(gatehouse_server::http::app(app_state(t, &clock, "10.0.0.0/24"), options())).await);
    proxied(&mut dana, "203.0.113.50");
    let r = dana.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    assert!(r.location().starts_with("/sign-in?error=throttled"), "{}", r.location());
    let page = dana.get(r.location()).await;
    assert!(page.body.contains("formaction=\"/auth/sign-in-link\""), "the throttled page offers a sign-in link");
    // …but she asks for a link by mail (the answer is the same for an unknown address).
    let csrf = page.csrf();
    let mails_before = t.count("email_outbox");
    let unknown = dana.post("/auth/sign-in-link", &[("csrf_token", &csrf), ("email", "nobody@nowhere.test"), ("password", "")]).await;
    let known = dana.post("/auth/sign-in-link", &[("csrf_token", &csrf), ("email", seed::DEMO_OWNER), ("password", "")]).await;
    assert_eq!((unknown.location(), known.location()), ("/sign-in?link_sent=1", "/sign-in?link_sent=1"));
    assert_eq!(t.count("email_outbox"), mails_before + 1, "one mail, to the throttled account only");
    let not_locked = dana.post("/auth/sign-in-link", &[("csrf_token", &csrf), ("email", seed::DEMO_MEMBER)]).await;
    assert_eq!(not_locked.location(), "/sign-in?link_sent=1");
    assert_eq!(t.count("email_outbox"), mails_before + 1, "no link for an account that is not throttled");
    let mail = &t.db.with(|c| gatehouse_db::testing::latest_mail(c, 1)).unwrap()[0];
    assert_eq!((mail.to.as_str(), mail.subject.as_str()), (seed::DEMO_OWNER, "Your Gatehouse sign-in link"));
    let body = mail.text.clone().unwrap();
    let link = body.lines().find(|l| l.starts_with("http://127.0.0.1:3000/sign-in-link?token=")).expect("an absolute link");
    let token = link.split("token=").nth(1).unwrap().to_string();
    // Opening the link does nothing by itself; its button signs her in.
    let page = dana.get(&format!("/sign-in-link?token={token}")).await;
    assert!(page.status == StatusCode::OK && !dana.cookies.contains_key("gh_session"));
    assert!(page.body.contains("action=\"/auth/sign-in-link/use\""), "a working link offers its button");
    let r = dana.post("/auth/sign-in-link/use", &[("csrf_token", &page.csrf()), ("token", &token)]).await;
    assert_eq!(r.location(), "/");
    assert_eq!(dana.get("/o/acme/dashboard").await.status, StatusCode::OK, "signed in");
    // Single use; and the account's throttle was cleared (the mailbox proved it is her).
    let mut again = Client::new(test::init_service(gatehouse_server::http::app(app_state(t, &clock, "10.0.0.0/24"), options())).await);
    let csrf = again.get("/sign-in").await.csrf();
    assert_eq!(again.post("/auth/sign-in-link/use", &[("csrf_token", &csrf), ("token", &token)]).await.location(), "/sign-in?error=link");
    let used = again.get(&format!("/sign-in-link?token={token}")).await;
    assert!(!used.body.contains("/auth/sign-in-link/use") && used.body.contains("role=\"alert\""), "a used link says so");
    assert_eq!(again.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await.location(), "/");
    let audit = t.grep("mailed_link", None);
    assert!(!audit.is_empty(), "the sign-in is audited with how it was proven");
}
http_both!(proxy_and_owner, throttle_behind_a_proxy_and_the_owners_way_in);
