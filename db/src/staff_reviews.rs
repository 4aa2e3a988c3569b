//! Access reviews of platform staff (issue 15; seed isms: "the permissions of internal users are
//! reviewed every three months and permissions that are no longer required … are revoked"). The
//! platform has one plan (quarterly by default); each run is a campaign whose population — every
//! staff member whose role may act in organizations, with their name, address and role as they
//! were — is frozen when it starts. Staff who may assign staff roles keep or reduce each item
//! (never their own), mailed a signed link when it starts and reminded two days before the
//! deadline; at the deadline the plan's rule settles what is left, done by the platform itself
//! (audited as the system), and the campaign closes and is kept as evidence, unchangeable.
//! A reduce is the same change as everywhere: the role becomes developer (nothing in
//! organizations) and a support session they have running ends.
use crate::audit::{self, AuditEntry};
use crate::schema::{platform_staff as ps, staff_review_campaigns as sc, staff_review_items as si, staff_review_plan as sp};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::StaffId;
use gatehouse_domain::reviews::{self as rules, CampaignState, Schedule};
use gatehouse_domain::staff::{StaffAction, StaffHelpers, StaffNoResponse, StaffReviewPlan, StaffRole};
use gatehouse_domain::DomainError;
use serde_json::json;

/// Reviewers with open items are reminded this many days before the deadline.
pub const REMIND_BEFORE_DAYS: i64 = 2;

/// The platform's plan as configured (the defaults until someone changes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub plan: StaffReviewPlan,
    pub inactive_days: i64,
    /// When the next campaign starts (none until the first staff member is due).
    pub next_start_at: Option<DateTime<Utc>>,
}

type PlanRow = (String, i32, String, i32, Option<chrono::NaiveDateTime>);

fn plan_row(conn: &mut Conn<'_>) -> Result<Option<PlanRow>, DbError> {
    Ok(on!(conn, c => sp::table.find(1).select((sp::schedule, sp::duration_days, sp::no_response, sp::inactive_days, sp::next_start_at)).first(c).optional())?)
}

pub fn plan(conn: &mut Conn<'_>) -> Result<Plan, DbError> {
    Ok(match plan_row(conn)? {
        None => Plan { plan: StaffReviewPlan::default(), inactive_days: 30, next_start_at: None },
        Some((schedule, duration, no_response, inactive, next)) => {
            let d = StaffReviewPlan::default();
            Plan {
                plan: StaffReviewPlan {
                    schedule: Schedule::parse(&schedule).unwrap_or(d.schedule),
                    duration_days: duration.max(1) as u32,
                    no_response: StaffNoResponse::parse(&no_response).unwrap_or(d.no_response),
                },
                inactive_days: inactive as i64,
                next_start_at: next.map(from_db),
            }
        }
    })
}

fn write_plan(conn: &mut Conn<'_>, p: &StaffReviewPlan, next: Option<DateTime<Utc>>, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let values = || (
        sp::schedule.eq(p.schedule.as_str()),
        sp::duration_days.eq(p.duration_days as i32),
        sp::no_response.eq(p.no_response.as_str()),
        sp::next_start_at.eq(next.map(to_db)),
        sp::updated_at.eq(to_db(now)),
        sp::updated_by_kind.eq(actor.kind()),
        sp::updated_by_id.eq(actor.id()),
    );
    let changed = on!(conn, c => diesel::update(sp::table.find(1)).set(values()).execute(c))?;
    if changed == 0 {
        on!(conn, c => diesel::insert_into(sp::table).values((sp::id.eq(1), values())).execute(c))?;
    }
    Ok(())
}

fn require(by_role: StaffRole) -> Result<(), DbError> {
    if by_role.may(StaffAction::AssignStaffRoles) {
        Ok(())
    } else {
        Err(DbError::NotFound)
    }
}

fn invalid(field: &'static str, value: &str) -> DbError {
    DbError::Domain(DomainError::InvalidValue { field, value: value.chars().take(40).collect() })
}

/// Changes the plan (staff who may assign staff roles): a recurring schedule, a duration shorter
/// than its interval, and what an unanswered item becomes. The next start follows the last
/// campaign's start (or today) by the new interval. Audited as the staff member.
pub fn set_plan(conn: &mut Conn<'_>, by: StaffId, by_role: StaffRole, schedule: &str, duration_days: &str, no_response: &str, now: DateTime<Utc>) -> Result<Plan, DbError> {
    require(by_role)?;
    let schedule = match Schedule::parse(schedule.trim()) {
        Some(s @ Schedule::Every(_)) => s,
        _ => return Err(invalid("schedule", schedule)),
    };
    let duration: u32 = duration_days.trim().parse().map_err(|_| invalid("duration_days", duration_days))?;
    rules::check_timing(schedule, duration)?;
    let no_response = StaffNoResponse::parse(no_response.trim()).ok_or_else(|| invalid("no_response", no_response))?;
    let p = StaffReviewPlan { schedule, duration_days: duration, no_response };
    let actor = Actor::Staff { staff: by };
    conn.transaction(|conn| {
        let before = plan(conn)?;
        let last: Option<chrono::NaiveDateTime> = on!(conn, c => sc::table.select(diesel::dsl::max(sc::started_at)).first(c))?;
        let next = rules::next_start(schedule, last.map(from_db).unwrap_or(now)).map(|n| n.max(now));
        write_plan(conn, &p, next, actor, now)?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(None, actor, "staff.review_plan_changed", "staff_review_plan", Some(1))
                .before(json!({"schedule": before.plan.schedule.as_str(), "duration_days": before.plan.duration_days, "no_response": before.plan.no_response.as_str()}))
                .after(json!({"schedule": schedule.as_str(), "duration_days": duration, "no_response": no_response.as_str(), "next_start_at": next})),
        )?;
        plan(conn)
    })
}

fn user_of(conn: &mut Conn<'_>, email: &str) -> Result<Option<(i64, String)>, DbError> {
    use crate::schema::users as u;
    Ok(on!(conn, c => u::table.filter(u::email.eq(email)).select((u::id, u::locale)).first(c).optional())?)
}


/// Starts a campaign at `at`: freezes who is reviewed, finds their reviewers, mails each reviewer
/// a signed link and moves the plan's next start one interval on. Refused while another runs.
fn start(conn: &mut Conn<'_>, actor: Actor, at: DateTime<Utc>, public_url: &str, now: DateTime<Utc>) -> Result<i64, DbError> {
    conn.transaction(|conn| {
        let running: i64 = on!(conn, c => sc::table.filter(sc::state.eq(CampaignState::Running.as_str())).count().get_result(c))?;
        if running > 0 {
            return Err(DbError::Conflict(crate::Conflict::StaffReviewRunning));
        }
        let p = plan(conn)?;
        let deadline = rules::deadline(at, p.plan.duration_days);
        // One running at a time (a partial unique index): a start that races another is refused.
        let campaign: i64 = on!(conn, c => diesel::insert_into(sc::table)
            .values((
                sc::state.eq(CampaignState::Running.as_str()),
                sc::started_at.eq(to_db(at)),
                sc::deadline_at.eq(to_db(deadline)),
                sc::plan_snapshot.eq(serde_json::to_string(&p.plan).unwrap_or_default()),
                sc::started_by_kind.eq(actor.kind()),
                sc::started_by_id.eq(actor.id()),
            ))
            .returning(sc::id)
            .get_result(c))
        .map_err(|e| match DbError::from(e) {
            DbError::Conflict(crate::Conflict::Duplicate) => DbError::Conflict(crate::Conflict::StaffReviewRunning),
            other => other,
        })?;
        write_plan(conn, &p.plan, rules::next_start(p.plan.schedule, at), actor, now)?;
        let staff: Vec<(i64, String, String, String)> = on!(conn, c => ps::table.select((ps::id, ps::display_name, ps::email, ps::staff_role)).order(ps::id.asc()).load(c))?;
        let roles: Vec<(i64, StaffRole)> = staff.iter().filter_map(|(id, _, _, r)| Some((*id, StaffRole::parse(r)?))).collect();
        // Support sign-ins during the interval before this campaign.
        let months = match p.plan.schedule {
            Schedule::Every(i) => i.months(),
            Schedule::Once => 3,
        };
        let since = at.checked_sub_months(chrono::Months::new(months)).unwrap_or(at);
        let mut counts: Vec<(i64, i64)> = Vec::new();
        let mut items = 0;
        for (id, name, email, role) in &staff {
            let Some(r) = StaffRole::parse(role) else { continue };
            if !gatehouse_domain::staff::reviewed(r) {
                continue;
            }
            let sessions: i64 = {
                use crate::schema::support_sessions as ss;
                on!(conn, c => ss::table.filter(ss::staff_id.eq(*id)).filter(ss::started_at.ge(to_db(since))).count().get_result(c))?
            };
            let user = user_of(conn, email)?.map(|(id, _)| id);
            let signed_in = crate::reviews::last_sign_in(conn, user)?;
            let helpers = StaffHelpers::new(r, signed_in, sessions, at, p.inactive_days);
            let reviewers = gatehouse_domain::staff::reviewers(&roles, *id);
            on!(conn, c => diesel::insert_into(si::table)
                .values((
                    si::campaign_id.eq(campaign),
                    si::staff_id.eq(*id),
                    si::staff_name.eq(name),
                    si::staff_email.eq(email),
                    si::staff_role.eq(role),
                    si::helpers.eq(serde_json::to_string(&helpers).unwrap_or_default()),
                    si::reviewers.eq(serde_json::to_string(&reviewers).unwrap_or_default()),
                ))
                .execute(c))?;
            for rv in reviewers {
                match counts.iter_mut().find(|(x, _)| *x == rv) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((rv, 1)),
                }
            }
            items += 1;
        }
        mail_reviewers(conn, campaign, &counts, deadline, false, public_url, actor, now)?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(None, actor, "staff.review_started", "staff_review", Some(campaign))
                .after(json!({"items": items, "started_at": at, "deadline_at": deadline, "plan": p.plan})),
        )?;
        Ok(campaign)
    })
}

/// Mails each reviewer how many items are theirs (a signed link to the campaign, which opens
/// after signing in as staff).
#[allow(clippy::too_many_arguments)]
fn mail_reviewers(conn: &mut Conn<'_>, campaign: i64, counts: &[(i64, i64)], deadline: DateTime<Utc>, reminder: bool, public_url: &str, actor: Actor, now: DateTime<Utc>) -> Result<usize, DbError> {
    let token = crate::links::token(conn, gatehouse_domain::links::Subject::StaffReview(campaign), now)?;
    let link = format!("{}/staff/reviews/{campaign}?link={token}", public_url.trim_end_matches('/')); // not user text: a URL
    let deadline = format!("{} UTC", deadline.format("%Y-%m-%d %H:%M")); // not user text: a time stamp
    let mut mailed = 0;
    for (reviewer, n) in counts {
        let row: Option<(String, String, String)> = on!(conn, c => ps::table.find(*reviewer).select((ps::display_name, ps::email, ps::staff_role)).first(c).optional())?;
        let Some((name, email, role)) = row else { continue };
        // Only whoever may still decide.
        if !StaffRole::parse(&role).is_some_and(|r| r.may(StaffAction::AssignStaffRoles)) {
            continue;
        }
        let locale = user_of(conn, &email)?.and_then(|(_, l)| gatehouse_domain::locale::Locale::parse(&l)).unwrap_or_default();
        let mail = gatehouse_mail::Mail::StaffReviewAssigned { name, items: *n, deadline: deadline.clone(), reminder, link: link.clone() };
        let r = gatehouse_mail::render(&mail, locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
        crate::outbox::enqueue(conn, &crate::outbox::NewMail { org: None, to: &email, locale: locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html }, actor, now)?;
        mailed += 1;
    }
    Ok(mailed)
}

/// Starts a campaign now (staff who may assign staff roles), outside the schedule; the schedule
/// goes on from it.
pub fn start_now(conn: &mut Conn<'_>, by: StaffId, by_role: StaffRole, public_url: &str, now: DateTime<Utc>) -> Result<i64, DbError> {
    require(by_role)?;
    start(conn, Actor::Staff { staff: by }, now, public_url, now)
}

/// The scheduled sweep (any instance): the first time, the plan is scheduled for when the
/// longest-waiting staff member is due (an interval after they were last reviewed or added);
/// once that time has come, the campaign starts — claimed by moving the next start, so two
/// instances start it once. Returns the campaign started.
pub fn start_due(conn: &mut Conn<'_>, public_url: &str, now: DateTime<Utc>) -> Result<Option<i64>, DbError> {
    let p = plan(conn)?;
    let Some(at) = p.next_start_at else {
        let since: Vec<(String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> = on!(conn, c => ps::table.select((ps::staff_role, ps::created_at, ps::reviewed_at)).load(c))?;
        let first = since
            .into_iter()
            .filter(|(r, ..)| StaffRole::parse(r).is_some_and(gatehouse_domain::staff::reviewed))
            .map(|(_, created, reviewed)| from_db(reviewed.unwrap_or(created)))
            .min()
            .and_then(|s| rules::next_start(p.plan.schedule, s));
        if let Some(first) = first {
            conn.transaction(|conn| {
                // Only while still unscheduled: another instance may have done it.
                let changed = on!(conn, c => diesel::update(sp::table.find(1).filter(sp::next_start_at.is_null())).set(sp::next_start_at.eq(Some(to_db(first)))).execute(c))?;
                if changed == 0 && plan_row(conn)?.is_none() {
                    on!(conn, c => diesel::insert_into(sp::table)
                        .values((
                            sp::id.eq(1),
                            sp::schedule.eq(p.plan.schedule.as_str()),
                            sp::duration_days.eq(p.plan.duration_days as i32),
                            sp::no_response.eq(p.plan.no_response.as_str()),
                            sp::next_start_at.eq(Some(to_db(first))),
                            sp::updated_at.eq(to_db(now)),
                            sp::updated_by_kind.eq(Actor::System.kind()),
                        ))
                        .on_conflict_do_nothing()
                        .execute(c))?;
                }
                Ok::<_, DbError>(())
            })?;
        }
        return Ok(None);
    };
    if at > now {
        return Ok(None);
    }
    // A platform that was down for two intervals starts one campaign, the latest due.
    let start_at = rules::due_start(p.plan.schedule, at, now).unwrap_or(at);
    conn.transaction(|conn| {
        let claimed = on!(conn, c => diesel::update(sp::table.find(1).filter(sp::next_start_at.eq(Some(to_db(at)))))
            .set(sp::next_start_at.eq(rules::next_start(p.plan.schedule, start_at).map(to_db)))
            .execute(c))?;
        if claimed == 0 {
            return Ok(None);
        }
        match start(conn, Actor::System, start_at, public_url, now) {
            Ok(id) => Ok(Some(id)),
            // One started by hand is still running: this start is skipped, the next one stands.
            Err(DbError::Conflict(crate::Conflict::StaffReviewRunning)) => Ok(None),
            Err(e) => Err(e),
        }
    })
}

/// A campaign's head.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Campaign {
    pub id: i64,
    /// Running or closed.
    pub state: CampaignState,
    pub started_at: DateTime<Utc>,
    pub deadline_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub plan: StaffReviewPlan,
    /// Started by the schedule (none) or by this staff member.
    pub started_by: Option<String>,
    pub decided: i64,
    pub total: i64,
    pub kept: i64,
    pub reduced: i64,
}

type CampaignRow = (i64, String, chrono::NaiveDateTime, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>, String, String, Option<i64>);

/// The campaigns, newest first (`only` one of them).
pub fn campaigns(conn: &mut Conn<'_>, only: Option<i64>, limit: i64) -> Result<Vec<Campaign>, DbError> {
    let rows: Vec<CampaignRow> = match only {
        Some(id) => on!(conn, c => sc::table
            .filter(sc::id.eq(id))
            .select((sc::id, sc::state, sc::started_at, sc::deadline_at, sc::closed_at, sc::plan_snapshot, sc::started_by_kind, sc::started_by_id))
            .load(c))?,
        None => on!(conn, c => sc::table
            .select((sc::id, sc::state, sc::started_at, sc::deadline_at, sc::closed_at, sc::plan_snapshot, sc::started_by_kind, sc::started_by_id))
            .order(sc::id.desc())
            .limit(limit)
            .load(c))?,
    };
    // Every campaign's decisions and the names of whoever started one, in two queries.
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let decisions: Vec<(i64, Option<String>)> = on!(conn, c => si::table.filter(si::campaign_id.eq_any(&ids)).select((si::campaign_id, si::decision)).load(c))?;
    let starters: Vec<i64> = rows.iter().filter(|r| r.6 == "staff").filter_map(|r| r.7).collect();
    let names: Vec<(i64, String)> = on!(conn, c => ps::table.filter(ps::id.eq_any(&starters)).select((ps::id, ps::display_name)).load(c))?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, state, started, deadline, closed, snapshot, by_kind, by_id) in rows {
        let mine: Vec<Option<&str>> = decisions.iter().filter(|(c, _)| *c == id).map(|(_, d)| d.as_deref()).collect();
        let started_by = match (by_kind.as_str(), by_id) {
            ("staff", Some(s)) => names.iter().find(|(n, _)| *n == s).map(|(_, name)| name.clone()),
            _ => None,
        };
        out.push(Campaign {
            id,
            state: CampaignState::parse(&state).unwrap_or(CampaignState::Closed),
            started_at: from_db(started),
            deadline_at: from_db(deadline),
            closed_at: closed.map(from_db),
            plan: serde_json::from_str(&snapshot).unwrap_or_default(),
            started_by,
            decided: mine.iter().filter(|d| d.is_some()).count() as i64,
            total: mine.len() as i64,
            kept: mine.iter().filter(|d| **d == Some("keep")).count() as i64,
            reduced: mine.iter().filter(|d| **d == Some("reduce")).count() as i64,
        });
    }
    Ok(out)
}

/// One frozen item, as the evidence shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub staff_id: i64,
    pub name: String,
    pub email: String,
    pub role: StaffRole,
    pub helpers: StaffHelpers,
    /// Who was asked (names as they are now).
    pub reviewers: Vec<(i64, String)>,
    pub decision: Option<String>,
    pub comment: Option<String>,
    /// staff or system
    pub decided_by_kind: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

type ItemRow = (i64, i64, String, String, String, String, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<chrono::NaiveDateTime>);

pub fn items(conn: &mut Conn<'_>, campaign: i64) -> Result<Vec<Item>, DbError> {
    let rows: Vec<ItemRow> = on!(conn, c => si::table
        .filter(si::campaign_id.eq(campaign))
        .select((si::id, si::staff_id, si::staff_name, si::staff_email, si::staff_role, si::helpers, si::reviewers, si::decision, si::comment, si::decided_by_kind, si::decided_by_name, si::decided_at))
        .order(si::id.asc())
        .load(c))?;
    let names: Vec<(i64, String)> = on!(conn, c => ps::table.select((ps::id, ps::display_name)).load(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, staff_id, name, email, role, helpers, reviewers, decision, comment, by_kind, by, at)| {
            let ids: Vec<i64> = serde_json::from_str(&reviewers).unwrap_or_default();
            Item {
                id,
                staff_id,
                name,
                email,
                role: StaffRole::parse(&role).unwrap_or(StaffRole::Developer),
                helpers: serde_json::from_str(&helpers).unwrap_or_default(),
                reviewers: ids.into_iter().filter_map(|i| names.iter().find(|(n, _)| *n == i).cloned()).collect(),
                decision,
                comment,
                decided_by_kind: by_kind,
                decided_by: by,
                decided_at: at.map(from_db),
            }
        })
        .collect())
}

/// Keeps (due again next time) or reduces to developer, as `actor`, for the campaign's record.
fn apply(conn: &mut Conn<'_>, actor: Actor, staff: i64, keep: bool, comment: &str, campaign: i64, now: DateTime<Utc>) -> Result<(), DbError> {
    use crate::schema::support_sessions as ss;
    let role: String = on!(conn, c => ps::table.find(staff).select(ps::staff_role).first(c))?;
    if keep {
        on!(conn, c => diesel::update(ps::table.find(staff)).set((ps::reviewed_at.eq(Some(to_db(now))), ps::updated_at.eq(to_db(now)))).execute(c))?;
        audit::record(conn, now, &AuditEntry::new(None, actor, "staff.review_kept", "staff", Some(staff)).after(json!({"role": role, "comment": comment, "review": campaign})))?;
        return Ok(());
    }
    let reduced = StaffRole::Developer.as_str();
    on!(conn, c => diesel::update(ps::table.find(staff))
        .set((ps::staff_role.eq(reduced), ps::reviewed_at.eq(Some(to_db(now))), ps::updated_at.eq(to_db(now)), ps::version.eq(ps::version + 1), ps::updated_by_kind.eq(actor.kind()), ps::updated_by_id.eq(actor.id())))
        .execute(c))?;
    let live: Vec<i64> = on!(conn, c => ss::table.filter(ss::staff_id.eq(staff)).filter(ss::ended_at.is_null()).select(ss::id).load(c))?;
    for session in live {
        crate::support::end(conn, session, crate::support::EndReason::ByStaff, actor, now)?;
    }
    audit::record(conn, now, &AuditEntry::new(None, actor, "staff.role_reduced", "staff", Some(staff)).before(json!({"role": role})).after(json!({"role": reduced, "comment": comment, "review": campaign})))?;
    Ok(())
}

/// A reviewer's decision on one item of a running campaign: staff who may assign staff roles,
/// never on their own item; an item is decided once. Audited as the staff member with the comment.
pub fn decide(conn: &mut Conn<'_>, by: StaffId, by_role: StaffRole, item: i64, decision: &str, comment: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    require(by_role)?;
    let keep = match decision {
        "keep" => true,
        "reduce" => false,
        other => return Err(invalid("decision", other)),
    };
    let comment = comment.trim();
    if comment.chars().count() > 500 {
        return Err(invalid("comment", comment));
    }
    conn.transaction(|conn| {
        let row: Option<(i64, i64, Option<String>, String)> =
            on!(conn, c => si::table.inner_join(sc::table).filter(si::id.eq(item)).select((si::campaign_id, si::staff_id, si::decision, sc::state)).first(c).optional())?;
        let (campaign, staff, decided, state) = row.ok_or(DbError::NotFound)?;
        if state != CampaignState::Running.as_str() {
            return Err(DbError::Conflict(crate::Conflict::StaffReviewClosed));
        }
        if decided.is_some() {
            return Err(DbError::Conflict(crate::Conflict::StaffReviewDecided));
        }
        if staff == by.0 {
            return Err(invalid("staff", &staff.to_string()));
        }
        let by_name: String = on!(conn, c => ps::table.find(by.0).select(ps::display_name).first(c))?;
        // Claimed by the item's own update: a second decision at the same moment finds it decided.
        let claimed = on!(conn, c => diesel::update(si::table.find(item).filter(si::decision.is_null()))
            .set((
                si::decision.eq(Some(decision)),
                si::comment.eq((!comment.is_empty()).then_some(comment)),
                si::decided_by_kind.eq(Some("staff")),
                si::decided_by.eq(Some(by.0)),
                si::decided_by_name.eq(Some(by_name)),
                si::decided_at.eq(Some(to_db(now))),
            ))
            .execute(c))?;
        if claimed == 0 {
            return Err(DbError::Conflict(crate::Conflict::StaffReviewDecided));
        }
        apply(conn, Actor::Staff { staff: by }, staff, keep, comment, campaign, now)
    })
}

/// Reminds, two days before the deadline, every reviewer who still has open items (once per
/// campaign: claimed by its `reminded_at`). Returns the mails written.
pub fn remind_due(conn: &mut Conn<'_>, public_url: &str, now: DateTime<Utc>) -> Result<usize, DbError> {
    let due: Vec<(i64, chrono::NaiveDateTime)> = on!(conn, c => sc::table
        .filter(sc::state.eq(CampaignState::Running.as_str()))
        .filter(sc::reminded_at.is_null())
        .filter(sc::deadline_at.le(to_db(now + chrono::Duration::days(REMIND_BEFORE_DAYS))))
        .filter(sc::deadline_at.gt(to_db(now)))
        .select((sc::id, sc::deadline_at))
        .load(c))?;
    let mut mailed = 0;
    for (campaign, deadline) in due {
        mailed += conn.transaction(|conn| {
            let claimed = on!(conn, c => diesel::update(sc::table.find(campaign).filter(sc::reminded_at.is_null())).set(sc::reminded_at.eq(Some(to_db(now)))).execute(c))?;
            if claimed == 0 {
                return Ok::<usize, DbError>(0);
            }
            let mut counts: Vec<(i64, i64)> = Vec::new();
            for i in items(conn, campaign)?.into_iter().filter(|i| i.decision.is_none()) {
                for (rv, _) in i.reviewers {
                    match counts.iter_mut().find(|(x, _)| *x == rv) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((rv, 1)),
                    }
                }
            }
            mail_reviewers(conn, campaign, &counts, from_db(deadline), true, public_url, Actor::System, now)
        })?;
    }
    Ok(mailed)
}

/// At the deadline: every open item is settled by the plan's rule as it was when the campaign
/// started (kept, or reduced to developer), done by the platform itself and audited as the
/// system; the campaign closes. Claimed by closing it, so two instances settle it once. Returns
/// the items settled.
pub fn sweep(conn: &mut Conn<'_>, now: DateTime<Utc>) -> Result<usize, DbError> {
    let due: Vec<(i64, String)> = on!(conn, c => sc::table.filter(sc::state.eq(CampaignState::Running.as_str())).filter(sc::deadline_at.le(to_db(now))).select((sc::id, sc::plan_snapshot)).load(c))?;
    let mut settled = 0;
    for (campaign, snapshot) in due {
        settled += conn.transaction(|conn| {
            let closed = on!(conn, c => diesel::update(sc::table.find(campaign).filter(sc::state.eq(CampaignState::Running.as_str()))).set((sc::state.eq(CampaignState::Closed.as_str()), sc::closed_at.eq(Some(to_db(now))))).execute(c))?;
            if closed == 0 {
                return Ok::<usize, DbError>(0);
            }
            let plan: StaffReviewPlan = serde_json::from_str(&snapshot).unwrap_or_default();
            let keep = plan.no_response == StaffNoResponse::Keep;
            let open: Vec<(i64, i64)> = on!(conn, c => si::table.filter(si::campaign_id.eq(campaign)).filter(si::decision.is_null()).select((si::id, si::staff_id)).load(c))?;
            for (item, staff) in &open {
                on!(conn, c => diesel::update(si::table.find(*item))
                    .set((si::decision.eq(Some(if keep { "keep" } else { "reduce" })), si::decided_by_kind.eq(Some("system")), si::decided_at.eq(Some(to_db(now)))))
                    .execute(c))?;
                apply(conn, Actor::System, *staff, keep, "", campaign, now)?;
            }
            let c = campaigns(conn, Some(campaign), 1)?.into_iter().next().ok_or(DbError::NotFound)?;
            audit::record(
                conn,
                now,
                &AuditEntry::new(None, Actor::System, "staff.review_closed", "staff_review", Some(campaign))
                    .after(json!({"items": c.total, "kept": c.kept, "reduced": c.reduced, "settled_by_rule": open.len(), "rule": plan.no_response.as_str()})),
            )?;
            Ok(open.len())
        })?;
    }
    Ok(settled)
}
