//! Pages that work without a session: asking for a password reset link, and choosing a new
//! password through it. Plain forms (they work before the WASM has loaded).
use crate::components::{viewer, LanguageSwitcher, Loading};
use crate::error::AppError;
use crate::i18n::{t, Msg};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Whether a reset link still works (to show the form or say it expired). Says nothing else.
#[server(input = GetUrl, endpoint = "reset-link")]
pub async fn get_reset_link(token: String) -> Result<bool, AppError> {
    let c = crate::api::server::caller().await?;
    let now = c.state.clock.now();
    crate::api::server::db(&c.state, move |conn| gatehouse_db::account::reset_link_valid(conn, &token, now)).await
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let body = move || {
        let q = query.get();
        Suspend::new(async move {
            let v = viewer().await.ok();
            let locale = v.as_ref().map(|v| v.locale).unwrap_or_default();
            let csrf = v.as_ref().map(|v| v.csrf.clone()).unwrap_or_default();
            let sent = q.get("sent").is_some();
            view! {
                <Title text=format!("{} · Gatehouse", t(locale, Msg::ForgotPassword)) />
                <main id="main" class="sign-in">
                    <section class="card sign-in-card">
                        <h1>{t(locale, Msg::ForgotPassword)}</h1>
                        {if sent {
                            view! { <p class="flash info" role="status">{t(locale, Msg::ResetSent)}</p> }.into_any()
                        } else {
                            view! {
                                <p class="muted">{t(locale, Msg::ForgotPasswordIntro)}</p>
                                <form method="post" action="/auth/forgot-password" class="stack">
                                    <input type="hidden" name="csrf_token" value=csrf.clone() />
                                    <label for="email">{t(locale, Msg::Email)}</label>
                                    <input id="email" name="email" type="email" autocomplete="username" required />
                                    <button type="submit">{t(locale, Msg::SendResetLink)}</button>
                                </form>
                            }.into_any()
                        }}
                        <p><a href="/sign-in">{t(locale, Msg::BackToSignIn)}</a></p>
                    </section>
                    <LanguageSwitcher locale csrf />
                </main>
            }
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let valid = Resource::new(move || token.get(), get_reset_link);
    let body = move || {
        let q = query.get();
        Suspend::new(async move {
            let v = viewer().await.ok();
            let locale = v.as_ref().map(|v| v.locale).unwrap_or_default();
            let csrf = v.as_ref().map(|v| v.csrf.clone()).unwrap_or_default();
            let ok = valid.await.unwrap_or(false);
            let error = match q.get("error").as_deref() {
                Some("weak") => Some(t(locale, Msg::PasswordTooWeak)),
                Some("mismatch") => Some(t(locale, Msg::PasswordsDiffer)),
                _ => None,
            };
            view! {
                <Title text=format!("{} · Gatehouse", t(locale, Msg::ChooseNewPassword)) />
                <main id="main" class="sign-in">
                    <section class="card sign-in-card">
                        <h1>{t(locale, Msg::ChooseNewPassword)}</h1>
                        {if ok {
                            view! {
                                {error.map(|e| view! { <p class="flash error" role="alert">{e}</p> })}
                                <p class="muted">{t(locale, Msg::PasswordRules)}</p>
                                <form method="post" action="/auth/reset-password" class="stack">
                                    <input type="hidden" name="csrf_token" value=csrf.clone() />
                                    <input type="hidden" name="token" value=token.get_untracked() />
                                    <label for="password">{t(locale, Msg::NewPassword)}</label>
                                    <input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" />
                                    <label for="password2">{t(locale, Msg::RepeatPassword)}</label>
                                    <input id="password2" name="password2" type="password" autocomplete="new-password" required minlength="12" />
                                    <button type="submit">{t(locale, Msg::SavePassword)}</button>
                                </form>
                            }.into_any()
                        } else {
                            view! {
                                <p class="flash error" role="alert">{t(locale, Msg::ResetLinkInvalid)}</p>
                                <p><a href="/forgot-password">{t(locale, Msg::SendResetLink)}</a></p>
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
