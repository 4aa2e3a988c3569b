//! HTTP integration tests: the real application (routes, middleware, server functions, SSR)
//! over a real database, on SQLite and on PostgreSQL. The harness is in `common/`.
#[macro_use]
mod common;
use common::*;

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

async fn organizations_are_isolated_and_admin_screens_refused(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut c = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
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
    let mut admin = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
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

/// Every registered server function, page and form route of an organization — enumerated from
/// what is registered, so a new one without a case here fails — refuses a signed-in member
/// without the permission and answers 404 to a user of another organization.
async fn every_route_refuses_the_unpermitted_and_strangers(t: &TestDb) {
    seeded(t).await;
    let hash = gatehouse_db::password::hash("outsider-password-1");
    t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "out@beta.test", "Otto Outsider", Some(&hash), "default", now())).unwrap();
    let clock = FixedClock::at(now());
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let other = t.db.with(|conn| members::by_email(conn, acme.id, seed::DEMO_OWNER)).unwrap().unwrap().0;
    let me = t.db.with(|conn| members::by_email(conn, acme.id, seed::DEMO_MEMBER)).unwrap().unwrap().0;
    let role = t.db.with(|conn| gatehouse_db::roles::list(conn, acme.id)).unwrap()[0].id.0;
    let cup = {
        let cache = gatehouse_db::authz::PolicyCache::new();
        let p = t.db.with(|c| cache.get(c, acme.id)).unwrap();
        let owner = gatehouse_domain::ids::MembershipId(other);
        t.db.with(|c| gatehouse_db::items::create(c, acme.id, &p, owner, "tournaments", "Owner's cup", None, None, gatehouse_domain::actor::Actor::System, now())).unwrap()
    };
    // An open invitation, made by the owner, for the resend/withdraw cases.
    let invitation = {
        let p = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
        let who = gatehouse_domain::people::Invitee {
            email: "invitee@example.test".into(),
            name: "Ina Invitee".into(),
            mobile_phone: None,
            locale: gatehouse_domain::locale::Locale::En,
            kind: gatehouse_domain::member::MemberKind::Employee,
            tags: vec![],
            units: vec![],
            roles: vec![],
            existing_identity: false,
        };
        let owner = gatehouse_domain::ids::MembershipId(other);
        t.db.with(|c| gatehouse_db::invitations::invite_checked(c, acme.id, &p, owner, &who, "http://127.0.0.1:3000", gatehouse_domain::actor::Actor::System, now())).unwrap();
        t.db.with(|c| gatehouse_db::invitations::list(c, acme.id, false, now(), 5)).unwrap()[0].id
    };
    // A pending request by the owner (to join a unit she is not in), for the request cases.
    let request = {
        let p = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
        let owner = gatehouse_domain::ids::MembershipId(other);
        let units = t.db.with(|c| gatehouse_db::units::list(c, acme.id)).unwrap();
        units
            .iter()
            .find_map(|u| {
                let asked = gatehouse_domain::requests::Asked::Unit { unit: u.id };
                t.db.with(|c| gatehouse_db::requests::create(c, acme.id, &p, owner, &asked, "Cover for a colleague", None, "http://127.0.0.1:3000", gatehouse_domain::actor::Actor::System, now())).ok()
            })
            .expect("a unit the owner is not in")
    };
    // An uploaded file waiting in its preview, for the import cases.
    let import = {
        let p = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
        let owner = gatehouse_domain::ids::MembershipId(other);
        t.db.with(|c| gatehouse_db::imports::upload(c, acme.id, &p, owner, "p.csv", "email,name\nimp@example.test,Imp\n", gatehouse_domain::actor::Actor::System, now())).unwrap()
    };

    // A former member waiting for anonymization, for the compliance cases.
    let (case, pseudonym) = {
        let left = t
            .db
            .tx(|c| {
                let user = gatehouse_db::users::create(
                    c,
                    &gatehouse_db::users::NewUser { email: "left@example.test", display_name: "Lee Left", locale: gatehouse_domain::locale::Locale::En, password_hash: None, is_system: false },
                    gatehouse_domain::actor::Actor::System,
                    now(),
                )?;
                gatehouse_db::members::add(
                    c,
                    &gatehouse_db::members::NewMember {
                        org: acme.id,
                        user,
                        kind: gatehouse_domain::member::MemberKind::Employee,
                        status: gatehouse_domain::member::MemberStatus::Active,
                        mobile_phone: None,
                        job_title: None,
                        end_date: None,
                        role_holder_only: false,
                        units: &[],
                        tags: &[],
                    },
                    gatehouse_domain::actor::Actor::System,
                    now(),
                )
            })
            .unwrap();
        let case = t.db.with(|c| gatehouse_db::compliance::end_membership(c, acme.id, None, left, "http://127.0.0.1:3000", gatehouse_domain::actor::Actor::System, now())).unwrap();
        (case, t.db.with(|c| gatehouse_db::compliance::pseudonym_for(c, acme.id, left)).unwrap())
    };

    // How to call each thing, with a member of acme who holds no admin permission (`member`)
    // and with the owner of another organization (`stranger`). Own-data endpoints say so.
    let api_cases: Vec<(&str, String, bool)> = vec![
        ("/api/dashboard", "org=acme".into(), false),
        ("/api/units", "org=acme".into(), false),
        ("/api/members", "org=acme".into(), false),
        ("/api/member-filters", "org=acme".into(), false),
        ("/api/member", format!("org=acme&id={other}"), false),
        ("/api/me", "org=acme".into(), true),
        ("/api/roles", "org=acme".into(), false),
        ("/api/role", format!("org=acme&id={role}"), false),
        ("/api/role-matrix", "org=acme".into(), false),
        ("/api/member-access", format!("org=acme&id={other}"), false),
        ("/api/member-page", format!("org=acme&id={other}"), false),
        ("/api/who-can", "org=acme&permission=members.view".into(), false),
        ("/api/org-roles", "org=acme".into(), false),
        // The content browser lists what the engine lets the member see (checked below).
        ("/api/content", "org=acme&module=tournaments".into(), true),
        ("/api/mail", "org=acme".into(), false),
        ("/api/invitations", "org=acme".into(), false),
        ("/api/import", format!("org=acme&id={import}"), false),
        // Every member asks and sees their own requests; the owner's request is not theirs.
        ("/api/requests", "org=acme".into(), true),
        ("/api/request", format!("org=acme&id={request}"), false),
        ("/api/compliance", "org=acme".into(), false),
        ("/api/compliance-case", format!("org=acme&id={case}"), false),
    ];
    // Not about an organization's data: the signed-in person's own identity and memberships,
    // and the pages behind emailed links (which show only what the link itself carries).
    let not_org_data = ["/api/viewer", "/api/reset-link", "/api/sign-in-link", "/api/invitation-link", "/api/account", "/api/email-change-link"];
    let mut registered: Vec<&str> = leptos::server_fn::actix::server_fn_paths().map(|(p, _)| p).collect();
    registered.sort();
    for p in &registered {
        assert!(api_cases.iter().any(|c| c.0 == *p) || not_org_data.contains(p), "server function {p} has no authorization case");
    }
    let page_cases: Vec<(String, bool)> = vec![
        ("/o/acme/dashboard".into(), false),
        ("/o/acme/members".into(), false),
        (format!("/o/acme/members/{other}"), false),
        ("/o/acme/units".into(), false),
        ("/o/acme/me".into(), true),
        ("/o/acme/roles".into(), false),
        ("/o/acme/roles/matrix".into(), false),
        (format!("/o/acme/roles/{role}"), false),
        ("/o/acme/who-can".into(), false),
        ("/o/acme/org-roles".into(), false),
        ("/o/acme/content".into(), true),
        ("/o/acme/content/tournaments".into(), true),
        ("/o/acme/mail".into(), false),
        ("/o/acme/invitations".into(), false),
        (format!("/o/acme/imports/{import}"), false),
        ("/o/acme/requests".into(), true),
        (format!("/o/acme/requests/{request}"), false),
        ("/o/acme/compliance".into(), false),
        (format!("/o/acme/compliance/{case}"), false),
        (format!("/o/acme/compliance/{case}/anonymize"), false),
        (format!("/o/acme/compliance/{case}/remind"), false),
    ];
    let pattern_of = |path: &str| -> String {
        path.split('/').map(|s| if s.chars().all(|c| c.is_ascii_digit()) && !s.is_empty() { "{id}" } else if s == "acme" { "{org}" } else if s == "tournaments" { "{module}" } else { s }).collect::<Vec<_>>().join("/")
    };
    for r in gatehouse_server::http::routes() {
        let p = r.path();
        if p.starts_with("/o/") {
            assert!(page_cases.iter().any(|(c, _)| pattern_of(c) == p), "page {p} has no authorization case");
        }
    }
    let form_cases: Vec<(&str, String, Vec<(&str, String)>)> = vec![
        ("POST", "/o/acme/roles/new".into(), vec![("key", "sneaky".into()), ("name", "Sneaky".into()), ("from", "tpl:permission-matrix:company_admin".into())]),
        ("POST", format!("/o/acme/roles/{role}"), vec![("name", "Renamed".into()), ("version", "1".into()), ("g.audit.view.organization", "on".into())]),
        ("POST", format!("/o/acme/roles/{role}/retire"), vec![("end_assignments", "on".into())]),
        ("POST", "/o/acme/templates/apply".into(), vec![("template", "user-levels".into())]),
        ("POST", "/o/acme/modules".into(), vec![("module_key", "sneaky".into()), ("actions", "view".into())]),
        ("GET", "/o/acme/roles/matrix.csv".into(), vec![]),
        ("POST", format!("/o/acme/members/{me}/assignments"), vec![("role", role.to_string())]),
        ("POST", format!("/o/acme/members/{other}/assignments/1/remove"), vec![]),
        ("POST", format!("/o/acme/members/{me}/adjustments"), vec![("kind", "add".into()), ("permission", "audit.view".into()), ("scope", "organization".into())]),
        ("POST", format!("/o/acme/members/{other}/adjustments/1/remove"), vec![]),
        ("POST", "/o/acme/org-roles".into(), vec![("role", "administrator".into()), ("email", seed::DEMO_MEMBER.into()), ("change", "appoint".into())]),
        ("POST", "/o/acme/content/tournaments/new".into(), vec![("title", "Sneaky cup".into())]),
        ("POST", "/o/acme/content/tournaments/bulk-delete".into(), vec![("item", cup.to_string())]),
        ("POST", format!("/o/acme/content/tournaments/{cup}"), vec![("title", "Renamed".into()), ("version", "1".into())]),
        ("POST", format!("/o/acme/content/tournaments/{cup}/delete"), vec![]),
        ("POST", format!("/o/acme/content/tournaments/{cup}/invite"), vec![("email", seed::DEMO_MEMBER.into())]),
        ("POST", "/o/acme/mail/1/retry".into(), vec![]),
        ("POST", "/o/acme/invitations".into(), vec![("email", "sneaky@example.test".into()), ("name", "Sneaky".into())]),
        ("POST", "/o/acme/invitations/settings".into(), vec![("valid_days", "30".into()), ("reminder_days", "0".into())]),
        ("POST", format!("/o/acme/invitations/{invitation}/resend"), vec![]),
        ("POST", format!("/o/acme/invitations/{invitation}/revoke"), vec![]),
        ("GET", "/o/acme/members.csv".into(), vec![]),
        ("POST", "/o/acme/imports".into(), vec![]),
        ("POST", format!("/o/acme/imports/{import}/start"), vec![]),
        ("POST", format!("/o/acme/imports/{import}/discard"), vec![]),
        ("POST", "/o/acme/requests".into(), vec![("kind", "role".into()), ("role", role.to_string()), ("justification", "Please".into())]),
        ("POST", "/o/acme/requests/settings".into(), vec![("reminder_days", "1".into()), ("expiry_days", "2".into())]),
        ("POST", format!("/o/acme/requests/{request}/decide"), vec![("decision", "approve".into())]),
        ("POST", format!("/o/acme/requests/{request}/withdraw"), vec![]),
        ("POST", format!("/o/acme/requests/{request}/revoke"), vec![("comment", "no".into())]),
        ("POST", format!("/o/acme/members/{other}/end"), vec![("when", "now".into())]),
        ("POST", "/o/acme/compliance/settings".into(), vec![("auto_days", "1".into())]),
        ("POST", format!("/o/acme/compliance/{case}/anonymize"), vec![("confirm", pseudonym.clone())]),
        ("POST", format!("/o/acme/compliance/{case}/remind"), vec![("remind_on", "2030-01-01".into())]),
    ];
    let form_pattern = |path: &str| -> String {
        let mut ids = 0;
        path.split('/')
            .map(|s| {
                if s == "acme" {
                    "{org}".to_string()
                } else if s == "tournaments" {
                    "{module}".to_string()
                } else if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
                    ids += 1;
                    if ids == 1 { "{id}".into() } else { "{aid}".into() }
                } else {
                    s.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    for (method, pattern) in gatehouse_server::forms::ORG_FORMS {
        assert!(form_cases.iter().any(|(m, p, _)| m == method && form_pattern(p) == *pattern), "form route {method} {pattern} has no authorization case");
    }

    let mut member = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    member.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let mut stranger = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    stranger.sign_in("out@beta.test", "outsider-password-1").await;
    let audit_before = t.count("audit_events");
    let version_before = t.db.with(|c| gatehouse_db::authz::version(c, acme.id)).unwrap();

    for (path, query, own) in &api_cases {
        let url = format!("{path}?{query}");
        let r = member.get(&url).await;
        if *own && path.ends_with("/requests") {
            assert_eq!(r.status, StatusCode::OK, "{url}: own requests");
            assert!(r.body.contains("\"mine\":[]") && r.body.contains("\"to_decide\":[]") && !r.body.contains("Dana Demo"), "{url}: nothing of the owner's: {}", r.body);
        } else if *own && path.ends_with("/content") {
            assert_eq!(r.status, StatusCode::OK, "{url}: filtered by the engine");
            assert!(r.body.contains("\"items\":[]") && r.body.contains("\"can_create\":false"), "{url}: a developer sees none of the others' tournaments: {}", r.body);
        } else if *own {
            assert_eq!(r.status, StatusCode::OK, "{url}: own data");
            assert!(r.body.contains("Max Mitglied") && !r.body.contains("Dana Demo"), "{url}: only the member's own data");
        } else {
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{url} as a member without the permission: {}", r.body);
        }
        assert_eq!(stranger.get(&url).await.status, StatusCode::NOT_FOUND, "{url} as another organization's user");
    }
    for (path, own) in &page_cases {
        let r = member.get(path).await;
        assert_eq!(r.status, if *own { StatusCode::OK } else { StatusCode::FORBIDDEN }, "{path} as a member");
        if !*own {
            assert!(r.body.contains("Dana Demo"), "{path}: the refusal names the contact");
        }
        assert_eq!(stranger.get(path).await.status, StatusCode::NOT_FOUND, "{path} as another organization's user");
    }
    let member_csrf = member.get("/o/acme/me").await.csrf();
    let stranger_csrf = stranger.get("/o/beta/me").await.csrf();
    for (method, path, fields) in &form_cases {
        for (who, csrf) in [(&mut member, &member_csrf), (&mut stranger, &stranger_csrf)] {
            let r = if *method == "GET" {
                who.get(path).await
            } else if path.ends_with("/imports") {
                who.upload(path, &[("csrf_token", csrf)], "sneaky.csv", "email,name\nsneaky@example.test,Sneaky\n").await
            } else {
                let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                form.push(("csrf_token", csrf));
                who.post(path, &form).await
            };
            let is_member = csrf == &member_csrf;
            if !is_member {
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path} as another organization's user");
            } else if *method == "GET" {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path} as a member");
            } else {
                // Refused in the member's words (German), back on the page, nothing changed.
                let ok = r.status == StatusCode::NOT_FOUND || (r.status == StatusCode::SEE_OTHER && r.location().contains("error="));
                assert!(ok, "{method} {path} as a member: {} {}", r.status, r.location());
            }
        }
    }
    assert_eq!(t.count("audit_events"), audit_before, "nothing was changed by any refused call");
    assert_eq!(t.db.with(|c| gatehouse_db::authz::version(c, acme.id)).unwrap(), version_before);
}
http_both!(route_enforcement, every_route_refuses_the_unpermitted_and_strangers);

/// An owner defines a role from a template, edits it, assigns it with an end date, adjusts a
/// member's permissions and appoints an organization role — all over HTTP forms; a refused
/// change comes back in the caller's language with what they entered.
async fn roles_and_access_are_managed_through_forms(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let max = t.db.with(|conn| members::by_email(conn, acme.id, seed::DEMO_MEMBER)).unwrap().unwrap().0;
    let mut owner = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let csrf = owner.get("/o/acme/roles").await.csrf();

    // A new role copied from the permission-matrix template's team manager.
    let r = owner.post("/o/acme/roles/new", &[("csrf_token", &csrf), ("key", "reviewer"), ("name", "Reviewer"), ("from", "tpl:permission-matrix:team_manager")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r.location().split('/').nth(4).unwrap().split('?').next().unwrap().parse().unwrap();
    let page = owner.get(r.location()).await;
    assert!(page.body.contains("Reviewer") && page.body.contains("(team_manager)"), "the editor shows where it came from");
    // Edit: keep only two grants; the difference to the template is listed.
    let d = t.db.with(|c| gatehouse_db::roles::detail(c, acme.id, gatehouse_domain::ids::RoleId(id))).unwrap();
    let v = d.version.to_string();
    let r = owner
        .post(&format!("/o/acme/roles/{id}"), &[("csrf_token", &csrf), ("name", "Reviewer"), ("description", "Reads the team"), ("version", &v), ("g.members.view.unit", "on"), ("v.members.view", "aggregate"), ("g.roles.view.unit", "on")])
        .await;
    assert_eq!(r.location(), format!("/o/acme/roles/{id}?done=1"));
    let page = owner.get(r.location()).await;
    assert!(page.body.contains("Differences to the template") && page.body.contains("Saved."));
    // The same stale version again: refused with who changed it, the draft kept.
    let r = owner.post(&format!("/o/acme/roles/{id}"), &[("csrf_token", &csrf), ("name", "Other"), ("version", &v), ("g.members.view.unit", "on")]).await;
    assert!(r.location().contains("error=Dana%20Demo%20changed") && r.location().contains("draft=members.view%3Aunit%3Aindividual"), "{}", r.location());

    // Assign it to Max at a unit with an end date; the member page shows it and "why".
    let unit = t.db.with(|c| gatehouse_db::units::list(c, acme.id)).unwrap()[0].id.0.to_string();
    let r = owner.post(&format!("/o/acme/members/{max}/assignments"), &[("csrf_token", &csrf), ("role", &id.to_string()), ("unit", &unit), ("ends_on", "2027-01-31")]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    let page = owner.get(&format!("/o/acme/members/{max}")).await;
    assert!(page.body.contains("Reviewer") && page.body.contains("Effective permissions"), "assignment and effective permissions shown");
    // A date in the past is refused in words, and what was entered comes back.
    let r = owner.post(&format!("/o/acme/members/{max}/assignments"), &[("csrf_token", &csrf), ("role", &id.to_string()), ("ends_on", "2020-01-01")]).await;
    assert!(r.location().contains("error=") && r.location().contains("ends_on=2020-01-01"), "{}", r.location());

    // A personal withdrawal, then who can see members at that unit no longer lists Max.
    let r = owner.post(&format!("/o/acme/members/{max}/adjustments"), &[("csrf_token", &csrf), ("kind", "withdraw"), ("permission", "members.view"), ("note", "on leave")]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    let who = owner.get(&format!("/api/who-can?org=acme&permission=members.view&unit={unit}")).await;
    assert!(!who.body.contains("Max Mitglied") && who.body.contains("Dana Demo"), "{}", who.body);

    // A content module declared by the owner becomes grantable at once.
    let r = owner.post("/o/acme/modules", &[("csrf_token", &csrf), ("module_key", "incidents"), ("module_en", "Incidents"), ("module_de", "Vorfälle"), ("actions", "view | See incidents | Vorfälle sehen\nreport | Report incidents | Vorfälle melden | people")]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    let r = owner.post("/o/acme/modules", &[("csrf_token", &csrf), ("module_key", "Bad Key"), ("actions", "view")]).await;
    assert!(r.location().contains("error=") && r.location().contains("module_key=Bad%20Key"), "{}", r.location());
    let page = owner.get(&format!("/o/acme/roles/{id}")).await;
    assert!(page.body.contains("Report incidents"), "the new action is a row of the role editor");

    // The overview matrix as CSV.
    let csv = owner.get("/o/acme/roles/matrix.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers.get("content-type").unwrap().to_str().unwrap().starts_with("text/csv"));
    let header_line = csv.body.lines().next().unwrap();
    assert!(header_line.starts_with("permission,area,description") && header_line.contains("Company Admin") && header_line.contains("Reviewer"), "{header_line}");
    assert!(csv.body.contains("tournaments.manage,"), "content permissions are rows");

    // Organization roles: appoint Max as compliance manager; the owner cannot remove themself.
    let r = owner.post("/o/acme/org-roles", &[("csrf_token", &csrf), ("role", "compliance_manager"), ("email", seed::DEMO_MEMBER), ("change", "appoint")]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    let owner_m = t.db.with(|conn| members::by_email(conn, acme.id, seed::DEMO_OWNER)).unwrap().unwrap().0.to_string();
    let r = owner.post("/o/acme/org-roles", &[("csrf_token", &csrf), ("role", "owner"), ("member", &owner_m), ("change", "remove")]).await;
    assert!(r.location().contains("error=There%20is%20always%20exactly%20one%20owner"), "{}", r.location());

    // Max (German) tries to hand himself more: refused in German.
    let mut max_c = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    max_c.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    let mcsrf = max_c.get("/o/acme/me").await.csrf();
    let r = max_c.post(&format!("/o/acme/members/{max}/adjustments"), &[("csrf_token", &mcsrf), ("kind", "add"), ("permission", "audit.view"), ("scope", "organization")]).await;
    assert!(r.location().contains("error=Niemand%20%C3%A4ndert%20die%20eigenen"), "{}", r.location());
    let page = max_c.get(&r.location().to_string()).await;
    assert!(page.body.contains("Nichts wurde geändert"), "the refusal is shown on the page");
}
http_both!(role_forms, roles_and_access_are_managed_through_forms);

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

/// Failed mail is visible to whoever manages the organization's mail, and can be sent again.
async fn failed_mail_is_listed_and_sent_again(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let id = t.db.with(|c| {
        let id = gatehouse_db::outbox::enqueue(
            c,
            &gatehouse_db::outbox::NewMail { org: Some(acme.id), to: "olga@acme.example", locale: "en", template: "test_message", subject: "Digest", text: "t", html: "h" },
            gatehouse_domain::actor::Actor::System,
            now(),
        )?;
        gatehouse_db::outbox::mark_failed(c, id, 9, "550 mailbox unavailable", now(), 10)?;
        Ok(id)
    }).unwrap();
    let mut owner = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = owner.get("/o/acme/mail?status=failed").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("550 mailbox unavailable") && page.body.contains("olga@acme.example"), "why it failed is shown");
    let r = owner.post(&format!("/o/acme/mail/{id}/retry"), &[("csrf_token", &page.csrf())]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    assert_eq!(t.db.with(|c| gatehouse_db::outbox::status(c, Some(acme.id), id)).unwrap().0, "queued");
    // Only failed mail is sent again; another organization's message does not exist here.
    let again = owner.post(&format!("/o/acme/mail/{id}/retry"), &[("csrf_token", &page.csrf())]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
}
http_both!(failed_mail, failed_mail_is_listed_and_sent_again);

/// An owner invites a person through the form; the person follows the link from the mail,
/// chooses a password and lands in the organization. Refusals come back in the admin's words
/// with what they typed.
async fn invitation_from_form_to_membership(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut owner = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = owner.get("/o/acme/invitations").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("name=\"mobile_phone\"") && page.body.contains(">Send invitation<"));
    let csrf = page.csrf();
    // A bad phone number: refused, what was typed comes back.
    let r = owner.post("/o/acme/invitations", &[("csrf_token", &csrf), ("email", "nina@example.test"), ("name", "Nina Neu"), ("mobile_phone", "12"), ("locale", "de"), ("kind", "employee")]).await;
    assert!(r.location().contains("error=") && r.location().contains("name=Nina%20Neu"), "{}", r.location());
    let again = owner.get(r.location()).await;
    assert!(again.body.contains("is not a valid mobile phone number") && again.body.contains("value=\"Nina Neu\""), "{}", again.body.len());
    // Already a member: said so.
    let r = owner.post("/o/acme/invitations", &[("csrf_token", &csrf), ("email", seed::DEMO_MEMBER), ("name", "Max")]).await;
    assert!(owner.get(r.location()).await.body.contains("already a member of the organization"));
    let r = owner.post("/o/acme/invitations", &[("csrf_token", &csrf), ("email", "nina@example.test"), ("name", "Nina Neu"), ("mobile_phone", "+49 151 2345 6789"), ("locale", "de"), ("kind", "partner")]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    let list = owner.get("/o/acme/invitations").await;
    assert!(list.body.contains("nina@example.test") && list.body.contains(">waiting<"), "the open invitation is listed");
    let mail = t.db.with(|conn| gatehouse_db::testing::latest_mail(conn, 1)).unwrap().remove(0);
    assert_eq!((mail.to.as_str(), mail.subject.as_str()), ("nina@example.test", "Dana Demo lädt Sie zu Acme Logistics auf Gatehouse ein"));
    let body = mail.text.unwrap();
    let link = body.lines().find(|l| l.starts_with("http://127.0.0.1:3000/invitation?token=")).expect("an absolute link");
    let path = link.trim_start_matches("http://127.0.0.1:3000");
    let token = path.split("token=").nth(1).unwrap();
    let mut nina = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    let form = nina.get(path).await;
    assert!(form.body.contains("name=\"password2\"") && form.body.contains("Dana Demo"), "the link opens the form");
    let csrf = form.csrf();
    let weak = nina.post("/auth/invitation", &[("csrf_token", &csrf), ("token", token), ("password", "weakweak"), ("password2", "weakweak")]).await;
    assert!(weak.location().contains("error=weak"));
    let r = nina.post("/auth/invitation", &[("csrf_token", &csrf), ("token", token), ("password", "Ninas-Passwort-2026"), ("password2", "Ninas-Passwort-2026")]).await;
    assert_eq!(r.location(), "/o/acme/me", "lands in the organization (her own page: no dashboard rights), signed in");
    assert_eq!(nina.get("/o/acme/me").await.status, StatusCode::OK);
    let used = nina.get(path).await;
    assert!(used.body.contains("funktioniert nicht mehr"), "single use, in Nina's language: {} {}", used.status, used.body);
    let closed = owner.get("/o/acme/invitations?show=closed").await;
    assert!(closed.body.contains("nina@example.test") && closed.body.contains(">accepted<"));
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let m = t.db.with(|conn| members::by_email(conn, acme.id, "nina@example.test")).unwrap().unwrap().0;
    let detail = owner.get(&format!("/api/member?org=acme&id={m}")).await;
    assert!(detail.body.contains("+4915123456789") && detail.body.contains("\"partner\""), "{}", detail.body);
}
http_both!(invitations, invitation_from_form_to_membership);

/// An owner uploads a CSV: the preview names the bad rows and writes nothing; starting it
/// invites the rest in the background while the page shows the progress; the same file again
/// skips everyone; the members export reads back as an import file.
async fn csv_import_and_export(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut owner = Client { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await, cookies: HashMap::new(), peer: None, forwarded_for: None };
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = owner.get("/o/acme/invitations").await;
    assert!(page.body.contains("enctype=\"multipart/form-data\"") && page.body.contains("/o/acme/members.csv"));
    let csrf = page.csrf();
    let mut file = String::from("email,name,mobile_phone,kind\n");
    for i in 0..230 {
        match i {
            7 => file.push_str("broken,Broken Address,,employee\n"),
            100 => file.push_str("row100@example.test,Bad Kind,,boss\n"),
            _ => file.push_str(&format!("row{i}@example.test,Row {i},,employee\n")),
        }
    }
    let memberships_before = t.count("memberships");
    // Without the token: refused before anything is read.
    assert_eq!(owner.upload("/o/acme/imports", &[], "people.csv", &file).await.status, StatusCode::FORBIDDEN);
    // Not a CSV at all: back with the reason.
    let r = owner.upload("/o/acme/imports", &[("csrf_token", &csrf)], "photo.csv", "name\nOnly a name\n").await;
    assert!(owner.get(r.location()).await.body.contains("The file has no column “email”."), "{}", r.location());
    let r = owner.upload("/o/acme/imports", &[("csrf_token", &csrf)], "people.csv", &file).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let at = r.location().to_string();
    assert!(at.starts_with("/o/acme/imports/"), "{at}");
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let preview = owner.get(&at).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(preview.body.contains("230 rows: 228 ready to invite, 0 already there, 2 with errors."), "{}", preview.body);
    assert!(preview.body.contains("“broken” is not an email address.") && preview.body.contains("“boss” is not a kind of member"));
    assert!(preview.body.contains(">Invite 228 people<"));
    assert_eq!(t.count("memberships"), memberships_before, "the preview writes nothing");

    let r = owner.post(&format!("{at}/start"), &[("csrf_token", &csrf)]).await;
    assert!(r.location().ends_with("done=1"), "{}", r.location());
    let mut status = String::new();
    for _ in 0..600 {
        let v: serde_json::Value = serde_json::from_str(&owner.get(&format!("/api/import?org=acme&id={id}")).await.body).unwrap();
        status = v["status"].as_str().unwrap_or("").to_string();
        if status == "done" {
            assert_eq!((v["invited"].as_i64(), v["failed"].as_i64(), v["error_count"].as_i64()), (Some(228), Some(2), Some(2)));
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "done", "the import ran to its end in the background");
    let done = owner.get(&at).await;
    assert!(done.body.contains("Import finished: 228 invited, 0 skipped, 2 not imported."), "{}", done.body);
    assert_eq!(t.count("memberships"), memberships_before + 228);
    // Starting twice is refused in words; nothing runs again.
    let r = owner.post(&format!("{at}/start"), &[("csrf_token", &csrf)]).await;
    assert!(r.location().contains("error="), "{}", r.location());

    // The same file again: everyone is already there.
    let r = owner.upload("/o/acme/imports", &[("csrf_token", &csrf)], "people.csv", &file).await;
    let again = owner.get(r.location()).await;
    assert!(again.body.contains("230 rows: 0 ready to invite, 228 already there, 2 with errors.") && again.body.contains("No row is ready to invite."), "{}", again.body);
    let r = owner.post(&format!("{}/discard", r.location()), &[("csrf_token", &csrf)]).await;
    assert!(r.location().starts_with("/o/acme/invitations") && r.location().ends_with("done=1"), "{}", r.location());

    let csv = owner.get("/o/acme/members.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers.get(header::CONTENT_TYPE).unwrap().to_str().unwrap().starts_with("text/csv"));
    assert!(csv.body.starts_with("email,name,mobile_phone,locale,kind,tags,units,roles\n"));
    let acme = t.db.with(|conn| orgs::by_slug(conn, "acme")).unwrap().unwrap();
    let active = t.db.with(|c| gatehouse_db::imports::export(c, acme.id, now())).unwrap().len();
    let rows = gatehouse_domain::people::read_csv(&csv.body).unwrap();
    assert_eq!(rows.len(), active, "every active member, once");
    assert!(rows.iter().any(|r| r.person.email == seed::DEMO_MEMBER && !r.person.units.is_empty()));
}
http_both!(csv_import, csv_import_and_export);

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
                &members::NewMember {
                    org: nordwind.id,
                    user: max_user,
                    kind: gatehouse_domain::member::MemberKind::Employee,
                    status: gatehouse_domain::member::MemberStatus::Active,
                    mobile_phone: Some("+4915112345678"),
                    job_title: None,
                    end_date: None,
                    role_holder_only: false,
                    units: &[],
                    tags: &[],
                },
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
                &members::NewMember {
                    org: acme.id,
                    user,
                    kind: gatehouse_domain::member::MemberKind::External,
                    status: gatehouse_domain::member::MemberStatus::Active,
                    mobile_phone: Some("+4917098765432"),
                    job_title: Some("Contractor"),
                    end_date: None,
                    role_holder_only: false,
                    units: &[],
                    tags: &[],
                },
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
