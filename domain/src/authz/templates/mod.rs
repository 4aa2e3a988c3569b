//! Role-model templates: one per seed document plus a neutral default. A template is data — its
//! content modules, roles (grant sets) and organization settings — applied when an organization
//! is created or on demand. Each seed's rules are asserted through `check` in `tests`.
use super::content::ContentModule;
use super::{Role, RoleGrant, RoleScope, Visibility};
use crate::ids::RoleId;

/// Where a new role's grants come from, as the "new role" form names it: `tpl:<template>:<role>`
/// copies a template's role, `role:<id>` an existing role, anything else starts empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleOrigin {
    Template { template: String, role: String },
    Role(RoleId),
    Empty,
}

impl RoleOrigin {
    /// `None` for a malformed `role:` id (nothing to copy from).
    pub fn parse(from: &str) -> Option<RoleOrigin> {
        match from.split(':').collect::<Vec<_>>().as_slice() {
            ["tpl", t, r] => Some(RoleOrigin::Template { template: t.to_string(), role: r.to_string() }),
            ["role", id] => id.parse().ok().map(|id| RoleOrigin::Role(RoleId(id))),
            _ => Some(RoleOrigin::Empty),
        }
    }
}

mod default;
mod isms;
mod organization_roles;
mod permission_matrix;
mod user_levels;
mod users_and_roles_de;

#[cfg(test)]
mod tests;

/// One role of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateRole {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
    pub grants: Vec<RoleGrant>,
    /// Members may ask for this role through an access request.
    pub requestable: bool,
    /// The kind of unit this role is meant to be anchored at (seed isms: team / division /
    /// company users); `None` places no restriction.
    pub anchor_kind: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub key: &'static str,
    pub en: &'static str,
    pub de: &'static str,
    /// The seed document it expresses.
    pub source: &'static str,
    pub modules: Vec<ContentModule>,
    pub roles: Vec<TemplateRole>,
    /// Organization settings the template sets.
    pub require_mobile_phone: bool,
}

impl Template {
    /// The template's roles as engine roles, numbered from 1 in template order (for previews and
    /// tests; stored roles get their database ids).
    pub fn engine_roles(&self) -> Vec<Role> {
        self.roles
            .iter()
            .enumerate()
            .map(|(i, r)| Role { id: RoleId(i as i64 + 1), name: r.name.to_string(), grants: r.grants.clone(), retired: false })
            .collect()
    }

    pub fn role(&self, key: &str) -> Option<&TemplateRole> {
        self.roles.iter().find(|r| r.key == key)
    }

    /// Every content permission the template declares.
    pub fn content_permissions(&self) -> Vec<String> {
        self.modules.iter().flat_map(|m| m.permission_keys()).collect()
    }
}

pub const KEYS: [&str; 6] = ["default", "permission-matrix", "users-and-roles-de", "user-levels", "isms", "organization-roles"];

pub fn all() -> Vec<Template> {
    vec![
        default::template(),
        permission_matrix::template(),
        users_and_roles_de::template(),
        user_levels::template(),
        isms::template(),
        organization_roles::template(),
    ]
}

pub fn by_key(key: &str) -> Option<Template> {
    all().into_iter().find(|t| t.key == key)
}

pub(crate) fn grant(permission: &str, scope: RoleScope, visibility: Visibility) -> RoleGrant {
    RoleGrant { permission: permission.to_string(), scope, visibility }
}

/// Grants of every listed permission at one scope, individually visible.
pub(crate) fn all_at(permissions: &[&str], scope: RoleScope) -> Vec<RoleGrant> {
    permissions.iter().map(|p| grant(p, scope, Visibility::Individual)).collect()
}

pub(crate) fn role(key: &'static str, name: &'static str, description: &'static str, grants: Vec<RoleGrant>) -> TemplateRole {
    TemplateRole { key, name, description, grants, requestable: false, anchor_kind: None }
}
