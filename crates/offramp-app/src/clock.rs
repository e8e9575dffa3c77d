//! The clock, read at the edge: the fronts call [`system_now`] and pass the instant into the use cases, which
//! never read a clock themselves.

use offramp_core::Timestamp;

/// Now, from the system clock (microseconds; before 1970 reads as 1970).
pub fn system_now() -> Timestamp {
    let us = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp::from_unix_micros(us)
}
