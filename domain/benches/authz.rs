//! Criterion benchmarks of the authorization engine on a generated organization of 10 000
//! members, 60 units up to depth 5 and 20 roles (the permission-matrix template's three plus 17
//! generated ones). The generator is deterministic (a fixed-seed LCG), so every run measures the
//! same organization. Run with `cargo bench -p gatehouse_domain --bench authz`; BENCHMARKS.md
//! holds the numbers and the targets.
use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use gatehouse_domain::authz::content::{ContentModule, ItemOp};
use gatehouse_domain::authz::policy::{Policy, Reach};
use gatehouse_domain::authz::{catalog, templates, Adjustment, Assignment, Reason, Role, RoleGrant, RoleScope, Scope, Subject, Target, Visibility};
use gatehouse_domain::ids::{MembershipId, RoleId, UnitId};
use gatehouse_domain::org_role::OrgRole;
use gatehouse_domain::units::{UnitNode, UnitTree};
use std::hint::black_box;

const MEMBERS: i64 = 10_000;
/// Units per level, root first: 60 units, the deepest at depth 5 (six levels).
const LEVELS: [usize; 6] = [1, 3, 8, 14, 18, 16];
const GENERATED_ROLES: i64 = 17;

// The template's roles come first, numbered 1..=3 by `Template::engine_roles`.
const DEVELOPER: RoleId = RoleId(1);
const TEAM_MANAGER: RoleId = RoleId(2);
const COMPANY_ADMIN: RoleId = RoleId(3);
/// The first generated role always lets its holders create documents in their unit (for the
/// creator rule); its other grants are drawn at random like every generated role's.
const AUTHORS: RoleId = RoleId(4);

// Hand-built members the benchmarks ask about (they replace generated members with these ids).
const MANAGER: MembershipId = MembershipId(5001);
const EXPLAIN_NO: MembershipId = MembershipId(5002);
const EXPLAIN_YES: MembershipId = MembershipId(5003);
const AUTHOR: MembershipId = MembershipId(5004);
const COLLEAGUE: MembershipId = MembershipId(5005);

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

/// Knuth's MMIX LCG; the high bits are good enough to pick things.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

struct Org {
    policy: Policy,
    /// Unit ids by depth.
    levels: Vec<Vec<UnitId>>,
    subjects: usize,
    assignments: usize,
    expired: usize,
    ending_later: usize,
    with_adjustments: usize,
    with_org_roles: usize,
    grants: Vec<usize>,
}

fn units(rng: &mut Lcg) -> (Vec<UnitNode>, Vec<Vec<UnitId>>) {
    let kinds = ["company", "division", "department", "group", "team", "squad"];
    let mut nodes = Vec::new();
    let mut levels: Vec<Vec<UnitId>> = Vec::new();
    let mut next_id = 1;
    for (depth, count) in LEVELS.iter().enumerate() {
        let mut level = Vec::new();
        for i in 0..*count {
            let id = UnitId(next_id);
            next_id += 1;
            // Every unit of the level above gets at least one child while there are enough.
            let parent = levels.last().map(|up: &Vec<UnitId>| if i < up.len() { up[i] } else { *rng.pick(up) });
            nodes.push(UnitNode { id, parent, name: format!("{} {}", kinds[depth], i + 1), kind: kinds[depth].to_string() });
            level.push(id);
        }
        levels.push(level);
    }
    (nodes, levels)
}

fn generated_roles(rng: &mut Lcg, permissions: &[String]) -> Vec<Role> {
    let scopes = [RoleScope::Own, RoleScope::Unit, RoleScope::Organization];
    (0..GENERATED_ROLES)
        .map(|i| {
            let id = RoleId(4 + i);
            let mut grants: Vec<RoleGrant> = Vec::new();
            if id == AUTHORS {
                grants.push(RoleGrant { permission: "documents.view".into(), scope: RoleScope::Own, visibility: Visibility::Individual });
                grants.push(RoleGrant { permission: "documents.create".into(), scope: RoleScope::Unit, visibility: Visibility::Individual });
            }
            let wanted = 5 + rng.below(26);
            while grants.len() < wanted {
                let permission = rng.pick(permissions).clone();
                // Keep the authors' role from editing others' documents: the creator rule is what
                // the benchmark wants to reach.
                if id == AUTHORS && permission.starts_with("documents.") {
                    continue;
                }
                let scope = *rng.pick(&scopes);
                let visibility = if rng.chance(30) { Visibility::Aggregate } else { Visibility::Individual };
                if !grants.iter().any(|g| g.permission == permission && g.scope == scope) {
                    grants.push(RoleGrant { permission, scope, visibility });
                }
            }
            Role { id, name: format!("Generated role {}", i + 1), grants, retired: false }
        })
        .collect()
}

fn ends_at(rng: &mut Lcg) -> Option<DateTime<Utc>> {
    match rng.below(100) {
        0..6 => Some(now() - Duration::days(1 + rng.below(400) as i64)),
        6..14 => Some(now() + Duration::days(1 + rng.below(400) as i64)),
        _ => None,
    }
}

fn generated_subject(rng: &mut Lcg, id: MembershipId, home: UnitId, levels: &[Vec<UnitId>], permissions: &[String]) -> Subject {
    let mut assignments = vec![if rng.chance(95) {
        Assignment { role: DEVELOPER, anchor: Some(home), ends_at: ends_at(rng) }
    } else {
        Assignment { role: RoleId(4 + rng.below(GENERATED_ROLES as usize) as i64), anchor: Some(home), ends_at: ends_at(rng) }
    }];
    let extra = match rng.below(10) {
        0..6 => 0,
        6..9 => 1,
        _ => 2,
    };
    for _ in 0..extra {
        let r = rng.below(1000);
        let a = if r < 50 {
            { let lvl = 2 + rng.below(3); Assignment { role: TEAM_MANAGER, anchor: Some(*rng.pick(&levels[lvl])), ends_at: ends_at(rng) } }
        } else if r < 52 {
            Assignment { role: COMPANY_ADMIN, anchor: None, ends_at: ends_at(rng) }
        } else {
            let anchor = if rng.chance(20) { None } else { let lvl = 1 + rng.below(5); Some(*rng.pick(&levels[lvl])) };
            Assignment { role: RoleId(4 + rng.below(GENERATED_ROLES as usize) as i64), anchor, ends_at: ends_at(rng) }
        };
        assignments.push(a);
    }
    let mut adjustments = Vec::new();
    if rng.chance(3) {
        for _ in 0..1 + rng.below(2) {
            let permission = rng.pick(permissions).clone();
            adjustments.push(if rng.chance(30) {
                Adjustment::Withdraw { permission }
            } else {
                let scope = match rng.below(3) {
                    0 => Scope::Own,
                    1 => { let lvl = 1 + rng.below(5); Scope::Unit(*rng.pick(&levels[lvl])) }
                    _ => Scope::Organization,
                };
                let visibility = if rng.chance(30) { Visibility::Aggregate } else { Visibility::Individual };
                Adjustment::Add { permission, scope, visibility, ends_at: None }
            });
        }
    }
    Subject { membership: id, org_roles: vec![], assignments, adjustments }
}

fn build() -> Org {
    let mut rng = Lcg(0x6761_7465_686f_7573); // "gatehous"
    let (nodes, levels) = units(&mut rng);
    let tree = UnitTree::new(nodes);

    let matrix = templates::by_key("permission-matrix").expect("permission-matrix template");
    // The default template's documents module brings `create` / `edit_any` for the creator rule.
    let documents = templates::by_key("default").expect("default template");
    let modules: Vec<ContentModule> = matrix.modules.iter().chain(documents.modules.iter()).cloned().collect();
    let permissions: Vec<String> =
        catalog::ADMIN_PERMISSIONS.iter().map(|p| p.key.to_string()).chain(modules.iter().flat_map(|m| m.permission_keys())).collect();
    let mut roles = matrix.engine_roles();
    assert_eq!(roles.iter().map(|r| r.id).collect::<Vec<_>>(), [DEVELOPER, TEAM_MANAGER, COMPANY_ADMIN]);
    roles.extend(generated_roles(&mut rng, &permissions));

    // Members live mostly in the lower levels of the tree.
    let homes: Vec<UnitId> = levels[3..].iter().flatten().copied().collect();
    let mut subjects: Vec<Subject> = (1..=MEMBERS)
        .map(|i| {
            let home = *rng.pick(&homes);
            generated_subject(&mut rng, MembershipId(i), home, &levels, &permissions)
        })
        .collect();

    // Ten holders of organization roles (members 1..=10).
    let org_roles: [&[OrgRole]; 10] = [
        &[OrgRole::Owner],
        &[OrgRole::CoOwner, OrgRole::MainOwner],
        &[OrgRole::PaymentUser],
        &[OrgRole::AuthorizedBuyer],
        &[OrgRole::ComplianceManager],
        &[OrgRole::Administrator, OrgRole::MainAdministrator],
        &[OrgRole::Administrator],
        &[OrgRole::Administrator],
        &[OrgRole::SupportTeam],
        &[OrgRole::SupportTeam, OrgRole::ComplianceManager],
    ];
    for (s, r) in subjects.iter_mut().zip(org_roles) {
        s.org_roles = r.to_vec();
    }

    // The members the benchmarks ask about. `levels[2][0]` is a department with groups, teams
    // and squads below it; `levels[2][1]` and `levels[2][2]` sit elsewhere.
    let department = levels[2][0];
    let elsewhere = levels[2][1];
    let third = levels[2][2];
    let deep = deepest_below(&tree, department);
    let manager = Subject {
        membership: MANAGER,
        org_roles: vec![],
        assignments: vec![
            Assignment { role: DEVELOPER, anchor: Some(deep), ends_at: None },
            Assignment { role: TEAM_MANAGER, anchor: Some(department), ends_at: Some(now() + Duration::days(90)) },
        ],
        adjustments: vec![],
    };
    // Every way of almost holding `members.edit` over `department`'s subtree.
    let explain_no = Subject {
        membership: EXPLAIN_NO,
        org_roles: vec![],
        assignments: vec![
            Assignment { role: DEVELOPER, anchor: Some(deep), ends_at: None },
            Assignment { role: TEAM_MANAGER, anchor: Some(department), ends_at: Some(now() - Duration::days(3)) },
            Assignment { role: TEAM_MANAGER, anchor: Some(elsewhere), ends_at: None },
            Assignment { role: COMPANY_ADMIN, anchor: None, ends_at: Some(now() - Duration::days(30)) },
        ],
        adjustments: vec![
            Adjustment::Add { permission: "members.edit".into(), scope: Scope::Unit(third), visibility: Visibility::Individual, ends_at: None },
            Adjustment::Add { permission: "members.edit".into(), scope: Scope::Own, visibility: Visibility::Individual, ends_at: None },
        ],
    };
    // Every way of holding it at once.
    let explain_yes = Subject {
        membership: EXPLAIN_YES,
        org_roles: vec![],
        assignments: vec![
            Assignment { role: DEVELOPER, anchor: Some(deep), ends_at: None },
            Assignment { role: TEAM_MANAGER, anchor: Some(levels[1][0]), ends_at: None },
            Assignment { role: TEAM_MANAGER, anchor: Some(department), ends_at: Some(now() + Duration::days(10)) },
            Assignment { role: COMPANY_ADMIN, anchor: None, ends_at: None },
        ],
        adjustments: vec![Adjustment::Add { permission: "members.edit".into(), scope: Scope::Organization, visibility: Visibility::Aggregate, ends_at: None }],
    };
    let author = Subject {
        membership: AUTHOR,
        org_roles: vec![],
        assignments: vec![Assignment { role: DEVELOPER, anchor: Some(deep), ends_at: None }, Assignment { role: AUTHORS, anchor: Some(deep), ends_at: None }],
        adjustments: vec![],
    };
    for s in [manager, explain_no, explain_yes, author] {
        let i = (s.membership.0 - 1) as usize;
        subjects[i] = s;
    }

    let grants = roles.iter().map(|r| r.grants.len()).collect();
    let org = Org {
        subjects: subjects.len(),
        assignments: subjects.iter().map(|s| s.assignments.len()).sum(),
        expired: subjects.iter().flat_map(|s| &s.assignments).filter(|a| a.ends_at.is_some_and(|e| e <= now())).count(),
        ending_later: subjects.iter().flat_map(|s| &s.assignments).filter(|a| a.ends_at.is_some_and(|e| e > now())).count(),
        with_adjustments: subjects.iter().filter(|s| !s.adjustments.is_empty()).count(),
        with_org_roles: subjects.iter().filter(|s| !s.org_roles.is_empty()).count(),
        grants,
        levels,
        policy: Policy::new(1, roles, tree, modules, subjects),
    };
    assert_eq!(org.policy.tree.len(), 60);
    assert_eq!(org.policy.roles().len(), 20);
    org
}

/// The deepest unit in `anchor`'s subtree (the first one found at that depth).
fn deepest_below(tree: &UnitTree, anchor: UnitId) -> UnitId {
    tree.subtree(anchor).into_iter().max_by_key(|u| (tree.depth(*u), std::cmp::Reverse(*u))).expect("anchor exists")
}

fn member(id: MembershipId, units: &[UnitId]) -> Target {
    Target::Member { id, units: units.to_vec() }
}

fn benches(c: &mut Criterion) {
    let org = build();
    let p = &org.policy;
    let now = now();
    let department = org.levels[2][0];
    let deep = deepest_below(&p.tree, department);
    let elsewhere_deep = deepest_below(&p.tree, org.levels[2][1]);
    eprintln!(
        "organization: {} members, {} units (depth ≤ {}), {} roles ({}..={} grants), {} assignments ({} ended, {} ending later), {} members with adjustments, {} with organization roles",
        org.subjects,
        p.tree.len(),
        p.tree.walk().iter().map(|(d, _)| *d).max().unwrap_or(0),
        p.roles().len(),
        org.grants.iter().min().unwrap(),
        org.grants.iter().max().unwrap(),
        org.assignments,
        org.expired,
        org.ending_later,
        org.with_adjustments,
        org.with_org_roles,
    );
    assert_eq!(p.tree.depth(deep), 5, "the probes sit at the deepest level");

    // What each benchmark asks, checked once so a change to the generator cannot quietly turn a
    // "yes" case into a "no" one.
    let in_scope = member(COLLEAGUE, &[deep]);
    let out_of_scope = member(COLLEAGUE, &[elsewhere_deep]);
    let d = p.check(MANAGER, "members.edit", &in_scope, now);
    assert!(d.allowed && matches!(&d.reasons[..], [Reason::Role { via, .. }] if via.len() == 4), "{d:?}");
    let d = p.check(MANAGER, "members.edit", &out_of_scope, now);
    assert!(!d.allowed && matches!(&d.reasons[..], [Reason::OutOfScope { .. }]), "{d:?}");
    let d = p.check(EXPLAIN_NO, "members.edit", &in_scope, now);
    assert!(!d.allowed && d.reasons.len() == 5, "{d:?}");
    assert!(d.reasons.iter().filter(|r| matches!(r, Reason::Expired { .. })).count() == 2, "{d:?}");
    let d = p.check(EXPLAIN_YES, "members.edit", &in_scope, now);
    assert!(d.allowed && d.reasons.len() == 4, "{d:?}");
    let own_document = Target::Item { creator: Some(AUTHOR), owner: None, assignees: vec![], unit: Some(deep) };
    let d = p.check_item(AUTHOR, "documents", ItemOp::Edit, &own_document, now);
    assert!(d.allowed && matches!(&d.reasons[..], [Reason::CreatorRule { .. }]), "{d:?}");
    let colleagues_item = Target::Item { creator: Some(COLLEAGUE), owner: None, assignees: vec![], unit: Some(deep) };
    assert_eq!(p.reach(MANAGER, "members.edit", now), Reach::Units(vec![department]));
    eprintln!(
        "who_can: members.edit on a member at depth 5 → {} members; courses.view_statistics on an item at depth 5 → {} members",
        p.who_can("members.edit", &in_scope, now).len(),
        p.who_can("courses.view_statistics", &colleagues_item, now).len()
    );
    eprintln!("effective({}) → {} lines", MANAGER.0, p.effective(MANAGER, now).len());

    let mut g = c.benchmark_group("check");
    g.bench_function("yes_unit_scope", |b| b.iter(|| p.check(black_box(MANAGER), black_box("members.edit"), black_box(&in_scope), now)));
    g.bench_function("no_out_of_scope", |b| b.iter(|| p.check(black_box(MANAGER), black_box("members.edit"), black_box(&out_of_scope), now)));
    g.bench_function("item_creator_rule", |b| {
        b.iter(|| p.check_item(black_box(AUTHOR), black_box("documents"), ItemOp::Edit, black_box(&own_document), now))
    });
    g.finish();

    let mut g = c.benchmark_group("explain");
    g.bench_function("no_expired_and_out_of_scope", |b| b.iter(|| p.check(black_box(EXPLAIN_NO), black_box("members.edit"), black_box(&in_scope), now)));
    g.bench_function("yes_four_reasons", |b| b.iter(|| p.check(black_box(EXPLAIN_YES), black_box("members.edit"), black_box(&in_scope), now)));
    g.finish();

    let mut g = c.benchmark_group("who_can");
    g.sample_size(30).measurement_time(std::time::Duration::from_secs(10));
    g.bench_function("admin_permission_unit_scoped", |b| b.iter(|| p.who_can(black_box("members.edit"), black_box(&in_scope), now)));
    g.bench_function("content_permission", |b| b.iter(|| p.who_can(black_box("courses.view_statistics"), black_box(&colleagues_item), now)));
    g.finish();

    let mut g = c.benchmark_group("effective");
    g.bench_function("one_member", |b| b.iter(|| p.effective(black_box(MANAGER), now)));
    g.finish();

    let mut g = c.benchmark_group("reach");
    g.bench_function("unit_scoped", |b| b.iter(|| p.reach(black_box(MANAGER), black_box("members.edit"), now)));
    g.finish();

    // The members list's roles column: one page of 50 rows, from the cached policy.
    let mut g = c.benchmark_group("members_page_roles_column");
    let page: Vec<MembershipId> = (1..=50).map(|i| MembershipId(i * 97)).collect();
    g.bench_function("50_rows", |b| b.iter(|| page.iter().map(|m| p.live_roles(black_box(*m), now).1.len()).sum::<usize>()));
    g.finish();
}

criterion_group!(authz, benches);
criterion_main!(authz);
