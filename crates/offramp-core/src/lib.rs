//! Offramp's pure core.
//!
//! Everything here is deterministic: no files, no network, no clock. Time, prices and the user's records are
//! passed in. Every amount, price, fee and quantity is a [`rust_decimal::Decimal`], never a float.

pub mod ca;
pub mod catalog;
pub mod country;
pub mod de;
pub mod fasthash;
pub mod fx;
pub mod holding;
pub mod jurisdiction;
pub mod ledger;
pub mod lots;
pub mod market;
pub mod money;
pub mod overrides;
pub mod plan;
pub mod quote;
pub mod tax;
pub mod taxplan;
pub mod text;
pub mod time;
pub mod transfers;
pub mod uk;
pub mod us;

pub use jurisdiction::Jurisdiction;
pub use ledger::{Transaction, TxError, TxKind};
pub use money::{Amount, Code, MoneyError, ParseError, Percent, Price};
pub use rust_decimal::Decimal;
pub use time::{TimeError, Timestamp};
