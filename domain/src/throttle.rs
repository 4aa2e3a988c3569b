//! Throttling of password checks (sign-in, and every re-entry of a password), per account and
//! per client address.
//!
//! After `free_failures` failures inside `window`, each further attempt must wait; the wait
//! doubles with every failure up to `max_lockout`. An attempt is counted *before* its password
//! is checked ([`ThrottlePolicy::attempt`], stored atomically), so parallel guesses are counted
//! like sequential ones; a correct password then clears the account's record and takes back
//! its own count from the client address's ([`ThrottlePolicy::undo`]).
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub free_failures: u32,
    pub window: Duration,
    pub base_lockout: Duration,
    pub max_lockout: Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            free_failures: 5,
            window: Duration::minutes(15),
            base_lockout: Duration::seconds(30),
            max_lockout: Duration::minutes(15),
        }
    }
}

/// What the database remembers for one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureRecord {
    pub failures: u32,
    pub window_started_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl ThrottlePolicy {
    /// Per account (its address): 5 free failures.
    pub fn per_account() -> Self {
        Self::default()
    }

    /// Per client address: 20, since many people may share one address (an office behind NAT)
    /// and one of them must not lock out the others.
    pub fn per_client() -> Self {
        Self { free_failures: 20, ..Self::default() }
    }

    /// `Err(retry_after)` when the key must wait before trying again.
    pub fn check(&self, rec: Option<&FailureRecord>, now: DateTime<Utc>) -> Result<(), Duration> {
        match rec.and_then(|r| r.locked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
    }

    /// One more attempt at `now`: `Err(retry_after)` while the key must wait (nothing counted),
    /// else the record with this attempt counted as a failure until its password proves right.
    pub fn attempt(&self, rec: Option<&FailureRecord>, now: DateTime<Utc>) -> Result<FailureRecord, Duration> {
        self.check(rec, now)?;
        Ok(self.record_failure(rec, now))
    }

    /// Takes back one counted attempt (its password was right): the lock it caused goes too.
    pub fn undo(&self, rec: &FailureRecord) -> FailureRecord {
        let failures = rec.failures.saturating_sub(1);
        let locked_until = if failures > self.free_failures { rec.locked_until } else { None };
        FailureRecord { failures, window_started_at: rec.window_started_at, locked_until }
    }

    /// The record after one more failure at `now`.
    pub fn record_failure(&self, rec: Option<&FailureRecord>, now: DateTime<Utc>) -> FailureRecord {
        let (failures, started) = match rec {
            Some(r) if now < r.window_started_at + self.window => (r.failures + 1, r.window_started_at),
            _ => (1, now),
        };
        let locked_until = if failures > self.free_failures {
            let over = (failures - self.free_failures - 1).min(16);
            let wait = self.base_lockout * 2i32.pow(over);
            Some(now + wait.min(self.max_lockout))
        } else {
            None
        };
        FailureRecord { failures, window_started_at: started, locked_until }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn five_free_failures_then_doubling_lockouts_capped() {
        let p = ThrottlePolicy::default();
        let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let mut rec = None;
        for i in 0..5 {
            assert!(p.check(rec.as_ref(), t0).is_ok(), "attempt {i} free");
            rec = Some(p.record_failure(rec.as_ref(), t0));
        }
        assert!(p.check(rec.as_ref(), t0).is_ok());
        rec = Some(p.record_failure(rec.as_ref(), t0)); // 6th failure: locked 30 s
        assert_eq!(p.check(rec.as_ref(), t0), Err(Duration::seconds(30)));
        assert!(p.check(rec.as_ref(), t0 + Duration::seconds(30)).is_ok());
        rec = Some(p.record_failure(rec.as_ref(), t0 + Duration::seconds(31))); // 7th: 60 s
        assert_eq!(rec.unwrap().locked_until, Some(t0 + Duration::seconds(91)));
        for _ in 0..20 {
            rec = Some(p.record_failure(rec.as_ref(), t0 + Duration::seconds(40)));
        }
        assert_eq!(rec.unwrap().locked_until, Some(t0 + Duration::seconds(40) + Duration::minutes(15)));
        // After the window passes, counting starts afresh.
        let later = t0 + Duration::hours(1);
        let fresh = p.record_failure(rec.as_ref(), later);
        assert_eq!((fresh.failures, fresh.locked_until), (1, None));
    }

    #[test]
    fn attempts_are_counted_before_the_password_is_checked() {
        let p = ThrottlePolicy::default();
        let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        let mut rec: Option<FailureRecord> = None;
        // Six attempts pass the check (the sixth locks), the seventh must wait.
        for i in 0..6 {
            rec = Some(p.attempt(rec.as_ref(), t0).unwrap_or_else(|_| panic!("attempt {i} allowed")));
        }
        assert_eq!(p.attempt(rec.as_ref(), t0), Err(Duration::seconds(30)));
        assert_eq!(rec.unwrap().failures, 6, "a refused attempt counts nothing");
        // A right password takes back its own count, and the lock that count caused.
        let undone = p.undo(&rec.unwrap());
        assert_eq!((undone.failures, undone.locked_until), (5, None));
        let one = p.attempt(None, t0).unwrap();
        assert_eq!(p.undo(&one).failures, 0);
        // Undoing one of many keeps the lock the earlier failures earned.
        let mut many = rec.unwrap();
        for _ in 0..3 {
            many = p.record_failure(Some(&many), t0 + Duration::minutes(1));
        }
        assert!(p.undo(&many).locked_until.is_some());
    }
}
