//! Counts kept for a moment: counting reads every matching membership, so the dashboard's
//! figures and the members list's totals are counted at most every `max_age` per instance, and
//! with a background counter ([`CountsCache::refreshed_by`]) never on a reader's request once
//! they have been counted once.
use super::dashboard::Figures;
use crate::{Conn, Db, DbError};
use gatehouse_domain::ids::OrgId;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// What an instance has counted: the dashboard's figures and the members list's totals (per
/// filter), each kept for `max_age` and forgotten at once when a form post or an import changes
/// something through this instance ([`CountsCache::forget`]). Kept, a dashboard costs what its
/// worklists cost and a list page what its rows cost, whatever the organization's size. Another
/// instance's change (or one from a link in mail) shows within `max_age`.
///
/// With a background counter, a count older than `max_age` is still answered at once (it is at
/// most `max_age` plus one count old) while the counter thread counts it again: no reader waits
/// for a count over the whole organization except the very first one after a change.
pub struct CountsCache {
    kept: Arc<Kept>,
    counter: Option<Mutex<mpsc::Sender<Job>>>,
}

struct Kept {
    max_age: Duration,
    /// Moves on at every `forget`: a count begun before a change is not kept after it.
    epoch: AtomicU64,
    figures: Map<OrgId, Figures>,
    totals: Map<(OrgId, String), u64>,
    /// One lock per count under way on a request: readers missing the same count together (right
    /// after a change, or on a fresh instance) wait for the first one's count instead of each
    /// counting the organization again.
    flights: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

struct Entry<T> {
    at: Instant,
    value: T,
    /// A background count of this entry is under way.
    counting: bool,
}

type Job = Box<dyn FnOnce(&mut Conn<'_>) + Send>;

type Map<K, T> = Mutex<HashMap<K, Entry<T>>>;

/// Entries kept at most per map (a crawler paging through every search would otherwise grow the
/// totals).
const MAX_TOTALS: usize = 10_000;

/// What a lookup found.
enum Found<T> {
    Fresh(T),
    /// Older than `max_age`; `true` when this caller should have it counted again.
    Stale(T, bool),
    Missing,
}

fn look<K: std::hash::Hash + Eq, T: Clone>(map: &Mutex<HashMap<K, Entry<T>>>, key: &K, max_age: Duration, background: bool) -> Found<T> {
    let mut map = map.lock().expect("counts cache");
    match map.get_mut(key) {
        Some(e) if e.at.elapsed() < max_age => Found::Fresh(e.value.clone()),
        Some(e) if background => {
            let start = !e.counting;
            e.counting = true;
            Found::Stale(e.value.clone(), start)
        }
        _ => Found::Missing,
    }
}

impl Kept {
    fn flight(&self, key: String) -> Arc<Mutex<()>> {
        let mut flights = self.flights.lock().expect("counts flights");
        if flights.len() >= MAX_TOTALS {
            // Only coordination is lost: a reader whose lock went counts on its own.
            flights.retain(|_, f| Arc::strong_count(f) > 1);
        }
        flights.entry(key).or_default().clone()
    }

    fn keep<K: std::hash::Hash + Eq, T>(&self, map: &Mutex<HashMap<K, Entry<T>>>, key: K, value: T, epoch: u64) {
        let mut map = map.lock().expect("counts cache");
        // Counted before a change that was forgotten meanwhile: not kept (the next reader counts).
        if self.epoch.load(Ordering::SeqCst) != epoch {
            return;
        }
        if map.len() >= MAX_TOTALS {
            map.retain(|_, e| e.at.elapsed() < self.max_age);
            if map.len() >= MAX_TOTALS {
                map.clear();
            }
        }
        map.insert(key, Entry { at: Instant::now(), value, counting: false });
    }

    fn failed<K: std::hash::Hash + Eq, T>(&self, map: &Mutex<HashMap<K, Entry<T>>>, key: &K) {
        if let Some(e) = map.lock().expect("counts cache").get_mut(key) {
            e.counting = false;
        }
    }
}

impl CountsCache {
    pub fn new(max_age: Duration) -> Self {
        Self {
            kept: Arc::new(Kept { max_age, epoch: AtomicU64::new(0), figures: Default::default(), totals: Default::default(), flights: Default::default() }),
            counter: None,
        }
    }

    /// Counts stale entries again on a thread of their own, with connections from `db`, instead
    /// of on the request that found them stale. The thread ends with the cache.
    pub fn refreshed_by(mut self, db: Db) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new().name("gatehouse-counts".into()).spawn(move || {
            while let Ok(job) = rx.recv() {
                if let Err(e) = db.with(|c| {
                    job(c);
                    Ok(())
                }) {
                    tracing::warn!(error = %e, "counting in the background: no connection");
                }
            }
        });
        match spawned {
            Ok(_) => self.counter = Some(Mutex::new(tx)),
            Err(e) => tracing::warn!(error = %e, "no background counter: counting on requests"),
        }
        self
    }

    fn send(&self, job: Job) -> bool {
        match &self.counter {
            Some(tx) => tx.lock().expect("counts counter").send(job).is_ok(),
            None => false,
        }
    }

    /// Kept (fresh, or stale while the background counter counts it again), or counted here
    /// by `count` — by one reader at a time per `flight` key: the others wait for its answer.
    #[allow(clippy::too_many_arguments)]
    fn kept_or_counted<K, T>(
        &self,
        conn: &mut Conn<'_>,
        map: fn(&Kept) -> &Map<K, T>,
        key: K,
        flight: String,
        what: &'static str,
        count: impl FnOnce(&mut Conn<'_>) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError>
    where
        K: std::hash::Hash + Eq + Clone + Send + 'static,
        T: Clone + Send + 'static,
    {
        let kept = &self.kept;
        let count = match look(map(kept), &key, kept.max_age, self.counter.is_some()) {
            Found::Fresh(v) | Found::Stale(v, false) => return Ok(v),
            Found::Stale(v, true) => {
                let (k, epoch, job_key) = (kept.clone(), kept.epoch.load(Ordering::SeqCst), key.clone());
                // The job owns the count; if it cannot be sent it is counted here instead.
                let job = Arc::new(Mutex::new(Some(count)));
                let for_job = job.clone();
                let sent = self.send(Box::new(move |c| {
                    let Some(count) = for_job.lock().expect("count job").take() else { return };
                    match count(c) {
                        Ok(fresh) => k.keep(map(&k), job_key, fresh, epoch),
                        Err(e) => {
                            tracing::warn!(error = %e, count = what, "counting in the background");
                            k.failed(map(&k), &job_key);
                        }
                    }
                }));
                if sent {
                    return Ok(v);
                }
                let left = job.lock().expect("count job").take();
                match left {
                    Some(count) => count,
                    None => return Ok(v),
                }
            }
            Found::Missing => count,
        };
        let flight = kept.flight(flight);
        let _one_count = flight.lock().unwrap_or_else(|e| e.into_inner());
        // Counted by the reader this one waited for.
        if let Found::Fresh(v) = look(map(kept), &key, kept.max_age, false) {
            return Ok(v);
        }
        let epoch = kept.epoch.load(Ordering::SeqCst);
        let v = count(conn)?;
        kept.keep(map(kept), key, v.clone(), epoch);
        Ok(v)
    }

    /// The dashboard's figures for `org`.
    pub fn figures(&self, conn: &mut Conn<'_>, org: OrgId, now: chrono::DateTime<chrono::Utc>) -> Result<Figures, DbError> {
        // not user text: a key for one count at a time
        let flight = format!("figures|{}", org.0);
        self.kept_or_counted(conn, |k| &k.figures, org, flight, "dashboard figures", move |c| super::dashboard::figures(c, org, now))
    }

    /// The total for `filter` (a description of everything but sorting and paging), counted by
    /// `count` when not kept, or in the background when kept but stale.
    pub fn total(&self, conn: &mut Conn<'_>, org: OrgId, filter: String, count: impl FnOnce(&mut Conn<'_>) -> Result<u64, DbError> + Send + 'static) -> Result<u64, DbError> {
        // not user text: a key for one count at a time
        let flight = format!("total|{}|{filter}", org.0);
        self.kept_or_counted(conn, |k| &k.totals, (org, filter), flight, "members total", count)
    }

    /// After changes in organizations not known one by one (an import run to its end).
    pub fn forget_all(&self) {
        self.kept.epoch.fetch_add(1, Ordering::SeqCst);
        self.kept.figures.lock().expect("counts cache").clear();
        self.kept.totals.lock().expect("counts cache").clear();
    }

    /// After a change to the organization's members, units, roles or tags.
    pub fn forget(&self, org: OrgId) {
        self.kept.epoch.fetch_add(1, Ordering::SeqCst);
        self.kept.figures.lock().expect("counts cache").remove(&org);
        self.kept.totals.lock().expect("counts cache").retain(|(o, _), _| *o != org);
    }
}

impl Default for CountsCache {
    fn default() -> Self {
        Self::new(Duration::from_secs(2))
    }
}
