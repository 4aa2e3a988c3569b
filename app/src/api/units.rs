//! The unit tree.
#[cfg(feature = "ssr")]
use super::server;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use gatehouse_domain::views::UnitLine;

#[server(input = GetUrl, endpoint = "units")]
pub async fn get_units(org: String) -> Result<Vec<UnitLine>, AppError> {
    use gatehouse_domain::authz::Target;
    let ctx = server::in_org(org).await?;
    ctx.require("units.view", &Target::Organization).await?;
    let org = ctx.org.id;
    server::db(&ctx.c.state, move |conn| gatehouse_db::views::units::tree_lines(conn, org)).await
}
