//! Roles (named grant sets, per organization) and role assignments (member × role × unit).
//! The grants themselves and their enforcement arrive with the authorization engine.
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

pub fn assign(
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
