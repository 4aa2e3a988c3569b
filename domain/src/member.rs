//! Memberships: what an organization knows of a person, and its lifecycle.
use crate::DomainError;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemberStatus {
    Invited,
    Active,
    Terminated,
    Anonymized,
}

impl MemberStatus {
    pub const ALL: [MemberStatus; 4] =
        [MemberStatus::Invited, MemberStatus::Active, MemberStatus::Terminated, MemberStatus::Anonymized];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberStatus::Invited => "invited",
            MemberStatus::Active => "active",
            MemberStatus::Terminated => "terminated",
            MemberStatus::Anonymized => "anonymized",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| DomainError::InvalidValue { field: "status", value: s.to_string() })
    }

    /// invited → active → terminated → anonymized; an invitation may also be withdrawn
    /// (terminated) and anonymizing is final.
    pub fn can_become(self, to: MemberStatus) -> bool {
        use MemberStatus::*;
        matches!(
            (self, to),
            (Invited, Active) | (Invited, Terminated) | (Active, Terminated) | (Terminated, Anonymized)
        )
    }

    pub fn transition(self, to: MemberStatus) -> Result<MemberStatus, DomainError> {
        if self.can_become(to) {
            Ok(to)
        } else {
            Err(DomainError::InvalidTransition { from: self.as_str(), to: to.as_str() })
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MemberKind {
    Employee,
    Partner,
    Auditor,
    External,
}

impl MemberKind {
    pub const ALL: [MemberKind; 4] =
        [MemberKind::Employee, MemberKind::Partner, MemberKind::Auditor, MemberKind::External];

    pub fn as_str(self) -> &'static str {
        match self {
            MemberKind::Employee => "employee",
            MemberKind::Partner => "partner",
            MemberKind::Auditor => "auditor",
            MemberKind::External => "external",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| DomainError::InvalidValue { field: "member_kind", value: s.to_string() })
    }

    /// Seed user-levels: auditors and read-only externals never own content.
    pub fn may_own_items(self) -> bool {
        matches!(self, MemberKind::Employee | MemberKind::Partner)
    }

    /// Seed user-levels: an auditor is never counted in statistics.
    pub fn counted_in_statistics(self) -> bool {
        !matches!(self, MemberKind::Auditor)
    }

    /// Seed user-levels: auditors and read-only externals get no edit rights.
    pub fn may_get_edit_rights(self) -> bool {
        matches!(self, MemberKind::Employee | MemberKind::Partner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MemberStatus::*;

    #[test]
    fn lifecycle_moves_forward_only_and_anonymizing_is_final() {
        let allowed = [(Invited, Active), (Invited, Terminated), (Active, Terminated), (Terminated, Anonymized)];
        for from in MemberStatus::ALL {
            for to in MemberStatus::ALL {
                assert_eq!(from.can_become(to), allowed.contains(&(from, to)), "{from:?} -> {to:?}");
            }
        }
        assert!(Anonymized.transition(Active).is_err());
        assert_eq!(Active.transition(Terminated), Ok(Terminated));
    }

    #[test]
    fn kinds_round_trip_and_carry_the_seed_rules() {
        for k in MemberKind::ALL {
            assert_eq!(MemberKind::parse(k.as_str()), Ok(k));
        }
        assert!(MemberKind::parse("boss").is_err());
        assert!(!MemberKind::Auditor.counted_in_statistics());
        assert!(MemberKind::External.counted_in_statistics());
        assert!(!MemberKind::Auditor.may_own_items() && !MemberKind::External.may_own_items());
        assert!(MemberKind::Partner.may_get_edit_rights());
    }
}
