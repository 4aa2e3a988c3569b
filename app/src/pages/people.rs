//! Adding people: the invitations screen (add a person, open and closed invitations with
//! "send again" and "withdraw", the organization's invitation settings) and the page a person
//! opens from their invitation mail. Plain forms: they work before the WASM has loaded.
use crate::components::{org_param, use_locale, viewer, CsrfField, ErrorView, FormOutcome, LanguageSwitcher, Loading};
use crate::i18n::{datetime, t, tf, Msg};
use crate::people::{get_import, get_invitation_link, get_invitations, ImportReportLine};
use gatehouse_domain::locale::Locale;
use gatehouse_domain::member::MemberKind;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn kind_label(locale: Locale, k: MemberKind) -> &'static str {
    t(
        locale,
        match k {
            MemberKind::Employee => Msg::KindEmployee,
            MemberKind::Partner => Msg::KindPartner,
            MemberKind::Auditor => Msg::KindAuditor,
            MemberKind::External => Msg::KindExternal,
        },
    )
}

fn state_label(locale: Locale, s: &str) -> &'static str {
    t(
        locale,
        match s {
            "expired" => Msg::InvStateExpired,
            "accepted" => Msg::InvStateAccepted,
            "revoked" => Msg::InvStateRevoked,
            _ => Msg::InvStateOpen,
        },
    )
}

fn import_state(locale: Locale, s: &str) -> &'static str {
    t(
        locale,
        match s {
            "running" => Msg::ImportStateRunning,
            "done" => Msg::ImportStateDone,
            "discarded" => Msg::ImportStateDiscarded,
            _ => Msg::ImportStatePreview,
        },
    )
}

#[component]
pub fn InvitationsPage() -> impl IntoView {
    let org = org_param();
    let query = use_query_map();
    let show = Memo::new(move |_| query.read().get("show"));
    let data = Resource::new(move || (org.get(), show.get()), |(o, s)| get_invitations(o, s));
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let q = query.get_untracked();
            let kept = |k: &str| q.get(k).unwrap_or_default();
            let kept_units: Vec<String> = kept("units").split(',').map(str::to_string).collect();
            let kept_tags: Vec<String> = kept("tags").split(',').map(str::to_string).collect();
            let (kept_locale, kept_kind, kept_role) = (kept("locale"), kept("kind"), kept("role"));
            let base = format!("/o/{}/invitations", org.get_untracked());
            let o = d.options.clone();
            let phone_hint = match &o.phone_region {
                Some(r) => tf(locale, Msg::PhoneHint, &[("region", r)]),
                None => t(locale, Msg::PhoneHintIntl).to_string(),
            };
            view! {
                <Title text=t(locale, Msg::Invitations) />
                <h1>{t(locale, Msg::Invitations)}</h1>
                <p class="muted">{t(locale, Msg::InvitationsHelp)}</p>
                <FormOutcome locale />
                <section class="card">
                    <h2>{t(locale, Msg::AddPerson)}</h2>
                    <form method="post" action=base.clone() class="stack invite-form">
                        <CsrfField />
                        <label for="inv-email">{t(locale, Msg::Email)}" "<span class="muted small">"("{t(locale, Msg::Required)}")"</span></label>
                        <input id="inv-email" name="email" type="email" required autocomplete="off" value=kept("email") />
                        <label for="inv-name">{t(locale, Msg::Name)}</label>
                        <input id="inv-name" name="name" value=kept("name") autocomplete="off" />
                        <label for="inv-phone">{t(locale, Msg::MobilePhone)}" "<span class="muted small">"("{if o.phone_required { t(locale, Msg::Required) } else { t(locale, Msg::Optional) }}")"</span></label>
                        <input id="inv-phone" name="mobile_phone" type="tel" required=o.phone_required value=kept("mobile_phone") aria-describedby="inv-phone-hint" />
                        <p id="inv-phone-hint" class="muted small">{phone_hint}</p>
                        <label for="inv-locale">{t(locale, Msg::PreferredLanguage)}</label>
                        <select id="inv-locale" name="locale">
                            {Locale::ALL.into_iter().map(|l| view! { <option value=l.code() selected=kept_locale == l.code() || (kept_locale.is_empty() && l == locale)>{l.native_name()}</option> }).collect_view()}
                        </select>
                        <label for="inv-kind">{t(locale, Msg::Kind)}</label>
                        <select id="inv-kind" name="kind">
                            {MemberKind::ALL.into_iter().map(|k| view! { <option value=k.as_str() selected=kept_kind == k.as_str()>{kind_label(locale, k)}</option> }).collect_view()}
                        </select>
                        {(!o.units.is_empty()).then(|| view! {
                            <label for="inv-units">{t(locale, Msg::Units)}</label>
                            <select id="inv-units" name="unit" multiple size="6">
                                {o.units.iter().map(|(id, path)| view! { <option value=id.to_string() selected=kept_units.contains(&id.to_string())>{path.clone()}</option> }).collect_view()}
                            </select>
                        })}
                        {(!o.tags.is_empty()).then(|| view! {
                            <fieldset>
                                <legend>{t(locale, Msg::Tags)}</legend>
                                {o.tags.iter().map(|(id, name)| view! {
                                    <label class="check"><input type="checkbox" name="tag" value=id.to_string() checked=kept_tags.contains(&id.to_string()) />" "{name.clone()}</label>
                                }).collect_view()}
                            </fieldset>
                        })}
                        <label for="inv-role">{t(locale, Msg::InitialRole)}</label>
                        <select id="inv-role" name="role" aria-describedby="inv-role-hint">
                            <option value="">{t(locale, Msg::NoRole)}</option>
                            {o.roles.iter().map(|(id, name)| view! { <option value=id.to_string() selected=kept_role == id.to_string()>{name.clone()}</option> }).collect_view()}
                        </select>
                        <p id="inv-role-hint" class="muted small">{t(locale, Msg::InitialRoleHint)}</p>
                        <button type="submit">{t(locale, Msg::SendInvitation)}</button>
                    </form>
                </section>
                <section class="card" aria-labelledby="import-title">
                    <h2 id="import-title">{t(locale, Msg::ImportTitle)}</h2>
                    <p class="muted small">{t(locale, Msg::ImportHelp)}</p>
                    <form method="post" action=format!("/o/{}/imports", org.get_untracked()) enctype="multipart/form-data" class="row-form">
                        <CsrfField />
                        <label>{t(locale, Msg::CsvFile)}<input type="file" name="file" accept=".csv,text/csv" required /></label>
                        <button type="submit">{t(locale, Msg::UploadAndCheck)}</button>
                    </form>
                    {d.may_export.then(|| view! {
                        <p><a href=format!("/o/{}/members.csv", org.get_untracked()) download="">{t(locale, Msg::ExportMembersCsv)}</a></p>
                    })}
                    {(!d.imports.is_empty()).then(|| view! {
                        <h3>{t(locale, Msg::RecentImports)}</h3>
                        <ul class="imports">
                            {d.imports.iter().map(|i| view! {
                                <li>
                                    <a href=format!("/o/{}/imports/{}", org.get_untracked(), i.id)>{i.file_name.clone()}</a>
                                    " · "{datetime(locale, i.created_at)}" · "{import_state(locale, &i.status)}
                                    " · "{tf(locale, Msg::InvitedOfRows, &[("invited", &i.invited.to_string()), ("total", &i.rows_total.to_string())])}
                                </li>
                            }).collect_view()}
                        </ul>
                    })}
                </section>
                <nav aria-label=t(locale, Msg::Invitations) class="sub-nav">
                    <ul>
                        <li><a href=base.clone() aria-current=if d.closed { None } else { Some("page") }>{t(locale, Msg::OpenInvitations)}</a></li>
                        <li><a href=format!("{base}?show=closed") aria-current=if d.closed { Some("page") } else { None }>{t(locale, Msg::ClosedInvitations)}</a></li>
                    </ul>
                </nav>
                {if d.rows.is_empty() {
                    view! { <p class="muted">{t(locale, Msg::NoInvitations)}</p> }.into_any()
                } else {
                    view! {
                        <table class="invitations">
                            <thead><tr>
                                <th scope="col">{t(locale, Msg::Name)}</th>
                                <th scope="col">{t(locale, Msg::Email)}</th>
                                <th scope="col">{t(locale, Msg::InvitedBy)}</th>
                                <th scope="col">{t(locale, Msg::SentAt)}</th>
                                <th scope="col">{t(locale, Msg::ExpiresAt)}</th>
                                <th scope="col">{t(locale, Msg::Status)}</th>
                                <th scope="col"><span class="sr-only">{t(locale, Msg::Actions)}</span></th>
                            </tr></thead>
                            <tbody>
                                {d.rows.into_iter().map(|r| {
                                    let open = r.state == "open" || r.state == "expired";
                                    let resend = format!("{base}/{}/resend", r.id);
                                    let revoke = format!("{base}/{}/revoke", r.id);
                                    let who = r.email.clone();
                                    view! {
                                        <tr>
                                            <td>{r.name.clone()}</td>
                                            <td>{r.email.clone()}</td>
                                            <td>{r.invited_by.clone().unwrap_or_default()}</td>
                                            <td>
                                                {datetime(locale, r.sent_at)}
                                                {(r.sends > 1).then(|| view! { <br /><span class="muted small">{tf(locale, Msg::TimesSent, &[("n", &r.sends.to_string())])}</span> })}
                                                {r.reminded_at.map(|at| view! { <br /><span class="muted small">{tf(locale, Msg::RemindedAt, &[("at", &datetime(locale, at))])}</span> })}
                                            </td>
                                            <td>{datetime(locale, r.expires_at)}</td>
                                            <td>
                                                <span class=format!("inv-state inv-{}", r.state)>{state_label(locale, &r.state)}</span>
                                                {r.closed_at.map(|at| view! { <br /><span class="muted small">{datetime(locale, at)}</span> })}
                                            </td>
                                            <td>{open.then(|| view! {
                                                <form method="post" action=resend class="inline">
                                                    <CsrfField />
                                                    <button type="submit" class="secondary small" aria-label=format!("{} — {}", t(locale, Msg::SendAgain), who)>{t(locale, Msg::SendAgain)}</button>
                                                </form>
                                                <form method="post" action=revoke class="inline">
                                                    <CsrfField />
                                                    <button type="submit" class="danger small" aria-label=format!("{} — {}", t(locale, Msg::Withdraw), who)>{t(locale, Msg::Withdraw)}</button>
                                                </form>
                                            })}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
                {o.organization_wide.then(|| view! {
                    <section class="card">
                        <h2>{t(locale, Msg::InvitationSettings)}</h2>
                        <form method="post" action=format!("{base}/settings") class="row-form">
                            <CsrfField />
                            <label>{t(locale, Msg::PhoneRegion)}<input name="phone_region" value=o.phone_region.clone().unwrap_or_default() maxlength="2" size="3" /></label>
                            <label class="check"><input type="checkbox" name="phone_required" checked=o.phone_required />" "{t(locale, Msg::PhoneRequired)}</label>
                            <label>{t(locale, Msg::ValidDays)}<input name="valid_days" type="number" min="1" max="90" value=o.valid_days.to_string() /></label>
                            <label>{t(locale, Msg::ReminderDays)}<input name="reminder_days" type="number" min="0" max="90" value=o.reminder_days.to_string() /></label>
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

/// The page behind the invitation link. A new identity chooses its password here; a person
/// who already has one signs in with it and accepts (never sets a password through the link).
/// Single sign-on, once an organization has it, adds its button next to these.
#[component]
pub fn InvitationPage() -> impl IntoView {
    let query = use_query_map();
    let token = Memo::new(move |_| query.read().get("token").unwrap_or_default());
    let link = Resource::new(move || token.get(), get_invitation_link);
    let body = move || {
        let q = query.get();
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let v = viewer().await.ok();
            let locale = v.as_ref().map(|v| v.locale).unwrap_or_default();
            let csrf = v.as_ref().map(|v| v.csrf.clone()).unwrap_or_default();
            let l = link.await;
            let error = match q.get("error").as_deref() {
                Some("weak") => Some(t(locale, Msg::PasswordTooWeak)),
                Some("mismatch") => Some(t(locale, Msg::PasswordsDiffer)),
                _ => None,
            };
            let tok = token.get_untracked();
            let content = match l {
                Ok(l) if l.valid => {
                    let intro = match &l.inviter {
                        Some(i) => tf(locale, Msg::InvitationIntro, &[("inviter", i), ("email", &l.email), ("org", &l.org_name)]),
                        None => tf(locale, Msg::InvitationIntroNoInviter, &[("email", &l.email), ("org", &l.org_name)]),
                    };
                    let expires = l.expires_at.map(|at| tf(locale, Msg::LinkExpiresAt, &[("at", &datetime(locale, at))]));
                    let next = format!("/invitation?token={tok}");
                    let action = match (&l.signed_in, l.needs_password) {
                        (Some((_, true)), _) => view! {
                            <form method="post" action="/auth/invitation" class="stack">
                                <input type="hidden" name="csrf_token" value=csrf.clone() />
                                <input type="hidden" name="token" value=tok.clone() />
                                <button type="submit">{t(locale, Msg::AcceptAndJoin)}</button>
                            </form>
                        }.into_any(),
                        (Some((me, false)), _) => view! {
                            <p class="flash error" role="alert">{tf(locale, Msg::SignedInAsOther, &[("email", me), ("invited", &l.email)])}</p>
                            <form method="post" action="/auth/sign-out" class="stack">
                                <input type="hidden" name="csrf_token" value=csrf.clone() />
                                <button type="submit" class="secondary">{t(locale, Msg::SignOut)}</button>
                            </form>
                        }.into_any(),
                        (None, true) => view! {
                            {error.map(|e| view! { <p class="flash error" role="alert">{e}</p> })}
                            <p>{t(locale, Msg::ChoosePasswordToJoin)}" "<span class="muted">{t(locale, Msg::PasswordRules)}</span></p>
                            <form method="post" action="/auth/invitation" class="stack">
                                <input type="hidden" name="csrf_token" value=csrf.clone() />
                                <input type="hidden" name="token" value=tok.clone() />
                                <input type="email" name="username" value=l.email.clone() autocomplete="username" hidden readonly />
                                <label for="password">{t(locale, Msg::NewPassword)}</label>
                                <input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" />
                                <label for="password2">{t(locale, Msg::RepeatPassword)}</label>
                                <input id="password2" name="password2" type="password" autocomplete="new-password" required minlength="12" />
                                <button type="submit">{t(locale, Msg::AcceptAndJoin)}</button>
                            </form>
                        }.into_any(),
                        (None, false) => view! {
                            <p>{tf(locale, Msg::SignInToAccept, &[("email", &l.email)])}</p>
                            <p><a class="button" href=format!("/sign-in?next={}", crate::components::url_encode(&next))>{t(locale, Msg::SignInToAcceptButton)}</a></p>
                        }.into_any(),
                    };
                    view! {
                        <h1>{tf(locale, Msg::JoinOrg, &[("org", &l.org_name)])}</h1>
                        <p>{intro}</p>
                        {action}
                        {expires.map(|e| view! { <p class="muted small">{e}</p> })}
                    }.into_any()
                }
                _ => view! {
                    <h1>{t(locale, Msg::Invitations)}</h1>
                    <p class="flash error" role="alert">{t(locale, Msg::InvitationInvalid)}</p>
                    <p><a href="/sign-in">{t(locale, Msg::BackToSignIn)}</a></p>
                }.into_any(),
            };
            view! {
                <Title text=format!("{} · Gatehouse", t(locale, Msg::Invitations)) />
                <main id="main" class="sign-in">
                    <section class="card sign-in-card">{content}</section>
                    <LanguageSwitcher locale csrf />
                </main>
            }
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}

fn report_table(locale: Locale, caption: &'static str, rows: Vec<ImportReportLine>, total: usize) -> impl IntoView {
    let more = total.saturating_sub(rows.len());
    view! {
        <table class="import-report">
            <caption>{format!("{caption} ({total})")}</caption>
            <thead><tr>
                <th scope="col">{t(locale, Msg::CsvLine)}</th>
                <th scope="col">{t(locale, Msg::Email)}</th>
                <th scope="col">{t(locale, Msg::Name)}</th>
                <th scope="col">{t(locale, Msg::CsvProblems)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr>
                        <td>{r.line}</td>
                        <td>{r.email}</td>
                        <td>{r.name}</td>
                        <td><ul class="problems">{r.problems.iter().map(|p| view! { <li>{crate::i18n::problem(locale, p)}</li> }).collect_view()}</ul></td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {(more > 0).then(|| view! { <p class="muted small">{format!("… +{more}")}</p> })}
    }
}

/// An import: the preview of an upload (every row that will not be invited, and why, before
/// anything is written), its progress while it runs (the page refreshes itself), its result.
#[component]
pub fn ImportPage() -> impl IntoView {
    let org = org_param();
    let params = leptos_router::hooks::use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    let data = Resource::new(move || (org.get(), id.get()), |(o, i)| get_import(o, i));
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let base = format!("/o/{}/imports/{}", org.get_untracked(), d.id);
            let invitations = format!("/o/{}/invitations", org.get_untracked());
            let n = |v: i32| v.to_string();
            let state = match d.status.as_str() {
                "preview" => view! {
                    <p class="import-summary">{tf(locale, Msg::ImportSummary, &[("total", &n(d.rows_total)), ("ready", &n(d.ready)), ("skip", &d.skipped_count.to_string()), ("invalid", &d.error_count.to_string())])}</p>
                    <div class="actions">
                        {if d.ready > 0 {
                            view! {
                                <form method="post" action=format!("{base}/start") class="inline">
                                    <CsrfField />
                                    <button type="submit">{tf(locale, Msg::ImportStart, &[("n", &n(d.ready))])}</button>
                                </form>
                            }.into_any()
                        } else {
                            view! { <p class="muted">{t(locale, Msg::ImportNothingReady)}</p> }.into_any()
                        }}
                        <form method="post" action=format!("{base}/discard") class="inline">
                            <CsrfField />
                            <button type="submit" class="secondary">{t(locale, Msg::ImportDiscard)}</button>
                        </form>
                    </div>
                }.into_any(),
                "running" => view! {
                    <leptos_meta::Meta http_equiv="refresh" content="2" />
                    <label class="progress" for="import-progress">{tf(locale, Msg::ImportProgress, &[("done", &n(d.next_row)), ("total", &n(d.rows_total))])}</label>
                    <progress id="import-progress" max=n(d.rows_total) value=n(d.next_row)>{format!("{} / {}", d.next_row, d.rows_total)}</progress>
                }.into_any(),
                "done" => view! {
                    <progress max=n(d.rows_total) value=n(d.rows_total) aria-label=t(locale, Msg::ImportStateDone)></progress>
                    <p role="status" class="import-summary">{tf(locale, Msg::ImportDone, &[("invited", &n(d.invited)), ("skipped", &n(d.skipped)), ("failed", &n(d.failed))])}</p>
                }.into_any(),
                _ => view! { <p role="status">{t(locale, Msg::ImportDiscarded)}</p> }.into_any(),
            };
            let errors_caption = if d.status == "preview" { t(locale, Msg::RowsWithErrors) } else { t(locale, Msg::ImportReport) };
            view! {
                <Title text=t(locale, Msg::ImportTitle) />
                <h1>{t(locale, Msg::ImportTitle)}</h1>
                <p class="muted">
                    {t(locale, Msg::FileLabel)}": "<strong>{d.file_name.clone()}</strong>" · "
                    {tf(locale, Msg::UploadedBy, &[("name", &d.created_by), ("at", &datetime(locale, d.created_at))])}
                    " · "{import_state(locale, &d.status)}
                </p>
                <FormOutcome locale />
                <section class="card">{state}</section>
                {(d.error_count > 0).then(|| report_table(locale, errors_caption, d.errors.clone(), d.error_count))}
                {(d.skipped_count > 0).then(|| view! {
                    <details>
                        <summary>{format!("{} ({})", t(locale, Msg::RowsSkipped), d.skipped_count)}</summary>
                        {report_table(locale, t(locale, Msg::RowsSkipped), d.skipped_rows.clone(), d.skipped_count)}
                    </details>
                })}
                <p><a href=invitations>{t(locale, Msg::BackToInvitations)}</a></p>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
