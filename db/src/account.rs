//! Account workflows behind email links: password reset, and changing one's email address
//! (confirmed from the new address, announced to the old one with a link that cancels it; once
//! confirmed, the old address can still undo it for some days).
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
    let link = MailedLink { purpose: Purpose::PasswordReset, valid: Duration::hours(RESET_VALID_HOURS), page: "reset-password", action: "password.reset_requested" };
    mail_link(conn, email, &link, public_url, now, |name, link| gatehouse_mail::Mail::PasswordReset { name, link, valid_hours: RESET_VALID_HOURS })
}

/// How long a sign-in link works.
pub const SIGN_IN_LINK_VALID_MINUTES: i64 = 15;

/// Mails a single-use sign-in link to `email` when it belongs to a person (never a system user),
/// at most one every few minutes. The caller offers it only while the address's password
/// sign-in is throttled, and answers the same whatever happened (no account enumeration).
pub fn request_sign_in_link(conn: &mut Conn<'_>, email: &str, public_url: &str, now: DateTime<Utc>) -> Result<ResetRequest, DbError> {
    let link = MailedLink { purpose: Purpose::SignInLink, valid: Duration::minutes(SIGN_IN_LINK_VALID_MINUTES), page: "sign-in-link", action: "sign_in_link.requested" };
    mail_link(conn, email, &link, public_url, now, |name, link| gatehouse_mail::Mail::SignInLink { name, link, valid_minutes: SIGN_IN_LINK_VALID_MINUTES })
}

/// A single-use link that establishes access, mailed on request.
struct MailedLink {
    purpose: Purpose,
    valid: Duration,
    /// The page the link opens (`/{page}?token=…`).
    page: &'static str,
    /// The audit action of the request.
    action: &'static str,
}

/// Mails `link` to the person with `email` (never a system user), at most once every few
/// minutes; the token and its mail are written in one transaction.
fn mail_link(
    conn: &mut Conn<'_>,
    email: &str,
    link: &MailedLink,
    public_url: &str,
    now: DateTime<Utc>,
    mail: impl FnOnce(String, String) -> gatehouse_mail::Mail,
) -> Result<ResetRequest, DbError> {
    let Ok(email) = gatehouse_domain::validate::normalize_email(email) else { return Ok(ResetRequest::UnknownAddress) };
    let Some(user) = crate::users::find_by_email(conn, &email)?.filter(|u| !u.is_system) else { return Ok(ResetRequest::UnknownAddress) };
    conn.transaction(|conn| {
        if tokens::recent(conn, link.purpose, user.id, now - Duration::minutes(RESET_QUIET_MINUTES))? {
            return Ok(ResetRequest::TooSoon);
        }
        let raw = tokens::issue(conn, link.purpose, Some(user.id), None, None, None, link.valid, now)?;
        let url = format!("{}/{}?token={raw}", public_url.trim_end_matches('/'), link.page);
        mail_to(conn, &user.email, user.locale, &mail(user.display_name.clone(), url), public_url, now)?;
        audit::record(conn, now, &AuditEntry::new(None, Actor::User { user: user.id, membership: None }, link.action, "user", Some(user.id.0)))?;
        Ok(ResetRequest::Sent)
    })
}

/// Is this reset link still good (for showing the form)?
pub fn reset_link_valid(conn: &mut Conn<'_>, raw: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    Ok(tokens::peek(conn, Purpose::PasswordReset, raw, now)?.is_some())
}

/// Is this sign-in link still good (for showing its page)?
pub fn sign_in_link_valid(conn: &mut Conn<'_>, raw: &str, now: DateTime<Utc>) -> Result<bool, DbError> {
    Ok(tokens::peek(conn, Purpose::SignInLink, raw, now)?.is_some())
}

/// Uses up a sign-in link: the person it names, whose address's throttle record is cleared (the
/// mailbox proved it is them). `Ok(None)` when the link is unknown, used or expired.
pub fn use_sign_in_link(conn: &mut Conn<'_>, raw: &str, now: DateTime<Utc>) -> Result<Option<UserId>, DbError> {
    conn.transaction(|conn| {
        let Some(token) = tokens::consume(conn, Purpose::SignInLink, raw, now)? else { return Ok(None) };
        let user = token.user.ok_or(DbError::NotFound)?;
        let email = crate::users::get(conn, user)?.email;
        crate::throttle::clear(conn, &crate::throttle::account_key(&email))?;
        Ok(Some(user))
    })
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
        // The mailbox proved it is them: wrong guesses before no longer hold the new password back.
        let email = crate::users::get(conn, user)?.email;
        crate::throttle::clear(conn, &crate::throttle::account_key(&email))?;
        audit::record(conn, now, &AuditEntry::new(None, Actor::User { user, membership: None }, "password.reset", "user", Some(user.0)).after(json!({"sessions_ended": true})))?;
        Ok(Some(user))
    })
}

/// How long the confirmation link sent to a new address works.
pub const EMAIL_CHANGE_VALID_HOURS: i64 = 24;
/// How long the old address can undo a confirmed change.
pub const EMAIL_REVERT_VALID_DAYS: i64 = 7;
/// How long the link to set a new password after an undone change works.
pub const REVERT_RESET_VALID_HOURS: i64 = 24;

/// An undo link's data: the person and the address to go back to. The token names no person
/// in its `user` column, so neither a later change request nor its confirmation (both end the
/// person's other open links) can end it: whoever took the account cannot cut the old address off.
fn revert_data(user: UserId, old_email: &str) -> String {
    format!("{}{old_email}", revert_prefix(user))
}

/// How every undo link of `user` begins (anonymizing the identity deletes them too).
pub(crate) fn revert_prefix(user: UserId) -> String {
    format!("revert:{}:", user.0)
}

fn parse_revert(data: &str) -> Option<(UserId, String)> {
    let (id, email) = data.strip_prefix("revert:")?.split_once(':')?;
    Some((UserId(id.parse().ok()?), email.to_string()))
}

/// The undo link a token stands for: only tokens issued by `confirm_email_change` (no person in
/// `user_id`). A cancel link's data is an address someone typed — "revert:7:x@y" is a valid
/// address — so the data alone never makes a link an undo link.
fn undo_of(t: &tokens::TokenRow) -> Option<(UserId, String)> {
    if t.user.is_some() {
        return None;
    }
    t.data.as_deref().and_then(parse_revert)
}

/// Is `email` held back for an account that gave it up and may still take it back with an open
/// undo link? Then no other account may take it (a new identity, an invitation, an email
/// change): whoever took over an account must not block its owner's way back.
pub fn address_reserved(conn: &mut Conn<'_>, email: &str, except: Option<UserId>, now: DateTime<Utc>) -> Result<bool, DbError> {
    use crate::schema::access_tokens as at;
    use diesel::prelude::*;
    let open: Vec<Option<String>> = crate::on!(conn, c => at::table
        .filter(at::purpose.eq(Purpose::EmailChangeOld.as_str()))
        .filter(at::user_id.is_null())
        .filter(at::used_at.is_null())
        .filter(at::expires_at.gt(crate::to_db(now)))
        .select(at::data)
        .load(c))?;
    let email = email.trim().to_lowercase();
    Ok(open.iter().flatten().filter_map(|d| parse_revert(d)).any(|(user, old)| old == email && Some(user) != except))
}

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
    if crate::users::find_by_email(conn, &new_email)?.is_some() || address_reserved(conn, &new_email, Some(user), now)? {
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

/// The change a link stands for, while it works: (current address, the other address, whether it
/// undoes a confirmed change — then only the address to go back to is said).
pub fn email_change_link(conn: &mut Conn<'_>, confirm: bool, raw: &str, now: DateTime<Utc>) -> Result<Option<(String, String, bool)>, DbError> {
    let purpose = if confirm { Purpose::EmailChangeNew } else { Purpose::EmailChangeOld };
    let Some(t) = tokens::peek(conn, purpose, raw, now)? else { return Ok(None) };
    if let (false, Some((_, old))) = (confirm, undo_of(&t)) {
        // Only the address to go back to: whoever holds an old mailbox learns nothing newer.
        return Ok(Some((String::new(), old, true)));
    }
    let Some(user) = t.user else { return Ok(None) };
    Ok(Some((crate::users::get(conn, user)?.email, t.data.unwrap_or_default(), false)))
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
/// is told, its cancel link stops working. Sessions stay (the person proved both). The old
/// address gets a link that undoes the change for `EMAIL_REVERT_VALID_DAYS` days (a stolen
/// password plus a new mailbox must not take the account for good).
pub fn confirm_email_change(conn: &mut Conn<'_>, raw: &str, public_url: &str, now: DateTime<Utc>) -> Result<Result<UserId, EmailChangeRefusal>, DbError> {
    use crate::schema::users as u;
    use diesel::prelude::*;
    conn.transaction(|conn| {
        let Some(t) = tokens::consume(conn, Purpose::EmailChangeNew, raw, now)? else { return Ok(Err(EmailChangeRefusal::LinkInvalid)) };
        let (Some(user), Some(new_email)) = (t.user, t.data) else { return Ok(Err(EmailChangeRefusal::LinkInvalid)) };
        if crate::users::find_by_email(conn, &new_email)?.is_some() || address_reserved(conn, &new_email, Some(user), now)? {
            return Ok(Err(EmailChangeRefusal::Taken));
        }
        let me = crate::users::get(conn, user)?;
        let actor = Actor::User { user, membership: None };
        crate::on!(conn, c => diesel::update(u::table.find(user.0))
            .set((u::email.eq(&new_email), u::updated_at.eq(crate::to_db(now)), u::version.eq(u::version + 1), u::updated_by_kind.eq(actor.kind()), u::updated_by_id.eq(actor.id())))
            .execute(c))?;
        crate::members::refresh_list_keys(conn, crate::members::KeysOf::User(user))?;
        {
            use crate::schema::access_tokens as at;
            crate::on!(conn, c => diesel::update(at::table.filter(at::purpose.eq(Purpose::EmailChangeOld.as_str())).filter(at::user_id.eq(user.0)).filter(at::used_at.is_null()))
                .set(at::used_at.eq(Some(crate::to_db(now))))
                .execute(c))?;
        }
        let revert = tokens::issue(conn, Purpose::EmailChangeOld, None, None, None, Some(&revert_data(user, &me.email)), Duration::days(EMAIL_REVERT_VALID_DAYS), now)?;
        let mail = gatehouse_mail::Mail::EmailChanged {
            name: me.display_name.clone(),
            new_email: new_email.clone(),
            link: format!("{}/cancel-email-change?token={revert}", public_url.trim_end_matches('/')),
            valid_days: EMAIL_REVERT_VALID_DAYS,
        };
        mail_to(conn, &me.email, me.locale, &mail, public_url, now)?;
        audit::record(conn, now, &AuditEntry::new(None, actor, "email.changed", "user", Some(user.0)).before(json!({"email": me.email})).after(json!({"email": new_email})))?;
        Ok(Ok(user))
    })
}

/// What a link to the old address did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelOutcome {
    /// A pending change was cancelled: the confirmation link stopped working.
    Cancelled,
    /// A confirmed change was undone: the account uses the old address again, every session
    /// and open link of the person ended, the password was cleared, and a link to set a new one
    /// went to the old address.
    Reverted,
    /// The old address belongs to another account by now: nothing changed.
    Taken,
    /// The link is unknown, used or expired.
    Invalid,
}

/// The link sent to the old address: cancels a pending change, or undoes a confirmed one.
pub fn cancel_email_change(conn: &mut Conn<'_>, raw: &str, public_url: &str, now: DateTime<Utc>) -> Result<CancelOutcome, DbError> {
    use crate::schema::access_tokens as at;
    use crate::schema::users as u;
    use diesel::prelude::*;
    conn.transaction(|conn| {
        let Some(peeked) = tokens::peek(conn, Purpose::EmailChangeOld, raw, now)? else { return Ok(CancelOutcome::Invalid) };
        if let Some((user, old)) = undo_of(&peeked) {
            if crate::users::find_by_email(conn, &old)?.is_some_and(|other| other.id != user) {
                return Ok(CancelOutcome::Taken);
            }
            if tokens::consume(conn, Purpose::EmailChangeOld, raw, now)?.is_none() {
                return Ok(CancelOutcome::Invalid);
            }
            let me = crate::users::get(conn, user)?;
            let actor = Actor::User { user, membership: None };
            crate::on!(conn, c => diesel::update(u::table.find(user.0))
                .set((u::email.eq(&old), u::password_hash.eq(None::<String>), u::updated_at.eq(crate::to_db(now)), u::version.eq(u::version + 1), u::updated_by_kind.eq(actor.kind()), u::updated_by_id.eq(actor.id())))
                .execute(c))?;
            crate::members::refresh_list_keys(conn, crate::members::KeysOf::User(user))?;
            // Whatever the other mailboxes hold stops working: resets, changes, and the undo links
            // of later changes. Undo links of earlier changes stay: they lead further back, so
            // whoever made a later change cannot cut the first address off by undoing their own.
            // Invitation links included: they went to the other mailbox and would set a password.
            crate::on!(conn, c => diesel::update(at::table.filter(at::user_id.eq(user.0)).filter(at::used_at.is_null()))
                .set(at::used_at.eq(Some(crate::to_db(now))))
                .execute(c))?;
            crate::on!(conn, c => diesel::update(
                    at::table
                        .filter(at::purpose.eq(Purpose::EmailChangeOld.as_str()))
                        .filter(at::user_id.is_null())
                        .filter(at::data.like(format!("{}%", revert_prefix(user))))
                        .filter(at::id.gt(peeked.id))
                        .filter(at::used_at.is_null()),
                )
                .set(at::used_at.eq(Some(crate::to_db(now))))
                .execute(c))?;
            let sessions = crate::sessions::delete_all_of(conn, user)?;
            let reset = tokens::issue(conn, Purpose::PasswordReset, Some(user), None, None, None, Duration::hours(REVERT_RESET_VALID_HOURS), now)?;
            let mail = gatehouse_mail::Mail::EmailChangeReverted {
                name: me.display_name.clone(),
                email: old.clone(),
                link: format!("{}/reset-password?token={reset}", public_url.trim_end_matches('/')),
                valid_hours: REVERT_RESET_VALID_HOURS,
            };
            mail_to(conn, &old, me.locale, &mail, public_url, now)?;
            audit::record(
                conn,
                now,
                &AuditEntry::new(None, actor, "email.change_reverted", "user", Some(user.0))
                    .before(json!({"email": me.email}))
                    .after(json!({"email": old, "sessions_ended": sessions, "password_cleared": true})),
            )?;
            return Ok(CancelOutcome::Reverted);
        }
        let Some(t) = tokens::consume(conn, Purpose::EmailChangeOld, raw, now)? else { return Ok(CancelOutcome::Invalid) };
        let Some(user) = t.user else { return Ok(CancelOutcome::Invalid) };
        crate::on!(conn, c => diesel::update(at::table.filter(at::purpose.eq(Purpose::EmailChangeNew.as_str())).filter(at::user_id.eq(user.0)).filter(at::used_at.is_null()))
            .set(at::used_at.eq(Some(crate::to_db(now))))
            .execute(c))?;
        audit::record(conn, now, &AuditEntry::new(None, Actor::User { user, membership: None }, "email.change_cancelled", "user", Some(user.0)).after(json!({"new_email": t.data})))?;
        Ok(CancelOutcome::Cancelled)
    })
}
