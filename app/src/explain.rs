//! The engine's reasons in plain words, in the reader's language (SPEC.md "Explain").
use crate::i18n::{org_role_label, t, tf, Msg};
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::{Reason, RoleScope, Scope};
use gatehouse_domain::ids::UnitId;
use gatehouse_domain::locale::Locale;

/// A permission's name in the reader's language: the catalog's description for admin
/// permissions, the module's action name for content ones, the key otherwise.
pub fn permission_label(locale: Locale, policy: &Policy, key: &str) -> String {
    if let Some(text) = gatehouse_locales::admin_permission_text(locale, key) {
        return text.to_string();
    }
    if let Some((m, a)) = key.split_once('.') {
        if let Some(module) = policy.modules.iter().find(|x| x.key == m) {
            if let Some(action) = module.actions.iter().find(|x| x.key == a) {
                return format!("{}: {}", locale.pick(&module.en, &module.de), locale.pick(&action.en, &action.de));
            }
        }
    }
    key.to_string()
}

/// A permission's name without its module, for lists grouped by module.
pub fn short_label(locale: Locale, policy: &Policy, key: &str) -> String {
    if let Some((m, a)) = key.split_once('.') {
        if let Some(action) = policy.modules.iter().find(|x| x.key == m).and_then(|module| module.actions.iter().find(|x| x.key == a)) {
            return locale.pick(&action.en, &action.de).clone();
        }
    }
    permission_label(locale, policy, key)
}

fn unit_name(policy: &Policy, u: UnitId) -> String {
    policy.tree.get(u).map(|n| n.name.clone()).unwrap_or_else(|| format!("#{u}"))
}

pub fn scope_words(locale: Locale, policy: &Policy, scope: Scope) -> String {
    match scope {
        Scope::Organization => t(locale, Msg::ScopeOrganization).to_string(),
        Scope::Own => t(locale, Msg::ScopeOwn).to_string(),
        Scope::Unit(u) => tf(locale, Msg::ScopeUnit, &[("unit", &unit_name(policy, u))]),
    }
}

/// One reason as a sentence.
pub fn reason(locale: Locale, policy: &Policy, permission: &str, r: &Reason) -> String {
    let role_label = |r: &gatehouse_domain::org_role::OrgRole| org_role_label(locale, r.as_str());
    match r {
        Reason::Owner(role) => tf(locale, Msg::ReasonOwner, &[("role", &role_label(role))]),
        Reason::Administrator(role) => tf(locale, Msg::ReasonAdministrator, &[("role", &role_label(role))]),
        Reason::OrgRoleGrant(role) => tf(locale, Msg::ReasonOrgRoleGrant, &[("role", &role_label(role))]),
        Reason::Role { role_name, scope, anchor, via, .. } => match (scope, anchor) {
            (RoleScope::Own, _) => tf(locale, Msg::ReasonRoleOwn, &[("role", role_name)]),
            (RoleScope::Unit, Some(a)) => {
                let via = if via.len() > 1 {
                    let path: Vec<String> = via.iter().map(|u| unit_name(policy, *u)).collect();
                    tf(locale, Msg::ReasonVia, &[("path", &path.join(" › "))])
                } else {
                    String::new()
                };
                tf(locale, Msg::ReasonRoleUnit, &[("role", role_name), ("anchor", &unit_name(policy, *a)), ("via", &via)])
            }
            _ => tf(locale, Msg::ReasonRoleOrganization, &[("role", role_name)]),
        },
        Reason::Added(scope) => tf(locale, Msg::ReasonAdded, &[("scope", &scope_words(locale, policy, *scope))]),
        Reason::Withdrawn => t(locale, Msg::ReasonWithdrawn).to_string(),
        Reason::Expired { role_name, ended, .. } => tf(locale, Msg::ReasonExpired, &[("role", role_name), ("date", &crate::i18n::datetime(locale, *ended))]),
        Reason::OutOfScope { role, scope, anchor } => {
            let name = role
                .and_then(|id| gatehouse_domain::authz::Roles::role(policy, id))
                .map(|r| r.name.clone())
                .unwrap_or_else(|| t(locale, Msg::ReasonPersonalAddition).to_string());
            match (scope, anchor) {
                (RoleScope::Unit, Some(a)) => tf(locale, Msg::ReasonOutOfScopeUnit, &[("role", &name), ("anchor", &unit_name(policy, *a))]),
                (RoleScope::Own, _) => tf(locale, Msg::ReasonOutOfScopeOwn, &[("role", &name)]),
                _ => tf(locale, Msg::ReasonOutOfScopeOrganization, &[("role", &name)]),
            }
        }
        Reason::AdministratorsSeeNoContent => t(locale, Msg::ReasonAdministratorsSeeNoContent).to_string(),
        Reason::NoGrant => tf(locale, Msg::ReasonNoGrant, &[("permission", &permission_label(locale, policy, permission))]),
        Reason::CreatorRule { .. } => t(locale, Msg::ReasonCreatorRule).to_string(),
        Reason::BulkLimitedToCreator => t(locale, Msg::ReasonBulkLimitedToCreator).to_string(),
    }
}

pub fn reasons(locale: Locale, policy: &Policy, permission: &str, rs: &[Reason]) -> Vec<String> {
    let mut out: Vec<String> = rs.iter().map(|r| reason(locale, policy, permission, r)).collect();
    out.dedup();
    out
}

/// A refused change in plain words.
pub fn denial(locale: Locale, policy: &Policy, d: &gatehouse_domain::authz::Denial) -> String {
    use gatehouse_domain::authz::content::OwnerRefusal;
    use gatehouse_domain::authz::escalation::Refusal;
    use gatehouse_domain::authz::Denial;
    use gatehouse_domain::org_role::AppointRefusal as A;
    let perm = |p: &str| permission_label(locale, policy, p);
    match d {
        Denial::NotPermitted { permission, reasons: rs } => {
            let mut out = vec![tf(locale, Msg::RefusedPermission, &[("permission", &perm(permission))])];
            out.extend(reasons(locale, policy, permission, rs));
            out.join(" ")
        }
        Denial::Escalation(Refusal::OwnAccess) => t(locale, Msg::DenyOwnAccess).to_string(),
        Denial::Escalation(Refusal::Missing { permission, at }) => {
            tf(locale, Msg::DenyMissing, &[("permission", &perm(permission)), ("scope", &scope_words(locale, policy, *at))])
        }
        Denial::Escalation(Refusal::WouldEscalate { permission, at }) => {
            tf(locale, Msg::DenyWouldEscalate, &[("permission", &perm(permission)), ("scope", &scope_words(locale, policy, *at))])
        }
        Denial::Escalation(Refusal::RetiredRole) => t(locale, Msg::DenyRetiredRole).to_string(),
        Denial::RoleInUse { assignments } => tf(locale, Msg::DenyRoleInUse, &[("count", &assignments.to_string())]),
        Denial::AnchorKind { expected } => tf(locale, Msg::DenyAnchorKind, &[("kind", expected)]),
        Denial::UnknownPermission(p) => tf(locale, Msg::DenyUnknownPermission, &[("permission", p)]),
        Denial::Owner(OwnerRefusal::Kind(_)) => t(locale, Msg::DenyOwnerKind).to_string(),
        Denial::Owner(OwnerRefusal::NotPermitted { permission }) => tf(locale, Msg::DenyOwnerPermission, &[("permission", &perm(permission))]),
        Denial::Appointment(a) => match a {
            A::OwnRoles => t(locale, Msg::DenyOwnAccess).to_string(),
            A::OnlyBy(roles) => {
                let names: Vec<String> = roles.iter().map(|r| org_role_label(locale, r.as_str())).collect();
                tf(locale, Msg::DenyOnlyBy, &[("roles", &names.join(", "))])
            }
            A::OwnerMustBeMember => t(locale, Msg::DenyOwnerMustBeMember).to_string(),
            A::OwnerIsHandedOver => t(locale, Msg::DenyOwnerHandedOver).to_string(),
            A::MainOwnerNeedsCoOwner => t(locale, Msg::DenyMainOwnerNeedsCoOwner).to_string(),
            A::MainOwnerFromOwners => t(locale, Msg::DenyMainOwnerFromOwners).to_string(),
            A::MainAdministratorNeedsTwoAdministrators => t(locale, Msg::DenyMainAdminNeedsTwo).to_string(),
            A::MainAdministratorFromAdministrators => t(locale, Msg::DenyMainAdminFromAdmins).to_string(),
            A::AlreadyHeld => t(locale, Msg::DenyAlreadyHeld).to_string(),
            A::NotHeld => t(locale, Msg::DenyNotHeld).to_string(),
        },
    }
}
