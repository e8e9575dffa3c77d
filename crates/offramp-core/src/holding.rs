//! Holding periods. The US (long-term capital gain) and Germany (§ 23 EStG: tax-free after the holding period)
//! both draw the line at "more than one year": the holding period starts the day after acquisition, so an asset
//! bought on 5 January 2023 is held more than one year when disposed of on 6 January 2024 or later, not on
//! 5 January 2024. An acquisition on 29 February has its anniversary on 28 February of the next year.
//! Dates are calendar dates in the taxpayer's time zone; the caller converts instants to dates.

use chrono::{Months, NaiveDate};
use serde::Serialize;

/// Whether `disposed` is more than one year after `acquired`.
pub fn held_more_than_one_year(acquired: NaiveDate, disposed: NaiveDate) -> bool {
    match acquired.checked_add_months(Months::new(12)) {
        Some(anniversary) => disposed > anniversary,
        None => false,
    }
}

/// The first date on which a disposal of something acquired on `acquired` counts as held more than one year
/// (for "waiting N days saves X" hints).
pub fn first_long_term_date(acquired: NaiveDate) -> Option<NaiveDate> {
    acquired.checked_add_months(Months::new(12)).and_then(|d| d.succ_opt())
}

/// US holding-period classes (Form 8949 Part I / Part II).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Term {
    Short,
    Long,
}

pub fn us_term(acquired: NaiveDate, disposed: NaiveDate) -> Term {
    if held_more_than_one_year(acquired, disposed) {
        Term::Long
    } else {
        Term::Short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn more_than_one_year_starts_the_day_after_the_anniversary() {
        assert!(!held_more_than_one_year(d("2023-01-05"), d("2024-01-05")));
        assert!(held_more_than_one_year(d("2023-01-05"), d("2024-01-06")));
        assert_eq!(us_term(d("2023-01-05"), d("2023-12-31")), Term::Short);
        assert_eq!(us_term(d("2023-01-05"), d("2025-01-01")), Term::Long);
        assert_eq!(first_long_term_date(d("2023-01-05")), Some(d("2024-01-06")));
    }

    #[test]
    fn leap_day_acquisitions() {
        assert!(!held_more_than_one_year(d("2024-02-29"), d("2025-02-28")));
        assert!(held_more_than_one_year(d("2024-02-29"), d("2025-03-01")));
        assert_eq!(first_long_term_date(d("2024-02-29")), Some(d("2025-03-01")));
        // Acquired on 28 February 2023: the anniversary is 28 February 2024, a leap year.
        assert!(held_more_than_one_year(d("2023-02-28"), d("2024-02-29")));
    }
}
