//! Users: global identities (email, name, locale, password). Only the person changes these.
use crate::schema::users as u;
use crate::{on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::UserId;
use gatehouse_domain::locale::Locale;

pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub locale: Locale,
    pub password_hash: Option<&'a str>,
    pub is_system: bool,
}

pub fn create(conn: &mut Conn<'_>, new: &NewUser<'_>, actor: Actor, now: DateTime<Utc>) -> Result<UserId, DbError> {
    let email = gatehouse_domain::validate::normalize_email(new.email)?;
    if crate::account::address_reserved(conn, &email, None, now)? {
        return Err(DbError::Person(gatehouse_domain::people::Problem::AddressHeld));
    }
    let values = (
        u::email.eq(&email),
        u::display_name.eq(new.display_name.trim()),
        u::locale.eq(new.locale.code()),
        u::password_hash.eq(new.password_hash),
        u::is_system.eq(new.is_system),
        u::created_at.eq(to_db(now)),
        u::updated_at.eq(to_db(now)),
        u::version.eq(1),
        u::updated_by_kind.eq(actor.kind()),
        u::updated_by_id.eq(actor.id()),
    );
    let id = on!(conn, c => diesel::insert_into(u::table).values(values).returning(u::id).get_result::<i64>(c))
        .map_err(|e| match DbError::from(e) {
            DbError::Conflict(_) => DbError::Conflict(crate::Conflict::EmailTaken(email.to_string())),
            other => other,
        })?;
    Ok(UserId(id))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub display_name: String,
    pub locale: Locale,
    pub is_system: bool,
}

type Row = (i64, String, String, String, bool);

pub(crate) fn row_of(r: Row) -> UserRow {
    to_row(r)
}

fn to_row((id, email, display_name, locale, is_system): Row) -> UserRow {
    UserRow { id: UserId(id), email, display_name, locale: Locale::parse(&locale).unwrap_or_default(), is_system }
}

pub fn get(conn: &mut Conn<'_>, id: UserId) -> Result<UserRow, DbError> {
    let r: Row = on!(conn, c => u::table
        .find(id.0)
        .select((u::id, u::email, u::display_name, u::locale, u::is_system))
        .first(c))?;
    Ok(to_row(r))
}

pub fn find_by_email(conn: &mut Conn<'_>, email: &str) -> Result<Option<UserRow>, DbError> {
    let email = email.trim().to_lowercase();
    let r: Option<Row> = on!(conn, c => u::table
        .filter(u::email.eq(&email))
        .select((u::id, u::email, u::display_name, u::locale, u::is_system))
        .first(c)
        .optional())?;
    Ok(r.map(to_row))
}

/// The stored password hash of a person who may sign in with a password (never a system user).
pub fn password_hash_for(conn: &mut Conn<'_>, email: &str) -> Result<Option<(UserId, String)>, DbError> {
    let email = email.trim().to_lowercase();
    let r: Option<(i64, Option<String>)> = on!(conn, c => u::table
        .filter(u::email.eq(&email))
        .filter(u::is_system.eq(false))
        .select((u::id, u::password_hash))
        .first(c)
        .optional())?;
    Ok(r.and_then(|(id, h)| h.map(|h| (UserId(id), h))))
}

pub fn set_locale(conn: &mut Conn<'_>, id: UserId, locale: Locale, now: DateTime<Utc>) -> Result<(), DbError> {
    let actor = Actor::User { user: id, membership: None };
    let n = on!(conn, c => diesel::update(u::table.find(id.0))
        .set((u::locale.eq(locale.code()), stamp(actor, now)))
        .execute(c))?;
    found(n)
}

/// Sets the password hash (the person themself, through a reset link or their settings).
pub fn set_password_hash(conn: &mut Conn<'_>, id: UserId, hash: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    let actor = Actor::User { user: id, membership: None };
    let n = on!(conn, c => diesel::update(u::table.find(id.0))
        .set((u::password_hash.eq(Some(hash)), stamp(actor, now)))
        .execute(c))?;
    found(n)
}

/// The bookkeeping every change of a user row carries: when, a new version, and by whom.
#[allow(clippy::type_complexity)]
fn stamp(
    actor: Actor,
    now: DateTime<Utc>,
) -> (
    diesel::dsl::Eq<u::updated_at, chrono::NaiveDateTime>,
    diesel::dsl::Eq<u::version, diesel::dsl::Add<u::version, i32>>,
    diesel::dsl::Eq<u::updated_by_kind, &'static str>,
    diesel::dsl::Eq<u::updated_by_id, Option<i64>>,
) {
    (
        u::updated_at.eq(to_db(now)),
        u::version.eq(u::version + 1),
        u::updated_by_kind.eq(actor.kind()),
        u::updated_by_id.eq(actor.id()),
    )
}

fn found(rows: usize) -> Result<(), DbError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(DbError::NotFound)
    }
}
