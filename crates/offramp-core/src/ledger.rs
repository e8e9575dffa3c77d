//! The ledger's records: transactions in accounts, and the rules every transaction must satisfy before it is
//! stored. Pure data and validation; storage lives in `offramp-store`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::money::{Amount, Code};
use crate::time::Timestamp;
use crate::Decimal;

/// What kind of thing happened. Each kind says which legs (sent, received, fee) it has; see
/// [`Transaction::validate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum TxKind {
    /// Fiat sent, crypto received.
    Buy,
    /// Crypto sent, fiat received.
    Sell,
    /// Crypto sent, other crypto received: a disposal and an acquisition.
    Trade,
    /// Crypto spent on goods or services: a disposal.
    Spend,
    /// A fee on its own (the fee leg only); a fee paid in crypto is a disposal of that crypto.
    Fee,
    /// The out-leg of a move between the user's own accounts.
    TransferOut,
    /// The in-leg of a move between the user's own accounts.
    TransferIn,
    /// Money or crypto arriving from outside the user's accounts (fiat from a bank, crypto of unknown origin).
    Deposit,
    /// Money or crypto leaving to outside the user's accounts.
    Withdrawal,
    /// Income at fair value on receipt.
    Staking,
    Mining,
    Airdrop,
    Interest,
    OtherIncome,
}

pub const ALL_KINDS: [TxKind; 14] = [
    TxKind::Buy,
    TxKind::Sell,
    TxKind::Trade,
    TxKind::Spend,
    TxKind::Fee,
    TxKind::TransferOut,
    TxKind::TransferIn,
    TxKind::Deposit,
    TxKind::Withdrawal,
    TxKind::Staking,
    TxKind::Mining,
    TxKind::Airdrop,
    TxKind::Interest,
    TxKind::OtherIncome,
];

impl TxKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            TxKind::Buy => "buy",
            TxKind::Sell => "sell",
            TxKind::Trade => "trade",
            TxKind::Spend => "spend",
            TxKind::Fee => "fee",
            TxKind::TransferOut => "transfer_out",
            TxKind::TransferIn => "transfer_in",
            TxKind::Deposit => "deposit",
            TxKind::Withdrawal => "withdrawal",
            TxKind::Staking => "staking",
            TxKind::Mining => "mining",
            TxKind::Airdrop => "airdrop",
            TxKind::Interest => "interest",
            TxKind::OtherIncome => "other_income",
        }
    }

    pub fn is_income(&self) -> bool {
        matches!(self, TxKind::Staking | TxKind::Mining | TxKind::Airdrop | TxKind::Interest | TxKind::OtherIncome)
    }

    /// Which legs the kind must have: (sent, received).
    fn legs(&self) -> (Leg, Leg) {
        use Leg::*;
        match self {
            TxKind::Buy | TxKind::Sell | TxKind::Trade => (Required, Required),
            TxKind::Spend | TxKind::TransferOut | TxKind::Withdrawal => (Required, Absent),
            TxKind::Fee => (Absent, Absent),
            TxKind::TransferIn | TxKind::Deposit => (Absent, Required),
            _ => (Absent, Required), // income
        }
    }
}

impl fmt::Display for TxKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TxKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ALL_KINDS.iter().copied().find(|k| k.as_str() == s).ok_or_else(|| {
            let names: Vec<&str> = ALL_KINDS.iter().map(|k| k.as_str()).collect();
            format!("unknown type `{}` (expected one of: {})", crate::text::clip(s), names.join(", "))
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Leg {
    Required,
    Absent,
}

/// One thing that happened in one account. Quantities are positive; the leg says the direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Transaction {
    pub timestamp: Timestamp,
    pub account: String,
    pub kind: TxKind,
    pub sent: Option<Amount>,
    pub received: Option<Amount>,
    pub fee: Option<Amount>,
    /// The fiat value of the transaction at the time (fair value of income, value of a trade). `None` means
    /// "needs price": never read as zero.
    pub fiat_value: Option<Amount>,
    /// The exchange's own id for the transaction, when it has one.
    pub external_id: Option<String>,
    pub note: String,
}

/// Which field of a transaction is wrong, and why. Importers add the file and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct TxError {
    pub field: &'static str,
    pub reason: String,
}

fn err(field: &'static str, reason: impl Into<String>) -> TxError {
    TxError { field, reason: reason.into() }
}

impl Transaction {
    /// A transaction with no legs, no value, no id and no note yet: importers fill in what their row has.
    pub fn new(timestamp: Timestamp, account: impl Into<String>, kind: TxKind) -> Transaction {
        Transaction {
            timestamp,
            account: account.into(),
            kind,
            sent: None,
            received: None,
            fee: None,
            fiat_value: None,
            external_id: None,
            note: String::new(),
        }
    }

    /// Checks the transaction against its kind: required and forbidden legs, positive quantities, fiat where
    /// fiat is expected, a fiat value in a fiat currency.
    pub fn validate(&self) -> Result<(), TxError> {
        if self.account.trim().is_empty() {
            return Err(err("account", "must not be empty"));
        }
        for (field, a) in
            [("sent", &self.sent), ("received", &self.received), ("fee", &self.fee), ("fiat_value", &self.fiat_value)]
        {
            if let Some(a) = a.filter(|a| a.value().abs() > MAX_AMOUNT) {
                return Err(err(
                    field,
                    format!("{} is larger than any real holding (more than {MAX_AMOUNT})", a.value()),
                ));
            }
        }
        let (sent_leg, received_leg) = self.kind.legs();
        check_leg("sent", self.sent.as_ref(), sent_leg, self.kind)?;
        check_leg("received", self.received.as_ref(), received_leg, self.kind)?;
        if let Some(fee) = &self.fee {
            if fee.is_negative() {
                return Err(err("fee", format!("must not be negative ({fee})")));
            }
        } else if self.kind == TxKind::Fee {
            return Err(err("fee", "a fee transaction needs a fee amount"));
        }
        if let (Some(s), Some(r)) = (&self.sent, &self.received) {
            if s.code() == r.code() {
                return Err(err("received", format!("sends and receives the same asset {}", s.code())));
            }
        }
        let fiat = |a: &Option<Amount>| a.map(|a| a.code().is_fiat());
        match self.kind {
            TxKind::Buy if fiat(&self.sent) == Some(false) => {
                return Err(err("sent", "a buy pays with fiat; use `trade` for crypto-to-crypto"));
            }
            TxKind::Buy if fiat(&self.received) == Some(true) => {
                return Err(err("received", "a buy receives a crypto asset"));
            }
            TxKind::Sell if fiat(&self.received) == Some(false) => {
                return Err(err("received", "a sell receives fiat; use `trade` for crypto-to-crypto"));
            }
            TxKind::Sell if fiat(&self.sent) == Some(true) => {
                return Err(err("sent", "a sell sends a crypto asset"));
            }
            TxKind::Trade if fiat(&self.sent) == Some(true) || fiat(&self.received) == Some(true) => {
                return Err(err("type", "a trade exchanges two crypto assets; use `buy` or `sell` with fiat"));
            }
            k if k.is_income() && fiat(&self.received) == Some(true) => {
                return Err(err("received", "income in fiat is not a crypto event; record it as a deposit"));
            }
            _ => {}
        }
        if let Some(v) = &self.fiat_value {
            if !v.code().is_fiat() {
                return Err(err("fiat_value", format!("{} is not a fiat currency", v.code())));
            }
            if v.is_negative() {
                return Err(err("fiat_value", format!("must not be negative ({v})")));
            }
        }
        Ok(())
    }

    /// The fiat value, either given or implied by a fiat leg (a buy's payment, a sell's proceeds).
    pub fn effective_fiat_value(&self) -> Option<Amount> {
        let implied = match self.kind {
            TxKind::Buy => self.sent,
            TxKind::Sell => self.received,
            _ => None,
        };
        self.fiat_value.or(implied)
    }

    /// Whether the transaction involves crypto whose fiat value is unknown: a "needs price" state the UI and
    /// reports show, never a zero.
    pub fn needs_price(&self) -> bool {
        let value = self.effective_fiat_value();
        let crypto_leg = [self.sent, self.received].iter().flatten().any(|a| !a.code().is_fiat());
        let valued_kind = !matches!(self.kind, TxKind::TransferIn | TxKind::TransferOut);
        // A fee paid in crypto is a disposal of that crypto. Its value follows from the transaction's value only
        // when it is paid in one of the transaction's own assets (the price is then implied); a fee in a third
        // asset (BNB on a BTC buy) needs a price of its own.
        // A standalone fee (no other leg) is valued by the transaction's own fiat value.
        let standalone = self.sent.is_none() && self.received.is_none();
        let fee_unvalued = self.fee.is_some_and(|f| {
            let own_asset = [self.sent, self.received].iter().flatten().any(|a| a.code() == f.code());
            let valued_by_trade = value.is_some() && (own_asset || standalone);
            !f.code().is_fiat() && !f.is_zero() && !valued_by_trade
        });
        (value.is_none() && crypto_leg && valued_kind) || fee_unvalued
    }

    /// The assets this transaction touches.
    pub fn assets(&self) -> impl Iterator<Item = Code> + '_ {
        [self.sent, self.received, self.fee].into_iter().flatten().map(|a| a.code())
    }
}

/// The largest amount a transaction may carry (10^18 units). Real holdings stay far below it (the largest token
/// supplies are around 10^15), and it keeps every sum and product a report forms inside a decimal's range, so a
/// mistyped figure is an error naming its field, never an overflow later.
pub const MAX_AMOUNT: Decimal = Decimal::from_parts(2_808_348_672, 232_830_643, 0, false, 0);

fn check_leg(field: &'static str, amount: Option<&Amount>, leg: Leg, kind: TxKind) -> Result<(), TxError> {
    match (leg, amount) {
        (Leg::Required, None) => Err(err(field, format!("a `{kind}` needs a {field} amount and asset"))),
        (Leg::Absent, Some(a)) => Err(err(field, format!("a `{kind}` has no {field} leg (got {a})"))),
        (Leg::Required, Some(a)) if !a.is_positive() => {
            Err(err(field, format!("must be a positive quantity (got {}); the column gives the direction", a.value())))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Option<Amount> {
        Some(Amount::parse(s).unwrap())
    }

    #[test]
    fn amounts_beyond_any_real_holding_are_refused() {
        assert_eq!(MAX_AMOUNT, "1000000000000000000".parse::<Decimal>().unwrap());
        let t = tx(TxKind::Buy, a("1000 USD"), a("1000000000000000001 BTC"));
        assert_eq!(t.validate().unwrap_err().field, "received");
        assert!(tx(TxKind::Buy, a("1000 USD"), a("1000000000000000000 BTC")).validate().is_ok());
    }

    fn tx(kind: TxKind, sent: Option<Amount>, received: Option<Amount>) -> Transaction {
        Transaction {
            sent,
            received,
            ..Transaction::new(Timestamp::parse_rfc3339("2024-01-01T00:00:00Z").unwrap(), "Kraken", kind)
        }
    }

    #[test]
    fn kinds_round_trip_through_text() {
        for k in ALL_KINDS {
            assert_eq!(k.as_str().parse::<TxKind>().unwrap(), k);
        }
        assert!("swap".parse::<TxKind>().unwrap_err().contains("unknown type `swap`"));
    }

    #[test]
    fn valid_shapes() {
        tx(TxKind::Buy, a("100 USD"), a("0.01 BTC")).validate().unwrap();
        tx(TxKind::Sell, a("0.01 BTC"), a("100 USD")).validate().unwrap();
        tx(TxKind::Trade, a("1 ETH"), a("0.05 BTC")).validate().unwrap();
        tx(TxKind::Staking, None, a("0.1 ETH")).validate().unwrap();
        tx(TxKind::TransferOut, a("1 BTC"), None).validate().unwrap();
        tx(TxKind::Deposit, None, a("1000 EUR")).validate().unwrap();
    }

    #[test]
    fn invalid_shapes_name_the_field() {
        assert_eq!(tx(TxKind::Buy, None, a("1 BTC")).validate().unwrap_err().field, "sent");
        assert_eq!(tx(TxKind::Staking, a("1 BTC"), a("1 ETH")).validate().unwrap_err().field, "sent");
        assert_eq!(tx(TxKind::Buy, a("-100 USD"), a("1 BTC")).validate().unwrap_err().field, "sent");
        assert_eq!(tx(TxKind::Sell, a("1 BTC"), a("0 USD")).validate().unwrap_err().field, "received");
        assert_eq!(tx(TxKind::Buy, a("1 ETH"), a("1 BTC")).validate().unwrap_err().field, "sent");
        assert_eq!(tx(TxKind::Trade, a("1 BTC"), a("1 BTC")).validate().unwrap_err().field, "received");
        assert_eq!(tx(TxKind::Trade, a("1 BTC"), a("5 USD")).validate().unwrap_err().field, "type");
        assert_eq!(tx(TxKind::Fee, None, None).validate().unwrap_err().field, "fee");
        let mut t = tx(TxKind::Trade, a("1 ETH"), a("0.05 BTC"));
        t.fiat_value = a("10 BTC");
        assert_eq!(t.validate().unwrap_err().field, "fiat_value");
        t.fiat_value = None;
        t.fee = a("-1 ETH");
        assert_eq!(t.validate().unwrap_err().field, "fee");
    }

    #[test]
    fn needs_price_is_explicit() {
        assert!(!tx(TxKind::Buy, a("100 USD"), a("0.01 BTC")).needs_price());
        assert!(tx(TxKind::Trade, a("1 ETH"), a("0.05 BTC")).needs_price());
        assert!(tx(TxKind::Staking, None, a("0.1 ETH")).needs_price());
        assert!(!tx(TxKind::TransferOut, a("1 BTC"), None).needs_price());
        let mut t = tx(TxKind::TransferOut, a("1 BTC"), None);
        t.fee = a("0.0001 BTC");
        assert!(t.needs_price(), "a crypto fee is a disposal that needs a value");
        let mut t = tx(TxKind::Staking, None, a("0.1 ETH"));
        t.fiat_value = a("300 USD");
        assert!(!t.needs_price());
        let mut t = tx(TxKind::Buy, a("1000 EUR"), a("0.02 BTC"));
        t.fee = a("0.0001 BTC");
        assert!(!t.needs_price(), "a fee in the bought asset is valued at the trade's price");
        t.fee = a("0.003 BNB");
        assert!(t.needs_price(), "a fee in a third asset needs its own price");
        // A standalone fee row: valued by its own fiat value, else it needs one.
        let mut t = tx(TxKind::Fee, None, None);
        t.fee = a("0.0005 BTC");
        assert!(t.needs_price());
        t.fiat_value = a("30 USD");
        assert!(!t.needs_price(), "a fee row with its fiat value is valued");
    }
}
