//! Reviews of platform staff on SQLite and PostgreSQL: the first sweep plans the first review an
//! interval after the longest-serving staff member was added; when it is due, two instances
//! sweeping at once start it once, freeze who is reviewed and mail the reviewers; reminders go
//! out once, two days before the deadline, to reviewers with open items; at the deadline the
//! plan's rule (keep) settles what is left as the system, and a closed review is not changed.
use chrono::{TimeZone, Utc};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{both, staff, staff_reviews as sr, DbError};
use gatehouse_domain::staff::StaffRole;

fn at(m: u32, d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, 9, 0, 0).unwrap()
}

const URL: &str = "https://gatehouse.example";

both!(staff_reviews_run_once_and_are_settled_at_the_deadline, |t: &TestDb| {
    let added = at(1, 10);
    let (_, sys) = t.db.with(|c| staff::ensure(c, "sid@ops.test", "Sid Sysadmin", StaffRole::Sysadmin, None, added)).unwrap();
    let (_, mia) = t.db.with(|c| staff::ensure(c, "mia@ops.test", "Mia Management", StaffRole::Management, None, added)).unwrap();
    t.db.with(|c| staff::ensure(c, "cs@ops.test", "Cy Success", StaffRole::CustomerSuccess, None, at(3, 1))).unwrap();
    t.db.with(|c| staff::ensure(c, "dev@ops.test", "Dee Developer", StaffRole::Developer, None, added)).unwrap();

    // Nothing runs before it is planned; the first sweep plans it a quarter after 10 January.
    assert_eq!(t.db.with(|c| sr::start_due(c, URL, at(2, 1))).unwrap(), None);
    assert_eq!(t.db.with(sr::plan).unwrap().next_start_at, Some(at(4, 10)));
    assert_eq!(t.db.with(|c| sr::start_due(c, URL, at(4, 9))).unwrap(), None, "not yet");

    // Due: two instances at once start one review.
    let started: Vec<Option<i64>> = std::thread::scope(|s| {
        let a = s.spawn(|| t.db.with(|c| sr::start_due(c, URL, at(4, 10))).unwrap());
        let b = s.spawn(|| t.db.with(|c| sr::start_due(c, URL, at(4, 10))).unwrap());
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    let campaign = started.iter().flatten().copied().collect::<Vec<_>>();
    assert_eq!(campaign.len(), 1, "{started:?}");
    let campaign = campaign[0];
    assert_eq!(t.count("staff_review_campaigns"), 1);
    assert_eq!(t.db.with(sr::plan).unwrap().next_start_at, Some(at(7, 10)), "the next one a quarter later");
    let items = t.db.with(|c| sr::items(c, campaign)).unwrap();
    assert_eq!(items.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["Sid Sysadmin", "Mia Management", "Cy Success"], "not the developer");
    assert!(items.iter().all(|i| i.helpers.never_signed_in));
    assert_eq!(items[0].reviewers.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [mia.0]);
    assert_eq!(items[1].reviewers.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [sys.0]);
    assert_eq!(items[2].reviewers.len(), 2);
    assert_eq!(t.count_where("email_outbox", "template = 'staff_review_assigned'"), 2, "one mail per reviewer");
    assert_eq!(t.count_where("audit_events", "action = 'staff.review_started' AND actor_kind = 'system'"), 1);
    // The frozen population stays as it was when the role changes afterwards.
    t.db.with(|c| staff::ensure(c, "cs@ops.test", "Cy Success", StaffRole::Management, None, at(4, 11))).unwrap();
    assert_eq!(t.db.with(|c| sr::items(c, campaign)).unwrap()[2].role, StaffRole::CustomerSuccess);

    // Decisions: a refusal for a role that does not review staff and for one's own item.
    assert!(matches!(t.db.with(|c| sr::decide(c, sys, StaffRole::CustomerSuccess, items[2].id, "keep", "", at(4, 12))), Err(DbError::NotFound)));
    assert!(matches!(t.db.with(|c| sr::decide(c, sys, StaffRole::Sysadmin, items[0].id, "keep", "", at(4, 12))), Err(DbError::Domain(_))));
    t.db.with(|c| sr::decide(c, sys, StaffRole::Sysadmin, items[1].id, "keep", "runs the platform team", at(4, 12))).unwrap();
    assert!(matches!(t.db.with(|c| sr::decide(c, sys, StaffRole::Sysadmin, items[1].id, "reduce", "", at(4, 12))), Err(DbError::Conflict(_))), "decided once");
    assert!(matches!(t.db.with(|c| sr::start_now(c, sys, StaffRole::Sysadmin, URL, at(4, 13))), Err(DbError::Conflict(gatehouse_db::Conflict::StaffReviewRunning))));

    // Reminders: two days before the deadline (24 April), once, to the reviewers of open items.
    assert_eq!(t.db.with(|c| sr::remind_due(c, URL, at(4, 21))).unwrap(), 0);
    let reminded = t.db.with(|c| sr::remind_due(c, URL, at(4, 22))).unwrap();
    assert_eq!(reminded, 2, "mia (sid's item) and sid (cy's item)");
    assert_eq!(t.db.with(|c| sr::remind_due(c, URL, at(4, 23))).unwrap(), 0, "once");

    // The deadline: unanswered items are kept by the rule, as the system; closed once.
    assert_eq!(t.db.with(|c| sr::sweep(c, at(4, 23))).unwrap(), 0, "not yet");
    let settled: Vec<usize> = std::thread::scope(|s| {
        let a = s.spawn(|| t.db.with(|c| sr::sweep(c, at(4, 24))).unwrap());
        let b = s.spawn(|| t.db.with(|c| sr::sweep(c, at(4, 24))).unwrap());
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    assert_eq!(settled.iter().sum::<usize>(), 2, "{settled:?}");
    let head = t.db.with(|c| sr::campaigns(c, Some(campaign), 1)).unwrap().remove(0);
    assert_eq!((head.state.as_str(), head.decided, head.kept, head.reduced), ("closed", 3, 3, 0));
    let items = t.db.with(|c| sr::items(c, campaign)).unwrap();
    assert_eq!(items[0].decided_by_kind.as_deref(), Some("system"));
    assert_eq!(items[1].decided_by.as_deref(), Some("Sid Sysadmin"));
    assert_eq!(t.count_where("audit_events", "action = 'staff.review_kept' AND actor_kind = 'system'"), 2);
    assert!(matches!(t.db.with(|c| sr::decide(c, mia, StaffRole::Management, items[0].id, "reduce", "", at(4, 25))), Err(DbError::Conflict(gatehouse_db::Conflict::StaffReviewClosed))));

    // A plan that reduces: started by hand, nobody answers, the rule reduces as the system.
    t.db.with(|c| sr::set_plan(c, sys, StaffRole::Sysadmin, "half_yearly", "20", "reduce", at(5, 1))).unwrap();
    assert!(t.db.with(|c| sr::set_plan(c, sys, StaffRole::Sysadmin, "once", "20", "reduce", at(5, 1))).is_err(), "staff reviews recur");
    assert!(t.db.with(|c| sr::set_plan(c, sys, StaffRole::Sysadmin, "monthly", "28", "keep", at(5, 1))).is_err(), "shorter than its interval");
    let second = t.db.with(|c| sr::start_now(c, mia, StaffRole::Management, URL, at(5, 2))).unwrap();
    assert_eq!(t.db.with(sr::plan).unwrap().next_start_at, Some(at(11, 2)), "the schedule goes on from it");
    assert_eq!(t.db.with(|c| sr::sweep(c, at(5, 22))).unwrap(), 3);
    assert_eq!(t.db.with(|c| staff::of_email(c, "mia@ops.test")).unwrap().unwrap().1, StaffRole::Developer);
    assert_eq!(t.count_where("audit_events", "action = 'staff.role_reduced' AND actor_kind = 'system'"), 3);
    assert_eq!(t.db.with(|c| sr::campaigns(c, None, 10)).unwrap().iter().map(|c| c.id).collect::<Vec<_>>(), [second, campaign]);
});
