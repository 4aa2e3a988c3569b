//! The audit log: every change in the organization (who, what, to what, where, before and
//! after), newest first, filtered by a plain GET form so every view of it has its own URL, 50
//! events a page, and the same filter exported as CSV.
use crate::api::audit::{get_audit, EventView};
use crate::components::{org_param, use_locale, ErrorView, Loading};
use crate::i18n::{datetime, t, Msg};
use gatehouse_domain::audit_log::FilterInput;
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn changes(locale: Locale, e: &EventView) -> impl IntoView {
    if e.changes.is_empty() {
        return view! { <span class="muted">"—"</span> }.into_any();
    }
    view! {
        <dl class="audit-diff">
            {e.changes.iter().map(|c| view! {
                <dt>{c.field.clone()}</dt>
                <dd>
                    {c.before.clone().map(|b| view! { <del><span class="sr-only">{t(locale, Msg::AuditBefore)}" "</span>{b}</del> })}
                    {(c.before.is_some() && c.after.is_some()).then(|| view! { <span aria-hidden="true">" → "</span> })}
                    {c.after.clone().map(|a| view! { <ins><span class="sr-only">{t(locale, Msg::AuditAfter)}" "</span>{a}</ins> })}
                </dd>
            }).collect_view()}
        </dl>
    }
    .into_any()
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let org = org_param();
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let q = query.read();
        let filter = FilterInput {
            who: q.get("who"),
            actor_kind: q.get("actor_kind"),
            action: q.get("action"),
            target_kind: q.get("target_kind"),
            target_id: q.get("target_id"),
            unit: q.get("unit"),
            from: q.get("from"),
            to: q.get("to"),
        };
        let before = q.get("before").and_then(|b| b.parse::<i64>().ok());
        (filter, before)
    });
    let data = Resource::new(
        move || (org.get(), params.get()),
        |(o, (f, before))| get_audit(o, f.who, f.actor_kind, f.action, f.target_kind, f.target_id, f.unit, f.from, f.to, before),
    );
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let page = match data.await {
                Ok(p) => p,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let slug = org.get_untracked();
            let base = format!("/o/{slug}/audit");
            let (f, before) = params.get_untracked();
            let q = f.query();
            let sel = |a: &Option<String>, b: &str| a.as_deref() == Some(b);
            let export = if q.is_empty() { format!("/o/{slug}/audit.csv") } else { format!("/o/{slug}/audit.csv?{q}") };
            let older = page.next.map(|n| if q.is_empty() { format!("{base}?before={n}") } else { format!("{base}?{q}&before={n}") });
            let newest = before.is_some().then(|| if q.is_empty() { base.clone() } else { format!("{base}?{q}") });
            view! {
                <Title text=t(locale, Msg::AuditLog) />
                <h1>{t(locale, Msg::AuditLog)}</h1>
                <p class="muted">{t(locale, Msg::AuditIntro)}</p>
                {page.scope_note.clone().map(|n| view! { <p class="note">{n}</p> })}
                <form method="get" action=base.clone() class="filters card" role="search" aria-label=t(locale, Msg::AuditFilters)>
                    <div class="field grow">
                        <label for="a-who">{t(locale, Msg::AuditWho)}</label>
                        <input id="a-who" name="who" type="search" value=f.who.clone().unwrap_or_default() />
                    </div>
                    <div class="field">
                        <label for="a-kind">{t(locale, Msg::AuditActorKind)}</label>
                        <select id="a-kind" name="actor_kind">
                            <option value="">{t(locale, Msg::Any)}</option>
                            {page.actor_kinds.iter().map(|(v, w)| view! { <option value=v.clone() selected=sel(&f.actor_kind, v)>{w.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="a-action">{t(locale, Msg::AuditAction)}</label>
                        <select id="a-action" name="action">
                            <option value="">{t(locale, Msg::Any)}</option>
                            {page.actions.iter().map(|(v, w)| view! { <option value=v.clone() selected=sel(&f.action, v)>{w.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="a-target">{t(locale, Msg::AuditTargetKind)}</label>
                        <select id="a-target" name="target_kind">
                            <option value="">{t(locale, Msg::Any)}</option>
                            {page.target_kinds.iter().map(|(v, w)| view! { <option value=v.clone() selected=sel(&f.target_kind, v)>{w.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field narrow">
                        <label for="a-target-id">{t(locale, Msg::AuditTargetId)}</label>
                        <input id="a-target-id" name="target_id" inputmode="numeric" value=f.target_id.clone().unwrap_or_default() />
                    </div>
                    <div class="field">
                        <label for="a-unit">{t(locale, Msg::Unit)}</label>
                        <select id="a-unit" name="unit">
                            <option value="">{t(locale, Msg::Any)}</option>
                            {page.units.iter().map(|(id, depth, name)| {
                                let v = id.to_string();
                                let selected = sel(&f.unit, &v);
                                view! { <option value=v selected=selected>{format!("{}{}", "\u{a0}\u{a0}".repeat(*depth), name)}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="a-from">{t(locale, Msg::AuditFrom)}</label>
                        <input id="a-from" name="from" type="date" value=f.from.clone().unwrap_or_default() />
                    </div>
                    <div class="field">
                        <label for="a-to">{t(locale, Msg::AuditTo)}</label>
                        <input id="a-to" name="to" type="date" value=f.to.clone().unwrap_or_default() />
                    </div>
                    <div class="field actions">
                        <button type="submit">{t(locale, Msg::AuditApply)}</button>
                        <a href=base.clone()>{t(locale, Msg::AuditClear)}</a>
                        {page.can_export.then(|| view! { <a href=export.clone() download="">{t(locale, Msg::AuditExport)}</a> })}
                    </div>
                </form>
                {page.error.clone().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                {if page.events.is_empty() && page.error.is_none() {
                    view! { <p class="muted" role="status">{t(locale, Msg::AuditNone)}</p> }.into_any()
                } else if page.events.is_empty() {
                    ().into_any()
                } else {
                    view! {
                        <table class="audit-log">
                            <caption class="sr-only">{t(locale, Msg::AuditLog)}</caption>
                            <thead><tr>
                                <th scope="col">{t(locale, Msg::AuditWhen)}</th>
                                <th scope="col">{t(locale, Msg::AuditWho)}</th>
                                <th scope="col">{t(locale, Msg::AuditAction)}</th>
                                <th scope="col">{t(locale, Msg::AuditAbout)}</th>
                                <th scope="col">{t(locale, Msg::Unit)}</th>
                                <th scope="col">{t(locale, Msg::AuditChanges)}</th>
                            </tr></thead>
                            <tbody>
                                {page.events.iter().map(|e| view! {
                                    <tr id=format!("event-{}", e.id)>
                                        <td><time datetime=e.occurred_at.to_rfc3339()>{datetime(locale, e.occurred_at)}</time></td>
                                        <td>{e.actor.clone()}<br /><span class="muted small">{e.actor_kind.clone()}</span></td>
                                        <td>{e.action.clone()}</td>
                                        <td>{e.target.clone()}</td>
                                        <td>{e.unit.clone().unwrap_or_default()}</td>
                                        <td>{changes(locale, e)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }
                    .into_any()
                }}
                <nav class="pager" aria-label=t(locale, Msg::AuditPages)>
                    {newest.map(|h| view! { <a href=h>{t(locale, Msg::AuditNewest)}</a> })}
                    {older.map(|h| view! { <a href=h rel="next">{t(locale, Msg::AuditOlder)}</a> })}
                </nav>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
