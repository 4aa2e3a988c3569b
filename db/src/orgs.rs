//! Organizations (tenants), each with a time zone and its own background user.
use crate::audit::{self, AuditEntry};
use crate::schema::{memberships as m, organizations as o};
use crate::users::{self, NewUser};
use crate::{on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::Target;
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
        return Err(DbError::Conflict(crate::Conflict::SlugTaken(slug.to_string())));
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

/// One of a person's active memberships with its organization and that organization's
/// authorization version: everything "who is asking in this organization" needs, for all of the
/// person's organizations in one query (the session lookup loads it with the session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveMembership {
    pub org: OrgRow,
    pub membership: MembershipId,
    pub kind: gatehouse_domain::member::MemberKind,
    pub role_holder_only: bool,
    pub authz_version: i64,
    /// The organization requires a second factor of its members.
    pub requires_two_factor: bool,
}

/// The person's active memberships, by organization name.
pub fn active_memberships(conn: &mut Conn<'_>, user: UserId) -> Result<Vec<ActiveMembership>, DbError> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(Row, i64, String, bool, i64, bool)> = on!(conn, c => m::table
        .inner_join(o::table)
        .filter(m::user_id.eq(user.0))
        .filter(m::status.eq("active"))
        .order((o::name.asc(), o::id.asc()))
        .select(((o::id, o::slug, o::name, o::time_zone, o::background_user_id), m::id, m::member_kind, m::role_holder_only, o::authz_version, o::require_two_factor))
        .load(c))?;
    rows.into_iter()
        .map(|(org, id, kind, role_holder_only, authz_version, requires_two_factor)| {
            Ok(ActiveMembership {
                org: to_row(org),
                membership: MembershipId(id),
                kind: gatehouse_domain::member::MemberKind::parse(&kind)?,
                role_holder_only,
                authz_version,
                requires_two_factor,
            })
        })
        .collect()
}

/// What an organization says about adding people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSettings {
    pub id: OrgId,
    pub slug: String,
    pub name: String,
    pub time_zone: String,
    pub background_user: UserId,
    pub phone_region: Option<String>,
    pub phone_required: bool,
    /// How long an invitation link works (days).
    pub valid_days: i32,
    /// Days after sending when the background user reminds (0: never).
    pub reminder_days: i32,
}

pub fn settings(conn: &mut Conn<'_>, org: OrgId) -> Result<OrgSettings, DbError> {
    #[allow(clippy::type_complexity)]
    let row: (i64, String, String, String, i64, Option<String>, bool, i32, i32) = on!(conn, c => o::table
        .find(org.0)
        .select((o::id, o::slug, o::name, o::time_zone, o::background_user_id, o::phone_region, o::require_mobile_phone, o::invitation_valid_days, o::invitation_reminder_days))
        .first(c))?;
    Ok(OrgSettings {
        id: OrgId(row.0),
        slug: row.1,
        name: row.2,
        time_zone: row.3,
        background_user: UserId(row.4),
        phone_region: row.5,
        phone_required: row.6,
        valid_days: row.7,
        reminder_days: row.8,
    })
}

/// Changes how the organization adds people (members.invite organization-wide).
#[allow(clippy::too_many_arguments)]
pub fn update_invitation_settings(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    phone_region: Option<&str>,
    phone_required: bool,
    valid_days: i32,
    reminder_days: i32,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    policy.require(by, "members.invite", &Target::Organization, now)?;
    let region = phone_region.map(str::trim).filter(|s| !s.is_empty()).map(gatehouse_domain::validate::phone_region).transpose()?;
    if !(1..=90).contains(&valid_days) {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "valid_days", value: valid_days.to_string() }.into());
    }
    if !(0..=90).contains(&reminder_days) {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "reminder_days", value: reminder_days.to_string() }.into());
    }
    conn.transaction(|conn| {
        let before = settings(conn, org)?;
        on!(conn, c => diesel::update(o::table.find(org.0))
            .set((
                o::phone_region.eq(region.as_deref()),
                o::require_mobile_phone.eq(phone_required),
                o::invitation_valid_days.eq(valid_days),
                o::invitation_reminder_days.eq(reminder_days),
                o::updated_at.eq(to_db(now)),
                o::version.eq(o::version + 1),
                o::updated_by_kind.eq(actor.kind()),
                o::updated_by_id.eq(actor.id()),
            ))
            .execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "organization.invitation_settings", "organization", Some(org.0))
                .before(json!({"phone_region": before.phone_region, "phone_required": before.phone_required, "valid_days": before.valid_days, "reminder_days": before.reminder_days}))
                .after(json!({"phone_region": region, "phone_required": phone_required, "valid_days": valid_days, "reminder_days": reminder_days})),
        )?;
        Ok(())
    })
}

/// A moment as the organization's people read it: local time in its time zone, zone named.
pub fn local_time(time_zone: &str, at: DateTime<Utc>) -> String {
    match gatehouse_domain::validate::time_zone(time_zone) {
        Ok(tz) => format!("{} ({time_zone})", at.with_timezone(&tz).format("%Y-%m-%d %H:%M")),
        Err(_) => format!("{} UTC", at.format("%Y-%m-%d %H:%M")),
    }
}

/// Sign-in security of an organization: whether it requires a second factor, and how many of
/// its active members (people, not technical users) sign in without one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Security {
    pub require_two_factor: bool,
    pub members_without_two_factor: i64,
    pub members: i64,
}

pub fn security(conn: &mut Conn<'_>, org: OrgId) -> Result<Security, DbError> {
    use crate::schema::users as u;
    let require_two_factor: bool = on!(conn, c => o::table.find(org.0).select(o::require_two_factor).first(c))?;
    let people = || m::table.inner_join(u::table).filter(m::org_id.eq(org.0)).filter(m::status.eq("active")).filter(m::role_holder_only.eq(false));
    let members: i64 = on!(conn, c => people().count().get_result(c))?;
    let members_without_two_factor: i64 = on!(conn, c => people().filter(u::totp_enabled_at.is_null()).count().get_result(c))?;
    Ok(Security { require_two_factor, members_without_two_factor, members })
}

/// Requires (or stops requiring) a second factor of the organization's members
/// (`settings.edit` for the whole organization). Members without one are sent to set it up
/// before anything of the organization opens.
pub fn set_require_two_factor(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &gatehouse_domain::authz::policy::Policy,
    by: MembershipId,
    on_: bool,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    policy.require(by, "settings.edit", &gatehouse_domain::authz::Target::Organization, now)?;
    conn.transaction(|conn| {
        let before: bool = on!(conn, c => o::table.find(org.0).select(o::require_two_factor).first(c))?;
        on!(conn, c => diesel::update(o::table.find(org.0))
            .set((o::require_two_factor.eq(on_), o::updated_at.eq(to_db(now)), o::version.eq(o::version + 1), o::updated_by_kind.eq(actor.kind()), o::updated_by_id.eq(actor.id())))
            .execute(c))?;
        crate::audit::record(
            conn,
            now,
            &crate::audit::AuditEntry::new(Some(org), actor, "organization.security_settings", "organization", Some(org.0))
                .before(serde_json::json!({ "require_two_factor": before }))
                .after(serde_json::json!({ "require_two_factor": on_ })),
        )?;
        Ok(())
    })
}
