//! Access reviews: the list (plans and campaigns for whoever runs reviews; a reviewer's own
//! campaigns for everyone else) and one campaign — the items its reader may decide, with their
//! decision helpers, and for whoever runs reviews every item with who decided what, when, on
//! which helper: the evidence.
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    pub id: i64,
    pub name: String,
    /// How often, in words.
    pub schedule: String,
    pub duration_days: i32,
    /// What an unanswered item becomes, in words.
    pub no_response: String,
    pub next_start_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignView {
    pub id: i64,
    pub plan: String,
    /// running or closed.
    pub state: String,
    pub started_at: DateTime<Utc>,
    pub deadline_at: DateTime<Utc>,
    pub total: i64,
    pub decided: i64,
    pub kept: i64,
    pub revoked: i64,
    pub progress: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewsView {
    pub can_run: bool,
    pub plans: Vec<PlanView>,
    pub campaigns: Vec<CampaignView>,
    /// Choices of the planning form: units (id, depth, name), roles (id, name), schedules and
    /// no-response policies (value, words).
    pub units: Vec<(i64, usize, String)>,
    pub roles: Vec<(i64, String)>,
    pub schedules: Vec<(String, String)>,
    pub no_responses: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemView {
    pub id: i64,
    pub member_name: String,
    pub role_name: String,
    pub unit_name: Option<String>,
    /// The decision helpers that speak against keeping, in words.
    pub helpers: Vec<String>,
    pub agrees_to_keep: bool,
    /// Where it stands, in words.
    pub state: String,
    pub decision: Option<String>,
    pub comment: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub may_decide: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub campaign: CampaignView,
    pub keep_needs_comment: bool,
    pub can_run: bool,
    pub items: Vec<ItemView>,
    /// Items the reader may keep in one go (pending, theirs, the helpers agree).
    pub agreed: i64,
}

#[server(input = GetUrl, endpoint = "reviews")]
pub async fn get_reviews(org: String) -> Result<ReviewsView, AppError> {
    use crate::i18n::{review_no_response_label, review_schedule_label};
    use gatehouse_domain::authz::Target;
    use gatehouse_domain::reviews::{Interval, NoResponse, Schedule};
    let ctx = crate::api::server::in_org(org).await?;
    let (org_id, me, now, locale) = (ctx.org.id, ctx.m.id, ctx.now, ctx.c.locale);
    let can_run = ctx.policy.check(me, "reviews.run", &Target::Organization, now).allowed;
    let policy = ctx.policy.clone();
    crate::api::server::db(&ctx.c.state, move |conn| {
        let mine = gatehouse_db::reviews::campaigns_reviewed_by(conn, org_id, me)?;
        let campaigns = gatehouse_db::reviews::campaigns(conn, org_id, None)?
            .into_iter()
            .filter(|c| can_run || mine.contains(&c.id))
            .map(|c| server::campaign_view(&c))
            .collect();
        let plans = if can_run {
            gatehouse_db::reviews::plans(conn, org_id)?
                .into_iter()
                .map(|p| PlanView {
                    id: p.id,
                    schedule: review_schedule_label(locale, &p.schedule),
                    no_response: review_no_response_label(locale, &p.no_response),
                    name: p.name,
                    duration_days: p.duration_days,
                    next_start_at: p.next_start_at.filter(|_| p.active),
                })
                .collect()
        } else {
            vec![]
        };
        let (units, roles) = if can_run {
            (
                policy.tree.walk().into_iter().map(|(d, n)| (n.id.0, d, n.name.clone())).collect(),
                gatehouse_db::roles::list(conn, org_id)?.into_iter().filter(|r| !r.retired).map(|r| (r.id.0, r.name)).collect(),
            )
        } else {
            (vec![], vec![])
        };
        let schedules = std::iter::once(Schedule::Once)
            .chain(Interval::ALL.into_iter().map(Schedule::Every))
            .map(|s| (s.as_str().to_string(), review_schedule_label(locale, s.as_str())))
            .collect();
        let no_responses = NoResponse::ALL.iter().map(|n| (n.as_str().to_string(), review_no_response_label(locale, n.as_str()))).collect();
        Ok(ReviewsView { can_run, plans, campaigns, units, roles, schedules, no_responses })
    })
    .await
}

/// An item's decision helpers (what speaks against keeping it) and where it stands, in words.
#[cfg(feature = "ssr")]
pub fn item_words(locale: gatehouse_domain::locale::Locale, i: &gatehouse_db::reviews::Item) -> (Vec<String>, String) {
    use crate::i18n::{t, tf, Msg};
    use gatehouse_domain::reviews::{Decision, ItemState};
    let decision_words = |d: Decision| t(locale, if d == Decision::Keep { Msg::ReviewKept } else { Msg::ReviewRevoked }).to_string();
    let mut helpers = Vec::new();
    if i.helpers.never_signed_in {
        helpers.push(t(locale, Msg::ReviewHelperNeverSignedIn).to_string());
    }
    if let Some(d) = i.helpers.inactive_days {
        helpers.push(tf(locale, Msg::ReviewHelperInactive, &[("days", &d.to_string())]));
    }
    if i.helpers.from_ended_request {
        helpers.push(t(locale, Msg::ReviewHelperEndedRequest).to_string());
    }
    if i.helpers.unusual_in_unit {
        helpers.push(t(locale, Msg::ReviewHelperUnusual).to_string());
    }
    let state = match i.state {
        ItemState::Pending => t(locale, Msg::ReviewPending).to_string(),
        ItemState::Escalated => t(locale, Msg::ReviewEscalated).to_string(),
        ItemState::Proposed(d) => tf(locale, Msg::ReviewProposed, &[("decision", &decision_words(d))]),
        ItemState::Final(d) => decision_words(d),
    };
    (helpers, state)
}

/// The role an item is about, in words: a role's name, or an organization role in the reader's
/// language.
#[cfg(feature = "ssr")]
pub fn role_words(locale: gatehouse_domain::locale::Locale, i: &gatehouse_db::reviews::Item) -> String {
    match &i.org_role {
        Some(key) => crate::i18n::org_role_label(locale, key),
        None => i.role_name.clone(),
    }
}

/// Who decided an item, in words: the person, or the kind of actor (the background user).
#[cfg(feature = "ssr")]
pub fn decider_words(locale: gatehouse_domain::locale::Locale, who: Option<&(i64, Option<String>, Option<DateTime<Utc>>, Option<String>)>) -> Option<String> {
    who.and_then(|(_, name, _, kind)| match (name, kind.as_deref()) {
        (Some(n), _) => Some(n.clone()),
        (None, Some(k)) => Some(crate::i18n::actor_label(locale, k, None)),
        _ => None,
    })
}

#[server(input = GetUrl, endpoint = "review")]
pub async fn get_review(org: String, id: i64, link: Option<String>) -> Result<ReviewView, AppError> {
    use gatehouse_domain::authz::Target;
    use gatehouse_domain::reviews::{CampaignState, ItemState};
    let ctx = crate::api::server::in_org(org).await?;
    ctx.email_link(link, gatehouse_domain::links::Subject::ReviewCampaign(id), format!("/o/{}/reviews/{id}", ctx.org.slug)).await?;
    let (org_id, me, now, locale) = (ctx.org.id, ctx.m.id, ctx.now, ctx.c.locale);
    let can_run = ctx.policy.check(me, "reviews.run", &Target::Organization, now).allowed;
    let loaded = crate::api::server::db(&ctx.c.state, move |conn| {
        let campaign = gatehouse_db::reviews::campaigns(conn, org_id, Some(id))?.into_iter().next().ok_or(gatehouse_db::DbError::NotFound)?;
        let plan = gatehouse_db::reviews::reviewer_plan(conn, org_id, id)?;
        let items = gatehouse_db::reviews::items(conn, org_id, id)?;
        let deciders = gatehouse_db::reviews::deciders(conn, org_id, id)?;
        Ok((campaign, plan, items, deciders))
    })
    .await?;
    let (campaign, plan, items, deciders) = loaded;
    let running = campaign.state == CampaignState::Running;
    let mine = |i: &gatehouse_db::reviews::Item| i.reviewers.contains(&me) || gatehouse_db::reviews::may_decide(i, &plan, running, me);
    if !can_run && !items.iter().any(mine) {
        // Neither running reviews nor reviewing here: refused with the reasons and whom to ask.
        ctx.require("reviews.run", &Target::Organization).await?;
    }
    let mut agreed = 0;
    let views = items
        .iter()
        .filter(|i| can_run || mine(i))
        .map(|i| {
            let may = gatehouse_db::reviews::may_decide(i, &plan, running, me);
            if may && i.state == ItemState::Pending && i.helpers.agrees_to_keep() {
                agreed += 1;
            }
            let (helpers, state) = item_words(locale, i);
            let decision = match i.state {
                ItemState::Final(d) => Some(d.as_str().to_string()),
                _ => None,
            };
            let who = deciders.iter().find(|(item, ..)| *item == i.id);
            let decided_by = decider_words(locale, who);
            ItemView {
                id: i.id,
                member_name: i.member_name.clone(),
                role_name: role_words(locale, i),
                unit_name: i.unit_name.clone(),
                agrees_to_keep: i.helpers.agrees_to_keep(),
                helpers,
                state,
                decision,
                comment: i.comment.clone(),
                decided_by,
                decided_at: who.and_then(|(_, _, at, _)| *at),
                may_decide: may,
            }
        })
        .collect();
    Ok(ReviewView { keep_needs_comment: campaign.keep_needs_comment, campaign: server::campaign_view(&campaign), can_run, items: views, agreed })
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::CampaignView;

    pub fn campaign_view(c: &gatehouse_db::reviews::CampaignLine) -> CampaignView {
        CampaignView {
            id: c.id,
            plan: c.plan.clone(),
            state: c.state.as_str().to_string(),
            started_at: c.started_at,
            deadline_at: c.escalation_until.unwrap_or(c.deadline_at),
            total: c.total,
            decided: c.decided,
            kept: c.kept,
            revoked: c.revoked,
            progress: gatehouse_domain::reviews::progress(c.decided, c.total),
        }
    }
}
