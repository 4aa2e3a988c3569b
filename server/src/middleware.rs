//! Request ids and structured logs; sessions, locale and CSRF; security headers.
use actix_web::body::{BoxBody, MessageBody};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};
use gatehouse_app::state::{AppState, RequestClient, RequestCsrf, RequestId, RequestLocale, RequestPerson, RequestSession};
use gatehouse_db::{orgs, sessions, DbError};
use std::sync::Arc;
use gatehouse_domain::locale::Locale;
use gatehouse_domain::session::SessionState;
use tracing::Instrument;

pub const SESSION_COOKIE: &str = "gh_session";
pub const PRE_SESSION_COOKIE: &str = "gh_pre";
pub const LANG_COOKIE: &str = "gh_lang";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Paths served without a session lookup (static files, health).
pub fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg" || path == "/favicon.ico" || path == "/health" || path == "/robots.txt"
}

/// Outermost: gives each request an id and a tracing span carrying ids only (request, user,
/// organization — never names or emails), and logs its completion.
pub async fn request_log(req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = gatehouse_db::sessions::random_token()[..16].to_string();
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
        user_id = tracing::field::Empty,
        org_id = tracing::field::Empty,
    );
    req.extensions_mut().insert(RequestId(id.clone()));
    let started = std::time::Instant::now();
    let res = next.call(req).instrument(span.clone()).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    match res {
        Ok(mut res) => {
            let status = res.status().as_u16();
            span.in_scope(|| {
                if status >= 500 {
                    tracing::error!(status, ms, "request failed");
                } else {
                    tracing::info!(status, ms, "request");
                }
            });
            // Pages are UTF-8: say so (the renderer sends a bare `text/html`).
            if res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes() == b"text/html") {
                res.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("text/html; charset=utf-8"));
            }
            if let Ok(v) = header::HeaderValue::from_str(&id) {
                res.headers_mut().insert(header::HeaderName::from_static("x-request-id"), v);
            }
            Ok(res.map_into_boxed_body())
        }
        Err(e) => {
            span.in_scope(|| tracing::error!(error = %e, ms, "request error"));
            Err(e)
        }
    }
}

enum Lookup {
    Missing,
    Expired,
    /// The session, its person, their language, and whether the idle timeout is due to move on.
    Found(RequestSession, RequestPerson, Locale, bool),
}

pub fn cookie<'a>(state: &AppState, name: &'a str, value: String) -> Cookie<'a> {
    Cookie::build(name, value).path("/").http_only(true).same_site(SameSite::Lax).secure(state.secure_cookies()).finish()
}

fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    let mut c = cookie(state, name, String::new());
    c.make_removal();
    c
}

/// What a staff member without a second factor may still open: their account (to set it up),
/// signing in and out, the language.
fn open_without_second_factor(path: &str) -> bool {
    matches!(path, "/account" | "/language" | "/api/account" | "/api/viewer" | "/sign-in" | "/health" | "/favicon.svg")
        || path.starts_with("/auth/")
        || path.starts_with("/account/")
}

fn page_needs_session(method: &Method, path: &str) -> bool {
    method == Method::GET && (path == "/" || path == "/orgs" || path == "/account" || path == "/staff" || path.starts_with("/o/"))
}

/// A page in the reader's language for a refused form (stale or forged CSRF token).
fn csrf_refused(locale: Locale) -> HttpResponse {
    use gatehouse_app::i18n::{t, Msg};
    let (title, text, back) = (t(locale, Msg::FormExpiredTitle), t(locale, Msg::FormExpiredText), t(locale, Msg::BackToStart));
    HttpResponse::Forbidden().content_type("text/html; charset=utf-8").body(format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title><link rel=\"stylesheet\" href=\"/pkg/gatehouse.css\"></head>\
         <body><main id=\"main\" class=\"narrow\"><h1>{title}</h1><p>{text}</p><p><a href=\"/\">{back}</a></p></main></body></html>",
        locale.code()
    ))
}

/// Reads the CSRF token of an unsafe request: the `X-CSRF-Token` header, or the `csrf_token`
/// field of a url-encoded or multipart form (the body is put back for the handler).
async fn provided_csrf(req: &mut ServiceRequest) -> Option<String> {
    if let Some(v) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        return Some(v.to_string());
    }
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let is_form = ct.starts_with("application/x-www-form-urlencoded");
    let is_upload = ct.starts_with("multipart/form-data");
    if !is_form && !is_upload {
        return None;
    }
    let bytes = req.extract::<web::Bytes>().await.ok()?;
    let token = if is_upload {
        // A file upload: the token is the form's `csrf_token` part.
        crate::imports::multipart(&ct, &bytes)
            .and_then(|parts| parts.into_iter().find(|p| p.name == CSRF_FIELD))
            .and_then(|p| String::from_utf8(p.data).ok())
    } else {
        serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v))
    };
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(bytes);
    req.set_payload(payload.into());
    token
}

/// Origin check for unsafe requests: when the browser names an origin, it must be ours.
fn origin_ok(req: &ServiceRequest) -> bool {
    let Some(origin) = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = req.connection_info().host().to_string();
    origin.split_once("://").map(|(_, h)| h) == Some(host.as_str())
}

/// Loads the session (idle and absolute timeouts enforced here), decides the locale, checks
/// CSRF on every state-changing request, and sends signed-out visitors of pages to sign-in.
pub async fn session(mut req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let path = req.path().to_string();
    // Static files need no session; the JSON API is called with a key, never a cookie (so it
    // needs no CSRF token and no browser can be made to call it as someone).
    if is_static(&path) || crate::api::is_api(&path) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let state = req.app_data::<web::Data<AppState>>().expect("AppState is registered").get_ref().clone();
    let now = state.clock.now();

    let mut clear_session = false;
    let mut expired = false;
    let mut found: Option<(RequestSession, Locale)> = None;
    let mut person: Option<RequestPerson> = None;
    if let Some(token) = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string()).filter(|t| !t.is_empty()) {
        let policy = state.session_policy;
        let t = token.clone();
        // A read (on SQLite on this thread); the rare writes — moving the idle timeout on,
        // deleting an expired session — go to the blocking pool.
        let lookup = gatehouse_app::api::server::read(&state, move |c| {
            let Some((s, u)) = sessions::load_with_user(c, &t)? else { return Ok(Lookup::Missing) };
            match policy.state(s.created_at, s.last_seen_at, now) {
                SessionState::Valid { touch } => {
                    let mut memberships = orgs::active_memberships(c, s.user)?;
                    // A support session in force (ended at its limit at once, whatever the sweep
                    // has done): its membership comes first, so it is the one acted through.
                    let support = if s.staff.is_some() { gatehouse_db::support::of_session(c, s.support_session, now)? } else { None };
                    if let Some(live) = &support {
                        memberships.insert(0, gatehouse_db::support::acting_membership(c, live)?);
                    }
                    let memberships = Arc::new(memberships);
                    let person = RequestPerson { name: u.display_name, email: u.email, memberships, two_factor: s.two_factor, staff: s.staff, support };
                    Ok(Lookup::Found(RequestSession { user: s.user, token: t, csrf: s.csrf_token }, person, u.locale, touch))
                }
                SessionState::IdleExpired | SessionState::AbsoluteExpired => Ok::<_, DbError>(Lookup::Expired),
            }
        })
        .await;
        let write = match &lookup {
            Ok(Ok(Lookup::Found(_, _, _, true))) => Some(true),
            Ok(Ok(Lookup::Expired)) => Some(false),
            _ => None,
        };
        if let Some(touch) = write {
            let db = state.db.clone();
            let written = web::block(move || db.with(|c| if touch { sessions::touch(c, &token, now) } else { sessions::delete(c, &token) })).await;
            if !matches!(written, Ok(Ok(_))) {
                tracing::error!("session update failed");
                return Ok(req.into_response(crate::forms::unavailable(crate::forms::Lang(Locale::default()), "session lookup")));
            }
        }
        match lookup {
            Ok(Ok(Lookup::Found(s, p, l, _))) => {
                found = Some((s, l));
                person = Some(p);
            }
            Ok(Ok(Lookup::Expired)) => {
                clear_session = true;
                expired = true;
            }
            Ok(Ok(Lookup::Missing)) => clear_session = true,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "session lookup failed");
                return Ok(req.into_response(crate::forms::unavailable(crate::forms::Lang(Locale::default()), "session lookup")));
            }
            Err(e) => {
                tracing::error!(error = %e, "session lookup failed");
                return Ok(req.into_response(crate::forms::unavailable(crate::forms::Lang(Locale::default()), "session lookup")));
            }
        }
    }

    let locale = found
        .as_ref()
        .map(|(_, l)| *l)
        .or_else(|| req.cookie(LANG_COOKIE).and_then(|c| Locale::parse(c.value())))
        .or_else(|| {
            req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::from_accept_language)
        })
        .unwrap_or_default();

    let mut new_pre_token = None;
    let expected_csrf = match &found {
        Some((s, _)) => s.csrf.clone(),
        None => match req.cookie(PRE_SESSION_COOKIE).map(|c| c.value().to_string()).filter(|v| v.len() == 64) {
            Some(v) => v,
            None => {
                let v = sessions::random_token();
                new_pre_token = Some(v.clone());
                v
            }
        },
    };

    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let provided = provided_csrf(&mut req).await;
        let ok = origin_ok(&req) && provided.as_deref().is_some_and(|p| gatehouse_domain::secret::constant_time_eq(p.as_bytes(), expected_csrf.as_bytes()));
        if !ok {
            tracing::warn!("refused a state-changing request without a valid CSRF token");
            return Ok(req.into_response(csrf_refused(locale)));
        }
    }

    // Platform staff always sign in with a second factor (seed isms): one without it is sent to
    // set it up before anything else opens.
    if person.as_ref().is_some_and(|p| p.staff.is_some() && !p.two_factor) && !open_without_second_factor(&path) {
        tracing::info!("staff member without a second factor sent to set it up");
        let resp = if req.method() == Method::GET {
            crate::redirect::see_other("/account?two_factor=required#two-factor")
        } else {
            use gatehouse_app::i18n::{t, Msg};
            crate::forms::status_page(actix_web::http::StatusCode::FORBIDDEN, t(locale, Msg::StaffTwoFactorRequired))
        };
        return Ok(req.into_response(resp));
    }

    if page_needs_session(req.method(), &path) && found.is_none() {
        let target = match req.query_string() {
            "" => path.clone(),
            q => format!("{path}?{q}"),
        };
        let mut location = format!("/sign-in?next={}", encode(&target));
        if expired {
            location.push_str("&error=expired");
        }
        let mut resp = crate::redirect::see_other(&location);
        if clear_session {
            let _ = resp.add_cookie(&removal(&state, SESSION_COOKIE));
        }
        return Ok(req.into_response(resp));
    }
    if path == "/sign-in" && found.is_some() && req.method() == Method::GET {
        return Ok(req.into_response(crate::redirect::see_other("/")));
    }

    if let Some((s, _)) = &found {
        tracing::Span::current().record("user_id", s.user.0);
        req.extensions_mut().insert(s.clone());
    }
    if let Some(p) = person {
        req.extensions_mut().insert(p);
    }
    req.extensions_mut().insert(RequestClient(client_address(&req, &state)));
    req.extensions_mut().insert(RequestCsrf(expected_csrf));
    req.extensions_mut().insert(RequestLocale(locale));

    let mut res = next.call(req).await?;
    if let Some(v) = new_pre_token {
        let _ = res.response_mut().add_cookie(&cookie(&state, PRE_SESSION_COOKIE, v));
    }
    if clear_session {
        let _ = res.response_mut().add_cookie(&removal(&state, SESSION_COOKIE));
    }
    // Pages carry personal data: never cached by the browser or a proxy.
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(res.map_into_boxed_body())
}

/// The TCP peer, or behind a configured reverse proxy the client it names in `X-Forwarded-For`.
fn client_address(req: &ServiceRequest, state: &AppState) -> std::net::IpAddr {
    let peer = req.peer_addr().map(|a| a.ip()).unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED));
    if state.trusted_proxies.is_empty() {
        return peer;
    }
    let forwarded: Vec<&str> = req.headers().get_all("x-forwarded-for").filter_map(|v| v.to_str().ok()).collect();
    state.trusted_proxies.client(peer, &forwarded)
}

pub fn encode(s: &str) -> String {
    gatehouse_app::components::url_encode(s)
}

/// Headers on every response. A page's own CSP (with its nonce) takes precedence.
pub fn security_headers(secure: bool) -> actix_web::middleware::DefaultHeaders {
    let mut h = actix_web::middleware::DefaultHeaders::new()
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("Referrer-Policy", "same-origin"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add(("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"))
        .add(("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"));
    if secure {
        h = h.add(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"));
    }
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn constant_time_comparison_and_encoding() {
        assert!(gatehouse_domain::secret::constant_time_eq(b"abc", b"abc"));
        assert!(!gatehouse_domain::secret::constant_time_eq(b"abc", b"abd"));
        assert!(!gatehouse_domain::secret::constant_time_eq(b"abc", b"ab"));
        assert_eq!(super::encode("/o/acme/members?q=a b&x"), "/o/acme/members%3Fq%3Da%20b%26x");
    }
}
