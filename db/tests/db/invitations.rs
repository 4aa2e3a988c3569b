//! Invitations on SQLite and PostgreSQL: invite, accept (new and existing identities), resend,
//! revoke, reminders and expiry by the background user, refusals.
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::invitations::{self, AcceptRefusal, Proof};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{authz, both, seed, users, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{MembershipId, OrgId};
use gatehouse_domain::locale::Locale;
use gatehouse_domain::member::MemberKind;
use gatehouse_domain::people::{Invitee, Problem};

const URL: &str = "https://gh.example";

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

/// The newest mail's subject, recipient and link token.
fn last_mail(t: &TestDb) -> (String, String, String) {
    let rows: Vec<(String, String, Option<String>)> = t
        .db
        .with(|c| {
            use diesel::prelude::*;
            use gatehouse_db::schema::email_outbox as eo;
            Ok(gatehouse_db::on!(c, c => eo::table.order(eo::id.desc()).limit(1).select((eo::to_address, eo::subject, eo::body_text)).load(c))?)
        })
        .unwrap();
    let (to, subject, body) = rows.into_iter().next().expect("a mail");
    let body = body.unwrap();
    let i = body.find("token=").expect("a link in the mail") + 6;
    (to, subject, body[i..].split_whitespace().next().unwrap().to_string())
}

fn person(email: &str, name: &str) -> Invitee {
    Invitee {
        email: email.into(),
        name: name.into(),
        mobile_phone: Some("+4915112345678".into()),
        locale: Locale::De,
        kind: MemberKind::Employee,
        tags: vec![],
        units: vec![],
        roles: vec![],
        existing_identity: false,
    }
}

fn setup(t: &TestDb) -> (OrgId, MembershipId, Actor) {
    let hash = gatehouse_db::password::hash("old-password-123");
    let (org, owner) = t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "Europe/Berlin", "olga@acme.test", "Olga Owner", Some(&hash), "default", now())).unwrap();
    let olga = t.db.with(|c| users::find_by_email(c, "olga@acme.test")).unwrap().unwrap().id;
    (org.id, owner, Actor::User { user: olga, membership: Some(owner) })
}

fn invite(t: &TestDb, org: OrgId, by: MembershipId, who: &Invitee, at: chrono::DateTime<Utc>) -> Result<MembershipId, DbError> {
    let actor = Actor::User { user: gatehouse_domain::ids::UserId(0), membership: Some(by) };
    t.db.with(|c| {
        let p = authz::load_policy(c, org)?;
        invitations::invite_checked(c, org, &p, by, who, URL, actor, at)
    })
}

fn status(t: &TestDb, m: MembershipId) -> String {
    t.db.with(|c| {
        use diesel::prelude::*;
        use gatehouse_db::schema::memberships as ms;
        Ok(gatehouse_db::on!(c, c => ms::table.find(m.0).select(ms::status).first::<String>(c))?)
    })
    .unwrap()
}

both!(a_new_person_is_invited_accepts_with_a_password_and_joins, |t: &TestDb| {
    let (org, owner, _) = setup(t);
    let ada = invite(t, org, owner, &person("ada@example.test", "Ada Lovelace"), now()).unwrap();
    assert_eq!(status(t, ada), "invited");
    let (to, subject, token) = last_mail(t);
    assert_eq!((to.as_str(), subject.as_str()), ("ada@example.test", "Olga Owner lädt Sie zu Acme auf Gatehouse ein"), "in the invitee's language");
    let open = t.db.with(|c| invitations::list(c, org, false, now(), 50)).unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!((open[0].state.as_str(), open[0].invited_by.as_deref(), open[0].expires_at), ("open", Some("Olga Owner"), now() + Duration::days(7)));
    let info = t.db.with(|c| invitations::link(c, &token, now())).unwrap().expect("the link is good");
    assert!(info.needs_password && info.org_slug == "acme" && info.email == "ada@example.test");
    // Not a member yet: no access, cannot sign in.
    assert!(t.db.with(|c| users::password_hash_for(c, "ada@example.test")).unwrap().is_none());
    // A weak password is refused and the link stays good.
    assert!(matches!(t.db.with(|c| invitations::accept(c, &token, Proof::NewPassword("short"), now())), Err(DbError::Domain(_))));
    let later = now() + Duration::hours(1);
    let (user, slug) = t.db.with(|c| invitations::accept(c, &token, Proof::NewPassword("ada-chooses-well-42"), later)).unwrap().unwrap();
    assert_eq!(slug, "acme");
    assert_eq!(status(t, ada), "active");
    let (u2, hash) = t.db.with(|c| users::password_hash_for(c, "ada@example.test")).unwrap().unwrap();
    assert!(u2 == user && gatehouse_db::password::verify("ada-chooses-well-42", &hash));
    assert_eq!(t.db.with(|c| invitations::accept(c, &token, Proof::NewPassword("another-good-one-42"), later)).unwrap(), Err(AcceptRefusal::LinkInvalid), "single use");
    let closed = t.db.with(|c| invitations::list(c, org, true, later, 50)).unwrap();
    assert_eq!((closed[0].state.as_str(), closed[0].closed_at), ("accepted", Some(later)));
    assert_eq!(t.db.with(|c| gatehouse_db::members::active_membership(c, user, org)).unwrap().map(|m| m.id), Some(ada), "a member now");
    // Now a member: inviting the address again says so, and so does inviting an open invitation.
    assert!(matches!(invite(t, org, owner, &person("ADA@example.test", "Ada"), later), Err(DbError::Person(Problem::AlreadyMember))));
    invite(t, org, owner, &person("bob@example.test", "Bob"), later).unwrap();
    assert!(matches!(invite(t, org, owner, &person("bob@example.test", "Bob"), later), Err(DbError::Person(Problem::AlreadyInvited))));
    // A plain member (no members.invite) is refused; nothing is written.
    let before = t.count("invitations");
    assert!(matches!(invite(t, org, ada, &person("carl@example.test", "Carl"), later), Err(DbError::Denied(_))));
    assert_eq!(t.count("invitations"), before);
});

both!(an_existing_identity_accepts_by_signing_in_never_by_the_link, |t: &TestDb| {
    let (org, owner, _) = setup(t);
    let hash = gatehouse_db::password::hash("bobs-own-password-1");
    t.db.with(|c| seed::create_org_with_owner(c, "other", "Other", "UTC", "bob@other.test", "Bob Elsewhere", Some(&hash), "default", now())).unwrap();
    let bob = t.db.with(|c| users::find_by_email(c, "bob@other.test")).unwrap().unwrap().id;
    let mut who = person("bob@other.test", "");
    who.existing_identity = true;
    invite(t, org, owner, &who, now()).unwrap();
    let (_, subject, token) = last_mail(t);
    assert_eq!(subject, "Olga Owner invites you to Acme on Gatehouse", "Bob's own language (English), his own name kept");
    let info = t.db.with(|c| invitations::link(c, &token, now())).unwrap().unwrap();
    assert!(!info.needs_password && info.name == "Bob Elsewhere");
    assert_eq!(t.db.with(|c| invitations::accept(c, &token, Proof::NewPassword("taking-over-bob-1"), now())).unwrap(), Err(AcceptRefusal::SignInRequired));
    let olga = t.db.with(|c| users::find_by_email(c, "olga@acme.test")).unwrap().unwrap().id;
    assert_eq!(t.db.with(|c| invitations::accept(c, &token, Proof::SignedIn(olga), now())).unwrap(), Err(AcceptRefusal::OtherAccount));
    let (_, stored) = t.db.with(|c| users::password_hash_for(c, "bob@other.test")).unwrap().unwrap();
    assert!(gatehouse_db::password::verify("bobs-own-password-1", &stored), "the link never set a password");
    assert_eq!(t.db.with(|c| invitations::accept(c, &token, Proof::SignedIn(bob), now())).unwrap().unwrap().1, "acme");
});

both!(resend_kills_the_old_link_and_revoke_ends_the_invitation, |t: &TestDb| {
    let (org, owner, actor) = setup(t);
    let ada = invite(t, org, owner, &person("ada@example.test", "Ada"), now()).unwrap();
    let (_, _, first) = last_mail(t);
    let id = t.db.with(|c| invitations::list(c, org, false, now(), 5)).unwrap()[0].id;
    let later = now() + Duration::days(2);
    t.db.with(|c| { let p = authz::load_policy(c, org)?; invitations::resend(c, org, &p, owner, id, URL, actor, later) }).unwrap();
    let (_, _, second) = last_mail(t);
    assert!(t.db.with(|c| invitations::link(c, &first, later)).unwrap().is_none(), "the old link is dead");
    let line = t.db.with(|c| invitations::list(c, org, false, later, 5)).unwrap().remove(0);
    assert_eq!((line.sends, line.expires_at), (2, later + Duration::days(7)));
    t.db.with(|c| { let p = authz::load_policy(c, org)?; invitations::revoke(c, org, &p, owner, id, actor, later) }).unwrap();
    assert!(t.db.with(|c| invitations::link(c, &second, later)).unwrap().is_none());
    assert_eq!(status(t, ada), "terminated");
    assert!(matches!(t.db.with(|c| { let p = authz::load_policy(c, org)?; invitations::revoke(c, org, &p, owner, id, actor, later) }), Err(DbError::Person(Problem::Revoked))));
    // Invited again later: the same membership, a working link.
    let again = invite(t, org, owner, &person("ada@example.test", "Ada"), later).unwrap();
    assert_eq!(again, ada);
    let (_, _, third) = last_mail(t);
    assert!(t.db.with(|c| invitations::link(c, &third, later)).unwrap().is_some());
    assert_eq!(status(t, ada), "invited");
});

both!(reminders_and_expiry_happen_once_as_the_background_user, |t: &TestDb| {
    let (org, owner, _) = setup(t);
    invite(t, org, owner, &person("ada@example.test", "Ada"), now()).unwrap();
    let (_, _, first) = last_mail(t);
    let mails = t.count("email_outbox");
    // Too early: nothing.
    assert_eq!(t.db.with(|c| invitations::remind_due(c, URL, now() + Duration::days(2))).unwrap(), 0);
    // After three days (the default): one reminder, however many instances ask.
    let day3 = now() + Duration::days(3) + Duration::minutes(1);
    assert_eq!(t.db.with(|c| invitations::remind_due(c, URL, day3)).unwrap(), 1);
    assert_eq!(t.db.with(|c| invitations::remind_due(c, URL, day3)).unwrap(), 0);
    assert_eq!(t.count("email_outbox"), mails + 1);
    let (_, subject, second) = last_mail(t);
    assert_eq!(subject, "Erinnerung: Ihre Einladung zu Acme");
    assert!(t.db.with(|c| invitations::link(c, &first, day3)).unwrap().is_none() && t.db.with(|c| invitations::link(c, &second, day3)).unwrap().is_some());
    let actor_kind: String = t
        .db
        .with(|c| {
            use diesel::prelude::*;
            use gatehouse_db::schema::audit_events as ae;
            Ok(gatehouse_db::on!(c, c => ae::table.filter(ae::action.eq("invitation.reminded")).select(ae::actor_kind).first::<String>(c))?)
        })
        .unwrap();
    assert_eq!(actor_kind, "background");
    // The link keeps the invitation's expiry; after it, the background user notes it once.
    let day8 = now() + Duration::days(7) + Duration::minutes(1);
    assert!(t.db.with(|c| invitations::link(c, &second, day8)).unwrap().is_none());
    assert_eq!(t.db.with(|c| invitations::expire_due(c, day8)).unwrap(), 1);
    assert_eq!(t.db.with(|c| invitations::expire_due(c, day8)).unwrap(), 0);
    assert_eq!(t.db.with(|c| invitations::list(c, org, false, day8, 5)).unwrap()[0].state, "expired");
    assert_eq!(t.db.with(|c| invitations::remind_due(c, URL, day8)).unwrap(), 0, "no reminder for an expired invitation");
});
