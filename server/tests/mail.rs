//! Mail delivery through a real SMTP server on loopback that captures messages
//! (scripts/smtp_capture.py, started by scripts/test.sh).
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::outbox::{self, NewMail};
use gatehouse_db::testing::TestDb;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::clock::{Clock, FixedClock};
use gatehouse_domain::locale::Locale;
use gatehouse_domain::session::SessionPolicy;
use gatehouse_mail::{Mail, Mailer, SmtpConfig, TlsMode};
use gatehouse_server::jobs::deliver_due;
use gatehouse_server::AppState;
use std::sync::Arc;

fn capture() -> Option<(u16, std::path::PathBuf)> {
    match (std::env::var("GATEHOUSE_TEST_SMTP_PORT"), std::env::var("GATEHOUSE_TEST_MAILDIR")) {
        (Ok(p), Ok(d)) => Some((p.parse().expect("port"), d.into())),
        _ => {
            assert!(std::env::var_os("GATEHOUSE_REQUIRE_SMTP").is_none(), "the SMTP capture server is required");
            eprintln!("no SMTP capture server: skipped");
            None
        }
    }
}

fn mailer(port: u16) -> Mailer {
    Mailer::new(&SmtpConfig { host: "127.0.0.1".into(), port, tls: TlsMode::None, username: None, password: None, from: "Gatehouse <noreply@gatehouse.test>".into(), connections: 32 }).unwrap()
}

/// Captured messages that carry this Message-ID.
fn captured_with(dir: &std::path::Path, message_id: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                .filter_map(|e| std::fs::read_to_string(e.path()).ok())
                .filter(|m| m.contains(message_id))
                .collect()
        })
        .unwrap_or_default()
}

fn queue(t: &TestDb, to: &str, now: chrono::DateTime<Utc>) -> (i64, String) {
    let r = gatehouse_mail::render(&Mail::TestMessage { requested_by: "the test".into() }, Locale::De, "https://gatehouse.example").unwrap();
    let id = t
        .db
        .tx(|c| outbox::enqueue(c, &NewMail { org: None, to, locale: "de", template: r.template, subject: &r.subject, text: &r.text, html: &r.html }, Actor::System, now))
        .unwrap();
    let mid = t.db.tx(|c| outbox::claim_due(c, now, 100, Duration::zero())).unwrap().into_iter().find(|m| m.id == id).unwrap().message_id;
    (id, mid)
}

async fn delivers_and_retries_exactly_once(t: &TestDb) {
    let Some((port, dir)) = capture() else { return };
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    let clock = FixedClock::at(now);
    let state = AppState { db: t.db.clone(), clock: Arc::new(clock.clone()) as Arc<dyn Clock>, session_policy: SessionPolicy::default(), public_url: "http://x".into(), policies: Default::default(), counts: Default::default(), trusted_proxies: Default::default(), sealing_key: None };

    // Delivered, in German, with both parts and the outbox row's Message-ID.
    let (id, mid) = queue(t, "Ops@Acme.test", now);
    let d = deliver_due(&state, &mailer(port)).await.unwrap();
    assert_eq!(d.sent, 1);
    let got = captured_with(&dir, &mid);
    assert_eq!(got.len(), 1);
    assert!(got[0].contains("X-Envelope-To: ops@acme.test") && got[0].contains("Gatehouse-Testnachricht"));
    assert!(got[0].contains("text/plain") && got[0].contains("text/html"));
    assert_eq!(t.db.with(|c| outbox::status(c, None, id)).unwrap().0, "sent");

    // The SMTP server is down: the message stays queued, nothing is lost, then it arrives once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (id2, mid2) = queue(t, "ops@acme.test", now);
    let d = deliver_due(&state, &mailer(closed)).await.unwrap();
    assert_eq!((d.sent, d.failed), (0, 1));
    let (status, attempts, _) = t.db.with(|c| outbox::status(c, None, id2)).unwrap();
    assert_eq!((status.as_str(), attempts), ("queued", 1));
    assert_eq!(deliver_due(&state, &mailer(port)).await.unwrap().sent, 0, "not due before its backoff");
    clock.advance(Duration::seconds(31));
    assert_eq!(deliver_due(&state, &mailer(port)).await.unwrap().sent, 1);
    assert_eq!(deliver_due(&state, &mailer(port)).await.unwrap().sent, 0);
    assert_eq!(captured_with(&dir, &mid2).len(), 1, "exactly once");
    assert_eq!(t.db.with(|c| outbox::status(c, None, id2)).unwrap().0, "sent");
}

#[actix_web::test]
async fn sqlite() {
    delivers_and_retries_exactly_once(&TestDb::sqlite()).await;
}

#[actix_web::test]
async fn postgres() {
    if let Some(t) = TestDb::postgres() {
        delivers_and_retries_exactly_once(&t).await;
    }
}
