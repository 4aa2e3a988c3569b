//! Seed organization-roles: the organization roles themselves are built into the engine (owner,
//! co-owners, main owner, payment user, authorized buyers, compliance managers, administrators,
//! main administrator, support team). The template adds the Teamrooms the seed speaks of —
//! owners see all of them, administrators none.
use super::{all_at, role, Template};
use crate::authz::content::module;
use crate::authz::RoleScope;

pub fn template() -> Template {
    Template {
        key: "organization-roles",
        en: "Organization roles with Teamrooms",
        de: "Organisationsrollen mit Teamrooms",
        source: "seeds/organization-roles.txt",
        modules: vec![module(
            "teamrooms",
            "Teamrooms",
            "Teamrooms",
            &[
                ("open", "Open the unit's Teamroom and its data", "Den Teamroom der Einheit und seine Daten öffnen", true),
                ("manage", "Manage the unit's Teamroom", "Den Teamroom der Einheit verwalten", false),
            ],
        )],
        roles: vec![
            role("teamroom_member", "Teamroom member", "Works in the Teamrooms of their unit and below.", all_at(&["teamrooms.open"], RoleScope::Unit)),
            role(
                "teamroom_manager",
                "Teamroom manager",
                "Manages the Teamrooms of their unit and below.",
                all_at(&["teamrooms.open", "teamrooms.manage", "members.view"], RoleScope::Unit),
            ),
        ],
        require_mobile_phone: false,
    }
}
