//! Session lifetime: an idle timeout (default 30 min) and an absolute one (default 12 h).
use chrono::{DateTime, Duration, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
    /// Touch `last_seen` at most this often, so a busy session does not write on every request.
    pub touch_every: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self { idle: Duration::minutes(30), absolute: Duration::hours(12), touch_every: Duration::seconds(60) }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    /// Valid; `touch` says whether `last_seen` should be written now.
    Valid { touch: bool },
    IdleExpired,
    AbsoluteExpired,
}

impl SessionPolicy {
    pub fn state(&self, created: DateTime<Utc>, last_seen: DateTime<Utc>, now: DateTime<Utc>) -> SessionState {
        if now >= created + self.absolute {
            SessionState::AbsoluteExpired
        } else if now >= last_seen + self.idle {
            SessionState::IdleExpired
        } else {
            SessionState::Valid { touch: now >= last_seen + self.touch_every }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn idle_and_absolute_timeouts() {
        let p = SessionPolicy::default();
        let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
        assert_eq!(p.state(t0, t0, t0 + Duration::seconds(10)), SessionState::Valid { touch: false });
        assert_eq!(p.state(t0, t0, t0 + Duration::minutes(5)), SessionState::Valid { touch: true });
        assert_eq!(p.state(t0, t0, t0 + Duration::minutes(30)), SessionState::IdleExpired);
        // Active all day: the idle timer is fine but the absolute one ends it.
        let late = t0 + Duration::hours(12);
        assert_eq!(p.state(t0, late - Duration::minutes(1), late), SessionState::AbsoluteExpired);
        assert_eq!(
            p.state(t0, late - Duration::minutes(2), late - Duration::minutes(1)),
            SessionState::Valid { touch: true }
        );
    }
}
