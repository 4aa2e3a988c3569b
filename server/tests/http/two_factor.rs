//! Two-factor sign-in over HTTP: setting it up with a first code, signing in with a code (each
//! time step once) or a recovery code (each once), the waiting sign-in that expires, the
//! throttle, and an organization that requires it of its members.
use crate::common::*;
use gatehouse_domain::two_factor::{code_at, step_of};

fn values(page: &str) -> Vec<String> {
    page.match_indices("class=\"key-value\" readonly value=\"").map(|(i, m)| page[i + m.len()..].split('"').next().unwrap().to_string()).collect()
}

async fn two_factor_sign_in(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let app = || gatehouse_server::http::app(state(t, &clock), options());
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let user = t.db.with(|c| users::find_by_email(c, seed::DEMO_OWNER)).unwrap().unwrap().id;

    // Setting up: a QR code and the key, then the first code turns it on.
    let page = owner.get("/account").await;
    assert!(page.body.contains("Set up two-factor authentication"), "{}", page.body);
    let csrf = page.csrf();
    let r = owner.post("/account/two-factor/start", &[("csrf_token", &csrf)]).await;
    assert_eq!(r.location(), "/account?two_factor=setup#two-factor");
    let page = owner.get("/account").await;
    assert!(page.body.contains("<svg") && page.body.contains("secret-key"), "the QR code and the key");
    let secret = t.db.with(|c| gatehouse_db::two_factor::status(c, user)).unwrap().pending.expect("waiting for its first code");
    let r = owner.post("/account/two-factor/confirm", &[("csrf_token", &csrf), ("code", "000000")]).await;
    assert!(r.location().contains("tf_error=invalid") || code_at(&secret, step_of(now())) == "000000");
    let first = code_at(&secret, step_of(now()));
    let r = owner.post("/account/two-factor/confirm", &[("csrf_token", &csrf), ("code", &first)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    let recovery = values(&r.body);
    assert_eq!(recovery.len(), 10, "ten recovery codes, shown once");
    assert!(t.grep(&recovery[0], None).is_empty(), "kept only as a hash");
    assert!(owner.get("/account").await.body.contains("Recovery codes left: 10"));

    // Signing in now takes a code: the password alone gives no session.
    let mut b = Client::new(test::init_service(app()).await);
    let r = b.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    assert_eq!(r.location(), "/sign-in/two-factor");
    assert!(!b.cookies.contains_key("gh_session") && b.cookies.contains_key("gh_2fa"));
    assert_eq!(b.get("/o/acme/dashboard").await.status, StatusCode::SEE_OTHER, "not signed in yet");
    let page = b.get("/sign-in/two-factor").await;
    assert!(page.body.contains("One more step"));
    let csrf = page.csrf();
    let r = b.post("/auth/two-factor", &[("csrf_token", &csrf), ("code", &first)]).await;
    assert_eq!(r.location(), "/sign-in/two-factor?error=invalid", "the code that turned it on does not work again");
    clock.advance(Duration::seconds(30));
    let next = code_at(&secret, step_of(clock.now()));
    let r = b.post("/auth/two-factor", &[("csrf_token", &csrf), ("code", &next)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(b.cookies.contains_key("gh_session") && !b.cookies.contains_key("gh_2fa"));
    assert_eq!(b.get("/o/acme/dashboard").await.status, StatusCode::OK);
    assert_eq!(t.count("audit_events WHERE action = 'user.signed_in' AND after_data LIKE '%password+totp%'"), 1);

    // A recovery code works once.
    let mut c2 = Client::new(test::init_service(app()).await);
    c2.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let csrf = c2.get("/sign-in/two-factor").await.csrf();
    let r = c2.post("/auth/two-factor", &[("csrf_token", &csrf), ("code", &recovery[3].to_uppercase())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.location());
    assert!(c2.cookies.contains_key("gh_session"));
    let mut c3 = Client::new(test::init_service(app()).await);
    c3.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let csrf = c3.get("/sign-in/two-factor").await.csrf();
    let r = c3.post("/auth/two-factor", &[("csrf_token", &csrf), ("code", &recovery[3])]).await;
    assert_eq!(r.location(), "/sign-in/two-factor?error=invalid", "used up");

    // Wrong codes are throttled like passwords; a waiting sign-in ends after five minutes.
    let mut last = String::new();
    for _ in 0..8 {
        last = c3.post("/auth/two-factor", &[("csrf_token", &csrf), ("code", "111111")]).await.location().to_string();
    }
    assert!(last.contains("error=throttled"), "{last}");
    let mut c4 = Client::new(test::init_service(app()).await);
    clock.advance(Duration::minutes(20));
    c4.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let csrf = c4.get("/sign-in/two-factor").await.csrf();
    clock.advance(Duration::minutes(6));
    let code = code_at(&secret, step_of(clock.now()));
    let r = c4.post("/auth/two-factor", &[("csrf_token", &csrf), ("code", &code)]).await;
    assert_eq!(r.location(), "/sign-in?error=second_factor_expired");
    assert!(!c4.cookies.contains_key("gh_session"));
    let r = Client::new(test::init_service(app()).await).post("/auth/two-factor", &[("code", &code)]).await;
    assert_ne!(r.status, StatusCode::OK, "no waiting sign-in, no session");

    // The organization requires it: a member without it is sent to set it up, for pages, server
    // functions and forms alike; the account page still opens.
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let csrf = owner.get("/sign-in/two-factor").await.csrf();
    clock.advance(Duration::seconds(30));
    let r = owner.post("/auth/two-factor", &[("csrf_token", &csrf), ("code", &code_at(&secret, step_of(clock.now())))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let settings = owner.get("/o/acme/settings").await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
    assert!(settings.body.contains("sign in without a second factor"));
    let r = owner.post("/o/acme/settings/security", &[("csrf_token", &settings.csrf()), ("require_two_factor", "on")]).await;
    assert_eq!(r.location(), "/o/acme/settings?done=1");
    assert_eq!(t.count("audit_events WHERE action = 'organization.security_settings'"), 1);
    let mut member = Client::new(test::init_service(app()).await);
    member.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let page = member.get("/o/acme/me").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(page.body.contains("/account#two-factor"), "sent to set it up");
    assert_eq!(member.get("/api/me?org=acme").await.status, StatusCode::FORBIDDEN);
    let csrf = member.get("/account").await.csrf();
    let r = member.post("/o/acme/requests", &[("csrf_token", &csrf), ("kind", "unit"), ("unit", "1"), ("justification", "x")]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(owner.get("/o/acme/dashboard").await.status, StatusCode::OK, "the owner has it");
    // Nobody turns it off while an organization of theirs requires it.
    let csrf = owner.get("/account").await.csrf();
    clock.advance(Duration::seconds(30));
    let r = owner.post("/account/two-factor/disable", &[("csrf_token", &csrf), ("code", &code_at(&secret, step_of(clock.now())))]).await;
    assert_eq!(r.location(), "/account?tf_error=required#two-factor");
    // Once the requirement is off, a current code turns it off.
    let csrf = owner.get("/o/acme/settings").await.csrf();
    owner.post("/o/acme/settings/security", &[("csrf_token", &csrf)]).await;
    assert_eq!(member.get("/o/acme/me").await.status, StatusCode::OK);
    let csrf = owner.get("/account").await.csrf();
    clock.advance(Duration::seconds(30));
    let r = owner.post("/account/two-factor/disable", &[("csrf_token", &csrf), ("code", &code_at(&secret, step_of(clock.now())))]).await;
    assert_eq!(r.location(), "/account?done=two_factor_off#two-factor");
    assert!(!t.db.with(|c| gatehouse_db::two_factor::enabled(c, user)).unwrap());
    assert_eq!(t.count(&format!("recovery_codes WHERE user_id = {}", user.0)), 0);
}
http_both!(sign_in, two_factor_sign_in);
