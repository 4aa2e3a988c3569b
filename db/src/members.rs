//! Memberships: a user's place in one organization, with its kind, status, units, tags and
//! organization roles. Inside an organization everything refers to the membership.
use crate::audit::{self, AuditEntry};
use crate::schema::{membership_tags as mt, membership_units as mu, memberships as m, org_role_holders as orh, units as un};
use crate::{on, to_db, Conn, DbError};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{MembershipId, OrgId, TagId, UnitId, UserId};
use gatehouse_domain::member::{MemberKind, MemberStatus};
use gatehouse_domain::org_role::OrgRole;
use gatehouse_domain::validate;
use serde_json::json;

#[derive(Debug, Clone)]
pub struct NewMember<'a> {
    pub org: OrgId,
    pub user: UserId,
    pub kind: MemberKind,
    pub status: MemberStatus,
    pub mobile_phone: Option<&'a str>,
    pub job_title: Option<&'a str>,
    pub end_date: Option<NaiveDate>,
    pub role_holder_only: bool,
    pub units: &'a [UnitId],
    pub tags: &'a [TagId],
}

impl<'a> NewMember<'a> {
    /// An active member of `org` in `units` with nothing else set (no phone, job title, end date
    /// or tags); the rest with struct update syntax: `NewMember { job_title, ..NewMember::active(…) }`.
    pub fn active(org: OrgId, user: UserId, kind: MemberKind, units: &'a [UnitId]) -> NewMember<'a> {
        NewMember { org, user, kind, status: MemberStatus::Active, mobile_phone: None, job_title: None, end_date: None, role_holder_only: false, units, tags: &[] }
    }
}

pub fn add(conn: &mut Conn<'_>, new: &NewMember<'_>, actor: Actor, now: DateTime<Utc>) -> Result<MembershipId, DbError> {
    let phone = new.mobile_phone.map(validate::normalize_e164).transpose()?;
    // Units must be the organization's own.
    if !new.units.is_empty() {
        let ids: Vec<i64> = new.units.iter().map(|u| u.0).collect();
        let n: i64 =
            on!(conn, c => un::table.filter(un::org_id.eq(new.org.0)).filter(un::id.eq_any(&ids)).count().get_result(c))?;
        if n as usize != ids.len() {
            return Err(DbError::NotFound);
        }
    }
    let joined = (new.status == MemberStatus::Active).then(|| to_db(now));
    // The list's keys go in with the row (no second write): from the person's name and address.
    let (name, email): (String, String) = {
        use crate::schema::users as u;
        on!(conn, c => u::table.find(new.user.0).select((u::display_name, u::email)).first(c).optional())?.ok_or(DbError::NotFound)?
    };
    let keys = (
        m::sort_key.eq(Some(gatehouse_domain::members_query::sort_key(Some(&name), None))),
        m::search_key.eq(Some(gatehouse_domain::members_query::search_key(Some(&name), Some(&email), None))),
    );
    let values = (
        m::org_id.eq(new.org.0),
        m::user_id.eq(Some(new.user.0)),
        m::status.eq(new.status.as_str()),
        m::member_kind.eq(new.kind.as_str()),
        m::mobile_phone.eq(phone.as_deref()),
        m::job_title.eq(new.job_title),
        m::end_date.eq(new.end_date),
        m::role_holder_only.eq(new.role_holder_only),
        m::joined_at.eq(joined),
        m::created_at.eq(to_db(now)),
        m::updated_at.eq(to_db(now)),
        m::version.eq(1),
        m::updated_by_kind.eq(actor.kind()),
        m::updated_by_id.eq(actor.id()),
        keys,
    );
    let id = on!(conn, c => diesel::insert_into(m::table).values(values).returning(m::id).get_result::<i64>(c))
        .map_err(|e| match DbError::from(e) {
            DbError::Conflict(_) => DbError::Conflict(crate::Conflict::AlreadyMember),
            other => other,
        })?;
    for u in new.units {
        on!(conn, c => diesel::insert_into(mu::table).values((mu::membership_id.eq(id), mu::unit_id.eq(u.0))).execute(c))?;
    }
    for t in new.tags {
        on!(conn, c => diesel::insert_into(mt::table).values((mt::membership_id.eq(id), mt::tag_id.eq(t.0))).execute(c))?;
    }
    audit::record(
        conn,
        now,
        &AuditEntry::new(Some(new.org), actor, "member.added", "membership", Some(id)).unit(new.units.first().copied()).after(json!({
            "kind": new.kind.as_str(),
            "status": new.status.as_str(),
            "units": new.units.iter().map(|u| u.0).collect::<Vec<_>>(),
            "tags": new.tags.iter().map(|t| t.0).collect::<Vec<_>>(),
            "role_holder_only": new.role_holder_only,
        })),
    )?;
    Ok(MembershipId(id))
}

pub fn grant_org_role(
    conn: &mut Conn<'_>,
    org: OrgId,
    member: MembershipId,
    role: OrgRole,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let same_org: i64 = on!(conn, c => m::table.filter(m::id.eq(member.0)).filter(m::org_id.eq(org.0)).count().get_result(c))?;
    if same_org == 0 {
        return Err(DbError::NotFound);
    }
    let values = (
        orh::org_id.eq(org.0),
        orh::membership_id.eq(member.0),
        orh::role.eq(role.as_str()),
        orh::created_at.eq(to_db(now)),
        orh::updated_at.eq(to_db(now)),
        orh::version.eq(1),
        orh::updated_by_kind.eq(actor.kind()),
        orh::updated_by_id.eq(actor.id()),
    );
    on!(conn, c => diesel::insert_into(orh::table).values(values).execute(c))?;
    audit::record(
        conn,
        now,
        &AuditEntry::new(Some(org), actor, "org_role.granted", "membership", Some(member.0)).after(json!({"role": role.as_str()})),
    )?;
    crate::authz::bump(conn, org, None)?;
    Ok(())
}

/// The membership of the person with this email in `org`, if any.
pub fn by_email(conn: &mut Conn<'_>, org: OrgId, email: &str) -> Result<Option<MembershipId>, DbError> {
    use crate::schema::users as u;
    let id: Option<i64> = on!(conn, c => m::table
        .inner_join(u::table)
        .filter(m::org_id.eq(org.0))
        .filter(u::email.eq(email.trim().to_lowercase()))
        .select(m::id)
        .first(c)
        .optional())?;
    Ok(id.map(MembershipId))
}

/// Appoints or removes an organization role for the person with `email`. Someone with an
/// identity but no membership here may still hold any organization role but owner: they get a
/// "role holder only" membership (DECISIONS.md), never listed or counted as a member.
#[allow(clippy::too_many_arguments)]
pub fn change_org_role_by_email(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy_version: i64,
    by: MembershipId,
    email: &str,
    role: OrgRole,
    change: gatehouse_domain::org_role::Change,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Vec<(MembershipId, OrgRole)>, DbError> {
    use gatehouse_domain::authz::Denial;
    use gatehouse_domain::org_role::{AppointRefusal, Change};
    conn.transaction(|conn| {
        let target = match by_email(conn, org, email)? {
            Some(m) => m,
            None => {
                let user = crate::users::find_by_email(conn, email)?.ok_or(DbError::NotFound)?;
                if role == OrgRole::Owner {
                    return Err(DbError::Denied(Denial::Appointment(AppointRefusal::OwnerMustBeMember)));
                }
                if change == Change::Remove {
                    return Err(DbError::Denied(Denial::Appointment(AppointRefusal::NotHeld)));
                }
                // Decide before creating anything: the appointer's rights do not depend on the target.
                let holders = org_role_holders(conn, org)?;
                gatehouse_domain::org_role::may_appoint(by, MembershipId(-1), false, role, change, &holders)
                    .map_err(|e| DbError::Denied(Denial::Appointment(e)))?;
                add(
                    conn,
                    &NewMember {
                        org,
                        user: user.id,
                        kind: MemberKind::External,
                        status: MemberStatus::Active,
                        mobile_phone: None,
                        job_title: None,
                        end_date: None,
                        role_holder_only: true,
                        units: &[],
                        tags: &[],
                    },
                    actor,
                    now,
                )?
            }
        };
        change_org_role(conn, org, policy_version, by, target, role, change, actor, now)
    })
}

/// A person mail goes to: address, language, name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub membership: MembershipId,
    pub email: String,
    pub locale: gatehouse_domain::locale::Locale,
    pub name: String,
}

/// The recipients of organization mail for `audience` (DECISIONS.md "Mail routing").
pub fn mail_recipients(conn: &mut Conn<'_>, org: OrgId, audience: gatehouse_domain::org_role::Audience) -> Result<Vec<Recipient>, DbError> {
    use crate::schema::users as u;
    let ids = gatehouse_domain::org_role::recipients(audience, &org_role_holders(conn, org)?);
    let raw: Vec<i64> = ids.iter().map(|m| m.0).collect();
    let rows: Vec<(i64, String, String, String)> = on!(conn, c => m::table
        .inner_join(u::table)
        .filter(m::id.eq_any(&raw))
        .filter(m::org_id.eq(org.0))
        .order(m::id)
        .select((m::id, u::email, u::locale, u::display_name))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, email, locale, name)| Recipient { membership: MembershipId(id), email, locale: gatehouse_domain::locale::Locale::parse(&locale).unwrap_or_default(), name })
        .collect())
}

/// The organization's organization-role holders (active memberships).
pub fn org_role_holders(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<(MembershipId, OrgRole)>, DbError> {
    let rows: Vec<(i64, String)> = on!(conn, c => orh::table
        .inner_join(m::table)
        .filter(orh::org_id.eq(org.0))
        .filter(m::status.eq("active"))
        .order((orh::role, orh::membership_id))
        .select((orh::membership_id, orh::role))
        .load(c))?;
    rows.into_iter().map(|(m, r)| Ok((MembershipId(m), OrgRole::parse(&r)?))).collect()
}

fn drop_org_role(conn: &mut Conn<'_>, org: OrgId, member: MembershipId, role: OrgRole, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    on!(conn, c => diesel::delete(orh::table.filter(orh::org_id.eq(org.0)).filter(orh::membership_id.eq(member.0)).filter(orh::role.eq(role.as_str()))).execute(c))?;
    audit::record(conn, now, &AuditEntry::new(Some(org), actor, "org_role.removed", "membership", Some(member.0)).before(json!({"role": role.as_str()})))?;
    Ok(())
}

/// Removes an organization role without an appointer (the background user applying an access
/// review's no-response rule); the policy is loaded again.
pub fn remove_org_role_as(conn: &mut Conn<'_>, org: OrgId, member: MembershipId, role: OrgRole, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    drop_org_role(conn, org, member, role, actor, now)?;
    crate::authz::bump(conn, org, None)?;
    Ok(())
}

/// Appoints or removes an organization role by the appointment rules (seed organization-roles),
/// decided for the caller `by` on the current holders. Returns the roles that went with it.
#[allow(clippy::too_many_arguments)]
pub fn change_org_role(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy_version: i64,
    by: MembershipId,
    target: MembershipId,
    role: OrgRole,
    change: gatehouse_domain::org_role::Change,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Vec<(MembershipId, OrgRole)>, DbError> {
    use gatehouse_domain::authz::Denial;
    use gatehouse_domain::org_role::{may_appoint, Change};
    conn.transaction(|conn| {
        if crate::support::is_support_membership(conn, target)? {
            return Err(DbError::Conflict(crate::Conflict::SupportMembership));
        }
        let row: Option<(String, bool)> = on!(conn, c => m::table
            .filter(m::id.eq(target.0))
            .filter(m::org_id.eq(org.0))
            .select((m::status, m::role_holder_only))
            .first(c)
            .optional())?;
        let (status, holder_only) = row.ok_or(DbError::NotFound)?;
        if status != "active" {
            return Err(DbError::NotFound);
        }
        let holders = org_role_holders(conn, org)?;
        let consequences = may_appoint(by, target, !holder_only, role, change, &holders).map_err(|e| DbError::Denied(Denial::Appointment(e)))?;
        crate::authz::bump(conn, org, Some(policy_version))?;
        for (m, r) in &consequences.also_removed {
            drop_org_role(conn, org, *m, *r, actor, now)?;
        }
        match change {
            Change::Appoint => grant_org_role(conn, org, target, role, actor, now)?,
            Change::Remove => drop_org_role(conn, org, target, role, actor, now)?,
        }
        Ok(consequences.also_removed)
    })
}

/// The organization roles `member` holds in `org`.
pub fn org_roles(conn: &mut Conn<'_>, org: OrgId, member: MembershipId) -> Result<Vec<OrgRole>, DbError> {
    let rows: Vec<String> = on!(conn, c => orh::table
        .inner_join(m::table)
        .filter(m::org_id.eq(org.0))
        .filter(orh::membership_id.eq(member.0))
        .select(orh::role)
        .load(c))?;
    let mut roles: Vec<OrgRole> = rows.iter().filter_map(|r| OrgRole::parse(r).ok()).collect();
    roles.sort();
    Ok(roles)
}

/// What the portal needs to know about the signed-in person inside one organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipCtx {
    pub id: MembershipId,
    pub org: OrgId,
    pub status: MemberStatus,
    pub kind: MemberKind,
    pub role_holder_only: bool,
    pub org_roles: Vec<OrgRole>,
}

/// The person's active membership in the organization, or None (never a hint that the
/// organization exists).
pub fn active_membership(conn: &mut Conn<'_>, user: UserId, org: OrgId) -> Result<Option<MembershipCtx>, DbError> {
    let row: Option<(i64, String, String, bool)> = on!(conn, c => m::table
        .filter(m::user_id.eq(user.0))
        .filter(m::org_id.eq(org.0))
        .filter(m::status.eq(MemberStatus::Active.as_str()))
        .select((m::id, m::status, m::member_kind, m::role_holder_only))
        .first(c)
        .optional())?;
    let Some((id, status, kind, role_holder_only)) = row else { return Ok(None) };
    let id = MembershipId(id);
    Ok(Some(MembershipCtx {
        id,
        org,
        status: MemberStatus::parse(&status)?,
        kind: MemberKind::parse(&kind)?,
        role_holder_only,
        org_roles: org_roles(conn, org, id)?,
    }))
}

pub fn count(conn: &mut Conn<'_>, org: OrgId) -> Result<i64, DbError> {
    Ok(on!(conn, c => m::table.filter(m::org_id.eq(org.0)).filter(m::role_holder_only.eq(false)).count().get_result(c))?)
}

/// Whom to ask for access (seed organization-roles): the main owner when one is set, otherwise
/// the owner and the co-owners.
pub fn owner_contacts(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<String>, DbError> {
    let mut names: Vec<String> = mail_recipients(conn, org, gatehouse_domain::org_role::Audience::Owners)?.into_iter().map(|r| r.name).collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// Whose list keys to compute again.
#[derive(Debug, Clone, Copy)]
pub enum KeysOf {
    Membership(i64),
    /// Every membership of a user (their name or address changed).
    User(UserId),
    /// Memberships without keys yet (rows from before the keys existed), at most this many.
    Missing(i64),
}

/// Computes the members list's sort and search keys ([`gatehouse_domain::members_query::fold`])
/// from the membership's current name, address and pseudonym. Called by every change of those;
/// returns how many memberships were updated.
pub fn refresh_list_keys(conn: &mut Conn<'_>, of: KeysOf) -> Result<usize, DbError> {
    use crate::schema::users as u;
    use gatehouse_domain::members_query::{search_key, sort_key};
    type Row = (i64, Option<String>, Option<String>, Option<String>);
    let base = m::table.left_join(u::table).select((m::id, u::display_name.nullable(), u::email.nullable(), m::pseudonym));
    let rows: Vec<Row> = match of {
        KeysOf::Membership(id) => on!(conn, c => base.filter(m::id.eq(id)).load(c))?,
        KeysOf::User(user) => on!(conn, c => base.filter(m::user_id.eq(user.0)).load(c))?,
        KeysOf::Missing(n) => on!(conn, c => base.filter(m::sort_key.is_null()).order(m::id.asc()).limit(n).load(c))?,
    };
    for (id, name, email, pseudonym) in &rows {
        let keys = (
            m::sort_key.eq(Some(sort_key(name.as_deref(), pseudonym.as_deref()))),
            m::search_key.eq(Some(search_key(name.as_deref(), email.as_deref(), pseudonym.as_deref()))),
        );
        on!(conn, c => diesel::update(m::table.find(*id)).set(keys).execute(c))?;
    }
    Ok(rows.len())
}

/// Gives every membership without list keys its keys, a thousand per transaction (after the
/// migration that added them; a no-op afterwards). Returns how many were filled.
pub fn fill_list_keys(db: &crate::Db) -> Result<usize, DbError> {
    let mut total = 0;
    loop {
        let n = db.tx(|c| refresh_list_keys(c, KeysOf::Missing(1000)))?;
        total += n;
        if n < 1000 {
            return Ok(total);
        }
    }
}
