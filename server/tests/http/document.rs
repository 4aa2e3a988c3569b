//! The live users, roles & responsibilities document: rendered from the configuration at the
//! moment it is asked for (a role given a moment ago is in it), in both languages, escaped, with
//! technical users and support sessions; refused to a member without the permissions and not
//! found for another organization.
use crate::common::*;
use gatehouse_domain::actor::Actor;

async fn the_document_is_written_from_the_live_configuration(t: &TestDb) {
    seeded(t).await;
    let hash = gatehouse_db::password::hash("outsider-password-1");
    t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "out@beta.test", "Otto Outsider", Some(&hash), "default", now())).unwrap();
    let clock = FixedClock::at(now());
    let acme = t.db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let owner_m = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_OWNER)).unwrap().unwrap();
    let max = t.db.with(|c| members::by_email(c, acme.id, seed::DEMO_MEMBER)).unwrap().unwrap();
    let app = || gatehouse_server::http::app(state(t, &clock), options());
    let mut owner = Client::new(test::init_service(app()).await);
    owner.sign_in(seed::DEMO_OWNER, seed::DEMO_PASSWORD).await;

    // A role whose name needs escaping, given to Max just now; a technical user with a key.
    let role = t
        .db
        .with(|c| {
            let role = gatehouse_db::roles::create(c, acme.id, "night-shift", "Night <shift> & co", "Keeps the lights on", Actor::System, now())?;
            gatehouse_db::roles::replace_grants(
                c,
                acme.id,
                role,
                &[gatehouse_domain::authz::RoleGrant { permission: "members.view".into(), scope: gatehouse_domain::authz::RoleScope::Organization, visibility: gatehouse_domain::authz::Visibility::Aggregate }],
            )?;
            gatehouse_db::roles::insert_assignment(c, acme.id, max, role, None, Some(now() + Duration::days(30)), Actor::System, now())?;
            gatehouse_db::authz::bump(c, acme.id, None)?;
            Ok::<_, gatehouse_db::DbError>(role)
        })
        .unwrap();
    let policy = t.db.with(|c| gatehouse_db::authz::load_policy(c, acme.id)).unwrap();
    let tech = t.db.with(|c| gatehouse_db::api_keys::create_technical_user(c, acme.id, &policy, owner_m, "Payroll sync", "Sends leavers to payroll", Actor::System, now())).unwrap();
    t.db.with(|c| gatehouse_db::api_keys::create_key(c, acme.id, &policy, owner_m, tech, "payroll", &["members.view".into()], 30, Actor::System, now())).unwrap();

    let r = owner.get("/o/acme/document").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let b = &r.body;
    assert!(b.starts_with("<!doctype html><html lang=\"en\""));
    assert!(b.contains("Users, roles, responsibilities &amp; training") && b.contains("Acme"), "title and organization");
    assert!(b.contains("Night &lt;shift&gt; &amp; co") && !b.contains("Night <shift>"), "names are escaped");
    assert!(b.contains("Keeps the lights on") && b.contains("Held by 1 people."), "the role, its description and holders");
    assert!(b.contains("Max Mitglied") && b.contains(&gatehouse_app::i18n::date(gatehouse_domain::locale::Locale::En, (now() + Duration::days(30)).date_naive())), "who holds it, until when");
    assert!(b.contains("Payroll sync") && b.contains("Sends leavers to payroll") && b.contains("payroll: members.view"), "technical users and their keys");
    assert!(b.contains("No support session in the last 90 days."));
    // The staff roles and what each may do in an organization: the developer nothing.
    assert!(b.contains("<strong>customer success</strong>: see organizations, their units and people in the staff console; sign in as an administrator"), "staff roles");
    assert!(b.contains("nothing inside organizations"), "a developer does nothing inside organizations");
    let _ = role;

    // German on request, and for a German reader.
    let r = owner.get("/o/acme/document?lang=de").await;
    assert!(r.body.starts_with("<!doctype html><html lang=\"de\"") && r.body.contains("Benutzer, Rollen, Verantwortlichkeiten &amp; Schulung") && r.body.contains("Wer welche Rolle innehat"));

    // A member without roles.view for the whole organization: refused with the reason; another
    // organization: not found.
    let mut member = Client::new(test::init_service(app()).await);
    member.sign_in(seed::DEMO_MEMBER, seed::DEMO_PASSWORD).await;
    assert_eq!(member.get("/o/acme/document").await.status, StatusCode::FORBIDDEN);
    let mut stranger = Client::new(test::init_service(app()).await);
    stranger.sign_in("out@beta.test", "outsider-password-1").await;
    assert_eq!(stranger.get("/o/acme/document").await.status, StatusCode::NOT_FOUND);
}
http_both!(document, the_document_is_written_from_the_live_configuration);
