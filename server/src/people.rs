//! Form posts for adding people: invite one person, send an invitation again, withdraw it,
//! the organization's invitation settings; and accepting an invitation from its link. Thin:
//! the domain checks the person, the db crate decides on the policy and writes.
use crate::forms::{fields, Caller, Form};
use crate::redirect::see_other;
use crate::middleware::encode;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use gatehouse_app::state::{AppState, RequestSession};
use gatehouse_db::invitations::{self, AcceptRefusal, Proof};
use gatehouse_db::DbError;
use gatehouse_domain::people::{ChosenIds, PersonInput};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{org}/invitations", web::post().to(invite))
        .route("/o/{org}/invitations/settings", web::post().to(settings))
        .route("/o/{org}/invitations/{id}/resend", web::post().to(resend))
        .route("/o/{org}/invitations/{id}/revoke", web::post().to(revoke))
        .route("/auth/invitation", web::post().to(accept));
}

/// Invites one person (members.invite where they are placed; roles without escalation). The
/// form repeats `unit` and `tag` (several may be chosen), so it is read as pairs.
async fn invite(c: Caller, form: Form) -> HttpResponse {
    let f = fields(&form);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let all = |k: &str| form.0.iter().filter(|(key, v)| key == k && !v.is_empty()).map(|(_, v)| v.clone()).collect::<Vec<_>>();
    let ids = ChosenIds { units: all("unit"), tags: all("tag"), role: get("role") };
    let person = PersonInput { email: get("email"), name: get("name"), mobile_phone: get("mobile_phone"), locale: get("locale"), kind: get("kind"), ..Default::default() };
    // What the form gets back when the invitation is refused.
    let keep = [("email", person.email.clone()), ("name", person.name.clone()), ("mobile_phone", person.mobile_phone.clone()), ("locale", person.locale.clone()), ("kind", person.kind.clone()), ("role", ids.role.clone()), ("units", ids.units.join(",")), ("tags", ids.tags.join(","))];
    let (org, by, actor, now, public_url) = (c.org.id, c.m.id, c.actor, c.now, c.state.public_url.clone());
    let r = c.change(move |conn, p| invitations::invite_from_form(conn, org, p, by, &person, &ids, &public_url, actor, now)).await;
    c.back(&format!("/o/{}/invitations", c.org.slug), r, &keep)
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct InvitationSettingsForm {
    phone_region: String,
    phone_required: Option<String>,
    valid_days: String,
    reminder_days: String,
}

async fn settings(c: Caller, form: web::Form<InvitationSettingsForm>) -> HttpResponse {
    let f = form.into_inner();
    let (region, required) = (f.phone_region, f.phone_required.is_some());
    // Not a number: out of range, refused in words by the settings' own check.
    let days = |v: &str| v.trim().parse::<i32>().unwrap_or(-1);
    let (valid, remind) = (days(&f.valid_days), days(&f.reminder_days));
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c
        .change(move |conn, p| gatehouse_db::orgs::update_invitation_settings(conn, org, p, by, Some(region.as_str()), required, valid, remind, actor, now))
        .await;
    c.back(&format!("/o/{}/invitations", c.org.slug), r, &[])
}

async fn resend(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (org, by, actor, now, public_url) = (c.org.id, c.m.id, c.actor, c.now, c.state.public_url.clone());
    let r = c.change(move |conn, p| invitations::resend(conn, org, p, by, id, &public_url, actor, now)).await;
    c.back(&format!("/o/{}/invitations", c.org.slug), r, &[])
}

async fn revoke(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| invitations::revoke(conn, org, p, by, id, actor, now)).await;
    c.back(&format!("/o/{}/invitations", c.org.slug), r, &[])
}

#[derive(serde::Deserialize)]
pub struct AcceptForm {
    pub token: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub password2: Option<String>,
}

/// Accepts an invitation: signed in as the invited identity, or a new identity choosing its
/// password (then signed in). Lands in the organization.
async fn accept(req: HttpRequest, state: web::Data<AppState>, lang: crate::forms::Lang, form: web::Form<AcceptForm>) -> HttpResponse {
    let f = form.into_inner();
    let back = |error: &str| see_other(&format!("/invitation?token={}&error={error}", encode(&f.token)));
    let user = req.extensions().get::<RequestSession>().map(|s| s.user);
    let password = f.password.clone().unwrap_or_default();
    if user.is_none() {
        if let Err(problem) = gatehouse_domain::validate::new_password(&password, f.password2.as_deref().unwrap_or_default()) {
            return back(problem.code());
        }
    }
    let (db, policies, token, now) = (state.db.clone(), state.policies.clone(), f.token.clone(), state.clock.now());
    let r = web::block(move || {
        let proof = match user {
            Some(u) => Proof::SignedIn(u),
            None => Proof::NewPassword(&password),
        };
        db.with(|c| invitations::accept_and_land(c, &policies, &token, proof, now))
    })
    .await;
    match r {
        Ok(Ok(Ok(accepted))) => {
            let mut resp = see_other(&accepted.landing);
            if let Some(token) = accepted.session {
                let _ = resp.add_cookie(&crate::middleware::cookie(&state, crate::middleware::SESSION_COOKIE, token));
            }
            resp
        }
        Ok(Ok(Err(AcceptRefusal::SignInRequired | AcceptRefusal::OtherAccount | AcceptRefusal::LinkInvalid))) => back("invalid"),
        Ok(Err(DbError::Domain(_))) => back("weak"),
        Ok(Err(e)) => crate::forms::unavailable(lang, e),
        Err(e) => crate::forms::unavailable(lang, e),
    }
}
