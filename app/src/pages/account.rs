//! The person's own account (changing the email address) and the pages behind account mail
//! links, which work without a session: asking for a password reset link, choosing a new
//! password through it, confirming or cancelling an email change. Plain forms (they work
//! before the WASM has loaded).
use crate::components::{viewer, ErrorView, Header, LanguageSwitcher, Loading};
use crate::i18n::{datetime, t, tf, Msg};
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use crate::api::account::{get_account, get_email_change_link, get_reset_link};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let body = move || {
        let q = query.get();
        Suspend::new(async move {
            crate::components::rendering_pass().await;
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
            crate::components::rendering_pass().await;
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

fn email_refusal(locale: gatehouse_domain::locale::Locale, code: &str) -> Option<&'static str> {
    Some(t(
        locale,
        match code {
            "password" => Msg::WrongPassword,
            "address" => Msg::InvalidEmailText,
            "same" => Msg::SameAddress,
            "taken" => Msg::AddressTaken,
            "invalid" => Msg::EmailLinkInvalid,
            _ => return None,
        },
    ))
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(|| (), |_| get_account());
    let body = move || {
        let q = query.get();
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let v = match viewer().await {
                Ok(v) => v,
                Err(e) => return view! { <ErrorView locale=Default::default() error=e /> }.into_any(),
            };
            let locale = v.locale;
            let a = match data.await {
                Ok(a) => a,
                Err(e) => return view! { <main id="main"><ErrorView locale error=e /></main> }.into_any(),
            };
            let error = match q.get("error").as_deref() {
                Some("throttled") => Some(tf(locale, Msg::PasswordThrottled, &[("seconds", &q.get("retry").unwrap_or_else(|| "60".into()))])),
                Some(c) => email_refusal(locale, c).map(str::to_string),
                None => None,
            };
            let sent = q.get("done").as_deref() == Some("requested");
            view! {
                <Title text=format!("{} · Gatehouse", t(locale, Msg::YourAccount)) />
                <Header locale csrf=v.csrf.clone() user_name=a.name.clone() />
                <main id="main" class="narrow">
                    <h1>{t(locale, Msg::YourAccount)}</h1>
                    <p class="muted">{t(locale, Msg::AccountHelp)}</p>
                    <dl class="facts">
                        <dt>{t(locale, Msg::Name)}</dt><dd>{a.name.clone()}</dd>
                        <dt>{t(locale, Msg::EmailAddress)}</dt><dd>{a.email.clone()}</dd>
                    </dl>
                    <section class="card" aria-labelledby="change-email">
                        <h2 id="change-email">{t(locale, Msg::ChangeEmail)}</h2>
                        {sent.then(|| view! { <p class="flash info" role="status">{t(locale, Msg::EmailChangeSent)}</p> })}
                        {error.map(|e| view! { <p class="flash error" role="alert">{e}</p> })}
                        {a.pending.clone().map(|(email, until)| view! {
                            <p class="muted">{tf(locale, Msg::EmailChangePending, &[("email", &email), ("at", &datetime(locale, until))])}</p>
                        })}
                        <p class="muted small">{t(locale, Msg::ChangeEmailHelp)}</p>
                        <form method="post" action="/auth/email-change" class="stack">
                            <input type="hidden" name="csrf_token" value=v.csrf.clone() />
                            <label for="new-email">{t(locale, Msg::NewEmail)}</label>
                            <input id="new-email" name="new_email" type="email" required autocomplete="email" value=q.get("new_email").unwrap_or_default() />
                            <label for="current-password">{t(locale, Msg::CurrentPassword)}</label>
                            <input id="current-password" name="password" type="password" required autocomplete="current-password" />
                            <button type="submit">{t(locale, Msg::SendConfirmation)}</button>
                        </form>
                    </section>
                    <TwoFactorSection locale csrf=v.csrf.clone() view=a.two_factor.clone() error=q.get("tf_error").or_else(|| (q.get("two_factor").as_deref() == Some("required")).then(|| "staff".to_string())) retry=q.get("retry") off=q.get("done").as_deref() == Some("two_factor_off") />
                </main>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

/// The page behind an email-change link: `confirm` (sent to the new address) or cancel (sent
/// to the old one). Opening it changes nothing (mail scanners open links); the button does.
#[component]
pub fn EmailLinkPage(confirm: bool) -> impl IntoView {
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let link = Resource::new(move || token.get(), move |tok| get_email_change_link(tok, confirm));
    let body = move || {
        let q = query.get();
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let v = viewer().await.ok();
            let locale = v.as_ref().map(|v| v.locale).unwrap_or_default();
            let csrf = v.as_ref().map(|v| v.csrf.clone()).unwrap_or_default();
            let (title, done_text, button, action) = if confirm {
                (Msg::ConfirmEmailTitle, Msg::EmailChangedText, Msg::ConfirmEmailButton, "/auth/confirm-email")
            } else {
                (Msg::CancelEmailTitle, Msg::EmailChangeCancelled, Msg::CancelEmailButton, "/auth/cancel-email-change")
            };
            let done = q.get("done").is_some();
            let reverted = q.get("done").as_deref() == Some("reverted");
            let error = q.get("error").and_then(|c| email_refusal(locale, &c));
            let l = if done { None } else { link.await.ok().flatten() };
            // The link to the old address undoes a change once it was confirmed.
            let revert = reverted || l.as_ref().is_some_and(|l| l.2);
            let (title, done_text, button) = if revert { (Msg::RevertEmailTitle, Msg::EmailChangeReverted, Msg::RevertEmailButton) } else { (title, done_text, button) };
            view! {
                <Title text=format!("{} · Gatehouse", t(locale, title)) />
                <main id="main" class="sign-in">
                    <section class="card sign-in-card">
                        <h1>{t(locale, title)}</h1>
                        {if done {
                            view! {
                                <p class="flash info" role="status">{t(locale, done_text)}</p>
                                <p><a href="/">{t(locale, Msg::BackToSignIn)}</a></p>
                            }.into_any()
                        } else if let Some((current, other, revert)) = l {
                            let text = match (confirm, revert) {
                                (true, _) => tf(locale, Msg::ConfirmEmailText, &[("old", &current), ("new", &other)]),
                                (false, false) => tf(locale, Msg::CancelEmailText, &[("old", &current), ("new", &other)]),
                                (false, true) => tf(locale, Msg::RevertEmailText, &[("old", &other)]),
                            };
                            view! {
                                {error.map(|e| view! { <p class="flash error" role="alert">{e}</p> })}
                                <p>{text}</p>
                                <form method="post" action=action class="stack">
                                    <input type="hidden" name="csrf_token" value=csrf.clone() />
                                    <input type="hidden" name="token" value=token.get_untracked() />
                                    <button type="submit">{t(locale, button)}</button>
                                </form>
                            }.into_any()
                        } else {
                            view! {
                                <p class="flash error" role="alert">{error.unwrap_or(t(locale, Msg::EmailLinkInvalid))}</p>
                                <p><a href="/">{t(locale, Msg::BackToSignIn)}</a></p>
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

/// Two-factor authentication on the account page: set it up (QR code, key, first code), or —
/// once on — new recovery codes and turning it off, each with a current code.
#[component]
fn TwoFactorSection(locale: Locale, csrf: String, view: crate::api::account::TwoFactorView, error: Option<String>, retry: Option<String>, off: bool) -> impl IntoView {
    let error = match error.as_deref() {
        Some("invalid") => Some(t(locale, Msg::TwoFactorErrorInvalid).to_string()),
        Some("required") => Some(t(locale, Msg::TwoFactorErrorRequired).to_string()),
        Some("staff") => Some(t(locale, Msg::StaffTwoFactorRequired).to_string()),
        Some("throttled") => Some(tf(locale, Msg::PasswordThrottled, &[("seconds", &retry.unwrap_or_else(|| "60".into()))])),
        _ => None,
    };
    let status = match view.enabled_at {
        Some(at) => tf(locale, Msg::TwoFactorOn, &[("at", &datetime(locale, at)), ("left", &view.recovery_codes_left.to_string())]),
        None => t(locale, Msg::TwoFactorOff).to_string(),
    };
    let required = if view.staff {
        Some(t(locale, Msg::StaffTwoFactorAlways).to_string())
    } else {
        (!view.required_by.is_empty()).then(|| tf(locale, Msg::TwoFactorRequiredBy, &[("orgs", &view.required_by.join(", "))]))
    };
    let body = match (view.enabled_at, view.setup) {
        (Some(_), _) => view! {
            <p class="muted small">{t(locale, Msg::TwoFactorManageHelp)}</p>
            <form method="post" action="/account/two-factor/recovery-codes" class="stack">
                <input type="hidden" name="csrf_token" value=csrf.clone() />
                <label for="tf-manage-code">{t(locale, Msg::TwoFactorSignInCode)}</label>
                <input id="tf-manage-code" name="code" required autocomplete="one-time-code" inputmode="text" />
                <div class="actions">
                    <button type="submit">{t(locale, Msg::TwoFactorRenewCodes)}</button>
                    <button type="submit" class="secondary" formaction="/account/two-factor/disable">{t(locale, Msg::TwoFactorDisable)}</button>
                </div>
            </form>
        }
        .into_any(),
        (None, Some((svg, key))) => view! {
            <p>{t(locale, Msg::TwoFactorScan)}</p>
            <div class="qr" role="img" aria-label=t(locale, Msg::TwoFactorQrLabel) inner_html=svg></div>
            <p><strong>{t(locale, Msg::TwoFactorSecret)}": "</strong><code class="secret-key">{key}</code></p>
            <form method="post" action="/account/two-factor/confirm" class="stack">
                <input type="hidden" name="csrf_token" value=csrf.clone() />
                <label for="tf-code">{t(locale, Msg::TwoFactorCode)}</label>
                <input id="tf-code" name="code" required autocomplete="one-time-code" inputmode="numeric" pattern="[0-9 ]{6,7}" maxlength="7" />
                <button type="submit">{t(locale, Msg::TwoFactorConfirm)}</button>
            </form>
        }
        .into_any(),
        (None, None) => view! {
            <form method="post" action="/account/two-factor/start" class="stack">
                <input type="hidden" name="csrf_token" value=csrf.clone() />
                <button type="submit">{t(locale, Msg::TwoFactorStart)}</button>
            </form>
        }
        .into_any(),
    };
    view! {
        <section class="card" id="two-factor" aria-labelledby="two-factor-title">
            <h2 id="two-factor-title">{t(locale, Msg::TwoFactorTitle)}</h2>
            <p class="muted small">{t(locale, Msg::TwoFactorHelp)}</p>
            {off.then(|| view! { <p class="flash info" role="status">{t(locale, Msg::TwoFactorTurnedOff)}</p> })}
            {error.map(|e| view! { <p class="flash error" role="alert">{e}</p> })}
            <p>{status}</p>
            {required.map(|r| view! { <p class="muted">{r}</p> })}
            {body}
        </section>
    }
}
