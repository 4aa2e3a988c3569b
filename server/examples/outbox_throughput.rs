//! Outbox throughput to a local SMTP server: queue N messages, let the delivery worker send them,
//! report messages per second. Run by `scripts/bench-mail.sh` (which starts the SMTP capture
//! server); numbers in BENCHMARKS.md.
//!
//!     GATEHOUSE_TEST_SMTP_PORT=2525 cargo run --release -p gatehouse_server --example outbox_throughput -- 2000 [postgres-url]
use chrono::Utc;
use gatehouse_db::outbox::{self, NewMail};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::clock::{Clock, SystemClock};
use gatehouse_domain::locale::Locale;
use gatehouse_domain::session::SessionPolicy;
use gatehouse_mail::{Mail, Mailer, SmtpConfig, TlsMode};
use gatehouse_server::AppState;
use std::sync::Arc;

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2000);
    let port: u16 = std::env::var("GATEHOUSE_TEST_SMTP_PORT").ok().and_then(|p| p.parse().ok()).expect("GATEHOUSE_TEST_SMTP_PORT");
    let pg = args.next();
    let _sqlite;
    let db = match &pg {
        Some(url) => {
            let db = gatehouse_db::Db::connect(url, 8).expect("postgres");
            db.migrate().expect("migrate");
            db
        }
        None => {
            _sqlite = gatehouse_db::testing::TestDb::sqlite();
            _sqlite.db.clone()
        }
    };
    let r = gatehouse_mail::render(&Mail::TestMessage { requested_by: "the benchmark".into() }, Locale::En, "https://gatehouse.example").unwrap();
    let now = Utc::now();
    db.tx(|c| {
        for i in 0..count {
            let to = format!("bench{i}@example.test");
            outbox::enqueue(c, &NewMail { org: None, to: &to, locale: "en", template: r.template, subject: &r.subject, text: &r.text, html: &r.html }, Actor::System, now)?;
        }
        Ok(())
    })
    .expect("queue");
    let state = AppState {
        db: db.clone(),
        clock: Arc::new(SystemClock) as Arc<dyn Clock>,
        session_policy: SessionPolicy::default(),
        public_url: "https://gatehouse.example".into(),
        policies: Default::default(), counts: Default::default(),
        trusted_proxies: Default::default(),
        sealing_key: None,
    };
    actix_web::rt::System::new().block_on(async move {
        let mailer = Mailer::new(&SmtpConfig { host: "127.0.0.1".into(), port, tls: TlsMode::None, username: None, password: None, from: "Gatehouse <noreply@gatehouse.test>".into(), connections: 32 }).unwrap();
        let start = std::time::Instant::now();
        let mut sent = 0;
        loop {
            let d = gatehouse_server::jobs::deliver_due(&state, &mailer).await.expect("deliver");
            sent += d.sent;
            if d.sent == 0 && d.failed == 0 {
                break;
            }
        }
        let secs = start.elapsed().as_secs_f64();
        println!("backend={} messages={sent} seconds={secs:.2} per_second={:.0}", if pg.is_some() { "postgres" } else { "sqlite" }, sent as f64 / secs);
        assert_eq!(sent, count, "every message sent");
    });
}
