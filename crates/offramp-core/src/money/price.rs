use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{decimal_str, parse_decimal, Amount, Code, MoneyError, ParseError};

/// The price of one unit of `base` in `quote`: `65000 USD/BTC` means 1 BTC costs 65000 USD. Never negative.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(as = "PriceRepr"))]
#[serde(try_from = "PriceRepr", into = "PriceRepr")]
pub struct Price {
    value: Decimal,
    base: Code,
    quote: Code,
}

#[derive(Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
struct PriceRepr {
    #[serde(with = "decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    value: Decimal,
    base: Code,
    quote: Code,
}

impl TryFrom<PriceRepr> for Price {
    type Error = MoneyError;
    fn try_from(r: PriceRepr) -> Result<Self, Self::Error> {
        Price::new(r.value, r.base, r.quote)
    }
}

impl From<Price> for PriceRepr {
    fn from(p: Price) -> Self {
        PriceRepr { value: p.value, base: p.base, quote: p.quote }
    }
}

impl Price {
    pub fn new(value: Decimal, base: Code, quote: Code) -> Result<Price, MoneyError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::NegativePrice);
        }
        Ok(Price { value, base, quote })
    }

    /// Parses a bare number as the price of `base` in `quote`.
    pub fn parse(number: &str, base: Code, quote: Code) -> Result<Price, ParseError> {
        let value = parse_decimal(number)?;
        Price::new(value, base, quote).map_err(|_| ParseError::NegativePrice(number.to_string()))
    }

    /// The price implied by a trade: `total` of quote paid for `quantity` of base.
    pub fn from_trade(total: &Amount, quantity: &Amount) -> Result<Price, MoneyError> {
        if quantity.is_zero() {
            return Err(MoneyError::DivisionByZero { op: "price from trade" });
        }
        let value = total.value().checked_div(quantity.value()).ok_or(MoneyError::Overflow { op: "price" })?;
        Price::new(value.abs(), quantity.code(), total.code())
    }

    pub fn value(&self) -> Decimal {
        self.value
    }

    pub fn base(&self) -> Code {
        self.base
    }

    pub fn quote(&self) -> Code {
        self.quote
    }

    /// What `quantity` of the base asset is worth in the quote currency. Refuses a quantity of another code.
    pub fn value_of(&self, quantity: &Amount) -> Result<Amount, MoneyError> {
        if quantity.code() != self.base {
            return Err(MoneyError::CodeMismatch { left: quantity.code(), right: self.base });
        }
        let v = quantity.value().checked_mul(self.value).ok_or(MoneyError::Overflow { op: "price conversion" })?;
        Ok(Amount::new(v, self.quote))
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}/{}", self.value, self.quote, self.base)
    }
}

impl fmt::Debug for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Price({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Code {
        Code::parse(s).unwrap()
    }

    #[test]
    fn converts_quantity_to_quote() {
        let p = Price::parse("65000.50", c("BTC"), c("USD")).unwrap();
        assert_eq!(p.to_string(), "65000.50 USD/BTC");
        let v = p.value_of(&Amount::parse("0.1 BTC").unwrap()).unwrap();
        assert_eq!(v, Amount::parse("6500.050 USD").unwrap());
        assert!(matches!(p.value_of(&Amount::parse("1 ETH").unwrap()), Err(MoneyError::CodeMismatch { .. })));
    }

    #[test]
    fn from_trade() {
        let p = Price::from_trade(&Amount::parse("-3000 EUR").unwrap(), &Amount::parse("0.05 BTC").unwrap()).unwrap();
        assert_eq!(p.value(), Decimal::from(60000));
        assert_eq!((p.base(), p.quote()), (c("BTC"), c("EUR")));
        assert!(Price::from_trade(&Amount::parse("1 EUR").unwrap(), &Amount::parse("0 BTC").unwrap()).is_err());
    }

    #[test]
    fn refuses_negative_and_bad_text() {
        assert!(matches!(Price::parse("-1", c("BTC"), c("USD")), Err(ParseError::NegativePrice(_))));
        assert!(Price::parse("1e4", c("BTC"), c("USD")).is_err());
        assert!(serde_json::from_str::<Price>(r#"{"value":"-5","base":"BTC","quote":"USD"}"#).is_err());
        let ok: Price = serde_json::from_str(r#"{"value":"5.0","base":"BTC","quote":"USD"}"#).unwrap();
        assert_eq!(serde_json::to_string(&ok).unwrap(), r#"{"value":"5.0","base":"BTC","quote":"USD"}"#);
    }
}
