use crate::components::{viewer, LanguageSwitcher, Loading};
use crate::api::account::get_sign_in_link;
use crate::api::sso::{sso_buttons, SsoButton};
use gatehouse_domain::locale::Locale;
use crate::i18n::{t, tf, Msg};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The sign-in form posts to `/auth/sign-in` (a plain form: works before the WASM loads).
#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    // An organization that requires single sign-on refused the password: its providers' buttons.
    let required_by = Memo::new(move |_| {
        let q = query.read();
        q.get("org").filter(|_| q.get("error").as_deref() == Some("sso_required")).map(|o| (o, q.get("next")))
    });
    let buttons = Resource::new(move || required_by.get(), |r| async move {
        match r {
            Some((org, next)) => sso_buttons(None, Some(org), next).await.unwrap_or_default(),
            None => vec![],
        }
    });
    let body = move || {
        let q = query.get();
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let buttons = buttons.await;
            let v = viewer().await.ok();
            let locale = v.as_ref().map(|v| v.locale).unwrap_or_default();
            let csrf = v.as_ref().map(|v| v.csrf.clone()).unwrap_or_default();
            let next = q.get("next").filter(|n| gatehouse_domain::redirect::is_local_path(n)).unwrap_or_default();
            let throttled = q.get("error").as_deref() == Some("throttled");
            let sso_link = match next.as_str() {
                "" => "/sign-in/sso".to_string(),
                n => format!("/sign-in/sso?next={}", crate::components::url_encode(n)), // not user text: a URL
            };
            let message = match q.get("error").as_deref() {
                Some("invalid") => Some(("error", t(locale, Msg::InvalidCredentials).to_string())),
                Some("throttled") => {
                    let secs = q.get("retry").unwrap_or_else(|| "60".into());
                    Some(("error", tf(locale, Msg::Throttled, &[("seconds", &secs)])))
                }
                Some("expired") => Some(("info", t(locale, Msg::SessionExpired).to_string())),
                Some("link") => Some(("error", t(locale, Msg::SignInLinkInvalid).to_string())),
                Some("second_factor_expired") => Some(("info", t(locale, Msg::TwoFactorExpired).to_string())),
                Some("sso_required") => Some(("error", t(locale, Msg::SsoRequiredForYou).to_string())),
                Some(code) if gatehouse_domain::sso::Refusal::parse(code).is_some() => Some(("error", sso_refusal(locale, gatehouse_domain::sso::Refusal::parse(code).expect("parsed")))),
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
                        <SsoButtons locale buttons />
                        <p><a href=sso_link.clone()>{t(locale, Msg::SsoSignInLink)}</a></p>
                        <p><a href="/forgot-password">{t(locale, Msg::ForgotPassword)}</a></p>
                    </section>
                    <LanguageSwitcher locale csrf />
                </main>
            }
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

/// Why a single sign-on was refused, in the reader's words.
pub fn sso_refusal(locale: Locale, r: gatehouse_domain::sso::Refusal) -> String {
    use gatehouse_domain::sso::Refusal as R;
    let m = match r {
        R::State => Msg::SsoRefusedState,
        R::Provider => Msg::SsoRefusedProvider,
        R::Unreachable => Msg::SsoRefusedUnreachable,
        R::Token => Msg::SsoRefusedToken,
        R::Unverified => Msg::SsoRefusedUnverified,
        R::Domain => Msg::SsoRefusedDomain,
        R::NoMembership => Msg::SsoRefusedNoMembership,
        R::Ended => Msg::SsoRefusedEnded,
        R::Disabled => Msg::SsoRefusedDisabled,
        R::OtherOrganizations => Msg::SsoRefusedOtherOrganizations,
    };
    t(locale, m).to_string()
}

/// Sign-in buttons of single sign-on providers (plain links: they work before the WASM loads).
#[component]
fn SsoButtons(locale: Locale, buttons: Vec<SsoButton>) -> impl IntoView {
    (!buttons.is_empty()).then(|| view! {
        <ul class="sso-buttons">
            {buttons.into_iter().map(|b| view! {
                <li><a class="button" rel="external" href=b.href>{tf(locale, Msg::SsoSignInWith, &[("provider", &b.name), ("org", &b.org_name)])}</a></li>
            }).collect_view()}
        </ul>
    })
}

/// "Sign in with single sign-on": the address first, then its domain's providers.
#[component]
pub fn SsoSignInPage() -> impl IntoView {
    let query = use_query_map();
    let asked = Memo::new(move |_| {
        let q = query.read();
        (q.get("email").filter(|e| !e.is_empty()), q.get("next"))
    });
    let buttons = Resource::new(move || asked.get(), |(email, next)| async move {
        match email {
            Some(e) => sso_buttons(Some(e), None, next).await.unwrap_or_default(),
            None => vec![],
        }
    });
    let body = move || {
        let q = query.get();
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let buttons = buttons.await;
            let v = viewer().await.ok();
            let locale = v.as_ref().map(|v| v.locale).unwrap_or_default();
            let csrf = v.as_ref().map(|v| v.csrf.clone()).unwrap_or_default();
            let next = q.get("next").filter(|n| gatehouse_domain::redirect::is_local_path(n)).unwrap_or_default();
            let email = q.get("email").unwrap_or_default();
            // An address was entered and no provider signs in its domain.
            let none = !email.is_empty() && buttons.is_empty();
            view! {
                <Title text=format!("{} · Gatehouse", t(locale, Msg::SsoSignInTitle)) />
                <main id="main" class="sign-in">
                    <section class="card sign-in-card">
                        <h1>{t(locale, Msg::SsoSignInTitle)}</h1>
                        <p class="muted">{t(locale, Msg::SsoSignInIntro)}</p>
                        {none.then(|| view! { <p class="flash error" role="alert">{t(locale, Msg::SsoNoneForDomain)}</p> })}
                        <SsoButtons locale buttons />
                        // A GET form: the providers are links (a form's redirect chain may not
                        // leave the site under the CSP's form-action).
                        <form method="get" action="/sign-in/sso" class="stack">
                            {(!next.is_empty()).then(|| view! { <input type="hidden" name="next" value=next.clone() /> })}
                            <label for="sso-email">{t(locale, Msg::Email)}</label>
                            <input id="sso-email" name="email" type="email" autocomplete="username" required value=email />
                            <button type="submit">{t(locale, Msg::SsoContinue)}</button>
                        </form>
                        <p><a href="/sign-in">{t(locale, Msg::SsoBackToPassword)}</a></p>
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
