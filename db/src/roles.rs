//! Roles (named grant sets, per organization) and role assignments (member × role × unit).
//! Creating, editing, copying and retiring roles and assigning them are decided on a policy
//! snapshot (`gatehouse_domain::authz`) and written with the authorization version bumped.
use crate::audit::{self, AuditEntry};
use crate::schema::{role_assignments as ra, roles as r};
use crate::{on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{MembershipId, OrgId, RoleId, UnitId};
use gatehouse_domain::DomainError;
use serde_json::json;

pub fn create(
    conn: &mut Conn<'_>,
    org: OrgId,
    key: &str,
    name: &str,
    description: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<RoleId, DbError> {
    if key.trim().is_empty() || name.trim().is_empty() {
        return Err(DomainError::InvalidValue { field: "role", value: key.to_string() }.into());
    }
    let values = (
        r::org_id.eq(org.0),
        r::key.eq(key.trim()),
        r::name.eq(name.trim()),
        r::description.eq(description),
        r::created_at.eq(to_db(now)),
        r::updated_at.eq(to_db(now)),
        r::version.eq(1),
        r::updated_by_kind.eq(actor.kind()),
        r::updated_by_id.eq(actor.id()),
    );
    let id = RoleId(on!(conn, c => diesel::insert_into(r::table).values(values).returning(r::id).get_result::<i64>(c))?);
    audit::record(conn, now, &AuditEntry::new(Some(org), actor, "role.created", "role", Some(id.0)).after(json!({"key": key, "name": name})))?;
    Ok(id)
}

/// Writes an assignment as it is (no checks: seeding, tests, and the checked paths below).
pub fn insert_assignment(
    conn: &mut Conn<'_>,
    org: OrgId,
    member: MembershipId,
    role: RoleId,
    unit: Option<UnitId>,
    ends_at: Option<DateTime<Utc>>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let values = (
        ra::org_id.eq(org.0),
        ra::membership_id.eq(member.0),
        ra::role_id.eq(role.0),
        ra::unit_id.eq(unit.map(|u| u.0)),
        ra::ends_at.eq(ends_at.map(to_db)),
        ra::created_at.eq(to_db(now)),
        ra::updated_at.eq(to_db(now)),
        ra::version.eq(1),
        ra::updated_by_kind.eq(actor.kind()),
        ra::updated_by_id.eq(actor.id()),
    );
    let id = on!(conn, c => diesel::insert_into(ra::table).values(values).returning(ra::id).get_result::<i64>(c))?;
    audit::record(
        conn,
        now,
        &AuditEntry::new(Some(org), actor, "role.assigned", "membership", Some(member.0))
            .unit(unit)
            .after(json!({"role": role.0, "unit": unit.map(|u| u.0), "ends_at": ends_at})),
    )?;
    crate::authz::bump(conn, org, None)?;
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoleSummary {
    pub id: RoleId,
    pub key: String,
    pub name: String,
    pub description: String,
    pub retired: bool,
    pub assignments: i64,
}

pub fn list(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<RoleSummary>, DbError> {
    let rows: Vec<(i64, String, String, String, Option<chrono::NaiveDateTime>)> = on!(conn, c => r::table
        .filter(r::org_id.eq(org.0))
        .order(r::name.asc())
        .select((r::id, r::key, r::name, r::description, r::retired_at))
        .load(c))?;
    let counts: Vec<(i64, i64)> = on!(conn, c => ra::table
        .filter(ra::org_id.eq(org.0))
        .group_by(ra::role_id)
        .select((ra::role_id, diesel::dsl::count_star()))
        .load(c))?;
    let counts: std::collections::HashMap<i64, i64> = counts.into_iter().collect();
    Ok(rows
        .into_iter()
        .map(|(id, key, name, description, retired)| RoleSummary {
            id: RoleId(id),
            key,
            name,
            description,
            retired: retired.is_some(),
            assignments: counts.get(&id).copied().unwrap_or(0),
        })
        .collect())
}

// ------------------------------------------------------------------ grants, edits, assignments

use crate::authz::{bump, member_units};
use crate::schema::{memberships as mem, role_grants as rg, units as un, users as us};
use crate::from_db;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::{escalation, Denial, RoleGrant, RoleScope, Visibility};

/// `role` when it belongs to `org`, else NotFound.
fn role_of(conn: &mut Conn<'_>, org: OrgId, role: RoleId) -> Result<RoleId, DbError> {
    let n: i64 = on!(conn, c => r::table.filter(r::id.eq(role.0)).filter(r::org_id.eq(org.0)).count().get_result(c))?;
    if n == 0 {
        return Err(DbError::NotFound);
    }
    Ok(role)
}

/// Replaces the grants of `org`'s role (no permission checks: callers decide first; a role of
/// another organization is not found). Duplicates collapse to one.
pub fn replace_grants(conn: &mut Conn<'_>, org: OrgId, role: RoleId, grants: &[RoleGrant]) -> Result<(), DbError> {
    role_of(conn, org, role)?;
    on!(conn, c => diesel::delete(rg::table.filter(rg::role_id.eq(role.0))).execute(c))?;
    let mut seen: Vec<(&str, RoleScope)> = Vec::new();
    for g in grants {
        if seen.contains(&(g.permission.as_str(), g.scope)) {
            continue;
        }
        seen.push((&g.permission, g.scope));
        let values = (rg::role_id.eq(role.0), rg::permission.eq(&g.permission), rg::scope.eq(g.scope.as_str()), rg::visibility.eq(g.visibility.as_str()));
        on!(conn, c => diesel::insert_into(rg::table).values(values).execute(c))?;
    }
    Ok(())
}

/// The grants of `org`'s role.
pub fn grants_of(conn: &mut Conn<'_>, org: OrgId, role: RoleId) -> Result<Vec<RoleGrant>, DbError> {
    let rows: Vec<(String, String, String)> = on!(conn, c => rg::table
        .inner_join(r::table)
        .filter(r::org_id.eq(org.0))
        .filter(rg::role_id.eq(role.0))
        .order(rg::id)
        .select((rg::permission, rg::scope, rg::visibility))
        .load(c))?;
    rows.into_iter()
        .map(|(permission, s, v)| Ok(RoleGrant { permission, scope: RoleScope::parse(&s)?, visibility: Visibility::parse(&v)? }))
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoleDetail {
    pub id: RoleId,
    pub key: String,
    pub name: String,
    pub description: String,
    pub template_key: Option<String>,
    pub template_role_key: Option<String>,
    pub requestable: bool,
    pub anchor_kind: Option<String>,
    pub retired: bool,
    pub version: i32,
    pub grants: Vec<RoleGrant>,
    pub assignments: i64,
}

pub fn detail(conn: &mut Conn<'_>, org: OrgId, id: RoleId) -> Result<RoleDetail, DbError> {
    #[allow(clippy::type_complexity)]
    let row: (i64, String, String, String, Option<String>, Option<String>, bool, Option<String>, Option<chrono::NaiveDateTime>, i32) = on!(conn, c => r::table
        .filter(r::id.eq(id.0))
        .filter(r::org_id.eq(org.0))
        .select((r::id, r::key, r::name, r::description, r::template_key, r::template_role_key, r::requestable, r::anchor_kind, r::retired_at, r::version))
        .first(c))?;
    let assignments: i64 = on!(conn, c => ra::table.filter(ra::role_id.eq(id.0)).count().get_result(c))?;
    Ok(RoleDetail {
        id: RoleId(row.0),
        key: row.1,
        name: row.2,
        description: row.3,
        template_key: row.4,
        template_role_key: row.5,
        requestable: row.6,
        anchor_kind: row.7,
        retired: row.8.is_some(),
        version: row.9,
        grants: grants_of(conn, org, id)?,
        assignments,
    })
}

fn check_known(policy: &Policy, grants: &[RoleGrant]) -> Result<(), DbError> {
    match grants.iter().find(|g| !policy.knows(&g.permission)) {
        Some(g) => Err(DbError::Denied(Denial::UnknownPermission(g.permission.clone()))),
        None => Ok(()),
    }
}

/// The person behind the last change (`None` when it was the system, the background user, or
/// a person no longer known).
fn changed_by(conn: &mut Conn<'_>, kind: &str, id: Option<i64>) -> Result<Option<String>, DbError> {
    Ok(match (kind, id) {
        ("user", Some(id)) | ("staff_as_user", Some(id)) => {
            on!(conn, c => mem::table.inner_join(us::table).filter(mem::id.eq(id)).select(us::display_name).first(c).optional())?
        }
        _ => None,
    })
}

/// Editing and retiring roles needs roles.edit for the whole organization (decided before any
/// role is read).
fn may_edit_roles(policy: &Policy, by: MembershipId, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, "roles.edit", &gatehouse_domain::authz::Target::Organization, now)?;
    Ok(())
}

/// What an edit sets.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RoleEdit {
    pub name: String,
    pub description: String,
    pub requestable: bool,
    pub grants: Vec<RoleGrant>,
    /// The version the editor saw; a newer one refuses the save ("changed by X at T").
    pub expected_version: i32,
}

/// Edits a role, decided on `policy` for the caller `by` (roles.edit, no escalation).
#[allow(clippy::too_many_arguments)]
pub fn edit(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, id: RoleId, e: &RoleEdit, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    // The permission first: a refused caller learns nothing of the role (not whether it
    // exists, not who changed it last).
    may_edit_roles(policy, by, now)?;
    if e.name.trim().is_empty() {
        return Err(DomainError::InvalidValue { field: "name", value: String::new() }.into());
    }
    conn.transaction(|conn| {
        let before = detail(conn, org, id)?;
        if before.version != e.expected_version {
            let (kind, who, at): (String, Option<i64>, chrono::NaiveDateTime) =
                on!(conn, c => r::table.find(id.0).select((r::updated_by_kind, r::updated_by_id, r::updated_at)).first(c))?;
            return Err(DbError::Stale { changed_by: changed_by(conn, &kind, who)?, at: from_db(at).format("%Y-%m-%d %H:%M UTC").to_string() });
        }
        check_known(policy, &e.grants)?;
        escalation::may_edit_role(&policy.subject(by), &before.grants, &e.grants, policy, &policy.tree, now).map_err(|x| DbError::Denied(Denial::Escalation(x)))?;
        bump(conn, org, Some(policy.version))?;
        on!(conn, c => diesel::update(r::table.find(id.0))
            .set((
                r::name.eq(e.name.trim()),
                r::description.eq(e.description.trim()),
                r::requestable.eq(e.requestable),
                r::version.eq(r::version + 1),
                r::updated_at.eq(to_db(now)),
                r::updated_by_kind.eq(actor.kind()),
                r::updated_by_id.eq(actor.id()),
            ))
            .execute(c))?;
        replace_grants(conn, org, id, &e.grants)?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "role.edited", "role", Some(id.0))
                .before(json!({"name": before.name, "description": before.description, "requestable": before.requestable, "grants": before.grants}))
                .after(json!({"name": e.name.trim(), "description": e.description.trim(), "requestable": e.requestable, "grants": e.grants})),
        )?;
        Ok(())
    })
}

/// Creates a role from the "new role" form: its grants and description copied from a template's
/// role, from another role of the organization, or none (`RoleOrigin`); decided as
/// [`create_checked`]. An origin that names nothing is `NotFound`; an empty name is refused.
#[allow(clippy::too_many_arguments)]
pub fn create_from(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    key: &str,
    name: &str,
    origin: &gatehouse_domain::authz::templates::RoleOrigin,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<RoleId, DbError> {
    use gatehouse_domain::authz::templates::{self, RoleOrigin};
    // Decided before the role to copy is read: a caller who may not edit roles learns nothing
    // of the organization's roles from the answer.
    may_edit_roles(policy, by, now)?;
    if name.trim().is_empty() {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "name", value: String::new() }.into());
    }
    let (grants, description, source) = match origin {
        RoleOrigin::Template { template, role } => {
            let t = templates::by_key(template).ok_or(DbError::NotFound)?;
            let role = t.role(role).ok_or(DbError::NotFound)?.clone();
            (role.grants, role.description.to_string(), Some((t.key.to_string(), role.key.to_string())))
        }
        RoleOrigin::Role(id) => {
            let d = detail(conn, org, *id)?;
            (d.grants, d.description, d.template_key.zip(d.template_role_key))
        }
        RoleOrigin::Empty => (Vec::new(), String::new(), None),
    };
    let source = source.as_ref().map(|(a, b)| (a.as_str(), b.as_str()));
    create_checked(conn, org, policy, by, key, name, &description, &grants, source, actor, now)
}

/// Creates a role with grants, decided on `policy` (roles.edit; every admin grant held).
#[allow(clippy::too_many_arguments)]
pub fn create_checked(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    key: &str,
    name: &str,
    description: &str,
    grants: &[RoleGrant],
    origin: Option<(&str, &str)>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<RoleId, DbError> {
    if !gatehouse_domain::authz::content::valid_key(key) {
        return Err(DomainError::InvalidValue { field: "key", value: key.to_string() }.into());
    }
    conn.transaction(|conn| {
        check_known(policy, grants)?;
        escalation::may_edit_role(&policy.subject(by), &[], grants, policy, &policy.tree, now).map_err(|x| DbError::Denied(Denial::Escalation(x)))?;
        bump(conn, org, Some(policy.version))?;
        let id = create(conn, org, key, name, description, actor, now).map_err(|e| match e {
            DbError::Conflict(_) => DbError::Conflict(crate::Conflict::RoleKeyTaken(key.to_string())),
            other => other,
        })?;
        if let Some((template, role_key)) = origin {
            on!(conn, c => diesel::update(r::table.find(id.0)).set((r::template_key.eq(template), r::template_role_key.eq(role_key))).execute(c))?;
        }
        replace_grants(conn, org, id, grants)?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "role.grants_set", "role", Some(id.0)).after(json!({"grants": grants, "from": origin})))?;
        Ok(id)
    })
}

/// Retires a role. A role still assigned is refused unless `end_assignments`, which ends them
/// now (each audited) — a role in use never silently vanishes.
#[allow(clippy::too_many_arguments)]
pub fn retire(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, id: RoleId, end_assignments: bool, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    may_edit_roles(policy, by, now)?;
    conn.transaction(|conn| {
        let d = detail(conn, org, id)?;
        let live: Vec<(i64, i64, Option<i64>)> = on!(conn, c => ra::table
            .filter(ra::role_id.eq(id.0))
            .filter(ra::ends_at.is_null().or(ra::ends_at.gt(to_db(now))))
            .select((ra::id, ra::membership_id, ra::unit_id))
            .load(c))?;
        if !live.is_empty() && !end_assignments {
            return Err(DbError::Denied(Denial::RoleInUse { assignments: live.len() as i64 }));
        }
        bump(conn, org, Some(policy.version))?;
        for (aid, member, unit) in &live {
            on!(conn, c => diesel::update(ra::table.find(aid)).set((ra::ends_at.eq(Some(to_db(now))), ra::updated_at.eq(to_db(now)), ra::version.eq(ra::version + 1))).execute(c))?;
            crate::requests::grant_removed(conn, org, Some(("role", *aid)), None, Some(by), crate::requests::RevokedFrom::RoleRetired, actor, now)?;
            audit::record(
                conn,
                now,
                &AuditEntry::new(Some(org), actor, "role.assignment_ended", "membership", Some(*member)).unit(unit.map(UnitId)).after(json!({"role": id.0, "assignment": aid, "why": "role retired"})),
            )?;
        }
        on!(conn, c => diesel::update(r::table.find(id.0))
            .set((r::retired_at.eq(Some(to_db(now))), r::version.eq(r::version + 1), r::updated_at.eq(to_db(now)), r::updated_by_kind.eq(actor.kind()), r::updated_by_id.eq(actor.id())))
            .execute(c))?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "role.retired", "role", Some(id.0)).before(json!({"name": d.name, "live_assignments": live.len()})))?;
        Ok(())
    })
}

/// Assigns a role, decided on `policy` for the caller `by` (roles.assign there, no escalation,
/// never to oneself, the role's unit kind respected).
#[allow(clippy::too_many_arguments)]
pub fn assign(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    member: MembershipId,
    role: RoleId,
    anchor: Option<UnitId>,
    ends_at: Option<DateTime<Utc>>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    conn.transaction(|conn| {
        bump(conn, org, Some(policy.version))?;
        grant_role(conn, org, policy, by, "roles.assign", member, role, anchor, ends_at, actor, now)
    })
}

/// Grants a role through `via` (`roles.assign`, or `access_requests.decide` when an approver
/// grants a requested role), decided on `policy` with the same no-escalation rule — without
/// the check that `policy` is still current: for callers that make that check once for many
/// changes in one transaction (an import batch, a decision).
#[allow(clippy::too_many_arguments)]
pub(crate) fn grant_role(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    via: &str,
    member: MembershipId,
    role: RoleId,
    anchor: Option<UnitId>,
    ends_at: Option<DateTime<Utc>>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    use gatehouse_domain::authz::Roles;
    {
        if crate::support::is_support_membership(conn, member)? {
            return Err(DbError::Conflict(crate::Conflict::SupportMembership));
        }
        let units = member_units(conn, org, member)?;
        let d = detail(conn, org, role)?;
        let engine_role = policy.role(role).ok_or(DbError::NotFound)?;
        if let Some(a) = anchor {
            let unit = policy.tree.get(a).ok_or(DbError::NotFound)?;
            if let Some(kind) = d.anchor_kind.as_deref().filter(|k| *k != unit.kind) {
                return Err(DbError::Denied(Denial::AnchorKind { expected: kind.to_string() }));
            }
        } else if let Some(kind) = d.anchor_kind.as_deref() {
            return Err(DbError::Denied(Denial::AnchorKind { expected: kind.to_string() }));
        }
        if ends_at.is_some_and(|e| e <= now) {
            return Err(DomainError::InvalidValue { field: "ends_at", value: ends_at.map(|e| e.to_rfc3339()).unwrap_or_default() }.into());
        }
        escalation::may_assign_via(&policy.subject(by), via, member, &units, engine_role, anchor, policy, &policy.tree, now).map_err(|x| DbError::Denied(Denial::Escalation(x)))?;
        insert_assignment(conn, org, member, role, anchor, ends_at, actor, now)
    }
}

/// Removes one of `member`'s assignments (the audit log keeps it); another member's is
/// `NotFound`.
#[allow(clippy::too_many_arguments)]
/// Ends an assignment where no member decides it: the background user applying an access
/// review's no-response policy. The same removal as [`unassign`] (a grant from a request marked
/// revoked and its requester mailed, the version bumped, audited) without the no-escalation
/// check, which needs a deciding member.
pub fn remove_assignment_as(conn: &mut Conn<'_>, org: OrgId, assignment: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let (member, role, unit, ends): (i64, i64, Option<i64>, Option<chrono::NaiveDateTime>) =
            on!(conn, c => ra::table.filter(ra::id.eq(assignment)).filter(ra::org_id.eq(org.0)).select((ra::membership_id, ra::role_id, ra::unit_id, ra::ends_at)).first(c))?;
        bump(conn, org, None)?;
        crate::requests::grant_removed(conn, org, Some(("role", assignment)), None, None, crate::requests::RevokedFrom::Review, actor, now)?;
        on!(conn, c => diesel::delete(ra::table.find(assignment)).execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "role.unassigned", "membership", Some(member))
                .unit(unit.map(UnitId))
                .before(json!({"role": role, "unit": unit, "ends_at": ends.map(from_db)})),
        )?;
        Ok(())
    })
}

pub fn unassign(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, member: MembershipId, assignment: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let (member, role, unit, ends): (i64, i64, Option<i64>, Option<chrono::NaiveDateTime>) =
            on!(conn, c => ra::table.filter(ra::id.eq(assignment)).filter(ra::org_id.eq(org.0)).filter(ra::membership_id.eq(member.0)).select((ra::membership_id, ra::role_id, ra::unit_id, ra::ends_at)).first(c))?;
        let units = member_units(conn, org, MembershipId(member))?;
        escalation::may_unassign(&policy.subject(by), MembershipId(member), &units, unit.map(UnitId), policy, &policy.tree, now)
            .map_err(|x| DbError::Denied(Denial::Escalation(x)))?;
        bump(conn, org, Some(policy.version))?;
        crate::requests::grant_removed(conn, org, Some(("role", assignment)), None, Some(by), crate::requests::RevokedFrom::MemberPage, actor, now)?;
        on!(conn, c => diesel::delete(ra::table.find(assignment)).execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "role.unassigned", "membership", Some(member))
                .unit(unit.map(UnitId))
                .before(json!({"role": role, "unit": unit, "ends_at": ends.map(from_db)})),
        )?;
        Ok(())
    })
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AssignmentRow {
    pub id: i64,
    pub role: RoleId,
    pub role_name: String,
    pub role_retired: bool,
    pub anchor: Option<UnitId>,
    pub anchor_name: Option<String>,
    pub ends_at: Option<DateTime<Utc>>,
    pub expired: bool,
}

pub fn assignments_of(conn: &mut Conn<'_>, org: OrgId, member: MembershipId, now: DateTime<Utc>) -> Result<Vec<AssignmentRow>, DbError> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(i64, i64, String, Option<chrono::NaiveDateTime>, Option<i64>, Option<String>, Option<chrono::NaiveDateTime>)> = on!(conn, c => ra::table
        .inner_join(r::table)
        .left_join(un::table.on(un::id.nullable().eq(ra::unit_id)))
        .filter(ra::org_id.eq(org.0))
        .filter(ra::membership_id.eq(member.0))
        .order((r::name.asc(), ra::id.asc()))
        .select((ra::id, r::id, r::name, r::retired_at, ra::unit_id, un::name.nullable(), ra::ends_at))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, role, role_name, retired, anchor, anchor_name, ends)| {
            let ends_at = ends.map(from_db);
            AssignmentRow { id, role: RoleId(role), role_name, role_retired: retired.is_some(), anchor: anchor.map(UnitId), anchor_name, ends_at, expired: ends_at.is_some_and(|e| e <= now) }
        })
        .collect())
}
