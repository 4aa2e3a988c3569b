//! Technical users and their API keys: add a technical user, give it roles (on its member
//! page, like a person), make keys that carry some of your own permissions, revoke them.
use crate::api::api_keys::{get_api_keys, KeyView, TechnicalUserView};
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{datetime, t, tf, Msg};
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(move || org.get(), get_api_keys);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let page = match data.await {
                Ok(p) => p,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let base = format!("/o/{}/api-keys", org.get_untracked());
            let slug = org.get_untracked();
            let scopes = page.scopes.clone();
            let (can_generate, can_revoke) = (page.can_generate, page.can_revoke);
            view! {
                <Title text=t(locale, Msg::ApiKeysTitle) />
                <h1>{t(locale, Msg::ApiKeysTitle)}</h1>
                <p class="muted">{t(locale, Msg::ApiKeysIntro)}</p>
                <p class="muted small">{tf(locale, Msg::ApiKeysOpenapi, &[("url", "/api/v1/openapi.json")])}</p>
                <FormOutcome locale />
                {if page.users.is_empty() {
                    view! { <p class="muted">{t(locale, Msg::ApiKeysNone)}</p> }.into_any()
                } else {
                    page.users.into_iter().map(|u| view! {
                        <TechnicalUser locale user=u slug=slug.clone() base=base.clone() scopes=scopes.clone() can_generate can_revoke />
                    }).collect_view().into_any()
                }}
                <section class="card scim" aria-labelledby="scim-heading">
                    <h2 id="scim-heading">{t(locale, Msg::ApiKeysScimTitle)}</h2>
                    <p>{t(locale, Msg::ApiKeysScimIntro)}</p>
                    <p><strong>{t(locale, Msg::ApiKeysScimUrl)}": "</strong><code>{page.scim_url.clone()}</code></p>
                    <p class="muted small">{t(locale, Msg::ApiKeysScimScopes)}</p>
                    <p>{tf(locale, Msg::ApiKeysScimCounts, &[("users", &page.scim_users.to_string()), ("groups", &page.scim_groups.to_string())])}</p>
                </section>
                {can_generate.then(|| view! {
                    <section class="card">
                        <h2>{t(locale, Msg::ApiKeysNewUser)}</h2>
                        <form method="post" action=format!("{base}/users") class="stacked">
                            <CsrfField />
                            <label for="tu-name">{t(locale, Msg::ApiKeysUserName)}</label>
                            <input id="tu-name" name="name" required maxlength="100" />
                            <label for="tu-description">{t(locale, Msg::ApiKeysUserDescription)}</label>
                            <input id="tu-description" name="description" maxlength="500" />
                            <button type="submit">{t(locale, Msg::ApiKeysCreateUser)}</button>
                        </form>
                    </section>
                })}
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

#[component]
fn TechnicalUser(locale: Locale, user: TechnicalUserView, slug: String, base: String, scopes: Vec<(String, String)>, can_generate: bool, can_revoke: bool) -> impl IntoView {
    let id = user.id;
    let heading = format!("tu-{id}");
    let labelled_by = heading.clone();
    view! {
        <section class="card technical-user" aria-labelledby=labelled_by>
            <h2 id=heading>{user.name.clone()}</h2>
            {(!user.description.is_empty()).then(|| view! { <p class="muted">{user.description.clone()}</p> })}
            <p>
                <strong>{t(locale, Msg::ApiKeysRoles)}": "</strong>
                {if user.roles.is_empty() { "—".to_string() } else { user.roles.join(", ") }}
                " · "
                <a href=format!("/o/{slug}/members/{}", user.membership)>{t(locale, Msg::ApiKeysRolesLink)}</a>
            </p>
            <h3>{t(locale, Msg::ApiKeysKeys)}</h3>
            {if user.keys.is_empty() {
                view! { <p class="muted">{t(locale, Msg::ApiKeysNoKeys)}</p> }.into_any()
            } else {
                view! {
                    <table class="api-keys">
                        <thead><tr>
                            <th scope="col">{t(locale, Msg::ApiKeysKeyName)}</th>
                            <th scope="col">{t(locale, Msg::ApiKeysKeyId)}</th>
                            <th scope="col">{t(locale, Msg::ApiKeysScopes)}</th>
                            <th scope="col">{t(locale, Msg::ApiKeysExpires)}</th>
                            <th scope="col">{t(locale, Msg::ApiKeysLastUsed)}</th>
                            <th scope="col">{t(locale, Msg::ApiKeysStatus)}</th>
                            <th scope="col"><span class="sr-only">{t(locale, Msg::Actions)}</span></th>
                        </tr></thead>
                        <tbody>
                            {user.keys.into_iter().map(|k| view! { <KeyRowView locale key_row=k base=base.clone() can_revoke /> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            {(can_generate && !scopes.is_empty()).then(|| view! {
                <details class="new-key">
                    <summary>{t(locale, Msg::ApiKeysNewKey)}</summary>
                    <form method="post" action=format!("{base}/users/{id}/keys") class="stacked">
                        <CsrfField />
                        <label for=format!("key-name-{id}")>{t(locale, Msg::ApiKeysKeyName)}</label>
                        <input id=format!("key-name-{id}") name="name" required maxlength="100" />
                        <label for=format!("key-days-{id}")>{t(locale, Msg::ApiKeysValidDays)}</label>
                        <input id=format!("key-days-{id}") name="valid_days" type="number" min="1" max="366" value="90" required />
                        <fieldset>
                            <legend>{t(locale, Msg::ApiKeysScopes)}</legend>
                            <p class="muted small">{t(locale, Msg::ApiKeysScopeHint)}</p>
                            {scopes.iter().map(|(key, label)| {
                                let input = format!("scope-{id}-{}", key.replace('.', "-"));
                                view! {
                                    <div class="check">
                                        <input type="checkbox" id=input.clone() name="scope" value=key.clone() />
                                        <label for=input>{label.clone()}" "<code>{key.clone()}</code></label>
                                    </div>
                                }
                            }).collect_view()}
                        </fieldset>
                        <button type="submit">{t(locale, Msg::ApiKeysCreateKey)}</button>
                    </form>
                </details>
            })}
            {can_revoke.then(|| view! {
                <form method="post" action=format!("{base}/users/{id}/remove") class="inline danger-zone">
                    <CsrfField />
                    <button type="submit" class="danger small">{t(locale, Msg::ApiKeysRemoveUser)}</button>
                    " "<span class="muted small">{t(locale, Msg::ApiKeysRemoveHint)}</span>
                </form>
            })}
        </section>
    }
}

#[component]
fn KeyRowView(locale: Locale, key_row: KeyView, base: String, can_revoke: bool) -> impl IntoView {
    let k = key_row;
    let live = k.revoked_at.is_none() && !k.expired;
    let status = match (k.revoked_at, k.expired) {
        (Some(at), _) => tf(locale, Msg::ApiKeysStatusRevoked, &[("at", &datetime(locale, at))]),
        (None, true) => t(locale, Msg::ApiKeysStatusExpired).to_string(),
        (None, false) => t(locale, Msg::ApiKeysStatusActive).to_string(),
    };
    view! {
        <tr class=if live { "key-live" } else { "key-ended muted" }>
            <td>{k.name.clone()}</td>
            <td><code>{k.shown.clone()}</code></td>
            <td>{k.scopes.join(", ")}</td>
            <td>{datetime(locale, k.expires_at)}</td>
            <td>{k.last_used_at.map(|t| datetime(locale, t)).unwrap_or_else(|| t(locale, Msg::ApiKeysNeverUsed).to_string())}</td>
            <td>{status}</td>
            <td>{(live && can_revoke).then(|| view! {
                <form method="post" action=format!("{base}/keys/{}/revoke", k.id) class="inline">
                    <CsrfField />
                    <button type="submit" class="secondary small" aria-label=format!("{} {}", t(locale, Msg::ApiKeysRevoke), k.name)>{t(locale, Msg::ApiKeysRevoke)}</button>
                </form>
            })}</td>
        </tr>
    }
}
