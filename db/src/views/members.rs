use crate::schema::{
    membership_tags as mt, membership_units as mu, memberships as m, org_role_holders as orh, role_assignments as ra,
    roles as r, tags as t, units as un, users as u,
};
use crate::{from_db, on, Conn, DbError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use gatehouse_domain::ids::{MembershipId, OrgId, RoleId};
use gatehouse_domain::members_query::{MemberQuery, MemberSort};
use gatehouse_domain::views::{MemberDetail, MemberFilters, MemberPage, MemberRow, NamedRef, RoleAssignmentLine};
use std::collections::HashMap;

diesel::define_sql_function! {
    /// SQL `lower()` on a nullable text.
    fn lower(x: Nullable<Text>) -> Nullable<Text>;
}

/// `%text%` with LIKE's wildcards escaped (escape character `\`).
fn like_pattern(s: &str) -> String {
    let mut p = String::with_capacity(s.len() + 2);
    p.push('%');
    for ch in s.to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(ch);
    }
    p.push('%');
    p
}

/// Applies the organization and the list's filters (unit subtree, tag, kind, status) to a boxed
/// query over memberships, for one backend.
macro_rules! member_filters {
    ($b:expr, $org:expr, $q:expr, $unit_ids:expr) => {{
        let mut b = $b.filter(m::org_id.eq($org.0)).filter(m::role_holder_only.eq(false));
        if let Some(ids) = $unit_ids {
            b = b.filter(m::id.eq_any(mu::table.filter(mu::unit_id.eq_any(ids)).select(mu::membership_id)));
        }
        if let Some(tag) = $q.tag {
            b = b.filter(m::id.eq_any(mt::table.filter(mt::tag_id.eq(tag.0)).select(mt::membership_id)));
        }
        if let Some(k) = $q.kind {
            b = b.filter(m::member_kind.eq(k.as_str()));
        }
        if let Some(s) = $q.status {
            b = b.filter(m::status.eq(s.as_str()));
        }
        b
    }};
}

/// The filtered (not yet ordered or paged) members query joined with users, with the search.
macro_rules! filtered {
    ($org:expr, $q:expr, $pattern:expr, $unit_ids:expr) => {{
        let mut b = member_filters!(m::table.left_join(u::table).into_boxed(), $org, $q, $unit_ids);
        if let Some(p) = $pattern {
            b = b.filter(
                lower(u::display_name.nullable())
                    .like(p.clone())
                    .escape('\\')
                    .or(u::email.nullable().like(p.clone()).escape('\\'))
                    .or(lower(m::pseudonym).like(p.clone()).escape('\\')),
            );
        }
        b
    }};
}

type ListRow = (i64, Option<String>, Option<String>, Option<String>, String, String, NaiveDateTime);

/// One page of the organization's members. A unit filter includes every unit below it.
pub fn list(conn: &mut Conn<'_>, org: OrgId, q: &MemberQuery) -> Result<MemberPage, DbError> {
    list_within(conn, org, q, None)
}

/// One page of the members placed in the subtrees of `within` (the caller's reach), or of the
/// whole organization when `None`.
pub fn list_within(conn: &mut Conn<'_>, org: OrgId, q: &MemberQuery, within: Option<&[gatehouse_domain::ids::UnitId]>) -> Result<MemberPage, DbError> {
    let pattern = q.search.as_deref().map(like_pattern);
    let unit_ids: Option<Vec<i64>> = if q.unit.is_some() || within.is_some() {
        let tree = crate::units::tree(conn, org)?;
        let mut ids: Option<Vec<i64>> = q.unit.map(|u| tree.subtree(u).into_iter().map(|u| u.0).collect()); // empty when not this org's unit
        if let Some(anchors) = within {
            let reach: Vec<i64> = anchors.iter().flat_map(|a| tree.subtree(*a)).map(|u| u.0).collect();
            ids = Some(match ids {
                Some(filter) => filter.into_iter().filter(|u| reach.contains(u)).collect(),
                None => reach,
            });
        }
        ids
    } else {
        None
    };
    // Without a search the count needs no join with users.
    let total: i64 = if pattern.is_none() {
        on!(conn, c => member_filters!(m::table.into_boxed(), org, q, unit_ids.as_ref()).select(count_star()).first(c))?
    } else {
        on!(conn, c => filtered!(org, q, pattern.as_ref(), unit_ids.as_ref()).select(count_star()).first(c))?
    };
    let rows: Vec<ListRow> = on!(conn, c => {
        let b = filtered!(org, q, pattern.as_ref(), unit_ids.as_ref())
            .select((m::id, u::display_name.nullable(), u::email.nullable(), m::pseudonym, m::status, m::member_kind, m::created_at));
        let b = match (q.sort, q.descending) {
            (MemberSort::Name, false) => b.order((lower(u::display_name.nullable()).asc(), m::id.asc())),
            (MemberSort::Name, true) => b.order((lower(u::display_name.nullable()).desc(), m::id.desc())),
            (MemberSort::Email, false) => b.order((u::email.nullable().asc(), m::id.asc())),
            (MemberSort::Email, true) => b.order((u::email.nullable().desc(), m::id.desc())),
            (MemberSort::Kind, false) => b.order((m::member_kind.asc(), lower(u::display_name.nullable()).asc(), m::id.asc())),
            (MemberSort::Kind, true) => b.order((m::member_kind.desc(), lower(u::display_name.nullable()).asc(), m::id.asc())),
            (MemberSort::Status, false) => b.order((m::status.asc(), lower(u::display_name.nullable()).asc(), m::id.asc())),
            (MemberSort::Status, true) => b.order((m::status.desc(), lower(u::display_name.nullable()).asc(), m::id.asc())),
            (MemberSort::Joined, false) => b.order((m::created_at.asc(), m::id.asc())),
            (MemberSort::Joined, true) => b.order((m::created_at.desc(), m::id.desc())),
        };
        b.offset(q.offset() as i64).limit(i64::from(q.per_page)).load(c)
    })?;

    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut tags_of = names_by_member(conn, &ids, NameSource::Tags)?;
    let mut units_of = names_by_member(conn, &ids, NameSource::Units)?;
    let total = total.max(0) as u64;
    Ok(MemberPage {
        rows: rows
            .into_iter()
            .map(|(id, name, email, pseudonym, status, kind, created)| MemberRow {
                id: MembershipId(id),
                name: pseudonym.or(name).unwrap_or_default(),
                email,
                status,
                kind,
                tags: tags_of.remove(&id).unwrap_or_default(),
                units: units_of.remove(&id).unwrap_or_default(),
                created_at: from_db(created),
                roles: Vec::new(),
            })
            .collect(),
        total,
        page: q.page,
        page_count: q.page_count(total),
    })
}

enum NameSource {
    Tags,
    Units,
}

fn names_by_member(conn: &mut Conn<'_>, ids: &[i64], src: NameSource) -> Result<HashMap<i64, Vec<String>>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let pairs: Vec<(i64, String)> = match src {
        NameSource::Tags => on!(conn, c => mt::table
            .inner_join(t::table)
            .filter(mt::membership_id.eq_any(ids))
            .order(t::name.asc())
            .select((mt::membership_id, t::name))
            .load(c))?,
        NameSource::Units => on!(conn, c => mu::table
            .inner_join(un::table)
            .filter(mu::membership_id.eq_any(ids))
            .order(un::name.asc())
            .select((mu::membership_id, un::name))
            .load(c))?,
    };
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, name) in pairs {
        out.entry(id).or_default().push(name);
    }
    Ok(out)
}

pub fn filters(conn: &mut Conn<'_>, org: OrgId) -> Result<MemberFilters, DbError> {
    let tree = crate::units::tree(conn, org)?;
    Ok(MemberFilters {
        units: tree.walk().into_iter().map(|(d, n)| (n.id, d, n.name.clone())).collect(),
        tags: crate::tags::list(conn, org)?,
    })
}

type DetailRow = (
    i64,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<NaiveDate>,
    bool,
    Option<NaiveDateTime>,
    (NaiveDateTime, NaiveDateTime, i32, String, Option<i64>),
);

/// One member of this organization, or `NotFound` (also when the id belongs to another one).
pub fn detail(conn: &mut Conn<'_>, org: OrgId, id: MembershipId, now: DateTime<Utc>) -> Result<MemberDetail, DbError> {
    let row: DetailRow = on!(conn, c => m::table
        .left_join(u::table)
        .filter(m::org_id.eq(org.0))
        .filter(m::id.eq(id.0))
        .select((
            m::id,
            u::display_name.nullable(),
            u::email.nullable(),
            u::locale.nullable(),
            m::pseudonym,
            m::status,
            m::member_kind,
            m::mobile_phone,
            m::job_title,
            m::end_date,
            m::role_holder_only,
            m::joined_at,
            (m::created_at, m::updated_at, m::version, m::updated_by_kind, m::updated_by_id),
        ))
        .first(c))?;
    let (mid, name, email, locale, pseudonym, status, kind, phone, job, end_date, rho, joined, (created, updated, version, by_kind, by_id)) = row;
    let units: Vec<(i64, String)> = on!(conn, c => mu::table
        .inner_join(un::table)
        .filter(mu::membership_id.eq(mid))
        .order(un::name.asc())
        .select((un::id, un::name))
        .load(c))?;
    let tags: Vec<String> = on!(conn, c => mt::table
        .inner_join(t::table)
        .filter(mt::membership_id.eq(mid))
        .order(t::name.asc())
        .select(t::name)
        .load(c))?;
    let org_roles: Vec<String> = on!(conn, c => orh::table
        .filter(orh::membership_id.eq(mid))
        .order(orh::role.asc())
        .select(orh::role)
        .load(c))?;
    let assignments: Vec<(i64, String, Option<String>, Option<NaiveDateTime>)> = on!(conn, c => ra::table
        .inner_join(r::table)
        .left_join(un::table.on(ra::unit_id.eq(un::id.nullable())))
        .filter(ra::membership_id.eq(mid))
        .order(r::name.asc())
        .select((r::id, r::name, un::name.nullable(), ra::ends_at))
        .load(c))?;
    let updated_by = describe_actor(conn, org, &by_kind, by_id)?;
    Ok(MemberDetail {
        id: MembershipId(mid),
        name: pseudonym.or(name).unwrap_or_default(),
        email,
        locale,
        status,
        kind,
        mobile_phone: phone,
        job_title: job,
        end_date,
        role_holder_only: rho,
        joined_at: joined.map(from_db),
        units: units.into_iter().map(|(id, name)| NamedRef { id, name }).collect(),
        tags,
        org_roles,
        assignments: assignments
            .into_iter()
            .map(|(role, role_name, unit, ends)| RoleAssignmentLine {
                role: RoleId(role),
                role_name,
                unit,
                ends_at: ends.map(from_db),
                expired: ends.is_some_and(|e| from_db(e) <= now),
            })
            .collect(),
        created_at: from_db(created),
        updated_at: from_db(updated),
        version,
        updated_by,
        recent: super::dashboard::recent_audit(conn, org, Some(mid), 10)?,
    })
}

/// "Last changed by" in words: a member's name, or the kind of actor.
pub fn describe_actor(conn: &mut Conn<'_>, org: OrgId, kind: &str, id: Option<i64>) -> Result<String, DbError> {
    if matches!(kind, "user" | "staff_as_user") {
        if let Some(id) = id {
            let n: Option<(Option<String>, Option<String>)> = on!(conn, c => m::table
                .left_join(u::table)
                .filter(m::org_id.eq(org.0))
                .filter(m::id.eq(id))
                .select((u::display_name.nullable(), m::pseudonym))
                .first(c)
                .optional())?;
            if let Some((name, pseudonym)) = n {
                return Ok(pseudonym.or(name).unwrap_or_default());
            }
        }
    }
    Ok(kind.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_patterns_escape_wildcards() {
        assert_eq!(super::like_pattern("Anna"), "%anna%");
        assert_eq!(super::like_pattern("50%_a\\"), "%50\\%\\_a\\\\%");
    }
}
