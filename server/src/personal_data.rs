//! A person's own data as JSON: every member downloads what the organization holds about them
//! (`/o/{org}/me/data.json`), and whoever may export a member (`members.export` there) produces
//! it for that member on their request (`/o/{org}/members/{id}/data.json`). Both are audited
//! (`member.data_exported`, by the person or by an administrator).
use crate::forms::{status_page, Caller};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use gatehouse_app::i18n::{t, Msg};
use gatehouse_db::DbError;
use gatehouse_domain::authz::Target;
use gatehouse_domain::ids::MembershipId;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/o/{org}/me/data.json", web::get().to(own)).route("/o/{org}/members/{id}/data.json", web::get().to(of_member));
}

async fn own(c: Caller) -> HttpResponse {
    let file = format!("{}-my-data.json", c.org.slug); // not user text: a file name
    produce(&c, c.m.id, file).await
}

async fn of_member(c: Caller, path: web::Path<(String, i64)>) -> HttpResponse {
    let member = MembershipId(path.into_inner().1);
    let (db, org) = (c.state.db.clone(), c.org.id);
    let units = match web::block(move || db.with(|conn| gatehouse_db::authz::member_units(conn, org, member))).await {
        Ok(Ok(u)) => u,
        Ok(Err(DbError::NotFound)) => return status_page(StatusCode::NOT_FOUND, t(c.locale, Msg::NotFoundText)),
        _ => return status_page(StatusCode::SERVICE_UNAVAILABLE, t(c.locale, Msg::ServiceUnavailable)),
    };
    if member != c.m.id {
        if let Err(d) = c.policy.require(c.m.id, "members.export", &Target::Member { id: member, units }, c.now) {
            return status_page(StatusCode::FORBIDDEN, &gatehouse_app::explain::denial(c.locale, &c.policy, &d));
        }
    }
    let file = format!("{}-member-{}-data.json", c.org.slug, member.0); // not user text: a file name
    produce(&c, member, file).await
}

async fn produce(c: &Caller, member: MembershipId, file: String) -> HttpResponse {
    let (db, org, actor, now) = (c.state.db.clone(), c.org.id, c.actor, c.now);
    match web::block(move || db.with(|conn| gatehouse_db::personal_data::produce(conn, org, member, actor, now))).await {
        Ok(Ok(doc)) => HttpResponse::Ok()
            .content_type("application/json")
            .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file}\""))) // not user text: a header
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(serde_json::to_string_pretty(&doc).unwrap_or_default()),
        Ok(Err(DbError::NotFound)) => status_page(StatusCode::NOT_FOUND, t(c.locale, Msg::NotFoundText)),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "personal data export failed");
            status_page(StatusCode::SERVICE_UNAVAILABLE, t(c.locale, Msg::ServiceUnavailable))
        }
        Err(_) => status_page(StatusCode::SERVICE_UNAVAILABLE, t(c.locale, Msg::ServiceUnavailable)),
    }
}
