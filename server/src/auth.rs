//! Sign-in, sign-out, language, the start page redirect and the health check. Plain form posts:
//! they work before (and without) the WASM.
use crate::middleware::{cookie, LANG_COOKIE, SESSION_COOKIE};
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::http::header;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use gatehouse_app::state::{AppState, RequestId, RequestSession};
use gatehouse_db::audit::{self, AuditEntry};
use gatehouse_db::{orgs, password, sessions, throttle, users, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::locale::Locale;
use gatehouse_domain::throttle::ThrottlePolicy;
use serde::Deserialize;

/// Only local paths are followed after sign-in (no open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") && !n.contains("://") => n.to_string(),
        _ => "/".to_string(),
    }
}

fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location.to_string())).finish()
}

fn unavailable(e: impl std::fmt::Display) -> HttpResponse {
    tracing::error!(error = %e, "database unavailable");
    HttpResponse::ServiceUnavailable().body("The service is temporarily unavailable. Nothing was changed; please try again.")
}

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
    SignedIn(String),
}

pub async fn sign_in(req: HttpRequest, state: web::Data<AppState>, form: web::Form<SignInForm>) -> HttpResponse {
    let form = form.into_inner();
    let email = form.email.trim().to_lowercase();
    let ip = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into());
    let keys = [throttle::key("email", &email), throttle::key("ip", &ip.to_string())];
    let old_token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let now = state.clock.now();
    let db = state.db.clone();
    // Per account: 5 free failures. Per client address: 20, since many people may share one
    // address (an office behind NAT) and one of them must not lock out the others.
    let policies = [ThrottlePolicy::default(), ThrottlePolicy { free_failures: 20, ..ThrottlePolicy::default() }];
    let outcome = web::block(move || -> Result<Outcome, DbError> {
        // Locked out (by this email or from this address)?
        let wait = db.with(|c| {
            let mut wait = None;
            for (k, policy) in keys.iter().zip(&policies) {
                if let Err(d) = policy.check(throttle::get(c, k)?.as_ref(), now) {
                    wait = Some(wait.unwrap_or(0).max(d.num_seconds().max(1)));
                }
            }
            Ok(wait)
        })?;
        if let Some(secs) = wait {
            return Ok(Outcome::Throttled(secs));
        }
        let stored = db.with(|c| users::password_hash_for(c, &email))?;
        let user = match &stored {
            Some((id, hash)) if password::verify(&form.password, hash) => Some(*id),
            Some(_) => None,
            None => {
                password::verify_dummy(&form.password);
                None
            }
        };
        let Some(user) = user else {
            db.tx(|c| {
                for (k, policy) in keys.iter().zip(&policies) {
                    let rec = policy.record_failure(throttle::get(c, k)?.as_ref(), now);
                    throttle::put(c, k, &rec)?;
                }
                Ok(())
            })?;
            tracing::info!("sign-in refused");
            return Ok(Outcome::Invalid);
        };
        db.tx(|c| {
            for k in &keys {
                throttle::clear(c, k)?;
            }
            // Rotation: whatever session this browser had ends here.
            if let Some(old) = &old_token {
                sessions::delete(c, old)?;
            }
            let (token, _csrf) = sessions::create(c, user, now)?;
            let mut entry = AuditEntry::new(None, Actor::User { user, membership: None }, "user.signed_in", "user", Some(user.0));
            entry.request_id = request_id.as_deref();
            audit::record(c, now, &entry)?;
            tracing::info!(user_id = user.0, "signed in");
            Ok(Outcome::SignedIn(token))
        })
    })
    .await;
    match outcome {
        Ok(Ok(Outcome::SignedIn(token))) => {
            let mut resp = see_other(&safe_next(form.next.as_deref()));
            let _ = resp.add_cookie(&cookie(&state, SESSION_COOKIE, token));
            resp
        }
        Ok(Ok(Outcome::Invalid)) => see_other(&with_next("/sign-in?error=invalid", form.next.as_deref())),
        Ok(Ok(Outcome::Throttled(secs))) => see_other(&with_next(&format!("/sign-in?error=throttled&retry={secs}"), form.next.as_deref())),
        Ok(Err(e)) => unavailable(e),
        Err(e) => unavailable(e),
    }
}

fn with_next(base: &str, next: Option<&str>) -> String {
    match next.filter(|n| !n.is_empty()) {
        Some(n) => format!("{base}&next={}", crate::middleware::encode(&safe_next(Some(n)))),
        None => base.to_string(),
    }
}

pub async fn sign_out(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let token = req.extensions().get::<RequestSession>().map(|s| s.token.clone());
    if let Some(token) = token {
        let db = state.db.clone();
        if let Err(e) = web::block(move || db.with(|c| sessions::delete(c, &token))).await.map_err(|e| e.to_string()).and_then(|r| r.map_err(|e| e.to_string())) {
            return unavailable(e);
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
pub async fn set_language(req: HttpRequest, state: web::Data<AppState>, form: web::Form<LanguageForm>) -> HttpResponse {
    let Some(locale) = Locale::parse(&form.locale) else {
        return HttpResponse::BadRequest().body("unknown language");
    };
    let user = req.extensions().get::<RequestSession>().map(|s| s.user);
    if let Some(user) = user {
        let db = state.db.clone();
        let now = state.clock.now();
        match web::block(move || db.with(|c| users::set_locale(c, user, locale, now))).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return unavailable(e),
            Err(e) => return unavailable(e),
        }
    }
    let mut resp = see_other(&safe_next(form.back.as_deref()));
    let mut c = cookie(&state, LANG_COOKIE, locale.code().to_string());
    c.set_max_age(CookieDuration::days(365));
    let _ = resp.add_cookie(&c);
    resp
}

/// `/`: straight into the only organization, or the switcher when there are several.
pub async fn start(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
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
            let policy = state.policies.get(c, o.id)?;
            let dashboard = policy.check(o.membership, "members.view", &gatehouse_domain::authz::Target::Organization, state.clock.now()).allowed;
            Ok(if dashboard { format!("/o/{}/dashboard", o.slug) } else { format!("/o/{}/me", o.slug) })
        })
    })
    .await;
    match r {
        Ok(Ok(path)) => see_other(&path),
        Ok(Err(e)) => unavailable(e),
        Err(e) => unavailable(e),
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

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(super::safe_next(Some("/o/acme/members?q=a")), "/o/acme/members?q=a");
        for bad in ["//evil.example", "https://evil.example", "/\\evil", "evil", ""] {
            assert_eq!(super::safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(super::safe_next(None), "/");
    }
}

#[derive(Deserialize)]
pub struct ForgotForm {
    pub email: String,
}

/// Sends a reset link when the address belongs to a person; answers the same either way (no
/// account enumeration), and at most one mail per person every few minutes.
pub async fn forgot_password(state: web::Data<AppState>, form: web::Form<ForgotForm>) -> HttpResponse {
    let db = state.db.clone();
    let (now, public_url) = (state.clock.now(), state.public_url.clone());
    let email = form.into_inner().email;
    match web::block(move || db.with(|c| gatehouse_db::account::request_password_reset(c, &email, &public_url, now))).await {
        Ok(Ok(outcome)) => {
            tracing::info!(?outcome, "password reset requested");
            see_other("/forgot-password?sent=1")
        }
        Ok(Err(e)) => unavailable(e),
        Err(e) => unavailable(e),
    }
}

#[derive(Deserialize)]
pub struct ResetForm {
    pub token: String,
    pub password: String,
    pub password2: String,
}

/// Sets a new password through a reset link; every session of the person ends.
pub async fn reset_password(state: web::Data<AppState>, form: web::Form<ResetForm>) -> HttpResponse {
    let f = form.into_inner();
    let back = |error: &str| see_other(&format!("/reset-password?token={}&error={error}", crate::middleware::encode(&f.token)));
    if f.password != f.password2 {
        return back("mismatch");
    }
    if gatehouse_domain::validate::password_strength(&f.password).is_err() {
        return back("weak");
    }
    let db = state.db.clone();
    let now = state.clock.now();
    let (token, password) = (f.token.clone(), f.password.clone());
    match web::block(move || db.with(|c| gatehouse_db::account::reset_password(c, &token, &password, now))).await {
        Ok(Ok(Some(_))) => see_other("/sign-in?reset=1"),
        Ok(Ok(None)) => back("invalid"),
        Ok(Err(DbError::Domain(_))) => back("weak"),
        Ok(Err(e)) => unavailable(e),
        Err(e) => unavailable(e),
    }
}
