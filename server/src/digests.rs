//! Digests' form posts: the organization's default (`digests.setup` organization-wide), a
//! person's own frequency for the organization's digest or a unit's (`digests.setup` there),
//! removing a unit's digest, and mailing oneself the digest of the period so far. And the
//! unsubscribe link of every digest: it works without signing in (the signed token names the
//! person and the digest), and asks before it unsubscribes, so a mail scanner following links
//! changes nothing.
use crate::forms::{fields, Caller, Form};
use actix_web::http::StatusCode;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use gatehouse_app::i18n::{t, tf, Msg};
use gatehouse_app::state::{AppState, RequestCsrf, RequestLocale};
use gatehouse_db::digests;
use gatehouse_db::DbError;
use gatehouse_domain::digests::Frequency;
use gatehouse_domain::ids::UnitId;
use gatehouse_domain::links::{Check, Subject};
use gatehouse_domain::locale::Locale;

/// The organization's forms (listed in `forms::ORG_FORMS`).
pub fn configure_org(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{org}/digests/default", web::post().to(set_default))
        .route("/o/{org}/digests/choice", web::post().to(choose))
        .route("/o/{org}/digests/units/{id}/remove", web::post().to(remove))
        .route("/o/{org}/digests/send-now", web::post().to(send_now));
}

/// The unsubscribe link, outside any organization.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/digests/unsubscribe", web::get().to(unsubscribe_page)).route("/digests/unsubscribe", web::post().to(unsubscribe));
}

fn back(c: &Caller) -> String {
    format!("/o/{}/digests", c.org.slug)
}

fn frequency(v: &str) -> Result<Frequency, DbError> {
    Frequency::parse(v).map_err(DbError::Domain)
}

fn unit(v: &str) -> Result<Option<UnitId>, DbError> {
    match v.trim() {
        "" | "0" => Ok(None),
        x => x.parse::<i64>().map(|n| Some(UnitId(n))).map_err(|_| crate::forms::invalid("unit", x)),
    }
}

async fn set_default(c: Caller, form: Form) -> HttpResponse {
    let f = fields(&form);
    let chosen = match frequency(f.get("frequency").map(String::as_str).unwrap_or("")) {
        Ok(x) => x,
        Err(e) => return c.refused(&back(&c), e, &[]),
    };
    let (org, me, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| digests::set_default(conn, org, p, me, chosen, actor, now)).await;
    c.back(&back(&c), r, &[])
}

async fn choose(c: Caller, form: Form) -> HttpResponse {
    let f = fields(&form);
    let parsed = (|| Ok::<_, DbError>((unit(f.get("unit").map(String::as_str).unwrap_or(""))?, frequency(f.get("frequency").map(String::as_str).unwrap_or(""))?)))();
    let (scope, chosen) = match parsed {
        Ok(x) => x,
        Err(e) => return c.refused(&back(&c), e, &[]),
    };
    let (org, me, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| digests::choose(conn, org, p, me, scope, chosen, actor, now)).await;
    c.back(&back(&c), r, &[])
}

async fn remove(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, u) = path.into_inner();
    let (org, me, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, _| digests::remove(conn, org, me, UnitId(u), actor, now)).await;
    c.back(&back(&c), r, &[])
}

async fn send_now(c: Caller, form: Form) -> HttpResponse {
    let f = fields(&form);
    let parsed = (|| Ok::<_, DbError>((unit(f.get("unit").map(String::as_str).unwrap_or(""))?, frequency(f.get("frequency").map(String::as_str).unwrap_or("monthly"))?)))();
    let (scope, chosen) = match parsed {
        Ok(x) => x,
        Err(e) => return c.refused(&back(&c), e, &[]),
    };
    let (org, me, actor, now, url) = (c.org.id, c.m.id, c.actor, c.now, c.state.public_url.clone());
    let r = c.change(move |conn, p| digests::send_now(conn, org, p, me, scope, chosen, &url, actor, now)).await;
    match r {
        Ok(_) => crate::redirect::see_other(&format!("{}?sent=1", back(&c))),
        Err(e) => c.back(&back(&c), Err::<((), _), _>(e), &[]),
    }
}

#[derive(serde::Deserialize, Default, Clone)]
#[serde(default)]
struct Link {
    m: i64,
    s: i64,
    link: String,
}

use crate::once::escape;

/// A small page of its own (no session needed): a title, a paragraph, and optionally the
/// confirming form or a link. (The site-wide `Referrer-Policy: same-origin` keeps the link's
/// token from other sites; `no-referrer` would make the form post with `Origin: null`.)
fn page(locale: Locale, code: StatusCode, title: &str, text: &str, extra: &str) -> HttpResponse {
    HttpResponse::build(code)
        .content_type("text/html; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        // not user text: the page's markup; every word comes from the catalogs
        .body(format!(
            "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title>\
<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/pkg/gatehouse.css\"></head><body><main id=\"main\" class=\"narrow\"><h1>{}</h1><p>{}</p>{extra}</main></body></html>",
            locale.code(),
            escape(title),
            escape(title),
            escape(text)
        ))
}

/// The link's digest when its token is valid for it; else the page that says why.
async fn checked(state: &AppState, locale: Locale, l: &Link) -> Result<digests::Unsubscribe, HttpResponse> {
    let (db, now, l2) = (state.db.clone(), state.clock.now(), l.clone());
    let r = web::block(move || {
        db.with(|c| {
            let check = gatehouse_db::links::check(c, &l2.link, Subject::DigestUnsubscribe(l2.m, l2.s), now)?;
            Ok::<_, DbError>((check, if check == Check::Valid { Some(digests::unsubscribe_target(c, l2.m, l2.s)) } else { None }))
        })
    })
    .await;
    let title = t(locale, Msg::DigestUnsubscribeTitle);
    match r {
        Ok(Ok((Check::Valid, Some(Ok(target))))) => Ok(target),
        Ok(Ok((Check::Expired, _))) => Err(page(locale, StatusCode::GONE, title, t(locale, Msg::DigestUnsubscribeExpired), "")),
        Ok(Ok((Check::Valid, Some(Err(DbError::NotFound))))) | Ok(Ok((Check::Invalid, _))) => {
            Err(page(locale, StatusCode::NOT_FOUND, title, t(locale, Msg::DigestUnsubscribeInvalid), ""))
        }
        _ => Err(page(locale, StatusCode::SERVICE_UNAVAILABLE, title, t(locale, Msg::ServiceUnavailable), "")),
    }
}

fn locale_of(req: &HttpRequest) -> Locale {
    req.extensions().get::<RequestLocale>().map(|l| l.0).unwrap_or_default()
}

fn what(locale: Locale, target: &digests::Unsubscribe) -> String {
    match &target.scope {
        None => tf(locale, Msg::DigestOfOrg, &[("org", &target.org_name)]),
        Some((_, unit)) => tf(locale, Msg::DigestOfUnit, &[("unit", unit), ("org", &target.org_name)]),
    }
}

async fn unsubscribe_page(req: HttpRequest, state: web::Data<AppState>, q: web::Query<Link>) -> HttpResponse {
    let locale = locale_of(&req);
    let target = match checked(&state, locale, &q).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let title = t(locale, Msg::DigestUnsubscribeTitle);
    if target.done {
        return page(locale, StatusCode::OK, title, &tf(locale, Msg::DigestUnsubscribed, &[("what", &what(locale, &target))]), "");
    }
    let csrf = req.extensions().get::<RequestCsrf>().map(|c| c.0.clone()).unwrap_or_default();
    // not user text: markup; the words come from the catalogs
    let form = format!(
        "<form method=\"post\" action=\"/digests/unsubscribe\" class=\"stack\"><input type=\"hidden\" name=\"csrf_token\" value=\"{}\"><input type=\"hidden\" name=\"m\" value=\"{}\"><input type=\"hidden\" name=\"s\" value=\"{}\"><input type=\"hidden\" name=\"link\" value=\"{}\"><button type=\"submit\">{}</button></form>",
        escape(&csrf),
        q.m,
        q.s,
        escape(&q.link),
        escape(t(locale, Msg::DigestUnsubscribeConfirm))
    );
    page(locale, StatusCode::OK, title, &tf(locale, Msg::DigestUnsubscribeAsk, &[("what", &what(locale, &target))]), &form)
}

async fn unsubscribe(req: HttpRequest, state: web::Data<AppState>, form: web::Form<Link>) -> HttpResponse {
    let locale = locale_of(&req);
    let l = form.into_inner();
    let target = match checked(&state, locale, &l).await {
        Ok(x) => x,
        Err(resp) => return resp,
    };
    let (db, now, tg) = (state.db.clone(), state.clock.now(), target.clone());
    let title = t(locale, Msg::DigestUnsubscribeTitle);
    match web::block(move || db.with(|c| digests::unsubscribe(c, &tg, now))).await {
        Ok(Ok(())) => {
            // not user text: markup
            let more = format!("<p><a href=\"/o/{}/digests\">{}</a></p>", escape(&target.org_slug), escape(t(locale, Msg::DigestManageLink)));
            page(locale, StatusCode::OK, title, &tf(locale, Msg::DigestUnsubscribed, &[("what", &what(locale, &target))]), &more)
        }
        _ => page(locale, StatusCode::SERVICE_UNAVAILABLE, title, t(locale, Msg::ServiceUnavailable), ""),
    }
}
