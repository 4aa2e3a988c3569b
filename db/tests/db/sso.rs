//! Single sign-on on SQLite and PostgreSQL: a provider's secret is kept sealed; a sign-in's
//! state is taken once and within its limit; a verified sign-in links by e-mail, accepts an
//! invitation or admits just in time, and refuses what it must (unverified, another domain, no
//! membership, ended); the group mapping gives and takes only its own assignments, audited as the
//! background user; configuration follows the engine (settings.edit, no escalation) and
//! requiring SSO takes a provider that is switched on and proven by whoever requires it.
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::secrets::SealingKey;
use gatehouse_db::sso::{self, Claims, ProviderInput};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{authz, both, members, roles, seed, users, Conflict, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::Denial;
use gatehouse_domain::ids::{MembershipId, OrgId, RoleId};
use gatehouse_domain::member::MemberKind;
use gatehouse_domain::sso::Refusal;
use std::collections::BTreeSet;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap()
}

fn input(jit: bool) -> ProviderInput {
    ProviderInput {
        name: "Acme IdP".into(),
        issuer: "https://login.acme.example/".into(),
        client_id: "gatehouse".into(),
        client_secret: "very-secret-client-secret".into(),
        allowed_domains: "acme.example, acme.test".into(),
        groups_claim: String::new(),
        just_in_time: jit,
        enabled: true,
    }
}

fn claims(email: &str, groups: &[&str]) -> Claims {
    Claims { subject: format!("sub-{}", email.to_lowercase()), email: Some(email.into()), email_verified: true, name: Some("New Person".into()), groups: groups.iter().map(|g| g.to_string()).collect::<BTreeSet<_>>() }
}

struct Setup {
    org: OrgId,
    owner: MembershipId,
    provider: i64,
    developer: RoleId,
}

fn setup(t: &TestDb, jit: bool) -> Setup {
    let (org, owner) = t.db.tx(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "olga@acme.example", "Olga Owner", None, "permission-matrix", now())).unwrap();
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    let key = SealingKey::generate();
    let provider = t.db.with(|c| sso::create(c, org.id, &policy, owner, &key, &input(jit), Actor::System, now())).unwrap();
    let developer = t.db.with(|c| roles::list(c, org.id)).unwrap().into_iter().find(|r| r.key == "developer").expect("the template's developer role").id;
    t.db.with(|c| sso::add_mapping(c, org.id, &policy, owner, provider, "engineering", developer, None, Actor::System, now())).unwrap();
    Setup { org: org.id, owner, provider, developer }
}

both!(secrets_are_sealed_and_states_taken_once, |t: &TestDb| {
    let (org, owner) = t.db.tx(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "olga@acme.example", "Olga Owner", None, "default", now())).unwrap();
    let policy = t.db.with(|c| authz::load_policy(c, org.id)).unwrap();
    let key = SealingKey::generate();
    let id = t.db.with(|c| sso::create(c, org.id, &policy, owner, &key, &input(false), Actor::System, now())).unwrap();
    assert!(t.grep("very-secret-client-secret", None).is_empty(), "the client secret is nowhere in clear");
    let listed = t.db.with(|c| sso::list(c, org.id)).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].issuer, "https://login.acme.example", "the issuer as checked");
    assert_eq!(listed[0].allowed_domains, vec!["acme.example".to_string(), "acme.test".to_string()]);
    assert_eq!(listed[0].groups_claim, "groups");
    let public_id = listed[0].public_id.clone();
    let opened = t.db.with(|c| sso::for_sign_in(c, &key, &public_id)).unwrap().expect("opens with the key");
    assert_eq!(opened.client_secret, "very-secret-client-secret");
    assert!(t.db.with(|c| sso::for_sign_in(c, &SealingKey::generate(), &public_id)).unwrap().is_none(), "another server's key opens nothing");
    // A change without a secret keeps it; the audit log never holds it.
    let mut changed = input(false);
    changed.client_secret.clear();
    changed.name = "Acme Login".into();
    t.db.with(|c| sso::update(c, org.id, &policy, owner, &key, id, &changed, Actor::System, now())).unwrap();
    assert_eq!(t.db.with(|c| sso::for_sign_in(c, &key, &public_id)).unwrap().unwrap().client_secret, "very-secret-client-secret");
    assert_eq!(t.count_where("audit_events", "action = 'sso.provider_changed'"), 1);
    // Bad input: refused, nothing written.
    for bad in [ProviderInput { issuer: "http://login.acme.example".into(), ..input(false) }, ProviderInput { allowed_domains: " ".into(), ..input(false) }, ProviderInput { client_secret: String::new(), ..input(false) }] {
        assert!(matches!(t.db.with(|c| sso::create(c, org.id, &policy, owner, &key, &bad, Actor::System, now())), Err(DbError::Domain(_))));
    }
    assert_eq!(t.count("sso_providers"), 1);

    // A sign-in's state: taken once, within ten minutes.
    t.db.with(|c| sso::start_login(c, id, "state-1", "nonce-1", "verifier-1", Some("/o/acme/me"), now())).unwrap();
    t.db.with(|c| sso::start_login(c, id, "state-2", "nonce-2", "verifier-2", None, now())).unwrap();
    assert!(t.grep("state-1", None).is_empty(), "only the state's hash is kept");
    let l = t.db.with(|c| sso::take_login(c, "state-1", now() + Duration::minutes(9))).unwrap().expect("taken");
    assert_eq!((l.provider, l.nonce.as_str(), l.pkce_verifier.as_str(), l.next.as_deref()), (id, "nonce-1", "verifier-1", Some("/o/acme/me")));
    assert!(t.db.with(|c| sso::take_login(c, "state-1", now())).unwrap().is_none(), "never twice");
    assert!(t.db.with(|c| sso::take_login(c, "state-2", now() + Duration::minutes(11))).unwrap().is_none(), "too late");
    assert!(t.db.with(|c| sso::take_login(c, "unknown", now())).unwrap().is_none());
});

both!(a_verified_sign_in_links_admits_and_refuses, |t: &TestDb| {
    let s = setup(t, false);
    // The owner, by verified address: linked, no membership change.
    let done = t.db.tx(|c| sso::complete(c, s.provider, &claims("Olga@Acme.example", &[]), now())).unwrap().expect("linked");
    assert_eq!(done.membership, s.owner);
    assert_eq!(t.count("sso_identities"), 1);
    // Again, by subject: the same identity, no second link.
    t.db.tx(|c| sso::complete(c, s.provider, &claims("olga@acme.example", &[]), now())).unwrap().unwrap();
    assert_eq!(t.count("sso_identities"), 1);
    assert_eq!(t.count_where("audit_events", "action = 'sso.identity_linked'"), 1);

    let refused = |c: Claims| t.db.tx(|x| sso::complete(x, s.provider, &c, now())).unwrap().unwrap_err();
    assert_eq!(refused(Claims { email_verified: false, ..claims("olga@acme.example", &[]) }), Refusal::Unverified);
    assert_eq!(refused(Claims { email: None, ..claims("olga@acme.example", &[]) }), Refusal::Unverified);
    assert_eq!(refused(claims("olga@evil.example", &[])), Refusal::Domain);
    assert_eq!(refused(claims("olga@sub.acme.example", &[])), Refusal::Domain, "a subdomain is not allowed with its parent");
    let users_before = t.count("users");
    assert_eq!(refused(claims("stranger@acme.example", &["engineering"])), Refusal::NoMembership, "no just-in-time membership here");
    assert_eq!(t.count("users"), users_before, "a refused sign-in writes nothing");

    // An invited person: the invitation is accepted by the sign-in.
    let invited = t
        .db
        .tx(|c| {
            let u = users::create(c, &users::NewUser { email: "ina@acme.example", display_name: "Ina", locale: Default::default(), password_hash: None, is_system: false }, Actor::System, now())?;
            members::add(c, &members::NewMember { status: gatehouse_domain::member::MemberStatus::Invited, ..members::NewMember::active(s.org, u, MemberKind::Employee, &[]) }, Actor::System, now())
        })
        .unwrap();
    let accepted_before = t.count_where("audit_events", "action = 'invitation.accepted'");
    let done = t.db.tx(|c| sso::complete(c, s.provider, &claims("ina@acme.example", &[]), now())).unwrap().unwrap();
    assert_eq!(done.membership, invited);
    assert_eq!(t.count_where("memberships", &format!("id = {} AND status = 'active'", invited.0)), 1);
    assert_eq!(t.count_where("audit_events", "action = 'invitation.accepted'"), accepted_before + 1);

    // An ended membership stays ended.
    t.db.with(|c| gatehouse_db::compliance::end_membership(c, s.org, None, invited, "http://x", Actor::System, now())).unwrap();
    assert_eq!(t.db.tx(|c| sso::complete(c, s.provider, &claims("ina@acme.example", &[]), now())).unwrap().unwrap_err(), Refusal::Ended);

    // A provider switched off signs nobody in.
    let policy = t.db.with(|c| authz::load_policy(c, s.org)).unwrap();
    t.db.with(|c| sso::update(c, s.org, &policy, s.owner, &SealingKey::generate(), s.provider, &ProviderInput { enabled: false, client_secret: String::new(), ..input(false) }, Actor::System, now())).unwrap();
    assert_eq!(t.db.tx(|c| sso::complete(c, s.provider, &claims("olga@acme.example", &[]), now())).unwrap().unwrap_err(), Refusal::Disabled);
});

both!(groups_give_and_take_only_their_own_roles, |t: &TestDb| {
    let s = setup(t, true);
    // Just in time: a new identity and membership, with the role "engineering" maps to.
    let done = t.db.tx(|c| sso::complete(c, s.provider, &claims("nia@acme.example", &["engineering", "unmapped"]), now())).unwrap().unwrap();
    assert_eq!(done.gained.len(), 1);
    assert!(done.lost.is_empty());
    let nia = done.membership;
    assert_eq!(t.count_where("audit_events", &format!("action = 'sso.member_created' AND target_id = {}", nia.0)), 1);
    let policy = t.db.with(|c| authz::load_policy(c, s.org)).unwrap();
    assert_eq!(policy.live_roles(nia, now()).1, vec!["Developer".to_string()], "the mapped role is held and the engine sees it");
    // Signing in again with the same groups changes nothing.
    let again = t.db.tx(|c| sso::complete(c, s.provider, &claims("nia@acme.example", &["engineering"]), now())).unwrap().unwrap();
    assert!(again.gained.is_empty() && again.lost.is_empty());
    assert_eq!(t.count_where("role_assignments", &format!("membership_id = {}", nia.0)), 1);

    // A role given by hand as well (another role), then the group is gone: only the mapping's goes.
    let other = t.db.with(|c| roles::list(c, s.org)).unwrap().into_iter().find(|r| r.id != s.developer && !r.retired).unwrap();
    let other_role = other.id;
    t.db.with(|c| roles::insert_assignment(c, s.org, nia, other_role, None, None, Actor::System, now())).unwrap();
    let dropped = t.db.tx(|c| sso::complete(c, s.provider, &claims("nia@acme.example", &[]), now())).unwrap().unwrap();
    assert_eq!(dropped.lost.len(), 1);
    let policy = t.db.with(|c| authz::load_policy(c, s.org)).unwrap();
    let held = policy.live_roles(nia, now()).1;
    assert!(!held.contains(&"Developer".to_string()), "the mapping's role went with the group");
    assert!(held.contains(&other.name), "the role given by hand stays");
    let applied = t.count_where("audit_events", &format!("action = 'sso.groups_applied' AND target_id = {} AND actor_kind = 'background'", nia.0));
    assert_eq!(applied, 2, "gained once, lost once, each audited as the background user");

    // The same role given by hand is not made a second time, nor taken away with the group.
    t.db.with(|c| roles::insert_assignment(c, s.org, nia, s.developer, None, None, Actor::System, now())).unwrap();
    let n = t.count_where("role_assignments", &format!("membership_id = {}", nia.0));
    t.db.tx(|c| sso::complete(c, s.provider, &claims("nia@acme.example", &["engineering"]), now())).unwrap().unwrap();
    t.db.tx(|c| sso::complete(c, s.provider, &claims("nia@acme.example", &[]), now())).unwrap().unwrap();
    assert_eq!(t.count_where("role_assignments", &format!("membership_id = {}", nia.0)), n);
});

both!(configuration_follows_the_engine, |t: &TestDb| {
    let s = setup(t, false);
    // A member without settings.edit configures nothing.
    let mia = t
        .db
        .tx(|c| {
            let u = users::create(c, &users::NewUser { email: "mia@acme.example", display_name: "Mia", locale: Default::default(), password_hash: None, is_system: false }, Actor::System, now())?;
            members::add(c, &members::NewMember::active(s.org, u, MemberKind::Employee, &[]), Actor::System, now())
        })
        .unwrap();
    let policy = t.db.with(|c| authz::load_policy(c, s.org)).unwrap();
    let key = SealingKey::generate();
    assert!(matches!(t.db.with(|c| sso::create(c, s.org, &policy, mia, &key, &input(false), Actor::System, now())), Err(DbError::Denied(Denial::NotPermitted { .. }))));
    assert!(matches!(t.db.with(|c| sso::add_mapping(c, s.org, &policy, mia, s.provider, "x", s.developer, None, Actor::System, now())), Err(DbError::Denied(_))));
    assert!(matches!(t.db.with(|c| sso::remove(c, s.org, &policy, mia, s.provider, Actor::System, now())), Err(DbError::Denied(_))));
    assert!(matches!(t.db.with(|c| sso::set_require_sso(c, s.org, &policy, mia, true, Actor::System, now())), Err(DbError::Denied(_))));

    // Requiring SSO: only by someone who has signed in through a provider that is switched on.
    assert!(matches!(t.db.with(|c| sso::set_require_sso(c, s.org, &policy, s.owner, true, Actor::System, now())), Err(DbError::Conflict(Conflict::SsoNotProven))));
    t.db.tx(|c| sso::complete(c, s.provider, &claims("olga@acme.example", &[]), now())).unwrap().unwrap();
    t.db.with(|c| sso::set_require_sso(c, s.org, &policy, s.owner, true, Actor::System, now())).unwrap();
    let olga = t.db.with(|c| users::find_by_email(c, "olga@acme.example")).unwrap().unwrap().id;
    assert_eq!(t.db.with(|c| sso::required_for(c, olga)).unwrap(), Some(("acme".to_string(), "Acme".to_string())));
    // …and then the last provider stays on.
    let off = ProviderInput { enabled: false, client_secret: String::new(), ..input(false) };
    assert!(matches!(t.db.with(|c| sso::update(c, s.org, &policy, s.owner, &key, s.provider, &off, Actor::System, now())), Err(DbError::Conflict(Conflict::SsoStillRequired))));
    assert!(matches!(t.db.with(|c| sso::remove(c, s.org, &policy, s.owner, s.provider, Actor::System, now())), Err(DbError::Conflict(Conflict::SsoStillRequired))));
    assert_eq!(t.count("sso_providers"), 1, "the refused removal left everything as it was");
    assert_eq!(t.count("sso_identities"), 1);
    t.db.with(|c| sso::set_require_sso(c, s.org, &policy, s.owner, false, Actor::System, now())).unwrap();
    assert_eq!(t.db.with(|c| sso::required_for(c, olga)).unwrap(), None);
    // Removing the provider keeps the roles it gave, as ordinary assignments.
    t.db.with(|c| sso::remove(c, s.org, &policy, s.owner, s.provider, Actor::System, now())).unwrap();
    assert_eq!((t.count("sso_providers"), t.count("sso_identities"), t.count("sso_group_mappings")), (0, 0, 0));
    // Buttons by domain: none left.
    assert!(t.db.with(|c| sso::buttons_for_email(c, "anyone@acme.example")).unwrap().is_empty());
});

both!(buttons_are_found_by_exact_domain, |t: &TestDb| {
    let _ = setup(t, false);
    let b = t.db.with(|c| sso::buttons_for_email(c, "x@acme.test")).unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!((b[0].name.as_str(), b[0].org_name.as_str()), ("Acme IdP", "Acme"));
    assert!(t.db.with(|c| sso::buttons_for_email(c, "x@cme.test")).unwrap().is_empty(), "part of a domain is not the domain");
    assert!(t.db.with(|c| sso::buttons_for_email(c, "x@acme")).unwrap().is_empty());
    assert!(t.db.with(|c| sso::buttons_for_email(c, "x@%")).unwrap().is_empty());
    assert!(t.db.with(|c| sso::buttons_for_email(c, "nobody")).unwrap().is_empty());
});
