//! Access reviews' form posts: planning a review (`reviews.run`; one that starts now starts in the
//! same change, its population frozen and its reviewers mailed), a reviewer's keep or revoke on
//! one item, and keeping in one go every item of theirs the decision helpers agree to keep.
use crate::forms::{fields, Caller, Form};
use crate::redirect::see_other;
use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, Utc};
use gatehouse_app::i18n::{t, Msg};
use gatehouse_db::reviews::{self, PlanInput};
use gatehouse_db::DbError;
use gatehouse_domain::error::DomainError;
use gatehouse_domain::ids::{MembershipId, RoleId, UnitId};
use gatehouse_domain::reviews::{Decision, NoResponse, Population, ReviewerPlan, ReviewerRule, Schedule};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{org}/reviews/plans", web::post().to(plan))
        .route("/o/{org}/reviews/items/{id}/decide", web::post().to(decide))
        .route("/o/{org}/reviews/{id}/keep-agreed", web::post().to(keep_agreed))
        .route("/o/{org}/reviews/{id}/evidence.csv", web::get().to(evidence))
        .route("/o/{org}/reviews/{id}/evidence", web::get().to(evidence_page));
}

/// The review as evidence, one line per frozen assignment (`reviews.run`): who held which role
/// where, what spoke against keeping it, the decision, by whom, when, with which comment.
async fn evidence(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    use gatehouse_domain::authz::Target;
    use gatehouse_domain::spreadsheet::line;
    let (_, campaign) = path.into_inner();
    if let Err(d) = c.policy.require(c.m.id, "reviews.run", &Target::Organization, c.now) {
        return crate::forms::status_page(actix_web::http::StatusCode::FORBIDDEN, &gatehouse_app::explain::denial(c.locale, &c.policy, &d));
    }
    let (db, org) = (c.state.db.clone(), c.org.id);
    let loaded = web::block(move || {
        db.with(|conn| {
            let head = reviews::campaigns(conn, org, Some(campaign))?.into_iter().next().ok_or(DbError::NotFound)?;
            Ok::<_, DbError>((head, reviews::items(conn, org, campaign)?, reviews::deciders(conn, org, campaign)?))
        })
    })
    .await;
    let (head, items, deciders) = match loaded {
        Ok(Ok(v)) => v,
        Ok(Err(DbError::NotFound)) => return crate::forms::status_page(actix_web::http::StatusCode::NOT_FOUND, t(c.locale, Msg::NotFoundText)),
        _ => return crate::forms::status_page(actix_web::http::StatusCode::SERVICE_UNAVAILABLE, t(c.locale, Msg::ServiceUnavailable)),
    };
    let mut out = line(&["review", "state", "started_at", "deadline_at", "item", "member", "role", "unit", "never_signed_in", "inactive_days", "unusual_in_unit", "state_of_item", "decision", "decided_by", "decided_at", "comment"]);
    for i in &items {
        let who = deciders.iter().find(|(id, ..)| *id == i.id);
        let (state, decision) = match i.state {
            gatehouse_domain::reviews::ItemState::Pending => ("pending", ""),
            gatehouse_domain::reviews::ItemState::Escalated => ("escalated", ""),
            gatehouse_domain::reviews::ItemState::Proposed(d) => ("proposed", d.as_str()),
            gatehouse_domain::reviews::ItemState::Final(d) => ("final", d.as_str()),
        };
        out.push_str(&line(&[
            head.plan.clone(),
            head.state.as_str().to_string(),
            head.started_at.to_rfc3339(),
            head.deadline_at.to_rfc3339(),
            i.id.to_string(),
            i.member_name.clone(),
            i.role_name.clone(),
            i.unit_name.clone().unwrap_or_default(),
            i.helpers.never_signed_in.to_string(),
            i.helpers.inactive_days.map(|d| d.to_string()).unwrap_or_default(),
            i.helpers.unusual_in_unit.to_string(),
            state.to_string(),
            decision.to_string(),
            who.and_then(|(_, n, _, k)| n.clone().or_else(|| k.clone())).unwrap_or_default(),
            who.and_then(|(_, _, at, _)| at.map(|a| a.to_rfc3339())).unwrap_or_default(),
            i.comment.clone().unwrap_or_default(),
        ]));
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((actix_web::http::header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}-review-{campaign}.csv\"", c.org.slug))) // not user text: a header
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(out)
}

fn bad(field: &'static str, value: &str) -> DbError {
    DbError::Domain(DomainError::InvalidValue { field, value: value.to_string() })
}

async fn plan(c: Caller, form: Form) -> HttpResponse {
    let all: Vec<(String, String)> = form.0.clone();
    let f = fields(&form);
    let get = |k: &str| f.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let many = |k: &str| all.iter().filter(|(n, _)| n == k).filter_map(|(_, v)| v.trim().parse::<i64>().ok()).collect::<Vec<_>>();
    let back = format!("/o/{}/reviews", c.org.slug);
    // What was typed comes back with a refusal.
    let keep: Vec<(&str, String)> = ["name", "schedule", "duration_days", "no_response"].iter().map(|k| (*k, get(k))).collect();
    // Named reviewers: addresses separated by commas, semicolons or lines.
    let named: Vec<String> = get("named").split([',', ';', '\n', '\r']).map(|e| e.trim().to_string()).filter(|e| !e.is_empty()).collect();
    let parsed = (|| -> Result<(PlanInput, Option<String>, Option<String>), DbError> {
        let population = match get("population").as_str() {
            "roles" => Population::Roles(many("role").into_iter().map(RoleId).collect()),
            "org_roles" => Population::OrgRoles(all.iter().filter(|(n, _)| n == "org_role").map(|(_, v)| v.trim().to_string()).filter(|v| !v.is_empty()).collect()),
            _ => Population::Units(many("unit").into_iter().map(UnitId).collect()),
        };
        if matches!(&population, Population::Roles(r) if r.is_empty()) {
            return Err(bad("role", ""));
        }
        if matches!(&population, Population::OrgRoles(r) if r.is_empty()) {
            return Err(bad("org_role", ""));
        }
        let rule = match get("rule").as_str() {
            "holders_managers" => ReviewerRule::HoldersManagers,
            "self" => ReviewerRule::SelfAttestation,
            // Named people: their addresses, resolved below (active members here).
            "named" => ReviewerRule::Named(vec![]),
            _ => ReviewerRule::UnitManagers,
        };
        if matches!(rule, ReviewerRule::Named(_)) && named.is_empty() {
            return Err(bad("named", ""));
        }
        let schedule = Schedule::parse(&get("schedule")).ok_or_else(|| bad("schedule", &get("schedule")))?;
        let number = |k: &'static str, default: u32| -> Result<u32, DbError> {
            let v = get(k);
            if v.is_empty() {
                Ok(default)
            } else {
                v.parse::<u32>().map_err(|_| bad(k, &v))
            }
        };
        let no_response = NoResponse::parse(&get("no_response")).ok_or_else(|| bad("no_response", &get("no_response")))?;
        let first_start = match get("start_on").as_str() {
            "" => c.now,
            d => {
                let day = NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| bad("start_on", d))?;
                let tz: chrono_tz::Tz = c.org.time_zone.parse().unwrap_or(chrono_tz::UTC);
                let local = day.and_hms_opt(8, 0, 0).expect("08:00 exists");
                match local.and_local_timezone(tz) {
                    chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc).max(c.now),
                    chrono::LocalResult::None => c.now,
                }
            }
        };
        let emails = (Some(get("fallback")).filter(|s| !s.is_empty()), Some(get("second_stage")).filter(|s| !s.is_empty()));
        Ok((
            PlanInput {
                name: get("name"),
                population,
                reviewers: ReviewerPlan { rule, fallback: None, self_review: f.contains_key("self_review"), second_stage: None },
                schedule,
                duration_days: number("duration_days", 14)?,
                keep_needs_comment: f.contains_key("keep_needs_comment"),
                no_response,
                escalation_days: number("escalation_days", 7)?,
                inactive_days: number("inactive_days", 30)?,
                first_start,
            },
            emails.0,
            emails.1,
        ))
    })();
    let (input, fallback, second) = match parsed {
        Ok(p) => p,
        Err(e) => return c.back(&back, Err::<((), _), _>((e, c.policy.clone())), &keep),
    };
    let (org, me, actor, now, url) = (c.org.id, c.m.id, c.actor, c.now, c.state.public_url.clone());
    let r = c
        .change(move |conn, p| {
            let mut input = input.clone();
            // The fallback and the second stage are named by their address: active members here.
            let member = |conn: &mut gatehouse_db::Conn<'_>, field: &'static str, email: &Option<String>| -> Result<Option<MembershipId>, DbError> {
                match email {
                    None => Ok(None),
                    Some(e) => match gatehouse_db::views::api::active_member(conn, org, None, Some(e))? {
                        Some(m) => Ok(Some(m)),
                        None => Err(bad(field, e)),
                    },
                }
            };
            if matches!(input.reviewers.rule, ReviewerRule::Named(_)) {
                let mut people = Vec::new();
                for e in &named {
                    people.extend(member(conn, "named", &Some(e.clone()))?);
                }
                input.reviewers.rule = ReviewerRule::Named(people);
            }
            input.reviewers.fallback = member(conn, "fallback", &fallback)?;
            input.reviewers.second_stage = member(conn, "second_stage", &second)?;
            let id = reviews::create_plan(conn, org, p, me, &input, actor, now)?;
            if input.first_start <= now {
                reviews::start(conn, org, id, input.first_start, &url, now)?;
            }
            Ok(id)
        })
        .await;
    c.back(&back, r, &keep)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct DecideForm {
    decision: String,
    comment: String,
}

async fn decide(c: Caller, path: web::Path<(String, i64)>, form: web::Form<DecideForm>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let f = form.into_inner();
    let (org, slug) = (c.org.id, c.org.slug.clone());
    let db = c.state.db.clone();
    let campaign = match web::block(move || db.with(|conn| reviews::campaign_of(conn, org, id))).await {
        Ok(Ok(campaign)) => campaign,
        _ => return crate::forms::status_page(actix_web::http::StatusCode::NOT_FOUND, t(c.locale, Msg::NotFoundText)),
    };
    let back = format!("/o/{slug}/reviews/{campaign}");
    let Some(decision) = Decision::parse(&f.decision) else {
        return see_other(&format!("{back}?error={}", crate::middleware::encode(t(c.locale, Msg::ReviewChooseDecision))));
    };
    let (me, actor, now, comment) = (c.m.id, c.actor, c.now, f.comment);
    let r = c.change(move |conn, p| reviews::decide(conn, org, p, me, id, decision, &comment, actor, now)).await;
    c.back(&back, r, &[])
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AgreedForm {
    comment: String,
}

async fn keep_agreed(c: Caller, path: web::Path<(String, i64)>, form: web::Form<AgreedForm>) -> HttpResponse {
    let (_, campaign) = path.into_inner();
    let comment = form.into_inner().comment;
    let (org, me, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| reviews::keep_agreed(conn, org, p, me, campaign, &comment, actor, now)).await;
    c.back(&format!("/o/{}/reviews/{campaign}", c.org.slug), r, &[])
}

#[derive(Debug, serde::Deserialize)]
struct Lang {
    lang: Option<String>,
}

/// The review as a printable page (`reviews.run`, `?lang=en|de`): what was asked, when, of whom,
/// how it ended, and every frozen assignment with what spoke against it, the decision, who made
/// it when, and the comment. The page and, with the print style sheet, the paper copy.
async fn evidence_page(c: Caller, path: web::Path<(String, i64)>, q: web::Query<Lang>) -> HttpResponse {
    use crate::document::esc;
    use actix_web::http::StatusCode;
    use gatehouse_app::i18n::{datetime, tf};
    use gatehouse_domain::authz::Target;
    use gatehouse_domain::locale::Locale;
    use std::fmt::Write;
    let (_, campaign) = path.into_inner();
    if let Err(d) = c.policy.require(c.m.id, "reviews.run", &Target::Organization, c.now) {
        return crate::forms::status_page(StatusCode::FORBIDDEN, &gatehouse_app::explain::denial(c.locale, &c.policy, &d));
    }
    let locale = q.lang.as_deref().and_then(Locale::parse).unwrap_or(c.locale);
    let (db, org) = (c.state.db.clone(), c.org.id);
    let loaded = web::block(move || {
        db.with(|conn| {
            let head = reviews::campaigns(conn, org, Some(campaign))?.into_iter().next().ok_or(DbError::NotFound)?;
            let plan = reviews::reviewer_plan(conn, org, campaign)?;
            Ok::<_, DbError>((head, plan, reviews::items(conn, org, campaign)?, reviews::deciders(conn, org, campaign)?))
        })
    })
    .await;
    let (head, plan, items, deciders) = match loaded {
        Ok(Ok(v)) => v,
        Ok(Err(DbError::NotFound)) => return crate::forms::status_page(StatusCode::NOT_FOUND, t(c.locale, Msg::NotFoundText)),
        _ => return crate::forms::status_page(StatusCode::SERVICE_UNAVAILABLE, t(c.locale, Msg::ServiceUnavailable)),
    };
    let slug = esc(&c.org.slug);
    let other = match locale {
        Locale::En => ("de", "Deutsch"),
        Locale::De => ("en", "English"),
    };
    let title = tf(locale, Msg::ReviewEvidenceTitle, &[("review", &head.plan)]);
    let mut h = String::with_capacity(8 * 1024 + items.len() * 300);
    // not user text: the page's markup; every word comes from the catalogs
    let _ = write!(
        h,
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/pkg/gatehouse.css\"></head><body class=\"document\">\
<nav class=\"doc-bar no-print\" aria-label=\"{nav}\"><a href=\"/o/{slug}/reviews/{campaign}\">← {back}</a> <a href=\"/o/{slug}/reviews/{campaign}/evidence?lang={olang}\" lang=\"{olang}\">{oname}</a> <span class=\"muted\">{hint}</span></nav>\
<main id=\"main\" class=\"doc\"><h1>{title}</h1><p class=\"doc-meta\">{meta}</p>",
        lang = locale.code(),
        title = esc(&title),
        nav = esc(t(locale, Msg::DocNav)),
        back = esc(&head.plan),
        olang = other.0,
        oname = other.1,
        hint = esc(t(locale, Msg::DocPrintHint)),
        meta = esc(&tf(locale, Msg::DocMeta, &[("org", &c.org.name), ("at", &datetime(locale, c.now))])),
    );
    let state = t(locale, if head.state == gatehouse_domain::reviews::CampaignState::Running { Msg::ReviewRunning } else { Msg::ReviewClosed });
    let rule = match &plan.rule {
        ReviewerRule::UnitManagers => t(locale, Msg::ReviewRuleUnitManagers).to_string(),
        ReviewerRule::HoldersManagers => t(locale, Msg::ReviewRuleHoldersManagers).to_string(),
        ReviewerRule::SelfAttestation => t(locale, Msg::ReviewRuleSelf).to_string(),
        ReviewerRule::Named(_) => t(locale, Msg::ReviewRuleNamed).to_string(),
    };
    let facts = [
        (t(locale, Msg::Status), state.to_string()),
        (t(locale, Msg::ReviewStarted), datetime(locale, head.started_at)),
        (t(locale, Msg::ReviewDeadline), datetime(locale, head.escalation_until.unwrap_or(head.deadline_at))),
        (t(locale, Msg::ReviewClosedAt), head.closed_at.map(|x| datetime(locale, x)).unwrap_or_else(|| "—".to_string())),
        (t(locale, Msg::ReviewWho), rule),
        (t(locale, Msg::DocOutcome), tf(locale, Msg::ReviewOutcome, &[("decided", &head.decided.to_string()), ("total", &head.total.to_string()), ("kept", &head.kept.to_string()), ("revoked", &head.revoked.to_string())])),
    ];
    h.push_str("<dl class=\"facts\">");
    for (k, v) in facts {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    }
    let _ = write!(
        h,
        "</dl><table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        esc(t(locale, Msg::DocPerson)),
        esc(t(locale, Msg::Roles)),
        esc(t(locale, Msg::Unit)),
        esc(t(locale, Msg::ReviewHelpers)),
        esc(t(locale, Msg::ReviewDecision)),
        esc(t(locale, Msg::ReviewDecidedBy)),
        esc(t(locale, Msg::ReviewDecidedAt)),
        esc(t(locale, Msg::ReqComment)),
    );
    for i in &items {
        let (helpers, state) = gatehouse_app::api::reviews::item_words(locale, i);
        let who = deciders.iter().find(|(id, ..)| *id == i.id);
        let helpers = if helpers.is_empty() { t(locale, Msg::ReviewNothingAgainst).to_string() } else { helpers.join(", ") };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&i.member_name),
            esc(&gatehouse_app::api::reviews::role_words(locale, i)),
            esc(i.unit_name.as_deref().unwrap_or("—")),
            esc(&helpers),
            esc(&state),
            esc(&gatehouse_app::api::reviews::decider_words(locale, who).unwrap_or_default()),
            esc(&who.and_then(|(_, _, at, _)| at.map(|a| datetime(locale, a))).unwrap_or_default()),
            esc(i.comment.as_deref().unwrap_or("")),
        );
    }
    h.push_str("</tbody></table></main></body></html>");
    HttpResponse::Ok().content_type("text/html; charset=utf-8").insert_header((actix_web::http::header::CACHE_CONTROL, "no-store")).body(h)
}
