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
    /// The reviews of staff permissions, for the roles that assign staff roles.
    pub staff_reviews: Option<StaffReviews>,
    /// The viewer's role may export and delete organizations (the sysadmin).
    pub can_delete: bool,
}

/// One review of staff permissions, for the console's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffReviewLine {
    pub id: i64,
    pub running: bool,
    pub started_at: DateTime<Utc>,
    pub deadline_at: DateTime<Utc>,
    pub decided: i64,
    pub total: i64,
}

/// The platform's plan for reviewing staff and its latest campaigns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffReviews {
    /// monthly, quarterly, half_yearly, yearly
    pub schedule: String,
    pub duration_days: u32,
    /// keep, reduce
    pub no_response: String,
    pub next_start_at: Option<DateTime<Utc>>,
    pub campaigns: Vec<StaffReviewLine>,
}

#[server(input = GetUrl, endpoint = "staff")]
pub async fn get_staff_console() -> Result<StaffConsole, AppError> {
    use gatehouse_domain::staff::StaffAction;
    let req: actix_web::HttpRequest = leptos_actix::extract().await.map_err(|_| crate::api::server::fail(AppError::Internal))?;
    let c = crate::api::server::caller().await?;
    let person = actix_web::HttpMessage::extensions(&req).get::<crate::state::RequestPerson>().cloned().ok_or_else(|| crate::api::server::fail(AppError::Unauthenticated))?;
    // Not staff: the console does not exist for them.
    let Some((_, role)) = person.staff else { return Err(crate::api::server::fail(AppError::NotFound)) };
    if !role.may(StaffAction::ViewOrganizations) {
        return Err(crate::api::server::fail(AppError::Forbidden { why: vec![crate::i18n::staff_role_label(c.locale, role).to_string()], contacts: vec![], permission: None }));
    }
    let orgs = crate::api::server::db(&c.state, gatehouse_db::staff::organizations).await?;
    let staff_reviews = if role.may(StaffAction::AssignStaffRoles) {
        let (plan, campaigns) = crate::api::server::db(&c.state, move |conn| Ok((gatehouse_db::staff_reviews::plan(conn)?, gatehouse_db::staff_reviews::campaigns(conn, None, 12)?))).await?;
        Some(StaffReviews {
            schedule: plan.plan.schedule.as_str().to_string(),
            duration_days: plan.plan.duration_days,
            no_response: plan.plan.no_response.as_str().to_string(),
            next_start_at: plan.next_start_at,
            campaigns: campaigns
                .into_iter()
                .map(|x| StaffReviewLine { id: x.id, running: x.state == gatehouse_domain::reviews::CampaignState::Running, started_at: x.started_at, deadline_at: x.deadline_at, decided: x.decided, total: x.total })
                .collect(),
        })
    } else {
        None
    };
    Ok(StaffConsole {
        role: crate::i18n::staff_role_label(c.locale, role).to_string(),
        orgs: orgs.into_iter().map(|o| StaffOrg { slug: o.slug, name: o.name, active_members: o.active_members, created_at: o.created_at, support_access: o.support_access, deletion_due: o.deletion_due }).collect(),
        can_support: role.may(StaffAction::ActAsAdministrator),
        can_recover: role.may(StaffAction::AssignUserRoles),
        staff_reviews,
        can_delete: role.may(StaffAction::Infrastructure),
    })
}
