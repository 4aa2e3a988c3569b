//! Form posts of the API keys page: add and remove technical users, make and revoke keys. A new
//! key is answered with a page that shows it this once (never redirected with it in a URL, never
//! kept anywhere in clear).
use crate::forms::{number, Caller, Form};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use gatehouse_app::i18n::{datetime, t, tf, Msg};
use gatehouse_domain::ids::ApiKeyId;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{org}/api-keys/users", web::post().to(create_user))
        .route("/o/{org}/api-keys/users/{id}/remove", web::post().to(remove_user))
        .route("/o/{org}/api-keys/users/{id}/keys", web::post().to(create_key))
        .route("/o/{org}/api-keys/keys/{id}/revoke", web::post().to(revoke_key));
}

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
}

fn page(c: &Caller) -> String {
    format!("/o/{}/api-keys", c.org.slug)
}

async fn create_user(c: Caller, form: Form) -> HttpResponse {
    let (name, description) = (field(&form, "name").to_string(), field(&form, "description").to_string());
    let keep = vec![("name", name.clone()), ("description", description.clone())];
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::api_keys::create_technical_user(conn, org, p, by, &name, &description, actor, now)).await;
    c.back(&page(&c), r, &keep)
}

async fn remove_user(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::api_keys::remove_technical_user(conn, org, p, by, id, actor, now)).await;
    c.back(&page(&c), r, &[])
}

async fn revoke_key(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::api_keys::revoke_key(conn, org, p, by, ApiKeyId(id), actor, now)).await;
    c.back(&page(&c), r, &[])
}

async fn create_key(c: Caller, path: web::Path<(String, i64)>, form: Form) -> HttpResponse {
    let (_, user) = path.into_inner();
    let name = field(&form, "name").to_string();
    let days_entered = field(&form, "valid_days").to_string();
    let scopes: Vec<String> = form.iter().filter(|(k, _)| k == "scope").map(|(_, v)| v.clone()).collect();
    let keep = vec![("name", name.clone())];
    let Some(days) = number(&days_entered) else {
        return c.refused(&page(&c), gatehouse_db::DbError::Domain(gatehouse_domain::DomainError::InvalidValue { field: "valid_days", value: days_entered }), &keep);
    };
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let key_name = name.clone();
    let r = c.change(move |conn, p| gatehouse_db::api_keys::create_key(conn, org, p, by, user, &key_name, &scopes, days, actor, now)).await;
    match r {
        Ok((k, _)) => shown_once(&c, &k.token, &name, &k.technical_user, &datetime(c.locale, k.expires_at)),
        Err(e) => c.back(&page(&c), Err::<((), _), _>(e), &keep),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The one time the key exists in clear: a page of its own, not cached, not in any URL.
fn shown_once(c: &Caller, token: &str, name: &str, user: &str, ends: &str) -> HttpResponse {
    let l = c.locale;
    let title = escape(t(l, Msg::ApiKeyCreatedTitle));
    let example = format!("Authorization: Bearer {token}"); // not user text: the HTTP header to send
    let body = format!(
        // not user text: the page's markup; every word comes from the catalogs
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title}</title><link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"/pkg/gatehouse.css\"></head><body><main id=\"main\" class=\"key-once\">\
<h1>{title}</h1><p>{for_}</p><div class=\"banner warn\" role=\"alert\">{once}</div>\
<p><label for=\"new-key\">{label}</label><br><input id=\"new-key\" class=\"key-value\" readonly value=\"{token}\" size=\"90\"></p>\
<p class=\"muted small\">{use_}</p><p><a href=\"{back}\">{back_text}</a></p></main></body></html>",
        lang = l.code(),
        for_ = escape(&tf(l, Msg::ApiKeyCreatedFor, &[("name", name), ("user", user), ("ends", ends)])),
        once = escape(t(l, Msg::ApiKeyCreatedOnce)),
        label = escape(t(l, Msg::ApiKeysKeyId)),
        token = escape(token),
        use_ = escape(&tf(l, Msg::ApiKeyCreatedUse, &[("example", &example)])),
        back = escape(&page(c)),
        back_text = escape(t(l, Msg::ApiKeyCreatedBack)),
    );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("referrer-policy", "no-referrer"))
        .body(body)
}
