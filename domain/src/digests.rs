//! Digests (seed permission-matrix: weekly / monthly / quarterly digests that company admins
//! receive, that team managers set up for their team, with a company default). A digest covers
//! one calendar period in the organization's time zone and is sent once the period is over, once
//! per person, scope and period — whichever instance gets there first.
use crate::error::DomainError;
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// How often a person receives a digest; `Off` is unsubscribed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Frequency {
    Off,
    Weekly,
    Monthly,
    Quarterly,
}

impl Frequency {
    pub const ALL: [Frequency; 4] = [Frequency::Off, Frequency::Weekly, Frequency::Monthly, Frequency::Quarterly];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Off => "off",
            Frequency::Weekly => "weekly",
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
        }
    }

    pub fn parse(s: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|f| f.as_str() == s.trim()).ok_or_else(|| DomainError::InvalidValue { field: "frequency", value: s.to_string() })
    }
}

/// One calendar period: `[start, end)` as local days of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub frequency: Frequency,
    pub start: NaiveDate,
    /// The first day after the period.
    pub end: NaiveDate,
}

impl Period {
    /// The period of `frequency` that contains `day`. `Off` has none.
    pub fn containing(frequency: Frequency, day: NaiveDate) -> Option<Period> {
        let start = match frequency {
            Frequency::Off => return None,
            Frequency::Weekly => day - Duration::days(day.weekday().num_days_from_monday() as i64),
            Frequency::Monthly => NaiveDate::from_ymd_opt(day.year(), day.month(), 1)?,
            Frequency::Quarterly => NaiveDate::from_ymd_opt(day.year(), (day.month() - 1) / 3 * 3 + 1, 1)?,
        };
        let end = match frequency {
            Frequency::Off => return None,
            Frequency::Weekly => start + Duration::days(7),
            Frequency::Monthly => start.checked_add_months(chrono::Months::new(1))?,
            Frequency::Quarterly => start.checked_add_months(chrono::Months::new(3))?,
        };
        Some(Period { frequency, start, end })
    }

    /// The last period of `frequency` that is over on `today` (the one a digest is sent for).
    pub fn last_completed(frequency: Frequency, today: NaiveDate) -> Option<Period> {
        let current = Self::containing(frequency, today)?;
        Self::containing(frequency, current.start.pred_opt()?)
    }

    /// A stable key naming the period (`2026-W49`, `2026-11`, `2026-Q4`): what "once per period"
    /// is counted by.
    pub fn key(&self) -> String {
        match self.frequency {
            Frequency::Off => String::new(),
            Frequency::Weekly => {
                let w = self.start.iso_week();
                format!("{}-W{:02}", w.year(), w.week()) // not user text: a key
            }
            Frequency::Monthly => format!("{}-{:02}", self.start.year(), self.start.month()), // not user text: a key
            Frequency::Quarterly => format!("{}-Q{}", self.start.year(), (self.start.month() - 1) / 3 + 1), // not user text: a key
        }
    }

    /// The period's bounds as instants in the organization's time zone.
    pub fn bounds(&self, tz: chrono_tz::Tz) -> (DateTime<Utc>, DateTime<Utc>) {
        (local_midnight(tz, self.start), local_midnight(tz, self.end))
    }
}

/// The first instant of `day` in `tz` (a midnight skipped by a clock change is the next instant
/// that exists).
pub fn local_midnight(tz: chrono_tz::Tz, day: NaiveDate) -> DateTime<Utc> {
    let mut t = day.and_time(NaiveTime::MIN);
    for _ in 0..4 {
        if let Some(x) = tz.from_local_datetime(&t).earliest() {
            return x.with_timezone(&Utc);
        }
        t += Duration::hours(1);
    }
    Utc.from_utc_datetime(&day.and_time(NaiveTime::MIN))
}

/// Whose subscription says what: a person's own choice beats the organization's default.
pub fn effective(own: Option<Frequency>, default: Frequency) -> Frequency {
    own.unwrap_or(default)
}

/// Is a digest for `period` due to someone whose current choice took effect at `since`? Only
/// periods that ended after it: choosing a frequency sends nothing about the past.
pub fn due(period: &Period, since: DateTime<Utc>, tz: chrono_tz::Tz) -> bool {
    period.bounds(tz).1 > since
}

/// The aggregate figures a digest carries — counts only, never names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    /// Members who joined and who left during the period.
    pub joined: i64,
    pub left: i64,
    /// Active members at the time of sending (auditors are never counted).
    pub active: i64,
    /// Access requests waiting for a decision.
    pub pending_requests: i64,
    /// Role assignments that end within the next 30 days.
    pub expiring_grants: i64,
    /// Former members whose compliance case is still open.
    pub open_cases: i64,
    /// Items of running access reviews decided, of all their items.
    pub review_decided: i64,
    pub review_items: i64,
}

/// Days ahead that count as "expiring" in a digest.
pub const EXPIRING_WITHIN_DAYS: i64 = 30;

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn periods_are_calendar_weeks_months_and_quarters() {
        // Saturday 5 December 2026.
        let w = Period::containing(Frequency::Weekly, d(2026, 12, 5)).unwrap();
        assert_eq!((w.start, w.end), (d(2026, 11, 30), d(2026, 12, 7)));
        assert_eq!(w.key(), "2026-W49");
        let m = Period::containing(Frequency::Monthly, d(2026, 12, 5)).unwrap();
        assert_eq!((m.start, m.end, m.key()), (d(2026, 12, 1), d(2027, 1, 1), "2026-12".to_string()));
        let q = Period::containing(Frequency::Quarterly, d(2026, 12, 5)).unwrap();
        assert_eq!((q.start, q.end, q.key()), (d(2026, 10, 1), d(2027, 1, 1), "2026-Q4".to_string()));
        assert_eq!(Period::containing(Frequency::Off, d(2026, 12, 5)), None);
    }

    #[test]
    fn the_digest_is_for_the_last_completed_period() {
        let w = Period::last_completed(Frequency::Weekly, d(2026, 12, 5)).unwrap();
        assert_eq!((w.start, w.key()), (d(2026, 11, 23), "2026-W48".to_string()));
        // On the first day of a period, the one before is complete.
        let m = Period::last_completed(Frequency::Monthly, d(2027, 1, 1)).unwrap();
        assert_eq!((m.start, m.end, m.key()), (d(2026, 12, 1), d(2027, 1, 1), "2026-12".to_string()));
        let q = Period::last_completed(Frequency::Quarterly, d(2027, 1, 1)).unwrap();
        assert_eq!(q.key(), "2026-Q4");
        let q = Period::last_completed(Frequency::Quarterly, d(2027, 3, 31)).unwrap();
        assert_eq!(q.key(), "2026-Q4");
        // ISO weeks: the week of 1 January 2027 belongs to 2026's week 53.
        let w = Period::containing(Frequency::Weekly, d(2027, 1, 1)).unwrap();
        assert_eq!(w.key(), "2026-W53");
    }

    #[test]
    fn bounds_are_local_midnights() {
        let tz: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
        let m = Period::containing(Frequency::Monthly, d(2026, 12, 5)).unwrap();
        let (s, e) = m.bounds(tz);
        assert_eq!(s, Utc.with_ymd_and_hms(2026, 11, 30, 23, 0, 0).unwrap());
        assert_eq!(e, Utc.with_ymd_and_hms(2026, 12, 31, 23, 0, 0).unwrap());
    }

    #[test]
    fn only_periods_that_end_after_the_choice_are_due() {
        let tz = chrono_tz::UTC;
        let nov = Period::containing(Frequency::Monthly, d(2026, 11, 10)).unwrap();
        assert!(due(&nov, Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(), tz), "chosen during the period");
        assert!(!due(&nov, Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap(), tz), "chosen after it ended");
        assert_eq!(effective(Some(Frequency::Off), Frequency::Monthly), Frequency::Off);
        assert_eq!(effective(None, Frequency::Quarterly), Frequency::Quarterly);
    }

    #[test]
    fn frequencies_read_back() {
        for f in Frequency::ALL {
            assert_eq!(Frequency::parse(f.as_str()).unwrap(), f);
        }
        assert!(Frequency::parse("daily").is_err());
    }
}
