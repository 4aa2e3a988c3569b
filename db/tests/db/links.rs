//! The keys that sign links in mail, on SQLite and PostgreSQL: a link checks for its subject
//! only; rotating keeps earlier links working until they expire; withdrawing a key ends them at
//! once; the background rotation replaces an old key; every rotation is audited.
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{both, links};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::links::{ttl, Check, Subject};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
}

both!(a_link_checks_for_its_own_subject_only, |t: &TestDb| {
    let url = t.db.tx(|c| links::signed(c, "https://gh.example/o/acme/requests/7", Subject::AccessRequest(7), now())).unwrap();
    let token = url.split_once("?link=").unwrap().1.to_string();
    assert_eq!(t.count("link_keys"), 1, "the first link makes the first key");
    let check = |subject, at| t.db.tx(|c| links::check(c, &token, subject, at)).unwrap();
    assert_eq!(check(Subject::AccessRequest(7), now()), Check::Valid);
    assert_eq!(check(Subject::AccessRequest(8), now()), Check::Invalid);
    assert_eq!(check(Subject::ComplianceCase(7), now()), Check::Invalid);
    assert_eq!(check(Subject::AccessRequest(7), now() + ttl()), Check::Expired);
    for bad in ["", "nonsense", &token.replace('.', "-"), &format!("{token}0")] {
        assert_eq!(t.db.tx(|c| links::check(c, bad, Subject::AccessRequest(7), now())).unwrap(), Check::Invalid, "{bad}");
    }
    // A second link uses the same key.
    t.db.tx(|c| links::token(c, Subject::ComplianceCase(1), now())).unwrap();
    assert_eq!(t.count("link_keys"), 1);
});

both!(rotating_keeps_earlier_links_until_they_expire_and_withdrawing_ends_them, |t: &TestDb| {
    let old = t.db.tx(|c| links::token(c, Subject::ComplianceCase(3), now())).unwrap();
    let day = Duration::days(1);
    let r = t.db.tx(|c| links::rotate(c, false, Actor::System, now() + day)).unwrap();
    assert_eq!((r.retired, r.deleted), (1, 0));
    let new = t.db.tx(|c| links::token(c, Subject::ComplianceCase(3), now() + day)).unwrap();
    assert!(new.starts_with(&format!("{}.", r.key)) && !old.starts_with(&format!("{}.", r.key)), "{old} / {new}");
    let check = |token: &str, at| t.db.tx(|c| links::check(c, token, Subject::ComplianceCase(3), at)).unwrap();
    assert_eq!(check(&old, now() + day * 2), Check::Valid, "the retired key is still accepted");
    assert_eq!(check(&new, now() + day * 2), Check::Valid);
    assert_eq!(check(&old, now() + ttl()), Check::Expired);

    // Once a link's lifetime has passed since its retirement, the key is deleted by the next rotation.
    let later = now() + day + ttl();
    let r2 = t.db.tx(|c| links::rotate(c, false, Actor::System, later)).unwrap();
    assert_eq!((r2.retired, r2.deleted), (1, 1));
    assert_eq!(check(&old, later), Check::Expired, "an unknown key's link that says it has expired");
    assert_eq!(t.count("link_keys"), 2);

    // Withdrawing: every earlier key goes at once, and links still within their time stop working.
    let fresh = t.db.tx(|c| links::token(c, Subject::ComplianceCase(3), later)).unwrap();
    assert_eq!(check(&fresh, later), Check::Valid);
    let w = t.db.tx(|c| links::rotate(c, true, Actor::System, later + day)).unwrap();
    assert_eq!(w.deleted, 2);
    assert_eq!(t.count("link_keys"), 1);
    assert_eq!(check(&fresh, later + day), Check::Invalid);
    let after = t.db.tx(|c| links::token(c, Subject::ComplianceCase(3), later + day)).unwrap();
    assert!(after.starts_with(&format!("{}.", w.key)));
    assert_eq!(check(&after, later + day), Check::Valid);
    assert_eq!(t.count("audit_events WHERE action = 'link_key.rotated'"), 3);
});

both!(the_background_rotation_replaces_an_old_key_only, |t: &TestDb| {
    let max = Duration::days(links::ROTATE_AFTER_DAYS);
    let bg = Actor::System;
    assert_eq!(t.db.tx(|c| links::rotate_if_older(c, max, bg, now())).unwrap(), None, "no key yet: nothing to rotate");
    let token = t.db.tx(|c| links::token(c, Subject::AccessRequest(1), now())).unwrap();
    assert_eq!(t.db.tx(|c| links::rotate_if_older(c, max, bg, now() + max - Duration::minutes(1))).unwrap(), None);
    let r = t.db.tx(|c| links::rotate_if_older(c, max, bg, now() + max)).unwrap().expect("rotated");
    assert_eq!((r.retired, r.deleted), (1, 0));
    assert_eq!(t.db.tx(|c| links::rotate_if_older(c, max, bg, now() + max)).unwrap(), None, "the new key is young");
    // The link signed with the old key expired long before, whatever the rotation.
    assert_eq!(t.db.tx(|c| links::check(c, &token, Subject::AccessRequest(1), now() + max)).unwrap(), Check::Expired);
});
