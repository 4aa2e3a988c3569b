//! Counts kept for a moment: counting reads every matching membership, so the dashboard's
//! figures and the members list's totals are counted at most every `max_age` per instance.
use super::dashboard::Figures;
use crate::{Conn, DbError};
use gatehouse_domain::ids::OrgId;
use std::collections::HashMap;

/// What an instance has counted: the dashboard's figures and the members list's totals (per
/// filter), each kept for at most `max_age` and forgotten at once when a form post or an import
/// changes something through this instance ([`CountsCache::forget`]). Kept, a dashboard costs
/// what its worklists cost and a list page what its rows cost, whatever the organization's
/// size. Another instance's change (or one from a link in mail) shows within `max_age`.
pub struct CountsCache {
    max_age: std::time::Duration,
    figures: std::sync::Mutex<HashMap<OrgId, (std::time::Instant, Figures)>>,
    totals: std::sync::Mutex<HashMap<(OrgId, String), (std::time::Instant, u64)>>,
}

/// Totals kept at most (a crawler paging through every search would otherwise grow the map).
const MAX_TOTALS: usize = 10_000;

impl CountsCache {
    pub fn new(max_age: std::time::Duration) -> Self {
        Self { max_age, figures: Default::default(), totals: Default::default() }
    }

    pub fn figures(&self, conn: &mut Conn<'_>, org: OrgId) -> Result<Figures, DbError> {
        if let Some((at, f)) = self.figures.lock().expect("counts cache").get(&org) {
            if at.elapsed() < self.max_age {
                return Ok(f.clone());
            }
        }
        let fresh = super::dashboard::figures(conn, org)?;
        self.figures.lock().expect("counts cache").insert(org, (std::time::Instant::now(), fresh.clone()));
        Ok(fresh)
    }

    /// The total for `filter` (a description of everything but sorting and paging), counted by
    /// `count` when not kept.
    pub fn total(&self, org: OrgId, filter: String, count: impl FnOnce() -> Result<u64, DbError>) -> Result<u64, DbError> {
        let key = (org, filter);
        if let Some((at, n)) = self.totals.lock().expect("counts cache").get(&key) {
            if at.elapsed() < self.max_age {
                return Ok(*n);
            }
        }
        let n = count()?;
        let mut totals = self.totals.lock().expect("counts cache");
        if totals.len() >= MAX_TOTALS {
            totals.retain(|_, (at, _)| at.elapsed() < self.max_age);
            if totals.len() >= MAX_TOTALS {
                totals.clear();
            }
        }
        totals.insert(key, (std::time::Instant::now(), n));
        Ok(n)
    }

    /// After changes in organizations not known one by one (an import run to its end).
    pub fn forget_all(&self) {
        self.figures.lock().expect("counts cache").clear();
        self.totals.lock().expect("counts cache").clear();
    }

    /// After a change to the organization's members, units, roles or tags.
    pub fn forget(&self, org: OrgId) {
        self.figures.lock().expect("counts cache").remove(&org);
        self.totals.lock().expect("counts cache").retain(|(o, _), _| *o != org);
    }
}

impl Default for CountsCache {
    fn default() -> Self {
        Self::new(std::time::Duration::from_secs(2))
    }
}
