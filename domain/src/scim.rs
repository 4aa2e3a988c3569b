//! SCIM 2.0 (RFC 7643/7644) as plain rules on JSON documents: the filter language (for
//! `?filter=` and for value paths inside PATCH), PATCH operations (`add`, `replace`, `remove`
//! with attribute paths, sub-attributes and value filters such as `emails[type eq "work"].value`),
//! and the `attributes` / `excludedAttributes` projection. Attribute names are matched without
//! regard to case, as the RFC says; an attribute is written under the name it already has, or the
//! name the request used. No HTTP and no database here: the server keeps each resource's document
//! and projects it onto memberships and units.
use serde_json::{Map, Value};

/// Why a SCIM request is refused: the `scimType` of the error response (RFC 7644 §3.12).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScimError {
    InvalidFilter(String),
    InvalidPath(String),
    NoTarget(String),
    InvalidValue(String),
    InvalidSyntax(String),
}

impl ScimError {
    pub fn scim_type(&self) -> &'static str {
        match self {
            ScimError::InvalidFilter(_) => "invalidFilter",
            ScimError::InvalidPath(_) => "invalidPath",
            ScimError::NoTarget(_) => "noTarget",
            ScimError::InvalidValue(_) => "invalidValue",
            ScimError::InvalidSyntax(_) => "invalidSyntax",
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            ScimError::InvalidFilter(d) | ScimError::InvalidPath(d) | ScimError::NoTarget(d) | ScimError::InvalidValue(d) | ScimError::InvalidSyntax(d) => d,
        }
    }
}

// ---------------------------------------------------------------- filters

/// A parsed filter (RFC 7644 §3.4.2.2): comparisons joined by `and` / `or`, `not (…)`,
/// parentheses, and value paths (`emails[type eq "work"]`).
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare { attr: Vec<String>, op: Op, value: Value },
    Present(Vec<String>),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    /// `attr[filter]`: some element of the multi-valued `attr` matches.
    ValuePath(Vec<String>, Box<Filter>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
    LBracket,
    RBracket,
}

fn tokens(s: &str) -> Result<Vec<Tok>, ScimError> {
    let bad = |m: &str| ScimError::InvalidFilter(m.to_string());
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Tok::Open);
            }
            ')' => {
                chars.next();
                out.push(Tok::Close);
            }
            '[' => {
                chars.next();
                out.push(Tok::LBracket);
            }
            ']' => {
                chars.next();
                out.push(Tok::RBracket);
            }
            '"' => {
                chars.next();
                let mut v = String::new();
                loop {
                    match chars.next() {
                        Some('\\') => v.push(chars.next().ok_or_else(|| bad("unterminated string"))?),
                        Some('"') => break,
                        Some(ch) => v.push(ch),
                        None => return Err(bad("unterminated string")),
                    }
                }
                out.push(Tok::Str(v));
            }
            _ => {
                let mut w = String::new();
                while let Some(&ch) = chars.peek() {
                    if ch == ' ' || ch == '(' || ch == ')' || ch == '[' || ch == ']' || ch == '"' {
                        break;
                    }
                    w.push(ch);
                    chars.next();
                }
                out.push(Tok::Word(w));
            }
        }
    }
    Ok(out)
}

/// An attribute path as a list of names: a core schema URN prefix is dropped, an extension
/// URN is kept as the first name (its attributes live in an object under the URN).
pub fn attr_path(raw: &str) -> Result<Vec<String>, ScimError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(ScimError::InvalidPath("empty attribute path".into()));
    }
    if let Some(rest) = raw.strip_prefix("urn:") {
        // urn:…:Schema:attr.sub — the schema URN ends at the last ':' before the attribute.
        let (urn, attr) = match rest.rfind(':') {
            Some(i) => (&raw[..i + 4], &rest[i + 1..]),
            None => return Err(ScimError::InvalidPath(raw.to_string())),
        };
        let mut path = if is_core_schema(urn) { vec![] } else { vec![urn.to_string()] };
        if !attr.is_empty() {
            path.extend(attr.split('.').map(String::from));
        }
        return Ok(path);
    }
    let parts: Vec<String> = raw.split('.').map(String::from).collect();
    if parts.iter().any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')) {
        return Err(ScimError::InvalidPath(raw.to_string()));
    }
    Ok(parts)
}

fn is_core_schema(urn: &str) -> bool {
    urn.eq_ignore_ascii_case("urn:ietf:params:scim:schemas:core:2.0:User") || urn.eq_ignore_ascii_case("urn:ietf:params:scim:schemas:core:2.0:Group")
}

pub fn parse_filter(s: &str) -> Result<Filter, ScimError> {
    let toks = tokens(s)?;
    let mut pos = 0;
    let f = parse_or(&toks, &mut pos)?;
    if pos != toks.len() {
        return Err(ScimError::InvalidFilter(format!("unexpected input at token {pos}"))); // not user text: a SCIM error detail for programs
    }
    Ok(f)
}

fn word_is(t: Option<&Tok>, w: &str) -> bool {
    matches!(t, Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
}

fn parse_or(t: &[Tok], pos: &mut usize) -> Result<Filter, ScimError> {
    let mut left = parse_and(t, pos)?;
    while word_is(t.get(*pos), "or") {
        *pos += 1;
        let right = parse_and(t, pos)?;
        left = Filter::Or(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn parse_and(t: &[Tok], pos: &mut usize) -> Result<Filter, ScimError> {
    let mut left = parse_unary(t, pos)?;
    while word_is(t.get(*pos), "and") {
        *pos += 1;
        let right = parse_unary(t, pos)?;
        left = Filter::And(Box::new(left), Box::new(right));
    }
    Ok(left)
}

fn parse_unary(t: &[Tok], pos: &mut usize) -> Result<Filter, ScimError> {
    let bad = |m: &str| ScimError::InvalidFilter(m.to_string());
    if word_is(t.get(*pos), "not") {
        *pos += 1;
        if t.get(*pos) != Some(&Tok::Open) {
            return Err(bad("not must be followed by ("));
        }
        *pos += 1;
        let inner = parse_or(t, pos)?;
        if t.get(*pos) != Some(&Tok::Close) {
            return Err(bad("missing )"));
        }
        *pos += 1;
        return Ok(Filter::Not(Box::new(inner)));
    }
    if t.get(*pos) == Some(&Tok::Open) {
        *pos += 1;
        let inner = parse_or(t, pos)?;
        if t.get(*pos) != Some(&Tok::Close) {
            return Err(bad("missing )"));
        }
        *pos += 1;
        return Ok(inner);
    }
    let Some(Tok::Word(attr)) = t.get(*pos) else { return Err(bad("expected an attribute")) };
    let attr = attr_path(attr).map_err(|e| ScimError::InvalidFilter(e.detail().to_string()))?;
    *pos += 1;
    if t.get(*pos) == Some(&Tok::LBracket) {
        *pos += 1;
        let inner = parse_or(t, pos)?;
        if t.get(*pos) != Some(&Tok::RBracket) {
            return Err(bad("missing ]"));
        }
        *pos += 1;
        return Ok(Filter::ValuePath(attr, Box::new(inner)));
    }
    let Some(Tok::Word(op)) = t.get(*pos) else { return Err(bad("expected an operator")) };
    *pos += 1;
    let op = match op.to_ascii_lowercase().as_str() {
        "pr" => return Ok(Filter::Present(attr)),
        "eq" => Op::Eq,
        "ne" => Op::Ne,
        "co" => Op::Co,
        "sw" => Op::Sw,
        "ew" => Op::Ew,
        "gt" => Op::Gt,
        "ge" => Op::Ge,
        "lt" => Op::Lt,
        "le" => Op::Le,
        _ => return Err(bad("unknown operator")),
    };
    let value = match t.get(*pos) {
        Some(Tok::Str(s)) => Value::String(s.clone()),
        Some(Tok::Word(w)) if w == "true" => Value::Bool(true),
        Some(Tok::Word(w)) if w == "false" => Value::Bool(false),
        Some(Tok::Word(w)) if w == "null" => Value::Null,
        Some(Tok::Word(w)) => serde_json::from_str::<serde_json::Number>(w).map(Value::Number).map_err(|_| bad("expected a value"))?,
        _ => return Err(bad("expected a value")),
    };
    *pos += 1;
    Ok(Filter::Compare { attr, op, value })
}

fn get_ci<'a>(obj: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

fn key_ci(obj: &Map<String, Value>, name: &str) -> Option<String> {
    obj.keys().find(|k| k.eq_ignore_ascii_case(name)).cloned()
}

/// The values an attribute path reaches in `doc` (several through multi-valued attributes).
fn values_at<'a>(doc: &'a Value, path: &[String]) -> Vec<&'a Value> {
    let mut cur = vec![doc];
    for name in path {
        let mut next = Vec::new();
        for v in cur {
            match v {
                Value::Object(o) => {
                    if let Some(x) = get_ci(o, name) {
                        next.push(x);
                    }
                }
                Value::Array(items) => {
                    for i in items {
                        if let Value::Object(o) = i {
                            if let Some(x) = get_ci(o, name) {
                                next.push(x);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        cur = next;
    }
    cur.into_iter().flat_map(|v| match v {
        Value::Array(items) => items.iter().collect::<Vec<_>>(),
        other => vec![other],
    }).collect()
}

fn compare(a: &Value, op: Op, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            // Case-insensitive, as for caseExact=false attributes (most of them).
            let (x, y) = (x.to_lowercase(), y.to_lowercase());
            match op {
                Op::Eq => x == y,
                Op::Ne => x != y,
                Op::Co => x.contains(&y),
                Op::Sw => x.starts_with(&y),
                Op::Ew => x.ends_with(&y),
                Op::Gt => x > y,
                Op::Ge => x >= y,
                Op::Lt => x < y,
                Op::Le => x <= y,
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            match op {
                Op::Eq => x == y,
                Op::Ne => x != y,
                Op::Gt => x > y,
                Op::Ge => x >= y,
                Op::Lt => x < y,
                Op::Le => x <= y,
                _ => false,
            }
        }
        (Value::Bool(x), Value::Bool(y)) => match op {
            Op::Eq => x == y,
            Op::Ne => x != y,
            _ => false,
        },
        (_, Value::Null) => matches!(op, Op::Ne) != a.is_null(),
        _ => op == Op::Ne,
    }
}

/// Whether `doc` matches `f`.
pub fn matches(doc: &Value, f: &Filter) -> bool {
    match f {
        Filter::Compare { attr, op, value } => {
            let found = values_at(doc, attr);
            if found.is_empty() {
                return *op == Op::Ne && !value.is_null();
            }
            if *op == Op::Ne {
                found.iter().all(|v| compare(v, Op::Ne, value))
            } else {
                found.iter().any(|v| compare(v, *op, value))
            }
        }
        Filter::Present(attr) => values_at(doc, attr).iter().any(|v| !v.is_null() && v.as_str() != Some("")),
        Filter::And(a, b) => matches(doc, a) && matches(doc, b),
        Filter::Or(a, b) => matches(doc, a) || matches(doc, b),
        Filter::Not(a) => !matches(doc, a),
        Filter::ValuePath(attr, inner) => values_at(doc, attr).iter().any(|v| matches(v, inner)),
    }
}

// ---------------------------------------------------------------- PATCH

/// A PATCH target: `attr(.sub)*`, optionally `attr[filter]` followed by `.sub`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub attr: Vec<String>,
    pub filter: Option<Filter>,
    pub sub: Option<String>,
}

pub fn parse_target(raw: &str) -> Result<Target, ScimError> {
    let raw = raw.trim();
    match raw.find('[') {
        None => Ok(Target { attr: attr_path(raw)?, filter: None, sub: None }),
        Some(i) => {
            let close = raw.rfind(']').ok_or_else(|| ScimError::InvalidPath(raw.to_string()))?;
            if close < i {
                return Err(ScimError::InvalidPath(raw.to_string()));
            }
            let attr = attr_path(&raw[..i])?;
            let filter = parse_filter(&raw[i + 1..close]).map_err(|e| ScimError::InvalidPath(e.detail().to_string()))?;
            let rest = &raw[close + 1..];
            let sub = match rest.strip_prefix('.') {
                Some(s) if !s.is_empty() => Some(s.to_string()),
                None if rest.is_empty() => None,
                _ => return Err(ScimError::InvalidPath(raw.to_string())),
            };
            Ok(Target { attr, filter: Some(filter), sub })
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchOp {
    Add,
    Replace,
    Remove,
}

impl PatchOp {
    pub fn parse(s: &str) -> Result<PatchOp, ScimError> {
        match s.to_ascii_lowercase().as_str() {
            "add" => Ok(PatchOp::Add),
            "replace" => Ok(PatchOp::Replace),
            "remove" => Ok(PatchOp::Remove),
            _ => Err(ScimError::InvalidSyntax(format!("unknown PATCH op {s}"))), // not user text: a SCIM error detail for programs
        }
    }
}

/// The object holding the last name of `attr` (created on the way for add/replace).
fn parent_mut<'a>(doc: &'a mut Value, attr: &[String], create: bool) -> Option<&'a mut Map<String, Value>> {
    let mut cur = doc;
    for name in &attr[..attr.len().saturating_sub(1)] {
        let obj = cur.as_object_mut()?;
        let key = match key_ci(obj, name) {
            Some(k) => k,
            None if create => {
                obj.insert(name.clone(), Value::Object(Map::new()));
                name.clone()
            }
            None => return None,
        };
        cur = obj.get_mut(&key)?;
        if cur.is_null() && create {
            *cur = Value::Object(Map::new());
        }
    }
    cur.as_object_mut()
}

fn merge_add(target: &mut Value, value: Value) {
    match (target, value) {
        (Value::Array(items), Value::Array(new)) => {
            for v in new {
                if !items.contains(&v) {
                    items.push(v);
                }
            }
        }
        (Value::Array(items), v) => {
            if !items.contains(&v) {
                items.push(v);
            }
        }
        (Value::Object(o), Value::Object(new)) => {
            for (k, v) in new {
                match key_ci(o, &k) {
                    Some(existing) => merge_add(o.get_mut(&existing).expect("present"), v),
                    None => {
                        o.insert(k, v);
                    }
                }
            }
        }
        (t, v) => *t = v,
    }
}

/// Applies one PATCH operation to `doc`.
pub fn apply(doc: &mut Value, op: PatchOp, path: Option<&str>, value: Option<Value>) -> Result<(), ScimError> {
    let Some(path) = path.map(str::trim).filter(|p| !p.is_empty()) else {
        // No path: the value is an object of attributes (RFC 7644 §3.5.2.1/3).
        let Some(Value::Object(attrs)) = value else {
            return Err(if op == PatchOp::Remove { ScimError::NoTarget("remove needs a path".into()) } else { ScimError::InvalidValue("without a path the value is an object".into()) });
        };
        for (k, v) in attrs {
            let sub_path = k.clone();
            apply(doc, op, Some(&sub_path), Some(v))?;
        }
        return Ok(());
    };
    let t = parse_target(path)?;
    if t.attr.is_empty() {
        // An extension URN alone: its whole object.
        return Err(ScimError::InvalidPath(path.to_string()));
    }
    let last = t.attr.last().expect("not empty").clone();
    match (&t.filter, op) {
        (None, PatchOp::Remove) => {
            if let Some(parent) = parent_mut(doc, &t.attr, false) {
                if let Some(k) = key_ci(parent, &last) {
                    match value {
                        // remove with a value on a multi-valued attribute: those values.
                        Some(Value::Array(gone)) if parent.get(&k).is_some_and(Value::is_array) => {
                            if let Some(Value::Array(items)) = parent.get_mut(&k) {
                                items.retain(|i| !gone.iter().any(|g| same_value(i, g)));
                            }
                        }
                        _ => {
                            parent.remove(&k);
                        }
                    }
                }
            }
            Ok(())
        }
        (None, PatchOp::Add) => {
            let v = value.ok_or_else(|| ScimError::InvalidValue("add needs a value".into()))?;
            let parent = parent_mut(doc, &t.attr, true).ok_or_else(|| ScimError::InvalidPath(path.to_string()))?;
            match key_ci(parent, &last) {
                Some(k) if !v.is_null() => merge_add(parent.get_mut(&k).expect("present"), v),
                _ => {
                    parent.insert(last, v);
                }
            }
            Ok(())
        }
        (None, PatchOp::Replace) => {
            let v = value.ok_or_else(|| ScimError::InvalidValue("replace needs a value".into()))?;
            let parent = parent_mut(doc, &t.attr, true).ok_or_else(|| ScimError::InvalidPath(path.to_string()))?;
            let k = key_ci(parent, &last).unwrap_or(last);
            match (parent.get_mut(&k), v) {
                // Replacing a complex attribute's sub-attributes keeps the others.
                (Some(Value::Object(o)), Value::Object(new)) => {
                    for (nk, nv) in new {
                        let key = key_ci(o, &nk).unwrap_or(nk);
                        o.insert(key, nv);
                    }
                }
                (_, v) => {
                    parent.insert(k, v);
                }
            }
            Ok(())
        }
        (Some(f), _) => {
            let parent = parent_mut(doc, &t.attr, op != PatchOp::Remove).ok_or_else(|| ScimError::NoTarget(path.to_string()))?;
            let Some(k) = key_ci(parent, &last) else {
                return if op == PatchOp::Remove { Ok(()) } else { Err(ScimError::NoTarget(path.to_string())) };
            };
            let Some(Value::Array(items)) = parent.get_mut(&k) else { return Err(ScimError::InvalidPath(path.to_string())) };
            let hits: Vec<usize> = items.iter().enumerate().filter(|(_, i)| matches(i, f)).map(|(n, _)| n).collect();
            if hits.is_empty() && op != PatchOp::Remove {
                return Err(ScimError::NoTarget(path.to_string()));
            }
            match (op, &t.sub) {
                (PatchOp::Remove, None) => {
                    let mut n = 0;
                    items.retain(|_| {
                        let keep = !hits.contains(&n);
                        n += 1;
                        keep
                    });
                }
                (PatchOp::Remove, Some(sub)) => {
                    for h in hits {
                        if let Some(o) = items[h].as_object_mut() {
                            if let Some(key) = key_ci(o, sub) {
                                o.remove(&key);
                            }
                        }
                    }
                }
                (_, Some(sub)) => {
                    let v = value.ok_or_else(|| ScimError::InvalidValue("needs a value".into()))?;
                    for h in hits {
                        if let Some(o) = items[h].as_object_mut() {
                            let key = key_ci(o, sub).unwrap_or_else(|| sub.clone());
                            o.insert(key, v.clone());
                        }
                    }
                }
                (_, None) => {
                    let v = value.ok_or_else(|| ScimError::InvalidValue("needs a value".into()))?;
                    for h in hits {
                        match (&mut items[h], &v) {
                            (Value::Object(o), Value::Object(new)) if op == PatchOp::Add => {
                                for (nk, nv) in new {
                                    let key = key_ci(o, nk).unwrap_or_else(|| nk.clone());
                                    o.insert(key, nv.clone());
                                }
                            }
                            (slot, _) => *slot = v.clone(),
                        }
                    }
                }
            }
            Ok(())
        }
    }
}

/// Two multi-valued elements are the same value: equal, or complex ones with the same `value`.
fn same_value(a: &Value, b: &Value) -> bool {
    a == b || matches!((a.get("value"), b.get("value")), (Some(x), Some(y)) if x == y)
}

// ---------------------------------------------------------------- projection

/// The `attributes` / `excludedAttributes` of a request (comma-separated attribute paths).
pub fn attribute_list(raw: Option<&str>) -> Result<Vec<Vec<String>>, ScimError> {
    raw.map(|r| r.split(',').map(str::trim).filter(|a| !a.is_empty()).map(attr_path).collect()).unwrap_or(Ok(vec![]))
}

/// The document as returned: only `attributes` (when given), without `excluded`; `always`
/// (e.g. `id`, `schemas`) are returned whatever was asked.
pub fn project(doc: &Value, attributes: &[Vec<String>], excluded: &[Vec<String>], always: &[&str]) -> Value {
    let Value::Object(obj) = doc else { return doc.clone() };
    let keep_always = |k: &str| always.iter().any(|a| a.eq_ignore_ascii_case(k));
    let mut out = Map::new();
    for (k, v) in obj {
        if keep_always(k) {
            out.insert(k.clone(), v.clone());
            continue;
        }
        if !attributes.is_empty() {
            let wanted: Vec<&Vec<String>> = attributes.iter().filter(|a| a.first().is_some_and(|f| f.eq_ignore_ascii_case(k))).collect();
            if wanted.is_empty() {
                continue;
            }
            if wanted.iter().any(|a| a.len() == 1) {
                out.insert(k.clone(), v.clone());
            } else {
                let subs: Vec<Vec<String>> = wanted.iter().map(|a| a[1..].to_vec()).collect();
                out.insert(k.clone(), project_sub(v, &subs, true));
            }
            continue;
        }
        let gone: Vec<&Vec<String>> = excluded.iter().filter(|a| a.first().is_some_and(|f| f.eq_ignore_ascii_case(k))).collect();
        if gone.iter().any(|a| a.len() == 1) {
            continue;
        }
        if gone.is_empty() {
            out.insert(k.clone(), v.clone());
        } else {
            let subs: Vec<Vec<String>> = gone.iter().map(|a| a[1..].to_vec()).collect();
            out.insert(k.clone(), project_sub(v, &subs, false));
        }
    }
    Value::Object(out)
}

fn project_sub(v: &Value, subs: &[Vec<String>], keep: bool) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(|i| project_sub(i, subs, keep)).collect()),
        Value::Object(_) if keep => project(v, subs, &[], &[]),
        Value::Object(_) => project(v, &[], subs, &[]),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Value {
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id": "42",
            "userName": "bjensen@example.com",
            "displayName": "Babs Jensen",
            "active": true,
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}]
        })
    }

    #[test]
    fn filters_match_as_the_rfc_says() {
        let u = user();
        for (f, want) in [
            (r#"userName eq "BJENSEN@example.com""#, true),
            (r#"userName eq "other""#, false),
            (r#"name.familyName sw "Jen" and active eq true"#, true),
            (r#"emails[type eq "home" and value co "jensen"]"#, true),
            (r#"emails[type eq "other"]"#, false),
            (r#"emails.value ew ".org""#, true),
            (r#"not (active eq true) or displayName pr"#, true),
            (r#"title pr"#, false),
            (r#"urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bjensen@example.com""#, true),
            (r#"(displayName eq "x" or displayName eq "Babs Jensen") and id eq "42""#, true),
        ] {
            assert_eq!(matches(&u, &parse_filter(f).unwrap()), want, "{f}");
        }
        for bad in [r#"userName eq"#, r#"userName xx "a""#, r#"(userName eq "a""#, r#"userName eq "open"#, r#"emails[type eq "a""#] {
            assert!(matches!(parse_filter(bad), Err(ScimError::InvalidFilter(_))), "{bad}");
        }
    }

    #[test]
    fn patch_add_replace_remove_with_paths_filters_and_without_a_path() {
        let mut u = user();
        apply(&mut u, PatchOp::Add, Some("title"), Some(json!("Tour guide"))).unwrap();
        apply(&mut u, PatchOp::Add, Some("emails"), Some(json!([{"value": "b@x.org", "type": "other"}]))).unwrap();
        assert_eq!(u["emails"].as_array().unwrap().len(), 3, "add appends to a multi-valued attribute");
        apply(&mut u, PatchOp::Replace, Some(r#"emails[type eq "work"].value"#), Some(json!("new@example.com"))).unwrap();
        assert_eq!(u["emails"][0]["value"], "new@example.com");
        apply(&mut u, PatchOp::Remove, Some(r#"emails[type eq "home"]"#), None).unwrap();
        assert_eq!(u["emails"].as_array().unwrap().len(), 2);
        apply(&mut u, PatchOp::Replace, Some("name.givenName"), Some(json!("Babs"))).unwrap();
        assert_eq!(u["name"], json!({"givenName": "Babs", "familyName": "Jensen"}));
        apply(&mut u, PatchOp::Replace, Some("NAME"), Some(json!({"familyName": "J."}))).unwrap();
        assert_eq!(u["name"], json!({"givenName": "Babs", "familyName": "J."}), "case-insensitive; other sub-attributes kept");
        // Without a path (as Entra ID sends "active": false).
        apply(&mut u, PatchOp::Replace, None, Some(json!({"active": false, "displayName": "B. J."}))).unwrap();
        assert_eq!((u["active"].clone(), u["displayName"].clone()), (json!(false), json!("B. J.")));
        apply(&mut u, PatchOp::Remove, Some("title"), None).unwrap();
        assert!(u.get("title").is_none());
        // An extension attribute, created on the way.
        apply(&mut u, PatchOp::Add, Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"), Some(json!("Tours"))).unwrap();
        assert_eq!(u["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["department"], "Tours");
        // Group members: add, remove by value filter, remove with values.
        let mut g = json!({"displayName": "Ops", "members": [{"value": "1"}]});
        apply(&mut g, PatchOp::Add, Some("members"), Some(json!([{"value": "2"}, {"value": "3"}]))).unwrap();
        apply(&mut g, PatchOp::Remove, Some(r#"members[value eq "2"]"#), None).unwrap();
        apply(&mut g, PatchOp::Remove, Some("members"), Some(json!([{"value": "3"}]))).unwrap();
        assert_eq!(g["members"], json!([{"value": "1"}]));
        // Refusals with their scimType.
        assert_eq!(apply(&mut u, PatchOp::Remove, None, None).unwrap_err().scim_type(), "noTarget");
        assert_eq!(apply(&mut u, PatchOp::Replace, Some(r#"emails[type eq "none"].value"#), Some(json!("x"))).unwrap_err().scim_type(), "noTarget");
        assert_eq!(apply(&mut u, PatchOp::Add, Some("bad path!"), Some(json!(1))).unwrap_err().scim_type(), "invalidPath");
        assert_eq!(PatchOp::parse("Replace").unwrap(), PatchOp::Replace);
        assert_eq!(PatchOp::parse("move").unwrap_err().scim_type(), "invalidSyntax");
    }

    #[test]
    fn projection_keeps_what_is_asked_and_always_the_id() {
        let u = user();
        let attrs = attribute_list(Some("userName, name.familyName, emails.value")).unwrap();
        let p = project(&u, &attrs, &[], &["id", "schemas"]);
        assert_eq!(p, json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "id": "42", "userName": "bjensen@example.com", "name": {"familyName": "Jensen"}, "emails": [{"value": "bjensen@example.com"}, {"value": "babs@jensen.org"}]}));
        let p = project(&u, &[], &attribute_list(Some("emails,name.givenName,id")).unwrap(), &["id"]);
        assert!(p.get("emails").is_none() && p["name"] == json!({"familyName": "Jensen"}) && p["id"] == "42");
        assert_eq!(project(&u, &[], &[], &[]), u);
    }
}
