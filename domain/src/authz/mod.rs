//! The authorization engine: plain functions over plain data (no I/O). It answers "may this
//! member do `module.action` here?" with a [`Decision`] that carries its reasons, so the same
//! call serves enforcement and "why?".
//!
//! How grants combine (DECISIONS.md): owners and co-owners hold everything; administrators hold
//! the admin permissions (bar those the seeds reserve) and no content; otherwise role grants (at
//! the assignment's unit subtree, the member themself, or the whole organization) plus per-member
//! additions, minus per-member withdrawals — a withdrawal beats every role grant. An expired
//! assignment stops granting at its end time, checked here, at decision time.

pub mod catalog;
pub mod content;
pub mod escalation;
pub mod policy;
pub mod templates;

use crate::ids::{MembershipId, RoleId, UnitId};
use crate::org_role::OrgRole;
use crate::units::UnitTree;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a role grant applies, relative to the assignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoleScope {
    /// Only things of the member themself (their own record, items they created or own).
    Own,
    /// The assignment's anchor unit and every unit below it.
    Unit,
    /// The whole organization.
    Organization,
}

impl RoleScope {
    pub const ALL: [RoleScope; 3] = [RoleScope::Own, RoleScope::Unit, RoleScope::Organization];

    pub fn as_str(self) -> &'static str {
        match self {
            RoleScope::Own => "own",
            RoleScope::Unit => "unit",
            RoleScope::Organization => "organization",
        }
    }

    pub fn parse(s: &str) -> Result<Self, crate::DomainError> {
        Self::ALL.into_iter().find(|v| v.as_str() == s).ok_or_else(|| crate::DomainError::InvalidValue { field: "scope", value: s.to_string() })
    }
}

/// Aggregate-only (counts, statistics) or individual (named people's data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Visibility {
    Aggregate,
    Individual,
}

impl Visibility {
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Aggregate => "aggregate",
            Visibility::Individual => "individual",
        }
    }

    pub fn parse(s: &str) -> Result<Self, crate::DomainError> {
        [Visibility::Aggregate, Visibility::Individual]
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| crate::DomainError::InvalidValue { field: "visibility", value: s.to_string() })
    }
}

/// Why a change was refused by the authorization rules, for the caller to put into words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Denial {
    /// The caller lacks `permission` for this; `reasons` is the engine's explanation.
    NotPermitted { permission: String, reasons: Vec<Reason> },
    Escalation(escalation::Refusal),
    Appointment(crate::org_role::AppointRefusal),
    Owner(content::OwnerRefusal),
    /// A role still assigned cannot be retired without ending its assignments.
    RoleInUse { assignments: i64 },
    /// The role is meant for units of this kind (seed isms: team / division / company users).
    AnchorKind { expected: String },
    /// The permission is neither in the admin catalog nor declared by the organization.
    UnknownPermission(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleGrant {
    pub permission: String,
    pub scope: RoleScope,
    pub visibility: Visibility,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    pub id: RoleId,
    pub name: String,
    pub grants: Vec<RoleGrant>,
    pub retired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub role: RoleId,
    /// Required for unit-scoped grants; `None` anchors the assignment at the organization.
    pub anchor: Option<UnitId>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// A scope given explicitly (per-member additions).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Scope {
    Own,
    Unit(UnitId),
    Organization,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Adjustment {
    /// A personal addition; with an end, it stops granting at that time (checked at decision
    /// time, like an assignment's end).
    Add {
        permission: String,
        scope: Scope,
        visibility: Visibility,
        #[serde(default)]
        ends_at: Option<DateTime<Utc>>,
    },
    Withdraw { permission: String },
}

impl Adjustment {
    /// The member page's "adjust" form: `kind` withdraw, or an addition at `scope` own, unit
    /// (then `unit` is the unit's id) or organization, seen `visibility` (individual when unset).
    pub fn from_form(kind: &str, permission: String, scope: &str, unit: &str, visibility: &str) -> Result<Adjustment, crate::DomainError> {
        if kind == "withdraw" {
            return Ok(Adjustment::Withdraw { permission });
        }
        let scope = match scope {
            "own" => Scope::Own,
            "unit" => Scope::Unit(UnitId(unit.trim().parse().map_err(|_| crate::DomainError::InvalidValue { field: "unit", value: String::new() })?)),
            _ => Scope::Organization,
        };
        let visibility = Visibility::parse(visibility).unwrap_or(Visibility::Individual);
        Ok(Adjustment::Add { permission, scope, visibility, ends_at: None })
    }
}

/// Everything the engine needs to know about the member who asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    pub membership: MembershipId,
    pub org_roles: Vec<OrgRole>,
    pub assignments: Vec<Assignment>,
    pub adjustments: Vec<Adjustment>,
}

/// What the action is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Target {
    /// The organization as a whole (settings, the audit log, organization-wide lists).
    Organization,
    /// Something placed at a unit (the unit itself, a unit's list).
    Unit(UnitId),
    /// A member, placed in the units they belong to.
    Member { id: MembershipId, units: Vec<UnitId> },
    /// A content item. "Own" covers items the member created, owns or is invited to
    /// (`assignees`: seed permission-matrix's "invited", user-levels' assigned tasks).
    Item { creator: Option<MembershipId>, owner: Option<MembershipId>, assignees: Vec<MembershipId>, unit: Option<UnitId> },
}

/// Why a decision came out as it did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// Holds everything as owner or co-owner.
    Owner(OrgRole),
    /// Holds the admin permissions as administrator.
    Administrator(OrgRole),
    /// A reserved permission that comes with this organization role.
    OrgRoleGrant(OrgRole),
    /// A role grant through an assignment; `via` is the path from the anchor down to the target.
    Role { role: RoleId, role_name: String, scope: RoleScope, anchor: Option<UnitId>, via: Vec<UnitId> },
    /// Added for this member on top of their roles.
    Added(Scope),
    /// Withdrawn for this member: beats every role grant.
    Withdrawn,
    /// A grant that would apply, but its assignment ended.
    Expired { role: RoleId, role_name: String, ended: DateTime<Utc> },
    /// A grant of the permission exists, but at a scope that does not cover the target.
    OutOfScope { role: Option<RoleId>, scope: RoleScope, anchor: Option<UnitId> },
    /// Administrators see no content.
    AdministratorsSeeNoContent,
    /// Nothing grants this permission.
    NoGrant,
    /// Creator rule: whoever may create an item may edit and delete the items they created.
    CreatorRule { create_permission: String },
    /// Bulk delete or replace is limited to the item's creator.
    BulkLimitedToCreator,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub allowed: bool,
    /// The widest visibility granted (allowed decisions only).
    pub visibility: Option<Visibility>,
    /// For a yes: every grant that allows it. For a no: what was found and why it did not apply.
    pub reasons: Vec<Reason>,
}

/// The roles of the organization, looked up by id.
pub trait Roles {
    fn role(&self, id: RoleId) -> Option<&Role>;
}

impl Roles for [Role] {
    fn role(&self, id: RoleId) -> Option<&Role> {
        self.iter().find(|r| r.id == id)
    }
}

impl Roles for Vec<Role> {
    fn role(&self, id: RoleId) -> Option<&Role> {
        self.as_slice().role(id)
    }
}

/// What an organization role contributes to one permission (other than owners, who hold all):
/// the permissions the seeds reserve for a role, and the admin permissions for administrators.
fn org_role_grant(role: OrgRole, permission: &str) -> Option<Reason> {
    let reserved_holder = match permission {
        "licenses.buy" => matches!(role, OrgRole::PaymentUser | OrgRole::AuthorizedBuyer),
        "compliance.anonymize" | "compliance.view_links" => matches!(role, OrgRole::ComplianceManager),
        "support.handle" => matches!(role, OrgRole::SupportTeam),
        _ => false,
    };
    if reserved_holder {
        Some(Reason::OrgRoleGrant(role))
    } else if matches!(role, OrgRole::Administrator | OrgRole::MainAdministrator)
        && catalog::is_admin_permission(permission)
        && !catalog::reserved_for_org_roles(permission)
    {
        Some(Reason::Administrator(role))
    } else {
        None
    }
}

fn target_is_own(subject: &Subject, target: &Target) -> bool {
    match target {
        Target::Member { id, .. } => *id == subject.membership,
        Target::Item { creator, owner, assignees, .. } => {
            *creator == Some(subject.membership) || *owner == Some(subject.membership) || assignees.contains(&subject.membership)
        }
        _ => false,
    }
}

fn target_units(target: &Target) -> Vec<UnitId> {
    match target {
        Target::Unit(u) => vec![*u],
        Target::Member { units, .. } => units.clone(),
        Target::Item { unit, .. } => unit.iter().copied().collect(),
        Target::Organization => Vec::new(),
    }
}

/// The path from `anchor` down to the first target unit inside its subtree, if any.
fn covered_via(tree: &UnitTree, anchor: UnitId, target: &Target) -> Option<Vec<UnitId>> {
    target_units(target).into_iter().find_map(|u| {
        let path = tree.path(u);
        path.iter().position(|p| *p == anchor).map(|i| path[i..].to_vec())
    })
}

/// Decides whether `subject` may do `permission` on `target` at time `now`.
pub fn check(subject: &Subject, permission: &str, target: &Target, roles: &impl Roles, tree: &UnitTree, now: DateTime<Utc>) -> Decision {
    let admin_perm = catalog::is_admin_permission(permission);

    // Owners and co-owners hold everything; nothing restricts them.
    if let Some(r) = subject.org_roles.iter().find(|r| matches!(r, OrgRole::Owner | OrgRole::CoOwner)) {
        return Decision { allowed: true, visibility: Some(Visibility::Individual), reasons: vec![Reason::Owner(*r)] };
    }

    if subject.adjustments.iter().any(|a| matches!(a, Adjustment::Withdraw { permission: p } if p == permission)) {
        return Decision { allowed: false, visibility: None, reasons: vec![Reason::Withdrawn] };
    }

    let mut yes: Vec<(Reason, Visibility)> = Vec::new();
    let mut no: Vec<Reason> = Vec::new();

    // Permissions that come with organization roles.
    for r in &subject.org_roles {
        match org_role_grant(*r, permission) {
            Some(reason) => yes.push((reason, Visibility::Individual)),
            None if !admin_perm && matches!(r, OrgRole::Administrator | OrgRole::MainAdministrator) => {
                no.push(Reason::AdministratorsSeeNoContent)
            }
            None => {}
        }
    }

    // Role grants through assignments.
    for a in &subject.assignments {
        let Some(role) = roles.role(a.role).filter(|r| !r.retired) else { continue };
        for g in role.grants.iter().filter(|g| g.permission == permission) {
            if let Some(end) = a.ends_at.filter(|e| *e <= now) {
                no.push(Reason::Expired { role: role.id, role_name: role.name.clone(), ended: end });
                continue;
            }
            let via = match (g.scope, a.anchor) {
                (RoleScope::Organization, _) | (RoleScope::Unit, None) => Some(Vec::new()),
                (RoleScope::Own, _) => target_is_own(subject, target).then(Vec::new),
                (RoleScope::Unit, Some(anchor)) => covered_via(tree, anchor, target),
            };
            match via {
                Some(via) => yes.push((
                    Reason::Role { role: role.id, role_name: role.name.clone(), scope: g.scope, anchor: a.anchor, via },
                    g.visibility,
                )),
                None => no.push(Reason::OutOfScope { role: Some(role.id), scope: g.scope, anchor: a.anchor }),
            }
        }
    }

    // Per-member additions.
    for adj in &subject.adjustments {
        if let Adjustment::Add { permission: p, scope, visibility, ends_at } = adj {
            if p != permission || ends_at.is_some_and(|e| e <= now) {
                continue;
            }
            let applies = match scope {
                Scope::Organization => true,
                Scope::Own => target_is_own(subject, target),
                Scope::Unit(anchor) => covered_via(tree, *anchor, target).is_some(),
            };
            if applies {
                yes.push((Reason::Added(*scope), *visibility));
            } else {
                let (scope, anchor) = match scope {
                    Scope::Own => (RoleScope::Own, None),
                    Scope::Unit(u) => (RoleScope::Unit, Some(*u)),
                    Scope::Organization => (RoleScope::Organization, None),
                };
                no.push(Reason::OutOfScope { role: None, scope, anchor });
            }
        }
    }

    if yes.is_empty() {
        if no.is_empty() {
            no.push(Reason::NoGrant);
        }
        Decision { allowed: false, visibility: None, reasons: no }
    } else {
        let visibility = yes.iter().map(|(_, v)| *v).max();
        Decision { allowed: true, visibility, reasons: yes.into_iter().map(|(r, _)| r).collect() }
    }
}

/// The members among `candidates` who may do `permission` on `target`, with the reasons.
pub fn who_can<'a>(
    candidates: &'a [Subject],
    permission: &str,
    target: &Target,
    roles: &impl Roles,
    tree: &UnitTree,
    now: DateTime<Utc>,
) -> Vec<(&'a Subject, Decision)> {
    candidates
        .iter()
        .map(|s| (s, check(s, permission, target, roles, tree, now)))
        .filter(|(_, d)| d.allowed)
        .collect()
}

/// One line of a member's effective permissions: what, where, how visible, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effective {
    pub permission: String,
    pub scope: Scope,
    pub visibility: Visibility,
    pub reason: Reason,
}

/// Everything the member holds right now, from organization roles, live assignments of roles
/// that are not retired, and additions — minus withdrawals. Owners hold everything; their list
/// is the admin catalog plus whatever `content_permissions` the organization declares.
pub fn effective(subject: &Subject, roles: &impl Roles, content_permissions: &[String], now: DateTime<Utc>) -> Vec<Effective> {
    let withdrawn = |p: &str| subject.adjustments.iter().any(|a| matches!(a, Adjustment::Withdraw { permission } if permission == p));
    let mut out = Vec::new();
    let org_wide = |permission: &str, reason: Reason| Effective { permission: permission.to_string(), scope: Scope::Organization, visibility: Visibility::Individual, reason };
    if let Some(r) = subject.org_roles.iter().find(|r| matches!(r, OrgRole::Owner | OrgRole::CoOwner)) {
        let all = catalog::ADMIN_PERMISSIONS.iter().map(|p| p.key.to_string()).chain(content_permissions.iter().cloned());
        return all.map(|p| org_wide(&p, Reason::Owner(*r))).collect();
    }
    for r in &subject.org_roles {
        for p in catalog::ADMIN_PERMISSIONS.iter().map(|p| p.key) {
            if let Some(reason) = org_role_grant(*r, p) {
                out.push(org_wide(p, reason));
            }
        }
    }
    for a in subject.assignments.iter().filter(|a| a.ends_at.is_none_or(|e| e > now)) {
        let Some(role) = roles.role(a.role).filter(|r| !r.retired) else { continue };
        for g in &role.grants {
            let scope = match (g.scope, a.anchor) {
                (RoleScope::Own, _) => Scope::Own,
                (RoleScope::Unit, Some(u)) => Scope::Unit(u),
                (RoleScope::Unit, None) | (RoleScope::Organization, _) => Scope::Organization,
            };
            out.push(Effective {
                permission: g.permission.clone(),
                scope,
                visibility: g.visibility,
                reason: Reason::Role { role: role.id, role_name: role.name.clone(), scope: g.scope, anchor: a.anchor, via: Vec::new() },
            });
        }
    }
    for adj in &subject.adjustments {
        if let Adjustment::Add { permission, scope, visibility, ends_at } = adj {
            if ends_at.is_some_and(|e| e <= now) {
                continue;
            }
            out.push(Effective { permission: permission.clone(), scope: *scope, visibility: *visibility, reason: Reason::Added(*scope) });
        }
    }
    out.retain(|e| !withdrawn(&e.permission));
    out.sort_by(|a, b| a.permission.cmp(&b.permission));
    out
}

#[cfg(test)]
mod tests;
