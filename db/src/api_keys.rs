//! Technical users and their API keys. A technical user is a membership of its own (never listed
//! or counted as a member, no identity) so roles are assigned to it and the engine decides for it
//! as for a person; its keys are shown once, kept as a hash, scoped, expiring and revocable.
//! Every change here is decided by the engine (`api_keys.generate`, `api_keys.revoke`, no
//! escalation for scopes) and audited in its transaction.
use crate::audit::{self, AuditEntry};
use crate::schema::{api_keys as k, memberships as m, organizations as o, role_assignments as ra, technical_users as tu};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::api_keys as rules;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::Target;
use gatehouse_domain::ids::{ApiKeyId, MembershipId, OrgId};
use serde_json::json;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechnicalUserRow {
    pub id: i64,
    pub membership: MembershipId,
    pub name: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
    pub keys: Vec<KeyRow>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub id: ApiKeyId,
    pub name: String,
    /// The public part (`ghk_<public>_…`), so a key in a config file can be recognised.
    pub public_id: String,
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A key just made: the only value that ever holds it in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKey {
    pub id: ApiKeyId,
    pub token: String,
    pub technical_user: String,
    pub expires_at: DateTime<Utc>,
}

/// A key that proved itself: who it acts as, where, and what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAuth {
    pub key: ApiKeyId,
    pub org: OrgId,
    pub technical_user: i64,
    pub membership: MembershipId,
    pub scopes: Vec<String>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// The organization's authorization version, read with the key (the policy snapshot to use).
    pub authz_version: i64,
    pub org_slug: String,
}

fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn random_hex(bytes: usize) -> String {
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

fn require(policy: &Policy, by: MembershipId, permission: &str, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, permission, &Target::Organization, now).map(|_| ()).map_err(DbError::Denied)
}

/// The organization's technical users (those not removed), each with every key it has had.
pub fn list(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<TechnicalUserRow>, DbError> {
    users(conn, org, None)
}

/// One technical user of `org` (not removed).
pub fn get(conn: &mut Conn<'_>, org: OrgId, id: i64) -> Result<TechnicalUserRow, DbError> {
    users(conn, org, Some(id))?.pop().ok_or(DbError::NotFound)
}

fn users(conn: &mut Conn<'_>, org: OrgId, only: Option<i64>) -> Result<Vec<TechnicalUserRow>, DbError> {
    let users: Vec<(i64, i64, String, String, chrono::NaiveDateTime)> = on!(conn, c => {
        let mut q = tu::table.filter(tu::org_id.eq(org.0)).filter(tu::removed_at.is_null()).into_boxed();
        if let Some(id) = only {
            q = q.filter(tu::id.eq(id));
        }
        q.order((tu::name.asc(), tu::id.asc())).select((tu::id, tu::membership_id, tu::name, tu::description, tu::created_at)).load(c)
    })?;
    let ids: Vec<i64> = users.iter().map(|u| u.0).collect();
    let keys = keys_of(conn, org, &ids)?;
    Ok(users
        .into_iter()
        .map(|(id, membership, name, description, created)| TechnicalUserRow {
            id,
            membership: MembershipId(membership),
            name,
            description,
            created_at: from_db(created),
            keys: keys.iter().filter(|(t, _)| *t == id).map(|(_, k)| k.clone()).collect(),
        })
        .collect())
}

#[allow(clippy::type_complexity)]
fn keys_of(conn: &mut Conn<'_>, org: OrgId, users: &[i64]) -> Result<Vec<(i64, KeyRow)>, DbError> {
    let rows: Vec<(i64, i64, String, String, String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>, chrono::NaiveDateTime)> = on!(conn, c => k::table
        .filter(k::org_id.eq(org.0))
        .filter(k::technical_user_id.eq_any(users))
        .order((k::revoked_at.is_not_null(), k::created_at.desc(), k::id.desc()))
        .select((k::technical_user_id, k::id, k::name, k::public_id, k::scopes, k::expires_at, k::revoked_at, k::last_used_at, k::created_at))
        .load(c))?;
    Ok(rows
        .into_iter()
        .map(|(t, id, name, public_id, scopes, expires, revoked, used, created)| {
            (t, KeyRow {
                id: ApiKeyId(id),
                name,
                public_id,
                scopes: serde_json::from_str(&scopes).unwrap_or_default(),
                expires_at: from_db(expires),
                revoked_at: revoked.map(from_db),
                last_used_at: used.map(from_db),
                created_at: from_db(created),
            })
        })
        .collect())
}

/// Adds a technical user (`api_keys.generate` for the whole organization). It holds nothing
/// until roles are assigned to it, like a new member.
#[allow(clippy::too_many_arguments)]
pub fn create_technical_user(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    name: &str,
    description: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<i64, DbError> {
    require(policy, by, "api_keys.generate", now)?;
    let name = rules::name(name)?;
    let description = description.trim();
    if description.chars().count() > 500 {
        return Err(DbError::Domain(gatehouse_domain::DomainError::InvalidValue { field: "description", value: String::new() }));
    }
    conn.transaction(|conn| insert_technical_user(conn, org, &name, description, actor, now))
}

fn insert_technical_user(conn: &mut Conn<'_>, org: OrgId, name: &str, description: &str, actor: Actor, now: DateTime<Utc>) -> Result<i64, DbError> {
    let taken: i64 = on!(conn, c => tu::table.filter(tu::org_id.eq(org.0)).filter(tu::removed_at.is_null()).filter(tu::name.eq(name)).count().get_result(c))?;
    if taken > 0 {
        return Err(DbError::Conflict(crate::Conflict::Duplicate));
    }
    let membership: i64 = on!(conn, c => diesel::insert_into(m::table)
        .values((
            m::org_id.eq(org.0),
            m::user_id.eq(None::<i64>),
            m::status.eq("active"),
            m::member_kind.eq("external"),
            m::role_holder_only.eq(true),
            m::pseudonym.eq(Some(name)),
            m::joined_at.eq(Some(to_db(now))),
            m::created_at.eq(to_db(now)),
            m::updated_at.eq(to_db(now)),
            m::version.eq(1),
            m::updated_by_kind.eq(actor.kind()),
            m::updated_by_id.eq(actor.id()),
            m::sort_key.eq(Some(gatehouse_domain::members_query::sort_key(Some(name), None))),
            m::search_key.eq(Some(gatehouse_domain::members_query::search_key(Some(name), None, None))),
        ))
        .returning(m::id)
        .get_result(c))?;
    let id: i64 = on!(conn, c => diesel::insert_into(tu::table)
        .values((
            tu::org_id.eq(org.0),
            tu::membership_id.eq(membership),
            tu::name.eq(name),
            tu::description.eq(description),
            tu::created_at.eq(to_db(now)),
            tu::updated_at.eq(to_db(now)),
            tu::version.eq(1),
            tu::updated_by_kind.eq(actor.kind()),
            tu::updated_by_id.eq(actor.id()),
        ))
        .returning(tu::id)
        .get_result(c))?;
    audit::record(
        conn,
        now,
        &AuditEntry::new(Some(org), actor, "technical_user.created", "technical_user", Some(id))
            .after(json!({ "name": name, "description": description, "membership": membership })),
    )?;
    Ok(id)
}

/// Removes a technical user: its keys stop at once, its roles end, its membership ends
/// (`api_keys.revoke`). What it did stays in the audit log under its name.
pub fn remove_technical_user(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, id: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    require(policy, by, "api_keys.revoke", now)?;
    conn.transaction(|conn| {
        let t = get(conn, org, id)?;
        crate::authz::bump(conn, org, Some(policy.version))?;
        let revoked = on!(conn, c => diesel::update(k::table.filter(k::technical_user_id.eq(id)).filter(k::revoked_at.is_null()))
            .set(k::revoked_at.eq(Some(to_db(now))))
            .execute(c))?;
        let ended = on!(conn, c => diesel::delete(ra::table.filter(ra::org_id.eq(org.0)).filter(ra::membership_id.eq(t.membership.0))).execute(c))?;
        on!(conn, c => diesel::delete(crate::schema::member_adjustments::table.filter(crate::schema::member_adjustments::membership_id.eq(t.membership.0))).execute(c))?;
        on!(conn, c => diesel::update(m::table.find(t.membership.0))
            .set((m::status.eq("terminated"), m::updated_at.eq(to_db(now)), m::version.eq(m::version + 1), m::updated_by_kind.eq(actor.kind()), m::updated_by_id.eq(actor.id())))
            .execute(c))?;
        on!(conn, c => diesel::update(tu::table.find(id))
            .set((tu::removed_at.eq(Some(to_db(now))), tu::updated_at.eq(to_db(now)), tu::version.eq(tu::version + 1), tu::updated_by_kind.eq(actor.kind()), tu::updated_by_id.eq(actor.id())))
            .execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "technical_user.removed", "technical_user", Some(id))
                .before(json!({ "name": t.name, "keys_revoked": revoked, "assignments_ended": ended })),
        )?;
        Ok(())
    })
}

/// Makes a key for a technical user and returns it — the only time it exists in clear. Whoever
/// makes it holds `api_keys.generate` and every permission they put in its scopes.
#[allow(clippy::too_many_arguments)]
pub fn create_key(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    technical_user: i64,
    name: &str,
    scopes: &[String],
    valid_days: i64,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<NewKey, DbError> {
    require(policy, by, "api_keys.generate", now)?;
    let name = rules::name(name)?;
    let scopes = rules::scopes(scopes)?;
    let expires = rules::expiry(valid_days, now)?;
    rules::may_scope(policy, by, &scopes, now).map_err(DbError::Denied)?;
    conn.transaction(|conn| insert_key(conn, org, technical_user, &name, &scopes, expires, actor, now))
}

#[allow(clippy::too_many_arguments)]
fn insert_key(conn: &mut Conn<'_>, org: OrgId, technical_user: i64, name: &str, scopes: &[String], expires: DateTime<Utc>, actor: Actor, now: DateTime<Utc>) -> Result<NewKey, DbError> {
    let owner = get(conn, org, technical_user)?;
    let public = random_hex(rules::PUBLIC_LEN / 2);
    let secret = random_hex(rules::SECRET_LEN / 2);
    let id: i64 = on!(conn, c => diesel::insert_into(k::table)
        .values((
            k::org_id.eq(org.0),
            k::technical_user_id.eq(technical_user),
            k::name.eq(name),
            k::public_id.eq(&public),
            k::secret_hash.eq(secret_hash(&secret)),
            k::scopes.eq(serde_json::to_string(scopes).unwrap_or_default()),
            k::expires_at.eq(to_db(expires)),
            k::created_at.eq(to_db(now)),
            k::created_by_kind.eq(actor.kind()),
            k::created_by_id.eq(actor.id()),
        ))
        .returning(k::id)
        .get_result(c))?;
    audit::record(
        conn,
        now,
        &AuditEntry::new(Some(org), actor, "api_key.created", "api_key", Some(id)).after(json!({
            "technical_user": technical_user,
            "name": name,
            "public_id": public,
            "scopes": scopes,
            "expires_at": expires.to_rfc3339(),
        })),
    )?;
    Ok(NewKey { id: ApiKeyId(id), token: rules::format(&public, &secret), technical_user: owner.name, expires_at: expires })
}

/// The operator's way (`gatehouse create-api-key`, acting as the system): a key for the
/// technical user `name` (added when missing); with `own_role`, the technical user also gets a
/// role of its own granting exactly the key's scopes for the whole organization. One
/// transaction, audited as the system.
pub fn operator_key(conn: &mut Conn<'_>, org: OrgId, name: &str, scopes: &[String], valid_days: i64, own_role: bool, now: DateTime<Utc>) -> Result<NewKey, DbError> {
    use gatehouse_domain::authz::{RoleGrant, RoleScope, Visibility};
    let actor = Actor::System;
    let name = rules::name(name)?;
    let scopes = rules::scopes(scopes)?;
    let expires = rules::expiry(valid_days, now)?;
    conn.transaction(|conn| {
        let existing = list(conn, org)?.into_iter().find(|t| t.name == name);
        let tech = match existing {
            Some(t) => t,
            None => {
                let id = insert_technical_user(conn, org, &name, "", actor, now)?;
                get(conn, org, id)?
            }
        };
        if own_role {
            let key = format!("api-{}", tech.id); // not user text: a role key
            let role = crate::roles::create(conn, org, &key, &name, "", actor, now)?;
            let grants: Vec<RoleGrant> = scopes.iter().map(|p| RoleGrant { permission: p.clone(), scope: RoleScope::Organization, visibility: Visibility::Individual }).collect();
            crate::roles::replace_grants(conn, org, role, &grants)?;
            crate::roles::insert_assignment(conn, org, tech.membership, role, None, None, actor, now)?;
            crate::authz::bump(conn, org, None)?;
        }
        insert_key(conn, org, tech.id, &name, &scopes, expires, actor, now)
    })
}

/// Revokes a key at once (`api_keys.revoke`). Revoking a revoked key changes nothing.
pub fn revoke_key(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, key: ApiKeyId, actor: Actor, now: DateTime<Utc>) -> Result<bool, DbError> {
    require(policy, by, "api_keys.revoke", now)?;
    conn.transaction(|conn| {
        let row: Option<(String, String, i64)> = on!(conn, c => k::table
            .filter(k::id.eq(key.0))
            .filter(k::org_id.eq(org.0))
            .select((k::name, k::public_id, k::technical_user_id))
            .first(c)
            .optional())?;
        let (name, public, technical_user) = row.ok_or(DbError::NotFound)?;
        let n = on!(conn, c => diesel::update(k::table.find(key.0).filter(k::revoked_at.is_null())).set(k::revoked_at.eq(Some(to_db(now)))).execute(c))?;
        if n == 1 {
            audit::record(
                conn,
                now,
                &AuditEntry::new(Some(org), actor, "api_key.revoked", "api_key", Some(key.0))
                    .before(json!({ "technical_user": technical_user, "name": name, "public_id": public })),
            )?;
        }
        Ok(n == 1)
    })
}

/// The key behind a presented token, if it is ours, still valid and its technical user still
/// there. A read; the caller writes the last-used time when [`rules::touch_due`] says so.
pub fn authenticate(conn: &mut Conn<'_>, token: &str, now: DateTime<Utc>) -> Result<Option<KeyAuth>, DbError> {
    let Some(p) = rules::parse(token) else { return Ok(None) };
    #[allow(clippy::type_complexity)]
    let row: Option<((i64, i64, i64, i64, String, String, chrono::NaiveDateTime, Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>), (i64, String))> = on!(conn, c => k::table
        .inner_join(tu::table)
        .inner_join(o::table)
        .filter(k::public_id.eq(p.public))
        .filter(tu::removed_at.is_null())
        .select(((k::id, k::org_id, tu::id, tu::membership_id, k::secret_hash, k::scopes, k::expires_at, k::revoked_at, k::last_used_at), (o::authz_version, o::slug)))
        .first(c)
        .optional())?;
    let Some(((id, org, technical_user, membership, hash, scopes, expires, revoked, used), (authz_version, org_slug))) = row else { return Ok(None) };
    if !gatehouse_domain::secret::constant_time_eq(hash.as_bytes(), secret_hash(p.secret).as_bytes()) || !rules::usable(from_db(expires), revoked.map(from_db), now) {
        return Ok(None);
    }
    Ok(Some(KeyAuth {
        key: ApiKeyId(id),
        org: OrgId(org),
        technical_user,
        membership: MembershipId(membership),
        scopes: serde_json::from_str(&scopes).unwrap_or_default(),
        last_used_at: used.map(from_db),
        authz_version,
        org_slug,
    }))
}

/// Notes that the key was used (at most once a minute per key: see [`rules::touch_due`]).
pub fn touch(conn: &mut Conn<'_>, key: ApiKeyId, now: DateTime<Utc>) -> Result<(), DbError> {
    on!(conn, c => diesel::update(k::table.find(key.0)).set(k::last_used_at.eq(Some(to_db(now)))).execute(c))?;
    Ok(())
}
