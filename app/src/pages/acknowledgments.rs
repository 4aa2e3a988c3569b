//! Policies and trainings: what is asked of the reader (accept or complete it here), and for
//! whoever may manage policies the publishing form and each policy's figures and who has not
//! done it yet. Plain forms.
use crate::api::acknowledgments::{get_policies, PolicyView, StandingView};
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{datetime, t, tf, Msg};
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use leptos_meta::Title;

fn standing_text(locale: Locale, s: &StandingView) -> String {
    match s.state.as_str() {
        "done" => match s.renew_at {
            Some(r) => tf(locale, Msg::PolicyDoneUntil, &[("at", &datetime(locale, s.at)), ("renew", &datetime(locale, r))]),
            None => tf(locale, Msg::PolicyDoneAt, &[("at", &datetime(locale, s.at))]),
        },
        "due" => tf(locale, Msg::PolicyDueBy, &[("by", &datetime(locale, s.at))]),
        _ => tf(locale, Msg::PolicyOverdueSince, &[("since", &datetime(locale, s.at))]),
    }
}

fn kind_text(locale: Locale, p: &PolicyView) -> &'static str {
    t(locale, if p.kind == "training" { Msg::PolicyKindTraining } else { Msg::PolicyKindPolicy })
}

fn recurrence_text(locale: Locale, p: &PolicyView) -> String {
    match p.recurrence_months {
        None => t(locale, Msg::PolicyOnce).to_string(),
        Some(12) => t(locale, Msg::PolicyYearly).to_string(),
        Some(n) => tf(locale, Msg::PolicyEveryMonths, &[("months", &n.to_string())]),
    }
}

#[component]
pub fn PoliciesPage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(move || org.get(), get_policies);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let base = format!("/o/{}/policies", org.get_untracked());
            let q = leptos_router::hooks::use_query_map().get_untracked();
            let kept = |k: &str| q.get(k).unwrap_or_default();
            let may_publish = d.publish_org || !d.publish_units.is_empty();
            view! {
                <Title text=t(locale, Msg::Policies) />
                <h1>{t(locale, Msg::Policies)}</h1>
                <p class="muted">{t(locale, Msg::PoliciesIntro)}</p>
                <FormOutcome locale />
                <section class="card" aria-labelledby="pol-mine">
                    <h2 id="pol-mine">{t(locale, Msg::PoliciesMine)}</h2>
                    {if d.mine.is_empty() {
                        view! { <p class="muted">{t(locale, Msg::PoliciesMineNone)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="policies plain">
                                {d.mine.iter().map(|m| {
                                    let p = &m.policy;
                                    let done = m.standing.state == "done";
                                    let class = format!("policy {}", m.standing.state);
                                    view! {
                                        <li class=class>
                                            <h3>{p.title.clone()}</h3>
                                            <p class="muted">{kind_text(locale, p)}" · "{recurrence_text(locale, p)}" · "<strong>{standing_text(locale, &m.standing)}</strong></p>
                                            <details>
                                                <summary>{t(locale, Msg::PolicyRead)}</summary>
                                                <p class="policy-body">{p.body.clone()}</p>
                                                {p.url.clone().map(|u| view! { <p><a href=u.clone() rel="noopener noreferrer" target="_blank">{t(locale, Msg::PolicyMaterial)}</a></p> })}
                                            </details>
                                            {(!done).then(|| view! {
                                                <form method="post" action=format!("{base}/{}/done", p.id) class="inline">
                                                    <CsrfField />
                                                    <button type="submit">{t(locale, if p.kind == "training" { Msg::PolicyCompleted } else { Msg::PolicyAccept })}</button>
                                                </form>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
                {may_publish.then(|| view! {
                    <section class="card" aria-labelledby="pol-publish">
                        <h2 id="pol-publish">{t(locale, Msg::PolicyPublish)}</h2>
                        <form method="post" action=base.clone() class="stack">
                            <CsrfField />
                            <fieldset>
                                <legend>{t(locale, Msg::PolicyKind)}</legend>
                                <div class="check"><input type="radio" id="pol-kind-policy" name="kind" value="policy" checked=kept("kind") != "training" /><label for="pol-kind-policy">{t(locale, Msg::PolicyKindPolicy)}</label></div>
                                <div class="check"><input type="radio" id="pol-kind-training" name="kind" value="training" checked=kept("kind") == "training" /><label for="pol-kind-training">{t(locale, Msg::PolicyKindTraining)}</label></div>
                            </fieldset>
                            <label for="pol-title">{t(locale, Msg::PolicyTitle)}</label>
                            <input id="pol-title" name="title" required maxlength="200" value=kept("title") />
                            <label for="pol-body">{t(locale, Msg::PolicyBody)}</label>
                            <textarea id="pol-body" name="body" required rows="5">{kept("body")}</textarea>
                            <label for="pol-url">{t(locale, Msg::PolicyUrl)}</label>
                            <input id="pol-url" name="url" type="url" value=kept("url") />
                            <label for="pol-recurrence">{t(locale, Msg::PolicyRecurrence)}</label>
                            <select id="pol-recurrence" name="recurrence">
                                <option value="12">{t(locale, Msg::PolicyYearly)}</option>
                                <option value="6">{tf(locale, Msg::PolicyEveryMonths, &[("months", "6")])}</option>
                                <option value="3">{tf(locale, Msg::PolicyEveryMonths, &[("months", "3")])}</option>
                                <option value="24">{tf(locale, Msg::PolicyEveryMonths, &[("months", "24")])}</option>
                                <option value="once">{t(locale, Msg::PolicyOnce)}</option>
                            </select>
                            <label for="pol-due">{t(locale, Msg::PolicyDueDays)}</label>
                            <input id="pol-due" name="due_days" type="number" min="1" max="365" value=if kept("due_days").is_empty() { "30".to_string() } else { kept("due_days") } />
                            <label for="pol-unit">{t(locale, Msg::PolicyAskedOf)}</label>
                            <select id="pol-unit" name="unit">
                                {d.publish_org.then(|| view! { <option value="">{t(locale, Msg::PolicyEveryone)}</option> })}
                                {d.publish_units.iter().map(|(id, depth, name)| view! { <option value=id.to_string()>{format!("{}{name}", "\u{2003}".repeat(*depth))}</option> }).collect_view()}
                            </select>
                            <button type="submit">{t(locale, Msg::PolicyPublishButton)}</button>
                        </form>
                    </section>
                })}
                {(!d.managed.is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="pol-managed">
                        <h2 id="pol-managed">{t(locale, Msg::PoliciesManaged)}</h2>
                        <ul class="policies plain">
                            {d.managed.iter().map(|m| {
                                let p = &m.policy;
                                let (asked, done, due, overdue, percent) = m.figures;
                                view! {
                                    <li class="policy">
                                        <h3>{p.title.clone()}</h3>
                                        <p class="muted">
                                            {kind_text(locale, p)}" · "{recurrence_text(locale, p)}" · "
                                            {tf(locale, Msg::PolicyDueDaysLine, &[("days", &p.due_days.to_string())])}" · "
                                            {p.unit.clone().unwrap_or_else(|| t(locale, Msg::PolicyEveryone).to_string())}" · "
                                            {tf(locale, Msg::PolicyPublishedAt, &[("at", &datetime(locale, p.published_at))])}
                                        </p>
                                        {match p.retired_at {
                                            Some(r) => view! { <p>{tf(locale, Msg::PolicyRetiredAt, &[("at", &datetime(locale, r))])}</p> }.into_any(),
                                            None => view! {
                                                <p class="policy-figures">{tf(locale, Msg::PolicyFigures, &[("done", &done.to_string()), ("asked", &asked.to_string()), ("percent", &percent.to_string()), ("due", &due.to_string()), ("overdue", &overdue.to_string())])}</p>
                                                {(!m.people.is_empty()).then(|| view! {
                                                    <details>
                                                        <summary>{t(locale, Msg::PolicyOpenPeople)}</summary>
                                                        <ul>
                                                            {m.people.iter().map(|(name, counted, s)| view! {
                                                                <li>{name.clone()}" — "{standing_text(locale, s)}{(!*counted).then(|| view! { " " <span class="muted">{t(locale, Msg::PolicyNotCounted)}</span> })}</li>
                                                            }).collect_view()}
                                                        </ul>
                                                    </details>
                                                })}
                                                <form method="post" action=format!("{base}/{}/retire", p.id) class="inline">
                                                    <CsrfField />
                                                    <button type="submit" class="small danger" aria-label=tf(locale, Msg::PolicyRetireOf, &[("title", &p.title)])>{t(locale, Msg::PolicyRetire)}</button>
                                                </form>
                                            }.into_any(),
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </section>
                })}
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
