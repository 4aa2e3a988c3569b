//! Leaving and anonymization: the compliance page (former members waiting, those anonymized,
//! the automatic anonymization setting), a case's three pages — what is linked to the person,
//! anonymize (confirmed by typing the pseudonym), remind me on a date — each opened from the
//! compliance managers' mail after sign-in; and the "end of membership" section of a member's
//! page. Plain forms: they work before the WASM has loaded.
use crate::compliance::{get_case, get_compliance, CaseItem, LeavingView};
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{date, datetime, linked_kind, t, tf, Msg};
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn cases_table(locale: Locale, slug: &str, rows: Vec<CaseItem>, anonymized: bool) -> impl IntoView {
    let slug = slug.to_string();
    view! {
        <table class="cases">
            <thead><tr>
                <th scope="col">{t(locale, Msg::CompPerson)}</th>
                <th scope="col">{t(locale, Msg::CompEnded)}</th>
                {if anonymized {
                    view! { <th scope="col">{t(locale, Msg::CompAnonymizedAt)}</th><th scope="col">{t(locale, Msg::CompAnonymizedBy)}</th> }.into_any()
                } else {
                    view! { <th scope="col">{t(locale, Msg::CompRemindOn)}</th><th scope="col">{t(locale, Msg::CompAutoAt)}</th> }.into_any()
                }}
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|c| {
                    let href = format!("/o/{slug}/compliance/{}", c.id);
                    view! {
                        <tr>
                            <td><a href=href>{c.name.clone()}</a></td>
                            <td>{datetime(locale, c.ended_at)}</td>
                            {if anonymized {
                                view! {
                                    <td>{c.anonymized_at.map(|a| datetime(locale, a)).unwrap_or_default()}</td>
                                    <td>{c.anonymized_by.clone().unwrap_or_default()}</td>
                                }.into_any()
                            } else {
                                view! {
                                    <td>{c.remind_on.map(|d| date(locale, d)).unwrap_or_else(|| "—".into())}</td>
                                    <td>{c.auto_at.map(|a| datetime(locale, a)).unwrap_or_else(|| "—".into())}</td>
                                }.into_any()
                            }}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn CompliancePage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(move || org.get(), get_compliance);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let slug = org.get_untracked();
            view! {
                <Title text=t(locale, Msg::Compliance) />
                <h1>{t(locale, Msg::Compliance)}</h1>
                <FormOutcome locale />
                <section aria-labelledby="open-cases">
                    <h2 id="open-cases">{format!("{} ({})", t(locale, Msg::CompOpenCases), d.open.len())}</h2>
                    {if d.open.is_empty() {
                        view! { <p class="muted">{t(locale, Msg::CompNoOpen)}</p> }.into_any()
                    } else {
                        cases_table(locale, &slug, d.open.clone(), false).into_any()
                    }}
                </section>
                <section class="card" aria-labelledby="auto-anon">
                    <h2 id="auto-anon">{t(locale, Msg::CompSettings)}</h2>
                    <p>{match d.auto_days {
                        Some(n) => tf(locale, Msg::CompAutoOn, &[("days", &n.to_string())]),
                        None => t(locale, Msg::CompAutoOff).to_string(),
                    }}</p>
                    {d.may_configure.then(|| view! {
                        <form method="post" action=format!("/o/{slug}/compliance/settings") class="row-form">
                            <CsrfField />
                            <label>{t(locale, Msg::CompAutoDays)}<input name="auto_days" type="number" min="1" max="3650" value=d.auto_days.map(|n| n.to_string()).unwrap_or_default() /></label>
                            <button type="submit">{t(locale, Msg::Save)}</button>
                        </form>
                    })}
                </section>
                {(!d.anonymized.is_empty()).then(|| view! {
                    <section aria-labelledby="anon-cases">
                        <h2 id="anon-cases">{t(locale, Msg::CompAnonymizedCases)}</h2>
                        {cases_table(locale, &slug, d.anonymized.clone(), true)}
                    </section>
                })}
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

/// Which of a case's three pages (the three links of the mail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseMode {
    Linked,
    Anonymize,
    Remind,
}

#[component]
pub fn CasePage(mode: CaseMode) -> impl IntoView {
    let org = org_param();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    // A link from mail carries a token naming its subject; the server checks it.
    let query = use_query_map();
    let link = Memo::new(move |_| query.read().get("link"));
    let data = Resource::new(move || (org.get(), id.get(), link.get()), |(o, i, l)| get_case(o, i, l));
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let slug = org.get_untracked();
            let c = d.case.clone();
            let base = format!("/o/{slug}/compliance/{}", c.id);
            let title = tf(locale, Msg::CompCase, &[("name", &c.name)]);
            let nav = view! {
                <nav class="tabs" aria-label=t(locale, Msg::Compliance)>
                    <a href=base.clone() aria-current=(mode == CaseMode::Linked).then_some("page")>{t(locale, Msg::CompLinked)}</a>
                    {(!c.anonymized).then(|| view! {
                        <a href=format!("{base}/anonymize") aria-current=(mode == CaseMode::Anonymize).then_some("page")>{t(locale, Msg::CompAnonymize)}</a>
                        <a href=format!("{base}/remind") aria-current=(mode == CaseMode::Remind).then_some("page")>{t(locale, Msg::CompRemind)}</a>
                    })}
                </nav>
            };
            let facts = view! {
                <dl class="facts">
                    <dt>{t(locale, Msg::CompEnded)}</dt><dd>{datetime(locale, c.ended_at)}</dd>
                    {c.remind_on.map(|r| view! { <dt>{t(locale, Msg::CompRemindOn)}</dt><dd>{date(locale, r)}</dd> })}
                    {c.auto_at.map(|a| view! { <dt>{t(locale, Msg::CompAutoAt)}</dt><dd>{datetime(locale, a)}</dd> })}
                    {c.anonymized_at.map(|a| view! { <dt>{t(locale, Msg::CompAnonymizedAt)}</dt><dd>{datetime(locale, a)}{c.anonymized_by.clone().map(|b| format!(" · {b}"))}</dd> })}
                </dl>
            };
            let section = match mode {
                CaseMode::Linked => view! {
                    <section aria-labelledby="linked">
                        <h2 id="linked">{t(locale, Msg::CompLinked)}</h2>
                        <p class="muted small">{t(locale, Msg::CompLinkedHelp)}</p>
                        <table class="linked">
                            <tbody>
                                {d.linked.iter().map(|g| {
                                    let label = linked_kind(locale, &g.kind);
                                    let shown = if g.count as usize > g.lines.len() {
                                        format!(" ({})", tf(locale, Msg::CompShown, &[("shown", &g.lines.len().to_string()), ("count", &g.count.to_string())]))
                                    } else {
                                        String::new()
                                    };
                                    view! {
                                        <tr>
                                            <th scope="row">{label}</th>
                                            <td class="num" data-kind=g.kind.clone()>{g.count}</td>
                                            <td>
                                                {if g.lines.is_empty() {
                                                    view! { <span class="muted">{t(locale, Msg::CompNothing)}</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <ul class="compact">
                                                            {g.lines.iter().map(|(text, at)| view! {
                                                                <li>{text.clone()}{at.map(|a| view! { " · "<span class="muted small">{datetime(locale, a)}</span> })}</li>
                                                            }).collect_view()}
                                                        </ul>
                                                        <span class="muted small">{shown}</span>
                                                    }.into_any()
                                                }}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </section>
                }.into_any(),
                CaseMode::Anonymize => match (c.anonymized, d.pseudonym.clone()) {
                    (true, _) => view! { <p class="notice">{t(locale, Msg::CompAlready)}</p> }.into_any(),
                    (false, None) => view! { <p class="notice">{t(locale, Msg::CompMayNotAnonymize)}</p> }.into_any(),
                    (false, Some(p)) => view! {
                        <section class="card danger-zone" aria-labelledby="anonymize">
                            <h2 id="anonymize">{t(locale, Msg::CompAnonymizeNow)}</h2>
                            <p>{t(locale, Msg::CompAnonymizeHelp)}</p>
                            <p>{t(locale, Msg::CompPseudonymIs)}": "<strong class="pseudonym">{p.clone()}</strong></p>
                            <form method="post" action=format!("{base}/anonymize") class="stack">
                                <CsrfField />
                                <label for="confirm">{t(locale, Msg::CompConfirm)}</label>
                                <input id="confirm" name="confirm" required autocomplete="off" spellcheck="false" />
                                <button type="submit" class="danger">{t(locale, Msg::CompAnonymize)}</button>
                            </form>
                        </section>
                    }.into_any(),
                },
                CaseMode::Remind => if c.anonymized {
                    view! { <p class="notice">{t(locale, Msg::CompAlready)}</p> }.into_any()
                } else {
                    view! {
                        <section class="card" aria-labelledby="remind">
                            <h2 id="remind">{t(locale, Msg::CompRemind)}</h2>
                            <p class="muted small">{t(locale, Msg::CompRemindHelp)}</p>
                            <form method="post" action=format!("{base}/remind") class="row-form">
                                <CsrfField />
                                <label>{t(locale, Msg::CompDay)}<input name="remind_on" type="date" required value=c.remind_on.map(|r| r.to_string()).unwrap_or_default() /></label>
                                <button type="submit">{t(locale, Msg::CompSetReminder)}</button>
                            </form>
                        </section>
                    }.into_any()
                },
            };
            view! {
                <Title text=title.clone() />
                <h1>{title}</h1>
                <FormOutcome locale />
                {nav}
                {facts}
                {section}
                <p><a href=format!("/o/{slug}/compliance")>{t(locale, Msg::CompBack)}</a></p>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

/// The "end of membership" section of a member's page: end now or on a last day
/// (members.terminate), and the compliance case once there is one. Nothing when none applies.
pub fn leaving_section(locale: Locale, slug: String, id: i64, d: LeavingView) -> AnyView {
    if !d.may_end && d.case.is_none() && d.end_date.is_none() && d.status == "active" {
        return ().into_any();
    }
    let action = format!("/o/{slug}/members/{id}/end");
    view! {
        <section class="card" aria-labelledby="leaving">
            <h2 id="leaving">{t(locale, Msg::LeaveTitle)}</h2>
            {(d.status == "terminated" || d.status == "anonymized").then(|| view! { <p>{t(locale, Msg::LeaveEnded)}</p> })}
            {(d.status == "active").then(|| d.end_date.map(|e| view! { <p>{tf(locale, Msg::LeaveScheduled, &[("date", &date(locale, e))])}</p> })).flatten()}
            {d.may_end.then(|| view! {
                <p class="muted small">{t(locale, Msg::LeaveHelp)}</p>
                <form method="post" action=action.clone() class="row-form">
                    <CsrfField />
                    <label>{t(locale, Msg::LeaveOn)}<input name="last_day" type="date" value=d.end_date.map(|e| e.to_string()).unwrap_or_default() /></label>
                    <button type="submit" name="when" value="date" class="secondary">{t(locale, Msg::LeaveSetDate)}</button>
                    {d.end_date.is_some().then(|| view! { <button type="submit" name="when" value="clear" class="secondary">{t(locale, Msg::LeaveClearDate)}</button> })}
                    <button type="submit" name="when" value="now" class="danger">{t(locale, Msg::LeaveNow)}</button>
                </form>
            })}
            {d.case.map(|c| view! { <p><a href=format!("/o/{slug}/compliance/{c}")>{t(locale, Msg::LeaveOpenCase)}</a></p> })}
        </section>
    }
    .into_any()
}
