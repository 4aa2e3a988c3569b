//! Server functions for leaving and anonymization: the compliance page (open and anonymized
//! cases, the automatic anonymization setting), one case (everything linked to the person, the
//! pseudonym to confirm, the reminder) and the "end of membership" section of a member's page.
//! compliance.view_links opens the pages; compliance.anonymize (reserved for compliance
//! managers; owners hold everything) offers the anonymization.
use crate::error::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseItem {
    pub id: i64,
    pub member: i64,
    pub name: String,
    pub anonymized: bool,
    pub ended_at: DateTime<Utc>,
    pub remind_on: Option<NaiveDate>,
    pub anonymized_at: Option<DateTime<Utc>>,
    pub anonymized_by: Option<String>,
    pub auto_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompliancePageView {
    pub open: Vec<CaseItem>,
    pub anonymized: Vec<CaseItem>,
    pub auto_days: Option<i32>,
    /// May change the automatic anonymization (compliance.anonymize organization-wide).
    pub may_configure: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedGroup {
    pub kind: String,
    pub count: i64,
    /// (text, when)
    pub lines: Vec<(String, Option<DateTime<Utc>>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseView {
    pub case: CaseItem,
    pub linked: Vec<LinkedGroup>,
    /// The pseudonym to type, for whoever may anonymize this open case.
    pub pseudonym: Option<String>,
    pub may_anonymize: bool,
}

/// A linked row in the reader's words: items under their module's name, permissions by their
/// label, requests by kind and status, audit events by what happened.
#[cfg(feature = "ssr")]
fn linked_text(locale: gatehouse_domain::locale::Locale, policy: &gatehouse_domain::authz::policy::Policy, kind: &str, l: &gatehouse_db::compliance::LinkedLine) -> String {
    use crate::i18n::{audit_action_label, t, tf, Msg};
    match (kind, l.code.as_deref()) {
        ("adjustments", Some(k)) => {
            let m = if k == "add" { Msg::LinkAdded } else { Msg::LinkWithdrawn };
            tf(locale, m, &[("permission", &crate::explain::permission_label(locale, policy, &l.text))])
        }
        ("requests_made" | "requests_decided", Some(code)) => {
            let (k, status) = code.split_once('|').unwrap_or((code, ""));
            let what = match k {
                "role" => Msg::LinkReqRole,
                "permission" => Msg::LinkReqPermission,
                _ => Msg::LinkReqUnit,
            };
            format!("{} · {} · {}", l.text, t(locale, what), crate::pages::requests::status_label(locale, status))
        }
        ("audit_events", Some(action)) => audit_action_label(locale, action),
        ("items_created" | "items_owned" | "items_assigned", Some(module)) => {
            let name = policy.modules.iter().find(|m| m.key == module).map(|m| locale.pick(&m.en, &m.de).clone());
            format!("{}: {}", name.unwrap_or_else(|| module.to_string()), l.text)
        }
        _ => l.text.clone(),
    }
}

/// The "end of membership" section of a member's page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeavingView {
    pub status: String,
    pub end_date: Option<NaiveDate>,
    /// members.terminate for this member (never oneself), membership active.
    pub may_end: bool,
    /// The compliance case, for whoever may open it.
    pub case: Option<i64>,
}

#[cfg(feature = "ssr")]
fn item(r: &gatehouse_db::compliance::CaseRow, locale: gatehouse_domain::locale::Locale) -> CaseItem {
    use crate::i18n::{t, Msg};
    CaseItem {
        id: r.id,
        member: r.membership.0,
        name: r.name.clone(),
        anonymized: r.anonymized,
        ended_at: r.ended_at,
        remind_on: r.remind_on,
        anonymized_at: r.anonymized_at,
        anonymized_by: match r.anonymized_by_kind.as_deref() {
            Some("background") => Some(t(locale, Msg::CompAutomatic).to_string()),
            Some("system" | "staff") => Some(t(locale, Msg::CompOperator).to_string()),
            _ => r.anonymized_by.clone(),
        },
        auto_at: r.auto_at,
    }
}

#[server(input = GetUrl, endpoint = "compliance")]
pub async fn get_compliance(org: String) -> Result<CompliancePageView, AppError> {
    use gatehouse_domain::authz::Target;
    let ctx = crate::api::server::in_org(org).await?;
    ctx.require("compliance.view_links", &Target::Organization).await?;
    let may_configure = ctx.policy.check(ctx.m.id, "compliance.anonymize", &Target::Organization, ctx.now).allowed;
    let (org_id, locale) = (ctx.org.id, ctx.c.locale);
    crate::api::server::db(&ctx.c.state, move |conn| {
        Ok(CompliancePageView {
            open: gatehouse_db::compliance::cases(conn, org_id, true, 500)?.iter().map(|r| item(r, locale)).collect(),
            anonymized: gatehouse_db::compliance::cases(conn, org_id, false, 100)?.iter().map(|r| item(r, locale)).collect(),
            auto_days: gatehouse_db::compliance::auto_days(conn, org_id)?,
            may_configure,
        })
    })
    .await
}

#[server(input = GetUrl, endpoint = "compliance-case")]
pub async fn get_case(org: String, id: i64, link: Option<String>) -> Result<CaseView, AppError> {
    use gatehouse_domain::authz::Target;
    let ctx = crate::api::server::in_org(org).await?;
    ctx.email_link(link, gatehouse_domain::links::Subject::ComplianceCase(id), format!("/o/{}/compliance/{id}", ctx.org.slug)).await?;
    ctx.require("compliance.view_links", &Target::Organization).await?;
    let (org_id, policy, me, now, locale) = (ctx.org.id, ctx.policy.clone(), ctx.m.id, ctx.now, ctx.c.locale);
    crate::api::server::db(&ctx.c.state, move |conn| {
        let row = gatehouse_db::compliance::case(conn, org_id, id)?;
        let units = gatehouse_db::authz::member_units(conn, org_id, row.membership)?;
        let may_anonymize = !row.anonymized
            && row.membership != me
            && policy.check(me, "compliance.anonymize", &Target::Member { id: row.membership, units }, now).allowed;
        let pseudonym = if may_anonymize { Some(gatehouse_db::compliance::pseudonym_for(conn, org_id, row.membership)?) } else { None };
        let linked = gatehouse_db::compliance::linked(conn, org_id, row.membership, 20)?
            .into_iter()
            .map(|k| {
                let lines = k.lines.into_iter().map(|l| (linked_text(locale, &policy, &k.kind, &l), l.at)).collect();
                LinkedGroup { kind: k.kind, count: k.count, lines }
            })
            .collect();
        Ok(CaseView { case: item(&row, locale), linked, pseudonym, may_anonymize })
    })
    .await
}

/// The "end of membership" section for whoever may see this member's page (or end it).
#[cfg(feature = "ssr")]
pub async fn leaving(ctx: &crate::api::server::Ctx, member: gatehouse_domain::ids::MembershipId) -> Result<LeavingView, AppError> {
    use gatehouse_domain::authz::Target;
    let (org_id, policy, me, now) = (ctx.org.id, ctx.policy.clone(), ctx.m.id, ctx.now);
    crate::api::server::db(&ctx.c.state, move |conn| {
        let (status, end_date) = gatehouse_db::compliance::membership_state(conn, org_id, member)?.ok_or(gatehouse_db::DbError::NotFound)?;
        let units = gatehouse_db::authz::member_units(conn, org_id, member)?;
        let target = Target::Member { id: member, units };
        let may_end = status == "active" && member != me && policy.check(me, "members.terminate", &target, now).allowed;
        let sees_cases = policy.check(me, "compliance.view_links", &Target::Organization, now).allowed;
        let case = if sees_cases { gatehouse_db::compliance::case_of(conn, org_id, member)? } else { None };
        Ok(LeavingView { status, end_date, may_end, case })
    })
    .await
}
