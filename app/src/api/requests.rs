//! Server functions for access requests: the requests screen (ask for access, requests to
//! decide, one's own requests) and one request's page. Every list is filtered by the engine:
//! a member sees their own requests and those they may decide at their scope.
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestItem {
    pub id: i64,
    pub requester: String,
    /// What was asked for, in the viewer's words.
    pub what: String,
    pub justification: String,
    pub ends_at: Option<DateTime<Utc>>,
    /// pending, approved, denied, expired, withdrawn or revoked
    pub status: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub comment: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When a pending request expires undecided.
    pub expires_at: DateTime<Utc>,
    /// Revoked: by whom (None: removed by the background user or the operator), when, why.
    #[serde(default)]
    pub revoked_by: Option<String>,
    #[serde(default)]
    pub revoked_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub revoke_comment: Option<String>,
    /// request, member_page, role_retired or membership_ended
    #[serde(default)]
    pub revoked_from: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestsView {
    /// Roles that may be asked for: id, name.
    pub roles: Vec<(i64, String)>,
    /// Single permissions that may be asked for: key, label.
    #[serde(default)]
    pub permissions: Vec<(String, String)>,
    /// Units: id, path.
    pub units: Vec<(i64, String)>,
    pub to_decide: Vec<RequestItem>,
    pub mine: Vec<RequestItem>,
    /// The organization's reminder and expiry days, for whoever may change them.
    pub settings: Option<(i32, i32)>,
    /// Every request the viewer may decide (any status), filtered by status and unit; None for
    /// someone who decides nothing.
    #[serde(default)]
    pub history: Option<Vec<RequestItem>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestView {
    pub item: RequestItem,
    pub may_decide: bool,
    pub may_withdraw: bool,
    /// Approved, its grant still working, and the viewer may take it back (decides such requests
    /// at this scope and could have granted it).
    #[serde(default)]
    pub may_revoke: bool,
}

#[cfg(feature = "ssr")]
fn item(r: &gatehouse_db::requests::RequestRow, locale: gatehouse_domain::locale::Locale, s: &gatehouse_domain::requests::Settings) -> RequestItem {
    RequestItem {
        id: r.id,
        requester: r.requester_name.clone(),
        what: r.what(locale),
        justification: r.justification.clone(),
        ends_at: r.ends_at,
        status: r.status.as_str().to_string(),
        decided_by: r.decided_by.clone(),
        decided_at: r.decided_at,
        comment: r.comment.clone(),
        created_at: r.created_at,
        expires_at: s.expires_at(r.created_at),
        revoked_by: r.revoked_by.clone(),
        revoked_at: r.revoked_at,
        revoke_comment: r.revoke_comment.clone(),
        revoked_from: r.revoked_from.clone(),
    }
}

/// The requests screen: for every member of the organization.
#[server(input = GetUrl, endpoint = "requests")]
pub async fn get_requests(org: String, status: Option<String>, unit: Option<i64>) -> Result<RequestsView, AppError> {
    use gatehouse_domain::requests::{Status, DECIDE};
    let ctx = crate::api::server::in_org(org).await?;
    let decides = ctx.policy.reach(ctx.m.id, DECIDE, ctx.now) != gatehouse_domain::authz::policy::Reach::Nothing;
    let status = match status.as_deref() {
        None | Some("") | Some("all") => None,
        Some(s) => Some(Status::parse(s).ok_or_else(|| AppError::BadRequest(s.to_string()))?),
    };
    let (org_id, now, me, policy, locale) = (ctx.org.id, ctx.now, ctx.m.id, ctx.policy.clone(), ctx.c.locale);
    crate::api::server::db(&ctx.c.state, move |conn| {
        let s = gatehouse_db::requests::settings(conn, org_id)?;
        let roles = gatehouse_db::requests::requestable_roles(conn, org_id)?.into_iter().map(|(id, name, _)| (id.0, name)).collect();
        let permissions = gatehouse_db::requests::requestable_permissions(conn, org_id)?
            .into_iter()
            .map(|p| {
                let label = crate::explain::permission_label(locale, &policy, &p);
                (p, label)
            })
            .collect();
        let dir = gatehouse_db::invitations::directory(conn, org_id, &[])?;
        let pending = gatehouse_db::requests::list(conn, org_id, Some(Status::Pending), None, 500)?;
        let to_decide = pending
            .iter()
            .filter(|r| gatehouse_domain::requests::may_decide(&policy, me, r.requester, &r.asked, now).is_ok())
            .map(|r| item(r, locale, &s))
            .collect();
        let mine = gatehouse_db::requests::list(conn, org_id, None, Some(me), 100)?.iter().map(|r| item(r, locale, &s)).collect();
        let may_edit = policy.check(me, "settings.edit", &gatehouse_domain::authz::Target::Organization, now).allowed;
        let history = if decides {
            let rows = gatehouse_db::requests::list(conn, org_id, status, None, 1000)?;
            Some(
                rows.iter()
                    .filter(|r| gatehouse_domain::requests::may_decide(&policy, me, r.requester, &r.asked, now).is_ok())
                    .filter(|r| unit.is_none_or(|u| r.asked.unit().is_some_and(|a| policy.tree.is_within(a, gatehouse_domain::ids::UnitId(u)))))
                    .take(200)
                    .map(|r| item(r, locale, &s))
                    .collect(),
            )
        } else {
            None
        };
        Ok(RequestsView {
            roles,
            permissions,
            units: dir.units.iter().map(|u| (u.0 .0, u.2.clone())).collect(),
            to_decide,
            mine,
            settings: may_edit.then_some((s.reminder_days, s.expiry_days)),
            history,
        })
    })
    .await
}

/// One request: for its requester and for whoever may decide it.
#[server(input = GetUrl, endpoint = "request")]
pub async fn get_request(org: String, id: i64, link: Option<String>) -> Result<RequestView, AppError> {
    use gatehouse_domain::requests::{Status, DECIDE};
    let ctx = crate::api::server::in_org(org).await?;
    ctx.email_link(link, gatehouse_domain::links::Subject::AccessRequest(id), format!("/o/{}/requests/{id}", ctx.org.slug)).await?;
    let (org_id, locale) = (ctx.org.id, ctx.c.locale);
    let (policy, me, now) = (ctx.policy.clone(), ctx.m.id, ctx.now);
    // One round trip: the request, the settings, and whether the viewer may revoke its grant.
    let (row, s, may_revoke) = crate::api::server::db(&ctx.c.state, move |conn| {
        let row = gatehouse_db::requests::get(conn, org_id, id)?;
        let s = gatehouse_db::requests::settings(conn, org_id)?;
        let may_revoke = row.requester != me && row.status == Status::Approved && gatehouse_db::requests::may_revoke(conn, org_id, &policy, me, &row, now)?;
        Ok((row, s, may_revoke))
    })
    .await?;
    let mine = row.requester == ctx.m.id;
    if !mine {
        ctx.require(DECIDE, &row.asked.target()).await?;
    }
    Ok(RequestView { item: item(&row, locale, &s), may_decide: !mine && row.status == Status::Pending, may_withdraw: mine && row.status == Status::Pending, may_revoke })
}
