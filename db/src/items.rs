//! Items: Gatehouse's generic record of a piece of content (module, title, creator, owner, unit,
//! invited people). Every operation is decided by the engine's item rules (creator rule,
//! edit/delete-any, ownership, "administrators see no content") on a policy snapshot.
use crate::audit::{self, AuditEntry};
use crate::schema::{item_assignees as ia, items as it, memberships as m, users as us};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::content::{may_own, ItemOp};
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::{Denial, Target};
use gatehouse_domain::ids::{MembershipId, OrgId, UnitId};
use gatehouse_domain::member::MemberKind;
use gatehouse_domain::DomainError;
use serde::{Deserialize, Serialize};
use serde_json::json;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemRow {
    pub id: i64,
    pub module: String,
    pub title: String,
    pub creator: Option<MembershipId>,
    pub owner: Option<MembershipId>,
    pub unit: Option<UnitId>,
    pub assignees: Vec<MembershipId>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
}

impl ItemRow {
    pub fn target(&self) -> Target {
        Target::Item { creator: self.creator, owner: self.owner, assignees: self.assignees.clone(), unit: self.unit }
    }
}

type Row = (i64, String, String, Option<i64>, Option<i64>, Option<i64>, NaiveDateTime, i32);

fn rows(conn: &mut Conn<'_>, org: OrgId, module: Option<&str>, id: Option<i64>) -> Result<Vec<ItemRow>, DbError> {
    let raw: Vec<Row> = on!(conn, c => {
        let mut q = it::table
            .filter(it::org_id.eq(org.0))
            .select((it::id, it::module_key, it::title, it::creator_id, it::owner_id, it::unit_id, it::updated_at, it::version))
            .order(it::id.desc())
            .into_boxed();
        if let Some(mk) = module {
            q = q.filter(it::module_key.eq(mk.to_string()));
        }
        if let Some(id) = id {
            q = q.filter(it::id.eq(id));
        }
        q.load(c)
    })?;
    let ids: Vec<i64> = raw.iter().map(|r| r.0).collect();
    let assignees: Vec<(i64, i64)> = on!(conn, c => ia::table.filter(crate::any_id::any_id(ia::item_id, &ids)).select((ia::item_id, ia::membership_id)).load(c))?;
    Ok(raw
        .into_iter()
        .map(|(id, module, title, creator, owner, unit, updated, version)| ItemRow {
            id,
            module,
            title,
            creator: creator.map(MembershipId),
            owner: owner.map(MembershipId),
            unit: unit.map(UnitId),
            assignees: assignees.iter().filter(|(i, _)| *i == id).map(|(_, m)| MembershipId(*m)).collect(),
            updated_at: from_db(updated),
            version,
        })
        .collect())
}

pub fn get(conn: &mut Conn<'_>, org: OrgId, id: i64) -> Result<ItemRow, DbError> {
    rows(conn, org, None, Some(id))?.into_iter().next().ok_or(DbError::NotFound)
}

/// The items of `module` that `viewer` may see (none for someone who sees no content).
pub fn visible(conn: &mut Conn<'_>, org: OrgId, module: &str, policy: &Policy, viewer: MembershipId, now: DateTime<Utc>) -> Result<Vec<ItemRow>, DbError> {
    Ok(rows(conn, org, Some(module), None)?.into_iter().filter(|i| policy.check_item(viewer, module, ItemOp::View, &i.target(), now).allowed).collect())
}

/// Names of memberships for display (pseudonym for anonymized ones).
pub fn names(conn: &mut Conn<'_>, org: OrgId, ids: &[MembershipId]) -> Result<Vec<(MembershipId, String)>, DbError> {
    let ids: Vec<i64> = ids.iter().map(|m| m.0).collect();
    let rows: Vec<(i64, Option<String>, Option<String>)> = on!(conn, c => m::table
        .left_join(us::table)
        .filter(m::org_id.eq(org.0))
        .filter(crate::any_id::any_id(m::id, &ids))
        .select((m::id, us::display_name.nullable(), m::pseudonym))
        .load(c))?;
    Ok(rows.into_iter().map(|(id, n, p)| (MembershipId(id), p.or(n).unwrap_or_default())).collect())
}

fn deny(permission: String, d: gatehouse_domain::authz::Decision) -> DbError {
    DbError::Denied(Denial::NotPermitted { permission, reasons: d.reasons })
}

/// May `by` do `op` on `item`? Decided before anything else about the item is looked at. A
/// caller who may not even see the item is told it is not found (as for an id that does not
/// exist): a refusal must not confirm that a record exists.
fn require(policy: &Policy, by: MembershipId, item: &ItemRow, op: ItemOp, action: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    let d = policy.check_item(by, &item.module, op, &item.target(), now);
    if d.allowed {
        return Ok(());
    }
    if !policy.check_item(by, &item.module, ItemOp::View, &item.target(), now).allowed {
        return Err(DbError::NotFound);
    }
    Err(deny(format!("{}.{action}", item.module), d))
}

fn check_owner(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, module: &str, owner: MembershipId, item: &Target, now: DateTime<Utc>) -> Result<(), DbError> {
    let kind: Option<String> = on!(conn, c => m::table
        .filter(m::id.eq(owner.0))
        .filter(m::org_id.eq(org.0))
        .filter(m::status.eq("active"))
        .filter(m::role_holder_only.eq(false))
        .select(m::member_kind)
        .first(c)
        .optional())?;
    let kind = MemberKind::parse(&kind.ok_or(DbError::NotFound)?)?;
    let module_def = policy.modules.iter().find(|x| x.key == module).ok_or(DbError::NotFound)?;
    may_own(&policy.subject(owner), kind, module_def, item, policy, &policy.tree, now).map_err(|e| DbError::Denied(Denial::Owner(e)))
}

fn valid_title(title: &str) -> Result<&str, DbError> {
    let t = title.trim();
    if t.is_empty() || t.chars().count() > 200 {
        return Err(DomainError::InvalidValue { field: "title", value: title.to_string() }.into());
    }
    Ok(t)
}

/// Creates an item as `by` (needs `module.create` there; the owner must be allowed to own it).
#[allow(clippy::too_many_arguments)]
pub fn create(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    module: &str,
    title: &str,
    unit: Option<UnitId>,
    owner: Option<MembershipId>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    let title = valid_title(title)?;
    if !policy.modules.iter().any(|x| x.key == module) {
        return Err(DbError::NotFound);
    }
    if let Some(u) = unit {
        policy.tree.get(u).ok_or(DbError::NotFound)?;
    }
    let target = Target::Item { creator: Some(by), owner, assignees: vec![], unit };
    let permission = format!("{module}.create");
    let d = policy.check(by, &permission, &target, now);
    if !d.allowed {
        return Err(deny(permission, d));
    }
    conn.transaction(|conn| {
        if let Some(o) = owner {
            check_owner(conn, org, policy, module, o, &target, now)?;
        }
        let values = (
            it::org_id.eq(org.0),
            it::module_key.eq(module),
            it::title.eq(title),
            it::creator_id.eq(Some(by.0)),
            it::owner_id.eq(owner.map(|o| o.0)),
            it::unit_id.eq(unit.map(|u| u.0)),
            it::created_at.eq(to_db(now)),
            it::updated_at.eq(to_db(now)),
            it::version.eq(1),
            it::updated_by_kind.eq(actor.kind()),
            it::updated_by_id.eq(actor.id()),
        );
        let id = on!(conn, c => diesel::insert_into(it::table).values(values).returning(it::id).get_result::<i64>(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "item.created", "item", Some(id)).unit(unit).after(json!({"module": module, "title": title, "owner": owner.map(|o| o.0)})),
        )?;
        Ok(id)
    })
}

/// Renames an item and/or changes its owner (edit rights or the creator rule; owner rules).
#[allow(clippy::too_many_arguments)]
pub fn update(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    id: i64,
    title: &str,
    owner: Option<MembershipId>,
    expected_version: i32,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let item = get(conn, org, id)?;
        // The permission before the version: a refused caller learns nothing of who edited it.
        require(policy, by, &item, ItemOp::Edit, "edit_any", now)?;
        let title = valid_title(title)?;
        if item.version != expected_version {
            return Err(DbError::Stale { changed_by: None, at: item.updated_at.format("%Y-%m-%d %H:%M UTC").to_string() });
        }
        if let Some(o) = owner.filter(|o| Some(*o) != item.owner) {
            check_owner(conn, org, policy, &item.module, o, &item.target(), now)?;
        }
        on!(conn, c => diesel::update(it::table.find(id))
            .set((
                it::title.eq(title),
                it::owner_id.eq(owner.map(|o| o.0)),
                it::version.eq(it::version + 1),
                it::updated_at.eq(to_db(now)),
                it::updated_by_kind.eq(actor.kind()),
                it::updated_by_id.eq(actor.id()),
            ))
            .execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "item.edited", "item", Some(id))
                .unit(item.unit)
                .before(json!({"title": item.title, "owner": item.owner.map(|o| o.0)}))
                .after(json!({"title": title, "owner": owner.map(|o| o.0)})),
        )?;
        Ok(())
    })
}

/// Deletes an item (delete rights or the creator rule). `bulk` applies the bulk rule: only the
/// creator.
#[allow(clippy::too_many_arguments)]
pub fn delete(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, id: i64, bulk: bool, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let item = get(conn, org, id)?;
        let op = if bulk { ItemOp::BulkDelete } else { ItemOp::Delete };
        require(policy, by, &item, op, "delete_any", now)?;
        on!(conn, c => diesel::delete(ia::table.filter(ia::item_id.eq(id))).execute(c))?;
        on!(conn, c => diesel::delete(it::table.find(id)).execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "item.deleted", "item", Some(id)).unit(item.unit).before(json!({"module": item.module, "title": item.title})),
        )?;
        Ok(())
    })
}

/// Invites a member to an item ("invited" in seed permission-matrix). Needs edit rights.
pub fn invite(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, id: i64, member: MembershipId, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let item = get(conn, org, id)?;
        require(policy, by, &item, ItemOp::Edit, "edit_any", now)?;
        crate::authz::member_units(conn, org, member)?;
        on!(conn, c => diesel::insert_into(ia::table).values((ia::item_id.eq(id), ia::membership_id.eq(member.0))).execute(c))
            .map_err(|e| match DbError::from(e) {
                DbError::Conflict(_) => DbError::Conflict(crate::Conflict::AlreadyInvited),
                other => other,
            })?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "item.invited", "item", Some(id)).unit(item.unit).after(json!({"member": member.0})))?;
        Ok(())
    })
}
