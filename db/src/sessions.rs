//! Server-side sessions. The cookie holds a random token; the database keeps only its SHA-256,
//! so a leaked database row cannot be replayed as a cookie. Any instance on the same database
//! serves the same session.
use crate::schema::sessions as s;
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::ids::{OrgId, UserId};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub user: UserId,
    pub csrf_token: String,
    pub last_org: Option<OrgId>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The person signs in with a second factor (read with the session, for organizations that
    /// require one).
    pub two_factor: bool,
    /// The person is platform staff (a `platform_staff` row with their address): who and which role.
    pub staff: Option<(gatehouse_domain::ids::StaffId, gatehouse_domain::staff::StaffRole)>,
    /// The support session this browser session started (in force or not: see `support::of_session`).
    pub support_session: Option<i64>,
}

fn staff_of(id: Option<i64>, role: Option<String>) -> Option<(gatehouse_domain::ids::StaffId, gatehouse_domain::staff::StaffRole)> {
    Some((gatehouse_domain::ids::StaffId(id?), gatehouse_domain::staff::StaffRole::parse(&role?)?))
}

/// Creates a session and returns (cookie token, CSRF token).
pub fn create(conn: &mut Conn<'_>, user: UserId, now: DateTime<Utc>) -> Result<(String, String), DbError> {
    let token = random_token();
    let csrf = random_token();
    let values = (
        s::id_hash.eq(token_hash(&token)),
        s::user_id.eq(user.0),
        s::csrf_token.eq(&csrf),
        s::created_at.eq(to_db(now)),
        s::last_seen_at.eq(to_db(now)),
    );
    on!(conn, c => diesel::insert_into(s::table).values(values).execute(c))?;
    Ok((token, csrf))
}

pub fn load(conn: &mut Conn<'_>, token: &str) -> Result<Option<SessionRow>, DbError> {
    use crate::schema::{platform_staff as ps, users as u};
    #[allow(clippy::type_complexity)]
    let row: Option<(i64, String, Option<i64>, chrono::NaiveDateTime, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>, Option<i64>, Option<String>, Option<i64>)> = on!(conn, c => s::table
        .inner_join(u::table)
        .left_join(ps::table.on(ps::email.eq(u::email)))
        .filter(s::id_hash.eq(token_hash(token)))
        .select((s::user_id, s::csrf_token, s::last_org_id, s::created_at, s::last_seen_at, u::totp_enabled_at, ps::id.nullable(), ps::staff_role.nullable(), s::support_session_id))
        .first(c)
        .optional())?;
    Ok(row.map(|(user, csrf_token, last_org, created, seen, two_factor, staff_id, staff_role, support_session)| SessionRow {
        user: UserId(user),
        csrf_token,
        last_org: last_org.map(OrgId),
        created_at: from_db(created),
        last_seen_at: from_db(seen),
        two_factor: two_factor.is_some(),
        staff: staff_of(staff_id, staff_role),
        support_session,
    }))
}

/// The session and its person in one query (the lookup every request with a cookie makes).
pub fn load_with_user(conn: &mut Conn<'_>, token: &str) -> Result<Option<(SessionRow, crate::users::UserRow)>, DbError> {
    use crate::schema::{platform_staff as ps, users as u};
    #[allow(clippy::type_complexity)]
    let row: Option<(i64, String, Option<i64>, chrono::NaiveDateTime, chrono::NaiveDateTime, (i64, String, String, String, bool), Option<chrono::NaiveDateTime>, Option<i64>, Option<String>, Option<i64>)> = on!(conn, c => s::table
        .inner_join(u::table)
        .left_join(ps::table.on(ps::email.eq(u::email)))
        .filter(s::id_hash.eq(token_hash(token)))
        .select((s::user_id, s::csrf_token, s::last_org_id, s::created_at, s::last_seen_at, (u::id, u::email, u::display_name, u::locale, u::is_system), u::totp_enabled_at, ps::id.nullable(), ps::staff_role.nullable(), s::support_session_id))
        .first(c)
        .optional())?;
    Ok(row.map(|(user, csrf_token, last_org, created, seen, person, two_factor, staff_id, staff_role, support_session)| {
        (
            SessionRow {
                user: UserId(user),
                csrf_token,
                last_org: last_org.map(OrgId),
                created_at: from_db(created),
                last_seen_at: from_db(seen),
                two_factor: two_factor.is_some(),
                staff: staff_of(staff_id, staff_role),
                support_session,
            },
            crate::users::row_of(person),
        )
    }))
}

pub fn touch(conn: &mut Conn<'_>, token: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    on!(conn, c => diesel::update(s::table.find(token_hash(token))).set(s::last_seen_at.eq(to_db(now))).execute(c))?;
    Ok(())
}

pub fn set_last_org(conn: &mut Conn<'_>, token: &str, org: OrgId) -> Result<(), DbError> {
    on!(conn, c => diesel::update(s::table.find(token_hash(token))).set(s::last_org_id.eq(Some(org.0))).execute(c))?;
    Ok(())
}

pub fn delete(conn: &mut Conn<'_>, token: &str) -> Result<(), DbError> {
    on!(conn, c => diesel::delete(s::table.find(token_hash(token))).execute(c))?;
    Ok(())
}

/// Ends every session of a person (after a password reset).
pub fn delete_all_of(conn: &mut Conn<'_>, user: UserId) -> Result<usize, DbError> {
    Ok(on!(conn, c => diesel::delete(s::table.filter(s::user_id.eq(user.0))).execute(c))?)
}

/// Removes sessions past their absolute lifetime or idle too long.
pub fn purge_expired(conn: &mut Conn<'_>, created_before: DateTime<Utc>, seen_before: DateTime<Utc>) -> Result<usize, DbError> {
    Ok(on!(conn, c => diesel::delete(
        s::table.filter(s::created_at.lt(to_db(created_before)).or(s::last_seen_at.lt(to_db(seen_before))))
    ).execute(c))?)
}
