//! Signing in and out, sessions, the language, password reset and email change.
use crate::common::*;

async fn sign_in_flow_sessions_and_security_headers(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut c = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };

    let health = c.get("/health").await;
    assert_eq!(health.status, StatusCode::OK);
    assert!(health.body.contains("\"ok\""));

    // Signed out: pages redirect to sign-in, server functions answer 401.
    let r = c.get("/o/acme/dashboard").await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/sign-in?next=/o/acme/dashboard"));
    assert_eq!(c.get("/api/dashboard?org=acme").await.status, StatusCode::UNAUTHORIZED);

    // A form post without the CSRF token is refused and changes nothing.
    let r = c.post("/auth/sign-in", &[("email", seed::DEMO_OWNER), ("password", seed::DEMO_PASSWORD)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!c.cookies.contains_key("gh_session"));

    // Wrong password: same answer as an unknown email (no enumeration).
    let wrong = c.sign_in(seed::DEMO_OWNER, "wrong").await;
    let unknown = c.sign_in("nobody@nowhere.test", "wrong").await;
    assert_eq!((wrong.location(), unknown.location()), ("/sign-in?error=invalid", "/sign-in?error=invalid"));

    let r = c.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/"));
    let set_cookie = r.headers.get_all(header::SET_COOKIE).map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>().join("\n");
    assert!(set_cookie.contains("gh_session=") && set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "http development URL: no Secure flag");
    let first_session = c.cookies["gh_session"].clone();
    assert_eq!(t.count("sessions"), 1);

    // The start page picks the switcher (three organizations).
    assert_eq!(c.get("/").await.location(), "/orgs");

    // The dashboard: real figures, CSP with a nonce, the usual security headers.
    let d = c.get("/o/acme/dashboard").await;
    assert_eq!(d.status, StatusCode::OK);
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let figures = t.db.with(|conn| gatehouse_db::views::dashboard::dashboard(conn, acme.id, now())).unwrap();
    assert!(d.body.contains(&format!("id=\"fig-invited\" class=\"figure-value\">{}<", figures.invited)), "invited figure from the database");
    assert!(d.body.contains(&format!("id=\"fig-active\" class=\"figure-value\">{}<", figures.active_counted)));
    let csp = d.headers.get("content-security-policy").unwrap().to_str().unwrap();
    let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap();
    assert!(d.body.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce");
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(d.headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(d.headers.get("referrer-policy").unwrap(), "same-origin");
    assert_eq!(d.headers.get("cache-control").unwrap(), "no-store");
    assert!(d.headers.get("x-request-id").is_some());

    // Signing in again rotates the session: the old token no longer works.
    c.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    assert_ne!(c.cookies["gh_session"], first_session);
    assert_eq!(t.count("sessions"), 1);

    // Idle timeout: 31 minutes later the session is gone.
    clock.advance(Duration::minutes(31));
    let r = c.get("/o/acme/dashboard").await;
    assert_eq!(r.location(), "/sign-in?next=/o/acme/dashboard&error=expired");
    assert_eq!(t.count("sessions"), 0);

    // Sign out.
    c.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = c.get("/o/acme/dashboard").await;
    let r = c.post("/auth/sign-out", &[("csrf_token", &page.csrf())]).await;
    assert_eq!(r.location(), "/sign-in?signed_out=1");
    assert_eq!(t.count("sessions"), 0);
    assert_eq!(c.get("/o/acme/dashboard").await.status, StatusCode::SEE_OTHER);
}
http_both!(sign_in, sign_in_flow_sessions_and_security_headers);

async fn failed_sign_ins_are_throttled(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut c = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    for _ in 0..6 {
        assert_eq!(c.sign_in(seed::DEMO_OWNER, "wrong").await.location(), "/sign-in?error=invalid");
    }
    // Locked: even the right password waits.
    let r = c.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    assert!(r.location().starts_with("/sign-in?error=throttled&retry="), "{}", r.location());
    // Another person from the same address is not locked out by those failures.
    let mut colleague = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    assert_eq!(colleague.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await.location(), "/");
    clock.advance(Duration::seconds(31));
    assert_eq!(c.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await.location(), "/");
    // Guessing across many accounts from one address is throttled too.
    for i in 0..21 {
        c.sign_in(&format!("guess{i}@nowhere.test"), "wrong").await;
    }
    let r = colleague.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    assert!(r.location().starts_with("/sign-in?error=throttled"), "{}", r.location());
}
http_both!(throttling, failed_sign_ins_are_throttled);

async fn language_follows_the_account(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut c = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    c.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = c.get("/o/acme/dashboard").await;
    assert!(page.body.contains("lang=\"en\"") && page.body.contains(">Dashboard<"));
    let r = c.post("/language", &[("csrf_token", &page.csrf()), ("locale", "de"), ("back", "/o/acme/dashboard")]).await;
    assert_eq!(r.location(), "/o/acme/dashboard");
    let page = c.get("/o/acme/dashboard").await;
    assert!(page.body.contains("lang=\"de\"") && page.body.contains(">Übersicht<"));
    let u = t.db.with(|conn| users::find_by_email(conn, seed::DEMO_OWNER)).unwrap().unwrap();
    assert_eq!(u.locale, gatehouse_domain::locale::Locale::De);
    // An open redirect is not possible through `back`.
    let r = c.post("/language", &[("csrf_token", &page.csrf()), ("locale", "en"), ("back", "https://evil.example/")]).await;
    assert_eq!(r.location(), "/");
}
http_both!(language, language_follows_the_account);

/// Two server instances on one PostgreSQL serve the same signed-in user and agree on every
/// authorization change at the next request.
#[actix_web::test]
async fn two_instances_share_sessions_on_postgres() {
    let Some(t) = TestDb::postgres() else { return };
    within_limit(two_instances(&t)).await;
}

async fn two_instances(t: &TestDb) {
    let t = t;
    seeded(t).await;
    let clock = FixedClock::at(now());
    let other = gatehouse_db::Db::connect(&t.url, 2).unwrap();
    let mut a = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    let mut b_state = state(t, &clock);
    b_state.db = other;
    let b_svc = test::init_service(gatehouse_server::http::app(b_state, options())).await;
    a.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let mut b = Client { svc: b_svc, cookies: a.cookies.clone(), peer: None, forwarded_for: None };
    assert_eq!(b.get("/o/acme/dashboard").await.status, StatusCode::OK);

    // Authorization changes reach the other instance at its next request, whatever it cached:
    // Max gets members.view through an addition on A, B lets him list members; A withdraws
    // it, B refuses at once.
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let max = t.db.with(|conn| members::by_email(conn, acme.id, seed::DEMO_MEMBER)).unwrap().unwrap().0;
    let mut max_b = Client { svc: test::init_service(gatehouse_server::http::app({ let mut s = state(t, &clock); s.db = gatehouse_db::Db::connect(&t.url, 2).unwrap(); s }, options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    max_b.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    assert_eq!(max_b.get("/api/members?org=acme").await.status, StatusCode::FORBIDDEN, "B caches a policy without the grant");
    let csrf = a.get("/o/acme/roles").await.csrf();
    let r = a.post(&format!("/o/acme/members/{max}/adjustments"), &[("csrf_token", &csrf), ("kind", "add"), ("permission", "members.view"), ("scope", "organization"), ("visibility", "individual")]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    assert_eq!(max_b.get("/api/members?org=acme").await.status, StatusCode::OK, "B sees the addition made on A");
    let adj = t.db.with(|c| gatehouse_db::authz::adjustments_of(c, acme.id, gatehouse_domain::ids::MembershipId(max))).unwrap()[0].id;
    let r = a.post(&format!("/o/acme/members/{max}/adjustments/{adj}/remove"), &[("csrf_token", &csrf)]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    assert_eq!(max_b.get("/api/members?org=acme").await.status, StatusCode::FORBIDDEN, "the removal on A takes effect on B at once");
}

/// Password reset by email: the same answer for unknown addresses, a single-use link in the
/// mail, a new password, every session ended.
async fn password_reset_by_email(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut c = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    let mut other_browser = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    other_browser.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let page = c.get("/forgot-password").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let unknown = c.post("/auth/forgot-password", &[("csrf_token", &csrf), ("email", "nobody@nowhere.test")]).await;
    let known = c.post("/auth/forgot-password", &[("csrf_token", &csrf), ("email", seed::DEMO_MEMBER)]).await;
    assert_eq!((unknown.location(), known.location()), ("/forgot-password?sent=1", "/forgot-password?sent=1"), "no account enumeration");
    let mails = t.db.with(|conn| gatehouse_db::testing::latest_mail(conn, 10)).unwrap();
    assert_eq!(mails.len(), 1, "one mail, to the known address only");
    assert_eq!((mails[0].to.as_str(), mails[0].subject.as_str()), (seed::DEMO_MEMBER, "Neues Gatehouse-Passwort festlegen"), "in Max's language");
    let body = mails[0].text.clone().unwrap();
    let link = body.lines().find(|l| l.starts_with("http://127.0.0.1:3000/reset-password?token=")).expect("an absolute link").to_string();
    let path = link.trim_start_matches("http://127.0.0.1:3000");
    let form = c.get(path).await;
    assert!(form.body.contains("name=\"password2\""), "the link opens the form");
    let csrf = form.csrf();
    let token = path.split("token=").nth(1).unwrap();
    let weak = c.post("/auth/reset-password", &[("csrf_token", &csrf), ("token", token), ("password", "weakweak"), ("password2", "weakweak")]).await;
    assert!(weak.location().contains("error=weak"));
    let r = c.post("/auth/reset-password", &[("csrf_token", &csrf), ("token", token), ("password", "Neues-Passwort-2026"), ("password2", "Neues-Passwort-2026")]).await;
    assert_eq!(r.location(), "/sign-in?reset=1");
    assert_eq!(other_browser.get("/o/acme/me").await.status, StatusCode::SEE_OTHER, "every session ended");
    let again = c.post("/auth/reset-password", &[("csrf_token", &csrf), ("token", token), ("password", "Noch-ein-Passwort-1"), ("password2", "Noch-ein-Passwort-1")]).await;
    assert!(again.location().contains("error=invalid"), "single use");
    assert_eq!(c.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await.location(), "/sign-in?error=invalid");
    assert_eq!(c.sign_in(seed::DEMO_MEMBER, "Neues-Passwort-2026").await.location(), "/");
}
http_both!(password_reset, password_reset_by_email);

/// A member changes their email address from their account page: the new address confirms
/// from its mail link, the old one is told; a wrong password changes nothing.
async fn email_change_from_the_account_page(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut max = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    assert_eq!(max.get("/account").await.location(), "/sign-in?next=/account", "signed out: to sign-in");
    max.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let page = max.get("/account").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(seed::DEMO_MEMBER) && page.body.contains("name=\"new_email\""));
    let csrf = page.csrf();
    let mails_before = t.count("email_outbox");
    let r = max.post("/auth/email-change", &[("csrf_token", &csrf), ("new_email", "max@neu.example"), ("password", "falsch-falsch-1")]).await;
    assert_eq!(r.location(), "/account?error=password&new_email=max%40neu.example");
    assert!(max.get(r.location()).await.body.contains("Das Passwort stimmt nicht."), "in Max's language");
    assert_eq!(t.count("email_outbox"), mails_before);
    let r = max.post("/auth/email-change", &[("csrf_token", &csrf), ("new_email", "Max@Neu.example"), ("password", seed::DEMO_PASSWORD)]).await;
    assert_eq!(r.location(), "/account?done=requested");
    assert!(max.get("/account").await.body.contains("Wartet auf Bestätigung: max@neu.example"));
    let mails = t.db.with(|conn| gatehouse_db::testing::latest_mail(conn, 2)).unwrap();
    let confirm = mails.iter().find(|m| m.to == "max@neu.example").expect("a confirmation to the new address");
    assert!(mails.iter().any(|m| m.to == seed::DEMO_MEMBER), "the old address is told");
    let body = confirm.text.clone().unwrap();
    let link = body.lines().find(|l| l.starts_with("http://127.0.0.1:3000/confirm-email?token=")).expect("an absolute link");
    let path = link.trim_start_matches("http://127.0.0.1:3000").to_string();
    let token = path.split("token=").nth(1).unwrap().to_string();
    // Opened in another browser, signed out: opening changes nothing, the button does.
    let mut other = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    let open = other.get(&path).await;
    assert_eq!(open.status, StatusCode::OK);
    assert!(open.body.contains("max@neu.example") && open.body.contains("action=\"/auth/confirm-email\""), "{}", open.body);
    assert!(t.db.with(|c| users::find_by_email(c, seed::DEMO_MEMBER)).unwrap().is_some());
    let r = other.post("/auth/confirm-email", &[("csrf_token", &open.csrf()), ("token", &token)]).await;
    assert_eq!(r.location(), "/confirm-email?done=1");
    assert!(t.db.with(|c| users::find_by_email(c, "max@neu.example")).unwrap().is_some());
    assert!(t.db.with(|c| users::find_by_email(c, seed::DEMO_MEMBER)).unwrap().is_none());
    let told = t.db.with(|conn| gatehouse_db::testing::latest_mail(conn, 1)).unwrap().remove(0);
    assert_eq!((told.to.as_str(), told.subject.as_str()), (seed::DEMO_MEMBER, "Ihre Gatehouse-E-Mail-Adresse wurde geändert"));
    let again = other.get(&path).await;
    assert!(again.body.contains("no longer works"), "the link worked once");
    // The new address signs in; the old one does not.
    let mut fresh = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    assert_eq!(fresh.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await.location().contains("error"), true);
    assert_eq!(fresh.sign_in("max@neu.example", seed::DEMO_PASSWORD).await.status, StatusCode::SEE_OTHER);
    assert_eq!(fresh.get("/account").await.status, StatusCode::OK);

    // Not Max after all? The old address undoes the change from the mail: the page says what
    // happens (opening it changes nothing), the button does it. Signed out, the page speaks the
    // browser's language; the mail goes out in Max's.
    let undo = told.text.unwrap().lines().find(|l| l.starts_with("http://127.0.0.1:3000/cancel-email-change?token=")).expect("an undo link").to_string();
    let undo_path = undo.trim_start_matches("http://127.0.0.1:3000").to_string();
    let undo_token = undo_path.split_once("token=").unwrap().1.to_string();
    let mut old_box = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    let open = old_box.get(&undo_path).await;
    assert!(open.body.contains("Undo the address change") && open.body.contains(seed::DEMO_MEMBER) && open.body.contains("every session"), "{}", open.body);
    assert!(!open.body.contains("max@neu.example"), "the page names only the address to go back to");
    assert!(t.db.with(|c| users::find_by_email(c, "max@neu.example")).unwrap().is_some(), "opening changed nothing");
    let r = old_box.post("/auth/cancel-email-change", &[("csrf_token", &open.csrf()), ("token", &undo_token)]).await;
    assert_eq!(r.location(), "/cancel-email-change?done=reverted");
    assert!(old_box.get(r.location()).await.body.contains("The change was undone"));
    assert!(t.db.with(|c| users::find_by_email(c, seed::DEMO_MEMBER)).unwrap().is_some(), "the old address is back");
    assert_eq!(fresh.get("/account").await.status, StatusCode::SEE_OTHER, "the session that used the new address ended");
    let mut again = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    assert!(again.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await.location().contains("error"), "the known password is cleared");
    let back = t.db.with(|conn| gatehouse_db::testing::latest_mail(conn, 1)).unwrap().remove(0);
    assert_eq!((back.to.as_str(), back.subject.as_str()), (seed::DEMO_MEMBER, "Ihre Gatehouse-E-Mail-Adresse wurde zurückgesetzt"));
    assert!(back.text.unwrap().contains("/reset-password?token="), "a link to set a new password");
}
http_both!(email_change, email_change_from_the_account_page);
