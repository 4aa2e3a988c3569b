//! Access requests: a member asks for a requestable role (at a unit) or membership of a unit;
//! the approvers — whoever may decide it at that scope, the requester excluded — are mailed a
//! link that opens the request after sign-in; the first decision wins (a conditional update),
//! an approval creates the grant in the same transaction; the requester is mailed the outcome.
//! The background user reminds and then expires undecided requests, claimed per row.
use crate::audit::{self, AuditEntry};
use crate::outbox::{self, NewMail};
use crate::schema::{access_requests as ar, membership_units as mu, memberships as m, organizations as o, users as u};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::ids::{MembershipId, OrgId, RoleId, UnitId, UserId};
use gatehouse_domain::locale::Locale;
use gatehouse_domain::requests::{self as dr, Asked, Event, Refusal, Settings, Status};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Longest justification or comment kept.
pub const MAX_TEXT: usize = 2000;

pub fn settings(conn: &mut Conn<'_>, org: OrgId) -> Result<Settings, DbError> {
    let (reminder_days, expiry_days): (i32, i32) = on!(conn, c => o::table.find(org.0).select((o::request_reminder_days, o::request_expiry_days)).first(c))?;
    Ok(Settings { reminder_days, expiry_days })
}

/// A person as mail needs them.
struct Person {
    name: String,
    email: String,
    locale: Locale,
}

fn person(conn: &mut Conn<'_>, member: MembershipId) -> Result<Option<Person>, DbError> {
    let r: Option<(String, String, String)> =
        on!(conn, c => m::table.inner_join(u::table).filter(m::id.eq(member.0)).select((u::display_name, u::email, u::locale)).first(c).optional())?;
    Ok(r.map(|(name, email, locale)| Person { name, email, locale: Locale::parse(&locale).unwrap_or_default() }))
}

/// One request as its pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRow {
    pub id: i64,
    pub requester: MembershipId,
    pub requester_name: String,
    pub asked: Asked,
    pub role_name: Option<String>,
    pub unit_name: Option<String>,
    pub justification: String,
    pub ends_at: Option<DateTime<Utc>>,
    pub status: Status,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Revoked: by whom (None when the grant was removed by the background user or the
    /// operator), when and why.
    pub revoked_by: Option<String>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_comment: Option<String>,
    /// request, member_page, role_retired or membership_ended
    pub revoked_from: Option<String>,
}

impl RequestRow {
    /// What was asked for, in words.
    pub fn what(&self, locale: Locale) -> String {
        describe(locale, &self.asked, self.role_name.as_deref(), self.unit_name.as_deref())
    }
}

/// What was asked for, in the reader's words (the catalogs' `asked-*` texts).
pub fn describe(locale: Locale, asked: &Asked, role: Option<&str>, unit: Option<&str>) -> String {
    gatehouse_locales::asked(locale, asked, role, unit)
}

#[allow(clippy::type_complexity)]
type Row = (
    i64,
    i64,
    String,
    Option<i64>,
    Option<String>,
    Option<i64>,
    String,
    Option<chrono::NaiveDateTime>,
    String,
    Option<i64>,
    Option<chrono::NaiveDateTime>,
    Option<String>,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    Option<i64>,
    Option<chrono::NaiveDateTime>,
    Option<String>,
    Option<String>,
);

fn asked_of(kind: &str, role: Option<i64>, permission: Option<String>, unit: Option<i64>) -> Asked {
    match kind {
        "role" => Asked::Role { role: RoleId(role.unwrap_or_default()), unit: unit.map(UnitId) },
        "permission" => Asked::Permission { permission: permission.unwrap_or_default(), unit: unit.map(UnitId) },
        _ => Asked::Unit { unit: UnitId(unit.unwrap_or_default()) },
    }
}

fn rows(conn: &mut Conn<'_>, org: OrgId, only: Option<i64>, status: Option<Status>, requester: Option<MembershipId>, limit: i64) -> Result<Vec<RequestRow>, DbError> {
    // The macro writes the body once per backend, so each boxes its own query.
    let raw: Vec<Row> = on!(conn, c => {
        let mut q = ar::table
            .filter(ar::org_id.eq(org.0))
            .select((
                ar::id,
                ar::requester_id,
                ar::kind,
                ar::role_id,
                ar::permission,
                ar::unit_id,
                ar::justification,
                ar::ends_at,
                ar::status,
                ar::decided_by,
                ar::decided_at,
                ar::decision_comment,
                ar::created_at,
                ar::closed_at,
                ar::revoked_by,
                ar::revoked_at,
                ar::revoke_comment,
                ar::revoked_from,
            ))
            .order(ar::id.desc())
            .limit(limit)
            .into_boxed();
        if let Some(id) = only {
            q = q.filter(ar::id.eq(id));
        }
        if let Some(s) = status {
            q = q.filter(ar::status.eq(s.as_str()));
        }
        if let Some(r) = requester {
            q = q.filter(ar::requester_id.eq(r.0));
        }
        q.load(c)
    })?;
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    // Names in three queries for the whole page, not per request (the dashboard reads this).
    let tree = crate::units::tree(conn, org)?;
    let role_ids: Vec<i64> = raw.iter().filter_map(|r| r.3).collect();
    let roles: std::collections::HashMap<i64, String> = {
        use crate::schema::roles as ro;
        on!(conn, c => ro::table.filter(ro::org_id.eq(org.0)).filter(ro::id.eq_any(&role_ids)).select((ro::id, ro::name)).load::<(i64, String)>(c))?.into_iter().collect()
    };
    let member_ids: Vec<i64> = raw.iter().flat_map(|r| [Some(r.1), r.9, r.14]).flatten().collect();
    // Anonymized members keep their place under their pseudonym.
    let names = crate::compliance::names(conn, org, &member_ids)?;
    Ok(raw
        .into_iter()
        .map(|r| {
            let asked = asked_of(&r.2, r.3, r.4.clone(), r.5);
            RequestRow {
                id: r.0,
                requester: MembershipId(r.1),
                requester_name: names.get(&r.1).cloned().unwrap_or_default(),
                role_name: r.3.and_then(|id| roles.get(&id).cloned()),
                unit_name: asked.unit().and_then(|u| tree.get(u)).map(|n| n.name.clone()),
                asked,
                justification: r.6,
                ends_at: r.7.map(from_db),
                status: Status::parse(&r.8).unwrap_or(Status::Pending),
                decided_by: r.9.and_then(|d| names.get(&d).cloned()),
                decided_at: r.10.map(from_db),
                comment: r.11,
                created_at: from_db(r.12),
                closed_at: r.13.map(from_db),
                revoked_by: r.14.and_then(|d| names.get(&d).cloned()),
                revoked_at: r.15.map(from_db),
                revoke_comment: r.16,
                revoked_from: r.17,
            }
        })
        .collect())
}

/// One request of `org`.
pub fn get(conn: &mut Conn<'_>, org: OrgId, id: i64) -> Result<RequestRow, DbError> {
    rows(conn, org, Some(id), None, None, 1)?.into_iter().next().ok_or(DbError::NotFound)
}

/// The organization's requests, newest first (optionally one status, one requester).
pub fn list(conn: &mut Conn<'_>, org: OrgId, status: Option<Status>, requester: Option<MembershipId>, limit: i64) -> Result<Vec<RequestRow>, DbError> {
    rows(conn, org, None, status, requester, limit)
}

/// The roles a member may ask for: requestable, not retired.
/// The single permissions a member may ask for: those the organization's requestable roles
/// grant (the organization decides what may be asked, per role), sorted.
pub fn requestable_permissions(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<String>, DbError> {
    let ids: Vec<RoleId> = requestable_roles(conn, org)?.into_iter().map(|r| r.0).collect();
    let mut out: Vec<String> = crate::authz::engine_roles(conn, org)?
        .into_iter()
        .filter(|r| ids.contains(&r.id) && !r.retired)
        .flat_map(|r| r.grants.into_iter().map(|g| g.permission))
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// How a single permission is granted when asked for at `unit` (None: organization-wide): no
/// wider than a requestable role grants it — organization scope only where a role grants it
/// organization-wide, a unit where one grants it at units, the member's own records where the
/// roles grant only that — with the widest visibility they grant. None: not requestable there.
pub fn permission_grant(conn: &mut Conn<'_>, org: OrgId, permission: &str, unit: Option<UnitId>) -> Result<Option<(gatehouse_domain::authz::Scope, gatehouse_domain::authz::Visibility)>, DbError> {
    use gatehouse_domain::authz::{RoleScope, Scope};
    let ids: Vec<RoleId> = requestable_roles(conn, org)?.into_iter().map(|r| r.0).collect();
    let grants: Vec<gatehouse_domain::authz::RoleGrant> = crate::authz::engine_roles(conn, org)?
        .into_iter()
        .filter(|r| ids.contains(&r.id) && !r.retired)
        .flat_map(|r| r.grants.into_iter().filter(|g| g.permission == permission))
        .collect();
    let widest = |scopes: &[RoleScope]| grants.iter().filter(|g| scopes.contains(&g.scope)).map(|g| g.visibility).max();
    Ok(match unit {
        None => widest(&[RoleScope::Organization]).map(|v| (Scope::Organization, v)),
        Some(u) => widest(&[RoleScope::Unit, RoleScope::Organization]).map(|v| (Scope::Unit(u), v)),
    }
    .or_else(|| widest(&[RoleScope::Own]).map(|v| (Scope::Own, v))))
}

pub fn requestable_roles(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<(RoleId, String, Option<String>)>, DbError> {
    use crate::schema::roles as r;
    let rows: Vec<(i64, String, Option<String>)> = on!(conn, c => r::table
        .filter(r::org_id.eq(org.0))
        .filter(r::requestable.eq(true))
        .filter(r::retired_at.is_null())
        .order(r::name.asc())
        .select((r::id, r::name, r::anchor_kind))
        .load(c))?;
    Ok(rows.into_iter().map(|(id, n, k)| (RoleId(id), n, k)).collect())
}

fn refused(r: Refusal) -> DbError {
    DbError::Request(r)
}

/// The request's page, with a signed token naming the request (DECISIONS.md "Email links").
fn link(conn: &mut Conn<'_>, public_url: &str, slug: &str, id: i64, now: DateTime<Utc>) -> Result<String, DbError> {
    let url = format!("{}/o/{slug}/requests/{id}", public_url.trim_end_matches('/'));
    crate::links::signed(conn, &url, gatehouse_domain::links::Subject::AccessRequest(id), now)
}

/// A member asks. Checked: what may be asked (a requestable live role whose anchor fits, a
/// permission such a role grants, a unit of the organization), an end date in the future, a reason,
/// nothing already held or already asked. Every approver is mailed.
#[allow(clippy::too_many_arguments)]
pub fn create(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    requester: MembershipId,
    asked: &Asked,
    justification: &str,
    ends_at: Option<DateTime<Utc>>,
    public_url: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let justification = justification.trim();
    if justification.is_empty() || justification.chars().count() > MAX_TEXT {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "justification", value: String::new() }.into());
    }
    dr::check_end(ends_at, now).map_err(refused)?;
    if let Some(u) = asked.unit() {
        policy.tree.get(u).ok_or(DbError::NotFound)?;
    }
    let subject = policy.subject(requester);
    match asked {
        Asked::Role { role, unit } => {
            let d = crate::roles::detail(conn, org, *role)?;
            if !d.requestable || d.retired {
                return Err(refused(Refusal::NotRequestable));
            }
            match (&d.anchor_kind, unit) {
                (Some(kind), Some(u)) if policy.tree.get(*u).is_some_and(|n| &n.kind != kind) => {
                    return Err(DbError::Denied(gatehouse_domain::authz::Denial::AnchorKind { expected: kind.clone() }))
                }
                (Some(kind), None) => return Err(DbError::Denied(gatehouse_domain::authz::Denial::AnchorKind { expected: kind.clone() })),
                _ => {}
            }
            let held = subject.assignments.iter().any(|a| a.role == *role && a.anchor == *unit && a.ends_at.is_none_or(|e| e > now));
            if held {
                return Err(refused(Refusal::AlreadyHeld));
            }
        }
        Asked::Unit { unit } => {
            let units = crate::authz::member_units(conn, org, requester)?;
            if units.contains(unit) {
                return Err(refused(Refusal::AlreadyHeld));
            }
        }
        Asked::Permission { permission, unit } => {
            if permission_grant(conn, org, permission, *unit)?.is_none() {
                return Err(refused(Refusal::NotRequestable));
            }
            if policy.check(requester, permission, &asked.target(), now).allowed {
                return Err(refused(Refusal::AlreadyHeld));
            }
        }
    }
    let (role_id, permission, unit_id) = match asked {
        Asked::Role { role, unit } => (Some(role.0), None, unit.map(|u| u.0)),
        Asked::Permission { permission, unit } => (None, Some(permission.clone()), unit.map(|u| u.0)),
        Asked::Unit { unit } => (None, None, Some(unit.0)),
    };
    conn.transaction(|conn| {
        let open: Vec<(String, Option<i64>, Option<i64>)> = on!(conn, c => ar::table
            .filter(ar::org_id.eq(org.0))
            .filter(ar::requester_id.eq(requester.0))
            .filter(ar::status.eq(Status::Pending.as_str()))
            .select((ar::kind, ar::role_id, ar::unit_id))
            .load(c))?;
        let open = open.iter().filter(|(k, r, u)| k == asked.kind() && *r == role_id && *u == unit_id).count();
        if open > 0 {
            return Err(refused(Refusal::AlreadyAsked));
        }
        let id: i64 = on!(conn, c => diesel::insert_into(ar::table)
            .values((
                ar::org_id.eq(org.0),
                ar::requester_id.eq(requester.0),
                ar::kind.eq(asked.kind()),
                ar::role_id.eq(role_id),
                ar::permission.eq(permission.as_deref()),
                ar::unit_id.eq(unit_id),
                ar::justification.eq(justification),
                ar::ends_at.eq(ends_at.map(to_db)),
                ar::status.eq(Status::Pending.as_str()),
                ar::created_at.eq(to_db(now)),
                ar::updated_at.eq(to_db(now)),
                ar::updated_by_kind.eq(actor.kind()),
                ar::updated_by_id.eq(actor.id()),
            ))
            .returning(ar::id)
            .get_result(c))
        // Two identical asks at once: the partial unique index lets one in.
        .map_err(|e| match DbError::from(e) {
            DbError::Conflict(_) => refused(Refusal::AlreadyAsked),
            other => other,
        })?;
        let row = get(conn, org, id)?;
        let s = crate::orgs::settings(conn, org)?;
        let requester_name = row.requester_name.clone();
        for approver in dr::approvers(policy, requester, asked, now) {
            let Some(p) = person(conn, approver)? else { continue };
            let mail = gatehouse_mail::Mail::AccessRequested {
                approver: p.name.clone(),
                requester: requester_name.clone(),
                org: s.name.clone(),
                what: row.what(p.locale),
                justification: justification.to_string(),
                ends: ends_at.map(|e| crate::orgs::local_time(&s.time_zone, e)),
                link: link(conn, public_url, &s.slug, id, now)?,
            };
            send(conn, org, &p, &mail, public_url, actor, now)?;
        }
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "access_request.created", "access_request", Some(id))
                .unit(asked.unit())
                .after(json!({"kind": asked.kind(), "role": role_id, "unit": unit_id, "ends_at": ends_at, "requester": requester.0})),
        )?;
        Ok(id)
    })
}


fn send(conn: &mut Conn<'_>, org: OrgId, to: &Person, mail: &gatehouse_mail::Mail, public_url: &str, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let r = gatehouse_mail::render(mail, to.locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
    outbox::enqueue(conn, &NewMail { org: Some(org), to: &to.email, locale: to.locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html }, actor, now)?;
    Ok(())
}

/// Closes a pending request with `to` — only if it is still pending (the conditional update
/// is what makes two approvers deciding at once safe: one wins, the other is told how it ended).
fn close(conn: &mut Conn<'_>, org: OrgId, id: i64, to: Status, by: Option<MembershipId>, comment: Option<&str>, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let decided = matches!(to, Status::Approved | Status::Denied);
    let n = on!(conn, c => diesel::update(ar::table.filter(ar::id.eq(id)).filter(ar::org_id.eq(org.0)).filter(ar::status.eq(Status::Pending.as_str())))
        .set((
            ar::status.eq(to.as_str()),
            ar::decided_by.eq(by.filter(|_| decided).map(|b| b.0)),
            ar::decided_at.eq(decided.then(|| to_db(now))),
            ar::decision_comment.eq(comment),
            ar::closed_at.eq(Some(to_db(now))),
            ar::updated_at.eq(to_db(now)),
            ar::version.eq(ar::version + 1),
            ar::updated_by_kind.eq(actor.kind()),
            ar::updated_by_id.eq(actor.id()),
        ))
        .execute(c))?;
    if n == 0 {
        let now_status = get(conn, org, id)?.status;
        return Err(refused(Refusal::AlreadyClosed(now_status)));
    }
    Ok(())
}

/// An approver decides. Approving creates the grant (with the requested end date) in the same
/// transaction, handed out through `access_requests.decide` under the no-escalation rule; the
/// requester is mailed either way.
#[allow(clippy::too_many_arguments)]
pub fn decide(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    id: i64,
    approve: bool,
    comment: Option<&str>,
    public_url: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Status, DbError> {
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_TEXT) {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "comment", value: String::new() }.into());
    }
    conn.transaction(|conn| {
        let row = get(conn, org, id)?;
        dr::transition(row.status, if approve { Event::Approve } else { Event::Deny }).map_err(refused)?;
        dr::may_decide(policy, by, row.requester, &row.asked, now).map_err(refused)?;
        let to = if approve { Status::Approved } else { Status::Denied };
        close(conn, org, id, to, Some(by), comment, actor, now)?;
        let mut granted = None;
        if approve {
            crate::authz::bump(conn, org, Some(policy.version))?;
            if row.ends_at.is_some_and(|e| e <= now) {
                return Err(refused(Refusal::EndInPast));
            }
            // What held when it was asked is checked again now: still a member, the role
            // still offered, not granted meanwhile by another way.
            let active: Option<String> = on!(conn, c => m::table.filter(m::id.eq(row.requester.0)).filter(m::org_id.eq(org.0)).select(m::status).first(c).optional())?;
            if active.as_deref() != Some("active") {
                return Err(refused(Refusal::NotMember));
            }
            match &row.asked {
                Asked::Role { role, unit } => {
                    let d = crate::roles::detail(conn, org, *role)?;
                    if !d.requestable || d.retired {
                        return Err(refused(Refusal::NotRequestable));
                    }
                    if policy.subject(row.requester).assignments.iter().any(|a| a.role == *role && a.anchor == *unit && a.ends_at.is_none_or(|e| e > now)) {
                        return Err(refused(Refusal::AlreadyHeld));
                    }
                }
                Asked::Unit { unit } => {
                    if crate::authz::member_units(conn, org, row.requester)?.contains(unit) {
                        return Err(refused(Refusal::AlreadyHeld));
                    }
                }
                Asked::Permission { permission, unit } => {
                    if permission_grant(conn, org, permission, *unit)?.is_none() {
                        return Err(refused(Refusal::NotRequestable));
                    }
                    if policy.check(row.requester, permission, &row.asked.target(), now).allowed {
                        return Err(refused(Refusal::AlreadyHeld));
                    }
                }
            }
            granted = match &row.asked {
                Asked::Role { role, unit } => Some(crate::roles::grant_role(conn, org, policy, by, dr::DECIDE, row.requester, *role, *unit, row.ends_at, actor, now)?),
                Asked::Unit { unit } => {
                    on!(conn, c => diesel::insert_into(mu::table).values((mu::membership_id.eq(row.requester.0), mu::unit_id.eq(unit.0))).execute(c))?;
                    None
                }
                Asked::Permission { permission, unit } => {
                    let (scope, visibility) = permission_grant(conn, org, permission, *unit)?.ok_or(refused(Refusal::NotRequestable))?;
                    let add = gatehouse_domain::authz::Adjustment::Add { permission: permission.clone(), scope, visibility, ends_at: row.ends_at };
                    Some(crate::authz::adjust_via(conn, org, policy, by, dr::DECIDE, None, row.requester, &add, &format!("#{id}"), actor, now)?)
                }
            };
            on!(conn, c => diesel::update(ar::table.find(id)).set(ar::granted_id.eq(granted)).execute(c))?;
        }
        let s = crate::orgs::settings(conn, org)?;
        let decided_by = person(conn, by)?.map(|p| p.name).unwrap_or_default();
        if let Some(p) = person(conn, row.requester)? {
            let mail = gatehouse_mail::Mail::AccessRequestDecided {
                name: p.name.clone(),
                org: s.name.clone(),
                what: row.what(p.locale),
                approved: approve,
                decided_by,
                comment: comment.map(str::to_string),
                link: link(conn, public_url, &s.slug, id, now)?,
            };
            send(conn, org, &p, &mail, public_url, actor, now)?;
        }
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, if approve { "access_request.approved" } else { "access_request.denied" }, "access_request", Some(id))
                .unit(row.asked.unit())
                .after(json!({"requester": row.requester.0, "comment": comment, "granted": granted})),
        )?;
        Ok(to)
    })
}

/// The requester takes a pending request back.
pub fn withdraw(conn: &mut Conn<'_>, org: OrgId, by: MembershipId, id: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let row = get(conn, org, id)?;
        if row.requester != by {
            return Err(refused(Refusal::NotRequester));
        }
        dr::transition(row.status, Event::Withdraw).map_err(refused)?;
        close(conn, org, id, Status::Withdrawn, None, None, actor, now)?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "access_request.withdrawn", "access_request", Some(id)))?;
        Ok(())
    })
}

/// Where a grant was taken back from (kept with the request, shown in its history).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokedFrom {
    /// An approver revoked it on the request's page.
    Request,
    /// The assignment or personal addition was removed on the member or role page.
    MemberPage,
    /// Its role was retired (and its assignments ended with it).
    RoleRetired,
    /// The requester's membership ended.
    MembershipEnded,
    /// An access review revoked it.
    Review,
}

impl RevokedFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            RevokedFrom::Request => "request",
            RevokedFrom::MemberPage => "member_page",
            RevokedFrom::RoleRetired => "role_retired",
            RevokedFrom::MembershipEnded => "membership_ended",
            RevokedFrom::Review => "review",
        }
    }
}

/// Marks an approved request revoked (`Approved` → `Revoked`); refused when someone else moved it first.
#[allow(clippy::too_many_arguments)]
fn mark_revoked(conn: &mut Conn<'_>, org: OrgId, id: i64, by: Option<MembershipId>, comment: Option<&str>, from: RevokedFrom, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let n = on!(conn, c => diesel::update(ar::table.filter(ar::id.eq(id)).filter(ar::org_id.eq(org.0)).filter(ar::status.eq(Status::Approved.as_str())))
        .set((
            ar::status.eq(Status::Revoked.as_str()),
            ar::revoked_by.eq(by.map(|b| b.0)),
            ar::revoked_at.eq(Some(to_db(now))),
            ar::revoke_comment.eq(comment),
            ar::revoked_from.eq(Some(from.as_str())),
            ar::updated_at.eq(to_db(now)),
            ar::version.eq(ar::version + 1),
            ar::updated_by_kind.eq(actor.kind()),
            ar::updated_by_id.eq(actor.id()),
        ))
        .execute(c))?;
    if n == 0 {
        let now_status = get(conn, org, id)?.status;
        return Err(refused(Refusal::AlreadyClosed(now_status)));
    }
    Ok(())
}

/// What an approved request granted, if it still works now: the requester is an active member
/// and the assignment, personal addition or unit membership exists and has not ended.
fn live_grant(conn: &mut Conn<'_>, org: OrgId, row: &RequestRow, now: DateTime<Utc>) -> Result<Option<Grant>, DbError> {
    use crate::schema::role_assignments as ra;
    if row.status != Status::Approved || row.ends_at.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    let active: Option<String> = on!(conn, c => m::table.filter(m::id.eq(row.requester.0)).filter(m::org_id.eq(org.0)).select(m::status).first(c).optional())?;
    if active.as_deref() != Some("active") {
        return Ok(None);
    }
    let granted: Option<i64> = on!(conn, c => ar::table.find(row.id).select(ar::granted_id).first(c))?;
    Ok(match (&row.asked, granted) {
        (Asked::Role { .. }, Some(a)) => {
            let ends: Option<Option<chrono::NaiveDateTime>> =
                on!(conn, c => ra::table.filter(ra::id.eq(a)).filter(ra::org_id.eq(org.0)).filter(ra::membership_id.eq(row.requester.0)).select(ra::ends_at).first(c).optional())?;
            ends.filter(|e| e.is_none_or(|e| from_db(e) > now)).map(|_| Grant::Assignment(a))
        }
        (Asked::Permission { .. }, Some(a)) => crate::authz::adjustments_of(conn, org, row.requester)?
            .into_iter()
            .find(|x| x.id == a)
            .filter(|x| !matches!(x.adjustment, gatehouse_domain::authz::Adjustment::Add { ends_at: Some(e), .. } if e <= now))
            .map(|x| Grant::Addition(a, x.adjustment)),
        (Asked::Unit { unit }, _) => {
            let n: i64 = on!(conn, c => mu::table.filter(mu::membership_id.eq(row.requester.0)).filter(mu::unit_id.eq(unit.0)).count().get_result(c))?;
            (n > 0).then_some(Grant::Unit(*unit))
        }
        _ => None,
    })
}

enum Grant {
    Assignment(i64),
    Addition(i64, gatehouse_domain::authz::Adjustment),
    Unit(UnitId),
}

/// May `by` revoke this request's grant now? Whoever may decide such a request at its scope,
/// never the requester, and only what they could have granted (no escalation): the same rules
/// that approving it followed. The grant must still work.
fn may_revoke_grant(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, row: &RequestRow, now: DateTime<Utc>) -> Result<Grant, DbError> {
    use gatehouse_domain::authz::{escalation, Denial, Roles};
    dr::transition(row.status, Event::Revoke).map_err(refused)?;
    dr::may_decide(policy, by, row.requester, &row.asked, now).map_err(refused)?;
    let grant = live_grant(conn, org, row, now)?.ok_or(refused(Refusal::GrantEnded))?;
    let units = crate::authz::member_units(conn, org, row.requester)?;
    let subject = policy.subject(by);
    let escalated = |x| DbError::Denied(Denial::Escalation(x));
    match (&row.asked, &grant) {
        (Asked::Role { role, unit }, _) => {
            let r = policy.role(*role).ok_or(DbError::NotFound)?;
            escalation::may_assign_via(&subject, dr::DECIDE, row.requester, &units, r, *unit, policy, &policy.tree, now).map_err(escalated)?;
        }
        (Asked::Permission { .. }, Grant::Addition(_, add)) => {
            escalation::may_adjust_via(&subject, dr::DECIDE, row.requester, &units, add, policy, &policy.tree, now).map_err(escalated)?;
        }
        _ => {}
    }
    Ok(grant)
}

/// Whether `by` may revoke this request now (the request page offers it only then).
pub fn may_revoke(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, row: &RequestRow, now: DateTime<Utc>) -> Result<bool, DbError> {
    match may_revoke_grant(conn, org, policy, by, row, now) {
        Ok(_) => Ok(true),
        Err(DbError::Request(_) | DbError::Denied(_) | DbError::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

/// An approver takes an approved request's grant back before its end: the assignment, the
/// personal addition or the unit membership goes in the same transaction, the request shows
/// "revoked" (who, when, why) and the requester is mailed. Allowed as `may_revoke_grant` says;
/// a grant that already ended (its date, the membership) or was removed is not revoked.
#[allow(clippy::too_many_arguments)]
pub fn revoke(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    id: i64,
    comment: Option<&str>,
    public_url: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    use crate::schema::{member_adjustments as ma, role_assignments as ra};
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_TEXT) {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "comment", value: String::new() }.into());
    }
    conn.transaction(|conn| {
        let row = get(conn, org, id)?;
        let grant = may_revoke_grant(conn, org, policy, by, &row, now)?;
        crate::authz::bump(conn, org, Some(policy.version))?;
        mark_revoked(conn, org, id, Some(by), comment, RevokedFrom::Request, actor, now)?;
        let (removed, granted) = match grant {
            Grant::Assignment(a) => (on!(conn, c => diesel::delete(ra::table.filter(ra::id.eq(a)).filter(ra::org_id.eq(org.0))).execute(c))?, Some(a)),
            Grant::Addition(a, _) => (on!(conn, c => diesel::delete(ma::table.filter(ma::id.eq(a)).filter(ma::org_id.eq(org.0))).execute(c))?, Some(a)),
            Grant::Unit(unit) => (on!(conn, c => diesel::delete(mu::table.filter(mu::membership_id.eq(row.requester.0)).filter(mu::unit_id.eq(unit.0))).execute(c))?, None),
        };
        if removed != 1 {
            // Removed meanwhile by another way: nothing of this is kept.
            return Err(refused(Refusal::GrantEnded));
        }
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "access_request.revoked", "access_request", Some(id))
                .unit(row.asked.unit())
                .after(json!({"requester": row.requester.0, "comment": comment, "granted": granted, "from": RevokedFrom::Request.as_str()})),
        )?;
        let s = crate::orgs::settings(conn, org)?;
        let revoked_by = person(conn, by)?.map(|p| p.name).unwrap_or_default();
        if let Some(p) = person(conn, row.requester)? {
            let mail = gatehouse_mail::Mail::AccessRequestRevoked {
                name: p.name.clone(),
                org: s.name.clone(),
                what: row.what(p.locale),
                revoked_by,
                comment: comment.map(str::to_string),
                link: link(conn, public_url, &s.slug, id, now)?,
            };
            send(conn, org, &p, &mail, public_url, actor, now)?;
        }
        Ok(())
    })
}

/// What approved requests granted, ended or removed elsewhere while it still worked (an
/// assignment removed on the member page or ended by retiring its role, a personal addition
/// removed, a membership ended): the requests show it revoked, by `by`, from `from`. `grant` is
/// ("role", an assignment id), ("permission", an addition's id), or None for every live grant of
/// `requester` (the membership ended). Call inside the removing transaction, before the removal.
#[allow(clippy::too_many_arguments)]
pub(crate) fn grant_removed(
    conn: &mut Conn<'_>,
    org: OrgId,
    grant: Option<(&str, i64)>,
    requester: Option<MembershipId>,
    by: Option<MembershipId>,
    from: RevokedFrom,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<usize, DbError> {
    let ids: Vec<i64> = on!(conn, c => {
        let mut q = ar::table
            .filter(ar::org_id.eq(org.0))
            .filter(ar::status.eq(Status::Approved.as_str()))
            // A grant that ended by its date was not taken back.
            .filter(ar::ends_at.is_null().or(ar::ends_at.gt(to_db(now))))
            .select(ar::id)
            .into_boxed();
        if let Some((kind, id)) = grant {
            q = q.filter(ar::kind.eq(kind)).filter(ar::granted_id.eq(id));
        }
        if let Some(r) = requester {
            q = q.filter(ar::requester_id.eq(r.0));
        }
        q.load(c)
    })?;
    for id in &ids {
        mark_revoked(conn, org, *id, by, None, from, actor, now)?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "access_request.revoked", "access_request", Some(*id)).after(json!({"granted": grant.map(|g| g.1), "from": from.as_str()})))?;
    }
    Ok(ids.len())
}

fn pending_due(conn: &mut Conn<'_>, reminders: bool, now: DateTime<Utc>) -> Result<Vec<(i64, i64, chrono::NaiveDateTime, i32, i32, i64)>, DbError> {
    // Candidates: pending requests with their organization's settings and background user.
    let rows: Vec<(i64, i64, chrono::NaiveDateTime, i32, i32, i64)> = on!(conn, c => {
        let mut q = ar::table
            .inner_join(o::table)
            .filter(ar::status.eq(Status::Pending.as_str()))
            .select((ar::id, ar::org_id, ar::created_at, o::request_reminder_days, o::request_expiry_days, o::background_user_id))
            .into_boxed();
        if reminders {
            q = q.filter(ar::reminded_at.is_null());
        }
        q.load(c)
    })?;
    Ok(rows
        .into_iter()
        .filter(|r| {
            let s = Settings { reminder_days: r.3, expiry_days: r.4 };
            let asked = from_db(r.2);
            if reminders {
                s.remind_at(asked).is_some_and(|t| t <= now) && s.expires_at(asked) > now
            } else {
                s.expires_at(asked) <= now
            }
        })
        .collect())
}

/// The background users remind the approvers of requests undecided after the organization's
/// reminder days, once each (claimed per row). Returns how many requests were reminded.
pub fn remind_due(conn: &mut Conn<'_>, public_url: &str, now: DateTime<Utc>) -> Result<usize, DbError> {
    let mut n = 0;
    for (id, org, asked, reminder_days, expiry_days, background) in pending_due(conn, true, now)? {
        let org = OrgId(org);
        let actor = Actor::Background { user: UserId(background) };
        let done = conn.transaction(|conn| {
            let claimed = on!(conn, c => diesel::update(ar::table.filter(ar::id.eq(id)).filter(ar::status.eq(Status::Pending.as_str())).filter(ar::reminded_at.is_null()))
                .set((ar::reminded_at.eq(Some(to_db(now))), ar::updated_at.eq(to_db(now)), ar::updated_by_kind.eq(actor.kind()), ar::updated_by_id.eq(actor.id())))
                .execute(c))?;
            if claimed == 0 {
                return Ok(false);
            }
            let row = get(conn, org, id)?;
            let policy = crate::authz::load_policy(conn, org)?;
            let s = crate::orgs::settings(conn, org)?;
            let expires = Settings { reminder_days, expiry_days }.expires_at(from_db(asked));
            for approver in dr::approvers(&policy, row.requester, &row.asked, now) {
                let Some(p) = person(conn, approver)? else { continue };
                let mail = gatehouse_mail::Mail::AccessRequestReminder {
                    approver: p.name.clone(),
                    requester: row.requester_name.clone(),
                    org: s.name.clone(),
                    what: row.what(p.locale),
                    expires: crate::orgs::local_time(&s.time_zone, expires),
                    link: link(conn, public_url, &s.slug, id, now)?,
                };
                send(conn, org, &p, &mail, public_url, actor, now)?;
            }
            audit::record(conn, now, &AuditEntry::new(Some(org), actor, "access_request.reminded", "access_request", Some(id)))?;
            Ok(true)
        });
        // One request that cannot be reminded (its transaction rolled back) does not stop the
        // others; it is tried again next round.
        match done {
            Ok(done) => n += usize::from(done),
            Err(e) => tracing::error!(request = id, error = %e, "reminding an access request failed"),
        }
    }
    Ok(n)
}

/// The background users expire requests nobody decided within the organization's expiry days
/// (expired, not denied), and tell the requester. Returns how many expired.
pub fn expire_due(conn: &mut Conn<'_>, public_url: &str, now: DateTime<Utc>) -> Result<usize, DbError> {
    let mut n = 0;
    for (id, org, _, _, _, background) in pending_due(conn, false, now)? {
        let org = OrgId(org);
        let actor = Actor::Background { user: UserId(background) };
        let done = conn.transaction(|conn| {
            match close(conn, org, id, Status::Expired, None, None, actor, now) {
                Ok(()) => {}
                Err(DbError::Request(Refusal::AlreadyClosed(_))) => return Ok(false),
                Err(e) => return Err(e),
            }
            let row = get(conn, org, id)?;
            let s = crate::orgs::settings(conn, org)?;
            if let Some(p) = person(conn, row.requester)? {
                let mail = gatehouse_mail::Mail::AccessRequestExpired { name: p.name.clone(), org: s.name.clone(), what: row.what(p.locale), link: link(conn, public_url, &s.slug, id, now)? };
                send(conn, org, &p, &mail, public_url, actor, now)?;
            }
            audit::record(conn, now, &AuditEntry::new(Some(org), actor, "access_request.expired", "access_request", Some(id)))?;
            Ok(true)
        });
        match done {
            Ok(done) => n += usize::from(done),
            Err(e) => tracing::error!(request = id, error = %e, "expiring an access request failed"),
        }
    }
    Ok(n)
}


/// Changes the organization's request settings (settings.edit organization-wide): reminder
/// after 0–90 days (0: never), expiry after 1–180 days.
pub fn update_settings(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, s: Settings, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, "settings.edit", &gatehouse_domain::authz::Target::Organization, now)?;
    if !(0..=90).contains(&s.reminder_days) {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "reminder_days", value: s.reminder_days.to_string() }.into());
    }
    if !(1..=180).contains(&s.expiry_days) {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "expiry_days", value: s.expiry_days.to_string() }.into());
    }
    conn.transaction(|conn| {
        let before = settings(conn, org)?;
        on!(conn, c => diesel::update(o::table.find(org.0))
            .set((
                o::request_reminder_days.eq(s.reminder_days),
                o::request_expiry_days.eq(s.expiry_days),
                o::updated_at.eq(to_db(now)),
                o::version.eq(o::version + 1),
                o::updated_by_kind.eq(actor.kind()),
                o::updated_by_id.eq(actor.id()),
            ))
            .execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "organization.request_settings", "organization", Some(org.0))
                .before(json!({"reminder_days": before.reminder_days, "expiry_days": before.expiry_days}))
                .after(json!({"reminder_days": s.reminder_days, "expiry_days": s.expiry_days})),
        )?;
        Ok(())
    })
}
