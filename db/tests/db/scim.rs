//! SCIM provisioning on SQLite and PostgreSQL: a User is an invitation (or takes over the
//! membership its address already has), `active: false` ends it at once with its sessions; a
//! Group is a unit whose provisioned members follow the document; names are unique per
//! organization; every change is decided by the engine and a refused one writes nothing.
use chrono::{TimeZone, Utc};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{authz, both, members, scim, seed, sessions, users, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::UserId;
use gatehouse_domain::member::MemberKind;
use gatehouse_domain::scim::{Kind, GROUP_SCHEMA, USER_SCHEMA};
use serde_json::{json, Value};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 5, 9, 0, 0).unwrap()
}

const URL: &str = "https://gatehouse.test";

both!(users_are_invitations_and_leave_at_once, |t: &TestDb| {
    let (org, owner) = t.db.tx(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "o@acme.test", "Olga Owner", None, "default", now())).unwrap();
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    let actor = Actor::User { user: UserId(0), membership: Some(owner) };
    let create = |kind: Kind, body: Value| t.db.with(|c| scim::create(c, org.id, &policy, owner, kind, &body, URL, actor, now()));

    // A new User with an address: invited (the mail is queued with the change).
    let bj = create(
        Kind::User,
        json!({"schemas": [USER_SCHEMA], "userName": "bjensen", "externalId": "e-1", "password": "s3cret!", "name": {"givenName": "Barbara", "familyName": "Jensen"}, "emails": [{"value": "Barbara@Example.org", "primary": true}]}),
    )
    .unwrap()
    .unwrap();
    let member = bj.membership.expect("linked to a membership");
    assert_eq!(t.count_where("memberships", &format!("id = {} AND status = 'invited'", member.0)), 1);
    assert_eq!(t.count_where("email_outbox", "to_address = 'barbara@example.org'"), 1, "the invitation mail");
    assert!(bj.document.get("password").is_none(), "a password sent by the provider is never kept");
    assert!(t.grep("s3cret!", None).is_empty());
    assert_eq!(t.db.with(|c| scim::get(c, org.id, Kind::User, &bj.public_id)).unwrap().unwrap().document["externalId"], "e-1");

    // userName is unique in the organization without regard to case; the refusal writes nothing.
    let before = (t.count("scim_resources"), t.count("memberships"), t.count("audit_events"));
    let dup = create(Kind::User, json!({"schemas": [USER_SCHEMA], "userName": "BJENSEN", "emails": [{"value": "other@example.org"}]})).unwrap();
    assert_eq!(dup.unwrap_err().scim_type(), "uniqueness");
    assert_eq!((t.count("scim_resources"), t.count("memberships"), t.count("audit_events")), before);
    // A plain eq filter on userName is answered by the index, any case.
    let found = t.db.with(|c| scim::list(c, org.id, Kind::User, Some(("userName", "BJensen")))).unwrap();
    assert_eq!(found.iter().map(|r| r.public_id.clone()).collect::<Vec<_>>(), vec![bj.public_id.clone()]);

    // A User whose address is an active member already takes that membership over; active:
    // false ends it at once (roles, a compliance case) and their sessions, as any leaver's.
    let eve_user = t
        .db
        .tx(|c| {
            let u = users::create(c, &users::NewUser { email: "eve@example.org", display_name: "Eve", locale: Default::default(), password_hash: None, is_system: false }, Actor::System, now())?;
            members::add(c, &members::NewMember::active(org.id, u, MemberKind::Employee, &[]), Actor::System, now())?;
            authz::bump(c, org.id, None)?;
            Ok::<_, DbError>(u)
        })
        .unwrap();
    t.db.with(|c| sessions::create(c, eve_user, now())).unwrap();
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    let eve = t.db.with(|c| scim::create(c, org.id, &policy, owner, Kind::User, &json!({"schemas": [USER_SCHEMA], "userName": "eve@example.org"}), URL, actor, now())).unwrap().unwrap();
    let eve_member = eve.membership.unwrap();
    assert_eq!(t.count_where("memberships", &format!("user_id = {}", eve_user.0)), 1, "no second membership");
    let off = |doc: &Value| {
        let mut d = doc.clone();
        d["active"] = json!(false);
        Ok(d)
    };
    t.db.with(|c| scim::update(c, org.id, &policy, owner, Kind::User, &eve.public_id, &off, URL, actor, now())).unwrap().unwrap();
    assert_eq!(t.count_where("memberships", &format!("id = {} AND status = 'terminated'", eve_member.0)), 1);
    assert_eq!(t.count_where("sessions", &format!("user_id = {}", eve_user.0)), 0, "their sessions end with it");

    // DELETE of an invited User withdraws the invitation.
    t.db.with(|c| scim::delete(c, org.id, &policy, owner, Kind::User, &bj.public_id, URL, actor, now())).unwrap();
    assert_eq!(t.count_where("invitations", &format!("membership_id = {} AND revoked_at IS NOT NULL", member.0)), 1);
    assert!(t.db.with(|c| scim::get(c, org.id, Kind::User, &bj.public_id)).unwrap().is_none());

    // Another organization sees none of it and cannot change it.
    let (beta, beta_owner) = t.db.tx(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "o@beta.test", "Otto", None, "default", now())).unwrap();
    let beta_policy = t.db.with(|c| authz::load_policy(c, beta.id)).unwrap();
    assert!(t.db.with(|c| scim::get(c, beta.id, Kind::User, &eve.public_id)).unwrap().is_none());
    let as_beta = Actor::User { user: UserId(0), membership: Some(beta_owner) };
    let r = t.db.with(|c| scim::update(c, beta.id, &beta_policy, beta_owner, Kind::User, &eve.public_id, &off, URL, as_beta, now()));
    assert!(matches!(r, Err(DbError::NotFound)), "{r:?}");
});

both!(groups_are_units_with_their_provisioned_members, |t: &TestDb| {
    let (org, owner) = t.db.tx(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "o@acme.test", "Olga Owner", None, "default", now())).unwrap();
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    let actor = Actor::User { user: UserId(0), membership: Some(owner) };
    let user = |name: &str| {
        t.db.with(|c| scim::create(c, org.id, &policy, owner, Kind::User, &json!({"schemas": [USER_SCHEMA], "userName": format!("{name}@example.org")}), URL, actor, now()))
            .unwrap()
            .unwrap()
    };
    let (a, b) = (user("ann"), user("ben"));
    let g = t
        .db
        .with(|c| scim::create(c, org.id, &policy, owner, Kind::Group, &json!({"schemas": [GROUP_SCHEMA], "displayName": "Sales", "members": [{"value": a.public_id}]}), URL, actor, now()))
        .unwrap()
        .unwrap();
    let unit = g.unit.expect("a unit");
    assert_eq!(t.count_where("units", &format!("id = {} AND name = 'Sales'", unit.0)), 1);
    let in_unit = |m: gatehouse_domain::ids::MembershipId| t.count_where("membership_units", &format!("unit_id = {} AND membership_id = {}", unit.0, m.0));
    assert_eq!((in_unit(a.membership.unwrap()), in_unit(b.membership.unwrap())), (1, 0));

    // PATCH: Ben in, Ann out, renamed; the unit follows.
    let ops = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
        {"op": "add", "path": "members", "value": [{"value": b.public_id}]},
        {"op": "remove", "path": format!("members[value eq \"{}\"]", a.public_id)},
        {"op": "replace", "path": "displayName", "value": "Sales EMEA"}]});
    let edit = move |doc: &Value| gatehouse_domain::scim::patched(doc, &ops);
    t.db.with(|c| scim::update(c, org.id, &policy, owner, Kind::Group, &g.public_id, &edit, URL, actor, now())).unwrap().unwrap();
    assert_eq!((in_unit(a.membership.unwrap()), in_unit(b.membership.unwrap())), (0, 1));
    assert_eq!(t.count_where("units", &format!("id = {} AND name = 'Sales EMEA'", unit.0)), 1);

    // A member that is no User of this organization is refused, and nothing changes.
    let before = t.count("membership_units");
    let bad = |doc: &Value| {
        let mut d = doc.clone();
        d["members"] = json!([{"value": "not-a-user"}]);
        Ok(d)
    };
    let r = t.db.with(|c| scim::update(c, org.id, &policy, owner, Kind::Group, &g.public_id, &bad, URL, actor, now())).unwrap();
    assert_eq!(r.unwrap_err().scim_type(), "invalidValue");
    assert_eq!(t.count("membership_units"), before);

    // Someone without units.manage may not make a Group (decided by the engine), nothing written.
    let ivy = t
        .db
        .tx(|c| {
            let u = users::create(c, &users::NewUser { email: "ivy@acme.test", display_name: "Ivy", locale: Default::default(), password_hash: None, is_system: false }, Actor::System, now())?;
            let m = members::add(c, &members::NewMember::active(org.id, u, MemberKind::Employee, &[]), Actor::System, now())?;
            authz::bump(c, org.id, None)?;
            Ok::<_, DbError>(m)
        })
        .unwrap();
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    let units_before = t.count("units");
    let r = t.db.with(|c| scim::create(c, org.id, &policy, ivy, Kind::Group, &json!({"schemas": [GROUP_SCHEMA], "displayName": "Ops"}), URL, Actor::System, now()));
    assert!(matches!(r, Err(DbError::Denied(_))), "{r:?}");
    assert_eq!((t.count("units"), t.count("scim_resources")), (units_before, 3));

    // Deleting the Group takes its provisioned members out; the unit stays.
    t.db.with(|c| scim::delete(c, org.id, &policy, owner, Kind::Group, &g.public_id, URL, actor, now())).unwrap();
    assert_eq!(in_unit(b.membership.unwrap()), 0);
    assert_eq!(t.count_where("units", &format!("id = {}", unit.0)), 1);
    assert_eq!(t.count_where("audit_events", "action = 'scim.resource_deleted'"), 1);
});
