//! Policies and trainings: what is asked of the reader and where they stand, and — for whoever
//! may manage policies somewhere — what they may publish, and for each policy they manage its
//! figures (auditors never counted) and where each person stands.
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// Where someone stands: `done` (at, and when it is asked again), `due` (by) or `overdue` (since).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandingView {
    pub state: String,
    pub at: DateTime<Utc>,
    pub renew_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyView {
    pub id: i64,
    /// policy or training.
    pub kind: String,
    pub title: String,
    pub body: String,
    pub url: Option<String>,
    /// None: once; else months.
    pub recurrence_months: Option<i32>,
    pub due_days: u32,
    pub unit: Option<String>,
    pub published_at: DateTime<Utc>,
    pub retired_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MineView {
    pub policy: PolicyView,
    pub standing: StandingView,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedView {
    pub policy: PolicyView,
    /// asked (auditors not counted), done, due, overdue, percent done.
    pub figures: (i64, i64, i64, i64, i64),
    /// Who has not done it yet (the first [`OPEN_SHOWN`]): name, whether they count (auditors do
    /// not), where they stand. Who did what when is in the users, roles & responsibilities
    /// document.
    pub people: Vec<(String, bool, StandingView)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoliciesView {
    pub mine: Vec<MineView>,
    /// Units where the reader may publish (id, depth, name); `org`: for everyone.
    pub publish_units: Vec<(i64, usize, String)>,
    pub publish_org: bool,
    pub managed: Vec<ManagedView>,
}

/// How many of those who have not done a policy its page names.
pub const OPEN_SHOWN: usize = 200;

#[cfg(feature = "ssr")]
pub(crate) fn standing_view(s: &gatehouse_domain::acknowledgments::Standing) -> StandingView {
    use gatehouse_domain::acknowledgments::Standing;
    match *s {
        Standing::Done { at, renew_at } => StandingView { state: "done".into(), at, renew_at },
        Standing::Due { by } => StandingView { state: "due".into(), at: by, renew_at: None },
        Standing::Overdue { since } => StandingView { state: "overdue".into(), at: since, renew_at: None },
    }
}

#[cfg(feature = "ssr")]
fn policy_view(r: gatehouse_db::acknowledgments::PolicyRow) -> PolicyView {
    PolicyView {
        id: r.id,
        kind: r.kind.as_str().to_string(),
        title: r.title,
        body: r.body,
        url: r.url,
        recurrence_months: r.recurrence.months(),
        due_days: r.due_days,
        unit: r.unit.map(|u| u.1),
        published_at: r.published_at,
        retired_at: r.retired_at,
    }
}

#[server(input = GetUrl, endpoint = "policies")]
pub async fn get_policies(org: String) -> Result<PoliciesView, AppError> {
    use gatehouse_domain::authz::Target;
    let ctx = crate::api::server::in_org(org).await?;
    let (org_id, me, now) = (ctx.org.id, ctx.m.id, ctx.now);
    let policy = ctx.policy.clone();
    let may = move |unit: Option<gatehouse_domain::ids::UnitId>| {
        let target = unit.map(Target::Unit).unwrap_or(Target::Organization);
        policy.check(me, "policies.manage", &target, now).allowed
    };
    let policy = ctx.policy.clone();
    crate::api::server::db(&ctx.c.state, move |conn| {
        let tree = &policy.tree;
        let mine = gatehouse_db::acknowledgments::mine(conn, org_id, tree, me, now)?
            .into_iter()
            .map(|(r, s)| MineView { standing: standing_view(&s), policy: policy_view(r) })
            .collect();
        let publish_units: Vec<(i64, usize, String)> = tree.walk().into_iter().filter(|(_, n)| may(Some(n.id))).map(|(d, n)| (n.id.0, d, n.name.clone())).collect();
        let publish_org = may(None);
        let mut managed = Vec::new();
        if publish_org || !publish_units.is_empty() {
            for r in gatehouse_db::acknowledgments::list(conn, org_id, tree)? {
                if !may(r.unit.as_ref().map(|u| u.0)) {
                    continue;
                }
                let asked = if r.retired_at.is_none() { gatehouse_db::acknowledgments::standings(conn, org_id, tree, &r, now)? } else { vec![] };
                let f = gatehouse_db::acknowledgments::tally(&asked);
                managed.push(ManagedView {
                    figures: (f.asked, f.done, f.due, f.overdue, f.percent()),
                    people: asked
                        .iter()
                        .filter(|a| !a.standing.is_done())
                        .take(OPEN_SHOWN)
                        .map(|a| (a.name.clone(), a.kind.counted_in_statistics(), standing_view(&a.standing)))
                        .collect(),
                    policy: policy_view(r),
                });
            }
        }
        Ok(PoliciesView { mine, publish_units, publish_org, managed })
    })
    .await
}
