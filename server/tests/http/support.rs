//! Support sign-in over HTTP: a customer-success staff member acts as an administrator of one
//! organization — with a reason, for a bounded time, a banner on every page, the owners mailed,
//! every change audited as the staff member acting as administrator — and never more than an
//! administrator; the session ends at its limit, on sign-out, or when the organization ends it or
//! switches support access off. A developer may not; nobody who is not staff sees any of it.
use crate::common::*;
use gatehouse_domain::staff::StaffRole;
use gatehouse_domain::two_factor::{code_at, step_of};

/// A signed-in staff member with a second factor (set up the first time).
async fn staff<S, B>(t: &TestDb, clock: &FixedClock, svc: S, email: &str, role: StaffRole) -> Client<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    static SECRETS: std::sync::Mutex<Vec<(String, Vec<u8>)>> = std::sync::Mutex::new(Vec::new());
    let key = format!("{}{email}", t.url); // not user text: a test's key
    let known = SECRETS.lock().unwrap().iter().find(|(k, _)| *k == key).map(|(_, s)| s.clone());
    let secret = match known {
        Some(s) => s,
        None => {
            let hash = gatehouse_db::password::hash("staff-password-2026");
            let (user, _) = t.db.with(|c| gatehouse_db::staff::ensure(c, email, "Cara Success", role, Some(&hash), clock.now())).unwrap();
            let secret = t.db.with(|c| gatehouse_db::two_factor::begin(c, user, clock.now())).unwrap();
            t.db.with(|c| gatehouse_db::two_factor::confirm(c, user, &code_at(&secret, step_of(clock.now())), clock.now())).unwrap();
            SECRETS.lock().unwrap().push((key, secret.clone()));
            secret
        }
    };
    clock.advance(Duration::seconds(30));
    let mut cl = Client::new(svc);
    cl.sign_in(email, "staff-password-2026").await;
    let csrf = cl.get("/sign-in/two-factor").await.csrf();
    let r = cl.post("/auth/two-factor", &[("csrf_token", &csrf), ("code", &code_at(&secret, step_of(clock.now())))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    cl
}

async fn support_sign_in(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let st = state(t, &clock);
    let app = || gatehouse_server::http::app(st.clone(), options());
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let mut cara = staff(t, &clock, test::init_service(app()).await, "cara@ops.gatehouse.test", StaffRole::CustomerSuccess).await;

    // Not a member of acme: nothing of it opens.
    assert_eq!(cara.get("/o/acme/dashboard").await.status, StatusCode::NOT_FOUND);
    let page = cara.get("/staff").await;
    assert!(page.body.contains("Sign in to Acme Logistics as administrator"), "{}", page.body);
    let csrf = page.csrf();
    // A reason is required; an hour at most.
    let r = cara.post("/staff/orgs/acme/support", &[("csrf_token", &csrf), ("reason", ""), ("minutes", "60")]).await;
    assert!(r.location().starts_with("/staff?error=") && r.location().contains("reason"), "{}", r.location());
    let r = cara.post("/staff/orgs/acme/support", &[("csrf_token", &csrf), ("reason", "Ticket 4711"), ("minutes", "240")]).await;
    assert!(r.location().starts_with("/staff?error="), "{}", r.location());
    assert_eq!(t.count("support_sessions"), 0);
    assert_eq!(cara.post("/staff/orgs/nope/support", &[("csrf_token", &csrf), ("reason", "Ticket 4711"), ("minutes", "30")]).await.status, StatusCode::NOT_FOUND);

    let outbox_before = t.count("email_outbox");
    let r = cara.post("/staff/orgs/acme/support", &[("csrf_token", &csrf), ("reason", "Ticket 4711: imports fail"), ("minutes", "30")]).await;
    assert_eq!(r.location(), "/o/acme/dashboard");
    assert!(t.count("email_outbox") > outbox_before, "the owners are mailed");
    assert_eq!(t.count_where("email_outbox", "subject LIKE '%Cara Success (Gatehouse support) signed in to Acme Logistics%'"), 1);
    let page = cara.get("/o/acme/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Support session.") && page.body.contains("Ticket 4711: imports fail"), "the banner");
    // An administrator's page, an administrator's change — audited as the staff member acting.
    let settings = cara.get("/o/acme/settings").await;
    assert_eq!(settings.status, StatusCode::OK, "{}", settings.body);
    let csrf = settings.csrf();
    let r = cara.post("/o/acme/settings/security", &[("csrf_token", &csrf)]).await;
    assert_eq!(r.location(), "/o/acme/settings?done=1");
    let staff_id: i64 = t.db.with(|c| gatehouse_db::staff::of_email(c, "cara@ops.gatehouse.test")).unwrap().unwrap().0 .0;
    assert_eq!(t.count_where("audit_events", &format!("action = 'organization.security_settings' AND actor_kind = 'staff_as_user' AND actor_staff_id = {staff_id}")), 1);
    // Never more than an administrator: not an owner, nothing given to the support membership.
    let r = cara.post("/o/acme/org-roles", &[("csrf_token", &csrf), ("role", "owner"), ("email", seed::DEMO_MEMBER), ("change", "appoint")]).await;
    assert!(r.location().contains("error="), "an administrator appoints no owner: {}", r.location());
    let support_member: i64 = t.db.with(|c| gatehouse_db::support::live_in(c, acme.id, clock.now())).unwrap()[0].membership.0;
    let role = t.db.with(|c| gatehouse_db::roles::list(c, acme.id)).unwrap()[0].id.0;
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let ocsrf = owner.get("/o/acme/settings").await.csrf();
    let r = owner.post(&format!("/o/acme/members/{support_member}/assignments"), &[("csrf_token", &ocsrf), ("role", &role.to_string())]).await;
    assert!(r.location().contains("error=") && r.location().contains("support"), "{}", r.location());
    // The owner sees it in the settings, and the audit log names both.
    let page = owner.get("/o/acme/settings").await;
    assert!(page.body.contains("Cara Success since") && page.body.contains("Ticket 4711: imports fail"), "{}", page.body);
    let dash = owner.get("/o/acme/dashboard").await;
    assert!(dash.body.contains("Cara Success (staff, acting as administrator)"), "the audit line names the staff member and the role acted as");
    // The support membership is not a member anywhere in the lists.
    assert!(!owner.get("/o/acme/members").await.body.contains("Cara Success"));

    // At its limit it ends at once (before any sweep), and the sweep tidies it.
    clock.advance(Duration::minutes(20));
    assert_eq!(cara.get("/o/acme/dashboard").await.status, StatusCode::OK, "still within its thirty minutes");
    clock.advance(Duration::minutes(11));
    assert_eq!(cara.get("/o/acme/dashboard").await.status, StatusCode::NOT_FOUND, "past its limit: at once");
    let n = t.db.with(|c| gatehouse_db::support::end_due(c, clock.now())).unwrap();
    assert_eq!(n, 1);
    assert_eq!(t.count_where("support_sessions", "end_reason = 'limit'"), 1);
    assert_eq!(t.count_where("org_role_holders", &format!("membership_id = {support_member}")), 0, "the administrator role went with it");

    // Again; sign-out ends it.
    let csrf = cara.get("/staff").await.csrf();
    assert_eq!(cara.post("/staff/orgs/acme/support", &[("csrf_token", &csrf), ("reason", "Ticket 4712"), ("minutes", "60")]).await.location(), "/o/acme/dashboard");
    let csrf = cara.get("/o/acme/dashboard").await.csrf();
    cara.post("/auth/sign-out", &[("csrf_token", &csrf)]).await;
    assert_eq!(t.count_where("support_sessions", "end_reason = 'signed_out'"), 1);

    // The organization ends one, then switches support access off.
    let mut cara = staff(t, &clock, test::init_service(app()).await, "cara@ops.gatehouse.test", StaffRole::CustomerSuccess).await;
    let csrf = cara.get("/staff").await.csrf();
    cara.post("/staff/orgs/acme/support", &[("csrf_token", &csrf), ("reason", "Ticket 4713"), ("minutes", "60")]).await;
    let id = t.db.with(|c| gatehouse_db::support::live_in(c, acme.id, clock.now())).unwrap()[0].id;
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let ocsrf = owner.get("/o/acme/settings").await.csrf();
    assert_eq!(owner.post(&format!("/o/acme/settings/support/{id}/end"), &[("csrf_token", &ocsrf)]).await.location(), "/o/acme/settings?done=1");
    assert_eq!(cara.get("/o/acme/dashboard").await.status, StatusCode::NOT_FOUND);
    let r = owner.post("/o/acme/settings/support", &[("csrf_token", &ocsrf)]).await;
    assert!(r.location().contains("done=1"), "{}", r.location());
    let csrf = cara.get("/staff").await.csrf();
    assert!(cara.get("/staff").await.body.contains("switched off by the organization"));
    let r = cara.post("/staff/orgs/acme/support", &[("csrf_token", &csrf), ("reason", "Ticket 4714"), ("minutes", "60")]).await;
    assert!(r.location().starts_with("/staff?error=") && r.location().contains("switched%20support%20access%20off"), "{}", r.location());

    // A developer may not; a member who is not staff is told none of it exists.
    let mut dev = staff(t, &clock, test::init_service(app()).await, "dev@ops.gatehouse.test", StaffRole::Developer).await;
    let csrf = dev.get("/account").await.csrf();
    assert_eq!(dev.post("/staff/orgs/acme/support", &[("csrf_token", &csrf), ("reason", "curious"), ("minutes", "60")]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(owner.post("/staff/orgs/acme/support", &[("csrf_token", &ocsrf), ("reason", "curious"), ("minutes", "60")]).await.status, StatusCode::NOT_FOUND);
    assert_eq!(owner.post("/o/acme/settings/support/999/end", &[("csrf_token", &ocsrf)]).await.status, StatusCode::NOT_FOUND);
}
http_both!(support, support_sign_in);

async fn owner_recovery(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let st = state(t, &clock);
    let app = || gatehouse_server::http::app(st.clone(), options());
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let mut cara = staff(t, &clock, test::init_service(app()).await, "cara@ops.gatehouse.test", StaffRole::CustomerSuccess).await;
    let page = cara.get("/staff").await;
    assert!(page.body.contains("Recover ownership"), "{}", page.body);
    let csrf = page.csrf();
    // A reason, and an active member: else refused in words, nothing changed.
    let r = cara.post("/staff/orgs/acme/recover-owner", &[("csrf_token", &csrf), ("email", seed::DEMO_MEMBER), ("reason", "")]).await;
    assert!(r.location().starts_with("/staff?error=") && r.location().contains("reason"), "{}", r.location());
    let r = cara.post("/staff/orgs/acme/recover-owner", &[("csrf_token", &csrf), ("email", "nobody@nowhere.test"), ("reason", "Ticket 4720")]).await;
    assert!(r.location().starts_with("/staff?error="), "{}", r.location());
    let r = cara.post("/staff/orgs/acme/recover-owner", &[("csrf_token", &csrf), ("email", seed::DEMO_OWNER), ("reason", "Ticket 4720")]).await;
    assert!(r.location().contains("already%20owns"), "{}", r.location());
    let owner = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_OWNER)).unwrap().unwrap();
    let max = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_MEMBER)).unwrap().unwrap();
    let roles_of = |m| t.db.with(|c| members::org_roles(c, acme.id, m)).unwrap();
    assert!(roles_of(owner).contains(&gatehouse_domain::org_role::OrgRole::Owner));

    let outbox = t.count("email_outbox");
    let r = cara.post("/staff/orgs/acme/recover-owner", &[("csrf_token", &csrf), ("email", seed::DEMO_MEMBER), ("reason", "Ticket 4720: the owner left")]).await;
    assert_eq!(r.location(), "/staff?owner_recovered=1");
    assert!(roles_of(max).contains(&gatehouse_domain::org_role::OrgRole::Owner), "the new owner");
    assert!(!roles_of(owner).contains(&gatehouse_domain::org_role::OrgRole::Owner), "the previous owner stepped down");
    let staff_id: i64 = t.db.with(|c| gatehouse_db::staff::of_email(c, "cara@ops.gatehouse.test")).unwrap().unwrap().0 .0;
    assert_eq!(t.count_where("audit_events", &format!("action = 'organization.owner_recovered' AND actor_kind = 'staff' AND actor_staff_id = {staff_id}")), 1);
    assert!(t.count("email_outbox") >= outbox + 2, "both owners (and co-owners, administrators) are told");
    assert_eq!(t.count_where("email_outbox", &format!("to_address = '{}' AND subject LIKE '%now owns Acme Logistics%'", seed::DEMO_OWNER)), 1);

    // A developer may not; someone who is not staff is told it does not exist.
    let mut dev = staff(t, &clock, test::init_service(app()).await, "dev@ops.gatehouse.test", StaffRole::Developer).await;
    let csrf = dev.get("/account").await.csrf();
    assert_eq!(dev.post("/staff/orgs/acme/recover-owner", &[("csrf_token", &csrf), ("email", seed::DEMO_OWNER), ("reason", "x y z")]).await.status, StatusCode::FORBIDDEN);
    let mut someone = Client::new(test::init_service(app()).await);
    someone.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let csrf = someone.get("/orgs").await.csrf();
    assert_eq!(someone.post("/staff/orgs/acme/recover-owner", &[("csrf_token", &csrf), ("email", seed::DEMO_OWNER), ("reason", "x y z")]).await.status, StatusCode::NOT_FOUND);
}
http_both!(recovery, owner_recovery);

async fn tenant_deletion(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let st = state(t, &clock);
    let app = || gatehouse_server::http::app(st.clone(), options());
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let nordwind = t.db.with(|c| orgs::by_slug(c, "nordwind")).unwrap().unwrap();
    let owner = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_OWNER)).unwrap().unwrap();
    // Something of everything: an SSO provider with a linked person, a technical user with a
    // key, a support session.
    let policy = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
    let input = gatehouse_db::sso::ProviderInput { name: "IdP".into(), issuer: "https://idp.acme.example".into(), client_id: "c".into(), client_secret: "s".into(), allowed_domains: "gatehouse.test acme.example".into(), enabled: true, ..Default::default() };
    let provider = t.db.with(|c| gatehouse_db::sso::create(c, acme.id, &policy, owner, st.sealing_key.as_ref().unwrap(), &input, gatehouse_domain::actor::Actor::System, now())).unwrap();
    let alone: String = t.db.with(|c| gatehouse_db::views::api::members(c, acme.id, 0, 500)).unwrap().into_iter().filter_map(|m| m.email).find(|e| e.ends_with("@acme.example")).unwrap();
    let claims = gatehouse_db::sso::Claims { subject: "alone".into(), email: Some(alone), email_verified: true, name: None, groups: Default::default() };
    t.db.tx(|c| gatehouse_db::sso::complete(c, provider, &claims, now())).unwrap().unwrap();
    let tech = t.db.with(|c| gatehouse_db::api_keys::create_technical_user(c, acme.id, &policy, owner, "Reporting", "", gatehouse_domain::actor::Actor::System, now())).unwrap();
    t.db.with(|c| gatehouse_db::api_keys::create_key(c, acme.id, &policy, owner, tech, "k", &["members.view".into()], 30, gatehouse_domain::actor::Actor::System, now())).unwrap();
    let mut cara = staff(t, &clock, test::init_service(app()).await, "cara@ops.gatehouse.test", StaffRole::CustomerSuccess).await;
    let csrf = cara.get("/staff").await.csrf();
    cara.post("/staff/orgs/acme/support", &[("csrf_token", &csrf), ("reason", "Ticket 4711"), ("minutes", "60")]).await;
    assert_eq!(t.count("support_sessions"), 1);
    // Someone who is in acme only.
    let only_acme: String = t.db.with(|c| gatehouse_db::views::api::members(c, acme.id, 0, 500)).unwrap().into_iter().filter_map(|m| m.email).find(|e| e.ends_with("@acme.example")).expect("a member of acme alone");

    // Customer success does not delete; someone who is not staff is told it does not exist.
    assert_eq!(cara.post("/staff/orgs/acme/deletion", &[("csrf_token", &csrf), ("confirm", "acme"), ("reason", "nope")]).await.status, StatusCode::FORBIDDEN);
    let mut sid = staff(t, &clock, test::init_service(app()).await, "sid@ops.gatehouse.test", StaffRole::Sysadmin).await;
    let page = sid.get("/staff").await;
    assert!(page.body.contains("Delete organization"), "{}", page.body);
    let csrf = page.csrf();
    let r = sid.post("/staff/orgs/acme/deletion", &[("csrf_token", &csrf), ("confirm", "acm"), ("reason", "Contract ended")]).await;
    assert!(r.location().starts_with("/staff?error=") && r.location().contains("handle"), "the handle must be typed: {}", r.location());
    let outbox = t.count("email_outbox");
    assert_eq!(sid.post("/staff/orgs/acme/deletion", &[("csrf_token", &csrf), ("confirm", "acme"), ("reason", "Contract ended")]).await.location(), "/staff?deletion_scheduled=1");
    assert!(t.count("email_outbox") > outbox, "the owners are mailed");
    assert!(sid.post("/staff/orgs/acme/deletion", &[("csrf_token", &csrf), ("confirm", "acme"), ("reason", "Contract ended")]).await.location().contains("already%20scheduled"));
    assert_eq!(sid.post("/staff/orgs/acme/deletion/cancel", &[("csrf_token", &csrf)]).await.location(), "/staff?deletion_cancelled=1");
    assert_eq!(t.db.with(|c| gatehouse_db::tenants::delete_due(c, now() + Duration::days(60))).unwrap(), 0, "cancelled: nothing is due");
    assert_eq!(sid.post("/staff/orgs/acme/deletion", &[("csrf_token", &csrf), ("confirm", "acme"), ("reason", "Contract ended")]).await.location(), "/staff?deletion_scheduled=1");
    assert!(sid.get("/staff").await.body.contains("To be deleted on"));

    // Not before the grace period is over; then everything of acme goes, and nothing else.
    let nordwind_members = t.db.with(|c| members::count(c, nordwind.id)).unwrap();
    let nordwind_audit = t.count_where("audit_events", &format!("org_id = {}", nordwind.id.0));
    assert_eq!(t.db.with(|c| gatehouse_db::tenants::delete_due(c, clock.now() + Duration::days(29))).unwrap(), 0);
    assert_eq!(t.db.with(|c| gatehouse_db::tenants::delete_due(c, clock.now() + Duration::days(30))).unwrap(), 1);
    assert!(t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().is_none());
    for table in ["memberships", "units", "roles", "role_assignments", "audit_events", "sso_providers", "api_keys", "technical_users", "support_sessions", "email_outbox", "access_requests", "tags"] {
        assert_eq!(t.count_where(table, &format!("org_id = {}", acme.id.0)), 0, "{table}");
    }
    assert_eq!(t.count("sso_identities"), 0);
    assert_eq!(t.count_where("audit_events", "action = 'organization.deleted' AND org_id IS NULL AND actor_kind = 'staff'"), 1, "the platform keeps that it happened");
    assert_eq!(t.db.with(|c| members::count(c, nordwind.id)).unwrap(), nordwind_members, "another organization is untouched");
    assert_eq!(t.count_where("audit_events", &format!("org_id = {}", nordwind.id.0)), nordwind_audit);
    assert!(t.db.with(|c| users::find_by_email(c, seed::DEMO_OWNER)).unwrap().is_some(), "a person with another membership stays");
    assert!(t.db.with(|c| users::find_by_email(c, &only_acme)).unwrap().is_none(), "a person who was in acme alone is gone");
    assert!(t.db.with(|c| users::find_by_email(c, "cara@ops.gatehouse.test")).unwrap().is_some(), "staff stay");
    let mut dana = Client::new(test::init_service(app()).await);
    dana.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    assert_eq!(dana.get("/o/acme/dashboard").await.status, StatusCode::NOT_FOUND);
    assert_eq!(dana.get("/o/nordwind/dashboard").await.status, StatusCode::OK);
    let csrf = dana.get("/orgs").await.csrf();
    assert_eq!(dana.post("/staff/orgs/nordwind/deletion", &[("csrf_token", &csrf), ("confirm", "nordwind"), ("reason", "x y z")]).await.status, StatusCode::NOT_FOUND);
}
http_both!(deletion, tenant_deletion);
