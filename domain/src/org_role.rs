//! Organization roles (seed organization-roles) and their appointment rules.
use crate::ids::MembershipId;
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

/// Who receives automatic mail about the organization (DECISIONS.md "Mail routing").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// Ownership, licences, the missing-permission contact: the main owner when set, otherwise
    /// the owner and the co-owners.
    Owners,
    /// Digests and administrative notices: the main administrator when set, otherwise all
    /// administrators.
    Administrators,
    /// Role-addressed mail: every holder of the role (compliance managers, support team …).
    Role(OrgRole),
}

/// The recipients of `audience` among the organization's role holders, each once, in id order.
pub fn recipients(audience: Audience, holders: &[(MembershipId, OrgRole)]) -> Vec<MembershipId> {
    let of = |roles: &[OrgRole]| {
        let mut v: Vec<MembershipId> = holders.iter().filter(|(_, r)| roles.contains(r)).map(|(m, _)| *m).collect();
        v.sort();
        v.dedup();
        v
    };
    match audience {
        Audience::Owners => {
            let main = of(&[OrgRole::MainOwner]);
            if main.is_empty() { of(&[OrgRole::Owner, OrgRole::CoOwner]) } else { main }
        }
        Audience::Administrators => {
            let main = of(&[OrgRole::MainAdministrator]);
            if main.is_empty() { of(&[OrgRole::Administrator]) } else { main }
        }
        Audience::Role(r) => of(&[r]),
    }
}

/// Appointing or removing an organization role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Appoint,
    Remove,
}

/// Why an appointment is refused — each says which rule of the seed applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AppointRefusal {
    /// Nobody changes their own organization roles (the owner's hand-over aside).
    OwnRoles,
    /// Only holders of these roles may appoint or remove this one.
    OnlyBy(Vec<OrgRole>),
    /// The owner must be a member of the organization.
    OwnerMustBeMember,
    /// There is always exactly one owner: ownership is handed over, never removed.
    OwnerIsHandedOver,
    /// A main owner is chosen from the owner and co-owners, and only once there is a co-owner.
    MainOwnerNeedsCoOwner,
    MainOwnerFromOwners,
    /// A main administrator is chosen from the administrators, once there are at least two.
    MainAdministratorNeedsTwoAdministrators,
    MainAdministratorFromAdministrators,
    AlreadyHeld,
    NotHeld,
}

/// Who may appoint (and remove) holders of `role`.
pub fn appointers(role: OrgRole) -> &'static [OrgRole] {
    use OrgRole::*;
    match role {
        Owner => &[Owner],
        CoOwner | MainOwner | PaymentUser | ComplianceManager => &[Owner, CoOwner],
        AuthorizedBuyer | Administrator | MainAdministrator => &[Owner, CoOwner, PaymentUser],
        SupportTeam => &[Owner, CoOwner, Administrator, MainAdministrator],
    }
}

/// Roles held by a single person at a time: appointing a new holder replaces the old one.
pub fn is_single(role: OrgRole) -> bool {
    matches!(role, OrgRole::Owner | OrgRole::MainOwner | OrgRole::PaymentUser | OrgRole::MainAdministrator)
}

/// The outcome of an allowed change: the roles that go with it (the old holder of a single role;
/// the main owner when the last co-owner goes; the main administrator when fewer than two
/// administrators remain or they stop being one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consequences {
    pub also_removed: Vec<(MembershipId, OrgRole)>,
}

/// Checks an appointment against the seed's rules. `holders` are the organization's current
/// role holders; `target_is_member` is false for a "role holder only" person.
pub fn may_appoint(
    actor: MembershipId,
    target: MembershipId,
    target_is_member: bool,
    role: OrgRole,
    change: Change,
    holders: &[(MembershipId, OrgRole)],
) -> Result<Consequences, AppointRefusal> {
    let holds = |m: MembershipId, r: OrgRole| holders.contains(&(m, r));
    let holders_of = |r: OrgRole| holders.iter().filter(move |h| h.1 == r).map(|h| h.0);
    let actor_roles: Vec<OrgRole> = holders.iter().filter(|h| h.0 == actor).map(|h| h.1).collect();
    if !appointers(role).iter().any(|r| actor_roles.contains(r)) {
        return Err(AppointRefusal::OnlyBy(appointers(role).to_vec()));
    }
    if role == OrgRole::Owner {
        return match change {
            Change::Remove => Err(AppointRefusal::OwnerIsHandedOver),
            Change::Appoint if actor == target => Err(AppointRefusal::AlreadyHeld),
            Change::Appoint if !target_is_member => Err(AppointRefusal::OwnerMustBeMember),
            // The hand-over: the old owner steps down (they may be made co-owner afterwards).
            Change::Appoint => Ok(Consequences { also_removed: vec![(actor, OrgRole::Owner)] }),
        };
    }
    if actor == target {
        return Err(AppointRefusal::OwnRoles);
    }
    let mut also_removed = Vec::new();
    match change {
        Change::Appoint => {
            if holds(target, role) {
                return Err(AppointRefusal::AlreadyHeld);
            }
            match role {
                OrgRole::MainOwner => {
                    if holders_of(OrgRole::CoOwner).next().is_none() {
                        return Err(AppointRefusal::MainOwnerNeedsCoOwner);
                    }
                    if !holds(target, OrgRole::Owner) && !holds(target, OrgRole::CoOwner) {
                        return Err(AppointRefusal::MainOwnerFromOwners);
                    }
                }
                OrgRole::MainAdministrator => {
                    if holders_of(OrgRole::Administrator).count() < 2 {
                        return Err(AppointRefusal::MainAdministratorNeedsTwoAdministrators);
                    }
                    if !holds(target, OrgRole::Administrator) {
                        return Err(AppointRefusal::MainAdministratorFromAdministrators);
                    }
                }
                _ => {}
            }
            if is_single(role) {
                also_removed.extend(holders_of(role).map(|m| (m, role)));
            }
        }
        Change::Remove => {
            if !holds(target, role) {
                return Err(AppointRefusal::NotHeld);
            }
            match role {
                OrgRole::CoOwner => {
                    let co_owners_left = holders_of(OrgRole::CoOwner).filter(|m| *m != target).count();
                    if co_owners_left == 0 {
                        also_removed.extend(holders_of(OrgRole::MainOwner).map(|m| (m, OrgRole::MainOwner)));
                    } else if holds(target, OrgRole::MainOwner) {
                        also_removed.push((target, OrgRole::MainOwner));
                    }
                }
                OrgRole::Administrator => {
                    let left = holders_of(OrgRole::Administrator).filter(|m| *m != target).count();
                    also_removed.extend(
                        holders_of(OrgRole::MainAdministrator).filter(|m| left < 2 || *m == target).map(|m| (m, OrgRole::MainAdministrator)),
                    );
                }
                _ => {}
            }
        }
    }
    Ok(Consequences { also_removed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_roles_round_trip() {
        for r in OrgRole::ALL {
            assert_eq!(OrgRole::parse(r.as_str()), Ok(r));
        }
    }

    const OWNER: MembershipId = MembershipId(1);
    const CO: MembershipId = MembershipId(2);
    const PAY: MembershipId = MembershipId(3);
    const ADMIN: MembershipId = MembershipId(4);
    const ADMIN2: MembershipId = MembershipId(5);
    const NOBODY: MembershipId = MembershipId(9);

    fn org() -> Vec<(MembershipId, OrgRole)> {
        vec![(OWNER, OrgRole::Owner), (CO, OrgRole::CoOwner), (PAY, OrgRole::PaymentUser), (ADMIN, OrgRole::Administrator)]
    }

    #[test]
    fn who_appoints_whom_as_the_seed_says() {
        use AppointRefusal::*;
        use OrgRole::*;
        let h = org();
        // (actor, role, allowed)
        let cases = [
            (OWNER, CoOwner, true),
            (CO, CoOwner, true),
            (PAY, CoOwner, false),
            (OWNER, PaymentUser, true),
            (CO, PaymentUser, true),
            (ADMIN, PaymentUser, false),
            (PAY, Administrator, true),
            (CO, Administrator, true),
            (ADMIN, Administrator, false),
            (PAY, AuthorizedBuyer, true),
            (ADMIN, AuthorizedBuyer, false),
            (CO, ComplianceManager, true),
            (ADMIN, ComplianceManager, false),
            (ADMIN, SupportTeam, true),
            (PAY, SupportTeam, false),
            (CO, Owner, false),
        ];
        for (actor, role, want) in cases {
            let got = may_appoint(actor, NOBODY, true, role, Change::Appoint, &h);
            assert_eq!(got.is_ok(), want, "{actor:?} appoints {role:?}: {got:?}");
            if !want {
                assert_eq!(got, Err(OnlyBy(appointers(role).to_vec())));
            }
        }
        // Organization roles other than owner may go to people who are not members.
        assert!(may_appoint(OWNER, NOBODY, false, ComplianceManager, Change::Appoint, &h).is_ok());
        assert_eq!(may_appoint(OWNER, NOBODY, false, Owner, Change::Appoint, &h), Err(OwnerMustBeMember));
        // Nobody changes their own roles.
        assert_eq!(may_appoint(CO, CO, true, PaymentUser, Change::Appoint, &h), Err(OwnRoles));
        assert_eq!(may_appoint(PAY, PAY, true, PaymentUser, Change::Remove, &h), Err(OnlyBy(vec![Owner, CoOwner])));
        assert_eq!(may_appoint(CO, CO, true, CoOwner, Change::Remove, &h), Err(OwnRoles));
    }

    #[test]
    fn mail_goes_to_the_main_owner_or_administrator_when_set() {
        use OrgRole::*;
        let mut h = vec![(OWNER, Owner), (CO, CoOwner), (ADMIN, Administrator), (ADMIN2, Administrator), (PAY, ComplianceManager)];
        assert_eq!(recipients(Audience::Owners, &h), vec![OWNER, CO]);
        assert_eq!(recipients(Audience::Administrators, &h), vec![ADMIN, ADMIN2]);
        assert_eq!(recipients(Audience::Role(ComplianceManager), &h), vec![PAY]);
        assert_eq!(recipients(Audience::Role(SupportTeam), &h), vec![]);
        h.push((CO, MainOwner));
        h.push((ADMIN2, MainAdministrator));
        assert_eq!(recipients(Audience::Owners, &h), vec![CO]);
        assert_eq!(recipients(Audience::Administrators, &h), vec![ADMIN2]);
    }

    #[test]
    fn exactly_one_owner_handed_over_only_by_the_owner() {
        use AppointRefusal::*;
        let h = org();
        assert_eq!(may_appoint(OWNER, CO, true, OrgRole::Owner, Change::Appoint, &h), Ok(Consequences { also_removed: vec![(OWNER, OrgRole::Owner)] }));
        assert_eq!(may_appoint(OWNER, OWNER, true, OrgRole::Owner, Change::Remove, &h), Err(OwnerIsHandedOver), "the last owner can never be removed");
        assert_eq!(may_appoint(CO, OWNER, true, OrgRole::Owner, Change::Remove, &h), Err(OnlyBy(vec![OrgRole::Owner])));
    }

    #[test]
    fn main_owner_and_main_administrator_follow_their_preconditions() {
        use AppointRefusal::*;
        let mut h = vec![(OWNER, OrgRole::Owner), (ADMIN, OrgRole::Administrator)];
        assert_eq!(may_appoint(OWNER, NOBODY, true, OrgRole::MainOwner, Change::Appoint, &h), Err(MainOwnerNeedsCoOwner));
        h.push((CO, OrgRole::CoOwner));
        assert_eq!(may_appoint(OWNER, ADMIN, true, OrgRole::MainOwner, Change::Appoint, &h), Err(MainOwnerFromOwners));
        assert!(may_appoint(OWNER, CO, true, OrgRole::MainOwner, Change::Appoint, &h).is_ok());
        h.push((CO, OrgRole::MainOwner));
        // The last co-owner goes: the main owner field goes with them.
        assert_eq!(may_appoint(OWNER, CO, true, OrgRole::CoOwner, Change::Remove, &h), Ok(Consequences { also_removed: vec![(CO, OrgRole::MainOwner)] }));
        assert_eq!(may_appoint(OWNER, ADMIN, true, OrgRole::MainAdministrator, Change::Appoint, &h), Err(MainAdministratorNeedsTwoAdministrators));
        h.push((ADMIN2, OrgRole::Administrator));
        assert_eq!(may_appoint(OWNER, NOBODY, true, OrgRole::MainAdministrator, Change::Appoint, &h), Err(MainAdministratorFromAdministrators));
        assert!(may_appoint(OWNER, ADMIN, true, OrgRole::MainAdministrator, Change::Appoint, &h).is_ok());
        h.push((ADMIN, OrgRole::MainAdministrator));
        // A new main administrator replaces the old one; fewer than two administrators end it.
        assert_eq!(may_appoint(OWNER, ADMIN2, true, OrgRole::MainAdministrator, Change::Appoint, &h), Ok(Consequences { also_removed: vec![(ADMIN, OrgRole::MainAdministrator)] }));
        assert_eq!(may_appoint(OWNER, ADMIN2, true, OrgRole::Administrator, Change::Remove, &h), Ok(Consequences { also_removed: vec![(ADMIN, OrgRole::MainAdministrator)] }));
        assert_eq!(may_appoint(OWNER, ADMIN, true, OrgRole::Administrator, Change::Appoint, &h), Err(AlreadyHeld));
        assert_eq!(may_appoint(OWNER, NOBODY, true, OrgRole::SupportTeam, Change::Remove, &h), Err(NotHeld));
    }
}
