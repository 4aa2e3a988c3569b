//! Where a caller-supplied path may send the browser: only to a path on this origin.
//!
//! Browsers parse a `Location` (and a link) with the WHATWG URL rules before following it: they
//! drop tab, CR and LF anywhere, treat `\` like `/`, and read `//host` as another site. So a
//! value is followed only when, after that normalisation, it still names a path here: it starts
//! with exactly one `/`, contains no `\` and no ASCII control character, and its path does not
//! turn into `//…` once percent-escapes are decoded. Anything else sends the browser to `/`.
//! Every redirect of the portal goes through [`local_path`].

/// Longer values are not followed (no page of ours has a path this long).
pub const MAX_LEN: usize = 2048;

/// `value` when it is a safe local path, else `"/"`.
pub fn local_path(value: Option<&str>) -> &str {
    match value {
        Some(v) if is_local_path(v) => v,
        _ => "/",
    }
}

/// Is `value` a path on this origin, whatever the browser does to it?
pub fn is_local_path(value: &str) -> bool {
    if value.is_empty() || value.len() > MAX_LEN || !safe_chars(value.as_bytes()) {
        return false;
    }
    let path = value.split(['?', '#']).next().unwrap_or("");
    if !path_stays_here(path.as_bytes()) {
        return false;
    }
    // The same once more with percent-escapes decoded: a server or proxy along the way may
    // decode them (`/%2f%2fevil.example`, `/%09/evil.example`, `/%5cevil.example`).
    match percent_decode(path.as_bytes()) {
        Some(decoded) => safe_chars(&decoded) && path_stays_here(&decoded),
        None => false,
    }
}

/// No control characters (tab, CR, LF, NUL … and DEL) and no backslash.
fn safe_chars(bytes: &[u8]) -> bool {
    !bytes.iter().any(|b| b.is_ascii_control() || *b == b'\\')
}

/// Exactly one leading slash.
fn path_stays_here(path: &[u8]) -> bool {
    path.first() == Some(&b'/') && path.get(1) != Some(&b'/')
}

/// Decodes `%XX` escapes; `None` for a malformed escape (not followed either).
fn percent_decode(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let s = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(s, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_this_origin_are_followed() {
        let kept = [
            "/",
            "/o/acme/members",
            "/o/acme/members?q=a%20b&page=2",
            "/o/acme/members?q=%C3%96zdemir",
            "/o/acme/requests/7?link=1.2.abc#decide",
            "/sign-in?next=%2Fo%2Facme",
            "/o/acme/search?q=http://example.com",
            "/o/nordwind/mitglieder/Jürgen",
        ];
        for v in kept {
            assert_eq!(local_path(Some(v)), v, "{v:?} stays");
        }
        let refused = [
            "",
            "evil.example",
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\t/evil.example/",
            "/\r/evil.example/",
            "/\n/evil.example/",
            "/x\r\nSet-Cookie: a=b",
            "/\0",
            "/x\u{7f}",
            "/ok\\path",
            "/%09/evil.example/",
            "/%2f%2fevil.example",
            "/%2F/evil.example",
            "/%5cevil.example",
            "/%0d%0aSet-Cookie:x",
            "/%zz",
            "/%4",
            "javascript:alert(1)",
            "https://evil.example/",
            " /o/acme",
            "/?q=\t",
        ];
        for v in refused {
            assert_eq!(local_path(Some(v)), "/", "{v:?} is not followed");
        }
        let overlong = format!("/{}", "a".repeat(MAX_LEN));
        assert_eq!(local_path(Some(&overlong)), "/");
        let longest = format!("/{}", "a".repeat(MAX_LEN - 1));
        assert_eq!(local_path(Some(&longest)), longest);
        assert_eq!(local_path(None), "/");
    }
}
