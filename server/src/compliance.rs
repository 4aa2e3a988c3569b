//! Form posts for leaving and anonymization: end a membership (now, or set/clear its last day),
//! anonymize a former member (confirmed by the pseudonym), set a reminder date, and the
//! automatic anonymization setting. Thin: the db crate checks and writes.
use crate::forms::Caller;
use crate::redirect::see_other;
use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use gatehouse_app::i18n::{t, Msg};
use gatehouse_db::compliance;
use gatehouse_domain::ids::MembershipId;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{org}/members/{id}/end", web::post().to(end))
        .route("/o/{org}/compliance/settings", web::post().to(settings))
        .route("/o/{org}/compliance/{id}/anonymize", web::post().to(anonymize))
        .route("/o/{org}/compliance/{id}/remind", web::post().to(remind));
}

fn refuse(slug: &str, page: &str, locale: gatehouse_domain::locale::Locale, m: Msg) -> HttpResponse {
    see_other(&format!("/o/{slug}/{page}?error={}", crate::middleware::encode(t(locale, m))))
}

/// `when`: now (ends it at once), date (the last day in `last_day`), clear (no end date).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct EndForm {
    when: String,
    last_day: String,
}

async fn end(c: Caller, path: web::Path<(String, i64)>, form: web::Form<EndForm>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let f = form.into_inner();
    let member = MembershipId(id);
    let back = format!("/o/{}/members/{id}", c.org.slug);
    let (org, me, actor, now, url) = (c.org.id, c.m.id, c.actor, c.now, c.state.public_url.clone());
    match f.when.as_str() {
        "now" => {
            let r = c.change(move |conn, p| compliance::end_membership(conn, org, Some((p, me)), member, &url, actor, now)).await;
            c.back(&back, r, &[])
        }
        "clear" => {
            let r = c.change(move |conn, p| compliance::set_end_date(conn, org, p, me, member, None, actor, now)).await;
            c.back(&back, r, &[])
        }
        _ => {
            let Ok(day) = NaiveDate::parse_from_str(f.last_day.trim(), "%Y-%m-%d") else {
                return refuse(&c.org.slug, &format!("members/{id}"), c.locale, Msg::CompBadDate);
            };
            let r = c.change(move |conn, p| compliance::set_end_date(conn, org, p, me, member, Some(day), actor, now)).await;
            c.back(&back, r, &[])
        }
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct ConfirmForm {
    confirm: String,
}

async fn anonymize(c: Caller, path: web::Path<(String, i64)>, form: web::Form<ConfirmForm>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let confirm = form.into_inner().confirm;
    let (org, me, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| compliance::anonymize(conn, org, Some((p, me)), id, &confirm, actor, now)).await;
    match r {
        Ok(_) => see_other(&format!("/o/{}/compliance/{id}?done=1", c.org.slug)),
        Err(e) => c.back::<compliance::Anonymized>(&format!("/o/{}/compliance/{id}/anonymize", c.org.slug), Err(e), &[]),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct RemindForm {
    remind_on: String,
}

async fn remind(c: Caller, path: web::Path<(String, i64)>, form: web::Form<RemindForm>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let Ok(day) = NaiveDate::parse_from_str(form.remind_on.trim(), "%Y-%m-%d") else {
        return refuse(&c.org.slug, &format!("compliance/{id}/remind"), c.locale, Msg::CompBadDate);
    };
    let (org, me, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| compliance::set_reminder(conn, org, p, me, id, day, actor, now)).await;
    c.back(&format!("/o/{}/compliance/{id}/remind", c.org.slug), r, &[])
}

/// Automatic anonymization after N days; an empty field turns it off.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct AutoForm {
    auto_days: String,
}

async fn settings(c: Caller, form: web::Form<AutoForm>) -> HttpResponse {
    let raw = form.auto_days.trim().to_string();
    let days = match raw.as_str() {
        "" => None,
        v => match v.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => return refuse(&c.org.slug, "compliance", c.locale, Msg::CompBadDays),
        },
    };
    let (org, me, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| compliance::set_auto_days(conn, org, p, me, days, actor, now)).await;
    c.back(&format!("/o/{}/compliance", c.org.slug), r, &[])
}
