//! Authorization state in the database: the organization's authorization version, loading a
//! [`Policy`] snapshot, a per-process cache keyed by that version, content modules, templates and
//! per-member adjustments.
//!
//! Every change that can alter a decision bumps `organizations.authz_version` in its own
//! transaction ([`bump`]). A change decided against a policy snapshot bumps only if the version
//! is still the snapshot's: otherwise it fails with [`DbError::Outdated`] and the caller decides
//! again on a fresh snapshot — so no change is ever authorized by outdated rules.
use crate::audit::{self, AuditEntry};
use crate::schema::{
    content_actions as ca, content_modules as cm, member_adjustments as ma, memberships as m, org_role_holders as orh, organizations as o,
    role_assignments as ra, role_grants as rg, roles as r,
};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::content::{ContentAction, ContentModule};
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::templates::Template;
use gatehouse_domain::authz::{escalation, Adjustment, Assignment, Denial, Role, RoleGrant, RoleScope, Scope, Subject, Visibility};
use gatehouse_domain::ids::{MembershipId, OrgId, RoleId, UnitId};
use gatehouse_domain::org_role::OrgRole;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The organization's current authorization version.
pub fn version(conn: &mut Conn<'_>, org: OrgId) -> Result<i64, DbError> {
    Ok(on!(conn, c => o::table.find(org.0).select(o::authz_version).get_result::<i64>(c))?)
}

/// Moves the authorization version on. With `expected`, only if it is still that version
/// (the change was decided on that snapshot); otherwise [`DbError::Outdated`].
pub fn bump(conn: &mut Conn<'_>, org: OrgId, expected: Option<i64>) -> Result<i64, DbError> {
    let n = match expected {
        Some(v) => on!(conn, c => diesel::update(o::table.find(org.0).filter(o::authz_version.eq(v)))
            .set(o::authz_version.eq(o::authz_version + 1))
            .execute(c))?,
        None => on!(conn, c => diesel::update(o::table.find(org.0)).set(o::authz_version.eq(o::authz_version + 1)).execute(c))?,
    };
    if n == 0 {
        return Err(DbError::Outdated);
    }
    version(conn, org)
}

fn adjustment_from_row(permission: String, kind: &str, scope: Option<String>, unit: Option<i64>, visibility: Option<String>, ends: Option<NaiveDateTime>) -> Result<Adjustment, DbError> {
    Ok(match kind {
        "withdraw" => Adjustment::Withdraw { permission },
        _ => {
            let scope = match RoleScope::parse(scope.as_deref().unwrap_or_default())? {
                RoleScope::Own => Scope::Own,
                RoleScope::Organization => Scope::Organization,
                RoleScope::Unit => Scope::Unit(UnitId(unit.ok_or(DbError::NotFound)?)),
            };
            Adjustment::Add { permission, scope, visibility: Visibility::parse(visibility.as_deref().unwrap_or_default())?, ends_at: ends.map(from_db) }
        }
    })
}

/// The organization's roles with their grants (retired ones included: they keep history).
pub fn engine_roles(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<Role>, DbError> {
    let rows: Vec<(i64, String, Option<NaiveDateTime>)> =
        on!(conn, c => r::table.filter(r::org_id.eq(org.0)).order(r::id).select((r::id, r::name, r::retired_at)).load(c))?;
    let grants: Vec<(i64, String, String, String)> = on!(conn, c => rg::table
        .inner_join(r::table)
        .filter(r::org_id.eq(org.0))
        .order(rg::id)
        .select((rg::role_id, rg::permission, rg::scope, rg::visibility))
        .load(c))?;
    let mut by_role: HashMap<i64, Vec<RoleGrant>> = HashMap::new();
    for (role, permission, scope, visibility) in grants {
        by_role.entry(role).or_default().push(RoleGrant { permission, scope: RoleScope::parse(&scope)?, visibility: Visibility::parse(&visibility)? });
    }
    Ok(rows
        .into_iter()
        .map(|(id, name, retired)| Role { id: RoleId(id), name, grants: by_role.remove(&id).unwrap_or_default(), retired: retired.is_some() })
        .collect())
}

pub fn modules(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<ContentModule>, DbError> {
    let mods: Vec<(i64, String, String, String)> =
        on!(conn, c => cm::table.filter(cm::org_id.eq(org.0)).order(cm::key).select((cm::id, cm::key, cm::name_en, cm::name_de)).load(c))?;
    let actions: Vec<(i64, String, String, String, bool)> = on!(conn, c => ca::table
        .inner_join(cm::table)
        .filter(cm::org_id.eq(org.0))
        .order(ca::id)
        .select((ca::module_id, ca::key, ca::name_en, ca::name_de, ca::about_people))
        .load(c))?;
    let mut by_module: HashMap<i64, Vec<ContentAction>> = HashMap::new();
    for (module, key, en, de, about_people) in actions {
        by_module.entry(module).or_default().push(ContentAction { key, en, de, about_people });
    }
    Ok(mods.into_iter().map(|(id, key, en, de)| ContentModule { key, en, de, actions: by_module.remove(&id).unwrap_or_default() }).collect())
}

/// Loads the organization's whole authorization state. Only active memberships hold anything.
pub fn load_policy(conn: &mut Conn<'_>, org: OrgId) -> Result<Policy, DbError> {
    let version = version(conn, org)?;
    let roles = engine_roles(conn, org)?;
    let tree = crate::units::tree(conn, org)?;
    let modules = modules(conn, org)?;
    let mut subjects: HashMap<i64, Subject> = HashMap::new();
    let holders: Vec<(i64, String)> = on!(conn, c => orh::table
        .inner_join(m::table)
        .filter(orh::org_id.eq(org.0))
        .filter(m::status.eq("active"))
        .select((orh::membership_id, orh::role))
        .load(c))?;
    for (id, role) in holders {
        entry(&mut subjects, id).org_roles.push(OrgRole::parse(&role)?);
    }
    let assignments: Vec<(i64, i64, Option<i64>, Option<NaiveDateTime>)> = on!(conn, c => ra::table
        .inner_join(m::table)
        .filter(ra::org_id.eq(org.0))
        .filter(m::status.eq("active"))
        .select((ra::membership_id, ra::role_id, ra::unit_id, ra::ends_at))
        .load(c))?;
    for (id, role, unit, ends) in assignments {
        entry(&mut subjects, id).assignments.push(Assignment { role: RoleId(role), anchor: unit.map(UnitId), ends_at: ends.map(from_db) });
    }
    #[allow(clippy::type_complexity)]
    let adjustments: Vec<(i64, String, String, Option<String>, Option<i64>, Option<String>, Option<NaiveDateTime>)> = on!(conn, c => ma::table
        .inner_join(m::table)
        .filter(ma::org_id.eq(org.0))
        .filter(m::status.eq("active"))
        .select((ma::membership_id, ma::permission, ma::kind, ma::scope, ma::unit_id, ma::visibility, ma::ends_at))
        .load(c))?;
    for (id, permission, kind, scope, unit, visibility, ends) in adjustments {
        let adj = adjustment_from_row(permission, &kind, scope, unit, visibility, ends)?;
        entry(&mut subjects, id).adjustments.push(adj);
    }
    Ok(Policy::new(version, roles, tree, modules, subjects.into_values()))
}

fn entry(subjects: &mut HashMap<i64, Subject>, id: i64) -> &mut Subject {
    subjects.entry(id).or_insert_with(|| Subject { membership: MembershipId(id), org_roles: vec![], assignments: vec![], adjustments: vec![] })
}

/// Policy snapshots per organization, reused while the database's version is unchanged. Every
/// lookup reads the version (one indexed row), so a change made by any instance is seen at the
/// next request.
#[derive(Debug, Default)]
pub struct PolicyCache {
    inner: Mutex<HashMap<OrgId, Arc<Policy>>>,
    /// Held while a snapshot loads: requests that miss together (every connection of a fresh
    /// instance, or right after a change) wait for one load instead of each loading it (a
    /// started server loaded the same policy sixteen times, 19 ms each, in its first second).
    loading: Mutex<()>,
}

impl PolicyCache {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, conn: &mut Conn<'_>, org: OrgId) -> Result<Arc<Policy>, DbError> {
        let current = version(conn, org)?;
        if let Some(p) = self.inner.lock().expect("policy cache").get(&org).filter(|p| p.version == current) {
            return Ok(p.clone());
        }
        let _one_load = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(p) = self.inner.lock().expect("policy cache").get(&org).filter(|p| p.version >= current) {
            return Ok(p.clone());
        }
        let fresh = Arc::new(load_policy(conn, org)?);
        let mut map = self.inner.lock().expect("policy cache");
        // Keep the newer of two concurrent loads.
        let keep = match map.get(&org) {
            Some(existing) if existing.version > fresh.version => existing.clone(),
            _ => fresh,
        };
        map.insert(org, keep.clone());
        Ok(keep)
    }

    /// The snapshot this instance holds for `org`, when it is at least `version` (no query): the
    /// version was read moments ago, with the session.
    pub fn at(&self, org: OrgId, version: i64) -> Option<Arc<Policy>> {
        self.inner.lock().expect("policy cache").get(&org).filter(|p| p.version >= version).cloned()
    }

    /// Forgets every snapshot (tests; memory pressure).
    pub fn clear(&self) {
        self.inner.lock().expect("policy cache").clear();
    }
}

/// Declares a content module (or adds actions to an existing one). Returns the module id.
pub fn declare_module(conn: &mut Conn<'_>, org: OrgId, module: &ContentModule, actor: Actor, now: DateTime<Utc>) -> Result<i64, DbError> {
    use gatehouse_domain::authz::content::valid_key;
    if !valid_key(&module.key) || module.actions.iter().any(|a| !valid_key(&a.key)) {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "module", value: module.key.clone() }.into());
    }
    if gatehouse_domain::authz::catalog::ADMIN_PERMISSIONS.iter().any(|p| p.key.split('.').next() == Some(module.key.as_str())) {
        return Err(DbError::Conflict(crate::Conflict::ReservedModule(module.key.clone())));
    }
    let existing: Option<i64> = on!(conn, c => cm::table.filter(cm::org_id.eq(org.0)).filter(cm::key.eq(&module.key)).select(cm::id).first(c).optional())?;
    let id = match existing {
        Some(id) => id,
        None => {
            let values = (
                cm::org_id.eq(org.0),
                cm::key.eq(&module.key),
                cm::name_en.eq(&module.en),
                cm::name_de.eq(&module.de),
                cm::created_at.eq(to_db(now)),
                cm::updated_at.eq(to_db(now)),
                cm::version.eq(1),
                cm::updated_by_kind.eq(actor.kind()),
                cm::updated_by_id.eq(actor.id()),
            );
            on!(conn, c => diesel::insert_into(cm::table).values(values).returning(cm::id).get_result::<i64>(c))?
        }
    };
    let have: Vec<String> = on!(conn, c => ca::table.filter(ca::module_id.eq(id)).select(ca::key).load(c))?;
    let mut added = Vec::new();
    for a in module.actions.iter().filter(|a| !have.contains(&a.key)) {
        let values = (ca::module_id.eq(id), ca::key.eq(&a.key), ca::name_en.eq(&a.en), ca::name_de.eq(&a.de), ca::about_people.eq(a.about_people));
        on!(conn, c => diesel::insert_into(ca::table).values(values).execute(c))?;
        added.push(a.key.clone());
    }
    if existing.is_none() || !added.is_empty() {
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "content_module.declared", "content_module", Some(id)).after(json!({"key": module.key, "actions": added})),
        )?;
        bump(conn, org, None)?;
    }
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TemplateApplied {
    pub modules: usize,
    pub roles_added: Vec<String>,
    pub roles_kept: Vec<String>,
}

/// Applies a template for `by`, decided on `policy`: applying defines roles, so the same rules as
/// defining them by hand (roles.edit, and no admin permission the caller does not hold).
pub fn apply_template_checked(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, t: &Template, actor: Actor, now: DateTime<Utc>) -> Result<TemplateApplied, DbError> {
    for role in &t.roles {
        gatehouse_domain::authz::escalation::may_edit_role(&policy.subject(by), &[], &role.grants, policy, &policy.tree, now)
            .map_err(|e| DbError::Denied(gatehouse_domain::authz::Denial::Escalation(e)))?;
    }
    conn.transaction(|conn| {
        bump(conn, org, Some(policy.version))?;
        apply_template(conn, org, t, actor, now)
    })
}

/// Declares a content module (or adds actions to one) for `by`, decided on `policy`: defining
/// what roles can grant needs roles.edit organization-wide.
pub fn declare_module_checked(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, module: &ContentModule, actor: Actor, now: DateTime<Utc>) -> Result<i64, DbError> {
    policy.require(by, "roles.edit", &gatehouse_domain::authz::Target::Organization, now)?;
    conn.transaction(|conn| {
        bump(conn, org, Some(policy.version))?;
        declare_module(conn, org, module, actor, now)
    })
}

/// Applies a template: declares its modules and creates its roles (a role whose key exists
/// already is left as the organization made it). Runs in the caller's transaction.
pub fn apply_template(conn: &mut Conn<'_>, org: OrgId, t: &Template, actor: Actor, now: DateTime<Utc>) -> Result<TemplateApplied, DbError> {
    for module in &t.modules {
        declare_module(conn, org, module, actor, now)?;
    }
    let mut out = TemplateApplied { modules: t.modules.len(), roles_added: vec![], roles_kept: vec![] };
    for tr in &t.roles {
        let exists: Option<i64> = on!(conn, c => r::table.filter(r::org_id.eq(org.0)).filter(r::key.eq(tr.key)).select(r::id).first(c).optional())?;
        if exists.is_some() {
            out.roles_kept.push(tr.key.to_string());
            continue;
        }
        let id = crate::roles::create(conn, org, tr.key, tr.name, tr.description, actor, now)?;
        on!(conn, c => diesel::update(r::table.find(id.0))
            .set((r::template_key.eq(t.key), r::template_role_key.eq(tr.key), r::requestable.eq(tr.requestable), r::anchor_kind.eq(tr.anchor_kind)))
            .execute(c))?;
        crate::roles::replace_grants(conn, org, id, &tr.grants)?;
        out.roles_added.push(tr.key.to_string());
    }
    on!(conn, c => diesel::update(o::table.find(org.0))
        .set((o::template_key.eq(t.key), o::require_mobile_phone.eq(t.require_mobile_phone)))
        .execute(c))?;
    audit::record(conn, now, &AuditEntry::new(Some(org), actor, "template.applied", "organization", Some(org.0)).after(json!({"template": t.key, "roles_added": out.roles_added})))?;
    bump(conn, org, None)?;
    Ok(out)
}

/// A member's adjustments with their ids (for the member page).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AdjustmentRow {
    pub id: i64,
    pub adjustment: Adjustment,
    pub note: String,
}

pub fn adjustments_of(conn: &mut Conn<'_>, org: OrgId, member: MembershipId) -> Result<Vec<AdjustmentRow>, DbError> {
    #[allow(clippy::type_complexity)]
    let rows: Vec<(i64, String, String, Option<String>, Option<i64>, Option<String>, String, Option<NaiveDateTime>)> = on!(conn, c => ma::table
        .filter(ma::org_id.eq(org.0))
        .filter(ma::membership_id.eq(member.0))
        .order(ma::id)
        .select((ma::id, ma::permission, ma::kind, ma::scope, ma::unit_id, ma::visibility, ma::note, ma::ends_at))
        .load(c))?;
    rows.into_iter()
        .map(|(id, p, k, s, u, v, note, ends)| Ok(AdjustmentRow { id, adjustment: adjustment_from_row(p, &k, s, u, v, ends)?, note }))
        .collect()
}

/// The member's units (where a member target sits), checking they belong to `org`.
pub fn member_units(conn: &mut Conn<'_>, org: OrgId, member: MembershipId) -> Result<Vec<UnitId>, DbError> {
    use crate::schema::membership_units as mu;
    let found: Option<i64> = on!(conn, c => m::table.filter(m::id.eq(member.0)).filter(m::org_id.eq(org.0)).select(m::id).first(c).optional())?;
    found.ok_or(DbError::NotFound)?;
    let units: Vec<i64> = on!(conn, c => mu::table.filter(mu::membership_id.eq(member.0)).select(mu::unit_id).load(c))?;
    Ok(units.into_iter().map(UnitId).collect())
}

/// Adds or withdraws one permission for one member, decided on `policy` for the caller `by`.
#[allow(clippy::too_many_arguments)]
pub fn adjust(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    member: MembershipId,
    adjustment: &Adjustment,
    note: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    adjust_via(conn, org, policy, by, "roles.assign", Some(policy.version), member, adjustment, note, actor, now)
}

/// [`adjust`] handed out through `via` (`roles.assign`, or `access_requests.decide` when an
/// approver grants a requested permission); `expected`: the authorization version the change
/// was decided on (None when the caller has already moved it on in this transaction).
#[allow(clippy::too_many_arguments)]
pub(crate) fn adjust_via(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    via: &str,
    expected: Option<i64>,
    member: MembershipId,
    adjustment: &Adjustment,
    note: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    conn.transaction(|conn| {
        if crate::support::is_support_membership(conn, member)? {
            return Err(DbError::Conflict(crate::Conflict::SupportMembership));
        }
        let units = member_units(conn, org, member)?;
        let permission = match adjustment {
            Adjustment::Add { permission, .. } | Adjustment::Withdraw { permission } => permission,
        };
        if !policy.knows(permission) {
            return Err(DbError::Denied(Denial::UnknownPermission(permission.clone())));
        }
        if let Adjustment::Add { scope: Scope::Unit(u), .. } = adjustment {
            policy.tree.get(*u).ok_or(DbError::NotFound)?;
        }
        escalation::may_adjust_via(&policy.subject(by), via, member, &units, adjustment, policy, &policy.tree, now).map_err(|e| DbError::Denied(Denial::Escalation(e)))?;
        if let Adjustment::Add { ends_at: Some(e), .. } = adjustment {
            if *e <= now {
                return Err(gatehouse_domain::DomainError::InvalidValue { field: "ends_at", value: e.to_rfc3339() }.into());
            }
        }
        bump(conn, org, expected)?;
        let ends_at = match adjustment {
            Adjustment::Add { ends_at, .. } => *ends_at,
            Adjustment::Withdraw { .. } => None,
        };
        let (kind, scope, unit, visibility) = match adjustment {
            Adjustment::Withdraw { .. } => ("withdraw", None, None, None),
            Adjustment::Add { scope, visibility, .. } => {
                let (s, u) = match scope {
                    Scope::Own => (RoleScope::Own, None),
                    Scope::Unit(u) => (RoleScope::Unit, Some(u.0)),
                    Scope::Organization => (RoleScope::Organization, None),
                };
                ("add", Some(s.as_str()), u, Some(visibility.as_str()))
            }
        };
        let values = (
            ma::org_id.eq(org.0),
            ma::membership_id.eq(member.0),
            ma::permission.eq(permission),
            ma::kind.eq(kind),
            ma::scope.eq(scope),
            ma::unit_id.eq(unit),
            ma::visibility.eq(visibility),
            ma::note.eq(note.trim()),
            ma::ends_at.eq(ends_at.map(to_db)),
            ma::created_at.eq(to_db(now)),
            ma::updated_at.eq(to_db(now)),
            ma::version.eq(1),
            ma::updated_by_kind.eq(actor.kind()),
            ma::updated_by_id.eq(actor.id()),
        );
        let id = on!(conn, c => diesel::insert_into(ma::table).values(values).returning(ma::id).get_result::<i64>(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "permission.adjusted", "membership", Some(member.0))
                .unit(unit.map(UnitId))
                .after(json!({"kind": kind, "permission": permission, "scope": scope, "unit": unit, "visibility": visibility, "note": note.trim(), "ends_at": ends_at})),
        )?;
        Ok(id)
    })
}

/// Removes one of `member`'s adjustments (undoing an addition or a withdrawal); another
/// member's is `NotFound`.
#[allow(clippy::too_many_arguments)]
pub fn remove_adjustment(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, member: MembershipId, id: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let row: (i64, String, String, Option<String>, Option<i64>, Option<String>) = on!(conn, c => ma::table
            .filter(ma::id.eq(id))
            .filter(ma::org_id.eq(org.0))
            .filter(ma::membership_id.eq(member.0))
            .select((ma::membership_id, ma::permission, ma::kind, ma::scope, ma::unit_id, ma::visibility))
            .first(c))?;
        let member = MembershipId(row.0);
        let units = member_units(conn, org, member)?;
        let at = row.4.map(UnitId);
        escalation::may_unassign(&policy.subject(by), member, &units, at, policy, &policy.tree, now).map_err(|e| DbError::Denied(Denial::Escalation(e)))?;
        bump(conn, org, Some(policy.version))?;
        crate::requests::grant_removed(conn, org, Some(("permission", id)), None, Some(by), crate::requests::RevokedFrom::MemberPage, actor, now)?;
        on!(conn, c => diesel::delete(ma::table.find(id)).execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "permission.adjustment_removed", "membership", Some(member.0))
                .unit(at)
                .before(json!({"kind": row.2, "permission": row.1, "scope": row.3, "unit": row.4, "visibility": row.5})),
        )?;
        Ok(())
    })
}
