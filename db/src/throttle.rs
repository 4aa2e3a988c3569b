//! Stored failure records for password throttling (shared by every instance).
//!
//! [`attempt`] counts an attempt before its password is checked, in one transaction that holds
//! each key's row (SQLite: the write lock taken at the transaction's start; PostgreSQL: the row
//! created if missing, then locked `FOR UPDATE`), so N parallel guesses are N counted attempts.
use crate::schema::sign_in_throttle as st;
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use gatehouse_domain::throttle::{FailureRecord, ThrottlePolicy};

/// The stored key for a sign-in address or a client address: a hash, so the throttle table
/// holds no addresses (nothing to redact when a person is anonymized).
pub fn key(kind: &str, value: &str) -> String {
    format!("{kind}:{}", crate::sessions::token_hash(&format!("{kind}:{value}")))
}

/// Counts one attempt for every key under its policy, atomically. `Ok(Err(wait))` when any key
/// must wait: then nothing is counted and the password must not be checked.
pub fn attempt(conn: &mut Conn<'_>, keys: &[(&str, ThrottlePolicy)], now: DateTime<Utc>) -> Result<Result<(), Duration>, DbError> {
    conn.transaction(|conn| {
        let mut records = Vec::with_capacity(keys.len());
        let mut wait: Option<Duration> = None;
        for (key, policy) in keys {
            let rec = get_locked(conn, key)?;
            match policy.attempt(rec.as_ref(), now) {
                Ok(next) => records.push(next),
                Err(d) => wait = Some(wait.map_or(d, |w| w.max(d))),
            }
        }
        if let Some(d) = wait {
            return Ok(Err(d.max(Duration::seconds(1))));
        }
        for ((key, _), rec) in keys.iter().zip(&records) {
            put(conn, key, rec)?;
        }
        Ok(Ok(()))
    })
}

/// The password was right: the account's record is cleared, and the attempt counted for each of
/// `others` (the client address) is taken back.
pub fn succeeded(conn: &mut Conn<'_>, account: &str, others: &[(&str, ThrottlePolicy)]) -> Result<(), DbError> {
    conn.transaction(|conn| {
        clear(conn, account)?;
        for (key, policy) in others {
            if let Some(rec) = get_locked(conn, key)? {
                put(conn, key, &policy.undo(&rec))?;
            }
        }
        Ok(())
    })
}

/// Checks a password under the throttle of its account and of the client address: the attempt
/// is counted first (atomically), then `check` runs and says whether the password was right
/// (and what else it found). `Ok(Err(wait))`: throttled, `check` never ran. Used by every place
/// that checks a password.
pub fn guarded<T>(db: &crate::Db, account: &str, client: &str, now: DateTime<Utc>, check: impl FnOnce() -> Result<(bool, T), DbError>) -> Result<Result<T, Duration>, DbError> {
    let client_policy = ThrottlePolicy::per_client();
    let keys = [(account, ThrottlePolicy::per_account()), (client, client_policy)];
    if let Err(wait) = db.with(|c| attempt(c, &keys, now))? {
        return Ok(Err(wait));
    }
    let (right, value) = check()?;
    if right {
        db.with(|c| succeeded(c, account, &[(client, client_policy)]))?;
    }
    Ok(Ok(value))
}

/// Must `key` wait before its next attempt (without counting one)?
pub fn waiting(conn: &mut Conn<'_>, key: &str, policy: &ThrottlePolicy, now: DateTime<Utc>) -> Result<Option<Duration>, DbError> {
    Ok(policy.check(get(conn, key)?.as_ref(), now).err())
}

/// The record of `key`, its row held until the transaction ends (PostgreSQL: created first when
/// missing, so two first attempts cannot both read "none").
fn get_locked(conn: &mut Conn<'_>, key: &str) -> Result<Option<FailureRecord>, DbError> {
    let row: Option<(i32, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> = match conn {
        Conn::Pg(c) => {
            diesel::insert_into(st::table)
                .values((st::key.eq(key), st::failures.eq(0), st::window_started_at.eq(to_db(DateTime::<Utc>::UNIX_EPOCH)), st::locked_until.eq(None::<chrono::NaiveDateTime>)))
                .on_conflict_do_nothing()
                .execute(&mut **c)?;
            st::table.find(key).select((st::failures, st::window_started_at, st::locked_until)).for_update().first(&mut **c).optional()?
        }
        // The transaction holds SQLite's write lock from its start (immediate).
        Conn::Sqlite(c) => st::table.find(key).select((st::failures, st::window_started_at, st::locked_until)).first(&mut **c).optional()?,
    };
    Ok(row.map(record).filter(|r| r.failures > 0 || r.locked_until.is_some()))
}

fn record((f, w, l): (i32, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)) -> FailureRecord {
    FailureRecord { failures: f.max(0) as u32, window_started_at: from_db(w), locked_until: l.map(from_db) }
}

/// The throttle key of an account's password: its (normalised) address, whether or not an
/// account has it, so an unknown address is throttled like a known one.
pub fn account_key(email: &str) -> String {
    key("email", &email.trim().to_lowercase())
}

/// The throttle key of a client address.
pub fn client_key(ip: std::net::IpAddr) -> String {
    key("ip", &ip.to_string())
}

pub fn get(conn: &mut Conn<'_>, key: &str) -> Result<Option<FailureRecord>, DbError> {
    let row: Option<(i32, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> = on!(conn, c => st::table
        .find(key)
        .select((st::failures, st::window_started_at, st::locked_until))
        .first(c)
        .optional())?;
    Ok(row.map(record).filter(|r| r.failures > 0 || r.locked_until.is_some()))
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
