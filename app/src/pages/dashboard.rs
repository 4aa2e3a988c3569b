use crate::api::get_dashboard;
use crate::components::{org_param, use_locale, ErrorView, Loading};
use crate::i18n::{actor_label, audit_action_label, datetime, kind_label, status_label, t, tf, Msg};
use gatehouse_domain::locale::Locale;
use gatehouse_domain::views::{AuditLine, Count};
use leptos::prelude::*;
use leptos_meta::Title;

/// The organization's figures, all counted by the database.
#[component]
pub fn DashboardPage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(move || org.get(), get_dashboard);
    let work = Resource::new(move || org.get(), crate::api::dashboard::get_my_work);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let w = work.await.unwrap_or_default();
            let base = format!("/o/{}/members", org.get_untracked());
            let total: i64 = d.by_status.iter().map(|c| c.count).sum();
            let request_rows: Vec<(String, i64)> = d.requests_by_status.iter().map(|c| (crate::pages::requests::status_label(locale, &c.key).to_string(), c.count)).collect();
            let policy_rows: Vec<(String, i64)> = d
                .acknowledgments
                .iter()
                .map(|(title, done, asked)| (tf(locale, Msg::ChartPolicyLabel, &[("title", title), ("done", &done.to_string()), ("asked", &asked.to_string())]), if *asked == 0 { 100 } else { done * 100 / asked }))
                .collect();
            view! {
                <Title text=format!("{} · {}", t(locale, Msg::Dashboard), d.org_name) />
                <h1>{t(locale, Msg::Dashboard)}</h1>
                <MyWorkView locale w slug=org.get_untracked() />
                <section class="figures" aria-label=t(locale, Msg::Dashboard)>
                    <Figure label=t(locale, Msg::ActiveCounted) hint=Some(t(locale, Msg::ActiveCountedHint)) value=d.active_counted href=Some(format!("{base}?status=active")) id="fig-active" />
                    <Figure label=t(locale, Msg::InvitedMembers) hint=None value=d.invited href=Some(format!("{base}?status=invited")) id="fig-invited" />
                    <Figure label=t(locale, Msg::UnitsCount) hint=None value=d.units href=Some(format!("/o/{}/units", org.get_untracked())) id="fig-units" />
                    <Figure label=t(locale, Msg::RolesCount) hint=None value=d.roles href=None id="fig-roles" />
                    <Figure label=t(locale, Msg::TagsCount) hint=None value=d.tags href=None id="fig-tags" />
                </section>
                <div class="columns charts">
                    <crate::charts::BarChart id="chart-members" title=t(locale, Msg::ChartMembersOverTime).to_string() label_head=t(locale, Msg::ChartMonth) value_head=t(locale, Msg::ActiveCounted) rows=d.members_over_time.clone() />
                    <crate::charts::BarChart id="chart-requests" title=t(locale, Msg::ChartRequestsByState).to_string() label_head=t(locale, Msg::Status) value_head=t(locale, Msg::ChartRequests) rows=request_rows />
                </div>
                {(!d.review_progress.is_empty() || !d.acknowledgments.is_empty()).then(|| view! {
                    <div class="columns charts">
                        {(!d.review_progress.is_empty()).then(|| view! {
                            <crate::charts::BarChart id="chart-reviews" title=t(locale, Msg::ChartReviewProgress).to_string() label_head=t(locale, Msg::ReviewName) value_head=t(locale, Msg::ChartPercentDecided) rows=d.review_progress.clone() />
                        })}
                        {(!d.acknowledgments.is_empty()).then(|| view! {
                            <crate::charts::BarChart id="chart-policies" title=t(locale, Msg::ChartPolicies).to_string() label_head=t(locale, Msg::PolicyTitle) value_head=t(locale, Msg::ChartPercentDone) rows=policy_rows.clone() />
                        })}
                    </div>
                })}
                <div class="columns">
                    <Breakdown title=t(locale, Msg::MembersByStatus) rows=d.by_status.clone() total param="status" base=base.clone() label=move |k| status_label(locale, k) />
                    <Breakdown title=t(locale, Msg::MembersByKind) rows=d.by_kind.clone() total param="kind" base=base.clone() label=move |k| kind_label(locale, k) />
                </div>
                {(!d.pending_requests.is_empty()).then(|| {
                    let slug = org.get_untracked();
                    view! {
                        <section class="card" aria-labelledby="dash-requests">
                            <h2 id="dash-requests">{format!("{} ({})", t(locale, Msg::ReqToDecide), d.pending_requests.len())}</h2>
                            <ul class="plain">
                                {d.pending_requests.iter().map(|r| view! {
                                    <li><a href=format!("/o/{slug}/requests/{}", r.id)>{format!("{}: {}", r.requester, r.what)}</a>" · "<span class="muted small">{datetime(locale, r.created_at)}</span></li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }
                })}
                {d.compliance_open.filter(|n| *n > 0).map(|n| {
                    let slug = org.get_untracked();
                    view! {
                        <section class="card" aria-labelledby="dash-compliance">
                            <h2 id="dash-compliance"><a href=format!("/o/{slug}/compliance")>{format!("{} ({n})", t(locale, Msg::CompOpenCases))}</a></h2>
                            <ul class="plain">
                                {d.compliance_cases.iter().map(|c| view! {
                                    <li>
                                        <a href=format!("/o/{slug}/compliance/{}", c.id)>{c.name.clone()}</a>
                                        " · "<span class="muted small">{datetime(locale, c.ended_at)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }
                })}
                {(!d.expiring.is_empty()).then(|| {
                    let slug = org.get_untracked();
                    view! {
                        <section class="card" aria-labelledby="dash-expiring">
                            <h2 id="dash-expiring">{t(locale, Msg::ExpiringSoon)}</h2>
                            <ul class="plain">
                                {d.expiring.iter().map(|g| view! {
                                    <li>
                                        <a href=format!("/o/{slug}/members/{}", g.member)>{g.member_name.clone()}</a>
                                        {format!(": {}{} · ", g.role, g.unit.as_ref().map(|u| format!(" ({u})")).unwrap_or_default())}
                                        <span class="muted small">{datetime(locale, g.ends_at)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    }
                })}
                <section class="card">
                    <h2>{t(locale, Msg::RecentActivity)}</h2>
                    <AuditList locale lines=d.recent.clone() />
                </section>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

/// What waits for the reader: reviews to decide, policies and trainings to do. Nothing when
/// nothing waits.
#[component]
pub fn MyWorkView(locale: Locale, w: crate::api::dashboard::MyWork, slug: String) -> impl IntoView {
    let empty = w.reviews.is_empty() && w.policies_open == 0;
    (!empty).then(|| {
        view! {
            <section class="card" aria-labelledby="my-work">
                <h2 id="my-work">{t(locale, Msg::MyWork)}</h2>
                <ul class="plain">
                    {w.reviews.iter().map(|(id, name, by, n)| view! {
                        <li><a href=format!("/o/{slug}/reviews/{id}")>{tf(locale, Msg::MyWorkReview, &[("review", name), ("count", &n.to_string()), ("by", &datetime(locale, *by))])}</a></li>
                    }).collect_view()}
                    {(w.policies_open > 0).then(|| view! {
                        <li><a href=format!("/o/{slug}/policies")>{tf(locale, Msg::MyWorkPolicies, &[("open", &w.policies_open.to_string()), ("overdue", &w.policies_overdue.to_string())])}</a></li>
                    })}
                </ul>
            </section>
        }
    })
}

#[component]
fn Figure(label: &'static str, hint: Option<&'static str>, value: i64, href: Option<String>, id: &'static str) -> impl IntoView {
    let number = view! { <span class="figure-value" id=id>{value}</span> };
    view! {
        <div class="card figure">
            {match href {
                Some(h) => view! { <a href=h class="figure-link">{number}</a> }.into_any(),
                None => number.into_any(),
            }}
            <span class="figure-label">{label}</span>
            {hint.map(|h| view! { <span class="figure-hint">{h}</span> })}
        </div>
    }
}

#[component]
fn Breakdown(
    title: &'static str,
    rows: Vec<Count>,
    total: i64,
    param: &'static str,
    base: String,
    label: impl Fn(&str) -> String + 'static,
) -> impl IntoView {
    view! {
        <section class="card breakdown">
            <h2>{title}</h2>
            <table>
                <tbody>
                    {rows.into_iter().map(|c| {
                        let name = label(&c.key);
                        let href = format!("{base}?{param}={}", c.key);
                        view! {
                            <tr>
                                <th scope="row"><a href=href>{name.clone()}</a></th>
                                <td class="num">{c.count}</td>
                                <td class="bar">
                                    <meter min="0" max=total.max(1) value=c.count aria-label=name></meter>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
pub fn AuditList(locale: Locale, lines: Vec<AuditLine>) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p class="muted">{t(locale, Msg::NoActivity)}</p> }.into_any();
    }
    view! {
        <ul class="audit">
            {lines.into_iter().map(|l| view! {
                <li>
                    <time datetime=l.occurred_at.to_rfc3339()>{datetime(locale, l.occurred_at)}</time>
                    " "
                    <strong>{actor_label(locale, &l.actor_kind, l.actor_name.as_deref())}</strong>
                    " "
                    {audit_action_label(locale, &l.action)}
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
