//! Invitations: an admin adds a person (a new identity, or the identity they already have
//! elsewhere), the person gets a single-use, expiring link by mail and accepts — by choosing a
//! password when the identity is new, by signing in with it otherwise. Resend, revoke, and the
//! background user's reminders and expiries, each claimed per row so it happens once however
//! many server instances run.
use crate::audit::{self, AuditEntry};
use crate::outbox::{self, NewMail};
use crate::schema::{
    invitations as inv, membership_tags as mt, membership_units as mu, memberships as m, organizations as o, role_assignments as ra,
    roles as r, users as u,
};
use crate::tokens::{self, Purpose};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::Target;
use gatehouse_domain::ids::{MembershipId, OrgId, UnitId, UserId};
use gatehouse_domain::member::MemberStatus;
use gatehouse_domain::people::{Directory, Invitee, Problem, Standing, PATH_SEP};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// Where the inviter must hold members.invite: at each of the person's units, or
/// organization-wide for a person without units.
fn may_invite(policy: &Policy, by: MembershipId, units: &[UnitId], now: DateTime<Utc>) -> Result<(), DbError> {
    if units.is_empty() {
        policy.require(by, "members.invite", &Target::Organization, now)?;
        return Ok(());
    }
    for unit in units {
        policy.require(by, "members.invite", &Target::Unit(*unit), now)?;
    }
    Ok(())
}

/// The organization's units, tags and live roles, and where each of `emails` stands.
pub fn directory(conn: &mut Conn<'_>, org: OrgId, emails: &[String]) -> Result<Directory, DbError> {
    let s = crate::orgs::settings(conn, org)?;
    let tree = crate::units::tree(conn, org)?;
    let units = tree
        .walk()
        .into_iter()
        .map(|(_, n)| {
            let path = tree.path(n.id).iter().filter_map(|id| tree.get(*id)).map(|u| u.name.clone()).collect::<Vec<_>>().join(PATH_SEP);
            (n.id, n.name.clone(), path)
        })
        .collect();
    let tags = crate::tags::list(conn, org)?;
    let roles: Vec<(i64, String, String)> =
        on!(conn, c => r::table.filter(r::org_id.eq(org.0)).filter(r::retired_at.is_null()).order(r::name.asc()).select((r::id, r::key, r::name)).load(c))?;
    let mut standing = HashMap::new();
    let wanted: Vec<String> = emails.iter().filter_map(|e| gatehouse_domain::validate::normalize_email(e).ok()).collect();
    for chunk in wanted.chunks(500) {
        // By the addresses' users first (the email index), then their memberships here (the
        // user index): the cost follows the chunk, not the organization's size.
        let users: Vec<(i64, String, bool)> = on!(conn, c => u::table.filter(u::email.eq_any(chunk)).select((u::id, u::email, u::is_system)).load(c))?;
        let ids: Vec<i64> = users.iter().map(|u| u.0).collect();
        let members: Vec<(Option<i64>, String, Option<chrono::NaiveDateTime>)> = on!(conn, c => m::table
            .filter(m::user_id.eq_any(&ids))
            .filter(m::org_id.eq(org.0))
            .select((m::user_id, m::status, m::joined_at))
            .load(c))?;
        for (user, status, joined) in members {
            let Some(email) = users.iter().find(|u| Some(u.0) == user).map(|u| u.1.clone()) else { continue };
            let st = match status.as_str() {
                "active" => Standing::Member,
                "invited" => Standing::Invited,
                _ if joined.is_some() => Standing::Former,
                _ => Standing::Revoked,
            };
            standing.insert(email, st);
        }
        for (_, email, system) in users {
            if !system {
                standing.entry(email).or_insert(Standing::Elsewhere);
            }
        }
    }
    Ok(Directory {
        units,
        tags,
        roles: roles.into_iter().map(|(id, k, n)| (gatehouse_domain::ids::RoleId(id), k, n)).collect(),
        standing,
        phone_region: s.phone_region,
        phone_required: s.phone_required,
    })
}

fn has_password(conn: &mut Conn<'_>, user: UserId) -> Result<bool, DbError> {
    let h: Option<String> = on!(conn, c => u::table.find(user.0).select(u::password_hash).first(c))?;
    Ok(h.is_some())
}

fn display_name(conn: &mut Conn<'_>, member: MembershipId) -> Result<String, DbError> {
    let n: Option<String> = on!(conn, c => m::table.inner_join(u::table).filter(m::id.eq(member.0)).select(u::display_name).first(c).optional())?;
    Ok(n.unwrap_or_default())
}

/// Issues the link and writes the invitation (or reminder) mail to the outbox.
#[allow(clippy::too_many_arguments)]
fn send_link(
    conn: &mut Conn<'_>,
    s: &crate::orgs::OrgSettings,
    member: MembershipId,
    user: UserId,
    inviter: Option<String>,
    expires_at: DateTime<Utc>,
    public_url: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let raw = tokens::issue(conn, Purpose::Invitation, Some(user), Some(s.id), Some(member), None, expires_at - now, now)?;
    let link = format!("{}/invitation?token={raw}", public_url.trim_end_matches('/'));
    let person = crate::users::get(conn, user)?;
    let existing_identity = has_password(conn, user)?;
    let expires = crate::orgs::local_time(&s.time_zone, expires_at);
    let mail = match inviter {
        Some(inviter) => gatehouse_mail::Mail::Invitation { name: person.display_name.clone(), inviter, org: s.name.clone(), link, expires, existing_identity },
        None => gatehouse_mail::Mail::InvitationReminder { name: person.display_name.clone(), org: s.name.clone(), link, expires, existing_identity },
    };
    let r = gatehouse_mail::render(&mail, person.locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
    outbox::enqueue(
        conn,
        &NewMail { org: Some(s.id), to: &person.email, locale: person.locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html },
        actor,
        now,
    )?;
    Ok(())
}

/// Invites one checked person. The caller decides on `policy` and moves the organization's
/// authorization version once per transaction (see [`invite_checked`] for one person).
/// Refuses with [`DbError::Person`] when the address is already a member, already invited
/// or a former member.
#[allow(clippy::too_many_arguments)]
pub fn invite(
    conn: &mut Conn<'_>,
    s: &crate::orgs::OrgSettings,
    policy: &Policy,
    by: MembershipId,
    who: &Invitee,
    import: Option<i64>,
    public_url: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<MembershipId, DbError> {
    let org = s.id;
    may_invite(policy, by, &who.units, now)?;
    conn.transaction(|conn| {
        let existing = crate::users::find_by_email(conn, &who.email)?;
        if existing.as_ref().is_some_and(|u| u.is_system) {
            return Err(DbError::Person(Problem::BadEmail(who.email.clone())));
        }
        let mut reused = None;
        if let Some(user) = &existing {
            let row: Option<(i64, String, Option<chrono::NaiveDateTime>)> =
                on!(conn, c => m::table.filter(m::org_id.eq(org.0)).filter(m::user_id.eq(user.id.0)).select((m::id, m::status, m::joined_at)).first(c).optional())?;
            match row {
                Some((_, st, _)) if st == "active" => return Err(DbError::Person(Problem::AlreadyMember)),
                Some((_, st, _)) if st == "invited" => return Err(DbError::Person(Problem::AlreadyInvited)),
                Some((_, _, Some(_))) => return Err(DbError::Person(Problem::FormerMember)),
                Some((id, _, None)) => reused = Some(MembershipId(id)),
                None => {}
            }
        }
        let user = match &existing {
            Some(u) => u.id,
            None => crate::users::create(
                conn,
                &crate::users::NewUser { email: &who.email, display_name: &who.name, locale: who.locale, password_hash: None, is_system: false },
                actor,
                now,
            )?,
        };
        let member = match reused {
            // Invited once, revoked, never joined: the same membership is invited again.
            Some(id) => {
                on!(conn, c => diesel::update(m::table.find(id.0))
                    .set((
                        m::status.eq(MemberStatus::Invited.as_str()),
                        m::member_kind.eq(who.kind.as_str()),
                        m::mobile_phone.eq(who.mobile_phone.as_deref()),
                        m::updated_at.eq(to_db(now)),
                        m::version.eq(m::version + 1),
                        m::updated_by_kind.eq(actor.kind()),
                        m::updated_by_id.eq(actor.id()),
                    ))
                    .execute(c))?;
                on!(conn, c => diesel::delete(mu::table.filter(mu::membership_id.eq(id.0))).execute(c))?;
                on!(conn, c => diesel::delete(mt::table.filter(mt::membership_id.eq(id.0))).execute(c))?;
                for unit in &who.units {
                    on!(conn, c => diesel::insert_into(mu::table).values((mu::membership_id.eq(id.0), mu::unit_id.eq(unit.0))).execute(c))?;
                }
                for tag in &who.tags {
                    on!(conn, c => diesel::insert_into(mt::table).values((mt::membership_id.eq(id.0), mt::tag_id.eq(tag.0))).execute(c))?;
                }
                id
            }
            None => crate::members::add(
                conn,
                &crate::members::NewMember {
                    org,
                    user,
                    kind: who.kind,
                    status: MemberStatus::Invited,
                    mobile_phone: who.mobile_phone.as_deref(),
                    job_title: None,
                    end_date: None,
                    role_holder_only: false,
                    units: &who.units,
                    tags: &who.tags,
                },
                actor,
                now,
            )?,
        };
        for role in &who.roles {
            crate::roles::grant_role(conn, org, policy, by, "roles.assign", member, *role, who.units.first().copied(), None, actor, now)?;
        }
        let expires_at = now + Duration::days(s.valid_days as i64);
        let values = (
            inv::email.eq(&who.email),
            inv::new_identity.eq(existing.is_none()),
            inv::invited_by.eq(Some(by.0)),
            inv::import_id.eq(import),
            inv::sent_at.eq(to_db(now)),
            inv::expires_at.eq(to_db(expires_at)),
            inv::updated_at.eq(to_db(now)),
            inv::updated_by_kind.eq(actor.kind()),
            inv::updated_by_id.eq(actor.id()),
        );
        let invitation: i64 = if reused.is_some() {
            on!(conn, c => diesel::update(inv::table.filter(inv::membership_id.eq(member.0)))
                .set((values, inv::sends.eq(inv::sends + 1), inv::reminded_at.eq(None::<chrono::NaiveDateTime>), inv::expired_at.eq(None::<chrono::NaiveDateTime>),
                      inv::revoked_at.eq(None::<chrono::NaiveDateTime>), inv::version.eq(inv::version + 1)))
                .returning(inv::id)
                .get_result(c))?
        } else {
            on!(conn, c => diesel::insert_into(inv::table)
                .values((values, inv::org_id.eq(org.0), inv::membership_id.eq(member.0), inv::sends.eq(1), inv::created_at.eq(to_db(now)), inv::version.eq(1)))
                .returning(inv::id)
                .get_result(c))?
        };
        let inviter = display_name(conn, by)?;
        send_link(conn, s, member, user, Some(inviter), expires_at, public_url, actor, now)?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "member.invited", "membership", Some(member.0)).unit(who.units.first().copied()).after(json!({
                "invitation": invitation,
                "email": who.email,
                "kind": who.kind.as_str(),
                "units": who.units.iter().map(|u| u.0).collect::<Vec<_>>(),
                "tags": who.tags.iter().map(|t| t.0).collect::<Vec<_>>(),
                "roles": who.roles.iter().map(|r| r.0).collect::<Vec<_>>(),
                "existing_identity": existing.is_some(),
                "import": import,
            })),
        )?;
        Ok(member)
    })
}

/// Invites one person in its own transaction, moving the authorization version (so a change
/// decided on an outdated policy is refused and decided again).
#[allow(clippy::too_many_arguments)]
pub fn invite_checked(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    who: &Invitee,
    public_url: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<MembershipId, DbError> {
    conn.transaction(|conn| {
        crate::authz::bump(conn, org, Some(policy.version))?;
        let s = crate::orgs::settings(conn, org)?;
        invite(conn, &s, policy, by, who, None, public_url, actor, now)
    })
}

/// Invites one person from the invite form (units, tags and the role chosen by id): checked as
/// an import row is (`people::check`), then decided and written as [`invite_checked`].
#[allow(clippy::too_many_arguments)]
pub fn invite_from_form(
    conn: &mut Conn<'_>,
    org: OrgId,
    policy: &Policy,
    by: MembershipId,
    person: &gatehouse_domain::people::PersonInput,
    ids: &gatehouse_domain::people::ChosenIds,
    public_url: &str,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<MembershipId, DbError> {
    use gatehouse_domain::people::Verdict;
    let dir = directory(conn, org, std::slice::from_ref(&person.email))?;
    let input = dir.named(person.clone(), ids).ok_or(DbError::NotFound)?;
    match gatehouse_domain::people::check(&input, &dir) {
        Verdict::Ready(who) => invite_checked(conn, org, policy, by, &who, public_url, actor, now),
        Verdict::Skip(problem) => Err(DbError::Person(problem)),
        Verdict::Invalid(mut problems) => Err(DbError::Person(problems.remove(0))),
    }
}

/// One invitation as the pending list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationLine {
    pub id: i64,
    pub membership: MembershipId,
    pub email: String,
    pub name: String,
    pub invited_by: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub sends: i32,
    pub expires_at: DateTime<Utc>,
    pub reminded_at: Option<DateTime<Utc>>,
    /// open, expired, accepted or revoked
    pub state: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub units: Vec<UnitId>,
}

/// The organization's invitations, newest first: `open` (waiting, including expired ones) or
/// `closed` (accepted or revoked).
pub fn list(conn: &mut Conn<'_>, org: OrgId, closed: bool, now: DateTime<Utc>, limit: i64) -> Result<Vec<InvitationLine>, DbError> {
    let inviter = diesel::alias!(crate::schema::memberships as inviter_m);
    let inviter_u = diesel::alias!(crate::schema::users as inviter_u);
    #[allow(clippy::type_complexity)]
    let rows: Vec<(
        (i64, i64, String, chrono::NaiveDateTime, i32, chrono::NaiveDateTime),
        (Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>),
        String,
        Option<String>,
    )> = on!(conn, c => {
        let q = inv::table
            .inner_join(m::table.inner_join(u::table))
            .left_join(inviter.on(inv::invited_by.eq(inviter.field(m::id).nullable())))
            .left_join(inviter_u.on(inviter.field(m::user_id).eq(inviter_u.field(u::id).nullable())))
            .filter(inv::org_id.eq(org.0))
            .into_boxed();
        let q = if closed {
            q.filter(inv::accepted_at.is_not_null().or(inv::revoked_at.is_not_null()))
        } else {
            q.filter(inv::accepted_at.is_null()).filter(inv::revoked_at.is_null())
        };
        q.order((inv::sent_at.desc(), inv::id.desc()))
            .limit(limit)
            .select((
                (inv::id, inv::membership_id, inv::email, inv::sent_at, inv::sends, inv::expires_at),
                (inv::reminded_at, inv::accepted_at, inv::revoked_at),
                u::display_name,
                inviter_u.field(u::display_name).nullable(),
            ))
            .load(c)
    })?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0 .1).collect();
    let mut units: HashMap<i64, Vec<UnitId>> = HashMap::new();
    for chunk in ids.chunks(500) {
        let pairs: Vec<(i64, i64)> = on!(conn, c => mu::table.filter(mu::membership_id.eq_any(chunk)).select((mu::membership_id, mu::unit_id)).load(c))?;
        for (mid, uid) in pairs {
            units.entry(mid).or_default().push(UnitId(uid));
        }
    }
    Ok(rows
        .into_iter()
        .map(|((id, mid, email, sent, sends, expires), (reminded, accepted, revoked), name, inviter)| {
            let expires_at = from_db(expires);
            let (state, closed_at) = match (accepted, revoked) {
                (Some(a), _) => ("accepted", Some(from_db(a))),
                (None, Some(r)) => ("revoked", Some(from_db(r))),
                _ if expires_at <= now => ("expired", None),
                _ => ("open", None),
            };
            InvitationLine {
                id,
                membership: MembershipId(mid),
                email,
                name,
                invited_by: inviter,
                sent_at: from_db(sent),
                sends,
                expires_at,
                reminded_at: reminded.map(from_db),
                state: state.to_string(),
                closed_at,
                units: units.remove(&mid).unwrap_or_default(),
            }
        })
        .collect())
}

struct Open {
    membership: MembershipId,
    user: UserId,
    units: Vec<UnitId>,
}

/// An invitation that has been neither accepted nor revoked, in `org`.
fn open(conn: &mut Conn<'_>, org: OrgId, id: i64) -> Result<Open, DbError> {
    let row: Option<(i64, Option<i64>, Option<chrono::NaiveDateTime>, Option<chrono::NaiveDateTime>)> = on!(conn, c => inv::table
        .inner_join(m::table)
        .filter(inv::id.eq(id))
        .filter(inv::org_id.eq(org.0))
        .select((inv::membership_id, m::user_id, inv::accepted_at, inv::revoked_at))
        .first(c)
        .optional())?;
    let (mid, user, accepted, revoked) = row.ok_or(DbError::NotFound)?;
    if revoked.is_some() {
        return Err(DbError::Person(Problem::Revoked));
    }
    if accepted.is_some() {
        return Err(DbError::Person(Problem::AlreadyMember));
    }
    let units = crate::authz::member_units(conn, org, MembershipId(mid))?;
    Ok(Open { membership: MembershipId(mid), user: UserId(user.ok_or(DbError::NotFound)?), units })
}

/// Sends a new link (the old one stops working) with a fresh expiry.
#[allow(clippy::too_many_arguments)]
pub fn resend(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, id: i64, public_url: &str, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let x = open(conn, org, id)?;
        policy.require(by, "members.invite", &Target::Member { id: x.membership, units: x.units.clone() }, now)?;
        let s = crate::orgs::settings(conn, org)?;
        let expires_at = now + Duration::days(s.valid_days as i64);
        on!(conn, c => diesel::update(inv::table.find(id))
            .set((
                inv::sent_at.eq(to_db(now)),
                inv::sends.eq(inv::sends + 1),
                inv::expires_at.eq(to_db(expires_at)),
                inv::reminded_at.eq(None::<chrono::NaiveDateTime>),
                inv::expired_at.eq(None::<chrono::NaiveDateTime>),
                inv::updated_at.eq(to_db(now)),
                inv::version.eq(inv::version + 1),
                inv::updated_by_kind.eq(actor.kind()),
                inv::updated_by_id.eq(actor.id()),
            ))
            .execute(c))?;
        let inviter = display_name(conn, by)?;
        send_link(conn, &s, x.membership, x.user, Some(inviter), expires_at, public_url, actor, now)?;
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "invitation.resent", "membership", Some(x.membership.0)).after(json!({"invitation": id, "expires_at": expires_at})))?;
        Ok(())
    })
}

/// Withdraws an invitation: the link stops working, the never-joined membership ends and the
/// roles given with it are removed (the audit log keeps all of it). The address may be invited
/// again later.
pub fn revoke(conn: &mut Conn<'_>, org: OrgId, policy: &Policy, by: MembershipId, id: i64, actor: Actor, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let x = open(conn, org, id)?;
        policy.require(by, "members.invite", &Target::Member { id: x.membership, units: x.units.clone() }, now)?;
        tokens::kill_for_membership(conn, Purpose::Invitation, org, x.membership, now)?;
        on!(conn, c => diesel::update(inv::table.find(id))
            .set((inv::revoked_at.eq(Some(to_db(now))), inv::updated_at.eq(to_db(now)), inv::version.eq(inv::version + 1), inv::updated_by_kind.eq(actor.kind()), inv::updated_by_id.eq(actor.id())))
            .execute(c))?;
        MemberStatus::Invited.transition(MemberStatus::Terminated)?;
        on!(conn, c => diesel::update(m::table.find(x.membership.0))
            .set((m::status.eq(MemberStatus::Terminated.as_str()), m::updated_at.eq(to_db(now)), m::version.eq(m::version + 1), m::updated_by_kind.eq(actor.kind()), m::updated_by_id.eq(actor.id())))
            .execute(c))?;
        let roles: Vec<(i64, Option<i64>)> = on!(conn, c => ra::table.filter(ra::membership_id.eq(x.membership.0)).select((ra::role_id, ra::unit_id)).load(c))?;
        on!(conn, c => diesel::delete(ra::table.filter(ra::membership_id.eq(x.membership.0))).execute(c))?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "invitation.revoked", "membership", Some(x.membership.0))
                .before(json!({"invitation": id, "roles": roles.iter().map(|(r, u)| json!({"role": r, "unit": u})).collect::<Vec<_>>()})),
        )?;
        Ok(())
    })
}

/// What the invitation page shows before the person accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkInfo {
    pub org_name: String,
    pub org_slug: String,
    pub email: String,
    pub name: String,
    pub inviter: Option<String>,
    pub user: UserId,
    /// A new identity: accepting sets its password. Otherwise the person signs in.
    pub needs_password: bool,
    pub expires_at: DateTime<Utc>,
}

/// The invitation behind a link, if the link is good now (unused, unexpired, open).
pub fn link(conn: &mut Conn<'_>, raw: &str, now: DateTime<Utc>) -> Result<Option<LinkInfo>, DbError> {
    let Some(t) = tokens::peek(conn, Purpose::Invitation, raw, now)? else { return Ok(None) };
    let (Some(member), Some(org)) = (t.membership, t.org) else { return Ok(None) };
    let row: Option<(i64, Option<i64>)> = on!(conn, c => inv::table
        .filter(inv::membership_id.eq(member.0))
        .filter(inv::accepted_at.is_null())
        .filter(inv::revoked_at.is_null())
        .select((inv::id, inv::invited_by))
        .first(c)
        .optional())?;
    let Some((_, invited_by)) = row else { return Ok(None) };
    let user = t.user.ok_or(DbError::NotFound)?;
    let person = crate::users::get(conn, user)?;
    let s = crate::orgs::settings(conn, org)?;
    let inviter = match invited_by {
        Some(b) => Some(display_name(conn, MembershipId(b))?),
        None => None,
    };
    Ok(Some(LinkInfo {
        org_name: s.name,
        org_slug: s.slug,
        email: person.email,
        name: person.display_name,
        inviter,
        user,
        needs_password: !has_password(conn, user)?,
        expires_at: t.expires_at,
    }))
}

/// Why accepting did not happen (the link itself may be fine).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptRefusal {
    /// Unknown, used, expired or revoked.
    LinkInvalid,
    /// The identity already exists: accept by signing in with it, never through the link.
    SignInRequired,
    /// Signed in as someone else than the invited person.
    OtherAccount,
}

/// How the person proves who they are when accepting. Single sign-on arrives later as a third
/// way (the identity provider vouches for the address); it plugs in here.
#[derive(Clone, Copy)]
pub enum Proof<'a> {
    /// A new identity chooses its password (strength-checked).
    NewPassword(&'a str),
    /// A signed-in session of the invited identity.
    SignedIn(UserId),
}

/// An accepted invitation: where the new member lands (their dashboard when they may see it,
/// else their own page) and, for a new identity, the session it is signed in with.
pub struct Accepted {
    pub landing: String,
    pub session: Option<String>,
}

/// [`accept`], then the new identity signed in and its landing page decided on the fresh policy.
pub fn accept_and_land(conn: &mut Conn<'_>, policies: &crate::authz::PolicyCache, raw: &str, proof: Proof<'_>, now: DateTime<Utc>) -> Result<Result<Accepted, AcceptRefusal>, DbError> {
    let (user, slug) = match accept(conn, raw, proof, now)? {
        Ok(v) => v,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let session = match proof {
        Proof::NewPassword(_) => Some(crate::sessions::create(conn, user, now)?.0),
        Proof::SignedIn(_) => None,
    };
    let org = crate::orgs::by_slug(conn, &slug)?.ok_or(DbError::NotFound)?;
    let m = crate::members::active_membership(conn, user, org.id)?.ok_or(DbError::NotFound)?;
    let landing = policies.get(conn, org.id)?.landing(m.id, &slug, now);
    Ok(Ok(Accepted { landing, session }))
}

/// Accepts an invitation: the membership becomes active, the link is used up, and everyone's
/// policy snapshot reloads. Returns the person and the organization's handle.
pub fn accept(conn: &mut Conn<'_>, raw: &str, proof: Proof<'_>, now: DateTime<Utc>) -> Result<Result<(UserId, String), AcceptRefusal>, DbError> {
    let hash = match proof {
        Proof::NewPassword(p) => {
            gatehouse_domain::validate::password_strength(p)?;
            Some(crate::password::hash(p))
        }
        Proof::SignedIn(_) => None,
    };
    conn.transaction(|conn| {
        let Some(info) = link(conn, raw, now)? else { return Ok(Err(AcceptRefusal::LinkInvalid)) };
        match proof {
            Proof::NewPassword(_) if !info.needs_password => return Ok(Err(AcceptRefusal::SignInRequired)),
            Proof::SignedIn(u) if u != info.user => return Ok(Err(AcceptRefusal::OtherAccount)),
            _ => {}
        }
        let Some(t) = tokens::consume(conn, Purpose::Invitation, raw, now)? else { return Ok(Err(AcceptRefusal::LinkInvalid)) };
        let (member, org) = (t.membership.ok_or(DbError::NotFound)?, t.org.ok_or(DbError::NotFound)?);
        if let Some(h) = &hash {
            crate::users::set_password_hash(conn, info.user, h, now)?;
        }
        let actor = Actor::User { user: info.user, membership: Some(member) };
        MemberStatus::Invited.transition(MemberStatus::Active)?;
        let n = on!(conn, c => diesel::update(m::table.find(member.0).filter(m::status.eq("invited")))
            .set((m::status.eq("active"), m::joined_at.eq(Some(to_db(now))), m::updated_at.eq(to_db(now)), m::version.eq(m::version + 1), m::updated_by_kind.eq(actor.kind()), m::updated_by_id.eq(actor.id())))
            .execute(c))?;
        if n != 1 {
            return Ok(Err(AcceptRefusal::LinkInvalid));
        }
        on!(conn, c => diesel::update(inv::table.filter(inv::membership_id.eq(member.0)))
            .set((inv::accepted_at.eq(Some(to_db(now))), inv::updated_at.eq(to_db(now)), inv::version.eq(inv::version + 1), inv::updated_by_kind.eq(actor.kind()), inv::updated_by_id.eq(actor.id())))
            .execute(c))?;
        crate::authz::bump(conn, org, None)?;
        audit::record(
            conn,
            now,
            &AuditEntry::new(Some(org), actor, "invitation.accepted", "membership", Some(member.0)).after(json!({"password_set": hash.is_some()})),
        )?;
        Ok(Ok((info.user, info.org_slug)))
    })
}

/// The background user's reminders: each open invitation older than its organization's
/// reminder delay gets one reminder with a fresh link (same expiry). Claimed per row, so with
/// several instances each reminder goes out once. Returns how many were sent.
pub fn remind_due(conn: &mut Conn<'_>, public_url: &str, now: DateTime<Utc>) -> Result<usize, DbError> {
    let candidates: Vec<(i64, i64, i64, chrono::NaiveDateTime, chrono::NaiveDateTime, i32)> = on!(conn, c => inv::table
        .inner_join(o::table)
        .filter(inv::accepted_at.is_null())
        .filter(inv::revoked_at.is_null())
        .filter(inv::reminded_at.is_null())
        .filter(inv::expires_at.gt(to_db(now)))
        .filter(o::invitation_reminder_days.gt(0))
        .filter(inv::sent_at.le(to_db(now - Duration::days(1))))
        .order(inv::sent_at.asc())
        .limit(500)
        .select((inv::id, inv::org_id, inv::membership_id, inv::sent_at, inv::expires_at, o::invitation_reminder_days))
        .load(c))?;
    let mut sent = 0;
    let mut orgs: HashMap<i64, crate::orgs::OrgSettings> = HashMap::new();
    for (id, org, member, sent_at, expires, days) in candidates {
        if from_db(sent_at) > now - Duration::days(days as i64) {
            continue;
        }
        let s = match orgs.get(&org) {
            Some(s) => s.clone(),
            None => {
                let s = crate::orgs::settings(conn, OrgId(org))?;
                orgs.insert(org, s.clone());
                s
            }
        };
        let actor = Actor::Background { user: s.background_user };
        let done = conn.transaction(|conn| {
            // The claim: only one instance's update finds the row still unreminded.
            let n = on!(conn, c => diesel::update(inv::table.find(id).filter(inv::reminded_at.is_null()).filter(inv::accepted_at.is_null()).filter(inv::revoked_at.is_null()))
                .set((inv::reminded_at.eq(Some(to_db(now))), inv::updated_at.eq(to_db(now)), inv::version.eq(inv::version + 1), inv::updated_by_kind.eq(actor.kind()), inv::updated_by_id.eq(actor.id())))
                .execute(c))?;
            if n != 1 {
                return Ok(false);
            }
            let user: Option<i64> = on!(conn, c => m::table.find(member).select(m::user_id).first(c))?;
            let user = UserId(user.ok_or(DbError::NotFound)?);
            send_link(conn, &s, MembershipId(member), user, None, from_db(expires), public_url, actor, now)?;
            audit::record(conn, now, &AuditEntry::new(Some(s.id), actor, "invitation.reminded", "membership", Some(member)).after(json!({"invitation": id})))?;
            Ok(true)
        })?;
        if done {
            sent += 1;
        }
    }
    Ok(sent)
}

/// The background user notes invitations whose link ran out (audited once per invitation;
/// the admin may resend). Returns how many.
pub fn expire_due(conn: &mut Conn<'_>, now: DateTime<Utc>) -> Result<usize, DbError> {
    let due: Vec<(i64, i64, i64, i64)> = on!(conn, c => inv::table
        .inner_join(o::table)
        .filter(inv::accepted_at.is_null())
        .filter(inv::revoked_at.is_null())
        .filter(inv::expired_at.is_null())
        .filter(inv::expires_at.le(to_db(now)))
        .limit(500)
        .select((inv::id, inv::org_id, inv::membership_id, o::background_user_id))
        .load(c))?;
    let mut n = 0;
    for (id, org, member, bg) in due {
        let actor = Actor::Background { user: UserId(bg) };
        let claimed = conn.transaction(|conn| {
            let k = on!(conn, c => diesel::update(inv::table.find(id).filter(inv::expired_at.is_null()).filter(inv::accepted_at.is_null()))
                .set((inv::expired_at.eq(Some(to_db(now))), inv::updated_at.eq(to_db(now)), inv::version.eq(inv::version + 1), inv::updated_by_kind.eq(actor.kind()), inv::updated_by_id.eq(actor.id())))
                .execute(c))?;
            if k == 1 {
                audit::record(conn, now, &AuditEntry::new(Some(OrgId(org)), actor, "invitation.expired", "membership", Some(member)).after(json!({"invitation": id})))?;
            }
            Ok(k == 1)
        })?;
        if claimed {
            n += 1;
        }
    }
    Ok(n)
}
