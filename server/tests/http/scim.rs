//! SCIM 2.0 over HTTP with API keys: discovery, Users and Groups created, read, filtered,
//! replaced, patched and deleted; a key without the scope, a technical user without the
//! permission and a key of another organization are refused; a deactivated User's sessions end at
//! once; every route refuses a call without a key with a SCIM error document.
use crate::common::*;
use gatehouse_domain::authz::{RoleGrant, RoleScope, Visibility};
use gatehouse_domain::ids::OrgId;
use serde_json::{json, Value};

struct Scim<S> {
    svc: S,
}

impl<S, B> Scim<S>
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
    async fn send(&self, method: &str, path: &str, key: &str, body: Value) -> (StatusCode, Value) {
        let req = match method {
            "POST" => test::TestRequest::post(),
            "PUT" => test::TestRequest::put(),
            "PATCH" => test::TestRequest::patch(),
            _ => test::TestRequest::delete(),
        };
        let req = req.uri(path).insert_header((header::CONTENT_TYPE, "application/scim+json")).set_payload(body.to_string());
        let (s, _, v) = self.call(req, Some(key), "en").await;
        (s, v)
    }
}

/// A technical user of `org` holding `perms` for the whole organization, and a key of it
/// carrying `scopes`.
fn key_for(t: &TestDb, org: OrgId, owner: &str, name: &str, perms: &[&str], scopes: &[&str]) -> String {
    let owner = t.db.with(|c| members::by_email(c, org, owner)).unwrap().unwrap();
    let policy = t.db.with(|c| gatehouse_db::authz::load_policy(c, org)).unwrap();
    let actor = gatehouse_domain::actor::Actor::System;
    let tech = t.db.with(|c| gatehouse_db::api_keys::create_technical_user(c, org, &policy, owner, name, "", actor, now())).unwrap();
    let tech_m = t.db.with(|c| gatehouse_db::api_keys::get(c, org, tech)).unwrap().membership;
    t.db.with(|c| {
        let role = gatehouse_db::roles::create(c, org, &name.to_lowercase(), name, "", actor, now())?;
        let grants: Vec<RoleGrant> = perms.iter().map(|p| RoleGrant { permission: p.to_string(), scope: RoleScope::Organization, visibility: Visibility::Individual }).collect();
        gatehouse_db::roles::replace_grants(c, org, role, &grants)?;
        gatehouse_db::roles::insert_assignment(c, org, tech_m, role, None, None, actor, now())?;
        gatehouse_db::authz::bump(c, org, None)
    })
    .unwrap();
    let policy = t.db.with(|c| gatehouse_db::authz::load_policy(c, org)).unwrap();
    let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
    t.db.with(|c| gatehouse_db::api_keys::create_key(c, org, &policy, owner, tech, "scim", &scopes, 30, actor, now())).unwrap().token
}

const ALL: &[&str] = &["members.view", "members.invite", "members.edit", "members.terminate", "units.view", "units.manage", "members.move"];

async fn provisioning_users_and_groups(t: &TestDb) {
    seeded(t).await;
    let hash = gatehouse_db::password::hash("outsider-password-1");
    t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "out@beta.test", "Otto Outsider", Some(&hash), "default", now())).unwrap();
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let beta = t.db.with(|c| orgs::by_slug(c, "beta")).unwrap().unwrap();
    let clock = FixedClock::at(now());
    let app = || gatehouse_server::http::app(state(t, &clock), options());
    let scim = Scim { svc: test::init_service(app()).await };
    let key = key_for(t, acme.id, seed::DEMO_OWNER, "Directory", ALL, ALL);

    // Discovery.
    let (s, spc) = scim.get("/scim/v2/ServiceProviderConfig", &key).await;
    assert_eq!(s, StatusCode::OK, "{spc}");
    assert_eq!((spc["patch"]["supported"].as_bool(), spc["bulk"]["supported"].as_bool()), (Some(true), Some(false)));
    let (_, schemas) = scim.get("/scim/v2/Schemas", &key).await;
    assert_eq!(schemas["totalResults"], 6);
    let (s, user_schema) = scim.get("/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", &key).await;
    assert_eq!((s, user_schema["name"].as_str()), (StatusCode::OK, Some("User")));
    let (_, types) = scim.get("/scim/v2/ResourceTypes", &key).await;
    assert_eq!(types["Resources"].as_array().unwrap().len(), 2);
    let (s, v) = scim.send("POST", "/scim/v2/Schemas", &key, json!({})).await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("405")));
    let (s, v) = scim.get("/scim/v2/ResourceTypes/Nothing", &key).await;
    assert_eq!((s, v["schemas"][0].as_str()), (StatusCode::NOT_FOUND, Some("urn:ietf:params:scim:api:messages:2.0:Error")));

    // A User: invited, at its location, as sent (the password never kept).
    let (s, h, u) = scim
        .call(
            test::TestRequest::post().uri("/scim/v2/Users").insert_header((header::CONTENT_TYPE, "application/scim+json")).set_payload(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "nora@acme.test", "password": "p4ss!", "name": {"givenName": "Nora", "familyName": "Neu"},
                    "emails": [{"value": "nora@acme.test", "type": "work", "primary": true}], "title": "Analyst"})
                .to_string(),
            ),
            Some(&key),
            "en",
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    let id = u["id"].as_str().unwrap().to_string();
    assert_eq!(h["location"], format!("http://127.0.0.1:3000/scim/v2/Users/{id}"));
    assert_eq!(u["meta"]["resourceType"], "User");
    assert!(u.get("password").is_none());
    assert_eq!(h["content-type"], "application/scim+json");
    let nora = t.db.with(|c| members::by_email(c, acme.id, "nora@acme.test")).unwrap().expect("invited");
    assert_eq!(t.count_where("memberships", &format!("id = {} AND status = 'invited'", nora.0)), 1);
    assert_eq!(t.count_where("audit_events", "actor_kind = 'api_key' AND action = 'scim.resource_created'"), 1);

    // Read, filter, page, project.
    let (s, got) = scim.get(&format!("/scim/v2/Users/{id}?attributes=userName"), &key).await;
    assert_eq!(s, StatusCode::OK);
    assert!(got.get("title").is_none() && got["userName"] == "nora@acme.test" && got["id"] == id.as_str(), "{got}");
    let (_, list) = scim.get("/scim/v2/Users?filter=userName%20eq%20%22NORA@acme.test%22", &key).await;
    assert_eq!((list["totalResults"].as_i64(), list["Resources"][0]["id"].as_str()), (Some(1), Some(id.as_str())), "{list}");
    let (_, list) = scim.get("/scim/v2/Users?filter=title%20sw%20%22Ana%22%20and%20emails%5Btype%20eq%20%22work%22%5D", &key).await;
    assert_eq!(list["totalResults"], 1, "{list}");
    let (s, v) = scim.get("/scim/v2/Users?filter=userName%20eq", &key).await;
    assert_eq!((s, v["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidFilter")));
    let (_, v) = scim.send("POST", "/scim/v2/.search", &key, json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName pr", "count": 10})).await;
    assert_eq!(v["totalResults"], 1, "{v}");

    // The same userName again: 409 uniqueness; a broken document: 400, nothing written.
    let before = t.count("memberships");
    let (s, v) = scim.send("POST", "/scim/v2/Users", &key, json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "Nora@Acme.test"})).await;
    assert_eq!((s, v["scimType"].as_str()), (StatusCode::CONFLICT, Some("uniqueness")), "{v}");
    let (s, v) = scim.send("POST", "/scim/v2/Users", &key, json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]})).await;
    assert_eq!((s, v["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("invalidValue")), "{v}");
    assert_eq!(t.count("memberships"), before);

    // PATCH and PUT keep what they are told to; id and meta are the server's.
    let (s, v) = scim
        .send("PATCH", &format!("/scim/v2/Users/{id}"), &key, json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "Lead"}]}))
        .await;
    assert_eq!((s, v["title"].as_str()), (StatusCode::OK, Some("Lead")), "{v}");
    let (s, v) = scim
        .send("PATCH", &format!("/scim/v2/Users/{id}"), &key, json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "id", "value": "x"}]}))
        .await;
    assert_eq!((s, v["scimType"].as_str()), (StatusCode::BAD_REQUEST, Some("mutability")));
    let (s, v) = scim.send("PUT", &format!("/scim/v2/Users/{id}"), &key, json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "nora@acme.test", "nickName": "N"})).await;
    assert_eq!((s, v["nickName"].as_str(), v.get("title")), (StatusCode::OK, Some("N"), None), "{v}");

    // A Group: a unit with its members.
    let (s, g) = scim.send("POST", "/scim/v2/Groups", &key, json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Data Team", "members": [{"value": id}]})).await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    let unit: i64 = t.db.with(|c| gatehouse_db::units::list(c, acme.id)).unwrap().into_iter().find(|u| u.name == "Data Team").expect("a unit").id.0;
    assert_eq!(t.count_where("membership_units", &format!("unit_id = {unit} AND membership_id = {}", nora.0)), 1);

    // The owner's API keys page says where to provision and how much is.
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;
    let page = owner.get("/o/acme/api-keys").await;
    assert!(page.body.contains("http://127.0.0.1:3000/scim/v2") && page.body.contains("Provisioned so far: users 1, groups 1."), "{}", page.body);

    // The demo member, signed in, is taken over by the provider and then deactivated: the
    // membership ends and their next request finds nothing of the organization.
    let mut max = Client::new(test::init_service(app()).await);
    max.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    assert_eq!(max.get("/o/acme/requests").await.status, StatusCode::OK);
    let (s, m) = scim.send("POST", "/scim/v2/Users", &key, json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": seed::DEMO_MEMBER})).await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    let mid = m["id"].as_str().unwrap();
    let (s, _) = scim
        .send("PATCH", &format!("/scim/v2/Users/{mid}"), &key, json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "value": {"active": false}}]}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let max_m = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_MEMBER)).unwrap().unwrap();
    assert_eq!(t.count_where("memberships", &format!("id = {} AND status = 'terminated'", max_m.0)), 1);
    assert_ne!(max.get("/o/acme/requests").await.status, StatusCode::OK, "the deactivation takes effect at once");

    // DELETE: 204, then 404.
    let (s, _) = scim.send("DELETE", &format!("/scim/v2/Groups/{}", g["id"].as_str().unwrap()), &key, Value::Null).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = scim.get(&format!("/scim/v2/Groups/{}", g["id"].as_str().unwrap()), &key).await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // A key without the invite scope; a technical user without the permission; another
    // organization's key: refused, nothing written.
    let reader = key_for(t, acme.id, seed::DEMO_OWNER, "Reader", &["members.view"], &["members.view"]);
    let (s, v) = scim.send("POST", "/scim/v2/Users", &reader, json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x@acme.test"})).await;
    assert_eq!((s, v["schemas"][0].as_str()), (StatusCode::FORBIDDEN, Some("urn:ietf:params:scim:api:messages:2.0:Error")), "{v}");
    let (s, _) = scim.get(&format!("/scim/v2/Users/{id}"), &reader).await;
    assert_eq!(s, StatusCode::OK, "reading needs members.view only");
    let (s, _) = scim.get("/scim/v2/Groups", &reader).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "units.view is not carried");
    let narrow = key_for(t, acme.id, seed::DEMO_OWNER, "Narrow", &["members.view", "members.edit", "members.terminate", "members.invite"], &["members.view", "members.edit", "members.terminate", "members.invite"]);
    let (s, _) = scim.send("POST", "/scim/v2/Groups", &narrow, json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Nope"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let other = key_for(t, beta.id, "out@beta.test", "BetaDir", ALL, ALL);
    let (s, _) = scim.get(&format!("/scim/v2/Users/{id}"), &other).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "another organization's key finds nothing");
    let (s, _) = scim.send("DELETE", &format!("/scim/v2/Users/{id}"), &other, Value::Null).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, l) = scim.get("/scim/v2/Users", &other).await;
    assert_eq!(l["totalResults"], 0);
    assert_eq!(t.count_where("memberships", &format!("id = {} AND status = 'invited'", nora.0)), 1);
}
http_both!(provisioning, provisioning_users_and_groups);

/// Every SCIM route refuses a call without a key with a SCIM error in the caller's language,
/// and an unknown path is a SCIM 404.
async fn every_scim_route_needs_a_key(t: &TestDb) {
    seeded(t).await;
    let clock = FixedClock::at(now());
    let scim = Scim { svc: test::init_service(gatehouse_server::http::app(state(t, &clock), options())).await };
    for (m, p) in gatehouse_server::api::scim::SCIM_ROUTES {
        let path = p.replace("{id}", "1");
        let req = match *m {
            "GET" => test::TestRequest::get(),
            "POST" => test::TestRequest::post().set_json(json!({})),
            "PUT" => test::TestRequest::put().set_json(json!({})),
            "PATCH" => test::TestRequest::patch().set_json(json!({})),
            _ => test::TestRequest::delete(),
        };
        let (s, h, v) = scim.call(req.uri(&path), None, "de").await;
        assert_eq!((s, v["status"].as_str()), (StatusCode::UNAUTHORIZED, Some("401")), "{m} {p}: {v}");
        assert_eq!(h["content-type"], "application/scim+json");
        assert!(v["detail"].as_str().unwrap().contains("Ein gültiger API-Schlüssel ist nötig."), "in the caller's language: {v}");
    }
    let (s, _, v) = scim.call(test::TestRequest::get().uri("/scim/v2/Nothing"), None, "en").await;
    assert_eq!((s, v["status"].as_str()), (StatusCode::NOT_FOUND, Some("404")));
}
http_both!(scim_routes, every_scim_route_needs_a_key);
