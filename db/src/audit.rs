//! The audit log: append-only (the database refuses UPDATE and DELETE).
use crate::schema::audit_events as ae;
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{OrgId, UnitId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone)]
pub struct AuditEntry<'a> {
    pub org: Option<OrgId>,
    pub actor: Actor,
    pub action: &'a str,
    pub target_kind: &'a str,
    pub target_id: Option<i64>,
    pub unit: Option<UnitId>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<&'a str>,
}

impl<'a> AuditEntry<'a> {
    pub fn new(org: Option<OrgId>, actor: Actor, action: &'a str, target_kind: &'a str, target_id: Option<i64>) -> Self {
        Self { org, actor, action, target_kind, target_id, unit: None, before: None, after: None, request_id: None }
    }
    pub fn after(mut self, v: serde_json::Value) -> Self {
        self.after = Some(v);
        self
    }
    pub fn before(mut self, v: serde_json::Value) -> Self {
        self.before = Some(v);
        self
    }
    pub fn unit(mut self, u: Option<UnitId>) -> Self {
        self.unit = u;
        self
    }
}

pub fn record(conn: &mut Conn<'_>, now: DateTime<Utc>, e: &AuditEntry<'_>) -> Result<i64, DbError> {
    let values = (
        ae::org_id.eq(e.org.map(|o| o.0)),
        ae::occurred_at.eq(to_db(now)),
        ae::actor_kind.eq(e.actor.kind()),
        ae::actor_id.eq(e.actor.id()),
        ae::actor_staff_id.eq(e.actor.staff().map(|s| s.0)),
        ae::action.eq(e.action),
        ae::target_kind.eq(e.target_kind),
        ae::target_id.eq(e.target_id),
        ae::unit_id.eq(e.unit.map(|u| u.0)),
        ae::before_data.eq(e.before.as_ref().map(|v| v.to_string())),
        ae::after_data.eq(e.after.as_ref().map(|v| v.to_string())),
        ae::request_id.eq(e.request_id),
    );
    Ok(on!(conn, c => diesel::insert_into(ae::table).values(values).returning(ae::id).get_result::<i64>(c))?)
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<i64>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The most recent events of one organization, newest first.
pub fn recent(conn: &mut Conn<'_>, org: OrgId, limit: i64) -> Result<Vec<AuditRow>, DbError> {
    type Row = (i64, chrono::NaiveDateTime, String, Option<i64>, String, String, Option<i64>, Option<String>, Option<String>);
    let rows: Vec<Row> = on!(conn, c => ae::table
        .filter(ae::org_id.eq(org.0))
        .order((ae::occurred_at.desc(), ae::id.desc()))
        .limit(limit)
        .select((ae::id, ae::occurred_at, ae::actor_kind, ae::actor_id, ae::action, ae::target_kind, ae::target_id, ae::before_data, ae::after_data))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, at, actor_kind, actor_id, action, target_kind, target_id, before, after)| AuditRow {
            id,
            occurred_at: from_db(at),
            actor_kind,
            actor_id,
            action,
            target_kind,
            target_id,
            before,
            after,
        })
        .collect())
}
