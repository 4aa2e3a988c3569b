//! Read models and server functions of the authorization screens: roles, the role matrix,
//! a member's access with "why?", "who can …?" and the organization roles. Changes are form
//! posts handled by the server crate (`forms.rs`); each is decided by the engine there.
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// A permission as the screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionInfo {
    pub key: String,
    pub label: String,
    /// The module or admin area it belongs to, in the reader's language.
    pub group: String,
    pub admin: bool,
    pub about_people: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleLine {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub description: String,
    pub retired: bool,
    pub assignments: i64,
    pub grants: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateChoice {
    pub key: String,
    pub name: String,
    pub roles: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolesPage {
    pub roles: Vec<RoleLine>,
    pub can_edit: bool,
    pub templates: Vec<TemplateChoice>,
}

/// One grant of a role: scope `own` / `unit` / `organization`, visibility `aggregate` /
/// `individual`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    pub permission: String,
    pub scope: String,
    pub visibility: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffLine {
    pub permission: String,
    pub label: String,
    /// `scope/visibility` in the template, or None.
    pub template: Option<String>,
    /// `scope/visibility` now, or None.
    pub now: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolePage {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub description: String,
    pub requestable: bool,
    pub retired: bool,
    pub version: i32,
    pub anchor_kind: Option<String>,
    pub assignments: i64,
    /// (template name, role key in it)
    pub template: Option<(String, String)>,
    pub permissions: Vec<PermissionInfo>,
    pub grants: Vec<GrantView>,
    pub diff: Vec<DiffLine>,
    pub can_edit: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatrixPage {
    pub roles: Vec<(i64, String, bool)>,
    /// (permission, cells per role: "" or e.g. "unit · individual")
    pub rows: Vec<(PermissionInfo, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentView {
    pub id: i64,
    pub role_name: String,
    pub unit: Option<String>,
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
    pub expired: bool,
    pub retired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentView {
    pub id: i64,
    pub withdraw: bool,
    pub permission: String,
    pub label: String,
    pub scope: Option<String>,
    pub note: String,
    /// An addition that ends (a permission granted through an access request until a date).
    #[serde(default)]
    pub ends_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectiveView {
    pub permission: String,
    pub label: String,
    pub group: String,
    pub scope: String,
    pub visibility: String,
    pub why: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberAccess {
    pub member: i64,
    pub name: String,
    pub is_self: bool,
    pub assignments: Vec<AssignmentView>,
    pub adjustments: Vec<AdjustmentView>,
    pub effective: Vec<EffectiveView>,
    /// The caller may assign roles or adjust permissions here (each change is still decided
    /// by the engine when posted).
    pub can_change: bool,
    pub roles: Vec<(i64, String)>,
    pub units: Vec<(i64, usize, String)>,
    pub permissions: Vec<PermissionInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoCanLine {
    pub member: i64,
    pub name: String,
    pub why: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoCanPage {
    pub permissions: Vec<PermissionInfo>,
    pub units: Vec<(i64, usize, String)>,
    pub permission: Option<String>,
    pub unit: Option<i64>,
    pub people: Vec<WhoCanLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRoleGroup {
    pub role: String,
    pub label: String,
    pub holders: Vec<(i64, String)>,
    /// Who may appoint it, in words.
    pub appointed_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgRolesPage {
    pub groups: Vec<OrgRoleGroup>,
    pub me: i64,
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::*;
    use crate::explain::permission_label;
    use gatehouse_domain::authz::catalog;
    use gatehouse_domain::authz::policy::Policy;
    use gatehouse_domain::locale::Locale;

    pub fn group_label(locale: Locale, policy: &Policy, key: &str) -> String {
        let module = key.split('.').next().unwrap_or_default();
        if let Some(m) = policy.modules.iter().find(|m| m.key == module) {
            return locale.pick(&m.en, &m.de).clone();
        }
        crate::i18n::area_label(locale, module)
    }

    /// Every permission of the organization: the admin catalog, then the declared content.
    pub fn permissions(locale: Locale, policy: &Policy) -> Vec<PermissionInfo> {
        let mut out: Vec<PermissionInfo> = catalog::ADMIN_PERMISSIONS
            .iter()
            .map(|p| PermissionInfo {
                key: p.key.into(),
                label: permission_label(locale, policy, p.key),
                group: group_label(locale, policy, p.key),
                admin: true,
                about_people: p.about_people,
            })
            .collect();
        for m in &policy.modules {
            for a in &m.actions {
                let key = format!("{}.{}", m.key, a.key);
                out.push(PermissionInfo { label: crate::explain::short_label(locale, policy, &key), group: group_label(locale, policy, &key), key, admin: false, about_people: a.about_people });
            }
        }
        out
    }

    pub fn unit_options(policy: &Policy) -> Vec<(i64, usize, String)> {
        policy.tree.walk().into_iter().map(|(d, n)| (n.id.0, d, n.name.clone())).collect()
    }
}

#[server(input = GetUrl, endpoint = "roles")]
pub async fn get_roles(org: String) -> Result<RolesPage, AppError> {
    use gatehouse_domain::authz::templates;
    use gatehouse_domain::authz::Target;
    let ctx = crate::api::server::in_org(org).await?;
    ctx.reach_any("roles.view").await?;
    let can_edit = ctx.policy.check(ctx.m.id, "roles.edit", &Target::Organization, ctx.now).allowed;
    let org = ctx.org.id;
    let list = crate::api::server::db(&ctx.c.state, move |conn| gatehouse_db::roles::list(conn, org)).await?;
    let roles = list
        .into_iter()
        .map(|r| RoleLine {
            grants: gatehouse_domain::authz::Roles::role(ctx.policy.as_ref(), r.id).map(|e| e.grants.len()).unwrap_or(0),
            id: r.id.0,
            key: r.key,
            name: r.name,
            description: r.description,
            retired: r.retired,
            assignments: r.assignments,
        })
        .collect();
    let templates = templates::all()
        .into_iter()
        .map(|t| TemplateChoice {
            key: t.key.into(),
            name: ctx.c.locale.pick(t.en, t.de).into(),
            roles: t.roles.iter().map(|r| (r.key.to_string(), r.name.to_string())).collect(),
        })
        .collect();
    Ok(RolesPage { roles, can_edit, templates })
}

#[cfg(feature = "ssr")]
fn grant_text(scope: &str, visibility: &str) -> String {
    format!("{scope}/{visibility}")
}

#[server(input = GetUrl, endpoint = "role")]
pub async fn get_role(org: String, id: i64) -> Result<RolePage, AppError> {
    use gatehouse_domain::authz::Target;
    use gatehouse_domain::ids::RoleId;
    let ctx = crate::api::server::in_org(org).await?;
    ctx.reach_any("roles.view").await?;
    let org_id = ctx.org.id;
    let d = crate::api::server::db(&ctx.c.state, move |conn| gatehouse_db::roles::detail(conn, org_id, RoleId(id))).await?;
    let locale = ctx.c.locale;
    let label = |p: &str| crate::explain::permission_label(locale, &ctx.policy, p);
    let template = d.template_key.as_deref().and_then(gatehouse_domain::authz::templates::by_key);
    let mut diff = Vec::new();
    if let (Some(t), Some(rk)) = (&template, d.template_role_key.as_deref()) {
        if let Some(tr) = t.role(rk) {
            let mut keys: Vec<(String, String)> = tr.grants.iter().map(|g| (g.permission.clone(), g.scope.as_str().to_string())).collect();
            keys.extend(d.grants.iter().map(|g| (g.permission.clone(), g.scope.as_str().to_string())));
            keys.sort();
            keys.dedup();
            for (p, s) in keys {
                let was = tr.grants.iter().find(|g| g.permission == p && g.scope.as_str() == s).map(|g| grant_text(g.scope.as_str(), g.visibility.as_str()));
                let is = d.grants.iter().find(|g| g.permission == p && g.scope.as_str() == s).map(|g| grant_text(g.scope.as_str(), g.visibility.as_str()));
                if was != is {
                    diff.push(DiffLine { label: label(&p), permission: p, template: was, now: is });
                }
            }
        }
    }
    Ok(RolePage {
        id: d.id.0,
        key: d.key.clone(),
        name: d.name.clone(),
        description: d.description.clone(),
        requestable: d.requestable,
        retired: d.retired,
        version: d.version,
        anchor_kind: d.anchor_kind.clone(),
        assignments: d.assignments,
        template: template.map(|t| {
            (locale.pick(t.en, t.de).to_string(), d.template_role_key.clone().unwrap_or_default())
        }),
        permissions: server::permissions(locale, &ctx.policy),
        grants: d.grants.iter().map(|g| GrantView { permission: g.permission.clone(), scope: g.scope.as_str().into(), visibility: g.visibility.as_str().into() }).collect(),
        diff,
        can_edit: ctx.policy.check(ctx.m.id, "roles.edit", &Target::Organization, ctx.now).allowed && !d.retired,
    })
}

#[server(input = GetUrl, endpoint = "role-matrix")]
pub async fn get_role_matrix(org: String) -> Result<MatrixPage, AppError> {
    let ctx = crate::api::server::in_org(org).await?;
    ctx.reach_any("roles.view").await?;
    Ok(matrix(&ctx.policy, ctx.c.locale))
}

/// The seed-style overview: every role × every permission, with scope and visibility.
#[cfg(feature = "ssr")]
pub fn matrix(policy: &gatehouse_domain::authz::policy::Policy, locale: gatehouse_domain::locale::Locale) -> MatrixPage {
    let roles: Vec<_> = policy.roles().iter().collect();
    let rows = server::permissions(locale, policy)
        .into_iter()
        .filter_map(|p| {
            let cells: Vec<String> = roles
                .iter()
                .map(|r| {
                    let mut v: Vec<String> = r
                        .grants
                        .iter()
                        .filter(|g| g.permission == p.key)
                        .map(|g| crate::i18n::grant_words(locale, g.scope.as_str(), g.visibility.as_str(), p.about_people))
                        .collect();
                    v.sort();
                    v.join(" + ")
                })
                .collect();
            cells.iter().any(|c| !c.is_empty()).then_some((p, cells))
        })
        .collect();
    MatrixPage { roles: roles.iter().map(|r| (r.id.0, r.name.clone(), r.retired)).collect(), rows }
}

#[server(input = GetUrl, endpoint = "member-access")]
pub async fn get_member_access(org: String, id: i64) -> Result<MemberAccess, AppError> {
    let ctx = crate::api::server::in_org(org).await?;
    member_access(&ctx, id).await
}

/// A member's page in one call: details and, for whoever may see it, their access. (One server
/// function per resource: a second call after an await would run without the request.)
#[server(input = GetUrl, endpoint = "member-page")]
pub async fn get_member_page(
    org: String,
    id: Option<i64>,
) -> Result<(gatehouse_domain::views::MemberDetail, Option<MemberAccess>, Option<crate::compliance::LeavingView>, Option<String>), AppError> {
    let ctx = crate::api::server::in_org(org).await?;
    let member = id.map(gatehouse_domain::ids::MembershipId).unwrap_or(ctx.m.id);
    let detail = crate::api::server::member_detail(&ctx, member).await?;
    let access = member_access(&ctx, member.0).await.ok();
    let leaving = crate::compliance::leaving(&ctx, member).await.ok();
    let data = data_link(&ctx, member).await;
    Ok((detail, access, leaving, data))
}

/// Where the viewer downloads what the organization holds about the member: their own data, or
/// a member's for whoever may export that member (`members.export` there).
#[cfg(feature = "ssr")]
async fn data_link(ctx: &crate::api::server::Ctx, member: gatehouse_domain::ids::MembershipId) -> Option<String> {
    let slug = ctx.org.slug.clone();
    if member == ctx.m.id {
        return Some(format!("/o/{slug}/me/data.json")); // not user text: a path
    }
    let org_id = ctx.org.id;
    let units = crate::api::server::db(&ctx.c.state, move |conn| gatehouse_db::authz::member_units(conn, org_id, member)).await.ok()?;
    let target = gatehouse_domain::authz::Target::Member { id: member, units };
    ctx.policy.check(ctx.m.id, "members.export", &target, ctx.now).allowed.then(|| format!("/o/{slug}/members/{}/data.json", member.0)) // not user text: a path
}

#[cfg(feature = "ssr")]
async fn member_access(ctx: &crate::api::server::Ctx, id: i64) -> Result<MemberAccess, AppError> {
    use gatehouse_domain::authz::{Adjustment, Target, Visibility};
    use gatehouse_domain::ids::MembershipId;
    let member = MembershipId(id);
    let (org_id, now) = (ctx.org.id, ctx.now);
    let is_self = member == ctx.m.id;
    if !is_self {
        ctx.reach_any("members.view").await?;
    }
    let units = crate::api::server::db(&ctx.c.state, move |conn| gatehouse_db::authz::member_units(conn, org_id, member)).await?;
    let target = Target::Member { id: member, units: units.clone() };
    if !is_self {
        let d = ctx.require("members.view", &target).await?;
        if d.visibility != Some(Visibility::Individual) {
            return Err(ctx.refuse("members.view", &d.reasons).await);
        }
    }
    let (assignments, adjustments, name) = crate::api::server::db(&ctx.c.state, move |conn| {
        let a = gatehouse_db::roles::assignments_of(conn, org_id, member, now)?;
        let adj = gatehouse_db::authz::adjustments_of(conn, org_id, member)?;
        let name = gatehouse_db::items::names(conn, org_id, &[member])?.into_iter().next().map(|n| n.1).unwrap_or_default();
        Ok((a, adj, name))
    })
    .await?;
    let locale = ctx.c.locale;
    let p = &ctx.policy;
    let effective = p
        .effective(member, now)
        .into_iter()
        .map(|e| {
            let t = match e.scope {
                gatehouse_domain::authz::Scope::Unit(u) => Target::Unit(u),
                gatehouse_domain::authz::Scope::Own => Target::Member { id: member, units: units.clone() },
                gatehouse_domain::authz::Scope::Organization => Target::Organization,
            };
            let why = crate::explain::reasons(locale, p, &e.permission, &p.check(member, &e.permission, &t, now).reasons);
            EffectiveView {
                label: crate::explain::short_label(locale, p, &e.permission),
                group: server::group_label(locale, p, &e.permission),
                scope: crate::explain::scope_words(locale, p, e.scope),
                visibility: e.visibility.as_str().into(),
                why,
                permission: e.permission,
            }
        })
        .collect();
    let can_change = !is_self && ctx.policy.reach(ctx.m.id, "roles.assign", now) != gatehouse_domain::authz::policy::Reach::Nothing;
    Ok(MemberAccess {
        member: id,
        name,
        is_self,
        assignments: assignments
            .into_iter()
            .map(|a| AssignmentView { id: a.id, role_name: a.role_name, unit: a.anchor_name, ends_at: a.ends_at, expired: a.expired, retired: a.role_retired })
            .collect(),
        adjustments: adjustments
            .into_iter()
            .map(|r| match r.adjustment {
                Adjustment::Withdraw { permission } => {
                    AdjustmentView { id: r.id, withdraw: true, label: crate::explain::permission_label(locale, p, &permission), permission, scope: None, note: r.note, ends_at: None }
                }
                Adjustment::Add { permission, scope, ends_at, .. } => AdjustmentView {
                    id: r.id,
                    withdraw: false,
                    label: crate::explain::permission_label(locale, p, &permission),
                    permission,
                    scope: Some(crate::explain::scope_words(locale, p, scope)),
                    note: r.note,
                    ends_at,
                },
            })
            .collect(),
        effective,
        can_change,
        roles: if can_change { p.roles().iter().filter(|r| !r.retired).map(|r| (r.id.0, r.name.clone())).collect() } else { vec![] },
        units: if can_change { server::unit_options(p) } else { vec![] },
        permissions: if can_change { server::permissions(locale, p) } else { vec![] },
    })
}

#[server(input = GetUrl, endpoint = "who-can")]
pub async fn get_who_can(org: String, permission: Option<String>, unit: Option<String>) -> Result<WhoCanPage, AppError> {
    use gatehouse_domain::authz::Target;
    use gatehouse_domain::ids::UnitId;
    let ctx = crate::api::server::in_org(org).await?;
    ctx.reach_any("roles.view").await?;
    let locale = ctx.c.locale;
    let p = ctx.policy.clone();
    let unit = unit.filter(|u| !u.is_empty()).map(|u| u.parse::<i64>().map_err(|_| crate::api::server::fail(AppError::BadRequest("unit".into())))).transpose()?;
    if let Some(u) = unit {
        p.tree.get(UnitId(u)).ok_or_else(|| crate::api::server::fail(AppError::NotFound))?;
    }
    let permission = permission.filter(|s| !s.is_empty());
    if let Some(perm) = permission.as_deref() {
        if !p.knows(perm) {
            return Err(crate::api::server::fail(AppError::BadRequest(crate::i18n::tf(locale, crate::i18n::Msg::DenyUnknownPermission, &[("permission", perm)]))));
        }
    }
    let mut people = Vec::new();
    if let Some(perm) = permission.as_deref() {
        let target = unit.map_or(Target::Organization, |u| Target::Unit(UnitId(u)));
        let found = p.who_can(perm, &target, ctx.now);
        let ids: Vec<_> = found.iter().map(|(m, _)| *m).collect();
        let org_id = ctx.org.id;
        let names = crate::api::server::db(&ctx.c.state, move |conn| gatehouse_db::items::names(conn, org_id, &ids)).await?;
        for (m, d) in found {
            people.push(WhoCanLine {
                member: m.0,
                name: names.iter().find(|n| n.0 == m).map(|n| n.1.clone()).unwrap_or_default(),
                why: crate::explain::reasons(locale, &p, perm, &d.reasons),
            });
        }
        people.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()));
    }
    Ok(WhoCanPage { permissions: server::permissions(locale, &p), units: server::unit_options(&p), permission, unit, people })
}

#[server(input = GetUrl, endpoint = "org-roles")]
pub async fn get_org_roles(org: String) -> Result<OrgRolesPage, AppError> {
    use gatehouse_domain::org_role::{appointers, OrgRole};
    let ctx = crate::api::server::in_org(org).await?;
    let menu = crate::api::server::menu(&ctx.policy, ctx.m.id, ctx.now);
    if !menu.org_roles {
        return Err(ctx.refuse("roles.view", &[gatehouse_domain::authz::Reason::NoGrant]).await);
    }
    let org_id = ctx.org.id;
    let holders = crate::api::server::db(&ctx.c.state, move |conn| {
        let h = gatehouse_db::members::org_role_holders(conn, org_id)?;
        let ids: Vec<_> = h.iter().map(|(m, _)| *m).collect();
        let names = gatehouse_db::items::names(conn, org_id, &ids)?;
        Ok((h, names))
    })
    .await?;
    let locale = ctx.c.locale;
    let groups = OrgRole::ALL
        .iter()
        .map(|r| OrgRoleGroup {
            role: r.as_str().into(),
            label: crate::i18n::org_role_label(locale, r.as_str()),
            holders: holders.0.iter().filter(|(_, hr)| hr == r).map(|(m, _)| (m.0, holders.1.iter().find(|n| n.0 == *m).map(|n| n.1.clone()).unwrap_or_default())).collect(),
            appointed_by: appointers(*r).iter().map(|a| crate::i18n::org_role_label(locale, a.as_str())).collect::<Vec<_>>().join(", "),
        })
        .collect();
    Ok(OrgRolesPage { groups, me: ctx.m.id.0 })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub id: i64,
    pub title: String,
    pub creator: Option<String>,
    pub owner: Option<String>,
    pub unit: Option<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub version: i32,
    pub can_edit: bool,
    pub can_delete: bool,
    pub can_bulk_delete: bool,
    pub invited: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentPage {
    pub modules: Vec<(String, String)>,
    pub module: Option<String>,
    pub items: Vec<ItemView>,
    pub can_create: bool,
    pub units: Vec<(i64, usize, String)>,
    /// Why nothing is shown, when the engine says so (administrators see no content).
    pub note: Option<String>,
}

/// The content browser: the organization's modules, and the items of one module the caller may
/// see, each with what the caller may do to it.
#[server(input = GetUrl, endpoint = "content")]
pub async fn get_content(org: String, module: Option<String>) -> Result<ContentPage, AppError> {
    use gatehouse_domain::authz::content::ItemOp;
    use gatehouse_domain::authz::Target;
    let ctx = crate::api::server::in_org(org).await?;
    let locale = ctx.c.locale;
    let p = ctx.policy.clone();
    let modules: Vec<(String, String)> = p
        .modules
        .iter()
        .map(|m| (m.key.clone(), locale.pick(&m.en, &m.de).clone()))
        .collect();
    let Some(module) = module.filter(|m| !m.is_empty()) else {
        return Ok(ContentPage { modules, module: None, items: vec![], can_create: false, units: vec![], note: None });
    };
    if !p.modules.iter().any(|m| m.key == module) {
        return Err(crate::api::server::fail(AppError::NotFound));
    }
    let (org_id, me, now) = (ctx.org.id, ctx.m.id, ctx.now);
    let m2 = module.clone();
    let p2 = p.clone();
    let items = crate::api::server::db(&ctx.c.state, move |conn| {
        let items = gatehouse_db::items::visible(conn, org_id, &m2, &p2, me, now)?;
        let ids: Vec<_> = items.iter().flat_map(|i| i.creator.into_iter().chain(i.owner).chain(i.assignees.iter().copied())).collect();
        let names = gatehouse_db::items::names(conn, org_id, &ids)?;
        Ok((items, names))
    })
    .await?;
    let name = |m: Option<gatehouse_domain::ids::MembershipId>| m.and_then(|m| items.1.iter().find(|n| n.0 == m).map(|n| n.1.clone()));
    let unit_name = |u: Option<gatehouse_domain::ids::UnitId>| u.and_then(|u| p.tree.get(u).map(|n| n.name.clone()));
    let views: Vec<ItemView> = items
        .0
        .iter()
        .map(|i| {
            let t = i.target();
            ItemView {
                id: i.id,
                title: i.title.clone(),
                creator: name(i.creator),
                owner: name(i.owner),
                unit: unit_name(i.unit),
                updated_at: i.updated_at,
                version: i.version,
                can_edit: p.check_item(me, &module, ItemOp::Edit, &t, now).allowed,
                can_delete: p.check_item(me, &module, ItemOp::Delete, &t, now).allowed,
                can_bulk_delete: p.check_item(me, &module, ItemOp::BulkDelete, &t, now).allowed,
                invited: i.assignees.iter().filter_map(|a| name(Some(*a))).collect(),
            }
        })
        .collect();
    let create = format!("{module}.create");
    let can_create = p.knows(&create) && p.reach(me, &create, now) != gatehouse_domain::authz::policy::Reach::Nothing;
    // Say why the list is empty when the engine rules content out for this person.
    let probe = Target::Item { creator: None, owner: None, assignees: vec![], unit: None };
    let d = p.check_item(me, &module, ItemOp::View, &probe, now);
    let note = (views.is_empty() && d.reasons.contains(&gatehouse_domain::authz::Reason::AdministratorsSeeNoContent))
        .then(|| crate::i18n::t(locale, crate::i18n::Msg::ReasonAdministratorsSeeNoContent).to_string());
    Ok(ContentPage { modules, module: Some(module), items: views, can_create, units: server::unit_options(&p), note })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailView {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The organization's mail for admins: queued, failed and sent messages (never their bodies).
#[server(input = GetUrl, endpoint = "mail")]
pub async fn get_mail(org: String, status: Option<String>) -> Result<Vec<MailView>, AppError> {
    use gatehouse_domain::authz::Target;
    let ctx = crate::api::server::in_org(org).await?;
    ctx.require("mail.manage", &Target::Organization).await?;
    let status = status.filter(|s| matches!(s.as_str(), "queued" | "sending" | "sent" | "failed"));
    let org_id = ctx.org.id;
    let rows = crate::api::server::db(&ctx.c.state, move |conn| gatehouse_db::outbox::for_org(conn, org_id, status.as_deref(), 200)).await?;
    Ok(rows
        .into_iter()
        .map(|m| MailView {
            id: m.id,
            to: m.to,
            subject: m.subject,
            status: m.status,
            attempts: m.attempts,
            last_error: m.last_error,
            next_attempt_at: m.next_attempt_at,
            created_at: m.created_at,
            sent_at: m.sent_at,
        })
        .collect())
}
