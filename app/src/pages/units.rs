use crate::api::get_units;
use crate::components::{org_param, use_locale, ErrorView, Loading};
use crate::i18n::{t, tf, Msg};
use gatehouse_domain::ids::UnitId;
use gatehouse_domain::locale::Locale;
use gatehouse_domain::views::UnitLine;
use leptos::prelude::*;
use leptos_meta::Title;
use std::collections::{HashMap, HashSet};

/// The unit tree. Rendered fully expanded on the server; once the WASM has loaded, branches
/// fold and unfold in place.
#[component]
pub fn UnitsPage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(move || org.get(), get_units);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            match data.await {
                Ok(lines) => view! { <UnitTree locale lines org=org.get_untracked() /> }.into_any(),
                Err(e) => view! { <ErrorView locale error=e /> }.into_any(),
            }
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

#[component]
fn UnitTree(locale: Locale, lines: Vec<UnitLine>, org: String) -> impl IntoView {
    let collapsed = RwSignal::new(HashSet::<UnitId>::new());
    let parents: HashMap<UnitId, Option<UnitId>> = lines.iter().map(|l| (l.id, l.parent)).collect();
    let with_children: Vec<UnitId> = lines.iter().filter(|l| l.has_children).map(|l| l.id).collect();
    let hidden = move |id: UnitId| {
        let set = collapsed.read();
        let mut cur = parents.get(&id).copied().flatten();
        while let Some(p) = cur {
            if set.contains(&p) {
                return true;
            }
            cur = parents.get(&p).copied().flatten();
        }
        false
    };
    let hidden = StoredValue::new(hidden);
    view! {
        <Title text=t(locale, Msg::Units) />
        <h1>{t(locale, Msg::UnitTree)}</h1>
        {if lines.is_empty() {
            view! { <p class="muted">{t(locale, Msg::NoUnits)}</p> }.into_any()
        } else {
            view! {
                <div class="toolbar">
                    <button type="button" class="secondary" id="collapse-all" on:click={
                        let all = with_children.clone();
                        move |_| collapsed.set(all.iter().copied().collect())
                    }>{t(locale, Msg::CollapseAll)}</button>
                    <button type="button" class="secondary" id="expand-all" on:click=move |_| collapsed.set(HashSet::new())>
                        {t(locale, Msg::ExpandAll)}
                    </button>
                </div>
                <ul class="unit-tree card">
                    {lines.into_iter().map(|l| {
                        let id = l.id;
                        let href = format!("/o/{org}/members?unit={}", id.0);
                        let depth_class = format!("unit depth-{}", l.depth.min(8));
                        view! {
                            <li class=depth_class hidden=move || hidden.with_value(|h| h(id)) data-unit=l.name.clone()>
                                {if l.has_children {
                                    let label = tf(locale, Msg::ToggleUnit, &[("name", &l.name)]);
                                    view! {
                                        <button type="button" class="toggle" aria-label=label
                                            aria-expanded=move || (!collapsed.read().contains(&id)).to_string()
                                            on:click=move |_| collapsed.update(|s| { if !s.remove(&id) { s.insert(id); } })>
                                            {move || if collapsed.read().contains(&id) { "▸" } else { "▾" }}
                                        </button>
                                    }.into_any()
                                } else {
                                    view! { <span class="toggle-spacer" aria-hidden="true"></span> }.into_any()
                                }}
                                <a href=href class="unit-name">{l.name.clone()}</a>
                                <span class="unit-kind">{l.kind.clone()}</span>
                                <span class="unit-count">
                                    {tf(locale, Msg::DirectMembers, &[("count", &l.direct_members.to_string())])}
                                    " · "
                                    {tf(locale, Msg::TotalMembers, &[("count", &l.total_members.to_string())])}
                                </span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}
