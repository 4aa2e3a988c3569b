//! Digests: what one person receives and may set up — the organization's digest at the default
//! or their own frequency, digests of units where they hold `digests.setup`, and the default for
//! whoever holds it organization-wide.
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoiceView {
    /// None: the organization's digest.
    pub unit: Option<(i64, String)>,
    /// off, weekly, monthly, quarterly.
    pub frequency: String,
    pub since: DateTime<Utc>,
    /// The last period sent (its key) and when.
    pub last_sent: Option<(String, DateTime<Utc>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestsView {
    pub org_name: String,
    pub default: String,
    pub may_set_default: bool,
    pub may_receive: bool,
    pub receives_by_default: bool,
    pub own: Option<ChoiceView>,
    pub units: Vec<ChoiceView>,
    pub setup_units: Vec<(i64, String)>,
    pub org_recipients: Option<usize>,
}

#[server(input = GetUrl, endpoint = "digests")]
pub async fn get_digests(org: String) -> Result<DigestsView, AppError> {
    let ctx = crate::api::server::in_org(org).await?;
    let (org_id, me, now, org_name) = (ctx.org.id, ctx.m.id, ctx.now, ctx.org.name.clone());
    let policy = ctx.policy.clone();
    let o = crate::api::server::db(&ctx.c.state, move |conn| gatehouse_db::digests::overview(conn, org_id, &policy, me, now)).await?;
    let view = |c: gatehouse_db::digests::Choice| ChoiceView { unit: c.unit.map(|(u, n)| (u.0, n)), frequency: c.frequency.as_str().to_string(), since: c.since, last_sent: c.last_sent };
    Ok(DigestsView {
        org_name,
        default: o.default.as_str().to_string(),
        may_set_default: o.may_set_default,
        may_receive: o.may_receive,
        receives_by_default: o.receives_by_default,
        own: o.own.map(view),
        units: o.units.into_iter().map(view).collect(),
        setup_units: o.setup_units.into_iter().map(|(u, n)| (u.0, n)).collect(),
        org_recipients: o.org_recipients,
    })
}
