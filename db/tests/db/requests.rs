//! Access requests on SQLite and PostgreSQL: asking, approvers, one decision wins, the grant
//! in the same transaction with its end date, refusals, reminders and expiry by the
//! background user.
use chrono::{Duration, TimeZone, Utc};
use gatehouse_db::testing::TestDb;
use gatehouse_db::{authz, both, members, requests, roles, seed, units, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::Target;
use gatehouse_domain::ids::{MembershipId, OrgId, RoleId, UnitId};
use gatehouse_domain::member::MemberKind;
use gatehouse_domain::requests::{Asked, Refusal, Status};

const URL: &str = "https://gh.example";

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
}

struct Org {
    id: OrgId,
    owner: MembershipId,
    sales: UnitId,
    max: MembershipId,
    eve: MembershipId,
}

fn member(t: &TestDb, org: OrgId, email: &str, name: &str, unit: Option<UnitId>) -> MembershipId {
    t.db.tx(|c| {
        let user = gatehouse_db::users::create(
            c,
            &gatehouse_db::users::NewUser { email, display_name: name, locale: gatehouse_domain::locale::Locale::De, password_hash: None, is_system: false },
            Actor::System,
            now(),
        )?;
        let units: Vec<UnitId> = unit.into_iter().collect();
        members::add(
            c,
            &members::NewMember::active(org, user, MemberKind::Employee, &units),
            Actor::System,
            now(),
        )
    })
    .unwrap()
}

fn setup(t: &TestDb) -> Org {
    let (org, owner) = t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "Europe/Berlin", "olga@acme.test", "Olga Owner", None, "default", now())).unwrap();
    let sales = t.db.with(|c| units::create(c, org.id, None, "Sales", "team", Actor::System, now())).unwrap();
    let max = member(t, org.id, "max@acme.test", "Max Mitglied", Some(sales));
    let eve = member(t, org.id, "eve@acme.test", "Eve Else", None);
    Org { id: org.id, owner, sales, max, eve }
}

fn role(t: &TestDb, org: OrgId, key: &str) -> RoleId {
    t.db.with(|c| roles::list(c, org)).unwrap().into_iter().find(|r| r.key == key).unwrap().id
}

fn mails(t: &TestDb) -> Vec<(String, String)> {
    t.db.with(|c| {
        use diesel::prelude::*;
        use gatehouse_db::schema::email_outbox as eo;
        Ok(gatehouse_db::on!(c, c => eo::table.order(eo::id.asc()).select((eo::to_address, eo::subject)).load::<(String, String)>(c))?)
    })
    .unwrap()
}

fn ask(t: &TestDb, o: &Org, who: MembershipId, asked: &Asked, ends: Option<chrono::DateTime<Utc>>, at: chrono::DateTime<Utc>) -> Result<i64, DbError> {
    t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        requests::create(c, o.id, &p, who, asked, "Ich übernehme die Tourenplanung.", ends, URL, Actor::System, at)
    })
}

fn decide(t: &TestDb, o: &Org, by: MembershipId, id: i64, approve: bool, at: chrono::DateTime<Utc>) -> Result<Status, DbError> {
    t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        requests::decide(c, o.id, &p, by, id, approve, Some("Willkommen"), URL, Actor::System, at)
    })
}

both!(a_requested_role_is_granted_once_with_its_end_date_and_the_requester_is_told, |t: &TestDb| {
    let o = setup(t);
    let manager = role(t, o.id, "unit_manager");
    let asked = Asked::Role { role: manager, unit: Some(o.sales) };
    let ends = now() + Duration::days(30);
    // Refusals first: nothing is written.
    assert!(matches!(ask(t, &o, o.max, &asked, Some(now() - Duration::hours(1)), now()), Err(DbError::Request(Refusal::EndInPast))));
    let admin_role = role(t, o.id, "auditor");
    assert!(matches!(ask(t, &o, o.max, &Asked::Role { role: admin_role, unit: None }, None, now()), Err(DbError::Request(Refusal::NotRequestable))), "only requestable roles");
    assert!(matches!(ask(t, &o, o.max, &Asked::Unit { unit: o.sales }, None, now()), Err(DbError::Request(Refusal::AlreadyHeld))), "already in Sales");
    assert!(mails(t).is_empty());

    let id = ask(t, &o, o.max, &asked, Some(ends), now()).unwrap();
    assert!(matches!(ask(t, &o, o.max, &asked, Some(ends), now()), Err(DbError::Request(Refusal::AlreadyAsked))));
    let m = mails(t);
    assert_eq!(m, vec![("olga@acme.test".to_string(), "Max Mitglied asks for access in Acme".to_string())], "the approver (the owner) is mailed");
    let row = t.db.with(|c| requests::get(c, o.id, id)).unwrap();
    assert_eq!((row.status, row.ends_at, row.role_name.as_deref(), row.unit_name.as_deref()), (Status::Pending, Some(ends), Some("Unit manager"), Some("Sales")));

    // Neither the requester nor someone without the decide permission decides.
    assert!(matches!(decide(t, &o, o.max, id, true, now()), Err(DbError::Request(Refusal::OwnRequest))));
    assert!(matches!(decide(t, &o, o.eve, id, true, now()), Err(DbError::Request(Refusal::NotApprover))));
    let before = t.db.with(|c| authz::load_policy(c, o.id)).unwrap();
    assert!(!before.check(o.max, "members.view", &Target::Unit(o.sales), now()).allowed);

    assert_eq!(decide(t, &o, o.owner, id, true, now()).unwrap(), Status::Approved);
    assert!(matches!(decide(t, &o, o.owner, id, false, now()), Err(DbError::Request(Refusal::AlreadyClosed(Status::Approved)))), "decided once");
    let after = t.db.with(|c| authz::load_policy(c, o.id)).unwrap();
    assert!(after.check(o.max, "members.view", &Target::Unit(o.sales), now()).allowed, "the grant exists");
    assert!(!after.check(o.max, "members.view", &Target::Unit(o.sales), ends + Duration::minutes(1)).allowed, "and ends by itself");
    // Listed as ending soon once it is within the window, not before.
    assert!(t.db.with(|c| gatehouse_db::views::dashboard::expiring(c, o.id, now(), now() + Duration::days(14), 20)).unwrap().is_empty());
    let soon = t.db.with(|c| gatehouse_db::views::dashboard::expiring(c, o.id, now() + Duration::days(20), now() + Duration::days(34), 20)).unwrap();
    assert_eq!(soon.iter().map(|g| (g.member_name.as_str(), g.role.as_str(), g.unit.as_deref(), g.ends_at)).collect::<Vec<_>>(), vec![("Max Mitglied", "Unit manager", Some("Sales"), ends)]);
    let last = mails(t).pop().unwrap();
    assert_eq!(last, ("max@acme.test".to_string(), "Ihre Zugriffsanfrage in Acme wurde genehmigt".to_string()), "the requester is told, in German");
    let row = t.db.with(|c| requests::get(c, o.id, id)).unwrap();
    assert_eq!((row.decided_by.as_deref(), row.comment.as_deref()), (Some("Olga Owner"), Some("Willkommen")));

    // Checked again at the decision: joined meanwhile another way, or no longer a member.
    let join = ask(t, &o, o.eve, &Asked::Unit { unit: o.sales }, None, now()).unwrap();
    t.db.with(|c| {
        use diesel::prelude::*;
        use gatehouse_db::schema::membership_units as mu;
        Ok(gatehouse_db::on!(c, c => diesel::insert_into(mu::table).values((mu::membership_id.eq(o.eve.0), mu::unit_id.eq(o.sales.0))).execute(c))?)
    })
    .unwrap();
    assert!(matches!(decide(t, &o, o.owner, join, true, now()), Err(DbError::Request(Refusal::AlreadyHeld))));
    t.db.with(|c| {
        use diesel::prelude::*;
        use gatehouse_db::schema::{membership_units as mu, memberships as ms};
        gatehouse_db::on!(c, c => diesel::delete(mu::table.filter(mu::membership_id.eq(o.eve.0))).execute(c))?;
        Ok(gatehouse_db::on!(c, c => diesel::update(ms::table.find(o.eve.0)).set(ms::status.eq("terminated")).execute(c))?)
    })
    .unwrap();
    assert!(matches!(decide(t, &o, o.owner, join, true, now()), Err(DbError::Request(Refusal::NotMember))));
    assert_eq!(t.db.with(|c| requests::get(c, o.id, join)).unwrap().status, Status::Pending, "a refused approval changes nothing");
    t.db.with(|c| {
        use diesel::prelude::*;
        use gatehouse_db::schema::memberships as ms;
        Ok(gatehouse_db::on!(c, c => diesel::update(ms::table.find(o.eve.0)).set(ms::status.eq("active")).execute(c))?)
    })
    .unwrap();
    t.db.with(|c| requests::withdraw(c, o.id, o.eve, join, Actor::System, now())).unwrap();

    // Denied and withdrawn are their own ends.
    let join = ask(t, &o, o.eve, &Asked::Unit { unit: o.sales }, None, now()).unwrap();
    assert_eq!(decide(t, &o, o.owner, join, false, now()).unwrap(), Status::Denied);
    let again = ask(t, &o, o.eve, &Asked::Unit { unit: o.sales }, None, now()).unwrap();
    assert!(matches!(t.db.with(|c| requests::withdraw(c, o.id, o.max, again, Actor::System, now())), Err(DbError::Request(Refusal::NotRequester))));
    t.db.with(|c| requests::withdraw(c, o.id, o.eve, again, Actor::System, now())).unwrap();
    let statuses: Vec<Status> = t.db.with(|c| requests::list(c, o.id, None, Some(o.eve), 10)).unwrap().into_iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![Status::Withdrawn, Status::Denied, Status::Withdrawn]);
});

both!(two_approvers_at_once_grant_once, |t: &TestDb| {
    let o = setup(t);
    // A second approver: an administrator.
    let ada = member(t, o.id, "ada@acme.test", "Ada Admin", None);
    t.db.with(|c| members::grant_org_role(c, o.id, ada, gatehouse_domain::org_role::OrgRole::Administrator, Actor::System, now())).unwrap();
    let manager = role(t, o.id, "unit_manager");
    let id = ask(t, &o, o.max, &Asked::Role { role: manager, unit: Some(o.sales) }, None, now()).unwrap();
    assert_eq!(mails(t).len(), 2, "both approvers are mailed");
    let results: Vec<Result<Status, DbError>> = std::thread::scope(|s| {
        let a = s.spawn(|| decide(t, &o, o.owner, id, true, now()));
        let b = s.spawn(|| decide(t, &o, ada, id, true, now()));
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    let won = results.iter().filter(|r| matches!(r, Ok(Status::Approved))).count();
    assert_eq!(won, 1, "one wins: {results:?}");
    for r in &results {
        if let Err(e) = r {
            assert!(matches!(e, DbError::Request(Refusal::AlreadyClosed(Status::Approved)) | DbError::Outdated), "the other is told it was decided: {e:?}");
        }
    }
    let grants: i64 = t
        .db
        .with(|c| {
            use diesel::prelude::*;
            use gatehouse_db::schema::role_assignments as ra;
            Ok(gatehouse_db::on!(c, c => ra::table.filter(ra::membership_id.eq(o.max.0)).filter(ra::role_id.eq(manager.0)).count().get_result(c))?)
        })
        .unwrap();
    assert_eq!(grants, 1, "no double grant");
});

both!(two_identical_asks_at_once_make_one_request, |t: &TestDb| {
    let o = setup(t);
    let manager = role(t, o.id, "unit_manager");
    let asked = Asked::Role { role: manager, unit: Some(o.sales) };
    let results: Vec<Result<i64, DbError>> = std::thread::scope(|s| {
        let a = s.spawn(|| ask(t, &o, o.max, &asked, None, now()));
        let b = s.spawn(|| ask(t, &o, o.max, &asked, None, now()));
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results.iter().any(|r| matches!(r, Err(DbError::Request(Refusal::AlreadyAsked)))), "{results:?}");
    assert_eq!(t.db.with(|c| requests::list(c, o.id, Some(Status::Pending), None, 10)).unwrap().len(), 1);
});

both!(undecided_requests_are_reminded_then_expire_as_the_background_user, |t: &TestDb| {
    let o = setup(t);
    let manager = role(t, o.id, "unit_manager");
    let id = ask(t, &o, o.max, &Asked::Role { role: manager, unit: Some(o.sales) }, None, now()).unwrap();
    let n0 = mails(t).len();
    assert_eq!(t.db.with(|c| requests::remind_due(c, URL, now() + Duration::days(2))).unwrap(), 0, "not yet");
    assert_eq!(t.db.with(|c| requests::remind_due(c, URL, now() + Duration::days(3))).unwrap(), 1);
    assert_eq!(t.db.with(|c| requests::remind_due(c, URL, now() + Duration::days(4))).unwrap(), 0, "once");
    let m = mails(t);
    assert_eq!(m.len(), n0 + 1);
    assert_eq!(m.last().unwrap(), &("olga@acme.test".to_string(), "Reminder: Max Mitglied is waiting for a decision in Acme".to_string()));
    assert_eq!(t.db.with(|c| requests::expire_due(c, URL, now() + Duration::days(13))).unwrap(), 0);
    assert_eq!(t.db.with(|c| requests::expire_due(c, URL, now() + Duration::days(14))).unwrap(), 1);
    assert_eq!(t.db.with(|c| requests::expire_due(c, URL, now() + Duration::days(15))).unwrap(), 0);
    assert_eq!(mails(t).last().unwrap(), &("max@acme.test".to_string(), "Ihre Zugriffsanfrage in Acme ist abgelaufen".to_string()));
    assert_eq!(t.db.with(|c| requests::get(c, o.id, id)).unwrap().status, Status::Expired, "expired, not denied");
    assert!(matches!(decide(t, &o, o.owner, id, true, now() + Duration::days(15)), Err(DbError::Request(Refusal::AlreadyClosed(Status::Expired)))));
    let actors: Vec<String> = t
        .db
        .with(|c| {
            use diesel::prelude::*;
            use gatehouse_db::schema::audit_events as ae;
            Ok(gatehouse_db::on!(c, c => ae::table.filter(ae::action.eq_any(["access_request.reminded", "access_request.expired"])).select(ae::actor_kind).load::<String>(c))?)
        })
        .unwrap();
    assert_eq!(actors, vec!["background", "background"], "audited as the background user");
});

both!(a_single_permission_is_granted_as_a_personal_addition_that_ends_by_itself, |t: &TestDb| {
    let o = setup(t);
    let offered = t.db.with(|c| requests::requestable_permissions(c, o.id)).unwrap();
    assert!(offered.contains(&"members.view".to_string()), "what requestable roles grant is offered: {offered:?}");
    assert!(!offered.contains(&"settings.edit".to_string()));
    let not_offered = Asked::Permission { permission: "settings.edit".into(), unit: None };
    assert!(matches!(ask(t, &o, o.max, &not_offered, None, now()), Err(DbError::Request(Refusal::NotRequestable))));
    let asked = Asked::Permission { permission: "members.view".into(), unit: Some(o.sales) };
    let ends = now() + Duration::days(10);
    let id = ask(t, &o, o.max, &asked, Some(ends), now()).unwrap();
    let row = t.db.with(|c| requests::get(c, o.id, id)).unwrap();
    assert_eq!(row.what(gatehouse_domain::locale::Locale::En), "permission “See members and their details (members.view)” at Sales");
    assert_eq!(decide(t, &o, o.owner, id, true, now()).unwrap(), Status::Approved);
    let p = t.db.with(|c| authz::load_policy(c, o.id)).unwrap();
    assert!(p.check(o.max, "members.view", &Target::Unit(o.sales), now()).allowed, "granted at once");
    assert!(!p.check(o.max, "members.view", &Target::Organization, now()).allowed, "only where asked");
    assert!(!p.check(o.max, "members.view", &Target::Unit(o.sales), ends + Duration::seconds(1)).allowed, "and it ends by itself");
    let adj = t.db.with(|c| authz::adjustments_of(c, o.id, o.max)).unwrap();
    assert_eq!(adj.len(), 1);
    assert_eq!(adj[0].note, format!("#{id}"));
    assert!(matches!(ask(t, &o, o.max, &asked, None, now()), Err(DbError::Request(Refusal::AlreadyHeld))));
});

fn revoke(t: &TestDb, o: &Org, by: MembershipId, id: i64, at: chrono::DateTime<Utc>) -> Result<(), DbError> {
    t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        requests::revoke(c, o.id, &p, by, id, Some("Projekt beendet"), URL, Actor::System, at)
    })
}

both!(an_approved_grant_is_revoked_by_an_approver_or_by_its_removal_elsewhere, |t: &TestDb| {
    let o = setup(t);
    let manager = role(t, o.id, "unit_manager");
    let as_manager = Asked::Role { role: manager, unit: Some(o.sales) };
    let can_view = |at| t.db.with(|c| authz::load_policy(c, o.id)).unwrap().check(o.max, "members.view", &Target::Unit(o.sales), at).allowed;
    let status = |id| t.db.with(|c| requests::get(c, o.id, id)).unwrap();

    // From the request: the approver takes the role back; the requester is told why.
    let id = ask(t, &o, o.max, &as_manager, None, now()).unwrap();
    let join = ask(t, &o, o.eve, &Asked::Unit { unit: o.sales }, None, now()).unwrap();
    assert!(matches!(revoke(t, &o, o.owner, join, now()), Err(DbError::Request(Refusal::NotGranted))), "nothing granted yet");
    decide(t, &o, o.owner, id, true, now()).unwrap();
    assert!(can_view(now()));
    assert!(matches!(revoke(t, &o, o.max, id, now()), Err(DbError::Request(Refusal::OwnRequest))));
    assert!(matches!(revoke(t, &o, o.eve, id, now()), Err(DbError::Request(Refusal::NotApprover))));
    let later = now() + Duration::hours(2);
    revoke(t, &o, o.owner, id, later).unwrap();
    assert!(!can_view(later), "the role is gone at once");
    let row = status(id);
    assert_eq!((row.status, row.revoked_by.as_deref(), row.revoked_at, row.revoke_comment.as_deref()), (Status::Revoked, Some("Olga Owner"), Some(later), Some("Projekt beendet")));
    assert_eq!(row.decided_by.as_deref(), Some("Olga Owner"), "the decision stays in the history");
    assert_eq!(mails(t).last().unwrap(), &("max@acme.test".to_string(), "Ihr Zugriff in Acme wurde entzogen".to_string()));
    assert!(matches!(revoke(t, &o, o.owner, id, later), Err(DbError::Request(Refusal::AlreadyClosed(Status::Revoked)))), "once");
    assert!(matches!(decide(t, &o, o.owner, id, true, later), Err(DbError::Request(Refusal::AlreadyClosed(Status::Revoked)))));
    assert_eq!(t.count("audit_events WHERE action = 'access_request.revoked'"), 1);

    // A unit membership granted by a request goes the same way.
    decide(t, &o, o.owner, join, true, later).unwrap();
    assert!(t.db.with(|c| authz::member_units(c, o.id, o.eve)).unwrap().contains(&o.sales));
    revoke(t, &o, o.owner, join, later).unwrap();
    assert!(!t.db.with(|c| authz::member_units(c, o.id, o.eve)).unwrap().contains(&o.sales));

    // Removed elsewhere: the personal addition on the member page, the role on the roles page.
    let perm = ask(t, &o, o.max, &Asked::Permission { permission: "members.view".into(), unit: Some(o.sales) }, None, later).unwrap();
    decide(t, &o, o.owner, perm, true, later).unwrap();
    let adj = t.db.with(|c| authz::adjustments_of(c, o.id, o.max)).unwrap().remove(0).id;
    t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        authz::remove_adjustment(c, o.id, &p, o.owner, o.max, adj, Actor::System, later)
    })
    .unwrap();
    let row = status(perm);
    assert_eq!((row.status, row.revoked_by.as_deref(), row.revoke_comment), (Status::Revoked, Some("Olga Owner"), None));
    let again = ask(t, &o, o.max, &as_manager, None, later).unwrap();
    decide(t, &o, o.owner, again, true, later).unwrap();
    let assignment = t.db.with(|c| roles::assignments_of(c, o.id, o.max, later)).unwrap().into_iter().find(|a| a.role == manager).unwrap().id;
    t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        roles::unassign(c, o.id, &p, o.owner, o.max, assignment, Actor::System, later)
    })
    .unwrap();
    assert_eq!((status(again).status, status(again).revoked_from.as_deref()), (Status::Revoked, Some("member_page")));
    let first = status(id);
    assert_eq!((first.revoked_at, first.revoked_from.as_deref()), (Some(later), Some("request")), "the earlier revocation is untouched");

    // A grant that ended by its end date is not revoked.
    let short = ask(t, &o, o.max, &as_manager, Some(later + Duration::days(1)), later).unwrap();
    decide(t, &o, o.owner, short, true, later).unwrap();
    assert!(matches!(revoke(t, &o, o.owner, short, later + Duration::days(2)), Err(DbError::Request(Refusal::GrantEnded))));
    assert_eq!(status(short).status, Status::Approved);
});

both!(revoking_follows_the_rules_granting_did_and_ends_with_the_grant, |t: &TestDb| {
    use gatehouse_domain::authz::{RoleGrant, RoleScope, Visibility};
    let o = setup(t);
    let manager = role(t, o.id, "unit_manager");
    let member_role = role(t, o.id, "member");
    let may = |by, id, at| t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        let row = requests::get(c, o.id, id)?;
        requests::may_revoke(c, o.id, &p, by, &row, at)
    }).unwrap();
    let status = |id| t.db.with(|c| requests::get(c, o.id, id)).unwrap();
    // A request desk decides requests organization-wide and holds nothing else.
    let desk = t
        .db
        .with(|c| {
            let p = authz::load_policy(c, o.id)?;
            let grants = [RoleGrant { permission: "access_requests.decide".into(), scope: RoleScope::Organization, visibility: Visibility::Individual }];
            roles::create_checked(c, o.id, &p, o.owner, "desk", "Request desk", "Decides requests", &grants, None, Actor::System, now())
        })
        .unwrap();
    t.db.with(|c| roles::insert_assignment(c, o.id, o.eve, desk, None, None, Actor::System, now())).unwrap();
    let id = ask(t, &o, o.max, &Asked::Role { role: manager, unit: Some(o.sales) }, None, now()).unwrap();
    assert!(matches!(decide(t, &o, o.eve, id, true, now()), Err(DbError::Denied(_))), "the desk cannot grant more than it holds");
    decide(t, &o, o.owner, id, true, now()).unwrap();
    assert!(matches!(revoke(t, &o, o.eve, id, now()), Err(DbError::Denied(_))), "nor take it back");
    assert!(!may(o.eve, id, now()) && may(o.owner, id, now()) && !may(o.max, id, now()));
    assert_eq!(status(id).status, Status::Approved);

    // A grant that ended by its date was not revoked when its assignment is removed later.
    let day = Duration::days(1);
    let short = ask(t, &o, o.max, &Asked::Role { role: member_role, unit: None }, Some(now() + day), now()).unwrap();
    decide(t, &o, o.owner, short, true, now()).unwrap();
    assert!(!may(o.owner, short, now() + day * 2), "nothing left to revoke");
    let assignment = t.db.with(|c| roles::assignments_of(c, o.id, o.max, now())).unwrap().into_iter().find(|a| a.role == member_role).unwrap().id;
    t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        roles::unassign(c, o.id, &p, o.owner, o.max, assignment, Actor::System, now() + day * 2)
    }).unwrap();
    assert_eq!(status(short).status, Status::Approved, "it ended; nobody took it back");

    // Retiring the role with its assignments: the request says so.
    let later = now() + day * 2;
    let again = ask(t, &o, o.max, &Asked::Role { role: member_role, unit: None }, None, later).unwrap();
    decide(t, &o, o.owner, again, true, later).unwrap();
    t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        roles::retire(c, o.id, &p, o.owner, member_role, true, Actor::System, later)
    }).unwrap();
    let row = status(again);
    assert_eq!((row.status, row.revoked_by.as_deref(), row.revoked_from.as_deref()), (Status::Revoked, Some("Olga Owner"), Some("role_retired")));

    // The membership ends: what is left ends with it, and nothing is left to revoke.
    t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        gatehouse_db::compliance::end_membership(c, o.id, Some((&p, o.owner)), o.max, URL, Actor::System, later)
    }).unwrap();
    let row = status(id);
    assert_eq!((row.status, row.revoked_from.as_deref()), (Status::Revoked, Some("membership_ended")));
    assert!(matches!(revoke(t, &o, o.owner, id, later), Err(DbError::Request(Refusal::AlreadyClosed(Status::Revoked)))));
});
