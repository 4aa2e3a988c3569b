//! Stored failure records for sign-in throttling (shared by every instance).
use crate::schema::sign_in_throttle as st;
use crate::{from_db, on, to_db, Conn, DbError};
use diesel::prelude::*;
use gatehouse_domain::throttle::FailureRecord;

/// The stored key for a sign-in address or a client address: a hash, so the throttle table
/// holds no addresses (nothing to redact when a person is anonymized).
pub fn key(kind: &str, value: &str) -> String {
    format!("{kind}:{}", crate::sessions::token_hash(&format!("{kind}:{value}")))
}

pub fn get(conn: &mut Conn<'_>, key: &str) -> Result<Option<FailureRecord>, DbError> {
    let row: Option<(i32, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> = on!(conn, c => st::table
        .find(key)
        .select((st::failures, st::window_started_at, st::locked_until))
        .first(c)
        .optional())?;
    Ok(row.map(|(f, w, l)| FailureRecord {
        failures: f.max(0) as u32,
        window_started_at: from_db(w),
        locked_until: l.map(from_db),
    }))
}

/// Stores the record (call inside a transaction together with `get`).
pub fn put(conn: &mut Conn<'_>, key: &str, rec: &FailureRecord) -> Result<(), DbError> {
    let failures = i32::try_from(rec.failures).unwrap_or(i32::MAX);
    let n = on!(conn, c => diesel::update(st::table.find(key))
        .set((
            st::failures.eq(failures),
            st::window_started_at.eq(to_db(rec.window_started_at)),
            st::locked_until.eq(rec.locked_until.map(to_db)),
        ))
        .execute(c))?;
    if n == 0 {
        let values = (
            st::key.eq(key),
            st::failures.eq(failures),
            st::window_started_at.eq(to_db(rec.window_started_at)),
            st::locked_until.eq(rec.locked_until.map(to_db)),
        );
        on!(conn, c => diesel::insert_into(st::table).values(values).execute(c))?;
    }
    Ok(())
}

pub fn clear(conn: &mut Conn<'_>, key: &str) -> Result<(), DbError> {
    on!(conn, c => diesel::delete(st::table.find(key)).execute(c))?;
    Ok(())
}
