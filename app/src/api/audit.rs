//! The audit log for whoever holds `audit.view` (the whole log, the log of their units, or their
//! own actions, as the engine's reach says): filtered, newest first, a page of 50 at a time, each
//! event with its before/after as a readable difference in the reader's language.
use crate::error::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// One changed field, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub id: i64,
    pub occurred_at: DateTime<Utc>,
    /// Who, in words ("Dana Owner", "Cara Success (staff, acting as administrator)", "the
    /// background user", "Reporting · hr-report").
    pub actor: String,
    /// What kind of actor, in words.
    pub actor_kind: String,
    /// What happened, in words.
    pub action: String,
    /// What it happened to, in words (its kind and name or number).
    pub target: String,
    pub unit: Option<String>,
    pub changes: Vec<ChangeView>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub events: Vec<EventView>,
    /// The id to go on from for the next (older) page; absent on the last one.
    pub next: Option<i64>,
    /// The filter refused, in words (the form keeps what was typed; nothing is listed).
    pub error: Option<String>,
    /// The reader sees only part of the log (their units or their own actions), in words.
    pub scope_note: Option<String>,
    pub can_export: bool,
    /// Choices of the filter form: (value, words).
    pub actor_kinds: Vec<(String, String)>,
    pub actions: Vec<(String, String)>,
    pub target_kinds: Vec<(String, String)>,
    /// (id, depth, name) in tree order.
    pub units: Vec<(i64, usize, String)>,
}

/// The page size of the audit log.
pub const PAGE: i64 = 50;

/// The audit log page's data. The filter's fields are the page's query parameters, as typed.
#[allow(clippy::too_many_arguments)]
#[server(input = GetUrl, endpoint = "audit")]
pub async fn get_audit(
    org: String,
    who: Option<String>,
    actor_kind: Option<String>,
    action: Option<String>,
    target_kind: Option<String>,
    target_id: Option<String>,
    unit: Option<String>,
    from: Option<String>,
    to: Option<String>,
    before: Option<i64>,
) -> Result<AuditPage, AppError> {
    let filter = gatehouse_domain::audit_log::FilterInput { who, actor_kind, action, target_kind, target_id, unit, from, to };
    use crate::i18n::{audit_actor_kind_label, audit_target_kind_label, t, Msg};
    use gatehouse_domain::audit_log::{ACTOR_KINDS, TARGET_KINDS};
    let ctx = crate::api::server::in_org(org).await?;
    let (me, now, locale) = (ctx.m.id, ctx.now, ctx.c.locale);
    let Ok(scope) = server::scope(&ctx.policy, me, "audit.view", now) else {
        // Refused with the engine's reasons and whom to ask.
        ctx.require("audit.view", &gatehouse_domain::authz::Target::Organization).await?;
        return Err(AppError::NotFound);
    };
    let can_export = server::scope(&ctx.policy, me, "audit.export", now).is_ok();
    let policy = ctx.policy.clone();
    let units: Vec<(i64, usize, String)> = policy.tree.walk().into_iter().map(|(d, n)| (n.id.0, d, n.name.clone())).collect();
    let actor_kinds = ACTOR_KINDS.iter().map(|k| (k.to_string(), audit_actor_kind_label(locale, k))).collect();
    let target_kinds = TARGET_KINDS.iter().map(|k| (k.to_string(), audit_target_kind_label(locale, k))).collect();
    let actions = server::action_choices(locale);
    let scope_note = match &scope {
        gatehouse_db::views::audit::Scope::All => None,
        gatehouse_db::views::audit::Scope::Units(_) => Some(t(locale, Msg::AuditScopeUnits).to_string()),
        gatehouse_db::views::audit::Scope::Own(_) => Some(t(locale, Msg::AuditScopeOwn).to_string()),
    };
    let mut page = AuditPage { events: vec![], next: None, error: None, scope_note, can_export, actor_kinds, actions, target_kinds, units };
    let checked = match filter.check(&ctx.org.time_zone) {
        Ok(f) => f,
        Err(e) => {
            page.error = Some(crate::i18n::invalid_input(locale, &e));
            return Ok(page);
        }
    };
    let unit_ids = match server::unit_ids(&policy, checked.unit) {
        Ok(u) => u,
        Err(e) => {
            page.error = Some(crate::i18n::invalid_input(locale, &e));
            return Ok(page);
        }
    };
    let org_id = ctx.org.id;
    let rows = crate::api::server::db(&ctx.c.state, move |conn| gatehouse_db::views::audit::page(conn, org_id, &scope, &checked, unit_ids.as_deref(), before, PAGE + 1)).await?;
    page.next = if rows.len() as i64 > PAGE { rows.get(PAGE as usize - 1).map(|e| e.id) } else { None };
    page.events = rows.into_iter().take(PAGE as usize).map(|e| server::event_view(locale, &e)).collect();
    Ok(page)
}

#[cfg(feature = "ssr")]
pub mod server {
    use super::{ChangeView, EventView};
    use crate::i18n::{actor_label, audit_action_label, audit_field_label, audit_target_kind_label, t, tf, Msg};
    use chrono::{DateTime, Utc};
    use gatehouse_db::views::audit::{Event, Scope};
    use gatehouse_domain::authz::policy::{Policy, Reach};
    use gatehouse_domain::ids::MembershipId;
    use gatehouse_domain::locale::Locale;

    /// Which events `permission` (`audit.view` or `audit.export`) lets the member see: the whole
    /// log, their units' (with everything below), or their own actions; Err when none.
    pub fn scope(policy: &Policy, me: MembershipId, permission: &str, now: DateTime<Utc>) -> Result<Scope, ()> {
        match policy.reach(me, permission, now) {
            Reach::Organization => Ok(Scope::All),
            Reach::Units(us) => {
                let mut ids: Vec<i64> = us.iter().flat_map(|u| policy.tree.subtree(*u)).map(|u| u.0).collect();
                ids.sort_unstable();
                ids.dedup();
                Ok(Scope::Units(ids))
            }
            Reach::Own => Ok(Scope::Own(me.0)),
            Reach::Nothing => Err(()),
        }
    }

    /// The units a unit filter takes: the unit and everything below it; refused when the
    /// organization has no such unit.
    pub fn unit_ids(policy: &Policy, unit: Option<i64>) -> Result<Option<Vec<i64>>, gatehouse_domain::DomainError> {
        match unit {
            None => Ok(None),
            Some(u) if policy.tree.get(gatehouse_domain::ids::UnitId(u)).is_some() => Ok(Some(policy.tree.subtree(gatehouse_domain::ids::UnitId(u)).into_iter().map(|u| u.0).collect())),
            Some(u) => Err(gatehouse_domain::DomainError::InvalidValue { field: "unit", value: u.to_string() }),
        }
    }

    /// The actions a reader can filter by: each family (`role.` — "roles: all"), then every
    /// action with words, sorted by its words.
    pub fn action_choices(locale: Locale) -> Vec<(String, String)> {
        let mut singles: Vec<(String, String)> = crate::i18n::AUDIT_ACTIONS.iter().map(|(a, m)| (a.to_string(), t(locale, *m).to_string())).collect();
        singles.sort_by(|a, b| a.1.to_lowercase().cmp(&b.1.to_lowercase()));
        let mut families: Vec<&str> = crate::i18n::AUDIT_ACTIONS.iter().filter_map(|(a, _)| a.split_once('.').map(|(f, _)| f)).collect();
        families.sort_unstable();
        families.dedup();
        families
            .into_iter()
            .map(|f| (format!("{f}."), tf(locale, Msg::AuditActionFamily, &[("family", &audit_target_kind_label(locale, f))]))) // not user text: an action family key
            .chain(singles)
            .collect()
    }

    /// An event in the reader's words.
    pub fn event_view(locale: Locale, e: &Event) -> EventView {
        let target = match (&e.target_name, e.target_id) {
            (Some(n), _) => tf(locale, Msg::AuditTargetNamed, &[("kind", &audit_target_kind_label(locale, &e.target_kind)), ("name", n)]),
            (None, Some(id)) => tf(locale, Msg::AuditTargetNumbered, &[("kind", &audit_target_kind_label(locale, &e.target_kind)), ("id", &id.to_string())]),
            (None, None) => audit_target_kind_label(locale, &e.target_kind),
        };
        let yes_no = |v: Option<String>| match v.as_deref() {
            Some("true") => Some(t(locale, Msg::Yes).to_string()),
            Some("false") => Some(t(locale, Msg::No).to_string()),
            _ => v,
        };
        EventView {
            id: e.id,
            occurred_at: e.occurred_at,
            actor: actor_label(locale, &e.actor_kind, e.actor_name.as_deref()),
            actor_kind: crate::i18n::audit_actor_kind_label(locale, &e.actor_kind),
            action: audit_action_label(locale, &e.action),
            target,
            unit: e.unit_name.clone(),
            changes: gatehouse_domain::audit_log::diff(e.before.as_ref(), e.after.as_ref())
                .into_iter()
                .map(|c| ChangeView { field: audit_field_label(locale, &c.field), before: yes_no(c.before), after: yes_no(c.after) })
                .collect(),
            request_id: e.request_id.clone(),
        }
    }
}
