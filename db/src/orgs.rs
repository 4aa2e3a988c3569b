//! Organizations (tenants), each with a time zone and its own background user.
use crate::audit::{self, AuditEntry};
use crate::schema::{memberships as m, organizations as o};
use crate::users::{self, NewUser};
use crate::{on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{MembershipId, OrgId, UserId};
use gatehouse_domain::locale::Locale;
use gatehouse_domain::validate;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRow {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    pub background_user: UserId,
}

/// Creates an organization and its background user (the actor of scheduled work).
pub fn create(conn: &mut Conn<'_>, slug: &str, name: &str, time_zone: &str, actor: Actor, now: DateTime<Utc>) -> Result<OrgRow, DbError> {
    let slug = validate::slug(slug)?;
    validate::time_zone(time_zone)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "name", value: String::new() }.into());
    }
    if by_slug(conn, &slug)?.is_some() {
        return Err(DbError::Conflict(format!("an organization with the handle {slug} already exists")));
    }
    let background = users::create(
        conn,
        &NewUser {
            email: &format!("background+{slug}@system.gatehouse.invalid"),
            display_name: &format!("{name} (background)"),
            locale: Locale::En,
            password_hash: None,
            is_system: true,
        },
        actor,
        now,
    )?;
    let values = (
        o::slug.eq(&slug),
        o::name.eq(name),
        o::time_zone.eq(time_zone.trim()),
        o::background_user_id.eq(background.0),
        o::created_at.eq(to_db(now)),
        o::updated_at.eq(to_db(now)),
        o::version.eq(1),
        o::updated_by_kind.eq(actor.kind()),
        o::updated_by_id.eq(actor.id()),
    );
    let id = OrgId(on!(conn, c => diesel::insert_into(o::table).values(values).returning(o::id).get_result::<i64>(c))?);
    audit::record(
        conn,
        now,
        &AuditEntry::new(Some(id), actor, "organization.created", "organization", Some(id.0))
            .after(json!({"slug": slug, "name": name, "time_zone": time_zone})),
    )?;
    Ok(OrgRow { id, slug, name: name.to_string(), time_zone: time_zone.trim().to_string(), background_user: background })
}

type Row = (i64, String, String, String, i64);

fn to_row((id, slug, name, time_zone, bg): Row) -> OrgRow {
    OrgRow { id: OrgId(id), slug, name, time_zone, background_user: UserId(bg) }
}

pub fn by_slug(conn: &mut Conn<'_>, slug: &str) -> Result<Option<OrgRow>, DbError> {
    let r: Option<Row> = on!(conn, c => o::table
        .filter(o::slug.eq(slug))
        .select((o::id, o::slug, o::name, o::time_zone, o::background_user_id))
        .first(c)
        .optional())?;
    Ok(r.map(to_row))
}

pub fn get(conn: &mut Conn<'_>, id: OrgId) -> Result<OrgRow, DbError> {
    let r: Row = on!(conn, c => o::table
        .find(id.0)
        .select((o::id, o::slug, o::name, o::time_zone, o::background_user_id))
        .first(c))?;
    Ok(to_row(r))
}

/// An organization a person can open: where they hold an active membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgChoice {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
    pub membership: MembershipId,
}

pub fn for_user(conn: &mut Conn<'_>, user: UserId) -> Result<Vec<OrgChoice>, DbError> {
    let rows: Vec<(i64, String, String, i64)> = on!(conn, c => m::table
        .inner_join(o::table)
        .filter(m::user_id.eq(user.0))
        .filter(m::status.eq("active"))
        .order(o::name.asc())
        .select((o::id, o::slug, o::name, m::id))
        .load(c))?;
    Ok(rows.into_iter().map(|(id, slug, name, mid)| OrgChoice { id: OrgId(id), slug, name, membership: MembershipId(mid) }).collect())
}
