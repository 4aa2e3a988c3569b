//! Roles: the list with "new role" (blank, copied from a template role or another role), the
//! role editor as a matrix (permission × scope with visibility), its difference to the template
//! it came from, retiring; the overview matrix of all roles with CSV export.
use crate::access::{get_role, get_role_matrix, get_roles, GrantView, PermissionInfo, RolePage as RoleData};
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{t, tf, Msg};
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn RolesPage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(move || org.get(), get_roles);
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
            let (kept_key, kept_name, kept_from) = (q.get("key").unwrap_or_default(), q.get("name").unwrap_or_default(), q.get("from").unwrap_or_default());
            view! {
                <Title text=t(locale, Msg::Roles) />
                <h1>{t(locale, Msg::Roles)}</h1>
                <FormOutcome locale />
                <p class="actions">
                    <a href=format!("{base}/roles/matrix")>{t(locale, Msg::RoleMatrix)}</a>
                    " · "
                    <a href=format!("{base}/who-can")>{t(locale, Msg::WhoCan)}</a>
                    " · "
                    <a href=format!("{base}/org-roles")>{t(locale, Msg::OrgRoles)}</a>
                    " · "
                    <a href=format!("{base}/document") rel="external">{t(locale, Msg::NavDocument)}</a>
                </p>
                <table class="roles">
                    <thead><tr>
                        <th scope="col">{t(locale, Msg::Role)}</th>
                        <th scope="col">{t(locale, Msg::Description)}</th>
                        <th scope="col" class="num">{t(locale, Msg::Permissions)}</th>
                        <th scope="col" class="num">{t(locale, Msg::Assignments)}</th>
                    </tr></thead>
                    <tbody>
                        {d.roles.iter().map(|r| view! {
                            <tr class:retired=r.retired>
                                <td>
                                    <a href=format!("{base}/roles/{}", r.id)>{r.name.clone()}</a>
                                    {r.retired.then(|| view! { <span class="badge warn">{t(locale, Msg::Retired)}</span> })}
                                </td>
                                <td>{r.description.clone()}</td>
                                <td class="num">{r.grants}</td>
                                <td class="num">{r.assignments}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {d.can_edit.then(|| {
                    let roles = d.roles.clone();
                    let templates = d.templates.clone();
                    view! {
                        <div class="columns">
                            <section class="card">
                                <h2>{t(locale, Msg::NewRole)}</h2>
                                <form method="post" action=format!("{base}/roles/new") class="stacked">
                                    <CsrfField />
                                    <label for="new-name">{t(locale, Msg::RoleName)}</label>
                                    <input id="new-name" name="name" required value=kept_name />
                                    <label for="new-key">{t(locale, Msg::RoleKey)}</label>
                                    <input id="new-key" name="key" required pattern="[a-z][a-z0-9_]*" value=kept_key />
                                    <label for="new-from">{t(locale, Msg::StartFrom)}</label>
                                    <select id="new-from" name="from">
                                        <option value="">{t(locale, Msg::StartBlank)}</option>
                                        <optgroup label=t(locale, Msg::Roles)>
                                            {roles.into_iter().filter(|r| !r.retired).map(|r| {
                                                let v = format!("role:{}", r.id);
                                                view! { <option value=v.clone() selected=kept_from == v>{r.name}</option> }
                                            }).collect_view()}
                                        </optgroup>
                                        {templates.clone().into_iter().map(|tp| view! {
                                            <optgroup label=tp.name.clone()>
                                                {tp.roles.into_iter().map(|(k, n)| {
                                                    let v = format!("tpl:{}:{k}", tp.key);
                                                    view! { <option value=v.clone() selected=kept_from == v>{n}</option> }
                                                }).collect_view()}
                                            </optgroup>
                                        }).collect_view()}
                                    </select>
                                    <button type="submit">{t(locale, Msg::CreateRole)}</button>
                                </form>
                            </section>
                            <section class="card">
                                <h2>{t(locale, Msg::DeclareModule)}</h2>
                                <p class="muted">{t(locale, Msg::DeclareModuleHelp)}</p>
                                <form method="post" action=format!("{base}/modules") class="stacked">
                                    <CsrfField />
                                    <label for="mod-key">{t(locale, Msg::ModuleKey)}</label>
                                    <input id="mod-key" name="module_key" required pattern="[a-z][a-z0-9_]*" value=q.get("module_key").unwrap_or_default() />
                                    <label for="mod-en">{t(locale, Msg::NameEnglish)}</label>
                                    <input id="mod-en" name="module_en" value=q.get("module_en").unwrap_or_default() />
                                    <label for="mod-de">{t(locale, Msg::NameGerman)}</label>
                                    <input id="mod-de" name="module_de" value=q.get("module_de").unwrap_or_default() />
                                    <label for="mod-actions">{t(locale, Msg::ModuleActions)}</label>
                                    <textarea id="mod-actions" name="actions" rows="4" required placeholder="view | See | Sehen\ncreate | Create | Anlegen">{q.get("actions").unwrap_or_default()}</textarea>
                                    <button type="submit" class="secondary">{t(locale, Msg::DeclareModule)}</button>
                                </form>
                            </section>
                            <section class="card">
                                <h2>{t(locale, Msg::ApplyTemplate)}</h2>
                                <p class="muted">{t(locale, Msg::ApplyTemplateHelp)}</p>
                                <form method="post" action=format!("{base}/templates/apply") class="stacked">
                                    <CsrfField />
                                    <label for="tpl">{t(locale, Msg::Template)}</label>
                                    <select id="tpl" name="template">
                                        {templates.into_iter().map(|tp| view! { <option value=tp.key>{tp.name}</option> }).collect_view()}
                                    </select>
                                    <button type="submit" class="secondary">{t(locale, Msg::ApplyTemplate)}</button>
                                </form>
                            </section>
                        </div>
                    }
                })}
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

/// Grants read back from a refused save (`draft=perm:scope:vis,…`), so nothing typed is lost.
fn draft(q: &str) -> Vec<GrantView> {
    q.split(',')
        .filter_map(|g| {
            let mut it = g.split(':');
            Some(GrantView { permission: it.next()?.into(), scope: it.next()?.into(), visibility: it.next()?.into() })
        })
        .collect()
}

#[component]
pub fn RolePage() -> impl IntoView {
    let org = org_param();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(move || (org.get(), id.get()), |(o, id)| get_role(o, id));
    let query = use_query_map();
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let q = query.get_untracked();
            let grants = q.get("draft").filter(|_| q.get("error").is_some()).map(|s| draft(&s)).unwrap_or_else(|| d.grants.clone());
            let name = q.get("name").filter(|_| q.get("error").is_some()).unwrap_or_else(|| d.name.clone());
            let description = q.get("description").filter(|_| q.get("error").is_some()).unwrap_or_else(|| d.description.clone());
            view! { <RoleView locale d grants name description base=format!("/o/{}", org.get_untracked()) /> }.into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

#[component]
fn RoleView(locale: Locale, d: RoleData, grants: Vec<GrantView>, name: String, description: String, base: String) -> impl IntoView {
    let action = format!("{base}/roles/{}", d.id);
    let retire_action = format!("{base}/roles/{}/retire", d.id);
    let editable = d.can_edit;
    let mut groups: Vec<(String, Vec<PermissionInfo>)> = Vec::new();
    for p in d.permissions.clone() {
        match groups.last_mut() {
            Some((g, v)) if *g == p.group => v.push(p),
            _ => groups.push((p.group.clone(), vec![p])),
        }
    }
    let has = move |grants: &[GrantView], p: &str, s: &str| grants.iter().any(|g| g.permission == p && g.scope == s);
    let vis = |grants: &[GrantView], p: &str| if grants.iter().any(|g| g.permission == p && g.visibility == "individual") { "individual" } else if grants.iter().any(|g| g.permission == p) { "aggregate" } else { "individual" };
    view! {
        <Title text=d.name.clone() />
        <p><a href=format!("{base}/roles")>{"← "}{t(locale, Msg::Roles)}</a></p>
        <h1>{d.name.clone()} {d.retired.then(|| view! { <span class="badge warn">{t(locale, Msg::Retired)}</span> })}</h1>
        <p class="subtitle muted">
            {tf(locale, Msg::RoleFacts, &[("key", &d.key), ("count", &d.assignments.to_string())])}
            {d.template.clone().map(|(tn, rk)| view! { " · " {tf(locale, Msg::FromTemplate, &[("template", &tn), ("role", &rk)])} })}
            {d.anchor_kind.clone().map(|k| view! { " · " {tf(locale, Msg::AnchoredAt, &[("kind", &k)])} })}
        </p>
        <FormOutcome locale />
        <form method="post" action=action class="role-editor">
            <CsrfField />
            <input type="hidden" name="version" value=d.version.to_string() />
            <div class="stacked narrow">
                <label for="role-name">{t(locale, Msg::RoleName)}</label>
                <input id="role-name" name="name" value=name required disabled=!editable />
                <label for="role-desc">{t(locale, Msg::Description)}</label>
                <textarea id="role-desc" name="description" rows="2" disabled=!editable>{description}</textarea>
                <label class="check"><input type="checkbox" name="requestable" checked=d.requestable disabled=!editable />{t(locale, Msg::Requestable)}</label>
            </div>
            <table class="matrix">
                <caption>{t(locale, Msg::RoleGrantsCaption)}</caption>
                <thead><tr>
                    <th scope="col">{t(locale, Msg::Permission)}</th>
                    <th scope="col">{t(locale, Msg::GrantOwn)}</th>
                    <th scope="col">{t(locale, Msg::GrantUnit)}</th>
                    <th scope="col">{t(locale, Msg::GrantOrganization)}</th>
                    <th scope="col">{t(locale, Msg::Visibility)}</th>
                </tr></thead>
                <tbody>
                    {groups.into_iter().map(|(g, perms)| {
                        let grants = grants.clone();
                        view! {
                            <tr class="group"><th scope="colgroup" colspan="5">{g}</th></tr>
                            {perms.into_iter().map(|p| {
                                let id = p.key.replace('.', "-");
                                let cell = |scope: &'static str| {
                                    let checked = has(&grants, &p.key, scope);
                                    let label = format!("{} — {}", p.label, t(locale, match scope { "own" => Msg::GrantOwn, "unit" => Msg::GrantUnit, _ => Msg::GrantOrganization }));
                                    view! { <td class="cell"><input type="checkbox" name=format!("g.{}.{scope}", p.key) checked=checked disabled=!editable aria-label=label /></td> }
                                };
                                let v = vis(&grants, &p.key);
                                view! {
                                    <tr class:granted=grants.iter().any(|g| g.permission == p.key)>
                                        <th scope="row" id=id.clone()><span>{p.label.clone()}</span> <code class="muted small">{p.key.clone()}</code></th>
                                        {cell("own")}
                                        {cell("unit")}
                                        {cell("organization")}
                                        <td>
                                            {if p.about_people {
                                                view! {
                                                    <select name=format!("v.{}", p.key) disabled=!editable aria-label=format!("{} — {}", p.label, t(locale, Msg::Visibility))>
                                                        <option value="individual" selected=v == "individual">{t(locale, Msg::VisIndividual)}</option>
                                                        <option value="aggregate" selected=v == "aggregate">{t(locale, Msg::VisAggregate)}</option>
                                                    </select>
                                                }.into_any()
                                            } else {
                                                view! { <span class="muted">"—"</span> }.into_any()
                                            }}
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        }
                    }).collect_view()}
                </tbody>
            </table>
            {editable.then(|| view! { <p><button type="submit">{t(locale, Msg::SaveRole)}</button></p> })}
        </form>
        {(!d.diff.is_empty()).then(|| view! {
            <section class="card">
                <h2>{t(locale, Msg::DiffToTemplate)}</h2>
                <table>
                    <thead><tr>
                        <th scope="col">{t(locale, Msg::Permission)}</th>
                        <th scope="col">{t(locale, Msg::InTemplate)}</th>
                        <th scope="col">{t(locale, Msg::Now)}</th>
                    </tr></thead>
                    <tbody>
                        {d.diff.iter().map(|l| view! {
                            <tr>
                                <td>{l.label.clone()}</td>
                                <td>{l.template.clone().unwrap_or_else(|| "—".into())}</td>
                                <td>{l.now.clone().unwrap_or_else(|| "—".into())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        })}
        {(editable && d.template.is_some() && d.diff.is_empty()).then(|| view! { <p class="muted">{t(locale, Msg::SameAsTemplate)}</p> })}
        {editable.then(|| view! {
            <section class="card">
                <h2>{t(locale, Msg::RetireRole)}</h2>
                <p class="muted">{t(locale, Msg::RetireHelp)}</p>
                <form method="post" action=retire_action class="stacked">
                    <CsrfField />
                    <label class="check"><input type="checkbox" name="end_assignments" />{tf(locale, Msg::EndAssignmentsToo, &[("count", &d.assignments.to_string())])}</label>
                    <button type="submit" class="danger">{t(locale, Msg::RetireRole)}</button>
                </form>
            </section>
        })}
    }
}

#[component]
pub fn RoleMatrixPage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(move || org.get(), get_role_matrix);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let base = format!("/o/{}", org.get_untracked());
            view! {
                <Title text=t(locale, Msg::RoleMatrix) />
                <p><a href=format!("{base}/roles")>{"← "}{t(locale, Msg::Roles)}</a></p>
                <h1>{t(locale, Msg::RoleMatrix)}</h1>
                <p><a href=format!("{base}/roles/matrix.csv") download="">{t(locale, Msg::ExportCsv)}</a></p>
                <div class="scroll">
                    <table class="matrix overview">
                        <caption>{t(locale, Msg::RoleMatrixCaption)}</caption>
                        <thead><tr>
                            <th scope="col">{t(locale, Msg::Permission)}</th>
                            {d.roles.iter().map(|(id, n, retired)| view! {
                                <th scope="col"><a href=format!("{base}/roles/{id}")>{n.clone()}</a>{retired.then(|| view! { <span class="badge warn">{t(locale, Msg::Retired)}</span> })}</th>
                            }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {d.rows.iter().map(|(p, cells)| view! {
                                <tr>
                                    <th scope="row">{p.group.clone()}": "{p.label.clone()}</th>
                                    {cells.iter().map(|c| view! { <td class:granted=!c.is_empty()>{if c.is_empty() { "–".to_string() } else { c.clone() }}</td> }).collect_view()}
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
