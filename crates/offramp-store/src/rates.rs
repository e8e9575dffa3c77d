//! Official exchange rates fetched from their publishers, kept in the ledger (table `fx_rates`) so a report reads
//! the same rates offline, on every device the ledger is restored to.

use chrono::NaiveDate;
use offramp_core::fx::{Rate, RateSource};
use offramp_core::{Code, Decimal, Timestamp};
use rusqlite::params;

use crate::{Ledger, StoreError};

/// What storing fetched rates changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RatesStored {
    /// Rates for a day the ledger had none for.
    pub added: usize,
    /// Rates that replaced a different figure for the same day (a publisher's correction).
    pub changed: usize,
}

impl Ledger {
    /// Stores `rates` fetched at `fetched_at`, in one transaction (all or none). A rate equal to the one stored
    /// changes nothing.
    pub fn put_rates(&mut self, rates: &[Rate], fetched_at: Timestamp) -> Result<RatesStored, StoreError> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut out = RatesStored::default();
        {
            let mut get = tx.prepare("SELECT rate FROM fx_rates WHERE source = ?1 AND currency = ?2 AND day = ?3")?;
            let mut put = tx.prepare(
                "INSERT INTO fx_rates (source, currency, day, rate, fetched_at) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (source, currency, day) DO UPDATE SET rate = excluded.rate, fetched_at = excluded.fetched_at",
            )?;
            for r in rates {
                let (source, currency, day) = (r.source.id(), r.currency.as_str(), r.date.to_string());
                let value = r.value.normalize().to_string();
                let old: Option<String> = match get.query_row(params![source, currency, day], |row| row.get(0)) {
                    Ok(v) => Some(v),
                    Err(rusqlite::Error::QueryReturnedNoRows) => None,
                    Err(e) => return Err(e.into()),
                };
                match old {
                    Some(o) if o == value => continue,
                    Some(_) => out.changed += 1,
                    None => out.added += 1,
                }
                put.execute(params![source, currency, day, value, fetched_at.to_rfc3339()])?;
            }
        }
        tx.commit()?;
        Ok(out)
    }

    /// Every stored rate. A row that does not read back (it cannot happen through this crate) is an error
    /// naming it, never skipped.
    pub fn rates(&self) -> Result<Vec<Rate>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT source, currency, day, rate FROM fx_rates ORDER BY source, currency, day")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, String>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (source, currency, day, rate) = row?;
            let bad = || {
                StoreError::Invalid(format!(
                    "stored exchange rate {source} {currency} {day} `{rate}` does not read back"
                ))
            };
            let source = RateSource::parse(&source).ok_or_else(bad)?;
            let currency = Code::parse(&currency).map_err(|_| bad())?;
            let date = NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|_| bad())?;
            let value = rate.parse::<Decimal>().map_err(|_| bad())?;
            out.push(Rate { source, currency, date, value });
        }
        Ok(out)
    }
}
