//! Seed roles-responsibilities-isms: team, division and company users, each managing the units
//! they are assigned to (one or several) and using their functionality. The platform staff roles
//! of the same seed are in `crate::staff`.
use super::{all_at, grant, role, Template, TemplateRole};
use crate::authz::content::module;
use crate::authz::{RoleScope, Visibility};

fn unit_user(key: &'static str, name: &'static str, description: &'static str, kind: &'static str) -> TemplateRole {
    let mut grants = all_at(&["members.view", "members.invite", "members.edit", "units.view", "roles.view", "feedback.use", "feedback.manage"], RoleScope::Unit);
    grants.push(grant("feedback.view_results", RoleScope::Unit, Visibility::Aggregate));
    TemplateRole { anchor_kind: Some(kind), ..role(key, name, description, grants) }
}

pub fn template() -> Template {
    Template {
        key: "isms",
        en: "Team / division / company users",
        de: "Team- / Bereichs- / Firmenbenutzer",
        source: "seeds/roles-responsibilities-isms.txt",
        modules: vec![module(
            "feedback",
            "Team feedback",
            "Team-Feedback",
            &[
                ("use", "Use the unit's feedback functionality", "Die Feedback-Funktionen der Einheit nutzen", false),
                ("manage", "Manage the unit's feedback settings", "Die Feedback-Einstellungen der Einheit verwalten", false),
                ("view_results", "See the unit's feedback results", "Die Feedback-Ergebnisse der Einheit sehen", true),
            ],
        )],
        roles: vec![
            unit_user("team_user", "Team User", "Manages their teams and uses the team functionality.", "team"),
            unit_user("division_user", "Division User", "Manages their divisions and uses the division functionality.", "division"),
            unit_user("company_user", "Company User", "Manages their companies and uses the company functionality.", "company"),
        ],
        require_mobile_phone: false,
    }
}
