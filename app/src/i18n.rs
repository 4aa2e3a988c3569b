//! The words of every screen, from the catalogs in `locales/` (`en.ftl`, `de.ftl`: a key that one
//! language lacks does not compile), and the helpers that pick the message for a value.
use gatehouse_domain::locale::Locale;

pub use gatehouse_locales::{t, tf, Msg};

/// Why the database refused a change, in the reader's words — the one translation of every
/// refusal for pages, forms and server functions alike. `None` for a real fault (logged by the
/// caller, never shown).
#[cfg(feature = "ssr")]
pub fn refusal(locale: Locale, policy: &gatehouse_domain::authz::policy::Policy, e: &gatehouse_db::DbError) -> Option<String> {
    use gatehouse_db::DbError as E;
    Some(match e {
        E::Denied(d) => crate::explain::denial(locale, policy, d),
        E::Stale { changed_by: Some(name), at } => tf(locale, Msg::ChangedBy, &[("name", name), ("at", at)]),
        E::Stale { changed_by: None, at } => tf(locale, Msg::ChangedBySomeone, &[("at", at)]),
        E::Domain(d) => invalid_input(locale, d),
        E::Conflict(x) => conflict(locale, x),
        E::Person(p) => problem(locale, p),
        E::Request(r) => request_refusal(locale, *r),
        E::Compliance(r) => compliance_refusal(locale, r),
        E::NotFound => t(locale, Msg::NotFoundText).to_string(),
        E::Outdated => t(locale, Msg::TryAgain).to_string(),
        _ => return None,
    })
}

/// What already exists or already happened, in the reader's words.
#[cfg(feature = "ssr")]
pub fn conflict(locale: Locale, c: &gatehouse_db::Conflict) -> String {
    use gatehouse_db::Conflict as C;
    match c {
        C::AlreadyMember => t(locale, Msg::ConflictAlreadyMember).to_string(),
        C::EmailTaken(e) => tf(locale, Msg::ConflictEmailTaken, &[("email", e)]),
        C::ReservedModule(k) => tf(locale, Msg::ConflictReservedModule, &[("key", k)]),
        C::AlreadyInvited => t(locale, Msg::ConflictAlreadyInvited).to_string(),
        C::ImportClosed => t(locale, Msg::ConflictImportClosed).to_string(),
        C::RoleKeyTaken(k) => tf(locale, Msg::ConflictRoleKeyTaken, &[("key", k)]),
        C::SlugTaken(s) => tf(locale, Msg::ConflictSlugTaken, &[("slug", s)]),
        C::Duplicate => t(locale, Msg::ConflictDuplicate).to_string(),
        C::SsoStillRequired => t(locale, Msg::ConflictSsoStillRequired).to_string(),
        C::SsoNotProven => t(locale, Msg::ConflictSsoNotProven).to_string(),
        C::SsoNoSecretKey => t(locale, Msg::ConflictSsoNoSecretKey).to_string(),
        C::SupportAccessOff => t(locale, Msg::ConflictSupportAccessOff).to_string(),
        C::SupportMembership => t(locale, Msg::ConflictSupportMembership).to_string(),
        C::OwnerMustBeActiveMember => t(locale, Msg::ConflictOwnerMustBeActiveMember).to_string(),
        C::AlreadyOwner => t(locale, Msg::ConflictAlreadyOwner).to_string(),
        C::DeletionScheduled => t(locale, Msg::ConflictDeletionScheduled).to_string(),
        C::StaffReviewRunning => t(locale, Msg::ConflictStaffReviewRunning).to_string(),
        C::StaffReviewDecided => t(locale, Msg::ConflictStaffReviewDecided).to_string(),
        C::StaffReviewClosed => t(locale, Msg::ConflictStaffReviewClosed).to_string(),
    }
}

pub fn status_label(locale: Locale, status: &str) -> String {
    let m = match status {
        "invited" => Msg::StatusInvited,
        "active" => Msg::StatusActive,
        "terminated" => Msg::StatusTerminated,
        "anonymized" => Msg::StatusAnonymized,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

pub fn kind_label(locale: Locale, kind: &str) -> String {
    let m = match kind {
        "employee" => Msg::KindEmployee,
        "partner" => Msg::KindPartner,
        "auditor" => Msg::KindAuditor,
        "external" => Msg::KindExternal,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

pub fn org_role_label(locale: Locale, role: &str) -> String {
    let m = match role {
        "owner" => Msg::OrgRoleOwner,
        "co_owner" => Msg::OrgRoleCoOwner,
        "main_owner" => Msg::OrgRoleMainOwner,
        "payment_user" => Msg::OrgRolePaymentUser,
        "authorized_buyer" => Msg::OrgRoleAuthorizedBuyer,
        "compliance_manager" => Msg::OrgRoleComplianceManager,
        "administrator" => Msg::OrgRoleAdministrator,
        "main_administrator" => Msg::OrgRoleMainAdministrator,
        "support_team" => Msg::OrgRoleSupportTeam,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

/// Every audit action with its words (the filter's choices; a test finds every action the
/// code records here).
pub const AUDIT_ACTIONS: &[(&str, Msg)] = &[
    ("organization.created", Msg::AuditOrganizationCreated),
    ("unit.created", Msg::AuditUnitCreated),
    ("member.added", Msg::AuditMemberAdded),
    ("org_role.granted", Msg::AuditOrgRoleGranted),
    ("role.created", Msg::AuditRoleCreated),
    ("role.assigned", Msg::AuditRoleAssigned),
    ("technical_user.created", Msg::AuditTechnicalUserCreated),
    ("technical_user.removed", Msg::AuditTechnicalUserRemoved),
    ("api_key.created", Msg::AuditApiKeyCreated),
    ("api_key.revoked", Msg::AuditApiKeyRevoked),
    ("api.read", Msg::AuditApiRead),
    ("audit.exported", Msg::AuditAuditExported),
    ("member.data_exported", Msg::AuditMemberDataExported),
    ("review.plan_created", Msg::AuditReviewPlanCreated),
    ("review.campaign_started", Msg::AuditReviewCampaignStarted),
    ("review.decided", Msg::AuditReviewDecided),
    ("review.deadline_applied", Msg::AuditReviewDeadlineApplied),
    ("review.reminded", Msg::AuditReviewReminded),
    ("digest.default_changed", Msg::AuditDigestDefaultChanged),
    ("digest.subscription_changed", Msg::AuditDigestSubscriptionChanged),
    ("digest.subscription_removed", Msg::AuditDigestSubscriptionRemoved),
    ("digest.sent", Msg::AuditDigestSent),
    ("policy.published", Msg::AuditPolicyPublished),
    ("policy.retired", Msg::AuditPolicyRetired),
    ("policy.acknowledged", Msg::AuditPolicyAcknowledged),
    ("policy.reminded", Msg::AuditPolicyReminded),
    ("unit.renamed", Msg::AuditUnitRenamed),
    ("scim.resource_created", Msg::AuditScimResourceCreated),
    ("scim.resource_changed", Msg::AuditScimResourceChanged),
    ("scim.resource_deleted", Msg::AuditScimResourceDeleted),
    ("scim.group_members_changed", Msg::AuditScimGroupMembersChanged),
    ("two_factor.enabled", Msg::AuditTwoFactorEnabled),
    ("organization.security_settings", Msg::AuditOrganizationSecuritySettings),
    ("staff.role_set", Msg::AuditStaffRoleSet),
    ("staff.review_kept", Msg::AuditStaffReviewKept),
    ("staff.role_reduced", Msg::AuditStaffRoleReduced),
    ("staff.review_started", Msg::AuditStaffReviewStarted),
    ("staff.review_closed", Msg::AuditStaffReviewClosed),
    ("staff.review_plan_changed", Msg::AuditStaffReviewPlanChanged),
    ("sso.provider_added", Msg::AuditSsoProviderAdded),
    ("sso.provider_changed", Msg::AuditSsoProviderChanged),
    ("sso.provider_removed", Msg::AuditSsoProviderRemoved),
    ("sso.mapping_added", Msg::AuditSsoMappingAdded),
    ("sso.mapping_removed", Msg::AuditSsoMappingRemoved),
    ("sso.identity_linked", Msg::AuditSsoIdentityLinked),
    ("sso.member_created", Msg::AuditSsoMemberCreated),
    ("sso.groups_applied", Msg::AuditSsoGroupsApplied),
    ("support.started", Msg::AuditSupportStarted),
    ("support.ended", Msg::AuditSupportEnded),
    ("organization.owner_recovered", Msg::AuditOrganizationOwnerRecovered),
    ("organization.deletion_scheduled", Msg::AuditOrganizationDeletionScheduled),
    ("organization.deletion_cancelled", Msg::AuditOrganizationDeletionCancelled),
    ("organization.deleted", Msg::AuditOrganizationDeleted),
    ("organization.exported", Msg::AuditOrganizationExported),
    ("two_factor.disabled", Msg::AuditTwoFactorDisabled),
    ("two_factor.recovery_code_used", Msg::AuditTwoFactorRecoveryCodeUsed),
    ("two_factor.recovery_codes_renewed", Msg::AuditTwoFactorRecoveryCodesRenewed),
    ("tag.created", Msg::AuditTagCreated),
    ("member.invited", Msg::AuditMemberInvited),
    ("invitation.accepted", Msg::AuditInvitationAccepted),
    ("invitation.resent", Msg::AuditInvitationResent),
    ("invitation.revoked", Msg::AuditInvitationRevoked),
    ("invitation.reminded", Msg::AuditInvitationReminded),
    ("invitation.expired", Msg::AuditInvitationExpired),
    ("membership.ended", Msg::AuditMembershipEnded),
    ("membership.end_date", Msg::AuditMembershipEndDate),
    ("membership.anonymized", Msg::AuditMembershipAnonymized),
    ("compliance.reminder_set", Msg::AuditComplianceReminderSet),
    ("compliance.reminded", Msg::AuditComplianceReminded),
    ("organization.auto_anonymize", Msg::AuditAutoAnonymize),
    ("access_request.created", Msg::AuditRequestCreated),
    ("access_request.approved", Msg::AuditRequestApproved),
    ("access_request.denied", Msg::AuditRequestDenied),
    ("access_request.expired", Msg::AuditRequestExpired),
    ("access_request.reminded", Msg::AuditRequestReminded),
    ("access_request.revoked", Msg::AuditRequestRevoked),
    ("access_request.withdrawn", Msg::AuditRequestWithdrawn),
    ("content_module.declared", Msg::AuditModuleDeclared),
    ("email.change_requested", Msg::AuditEmailChangeRequested),
    ("email.changed", Msg::AuditEmailChanged),
    ("email.change_cancelled", Msg::AuditEmailChangeCancelled),
    ("email.change_reverted", Msg::AuditEmailChangeReverted),
    ("item.created", Msg::AuditItemCreated),
    ("item.edited", Msg::AuditItemEdited),
    ("item.deleted", Msg::AuditItemDeleted),
    ("item.invited", Msg::AuditItemInvited),
    ("link_key.rotated", Msg::AuditLinkKeyRotated),
    ("mail.retried", Msg::AuditMailRetried),
    ("mail.test_queued", Msg::AuditMailTestQueued),
    ("member_import.uploaded", Msg::AuditImportUploaded),
    ("member_import.started", Msg::AuditImportStarted),
    ("member_import.finished", Msg::AuditImportFinished),
    ("member_import.discarded", Msg::AuditImportDiscarded),
    ("org_role.removed", Msg::AuditOrgRoleRemoved),
    ("organization.invitation_settings", Msg::AuditInvitationSettings),
    ("organization.request_settings", Msg::AuditRequestSettings),
    ("password.reset_requested", Msg::AuditPasswordResetRequested),
    ("password.reset", Msg::AuditPasswordReset),
    ("permission.adjusted", Msg::AuditPermissionAdjusted),
    ("permission.adjustment_removed", Msg::AuditAdjustmentRemoved),
    ("role.assignment_ended", Msg::AuditAssignmentEnded),
    ("role.edited", Msg::AuditRoleEdited),
    ("role.grants_set", Msg::AuditRoleGrantsSet),
    ("role.retired", Msg::AuditRoleRetired),
    ("role.unassigned", Msg::AuditRoleUnassigned),
    ("template.applied", Msg::AuditTemplateApplied),
    ("user.signed_in", Msg::AuditUserSignedIn),
    ("sign_in_link.requested", Msg::AuditSignInLinkRequested),
];

/// How often an access review runs, in words.
pub fn review_schedule_label(locale: Locale, schedule: &str) -> String {
    let m = match schedule {
        "once" => Msg::ReviewOnce,
        "monthly" => Msg::ReviewMonthly,
        "quarterly" => Msg::ReviewQuarterly,
        "half_yearly" => Msg::ReviewHalfYearly,
        "yearly" => Msg::ReviewYearly,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

/// How often a digest goes out, in words (`off`: not at all).
pub fn digest_frequency_label(locale: Locale, frequency: &str) -> String {
    let m = match frequency {
        "off" => Msg::DigestOff,
        "weekly" => Msg::DigestWeekly,
        "monthly" => Msg::DigestMonthly,
        "quarterly" => Msg::DigestQuarterly,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

/// What an unanswered review item becomes, in words.
pub fn review_no_response_label(locale: Locale, policy: &str) -> String {
    let m = match policy {
        "keep" => Msg::ReviewNoResponseKeep,
        "revoke" => Msg::ReviewNoResponseRevoke,
        "escalate_keep" => Msg::ReviewNoResponseEscalateKeep,
        "escalate_revoke" => Msg::ReviewNoResponseEscalateRevoke,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

/// A kind of actor in words (the audit log's filter and column).
pub fn audit_actor_kind_label(locale: Locale, kind: &str) -> String {
    let m = match kind {
        "user" => Msg::AuditActorPerson,
        "staff_as_user" => Msg::AuditActorStaffAsUser,
        "background" => Msg::ActorBackground,
        "api_key" => Msg::ActorApiKey,
        "staff" => Msg::ActorStaff,
        "system" => Msg::ActorSystem,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

/// What an audit event is about, in words (its `target_kind`; also an action's family).
pub fn audit_target_kind_label(locale: Locale, kind: &str) -> String {
    let m = match kind {
        "membership" | "member" => Msg::AuditTargetMember,
        "role" => Msg::AuditTargetRole,
        "role_assignment" => Msg::AuditTargetAssignment,
        "unit" => Msg::AuditTargetUnit,
        "organization" => Msg::AuditTargetOrganization,
        "access_request" => Msg::AuditTargetAccessRequest,
        "compliance_case" | "compliance" => Msg::AuditTargetComplianceCase,
        "invitation" => Msg::AuditTargetInvitation,
        "item" => Msg::AuditTargetItem,
        "technical_user" => Msg::AuditTargetTechnicalUser,
        "api_key" | "api" => Msg::AuditTargetApiKey,
        "sso_provider" | "sso" => Msg::AuditTargetSsoProvider,
        "scim_resource" | "scim" => Msg::AuditTargetScimResource,
        "support_session" | "support" => Msg::AuditTargetSupportSession,
        "member_import" => Msg::AuditTargetImport,
        "review_plan" | "review" => Msg::AuditTargetReviewPlan,
        "review_campaign" => Msg::AuditTargetReviewCampaign,
        "staff_review" | "staff_review_plan" => Msg::AuditTargetStaffReview,
        "review_item" => Msg::AuditTargetReviewItem,
        "policy" => Msg::AuditTargetPolicy,
        "user" => Msg::AuditTargetPerson,
        "endpoint" => Msg::AuditTargetEndpoint,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

/// A field of an event's before/after data in words; a field without words is shown as it is
/// named in the data (`settings.require_two_factor`).
pub fn audit_field_label(locale: Locale, field: &str) -> String {
    let last = field.rsplit('.').next().unwrap_or(field);
    let m = match last {
        "name" | "display_name" => Msg::FieldName,
        "email" => Msg::FieldEmail,
        "status" => Msg::Status,
        "kind" | "member_kind" => Msg::AuditFieldKind,
        "role" | "role_key" => Msg::FieldRole,
        "roles" => Msg::Roles,
        "unit" => Msg::FieldUnit,
        "units" => Msg::Units,
        "reason" => Msg::FieldReason,
        "ends_at" | "ends_on" => Msg::FieldEndDate,
        "title" | "job_title" => Msg::FieldTitle,
        "permission" => Msg::AuditFieldPermission,
        "added" => Msg::AuditFieldAdded,
        "removed" => Msg::AuditFieldRemoved,
        "records" => Msg::AuditFieldRecords,
        _ => return field.to_string(),
    };
    t(locale, m).to_string()
}

pub fn audit_action_label(locale: Locale, action: &str) -> String {
    match AUDIT_ACTIONS.iter().find(|(k, _)| *k == action) {
        Some((_, m)) => t(locale, *m).to_string(),
        None => action.to_string(),
    }
}

/// Something wrong with a person being added, in the reader's words.
pub fn problem(locale: Locale, p: &gatehouse_domain::people::Problem) -> String {
    use gatehouse_domain::people::Problem as P;
    let (m, v): (Msg, String) = match p {
        P::MissingEmail => (Msg::ProblemMissingEmail, String::new()),
        P::BadEmail(v) => (Msg::ProblemBadEmail, v.clone()),
        P::MissingName => (Msg::ProblemMissingName, String::new()),
        P::BadPhone(v) => (Msg::ProblemBadPhone, v.clone()),
        P::PhoneRequired => (Msg::ProblemPhoneRequired, String::new()),
        P::BadLocale(v) => (Msg::ProblemBadLocale, v.clone()),
        P::BadKind(v) => (Msg::ProblemBadKind, v.clone()),
        P::UnknownUnit(v) => (Msg::ProblemUnknownUnit, v.clone()),
        P::AmbiguousUnit(v) => (Msg::ProblemAmbiguousUnit, v.clone()),
        P::UnknownTag(v) => (Msg::ProblemUnknownTag, v.clone()),
        P::UnknownRole(v) => (Msg::ProblemUnknownRole, v.clone()),
        P::Duplicate { line } => (Msg::ProblemDuplicate, line.to_string()),
        P::FormerMember => (Msg::ProblemFormerMember, String::new()),
        P::AlreadyMember => (Msg::ProblemAlreadyMember, String::new()),
        P::AlreadyInvited => (Msg::ProblemAlreadyInvited, String::new()),
        P::Revoked => (Msg::ProblemRevoked, String::new()),
        P::NotAllowed => (Msg::ProblemNotAllowed, String::new()),
        P::AddressHeld => (Msg::ProblemAddressHeld, String::new()),
        P::MissingColumn(v) => (Msg::ProblemMissingColumn, v.clone()),
        P::UnknownColumn(v) => (Msg::ProblemUnknownColumn, v.clone()),
        P::Unreadable(v) => (Msg::ProblemUnreadable, v.clone()),
        P::TooManyRows(n) => (Msg::ProblemTooManyRows, n.to_string()),
        P::NoRows => (Msg::ProblemNoRows, String::new()),
    };
    tf(locale, m, &[("value", &v)])
}

/// Why ending a membership, anonymizing or a reminder is refused, in the reader's words.
pub fn compliance_refusal(locale: Locale, r: &gatehouse_domain::compliance::Refusal) -> String {
    use gatehouse_domain::compliance::Refusal as R;
    match r {
        R::OwnMembership => t(locale, Msg::CompOwn).to_string(),
        R::LastOwner => t(locale, Msg::CompLastOwner).to_string(),
        R::PlatformStaff => t(locale, Msg::CompStaff).to_string(),
        R::NotActive => t(locale, Msg::CompNotActive).to_string(),
        R::TechnicalUser => t(locale, Msg::CompTechnicalUser).to_string(),
        R::NotEnded => t(locale, Msg::CompNotEnded).to_string(),
        R::AlreadyAnonymized => t(locale, Msg::CompAlready).to_string(),
        R::PseudonymMismatch(p) => tf(locale, Msg::CompMismatch, &[("pseudonym", p)]),
        R::ReminderNotInFuture => t(locale, Msg::CompReminderPast).to_string(),
        R::EndInPast => t(locale, Msg::CompEndPast).to_string(),
        R::BadAutoDays => t(locale, Msg::CompBadDays).to_string(),
    }
}

/// A kind of row linked to a person (compliance), in the reader's words.
pub fn linked_kind(locale: Locale, kind: &str) -> &'static str {
    t(
        locale,
        match kind {
            "items_created" => Msg::LinkItemsCreated,
            "items_owned" => Msg::LinkItemsOwned,
            "items_assigned" => Msg::LinkItemsAssigned,
            "role_assignments" => Msg::LinkRoleAssignments,
            "adjustments" => Msg::LinkAdjustments,
            "requests_made" => Msg::LinkRequestsMade,
            "requests_decided" => Msg::LinkRequestsDecided,
            "invitations_sent" => Msg::LinkInvitationsSent,
            "mails" => Msg::LinkMails,
            _ => Msg::LinkAuditEvents,
        },
    )
}

/// Why an access request cannot be made or moved, in the reader's words.
pub fn request_refusal(locale: Locale, r: gatehouse_domain::requests::Refusal) -> String {
    use gatehouse_domain::requests::{Refusal as R, Status};
    let m = match r {
        R::AlreadyClosed(Status::Approved) => Msg::ReqClosedApproved,
        R::AlreadyClosed(Status::Denied) => Msg::ReqClosedDenied,
        R::AlreadyClosed(Status::Expired) => Msg::ReqClosedExpired,
        R::AlreadyClosed(Status::Revoked) => Msg::ReqClosedRevoked,
        R::AlreadyClosed(_) => Msg::ReqClosedWithdrawn,
        R::OwnRequest => Msg::ReqOwn,
        R::NotApprover => Msg::ReqNotApprover,
        R::NotRequester => Msg::ReqNotRequester,
        R::EndInPast => Msg::ReqEndInPast,
        R::AlreadyHeld => Msg::ReqAlreadyHeld,
        R::AlreadyAsked => Msg::ReqAlreadyAsked,
        R::NotRequestable => Msg::ReqNotRequestable,
        R::NotMember => Msg::ReqNotMember,
        R::NotGranted => Msg::ReqNotGranted,
        R::GrantEnded => Msg::ReqGrantEnded,
    };
    t(locale, m).to_string()
}

/// A domain validation error in the reader's words.
pub fn invalid_input(locale: Locale, e: &gatehouse_domain::DomainError) -> String {
    use gatehouse_domain::DomainError as E;
    match e {
        E::InvalidValue { field, value } => {
            let f = match *field {
                "name" => t(locale, Msg::FieldName),
                "key" => t(locale, Msg::FieldKey),
                "role" => t(locale, Msg::FieldRole),
                "unit" => t(locale, Msg::FieldUnit),
                "ends_on" | "ends_at" => t(locale, Msg::FieldEndDate),
                "email" => t(locale, Msg::FieldEmail),
                "title" => t(locale, Msg::FieldTitle),
                "actions" => t(locale, Msg::ModuleActions),
                "module" => t(locale, Msg::FieldKey),
                "phone_region" => t(locale, Msg::PhoneRegion),
                "valid_days" => t(locale, Msg::ValidDays),
                "issuer" => t(locale, Msg::SsoIssuer),
                "client_id" => t(locale, Msg::SsoClientId),
                "client_secret" => t(locale, Msg::SsoClientSecret),
                "allowed_domains" => t(locale, Msg::SsoAllowedDomains),
                "groups_claim" => t(locale, Msg::SsoGroupsClaim),
                "group" => t(locale, Msg::SsoGroup),
                "reason" => t(locale, Msg::FieldReason),
                "minutes" => t(locale, Msg::FieldMinutes),
                "confirm" => t(locale, Msg::FieldConfirmSlug),
                "reminder_days" => t(locale, Msg::ReminderDays),
                "expiry_days" => t(locale, Msg::ReqExpiryDays),
                "actor_kind" => t(locale, Msg::AuditActorKind),
                "action" => t(locale, Msg::AuditAction),
                "target_kind" => t(locale, Msg::AuditTargetKind),
                "target_id" => t(locale, Msg::AuditTargetId),
                "from" => t(locale, Msg::AuditFrom),
                "to" => t(locale, Msg::AuditTo),
                "duration_days" => t(locale, Msg::ReviewDuration),
                "escalation_days" => t(locale, Msg::ReviewEscalationDays),
                "inactive_days" => t(locale, Msg::ReviewInactiveDays),
                "schedule" => t(locale, Msg::ReviewSchedule),
                "frequency" => t(locale, Msg::DigestFrequency),
                "body" => t(locale, Msg::PolicyBody),
                "url" => t(locale, Msg::PolicyUrl),
                "recurrence" => t(locale, Msg::PolicyRecurrence),
                "due_days" => t(locale, Msg::PolicyDueDays),
                "kind" => t(locale, Msg::PolicyKind),
                "no_response" => t(locale, Msg::ReviewNoResponse),
                "fallback" => t(locale, Msg::ReviewFallback),
                "second_stage" => t(locale, Msg::ReviewSecondStage),
                "named" => t(locale, Msg::ReviewNamed),
                "staff" => t(locale, Msg::StaffReviewSelf),
                "decision" => t(locale, Msg::ReviewDecision),
                "org_role" => t(locale, Msg::OrgRoles),
                "start_on" => t(locale, Msg::ReviewStartOn),
                "comment" => t(locale, Msg::ReqComment),
                other => other,
            };
            if value.trim().is_empty() {
                tf(locale, Msg::MissingValueOf, &[("field", f)])
            } else {
                tf(locale, Msg::InvalidValueOf, &[("value", value), ("field", f)])
            }
        }
        E::InvalidEmail => t(locale, Msg::InvalidEmailText).to_string(),
        E::InvalidPhone => t(locale, Msg::InvalidPhoneText).to_string(),
        other => tf(locale, Msg::InvalidInputOther, &[("detail", &other.to_string())]),
    }
}

/// The name of one of Gatehouse's own admin areas (the first part of an admin permission).
pub fn area_label(locale: Locale, area: &str) -> String {
    let m = match area {
        "members" => Msg::AreaMembers,
        "units" => Msg::AreaUnits,
        "roles" => Msg::AreaRoles,
        "access_requests" => Msg::AreaAccessRequests,
        "compliance" => Msg::AreaCompliance,
        "reviews" => Msg::AreaReviews,
        "audit" => Msg::AreaAudit,
        "settings" => Msg::AreaSettings,
        "licenses" => Msg::AreaLicenses,
        "api_keys" => Msg::AreaApiKeys,
        "decisions" => Msg::AreaDecisions,
        "support" => Msg::AreaSupport,
        "mail" => Msg::Mail,
        other => return other.to_string(),
    };
    t(locale, m).to_string()
}

/// A grant's scope (and, for permissions about people, its visibility) in words.
pub fn grant_words(locale: Locale, scope: &str, visibility: &str, about_people: bool) -> String {
    let s = match scope {
        "own" => t(locale, Msg::GrantOwn),
        "unit" => t(locale, Msg::GrantUnit),
        _ => t(locale, Msg::GrantOrganization),
    };
    if !about_people {
        return s.to_string();
    }
    let v = if visibility == "aggregate" { t(locale, Msg::VisAggregate) } else { t(locale, Msg::VisIndividual) };
    format!("{s} · {v}")
}

pub fn actor_label(locale: Locale, kind: &str, name: Option<&str>) -> String {
    match (kind, name) {
        // Every row a support session wrote names the staff member and the role acted as.
        ("staff_as_user", Some(n)) => tf(locale, Msg::ActorStaffAsAdministrator, &[("name", n)]),
        (_, Some(n)) => n.to_string(),
        ("background", _) => t(locale, Msg::ActorBackground).to_string(),
        ("api_key", _) => t(locale, Msg::ActorApiKey).to_string(),
        ("staff", _) => t(locale, Msg::ActorStaff).to_string(),
        _ => t(locale, Msg::ActorSystem).to_string(),
    }
}

/// A UTC instant shown as a short date and time (UTC) in the locale's style.
pub fn datetime(locale: Locale, at: chrono::DateTime<chrono::Utc>) -> String {
    match locale {
        Locale::En => at.format("%Y-%m-%d %H:%M UTC").to_string(),
        Locale::De => at.format("%d.%m.%Y %H:%M UTC").to_string(),
    }
}

pub fn date(locale: Locale, d: chrono::NaiveDate) -> String {
    match locale {
        Locale::En => d.format("%Y-%m-%d").to_string(),
        Locale::De => d.format("%d.%m.%Y").to_string(),
    }
}

/// A platform staff role in words.
/// What a platform staff action lets staff do, in words.
pub fn staff_action_label(locale: Locale, action: gatehouse_domain::staff::StaffAction) -> &'static str {
    use gatehouse_domain::staff::StaffAction as A;
    t(
        locale,
        match action {
            A::ViewOrganizations => Msg::StaffActionView,
            A::ActAsAdministrator => Msg::StaffActionActAs,
            A::EditPlatformSettings => Msg::StaffActionSettings,
            A::AssignUserRoles => Msg::StaffActionUserRoles,
            A::AssignStaffRoles => Msg::StaffActionStaffRoles,
            A::ManageTechnicalUsers => Msg::StaffActionTechnical,
            A::Infrastructure => Msg::StaffActionInfrastructure,
        },
    )
}

pub fn staff_role_label(locale: Locale, role: gatehouse_domain::staff::StaffRole) -> &'static str {
    use gatehouse_domain::staff::StaffRole as R;
    t(
        locale,
        match role {
            R::Sysadmin => Msg::StaffRoleSysadmin,
            R::Developer => Msg::StaffRoleDeveloper,
            R::Management => Msg::StaffRoleManagement,
            R::CustomerSuccess => Msg::StaffRoleCustomerSuccess,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_both_languages_and_placeholders_match() {
        for m in Msg::ALL {
            let (en, de) = (m.text(Locale::En), m.text(Locale::De));
            assert!(!en.is_empty() && !de.is_empty(), "{m:?}");
            let ph = |s: &str| {
                let mut v: Vec<String> = s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|x| x.0.to_string())).collect();
                v.sort();
                v
            };
            assert_eq!(ph(en), ph(de), "placeholders of {m:?}");
        }
        assert_eq!(tf(Locale::De, Msg::PageOf, &[("page", "2"), ("pages", "9")]), "Seite 2 von 9");
        assert_eq!(status_label(Locale::De, "invited"), "Eingeladen");
    }

    /// Every audit action the code writes (`AuditEntry::new(…, "x.y", …)` in the db and server
    /// crates) is said in words, in both languages — a new action without words fails here.
    #[test]
    fn every_audit_action_has_words() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut actions = std::collections::BTreeSet::new();
        let mut dirs = vec![root.join("db/src"), root.join("server/src")];
        while let Some(dir) = dirs.pop() {
            for e in std::fs::read_dir(&dir).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().is_none_or(|x| x != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (at, _) in text.match_indices("AuditEntry::new(") {
                    let call: String = text[at..].chars().take(220).collect();
                    for lit in call.split('"').skip(1).step_by(2) {
                        let parts: Vec<&str> = lit.split('.').collect();
                        if parts.len() == 2 && parts.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase() || c == '_')) {
                            actions.insert(lit.to_string());
                        }
                    }
                }
            }
        }
        assert!(actions.len() > 40, "found the audit actions: {actions:?}");
        for a in &actions {
            assert!(AUDIT_ACTIONS.iter().any(|(k, _)| k == a), "{a} is not among the audit log's actions");
        }
        for (a, _) in AUDIT_ACTIONS {
            for l in [Locale::En, Locale::De] {
                for kind in gatehouse_domain::audit_log::ACTOR_KINDS.iter().chain(gatehouse_domain::audit_log::TARGET_KINDS) {
                    assert_ne!(audit_actor_kind_label(l, kind).is_empty() && audit_target_kind_label(l, kind).is_empty(), true);
                }
                assert_ne!(&audit_action_label(l, a), a, "{a} has no words in {l:?}");
            }
        }
        for l in [Locale::En, Locale::De] {
            for kind in gatehouse_domain::audit_log::ACTOR_KINDS {
                assert_ne!(&audit_actor_kind_label(l, kind), kind, "actor kind {kind} has no words");
            }
            for kind in gatehouse_domain::audit_log::TARGET_KINDS {
                assert_ne!(&audit_target_kind_label(l, kind), kind, "target kind {kind} has no words");
            }
        }
        for a in &actions {
            for l in [Locale::En, Locale::De] {
                assert_ne!(&audit_action_label(l, a), a, "{a} has no words in {l:?}");
            }
        }
    }
}

