//! Server functions for adding people: the invitations screen (form options, open and closed
//! invitations, settings) and the invitation link a person opens from their mail.
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteOptions {
    /// Units the viewer may invite into: id and path.
    pub units: Vec<(i64, String)>,
    pub tags: Vec<(i64, String)>,
    pub roles: Vec<(i64, String)>,
    /// The viewer may invite people without a unit (members.invite organization-wide).
    pub organization_wide: bool,
    pub phone_required: bool,
    pub phone_region: Option<String>,
    pub valid_days: i32,
    pub reminder_days: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub invited_by: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub sends: i32,
    pub expires_at: DateTime<Utc>,
    pub reminded_at: Option<DateTime<Utc>>,
    pub state: String,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationsView {
    pub options: InviteOptions,
    pub rows: Vec<InvitationRow>,
    pub closed: bool,
    pub may_export: bool,
    pub imports: Vec<ImportLine>,
}

/// An upload in the list of recent imports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportLine {
    pub id: i64,
    pub file_name: String,
    /// preview, running, done or discarded
    pub status: String,
    pub rows_total: i32,
    pub invited: i32,
    pub created_at: DateTime<Utc>,
}

/// A row not (to be) invited, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReportLine {
    pub line: usize,
    pub email: String,
    pub name: String,
    pub skipped: bool,
    pub problems: Vec<gatehouse_domain::people::Problem>,
}

/// An import's page: its preview, progress or result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportView {
    pub id: i64,
    pub file_name: String,
    pub status: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub rows_total: i32,
    pub rows_invalid: i32,
    pub next_row: i32,
    pub invited: i32,
    pub skipped: i32,
    pub failed: i32,
    pub ready: i32,
    /// Rows with errors (at most [`REPORT_ROWS`] shown) and how many there are.
    pub errors: Vec<ImportReportLine>,
    pub error_count: usize,
    /// Rows skipped because the person is already there (at most [`REPORT_ROWS`]).
    pub skipped_rows: Vec<ImportReportLine>,
    pub skipped_count: usize,
}

/// Report rows sent to the page per kind.
pub const REPORT_ROWS: usize = 1000;

/// An import of the organization: for whoever may invite (members.invite anywhere).
#[server(input = GetUrl, endpoint = "import")]
pub async fn get_import(org: String, id: i64) -> Result<ImportView, AppError> {
    let ctx = crate::api::server::in_org(org).await?;
    ctx.reach_any("members.invite").await?;
    let (org_id, now, me, policy) = (ctx.org.id, ctx.now, ctx.m.id, ctx.policy.clone());
    let i = crate::api::server::db(&ctx.c.state, move |conn| gatehouse_db::imports::get(conn, org_id, &policy, me, id, now)).await?;
    let line = |r: &gatehouse_db::imports::ReportLine| ImportReportLine { line: r.line, email: r.email.clone(), name: r.name.clone(), skipped: r.skipped, problems: r.problems.clone() };
    let errors: Vec<_> = i.report.iter().filter(|r| !r.skipped).collect();
    let skipped: Vec<_> = i.report.iter().filter(|r| r.skipped).collect();
    Ok(ImportView {
        id: i.id,
        file_name: i.file_name,
        status: i.status.as_str().to_string(),
        created_by: i.created_by,
        created_at: i.created_at,
        finished_at: i.finished_at,
        rows_total: i.rows_total,
        rows_invalid: i.rows_invalid,
        next_row: i.next_row,
        invited: i.invited,
        skipped: i.skipped,
        failed: i.failed,
        ready: i.ready,
        error_count: errors.len(),
        errors: errors.iter().take(REPORT_ROWS).map(|r| line(r)).collect(),
        skipped_count: skipped.len(),
        skipped_rows: skipped.iter().take(REPORT_ROWS).map(|r| line(r)).collect(),
    })
}

/// The invitations screen: for whoever holds members.invite anywhere.
#[server(input = GetUrl, endpoint = "invitations")]
pub async fn get_invitations(org: String, show: Option<String>) -> Result<InvitationsView, AppError> {
    use gatehouse_domain::authz::Target;
    let ctx = crate::api::server::in_org(org).await?;
    ctx.reach_any("members.invite").await?;
    let closed = show.as_deref() == Some("closed");
    let (org_id, now, me, policy) = (ctx.org.id, ctx.now, ctx.m.id, ctx.policy.clone());
    let (dir, settings, rows, imports) = crate::api::server::db(&ctx.c.state, move |conn| {
        let dir = gatehouse_db::invitations::directory(conn, org_id, &[])?;
        let settings = gatehouse_db::orgs::settings(conn, org_id)?;
        let rows = gatehouse_db::invitations::list(conn, org_id, closed, now, 500)?;
        let imports = gatehouse_db::imports::recent(conn, org_id, 10)?;
        Ok((dir, settings, rows, imports))
    })
    .await?;
    let units = dir.units.iter().filter(|u| policy.check(me, "members.invite", &Target::Unit(u.0), now).allowed).map(|u| (u.0 .0, u.2.clone())).collect();
    Ok(InvitationsView {
        options: InviteOptions {
            units,
            tags: dir.tags.iter().map(|t| (t.0 .0, t.1.clone())).collect(),
            roles: dir.roles.iter().map(|r| (r.0 .0, r.2.clone())).collect(),
            organization_wide: policy.check(me, "members.invite", &Target::Organization, now).allowed,
            phone_required: settings.phone_required,
            phone_region: settings.phone_region,
            valid_days: settings.valid_days,
            reminder_days: settings.reminder_days,
        },
        rows: rows
            .into_iter()
            .map(|r| InvitationRow {
                id: r.id,
                email: r.email,
                name: r.name,
                invited_by: r.invited_by,
                sent_at: r.sent_at,
                sends: r.sends,
                expires_at: r.expires_at,
                reminded_at: r.reminded_at,
                state: r.state,
                closed_at: r.closed_at,
            })
            .collect(),
        closed,
        may_export: policy.reach(me, "members.export", now) != gatehouse_domain::authz::policy::Reach::Nothing,
        imports: imports
            .into_iter()
            .map(|i| ImportLine { id: i.id, file_name: i.file_name, status: i.status.as_str().to_string(), rows_total: i.rows_total, invited: i.invited, created_at: i.created_at })
            .collect(),
    })
}

/// What the invitation page shows; says nothing about the invitation when the link is bad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationLink {
    pub valid: bool,
    pub org_name: String,
    pub email: String,
    pub name: String,
    pub inviter: Option<String>,
    pub needs_password: bool,
    pub expires_at: Option<DateTime<Utc>>,
    /// Signed in right now as: (email, is the invited person).
    pub signed_in: Option<(String, bool)>,
}

#[server(input = GetUrl, endpoint = "invitation-link")]
pub async fn get_invitation_link(token: String) -> Result<InvitationLink, AppError> {
    let c = crate::api::server::caller().await?;
    let now = c.state.clock.now();
    let session_user = c.session.as_ref().map(|s| s.user);
    let (info, me) = crate::api::server::db(&c.state, move |conn| {
        let info = gatehouse_db::invitations::link(conn, &token, now)?;
        let me = match session_user {
            Some(u) => Some(gatehouse_db::users::get(conn, u)?),
            None => None,
        };
        Ok((info, me))
    })
    .await?;
    Ok(match info {
        Some(i) => InvitationLink {
            valid: true,
            signed_in: me.map(|m| (m.email, m.id == i.user)),
            org_name: i.org_name,
            email: i.email,
            name: i.name,
            inviter: i.inviter,
            needs_password: i.needs_password,
            expires_at: Some(i.expires_at),
        },
        None => InvitationLink {
            valid: false,
            org_name: String::new(),
            email: String::new(),
            name: String::new(),
            inviter: None,
            needs_password: false,
            expires_at: None,
            signed_in: me.map(|m| (m.email, false)),
        },
    })
}
