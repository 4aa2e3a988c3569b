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
}

#[server(input = GetUrl, endpoint = "security")]
pub async fn get_security(org: String) -> Result<SecurityView, AppError> {
    use gatehouse_domain::authz::Target;
    let ctx = crate::api::server::in_org(org).await?;
    ctx.require("settings.edit", &Target::Organization).await?;
    let org_id = ctx.org.id;
    let s = crate::api::server::db(&ctx.c.state, move |conn| gatehouse_db::orgs::security(conn, org_id)).await?;
    Ok(SecurityView { require_two_factor: s.require_two_factor, members_without_two_factor: s.members_without_two_factor, members: s.members })
}
