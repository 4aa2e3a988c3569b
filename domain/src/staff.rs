//! Platform staff roles (seed roles-responsibilities-isms): sysadmin, developer, member of
//! management, customer success. Staff always sign in with a second factor; the staff console
//! and staff sign-in come with a later issue, the rules are here.
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

/// Staff permissions are reviewed every three months (seed isms: "the permissions of internal
/// users are reviewed every three months"). The review campaigns themselves come with the access
/// reviews; this is when one is due.
pub const REVIEW_MONTHS: u32 = 3;

/// Whether a staff member last reviewed (or added) at `since` is due for review at `now`.
pub fn review_due(since: chrono::DateTime<chrono::Utc>, now: chrono::DateTime<chrono::Utc>) -> bool {
    since.checked_add_months(chrono::Months::new(REVIEW_MONTHS)).is_none_or(|due| due <= now)
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
    fn staff_reviews_are_due_every_three_months() {
        use chrono::TimeZone;
        let at = |y, m, d| chrono::Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap();
        assert!(!review_due(at(2026, 9, 4), at(2026, 12, 3)));
        assert!(review_due(at(2026, 9, 4), at(2026, 12, 4)));
        assert!(review_due(at(2026, 1, 1), at(2026, 12, 4)));
        assert!(!review_due(at(2026, 11, 30), at(2027, 2, 27)), "three calendar months, not 90 days");
        assert!(review_due(at(2026, 11, 30), at(2027, 2, 28)), "clamped to the month's last day");
    }
}
