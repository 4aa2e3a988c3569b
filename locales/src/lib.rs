//! Gatehouse's words: one catalog per language in Fluent syntax (`locales/en.ftl`,
//! `locales/de.ftl`), files a translator can open. `build.rs` compiles them into [`Msg`]: a key
//! that one language lacks fails the build. Pages, forms and refusals use [`t`] and [`tf`].
use gatehouse_domain::locale::Locale;

include!(concat!(env!("OUT_DIR"), "/catalog.rs"));

/// The text of `msg` in `locale`.
pub fn t(locale: Locale, msg: Msg) -> &'static str {
    msg.text(locale)
}

/// The text with its `{ $name }` placeables filled in.
pub fn tf(locale: Locale, msg: Msg, args: &[(&str, &str)]) -> String {
    let mut s = msg.text(locale).to_string();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// An admin permission's description (`perm-` and the key with dashes in the catalogs); `None`
/// for a key that is not an admin permission.
pub fn admin_permission_text(locale: Locale, key: &str) -> Option<&'static str> {
    gatehouse_domain::authz::catalog::admin_permission(key)?;
    Msg::from_key(&format!("perm-{}", key.replace(['.', '_'], "-"))).map(|m| m.text(locale))
}

/// What an access request asks for, in words: a role or a permission at a unit (or
/// organization-wide), or membership of a unit; an admin permission by its description and key.
pub fn asked(locale: Locale, asked: &gatehouse_domain::requests::Asked, role: Option<&str>, unit: Option<&str>) -> String {
    use gatehouse_domain::requests::Asked as A;
    let permission_name = |key: &str| match admin_permission_text(locale, key) {
        Some(text) => tf(locale, Msg::AskedPermissionName, &[("text", text), ("key", key)]),
        None => key.to_string(),
    };
    match (asked, unit) {
        (A::Role { .. }, Some(u)) => tf(locale, Msg::AskedRoleAt, &[("role", role.unwrap_or("?")), ("unit", u)]),
        (A::Role { .. }, None) => tf(locale, Msg::AskedRoleOrg, &[("role", role.unwrap_or("?"))]),
        (A::Permission { permission, .. }, Some(u)) => tf(locale, Msg::AskedPermissionAt, &[("permission", &permission_name(permission)), ("unit", u)]),
        (A::Permission { permission, .. }, None) => tf(locale, Msg::AskedPermissionOrg, &[("permission", &permission_name(permission))]),
        (A::Unit { .. }, u) => tf(locale, Msg::AskedUnit, &[("unit", u.unwrap_or("?"))]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_admin_permission_is_described_in_every_language() {
        for p in gatehouse_domain::authz::catalog::ADMIN_PERMISSIONS {
            let texts: Vec<&str> = Locale::ALL.iter().map(|l| admin_permission_text(*l, p.key).unwrap_or_else(|| panic!("{} has no perm- key", p.key))).collect();
            assert!(texts[0] != texts[1], "{} reads the same in both languages", p.key);
        }
        assert_eq!(admin_permission_text(Locale::De, "roles.assign"), Some("Rollen zuweisen und Berechtigungen anpassen"));
        assert_eq!(admin_permission_text(Locale::En, "tournaments.view"), None);
        assert_eq!(Msg::from_key("sign-in-title"), Some(Msg::SignInTitle));
    }

    #[test]
    fn what_a_request_asks_for_reads_in_each_language() {
        use gatehouse_domain::ids::{RoleId, UnitId};
        use gatehouse_domain::requests::Asked;
        let perm = Asked::Permission { permission: "members.view".into(), unit: Some(UnitId(3)) };
        assert_eq!(asked(Locale::En, &perm, None, Some("Sales")), "permission “See members and their details (members.view)” at Sales");
        assert_eq!(asked(Locale::De, &perm, None, Some("Vertrieb")), "Berechtigung „Mitglieder und ihre Daten sehen (members.view)“ in Vertrieb");
        let content = Asked::Permission { permission: "tickets.close".into(), unit: None };
        assert_eq!(asked(Locale::En, &content, None, None), "permission “tickets.close” organization-wide");
        let role = Asked::Role { role: RoleId(1), unit: None };
        assert_eq!(asked(Locale::De, &role, Some("Entwickler"), None), "Rolle „Entwickler“ organisationsweit");
        assert_eq!(asked(Locale::En, &Asked::Unit { unit: UnitId(2) }, None, Some("Ops")), "membership of Ops");
    }

    #[test]
    fn every_key_has_a_text_in_every_language() {
        for m in Msg::ALL {
            for l in Locale::ALL {
                assert!(!m.text(l).is_empty(), "{} has no {} text", m.key(), l.code());
            }
        }
        assert_eq!(tf(Locale::De, Msg::Throttled, &[("seconds", "30")]), "Zu viele Fehlversuche. Bitte in 30 Sekunden erneut versuchen.");
        assert_eq!(Msg::SignInTitle.key(), "sign-in-title");
    }

    #[test]
    fn the_catalogs_are_the_same_keys_with_the_same_placeables() {
        let read = |f: &str| std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(f)).unwrap();
        let entries = |text: &str| -> Vec<(String, Vec<String>)> {
            text.lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .map(|l| {
                    let (k, v) = l.split_once(" = ").unwrap();
                    let mut names: Vec<String> = v.split("{ $").skip(1).map(|p| p.split(' ').next().unwrap().to_string()).collect();
                    names.sort();
                    (k.to_string(), names)
                })
                .collect()
        };
        let (en, de) = (entries(&read("en.ftl")), entries(&read("de.ftl")));
        assert_eq!(en.len(), de.len());
        for ((ke, pe), (kd, pd)) in en.iter().zip(&de) {
            assert_eq!(ke, kd, "the catalogs list their keys in the same order");
            assert_eq!(pe, pd, "{ke}: both languages fill in the same values");
        }
    }
}
