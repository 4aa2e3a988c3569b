//! Words a person reads come from the catalogs (`locales/*.ftl`), never from a `format!` or a
//! sentence written into the code: this test reads the sources of every crate and fails on
//! prose built there. Text that is not for a person's eyes (SQL, CSS classes, log lines, the
//! operator's command line) is told apart by its shape, or by a `// not user text: <why>` comment
//! on its line or the line above.
use std::path::{Path, PathBuf};

/// The operator's command line (`gatehouse serve`, `seed-demo` …) speaks English to whoever runs
/// the server; it is not part of the portal.
const OPERATOR_FILES: &[&str] = &["server/src/main.rs"];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if name != "tests" {
                sources(&path, out);
            }
        } else if name.ends_with(".rs") && name != "tests.rs" && name != "testing.rs" {
            out.push(path);
        }
    }
}

/// The string literals that open a `format!(` on each line, with their line numbers.
fn format_literals(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        let mut rest = line;
        while let Some(i) = rest.find("format!(") {
            rest = &rest[i + "format!(".len()..];
            let Some(body) = rest.trim_start().strip_prefix('"') else { continue };
            let mut lit = String::new();
            let mut chars = body.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => lit.extend(chars.next()),
                    '"' => break,
                    c => lit.push(c),
                }
            }
            out.push((n, lit));
        }
    }
    out
}

/// Two words of letters side by side, once the placeholders are taken out: a phrase.
fn is_prose(text: &str) -> bool {
    let mut plain = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                plain.push('#');
            }
            c if depth == 0 => plain.push(c),
            _ => {}
        }
    }
    let first = plain.split_whitespace().next().unwrap_or_default();
    if ["SELECT", "CREATE", "DROP", "INSERT", "UPDATE", "DELETE", "ALTER", "WITH"].contains(&first) || plain.contains(" AND ") {
        return false;
    }
    let word = |w: &str| {
        let w = w.trim_start_matches(['(', '“', '„']).trim_end_matches(['.', ',', ':', ';', '!', '?', ')', '”', '“']);
        w.chars().count() >= 2 && w.chars().all(char::is_alphabetic)
    };
    let tokens: Vec<&str> = plain.split(' ').collect();
    tokens.windows(2).any(|p| word(p[0]) && word(p[1]))
}

/// A sentence (four or more words ending in a full stop) turned into a `String` in code.
fn sentences(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in code.lines().enumerate() {
        for end in [r#"".to_string()"#, r#"".into()"#, r#"".to_owned()"#] {
            if let Some(i) = line.find(end) {
                if let Some(start) = line[..i].rfind('"') {
                    let lit = &line[start + 1..i];
                    if lit.ends_with('.') && lit.split_whitespace().count() >= 4 {
                        out.push((n, lit.to_string()));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn no_words_for_people_are_built_outside_the_catalogs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let mut files = Vec::new();
    for krate in ["domain", "db", "mail", "app", "server", "frontend", "locales"] {
        sources(&root.join(krate).join("src"), &mut files);
    }
    assert!(files.len() > 40, "the sources were not found under {}", root.display());
    let mut found = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap().to_string_lossy().replace('\\', "/");
        if OPERATOR_FILES.contains(&rel.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        // A file's unit tests (at its end) may say what they like.
        let code = match text.find("#[cfg(test)]\nmod tests") {
            Some(i) => &text[..i],
            None => &text[..],
        };
        let lines: Vec<&str> = code.lines().collect();
        let excused = |n: usize| lines[n].contains("// not user text:") || (n > 0 && lines[n - 1].trim_start().starts_with("// not user text:"));
        let hits = format_literals(code).into_iter().filter(|(n, lit)| is_prose(lit) && !lines[*n].contains("class=")).chain(sentences(code));
        for (n, lit) in hits {
            if !excused(n) {
                found.push(format!("{rel}:{}: {lit:?}", n + 1));
            }
        }
    }
    assert!(found.is_empty(), "words for people built in code; put them in locales/*.ftl (or mark `// not user text: why`):\n{}", found.join("\n"));
}

#[test]
fn the_check_sees_what_it_should() {
    assert!(is_prose("membership of {}"));
    assert!(is_prose("{name} is not a member of {org}"));
    assert!(!is_prose("/o/{slug}/requests/{id}"));
    assert!(!is_prose("{} · {} · {}"));
    assert!(!is_prose("SELECT COUNT(*) AS n FROM {table}"));
    assert!(!is_prose("{scope}/{visibility}"));
    assert_eq!(format_literals(r#"let a = format!("x {y} z", y = 1); let b = format!( "a\"b c" );"#), vec![(0, "x {y} z".to_string()), (0, "a\"b c".to_string())]);
    assert_eq!(sentences(r#"Err("The service is down. Please try again.".to_string())"#).len(), 1);
}
