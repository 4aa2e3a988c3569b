//! Two-factor sign-in for a person (the identity, not a membership): enrolling with a code from
//! the app, checking a code (each time step once) or a recovery code (each once), and the sign-in
//! waiting for its second factor. Every change is audited with the person as actor.
use crate::audit::{self, AuditEntry};
use crate::schema::{pending_sign_ins as ps, recovery_codes as rc, users as u};
use crate::sessions::{random_token, token_hash};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::UserId;
use gatehouse_domain::two_factor as rules;
use rand::RngCore;
use serde_json::json;

/// How long a sign-in waits for its second factor.
pub const PENDING_MINUTES: i64 = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub enabled_at: Option<DateTime<Utc>>,
    /// An enrolment begun and not yet confirmed: its secret.
    pub pending: Option<Vec<u8>>,
    pub recovery_codes_left: i64,
}

/// How a second factor was proven.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    Code,
    RecoveryCode,
}

impl Proof {
    pub fn as_str(self) -> &'static str {
        match self {
            Proof::Code => "totp",
            Proof::RecoveryCode => "recovery_code",
        }
    }
}

fn actor(user: UserId) -> Actor {
    Actor::User { user, membership: None }
}

fn hash(code: &str) -> String {
    hex::encode(<sha2::Sha256 as sha2::Digest>::digest(rules::normalize_recovery(code).as_bytes()))
}

pub fn status(conn: &mut Conn<'_>, user: UserId) -> Result<Status, DbError> {
    let (enabled, pending): (Option<chrono::NaiveDateTime>, Option<String>) =
        on!(conn, c => u::table.find(user.0).select((u::totp_enabled_at, u::totp_pending_secret)).first(c).optional())?.ok_or(DbError::NotFound)?;
    let left: i64 = on!(conn, c => rc::table.filter(rc::user_id.eq(user.0)).filter(rc::used_at.is_null()).count().get_result(c))?;
    Ok(Status { enabled_at: enabled.map(from_db), pending: pending.and_then(|p| hex::decode(p).ok()), recovery_codes_left: left })
}

/// Does this person sign in with a second factor?
pub fn enabled(conn: &mut Conn<'_>, user: UserId) -> Result<bool, DbError> {
    let e: Option<Option<chrono::NaiveDateTime>> = on!(conn, c => u::table.find(user.0).select(u::totp_enabled_at).first(c).optional())?;
    Ok(matches!(e, Some(Some(_))))
}

/// Starts (or starts again) an enrolment: a new secret waits for its first code. Refused while a
/// second factor is on (turn it off first).
pub fn begin(conn: &mut Conn<'_>, user: UserId, now: DateTime<Utc>) -> Result<Vec<u8>, DbError> {
    if enabled(conn, user)? {
        return Err(DbError::Conflict(crate::Conflict::Duplicate));
    }
    let mut secret = vec![0u8; rules::SECRET_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut secret);
    on!(conn, c => diesel::update(u::table.find(user.0)).set((u::totp_pending_secret.eq(Some(hex::encode(&secret))), u::updated_at.eq(to_db(now)))).execute(c))?;
    Ok(secret)
}

fn new_recovery_codes(conn: &mut Conn<'_>, user: UserId, now: DateTime<Utc>) -> Result<Vec<String>, DbError> {
    on!(conn, c => diesel::delete(rc::table.filter(rc::user_id.eq(user.0))).execute(c))?;
    let mut codes = Vec::with_capacity(rules::RECOVERY_CODES);
    for _ in 0..rules::RECOVERY_CODES {
        let mut b = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut b);
        let code = rules::recovery_code(&b);
        on!(conn, c => diesel::insert_into(rc::table).values((rc::user_id.eq(user.0), rc::code_hash.eq(hash(&code)), rc::created_at.eq(to_db(now)))).execute(c))?;
        codes.push(code);
    }
    Ok(codes)
}

/// Confirms the enrolment with a code from the app: the second factor is on from now, and ten
/// recovery codes are made (returned this once). A wrong code changes nothing.
pub fn confirm(conn: &mut Conn<'_>, user: UserId, code: &str, now: DateTime<Utc>) -> Result<Vec<String>, DbError> {
    conn.transaction(|conn| {
        let pending: Option<String> = on!(conn, c => u::table.find(user.0).select(u::totp_pending_secret).first(c))?;
        let secret = pending.and_then(|p| hex::decode(p).ok()).ok_or(DbError::NotFound)?;
        let step = rules::matching_step(&secret, code, now, None).ok_or(gatehouse_domain::DomainError::InvalidValue { field: "code", value: String::new() })?;
        on!(conn, c => diesel::update(u::table.find(user.0))
            .set((
                u::totp_secret.eq(Some(hex::encode(&secret))),
                u::totp_pending_secret.eq(None::<String>),
                u::totp_last_step.eq(Some(step)),
                u::totp_enabled_at.eq(Some(to_db(now))),
                u::updated_at.eq(to_db(now)),
                u::version.eq(u::version + 1),
            ))
            .execute(c))?;
        let codes = new_recovery_codes(conn, user, now)?;
        audit::record(conn, now, &AuditEntry::new(None, actor(user), "two_factor.enabled", "user", Some(user.0)).after(json!({ "recovery_codes": codes.len() })))?;
        Ok(codes)
    })
}

/// Checks a second factor: a six-digit code (for a time step later than the last one used) or a
/// recovery code (then used up). The step or the code is taken in the same statement that checks
/// it is still free, so two requests with the same code let only one in.
pub fn verify(conn: &mut Conn<'_>, user: UserId, entered: &str, now: DateTime<Utc>) -> Result<Option<Proof>, DbError> {
    if rules::is_recovery_code(entered) {
        let n = on!(conn, c => diesel::update(rc::table.filter(rc::user_id.eq(user.0)).filter(rc::code_hash.eq(hash(entered))).filter(rc::used_at.is_null()))
            .set(rc::used_at.eq(Some(to_db(now))))
            .execute(c))?;
        if n == 0 {
            return Ok(None);
        }
        audit::record(conn, now, &AuditEntry::new(None, actor(user), "two_factor.recovery_code_used", "user", Some(user.0)))?;
        return Ok(Some(Proof::RecoveryCode));
    }
    let row: Option<(Option<String>, Option<i64>)> = on!(conn, c => u::table.find(user.0).select((u::totp_secret, u::totp_last_step)).first(c).optional())?;
    let Some((Some(secret), last)) = row else { return Ok(None) };
    let Ok(secret) = hex::decode(secret) else { return Ok(None) };
    let Some(step) = rules::matching_step(&secret, entered, now, last) else { return Ok(None) };
    let taken = on!(conn, c => diesel::update(u::table.find(user.0).filter(u::totp_last_step.is_null().or(u::totp_last_step.lt(step))))
        .set(u::totp_last_step.eq(Some(step)))
        .execute(c))?;
    Ok((taken == 1).then_some(Proof::Code))
}

/// Turns the second factor off (after a code proved it is still theirs): secret and recovery
/// codes go.
pub fn disable(conn: &mut Conn<'_>, user: UserId, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        on!(conn, c => diesel::update(u::table.find(user.0))
            .set((
                u::totp_secret.eq(None::<String>),
                u::totp_pending_secret.eq(None::<String>),
                u::totp_last_step.eq(None::<i64>),
                u::totp_enabled_at.eq(None::<chrono::NaiveDateTime>),
                u::updated_at.eq(to_db(now)),
                u::version.eq(u::version + 1),
            ))
            .execute(c))?;
        on!(conn, c => diesel::delete(rc::table.filter(rc::user_id.eq(user.0))).execute(c))?;
        audit::record(conn, now, &AuditEntry::new(None, actor(user), "two_factor.disabled", "user", Some(user.0)))?;
        Ok(())
    })
}

/// Ten new recovery codes; the earlier ones stop working.
pub fn regenerate_recovery_codes(conn: &mut Conn<'_>, user: UserId, now: DateTime<Utc>) -> Result<Vec<String>, DbError> {
    conn.transaction(|conn| {
        if !enabled(conn, user)? {
            return Err(DbError::NotFound);
        }
        let codes = new_recovery_codes(conn, user, now)?;
        audit::record(conn, now, &AuditEntry::new(None, actor(user), "two_factor.recovery_codes_renewed", "user", Some(user.0)))?;
        Ok(codes)
    })
}

/// A sign-in whose first factor was right, waiting for the second: returns the token the browser
/// keeps for [`PENDING_MINUTES`].
pub fn start_pending(conn: &mut Conn<'_>, user: UserId, method: &str, next: Option<&str>, now: DateTime<Utc>) -> Result<String, DbError> {
    on!(conn, c => diesel::delete(ps::table.filter(ps::expires_at.le(to_db(now)))).execute(c))?;
    let token = random_token();
    on!(conn, c => diesel::insert_into(ps::table)
        .values((
            ps::token_hash.eq(token_hash(&token)),
            ps::user_id.eq(user.0),
            ps::method.eq(method),
            ps::next_path.eq(next),
            ps::expires_at.eq(to_db(now + Duration::minutes(PENDING_MINUTES))),
            ps::created_at.eq(to_db(now)),
        ))
        .execute(c))?;
    Ok(token)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub user: UserId,
    pub email: String,
    pub method: String,
    pub next: Option<String>,
}

/// The waiting sign-in behind a token, while it has not expired.
pub fn pending(conn: &mut Conn<'_>, token: &str, now: DateTime<Utc>) -> Result<Option<Pending>, DbError> {
    let row: Option<(i64, String, String, Option<String>)> = on!(conn, c => ps::table
        .inner_join(u::table.on(u::id.eq(ps::user_id)))
        .filter(ps::token_hash.eq(token_hash(token)))
        .filter(ps::expires_at.gt(to_db(now)))
        .select((ps::user_id, u::email, ps::method, ps::next_path))
        .first(c)
        .optional())?;
    Ok(row.map(|(user, email, method, next)| Pending { user: UserId(user), email, method, next }))
}

/// The waiting sign-in is over (signed in, or abandoned).
pub fn end_pending(conn: &mut Conn<'_>, token: &str) -> Result<(), DbError> {
    on!(conn, c => diesel::delete(ps::table.filter(ps::token_hash.eq(token_hash(token)))).execute(c))?;
    Ok(())
}

/// The organizations (names) that require a second factor of this person: those they are an
/// active member of with the requirement on.
pub fn required_by(conn: &mut Conn<'_>, user: UserId) -> Result<Vec<String>, DbError> {
    use crate::schema::{memberships as m, organizations as o};
    Ok(on!(conn, c => m::table
        .inner_join(o::table)
        .filter(m::user_id.eq(user.0))
        .filter(m::status.eq("active"))
        .filter(o::require_two_factor.eq(true))
        .order(o::name.asc())
        .select(o::name)
        .load(c))?)
}
