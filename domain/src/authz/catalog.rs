//! Gatehouse's own admin permissions, as a catalog in code (DECISIONS.md). Content permissions
//! are data (modules declared per organization) and are named the same way: `module.action`.

/// One admin permission with its description in every UI language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminPermission {
    pub key: &'static str,
    pub en: &'static str,
    pub de: &'static str,
    /// Concerns people's data: grants carry aggregate-only or individual visibility.
    pub about_people: bool,
}

const fn p(key: &'static str, en: &'static str, de: &'static str, about_people: bool) -> AdminPermission {
    AdminPermission { key, en, de, about_people }
}

pub const ADMIN_PERMISSIONS: &[AdminPermission] = &[
    p("members.view", "See members and their details", "Mitglieder und ihre Daten sehen", true),
    p("members.invite", "Invite people", "Personen einladen", false),
    p("members.edit", "Edit members' organization data", "Organisationsdaten von Mitgliedern bearbeiten", true),
    p("members.terminate", "End memberships", "Mitgliedschaften beenden", true),
    p("members.move", "Move members between units", "Mitglieder zwischen Einheiten verschieben", false),
    p("members.export", "Export members as CSV", "Mitglieder als CSV exportieren", true),
    p("units.view", "See the organization structure", "Die Organisationsstruktur sehen", false),
    p("units.manage", "Create, rename and move units", "Einheiten anlegen, umbenennen und verschieben", false),
    p("roles.view", "See roles and who holds them", "Rollen und ihre Inhaber sehen", false),
    p("roles.edit", "Define, copy and retire roles", "Rollen festlegen, kopieren und stilllegen", false),
    p("roles.assign", "Assign roles and adjust permissions", "Rollen zuweisen und Berechtigungen anpassen", false),
    p("access_requests.decide", "Approve or deny access requests", "Zugriffsanfragen genehmigen oder ablehnen", false),
    p("compliance.anonymize", "Anonymize former members", "Ehemalige Mitglieder anonymisieren", true),
    p("compliance.view_links", "See everything linked to a person", "Alles sehen, was mit einer Person verknüpft ist", true),
    p("reviews.run", "Run access review campaigns", "Zugriffsüberprüfungen durchführen", false),
    p("reviews.decide", "Keep or revoke access in a review", "Zugriffe in einer Überprüfung bestätigen oder entziehen", false),
    p("audit.view", "Read the audit log", "Das Prüfprotokoll lesen", true),
    p("audit.export", "Export the audit log", "Das Prüfprotokoll exportieren", true),
    p("settings.edit", "Change the organization's settings", "Die Einstellungen der Organisation ändern", false),
    p("mail.manage", "See queued and failed mail and send it again", "Wartende und fehlgeschlagene E-Mails sehen und erneut senden", false),
    p("licenses.view", "See licenses and who holds them", "Lizenzen und ihre Inhaber sehen", false),
    p("licenses.assign", "Give and take licenses", "Lizenzen vergeben und entziehen", false),
    p("licenses.buy", "Change the number of seats", "Die Anzahl der Lizenzen ändern", false),
    p("api_keys.generate", "Create technical users and API keys", "Technische Benutzer und API-Schlüssel anlegen", false),
    p("api_keys.revoke", "Revoke API keys", "API-Schlüssel widerrufen", false),
    p("support.handle", "Handle the organization's support requests", "Support-Anfragen der Organisation bearbeiten", false),
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
    fn catalog_keys_are_unique_well_formed_and_described_in_both_languages() {
        let mut keys: Vec<&str> = ADMIN_PERMISSIONS.iter().map(|p| p.key).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), ADMIN_PERMISSIONS.len());
        for p in ADMIN_PERMISSIONS {
            let (m, a) = p.key.split_once('.').expect("module.action");
            assert!(!m.is_empty() && !a.is_empty() && !a.contains('.'), "{}", p.key);
            assert!(!p.en.is_empty() && !p.de.is_empty() && p.en != p.de, "{}", p.key);
        }
        assert!(is_admin_permission("roles.assign") && !is_admin_permission("tournaments.view"));
    }
}
