use crate::components::{viewer, LanguageSwitcher, Loading};
use crate::api::account::get_sign_in_link;
use crate::i18n::{t, tf, Msg};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The sign-in form posts to `/auth/sign-in` (a plain form: works before the WASM loads).
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let body = move || {
        let q = query.get();
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let v = viewer().await.ok();
            let locale = v.as_ref().map(|v| v.locale).unwrap_or_default();
            let csrf = v.as_ref().map(|v| v.csrf.clone()).unwrap_or_default();
            let next = q.get("next").filter(|n| gatehouse_domain::redirect::is_local_path(n)).unwrap_or_default();
            let throttled = q.get("error").as_deref() == Some("throttled");
            let message = match q.get("error").as_deref() {
                Some("invalid") => Some(("error", t(locale, Msg::InvalidCredentials).to_string())),
                Some("throttled") => {
                    let secs = q.get("retry").unwrap_or_else(|| "60".into());
                    Some(("error", tf(locale, Msg::Throttled, &[("seconds", &secs)])))
                }
                Some("expired") => Some(("info", t(locale, Msg::SessionExpired).to_string())),
                Some("link") => Some(("error", t(locale, Msg::SignInLinkInvalid).to_string())),
                Some("second_factor_expired") => Some(("info", t(locale, Msg::TwoFactorExpired).to_string())),
                _ if q.get("link_sent").is_some() => Some(("info", t(locale, Msg::SignInLinkSent).to_string())),
                _ if q.get("signed_out").is_some() => Some(("info", t(locale, Msg::SignedOut).to_string())),
                _ if q.get("reset").is_some() => Some(("info", t(locale, Msg::PasswordChanged).to_string())),
                _ => None,
            };
            view! {
                <Title text=format!("{} · Gatehouse", t(locale, Msg::SignIn)) />
                <main id="main" class="sign-in">
                    <section class="card sign-in-card">
                        <h1>{t(locale, Msg::SignInTitle)}</h1>
                        <p class="muted">{t(locale, Msg::SignInIntro)}</p>
                        {message.map(|(kind, text)| view! {
                            <p class=format!("flash {kind}") role=if kind == "error" { "alert" } else { "status" }>{text}</p>
                        })}
                        <form method="post" action="/auth/sign-in" class="stack">
                            <input type="hidden" name="csrf_token" value=csrf.clone() />
                            <input type="hidden" name="next" value=next />
                            <label for="email">{t(locale, Msg::Email)}</label>
                            <input id="email" name="email" type="email" autocomplete="username" required />
                            <label for="password">{t(locale, Msg::Password)}</label>
                            <input id="password" name="password" type="password" autocomplete="current-password" required />
                            <button type="submit">{t(locale, Msg::SignIn)}</button>
                            {throttled.then(|| view! {
                                // The owner of a throttled account is slowed down, never locked
                                // out: the same form asks for a sign-in link by mail instead.
                                <p class="muted">{t(locale, Msg::SignInLinkOffer)}</p>
                                <button type="submit" class="secondary" formaction="/auth/sign-in-link" formnovalidate=true>{t(locale, Msg::SendSignInLink)}</button>
                            })}
                        </form>
                        <p><a href="/forgot-password">{t(locale, Msg::ForgotPassword)}</a></p>
                    </section>
                    <LanguageSwitcher locale csrf />
                </main>
            }
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

/// The page behind a mailed sign-in link: one button that uses it (opening a link never acts by
/// itself, so a mail scanner that follows it uses nothing up).
#[component]
pub fn SignInLinkPage() -> impl IntoView {
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let valid = Resource::new(move || token.get(), get_sign_in_link);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let v = viewer().await.ok();
            let locale = v.as_ref().map(|v| v.locale).unwrap_or_default();
            let csrf = v.as_ref().map(|v| v.csrf.clone()).unwrap_or_default();
            let ok = valid.await.unwrap_or(false);
            view! {
                <Title text=format!("{} · Gatehouse", t(locale, Msg::SignInLinkTitle)) />
                <main id="main" class="sign-in">
                    <section class="card sign-in-card">
                        <h1>{t(locale, Msg::SignInLinkTitle)}</h1>
                        {if ok {
                            view! {
                                <p class="muted">{t(locale, Msg::SignInLinkIntro)}</p>
                                <form method="post" action="/auth/sign-in-link/use" class="stack">
                                    <input type="hidden" name="csrf_token" value=csrf.clone() />
                                    <input type="hidden" name="token" value=token.get_untracked() />
                                    <button type="submit">{t(locale, Msg::SignIn)}</button>
                                </form>
                            }.into_any()
                        } else {
                            view! {
                                <p class="flash error" role="alert">{t(locale, Msg::SignInLinkInvalid)}</p>
                                <p><a href="/sign-in">{t(locale, Msg::SignIn)}</a></p>
                            }.into_any()
                        }}
                    </section>
                    <LanguageSwitcher locale csrf />
                </main>
            }
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

/// The second step of signing in for a person with two-factor authentication: the code from the
/// app or a recovery code, posted to `/auth/two-factor` (a plain form).
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let query = use_query_map();
    let body = move || {
        let q = query.get();
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let v = viewer().await.ok();
            let locale = v.as_ref().map(|v| v.locale).unwrap_or_default();
            let csrf = v.as_ref().map(|v| v.csrf.clone()).unwrap_or_default();
            let error = match q.get("error").as_deref() {
                Some("invalid") => Some(t(locale, Msg::TwoFactorErrorInvalid).to_string()),
                Some("throttled") => Some(tf(locale, Msg::Throttled, &[("seconds", &q.get("retry").unwrap_or_else(|| "60".into()))])),
                _ => None,
            };
            view! {
                <Title text=format!("{} · Gatehouse", t(locale, Msg::TwoFactorSignInTitle)) />
                <main id="main" class="sign-in">
                    <section class="card sign-in-card">
                        <h1>{t(locale, Msg::TwoFactorSignInTitle)}</h1>
                        <p class="muted">{t(locale, Msg::TwoFactorSignInHelp)}</p>
                        {error.map(|e| view! { <p class="flash error" role="alert">{e}</p> })}
                        <form method="post" action="/auth/two-factor" class="stack">
                            <input type="hidden" name="csrf_token" value=csrf.clone() />
                            <label for="code">{t(locale, Msg::TwoFactorSignInCode)}</label>
                            <input id="code" name="code" required autocomplete="one-time-code" autofocus=true />
                            <button type="submit">{t(locale, Msg::TwoFactorVerify)}</button>
                        </form>
                        <p><a href="/sign-in">{t(locale, Msg::SignIn)}</a></p>
                    </section>
                    <LanguageSwitcher locale csrf />
                </main>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
