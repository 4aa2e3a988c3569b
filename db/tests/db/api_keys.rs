//! Technical users and API keys on SQLite and PostgreSQL: a key is kept only as a hash, proves
//! itself once presented whole, stops when revoked or ended; whoever makes one gives it only
//! permissions they hold; a refused change leaves nothing behind.
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{api_keys, authz, both, members, roles, seed, users, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::{Denial, RoleGrant, RoleScope, Visibility};
use gatehouse_domain::member::MemberKind;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap()
}

both!(keys_are_hashed_scoped_revocable_and_end, |t: &TestDb| {
    let (org, owner) = t.db.tx(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "o@acme.test", "Olga Owner", None, "default", now())).unwrap();
    // Ivy may make keys and see members, nothing else.
    let ivy = t
        .db
        .tx(|c| {
            let u = users::create(c, &users::NewUser { email: "ivy@acme.test", display_name: "Ivy", locale: Default::default(), password_hash: None, is_system: false }, Actor::System, now())?;
            let m = members::add(c, &members::NewMember::active(org.id, u, MemberKind::Employee, &[]), Actor::System, now())?;
            let r = roles::create(c, org.id, "keymaker", "Keymaker", "", Actor::System, now())?;
            let g = |p: &str| RoleGrant { permission: p.into(), scope: RoleScope::Organization, visibility: Visibility::Individual };
            roles::replace_grants(c, org.id, r, &[g("api_keys.generate"), g("members.view")])?;
            roles::insert_assignment(c, org.id, m, r, None, None, Actor::System, now())?;
            authz::bump(c, org.id, None)?;
            Ok::<_, DbError>(m)
        })
        .unwrap();
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    let as_ivy = Actor::User { user: gatehouse_domain::ids::UserId(0), membership: Some(ivy) };
    let memberships_before = t.count("memberships");
    let tech = t.db.with(|c| api_keys::create_technical_user(c, org.id, &policy, ivy, "Reporting", "HR", as_ivy, now())).unwrap();
    assert_eq!(t.count("memberships"), memberships_before + 1, "a technical user is a membership of its own");
    assert_eq!(t.db.with(|c| members::count(c, org.id)).unwrap(), 2, "not counted as a member");
    // The same name again: refused, and nothing of it written.
    let e = t.db.with(|c| api_keys::create_technical_user(c, org.id, &policy, ivy, "Reporting", "", as_ivy, now())).unwrap_err();
    assert!(matches!(e, DbError::Conflict(_)), "{e:?}");
    assert_eq!(t.count("memberships"), memberships_before + 1, "a refused change leaves nothing behind");

    // Scopes: only what Ivy holds herself, only catalog permissions, every key ends within a year.
    let key = |scopes: &[&str], days: i64| {
        let s: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        t.db.with(|c| api_keys::create_key(c, org.id, &policy, ivy, tech, "k", &s, days, as_ivy, now()))
    };
    match key(&["members.view", "audit.view"], 30) {
        Err(DbError::Denied(Denial::NotPermitted { permission, .. })) => assert_eq!(permission, "audit.view"),
        other => panic!("no escalation through a key's scopes: {other:?}"),
    }
    assert!(matches!(key(&["tournaments.view"], 30), Err(DbError::Domain(_))));
    assert!(matches!(key(&["members.view"], 0), Err(DbError::Domain(_))));
    assert!(matches!(key(&["members.view"], 367), Err(DbError::Domain(_))));
    assert_eq!(t.count("api_keys"), 0);
    let made = key(&["members.view"], 30).unwrap();
    assert_eq!(made.technical_user, "Reporting");
    assert_eq!(made.expires_at, now() + Duration::days(30));
    let secret = made.token.rsplit('_').next().unwrap().to_string();
    assert!(t.grep(&secret, None).is_empty(), "the secret is nowhere in the database");

    let auth = t.db.with(|c| api_keys::authenticate(c, &made.token, now())).unwrap().expect("a whole key proves itself");
    assert_eq!((auth.org, auth.key, auth.scopes.clone()), (org.id, made.id, vec!["members.view".to_string()]));
    let tech_row = t.db.with(|c| api_keys::get(c, org.id, tech)).unwrap();
    assert_eq!(auth.membership, tech_row.membership);
    let tampered = format!("{}{}", &made.token[..made.token.len() - 1], if made.token.ends_with('0') { '1' } else { '0' });
    assert_eq!(t.db.with(|c| api_keys::authenticate(c, &tampered, now())).unwrap(), None);
    assert_eq!(t.db.with(|c| api_keys::authenticate(c, &made.token, now() + Duration::days(30))).unwrap(), None, "ended at its date");

    // Ivy may not revoke (api_keys.revoke); the owner may, once.
    assert!(matches!(t.db.with(|c| api_keys::revoke_key(c, org.id, &policy, ivy, made.id, as_ivy, now())), Err(DbError::Denied(_))));
    let by_owner = Actor::User { user: gatehouse_domain::ids::UserId(0), membership: Some(owner) };
    assert!(t.db.with(|c| api_keys::revoke_key(c, org.id, &policy, owner, made.id, by_owner, now())).unwrap());
    assert!(!t.db.with(|c| api_keys::revoke_key(c, org.id, &policy, owner, made.id, by_owner, now())).unwrap());
    assert_eq!(t.db.with(|c| api_keys::authenticate(c, &made.token, now())).unwrap(), None, "revoked");
    assert_eq!(t.count("audit_events WHERE action = 'api_key.revoked'"), 1);
    assert_eq!(t.count("audit_events WHERE action = 'api_key.created'"), 1);
    let row = t.db.with(|c| api_keys::list(c, org.id)).unwrap().remove(0).keys.remove(0);
    assert_eq!(row.revoked_at, Some(now()));

    // Another organization's owner finds nothing of it.
    let (beta, beta_owner) = t.db.tx(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "o@beta.test", "Otto", None, "default", now())).unwrap();
    let beta_policy = t.db.with(|c| authz::load_policy(c, beta.id)).unwrap();
    let as_beta = Actor::User { user: gatehouse_domain::ids::UserId(0), membership: Some(beta_owner) };
    assert!(matches!(t.db.with(|c| api_keys::revoke_key(c, beta.id, &beta_policy, beta_owner, made.id, as_beta, now())), Err(DbError::NotFound)));
    assert!(matches!(t.db.with(|c| api_keys::create_key(c, beta.id, &beta_policy, beta_owner, tech, "x", &["members.view".into()], 5, as_beta, now())), Err(DbError::NotFound)));
    assert!(matches!(t.db.with(|c| api_keys::remove_technical_user(c, beta.id, &beta_policy, beta_owner, tech, as_beta, now())), Err(DbError::NotFound)));
});
