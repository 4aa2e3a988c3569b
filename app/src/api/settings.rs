//! The organization's sign-in security, for whoever may change its settings.
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityView {
    pub require_two_factor: bool,
    /// Active members (people) who sign in without a second factor, of all active members.
    pub members_without_two_factor: i64,
    pub members: i64,
    /// Gatehouse support may sign in as an administrator.
    pub support_access: bool,
    /// Support sessions in force now.
    pub support_sessions: Vec<SupportSessionView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportSessionView {
    pub id: i64,
    pub staff: String,
    pub reason: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub until: chrono::DateTime<chrono::Utc>,
}

#[server(input = GetUrl, endpoint = "security")]
pub async fn get_security(org: String) -> Result<SecurityView, AppError> {
    use gatehouse_domain::authz::Target;
    let ctx = crate::api::server::in_org(org).await?;
    ctx.require("settings.edit", &Target::Organization).await?;
    let (org_id, now) = (ctx.org.id, ctx.now);
    let (s, support_access, live) = crate::api::server::db(&ctx.c.state, move |conn| {
        Ok((gatehouse_db::orgs::security(conn, org_id)?, gatehouse_db::support::access_allowed(conn, org_id)?, gatehouse_db::support::live_in(conn, org_id, now)?))
    })
    .await?;
    Ok(SecurityView {
        require_two_factor: s.require_two_factor,
        members_without_two_factor: s.members_without_two_factor,
        members: s.members,
        support_access,
        support_sessions: live.into_iter().map(|l| SupportSessionView { id: l.id, staff: l.staff_name, reason: l.reason, started_at: l.started_at, until: l.expires_at }).collect(),
    })
}
