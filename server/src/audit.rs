//! The audit log as CSV (`/o/{org}/audit.csv?…`, the page's filter), for whoever holds
//! `audit.export` — the whole log, their units', or their own actions, as the engine's reach
//! says. Streamed a thousand events at a time (`crate::streaming`), never held in memory;
//! the export itself is audited with its filter.
use crate::forms::{status_page, Caller};
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use gatehouse_app::i18n::{invalid_input, t, Msg};
use gatehouse_domain::audit_log::FilterInput;
use gatehouse_domain::authz::Target;
use serde_json::json;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{org}/audit.csv", web::get().to(export));
}

/// Events per database read and per piece of the response.
pub const CHUNK: i64 = 1000;

async fn export(c: Caller, q: web::Query<FilterInput>) -> HttpResponse {
    let Ok(scope) = gatehouse_app::api::audit::server::scope(&c.policy, c.m.id, "audit.export", c.now) else {
        let text = match c.policy.require(c.m.id, "audit.export", &Target::Organization, c.now) {
            Err(d) => gatehouse_app::explain::denial(c.locale, &c.policy, &d),
            Ok(_) => t(c.locale, Msg::NotFoundText).to_string(),
        };
        return status_page(StatusCode::FORBIDDEN, &text);
    };
    let input = q.into_inner();
    let filter = match input.check(&c.org.time_zone) {
        Ok(f) => f,
        Err(e) => return status_page(StatusCode::BAD_REQUEST, &invalid_input(c.locale, &e)),
    };
    let unit_ids = match gatehouse_app::api::audit::server::unit_ids(&c.policy, filter.unit) {
        Ok(u) => u,
        Err(e) => return status_page(StatusCode::BAD_REQUEST, &invalid_input(c.locale, &e)),
    };
    // Who exported what is itself evidence.
    let (org, actor, now, db, query) = (c.org.id, c.actor, c.now, c.state.db.clone(), input.query());
    let recorded = web::block(move || {
        db.with(|conn| gatehouse_db::audit::record(conn, now, &gatehouse_db::audit::AuditEntry::new(Some(org), actor, "audit.exported", "organization", Some(org.0)).after(json!({ "filter": query }))))
    })
    .await;
    if !matches!(recorded, Ok(Ok(_))) {
        return status_page(StatusCode::SERVICE_UNAVAILABLE, t(c.locale, Msg::ServiceUnavailable));
    }
    let locale = c.locale;
    let file = format!("{}-audit-log.csv", c.org.slug); // not user text: a file name
    crate::streaming::attachment(&c.state, "text/csv; charset=utf-8", file, move |conn, send| {
        use gatehouse_domain::spreadsheet::line;
        let header = line(&[
            "id", "occurred_at", "actor_kind", "actor_id", "actor", "action", "what", "target_kind", "target_id", "target", "unit_id", "unit", "changes", "before", "after", "request_id",
        ]);
        if !send(header) {
            return Ok(());
        }
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        gatehouse_db::views::audit::each_chunk(conn, org, &scope, &filter, unit_ids.as_deref(), CHUNK, &mut |events| {
            let mut out = String::with_capacity(events.len() * 256);
            for e in &events {
                let v = gatehouse_app::api::audit::server::event_view(locale, e);
                let changes = v
                    .changes
                    .iter()
                    .map(|ch| match (&ch.before, &ch.after) {
                        (Some(b), Some(a)) => format!("{}: {b} → {a}", ch.field), // not user text: data rendered as data
                        (None, Some(a)) => format!("{}: → {a}", ch.field), // not user text: data rendered as data
                        (Some(b), None) => format!("{}: {b} →", ch.field), // not user text: data rendered as data
                        (None, None) => ch.field.clone(),
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                out.push_str(&line(&[
                    e.id.to_string(),
                    e.occurred_at.to_rfc3339(),
                    e.actor_kind.clone(),
                    opt(e.actor_id),
                    v.actor,
                    e.action.clone(),
                    v.action,
                    e.target_kind.clone(),
                    opt(e.target_id),
                    v.target,
                    opt(e.unit_id),
                    e.unit_name.clone().unwrap_or_default(),
                    changes,
                    e.before.as_ref().map(|b| b.to_string()).unwrap_or_default(),
                    e.after.as_ref().map(|a| a.to_string()).unwrap_or_default(),
                    e.request_id.clone().unwrap_or_default(),
                ]));
            }
            send(out)
        })?;
        Ok(())
    })
}
