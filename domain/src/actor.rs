//! Who did something: recorded on every audit event and as "last changed by" on every row.
use crate::ids::{ApiKeyId, MembershipId, StaffId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// A person acting for themselves. Inside an organization this is their membership.
    User { user: UserId, membership: Option<MembershipId> },
    /// Platform staff acting as a tenant member (support sign-in).
    StaffAsUser { staff: StaffId, membership: MembershipId },
    /// The organization's background user: scheduled work (reminders, expiries, reviews).
    Background { user: UserId },
    /// A technical user calling the API with a key.
    ApiKey { key: ApiKeyId },
    /// Platform staff outside any organization (CLI, staff console).
    Staff { staff: StaffId },
    /// The operator at the command line (migrations, seeding, `create-owner`).
    System,
}

impl Actor {
    /// Stable string stored in `*_kind` columns.
    pub fn kind(&self) -> &'static str {
        match self {
            Actor::User { .. } => "user",
            Actor::StaffAsUser { .. } => "staff_as_user",
            Actor::Background { .. } => "background",
            Actor::ApiKey { .. } => "api_key",
            Actor::Staff { .. } => "staff",
            Actor::System => "system",
        }
    }

    /// The id stored beside the kind: the membership when acting inside an organization,
    /// otherwise the identity's own id.
    pub fn id(&self) -> Option<i64> {
        match *self {
            Actor::User { membership: Some(m), .. } => Some(m.0),
            Actor::User { user, membership: None } => Some(user.0),
            Actor::StaffAsUser { membership, .. } => Some(membership.0),
            Actor::Background { user } => Some(user.0),
            Actor::ApiKey { key } => Some(key.0),
            Actor::Staff { staff } => Some(staff.0),
            Actor::System => None,
        }
    }

    /// The staff member behind the action, when there is one.
    pub fn staff(&self) -> Option<StaffId> {
        match *self {
            Actor::StaffAsUser { staff, .. } | Actor::Staff { staff } => Some(staff),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inside_an_organization_the_actor_is_the_membership_not_the_user() {
        let a = Actor::User { user: UserId(7), membership: Some(MembershipId(42)) };
        assert_eq!((a.kind(), a.id()), ("user", Some(42)));
        let s = Actor::StaffAsUser { staff: StaffId(3), membership: MembershipId(42) };
        assert_eq!((s.kind(), s.id(), s.staff()), ("staff_as_user", Some(42), Some(StaffId(3))));
        assert_eq!(Actor::System.id(), None);
        assert_eq!(Actor::Background { user: UserId(9) }.kind(), "background");
    }
}
