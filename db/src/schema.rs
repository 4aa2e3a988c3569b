// The tables of migrations/{postgres,sqlite}: one definition serves both backends, so only types
// both share are used (ids are BigInt; times are Timestamp in UTC).

diesel::table! {
    platform_staff (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        password_hash -> Nullable<Text>,
        staff_role -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
        reviewed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        locale -> Text,
        password_hash -> Nullable<Text>,
        is_system -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
        totp_secret -> Nullable<Text>,
        totp_pending_secret -> Nullable<Text>,
        totp_last_step -> Nullable<BigInt>,
        totp_enabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    organizations (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        time_zone -> Text,
        background_user_id -> BigInt,
        require_mobile_phone -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
        authz_version -> BigInt,
        template_key -> Nullable<Text>,
        phone_region -> Nullable<Text>,
        invitation_valid_days -> Integer,
        invitation_reminder_days -> Integer,
        request_reminder_days -> Integer,
        request_expiry_days -> Integer,
        auto_anonymize_days -> Nullable<Integer>,
        require_two_factor -> Bool,
        require_sso -> Bool,
        support_access -> Bool,
        deletion_due_at -> Nullable<Timestamp>,
        deletion_reason -> Nullable<Text>,
        deletion_requested_by -> Nullable<BigInt>,
        digest_default -> Text,
        digest_default_since -> Nullable<Timestamp>,
        digests_swept -> Nullable<Text>,
    }
}

diesel::table! {
    units (id) {
        id -> BigInt,
        org_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        name -> Text,
        kind -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    memberships (id) {
        id -> BigInt,
        org_id -> BigInt,
        user_id -> Nullable<BigInt>,
        status -> Text,
        member_kind -> Text,
        mobile_phone -> Nullable<Text>,
        job_title -> Nullable<Text>,
        end_date -> Nullable<Date>,
        role_holder_only -> Bool,
        pseudonym -> Nullable<Text>,
        joined_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
        ended_at -> Nullable<Timestamp>,
        sort_key -> Nullable<Text>,
        search_key -> Nullable<Text>,
    }
}

diesel::table! {
    membership_units (membership_id, unit_id) {
        membership_id -> BigInt,
        unit_id -> BigInt,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        org_id -> BigInt,
        name -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    membership_tags (membership_id, tag_id) {
        membership_id -> BigInt,
        tag_id -> BigInt,
    }
}

diesel::table! {
    org_role_holders (id) {
        id -> BigInt,
        org_id -> BigInt,
        membership_id -> BigInt,
        role -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    roles (id) {
        id -> BigInt,
        org_id -> BigInt,
        key -> Text,
        name -> Text,
        description -> Text,
        template_key -> Nullable<Text>,
        retired_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
        template_role_key -> Nullable<Text>,
        requestable -> Bool,
        anchor_kind -> Nullable<Text>,
    }
}

diesel::table! {
    role_assignments (id) {
        id -> BigInt,
        org_id -> BigInt,
        membership_id -> BigInt,
        role_id -> BigInt,
        unit_id -> Nullable<BigInt>,
        ends_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        org_id -> Nullable<BigInt>,
        occurred_at -> Timestamp,
        actor_kind -> Text,
        actor_id -> Nullable<BigInt>,
        actor_staff_id -> Nullable<BigInt>,
        action -> Text,
        target_kind -> Text,
        target_id -> Nullable<BigInt>,
        unit_id -> Nullable<BigInt>,
        before_data -> Nullable<Text>,
        after_data -> Nullable<Text>,
        request_id -> Nullable<Text>,
    }
}

diesel::table! {
    email_outbox (id) {
        id -> BigInt,
        org_id -> Nullable<BigInt>,
        message_id -> Text,
        to_address -> Text,
        locale -> Text,
        template -> Text,
        subject -> Text,
        body_text -> Nullable<Text>,
        body_html -> Nullable<Text>,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        last_org_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        support_session_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    sign_in_throttle (key) {
        key -> Text,
        failures -> Integer,
        window_started_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    content_modules (id) {
        id -> BigInt,
        org_id -> BigInt,
        key -> Text,
        name_en -> Text,
        name_de -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    content_actions (id) {
        id -> BigInt,
        module_id -> BigInt,
        key -> Text,
        name_en -> Text,
        name_de -> Text,
        about_people -> Bool,
    }
}

diesel::table! {
    role_grants (id) {
        id -> BigInt,
        role_id -> BigInt,
        permission -> Text,
        scope -> Text,
        visibility -> Text,
    }
}

diesel::table! {
    member_adjustments (id) {
        id -> BigInt,
        org_id -> BigInt,
        membership_id -> BigInt,
        permission -> Text,
        kind -> Text,
        scope -> Nullable<Text>,
        unit_id -> Nullable<BigInt>,
        visibility -> Nullable<Text>,
        note -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
        ends_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    items (id) {
        id -> BigInt,
        org_id -> BigInt,
        module_key -> Text,
        title -> Text,
        creator_id -> Nullable<BigInt>,
        owner_id -> Nullable<BigInt>,
        unit_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    item_assignees (item_id, membership_id) {
        item_id -> BigInt,
        membership_id -> BigInt,
    }
}

diesel::table! {
    access_tokens (id) {
        id -> BigInt,
        purpose -> Text,
        token_hash -> Text,
        user_id -> Nullable<BigInt>,
        org_id -> Nullable<BigInt>,
        membership_id -> Nullable<BigInt>,
        data -> Nullable<Text>,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        org_id -> BigInt,
        membership_id -> BigInt,
        email -> Text,
        new_identity -> Bool,
        invited_by -> Nullable<BigInt>,
        import_id -> Nullable<BigInt>,
        sent_at -> Timestamp,
        sends -> Integer,
        expires_at -> Timestamp,
        reminded_at -> Nullable<Timestamp>,
        expired_at -> Nullable<Timestamp>,
        accepted_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    member_imports (id) {
        id -> BigInt,
        org_id -> BigInt,
        created_by -> BigInt,
        file_name -> Text,
        csv_text -> Nullable<Text>,
        status -> Text,
        rows_total -> Integer,
        rows_invalid -> Integer,
        next_row -> Integer,
        invited -> Integer,
        skipped -> Integer,
        failed -> Integer,
        report -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    access_requests (id) {
        id -> BigInt,
        org_id -> BigInt,
        requester_id -> BigInt,
        kind -> Text,
        role_id -> Nullable<BigInt>,
        permission -> Nullable<Text>,
        unit_id -> Nullable<BigInt>,
        justification -> Text,
        ends_at -> Nullable<Timestamp>,
        status -> Text,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        decision_comment -> Nullable<Text>,
        granted_id -> Nullable<BigInt>,
        reminded_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
        revoked_by -> Nullable<BigInt>,
        revoked_at -> Nullable<Timestamp>,
        revoke_comment -> Nullable<Text>,
        revoked_from -> Nullable<Text>,
    }
}

diesel::table! {
    compliance_cases (id) {
        id -> BigInt,
        org_id -> BigInt,
        membership_id -> BigInt,
        status -> Text,
        ended_at -> Timestamp,
        remind_on -> Nullable<Date>,
        reminded_at -> Nullable<Timestamp>,
        pseudonym -> Nullable<Text>,
        anonymized_at -> Nullable<Timestamp>,
        anonymized_by_kind -> Nullable<Text>,
        anonymized_by_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    audit_redaction_permits (id) {
        id -> BigInt,
        org_id -> Nullable<BigInt>,
    }
}

diesel::joinable!(memberships -> users (user_id));
diesel::joinable!(compliance_cases -> memberships (membership_id));
diesel::joinable!(compliance_cases -> organizations (org_id));
diesel::joinable!(invitations -> memberships (membership_id));
diesel::joinable!(invitations -> organizations (org_id));
diesel::joinable!(memberships -> organizations (org_id));
diesel::joinable!(units -> organizations (org_id));
diesel::joinable!(membership_units -> memberships (membership_id));
diesel::joinable!(membership_units -> units (unit_id));
diesel::joinable!(membership_tags -> memberships (membership_id));
diesel::joinable!(membership_tags -> tags (tag_id));
diesel::joinable!(org_role_holders -> memberships (membership_id));
diesel::joinable!(role_assignments -> roles (role_id));
diesel::joinable!(role_assignments -> memberships (membership_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(content_actions -> content_modules (module_id));
diesel::joinable!(role_grants -> roles (role_id));
diesel::joinable!(member_adjustments -> memberships (membership_id));
diesel::table! {
    link_keys (id) {
        id -> BigInt,
        secret -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    technical_users (id) {
        id -> BigInt,
        org_id -> BigInt,
        membership_id -> BigInt,
        name -> Text,
        description -> Text,
        removed_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    api_keys (id) {
        id -> BigInt,
        org_id -> BigInt,
        technical_user_id -> BigInt,
        name -> Text,
        public_id -> Text,
        secret_hash -> Text,
        scopes -> Text,
        expires_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        created_by_kind -> Text,
        created_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> BigInt,
        user_id -> BigInt,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    pending_sign_ins (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        method -> Text,
        next_path -> Nullable<Text>,
        expires_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sso_providers (id) {
        id -> BigInt,
        org_id -> BigInt,
        public_id -> Text,
        name -> Text,
        issuer -> Text,
        client_id -> Text,
        client_secret_sealed -> Text,
        allowed_domains -> Text,
        groups_claim -> Text,
        just_in_time -> Bool,
        enabled -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    sso_group_mappings (id) {
        id -> BigInt,
        provider_id -> BigInt,
        group_name -> Text,
        role_id -> BigInt,
        unit_id -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sso_identities (id) {
        id -> BigInt,
        provider_id -> BigInt,
        subject -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        last_sign_in_at -> Timestamp,
    }
}

diesel::table! {
    sso_logins (state_hash) {
        state_hash -> Text,
        provider_id -> BigInt,
        nonce -> Text,
        pkce_verifier -> Text,
        next_path -> Nullable<Text>,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    sso_assignments (assignment_id) {
        assignment_id -> BigInt,
        provider_id -> BigInt,
    }
}

diesel::table! {
    support_sessions (id) {
        id -> BigInt,
        org_id -> BigInt,
        staff_id -> BigInt,
        membership_id -> BigInt,
        reason -> Text,
        started_at -> Timestamp,
        expires_at -> Timestamp,
        ended_at -> Nullable<Timestamp>,
        end_reason -> Nullable<Text>,
    }
}

diesel::table! {
    audit_deletion_permits (id) {
        id -> BigInt,
        org_id -> BigInt,
    }
}

diesel::joinable!(support_sessions -> organizations (org_id));
diesel::joinable!(support_sessions -> platform_staff (staff_id));
diesel::joinable!(api_keys -> technical_users (technical_user_id));
diesel::joinable!(sso_group_mappings -> sso_providers (provider_id));
diesel::joinable!(sso_identities -> sso_providers (provider_id));
diesel::joinable!(sso_assignments -> role_assignments (assignment_id));
diesel::joinable!(sso_providers -> organizations (org_id));
diesel::joinable!(api_keys -> organizations (org_id));
diesel::joinable!(technical_users -> memberships (membership_id));
diesel::joinable!(item_assignees -> items (item_id));
diesel::joinable!(access_requests -> organizations (org_id));

diesel::table! {
    scim_resources (id) {
        id -> BigInt,
        org_id -> BigInt,
        kind -> Text,
        public_id -> Text,
        name_key -> Text,
        external_id -> Nullable<Text>,
        membership_id -> Nullable<BigInt>,
        unit_id -> Nullable<BigInt>,
        document -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}


diesel::table! {
    review_plans (id) {
        id -> BigInt,
        org_id -> BigInt,
        name -> Text,
        population -> Text,
        reviewers -> Text,
        schedule -> Text,
        duration_days -> Integer,
        keep_needs_comment -> Bool,
        no_response -> Text,
        escalation_days -> Integer,
        inactive_days -> Integer,
        next_start_at -> Nullable<Timestamp>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    review_campaigns (id) {
        id -> BigInt,
        org_id -> BigInt,
        plan_id -> BigInt,
        state -> Text,
        started_at -> Timestamp,
        deadline_at -> Timestamp,
        escalation_until -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        reminded_at -> Nullable<Timestamp>,
        plan_snapshot -> Text,
    }
}

diesel::table! {
    review_items (id) {
        id -> BigInt,
        org_id -> BigInt,
        campaign_id -> BigInt,
        assignment_id -> Nullable<BigInt>,
        membership_id -> BigInt,
        role_id -> Nullable<BigInt>,
        unit_id -> Nullable<BigInt>,
        member_name -> Text,
        role_name -> Text,
        unit_name -> Nullable<Text>,
        helpers -> Text,
        state -> Text,
        decision -> Nullable<Text>,
        comment -> Nullable<Text>,
        decided_by -> Nullable<BigInt>,
        decided_by_kind -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        proposed -> Nullable<Text>,
        proposed_by -> Nullable<BigInt>,
        proposed_at -> Nullable<Timestamp>,
        proposed_comment -> Nullable<Text>,
        applied_at -> Nullable<Timestamp>,
        org_role -> Nullable<Text>,
    }
}

diesel::table! {
    review_item_reviewers (item_id, membership_id) {
        item_id -> BigInt,
        membership_id -> BigInt,
    }
}

diesel::table! {
    digest_subscriptions (id) {
        id -> BigInt,
        org_id -> BigInt,
        membership_id -> BigInt,
        unit_id -> Nullable<BigInt>,
        scope_key -> BigInt,
        frequency -> Text,
        since -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    digest_sends (id) {
        id -> BigInt,
        org_id -> BigInt,
        membership_id -> BigInt,
        scope_key -> BigInt,
        period -> Text,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    policies (id) {
        id -> BigInt,
        org_id -> BigInt,
        kind -> Text,
        title -> Text,
        body -> Text,
        url -> Nullable<Text>,
        recurrence_months -> Nullable<Integer>,
        due_days -> Integer,
        unit_id -> Nullable<BigInt>,
        published_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
        checked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    policy_acceptances (id) {
        id -> BigInt,
        org_id -> BigInt,
        policy_id -> BigInt,
        membership_id -> BigInt,
        done_at -> Timestamp,
        actor_kind -> Text,
    }
}

diesel::table! {
    policy_reminders (id) {
        id -> BigInt,
        org_id -> BigInt,
        policy_id -> BigInt,
        membership_id -> BigInt,
        due_at -> Timestamp,
        stage -> Text,
        sent_at -> Timestamp,
    }
}

diesel::joinable!(policy_acceptances -> policies (policy_id));
diesel::joinable!(review_campaigns -> review_plans (plan_id));
diesel::joinable!(review_items -> review_campaigns (campaign_id));
diesel::joinable!(review_item_reviewers -> review_items (item_id));

diesel::table! {
    staff_review_plan (id) {
        id -> Integer,
        schedule -> Text,
        duration_days -> Integer,
        no_response -> Text,
        inactive_days -> Integer,
        next_start_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
        updated_by_kind -> Text,
        updated_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    staff_review_campaigns (id) {
        id -> BigInt,
        state -> Text,
        started_at -> Timestamp,
        deadline_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
        reminded_at -> Nullable<Timestamp>,
        plan_snapshot -> Text,
        started_by_kind -> Text,
        started_by_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    staff_review_items (id) {
        id -> BigInt,
        campaign_id -> BigInt,
        staff_id -> BigInt,
        staff_name -> Text,
        staff_email -> Text,
        staff_role -> Text,
        helpers -> Text,
        reviewers -> Text,
        decision -> Nullable<Text>,
        comment -> Nullable<Text>,
        decided_by_kind -> Nullable<Text>,
        decided_by -> Nullable<BigInt>,
        decided_by_name -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(staff_review_items -> staff_review_campaigns (campaign_id));

diesel::allow_tables_to_appear_in_same_query!(
    staff_review_plan,
    staff_review_campaigns,
    staff_review_items,
    platform_staff,
    policies,
    policy_acceptances,
    policy_reminders,
    digest_subscriptions,
    digest_sends,
    review_plans,
    review_campaigns,
    review_items,
    review_item_reviewers,
    scim_resources,
    users,
    organizations,
    units,
    memberships,
    membership_units,
    tags,
    membership_tags,
    org_role_holders,
    roles,
    role_assignments,
    audit_events,
    email_outbox,
    sessions,
    sign_in_throttle,
    content_modules,
    content_actions,
    role_grants,
    member_adjustments,
    items,
    item_assignees,
    access_tokens,
    invitations,
    member_imports,
    access_requests,
    compliance_cases,
    audit_redaction_permits,
    link_keys,
    technical_users,
    api_keys,
    recovery_codes,
    pending_sign_ins,
    sso_providers,
    sso_group_mappings,
    sso_identities,
    sso_logins,
    sso_assignments,
    support_sessions,
    audit_deletion_permits,
);
