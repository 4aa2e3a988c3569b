//! Acknowledgments and training in the database (the rules are
//! `gatehouse_domain::acknowledgments`): publishing and retiring (`policies.manage` where the
//! policy is asked), a member doing one (accepting a policy, completing a training — for
//! themselves only), where everyone stands, the figures (auditors never counted), and the
//! background user's reminders, each sent once per person, due date and stage across instances.
use crate::audit::{self, AuditEntry};
use crate::schema::{membership_units as mu, memberships as m, policies as p, policy_acceptances as pa, policy_reminders as pr, users as u};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::acknowledgments::{self as rules, Figures, Kind, Recurrence, Standing};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::Target;
use gatehouse_domain::error::DomainError;
use gatehouse_domain::ids::{MembershipId, OrgId, UnitId};
use gatehouse_domain::member::{MemberKind, MemberStatus};
use gatehouse_domain::units::UnitTree;
use serde_json::json;
use std::collections::HashMap;

/// A policy or training as entered.
#[derive(Debug, Clone)]
pub struct PolicyInput {
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub recurrence: Recurrence,
    pub due_days: u32,
    /// None: everyone; else this unit and everything below it.
    pub unit: Option<UnitId>,
}

/// A published policy or training.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRow {
    pub id: i64,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    pub recurrence: Recurrence,
    pub due_days: u32,
    pub unit: Option<(UnitId, String)>,
    pub published_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

fn invalid(field: &'static str, value: impl ToString) -> DbError {
    DbError::Domain(DomainError::InvalidValue { field, value: value.to_string() })
}

fn scope(unit: Option<UnitId>) -> Target {
    match unit {
        None => Target::Organization,
        Some(u) => Target::Unit(u),
    }
}

/// Publishes a policy or training (`policies.manage` for the whole organization, or for the
/// unit it is asked of). It is asked of its members from now on.
pub fn publish(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, input: &PolicyInput, actor: Actor, now: DateTime<Utc>) -> Result<i64, DbError> {
    if let Some(u) = input.unit {
        if policy.tree.get(u).is_none() {
            return Err(invalid("unit", u.0));
        }
    }
    policy.require(by, "policies.manage", &scope(input.unit), now)?;
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 200 {
        return Err(invalid("title", title));
    }
    let body = input.body.trim();
    if body.is_empty() || body.chars().count() > 20_000 {
        return Err(invalid("body", body.chars().take(40).collect::<String>()));
    }
    let url = input.url.as_deref().map(str::trim).filter(|s| !s.is_empty());
    if let Some(url) = url {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 500 || url.contains(char::is_whitespace) {
            return Err(invalid("url", url));
        }
    }
    rules::check_due_days(input.due_days)?;
    conn.transaction(|conn| {
        let id: i64 = on!(conn, c => diesel::insert_into(p::table)
            .values((
                p::org_id.eq(org.0),
                p::kind.eq(input.kind.as_str()),
                p::title.eq(title),
                p::body.eq(body),
                p::url.eq(url),
                p::recurrence_months.eq(input.recurrence.months()),
                p::due_days.eq(input.due_days as i32),
                p::unit_id.eq(input.unit.map(|u| u.0)),
                p::published_at.eq(to_db(now)),
                p::created_at.eq(to_db(now)),
                p::updated_at.eq(to_db(now)),
                p::updated_by_kind.eq(actor.kind()),
                p::updated_by_id.eq(actor.id()),
            ))
            .returning(p::id)
            .get_result(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "policy.published", "policy", Some(id)).after(json!({
                "kind": input.kind.as_str(), "title": title, "recurrence_months": input.recurrence.months(), "due_days": input.due_days, "unit": input.unit.map(|u| u.0)
            })),
        )?;
        Ok(id)
    })
}

/// Retires a policy: it is no longer asked of anyone; what was done stays on record.
pub fn retire(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, id: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let row = one(conn, org, &policy.tree, id)?;
    policy.require(by, "policies.manage", &scope(row.unit.as_ref().map(|u| u.0)), now)?;
    if row.retired_at.is_some() {
        return Ok(());
    }
    conn.transaction(|conn| {
        on!(conn, c => diesel::update(p::table.filter(p::id.eq(id)).filter(p::org_id.eq(org.0)))
            .set((p::retired_at.eq(Some(to_db(now))), p::updated_at.eq(to_db(now)), p::version.eq(p::version + 1), p::updated_by_kind.eq(actor.kind()), p::updated_by_id.eq(actor.id())))
            .execute(c))?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "policy.retired", "policy", Some(id)).before(json!({"title": row.title})))?;
        Ok(())
    })
}

type Row = (i64, String, String, String, Option<String>, Option<i32>, i32, Option<i64>, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>);

fn row(tree: &UnitTree, r: Row) -> Result<PolicyRow, DbError> {
    Ok(PolicyRow {
        id: r.0,
        kind: Kind::parse(&r.1)?,
        title: r.2,
        body: r.3,
        url: r.4,
        recurrence: Recurrence::from_months(r.5),
        due_days: r.6.max(1) as u32,
        unit: r.7.map(|u| (UnitId(u), tree.get(UnitId(u)).map(|n| n.name.clone()).unwrap_or_default())),
        published_at: from_db(r.8),
        retired_at: r.9.map(from_db),
    })
}

/// Does the organization have a policy or training in force?
pub fn any_in_force(conn: &mut Conn<'_>, org: OrgId) -> Result<bool, DbError> {
    let n: i64 = on!(conn, c => p::table.filter(p::org_id.eq(org.0)).filter(p::retired_at.is_null()).count().get_result(c))?;
    Ok(n > 0)
}

/// The organization's policies and trainings, newest first (retired ones too).
pub fn list(conn: &mut Conn<'_>, org: OrgId, tree: &UnitTree) -> Result<Vec<PolicyRow>, DbError> {
    let rows: Vec<Row> = on!(conn, c => p::table
        .filter(p::org_id.eq(org.0))
        .order(p::id.desc())
        .select((p::id, p::kind, p::title, p::body, p::url, p::recurrence_months, p::due_days, p::unit_id, p::published_at, p::retired_at))
        .load(c))?;
    rows.into_iter().map(|r| row(tree, r)).collect()
}

fn one(conn: &mut Conn<'_>, org: OrgId, tree: &UnitTree, id: i64) -> Result<PolicyRow, DbError> {
    let r: Row = on!(conn, c => p::table
        .filter(p::org_id.eq(org.0))
        .filter(p::id.eq(id))
        .select((p::id, p::kind, p::title, p::body, p::url, p::recurrence_months, p::due_days, p::unit_id, p::published_at, p::retired_at))
        .first(c)
        .optional())?
    .ok_or(DbError::NotFound)?;
    row(tree, r)
}

/// One person a policy is asked of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub member: MembershipId,
    pub name: String,
    pub kind: MemberKind,
    pub standing: Standing,
}

/// The active members (people, not role holders only) a policy asks, with when it was asked of
/// them: its publication, or their joining if later.
fn audience(conn: &mut Conn<'_>, org: OrgId, tree: &UnitTree, unit: Option<UnitId>, published: DateTime<Utc>) -> Result<Vec<(MembershipId, String, MemberKind, DateTime<Utc>)>, DbError> {
    type R = (i64, String, String, Option<chrono::NaiveDateTime>, chrono::NaiveDateTime);
    let rows: Vec<R> = on!(conn, c => m::table
        .inner_join(u::table)
        .filter(m::org_id.eq(org.0))
        .filter(m::status.eq(MemberStatus::Active.as_str()))
        .filter(m::role_holder_only.eq(false))
        .filter(u::is_system.eq(false))
        .order(m::id)
        .select((m::id, u::display_name, m::member_kind, m::joined_at, m::created_at))
        .load(c))?;
    let within: Option<Vec<i64>> = match unit {
        None => None,
        Some(u) => {
            let units: Vec<i64> = tree.subtree(u).into_iter().map(|x| x.0).collect();
            let mut ids: Vec<i64> = on!(conn, c => mu::table.filter(crate::any_id::any_id(mu::unit_id, &units)).select(mu::membership_id).load(c))?;
            ids.sort_unstable();
            ids.dedup();
            Some(ids)
        }
    };
    Ok(rows
        .into_iter()
        .filter(|r| within.as_ref().is_none_or(|w| w.binary_search(&r.0).is_ok()))
        .map(|(id, name, kind, joined, created)| (MembershipId(id), name, MemberKind::parse(&kind).unwrap_or(MemberKind::Employee), from_db(joined.unwrap_or(created)).max(published)))
        .collect())
}

/// When each member last did `policy`.
fn last_done(conn: &mut Conn<'_>, policy: i64) -> Result<HashMap<i64, DateTime<Utc>>, DbError> {
    let rows: Vec<(i64, Option<chrono::NaiveDateTime>)> =
        on!(conn, c => pa::table.filter(pa::policy_id.eq(policy)).group_by(pa::membership_id).select((pa::membership_id, diesel::dsl::max(pa::done_at))).load(c))?;
    Ok(rows.into_iter().filter_map(|(m, at)| at.map(|a| (m, from_db(a)))).collect())
}

/// Where everyone a policy asks stands, in membership order.
pub fn standings(conn: &mut Conn<'_>, org: OrgId, tree: &UnitTree, row: &PolicyRow, now: DateTime<Utc>) -> Result<Vec<Asked>, DbError> {
    let done = last_done(conn, row.id)?;
    Ok(audience(conn, org, tree, row.unit.as_ref().map(|u| u.0), row.published_at)?
        .into_iter()
        .map(|(member, name, kind, asked)| Asked { member, name, kind, standing: rules::standing(asked, done.get(&member.0).copied(), row.recurrence, row.due_days, now) })
        .collect())
}

/// The figures of the people a policy asks: auditors are never counted.
pub fn tally(asked: &[Asked]) -> Figures {
    let mut f = Figures::default();
    for a in asked.iter().filter(|a| a.kind.counted_in_statistics()) {
        f.add(&a.standing);
    }
    f
}

/// The figures of every policy in force (auditors never counted).
pub fn figures(conn: &mut Conn<'_>, org: OrgId, tree: &UnitTree, now: DateTime<Utc>) -> Result<Vec<(PolicyRow, Figures)>, DbError> {
    let mut out = Vec::new();
    for row in list(conn, org, tree)?.into_iter().filter(|r| r.retired_at.is_none()) {
        let f = tally(&standings(conn, org, tree, &row, now)?);
        out.push((row, f));
    }
    Ok(out)
}

/// The policies in force that ask `me`, with where they stand.
pub fn mine(conn: &mut Conn<'_>, org: OrgId, tree: &UnitTree, me: MembershipId, now: DateTime<Utc>) -> Result<Vec<(PolicyRow, Standing)>, DbError> {
    let my_units = crate::authz::member_units(conn, org, me)?;
    let person: Option<(Option<chrono::NaiveDateTime>, chrono::NaiveDateTime, bool)> = on!(conn, c => m::table
        .filter(m::id.eq(me.0))
        .filter(m::org_id.eq(org.0))
        .filter(m::status.eq(MemberStatus::Active.as_str()))
        .select((m::joined_at, m::created_at, m::role_holder_only))
        .first(c)
        .optional())?;
    let Some((joined, created, holder_only)) = person else { return Ok(vec![]) };
    if holder_only {
        return Ok(vec![]);
    }
    let joined = from_db(joined.unwrap_or(created));
    let mut out = Vec::new();
    for row in list(conn, org, tree)?.into_iter().filter(|r| r.retired_at.is_none()) {
        if let Some((u, _)) = &row.unit {
            if !my_units.iter().any(|mine| tree.is_within(*mine, *u)) {
                continue;
            }
        }
        let done: Option<chrono::NaiveDateTime> =
            on!(conn, c => pa::table.filter(pa::policy_id.eq(row.id)).filter(pa::membership_id.eq(me.0)).select(diesel::dsl::max(pa::done_at)).first(c))?;
        let standing = rules::standing(joined.max(row.published_at), done.map(from_db), row.recurrence, row.due_days, now);
        out.push((row, standing));
    }
    Ok(out)
}

/// `me` accepts a policy or completes a training (for themselves only). Doing it while it is
/// done changes nothing.
pub fn acknowledge(conn: &mut Conn<'_>, org: OrgId, tree: &UnitTree, me: MembershipId, id: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let (row, standing) = mine(conn, org, tree, me, now)?.into_iter().find(|(r, _)| r.id == id).ok_or(DbError::NotFound)?;
    if standing.is_done() {
        return Ok(());
    }
    conn.transaction(|conn| {
        on!(conn, c => diesel::insert_into(pa::table)
            .values((pa::org_id.eq(org.0), pa::policy_id.eq(id), pa::membership_id.eq(me.0), pa::done_at.eq(to_db(now)), pa::actor_kind.eq(actor.kind())))
            .execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "policy.acknowledged", "policy", Some(id)).after(json!({"member": me.0, "kind": row.kind.as_str(), "title": row.title})),
        )?;
        Ok(())
    })
}

/// How often one instance looks at a policy for reminders.
const CHECK_EVERY_MINUTES: i64 = 60;

/// The background user's reminders: a week before a due date, and once it has passed, each once
/// per person, due date and stage. Each policy is looked at by one instance an hour.
pub fn remind_due(conn: &mut Conn<'_>, public_url: &str, now: DateTime<Utc>) -> Result<usize, DbError> {
    let cutoff = to_db(now - chrono::Duration::minutes(CHECK_EVERY_MINUTES));
    let due: Vec<(i64, i64)> = on!(conn, c => p::table
        .filter(p::retired_at.is_null())
        .filter(p::checked_at.is_null().or(p::checked_at.lt(cutoff)))
        .select((p::id, p::org_id))
        .load(c))?;
    let mut sent = 0;
    for (id, org) in due {
        let claimed = on!(conn, c => diesel::update(p::table.filter(p::id.eq(id)).filter(p::checked_at.is_null().or(p::checked_at.lt(cutoff))))
            .set(p::checked_at.eq(Some(to_db(now))))
            .execute(c))?;
        if claimed == 0 {
            continue;
        }
        let org = OrgId(org);
        let tree = crate::units::tree(conn, org)?;
        let row = one(conn, org, &tree, id)?;
        let s = crate::orgs::settings(conn, org)?;
        let background = Actor::Background { user: s.background_user };
        let link = format!("{}/o/{}/policies", public_url.trim_end_matches('/'), s.slug); // not user text: a URL
        for a in standings(conn, org, &tree, &row, now)? {
            let Some((stage, at)) = rules::reminder(&a.standing, now) else { continue };
            sent += conn.transaction(|conn| {
                let claimed = on!(conn, c => diesel::insert_into(pr::table)
                    .values((pr::org_id.eq(org.0), pr::policy_id.eq(id), pr::membership_id.eq(a.member.0), pr::due_at.eq(to_db(at)), pr::stage.eq(stage), pr::sent_at.eq(to_db(now))))
                    .on_conflict_do_nothing()
                    .execute(c))?;
                if claimed == 0 {
                    return Ok::<usize, DbError>(0);
                }
                let person: Option<(String, String, String)> =
                    on!(conn, c => m::table.inner_join(u::table).filter(m::id.eq(a.member.0)).select((u::display_name, u::email, u::locale)).first(c).optional())?;
                let Some((name, email, locale)) = person else { return Ok(0) };
                let locale = gatehouse_domain::locale::Locale::parse(&locale).unwrap_or_default();
                let mail = gatehouse_mail::Mail::PolicyReminder {
                    name,
                    org: s.name.clone(),
                    title: row.title.clone(),
                    training: row.kind == Kind::Training,
                    due: crate::orgs::local_time(&s.time_zone, at),
                    overdue: stage == "overdue",
                    link: link.clone(),
                };
                let r = gatehouse_mail::render(&mail, locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
                crate::outbox::enqueue(
                    conn,
                    &crate::outbox::NewMail { org: Some(org), to: &email, locale: locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html },
                    background,
                    now,
                )?;
                audit::record(conn, now, &AuditEntry::new(Some(org), background, "policy.reminded", "policy", Some(id)).after(json!({"member": a.member.0, "stage": stage})))?;
                Ok(1)
            })?;
        }
    }
    Ok(sent)
}
