//! Platform staff routes outside the Leptos pages: a tenant's full export for the sysadmin
//! (seed isms: full access to infrastructure and databases), streamed page by page so an
//! organization of any size is written without holding it in memory. Audited as the staff member.
use crate::forms::{status_page, Lang};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use gatehouse_app::i18n::{t, Msg};
use gatehouse_app::state::{AppState, RequestPerson};
use gatehouse_db::{Conn, DbError};
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::OrgId;
use gatehouse_domain::staff::StaffAction;
use serde_json::json;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/staff/orgs/{slug}/export.json", web::get().to(export))
        .route("/staff/orgs/{slug}/support", web::post().to(start_support))
        .route("/staff/support/end", web::post().to(end_support));
}

#[derive(serde::Deserialize)]
pub struct SupportForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    minutes: String,
}

/// Support sign-in: the staff member acts as an administrator of the organization, for the
/// reason given and at most an hour (`gatehouse_db::support`), then lands on its dashboard.
async fn start_support(lang: Lang, req: HttpRequest, state: web::Data<AppState>, path: web::Path<String>, form: web::Form<SupportForm>) -> HttpResponse {
    let not_found = || status_page(StatusCode::NOT_FOUND, t(lang.0, Msg::NotFoundText));
    let Some((staff, role)) = req.extensions().get::<RequestPerson>().and_then(|p| p.staff) else { return not_found() };
    if !role.may(StaffAction::ActAsAdministrator) {
        return status_page(StatusCode::FORBIDDEN, t(lang.0, Msg::StaffSupportRefused));
    }
    let Some(token) = req.extensions().get::<gatehouse_app::state::RequestSession>().map(|s| s.token.clone()) else { return not_found() };
    let slug = path.into_inner();
    let f = form.into_inner();
    let minutes = f.minutes.trim().parse::<i64>().unwrap_or(gatehouse_db::support::MAX_MINUTES);
    let (db, now, url) = (state.db.clone(), state.clock.now(), state.public_url.clone());
    let s2 = slug.clone();
    let r = web::block(move || {
        db.with(|c| {
            let Some(org) = gatehouse_db::orgs::by_slug(c, &s2)? else { return Err(DbError::NotFound) };
            gatehouse_db::support::start(c, org.id, staff, &token, &f.reason, minutes, &url, now)
        })
    })
    .await;
    match r {
        Ok(Ok(live)) => {
            tracing::info!(org_id = live.org.0, staff_id = staff.0, support_session = live.id, "support sign-in started");
            crate::redirect::see_other(&format!("/o/{}/dashboard", crate::middleware::encode(&live.org_slug)))
        }
        Ok(Err(DbError::NotFound)) => not_found(),
        Ok(Err(e)) => {
            let words = gatehouse_app::i18n::refusal(lang.0, &gatehouse_domain::authz::policy::Policy::default(), &e).unwrap_or_else(|| t(lang.0, Msg::TryAgain).to_string());
            crate::redirect::see_other(&format!("/staff?error={}&org={}", crate::middleware::encode(&words), crate::middleware::encode(&slug)))
        }
        Err(e) => crate::forms::unavailable(lang, e),
    }
}

/// The staff member ends the support session this browser is in.
async fn end_support(lang: Lang, req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let Some(person) = req.extensions().get::<RequestPerson>().cloned() else { return crate::redirect::see_other("/sign-in") };
    let (Some(live), Some((staff, _))) = (person.support, person.staff) else { return crate::redirect::see_other("/staff") };
    let (db, now) = (state.db.clone(), state.clock.now());
    match web::block(move || db.with(|c| gatehouse_db::support::end(c, live.id, gatehouse_db::support::EndReason::ByStaff, Actor::Staff { staff }, now))).await {
        Ok(Ok(_)) => crate::redirect::see_other("/staff?support_ended=1"),
        Ok(Err(e)) => crate::forms::unavailable(lang, e),
        Err(e) => crate::forms::unavailable(lang, e),
    }
}

const PAGE: i64 = 500;

async fn export(lang: Lang, req: HttpRequest, state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let not_found = || status_page(StatusCode::NOT_FOUND, t(lang.0, Msg::NotFoundText));
    // The middleware already sent staff without a second factor to set it up.
    let Some((staff, role)) = req.extensions().get::<RequestPerson>().and_then(|p| p.staff) else { return not_found() };
    if !role.may(StaffAction::Infrastructure) {
        return status_page(StatusCode::FORBIDDEN, t(lang.0, Msg::StaffExportRefused));
    }
    let slug = path.into_inner();
    let (db, now) = (state.db.clone(), state.clock.now());
    let found = web::block({
        let db = db.clone();
        move || {
            db.with(|c| {
                let Some(org) = gatehouse_db::orgs::by_slug(c, &slug)? else { return Ok(None) };
                gatehouse_db::audit::record(
                    c,
                    now,
                    &gatehouse_db::audit::AuditEntry::new(Some(org.id), Actor::Staff { staff }, "organization.exported", "organization", Some(org.id.0)).after(json!({ "format": "json" })),
                )?;
                Ok::<_, DbError>(Some(org))
            })
        }
    })
    .await;
    let org = match found {
        Ok(Ok(Some(org))) => org,
        Ok(Ok(None)) => return not_found(),
        _ => return crate::forms::unavailable(lang, "export"),
    };
    tracing::info!(org_id = org.id.0, staff_id = staff.0, "tenant export");
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let name = org.slug.clone();
    std::thread::spawn(move || {
        let send = |s: String| tx.blocking_send(Bytes::from(s)).is_ok();
        let r = db.with(|c| write_export(c, org.id, &org.slug, &org.name, &org.time_zone, now, &send));
        if let Err(e) = r {
            // The document is cut off (not valid JSON): the reader sees it failed.
            tracing::error!(error = %e, "tenant export failed");
        }
    });
    let body = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|b| (Ok::<_, actix_web::Error>(b), rx)) });
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header(("content-disposition", format!("attachment; filename=\"gatehouse-{name}-export.json\""))) // not user text: a header
        .insert_header(("cache-control", "no-store"))
        .streaming(body)
}

/// Writes the whole organization as one JSON document through `send`, one page of rows at a
/// time. Stops early (Ok) when the reader went away.
fn write_export(c: &mut Conn<'_>, org: OrgId, slug: &str, name: &str, time_zone: &str, now: chrono::DateTime<chrono::Utc>, send: &dyn Fn(String) -> bool) -> Result<(), DbError> {
    let head = json!({ "slug": slug, "name": name, "time_zone": time_zone, "exported_at": now.to_rfc3339() });
    if !send(format!("{{\"organization\":{head},\"units\":")) {
        return Ok(());
    }
    let units: Vec<_> = gatehouse_db::units::list(c, org)?.into_iter().map(|u| json!({ "id": u.id.0, "parent": u.parent.map(|p| p.0), "name": u.name, "kind": u.kind })).collect();
    let mut roles = Vec::new();
    for r in gatehouse_db::roles::list(c, org)? {
        let grants = gatehouse_db::roles::grants_of(c, org, r.id)?;
        roles.push(json!({ "id": r.id.0, "key": r.key, "name": r.name, "description": r.description, "retired": r.retired, "grants": grants }));
    }
    if !send(format!("{},\"roles\":{},\"members\":[", serde_json::Value::Array(units), serde_json::Value::Array(roles))) {
        return Ok(());
    }
    // Members, assignments and audit events: a page at a time, by cursor.
    let mut first = true;
    let mut after = 0;
    loop {
        let page = gatehouse_db::views::api::members(c, org, after, PAGE)?;
        let mut chunk = String::new();
        for m in &page {
            if !first {
                chunk.push(',');
            }
            first = false;
            chunk.push_str(&json!({ "id": m.id, "name": m.name, "email": m.email, "status": m.status, "kind": m.kind, "job_title": m.job_title, "joined_at": m.joined_at.map(|t| t.to_rfc3339()), "units": m.units, "tags": m.tags }).to_string());
        }
        if !send(chunk) {
            return Ok(());
        }
        match page.last() {
            Some(m) if page.len() as i64 == PAGE => after = m.id,
            _ => break,
        }
    }
    if !send("],\"assignments\":[".to_string()) {
        return Ok(());
    }
    let (mut first, mut after) = (true, 0);
    loop {
        let page = gatehouse_db::views::api::assignments(c, org, after, PAGE)?;
        let mut chunk = String::new();
        for a in &page {
            if !first {
                chunk.push(',');
            }
            first = false;
            chunk.push_str(&json!({ "id": a.id, "member": a.member, "role": a.role, "role_key": a.role_key, "unit": a.unit, "ends_at": a.ends_at.map(|t| t.to_rfc3339()) }).to_string());
        }
        if !send(chunk) {
            return Ok(());
        }
        match page.last() {
            Some(a) if page.len() as i64 == PAGE => after = a.id,
            _ => break,
        }
    }
    if !send("],\"audit_events\":[".to_string()) {
        return Ok(());
    }
    let (mut first, mut before) = (true, i64::MAX);
    loop {
        let page = gatehouse_db::views::api::audit_events(c, org, before, PAGE)?;
        let mut chunk = String::new();
        for e in &page {
            if !first {
                chunk.push(',');
            }
            first = false;
            let parse = |s: &Option<String>| s.as_deref().and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok());
            chunk.push_str(&json!({ "id": e.id, "occurred_at": e.occurred_at.to_rfc3339(), "actor_kind": e.actor_kind, "actor_id": e.actor_id, "actor_staff_id": e.actor_staff_id, "action": e.action, "target_kind": e.target_kind, "target_id": e.target_id, "unit": e.unit, "before": parse(&e.before), "after": parse(&e.after), "request_id": e.request_id }).to_string());
        }
        if !send(chunk) {
            return Ok(());
        }
        match page.last() {
            Some(e) if page.len() as i64 == PAGE => before = e.id,
            _ => break,
        }
    }
    send("]}".to_string());
    Ok(())
}
