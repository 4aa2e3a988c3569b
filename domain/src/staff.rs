//! Platform staff roles (seed roles-responsibilities-isms): sysadmin, developer, member of
//! management, customer success. Staff always sign in with a second factor. What each role may
//! do, and the rules of the staff access reviews (who is reviewed, by whom, the decision helpers).
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StaffRole {
    Sysadmin,
    Developer,
    Management,
    CustomerSuccess,
}

/// What platform staff may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffAction {
    /// See the organizations, their units and their people in the staff console.
    ViewOrganizations,
    /// Sign in as an organization's administrative member (audited as staff acting as user).
    ActAsAdministrator,
    /// Manage platform settings for an organization's units.
    EditPlatformSettings,
    /// Assign roles to organizations' users from the staff console.
    AssignUserRoles,
    /// Read and change staff roles.
    AssignStaffRoles,
    /// Manage technical users (API keys of the platform itself).
    ManageTechnicalUsers,
    /// Full access to infrastructure and databases.
    Infrastructure,
}

impl StaffAction {
    pub const ALL: [StaffAction; 7] = [
        StaffAction::ViewOrganizations,
        StaffAction::ActAsAdministrator,
        StaffAction::EditPlatformSettings,
        StaffAction::AssignUserRoles,
        StaffAction::AssignStaffRoles,
        StaffAction::ManageTechnicalUsers,
        StaffAction::Infrastructure,
    ];
}

impl StaffRole {
    pub const ALL: [StaffRole; 4] = [StaffRole::Sysadmin, StaffRole::Developer, StaffRole::Management, StaffRole::CustomerSuccess];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffRole::Sysadmin => "sysadmin",
            StaffRole::Developer => "developer",
            StaffRole::Management => "management",
            StaffRole::CustomerSuccess => "customer_success",
        }
    }

    pub fn parse(s: &str) -> Option<StaffRole> {
        StaffRole::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Internal users always use two factors.
    pub fn requires_second_factor(self) -> bool {
        true
    }

    pub fn may(self, action: StaffAction) -> bool {
        use StaffAction::*;
        match self {
            // Full access to every application and component.
            StaffRole::Sysadmin => true,
            // Code and deployments only: nothing in the administration UI.
            StaffRole::Developer => false,
            // Elevated permissions on the administration UI; read/modify user permissions.
            StaffRole::Management => matches!(action, ViewOrganizations | ActAsAdministrator | EditPlatformSettings | AssignUserRoles | AssignStaffRoles),
            // Sees companies, teams and employees; logs in as an administrative employee;
            // manages platform settings for teams; assigns platform user roles.
            StaffRole::CustomerSuccess => matches!(action, ViewOrganizations | ActAsAdministrator | EditPlatformSettings | AssignUserRoles),
        }
    }
}

// ---------------------------------------------------------------- staff access reviews

/// What an unanswered item of a staff access review becomes at the deadline (done by the
/// platform's own background work, audited as the system).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StaffNoResponse {
    /// The staff member keeps their role (and is due again next time).
    Keep,
    /// Reduced to developer: nothing in organizations any more.
    Reduce,
}

impl StaffNoResponse {
    pub const ALL: [StaffNoResponse; 2] = [StaffNoResponse::Keep, StaffNoResponse::Reduce];

    pub fn as_str(self) -> &'static str {
        match self {
            StaffNoResponse::Keep => "keep",
            StaffNoResponse::Reduce => "reduce",
        }
    }

    pub fn parse(s: &str) -> Option<StaffNoResponse> {
        StaffNoResponse::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The platform's plan for reviewing staff (seed isms: "the permissions of internal users are
/// reviewed every three months"): quarterly by default, answered within
/// two weeks, an unanswered item kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffReviewPlan {
    pub schedule: crate::reviews::Schedule,
    pub duration_days: u32,
    pub no_response: StaffNoResponse,
}

impl Default for StaffReviewPlan {
    fn default() -> Self {
        StaffReviewPlan { schedule: crate::reviews::Schedule::Every(crate::reviews::Interval::Quarterly), duration_days: 14, no_response: StaffNoResponse::Keep }
    }
}

/// Whether a staff member in `role` is reviewed: every role that may act in organizations (a
/// developer may do nothing there, which is what a revoke leaves).
pub fn reviewed(role: StaffRole) -> bool {
    StaffAction::ALL.into_iter().any(|a| role.may(a))
}

/// Who reviews the staff member `of`: every other staff member whose role may assign staff
/// roles. Nobody reviews their own role; a sole such member is reviewed by nobody and their
/// item is settled by the plan's rule at the deadline.
pub fn reviewers(staff: &[(i64, StaffRole)], of: i64) -> Vec<i64> {
    staff.iter().filter(|(id, role)| *id != of && role.may(StaffAction::AssignStaffRoles)).map(|(id, _)| *id).collect()
}

/// What is shown beside a staff member's item to help decide.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffHelpers {
    /// Days since they last signed in, when at least the threshold (or never signed in).
    pub inactive_days: Option<i64>,
    pub never_signed_in: bool,
    /// Their role may sign in to organizations for support, and they did not in the last
    /// interval (the role may be more than they need).
    pub support_unused: bool,
}

impl StaffHelpers {
    pub fn new(role: StaffRole, last_sign_in: Option<chrono::DateTime<chrono::Utc>>, support_sessions: i64, now: chrono::DateTime<chrono::Utc>, threshold_days: i64) -> StaffHelpers {
        let (inactive_days, never_signed_in) = match last_sign_in {
            None => (None, true),
            Some(t) => {
                let days = (now - t).num_days();
                ((days >= threshold_days).then_some(days), false)
            }
        };
        StaffHelpers { inactive_days, never_signed_in, support_unused: role.may(StaffAction::ActAsAdministrator) && support_sessions == 0 }
    }

    /// Nothing speaks against keeping.
    pub fn agrees_to_keep(&self) -> bool {
        self.inactive_days.is_none() && !self.never_signed_in && !self.support_unused
    }
}

#[cfg(test)]
mod tests {
    use super::StaffAction::*;
    use super::StaffRole::*;
    use super::*;

    #[test]
    fn staff_roles_as_the_isms_seed_describes_them() {
        for r in StaffRole::ALL {
            assert_eq!(StaffRole::parse(r.as_str()), Some(r));
        }
        assert_eq!(StaffRole::parse("boss"), None);
        // (action, sysadmin, developer, management, customer success)
        let table = [
            (ViewOrganizations, [true, false, true, true]),
            (ActAsAdministrator, [true, false, true, true]),
            (EditPlatformSettings, [true, false, true, true]),
            (AssignUserRoles, [true, false, true, true]),
            (AssignStaffRoles, [true, false, true, false]),
            (ManageTechnicalUsers, [true, false, false, false]),
            (Infrastructure, [true, false, false, false]),
        ];
        for (action, want) in table {
            for (role, w) in [Sysadmin, Developer, Management, CustomerSuccess].into_iter().zip(want) {
                assert_eq!(role.may(action), w, "{role:?} {action:?}");
            }
        }
        assert!(StaffRole::ALL.iter().all(|r| r.requires_second_factor()));
    }

    #[test]
    fn staff_reviews_cover_who_may_act_and_are_never_their_own() {
        assert!(reviewed(Sysadmin) && reviewed(Management) && reviewed(CustomerSuccess));
        assert!(!reviewed(Developer), "a developer holds nothing in organizations");
        let staff = [(1, Sysadmin), (2, Management), (3, CustomerSuccess), (4, Developer)];
        assert_eq!(reviewers(&staff, 3), vec![1, 2]);
        assert_eq!(reviewers(&staff, 1), vec![2], "never their own");
        assert_eq!(reviewers(&[(1, Sysadmin)], 1), Vec::<i64>::new(), "a sole sysadmin has no reviewer");
        assert_eq!(StaffReviewPlan::default().schedule.as_str(), "quarterly");
        assert!(crate::reviews::check_timing(StaffReviewPlan::default().schedule, StaffReviewPlan::default().duration_days).is_ok());
        for r in StaffNoResponse::ALL {
            assert_eq!(StaffNoResponse::parse(r.as_str()), Some(r));
        }
        assert_eq!(StaffNoResponse::parse("escalate"), None);
    }

    fn at(y: i32, m: u32, d: u32) -> chrono::DateTime<chrono::Utc> {
        use chrono::TimeZone;
        chrono::Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap()
    }

    #[test]
    fn staff_review_helpers() {
        let now = at(2026, 12, 5);
        let h = StaffHelpers::new(CustomerSuccess, Some(at(2026, 12, 1)), 0, now, 30);
        assert_eq!(h, StaffHelpers { inactive_days: None, never_signed_in: false, support_unused: true });
        assert!(!h.agrees_to_keep());
        let h = StaffHelpers::new(CustomerSuccess, Some(at(2026, 12, 1)), 2, now, 30);
        assert!(h.agrees_to_keep());
        let h = StaffHelpers::new(Management, Some(at(2026, 10, 1)), 0, now, 30);
        assert_eq!(h.inactive_days, Some(65));
        assert!(h.support_unused, "management may sign in to organizations too");
        assert!(!StaffHelpers::new(Sysadmin, Some(at(2026, 12, 1)), 3, now, 30).support_unused);
        assert!(StaffHelpers::new(Sysadmin, None, 0, now, 30).never_signed_in);
    }
}
