//! Account workflows that work without a session: password reset by email. The mail is written
//! to the outbox in the same transaction as the token it carries.
use crate::audit::{self, AuditEntry};
use crate::outbox::{self, NewMail};
use crate::tokens::{self, Purpose};
use crate::{Conn, DbError};
use chrono::{DateTime, Duration, Utc};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::UserId;
use serde_json::json;

/// How long a reset link works.
pub const RESET_VALID_HOURS: i64 = 2;
/// At most one reset mail per person in this window (no mail bombing through the form).
pub const RESET_QUIET_MINUTES: i64 = 2;

/// What happened, for the caller's logs only: the person asking always sees the same answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetRequest {
    Sent,
    UnknownAddress,
    TooSoon,
}

/// Sends a password reset link to `email` if it belongs to a person (never to system users).
pub fn request_password_reset(conn: &mut Conn<'_>, email: &str, public_url: &str, now: DateTime<Utc>) -> Result<ResetRequest, DbError> {
    let Ok(email) = gatehouse_domain::validate::normalize_email(email) else { return Ok(ResetRequest::UnknownAddress) };
    let Some(user) = crate::users::find_by_email(conn, &email)?.filter(|u| !u.is_system) else { return Ok(ResetRequest::UnknownAddress) };
    conn.transaction(|conn| {
        if tokens::recent(conn, Purpose::PasswordReset, user.id, now - Duration::minutes(RESET_QUIET_MINUTES))? {
            return Ok(ResetRequest::TooSoon);
        }
        let raw = tokens::issue(conn, Purpose::PasswordReset, Some(user.id), None, None, None, Duration::hours(RESET_VALID_HOURS), now)?;
        let link = format!("{}/reset-password?token={raw}", public_url.trim_end_matches('/'));
        let locale = user.locale;
        let mail = gatehouse_mail::Mail::PasswordReset { name: user.display_name.clone(), link, valid_hours: RESET_VALID_HOURS };
        let r = gatehouse_mail::render(&mail, locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
        outbox::enqueue(
            conn,
            &NewMail { org: None, to: &user.email, locale: locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html },
            Actor::System,
            now,
        )?;
        audit::record(conn, now, &AuditEntry::new(None, Actor::User { user: user.id, membership: None }, "password.reset_requested", "user", Some(user.id.0)))?;
        Ok(ResetRequest::Sent)
    })
}

/// Is this reset link still good (for showing the form)?
pub fn reset_link_valid(conn: &mut Conn<'_>, raw: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    Ok(tokens::peek(conn, Purpose::PasswordReset, raw, now)?.is_some())
}

/// Sets a new password through a reset link: the link is used up, every session of the person
/// ends. `Ok(None)` when the link is unknown, used or expired (nothing changes).
pub fn reset_password(conn: &mut Conn<'_>, raw: &str, new_password: &str, now: DateTime<Utc>) -> Result<Option<UserId>, DbError> {
    gatehouse_domain::validate::password_strength(new_password)?;
    let hash = crate::password::hash(new_password);
    conn.transaction(|conn| {
        let Some(token) = tokens::consume(conn, Purpose::PasswordReset, raw, now)? else { return Ok(None) };
        let user = token.user.ok_or(DbError::NotFound)?;
        crate::users::set_password_hash(conn, user, &hash, now)?;
        crate::sessions::delete_all_of(conn, user)?;
        audit::record(conn, now, &AuditEntry::new(None, Actor::User { user, membership: None }, "password.reset", "user", Some(user.0)).after(json!({"sessions_ended": true})))?;
        Ok(Some(user))
    })
}
