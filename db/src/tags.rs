//! Tags: free-form labels on members, per organization.
use crate::audit::{self, AuditEntry};
use crate::schema::tags as t;
use crate::{on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{OrgId, TagId};
use gatehouse_domain::DomainError;
use serde_json::json;

/// The tag with this name, created when missing.
pub fn ensure(conn: &mut Conn<'_>, org: OrgId, name: &str, actor: Actor, now: DateTime<Utc>) -> Result<TagId, DbError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 64 {
        return Err(DomainError::InvalidValue { field: "tag", value: name.to_string() }.into());
    }
    let existing: Option<i64> =
        on!(conn, c => t::table.filter(t::org_id.eq(org.0)).filter(t::name.eq(name)).select(t::id).first(c).optional())?;
    if let Some(id) = existing {
        return Ok(TagId(id));
    }
    let values = (
        t::org_id.eq(org.0),
        t::name.eq(name),
        t::created_at.eq(to_db(now)),
        t::updated_at.eq(to_db(now)),
        t::version.eq(1),
        t::updated_by_kind.eq(actor.kind()),
        t::updated_by_id.eq(actor.id()),
    );
    let id = TagId(on!(conn, c => diesel::insert_into(t::table).values(values).returning(t::id).get_result::<i64>(c))?);
    audit::record(conn, now, &AuditEntry::new(Some(org), actor, "tag.created", "tag", Some(id.0)).after(json!({"name": name})))?;
    Ok(id)
}

pub fn list(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<(TagId, String)>, DbError> {
    let rows: Vec<(i64, String)> =
        on!(conn, c => t::table.filter(t::org_id.eq(org.0)).order(t::name.asc()).select((t::id, t::name)).load(c))?;
    Ok(rows.into_iter().map(|(id, n)| (TagId(id), n)).collect())
}
