//! Single-use, expiring tokens behind email links that work without a session (password reset,
//! invitation, email change). Only a hash is stored; using one is atomic, so a link works once
//! even when clicked twice at the same moment.
use crate::schema::access_tokens as at;
use crate::sessions::{random_token, token_hash};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use gatehouse_domain::ids::{MembershipId, OrgId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    Invitation,
    EmailChangeNew,
    EmailChangeOld,
    /// Signs its owner in while password sign-in is throttled.
    SignInLink,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::Invitation => "invitation",
            Purpose::EmailChangeNew => "email_change_new",
            Purpose::EmailChangeOld => "email_change_old",
            Purpose::SignInLink => "sign_in_link",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    pub id: i64,
    pub user: Option<UserId>,
    pub org: Option<OrgId>,
    pub membership: Option<MembershipId>,
    pub data: Option<String>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// Issues a token and returns it (the only time it exists in clear). Earlier unused tokens of
/// the same purpose for the same person stop working.
#[allow(clippy::too_many_arguments)]
pub fn issue(
    conn: &mut Conn<'_>,
    purpose: Purpose,
    user: Option<UserId>,
    org: Option<OrgId>,
    membership: Option<MembershipId>,
    data: Option<&str>,
    valid_for: Duration,
    now: DateTime<Utc>,
) -> Result<String, DbError> {
    // An invitation's link belongs to its membership (a person may be invited to several
    // organizations at once); other links to the person.
    if let (Purpose::Invitation, Some(o), Some(m)) = (purpose, org, membership) {
        kill_for_membership(conn, purpose, o, m, now)?;
    } else if let Some(u) = user {
        on!(conn, c => diesel::update(at::table.filter(at::purpose.eq(purpose.as_str())).filter(at::user_id.eq(u.0)).filter(at::used_at.is_null()))
            .set(at::used_at.eq(Some(to_db(now))))
            .execute(c))?;
    }
    let raw = random_token();
    let values = (
        at::purpose.eq(purpose.as_str()),
        at::token_hash.eq(token_hash(&raw)),
        at::user_id.eq(user.map(|u| u.0)),
        at::org_id.eq(org.map(|o| o.0)),
        at::membership_id.eq(membership.map(|m| m.0)),
        at::data.eq(data),
        at::expires_at.eq(to_db(now + valid_for)),
        at::created_at.eq(to_db(now)),
    );
    on!(conn, c => diesel::insert_into(at::table).values(values).execute(c))?;
    Ok(raw)
}

/// Ends every unused token of this purpose for `org`'s membership (a revoked invitation).
pub fn kill_for_membership(conn: &mut Conn<'_>, purpose: Purpose, org: OrgId, membership: MembershipId, now: DateTime<Utc>) -> Result<usize, DbError> {
    Ok(on!(conn, c => diesel::update(at::table.filter(at::purpose.eq(purpose.as_str())).filter(at::org_id.eq(org.0)).filter(at::membership_id.eq(membership.0)).filter(at::used_at.is_null()))
        .set(at::used_at.eq(Some(to_db(now))))
        .execute(c))?)
}

type Row = (i64, Option<i64>, Option<i64>, Option<i64>, Option<String>, chrono::NaiveDateTime, chrono::NaiveDateTime);

fn to_row(r: Row) -> TokenRow {
    TokenRow {
        id: r.0,
        user: r.1.map(UserId),
        org: r.2.map(OrgId),
        membership: r.3.map(MembershipId),
        data: r.4,
        expires_at: from_db(r.5),
        created_at: from_db(r.6),
    }
}

/// The token if it is valid now (unused, not expired), without using it.
pub fn peek(conn: &mut Conn<'_>, purpose: Purpose, raw: &str, now: DateTime<Utc>) -> Result<Option<TokenRow>, DbError> {
    let r: Option<Row> = on!(conn, c => at::table
        .filter(at::purpose.eq(purpose.as_str()))
        .filter(at::token_hash.eq(token_hash(raw)))
        .filter(at::used_at.is_null())
        .filter(at::expires_at.gt(to_db(now)))
        .select((at::id, at::user_id, at::org_id, at::membership_id, at::data, at::expires_at, at::created_at))
        .first(c)
        .optional())?;
    Ok(r.map(to_row))
}

/// Uses the token: valid once. `None` when unknown, used or expired.
pub fn consume(conn: &mut Conn<'_>, purpose: Purpose, raw: &str, now: DateTime<Utc>) -> Result<Option<TokenRow>, DbError> {
    let Some(row) = peek(conn, purpose, raw, now)? else { return Ok(None) };
    let n = on!(conn, c => diesel::update(at::table.find(row.id).filter(at::used_at.is_null()))
        .set(at::used_at.eq(Some(to_db(now))))
        .execute(c))?;
    Ok((n == 1).then_some(row))
}

/// The newest unused token of this purpose for this person, if it was issued after `since`.
pub fn recent(conn: &mut Conn<'_>, purpose: Purpose, user: UserId, since: DateTime<Utc>) -> Result<bool, DbError> {
    let n: i64 = on!(conn, c => at::table
        .filter(at::purpose.eq(purpose.as_str()))
        .filter(at::user_id.eq(user.0))
        .filter(at::used_at.is_null())
        .filter(at::created_at.gt(to_db(since)))
        .count()
        .get_result(c))?;
    Ok(n > 0)
}
