//! The email outbox: a message is written in the same transaction as the change that causes it,
//! then a worker claims due rows, sends them and marks them. Claims are leases: a row a crashed
//! worker held comes back when its lease runs out. On PostgreSQL several instances claim with
//! `FOR UPDATE SKIP LOCKED`; on SQLite the write transaction serializes the claim.
use crate::schema::email_outbox as eo;
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::ids::{MembershipId, OrgId};

pub struct NewMail<'a> {
    pub org: Option<OrgId>,
    pub to: &'a str,
    pub locale: &'a str,
    pub template: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
}

/// Queues a message; returns its outbox id. Call inside the transaction of the causing change.
pub fn enqueue(conn: &mut Conn<'_>, m: &NewMail<'_>, actor: Actor, now: DateTime<Utc>) -> Result<i64, DbError> {
    let to = gatehouse_domain::validate::normalize_email(m.to)?;
    let message_id = format!("<{}@gatehouse>", crate::sessions::random_token());
    let values = (
        eo::org_id.eq(m.org.map(|o| o.0)),
        eo::message_id.eq(&message_id),
        eo::to_address.eq(&to),
        eo::locale.eq(m.locale),
        eo::template.eq(m.template),
        eo::subject.eq(m.subject),
        eo::body_text.eq(Some(m.text)),
        eo::body_html.eq(Some(m.html)),
        eo::status.eq("queued"),
        eo::attempts.eq(0),
        eo::next_attempt_at.eq(to_db(now)),
        eo::created_at.eq(to_db(now)),
        eo::updated_at.eq(to_db(now)),
        eo::version.eq(1),
        eo::updated_by_kind.eq(actor.kind()),
        eo::updated_by_id.eq(actor.id()),
    );
    Ok(on!(conn, c => diesel::insert_into(eo::table).values(values).returning(eo::id).get_result::<i64>(c))?)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attempts: i32,
}

/// Claims up to `limit` due messages for `lease`. Run inside a transaction.
pub fn claim_due(conn: &mut Conn<'_>, now: DateTime<Utc>, limit: i64, lease: Duration) -> Result<Vec<Claimed>, DbError> {
    type Row = (i64, String, String, String, Option<String>, Option<String>, i32);
    let due = eo::status.eq_any(["queued", "sending"]).and(eo::next_attempt_at.le(to_db(now)));
    let cols = (eo::id, eo::message_id, eo::to_address, eo::subject, eo::body_text, eo::body_html, eo::attempts);
    let rows: Vec<Row> = match conn {
        Conn::Pg(c) => eo::table.filter(due).order(eo::id).limit(limit).select(cols).for_update().skip_locked().load(*c)?,
        Conn::Sqlite(c) => eo::table.filter(due).order(eo::id).limit(limit).select(cols).load(*c)?,
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    if !ids.is_empty() {
        on!(conn, c => diesel::update(eo::table.filter(eo::id.eq_any(&ids)))
            .set((eo::status.eq("sending"), eo::next_attempt_at.eq(to_db(now + lease)), eo::updated_at.eq(to_db(now))))
            .execute(c))?;
    }
    Ok(rows
        .into_iter()
        .map(|(id, message_id, to, subject, text, html, attempts)| Claimed {
            id,
            message_id,
            to,
            subject,
            text: text.unwrap_or_default(),
            html: html.unwrap_or_default(),
            attempts,
        })
        .collect())
}

pub fn mark_sent(conn: &mut Conn<'_>, id: i64, now: DateTime<Utc>) -> Result<(), DbError> {
    on!(conn, c => diesel::update(eo::table.find(id))
        .set((eo::status.eq("sent"), eo::sent_at.eq(Some(to_db(now))), eo::attempts.eq(eo::attempts + 1), eo::last_error.eq(None::<String>), eo::updated_at.eq(to_db(now)), eo::version.eq(eo::version + 1)))
        .execute(c))?;
    Ok(())
}

/// After a failed attempt: retried with exponential backoff (30 s, 1 min, 2 min … capped at one
/// hour), and marked failed — visible to admins — after `max_attempts`.
pub fn mark_failed(conn: &mut Conn<'_>, id: i64, attempts_before: i32, error: &str, now: DateTime<Utc>, max_attempts: i32) -> Result<(), DbError> {
    let attempts = attempts_before + 1;
    let give_up = attempts >= max_attempts;
    let wait = Duration::seconds(30 * 2i64.pow(attempts_before.clamp(0, 7) as u32)).min(Duration::hours(1));
    let error: String = error.chars().take(500).collect();
    on!(conn, c => diesel::update(eo::table.find(id))
        .set((
            eo::status.eq(if give_up { "failed" } else { "queued" }),
            eo::attempts.eq(attempts),
            eo::next_attempt_at.eq(to_db(now + wait)),
            eo::last_error.eq(Some(error.as_str())),
            eo::updated_at.eq(to_db(now)),
            eo::version.eq(eo::version + 1),
        ))
        .execute(c))?;
    Ok(())
}

/// (status, attempts, sent_at) of one message of `org` (`None`: mail about no organization, such
/// as an operator's test message or a password reset).
pub fn status(conn: &mut Conn<'_>, org: Option<OrgId>, id: i64) -> Result<(String, i32, Option<DateTime<Utc>>), DbError> {
    let q = eo::table.find(id).select((eo::status, eo::attempts, eo::sent_at));
    let row: (String, i32, Option<chrono::NaiveDateTime>) = match org {
        Some(o) => on!(conn, c => q.filter(eo::org_id.eq(o.0)).first(c))?,
        None => on!(conn, c => q.filter(eo::org_id.is_null()).first(c))?,
    };
    Ok((row.0, row.1, row.2.map(from_db)))
}

/// One queued or sent message, as listed for admins and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxLine {
    pub id: i64,
    pub to: String,
    pub template: String,
    pub subject: String,
    pub text: Option<String>,
    pub status: String,
}

/// Removes the bodies of messages sent before `sent_before` (DECISIONS.md: sent mail bodies are
/// kept 30 days by default). The row stays — who got which message when — without its content.
/// Idempotent, so several instances may run it.
pub fn purge_sent_bodies(conn: &mut Conn<'_>, sent_before: DateTime<Utc>) -> Result<usize, DbError> {
    Ok(on!(conn, c => diesel::update(
        eo::table
            .filter(eo::status.eq("sent"))
            .filter(eo::sent_at.lt(to_db(sent_before)))
            .filter(eo::body_text.is_not_null().or(eo::body_html.is_not_null())),
    )
    .set((eo::body_text.eq(None::<String>), eo::body_html.eq(None::<String>)))
    .execute(c))?)
}

/// One message of an organization as admins see it: never the body.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MailLine {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub template: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// The organization's mail, newest first, optionally of one status.
pub fn for_org(conn: &mut Conn<'_>, org: gatehouse_domain::ids::OrgId, status: Option<&str>, limit: i64) -> Result<Vec<MailLine>, DbError> {
    type Row = (i64, String, String, String, String, i32, Option<String>, chrono::NaiveDateTime, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>);
    let rows: Vec<Row> = on!(conn, c => {
        let mut q = eo::table
            .filter(eo::org_id.eq(org.0))
            .order(eo::id.desc())
            .limit(limit)
            .select((eo::id, eo::to_address, eo::subject, eo::template, eo::status, eo::attempts, eo::last_error, eo::next_attempt_at, eo::created_at, eo::sent_at))
            .into_boxed();
        if let Some(s) = status {
            q = q.filter(eo::status.eq(s.to_string()));
        }
        q.load(c)
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, to, subject, template, status, attempts, last_error, next, created, sent)| MailLine {
            id,
            to,
            subject,
            template,
            status,
            attempts,
            last_error,
            next_attempt_at: from_db(next),
            created_at: from_db(created),
            sent_at: sent.map(from_db),
        })
        .collect())
}

/// Queues a failed message of the organization again (attempts start over). Audited.
pub fn retry(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, id: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, "mail.manage", &gatehouse_domain::authz::Target::Organization, now)?;
    conn.transaction(|conn| {
        let n = on!(conn, c => diesel::update(eo::table.find(id).filter(eo::org_id.eq(org.0)).filter(eo::status.eq("failed")))
            .set((
                eo::status.eq("queued"),
                eo::attempts.eq(0),
                eo::next_attempt_at.eq(to_db(now)),
                eo::updated_at.eq(to_db(now)),
                eo::version.eq(eo::version + 1),
                eo::updated_by_kind.eq(actor.kind()),
                eo::updated_by_id.eq(actor.id()),
            ))
            .execute(c))?;
        if n == 0 {
            return Err(DbError::NotFound);
        }
        crate::audit::record(conn, now, &crate::audit::AuditEntry::new(Some(org), actor, "mail.retried", "email_outbox", Some(id)))?;
        Ok(())
    })
}
