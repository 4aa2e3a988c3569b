//! SCIM 2.0 (RFC 7643/7644) for provisioning from an identity provider, at `/scim/v2`: Users
//! (memberships: invitations until the person joins) and Groups (units), with discovery
//! (`/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas`), filters, paging, `attributes` /
//! `excludedAttributes`, PUT, PATCH, DELETE and POST `/.search`. The caller is an API key of the
//! organization (`KeyCaller`), so the engine decides every change for its technical user, within
//! the key's scopes. The protocol rules are `gatehouse_domain::scim` and `scim_schema`; what a
//! resource means in Gatehouse is `gatehouse_db::scim`. Errors are SCIM error documents
//! (`urn:ietf:params:scim:api:messages:2.0:Error`) with the detail in the caller's language.
use super::{KeyCaller, Problem};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use gatehouse_db::scim::Resource;
use gatehouse_domain::authz::Target;
use gatehouse_domain::scim::{self as rules, Kind, ScimError};
use gatehouse_domain::scim_schema;
use serde::Deserialize;
use serde_json::{json, Value};

/// Every SCIM route: (method, path), as registered by [`configure`]; the route-enumerating
/// tests walk this list.
pub const SCIM_ROUTES: &[(&str, &str)] = &[
    ("GET", "/scim/v2/ServiceProviderConfig"),
    ("GET", "/scim/v2/ResourceTypes"),
    ("GET", "/scim/v2/ResourceTypes/{id}"),
    ("GET", "/scim/v2/Schemas"),
    ("GET", "/scim/v2/Schemas/{id}"),
    ("GET", "/scim/v2/Users"),
    ("POST", "/scim/v2/Users"),
    ("POST", "/scim/v2/Users/.search"),
    ("GET", "/scim/v2/Users/{id}"),
    ("PUT", "/scim/v2/Users/{id}"),
    ("PATCH", "/scim/v2/Users/{id}"),
    ("DELETE", "/scim/v2/Users/{id}"),
    ("GET", "/scim/v2/Groups"),
    ("POST", "/scim/v2/Groups"),
    ("POST", "/scim/v2/Groups/.search"),
    ("GET", "/scim/v2/Groups/{id}"),
    ("PUT", "/scim/v2/Groups/{id}"),
    ("PATCH", "/scim/v2/Groups/{id}"),
    ("DELETE", "/scim/v2/Groups/{id}"),
    ("POST", "/scim/v2/.search"),
];

pub fn is_scim(path: &str) -> bool {
    path.starts_with("/scim/v2/") || path == "/scim/v2"
}

/// What the key must carry to read and to change each kind.
fn read_permission(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "members.view",
        Kind::Group => "units.view",
    }
}

fn write_permissions(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::User => &["members.invite", "members.edit", "members.terminate"],
        Kind::Group => &["units.manage", "members.move"],
    }
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    let user = Kind::User;
    let group = Kind::Group;
    cfg.service(
        web::scope("/scim/v2")
            .app_data(web::JsonConfig::default().limit(1024 * 1024).content_type_required(false).error_handler(|e, req| {
                Failure::Scim(ScimError::InvalidSyntax(e.to_string())).response(super::locale_of(req)).into_error()
            }))
            .app_data(web::QueryConfig::default().error_handler(|e, req| Failure::Scim(ScimError::InvalidValue(e.to_string())).response(super::locale_of(req)).into_error()))
            .service(discovery("/ServiceProviderConfig", web::get().to(service_provider_config)))
            .service(discovery("/ResourceTypes", web::get().to(resource_types)))
            .service(discovery("/ResourceTypes/{id}", web::get().to(resource_type)))
            .service(discovery("/Schemas", web::get().to(schemas)))
            .service(discovery("/Schemas/{id}", web::get().to(schema)))
            .route("/.search", web::post().to(search_all))
            .route("/Users", web::get().to(move |k: Key, req: HttpRequest, q: web::Query<ListQuery>| list(k, req, q, user)))
            .route("/Users", web::post().to(move |k: Key, req: HttpRequest, b: web::Json<Value>| create(k, req, b, user)))
            .route("/Users/.search", web::post().to(move |k: Key, req: HttpRequest, b: web::Json<Value>| search(k, req, b, user)))
            .route("/Users/{id}", web::get().to(move |k: Key, req: HttpRequest, p: web::Path<String>, q: web::Query<ListQuery>| get(k, req, p, q, user)))
            .route("/Users/{id}", web::put().to(move |k: Key, req: HttpRequest, p: web::Path<String>, b: web::Json<Value>| replace(k, req, p, b, user)))
            .route("/Users/{id}", web::patch().to(move |k: Key, req: HttpRequest, p: web::Path<String>, b: web::Json<Value>| patch(k, req, p, b, user)))
            .route("/Users/{id}", web::delete().to(move |k: Key, req: HttpRequest, p: web::Path<String>| delete(k, req, p, user)))
            .route("/Groups", web::get().to(move |k: Key, req: HttpRequest, q: web::Query<ListQuery>| list(k, req, q, group)))
            .route("/Groups", web::post().to(move |k: Key, req: HttpRequest, b: web::Json<Value>| create(k, req, b, group)))
            .route("/Groups/.search", web::post().to(move |k: Key, req: HttpRequest, b: web::Json<Value>| search(k, req, b, group)))
            .route("/Groups/{id}", web::get().to(move |k: Key, req: HttpRequest, p: web::Path<String>, q: web::Query<ListQuery>| get(k, req, p, q, group)))
            .route("/Groups/{id}", web::put().to(move |k: Key, req: HttpRequest, p: web::Path<String>, b: web::Json<Value>| replace(k, req, p, b, group)))
            .route("/Groups/{id}", web::patch().to(move |k: Key, req: HttpRequest, p: web::Path<String>, b: web::Json<Value>| patch(k, req, p, b, group)))
            .route("/Groups/{id}", web::delete().to(move |k: Key, req: HttpRequest, p: web::Path<String>| delete(k, req, p, group)))
            .default_service(web::to(not_found)),
    );
}

/// A discovery endpoint: GET only, any other method 405 (RFC 7644 §4).
fn discovery(path: &str, get: actix_web::Route) -> actix_web::Resource {
    web::resource(path).route(get).default_service(web::to(method_not_allowed))
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    Failure::NotFound.response(super::locale_of(&req))
}

async fn method_not_allowed(req: HttpRequest) -> HttpResponse {
    let locale = super::locale_of(&req);
    let mut r = error_document(StatusCode::METHOD_NOT_ALLOWED, None, gatehouse_app::i18n::t(locale, gatehouse_app::i18n::Msg::ApiProblemMethodNotAllowed).to_string());
    r.headers_mut().insert(header::ALLOW, header::HeaderValue::from_static("GET"));
    r
}

/// Why a SCIM call did not succeed: the protocol's own refusal, or one of the API's problems
/// (no key, out of scope, not permitted, conflict …) told as a SCIM error.
pub enum Failure {
    Scim(ScimError),
    Problem(Problem),
    NotFound,
}

impl From<Problem> for Failure {
    fn from(p: Problem) -> Self {
        if p.status == 404 {
            Failure::NotFound
        } else {
            Failure::Problem(p)
        }
    }
}

impl From<ScimError> for Failure {
    fn from(e: ScimError) -> Self {
        Failure::Scim(e)
    }
}

fn error_document(status: StatusCode, scim_type: Option<&str>, detail: String) -> HttpResponse {
    let mut doc = json!({"schemas": [rules::ERROR], "status": status.as_u16().to_string(), "detail": detail});
    if let Some(t) = scim_type {
        doc["scimType"] = json!(t);
    }
    let mut b = HttpResponse::build(status);
    b.content_type("application/scim+json").insert_header((header::CACHE_CONTROL, "no-store"));
    if status == StatusCode::UNAUTHORIZED {
        b.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"gatehouse\""));
    }
    b.body(doc.to_string())
}

impl Failure {
    fn response(self, locale: gatehouse_domain::locale::Locale) -> HttpResponse {
        match self {
            Failure::Scim(e) => {
                let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
                error_document(status, Some(e.scim_type()), e.detail().to_string())
            }
            Failure::NotFound => {
                let p = Problem::not_found(locale);
                error_document(StatusCode::NOT_FOUND, None, p.detail.unwrap_or(p.title))
            }
            Failure::Problem(p) => {
                let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let scim_type = (p.status == 409).then_some("uniqueness");
                let mut detail = match &p.detail {
                    Some(d) => format!("{} {d}", p.title), // not user text: joins two catalog sentences
                    None => p.title.clone(),
                };
                for r in &p.reasons {
                    detail.push(' ');
                    detail.push_str(r);
                }
                error_document(status, scim_type, detail)
            }
        }
    }
}

/// A handler's answer: the response, or a failure told in the caller's language.
struct Answer(Result<HttpResponse, Failure>, gatehouse_domain::locale::Locale);

impl actix_web::Responder for Answer {
    type Body = actix_web::body::BoxBody;
    fn respond_to(self, _: &HttpRequest) -> HttpResponse {
        match self.0 {
            Ok(r) => r,
            Err(f) => f.response(self.1),
        }
    }
}

trait IntoError {
    fn into_error(self) -> actix_web::Error;
}

impl IntoError for HttpResponse {
    fn into_error(self) -> actix_web::Error {
        actix_web::error::InternalError::from_response("scim", self).into()
    }
}

/// The key, or the failure of the key (401 as a SCIM error).
type Key = Result<KeyCaller, Problem>;

fn key(k: Key) -> Result<KeyCaller, Failure> {
    k.map_err(Failure::Problem)
}

fn base(k: &KeyCaller) -> String {
    format!("{}/scim/v2", k.state.public_url.trim_end_matches('/')) // not user text: a URL
}

fn scim_json(status: StatusCode, v: &Value) -> HttpResponse {
    HttpResponse::build(status).content_type("application/scim+json").insert_header((header::CACHE_CONTROL, "no-store")).body(v.to_string())
}

/// A resource as served: its document with `id`, `schemas` and `meta`.
fn served(base: &str, r: &Resource) -> Value {
    let mut doc = rules::with_schemas(r.kind, r.document.clone());
    if let Value::Object(obj) = &mut doc {
        obj.insert("id".into(), json!(r.public_id));
        obj.insert(
            "meta".into(),
            json!({
                "resourceType": r.kind.as_str(),
                "created": r.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "lastModified": r.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                "location": location(base, r),
                "version": format!("W/\"{}\"", r.version), // not user text: an entity tag
            }),
        );
    }
    doc
}

fn location(base: &str, r: &Resource) -> String {
    format!("{base}/{}/{}", r.kind.endpoint(), r.public_id) // not user text: a URL
}

/// Attributes returned whatever was asked (RFC 7643 §7: `returned: always`).
const ALWAYS: &[&str] = &["id", "schemas"];

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    filter: Option<String>,
    #[serde(rename = "startIndex")]
    start_index: Option<String>,
    count: Option<String>,
    attributes: Option<String>,
    #[serde(rename = "excludedAttributes")]
    excluded_attributes: Option<String>,
    #[serde(rename = "sortBy")]
    sort_by: Option<String>,
}

/// The body of POST `/.search` (RFC 7644 §3.4.3).
#[derive(Debug, Default)]
struct SearchRequest {
    filter: Option<String>,
    start_index: Option<i64>,
    count: Option<i64>,
    attributes: Vec<Vec<String>>,
    excluded: Vec<Vec<String>>,
}

fn number(v: Option<&str>, name: &str) -> Result<Option<i64>, ScimError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse::<i64>().map(Some).map_err(|_| ScimError::InvalidValue(format!("{name} must be an integer"))), // not user text: SCIM protocol detail
    }
}

impl SearchRequest {
    fn from_query(q: &ListQuery) -> Result<SearchRequest, ScimError> {
        if q.sort_by.as_deref().is_some_and(|s| !s.trim().is_empty()) {
            // Sorting is announced as unsupported; the list keeps its order (RFC 7644 §3.4.2.3
            // lets a provider that does not sort ignore sortBy).
        }
        Ok(SearchRequest {
            filter: q.filter.clone().filter(|f| !f.trim().is_empty()),
            start_index: number(q.start_index.as_deref(), "startIndex")?,
            count: number(q.count.as_deref(), "count")?,
            attributes: rules::attribute_list(q.attributes.as_deref())?,
            excluded: rules::attribute_list(q.excluded_attributes.as_deref())?,
        })
    }

    fn from_body(body: &Value) -> Result<SearchRequest, ScimError> {
        let schemas_ok = rules::attribute(body, "schemas").and_then(Value::as_array).is_some_and(|a| a.iter().any(|s| s.as_str().is_some_and(|s| s.eq_ignore_ascii_case(rules::SEARCH_REQUEST))));
        if !schemas_ok {
            return Err(ScimError::InvalidSyntax(format!("schemas must contain {}", rules::SEARCH_REQUEST))); // not user text: SCIM protocol detail
        }
        let list = |name: &str| -> Result<Vec<Vec<String>>, ScimError> {
            match rules::attribute(body, name) {
                None | Some(Value::Null) => Ok(vec![]),
                Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).map(rules::attr_path).collect(),
                Some(Value::String(s)) => rules::attribute_list(Some(s)),
                Some(_) => Err(ScimError::InvalidValue(format!("{name} must be a list of attribute names"))), // not user text: SCIM protocol detail
            }
        };
        let int = |name: &str| -> Result<Option<i64>, ScimError> {
            match rules::attribute(body, name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v.as_i64().map(Some).ok_or_else(|| ScimError::InvalidValue(format!("{name} must be an integer"))), // not user text: SCIM protocol detail
            }
        };
        Ok(SearchRequest {
            filter: rules::attribute(body, "filter").and_then(Value::as_str).map(str::to_string).filter(|f| !f.trim().is_empty()),
            start_index: int("startIndex")?,
            count: int("count")?,
            attributes: list("attributes")?,
            excluded: list("excludedAttributes")?,
        })
    }
}

/// Answers a search over `kinds`: the filter applied to every resource (an index finds a plain
/// `userName`/`displayName`/`externalId eq`), then the page, then the projection.
async fn answer_search(k: &KeyCaller, kinds: &[Kind], s: SearchRequest) -> Result<HttpResponse, Failure> {
    for kind in kinds {
        k.require(read_permission(*kind), &Target::Organization)?;
    }
    let filter = s.filter.as_deref().map(rules::parse_filter).transpose()?;
    let eq = filter.as_ref().and_then(rules::simple_eq);
    let org = k.auth.org;
    let kinds_owned = kinds.to_vec();
    let found = k
        .read(move |c| {
            let mut all = Vec::new();
            for kind in kinds_owned {
                all.extend(gatehouse_db::scim::list(c, org, kind, eq.as_ref().map(|(a, v)| (*a, v.as_str())))?);
            }
            Ok(all)
        })
        .await?;
    let b = base(k);
    let matching: Vec<Value> = found.iter().map(|r| served(&b, r)).filter(|doc| filter.as_ref().is_none_or(|f| rules::matches(doc, f))).collect();
    let (start, count) = rules::page(s.start_index, s.count, scim_schema::MAX_RESULTS);
    let page: Vec<Value> = matching.iter().skip(start - 1).take(count).map(|d| rules::project(d, &s.attributes, &s.excluded, ALWAYS)).collect();
    k.audit_read("scim", page.len()).await?;
    Ok(scim_json(
        StatusCode::OK,
        &json!({
            "schemas": [rules::LIST_RESPONSE],
            "totalResults": matching.len(),
            "startIndex": start,
            "itemsPerPage": page.len(),
            "Resources": page,
        }),
    ))
}

async fn list(k: Key, req: HttpRequest, q: web::Query<ListQuery>, kind: Kind) -> Answer {
    let locale = super::locale_of(&req);
    let r = async {
        let k = key(k)?;
        let s = SearchRequest::from_query(&q)?;
        answer_search(&k, &[kind], s).await
    }
    .await;
    Answer(r, locale)
}

async fn search(k: Key, req: HttpRequest, body: web::Json<Value>, kind: Kind) -> Answer {
    let locale = super::locale_of(&req);
    let r = async {
        let k = key(k)?;
        let s = SearchRequest::from_body(&body)?;
        answer_search(&k, &[kind], s).await
    }
    .await;
    Answer(r, locale)
}

/// POST `/.search` at the root: Users and Groups at once (each kind needs its read scope).
async fn search_all(k: Key, req: HttpRequest, body: web::Json<Value>) -> Answer {
    let locale = super::locale_of(&req);
    let r = async {
        let k = key(k)?;
        let s = SearchRequest::from_body(&body)?;
        answer_search(&k, &[Kind::User, Kind::Group], s).await
    }
    .await;
    Answer(r, locale)
}

async fn get(k: Key, req: HttpRequest, path: web::Path<String>, q: web::Query<ListQuery>, kind: Kind) -> Answer {
    let locale = super::locale_of(&req);
    let r = async {
        let k = key(k)?;
        k.require(read_permission(kind), &Target::Organization)?;
        let attributes = rules::attribute_list(q.attributes.as_deref())?;
        let excluded = rules::attribute_list(q.excluded_attributes.as_deref())?;
        let (org, id) = (k.auth.org, path.into_inner());
        let found = k.read(move |c| gatehouse_db::scim::get(c, org, kind, &id)).await?.ok_or(Failure::NotFound)?;
        k.audit_read("scim", 1).await?;
        let doc = rules::project(&served(&base(&k), &found), &attributes, &excluded, ALWAYS);
        Ok(scim_json(StatusCode::OK, &doc).customize_version(&found))
    }
    .await;
    Answer(r, locale)
}

trait WithVersion {
    fn customize_version(self, r: &Resource) -> HttpResponse;
}

impl WithVersion for HttpResponse {
    fn customize_version(mut self, r: &Resource) -> HttpResponse {
        if let Ok(v) = header::HeaderValue::from_str(&format!("W/\"{}\"", r.version)) {
            // not user text: an entity tag
            self.headers_mut().insert(header::ETAG, v);
        }
        self
    }
}

fn carries_writes(k: &KeyCaller, kind: Kind) -> Result<(), Failure> {
    for p in write_permissions(kind) {
        k.carries(p)?;
    }
    Ok(())
}

/// A change's outcome as the response: the resource, or the protocol's refusal.
fn changed(k: &KeyCaller, status: StatusCode, r: Result<Resource, ScimError>) -> Result<HttpResponse, Failure> {
    let r = r?;
    let b = base(k);
    let mut resp = scim_json(status, &served(&b, &r)).customize_version(&r);
    if status == StatusCode::CREATED {
        if let Ok(v) = header::HeaderValue::from_str(&location(&b, &r)) {
            resp.headers_mut().insert(header::LOCATION, v);
        }
    }
    Ok(resp)
}

async fn create(k: Key, req: HttpRequest, body: web::Json<Value>, kind: Kind) -> Answer {
    let locale = super::locale_of(&req);
    let r = async {
        let k = key(k)?;
        carries_writes(&k, kind)?;
        let (org, by, actor, now, url) = (k.auth.org, k.auth.membership, k.actor(), k.now, k.state.public_url.clone());
        let body = body.into_inner();
        let made = k.change(move |c, p| gatehouse_db::scim::create(c, org, p, by, kind, &body, &url, actor, now)).await?;
        changed(&k, StatusCode::CREATED, made)
    }
    .await;
    Answer(r, locale)
}

async fn replace(k: Key, req: HttpRequest, path: web::Path<String>, body: web::Json<Value>, kind: Kind) -> Answer {
    let locale = super::locale_of(&req);
    let r = async {
        let k = key(k)?;
        carries_writes(&k, kind)?;
        let (org, by, actor, now, url, id) = (k.auth.org, k.auth.membership, k.actor(), k.now, k.state.public_url.clone(), path.into_inner());
        let body = body.into_inner();
        let done = k
            .change(move |c, p| {
                let body = body.clone();
                gatehouse_db::scim::update(c, org, p, by, kind, &id, &move |_old| rules::prepare(kind, body.clone()).map(|(d, _)| d), &url, actor, now)
            })
            .await?;
        changed(&k, StatusCode::OK, done)
    }
    .await;
    Answer(r, locale)
}

async fn patch(k: Key, req: HttpRequest, path: web::Path<String>, body: web::Json<Value>, kind: Kind) -> Answer {
    let locale = super::locale_of(&req);
    let r = async {
        let k = key(k)?;
        carries_writes(&k, kind)?;
        let (org, by, actor, now, url, id) = (k.auth.org, k.auth.membership, k.actor(), k.now, k.state.public_url.clone(), path.into_inner());
        let body = body.into_inner();
        let done = k.change(move |c, p| gatehouse_db::scim::update(c, org, p, by, kind, &id, &|old| rules::patched(old, &body), &url, actor, now)).await?;
        changed(&k, StatusCode::OK, done)
    }
    .await;
    Answer(r, locale)
}

async fn delete(k: Key, req: HttpRequest, path: web::Path<String>, kind: Kind) -> Answer {
    let locale = super::locale_of(&req);
    let r = async {
        let k = key(k)?;
        carries_writes(&k, kind)?;
        let (org, by, actor, now, url, id) = (k.auth.org, k.auth.membership, k.actor(), k.now, k.state.public_url.clone(), path.into_inner());
        k.change(move |c, p| gatehouse_db::scim::delete(c, org, p, by, kind, &id, &url, actor, now)).await?;
        Ok(HttpResponse::NoContent().insert_header((header::CACHE_CONTROL, "no-store")).finish())
    }
    .await;
    Answer(r, locale)
}

// ---------------------------------------------------------------- discovery

async fn service_provider_config(k: Key, req: HttpRequest) -> Answer {
    let locale = super::locale_of(&req);
    let r = key(k).map(|k| {
        let b = base(&k);
        let docs = format!("{}/api/v1/openapi.json", k.state.public_url.trim_end_matches('/')); // not user text: a URL
        scim_json(StatusCode::OK, &scim_schema::service_provider_config(&b, &docs))
    });
    Answer(r, locale)
}

fn list_of(items: Vec<Value>) -> Value {
    json!({"schemas": [rules::LIST_RESPONSE], "totalResults": items.len(), "startIndex": 1, "itemsPerPage": items.len(), "Resources": items})
}

async fn resource_types(k: Key, req: HttpRequest) -> Answer {
    let locale = super::locale_of(&req);
    Answer(key(k).map(|k| scim_json(StatusCode::OK, &list_of(scim_schema::resource_types(&base(&k))))), locale)
}

async fn resource_type(k: Key, req: HttpRequest, path: web::Path<String>) -> Answer {
    let locale = super::locale_of(&req);
    let r = key(k).and_then(|k| {
        let id = path.into_inner();
        scim_schema::resource_types(&base(&k)).into_iter().find(|t| t["id"] == id.as_str()).map(|t| scim_json(StatusCode::OK, &t)).ok_or(Failure::NotFound)
    });
    Answer(r, locale)
}

async fn schemas(k: Key, req: HttpRequest) -> Answer {
    let locale = super::locale_of(&req);
    Answer(key(k).map(|k| scim_json(StatusCode::OK, &list_of(scim_schema::schemas(&base(&k))))), locale)
}

async fn schema(k: Key, req: HttpRequest, path: web::Path<String>) -> Answer {
    let locale = super::locale_of(&req);
    let r = key(k).and_then(|k| {
        let id = path.into_inner();
        scim_schema::schemas(&base(&k)).into_iter().find(|s| s["id"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(&id))).map(|s| scim_json(StatusCode::OK, &s)).ok_or(Failure::NotFound)
    });
    Answer(r, locale)
}
