//! Anonymizing a person with 10 000 linked rows (issue 6: target < 300 ms on SQLite and
//! PostgreSQL). The demo seed's acme (300 members and their history) gets RUNS former members,
//! each with ROWS rows naming them — items created and owned, item assignments, role
//! assignments, access requests with their name in the reason, audit events with their name and
//! address in before/after data, and mail to them — plus as many unrelated audit events and
//! mails of other people the redaction has to look past. Each anonymization is timed alone;
//! the median and the slowest are printed. Run by `scripts/bench-anonymize.sh`; numbers in
//! BENCHMARKS.md.
//!
//!     cargo run --release -p gatehouse_db --example anonymize_bench -- [rows] [runs] [postgres-url]
use chrono::Utc;
use diesel::prelude::*;
use gatehouse_db::schema::{access_requests as ar, audit_events as ae, email_outbox as eo, item_assignees as ia, items as it, role_assignments as ra};
use gatehouse_db::{compliance, members, on, orgs, seed, users};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{MembershipId, OrgId};
use gatehouse_domain::member::{MemberKind, MemberStatus};
use std::time::Instant;

const CHUNK: usize = 500;

fn fixture(db: &gatehouse_db::Db, org: OrgId, role: i64, i: usize, rows: usize) -> (MembershipId, i64) {
    let now = Utc::now();
    let ts = now.naive_utc();
    let name = format!("Bench Leaver {i}");
    let email = format!("bench.leaver.{i}.{}@example.test", now.timestamp_micros());
    let member = db
        .tx(|c| {
            let user = users::create(c, &users::NewUser { email: &email, display_name: &name, locale: gatehouse_domain::locale::Locale::De, password_hash: None, is_system: false }, Actor::System, now)?;
            members::add(
                c,
                &members::NewMember { org, user, kind: MemberKind::Employee, status: MemberStatus::Active, mobile_phone: Some("+4915112345678"), job_title: Some("Disponent"), end_date: None, role_holder_only: false, units: &[], tags: &[] },
                Actor::System,
                now,
            )
        })
        .expect("member");
    let m = member.0;
    // Six kinds of rows naming them, ROWS in all, and as many rows about others.
    let per = rows / 6;
    db.tx(|c| {
        on!(c, c => {
            let mut item_ids: Vec<i64> = Vec::new();
            for chunk in (0..per).collect::<Vec<_>>().chunks(CHUNK) {
                let values: Vec<_> = chunk.iter().map(|k| (it::org_id.eq(org.0), it::module_key.eq("plans"), it::title.eq(format!("Plan {k} by {name}")), it::creator_id.eq(Some(m)), it::owner_id.eq(Some(m)), it::created_at.eq(ts), it::updated_at.eq(ts), it::updated_by_kind.eq("system"))).collect();
                item_ids.extend(diesel::insert_into(it::table).values(values).returning(it::id).get_results::<i64>(c)?);
            }
            for chunk in item_ids.chunks(CHUNK) {
                let values: Vec<_> = chunk.iter().map(|id| (ia::item_id.eq(*id), ia::membership_id.eq(m))).collect();
                diesel::insert_into(ia::table).values(values).execute(c)?;
            }
            for chunk in (0..per).collect::<Vec<_>>().chunks(CHUNK) {
                let values: Vec<_> = chunk.iter().map(|_| (ra::org_id.eq(org.0), ra::membership_id.eq(m), ra::role_id.eq(role), ra::created_at.eq(ts), ra::updated_at.eq(ts), ra::updated_by_kind.eq("system"))).collect();
                diesel::insert_into(ra::table).values(values).execute(c)?;
                let values: Vec<_> = chunk.iter().map(|k| (
                    ar::org_id.eq(org.0), ar::requester_id.eq(m), ar::kind.eq("role"), ar::role_id.eq(Some(role)), ar::justification.eq(format!("{name} needs this ({k})")),
                    ar::status.eq("denied"), ar::created_at.eq(ts), ar::updated_at.eq(ts), ar::updated_by_kind.eq("system"))).collect();
                diesel::insert_into(ar::table).values(values).execute(c)?;
            }
            for chunk in (0..per).collect::<Vec<_>>().chunks(CHUNK) {
                for about_them in [true, false] {
                    let values: Vec<_> = chunk.iter().map(|k| (
                        ae::org_id.eq(Some(org.0)), ae::occurred_at.eq(ts), ae::actor_kind.eq("system"), ae::action.eq("bench.event"), ae::target_kind.eq("membership"),
                        ae::target_id.eq(Some(if about_them { m } else { 1 })),
                        ae::after_data.eq(Some(if about_them { serde_json::json!({"name": name, "email": email, "k": k}).to_string() } else { serde_json::json!({"name": "Someone Else", "k": k}).to_string() })),
                    )).collect();
                    diesel::insert_into(ae::table).values(values).execute(c)?;
                    let values: Vec<_> = chunk.iter().map(|k| (
                        eo::org_id.eq(Some(org.0)), eo::message_id.eq(format!("<bench-{i}-{about_them}-{k}-{}@x>", now.timestamp_micros())),
                        eo::to_address.eq(if about_them { email.clone() } else { "someone.else@example.test".to_string() }), eo::locale.eq("de"), eo::template.eq("bench"),
                        eo::subject.eq("Hallo"), eo::body_text.eq(Some(format!("Hallo {}, Nummer {k}", if about_them { name.as_str() } else { "Someone Else" }))),
                        eo::body_html.eq(Some(format!("<p>Hallo {}</p>", if about_them { name.as_str() } else { "Someone Else" }))),
                        eo::status.eq("sent"), eo::next_attempt_at.eq(ts), eo::created_at.eq(ts), eo::updated_at.eq(ts), eo::updated_by_kind.eq("system"),
                    )).collect();
                    diesel::insert_into(eo::table).values(values).execute(c)?;
                }
            }
            Ok::<_, diesel::result::Error>(())
        })?;
        Ok(())
    })
    .expect("linked rows");
    let case = db.with(|c| compliance::end_membership(c, org, None, member, "http://bench", Actor::System, now)).expect("end");
    (member, case)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let runs: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(5);
    let pg = args.next();
    let _sqlite;
    let db = match &pg {
        Some(url) => {
            let db = gatehouse_db::Db::connect(url, 4).expect("postgres");
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
    let role = db.with(|c| gatehouse_db::roles::list(c, acme.id)).unwrap()[0].id.0;
    let mut times = Vec::new();
    for i in 0..runs {
        let (member, case) = fixture(&db, acme.id, role, i, rows);
        let linked: i64 = db.with(|c| compliance::linked(c, acme.id, member, 1)).unwrap().iter().map(|k| k.count).sum();
        let p = db.with(|c| compliance::pseudonym_for(c, acme.id, member)).unwrap();
        let t = Instant::now();
        let done = db.with(|c| compliance::anonymize(c, acme.id, None, case, &p, Actor::System, Utc::now())).expect("anonymize");
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        let redacted: usize = done.redacted.iter().map(|(_, n)| n).sum();
        println!("{}: run {i}: {linked} linked rows, {redacted} texts redacted, {ms:.1} ms", db.backend().name());
        times.push(ms);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!("{}: anonymize with {rows} linked rows: median {:.1} ms, slowest {:.1} ms ({runs} runs)", db.backend().name(), times[times.len() / 2], times[times.len() - 1]);
}
