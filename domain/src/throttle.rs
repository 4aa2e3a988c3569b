//! Throttling of failed sign-ins, per email address and per client address.
//!
//! After `free_failures` failures inside `window`, each further attempt must wait; the wait
//! doubles with every failure up to `max_lockout`. A success clears the record.
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
    /// `Err(retry_after)` when the key must wait before trying again.
    pub fn check(&self, rec: Option<&FailureRecord>, now: DateTime<Utc>) -> Result<(), Duration> {
        match rec.and_then(|r| r.locked_until) {
            Some(until) if until > now => Err(until - now),
            _ => Ok(()),
        }
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
}
