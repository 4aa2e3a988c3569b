//! Adding people: what an invitation needs, how a typed-in person or a CSV row is checked
//! against the organization (units, tags, roles, who is already there), and the CSV format that
//! import and export share. Pure: the database supplies a [`Directory`], nothing here writes.
use crate::ids::{RoleId, TagId, UnitId};
use crate::locale::Locale;
use crate::member::MemberKind;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The CSV columns, in order, for import and export alike. Lists inside a cell are separated by
/// `;`; a unit is its name when that is unique, otherwise its path (`Sales / North`).
pub const COLUMNS: [&str; 8] = ["email", "name", "mobile_phone", "locale", "kind", "tags", "units", "roles"];
/// Separator of a unit's path.
pub const PATH_SEP: &str = " / ";
/// Rows one upload may hold.
pub const MAX_ROWS: usize = 20_000;

/// Something wrong with a person's data, shown next to the row (or the form field) it is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    MissingEmail,
    BadEmail(String),
    MissingName,
    BadPhone(String),
    PhoneRequired,
    BadLocale(String),
    BadKind(String),
    UnknownUnit(String),
    AmbiguousUnit(String),
    UnknownTag(String),
    UnknownRole(String),
    /// The same address appears earlier in the file (on that line).
    Duplicate { line: usize },
    /// Was a member and left: their history stays with the ended membership.
    FormerMember,
    AlreadyMember,
    AlreadyInvited,
    /// The invitation was withdrawn.
    Revoked,
    /// The person doing the import may not invite into this unit or give this role.
    NotAllowed,
    /// The address was given up by an account that may still take it back (an open undo link
    /// of an email change): no other identity may take it meanwhile.
    AddressHeld,
    /// The file itself: a required column is missing.
    MissingColumn(String),
    UnknownColumn(String),
    Unreadable(String),
    TooManyRows(usize),
    NoRows,
}

/// Where an address already stands in the organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    Member,
    /// Invited and the invitation is open (or expired: resend it from the pending list).
    Invited,
    /// The membership ended after they had joined.
    Former,
    /// Invited once, never joined, the invitation was revoked: may be invited again.
    Revoked,
    /// An identity elsewhere, not in this organization (the invitation reuses it).
    Elsewhere,
}

/// What the organization offers to an invitation.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    /// id, name, full path.
    pub units: Vec<(UnitId, String, String)>,
    pub tags: Vec<(TagId, String)>,
    /// id, key, name (live roles only).
    pub roles: Vec<(RoleId, String, String)>,
    /// By normalized email.
    pub standing: HashMap<String, Standing>,
    /// ISO 3166 region for numbers typed without a country code.
    pub phone_region: Option<String>,
    pub phone_required: bool,
}

/// What the invite form chose by id: units, tags and a role (empty for none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChosenIds {
    pub units: Vec<String>,
    pub tags: Vec<String>,
    pub role: String,
}

impl Directory {
    /// The form's ids as the names [`check`] reads (unit paths, tag and role names); `None` when
    /// one names nothing in the organization.
    pub fn named(&self, mut input: PersonInput, ids: &ChosenIds) -> Option<PersonInput> {
        let each = |list: &[String], name: &dyn Fn(i64) -> Option<String>| list.iter().map(|s| s.parse::<i64>().ok().and_then(name)).collect::<Option<Vec<_>>>();
        input.units = each(&ids.units, &|id| self.units.iter().find(|u| u.0 .0 == id).map(|u| u.2.clone()))?;
        input.tags = each(&ids.tags, &|id| self.tags.iter().find(|t| t.0 .0 == id).map(|t| t.1.clone()))?;
        input.roles = if ids.role.is_empty() { vec![] } else { each(std::slice::from_ref(&ids.role), &|id| self.roles.iter().find(|r| r.0 .0 == id).map(|r| r.1.clone()))? };
        Some(input)
    }

    #[cfg(feature = "people")]
    fn unit(&self, s: &str) -> Result<UnitId, Problem> {
        let want = s.trim().to_lowercase();
        let by_path: Vec<_> = self.units.iter().filter(|u| u.2.to_lowercase() == want).collect();
        if by_path.len() == 1 {
            return Ok(by_path[0].0);
        }
        let by_name: Vec<_> = self.units.iter().filter(|u| u.1.to_lowercase() == want).collect();
        match by_name.len() {
            1 => Ok(by_name[0].0),
            0 => Err(Problem::UnknownUnit(s.trim().to_string())),
            _ => Err(Problem::AmbiguousUnit(s.trim().to_string())),
        }
    }

    #[cfg(feature = "people")]
    fn tag(&self, s: &str) -> Result<TagId, Problem> {
        let want = s.trim().to_lowercase();
        self.tags.iter().find(|t| t.1.to_lowercase() == want).map(|t| t.0).ok_or_else(|| Problem::UnknownTag(s.trim().to_string()))
    }

    #[cfg(feature = "people")]
    fn role(&self, s: &str) -> Result<RoleId, Problem> {
        let want = s.trim().to_lowercase();
        self.roles
            .iter()
            .find(|r| r.1.to_lowercase() == want)
            .or_else(|| self.roles.iter().find(|r| r.2.to_lowercase() == want))
            .map(|r| r.0)
            .ok_or_else(|| Problem::UnknownRole(s.trim().to_string()))
    }

    /// How a unit is written in a CSV cell: its name when unique, else its path.
    pub fn unit_label(&self, id: UnitId) -> Option<String> {
        let u = self.units.iter().find(|u| u.0 == id)?;
        let same = self.units.iter().filter(|o| o.1.eq_ignore_ascii_case(&u.1)).count();
        Some(if same == 1 { u.1.clone() } else { u.2.clone() })
    }
}

/// A person as typed (form) or read (CSV): text, not yet checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonInput {
    pub email: String,
    pub name: String,
    pub mobile_phone: String,
    pub locale: String,
    pub kind: String,
    pub tags: Vec<String>,
    pub units: Vec<String>,
    pub roles: Vec<String>,
}

/// A checked invitation, ready to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invitee {
    pub email: String,
    pub name: String,
    pub mobile_phone: Option<String>,
    pub locale: Locale,
    pub kind: MemberKind,
    pub tags: Vec<TagId>,
    pub units: Vec<UnitId>,
    pub roles: Vec<RoleId>,
    /// The address already has an identity (elsewhere): the invitation reuses it.
    pub existing_identity: bool,
}

/// The verdict on one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    Ready(Invitee),
    /// Nothing to do (already a member, already invited): an import skips it, so uploading
    /// the same file twice changes nothing the second time.
    Skip(Problem),
    Invalid(Vec<Problem>),
}

#[cfg(feature = "people")]
fn kind(s: &str) -> Result<MemberKind, Problem> {
    match s.trim().to_lowercase().as_str() {
        "" => Ok(MemberKind::Employee),
        other => MemberKind::parse(other).map_err(|_| Problem::BadKind(s.trim().to_string())),
    }
}

#[cfg(feature = "people")]
fn locale(s: &str) -> Result<Locale, Problem> {
    if s.trim().is_empty() {
        return Ok(Locale::En);
    }
    Locale::parse(s).ok_or_else(|| Problem::BadLocale(s.trim().to_string()))
}

/// Checks one person against the organization. Every problem of the row is reported at once.
#[cfg(feature = "people")]
pub fn check(input: &PersonInput, dir: &Directory) -> Verdict {
    let mut problems = Vec::new();
    let email = match input.email.trim() {
        "" => {
            problems.push(Problem::MissingEmail);
            None
        }
        e => match crate::validate::normalize_email(e) {
            Ok(e) => Some(e),
            Err(_) => {
                problems.push(Problem::BadEmail(e.to_string()));
                None
            }
        },
    };
    let standing = email.as_ref().and_then(|e| dir.standing.get(e)).copied();
    match standing {
        Some(Standing::Member) => return Verdict::Skip(Problem::AlreadyMember),
        Some(Standing::Invited) => return Verdict::Skip(Problem::AlreadyInvited),
        Some(Standing::Former) => problems.push(Problem::FormerMember),
        _ => {}
    }
    let existing_identity = standing == Some(Standing::Elsewhere);
    let name = input.name.trim().to_string();
    // An existing identity keeps the name its person chose; a new one needs a name.
    if name.is_empty() && !existing_identity {
        problems.push(Problem::MissingName);
    }
    let phone = match input.mobile_phone.trim() {
        "" => {
            if dir.phone_required {
                problems.push(Problem::PhoneRequired);
            }
            None
        }
        p => match crate::validate::normalize_phone(p, dir.phone_region.as_deref()) {
            Ok(p) => Some(p),
            Err(_) => {
                problems.push(Problem::BadPhone(p.to_string()));
                None
            }
        },
    };
    let locale = locale(&input.locale).map_err(|p| problems.push(p)).ok();
    let kind = kind(&input.kind).map_err(|p| problems.push(p)).ok();
    let mut units = Vec::new();
    for u in &input.units {
        match dir.unit(u) {
            Ok(id) if !units.contains(&id) => units.push(id),
            Ok(_) => {}
            Err(p) => problems.push(p),
        }
    }
    let mut tags = Vec::new();
    for t in &input.tags {
        match dir.tag(t) {
            Ok(id) if !tags.contains(&id) => tags.push(id),
            Ok(_) => {}
            Err(p) => problems.push(p),
        }
    }
    let mut roles = Vec::new();
    for r in &input.roles {
        match dir.role(r) {
            Ok(id) if !roles.contains(&id) => roles.push(id),
            Ok(_) => {}
            Err(p) => problems.push(p),
        }
    }
    if !problems.is_empty() {
        return Verdict::Invalid(problems);
    }
    Verdict::Ready(Invitee {
        email: email.unwrap_or_default(),
        name,
        mobile_phone: phone,
        locale: locale.unwrap_or_default(),
        kind: kind.unwrap_or(MemberKind::Employee),
        tags,
        units,
        roles,
        existing_identity,
    })
}

/// One row of an uploaded file: its line number (the header is line 1) and its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvRow {
    pub line: usize,
    pub person: PersonInput,
}

/// Reads an uploaded CSV: a header naming the columns (any order, [`COLUMNS`]; `email` and
/// `name` required), then one person per row. Comma or semicolon separated (spreadsheets in
/// German locales write semicolons); lists inside a cell by `;` when the file uses commas, by
/// `,` when it uses semicolons. A byte-order mark is ignored.
#[cfg(feature = "people")]
pub fn read_csv(text: &str) -> Result<Vec<CsvRow>, Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() { b';' } else { b',' };
    let list_sep = if delimiter == b';' { ',' } else { ';' };
    let mut r = csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let headers = r.headers().map_err(|e| Problem::Unreadable(e.to_string()))?.clone();
    let mut index: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        let h = h.trim().to_lowercase().replace([' ', '-'], "_");
        let h = match h.as_str() {
            "e_mail" | "mail" => "email".to_string(),
            "phone" | "mobile" => "mobile_phone".to_string(),
            "role" => "roles".to_string(),
            "unit" => "units".to_string(),
            "tag" => "tags".to_string(),
            "language" => "locale".to_string(),
            _ => h,
        };
        match COLUMNS.iter().find(|c| **c == h) {
            Some(c) => {
                index.insert(c, i);
            }
            None if h.is_empty() => {}
            None => return Err(Problem::UnknownColumn(headers.get(i).unwrap_or_default().to_string())),
        }
    }
    for required in ["email", "name"] {
        if !index.contains_key(required) {
            return Err(Problem::MissingColumn(required.to_string()));
        }
    }
    let split = |s: &str| -> Vec<String> { s.split(list_sep).map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect() };
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| Problem::Unreadable(e.to_string()))?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(rows.len() + 2);
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(Problem::TooManyRows(MAX_ROWS));
        }
        let cell = |c: &str| crate::spreadsheet::unguard(index.get(c).and_then(|i| rec.get(*i)).unwrap_or("")).to_string();
        rows.push(CsvRow {
            line,
            person: PersonInput {
                email: cell("email"),
                name: cell("name"),
                mobile_phone: cell("mobile_phone"),
                locale: cell("locale"),
                kind: cell("kind"),
                tags: split(&cell("tags")),
                units: split(&cell("units")),
                roles: split(&cell("roles")),
            },
        });
    }
    if rows.is_empty() {
        return Err(Problem::NoRows);
    }
    Ok(rows)
}

/// The preview of an upload: every row's verdict, duplicates within the file included.
#[cfg(feature = "people")]
pub fn preview(rows: &[CsvRow], dir: &Directory) -> Vec<(usize, Verdict)> {
    preview_range(rows, dir, 0..rows.len())
}

/// The verdicts of `rows[range]`, judged as part of the whole file (a row repeating an address
/// of an earlier row, in or before the range, is a duplicate). An import checks one batch at a
/// time this way; `dir` needs the standing of the range's addresses only.
#[cfg(feature = "people")]
pub fn preview_range(rows: &[CsvRow], dir: &Directory, range: std::ops::Range<usize>) -> Vec<(usize, Verdict)> {
    let mut first: HashMap<String, usize> = HashMap::new();
    for row in &rows[..range.end.min(rows.len())] {
        if let Ok(k) = crate::validate::normalize_email(&row.person.email) {
            first.entry(k).or_insert(row.line);
        }
    }
    rows[range.start.min(rows.len())..range.end.min(rows.len())]
        .iter()
        .map(|row| {
            let mut v = check(&row.person, dir);
            let earlier = crate::validate::normalize_email(&row.person.email).ok().and_then(|k| first.get(&k).copied()).filter(|l| *l != row.line);
            if let Some(line) = earlier {
                let dup = Problem::Duplicate { line };
                v = match v {
                    Verdict::Invalid(mut ps) => {
                        ps.insert(0, dup);
                        Verdict::Invalid(ps)
                    }
                    _ => Verdict::Invalid(vec![dup]),
                };
            }
            (row.line, v)
        })
        .collect()
}

/// Writes people in the import's format (header first), so an export can be edited and
/// uploaded again.
#[cfg(feature = "people")]
pub fn write_csv(people: &[PersonInput]) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(COLUMNS);
    // Every cell guarded against spreadsheet formulas (crate::spreadsheet); reading unguards.
    for p in people {
        let cells = [
            p.email.clone(),
            p.name.clone(),
            p.mobile_phone.clone(),
            p.locale.clone(),
            p.kind.clone(),
            p.tags.join("; "),
            p.units.join("; "),
            p.roles.join("; "),
        ];
        let _ = w.write_record(cells.iter().map(|c| crate::spreadsheet::guard(c).into_owned()));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(all(test, feature = "people"))]
mod tests {
    use super::*;

    fn dir() -> Directory {
        let mut standing = HashMap::new();
        standing.insert("old@acme.test".to_string(), Standing::Member);
        standing.insert("asked@acme.test".to_string(), Standing::Invited);
        standing.insert("left@acme.test".to_string(), Standing::Former);
        standing.insert("other@corp.test".to_string(), Standing::Elsewhere);
        Directory {
            units: vec![
                (UnitId(1), "Sales".into(), "Sales".into()),
                (UnitId(2), "North".into(), "Sales / North".into()),
                (UnitId(3), "North".into(), "Ops / North".into()),
                (UnitId(4), "Ops".into(), "Ops".into()),
            ],
            tags: vec![(TagId(7), "Remote".into())],
            roles: vec![(RoleId(9), "developer".into(), "Developer".into())],
            standing,
            phone_region: Some("DE".into()),
            phone_required: false,
        }
    }

    fn person(email: &str) -> PersonInput {
        PersonInput { email: email.into(), name: "Ada Lovelace".into(), ..Default::default() }
    }

    #[test]
    fn a_good_person_is_ready_with_everything_resolved() {
        let p = PersonInput {
            mobile_phone: "0151 1234 5678".into(),
            locale: "de".into(),
            kind: "partner".into(),
            tags: vec!["remote".into()],
            units: vec!["Sales / North".into(), "sales".into()],
            roles: vec!["Developer".into()],
            ..person(" Ada@Example.com ")
        };
        let Verdict::Ready(i) = check(&p, &dir()) else { panic!("{:?}", check(&p, &dir())) };
        assert_eq!(i.email, "ada@example.com");
        assert_eq!(i.mobile_phone.as_deref(), Some("+4915112345678"));
        assert_eq!((i.locale, i.kind), (Locale::De, MemberKind::Partner));
        assert_eq!((i.units, i.tags, i.roles), (vec![UnitId(2), UnitId(1)], vec![TagId(7)], vec![RoleId(9)]));
        assert!(!i.existing_identity);
    }

    #[test]
    fn every_problem_of_a_row_is_reported() {
        let p = PersonInput {
            email: "not-an-address".into(),
            name: " ".into(),
            mobile_phone: "12".into(),
            locale: "fr".into(),
            kind: "boss".into(),
            tags: vec!["Nope".into()],
            units: vec!["North".into(), "Mars".into()],
            roles: vec!["captain".into()],
        };
        let Verdict::Invalid(ps) = check(&p, &dir()) else { panic!() };
        assert_eq!(
            ps,
            vec![
                Problem::BadEmail("not-an-address".into()),
                Problem::MissingName,
                Problem::BadPhone("12".into()),
                Problem::BadLocale("fr".into()),
                Problem::BadKind("boss".into()),
                Problem::AmbiguousUnit("North".into()),
                Problem::UnknownUnit("Mars".into()),
                Problem::UnknownTag("Nope".into()),
                Problem::UnknownRole("captain".into()),
            ]
        );
        let mut d = dir();
        d.phone_required = true;
        assert_eq!(check(&person("x@y.test"), &d), Verdict::Invalid(vec![Problem::PhoneRequired]));
    }

    #[test]
    fn standing_decides_skip_reuse_or_refusal() {
        assert_eq!(check(&person("OLD@acme.test"), &dir()), Verdict::Skip(Problem::AlreadyMember));
        assert_eq!(check(&person("asked@acme.test"), &dir()), Verdict::Skip(Problem::AlreadyInvited));
        assert_eq!(check(&person("left@acme.test"), &dir()), Verdict::Invalid(vec![Problem::FormerMember]));
        let elsewhere = PersonInput { name: String::new(), ..person("other@corp.test") };
        let Verdict::Ready(i) = check(&elsewhere, &dir()) else { panic!() };
        assert!(i.existing_identity, "an identity elsewhere is reused, its name kept");
    }

    #[test]
    fn csv_reads_any_column_order_both_separators_and_reports_duplicates() {
        let text = "\u{feff}Name,E-Mail,units,roles,tags\nAda,ada@x.test,Sales;Ops,developer,\n\nBob,bob@x.test,,,\nAda again,ADA@x.test,,,\n";
        let rows = read_csv(text).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].person.units, vec!["Sales", "Ops"]);
        assert_eq!(rows[2].line, 5, "blank lines keep their numbers");
        let p = preview(&rows, &dir());
        assert!(matches!(p[0].1, Verdict::Ready(_)) && matches!(p[1].1, Verdict::Ready(_)));
        assert_eq!(p[2], (5, Verdict::Invalid(vec![Problem::Duplicate { line: 2 }])));
        assert_eq!(preview_range(&rows, &dir(), 1..3), p[1..3].to_vec(), "a batch is judged as part of the whole file");

        let de = "email;name;units;tags\nada@x.test;Ada;Sales, Ops;Remote\n";
        assert_eq!(read_csv(de).unwrap()[0].person.units, vec!["Sales", "Ops"]);
        assert_eq!(read_csv("name\nAda\n"), Err(Problem::MissingColumn("email".into())));
        assert_eq!(read_csv("email,name,shoe_size\n"), Err(Problem::UnknownColumn("shoe_size".into())));
        assert_eq!(read_csv("email,name\n"), Err(Problem::NoRows));
    }

    #[test]
    fn export_reads_back_as_the_same_people() {
        let people = vec![PersonInput {
            email: "ada@x.test".into(),
            name: "Lovelace, Ada \"Countess\"".into(),
            mobile_phone: "+4915112345678".into(),
            locale: "de".into(),
            kind: "employee".into(),
            tags: vec!["Remote".into(), "Board".into()],
            units: vec!["Sales / North".into()],
            roles: vec!["developer".into()],
        }];
        let text = write_csv(&people);
        assert!(text.starts_with("email,name,mobile_phone,locale,kind,tags,units,roles\n"));
        let back = read_csv(&text).unwrap();
        assert_eq!(back[0].person, people[0]);
        // A name that a spreadsheet would run as a formula is written as text and reads back.
        let evil = vec![PersonInput { name: "=HYPERLINK(\"http://evil.test\",\"Ada\")".into(), tags: vec!["@SUM(A1)".into()], ..people[0].clone() }];
        let text = write_csv(&evil);
        assert!(text.contains("\"'=HYPERLINK(") && text.contains("'@SUM(A1)") && text.contains(",+4915112345678,"), "{text}");
        assert_eq!(read_csv(&text).unwrap()[0].person, evil[0]);
    }
}
