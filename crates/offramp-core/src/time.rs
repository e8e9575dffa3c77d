//! Instants in time. The core never reads a clock: every instant comes in as data.

use std::fmt;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The earliest and latest years a ledger accepts. Bitcoin's first block is from January 2009; a date outside
/// these years is a typo or a wrong format, never a real transaction.
pub const MIN_YEAR: i32 = 2009;
pub const MAX_YEAR: i32 = 2100;

/// An instant in UTC, with microsecond precision, stored as microseconds since the Unix epoch.
/// Serialized as RFC 3339 text in UTC (`2024-03-01T12:00:00Z`, `2024-03-01T12:00:00.250Z`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Timestamp(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("`{0}` is not a date and time in RFC 3339 form with a time zone (e.g. 2024-03-01T12:00:00Z)")]
    Format(String),
    #[error("`{text}` is outside the years {MIN_YEAR} to {MAX_YEAR}")]
    OutOfRange { text: String },
    /// 23:59:60 would be stored as the next second, which can move a disposal into the next day or tax year.
    #[error("`{0}` is a leap second (:60), which Offramp cannot store exactly: write the time your exchange means (:59 or the next second)")]
    LeapSecond(String),
    /// Finer than a microsecond would be cut off, changing the time.
    #[error("`{0}` is more precise than a microsecond, which Offramp cannot store exactly: round it to 6 decimal places of a second")]
    TooPrecise(String),
}

/// The fractional seconds as written in `text` (the digits after the seconds' `.` or `,`), if any.
fn fraction_digits(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    // After the date (`YYYY-MM-DD` is 10 characters) and the `hh:mm:ss` that follows it.
    let mut i = 11;
    while i + 1 < b.len() {
        if (b[i] == b'.' || b[i] == b',') && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit() {
            let end = b[i + 1..].iter().position(|c| !c.is_ascii_digit()).map_or(b.len(), |p| i + 1 + p);
            return text.get(i + 1..end);
        }
        i += 1;
    }
    None
}

impl Timestamp {
    pub fn from_unix_micros(us: i64) -> Timestamp {
        Timestamp(us)
    }

    pub fn unix_micros(&self) -> i64 {
        self.0
    }

    /// From a UTC date-time, refusing years outside [`MIN_YEAR`]..=[`MAX_YEAR`], leap seconds, and any precision
    /// beyond microseconds (in the value, or in the digits of `original`, the text it was read from): a time is
    /// kept exactly or refused, never changed.
    pub fn from_utc(dt: &NaiveDateTime, original: &str) -> Result<Timestamp, TimeError> {
        use chrono::Timelike;
        if !(MIN_YEAR..=MAX_YEAR).contains(&chrono::Datelike::year(dt)) {
            return Err(TimeError::OutOfRange { text: crate::text::clip(original) });
        }
        if dt.nanosecond() >= 1_000_000_000 {
            return Err(TimeError::LeapSecond(crate::text::clip(original)));
        }
        let extra_digits = fraction_digits(original).and_then(|f| f.get(6..)).unwrap_or("");
        if !dt.nanosecond().is_multiple_of(1000) || extra_digits.bytes().any(|d| d != b'0') {
            return Err(TimeError::TooPrecise(crate::text::clip(original)));
        }
        Ok(Timestamp(dt.and_utc().timestamp_micros()))
    }

    /// Parses RFC 3339 with an explicit offset or `Z` (`2024-03-01T12:00:00Z`, `2024-03-01 12:00:00+01:00`).
    /// A time without a zone is refused: guessing the zone would shift dates across tax years.
    pub fn parse_rfc3339(text: &str) -> Result<Timestamp, TimeError> {
        let dt = DateTime::parse_from_rfc3339(text).map_err(|_| TimeError::Format(crate::text::clip(text)))?;
        Timestamp::from_utc(&dt.naive_utc(), text)
    }

    pub fn to_utc(&self) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp_micros(self.0).unwrap_or_default()
    }

    /// The calendar date in UTC.
    pub fn date_utc(&self) -> NaiveDate {
        self.to_utc().date_naive()
    }

    /// The calendar date where the taxpayer lives: the UK (Europe/London) and Germany (Europe/Berlin) keep
    /// European summer time, from the last Sunday of March to the last Sunday of October, changing at 01:00 UTC
    /// (in force in both since 1996); London is UTC+0 in winter, Berlin UTC+1.
    pub fn date_in(&self, zone: Zone) -> NaiveDate {
        let utc = self.to_utc();
        let standard = match zone {
            Zone::Utc => return utc.date_naive(),
            Zone::London => 0,
            Zone::Berlin => 1,
        };
        let year = chrono::Datelike::year(&utc);
        let summer = match (last_sunday_1am_utc(year, 3), last_sunday_1am_utc(year, 10)) {
            (Some(start), Some(end)) => utc >= start && utc < end,
            _ => false,
        };
        let offset = standard + i64::from(summer);
        (utc + chrono::Duration::hours(offset)).date_naive()
    }

    pub fn to_rfc3339(&self) -> String {
        let dt = self.to_utc();
        if self.0 % 1_000_000 == 0 {
            dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else {
            dt.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
        }
    }
}

/// Where a taxpayer's calendar dates are taken (for holding periods, same-day rules and tax years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Zone {
    Utc,
    London,
    Berlin,
}

/// 01:00 UTC on the last Sunday of `month` in `year`.
fn last_sunday_1am_utc(year: i32, month: u32) -> Option<DateTime<Utc>> {
    use chrono::Datelike;
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    let sunday = last - chrono::Days::new(u64::from(back));
    Some(sunday.and_hms_opt(1, 0, 0)?.and_utc())
}

/// Parses a calendar date written `YYYY-MM-DD` within the accepted years.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    (MIN_YEAR..=MAX_YEAR).contains(&chrono::Datelike::year(&d)).then_some(d)
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse_rfc3339(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod precision_tests {
    use super::*;

    #[test]
    fn times_are_kept_exactly_or_refused() {
        assert!(matches!(Timestamp::parse_rfc3339("2024-12-31T23:59:60Z"), Err(TimeError::LeapSecond(_))));
        assert!(matches!(Timestamp::parse_rfc3339("2024-12-31T23:59:60.5+01:00"), Err(TimeError::LeapSecond(_))));
        assert!(matches!(Timestamp::parse_rfc3339("2024-01-01T00:00:00.1234567Z"), Err(TimeError::TooPrecise(_))));
        // Beyond nanoseconds chrono would cut the digits off: the text is checked too.
        assert!(matches!(Timestamp::parse_rfc3339("2024-01-01T00:00:00.0000000001Z"), Err(TimeError::TooPrecise(_))));
        let t = Timestamp::parse_rfc3339("2024-01-01T00:00:00.123456000Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-01-01T00:00:00.123456Z", "trailing zeros change nothing");
        assert_eq!(Timestamp::parse_rfc3339("2024-01-01T00:00:00.5Z").unwrap().unix_micros() % 1_000_000, 500_000);
        let dt = chrono::NaiveDateTime::parse_from_str("2024-01-01 10:00:00.1234565", "%Y-%m-%d %H:%M:%S%.f").unwrap();
        assert!(matches!(Timestamp::from_utc(&dt, "2024-01-01 10:00:00.1234565"), Err(TimeError::TooPrecise(_))));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_zone_and_normalises_to_utc() {
        let t = Timestamp::parse_rfc3339("2024-03-01T12:00:00+01:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-01T11:00:00Z");
        let t = Timestamp::parse_rfc3339("2024-03-01 12:00:00.25Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-03-01T12:00:00.250000Z");
        assert_eq!(Timestamp::parse_rfc3339(&t.to_rfc3339()).unwrap(), t);
    }

    #[test]
    fn refuses_missing_zone_garbage_and_out_of_range() {
        assert!(matches!(Timestamp::parse_rfc3339("2024-03-01T12:00:00"), Err(TimeError::Format(_))));
        assert!(matches!(Timestamp::parse_rfc3339("2024-02-30T12:00:00Z"), Err(TimeError::Format(_))));
        assert!(matches!(Timestamp::parse_rfc3339("yesterday"), Err(TimeError::Format(_))));
        assert!(matches!(Timestamp::parse_rfc3339("1999-01-01T00:00:00Z"), Err(TimeError::OutOfRange { .. })));
        assert!(matches!(Timestamp::parse_rfc3339("2201-01-01T00:00:00Z"), Err(TimeError::OutOfRange { .. })));
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024-12-31").unwrap().to_string(), "2024-12-31");
        assert!(
            parse_date("2024-13-01").is_none()
                && parse_date("31.12.2024").is_none()
                && parse_date("1999-01-01").is_none()
        );
    }

    #[test]
    fn orders_by_instant() {
        let a = Timestamp::parse_rfc3339("2024-03-01T12:00:00Z").unwrap();
        let b = Timestamp::parse_rfc3339("2024-03-01T12:00:00.5Z").unwrap();
        assert!(a < b);
        assert_eq!(b.date_utc().to_string(), "2024-03-01");
    }

    #[test]
    fn uk_and_german_dates_follow_summer_time() {
        let t = |s: &str| Timestamp::parse_rfc3339(s).unwrap();
        let day = |s: &str| parse_date(s).unwrap();
        // 2024: summer time from 31 March 01:00 UTC to 27 October 01:00 UTC.
        assert_eq!(t("2024-03-31T00:59:59Z").date_in(Zone::London), day("2024-03-31"));
        assert_eq!(t("2024-06-30T23:30:00Z").date_in(Zone::London), day("2024-07-01"), "BST: 00:30 on 1 July");
        assert_eq!(t("2024-06-30T23:30:00Z").date_in(Zone::Utc), day("2024-06-30"));
        assert_eq!(t("2024-10-27T00:30:00Z").date_in(Zone::London), day("2024-10-27"));
        assert_eq!(t("2024-12-31T23:30:00Z").date_in(Zone::London), day("2024-12-31"), "GMT in winter");
        // The UK tax year starts 6 April: 5 April 23:30 UTC is already 6 April in London.
        assert_eq!(t("2025-04-05T23:30:00Z").date_in(Zone::London), day("2025-04-06"));
        // Berlin: UTC+1 in winter, UTC+2 in summer.
        assert_eq!(t("2024-12-31T23:30:00Z").date_in(Zone::Berlin), day("2025-01-01"));
        assert_eq!(t("2024-07-01T21:59:00Z").date_in(Zone::Berlin), day("2024-07-01"));
        assert_eq!(t("2024-07-01T22:00:00Z").date_in(Zone::Berlin), day("2024-07-02"));
    }
}
