use crate::schema::{
    membership_tags as mt, membership_units as mu, memberships as m, org_role_holders as orh, role_assignments as ra,
    roles as r, tags as t, units as un, users as u,
};
use crate::{from_db, on, Conn, DbError};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use gatehouse_domain::ids::{MembershipId, OrgId, RoleId};
use gatehouse_domain::members_query::{MemberQuery, MemberSort};
use gatehouse_domain::views::{MemberDetail, MemberFilters, MemberPage, MemberRow, NamedRef, RoleAssignmentLine};
use std::collections::HashMap;

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

/// Applies the organization and the list's filters (unit subtree, tag, kind, status, search) to
/// a boxed query over memberships alone: every one of them is answered by the membership's own
/// columns (the search by its folded `search_key`), so counting and paging walk one index.
macro_rules! member_filters {
    ($b:expr, $org:expr, $q:expr, $unit_ids:expr, $pattern:expr) => {{
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
        if let Some(p) = $pattern {
            b = b.filter(m::search_key.like(p.clone()).escape('\\'));
        }
        b
    }};
}

/// The ids of one page, in the list's order: `skip` rows into the order, or into the reversed
/// order when `reversed` (a page past the middle is counted from the end, so no page skips more
/// than half of the list). Every order ends on the id, so reversing it is exact.
macro_rules! page_ids {
    ($b:expr, $q:expr, $reversed:expr, $skip:expr, $take:expr, $c:expr) => {{
        // (column order, flipped) → asc/desc
        let asc = !($q.descending ^ $reversed);
        let b = match ($q.sort, asc) {
            (MemberSort::Name, true) => $b.order((m::sort_key.asc(), m::id.asc())),
            (MemberSort::Name, false) => $b.order((m::sort_key.desc(), m::id.desc())),
            (MemberSort::Joined, true) => $b.order((m::created_at.asc(), m::id.asc())),
            (MemberSort::Joined, false) => $b.order((m::created_at.desc(), m::id.desc())),
            // Kind and status: the chosen direction on the column, then names A–Z.
            (MemberSort::Kind, _) | (MemberSort::Status, _) => {
                let col_asc = !$q.descending ^ $reversed;
                let by_name_asc = !$reversed;
                let b = match ($q.sort, col_asc) {
                    (MemberSort::Kind, true) => $b.order(m::member_kind.asc()),
                    (MemberSort::Kind, false) => $b.order(m::member_kind.desc()),
                    (_, true) => $b.order(m::status.asc()),
                    (_, false) => $b.order(m::status.desc()),
                };
                if by_name_asc { b.then_order_by((m::sort_key.asc(), m::id.asc())) } else { b.then_order_by((m::sort_key.desc(), m::id.desc())) }
            }
            (MemberSort::Email, _) => unreachable!("sorted by address through the users table"),
        };
        b.select(m::id).offset($skip).limit($take).load::<i64>($c)
    }};
}

type ListRow = (i64, Option<String>, Option<String>, Option<String>, String, String, NaiveDateTime);

/// One page of the organization's members. A unit filter includes every unit below it.
pub fn list(conn: &mut Conn<'_>, org: OrgId, q: &MemberQuery) -> Result<MemberPage, DbError> {
    list_within(conn, org, q, None)
}

/// One page of the members placed in the subtrees of `within` (the caller's reach), or of the
/// whole organization when `None`.
///
/// Cost follows the page, not the organization: the count and the page are walks along
/// `memberships_org_name` (or `memberships_org_joined`), the search compares the stored folded
/// key ("özdemir" and "ozdemir" both find "Özdemir", on both databases), and only the page's
/// rows are joined with their people, tags and units.
pub fn list_within(conn: &mut Conn<'_>, org: OrgId, q: &MemberQuery, within: Option<&[gatehouse_domain::ids::UnitId]>) -> Result<MemberPage, DbError> {
    list_counted(conn, org, q, within, None)
}

/// [`list_within`], with the total taken from `counts` when it was counted moments ago.
pub fn list_counted(
    conn: &mut Conn<'_>,
    org: OrgId,
    q: &MemberQuery,
    within: Option<&[gatehouse_domain::ids::UnitId]>,
    counts: Option<&super::counts::CountsCache>,
) -> Result<MemberPage, DbError> {
    let pattern = q.search.as_deref().map(|s| like_pattern(&gatehouse_domain::members_query::fold(s)));
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
    let count = {
        let (q, unit_ids, pattern) = (q.clone(), unit_ids.clone(), pattern.clone());
        move |conn: &mut Conn<'_>| -> Result<u64, DbError> {
            let q = &q;
            let n: i64 = on!(conn, c => member_filters!(m::table.into_boxed(), org, q, unit_ids.as_ref(), pattern.as_ref()).select(count_star()).first(c))?;
            Ok(n.max(0) as u64)
        }
    };
    let total = match counts {
        // not user text: a cache key
        Some(cache) => cache.total(conn, org, format!("{pattern:?}|{unit_ids:?}|{:?}|{:?}|{:?}", q.tag, q.kind, q.status), count)?,
        None => count(conn)?,
    };
    let start = q.offset().min(total);
    let end = (start + u64::from(q.per_page)).min(total);
    let ids: Vec<i64> = if start == end {
        Vec::new()
    } else if q.sort == MemberSort::Email {
        // Addresses live with the person: this order joins users (a rarely chosen sort).
        on!(conn, c => {
            let b = member_filters!(m::table.left_join(u::table).into_boxed(), org, q, unit_ids.as_ref(), pattern.as_ref());
            let b = if q.descending { b.order((u::email.nullable().desc(), m::id.desc())) } else { b.order((u::email.nullable().asc(), m::id.asc())) };
            b.select(m::id).offset(start as i64).limit((end - start) as i64).load::<i64>(c)
        })?
    } else {
        let reversed = start > total / 2;
        let skip = if reversed { total - end } else { start };
        let mut ids = on!(conn, c => page_ids!(member_filters!(m::table.into_boxed(), org, q, unit_ids.as_ref(), pattern.as_ref()), q, reversed, skip as i64, (end - start) as i64, c))?;
        if reversed {
            ids.reverse();
        }
        ids
    };

    let mut found: HashMap<i64, ListRow> = if ids.is_empty() {
        HashMap::new()
    } else {
        let rows: Vec<ListRow> = on!(conn, c => m::table
            .left_join(u::table)
            .filter(crate::any_id::any_id(m::id, &ids))
            .select((m::id, u::display_name.nullable(), u::email.nullable(), m::pseudonym, m::status, m::member_kind, m::created_at))
            .load(c))?;
        rows.into_iter().map(|r| (r.0, r)).collect()
    };
    let (mut tags_of, mut units_of) = names_by_member(conn, &ids)?;
    Ok(MemberPage {
        rows: ids
            .iter()
            .filter_map(|id| found.remove(id))
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

type NamesOf = HashMap<i64, Vec<String>>;

/// The tags and the units of each of `ids`, each list in name order: one statement (`UNION
/// ALL`) for both, a round trip less on PostgreSQL. The names are ordered here, by their
/// characters, so both databases agree whatever their collation.
fn names_by_member(conn: &mut Conn<'_>, ids: &[i64]) -> Result<(NamesOf, NamesOf), DbError> {
    if ids.is_empty() {
        return Ok((HashMap::new(), HashMap::new()));
    }
    // (membership, is a unit, name)
    let rows: Vec<(i64, bool, String)> = on!(conn, c => mt::table
        .inner_join(t::table)
        .filter(crate::any_id::any_id(mt::membership_id, ids))
        .select((mt::membership_id, false.into_sql::<diesel::sql_types::Bool>(), t::name))
        .union_all(
            mu::table
                .inner_join(un::table)
                .filter(crate::any_id::any_id(mu::membership_id, ids))
                .select((mu::membership_id, true.into_sql::<diesel::sql_types::Bool>(), un::name)),
        )
        .load(c))?;
    let (mut tags, mut units): (NamesOf, NamesOf) = (HashMap::new(), HashMap::new());
    for (id, is_unit, name) in rows {
        if is_unit { &mut units } else { &mut tags }.entry(id).or_default().push(name);
    }
    for names in tags.values_mut().chain(units.values_mut()) {
        names.sort_unstable();
    }
    Ok((tags, units))
}

/// The list's filter choices: units in tree order from `tree` (the policy snapshot's, so no
/// query) and the organization's tags.
pub fn filters(conn: &mut Conn<'_>, org: OrgId, tree: &gatehouse_domain::units::UnitTree) -> Result<MemberFilters, DbError> {
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
