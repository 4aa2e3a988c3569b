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

#[cfg(test)]
mod tests {
    use super::*;

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
