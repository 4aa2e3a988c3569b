//! Units: an organization's tree of divisions, teams, regions … (the kind is a label).
use crate::audit::{self, AuditEntry};
use crate::schema::units as un;
use crate::{on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{OrgId, UnitId};
use gatehouse_domain::units::{UnitNode, UnitTree};
use gatehouse_domain::DomainError;
use serde_json::json;

pub fn create(
    conn: &mut Conn<'_>,
    org: OrgId,
    parent: Option<UnitId>,
    name: &str,
    kind: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<UnitId, DbError> {
    let (name, kind) = (name.trim(), kind.trim());
    if name.is_empty() || kind.is_empty() {
        return Err(DomainError::InvalidValue { field: "unit", value: format!("{name:?} / {kind:?}") }.into());
    }
    if let Some(p) = parent {
        // The parent must belong to the same organization.
        let found: i64 = on!(conn, c => un::table.filter(un::id.eq(p.0)).filter(un::org_id.eq(org.0)).count().get_result(c))?;
        if found == 0 {
            return Err(DbError::NotFound);
        }
    }
    let values = (
        un::org_id.eq(org.0),
        un::parent_id.eq(parent.map(|p| p.0)),
        un::name.eq(name),
        un::kind.eq(kind),
        un::created_at.eq(to_db(now)),
        un::updated_at.eq(to_db(now)),
        un::version.eq(1),
        un::updated_by_kind.eq(actor.kind()),
        un::updated_by_id.eq(actor.id()),
    );
    let id = UnitId(on!(conn, c => diesel::insert_into(un::table).values(values).returning(un::id).get_result::<i64>(c))?);
    audit::record(
        conn,
        now,
        &AuditEntry::new(Some(org), actor, "unit.created", "unit", Some(id.0))
            .unit(Some(id))
            .after(json!({"name": name, "kind": kind, "parent": parent.map(|p| p.0)})),
    )?;
    // The tree is part of every decision (a role at a unit reaches its subtree) and of the
    // cached policy snapshot, which the members filter reads its units from.
    crate::authz::bump(conn, org, None)?;
    Ok(id)
}

pub fn list(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<UnitNode>, DbError> {
    let rows: Vec<(i64, Option<i64>, String, String)> = on!(conn, c => un::table
        .filter(un::org_id.eq(org.0))
        .select((un::id, un::parent_id, un::name, un::kind))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, parent, name, kind)| UnitNode { id: UnitId(id), parent: parent.map(UnitId), name, kind })
        .collect())
}

pub fn tree(conn: &mut Conn<'_>, org: OrgId) -> Result<UnitTree, DbError> {
    Ok(UnitTree::new(list(conn, org)?))
}
