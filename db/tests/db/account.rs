//! Password reset by email, on SQLite and PostgreSQL.
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::account::{self, ResetRequest};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{both, seed, sessions, users, DbError};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

fn link_token(t: &TestDb) -> String {
    let text: Vec<String> = t
        .db
        .with(|c| {
            use diesel::prelude::*;
            use gatehouse_db::schema::email_outbox as eo;
            Ok(gatehouse_db::on!(c, c => eo::table.order(eo::id.desc()).select(eo::body_text).load::<Option<String>>(c))?)
        })
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    let body = &text[0];
    let i = body.find("token=").expect("a link in the mail") + 6;
    body[i..].split_whitespace().next().unwrap().to_string()
}

both!(password_reset_links_are_single_use_expiring_and_end_sessions, |t: &TestDb| {
    let hash = gatehouse_db::password::hash("old-password-123");
    t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "olga@acme.test", "Olga", Some(&hash), "default", now())).unwrap();
    let olga = t.db.with(|c| users::find_by_email(c, "olga@acme.test")).unwrap().unwrap().id;
    t.db.with(|c| sessions::create(c, olga, now())).unwrap();
    // Unknown addresses and system users get nothing (the form answers the same either way).
    assert_eq!(t.db.with(|c| account::request_password_reset(c, "nobody@acme.test", "https://gh.example", now())).unwrap(), ResetRequest::UnknownAddress);
    assert_eq!(t.db.with(|c| account::request_password_reset(c, "background+acme@system.gatehouse.invalid", "https://gh.example", now())).unwrap(), ResetRequest::UnknownAddress);
    assert_eq!(t.count("email_outbox"), 0);
    // A known address: one mail with a link, in the same transaction as the token.
    assert_eq!(t.db.with(|c| account::request_password_reset(c, "Olga@Acme.test", "https://gh.example", now())).unwrap(), ResetRequest::Sent);
    assert_eq!(t.count("email_outbox"), 1);
    assert_eq!(t.db.with(|c| account::request_password_reset(c, "olga@acme.test", "https://gh.example", now())).unwrap(), ResetRequest::TooSoon, "no mail bombing");
    let first = link_token(t);
    // A second request later makes a new link and kills the old one.
    let later = now() + Duration::minutes(5);
    assert_eq!(t.db.with(|c| account::request_password_reset(c, "olga@acme.test", "https://gh.example", later)).unwrap(), ResetRequest::Sent);
    let second = link_token(t);
    assert_ne!(first, second);
    assert!(!t.db.with(|c| account::reset_link_valid(c, &first, later)).unwrap());
    // A weak password is refused and the link stays good.
    let weak = t.db.with(|c| account::reset_password(c, &second, "short", later));
    assert!(matches!(weak, Err(DbError::Domain(_))));
    assert!(t.db.with(|c| account::reset_link_valid(c, &second, later)).unwrap());
    // The reset: new password works, old one does not, every session ended, link used up.
    assert_eq!(t.db.with(|c| account::reset_password(c, &second, "a-much-better-password-9", later)).unwrap(), Some(olga));
    let (_, stored) = t.db.with(|c| users::password_hash_for(c, "olga@acme.test")).unwrap().unwrap();
    assert!(gatehouse_db::password::verify("a-much-better-password-9", &stored) && !gatehouse_db::password::verify("old-password-123", &stored));
    assert_eq!(t.count("sessions"), 0);
    assert_eq!(t.db.with(|c| account::reset_password(c, &second, "another-password-77", later)).unwrap(), None, "single use");
    // Expiry: a fresh link is dead after its hours.
    let again = later + Duration::minutes(10);
    t.db.with(|c| account::request_password_reset(c, "olga@acme.test", "https://gh.example", again)).unwrap();
    let third = link_token(t);
    let expired = again + Duration::hours(account::RESET_VALID_HOURS) + Duration::seconds(1);
    assert_eq!(t.db.with(|c| account::reset_password(c, &third, "another-password-77", expired)).unwrap(), None);
});

both!(sent_mail_bodies_are_purged_after_their_days, |t: &TestDb| {
    let hash = gatehouse_db::password::hash("old-password-123");
    t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "olga@acme.test", "Olga", Some(&hash), "default", now())).unwrap();
    t.db.with(|c| account::request_password_reset(c, "olga@acme.test", "https://gh.example", now())).unwrap();
    let queued = t.db.with(|c| gatehouse_db::testing::latest_mail(c, 1)).unwrap()[0].id;
    // Not sent yet: kept whatever its age.
    assert_eq!(t.db.with(|c| gatehouse_db::outbox::purge_sent_bodies(c, now() + Duration::days(60))).unwrap(), 0);
    t.db.with(|c| gatehouse_db::outbox::mark_sent(c, queued, now())).unwrap();
    assert_eq!(t.db.with(|c| gatehouse_db::outbox::purge_sent_bodies(c, now() - Duration::days(1))).unwrap(), 0, "younger than the limit: kept");
    assert_eq!(t.db.with(|c| gatehouse_db::outbox::purge_sent_bodies(c, now() + Duration::days(1))).unwrap(), 1);
    let line = t.db.with(|c| gatehouse_db::testing::latest_mail(c, 1)).unwrap().remove(0);
    assert_eq!((line.text, line.status.as_str(), line.to.as_str()), (None, "sent", "olga@acme.test"), "the row stays, its content goes");
    assert_eq!(t.db.with(|c| gatehouse_db::outbox::purge_sent_bodies(c, now() + Duration::days(1))).unwrap(), 0, "idempotent");
});

/// (to, subject, first link token) of every mail, newest first.
fn mails(t: &TestDb) -> Vec<(String, String, Option<String>)> {
    t.db.with(|c| {
        use diesel::prelude::*;
        use gatehouse_db::schema::email_outbox as eo;
        Ok(gatehouse_db::on!(c, c => eo::table.order(eo::id.desc()).select((eo::to_address, eo::subject, eo::body_text)).load::<(String, String, Option<String>)>(c))?)
    })
    .unwrap()
    .into_iter()
    .map(|(to, subject, body)| {
        let token = body.and_then(|b| b.find("token=").map(|i| b[i + 6..].split_whitespace().next().unwrap().to_string()));
        (to, subject, token)
    })
    .collect()
}

both!(email_change_is_confirmed_by_the_new_address_and_cancellable_from_the_old, |t: &TestDb| {
    use account::EmailChangeRefusal as R;
    let hash = gatehouse_db::password::hash("old-password-123");
    t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "olga@acme.test", "Olga", Some(&hash), "default", now())).unwrap();
    t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "bo@beta.test", "Bo", Some(&hash), "default", now())).unwrap();
    let olga = t.db.with(|c| users::find_by_email(c, "olga@acme.test")).unwrap().unwrap().id;
    let url = "https://gh.example";
    let ask = |new: &str, pw: &str| t.db.with(|c| account::request_email_change(c, olga, new, pw, url, now())).unwrap();
    assert_eq!(ask("olga@new.test", "wrong-password"), Err(R::WrongPassword));
    assert_eq!(ask("not an address", "old-password-123"), Err(R::BadAddress));
    assert_eq!(ask("OLGA@acme.test", "old-password-123"), Err(R::SameAddress));
    assert_eq!(ask("bo@beta.test", "old-password-123"), Err(R::Taken));
    assert!(mails(t).is_empty(), "a refused request sends nothing");

    // Asked, then cancelled from the old address: the confirmation link dies.
    assert_eq!(ask("olga@first.test", "old-password-123"), Ok(()));
    let m = mails(t);
    assert_eq!((m[0].0.as_str(), m[1].0.as_str()), ("olga@acme.test", "olga@first.test"), "the old address is told, the new one asked to confirm");
    let (cancel, first_confirm) = (m[0].2.clone().unwrap(), m[1].2.clone().unwrap());
    assert_eq!(t.db.with(|c| account::pending_email_change(c, olga, now())).unwrap().map(|p| p.0), Some("olga@first.test".into()));
    assert_eq!(t.db.with(|c| account::email_change_link(c, false, &cancel, now())).unwrap(), Some(("olga@acme.test".into(), "olga@first.test".into(), false)));
    assert_eq!(t.db.with(|c| account::cancel_email_change(c, &cancel, url, now())).unwrap(), account::CancelOutcome::Cancelled);
    assert_eq!(t.db.with(|c| account::cancel_email_change(c, &cancel, url, now())).unwrap(), account::CancelOutcome::Invalid, "a link works once");
    assert_eq!(t.db.with(|c| account::confirm_email_change(c, &first_confirm, url, now())).unwrap(), Err(R::LinkInvalid));
    assert_eq!(t.db.with(|c| account::pending_email_change(c, olga, now())).unwrap(), None);

    // Asked again and confirmed: the account signs in with the new address only.
    assert_eq!(ask("olga@second.test", "old-password-123"), Ok(()));
    let confirm = mails(t)[1].2.clone().unwrap();
    let late = now() + Duration::hours(account::EMAIL_CHANGE_VALID_HOURS + 1);
    assert_eq!(t.db.with(|c| account::confirm_email_change(c, &confirm, url, late)).unwrap(), Err(R::LinkInvalid), "expired");
    assert_eq!(t.db.with(|c| account::confirm_email_change(c, &confirm, url, now())).unwrap(), Ok(olga));
    assert_eq!(users_ext::get_email(t, olga), "olga@second.test");
    // The members list searches the address she has now, not the one she had.
    let acme = t.db.with(|c| gatehouse_db::orgs::by_slug(c, "acme")).unwrap().unwrap().id;
    let found = |text: &str| {
        let q = gatehouse_domain::members_query::MemberQuery { search: Some(text.into()), page: 1, per_page: 25, ..Default::default() };
        t.db.with(|c| gatehouse_db::views::members::list(c, acme, &q)).unwrap().total
    };
    assert_eq!((found("olga@second"), found("olga@acme")), (1, 0));
    assert!(t.db.with(|c| users::password_hash_for(c, "olga@acme.test")).unwrap().is_none());
    assert!(t.db.with(|c| users::password_hash_for(c, "olga@second.test")).unwrap().is_some());
    let last = &mails(t)[0];
    assert_eq!((last.0.as_str(), last.1.as_str()), ("olga@acme.test", "Your Gatehouse email address was changed"), "the old address hears of it");
    assert_eq!(t.db.with(|c| account::confirm_email_change(c, &confirm, url, now())).unwrap(), Err(R::LinkInvalid), "once");
});

both!(a_confirmed_change_can_be_undone_from_the_old_address_for_some_days, |t: &TestDb| {
    use account::CancelOutcome as O;
    let hash = gatehouse_db::password::hash("old-password-123");
    t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "olga@acme.test", "Olga", Some(&hash), "default", now())).unwrap();
    let olga = t.db.with(|c| users::find_by_email(c, "olga@acme.test")).unwrap().unwrap().id;
    let url = "https://gh.example";
    // Someone with Olga's password and a mailbox of their own takes the account …
    let change = |to: &str, password: &str, at| {
        t.db.with(|c| account::request_email_change(c, olga, to, password, url, at)).unwrap().unwrap();
        let confirm = mails(t).into_iter().find(|m| m.0 == to).unwrap().2.unwrap();
        assert_eq!(t.db.with(|c| account::confirm_email_change(c, &confirm, url, at)).unwrap(), Ok(olga));
    };
    let undo_of = |old: &str| mails(t).into_iter().find(|m| m.0 == old && m.1 == "Your Gatehouse email address was changed").unwrap().2.unwrap();
    change("thief@evil.test", "old-password-123", now());
    let (session, _) = t.db.with(|c| gatehouse_db::sessions::create(c, olga, now())).unwrap();
    let first = undo_of("olga@acme.test");
    // … changes it on, twice, and asks for a password reset …
    let hour = Duration::hours(1);
    change("thief2@evil.test", "old-password-123", now() + hour);
    let second = undo_of("thief@evil.test");
    change("thief3@evil.test", "old-password-123", now() + hour * 2);
    let third = undo_of("thief2@evil.test");
    t.db.with(|c| account::request_password_reset(c, "thief3@evil.test", url, now() + hour * 2)).unwrap();
    let thief_reset = mails(t)[0].2.clone().unwrap();
    assert_eq!(
        t.db.with(|c| account::email_change_link(c, false, &first, now() + hour * 2)).unwrap(),
        Some(("".into(), "olga@acme.test".into(), true)),
        "the page says where undoing leads, and nothing newer"
    );
    // … and undoes one of their own changes, which cannot end Olga's link (only later ones).
    assert_eq!(t.db.with(|c| account::cancel_email_change(c, &second, url, now() + hour * 3)).unwrap(), O::Reverted);
    assert_eq!(users_ext::get_email(t, olga), "thief@evil.test");
    assert_eq!(t.db.with(|c| account::cancel_email_change(c, &third, url, now() + hour * 3)).unwrap(), O::Invalid, "a later undo link ended");
    // Olga's link, days later, gives her the account back and locks everyone else out.
    let later = now() + Duration::days(2);
    assert_eq!(t.db.with(|c| account::cancel_email_change(c, &first, url, later)).unwrap(), O::Reverted);
    assert_eq!(users_ext::get_email(t, olga), "olga@acme.test");
    assert!(t.db.with(|c| users::password_hash_for(c, "olga@acme.test")).unwrap().is_none(), "the known password no longer signs in");
    assert!(t.db.with(|c| gatehouse_db::sessions::load(c, &session)).unwrap().is_none(), "every session ended");
    assert_eq!(t.db.with(|c| account::reset_password(c, &thief_reset, "thiefs-new-password-1", later)).unwrap(), None, "the other mailboxes' links are dead");
    let thief_second_reset = mails(t).into_iter().find(|m| m.0 == "thief@evil.test" && m.1 == "Your Gatehouse email address was changed back").unwrap().2.unwrap();
    assert_eq!(t.db.with(|c| account::reset_password(c, &thief_second_reset, "thiefs-new-password-1", later)).unwrap(), None);
    let back = &mails(t)[0];
    assert_eq!((back.0.as_str(), back.1.as_str()), ("olga@acme.test", "Your Gatehouse email address was changed back"));
    assert!(t.db.with(|c| account::reset_password(c, back.2.as_ref().unwrap(), "olgas-new-password-1", later)).unwrap().is_some(), "Olga sets a new password");
    assert_eq!(t.db.with(|c| account::cancel_email_change(c, &first, url, later)).unwrap(), O::Invalid, "once");
    assert_eq!(t.count("audit_events WHERE action = 'email.change_reverted'"), 2);

    // While an undo link is open, no other account can take the address it leads back to: not a
    // new identity (an invitation), not another account's email change.
    change("olga@new.test", "olgas-new-password-1", later);
    let undo = undo_of("olga@acme.test");
    assert!(matches!(
        t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "olga@acme.test", "Someone Else", Some(&hash), "default", later)),
        Err(DbError::Person(gatehouse_domain::people::Problem::AddressHeld))
    ));
    t.db.with(|c| seed::create_org_with_owner(c, "gamma", "Gamma", "UTC", "bo@gamma.test", "Bo", Some(&hash), "default", later)).unwrap();
    let bo = t.db.with(|c| users::find_by_email(c, "bo@gamma.test")).unwrap().unwrap().id;
    assert_eq!(t.db.with(|c| account::request_email_change(c, bo, "olga@acme.test", "old-password-123", url, later)).unwrap(), Err(account::EmailChangeRefusal::Taken));
    // An address typed to look like an undo link's data is only an address: its cancel link
    // cancels Bo's own change and touches nobody else.
    let crafted = format!("revert:{}:bo@evil.test", olga.0);
    assert_eq!(t.db.with(|c| account::request_email_change(c, bo, &crafted, "old-password-123", url, later)).unwrap(), Ok(()), "a valid address");
    let cancel = mails(t).into_iter().find(|m| m.0 == "bo@gamma.test").unwrap().2.unwrap();
    assert_eq!(t.db.with(|c| account::email_change_link(c, false, &cancel, later)).unwrap().map(|l| l.2), Some(false));
    assert_eq!(t.db.with(|c| account::cancel_email_change(c, &cancel, url, later)).unwrap(), O::Cancelled);
    assert_eq!(users_ext::get_email(t, olga), "olga@new.test", "untouched");
    // The undo link ends after its days; then the address is free again.
    let too_late = later + Duration::days(account::EMAIL_REVERT_VALID_DAYS) + Duration::minutes(1);
    assert_eq!(t.db.with(|c| account::cancel_email_change(c, &undo, url, too_late)).unwrap(), O::Invalid);
    t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "olga@acme.test", "Someone Else", Some(&hash), "default", too_late)).unwrap();
    assert_eq!(users_ext::get_email(t, olga), "olga@new.test", "nothing changed");
});

mod users_ext {
    use gatehouse_db::testing::TestDb;
    use gatehouse_domain::ids::UserId;
    pub fn get_email(t: &TestDb, id: UserId) -> String {
        t.db.with(|c| gatehouse_db::users::get(c, id)).unwrap().email
    }
}
