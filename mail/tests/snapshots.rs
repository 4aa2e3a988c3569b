//! Every message of the catalog, rendered in every language, compared with the reviewed text
//! part in `tests/snapshots/`. After an intended change, regenerate with
//! `UPDATE_SNAPSHOTS=1 cargo test -p gatehouse_mail --test snapshots` and review the diff.
use gatehouse_domain::locale::Locale;
use gatehouse_mail::{render, Mail};
use std::path::PathBuf;

#[test]
fn every_message_renders_in_every_language_as_reviewed() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let update = std::env::var("UPDATE_SNAPSHOTS").is_ok();
    let mut seen = std::collections::HashMap::<&str, usize>::new();
    let mut failures = Vec::new();
    let mut files = Vec::new();
    for mail in Mail::examples() {
        for locale in Locale::ALL {
            let r = render(&mail, locale, "https://gatehouse.example").expect("renders");
            let n = seen.entry(r.template).or_default();
            if locale == Locale::En {
                *n += 1;
            }
            let name = format!("{}-{}.{}.txt", r.template, n, locale.code());
            files.push(name.clone());
            let snapshot = format!("Subject: {}\n\n{}\n", r.subject, r.text);
            // The HTML part carries the same words, the language and the absolute link.
            assert!(r.html.contains(&format!("lang=\"{}\"", locale.code())), "{name}");
            assert!(r.html.contains("https://gatehouse.example"), "{name}");
            let path = dir.join(&name);
            if update {
                std::fs::write(&path, &snapshot).unwrap();
            } else {
                match std::fs::read_to_string(&path) {
                    Ok(expected) if expected == snapshot => {}
                    Ok(expected) => failures.push(format!("{name} differs:\n--- expected\n{expected}\n--- rendered\n{snapshot}")),
                    Err(_) => failures.push(format!("{name} has no snapshot (run with UPDATE_SNAPSHOTS=1 and review)")),
                }
            }
        }
    }
    assert!(files.len() >= 18, "every message in both languages: {files:?}");
    // A snapshot without a message behind it is stale.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let f = entry.unwrap().file_name().into_string().unwrap();
        if f.ends_with(".txt") && !files.contains(&f) {
            failures.push(format!("stale snapshot {f}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
