pub mod access;
pub mod acknowledgments;
pub mod account;
pub mod api_keys;
pub mod audit;
pub mod compliance;
pub mod content;
pub mod dashboard;
pub mod digests;
pub mod mail;
pub mod member;
pub mod members;
pub mod orgs;
pub mod people;
pub mod requests;
pub mod reviews;
pub mod roles;
pub mod settings;
pub mod staff;
pub mod sign_in;
pub mod sso;
pub mod units;

use crate::components::{set_status, viewer, ErrorView, Loading};
use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    set_status(404);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                crate::components::rendering_pass().await;
                let locale = viewer().await.map(|v| v.locale).unwrap_or_default();
                view! { <main id="main"><ErrorView locale error=AppError::NotFound /></main> }
            })}
        </Suspense>
    }
}
