//! Technical users and their API keys, for whoever may make or revoke keys.
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyView {
    pub id: i64,
    pub name: String,
    /// `ghk_<public>_…`: enough to recognise the key, never enough to use it.
    pub shown: String,
    /// The permissions carried, in the reader's words.
    pub scopes: Vec<String>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub expired: bool,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TechnicalUserView {
    pub id: i64,
    pub membership: i64,
    pub name: String,
    pub description: String,
    /// Its live roles' names.
    pub roles: Vec<String>,
    pub keys: Vec<KeyView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeysPage {
    pub users: Vec<TechnicalUserView>,
    /// The permissions the viewer may put on a key (those they hold for the whole organization),
    /// as (key, words).
    pub scopes: Vec<(String, String)>,
    pub can_generate: bool,
    pub can_revoke: bool,
    /// Where identity providers provision over SCIM 2.0, and how many Users and Groups they
    /// keep here.
    pub scim_url: String,
    pub scim_users: i64,
    pub scim_groups: i64,
}

#[server(input = GetUrl, endpoint = "api-keys")]
pub async fn get_api_keys(org: String) -> Result<ApiKeysPage, AppError> {
    use gatehouse_domain::authz::Target;
    let ctx = crate::api::server::in_org(org).await?;
    let (me, now, policy) = (ctx.m.id, ctx.now, ctx.policy.clone());
    let can_generate = policy.check(me, "api_keys.generate", &Target::Organization, now).allowed;
    let can_revoke = policy.check(me, "api_keys.revoke", &Target::Organization, now).allowed;
    if !can_generate && !can_revoke {
        ctx.require("api_keys.generate", &Target::Organization).await?;
    }
    let org_id = ctx.org.id;
    let (rows, (scim_users, scim_groups)) =
        crate::api::server::db(&ctx.c.state, move |conn| Ok((gatehouse_db::api_keys::list(conn, org_id)?, gatehouse_db::scim::counts(conn, org_id)?))).await?;
    let scim_url = format!("{}/scim/v2", ctx.c.state.public_url.trim_end_matches('/')); // not user text: a URL
    let locale = ctx.c.locale;
    let label = |p: &str| crate::explain::permission_label(locale, &policy, p);
    let users = rows
        .into_iter()
        .map(|u| TechnicalUserView {
            id: u.id,
            membership: u.membership.0,
            roles: policy.live_roles(u.membership, now).1,
            name: u.name,
            description: u.description,
            keys: u
                .keys
                .into_iter()
                .map(|k| KeyView {
                    id: k.id.0,
                    shown: format!("{}{}_…", gatehouse_domain::api_keys::TOKEN_PREFIX, k.public_id), // not user text: the key's visible part
                    scopes: k.scopes.iter().map(|s| label(s)).collect(),
                    expired: k.expires_at <= now,
                    name: k.name,
                    expires_at: k.expires_at,
                    revoked_at: k.revoked_at,
                    last_used_at: k.last_used_at,
                    created_at: k.created_at,
                })
                .collect(),
        })
        .collect();
    let scopes = gatehouse_domain::authz::catalog::ADMIN_PERMISSIONS
        .iter()
        .filter(|p| gatehouse_domain::api_keys::scopable(p.key) && policy.check(me, p.key, &Target::Organization, now).allowed)
        .map(|p| (p.key.to_string(), label(p.key)))
        .collect();
    Ok(ApiKeysPage { users, scopes, can_generate, can_revoke, scim_url, scim_users, scim_groups })
}
