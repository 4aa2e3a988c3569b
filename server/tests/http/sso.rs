//! Single sign-on over HTTP: configuring a provider (the secret never shown, bad input said in
//! the reader's words, nothing without a secret key), requiring it (only once proven, and then a
//! password sign-in is refused with the reason and the provider's button), and the callback's
//! refusals (no state, someone else's state, a state taken twice, a provider that cannot be
//! reached, an unknown provider). The sign-in through a real provider is end2end/tests/sso.spec.ts.
use crate::common::*;

async fn configuring_and_requiring_single_sign_on(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let st = state(t, &clock);
    let app = || gatehouse_server::http::app(st.clone(), options());
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = owner.get("/o/acme/sso").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("http://127.0.0.1:3000/sso/callback"), "the redirect URI to register");
    let csrf = page.csrf();
    let fields = |issuer: &'static str| vec![("csrf_token", csrf.clone()), ("name", "Acme IdP".to_string()), ("issuer", issuer.to_string()), ("client_id", "gatehouse".into()), ("client_secret", "a-client-secret-1".into()), ("allowed_domains", "gatehouse.test acme.example".into()), ("enabled", "on".into())];
    let post = |f: &Vec<(&'static str, String)>| f.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    // An issuer that is not https: refused in words, what was typed kept (never the secret).
    let f = post(&fields("http://idp.example.com"));
    let r = owner.post("/o/acme/sso/providers", &f.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert!(r.location().starts_with("/o/acme/sso?error=") && r.location().contains("Issuer%20URL"), "{}", r.location());
    assert!(r.location().contains("client_id=gatehouse") && !r.location().contains("a-client-secret-1"));
    assert_eq!(t.count("sso_providers"), 0);
    let f = post(&fields("https://idp.gatehouse.test"));
    let r = owner.post("/o/acme/sso/providers", &f.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>()).await;
    assert_eq!(r.location(), "/o/acme/sso?done=1");
    assert!(t.grep("a-client-secret-1", None).is_empty(), "sealed in the database");
    let page = owner.get("/o/acme/sso").await;
    assert!(page.body.contains("https://idp.gatehouse.test") && !page.body.contains("a-client-secret-1"));
    let listed = owner.get("/api/sso?org=acme").await;
    assert!(listed.body.contains("Acme IdP") && !listed.body.contains("secret-1") && !listed.body.contains("v1:"), "{}", listed.body);
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let provider = t.db.with(|c| gatehouse_db::sso::list(c, acme.id)).unwrap().remove(0);

    // Requiring it: not before the owner has signed in through it.
    let r = owner.post("/o/acme/sso/require", &[("csrf_token", &csrf), ("require_sso", "on")]).await;
    assert!(r.location().contains("error=") && r.location().contains("Sign%20in%20through"), "{}", r.location());
    // Dana also belongs to other organizations: acme's provider does not sign her in.
    let claims = |email: &str| gatehouse_db::sso::Claims { subject: format!("sub-{email}"), email: Some(email.into()), email_verified: true, name: None, groups: Default::default() };
    assert_eq!(t.db.tx(|c| gatehouse_db::sso::complete(c, provider.id, &claims(seed::DEMO_OWNER), now())).unwrap().unwrap_err(), gatehouse_domain::sso::Refusal::OtherOrganizations);
    // Someone of acme alone, with a password of their own.
    let ann: String = t.db.with(|c| gatehouse_db::views::api::members(c, acme.id, 0, 500)).unwrap().into_iter().filter_map(|m| m.email).find(|e| e.ends_with("@acme.example")).expect("a member of acme alone");
    let ann_user = t.db.with(|c| users::find_by_email(c, &ann)).unwrap().unwrap().id;
    t.db.with(|c| users::set_password_hash(c, ann_user, &gatehouse_db::password::hash("ann-password-2026"), now())).unwrap();
    t.db.tx(|c| gatehouse_db::sso::complete(c, provider.id, &claims(&ann), now())).unwrap().unwrap();
    let r = owner.post("/o/acme/sso/require", &[("csrf_token", &csrf), ("require_sso", "on")]).await;
    assert_eq!(r.location(), "/o/acme/sso?done=1");

    // A member's right password: refused, no session, the reason and the provider's button.
    let mut max = Client::new(test::init_service(app()).await);
    let r = max.sign_in(&ann, "ann-password-2026").await;
    assert_eq!(r.location(), "/sign-in?error=sso_required&org=acme");
    assert!(!max.cookies.contains_key("gh_session"), "{:?}", max.cookies);
    let page = max.get(r.location()).await;
    assert!(page.body.contains("Your organization requires single sign-on"), "{}", page.body);
    assert!(page.body.contains(&format!("href=\"/sso/{}/start\"", provider.public_id)) && page.body.contains("Sign in with Acme IdP (Acme"), "the provider's button");
    // A wrong password says nothing about single sign-on.
    let r = max.sign_in(&ann, "wrong-password").await;
    assert!(r.location().starts_with("/sign-in?error=invalid"), "{}", r.location());
    // In German for a German reader.
    let mut de = Client::new(test::init_service(app()).await);
    de.cookies.insert("gh_lang".into(), "de".into());
    assert!(de.get("/sign-in?error=sso_required&org=acme").await.body.contains("Ihre Organisation verlangt Single Sign-on"));
    // The buttons of an organization that does not require it are nobody's business.
    assert_eq!(max.get("/api/sso-buttons?org=example-health").await.body, "[]");
    // Someone who also belongs elsewhere keeps the password.
    let mut dana = Client::new(test::init_service(app()).await);
    assert_eq!(dana.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await.location(), "/");

    // While required, the last provider stays on.
    let r = owner
        .post(&format!("/o/acme/sso/providers/{}", provider.id), &[("csrf_token", &csrf), ("name", "Acme IdP"), ("issuer", "https://idp.gatehouse.test"), ("client_id", "gatehouse"), ("allowed_domains", "gatehouse.test")])
        .await;
    assert!(r.location().contains("error="), "{}", r.location());
    assert_eq!(t.count_where("sso_providers", "enabled = TRUE"), 1);
    let r = owner.post("/o/acme/sso/require", &[("csrf_token", &csrf)]).await;
    assert_eq!(r.location(), "/o/acme/sso?done=1");
    let r = max.sign_in(&ann, "ann-password-2026").await;
    assert_eq!(r.location(), "/", "password sign-in again");
    assert!(max.cookies.contains_key("gh_session"));
}
http_both!(configure_and_require, configuring_and_requiring_single_sign_on);

async fn the_callback_takes_only_this_browsers_state_once(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let st = state(t, &clock);
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let policy = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
    let owner = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_OWNER)).unwrap().unwrap();
    // A provider nobody can reach (connection refused on the loopback).
    let input = gatehouse_db::sso::ProviderInput { name: "Down".into(), issuer: "http://127.0.0.1:9".into(), client_id: "x".into(), client_secret: "y".into(), allowed_domains: "gatehouse.test".into(), enabled: true, ..Default::default() };
    let id = t.db.with(|c| gatehouse_db::sso::create(c, acme.id, &policy, owner, st.sealing_key.as_ref().unwrap(), &input, gatehouse_domain::actor::Actor::System, now())).unwrap();
    let public_id = t.db.with(|c| gatehouse_db::sso::public_id(c, id)).unwrap().unwrap();
    let mut b = Client::new(test::init_service(gatehouse_server::http::app(st.clone(), options())).await);

    assert_eq!(b.get(&format!("/sso/{public_id}/start")).await.location(), "/sign-in?error=sso_unreachable");
    assert_eq!(b.get("/sso/0123456789abcdef/start").await.location(), "/sign-in?error=sso_disabled");
    // No state, or a state that is not this browser's: refused before anything is looked up.
    assert_eq!(b.get("/sso/callback?code=c&state=s1").await.location(), "/sign-in?error=sso_state");
    t.db.with(|c| gatehouse_db::sso::start_login(c, id, "s1", "n", "v", None, now())).unwrap();
    b.cookies.insert("gh_sso".into(), "s2".into());
    assert_eq!(b.get("/sso/callback?code=c&state=s1").await.location(), "/sign-in?error=sso_state");
    // This browser's state with the provider's refusal: taken, and never again.
    b.cookies.insert("gh_sso".into(), "s1".into());
    let r = b.get("/sso/callback?error=access_denied&state=s1").await;
    assert_eq!(r.location(), "/sign-in?error=sso_provider");
    assert!(!b.cookies.contains_key("gh_sso"), "the state cookie is cleared");
    b.cookies.insert("gh_sso".into(), "s1".into());
    assert_eq!(b.get("/sso/callback?code=c&state=s1").await.location(), "/sign-in?error=sso_state");
    assert_eq!(t.count("sso_logins"), 0);
    let page = b.get("/sign-in?error=sso_state").await;
    assert!(page.body.contains("started in another browser"), "said in words");

    // Without a secret key this server configures nothing.
    let mut keyless = st.clone();
    keyless.sealing_key = None;
    let mut o = Client::new(test::init_service(gatehouse_server::http::app(keyless, options())).await);
    o.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = o.get("/o/acme/sso").await;
    assert!(page.body.contains("no secret key"), "the page says why");
    let r = o.post("/o/acme/sso/providers", &[("csrf_token", &page.csrf()), ("name", "n"), ("issuer", "https://a.example"), ("client_id", "c"), ("client_secret", "s"), ("allowed_domains", "a.example")]).await;
    assert!(r.location().contains("no%20secret%20key"), "{}", r.location());
    assert_eq!(t.count("sso_providers"), 1);
}
http_both!(callback_state, the_callback_takes_only_this_browsers_state_once);
