//! Two-factor sign-in: the second step of signing in (`/auth/two-factor`, after the password or
//! a mailed link was right) and the person's own settings on the account page (set up with a
//! first code, new recovery codes, turn off). Codes are checked under the same throttle as
//! passwords, counted before they are checked.
use crate::auth::{client_ip, start_session};
use crate::forms::{unavailable, Lang};
use crate::middleware::{cookie, SESSION_COOKIE};
use crate::redirect::see_other;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use gatehouse_app::i18n::{t, tf, Msg};
use gatehouse_app::state::{AppState, RequestId, RequestLocale, RequestSession};
use gatehouse_db::{throttle, two_factor, DbError};
use gatehouse_domain::redirect::local_path;

/// The browser's half of a sign-in waiting for its second factor.
pub const PENDING_COOKIE: &str = "gh_2fa";

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/two-factor", web::post().to(second_factor))
        .route("/account/two-factor/start", web::post().to(start))
        .route("/account/two-factor/confirm", web::post().to(confirm))
        .route("/account/two-factor/disable", web::post().to(disable))
        .route("/account/two-factor/recovery-codes", web::post().to(renew));
}

#[derive(serde::Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
}

enum Step {
    Expired,
    Throttled(i64),
    Invalid,
    SignedIn(String, Option<String>),
}

fn removal(state: &AppState, name: &'static str) -> actix_web::cookie::Cookie<'static> {
    let mut c = cookie(state, name, String::new());
    c.make_removal();
    c
}

/// The second step of signing in: a code from the app or a recovery code.
async fn second_factor(lang: Lang, req: HttpRequest, state: web::Data<AppState>, form: web::Form<CodeForm>) -> HttpResponse {
    let Some(token) = req.cookie(PENDING_COOKIE).map(|c| c.value().to_string()).filter(|t| !t.is_empty()) else {
        return see_other("/sign-in?error=second_factor_expired");
    };
    let code = form.into_inner().code;
    let client = throttle::client_key(client_ip(&req));
    let old = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let (db, now) = (state.db.clone(), state.clock.now());
    let r = web::block(move || -> Result<Step, DbError> {
        let Some(p) = db.with(|c| two_factor::pending(c, &token, now))? else { return Ok(Step::Expired) };
        let checked = throttle::guarded(&db, &throttle::account_key(&p.email), &client, now, || {
            let proof = db.with(|c| two_factor::verify(c, p.user, &code, now))?;
            Ok((proof.is_some(), proof))
        })?;
        match checked {
            Err(wait) => Ok(Step::Throttled(wait.num_seconds().max(1))),
            Ok(None) => {
                tracing::info!(user_id = p.user.0, "second factor refused");
                Ok(Step::Invalid)
            }
            Ok(Some(proof)) => {
                let method = format!("{}+{}", p.method, proof.as_str()); // not user text: the audited method
                let session = db.tx(|c| {
                    two_factor::end_pending(c, &token)?;
                    start_session(c, p.user, old.as_deref(), request_id.as_deref(), &method, now)
                })?;
                Ok(Step::SignedIn(session, p.next))
            }
        }
    })
    .await;
    match r {
        Ok(Ok(Step::SignedIn(session, next))) => {
            let mut resp = see_other(local_path(next.as_deref()));
            let _ = resp.add_cookie(&cookie(&state, SESSION_COOKIE, session));
            let _ = resp.add_cookie(&removal(&state, PENDING_COOKIE));
            resp
        }
        Ok(Ok(Step::Expired)) => {
            let mut resp = see_other("/sign-in?error=second_factor_expired");
            let _ = resp.add_cookie(&removal(&state, PENDING_COOKIE));
            resp
        }
        Ok(Ok(Step::Invalid)) => see_other("/sign-in/two-factor?error=invalid"),
        Ok(Ok(Step::Throttled(secs))) => see_other(&format!("/sign-in/two-factor?error=throttled&retry={secs}")),
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}

fn session_of(req: &HttpRequest) -> Option<RequestSession> {
    req.extensions().get::<RequestSession>().cloned()
}

/// Begins setting up: a new secret waits for its first code (the account page shows its QR code).
async fn start(lang: Lang, req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(s) = session_of(&req) else { return see_other("/sign-in?next=/account") };
    let (db, now) = (state.db.clone(), state.clock.now());
    match web::block(move || db.with(|c| two_factor::begin(c, s.user, now))).await {
        Ok(Ok(_)) => see_other("/account?two_factor=setup#two-factor"),
        Ok(Err(DbError::Conflict(_))) => see_other("/account#two-factor"),
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}

/// The first code from the app turns it on; the recovery codes are shown this once.
async fn confirm(lang: Lang, req: HttpRequest, state: web::Data<AppState>, form: web::Form<CodeForm>) -> HttpResponse {
    let Some(s) = session_of(&req) else { return see_other("/sign-in?next=/account") };
    let code = form.into_inner().code;
    let (db, now) = (state.db.clone(), state.clock.now());
    match web::block(move || db.with(|c| two_factor::confirm(c, s.user, &code, now))).await {
        Ok(Ok(codes)) => recovery_page(&req, &codes),
        Ok(Err(DbError::Domain(_))) => see_other("/account?two_factor=setup&tf_error=invalid#two-factor"),
        Ok(Err(DbError::NotFound)) => see_other("/account#two-factor"),
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}

enum Checked<T> {
    Throttled(i64),
    Invalid,
    Required,
    Done(T),
}

/// Runs `then` after the person proved the second factor again (code or recovery code), under
/// the throttle.
async fn with_code<T: Send + 'static>(
    req: &HttpRequest,
    user: gatehouse_domain::ids::UserId,
    state: &web::Data<AppState>,
    code: String,
    refuse_if_required: bool,
    then: impl FnOnce(&mut gatehouse_db::Conn<'_>, gatehouse_domain::ids::UserId) -> Result<T, DbError> + Send + 'static,
) -> Result<Result<Checked<T>, DbError>, actix_web::error::BlockingError> {
    let client = throttle::client_key(client_ip(req));
    let (db, now) = (state.db.clone(), state.clock.now());
    web::block(move || {
        let email = db.with(|c| gatehouse_db::users::get(c, user))?.email;
        if refuse_if_required && (!db.with(|c| two_factor::required_by(c, user))?.is_empty() || db.with(|c| gatehouse_db::staff::of_email(c, &email))?.is_some()) {
            return Ok(Checked::Required);
        }
        let checked = throttle::guarded(&db, &throttle::account_key(&email), &client, now, || {
            let proof = db.with(|c| two_factor::verify(c, user, &code, now))?;
            Ok((proof.is_some(), proof))
        })?;
        match checked {
            Err(wait) => Ok(Checked::Throttled(wait.num_seconds().max(1))),
            Ok(None) => Ok(Checked::Invalid),
            Ok(Some(_)) => db.with(|c| then(c, user)).map(Checked::Done),
        }
    })
    .await
}

/// The answer to a change made after a code: `done`, or back to the account page with why not.
fn answer<T>(lang: Lang, r: Result<Result<Checked<T>, DbError>, actix_web::error::BlockingError>, done: impl FnOnce(T) -> HttpResponse) -> HttpResponse {
    match r {
        Ok(Ok(Checked::Done(v))) => done(v),
        Ok(Ok(Checked::Invalid)) => see_other("/account?tf_error=invalid#two-factor"),
        Ok(Ok(Checked::Required)) => see_other("/account?tf_error=required#two-factor"),
        Ok(Ok(Checked::Throttled(secs))) => see_other(&format!("/account?tf_error=throttled&retry={secs}#two-factor")),
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}

/// Turns it off, with a current code — not while an organization of theirs requires it.
async fn disable(lang: Lang, req: HttpRequest, state: web::Data<AppState>, form: web::Form<CodeForm>) -> HttpResponse {
    let Some(s) = session_of(&req) else { return see_other("/sign-in?next=/account") };
    let now = state.clock.now();
    let r = with_code(&req, s.user, &state, form.into_inner().code, true, move |c, user| two_factor::disable(c, user, now)).await;
    answer(lang, r, |_| see_other("/account?done=two_factor_off#two-factor"))
}

/// Ten new recovery codes, with a current code; the earlier ones stop working.
async fn renew(lang: Lang, req: HttpRequest, state: web::Data<AppState>, form: web::Form<CodeForm>) -> HttpResponse {
    let Some(s) = session_of(&req) else { return see_other("/sign-in?next=/account") };
    let now = state.clock.now();
    let r = with_code(&req, s.user, &state, form.into_inner().code, false, move |c, user| two_factor::regenerate_recovery_codes(c, user, now)).await;
    answer(lang, r, |codes| recovery_page(&req, &codes))
}

fn recovery_page(req: &HttpRequest, codes: &[String]) -> HttpResponse {
    let l = req.extensions().get::<RequestLocale>().map(|l| l.0).unwrap_or_default();
    crate::once::Once {
        locale: l,
        title: t(l, Msg::RecoveryCodesTitle),
        paragraphs: vec![t(l, Msg::RecoveryCodesIntro).to_string()],
        warning: t(l, Msg::RecoveryCodesOnce),
        values: codes.iter().enumerate().map(|(i, c)| (tf(l, Msg::RecoveryCodeLabel, &[("n", &(i + 1).to_string())]), c.clone())).collect(),
        after: vec![],
        back: ("/account#two-factor", t(l, Msg::RecoveryCodesBack)),
    }
    .response()
}
