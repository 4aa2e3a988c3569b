//! The decision point (DECISIONS.md): the organization's own application asks "may member M do
//! `module.action` on item I / at unit U?" and gets yes or no with the engine's explanation, or
//! "who may do it there?". The same engine and the same policy snapshot as the portal's pages;
//! the key needs `decisions.query`, carried and held for the whole organization.
use super::{json, KeyCaller, Problem};
use actix_web::{web, HttpResponse};
use gatehouse_app::i18n::{t, tf, Msg};
use gatehouse_domain::authz::{Decision, Target};
use gatehouse_domain::ids::UnitId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecisionQuery {
    /// The member's id (a membership of the key's organization) …
    pub member: Option<i64>,
    /// … or the member's email address.
    pub email: Option<String>,
    /// `module.action` (a content permission the organization declares) or a Gatehouse
    /// permission (`members.view`).
    pub permission: String,
    /// At this unit (its subtree's grants apply).
    pub unit: Option<i64>,
    /// On this content item (creator, owner and invited members count as "own").
    pub item: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Answer {
    pub allowed: bool,
    pub member: i64,
    pub permission: String,
    /// individual or aggregate, for a yes on a permission about people.
    pub visibility: Option<String>,
    /// Why, in the caller's language: for a yes every grant that allows it, for a no what was
    /// found and why it does not apply.
    pub explain: Vec<String>,
    /// The same reasons as data (the engine's `Reason`, tagged by kind).
    #[schema(value_type = Vec<Object>)]
    pub reasons: Vec<serde_json::Value>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WhoCanQuery {
    pub permission: String,
    pub unit: Option<i64>,
    pub item: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Holder {
    pub member: i64,
    pub name: String,
    pub explain: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WhoCan {
    pub permission: String,
    pub members: Vec<Holder>,
}

/// The target the question is about (with the item's module, for an item); a unit or item of
/// another organization is not found.
async fn target(k: &KeyCaller, unit: Option<i64>, item: Option<i64>) -> Result<(Target, Option<String>), Problem> {
    match (item, unit) {
        (Some(id), _) => {
            let org = k.auth.org;
            let row = k.read(move |c| gatehouse_db::items::get(c, org, id)).await?;
            Ok((row.target(), Some(row.module)))
        }
        (None, Some(u)) => {
            if k.policy.tree.get(UnitId(u)).is_none() {
                return Err(Problem::not_found(k.locale));
            }
            Ok((Target::Unit(UnitId(u)), None))
        }
        (None, None) => Ok((Target::Organization, None)),
    }
}

fn known(k: &KeyCaller, permission: &str) -> Result<(), Problem> {
    if k.policy.knows(permission) {
        Ok(())
    } else {
        Err(Problem::bad_request(k.locale, tf(k.locale, Msg::ApiProblemUnknownPermission, &[("permission", permission)])))
    }
}

fn answer(k: &KeyCaller, member: i64, permission: String, d: Decision) -> Answer {
    let explain = gatehouse_app::explain::reasons(k.locale, &k.policy, &permission, &d.reasons);
    Answer {
        allowed: d.allowed,
        member,
        visibility: d.visibility.map(|v| v.as_str().to_string()),
        explain,
        reasons: d.reasons.iter().filter_map(|r| serde_json::to_value(r).ok()).collect(),
        permission,
    }
}

/// May this member do this, there? Yes or no with the explanation. Needs `decisions.query`.
#[utoipa::path(get, path = "/api/v1/decision", tag = "decision point", params(DecisionQuery),
    responses((status = 200, body = Answer), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("api_key" = [])))]
pub async fn decision(k: KeyCaller, q: web::Query<DecisionQuery>) -> Result<HttpResponse, Problem> {
    k.require("decisions.query", &Target::Organization)?;
    let q = q.into_inner();
    known(&k, &q.permission)?;
    if q.member.is_none() && q.email.as_deref().is_none_or(|e| e.trim().is_empty()) {
        return Err(Problem::bad_request(k.locale, t(k.locale, Msg::ApiProblemMemberRequired).to_string()));
    }
    let (target, module) = target(&k, q.unit, q.item).await?;
    let org = k.auth.org;
    let (id, email) = (q.member, q.email.clone());
    let member = k.read(move |c| gatehouse_db::views::api::active_member(c, org, id, email.as_deref())).await?.ok_or_else(|| Problem::not_found(k.locale))?;
    // On an item of its own module, view / edit_any / delete_any are decided by the item rules
    // (the creator rule: whoever may create may edit and delete what they created).
    let op = q.permission.split_once('.').filter(|(m, _)| module.as_deref() == Some(*m)).and_then(|(_, a)| gatehouse_domain::authz::content::ItemOp::for_action(a));
    let d = match (op, module.as_deref()) {
        (Some(op), Some(m)) => k.policy.check_item(member, m, op, &target, k.now),
        _ => k.policy.check(member, &q.permission, &target, k.now),
    };
    Ok(json(&answer(&k, member.0, q.permission, d)))
}

/// Who may do this, there? Every member the engine allows, with why. Needs `decisions.query`.
#[utoipa::path(get, path = "/api/v1/who-can", tag = "decision point", params(WhoCanQuery),
    responses((status = 200, body = WhoCan), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("api_key" = [])))]
pub async fn who_can(k: KeyCaller, q: web::Query<WhoCanQuery>) -> Result<HttpResponse, Problem> {
    k.require("decisions.query", &Target::Organization)?;
    let q = q.into_inner();
    known(&k, &q.permission)?;
    let (target, _) = target(&k, q.unit, q.item).await?;
    let holders = k.policy.who_can(&q.permission, &target, k.now);
    let ids: Vec<_> = holders.iter().map(|(m, _)| *m).collect();
    let org = k.auth.org;
    let names: std::collections::HashMap<_, _> = k.read(move |c| gatehouse_db::items::names(c, org, &ids)).await?.into_iter().collect();
    let members = holders
        .into_iter()
        // Only the organization's members (a membership ended meanwhile has no name here).
        .filter_map(|(m, d)| {
            names.get(&m).map(|n| Holder { member: m.0, name: n.clone(), explain: gatehouse_app::explain::reasons(k.locale, &k.policy, &q.permission, &d.reasons) })
        })
        .collect();
    Ok(json(&WhoCan { permission: q.permission, members }))
}
