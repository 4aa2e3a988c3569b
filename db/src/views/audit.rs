//! The audit log page and its CSV export: an organization's events newest first, filtered (who,
//! actor kind, action or family, target, unit and below, days), within what the reader may see
//! (`Scope`), a page at a time by id (keyset, so a page costs the same at any depth), with the
//! names of actors, targets and units resolved for the page's rows only. The export walks the
//! same query a chunk at a time and hands each chunk on, never holding the whole log.
use crate::schema::{api_keys as k, audit_events as ae, memberships as m, platform_staff as ps, roles as r, technical_users as tu, units as un, users as u};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::audit_log::Filter;
use gatehouse_domain::ids::OrgId;
use std::collections::HashMap;

/// Which events the reader may see (from `audit.view`'s reach).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The whole organization's log.
    All,
    /// Events at these units (the reach's units with everything below them, expanded).
    Units(Vec<i64>),
    /// The reader's own actions only.
    Own(i64),
}

/// One event as the page and the export show it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    /// The acting person (or pseudonym), staff member, or API key with its technical user.
    pub actor_name: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<i64>,
    /// The member's, role's or unit's name when the target is one.
    pub target_name: Option<String>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
}

type Row = (i64, chrono::NaiveDateTime, String, Option<i64>, String, String, Option<i64>, Option<i64>, Option<String>, Option<String>, Option<String>);

/// The memberships of `org` whose folded name contains `who` (at most 1 000: a name that matches
/// more is no filter a person would type).
fn who_ids(conn: &mut Conn<'_>, org: OrgId, who: &str) -> Result<Vec<i64>, DbError> {
    let escaped: String = who.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
    let pattern = format!("%{escaped}%"); // not user text: a LIKE pattern
    Ok(on!(conn, c => m::table
        .filter(m::org_id.eq(org.0))
        .filter(m::search_key.like(&pattern).escape('\\'))
        .select(m::id)
        .limit(1000)
        .load(c))?)
}

/// Up to `limit` events below id `before` (newest first), filtered and within `scope`.
pub fn page(conn: &mut Conn<'_>, org: OrgId, scope: &Scope, filter: &Filter, unit_ids: Option<&[i64]>, before: Option<i64>, limit: i64) -> Result<Vec<Event>, DbError> {
    let who = match &filter.who {
        Some(w) => Some(who_ids(conn, org, w)?),
        None => None,
    };
    if who.as_ref().is_some_and(|w| w.is_empty()) {
        return Ok(vec![]);
    }
    let rows: Vec<Row> = on!(conn, c => {
        let mut q = ae::table
            .filter(ae::org_id.eq(org.0))
            .order(ae::id.desc())
            .limit(limit)
            .select((ae::id, ae::occurred_at, ae::actor_kind, ae::actor_id, ae::action, ae::target_kind, ae::target_id, ae::unit_id, ae::before_data, ae::after_data, ae::request_id))
            .into_boxed();
        if let Some(b) = before {
            q = q.filter(ae::id.lt(b));
        }
        match scope {
            Scope::All => {}
            Scope::Units(ids) => q = q.filter(crate::any_id::any_id(ae::unit_id.assume_not_null(), ids)),
            Scope::Own(me) => q = q.filter(ae::actor_kind.eq_any(["user", "staff_as_user"])).filter(ae::actor_id.eq(*me)),
        }
        if let Some(ids) = &who {
            q = q.filter(ae::actor_kind.eq_any(["user", "staff_as_user"])).filter(crate::any_id::any_id(ae::actor_id.assume_not_null(), ids));
        }
        if let Some(kind) = &filter.actor_kind {
            q = q.filter(ae::actor_kind.eq(kind.clone()));
        }
        match filter.action.as_deref() {
            Some(a) if a.ends_with('.') => q = q.filter(ae::action.like(format!("{a}%"))), // not user text: a LIKE pattern (letters, dots and underscores only)
            Some(a) => q = q.filter(ae::action.eq(a.to_string())),
            None => {}
        }
        if let Some(kind) = &filter.target_kind {
            q = q.filter(ae::target_kind.eq(kind.clone()));
        }
        if let Some(id) = filter.target_id {
            q = q.filter(ae::target_id.eq(id));
        }
        if let Some(ids) = unit_ids {
            q = q.filter(crate::any_id::any_id(ae::unit_id.assume_not_null(), ids));
        }
        if let Some(t) = filter.since {
            q = q.filter(ae::occurred_at.ge(to_db(t)));
        }
        if let Some(t) = filter.until {
            q = q.filter(ae::occurred_at.lt(to_db(t)));
        }
        q.load(c)
    })?;
    named(conn, org, rows)
}

/// Every event the filter and scope take, newest first, handed to `send` a chunk at a time
/// (`send` answers false to stop: the reader went away). Returns how many were sent.
pub fn each_chunk(conn: &mut Conn<'_>, org: OrgId, scope: &Scope, filter: &Filter, unit_ids: Option<&[i64]>, chunk: i64, send: &mut dyn FnMut(Vec<Event>) -> bool) -> Result<usize, DbError> {
    let mut before = None;
    let mut total = 0;
    loop {
        let rows = page(conn, org, scope, filter, unit_ids, before, chunk)?;
        let n = rows.len();
        before = rows.last().map(|e| e.id);
        total += n;
        if n == 0 || !send(rows) || (n as i64) < chunk {
            return Ok(total);
        }
    }
}

/// The rows with their names: acting members (and support sessions), staff, API keys; target
/// members, roles and units; the event's unit.
fn named(conn: &mut Conn<'_>, org: OrgId, rows: Vec<Row>) -> Result<Vec<Event>, DbError> {
    let mut member_ids: Vec<i64> = Vec::new();
    let mut staff_ids: Vec<i64> = Vec::new();
    let mut key_ids: Vec<i64> = Vec::new();
    let mut role_ids: Vec<i64> = Vec::new();
    let mut unit_ids: Vec<i64> = Vec::new();
    for (_, _, actor_kind, actor_id, _, target_kind, target_id, unit, ..) in &rows {
        match (actor_kind.as_str(), actor_id) {
            ("user" | "staff_as_user", Some(a)) => member_ids.push(*a),
            ("staff", Some(a)) => staff_ids.push(*a),
            ("api_key", Some(a)) => key_ids.push(*a),
            _ => {}
        }
        match (target_kind.as_str(), target_id) {
            ("membership", Some(t)) => member_ids.push(*t),
            ("role", Some(t)) => role_ids.push(*t),
            ("unit", Some(t)) => unit_ids.push(*t),
            _ => {}
        }
        if let Some(u) = unit {
            unit_ids.push(*u);
        }
    }
    for v in [&mut member_ids, &mut staff_ids, &mut key_ids, &mut role_ids, &mut unit_ids] {
        v.sort_unstable();
        v.dedup();
    }
    let members: HashMap<i64, String> = if member_ids.is_empty() {
        HashMap::new()
    } else {
        let found: Vec<(i64, Option<String>, Option<String>)> = on!(conn, c => m::table
            .left_join(u::table)
            .filter(m::org_id.eq(org.0))
            .filter(crate::any_id::any_id(m::id, &member_ids))
            .select((m::id, u::display_name.nullable(), m::pseudonym))
            .load(c))?;
        found.into_iter().filter_map(|(id, n, p)| p.or(n).map(|n| (id, n))).collect()
    };
    let staff: HashMap<i64, String> = if staff_ids.is_empty() {
        HashMap::new()
    } else {
        on!(conn, c => ps::table.filter(crate::any_id::any_id(ps::id, &staff_ids)).select((ps::id, ps::display_name)).load::<(i64, String)>(c))?.into_iter().collect()
    };
    let keys: HashMap<i64, String> = if key_ids.is_empty() {
        HashMap::new()
    } else {
        let found: Vec<(i64, String, String)> = on!(conn, c => k::table
            .inner_join(tu::table)
            .filter(k::org_id.eq(org.0))
            .filter(crate::any_id::any_id(k::id, &key_ids))
            .select((k::id, k::name, tu::name))
            .load(c))?;
        found.into_iter().map(|(id, key, user)| (id, format!("{user} · {key}"))).collect() // not user text: two names side by side
    };
    let roles: HashMap<i64, String> = if role_ids.is_empty() {
        HashMap::new()
    } else {
        on!(conn, c => r::table.filter(r::org_id.eq(org.0)).filter(crate::any_id::any_id(r::id, &role_ids)).select((r::id, r::name)).load::<(i64, String)>(c))?.into_iter().collect()
    };
    let units: HashMap<i64, String> = if unit_ids.is_empty() {
        HashMap::new()
    } else {
        on!(conn, c => un::table.filter(un::org_id.eq(org.0)).filter(crate::any_id::any_id(un::id, &unit_ids)).select((un::id, un::name)).load::<(i64, String)>(c))?.into_iter().collect()
    };
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    Ok(rows
        .into_iter()
        .map(|(id, at, actor_kind, actor_id, action, target_kind, target_id, unit_id, before, after, request_id)| {
            let actor_name = match (actor_kind.as_str(), actor_id) {
                ("user" | "staff_as_user", Some(a)) => members.get(&a).cloned(),
                ("staff", Some(a)) => staff.get(&a).cloned(),
                ("api_key", Some(a)) => keys.get(&a).cloned(),
                _ => None,
            };
            let target_name = match (target_kind.as_str(), target_id) {
                ("membership", Some(t)) => members.get(&t).cloned(),
                ("role", Some(t)) => roles.get(&t).cloned(),
                ("unit", Some(t)) => units.get(&t).cloned(),
                _ => None,
            };
            Event {
                id,
                occurred_at: from_db(at),
                actor_name,
                actor_kind,
                actor_id,
                action,
                target_name,
                target_kind,
                target_id,
                unit_name: unit_id.and_then(|u| units.get(&u).cloned()),
                unit_id,
                before: json(before),
                after: json(after),
                request_id,
            }
        })
        .collect())
}
