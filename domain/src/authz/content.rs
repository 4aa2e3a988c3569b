//! Content modules (data, declared per organization) and the rules for items: the creator rule,
//! ownership and bulk operations (SPEC.md "Creator rule"; seeds users-and-roles-de, user-levels).
use super::{check, Decision, Reason, Roles, Subject, Target};
use crate::member::MemberKind;
use crate::units::UnitTree;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One action of a content module, e.g. `alerts.share`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentAction {
    pub key: String,
    pub en: String,
    pub de: String,
    /// Concerns people's data: grants carry aggregate-only or individual visibility.
    pub about_people: bool,
}

/// A content module declared by a template or an organization's admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentModule {
    pub key: String,
    pub en: String,
    pub de: String,
    pub actions: Vec<ContentAction>,
}

impl ContentModule {
    pub fn permission_keys(&self) -> impl Iterator<Item = String> + '_ {
        self.actions.iter().map(|a| format!("{}.{}", self.key, a.key))
    }

    pub fn has_action(&self, action: &str) -> bool {
        self.actions.iter().any(|a| a.key == action)
    }
}

/// Builds a module from `(action, en, de, about_people)` rows.
pub fn module(key: &str, en: &str, de: &str, actions: &[(&str, &str, &str, bool)]) -> ContentModule {
    ContentModule {
        key: key.into(),
        en: en.into(),
        de: de.into(),
        actions: actions
            .iter()
            .map(|(k, en, de, people)| ContentAction { key: (*k).into(), en: (*en).into(), de: (*de).into(), about_people: *people })
            .collect(),
    }
}

/// Validates a module or action key: lowercase ASCII letters, digits and underscores.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 40 && key.starts_with(|c: char| c.is_ascii_lowercase()) && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// What someone wants to do with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemOp {
    View,
    Edit,
    Delete,
    /// Bulk delete or replace: limited to the item's creator (seed users-and-roles-de).
    BulkDelete,
}

impl ItemOp {
    /// The item operation a content permission asks about, when it is one the item rules decide
    /// (the creator rule applies to view, edit and delete): `view`, `edit_any`, `delete_any`.
    pub fn for_action(action: &str) -> Option<ItemOp> {
        match action {
            "view" => Some(ItemOp::View),
            "edit_any" => Some(ItemOp::Edit),
            "delete_any" => Some(ItemOp::Delete),
            _ => None,
        }
    }
}

fn creator_rule(subject: &Subject, module: &str, item: &Target, roles: &impl Roles, tree: &UnitTree, now: DateTime<Utc>) -> Option<Decision> {
    let Target::Item { creator, .. } = item else { return None };
    if *creator != Some(subject.membership) {
        return None;
    }
    let create = format!("{module}.create");
    let d = check(subject, &create, item, roles, tree, now);
    d.allowed.then(|| Decision { allowed: true, visibility: d.visibility, reasons: vec![Reason::CreatorRule { create_permission: create }] })
}

fn either(a: Decision, b: Option<Decision>) -> Decision {
    match b {
        Some(b) if !a.allowed => b,
        Some(b) => Decision { reasons: a.reasons.into_iter().chain(b.reasons).collect(), ..a },
        None => a,
    }
}

/// Decides an operation on an item of `module`: `view` / `edit_any` / `delete_any` at a scope
/// covering the item, or — for the item's creator — holding `create` there (the creator rule).
/// Bulk delete or replace needs the creator and the right to delete.
pub fn check_item(subject: &Subject, module: &str, op: ItemOp, item: &Target, roles: &impl Roles, tree: &UnitTree, now: DateTime<Utc>) -> Decision {
    let is_creator = matches!(item, Target::Item { creator, .. } if *creator == Some(subject.membership));
    match op {
        ItemOp::View => either(check(subject, &format!("{module}.view"), item, roles, tree, now), creator_rule(subject, module, item, roles, tree, now)),
        ItemOp::Edit => either(check(subject, &format!("{module}.edit_any"), item, roles, tree, now), creator_rule(subject, module, item, roles, tree, now)),
        ItemOp::Delete => either(check(subject, &format!("{module}.delete_any"), item, roles, tree, now), creator_rule(subject, module, item, roles, tree, now)),
        ItemOp::BulkDelete => {
            // Owners hold everything, but a bulk replace of someone else's item is still refused:
            // the rule protects against accidental loss, not against a lack of rights.
            if !is_creator {
                return Decision { allowed: false, visibility: None, reasons: vec![Reason::BulkLimitedToCreator] };
            }
            check_item(subject, module, ItemOp::Delete, item, roles, tree, now)
        }
    }
}

/// Why someone cannot be named owner of an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OwnerRefusal {
    /// Auditors and read-only externals never own items (seed user-levels).
    Kind(MemberKind),
    /// The module declares an `own` action and the member does not hold it (seed user-levels:
    /// employees "can't own items").
    NotPermitted { permission: String },
}

/// May `candidate` (of `kind`) be named owner of `item` in `module`?
#[allow(clippy::too_many_arguments)]
pub fn may_own(
    candidate: &Subject,
    kind: MemberKind,
    module: &ContentModule,
    item: &Target,
    roles: &impl Roles,
    tree: &UnitTree,
    now: DateTime<Utc>,
) -> Result<(), OwnerRefusal> {
    if !kind.may_own_items() {
        return Err(OwnerRefusal::Kind(kind));
    }
    if module.has_action("own") {
        let permission = format!("{}.own", module.key);
        // Ownership is about the member themself: their "own" scope must reach the item once
        // they own it, so ask as if they did.
        let as_owned = match item {
            Target::Item { creator, assignees, unit, .. } => {
                Target::Item { creator: *creator, owner: Some(candidate.membership), assignees: assignees.clone(), unit: *unit }
            }
            other => other.clone(),
        };
        if !check(candidate, &permission, &as_owned, roles, tree, now).allowed {
            return Err(OwnerRefusal::NotPermitted { permission });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_operations_by_action() {
        assert_eq!(ItemOp::for_action("view"), Some(ItemOp::View));
        assert_eq!(ItemOp::for_action("edit_any"), Some(ItemOp::Edit));
        assert_eq!(ItemOp::for_action("delete_any"), Some(ItemOp::Delete));
        assert_eq!(ItemOp::for_action("publish_public"), None);
    }
}
