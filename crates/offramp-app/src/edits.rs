//! Hand edits with a history: add a transaction the files lack, correct one (a price, an amount, a kind), void
//! one, set a price, or undo an earlier edit. Each is a record in the ledger naming what it replaces, who made it
//! and when (`offramp_store::edits`); reports read the transactions that stand, and each report row sourced from
//! an edited or added transaction says so (its source reads `edit:N`, edit N).

use offramp_core::{Amount, Code, Decimal, Timestamp, Transaction, TxKind};
use offramp_store::edits::{EditAction, EditRow, NewEdit};
use serde::{Deserialize, Serialize};

use crate::{AppError, ErrorCode, Session};

pub use offramp_store::edits::{EditAction as Action, EditRow as Edit, EDIT_SOURCE};

/// A transaction as typed: amounts as `0.5 BTC`, the time as RFC 3339 or a day (`2024-03-05`, midnight UTC).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TxInput {
    pub at: String,
    pub account: String,
    pub kind: String,
    #[serde(default)]
    pub sent: Option<String>,
    #[serde(default)]
    pub received: Option<String>,
    #[serde(default)]
    pub fee: Option<String>,
    #[serde(default)]
    pub fiat_value: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// Changes to a transaction: each field left `None` stays as it is; `Some("")` clears an amount.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TxChanges {
    #[serde(default)]
    pub at: Option<String>,
    #[serde(default)]
    pub account: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub sent: Option<String>,
    #[serde(default)]
    pub received: Option<String>,
    #[serde(default)]
    pub fee: Option<String>,
    #[serde(default)]
    pub fiat_value: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Why an edit is made: a note and a reference to a supporting document (both optional, kept with the edit).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EditNote {
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub document: String,
}

/// Who makes edits from this app.
const USER: &str = "you";

fn invalid(field: &str, message: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::InvalidInput, format!("{field}: {message}"))
}

fn instant(field: &str, text: &str, now: Timestamp) -> Result<Timestamp, AppError> {
    let t = crate::ledger::parse_instant(field, text.trim())?;
    if t > now {
        return Err(invalid(field, format!("{} is in the future", t.to_rfc3339())));
    }
    Ok(t)
}

fn amount(field: &str, text: Option<&str>) -> Result<Option<Amount>, AppError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => Amount::parse(t).map(Some).map_err(|e| invalid(field, format!("{e} (write it as `0.5 BTC`)"))),
    }
}

fn kind(text: &str) -> Result<TxKind, AppError> {
    text.trim().parse::<TxKind>().map_err(|e| invalid("kind", e))
}

fn checked(t: Transaction) -> Result<Transaction, AppError> {
    t.validate().map_err(|e| invalid(e.field, e.reason))?;
    Ok(t)
}

impl Session {
    /// Adds a transaction the imported files do not have (the purchase of coins that arrived from outside, with a
    /// note and a document reference).
    pub fn add_transaction(&mut self, input: &TxInput, note: &EditNote, now: Timestamp) -> Result<EditRow, AppError> {
        if input.account.trim().is_empty() {
            return Err(invalid("account", "must not be empty"));
        }
        let t = checked(Transaction {
            sent: amount("sent", input.sent.as_deref())?,
            received: amount("received", input.received.as_deref())?,
            fee: amount("fee", input.fee.as_deref())?,
            fiat_value: amount("fiat_value", input.fiat_value.as_deref())?,
            note: input.note.trim().to_string(),
            ..Transaction::new(instant("at", &input.at, now)?, input.account.trim(), kind(&input.kind)?)
        })?;
        self.edit_with(EditAction::Add, None, Some(&t), note, None, now)
    }

    /// Corrects transaction `id`: a new transaction with `changes` applied replaces it (it stays listed, replaced).
    pub fn edit_transaction(
        &mut self,
        id: i64,
        changes: &TxChanges,
        note: &EditNote,
        now: Timestamp,
    ) -> Result<EditRow, AppError> {
        let mut t = self.standing(id)?;
        if let Some(at) = &changes.at {
            t.timestamp = instant("at", at, now)?;
        }
        if let Some(a) = changes.account.as_deref().map(str::trim) {
            if a.is_empty() {
                return Err(invalid("account", "must not be empty"));
            }
            t.account = a.to_string();
        }
        if let Some(k) = &changes.kind {
            t.kind = kind(k)?;
        }
        for (field, change, slot) in [
            ("sent", &changes.sent, &mut t.sent),
            ("received", &changes.received, &mut t.received),
            ("fee", &changes.fee, &mut t.fee),
            ("fiat_value", &changes.fiat_value, &mut t.fiat_value),
        ] {
            if let Some(text) = change {
                *slot = amount(field, Some(text))?;
            }
        }
        if let Some(n) = &changes.note {
            t.note = n.trim().to_string();
        }
        let t = checked(t)?;
        self.edit_with(EditAction::Edit, Some(id), Some(&t), note, None, now)
    }

    /// Voids transaction `id`: out of every report, still listed as voided. A re-import of its file does not
    /// bring it back.
    pub fn void_transaction(&mut self, id: i64, note: &EditNote, now: Timestamp) -> Result<EditRow, AppError> {
        self.standing(id)?;
        self.edit_with(EditAction::Void, Some(id), None, note, None, now)
    }

    /// Takes edit `edit` back: what it added or replaced is as it was before.
    pub fn undo_edit(&mut self, edit: i64, note: &EditNote, now: Timestamp) -> Result<EditRow, AppError> {
        self.edit_with(EditAction::Undo, Some(edit), None, note, None, now)
    }

    /// Sets the fiat value of transaction `id` from a unit price of its priced asset (see [`priced_leg`]): the
    /// value is `price × quantity`, exact (no rounding; reports round each printed figure). `source` says where the
    /// price came from ("you" when typed).
    pub fn set_price(
        &mut self,
        id: i64,
        price: Amount,
        source: &str,
        note: &EditNote,
        now: Timestamp,
    ) -> Result<EditRow, AppError> {
        let mut t = self.standing(id)?;
        if !price.code().is_fiat() || !price.value().is_sign_positive() || price.value().is_zero() {
            return Err(invalid("price", format!("{price} is not a positive price in a fiat currency")));
        }
        let Some(leg) = priced_leg(&t) else {
            return Err(invalid("price", format!("transaction {id} has no crypto asset to price")));
        };
        let value = price
            .value()
            .checked_mul(leg.value())
            .filter(|v| *v <= offramp_core::ledger::MAX_AMOUNT)
            .ok_or_else(|| invalid("price", format!("{} × {} is too large", price.value(), leg.value())))?;
        t.fiat_value = Some(Amount::new(value, price.code()));
        let t = checked(t)?;
        self.edit_with(EditAction::Edit, Some(id), Some(&t), note, Some(source), now)
    }

    /// Every edit, oldest first.
    pub fn edits(&self) -> Result<Vec<EditRow>, AppError> {
        Ok(self.ledger().edits()?)
    }

    /// The edits that touch transaction `id`, oldest first.
    pub fn transaction_history(&self, id: i64) -> Result<Vec<EditRow>, AppError> {
        if self.ledger().transactions_by_id(&[id])?.is_empty() {
            return Err(invalid("transaction", format!("no transaction {id}")));
        }
        Ok(self.ledger().edits_of(id)?)
    }

    /// Transaction `id`, if it stands (is read by reports).
    fn standing(&self, id: i64) -> Result<Transaction, AppError> {
        let row = self.ledger().transactions_by_id(&[id])?.into_iter().next();
        match row {
            None => Err(invalid("transaction", format!("no transaction {id}"))),
            Some(r) if r.retired => {
                // Follow the standing corrections to the row that stands now, to name it.
                let mut now_id = id;
                for _ in 0..1000 {
                    let next = self
                        .ledger()
                        .edits_of(now_id)?
                        .into_iter()
                        .find(|e| e.standing && e.action == EditAction::Edit && e.target == Some(now_id))
                        .and_then(|e| e.replacement);
                    match next {
                        Some(n) => now_id = n,
                        None => break,
                    }
                }
                let hint = if now_id != id {
                    format!("edit transaction {now_id}, which replaced it")
                } else {
                    format!("it is voided (`offramp tx history {id}`; undo that edit to bring it back)")
                };
                Err(invalid("transaction", format!("transaction {id} is voided or replaced already: {hint}")))
            }
            Some(r) => Ok(r.tx),
        }
    }

    fn edit_with(
        &mut self,
        action: EditAction,
        target: Option<i64>,
        tx: Option<&Transaction>,
        note: &EditNote,
        price_source: Option<&str>,
        now: Timestamp,
    ) -> Result<EditRow, AppError> {
        let e =
            NewEdit { action, target, tx, reason: &note.reason, document: &note.document, price_source, made_by: USER };
        Ok(self.ledger_mut().apply_edit(&e, now)?)
    }
}

/// The leg whose unit price values a transaction: the crypto received (a buy, a trade, income, a deposit), else
/// the crypto sent (a sale, spending, a withdrawal), else a crypto fee (a fee on its own).
pub fn priced_leg(t: &Transaction) -> Option<Amount> {
    let crypto = |a: Option<Amount>| a.filter(|a| !a.code().is_fiat());
    crypto(t.received).or(crypto(t.sent)).or(crypto(t.fee))
}

/// The unit price implied by a transaction's fiat value, for showing: value ÷ quantity of [`priced_leg`].
pub fn unit_price(t: &Transaction) -> Option<(Decimal, Code)> {
    let v = t.effective_fiat_value()?;
    let leg = priced_leg(t)?;
    v.value().checked_div(leg.value()).map(|p| (p, v.code()))
}
