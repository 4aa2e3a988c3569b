//! Access reviews: plans and campaigns with their progress, the planning form (for whoever runs
//! reviews), and a campaign's page where a reviewer keeps or revokes each assignment (one at a
//! time, or in one go where the decision helpers agree) and whoever runs reviews reads the
//! evidence. Plain forms.
use crate::api::reviews::{get_review, get_reviews, CampaignView};
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{datetime, t, tf, Msg};
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn campaign_state(locale: Locale, c: &CampaignView) -> &'static str {
    t(locale, if c.state == "running" { Msg::ReviewRunning } else { Msg::ReviewClosed })
}

#[component]
pub fn ReviewsPage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(move || org.get(), get_reviews);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let base = format!("/o/{}/reviews", org.get_untracked());
            view! {
                <Title text=t(locale, Msg::Reviews) />
                <h1>{t(locale, Msg::Reviews)}</h1>
                <p class="muted">{t(locale, Msg::ReviewsIntro)}</p>
                <FormOutcome locale />
                <section class="card" aria-labelledby="rv-campaigns">
                    <h2 id="rv-campaigns">{t(locale, Msg::ReviewCampaigns)}</h2>
                    {if d.campaigns.is_empty() {
                        view! { <p class="muted">{t(locale, Msg::ReviewNoCampaigns)}</p> }.into_any()
                    } else {
                        view! {
                            <table class="reviews">
                                <thead><tr>
                                    <th scope="col">{t(locale, Msg::ReviewName)}</th>
                                    <th scope="col">{t(locale, Msg::Status)}</th>
                                    <th scope="col">{t(locale, Msg::ReviewStarted)}</th>
                                    <th scope="col">{t(locale, Msg::ReviewDeadline)}</th>
                                    <th scope="col">{t(locale, Msg::ReviewProgress)}</th>
                                </tr></thead>
                                <tbody>
                                    {d.campaigns.iter().map(|c| view! {
                                        <tr>
                                            <td><a href=format!("{base}/{}", c.id)>{c.plan.clone()}</a></td>
                                            <td>{campaign_state(locale, c)}</td>
                                            <td>{datetime(locale, c.started_at)}</td>
                                            <td>{datetime(locale, c.deadline_at)}</td>
                                            <td>{tf(locale, Msg::ReviewProgressLine, &[("decided", &c.decided.to_string()), ("total", &c.total.to_string()), ("percent", &c.progress.to_string())])}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                </section>
                {d.can_run.then(|| view! {
                    <section class="card" aria-labelledby="rv-plans">
                        <h2 id="rv-plans">{t(locale, Msg::ReviewPlans)}</h2>
                        {if d.plans.is_empty() {
                            view! { <p class="muted">{t(locale, Msg::ReviewNoPlans)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="plain">
                                    {d.plans.iter().map(|p| view! {
                                        <li>
                                            <strong>{p.name.clone()}</strong>" · "{p.schedule.clone()}" · "
                                            {tf(locale, Msg::ReviewDurationLine, &[("days", &p.duration_days.to_string())])}" · "{p.no_response.clone()}
                                            {p.next_start_at.map(|n| view! { " · " {tf(locale, Msg::ReviewNextStart, &[("at", &datetime(locale, n))])} })}
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <h3>{t(locale, Msg::ReviewNewPlan)}</h3>
                        <form method="post" action=format!("{base}/plans") class="stacked">
                            <CsrfField />
                            <label for="rv-name">{t(locale, Msg::ReviewName)}</label>
                            <input id="rv-name" name="name" required maxlength="200" />
                            <fieldset>
                                <legend>{t(locale, Msg::ReviewWhat)}</legend>
                                <label><input type="radio" name="population" value="units" checked />" "{t(locale, Msg::ReviewByUnits)}</label>
                                <label for="rv-units">{t(locale, Msg::Units)}</label>
                                <select id="rv-units" name="unit" multiple size="5">
                                    {d.units.iter().map(|(id, depth, name)| view! { <option value=id.to_string()>{format!("{}{}", "\u{a0}\u{a0}".repeat(*depth), name)}</option> }).collect_view()}
                                </select>
                                <label><input type="radio" name="population" value="roles" />" "{t(locale, Msg::ReviewByRoles)}</label>
                                <label for="rv-roles">{t(locale, Msg::Roles)}</label>
                                <select id="rv-roles" name="role" multiple size="5">
                                    {d.roles.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                                </select>
                                <label><input type="radio" name="population" value="org_roles" />" "{t(locale, Msg::ReviewByOrgRoles)}</label>
                                <label for="rv-org-roles">{t(locale, Msg::OrgRoles)}</label>
                                <select id="rv-org-roles" name="org_role" multiple size="5">
                                    {gatehouse_domain::org_role::OrgRole::ALL.iter().filter(|r| **r != gatehouse_domain::org_role::OrgRole::Owner).map(|r| view! { <option value=r.as_str()>{crate::i18n::org_role_label(locale, r.as_str())}</option> }).collect_view()}
                                </select>
                            </fieldset>
                            <label for="rv-rule">{t(locale, Msg::ReviewWho)}</label>
                            <select id="rv-rule" name="rule">
                                <option value="unit_managers">{t(locale, Msg::ReviewRuleUnitManagers)}</option>
                                <option value="holders_managers">{t(locale, Msg::ReviewRuleHoldersManagers)}</option>
                                <option value="self">{t(locale, Msg::ReviewRuleSelf)}</option>
                                <option value="named">{t(locale, Msg::ReviewRuleNamed)}</option>
                            </select>
                            <label for="rv-named">{t(locale, Msg::ReviewNamed)}</label>
                            <textarea id="rv-named" name="named" rows="2"></textarea>
                            <label for="rv-fallback">{t(locale, Msg::ReviewFallback)}</label>
                            <input id="rv-fallback" name="fallback" type="email" />
                            <label for="rv-second">{t(locale, Msg::ReviewSecondStage)}</label>
                            <input id="rv-second" name="second_stage" type="email" />
                            <label><input type="checkbox" name="self_review" />" "{t(locale, Msg::ReviewSelfReview)}</label>
                            <label for="rv-schedule">{t(locale, Msg::ReviewSchedule)}</label>
                            <select id="rv-schedule" name="schedule">
                                {d.schedules.iter().map(|(v, w)| view! { <option value=v.clone() selected=v == "quarterly">{w.clone()}</option> }).collect_view()}
                            </select>
                            <label for="rv-duration">{t(locale, Msg::ReviewDuration)}</label>
                            <input id="rv-duration" name="duration_days" type="number" min="1" max="366" value="14" />
                            <label for="rv-start">{t(locale, Msg::ReviewStartOn)}</label>
                            <input id="rv-start" name="start_on" type="date" aria-describedby="rv-start-hint" />
                            <p id="rv-start-hint" class="muted small">{t(locale, Msg::ReviewStartOnHint)}</p>
                            <label><input type="checkbox" name="keep_needs_comment" />" "{t(locale, Msg::ReviewKeepNeedsComment)}</label>
                            <label for="rv-noresponse">{t(locale, Msg::ReviewNoResponse)}</label>
                            <select id="rv-noresponse" name="no_response">
                                {d.no_responses.iter().map(|(v, w)| view! { <option value=v.clone()>{w.clone()}</option> }).collect_view()}
                            </select>
                            <label for="rv-escalation">{t(locale, Msg::ReviewEscalationDays)}</label>
                            <input id="rv-escalation" name="escalation_days" type="number" min="1" max="90" value="7" />
                            <label for="rv-inactive">{t(locale, Msg::ReviewInactiveDays)}</label>
                            <input id="rv-inactive" name="inactive_days" type="number" min="1" max="365" value="30" />
                            <button type="submit">{t(locale, Msg::ReviewCreatePlan)}</button>
                        </form>
                    </section>
                })}
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

#[component]
pub fn ReviewPage() -> impl IntoView {
    let org = org_param();
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    let link = Memo::new(move |_| query.read().get("link"));
    let data = Resource::new(move || (org.get(), id.get(), link.get()), |(o, id, link)| get_review(o, id, link));
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let slug = org.get_untracked();
            let c = d.campaign.clone();
            let needs_comment = d.keep_needs_comment;
            view! {
                <Title text=c.plan.clone() />
                <p><a href=format!("/o/{slug}/reviews")>{"← "}{t(locale, Msg::Reviews)}</a></p>
                <h1>{c.plan.clone()}</h1>
                <p class="subtitle">
                    {campaign_state(locale, &c)}" · "
                    {tf(locale, Msg::ReviewStartedAt, &[("at", &datetime(locale, c.started_at))])}" · "
                    {tf(locale, Msg::ReviewDeadlineAt, &[("at", &datetime(locale, c.deadline_at))])}
                </p>
                <p>{tf(locale, Msg::ReviewOutcome, &[("decided", &c.decided.to_string()), ("total", &c.total.to_string()), ("kept", &c.kept.to_string()), ("revoked", &c.revoked.to_string())])}</p>
                {d.can_run.then(|| view! {
                    <p>
                        <a href=format!("/o/{slug}/reviews/{}/evidence.csv", c.id) download="">{t(locale, Msg::ReviewEvidenceCsv)}</a>
                        " · "
                        <a href=format!("/o/{slug}/reviews/{}/evidence", c.id) rel="external">{t(locale, Msg::ReviewEvidencePage)}</a>
                    </p>
                })}
                <FormOutcome locale />
                {(d.agreed > 0).then(|| view! {
                    <form method="post" action=format!("/o/{slug}/reviews/{}/keep-agreed", c.id) class="inline card">
                        <CsrfField />
                        <p>{tf(locale, Msg::ReviewKeepAgreedText, &[("count", &d.agreed.to_string())])}</p>
                        {needs_comment.then(|| view! {
                            <label for="rv-agreed-comment">{t(locale, Msg::ReqComment)}</label>
                            <input id="rv-agreed-comment" name="comment" required />
                        })}
                        <button type="submit">{t(locale, Msg::ReviewKeepAgreed)}</button>
                    </form>
                })}
                {if d.items.is_empty() {
                    view! { <p class="muted">{t(locale, Msg::ReviewNoItems)}</p> }.into_any()
                } else {
                    view! {
                        <table class="review-items">
                            <thead><tr>
                                <th scope="col">{t(locale, Msg::DocPerson)}</th>
                                <th scope="col">{t(locale, Msg::Role)}</th>
                                <th scope="col">{t(locale, Msg::Unit)}</th>
                                <th scope="col">{t(locale, Msg::ReviewHelpers)}</th>
                                <th scope="col">{t(locale, Msg::Status)}</th>
                                <th scope="col">{t(locale, Msg::ReviewDecision)}</th>
                            </tr></thead>
                            <tbody>
                                {d.items.into_iter().map(|i| {
                                    let action = format!("/o/{slug}/reviews/items/{}/decide", i.id);
                                    let label = format!("{} · {}", i.member_name, i.role_name);
                                    let comment_id = format!("rv-comment-{}", i.id);
                                    view! {
                                        <tr id=format!("item-{}", i.id)>
                                            <th scope="row">{i.member_name.clone()}</th>
                                            <td>{i.role_name.clone()}</td>
                                            <td>{i.unit_name.clone().unwrap_or_else(|| t(locale, Msg::DocWholeOrganization).to_string())}</td>
                                            <td>{if i.helpers.is_empty() { view! { <span class="muted">{t(locale, Msg::ReviewNothingAgainst)}</span> }.into_any() } else { view! { <ul class="plain warn">{i.helpers.iter().map(|h| view! { <li>{h.clone()}</li> }).collect_view()}</ul> }.into_any() }}</td>
                                            <td>{i.state.clone()}</td>
                                            <td>
                                                {if i.may_decide {
                                                    view! {
                                                        <form method="post" action=action class="decide" aria-label=label>
                                                            <CsrfField />
                                                            <label for=comment_id.clone() class="sr-only">{t(locale, Msg::ReqComment)}</label>
                                                            <input id=comment_id name="comment" placeholder=t(locale, Msg::ReqComment) />
                                                            <button type="submit" name="decision" value="keep">{t(locale, Msg::ReviewKeep)}</button>
                                                            <button type="submit" name="decision" value="revoke" class="danger">{t(locale, Msg::ReviewRevoke)}</button>
                                                        </form>
                                                    }.into_any()
                                                } else {
                                                    view! {
                                                        <span>
                                                            {i.decided_by.clone().map(|b| view! { {b} })}
                                                            {i.decided_at.map(|a| view! { " · " {datetime(locale, a)} })}
                                                            {i.comment.clone().map(|c| view! { <br /><span class="muted small">{c}</span> })}
                                                        </span>
                                                    }.into_any()
                                                }}
                                            </td>
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
