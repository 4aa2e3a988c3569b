//! The organization's settings: sign-in security (require two-factor authentication).
use crate::api::settings::get_security;
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{t, tf, Msg};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(move || org.get(), get_security);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let s = match data.await {
                Ok(s) => s,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let action = format!("/o/{}/settings/security", org.get_untracked());
            view! {
                <Title text=t(locale, Msg::Settings) />
                <h1>{t(locale, Msg::Settings)}</h1>
                <FormOutcome locale />
                <section class="card" aria-labelledby="security">
                    <h2 id="security">{t(locale, Msg::SettingsSecurity)}</h2>
                    <p class="muted">{t(locale, Msg::SettingsRequireTwoFactorHelp)}</p>
                    <p>{tf(locale, Msg::SettingsWithoutTwoFactor, &[("without", &s.members_without_two_factor.to_string()), ("members", &s.members.to_string())])}</p>
                    <form method="post" action=action class="stack">
                        <CsrfField />
                        <div class="check">
                            <input type="checkbox" id="require-two-factor" name="require_two_factor" value="on" checked=s.require_two_factor />
                            <label for="require-two-factor">{t(locale, Msg::SettingsRequireTwoFactor)}</label>
                        </div>
                        <button type="submit">{t(locale, Msg::Save)}</button>
                    </form>
                </section>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
