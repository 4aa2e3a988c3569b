use crate::components::{viewer, LanguageSwitcher, Loading};
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
            let v = viewer().await.ok();
            let locale = v.as_ref().map(|v| v.locale).unwrap_or_default();
            let csrf = v.as_ref().map(|v| v.csrf.clone()).unwrap_or_default();
            let next = q.get("next").filter(|n| n.starts_with('/') && !n.starts_with("//")).unwrap_or_default();
            let message = match q.get("error").as_deref() {
                Some("invalid") => Some(("error", t(locale, Msg::InvalidCredentials).to_string())),
                Some("throttled") => {
                    let secs = q.get("retry").unwrap_or_else(|| "60".into());
                    Some(("error", tf(locale, Msg::Throttled, &[("seconds", &secs)])))
                }
                Some("expired") => Some(("info", t(locale, Msg::SessionExpired).to_string())),
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
