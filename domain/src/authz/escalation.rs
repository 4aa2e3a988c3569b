//! No escalation (DECISIONS.md): nobody grants, assigns or adds an *admin* permission they do not
//! hold at that scope (with at least that visibility); content permissions are handed out by
//! whoever holds `roles.assign` there; nobody changes their own roles or adjustments.
use super::{catalog, check, Adjustment, Role, RoleGrant, RoleScope, Roles, Scope, Subject, Target};
use crate::ids::{MembershipId, UnitId};
use crate::units::UnitTree;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Why a grant, assignment or adjustment is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Refusal {
    /// Nobody changes their own roles, adjustments or organization roles.
    OwnAccess,
    /// The actor lacks the permission needed to make the change at all (`roles.assign`,
    /// `roles.edit`) at that place.
    Missing { permission: String, at: Scope },
    /// The change would hand out an admin permission the actor does not hold there.
    WouldEscalate { permission: String, at: Scope },
    /// A retired role is not assigned any more.
    RetiredRole,
}

fn target_of(at: Scope, member: MembershipId, member_units: &[UnitId]) -> Target {
    match at {
        Scope::Organization => Target::Organization,
        Scope::Unit(u) => Target::Unit(u),
        Scope::Own => Target::Member { id: member, units: member_units.to_vec() },
    }
}

#[allow(clippy::too_many_arguments)]
fn holds(actor: &Subject, permission: &str, at: Scope, grant_visibility: super::Visibility, member: MembershipId, member_units: &[UnitId], roles: &impl Roles, tree: &UnitTree, now: DateTime<Utc>) -> bool {
    let d = check(actor, permission, &target_of(at, member, member_units), roles, tree, now);
    d.allowed && d.visibility.is_some_and(|v| v >= grant_visibility)
}

/// Where a role grant lands once the role is assigned at `anchor`.
pub fn landing(grant: &RoleGrant, anchor: Option<UnitId>) -> Scope {
    match (grant.scope, anchor) {
        (RoleScope::Own, _) => Scope::Own,
        (RoleScope::Unit, Some(u)) => Scope::Unit(u),
        (RoleScope::Unit, None) | (RoleScope::Organization, _) => Scope::Organization,
    }
}

/// May `actor` assign `role` to `member` (placed in `member_units`) at `anchor`?
#[allow(clippy::too_many_arguments)]
pub fn may_assign(actor: &Subject, member: MembershipId, member_units: &[UnitId], role: &Role, anchor: Option<UnitId>, roles: &impl Roles, tree: &UnitTree, now: DateTime<Utc>) -> Result<(), Refusal> {
    may_assign_via(actor, "roles.assign", member, member_units, role, anchor, roles, tree, now)
}

/// [`may_assign`] for a role handed out through `via` — `roles.assign`, or
/// `access_requests.decide` when an approver grants a requested role. The no-escalation rule is
/// the same either way: admin permissions only as far as the approver holds them.
#[allow(clippy::too_many_arguments)]
pub fn may_assign_via(
    actor: &Subject,
    via: &str,
    member: MembershipId,
    member_units: &[UnitId],
    role: &Role,
    anchor: Option<UnitId>,
    roles: &impl Roles,
    tree: &UnitTree,
    now: DateTime<Utc>,
) -> Result<(), Refusal> {
    if actor.membership == member {
        return Err(Refusal::OwnAccess);
    }
    if role.retired {
        return Err(Refusal::RetiredRole);
    }
    let at = anchor.map_or(Scope::Organization, Scope::Unit);
    if !check(actor, via, &target_of(at, member, member_units), roles, tree, now).allowed {
        return Err(Refusal::Missing { permission: via.into(), at });
    }
    for g in role.grants.iter().filter(|g| catalog::is_admin_permission(&g.permission)) {
        let lands = landing(g, anchor);
        if !holds(actor, &g.permission, lands, g.visibility, member, member_units, roles, tree, now) {
            return Err(Refusal::WouldEscalate { permission: g.permission.clone(), at: lands });
        }
    }
    Ok(())
}

/// May `actor` let a rule hand out `role` at `anchor` to whoever it picks (an SSO provider's
/// group mapping)? As [`may_assign`] for any member: `roles.assign` there, and every admin grant
/// held where it lands — for an own-scope grant, for the whole organization, since the rule may
/// pick anyone.
pub fn may_delegate(actor: &Subject, role: &Role, anchor: Option<UnitId>, roles: &impl Roles, tree: &UnitTree, now: DateTime<Utc>) -> Result<(), Refusal> {
    // Nobody real: the rule's future members are not the actor (own access is theirs to refuse
    // at the time, and a mapping never changes the actor's own roles without them signing in).
    let anyone = MembershipId(0);
    may_assign_via(actor, "roles.assign", anyone, &[], role, anchor, roles, tree, now)
}

/// May `actor` remove an assignment of `member` at `anchor`? Taking away never escalates, but it
/// needs `roles.assign` there and is never done to oneself.
pub fn may_unassign(actor: &Subject, member: MembershipId, member_units: &[UnitId], anchor: Option<UnitId>, roles: &impl Roles, tree: &UnitTree, now: DateTime<Utc>) -> Result<(), Refusal> {
    if actor.membership == member {
        return Err(Refusal::OwnAccess);
    }
    let at = anchor.map_or(Scope::Organization, Scope::Unit);
    if !check(actor, "roles.assign", &target_of(at, member, member_units), roles, tree, now).allowed {
        return Err(Refusal::Missing { permission: "roles.assign".into(), at });
    }
    Ok(())
}

/// May `actor` add or withdraw `adjustment` for `member`?
#[allow(clippy::too_many_arguments)]
pub fn may_adjust(actor: &Subject, member: MembershipId, member_units: &[UnitId], adjustment: &Adjustment, roles: &impl Roles, tree: &UnitTree, now: DateTime<Utc>) -> Result<(), Refusal> {
    may_adjust_via(actor, "roles.assign", member, member_units, adjustment, roles, tree, now)
}

/// [`may_adjust`] for an addition handed out through `via` — `roles.assign`, or
/// `access_requests.decide` when an approver grants a requested permission. Admin permissions
/// only as far as the approver holds them, either way.
#[allow(clippy::too_many_arguments)]
pub fn may_adjust_via(actor: &Subject, via: &str, member: MembershipId, member_units: &[UnitId], adjustment: &Adjustment, roles: &impl Roles, tree: &UnitTree, now: DateTime<Utc>) -> Result<(), Refusal> {
    if actor.membership == member {
        return Err(Refusal::OwnAccess);
    }
    match adjustment {
        Adjustment::Withdraw { .. } => {
            if !check(actor, via, &target_of(Scope::Own, member, member_units), roles, tree, now).allowed {
                return Err(Refusal::Missing { permission: via.into(), at: Scope::Own });
            }
        }
        Adjustment::Add { permission, scope, visibility, .. } => {
            if !check(actor, via, &target_of(*scope, member, member_units), roles, tree, now).allowed {
                return Err(Refusal::Missing { permission: via.into(), at: *scope });
            }
            if catalog::is_admin_permission(permission) && !holds(actor, permission, *scope, *visibility, member, member_units, roles, tree, now) {
                return Err(Refusal::WouldEscalate { permission: permission.clone(), at: *scope });
            }
        }
    }
    Ok(())
}

/// May `actor` change a role's grants from `before` to `after`? A role can be assigned anywhere,
/// so every admin grant it gains (or widens) must be held organization-wide with that visibility.
pub fn may_edit_role(actor: &Subject, before: &[RoleGrant], after: &[RoleGrant], roles: &impl Roles, tree: &UnitTree, now: DateTime<Utc>) -> Result<(), Refusal> {
    if !check(actor, "roles.edit", &Target::Organization, roles, tree, now).allowed {
        return Err(Refusal::Missing { permission: "roles.edit".into(), at: Scope::Organization });
    }
    for g in after.iter().filter(|g| catalog::is_admin_permission(&g.permission)) {
        let already = before.iter().any(|b| b.permission == g.permission && scope_rank(b.scope) >= scope_rank(g.scope) && b.visibility >= g.visibility);
        if already {
            continue;
        }
        let d = check(actor, &g.permission, &Target::Organization, roles, tree, now);
        if !(d.allowed && d.visibility.is_some_and(|v| v >= g.visibility)) {
            return Err(Refusal::WouldEscalate { permission: g.permission.clone(), at: Scope::Organization });
        }
    }
    Ok(())
}

fn scope_rank(s: RoleScope) -> u8 {
    match s {
        RoleScope::Own => 0,
        RoleScope::Unit => 1,
        RoleScope::Organization => 2,
    }
}
