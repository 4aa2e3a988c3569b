use crate::access::get_member_page;
use crate::pages::access::AccessView;
use crate::components::{org_param, use_locale, ErrorView, Loading};
use crate::error::AppError;
use crate::i18n::{date, datetime, kind_label, org_role_label, status_label, t, tf, Msg};
use crate::pages::dashboard::AuditList;
use gatehouse_domain::locale::Locale;
use gatehouse_domain::views::MemberDetail;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// One member of the organization (admins; or the member themselves).
#[component]
pub fn MemberPage() -> impl IntoView {
    let org = org_param();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<i64>().ok()));
    // One resource (one server function) for the details and the access section.
    let data = Resource::new(move || (org.get(), id.get()), |(o, id)| async move {
        match id {
            Some(id) => get_member_page(o, Some(id)).await,
            None => Err(AppError::NotFound),
        }
    });
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            match data.await {
                Ok((d, access, leaving, data)) => {
                    let back = format!("/o/{}/members", org.get_untracked());
                    let base = format!("/o/{}", org.get_untracked());
                    let member = d.id.0;
                    view! {
                        <div class="member-page">{view! { <MemberDetailView locale d back=Some(back) data own=false /> }.into_any()}</div>
                        <div class="access-wrap">{access.map(|d| view! { <AccessView locale d base /> }.into_any())}</div>
                        <div class="leaving-wrap">{leaving.map(|d| crate::pages::compliance::leaving_section(locale, org.get_untracked(), member, d))}</div>
                    }.into_any()
                }
                // ErrorView answers with the error's status (404 for another organization's member).
                Err(e) => view! { <ErrorView locale error=e /> }.into_any(),
            }
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

/// The signed-in person's own page in this organization.
#[component]
pub fn MePage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(move || org.get(), |o| get_member_page(o, None));
    let work = Resource::new(move || org.get(), crate::api::dashboard::get_my_work);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let w = work.await.unwrap_or_default();
            match data.await {
                Ok((d, access, _, data)) => {
                    let base = format!("/o/{}", org.get_untracked());
                    view! { <crate::pages::dashboard::MyWorkView locale w slug=org.get_untracked() /> <div class="member-page">{view! { <MemberDetailView locale d back=None data own=true /> }.into_any()}</div> <div class="access-wrap">{access.map(|d| view! { <AccessView locale d base /> }.into_any())}</div> }.into_any()
                }
                Err(e) => view! { <ErrorView locale error=e /> }.into_any(),
            }
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

#[component]
fn MemberDetailView(locale: Locale, d: MemberDetail, back: Option<String>, data: Option<String>, own: bool) -> impl IntoView {
    let none = || t(locale, Msg::NotSet).to_string();
    view! {
        <Title text=d.name.clone() />
        {back.map(|b| view! { <p><a href=b>{"← "}{t(locale, Msg::BackToMembers)}</a></p> })}
        <h1>{d.name.clone()}</h1>
        <p class="subtitle">
            <span class=format!("status status-{}", d.status)>{status_label(locale, &d.status)}</span>
            " · "
            {kind_label(locale, &d.kind)}
            {d.role_holder_only.then(|| view! { " · " {t(locale, Msg::RoleHolderOnly)} })}
        </p>
        <div class="columns">
            <section class="card">
                <h2>{t(locale, Msg::MemberDetails)}</h2>
                <dl class="facts">
                    <dt>{t(locale, Msg::Email)}</dt>
                    <dd>{d.email.clone().unwrap_or_else(none)}</dd>
                    <dt>{t(locale, Msg::MobilePhone)}</dt>
                    <dd>{d.mobile_phone.clone().unwrap_or_else(none)}</dd>
                    <dt>{t(locale, Msg::JobTitle)}</dt>
                    <dd>{d.job_title.clone().unwrap_or_else(none)}</dd>
                    <dt>{t(locale, Msg::PreferredLanguage)}</dt>
                    <dd>{d.locale.as_deref().and_then(gatehouse_domain::locale::Locale::parse).map(|l| l.native_name().to_string()).unwrap_or_else(none)}</dd>
                    <dt>{t(locale, Msg::Units)}</dt>
                    <dd>{if d.units.is_empty() { none() } else { d.units.iter().map(|u| u.name.clone()).collect::<Vec<_>>().join(", ") }}</dd>
                    <dt>{t(locale, Msg::Tags)}</dt>
                    <dd>{if d.tags.is_empty() { view! { {none()} }.into_any() } else { d.tags.iter().map(|tg| view! { <span class="tag">{tg.clone()}</span> }).collect_view().into_any() }}</dd>
                    <dt>{t(locale, Msg::MemberSince)}</dt>
                    <dd>{d.joined_at.map(|j| date(locale, j.date_naive())).unwrap_or_else(none)}</dd>
                    <dt>{t(locale, Msg::EndDate)}</dt>
                    <dd>{d.end_date.map(|e| date(locale, e)).unwrap_or_else(none)}</dd>
                    <dt>{t(locale, Msg::OrgRoles)}</dt>
                    <dd>{if d.org_roles.is_empty() { t(locale, Msg::NoOrgRoles).to_string() } else { d.org_roles.iter().map(|r| org_role_label(locale, r)).collect::<Vec<_>>().join(", ") }}</dd>
                </dl>
                {data.map(|href| view! {
                    <p><a href=href download="">{t(locale, if own { Msg::DataDownloadOwn } else { Msg::DataDownloadMember })}</a></p>
                })}
                {own.then(|| {
                    let slug = crate::components::org_param().get_untracked();
                    view! {
                        <p><a href=format!("/o/{slug}/policies")>{t(locale, Msg::PoliciesOpenLink)}</a></p>
                        <p><a href=format!("/o/{slug}/digests")>{t(locale, Msg::DigestsYourLink)}</a></p>
                    }
                })}
                <p class="muted small">
                    {tf(locale, Msg::LastChanged, &[("at", &datetime(locale, d.updated_at)), ("who", &d.updated_by), ("version", &d.version.to_string())])}
                </p>
            </section>
            <section class="card">
                <h2>{t(locale, Msg::RoleAssignments)}</h2>
                {if d.assignments.is_empty() {
                    view! { <p class="muted">{t(locale, Msg::NoRoles)}</p> }.into_any()
                } else {
                    view! {
                        <table>
                            <thead><tr>
                                <th scope="col">{t(locale, Msg::Role)}</th>
                                <th scope="col">{t(locale, Msg::Unit)}</th>
                                <th scope="col">{t(locale, Msg::Until)}</th>
                            </tr></thead>
                            <tbody>
                                {d.assignments.iter().map(|a| view! {
                                    <tr class:expired=a.expired>
                                        <td>{a.role_name.clone()}</td>
                                        <td>{a.unit.clone().unwrap_or_else(|| t(locale, Msg::WholeOrganization).to_string())}</td>
                                        <td>
                                            {a.ends_at.map(|e| datetime(locale, e)).unwrap_or_else(|| t(locale, Msg::NoEnd).to_string())}
                                            {a.expired.then(|| view! { " " <span class="badge warn">{t(locale, Msg::Expired)}</span> })}
                                        </td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        </div>
        <section class="card">
            <h2>{t(locale, Msg::History)}</h2>
            <AuditList locale lines=d.recent.clone() />
        </section>
    }
}
