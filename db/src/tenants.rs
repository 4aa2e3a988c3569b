//! A tenant's end: the sysadmin schedules an organization's deletion (typing its handle, with a
//! reason); the owners are mailed; it can be cancelled for [`GRACE_DAYS`]; when it is due the
//! background sweep deletes everything of the organization in one transaction — its units,
//! roles, members, requests, cases, keys, providers, mail and audit events — and the identities
//! that belonged to it alone. A platform-level audit event keeps that it happened, by whom and why.
use crate::audit::{self, AuditEntry};
use crate::schema::{organizations as o, platform_staff as ps};
use crate::{from_db, on, to_db, Conn, DbError};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gatehouse_domain::actor::Actor;
use gatehouse_domain::ids::{OrgId, StaffId};
use serde_json::json;

/// Days between scheduling a deletion and carrying it out.
pub const GRACE_DAYS: i64 = 30;

/// Schedules the organization's deletion: `confirm` must be its handle. Returns when it is due.
#[allow(clippy::too_many_arguments)]
pub fn schedule_deletion(conn: &mut Conn<'_>, org: OrgId, staff: StaffId, confirm: &str, reason: &str, public_url: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, DbError> {
    use gatehouse_domain::org_role::Audience;
    let reason = reason.trim();
    if reason.chars().count() < 3 || reason.chars().count() > 500 {
        return Err(gatehouse_domain::DomainError::InvalidValue { field: "reason", value: if reason.is_empty() { String::new() } else { reason.chars().take(80).collect() } }.into());
    }
    conn.transaction(|conn| {
        let settings = crate::orgs::settings(conn, org)?;
        if confirm.trim() != settings.slug {
            return Err(gatehouse_domain::DomainError::InvalidValue { field: "confirm", value: confirm.trim().to_string() }.into());
        }
        let due = now + chrono::Duration::days(GRACE_DAYS);
        let n = on!(conn, c => diesel::update(o::table.find(org.0).filter(o::deletion_due_at.is_null()))
            .set((o::deletion_due_at.eq(Some(to_db(due))), o::deletion_reason.eq(Some(reason)), o::deletion_requested_by.eq(Some(staff.0))))
            .execute(c))?;
        if n == 0 {
            return Err(DbError::Conflict(crate::Conflict::DeletionScheduled));
        }
        let actor = Actor::Staff { staff };
        audit::record(conn, now, &AuditEntry::new(Some(org), actor, "organization.deletion_scheduled", "organization", Some(org.0)).after(json!({"due": due, "reason": reason})))?;
        let staff_name: String = on!(conn, c => ps::table.find(staff.0).select(ps::display_name).first(c))?;
        for p in crate::members::mail_recipients(conn, org, Audience::Owners)? {
            let mail = gatehouse_mail::Mail::DeletionScheduled { name: p.name.clone(), staff: staff_name.clone(), org: settings.name.clone(), reason: reason.to_string(), due: crate::orgs::local_time(&settings.time_zone, due) };
            let r = gatehouse_mail::render(&mail, p.locale, public_url).map_err(|e| DbError::Config(e.to_string()))?;
            crate::outbox::enqueue(conn, &crate::outbox::NewMail { org: Some(org), to: &p.email, locale: p.locale.code(), template: r.template, subject: &r.subject, text: &r.text, html: &r.html }, actor, now)?;
        }
        Ok(due)
    })
}

/// Cancels a scheduled deletion (before it is due).
pub fn cancel_deletion(conn: &mut Conn<'_>, org: OrgId, staff: StaffId, now: DateTime<Utc>) -> Result<(), DbError> {
    conn.transaction(|conn| {
        let n = on!(conn, c => diesel::update(o::table.find(org.0).filter(o::deletion_due_at.is_not_null()))
            .set((o::deletion_due_at.eq(None::<chrono::NaiveDateTime>), o::deletion_reason.eq(None::<String>), o::deletion_requested_by.eq(None::<i64>)))
            .execute(c))?;
        if n == 0 {
            return Err(DbError::NotFound);
        }
        audit::record(conn, now, &AuditEntry::new(Some(org), Actor::Staff { staff }, "organization.deletion_cancelled", "organization", Some(org.0)))?;
        Ok(())
    })
}

/// When the organization's scheduled deletion is due, if one is.
pub fn deletion_due(conn: &mut Conn<'_>, org: OrgId) -> Result<Option<DateTime<Utc>>, DbError> {
    let due: Option<chrono::NaiveDateTime> = on!(conn, c => o::table.find(org.0).select(o::deletion_due_at).first(c))?;
    Ok(due.map(from_db))
}

/// The background sweep: every organization whose deletion is due is deleted, each in its own
/// transaction (one that fails stays for the next sweep). Returns how many.
pub fn delete_due(conn: &mut Conn<'_>, now: DateTime<Utc>) -> Result<usize, DbError> {
    let due: Vec<i64> = on!(conn, c => o::table.filter(o::deletion_due_at.le(to_db(now))).select(o::id).load(c))?;
    let mut n = 0;
    for id in due {
        match conn.transaction(|conn| delete_now(conn, OrgId(id), now)) {
            Ok(()) => n += 1,
            Err(e) => tracing::error!(org_id = id, error = %e, "deleting an organization failed; it stays for the next sweep"),
        }
    }
    Ok(n)
}

/// Deletes everything of the organization (call inside a transaction), then the identities that
/// belonged to it alone (no other membership, not platform staff).
fn delete_now(conn: &mut Conn<'_>, org: OrgId, now: DateTime<Utc>) -> Result<(), DbError> {
    let row: (String, String, i64, Option<String>, Option<i64>) =
        on!(conn, c => o::table.find(org.0).select((o::slug, o::name, o::background_user_id, o::deletion_reason, o::deletion_requested_by)).first(c))?;
    let (slug, name, background, reason, requested_by) = row;
    let people: Vec<Option<i64>> = {
        use crate::schema::memberships as m;
        on!(conn, c => m::table.filter(m::org_id.eq(org.0)).select(m::user_id).load(c))?
    };
    let o_ = org.0;
    // Children before parents; the organization's audit events only under a permit that lives
    // and dies inside this transaction.
    let statements = [
        format!("UPDATE sessions SET support_session_id = NULL WHERE support_session_id IN (SELECT id FROM support_sessions WHERE org_id = {o_})"),
        format!("UPDATE sessions SET last_org_id = NULL WHERE last_org_id = {o_}"),
        format!("DELETE FROM support_sessions WHERE org_id = {o_}"),
        format!("DELETE FROM scim_resources WHERE org_id = {o_}"),
        format!("DELETE FROM digest_sends WHERE org_id = {o_}"),
        format!("DELETE FROM policy_reminders WHERE org_id = {o_}"),
        format!("DELETE FROM policy_acceptances WHERE org_id = {o_}"),
        format!("DELETE FROM policies WHERE org_id = {o_}"),
        format!("DELETE FROM digest_subscriptions WHERE org_id = {o_}"),
        format!("DELETE FROM review_item_reviewers WHERE item_id IN (SELECT id FROM review_items WHERE org_id = {o_})"),
        format!("DELETE FROM review_items WHERE org_id = {o_}"),
        format!("DELETE FROM review_campaigns WHERE org_id = {o_}"),
        format!("DELETE FROM review_plans WHERE org_id = {o_}"),
        format!("DELETE FROM sso_assignments WHERE provider_id IN (SELECT id FROM sso_providers WHERE org_id = {o_})"),
        format!("DELETE FROM sso_logins WHERE provider_id IN (SELECT id FROM sso_providers WHERE org_id = {o_})"),
        format!("DELETE FROM sso_identities WHERE provider_id IN (SELECT id FROM sso_providers WHERE org_id = {o_})"),
        format!("DELETE FROM sso_group_mappings WHERE provider_id IN (SELECT id FROM sso_providers WHERE org_id = {o_})"),
        format!("DELETE FROM sso_providers WHERE org_id = {o_}"),
        format!("DELETE FROM api_keys WHERE org_id = {o_}"),
        format!("DELETE FROM technical_users WHERE org_id = {o_}"),
        format!("DELETE FROM item_assignees WHERE item_id IN (SELECT id FROM items WHERE org_id = {o_})"),
        format!("DELETE FROM items WHERE org_id = {o_}"),
        format!("DELETE FROM content_actions WHERE module_id IN (SELECT id FROM content_modules WHERE org_id = {o_})"),
        format!("DELETE FROM content_modules WHERE org_id = {o_}"),
        format!("DELETE FROM access_requests WHERE org_id = {o_}"),
        format!("DELETE FROM access_tokens WHERE org_id = {o_}"),
        format!("DELETE FROM invitations WHERE org_id = {o_}"),
        format!("DELETE FROM member_imports WHERE org_id = {o_}"),
        format!("DELETE FROM compliance_cases WHERE org_id = {o_}"),
        format!("DELETE FROM member_adjustments WHERE org_id = {o_}"),
        format!("DELETE FROM role_assignments WHERE org_id = {o_}"),
        format!("DELETE FROM role_grants WHERE role_id IN (SELECT id FROM roles WHERE org_id = {o_})"),
        format!("DELETE FROM roles WHERE org_id = {o_}"),
        format!("DELETE FROM org_role_holders WHERE org_id = {o_}"),
        format!("DELETE FROM membership_tags WHERE tag_id IN (SELECT id FROM tags WHERE org_id = {o_})"),
        format!("DELETE FROM tags WHERE org_id = {o_}"),
        format!("DELETE FROM membership_units WHERE unit_id IN (SELECT id FROM units WHERE org_id = {o_})"),
        format!("UPDATE units SET parent_id = NULL WHERE org_id = {o_}"),
        format!("DELETE FROM units WHERE org_id = {o_}"),
        format!("DELETE FROM email_outbox WHERE org_id = {o_}"),
        format!("INSERT INTO audit_deletion_permits (org_id) VALUES ({o_})"),
        format!("DELETE FROM audit_events WHERE org_id = {o_}"),
        format!("DELETE FROM audit_deletion_permits WHERE org_id = {o_}"),
        format!("DELETE FROM memberships WHERE org_id = {o_}"),
        format!("DELETE FROM organizations WHERE id = {o_}"),
    ];
    for sql in &statements {
        on!(conn, c => diesel::sql_query(sql.as_str()).execute(c))?;
    }
    // The identities that were this organization's alone: its background user, and people with
    // no membership left who are not platform staff.
    let mut gone = 0;
    let candidates: Vec<i64> = people.into_iter().flatten().chain(std::iter::once(background)).collect();
    for user in candidates {
        let u = user;
        let keep: i64 = on!(conn, c => diesel::sql_query(format!(
            "SELECT COUNT(*) AS n FROM users WHERE id = {u} AND (EXISTS (SELECT 1 FROM memberships WHERE user_id = {u}) OR EXISTS (SELECT 1 FROM platform_staff s WHERE s.email = users.email) OR EXISTS (SELECT 1 FROM organizations WHERE background_user_id = {u}))"
        ))
        .get_result::<Count>(c))?
        .n;
        if keep > 0 {
            continue;
        }
        for sql in [
            format!("DELETE FROM sessions WHERE user_id = {u}"),
            format!("DELETE FROM recovery_codes WHERE user_id = {u}"),
            format!("DELETE FROM pending_sign_ins WHERE user_id = {u}"),
            format!("DELETE FROM access_tokens WHERE user_id = {u}"),
            format!("DELETE FROM sso_identities WHERE user_id = {u}"),
            format!("DELETE FROM users WHERE id = {u}"),
        ] {
            on!(conn, c => diesel::sql_query(sql.as_str()).execute(c))?;
        }
        gone += 1;
    }
    let actor = match requested_by {
        Some(s) => Actor::Staff { staff: StaffId(s) },
        None => Actor::System,
    };
    audit::record(conn, now, &AuditEntry::new(None, actor, "organization.deleted", "organization", Some(org.0)).before(json!({"slug": slug, "name": name, "reason": reason, "identities_deleted": gone})))?;
    tracing::info!(org_id = org.0, identities = gone, "organization deleted");
    Ok(())
}

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
