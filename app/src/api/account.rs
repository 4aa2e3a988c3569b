//! The signed-in person's own account and the pages behind account mail links (reset,
//! sign-in link, email change): nothing of any organization.
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// Whether a reset link still works (to show the form or say it expired). Says nothing else.
#[server(input = GetUrl, endpoint = "reset-link")]
pub async fn get_reset_link(token: String) -> Result<bool, AppError> {
    let c = crate::api::server::caller().await?;
    let now = c.state.clock.now();
    crate::api::server::db(&c.state, move |conn| gatehouse_db::account::reset_link_valid(conn, &token, now)).await
}

/// Whether a sign-in link still works (to offer its button or say it does not). Says nothing else.
#[server(input = GetUrl, endpoint = "sign-in-link")]
pub async fn get_sign_in_link(token: String) -> Result<bool, AppError> {
    let c = crate::api::server::caller().await?;
    let now = c.state.clock.now();
    crate::api::server::db(&c.state, move |conn| gatehouse_db::account::sign_in_link_valid(conn, &token, now)).await
}

/// The signed-in person's account page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub name: String,
    pub email: String,
    /// A change waiting for confirmation: the new address and until when its link works.
    pub pending: Option<(String, DateTime<Utc>)>,
}

/// The signed-in person's own identity (nothing of any organization).
#[server(input = GetUrl, endpoint = "account")]
pub async fn get_account() -> Result<AccountView, AppError> {
    let c = crate::api::server::caller().await?;
    let user = c.session.as_ref().map(|s| s.user).ok_or(AppError::Unauthenticated)?;
    let now = c.state.clock.now();
    crate::api::server::db(&c.state, move |conn| {
        let u = gatehouse_db::users::get(conn, user)?;
        let pending = gatehouse_db::account::pending_email_change(conn, user, now)?;
        Ok(AccountView { name: u.display_name, email: u.email, pending })
    })
    .await
}

/// The change an email link stands for while it works: (current address, the other address,
/// whether the link undoes a confirmed change — the other address is then the one to go back to).
#[server(input = GetUrl, endpoint = "email-change-link")]
pub async fn get_email_change_link(token: String, confirm: bool) -> Result<Option<(String, String, bool)>, AppError> {
    let c = crate::api::server::caller().await?;
    let now = c.state.clock.now();
    crate::api::server::db(&c.state, move |conn| gatehouse_db::account::email_change_link(conn, confirm, &token, now)).await
}
