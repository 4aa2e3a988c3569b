//! Account workflows behind email links: password reset, and changing one's email address
//! (confirmed from the new address, announced to the old one with a link that cancels it).
//! Every mail is written to the outbox in the same transaction as the token it carries.
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

/// How long the confirmation link sent to a new address works.
pub const EMAIL_CHANGE_VALID_HOURS: i64 = 24;

/// Why an email change did not happen (shown to the person in their words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EmailChangeRefusal {
    WrongPassword,
    BadAddress,
    SameAddress,
    /// Another account uses the address.
    Taken,
    /// The link is unknown, used, cancelled or expired.
    LinkInvalid,
}

fn mail_to(conn: &mut Conn<'_>, to: &str, locale: gatehouse_domain::locale::Locale, mail: &gatehouse_mail::Mail, public_url: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    let r = gatehouse_mail::render(mail, locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
    outbox::enqueue(conn, &NewMail { org: None, to, locale: locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html }, Actor::System, now)?;
    Ok(())
}

/// A signed-in person asks to use `new_email`, proving it is them with their password. The new
/// address gets a confirmation link; the old one is told, with a link that cancels the change.
/// Until confirmed, the old address stays in use. An earlier pending change is replaced.
pub fn request_email_change(
    conn: &mut Conn<'_>,
    user: UserId,
    new_email: &str,
    password: &str,
    public_url: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), EmailChangeRefusal>, DbError> {
    use crate::schema::users as u;
    use diesel::prelude::*;
    let me = crate::users::get(conn, user)?;
    let hash: Option<String> = crate::on!(conn, c => u::table.find(user.0).select(u::password_hash).first(c))?;
    if !hash.is_some_and(|h| crate::password::verify(password, &h)) {
        return Ok(Err(EmailChangeRefusal::WrongPassword));
    }
    let Ok(new_email) = gatehouse_domain::validate::normalize_email(new_email) else { return Ok(Err(EmailChangeRefusal::BadAddress)) };
    if new_email == me.email {
        return Ok(Err(EmailChangeRefusal::SameAddress));
    }
    if crate::users::find_by_email(conn, &new_email)?.is_some() {
        return Ok(Err(EmailChangeRefusal::Taken));
    }
    conn.transaction(|conn| {
        let base = public_url.trim_end_matches('/');
        let confirm = tokens::issue(conn, Purpose::EmailChangeNew, Some(user), None, None, Some(&new_email), Duration::hours(EMAIL_CHANGE_VALID_HOURS), now)?;
        let cancel = tokens::issue(conn, Purpose::EmailChangeOld, Some(user), None, None, Some(&new_email), Duration::hours(EMAIL_CHANGE_VALID_HOURS), now)?;
        let name = me.display_name.clone();
        let to_new = gatehouse_mail::Mail::EmailChangeConfirm {
            name: name.clone(),
            new_email: new_email.clone(),
            link: format!("{base}/confirm-email?token={confirm}"),
            valid_hours: EMAIL_CHANGE_VALID_HOURS,
        };
        mail_to(conn, &new_email, me.locale, &to_new, public_url, now)?;
        let to_old = gatehouse_mail::Mail::EmailChangeRequested { name, new_email: new_email.clone(), link: format!("{base}/cancel-email-change?token={cancel}") };
        mail_to(conn, &me.email, me.locale, &to_old, public_url, now)?;
        audit::record(conn, now, &AuditEntry::new(None, Actor::User { user, membership: None }, "email.change_requested", "user", Some(user.0)).after(json!({"new_email": new_email})))?;
        Ok(Ok(()))
    })
}

/// The change a link stands for, while it works: (current address, new address).
pub fn email_change_link(conn: &mut Conn<'_>, confirm: bool, raw: &str, now: DateTime<Utc>) -> Result<Option<(String, String)>, DbError> {
    let purpose = if confirm { Purpose::EmailChangeNew } else { Purpose::EmailChangeOld };
    let Some(t) = tokens::peek(conn, purpose, raw, now)? else { return Ok(None) };
    let Some(user) = t.user else { return Ok(None) };
    Ok(Some((crate::users::get(conn, user)?.email, t.data.unwrap_or_default())))
}

/// The pending change of a person: the new address and until when its link works.
pub fn pending_email_change(conn: &mut Conn<'_>, user: UserId, now: DateTime<Utc>) -> Result<Option<(String, DateTime<Utc>)>, DbError> {
    use crate::schema::access_tokens as at;
    use diesel::prelude::*;
    let r: Option<(Option<String>, chrono::NaiveDateTime)> = crate::on!(conn, c => at::table
        .filter(at::purpose.eq(Purpose::EmailChangeNew.as_str()))
        .filter(at::user_id.eq(user.0))
        .filter(at::used_at.is_null())
        .filter(at::expires_at.gt(crate::to_db(now)))
        .order(at::id.desc())
        .select((at::data, at::expires_at))
        .first(c)
        .optional())?;
    Ok(r.map(|(d, e)| (d.unwrap_or_default(), crate::from_db(e))))
}

/// Confirms a change from the new address: the account uses it from now on, the old address
/// is told, its cancel link stops working. Sessions stay (the person proved both).
pub fn confirm_email_change(conn: &mut Conn<'_>, raw: &str, public_url: &str, now: DateTime<Utc>) -> Result<Result<UserId, EmailChangeRefusal>, DbError> {
    use crate::schema::users as u;
    use diesel::prelude::*;
    conn.transaction(|conn| {
        let Some(t) = tokens::consume(conn, Purpose::EmailChangeNew, raw, now)? else { return Ok(Err(EmailChangeRefusal::LinkInvalid)) };
        let (Some(user), Some(new_email)) = (t.user, t.data) else { return Ok(Err(EmailChangeRefusal::LinkInvalid)) };
        if crate::users::find_by_email(conn, &new_email)?.is_some() {
            return Ok(Err(EmailChangeRefusal::Taken));
        }
        let me = crate::users::get(conn, user)?;
        let actor = Actor::User { user, membership: None };
        crate::on!(conn, c => diesel::update(u::table.find(user.0))
            .set((u::email.eq(&new_email), u::updated_at.eq(crate::to_db(now)), u::version.eq(u::version + 1), u::updated_by_kind.eq(actor.kind()), u::updated_by_id.eq(actor.id())))
            .execute(c))?;
        {
            use crate::schema::access_tokens as at;
            crate::on!(conn, c => diesel::update(at::table.filter(at::purpose.eq(Purpose::EmailChangeOld.as_str())).filter(at::user_id.eq(user.0)).filter(at::used_at.is_null()))
                .set(at::used_at.eq(Some(crate::to_db(now))))
                .execute(c))?;
        }
        let mail = gatehouse_mail::Mail::EmailChanged { name: me.display_name.clone(), new_email: new_email.clone() };
        mail_to(conn, &me.email, me.locale, &mail, public_url, now)?;
        audit::record(conn, now, &AuditEntry::new(None, actor, "email.changed", "user", Some(user.0)).before(json!({"email": me.email})).after(json!({"email": new_email})))?;
        Ok(Ok(user))
    })
}

/// Cancels a pending change from the old address's link: the confirmation link stops working.
/// `false` when the link does not work (any more).
pub fn cancel_email_change(conn: &mut Conn<'_>, raw: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    use crate::schema::access_tokens as at;
    use diesel::prelude::*;
    conn.transaction(|conn| {
        let Some(t) = tokens::consume(conn, Purpose::EmailChangeOld, raw, now)? else { return Ok(false) };
        let Some(user) = t.user else { return Ok(false) };
        crate::on!(conn, c => diesel::update(at::table.filter(at::purpose.eq(Purpose::EmailChangeNew.as_str())).filter(at::user_id.eq(user.0)).filter(at::used_at.is_null()))
            .set(at::used_at.eq(Some(crate::to_db(now))))
            .execute(c))?;
        audit::record(conn, now, &AuditEntry::new(None, Actor::User { user, membership: None }, "email.change_cancelled", "user", Some(user.0)).after(json!({"new_email": t.data})))?;
        Ok(true)
    })
}
