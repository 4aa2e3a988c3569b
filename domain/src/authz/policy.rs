//! One organization's authorization state as a snapshot: its roles, unit tree, content modules
//! and every member's organization roles, assignments and adjustments. The server keeps one per
//! organization and reloads it when the organization's authorization version (held by the
//! database, bumped in the same transaction as every change) moves, so a change takes effect on
//! every instance at the next request.
use super::content::{check_item, ContentModule, ItemOp};
use super::{catalog, check, effective, Decision, Effective, Role, Roles, Scope, Subject, Target};
use crate::ids::{MembershipId, RoleId, UnitId};
use crate::units::UnitTree;
use chrono::{DateTime, Utc};
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub version: i64,
    roles: Vec<Role>,
    role_index: HashMap<RoleId, usize>,
    pub tree: UnitTree,
    pub modules: Vec<ContentModule>,
    subjects: HashMap<MembershipId, Subject>,
}

impl Roles for Policy {
    fn role(&self, id: RoleId) -> Option<&Role> {
        self.role_index.get(&id).map(|i| &self.roles[*i])
    }
}

/// How far a permission reaches for one member: what a list page may show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    Nothing,
    /// Only things of their own.
    Own,
    /// These units and everything below them (and their own things).
    Units(Vec<UnitId>),
    Organization,
}

impl Policy {
    pub fn new(version: i64, roles: Vec<Role>, tree: UnitTree, modules: Vec<ContentModule>, subjects: impl IntoIterator<Item = Subject>) -> Self {
        let role_index = roles.iter().enumerate().map(|(i, r)| (r.id, i)).collect();
        let subjects = subjects.into_iter().map(|s| (s.membership, s)).collect();
        Self { version, roles, role_index, tree, modules, subjects }
    }

    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// The member's subject; a member with no roles of any kind gets an empty one.
    pub fn subject(&self, member: MembershipId) -> Subject {
        self.subjects.get(&member).cloned().unwrap_or(Subject { membership: member, org_roles: vec![], assignments: vec![], adjustments: vec![] })
    }

    pub fn subjects(&self) -> impl Iterator<Item = &Subject> {
        self.subjects.values()
    }

    fn with_subject<T>(&self, member: MembershipId, f: impl FnOnce(&Subject) -> T) -> T {
        match self.subjects.get(&member) {
            Some(s) => f(s),
            None => f(&Subject { membership: member, org_roles: vec![], assignments: vec![], adjustments: vec![] }),
        }
    }

    /// Does `member` see the organization's dashboard? (It shows organization-wide member
    /// figures: members.view for the whole organization.)
    pub fn sees_dashboard(&self, member: MembershipId, now: DateTime<Utc>) -> bool {
        self.check(member, "members.view", &Target::Organization, now).allowed
    }

    /// Where the organization `slug` opens for `member` — after sign-in, after accepting an
    /// invitation, from the switcher: the dashboard when they see it, else their own page.
    pub fn landing(&self, member: MembershipId, slug: &str, now: DateTime<Utc>) -> String {
        landing_path(slug, self.sees_dashboard(member, now))
    }

    /// The one gate every change and every read goes through: the decision when `member` may do
    /// `permission` on `target`, else the refusal with the engine's reasons (said in the
    /// reader's words by the caller).
    pub fn require(&self, member: MembershipId, permission: &str, target: &Target, now: DateTime<Utc>) -> Result<Decision, super::Denial> {
        let d = self.check(member, permission, target, now);
        if d.allowed {
            Ok(d)
        } else {
            Err(super::Denial::NotPermitted { permission: permission.to_string(), reasons: d.reasons })
        }
    }

    /// May `member` do `permission` on `target`? The decision carries its reasons (explain).
    pub fn check(&self, member: MembershipId, permission: &str, target: &Target, now: DateTime<Utc>) -> Decision {
        self.with_subject(member, |s| check(s, permission, target, self, &self.tree, now))
    }

    pub fn check_item(&self, member: MembershipId, module: &str, op: ItemOp, item: &Target, now: DateTime<Utc>) -> Decision {
        self.with_subject(member, |s| check_item(s, module, op, item, self, &self.tree, now))
    }

    /// Everyone who may do `permission` on `target`, with the reasons, in membership order.
    pub fn who_can(&self, permission: &str, target: &Target, now: DateTime<Utc>) -> Vec<(MembershipId, Decision)> {
        let mut out: Vec<(MembershipId, Decision)> = self
            .subjects
            .values()
            .map(|s| (s.membership, check(s, permission, target, self, &self.tree, now)))
            .filter(|(_, d)| d.allowed)
            .collect();
        out.sort_by_key(|(m, _)| *m);
        out
    }

    /// Every content permission the organization declares.
    pub fn content_permissions(&self) -> Vec<String> {
        self.modules.iter().flat_map(|m| m.permission_keys()).collect()
    }

    /// Does `permission` exist here (admin catalog or a declared content action)?
    pub fn knows(&self, permission: &str) -> bool {
        catalog::is_admin_permission(permission)
            || permission.split_once('.').is_some_and(|(m, a)| self.modules.iter().any(|x| x.key == m && x.has_action(a)))
    }

    pub fn effective(&self, member: MembershipId, now: DateTime<Utc>) -> Vec<Effective> {
        let content = self.content_permissions();
        self.with_subject(member, |s| effective(s, self, &content, now))
    }

    /// The member's organization roles and the names of their live roles (assignments not ended,
    /// roles not retired), for list columns.
    pub fn live_roles(&self, member: MembershipId, now: DateTime<Utc>) -> (Vec<crate::org_role::OrgRole>, Vec<String>) {
        let Some(s) = self.subjects.get(&member) else { return (Vec::new(), Vec::new()) };
        let mut names: Vec<String> = Vec::new();
        for a in s.assignments.iter().filter(|a| a.ends_at.is_none_or(|e| e > now)) {
            if let Some(r) = self.role(a.role).filter(|r| !r.retired) {
                if !names.contains(&r.name) {
                    names.push(r.name.clone());
                }
            }
        }
        (s.org_roles.clone(), names)
    }

    /// How far `permission` reaches for `member` right now.
    /// Refused (with the engine's reasons at the organization) unless `permission` reaches
    /// anything at all for `member`: the gate of lists and exports that show what it reaches.
    pub fn require_reach(&self, member: MembershipId, permission: &str, now: DateTime<Utc>) -> Result<Reach, super::Denial> {
        match self.reach(member, permission, now) {
            Reach::Nothing => self.require(member, permission, &Target::Organization, now).map(|_| Reach::Nothing),
            r => Ok(r),
        }
    }

    pub fn reach(&self, member: MembershipId, permission: &str, now: DateTime<Utc>) -> Reach {
        let s = self.subject(member);
        if s.adjustments.iter().any(|a| matches!(a, super::Adjustment::Withdraw { permission: p } if p == permission))
            && !s.org_roles.iter().any(|r| matches!(r, crate::org_role::OrgRole::Owner | crate::org_role::OrgRole::CoOwner))
        {
            return Reach::Nothing;
        }
        if check(&s, permission, &Target::Organization, self, &self.tree, now).allowed {
            return Reach::Organization;
        }
        let mut units = Vec::new();
        let mut own = false;
        for e in effective(&s, self, &[permission.to_string()], now).into_iter().filter(|e| e.permission == permission) {
            match e.scope {
                Scope::Organization => return Reach::Organization,
                Scope::Unit(u) => units.push(u),
                Scope::Own => own = true,
            }
        }
        // Keep only the topmost anchors.
        let mut top: Vec<UnitId> = units.iter().copied().filter(|u| !units.iter().any(|a| a != u && self.tree.is_within(*u, *a))).collect();
        top.sort();
        top.dedup();
        match (top.is_empty(), own) {
            (false, _) => Reach::Units(top),
            (true, true) => Reach::Own,
            (true, false) => Reach::Nothing,
        }
    }
}

/// The one landing rule: `/o/{slug}/dashboard` for whoever sees the dashboard, else the
/// member's own page `/o/{slug}/me`.
pub fn landing_path(slug: &str, dashboard: bool) -> String {
    format!("/o/{slug}/{}", if dashboard { "dashboard" } else { "me" })
}
