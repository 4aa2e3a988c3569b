//! CSV import throughput: an organization (the demo seed's acme) uploads N people, the preview
//! judges every row, the import invites them batch by batch (each invitation with its link,
//! outbox mail and audit event). Prints the preview time and rows per second. Run by
//! `scripts/bench-import.sh`; numbers in BENCHMARKS.md.
//!
//!     cargo run --release -p gatehouse_db --example import_throughput -- 2000 [postgres-url]
use chrono::{Duration, Utc};
use gatehouse_db::{authz, imports, members, orgs, seed};
use gatehouse_domain::actor::Actor;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let count: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(2000);
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
    let now = Utc::now();
    seed::seed_demo(&db, 300, now).expect("seed");
    let acme = db.with(|c| orgs::by_slug(c, "acme")).unwrap().unwrap();
    let owner = gatehouse_domain::ids::MembershipId(db.with(|c| members::by_email(c, acme.id, seed::DEMO_OWNER)).unwrap().unwrap().0);
    let stamp = now.timestamp();
    let mut text = String::from("email,name,mobile_phone,locale,kind,units\n");
    for i in 0..count {
        text.push_str(&format!("bench{i}.{stamp}@example.test,Bench Person {i},+49 151 2{i:07},{},employee,\n", if i % 2 == 0 { "de" } else { "en" }));
    }
    let t = Instant::now();
    let id = db
        .with(|c| {
            let p = authz::load_policy(c, acme.id)?;
            imports::upload(c, acme.id, &p, owner, "bench.csv", &text, Actor::System, now)
        })
        .expect("upload");
    let upload = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let preview = db
        .with(|c| {
            let p = authz::load_policy(c, acme.id)?;
            imports::get(c, acme.id, &p, owner, id, now)
        })
        .expect("preview");
    let shown = t.elapsed().as_secs_f64();
    assert_eq!(preview.ready as usize, count);
    db.with(|c| {
        let p = authz::load_policy(c, acme.id)?;
        imports::start(c, acme.id, &p, owner, id, Actor::System, now)
    })
    .expect("start");
    let t = Instant::now();
    let lease = Duration::minutes(2);
    db.with(|c| imports::claim(c, Some(id), lease, now)).expect("claim").expect("claimed");
    if std::env::var("BATCH_TIMES").is_ok() {
        let mut k = 0;
        loop {
            let t = Instant::now();
            let more = db.with(|c| imports::run_batch(c, id, "https://gatehouse.example", lease, Utc::now())).unwrap();
            if k % 10 == 0 { eprintln!("batch {k}: {:.1} ms", t.elapsed().as_secs_f64() * 1000.0); }
            k += 1;
            if !more { break; }
        }
    } else {
        imports::run(&db, id, "https://gatehouse.example", lease, Utc::now).expect("run");
    }
    let secs = t.elapsed().as_secs_f64();
    let done = db
        .with(|c| {
            let p = authz::load_policy(c, acme.id)?;
            imports::get(c, acme.id, &p, owner, id, now)
        })
        .unwrap();
    assert_eq!(done.invited as usize, count, "every row invited");
    println!(
        "backend={} rows={count} upload_check_s={upload:.2} preview_page_s={shown:.2} import_s={secs:.2} rows_per_second={:.0}",
        if pg.is_some() { "postgres" } else { "sqlite" },
        count as f64 / secs
    );
}
