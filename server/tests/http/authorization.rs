//! Organizations are isolated; every route refuses the unpermitted; roles and access over forms; the mail page.
use crate::common::*;

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
    // Each page's data goes into its hydration script once (Leptos used to build the page once
    // per render pass, and each build's resources were sent: the members list three times).
    for (path, marker) in [("/o/acme/members", "\\\"rows\\\":["), ("/o/acme/dashboard", "\\\"by_status\\\":[")] {
        let page = admin.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        assert_eq!(page.body.matches(marker).count(), 1, "{path}: its data once in the hydration script");
        let ids: Vec<&str> = page.body.match_indices("__RESOLVED_RESOURCES[").map(|(i, _)| &page.body[i..i + 26]).collect();
        let mut distinct = ids.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert_eq!(ids.len(), distinct.len(), "{path}: each resource once");
    }
}
http_both!(isolation, organizations_are_isolated_and_admin_screens_refused);

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
                    &gatehouse_db::members::NewMember::active(acme.id, user, gatehouse_domain::member::MemberKind::Employee, &[]),
                    gatehouse_domain::actor::Actor::System,
                    now(),
                )
            })
            .unwrap();
        let case = t.db.with(|c| gatehouse_db::compliance::end_membership(c, acme.id, None, left, "http://127.0.0.1:3000", gatehouse_domain::actor::Actor::System, now())).unwrap();
        (case, t.db.with(|c| gatehouse_db::compliance::pseudonym_for(c, acme.id, left)).unwrap())
    };
    // A technical user of the owner's with a key, for the API key cases.
    let (tech, key) = {
        let p = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
        let owner = gatehouse_domain::ids::MembershipId(other);
        let tech = t.db.with(|c| gatehouse_db::api_keys::create_technical_user(c, acme.id, &p, owner, "Reporting", "", gatehouse_domain::actor::Actor::System, now())).unwrap();
        let key = t.db.with(|c| gatehouse_db::api_keys::create_key(c, acme.id, &p, owner, tech, "k", &["members.view".into()], 30, gatehouse_domain::actor::Actor::System, now())).unwrap().id.0;
        (tech, key)
    };

    // A single sign-on provider of the owner's with one group mapping, for the SSO cases.
    let (provider, mapping) = {
        let p = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
        let owner = gatehouse_domain::ids::MembershipId(other);
        let input = gatehouse_db::sso::ProviderInput { name: "Acme IdP".into(), issuer: "https://idp.acme.example".into(), client_id: "gh".into(), client_secret: "s".into(), allowed_domains: "acme.example".into(), enabled: true, ..Default::default() };
        let key = gatehouse_db::secrets::SealingKey::generate();
        let provider = t.db.with(|c| gatehouse_db::sso::create(c, acme.id, &p, owner, &key, &input, gatehouse_domain::actor::Actor::System, now())).unwrap();
        let mapping = t.db.with(|c| gatehouse_db::sso::add_mapping(c, acme.id, &p, owner, provider, "engineering", gatehouse_domain::ids::RoleId(role), None, gatehouse_domain::actor::Actor::System, now())).unwrap();
        (provider, mapping)
    };

    // An access review of one role, started now (reviewed by whoever may assign roles: not Max).
    let (review, review_item) = {
        use gatehouse_domain::reviews::{NoResponse, Population, ReviewerPlan, ReviewerRule, Schedule};
        let p = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
        let owner = gatehouse_domain::ids::MembershipId(other);
        let input = gatehouse_db::reviews::PlanInput {
            name: "Roles check".into(),
            population: Population::Roles(vec![gatehouse_domain::ids::RoleId(role)]),
            reviewers: ReviewerPlan { rule: ReviewerRule::UnitManagers, fallback: None, self_review: false, second_stage: None },
            schedule: Schedule::Once,
            duration_days: 14,
            keep_needs_comment: false,
            no_response: NoResponse::Keep,
            escalation_days: 7,
            inactive_days: 30,
            first_start: now(),
        };
        let plan = t.db.with(|c| gatehouse_db::reviews::create_plan(c, acme.id, &p, owner, &input, gatehouse_domain::actor::Actor::System, now())).unwrap();
        let campaign = t.db.with(|c| gatehouse_db::reviews::start(c, acme.id, plan, now(), "http://127.0.0.1:3000", now())).unwrap().unwrap();
        let item = t.db.with(|c| gatehouse_db::reviews::items(c, acme.id, campaign)).unwrap().first().map(|i| i.id).unwrap_or(1);
        (campaign, item)
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
        ("/api/api-keys", "org=acme".into(), false),
        ("/api/security", "org=acme".into(), false),
        ("/api/sso", "org=acme".into(), false),
        ("/api/audit", "org=acme".into(), false),
        // Every member opens the reviews list and sees only the reviews they take part in.
        ("/api/reviews", "org=acme".into(), true),
        ("/api/review", format!("org=acme&id={review}"), false),
        // Every member opens their own digests (a plain member receives none and sets none up).
        ("/api/digests", "org=acme".into(), true),
        // Every member opens what is asked of them (nothing to manage).
        ("/api/policies", "org=acme".into(), true),
        // Every member's own to-dos (none for this member).
        ("/api/my-work", "org=acme".into(), true),
    ];
    // Not about an organization's data: the signed-in person's own identity and memberships,
    // and the pages behind emailed links (which show only what the link itself carries).
    let not_org_data = ["/api/viewer", "/api/reset-link", "/api/sign-in-link", "/api/invitation-link", "/api/account", "/api/email-change-link",
        // The platform staff console (tests/http/staff.rs: staff only, by role).
        "/api/staff",
        // Sign-in buttons: a provider's name and organization, for an e-mail domain or for an
        // organization that requires single sign-on (tests/http/sso.rs).
        "/api/sso-buttons"];
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
        ("/o/acme/api-keys".into(), false),
        ("/o/acme/settings".into(), false),
        ("/o/acme/sso".into(), false),
        ("/o/acme/audit".into(), false),
        ("/o/acme/reviews".into(), true),
        (format!("/o/acme/reviews/{review}"), false),
        ("/o/acme/digests".into(), true),
        ("/o/acme/policies".into(), true),
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
        ("GET", "/o/acme/audit.csv".into(), vec![]),
        // Every member downloads their own data (checked after the refusals below).
        ("GET", "/o/acme/me/data.json".into(), vec![]),
        ("GET", format!("/o/acme/members/{other}/data.json"), vec![]),
        ("GET", "/o/acme/document".into(), vec![]),
        ("POST", "/o/acme/reviews/plans".into(), vec![("name", "Sneaky".into()), ("schedule", "once".into()), ("no_response", "keep".into()), ("population", "roles".into()), ("role", role.to_string())]),
        ("POST", format!("/o/acme/reviews/items/{review_item}/decide"), vec![("decision", "revoke".into())]),
        ("POST", format!("/o/acme/reviews/{review}/keep-agreed"), vec![]),
        ("GET", format!("/o/acme/reviews/{review}/evidence.csv"), vec![]),
        ("GET", format!("/o/acme/reviews/{review}/evidence"), vec![]),
        ("POST", "/o/acme/digests/default".into(), vec![("frequency", "weekly".into())]),
        ("POST", "/o/acme/digests/choice".into(), vec![("unit", "".into()), ("frequency", "weekly".into())]),
        ("POST", "/o/acme/digests/units/1/remove".into(), vec![]),
        ("POST", "/o/acme/digests/send-now".into(), vec![("unit", "".into()), ("frequency", "weekly".into())]),
        ("POST", "/o/acme/policies".into(), vec![("kind", "policy".into()), ("title", "Sneaky".into()), ("body", "x".into()), ("recurrence", "once".into()), ("due_days", "7".into()), ("unit", "".into())]),
        // No policy exists: nothing to retire, nothing asked of the member.
        ("POST", "/o/acme/policies/1/retire".into(), vec![]),
        ("POST", "/o/acme/policies/1/done".into(), vec![]),
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
        ("POST", "/o/acme/api-keys/users".into(), vec![("name", "Sneaky".into())]),
        ("POST", format!("/o/acme/api-keys/users/{tech}/remove"), vec![]),
        ("POST", format!("/o/acme/api-keys/users/{tech}/keys"), vec![("name", "sneaky".into()), ("valid_days", "30".into()), ("scope", "members.view".into())]),
        ("POST", format!("/o/acme/api-keys/keys/{key}/revoke"), vec![]),
        ("POST", "/o/acme/settings/security".into(), vec![("require_two_factor", "on".into())]),
        ("POST", "/o/acme/sso/providers".into(), vec![("name", "Sneaky".into()), ("issuer", "https://evil.example".into()), ("client_id", "x".into()), ("client_secret", "y".into()), ("allowed_domains", "acme.example".into())]),
        ("POST", format!("/o/acme/sso/providers/{provider}"), vec![("name", "Sneaky".into()), ("issuer", "https://evil.example".into()), ("client_id", "x".into()), ("allowed_domains", "acme.example".into()), ("enabled", "on".into())]),
        ("POST", format!("/o/acme/sso/providers/{provider}/remove"), vec![]),
        ("POST", format!("/o/acme/sso/providers/{provider}/mappings"), vec![("group", "all".into()), ("role", role.to_string())]),
        ("POST", format!("/o/acme/sso/providers/{provider}/mappings/{mapping}/remove"), vec![]),
        ("POST", "/o/acme/sso/require".into(), vec![("require_sso", "on".into())]),
        ("POST", "/o/acme/settings/support".into(), vec![]),
        ("POST", "/o/acme/settings/support/1/end".into(), vec![]),
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
        } else if *own && path.ends_with("/reviews") {
            assert_eq!(r.status, StatusCode::OK, "{url}: every member");
            assert!(r.body.contains("\"can_run\":false") && r.body.contains("\"campaigns\":[]"), "{url}: no review of others: {}", r.body);
        } else if *own && path.ends_with("/policies") {
            assert_eq!(r.status, StatusCode::OK, "{url}: every member");
            assert!(r.body.contains("\"publish_org\":false") && r.body.contains("\"managed\":[]") && r.body.contains("\"publish_units\":[]"), "{url}: {}", r.body);
        } else if *own && path.ends_with("/my-work") {
            assert_eq!(r.status, StatusCode::OK, "{url}: every member");
            assert!(r.body.contains("\"reviews\":[]") && r.body.contains("\"policies_open\":0"), "{url}: {}", r.body);
        } else if *own && path.ends_with("/digests") {
            assert_eq!(r.status, StatusCode::OK, "{url}: every member");
            assert!(r.body.contains("\"may_receive\":false") && r.body.contains("\"may_set_default\":false") && r.body.contains("\"org_recipients\":null"), "{url}: {}", r.body);
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
            if csrf == &member_csrf && path.ends_with("/me/data.json") {
                continue;
            }
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
    let own = member.get("/o/acme/me/data.json").await;
    assert_eq!(own.status, StatusCode::OK, "every member has their own data");
    assert!(own.body.contains("Max Mitglied") && own.body.contains(seed::DEMO_MEMBER), "the member's own data");
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

/// Whatever already exists is refused in the reader's language, never in the database's words:
/// an owner reading German provokes each conflict a page can reach.
async fn conflicts_are_said_in_the_readers_language(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let mut owner = Client::new(test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let csrf = owner.get("/o/acme/roles").await.csrf();
    owner.post("/language", &[("csrf_token", &csrf), ("locale", "de"), ("back", "/o/acme/roles")]).await;
    let words = |r: &Resp| -> String {
        let raw = r.location().split("error=").nth(1).unwrap_or("").split('&').next().unwrap_or("").to_string();
        let bytes = raw.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
                out.push(u8::from_str_radix(&raw[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    };
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let taken = t.db.with(|c| gatehouse_db::roles::list(c, acme.id)).unwrap()[0].key.clone();
    let cases: Vec<(String, Vec<(&str, String)>, &str)> = vec![
        ("/o/acme/roles/new".into(), vec![("key", taken.clone()), ("name", "Zweite".into()), ("from", String::new())], "gibt es bereits"),
        ("/o/acme/modules".into(), vec![("module_key", "members".into()), ("actions", "view".into())], "eigener Bereich von Gatehouse"),
        ("/o/acme/invitations".into(), vec![("email", seed::DEMO_MEMBER.into()), ("name", "Max".into())], "bereits"),
    ];
    for (path, fields, german) in cases {
        let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        form.push(("csrf_token", &csrf));
        let r = owner.post(&path, &form).await;
        let w = words(&r);
        assert!(w.contains(german), "{path}: {w:?}");
        for english in ["already exists", "already", "UNIQUE", "duplicate key", "violates"] {
            assert!(!w.contains(english), "{path}: English or database words: {w:?}");
        }
    }
}
http_both!(conflict_words, conflicts_are_said_in_the_readers_language);
