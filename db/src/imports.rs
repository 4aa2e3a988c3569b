//! Inviting people from a CSV file. An upload is checked and stored as a preview — every row's
//! verdict is shown before anything is written. Starting it invites the ready rows in batches,
//! one transaction per batch, progress stored with the import so a batch that dies leaves the
//! database as it was and the import resumes where the last batch ended (on any instance: the
//! driver holds a lease). Uploading the same file again skips everyone already there.
use crate::audit::{self, AuditEntry};
use crate::schema::{member_imports as mi, memberships as m, users as u};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::Target;
use gatehouse_domain::ids::{MembershipId, OrgId, UserId};
use gatehouse_domain::people::{self, CsvRow, Problem, Verdict};
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Rows invited per transaction.
pub const BATCH_ROWS: usize = 100;

/// Where an import stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    Preview,
    Running,
    Done,
    Discarded,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Preview => "preview",
            Status::Running => "running",
            Status::Done => "done",
            Status::Discarded => "discarded",
        }
    }

    fn parse(s: &str) -> Status {
        match s {
            "running" => Status::Running,
            "done" => Status::Done,
            "discarded" => Status::Discarded,
            _ => Status::Preview,
        }
    }
}

/// A row that was (or will be) not invited, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportLine {
    pub line: usize,
    pub email: String,
    pub name: String,
    /// Skipped (already there) rather than refused.
    pub skipped: bool,
    pub problems: Vec<Problem>,
}

/// An import as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Import {
    pub id: i64,
    pub file_name: String,
    pub status: Status,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub rows_total: i32,
    pub rows_invalid: i32,
    /// Rows handled so far (a running import's progress).
    pub next_row: i32,
    pub invited: i32,
    pub skipped: i32,
    pub failed: i32,
    /// Rows not invited: every row with errors and every skipped row. During the preview it is
    /// computed from the file against the organization as it is now.
    pub report: Vec<ReportLine>,
    /// Rows that would be invited (preview) or were (done).
    pub ready: i32,
}

fn require_any(policy: &Policy, by: MembershipId, now: DateTime<Utc>) -> Result<(), DbError> {
    if matches!(policy.reach(by, "members.invite", now), gatehouse_domain::authz::policy::Reach::Nothing | gatehouse_domain::authz::policy::Reach::Own) {
        policy.require(by, "members.invite", &Target::Organization, now)?;
    }
    Ok(())
}

/// An import is handled (seen, started, discarded) by its uploader, or by someone who may invite
/// organization-wide: an inviter of one unit does not act on another person's upload.
fn may_handle(policy: &Policy, by: MembershipId, uploader: MembershipId, now: DateTime<Utc>) -> Result<(), DbError> {
    require_any(policy, by, now)?;
    if by != uploader {
        policy.require(by, "members.invite", &Target::Organization, now)?;
    }
    Ok(())
}

/// Whether `by` may invite this person: members.invite at each of their units (organization-wide
/// without units) and, for roles, the no-escalation rule the write applies again.
fn allowed(policy: &Policy, by: MembershipId, who: &people::Invitee, now: DateTime<Utc>) -> bool {
    if who.units.is_empty() {
        return policy.check(by, "members.invite", &Target::Organization, now).allowed;
    }
    who.units.iter().all(|unit| policy.check(by, "members.invite", &Target::Unit(*unit), now).allowed)
}

/// Checks rows `range` of the file: the domain's verdicts, plus [`Problem::NotAllowed`] for a
/// ready row the uploader may not invite.
fn judge(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    rows: &[CsvRow],
    range: std::ops::Range<usize>,
    now: DateTime<Utc>,
) -> Result<Vec<(usize, Verdict)>, DbError> {
    let emails: Vec<String> = rows[range.clone()].iter().map(|r| r.person.email.clone()).collect();
    let dir = crate::invitations::directory(conn, org, &emails)?;
    Ok(people::preview_range(rows, &dir, range)
        .into_iter()
        .map(|(line, v)| match v {
            Verdict::Ready(who) if !allowed(policy, by, &who, now) => (line, Verdict::Invalid(vec![Problem::NotAllowed])),
            v => (line, v),
        })
        .collect())
}

fn report_line(row: &CsvRow, v: &Verdict) -> Option<ReportLine> {
    let (skipped, problems) = match v {
        Verdict::Ready(_) => return None,
        Verdict::Skip(p) => (true, vec![p.clone()]),
        Verdict::Invalid(ps) => (false, ps.clone()),
    };
    Some(ReportLine { line: row.line, email: row.person.email.trim().to_string(), name: row.person.name.trim().to_string(), skipped, problems })
}

/// Text of an uploaded file: UTF-8, or (spreadsheets saved on Windows) Windows-1252 read as
/// Latin-1 with the 0x80–0x9F punctuation mapped.
pub fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes
            .iter()
            .map(|b| match b {
                0x80 => '€',
                0x82 => '‚',
                0x84 => '„',
                0x85 => '…',
                0x8A => 'Š',
                0x8E => 'Ž',
                0x91 => '‘',
                0x92 => '’',
                0x93 => '“',
                0x94 => '”',
                0x96 => '–',
                0x97 => '—',
                0x9A => 'š',
                0x9E => 'ž',
                b => *b as char,
            })
            .collect(),
    }
}

/// Stores an upload as a preview. A file that cannot be read at all is refused with its
/// problem and nothing is stored.
#[allow(clippy::too_many_arguments)]
pub fn upload(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    file_name: &str,
    text: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    require_any(policy, by, now)?;
    let rows = people::read_csv(text).map_err(DbError::Person)?;
    let verdicts = judge(conn, org, policy, by, &rows, 0..rows.len(), now)?;
    let invalid = verdicts.iter().filter(|(_, v)| matches!(v, Verdict::Invalid(_))).count() as i32;
    let name: String = file_name.chars().filter(|c| !c.is_control()).take(200).collect();
    conn.transaction(|conn| {
        let id: i64 = on!(conn, c => diesel::insert_into(mi::table)
            .values((
                mi::org_id.eq(org.0),
                mi::created_by.eq(by.0),
                mi::file_name.eq(&name),
                mi::csv_text.eq(Some(text)),
                mi::status.eq(Status::Preview.as_str()),
                mi::rows_total.eq(rows.len() as i32),
                mi::rows_invalid.eq(invalid),
                mi::created_at.eq(to_db(now)),
                mi::updated_at.eq(to_db(now)),
                mi::updated_by_kind.eq(actor.kind()),
                mi::updated_by_id.eq(actor.id()),
            ))
            .returning(mi::id)
            .get_result(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "member_import.uploaded", "member_import", Some(id))
                .after(json!({"file_name": name, "rows": rows.len(), "invalid": invalid})),
        )?;
        Ok(id)
    })
}

#[allow(clippy::type_complexity)]
type Row = (i64, i64, String, Option<String>, String, i32, i32, i32, i32, i32, i32, Option<String>, Option<chrono::NaiveDateTime>, chrono::NaiveDateTime);

fn load(conn: &mut Conn<'_>, org: OrgId, id: i64) -> Result<Row, DbError> {
    on!(conn, c => mi::table
        .filter(mi::id.eq(id))
        .filter(mi::org_id.eq(org.0))
        .select((mi::id, mi::created_by, mi::file_name, mi::csv_text, mi::status, mi::rows_total, mi::rows_invalid, mi::next_row, mi::invited, mi::skipped, mi::failed, mi::report, mi::finished_at, mi::created_at))
        .first(c)
        .optional())?
    .ok_or(DbError::NotFound)
}

/// One import of `org`, with its report (or, while a preview, the rows that would not be
/// invited, judged now). Any member of the organization who may invite sees it.
pub fn get(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, viewer: MembershipId, id: i64, now: DateTime<Utc>) -> Result<Import, DbError> {
    require_any(policy, viewer, now)?;
    let r = load(conn, org, id)?;
    may_handle(policy, viewer, MembershipId(r.1), now)?;
    let created_by: Option<String> = on!(conn, c => m::table.inner_join(u::table).filter(m::id.eq(r.1)).select(u::display_name).first(c).optional())?;
    let status = Status::parse(&r.4);
    let (report, ready) = match (status, &r.3) {
        (Status::Preview, Some(text)) => {
            let rows = people::read_csv(text).map_err(DbError::Person)?;
            let verdicts = judge(conn, org, policy, MembershipId(r.1), &rows, 0..rows.len(), now)?;
            let ready = verdicts.iter().filter(|(_, v)| matches!(v, Verdict::Ready(_))).count() as i32;
            (rows.iter().zip(&verdicts).filter_map(|(row, (_, v))| report_line(row, v)).collect(), ready)
        }
        _ => (r.11.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default(), r.8),
    };
    Ok(Import {
        id: r.0,
        file_name: r.2,
        status,
        created_by: created_by.unwrap_or_default(),
        created_at: from_db(r.13),
        finished_at: r.12.map(from_db),
        rows_total: r.5,
        rows_invalid: r.6,
        next_row: r.7,
        invited: r.8,
        skipped: r.9,
        failed: r.10,
        report,
        ready,
    })
}

/// An import in the list of recent ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportLine {
    pub id: i64,
    pub file_name: String,
    pub status: Status,
    pub rows_total: i32,
    pub invited: i32,
    pub created_at: DateTime<Utc>,
}

pub fn recent(conn: &mut Conn<'_>, org: OrgId, limit: i64) -> Result<Vec<ImportLine>, DbError> {
    let rows: Vec<(i64, String, String, i32, i32, chrono::NaiveDateTime)> = on!(conn, c => mi::table
        .filter(mi::org_id.eq(org.0))
        .order(mi::id.desc())
        .limit(limit)
        .select((mi::id, mi::file_name, mi::status, mi::rows_total, mi::invited, mi::created_at))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, file_name, status, rows_total, invited, at)| ImportLine { id, file_name, status: Status::parse(&status), rows_total, invited, created_at: from_db(at) })
        .collect())
}

fn transition(conn: &mut Conn<'_>, org: OrgId, id: i64, to: Status, extra_null_text: bool, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let n = if extra_null_text {
        on!(conn, c => diesel::update(mi::table.filter(mi::id.eq(id)).filter(mi::org_id.eq(org.0)).filter(mi::status.eq(Status::Preview.as_str())))
            .set((mi::status.eq(to.as_str()), mi::csv_text.eq(None::<String>), mi::finished_at.eq(Some(to_db(now))), mi::updated_at.eq(to_db(now)), mi::version.eq(mi::version + 1), mi::updated_by_kind.eq(actor.kind()), mi::updated_by_id.eq(actor.id())))
            .execute(c))?
    } else {
        on!(conn, c => diesel::update(mi::table.filter(mi::id.eq(id)).filter(mi::org_id.eq(org.0)).filter(mi::status.eq(Status::Preview.as_str())))
            .set((mi::status.eq(to.as_str()), mi::next_row.eq(0), mi::lease_until.eq(None::<chrono::NaiveDateTime>), mi::updated_at.eq(to_db(now)), mi::version.eq(mi::version + 1), mi::updated_by_kind.eq(actor.kind()), mi::updated_by_id.eq(actor.id())))
            .execute(c))?
    };
    if n == 0 {
        load(conn, org, id)?;
        return Err(DbError::Conflict(crate::Conflict::ImportClosed));
    }
    Ok(())
}

/// Starts a previewed import (by whoever may invite; the rows are invited with the uploader's
/// authority, checked again row by row as they are written).
pub fn start(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, id: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    require_any(policy, by, now)?;
    conn.transaction(|conn| {
        may_handle(policy, by, MembershipId(load(conn, org, id)?.1), now)?;
        transition(conn, org, id, Status::Running, false, actor, now)?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "member_import.started", "member_import", Some(id)))?;
        Ok(())
    })
}

/// Discards a previewed import; the uploaded file is deleted.
pub fn discard(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, id: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    require_any(policy, by, now)?;
    conn.transaction(|conn| {
        may_handle(policy, by, MembershipId(load(conn, org, id)?.1), now)?;
        transition(conn, org, id, Status::Discarded, true, actor, now)?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "member_import.discarded", "member_import", Some(id)))?;
        Ok(())
    })
}

/// Takes the lease of a running import nobody is working on (none, or its lease ran out):
/// the caller then runs its batches. `None` when there is no such import.
pub fn claim(conn: &mut Conn<'_>, only: Option<i64>, lease: Duration, now: DateTime<Utc>) -> Result<Option<i64>, DbError> {
    let candidates: Vec<i64> = match only {
        Some(id) => vec![id],
        None => on!(conn, c => mi::table
            .filter(mi::status.eq(Status::Running.as_str()))
            .filter(mi::lease_until.is_null().or(mi::lease_until.lt(to_db(now))))
            .select(mi::id)
            .order(mi::id.asc())
            .limit(8)
            .load(c))?,
    };
    for id in candidates {
        let n = on!(conn, c => diesel::update(
                mi::table.filter(mi::id.eq(id)).filter(mi::status.eq(Status::Running.as_str())).filter(mi::lease_until.is_null().or(mi::lease_until.lt(to_db(now)))),
            )
            .set(mi::lease_until.eq(Some(to_db(now + lease))))
            .execute(c))?;
        if n == 1 {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Runs the next batch of a running import in one transaction: its rows are judged again
/// against the organization as it is now, the ready ones invited (each in a savepoint: a row
/// refused at write time is reported, the others stay), progress and report stored, the lease
/// renewed. Returns whether rows remain. Two drivers on one import cannot both run a batch:
/// the first statement locks the import's row.
pub fn run_batch(conn: &mut Conn<'_>, id: i64, public_url: &str, lease: Duration, now: DateTime<Utc>) -> Result<bool, DbError> {
    run_batch_with(conn, id, public_url, lease, now, &mut Driver::default())
}

/// What a driver keeps between the batches of one import: the parsed file and the policy.
#[derive(Default)]
struct Driver {
    rows: Option<std::sync::Arc<Vec<CsvRow>>>,
    policy: Option<Policy>,
}

/// [`run_batch`] reusing the parsed file and the policy the previous batch of this driver
/// decided on. The batch
/// moves the authorization version from the policy's version; when anyone else moved it in
/// between, the policy is loaded afresh. What the batch itself adds (invited people and their
/// initial roles) does not change what the uploader may do, so the policy stays valid for them.
fn run_batch_with(conn: &mut Conn<'_>, id: i64, public_url: &str, lease: Duration, now: DateTime<Utc>, cached: &mut Driver) -> Result<bool, DbError> {
    conn.transaction(|conn| {
        let locked = on!(conn, c => diesel::update(mi::table.filter(mi::id.eq(id)).filter(mi::status.eq(Status::Running.as_str())))
            .set((mi::lease_until.eq(Some(to_db(now + lease))), mi::updated_at.eq(to_db(now))))
            .execute(c))?;
        if locked == 0 {
            return Ok(false);
        }
        let org: i64 = on!(conn, c => mi::table.find(id).select(mi::org_id).first(c))?;
        let org = OrgId(org);
        let r = load(conn, org, id)?;
        let by = MembershipId(r.1);
        let user: Option<i64> = on!(conn, c => m::table.find(by.0).select(m::user_id).first(c))?;
        let actor = match user {
            Some(u) => Actor::User { user: UserId(u), membership: Some(by) },
            // The uploader's identity was anonymized meanwhile: the import still runs on their membership.
            None => Actor::System,
        };
        let rows = match &cached.rows {
            Some(rows) => rows.clone(),
            None => {
                let text = r.3.clone().unwrap_or_default();
                let rows = std::sync::Arc::new(people::read_csv(&text).map_err(DbError::Person)?);
                cached.rows = Some(rows.clone());
                rows
            }
        };
        let start = (r.7.max(0) as usize).min(rows.len());
        let end = (start + BATCH_ROWS).min(rows.len());
        let mut report: Vec<ReportLine> = r.11.as_deref().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
        let (mut invited, mut skipped, mut failed) = (r.8, r.9, r.10);
        if start < end {
            // Invitations change who holds what: the version moves once per batch.
            let mut policy = match cached.policy.take() {
                Some(p) if p.version == crate::authz::version(conn, org)? => p,
                _ => crate::authz::load_policy(conn, org)?,
            };
            policy.version = crate::authz::bump(conn, org, Some(policy.version))?;
            let settings = crate::orgs::settings(conn, org)?;
            let verdicts = judge(conn, org, &policy, by, &rows, start..end, now)?;
            for (row, (_, v)) in rows[start..end].iter().zip(verdicts) {
                let outcome = match &v {
                    Verdict::Ready(who) => match crate::invitations::invite(conn, &settings, &policy, by, who, Some(id), public_url, actor, now) {
                        Ok(_) => None,
                        Err(DbError::Person(p)) => Some(Verdict::Invalid(vec![p])),
                        Err(DbError::Denied(_)) => Some(Verdict::Invalid(vec![Problem::NotAllowed])),
                        Err(e) => return Err(e),
                    },
                    other => Some(other.clone()),
                };
                match outcome {
                    None => invited += 1,
                    Some(v) => {
                        if matches!(v, Verdict::Skip(_)) {
                            skipped += 1
                        } else {
                            failed += 1
                        }
                        report.extend(report_line(row, &v));
                    }
                }
            }
            cached.policy = Some(policy);
        }
        let more = end < rows.len();
        let report_text = serde_json::to_string(&report).map_err(|e| DbError::Config(e.to_string()))?;
        if more {
            on!(conn, c => diesel::update(mi::table.find(id))
                .set((mi::next_row.eq(end as i32), mi::invited.eq(invited), mi::skipped.eq(skipped), mi::failed.eq(failed), mi::report.eq(Some(&report_text))))
                .execute(c))?;
        } else {
            // Finished: the uploaded file is deleted; the report keeps what was not invited.
            on!(conn, c => diesel::update(mi::table.find(id))
                .set((
                    mi::next_row.eq(end as i32),
                    mi::invited.eq(invited),
                    mi::skipped.eq(skipped),
                    mi::failed.eq(failed),
                    mi::report.eq(Some(&report_text)),
                    mi::status.eq(Status::Done.as_str()),
                    mi::csv_text.eq(None::<String>),
                    mi::lease_until.eq(None::<chrono::NaiveDateTime>),
                    mi::finished_at.eq(Some(to_db(now))),
                    mi::version.eq(mi::version + 1),
                ))
                .execute(c))?;
            audit::record(
                conn,
                now,
                &AuditEntry::new(Some(org), actor, "member_import.finished", "member_import", Some(id))
                    .after(json!({"invited": invited, "skipped": skipped, "failed": failed})),
            )?;
        }
        Ok(more)
    })
}

/// Runs an import to its end (the caller holds its lease): batch after batch, each its own
/// transaction. A batch decided on a policy that moved on meanwhile is run again.
pub fn run(db: &crate::Db, id: i64, public_url: &str, lease: Duration, now: impl Fn() -> DateTime<Utc>) -> Result<(), DbError> {
    let mut outdated = 0;
    let mut driver = Driver::default();
    loop {
        match db.with(|c| run_batch_with(c, id, public_url, lease, now(), &mut driver)) {
            Ok(true) => outdated = 0,
            Ok(false) => return Ok(()),
            Err(DbError::Outdated) if outdated < 5 => outdated += 1,
            Err(e) => {
                // Let another driver (or the next scheduled round) take it over after the lease.
                return Err(e);
            }
        }
    }
}

/// The members `by` may export (members.export for each), decided on `policy`; refused when
/// members.export reaches nobody.
pub fn export_for(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, now: DateTime<Utc>) -> Result<Vec<people::PersonInput>, DbError> {
    policy.require_reach(by, "members.export", now)?;
    Ok(export(conn, org, now)?
        .into_iter()
        .filter(|(id, units, _)| policy.check(by, "members.export", &Target::Member { id: *id, units: units.clone() }, now).allowed)
        .map(|(_, _, p)| p)
        .collect())
}

/// The organization's active members in the import's format, with their units (so the caller
/// can keep only those it may export). Ordered by email.
pub fn export(conn: &mut Conn<'_>, org: OrgId, now: DateTime<Utc>) -> Result<Vec<(MembershipId, Vec<gatehouse_domain::ids::UnitId>, people::PersonInput)>, DbError> {
    use crate::schema::{membership_tags as mt, membership_units as mu, role_assignments as ra, roles as r, tags as t};
    use std::collections::HashMap;
    let dir = crate::invitations::directory(conn, org, &[])?;
    #[allow(clippy::type_complexity)]
    let members: Vec<(i64, String, String, Option<String>, String, String)> = on!(conn, c => m::table
        .inner_join(u::table)
        .filter(m::org_id.eq(org.0))
        .filter(m::status.eq("active"))
        .filter(u::is_system.eq(false))
        .order(u::email.asc())
        .select((m::id, u::email, u::display_name, m::mobile_phone, u::locale, m::member_kind))
        .load(c))?;
    let units: Vec<(i64, i64)> = on!(conn, c => mu::table.inner_join(m::table).filter(m::org_id.eq(org.0)).select((mu::membership_id, mu::unit_id)).load(c))?;
    let tags: Vec<(i64, String)> = on!(conn, c => mt::table.inner_join(t::table).filter(t::org_id.eq(org.0)).order(t::name.asc()).select((mt::membership_id, t::name)).load(c))?;
    let roles: Vec<(i64, String, Option<chrono::NaiveDateTime>)> = on!(conn, c => ra::table
        .inner_join(r::table)
        .filter(ra::org_id.eq(org.0))
        .filter(r::retired_at.is_null())
        .order(r::key.asc())
        .select((ra::membership_id, r::key, ra::ends_at))
        .load(c))?;
    let mut unit_map: HashMap<i64, Vec<gatehouse_domain::ids::UnitId>> = HashMap::new();
    for (mid, uid) in units {
        unit_map.entry(mid).or_default().push(gatehouse_domain::ids::UnitId(uid));
    }
    let mut tag_map: HashMap<i64, Vec<String>> = HashMap::new();
    for (mid, name) in tags {
        tag_map.entry(mid).or_default().push(name);
    }
    let mut role_map: HashMap<i64, Vec<String>> = HashMap::new();
    for (mid, key, ends) in roles {
        if ends.is_none_or(|e| from_db(e) > now) {
            let list = role_map.entry(mid).or_default();
            if !list.contains(&key) {
                list.push(key);
            }
        }
    }
    Ok(members
        .into_iter()
        .map(|(id, email, name, phone, locale, kind)| {
            let units = unit_map.remove(&id).unwrap_or_default();
            let labels = units.iter().filter_map(|u| dir.unit_label(*u)).collect();
            let person = people::PersonInput {
                email,
                name,
                mobile_phone: phone.unwrap_or_default(),
                locale,
                kind,
                tags: tag_map.remove(&id).unwrap_or_default(),
                units: labels,
                roles: role_map.remove(&id).unwrap_or_default(),
            };
            (MembershipId(id), units, person)
        })
        .collect())
}
