//! Access requests: ask for a role or a unit with a reason and an optional end date; the
//! requests one may decide; one's own requests; a request's page where an approver approves or
//! denies (with a comment) and the requester may withdraw. Plain forms.
use crate::components::{org_param, use_locale, CsrfField, ErrorView, FormOutcome, Loading};
use crate::i18n::{datetime, t, Msg};
use crate::requests::{get_request, get_requests, RequestItem};
use gatehouse_domain::locale::Locale;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

pub fn status_label(locale: Locale, s: &str) -> &'static str {
    t(
        locale,
        match s {
            "approved" => Msg::ReqStatusApproved,
            "denied" => Msg::ReqStatusDenied,
            "expired" => Msg::ReqStatusExpired,
            "withdrawn" => Msg::ReqStatusWithdrawn,
            "revoked" => Msg::ReqStatusRevoked,
            _ => Msg::ReqStatusPending,
        },
    )
}

fn table(locale: Locale, org: String, rows: Vec<RequestItem>, with_requester: bool) -> impl IntoView {
    view! {
        <table class="requests">
            <thead><tr>
                {with_requester.then(|| view! { <th scope="col">{t(locale, Msg::ReqRequester)}</th> })}
                <th scope="col">{t(locale, Msg::ReqWhat)}</th>
                <th scope="col">{t(locale, Msg::ReqAskedAt)}</th>
                <th scope="col">{t(locale, Msg::Status)}</th>
                <th scope="col"><span class="sr-only">{t(locale, Msg::Actions)}</span></th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let href = format!("/o/{org}/requests/{}", r.id);
                    let label = format!("{} — {}", t(locale, Msg::ReqOpen), r.what);
                    view! {
                        <tr>
                            {with_requester.then(|| view! { <td>{r.requester.clone()}</td> })}
                            <td>{r.what.clone()}</td>
                            <td>{datetime(locale, r.created_at)}</td>
                            <td><span class=format!("req-state req-{}", r.status)>{status_label(locale, &r.status)}</span></td>
                            <td><a href=href aria-label=label>{t(locale, Msg::ReqOpen)}</a></td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
pub fn RequestsPage() -> impl IntoView {
    let org = org_param();
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        (q.get("status").filter(|s| !s.is_empty()), q.get("hunit").and_then(|u| u.parse::<i64>().ok()))
    });
    let data = Resource::new(move || (org.get(), filter.get()), |(o, (status, unit))| get_requests(o, status, unit));
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let q = use_query_map().get_untracked();
            let kept = |k: &str| q.get(k).unwrap_or_default();
            let (kept_role, kept_unit, kept_kind, kept_permission) = (kept("role"), kept("unit"), kept("kind"), kept("permission"));
            let slug = org.get_untracked();
            view! {
                <Title text=t(locale, Msg::AccessRequests) />
                <h1>{t(locale, Msg::AccessRequests)}</h1>
                <FormOutcome locale />
                {(!d.to_decide.is_empty()).then(|| view! {
                    <section aria-labelledby="to-decide">
                        <h2 id="to-decide">{t(locale, Msg::ReqToDecide)}</h2>
                        {table(locale, slug.clone(), d.to_decide.clone(), true)}
                    </section>
                })}
                <section class="card" aria-labelledby="ask">
                    <h2 id="ask">{t(locale, Msg::ReqAsk)}</h2>
                    <p class="muted small">{t(locale, Msg::ReqAskHelp)}</p>
                    <form method="post" action=format!("/o/{slug}/requests") class="stack">
                        <CsrfField />
                        <fieldset>
                            <legend>{t(locale, Msg::ReqKind)}</legend>
                            <label class="check"><input type="radio" name="kind" value="role" checked=kept_kind != "unit" && kept_kind != "permission" />" "{t(locale, Msg::ReqKindRole)}</label>
                            <label class="check"><input type="radio" name="kind" value="permission" checked=kept_kind == "permission" />" "{t(locale, Msg::ReqKindPermission)}</label>
                            <label class="check"><input type="radio" name="kind" value="unit" checked=kept_kind == "unit" />" "{t(locale, Msg::ReqKindUnit)}</label>
                        </fieldset>
                        <label for="req-role">{t(locale, Msg::ReqRole)}</label>
                        <select id="req-role" name="role">
                            <option value="">"—"</option>
                            {d.roles.iter().map(|(id, name)| view! { <option value=id.to_string() selected=kept_role == id.to_string()>{name.clone()}</option> }).collect_view()}
                        </select>
                        <label for="req-permission">{t(locale, Msg::ReqPermission)}</label>
                        <select id="req-permission" name="permission">
                            <option value="">"—"</option>
                            {d.permissions.iter().map(|(key, label)| view! { <option value=key.clone() selected=kept_permission == *key>{label.clone()}</option> }).collect_view()}
                        </select>
                        <label for="req-unit">{t(locale, Msg::ReqUnit)}</label>
                        <select id="req-unit" name="unit">
                            <option value="">{t(locale, Msg::ReqWholeOrg)}</option>
                            {d.units.iter().map(|(id, path)| view! { <option value=id.to_string() selected=kept_unit == id.to_string()>{path.clone()}</option> }).collect_view()}
                        </select>
                        <label for="req-why">{t(locale, Msg::ReqJustification)}</label>
                        <textarea id="req-why" name="justification" required maxlength="2000" rows="3">{kept("justification")}</textarea>
                        <label for="req-ends">{t(locale, Msg::ReqEndsOn)}" "<span class="muted small">"("{t(locale, Msg::Optional)}")"</span></label>
                        <input id="req-ends" name="ends_on" type="date" value=kept("ends_on") />
                        <button type="submit">{t(locale, Msg::ReqSend)}</button>
                    </form>
                </section>
                <section aria-labelledby="mine">
                    <h2 id="mine">{t(locale, Msg::ReqMine)}</h2>
                    {if d.mine.is_empty() {
                        view! { <p class="muted">{t(locale, Msg::ReqNone)}</p> }.into_any()
                    } else {
                        table(locale, slug.clone(), d.mine.clone(), false).into_any()
                    }}
                </section>
                {d.history.clone().map(|rows| {
                    let (status, unit) = filter.get_untracked();
                    let status = status.unwrap_or_default();
                    let unit = unit.map(|u| u.to_string()).unwrap_or_default();
                    view! {
                        <section aria-labelledby="history">
                            <h2 id="history">{t(locale, Msg::ReqHistory)}</h2>
                            <form method="get" action=format!("/o/{slug}/requests") class="row-form" aria-label=t(locale, Msg::ReqHistory)>
                                <label>{t(locale, Msg::Status)}
                                    <select name="status">
                                        <option value="">{t(locale, Msg::ReqAllStatuses)}</option>
                                        {["pending", "approved", "denied", "expired", "withdrawn", "revoked"].into_iter().map(|s| view! {
                                            <option value=s selected=status == s>{status_label(locale, s)}</option>
                                        }).collect_view()}
                                    </select>
                                </label>
                                <label>{t(locale, Msg::ReqUnit)}
                                    <select name="hunit">
                                        <option value="">{t(locale, Msg::ReqAllUnits)}</option>
                                        {d.units.iter().map(|(id, path)| view! { <option value=id.to_string() selected=unit == id.to_string()>{path.clone()}</option> }).collect_view()}
                                    </select>
                                </label>
                                <button type="submit">{t(locale, Msg::Apply)}</button>
                            </form>
                            {if rows.is_empty() {
                                view! { <p class="muted">{t(locale, Msg::ReqNoneFound)}</p> }.into_any()
                            } else {
                                table(locale, slug.clone(), rows, true).into_any()
                            }}
                        </section>
                    }
                })}
                {d.settings.map(|(remind, expire)| view! {
                    <section class="card" aria-labelledby="req-settings">
                        <h2 id="req-settings">{t(locale, Msg::ReqSettings)}</h2>
                        <form method="post" action=format!("/o/{slug}/requests/settings") class="row-form">
                            <CsrfField />
                            <label>{t(locale, Msg::ReqReminderDays)}<input name="reminder_days" type="number" min="0" max="90" value=remind.to_string() /></label>
                            <label>{t(locale, Msg::ReqExpiryDays)}<input name="expiry_days" type="number" min="1" max="180" value=expire.to_string() /></label>
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

#[component]
pub fn RequestPage() -> impl IntoView {
    let org = org_param();
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    // A link from mail carries a token naming its subject; the server checks it.
    let query = use_query_map();
    let link = Memo::new(move |_| query.read().get("link"));
    let data = Resource::new(move || (org.get(), id.get(), link.get()), |(o, i, l)| get_request(o, i, l));
    let body = move || {
        Suspend::new(async move {
            crate::components::rendering_pass().await;
            let locale = use_locale();
            let d = match data.await {
                Ok(d) => d,
                Err(e) => return view! { <ErrorView locale error=e /> }.into_any(),
            };
            let r = d.item.clone();
            let base = format!("/o/{}/requests/{}", org.get_untracked(), r.id);
            view! {
                <Title text=t(locale, Msg::AccessRequest) />
                <h1>{t(locale, Msg::AccessRequest)}</h1>
                <FormOutcome locale />
                <dl class="facts">
                    <dt>{t(locale, Msg::ReqRequester)}</dt><dd>{r.requester.clone()}</dd>
                    <dt>{t(locale, Msg::ReqWhat)}</dt><dd>{r.what.clone()}</dd>
                    <dt>{t(locale, Msg::ReqJustification)}</dt><dd>{r.justification.clone()}</dd>
                    <dt>{t(locale, Msg::ReqEndsOn)}</dt><dd>{r.ends_at.map(|e| datetime(locale, e)).unwrap_or_else(|| t(locale, Msg::ReqNoEnd).to_string())}</dd>
                    <dt>{t(locale, Msg::ReqAskedAt)}</dt><dd>{datetime(locale, r.created_at)}</dd>
                    <dt>{t(locale, Msg::Status)}</dt><dd><span class=format!("req-state req-{}", r.status)>{status_label(locale, &r.status)}</span></dd>
                    {(r.status == "pending").then(|| view! { <dt>{t(locale, Msg::ReqExpires)}</dt><dd>{datetime(locale, r.expires_at)}</dd> })}
                    {r.decided_by.clone().map(|b| view! { <dt>{t(locale, Msg::ReqDecidedBy)}</dt><dd>{b}" · "{r.decided_at.map(|a| datetime(locale, a)).unwrap_or_default()}</dd> })}
                    {r.comment.clone().map(|c| view! { <dt>{t(locale, Msg::ReqComment)}</dt><dd>{c}</dd> })}
                    {r.revoked_at.map(|at| {
                        let who = r.revoked_by.clone().unwrap_or_else(|| t(locale, Msg::ActorSystem).to_string());
                        let how = match r.revoked_from.as_deref() {
                            Some("member_page") => Msg::ReqRevokedFromMemberPage,
                            Some("role_retired") => Msg::ReqRevokedFromRoleRetired,
                            Some("membership_ended") => Msg::ReqRevokedFromMembershipEnded,
                            Some("review") => Msg::ReqRevokedFromReview,
                            _ => Msg::ReqRevokedFromRequest,
                        };
                        view! { <dt>{t(locale, Msg::ReqRevokedBy)}</dt><dd>{who}" · "{datetime(locale, at)}" · "{t(locale, how)}</dd> }
                    })}
                    {r.revoke_comment.clone().map(|c| view! { <dt>{t(locale, Msg::ReqRevokeReason)}</dt><dd>{c}</dd> })}
                </dl>
                {d.may_decide.then(|| view! {
                    <section class="card" aria-labelledby="decide">
                        <h2 id="decide">{t(locale, Msg::ReqDecide)}</h2>
                        <form method="post" action=format!("{base}/decide") class="stack">
                            <CsrfField />
                            <label for="req-comment">{t(locale, Msg::ReqComment)}" "<span class="muted small">"("{t(locale, Msg::Optional)}")"</span></label>
                            <textarea id="req-comment" name="comment" maxlength="2000" rows="2"></textarea>
                            <div class="actions">
                                <button type="submit" name="decision" value="approve">{t(locale, Msg::ReqApprove)}</button>
                                <button type="submit" name="decision" value="deny" class="danger">{t(locale, Msg::ReqDeny)}</button>
                            </div>
                        </form>
                    </section>
                })}
                {d.may_revoke.then(|| view! {
                    <section class="card" aria-labelledby="revoke">
                        <h2 id="revoke">{t(locale, Msg::ReqRevoke)}</h2>
                        <p class="muted">{t(locale, Msg::ReqRevokeHelp)}</p>
                        <form method="post" action=format!("{base}/revoke") class="stack">
                            <CsrfField />
                            <label for="revoke-comment">{t(locale, Msg::ReqRevokeReason)}" "<span class="muted small">"("{t(locale, Msg::Optional)}")"</span></label>
                            <textarea id="revoke-comment" name="comment" maxlength="2000" rows="2"></textarea>
                            <div class="actions">
                                <button type="submit" class="danger">{t(locale, Msg::ReqRevoke)}</button>
                            </div>
                        </form>
                    </section>
                })}
                {d.may_withdraw.then(|| view! {
                    <form method="post" action=format!("{base}/withdraw")>
                        <CsrfField />
                        <button type="submit" class="secondary">{t(locale, Msg::ReqWithdraw)}</button>
                    </form>
                })}
                <p><a href=format!("/o/{}/requests", org.get_untracked())>{t(locale, Msg::ReqBack)}</a></p>
            }
            .into_any()
        })
    };
    view! { <Suspense fallback=Loading>{body}</Suspense> }
}
