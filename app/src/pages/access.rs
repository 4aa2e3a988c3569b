//! A member's access (roles at units with end dates, personal adjustments, effective permissions
//! with "why?"), the "who can …?" page and the organization roles page.
use crate::access::{get_org_roles, get_who_can, MemberAccess};
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{datetime, t, tf, Msg};
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The access section under a member's details.
#[component]
pub fn AccessView(locale: Locale, d: MemberAccess, base: String) -> impl IntoView {
    let q = use_query_map().get_untracked();
    let kept = move |k: &str| q.get(k).unwrap_or_default();
    let member_base = format!("{base}/members/{}", d.member);
    let can = d.can_change;
    view! {
        <section class="card" id="access">
            <h2>{t(locale, Msg::Access)}</h2>
            <FormOutcome locale />
            <h3>{t(locale, Msg::RoleAssignments)}</h3>
            {if d.assignments.is_empty() {
                view! { <p class="muted">{t(locale, Msg::NoRoles)}</p> }.into_any()
            } else {
                view! {
                    <table>
                        <thead><tr>
                            <th scope="col">{t(locale, Msg::Role)}</th>
                            <th scope="col">{t(locale, Msg::Unit)}</th>
                            <th scope="col">{t(locale, Msg::Until)}</th>
                            {can.then(|| view! { <th scope="col"><span class="sr-only">{t(locale, Msg::Actions)}</span></th> })}
                        </tr></thead>
                        <tbody>
                            {d.assignments.iter().map(|a| {
                                let remove = format!("{member_base}/assignments/{}/remove", a.id);
                                let back = member_base.clone();
                                view! {
                                    <tr class:expired=a.expired>
                                        <td>{a.role_name.clone()}{a.retired.then(|| view! { <span class="badge warn">{t(locale, Msg::Retired)}</span> })}</td>
                                        <td>{a.unit.clone().unwrap_or_else(|| t(locale, Msg::WholeOrganization).to_string())}</td>
                                        <td>
                                            {a.ends_at.map(|e| datetime(locale, e)).unwrap_or_else(|| t(locale, Msg::NoEnd).to_string())}
                                            {a.expired.then(|| view! { " " <span class="badge warn">{t(locale, Msg::Expired)}</span> })}
                                        </td>
                                        {can.then(|| view! {
                                            <td>
                                                <form method="post" action=remove class="inline">
                                                    <CsrfField />
                                                    <input type="hidden" name="back" value=back />
                                                    <button type="submit" class="secondary small">{t(locale, Msg::Remove)}</button>
                                                </form>
                                            </td>
                                        })}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {can.then(|| {
                let (role, unit, ends) = (kept("role"), kept("unit"), kept("ends_on"));
                view! {
                    <form method="post" action=format!("{member_base}/assignments") class="row-form">
                        <CsrfField />
                        <label>{t(locale, Msg::Role)}
                            <select name="role" required>
                                <option value="">"—"</option>
                                {d.roles.iter().map(|(id, n)| view! { <option value=id.to_string() selected=role == id.to_string()>{n.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{t(locale, Msg::Unit)}
                            <select name="unit">
                                <option value="">{t(locale, Msg::WholeOrganization)}</option>
                                {d.units.iter().map(|(id, depth, n)| view! { <option value=id.to_string() selected=unit == id.to_string()>{"\u{a0}\u{a0}".repeat(*depth)}{n.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{t(locale, Msg::Until)}<input type="date" name="ends_on" value=ends /></label>
                        <button type="submit">{t(locale, Msg::AssignRole)}</button>
                    </form>
                }
            })}
            <h3>{t(locale, Msg::Deviations)}</h3>
            {if d.adjustments.is_empty() {
                view! { <p class="muted">{t(locale, Msg::NoDeviations)}</p> }.into_any()
            } else {
                view! {
                    <ul class="deviations">
                        {d.adjustments.iter().map(|a| {
                            let remove = format!("{member_base}/adjustments/{}/remove", a.id);
                            let text = if a.withdraw {
                                tf(locale, Msg::DeviationWithdrawn, &[("permission", &a.label)])
                            } else {
                                tf(locale, Msg::DeviationAdded, &[("permission", &a.label), ("scope", &a.scope.clone().unwrap_or_default())])
                            };
                            view! {
                                <li class:withdrawn=a.withdraw>
                                    <span>{text}</span>
                                    {(!a.note.is_empty()).then(|| view! { " " <span class="muted">"(" {a.note.clone()} ")"</span> })}
                                    {a.ends_at.map(|e| view! { " " <span class="muted">"→ " {crate::i18n::datetime(locale, e)}</span> })}
                                    {can.then(|| view! {
                                        <form method="post" action=remove class="inline">
                                            <CsrfField />
                                            <button type="submit" class="secondary small">{t(locale, Msg::Undo)}</button>
                                        </form>
                                    })}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {can.then(|| {
                let (perm, kind, scope, unit, note) = (kept("permission"), kept("kind"), kept("scope"), kept("unit"), kept("note"));
                view! {
                    <form method="post" action=format!("{member_base}/adjustments") class="row-form">
                        <CsrfField />
                        <label>{t(locale, Msg::Change)}
                            <select name="kind">
                                <option value="add" selected=kind != "withdraw">{t(locale, Msg::AddPermission)}</option>
                                <option value="withdraw" selected=kind == "withdraw">{t(locale, Msg::WithdrawPermission)}</option>
                            </select>
                        </label>
                        <label>{t(locale, Msg::Permission)}
                            <select name="permission" required>
                                {d.permissions.iter().map(|p| view! { <option value=p.key.clone() selected=perm == p.key>{p.group.clone()}": "{p.label.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{t(locale, Msg::Scope)}
                            <select name="scope">
                                <option value="organization" selected=scope == "organization">{t(locale, Msg::GrantOrganization)}</option>
                                <option value="unit" selected=scope == "unit">{t(locale, Msg::GrantUnit)}</option>
                                <option value="own" selected=scope == "own">{t(locale, Msg::GrantOwn)}</option>
                            </select>
                        </label>
                        <label>{t(locale, Msg::Unit)}
                            <select name="unit">
                                <option value="">"—"</option>
                                {d.units.iter().map(|(id, depth, n)| view! { <option value=id.to_string() selected=unit == id.to_string()>{"\u{a0}\u{a0}".repeat(*depth)}{n.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{t(locale, Msg::Note)}<input name="note" value=note /></label>
                        <button type="submit">{t(locale, Msg::Apply)}</button>
                    </form>
                }
            })}
            <h3>{t(locale, Msg::EffectivePermissions)}</h3>
            {if d.effective.is_empty() {
                view! { <p class="muted">{t(locale, Msg::NoPermissions)}</p> }.into_any()
            } else {
                view! {
                    <table class="effective">
                        <thead><tr>
                            <th scope="col">{t(locale, Msg::Permission)}</th>
                            <th scope="col">{t(locale, Msg::Scope)}</th>
                            <th scope="col">{t(locale, Msg::Why)}</th>
                        </tr></thead>
                        <tbody>
                            {d.effective.iter().map(|e| view! {
                                <tr>
                                    <td>{e.group.clone()}": "{e.label.clone()}</td>
                                    <td>{e.scope.clone()}{(e.visibility == "aggregate").then(|| view! { " · " {t(locale, Msg::VisAggregate)} })}</td>
                                    <td><details><summary>{t(locale, Msg::Why)}</summary><ul>{e.why.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul></details></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
pub fn WhoCanPage() -> impl IntoView {
    let org = org_param();
    let query = use_query_map();
    let args = Memo::new(move |_| (query.read().get("permission"), query.read().get("unit")));
    let data = Resource::new(move || (org.get(), args.get()), |(o, (p, u))| get_who_can(o, p, u));
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let base = format!("/o/{}", org.get_untracked());
            let chosen = d.permission.clone().unwrap_or_default();
            let unit = d.unit;
            view! {
                <Title text=t(locale, Msg::WhoCan) />
                <p><a href=format!("{base}/roles")>{"← "}{t(locale, Msg::Roles)}</a></p>
                <h1>{t(locale, Msg::WhoCan)}</h1>
                <form method="get" class="row-form">
                    <label>{t(locale, Msg::Permission)}
                        <select name="permission" required>
                            <option value="">"—"</option>
                            {d.permissions.iter().map(|p| view! { <option value=p.key.clone() selected=chosen == p.key>{p.group.clone()}": "{p.label.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <label>{t(locale, Msg::Unit)}
                        <select name="unit">
                            <option value="">{t(locale, Msg::WholeOrganization)}</option>
                            {d.units.iter().map(|(id, depth, n)| view! { <option value=id.to_string() selected=unit == Some(*id)>{"\u{a0}\u{a0}".repeat(*depth)}{n.clone()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="submit">{t(locale, Msg::Ask)}</button>
                </form>
                {d.permission.is_some().then(|| view! {
                    <h2>{tf(locale, Msg::WhoCanCount, &[("count", &d.people.len().to_string())])}</h2>
                    <table>
                        <thead><tr><th scope="col">{t(locale, Msg::Name)}</th><th scope="col">{t(locale, Msg::Why)}</th></tr></thead>
                        <tbody>
                            {d.people.iter().map(|p| view! {
                                <tr>
                                    <td><a href=format!("{base}/members/{}", p.member)>{p.name.clone()}</a></td>
                                    <td><ul class="why">{p.why.iter().map(|w| view! { <li>{w.clone()}</li> }).collect_view()}</ul></td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

#[component]
pub fn OrgRolesPage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(move || org.get(), get_org_roles);
    let query = use_query_map();
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let base = format!("/o/{}", org.get_untracked());
            let q = query.get_untracked();
            let (kept_role, kept_email) = (q.get("role").unwrap_or_default(), q.get("email").unwrap_or_default());
            let action = format!("{base}/org-roles");
            view! {
                <Title text=t(locale, Msg::OrgRoles) />
                <h1>{t(locale, Msg::OrgRoles)}</h1>
                <p class="muted">{t(locale, Msg::OrgRolesHelp)}</p>
                <FormOutcome locale />
                <table>
                    <thead><tr>
                        <th scope="col">{t(locale, Msg::OrgRole)}</th>
                        <th scope="col">{t(locale, Msg::Holders)}</th>
                        <th scope="col">{t(locale, Msg::AppointedBy)}</th>
                    </tr></thead>
                    <tbody>
                        {d.groups.iter().map(|g| view! {
                            <tr>
                                <th scope="row">{g.label.clone()}</th>
                                <td>
                                    {if g.holders.is_empty() { view! { <span class="muted">{t(locale, Msg::NoOne)}</span> }.into_any() } else {
                                        view! { <ul class="holders">{g.holders.iter().map(|(id, n)| view! {
                                            <li>
                                                <a href=format!("{base}/members/{id}")>{n.clone()}</a>
                                                <form method="post" action=action.clone() class="inline">
                                                    <CsrfField />
                                                    <input type="hidden" name="role" value=g.role.clone() />
                                                    <input type="hidden" name="member" value=id.to_string() />
                                                    <input type="hidden" name="change" value="remove" />
                                                    <button type="submit" class="secondary small" aria-label=format!("{} {} — {}", t(locale, Msg::Remove), n, g.label)>{t(locale, Msg::Remove)}</button>
                                                </form>
                                            </li>
                                        }).collect_view()}</ul> }.into_any()
                                    }}
                                </td>
                                <td class="muted">{g.appointed_by.clone()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                <section class="card">
                    <h2>{t(locale, Msg::Appoint)}</h2>
                    <form method="post" action=action.clone() class="row-form">
                        <CsrfField />
                        <input type="hidden" name="change" value="appoint" />
                        <label>{t(locale, Msg::OrgRole)}
                            <select name="role">
                                {d.groups.iter().map(|g| view! { <option value=g.role.clone() selected=kept_role == g.role>{g.label.clone()}</option> }).collect_view()}
                            </select>
                        </label>
                        <label>{t(locale, Msg::Email)}<input type="email" name="email" required value=kept_email /></label>
                        <button type="submit">{t(locale, Msg::Appoint)}</button>
                    </form>
                </section>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
