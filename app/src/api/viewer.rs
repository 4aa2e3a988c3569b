//! Who is looking: their language, CSRF token, organizations and each one's menu.
#[cfg(feature = "ssr")]
use super::{server, ViewerOrg, ViewerUser};
use super::Viewer;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[server(input = GetUrl, endpoint = "viewer")]
pub async fn get_viewer() -> Result<Viewer, AppError> {
    let c = server::caller().await?;
    let Some(session) = c.session.clone() else {
        return Ok(Viewer { locale: c.locale, csrf: c.csrf, user: None });
    };
    let user = session.user;
    let cache = c.state.policies.clone();
    let now = c.state.clock.now();
    let (u, orgs) = server::db(&c.state, move |conn| {
        let u = gatehouse_db::users::get(conn, user)?;
        let mut orgs = Vec::new();
        for o in gatehouse_db::orgs::for_user(conn, user)? {
            let policy = cache.get(conn, o.id)?;
            orgs.push(ViewerOrg { slug: o.slug, name: o.name, menu: server::menu(&policy, o.membership, now) });
        }
        Ok((u, orgs))
    })
    .await?;
    Ok(Viewer { locale: c.locale, csrf: c.csrf, user: Some(ViewerUser { name: u.display_name, email: u.email, orgs }) })
}
