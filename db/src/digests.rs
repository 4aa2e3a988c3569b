//! Digests in the database (the calendar rules are `gatehouse_domain::digests`). Who receives
//! the organization's digest: the administrators' side (DECISIONS.md "Mail routing") and whoever
//! a role grants `digests.receive` for the whole organization, each at the organization's default
//! frequency unless they chose their own. Whoever holds `digests.setup` on a unit sets up a digest
//! of that unit (and everything below it) for themselves; `digests.setup` for the whole
//! organization sets the default. The background user sends each digest once per person, scope
//! and period: the row in `digest_sends` is claimed by its unique key in the same transaction as
//! the mail, so several instances sweeping at once send it once.
use crate::audit::{self, AuditEntry};
use crate::schema::{
    access_requests as ar, compliance_cases as cc, digest_sends as ds, digest_subscriptions as dsub, membership_units as mu, memberships as m, organizations as o,
    review_campaigns as rc, review_items as ri, role_assignments as ra, users as u,
};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::{Reason, Target};
use gatehouse_domain::digests::{self as rules, Figures, Frequency, Period};
use gatehouse_domain::error::DomainError;
use gatehouse_domain::ids::{MembershipId, OrgId, UnitId};
use gatehouse_domain::member::{MemberKind, MemberStatus};
use gatehouse_domain::org_role::Audience;
use serde_json::json;

/// The organization's default frequency and since when it applies.
pub fn default(conn: &mut Conn<'_>, org: OrgId) -> Result<(Frequency, DateTime<Utc>), DbError> {
    let (f, since, created): (String, Option<chrono::NaiveDateTime>, chrono::NaiveDateTime) =
        on!(conn, c => o::table.find(org.0).select((o::digest_default, o::digest_default_since, o::created_at)).first(c))?;
    Ok((Frequency::parse(&f)?, from_db(since.unwrap_or(created))))
}

/// Sets the organization's default (`digests.setup` for the whole organization). Recipients who
/// chose their own frequency keep it.
pub fn set_default(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, frequency: Frequency, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, "digests.setup", &Target::Organization, now)?;
    conn.transaction(|conn| {
        let (before, _) = default(conn, org)?;
        if before == frequency {
            return Ok(());
        }
        on!(conn, c => diesel::update(o::table.find(org.0)).set((o::digest_default.eq(frequency.as_str()), o::digest_default_since.eq(Some(to_db(now))))).execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "digest.default_changed", "organization", Some(org.0)).before(json!({"frequency": before.as_str()})).after(json!({"frequency": frequency.as_str()})),
        )?;
        Ok(())
    })
}

/// Receives the organization's digest by default: on the administrators' side, or granted
/// `digests.receive` for the whole organization by a role or an added permission (an owner or
/// an administrator holds every admin permission; that alone does not put them on the list).
fn default_recipient(policy: &Policy, admins: &[MembershipId], member: MembershipId, now: DateTime<Utc>) -> bool {
    admins.contains(&member)
        || policy.check(member, "digests.receive", &Target::Organization, now).reasons.iter().any(|r| matches!(r, Reason::Role { .. } | Reason::Added(_)))
}

/// May `member` choose how often they receive the organization's digest?
fn may_receive_org(policy: &Policy, admins: &[MembershipId], member: MembershipId, now: DateTime<Utc>) -> bool {
    admins.contains(&member)
        || policy.check(member, "digests.receive", &Target::Organization, now).allowed
        || policy.check(member, "digests.setup", &Target::Organization, now).allowed
}

/// A person's own choice for one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// `None`: the organization; else the unit (and everything below it).
    pub unit: Option<(UnitId, String)>,
    pub frequency: Frequency,
    pub since: DateTime<Utc>,
    /// The last period a digest was sent for, and when.
    pub last_sent: Option<(String, DateTime<Utc>)>,
}

/// What the digests page shows one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overview {
    pub default: Frequency,
    pub may_set_default: bool,
    /// They may receive the organization's digest (and so choose its frequency).
    pub may_receive: bool,
    /// They receive it without having chosen (administrators' side or a role's grant).
    pub receives_by_default: bool,
    /// Their own choice for the organization's digest, if any.
    pub own: Option<Choice>,
    /// Digests of units they set up.
    pub units: Vec<Choice>,
    /// Units they may set up a digest of (`digests.setup` there), in tree order.
    pub setup_units: Vec<(UnitId, String)>,
    /// How many people receive the organization's digest now (for whoever sets the default).
    pub org_recipients: Option<usize>,
}

fn admins(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<MembershipId>, DbError> {
    Ok(gatehouse_domain::org_role::recipients(Audience::Administrators, &crate::members::org_role_holders(conn, org)?))
}

fn scope_key(unit: Option<UnitId>) -> i64 {
    unit.map(|u| u.0).unwrap_or(0)
}

type ChoiceRow = (i64, Option<i64>, String, chrono::NaiveDateTime);

fn choices_of(conn: &mut Conn<'_>, org: OrgId, member: Option<MembershipId>) -> Result<Vec<ChoiceRow>, DbError> {
    Ok(on!(conn, c => {
        let mut q = dsub::table.filter(dsub::org_id.eq(org.0)).order((dsub::membership_id, dsub::scope_key)).select((dsub::membership_id, dsub::unit_id, dsub::frequency, dsub::since)).into_boxed();
        if let Some(me) = member {
            q = q.filter(dsub::membership_id.eq(me.0));
        }
        q.load(c)
    })?)
}

pub fn overview(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, me: MembershipId, now: DateTime<Utc>) -> Result<Overview, DbError> {
    let (default_f, _) = default(conn, org)?;
    let admins = admins(conn, org)?;
    let sent: Vec<(i64, String, chrono::NaiveDateTime)> =
        on!(conn, c => ds::table.filter(ds::membership_id.eq(me.0)).order(ds::sent_at.asc()).select((ds::scope_key, ds::period, ds::sent_at)).load(c))?;
    let last = |key: i64| sent.iter().rev().find(|s| s.0 == key).map(|s| (s.1.clone(), from_db(s.2)));
    let name = |u: UnitId| policy.tree.get(u).map(|n| n.name.clone()).unwrap_or_default();
    let mut own = None;
    let mut units = Vec::new();
    for (_, unit, f, since) in choices_of(conn, org, Some(me))? {
        let choice = Choice { unit: unit.map(|x| (UnitId(x), name(UnitId(x)))), frequency: Frequency::parse(&f)?, since: from_db(since), last_sent: last(unit.unwrap_or(0)) };
        if unit.is_some() {
            units.push(choice);
        } else {
            own = Some(choice);
        }
    }
    let setup_units = policy
        .tree
        .walk()
        .into_iter()
        .filter(|(_, n)| policy.check(me, "digests.setup", &Target::Unit(n.id), now).allowed)
        .map(|(_, n)| (n.id, n.name.clone()))
        .collect();
    let may_set_default = policy.check(me, "digests.setup", &Target::Organization, now).allowed;
    let org_recipients = if may_set_default { Some(org_digest_recipients(conn, org, policy, now)?.iter().filter(|r| r.1 != Frequency::Off).count()) } else { None };
    Ok(Overview {
        default: default_f,
        may_set_default,
        may_receive: may_receive_org(policy, &admins, me, now),
        receives_by_default: default_recipient(policy, &admins, me, now),
        own: own.map(|mut c: Choice| {
            c.last_sent = last(0);
            c
        }),
        units,
        setup_units,
        org_recipients,
    })
}

/// Everyone who receives the organization's digest, with their frequency and since when it
/// applies (active members only).
fn org_digest_recipients(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, now: DateTime<Utc>) -> Result<Vec<(MembershipId, Frequency, DateTime<Utc>)>, DbError> {
    let (default_f, default_since) = default(conn, org)?;
    let admins = admins(conn, org)?;
    let own: Vec<ChoiceRow> = choices_of(conn, org, None)?.into_iter().filter(|c| c.1.is_none()).collect();
    let active: Vec<i64> = on!(conn, c => m::table.filter(m::org_id.eq(org.0)).filter(m::status.eq(MemberStatus::Active.as_str())).select(m::id).load(c))?;
    let mut out = Vec::new();
    for id in active {
        let member = MembershipId(id);
        let chosen = own.iter().find(|c| c.0 == id);
        match chosen {
            Some((_, _, f, since)) if may_receive_org(policy, &admins, member, now) => out.push((member, Frequency::parse(f)?, from_db(*since))),
            None if default_recipient(policy, &admins, member, now) => out.push((member, default_f, default_since)),
            _ => {}
        }
    }
    Ok(out)
}

/// A person chooses how often they receive a digest: of the organization (`unit` none: they
/// must be able to receive it), or of a unit and everything below it (`digests.setup` there).
/// `Off` unsubscribes.
#[allow(clippy::too_many_arguments)]
pub fn choose(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, me: MembershipId, unit: Option<UnitId>, frequency: Frequency, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    match unit {
        None => {
            let admins = admins(conn, org)?;
            if !may_receive_org(policy, &admins, me, now) {
                policy.require(me, "digests.receive", &Target::Organization, now)?;
            }
        }
        Some(u) => {
            if policy.tree.get(u).is_none() {
                return Err(DbError::Domain(DomainError::InvalidValue { field: "unit", value: u.0.to_string() }));
            }
            policy.require(me, "digests.setup", &Target::Unit(u), now)?;
        }
    }
    conn.transaction(|conn| set_choice(conn, org, me, unit, frequency, actor, now))
}

fn set_choice(conn: &mut Conn<'_>, org: OrgId, me: MembershipId, unit: Option<UnitId>, frequency: Frequency, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let key = scope_key(unit);
    let before: Option<String> =
        on!(conn, c => dsub::table.filter(dsub::membership_id.eq(me.0)).filter(dsub::scope_key.eq(key)).select(dsub::frequency).first(c).optional())?;
    if before.as_deref() == Some(frequency.as_str()) {
        return Ok(());
    }
    if before.is_some() {
        on!(conn, c => diesel::update(dsub::table.filter(dsub::membership_id.eq(me.0)).filter(dsub::scope_key.eq(key)))
            .set((dsub::frequency.eq(frequency.as_str()), dsub::since.eq(to_db(now)), dsub::updated_at.eq(to_db(now))))
            .execute(c))?;
    } else {
        on!(conn, c => diesel::insert_into(dsub::table)
            .values((
                dsub::org_id.eq(org.0),
                dsub::membership_id.eq(me.0),
                dsub::unit_id.eq(unit.map(|u| u.0)),
                dsub::scope_key.eq(key),
                dsub::frequency.eq(frequency.as_str()),
                dsub::since.eq(to_db(now)),
                dsub::created_at.eq(to_db(now)),
                dsub::updated_at.eq(to_db(now)),
            ))
            .execute(c))?;
    }
    audit::record(
        conn,
        now,
        &AuditEntry::new(Some(org), actor, "digest.subscription_changed", "membership", Some(me.0))
            .before(json!({"unit": unit.map(|u| u.0), "frequency": before}))
            .after(json!({"unit": unit.map(|u| u.0), "frequency": frequency.as_str()})),
    )?;
    Ok(())
}

/// Removes a person's digest of a unit (their own; nothing to check but that it is theirs).
pub fn remove(conn: &mut Conn<'_>, org: OrgId, me: MembershipId, unit: UnitId, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let n = on!(conn, c => diesel::delete(dsub::table.filter(dsub::org_id.eq(org.0)).filter(dsub::membership_id.eq(me.0)).filter(dsub::scope_key.eq(unit.0))).execute(c))?;
        if n == 0 {
            return Err(DbError::NotFound);
        }
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "digest.subscription_removed", "membership", Some(me.0)).before(json!({"unit": unit.0})))?;
        Ok(())
    })
}

/// What an unsubscribe link names, once its token is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    pub org: OrgId,
    pub org_slug: String,
    pub org_name: String,
    pub membership: MembershipId,
    pub scope: Option<(UnitId, String)>,
    /// Already off.
    pub done: bool,
}

/// Reads what an unsubscribe link is about (the membership must still be active).
pub fn unsubscribe_target(conn: &mut Conn<'_>, membership: i64, scope: i64) -> Result<Unsubscribe, DbError> {
    let (org, slug, name, status): (i64, String, String, String) =
        on!(conn, c => m::table.inner_join(o::table).filter(m::id.eq(membership)).select((o::id, o::slug, o::name, m::status)).first(c))?;
    if status != MemberStatus::Active.as_str() {
        return Err(DbError::NotFound);
    }
    let unit = if scope == 0 {
        None
    } else {
        use crate::schema::units as un;
        Some((UnitId(scope), on!(conn, c => un::table.filter(un::id.eq(scope)).filter(un::org_id.eq(org)).select(un::name).first::<String>(c))?))
    };
    let f: Option<String> = on!(conn, c => dsub::table.filter(dsub::membership_id.eq(membership)).filter(dsub::scope_key.eq(scope)).select(dsub::frequency).first(c).optional())?;
    Ok(Unsubscribe { org: OrgId(org), org_slug: slug, org_name: name, membership: MembershipId(membership), scope: unit, done: f.as_deref() == Some(Frequency::Off.as_str()) })
}

/// Unsubscribes from a link's digest: the person acts for themselves (the link was theirs).
pub fn unsubscribe(conn: &mut Conn<'_>, target: &Unsubscribe, now: DateTime<Utc>) -> Result<(), DbError> {
    let user: Option<i64> = on!(conn, c => m::table.find(target.membership.0).select(m::user_id).first(c))?;
    let actor = Actor::User { user: gatehouse_domain::ids::UserId(user.unwrap_or(0)), membership: Some(target.membership) };
    conn.transaction(|conn| set_choice(conn, target.org, target.membership, target.scope.as_ref().map(|s| s.0), Frequency::Off, actor, now))
}

/// The figures of a digest of `scope` (the organization, or a unit and everything below it)
/// for the period `[from, to)`, the standing figures as of `now`.
pub fn figures(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, scope: Option<UnitId>, from: DateTime<Utc>, to: DateTime<Utc>, now: DateTime<Utc>) -> Result<Figures, DbError> {
    let counted = |k: &String| MemberKind::parse(k).map(|k| k.counted_in_statistics()).unwrap_or(true);
    // The members in scope: everyone of the organization, or those in the unit's subtree.
    let in_scope: Option<Vec<i64>> = match scope {
        None => None,
        Some(u) => {
            let units: Vec<i64> = policy.tree.subtree(u).into_iter().map(|x| x.0).collect();
            let mut ids: Vec<i64> = on!(conn, c => mu::table.filter(crate::any_id::any_id(mu::unit_id, &units)).select(mu::membership_id).load(c))?;
            ids.sort_unstable();
            ids.dedup();
            Some(ids)
        }
    };
    type MRow = (i64, String, String, Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>);
    let rows: Vec<MRow> = on!(conn, c => m::table
        .filter(m::org_id.eq(org.0))
        .filter(m::role_holder_only.eq(false))
        .select((m::id, m::status, m::member_kind, m::joined_at, m::ended_at))
        .load(c))?;
    let within = |id: i64| in_scope.as_ref().is_none_or(|s| s.binary_search(&id).is_ok());
    let mut f = Figures::default();
    let (from_n, to_n) = (to_db(from), to_db(to));
    for (_, status, _, joined, ended) in rows.iter().filter(|r| within(r.0) && counted(&r.2)) {
        if joined.is_some_and(|j| j >= from_n && j < to_n) {
            f.joined += 1;
        }
        if ended.is_some_and(|e| e >= from_n && e < to_n) {
            f.left += 1;
        }
        if status == MemberStatus::Active.as_str() {
            f.active += 1;
        }
    }
    let ids: Vec<i64> = match &in_scope {
        Some(s) => s.clone(),
        None => rows.iter().map(|r| r.0).collect(),
    };
    let all = in_scope.is_none();
    f.pending_requests = on!(conn, c => {
        let mut q = ar::table.filter(ar::org_id.eq(org.0)).filter(ar::status.eq("pending")).into_boxed();
        if !all {
            q = q.filter(crate::any_id::any_id(ar::requester_id, &ids));
        }
        q.count().get_result(c)
    })?;
    let soon = to_db(now + chrono::Duration::days(rules::EXPIRING_WITHIN_DAYS));
    f.expiring_grants = on!(conn, c => {
        let mut q = ra::table.filter(ra::org_id.eq(org.0)).filter(ra::ends_at.gt(to_db(now))).filter(ra::ends_at.le(soon)).into_boxed();
        if !all {
            q = q.filter(crate::any_id::any_id(ra::membership_id, &ids));
        }
        q.count().get_result(c)
    })?;
    f.open_cases = on!(conn, c => {
        let mut q = cc::table.filter(cc::org_id.eq(org.0)).filter(cc::status.eq("open")).into_boxed();
        if !all {
            q = q.filter(crate::any_id::any_id(cc::membership_id, &ids));
        }
        q.count().get_result(c)
    })?;
    let items: Vec<(String, i64)> = on!(conn, c => {
        let mut q = ri::table
            .inner_join(rc::table)
            .filter(rc::org_id.eq(org.0))
            .filter(rc::state.eq(gatehouse_domain::reviews::CampaignState::Running.as_str()))
            .select((ri::state, ri::membership_id))
            .into_boxed();
        if !all {
            q = q.filter(crate::any_id::any_id(ri::membership_id, &ids));
        }
        q.load(c)
    })?;
    f.review_items = items.len() as i64;
    f.review_decided = items.iter().filter(|(s, _)| s == "final" || s == "proposed").count() as i64;
    Ok(f)
}

/// One digest due to one person.
struct Due {
    member: MembershipId,
    unit: Option<UnitId>,
    period: Period,
}

fn due_in(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, tz: chrono_tz::Tz, now: DateTime<Utc>) -> Result<Vec<Due>, DbError> {
    let today = now.with_timezone(&tz).date_naive();
    let mut out = Vec::new();
    let mut add = |member: MembershipId, unit: Option<UnitId>, f: Frequency, since: DateTime<Utc>| {
        if let Some(period) = Period::last_completed(f, today).filter(|p| rules::due(p, since, tz)) {
            out.push(Due { member, unit, period });
        }
    };
    for (member, f, since) in org_digest_recipients(conn, org, policy, now)? {
        add(member, None, f, since);
    }
    for (member, unit, f, since) in choices_of(conn, org, None)? {
        let Some(unit) = unit.map(UnitId) else { continue };
        if policy.tree.get(unit).is_some() && policy.check(MembershipId(member), "digests.setup", &Target::Unit(unit), now).allowed {
            add(MembershipId(member), Some(unit), Frequency::parse(&f)?, from_db(since));
        }
    }
    Ok(out)
}

/// Sends the digests of the periods that ended since the organization's last sweep, to whoever
/// receives them now (someone who starts receiving one mid-period gets the next; an
/// organization's first sweep sends nothing, so nobody gets a digest of the past). The background
/// user's minute job; safe on several instances at once. Returns how many were sent.
pub fn send_due(conn: &mut Conn<'_>, public_url: &str, now: DateTime<Utc>) -> Result<usize, DbError> {
    let orgs: Vec<(i64, String, Option<String>)> = on!(conn, c => o::table.filter(o::deletion_due_at.is_null()).select((o::id, o::time_zone, o::digests_swept)).load(c))?;
    let mut sent = 0;
    for (org, time_zone, swept) in orgs {
        let org = OrgId(org);
        let tz = gatehouse_domain::validate::time_zone(&time_zone).unwrap_or(chrono_tz::UTC);
        // Once per ended period: nothing new is due until another week, month or quarter ends.
        let today = now.with_timezone(&tz).date_naive();
        let ended: Vec<String> = [Frequency::Weekly, Frequency::Monthly, Frequency::Quarterly].iter().filter_map(|f| Period::last_completed(*f, today)).map(|p| p.key()).collect();
        let ended = ended.join(" ");
        if swept.as_deref() == Some(ended.as_str()) {
            continue;
        }
        // The first sweep of an organization (new, or digests just introduced) only notes
        // where things stand: digests start with the next period that ends.
        if swept.is_none() {
            on!(conn, c => diesel::update(o::table.find(org.0)).set(o::digests_swept.eq(Some(&ended))).execute(c))?;
            continue;
        }
        let s = crate::orgs::settings(conn, org)?;
        let policy = crate::authz::load_policy(conn, org)?;
        let due = due_in(conn, org, &policy, tz, now)?;
        let ended_keys: Vec<String> = ended.split(' ').map(str::to_string).collect();
        let done: Vec<(i64, i64, String)> =
            on!(conn, c => ds::table.filter(ds::org_id.eq(org.0)).filter(ds::period.eq_any(&ended_keys)).select((ds::membership_id, ds::scope_key, ds::period)).load(c))?;
        // The figures of a scope and period are the same for every recipient: counted once.
        let mut counted: std::collections::HashMap<(i64, String), Figures> = std::collections::HashMap::new();
        // Only periods that ended since the last sweep: whoever was due for the earlier ones got
        // them then.
        let previous: Vec<&str> = swept.as_deref().unwrap_or("").split(' ').collect();
        for d in due {
            let key = d.period.key();
            if previous.contains(&key.as_str()) || done.iter().any(|(mm, sk, p)| *mm == d.member.0 && *sk == scope_key(d.unit) && *p == key) {
                continue;
            }
            sent += conn.transaction(|conn| {
                let claimed = on!(conn, c => diesel::insert_into(ds::table)
                    .values((ds::org_id.eq(org.0), ds::membership_id.eq(d.member.0), ds::scope_key.eq(scope_key(d.unit)), ds::period.eq(&key), ds::sent_at.eq(to_db(now))))
                    .on_conflict_do_nothing()
                    .execute(c))?;
                if claimed == 0 {
                    return Ok::<usize, DbError>(0);
                }
                let f = match counted.get(&(scope_key(d.unit), key.clone())) {
                    Some(f) => f.clone(),
                    None => {
                        let (from, to) = d.period.bounds(tz);
                        let f = figures(conn, org, &policy, d.unit, from, to.min(now), now)?;
                        counted.insert((scope_key(d.unit), key.clone()), f.clone());
                        f
                    }
                };
                let mailed = mail(conn, &s, &policy, d.member, d.unit, &d.period, &f, public_url, Actor::Background { user: s.background_user }, now)?;
                if mailed {
                    audit::record(
                        conn,
                        now,
                        &AuditEntry::new(Some(org), Actor::Background { user: s.background_user }, "digest.sent", "membership", Some(d.member.0))
                            .after(json!({"unit": d.unit.map(|u| u.0), "period": key})),
                    )?;
                }
                Ok(usize::from(mailed))
            })?;
        }
        on!(conn, c => diesel::update(o::table.find(org.0)).set(o::digests_swept.eq(Some(&ended))).execute(c))?;
    }
    Ok(sent)
}

/// Mails one digest; `false` when the person has no address to send to.
#[allow(clippy::too_many_arguments)]
fn mail(
    conn: &mut Conn<'_>,
    s: &crate::orgs::OrgSettings,
    policy: &Policy,
    member: MembershipId,
    unit: Option<UnitId>,
    period: &Period,
    figures: &Figures,
    public_url: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<bool, DbError> {
    let person: Option<(String, String, String)> =
        on!(conn, c => m::table.inner_join(u::table).filter(m::id.eq(member.0)).select((u::display_name, u::email, u::locale)).first(c).optional())?;
    let Some((name, email, locale)) = person else { return Ok(false) };
    let locale = gatehouse_domain::locale::Locale::parse(&locale).unwrap_or_default();
    let base = public_url.trim_end_matches('/');
    let token = crate::links::token(conn, gatehouse_domain::links::Subject::DigestUnsubscribe(member.0, scope_key(unit)), now)?;
    let last_day = period.end.pred_opt().unwrap_or(period.end);
    let mail = gatehouse_mail::Mail::Digest {
        name,
        org: s.name.clone(),
        scope: unit.and_then(|u| policy.tree.get(u)).map(|n| n.name.clone()),
        frequency: period.frequency.as_str().to_string(),
        from: period.start.to_string(),
        to: last_day.min(now.date_naive()).to_string(),
        figures: figures.clone(),
        link: format!("{base}/o/{}/dashboard", s.slug),     // not user text: a URL
        manage_link: format!("{base}/o/{}/digests", s.slug), // not user text: a URL
        unsubscribe_link: format!("{base}/digests/unsubscribe?m={}&s={}&link={token}", member.0, scope_key(unit)), // not user text: a URL
    };
    let r = gatehouse_mail::render(&mail, locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
    crate::outbox::enqueue(
        conn,
        &crate::outbox::NewMail { org: Some(s.id), to: &email, locale: locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html },
        actor,
        now,
    )?;
    Ok(true)
}

/// Mails `me` the digest of `scope` for the period so far ("downloadable via email" in the seed):
/// the organization's if they may receive it, a unit's if they may set one up there. Does not
/// count as the period's digest.
#[allow(clippy::too_many_arguments)]
pub fn send_now(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, me: MembershipId, unit: Option<UnitId>, frequency: Frequency, public_url: &str, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    match unit {
        None => {
            let admins = admins(conn, org)?;
            if !may_receive_org(policy, &admins, me, now) {
                policy.require(me, "digests.receive", &Target::Organization, now)?;
            }
        }
        Some(u) => {
            policy.require(me, "digests.setup", &Target::Unit(u), now)?;
        }
    }
    let s = crate::orgs::settings(conn, org)?;
    let tz = gatehouse_domain::validate::time_zone(&s.time_zone).unwrap_or(chrono_tz::UTC);
    let f = if frequency == Frequency::Off { Frequency::Monthly } else { frequency };
    let period = Period::containing(f, now.with_timezone(&tz).date_naive()).ok_or(DbError::NotFound)?;
    let (from, to) = period.bounds(tz);
    conn.transaction(|conn| {
        let f = figures(conn, org, policy, unit, from, to.min(now), now)?;
        if !mail(conn, &s, policy, me, unit, &period, &f, public_url, actor, now)? {
            return Err(DbError::NotFound);
        }
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "digest.sent", "membership", Some(me.0)).after(json!({"unit": unit.map(|u| u.0), "period": period.key(), "so_far": true})))?;
        Ok(())
    })
}
