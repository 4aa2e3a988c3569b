//! Digests: how often one receives the organization's digest (or that one does not), the digests
//! of units one set up (`digests.setup` there), mailing oneself the period so far, and the
//! organization's default for whoever sets it. Plain forms.
use crate::api::digests::{get_digests, ChoiceView};
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{datetime, digest_frequency_label, t, tf, Msg};
use gatehouse_domain::digests::Frequency;
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use leptos_meta::Title;

/// The frequency choices as options, `selected` chosen.
fn options(locale: Locale, selected: &str, with_off: bool) -> impl IntoView {
    Frequency::ALL
        .into_iter()
        .filter(|f| with_off || *f != Frequency::Off)
        .map(|f| view! { <option value=f.as_str() selected=f.as_str() == selected>{digest_frequency_label(locale, f.as_str())}</option> })
        .collect_view()
}

fn last_sent(locale: Locale, c: &ChoiceView) -> String {
    match &c.last_sent {
        Some((period, at)) => tf(locale, Msg::DigestLastSent, &[("period", period), ("at", &datetime(locale, *at))]),
        None => t(locale, Msg::DigestNothingSentYet).to_string(),
    }
}

#[component]
pub fn DigestsPage() -> impl IntoView {
    let org = org_param();
    let data = Resource::new(move || org.get(), get_digests);
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let base = format!("/o/{}/digests", org.get_untracked());
            let sent = leptos_router::hooks::use_query_map().get_untracked().get("sent").is_some();
            let nothing = !d.may_receive && d.setup_units.is_empty() && d.units.is_empty() && !d.may_set_default;
            let own_frequency = d.own.as_ref().map(|c| c.frequency.clone());
            let effective = own_frequency.clone().unwrap_or_else(|| if d.receives_by_default { d.default.clone() } else { "off".to_string() });
            view! {
                <Title text=t(locale, Msg::Digests) />
                <h1>{t(locale, Msg::Digests)}</h1>
                <p class="muted">{t(locale, Msg::DigestsIntro)}</p>
                <FormOutcome locale />
                {sent.then(|| view! { <div class="banner ok" role="status">{t(locale, Msg::DigestSentNow)}</div> })}
                {nothing.then(|| view! { <p class="notice">{t(locale, Msg::DigestsNone)}</p> })}
                {d.may_receive.then(|| {
                    let org_name = d.org_name.clone();
                    view! {
                        <section class="card" aria-labelledby="dg-org">
                            <h2 id="dg-org">{t(locale, Msg::DigestOrgHeading)}" — "{org_name}</h2>
                            <p>{match &own_frequency {
                                Some(_) => tf(locale, Msg::DigestYouChose, &[("frequency", &digest_frequency_label(locale, &effective))]),
                                None if d.receives_by_default => tf(locale, Msg::DigestByDefault, &[("frequency", &digest_frequency_label(locale, &d.default))]),
                                None => t(locale, Msg::DigestNotReceiving).to_string(),
                            }}</p>
                            {d.own.as_ref().map(|c| view! { <p class="muted">{last_sent(locale, c)}</p> })}
                            <form method="post" action=format!("{base}/choice") class="inline-form">
                                <CsrfField />
                                <input type="hidden" name="unit" value="" />
                                <label for="dg-org-frequency">{t(locale, Msg::DigestFrequency)}</label>
                                <select id="dg-org-frequency" name="frequency">{options(locale, &effective, true)}</select>
                                <button type="submit">{t(locale, Msg::Save)}</button>
                            </form>
                            <form method="post" action=format!("{base}/send-now") class="inline">
                                <CsrfField />
                                <input type="hidden" name="unit" value="" />
                                <input type="hidden" name="frequency" value=if effective == "off" { d.default.clone() } else { effective.clone() } />
                                <button type="submit" class="secondary">{t(locale, Msg::DigestSendNow)}</button>
                            </form>
                        </section>
                    }
                })}
                {(!d.setup_units.is_empty() || !d.units.is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="dg-units">
                        <h2 id="dg-units">{t(locale, Msg::DigestUnits)}</h2>
                        <p class="muted">{t(locale, Msg::DigestUnitsHelp)}</p>
                        {if d.units.is_empty() {
                            view! { <p class="muted">{t(locale, Msg::DigestNoUnits)}</p> }.into_any()
                        } else {
                            view! {
                                <table class="digests">
                                    <thead><tr>
                                        <th scope="col">{t(locale, Msg::Unit)}</th>
                                        <th scope="col">{t(locale, Msg::DigestFrequency)}</th>
                                        <th scope="col">{t(locale, Msg::DigestLastSentHeading)}</th>
                                        <th scope="col"><span class="sr-only">{t(locale, Msg::Actions)}</span></th>
                                    </tr></thead>
                                    <tbody>
                                        {d.units.iter().map(|c| {
                                            let (id, name) = c.unit.clone().unwrap_or_default();
                                            let select_id = format!("dg-unit-{id}");
                                            view! {
                                                <tr>
                                                    <td>{name.clone()}</td>
                                                    <td>
                                                        <form method="post" action=format!("{base}/choice") class="inline-form">
                                                            <CsrfField />
                                                            <input type="hidden" name="unit" value=id.to_string() />
                                                            <label for=select_id.clone() class="sr-only">{tf(locale, Msg::DigestFrequencyOf, &[("unit", &name)])}</label>
                                                            <select id=select_id name="frequency">{options(locale, &c.frequency, true)}</select>
                                                            <button type="submit" class="small">{t(locale, Msg::Save)}</button>
                                                        </form>
                                                    </td>
                                                    <td>{last_sent(locale, c)}</td>
                                                    <td class="actions">
                                                        <form method="post" action=format!("{base}/send-now") class="inline">
                                                            <CsrfField />
                                                            <input type="hidden" name="unit" value=id.to_string() />
                                                            <input type="hidden" name="frequency" value=if c.frequency == "off" { "monthly".to_string() } else { c.frequency.clone() } />
                                                            <button type="submit" class="small secondary" aria-label=tf(locale, Msg::DigestSendNowOf, &[("unit", &name)])>{t(locale, Msg::DigestSendNow)}</button>
                                                        </form>
                                                        <form method="post" action=format!("{base}/units/{id}/remove") class="inline">
                                                            <CsrfField />
                                                            <button type="submit" class="small danger" aria-label=tf(locale, Msg::DigestRemoveOf, &[("unit", &name)])>{t(locale, Msg::Remove)}</button>
                                                        </form>
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            }.into_any()
                        }}
                        {(!d.setup_units.is_empty()).then(|| view! {
                            <form method="post" action=format!("{base}/choice") class="inline-form">
                                <CsrfField />
                                <label for="dg-new-unit">{t(locale, Msg::Unit)}</label>
                                <select id="dg-new-unit" name="unit">
                                    {d.setup_units.iter().map(|(id, name)| view! { <option value=id.to_string()>{name.clone()}</option> }).collect_view()}
                                </select>
                                <label for="dg-new-frequency">{t(locale, Msg::DigestFrequency)}</label>
                                <select id="dg-new-frequency" name="frequency">{options(locale, "weekly", false)}</select>
                                <button type="submit">{t(locale, Msg::DigestSetUp)}</button>
                            </form>
                        })}
                    </section>
                })}
                {d.may_set_default.then(|| view! {
                    <section class="card" aria-labelledby="dg-default">
                        <h2 id="dg-default">{t(locale, Msg::DigestDefault)}</h2>
                        <p class="muted">{t(locale, Msg::DigestDefaultHelp)}</p>
                        {d.org_recipients.map(|n| view! { <p>{tf(locale, Msg::DigestRecipients, &[("count", &n.to_string())])}</p> })}
                        <form method="post" action=format!("{base}/default") class="inline-form">
                            <CsrfField />
                            <label for="dg-default-frequency">{t(locale, Msg::DigestFrequency)}</label>
                            <select id="dg-default-frequency" name="frequency">{options(locale, &d.default, true)}</select>
                            <button type="submit">{t(locale, Msg::Save)}</button>
                        </form>
                    </section>
                })}
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
