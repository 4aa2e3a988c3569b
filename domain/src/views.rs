//! Read models shown by the portal. Filled by the database layer, serialized to the browser.
use crate::ids::{MembershipId, RoleId, TagId, UnitId};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    pub key: String,
    pub count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    pub actor_kind: String,
    /// Display name of the acting member (or pseudonym), when the actor is one.
    pub actor_name: Option<String>,
    pub action: String,
    pub target_kind: String,
    pub target_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dashboard {
    pub org_name: String,
    /// Members (not role-holders-only) by status.
    pub by_status: Vec<Count>,
    /// Members by kind, all statuses but anonymized.
    pub by_kind: Vec<Count>,
    /// Active members counted in statistics (auditors never are).
    pub active_counted: i64,
    pub invited: i64,
    pub units: i64,
    pub roles: i64,
    pub tags: i64,
    /// Active members counted (as `active_counted`) at the end of each of the last twelve
    /// months: (`YYYY-MM`, count).
    #[serde(default)]
    pub members_over_time: Vec<(String, i64)>,
    /// Access requests by status, every status.
    #[serde(default)]
    pub requests_by_status: Vec<Count>,
    /// Running access reviews and the share of their items decided, in percent (for whoever
    /// runs reviews).
    #[serde(default)]
    pub review_progress: Vec<(String, i64)>,
    /// Policies and trainings in force: title, how many did it, of how many asked (auditors never
    /// counted).
    #[serde(default)]
    pub acknowledgments: Vec<(String, i64, i64)>,
    pub recent: Vec<AuditLine>,
    /// Access requests waiting for this viewer's decision (filled per viewer by the engine).
    #[serde(default)]
    pub pending_requests: Vec<PendingRequest>,
    /// Role assignments that end within the next days (they stop by themselves at their end).
    #[serde(default)]
    pub expiring: Vec<ExpiringGrant>,
    /// Former members waiting for anonymization (for whoever sees compliance cases): the
    /// newest, and how many in all.
    #[serde(default)]
    pub compliance_cases: Vec<OpenCase>,
    #[serde(default)]
    pub compliance_open: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCase {
    pub id: i64,
    pub name: String,
    pub ended_at: DateTime<Utc>,
    pub remind_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingRequest {
    pub id: i64,
    pub requester: String,
    /// What was asked for, in the viewer's words.
    pub what: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringGrant {
    pub member: i64,
    pub member_name: String,
    pub role: String,
    pub unit: Option<String>,
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedRef {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub id: MembershipId,
    pub name: String,
    pub email: Option<String>,
    pub status: String,
    pub kind: String,
    pub tags: Vec<String>,
    pub units: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// The member's live roles and organization roles (from the authorization policy).
    #[serde(default)]
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberPage {
    pub rows: Vec<MemberRow>,
    pub total: u64,
    pub page: u32,
    pub page_count: u32,
}

/// Choices for the members list's filters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberFilters {
    /// Units in tree order with their depth, for an indented select.
    pub units: Vec<(UnitId, usize, String)>,
    pub tags: Vec<(TagId, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleAssignmentLine {
    pub role: RoleId,
    pub role_name: String,
    pub unit: Option<String>,
    pub ends_at: Option<DateTime<Utc>>,
    pub expired: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDetail {
    pub id: MembershipId,
    pub name: String,
    pub email: Option<String>,
    pub locale: Option<String>,
    pub status: String,
    pub kind: String,
    pub mobile_phone: Option<String>,
    pub job_title: Option<String>,
    pub end_date: Option<NaiveDate>,
    pub role_holder_only: bool,
    pub joined_at: Option<DateTime<Utc>>,
    pub units: Vec<NamedRef>,
    pub tags: Vec<String>,
    pub org_roles: Vec<String>,
    pub assignments: Vec<RoleAssignmentLine>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub updated_by: String,
    pub recent: Vec<AuditLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitLine {
    pub id: UnitId,
    pub parent: Option<UnitId>,
    pub depth: usize,
    pub name: String,
    pub kind: String,
    /// Members placed directly in this unit.
    pub direct_members: i64,
    /// Members in this unit or below it (each person once).
    pub total_members: i64,
    pub has_children: bool,
}
