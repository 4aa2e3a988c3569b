//! Provisioning (an organization with its owner) and the believable demo data set.
use crate::members::{self, NewMember};
use crate::orgs::{self, OrgRow};
use crate::users::{self, NewUser};
use crate::{roles, tags, units, Conn, Db, DbError};
use chrono::{DateTime, Duration, Utc};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{MembershipId, TagId, UnitId, UserId};
use gatehouse_domain::locale::Locale;
use gatehouse_domain::member::{MemberKind, MemberStatus};
use gatehouse_domain::org_role::OrgRole;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

pub const DEMO_PASSWORD: &str = "gatehouse-demo";
pub const DEMO_OWNER: &str = "demo@gatehouse.test";
pub const DEMO_MEMBER: &str = "member@gatehouse.test";

/// Creates an organization from a role-model template, with its owner, in one transaction. An existing identity with that
/// email becomes the owner (its password is left alone); a new one gets `password_hash`.
pub fn create_org_with_owner(
    conn: &mut Conn<'_>,
    slug: &str,
    name: &str,
    time_zone: &str,
    owner_email: &str,
    owner_name: &str,
    password_hash: Option<&str>,
    template: &str,
    now: DateTime<Utc>,
) -> Result<(OrgRow, MembershipId), DbError> {
    let template = gatehouse_domain::authz::templates::by_key(template)
        .ok_or_else(|| gatehouse_domain::DomainError::InvalidValue { field: "template", value: template.to_string() })?;
    conn.transaction(|conn| {
        let org = orgs::create(conn, slug, name, time_zone, Actor::System, now)?;
        crate::authz::apply_template(conn, org.id, &template, Actor::System, now)?;
        let user = match users::find_by_email(conn, owner_email)? {
            Some(u) => u.id,
            None => users::create(
                conn,
                &NewUser { email: owner_email, display_name: owner_name, locale: Locale::En, password_hash, is_system: false },
                Actor::System,
                now,
            )?,
        };
        let m = members::add(
            conn,
            &NewMember::active(org.id, user, MemberKind::Employee, &[]),
            Actor::System,
            now,
        )?;
        members::grant_org_role(conn, org.id, m, OrgRole::Owner, Actor::System, now)?;
        Ok((org, m))
    })
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    pub organizations_created: usize,
    pub members_added: usize,
    pub main_org_members: i64,
}

const FIRST: &[&str] = &[
    "Anna", "Ben", "Clara", "David", "Elif", "Felix", "Greta", "Hamid", "Ida", "Jonas", "Katharina", "Lukas", "Mia",
    "Noah", "Olga", "Paul", "Queenie", "Rafael", "Sofia", "Tim", "Ulrike", "Viktor", "Wiebke", "Xaver", "Yara", "Zoe",
    "Amir", "Birgit", "Chen", "Dana", "Emil", "Fatma", "Georg", "Hanna", "Ivan", "Jana", "Kofi", "Lea", "Malte", "Nina",
    "Oskar", "Petra", "Ralf", "Sanne", "Tobias", "Uwe", "Vera", "Wolfgang", "Jörg", "Zeynep",
];
const LAST: &[&str] = &[
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch",
    "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Braun", "Zimmermann", "Hartmann", "Krüger", "Lange",
    "Yilmaz", "Kaya", "Nowak", "Kowalski", "Rossi", "García", "Smith", "Jones", "Okafor", "Nguyen", "Larsen", "Berg",
    "Vogel", "Sommer", "Winter", "Brandt", "Haas", "Peters",
];
const TAGS: &[&str] = &["first-aid", "fire-warden", "works-council", "remote", "on-call", "mentor", "new-joiner", "key-account"];
const JOBS: &[&str] = &[
    "Dispatcher", "Account manager", "Software engineer", "Controller", "Recruiter", "Warehouse lead", "Data analyst",
    "Driver", "Site manager", "Support agent",
];

struct OrgPlan {
    slug: &'static str,
    name: &'static str,
    tz: &'static str,
    /// (division, kind, teams (name, sub-teams))
    structure: &'static [(&'static str, &'static str, &'static [(&'static str, &'static [&'static str])])],
    members: usize,
    /// The role-model template the organization starts from.
    template: &'static str,
    /// Template roles handed to random active members: (role key, percent of members).
    role_mix: &'static [(&'static str, u32)],
}

const ACME: OrgPlan = OrgPlan {
    slug: "acme",
    name: "Acme Logistics",
    tz: "Europe/Berlin",
    structure: &[
        ("Operations", "division", &[("Hamburg hub", &["Inbound", "Outbound"]), ("Munich hub", &["Inbound", "Outbound"]), ("Fleet", &[])]),
        ("Sales", "division", &[("Key accounts", &[]), ("Field sales North", &[]), ("Field sales South", &[])]),
        ("Engineering", "division", &[("Platform", &["SRE"]), ("Apps", &[]), ("Data", &[])]),
        ("Finance", "division", &[("Accounting", &[]), ("Controlling", &[])]),
        ("People", "division", &[("Recruiting", &[]), ("Works council", &[])]),
        ("Crisis team", "crisis team", &[]),
    ],
    members: 300,
    template: "permission-matrix",
    role_mix: &[("developer", 55), ("team_manager", 8), ("company_admin", 1)],
};

const NORDWIND: OrgPlan = OrgPlan {
    slug: "nordwind",
    name: "Nordwind Energie GmbH",
    tz: "Europe/Berlin",
    structure: &[
        ("Netzbetrieb", "Bereich", &[("Leitstelle", &[]), ("Service Nord", &[])]),
        ("Vertrieb", "Bereich", &[("Privatkunden", &[]), ("Gewerbe", &[])]),
        ("IT-Sicherheit", "Bereich", &[]),
    ],
    members: 60,
    template: "users-and-roles-de",
    role_mix: &[("viewer", 50), ("sec_manager", 20), ("org_admin", 3)],
};

const HEALTH: OrgPlan = OrgPlan {
    slug: "example-health",
    name: "Example Health",
    tz: "America/New_York",
    structure: &[("Clinics", "region", &[("Boston", &[]), ("Denver", &[])]), ("Research", "division", &[])],
    members: 40,
    template: "user-levels",
    role_mix: &[("employee", 30), ("contributor", 40), ("team", 15), ("admin", 2)],
};

fn person(rng: &mut StdRng, org_slug: &str, i: usize) -> (String, String) {
    let first = FIRST[rng.gen_range(0..FIRST.len())];
    let last = LAST[rng.gen_range(0..LAST.len())];
    let local: String = format!("{}.{}", first, last)
        .to_lowercase()
        .chars()
        .map(|c| match c {
            'ä' => 'a',
            'ö' => 'o',
            'ü' => 'u',
            'í' => 'i',
            c if c.is_ascii_alphanumeric() || c == '.' => c,
            _ => '-',
        })
        .collect();
    (format!("{first} {last}"), format!("{local}.{i}@{org_slug}.example"))
}

/// Creates the demo organizations when they do not exist yet, then tops the main one (acme) up
/// to `main_members` members. Idempotent: a second run adds nothing unless asked for more.
pub fn seed_demo(db: &Db, main_members: usize, now: DateTime<Utc>) -> Result<SeedReport, DbError> {
    let mut report = SeedReport::default();
    let demo_hash = crate::password::hash(DEMO_PASSWORD);
    for plan in [&ACME, &NORDWIND, &HEALTH] {
        let exists = db.with(|c| orgs::by_slug(c, plan.slug))?.is_some();
        if !exists {
            report.members_added += db.tx(|c| create_planned_org(c, plan, &demo_hash, now))?;
            report.organizations_created += 1;
        }
    }
    // Scale acme up in batches of 1000, one transaction each.
    let acme = db.with(|c| orgs::by_slug(c, ACME.slug))?.ok_or(DbError::NotFound)?;
    loop {
        let have = db.with(|c| members::count(c, acme.id))? as usize;
        if have >= main_members {
            report.main_org_members = have as i64;
            break;
        }
        let batch = (main_members - have).min(1000);
        report.members_added += db.tx(|c| add_random_members(c, &acme, have, batch, have as u64, now))?;
    }
    // Fresh statistics after a bulk load, so the planners pick index plans at once (without
    // them PostgreSQL may plan the filtered members list as a nested loop for a while). On
    // PostgreSQL VACUUM also sets the visibility map, without which an index-only scan (the
    // members list's counts and pages) still visits every row it counts — autovacuum would get
    // there later; a demo should be fast from its first page.
    if report.members_added > 0 {
        db.with(|c| {
            match c {
                Conn::Pg(c) => diesel::RunQueryDsl::execute(diesel::sql_query("VACUUM (ANALYZE)"), &mut **c)?,
                Conn::Sqlite(c) => diesel::RunQueryDsl::execute(diesel::sql_query("ANALYZE"), &mut **c)?,
            };
            Ok(())
        })?;
    }
    Ok(report)
}

fn create_planned_org(conn: &mut Conn<'_>, plan: &OrgPlan, demo_hash: &str, now: DateTime<Utc>) -> Result<usize, DbError> {
    let created = now - Duration::days(400);
    let org = orgs::create(conn, plan.slug, plan.name, plan.tz, Actor::System, created)?;
    let mut all_units = Vec::new();
    for (division, kind, teams) in plan.structure {
        let d = units::create(conn, org.id, None, division, kind, Actor::System, created)?;
        all_units.push(d);
        for (team, subs) in teams.iter() {
            let t = units::create(conn, org.id, Some(d), team, "team", Actor::System, created)?;
            all_units.push(t);
            for s in subs.iter() {
                all_units.push(units::create(conn, org.id, Some(t), s, "sub-team", Actor::System, created)?);
            }
        }
    }
    for t in TAGS {
        tags::ensure(conn, org.id, t, Actor::System, created)?;
    }
    let template = gatehouse_domain::authz::templates::by_key(plan.template).ok_or(DbError::NotFound)?;
    crate::authz::apply_template(conn, org.id, &template, Actor::System, created)?;
    let role_ids = role_mix(conn, org.id, plan.role_mix)?;

    // The demo people: the owner of acme is an administrator in nordwind and a plain member of
    // example-health, so the switcher and the "own page" are both visible.
    let demo_owner = ensure_user(conn, DEMO_OWNER, "Dana Demo", Locale::En, demo_hash, created)?;
    let demo_member = ensure_user(conn, DEMO_MEMBER, "Max Mitglied", Locale::De, demo_hash, created)?;
    let first_unit = all_units.first().copied();
    let owner_m = add_member(conn, &org, demo_owner, MemberKind::Employee, MemberStatus::Active, first_unit, &[], Some("Head of operations"), created)?;
    let own_role = match plan.slug {
        "acme" => Some(OrgRole::Owner),
        "nordwind" => Some(OrgRole::Administrator),
        _ => None,
    };
    if let Some(r) = own_role {
        members::grant_org_role(conn, org.id, owner_m, r, Actor::System, created)?;
    }
    let mut added = 1;
    if plan.slug == "acme" {
        let mm = add_member(conn, &org, demo_member, MemberKind::Employee, MemberStatus::Active, all_units.get(1).copied(), &[], Some("Dispatcher"), created)?;
        let developer = role_ids.iter().find(|r| r.key == "developer").ok_or(DbError::NotFound)?;
        roles::insert_assignment(conn, org.id, mm, developer.id, all_units.get(1).copied(), None, Actor::System, created)?;
        added += 1;
    }
    let owner_actor = Actor::User { user: demo_owner, membership: Some(owner_m) };
    added += add_random_members_with(conn, &org, &all_units, &role_ids, 0, plan.members.saturating_sub(added), seed_of(plan.slug), owner_actor, now)?;
    Ok(added)
}

/// A template role with how often random members get it.
#[derive(Debug, Clone)]
struct MixRole {
    id: gatehouse_domain::ids::RoleId,
    key: String,
    percent: u32,
    anchor_kind: Option<String>,
    organization_wide: bool,
}

fn role_mix(conn: &mut Conn<'_>, org: gatehouse_domain::ids::OrgId, mix: &[(&str, u32)]) -> Result<Vec<MixRole>, DbError> {
    let mut out = Vec::new();
    for r in roles::list(conn, org)? {
        let d = roles::detail(conn, org, r.id)?;
        let percent = mix.iter().find(|(k, _)| *k == d.key).map(|(_, p)| *p).unwrap_or(0);
        let organization_wide = d.grants.iter().all(|g| g.scope != gatehouse_domain::authz::RoleScope::Unit);
        out.push(MixRole { id: r.id, key: d.key, percent, anchor_kind: d.anchor_kind, organization_wide });
    }
    Ok(out)
}

fn plan_of(slug: &str) -> &'static OrgPlan {
    [&ACME, &NORDWIND, &HEALTH].into_iter().find(|p| p.slug == slug).unwrap_or(&ACME)
}

fn seed_of(slug: &str) -> u64 {
    slug.bytes().fold(1469598103934665603u64, |h, b| (h ^ u64::from(b)).wrapping_mul(1099511628211))
}

fn ensure_user(conn: &mut Conn<'_>, email: &str, name: &str, locale: Locale, hash: &str, now: DateTime<Utc>) -> Result<UserId, DbError> {
    if let Some(u) = users::find_by_email(conn, email)? {
        return Ok(u.id);
    }
    users::create(conn, &NewUser { email, display_name: name, locale, password_hash: Some(hash), is_system: false }, Actor::System, now)
}

#[allow(clippy::too_many_arguments)]
fn add_member(
    conn: &mut Conn<'_>,
    org: &OrgRow,
    user: UserId,
    kind: MemberKind,
    status: MemberStatus,
    unit: Option<UnitId>,
    tags: &[TagId],
    job: Option<&str>,
    now: DateTime<Utc>,
) -> Result<MembershipId, DbError> {
    let units: Vec<UnitId> = unit.into_iter().collect();
    members::add(
        conn,
        &NewMember {
            org: org.id,
            user,
            kind,
            status,
            mobile_phone: None,
            job_title: job,
            end_date: None,
            role_holder_only: false,
            units: &units,
            tags,
        },
        Actor::System,
        now,
    )
}

fn add_random_members(conn: &mut Conn<'_>, org: &OrgRow, start: usize, n: usize, seed: u64, now: DateTime<Utc>) -> Result<usize, DbError> {
    let all_units: Vec<UnitId> = units::list(conn, org.id)?.into_iter().map(|u| u.id).collect();
    let role_ids = role_mix(conn, org.id, plan_of(&org.slug).role_mix)?;
    add_random_members_with(conn, org, &all_units, &role_ids, start, n, seed, Actor::System, now)
}

#[allow(clippy::too_many_arguments)]
fn add_random_members_with(
    conn: &mut Conn<'_>,
    org: &OrgRow,
    all_units: &[UnitId],
    role_ids: &[MixRole],
    start: usize,
    n: usize,
    seed: u64,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<usize, DbError> {
    let mut rng = StdRng::seed_from_u64(seed ^ seed_of(org.slug.as_str()));
    let tag_ids: Vec<TagId> = tags::list(conn, org.id)?.into_iter().map(|(id, _)| id).collect();
    let unit_kinds: std::collections::HashMap<UnitId, String> = units::list(conn, org.id)?.into_iter().map(|u| (u.id, u.kind)).collect();
    for i in start..start + n {
        let (name, email) = person(&mut rng, &org.slug, i);
        let kind = match rng.gen_range(0..100) {
            0..=79 => MemberKind::Employee,
            80..=89 => MemberKind::Partner,
            90..=94 => MemberKind::External,
            _ => MemberKind::Auditor,
        };
        let status = match rng.gen_range(0..100) {
            0..=84 => MemberStatus::Active,
            85..=92 => MemberStatus::Invited,
            _ => MemberStatus::Terminated,
        };
        let locale = if rng.gen_bool(0.4) { Locale::De } else { Locale::En };
        let when = now - Duration::minutes(rng.gen_range(60..60 * 24 * 365));
        let user = users::create(
            conn,
            &NewUser { email: &email, display_name: &name, locale, password_hash: None, is_system: false },
            Actor::System,
            when,
        )?;
        let unit = (!all_units.is_empty()).then(|| all_units[rng.gen_range(0..all_units.len())]);
        let mut tags = Vec::new();
        for t in &tag_ids {
            if rng.gen_bool(0.12) {
                tags.push(*t);
            }
        }
        let phone = format!("+49151{:08}", rng.gen_range(0..100_000_000u32));
        let units: Vec<UnitId> = unit.into_iter().collect();
        let m = members::add(
            conn,
            &NewMember {
                org: org.id,
                user,
                kind,
                status,
                mobile_phone: Some(&phone),
                job_title: Some(JOBS[rng.gen_range(0..JOBS.len())]),
                end_date: (kind == MemberKind::External).then(|| (now + Duration::days(rng.gen_range(30..365))).date_naive()),
                role_holder_only: false,
                units: &units,
                tags: &tags,
            },
            actor,
            when,
        )?;
        // One template role by the plan's mix; roles meant for a kind of unit only there.
        let mut pick = rng.gen_range(0..100u32);
        let chosen = role_ids.iter().find(|r| {
            if pick < r.percent {
                true
            } else {
                pick -= r.percent;
                false
            }
        });
        if let (Some(r), MemberStatus::Active) = (chosen, status) {
            let fits = r.anchor_kind.as_ref().is_none_or(|k| unit.and_then(|u| unit_kinds.get(&u)) == Some(k));
            let anchor = if r.organization_wide { None } else { unit };
            if fits && (anchor.is_some() || r.organization_wide) {
                let ends = (kind != MemberKind::Employee).then(|| now + Duration::days(rng.gen_range(-30..180)));
                roles::insert_assignment(conn, org.id, m, r.id, anchor, ends, actor, when)?;
            }
        }
        // A few organization roles among the first members.
        let org_role = match i {
            3 => Some(OrgRole::CoOwner),
            4 | 5 => Some(OrgRole::Administrator),
            6 => Some(OrgRole::ComplianceManager),
            7 => Some(OrgRole::PaymentUser),
            _ => None,
        };
        if let (Some(r), MemberStatus::Active) = (org_role, status) {
            members::grant_org_role(conn, org.id, m, r, Actor::System, when)?;
        }
    }
    Ok(n)
}

/// Fills acme's audit log up to at least `events` events (benchmarks of the audit log and its
/// export): role assignments, unit renames with before and after, invitations and API reads by
/// its members, spread over the last 90 days, 5 000 to a transaction. Returns how many it added.
pub fn seed_audit_events(db: &Db, events: usize, now: DateTime<Utc>) -> Result<usize, DbError> {
    use crate::audit::AuditEntry;
    use crate::schema::{audit_events as ae, memberships as m, units as un};
    use serde_json::json;
    use diesel::prelude::*;
    let acme = db.with(|c| orgs::by_slug(c, ACME.slug))?.ok_or(DbError::NotFound)?;
    let have: i64 = db.with(|c| Ok(crate::on!(c, c => ae::table.filter(ae::org_id.eq(acme.id.0)).count().get_result(c))?))?;
    let missing = events.saturating_sub(have as usize);
    if missing == 0 {
        return Ok(0);
    }
    let people: Vec<i64> = db.with(|c| Ok(crate::on!(c, c => m::table.filter(m::org_id.eq(acme.id.0)).filter(m::status.eq("active")).select(m::id).order(m::id.asc()).limit(500).load(c))?))?;
    let units: Vec<i64> = db.with(|c| Ok(crate::on!(c, c => un::table.filter(un::org_id.eq(acme.id.0)).select(un::id).order(un::id.asc()).load(c))?))?;
    if people.is_empty() {
        return Ok(0);
    }
    let mut added = 0;
    while added < missing {
        let batch = (missing - added).min(5000);
        db.tx(|c| {
            for i in added..added + batch {
                let who = people[i % people.len()];
                let unit = (!units.is_empty()).then(|| units[i % units.len()]);
                let at = now - chrono::Duration::seconds(((missing - i) as i64) * 90 * 86_400 / missing as i64);
                let actor = Actor::User { user: gatehouse_domain::ids::UserId(0), membership: Some(MembershipId(who)) };
                let target = people[(i * 7 + 3) % people.len()];
                let entry = match i % 4 {
                    0 => AuditEntry::new(Some(acme.id), actor, "role.assigned", "membership", Some(target)).unit(unit.map(UnitId)).after(json!({"role": i % 9 + 1, "unit": unit, "ends_at": null})),
                    1 => AuditEntry::new(Some(acme.id), actor, "unit.renamed", "unit", unit).unit(unit.map(UnitId)).before(json!({"name": format!("Team {}", i % 50)})).after(json!({"name": format!("Team {}", i % 50 + 1)})), // not user text: demo data
                    2 => AuditEntry::new(Some(acme.id), actor, "member.invited", "membership", Some(target)).after(json!({"email": format!("person{i}@example.test"), "kind": "employee"})), // not user text: demo data
                    _ => AuditEntry::new(Some(acme.id), Actor::Background { user: gatehouse_domain::ids::UserId(0) }, "invitation.reminded", "invitation", Some(i as i64)),
                };
                crate::audit::record(c, at, &entry)?;
            }
            Ok::<_, DbError>(())
        })?;
        added += batch;
    }
    Ok(added)
}
