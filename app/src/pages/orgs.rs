use crate::components::{viewer, ErrorView, Header, Loading};
use crate::error::AppError;
use crate::i18n::{t, Msg};
use leptos::prelude::*;
use leptos_meta::Title;

/// The organization switcher for people in several organizations.
#[component]
pub fn OrgsPage() -> impl IntoView {
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let v = match viewer().await {
                Ok(v) => v,
                Err(e) => return view! { <ErrorView locale=Default::default() error=e /> }.into_any(),
            };
            let locale = v.locale;
            let Some(user) = v.user.clone() else {
                return view! { <main id="main"><ErrorView locale error=AppError::Unauthenticated /></main> }.into_any();
            };
            view! {
                <Title text=format!("{} · Gatehouse", t(locale, Msg::YourOrganizations)) />
                <Header locale csrf=v.csrf.clone() user_name=user.name.clone() />
                <main id="main" class="narrow">
                    <h1>{t(locale, Msg::YourOrganizations)}</h1>
                    {if user.orgs.is_empty() {
                        view! { <p>{t(locale, Msg::NoOrganizations)}</p> }.into_any()
                    } else {
                        view! {
                            <p class="muted">{t(locale, Msg::ChooseOrganization)}</p>
                            <ul class="org-list">
                                {user.orgs.iter().map(|o| {
                                    let href = o.landing();
                                    view! {
                                        <li class="card">
                                            <a href=href>{o.name.clone()}</a>
                                            {o.menu.dashboard.then(|| view! { <span class="badge">{t(locale, Msg::Administrator)}</span> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </main>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
