//! Leaving and anonymization (SPEC workflow 3, DECISIONS.md "Identity, membership and personal
//! data"). Ending a membership — by someone holding members.terminate, or by its end date —
//! opens a compliance case and mails the compliance managers three links (anonymize now, what
//! is linked to the person, remind me on a date). Anonymizing runs in one transaction: the
//! membership's personal fields become a stable pseudonym, it is severed from the identity, its
//! tags go, personal values inside the organization's audit before/after data, mail and free
//! texts are redacted (the audit redaction under a permit only that transaction sees, itself
//! audited), sessions in the organization end, and the identity itself is anonymized when no
//! other membership remains. Every row that referenced the membership still does.
use crate::audit::{self, AuditEntry};
use crate::outbox::{self, NewMail};
use crate::schema::{
    access_requests as ar, access_tokens as at, audit_events as ae, audit_redaction_permits as arp, compliance_cases as cc, email_outbox as eo,
    invitations as inv, item_assignees as ia, items as it, member_adjustments as ma, membership_tags as mt, memberships as m, org_role_holders as orh,
    organizations as o, platform_staff as ps, role_assignments as ra, roles as r, sessions as s, sign_in_throttle as st, users as u,
};
use crate::{from_db, on, to_db, Backend, Conn, DbError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::Target;
use gatehouse_domain::compliance::{self as dc, Refusal};
use gatehouse_domain::ids::{MembershipId, OrgId, UserId};
use gatehouse_domain::member::MemberStatus;
use gatehouse_domain::org_role::OrgRole;
use serde::{Deserialize, Serialize};
use serde_json::json;

fn refused(r: Refusal) -> DbError {
    DbError::Compliance(r)
}


/// The calendar day `now` falls on in the organization's time zone.
pub fn today(time_zone: &str, now: DateTime<Utc>) -> NaiveDate {
    match gatehouse_domain::validate::time_zone(time_zone) {
        Ok(tz) => now.with_timezone(&tz).date_naive(),
        Err(_) => now.date_naive(),
    }
}

/// One compliance case as its pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRow {
    pub id: i64,
    pub membership: MembershipId,
    /// The person's name while there is one, the pseudonym afterwards.
    pub name: String,
    pub anonymized: bool,
    pub ended_at: DateTime<Utc>,
    pub remind_on: Option<NaiveDate>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub pseudonym: Option<String>,
    pub anonymized_at: Option<DateTime<Utc>>,
    /// The person who anonymized (None for the background user or the operator: see the kind).
    pub anonymized_by: Option<String>,
    /// user, staff_as_user, background (the automatic setting), system (the operator's CLI).
    pub anonymized_by_kind: Option<String>,
    /// When the organization's automatic anonymization will do it (open cases, setting on).
    pub auto_at: Option<DateTime<Utc>>,
}

type CaseTuple = (i64, i64, String, NaiveDateTime, Option<NaiveDate>, Option<NaiveDateTime>, Option<String>, Option<NaiveDateTime>, Option<String>, Option<i64>);

fn load_cases(conn: &mut Conn<'_>, org: OrgId, id: Option<i64>, open: Option<bool>, limit: i64) -> Result<Vec<CaseRow>, DbError> {
    let rows: Vec<CaseTuple> = on!(conn, c => {
        let mut q = cc::table
            .filter(cc::org_id.eq(org.0))
            .select((cc::id, cc::membership_id, cc::status, cc::ended_at, cc::remind_on, cc::reminded_at, cc::pseudonym, cc::anonymized_at, cc::anonymized_by_kind, cc::anonymized_by_id))
            .order(cc::ended_at.desc())
            .limit(limit)
            .into_boxed();
        if let Some(id) = id {
            q = q.filter(cc::id.eq(id));
        }
        match open {
            Some(true) => q = q.filter(cc::status.eq("open")),
            Some(false) => q = q.filter(cc::status.eq("anonymized")),
            None => {}
        }
        q.load(c)
    })?;
    let mut ids: Vec<i64> = rows.iter().map(|r| r.1).collect();
    ids.extend(rows.iter().filter(|r| matches!(r.8.as_deref(), Some("user" | "staff_as_user"))).filter_map(|r| r.9));
    let names = names(conn, org, &ids)?;
    let auto_days: Option<i32> = on!(conn, c => o::table.find(org.0).select(o::auto_anonymize_days).first(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, member, status, ended, remind_on, reminded, pseudonym, anon_at, by_kind, by_id)| {
            let anonymized = status == "anonymized";
            let by = match by_kind.as_deref() {
                Some("user" | "staff_as_user") => by_id.and_then(|b| names.get(&b).cloned()),
                _ => None,
            };
            CaseRow {
                id,
                membership: MembershipId(member),
                name: names.get(&member).cloned().or_else(|| pseudonym.clone()).unwrap_or_default(),
                anonymized,
                ended_at: from_db(ended),
                remind_on,
                reminded_at: reminded.map(from_db),
                pseudonym,
                anonymized_at: anon_at.map(from_db),
                anonymized_by: by,
                anonymized_by_kind: by_kind,
                auto_at: if anonymized { None } else { dc::auto_anonymize_at(from_db(ended), auto_days) },
            }
        })
        .collect())
}

/// Display names of memberships by id ([`crate::items::names`]: the pseudonym once anonymized).
pub(crate) fn names(conn: &mut Conn<'_>, org: OrgId, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>, DbError> {
    let ids: Vec<MembershipId> = ids.iter().copied().map(MembershipId).collect();
    Ok(crate::items::names(conn, org, &ids)?.into_iter().map(|(m, n)| (m.0, n)).collect())
}

pub fn case(conn: &mut Conn<'_>, org: OrgId, id: i64) -> Result<CaseRow, DbError> {
    load_cases(conn, org, Some(id), None, 1)?.pop().ok_or(DbError::NotFound)
}

/// The organization's cases: open ones (`true`), anonymized ones (`false`), newest first.
pub fn cases(conn: &mut Conn<'_>, org: OrgId, open: bool, limit: i64) -> Result<Vec<CaseRow>, DbError> {
    load_cases(conn, org, None, Some(open), limit)
}

pub fn open_count(conn: &mut Conn<'_>, org: OrgId) -> Result<i64, DbError> {
    Ok(on!(conn, c => cc::table.filter(cc::org_id.eq(org.0)).filter(cc::status.eq("open")).count().get_result(c))?)
}

/// A membership's status and end date, if it belongs to the organization.
pub fn membership_state(conn: &mut Conn<'_>, org: OrgId, member: MembershipId) -> Result<Option<(String, Option<NaiveDate>)>, DbError> {
    Ok(on!(conn, c => m::table.filter(m::id.eq(member.0)).filter(m::org_id.eq(org.0)).select((m::status, m::end_date)).first(c).optional())?)
}

/// The case of a membership, if it has one.
pub fn case_of(conn: &mut Conn<'_>, org: OrgId, member: MembershipId) -> Result<Option<i64>, DbError> {
    Ok(on!(conn, c => cc::table.filter(cc::org_id.eq(org.0)).filter(cc::membership_id.eq(member.0)).select(cc::id).first(c).optional())?)
}

/// The case's three pages (anonymize, everything linked, remind), each with a signed token
/// naming the case (DECISIONS.md "Email links").
fn links(conn: &mut Conn<'_>, public_url: &str, slug: &str, case: i64, now: DateTime<Utc>) -> Result<(String, String, String), DbError> {
    let base = format!("{}/o/{slug}/compliance/{case}", public_url.trim_end_matches('/'));
    let token = crate::links::token(conn, gatehouse_domain::links::Subject::ComplianceCase(case), now)?;
    Ok((format!("{base}/anonymize?link={token}"), format!("{base}?link={token}"), format!("{base}/remind?link={token}")))
}

/// Mails every compliance manager of the organization about a case (role-addressed); without
/// one, the owners' side, who hold every permission.
fn mail_managers(conn: &mut Conn<'_>, org: OrgId, case: i64, reminder: bool, public_url: &str, actor: Actor, now: DateTime<Utc>) -> Result<usize, DbError> {
    use gatehouse_domain::org_role::Audience;
    let row = self::case(conn, org, case)?;
    let settings = crate::orgs::settings(conn, org)?;
    let mut to = crate::members::mail_recipients(conn, org, Audience::Role(OrgRole::ComplianceManager))?;
    if to.is_empty() {
        to = crate::members::mail_recipients(conn, org, Audience::Owners)?;
    }
    let (anonymize_link, linked_link, remind_link) = links(conn, public_url, &settings.slug, case, now)?;
    for p in &to {
        let mail = gatehouse_mail::Mail::MembershipEnded {
            manager: p.name.clone(),
            member: row.name.clone(),
            org: settings.name.clone(),
            ended: crate::orgs::local_time(&settings.time_zone, row.ended_at),
            reminder,
            anonymize_link: anonymize_link.clone(),
            linked_link: linked_link.clone(),
            remind_link: remind_link.clone(),
        };
        let r = gatehouse_mail::render(&mail, p.locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
        outbox::enqueue(conn, &NewMail { org: Some(org), to: &p.email, locale: p.locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html }, actor, now)?;
    }
    Ok(to.len())
}

fn member_target(conn: &mut Conn<'_>, org: OrgId, member: MembershipId) -> Result<Target, DbError> {
    Ok(Target::Member { id: member, units: crate::authz::member_units(conn, org, member)? })
}

/// Ends a membership now: by `by` (members.terminate for that member, never oneself), or by the
/// background user when its end date has passed (`by` None). Role assignments end, organization
/// roles go (the only owner cannot leave), pending requests are withdrawn, a compliance case is
/// opened and its managers are mailed — all in one transaction. Returns the case.
#[allow(clippy::too_many_arguments)]
pub fn end_membership(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: Option<(&Policy, MembershipId)>,
    member: MembershipId,
    public_url: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    conn.transaction(|conn| {
        if let Some((policy, by)) = policy {
            if by == member {
                return Err(refused(Refusal::OwnMembership));
            }
            let target = member_target(conn, org, member)?;
            policy.require(by, "members.terminate", &target, now)?;
        }
        let (status, role_holder_only): (String, bool) =
            on!(conn, c => m::table.filter(m::id.eq(member.0)).filter(m::org_id.eq(org.0)).select((m::status, m::role_holder_only)).first(c))?;
        if MemberStatus::parse(&status)? != MemberStatus::Active {
            return Err(refused(Refusal::NotActive));
        }
        if role_holder_only {
            use crate::schema::technical_users as tu;
            let technical: i64 = on!(conn, c => tu::table.filter(tu::membership_id.eq(member.0)).count().get_result(c))?;
            if technical > 0 {
                return Err(refused(Refusal::TechnicalUser));
            }
        }
        let roles = crate::members::org_roles(conn, org, member)?;
        if roles.contains(&OrgRole::Owner) {
            return Err(refused(Refusal::LastOwner));
        }
        on!(conn, c => diesel::update(m::table.find(member.0))
            .set((
                m::status.eq(MemberStatus::Terminated.as_str()),
                m::ended_at.eq(Some(to_db(now))),
                m::updated_at.eq(to_db(now)),
                m::version.eq(m::version + 1),
                m::updated_by_kind.eq(actor.kind()),
                m::updated_by_id.eq(actor.id()),
            ))
            .execute(c))?;
        // What approved requests granted ends with the membership: their history says so.
        crate::requests::grant_removed(conn, org, None, Some(member), policy.map(|(_, by)| by), crate::requests::RevokedFrom::MembershipEnded, actor, now)?;
        let ended_assignments = on!(conn, c => diesel::update(
                ra::table.filter(ra::membership_id.eq(member.0)).filter(ra::ends_at.is_null().or(ra::ends_at.gt(to_db(now)))),
            )
            .set((ra::ends_at.eq(Some(to_db(now))), ra::updated_at.eq(to_db(now)), ra::version.eq(ra::version + 1), ra::updated_by_kind.eq(actor.kind()), ra::updated_by_id.eq(actor.id())))
            .execute(c))?;
        on!(conn, c => diesel::delete(orh::table.filter(orh::org_id.eq(org.0)).filter(orh::membership_id.eq(member.0))).execute(c))?;
        let withdrawn = on!(conn, c => diesel::update(ar::table.filter(ar::org_id.eq(org.0)).filter(ar::requester_id.eq(member.0)).filter(ar::status.eq("pending")))
            .set((ar::status.eq("withdrawn"), ar::closed_at.eq(Some(to_db(now))), ar::updated_at.eq(to_db(now)), ar::version.eq(ar::version + 1), ar::updated_by_kind.eq(actor.kind()), ar::updated_by_id.eq(actor.id())))
            .execute(c))?;
        let case: i64 = on!(conn, c => diesel::insert_into(cc::table)
            .values((
                cc::org_id.eq(org.0),
                cc::membership_id.eq(member.0),
                cc::status.eq("open"),
                cc::ended_at.eq(to_db(now)),
                cc::created_at.eq(to_db(now)),
                cc::updated_at.eq(to_db(now)),
                cc::updated_by_kind.eq(actor.kind()),
                cc::updated_by_id.eq(actor.id()),
            ))
            .returning(cc::id)
            .get_result(c))?;
        crate::authz::bump(conn, org, None)?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "membership.ended", "membership", Some(member.0)).before(json!({"status": status})).after(json!({
                "status": "terminated",
                "org_roles": roles.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                "assignments_ended": ended_assignments,
                "requests_withdrawn": withdrawn,
                "role_holder_only": role_holder_only,
                "case": case,
            })),
        )?;
        mail_managers(conn, org, case, false, public_url, actor, now)?;
        Ok(case)
    })
}

/// Sets or clears a membership's end date (members.terminate); the background user ends the
/// membership once the day has passed in the organization's calendar.
#[allow(clippy::too_many_arguments)]
pub fn set_end_date(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, member: MembershipId, on_date: Option<NaiveDate>, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    if by == member {
        return Err(refused(Refusal::OwnMembership));
    }
    conn.transaction(|conn| {
        let target = member_target(conn, org, member)?;
        policy.require(by, "members.terminate", &target, now)?;
        let (status, before): (String, Option<NaiveDate>) =
            on!(conn, c => m::table.filter(m::id.eq(member.0)).filter(m::org_id.eq(org.0)).select((m::status, m::end_date)).first(c))?;
        if MemberStatus::parse(&status)? != MemberStatus::Active {
            return Err(refused(Refusal::NotActive));
        }
        let tz = crate::orgs::settings(conn, org)?.time_zone;
        if on_date.is_some_and(|d| d < today(&tz, now)) {
            return Err(refused(Refusal::EndInPast));
        }
        on!(conn, c => diesel::update(m::table.find(member.0))
            .set((m::end_date.eq(on_date), m::updated_at.eq(to_db(now)), m::version.eq(m::version + 1), m::updated_by_kind.eq(actor.kind()), m::updated_by_id.eq(actor.id())))
            .execute(c))?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "membership.end_date", "membership", Some(member.0)).before(json!({"end_date": before})).after(json!({"end_date": on_date})))?;
        Ok(())
    })
}

/// The background users end the memberships whose end date has passed (the day is over in the
/// organization's calendar). Each in its own transaction; one failure does not stop the rest.
pub fn end_due(conn: &mut Conn<'_>, public_url: &str, now: DateTime<Utc>) -> Result<usize, DbError> {
    let candidates: Vec<(i64, i64, NaiveDate, String, i64)> = on!(conn, c => m::table
        .inner_join(o::table)
        .filter(m::status.eq("active"))
        .filter(m::end_date.le(now.date_naive() + chrono::Duration::days(1)))
        .select((m::id, m::org_id, m::end_date.assume_not_null(), o::time_zone, o::background_user_id))
        .load(c))?;
    let mut n = 0;
    for (member, org, end_date, tz, background) in candidates {
        if end_date >= today(&tz, now) {
            continue;
        }
        match end_membership(conn, OrgId(org), None, MembershipId(member), public_url, Actor::Background { user: UserId(background) }, now) {
            Ok(_) => n += 1,
            Err(DbError::Compliance(_)) => {}
            Err(e) => tracing::error!(membership = member, error = %e, "ending a membership on its end date failed"),
        }
    }
    Ok(n)
}

/// Everything linked to a person in one organization, per kind: a count and the newest lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedKind {
    /// items_created, items_owned, items_assigned, role_assignments, adjustments,
    /// requests_made, requests_decided, invitations_sent, mails, audit_events
    pub kind: String,
    pub count: i64,
    pub lines: Vec<LinkedLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedLine {
    pub id: i64,
    pub text: String,
    /// What the reader's words are made from, where `text` alone is not for people: an item's
    /// content module, an adjustment's kind (add, withdraw), a request's "kind|status", an audit
    /// action.
    pub code: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

fn line(id: i64, text: String, at: Option<NaiveDateTime>) -> LinkedLine {
    LinkedLine { id, text, code: None, at: at.map(from_db) }
}

fn coded(id: i64, text: String, code: String, at: NaiveDateTime) -> LinkedLine {
    LinkedLine { id, text, code: Some(code), at: Some(from_db(at)) }
}

/// What references the membership (compliance.view_links is checked by the caller's page).
pub fn linked(conn: &mut Conn<'_>, org: OrgId, member: MembershipId, per_kind: i64) -> Result<Vec<LinkedKind>, DbError> {
    let mid = member.0;
    let mut out = Vec::new();
    let mut push = |kind: &str, count: i64, lines: Vec<LinkedLine>| out.push(LinkedKind { kind: kind.into(), count, lines });

    let items = |conn: &mut Conn<'_>, by_owner: bool| -> Result<(i64, Vec<LinkedLine>), DbError> {
        let (count, rows): (i64, Vec<(i64, String, String, NaiveDateTime)>) = on!(conn, c => {
            let base = || {
                let q = it::table.filter(it::org_id.eq(org.0)).into_boxed();
                if by_owner { q.filter(it::owner_id.eq(mid)) } else { q.filter(it::creator_id.eq(mid)) }
            };
            let count = base().count().get_result(c)?;
            let rows = base().select((it::id, it::module_key, it::title, it::created_at)).order(it::id.desc()).limit(per_kind).load(c)?;
            Ok::<_, diesel::result::Error>((count, rows))
        })?;
        Ok((count, rows.into_iter().map(|(id, module, title, at)| coded(id, title, module, at)).collect()))
    };
    let (n, l) = items(conn, false)?;
    push("items_created", n, l);
    let (n, l) = items(conn, true)?;
    push("items_owned", n, l);

    let (n, rows): (i64, Vec<(i64, String, String, NaiveDateTime)>) = on!(conn, c => {
        let count = ia::table.inner_join(it::table).filter(ia::membership_id.eq(mid)).filter(it::org_id.eq(org.0)).count().get_result(c)?;
        let rows = ia::table.inner_join(it::table).filter(ia::membership_id.eq(mid)).filter(it::org_id.eq(org.0))
            .select((it::id, it::module_key, it::title, it::created_at)).order(it::id.desc()).limit(per_kind).load(c)?;
        Ok::<_, diesel::result::Error>((count, rows))
    })?;
    push("items_assigned", n, rows.into_iter().map(|(id, module, title, at)| coded(id, title, module, at)).collect());

    let (n, rows): (i64, Vec<(i64, String, Option<NaiveDateTime>, NaiveDateTime)>) = on!(conn, c => {
        let count = ra::table.filter(ra::org_id.eq(org.0)).filter(ra::membership_id.eq(mid)).count().get_result(c)?;
        let rows = ra::table.inner_join(r::table).filter(ra::org_id.eq(org.0)).filter(ra::membership_id.eq(mid))
            .select((ra::id, r::name, ra::ends_at, ra::created_at)).order(ra::id.desc()).limit(per_kind).load(c)?;
        Ok::<_, diesel::result::Error>((count, rows))
    })?;
    push(
        "role_assignments",
        n,
        rows.into_iter().map(|(id, name, ends, at)| line(id, match ends { Some(e) => format!("{name} (→ {})", e.format("%Y-%m-%d")), None => name }, Some(at))).collect(),
    );

    let (n, rows): (i64, Vec<(i64, String, String, NaiveDateTime)>) = on!(conn, c => {
        let count = ma::table.filter(ma::org_id.eq(org.0)).filter(ma::membership_id.eq(mid)).count().get_result(c)?;
        let rows = ma::table.filter(ma::org_id.eq(org.0)).filter(ma::membership_id.eq(mid))
            .select((ma::id, ma::kind, ma::permission, ma::created_at)).order(ma::id.desc()).limit(per_kind).load(c)?;
        Ok::<_, diesel::result::Error>((count, rows))
    })?;
    push("adjustments", n, rows.into_iter().map(|(id, kind, p, at)| coded(id, p, kind, at)).collect());

    for (kind, by_decider) in [("requests_made", false), ("requests_decided", true)] {
        let (n, rows): (i64, Vec<(i64, String, String, NaiveDateTime)>) = on!(conn, c => {
            let base = || {
                let q = ar::table.filter(ar::org_id.eq(org.0)).into_boxed();
                if by_decider { q.filter(ar::decided_by.eq(mid).or(ar::revoked_by.eq(mid))) } else { q.filter(ar::requester_id.eq(mid)) }
            };
            let count = base().count().get_result(c)?;
            let rows = base().select((ar::id, ar::kind, ar::status, ar::created_at)).order(ar::id.desc()).limit(per_kind).load(c)?;
            Ok::<_, diesel::result::Error>((count, rows))
        })?;
        push(kind, n, rows.into_iter().map(|(id, k, st, at)| coded(id, format!("#{id}"), format!("{k}|{st}"), at)).collect());
    }

    let (n, rows): (i64, Vec<(i64, NaiveDateTime)>) = on!(conn, c => {
        let count = inv::table.filter(inv::org_id.eq(org.0)).filter(inv::invited_by.eq(mid)).count().get_result(c)?;
        let rows = inv::table.filter(inv::org_id.eq(org.0)).filter(inv::invited_by.eq(mid)).select((inv::id, inv::sent_at)).order(inv::id.desc()).limit(per_kind).load(c)?;
        Ok::<_, diesel::result::Error>((count, rows))
    })?;
    push("invitations_sent", n, rows.into_iter().map(|(id, at)| line(id, format!("#{id}"), Some(at))).collect());

    let email: Option<String> = on!(conn, c => m::table.inner_join(u::table).filter(m::id.eq(mid)).select(u::email).first(c).optional())?;
    let (n, rows): (i64, Vec<(i64, String, NaiveDateTime)>) = match &email {
        Some(e) => on!(conn, c => {
            let count = eo::table.filter(eo::org_id.eq(org.0)).filter(eo::to_address.eq(e)).count().get_result(c)?;
            let rows = eo::table.filter(eo::org_id.eq(org.0)).filter(eo::to_address.eq(e)).select((eo::id, eo::subject, eo::created_at)).order(eo::id.desc()).limit(per_kind).load(c)?;
            Ok::<_, diesel::result::Error>((count, rows))
        })?,
        None => (0, vec![]),
    };
    push("mails", n, rows.into_iter().map(|(id, t, at)| line(id, t, Some(at))).collect());

    let (n, rows): (i64, Vec<(i64, String, NaiveDateTime)>) = on!(conn, c => {
        let base = || {
            ae::table
                .filter(ae::org_id.eq(org.0))
                .filter(ae::target_kind.eq("membership").and(ae::target_id.eq(mid)).or(ae::actor_kind.eq_any(["user", "staff_as_user"]).and(ae::actor_id.eq(mid))))
        };
        let count = base().count().get_result(c)?;
        let rows = base().select((ae::id, ae::action, ae::occurred_at)).order(ae::id.desc()).limit(per_kind).load(c)?;
        Ok::<_, diesel::result::Error>((count, rows))
    })?;
    push("audit_events", n, rows.into_iter().map(|(id, action, at)| coded(id, action.clone(), action, at)).collect());
    Ok(out)
}

/// The pseudonym the membership gets (or has): stable, unique in the organization.
pub fn pseudonym_for(conn: &mut Conn<'_>, org: OrgId, member: MembershipId) -> Result<String, DbError> {
    let existing: Option<String> = on!(conn, c => m::table.find(member.0).select(m::pseudonym).first(c))?;
    if let Some(p) = existing {
        return Ok(p);
    }
    for attempt in 0.. {
        let p = dc::pseudonym(member.0, attempt);
        let taken: i64 = on!(conn, c => m::table.filter(m::org_id.eq(org.0)).filter(m::pseudonym.eq(&p)).filter(m::id.ne(member.0)).count().get_result(c))?;
        if taken == 0 || attempt >= 6 {
            return Ok(p);
        }
    }
    unreachable!()
}

/// What an anonymization did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anonymized {
    pub pseudonym: String,
    /// The identity had no other membership and was anonymized too.
    pub identity_anonymized: bool,
    /// Rows whose texts were redacted, per table.
    pub redacted: Vec<(String, usize)>,
}

/// Applies `replacements`, in one statement per table, inside `columns` of the rows in `scope`
/// (an organization, rows without one, or one membership's rows) that contain a needle.
fn redact_table(conn: &mut Conn<'_>, table: &str, columns: &[&str], scope: &str, replacements: &[dc::Replacement], needles: &[String]) -> Result<usize, DbError> {
    if replacements.is_empty() || needles.is_empty() {
        return Ok(0);
    }
    let pg = conn.backend() == Backend::Postgres;
    let mut n = 0;
    let mut ph = || {
        n += 1;
        if pg { format!("${n}") } else { format!("?{n}") }
    };
    let mut binds: Vec<String> = Vec::new();
    let mut sets = Vec::new();
    for col in columns {
        let mut expr = col.to_string();
        for r in replacements {
            let (a, b) = (ph(), ph());
            binds.push(r.from.clone());
            binds.push(r.to.clone());
            expr = format!("REPLACE({expr}, {a}, {b})");
        }
        sets.push(format!("{col} = {expr}"));
    }
    let mut likes = Vec::new();
    for col in columns {
        for needle in needles {
            likes.push(format!("{col} LIKE {}", ph()));
            binds.push(format!("%{needle}%"));
        }
    }
    let sql = format!("UPDATE {table} SET {} WHERE {scope} AND ({})", sets.join(", "), likes.join(" OR "));
    Ok(on!(conn, c => {
        let mut q = diesel::sql_query(sql.clone()).into_boxed();
        for b in &binds {
            q = q.bind::<diesel::sql_types::Text, _>(b.clone());
        }
        q.execute(c)
    })?)
}

/// Addresses a person had earlier or asked for (email changes), from the audit of their
/// identity: they are redacted with the current one.
fn earlier_addresses(conn: &mut Conn<'_>, user: i64) -> Result<Vec<String>, DbError> {
    let rows: Vec<(Option<String>, Option<String>)> = on!(conn, c => ae::table
        .filter(ae::target_kind.eq("user"))
        .filter(ae::target_id.eq(user))
        .filter(ae::action.like("email.%"))
        .select((ae::before_data, ae::after_data))
        .load(c))?;
    let mut out = Vec::new();
    for text in rows.into_iter().flat_map(|(b, a)| [b, a]).flatten() {
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&text) {
            for key in ["email", "new_email"] {
                if let Some(serde_json::Value::String(v)) = map.get(key) {
                    out.push(v.clone());
                }
            }
        }
    }
    Ok(out)
}

/// Locks the identity's row for the rest of the transaction (PostgreSQL; SQLite's write
/// transaction already excludes every other writer), so two organizations anonymizing the same
/// person at once see each other's result when they count the memberships left.
fn lock_user(conn: &mut Conn<'_>, user: i64) -> Result<(), DbError> {
    match conn {
        Conn::Pg(c) => {
            let _: i64 = u::table.find(user).select(u::id).for_update().first(&mut **c)?;
        }
        Conn::Sqlite(_) => {}
    }
    Ok(())
}

/// Anonymizes the former member of case `case_id` (see the module comment). `policy`: the
/// compliance manager deciding (compliance.anonymize for that member, never oneself), or None
/// for the organization's automatic anonymization. `confirm` must repeat the pseudonym shown.
pub fn anonymize(conn: &mut Conn<'_>, org: OrgId, policy: Option<(&Policy, MembershipId)>, case_id: i64, confirm: &str, actor: Actor, now: DateTime<Utc>) -> Result<Anonymized, DbError> {
    conn.transaction(|conn| {
        let member = claim_case(conn, org, policy, case_id, now)?;
        let (user, personal, pseudonym) = who_is_anonymized(conn, org, member, confirm)?;
        let identity = identity_fate(conn, member, user)?;
        let mut personal = personal;
        personal.emails.extend(identity.emails.iter().cloned());
        personal.names.extend(identity.names.iter().cloned());
        personal.emails.sort();
        personal.emails.dedup();
        let scopes = redaction_scopes(conn, org, &identity)?;
        silence_mail(conn, &scopes, &personal, member, &pseudonym, actor, now)?;
        let redacted = redact_texts(conn, org, &scopes, &personal, &pseudonym)?;
        // Invitations withdrawn elsewhere before they were accepted (their organizations' rows
        // were redacted above): severed with the identity.
        for other in &identity.leftovers {
            let p = pseudonym_for_any(conn, MembershipId(*other))?;
            sever(conn, MembershipId(*other), &p, actor, now)?;
        }
        sever(conn, member, &pseudonym, actor, now)?;
        // What an identity provider sent about the person (names, addresses) goes with them.
        crate::scim::forget_membership(conn, member)?;
        for other in &identity.leftovers {
            crate::scim::forget_membership(conn, MembershipId(*other))?;
        }
        // Access reviews keep the item as evidence, under the pseudonym.
        crate::reviews::redact_member(conn, org, member, &pseudonym)?;
        let (tags, sessions_ended) = end_access(conn, org, member, user, &identity, &personal, &pseudonym, actor, now)?;
        close_case(conn, case_id, &pseudonym, actor, now)?;
        crate::authz::bump(conn, org, None)?;
        let identity_too = identity.anonymized;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "membership.anonymized", "membership", Some(member.0)).after(json!({
                "pseudonym": pseudonym,
                "identity_anonymized": identity_too,
                "tags_removed": tags,
                "sessions_ended": sessions_ended,
                "redacted": redacted.iter().map(|(t, n)| json!({"table": t, "rows": n})).collect::<Vec<_>>(),
            })),
        )?;
        Ok(Anonymized { pseudonym, identity_anonymized: identity_too, redacted })
    })
}

/// Step 1: the case's membership, decided for the caller (never oneself) and claimed: of two
/// anonymizations of one case at once (two managers, two instances' automatic rounds), one goes
/// on, the other is told it is done.
fn claim_case(conn: &mut Conn<'_>, org: OrgId, policy: Option<(&Policy, MembershipId)>, case_id: i64, now: DateTime<Utc>) -> Result<MembershipId, DbError> {
    let member: i64 = on!(conn, c => cc::table.filter(cc::id.eq(case_id)).filter(cc::org_id.eq(org.0)).select(cc::membership_id).first(c))?;
    let member = MembershipId(member);
    if let Some((policy, by)) = policy {
        if by == member {
            return Err(refused(Refusal::OwnMembership));
        }
        let target = member_target(conn, org, member)?;
        policy.require(by, "compliance.anonymize", &target, now)?;
    }
    let claimed = on!(conn, c => diesel::update(cc::table.filter(cc::id.eq(case_id)).filter(cc::status.eq("open")))
        .set((cc::status.eq("anonymized"), cc::updated_at.eq(to_db(now))))
        .execute(c))?;
    if claimed == 0 {
        return Err(refused(Refusal::AlreadyAnonymized));
    }
    Ok(member)
}

/// Step 2: the membership may be anonymized (ended, not an owner, the pseudonym typed right):
/// its identity, what the organization kept of the person (phone, job title, the invited
/// address) and the pseudonym.
fn who_is_anonymized(conn: &mut Conn<'_>, org: OrgId, member: MembershipId, confirm: &str) -> Result<(Option<i64>, dc::Personal, String), DbError> {
    #[allow(clippy::type_complexity)]
    let (user, m_status, phone, job): (Option<i64>, String, Option<String>, Option<String>) =
        on!(conn, c => m::table.find(member.0).select((m::user_id, m::status, m::mobile_phone, m::job_title)).first(c))?;
    match MemberStatus::parse(&m_status)? {
        MemberStatus::Terminated => {}
        MemberStatus::Anonymized => return Err(refused(Refusal::AlreadyAnonymized)),
        _ => return Err(refused(Refusal::NotEnded)),
    }
    if crate::members::org_roles(conn, org, member)?.contains(&OrgRole::Owner) {
        return Err(refused(Refusal::LastOwner));
    }
    let pseudonym = pseudonym_for(conn, org, member)?;
    if confirm.trim() != pseudonym {
        return Err(refused(Refusal::PseudonymMismatch(pseudonym)));
    }
    let mut personal = dc::Personal { phones: phone.into_iter().collect(), other: job.into_iter().collect(), ..Default::default() };
    let invited: Vec<String> = on!(conn, c => inv::table.filter(inv::membership_id.eq(member.0)).select(inv::email).load(c))?;
    personal.emails.extend(invited);
    Ok((user, personal, pseudonym))
}

/// What becomes of the identity behind the membership.
#[derive(Default)]
struct IdentityFate {
    /// Its addresses (current, pending, earlier) and name.
    emails: Vec<String>,
    names: Vec<String>,
    /// No other membership keeps it: it is anonymized too.
    anonymized: bool,
    /// Then its other memberships (invitations withdrawn before they were accepted) go with it.
    leftovers: Vec<i64>,
}

/// Step 3: the identity, locked; refused for platform staff. Memberships elsewhere that keep
/// it: invited, active, or ended and waiting for their own anonymization. An invitation
/// withdrawn before it was accepted (ended, without a case) keeps nothing.
fn identity_fate(conn: &mut Conn<'_>, member: MembershipId, user: Option<i64>) -> Result<IdentityFate, DbError> {
    let Some(user) = user else { return Ok(IdentityFate::default()) };
    lock_user(conn, user)?;
    let (e, name): (String, String) = on!(conn, c => u::table.find(user).select((u::email, u::display_name)).first(c))?;
    let staff: i64 = on!(conn, c => ps::table.filter(ps::email.eq(&e)).count().get_result(c))?;
    if staff > 0 {
        return Err(refused(Refusal::PlatformStaff));
    }
    let mut emails = vec![e];
    let pending: Vec<Option<String>> = on!(conn, c => at::table.filter(at::user_id.eq(user)).filter(at::purpose.eq("email_change_new")).select(at::data).load(c))?;
    emails.extend(pending.into_iter().flatten());
    emails.extend(earlier_addresses(conn, user)?);
    let others: Vec<(i64, String, Option<i64>)> = on!(conn, c => m::table
        .left_join(cc::table)
        .filter(m::user_id.eq(user))
        .filter(m::id.ne(member.0))
        .select((m::id, m::status, cc::id.nullable()))
        .load(c))?;
    let keeps = others.iter().any(|(_, st, case)| st == "invited" || st == "active" || (st == "terminated" && case.is_some()));
    Ok(IdentityFate { emails, names: vec![name], anonymized: !keeps, leftovers: if keeps { Vec::new() } else { others.iter().map(|o| o.0).collect() } })
}

/// Step 4: where the person's values are redacted: this organization; with the identity, also
/// the organizations whose invitation was withdrawn before it was accepted, and the rows of no
/// organization (sign-in, the identity's own mail and audit).
fn redaction_scopes(conn: &mut Conn<'_>, org: OrgId, identity: &IdentityFate) -> Result<Vec<Option<OrgId>>, DbError> {
    let mut scopes: Vec<Option<OrgId>> = vec![Some(org)];
    if identity.anonymized {
        let elsewhere: Vec<i64> = on!(conn, c => m::table.filter(m::id.eq_any(&identity.leftovers)).select(m::org_id).distinct().load(c))?;
        scopes.extend(elsewhere.into_iter().filter(|o| *o != org.0).map(|o| Some(OrgId(o))));
        scopes.push(None);
    }
    Ok(scopes)
}

/// Step 5: mail to the person: nothing more is sent, and what was kept of it goes.
fn silence_mail(conn: &mut Conn<'_>, scopes: &[Option<OrgId>], personal: &dc::Personal, member: MembershipId, pseudonym: &str, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let addresses: Vec<String> = personal.emails.iter().flat_map(|e| [e.clone(), e.to_lowercase()]).collect();
    for scope in scopes.iter().map(|s| s.map(|o| o.0)) {
        on!(conn, c => {
            let q = eo::table.filter(eo::to_address.eq_any(&addresses)).into_boxed();
            let q = match scope { Some(o) => q.filter(eo::org_id.eq(o)), None => q.filter(eo::org_id.is_null()) };
            let ids: Vec<i64> = q.select(eo::id).load(c)?;
            diesel::update(eo::table.filter(eo::id.eq_any(&ids)).filter(eo::status.eq_any(["queued", "sending"])))
                .set((eo::status.eq("failed"), eo::last_error.eq(Some("recipient anonymized"))))
                .execute(c)?;
            diesel::update(eo::table.filter(eo::id.eq_any(&ids)))
                .set((
                    eo::to_address.eq(dc::anonymous_email(member.0)),
                    eo::subject.eq(pseudonym),
                    eo::body_text.eq(None::<String>),
                    eo::body_html.eq(None::<String>),
                    eo::updated_at.eq(to_db(now)),
                    eo::version.eq(eo::version + 1),
                    eo::updated_by_kind.eq(actor.kind()),
                    eo::updated_by_id.eq(actor.id()),
                ))
                .execute(c)
        })?;
    }
    Ok(())
}

/// Step 6: the person's values replaced by the pseudonym in every text kept in `scopes` — the
/// audit's before/after under a permit only this transaction sees — counted per table.
fn redact_texts(conn: &mut Conn<'_>, org: OrgId, scopes: &[Option<OrgId>], personal: &dc::Personal, pseudonym: &str) -> Result<Vec<(String, usize)>, DbError> {
    let text = personal.replacements(pseudonym, false);
    let json = personal.replacements(pseudonym, true);
    let needles = personal.needles();
    for scope in scopes {
        on!(conn, c => diesel::insert_into(arp::table).values(arp::org_id.eq(scope.map(|o| o.0))).execute(c))?;
    }
    let mut redacted = Vec::new();
    for scope in scopes {
        let tables: &[(&str, &[&str], bool)] = if scope.is_some() {
            &[
                ("audit_events", &["before_data", "after_data"], true),
                ("email_outbox", &["subject", "body_text", "body_html", "last_error"], false),
                ("access_requests", &["justification", "decision_comment", "revoke_comment"], false),
                ("member_adjustments", &["note"], false),
                ("items", &["title"], false),
                ("invitations", &["email"], false),
                ("member_imports", &["file_name", "csv_text", "report"], false),
            ]
        } else {
            &[("audit_events", &["before_data", "after_data"], true), ("email_outbox", &["subject", "body_text", "body_html", "last_error"], false)]
        };
        let filter = match scope {
            Some(o) => format!("org_id = {}", o.0),
            None => "org_id IS NULL".to_string(),
        };
        for (table, columns, is_json) in tables {
            let n = redact_table(conn, table, columns, &filter, if *is_json { &json } else { &text }, &needles)?;
            let key = match scope {
                Some(o) if *o == org => table.to_string(),
                // not user text: the audit record's key for a table redacted in another scope
                Some(o) => format!("{table} (organization {})", o.0),
                // not user text: as above
                None => format!("{table} (no organization)"),
            };
            redacted.push((key, n));
        }
        stall_for_tests();
    }
    on!(conn, c => diesel::delete(arp::table).execute(c))?;
    Ok(redacted)
}

/// Step 7: tags, tokens, organization roles and sessions in the organization go; with the
/// identity, every session, link and throttle record of it, and its address, name and password.
/// Returns (tags removed, sessions ended).
#[allow(clippy::too_many_arguments)]
fn end_access(
    conn: &mut Conn<'_>,
    org: OrgId,
    member: MembershipId,
    user: Option<i64>,
    identity: &IdentityFate,
    personal: &dc::Personal,
    pseudonym: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(usize, usize), DbError> {
    let tags = on!(conn, c => diesel::delete(mt::table.filter(mt::membership_id.eq(member.0))).execute(c))?;
    on!(conn, c => diesel::delete(at::table.filter(at::membership_id.eq(member.0))).execute(c))?;
    on!(conn, c => diesel::delete(orh::table.filter(orh::membership_id.eq(member.0))).execute(c))?;
    let Some(user) = user else { return Ok((tags, 0)) };
    let mut sessions_ended = on!(conn, c => diesel::delete(s::table.filter(s::user_id.eq(user)).filter(s::last_org_id.eq(org.0))).execute(c))?;
    if identity.anonymized {
        sessions_ended += on!(conn, c => diesel::delete(s::table.filter(s::user_id.eq(user))).execute(c))?;
        on!(conn, c => diesel::delete(at::table.filter(at::user_id.eq(user))).execute(c))?;
        // Undo links of an email change name the person only in their data.
        let undo = format!("{}%", crate::account::revert_prefix(UserId(user)));
        on!(conn, c => diesel::delete(at::table.filter(at::user_id.is_null()).filter(at::data.like(undo))).execute(c))?;
        for e in &personal.emails {
            on!(conn, c => diesel::delete(st::table.filter(st::key.eq(crate::throttle::key("email", &e.to_lowercase())))).execute(c))?;
        }
        on!(conn, c => diesel::update(u::table.find(user))
            .set((
                u::email.eq(dc::anonymous_email(user)),
                u::display_name.eq(pseudonym),
                u::password_hash.eq(None::<String>),
                u::updated_at.eq(to_db(now)),
                u::version.eq(u::version + 1),
                u::updated_by_kind.eq(actor.kind()),
                u::updated_by_id.eq(actor.id()),
            ))
            .execute(c))?;
        crate::members::refresh_list_keys(conn, crate::members::KeysOf::User(UserId(user)))?;
    }
    Ok((tags, sessions_ended))
}

/// Step 8: the case keeps the pseudonym, when and by whom.
fn close_case(conn: &mut Conn<'_>, case_id: i64, pseudonym: &str, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    on!(conn, c => diesel::update(cc::table.find(case_id))
        .set((
            cc::status.eq("anonymized"),
            cc::pseudonym.eq(Some(pseudonym)),
            cc::remind_on.eq(None::<NaiveDate>),
            cc::anonymized_at.eq(Some(to_db(now))),
            cc::anonymized_by_kind.eq(Some(actor.kind())),
            cc::anonymized_by_id.eq(actor.id()),
            cc::updated_at.eq(to_db(now)),
            cc::version.eq(cc::version + 1),
            cc::updated_by_kind.eq(actor.kind()),
            cc::updated_by_id.eq(actor.id()),
        ))
        .execute(c))?;
    Ok(())
}

/// The pseudonym of a membership in whatever organization it belongs to.
/// Severs a membership from its identity under its pseudonym: no person, phone or job title left.
fn sever(conn: &mut Conn<'_>, member: MembershipId, pseudonym: &str, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    on!(conn, c => diesel::update(m::table.find(member.0))
        .set((
            m::user_id.eq(None::<i64>),
            m::mobile_phone.eq(None::<String>),
            m::job_title.eq(None::<String>),
            m::pseudonym.eq(Some(pseudonym)),
            m::status.eq(MemberStatus::Anonymized.as_str()),
            m::updated_at.eq(to_db(now)),
            m::version.eq(m::version + 1),
            m::updated_by_kind.eq(actor.kind()),
            m::updated_by_id.eq(actor.id()),
        ))
        .execute(c))?;
    // The list's keys now hold the pseudonym only: the former name and address are not searchable.
    crate::members::refresh_list_keys(conn, crate::members::KeysOf::Membership(member.0))?;
    Ok(())
}

fn pseudonym_for_any(conn: &mut Conn<'_>, member: MembershipId) -> Result<String, DbError> {
    let org: i64 = on!(conn, c => m::table.find(member.0).select(m::org_id).first(c))?;
    pseudonym_for(conn, OrgId(org), member)
}

/// Fault injection for the all-or-nothing test: with GATEHOUSE_FAULT_STALL_ANONYMIZE set to a
/// path, an anonymization writes that file in the middle of its transaction and waits there to
/// be killed. Unset in every real deployment.
fn stall_for_tests() {
    if let Ok(path) = std::env::var("GATEHOUSE_FAULT_STALL_ANONYMIZE") {
        let _ = std::fs::write(&path, "stalled inside the anonymization transaction");
        loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
}

/// The compliance manager picks the day the mail comes again (after today, the organization's
/// calendar; compliance.view_links).
#[allow(clippy::too_many_arguments)]
pub fn set_reminder(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, case_id: i64, on_date: NaiveDate, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, "compliance.view_links", &Target::Organization, now)?;
    conn.transaction(|conn| {
        let row = case(conn, org, case_id)?;
        if row.anonymized {
            return Err(refused(Refusal::AlreadyAnonymized));
        }
        let tz = crate::orgs::settings(conn, org)?.time_zone;
        dc::check_reminder(on_date, today(&tz, now)).map_err(refused)?;
        on!(conn, c => diesel::update(cc::table.find(case_id))
            .set((cc::remind_on.eq(Some(on_date)), cc::updated_at.eq(to_db(now)), cc::version.eq(cc::version + 1), cc::updated_by_kind.eq(actor.kind()), cc::updated_by_id.eq(actor.id())))
            .execute(c))?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "compliance.reminder_set", "compliance_case", Some(case_id)).before(json!({"remind_on": row.remind_on})).after(json!({"remind_on": on_date})))?;
        Ok(())
    })
}

/// The background users send the case mail again on its reminder day (once: the date is
/// cleared by the claiming update).
pub fn remind_due(conn: &mut Conn<'_>, public_url: &str, now: DateTime<Utc>) -> Result<usize, DbError> {
    let due: Vec<(i64, i64, NaiveDate, String, i64)> = on!(conn, c => cc::table
        .inner_join(o::table)
        .filter(cc::status.eq("open"))
        .filter(cc::remind_on.le(now.date_naive() + chrono::Duration::days(1)))
        .select((cc::id, cc::org_id, cc::remind_on.assume_not_null(), o::time_zone, o::background_user_id))
        .load(c))?;
    let mut n = 0;
    for (id, org, on_date, tz, background) in due {
        if on_date > today(&tz, now) {
            continue;
        }
        let org = OrgId(org);
        let actor = Actor::Background { user: UserId(background) };
        let done = conn.transaction(|conn| {
            let claimed = on!(conn, c => diesel::update(cc::table.filter(cc::id.eq(id)).filter(cc::status.eq("open")).filter(cc::remind_on.eq(on_date)))
                .set((cc::remind_on.eq(None::<NaiveDate>), cc::reminded_at.eq(Some(to_db(now))), cc::updated_at.eq(to_db(now)), cc::version.eq(cc::version + 1), cc::updated_by_kind.eq(actor.kind()), cc::updated_by_id.eq(actor.id())))
                .execute(c))?;
            if claimed == 0 {
                return Ok(false);
            }
            let sent = mail_managers(conn, org, id, true, public_url, actor, now)?;
            audit::record(conn, now, &AuditEntry::new(Some(org), actor, "compliance.reminded", "compliance_case", Some(id)).after(json!({"remind_on": on_date, "recipients": sent})))?;
            Ok(true)
        });
        match done {
            Ok(done) => n += usize::from(done),
            Err(e) => tracing::error!(case = id, error = %e, "a compliance reminder failed"),
        }
    }
    Ok(n)
}

/// The organization's automatic anonymization (days after leaving), None when off.
pub fn auto_days(conn: &mut Conn<'_>, org: OrgId) -> Result<Option<i32>, DbError> {
    Ok(on!(conn, c => o::table.find(org.0).select(o::auto_anonymize_days).first(c))?)
}

/// Turns automatic anonymization on (1–3650 days) or off — compliance.anonymize
/// organization-wide, since it anonymizes people.
pub fn set_auto_days(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, days: Option<i32>, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, "compliance.anonymize", &Target::Organization, now)?;
    dc::check_auto_days(days).map_err(refused)?;
    conn.transaction(|conn| {
        let before = auto_days(conn, org)?;
        on!(conn, c => diesel::update(o::table.find(org.0))
            .set((o::auto_anonymize_days.eq(days), o::updated_at.eq(to_db(now)), o::version.eq(o::version + 1), o::updated_by_kind.eq(actor.kind()), o::updated_by_id.eq(actor.id())))
            .execute(c))?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "organization.auto_anonymize", "organization", Some(org.0)).before(json!({"days": before})).after(json!({"days": days})))?;
        Ok(())
    })
}

/// The background users anonymize the open cases whose organization anonymizes automatically
/// and whose time has come. Each case in its own transaction.
pub fn auto_anonymize_due(conn: &mut Conn<'_>, now: DateTime<Utc>) -> Result<usize, DbError> {
    let open: Vec<(i64, i64, NaiveDateTime, i32, i64)> = on!(conn, c => cc::table
        .inner_join(o::table)
        .filter(cc::status.eq("open"))
        .filter(o::auto_anonymize_days.is_not_null())
        .select((cc::id, cc::org_id, cc::ended_at, o::auto_anonymize_days.assume_not_null(), o::background_user_id))
        .load(c))?;
    let mut n = 0;
    for (id, org, ended, days, background) in open {
        if dc::auto_anonymize_at(from_db(ended), Some(days)).is_none_or(|t| t > now) {
            continue;
        }
        let org = OrgId(org);
        let result = (|| {
            let member: i64 = on!(conn, c => cc::table.find(id).select(cc::membership_id).first(c))?;
            let p = pseudonym_for(conn, org, MembershipId(member))?;
            anonymize(conn, org, None, id, &p, Actor::Background { user: UserId(background) }, now)
        })();
        match result {
            Ok(_) => n += 1,
            Err(DbError::Compliance(_)) => {}
            Err(e) => tracing::error!(case = id, error = %e, "automatic anonymization failed"),
        }
    }
    Ok(n)
}
