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
    if c.session.is_none() {
        return Ok(Viewer { locale: c.locale, csrf: c.csrf, user: None });
    }
    let now = c.state.clock.now();
    let req: actix_web::HttpRequest = leptos_actix::extract().await.map_err(|_| server::fail(AppError::Internal))?;
    // The session middleware puts the person in with the session: no query unless a policy
    // snapshot is behind.
    let p = req.extensions().get::<crate::state::RequestPerson>().cloned().ok_or_else(|| server::fail(AppError::Unauthenticated))?;
    let mut orgs = Vec::with_capacity(p.memberships.len());
    for a in p.memberships.iter() {
        // A staff member who is also a member there acts through the support session (first).
        if orgs.iter().any(|o: &ViewerOrg| o.slug == a.org.slug) {
            continue;
        }
        let policy = server::policy_at(&c.state, a.org.id, a.authz_version).await.map_err(|e| {
            tracing::error!(error = %e, "loading a policy failed");
            server::fail(AppError::Internal)
        })?;
        orgs.push(ViewerOrg { slug: a.org.slug.clone(), name: a.org.name.clone(), menu: server::menu(&policy, a.membership, now) });
    }
    let support = p.support.map(|l| super::SupportBanner { org_slug: l.org_slug, org_name: l.org_name, reason: l.reason, until: l.expires_at });
    Ok(Viewer { locale: c.locale, csrf: c.csrf, user: Some(ViewerUser { name: p.name, email: p.email, orgs, support }) })
}
