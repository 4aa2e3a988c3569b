//! The JSON API and the decision point with API keys: a key acts as its technical user and only
//! within its scopes, never in another organization, not after it is revoked or has ended; a
//! session cookie opens nothing there; every error is a problem document in the caller's words.
use crate::common::*;
use gatehouse_domain::authz::{RoleGrant, RoleScope, Visibility};
use gatehouse_domain::ids::{MembershipId, OrgId, RoleId};
use serde_json::Value;

struct Api<S> {
    svc: S,
}

impl<S, B> Api<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    async fn call(&self, req: test::TestRequest, key: Option<&str>, lang: &str) -> (StatusCode, HashMap<String, String>, Value) {
        let mut req = req.peer_addr("127.0.0.1:40000".parse().unwrap()).insert_header((header::ACCEPT_LANGUAGE, lang.to_string()));
        if let Some(k) = key {
            req = req.insert_header((header::AUTHORIZATION, format!("Bearer {k}")));
        }
        let resp = test::call_service(&self.svc, req.to_request()).await;
        let status = resp.status();
        let headers = resp.headers().iter().map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string())).collect();
        let body = test::read_body(resp).await;
        (status, headers, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }
    async fn get(&self, path: &str, key: &str) -> (StatusCode, Value) {
        let (s, _, v) = self.call(test::TestRequest::get().uri(path), Some(key), "en").await;
        (s, v)
    }
}

fn grant(p: &str) -> RoleGrant {
    RoleGrant { permission: p.into(), scope: RoleScope::Organization, visibility: Visibility::Individual }
}

/// A role with these grants for the whole organization, assigned to `member`.
fn role_for(t: &TestDb, org: OrgId, key: &str, perms: &[&str], member: MembershipId) -> RoleId {
    let actor = gatehouse_domain::actor::Actor::System;
    t.db.with(|c| {
        let role = gatehouse_db::roles::create(c, org, key, key, "", actor, now())?;
        gatehouse_db::roles::replace_grants(c, org, role, &perms.iter().map(|p| grant(p)).collect::<Vec<_>>())?;
        gatehouse_db::roles::insert_assignment(c, org, member, role, None, None, actor, now())?;
        gatehouse_db::authz::bump(c, org, None)?;
        Ok::<_, gatehouse_db::DbError>(role)
    })
    .unwrap()
}

/// The key from the page that shows it once.
fn key_on(page: &str) -> String {
    let start = page.find("value=\"ghk_").expect("the new key is shown") + "value=\"".len();
    page[start..].split('"').next().unwrap().to_string()
}

async fn keys_act_as_their_technical_user_within_their_scopes(t: &TestDb) {
    seeded(t).await;
    let hash = gatehouse_db::password::hash("outsider-password-1");
    t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "out@beta.test", "Otto Outsider", Some(&hash), "default", now())).unwrap();
    let clock = FixedClock::at(now());
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let beta = t.db.with(|c| orgs::by_slug(c, "beta")).unwrap().unwrap();
    let owner_m = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_OWNER)).unwrap().unwrap();
    let member_m = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_MEMBER)).unwrap().unwrap();
    let beta_owner = t.db.with(|c| members::by_email(c, beta.id, "out@beta.test")).unwrap().unwrap();
    let app = || gatehouse_server::http::app(state(t, &clock), options());
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let api = Api { svc: test::init_service(app()).await };

    // The owner adds a technical user on the page; it holds nothing yet.
    let page = owner.get("/o/acme/api-keys").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("Technical users and API keys") && page.body.contains("/api/v1/openapi.json"));
    let csrf = page.csrf();
    let r = owner.post("/o/acme/api-keys/users", &[("csrf_token", &csrf), ("name", "Reporting"), ("description", "Nightly HR report")]).await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/o/acme/api-keys?done=1"));
    let r = owner.post("/o/acme/api-keys/users", &[("csrf_token", &csrf), ("name", "Reporting")]).await;
    assert!(r.location().contains("error="), "one name per organization: {}", r.location());
    let tech = t.db.with(|c| gatehouse_db::api_keys::list(c, acme.id)).unwrap().remove(0);
    assert_eq!(tech.name, "Reporting");
    let before_members = t.db.with(|c| members::count(c, acme.id)).unwrap();
    // A technical user is not ended like a membership (no compliance case for a program).
    let r = owner.post(&format!("/o/acme/members/{}/end", tech.membership.0), &[("csrf_token", &csrf), ("when", "now")]).await;
    assert!(r.location().contains("error="), "{}", r.location());
    assert_eq!(t.count("compliance_cases"), 0);

    // Its role grants a little more than its first key carries.
    let role = role_for(t, acme.id, "api-reader", &["members.view", "units.view", "audit.view", "decisions.query"], tech.membership);
    let made = owner
        .post(
            &format!("/o/acme/api-keys/users/{}/keys", tech.id),
            &[("csrf_token", &csrf), ("name", "hr-report"), ("valid_days", "30"), ("scope", "members.view"), ("scope", "decisions.query"), ("scope", "units.view")],
        )
        .await;
    assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    assert_eq!(made.headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
    assert!(made.body.contains("shown only this once"));
    let key = key_on(&made.body);
    assert!(gatehouse_domain::api_keys::parse(&key).is_some(), "{key}");
    let listed = owner.get("/o/acme/api-keys").await;
    assert!(listed.body.contains("hr-report") && !listed.body.contains(&key), "the page never shows the key again");
    let stored: i64 = t.count_where("api_keys", &format!("secret_hash LIKE '%{}%'", &key[21..40]));
    assert_eq!(stored, 0, "only a hash of the secret is kept");

    // Members, page by page: every member once, in id order, never the technical user.
    let mut seen: Vec<i64> = Vec::new();
    let mut url = "/api/v1/members?limit=7".to_string();
    loop {
        let (s, v) = api.get(&url, &key).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        for m in v["items"].as_array().unwrap() {
            seen.push(m["id"].as_i64().unwrap());
        }
        match v["next"].as_str() {
            Some(n) => url = format!("/api/v1/members?limit=7&cursor={n}"),
            None => break,
        }
    }
    assert_eq!(seen.len() as i64, before_members, "every member once");
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    assert!(!seen.contains(&tech.membership.0), "a technical user is not a member");
    assert_eq!(t.db.with(|c| members::count(c, acme.id)).unwrap(), before_members, "nor counted as one");
    let (s, v) = api.get("/api/v1/units", &key).await;
    assert_eq!(s, StatusCode::OK, "{v}");

    // The role grants audit.view, the key does not carry it: refused, in the caller's language.
    let (s, h, v) = api.call(test::TestRequest::get().uri("/api/v1/audit-events"), Some(&key), "de").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(h["content-type"], "application/problem+json");
    assert_eq!(v["type"], "urn:gatehouse:problem:out-of-scope");
    assert_eq!(v["status"], 403);
    assert_eq!(v["permission"], "audit.view");
    assert!(v["title"].as_str().unwrap().contains("Schlüssel"), "German: {v}");
    // The key carries members.view but the role gives no roles.view: refused by the engine.
    let (s, v) = api.get("/api/v1/roles", &key).await;
    assert_eq!((s, v["type"].as_str()), (StatusCode::FORBIDDEN, Some("urn:gatehouse:problem:out-of-scope")));

    // The decision point: yes or no with the engine's reasons.
    let (s, v) = api.get(&format!("/api/v1/decision?member={}&permission=members.view", owner_m.0), &key).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["allowed"], true);
    assert!(!v["explain"].as_array().unwrap().is_empty() && !v["reasons"].as_array().unwrap().is_empty(), "{v}");
    let (s, v) = api.get(&format!("/api/v1/decision?email={}&permission=audit.view", seed::DEMO_MEMBER), &key).await;
    assert_eq!((s, v["allowed"].as_bool(), v["member"].as_i64()), (StatusCode::OK, Some(false), Some(member_m.0)), "{v}");
    assert!(!v["explain"].as_array().unwrap().is_empty(), "a no says why: {v}");
    let (s, v) = api.get(&format!("/api/v1/decision?member={}&permission=tournaments.view", member_m.0), &key).await;
    assert_eq!(s, StatusCode::OK, "content permissions are asked about too: {v}");
    let (s, v) = api.get(&format!("/api/v1/decision?member={}&permission=bogus.perm", member_m.0), &key).await;
    assert_eq!((s, v["type"].as_str()), (StatusCode::BAD_REQUEST, Some("urn:gatehouse:problem:bad-request")));
    let (s, _) = api.get("/api/v1/decision?permission=members.view", &key).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "the member is named");
    // Another organization's member, unit or item does not exist for this key.
    let (s, v) = api.get(&format!("/api/v1/decision?member={}&permission=members.view", beta_owner.0), &key).await;
    assert_eq!((s, v["type"].as_str()), (StatusCode::NOT_FOUND, Some("urn:gatehouse:problem:not-found")));
    let (s, _) = api.get("/api/v1/decision?email=out@beta.test&permission=members.view", &key).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let beta_unit = t.db.with(|c| gatehouse_db::units::create(c, beta.id, None, "Beta Ops", "team", gatehouse_domain::actor::Actor::System, now())).unwrap().0;
    let (s, _) = api.get(&format!("/api/v1/decision?member={}&permission=members.view&unit={beta_unit}", owner_m.0), &key).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another organization's unit");
    // About an item: decided by the item rules.
    let cup = {
        let p = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
        t.db.with(|c| gatehouse_db::items::create(c, acme.id, &p, owner_m, "tournaments", "Owner's cup", None, None, gatehouse_domain::actor::Actor::System, now())).unwrap()
    };
    let (s, v) = api.get(&format!("/api/v1/decision?member={}&permission=tournaments.edit_any&item={cup}", owner_m.0), &key).await;
    assert_eq!((s, v["allowed"].as_bool()), (StatusCode::OK, Some(true)), "{v}");
    let (s, v) = api.get(&format!("/api/v1/decision?member={}&permission=tournaments.edit_any&item={cup}", member_m.0), &key).await;
    assert_eq!((s, v["allowed"].as_bool()), (StatusCode::OK, Some(false)), "{v}");
    let (s, _) = api.get(&format!("/api/v1/decision?member={}&permission=tournaments.view&item=999999", member_m.0), &key).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, v) = api.get("/api/v1/who-can?permission=members.view", &key).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let holders = v["members"].as_array().unwrap();
    assert!(holders.iter().any(|h| h["member"].as_i64() == Some(owner_m.0) && h["name"] == "Dana Demo"), "{v}");
    assert!(holders.iter().all(|h| h["member"].as_i64() != Some(beta_owner.0)));

    // No key, a made-up key, or only the owner's session cookie: 401, nothing read.
    let (s, h, v) = api.call(test::TestRequest::get().uri("/api/v1/members"), None, "en").await;
    assert_eq!((s, v["type"].as_str()), (StatusCode::UNAUTHORIZED, Some("urn:gatehouse:problem:unauthorized")));
    assert!(h["www-authenticate"].starts_with("Bearer"));
    let forged = format!("{}_{}", &key[..20], "0".repeat(64));
    assert_eq!(api.get("/api/v1/members", &forged).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(api.get("/api/v1/members", "not a key").await.0, StatusCode::UNAUTHORIZED);
    let r = owner.get("/api/v1/members").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a session cookie opens nothing in the API");
    let r = owner.post("/api/v1/assignments", &[("member", "1")]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "nor can a browser be made to change anything there");

    // Provisioning: the key must carry roles.assign, the technical user must hold it, and it
    // gives nothing it does not hold itself.
    let body = serde_json::json!({ "member": member_m.0, "role": role.0 });
    let post = |k: &str| test::TestRequest::post().uri("/api/v1/assignments").set_json(body.clone()).insert_header((header::AUTHORIZATION, format!("Bearer {k}")));
    let (s, _, v) = api.call(post(&key), None, "en").await;
    assert_eq!((s, v["type"].as_str()), (StatusCode::FORBIDDEN, Some("urn:gatehouse:problem:out-of-scope")));
    let made = owner
        .post(&format!("/o/acme/api-keys/users/{}/keys", tech.id), &[("csrf_token", &csrf), ("name", "provisioning"), ("valid_days", "1"), ("scope", "roles.assign")])
        .await;
    let provisioning = key_on(&made.body);
    let (s, _, v) = api.call(post(&provisioning), None, "en").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "carried, not held: {v}");
    assert!(v["detail"].as_str().unwrap().contains("Assign roles"), "the engine's refusal in words: {v}");
    role_for(t, acme.id, "api-assigner", &["roles.assign"], tech.membership);
    let (s, _, v) = api.call(post(&provisioning), None, "en").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let assignment = v["id"].as_i64().unwrap();
    let admin_role = t.db.with(|c| {
        let r = gatehouse_db::roles::create(c, acme.id, "settings-admin", "Settings admin", "", gatehouse_domain::actor::Actor::System, now())?;
        gatehouse_db::roles::replace_grants(c, acme.id, r, &[grant("settings.edit")])?;
        gatehouse_db::authz::bump(c, acme.id, None)?;
        Ok::<_, gatehouse_db::DbError>(r)
    }).unwrap();
    let escalate = serde_json::json!({ "member": member_m.0, "role": admin_role.0 });
    let (s, _, v) = api.call(test::TestRequest::post().uri("/api/v1/assignments").set_json(escalate).insert_header((header::AUTHORIZATION, format!("Bearer {provisioning}"))), None, "en").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no escalation through a key: {v}");
    let (s, _, v) = api.call(test::TestRequest::post().uri("/api/v1/assignments").set_payload("{not json").insert_header((header::CONTENT_TYPE, "application/json")).insert_header((header::AUTHORIZATION, format!("Bearer {provisioning}"))), None, "en").await;
    assert_eq!((s, v["type"].as_str()), (StatusCode::BAD_REQUEST, Some("urn:gatehouse:problem:bad-request")));
    let (s, _, _) = api.call(test::TestRequest::delete().uri(&format!("/api/v1/assignments/{assignment}")).insert_header((header::AUTHORIZATION, format!("Bearer {provisioning}"))), None, "en").await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _, _) = api.call(test::TestRequest::delete().uri("/api/v1/assignments/999999").insert_header((header::AUTHORIZATION, format!("Bearer {provisioning}"))), None, "en").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let changes = t.count_where("audit_events", "actor_kind = 'api_key' AND action IN ('role.assigned', 'role.unassigned')");
    assert_eq!(changes, 2, "the key's changes are audited as the key");
    let reads = t.count_where("audit_events", "actor_kind = 'api_key' AND action = 'api.read'");
    assert!(reads >= 3, "and so are its reads ({reads})");

    // Another organization's owner cannot revoke acme's key; acme's owner can, and it stops at once.
    let mut outsider = Client::new(test::init_service(app()).await);
    outsider.sign_in("out@beta.test", "outsider-password-1").await;
    let out_csrf = outsider.get("/o/beta/me").await.csrf();
    let key_id = t.db.with(|c| gatehouse_db::api_keys::list(c, acme.id)).unwrap()[0].keys.iter().find(|k| k.name == "hr-report").unwrap().id.0;
    let r = outsider.post(&format!("/o/beta/api-keys/keys/{key_id}/revoke"), &[("csrf_token", &out_csrf)]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.location());
    assert_eq!(api.get("/api/v1/units", &key).await.0, StatusCode::OK, "still works");
    let r = owner.post(&format!("/o/acme/api-keys/keys/{key_id}/revoke"), &[("csrf_token", &csrf)]).await;
    assert_eq!(r.location(), "/o/acme/api-keys?done=1");
    assert_eq!(api.get("/api/v1/units", &key).await.0, StatusCode::UNAUTHORIZED, "revoked: at once");
    let used = t.db.with(|c| gatehouse_db::api_keys::list(c, acme.id)).unwrap()[0].keys.iter().find(|k| k.name == "hr-report").unwrap().last_used_at;
    assert_eq!(used, Some(now()), "the last use is noted");

    // A key ends on its date.
    assert_eq!(api.get("/api/v1/members?limit=1", &provisioning).await.0, StatusCode::FORBIDDEN, "valid, but not carrying members.view");
    clock.advance(Duration::days(1));
    assert_eq!(api.get("/api/v1/members?limit=1", &provisioning).await.0, StatusCode::UNAUTHORIZED, "ended");

    // Removing the technical user ends its roles; what it did stays in the audit log.
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await; // a day later: a new session
    let csrf = owner.get("/o/acme/api-keys").await.csrf();
    let r = owner.post(&format!("/o/acme/api-keys/users/{}/remove", tech.id), &[("csrf_token", &csrf)]).await;
    assert_eq!(r.location(), "/o/acme/api-keys?done=1");
    assert!(t.db.with(|c| gatehouse_db::api_keys::list(c, acme.id)).unwrap().is_empty());
    assert_eq!(t.count_where("role_assignments", &format!("membership_id = {}", tech.membership.0)), 0);
    assert_eq!(t.count_where("audit_events", "actor_kind = 'api_key' AND action = 'role.assigned'"), 1, "its history stays");
}
http_both!(keys, keys_act_as_their_technical_user_within_their_scopes);

/// Bad paging input is the caller's mistake (400), and the OpenAPI document lists exactly the
/// routes the API registers.
async fn the_api_is_described_and_enumerated(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let api = Api { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await };
    let (s, h, doc) = api.call(test::TestRequest::get().uri("/api/v1/openapi.json"), None, "en").await;
    assert_eq!(s, StatusCode::OK);
    assert!(h["content-type"].starts_with("application/json"));
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    let paths = doc["paths"].as_object().unwrap();
    let mut described: Vec<(String, String)> = Vec::new();
    for (p, ops) in paths {
        for m in ops.as_object().unwrap().keys() {
            described.push((m.to_uppercase(), p.clone()));
        }
    }
    let mut registered: Vec<(String, String)> =
        gatehouse_server::api::API_ROUTES.iter().filter(|(_, p)| !p.ends_with("openapi.json")).map(|(m, p)| (m.to_string(), p.to_string())).collect();
    described.sort();
    registered.sort();
    assert_eq!(described, registered, "every API route is in the OpenAPI document, and nothing else");
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());

    // Every route answers 401 without a key (the document itself is public) and a problem for
    // a path that does not exist.
    for (m, p) in gatehouse_server::api::API_ROUTES {
        let path = p.replace("{id}", "1");
        let req = match *m {
            "GET" => test::TestRequest::get(),
            "POST" => test::TestRequest::post().set_json(serde_json::json!({})),
            _ => test::TestRequest::delete(),
        };
        let (s, _, v) = api.call(req.uri(&path), None, "en").await;
        if p.ends_with("openapi.json") {
            assert_eq!(s, StatusCode::OK);
        } else {
            assert_eq!((s, v["type"].as_str()), (StatusCode::UNAUTHORIZED, Some("urn:gatehouse:problem:unauthorized")), "{m} {p}");
        }
    }
    let (s, _, v) = api.call(test::TestRequest::get().uri("/api/v1/nothing-here"), None, "en").await;
    assert_eq!((s, v["type"].as_str()), (StatusCode::NOT_FOUND, Some("urn:gatehouse:problem:not-found")));

    // Paging input.
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let owner_m = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_OWNER)).unwrap().unwrap();
    let policy = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
    let actor = gatehouse_domain::actor::Actor::System;
    let tech = t.db.with(|c| gatehouse_db::api_keys::create_technical_user(c, acme.id, &policy, owner_m, "Audit export", "", actor, now())).unwrap();
    let tech_m = t.db.with(|c| gatehouse_db::api_keys::get(c, acme.id, tech)).unwrap().membership;
    role_for(t, acme.id, "auditor-api", &["audit.view", "members.view"], tech_m);
    let policy = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
    let key = t.db.with(|c| gatehouse_db::api_keys::create_key(c, acme.id, &policy, owner_m, tech, "audit", &["audit.view".into()], 10, actor, now())).unwrap().token;
    for bad in ["limit=0", "limit=501", "limit=x", "cursor=abc", "cursor=c-5"] {
        let (s, v) = api.get(&format!("/api/v1/audit-events?{bad}"), &key).await;
        assert_eq!((s, v["type"].as_str()), (StatusCode::BAD_REQUEST, Some("urn:gatehouse:problem:bad-request")), "{bad}: {v}");
    }
    // The audit log newest first, a page at a time, without repeats.
    let (s, first) = api.get("/api/v1/audit-events?limit=5", &key).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let ids: Vec<i64> = first["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 5);
    assert!(ids.windows(2).all(|w| w[0] > w[1]));
    let (_, second) = api.get(&format!("/api/v1/audit-events?limit=5&cursor={}", first["next"].as_str().unwrap()), &key).await;
    let next: Vec<i64> = second["items"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(next.iter().all(|i| i < ids.last().unwrap()), "{ids:?} then {next:?}");
}
http_both!(described, the_api_is_described_and_enumerated);
