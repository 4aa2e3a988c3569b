//! The signed-in person's own account: changing the email address (confirmed from the new
//! address, cancellable from the old one). Thin: the db crate checks and writes.
use crate::forms::{unavailable, Lang};
use crate::redirect::see_other;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use gatehouse_app::state::{AppState, RequestSession};
use gatehouse_db::account::{self, EmailChangeRefusal};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/email-change", web::post().to(request))
        .route("/auth/confirm-email", web::post().to(confirm))
        .route("/auth/cancel-email-change", web::post().to(cancel));
}

#[derive(serde::Deserialize)]
pub struct ChangeForm {
    pub new_email: String,
    pub password: String,
}

#[derive(serde::Deserialize)]
pub struct TokenForm {
    pub token: String,
}


pub fn refusal_code(r: EmailChangeRefusal) -> &'static str {
    match r {
        EmailChangeRefusal::WrongPassword => "password",
        EmailChangeRefusal::BadAddress => "address",
        EmailChangeRefusal::SameAddress => "same",
        EmailChangeRefusal::Taken => "taken",
        EmailChangeRefusal::LinkInvalid => "invalid",
    }
}

/// Asks for a new address (signed in, with the current password).
async fn request(lang: Lang, req: HttpRequest, state: web::Data<AppState>, form: web::Form<ChangeForm>) -> HttpResponse {
    let Some(session) = req.extensions().get::<RequestSession>().cloned() else {
        return see_other("/sign-in?next=/account");
    };
    let f = form.into_inner();
    let (db, now, url) = (state.db.clone(), state.clock.now(), state.public_url.clone());
    let kept = crate::middleware::encode(f.new_email.trim());
    let client = gatehouse_db::throttle::client_key(crate::auth::client_ip(&req));
    // The password is checked under the same throttle as signing in to this account.
    let r = web::block(move || {
        let account = gatehouse_db::throttle::account_key(&db.with(|c| gatehouse_db::users::get(c, session.user))?.email);
        gatehouse_db::throttle::guarded(&db, &account, &client, now, || {
            let r = db.with(|c| account::request_email_change(c, session.user, &f.new_email, &f.password, &url, now))?;
            Ok((r != Err(EmailChangeRefusal::WrongPassword), r))
        })
    })
    .await;
    match r {
        Ok(Ok(Err(wait))) => see_other(&format!("/account?error=throttled&retry={}&new_email={kept}", wait.num_seconds().max(1))),
        Ok(Ok(Ok(Ok(())))) => see_other("/account?done=requested"),
        Ok(Ok(Ok(Err(r)))) => see_other(&format!("/account?error={}&new_email={kept}", refusal_code(r))),
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}

/// Confirms from the link sent to the new address (no sign-in needed: the link is the proof).
async fn confirm(lang: Lang, state: web::Data<AppState>, form: web::Form<TokenForm>) -> HttpResponse {
    let token = form.into_inner().token;
    let (db, now, url) = (state.db.clone(), state.clock.now(), state.public_url.clone());
    let t = token.clone();
    match web::block(move || db.with(|c| account::confirm_email_change(c, &t, &url, now))).await {
        Ok(Ok(Ok(_))) => see_other("/confirm-email?done=1"),
        Ok(Ok(Err(r))) => see_other(&format!("/confirm-email?token={}&error={}", crate::middleware::encode(&token), refusal_code(r))),
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}

/// Cancels (or, once confirmed, undoes) from the link sent to the old address.
async fn cancel(lang: Lang, state: web::Data<AppState>, form: web::Form<TokenForm>) -> HttpResponse {
    use account::CancelOutcome;
    let token = form.into_inner().token;
    let (db, now, url) = (state.db.clone(), state.clock.now(), state.public_url.clone());
    let t = token.clone();
    match web::block(move || db.with(|c| account::cancel_email_change(c, &t, &url, now))).await {
        Ok(Ok(CancelOutcome::Cancelled)) => see_other("/cancel-email-change?done=1"),
        Ok(Ok(CancelOutcome::Reverted)) => see_other("/cancel-email-change?done=reverted"),
        Ok(Ok(CancelOutcome::Taken)) => see_other(&format!("/cancel-email-change?token={}&error=taken", crate::middleware::encode(&token))),
        Ok(Ok(CancelOutcome::Invalid)) => see_other(&format!("/cancel-email-change?token={}&error=invalid", crate::middleware::encode(&token))),
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}
