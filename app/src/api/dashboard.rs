//! The dashboard's figures and worklists.
#[cfg(feature = "ssr")]
use super::server;
use crate::error::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use gatehouse_domain::views::Dashboard;

#[server(input = GetUrl, endpoint = "dashboard")]
pub async fn get_dashboard(org: String) -> Result<Dashboard, AppError> {
    use gatehouse_domain::authz::Target;
    let ctx = server::in_org(org).await?;
    // Organization-wide figures: members.view across the organization (aggregate is enough).
    ctx.require("members.view", &Target::Organization).await?;
    let (org, me, now, policy, locale) = (ctx.org.id, ctx.m.id, ctx.now, ctx.policy.clone(), ctx.c.locale);
    let counts = ctx.c.state.counts.clone();
    server::db(&ctx.c.state, move |conn| {
        use gatehouse_domain::requests::Status;
        let f = counts.figures(conn, org, now)?;
        let mut d = gatehouse_db::views::dashboard::with_figures(conn, org, f)?;
        d.pending_requests = gatehouse_db::requests::list(conn, org, Some(Status::Pending), None, 200)?
            .into_iter()
            .filter(|r| gatehouse_domain::requests::may_decide(&policy, me, r.requester, &r.asked, now).is_ok())
            .map(|r| gatehouse_domain::views::PendingRequest { id: r.id, requester: r.requester_name.clone(), what: r.what(locale), created_at: r.created_at })
            .collect();
        d.expiring = gatehouse_db::views::dashboard::expiring(conn, org, now, now + chrono::Duration::days(14), 20)?;
        if policy.check(me, "reviews.run", &Target::Organization, now).allowed {
            d.review_progress = gatehouse_db::reviews::running(conn, org)?
                .into_iter()
                .take(8)
                .map(|c| (c.plan, gatehouse_domain::reviews::progress(c.decided, c.total)))
                .collect();
        }
        if policy.check(me, "compliance.view_links", &Target::Organization, now).allowed {
            d.compliance_cases = gatehouse_db::compliance::cases(conn, org, true, 20)?
                .into_iter()
                .map(|c| gatehouse_domain::views::OpenCase { id: c.id, name: c.name, ended_at: c.ended_at, remind_on: c.remind_on })
                .collect();
            d.compliance_open = Some(gatehouse_db::compliance::open_count(conn, org)?);
        }
        Ok(d)
    })
    .await
}

/// What waits for the signed-in member here: items of running access reviews they may decide
/// now (per review), and policies or trainings asked of them that are not done. Shown on the
/// dashboard and on their own page.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MyWork {
    /// Review id, name, answer by, items waiting.
    pub reviews: Vec<(i64, String, chrono::DateTime<chrono::Utc>, i64)>,
    /// Policies and trainings not done: due, and of those overdue.
    pub policies_open: i64,
    pub policies_overdue: i64,
}

#[server(input = GetUrl, endpoint = "my-work")]
pub async fn get_my_work(org: String) -> Result<MyWork, AppError> {
    let ctx = server::in_org(org).await?;
    let (org, me, now, policy) = (ctx.org.id, ctx.m.id, ctx.now, ctx.policy.clone());
    server::db(&ctx.c.state, move |conn| {
        let reviews = gatehouse_db::reviews::waiting_for(conn, org, me)?;
        let mut w = MyWork { reviews, ..Default::default() };
        for (_, s) in gatehouse_db::acknowledgments::mine(conn, org, &policy.tree, me, now)? {
            match s {
                gatehouse_domain::acknowledgments::Standing::Done { .. } => {}
                gatehouse_domain::acknowledgments::Standing::Due { .. } => w.policies_open += 1,
                gatehouse_domain::acknowledgments::Standing::Overdue { .. } => {
                    w.policies_open += 1;
                    w.policies_overdue += 1;
                }
            }
        }
        Ok(w)
    })
    .await
}
