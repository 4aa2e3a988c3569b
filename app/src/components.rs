//! The frame around organization pages and small shared pieces.
use crate::api::Viewer;
use crate::error::AppError;
use crate::i18n::{t, tf, Msg};
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use leptos_router::components::{Outlet, A};
use leptos_router::hooks::{use_location, use_params_map};

pub type ViewerResource = Resource<Result<Viewer, AppError>>;

/// The viewer, resolved once per page load and shared by every component.
pub async fn viewer() -> Result<Viewer, AppError> {
    expect_context::<ViewerResource>().await
}

/// Sets the HTTP status of a server-rendered page (no effect in the browser).
pub fn set_status(_code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(opts) = use_context::<leptos_actix::ResponseOptions>() {
        if let Ok(s) = actix_web::http::StatusCode::from_u16(_code) {
            opts.set_status(s);
        }
    }
}

/// Await first in every `Suspend` of a page. Leptos walks a `Suspense`'s children to find their
/// resources (`dry_resolve`) before rendering them, and walks them again once those resources
/// are loaded; each walk calls the view closure anew, and a `Suspend` whose data are already
/// there builds its whole view on each walk only to drop it. Nested under the organization
/// frame's `Suspense`, a members page was built three times per request, and each build's
/// resources went into the hydration script: its 50 rows were sent three times. On the server
/// this is pending once (waking itself at once), so a walk sees a pending `Suspend` and only the
/// rendering pass builds the view. Every route renders in `SsrMode::Async`, which awaits the
/// resources inside the `Suspend` all the same. In the browser it is ready at once.
pub async fn rendering_pass() {
    #[cfg(feature = "ssr")]
    {
        let mut yielded = false;
        std::future::poll_fn(move |cx| {
            if yielded {
                std::task::Poll::Ready(())
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                std::task::Poll::Pending
            }
        })
        .await
    }
}

/// The reader's language inside organization pages, provided by [`OrgLayout`] once the viewer
/// is known. Pages read it from context rather than awaiting the viewer again: one resource read
/// by two nested Suspense boundaries can stall a server render (leptos issue 4851).
pub fn use_locale() -> Locale {
    use_context::<Locale>().unwrap_or_default()
}

pub fn org_param() -> Memo<String> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("org").unwrap_or_default())
}

/// The session's CSRF token, provided by [`OrgLayout`] for the forms of organization pages.
#[derive(Debug, Clone)]
pub struct Csrf(pub String);

/// The hidden CSRF field every state-changing form carries.
#[component]
pub fn CsrfField() -> impl IntoView {
    let token = use_context::<Csrf>().map(|c| c.0).unwrap_or_default();
    view! { <input type="hidden" name="csrf_token" value=token /> }
}

/// "Saved" after a change, or the refusal in the reader's words (from the redirect's query).
#[component]
pub fn FormOutcome(locale: Locale) -> impl IntoView {
    let q = leptos_router::hooks::use_query_map().get_untracked();
    let error = q.get("error");
    let done = q.get("done").is_some();
    view! {
        {error.map(|e| view! {
            <div class="banner error" role="alert"><strong>{t(locale, Msg::NotChanged)}": "</strong>{e}</div>
        })}
        {done.then(|| view! { <div class="banner ok" role="status">{t(locale, Msg::Saved)}</div> })}
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-live="polite">"…"</p> }
}

/// An error in the reader's words. Nothing internal is shown.
#[component]
pub fn ErrorView(locale: Locale, error: AppError) -> impl IntoView {
    // A server-rendered page showing an error answers with that error's status.
    error.set_response_status();
    match error {
        AppError::Unauthenticated => view! {
            <section class="notice">
                <h1>{t(locale, Msg::SignIn)}</h1>
                <p>{t(locale, Msg::SignInRequired)}</p>
                <p><a href="/sign-in">{t(locale, Msg::SignIn)}</a></p>
            </section>
        }
        .into_any(),
        AppError::NotFound => view! {
            <section class="notice">
                <h1>{t(locale, Msg::NotFound)}</h1>
                <p>{t(locale, Msg::NotFoundText)}</p>
                <p><a href="/">{t(locale, Msg::BackToStart)}</a></p>
            </section>
        }
        .into_any(),
        AppError::Forbidden { why, contacts, permission } => {
            let names = contacts.join(", ");
            // Inside an organization, the refusal offers to ask for access.
            let org = leptos_router::hooks::use_params_map().get_untracked().get("org");
            view! {
                <section class="notice refused">
                    <h1>{t(locale, Msg::Forbidden)}</h1>
                    <ul class="why">{why.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                    {(!names.is_empty()).then(|| view! { <p class="contact">{tf(locale, Msg::ContactOwners, &[("names", &names)])}</p> })}
                    {org.map(|o| {
                        let href = match &permission {
                            Some(p) => format!("/o/{o}/requests?kind=permission&permission={p}#ask"),
                            None => format!("/o/{o}/requests"),
                        };
                        view! { <p><a href=href class="request-access">{t(locale, Msg::RequestAccess)}</a></p> }
                    })}
                </section>
            }
            .into_any()
        }
        AppError::EmailLink { expired, page } => view! {
            <section class="notice refused">
                <h1>{t(locale, if expired { Msg::LinkExpired } else { Msg::LinkInvalid })}</h1>
                <p>
                    {if expired {
                        tf(locale, Msg::LinkExpiredText, &[("days", &gatehouse_domain::links::TTL_DAYS.to_string())])
                    } else {
                        t(locale, Msg::LinkInvalidText).to_string()
                    }}
                </p>
                <p><a href=page class="button">{t(locale, Msg::LinkOpenPage)}</a></p>
            </section>
        }
        .into_any(),
        AppError::TwoFactorRequired { org } => view! {
            <section class="notice refused">
                <h1>{t(locale, Msg::TwoFactorTitle)}</h1>
                <p>{tf(locale, Msg::TwoFactorRequiredPage, &[("org", &org)])}</p>
                <p><a href="/account#two-factor" class="button">{t(locale, Msg::TwoFactorSetUpLink)}</a></p>
            </section>
        }
        .into_any(),
        AppError::Refused(why) => view! {
            <section class="notice refused">
                <h1>{t(locale, Msg::NotChanged)}</h1>
                <p>{why}</p>
            </section>
        }
        .into_any(),
        _ => view! {
            <section class="notice">
                <h1>{t(locale, Msg::ErrorGeneric)}</h1>
                <p><a href="/">{t(locale, Msg::BackToStart)}</a></p>
            </section>
        }
        .into_any(),
    }
}

/// Language choice: a plain form (works without WASM) posting to `/language`.
#[component]
pub fn LanguageSwitcher(locale: Locale, csrf: String) -> impl IntoView {
    let location = use_location();
    let back = move || {
        let search = location.search.get();
        if search.is_empty() { location.pathname.get() } else { format!("{}?{}", location.pathname.get(), search) }
    };
    view! {
        <form method="post" action="/language" class="lang-switcher">
            <input type="hidden" name="csrf_token" value=csrf />
            <input type="hidden" name="back" value=back />
            <label for="lang-select">{t(locale, Msg::Language)}</label>
            <select id="lang-select" name="locale">
                {Locale::ALL
                    .iter()
                    .map(|l| {
                        let l = *l;
                        view! {
                            <option value=l.code() selected=l == locale lang=l.code()>
                                {l.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button type="submit" class="secondary">{t(locale, Msg::ChangeLanguage)}</button>
        </form>
    }
}

#[component]
pub fn SignOutButton(locale: Locale, csrf: String) -> impl IntoView {
    view! {
        <form method="post" action="/auth/sign-out" class="sign-out">
            <input type="hidden" name="csrf_token" value=csrf />
            <button type="submit" class="secondary">{t(locale, Msg::SignOut)}</button>
        </form>
    }
}

/// Header, navigation and organization switcher around every `/o/:org/…` page.
#[component]
pub fn OrgLayout() -> impl IntoView {
    let org = org_param();
    let frame = move || {
        let slug = org.get();
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let v = match viewer().await {
                Ok(v) => v,
                Err(e) => return view! { <main id="main"><ErrorView locale=Locale::En error=e /></main> }.into_any(),
            };
            let locale = v.locale;
            provide_context(locale);
            provide_context(Csrf(v.csrf.clone()));
            let Some(user) = v.user.clone() else {
                return view! { <main id="main"><ErrorView locale error=AppError::Unauthenticated /></main> }.into_any();
            };
            let Some(current) = v.org(&slug).cloned() else {
                return view! {
                    <Header locale csrf=v.csrf.clone() user_name=user.name.clone() />
                    <main id="main"><ErrorView locale error=AppError::NotFound /></main>
                }
                .into_any();
            };
            let others: Vec<_> = user.orgs.iter().filter(|o| o.slug != slug).cloned().collect();
            // The switcher closes itself once a choice is made (the page below is re-rendered
            // in place after hydration, so the browser would otherwise keep it open).
            let switcher = NodeRef::<leptos::html::Details>::new();
            let base = format!("/o/{}", current.slug);
            view! {
                <Header locale csrf=v.csrf.clone() user_name=user.name.clone() />
                <SupportBannerView locale support=user.support.clone() csrf=v.csrf.clone() />
                <div class="org-bar">
                    <span class="org-name">{current.name.clone()}</span>
                    {(!others.is_empty()).then(|| view! {
                        <details class="org-switcher" node_ref=switcher>
                            <summary>{t(locale, Msg::SwitchOrganization)}</summary>
                            <ul>
                                {others.into_iter().map(|o| {
                                    let href = o.landing();
                                    view! {
                                        <li>
                                            <a href=href on:click=move |_| {
                                                if let Some(d) = switcher.get() {
                                                    let _ = d.remove_attribute("open");
                                                }
                                            }>{o.name}</a>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        </details>
                    })}
                    <nav aria-label=t(locale, Msg::MainNavigation) class="main-nav">
                        <ul>
                            {menu_links(locale, &base, &current.menu).into_iter().map(|(href, label)| view! { <li><A href=href>{label}</A></li> }).collect_view()}
                        </ul>
                    </nav>
                </div>
                <main id="main">
                    <Outlet />
                </main>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{frame}</Suspense> }
}

#[component]
pub fn Header(locale: Locale, csrf: String, user_name: String) -> impl IntoView {
    view! {
        <a class="skip-link" href="#main">{t(locale, Msg::SkipToContent)}</a>
        <header class="topbar">
            <a class="brand" href="/">{t(locale, Msg::AppName)}</a>
            <div class="topbar-right">
                <a class="user-name" href="/account" title=t(locale, Msg::YourAccount)>{user_name}</a>
                <LanguageSwitcher locale csrf=csrf.clone() />
                <SignOutButton locale csrf />
            </div>
        </header>
    }
}

/// While platform staff act as an administrator for support: on every page, who they act as,
/// why, until when, and the way to end it.
#[component]
pub fn SupportBannerView(locale: Locale, support: Option<crate::api::SupportBanner>, csrf: String) -> impl IntoView {
    support.map(|s| {
        let text = tf(locale, Msg::SupportBanner, &[("org", &s.org_name), ("until", &crate::i18n::datetime(locale, s.until)), ("reason", &s.reason)]);
        view! {
            <div class="banner support" role="status">
                <strong>{t(locale, Msg::SupportBannerTitle)}</strong>" "{text}
                <form method="post" action="/staff/support/end" class="inline">
                    <input type="hidden" name="csrf_token" value=csrf />
                    <button type="submit" class="secondary small">{t(locale, Msg::SupportEnd)}</button>
                </form>
            </div>
        }
    })
}

/// Percent-encodes a value for a URL's query (unreserved characters and `/` kept).
pub fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    /// Every `Suspend` in the app awaits [`super::rendering_pass`] first, or the server builds
    /// its view once per render walk and sends its resources' data more than once.
    #[test]
    fn every_suspend_builds_its_view_in_the_rendering_pass_only() {
        fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).expect("app sources") {
                let p = e.expect("entry").path();
                if p.is_dir() {
                    sources(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let mut seen = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).expect("source");
            let needle = ["Suspend", "::new("].concat();
            for (i, _) in text.match_indices(&needle) {
                seen += 1;
                let after: String = text[i..].lines().take(2).collect::<Vec<_>>().join("\n");
                assert!(after.contains("rendering_pass().await"), "{}: a Suspend without rendering_pass first:\n{after}", f.display());
            }
        }
        assert!(seen > 20, "the pages' Suspends were found ({seen})");
    }
}

/// The organization's menu entries the viewer may open, in order: (path, words). One list (not
/// one optional node per entry), so the server's HTML and the hydrating browser walk the same
/// nodes however many entries there are.
fn menu_links(locale: Locale, base: &str, m: &crate::api::Menu) -> Vec<(String, &'static str)> {
    [
        (m.dashboard, "dashboard", Msg::Dashboard),
        (m.members, "members", Msg::Members),
        (m.invitations, "invitations", Msg::Invitations),
        (m.requests, "requests", Msg::AccessRequests),
        (m.compliance, "compliance", Msg::Compliance),
        (m.units, "units", Msg::Units),
        (m.roles, "roles", Msg::Roles),
        (m.org_roles && !m.roles, "org-roles", Msg::OrgRoles),
        (m.content, "content", Msg::Content),
        (m.mail, "mail", Msg::Mail),
        (m.settings, "settings", Msg::Settings),
        (m.settings, "sso", Msg::NavSso),
        (m.api_keys, "api-keys", Msg::NavApiKeys),
        (m.reviews, "reviews", Msg::Reviews),
        (m.policies, "policies", Msg::Policies),
        (m.audit, "audit", Msg::NavAudit),
        (true, "me", Msg::MyPage),
    ]
    .into_iter()
    .filter(|(shown, _, _)| *shown)
    .map(|(_, path, msg)| (format!("{base}/{path}"), t(locale, msg)))
    .collect()
}
