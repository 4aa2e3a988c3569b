//! Single sign-on providers (OpenID Connect) per organization: their configuration (client
//! secret sealed with a key outside the database), their group mappings, the sign-ins on their
//! way to the provider and back, and what a verified sign-in does — link the provider's subject
//! to a Gatehouse identity by verified e-mail, accept an invitation or create a membership
//! just in time, and apply the group mapping (audited as the organization's background user).
//! Configuration changes are decided by the engine (`settings.edit` for the whole organization;
//! a mapping also under the no-escalation rule) and audited in their transaction.
use crate::audit::{self, AuditEntry};
use crate::schema::{
    invitations as inv, memberships as m, organizations as o, role_assignments as ra, roles as r, sso_assignments as sa, sso_group_mappings as gm, sso_identities as si, sso_logins as sl,
    sso_providers as sp, units as un,
};
use crate::secrets::SealingKey;
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::Target;
use gatehouse_domain::ids::{MembershipId, OrgId, RoleId, UnitId, UserId};
use gatehouse_domain::member::MemberKind;
use gatehouse_domain::sso::{self as rules, GroupMapping, Held, Refusal};
use gatehouse_domain::DomainError;
use serde_json::json;
use std::collections::BTreeSet;

/// What an administrator enters for a provider. On a change, an empty secret keeps the old one.
#[derive(Debug, Clone, Default)]
pub struct ProviderInput {
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub allowed_domains: String,
    pub groups_claim: String,
    pub just_in_time: bool,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MappingRow {
    pub id: i64,
    pub group: String,
    pub role: RoleId,
    pub role_name: String,
    pub unit: Option<UnitId>,
    pub unit_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ProviderRow {
    pub id: i64,
    pub public_id: String,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub allowed_domains: Vec<String>,
    pub groups_claim: String,
    pub just_in_time: bool,
    pub enabled: bool,
    pub mappings: Vec<MappingRow>,
    /// People who have signed in through it.
    pub linked: i64,
    pub updated_at: DateTime<Utc>,
}

fn context(public_id: &str) -> String {
    format!("sso_providers:{public_id}")
}

fn text(field: &'static str, value: &str, max: usize) -> Result<String, DbError> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(DomainError::InvalidValue { field, value: if v.is_empty() { String::new() } else { v.chars().take(80).collect() } }.into());
    }
    Ok(v.to_string())
}

struct Checked {
    name: String,
    issuer: String,
    client_id: String,
    domains: String,
    groups_claim: String,
}

fn check(input: &ProviderInput) -> Result<Checked, DbError> {
    let claim = input.groups_claim.trim();
    Ok(Checked {
        name: text("name", &input.name, 100)?,
        issuer: rules::check_issuer(&input.issuer)?,
        client_id: text("client_id", &input.client_id, 255)?,
        domains: rules::join_domains(&rules::parse_domains(&input.allowed_domains)?),
        groups_claim: if claim.is_empty() { rules::DEFAULT_GROUPS_CLAIM.to_string() } else { text("groups_claim", claim, 100)? },
    })
}

/// The organization's providers with their mappings, by name.
pub fn list(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<ProviderRow>, DbError> {
    type P = (i64, String, String, String, String, String, String, bool, bool, chrono::NaiveDateTime);
    let rows: Vec<P> = on!(conn, c => sp::table
        .filter(sp::org_id.eq(org.0))
        .order((sp::name.asc(), sp::id.asc()))
        .select((sp::id, sp::public_id, sp::name, sp::issuer, sp::client_id, sp::allowed_domains, sp::groups_claim, sp::just_in_time, sp::enabled, sp::updated_at))
        .load(c))?;
    let ids: Vec<i64> = rows.iter().map(|p| p.0).collect();
    let maps: Vec<(i64, i64, String, i64, String, Option<i64>, Option<String>)> = on!(conn, c => gm::table
        .inner_join(r::table.on(r::id.eq(gm::role_id)))
        .left_join(un::table.on(un::id.nullable().eq(gm::unit_id)))
        .filter(gm::provider_id.eq_any(&ids))
        .order((gm::group_name.asc(), r::name.asc(), gm::id.asc()))
        .select((gm::provider_id, gm::id, gm::group_name, gm::role_id, r::name, gm::unit_id, un::name.nullable()))
        .load(c))?;
    let linked: Vec<(i64, i64)> = on!(conn, c => si::table.filter(si::provider_id.eq_any(&ids)).group_by(si::provider_id).select((si::provider_id, diesel::dsl::count_star())).load(c))?;
    Ok(rows
        .into_iter()
        .map(|(id, public_id, name, issuer, client_id, domains, groups_claim, just_in_time, enabled, updated)| ProviderRow {
            mappings: maps
                .iter()
                .filter(|m| m.0 == id)
                .map(|(_, mid, g, role, role_name, unit, unit_name)| MappingRow { id: *mid, group: g.clone(), role: RoleId(*role), role_name: role_name.clone(), unit: unit.map(UnitId), unit_name: unit_name.clone() })
                .collect(),
            linked: linked.iter().find(|l| l.0 == id).map_or(0, |l| l.1),
            allowed_domains: domains.split(' ').filter(|d| !d.is_empty()).map(String::from).collect(),
            id,
            public_id,
            name,
            issuer,
            client_id,
            groups_claim,
            just_in_time,
            enabled,
            updated_at: from_db(updated),
        })
        .collect())
}

fn audit_view(c: &Checked, just_in_time: bool, enabled: bool) -> serde_json::Value {
    // Never the secret, sealed or not.
    json!({"name": c.name, "issuer": c.issuer, "client_id": c.client_id, "allowed_domains": c.domains, "groups_claim": c.groups_claim, "just_in_time": just_in_time, "enabled": enabled})
}

/// Adds a provider (`settings.edit`). Its secret is sealed before it is written.
pub fn create(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, key: &SealingKey, input: &ProviderInput, actor: Actor, now: DateTime<Utc>) -> Result<i64, DbError> {
    policy.require(by, "settings.edit", &Target::Organization, now)?;
    let c = check(input)?;
    let secret = text("client_secret", &input.client_secret, 1000)?;
    let public_id = crate::sessions::random_token()[..16].to_string();
    let sealed = key.seal(&context(&public_id), &secret);
    conn.transaction(|conn| {
        let values = (
            sp::org_id.eq(org.0),
            sp::public_id.eq(&public_id),
            sp::name.eq(&c.name),
            sp::issuer.eq(&c.issuer),
            sp::client_id.eq(&c.client_id),
            sp::client_secret_sealed.eq(&sealed),
            sp::allowed_domains.eq(&c.domains),
            sp::groups_claim.eq(&c.groups_claim),
            sp::just_in_time.eq(input.just_in_time),
            sp::enabled.eq(input.enabled),
            sp::created_at.eq(to_db(now)),
            sp::updated_at.eq(to_db(now)),
            sp::version.eq(1),
            sp::updated_by_kind.eq(actor.kind()),
            sp::updated_by_id.eq(actor.id()),
        );
        let id = on!(conn, x => diesel::insert_into(sp::table).values(values).returning(sp::id).get_result::<i64>(x))?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "sso.provider_added", "sso_provider", Some(id)).after(audit_view(&c, input.just_in_time, input.enabled)))?;
        Ok(id)
    })
}

/// Changes a provider (`settings.edit`); an empty secret keeps the one it has.
pub fn update(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, key: &SealingKey, id: i64, input: &ProviderInput, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, "settings.edit", &Target::Organization, now)?;
    let c = check(input)?;
    let new_secret = if input.client_secret.trim().is_empty() { None } else { Some(text("client_secret", &input.client_secret, 1000)?) };
    conn.transaction(|conn| {
        let before = list(conn, org)?.into_iter().find(|p| p.id == id).ok_or(DbError::NotFound)?;
        let sealed = new_secret.as_ref().map(|s| key.seal(&context(&before.public_id), s));
        on!(conn, x => diesel::update(sp::table.find(id).filter(sp::org_id.eq(org.0)))
            .set((
                sp::name.eq(&c.name),
                sp::issuer.eq(&c.issuer),
                sp::client_id.eq(&c.client_id),
                sp::allowed_domains.eq(&c.domains),
                sp::groups_claim.eq(&c.groups_claim),
                sp::just_in_time.eq(input.just_in_time),
                sp::enabled.eq(input.enabled),
                sp::updated_at.eq(to_db(now)),
                sp::version.eq(sp::version + 1),
                sp::updated_by_kind.eq(actor.kind()),
                sp::updated_by_id.eq(actor.id()),
            ))
            .execute(x))?;
        if let Some(s) = &sealed {
            on!(conn, x => diesel::update(sp::table.find(id)).set(sp::client_secret_sealed.eq(s)).execute(x))?;
        }
        let was = json!({"name": before.name, "issuer": before.issuer, "client_id": before.client_id, "allowed_domains": before.allowed_domains.join(" "), "groups_claim": before.groups_claim, "just_in_time": before.just_in_time, "enabled": before.enabled});
        let mut after = audit_view(&c, input.just_in_time, input.enabled);
        after["secret_replaced"] = json!(sealed.is_some());
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "sso.provider_changed", "sso_provider", Some(id)).before(was).after(after))?;
        if !input.enabled {
            refuse_requirement_without_provider(conn, org)?;
        }
        Ok(())
    })
}

/// Removes a provider (`settings.edit`): its links and pending sign-ins go with it; the role
/// assignments its mapping made stay, as assignments anyone may take away by hand.
pub fn remove(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, id: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, "settings.edit", &Target::Organization, now)?;
    conn.transaction(|conn| {
        let before = list(conn, org)?.into_iter().find(|p| p.id == id).ok_or(DbError::NotFound)?;
        on!(conn, x => diesel::delete(sa::table.filter(sa::provider_id.eq(id))).execute(x))?;
        on!(conn, x => diesel::delete(sl::table.filter(sl::provider_id.eq(id))).execute(x))?;
        on!(conn, x => diesel::delete(si::table.filter(si::provider_id.eq(id))).execute(x))?;
        on!(conn, x => diesel::delete(gm::table.filter(gm::provider_id.eq(id))).execute(x))?;
        on!(conn, x => diesel::delete(sp::table.find(id).filter(sp::org_id.eq(org.0))).execute(x))?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "sso.provider_removed", "sso_provider", Some(id)).before(json!({"name": before.name, "issuer": before.issuer, "linked": before.linked})))?;
        refuse_requirement_without_provider(conn, org)
    })
}

/// An organization that requires single sign-on keeps at least one provider switched on.
fn refuse_requirement_without_provider(conn: &mut Conn<'_>, org: OrgId) -> Result<(), DbError> {
    let required: bool = on!(conn, x => o::table.find(org.0).select(o::require_sso).first(x))?;
    let enabled: i64 = on!(conn, x => sp::table.filter(sp::org_id.eq(org.0)).filter(sp::enabled.eq(true)).count().get_result(x))?;
    if required && enabled == 0 {
        return Err(DbError::Conflict(crate::Conflict::SsoStillRequired));
    }
    Ok(())
}

/// Maps a provider group to a role at a unit (or the whole organization): `settings.edit`, and
/// the caller could assign that role there to anyone themselves (no escalation).
#[allow(clippy::too_many_arguments)]
pub fn add_mapping(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, provider: i64, group: &str, role: RoleId, unit: Option<UnitId>, actor: Actor, now: DateTime<Utc>) -> Result<i64, DbError> {
    policy.require(by, "settings.edit", &Target::Organization, now)?;
    let group = text("group", group, 200)?;
    let engine_role = gatehouse_domain::authz::Roles::role(policy, role).ok_or(DbError::NotFound)?;
    if let Some(u) = unit {
        policy.tree.get(u).ok_or(DbError::NotFound)?;
    }
    let anchor_kind: Option<String> = on!(conn, x => r::table.find(role.0).filter(r::org_id.eq(org.0)).select(r::anchor_kind).first(x))?;
    match (anchor_kind.as_deref(), unit.and_then(|u| policy.tree.get(u))) {
        (Some(kind), Some(at)) if at.kind != kind => return Err(DbError::Denied(gatehouse_domain::authz::Denial::AnchorKind { expected: kind.to_string() })),
        (Some(kind), None) => return Err(DbError::Denied(gatehouse_domain::authz::Denial::AnchorKind { expected: kind.to_string() })),
        _ => {}
    }
    gatehouse_domain::authz::escalation::may_delegate(&policy.subject(by), engine_role, unit, policy, &policy.tree, now)
        .map_err(|x| DbError::Denied(gatehouse_domain::authz::Denial::Escalation(x)))?;
    conn.transaction(|conn| {
        let owner: i64 = on!(conn, x => sp::table.find(provider).filter(sp::org_id.eq(org.0)).select(sp::id).first(x))?;
        let id = on!(conn, x => diesel::insert_into(gm::table)
            .values((gm::provider_id.eq(owner), gm::group_name.eq(&group), gm::role_id.eq(role.0), gm::unit_id.eq(unit.map(|u| u.0)), gm::created_at.eq(to_db(now))))
            .returning(gm::id)
            .get_result::<i64>(x))?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "sso.mapping_added", "sso_provider", Some(owner)).unit(unit).after(json!({"group": group, "role": role.0, "unit": unit.map(|u| u.0)})))?;
        Ok(id)
    })
}

pub fn remove_mapping(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, provider: i64, mapping: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, "settings.edit", &Target::Organization, now)?;
    conn.transaction(|conn| {
        let (group, role, unit): (String, i64, Option<i64>) = on!(conn, x => gm::table
            .inner_join(sp::table)
            .filter(gm::id.eq(mapping))
            .filter(gm::provider_id.eq(provider))
            .filter(sp::org_id.eq(org.0))
            .select((gm::group_name, gm::role_id, gm::unit_id))
            .first(x))?;
        on!(conn, x => diesel::delete(gm::table.find(mapping)).execute(x))?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "sso.mapping_removed", "sso_provider", Some(provider)).unit(unit.map(UnitId)).before(json!({"group": group, "role": role, "unit": unit})))?;
        Ok(())
    })
}

/// Requires single sign-on of the organization's members (`settings.edit`): password and
/// mailed-link sign-in are refused for those who belong to it alone (see [`complete`]). Only
/// once someone has signed in through a provider that is switched on — so it is known to work.
pub fn set_require_sso(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, on_: bool, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    policy.require(by, "settings.edit", &Target::Organization, now)?;
    conn.transaction(|conn| {
        let before: bool = on!(conn, x => o::table.find(org.0).select(o::require_sso).first(x))?;
        if on_ && !before {
            let _ = by;
            let proven: i64 = on!(conn, x => si::table.inner_join(sp::table).filter(sp::org_id.eq(org.0)).filter(sp::enabled.eq(true)).count().get_result(x))?;
            if proven == 0 {
                return Err(DbError::Conflict(crate::Conflict::SsoNotProven));
            }
        }
        on!(conn, x => diesel::update(o::table.find(org.0))
            .set((o::require_sso.eq(on_), o::updated_at.eq(to_db(now)), o::version.eq(o::version + 1), o::updated_by_kind.eq(actor.kind()), o::updated_by_id.eq(actor.id())))
            .execute(x))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "organization.security_settings", "organization", Some(org.0)).before(json!({ "require_sso": before })).after(json!({ "require_sso": on_ })),
        )?;
        Ok(())
    })
}

pub fn required(conn: &mut Conn<'_>, org: OrgId) -> Result<bool, DbError> {
    Ok(on!(conn, x => o::table.find(org.0).select(o::require_sso).first(x))?)
}

/// A provider's button on the sign-in page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Button {
    pub public_id: String,
    pub name: String,
    pub org_name: String,
}

/// The switched-on providers that sign in `email` (its domain is one of theirs), by organization.
pub fn buttons_for_email(conn: &mut Conn<'_>, email: &str) -> Result<Vec<Button>, DbError> {
    let Some((_, domain)) = email.trim().rsplit_once('@') else { return Ok(vec![]) };
    let domain = domain.to_lowercase();
    if domain.is_empty() || domain.contains([' ', '%', '_']) {
        return Ok(vec![]);
    }
    let rows: Vec<(String, String, String, String)> = on!(conn, x => sp::table
        .inner_join(o::table)
        .filter(sp::enabled.eq(true))
        .filter(sp::allowed_domains.like(format!("%{domain}%")))
        .order((o::name.asc(), sp::name.asc()))
        .select((sp::public_id, sp::name, o::name, sp::allowed_domains))
        .load(x))?;
    Ok(rows
        .into_iter()
        .filter(|(_, _, _, domains)| domains.split(' ').any(|d| d == domain))
        .map(|(public_id, name, org_name, _)| Button { public_id, name, org_name })
        .collect())
}

/// The switched-on providers of an organization (its members' sign-in buttons).
pub fn buttons_for_org(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<Button>, DbError> {
    let rows: Vec<(String, String, String)> = on!(conn, x => sp::table
        .inner_join(o::table)
        .filter(sp::org_id.eq(org.0))
        .filter(sp::enabled.eq(true))
        .order(sp::name.asc())
        .select((sp::public_id, sp::name, o::name))
        .load(x))?;
    Ok(rows.into_iter().map(|(public_id, name, org_name)| Button { public_id, name, org_name }).collect())
}

/// Whether `user` belongs to `org` alone: no membership (of any status but ended) elsewhere, and
/// not platform staff. Only such people sign in through the organization's provider.
pub fn alone_in(conn: &mut Conn<'_>, user: UserId, org: OrgId) -> Result<bool, DbError> {
    use crate::schema::{platform_staff as ps, users as u};
    let elsewhere: i64 = on!(conn, x => m::table
        .filter(m::user_id.eq(user.0))
        .filter(m::org_id.ne(org.0))
        .filter(m::status.eq_any(["active", "invited"]))
        .count()
        .get_result(x))?;
    let staff: i64 = on!(conn, x => u::table.inner_join(ps::table.on(ps::email.eq(u::email))).filter(u::id.eq(user.0)).count().get_result(x))?;
    Ok(elsewhere == 0 && staff == 0)
}

/// The organization requiring single sign-on that `user` belongs to alone, if any (with a
/// provider switched on): password and mailed-link sign-in are refused for them. People who also
/// belong elsewhere, and staff, keep their password.
pub fn required_for(conn: &mut Conn<'_>, user: UserId) -> Result<Option<(String, String)>, DbError> {
    let row: Option<(i64, String, String)> = on!(conn, x => m::table
        .inner_join(o::table)
        .filter(m::user_id.eq(user.0))
        .filter(m::status.eq("active"))
        .filter(o::require_sso.eq(true))
        .filter(diesel::dsl::exists(sp::table.filter(sp::org_id.eq(o::id)).filter(sp::enabled.eq(true))))
        .order(o::name.asc())
        .select((o::id, o::slug, o::name))
        .first(x)
        .optional())?;
    let Some((org, slug, name)) = row else { return Ok(None) };
    Ok(alone_in(conn, user, OrgId(org))?.then_some((slug, name)))
}

/// What a sign-in needs of its provider, the secret opened.
#[derive(Debug, Clone)]
pub struct ProviderForSignIn {
    pub id: i64,
    pub org: OrgId,
    pub public_id: String,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub groups_claim: String,
}

/// A switched-on provider by its public id; `None` when it is unknown, off, or its secret does
/// not open with this key.
pub fn for_sign_in(conn: &mut Conn<'_>, key: &SealingKey, public_id: &str) -> Result<Option<ProviderForSignIn>, DbError> {
    let row: Option<(i64, i64, String, String, String, String, String)> = on!(conn, x => sp::table
        .filter(sp::public_id.eq(public_id))
        .filter(sp::enabled.eq(true))
        .select((sp::id, sp::org_id, sp::name, sp::issuer, sp::client_id, sp::client_secret_sealed, sp::groups_claim))
        .first(x)
        .optional())?;
    Ok(row.and_then(|(id, org, name, issuer, client_id, sealed, groups_claim)| {
        let Some(client_secret) = key.open(&context(public_id), &sealed) else {
            tracing::error!(provider = id, "an SSO client secret does not open with this server's secret key");
            return None;
        };
        Some(ProviderForSignIn { id, org: OrgId(org), public_id: public_id.to_string(), name, issuer, client_id, client_secret, groups_claim })
    }))
}

/// A provider's public id (the sign-in taken back names the provider by its row).
pub fn public_id(conn: &mut Conn<'_>, provider: i64) -> Result<Option<String>, DbError> {
    Ok(on!(conn, x => sp::table.find(provider).select(sp::public_id).first(x).optional())?)
}

/// A sign-in leaving for the provider: its state (hashed), nonce and PKCE verifier.
pub fn start_login(conn: &mut Conn<'_>, provider: i64, state: &str, nonce: &str, pkce_verifier: &str, next: Option<&str>, now: DateTime<Utc>) -> Result<(), DbError> {
    // Sign-ins older than their limit are cleared on the way.
    on!(conn, x => diesel::delete(sl::table.filter(sl::expires_at.lt(to_db(now)))).execute(x))?;
    on!(conn, x => diesel::insert_into(sl::table)
        .values((
            sl::state_hash.eq(crate::sessions::token_hash(state)),
            sl::provider_id.eq(provider),
            sl::nonce.eq(nonce),
            sl::pkce_verifier.eq(pkce_verifier),
            sl::next_path.eq(next),
            sl::created_at.eq(to_db(now)),
            sl::expires_at.eq(to_db(now + chrono::Duration::minutes(rules::LOGIN_MINUTES))),
        ))
        .execute(x))?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub provider: i64,
    pub nonce: String,
    pub pkce_verifier: String,
    pub next: Option<String>,
}

/// Takes a sign-in back by its state: once only (the row is deleted as it is read), and only
/// within its limit.
pub fn take_login(conn: &mut Conn<'_>, state: &str, now: DateTime<Utc>) -> Result<Option<Login>, DbError> {
    let hash = crate::sessions::token_hash(state);
    conn.transaction(|conn| {
        let row: Option<(i64, String, String, Option<String>, chrono::NaiveDateTime)> =
            on!(conn, x => sl::table.find(&hash).select((sl::provider_id, sl::nonce, sl::pkce_verifier, sl::next_path, sl::expires_at)).first(x).optional())?;
        let Some((provider, nonce, pkce_verifier, next, expires)) = row else { return Ok(None) };
        let n = on!(conn, x => diesel::delete(sl::table.find(&hash)).execute(x))?;
        if n != 1 || from_db(expires) <= now {
            return Ok(None);
        }
        Ok(Some(Login { provider, nonce, pkce_verifier, next }))
    })
}

/// What the provider says about the person, after the ID token was verified.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub groups: BTreeSet<String>,
}

/// A sign-in the provider vouched for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    pub user: UserId,
    pub org: OrgId,
    pub membership: MembershipId,
    /// Gained and lost through the group mapping: (role name, unit name).
    pub gained: Vec<(String, Option<String>)>,
    pub lost: Vec<(String, Option<String>)>,
}

/// Links, admits and maps: the subject's Gatehouse identity (linked before, or found by verified
/// e-mail), its membership (active; invited → accepted; none → created when the provider allows
/// just-in-time membership), then the group mapping applied. One transaction.
pub fn complete(conn: &mut Conn<'_>, provider: i64, claims: &Claims, now: DateTime<Utc>) -> Result<Result<SignedIn, Refusal>, DbError> {
    conn.transaction(|conn| {
        let row: Option<(i64, String, bool, bool, String)> =
            on!(conn, x => sp::table.find(provider).select((sp::org_id, sp::allowed_domains, sp::just_in_time, sp::enabled, sp::name)).first(x).optional())?;
        let Some((org, domains, just_in_time, enabled, provider_name)) = row else { return Ok(Err(Refusal::Disabled)) };
        if !enabled {
            return Ok(Err(Refusal::Disabled));
        }
        let org = OrgId(org);
        let org_row = crate::orgs::get(conn, org)?;
        let background = Actor::Background { user: org_row.background_user };
        let domains: Vec<String> = domains.split(' ').filter(|d| !d.is_empty()).map(String::from).collect();
        let (Some(email), true) = (claims.email.as_deref().map(|e| e.trim().to_lowercase()), claims.email_verified) else { return Ok(Err(Refusal::Unverified)) };
        if !rules::domain_allowed(&email, &domains) {
            return Ok(Err(Refusal::Domain));
        }
        // The identity: linked to this subject before, or the one with this (verified) address.
        let linked: Option<i64> = on!(conn, x => si::table.filter(si::provider_id.eq(provider)).filter(si::subject.eq(&claims.subject)).select(si::user_id).first(x).optional())?;
        let mut user = match linked {
            Some(u) => Some(UserId(u)),
            None => crate::users::find_by_email(conn, &email)?.filter(|u| !u.is_system).map(|u| u.id),
        };
        // An organization's provider signs in only people who belong to that organization alone:
        // an identity that is also a member elsewhere, or platform staff, signs in with its own
        // password (and second factor). Otherwise whoever runs one organization's provider (and
        // sets its allowed domains) could sign in as anyone with a matching address.
        if let Some(u) = user {
            if !alone_in(conn, u, org)? {
                return Ok(Err(Refusal::OtherOrganizations));
            }
        }
        // The membership.
        let mut membership: Option<(i64, String)> = match user {
            Some(u) => on!(conn, x => m::table.filter(m::org_id.eq(org.0)).filter(m::user_id.eq(u.0)).order(m::id.desc()).select((m::id, m::status)).first(x).optional())?,
            None => None,
        };
        match membership.as_ref().map(|(_, s)| s.as_str()) {
            Some("active") => {}
            Some("invited") => {
                let (id, _) = membership.clone().expect("matched");
                let actor = Actor::User { user: user.expect("invited members have an identity"), membership: Some(MembershipId(id)) };
                on!(conn, x => diesel::update(m::table.find(id).filter(m::status.eq("invited")))
                    .set((m::status.eq("active"), m::joined_at.eq(Some(to_db(now))), m::updated_at.eq(to_db(now)), m::version.eq(m::version + 1), m::updated_by_kind.eq(actor.kind()), m::updated_by_id.eq(actor.id())))
                    .execute(x))?;
                on!(conn, x => diesel::update(inv::table.filter(inv::membership_id.eq(id)).filter(inv::accepted_at.is_null()))
                    .set((inv::accepted_at.eq(Some(to_db(now))), inv::updated_at.eq(to_db(now)), inv::version.eq(inv::version + 1), inv::updated_by_kind.eq(actor.kind()), inv::updated_by_id.eq(actor.id())))
                    .execute(x))?;
                audit::record(conn, now, &AuditEntry::new(Some(org), actor, "invitation.accepted", "membership", Some(id)).after(json!({"via": "sso", "provider": provider_name})))?;
                crate::authz::bump(conn, org, None)?;
                membership = Some((id, "active".into()));
            }
            Some(_) => return Ok(Err(Refusal::Ended)),
            None if just_in_time => {
                let u = match user {
                    Some(u) => u,
                    None => {
                        let name = claims.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or(email.split('@').next().unwrap_or_default()).to_string();
                        let new = crate::users::NewUser { email: &email, display_name: &name, locale: org_locale(), password_hash: None, is_system: false };
                        crate::users::create(conn, &new, background, now)?
                    }
                };
                user = Some(u);
                let id = crate::members::add(conn, &crate::members::NewMember::active(org, u, MemberKind::Employee, &[]), background, now)?;
                audit::record(conn, now, &AuditEntry::new(Some(org), background, "sso.member_created", "membership", Some(id.0)).after(json!({"provider": provider_name, "email": email})))?;
                crate::authz::bump(conn, org, None)?;
                membership = Some((id.0, "active".into()));
            }
            None => return Ok(Err(Refusal::NoMembership)),
        }
        let (user, membership) = (user.expect("set above"), MembershipId(membership.expect("set above").0));
        // The link, made once; its last sign-in moved on.
        let n = on!(conn, x => diesel::update(si::table.filter(si::provider_id.eq(provider)).filter(si::subject.eq(&claims.subject))).set(si::last_sign_in_at.eq(to_db(now))).execute(x))?;
        if n == 0 {
            on!(conn, x => diesel::insert_into(si::table)
                .values((si::provider_id.eq(provider), si::subject.eq(&claims.subject), si::user_id.eq(user.0), si::created_at.eq(to_db(now)), si::last_sign_in_at.eq(to_db(now))))
                .execute(x))?;
            audit::record(conn, now, &AuditEntry::new(Some(org), Actor::User { user, membership: Some(membership) }, "sso.identity_linked", "membership", Some(membership.0)).after(json!({"provider": provider_name})))?;
        }
        let (gained, lost) = apply_mapping(conn, org, provider, &provider_name, membership, &claims.groups, background, now)?;
        Ok(Ok(SignedIn { user, org, membership, gained, lost }))
    })
}

fn org_locale() -> gatehouse_domain::locale::Locale {
    gatehouse_domain::locale::Locale::default()
}

/// The group mapping applied for `membership` (see [`rules::plan`]): audited as the background
/// user, one event naming the groups and what was gained and lost, beside the assignments' own.
#[allow(clippy::too_many_arguments)]
fn apply_mapping(
    conn: &mut Conn<'_>,
    org: OrgId,
    provider: i64,
    provider_name: &str,
    membership: MembershipId,
    groups: &BTreeSet<String>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(Vec<(String, Option<String>)>, Vec<(String, Option<String>)>), DbError> {
    let mappings: Vec<(String, i64, Option<i64>)> = on!(conn, x => gm::table
        .inner_join(r::table.on(r::id.eq(gm::role_id)))
        .filter(gm::provider_id.eq(provider))
        .filter(r::retired_at.is_null())
        .select((gm::group_name, gm::role_id, gm::unit_id))
        .load(x))?;
    let mappings: Vec<GroupMapping> = mappings.into_iter().map(|(group, role, unit)| GroupMapping { group, role: RoleId(role), unit: unit.map(UnitId) }).collect();
    // Live assignments only: an ended one made by hand does not stand in for the mapping's.
    let held: Vec<(i64, i64, Option<i64>, Option<i64>)> = on!(conn, x => ra::table
        .left_join(sa::table.on(sa::assignment_id.eq(ra::id).and(sa::provider_id.eq(provider))))
        .filter(ra::membership_id.eq(membership.0))
        .filter(ra::ends_at.is_null().or(ra::ends_at.gt(to_db(now))))
        .select((ra::id, ra::role_id, ra::unit_id, sa::provider_id.nullable()))
        .load(x))?;
    let held: Vec<Held> = held.into_iter().map(|(id, role, unit, by)| Held { id, role: RoleId(role), unit: unit.map(UnitId), by_mapping: by.is_some() }).collect();
    let plan = rules::plan(&mappings, groups, &held);
    if plan.is_empty() {
        return Ok((vec![], vec![]));
    }
    let names = |conn: &mut Conn<'_>, role: RoleId, unit: Option<UnitId>| -> Result<(String, Option<String>), DbError> {
        let role_name: String = on!(conn, x => r::table.find(role.0).select(r::name).first(x))?;
        let unit_name: Option<String> = match unit {
            Some(u) => Some(on!(conn, x => un::table.find(u.0).select(un::name).first(x))?),
            None => None,
        };
        Ok((role_name, unit_name))
    };
    let mut lost = Vec::new();
    for id in &plan.remove {
        let h = held.iter().find(|h| h.id == *id).expect("planned from held");
        lost.push(names(conn, h.role, h.unit)?);
        on!(conn, x => diesel::delete(ra::table.find(id)).execute(x))?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "role.unassigned", "membership", Some(membership.0)).unit(h.unit).before(json!({"role": h.role.0, "unit": h.unit.map(|u| u.0), "via": "sso"})))?;
    }
    let mut gained = Vec::new();
    for (role, unit) in &plan.add {
        gained.push(names(conn, *role, *unit)?);
        let id = crate::roles::insert_assignment(conn, org, membership, *role, *unit, None, actor, now)?;
        on!(conn, x => diesel::insert_into(sa::table).values((sa::assignment_id.eq(id), sa::provider_id.eq(provider))).execute(x))?;
    }
    crate::authz::bump(conn, org, None)?;
    let words = |v: &[(String, Option<String>)]| v.iter().map(|(r, u)| json!({"role": r, "unit": u})).collect::<Vec<_>>();
    audit::record(
        conn,
        now,
        &AuditEntry::new(Some(org), actor, "sso.groups_applied", "membership", Some(membership.0))
            .before(json!({"lost": words(&lost)}))
            .after(json!({"provider": provider_name, "groups": groups.iter().collect::<Vec<_>>(), "gained": words(&gained)})),
    )?;
    Ok((gained, lost))
}

/// Which of `user`'s identities are linked to providers, for the account page: (provider, organization).
pub fn links_of(conn: &mut Conn<'_>, user: UserId) -> Result<Vec<(String, String, DateTime<Utc>)>, DbError> {
    let rows: Vec<(String, String, chrono::NaiveDateTime)> = on!(conn, x => si::table
        .inner_join(sp::table.inner_join(o::table))
        .filter(si::user_id.eq(user.0))
        .order(o::name.asc())
        .select((sp::name, o::name, si::last_sign_in_at))
        .load(x))?;
    Ok(rows.into_iter().map(|(p, o, at)| (p, o, from_db(at))).collect())
}
