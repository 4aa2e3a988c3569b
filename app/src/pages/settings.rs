//! The organization's settings: sign-in security (require two-factor authentication).
use crate::api::settings::get_security;
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{datetime, t, tf, Msg};
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
            let support_action = format!("/o/{}/settings/support", org.get_untracked());
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
                <section class="card" aria-labelledby="digests-heading">
                    <h2 id="digests-heading">{t(locale, Msg::Digests)}</h2>
                    <p class="muted">{t(locale, Msg::DigestDefaultHelp)}</p>
                    <p><a href=format!("/o/{}/digests", org.get_untracked())>{t(locale, Msg::DigestManageLink)}</a></p>
                </section>
                <section class="card" aria-labelledby="support-heading" id="support">
                    <h2 id="support-heading">{t(locale, Msg::SupportAccessTitle)}</h2>
                    <p class="muted">{t(locale, Msg::SupportAccessHelp)}</p>
                    <form method="post" action=support_action.clone() class="stack">
                        <CsrfField />
                        <div class="check">
                            <input type="checkbox" id="support-access" name="support_access" value="on" checked=s.support_access />
                            <label for="support-access">{t(locale, Msg::SupportAccessAllow)}</label>
                        </div>
                        <button type="submit">{t(locale, Msg::Save)}</button>
                    </form>
                    <h3>{t(locale, Msg::SupportSessionsNow)}</h3>
                    {if s.support_sessions.is_empty() {
                        view! { <p class="muted">{t(locale, Msg::SupportSessionsNone)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="support-sessions">
                                {s.support_sessions.into_iter().map(|x| view! {
                                    <li>
                                        {tf(locale, Msg::SupportSessionLine, &[("staff", &x.staff), ("reason", &x.reason), ("since", &datetime(locale, x.started_at)), ("until", &datetime(locale, x.until))])}
                                        " "
                                        <form method="post" action=format!("{support_action}/{}/end", x.id) class="inline">
                                            <CsrfField />
                                            <button type="submit" class="danger small">{t(locale, Msg::SupportEndNow)}</button>
                                        </form>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
