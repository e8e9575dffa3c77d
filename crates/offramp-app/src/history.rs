//! The history service: what every report, export and tax-aware plan reads from the ledger, loaded once per
//! session (see [`crate::Session`]): every transaction in time order with its source (file:line), the confirmed
//! own transfers, and the user's report settings per jurisdiction.

use std::collections::HashMap;

use offramp_core::tax::TransferFee;
use offramp_core::{Jurisdiction, Transaction};
use offramp_store::{Ledger, TxFilter};

use crate::session::Progress;
use crate::{AppError, ErrorCode};

/// How often loading reports progress (transactions).
const PROGRESS_EVERY: u64 = 65_536;

#[derive(Debug)]
pub(crate) struct History {
    pub(crate) txs: Vec<(i64, Transaction)>,
    pub(crate) sources: HashMap<i64, String>,
    pub(crate) links: Vec<(i64, i64)>,
    /// Transaction id → index in `txs`.
    index: HashMap<i64, usize>,
    /// The user's transfer-fee treatment per jurisdiction, where set.
    transfer_fee: HashMap<Jurisdiction, TransferFee>,
}

impl History {
    /// Reads the whole history of an open ledger, reporting progress (cancel: `CANCELLED`).
    pub(crate) fn load(ledger: &Ledger, progress: Progress) -> Result<History, AppError> {
        let total = ledger.transaction_count()?;
        let (mut txs, mut sources, mut index) = (Vec::new(), HashMap::new(), HashMap::new());
        let mut cancelled = false;
        ledger.each_transaction(&TxFilter::default(), &mut |r| {
            sources.insert(r.id, format!("{}:{}", r.source_file, r.source_line));
            index.insert(r.id, txs.len());
            txs.push((r.id, r.tx));
            let done = txs.len() as u64;
            if done.is_multiple_of(PROGRESS_EVERY) && !progress(done, total.max(done)) {
                cancelled = true;
                return Err(offramp_store::StoreError::Cancelled);
            }
            Ok(())
        })?;
        if cancelled || !progress(txs.len() as u64, txs.len() as u64) {
            return Err(AppError::new(ErrorCode::Cancelled, "Cancelled; nothing was changed."));
        }
        let mut transfer_fee = HashMap::new();
        for j in Jurisdiction::ALL {
            if let Some(v) = ledger.setting(&crate::settings::transfer_fee_key(j))? {
                transfer_fee.insert(j, crate::settings::parse_transfer_fee(&v)?);
            }
        }
        Ok(History { txs, sources, links: ledger.confirmed_transfers()?, index, transfer_fee })
    }

    /// The user's conventions for `jurisdiction`'s reports.
    pub(crate) fn options(&self, jurisdiction: Jurisdiction) -> offramp_core::tax::Options {
        offramp_core::tax::Options { transfer_fee: self.transfer_fee.get(&jurisdiction).copied().unwrap_or_default() }
    }

    pub(crate) fn account_of(&self, id: i64) -> String {
        self.index.get(&id).map(|&i| self.txs[i].1.account.clone()).unwrap_or_default()
    }

    pub(crate) fn transaction(&self, id: i64) -> Option<&Transaction> {
        self.index.get(&id).map(|&i| &self.txs[i].1)
    }

    /// Where a transaction came from (`file:line`), or empty.
    pub(crate) fn source(&self, id: i64) -> String {
        self.sources.get(&id).cloned().unwrap_or_default()
    }

    /// "transaction 12 (kraken.csv:4)", for error messages.
    pub(crate) fn describe(&self, id: i64) -> String {
        match self.sources.get(&id) {
            Some(s) => format!("transaction {id} ({s})"),
            None => format!("transaction {id}"),
        }
    }
}
