//! Password throttling on SQLite and PostgreSQL: attempts are counted atomically before the
//! password is checked, so parallel guesses are counted like sequential ones; a right password
//! clears the account and takes back only its own count from the client address; sign-in links
//! and resets clear the account's record.
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{account, both, seed, throttle};
use gatehouse_domain::throttle::ThrottlePolicy;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 3, 9, 0, 0).unwrap()
}

both!(parallel_attempts_are_each_counted, |t: &TestDb| {
    let account = throttle::account_key("olga@acme.test");
    let client = throttle::client_key("203.0.113.7".parse().unwrap());
    let keys = [(account.as_str(), ThrottlePolicy::per_account()), (client.as_str(), ThrottlePolicy::per_client())];
    // Twelve threads at once, each counting one attempt for the same two keys.
    let allowed: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..12).map(|_| s.spawn(|| t.db.with(|c| throttle::attempt(c, &keys, now())).unwrap().is_ok())).collect();
        handles.into_iter().map(|h| h.join().unwrap() as usize).sum()
    });
    assert_eq!(allowed, 6, "five free attempts and the one that locks, whatever the interleaving");
    let rec = t.db.with(|c| throttle::get(c, &account)).unwrap().unwrap();
    assert_eq!(rec.failures, 6, "every allowed attempt counted, no refused one");
    assert_eq!(t.db.with(|c| throttle::get(c, &client)).unwrap().unwrap().failures, 6);
    // A right password (say the sixth): the account is cleared, the client gives back one.
    t.db.with(|c| throttle::succeeded(c, &account, &[(client.as_str(), ThrottlePolicy::per_client())])).unwrap();
    assert!(t.db.with(|c| throttle::get(c, &account)).unwrap().is_none());
    assert_eq!(t.db.with(|c| throttle::get(c, &client)).unwrap().unwrap().failures, 5);
});

both!(a_throttled_owner_gets_in_by_mailed_link, |t: &TestDb| {
    let hash = gatehouse_db::password::hash("olgas-password-1");
    t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "UTC", "olga@acme.test", "Olga", Some(&hash), "default", now())).unwrap();
    let account = throttle::account_key("Olga@Acme.test ");
    assert_eq!(account, throttle::account_key("olga@acme.test"), "one key per address, however typed");
    for _ in 0..8 {
        let _ = t.db.with(|c| throttle::attempt(c, &[(account.as_str(), ThrottlePolicy::per_account())], now())).unwrap();
    }
    assert!(t.db.with(|c| throttle::waiting(c, &account, &ThrottlePolicy::per_account(), now())).unwrap().is_some());
    assert_eq!(t.db.with(|c| account::request_sign_in_link(c, "olga@acme.test", "https://gh.example", now())).unwrap(), account::ResetRequest::Sent);
    assert_eq!(t.db.with(|c| account::request_sign_in_link(c, "olga@acme.test", "https://gh.example", now())).unwrap(), account::ResetRequest::TooSoon, "no mail bombing");
    assert_eq!(t.db.with(|c| account::request_sign_in_link(c, "nobody@acme.test", "https://gh.example", now())).unwrap(), account::ResetRequest::UnknownAddress);
    let text = t.grep("sign-in-link?token=", None);
    assert!(!text.is_empty() && text.iter().all(|(table, _, rows)| table == "email_outbox" && *rows == 1), "one mail: {text:?}");
    let raw: String = {
        use diesel::prelude::*;
        use gatehouse_db::schema::email_outbox as eo;
        let body: Option<String> = t.db.with(|c| Ok(gatehouse_db::on!(c, c => eo::table.order(eo::id.desc()).select(eo::body_text).first(c))?)).unwrap();
        let body = body.unwrap();
        body[body.find("token=").unwrap() + 6..].split_whitespace().next().unwrap().to_string()
    };
    assert!(t.db.with(|c| account::sign_in_link_valid(c, &raw, now())).unwrap());
    // Expired after 15 minutes; within them, single use and the account's record is cleared.
    assert!(!t.db.with(|c| account::sign_in_link_valid(c, &raw, now() + Duration::minutes(16))).unwrap());
    let user = t.db.with(|c| account::use_sign_in_link(c, &raw, now() + Duration::minutes(1))).unwrap();
    assert!(user.is_some());
    assert!(t.db.with(|c| throttle::get(c, &account)).unwrap().is_none(), "the mailbox proved it is her");
    assert_eq!(t.db.with(|c| account::use_sign_in_link(c, &raw, now() + Duration::minutes(2))).unwrap(), None, "single use");
});
