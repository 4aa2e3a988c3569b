//! SCIM 2.0 provisioning onto memberships and units. Each resource an identity provider keeps
//! here is a row of `scim_resources` with the document as last sent (returned as sent, so every
//! attribute round-trips) and what it is in Gatehouse:
//!
//! - a **User** with an address is an invitation (through [`crate::invitations::invite`], the
//!   same path as the invite form: the mail, the audit, the no-escalation rules), linked to the
//!   membership that person already has here if any; `active: false` or DELETE ends the
//!   membership at once ([`crate::compliance::end_membership`]: roles end, a compliance case
//!   opens) and the person's sessions with it — or withdraws the invitation; a User without an
//!   address is kept until one arrives;
//! - a **Group** is a unit (one of the same name that no other group holds, else a new one at the
//!   top of the tree); its `members` are the units' members among the provisioned Users (people
//!   placed there in the portal are left alone).
//!
//! Every change is decided by the engine for the API key's technical user (`members.invite`,
//! `members.edit`, `members.terminate`, `units.manage`, `members.move`) and written in one
//! transaction with its audit rows. Refusals of the protocol (`uniqueness`, `invalidValue`, …)
//! come back as `Ok(Err(ScimError))` and are found before anything is written.
use crate::audit::{self, AuditEntry};
use crate::schema::{invitations as inv, memberships as m, membership_units as mu, scim_resources as sr, units as un};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::Target;
use gatehouse_domain::ids::{MembershipId, OrgId, UnitId, UserId};
use gatehouse_domain::member::{MemberKind, MemberStatus};
use gatehouse_domain::scim::{self as rules, Kind, ScimError};
use serde_json::{json, Value};

/// One kept resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub public_id: String,
    pub kind: Kind,
    pub document: Value,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub membership: Option<MembershipId>,
    pub unit: Option<UnitId>,
}

type Row = (i64, String, String, String, Option<i64>, Option<i64>, chrono::NaiveDateTime, chrono::NaiveDateTime, i32);

fn resource(r: Row) -> Result<(i64, Resource), DbError> {
    let (row, public_id, kind, document, membership, unit, created_at, updated_at, version) = r;
    let kind = Kind::parse(&kind).ok_or_else(|| DbError::Config(format!("unknown SCIM kind {kind}")))?; // not user text: a corrupt row
    let document = serde_json::from_str(&document).map_err(|e| DbError::Config(e.to_string()))?;
    Ok((
        row,
        Resource { public_id, kind, document, version, created_at: from_db(created_at), updated_at: from_db(updated_at), membership: membership.map(MembershipId), unit: unit.map(UnitId) },
    ))
}

macro_rules! columns {
    () => {
        (sr::id, sr::public_id, sr::kind, sr::document, sr::membership_id, sr::unit_id, sr::created_at, sr::updated_at, sr::version)
    };
}

fn find(conn: &mut Conn<'_>, org: OrgId, kind: Kind, public_id: &str) -> Result<Option<(i64, Resource)>, DbError> {
    let r: Option<Row> = on!(conn, c => sr::table
        .filter(sr::org_id.eq(org.0))
        .filter(sr::kind.eq(kind.as_str()))
        .filter(sr::public_id.eq(public_id))
        .select(columns!())
        .first(c)
        .optional())?;
    r.map(resource).transpose()
}

/// One resource of the organization, by its id.
pub fn get(conn: &mut Conn<'_>, org: OrgId, kind: Kind, public_id: &str) -> Result<Option<Resource>, DbError> {
    Ok(find(conn, org, kind, public_id)?.map(|(_, r)| r))
}

/// The organization's resources of `kind` in the order they were made; with `eq` (an attribute
/// of [`rules::simple_eq`] and its value) only those the index finds (the caller still applies
/// the filter to what comes back).
pub fn list(conn: &mut Conn<'_>, org: OrgId, kind: Kind, eq: Option<(&str, &str)>) -> Result<Vec<Resource>, DbError> {
    let rows: Vec<Row> = on!(conn, c => {
        let mut q = sr::table.filter(sr::org_id.eq(org.0)).filter(sr::kind.eq(kind.as_str())).select(columns!()).order(sr::id.asc()).into_boxed();
        match eq {
            Some(("externalId", v)) => q = q.filter(sr::external_id.eq(v.to_string())),
            Some((_, v)) => q = q.filter(sr::name_key.eq(v.trim().to_lowercase())),
            None => {}
        }
        q.load(c)
    })?;
    rows.into_iter().map(|r| resource(r).map(|(_, r)| r)).collect()
}

/// Keeps a new resource and makes it real: a User invited (or linked to the membership the
/// address already has here), a Group a unit with its members.
#[allow(clippy::too_many_arguments)]
pub fn create(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    kind: Kind,
    body: &Value,
    public_url: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Result<Resource, ScimError>, DbError> {
    conn.transaction(|conn| {
        let (doc, name_key) = match rules::prepare(kind, body.clone()) {
            Ok(v) => v,
            Err(e) => return Ok(Err(e)),
        };
        match kind {
            Kind::User => policy.require(by, "members.invite", &Target::Organization, now)?,
            Kind::Group => policy.require(by, "units.manage", &Target::Organization, now)?,
        };
        if let Some(e) = name_taken(conn, org, kind, &name_key, None)? {
            return Ok(Err(e));
        }
        let members = match kind {
            Kind::Group => match group_members(conn, org, &doc)? {
                Ok(m) => Some(m),
                Err(e) => return Ok(Err(e)),
            },
            Kind::User => None,
        };
        let public_id = new_public_id();
        let row: i64 = on!(conn, c => diesel::insert_into(sr::table)
            .values((
                sr::org_id.eq(org.0),
                sr::kind.eq(kind.as_str()),
                sr::public_id.eq(&public_id),
                sr::name_key.eq(&name_key),
                sr::external_id.eq(rules::external_id(&doc)),
                sr::document.eq(doc.to_string()),
                sr::created_at.eq(to_db(now)),
                sr::updated_at.eq(to_db(now)),
                sr::version.eq(1),
                sr::updated_by_kind.eq(actor.kind()),
                sr::updated_by_id.eq(actor.id()),
            ))
            .returning(sr::id)
            .get_result(c))?;
        match kind {
            Kind::User => {
                let facts = rules::user_facts(&doc);
                let linked = provision_user(conn, org, policy, by, row, &public_id, None, &facts, public_url, actor, now)?;
                set_link(conn, row, linked, None)?;
            }
            Kind::Group => {
                let unit = group_unit(conn, org, policy, by, &doc, actor, now)?;
                set_link(conn, row, None, Some(unit))?;
                sync_group(conn, org, policy, by, unit, &members.unwrap_or_default(), actor, now)?;
            }
        }
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "scim.resource_created", "scim_resource", Some(row))
                .after(json!({"kind": kind.as_str(), "id": public_id, "name": name_of(kind, &doc)})),
        )?;
        Ok(Ok(find(conn, org, kind, &public_id)?.ok_or(DbError::NotFound)?.1))
    })
}

/// Changes a resource: `edit` turns the kept document into the new one (PUT replaces it, PATCH
/// applies its operations), read and written in one transaction; then what changed is made
/// real (deactivated, provisioned, renamed, members placed or taken out).
#[allow(clippy::too_many_arguments)]
pub fn update(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    kind: Kind,
    public_id: &str,
    edit: &dyn Fn(&Value) -> Result<Value, ScimError>,
    public_url: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Result<Resource, ScimError>, DbError> {
    conn.transaction(|conn| {
        let (row, old) = find(conn, org, kind, public_id)?.ok_or(DbError::NotFound)?;
        let doc = match edit(&old.document).and_then(|d| if d.is_object() { Ok(d) } else { Err(ScimError::InvalidSyntax("the resource must be a JSON object".into())) }) {
            Ok(d) => d,
            Err(e) => return Ok(Err(e)),
        };
        let name_key = match rules::checked_name(kind, &doc) {
            Ok(n) => n,
            Err(e) => return Ok(Err(e)),
        };
        if doc == old.document {
            return Ok(Ok(old));
        }
        match (kind, old.membership, old.unit) {
            (Kind::User, Some(member), _) => {
                let target = Target::Member { id: member, units: crate::authz::member_units(conn, org, member)? };
                policy.require(by, "members.edit", &target, now)?;
            }
            (Kind::User, None, _) => {
                policy.require(by, "members.invite", &Target::Organization, now)?;
            }
            (Kind::Group, _, Some(unit)) => {
                policy.require(by, "units.manage", &Target::Unit(unit), now)?;
            }
            (Kind::Group, _, None) => {
                policy.require(by, "units.manage", &Target::Organization, now)?;
            }
        }
        if let Some(e) = name_taken(conn, org, kind, &name_key, Some(row))? {
            return Ok(Err(e));
        }
        let members = match kind {
            Kind::Group => match group_members(conn, org, &doc)? {
                Ok(m) => Some(m),
                Err(e) => return Ok(Err(e)),
            },
            Kind::User => None,
        };
        on!(conn, c => diesel::update(sr::table.find(row))
            .set((
                sr::name_key.eq(&name_key),
                sr::external_id.eq(rules::external_id(&doc)),
                sr::document.eq(doc.to_string()),
                sr::updated_at.eq(to_db(now)),
                sr::version.eq(sr::version + 1),
                sr::updated_by_kind.eq(actor.kind()),
                sr::updated_by_id.eq(actor.id()),
            ))
            .execute(c))?;
        match kind {
            Kind::User => {
                let facts = rules::user_facts(&doc);
                let linked = provision_user(conn, org, policy, by, row, public_id, old.membership, &facts, public_url, actor, now)?;
                if linked != old.membership {
                    set_link(conn, row, linked, None)?;
                }
            }
            Kind::Group => {
                let unit = match old.unit {
                    Some(u) => {
                        rename_unit(conn, org, u, &name_of(kind, &doc), actor, now)?;
                        u
                    }
                    None => {
                        let u = group_unit(conn, org, policy, by, &doc, actor, now)?;
                        set_link(conn, row, None, Some(u))?;
                        u
                    }
                };
                sync_group(conn, org, policy, by, unit, &members.unwrap_or_default(), actor, now)?;
            }
        }
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "scim.resource_changed", "scim_resource", Some(row))
                .before(json!({"name": name_of(kind, &old.document)}))
                .after(json!({"kind": kind.as_str(), "id": public_id, "name": name_of(kind, &doc)})),
        )?;
        Ok(Ok(find(conn, org, kind, public_id)?.ok_or(DbError::NotFound)?.1))
    })
}

/// Deletes a resource: a User's membership ends (or its invitation is withdrawn) and its
/// sessions with it; a Group's provisioned members leave its unit (the unit stays, with
/// whatever the portal put there).
#[allow(clippy::too_many_arguments)]
pub fn delete(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, kind: Kind, public_id: &str, public_url: &str, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let (row, old) = find(conn, org, kind, public_id)?.ok_or(DbError::NotFound)?;
        match (kind, old.membership, old.unit) {
            (Kind::User, Some(member), _) => deactivate(conn, org, policy, by, member, public_url, actor, now)?,
            (Kind::User, None, _) => {
                policy.require(by, "members.invite", &Target::Organization, now)?;
            }
            (Kind::Group, _, Some(unit)) => {
                policy.require(by, "units.manage", &Target::Unit(unit), now)?;
                sync_group(conn, org, policy, by, unit, &[], actor, now)?;
            }
            (Kind::Group, _, None) => {
                policy.require(by, "units.manage", &Target::Organization, now)?;
            }
        }
        on!(conn, c => diesel::delete(sr::table.find(row)).execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "scim.resource_deleted", "scim_resource", Some(row))
                .before(json!({"kind": kind.as_str(), "id": public_id, "name": name_of(kind, &old.document)})),
        )?;
        Ok(())
    })
}

/// Forgets the provider's document about a membership (its anonymization: the document holds
/// the person's name and addresses). The provider then finds the User gone.
pub fn forget_membership(conn: &mut Conn<'_>, member: MembershipId) -> Result<usize, DbError> {
    Ok(on!(conn, c => diesel::delete(sr::table.filter(sr::membership_id.eq(member.0))).execute(c))?)
}

/// How many resources of each kind the organization keeps (the API keys page shows it).
pub fn counts(conn: &mut Conn<'_>, org: OrgId) -> Result<(i64, i64), DbError> {
    let rows: Vec<(String, i64)> = on!(conn, c => sr::table
        .filter(sr::org_id.eq(org.0))
        .group_by(sr::kind)
        .select((sr::kind, diesel::dsl::count_star()))
        .load(c))?;
    let of = |k: Kind| rows.iter().find(|(n, _)| n == k.as_str()).map(|(_, c)| *c).unwrap_or(0);
    Ok((of(Kind::User), of(Kind::Group)))
}

// ---------------------------------------------------------------- the parts

fn new_public_id() -> String {
    let h = crate::sessions::random_token();
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32]) // not user text: a resource id
}

fn name_of(kind: Kind, doc: &Value) -> String {
    rules::attribute(doc, kind.name_attribute()).and_then(Value::as_str).unwrap_or_default().trim().to_string()
}

fn name_taken(conn: &mut Conn<'_>, org: OrgId, kind: Kind, name_key: &str, except: Option<i64>) -> Result<Option<ScimError>, DbError> {
    let other: Option<i64> = on!(conn, c => sr::table
        .filter(sr::org_id.eq(org.0))
        .filter(sr::kind.eq(kind.as_str()))
        .filter(sr::name_key.eq(name_key))
        .filter(sr::id.ne(except.unwrap_or(0)))
        .select(sr::id)
        .first(c)
        .optional())?;
    Ok(other.map(|_| ScimError::Uniqueness(format!("another {} has the {} {name_key:?}", kind.as_str(), kind.name_attribute())))) // not user text: SCIM protocol detail
}

fn set_link(conn: &mut Conn<'_>, row: i64, membership: Option<MembershipId>, unit: Option<UnitId>) -> Result<(), DbError> {
    if let Some(mem) = membership {
        on!(conn, c => diesel::update(sr::table.find(row)).set(sr::membership_id.eq(Some(mem.0))).execute(c))?;
    }
    if let Some(u) = unit {
        on!(conn, c => diesel::update(sr::table.find(row)).set(sr::unit_id.eq(Some(u.0))).execute(c))?;
    }
    Ok(())
}

/// Makes a User real. Returns the membership it is linked to afterwards.
#[allow(clippy::too_many_arguments)]
fn provision_user(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    row: i64,
    public_id: &str,
    linked: Option<MembershipId>,
    facts: &rules::UserFacts,
    public_url: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Option<MembershipId>, DbError> {
    if !facts.active {
        if let Some(member) = linked {
            deactivate(conn, org, policy, by, member, public_url, actor, now)?;
        }
        return Ok(linked);
    }
    let status = match linked {
        Some(member) => Some(status_of(conn, member)?),
        None => None,
    };
    match (linked, status) {
        // Already in: nothing to make.
        (Some(_), Some(MemberStatus::Active | MemberStatus::Invited)) => Ok(linked),
        (Some(_), Some(MemberStatus::Anonymized)) => Err(DbError::Person(gatehouse_domain::people::Problem::FormerMember)),
        // Ended (or never joined): invited again; a former member is refused by `invite`.
        (Some(member), _) => {
            let email = identity_email(conn, member)?;
            invite(conn, org, policy, by, &email, facts, public_url, actor, now)?;
            places_of(conn, org, policy, by, public_id, member, actor, now)?;
            Ok(Some(member))
        }
        (None, _) => {
            let Some(email) = facts.email.clone() else { return Ok(None) };
            let existing = crate::members::by_email(conn, org, &email)?;
            let member = match existing {
                Some(mem) if matches!(status_of(conn, mem)?, MemberStatus::Active | MemberStatus::Invited) && !role_holder_only(conn, mem)? => {
                    // The person is here already: the provider takes the membership over
                    // (unless another of its resources holds it).
                    let held: i64 = on!(conn, c => sr::table.filter(sr::membership_id.eq(mem.0)).filter(sr::id.ne(row)).count().get_result(c))?;
                    if held > 0 {
                        return Err(DbError::Conflict(crate::Conflict::Duplicate));
                    }
                    let target = Target::Member { id: mem, units: crate::authz::member_units(conn, org, mem)? };
                    policy.require(by, "members.edit", &target, now)?;
                    mem
                }
                _ => invite(conn, org, policy, by, &email, facts, public_url, actor, now)?,
            };
            places_of(conn, org, policy, by, public_id, member, actor, now)?;
            Ok(Some(member))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn invite(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, email: &str, facts: &rules::UserFacts, public_url: &str, actor: Actor, now: DateTime<Utc>) -> Result<MembershipId, DbError> {
    let s = crate::orgs::settings(conn, org)?;
    let existing = crate::users::find_by_email(conn, email)?;
    let locale = facts.language.as_deref().and_then(gatehouse_domain::locale::Locale::from_accept_language).unwrap_or_default();
    let who = gatehouse_domain::people::Invitee {
        email: email.to_string(),
        name: if facts.display_name.is_empty() { email.to_string() } else { facts.display_name.clone() },
        mobile_phone: None,
        locale,
        kind: MemberKind::Employee,
        tags: vec![],
        units: vec![],
        roles: vec![],
        existing_identity: existing.is_some(),
    };
    let member = crate::invitations::invite(conn, &s, policy, by, &who, None, public_url, actor, now)?;
    crate::authz::bump(conn, org, None)?;
    Ok(member)
}

/// Ends a provisioned membership now: an active one as any leaver's (members.terminate; its
/// sessions end when the person belongs nowhere else — elsewhere their sessions simply lose this
/// organization, whose membership every request reads again), an invitation withdrawn.
#[allow(clippy::too_many_arguments)]
fn deactivate(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, member: MembershipId, public_url: &str, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    match status_of(conn, member)? {
        MemberStatus::Active => {
            crate::compliance::end_membership(conn, org, Some((policy, by)), member, public_url, actor, now)?;
            let user: Option<i64> = on!(conn, c => m::table.find(member.0).select(m::user_id).first(c))?;
            if let Some(user) = user {
                let elsewhere: i64 = on!(conn, c => m::table.filter(m::user_id.eq(user)).filter(m::status.eq("active")).filter(m::id.ne(member.0)).count().get_result(c))?;
                if elsewhere == 0 {
                    crate::sessions::delete_all_of(conn, UserId(user))?;
                }
            }
            Ok(())
        }
        MemberStatus::Invited => {
            let open: Option<i64> = on!(conn, c => inv::table
                .filter(inv::org_id.eq(org.0))
                .filter(inv::membership_id.eq(member.0))
                .filter(inv::accepted_at.is_null())
                .filter(inv::revoked_at.is_null())
                .select(inv::id)
                .first(c)
                .optional())?;
            match open {
                Some(id) => crate::invitations::revoke(conn, org, policy, by, id, actor, now),
                None => Ok(()),
            }
        }
        MemberStatus::Terminated | MemberStatus::Anonymized => Ok(()),
    }
}

fn status_of(conn: &mut Conn<'_>, member: MembershipId) -> Result<MemberStatus, DbError> {
    let s: String = on!(conn, c => m::table.find(member.0).select(m::status).first(c))?;
    Ok(MemberStatus::parse(&s)?)
}

fn role_holder_only(conn: &mut Conn<'_>, member: MembershipId) -> Result<bool, DbError> {
    Ok(on!(conn, c => m::table.find(member.0).select(m::role_holder_only).first(c))?)
}

fn identity_email(conn: &mut Conn<'_>, member: MembershipId) -> Result<String, DbError> {
    use crate::schema::users as u;
    Ok(on!(conn, c => m::table.inner_join(u::table).filter(m::id.eq(member.0)).select(u::email).first(c))?)
}

/// The members a Group document names, as provisioned memberships; refused when one is not a
/// User of this organization.
fn group_members(conn: &mut Conn<'_>, org: OrgId, doc: &Value) -> Result<Result<Vec<MembershipId>, ScimError>, DbError> {
    let ids = rules::member_ids(doc);
    if ids.is_empty() {
        return Ok(Ok(vec![]));
    }
    let found: Vec<(String, Option<i64>)> = on!(conn, c => sr::table
        .filter(sr::org_id.eq(org.0))
        .filter(sr::kind.eq(Kind::User.as_str()))
        .filter(sr::public_id.eq_any(&ids))
        .select((sr::public_id, sr::membership_id))
        .load(c))?;
    if let Some(missing) = ids.iter().find(|id| !found.iter().any(|(f, _)| f == *id)) {
        return Ok(Err(ScimError::InvalidValue(format!("members: no User {missing:?} in this organization")))); // not user text: SCIM protocol detail
    }
    Ok(Ok(found.into_iter().filter_map(|(_, mem)| mem.map(MembershipId)).collect()))
}

/// The unit a new Group stands for: one of its name (any case) that no other group holds, else
/// a new one at the top of the tree.
fn group_unit(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, doc: &Value, actor: Actor, now: DateTime<Utc>) -> Result<UnitId, DbError> {
    let name = name_of(Kind::Group, doc);
    let held: Vec<i64> = on!(conn, c => sr::table.filter(sr::org_id.eq(org.0)).filter(sr::unit_id.is_not_null()).select(sr::unit_id.assume_not_null()).load(c))?;
    let units: Vec<(i64, String)> = on!(conn, c => un::table.filter(un::org_id.eq(org.0)).select((un::id, un::name)).order(un::id.asc()).load(c))?;
    if let Some((id, _)) = units.iter().find(|(id, n)| n.to_lowercase() == name.to_lowercase() && !held.contains(id)) {
        policy.require(by, "units.manage", &Target::Unit(UnitId(*id)), now)?;
        return Ok(UnitId(*id));
    }
    crate::units::create(conn, org, None, &name, "team", actor, now)
}

fn rename_unit(conn: &mut Conn<'_>, org: OrgId, unit: UnitId, name: &str, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let before: String = on!(conn, c => un::table.filter(un::id.eq(unit.0)).filter(un::org_id.eq(org.0)).select(un::name).first(c))?;
    if before == name {
        return Ok(());
    }
    on!(conn, c => diesel::update(un::table.find(unit.0))
        .set((un::name.eq(name), un::updated_at.eq(to_db(now)), un::version.eq(un::version + 1), un::updated_by_kind.eq(actor.kind()), un::updated_by_id.eq(actor.id())))
        .execute(c))?;
    audit::record(conn, now, &AuditEntry::new(Some(org), actor, "unit.renamed", "unit", Some(unit.0)).unit(Some(unit)).before(json!({"name": before})).after(json!({"name": name})))?;
    crate::authz::bump(conn, org, None)?;
    Ok(())
}

/// Makes the unit's provisioned members exactly `wanted` (members.move at the unit); people
/// placed there in the portal, not provisioned, are not touched.
#[allow(clippy::too_many_arguments)]
fn sync_group(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, unit: UnitId, wanted: &[MembershipId], actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let provisioned: Vec<i64> = on!(conn, c => sr::table
        .filter(sr::org_id.eq(org.0))
        .filter(sr::kind.eq(Kind::User.as_str()))
        .filter(sr::membership_id.is_not_null())
        .select(sr::membership_id.assume_not_null())
        .load(c))?;
    let current: Vec<i64> = on!(conn, c => mu::table.filter(mu::unit_id.eq(unit.0)).select(mu::membership_id).load(c))?;
    let current: Vec<i64> = current.into_iter().filter(|m| provisioned.contains(m)).collect();
    let added: Vec<i64> = wanted.iter().map(|m| m.0).filter(|m| !current.contains(m)).collect();
    let removed: Vec<i64> = current.iter().copied().filter(|m| !wanted.iter().any(|w| w.0 == *m)).collect();
    if added.is_empty() && removed.is_empty() {
        return Ok(());
    }
    policy.require(by, "members.move", &Target::Unit(unit), now)?;
    for mem in &added {
        on!(conn, c => diesel::insert_into(mu::table).values((mu::membership_id.eq(*mem), mu::unit_id.eq(unit.0))).execute(c))?;
    }
    if !removed.is_empty() {
        on!(conn, c => diesel::delete(mu::table.filter(mu::unit_id.eq(unit.0)).filter(mu::membership_id.eq_any(&removed))).execute(c))?;
    }
    audit::record(conn, now, &AuditEntry::new(Some(org), actor, "scim.group_members_changed", "unit", Some(unit.0)).unit(Some(unit)).after(json!({"added": added, "removed": removed})))?;
    crate::authz::bump(conn, org, None)?;
    Ok(())
}

/// A User just linked to `member` takes the places the provider's Groups already name it in.
#[allow(clippy::too_many_arguments)]
fn places_of(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, public_id: &str, member: MembershipId, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    let groups: Vec<(Option<i64>, String)> = on!(conn, c => sr::table
        .filter(sr::org_id.eq(org.0))
        .filter(sr::kind.eq(Kind::Group.as_str()))
        .select((sr::unit_id, sr::document))
        .load(c))?;
    for (unit, doc) in groups {
        let (Some(unit), Ok(doc)) = (unit, serde_json::from_str::<Value>(&doc)) else { continue };
        if !rules::member_ids(&doc).iter().any(|id| id == public_id) {
            continue;
        }
        let there: i64 = on!(conn, c => mu::table.filter(mu::unit_id.eq(unit)).filter(mu::membership_id.eq(member.0)).count().get_result(c))?;
        if there == 0 {
            policy.require(by, "members.move", &Target::Unit(UnitId(unit)), now)?;
            on!(conn, c => diesel::insert_into(mu::table).values((mu::membership_id.eq(member.0), mu::unit_id.eq(unit))).execute(c))?;
            audit::record(conn, now, &AuditEntry::new(Some(org), actor, "scim.group_members_changed", "unit", Some(unit)).unit(Some(UnitId(unit))).after(json!({"added": [member.0], "removed": []})))?;
            crate::authz::bump(conn, org, None)?;
        }
    }
    Ok(())
}
