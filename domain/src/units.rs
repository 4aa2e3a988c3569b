//! The unit tree of one organization: divisions, teams, regions … any depth, kind is a label.
use crate::ids::UnitId;
use crate::DomainError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitNode {
    pub id: UnitId,
    pub parent: Option<UnitId>,
    pub name: String,
    pub kind: String,
}

/// An index over an organization's units. Units whose parent is missing are treated as roots.
#[derive(Debug, Clone, Default)]
pub struct UnitTree {
    nodes: HashMap<UnitId, UnitNode>,
    children: HashMap<Option<UnitId>, Vec<UnitId>>,
}

impl UnitTree {
    pub fn new(units: impl IntoIterator<Item = UnitNode>) -> Self {
        let nodes: HashMap<UnitId, UnitNode> = units.into_iter().map(|u| (u.id, u)).collect();
        let mut children: HashMap<Option<UnitId>, Vec<UnitId>> = HashMap::new();
        for u in nodes.values() {
            let parent = u.parent.filter(|p| nodes.contains_key(p));
            children.entry(parent).or_default().push(u.id);
        }
        for list in children.values_mut() {
            list.sort_by(|a, b| nodes[a].name.to_lowercase().cmp(&nodes[b].name.to_lowercase()).then(a.cmp(b)));
        }
        Self { nodes, children }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn get(&self, id: UnitId) -> Option<&UnitNode> {
        self.nodes.get(&id)
    }

    pub fn roots(&self) -> &[UnitId] {
        self.children.get(&None).map(Vec::as_slice).unwrap_or(&[])
    }

    pub fn children(&self, id: UnitId) -> &[UnitId] {
        self.children.get(&Some(id)).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The unit and every unit below it, parents before children.
    pub fn subtree(&self, id: UnitId) -> Vec<UnitId> {
        let mut out = Vec::new();
        if !self.nodes.contains_key(&id) {
            return out;
        }
        let mut stack = vec![id];
        while let Some(u) = stack.pop() {
            out.push(u);
            stack.extend(self.children(u).iter().rev().copied());
        }
        out
    }

    /// From the root down to the unit itself.
    pub fn path(&self, id: UnitId) -> Vec<UnitId> {
        let mut path = Vec::new();
        let mut cur = self.nodes.get(&id).map(|n| n.id);
        while let Some(u) = cur {
            if path.contains(&u) {
                break; // a cycle in stored data must not hang us
            }
            path.push(u);
            cur = self.nodes.get(&u).and_then(|n| n.parent).filter(|p| self.nodes.contains_key(p));
        }
        path.reverse();
        path
    }

    /// True when `unit` is `anchor` or lies below it.
    pub fn is_within(&self, unit: UnitId, anchor: UnitId) -> bool {
        self.path(unit).contains(&anchor)
    }

    pub fn depth(&self, id: UnitId) -> usize {
        self.path(id).len().saturating_sub(1)
    }

    /// Refuses to put a unit below itself or below one of its descendants.
    pub fn check_move(&self, unit: UnitId, new_parent: Option<UnitId>) -> Result<(), DomainError> {
        match new_parent {
            Some(p) if self.is_within(p, unit) => Err(DomainError::UnitCycle),
            _ => Ok(()),
        }
    }

    /// Depth-first order with depth, for rendering the tree as nested lists.
    pub fn walk(&self) -> Vec<(usize, &UnitNode)> {
        let mut out = Vec::with_capacity(self.nodes.len());
        let mut stack: Vec<(usize, UnitId)> = self.roots().iter().rev().map(|r| (0, *r)).collect();
        while let Some((d, u)) = stack.pop() {
            out.push((d, &self.nodes[&u]));
            stack.extend(self.children(u).iter().rev().map(|c| (d + 1, *c)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(id: i64, parent: Option<i64>, name: &str) -> UnitNode {
        UnitNode { id: UnitId(id), parent: parent.map(UnitId), name: name.into(), kind: "team".into() }
    }

    fn tree() -> UnitTree {
        // 1 Company ─┬ 2 Sales ── 4 North ── 5 Hamburg
        //            └ 3 Engineering
        // 6 Board (second root)
        UnitTree::new([
            n(1, None, "Company"),
            n(2, Some(1), "Sales"),
            n(3, Some(1), "Engineering"),
            n(4, Some(2), "North"),
            n(5, Some(4), "Hamburg"),
            n(6, None, "Board"),
        ])
    }

    #[test]
    fn subtree_path_and_membership_at_any_depth() {
        let t = tree();
        assert_eq!(t.subtree(UnitId(2)), vec![UnitId(2), UnitId(4), UnitId(5)]);
        assert_eq!(t.subtree(UnitId(1)).len(), 5);
        assert!(t.subtree(UnitId(99)).is_empty());
        assert_eq!(t.path(UnitId(5)), vec![UnitId(1), UnitId(2), UnitId(4), UnitId(5)]);
        assert!(t.is_within(UnitId(5), UnitId(2)));
        assert!(!t.is_within(UnitId(3), UnitId(2)));
        assert_eq!(t.depth(UnitId(5)), 3);
        assert_eq!(t.roots(), &[UnitId(6), UnitId(1)]); // sorted by name
    }

    #[test]
    fn moving_a_unit_below_its_own_descendant_is_refused() {
        let t = tree();
        assert_eq!(t.check_move(UnitId(2), Some(UnitId(5))), Err(DomainError::UnitCycle));
        assert_eq!(t.check_move(UnitId(2), Some(UnitId(2))), Err(DomainError::UnitCycle));
        assert!(t.check_move(UnitId(5), Some(UnitId(3))).is_ok());
        assert!(t.check_move(UnitId(5), None).is_ok());
    }

    #[test]
    fn walk_is_depth_first_with_depths_and_survives_orphans() {
        let t = UnitTree::new([n(1, None, "A"), n(2, Some(1), "B"), n(3, Some(42), "Orphan")]);
        let w: Vec<(usize, i64)> = t.walk().into_iter().map(|(d, u)| (d, u.id.0)).collect();
        assert_eq!(w, vec![(0, 1), (1, 2), (0, 3)]);
    }
}
