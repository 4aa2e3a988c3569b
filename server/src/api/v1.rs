//! Reporting and provisioning: members, units, roles, assignments and audit events of the key's
//! organization, a page at a time by cursor; assigning and ending roles through the same
//! no-escalation rule as the portal's forms.
use super::{cursor, json, limit, next_cursor, KeyCaller, Problem};
use actix_web::{web, HttpResponse};
use gatehouse_domain::authz::Target;
use gatehouse_domain::ids::{MembershipId, RoleId, UnitId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A page of a list: `limit` (1–500, default 100) and the `cursor` from the previous page's
/// `next`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Records per page, 1 to 500 (default 100).
    pub limit: Option<i64>,
    /// The previous page's `next`; absent for the first page.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    pub id: i64,
    pub name: String,
    /// Absent once the member is anonymized.
    pub email: Option<String>,
    /// invited, active, terminated or anonymized.
    pub status: String,
    /// employee, partner, auditor or external.
    pub kind: String,
    pub job_title: Option<String>,
    /// RFC 3339.
    pub joined_at: Option<String>,
    /// Ids of the units the member belongs to.
    pub units: Vec<i64>,
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    pub items: Vec<Member>,
    /// The cursor of the next page; absent on the last one.
    pub next: Option<String>,
}

/// The organization's members (not technical users), in id order. Needs `members.view` for
/// the whole organization with individual visibility.
#[utoipa::path(get, path = "/api/v1/members", tag = "reporting", params(PageQuery),
    responses((status = 200, body = MemberList), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("api_key" = [])))]
pub async fn members(k: KeyCaller, q: web::Query<PageQuery>) -> Result<HttpResponse, Problem> {
    k.require_individual("members.view")?;
    let n = limit(k.locale, q.limit)?;
    let after = cursor(k.locale, q.cursor.as_deref())?.unwrap_or(0);
    let org = k.auth.org;
    let rows = k.read(move |c| gatehouse_db::views::api::members(c, org, after, n)).await?;
    let next = next_cursor(rows.last().map(|r| r.id), rows.len() as i64 == n);
    k.audit_read("members", rows.len()).await?;
    let items = rows
        .into_iter()
        .map(|r| Member {
            id: r.id,
            name: r.name,
            email: r.email,
            status: r.status,
            kind: r.kind,
            job_title: r.job_title,
            joined_at: r.joined_at.map(|t| t.to_rfc3339()),
            units: r.units,
            tags: r.tags,
        })
        .collect();
    Ok(json(&MemberList { items, next }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Unit {
    pub id: i64,
    pub parent: Option<i64>,
    pub name: String,
    /// The unit's kind label (division, team, region …).
    pub kind: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitList {
    /// Every unit, parents before their children.
    pub items: Vec<Unit>,
}

/// The organization's unit tree. Needs `units.view` for the whole organization.
#[utoipa::path(get, path = "/api/v1/units", tag = "reporting",
    responses((status = 200, body = UnitList), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("api_key" = [])))]
pub async fn units(k: KeyCaller) -> Result<HttpResponse, Problem> {
    k.require("units.view", &Target::Organization)?;
    let items: Vec<Unit> =
        k.policy.tree.walk().into_iter().map(|(_, n)| Unit { id: n.id.0, parent: n.parent.map(|p| p.0), name: n.name.clone(), kind: n.kind.clone() }).collect();
    k.audit_read("units", items.len()).await?;
    Ok(json(&UnitList { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Grant {
    pub permission: String,
    /// own, unit (the assignment's unit and below) or organization.
    pub scope: String,
    /// individual or aggregate.
    pub visibility: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Role {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub description: String,
    pub retired: bool,
    pub grants: Vec<Grant>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleList {
    pub items: Vec<Role>,
}

/// The organization's roles with their grants. Needs `roles.view` for the whole organization.
#[utoipa::path(get, path = "/api/v1/roles", tag = "reporting",
    responses((status = 200, body = RoleList), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("api_key" = [])))]
pub async fn roles(k: KeyCaller) -> Result<HttpResponse, Problem> {
    k.require("roles.view", &Target::Organization)?;
    let org = k.auth.org;
    let summaries = k.read(move |c| gatehouse_db::roles::list(c, org)).await?;
    let items: Vec<Role> = summaries
        .into_iter()
        .map(|s| {
            let grants = gatehouse_domain::authz::Roles::role(k.policy.as_ref(), s.id)
                .map(|r| r.grants.iter().map(|g| Grant { permission: g.permission.clone(), scope: g.scope.as_str().to_string(), visibility: g.visibility.as_str().to_string() }).collect())
                .unwrap_or_default();
            Role { id: s.id.0, key: s.key, name: s.name, description: s.description, retired: s.retired, grants }
        })
        .collect();
    k.audit_read("roles", items.len()).await?;
    Ok(json(&RoleList { items }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Assignment {
    pub id: i64,
    pub member: i64,
    pub role: i64,
    pub role_key: String,
    /// The unit the assignment is anchored at; absent for the whole organization.
    pub unit: Option<i64>,
    /// RFC 3339; an assignment past its end grants nothing.
    pub ends_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignmentList {
    pub items: Vec<Assignment>,
    pub next: Option<String>,
}

/// Who holds which role where, in id order. Needs `roles.view` and `members.view` (individual)
/// for the whole organization.
#[utoipa::path(get, path = "/api/v1/assignments", tag = "reporting", params(PageQuery),
    responses((status = 200, body = AssignmentList), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("api_key" = [])))]
pub async fn assignments(k: KeyCaller, q: web::Query<PageQuery>) -> Result<HttpResponse, Problem> {
    k.require("roles.view", &Target::Organization)?;
    k.require_individual("members.view")?;
    let n = limit(k.locale, q.limit)?;
    let after = cursor(k.locale, q.cursor.as_deref())?.unwrap_or(0);
    let org = k.auth.org;
    let rows = k.read(move |c| gatehouse_db::views::api::assignments(c, org, after, n)).await?;
    let next = next_cursor(rows.last().map(|r| r.id), rows.len() as i64 == n);
    k.audit_read("assignments", rows.len()).await?;
    let items = rows
        .into_iter()
        .map(|r| Assignment { id: r.id, member: r.member, role: r.role, role_key: r.role_key, unit: r.unit, ends_at: r.ends_at.map(|t| t.to_rfc3339()) })
        .collect();
    Ok(json(&AssignmentList { items, next }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct NewAssignment {
    pub member: i64,
    pub role: i64,
    /// Anchor the assignment at this unit (its subtree); absent for the whole organization.
    pub unit: Option<i64>,
    /// RFC 3339; the assignment stops granting then.
    pub ends_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Assigns a role, as the portal's member page does: the key carries `roles.assign`, its
/// technical user holds it there, and the no-escalation rule holds (it gives nothing it does not
/// hold itself). Audited as the key.
#[utoipa::path(post, path = "/api/v1/assignments", tag = "provisioning", request_body = NewAssignment,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("api_key" = [])))]
pub async fn assign(k: KeyCaller, body: web::Json<NewAssignment>) -> Result<HttpResponse, Problem> {
    let b = body.into_inner();
    k.carries("roles.assign")?;
    let ends_at = match b.ends_at.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .map_err(|_| Problem::bad_request(k.locale, gatehouse_app::i18n::invalid_input(k.locale, &gatehouse_domain::DomainError::InvalidValue { field: "ends_at", value: s.to_string() })))?
                .with_timezone(&chrono::Utc),
        ),
    };
    let (org, by, actor, now) = (k.auth.org, k.auth.membership, k.actor(), k.now);
    let (member, role, unit) = (MembershipId(b.member), RoleId(b.role), b.unit.map(UnitId));
    let id = k.change(move |c, p| gatehouse_db::roles::assign(c, org, p, by, member, role, unit, ends_at, actor, now)).await?;
    Ok(HttpResponse::Created().insert_header((actix_web::http::header::CACHE_CONTROL, "no-store")).json(Created { id }))
}

/// Ends a role assignment (`roles.assign` carried and held there). Audited as the key.
#[utoipa::path(delete, path = "/api/v1/assignments/{id}", tag = "provisioning", params(("id" = i64, Path, description = "The assignment's id")),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("api_key" = [])))]
pub async fn unassign(k: KeyCaller, path: web::Path<i64>) -> Result<HttpResponse, Problem> {
    let id = path.into_inner();
    k.carries("roles.assign")?;
    let (org, by, actor, now) = (k.auth.org, k.auth.membership, k.actor(), k.now);
    let member = k.read(move |c| gatehouse_db::views::api::assignment_member(c, org, id)).await?;
    k.change(move |c, p| gatehouse_db::roles::unassign(c, org, p, by, member, id, actor, now)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Events per page, 1 to 500 (default 100).
    pub limit: Option<i64>,
    /// The previous page's `next`; absent for the newest events.
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    /// RFC 3339.
    pub occurred_at: String,
    /// user, staff_as_user, background, api_key, staff or system.
    pub actor_kind: String,
    /// The membership (or key, or background user) that acted.
    pub actor_id: Option<i64>,
    /// The staff member behind a support sign-in.
    pub actor_staff_id: Option<i64>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<i64>,
    pub unit: Option<i64>,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventList {
    /// Newest first.
    pub items: Vec<AuditEvent>,
    pub next: Option<String>,
}

/// The organization's audit log, newest first. Needs `audit.view` for the whole organization
/// with individual visibility.
#[utoipa::path(get, path = "/api/v1/audit-events", tag = "reporting", params(AuditQuery),
    responses((status = 200, body = AuditEventList), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("api_key" = [])))]
pub async fn audit_events(k: KeyCaller, q: web::Query<AuditQuery>) -> Result<HttpResponse, Problem> {
    k.require_individual("audit.view")?;
    let n = limit(k.locale, q.limit)?;
    let before = cursor(k.locale, q.cursor.as_deref())?.unwrap_or(i64::MAX);
    let org = k.auth.org;
    let rows = k.read(move |c| gatehouse_db::views::api::audit_events(c, org, before, n)).await?;
    let next = next_cursor(rows.last().map(|r| r.id), rows.len() as i64 == n);
    // Written after the page is read, so a page never shows its own read.
    k.audit_read("audit-events", rows.len()).await?;
    let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    let items = rows
        .into_iter()
        .map(|r| AuditEvent {
            id: r.id,
            occurred_at: r.occurred_at.to_rfc3339(),
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            actor_staff_id: r.actor_staff_id,
            action: r.action,
            target_kind: r.target_kind,
            target_id: r.target_id,
            unit: r.unit,
            before: parse(r.before),
            after: parse(r.after),
            request_id: r.request_id,
        })
        .collect();
    Ok(json(&AuditEventList { items, next }))
}
