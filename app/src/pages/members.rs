use crate::api::{get_member_filters, get_members, MemberParams};
use crate::components::{org_param, use_locale, ErrorView, Loading};
use crate::i18n::{date, kind_label, status_label, t, tf, Msg};
use gatehouse_domain::locale::Locale;
use gatehouse_domain::member::{MemberKind, MemberStatus};
use gatehouse_domain::members_query::{MemberQuery, MemberSort};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn href(base: &str, q: &MemberQuery) -> String {
    let params = q.to_params();
    if params.is_empty() {
        return base.to_string();
    }
    let qs: Vec<String> = params.into_iter().map(|(k, v)| format!("{k}={}", encode(&v))).collect();
    format!("{base}?{}", qs.join("&"))
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Members with search, filters by unit / tag / kind / status, sorting and paging. The filter
/// form is a plain GET form, so every state of the list has its own URL.
#[component]
pub fn MembersPage() -> impl IntoView {
    let org = org_param();
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let q = query.read();
        MemberParams {
            q: q.get("q"),
            unit: q.get("unit"),
            tag: q.get("tag"),
            kind: q.get("kind"),
            status: q.get("status"),
            sort: q.get("sort"),
            dir: q.get("dir"),
            page: q.get("page"),
            per_page: q.get("per_page"),
        }
    });
    let page = Resource::new(move || (org.get(), params.get()), |(o, p)| get_members(o, p.q, p.unit, p.tag, p.kind, p.status, p.sort, p.dir, p.page, p.per_page));
    let filters = Resource::new(move || org.get(), get_member_filters);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let (page, filters) = match (page.await, filters.await) {
                (Ok(p), Ok(f)) => (p, f),
                (Err(e), _) | (_, Err(e)) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let base = format!("/o/{}/members", org.get_untracked());
            let q = params.get_untracked().query();
            let sel = |a: Option<String>, b: &str| a.as_deref() == Some(b);
            let p = params.get_untracked();
            let sort_link = {
                let base = base.clone();
                let q = q.clone();
                move |s: MemberSort, label: &'static str| {
                    let mut nq = q.clone();
                    nq.page = 1;
                    let active = q.sort == s;
                    nq.descending = active && !q.descending;
                    nq.sort = s;
                    let sort_state = match (active, q.descending) {
                        (true, false) => "ascending",
                        (true, true) => "descending",
                        _ => "none",
                    };
                    view! {
                        <th scope="col" aria-sort=sort_state>
                            <a href=href(&base, &nq)>{label}{match sort_state { "ascending" => " ▲", "descending" => " ▼", _ => "" }}</a>
                        </th>
                    }
                }
            };
            let mut prev = q.clone();
            prev.page = q.page.saturating_sub(1).max(1);
            let mut next = q.clone();
            next.page = (q.page + 1).min(page.page_count);
            view! {
                <Title text=t(locale, Msg::Members) />
                <h1>{t(locale, Msg::Members)}</h1>
                <form method="get" action=base.clone() class="filters card" role="search" aria-label=t(locale, Msg::MembersFilters)>
                    <div class="field grow">
                        <label for="f-q">{t(locale, Msg::Search)}</label>
                        <input id="f-q" name="q" type="search" value=p.q.clone().unwrap_or_default() placeholder=t(locale, Msg::SearchPlaceholder) />
                    </div>
                    <div class="field">
                        <label for="f-unit">{t(locale, Msg::Unit)}</label>
                        <select id="f-unit" name="unit">
                            <option value="">{t(locale, Msg::Any)}</option>
                            {filters.units.iter().map(|(id, depth, name)| {
                                let v = id.0.to_string();
                                let selected = sel(p.unit.clone(), &v);
                                view! { <option value=v selected=selected>{format!("{}{}", "\u{a0}\u{a0}".repeat(*depth), name)}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="f-tag">{t(locale, Msg::Tag)}</label>
                        <select id="f-tag" name="tag">
                            <option value="">{t(locale, Msg::Any)}</option>
                            {filters.tags.iter().map(|(id, name)| {
                                let v = id.0.to_string();
                                let selected = sel(p.tag.clone(), &v);
                                view! { <option value=v selected=selected>{name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="f-kind">{t(locale, Msg::Kind)}</label>
                        <select id="f-kind" name="kind">
                            <option value="">{t(locale, Msg::Any)}</option>
                            {MemberKind::ALL.iter().map(|k| view! {
                                <option value=k.as_str() selected=sel(p.kind.clone(), k.as_str())>{kind_label(locale, k.as_str())}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="f-status">{t(locale, Msg::Status)}</label>
                        <select id="f-status" name="status">
                            <option value="">{t(locale, Msg::Any)}</option>
                            {MemberStatus::ALL.iter().map(|s| view! {
                                <option value=s.as_str() selected=sel(p.status.clone(), s.as_str())>{status_label(locale, s.as_str())}</option>
                            }).collect_view()}
                        </select>
                    </div>
                    <input type="hidden" name="sort" value=q.sort.as_str() />
                    {q.descending.then(|| view! { <input type="hidden" name="dir" value="desc" /> })}
                    <div class="field actions">
                        <button type="submit">{t(locale, Msg::ApplyFilters)}</button>
                        <a href=base.clone() class="button secondary">{t(locale, Msg::ResetFilters)}</a>
                    </div>
                </form>
                <p class="result-count" role="status" id="member-count">{tf(locale, Msg::MemberCount, &[("count", &page.total.to_string())])}</p>
                {if page.rows.is_empty() {
                    view! { <p class="muted">{t(locale, Msg::NoMembers)}</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap">
                        <table class="members">
                            <caption class="visually-hidden">{t(locale, Msg::Members)}</caption>
                            <thead>
                                <tr>
                                    {sort_link(MemberSort::Name, t(locale, Msg::Name))}
                                    {sort_link(MemberSort::Email, t(locale, Msg::Email))}
                                    {sort_link(MemberSort::Kind, t(locale, Msg::Kind))}
                                    {sort_link(MemberSort::Status, t(locale, Msg::Status))}
                                    <th scope="col">{t(locale, Msg::Units)}</th>
                                    <th scope="col">{t(locale, Msg::Roles)}</th>
                                    <th scope="col">{t(locale, Msg::Tags)}</th>
                                    {sort_link(MemberSort::Joined, t(locale, Msg::Joined))}
                                </tr>
                            </thead>
                            <tbody>
                                {page.rows.iter().map(|r| {
                                    let link = format!("{base}/{}", r.id.0);
                                    view! {
                                        <tr>
                                            <td><a href=link>{r.name.clone()}</a></td>
                                            <td>{r.email.clone().unwrap_or_default()}</td>
                                            <td>{kind_label(locale, &r.kind)}</td>
                                            <td><span class=format!("status status-{}", r.status)>{status_label(locale, &r.status)}</span></td>
                                            <td>{r.units.join(", ")}</td>
                                            <td>{r.roles.join(", ")}</td>
                                            <td>{r.tags.iter().map(|tg| view! { <span class="tag">{tg.clone()}</span> }).collect_view()}</td>
                                            <td>{date(locale, r.created_at.date_naive())}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }.into_any()
                }}
                <Pager locale page=page.page pages=page.page_count prev=href(&base, &prev) next=href(&base, &next) />
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

#[component]
fn Pager(locale: Locale, page: u32, pages: u32, prev: String, next: String) -> impl IntoView {
    view! {
        <nav class="pager" aria-label=t(locale, Msg::Pagination)>
            {if page > 1 {
                view! { <a href=prev rel="prev" class="button secondary">{t(locale, Msg::Previous)}</a> }.into_any()
            } else {
                view! { <span class="button secondary disabled" aria-disabled="true">{t(locale, Msg::Previous)}</span> }.into_any()
            }}
            <span class="page-of">{tf(locale, Msg::PageOf, &[("page", &page.to_string()), ("pages", &pages.to_string())])}</span>
            {if page < pages {
                view! { <a href=next rel="next" class="button secondary">{t(locale, Msg::Next)}</a> }.into_any()
            } else {
                view! { <span class="button secondary disabled" aria-disabled="true">{t(locale, Msg::Next)}</span> }.into_any()
            }}
        </nav>
    }
}
