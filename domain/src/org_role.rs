//! Organization roles (seed organization-roles). Stored now; the authorization engine enforces
//! their appointment rules. Until then they decide who sees the admin screens.
use crate::DomainError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum OrgRole {
    Owner,
    CoOwner,
    MainOwner,
    PaymentUser,
    AuthorizedBuyer,
    ComplianceManager,
    Administrator,
    MainAdministrator,
    SupportTeam,
}

impl OrgRole {
    pub const ALL: [OrgRole; 9] = [
        OrgRole::Owner,
        OrgRole::CoOwner,
        OrgRole::MainOwner,
        OrgRole::PaymentUser,
        OrgRole::AuthorizedBuyer,
        OrgRole::ComplianceManager,
        OrgRole::Administrator,
        OrgRole::MainAdministrator,
        OrgRole::SupportTeam,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgRole::Owner => "owner",
            OrgRole::CoOwner => "co_owner",
            OrgRole::MainOwner => "main_owner",
            OrgRole::PaymentUser => "payment_user",
            OrgRole::AuthorizedBuyer => "authorized_buyer",
            OrgRole::ComplianceManager => "compliance_manager",
            OrgRole::Administrator => "administrator",
            OrgRole::MainAdministrator => "main_administrator",
            OrgRole::SupportTeam => "support_team",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| DomainError::InvalidValue { field: "org_role", value: s.to_string() })
    }
}

/// What a member may open before the full engine lands: owners, co-owners and administrators
/// (including the main ones) see the admin screens; everyone else sees their own page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PortalAccess {
    Admin,
    OwnPageOnly,
}

pub fn portal_access(roles: &[OrgRole]) -> PortalAccess {
    let admin = roles.iter().any(|r| {
        matches!(
            r,
            OrgRole::Owner | OrgRole::CoOwner | OrgRole::MainOwner | OrgRole::Administrator | OrgRole::MainAdministrator
        )
    });
    if admin {
        PortalAccess::Admin
    } else {
        PortalAccess::OwnPageOnly
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_and_administrators_get_admin_screens_others_their_own_page() {
        assert_eq!(portal_access(&[OrgRole::Owner]), PortalAccess::Admin);
        assert_eq!(portal_access(&[OrgRole::Administrator]), PortalAccess::Admin);
        assert_eq!(portal_access(&[OrgRole::CoOwner]), PortalAccess::Admin);
        assert_eq!(portal_access(&[]), PortalAccess::OwnPageOnly);
        assert_eq!(portal_access(&[OrgRole::ComplianceManager, OrgRole::PaymentUser]), PortalAccess::OwnPageOnly);
        for r in OrgRole::ALL {
            assert_eq!(OrgRole::parse(r.as_str()), Ok(r));
        }
    }
}
