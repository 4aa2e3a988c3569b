use crate::schema::{membership_units as mu, memberships as m};
use crate::{on, Conn, DbError};
use diesel::prelude::*;
use gatehouse_domain::ids::{OrgId, UnitId};
use gatehouse_domain::views::UnitLine;
use std::collections::{HashMap, HashSet};

/// The unit tree in display order, with direct and subtree member counts (each person once,
/// anonymized memberships and role holders not counted).
pub fn tree_lines(conn: &mut Conn<'_>, org: OrgId) -> Result<Vec<UnitLine>, DbError> {
    let tree = crate::units::tree(conn, org)?;
    let pairs: Vec<(i64, i64)> = on!(conn, c => mu::table
        .inner_join(m::table)
        .filter(m::org_id.eq(org.0))
        .filter(m::role_holder_only.eq(false))
        .filter(m::status.ne("anonymized"))
        .select((mu::unit_id, mu::membership_id))
        .load(c))?;
    let mut direct: HashMap<UnitId, i64> = HashMap::new();
    let mut below: HashMap<UnitId, HashSet<i64>> = HashMap::new();
    for (unit, member) in pairs {
        let unit = UnitId(unit);
        *direct.entry(unit).or_default() += 1;
        for anc in tree.path(unit) {
            below.entry(anc).or_default().insert(member);
        }
    }
    Ok(tree
        .walk()
        .into_iter()
        .map(|(depth, n)| UnitLine {
            id: n.id,
            parent: n.parent,
            depth,
            name: n.name.clone(),
            kind: n.kind.clone(),
            direct_members: direct.get(&n.id).copied().unwrap_or(0),
            total_members: below.get(&n.id).map(|s| s.len() as i64).unwrap_or(0),
            has_children: !tree.children(n.id).is_empty(),
        })
        .collect())
}
