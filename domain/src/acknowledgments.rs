//! Acknowledgments and training (seed user-levels: accepting the Guidebook's instructions; seed
//! roles-responsibilities-isms: a yearly security training). An organization publishes a policy
//! to accept or a training to complete, for everyone or for a unit and everything below it, once
//! or again every so many months (yearly by default), with days to do it. Where each person
//! stands follows from when it was asked of them and when they last did it; the figures never
//! count auditors.
use crate::error::DomainError;
use chrono::{DateTime, Duration, Months, Utc};
use serde::{Deserialize, Serialize};

/// A policy is accepted; a training is completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Policy,
    Training,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Policy => "policy",
            Kind::Training => "training",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "policy" => Ok(Kind::Policy),
            "training" => Ok(Kind::Training),
            other => Err(DomainError::InvalidValue { field: "kind", value: other.to_string() }),
        }
    }
}

/// Once, or again every `n` months after it was last done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Recurrence {
    Once,
    EveryMonths(u32),
}

/// Yearly, the seeds' rhythm.
pub const DEFAULT_RECURRENCE: Recurrence = Recurrence::EveryMonths(12);

impl Recurrence {
    /// As stored: `None` for once, else the months.
    pub fn months(self) -> Option<i32> {
        match self {
            Recurrence::Once => None,
            Recurrence::EveryMonths(n) => Some(n as i32),
        }
    }

    pub fn from_months(m: Option<i32>) -> Recurrence {
        match m {
            Some(n) if n > 0 => Recurrence::EveryMonths(n as u32),
            _ => Recurrence::Once,
        }
    }

    /// From a form: `once`, or a number of months from 1 to 60.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        match s.trim() {
            "once" => Ok(Recurrence::Once),
            x => match x.parse::<u32>() {
                Ok(n) if (1..=60).contains(&n) => Ok(Recurrence::EveryMonths(n)),
                _ => Err(DomainError::InvalidValue { field: "recurrence", value: x.to_string() }),
            },
        }
    }
}

/// Days to do it: at least one, at most a year.
pub fn check_due_days(days: u32) -> Result<(), DomainError> {
    if (1..=365).contains(&days) {
        Ok(())
    } else {
        Err(DomainError::InvalidValue { field: "due_days", value: days.to_string() })
    }
}

/// Where one person stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Standing {
    /// Done; for a recurring one, until it is asked again (`renew_at`).
    Done { at: DateTime<Utc>, renew_at: Option<DateTime<Utc>> },
    /// To do by `by`.
    Due { by: DateTime<Utc> },
    /// Not done by `since`.
    Overdue { since: DateTime<Utc> },
}

impl Standing {
    pub fn is_done(&self) -> bool {
        matches!(self, Standing::Done { .. })
    }

    /// The due date this standing is about (none when done).
    pub fn due(&self) -> Option<DateTime<Utc>> {
        match self {
            Standing::Done { .. } => None,
            Standing::Due { by } => Some(*by),
            Standing::Overdue { since } => Some(*since),
        }
    }
}

/// Where someone stands on a policy asked of them at `asked` (its publication, or when they
/// joined, whichever is later), last done at `done`. A first time is due `due_days` after it was
/// asked; a recurring one is asked again `n` months after it was done and is due then, the
/// `due_days` before that being the time to renew it.
pub fn standing(asked: DateTime<Utc>, done: Option<DateTime<Utc>>, recurrence: Recurrence, due_days: u32, now: DateTime<Utc>) -> Standing {
    let window = Duration::days(due_days as i64);
    match (done, recurrence) {
        (None, _) => {
            let by = asked + window;
            if now <= by {
                Standing::Due { by }
            } else {
                Standing::Overdue { since: by }
            }
        }
        (Some(at), Recurrence::Once) => Standing::Done { at, renew_at: None },
        (Some(at), Recurrence::EveryMonths(n)) => {
            let renew_at = at.checked_add_months(Months::new(n)).unwrap_or(at);
            if now < renew_at - window {
                Standing::Done { at, renew_at: Some(renew_at) }
            } else if now <= renew_at {
                Standing::Due { by: renew_at }
            } else {
                Standing::Overdue { since: renew_at }
            }
        }
    }
}

/// Days before a due date when the background user reminds (and once more when it has passed).
pub const REMIND_BEFORE_DAYS: i64 = 7;

/// Which reminder is due now for a standing, if any: `due` within [`REMIND_BEFORE_DAYS`] of its
/// date, `overdue` after it. Each is sent once per due date.
pub fn reminder(standing: &Standing, now: DateTime<Utc>) -> Option<(&'static str, DateTime<Utc>)> {
    match standing {
        Standing::Done { .. } => None,
        Standing::Due { by } if *by - Duration::days(REMIND_BEFORE_DAYS) <= now => Some(("due", *by)),
        Standing::Due { .. } => None,
        Standing::Overdue { since } => Some(("overdue", *since)),
    }
}

/// A policy's figures: the people it is asked of (auditors never counted), how many have done
/// it, how many are due and overdue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub asked: i64,
    pub done: i64,
    pub due: i64,
    pub overdue: i64,
}

impl Figures {
    pub fn add(&mut self, s: &Standing) {
        self.asked += 1;
        match s {
            Standing::Done { .. } => self.done += 1,
            Standing::Due { .. } => self.due += 1,
            Standing::Overdue { .. } => self.overdue += 1,
        }
    }

    /// Done, in whole percent of those asked (100 when nobody is asked).
    pub fn percent(&self) -> i64 {
        if self.asked == 0 {
            100
        } else {
            self.done * 100 / self.asked
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, d, 9, 0, 0).unwrap()
    }

    #[test]
    fn a_first_time_is_due_some_days_after_it_was_asked() {
        assert_eq!(standing(day(3, 1), None, Recurrence::Once, 14, day(3, 10)), Standing::Due { by: day(3, 15) });
        assert_eq!(standing(day(3, 1), None, Recurrence::Once, 14, day(3, 16)), Standing::Overdue { since: day(3, 15) });
        assert_eq!(standing(day(3, 1), Some(day(3, 20)), Recurrence::Once, 14, day(12, 1)), Standing::Done { at: day(3, 20), renew_at: None });
    }

    #[test]
    fn a_yearly_training_comes_round_again() {
        let yearly = DEFAULT_RECURRENCE;
        let done = day(1, 10);
        let renew = Utc.with_ymd_and_hms(2027, 1, 10, 9, 0, 0).unwrap();
        assert_eq!(standing(day(1, 1), Some(done), yearly, 30, day(6, 1)), Standing::Done { at: done, renew_at: Some(renew) });
        // Within the 30 days before the year is over: due by then.
        assert_eq!(standing(day(1, 1), Some(done), yearly, 30, day(12, 20)), Standing::Due { by: renew });
        assert_eq!(standing(day(1, 1), Some(done), yearly, 30, renew + Duration::days(1)), Standing::Overdue { since: renew });
    }

    #[test]
    fn reminders_come_a_week_before_and_once_overdue() {
        let s = standing(day(3, 1), None, Recurrence::Once, 30, day(3, 5));
        assert_eq!(reminder(&s, day(3, 5)), None);
        assert_eq!(reminder(&s, day(3, 25)), Some(("due", day(3, 31))));
        let late = standing(day(3, 1), None, Recurrence::Once, 30, day(4, 2));
        assert_eq!(reminder(&late, day(4, 2)), Some(("overdue", day(3, 31))));
        assert_eq!(reminder(&standing(day(3, 1), Some(day(3, 2)), Recurrence::Once, 30, day(4, 2)), day(4, 2)), None);
    }

    #[test]
    fn figures_and_input() {
        let mut f = Figures::default();
        assert_eq!(f.percent(), 100);
        f.add(&Standing::Done { at: day(1, 1), renew_at: None });
        f.add(&Standing::Due { by: day(2, 1) });
        f.add(&Standing::Overdue { since: day(1, 1) });
        assert_eq!((f.asked, f.done, f.due, f.overdue, f.percent()), (3, 1, 1, 1, 33));
        assert_eq!(Recurrence::parse("12").unwrap(), DEFAULT_RECURRENCE);
        assert_eq!(Recurrence::parse("once").unwrap(), Recurrence::Once);
        assert!(Recurrence::parse("0").is_err() && Recurrence::parse("61").is_err() && Recurrence::parse("x").is_err());
        assert_eq!(Recurrence::from_months(Recurrence::EveryMonths(6).months()), Recurrence::EveryMonths(6));
        assert!(check_due_days(0).is_err() && check_due_days(14).is_ok());
        assert_eq!(Kind::parse("training").unwrap(), Kind::Training);
    }
}
