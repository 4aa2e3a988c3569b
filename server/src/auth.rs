//! Sign-in, sign-out, language, the start page redirect and the health check. Plain form posts:
//! they work before (and without) the WASM.
use crate::middleware::{cookie, LANG_COOKIE, SESSION_COOKIE};
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use gatehouse_app::state::{AppState, RequestClient, RequestId, RequestSession};
use gatehouse_db::audit::{self, AuditEntry};
use gatehouse_db::{orgs, password, sessions, throttle, users, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::UserId;
use gatehouse_domain::locale::Locale;
use gatehouse_domain::throttle::ThrottlePolicy;
use serde::Deserialize;

use crate::forms::{unavailable, Lang};
use crate::redirect::see_other;
use gatehouse_domain::redirect::local_path;


#[derive(Deserialize)]
pub struct SignInForm {
    pub email: String,
    pub password: String,
    #[serde(default)]
    pub next: Option<String>,
}

enum Outcome {
    Throttled(i64),
    Invalid,
    /// The password was right, but an organization of theirs requires single sign-on.
    SsoRequired(String),
    SignedIn(FirstFactor),
}

/// What a right password (or mailed link) leads to: a session, or — for a person with two-factor
/// sign-in — a sign-in waiting for its second factor.
pub(crate) enum FirstFactor {
    Session(String),
    SecondFactor(String),
}

/// After the first factor: the session, unless the person signs in with a second factor too.
pub(crate) fn after_first_factor(
    c: &mut gatehouse_db::Conn<'_>,
    user: UserId,
    old_token: Option<&str>,
    request_id: Option<&str>,
    method: &str,
    next: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<FirstFactor, DbError> {
    if gatehouse_db::two_factor::enabled(c, user)? {
        let next = next.map(|n| local_path(Some(n)).to_string());
        return gatehouse_db::two_factor::start_pending(c, user, method, next.as_deref(), now).map(FirstFactor::SecondFactor);
    }
    start_session(c, user, old_token, request_id, method, now).map(FirstFactor::Session)
}

/// The answer to a right first factor: signed in (to `next`), or on to the code.
pub(crate) fn first_factor_response(state: &AppState, f: FirstFactor, next: Option<&str>) -> HttpResponse {
    match f {
        FirstFactor::Session(token) => {
            let mut resp = see_other(local_path(next));
            let _ = resp.add_cookie(&cookie(state, SESSION_COOKIE, token));
            resp
        }
        FirstFactor::SecondFactor(pending) => {
            let mut resp = see_other("/sign-in/two-factor");
            let mut c = cookie(state, crate::two_factor::PENDING_COOKIE, pending);
            c.set_max_age(CookieDuration::minutes(gatehouse_db::two_factor::PENDING_MINUTES));
            let _ = resp.add_cookie(&c);
            resp
        }
    }
}

/// The client's address as the middleware decided it (behind a trusted proxy: the forwarded one).
pub(crate) fn client_ip(req: &HttpRequest) -> std::net::IpAddr {
    req.extensions().get::<RequestClient>().map(|c| c.0).unwrap_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
}

pub async fn sign_in(lang: Lang, req: HttpRequest, state: web::Data<AppState>, form: web::Form<SignInForm>) -> HttpResponse {
    let form = form.into_inner();
    let email = form.email.trim().to_lowercase();
    let (account, client) = (throttle::account_key(&email), throttle::client_key(client_ip(&req)));
    let old_token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let now = state.clock.now();
    let db = state.db.clone();
    let next = form.next.clone();
    let outcome = web::block(move || -> Result<Outcome, DbError> {
        // The attempt is counted before the password is checked: parallel guesses count too.
        let checked = throttle::guarded(&db, &account, &client, now, || {
            let stored = db.with(|c| users::password_hash_for(c, &email))?;
            let user = match &stored {
                Some((id, hash)) if password::verify(&form.password, hash) => Some(*id),
                Some(_) => None,
                None => {
                    password::verify_dummy(&form.password);
                    None
                }
            };
            Ok((user.is_some(), user))
        })?;
        let user = match checked {
            Err(wait) => return Ok(Outcome::Throttled(wait.num_seconds().max(1))),
            Ok(None) => {
                tracing::info!("sign-in refused");
                return Ok(Outcome::Invalid);
            }
            Ok(Some(user)) => user,
        };
        db.tx(|c| {
            if let Some((slug, _)) = gatehouse_db::sso::required_for(c, user)? {
                tracing::info!(user_id = user.0, "password sign-in refused: single sign-on required");
                return Ok(Outcome::SsoRequired(slug));
            }
            after_first_factor(c, user, old_token.as_deref(), request_id.as_deref(), "password", next.as_deref(), now).map(Outcome::SignedIn)
        })
    })
    .await;
    match outcome {
        Ok(Ok(Outcome::SignedIn(f))) => first_factor_response(&state, f, form.next.as_deref()),
        Ok(Ok(Outcome::Invalid)) => see_other(&with_next("/sign-in?error=invalid", form.next.as_deref())),
        Ok(Ok(Outcome::SsoRequired(slug))) => see_other(&with_next(&sso_required(&slug), form.next.as_deref())),
        Ok(Ok(Outcome::Throttled(secs))) => see_other(&with_next(&format!("/sign-in?error=throttled&retry={secs}"), form.next.as_deref())),
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}

/// Starts a session for `user` (ending whatever session this browser had: rotation) and audits
/// the sign-in with how it was proven.
pub(crate) fn start_session(c: &mut gatehouse_db::Conn<'_>, user: UserId, old_token: Option<&str>, request_id: Option<&str>, method: &str, now: chrono::DateTime<chrono::Utc>) -> Result<String, DbError> {
    if let Some(old) = old_token {
        sessions::delete(c, old)?;
    }
    let (token, _csrf) = sessions::create(c, user, now)?;
    let mut entry = AuditEntry::new(None, Actor::User { user, membership: None }, "user.signed_in", "user", Some(user.0)).after(serde_json::json!({ "method": method }));
    entry.request_id = request_id;
    audit::record(c, now, &entry)?;
    tracing::info!(user_id = user.0, method, "signed in");
    Ok(token)
}

#[derive(Deserialize)]
pub struct SignInLinkRequest {
    pub email: String,
    #[serde(default)]
    pub next: Option<String>,
}

/// While an address's password sign-in is throttled, its owner may ask for a sign-in link by
/// mail: whoever guesses passwords slows the account down but cannot lock its owner out. The
/// answer is the same whatever the address (no account enumeration); a link is mailed only when
/// an account has it and it is throttled, at most one every few minutes.
pub async fn request_sign_in_link(lang: Lang, state: web::Data<AppState>, form: web::Form<SignInLinkRequest>) -> HttpResponse {
    let f = form.into_inner();
    let (db, now, url) = (state.db.clone(), state.clock.now(), state.public_url.clone());
    let email = f.email.trim().to_lowercase();
    let r = web::block(move || {
        db.with(|c| {
            if throttle::waiting(c, &throttle::account_key(&email), &ThrottlePolicy::per_account(), now)?.is_none() {
                return Ok(None);
            }
            gatehouse_db::account::request_sign_in_link(c, &email, &url, now).map(Some)
        })
    })
    .await;
    match r {
        Ok(Ok(outcome)) => {
            tracing::info!(?outcome, "sign-in link requested");
            see_other(&with_next("/sign-in?link_sent=1", f.next.as_deref()))
        }
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}

#[derive(Deserialize)]
pub struct SignInLinkUse {
    pub token: String,
}

/// Signs in with a mailed sign-in link (from its page's button: a link alone never acts, so mail
/// scanners that open links use nothing up).
pub async fn use_sign_in_link(lang: Lang, req: HttpRequest, state: web::Data<AppState>, form: web::Form<SignInLinkUse>) -> HttpResponse {
    let token = form.into_inner().token;
    let old_token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let (db, now) = (state.db.clone(), state.clock.now());
    let r = web::block(move || {
        db.tx(|c| match gatehouse_db::account::use_sign_in_link(c, &token, now)? {
            Some(user) => match gatehouse_db::sso::required_for(c, user)? {
                Some((slug, _)) => Ok(Some(Err(slug))),
                None => after_first_factor(c, user, old_token.as_deref(), request_id.as_deref(), "mailed_link", None, now).map(|f| Some(Ok(f))),
            },
            None => Ok(None),
        })
    })
    .await;
    match r {
        Ok(Ok(Some(Ok(f)))) => first_factor_response(&state, f, None),
        Ok(Ok(Some(Err(slug)))) => see_other(&sso_required(&slug)),
        Ok(Ok(None)) => see_other("/sign-in?error=link"),
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}

/// The sign-in page saying which organization requires single sign-on, with its buttons.
fn sso_required(slug: &str) -> String {
    format!("/sign-in?error=sso_required&org={}", crate::middleware::encode(slug))
}

fn with_next(base: &str, next: Option<&str>) -> String {
    match next.filter(|n| !n.is_empty()) {
        Some(n) => format!("{base}&next={}", crate::middleware::encode(local_path(Some(n)))),
        None => base.to_string(),
    }
}

pub async fn sign_out(lang: Lang, req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let token = req.extensions().get::<RequestSession>().map(|s| s.token.clone());
    // Signing out ends a support session this browser is in.
    let support = req.extensions().get::<gatehouse_app::state::RequestPerson>().and_then(|p| p.support.as_ref().map(|l| l.id).zip(p.staff.map(|s| s.0)));
    if let Some(token) = token {
        let (db, now) = (state.db.clone(), state.clock.now());
        if let Err(e) = web::block(move || {
            db.tx(|c| {
                if let Some((id, staff)) = support {
                    gatehouse_db::support::end(c, id, gatehouse_db::support::EndReason::SignedOut, Actor::Staff { staff }, now)?;
                }
                sessions::delete(c, &token)
            })
        })
        .await.map_err(|e| e.to_string()).and_then(|r| r.map_err(|e| e.to_string())) {
            return unavailable(lang, e);
        }
    }
    let mut resp = see_other("/sign-in?signed_out=1");
    let mut c = cookie(&state, SESSION_COOKIE, String::new());
    c.make_removal();
    let _ = resp.add_cookie(&c);
    resp
}

#[derive(Deserialize)]
pub struct LanguageForm {
    pub locale: String,
    #[serde(default)]
    pub back: Option<String>,
}

/// Changes the language: stored on the user when signed in, and in a cookie either way.
pub async fn set_language(lang: Lang, req: HttpRequest, state: web::Data<AppState>, form: web::Form<LanguageForm>) -> HttpResponse {
    // A language the switcher never offers: back to the page, nothing changed.
    let Some(locale) = Locale::parse(&form.locale) else {
        return see_other(local_path(form.back.as_deref()));
    };
    let user = req.extensions().get::<RequestSession>().map(|s| s.user);
    if let Some(user) = user {
        let db = state.db.clone();
        let now = state.clock.now();
        match web::block(move || db.with(|c| users::set_locale(c, user, locale, now))).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return unavailable(lang, e),
            Err(e) => return unavailable(lang, e),
        }
    }
    let mut resp = see_other(local_path(form.back.as_deref()));
    let mut c = cookie(&state, LANG_COOKIE, locale.code().to_string());
    c.set_max_age(CookieDuration::days(365));
    let _ = resp.add_cookie(&c);
    resp
}

/// `/`: straight into the only organization, or the switcher when there are several.
pub async fn start(lang: Lang, req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(user) = req.extensions().get::<RequestSession>().map(|s| s.user) else {
        return see_other("/sign-in");
    };
    let db = state.db.clone();
    let r = web::block(move || {
        db.with(|c| {
            let list = orgs::for_user(c, user)?;
            if list.len() != 1 {
                return Ok("/orgs".to_string());
            }
            let o = &list[0];
            Ok(state.policies.get(c, o.id)?.landing(o.membership, &o.slug, state.clock.now()))
        })
    })
    .await;
    match r {
        Ok(Ok(path)) => see_other(&path),
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}

pub async fn org_root(path: web::Path<String>) -> HttpResponse {
    see_other(&format!("/o/{}/dashboard", crate::middleware::encode(&path.into_inner())))
}

/// Liveness and readiness: answers 200 only when the database answers.
pub async fn health(state: web::Data<AppState>) -> HttpResponse {
    let db = state.db.clone();
    let backend = db.backend().name();
    match web::block(move || db.ping()).await {
        Ok(Ok(())) => HttpResponse::Ok().json(serde_json::json!({"status": "ok", "database": backend})),
        _ => HttpResponse::ServiceUnavailable().json(serde_json::json!({"status": "unavailable", "database": backend})),
    }
}

#[derive(Deserialize)]
pub struct ForgotForm {
    pub email: String,
}

/// Sends a reset link when the address belongs to a person; answers the same either way (no
/// account enumeration), and at most one mail per person every few minutes.
pub async fn forgot_password(lang: Lang, state: web::Data<AppState>, form: web::Form<ForgotForm>) -> HttpResponse {
    let db = state.db.clone();
    let (now, public_url) = (state.clock.now(), state.public_url.clone());
    let email = form.into_inner().email;
    match web::block(move || db.with(|c| gatehouse_db::account::request_password_reset(c, &email, &public_url, now))).await {
        Ok(Ok(outcome)) => {
            tracing::info!(?outcome, "password reset requested");
            see_other("/forgot-password?sent=1")
        }
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    pub token: String,
    pub password: String,
    pub password2: String,
}

/// Sets a new password through a reset link; every session of the person ends.
pub async fn reset_password(lang: Lang, state: web::Data<AppState>, form: web::Form<ResetForm>) -> HttpResponse {
    let f = form.into_inner();
    let back = |error: &str| see_other(&format!("/reset-password?token={}&error={error}", crate::middleware::encode(&f.token)));
    if let Err(problem) = gatehouse_domain::validate::new_password(&f.password, &f.password2) {
        return back(problem.code());
    }
    let db = state.db.clone();
    let now = state.clock.now();
    let (token, password) = (f.token.clone(), f.password.clone());
    match web::block(move || db.with(|c| gatehouse_db::account::reset_password(c, &token, &password, now))).await {
        Ok(Ok(Some(_))) => see_other("/sign-in?reset=1"),
        Ok(Ok(None)) => back("invalid"),
        Ok(Err(DbError::Domain(_))) => back("weak"),
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}
