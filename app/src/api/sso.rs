//! Single sign-on: the organization's providers for whoever may change its settings, and the
//! sign-in buttons anyone may see (a provider's name and organization, found by e-mail domain or
//! for an organization that requires single sign-on).
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MappingView {
    pub id: i64,
    pub group: String,
    pub role: String,
    /// The unit's name; `None`: the whole organization.
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderView {
    pub id: i64,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub allowed_domains: String,
    pub groups_claim: String,
    pub just_in_time: bool,
    pub enabled: bool,
    pub linked: i64,
    pub updated_at: DateTime<Utc>,
    /// Where the sign-in starts (for a link on the organization's intranet).
    pub start_path: String,
    pub mappings: Vec<MappingView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoPage {
    /// This server has a key to seal client secrets with.
    pub configurable: bool,
    pub require_sso: bool,
    /// The redirect URI to register at the provider.
    pub callback_url: String,
    pub providers: Vec<ProviderView>,
    /// Live roles and the units, for the mapping form: (id, name).
    pub roles: Vec<(i64, String)>,
    pub units: Vec<(i64, String)>,
}

#[server(input = GetUrl, endpoint = "sso")]
pub async fn get_sso(org: String) -> Result<SsoPage, AppError> {
    use gatehouse_domain::authz::Target;
    let ctx = crate::api::server::in_org(org).await?;
    ctx.require("settings.edit", &Target::Organization).await?;
    let org_id = ctx.org.id;
    let (providers, require_sso, roles) = crate::api::server::db(&ctx.c.state, move |conn| {
        Ok((gatehouse_db::sso::list(conn, org_id)?, gatehouse_db::sso::required(conn, org_id)?, gatehouse_db::roles::list(conn, org_id)?))
    })
    .await?;
    let units = ctx.policy.tree.walk().into_iter().map(|(depth, u)| (u.id.0, format!("{}{}", "· ".repeat(depth), u.name))).collect(); // not user text: indentation
    Ok(SsoPage {
        configurable: ctx.c.state.sealing_key.is_some(),
        require_sso,
        callback_url: format!("{}/sso/callback", ctx.c.state.public_url.trim_end_matches('/')), // not user text: a URL
        providers: providers
            .into_iter()
            .map(|p| ProviderView {
                start_path: format!("/sso/{}/start", p.public_id), // not user text: a path
                id: p.id,
                name: p.name,
                issuer: p.issuer,
                client_id: p.client_id,
                allowed_domains: p.allowed_domains.join(" "),
                groups_claim: p.groups_claim,
                just_in_time: p.just_in_time,
                enabled: p.enabled,
                linked: p.linked,
                updated_at: p.updated_at,
                mappings: p.mappings.into_iter().map(|m| MappingView { id: m.id, group: m.group, role: m.role_name, unit: m.unit_name }).collect(),
            })
            .collect(),
        roles: roles.into_iter().filter(|r| !r.retired).map(|r| (r.id.0, r.name)).collect(),
        units,
    })
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SsoButton {
    pub href: String,
    pub name: String,
    pub org_name: String,
}

/// Sign-in buttons: for an e-mail address's domain, or for an organization (by handle) that
/// requires single sign-on. Open to anyone (a provider's name is on its sign-in page anyway).
#[server(input = GetUrl, endpoint = "sso-buttons")]
pub async fn sso_buttons(email: Option<String>, org: Option<String>, next: Option<String>) -> Result<Vec<SsoButton>, AppError> {
    let state = crate::api::server::caller().await?.state;
    let buttons = crate::api::server::db(&state, move |conn| match (email, org) {
        (Some(e), _) => gatehouse_db::sso::buttons_for_email(conn, &e),
        (None, Some(slug)) => match gatehouse_db::orgs::by_slug(conn, &slug)? {
            Some(o) if gatehouse_db::sso::required(conn, o.id)? => gatehouse_db::sso::buttons_for_org(conn, o.id),
            _ => Ok(vec![]),
        },
        (None, None) => Ok(vec![]),
    })
    .await?;
    let next = next
        .filter(|n| gatehouse_domain::redirect::is_local_path(n))
        .map(|n| format!("?next={}", crate::components::url_encode(&n))) // not user text: a query
        .unwrap_or_default();
    Ok(buttons.into_iter().map(|b| SsoButton { href: format!("/sso/{}/start{next}", b.public_id), name: b.name, org_name: b.org_name }).collect()) // not user text: a path
}
