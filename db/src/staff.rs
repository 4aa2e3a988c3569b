//! Platform staff (seed roles-responsibilities-isms: sysadmin, developer, member of management,
//! customer success). A staff member signs in as a person like anyone (the same sessions,
//! throttle and two-factor sign-in — which is mandatory for them); the `platform_staff` row with
//! the same address gives them their staff role.
use crate::audit::{self, AuditEntry};
use crate::schema::{memberships as m, organizations as o, platform_staff as ps};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{StaffId, UserId};
use gatehouse_domain::locale::Locale;
use gatehouse_domain::staff::StaffRole;
use serde_json::json;

/// Adds (or changes the role of) a staff member, with a person to sign in as (created when the
/// address has none yet, with `password_hash`). From the command line: audited as the system.
pub fn ensure(conn: &mut Conn<'_>, email: &str, name: &str, role: StaffRole, password_hash: Option<&str>, now: DateTime<Utc>) -> Result<(UserId, StaffId), DbError> {
    let email = gatehouse_domain::validate::normalize_email(email)?;
    conn.transaction(|conn| {
        let user = match crate::users::find_by_email(conn, &email)? {
            Some(u) => u.id,
            None => crate::users::create(
                conn,
                &crate::users::NewUser { email: &email, display_name: name.trim(), locale: Locale::default(), password_hash, is_system: false },
                Actor::System,
                now,
            )?,
        };
        let existing: Option<i64> = on!(conn, c => ps::table.filter(ps::email.eq(&email)).select(ps::id).first(c).optional())?;
        let id = match existing {
            Some(id) => {
                on!(conn, c => diesel::update(ps::table.find(id)).set((ps::staff_role.eq(role.as_str()), ps::updated_at.eq(to_db(now)), ps::version.eq(ps::version + 1))).execute(c))?;
                id
            }
            None => on!(conn, c => diesel::insert_into(ps::table)
                .values((
                    ps::email.eq(&email),
                    ps::display_name.eq(name.trim()),
                    ps::staff_role.eq(role.as_str()),
                    ps::created_at.eq(to_db(now)),
                    ps::updated_at.eq(to_db(now)),
                    ps::version.eq(1),
                    ps::updated_by_kind.eq(Actor::System.kind()),
                ))
                .returning(ps::id)
                .get_result(c))?,
        };
        audit::record(conn, now, &AuditEntry::new(None, Actor::System, "staff.role_set", "staff", Some(id)).after(json!({ "role": role.as_str() })))?;
        Ok((user, StaffId(id)))
    })
}

/// The staff role of the person with this address, if they are staff.
pub fn of_email(conn: &mut Conn<'_>, email: &str) -> Result<Option<(StaffId, StaffRole)>, DbError> {
    let row: Option<(i64, String)> = on!(conn, c => ps::table.filter(ps::email.eq(email.trim().to_lowercase())).select((ps::id, ps::staff_role)).first(c).optional())?;
    Ok(row.and_then(|(id, r)| StaffRole::parse(&r).map(|r| (StaffId(id), r))))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgLine {
    pub slug: String,
    pub name: String,
    pub active_members: i64,
    pub created_at: DateTime<Utc>,
    /// The organization lets support sign in as an administrator.
    pub support_access: bool,
    /// When its scheduled deletion is due.
    pub deletion_due: Option<DateTime<Utc>>,
}

/// Every organization of the platform with its count of active members (not role holders only
/// or technical users), by name.
pub fn organizations(conn: &mut Conn<'_>) -> Result<Vec<OrgLine>, DbError> {
    #[allow(clippy::type_complexity)]
    let orgs: Vec<(i64, String, String, chrono::NaiveDateTime, bool, Option<chrono::NaiveDateTime>)> =
        on!(conn, c => o::table.order((o::name.asc(), o::id.asc())).select((o::id, o::slug, o::name, o::created_at, o::support_access, o::deletion_due_at)).load(c))?;
    let counts: Vec<(i64, i64)> = on!(conn, c => m::table
        .filter(m::status.eq("active"))
        .filter(m::role_holder_only.eq(false))
        .group_by(m::org_id)
        .select((m::org_id, diesel::dsl::count_star()))
        .load(c))?;
    let counts: std::collections::HashMap<i64, i64> = counts.into_iter().collect();
    Ok(orgs
        .into_iter()
        .map(|(id, slug, name, created, support_access, deletion)| OrgLine {
            slug,
            name,
            active_members: counts.get(&id).copied().unwrap_or(0),
            created_at: from_db(created),
            support_access,
            deletion_due: deletion.map(from_db),
        })
        .collect())
}

/// Recovers an organization whose owner left (staff-assisted, seed isms: staff assign users'
/// roles): ownership is handed to the active member with `new_owner_email` — the previous owner
/// steps down, as in any hand-over — for the reason given, audited as the staff member; the
/// co-owners, the administrators and both owners are told by mail. Returns the new owner.
#[allow(clippy::too_many_arguments)]
pub fn recover_owner(conn: &mut Conn<'_>, org: gatehouse_domain::ids::OrgId, staff: StaffId, new_owner_email: &str, reason: &str, public_url: &str, now: DateTime<Utc>) -> Result<gatehouse_domain::ids::MembershipId, DbError> {
    use crate::schema::org_role_holders as orh;
    use gatehouse_domain::org_role::{Audience, OrgRole};
    let reason = reason.trim();
    if reason.chars().count() < 3 || reason.chars().count() > 500 {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "reason", value: if reason.is_empty() { String::new() } else { reason.chars().take(80).collect() } }.into());
    }
    conn.transaction(|conn| {
        let Some(member) = crate::members::by_email(conn, org, new_owner_email)? else {
            return Err(gatehouse_domain::DomainError::InvalidValue { field: "email", value: new_owner_email.trim().to_string() }.into());
        };
        let (status, role_holder_only): (String, bool) = on!(conn, c => m::table.find(member.0).select((m::status, m::role_holder_only)).first(c))?;
        if status != "active" || role_holder_only {
            return Err(DbError::Conflict(crate::Conflict::OwnerMustBeActiveMember));
        }
        let previous: Vec<i64> = on!(conn, c => orh::table.filter(orh::org_id.eq(org.0)).filter(orh::role.eq(OrgRole::Owner.as_str())).select(orh::membership_id).load(c))?;
        if previous.contains(&member.0) {
            return Err(DbError::Conflict(crate::Conflict::AlreadyOwner));
        }
        // Told: co-owners and administrators, the previous owners and the new one.
        let mut to = crate::members::mail_recipients(conn, org, Audience::Role(OrgRole::CoOwner))?;
        to.extend(crate::members::mail_recipients(conn, org, Audience::Administrators)?);
        to.extend(crate::members::mail_recipients(conn, org, Audience::Owners)?);
        let actor = Actor::Staff { staff };
        on!(conn, c => diesel::delete(orh::table.filter(orh::org_id.eq(org.0)).filter(orh::role.eq(OrgRole::Owner.as_str()))).execute(c))?;
        crate::members::grant_org_role(conn, org, member, OrgRole::Owner, actor, now)?;
        to.extend(crate::members::mail_recipients(conn, org, Audience::Owners)?);
        let staff_name: String = on!(conn, c => ps::table.find(staff.0).select(ps::display_name).first(c))?;
        let new_owner: String = {
            use crate::schema::users as u;
            on!(conn, c => m::table.inner_join(u::table).filter(m::id.eq(member.0)).select(u::display_name).first(c))?
        };
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "organization.owner_recovered", "membership", Some(member.0)).before(json!({"owners": previous})).after(json!({"owner": member.0, "reason": reason, "staff": staff_name})),
        )?;
        let settings = crate::orgs::settings(conn, org)?;
        let link = format!("{}/o/{}/org-roles", public_url.trim_end_matches('/'), settings.slug);
        let mut seen = std::collections::HashSet::new();
        for p in to.into_iter().filter(|p| seen.insert(p.email.clone())) {
            let mail = gatehouse_mail::Mail::OwnerRecovered { name: p.name.clone(), staff: staff_name.clone(), org: settings.name.clone(), new_owner: new_owner.clone(), reason: reason.to_string(), link: link.clone() };
            let r = gatehouse_mail::render(&mail, p.locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
            crate::outbox::enqueue(conn, &crate::outbox::NewMail { org: Some(org), to: &p.email, locale: p.locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html }, actor, now)?;
        }
        Ok(member)
    })
}

