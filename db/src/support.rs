//! Support sign-in (seed isms: customer success "logs in as an administrative employee"): a staff
//! member whose role may act as an administrator starts a support session for one organization
//! with a reason and a bounded time. It has a membership of its own — no identity, never listed
//! or counted, the staff member's name as its pseudonym — holding the administrator
//! organization role while it lasts, and nothing else (no role, adjustment or other organization
//! role can be given to it). The browser session that started it points to it. It ends at its
//! limit (refused at once by the session lookup, tidied by the background sweep), on sign-out,
//! by the staff member, or when the organization ends it or switches support access off. Every
//! change made through it is audited as `staff_as_user` (the staff member and the membership
//! acted as); its start and end are audited and the organization's owners are mailed at start.
use crate::audit::{self, AuditEntry};
use crate::schema::{memberships as m, org_role_holders as orh, organizations as o, platform_staff as ps, sessions as s, support_sessions as ss};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{MembershipId, OrgId, StaffId};
use gatehouse_domain::org_role::OrgRole;
use serde_json::json;

/// A support session lasts at most this long (and this long unless asked for less).
pub const MAX_MINUTES: i64 = 60;

/// A support session in force, as the session lookup and the pages see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Live {
    pub id: i64,
    pub org: OrgId,
    pub org_slug: String,
    pub org_name: String,
    pub membership: MembershipId,
    pub staff: StaffId,
    pub staff_name: String,
    pub reason: String,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Why a support session ended (stored, and worded on the pages and in the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndReason {
    Limit,
    SignedOut,
    ByStaff,
    ByOrganization,
    SwitchedOff,
}

impl EndReason {
    pub fn as_str(self) -> &'static str {
        match self {
            EndReason::Limit => "limit",
            EndReason::SignedOut => "signed_out",
            EndReason::ByStaff => "by_staff",
            EndReason::ByOrganization => "by_organization",
            EndReason::SwitchedOff => "switched_off",
        }
    }
}

/// Whether the organization lets support sign in.
pub fn access_allowed(conn: &mut Conn<'_>, org: OrgId) -> Result<bool, DbError> {
    Ok(on!(conn, c => o::table.find(org.0).select(o::support_access).first(c))?)
}

/// Starts a support session for the browser session `token`: `staff` acts as an administrator
/// of `org` for `minutes` (1 to [`MAX_MINUTES`]) because of `reason`. Refused when the
/// organization switched support access off. Mails the owners. Returns the session in force.
#[allow(clippy::too_many_arguments)]
pub fn start(conn: &mut Conn<'_>, org: OrgId, staff: StaffId, token: &str, reason: &str, minutes: i64, public_url: &str, now: DateTime<Utc>) -> Result<Live, DbError> {
    let reason = reason.trim();
    if reason.chars().count() < 3 || reason.chars().count() > 500 {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "reason", value: if reason.is_empty() { String::new() } else { reason.chars().take(80).collect() } }.into());
    }
    if !(1..=MAX_MINUTES).contains(&minutes) {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "minutes", value: minutes.to_string() }.into());
    }
    conn.transaction(|conn| {
        if !access_allowed(conn, org)? {
            return Err(DbError::Conflict(crate::Conflict::SupportAccessOff));
        }
        // This browser's earlier support session (another organization, perhaps) ends first.
        if let Some(earlier) = on!(conn, c => s::table.find(crate::sessions::token_hash(token)).select(s::support_session_id).first::<Option<i64>>(c))? {
            end(conn, earlier, EndReason::ByStaff, Actor::Staff { staff }, now)?;
        }
        let staff_name: String = on!(conn, c => ps::table.find(staff.0).select(ps::display_name).first(c))?;
        let expires = now + chrono::Duration::minutes(minutes);
        let opener = Actor::Staff { staff };
        let membership: i64 = on!(conn, c => diesel::insert_into(m::table)
            .values((
                m::org_id.eq(org.0),
                m::user_id.eq(None::<i64>),
                m::status.eq("active"),
                m::member_kind.eq("external"),
                m::role_holder_only.eq(true),
                m::pseudonym.eq(Some(&staff_name)),
                m::joined_at.eq(Some(to_db(now))),
                m::created_at.eq(to_db(now)),
                m::updated_at.eq(to_db(now)),
                m::version.eq(1),
                m::updated_by_kind.eq(opener.kind()),
                m::updated_by_id.eq(opener.id()),
            ))
            .returning(m::id)
            .get_result(c))?;
        let membership = MembershipId(membership);
        let acting = Actor::StaffAsUser { staff, membership };
        crate::members::grant_org_role(conn, org, membership, OrgRole::Administrator, acting, now)?;
        let id: i64 = on!(conn, c => diesel::insert_into(ss::table)
            .values((
                ss::org_id.eq(org.0),
                ss::staff_id.eq(staff.0),
                ss::membership_id.eq(membership.0),
                ss::reason.eq(reason),
                ss::started_at.eq(to_db(now)),
                ss::expires_at.eq(to_db(expires)),
            ))
            .returning(ss::id)
            .get_result(c))?;
        on!(conn, c => diesel::update(s::table.find(crate::sessions::token_hash(token))).set(s::support_session_id.eq(Some(id))).execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), acting, "support.started", "support_session", Some(id)).after(json!({"staff": staff_name, "acting_as": "administrator", "reason": reason, "until": expires})),
        )?;
        let settings = crate::orgs::settings(conn, org)?;
        let link = format!("{}/o/{}/settings#support", public_url.trim_end_matches('/'), settings.slug);
        for p in crate::members::mail_recipients(conn, org, gatehouse_domain::org_role::Audience::Owners)? {
            let mail = gatehouse_mail::Mail::SupportAccessStarted {
                name: p.name.clone(),
                staff: staff_name.clone(),
                org: settings.name.clone(),
                reason: reason.to_string(),
                until: crate::orgs::local_time(&settings.time_zone, expires),
                link: link.clone(),
            };
            let r = gatehouse_mail::render(&mail, p.locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
            crate::outbox::enqueue(conn, &crate::outbox::NewMail { org: Some(org), to: &p.email, locale: p.locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html }, opener, now)?;
        }
        live(conn, id, now)?.ok_or(DbError::NotFound)
    })
}

/// Ends a support session (once: a second end changes nothing): the administrator role goes,
/// the membership ends, the browser sessions pointing to it act as the staff member again.
pub fn end(conn: &mut Conn<'_>, id: i64, why: EndReason, actor: Actor, now: DateTime<Utc>) -> Result<bool, DbError> {
    conn.transaction(|conn| {
        let row: Option<(i64, i64, Option<chrono::NaiveDateTime>)> = on!(conn, c => ss::table.find(id).select((ss::org_id, ss::membership_id, ss::ended_at)).first(c).optional())?;
        let Some((org, membership, None)) = row else { return Ok(false) };
        let n = on!(conn, c => diesel::update(ss::table.find(id).filter(ss::ended_at.is_null())).set((ss::ended_at.eq(Some(to_db(now))), ss::end_reason.eq(Some(why.as_str())))).execute(c))?;
        if n == 0 {
            return Ok(false);
        }
        on!(conn, c => diesel::delete(orh::table.filter(orh::membership_id.eq(membership))).execute(c))?;
        on!(conn, c => diesel::update(m::table.find(membership))
            .set((m::status.eq("terminated"), m::ended_at.eq(Some(to_db(now))), m::updated_at.eq(to_db(now)), m::version.eq(m::version + 1), m::updated_by_kind.eq(actor.kind()), m::updated_by_id.eq(actor.id())))
            .execute(c))?;
        on!(conn, c => diesel::update(s::table.filter(s::support_session_id.eq(Some(id)))).set(s::support_session_id.eq(None::<i64>)).execute(c))?;
        crate::authz::bump(conn, OrgId(org), None)?;
        audit::record(conn, now, &AuditEntry::new(Some(OrgId(org)), actor, "support.ended", "support_session", Some(id)).after(json!({"reason": why.as_str()})))?;
        Ok(true)
    })
}

/// The support session `id` when it is in force at `now` (not ended, within its limit, the
/// organization still allowing support access).
pub fn live(conn: &mut Conn<'_>, id: i64, now: DateTime<Utc>) -> Result<Option<Live>, DbError> {
    Ok(load(conn, Some(id), None, now)?.pop())
}

/// The organization's support sessions in force, newest first.
pub fn live_in(conn: &mut Conn<'_>, org: OrgId, now: DateTime<Utc>) -> Result<Vec<Live>, DbError> {
    load(conn, None, Some(org), now)
}

type LiveRow = (i64, i64, String, String, i64, i64, String, String, chrono::NaiveDateTime, chrono::NaiveDateTime);

fn load(conn: &mut Conn<'_>, id: Option<i64>, org: Option<OrgId>, now: DateTime<Utc>) -> Result<Vec<Live>, DbError> {
    let rows: Vec<LiveRow> = on!(conn, c => {
        let mut q = ss::table
            .inner_join(o::table)
            .inner_join(ps::table)
            .filter(ss::ended_at.is_null())
            .filter(ss::expires_at.gt(to_db(now)))
            .filter(o::support_access.eq(true))
            .select((ss::id, o::id, o::slug, o::name, ss::membership_id, ps::id, ps::display_name, ss::reason, ss::started_at, ss::expires_at))
            .order(ss::id.desc())
            .into_boxed();
        if let Some(id) = id {
            q = q.filter(ss::id.eq(id));
        }
        if let Some(org) = org {
            q = q.filter(ss::org_id.eq(org.0));
        }
        q.load(c)
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, org, org_slug, org_name, membership, staff, staff_name, reason, started, expires)| Live {
            id,
            org: OrgId(org),
            org_slug,
            org_name,
            membership: MembershipId(membership),
            staff: StaffId(staff),
            staff_name,
            reason,
            started_at: from_db(started),
            expires_at: from_db(expires),
        })
        .collect())
}

/// The support session a browser session points to, if it is in force.
pub fn of_session(conn: &mut Conn<'_>, support_session: Option<i64>, now: DateTime<Utc>) -> Result<Option<Live>, DbError> {
    match support_session {
        Some(id) => live(conn, id, now),
        None => Ok(None),
    }
}

/// The background sweep: support sessions past their limit (or of an organization that
/// switched support access off) are ended, each once, whichever instance gets there first.
pub fn end_due(conn: &mut Conn<'_>, now: DateTime<Utc>) -> Result<usize, DbError> {
    let due: Vec<(i64, bool, i64)> = on!(conn, c => ss::table
        .inner_join(o::table)
        .filter(ss::ended_at.is_null())
        .filter(ss::expires_at.le(to_db(now)).or(o::support_access.eq(false)))
        .select((ss::id, o::support_access, o::background_user_id))
        .load(c))?;
    let mut ended = 0;
    for (id, allowed, background) in due {
        let why = if allowed { EndReason::Limit } else { EndReason::SwitchedOff };
        if end(conn, id, why, Actor::Background { user: gatehouse_domain::ids::UserId(background) }, now)? {
            ended += 1;
        }
    }
    Ok(ended)
}

/// Whether `member` is a support session's membership (nothing can be given to one).
pub fn is_support_membership(conn: &mut Conn<'_>, member: MembershipId) -> Result<bool, DbError> {
    let n: i64 = on!(conn, c => ss::table.filter(ss::membership_id.eq(member.0)).count().get_result(c))?;
    Ok(n > 0)
}

/// Lets support sign in, or not (`settings.edit` for the whole organization). Switching it off
/// ends every support session in force at once.
pub fn set_access(conn: &mut Conn<'_>, org: OrgId, policy: &gatehouse_domain::authz::policy::Policy, by: MembershipId, allowed: bool, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, "settings.edit", &gatehouse_domain::authz::Target::Organization, now)?;
    conn.transaction(|conn| {
        let before = access_allowed(conn, org)?;
        on!(conn, c => diesel::update(o::table.find(org.0))
            .set((o::support_access.eq(allowed), o::updated_at.eq(to_db(now)), o::version.eq(o::version + 1), o::updated_by_kind.eq(actor.kind()), o::updated_by_id.eq(actor.id())))
            .execute(c))?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "organization.security_settings", "organization", Some(org.0)).before(json!({"support_access": before})).after(json!({"support_access": allowed})))?;
        if !allowed {
            let open: Vec<i64> = on!(conn, c => ss::table.filter(ss::org_id.eq(org.0)).filter(ss::ended_at.is_null()).select(ss::id).load(c))?;
            for id in open {
                end(conn, id, EndReason::SwitchedOff, actor, now)?;
            }
        }
        Ok(())
    })
}

/// The organization ends one support session in force (`settings.edit`).
pub fn end_by_organization(conn: &mut Conn<'_>, org: OrgId, policy: &gatehouse_domain::authz::policy::Policy, by: MembershipId, id: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, "settings.edit", &gatehouse_domain::authz::Target::Organization, now)?;
    let mine: i64 = on!(conn, c => ss::table.filter(ss::id.eq(id)).filter(ss::org_id.eq(org.0)).filter(ss::ended_at.is_null()).count().get_result(c))?;
    if mine == 0 {
        return Err(DbError::NotFound);
    }
    end(conn, id, EndReason::ByOrganization, actor, now).map(|_| ())
}

/// The membership a support session in force acts as, as the session lookup lists memberships.
pub fn acting_membership(conn: &mut Conn<'_>, live: &Live) -> Result<crate::orgs::ActiveMembership, DbError> {
    let org = crate::orgs::get(conn, live.org)?;
    let (authz_version, requires_two_factor): (i64, bool) = on!(conn, c => o::table.find(live.org.0).select((o::authz_version, o::require_two_factor)).first(c))?;
    Ok(crate::orgs::ActiveMembership { org, membership: live.membership, kind: gatehouse_domain::member::MemberKind::External, role_holder_only: true, authz_version, requires_two_factor })
}
