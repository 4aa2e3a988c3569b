//! CSV imports on SQLite and PostgreSQL: the preview writes nothing and names every bad row;
//! the import invites the rest in batches (one transaction each), resumes after its driver
//! died, and skips everyone on a second upload of the same file.
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::imports::{self, Status};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{authz, both, seed, users, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{MembershipId, OrgId};
use gatehouse_domain::member::MemberKind;
use gatehouse_domain::people::Problem;

const URL: &str = "https://gh.example";

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
}

fn setup(t: &TestDb) -> (OrgId, MembershipId, Actor) {
    let (org, owner) = t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "Europe/Berlin", "olga@acme.test", "Olga Owner", None, "default", now())).unwrap();
    let olga = t.db.with(|c| users::find_by_email(c, "olga@acme.test")).unwrap().unwrap().id;
    (org.id, owner, Actor::User { user: olga, membership: Some(owner) })
}

/// `n` people; rows 10, 20 and 30 (file lines 11, 21, 31) are bad, row 40 repeats row 1.
fn file(n: usize) -> String {
    let mut s = String::from("email,name,mobile_phone,locale,kind,units\n");
    for i in 0..n {
        let line = match i {
            10 => "not-an-address,Bad Email,,en,employee,".to_string(),
            20 => format!("p{i}@example.test,Bad Phone,12,en,employee,"),
            30 => format!("p{i}@example.test,No Unit,,de,partner,Mars"),
            40 => "p1@example.test,Twice,,en,employee,".to_string(),
            _ => format!("p{i}@example.test,Person {i},+49 151 1234 {i:04},{},{},", if i % 2 == 0 { "de" } else { "en" }, if i % 3 == 0 { "partner" } else { "employee" }),
        };
        s.push_str(&line);
        s.push('\n');
    }
    s
}

fn count(t: &TestDb, org: OrgId, table: &str) -> i64 {
    t.db.with(|c| {
        use diesel::prelude::*;
        use gatehouse_db::schema::{email_outbox as eo, invitations as inv, memberships as ms};
        Ok(match table {
            "memberships" => gatehouse_db::on!(c, c => ms::table.filter(ms::org_id.eq(org.0)).count().get_result(c))?,
            "invitations" => gatehouse_db::on!(c, c => inv::table.filter(inv::org_id.eq(org.0)).count().get_result(c))?,
            _ => gatehouse_db::on!(c, c => eo::table.filter(eo::org_id.eq(org.0)).count().get_result(c))?,
        })
    })
    .unwrap()
}

fn get(t: &TestDb, org: OrgId, by: MembershipId, id: i64) -> imports::Import {
    t.db.with(|c| {
        let p = authz::load_policy(c, org)?;
        imports::get(c, org, &p, by, id, now())
    })
    .unwrap()
}

fn upload(t: &TestDb, org: OrgId, by: MembershipId, actor: Actor, text: &str) -> Result<i64, DbError> {
    t.db.with(|c| {
        let p = authz::load_policy(c, org)?;
        imports::upload(c, org, &p, by, "people.csv", text, actor, now())
    })
}

fn start(t: &TestDb, org: OrgId, by: MembershipId, actor: Actor, id: i64) {
    t.db.with(|c| {
        let p = authz::load_policy(c, org)?;
        imports::start(c, org, &p, by, id, actor, now())
    })
    .unwrap()
}

both!(the_preview_writes_nothing_and_the_import_invites_every_good_row_once, |t: &TestDb| {
    let (org, owner, actor) = setup(t);
    let id = upload(t, org, owner, actor, &file(250)).unwrap();
    let p = get(t, org, owner, id);
    assert_eq!((p.status, p.rows_total, p.rows_invalid, p.ready), (Status::Preview, 250, 4, 246));
    let bad: Vec<(usize, Vec<Problem>)> = p.report.iter().map(|r| (r.line, r.problems.clone())).collect();
    assert_eq!(
        bad,
        vec![
            (12, vec![Problem::BadEmail("not-an-address".into())]),
            (22, vec![Problem::BadPhone("12".into())]),
            (32, vec![Problem::UnknownUnit("Mars".into())]),
            (42, vec![Problem::Duplicate { line: 3 }]),
        ],
        "exactly the bad rows, by file line"
    );
    assert_eq!((count(t, org, "memberships"), count(t, org, "invitations"), count(t, org, "outbox")), (1, 0, 0), "a preview writes nothing");

    start(t, org, owner, actor, id);
    let lease = Duration::minutes(2);
    assert_eq!(t.db.with(|c| imports::claim(c, None, lease, now())).unwrap(), Some(id));
    assert_eq!(t.db.with(|c| imports::claim(c, None, lease, now())).unwrap(), None, "a held lease is not taken twice");
    // One batch, then the driver "dies": the next round takes the import over after the lease.
    assert!(t.db.with(|c| imports::run_batch(c, id, URL, lease, now())).unwrap());
    let mid = get(t, org, owner, id);
    assert_eq!((mid.status, mid.next_row as usize, mid.invited, mid.failed), (Status::Running, imports::BATCH_ROWS, 96, 4), "the first 100 rows hold the 4 bad ones");
    assert_eq!(count(t, org, "invitations"), 96, "the finished batch is committed");
    let later = now() + Duration::minutes(5);
    assert_eq!(t.db.with(|c| imports::claim(c, None, lease, later)).unwrap(), Some(id));
    imports::run(&t.db, id, URL, lease, || later).unwrap();

    let done = get(t, org, owner, id);
    assert_eq!((done.status, done.invited, done.skipped, done.failed, done.next_row), (Status::Done, 246, 0, 4, 250));
    assert_eq!(done.report.len(), 4);
    assert_eq!((count(t, org, "memberships"), count(t, org, "invitations"), count(t, org, "outbox")), (247, 246, 246), "each good row invited and mailed once");
    let kind: String = t
        .db
        .with(|c| {
            use diesel::prelude::*;
            use gatehouse_db::schema::{memberships as ms, users as us};
            Ok(gatehouse_db::on!(c, c => ms::table.inner_join(us::table).filter(us::email.eq("p3@example.test")).select(ms::member_kind).first(c))?)
        })
        .unwrap();
    assert_eq!(kind, MemberKind::Partner.as_str());
    let text: Option<String> = t
        .db
        .with(|c| {
            use diesel::prelude::*;
            use gatehouse_db::schema::member_imports as mi;
            Ok(gatehouse_db::on!(c, c => mi::table.find(id).select(mi::csv_text).first(c))?)
        })
        .unwrap();
    assert_eq!(text, None, "the uploaded file is deleted when the import is finished");

    // The same file again: everyone there is skipped, nothing is written twice.
    let again = upload(t, org, owner, actor, &file(250)).unwrap();
    let p = get(t, org, owner, again);
    assert_eq!(p.ready, 0);
    assert_eq!(p.report.iter().filter(|r| r.skipped).count(), 246);
    start(t, org, owner, actor, again);
    imports::run(&t.db, again, URL, lease, now).unwrap();
    let done = get(t, org, owner, again);
    assert_eq!((done.invited, done.skipped, done.failed), (0, 246, 4));
    assert_eq!((count(t, org, "memberships"), count(t, org, "outbox")), (247, 246));
});

both!(bad_files_refused_callers_and_discards_write_nothing, |t: &TestDb| {
    let (org, owner, actor) = setup(t);
    assert!(matches!(upload(t, org, owner, actor, "name\nAda\n"), Err(DbError::Person(Problem::MissingColumn(_)))));
    assert!(matches!(upload(t, org, owner, actor, "email,name\n"), Err(DbError::Person(Problem::NoRows))));
    // A plain member may not import.
    let ada = t
        .db
        .with(|c| {
            let p = authz::load_policy(c, org)?;
            let who = gatehouse_domain::people::Invitee {
                email: "ada@example.test".into(),
                name: "Ada".into(),
                mobile_phone: None,
                locale: Default::default(),
                kind: MemberKind::Employee,
                tags: vec![],
                units: vec![],
                roles: vec![],
                existing_identity: false,
            };
            gatehouse_db::invitations::invite_checked(c, org, &p, owner, &who, URL, actor, now())
        })
        .unwrap();
    assert!(matches!(upload(t, org, ada, actor, &file(5)), Err(DbError::Denied(_))));
    let id = upload(t, org, owner, actor, &file(5)).unwrap();
    t.db.with(|c| {
        let p = authz::load_policy(c, org)?;
        imports::discard(c, org, &p, owner, id, actor, now())
    })
    .unwrap();
    assert_eq!(get(t, org, owner, id).status, Status::Discarded);
    let r = t.db.with(|c| {
        let p = authz::load_policy(c, org)?;
        imports::start(c, org, &p, owner, id, actor, now())
    });
    assert!(matches!(r, Err(DbError::Conflict(_))), "a discarded upload cannot be started");
    // Another organization's import does not exist for this one.
    let (other, other_owner) = t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "bo@beta.test", "Bo", None, "default", now())).unwrap();
    let r = t.db.with(|c| {
        let p = authz::load_policy(c, other.id)?;
        imports::get(c, other.id, &p, other_owner, id, now())
    });
    assert!(matches!(r, Err(DbError::NotFound)));
    assert_eq!(count(t, org, "memberships"), 2);
});
