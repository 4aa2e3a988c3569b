//! The JSON API's OpenAPI document, generated from the handlers' annotations at compile time and
//! served at a stable address: `/api/v1/openapi.json`.
use super::{decisions, v1, Problem};
use actix_web::HttpResponse;
use std::sync::OnceLock;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("ghk_<16 hex>_<64 hex>")
                    .description(Some("An API key of a technical user, created on the organization's API keys page."))
                    .build(),
            ),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gatehouse API",
        description = "Reporting, provisioning and the decision point of one organization, called with an API key. Every call acts as the key's technical user, within the key's scopes; errors are RFC 9457 problem details (application/problem+json) in the Accept-Language's language.",
        version = "1"
    ),
    paths(
        v1::members,
        v1::units,
        v1::roles,
        v1::assignments,
        v1::assign,
        v1::unassign,
        v1::audit_events,
        decisions::decision,
        decisions::who_can,
    ),
    components(schemas(
        Problem,
        v1::Member,
        v1::MemberList,
        v1::Unit,
        v1::UnitList,
        v1::Grant,
        v1::Role,
        v1::RoleList,
        v1::Assignment,
        v1::AssignmentList,
        v1::NewAssignment,
        v1::Created,
        v1::AuditEvent,
        v1::AuditEventList,
        decisions::Answer,
        decisions::Holder,
        decisions::WhoCan,
    )),
    modifiers(&BearerKey)
)]
pub struct ApiDoc;

/// The document as JSON, built once per process.
pub fn json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default())
}

pub async fn document() -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").insert_header(("cache-control", "public, max-age=300")).body(json())
}
