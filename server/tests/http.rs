//! HTTP integration tests: the real application (routes, middleware, server functions, SSR)
//! over a real database, on SQLite and on PostgreSQL.
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::test;
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{members, orgs, seed, users};
use gatehouse_domain::clock::{Clock, FixedClock};
use gatehouse_domain::session::SessionPolicy;
use gatehouse_server::AppState;
use std::collections::HashMap;
use std::sync::Arc;

fn state(t: &TestDb, clock: &FixedClock) -> AppState {
    AppState {
        db: t.db.clone(),
        clock: Arc::new(clock.clone()) as Arc<dyn Clock>,
        session_policy: SessionPolicy::default(),
        public_url: "http://127.0.0.1:3000".into(),
        policies: Default::default(),
    }
}

fn options() -> leptos::config::LeptosOptions {
    gatehouse_server::http::leptos_options("target/site", "127.0.0.1:3000".parse().unwrap())
}

/// A browser-like client: keeps cookies, reads the CSRF token off the pages.
struct Client<S> {
    svc: S,
    cookies: HashMap<String, String>,
}

struct Resp {
    status: StatusCode,
    headers: header::HeaderMap,
    body: String,
}

impl Resp {
    fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
    fn csrf(&self) -> String {
        let i = self.body.find("name=\"csrf_token\" value=\"").expect("csrf field on the page") + 25;
        self.body[i..i + 64].to_string()
    }
}

impl<S, B> Client<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    async fn send(&mut self, req: test::TestRequest) -> Resp {
        let mut req = req.peer_addr("127.0.0.1:40000".parse().unwrap());
        if !self.cookies.is_empty() {
            let c: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.insert_header((header::COOKIE, c.join("; ")));
        }
        let resp = test::call_service(&self.svc, req.to_request()).await;
        for c in resp.response().cookies() {
            if c.value().is_empty() {
                self.cookies.remove(c.name());
            } else {
                self.cookies.insert(c.name().to_string(), c.value().to_string());
            }
        }
        let status = resp.status();
        let headers = resp.headers().clone();
        let body = String::from_utf8_lossy(&test::read_body(resp).await).to_string();
        Resp { status, headers, body }
    }
    async fn get(&mut self, path: &str) -> Resp {
        self.send(test::TestRequest::get().uri(path)).await
    }
    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Resp {
        self.send(test::TestRequest::post().uri(path).set_form(form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>())).await
    }
    async fn sign_in(&mut self, email: &str, password: &str) -> Resp {
        let mut page = self.get("/sign-in").await;
        if page.status == StatusCode::SEE_OTHER {
            // Already signed in: the form token is the session's.
            page = self.get("/orgs").await;
        }
        assert_eq!(page.status, StatusCode::OK);
        let csrf = page.csrf();
        self.post("/auth/sign-in", &[("csrf_token", &csrf), ("email", email), ("password", password)]).await
    }
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

async fn seeded(t: &TestDb) {
    seed::seed_demo(&t.db, 40, now()).unwrap();
}

/// A hung request fails the test instead of stalling the suite.
async fn within_limit(f: impl std::future::Future<Output = ()>) {
    actix_web::rt::time::timeout(std::time::Duration::from_secs(120), f).await.expect("the test hung: a request never completed");
}

macro_rules! http_both {
    ($name:ident, $body:ident) => {
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                let t = gatehouse_db::testing::TestDb::sqlite();
                super::within_limit(super::$body(&t)).await;
            }
            #[actix_web::test]
            async fn postgres() {
                if let Some(t) = gatehouse_db::testing::TestDb::postgres() {
                    super::within_limit(super::$body(&t)).await;
                }
            }
        }
    };
}

async fn sign_in_flow_sessions_and_security_headers(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut c = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new() };

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
    let figures = t.db.with(|conn| gatehouse_db::views::dashboard::dashboard(conn, acme.id)).unwrap();
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
    let mut c = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new() };
    for _ in 0..6 {
        assert_eq!(c.sign_in(seed::DEMO_OWNER, "wrong").await.location(), "/sign-in?error=invalid");
    }
    // Locked: even the right password waits.
    let r = c.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    assert!(r.location().starts_with("/sign-in?error=throttled&retry="), "{}", r.location());
    // Another person from the same address is not locked out by those failures.
    let mut colleague = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new() };
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

async fn organizations_are_isolated_and_admin_screens_refused(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut c = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new() };
    let nordwind = t.db.with(|conn| orgs::by_slug(conn, "nordwind")).unwrap().unwrap();
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let nw_member = t.db.with(|conn| gatehouse_db::views::members::list(conn, nordwind.id, &Default::default())).unwrap();
    let _ = nw_member;
    let nw_any = t.db.with(|conn| {
        gatehouse_db::views::members::list(conn, nordwind.id, &gatehouse_domain::members_query::MemberQuery::from_params(|_| None))
    }).unwrap().rows[0].id;

    // member@ belongs to acme only, without an organization role.
    assert_eq!(c.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await.location(), "/");
    assert_eq!(c.get("/").await.location(), "/o/acme/me");
    let me = c.get("/o/acme/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert!(me.body.contains("Max Mitglied") && me.body.contains("lang=\"de\""), "own page in the member's language");

    // Admin screens: refused with the owner named, as a page and as a server function.
    for path in ["/o/acme/dashboard", "/o/acme/members", "/o/acme/units"] {
        let r = c.get(path).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{path}");
        assert!(r.body.contains("Dana Demo"), "{path} names the contact");
    }
    for api in ["/api/dashboard?org=acme", "/api/units?org=acme", "/api/members?org=acme", "/api/member-filters?org=acme"] {
        assert_eq!(c.get(api).await.status, StatusCode::FORBIDDEN, "{api}");
    }
    let demo_user = t.db.with(|conn| users::find_by_email(conn, seed::DEMO_OWNER)).unwrap().unwrap();
    let owner_m = t.db.with(|conn| members::active_membership(conn, demo_user.id, acme.id)).unwrap().unwrap().id;
    assert_eq!(c.get(&format!("/api/member?org=acme&id={}", owner_m.0)).await.status, StatusCode::FORBIDDEN);

    // Another organization: 404 everywhere, never a hint it exists.
    for path in ["/o/nordwind/dashboard", "/o/nordwind/me", "/o/nordwind/members", "/o/nosuchorg/dashboard"] {
        assert_eq!(c.get(path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    for api in ["/api/dashboard?org=nordwind", "/api/me?org=nordwind", "/api/units?org=nosuchorg"] {
        assert_eq!(c.get(api).await.status, StatusCode::NOT_FOUND, "{api}");
    }

    // An administrator of acme cannot read nordwind's member through acme's URL.
    let mut admin = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new() };
    admin.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    assert_eq!(admin.get(&format!("/o/acme/members/{}", nw_any.0)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(admin.get(&format!("/api/member?org=acme&id={}", nw_any.0)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(admin.get(&format!("/o/nordwind/members/{}", nw_any.0)).await.status, StatusCode::OK);
    // Malformed arguments: a clear 400, never a 500.
    let bad = admin.get("/api/member?org=acme&id=abc").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(admin.get("/api/member?org=acme").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(admin.get("/o/acme/members/abc").await.status, StatusCode::NOT_FOUND);
    let list = admin.get("/api/members?org=acme&q=mitglied").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Max Mitglied") && list.body.contains("\"total\":1"), "{}", list.body);
}
http_both!(isolation, organizations_are_isolated_and_admin_screens_refused);

async fn language_follows_the_account(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut c = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new() };
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

/// Two server instances on one PostgreSQL serve the same signed-in user.
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
    let mut a = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new() };
    let mut b_state = state(t, &clock);
    b_state.db = other;
    let b_svc = test::init_service(gatehouse_server::http::app(b_state, options())).await;
    a.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let mut b = Client { svc: b_svc, cookies: a.cookies.clone() };
    assert_eq!(b.get("/o/acme/dashboard").await.status, StatusCode::OK);
}
