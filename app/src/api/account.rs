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
    pub two_factor: TwoFactorView,
}

/// The person's second factor, for the account page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorView {
    pub enabled_at: Option<DateTime<Utc>>,
    pub recovery_codes_left: i64,
    /// Being set up: the QR code (SVG markup drawn on the server) and the key to type instead.
    pub setup: Option<(String, String)>,
    /// Organizations that require it (then it cannot be turned off).
    pub required_by: Vec<String>,
    /// Platform staff always sign in with a second factor.
    #[serde(default)]
    pub staff: bool,
}

/// The enrolment's QR code as inline SVG (no image request, nothing fetched).
#[cfg(feature = "ssr")]
fn qr_svg(uri: &str) -> String {
    use qrcode::render::svg;
    match qrcode::QrCode::new(uri.as_bytes()) {
        Ok(code) => {
            let s = code.render::<svg::Color>().min_dimensions(200, 200).dark_color(svg::Color("#000000")).light_color(svg::Color("#ffffff")).build();
            // Inline in the page: without the XML declaration.
            s.find("<svg").map(|i| s[i..].to_string()).unwrap_or_default()
        }
        Err(_) => String::new(),
    }
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
        let status = gatehouse_db::two_factor::status(conn, user)?;
        let setup = match (&status.enabled_at, &status.pending) {
            (None, Some(secret)) => {
                use gatehouse_domain::two_factor as tf;
                Some((qr_svg(&tf::otpauth_uri(&u.email, secret)), tf::grouped(&tf::base32(secret))))
            }
            _ => None,
        };
        let two_factor = TwoFactorView { enabled_at: status.enabled_at, recovery_codes_left: status.recovery_codes_left, setup, required_by: gatehouse_db::two_factor::required_by(conn, user)?, staff: gatehouse_db::staff::of_email(conn, &u.email)?.is_some() };
        Ok(AccountView { name: u.display_name, email: u.email, pending, two_factor })
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
