//! The platform staff console: every organization of the platform, for staff whose role may see
//! them (seed isms: not developers). Anyone else is told the page does not exist.
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffOrg {
    pub slug: String,
    pub name: String,
    pub active_members: i64,
    pub created_at: DateTime<Utc>,
    pub support_access: bool,
    pub deletion_due: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffConsole {
    /// The viewer's staff role, in words.
    pub role: String,
    pub orgs: Vec<StaffOrg>,
    /// The viewer's role may sign in as an organization's administrator for support.
    pub can_support: bool,
    /// The viewer's role may hand an organization's ownership over (owner recovery).
    pub can_recover: bool,
    /// Staff due for the quarterly review of their permissions (for the roles that assign
    /// staff roles; empty otherwise): (name, role in words, since, address, the viewer themselves).
    pub reviews_due: Vec<(String, String, DateTime<Utc>, String, bool)>,
    /// The viewer's role may export and delete organizations (the sysadmin).
    pub can_delete: bool,
}

#[server(input = GetUrl, endpoint = "staff")]
pub async fn get_staff_console() -> Result<StaffConsole, AppError> {
    use gatehouse_domain::staff::StaffAction;
    let req: actix_web::HttpRequest = leptos_actix::extract().await.map_err(|_| crate::api::server::fail(AppError::Internal))?;
    let c = crate::api::server::caller().await?;
    let person = actix_web::HttpMessage::extensions(&req).get::<crate::state::RequestPerson>().cloned().ok_or_else(|| crate::api::server::fail(AppError::Unauthenticated))?;
    // Not staff: the console does not exist for them.
    let Some((me, role)) = person.staff else { return Err(crate::api::server::fail(AppError::NotFound)) };
    if !role.may(StaffAction::ViewOrganizations) {
        return Err(crate::api::server::fail(AppError::Forbidden { why: vec![crate::i18n::staff_role_label(c.locale, role).to_string()], contacts: vec![], permission: None }));
    }
    let orgs = crate::api::server::db(&c.state, gatehouse_db::staff::organizations).await?;
    let now = c.state.clock.now();
    let reviews_due = if role.may(StaffAction::AssignStaffRoles) {
        crate::api::server::db(&c.state, move |conn| gatehouse_db::staff::reviews_due(conn, now))
            .await?
            .into_iter()
            .map(|d| (d.name, crate::i18n::staff_role_label(c.locale, d.role).to_string(), d.since, d.email, d.id == me))
            .collect()
    } else {
        vec![]
    };
    Ok(StaffConsole {
        role: crate::i18n::staff_role_label(c.locale, role).to_string(),
        orgs: orgs.into_iter().map(|o| StaffOrg { slug: o.slug, name: o.name, active_members: o.active_members, created_at: o.created_at, support_access: o.support_access, deletion_due: o.deletion_due }).collect(),
        can_support: role.may(StaffAction::ActAsAdministrator),
        can_recover: role.may(StaffAction::AssignUserRoles),
        reviews_due,
        can_delete: role.may(StaffAction::Infrastructure),
    })
}
