//! The platform staff console: the organizations of the platform.
use crate::api::staff::get_staff_console;
use crate::components::{viewer, ErrorView, Header, Loading, SupportBannerView};
use leptos_router::hooks::use_query_map;
use crate::i18n::{datetime, t, tf, Msg};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn StaffConsolePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_staff_console());
    let query = use_query_map();
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let v = match viewer().await {
                Ok(v) => v,
                Err(e) => return view! { <ErrorView locale=Default::default() error=e /> }.into_any(),
            };
            let locale = v.locale;
            let name = v.user.as_ref().map(|u| u.name.clone()).unwrap_or_default();
            let console = match data.await {
                Ok(c) => c,
                Err(e) => return view! { <main id="main"><ErrorView locale error=e /></main> }.into_any(),
            };
            let q = query.get_untracked();
            let error = q.get("error");
            let ended = q.get("support_ended").is_some();
            let recovered = q.get("owner_recovered").is_some();
            let scheduled = q.get("deletion_scheduled").is_some();
            let cancelled = q.get("deletion_cancelled").is_some();
            let plan_saved = q.get("staff_plan_saved").is_some();
            let can_delete = console.can_delete;
            let (can_support, can_recover, csrf) = (console.can_support, console.can_recover, v.csrf.clone());
            view! {
                <Title text=format!("{} · Gatehouse", t(locale, Msg::StaffConsole)) />
                <Header locale csrf=v.csrf.clone() user_name=name />
                <SupportBannerView locale support=v.user.as_ref().and_then(|u| u.support.clone()) csrf=v.csrf.clone() />
                <main id="main">
                    <h1>{t(locale, Msg::StaffConsole)}</h1>
                    <p class="muted">{tf(locale, Msg::StaffConsoleIntro, &[("role", &console.role)])}</p>
                    {error.map(|e| view! { <div class="banner error" role="alert"><strong>{t(locale, Msg::NotChanged)}": "</strong>{e}</div> })}
                    {ended.then(|| view! { <div class="banner ok" role="status">{t(locale, Msg::SupportEnded)}</div> })}
                    {recovered.then(|| view! { <div class="banner ok" role="status">{t(locale, Msg::StaffOwnerRecovered)}</div> })}
                    {scheduled.then(|| view! { <div class="banner ok" role="status">{t(locale, Msg::StaffDeletionScheduled)}</div> })}
                    {cancelled.then(|| view! { <div class="banner ok" role="status">{t(locale, Msg::StaffDeletionCancelled)}</div> })}
                    {can_support.then(|| view! { <p class="muted">{t(locale, Msg::SupportIntro)}</p> })}
                    {console.staff_reviews.clone().map(|r| {
                        let next = match r.next_start_at {
                            Some(at) => tf(locale, Msg::StaffReviewsNext, &[("at", &datetime(locale, at))]),
                            None => t(locale, Msg::StaffReviewsUnscheduled).to_string(),
                        };
                        let running = r.campaigns.iter().any(|c| c.running);
                        let schedules = [("monthly", Msg::ReviewMonthly), ("quarterly", Msg::ReviewQuarterly), ("half_yearly", Msg::ReviewHalfYearly), ("yearly", Msg::ReviewYearly)];
                        let rules = [("keep", Msg::ReviewNoResponseKeep), ("reduce", Msg::StaffReviewNoResponseReduce)];
                        view! {
                            <section class="card" aria-labelledby="staff-reviews">
                                <h2 id="staff-reviews">{t(locale, Msg::StaffReviews)}</h2>
                                <p class="muted">{t(locale, Msg::StaffReviewsHelp)}</p>
                                {plan_saved.then(|| view! { <div class="banner ok" role="status">{t(locale, Msg::StaffPlanSaved)}</div> })}
                                {if r.campaigns.is_empty() {
                                    view! { <p>{t(locale, Msg::StaffReviewsNone)}</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="staff-review-list">
                                            {r.campaigns.iter().map(|c| {
                                                let state = t(locale, if c.running { Msg::ReviewRunning } else { Msg::ReviewClosed });
                                                view! {
                                                    <li>
                                                        <a href=format!("/staff/reviews/{}", c.id) rel="external">
                                                            {tf(locale, Msg::StaffReviewLine, &[("started", &datetime(locale, c.started_at)), ("state", state), ("decided", &c.decided.to_string()), ("total", &c.total.to_string()), ("deadline", &datetime(locale, c.deadline_at))])}
                                                        </a>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    }.into_any()
                                }}
                                <p class="muted">{next}</p>
                                {(!running).then(|| view! {
                                    <form method="post" action="/staff/reviews/start" class="inline">
                                        <input type="hidden" name="csrf_token" value=csrf.clone() />
                                        <button type="submit">{t(locale, Msg::StaffReviewsStart)}</button>
                                    </form>
                                })}
                                <details class="staff-review-plan">
                                    <summary>{t(locale, Msg::StaffReviewsPlan)}</summary>
                                    <form method="post" action="/staff/reviews/plan" class="stacked">
                                        <input type="hidden" name="csrf_token" value=csrf.clone() />
                                        <label for="srp-schedule">{t(locale, Msg::ReviewSchedule)}</label>
                                        <select id="srp-schedule" name="schedule">
                                            {schedules.into_iter().map(|(k, m)| view! { <option value=k selected=r.schedule == k>{t(locale, m)}</option> }).collect_view()}
                                        </select>
                                        <label for="srp-duration">{t(locale, Msg::ReviewDuration)}</label>
                                        <input id="srp-duration" name="duration_days" type="number" min="1" max="364" required value=r.duration_days.to_string() />
                                        <label for="srp-no-response">{t(locale, Msg::ReviewNoResponse)}</label>
                                        <select id="srp-no-response" name="no_response">
                                            {rules.into_iter().map(|(k, m)| view! { <option value=k selected=r.no_response == k>{t(locale, m)}</option> }).collect_view()}
                                        </select>
                                        <button type="submit" class="secondary">{t(locale, Msg::StaffReviewsSavePlan)}</button>
                                    </form>
                                </details>
                            </section>
                        }
                    })}
                    <h2>{t(locale, Msg::StaffOrganizations)}</h2>
                    <table class="staff-orgs">
                        <thead><tr>
                            <th scope="col">{t(locale, Msg::StaffOrgName)}</th>
                            <th scope="col">{t(locale, Msg::StaffOrgSlug)}</th>
                            <th scope="col" class="num">{t(locale, Msg::StaffOrgMembers)}</th>
                            <th scope="col">{t(locale, Msg::StaffOrgCreated)}</th>
                            <th scope="col">{t(locale, Msg::SupportColumn)}</th>
                        </tr></thead>
                        <tbody>
                            {console.orgs.into_iter().map(|o| {
                                let support = match (can_support, o.support_access) {
                                    (false, _) => view! { <span class="muted">"—"</span> }.into_any(),
                                    (true, false) => view! { <span class="muted">{t(locale, Msg::SupportSwitchedOff)}</span> }.into_any(),
                                    (true, true) => {
                                        let (reason, minutes) = (format!("support-reason-{}", o.slug), format!("support-minutes-{}", o.slug));
                                        view! {
                                            <details class="support-start">
                                                <summary>{tf(locale, Msg::SupportStart, &[("org", &o.name)])}</summary>
                                                <form method="post" action=format!("/staff/orgs/{}/support", o.slug) class="stacked">
                                                    <input type="hidden" name="csrf_token" value=csrf.clone() />
                                                    <label for=reason.clone()>{t(locale, Msg::SupportReason)}</label>
                                                    <input id=reason name="reason" required minlength="3" maxlength="500" />
                                                    <label for=minutes.clone()>{t(locale, Msg::SupportMinutes)}</label>
                                                    <select id=minutes name="minutes">
                                                        <option value="15">"15"</option>
                                                        <option value="30">"30"</option>
                                                        <option value="60" selected=true>"60"</option>
                                                    </select>
                                                    <button type="submit">{t(locale, Msg::SupportSignIn)}</button>
                                                </form>
                                            </details>
                                        }.into_any()
                                    }
                                };
                                let recover = can_recover.then(|| {
                                    let (email, reason) = (format!("recover-email-{}", o.slug), format!("recover-reason-{}", o.slug));
                                    view! {
                                        <details class="recover-owner">
                                            <summary>{t(locale, Msg::StaffRecoverOwner)}</summary>
                                            <p class="muted small">{t(locale, Msg::StaffRecoverOwnerHelp)}</p>
                                            <form method="post" action=format!("/staff/orgs/{}/recover-owner", o.slug) class="stacked">
                                                <input type="hidden" name="csrf_token" value=csrf.clone() />
                                                <label for=email.clone()>{t(locale, Msg::StaffNewOwnerEmail)}</label>
                                                <input id=email name="email" type="email" required />
                                                <label for=reason.clone()>{t(locale, Msg::SupportReason)}</label>
                                                <input id=reason name="reason" required minlength="3" maxlength="500" />
                                                <button type="submit" class="danger">{t(locale, Msg::StaffRecoverOwnerSubmit)}</button>
                                            </form>
                                        </details>
                                    }
                                });
                                let deletion = match (can_delete, o.deletion_due) {
                                    (false, Some(due)) => view! { <p class="muted small">{tf(locale, Msg::StaffDeletionDue, &[("due", &datetime(locale, due))])}</p> }.into_any(),
                                    (false, None) => ().into_any(),
                                    (true, Some(due)) => view! {
                                        <form method="post" action=format!("/staff/orgs/{}/deletion/cancel", o.slug) class="inline">
                                            <input type="hidden" name="csrf_token" value=csrf.clone() />
                                            <strong>{tf(locale, Msg::StaffDeletionDue, &[("due", &datetime(locale, due))])}</strong>" "
                                            <button type="submit" class="secondary small">{t(locale, Msg::StaffDeletionCancel)}</button>
                                        </form>
                                    }.into_any(),
                                    (true, None) => {
                                        let (confirm, reason) = (format!("delete-confirm-{}", o.slug), format!("delete-reason-{}", o.slug));
                                        view! {
                                            <details class="delete-org">
                                                <summary>{t(locale, Msg::StaffDeleteOrg)}</summary>
                                                <p class="muted small">{t(locale, Msg::StaffDeleteOrgHelp)}</p>
                                                <form method="post" action=format!("/staff/orgs/{}/deletion", o.slug) class="stacked">
                                                    <input type="hidden" name="csrf_token" value=csrf.clone() />
                                                    <label for=confirm.clone()>{t(locale, Msg::StaffConfirmSlug)}</label>
                                                    <input id=confirm name="confirm" required autocomplete="off" />
                                                    <label for=reason.clone()>{t(locale, Msg::SupportReason)}</label>
                                                    <input id=reason name="reason" required minlength="3" maxlength="500" />
                                                    <button type="submit" class="danger">{t(locale, Msg::StaffDeleteOrgSubmit)}</button>
                                                </form>
                                            </details>
                                        }.into_any()
                                    }
                                };
                                view! {
                                    <tr>
                                        <td>{o.name.clone()}</td>
                                        <td><code>{o.slug.clone()}</code></td>
                                        <td class="num">{o.active_members}</td>
                                        <td>{datetime(locale, o.created_at)}</td>
                                        <td>{support}{recover}{deletion}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </main>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
