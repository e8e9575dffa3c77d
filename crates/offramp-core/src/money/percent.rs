use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{decimal_str, parse_decimal, Amount, MoneyError, ParseError};

/// A percentage as written in fee schedules: `Percent(0.26)` is 0.26 %, a fraction of 0.0026.
/// Serialized as a string of the percentage (`"0.26"`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
#[serde(transparent)]
pub struct Percent(#[serde(with = "decimal_str")] Decimal);

impl Percent {
    pub const ZERO: Percent = Percent(Decimal::ZERO);

    pub fn new(percent: Decimal) -> Percent {
        Percent(percent)
    }

    /// Parses `"0.26"` or `"0.26%"`.
    pub fn parse(text: &str) -> Result<Percent, ParseError> {
        parse_decimal(text.strip_suffix('%').unwrap_or(text)).map(Percent)
    }

    /// The percentage itself (0.26 for 0.26 %).
    pub fn value(&self) -> Decimal {
        self.0
    }

    /// The fraction it stands for (0.0026 for 0.26 %).
    pub fn fraction(&self) -> Decimal {
        self.0 / Decimal::ONE_HUNDRED
    }

    /// This percentage of an amount, unrounded: 0.26 % of 10000 USD is 26.0000 USD.
    pub fn of(&self, amount: &Amount) -> Result<Amount, MoneyError> {
        amount.checked_mul(self.fraction())
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl fmt::Debug for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Percent({}%)", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_of_an_amount() {
        let fee = Percent::parse("0.26%").unwrap();
        assert_eq!(fee.to_string(), "0.26%");
        assert_eq!(fee.fraction(), Decimal::new(26, 4));
        let cost = fee.of(&Amount::parse("10000 USD").unwrap()).unwrap();
        assert_eq!(cost.round_to_minor_units(), Amount::parse("26.00 USD").unwrap());
        // 0.1 % of 0.00012345 BTC, exactly.
        let small = Percent::parse("0.1").unwrap().of(&Amount::parse("0.00012345 BTC").unwrap()).unwrap();
        assert_eq!(small.value(), Decimal::new(12345, 11));
    }

    #[test]
    fn parse_and_serde() {
        assert!(Percent::parse("1e-2").is_err());
        assert!(Percent::parse("%").is_err());
        assert_eq!(serde_json::to_string(&Percent::parse("0.10").unwrap()).unwrap(), "\"0.10\"");
        assert_eq!(serde_json::from_str::<Percent>("\"0.5\"").unwrap(), Percent::parse("0.5").unwrap());
        assert!(serde_json::from_str::<Percent>("0.5").is_err());
    }
}
