//! Read models of the JSON API: pages by cursor (an id to go on after), so a program walks a
//! list of any length with one indexed range per page and no offset, however the list changes
//! between its calls.
use crate::schema::{audit_events as ae, membership_tags as mt, membership_units as mu, memberships as m, role_assignments as ra, roles as r, tags as t, users as u};
use crate::{from_db, on, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::ids::OrgId;
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiMember {
    pub id: i64,
    pub name: String,
    /// None once anonymized.
    pub email: Option<String>,
    pub status: String,
    pub kind: String,
    pub job_title: Option<String>,
    pub joined_at: Option<DateTime<Utc>>,
    pub units: Vec<i64>,
    pub tags: Vec<String>,
}

/// Members (not role holders only, not technical users) with ids above `after`, in id order.
pub fn members(conn: &mut Conn<'_>, org: OrgId, after: i64, limit: i64) -> Result<Vec<ApiMember>, DbError> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(i64, Option<String>, Option<String>, Option<String>, String, String, Option<String>, Option<chrono::NaiveDateTime>)> = on!(conn, c => m::table
        .left_join(u::table)
        .filter(m::org_id.eq(org.0))
        .filter(m::role_holder_only.eq(false))
        .filter(m::id.gt(after))
        .order(m::id.asc())
        .limit(limit)
        .select((m::id, u::display_name.nullable(), u::email.nullable(), m::pseudonym, m::status, m::member_kind, m::job_title, m::joined_at))
        .load(c))?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    let mut units: HashMap<i64, Vec<i64>> = HashMap::new();
    if !ids.is_empty() {
        let named: Vec<(i64, String)> = on!(conn, c => mt::table.inner_join(t::table).filter(crate::any_id::any_id(mt::membership_id, &ids)).select((mt::membership_id, t::name)).load(c))?;
        for (mid, name) in named {
            tags.entry(mid).or_default().push(name);
        }
        let pairs: Vec<(i64, i64)> = on!(conn, c => mu::table.filter(crate::any_id::any_id(mu::membership_id, &ids)).select((mu::membership_id, mu::unit_id)).load(c))?;
        for (mid, unit) in pairs {
            units.entry(mid).or_default().push(unit);
        }
    }
    Ok(rows
        .into_iter()
        .map(|(id, name, email, pseudonym, status, kind, job_title, joined)| {
            let anonymized = pseudonym.is_some();
            let mut us = units.remove(&id).unwrap_or_default();
            us.sort_unstable();
            let mut ts = tags.remove(&id).unwrap_or_default();
            ts.sort_unstable();
            ApiMember {
                id,
                name: pseudonym.or(name).unwrap_or_default(),
                email: if anonymized { None } else { email },
                status,
                kind,
                job_title,
                joined_at: joined.map(from_db),
                units: us,
                tags: ts,
            }
        })
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiAssignment {
    pub id: i64,
    pub member: i64,
    pub role: i64,
    pub role_key: String,
    pub unit: Option<i64>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// Role assignments with ids above `after`, in id order (ended ones too, with their end).
pub fn assignments(conn: &mut Conn<'_>, org: OrgId, after: i64, limit: i64) -> Result<Vec<ApiAssignment>, DbError> {
    let rows: Vec<(i64, i64, i64, String, Option<i64>, Option<chrono::NaiveDateTime>)> = on!(conn, c => ra::table
        .inner_join(r::table)
        .filter(ra::org_id.eq(org.0))
        .filter(ra::id.gt(after))
        .order(ra::id.asc())
        .limit(limit)
        .select((ra::id, ra::membership_id, ra::role_id, r::key, ra::unit_id, ra::ends_at))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, member, role, role_key, unit, ends)| ApiAssignment { id, member, role, role_key, unit, ends_at: ends.map(from_db) })
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiAuditEvent {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub actor_staff_id: Option<i64>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<i64>,
    pub unit: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
}

/// Audit events with ids below `before` (newest first; `i64::MAX` for the newest page).
pub fn audit_events(conn: &mut Conn<'_>, org: OrgId, before: i64, limit: i64) -> Result<Vec<ApiAuditEvent>, DbError> {
    type Row = (i64, chrono::NaiveDateTime, String, Option<i64>, Option<i64>, String, String, Option<i64>, Option<i64>, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Row> = on!(conn, c => ae::table
        .filter(ae::org_id.eq(org.0))
        .filter(ae::id.lt(before))
        .order(ae::id.desc())
        .limit(limit)
        .select((ae::id, ae::occurred_at, ae::actor_kind, ae::actor_id, ae::actor_staff_id, ae::action, ae::target_kind, ae::target_id, ae::unit_id, ae::before_data, ae::after_data, ae::request_id))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, at, actor_kind, actor_id, actor_staff_id, action, target_kind, target_id, unit, before, after, request_id)| ApiAuditEvent {
            id,
            occurred_at: from_db(at),
            actor_kind,
            actor_id,
            actor_staff_id,
            action,
            target_kind,
            target_id,
            unit,
            before,
            after,
            request_id,
        })
        .collect())
}

/// The member an assignment of `org` belongs to.
pub fn assignment_member(conn: &mut Conn<'_>, org: OrgId, assignment: i64) -> Result<gatehouse_domain::ids::MembershipId, DbError> {
    let m: Option<i64> = on!(conn, c => ra::table.filter(ra::id.eq(assignment)).filter(ra::org_id.eq(org.0)).select(ra::membership_id).first(c).optional())?;
    m.map(gatehouse_domain::ids::MembershipId).ok_or(DbError::NotFound)
}

/// The decision point's member: an active membership of `org`, named by id or by the person's
/// email address.
pub fn active_member(conn: &mut Conn<'_>, org: OrgId, id: Option<i64>, email: Option<&str>) -> Result<Option<gatehouse_domain::ids::MembershipId>, DbError> {
    let found: Option<i64> = match (id, email) {
        (Some(id), _) => on!(conn, c => m::table.filter(m::id.eq(id)).filter(m::org_id.eq(org.0)).filter(m::status.eq("active")).select(m::id).first(c).optional())?,
        (None, Some(e)) => on!(conn, c => m::table
            .inner_join(u::table)
            .filter(m::org_id.eq(org.0))
            .filter(m::status.eq("active"))
            .filter(u::email.eq(e.trim().to_lowercase()))
            .select(m::id)
            .first(c)
            .optional())?,
        (None, None) => None,
    };
    Ok(found.map(gatehouse_domain::ids::MembershipId))
}
