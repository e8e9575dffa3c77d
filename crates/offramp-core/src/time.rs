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
pub struct Timestamp(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("`{0}` is not a date and time in RFC 3339 form with a time zone (e.g. 2024-03-01T12:00:00Z)")]
    Format(String),
    #[error("`{text}` is outside the years {MIN_YEAR} to {MAX_YEAR}")]
    OutOfRange { text: String },
}

impl Timestamp {
    pub fn from_unix_micros(us: i64) -> Timestamp {
        Timestamp(us)
    }

    pub fn unix_micros(&self) -> i64 {
        self.0
    }

    /// From a UTC date-time, refusing years outside [`MIN_YEAR`]..=[`MAX_YEAR`].
    pub fn from_utc(dt: &NaiveDateTime, original: &str) -> Result<Timestamp, TimeError> {
        if !(MIN_YEAR..=MAX_YEAR).contains(&chrono::Datelike::year(dt)) {
            return Err(TimeError::OutOfRange { text: original.to_string() });
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

    pub fn to_rfc3339(&self) -> String {
        let dt = self.to_utc();
        if self.0 % 1_000_000 == 0 {
            dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        } else {
            dt.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
        }
    }
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
}
