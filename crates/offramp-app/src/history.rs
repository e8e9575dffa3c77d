//! The history service: what every report, export and tax-aware plan reads from the ledger, loaded once per
//! session (see [`crate::Session`]): every transaction in time order with its source (file:line), the confirmed
//! own transfers, and the user's report settings per jurisdiction.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use offramp_core::fx::{Converter, RateBook};
use offramp_core::lots::Booking;
use offramp_core::tax::{to_events_fx, Conversion};

use offramp_core::tax::TransferFee;
use offramp_core::{Jurisdiction, Transaction};
use offramp_store::Ledger;

use crate::report::{Basis, Conventions};
use crate::session::Progress;
use crate::AppError;

#[derive(Debug)]
pub(crate) struct History {
    /// Every transaction, in (time, id) order.
    pub(crate) txs: Vec<(i64, Transaction)>,
    pub(crate) links: Vec<(i64, i64)>,
    /// Where each transaction of `txs` came from: an index into `files`, and the line.
    origins: Vec<(u32, u64)>,
    files: Vec<String>,
    /// (id, position in `txs`), by id.
    by_id: Vec<(i64, u32)>,
    /// The user's transfer-fee treatment per jurisdiction, where set.
    transfer_fee: HashMap<Jurisdiction, TransferFee>,
    /// The official exchange rates fetched into the ledger, over the bundled ones; `None`: the bundled ones only.
    rates: Option<RateBook>,
    /// The last bookings of the whole history (see [`History::booked`]), newest last.
    booked: Mutex<Vec<(Conventions, Basis, Arc<BookedResult>)>>,
}

/// A booking of the whole history: the conversion (flags, fees, income; its events dropped), the lots booked, the
/// account of each pool; or why it could not be booked.
pub(crate) type BookedResult = Result<(Conversion, Booking, Vec<String>), AppError>;

/// How many bookings a history keeps: switching a report between two methods, or back, books nothing again.
const BOOKINGS_KEPT: usize = 2;

impl History {
    /// Reads the whole history of an open ledger, reporting progress (cancel: `CANCELLED`).
    pub(crate) fn load(ledger: &Ledger, progress: Progress) -> Result<History, AppError> {
        let all = ledger.all_transactions(progress)?;
        let mut by_id: Vec<(i64, u32)> =
            all.txs.iter().enumerate().map(|(i, (id, _))| (*id, u32::try_from(i).unwrap_or(u32::MAX))).collect();
        by_id.sort_unstable();
        let mut transfer_fee = HashMap::new();
        for j in Jurisdiction::ALL {
            if let Some(v) = ledger.setting(&crate::settings::transfer_fee_key(j))? {
                transfer_fee.insert(j, crate::settings::parse_transfer_fee(&v)?);
            }
        }
        let fetched = ledger.rates()?;
        let rates = (!fetched.is_empty()).then(|| RateBook::with(&fetched));
        Ok(History {
            rates,
            txs: all.txs,
            links: ledger.confirmed_transfers()?,
            origins: all.origins,
            files: all.files,
            by_id,
            transfer_fee,
            booked: Mutex::new(Vec::new()),
        })
    }

    /// The booking of the whole history under `c` and `basis`: made by `book` the first time, then re-used for
    /// as long as this history is (until the ledger changes): every year of a report, and a switch of year or back
    /// to a method used before, read the same booking.
    pub(crate) fn booked(
        &self,
        c: Conventions,
        basis: &Basis,
        book: impl FnOnce() -> BookedResult,
    ) -> Arc<BookedResult> {
        let found = self.lock_booked().iter().find(|(cc, b, _)| *cc == c && b == basis).map(|(_, _, r)| r.clone());
        if let Some(r) = found {
            return r;
        }
        let r = Arc::new(book());
        let mut kept = self.lock_booked();
        if kept.len() >= BOOKINGS_KEPT {
            kept.remove(0);
        }
        kept.push((c, basis.clone(), r.clone()));
        r
    }

    fn lock_booked(&self) -> std::sync::MutexGuard<'_, Vec<(Conventions, Basis, Arc<BookedResult>)>> {
        // A panic while booking cannot leave the list half-changed (it is only pushed to or cut): go on with it.
        self.booked.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every official exchange rate known: bundled, and fetched into the ledger.
    pub(crate) fn rate_book(&self) -> &RateBook {
        self.rates.as_ref().unwrap_or_else(|| RateBook::bundled())
    }

    /// `txs` (of this history) as lot events under the conventions `c`, fiat amounts in other currencies converted
    /// at the official rates `c` names.
    pub(crate) fn events(
        &self,
        txs: &[(i64, Transaction)],
        c: Conventions,
        pool: &mut dyn FnMut(&str) -> offramp_core::lots::PoolId,
    ) -> Conversion {
        let fx = c.rule.map(|rule| Converter { book: self.rate_book(), rule, zone: c.zone });
        to_events_fx(txs, &self.links, c.currency, pool, c.options, fx.as_ref())
    }

    /// The position of transaction `id` in `txs`.
    fn position(&self, id: i64) -> Option<usize> {
        self.by_id.binary_search_by_key(&id, |(i, _)| *i).ok().map(|k| self.by_id[k].1 as usize)
    }

    /// The user's conventions for `jurisdiction`'s reports.
    pub(crate) fn options(&self, jurisdiction: Jurisdiction) -> offramp_core::tax::Options {
        offramp_core::tax::Options { transfer_fee: self.transfer_fee.get(&jurisdiction).copied().unwrap_or_default() }
    }

    pub(crate) fn account_of(&self, id: i64) -> String {
        self.transaction(id).map(|t| t.account.clone()).unwrap_or_default()
    }

    pub(crate) fn transaction(&self, id: i64) -> Option<&Transaction> {
        self.position(id).map(|i| &self.txs[i].1)
    }

    /// Where a transaction came from (`file:line`), or empty.
    pub(crate) fn source(&self, id: i64) -> String {
        self.origin(id).unwrap_or_default()
    }

    fn origin(&self, id: i64) -> Option<String> {
        let (file, line) = self.origins[self.position(id)?];
        Some(format!("{}:{line}", self.files.get(file as usize)?))
    }

    /// "transaction 12 (kraken.csv:4)", for error messages.
    pub(crate) fn describe(&self, id: i64) -> String {
        match self.origin(id) {
            Some(s) => format!("transaction {id} ({s})"),
            None => format!("transaction {id}"),
        }
    }
}
