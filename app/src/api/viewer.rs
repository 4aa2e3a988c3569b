//! Who is looking: their language, CSRF token, organizations and each one's menu.
#[cfg(feature = "ssr")]
use super::{server, ViewerOrg, ViewerUser};
use super::Viewer;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

#[cfg(feature = "ssr")]
use actix_web::HttpMessage;

#[server(input = GetUrl, endpoint = "viewer")]
pub async fn get_viewer() -> Result<Viewer, AppError> {
    let c = server::caller().await?;
    let Some(session) = c.session.clone() else {
        return Ok(Viewer { locale: c.locale, csrf: c.csrf, user: None });
    };
    let user = session.user;
    let now = c.state.clock.now();
    let req: actix_web::HttpRequest = leptos_actix::extract().await.map_err(|_| server::fail(AppError::Internal))?;
    let person = req.extensions().get::<crate::state::RequestPerson>().cloned();
    if let Some(p) = person {
        // Loaded with the session: no query unless a policy snapshot is behind.
        let mut orgs = Vec::with_capacity(p.memberships.len());
        for a in p.memberships.iter() {
            let policy = server::policy_at(&c.state, a.org.id, a.authz_version).await?;
            orgs.push(ViewerOrg { slug: a.org.slug.clone(), name: a.org.name.clone(), menu: server::menu(&policy, a.membership, now) });
        }
        return Ok(Viewer { locale: c.locale, csrf: c.csrf, user: Some(ViewerUser { name: p.name, email: p.email, orgs }) });
    }
    let cache = c.state.policies.clone();
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
