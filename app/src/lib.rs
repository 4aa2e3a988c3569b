//! Gatehouse's screens. Server-rendered (SSR) and hydrated in the browser; every form also
//! works before the WASM has loaded.
#![recursion_limit = "256"]

pub mod api;
pub mod charts;
pub mod components;
pub mod error;
#[cfg(feature = "ssr")]
pub mod explain;
pub mod i18n;
pub mod pages;
// The feature modules of the server functions, also by their short paths.
pub use api::{access, compliance, people, requests};
#[cfg(feature = "ssr")]
pub mod state;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The HTML document around the app (server only).
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let lang = ssr::security_headers_and_lang();
    #[cfg(not(feature = "ssr"))]
    let lang = "en";
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href="/pkg/gatehouse.css" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::state::RequestLocale;
    use actix_web::http::header::{HeaderName, HeaderValue};
    use actix_web::HttpMessage;
    use leptos::prelude::*;

    /// Sets the page's Content-Security-Policy (scripts only from this origin or carrying this
    /// response's nonce) and returns the document language.
    pub fn security_headers_and_lang() -> &'static str {
        if let Some(opts) = use_context::<leptos_actix::ResponseOptions>() {
            let nonce = leptos::nonce::use_nonce().map(|n| n.to_string()).unwrap_or_default();
            let csp = format!(
                "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
                 img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
                 form-action 'self'; frame-ancestors 'none'"
            );
            if let Ok(v) = HeaderValue::from_str(&csp) {
                opts.insert_header(HeaderName::from_static("content-security-policy"), v);
            }
        }
        let req = use_context::<leptos_actix::Request>();
        let locale = req.and_then(|r| r.extensions().get::<RequestLocale>().map(|l| l.0)).unwrap_or_default();
        locale.code()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let viewer = Resource::new(|| (), |_| api::get_viewer());
    provide_context(viewer);
    // Marks the document once the WASM has taken over (used by the end-to-end tests).
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Title text="Gatehouse" />
        <Router>
            <Routes fallback=pages::NotFoundPage>
                <Route path=path!("/sign-in") view=pages::sign_in::SignInPage ssr=SsrMode::Async />
                <Route path=path!("/sign-in/two-factor") view=pages::sign_in::SecondFactorPage ssr=SsrMode::Async />
                <Route path=path!("/sign-in/sso") view=pages::sign_in::SsoSignInPage ssr=SsrMode::Async />
                <Route path=path!("/staff") view=pages::staff::StaffConsolePage ssr=SsrMode::Async />
                <Route path=path!("/orgs") view=pages::orgs::OrgsPage ssr=SsrMode::Async />
                <Route path=path!("/sign-in-link") view=pages::sign_in::SignInLinkPage ssr=SsrMode::Async />
                <Route path=path!("/forgot-password") view=pages::account::ForgotPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/reset-password") view=pages::account::ResetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/invitation") view=pages::people::InvitationPage ssr=SsrMode::Async />
                <Route path=path!("/account") view=pages::account::AccountPage ssr=SsrMode::Async />
                <Route path=path!("/confirm-email") view=|| view! { <pages::account::EmailLinkPage confirm=true /> } ssr=SsrMode::Async />
                <Route path=path!("/cancel-email-change") view=|| view! { <pages::account::EmailLinkPage confirm=false /> } ssr=SsrMode::Async />
                <ParentRoute path=path!("/o/:org") view=components::OrgLayout ssr=SsrMode::Async>
                    <Route path=path!("dashboard") view=pages::dashboard::DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("members") view=pages::members::MembersPage ssr=SsrMode::Async />
                    <Route path=path!("members/:id") view=pages::member::MemberPage ssr=SsrMode::Async />
                    <Route path=path!("units") view=pages::units::UnitsPage ssr=SsrMode::Async />
                    <Route path=path!("me") view=pages::member::MePage ssr=SsrMode::Async />
                    <Route path=path!("roles") view=pages::roles::RolesPage ssr=SsrMode::Async />
                    <Route path=path!("roles/matrix") view=pages::roles::RoleMatrixPage ssr=SsrMode::Async />
                    <Route path=path!("roles/:id") view=pages::roles::RolePage ssr=SsrMode::Async />
                    <Route path=path!("who-can") view=pages::access::WhoCanPage ssr=SsrMode::Async />
                    <Route path=path!("org-roles") view=pages::access::OrgRolesPage ssr=SsrMode::Async />
                    <Route path=path!("content") view=pages::content::ContentPage ssr=SsrMode::Async />
                    <Route path=path!("mail") view=pages::mail::MailPage ssr=SsrMode::Async />
                    <Route path=path!("api-keys") view=pages::api_keys::ApiKeysPage ssr=SsrMode::Async />
                    <Route path=path!("audit") view=pages::audit::AuditPage ssr=SsrMode::Async />
                    <Route path=path!("reviews") view=pages::reviews::ReviewsPage ssr=SsrMode::Async />
                    <Route path=path!("reviews/:id") view=pages::reviews::ReviewPage ssr=SsrMode::Async />
                    <Route path=path!("settings") view=pages::settings::SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("digests") view=pages::digests::DigestsPage ssr=SsrMode::Async />
                    <Route path=path!("policies") view=pages::acknowledgments::PoliciesPage ssr=SsrMode::Async />
                    <Route path=path!("sso") view=pages::sso::SsoPage ssr=SsrMode::Async />
                    <Route path=path!("invitations") view=pages::people::InvitationsPage ssr=SsrMode::Async />
                    <Route path=path!("imports/:id") view=pages::people::ImportPage ssr=SsrMode::Async />
                    <Route path=path!("requests") view=pages::requests::RequestsPage ssr=SsrMode::Async />
                    <Route path=path!("requests/:id") view=pages::requests::RequestPage ssr=SsrMode::Async />
                    <Route path=path!("content/:module") view=pages::content::ContentPage ssr=SsrMode::Async />
                    <Route path=path!("compliance") view=pages::compliance::CompliancePage ssr=SsrMode::Async />
                    <Route path=path!("compliance/:id") view=|| view! { <pages::compliance::CasePage mode=pages::compliance::CaseMode::Linked /> } ssr=SsrMode::Async />
                    <Route path=path!("compliance/:id/anonymize") view=|| view! { <pages::compliance::CasePage mode=pages::compliance::CaseMode::Anonymize /> } ssr=SsrMode::Async />
                    <Route path=path!("compliance/:id/remind") view=|| view! { <pages::compliance::CasePage mode=pages::compliance::CaseMode::Remind /> } ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
}
