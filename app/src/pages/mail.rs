//! The organization's mail: what is queued, what failed and why, with "send again".
use crate::access::get_mail;
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{datetime, t, Msg};
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn MailPage() -> impl IntoView {
    let org = org_param();
    let query = use_query_map();
    let status = Memo::new(move |_| query.read().get("status"));
    let data = Resource::new(move || (org.get(), status.get()), |(o, s)| get_mail(o, s));
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let rows = match data.await {
                Ok(r) => r,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let base = format!("/o/{}/mail", org.get_untracked());
            let current = status.get_untracked().unwrap_or_default();
            view! {
                <Title text=t(locale, Msg::Mail) />
                <h1>{t(locale, Msg::Mail)}</h1>
                <p class="muted">{t(locale, Msg::MailHelp)}</p>
                <FormOutcome locale />
                <nav aria-label=t(locale, Msg::Mail) class="sub-nav">
                    <ul>
                        {[("", Msg::AllMail), ("failed", Msg::MailFailed), ("queued", Msg::MailQueued), ("sent", Msg::MailSent)].into_iter().map(|(s, m)| {
                            let href = if s.is_empty() { base.clone() } else { format!("{base}?status={s}") };
                            view! { <li><a href=href aria-current=if current == s { Some("page") } else { None }>{t(locale, m)}</a></li> }
                        }).collect_view()}
                    </ul>
                </nav>
                {if rows.is_empty() {
                    view! { <p class="muted">{t(locale, Msg::NoMail)}</p> }.into_any()
                } else {
                    view! {
                        <table class="mail">
                            <thead><tr>
                                <th scope="col">{t(locale, Msg::Recipient)}</th>
                                <th scope="col">{t(locale, Msg::Subject)}</th>
                                <th scope="col">{t(locale, Msg::Status)}</th>
                                <th scope="col">{t(locale, Msg::Queued)}</th>
                                <th scope="col"><span class="sr-only">{t(locale, Msg::Actions)}</span></th>
                            </tr></thead>
                            <tbody>
                                {rows.into_iter().map(|m| {
                                    let retry = format!("{base}/{}/retry", m.id);
                                    let failed = m.status == "failed";
                                    view! {
                                        <tr>
                                            <td>{m.to.clone()}</td>
                                            <td>{m.subject.clone()}</td>
                                            <td>
                                                <span class=format!("mail-status mail-{}", m.status)>{status_label(locale, &m.status)}</span>
                                                {(m.attempts > 0).then(|| view! { " · " {m.attempts} "×" })}
                                                {m.last_error.clone().map(|e| view! { <br /><span class="muted small">{e}</span> })}
                                            </td>
                                            <td>{datetime(locale, m.created_at)}{m.sent_at.map(|s| view! { <br /><span class="muted small">{datetime(locale, s)}</span> })}</td>
                                            <td>{failed.then(|| view! {
                                                <form method="post" action=retry class="inline">
                                                    <CsrfField />
                                                    <button type="submit" class="secondary small">{t(locale, Msg::SendAgain)}</button>
                                                </form>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

/// A mail's state in the reader's words (one being handed to the SMTP server counts as queued).
fn status_label(locale: Locale, status: &str) -> &'static str {
    match status {
        "failed" => t(locale, Msg::MailFailed),
        "sent" => t(locale, Msg::MailSent),
        _ => t(locale, Msg::MailQueued),
    }
}
