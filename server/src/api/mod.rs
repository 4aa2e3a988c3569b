//! The JSON API for an organization's own programs: reporting and provisioning (`v1`), the
//! decision point (`decisions`) and its OpenAPI document (`openapi`). A call carries an API key
//! (`Authorization: Bearer ghk_…`) and acts as the key's technical user inside the key's
//! organization — never with a session cookie, so no CSRF applies and no browser can be made to
//! call it. Every decision goes through the same engine as the portal's pages, narrowed by the
//! key's scopes; every error is an RFC 9457 problem in the caller's language (Accept-Language).
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use gatehouse_app::i18n::{t, tf, Msg};
use gatehouse_app::state::AppState;
use gatehouse_db::api_keys::KeyAuth;
use gatehouse_db::{Conn, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::api_keys::{self as rules, KeyRefusal};
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::{Decision, Target, Visibility};
use gatehouse_domain::locale::Locale;
use serde::Serialize;
use std::sync::Arc;

pub mod decisions;
pub mod openapi;
pub mod scim;
pub mod v1;

/// Every route of the JSON API: (method, path). Registered by [`configure`]; the OpenAPI
/// document and the route-enumerating tests walk this list.
pub const API_ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/v1/members"),
    ("GET", "/api/v1/units"),
    ("GET", "/api/v1/roles"),
    ("GET", "/api/v1/assignments"),
    ("POST", "/api/v1/assignments"),
    ("DELETE", "/api/v1/assignments/{id}"),
    ("GET", "/api/v1/audit-events"),
    ("GET", "/api/v1/decision"),
    ("GET", "/api/v1/who-can"),
];

/// Paths answered here, outside the portal's sessions.
pub fn is_api(path: &str) -> bool {
    path.starts_with("/api/v1/") || path == "/api/v1" || scim::is_scim(path)
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    scim::configure(cfg);
    cfg.service(
        web::scope("/api/v1")
            .app_data(web::JsonConfig::default().limit(64 * 1024).error_handler(|e, req| {
                let locale = locale_of(req);
                Problem::bad_request(locale, tf(locale, Msg::ApiProblemBadBody, &[("detail", &e.to_string())])).into()
            }))
            .app_data(web::QueryConfig::default().error_handler(|e, req| {
                let locale = locale_of(req);
                Problem::bad_request(locale, e.to_string()).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|_, req| Problem::not_found(locale_of(req)).into()))
            .route("/openapi.json", web::get().to(openapi::document))
            .route("/members", web::get().to(v1::members))
            .route("/units", web::get().to(v1::units))
            .route("/roles", web::get().to(v1::roles))
            .route("/assignments", web::get().to(v1::assignments))
            .route("/assignments", web::post().to(v1::assign))
            .route("/assignments/{id}", web::delete().to(v1::unassign))
            .route("/audit-events", web::get().to(v1::audit_events))
            .route("/decision", web::get().to(decisions::decision))
            .route("/who-can", web::get().to(decisions::who_can))
            .default_service(web::to(not_found)),
    );
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    Problem::not_found(locale_of(&req)).into_response()
}

/// The caller's language: the Accept-Language header (an API call has no session or cookie).
pub fn locale_of(req: &HttpRequest) -> Locale {
    req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(Locale::from_accept_language).unwrap_or_default()
}

/// An RFC 9457 problem: `type` names the kind of problem (stable, for programs), `title` and
/// `detail` say it in the caller's language.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:gatehouse:problem:<kind>` (unauthorized, out-of-scope, not-permitted, not-found,
    /// bad-request, conflict, refused, unavailable).
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The permission missing, for out-of-scope and not-permitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    /// The engine's reasons, in words, for not-permitted.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.kind, self.status) // not user text: logs only
    }
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: Option<String>) -> Self {
        Problem { kind: format!("urn:gatehouse:problem:{kind}"), title: title.to_string(), status: status.as_u16(), detail, permission: None, reasons: vec![] } // not user text: the problem's type URI
    }

    pub fn bad_request(locale: Locale, detail: String) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, "bad-request", t(locale, Msg::ApiProblemBadRequest), Some(detail))
    }

    pub fn not_found(locale: Locale) -> Self {
        Problem::new(StatusCode::NOT_FOUND, "not-found", t(locale, Msg::ApiProblemNotFound), Some(t(locale, Msg::ApiProblemNotFoundDetail).to_string()))
    }

    pub fn unavailable(locale: Locale) -> Self {
        Problem::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", t(locale, Msg::ApiProblemUnavailable), Some(t(locale, Msg::ApiProblemUnavailableDetail).to_string()))
    }

    pub fn unauthorized(locale: Locale) -> Self {
        Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", t(locale, Msg::ApiProblemUnauthorized), Some(t(locale, Msg::ApiProblemUnauthorizedDetail).to_string()))
    }

    pub fn into_response(self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut b = HttpResponse::build(status);
        b.content_type("application/problem+json").insert_header((header::CACHE_CONTROL, "no-store"));
        if status == StatusCode::UNAUTHORIZED {
            b.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"gatehouse\""));
        }
        b.body(serde_json::to_string(&self).unwrap_or_default())
    }
}

impl actix_web::ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
    fn error_response(&self) -> HttpResponse {
        self.clone().into_response()
    }
}

/// A JSON answer that no cache keeps.
pub fn json<T: Serialize>(v: &T) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "no-store")).json(v)
}

/// Who calls: a key that proved itself, its technical user's membership and the organization's
/// policy at the version read with the key. Taken as a handler argument; a call without a valid
/// key is answered 401 before the handler runs.
pub struct KeyCaller {
    pub state: web::Data<AppState>,
    pub auth: KeyAuth,
    pub policy: Arc<Policy>,
    pub locale: Locale,
    pub now: DateTime<Utc>,
}

impl actix_web::FromRequest for KeyCaller {
    type Error = Problem;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { load(&req).await })
    }
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let v = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_string())
}

async fn load(req: &HttpRequest) -> Result<KeyCaller, Problem> {
    let locale = locale_of(req);
    let state = req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| Problem::unavailable(locale))?;
    let now = state.clock.now();
    let Some(token) = bearer(req) else { return Err(Problem::unauthorized(locale)) };
    let auth = match gatehouse_app::api::server::read(&state, move |c| gatehouse_db::api_keys::authenticate(c, &token, now)).await {
        Ok(Ok(Some(a))) => a,
        Ok(Ok(None)) => {
            tracing::warn!("refused an API call without a valid key");
            return Err(Problem::unauthorized(locale));
        }
        Ok(Err(e)) => {
            tracing::error!(error = %e, "API key lookup failed");
            return Err(Problem::unavailable(locale));
        }
        Err(e) => {
            tracing::error!(error = %e, "API key lookup failed");
            return Err(Problem::unavailable(locale));
        }
    };
    let span = tracing::Span::current();
    span.record("org_id", auth.org.0);
    tracing::debug!(api_key = auth.key.0, "API call");
    if rules::touch_due(auth.last_used_at, now) {
        let (db, key) = (state.db.clone(), auth.key);
        if let Err(e) = web::block(move || db.with(|c| gatehouse_db::api_keys::touch(c, key, now))).await.map_err(|e| e.to_string()).and_then(|r| r.map_err(|e| e.to_string())) {
            tracing::warn!(error = %e, "could not note the key's last use");
        }
    }
    let policy = gatehouse_app::api::server::policy_at(&state, auth.org, auth.authz_version).await.map_err(|e| {
        tracing::error!(error = %e, "loading the policy failed");
        Problem::unavailable(locale)
    })?;
    Ok(KeyCaller { state, auth, policy, locale, now })
}

impl KeyCaller {
    pub fn actor(&self) -> Actor {
        Actor::ApiKey { key: self.auth.key }
    }

    /// The key carries `permission` and its technical user holds it for `target`.
    pub fn require(&self, permission: &str, target: &Target) -> Result<Decision, Problem> {
        rules::require(&self.policy, self.auth.membership, &self.auth.scopes, permission, target, self.now).map_err(|r| self.refusal(r))
    }

    /// The key carries `permission` (for changes, whose db function then decides whether the
    /// technical user holds it where the change lands).
    pub fn carries(&self, permission: &str) -> Result<(), Problem> {
        if self.auth.scopes.iter().any(|s| s == permission) {
            Ok(())
        } else {
            Err(self.refusal(KeyRefusal::OutOfScope { permission: permission.to_string() }))
        }
    }

    /// As [`Self::require`] for the whole organization, seen person by person.
    pub fn require_individual(&self, permission: &str) -> Result<(), Problem> {
        let d = self.require(permission, &Target::Organization)?;
        if d.visibility == Some(Visibility::Individual) || d.visibility.is_none() {
            Ok(())
        } else {
            let mut p = Problem::new(
                StatusCode::FORBIDDEN,
                "not-permitted",
                t(self.locale, Msg::ApiProblemNotIndividual),
                Some(tf(self.locale, Msg::ApiProblemNotIndividualDetail, &[("permission", permission)])),
            );
            p.permission = Some(permission.to_string());
            Err(p)
        }
    }

    pub fn refusal(&self, r: KeyRefusal) -> Problem {
        match r {
            KeyRefusal::OutOfScope { permission } => {
                let mut p = Problem::new(
                    StatusCode::FORBIDDEN,
                    "out-of-scope",
                    t(self.locale, Msg::ApiProblemOutOfScope),
                    Some(tf(self.locale, Msg::ApiProblemOutOfScopeDetail, &[("permission", &permission)])),
                );
                p.permission = Some(permission);
                p
            }
            KeyRefusal::NotPermitted { permission, decision } => {
                let mut p = Problem::new(
                    StatusCode::FORBIDDEN,
                    "not-permitted",
                    t(self.locale, Msg::ApiProblemNotPermitted),
                    Some(tf(self.locale, Msg::ApiProblemNotPermittedDetail, &[("permission", &permission)])),
                );
                p.reasons = gatehouse_app::explain::reasons(self.locale, &self.policy, &permission, &decision.reasons);
                p.permission = Some(permission);
                p
            }
        }
    }

    /// A read on the blocking pool (or, on SQLite, right here).
    pub async fn read<T: Send + 'static>(&self, f: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError> + Send + 'static) -> Result<T, Problem> {
        match gatehouse_app::api::server::read(&self.state, f).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.db_problem(e, &self.policy)),
            Err(e) => {
                tracing::error!(error = %e, "blocking pool error");
                Err(Problem::unavailable(self.locale))
            }
        }
    }

    /// A change decided by the db crate on the current policy; decided once more on a fresh
    /// one when the policy moved meanwhile (as the portal's forms do).
    pub async fn change<T: Send + 'static>(&self, f: impl Fn(&mut Conn<'_>, &Policy) -> Result<T, DbError> + Send + Sync + 'static) -> Result<T, Problem> {
        crate::forms::decide(&self.state, self.auth.org, self.policy.clone(), f).await.map(|(v, _)| v).map_err(|(e, policy)| self.db_problem(e, &policy))
    }

    fn db_problem(&self, e: DbError, policy: &Policy) -> Problem {
        let locale = self.locale;
        match &e {
            DbError::NotFound => Problem::not_found(locale),
            DbError::Domain(_) => Problem::bad_request(locale, gatehouse_app::i18n::refusal(locale, policy, &e).unwrap_or_default()),
            DbError::Conflict(_) | DbError::Stale { .. } => {
                Problem::new(StatusCode::CONFLICT, "conflict", t(locale, Msg::ApiProblemConflict), gatehouse_app::i18n::refusal(locale, policy, &e))
            }
            DbError::Denied(gatehouse_domain::authz::Denial::NotPermitted { permission, reasons }) => {
                self.refusal(KeyRefusal::NotPermitted { permission: permission.clone(), decision: Decision { allowed: false, visibility: None, reasons: reasons.clone() } })
            }
            DbError::Denied(_) | DbError::Request(_) | DbError::Compliance(_) | DbError::Person(_) => {
                Problem::new(StatusCode::FORBIDDEN, "refused", t(locale, Msg::ApiProblemRefused), gatehouse_app::i18n::refusal(locale, policy, &e))
            }
            DbError::Outdated => Problem::unavailable(locale),
            _ => {
                tracing::error!(error = %e, "database error");
                Problem::unavailable(locale)
            }
        }
    }

    /// Notes a reporting read in the audit log, as the key ("every call audited"): what was read
    /// and how many records. Decision-point questions are not written one by one (they are
    /// counted in the key's last use), so asking stays a read.
    pub async fn audit_read(&self, endpoint: &'static str, records: usize) -> Result<(), Problem> {
        let (org, actor, now) = (self.auth.org, self.actor(), self.now);
        let db = self.state.db.clone();
        let r = web::block(move || {
            db.with(|c| {
                gatehouse_db::audit::record(
                    c,
                    now,
                    &gatehouse_db::audit::AuditEntry::new(Some(org), actor, "api.read", "endpoint", None).after(serde_json::json!({ "endpoint": endpoint, "records": records })),
                )
            })
        })
        .await;
        match r {
            Ok(Ok(_)) => Ok(()),
            _ => {
                tracing::error!("could not audit an API read");
                Err(Problem::unavailable(self.locale))
            }
        }
    }
}

/// A page's size: `limit` (default 100, at most 500).
pub fn limit(locale: Locale, v: Option<i64>) -> Result<i64, Problem> {
    const MAX: i64 = 500;
    match v {
        None => Ok(100),
        Some(n) if (1..=MAX).contains(&n) => Ok(n),
        Some(_) => Err(Problem::bad_request(locale, tf(locale, Msg::ApiProblemBadLimit, &[("max", &MAX.to_string())]))),
    }
}

/// A cursor handed out by a list (`next`): the last id of the page, opaque to the caller.
pub fn cursor(locale: Locale, v: Option<&str>) -> Result<Option<i64>, Problem> {
    match v.filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .strip_prefix("c")
            .and_then(|n| n.parse::<i64>().ok())
            .filter(|n| *n >= 0)
            .map(Some)
            .ok_or_else(|| Problem::bad_request(locale, tf(locale, Msg::ApiProblemBadCursor, &[("value", s)]))),
    }
}

pub fn next_cursor(last: Option<i64>, full: bool) -> Option<String> {
    if full { last.map(|id| format!("c{id}")) } else { None } // not user text: an opaque cursor
}
