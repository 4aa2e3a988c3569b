//! Leaving and anonymization on SQLite and PostgreSQL: ending a membership (by a person, by its
//! end date), the compliance managers' mail, what is linked to the person, reminders, the
//! anonymization itself (the person's values nowhere afterwards — every text column of the
//! database searched — while every row that referenced them still does) and the automatic one.
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use diesel::prelude::*;
use gatehouse_db::testing::TestDb;
use gatehouse_db::{authz, both, compliance, members, requests, seed, units, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::compliance::Refusal;
use gatehouse_domain::ids::{MembershipId, OrgId, UnitId, UserId};
use gatehouse_domain::member::MemberKind;
use gatehouse_domain::org_role::OrgRole;
use gatehouse_domain::requests::Asked;

const URL: &str = "https://gh.example";
const NAME: &str = "Max O'Mitglied";
const EMAIL: &str = "max.mitglied@acme.test";
const PHONE: &str = "+4915112345678";

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap()
}

struct Org {
    id: OrgId,
    owner: MembershipId,
    clara: MembershipId,
    eve: MembershipId,
    max: MembershipId,
    max_user: UserId,
}

fn person(t: &TestDb, org: OrgId, user: Option<UserId>, email: &str, name: &str, unit: Option<UnitId>, phone: Option<&str>) -> (MembershipId, UserId) {
    t.db.tx(|c| {
        let user = match user {
            Some(u) => u,
            None => gatehouse_db::users::create(
                c,
                &gatehouse_db::users::NewUser { email, display_name: name, locale: gatehouse_domain::locale::Locale::De, password_hash: Some("x"), is_system: false },
                Actor::System,
                now(),
            )?,
        };
        let units: Vec<UnitId> = unit.into_iter().collect();
        let m = members::add(
            c,
            &members::NewMember { mobile_phone: phone, job_title: phone.map(|_| "Disponent"), ..members::NewMember::active(org, user, MemberKind::Employee, &units) },
            Actor::System,
            now(),
        )?;
        Ok((m, user))
    })
    .unwrap()
}

fn setup(t: &TestDb) -> Org {
    let (org, owner) = t.db.with(|c| seed::create_org_with_owner(c, "acme", "Acme", "Europe/Berlin", "olga@acme.test", "Olga Owner", None, "default", now())).unwrap();
    let sales = t.db.with(|c| units::create(c, org.id, None, "Sales", "team", Actor::System, now())).unwrap();
    let (clara, _) = person(t, org.id, None, "clara@acme.test", "Clara Compliance", None, None);
    t.db.with(|c| members::grant_org_role(c, org.id, clara, OrgRole::ComplianceManager, Actor::System, now())).unwrap();
    let (eve, _) = person(t, org.id, None, "eve@acme.test", "Eve Else", None, None);
    let (max, max_user) = person(t, org.id, None, EMAIL, NAME, Some(sales), Some(PHONE));
    // A tag, an item he created and owns, one he is assigned, an access request (mails to the
    // approvers name him), an audit event and a mail outside any organization.
    t.db.tx(|c| {
        use gatehouse_db::schema::{item_assignees as ia, items as it, membership_tags as mt, tags as tg};
        let tag = gatehouse_db::tags::ensure(c, org.id, "Fahrer", Actor::System, now())?;
        gatehouse_db::on!(c, c => diesel::insert_into(mt::table).values((mt::membership_id.eq(max.0), mt::tag_id.eq(tag.0))).execute(c))?;
        let _ = tg::table;
        for (title, creator, owner) in [(format!("Tour plan by {NAME}"), Some(max.0), Some(max.0)), ("Shared plan".to_string(), Some(eve.0), Some(eve.0))] {
            let id: i64 = gatehouse_db::on!(c, c => diesel::insert_into(it::table)
                .values((it::org_id.eq(org.id.0), it::module_key.eq("plans"), it::title.eq(title), it::creator_id.eq(creator), it::owner_id.eq(owner),
                    it::created_at.eq(now().naive_utc()), it::updated_at.eq(now().naive_utc()), it::updated_by_kind.eq("system")))
                .returning(it::id).get_result(c))?;
            gatehouse_db::on!(c, c => diesel::insert_into(ia::table).values((ia::item_id.eq(id), ia::membership_id.eq(max.0))).execute(c))?;
        }
        gatehouse_db::audit::record(c, now(), &gatehouse_db::audit::AuditEntry::new(None, Actor::User { user: max_user, membership: None }, "email.change_requested", "user", Some(max_user.0)).after(serde_json::json!({"new_email": EMAIL, "name": NAME})))?;
        gatehouse_db::outbox::enqueue(c, &gatehouse_db::outbox::NewMail { org: None, to: EMAIL, locale: "de", template: "password_reset", subject: "Passwort", text: &format!("Hallo {NAME}"), html: &format!("<p>Hallo Max O&#x27;Mitglied</p>") }, Actor::System, now())?;
        Ok(())
    })
    .unwrap();
    let o = Org { id: org.id, owner, clara, eve, max, max_user };
    let other = t.db.with(|c| units::create(c, org.id, None, "Depot", "team", Actor::System, now())).unwrap();
    t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        requests::create(c, o.id, &p, o.max, &Asked::Unit { unit: other }, &format!("{NAME} fährt jetzt auch für das Depot."), None, URL, Actor::System, now())
    })
    .unwrap();
    o
}

fn end(t: &TestDb, o: &Org, by: MembershipId, who: MembershipId) -> Result<i64, DbError> {
    t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        compliance::end_membership(c, o.id, Some((&p, by)), who, URL, Actor::System, now())
    })
}

fn anonymize(t: &TestDb, o: &Org, by: MembershipId, case: i64, confirm: &str) -> Result<compliance::Anonymized, DbError> {
    t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        compliance::anonymize(c, o.id, Some((&p, by)), case, confirm, Actor::User { user: UserId(0), membership: Some(by) }, now())
    })
}

fn subjects_to(t: &TestDb, to: &str) -> Vec<String> {
    t.db.with(|c| {
        use gatehouse_db::schema::email_outbox as eo;
        Ok(gatehouse_db::on!(c, c => eo::table.filter(eo::to_address.eq(to)).order(eo::id.asc()).select(eo::subject).load::<String>(c))?)
    })
    .unwrap()
}

fn personal_hits(t: &TestDb, org: Option<i64>) -> Vec<(String, String, String, i64)> {
    let mut all = Vec::new();
    for needle in [NAME, EMAIL, "4915112345678", "Disponent", "O&#x27;Mitglied"] {
        for (table, col, n) in t.grep(needle, org) {
            all.push((needle.to_string(), table, col, n));
        }
    }
    all
}

both!(a_former_member_is_anonymized_everywhere_and_every_reference_stays, |t: &TestDb| {
    let o = setup(t);
    assert!(!personal_hits(t, None).is_empty(), "the fixture does hold his values");
    // He changed his address shortly before leaving: the old one still holds a link that undoes it.
    const NEW_EMAIL: &str = "max.neu@acme.test";
    t.db.with(|c| gatehouse_db::users::set_password_hash(c, o.max_user, &gatehouse_db::password::hash("maxs-password-123"), now())).unwrap();
    t.db.with(|c| gatehouse_db::account::request_email_change(c, o.max_user, NEW_EMAIL, "maxs-password-123", URL, now())).unwrap().unwrap();
    let confirm: String = t.db.with(|c| {
        use gatehouse_db::schema::email_outbox as eo;
        Ok(gatehouse_db::on!(c, c => eo::table.filter(eo::to_address.eq(NEW_EMAIL)).select(eo::body_text.assume_not_null()).first::<String>(c))?)
    }).unwrap();
    let confirm = confirm.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    t.db.with(|c| gatehouse_db::account::confirm_email_change(c, &confirm, URL, now())).unwrap().unwrap();
    assert!(t.grep(EMAIL, None).iter().any(|(table, _, _)| table == "access_tokens"), "the undo link names the old address");

    // Who may end it: not oneself, not without members.terminate; an active member only.
    assert!(matches!(end(t, &o, o.owner, o.owner), Err(DbError::Compliance(Refusal::OwnMembership))));
    assert!(matches!(end(t, &o, o.eve, o.max), Err(DbError::Denied(_))));
    assert!(matches!(end(t, &o, o.clara, o.max), Err(DbError::Denied(_))), "compliance managers anonymize, they do not end memberships");
    assert_eq!(t.count("compliance_cases"), 0);

    let case = end(t, &o, o.owner, o.max).unwrap();
    assert!(matches!(end(t, &o, o.owner, o.max), Err(DbError::Compliance(Refusal::NotActive))));
    assert_eq!(subjects_to(t, "clara@acme.test"), vec![format!("{NAME} hat Acme verlassen – anonymisieren?")], "the compliance manager is mailed, in her language");
    let policy = t.db.with(|c| authz::load_policy(c, o.id)).unwrap();
    assert!(policy.subject(o.max).assignments.is_empty() && policy.subject(o.max).org_roles.is_empty(), "a former member holds nothing");
    let row = t.db.with(|c| compliance::case(c, o.id, case)).unwrap();
    assert_eq!((row.name.as_str(), row.anonymized, row.membership), (NAME, false, o.max));
    assert_eq!(t.db.with(|c| compliance::open_count(c, o.id)).unwrap(), 1);
    let req_status: String = t.db.with(|c| {
        use gatehouse_db::schema::access_requests as ar;
        Ok(gatehouse_db::on!(c, c => ar::table.filter(ar::requester_id.eq(o.max.0)).select(ar::status).first(c))?)
    }).unwrap();
    assert_eq!(req_status, "withdrawn", "his open request ends with him");

    // What is linked to him, counted per kind.
    let linked = t.db.with(|c| compliance::linked(c, o.id, o.max, 50)).unwrap();
    let count = |k: &str| linked.iter().find(|l| l.kind == k).unwrap().count;
    assert_eq!((count("items_created"), count("items_owned"), count("items_assigned"), count("requests_made")), (1, 1, 2, 1));
    assert!(count("audit_events") >= 2, "at least the request and the end");
    assert!(count("mails") == 0, "mail went to others about him, none to him in Acme");

    // A reminder: after today only, by whoever sees the links; sent once on its day.
    let tomorrow = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let remind = |by: MembershipId, on: NaiveDate| t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        compliance::set_reminder(c, o.id, &p, by, case, on, Actor::System, now())
    });
    assert!(matches!(remind(o.clara, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()), Err(DbError::Compliance(Refusal::ReminderNotInFuture))));
    assert!(matches!(remind(o.eve, tomorrow), Err(DbError::Denied(_))));
    remind(o.clara, tomorrow).unwrap();
    assert_eq!(t.db.with(|c| compliance::remind_due(c, URL, now() + Duration::hours(12))).unwrap(), 0, "not before its day (Berlin)");
    assert_eq!(t.db.with(|c| compliance::remind_due(c, URL, now() + Duration::hours(16))).unwrap(), 1, "00:00 in Berlin on the day");
    assert_eq!(t.db.with(|c| compliance::remind_due(c, URL, now() + Duration::hours(17))).unwrap(), 0, "once");
    assert_eq!(subjects_to(t, "clara@acme.test").last().unwrap(), &format!("Erinnerung: {NAME} hat Acme verlassen – anonymisieren?"));

    // Anonymizing: reserved to compliance managers (and owners), confirmed by the pseudonym.
    let pseudonym = t.db.with(|c| compliance::pseudonym_for(c, o.id, o.max)).unwrap();
    assert!(pseudonym.starts_with("Former member "));
    assert!(matches!(anonymize(t, &o, o.eve, case, &pseudonym), Err(DbError::Denied(_))));
    match anonymize(t, &o, o.clara, case, "Former member 0000") {
        Err(DbError::Compliance(Refusal::PseudonymMismatch(p))) => assert_eq!(p, pseudonym),
        other => panic!("{other:?}"),
    }
    assert!(!personal_hits(t, None).is_empty(), "a refusal changes nothing");
    let audit_before = t.count("audit_events");

    let done = anonymize(t, &o, o.clara, case, &format!("  {pseudonym} ")).unwrap();
    assert_eq!(done.pseudonym, pseudonym);
    assert!(done.identity_anonymized, "no other membership: the identity goes too");
    assert_eq!(personal_hits(t, None), vec![], "his name, address, phone and job title are nowhere in the database");
    assert_eq!(t.grep(NEW_EMAIL, None), vec![], "nor the address he changed to");
    assert!(t.grep(&pseudonym, Some(o.id.0)).iter().any(|(table, _, _)| table == "audit_events"), "the audit names the pseudonym");
    assert_eq!(t.count("audit_events"), audit_before + 1, "redacted in place, not deleted; the anonymization itself is audited");
    assert!(matches!(anonymize(t, &o, o.clara, case, &pseudonym), Err(DbError::Compliance(Refusal::AlreadyAnonymized))));

    // Every row that referenced him still does.
    t.db.with(|c| {
        use gatehouse_db::schema::{access_requests as ar, audit_events as ae, item_assignees as ia, items as it, memberships as m, users as u, sessions as s, membership_tags as mt};
        gatehouse_db::on!(c, c => {
            let (status, user, pseudo): (String, Option<i64>, Option<String>) = m::table.find(o.max.0).select((m::status, m::user_id, m::pseudonym)).first(c)?;
            assert_eq!((status.as_str(), user, pseudo.as_deref()), ("anonymized", None, Some(pseudonym.as_str())));
            assert_eq!(it::table.filter(it::creator_id.eq(o.max.0)).count().get_result::<i64>(c)?, 1);
            assert_eq!(ia::table.filter(ia::membership_id.eq(o.max.0)).count().get_result::<i64>(c)?, 2);
            assert_eq!(ar::table.filter(ar::requester_id.eq(o.max.0)).count().get_result::<i64>(c)?, 1);
            assert!(ae::table.filter(ae::target_id.eq(o.max.0)).filter(ae::target_kind.eq("membership")).count().get_result::<i64>(c)? >= 2);
            assert_eq!(mt::table.filter(mt::membership_id.eq(o.max.0)).count().get_result::<i64>(c)?, 0, "tags removed");
            let (email, name, hash): (String, String, Option<String>) = u::table.find(o.max_user.0).select((u::email, u::display_name, u::password_hash)).first(c)?;
            assert_eq!((name.as_str(), hash), (pseudonym.as_str(), None));
            assert!(email.ends_with("@anonymized.invalid"));
            assert_eq!(s::table.filter(s::user_id.eq(o.max_user.0)).count().get_result::<i64>(c)?, 0);
            Ok::<_, diesel::result::Error>(())
        })?;
        Ok(())
    })
    .unwrap();
    let row = t.db.with(|c| compliance::case(c, o.id, case)).unwrap();
    assert_eq!((row.name.as_str(), row.anonymized, row.anonymized_by.as_deref()), (pseudonym.as_str(), true, Some("Clara Compliance")), "who and when are recorded");
    let linked = t.db.with(|c| compliance::linked(c, o.id, o.max, 50)).unwrap();
    assert_eq!(linked.iter().find(|l| l.kind == "items_created").unwrap().count, 1, "the links remain, now under the pseudonym");
    assert_eq!(t.db.with(|c| compliance::open_count(c, o.id)).unwrap(), 0);

    // The audit log is still append-only outside an anonymization.
    let tampered = t.db.with(|c| {
        gatehouse_db::on!(c, c => diesel::sql_query("UPDATE audit_events SET after_data = 'x'").execute(c))?;
        Ok(())
    });
    assert!(tampered.is_err(), "no permit, no update");
});

both!(a_person_with_another_membership_keeps_their_identity, |t: &TestDb| {
    let o = setup(t);
    let (b, _) = t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "bob@beta.test", "Bob Beta", None, "default", now())).unwrap();
    let (max_b, _) = person(t, b.id, Some(o.max_user), EMAIL, NAME, None, Some(PHONE));
    let case = end(t, &o, o.owner, o.max).unwrap();
    let p = t.db.with(|c| compliance::pseudonym_for(c, o.id, o.max)).unwrap();
    let done = anonymize(t, &o, o.owner, case, &p).unwrap();
    assert!(!done.identity_anonymized);
    assert_eq!(personal_hits(t, Some(o.id.0)), vec![], "nothing of him left in Acme's rows");
    let user = t.db.with(|c| gatehouse_db::users::get(c, o.max_user)).unwrap();
    assert_eq!((user.email.as_str(), user.display_name.as_str()), (EMAIL, NAME), "his identity and his Beta membership stay");
    let in_beta = t.db.with(|c| members::active_membership(c, o.max_user, b.id)).unwrap();
    assert_eq!(in_beta.map(|m| m.id), Some(max_b));
    assert!(!t.grep(EMAIL, None).is_empty());
});

both!(end_dates_and_automatic_anonymization_are_the_background_users_work, |t: &TestDb| {
    let o = setup(t);
    let set = |by: MembershipId, on: Option<NaiveDate>| t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        compliance::set_end_date(c, o.id, &p, by, o.max, on, Actor::System, now())
    });
    assert!(matches!(set(o.eve, Some(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())), Err(DbError::Denied(_))));
    assert!(matches!(set(o.owner, Some(NaiveDate::from_ymd_opt(2026, 11, 29).unwrap())), Err(DbError::Compliance(Refusal::EndInPast))));
    set(o.owner, Some(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())).unwrap();
    assert_eq!(t.db.with(|c| compliance::end_due(c, URL, now() + Duration::days(1))).unwrap(), 0, "still his last day");
    // 2 December 00:30 in Berlin.
    let later = Utc.with_ymd_and_hms(2026, 12, 1, 23, 30, 0).unwrap();
    assert_eq!(t.db.with(|c| compliance::end_due(c, URL, later)).unwrap(), 1);
    assert_eq!(t.db.with(|c| compliance::end_due(c, URL, later)).unwrap(), 0, "once");
    let case = t.db.with(|c| compliance::case_of(c, o.id, o.max)).unwrap().expect("a case");
    assert_eq!(subjects_to(t, "clara@acme.test").len(), 1);

    let auto = |by: MembershipId, days: Option<i32>| t.db.with(|c| {
        let p = authz::load_policy(c, o.id)?;
        compliance::set_auto_days(c, o.id, &p, by, days, Actor::System, now())
    });
    assert!(matches!(auto(o.eve, Some(30)), Err(DbError::Denied(_))));
    assert!(matches!(auto(o.clara, Some(0)), Err(DbError::Compliance(Refusal::BadAutoDays))));
    assert_eq!(t.db.with(|c| compliance::auto_anonymize_due(c, later + Duration::days(400))).unwrap(), 0, "off by default");
    auto(o.clara, Some(30)).unwrap();
    assert_eq!(t.db.with(|c| compliance::auto_anonymize_due(c, later + Duration::days(29))).unwrap(), 0);
    assert_eq!(t.db.with(|c| compliance::auto_anonymize_due(c, later + Duration::days(31))).unwrap(), 1);
    let row = t.db.with(|c| compliance::case(c, o.id, case)).unwrap();
    assert!(row.anonymized);
    assert_eq!((row.anonymized_by.as_deref(), row.anonymized_by_kind.as_deref()), (None, Some("background")));
    assert_eq!(personal_hits(t, None), vec![]);
});

both!(a_withdrawn_invitation_elsewhere_does_not_keep_the_identity, |t: &TestDb| {
    let o = setup(t);
    let (b, owner_b) = t.db.with(|c| seed::create_org_with_owner(c, "beta", "Beta", "UTC", "bob@beta.test", "Bob Beta", None, "default", now())).unwrap();
    // Beta invited Max and withdrew it before he accepted.
    t.db.with(|c| {
        let p = authz::load_policy(c, b.id)?;
        let who = gatehouse_domain::people::Invitee {
            email: EMAIL.into(),
            name: NAME.into(),
            mobile_phone: None,
            locale: gatehouse_domain::locale::Locale::De,
            kind: MemberKind::Employee,
            tags: vec![],
            units: vec![],
            roles: vec![],
            existing_identity: true,
        };
        gatehouse_db::invitations::invite_checked(c, b.id, &p, owner_b, &who, URL, Actor::System, now())?;
        let id = gatehouse_db::invitations::list(c, b.id, false, now(), 5)?[0].id;
        gatehouse_db::invitations::revoke(c, b.id, &p, owner_b, id, Actor::System, now())
    })
    .unwrap();
    assert!(t.grep(EMAIL, Some(b.id.0)).iter().any(|(table, _, _)| table == "invitations"));
    let case = end(t, &o, o.owner, o.max).unwrap();
    let p = t.db.with(|c| compliance::pseudonym_for(c, o.id, o.max)).unwrap();
    let done = anonymize(t, &o, o.clara, case, &p).unwrap();
    assert!(done.identity_anonymized, "a withdrawn invitation keeps nothing");
    assert_eq!(personal_hits(t, None), vec![], "nowhere, Beta's withdrawn invitation included");
    // Anonymizing the same case again (another manager, a second instance) is refused.
    assert!(matches!(anonymize(t, &o, o.owner, case, &p), Err(DbError::Compliance(Refusal::AlreadyAnonymized))));
});
