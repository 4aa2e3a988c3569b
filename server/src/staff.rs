//! Platform staff routes outside the Leptos pages: a tenant's full export for the sysadmin
//! (seed isms: full access to infrastructure and databases), streamed page by page so an
//! organization of any size is written without holding it in memory. Audited as the staff member.
use crate::forms::{status_page, Lang};
use actix_web::http::StatusCode;
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
        .route("/staff/orgs/{slug}/export/{file}", web::get().to(export_csv))
        .route("/staff/orgs/{slug}/support", web::post().to(start_support))
        .route("/staff/support/end", web::post().to(end_support))
        .route("/staff/orgs/{slug}/recover-owner", web::post().to(recover_owner))
        .route("/staff/orgs/{slug}/deletion", web::post().to(schedule_deletion))
        .route("/staff/orgs/{slug}/deletion/cancel", web::post().to(cancel_deletion));
}

#[derive(serde::Deserialize)]
pub struct DeletionForm {
    #[serde(default)]
    confirm: String,
    #[serde(default)]
    reason: String,
}

/// The sysadmin schedules an organization's deletion (`gatehouse_db::tenants`).
async fn schedule_deletion(lang: Lang, req: HttpRequest, state: web::Data<AppState>, path: web::Path<String>, form: web::Form<DeletionForm>) -> HttpResponse {
    let not_found = || status_page(StatusCode::NOT_FOUND, t(lang.0, Msg::NotFoundText));
    let Some((staff, role)) = req.extensions().get::<RequestPerson>().and_then(|p| p.staff) else { return not_found() };
    if !role.may(StaffAction::Infrastructure) {
        return status_page(StatusCode::FORBIDDEN, t(lang.0, Msg::StaffExportRefused));
    }
    let slug = path.into_inner();
    let f = form.into_inner();
    let (db, now, url) = (state.db.clone(), state.clock.now(), state.public_url.clone());
    let s2 = slug.clone();
    let r = web::block(move || {
        db.with(|c| {
            let Some(org) = gatehouse_db::orgs::by_slug(c, &s2)? else { return Err(DbError::NotFound) };
            gatehouse_db::tenants::schedule_deletion(c, org.id, staff, &f.confirm, &f.reason, &url, now)
        })
    })
    .await;
    match r {
        Ok(Ok(_)) => crate::redirect::see_other("/staff?deletion_scheduled=1"),
        Ok(Err(DbError::NotFound)) => not_found(),
        Ok(Err(e)) => staff_refused(lang, &slug, &e),
        Err(e) => crate::forms::unavailable(lang, e),
    }
}

async fn cancel_deletion(lang: Lang, req: HttpRequest, state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let not_found = || status_page(StatusCode::NOT_FOUND, t(lang.0, Msg::NotFoundText));
    let Some((staff, role)) = req.extensions().get::<RequestPerson>().and_then(|p| p.staff) else { return not_found() };
    if !role.may(StaffAction::Infrastructure) {
        return status_page(StatusCode::FORBIDDEN, t(lang.0, Msg::StaffExportRefused));
    }
    let slug = path.into_inner();
    let (db, now) = (state.db.clone(), state.clock.now());
    let r = web::block(move || {
        db.with(|c| {
            let Some(org) = gatehouse_db::orgs::by_slug(c, &slug)? else { return Err(DbError::NotFound) };
            gatehouse_db::tenants::cancel_deletion(c, org.id, staff, now)
        })
    })
    .await;
    match r {
        Ok(Ok(())) => crate::redirect::see_other("/staff?deletion_cancelled=1"),
        Ok(Err(DbError::NotFound)) => not_found(),
        Ok(Err(e)) => crate::forms::unavailable(lang, e),
        Err(e) => crate::forms::unavailable(lang, e),
    }
}

#[derive(serde::Deserialize)]
pub struct RecoverForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    reason: String,
}

/// Owner recovery: ownership handed to an active member (`gatehouse_db::staff::recover_owner`).
async fn recover_owner(lang: Lang, req: HttpRequest, state: web::Data<AppState>, path: web::Path<String>, form: web::Form<RecoverForm>) -> HttpResponse {
    let not_found = || status_page(StatusCode::NOT_FOUND, t(lang.0, Msg::NotFoundText));
    let Some((staff, role)) = req.extensions().get::<RequestPerson>().and_then(|p| p.staff) else { return not_found() };
    if !role.may(StaffAction::AssignUserRoles) {
        return status_page(StatusCode::FORBIDDEN, t(lang.0, Msg::StaffRecoverRefused));
    }
    let slug = path.into_inner();
    let f = form.into_inner();
    let (db, now, url) = (state.db.clone(), state.clock.now(), state.public_url.clone());
    let s2 = slug.clone();
    let r = web::block(move || {
        db.with(|c| {
            let Some(org) = gatehouse_db::orgs::by_slug(c, &s2)? else { return Err(DbError::NotFound) };
            gatehouse_db::staff::recover_owner(c, org.id, staff, &f.email, &f.reason, &url, now)
        })
    })
    .await;
    match r {
        Ok(Ok(member)) => {
            tracing::info!(staff_id = staff.0, membership = member.0, "ownership recovered");
            crate::redirect::see_other("/staff?owner_recovered=1")
        }
        Ok(Err(DbError::NotFound)) => not_found(),
        Ok(Err(e)) => staff_refused(lang, &slug, &e),
        Err(e) => crate::forms::unavailable(lang, e),
    }
}

/// Back to the console with a refusal in the reader's words.
fn staff_refused(lang: Lang, slug: &str, e: &DbError) -> HttpResponse {
    let words = gatehouse_app::i18n::refusal(lang.0, &gatehouse_domain::authz::policy::Policy::default(), e).unwrap_or_else(|| t(lang.0, Msg::TryAgain).to_string());
    crate::redirect::see_other(&format!("/staff?error={}&org={}", crate::middleware::encode(&words), crate::middleware::encode(slug)))
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
        Ok(Err(e)) => staff_refused(lang, &slug, &e),
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

/// Who may export, and the organization: the sysadmin only (seed isms: full access to
/// infrastructure and databases); audited as the staff member with the format.
async fn begin_export(lang: Lang, req: &HttpRequest, state: &AppState, slug: String, format: &'static str) -> Result<(gatehouse_db::orgs::OrgRow, chrono::DateTime<chrono::Utc>), HttpResponse> {
    let not_found = || status_page(StatusCode::NOT_FOUND, t(lang.0, Msg::NotFoundText));
    // The middleware already sent staff without a second factor to set it up.
    let Some((staff, role)) = req.extensions().get::<RequestPerson>().and_then(|p| p.staff) else { return Err(not_found()) };
    if !role.may(StaffAction::Infrastructure) {
        return Err(status_page(StatusCode::FORBIDDEN, t(lang.0, Msg::StaffExportRefused)));
    }
    let (db, now) = (state.db.clone(), state.clock.now());
    let found = web::block(move || {
        db.with(|c| {
            let Some(org) = gatehouse_db::orgs::by_slug(c, &slug)? else { return Ok(None) };
            gatehouse_db::audit::record(
                c,
                now,
                &gatehouse_db::audit::AuditEntry::new(Some(org.id), Actor::Staff { staff }, "organization.exported", "organization", Some(org.id.0)).after(json!({ "format": format })),
            )?;
            Ok::<_, DbError>(Some(org))
        })
    })
    .await;
    match found {
        Ok(Ok(Some(org))) => {
            tracing::info!(org_id = org.id.0, staff_id = staff.0, format, "tenant export");
            Ok((org, now))
        }
        Ok(Ok(None)) => Err(not_found()),
        _ => Err(crate::forms::unavailable(lang, "export")),
    }
}

async fn export(lang: Lang, req: HttpRequest, state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let (org, now) = match begin_export(lang, &req, &state, path.into_inner(), "json").await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let file = format!("gatehouse-{}-export.json", org.slug); // not user text: a file name
    crate::streaming::attachment(&state, "application/json", file, move |c, send| write_export(c, org.id, &org.slug, &org.name, &org.time_zone, now, send))
}

/// The tables of the CSV export, one file each.
pub const CSV_TABLES: &[&str] = &["units", "roles", "members", "assignments", "audit_events"];

/// One table of the organization as CSV (`/staff/orgs/{slug}/export/{table}.csv`), streamed.
async fn export_csv(lang: Lang, req: HttpRequest, state: web::Data<AppState>, path: web::Path<(String, String)>) -> HttpResponse {
    let (slug, file) = path.into_inner();
    let Some(table) = file.strip_suffix(".csv").and_then(|t| CSV_TABLES.iter().find(|x| **x == t).copied()) else {
        return status_page(StatusCode::NOT_FOUND, t(lang.0, Msg::NotFoundText));
    };
    let (org, _) = match begin_export(lang, &req, &state, slug, "csv").await {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    let name = format!("gatehouse-{}-{table}.csv", org.slug); // not user text: a file name
    crate::streaming::attachment(&state, "text/csv; charset=utf-8", name, move |c, send| write_csv(c, org.id, table, send))
}

fn write_csv(c: &mut Conn<'_>, org: OrgId, table: &str, send: &dyn Fn(String) -> bool) -> Result<(), DbError> {
    use gatehouse_domain::spreadsheet::line;
    let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
    match table {
        "units" => {
            let mut out = line(&["id", "parent", "name", "kind"]);
            for u in gatehouse_db::units::list(c, org)? {
                out.push_str(&line(&[u.id.0.to_string(), opt(u.parent.map(|p| p.0)), u.name, u.kind]));
            }
            send(out);
        }
        "roles" => {
            let mut out = line(&["id", "key", "name", "description", "retired", "grants"]);
            for r in gatehouse_db::roles::list(c, org)? {
                let grants = gatehouse_db::roles::grants_of(c, org, r.id)?;
                let grants = serde_json::to_string(&grants).unwrap_or_default();
                out.push_str(&line(&[r.id.0.to_string(), r.key, r.name, r.description, r.retired.to_string(), grants]));
            }
            send(out);
        }
        "members" => {
            if !send(line(&["id", "name", "email", "status", "kind", "job_title", "joined_at", "units", "tags"])) {
                return Ok(());
            }
            let mut after = 0;
            loop {
                let page = gatehouse_db::views::api::members(c, org, after, PAGE)?;
                let mut out = String::new();
                for m in &page {
                    let units = m.units.iter().map(|u| u.to_string()).collect::<Vec<_>>().join(" ");
                    out.push_str(&line(&[m.id.to_string(), m.name.clone(), m.email.clone().unwrap_or_default(), m.status.clone(), m.kind.clone(), m.job_title.clone().unwrap_or_default(), m.joined_at.map(|t| t.to_rfc3339()).unwrap_or_default(), units, m.tags.join(" ")]));
                }
                if !send(out) {
                    return Ok(());
                }
                match page.last() {
                    Some(m) if page.len() as i64 == PAGE => after = m.id,
                    _ => break,
                }
            }
        }
        "assignments" => {
            if !send(line(&["id", "member", "role", "role_key", "unit", "ends_at"])) {
                return Ok(());
            }
            let mut after = 0;
            loop {
                let page = gatehouse_db::views::api::assignments(c, org, after, PAGE)?;
                let mut out = String::new();
                for a in &page {
                    out.push_str(&line(&[a.id.to_string(), a.member.to_string(), a.role.to_string(), a.role_key.clone(), opt(a.unit), a.ends_at.map(|t| t.to_rfc3339()).unwrap_or_default()]));
                }
                if !send(out) {
                    return Ok(());
                }
                match page.last() {
                    Some(a) if page.len() as i64 == PAGE => after = a.id,
                    _ => break,
                }
            }
        }
        _ => {
            if !send(line(&["id", "occurred_at", "actor_kind", "actor_id", "actor_staff_id", "action", "target_kind", "target_id", "unit", "before", "after", "request_id"])) {
                return Ok(());
            }
            let mut before = i64::MAX;
            loop {
                let page = gatehouse_db::views::api::audit_events(c, org, before, PAGE)?;
                let mut out = String::new();
                for e in &page {
                    out.push_str(&line(&[
                        e.id.to_string(),
                        e.occurred_at.to_rfc3339(),
                        e.actor_kind.clone(),
                        opt(e.actor_id),
                        opt(e.actor_staff_id),
                        e.action.clone(),
                        e.target_kind.clone(),
                        opt(e.target_id),
                        opt(e.unit),
                        e.before.clone().unwrap_or_default(),
                        e.after.clone().unwrap_or_default(),
                        e.request_id.clone().unwrap_or_default(),
                    ]));
                }
                if !send(out) {
                    return Ok(());
                }
                match page.last() {
                    Some(e) if page.len() as i64 == PAGE => before = e.id,
                    _ => break,
                }
            }
        }
    }
    Ok(())
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
