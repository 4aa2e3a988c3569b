//! Seed users-and-roles-de (German): OrgAdmin, Sec Manager, Viewer. Items are interests, views,
//! alerts and events; whoever may create may edit and delete their own (the creator rule, in
//! `content::check_item`); edit/delete rights reach other people's items; bulk delete or replace
//! stays with the creator; public publishing is a separate right given deliberately. A phone
//! number is required for new users.
use super::{all_at, grant, role, Template, TemplateRole};
use crate::authz::catalog::{self, ADMIN_PERMISSIONS};
use crate::authz::content::{module, ContentModule};
use crate::authz::{RoleGrant, RoleScope, Visibility};

const ITEM_ACTIONS: &[(&str, &str, &str, bool)] = &[
    ("view", "View", "Ansehen", false),
    ("create", "Create", "Erstellen", false),
    ("edit_any", "Edit items of others", "Elemente anderer bearbeiten", false),
    ("delete_any", "Delete items of others", "Elemente anderer löschen", false),
    ("share", "Share", "Teilen", false),
    ("export", "Export", "Exportieren", false),
];

pub(crate) const ITEM_MODULES: [&str; 4] = ["interests", "views", "alerts", "events"];

fn modules() -> Vec<ContentModule> {
    let mut events_actions = ITEM_ACTIONS.to_vec();
    events_actions.push(("publish", "Post events to the community", "Ereignisse in der Community posten", false));
    events_actions.push(("publish_public", "Publish events publicly, outside the organization", "Ereignisse öffentlich veröffentlichen", false));
    vec![
        module("interests", "Interests", "Interessen", ITEM_ACTIONS),
        module("views", "Views", "Ansichten", ITEM_ACTIONS),
        module("alerts", "Alerts", "Warnungen", ITEM_ACTIONS),
        module("events", "Events", "Ereignisse", &events_actions),
        module(
            "community",
            "Community",
            "Community",
            &[("contact_users", "Address internal and external users", "Interne und externe Benutzer ansprechen", false)],
        ),
        module("analytics", "Analytics", "Analysen", &[("run", "Run analyses", "Analysen durchführen", true)]),
    ]
}

fn org(permissions: impl IntoIterator<Item = String>) -> Vec<RoleGrant> {
    permissions.into_iter().map(|p| grant(&p, RoleScope::Organization, Visibility::Individual)).collect()
}

pub fn template() -> Template {
    let modules = modules();
    let every_content: Vec<String> = modules.iter().flat_map(|m| m.permission_keys()).collect();
    let admin: Vec<String> = ADMIN_PERMISSIONS.iter().filter(|p| !catalog::reserved_for_org_roles(p.key)).map(|p| p.key.to_string()).collect();
    let org_admin = role(
        "org_admin",
        "OrgAdmin",
        "Voller Zugriff auf alle Funktionen, einschließlich der Erstellung neuer Benutzer, dem Einrichten von Warnungen und dem Verwalten von Systemeinstellungen und Inhalten.",
        org(admin.into_iter().chain(every_content)),
    );
    let mut sec: Vec<String> = Vec::new();
    for m in ITEM_MODULES {
        for a in ITEM_ACTIONS {
            sec.push(format!("{m}.{}", a.0));
        }
    }
    sec.extend(["events.publish", "community.contact_users", "analytics.run"].map(String::from));
    let sec_manager = TemplateRole {
        requestable: true,
        ..role(
            "sec_manager",
            "Sec Manager",
            "Interessen, Ansichten, Warnungen und Ereignisse erstellen, bearbeiten, löschen, teilen und exportieren; an der Community teilnehmen.",
            org(sec),
        )
    };
    let viewer_perms: Vec<&str> = vec!["interests.view", "views.view", "alerts.view", "events.view", "analytics.run"];
    let viewer = TemplateRole {
        requestable: true,
        ..role(
            "viewer",
            "Viewer",
            "Eingeschränkter Zugriff: Daten ansehen und Analysen durchführen; kein Teilen, Erstellen, Bearbeiten oder Löschen.",
            all_at(&viewer_perms, RoleScope::Organization),
        )
    };
    Template {
        key: "users-and-roles-de",
        en: "OrgAdmin / Sec Manager / Viewer",
        de: "OrgAdmin / Sec Manager / Viewer",
        source: "seeds/users-and-roles-de.txt",
        modules,
        roles: vec![org_admin, sec_manager, viewer],
        require_mobile_phone: true,
    }
}
