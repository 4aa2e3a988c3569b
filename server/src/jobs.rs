//! Background work: delivering the email outbox. Safe with several instances on one
//! PostgreSQL (claims are leases taken with SKIP LOCKED), at least once per message, each with a
//! stable Message-ID.
use actix_web::web;
use chrono::Duration;
use gatehouse_app::state::AppState;
use gatehouse_db::outbox;
use gatehouse_mail::{Mailer, Rendered};

/// Messages claimed per round of [`deliver_due`]; a full round means more may be waiting.
pub const CLAIM_BATCH: i64 = 64;

/// Attempts before a message is marked failed (backoff 30 s doubling, capped at one hour).
pub const MAX_ATTEMPTS: i32 = 10;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    pub sent: usize,
    pub failed: usize,
}

/// Sends every message that is due now. Database work runs on the blocking pool.
pub async fn deliver_due(state: &AppState, mailer: &Mailer) -> Result<Delivery, String> {
    let now = state.clock.now();
    let db = state.db.clone();
    let claimed = web::block(move || db.tx(|c| outbox::claim_due(c, now, CLAIM_BATCH, Duration::minutes(5))))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    let mut d = Delivery::default();
    let mut queue = claimed.into_iter();
    let mut running = tokio::task::JoinSet::new();
    loop {
        // Messages go out in parallel, each over its own pooled SMTP connection (`--smtp-connections`):
        // lettre writes a message's body and its final dot separately, so one connection waits
        // out the peer's delayed ACK (about 40 ms) per message.
        while running.len() < mailer.connections() {
            let Some(m) = queue.next() else { break };
            let (state, mailer) = (state.clone(), mailer.clone());
            running.spawn_local(async move { deliver_one(&state, &mailer, m).await });
        }
        match running.join_next().await {
            Some(Ok(Ok(true))) => d.sent += 1,
            Some(Ok(Ok(false))) => d.failed += 1,
            Some(Ok(Err(e))) => return Err(e),
            Some(Err(e)) => return Err(e.to_string()),
            None => break,
        }
    }
    Ok(d)
}

/// Sends one claimed message and records the outcome: `Ok(true)` when sent.
async fn deliver_one(state: &AppState, mailer: &Mailer, m: outbox::Claimed) -> Result<bool, String> {
    let r = Rendered { template: "", subject: m.subject.clone(), text: m.text.clone(), html: m.html.clone() };
    let result = mailer.send(&m.to, &m.message_id, &r).await;
    let ok = result.is_ok();
    if let Err(e) = &result {
        tracing::warn!(outbox_id = m.id, attempts = m.attempts + 1, error = %e, "mail not delivered; will retry");
    }
    let db = state.db.clone();
    let now = state.clock.now();
    web::block(move || {
        db.with(|c| match &result {
            Ok(()) => outbox::mark_sent(c, m.id, now),
            Err(e) => outbox::mark_failed(c, m.id, m.attempts, &e.to_string(), now, MAX_ATTEMPTS),
        })
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    Ok(ok)
}

/// What one round of scheduled work did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Scheduled {
    pub reminders: usize,
    pub expired: usize,
    /// Access requests reminded and expired.
    pub request_reminders: usize,
    pub requests_expired: usize,
    /// Imports resumed after their driver stopped (its instance died) and run to the end.
    pub imports: usize,
    /// Memberships ended on their end date, compliance reminders sent, former members
    /// anonymized by their organization's automatic setting.
    pub memberships_ended: usize,
    pub compliance_reminders: usize,
    pub auto_anonymized: usize,
    /// The key signing mail links was older than `links::ROTATE_AFTER_DAYS` and was replaced.
    pub link_key_rotated: bool,
    /// Support sessions past their limit (or whose organization switched support off), ended.
    pub support_ended: usize,
    /// Organizations whose scheduled deletion was due, deleted.
    pub orgs_deleted: usize,
    /// Access reviews started (their reviewers mailed), and items settled at a deadline.
    pub reviews_started: usize,
    pub review_reminders: usize,
    pub review_items_settled: usize,
    /// Digests whose period ended, sent (each once per person, scope and period).
    pub digests_sent: usize,
    /// Reminders about policies and trainings (a week before the due date, once overdue).
    pub policy_reminders: usize,
    /// Reviews of platform staff started, reminder mails, and items settled at a deadline.
    pub staff_reviews_started: usize,
    pub staff_review_reminders: usize,
    pub staff_review_items_settled: usize,
}

/// The background users' scheduled work that is due now: invitation reminders (with a fresh
/// link, written to the outbox) and expiries, access request reminders and expiries, and
/// imports whose driver stopped; memberships past their end date, compliance reminders and
/// automatic anonymization; access reviews (of organizations and of platform staff); digests whose period ended; policy and training reminders. Safe to run on every instance at once.
pub async fn scheduled(state: &AppState) -> Result<Scheduled, String> {
    let now = state.clock.now();
    let (db, url) = (state.db.clone(), state.public_url.clone());
    let r = web::block(move || -> Result<Scheduled, gatehouse_db::DbError> {
        // First, so the mail below is signed with a current key.
        let max_age = chrono::Duration::days(gatehouse_db::links::ROTATE_AFTER_DAYS);
        let link_key_rotated = db.with(|c| gatehouse_db::links::rotate_if_older(c, max_age, gatehouse_domain::actor::Actor::System, now))?.is_some();
        let reminders = db.with(|c| gatehouse_db::invitations::remind_due(c, &url, now))?;
        let expired = db.with(|c| gatehouse_db::invitations::expire_due(c, now))?;
        let request_reminders = db.with(|c| gatehouse_db::requests::remind_due(c, &url, now))?;
        let requests_expired = db.with(|c| gatehouse_db::requests::expire_due(c, &url, now))?;
        let memberships_ended = db.with(|c| gatehouse_db::compliance::end_due(c, &url, now))?;
        let compliance_reminders = db.with(|c| gatehouse_db::compliance::remind_due(c, &url, now))?;
        let auto_anonymized = db.with(|c| gatehouse_db::compliance::auto_anonymize_due(c, now))?;
        let support_ended = db.with(|c| gatehouse_db::support::end_due(c, now))?;
        let orgs_deleted = db.with(|c| gatehouse_db::tenants::delete_due(c, now))?;
        let reviews_started = db.with(|c| gatehouse_db::reviews::start_due(c, &url, now))?.len();
        let review_reminders = db.with(|c| gatehouse_db::reviews::remind_due(c, &url, now))?;
        let review_items_settled = db.with(|c| gatehouse_db::reviews::sweep(c, now))?;
        let digests_sent = db.with(|c| gatehouse_db::digests::send_due(c, &url, now))?;
        let policy_reminders = db.with(|c| gatehouse_db::acknowledgments::remind_due(c, &url, now))?;
        let staff_reviews_started = db.with(|c| gatehouse_db::staff_reviews::start_due(c, &url, now))?.map_or(0, |_| 1);
        let staff_review_reminders = db.with(|c| gatehouse_db::staff_reviews::remind_due(c, &url, now))?;
        let staff_review_items_settled = db.with(|c| gatehouse_db::staff_reviews::sweep(c, now))?;
        Ok(Scheduled {
            reminders,
            expired,
            request_reminders,
            requests_expired,
            imports: 0,
            memberships_ended,
            compliance_reminders,
            auto_anonymized,
            link_key_rotated,
            support_ended,
            orgs_deleted,
            reviews_started,
            review_reminders,
            review_items_settled,
            digests_sent,
            policy_reminders,
            staff_reviews_started,
            staff_review_reminders,
            staff_review_items_settled,
        })
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())?;
    let r = Scheduled { imports: crate::imports::drive(state, None).await?, ..r };
    if r.reminders + r.expired + r.imports + r.request_reminders + r.requests_expired + r.memberships_ended + r.compliance_reminders + r.auto_anonymized + r.support_ended + r.orgs_deleted + r.reviews_started + r.review_reminders + r.review_items_settled + r.digests_sent + r.policy_reminders + r.staff_reviews_started + r.staff_review_reminders + r.staff_review_items_settled > 0
        || r.link_key_rotated
    {
        tracing::info!(
            reminders = r.reminders,
            expired = r.expired,
            imports = r.imports,
            request_reminders = r.request_reminders,
            requests_expired = r.requests_expired,
            memberships_ended = r.memberships_ended,
            compliance_reminders = r.compliance_reminders,
            auto_anonymized = r.auto_anonymized,
            link_key_rotated = r.link_key_rotated,
            support_ended = r.support_ended,
            orgs_deleted = r.orgs_deleted,
            reviews_started = r.reviews_started,
            review_reminders = r.review_reminders,
            review_items_settled = r.review_items_settled,
            digests_sent = r.digests_sent,
            policy_reminders = r.policy_reminders,
            staff_reviews_started = r.staff_reviews_started,
            staff_review_reminders = r.staff_review_reminders,
            staff_review_items_settled = r.staff_review_items_settled,
            "scheduled work done"
        );
    }
    Ok(r)
}
