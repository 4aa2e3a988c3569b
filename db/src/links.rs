//! The keys that sign links in mail, and the links themselves (the rules are in
//! `gatehouse_domain::links`). Keys live in the database so every instance signs and checks alike.
use crate::audit::{self, AuditEntry};
use crate::schema::link_keys as lk;
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::links::{self as rules, Check, Subject};
use serde_json::json;

/// Keys older than this are replaced by the background work (`rotate_if_older`).
pub const ROTATE_AFTER_DAYS: i64 = 90;

fn secret_bytes(hex_secret: &str) -> Result<Vec<u8>, DbError> {
    hex::decode(hex_secret).map_err(|_| DbError::Config("a stored link key is not hex".into()))
}

/// The key that signs now: the newest unretired one, made when there is none.
fn current(conn: &mut Conn<'_>, now: DateTime<Utc>) -> Result<(i64, Vec<u8>), DbError> {
    let row: Option<(i64, String)> = on!(conn, c => lk::table
        .filter(lk::retired_at.is_null())
        .order(lk::id.desc())
        .select((lk::id, lk::secret))
        .first(c)
        .optional())?;
    let (id, secret) = match row {
        Some(r) => r,
        None => {
            let secret = crate::sessions::random_token();
            let id = on!(conn, c => diesel::insert_into(lk::table)
                .values((lk::secret.eq(&secret), lk::created_at.eq(to_db(now))))
                .returning(lk::id)
                .get_result::<i64>(c))?;
            (id, secret)
        }
    };
    Ok((id, secret_bytes(&secret)?))
}

/// A token for `subject`, valid for `gatehouse_domain::links::TTL_DAYS` from `now`.
pub fn token(conn: &mut Conn<'_>, subject: Subject, now: DateTime<Utc>) -> Result<String, DbError> {
    let (id, secret) = current(conn, now)?;
    Ok(rules::sign(&secret, id, subject, now + rules::ttl()))
}

/// `url` with the subject's token as its `link` parameter.
pub fn signed(conn: &mut Conn<'_>, url: &str, subject: Subject, now: DateTime<Utc>) -> Result<String, DbError> {
    let sep = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{sep}link={}", token(conn, subject, now)?))
}

/// Checks a link's token for `subject`.
pub fn check(conn: &mut Conn<'_>, raw: &str, subject: Subject, now: DateTime<Utc>) -> Result<Check, DbError> {
    let Some(t) = rules::parse(raw) else { return Ok(Check::Invalid) };
    let key: Option<(String, Option<chrono::NaiveDateTime>)> =
        on!(conn, c => lk::table.find(t.key).select((lk::secret, lk::retired_at)).first(c).optional())?;
    Ok(match key {
        None => rules::unknown_key(&t, now),
        Some((secret, retired)) => rules::check(&t, &secret_bytes(&secret)?, retired.map(from_db), subject, now),
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The key that signs from now on.
    pub key: i64,
    /// Keys retired now (still accepted until their links expire, unless withdrawn).
    pub retired: usize,
    /// Keys deleted: withdrawn now, or retired longer ago than any link lives.
    pub deleted: usize,
}

/// Starts a new signing key. The previous keys are retired — links they signed keep working until
/// they expire — or, with `withdraw`, deleted at once (a key that may have leaked): every link
/// mailed before stops working. Keys retired longer ago than a link lives are deleted. Audited.
pub fn rotate(conn: &mut Conn<'_>, withdraw: bool, actor: Actor, now: DateTime<Utc>) -> Result<Rotation, DbError> {
    conn.transaction(|conn| {
        let retired = on!(conn, c => diesel::update(lk::table.filter(lk::retired_at.is_null())).set(lk::retired_at.eq(to_db(now))).execute(c))?;
        let deleted = if withdraw {
            on!(conn, c => diesel::delete(lk::table).execute(c))?
        } else {
            on!(conn, c => diesel::delete(lk::table.filter(lk::retired_at.le(to_db(now - rules::ttl())))).execute(c))?
        };
        let (key, _) = current(conn, now)?;
        // Withdrawn keys are deleted, not retired.
        let retired = if withdraw { 0 } else { retired };
        audit::record(
            conn,
            now,
            &AuditEntry::new(None, actor, "link_key.rotated", "link_key", Some(key)).after(json!({ "withdrawn": withdraw, "retired": retired, "deleted": deleted })),
        )?;
        Ok(Rotation { key, retired, deleted })
    })
}

/// Rotates when the signing key is older than `max_age` (the background work, every instance:
/// two rotating at once leave two new keys, both accepted, the newer signing).
pub fn rotate_if_older(conn: &mut Conn<'_>, max_age: Duration, actor: Actor, now: DateTime<Utc>) -> Result<Option<Rotation>, DbError> {
    let newest: Option<chrono::NaiveDateTime> =
        on!(conn, c => lk::table.filter(lk::retired_at.is_null()).order(lk::id.desc()).select(lk::created_at).first(c).optional())?;
    match newest {
        Some(created) if from_db(created) + max_age <= now => rotate(conn, false, actor, now).map(Some),
        _ => Ok(None),
    }
}
