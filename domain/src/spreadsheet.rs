//! CSV cells that are safe to open in a spreadsheet. A cell starting with `=`, `+`, `-`, `@`, a
//! tab or a carriage return is run as a formula by Excel, LibreOffice and Google Sheets (CSV
//! injection): such a cell is written with a leading apostrophe, which spreadsheets show as text.
//! Plain numbers — a phone number like `+49 151 …` — stay as they are. Reading strips the
//! apostrophe again, so an export can be edited and imported back unchanged.
use std::borrow::Cow;

fn runs_as_formula(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some('=' | '@' | '\t' | '\r') => true,
        Some('+' | '-') => !chars.all(|c| c.is_ascii_digit() || " ()-./".contains(c)),
        _ => false,
    }
}

/// The cell as written to a CSV file.
pub fn guard(s: &str) -> Cow<'_, str> {
    if runs_as_formula(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The cell as read from a CSV file written by [`guard`] (or by hand in the same way).
pub fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if runs_as_formula(rest) => rest,
        _ => s,
    }
}

/// One CSV line (with its line break): each cell guarded, and quoted where it holds a comma,
/// a quote or a line break.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let mut out = String::new();
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let g = guard(c.as_ref());
        if g.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&g.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&g);
        }
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_quote_what_needs_it() {
        assert_eq!(line(&["a", "b,c", "say \"hi\"", "=1+1", "two\nlines"]), "a,\"b,c\",\"say \"\"hi\"\"\",'=1+1,\"two\nlines\"\r\n");
        assert_eq!(line::<&str>(&[]), "\r\n");
    }

    #[test]
    fn formulas_become_text_and_numbers_stay() {
        for (raw, written) in [
            ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(1,2)", "'@SUM(1,2)"),
            ("\t=1", "'\t=1"),
            ("+4915112345678", "+4915112345678"),
            ("+49 (151) 123-456", "+49 (151) 123-456"),
            ("-12.5", "-12.5"),
            ("Ada Lovelace", "Ada Lovelace"),
            ("", ""),
            ("'quoted", "'quoted"),
        ] {
            assert_eq!(guard(raw), written, "{raw}");
            assert_eq!(unguard(&guard(raw)), raw, "{raw} reads back");
        }
        // An apostrophe a person typed before something harmless is kept.
        assert_eq!(unguard("'quoted"), "'quoted");
    }
}
