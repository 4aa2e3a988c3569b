//! Form posts that change an organization's roles and permissions. Each handler is thin: it
//! finds the caller's membership and the organization's policy, lets the db crate decide and
//! write (engine checks, no escalation, one transaction, audit), and redirects back — with
//! "saved" or with the refusal in the caller's words and what they entered.
//!
//! Every route is listed in [`ORG_FORMS`]: the route-enumerating test walks that list.
use crate::middleware::encode;
use crate::redirect::see_other;
use actix_web::http::header;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use gatehouse_app::state::{AppState, RequestLocale, RequestPerson, RequestSession};
use gatehouse_db::members::MembershipCtx;
use gatehouse_db::orgs::OrgRow;
use gatehouse_db::{Conn, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::authz::policy::Policy;
use gatehouse_domain::authz::{Adjustment, RoleGrant, RoleScope, Visibility};
use gatehouse_domain::ids::{MembershipId, RoleId, UnitId};
use gatehouse_domain::locale::Locale;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// Every organization form route: (method, path pattern). Registered by [`configure`].
pub const ORG_FORMS: &[(&str, &str)] = &[
    ("POST", "/o/{org}/roles/new"),
    ("POST", "/o/{org}/roles/{id}"),
    ("POST", "/o/{org}/roles/{id}/retire"),
    ("POST", "/o/{org}/templates/apply"),
    ("POST", "/o/{org}/modules"),
    ("GET", "/o/{org}/roles/matrix.csv"),
    ("POST", "/o/{org}/members/{id}/assignments"),
    ("POST", "/o/{org}/members/{id}/assignments/{aid}/remove"),
    ("POST", "/o/{org}/members/{id}/adjustments"),
    ("POST", "/o/{org}/members/{id}/adjustments/{aid}/remove"),
    ("POST", "/o/{org}/org-roles"),
    ("POST", "/o/{org}/content/{module}/new"),
    ("POST", "/o/{org}/content/{module}/bulk-delete"),
    ("POST", "/o/{org}/content/{module}/{id}"),
    ("POST", "/o/{org}/content/{module}/{id}/delete"),
    ("POST", "/o/{org}/content/{module}/{id}/invite"),
    ("POST", "/o/{org}/mail/{id}/retry"),
    ("POST", "/o/{org}/invitations"),
    ("POST", "/o/{org}/invitations/settings"),
    ("POST", "/o/{org}/invitations/{id}/resend"),
    ("POST", "/o/{org}/invitations/{id}/revoke"),
    ("GET", "/o/{org}/members.csv"),
    ("GET", "/o/{org}/audit.csv"),
    ("GET", "/o/{org}/me/data.json"),
    ("GET", "/o/{org}/members/{id}/data.json"),
    ("GET", "/o/{org}/document"),
    ("POST", "/o/{org}/reviews/plans"),
    ("POST", "/o/{org}/reviews/items/{id}/decide"),
    ("POST", "/o/{org}/reviews/{id}/keep-agreed"),
    ("GET", "/o/{org}/reviews/{id}/evidence.csv"),
    ("GET", "/o/{org}/reviews/{id}/evidence"),
    ("POST", "/o/{org}/digests/default"),
    ("POST", "/o/{org}/digests/choice"),
    ("POST", "/o/{org}/digests/units/{id}/remove"),
    ("POST", "/o/{org}/digests/send-now"),
    ("POST", "/o/{org}/policies"),
    ("POST", "/o/{org}/policies/{id}/retire"),
    ("POST", "/o/{org}/policies/{id}/done"),
    ("POST", "/o/{org}/imports"),
    ("POST", "/o/{org}/imports/{id}/start"),
    ("POST", "/o/{org}/imports/{id}/discard"),
    ("POST", "/o/{org}/requests"),
    ("POST", "/o/{org}/requests/settings"),
    ("POST", "/o/{org}/requests/{id}/decide"),
    ("POST", "/o/{org}/requests/{id}/withdraw"),
    ("POST", "/o/{org}/requests/{id}/revoke"),
    ("POST", "/o/{org}/members/{id}/end"),
    ("POST", "/o/{org}/compliance/settings"),
    ("POST", "/o/{org}/compliance/{id}/anonymize"),
    ("POST", "/o/{org}/compliance/{id}/remind"),
    ("POST", "/o/{org}/api-keys/users"),
    ("POST", "/o/{org}/api-keys/users/{id}/remove"),
    ("POST", "/o/{org}/api-keys/users/{id}/keys"),
    ("POST", "/o/{org}/api-keys/keys/{id}/revoke"),
    ("POST", "/o/{org}/settings/security"),
    ("POST", "/o/{org}/settings/support"),
    ("POST", "/o/{org}/settings/support/{id}/end"),
    ("POST", "/o/{org}/sso/providers"),
    ("POST", "/o/{org}/sso/providers/{id}"),
    ("POST", "/o/{org}/sso/providers/{id}/remove"),
    ("POST", "/o/{org}/sso/providers/{id}/mappings"),
    ("POST", "/o/{org}/sso/providers/{id}/mappings/{aid}/remove"),
    ("POST", "/o/{org}/sso/require"),
];

pub fn configure(cfg: &mut web::ServiceConfig) {
    // The CSV export is registered before /roles/{id} so "matrix.csv" is not read as an id.
    cfg.route("/o/{org}/roles/matrix.csv", web::get().to(matrix_csv))
        .route("/o/{org}/roles/new", web::post().to(role_new))
        .route("/o/{org}/roles/{id}", web::post().to(role_edit))
        .route("/o/{org}/roles/{id}/retire", web::post().to(role_retire))
        .route("/o/{org}/templates/apply", web::post().to(template_apply))
        .route("/o/{org}/modules", web::post().to(module_declare))
        .route("/o/{org}/members/{id}/assignments", web::post().to(assign))
        .route("/o/{org}/members/{id}/assignments/{aid}/remove", web::post().to(unassign))
        .route("/o/{org}/members/{id}/adjustments", web::post().to(adjust))
        .route("/o/{org}/members/{id}/adjustments/{aid}/remove", web::post().to(remove_adjustment))
        .route("/o/{org}/org-roles", web::post().to(org_role))
        .route("/o/{org}/content/{module}/new", web::post().to(item_new))
        .route("/o/{org}/content/{module}/bulk-delete", web::post().to(item_bulk_delete))
        .route("/o/{org}/content/{module}/{id}", web::post().to(item_edit))
        .route("/o/{org}/content/{module}/{id}/delete", web::post().to(item_delete))
        .route("/o/{org}/content/{module}/{id}/invite", web::post().to(item_invite))
        .route("/o/{org}/mail/{id}/retry", web::post().to(mail_retry))
        .route("/o/{org}/settings/security", web::post().to(security))
        .route("/o/{org}/settings/support", web::post().to(support_access))
        .route("/o/{org}/settings/support/{id}/end", web::post().to(support_end));
    crate::people::configure(cfg);
    crate::imports::configure(cfg);
    crate::audit::configure(cfg);
    crate::personal_data::configure(cfg);
    crate::document::configure(cfg);
    crate::reviews::configure(cfg);
    crate::digests::configure_org(cfg);
    crate::acknowledgments::configure(cfg);
    crate::requests::configure(cfg);
    crate::compliance::configure(cfg);
    crate::api_keys::configure(cfg);
    crate::sso::configure_org(cfg);
}

pub(crate) type Form = web::Form<Vec<(String, String)>>;

/// Who posts a form inside an organization: the signed-in person, the organization (from the
/// route's `{org}`), their active membership and the authorization snapshot — loaded by the
/// same function as the server functions' (`gatehouse_app::api::server::member_in`). Taken as a
/// handler argument; anyone else is answered before the handler runs: 401 signed out, 404 not
/// a member (another organization's pages do not exist for them).
pub(crate) struct Caller {
    pub(crate) state: web::Data<AppState>,
    pub(crate) org: OrgRow,
    pub(crate) m: MembershipCtx,
    pub(crate) policy: Arc<Policy>,
    pub(crate) locale: Locale,
    pub(crate) now: DateTime<Utc>,
    pub(crate) actor: Actor,
}

impl actix_web::FromRequest for Caller {
    type Error = actix_web::Error;
    type Future = std::pin::Pin<Box<dyn std::future::Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { load_caller(&req).await.map_err(|resp| actix_web::error::InternalError::from_response("refused", resp).into()) })
    }
}

async fn load_caller(req: &HttpRequest) -> Result<Caller, HttpResponse> {
    use gatehouse_app::i18n::{t, Msg};
    use actix_web::http::StatusCode;
    let locale = req.extensions().get::<RequestLocale>().map(|l| l.0).unwrap_or_default();
    let unavailable = || status_page(StatusCode::SERVICE_UNAVAILABLE, t(locale, Msg::ServiceUnavailable));
    let Some(state) = req.app_data::<web::Data<AppState>>().cloned() else { return Err(unavailable()) };
    let Some(session) = req.extensions().get::<RequestSession>().cloned() else {
        return Err(status_page(StatusCode::UNAUTHORIZED, t(locale, Msg::SignInRequired)));
    };
    // The session middleware puts the person in with the session.
    let Some(person) = req.extensions().get::<RequestPerson>().cloned() else {
        return Err(status_page(StatusCode::UNAUTHORIZED, t(locale, Msg::SignInRequired)));
    };
    let slug = req.match_info().get("org").unwrap_or_default().to_string();
    if let Some(org) = gatehouse_app::api::server::two_factor_missing(&person, &slug) {
        return Err(status_page(StatusCode::FORBIDDEN, &gatehouse_app::i18n::tf(locale, Msg::TwoFactorRequiredPage, &[("org", &org)])));
    }
    let user = session.user;
    match gatehouse_app::api::server::member_in(&state, &person, &slug).await {
        Ok(Some((org, m, policy))) => {
            tracing::Span::current().record("org_id", org.id.0);
            // Through a support session: the staff member, acting as that membership.
            let actor = match person.acting_staff(&slug, m.id) {
                Some(staff) => Actor::StaffAsUser { staff, membership: m.id },
                None => Actor::User { user, membership: Some(m.id) },
            };
            Ok(Caller { now: state.clock.now(), state, org, m, policy, locale, actor })
        }
        Ok(None) => Err(status_page(StatusCode::NOT_FOUND, t(locale, Msg::NotFoundText))),
        Err(e) => {
            tracing::error!(error = %e, "loading the caller failed");
            Err(unavailable())
        }
    }
}

pub(crate) fn fields(form: &Form) -> HashMap<String, String> {
    form.0.iter().cloned().collect()
}

/// The reader's language, as the session middleware decided it (a handler argument).
#[derive(Debug, Clone, Copy)]
pub struct Lang(pub Locale);

impl actix_web::FromRequest for Lang {
    type Error = actix_web::Error;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(Lang(req.extensions().get::<RequestLocale>().map(|l| l.0).unwrap_or_default())))
    }
}

/// The database did not answer: said in the reader's words, the cause logged (with the request
/// id), nothing changed.
pub(crate) fn unavailable(lang: Lang, e: impl std::fmt::Display) -> HttpResponse {
    tracing::error!(error = %e, "database unavailable");
    status_page(actix_web::http::StatusCode::SERVICE_UNAVAILABLE, gatehouse_app::i18n::t(lang.0, gatehouse_app::i18n::Msg::ServiceUnavailable))
}

pub(crate) fn status_page(code: actix_web::http::StatusCode, text: &str) -> HttpResponse {
    HttpResponse::build(code).content_type("text/plain; charset=utf-8").body(text.to_string())
}

/// Runs a change decided on `policy` (the snapshot the caller was loaded with) on the blocking
/// pool; a change decided on one that moved meanwhile fails with Outdated and is decided once
/// more on a fresh one. Whatever changed, this instance counts the dashboard's figures and list
/// totals again. For form posts and the JSON API alike.
pub(crate) async fn decide<T: Send + 'static>(
    state: &AppState,
    org: gatehouse_domain::ids::OrgId,
    policy: Arc<Policy>,
    f: impl Fn(&mut Conn<'_>, &Policy) -> Result<T, DbError> + Send + Sync + 'static,
) -> Result<(T, Arc<Policy>), (DbError, Arc<Policy>)> {
    let (db, cache) = (state.db.clone(), state.policies.clone());
    let mut current = Some(policy);
    let r = web::block(move || {
        let mut last = None;
        for _ in 0..2 {
            let policy = match current.take() {
                Some(p) => p,
                None => match db.with(|c| cache.get(c, org)) {
                    Ok(p) => p,
                    Err(e) => return Err((e, Arc::new(Policy::default()))),
                },
            };
            match db.with(|c| f(c, &policy)) {
                Ok(v) => return Ok((v, policy)),
                Err(DbError::Outdated) => last = Some(policy),
                Err(e) => return Err((e, policy)),
            }
        }
        Err((DbError::Outdated, last.unwrap_or_default()))
    })
    .await;
    state.counts.forget(org);
    match r {
        Ok(v) => v,
        Err(e) => Err((DbError::Pool(e.to_string()), Arc::new(Policy::default()))),
    }
}

impl Caller {
    /// Runs a change decided on the current policy; when the policy moved on in between, decides
    /// again once on the fresh one.
    pub(crate) async fn change<T: Send + 'static>(
        &self,
        f: impl Fn(&mut Conn<'_>, &Policy) -> Result<T, DbError> + Send + Sync + 'static,
    ) -> Result<(T, Arc<Policy>), (DbError, Arc<Policy>)> {
        decide(&self.state, self.org.id, self.policy.clone(), f).await
    }

    fn words(&self, policy: &Policy, e: &DbError) -> String {
        gatehouse_app::i18n::refusal(self.locale, policy, e).unwrap_or_else(|| {
            tracing::error!(error = %e, "form change failed");
            gatehouse_app::i18n::t(self.locale, gatehouse_app::i18n::Msg::TryAgain).to_string()
        })
    }

    /// Back to the form's page with a refusal found before anything was tried.
    pub(crate) fn refused(&self, back: &str, e: DbError, keep: &[(&str, String)]) -> HttpResponse {
        self.back(back, Err::<((), _), _>((e, self.policy.clone())), keep)
    }

    /// Back to the form's page: saved, or refused with why and the entered values.
    pub(crate) fn back<T>(&self, back: &str, r: Result<(T, Arc<Policy>), (DbError, Arc<Policy>)>, keep: &[(&str, String)]) -> HttpResponse {
        let base = gatehouse_domain::redirect::local_path(Some(back)).to_string();
        let base = if base.starts_with(&format!("/o/{}/", self.org.slug)) { base } else { format!("/o/{}/me", self.org.slug) };
        let sep = if base.contains('?') { '&' } else { '?' };
        match r {
            Ok(_) => see_other(&format!("{base}{sep}done=1")),
            Err((DbError::NotFound, _)) => status_page(actix_web::http::StatusCode::NOT_FOUND, gatehouse_app::i18n::t(self.locale, gatehouse_app::i18n::Msg::NotFoundText)),
            Err((e, policy)) => {
                let mut url = format!("{base}{sep}error={}", encode(&self.words(&policy, &e)));
                for (k, v) in keep {
                    url.push_str(&format!("&{k}={}", encode(v)));
                }
                see_other(&url)
            }
        }
    }
}

/// A number typed or chosen in a form (ids, amounts); `None` when empty or not a number.
pub(crate) fn number(v: &str) -> Option<i64> {
    v.trim().parse().ok()
}

/// The record version an editor was opened at; a missing one never matches.
fn version(v: &str) -> i32 {
    number(v).and_then(|n| i32::try_from(n).ok()).unwrap_or(-1)
}

/// A form value that is not acceptable, said in the reader's words by [`Caller::back`].
pub(crate) fn invalid(field: &'static str, value: &str) -> DbError {
    DbError::Domain(gatehouse_domain::DomainError::InvalidValue { field, value: value.to_string() })
}

/// The role editor's cells: `g.<permission>.<scope>` checkboxes and `v.<permission>` visibility.
fn grants_from(f: &HashMap<String, String>) -> Vec<RoleGrant> {
    let mut out = Vec::new();
    let mut keys: Vec<&String> = f.keys().filter(|k| k.starts_with("g.")).collect();
    keys.sort();
    for k in keys {
        let rest = &k[2..];
        let Some((perm, scope)) = rest.rsplit_once('.') else { continue };
        let Ok(scope) = RoleScope::parse(scope) else { continue };
        let visibility = f.get(&format!("v.{perm}")).and_then(|v| Visibility::parse(v).ok()).unwrap_or(Visibility::Individual);
        out.push(RoleGrant { permission: perm.to_string(), scope, visibility });
    }
    out
}

/// The grants in the short form the editor reads back after a refusal.
fn draft_of(grants: &[RoleGrant]) -> String {
    grants.iter().map(|g| format!("{}:{}:{}", g.permission, g.scope.as_str(), g.visibility.as_str())).collect::<Vec<_>>().join(",")
}

/// The "new role" form: a key, a name and where the grants come from (`RoleOrigin`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct RoleNewForm {
    key: String,
    name: String,
    from: String,
}

async fn role_new(c: Caller, form: web::Form<RoleNewForm>) -> HttpResponse {
    let RoleNewForm { key, name, from } = form.into_inner();
    let key = key.trim().to_lowercase();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let (k2, n2, origin) = (key.clone(), name.clone(), gatehouse_domain::authz::templates::RoleOrigin::parse(&from));
    let r = c
        .change(move |conn, p| {
            let origin = origin.as_ref().ok_or(DbError::NotFound)?;
            gatehouse_db::roles::create_from(conn, org, p, by, &k2, &n2, origin, actor, now)
        })
        .await;
    match r {
        Ok((id, _)) => see_other(&format!("/o/{}/roles/{}?done=1", c.org.slug, id.0)),
        Err(e) => c.back(&format!("/o/{}/roles", c.org.slug), Err::<((), _), _>(e), &[("key", key), ("name", name), ("from", from)]),
    }
}

/// The role editor: name, description, requestable, the version it was opened at, and the
/// matrix's cells (`g.<permission>.<scope>`, `v.<permission>`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct RoleEditForm {
    name: String,
    description: String,
    requestable: Option<String>,
    version: String,
    #[serde(flatten)]
    cells: HashMap<String, String>,
}

async fn role_edit(c: Caller, path: web::Path<(String, i64)>, form: web::Form<RoleEditForm>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let f = form.into_inner();
    let grants = grants_from(&f.cells);
    let edit = gatehouse_db::roles::RoleEdit {
        name: f.name,
        description: f.description,
        requestable: f.requestable.is_some(),
        grants: grants.clone(),
        expected_version: version(&f.version),
    };
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let e2 = edit.clone();
    let r = c.change(move |conn, p| gatehouse_db::roles::edit(conn, org, p, by, RoleId(id), &e2, actor, now)).await;
    let back = format!("/o/{}/roles/{id}", c.org.slug);
    c.back(&back, r, &[("draft", draft_of(&grants)), ("name", edit.name), ("description", edit.description)])
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RetireForm {
    end_assignments: Option<String>,
}

async fn role_retire(c: Caller, path: web::Path<(String, i64)>, form: web::Form<RetireForm>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let end = form.end_assignments.is_some();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::roles::retire(conn, org, p, by, RoleId(id), end, actor, now)).await;
    c.back(&format!("/o/{}/roles/{id}", c.org.slug), r, &[])
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TemplateForm {
    template: String,
}

async fn template_apply(c: Caller, form: web::Form<TemplateForm>) -> HttpResponse {
    let key = form.into_inner().template;
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c
        .change(move |conn, p| {
            let t = gatehouse_domain::authz::templates::by_key(&key).ok_or(DbError::NotFound)?;
            gatehouse_db::authz::apply_template_checked(conn, org, p, by, &t, actor, now)
        })
        .await;
    c.back(&format!("/o/{}/roles", c.org.slug), r, &[])
}

async fn matrix_csv(c: Caller) -> HttpResponse {
    let policy = &c.policy;
    if let Err(d) = policy.require_reach(c.m.id, "roles.view", c.now) {
        return status_page(actix_web::http::StatusCode::FORBIDDEN, &gatehouse_app::explain::denial(c.locale, policy, &d));
    }
    let m = gatehouse_app::access::matrix(policy, c.locale);
    // Quoted where needed, and never run as a spreadsheet formula (role names are typed by people).
    let cell = |s: &str| {
        let s = gatehouse_domain::spreadsheet::guard(s);
        if s.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_string()
        }
    };
    let mut out = String::from("permission,area,description");
    for (_, name, retired) in &m.roles {
        out.push(',');
        out.push_str(&cell(&if *retired { format!("{name} (retired)") } else { name.clone() }));
    }
    out.push('\n');
    for (p, cells) in &m.rows {
        out.push_str(&format!("{},{},{}", cell(&p.key), cell(&p.group), cell(&p.label)));
        for c in cells {
            out.push(',');
            out.push_str(&cell(c));
        }
        out.push('\n');
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}-roles.csv\"", c.org.slug)))
        .body(out)
}

/// Assigning a role to a member: the role, at a unit (or organization-wide), until a day.
#[derive(Deserialize, Default)]
#[serde(default)]
struct AssignForm {
    role: String,
    unit: String,
    ends_on: String,
}

async fn assign(c: Caller, path: web::Path<(String, i64)>, form: web::Form<AssignForm>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let f = form.into_inner();
    let back = format!("/o/{}/members/{id}", c.org.slug);
    let keep = vec![("role", f.role.clone()), ("unit", f.unit.clone()), ("ends_on", f.ends_on.clone())];
    let unit = number(&f.unit).map(UnitId);
    let ends_at = match gatehouse_domain::validate::end_of_day(&f.ends_on, &c.org.time_zone) {
        Ok(e) => e,
        Err(_) => return c.refused(&back, invalid("ends_on", &f.ends_on), &keep),
    };
    let Some(role) = number(&f.role) else { return c.refused(&back, invalid("role", ""), &keep) };
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::roles::assign(conn, org, p, by, MembershipId(id), RoleId(role), unit, ends_at, actor, now)).await;
    c.back(&back, r, &keep)
}

async fn unassign(c: Caller, path: web::Path<(String, i64, i64)>) -> HttpResponse {
    let (_, id, aid) = path.into_inner();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::roles::unassign(conn, org, p, by, MembershipId(id), aid, actor, now)).await;
    c.back(&format!("/o/{}/members/{id}", c.org.slug), r, &[])
}

/// A personal deviation: add a permission (at a scope, with a visibility) or withdraw one.
#[derive(Deserialize, Default)]
#[serde(default)]
struct AdjustForm {
    permission: String,
    kind: String,
    scope: String,
    unit: String,
    visibility: String,
    note: String,
}

async fn adjust(c: Caller, path: web::Path<(String, i64)>, form: web::Form<AdjustForm>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let f = form.into_inner();
    let back = format!("/o/{}/members/{id}", c.org.slug);
    let keep = vec![("permission", f.permission.clone()), ("kind", f.kind.clone()), ("scope", f.scope.clone()), ("unit", f.unit.clone()), ("note", f.note.clone())];
    let adjustment = match Adjustment::from_form(&f.kind, f.permission, &f.scope, &f.unit, &f.visibility) {
        Ok(a) => a,
        Err(e) => return c.refused(&back, DbError::Domain(e), &keep),
    };
    let note = f.note;
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::authz::adjust(conn, org, p, by, MembershipId(id), &adjustment, &note, actor, now)).await;
    c.back(&back, r, &keep)
}

async fn remove_adjustment(c: Caller, path: web::Path<(String, i64, i64)>) -> HttpResponse {
    let (_, id, aid) = path.into_inner();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::authz::remove_adjustment(conn, org, p, by, MembershipId(id), aid, actor, now)).await;
    c.back(&format!("/o/{}/members/{id}", c.org.slug), r, &[])
}

/// Appointing (or removing) an organization role, for a member by id or by email.
#[derive(Deserialize, Default)]
#[serde(default)]
struct OrgRoleForm {
    role: String,
    change: String,
    member: String,
    email: String,
}

async fn org_role(c: Caller, form: web::Form<OrgRoleForm>) -> HttpResponse {
    use gatehouse_domain::org_role::{Change, OrgRole};
    let f = form.into_inner();
    let back = format!("/o/{}/org-roles", c.org.slug);
    let keep = vec![("role", f.role.clone()), ("email", f.email.clone())];
    let role = match OrgRole::parse(&f.role) {
        Ok(r) => r,
        Err(e) => return c.refused(&back, DbError::Domain(e), &keep),
    };
    let change = if f.change == "remove" { Change::Remove } else { Change::Appoint };
    let target_id = number(&f.member);
    let typed_email = f.email.clone();
    let email = f.email.trim().to_lowercase();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c
        .change(move |conn, p| {
            match target_id {
                Some(t) => gatehouse_db::members::change_org_role(conn, org, p.version, by, MembershipId(t), role, change, actor, now),
                None => gatehouse_db::members::change_org_role_by_email(conn, org, p.version, by, &email, role, change, actor, now),
            }
        })
        .await;
    // An unknown email is the form's problem, not a missing page.
    let r = match r {
        Err((DbError::NotFound, p)) => Err((invalid("email", &typed_email), p)),
        other => other,
    };
    c.back(&back, r, &keep)
}

/// An owner named by email must be a member of this organization.
fn owner_by_email(conn: &mut Conn<'_>, org: gatehouse_domain::ids::OrgId, email: &str) -> Result<Option<MembershipId>, DbError> {
    let email = email.trim();
    if email.is_empty() {
        return Ok(None);
    }
    match gatehouse_db::members::by_email(conn, org, email)? {
        Some(m) => Ok(Some(m)),
        None => Err(DbError::Domain(gatehouse_domain::DomainError::InvalidValue { field: "email", value: email.to_string() })),
    }
}

/// An item of a content module: its title, its owner (by email; absent keeps the owner as it
/// is), its unit, and on edits the version it was opened at.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ItemForm {
    title: String,
    owner_email: Option<String>,
    unit: String,
    version: String,
}

async fn item_new(c: Caller, path: web::Path<(String, String)>, form: web::Form<ItemForm>) -> HttpResponse {
    let (_, module) = path.into_inner();
    let f = form.into_inner();
    let owner_email = f.owner_email.unwrap_or_default();
    let keep = vec![("title", f.title.clone()), ("owner_email", owner_email.clone())];
    let (title, unit) = (f.title, number(&f.unit).map(UnitId));
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let module_key = module.clone();
    let r = c
        .change(move |conn, p| {
            let owner = owner_by_email(conn, org, &owner_email)?;
            gatehouse_db::items::create(conn, org, p, by, &module_key, &title, unit, owner, actor, now)
        })
        .await;
    c.back(&format!("/o/{}/content/{module}", c.org.slug), r, &keep)
}

async fn item_edit(c: Caller, path: web::Path<(String, String, i64)>, form: web::Form<ItemForm>) -> HttpResponse {
    let (_, module, id) = path.into_inner();
    let f = form.into_inner();
    let (title, version, owner_email) = (f.title, version(&f.version), f.owner_email);
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let module_key = module.clone();
    let r = c
        .change(move |conn, p| {
            let item = gatehouse_db::items::get(conn, org, id)?;
            if item.module != module_key {
                return Err(DbError::NotFound);
            }
            // Without an owner field the owner stays as it is.
            let owner = match &owner_email {
                Some(e) => owner_by_email(conn, org, e)?,
                None => item.owner,
            };
            gatehouse_db::items::update(conn, org, p, by, id, &title, owner, version, actor, now)
        })
        .await;
    c.back(&format!("/o/{}/content/{module}", c.org.slug), r, &[])
}

async fn item_delete(c: Caller, path: web::Path<(String, String, i64)>) -> HttpResponse {
    let (_, module, id) = path.into_inner();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let module_key = module.clone();
    let r = c
        .change(move |conn, p| {
            if gatehouse_db::items::get(conn, org, id)?.module != module_key {
                return Err(DbError::NotFound);
            }
            gatehouse_db::items::delete(conn, org, p, by, id, false, actor, now)
        })
        .await;
    c.back(&format!("/o/{}/content/{module}", c.org.slug), r, &[])
}

/// Deletes the selected items together — all or none, and only the caller's own (bulk rule).
async fn item_bulk_delete(c: Caller, path: web::Path<(String, String)>, form: Form) -> HttpResponse {
    let (_, module) = path.into_inner();
    let ids: Vec<i64> = form.0.iter().filter(|(k, _)| k == "item").filter_map(|(_, v)| v.parse().ok()).collect();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let module_key = module.clone();
    let r = c
        .change(move |conn, p| {
            conn.transaction(|conn| {
                for id in &ids {
                    if gatehouse_db::items::get(conn, org, *id)?.module != module_key {
                        return Err(DbError::NotFound);
                    }
                    gatehouse_db::items::delete(conn, org, p, by, *id, true, actor, now)?;
                }
                Ok(ids.len())
            })
        })
        .await;
    c.back(&format!("/o/{}/content/{module}", c.org.slug), r, &[])
}

/// Parses "key | English | German | people" lines into actions (names default to the key).
fn actions_from(text: &str) -> Result<Vec<gatehouse_domain::authz::content::ContentAction>, DbError> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        let key = parts[0].to_lowercase();
        if !gatehouse_domain::authz::content::valid_key(&key) {
            return Err(DbError::Domain(gatehouse_domain::DomainError::InvalidValue { field: "key", value: parts[0].to_string() }));
        }
        let en = parts.get(1).filter(|s| !s.is_empty()).map(|s| s.to_string()).unwrap_or_else(|| key.clone());
        let de = parts.get(2).filter(|s| !s.is_empty()).map(|s| s.to_string()).unwrap_or_else(|| en.clone());
        let about_people = parts.get(3).is_some_and(|s| matches!(s.to_lowercase().as_str(), "people" | "personen"));
        out.push(gatehouse_domain::authz::content::ContentAction { key, en, de, about_people });
    }
    if out.is_empty() {
        return Err(DbError::Domain(gatehouse_domain::DomainError::InvalidValue { field: "actions", value: String::new() }));
    }
    Ok(out)
}

/// Declares a content module (or adds actions to one): defining what roles can grant needs
/// roles.edit organization-wide.
/// Declaring a content module: its key, names in both languages, and its actions, one per line.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ModuleForm {
    module_key: String,
    module_en: String,
    module_de: String,
    actions: String,
}

async fn module_declare(c: Caller, form: web::Form<ModuleForm>) -> HttpResponse {
    let f = form.into_inner();
    let keep = vec![("module_key", f.module_key.clone()), ("module_en", f.module_en.clone()), ("module_de", f.module_de.clone()), ("actions", f.actions.clone())];
    let (key, en, de, actions) = (f.module_key.trim().to_lowercase(), f.module_en, f.module_de, f.actions);
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c
        .change(move |conn, p| {
            let en = if en.trim().is_empty() { key.clone() } else { en.trim().to_string() };
            let de = if de.trim().is_empty() { en.clone() } else { de.trim().to_string() };
            let module = gatehouse_domain::authz::content::ContentModule { key: key.clone(), en, de, actions: actions_from(&actions)? };
            gatehouse_db::authz::declare_module_checked(conn, org, p, by, &module, actor, now)
        })
        .await;
    c.back(&format!("/o/{}/roles", c.org.slug), r, &keep)
}

/// Invites a member to an item (seed permission-matrix's "invited"): needs edit rights on it.
#[derive(Deserialize, Default)]
#[serde(default)]
struct EmailForm {
    email: String,
}

async fn item_invite(c: Caller, path: web::Path<(String, String, i64)>, form: web::Form<EmailForm>) -> HttpResponse {
    let (_, module, id) = path.into_inner();
    let email = form.into_inner().email;
    let keep = vec![("email", email.clone())];
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let module_key = module.clone();
    let r = c
        .change(move |conn, p| {
            if gatehouse_db::items::get(conn, org, id)?.module != module_key {
                return Err(DbError::NotFound);
            }
            let Some(member) = owner_by_email(conn, org, &email)? else {
                return Err(DbError::Domain(gatehouse_domain::DomainError::InvalidValue { field: "email", value: String::new() }));
            };
            gatehouse_db::items::invite(conn, org, p, by, id, member, actor, now)
        })
        .await;
    c.back(&format!("/o/{}/content/{module}", c.org.slug), r, &keep)
}

/// Queues a failed message again (mail.manage organization-wide).
async fn mail_retry(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::outbox::retry(conn, org, p, by, id, actor, now)).await;
    c.back(&format!("/o/{}/mail?status=failed", c.org.slug), r, &[])
}

/// Sign-in security: require two-factor authentication of the organization's members.
async fn security(c: Caller, form: Form) -> HttpResponse {
    let on = form.iter().any(|(k, v)| k == "require_two_factor" && v == "on");
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::orgs::set_require_two_factor(conn, org, p, by, on, actor, now)).await;
    c.back(&format!("/o/{}/settings", c.org.slug), r, &[])
}

/// Lets Gatehouse support sign in as an administrator, or not (off ends every support session).
async fn support_access(c: Caller, form: Form) -> HttpResponse {
    let on = form.iter().any(|(k, v)| k == "support_access" && v == "on");
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::support::set_access(conn, org, p, by, on, actor, now)).await;
    c.back(&format!("/o/{}/settings", c.org.slug), r, &[])
}

/// Ends one support session in force now.
async fn support_end(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let (_, id) = path.into_inner();
    let (org, by, actor, now) = (c.org.id, c.m.id, c.actor, c.now);
    let r = c.change(move |conn, p| gatehouse_db::support::end_by_organization(conn, org, p, by, id, actor, now)).await;
    c.back(&format!("/o/{}/settings", c.org.slug), r, &[])
}
