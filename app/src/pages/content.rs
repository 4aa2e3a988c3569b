//! The content browser: items of the organization's content modules, with the creator rule,
//! ownership and "administrators see no content" decided by the engine.
use crate::access::get_content;
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{datetime, t, Msg};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ContentPage() -> impl IntoView {
    let org = org_param();
    let params = use_params_map();
    let module = Memo::new(move |_| params.read().get("module"));
    let data = Resource::new(move || (org.get(), module.get()), |(o, m)| get_content(o, m));
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let base = format!("/o/{}/content", org.get_untracked());
            let current = d.module.clone();
            let title = current.as_ref().and_then(|k| d.modules.iter().find(|m| &m.0 == k)).map(|m| m.1.clone()).unwrap_or_else(|| t(locale, Msg::Content).to_string());
            view! {
                <Title text=title.clone() />
                <h1>{title}</h1>
                <p class="muted">{t(locale, Msg::ContentHelp)}</p>
                <nav aria-label=t(locale, Msg::Content) class="sub-nav">
                    <ul>
                        {d.modules.iter().map(|(k, n)| {
                            let here = current.as_deref() == Some(k.as_str());
                            view! { <li><a href=format!("{base}/{k}") aria-current=if here { Some("page") } else { None }>{n.clone()}</a></li> }
                        }).collect_view()}
                    </ul>
                </nav>
                <FormOutcome locale />
                {match current {
                    None => view! { <p>{t(locale, Msg::ChooseModule)}</p> }.into_any(),
                    Some(m) => {
                        let action = format!("{base}/{m}");
                        view! {
                            {d.note.clone().map(|n| view! { <p class="banner">{n}</p> })}
                            {if d.items.is_empty() {
                                view! { <p class="muted">{t(locale, Msg::NoItems)}</p> }.into_any()
                            } else {
                                let bulk_action = format!("{action}/bulk-delete");
                                view! {
                                    <form method="post" action=bulk_action id="bulk-form">
                                        <CsrfField />
                                    </form>
                                    <table class="items">
                                        <thead><tr>
                                            <th scope="col"><span class="sr-only">{t(locale, Msg::BulkDelete)}</span></th>
                                            <th scope="col">{t(locale, Msg::Title)}</th>
                                            <th scope="col">{t(locale, Msg::Creator)}</th>
                                            <th scope="col">{t(locale, Msg::Owner)}</th>
                                            <th scope="col">{t(locale, Msg::Invited)}</th>
                                            <th scope="col">{t(locale, Msg::Unit)}</th>
                                            <th scope="col">{t(locale, Msg::Updated)}</th>
                                            <th scope="col"><span class="sr-only">{t(locale, Msg::Actions)}</span></th>
                                        </tr></thead>
                                        <tbody>
                                            {d.items.iter().map(|i| {
                                                let edit = format!("{action}/{}", i.id);
                                                let del = format!("{action}/{}/delete", i.id);
                                                view! {
                                                    <tr>
                                                        <td>{i.can_bulk_delete.then(|| view! { <input type="checkbox" name="item" value=i.id.to_string() form="bulk-form" aria-label=format!("{} {}", t(locale, Msg::BulkDelete), i.title) /> })}</td>
                                                        <td>
                                                            {if i.can_edit {
                                                                view! {
                                                                    <form method="post" action=edit.clone() class="inline-edit">
                                                                        <CsrfField />
                                                                        <input type="hidden" name="version" value=i.version.to_string() />
                                                                        <input name="title" value=i.title.clone() required aria-label=t(locale, Msg::Title) />
                                                                        <button type="submit" class="secondary small">{t(locale, Msg::Save)}</button>
                                                                    </form>
                                                                }.into_any()
                                                            } else {
                                                                view! { <span>{i.title.clone()}</span> }.into_any()
                                                            }}
                                                        </td>
                                                        <td>{i.creator.clone().unwrap_or_default()}</td>
                                                        <td>{i.owner.clone().unwrap_or_default()}</td>
                                                        <td>
                                                            {i.invited.join(", ")}
                                                            {i.can_edit.then(|| view! {
                                                                <form method="post" action=format!("{edit}/invite") class="inline-edit">
                                                                    <CsrfField />
                                                                    <input type="email" name="email" required aria-label=format!("{} — {}", t(locale, Msg::InviteEmail), i.title) />
                                                                    <button type="submit" class="secondary small">{t(locale, Msg::Invite)}</button>
                                                                </form>
                                                            })}
                                                        </td>
                                                        <td>{i.unit.clone().unwrap_or_else(|| t(locale, Msg::WholeOrganization).to_string())}</td>
                                                        <td>{datetime(locale, i.updated_at)}</td>
                                                        <td>{i.can_delete.then(|| view! {
                                                            <form method="post" action=del class="inline">
                                                                <CsrfField />
                                                                <button type="submit" class="secondary small" aria-label=format!("{} {}", t(locale, Msg::Delete), i.title)>{t(locale, Msg::Delete)}</button>
                                                            </form>
                                                        })}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    {d.items.iter().any(|i| i.can_bulk_delete).then(|| view! {
                                        <p><button type="submit" form="bulk-form" class="danger">{t(locale, Msg::BulkDelete)}</button></p>
                                    })}
                                }.into_any()
                            }}
                            {d.can_create.then(|| view! {
                                <section class="card">
                                    <h2>{t(locale, Msg::NewItem)}</h2>
                                    <form method="post" action=format!("{action}/new") class="row-form">
                                        <CsrfField />
                                        <label>{t(locale, Msg::Title)}<input name="title" required /></label>
                                        <label>{t(locale, Msg::Unit)}
                                            <select name="unit">
                                                <option value="">{t(locale, Msg::WholeOrganization)}</option>
                                                {d.units.iter().map(|(id, depth, n)| view! { <option value=id.to_string()>{"\u{a0}\u{a0}".repeat(*depth)}{n.clone()}</option> }).collect_view()}
                                            </select>
                                        </label>
                                        <label>{t(locale, Msg::OwnerEmail)}<input type="email" name="owner_email" /></label>
                                        <button type="submit">{t(locale, Msg::Create)}</button>
                                    </form>
                                </section>
                            })}
                        }.into_any()
                    }
                }}
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
