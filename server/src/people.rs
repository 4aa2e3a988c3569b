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
use gatehouse_domain::people::{PersonInput, Verdict};

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
    let (units, tags) = (all("unit"), all("tag"));
    let keep = vec![
        ("email", get("email")),
        ("name", get("name")),
        ("mobile_phone", get("mobile_phone")),
        ("locale", get("locale")),
        ("kind", get("kind")),
        ("role", get("role")),
        ("units", units.join(",")),
        ("tags", tags.join(",")),
    ];
    let email = get("email");
    let role = get("role");
    let input_base = PersonInput { email: email.clone(), name: get("name"), mobile_phone: get("mobile_phone"), locale: get("locale"), kind: get("kind"), ..Default::default() };
    let (org, by, actor, now, public_url) = (c.org.id, c.m.id, c.actor, c.now, c.state.public_url.clone());
    let r = c
        .change(move |conn, p| {
            let dir = invitations::directory(conn, org, std::slice::from_ref(&email))?;
            // The form sends ids; the directory speaks names, so ids are turned into paths.
            let id_to = |list: &[String], names: &dyn Fn(i64) -> Option<String>| -> Result<Vec<String>, DbError> {
                list.iter().map(|s| s.parse::<i64>().ok().and_then(names).ok_or(DbError::NotFound)).collect()
            };
            let mut input = input_base.clone();
            input.units = id_to(&units, &|id| dir.units.iter().find(|u| u.0 .0 == id).map(|u| u.2.clone()))?;
            input.tags = id_to(&tags, &|id| dir.tags.iter().find(|t| t.0 .0 == id).map(|t| t.1.clone()))?;
            input.roles = if role.is_empty() { vec![] } else { id_to(std::slice::from_ref(&role), &|id| dir.roles.iter().find(|r| r.0 .0 == id).map(|r| r.1.clone()))? };
            match gatehouse_domain::people::check(&input, &dir) {
                Verdict::Ready(who) => invitations::invite_checked(conn, org, p, by, &who, &public_url, actor, now),
                Verdict::Skip(problem) => Err(DbError::Person(problem)),
                Verdict::Invalid(mut problems) => Err(DbError::Person(problems.remove(0))),
            }
        })
        .await;
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
async fn accept(req: HttpRequest, state: web::Data<AppState>, form: web::Form<AcceptForm>) -> HttpResponse {
    let f = form.into_inner();
    let back = |error: &str| see_other(&format!("/invitation?token={}&error={error}", encode(&f.token)));
    let session = req.extensions().get::<RequestSession>().cloned();
    let now = state.clock.now();
    if session.is_none() {
        let (p1, p2) = (f.password.clone().unwrap_or_default(), f.password2.clone().unwrap_or_default());
        if p1 != p2 {
            return back("mismatch");
        }
        if gatehouse_domain::validate::password_strength(&p1).is_err() {
            return back("weak");
        }
    }
    let db = state.db.clone();
    let (token, password) = (f.token.clone(), f.password.clone().unwrap_or_default());
    let user = session.as_ref().map(|s| s.user);
    let policies = state.policies.clone();
    let r = web::block(move || {
        db.with(|c| {
            let proof = match user {
                Some(u) => Proof::SignedIn(u),
                None => Proof::NewPassword(&password),
            };
            let r = invitations::accept(c, &token, proof, now)?;
            // A new identity is signed in right away (its session starts with the membership).
            let session = match (&r, user) {
                (Ok((u, _)), None) => Some(gatehouse_db::sessions::create(c, *u, now)?.0),
                _ => None,
            };
            // Where the new member lands: the dashboard when they may see it, else their page.
            let landing = match &r {
                Ok((u, slug)) => {
                    let org = gatehouse_db::orgs::by_slug(c, slug)?.ok_or(DbError::NotFound)?;
                    let m = gatehouse_db::members::active_membership(c, *u, org.id)?.ok_or(DbError::NotFound)?;
                    policies.get(c, org.id)?.landing(m.id, slug, now)
                }
                Err(_) => String::new(),
            };
            Ok((r.map(|_| landing), session))
        })
    })
    .await;
    match r {
        Ok(Ok((Ok(landing), session))) => {
            let mut resp = see_other(&landing);
            if let Some(token) = session {
                let _ = resp.add_cookie(&crate::middleware::cookie(&state, crate::middleware::SESSION_COOKIE, token));
            }
            resp
        }
        Ok(Ok((Err(AcceptRefusal::SignInRequired | AcceptRefusal::OtherAccount | AcceptRefusal::LinkInvalid), _))) => back("invalid"),
        Ok(Err(DbError::Domain(_))) => back("weak"),
        Ok(Err(e)) => crate::forms::status_page(actix_web::http::StatusCode::SERVICE_UNAVAILABLE, &{
            tracing::error!(error = %e, "accepting an invitation failed");
            "The service is temporarily unavailable. Nothing was changed; please try again.".to_string()
        }),
        Err(e) => crate::forms::status_page(actix_web::http::StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
    }
}
