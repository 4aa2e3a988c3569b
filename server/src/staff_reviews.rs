//! Access reviews of platform staff (`gatehouse_db::staff_reviews`), for staff whose role may
//! assign staff roles: a campaign's page — the working list while it runs (keep or reduce, with a
//! comment, never one's own) and the printable evidence once it closed —, its CSV, starting one
//! now, and the platform's plan. Anyone else is told the page does not exist (not staff) or that
//! their role does not review staff.
use crate::document::esc;
use crate::forms::{status_page, Lang};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use gatehouse_app::i18n::{datetime, staff_role_label, t, tf, Msg};
use gatehouse_app::state::{AppState, RequestPerson};
use gatehouse_db::staff_reviews::{self as sr, Campaign, Item};
use gatehouse_db::DbError;
use gatehouse_domain::ids::StaffId;
use gatehouse_domain::locale::Locale;
use gatehouse_domain::staff::{StaffAction, StaffRole};
use std::fmt::Write;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/staff/reviews/start", web::post().to(start))
        .route("/staff/reviews/plan", web::post().to(plan))
        .route("/staff/reviews/items/{id}/decide", web::post().to(decide))
        .route("/staff/reviews/{id}/evidence.csv", web::get().to(evidence_csv))
        .route("/staff/reviews/{id}", web::get().to(page));
}

/// The staff member, when their role reviews staff; otherwise the answer to give.
fn reviewer(lang: Lang, req: &HttpRequest) -> Result<(StaffId, StaffRole), HttpResponse> {
    let Some((staff, role)) = req.extensions().get::<RequestPerson>().and_then(|p| p.staff) else {
        return Err(status_page(StatusCode::NOT_FOUND, t(lang.0, Msg::NotFoundText)));
    };
    if !role.may(StaffAction::AssignStaffRoles) {
        return Err(status_page(StatusCode::FORBIDDEN, t(lang.0, Msg::StaffReviewRefused)));
    }
    Ok((staff, role))
}

fn refused(lang: Lang, back: &str, e: &DbError) -> HttpResponse {
    let words = gatehouse_app::i18n::refusal(lang.0, &gatehouse_domain::authz::policy::Policy::default(), e).unwrap_or_else(|| t(lang.0, Msg::TryAgain).to_string());
    let sep = if back.contains('?') { '&' } else { '?' };
    crate::redirect::see_other(&format!("{back}{sep}error={}", crate::middleware::encode(&words)))
}

async fn start(lang: Lang, req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let (staff, role) = match reviewer(lang, &req) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let (db, now, url) = (state.db.clone(), state.clock.now(), state.public_url.clone());
    match web::block(move || db.with(|c| sr::start_now(c, staff, role, &url, now))).await {
        Ok(Ok(id)) => crate::redirect::see_other(&format!("/staff/reviews/{id}?started=1")),
        Ok(Err(e)) => refused(lang, "/staff", &e),
        Err(e) => crate::forms::unavailable(lang, e),
    }
}

#[derive(serde::Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    schedule: String,
    #[serde(default)]
    duration_days: String,
    #[serde(default)]
    no_response: String,
}

async fn plan(lang: Lang, req: HttpRequest, state: web::Data<AppState>, form: web::Form<PlanForm>) -> HttpResponse {
    let (staff, role) = match reviewer(lang, &req) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let f = form.into_inner();
    let (db, now) = (state.db.clone(), state.clock.now());
    match web::block(move || db.with(|c| sr::set_plan(c, staff, role, &f.schedule, &f.duration_days, &f.no_response, now))).await {
        Ok(Ok(_)) => crate::redirect::see_other("/staff?staff_plan_saved=1"),
        Ok(Err(e)) => refused(lang, "/staff", &e),
        Err(e) => crate::forms::unavailable(lang, e),
    }
}

#[derive(serde::Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    campaign: i64,
}

async fn decide(lang: Lang, req: HttpRequest, state: web::Data<AppState>, path: web::Path<i64>, form: web::Form<DecideForm>) -> HttpResponse {
    let (staff, role) = match reviewer(lang, &req) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let item = path.into_inner();
    let f = form.into_inner();
    let back = format!("/staff/reviews/{}", f.campaign);
    let (db, now) = (state.db.clone(), state.clock.now());
    match web::block(move || db.with(|c| sr::decide(c, staff, role, item, &f.decision, &f.comment, now))).await {
        Ok(Ok(())) => crate::redirect::see_other(&format!("{back}?decided=1#item-{item}")),
        Ok(Err(DbError::NotFound)) => status_page(StatusCode::NOT_FOUND, t(lang.0, Msg::NotFoundText)),
        Ok(Err(e)) => refused(lang, &back, &e),
        Err(e) => crate::forms::unavailable(lang, e),
    }
}

fn load(state: &AppState, campaign: i64) -> impl std::future::Future<Output = Result<Result<(Campaign, Vec<Item>), DbError>, actix_web::error::BlockingError>> {
    let db = state.db.clone();
    web::block(move || {
        db.with(|c| {
            let head = sr::campaigns(c, Some(campaign), 1)?.into_iter().next().ok_or(DbError::NotFound)?;
            Ok((head, sr::items(c, campaign)?))
        })
    })
}

/// What speaks against keeping, in words.
fn helper_words(locale: Locale, i: &Item) -> String {
    let mut out = Vec::new();
    if i.helpers.never_signed_in {
        out.push(t(locale, Msg::ReviewHelperNeverSignedIn).to_string());
    }
    if let Some(d) = i.helpers.inactive_days {
        out.push(tf(locale, Msg::ReviewHelperInactive, &[("days", &d.to_string())]));
    }
    if i.helpers.support_unused {
        out.push(t(locale, Msg::StaffReviewHelperSupportUnused).to_string());
    }
    if out.is_empty() {
        t(locale, Msg::ReviewNothingAgainst).to_string()
    } else {
        out.join(", ")
    }
}

fn decision_words(locale: Locale, d: Option<&str>) -> &'static str {
    match d {
        Some("keep") => t(locale, Msg::ReviewKept),
        Some("reduce") => t(locale, Msg::StaffReviewReduced),
        _ => t(locale, Msg::ReviewPending),
    }
}

fn decider_words(locale: Locale, i: &Item) -> String {
    match i.decided_by_kind.as_deref() {
        Some("system") => t(locale, Msg::StaffReviewByRule).to_string(),
        Some(_) => i.decided_by.clone().unwrap_or_default(),
        None => "—".to_string(),
    }
}

fn no_response_words(locale: Locale, r: gatehouse_domain::staff::StaffNoResponse) -> &'static str {
    match r {
        gatehouse_domain::staff::StaffNoResponse::Keep => t(locale, Msg::ReviewNoResponseKeep),
        gatehouse_domain::staff::StaffNoResponse::Reduce => t(locale, Msg::StaffReviewNoResponseReduce),
    }
}

#[derive(serde::Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
    link: Option<String>,
    error: Option<String>,
    decided: Option<String>,
    started: Option<String>,
}

/// The campaign's page (`?lang=en|de`): what was asked, when, how it ended, and every frozen
/// staff member with what speaks against keeping their role, the decision, who made it when and
/// the comment; while it runs, a keep / reduce form beside each item that is not the reader's
/// own. Opened from the mailed signed link, the link is checked first.
async fn page(lang: Lang, req: HttpRequest, state: web::Data<AppState>, path: web::Path<i64>, q: web::Query<PageQuery>) -> HttpResponse {
    use gatehouse_domain::links::{Check, Subject};
    let (me, _) = match reviewer(lang, &req) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let campaign = path.into_inner();
    let q = q.into_inner();
    if let Some(raw) = q.link.clone().filter(|l| !l.is_empty()) {
        let (db, now) = (state.db.clone(), state.clock.now());
        match web::block(move || db.with(|c| gatehouse_db::links::check(c, &raw, Subject::StaffReview(campaign), now))).await {
            Ok(Ok(Check::Valid)) => {}
            Ok(Ok(Check::Expired)) => return status_page(StatusCode::GONE, t(lang.0, Msg::EmailLinkInvalid)),
            Ok(Ok(Check::Invalid)) => {
                tracing::warn!(campaign, "a staff review link with a token that is not ours");
                return status_page(StatusCode::BAD_REQUEST, t(lang.0, Msg::EmailLinkInvalid));
            }
            Ok(Err(e)) => return crate::forms::unavailable(lang, e),
            Err(e) => return crate::forms::unavailable(lang, e),
        }
    }
    let (head, items) = match load(&state, campaign).await {
        Ok(Ok(v)) => v,
        Ok(Err(DbError::NotFound)) => return status_page(StatusCode::NOT_FOUND, t(lang.0, Msg::NotFoundText)),
        Ok(Err(e)) => return crate::forms::unavailable(lang, e),
        Err(e) => return crate::forms::unavailable(lang, e),
    };
    let locale = q.lang.as_deref().and_then(Locale::parse).unwrap_or(lang.0);
    let csrf = req.extensions().get::<gatehouse_app::state::RequestSession>().map(|s| s.csrf.clone()).unwrap_or_default();
    let running = head.state == gatehouse_domain::reviews::CampaignState::Running;
    let other = match locale {
        Locale::En => ("de", "Deutsch"),
        Locale::De => ("en", "English"),
    };
    let title = tf(locale, Msg::StaffReviewTitle, &[("started", &gatehouse_app::i18n::date(locale, head.started_at.date_naive()))]);
    let mut h = String::with_capacity(8 * 1024 + items.len() * 600);
    // not user text: the page's markup; every word comes from the catalogs
    let _ = write!(
        h,
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/pkg/gatehouse.css\"></head><body class=\"document\">\
<nav class=\"doc-bar no-print\" aria-label=\"{nav}\"><a href=\"/staff\">← {back}</a> <a href=\"/staff/reviews/{campaign}?lang={olang}\" lang=\"{olang}\">{oname}</a> <a href=\"/staff/reviews/{campaign}/evidence.csv\">{csv}</a> <span class=\"muted\">{hint}</span></nav>\
<main id=\"main\" class=\"doc\"><h1>{title}</h1><p class=\"doc-meta\">{meta}</p>",
        lang = locale.code(),
        title = esc(&title),
        nav = esc(t(locale, Msg::DocNav)),
        back = esc(t(locale, Msg::StaffConsole)),
        olang = other.0,
        oname = other.1,
        csv = esc(t(locale, Msg::ReviewEvidenceCsv)),
        hint = esc(t(locale, Msg::DocPrintHint)),
        meta = esc(&tf(locale, Msg::StaffReviewMeta, &[("at", &datetime(locale, state.clock.now()))])),
    );
    if let Some(e) = &q.error {
        let _ = write!(h, "<div class=\"banner error no-print\" role=\"alert\"><strong>{}: </strong>{}</div>", esc(t(locale, Msg::NotChanged)), esc(e));
    }
    if q.decided.is_some() {
        let _ = write!(h, "<div class=\"banner ok no-print\" role=\"status\">{}</div>", esc(t(locale, Msg::StaffReviewed)));
    }
    if q.started.is_some() {
        let _ = write!(h, "<div class=\"banner ok no-print\" role=\"status\">{}</div>", esc(t(locale, Msg::StaffReviewStartedNow)));
    }
    let facts = [
        (t(locale, Msg::Status), t(locale, if running { Msg::ReviewRunning } else { Msg::ReviewClosed }).to_string()),
        (t(locale, Msg::ReviewStarted), datetime(locale, head.started_at)),
        (t(locale, Msg::StaffReviewStartedBy), head.started_by.clone().unwrap_or_else(|| t(locale, Msg::StaffReviewBySchedule).to_string())),
        (t(locale, Msg::ReviewDeadline), datetime(locale, head.deadline_at)),
        (t(locale, Msg::ReviewClosedAt), head.closed_at.map(|x| datetime(locale, x)).unwrap_or_else(|| "—".to_string())),
        (t(locale, Msg::ReviewWho), t(locale, Msg::StaffReviewWho).to_string()),
        (t(locale, Msg::ReviewNoResponse), no_response_words(locale, head.plan.no_response).to_string()),
        (
            t(locale, Msg::DocOutcome),
            tf(locale, Msg::StaffReviewOutcome, &[("decided", &head.decided.to_string()), ("total", &head.total.to_string()), ("kept", &head.kept.to_string()), ("reduced", &head.reduced.to_string())]),
        ),
    ];
    h.push_str("<dl class=\"facts\">");
    for (k, v) in facts {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    }
    h.push_str("</dl>");
    if items.is_empty() {
        let _ = write!(h, "<p>{}</p>", esc(t(locale, Msg::StaffReviewNobody)));
    } else {
        let _ = write!(
            h,
            "<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
            esc(t(locale, Msg::DocPerson)),
            esc(t(locale, Msg::StaffReviewRole)),
            esc(t(locale, Msg::ReviewHelpers)),
            esc(t(locale, Msg::StaffReviewReviewers)),
            esc(t(locale, Msg::ReviewDecision)),
            esc(t(locale, Msg::ReviewDecidedBy)),
            esc(t(locale, Msg::ReviewDecidedAt)),
            esc(t(locale, Msg::ReqComment)),
        );
        for i in &items {
            let reviewers = if i.reviewers.is_empty() { t(locale, Msg::StaffReviewNoReviewer).to_string() } else { i.reviewers.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join(", ") };
            let decision = if running && i.decision.is_none() && i.staff_id != me.0 {
                let field = format!("sr-comment-{}", i.id);
                format!(
                    "<form method=\"post\" action=\"/staff/reviews/items/{id}/decide\" class=\"inline-form no-print\"><input type=\"hidden\" name=\"csrf_token\" value=\"{csrf}\"><input type=\"hidden\" name=\"campaign\" value=\"{campaign}\"><label class=\"sr-only\" for=\"{field}\">{label}</label><input id=\"{field}\" name=\"comment\" maxlength=\"500\" placeholder=\"{ph}\"> <button type=\"submit\" name=\"decision\" value=\"keep\" class=\"small\">{keep}</button> <button type=\"submit\" name=\"decision\" value=\"reduce\" class=\"small danger\">{reduce}</button></form><span class=\"print-only\">{pending}</span>",
                    id = i.id,
                    csrf = esc(&csrf),
                    label = esc(&tf(locale, Msg::StaffReviewCommentFor, &[("name", &i.name)])),
                    ph = esc(t(locale, Msg::ReqComment)),
                    keep = esc(t(locale, Msg::StaffReviewKeep)),
                    reduce = esc(t(locale, Msg::StaffReviewReduce)),
                    pending = esc(t(locale, Msg::ReviewPending)),
                )
            } else if running && i.decision.is_none() {
                format!("{} <span class=\"muted\">({})</span>", esc(t(locale, Msg::ReviewPending)), esc(t(locale, Msg::StaffReviewSelf)))
            } else {
                esc(decision_words(locale, i.decision.as_deref()))
            };
            let _ = write!(
                h,
                "<tr id=\"item-{}\"><td>{}<br><span class=\"muted small\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                i.id,
                esc(&i.name),
                esc(&i.email),
                esc(staff_role_label(locale, i.role)),
                esc(&helper_words(locale, i)),
                esc(&reviewers),
                decision,
                esc(&decider_words(locale, i)),
                esc(&i.decided_at.map(|x| datetime(locale, x)).unwrap_or_else(|| "—".to_string())),
                esc(i.comment.as_deref().unwrap_or("")),
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</main></body></html>");
    HttpResponse::Ok().content_type("text/html; charset=utf-8").insert_header((header::CACHE_CONTROL, "no-store")).body(h)
}

/// The campaign as evidence, one line per frozen staff member.
async fn evidence_csv(lang: Lang, req: HttpRequest, state: web::Data<AppState>, path: web::Path<i64>) -> HttpResponse {
    use gatehouse_domain::spreadsheet::line;
    if let Err(r) = reviewer(lang, &req) {
        return r;
    }
    let campaign = path.into_inner();
    let (head, items) = match load(&state, campaign).await {
        Ok(Ok(v)) => v,
        Ok(Err(DbError::NotFound)) => return status_page(StatusCode::NOT_FOUND, t(lang.0, Msg::NotFoundText)),
        Ok(Err(e)) => return crate::forms::unavailable(lang, e),
        Err(e) => return crate::forms::unavailable(lang, e),
    };
    let mut out = line(&[
        "review", "state", "started_at", "deadline_at", "closed_at", "no_response", "item", "staff", "email", "staff_role", "never_signed_in", "inactive_days", "support_unused", "reviewers", "decision", "decided_by_kind", "decided_by", "decided_at", "comment",
    ]);
    for i in &items {
        out.push_str(&line(&[
            head.id.to_string(),
            head.state.as_str().to_string(),
            head.started_at.to_rfc3339(),
            head.deadline_at.to_rfc3339(),
            head.closed_at.map(|x| x.to_rfc3339()).unwrap_or_default(),
            head.plan.no_response.as_str().to_string(),
            i.id.to_string(),
            i.name.clone(),
            i.email.clone(),
            i.role.as_str().to_string(),
            i.helpers.never_signed_in.to_string(),
            i.helpers.inactive_days.map(|d| d.to_string()).unwrap_or_default(),
            i.helpers.support_unused.to_string(),
            i.reviewers.iter().map(|(_, n)| n.as_str()).collect::<Vec<_>>().join("; "),
            i.decision.clone().unwrap_or_default(),
            i.decided_by_kind.clone().unwrap_or_default(),
            i.decided_by.clone().unwrap_or_default(),
            i.decided_at.map(|x| x.to_rfc3339()).unwrap_or_default(),
            i.comment.clone().unwrap_or_default(),
        ]));
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"staff-review-{campaign}.csv\"")))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(out)
}
