//! What an organization holds about one person (a data subject's copy, GDPR Art. 15/20): their
//! identity as this organization sees it, their membership, everything linked to it (complete,
//! not the compliance page's newest lines), the audit events about them or by them with before
//! and after, the identity provider's document when they were provisioned, their single sign-on
//! links and whether they sign in with a second factor (never the secret). One JSON document; the
//! caller decides who may have it and audits that it was produced ([`produce`]).
use crate::audit::{self, AuditEntry};
use crate::schema::{audit_events as ae, memberships as m, scim_resources as sr};
use crate::{from_db, on, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{MembershipId, OrgId, UserId};
use serde_json::{json, Value};

/// The format's name and version, first in the document.
pub const FORMAT: &str = "gatehouse-personal-data/1";

/// Produces the document for `member` of `org` and audits it (`member.data_exported`, with who
/// asked: the person themself or an administrator), in one transaction.
pub fn produce(conn: &mut Conn<'_>, org: OrgId, member: MembershipId, actor: Actor, now: DateTime<Utc>) -> Result<Value, DbError> {
    conn.transaction(|conn| {
        let doc = collect(conn, org, member, now)?;
        let own = actor.id() == Some(member.0);
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "member.data_exported", "membership", Some(member.0)).after(json!({ "by": if own { "self" } else { "administrator" } })))?;
        Ok(doc)
    })
}

/// The document (no audit row: see [`produce`]).
pub fn collect(conn: &mut Conn<'_>, org: OrgId, member: MembershipId, now: DateTime<Utc>) -> Result<Value, DbError> {
    let o = crate::orgs::get(conn, org)?;
    let mut detail = serde_json::to_value(crate::views::members::detail(conn, org, member, now)?).map_err(|e| DbError::Config(e.to_string()))?;
    if let Value::Object(d) = &mut detail {
        // The last few events are below in full.
        d.remove("recent");
        d.remove("version");
    }
    let user: Option<i64> = on!(conn, c => m::table.filter(m::org_id.eq(org.0)).filter(m::id.eq(member.0)).select(m::user_id).first(c))?;
    let (two_factor, sso) = match user {
        Some(u) => (
            crate::two_factor::enabled(conn, UserId(u))?,
            crate::sso::links_of(conn, UserId(u))?
                .into_iter()
                .filter(|(_, org_name, _)| *org_name == o.name)
                .map(|(provider, _, at)| json!({ "provider": provider, "last_sign_in_at": at.to_rfc3339() }))
                .collect::<Vec<_>>(),
        ),
        None => (false, vec![]),
    };
    let linked = crate::compliance::linked(conn, org, member, 1_000_000)?;
    let linked: serde_json::Map<String, Value> = linked
        .into_iter()
        .filter(|k| k.kind != "audit_events")
        .map(|k| (k.kind.clone(), serde_json::to_value(&k.lines).unwrap_or(Value::Null)))
        .collect();
    type Row = (i64, chrono::NaiveDateTime, String, Option<i64>, String, String, Option<i64>, Option<String>, Option<String>);
    let events: Vec<Row> = on!(conn, c => ae::table
        .filter(ae::org_id.eq(org.0))
        .filter(ae::target_kind.eq("membership").and(ae::target_id.eq(member.0)).or(ae::actor_kind.eq_any(["user", "staff_as_user"]).and(ae::actor_id.eq(member.0))))
        .order(ae::id.asc())
        .select((ae::id, ae::occurred_at, ae::actor_kind, ae::actor_id, ae::action, ae::target_kind, ae::target_id, ae::before_data, ae::after_data))
        .load(c))?;
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str::<Value>(&s).ok()).unwrap_or(Value::Null);
    let events: Vec<Value> = events
        .into_iter()
        .map(|(id, at, actor_kind, actor_id, action, target_kind, target_id, before, after)| {
            let by_them = (actor_kind == "user" || actor_kind == "staff_as_user") && actor_id == Some(member.0);
            json!({
                "id": id,
                "occurred_at": from_db(at).to_rfc3339(),
                "actor_kind": actor_kind,
                "by_them": by_them,
                "action": action,
                "target_kind": target_kind,
                "target_id": target_id,
                "before": parse(before),
                "after": parse(after),
            })
        })
        .collect();
    let provisioned: Option<String> = on!(conn, c => sr::table.filter(sr::org_id.eq(org.0)).filter(sr::membership_id.eq(member.0)).select(sr::document).first(c).optional())?;
    Ok(json!({
        "format": FORMAT,
        "organization": { "slug": o.slug, "name": o.name },
        "exported_at": now.to_rfc3339(),
        "member": detail,
        "two_factor_enabled": two_factor,
        "single_sign_on": sso,
        "provisioned_by_identity_provider": provisioned.map(|d| parse(Some(d))),
        "linked": linked,
        "audit_events": events,
    }))
}
