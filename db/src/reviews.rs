//! Access review campaigns in the database (the rules are `gatehouse_domain::reviews`): plans,
//! campaigns started from them with their population frozen (one item per live role assignment
//! the plan covers, with the names as they were and the reviewers the rule finds), decisions
//! item by item, and the deadline sweep that applies the organization's no-response policy as the
//! background user. A revoke goes the way every revoke goes (`roles::unassign` for a reviewer,
//! with its no-escalation check and the requester mailed; the same removal for the background
//! user). Every change is one transaction with its audit row.
use crate::audit::{self, AuditEntry};
use crate::schema::{
    audit_events as ae, memberships as m, review_campaigns as rc, review_item_reviewers as rr, review_items as ri, review_plans as rp, role_assignments as ra, roles as r,
    support_sessions as ss, technical_users as tu, units as un, users as u,
};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::Target;
use gatehouse_domain::error::DomainError;
use gatehouse_domain::ids::{MembershipId, OrgId, RoleId, UnitId};
use gatehouse_domain::reviews::{self as rules, CampaignState, Decision, Held, Helpers, ItemState, NoResponse, Population, ReviewerPlan, Schedule};
use serde_json::json;

/// A new plan as entered.
#[derive(Debug, Clone)]
pub struct PlanInput {
    pub name: String,
    pub population: Population,
    pub reviewers: ReviewerPlan,
    pub schedule: Schedule,
    pub duration_days: u32,
    pub keep_needs_comment: bool,
    pub no_response: NoResponse,
    pub escalation_days: u32,
    pub inactive_days: u32,
    /// When the first campaign starts (now or later).
    pub first_start: DateTime<Utc>,
}

fn invalid(field: &'static str, value: impl ToString) -> DbError {
    DbError::Domain(DomainError::InvalidValue { field, value: value.to_string() })
}

/// Makes a plan (`reviews.run` for the whole organization). Its first campaign starts at
/// `first_start` with the scheduled sweep ([`start_due`]).
pub fn create_plan(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, input: &PlanInput, actor: Actor, now: DateTime<Utc>) -> Result<i64, DbError> {
    policy.require(by, "reviews.run", &Target::Organization, now)?;
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(invalid("name", name));
    }
    rules::check_timing(input.schedule, input.duration_days)?;
    if input.escalation_days == 0 || input.escalation_days > 90 {
        return Err(invalid("escalation_days", input.escalation_days));
    }
    if input.inactive_days == 0 || input.inactive_days > 365 {
        return Err(invalid("inactive_days", input.inactive_days));
    }
    if let Population::OrgRoles(keys) = &input.population {
        // Ownership is only ever handed over, never revoked: it is not something to review.
        if keys.is_empty() || keys.iter().any(|k| gatehouse_domain::org_role::OrgRole::parse(k).is_err() || k == gatehouse_domain::org_role::OrgRole::Owner.as_str()) {
            return Err(invalid("org_role", keys.join(",")));
        }
    }
    if let Population::Units(units) = &input.population {
        if units.is_empty() || units.iter().any(|u| policy.tree.get(*u).is_none()) {
            return Err(invalid("unit", units.iter().map(|u| u.0.to_string()).collect::<Vec<_>>().join(",")));
        }
    }
    if matches!(&input.reviewers.rule, rules::ReviewerRule::Named(people) if people.is_empty()) {
        return Err(invalid("named", ""));
    }
    let population = serde_json::to_string(&input.population).map_err(|e| DbError::Config(e.to_string()))?;
    let reviewers = serde_json::to_string(&input.reviewers).map_err(|e| DbError::Config(e.to_string()))?;
    conn.transaction(|conn| {
        let id: i64 = on!(conn, c => diesel::insert_into(rp::table)
            .values((
                rp::org_id.eq(org.0),
                rp::name.eq(name),
                rp::population.eq(&population),
                rp::reviewers.eq(&reviewers),
                rp::schedule.eq(input.schedule.as_str()),
                rp::duration_days.eq(input.duration_days as i32),
                rp::keep_needs_comment.eq(input.keep_needs_comment),
                rp::no_response.eq(input.no_response.as_str()),
                rp::escalation_days.eq(input.escalation_days as i32),
                rp::inactive_days.eq(input.inactive_days as i32),
                rp::next_start_at.eq(Some(to_db(input.first_start))),
                rp::active.eq(true),
                rp::created_at.eq(to_db(now)),
                rp::updated_at.eq(to_db(now)),
                rp::updated_by_kind.eq(actor.kind()),
                rp::updated_by_id.eq(actor.id()),
            ))
            .returning(rp::id)
            .get_result(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "review.plan_created", "review_plan", Some(id))
                .after(json!({"name": name, "schedule": input.schedule.as_str(), "duration_days": input.duration_days, "no_response": input.no_response.as_str(), "first_start": input.first_start.to_rfc3339()})),
        )?;
        Ok(id)
    })
}

/// A live role assignment of a person, with the names the evidence keeps.
struct Live {
    assignment: i64,
    member: i64,
    user: Option<i64>,
    name: String,
    role: i64,
    role_name: String,
    unit: Option<i64>,
    unit_name: Option<String>,
}

fn live_assignments(conn: &mut Conn<'_>, org: OrgId, now: DateTime<Utc>) -> Result<Vec<Live>, DbError> {
    let not_people: Vec<i64> = {
        let t: Vec<i64> = on!(conn, c => tu::table.inner_join(m::table).filter(m::org_id.eq(org.0)).select(tu::membership_id).load(c))?;
        let s: Vec<i64> = on!(conn, c => ss::table.filter(ss::org_id.eq(org.0)).select(ss::membership_id).load(c))?;
        t.into_iter().chain(s).collect()
    };
    type Row = (i64, i64, Option<i64>, Option<String>, Option<String>, i64, String, Option<i64>, Option<String>);
    let rows: Vec<Row> = on!(conn, c => ra::table
        .inner_join(r::table)
        .inner_join(m::table.left_join(u::table))
        .left_join(un::table.on(un::id.nullable().eq(ra::unit_id)))
        .filter(ra::org_id.eq(org.0))
        .filter(m::status.eq("active"))
        .filter(ra::ends_at.is_null().or(ra::ends_at.gt(to_db(now))))
        .order(ra::id.asc())
        .select((ra::id, m::id, m::user_id, u::display_name.nullable(), m::pseudonym, r::id, r::name, ra::unit_id, un::name.nullable()))
        .load(c))?;
    Ok(rows
        .into_iter()
        .filter(|row| !not_people.contains(&row.1))
        .map(|(assignment, member, user, display, pseudonym, role, role_name, unit, unit_name)| Live { assignment, member, user, name: pseudonym.or(display).unwrap_or_default(), role, role_name, unit, unit_name })
        .collect())
}

/// Role assignments granted by an access request that has ended: withdrawn, expired or revoked,
/// or past the end date the requester asked for (the "granted by an ended request" helper).
fn ended_request_grants(conn: &mut Conn<'_>, org: OrgId, now: DateTime<Utc>) -> Result<std::collections::HashSet<i64>, DbError> {
    use crate::schema::access_requests as ar;
    let ids: Vec<i64> = on!(conn, c => ar::table
        .filter(ar::org_id.eq(org.0))
        .filter(ar::kind.eq("role"))
        .filter(ar::granted_id.is_not_null())
        .filter(ar::status.ne("approved").or(ar::ends_at.le(to_db(now))))
        .select(ar::granted_id.assume_not_null())
        .load(c))?;
    Ok(ids.into_iter().collect())
}

/// When the person last signed in (their sign-in events are kept in the audit log).
pub(crate) fn last_sign_in(conn: &mut Conn<'_>, user: Option<i64>) -> Result<Option<DateTime<Utc>>, DbError> {
    let Some(user) = user else { return Ok(None) };
    let at: Option<chrono::NaiveDateTime> = on!(conn, c => ae::table
        .filter(ae::action.eq("user.signed_in"))
        .filter(ae::actor_kind.eq("user"))
        .filter(ae::actor_id.eq(user))
        .select(diesel::dsl::max(ae::occurred_at))
        .first(c))?;
    Ok(at.map(from_db))
}

/// `last_sign_in` read once per person while a campaign starts.
fn last_sign_in_once(conn: &mut Conn<'_>, seen: &mut std::collections::HashMap<i64, Option<DateTime<Utc>>>, user: Option<i64>) -> Result<Option<DateTime<Utc>>, DbError> {
    let Some(user) = user else { return Ok(None) };
    if let Some(at) = seen.get(&user) {
        return Ok(*at);
    }
    let at = last_sign_in(conn, Some(user))?;
    seen.insert(user, at);
    Ok(at)
}

/// Starts every campaign whose plan is due by `now` (the scheduled sweep of any instance: a plan
/// is claimed by moving its next start, so two instances start it once). Returns the campaigns.
pub fn start_due(conn: &mut Conn<'_>, public_url: &str, now: DateTime<Utc>) -> Result<Vec<i64>, DbError> {
    let due: Vec<(i64, i64, chrono::NaiveDateTime)> = on!(conn, c => rp::table
        .filter(rp::active.eq(true))
        .filter(rp::next_start_at.le(to_db(now)))
        .select((rp::id, rp::org_id, rp::next_start_at.assume_not_null()))
        .order(rp::id.asc())
        .load(c))?;
    let mut started = Vec::new();
    for (plan, org, at) in due {
        if let Some(id) = start(conn, OrgId(org), plan, from_db(at), public_url, now)? {
            started.push(id);
        }
    }
    Ok(started)
}

/// Starts the campaign of `plan` scheduled at `at`: freezes the population, finds the reviewers
/// and moves the plan to its next start (a one-time plan ends). None when another instance
/// started it first.
pub fn start(conn: &mut Conn<'_>, org: OrgId, plan: i64, at: DateTime<Utc>, public_url: &str, now: DateTime<Utc>) -> Result<Option<i64>, DbError> {
    conn.transaction(|conn| {
        type PlanRow = (String, String, String, String, i32, i32);
        let (name, population, reviewers, schedule, duration, inactive): PlanRow = on!(conn, c => rp::table
            .filter(rp::id.eq(plan))
            .filter(rp::org_id.eq(org.0))
            .select((rp::name, rp::population, rp::reviewers, rp::schedule, rp::duration_days, rp::inactive_days))
            .first(c))?;
        let schedule = Schedule::parse(&schedule).ok_or_else(|| DbError::Config(format!("unknown schedule {schedule}")))?; // not user text: a corrupt row
        // Claim: move the next start from `at`; whoever moved it first starts the campaign.
        let start_at = rules::due_start(schedule, at, now).unwrap_or(at);
        let next = rules::next_start(schedule, start_at);
        let claimed = on!(conn, c => diesel::update(rp::table.filter(rp::id.eq(plan)).filter(rp::next_start_at.eq(Some(to_db(at)))))
            .set((rp::next_start_at.eq(next.map(to_db)), rp::active.eq(next.is_some())))
            .execute(c))?;
        if claimed == 0 {
            return Ok(None);
        }
        let population: Population = serde_json::from_str(&population).map_err(|e| DbError::Config(e.to_string()))?;
        let reviewer_plan: ReviewerPlan = serde_json::from_str(&reviewers).map_err(|e| DbError::Config(e.to_string()))?;
        let policy = crate::authz::load_policy(conn, org)?;
        let snapshot = json!({"name": name, "population": population, "reviewers": reviewer_plan, "schedule": schedule.as_str(), "duration_days": duration}).to_string();
        let campaign: i64 = on!(conn, c => diesel::insert_into(rc::table)
            .values((
                rc::org_id.eq(org.0),
                rc::plan_id.eq(plan),
                rc::state.eq(CampaignState::Running.as_str()),
                rc::started_at.eq(to_db(start_at)),
                rc::deadline_at.eq(to_db(rules::deadline(start_at, duration as u32))),
                rc::plan_snapshot.eq(&snapshot),
            ))
            .returning(rc::id)
            .get_result(c))?;
        let live = live_assignments(conn, org, now)?;
        let from_ended = ended_request_grants(conn, org, now)?;
        // A member's units, a person's last sign-in and a unit's counts are read once each,
        // however many of their assignments the population holds.
        let mut units_of: std::collections::HashMap<i64, Vec<UnitId>> = std::collections::HashMap::new();
        let mut signed_in: std::collections::HashMap<i64, Option<DateTime<Utc>>> = std::collections::HashMap::new();
        let mut counts: std::collections::HashMap<(i64, i64), (i64, i64)> = std::collections::HashMap::new();
        let mut items = 0;
        let mut everyone: Vec<(i64, i64)> = Vec::new();
        for l in &live {
            let member_units = match units_of.get(&l.member) {
                Some(u) => u.clone(),
                None => {
                    let u = crate::authz::member_units(conn, org, MembershipId(l.member))?;
                    units_of.insert(l.member, u.clone());
                    u
                }
            };
            let held = Held { member: MembershipId(l.member), role: RoleId(l.role), anchor: l.unit.map(UnitId), member_units: member_units.clone() };
            if !rules::covers(&population, &policy, &held) {
                continue;
            }
            let reviewers = rules::reviewers_for(&reviewer_plan, &policy, &held, now);
            let unit_members = match member_units.first() {
                Some(u) => match counts.get(&(u.0, l.role)) {
                    Some(c) => *c,
                    None => {
                        let c = unit_counts(conn, org, *u, l.role)?;
                        counts.insert((u.0, l.role), c);
                        c
                    }
                },
                None => (0, 0),
            };
            let last = last_sign_in_once(conn, &mut signed_in, l.user)?;
            let helpers: Helpers = rules::helpers(last, now, inactive as i64, from_ended.contains(&l.assignment), unit_members.0, unit_members.1);
            let item: i64 = on!(conn, c => diesel::insert_into(ri::table)
                .values((
                    ri::org_id.eq(org.0),
                    ri::campaign_id.eq(campaign),
                    ri::assignment_id.eq(Some(l.assignment)),
                    ri::membership_id.eq(l.member),
                    ri::role_id.eq(Some(l.role)),
                    ri::unit_id.eq(l.unit),
                    ri::member_name.eq(&l.name),
                    ri::role_name.eq(&l.role_name),
                    ri::unit_name.eq(&l.unit_name),
                    ri::helpers.eq(serde_json::to_string(&helpers).unwrap_or_default()),
                    ri::state.eq("pending"),
                ))
                .returning(ri::id)
                .get_result(c))?;
            for rv in &reviewers {
                on!(conn, c => diesel::insert_into(rr::table).values((rr::item_id.eq(item), rr::membership_id.eq(rv.0))).execute(c))?;
                match everyone.iter_mut().find(|(m, _)| *m == rv.0) {
                    Some((_, n)) => *n += 1,
                    None => everyone.push((rv.0, 1)),
                }
            }
            items += 1;
        }
        // Organization roles held (not role assignments): one item per holder and role, reviewed
        // by whoever may appoint that role; never platform support's temporary memberships.
        if let Population::OrgRoles(keys) = &population {
            let holders = crate::members::org_role_holders(conn, org)?;
            let support: Vec<i64> = on!(conn, c => ss::table.filter(ss::org_id.eq(org.0)).select(ss::membership_id).load(c))?;
            for (member, role) in holders.iter().filter(|(m, r)| keys.iter().any(|k| k == r.as_str()) && *r != gatehouse_domain::org_role::OrgRole::Owner && !support.contains(&m.0)) {
                let (user, display, pseudonym): (Option<i64>, Option<String>, Option<String>) =
                    on!(conn, c => m::table.left_join(u::table).filter(m::id.eq(member.0)).select((m::user_id, u::display_name.nullable(), m::pseudonym)).first(c))?;
                let reviewers = rules::reviewers_for_org_role(&reviewer_plan, &holders, *member, *role);
                // The same person's sign-in as read for their role assignments above, or read once now.
                let helpers = rules::helpers(last_sign_in_once(conn, &mut signed_in, user)?, now, inactive as i64, false, 0, 0);
                let item: i64 = on!(conn, c => diesel::insert_into(ri::table)
                    .values((
                        ri::org_id.eq(org.0),
                        ri::campaign_id.eq(campaign),
                        ri::membership_id.eq(member.0),
                        ri::member_name.eq(pseudonym.or(display).unwrap_or_default()),
                        ri::role_name.eq(role.as_str()),
                        ri::org_role.eq(Some(role.as_str())),
                        ri::helpers.eq(serde_json::to_string(&helpers).unwrap_or_default()),
                        ri::state.eq("pending"),
                    ))
                    .returning(ri::id)
                    .get_result(c))?;
                for rv in &reviewers {
                    on!(conn, c => diesel::insert_into(rr::table).values((rr::item_id.eq(item), rr::membership_id.eq(rv.0))).execute(c))?;
                    match everyone.iter_mut().find(|(m, _)| *m == rv.0) {
                        Some((_, n)) => *n += 1,
                        None => everyone.push((rv.0, 1)),
                    }
                }
                items += 1;
            }
        }
        let background = crate::orgs::get(conn, org)?.background_user;
        // Each reviewer is mailed a signed link to the review (it opens after sign-in).
        let s = crate::orgs::settings(conn, org)?;
        let token = crate::links::token(conn, gatehouse_domain::links::Subject::ReviewCampaign(campaign), now)?;
        let link = format!("{}/o/{}/reviews/{campaign}?link={token}", public_url.trim_end_matches('/'), s.slug); // not user text: a URL
        let deadline = crate::orgs::local_time(&s.time_zone, rules::deadline(start_at, duration as u32));
        for (reviewer, n) in &everyone {
            let person: Option<(String, String, String)> = on!(conn, c => m::table
                .inner_join(u::table)
                .filter(m::id.eq(*reviewer))
                .filter(m::status.eq("active"))
                .select((u::display_name, u::email, u::locale))
                .first(c)
                .optional())?;
            let Some((who, email, locale)) = person else { continue };
            let locale = gatehouse_domain::locale::Locale::parse(&locale).unwrap_or_default();
            let mail = gatehouse_mail::Mail::ReviewAssigned { name: who, org: s.name.clone(), review: name.clone(), items: *n, deadline: deadline.clone(), link: link.clone() };
            let r = gatehouse_mail::render(&mail, locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
            crate::outbox::enqueue(
                conn,
                &crate::outbox::NewMail { org: Some(org), to: &email, locale: locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html },
                Actor::Background { user: background },
                now,
            )?;
        }
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), Actor::Background { user: background }, "review.campaign_started", "review_campaign", Some(campaign))
                .after(json!({"plan": name, "items": items, "reviewers": everyone.len(), "started_at": start_at.to_rfc3339()})),
        )?;
        Ok(Some(campaign))
    })
}

/// How many members a unit has, and how many of them hold `role` (the "unusual in its unit" helper).
fn unit_counts(conn: &mut Conn<'_>, org: OrgId, unit: UnitId, role: i64) -> Result<(i64, i64), DbError> {
    use crate::schema::membership_units as mu;
    let members: i64 = on!(conn, c => mu::table.inner_join(m::table).filter(mu::unit_id.eq(unit.0)).filter(m::org_id.eq(org.0)).filter(m::status.eq("active")).count().get_result(c))?;
    let holders: i64 = on!(conn, c => mu::table
        .inner_join(m::table)
        .inner_join(ra::table.on(ra::membership_id.eq(mu::membership_id)))
        .filter(mu::unit_id.eq(unit.0))
        .filter(m::org_id.eq(org.0))
        .filter(m::status.eq("active"))
        .filter(ra::role_id.eq(role))
        .select(diesel::dsl::count(mu::membership_id).aggregate_distinct())
        .first(c))?;
    Ok((members, holders))
}

/// One item as its reviewer sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub campaign: i64,
    pub member: MembershipId,
    pub member_name: String,
    pub role_name: String,
    /// The organization role reviewed (its key), when the item is one; `role_name` is then the
    /// same key (said in the reader's words by the views).
    pub org_role: Option<String>,
    pub unit_name: Option<String>,
    pub helpers: Helpers,
    pub state: ItemState,
    pub comment: Option<String>,
    pub reviewers: Vec<MembershipId>,
}

fn state_of(state: &str, decision: Option<&str>, proposed: Option<&str>) -> ItemState {
    match state {
        "escalated" => ItemState::Escalated,
        "proposed" => ItemState::Proposed(proposed.and_then(Decision::parse).unwrap_or(Decision::Keep)),
        "final" => ItemState::Final(decision.and_then(Decision::parse).unwrap_or(Decision::Keep)),
        _ => ItemState::Pending,
    }
}

/// Every item of a campaign of `org`, in the order frozen.
pub fn items(conn: &mut Conn<'_>, org: OrgId, campaign: i64) -> Result<Vec<Item>, DbError> {
    type Row = (i64, i64, i64, String, String, Option<String>, String, String, Option<String>, Option<String>, Option<String>, Option<String>);
    let rows: Vec<Row> = on!(conn, c => ri::table
        .filter(ri::org_id.eq(org.0))
        .filter(ri::campaign_id.eq(campaign))
        .order(ri::id.asc())
        .select((ri::id, ri::campaign_id, ri::membership_id, ri::member_name, ri::role_name, ri::unit_name, ri::helpers, ri::state, ri::decision, ri::proposed, ri::comment, ri::org_role))
        .load(c))?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let reviewers: Vec<(i64, i64)> = if ids.is_empty() { vec![] } else { on!(conn, c => rr::table.filter(crate::any_id::any_id(rr::item_id, &ids)).select((rr::item_id, rr::membership_id)).load(c))? };
    Ok(rows
        .into_iter()
        .map(|(id, campaign, member, member_name, role_name, unit_name, helpers, state, decision, proposed, comment, org_role)| Item {
            id,
            campaign,
            member: MembershipId(member),
            member_name,
            role_name,
            org_role,
            unit_name,
            helpers: serde_json::from_str(&helpers).unwrap_or_default(),
            state: state_of(&state, decision.as_deref(), proposed.as_deref()),
            comment,
            reviewers: reviewers.iter().filter(|(i, _)| *i == id).map(|(_, m)| MembershipId(*m)).collect(),
        })
        .collect())
}

struct CampaignRow {
    state: CampaignState,
    keep_needs_comment: bool,
    plan: ReviewerPlan,
}

fn campaign_of_item(conn: &mut Conn<'_>, org: OrgId, item: i64) -> Result<(i64, CampaignRow), DbError> {
    let (campaign, state, snapshot, keep): (i64, String, String, bool) = on!(conn, c => ri::table
        .inner_join(rc::table.inner_join(rp::table))
        .filter(ri::id.eq(item))
        .filter(ri::org_id.eq(org.0))
        .select((rc::id, rc::state, rc::plan_snapshot, rp::keep_needs_comment))
        .first(c))?;
    let snapshot: serde_json::Value = serde_json::from_str(&snapshot).map_err(|e| DbError::Config(e.to_string()))?;
    let plan: ReviewerPlan = serde_json::from_value(snapshot["reviewers"].clone()).map_err(|e| DbError::Config(e.to_string()))?;
    Ok((campaign, CampaignRow { state: CampaignState::parse(&state).unwrap_or(CampaignState::Closed), keep_needs_comment: keep, plan }))
}

/// A reviewer's decision on an item. A revoke at the final stage ends the assignment the way the
/// member page does (the reviewer's no-escalation check; a grant from a request is marked
/// revoked and its requester mailed).
#[allow(clippy::too_many_arguments)]
pub fn decide(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, item: i64, decision: Decision, comment: &str, actor: Actor, now: DateTime<Utc>) -> Result<ItemState, DbError> {
    conn.transaction(|conn| {
        let (_, campaign) = campaign_of_item(conn, org, item)?;
        let all = items_one(conn, org, item)?;
        let next = rules::decide(campaign.state, all.state, by, &all.reviewers, campaign.plan.fallback, campaign.plan.second_stage, decision, comment, campaign.keep_needs_comment).map_err(|r| match r {
            rules::Refusal::NotReviewer => DbError::NotFound,
            rules::Refusal::CommentRequired => invalid("comment", ""),
            rules::Refusal::Decided | rules::Refusal::NotRunning => DbError::Domain(DomainError::InvalidTransition { from: "decided", to: decision.as_str() }),
        })?;
        record_state(conn, org, item, next, Some(by.0), actor, comment, now)?;
        if next == ItemState::Final(Decision::Revoke) {
            revoke(conn, org, Some((policy, by)), item, actor, now)?;
        }
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "review.decided", "review_item", Some(item))
                .after(json!({"decision": decision.as_str(), "comment": comment, "member": all.member.0, "role": all.role_name})),
        )?;
        Ok(next)
    })
}

fn items_one(conn: &mut Conn<'_>, org: OrgId, item: i64) -> Result<Item, DbError> {
    let campaign: i64 = on!(conn, c => ri::table.filter(ri::id.eq(item)).filter(ri::org_id.eq(org.0)).select(ri::campaign_id).first(c))?;
    items(conn, org, campaign)?.into_iter().find(|i| i.id == item).ok_or(DbError::NotFound)
}

#[allow(clippy::too_many_arguments)]
fn record_state(conn: &mut Conn<'_>, org: OrgId, item: i64, state: ItemState, by: Option<i64>, actor: Actor, comment: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    let comment = Some(comment.trim()).filter(|c| !c.is_empty());
    let q = ri::table.filter(ri::id.eq(item)).filter(ri::org_id.eq(org.0));
    match state {
        ItemState::Proposed(d) => on!(conn, c => diesel::update(q)
            .set((ri::state.eq("proposed"), ri::proposed.eq(Some(d.as_str())), ri::proposed_by.eq(by), ri::proposed_at.eq(Some(to_db(now))), ri::proposed_comment.eq(comment)))
            .execute(c))?,
        ItemState::Final(d) => on!(conn, c => diesel::update(q)
            .set((ri::state.eq("final"), ri::decision.eq(Some(d.as_str())), ri::decided_by.eq(by), ri::decided_by_kind.eq(Some(actor.kind())), ri::decided_at.eq(Some(to_db(now))), ri::comment.eq(comment)))
            .execute(c))?,
        ItemState::Escalated => on!(conn, c => diesel::update(q).set(ri::state.eq("escalated")).execute(c))?,
        ItemState::Pending => 0,
    };
    Ok(())
}

/// Ends the item's assignment if it is still there: by a reviewer through `roles::unassign`, by
/// the background user through the same removal without a reviewer.
fn revoke(conn: &mut Conn<'_>, org: OrgId, reviewer: Option<(&Policy, MembershipId)>, item: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let (assignment, member, org_role): (Option<i64>, i64, Option<String>) =
        on!(conn, c => ri::table.filter(ri::id.eq(item)).filter(ri::org_id.eq(org.0)).select((ri::assignment_id, ri::membership_id, ri::org_role)).first(c))?;
    if let Some(role) = org_role.as_deref().and_then(|r| gatehouse_domain::org_role::OrgRole::parse(r).ok()) {
        // An organization role: removed by the appointment rules for a reviewer (who must be one
        // who may remove it); by the background user unless it is the owner's (ownership is only
        // ever handed over).
        if crate::members::org_roles(conn, org, MembershipId(member))?.contains(&role) {
            match reviewer {
                Some((policy, by)) => {
                    crate::members::change_org_role(conn, org, policy.version, by, MembershipId(member), role, gatehouse_domain::org_role::Change::Remove, actor, now)?;
                }
                None if role != gatehouse_domain::org_role::OrgRole::Owner => {
                    crate::members::remove_org_role_as(conn, org, MembershipId(member), role, actor, now)?;
                }
                None => {}
            }
        }
        on!(conn, c => diesel::update(ri::table.filter(ri::id.eq(item))).set(ri::applied_at.eq(Some(to_db(now)))).execute(c))?;
        return Ok(());
    }
    let still: Option<i64> = match assignment {
        Some(a) => on!(conn, c => ra::table.filter(ra::id.eq(a)).filter(ra::org_id.eq(org.0)).select(ra::id).first(c).optional())?,
        None => None,
    };
    if let Some(a) = still {
        match reviewer {
            Some((policy, by)) => crate::roles::unassign(conn, org, policy, by, MembershipId(member), a, actor, now)?,
            None => crate::roles::remove_assignment_as(conn, org, a, actor, now)?,
        }
    }
    on!(conn, c => diesel::update(ri::table.filter(ri::id.eq(item))).set(ri::applied_at.eq(Some(to_db(now)))).execute(c))?;
    Ok(())
}

/// The deadline sweep: running campaigns past their deadline (or their escalation) get the
/// no-response policy, as the background user; a campaign with nothing left open closes.
pub fn sweep(conn: &mut Conn<'_>, now: DateTime<Utc>) -> Result<usize, DbError> {
    let due: Vec<(i64, i64)> = on!(conn, c => rc::table
        .filter(rc::state.eq(CampaignState::Running.as_str()))
        .filter(rc::deadline_at.le(to_db(now)))
        .select((rc::id, rc::org_id))
        .load(c))?;
    let mut touched = 0;
    for (campaign, org) in due {
        touched += conn.transaction(|conn| sweep_one(conn, OrgId(org), campaign, now))?;
    }
    Ok(touched)
}

fn sweep_one(conn: &mut Conn<'_>, org: OrgId, campaign: i64, now: DateTime<Utc>) -> Result<usize, DbError> {
    let (state, escalation_until, no_response, escalation_days, snapshot): (String, Option<chrono::NaiveDateTime>, String, i32, String) = on!(conn, c => rc::table
        .inner_join(rp::table)
        .filter(rc::id.eq(campaign))
        .select((rc::state, rc::escalation_until, rp::no_response, rp::escalation_days, rc::plan_snapshot))
        .first(c))?;
    if state != CampaignState::Running.as_str() || escalation_until.is_some_and(|e| from_db(e) > now) {
        return Ok(0);
    }
    let no_response = NoResponse::parse(&no_response).unwrap_or(NoResponse::Keep);
    let snapshot: serde_json::Value = serde_json::from_str(&snapshot).map_err(|e| DbError::Config(e.to_string()))?;
    let plan: ReviewerPlan = serde_json::from_value(snapshot["reviewers"].clone()).map_err(|e| DbError::Config(e.to_string()))?;
    let background = Actor::Background { user: crate::orgs::get(conn, org)?.background_user };
    let mut escalated = 0;
    let mut applied = 0;
    for item in items(conn, org, campaign)? {
        match rules::at_deadline(no_response, item.state, plan.fallback) {
            rules::AtDeadline::Nothing => {}
            rules::AtDeadline::Escalate => {
                record_state(conn, org, item.id, ItemState::Escalated, None, background, "", now)?;
                escalated += 1;
            }
            rules::AtDeadline::Apply(d) => {
                record_state(conn, org, item.id, ItemState::Final(d), None, background, "", now)?;
                if d == Decision::Revoke {
                    revoke(conn, org, None, item.id, background, now)?;
                }
                applied += 1;
            }
        }
    }
    if escalated > 0 {
        let until = now + chrono::Duration::days(escalation_days as i64);
        on!(conn, c => diesel::update(rc::table.find(campaign)).set(rc::escalation_until.eq(Some(to_db(until)))).execute(c))?;
    } else {
        on!(conn, c => diesel::update(rc::table.find(campaign)).set((rc::state.eq(CampaignState::Closed.as_str()), rc::closed_at.eq(Some(to_db(now))))).execute(c))?;
    }
    audit::record(
        conn,
        now,
        &AuditEntry::new(Some(org), background, "review.deadline_applied", "review_campaign", Some(campaign))
            .after(json!({"policy": no_response.as_str(), "applied": applied, "escalated": escalated, "closed": escalated == 0})),
    )?;
    Ok(applied + escalated)
}

/// A campaign's state (for the portal and the tests).
pub fn campaign_state(conn: &mut Conn<'_>, org: OrgId, campaign: i64) -> Result<CampaignState, DbError> {
    let s: String = on!(conn, c => rc::table.filter(rc::id.eq(campaign)).filter(rc::org_id.eq(org.0)).select(rc::state).first(c))?;
    Ok(CampaignState::parse(&s).unwrap_or(CampaignState::Closed))
}

/// Anonymization: the review items about the member keep their place as evidence, under the
/// member's pseudonym (their decisions and comments stay).
pub fn redact_member(conn: &mut Conn<'_>, org: OrgId, member: MembershipId, pseudonym: &str) -> Result<usize, DbError> {
    Ok(on!(conn, c => diesel::update(ri::table.filter(ri::org_id.eq(org.0)).filter(ri::membership_id.eq(member.0))).set(ri::member_name.eq(pseudonym)).execute(c))?)
}

/// A plan as its list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    pub id: i64,
    pub name: String,
    pub schedule: String,
    pub duration_days: i32,
    pub no_response: String,
    pub next_start_at: Option<DateTime<Utc>>,
    pub active: bool,
}

pub fn plans(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<PlanLine>, DbError> {
    type Row = (i64, String, String, i32, String, Option<chrono::NaiveDateTime>, bool);
    let rows: Vec<Row> = on!(conn, c => rp::table
        .filter(rp::org_id.eq(org.0))
        .order(rp::id.desc())
        .select((rp::id, rp::name, rp::schedule, rp::duration_days, rp::no_response, rp::next_start_at, rp::active))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, name, schedule, duration_days, no_response, next, active)| PlanLine { id, name, schedule, duration_days, no_response, next_start_at: next.map(from_db), active })
        .collect())
}

/// A campaign with its progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignLine {
    pub id: i64,
    pub plan: String,
    pub state: CampaignState,
    pub started_at: DateTime<Utc>,
    pub deadline_at: DateTime<Utc>,
    pub escalation_until: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub keep_needs_comment: bool,
    pub total: i64,
    pub decided: i64,
    pub kept: i64,
    pub revoked: i64,
}

/// The organization's campaigns, newest first (`only`: that one).
pub fn campaigns(conn: &mut Conn<'_>, org: OrgId, only: Option<i64>) -> Result<Vec<CampaignLine>, DbError> {
    campaign_lines(conn, org, only, false)
}

/// The organization's running campaigns, newest first (the dashboard: their items only are counted).
pub fn running(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<CampaignLine>, DbError> {
    campaign_lines(conn, org, None, true)
}

fn campaign_lines(conn: &mut Conn<'_>, org: OrgId, only: Option<i64>, running_only: bool) -> Result<Vec<CampaignLine>, DbError> {
    type Row = (i64, String, String, chrono::NaiveDateTime, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>, bool);
    let rows: Vec<Row> = on!(conn, c => {
        let mut q = rc::table
            .inner_join(rp::table)
            .filter(rc::org_id.eq(org.0))
            .order(rc::id.desc())
            .limit(100)
            .select((rc::id, rp::name, rc::state, rc::started_at, rc::deadline_at, rc::escalation_until, rc::closed_at, rp::keep_needs_comment))
            .into_boxed();
        if let Some(id) = only {
            q = q.filter(rc::id.eq(id));
        }
        if running_only {
            q = q.filter(rc::state.eq(CampaignState::Running.as_str()));
        }
        q.load(c)
    })?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let counts: Vec<(i64, String, Option<String>, i64)> = if ids.is_empty() {
        vec![]
    } else {
        on!(conn, c => ri::table
            .filter(crate::any_id::any_id(ri::campaign_id, &ids))
            .group_by((ri::campaign_id, ri::state, ri::decision))
            .select((ri::campaign_id, ri::state, ri::decision, diesel::dsl::count_star()))
            .load(c))?
    };
    Ok(rows
        .into_iter()
        .map(|(id, plan, state, started, deadline, escalation, closed, keep_needs_comment)| {
            let mine = counts.iter().filter(|(c, ..)| *c == id);
            let total = mine.clone().map(|(.., n)| n).sum();
            let decided = mine.clone().filter(|(_, s, ..)| s == "final").map(|(.., n)| n).sum();
            let kept = mine.clone().filter(|(_, s, d, _)| s == "final" && d.as_deref() == Some("keep")).map(|(.., n)| n).sum();
            let revoked = mine.filter(|(_, s, d, _)| s == "final" && d.as_deref() == Some("revoke")).map(|(.., n)| n).sum();
            CampaignLine {
                id,
                plan,
                state: CampaignState::parse(&state).unwrap_or(CampaignState::Closed),
                started_at: from_db(started),
                deadline_at: from_db(deadline),
                escalation_until: escalation.map(from_db),
                closed_at: closed.map(from_db),
                keep_needs_comment,
                total,
                decided,
                kept,
                revoked,
            }
        })
        .collect())
}

/// Who decided each final item, by name (people; the background user has no name here).
pub fn deciders(conn: &mut Conn<'_>, org: OrgId, campaign: i64) -> Result<Vec<(i64, Option<String>, Option<DateTime<Utc>>, Option<String>)>, DbError> {
    type Row = (i64, Option<String>, Option<String>, Option<chrono::NaiveDateTime>, Option<String>);
    let rows: Vec<Row> = on!(conn, c => ri::table
        .left_join(m::table.on(m::id.nullable().eq(ri::decided_by)).left_join(u::table))
        .filter(ri::org_id.eq(org.0))
        .filter(ri::campaign_id.eq(campaign))
        .select((ri::id, u::display_name.nullable(), m::pseudonym.nullable(), ri::decided_at, ri::decided_by_kind))
        .load(c))?;
    Ok(rows.into_iter().map(|(id, name, pseudonym, at, kind)| (id, pseudonym.or(name), at.map(from_db), kind)).collect())
}

/// The campaign an item of `org` belongs to.
pub fn campaign_of(conn: &mut Conn<'_>, org: OrgId, item: i64) -> Result<i64, DbError> {
    Ok(on!(conn, c => ri::table.filter(ri::id.eq(item)).filter(ri::org_id.eq(org.0)).select(ri::campaign_id).first(c))?)
}

/// The reviewer plan a campaign started with (its fallback and second stage).
pub fn reviewer_plan(conn: &mut Conn<'_>, org: OrgId, campaign: i64) -> Result<ReviewerPlan, DbError> {
    let snapshot: String = on!(conn, c => rc::table.filter(rc::id.eq(campaign)).filter(rc::org_id.eq(org.0)).select(rc::plan_snapshot).first(c))?;
    let v: serde_json::Value = serde_json::from_str(&snapshot).map_err(|e| DbError::Config(e.to_string()))?;
    serde_json::from_value(v["reviewers"].clone()).map_err(|e| DbError::Config(e.to_string()))
}

/// What waits for `me` in the running reviews: per campaign (newest first) its id, name,
/// deadline and how many items `me` may decide now — pending ones they review, escalated ones as
/// the fallback, proposed ones as the second stage (a reviewer's dashboard entry).
pub fn waiting_for(conn: &mut Conn<'_>, org: OrgId, me: MembershipId) -> Result<Vec<(i64, String, DateTime<Utc>, i64)>, DbError> {
    let running: Vec<(i64, String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> = on!(conn, c => rc::table
        .inner_join(rp::table)
        .filter(rc::org_id.eq(org.0))
        .filter(rc::state.eq(CampaignState::Running.as_str()))
        .order(rc::id.desc())
        .select((rc::id, rp::name, rc::deadline_at, rc::escalation_until))
        .load(c))?;
    let mut out = Vec::new();
    for (campaign, name, deadline, escalation) in running {
        let pending: i64 = on!(conn, c => rr::table
            .inner_join(ri::table)
            .filter(ri::campaign_id.eq(campaign))
            .filter(rr::membership_id.eq(me.0))
            .filter(ri::state.eq("pending"))
            .count()
            .get_result(c))?;
        let plan = reviewer_plan(conn, org, campaign)?;
        let mut n = pending;
        for (role, state) in [(plan.fallback, "escalated"), (plan.second_stage, "proposed")] {
            if role == Some(me) {
                n += on!(conn, c => ri::table.filter(ri::campaign_id.eq(campaign)).filter(ri::state.eq(state)).count().get_result::<i64>(c))?;
            }
        }
        if n > 0 {
            out.push((campaign, name, from_db(escalation.unwrap_or(deadline)), n));
        }
    }
    Ok(out)
}

/// The campaigns of `org` in which `member` reviews something.
pub fn campaigns_reviewed_by(conn: &mut Conn<'_>, org: OrgId, member: MembershipId) -> Result<Vec<i64>, DbError> {
    let mut ids: Vec<i64> = on!(conn, c => rr::table
        .inner_join(ri::table)
        .filter(ri::org_id.eq(org.0))
        .filter(rr::membership_id.eq(member.0))
        .select(ri::campaign_id)
        .distinct()
        .load(c))?;
    ids.sort_unstable_by(|a, b| b.cmp(a));
    Ok(ids)
}

/// Whether `me` may decide `item` now (its state, its reviewers, the fallback, the second stage).
pub fn may_decide(item: &Item, plan: &ReviewerPlan, running: bool, me: MembershipId) -> bool {
    running
        && match item.state {
            ItemState::Pending => item.reviewers.contains(&me),
            ItemState::Escalated => plan.fallback == Some(me),
            ItemState::Proposed(_) => plan.second_stage == Some(me),
            ItemState::Final(_) => false,
        }
}

/// Keeps, in one change, every item of the campaign that `by` may decide at the first stage and
/// whose decision helpers agree to keeping. Returns how many.
#[allow(clippy::too_many_arguments)]
pub fn keep_agreed(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, campaign: i64, comment: &str, actor: Actor, now: DateTime<Utc>) -> Result<usize, DbError> {
    conn.transaction(|conn| {
        let plan = reviewer_plan(conn, org, campaign)?;
        let running = campaign_state(conn, org, campaign)? == CampaignState::Running;
        if !campaigns_reviewed_by(conn, org, by)?.contains(&campaign) && plan.fallback != Some(by) && plan.second_stage != Some(by) {
            // Not a reviewer of this campaign: nothing of it is theirs.
            return Err(DbError::NotFound);
        }
        let mut n = 0;
        for item in items(conn, org, campaign)? {
            if item.state == ItemState::Pending && may_decide(&item, &plan, running, by) && item.helpers.agrees_to_keep() {
                decide(conn, org, policy, by, item.id, Decision::Keep, comment, actor, now)?;
                n += 1;
            }
        }
        Ok(n)
    })
}

/// How long before the deadline reviewers with open items are reminded.
pub const REMIND_BEFORE_DAYS: i64 = 2;

/// Reminds, once per campaign, every reviewer who still has items to decide, two days before the
/// deadline (or at once when the campaign is shorter). Claimed by setting `reminded_at`, so two
/// instances remind once. Returns how many were mailed.
pub fn remind_due(conn: &mut Conn<'_>, public_url: &str, now: DateTime<Utc>) -> Result<usize, DbError> {
    let due: Vec<(i64, i64)> = on!(conn, c => rc::table
        .filter(rc::state.eq(CampaignState::Running.as_str()))
        .filter(rc::reminded_at.is_null())
        .filter(rc::deadline_at.le(to_db(now + chrono::Duration::days(REMIND_BEFORE_DAYS))))
        .filter(rc::deadline_at.gt(to_db(now)))
        .select((rc::id, rc::org_id))
        .load(c))?;
    let mut mailed = 0;
    for (campaign, org) in due {
        mailed += conn.transaction(|conn| {
            let claimed = on!(conn, c => diesel::update(rc::table.filter(rc::id.eq(campaign)).filter(rc::reminded_at.is_null())).set(rc::reminded_at.eq(Some(to_db(now)))).execute(c))?;
            if claimed == 0 {
                return Ok::<usize, DbError>(0);
            }
            let org = OrgId(org);
            let plan = reviewer_plan(conn, org, campaign)?;
            let mut open: Vec<(i64, i64)> = Vec::new();
            for item in items(conn, org, campaign)? {
                let who: Vec<MembershipId> = match item.state {
                    ItemState::Pending => item.reviewers.clone(),
                    ItemState::Escalated => plan.fallback.into_iter().collect(),
                    ItemState::Proposed(_) => plan.second_stage.into_iter().collect(),
                    ItemState::Final(_) => vec![],
                };
                for m in who {
                    match open.iter_mut().find(|(x, _)| *x == m.0) {
                        Some((_, n)) => *n += 1,
                        None => open.push((m.0, 1)),
                    }
                }
            }
            let (name, deadline): (String, chrono::NaiveDateTime) = on!(conn, c => rc::table.inner_join(rp::table).filter(rc::id.eq(campaign)).select((rp::name, rc::deadline_at)).first(c))?;
            let s = crate::orgs::settings(conn, org)?;
            let token = crate::links::token(conn, gatehouse_domain::links::Subject::ReviewCampaign(campaign), now)?;
            let link = format!("{}/o/{}/reviews/{campaign}?link={token}", public_url.trim_end_matches('/'), s.slug); // not user text: a URL
            let deadline = crate::orgs::local_time(&s.time_zone, from_db(deadline));
            let background = Actor::Background { user: s.background_user };
            let mut n = 0;
            for (reviewer, count) in open {
                let person: Option<(String, String, String)> = on!(conn, c => m::table
                    .inner_join(u::table)
                    .filter(m::id.eq(reviewer))
                    .filter(m::status.eq("active"))
                    .select((u::display_name, u::email, u::locale))
                    .first(c)
                    .optional())?;
                let Some((who, email, locale)) = person else { continue };
                let locale = gatehouse_domain::locale::Locale::parse(&locale).unwrap_or_default();
                let mail = gatehouse_mail::Mail::ReviewReminder { name: who, org: s.name.clone(), review: name.clone(), items: count, deadline: deadline.clone(), link: link.clone() };
                let r = gatehouse_mail::render(&mail, locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
                crate::outbox::enqueue(
                    conn,
                    &crate::outbox::NewMail { org: Some(org), to: &email, locale: locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html },
                    background,
                    now,
                )?;
                n += 1;
            }
            audit::record(conn, now, &AuditEntry::new(Some(org), background, "review.reminded", "review_campaign", Some(campaign)).after(json!({"reviewers": n})))?;
            Ok(n)
        })?;
    }
    Ok(mailed)
}
