//! The figures behind the dashboard's charts, as plain rules: the month ends a time series is
//! counted at (in the organization's time zone), and a count over time from who was in at the
//! window's start plus the joins and departures since.
use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

fn first_instant(d: NaiveDate, tz: chrono_tz::Tz) -> DateTime<Utc> {
    let midnight = d.and_hms_opt(0, 0, 0).expect("midnight exists");
    match tz.from_local_datetime(&midnight) {
        chrono::LocalResult::Single(t) | chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        chrono::LocalResult::None => Utc.from_utc_datetime(&midnight),
    }
}

fn add_months(d: NaiveDate, k: i32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + k;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1).expect("the first of a month")
}

/// The last `months` months up to `now` in `time_zone`: the window's start (the first instant of
/// the oldest month) and, per month, its label (`YYYY-MM`) and the instant it is counted at (the
/// first instant of the next month, or `now` for the current one).
pub fn month_points(time_zone: &str, now: DateTime<Utc>, months: u32) -> (DateTime<Utc>, Vec<(String, DateTime<Utc>)>) {
    let tz: chrono_tz::Tz = time_zone.parse().unwrap_or(chrono_tz::UTC);
    let today = now.with_timezone(&tz).date_naive();
    let this_month = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("the first of this month");
    let months = months.max(1) as i32;
    let start = first_instant(add_months(this_month, -(months - 1)), tz);
    let points = (0..months)
        .map(|i| {
            let month = add_months(this_month, i - (months - 1));
            let at = if i == months - 1 { now } else { first_instant(add_months(month, 1), tz) };
            (month.format("%Y-%m").to_string(), at)
        })
        .collect();
    (start, points)
}

/// How many were in at each point: `baseline` (in at `start`), plus those who joined after
/// `start` up to the point, less those who left after `start` up to the point. `churn` holds
/// (joined, left) of everyone who joined or left after `start`.
pub fn series(baseline: i64, start: DateTime<Utc>, points: &[(String, DateTime<Utc>)], churn: &[(Option<DateTime<Utc>>, Option<DateTime<Utc>>)]) -> Vec<(String, i64)> {
    points
        .iter()
        .map(|(label, at)| {
            let joined = churn.iter().filter(|(j, _)| j.is_some_and(|j| j > start && j <= *at)).count() as i64;
            let left = churn.iter().filter(|(_, l)| l.is_some_and(|l| l > start && l <= *at)).count() as i64;
            (label.clone(), baseline + joined - left)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn month_points_are_the_organizations_month_ends() {
        let (start, points) = month_points("Europe/Berlin", at("2026-12-05T09:00:00Z"), 3);
        assert_eq!(start, at("2026-09-30T22:00:00Z"), "1 October, Berlin summer time");
        let labels: Vec<&str> = points.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["2026-10", "2026-11", "2026-12"]);
        assert_eq!(points[0].1, at("2026-10-31T23:00:00Z"), "1 November, Berlin winter time");
        assert_eq!(points[2].1, at("2026-12-05T09:00:00Z"), "the current month up to now");
        let (_, across) = month_points("UTC", at("2027-01-10T00:00:00Z"), 2);
        assert_eq!(across.iter().map(|(l, _)| l.as_str()).collect::<Vec<_>>(), ["2026-12", "2027-01"]);
    }

    #[test]
    fn a_series_follows_joins_and_departures() {
        let start = at("2026-10-01T00:00:00Z");
        let points = vec![("2026-10".to_string(), at("2026-11-01T00:00:00Z")), ("2026-11".to_string(), at("2026-12-01T00:00:00Z"))];
        let churn = vec![
            (Some(at("2026-10-15T00:00:00Z")), None),                              // joined in October
            (Some(at("2026-10-20T00:00:00Z")), Some(at("2026-11-10T00:00:00Z"))), // came and went
            (Some(at("2026-01-01T00:00:00Z")), Some(at("2026-11-02T00:00:00Z"))), // in at the start, left in November
        ];
        assert_eq!(series(10, start, &points, &churn), vec![("2026-10".to_string(), 12), ("2026-11".to_string(), 10)]);
    }
}
