//! The members list's query: search, filters, sorting and paging, parsed from URL parameters
//! with safe defaults so a hand-edited URL never fails.
use crate::ids::{TagId, UnitId};
use crate::member::{MemberKind, MemberStatus};
use serde::{Deserialize, Serialize};

pub const DEFAULT_PER_PAGE: u32 = 25;
pub const MAX_PER_PAGE: u32 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum MemberSort {
    #[default]
    Name,
    Email,
    Kind,
    Status,
    Joined,
}

impl MemberSort {
    pub const ALL: [MemberSort; 5] =
        [MemberSort::Name, MemberSort::Email, MemberSort::Kind, MemberSort::Status, MemberSort::Joined];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberSort::Name => "name",
            MemberSort::Email => "email",
            MemberSort::Kind => "kind",
            MemberSort::Status => "status",
            MemberSort::Joined => "joined",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MemberQuery {
    /// Matches name or email, case-insensitively, anywhere in the text.
    pub search: Option<String>,
    /// Members of this unit or any unit below it.
    pub unit: Option<UnitId>,
    pub tag: Option<TagId>,
    pub kind: Option<MemberKind>,
    pub status: Option<MemberStatus>,
    pub sort: MemberSort,
    pub descending: bool,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
}

impl MemberQuery {
    /// Builds a query from URL parameters (`q`, `unit`, `tag`, `kind`, `status`, `sort`, `dir`,
    /// `page`, `per_page`). Unknown or malformed values fall back to "no filter" / defaults.
    pub fn from_params<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Self {
        let non_empty = |k: &str| get(k).map(str::trim).filter(|v| !v.is_empty());
        let search = non_empty("q").map(|s| s.chars().take(100).collect());
        let unit = non_empty("unit").and_then(|v| v.parse().ok()).map(UnitId);
        let tag = non_empty("tag").and_then(|v| v.parse().ok()).map(TagId);
        let kind = non_empty("kind").and_then(|v| MemberKind::parse(v).ok());
        let status = non_empty("status").and_then(|v| MemberStatus::parse(v).ok());
        let sort = non_empty("sort").and_then(MemberSort::parse).unwrap_or_default();
        let descending = non_empty("dir") == Some("desc");
        let page = non_empty("page").and_then(|v| v.parse().ok()).filter(|p| *p >= 1).unwrap_or(1);
        let per_page = non_empty("per_page")
            .and_then(|v| v.parse().ok())
            .filter(|p| *p >= 1)
            .map(|p: u32| p.min(MAX_PER_PAGE))
            .unwrap_or(DEFAULT_PER_PAGE);
        Self { search, unit, tag, kind, status, sort, descending, page, per_page }
    }

    /// The URL parameters that reproduce this query (defaults left out), for links.
    pub fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut p = Vec::new();
        if let Some(s) = &self.search {
            p.push(("q", s.clone()));
        }
        if let Some(u) = self.unit {
            p.push(("unit", u.0.to_string()));
        }
        if let Some(t) = self.tag {
            p.push(("tag", t.0.to_string()));
        }
        if let Some(k) = self.kind {
            p.push(("kind", k.as_str().to_string()));
        }
        if let Some(s) = self.status {
            p.push(("status", s.as_str().to_string()));
        }
        if self.sort != MemberSort::Name {
            p.push(("sort", self.sort.as_str().to_string()));
        }
        if self.descending {
            p.push(("dir", "desc".to_string()));
        }
        if self.page != 1 {
            p.push(("page", self.page.to_string()));
        }
        if self.per_page != DEFAULT_PER_PAGE {
            p.push(("per_page", self.per_page.to_string()));
        }
        p
    }

    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.per_page)
    }

    pub fn page_count(&self, total: u64) -> u32 {
        total.div_ceil(u64::from(self.per_page.max(1))).max(1) as u32
    }
}

/// A text as the members list compares it: lower case, accents and other marks removed
/// ("Özdemir" → "ozdemir", "García" → "garcia"), compatibility forms unified. The same on both
/// databases (SQLite's `lower()` only knows ASCII), so it is computed here and stored.
pub fn fold(s: &str) -> String {
    use unicode_normalization::char::is_combining_mark;
    use unicode_normalization::UnicodeNormalization;
    s.nfkd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect()
}

/// What a membership is sorted by in the list: its folded shown name (the pseudonym once there
/// is one).
pub fn sort_key(name: Option<&str>, pseudonym: Option<&str>) -> String {
    fold(pseudonym.or(name).unwrap_or_default().trim())
}

/// What a search looks in: the folded name, address and pseudonym, one per line (a search never
/// matches across two of them).
pub fn search_key(name: Option<&str>, email: Option<&str>, pseudonym: Option<&str>) -> String {
    [name, email, pseudonym].iter().flatten().map(|s| fold(s.trim())).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Özdemir"), "ozdemir");
        assert_eq!(fold("ÖZDEMİR"), fold("özdemir"));
        assert_eq!(fold("García Müller"), "garcia muller");
        assert_eq!(fold("Łukasz"), "łukasz"); // a letter of its own, not a mark: kept
        assert_eq!(sort_key(Some(" Anna Berg "), None), "anna berg");
        assert_eq!(sort_key(Some("Anna Berg"), Some("Former member 7")), "former member 7");
        let k = search_key(Some("Jörg Krüger"), Some("jorg.kruger@acme.example"), None);
        assert!(k.contains("jorg kruger") && k.contains("@acme.example") && !k.contains('ö'));
    }

    fn q(pairs: &[(&str, &str)]) -> MemberQuery {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        MemberQuery::from_params(|k| m.get(k).map(String::as_str))
    }

    #[test]
    fn parses_filters_and_falls_back_on_garbage() {
        let m = q(&[("q", " anna "), ("unit", "4"), ("kind", "auditor"), ("status", "active"), ("sort", "email"), ("dir", "desc"), ("page", "3")]);
        assert_eq!(m.search.as_deref(), Some("anna"));
        assert_eq!(m.unit, Some(UnitId(4)));
        assert_eq!(m.kind, Some(MemberKind::Auditor));
        assert_eq!(m.status, Some(MemberStatus::Active));
        assert_eq!((m.sort, m.descending, m.page), (MemberSort::Email, true, 3));
        assert_eq!(m.offset(), 50);
        let g = q(&[("unit", "x"), ("kind", "boss"), ("sort", "drop table"), ("page", "0"), ("per_page", "100000")]);
        assert_eq!((g.unit, g.kind, g.sort, g.page, g.per_page), (None, None, MemberSort::Name, 1, MAX_PER_PAGE));
    }

    #[test]
    fn params_round_trip_and_page_count() {
        let m = q(&[("q", "x"), ("tag", "2"), ("status", "invited"), ("sort", "joined"), ("page", "2")]);
        let params = m.to_params();
        let back = q(&params.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>());
        assert_eq!(back, m);
        assert_eq!(MemberQuery::default().to_params().len(), 2); // page 0 and per_page 0 are not defaults
        let d = q(&[]);
        assert!(d.to_params().is_empty());
        assert_eq!(d.page_count(0), 1);
        assert_eq!(d.page_count(10_000), 400);
        assert_eq!(d.page_count(10_001), 401);
    }
}
