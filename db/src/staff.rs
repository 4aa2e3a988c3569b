//! Platform staff (seed roles-responsibilities-isms: sysadmin, developer, member of management,
//! customer success). A staff member signs in as a person like anyone (the same sessions,
//! throttle and two-factor sign-in — which is mandatory for them); the `platform_staff` row with
//! the same address gives them their staff role.
use crate::audit::{self, AuditEntry};
use crate::schema::{memberships as m, organizations as o, platform_staff as ps};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{StaffId, UserId};
use gatehouse_domain::locale::Locale;
use gatehouse_domain::staff::StaffRole;
use serde_json::json;

/// Adds (or changes the role of) a staff member, with a person to sign in as (created when the
/// address has none yet, with `password_hash`). From the command line: audited as the system.
pub fn ensure(conn: &mut Conn<'_>, email: &str, name: &str, role: StaffRole, password_hash: Option<&str>, now: DateTime<Utc>) -> Result<(UserId, StaffId), DbError> {
    let email = gatehouse_domain::validate::normalize_email(email)?;
    conn.transaction(|conn| {
        let user = match crate::users::find_by_email(conn, &email)? {
            Some(u) => u.id,
            None => crate::users::create(
                conn,
                &crate::users::NewUser { email: &email, display_name: name.trim(), locale: Locale::default(), password_hash, is_system: false },
                Actor::System,
                now,
            )?,
        };
        let existing: Option<i64> = on!(conn, c => ps::table.filter(ps::email.eq(&email)).select(ps::id).first(c).optional())?;
        let id = match existing {
            Some(id) => {
                on!(conn, c => diesel::update(ps::table.find(id)).set((ps::staff_role.eq(role.as_str()), ps::updated_at.eq(to_db(now)), ps::version.eq(ps::version + 1))).execute(c))?;
                id
            }
            None => on!(conn, c => diesel::insert_into(ps::table)
                .values((
                    ps::email.eq(&email),
                    ps::display_name.eq(name.trim()),
                    ps::staff_role.eq(role.as_str()),
                    ps::created_at.eq(to_db(now)),
                    ps::updated_at.eq(to_db(now)),
                    ps::version.eq(1),
                    ps::updated_by_kind.eq(Actor::System.kind()),
                ))
                .returning(ps::id)
                .get_result(c))?,
        };
        audit::record(conn, now, &AuditEntry::new(None, Actor::System, "staff.role_set", "staff", Some(id)).after(json!({ "role": role.as_str() })))?;
        Ok((user, StaffId(id)))
    })
}

/// The staff role of the person with this address, if they are staff.
pub fn of_email(conn: &mut Conn<'_>, email: &str) -> Result<Option<(StaffId, StaffRole)>, DbError> {
    let row: Option<(i64, String)> = on!(conn, c => ps::table.filter(ps::email.eq(email.trim().to_lowercase())).select((ps::id, ps::staff_role)).first(c).optional())?;
    Ok(row.and_then(|(id, r)| StaffRole::parse(&r).map(|r| (StaffId(id), r))))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgLine {
    pub slug: String,
    pub name: String,
    pub active_members: i64,
    pub created_at: DateTime<Utc>,
    /// The organization lets support sign in as an administrator.
    pub support_access: bool,
}

/// Every organization of the platform with its count of active members (not role holders only
/// or technical users), by name.
pub fn organizations(conn: &mut Conn<'_>) -> Result<Vec<OrgLine>, DbError> {
    let orgs: Vec<(i64, String, String, chrono::NaiveDateTime, bool)> = on!(conn, c => o::table.order((o::name.asc(), o::id.asc())).select((o::id, o::slug, o::name, o::created_at, o::support_access)).load(c))?;
    let counts: Vec<(i64, i64)> = on!(conn, c => m::table
        .filter(m::status.eq("active"))
        .filter(m::role_holder_only.eq(false))
        .group_by(m::org_id)
        .select((m::org_id, diesel::dsl::count_star()))
        .load(c))?;
    let counts: std::collections::HashMap<i64, i64> = counts.into_iter().collect();
    Ok(orgs
        .into_iter()
        .map(|(id, slug, name, created, support_access)| OrgLine { slug, name, active_members: counts.get(&id).copied().unwrap_or(0), created_at: from_db(created), support_access })
        .collect())
}
