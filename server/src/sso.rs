//! Single sign-on with OpenID Connect: the trip to the organization's provider and back, and the
//! administrators' form posts that configure it.
//!
//! `/sso/{provider}/start` leaves with the authorization code flow: a random state (also put in
//! a cookie, so a callback is only taken in the browser that started it), a nonce and a PKCE
//! challenge, all kept server side for ten minutes. `/sso/callback` takes the state back once,
//! exchanges the code (client secret and PKCE verifier), verifies the ID token — signature
//! against the provider's published keys, issuer, audience, expiry, nonce — reads groups from it
//! and from userinfo, and hands the verified claims to `gatehouse_db::sso::complete`. The HTTP
//! client follows no redirects (openidconnect's advice against SSRF) and gives up after ten
//! seconds.
use crate::forms::{unavailable, Caller, Form, Lang};
use crate::middleware::{cookie, SESSION_COOKIE};
use crate::redirect::see_other;
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use gatehouse_app::state::{AppState, RequestId};
use gatehouse_db::sso::{Claims, ProviderForSignIn, ProviderInput};
use gatehouse_db::DbError;
use gatehouse_domain::ids::{RoleId, UnitId};
use gatehouse_domain::redirect::local_path;
use gatehouse_domain::sso::{groups_of, Refusal};
use openidconnect::core::{CoreClient, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreResponseType};
use openidconnect::{
    reqwest, AdditionalClaims, AuthenticationFlow, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IdToken, IssuerUrl, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    Scope,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// The browser's half of a sign-in on its way: the state, for ten minutes.
pub const STATE_COOKIE: &str = "gh_sso";
const CALLBACK: &str = "/sso/callback";
/// Provider metadata (endpoints and key set) is fetched again after this long.
const METADATA_TTL: Duration = Duration::from_secs(300);

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/sso/{provider}/start", web::get().to(start))
        .route(CALLBACK, web::get().to(callback));
}

/// The organization's configuration forms (listed in `forms::ORG_FORMS`).
pub fn configure_org(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{org}/sso/providers", web::post().to(provider_new))
        .route("/o/{org}/sso/providers/{id}", web::post().to(provider_edit))
        .route("/o/{org}/sso/providers/{id}/remove", web::post().to(provider_remove))
        .route("/o/{org}/sso/providers/{id}/mappings", web::post().to(mapping_new))
        .route("/o/{org}/sso/providers/{id}/mappings/{aid}/remove", web::post().to(mapping_remove))
        .route("/o/{org}/sso/require", web::post().to(require));
}

fn http_client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("an HTTP client without redirects")
    })
}

/// The provider's metadata (discovery and key set), kept a few minutes per issuer.
async fn metadata(issuer: &str) -> Result<CoreProviderMetadata, Refusal> {
    static CACHE: OnceLock<Mutex<HashMap<String, (Instant, CoreProviderMetadata)>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some((at, m)) = cache.lock().expect("metadata cache").get(issuer) {
        if at.elapsed() < METADATA_TTL {
            return Ok(m.clone());
        }
    }
    let url = IssuerUrl::new(issuer.to_string()).map_err(|_| Refusal::Unreachable)?;
    let m = CoreProviderMetadata::discover_async(url, http_client()).await.map_err(|e| {
        tracing::warn!(issuer, error = %e, "OpenID Connect discovery failed");
        Refusal::Unreachable
    })?;
    cache.lock().expect("metadata cache").insert(issuer.to_string(), (Instant::now(), m.clone()));
    Ok(m)
}

fn redirect_url(state: &AppState) -> String {
    format!("{}{CALLBACK}", state.public_url.trim_end_matches('/')) // not user text: a URL
}

fn refused(r: Refusal) -> HttpResponse {
    tracing::info!(reason = r.code(), "single sign-on refused");
    let mut resp = see_other(&format!("/sign-in?error={}", r.code()));
    let mut c = actix_web::cookie::Cookie::new(STATE_COOKIE, "");
    c.set_path("/");
    c.make_removal();
    let _ = resp.add_cookie(&c);
    resp
}

async fn provider(state: &AppState, public_id: String) -> Result<Option<ProviderForSignIn>, DbError> {
    let Some(key) = state.sealing_key.clone() else { return Ok(None) };
    let db = state.db.clone();
    web::block(move || db.with(|c| gatehouse_db::sso::for_sign_in(c, &key, &public_id))).await.map_err(|e| DbError::Pool(e.to_string()))?
}

#[derive(Deserialize)]
pub struct StartQuery {
    #[serde(default)]
    next: Option<String>,
}

/// Leaves for the provider.
pub async fn start(lang: Lang, state: web::Data<AppState>, path: web::Path<String>, q: web::Query<StartQuery>) -> HttpResponse {
    let p = match provider(&state, path.into_inner()).await {
        Ok(Some(p)) => p,
        Ok(None) => return refused(Refusal::Disabled),
        Err(e) => return unavailable(lang, e),
    };
    let m = match metadata(&p.issuer).await {
        Ok(m) => m,
        Err(r) => return refused(r),
    };
    let Ok(redirect) = RedirectUrl::new(redirect_url(&state)) else { return refused(Refusal::Unreachable) };
    let client = CoreClient::from_provider_metadata(m, ClientId::new(p.client_id.clone()), Some(ClientSecret::new(p.client_secret.clone()))).set_redirect_uri(redirect);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .authorize_url(AuthenticationFlow::<CoreResponseType>::AuthorizationCode, CsrfToken::new_random, Nonce::new_random)
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    let next = q.next.as_deref().map(|n| local_path(Some(n)).to_string());
    let (db, now, provider_id) = (state.db.clone(), state.clock.now(), p.id);
    let (st, nc, pv) = (csrf.secret().clone(), nonce.secret().clone(), verifier.secret().clone());
    match web::block(move || db.with(|c| gatehouse_db::sso::start_login(c, provider_id, &st, &nc, &pv, next.as_deref(), now))).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return unavailable(lang, e),
        Err(e) => return unavailable(lang, e),
    }
    let mut resp = crate::redirect::to_identity_provider(&url);
    let mut c = cookie(&state, STATE_COOKIE, csrf.secret().clone());
    c.set_max_age(CookieDuration::minutes(gatehouse_domain::sso::LOGIN_MINUTES));
    let _ = resp.add_cookie(&c);
    resp
}

#[derive(Deserialize)]
pub struct CallbackQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error: Option<String>,
    /// RFC 9207: the issuer that answered (checked when the provider sends it: mix-up defence).
    #[serde(default)]
    iss: Option<String>,
}

/// Every claim of the ID token beyond the standard ones (the groups claim is configurable).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Extra {
    #[serde(flatten)]
    rest: serde_json::Map<String, serde_json::Value>,
}
impl AdditionalClaims for Extra {}

type ExtraIdToken = IdToken<Extra, CoreGenderClaim, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm>;

/// Back from the provider.
pub async fn callback(lang: Lang, req: HttpRequest, state: web::Data<AppState>, q: web::Query<CallbackQuery>) -> HttpResponse {
    let q = q.into_inner();
    // The state must be the one this browser left with (login CSRF), and is taken once.
    let from_cookie = req.cookie(STATE_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    let Some(st) = q.state.clone().filter(|s| !s.is_empty() && gatehouse_domain::secret::constant_time_eq(s.as_bytes(), from_cookie.as_bytes())) else {
        return refused(Refusal::State);
    };
    let (db, now) = (state.db.clone(), state.clock.now());
    let login = match web::block(move || db.with(|c| gatehouse_db::sso::take_login(c, &st, now))).await {
        Ok(Ok(Some(l))) => l,
        Ok(Ok(None)) => return refused(Refusal::State),
        Ok(Err(e)) => return unavailable(lang, e),
        Err(e) => return unavailable(lang, e),
    };
    if q.error.is_some() {
        return refused(Refusal::Provider);
    }
    let Some(code) = q.code else { return refused(Refusal::Provider) };
    let db = state.db.clone();
    let provider_id = login.provider;
    let public_id = match web::block(move || db.with(|c| gatehouse_db::sso::public_id(c, provider_id))).await {
        Ok(Ok(Some(p))) => p,
        Ok(Ok(None)) => return refused(Refusal::Disabled),
        Ok(Err(e)) => return unavailable(lang, e),
        Err(e) => return unavailable(lang, e),
    };
    let p = match provider(&state, public_id).await {
        Ok(Some(p)) => p,
        Ok(None) => return refused(Refusal::Disabled),
        Err(e) => return unavailable(lang, e),
    };
    if q.iss.as_deref().is_some_and(|iss| iss.trim_end_matches('/') != p.issuer.trim_end_matches('/')) {
        return refused(Refusal::Token);
    }
    let claims = match verified_claims(&state, &p, code, &login.nonce, &login.pkce_verifier).await {
        Ok(c) => c,
        Err(r) => return refused(r),
    };
    let old_token = req.cookie(SESSION_COOKIE).map(|c| c.value().to_string());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let (db, now, next) = (state.db.clone(), state.clock.now(), login.next.clone());
    let outcome = web::block(move || {
        db.tx(|c| match gatehouse_db::sso::complete(c, p.id, &claims, now)? {
            Ok(done) => {
                tracing::info!(org = done.org.0, gained = done.gained.len(), lost = done.lost.len(), "signed in through SSO");
                crate::auth::after_first_factor(c, done.user, old_token.as_deref(), request_id.as_deref(), "sso", next.as_deref(), now).map(Ok)
            }
            Err(r) => Ok(Err(r)),
        })
    })
    .await;
    match outcome {
        Ok(Ok(Ok(f))) => {
            let mut resp = crate::auth::first_factor_response(&state, f, login.next.as_deref());
            let mut c = actix_web::cookie::Cookie::new(STATE_COOKIE, "");
            c.set_path("/");
            c.make_removal();
            let _ = resp.add_cookie(&c);
            resp
        }
        Ok(Ok(Err(r))) => refused(r),
        Ok(Err(e)) => unavailable(lang, e),
        Err(e) => unavailable(lang, e),
    }
}

/// The code exchanged and the ID token verified (signature, issuer, audience, expiry, nonce);
/// e-mail, name and groups read from it and from userinfo (same subject only).
async fn verified_claims(state: &AppState, p: &ProviderForSignIn, code: String, nonce: &str, verifier: &str) -> Result<Claims, Refusal> {
    let m = metadata(&p.issuer).await?;
    let userinfo_url = m.userinfo_endpoint().map(|u| u.url().clone());
    let redirect = RedirectUrl::new(redirect_url(state)).map_err(|_| Refusal::Unreachable)?;
    let client = CoreClient::from_provider_metadata(m, ClientId::new(p.client_id.clone()), Some(ClientSecret::new(p.client_secret.clone()))).set_redirect_uri(redirect);
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|_| Refusal::Unreachable)?
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.to_string()))
        .request_async(http_client())
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "SSO code exchange failed");
            Refusal::Token
        })?;
    let raw = token.extra_fields().id_token().ok_or(Refusal::Token)?.to_string();
    let id_token: ExtraIdToken = raw.parse().map_err(|_| Refusal::Token)?;
    let nonce = Nonce::new(nonce.to_string());
    let claims = id_token.claims(&client.id_token_verifier(), &nonce).map_err(|e| {
        tracing::warn!(error = %e, "SSO ID token refused");
        Refusal::Token
    })?;
    let subject = claims.subject().as_str().to_string();
    let mut email = claims.email().map(|e| e.as_str().to_string());
    let mut email_verified = claims.email_verified().unwrap_or(false);
    let mut name = claims.name().and_then(|n| n.get(None)).map(|n| n.as_str().to_string());
    let mut groups = groups_of(claims.additional_claims().rest.get(&p.groups_claim));
    // Userinfo adds what the ID token left out (many providers put groups only there).
    if let Some(url) = userinfo_url {
        match http_client().get(url).bearer_auth(token.access_token().secret()).send().await {
            Ok(r) if r.status().is_success() => match r.bytes().await.map_err(|e| e.to_string()).and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).map_err(|e| e.to_string())) {
                Ok(info) if info.get("sub").and_then(|s| s.as_str()) == Some(subject.as_str()) => {
                    groups.extend(groups_of(info.get(&p.groups_claim)));
                    if email.is_none() {
                        email = info.get("email").and_then(|e| e.as_str()).map(String::from);
                        email_verified = info.get("email_verified").and_then(|v| v.as_bool()).unwrap_or(false);
                    }
                    if name.is_none() {
                        name = info.get("name").and_then(|e| e.as_str()).map(String::from);
                    }
                }
                Ok(_) => {
                    tracing::warn!("SSO userinfo answered for another subject: ignored");
                    return Err(Refusal::Token);
                }
                Err(e) => tracing::warn!(error = %e, "SSO userinfo unreadable: the ID token's claims are used"),
            },
            Ok(r) => tracing::warn!(status = r.status().as_u16(), "SSO userinfo refused: the ID token's claims are used"),
            Err(e) => tracing::warn!(error = %e, "SSO userinfo unreachable: the ID token's claims are used"),
        }
    }
    Ok(Claims { subject, email, email_verified, name, groups })
}

// --- Configuration (form posts of /o/{org}/sso) ---

fn field<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default()
}

fn page(c: &Caller) -> String {
    format!("/o/{}/sso", c.org.slug)
}

fn input(form: &[(String, String)]) -> ProviderInput {
    ProviderInput {
        name: field(form, "name").into(),
        issuer: field(form, "issuer").into(),
        client_id: field(form, "client_id").into(),
        client_secret: field(form, "client_secret").into(),
        allowed_domains: field(form, "allowed_domains").into(),
        groups_claim: field(form, "groups_claim").into(),
        just_in_time: field(form, "just_in_time") == "on",
        enabled: field(form, "enabled") == "on",
    }
}

/// What the form had, to put back after a refusal (never the secret).
fn keep(form: &[(String, String)]) -> Vec<(&'static str, String)> {
    ["name", "issuer", "client_id", "allowed_domains", "groups_claim"].into_iter().map(|k| (k, field(form, k).to_string())).collect()
}

fn no_key(c: &Caller) -> HttpResponse {
    c.refused(&page(c), DbError::Conflict(gatehouse_db::Conflict::SsoNoSecretKey), &[])
}

async fn provider_new(c: Caller, form: Form) -> HttpResponse {
    let Some(key) = c.state.sealing_key.clone() else { return no_key(&c) };
    let (i, kept) = (input(&form), keep(&form));
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::sso::create(conn, org, p, by, &key, &i, actor, now)).await;
    c.back(&page(&c), r, &kept)
}

async fn provider_edit(c: Caller, path: web::Path<(String, i64)>, form: Form) -> HttpResponse {
    let Some(key) = c.state.sealing_key.clone() else { return no_key(&c) };
    let (_, id) = path.into_inner();
    let i = input(&form);
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::sso::update(conn, org, p, by, &key, id, &i, actor, now)).await;
    c.back(&page(&c), r, &[])
}

async fn provider_remove(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::sso::remove(conn, org, p, by, id, actor, now)).await;
    c.back(&page(&c), r, &[])
}

async fn mapping_new(c: Caller, path: web::Path<(String, i64)>, form: Form) -> HttpResponse {
    let (_, id) = path.into_inner();
    let group = field(&form, "group").to_string();
    let Some(role) = crate::forms::number(field(&form, "role")) else {
        return c.refused(&page(&c), DbError::Domain(gatehouse_domain::DomainError::InvalidValue { field: "role", value: String::new() }), &[]);
    };
    let unit = match field(&form, "unit") {
        "" => None,
        u => match crate::forms::number(u) {
            Some(u) => Some(UnitId(u)),
            None => return c.refused(&page(&c), DbError::Domain(gatehouse_domain::DomainError::InvalidValue { field: "unit", value: u.to_string() }), &[]),
        },
    };
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::sso::add_mapping(conn, org, p, by, id, &group, RoleId(role), unit, actor, now)).await;
    c.back(&page(&c), r, &[])
}

async fn mapping_remove(c: Caller, path: web::Path<(String, i64, i64)>) -> HttpResponse {
    let (_, id, mid) = path.into_inner();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::sso::remove_mapping(conn, org, p, by, id, mid, actor, now)).await;
    c.back(&page(&c), r, &[])
}

async fn require(c: Caller, form: Form) -> HttpResponse {
    let on = field(&form, "require_sso") == "on";
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::sso::set_require_sso(conn, org, p, by, on, actor, now)).await;
    c.back(&page(&c), r, &[])
}
