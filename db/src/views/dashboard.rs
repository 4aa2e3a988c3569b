use crate::schema::{audit_events as ae, memberships as m, roles as r, tags as t, units as un, users as u};
use crate::{from_db, on, Conn, DbError};
use diesel::dsl::count_star;
use diesel::prelude::*;
use gatehouse_domain::ids::OrgId;
use gatehouse_domain::member::{MemberKind, MemberStatus};
use gatehouse_domain::views::{AuditLine, Count, Dashboard};
use std::collections::HashMap;

/// The dashboard's figures: counted by the database for this organization only.
#[derive(Debug, Clone)]
pub struct Figures {
    org_name: String,
    by_status: Vec<Count>,
    by_kind: Vec<Count>,
    active_counted: i64,
    invited: i64,
    units: i64,
    roles: i64,
    tags: i64,
    members_over_time: Vec<(String, i64)>,
    requests_by_status: Vec<Count>,
    acknowledgments: Vec<(String, i64, i64)>,
}

/// The dashboard with freshly counted figures.
pub fn dashboard(conn: &mut Conn<'_>, org: OrgId, now: chrono::DateTime<chrono::Utc>) -> Result<Dashboard, DbError> {
    let f = figures(conn, org, now)?;
    with_figures(conn, org, f)
}

/// The dashboard around figures already counted (`super::counts::CountsCache::figures`).
pub fn with_figures(conn: &mut Conn<'_>, org: OrgId, f: Figures) -> Result<Dashboard, DbError> {
    Ok(Dashboard {
        org_name: f.org_name,
        by_status: f.by_status,
        by_kind: f.by_kind,
        active_counted: f.active_counted,
        invited: f.invited,
        units: f.units,
        roles: f.roles,
        tags: f.tags,
        members_over_time: f.members_over_time,
        requests_by_status: f.requests_by_status,
        review_progress: Vec::new(),
        acknowledgments: f.acknowledgments,
        recent: recent_audit(conn, org, None, 10)?,
        pending_requests: Vec::new(),
        expiring: Vec::new(),
        compliance_cases: Vec::new(),
        compliance_open: None,
    })
}

pub(super) fn figures(conn: &mut Conn<'_>, org: OrgId, now: chrono::DateTime<chrono::Utc>) -> Result<Figures, DbError> {
    use crate::schema::organizations as o;
    let (org_name, time_zone): (String, String) = on!(conn, c => o::table.find(org.0).select((o::name, o::time_zone)).first(c))?;
    // One pass over the organization's memberships (an index-only scan) gives every figure.
    let groups: Vec<(String, String, i64)> = on!(conn, c => m::table
        .filter(m::org_id.eq(org.0))
        .filter(m::role_holder_only.eq(false))
        .group_by((m::status, m::member_kind))
        .select((m::status, m::member_kind, count_star()))
        .load(c))?;
    let mut status_map: HashMap<String, i64> = HashMap::new();
    let mut kind_map: HashMap<String, i64> = HashMap::new();
    let mut active_counted = 0;
    for (status, kind, n) in &groups {
        *status_map.entry(status.clone()).or_default() += n;
        if status != MemberStatus::Anonymized.as_str() {
            *kind_map.entry(kind.clone()).or_default() += n;
        }
        if status == MemberStatus::Active.as_str() && kind != MemberKind::Auditor.as_str() {
            active_counted += n;
        }
    }
    let units: i64 = on!(conn, c => un::table.filter(un::org_id.eq(org.0)).count().get_result(c))?;
    let roles: i64 = on!(conn, c => r::table.filter(r::org_id.eq(org.0)).filter(r::retired_at.is_null()).count().get_result(c))?;
    let tags: i64 = on!(conn, c => t::table.filter(t::org_id.eq(org.0)).count().get_result(c))?;

    // Fixed order, zeros included, so the screen always shows every status and kind.
    let by_status = MemberStatus::ALL
        .iter()
        .map(|s| Count { key: s.as_str().into(), count: status_map.get(s.as_str()).copied().unwrap_or(0) })
        .collect::<Vec<_>>();
    let by_kind = MemberKind::ALL
        .iter()
        .map(|k| Count { key: k.as_str().into(), count: kind_map.get(k.as_str()).copied().unwrap_or(0) })
        .collect();
    let invited = status_map.get(MemberStatus::Invited.as_str()).copied().unwrap_or(0);
    let members_over_time = members_over_time(conn, org, &time_zone, now, 12)?;
    let requests_by_status = requests_by_status(conn, org)?;
    let acknowledgments = if crate::acknowledgments::any_in_force(conn, org)? {
        let tree = crate::units::tree(conn, org)?;
        crate::acknowledgments::figures(conn, org, &tree, now)?.into_iter().take(8).map(|(p, f)| (p.title, f.done, f.asked)).collect()
    } else {
        Vec::new()
    };
    Ok(Figures { org_name, by_status, by_kind, active_counted, invited, units, roles, tags, members_over_time, requests_by_status, acknowledgments })
}

/// Active members (as the dashboard counts them: not role holders only, not auditors) at the end
/// of each of the last `months` months in the organization's time zone, the current month up to
/// `now`: (`YYYY-MM`, count). Counted from who was in at the window's start plus the joins and
/// departures since, so the cost follows the organization's churn, not its size.
pub fn members_over_time(conn: &mut Conn<'_>, org: OrgId, time_zone: &str, now: chrono::DateTime<chrono::Utc>, months: u32) -> Result<Vec<(String, i64)>, DbError> {
    let (start, points) = gatehouse_domain::charts::month_points(time_zone, now, months);
    let counted = || {
        m::table
            .filter(m::org_id.eq(org.0))
            .filter(m::role_holder_only.eq(false))
            .filter(m::member_kind.ne(MemberKind::Auditor.as_str()))
            .filter(m::joined_at.is_not_null())
    };
    let baseline: i64 = on!(conn, c => counted()
        .filter(m::joined_at.le(crate::to_db(start)))
        .filter(m::ended_at.is_null().or(m::ended_at.gt(crate::to_db(start))))
        .count()
        .get_result(c))?;
    let churn: Vec<(Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>)> = on!(conn, c => counted()
        .filter(m::joined_at.gt(crate::to_db(start)).or(m::ended_at.gt(crate::to_db(start))))
        .select((m::joined_at, m::ended_at))
        .load(c))?;
    let churn: Vec<(Option<chrono::DateTime<chrono::Utc>>, Option<chrono::DateTime<chrono::Utc>>)> = churn.into_iter().map(|(j, e)| (j.map(crate::from_db), e.map(crate::from_db))).collect();
    Ok(gatehouse_domain::charts::series(baseline, start, &points, &churn))
}

/// Access requests by status, every status in a fixed order.
pub fn requests_by_status(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<Count>, DbError> {
    use crate::schema::access_requests as ar;
    let rows: Vec<(String, i64)> = on!(conn, c => ar::table.filter(ar::org_id.eq(org.0)).group_by(ar::status).select((ar::status, count_star())).load(c))?;
    Ok(gatehouse_domain::requests::Status::ALL
        .iter()
        .map(|s| Count { key: s.as_str().into(), count: rows.iter().find(|(k, _)| k == s.as_str()).map(|(_, n)| *n).unwrap_or(0) })
        .collect())
}

/// Role assignments of active members ending between `now` and `until`, soonest first.
pub fn expiring(conn: &mut Conn<'_>, org: OrgId, now: chrono::DateTime<chrono::Utc>, until: chrono::DateTime<chrono::Utc>, limit: i64) -> Result<Vec<gatehouse_domain::views::ExpiringGrant>, DbError> {
    use crate::schema::{memberships as m, role_assignments as ra, roles as r, units as un, users as u};
    #[allow(clippy::type_complexity)]
    let rows: Vec<(i64, Option<String>, String, Option<String>, Option<chrono::NaiveDateTime>)> = crate::on!(conn, c => ra::table
        .inner_join(r::table)
        .inner_join(m::table.left_join(u::table))
        .left_join(un::table.on(un::id.nullable().eq(ra::unit_id)))
        .filter(ra::org_id.eq(org.0))
        .filter(m::status.eq("active"))
        .filter(ra::ends_at.gt(crate::to_db(now)))
        .filter(ra::ends_at.le(crate::to_db(until)))
        .order(ra::ends_at.asc())
        .limit(limit)
        .select((m::id, u::display_name.nullable(), r::name, un::name.nullable(), ra::ends_at))
        .load(c))?;
    Ok(rows
        .into_iter()
        .filter_map(|(member, name, role, unit, ends)| {
            Some(gatehouse_domain::views::ExpiringGrant { member, member_name: name.unwrap_or_default(), role, unit, ends_at: crate::from_db(ends?) })
        })
        .collect())
}

/// Recent audit events of the organization (optionally only those about one membership), with
/// the acting member's name resolved.
pub fn recent_audit(conn: &mut Conn<'_>, org: OrgId, target_member: Option<i64>, limit: i64) -> Result<Vec<AuditLine>, DbError> {
    type Row = (i64, chrono::NaiveDateTime, String, Option<i64>, String, String, Option<i64>);
    let rows: Vec<Row> = on!(conn, c => {
        let mut q = ae::table
            .filter(ae::org_id.eq(org.0))
            .order((ae::occurred_at.desc(), ae::id.desc()))
            .limit(limit)
            .select((ae::id, ae::occurred_at, ae::actor_kind, ae::actor_id, ae::action, ae::target_kind, ae::target_id))
            .into_boxed();
        if let Some(mid) = target_member {
            q = q.filter(ae::target_kind.eq("membership")).filter(ae::target_id.eq(mid));
        }
        q.load(c)
    })?;
    let member_ids: Vec<i64> = rows
        .iter()
        .filter(|r| r.2 == "user" || r.2 == "staff_as_user")
        .filter_map(|r| r.3)
        .collect();
    let names: Vec<(i64, Option<String>, Option<String>)> = if member_ids.is_empty() {
        Vec::new()
    } else {
        on!(conn, c => m::table
            .left_join(u::table)
            .filter(m::org_id.eq(org.0))
            .filter(crate::any_id::any_id(m::id, &member_ids))
            .select((m::id, u::display_name.nullable(), m::pseudonym))
            .load(c))?
    };
    let names: HashMap<i64, String> =
        names.into_iter().filter_map(|(id, n, p)| p.or(n).map(|n| (id, n))).collect();
    Ok(rows
        .into_iter()
        .map(|(id, at, actor_kind, actor_id, action, target_kind, target_id)| AuditLine {
            id,
            occurred_at: from_db(at),
            actor_name: if actor_kind == "user" || actor_kind == "staff_as_user" {
                actor_id.and_then(|a| names.get(&a).cloned())
            } else {
                None
            },
            actor_kind,
            action,
            target_kind,
            target_id,
        })
        .collect())
}
