//! Compiles the catalogs (`en.ftl`, `de.ftl`, Fluent syntax: `key = text`, `{ $name }` for what
//! the program fills in, `#` comments) into `enum Msg` with each language's text. The build
//! fails on a key that one language lacks, on a duplicate key and on Fluent this reader does not
//! support (a translator's mistake shows at once, never as a missing word on a page).
use std::collections::BTreeMap;
use std::fmt::Write;

const LANGUAGES: &[(&str, &str)] = &[("En", "en.ftl"), ("De", "de.ftl")];

fn parse(file: &str, text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let at = format!("{file}:{}", n + 1);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(" = ") else { panic!("{at}: expected `key = text`: {line}") };
        assert!(
            !key.is_empty() && key.starts_with(|c: char| c.is_ascii_lowercase()) && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{at}: a key is lower-case letters, digits and dashes: {key:?}"
        );
        assert!(!out.iter().any(|(k, _)| k == key), "{at}: {key} is there twice");
        out.push((key.to_string(), value_of(&at, value)));
    }
    out
}

/// Fluent placeables → the program's `{name}`; `{""}` is an empty text.
fn value_of(at: &str, value: &str) -> String {
    if value == "{\"\"}" {
        return String::new();
    }
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find('}').unwrap_or_else(|| panic!("{at}: an unclosed {{"));
        let inner = rest[i + 1..i + end].trim();
        let name = inner.strip_prefix('$').filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        let name = name.unwrap_or_else(|| panic!("{at}: only {{ $name }} placeables are supported, not {{{inner}}}"));
        write!(out, "{{{name}}}").unwrap();
        rest = &rest[i + end + 1..];
    }
    assert!(!rest.contains('}'), "{at}: a stray }}");
    out.push_str(rest);
    out
}

fn variant(key: &str) -> String {
    key.split('-').map(|p| p[..1].to_uppercase() + &p[1..]).collect()
}

fn main() {
    let dir = std::path::PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let mut catalogs = Vec::new();
    for (lang, file) in LANGUAGES {
        let path = dir.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
        catalogs.push((*lang, *file, parse(file, &text)));
    }
    // Every key in every language, in the first catalog's order.
    let keys: Vec<String> = catalogs[0].2.iter().map(|(k, _)| k.clone()).collect();
    for (_, file, entries) in &catalogs {
        let have: BTreeMap<&str, ()> = entries.iter().map(|(k, _)| (k.as_str(), ())).collect();
        let missing: Vec<&String> = keys.iter().filter(|k| !have.contains_key(k.as_str())).collect();
        assert!(missing.is_empty(), "{file} lacks {missing:?}");
        let extra: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).filter(|k| !keys.iter().any(|x| x == k)).collect();
        assert!(extra.is_empty(), "{file} has keys no other catalog has: {extra:?}");
    }
    let mut code = String::new();
    code.push_str("/// Every text of the portal, by key; `text` gives it in a language.\n");
    code.push_str("#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]\npub enum Msg {\n");
    for k in &keys {
        writeln!(code, "    {},", variant(k)).unwrap();
    }
    code.push_str("}\n\nimpl Msg {\n    pub const ALL: &'static [Msg] = &[");
    for k in &keys {
        write!(code, "Msg::{}, ", variant(k)).unwrap();
    }
    code.push_str("];\n\n    /// The key in the catalogs.\n    pub fn key(self) -> &'static str {\n        KEYS[self as usize]\n    }\n\n");
    code.push_str("    /// The message with this key, for words named by data (a permission's key, say).\n    pub fn from_key(key: &str) -> Option<Msg> {\n        match key {\n");
    for k in &keys {
        writeln!(code, "            {k:?} => Some(Msg::{}),", variant(k)).unwrap();
    }
    code.push_str("            _ => None,\n        }\n    }\n\n");
    code.push_str("    pub fn text(self, locale: gatehouse_domain::locale::Locale) -> &'static str {\n        match locale {\n");
    for (lang, _, _) in &catalogs {
        writeln!(code, "            gatehouse_domain::locale::Locale::{lang} => {}[self as usize],", lang.to_uppercase()).unwrap();
    }
    code.push_str("        }\n    }\n}\n\n");
    writeln!(code, "static KEYS: [&str; {}] = {:?};", keys.len(), keys).unwrap();
    for (lang, _, entries) in &catalogs {
        let by_key: BTreeMap<&str, &str> = entries.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let texts: Vec<&str> = keys.iter().map(|k| by_key[k.as_str()]).collect();
        writeln!(code, "static {}: [&str; {}] = {:?};", lang.to_uppercase(), keys.len(), texts).unwrap();
    }
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("catalog.rs");
    std::fs::write(out, code).unwrap();
}
