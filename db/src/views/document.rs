//! The organization's "Users, roles & responsibilities" document, read from the live
//! configuration when it is asked for: the access rules in force, every role with what it grants
//! and how many hold it, who holds which role where (people; technical users on their own),
//! organization roles, technical users with their keys, and platform support sessions.
use crate::schema::{memberships as m, org_role_holders as oh, organizations as o, platform_staff as ps, role_assignments as ra, support_sessions as ss, technical_users as tu, units as un, users as u};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::authz::RoleGrant;
use gatehouse_domain::ids::OrgId;
use std::collections::HashMap;

/// The access rules the organization has switched on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub require_two_factor: bool,
    pub require_sso: bool,
    pub support_access: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleLine {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub description: String,
    pub grants: Vec<RoleGrant>,
    /// Live assignments of it to people (technical users not counted).
    pub holders: usize,
}

/// One live role assignment of a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub member: i64,
    pub name: String,
    pub kind: String,
    pub role: i64,
    pub unit: Option<String>,
    pub since: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRoleHolding {
    pub name: String,
    pub role: String,
    pub since: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechnicalLine {
    pub name: String,
    pub description: String,
    pub roles: Vec<String>,
    /// Keys in force: (name, scopes, ends, last used).
    pub keys: Vec<(String, Vec<String>, DateTime<Utc>, Option<DateTime<Utc>>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportLine {
    pub staff: String,
    pub reason: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub name: String,
    pub rules: Rules,
    pub roles: Vec<RoleLine>,
    pub holdings: Vec<Holding>,
    pub org_roles: Vec<OrgRoleHolding>,
    pub technical: Vec<TechnicalLine>,
    /// Support sessions of the last 90 days, newest first.
    pub support: Vec<SupportLine>,
    /// Active members (people, not technical users).
    pub members: i64,
    /// Access reviews, newest first: what, when, and what came of them.
    pub reviews: Vec<crate::reviews::CampaignLine>,
    /// The platform's latest reviews of staff permissions (dates and outcome), newest first.
    pub staff_reviews: Vec<crate::staff_reviews::Campaign>,
    /// Policies and trainings in force, with their figures (auditors not counted) and where each
    /// person they ask stands.
    pub trainings: Vec<(crate::acknowledgments::PolicyRow, gatehouse_domain::acknowledgments::Figures, Vec<crate::acknowledgments::Asked>)>,
}

pub fn load(conn: &mut Conn<'_>, org: OrgId, now: DateTime<Utc>) -> Result<Document, DbError> {
    let (name, require_two_factor, require_sso, support_access): (String, bool, bool, bool) =
        on!(conn, c => o::table.find(org.0).select((o::name, o::require_two_factor, o::require_sso, o::support_access)).first(c))?;
    // Memberships that are programs or support sessions, not people.
    let technical_members: Vec<i64> = on!(conn, c => tu::table.inner_join(m::table).filter(m::org_id.eq(org.0)).select(tu::membership_id).load(c))?;
    let support_members: Vec<i64> = on!(conn, c => ss::table.filter(ss::org_id.eq(org.0)).select(ss::membership_id).load(c))?;
    let not_people: std::collections::HashSet<i64> = technical_members.iter().chain(support_members.iter()).copied().collect();

    type HoldRow = (i64, Option<String>, Option<String>, String, i64, Option<String>, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>);
    let rows: Vec<HoldRow> = on!(conn, c => ra::table
        .inner_join(m::table.left_join(u::table))
        .left_join(un::table.on(un::id.nullable().eq(ra::unit_id)))
        .filter(ra::org_id.eq(org.0))
        .filter(m::status.eq("active"))
        .filter(ra::ends_at.is_null().or(ra::ends_at.gt(to_db(now))))
        .order((m::sort_key.asc(), m::id.asc(), ra::id.asc()))
        .select((m::id, u::display_name.nullable(), m::pseudonym, m::member_kind, ra::role_id, un::name.nullable(), ra::created_at, ra::ends_at))
        .load(c))?;
    let mut technical_roles: HashMap<i64, Vec<i64>> = HashMap::new();
    let mut holdings = Vec::new();
    for (member, display, pseudonym, kind, role, unit, since, ends) in rows {
        if technical_members.contains(&member) {
            technical_roles.entry(member).or_default().push(role);
            continue;
        }
        if not_people.contains(&member) {
            continue;
        }
        holdings.push(Holding { member, name: pseudonym.or(display).unwrap_or_default(), kind, role, unit, since: from_db(since), ends_at: ends.map(from_db) });
    }

    let mut roles = Vec::new();
    for r in crate::roles::list(conn, org)?.into_iter().filter(|r| !r.retired) {
        let grants = crate::roles::grants_of(conn, org, r.id)?;
        let holders = holdings.iter().filter(|h| h.role == r.id.0).count();
        roles.push(RoleLine { id: r.id.0, key: r.key, name: r.name, description: r.description, grants, holders });
    }
    let role_name = |id: i64| roles.iter().find(|r| r.id == id).map(|r| r.name.clone()).unwrap_or_default();

    let org_rows: Vec<(i64, Option<String>, Option<String>, String, chrono::NaiveDateTime)> = on!(conn, c => oh::table
        .inner_join(m::table.left_join(u::table))
        .filter(oh::org_id.eq(org.0))
        .filter(m::status.eq("active"))
        .order((oh::role.asc(), m::sort_key.asc()))
        .select((m::id, u::display_name.nullable(), m::pseudonym, oh::role, oh::created_at))
        .load(c))?;
    let org_roles = org_rows
        .into_iter()
        .filter(|(id, ..)| !not_people.contains(id))
        .map(|(_, display, pseudonym, role, since)| OrgRoleHolding { name: pseudonym.or(display).unwrap_or_default(), role, since: from_db(since) })
        .collect();

    let technical = crate::api_keys::list(conn, org)?
        .into_iter()
        .map(|t| TechnicalLine {
            roles: technical_roles.get(&t.membership.0).map(|rs| rs.iter().map(|r| role_name(*r)).collect()).unwrap_or_default(),
            keys: t.keys.into_iter().filter(|k| k.revoked_at.is_none() && k.expires_at > now).map(|k| (k.name, k.scopes, k.expires_at, k.last_used_at)).collect(),
            name: t.name,
            description: t.description,
        })
        .collect();

    let since = now - chrono::Duration::days(90);
    let support_rows: Vec<(String, String, chrono::NaiveDateTime, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> = on!(conn, c => ss::table
        .inner_join(ps::table)
        .filter(ss::org_id.eq(org.0))
        .filter(ss::started_at.ge(to_db(since)))
        .order(ss::started_at.desc())
        .select((ps::display_name, ss::reason, ss::started_at, ss::expires_at, ss::ended_at))
        .load(c))?;
    let support = support_rows
        .into_iter()
        .map(|(staff, reason, started, expires, ended)| {
            let end = ended.map(from_db).unwrap_or_else(|| from_db(expires)).min(from_db(expires));
            SupportLine { staff, reason, started_at: from_db(started), ended_at: end }
        })
        .collect();
    let members = crate::members::count(conn, org)?;
    let reviews = crate::reviews::campaigns(conn, org, None)?;
    let tree = crate::units::tree(conn, org)?;
    let mut trainings = Vec::new();
    for row in crate::acknowledgments::list(conn, org, &tree)?.into_iter().filter(|r| r.retired_at.is_none()) {
        let asked = crate::acknowledgments::standings(conn, org, &tree, &row, now)?;
        trainings.push((row, crate::acknowledgments::tally(&asked), asked));
    }
    let staff_reviews = crate::staff_reviews::campaigns(conn, None, 4)?;
    Ok(Document { name, rules: Rules { require_two_factor, require_sso, support_access }, roles, holdings, org_roles, technical, support, members, reviews, staff_reviews, trainings })
}
