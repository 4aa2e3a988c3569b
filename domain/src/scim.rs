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
    /// Another resource of the organization has this `userName` / `displayName` (409).
    Uniqueness(String),
    /// A read-only attribute (`id`, `meta`) was to be changed.
    Mutability(String),
}

impl ScimError {
    pub fn scim_type(&self) -> &'static str {
        match self {
            ScimError::InvalidFilter(_) => "invalidFilter",
            ScimError::InvalidPath(_) => "invalidPath",
            ScimError::NoTarget(_) => "noTarget",
            ScimError::InvalidValue(_) => "invalidValue",
            ScimError::InvalidSyntax(_) => "invalidSyntax",
            ScimError::Uniqueness(_) => "uniqueness",
            ScimError::Mutability(_) => "mutability",
        }
    }

    /// The HTTP status of the error response.
    pub fn status(&self) -> u16 {
        match self {
            ScimError::Uniqueness(_) => 409,
            _ => 400,
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            ScimError::InvalidFilter(d) | ScimError::InvalidPath(d) | ScimError::NoTarget(d) | ScimError::InvalidValue(d) | ScimError::InvalidSyntax(d) | ScimError::Uniqueness(d) | ScimError::Mutability(d) => d,
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
    // A known schema's URN, whole (the extension itself) or with an attribute after it.
    for known in [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA] {
        if raw.len() >= known.len() && raw[..known.len()].eq_ignore_ascii_case(known) {
            let rest = &raw[known.len()..];
            let attr = match rest.strip_prefix(':') {
                Some(a) => a,
                None if rest.is_empty() => "",
                None => continue,
            };
            let mut path = if is_core_schema(known) { vec![] } else { vec![known.to_string()] };
            if !attr.is_empty() {
                path.extend(attr.split('.').map(String::from));
            }
            if path.is_empty() || path.iter().any(|p| p.is_empty()) {
                return Err(ScimError::InvalidPath(raw.to_string()));
            }
            return Ok(path);
        }
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

// ---------------------------------------------------------------- resources

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The two resource types Gatehouse serves: a User is a membership (an invitation until the
/// person joins), a Group is a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    User,
    Group,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "User" => Some(Kind::User),
            "Group" => Some(Kind::Group),
            _ => None,
        }
    }

    /// The collection's path segment (`/Users`, `/Groups`).
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
        }
    }

    pub fn schema(self) -> &'static str {
        match self {
            Kind::User => USER_SCHEMA,
            Kind::Group => GROUP_SCHEMA,
        }
    }

    /// The attribute that names a resource uniquely within the organization.
    pub fn name_attribute(self) -> &'static str {
        match self {
            Kind::User => "userName",
            Kind::Group => "displayName",
        }
    }
}

/// Reads an attribute of a document by its name, without regard to case.
pub fn attribute<'a>(doc: &'a Value, name: &str) -> Option<&'a Value> {
    doc.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

fn text<'a>(doc: &'a Value, name: &str) -> Option<&'a str> {
    attribute(doc, name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

/// A resource as a client sent it (POST or PUT), ready to keep: an object naming the kind's core
/// schema, with its naming attribute; `id` and `meta` are the server's and dropped (RFC 7643
/// §3.1: a client's values for them are ignored). Returns the document and its folded name.
pub fn prepare(kind: Kind, body: Value) -> Result<(Value, String), ScimError> {
    let Value::Object(mut obj) = body else { return Err(ScimError::InvalidSyntax("the resource must be a JSON object".into())) };
    let schemas: Vec<String> = match obj.get("schemas") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => vec![],
    };
    if !schemas.iter().any(|s| s.eq_ignore_ascii_case(kind.schema())) {
        return Err(ScimError::InvalidSyntax(format!("schemas must contain {}", kind.schema()))); // not user text: SCIM protocol detail
    }
    obj.retain(|k, _| !k.eq_ignore_ascii_case("id") && !k.eq_ignore_ascii_case("meta"));
    let doc = without_never_returned(Value::Object(obj));
    let name = checked_name(kind, &doc)?;
    Ok((doc, name))
}

/// The document without what is never returned or kept (`password`: people set their Gatehouse
/// password themselves).
pub fn without_never_returned(doc: Value) -> Value {
    match doc {
        Value::Object(mut obj) => {
            obj.retain(|k, _| !crate::scim_schema::NEVER_RETURNED.iter().any(|n| n.eq_ignore_ascii_case(k)));
            Value::Object(obj)
        }
        other => other,
    }
}

/// A PATCH request's operations applied to `doc` in order (RFC 7644 §3.5.2): all or none. The
/// server's own attributes (`id`, `meta`) cannot be changed; `schemas` must name PatchOp.
pub fn patched(doc: &Value, request: &Value) -> Result<Value, ScimError> {
    let schemas_ok = attribute(request, "schemas").and_then(Value::as_array).is_some_and(|a| a.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(PATCH_OP))));
    if !schemas_ok {
        return Err(ScimError::InvalidSyntax(format!("schemas must contain {PATCH_OP}"))); // not user text: SCIM protocol detail
    }
    let Some(ops) = attribute(request, "Operations").and_then(Value::as_array) else {
        return Err(ScimError::InvalidSyntax("Operations is required".into()));
    };
    let mut out = doc.clone();
    for op in ops {
        let kind = PatchOp::parse(attribute(op, "op").and_then(Value::as_str).unwrap_or_default())?;
        let path = attribute(op, "path").and_then(Value::as_str);
        if let Some(p) = path {
            let first = p.trim().split(['.', '[']).next().unwrap_or_default();
            if first.eq_ignore_ascii_case("id") || first.eq_ignore_ascii_case("meta") {
                return Err(ScimError::Mutability(format!("{p} is read-only"))); // not user text: SCIM protocol detail
            }
        }
        let value = attribute(op, "value").cloned();
        apply(&mut out, kind, path, value)?;
    }
    if let Value::Object(obj) = &mut out {
        obj.retain(|k, _| !k.eq_ignore_ascii_case("id") && !k.eq_ignore_ascii_case("meta"));
    }
    Ok(without_never_returned(out))
}

/// The document's `schemas` as served: the kind's core schema, then the URN of every extension
/// the document holds (an object under its URN), so an extension added or removed by PATCH is
/// announced or dropped with it (RFC 7643 §3).
pub fn with_schemas(kind: Kind, mut doc: Value) -> Value {
    if let Value::Object(obj) = &mut doc {
        let mut schemas = vec![Value::String(kind.schema().to_string())];
        for (k, v) in obj.iter() {
            if k.to_ascii_lowercase().starts_with("urn:") && v.is_object() && !k.eq_ignore_ascii_case(kind.schema()) {
                schemas.push(Value::String(k.clone()));
            }
        }
        obj.insert("schemas".into(), Value::Array(schemas));
    }
    doc
}

/// The naming attribute of a document, folded for uniqueness; refused when missing.
pub fn checked_name(kind: Kind, doc: &Value) -> Result<String, ScimError> {
    let name = text(doc, kind.name_attribute()).ok_or_else(|| ScimError::InvalidValue(format!("{} is required", kind.name_attribute())))?; // not user text: SCIM protocol detail
    if name.chars().count() > 300 {
        return Err(ScimError::InvalidValue(format!("{} is longer than 300 characters", kind.name_attribute()))); // not user text: SCIM protocol detail
    }
    Ok(name.to_lowercase())
}

/// The value of `externalId`, when the client set one.
pub fn external_id(doc: &Value) -> Option<String> {
    text(doc, "externalId").map(str::to_string)
}

/// What a User resource means to Gatehouse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserFacts {
    /// The address the person is invited at: the primary e-mail, else the first one, else the
    /// `userName` when it is an address. None: the resource is kept, nobody is invited yet.
    pub email: Option<String>,
    pub display_name: String,
    /// `active` absent counts as true (RFC 7643 §4.1.1 leaves it to the provider).
    pub active: bool,
    pub title: Option<String>,
    /// `preferredLanguage`, else `locale`, as sent (the invitation mail's language if known).
    pub language: Option<String>,
}

pub fn user_facts(doc: &Value) -> UserFacts {
    let emails: Vec<&Value> = attribute(doc, "emails").and_then(Value::as_array).map(|a| a.iter().collect()).unwrap_or_default();
    let value_of = |e: &Value| attribute(e, "value").and_then(Value::as_str).and_then(|v| crate::validate::normalize_email(v).ok());
    let primary = emails.iter().find(|e| attribute(e, "primary").and_then(Value::as_bool) == Some(true)).and_then(|e| value_of(e));
    let email = primary
        .or_else(|| emails.iter().find_map(|e| value_of(e)))
        .or_else(|| text(doc, "userName").and_then(|u| crate::validate::normalize_email(u).ok()));
    let name = attribute(doc, "name");
    let formatted = name.and_then(|n| text(n, "formatted"));
    let parts: Vec<&str> = name.map(|n| ["givenName", "familyName"].iter().filter_map(|k| text(n, k)).collect()).unwrap_or_default();
    let display_name = text(doc, "displayName")
        .map(str::to_string)
        .or_else(|| formatted.map(str::to_string))
        .or_else(|| (!parts.is_empty()).then(|| parts.join(" ")))
        .or_else(|| text(doc, "userName").map(str::to_string))
        .unwrap_or_default();
    UserFacts {
        email,
        display_name: display_name.chars().take(200).collect(),
        active: attribute(doc, "active").and_then(Value::as_bool).unwrap_or(true),
        title: text(doc, "title").map(|t| t.chars().take(200).collect()),
        language: text(doc, "preferredLanguage").or_else(|| text(doc, "locale")).map(str::to_string),
    }
}

/// The ids (`value`) of a Group's `members`, each once, in order.
pub fn member_ids(doc: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in attribute(doc, "members").and_then(Value::as_array).map(|a| a.as_slice()).unwrap_or_default() {
        if let Some(v) = attribute(m, "value").and_then(Value::as_str) {
            if !out.iter().any(|o| o == v) {
                out.push(v.to_string());
            }
        }
    }
    out
}

/// The page of a list: `startIndex` (1-based, below 1 counts as 1) and `count` (at most
/// `max`; negative counts as 0; absent: `max`).
pub fn page(start_index: Option<i64>, count: Option<i64>, max: i64) -> (usize, usize) {
    let start = start_index.unwrap_or(1).max(1) as usize;
    let count = count.unwrap_or(max).clamp(0, max) as usize;
    (start, count)
}

/// A filter of the form `<attr> eq "<value>"` on `userName`, `displayName` or `externalId`:
/// answered by an index instead of reading every resource.
pub fn simple_eq(f: &Filter) -> Option<(&'static str, String)> {
    let Filter::Compare { attr, op: Op::Eq, value: Value::String(v) } = f else { return None };
    if attr.len() != 1 {
        return None;
    }
    ["userName", "displayName", "externalId"].into_iter().find(|k| k.eq_ignore_ascii_case(&attr[0])).map(|k| (k, v.clone()))
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

    #[test]
    fn what_a_user_and_a_group_mean() {
        let (doc, name) = prepare(Kind::User, json!({"schemas": [USER_SCHEMA], "id": "x", "meta": {}, "userName": "BJensen", "emails": [{"value": "b@x.org"}, {"value": "Work@Example.com", "primary": true}], "name": {"givenName": "Barbara", "familyName": "Jensen"}})).unwrap();
        assert!(doc.get("id").is_none() && doc.get("meta").is_none());
        assert_eq!(name, "bjensen");
        let f = user_facts(&doc);
        assert_eq!((f.email.as_deref(), f.display_name.as_str(), f.active), (Some("work@example.com"), "Barbara Jensen", true));
        let f = user_facts(&json!({"userName": "p@x.org", "active": false}));
        assert_eq!((f.email.as_deref(), f.display_name.as_str(), f.active), (Some("p@x.org"), "p@x.org", false));
        assert_eq!(user_facts(&json!({"userName": "7f3c"})).email, None, "no address: kept, nobody invited");
        assert_eq!(prepare(Kind::User, json!({"schemas": [GROUP_SCHEMA], "userName": "a"})).unwrap_err().scim_type(), "invalidSyntax");
        assert_eq!(prepare(Kind::Group, json!({"schemas": [GROUP_SCHEMA]})).unwrap_err().scim_type(), "invalidValue");
        assert_eq!(member_ids(&json!({"members": [{"value": "1"}, {"value": "2"}, {"value": "1"}]})), vec!["1", "2"]);
        assert_eq!(page(Some(0), Some(1000), 200), (1, 200));
        assert_eq!(simple_eq(&parse_filter(r#"USERNAME eq "a""#).unwrap()), Some(("userName", "a".into())));
        assert_eq!(simple_eq(&parse_filter(r#"title eq "a""#).unwrap()), None);
        // The extension whole, and an attribute of it.
        assert_eq!(attr_path(ENTERPRISE_USER_SCHEMA).unwrap(), vec![ENTERPRISE_USER_SCHEMA.to_string()]);
        assert_eq!(attr_path(&format!("{ENTERPRISE_USER_SCHEMA}:manager.value")).unwrap(), vec![ENTERPRISE_USER_SCHEMA.to_string(), "manager".into(), "value".into()]);
        assert_eq!(attr_path(&format!("{USER_SCHEMA}:name.givenName")).unwrap(), vec!["name".to_string(), "givenName".into()]);
        let served = with_schemas(Kind::User, json!({"schemas": [USER_SCHEMA], "userName": "a", ENTERPRISE_USER_SCHEMA: {"department": "x"}}));
        assert_eq!(served["schemas"], json!([USER_SCHEMA, ENTERPRISE_USER_SCHEMA]));
        assert_eq!(with_schemas(Kind::User, json!({"schemas": [USER_SCHEMA, ENTERPRISE_USER_SCHEMA], "userName": "a"}))["schemas"], json!([USER_SCHEMA]));
    }
}
