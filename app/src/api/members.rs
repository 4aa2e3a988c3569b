//! The members list, its filters, a member and one's own page.
#[cfg(feature = "ssr")]
use super::server;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use gatehouse_domain::views::{MemberDetail, MemberFilters, MemberPage};
use serde::{Deserialize, Serialize};

/// The members list's URL parameters, passed through unchanged and parsed by the domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberParams {
    pub q: Option<String>,
    pub unit: Option<String>,
    pub tag: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
    pub page: Option<String>,
    pub per_page: Option<String>,
}

impl MemberParams {
    pub fn get(&self, key: &str) -> Option<&str> {
        match key {
            "q" => self.q.as_deref(),
            "unit" => self.unit.as_deref(),
            "tag" => self.tag.as_deref(),
            "kind" => self.kind.as_deref(),
            "status" => self.status.as_deref(),
            "sort" => self.sort.as_deref(),
            "dir" => self.dir.as_deref(),
            "page" => self.page.as_deref(),
            "per_page" => self.per_page.as_deref(),
            _ => None,
        }
    }

    pub fn query(&self) -> gatehouse_domain::members_query::MemberQuery {
        gatehouse_domain::members_query::MemberQuery::from_params(|k| self.get(k))
    }
}

/// The members list. Parameters are flat URL parameters (`?org=…&q=…&page=…`).
#[allow(clippy::too_many_arguments)]
#[server(input = GetUrl, endpoint = "members")]
pub async fn get_members(
    org: String,
    q: Option<String>,
    unit: Option<String>,
    tag: Option<String>,
    kind: Option<String>,
    status: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
) -> Result<MemberPage, AppError> {
    use gatehouse_domain::authz::policy::Reach;
    let ctx = server::in_org(org).await?;
    // Named people: individual visibility, within the caller's reach.
    let within = match ctx.reach("members.view", true).await? {
        Reach::Units(us) => Some(us),
        _ => None,
    };
    let q = MemberParams { q, unit, tag, kind, status, sort, dir, page, per_page }.query();
    let org = ctx.org.id;
    let counts = ctx.c.state.counts.clone();
    let mut page = server::db(&ctx.c.state, move |conn| gatehouse_db::views::members::list_counted(conn, org, &q, within.as_deref(), Some(&counts))).await?;
    // The roles column comes from the cached policy: no query per row.
    for r in &mut page.rows {
        r.roles = server::role_names(&ctx.policy, r.id, ctx.c.locale, ctx.now);
    }
    Ok(page)
}

#[server(input = GetUrl, endpoint = "member-filters")]
pub async fn get_member_filters(org: String) -> Result<MemberFilters, AppError> {
    let ctx = server::in_org(org).await?;
    ctx.reach("members.view", true).await?;
    let (org, policy) = (ctx.org.id, ctx.policy.clone());
    server::db(&ctx.c.state, move |conn| gatehouse_db::views::members::filters(conn, org, &policy.tree)).await
}

/// A member's page: whoever may see that member's details (members.view reaching one of their
/// units, individually); everyone sees themselves.
#[server(input = GetUrl, endpoint = "member")]
pub async fn get_member(org: String, id: i64) -> Result<MemberDetail, AppError> {
    let ctx = server::in_org(org).await?;
    server::member_detail(&ctx, gatehouse_domain::ids::MembershipId(id)).await
}

#[server(input = GetUrl, endpoint = "me")]
pub async fn get_me(org: String) -> Result<MemberDetail, AppError> {
    let ctx = server::in_org(org).await?;
    let (org, me, now) = (ctx.org.id, ctx.m.id, ctx.now);
    server::db(&ctx.c.state, move |conn| gatehouse_db::views::members::detail(conn, org, me, now)).await
}
