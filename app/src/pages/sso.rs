//! Single sign-on: the organization's OpenID Connect providers (issuer, client, allowed e-mail
//! domains, just-in-time membership), their group → role mappings, and whether members must
//! sign in through them.
use crate::api::sso::{get_sso, ProviderView};
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{datetime, t, tf, Msg};
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SsoPage() -> impl IntoView {
    let org = org_param();
    let query = use_query_map();
    let data = Resource::new(move || org.get(), get_sso);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let page = match data.await {
                Ok(p) => p,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let base = format!("/o/{}/sso", org.get_untracked());
            let q = query.get_untracked();
            let kept = |k: &str| q.get(k).filter(|_| q.get("error").is_some()).unwrap_or_default();
            let (roles, units) = (page.roles.clone(), page.units.clone());
            let has_enabled = page.providers.iter().any(|p| p.enabled);
            view! {
                <Title text=t(locale, Msg::SsoTitle) />
                <h1>{t(locale, Msg::SsoTitle)}</h1>
                <p class="muted">{t(locale, Msg::SsoIntro)}</p>
                <FormOutcome locale />
                {(!page.configurable).then(|| view! { <div class="banner error" role="alert">{t(locale, Msg::ConflictSsoNoSecretKey)}</div> })}
                <p>{t(locale, Msg::SsoCallbackHint)}" "<code class="callback-url">{page.callback_url.clone()}</code></p>
                <section class="card" aria-labelledby="sso-require">
                    <h2 id="sso-require">{t(locale, Msg::SsoRequireTitle)}</h2>
                    <p class="muted">{t(locale, Msg::SsoRequireHelp)}</p>
                    <form method="post" action=format!("{base}/require") class="stack">
                        <CsrfField />
                        <div class="check">
                            <input type="checkbox" id="require-sso" name="require_sso" value="on" checked=page.require_sso disabled=!has_enabled && !page.require_sso />
                            <label for="require-sso">{t(locale, Msg::SsoRequire)}</label>
                        </div>
                        <button type="submit">{t(locale, Msg::Save)}</button>
                    </form>
                </section>
                {if page.providers.is_empty() {
                    view! { <p class="muted">{t(locale, Msg::SsoNone)}</p> }.into_any()
                } else {
                    page.providers.into_iter().map(|p| view! { <Provider locale p base=base.clone() roles=roles.clone() units=units.clone() /> }).collect_view().into_any()
                }}
                <section class="card" aria-labelledby="sso-new">
                    <h2 id="sso-new">{t(locale, Msg::SsoNewProvider)}</h2>
                    <form method="post" action=format!("{base}/providers") class="stacked">
                        <CsrfField />
                        <ProviderFields locale id="new".to_string() name=kept("name") issuer=kept("issuer") client_id=kept("client_id") domains=kept("allowed_domains") claim=kept("groups_claim") just_in_time=false enabled=true new=true />
                        <button type="submit" disabled=!page.configurable>{t(locale, Msg::SsoAdd)}</button>
                    </form>
                </section>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

#[component]
#[allow(clippy::too_many_arguments)]
fn ProviderFields(locale: Locale, id: String, name: String, issuer: String, client_id: String, domains: String, claim: String, just_in_time: bool, enabled: bool, new: bool) -> impl IntoView {
    let f = move |field: &str| format!("sso-{id}-{field}"); // not user text: element ids
    view! {
        <label for=f("name")>{t(locale, Msg::SsoName)}</label>
        <input id=f("name") name="name" required maxlength="100" value=name />
        <label for=f("issuer")>{t(locale, Msg::SsoIssuer)}</label>
        <input id=f("issuer") name="issuer" type="url" required placeholder="https://login.example.com" value=issuer />
        <p class="muted small">{t(locale, Msg::SsoIssuerHint)}</p>
        <label for=f("client-id")>{t(locale, Msg::SsoClientId)}</label>
        <input id=f("client-id") name="client_id" required maxlength="255" value=client_id autocomplete="off" />
        <label for=f("client-secret")>{t(locale, Msg::SsoClientSecret)}</label>
        <input id=f("client-secret") name="client_secret" type="password" required=new autocomplete="new-password" maxlength="1000" />
        {(!new).then(|| view! { <p class="muted small">{t(locale, Msg::SsoSecretKeep)}</p> })}
        <label for=f("domains")>{t(locale, Msg::SsoAllowedDomains)}</label>
        <input id=f("domains") name="allowed_domains" required placeholder="example.com" value=domains />
        <p class="muted small">{t(locale, Msg::SsoDomainsHint)}</p>
        <label for=f("claim")>{t(locale, Msg::SsoGroupsClaim)}</label>
        <input id=f("claim") name="groups_claim" placeholder="groups" maxlength="100" value=claim />
        <div class="check">
            <input type="checkbox" id=f("jit") name="just_in_time" value="on" checked=just_in_time />
            <label for=f("jit")>{t(locale, Msg::SsoJustInTime)}</label>
        </div>
        <div class="check">
            <input type="checkbox" id=f("enabled") name="enabled" value="on" checked=enabled />
            <label for=f("enabled")>{t(locale, Msg::SsoEnabled)}</label>
        </div>
    }
}

#[component]
fn Provider(locale: Locale, p: ProviderView, base: String, roles: Vec<(i64, String)>, units: Vec<(i64, String)>) -> impl IntoView {
    let id = p.id;
    let heading = format!("sso-provider-{id}");
    let labelled = heading.clone();
    let pbase = format!("{base}/providers/{id}");
    let status = if p.enabled { t(locale, Msg::SsoStatusOn) } else { t(locale, Msg::SsoStatusOff) };
    view! {
        <section class="card sso-provider" aria-labelledby=labelled>
            <h2 id=heading>{p.name.clone()}" "<span class=if p.enabled { "badge ok" } else { "badge muted" }>{status}</span></h2>
            <dl class="facts">
                <dt>{t(locale, Msg::SsoIssuer)}</dt><dd><code>{p.issuer.clone()}</code></dd>
                <dt>{t(locale, Msg::SsoClientId)}</dt><dd><code>{p.client_id.clone()}</code></dd>
                <dt>{t(locale, Msg::SsoAllowedDomains)}</dt><dd>{p.allowed_domains.clone()}</dd>
                <dt>{t(locale, Msg::SsoJustInTime)}</dt><dd>{if p.just_in_time { t(locale, Msg::SsoYes) } else { t(locale, Msg::SsoNo) }}</dd>
                <dt>{t(locale, Msg::SsoLinked)}</dt><dd>{p.linked}</dd>
                <dt>{t(locale, Msg::SsoStartLink)}</dt><dd><code>{p.start_path.clone()}</code></dd>
                <dt>{t(locale, Msg::SsoUpdated)}</dt><dd>{datetime(locale, p.updated_at)}</dd>
            </dl>
            <h3>{t(locale, Msg::SsoMappings)}</h3>
            <p class="muted small">{tf(locale, Msg::SsoMappingsHint, &[("claim", &p.groups_claim)])}</p>
            {if p.mappings.is_empty() {
                view! { <p class="muted">{t(locale, Msg::SsoNoMappings)}</p> }.into_any()
            } else {
                view! {
                    <table class="sso-mappings">
                        <thead><tr>
                            <th scope="col">{t(locale, Msg::SsoGroup)}</th>
                            <th scope="col">{t(locale, Msg::SsoRole)}</th>
                            <th scope="col">{t(locale, Msg::SsoUnit)}</th>
                            <th scope="col"><span class="sr-only">{t(locale, Msg::Actions)}</span></th>
                        </tr></thead>
                        <tbody>
                            {p.mappings.into_iter().map(|m| {
                                let label = format!("{} {} → {}", t(locale, Msg::Remove), m.group, m.role); // not user text: joins words
                                view! {
                                    <tr>
                                        <td><code>{m.group.clone()}</code></td>
                                        <td>{m.role.clone()}</td>
                                        <td>{m.unit.clone().unwrap_or_else(|| t(locale, Msg::WholeOrganization).to_string())}</td>
                                        <td>
                                            <form method="post" action=format!("{pbase}/mappings/{}/remove", m.id) class="inline">
                                                <CsrfField />
                                                <button type="submit" class="secondary small" aria-label=label>{t(locale, Msg::Remove)}</button>
                                            </form>
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <form method="post" action=format!("{pbase}/mappings") class="inline-fields">
                <CsrfField />
                <label for=format!("map-{id}-group")>{t(locale, Msg::SsoGroup)}</label>
                <input id=format!("map-{id}-group") name="group" required maxlength="200" />
                <label for=format!("map-{id}-role")>{t(locale, Msg::SsoRole)}</label>
                <select id=format!("map-{id}-role") name="role" required>
                    {roles.into_iter().map(|(rid, name)| view! { <option value=rid.to_string()>{name}</option> }).collect_view()}
                </select>
                <label for=format!("map-{id}-unit")>{t(locale, Msg::SsoUnit)}</label>
                <select id=format!("map-{id}-unit") name="unit">
                    <option value="">{t(locale, Msg::WholeOrganization)}</option>
                    {units.into_iter().map(|(uid, name)| view! { <option value=uid.to_string()>{name}</option> }).collect_view()}
                </select>
                <button type="submit">{t(locale, Msg::SsoAddMapping)}</button>
            </form>
            <details class="edit-provider">
                <summary>{t(locale, Msg::SsoEdit)}</summary>
                <form method="post" action=pbase.clone() class="stacked">
                    <CsrfField />
                    <ProviderFields locale id=id.to_string() name=p.name.clone() issuer=p.issuer.clone() client_id=p.client_id.clone() domains=p.allowed_domains.clone() claim=p.groups_claim.clone() just_in_time=p.just_in_time enabled=p.enabled new=false />
                    <button type="submit">{t(locale, Msg::Save)}</button>
                </form>
            </details>
            <form method="post" action=format!("{pbase}/remove") class="inline danger-zone">
                <CsrfField />
                <button type="submit" class="danger small">{t(locale, Msg::SsoRemove)}</button>
                " "<span class="muted small">{t(locale, Msg::SsoRemoveHint)}</span>
            </form>
        </section>
    }
}
