//! Seed user-levels: Admin, Team, Contributor, Employee (member kinds partner / auditor /
//! external are `MemberKind`s with their own rules: auditors and externals never own items,
//! auditors are not counted in statistics).
use super::{all_at, role, Template, TemplateRole};
use crate::authz::content::module;
use crate::authz::RoleScope;

pub fn template() -> Template {
    let admin_perms = [
        "members.view",
        "members.invite",
        "members.edit",
        "members.terminate",
        "members.move",
        "members.export",
        "units.view",
        "units.manage",
        "roles.view",
        "roles.assign",
        "access_requests.decide",
        "settings.edit",
        "licenses.view",
        "licenses.assign",
    ];
    let all_content = [
        "dashboard.open",
        "taskbook.open",
        "taskbook.view",
        "taskbook.create",
        "taskbook.edit_any",
        "taskbook.delete_any",
        "taskbook.own",
        "guidebook.open",
        "guidebook.accept",
        "guidebook.edit_any",
    ];
    let mut admin_grants = all_at(&admin_perms, RoleScope::Organization);
    admin_grants.extend(all_at(&all_content, RoleScope::Organization));
    admin_grants.extend(all_at(&["frameworks.select"], RoleScope::Organization));
    let admin = role("admin", "Admin", "Organization Dashboard, Taskbook and Guidebook; edits all content; manages users and account-level settings.", admin_grants);
    let team = TemplateRole {
        requestable: true,
        ..role("team", "Team", "Dashboard, Taskbook and Guidebook; edits all content; no admin functions.", all_at(&all_content, RoleScope::Organization))
    };
    let mut contributor_grants = all_at(&["taskbook.open", "guidebook.open"], RoleScope::Organization);
    contributor_grants.extend(all_at(&["taskbook.view", "taskbook.edit_any", "taskbook.own", "guidebook.accept"], RoleScope::Own));
    let contributor = TemplateRole {
        requestable: true,
        ..role("contributor", "Contributor", "Taskbook and Guidebook; edits the content they own. The default for new users.", contributor_grants)
    };
    let mut employee_grants = all_at(&["guidebook.open"], RoleScope::Organization);
    employee_grants.extend(all_at(&["guidebook.accept"], RoleScope::Own));
    let employee = role("employee", "Employee", "Guidebook only; can't own items; may request access to more.", employee_grants);
    Template {
        key: "user-levels",
        en: "Admin / team / contributor / employee",
        de: "Admin / Team / Mitwirkende / Mitarbeitende",
        source: "seeds/user-levels.txt",
        modules: vec![
            module("dashboard", "Organization dashboard", "Organisations-Dashboard", &[("open", "Open the organization dashboard", "Das Organisations-Dashboard öffnen", false)]),
            module(
                "taskbook",
                "Taskbook",
                "Aufgabenbuch",
                &[
                    ("open", "Open the taskbook", "Das Aufgabenbuch öffnen", false),
                    ("view", "See tasks", "Aufgaben sehen", false),
                    ("create", "Create tasks", "Aufgaben anlegen", false),
                    ("edit_any", "Edit tasks", "Aufgaben bearbeiten", false),
                    ("delete_any", "Delete tasks", "Aufgaben löschen", false),
                    ("own", "Be named owner of tasks", "Als Verantwortliche von Aufgaben benannt werden", false),
                ],
            ),
            module(
                "guidebook",
                "Guidebook",
                "Leitfaden",
                &[
                    ("open", "Open the guidebook", "Den Leitfaden öffnen", false),
                    ("accept", "Accept guidelines", "Richtlinien bestätigen", false),
                    ("edit_any", "Edit guidelines", "Richtlinien bearbeiten", false),
                ],
            ),
            module("frameworks", "Frameworks", "Rahmenwerke", &[("select", "Select the requirements frameworks", "Anforderungsrahmenwerke auswählen", false)]),
        ],
        roles: vec![admin, team, contributor, employee],
        require_mobile_phone: false,
    }
}
