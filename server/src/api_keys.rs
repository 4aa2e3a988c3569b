//! Form posts of the API keys page: add and remove technical users, make and revoke keys. A new
//! key is answered with a page that shows it this once (never redirected with it in a URL, never
//! kept anywhere in clear).
use crate::forms::{number, Caller, Form};
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

/// The one time the key exists in clear.
fn shown_once(c: &Caller, token: &str, name: &str, user: &str, ends: &str) -> HttpResponse {
    let l = c.locale;
    let example = format!("Authorization: Bearer {token}"); // not user text: the HTTP header to send
    let back = page(c);
    crate::once::Once {
        locale: l,
        title: t(l, Msg::ApiKeyCreatedTitle),
        paragraphs: vec![tf(l, Msg::ApiKeyCreatedFor, &[("name", name), ("user", user), ("ends", ends)])],
        warning: t(l, Msg::ApiKeyCreatedOnce),
        values: vec![(t(l, Msg::ApiKeysKeyId).to_string(), token.to_string())],
        after: vec![tf(l, Msg::ApiKeyCreatedUse, &[("example", &example)])],
        back: (&back, t(l, Msg::ApiKeyCreatedBack)),
    }
    .response()
}
