//! The neutral default: members with documents of their own, unit managers, and a read-only
//! auditor role.
use super::{all_at, grant, role, Template, TemplateRole};
use crate::authz::content::module;
use crate::authz::{RoleScope, Visibility};

pub fn template() -> Template {
    let mut manager = all_at(
        &["members.view", "members.invite", "members.edit", "units.view", "roles.view", "roles.assign", "access_requests.decide", "documents.view", "documents.create", "documents.edit_any", "documents.delete_any"],
        RoleScope::Unit,
    );
    manager.push(grant("members.export", RoleScope::Unit, Visibility::Individual));
    let mut auditor = all_at(&["audit.view", "units.view", "roles.view"], RoleScope::Organization);
    auditor.push(grant("members.view", RoleScope::Organization, Visibility::Aggregate));
    Template {
        key: "default",
        en: "Neutral default",
        de: "Neutrale Vorgabe",
        source: "SPEC.md",
        modules: vec![module(
            "documents",
            "Documents",
            "Dokumente",
            &[
                ("view", "See documents", "Dokumente sehen", false),
                ("create", "Create documents", "Dokumente anlegen", false),
                ("edit_any", "Edit documents of others", "Dokumente anderer bearbeiten", false),
                ("delete_any", "Delete documents of others", "Dokumente anderer löschen", false),
            ],
        )],
        roles: vec![
            TemplateRole { requestable: true, ..role("member", "Member", "Sees and writes their own documents.", all_at(&["documents.view", "documents.create"], RoleScope::Own)) },
            TemplateRole { requestable: true, ..role("unit_manager", "Unit manager", "Manages the people and documents of their unit and below.", manager) },
            role("auditor", "Auditor", "Reads the audit log and the structure; sees member figures only.", auditor),
        ],
        require_mobile_phone: false,
    }
}
