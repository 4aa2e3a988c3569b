//! Gatehouse's own admin permissions, as a catalog in code (DECISIONS.md). Content permissions
//! are data (modules declared per organization) and are named the same way: `module.action`.

/// One admin permission. Its description, in every UI language, is in the catalogs
/// (`locales/*.ftl`, key `perm-` and the permission's key with dashes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminPermission {
    pub key: &'static str,
    /// Concerns people's data: grants carry aggregate-only or individual visibility.
    pub about_people: bool,
}

const fn p(key: &'static str, about_people: bool) -> AdminPermission {
    AdminPermission { key, about_people }
}

pub const ADMIN_PERMISSIONS: &[AdminPermission] = &[
    p("members.view", true),
    p("members.invite", false),
    p("members.edit", true),
    p("members.terminate", true),
    p("members.move", false),
    p("members.export", true),
    p("units.view", false),
    p("units.manage", false),
    p("roles.view", false),
    p("roles.edit", false),
    p("roles.assign", false),
    p("access_requests.decide", false),
    p("compliance.anonymize", true),
    p("compliance.view_links", true),
    p("reviews.run", false),
    p("reviews.decide", false),
    p("policies.manage", true),
    p("digests.receive", false),
    p("digests.setup", false),
    p("audit.view", true),
    p("audit.export", true),
    p("settings.edit", false),
    p("mail.manage", false),
    p("licenses.view", false),
    p("licenses.assign", false),
    p("licenses.buy", false),
    p("api_keys.generate", false),
    p("api_keys.revoke", false),
    // The decision point: an organization's own application asks whether a member may do
    // something, and who may (it learns who holds what, so it concerns people).
    p("decisions.query", true),
    p("support.handle", false),
];

pub fn admin_permission(key: &str) -> Option<&'static AdminPermission> {
    ADMIN_PERMISSIONS.iter().find(|p| p.key == key)
}

pub fn is_admin_permission(key: &str) -> bool {
    admin_permission(key).is_some()
}

/// Admin permissions the seeds reserve for holders of particular organization roles: an
/// administrator does not hold them by being an administrator (DECISIONS.md).
pub fn reserved_for_org_roles(key: &str) -> bool {
    matches!(key, "licenses.buy" | "compliance.anonymize" | "compliance.view_links" | "support.handle")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_keys_are_unique_and_well_formed() {
        let mut keys: Vec<&str> = ADMIN_PERMISSIONS.iter().map(|p| p.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), ADMIN_PERMISSIONS.len());
        for p in ADMIN_PERMISSIONS {
            let (m, a) = p.key.split_once('.').expect("module.action");
            assert!(!m.is_empty() && !a.is_empty() && !a.contains('.'), "{}", p.key);
        }
        assert!(is_admin_permission("roles.assign") && !is_admin_permission("tournaments.view"));
    }
}
