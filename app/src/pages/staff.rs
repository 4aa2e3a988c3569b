//! The platform staff console: the organizations of the platform.
use crate::api::staff::get_staff_console;
use crate::components::{viewer, ErrorView, Header, Loading};
use crate::i18n::{datetime, t, tf, Msg};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn StaffConsolePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_staff_console());
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let v = match viewer().await {
                Ok(v) => v,
                Err(e) => return view! { <ErrorView locale=Default::default() error=e /> }.into_any(),
            };
            let locale = v.locale;
            let name = v.user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
            let console = match data.await {
                Ok(c) => c,
                Err(e) => return view! { <main id="main"><ErrorView locale error=e /></main> }.into_any(),
            };
            view! {
                <Title text=format!("{} · Gatehouse", t(locale, Msg::StaffConsole)) />
                <Header locale csrf=v.csrf.clone() user_name=name />
                <main id="main">
                    <h1>{t(locale, Msg::StaffConsole)}</h1>
                    <p class="muted">{tf(locale, Msg::StaffConsoleIntro, &[("role", &console.role)])}</p>
                    <h2>{t(locale, Msg::StaffOrganizations)}</h2>
                    <table class="staff-orgs">
                        <thead><tr>
                            <th scope="col">{t(locale, Msg::StaffOrgName)}</th>
                            <th scope="col">{t(locale, Msg::StaffOrgSlug)}</th>
                            <th scope="col" class="num">{t(locale, Msg::StaffOrgMembers)}</th>
                            <th scope="col">{t(locale, Msg::StaffOrgCreated)}</th>
                        </tr></thead>
                        <tbody>
                            {console.orgs.into_iter().map(|o| view! {
                                <tr>
                                    <td>{o.name}</td>
                                    <td><code>{o.slug}</code></td>
                                    <td class="num">{o.active_members}</td>
                                    <td>{datetime(locale, o.created_at)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </main>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
