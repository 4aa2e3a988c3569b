//! Form posts for access requests: ask (a role, a single permission or a unit), decide (approve or deny with a comment), withdraw, revoke (take an approved grant back).
//! Thin: the db crate checks (requestable, approvers, first decision wins) and writes.
use crate::forms::Caller;
use crate::redirect::see_other;
use actix_web::{web, HttpResponse};
use gatehouse_app::i18n::{t, Msg};
use gatehouse_db::requests;

use gatehouse_domain::requests::{AskProblem, Asked};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{org}/requests", web::post().to(ask))
        .route("/o/{org}/requests/settings", web::post().to(update_settings))
        .route("/o/{org}/requests/{id}/decide", web::post().to(decide))
        .route("/o/{org}/requests/{id}/withdraw", web::post().to(withdraw))
        .route("/o/{org}/requests/{id}/revoke", web::post().to(revoke));
}

/// Asks for a role (at a unit or organization-wide) or to join a unit.
/// Asking for access: a role, a single permission or a unit (`kind`), where, why and until when.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AskForm {
    kind: String,
    role: String,
    permission: String,
    unit: String,
    justification: String,
    ends_on: String,
}

async fn ask(c: Caller, form: web::Form<AskForm>) -> HttpResponse {
    let f = form.into_inner();
    let get = |v: &String| v.trim().to_string();
    let back = format!("/o/{}/requests", c.org.slug);
    let keep = vec![("kind", get(&f.kind)), ("role", get(&f.role)), ("permission", get(&f.permission)), ("unit", get(&f.unit)), ("justification", get(&f.justification)), ("ends_on", get(&f.ends_on))];
    let refuse = |m: Msg| see_other(&{
        let mut url = format!("{back}?error={}", crate::middleware::encode(t(c.locale, m)));
        for (k, v) in &keep {
            url.push_str(&format!("&{k}={}", crate::middleware::encode(v)));
        }
        url
    });
    let asked = match Asked::from_form(&f.kind, &f.role, &f.permission, &f.unit) {
        Ok(a) => a,
        Err(AskProblem::ChooseUnit) => return refuse(Msg::ReqChooseUnit),
        Err(AskProblem::ChoosePermission) => return refuse(Msg::ReqChoosePermission),
        Err(AskProblem::ChooseRole) => return refuse(Msg::ReqChooseRole),
    };
    let Ok(ends_at) = gatehouse_domain::validate::end_of_day(&f.ends_on, &c.org.time_zone) else { return refuse(Msg::ReqBadDate) };
    let justification = get(&f.justification);
    let (org, me, actor, now, url) = (c.org.id, c.m.id, c.actor, c.now, c.state.public_url.clone());
    let r = c.change(move |conn, p| requests::create(conn, org, p, me, &asked, &justification, ends_at, &url, actor, now)).await;
    match r {
        Ok((id, _)) => see_other(&format!("/o/{}/requests/{id}?done=1", c.org.slug)),
        Err(e) => c.back::<i64>(&back, Err(e), &keep),
    }
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
    let approve = match f.decision.as_str() {
        "approve" => true,
        "deny" => false,
        // A decision is final: nothing but an explicit choice decides.
        _ => return see_other(&format!("/o/{}/requests/{id}?error={}", c.org.slug, crate::middleware::encode(t(c.locale, Msg::ReqChooseDecision)))),
    };
    let comment = f.comment;
    let (org, me, actor, now, url) = (c.org.id, c.m.id, c.actor, c.now, c.state.public_url.clone());
    let r = c.change(move |conn, p| requests::decide(conn, org, p, me, id, approve, Some(&comment), &url, actor, now)).await;
    c.back(&format!("/o/{}/requests/{id}", c.org.slug), r, &[])
}

async fn withdraw(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (org, me, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, _| requests::withdraw(conn, org, me, id, actor, now)).await;
    c.back(&format!("/o/{}/requests/{id}", c.org.slug), r, &[])
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct CommentForm {
    comment: String,
}

async fn revoke(c: Caller, path: web::Path<(String, i64)>, form: web::Form<CommentForm>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let comment = form.into_inner().comment;
    let (org, me, actor, now, url) = (c.org.id, c.m.id, c.actor, c.now, c.state.public_url.clone());
    let r = c.change(move |conn, p| requests::revoke(conn, org, p, me, id, Some(&comment), &url, actor, now)).await;
    c.back(&format!("/o/{}/requests/{id}", c.org.slug), r, &[])
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RequestSettingsForm {
    reminder_days: String,
    expiry_days: String,
}

async fn update_settings(c: Caller, form: web::Form<RequestSettingsForm>) -> HttpResponse {
    // Not a number: out of range, refused in words by the settings' own check.
    let days = |v: &str| v.trim().parse::<i32>().unwrap_or(-1);
    let s = gatehouse_domain::requests::Settings { reminder_days: days(&form.reminder_days), expiry_days: days(&form.expiry_days) };
    let (org, me, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| requests::update_settings(conn, org, p, me, s, actor, now)).await;
    c.back(&format!("/o/{}/requests", c.org.slug), r, &[])
}
