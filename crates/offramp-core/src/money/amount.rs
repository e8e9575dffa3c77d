use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{decimal_str, parse_decimal, Code, CodeKind, MoneyError, ParseError};

/// An exact quantity of one currency or asset: `1234.56 USD`, `0.5 BTC`.
///
/// Two amounts combine only when their codes are equal; anything else is a [`MoneyError::CodeMismatch`].
/// Serialized as `{"value": "0.5", "code": "BTC"}` with the value as a string.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Amount {
    #[serde(with = "decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    value: Decimal,
    code: Code,
}

impl Amount {
    pub fn new(value: Decimal, code: Code) -> Amount {
        Amount { value, code }
    }

    pub fn zero(code: Code) -> Amount {
        Amount { value: Decimal::ZERO, code }
    }

    /// Parses `"<number> <code>"`, e.g. `"0.5 BTC"` or `"-12.30 usd"`; the number as in [`parse_decimal`].
    pub fn parse(text: &str) -> Result<Amount, ParseError> {
        let (number, code) = text.split_once(' ').ok_or_else(|| ParseError::MissingCode(crate::text::clip(text)))?;
        Ok(Amount { value: parse_decimal(number)?, code: Code::parse(code)? })
    }

    /// Parses a bare number and tags it with `code`.
    pub fn parse_value(number: &str, code: Code) -> Result<Amount, ParseError> {
        Ok(Amount { value: parse_decimal(number)?, code })
    }

    pub fn value(&self) -> Decimal {
        self.value
    }

    pub fn code(&self) -> Code {
        self.code
    }

    pub fn is_zero(&self) -> bool {
        self.value.is_zero()
    }

    pub fn is_negative(&self) -> bool {
        self.value.is_sign_negative() && !self.value.is_zero()
    }

    pub fn is_positive(&self) -> bool {
        self.value.is_sign_positive() && !self.value.is_zero()
    }

    fn same_code(&self, other: &Amount) -> Result<(), MoneyError> {
        if self.code == other.code {
            Ok(())
        } else {
            Err(MoneyError::CodeMismatch { left: self.code, right: other.code })
        }
    }

    pub fn try_add(&self, other: &Amount) -> Result<Amount, MoneyError> {
        self.same_code(other)?;
        let value = self.value.checked_add(other.value).ok_or(MoneyError::Overflow { op: "addition" })?;
        Ok(Amount { value, code: self.code })
    }

    pub fn try_sub(&self, other: &Amount) -> Result<Amount, MoneyError> {
        self.same_code(other)?;
        let value = self.value.checked_sub(other.value).ok_or(MoneyError::Overflow { op: "subtraction" })?;
        Ok(Amount { value, code: self.code })
    }

    /// Multiplies by a plain factor (a ratio, a count), keeping the code.
    pub fn checked_mul(&self, factor: Decimal) -> Result<Amount, MoneyError> {
        let value = self.value.checked_mul(factor).ok_or(MoneyError::Overflow { op: "multiplication" })?;
        Ok(Amount { value, code: self.code })
    }

    /// Divides by a plain divisor, keeping the code. The quotient carries up to 28 significant decimals.
    pub fn checked_div(&self, divisor: Decimal) -> Result<Amount, MoneyError> {
        if divisor.is_zero() {
            return Err(MoneyError::DivisionByZero { op: "amount division" });
        }
        let value = self.value.checked_div(divisor).ok_or(MoneyError::Overflow { op: "division" })?;
        Ok(Amount { value, code: self.code })
    }

    /// The ratio of two amounts of the same code (for example, the share of a lot that was sold).
    pub fn ratio_to(&self, other: &Amount) -> Result<Decimal, MoneyError> {
        self.same_code(other)?;
        if other.value.is_zero() {
            return Err(MoneyError::DivisionByZero { op: "ratio" });
        }
        self.value.checked_div(other.value).ok_or(MoneyError::Overflow { op: "ratio" })
    }

    pub fn neg(&self) -> Amount {
        Amount { value: -self.value, code: self.code }
    }

    pub fn abs(&self) -> Amount {
        Amount { value: self.value.abs(), code: self.code }
    }

    /// Compares two amounts of the same code.
    pub fn try_cmp(&self, other: &Amount) -> Result<Ordering, MoneyError> {
        self.same_code(other)?;
        Ok(self.value.cmp(&other.value))
    }

    /// Sums amounts that must all carry `code`. An empty sum is zero.
    pub fn sum<'a>(code: Code, amounts: impl IntoIterator<Item = &'a Amount>) -> Result<Amount, MoneyError> {
        amounts.into_iter().try_fold(Amount::zero(code), |acc, a| acc.try_add(a))
    }

    /// The presentation and reporting rounding rule: a fiat amount is rounded **half away from zero** to its
    /// currency's minor unit (0.005 USD → 0.01 USD, -0.005 USD → -0.01 USD, 0.5 JPY → 1 JPY) and written with
    /// exactly that many decimals (12 USD → 12.00 USD). Crypto quantities
    /// and unknown codes are returned unchanged. Computation never rounds in between; only the final figure is.
    pub fn round_to_minor_units(&self) -> Amount {
        match self.code.kind() {
            CodeKind::Fiat { minor_units } => {
                Amount { value: super::round_half_away(self.value, minor_units), code: self.code }
            }
            CodeKind::Crypto => *self,
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.value, self.code)
    }
}

impl fmt::Debug for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Amount({} {})", self.value, self.code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Amount {
        Amount::parse(s).unwrap()
    }

    #[test]
    fn parse_and_display() {
        let x = a("0.50 btc");
        assert_eq!(x.code().as_str(), "BTC");
        assert_eq!(x.to_string(), "0.50 BTC");
        assert!(matches!(Amount::parse("0.5"), Err(ParseError::MissingCode(_))));
        assert!(matches!(Amount::parse("0.5  BTC"), Err(ParseError::InvalidCode { .. })));
        assert!(matches!(Amount::parse("5e2 USD"), Err(ParseError::Exponent(_))));
        assert!(matches!(Amount::parse(" USD"), Err(ParseError::Empty)));
    }

    #[test]
    fn exact_arithmetic() {
        // 0.1 + 0.2 is exactly 0.3: no float anywhere.
        assert_eq!(a("0.1 USD").try_add(&a("0.2 USD")).unwrap(), a("0.3 USD"));
        assert_eq!(a("1 BTC").try_sub(&a("0.00000001 BTC")).unwrap(), a("0.99999999 BTC"));
        assert_eq!(a("2.5 EUR").checked_mul(Decimal::from(3)).unwrap(), a("7.5 EUR"));
        assert_eq!(a("10 USD").checked_div(Decimal::from(4)).unwrap(), a("2.5 USD"));
        assert_eq!(a("1 BTC").ratio_to(&a("4 BTC")).unwrap(), Decimal::new(25, 2));
        let total = Amount::sum(Code::parse("USD").unwrap(), &[a("1.10 USD"), a("2.20 USD")]).unwrap();
        assert_eq!(total, a("3.30 USD"));
    }

    #[test]
    fn refuses_to_mix_codes() {
        let err = a("1 BTC").try_add(&a("1 USD")).unwrap_err();
        assert_eq!(
            err,
            MoneyError::CodeMismatch { left: Code::parse("BTC").unwrap(), right: Code::parse("USD").unwrap() }
        );
        assert!(a("1 EUR").try_sub(&a("1 USD")).is_err());
        assert!(a("1 EUR").try_cmp(&a("1 USD")).is_err());
        assert!(a("1 EUR").ratio_to(&a("1 USD")).is_err());
        assert!(Amount::sum(Code::parse("USD").unwrap(), &[a("1 USD"), a("1 EUR")]).is_err());
    }

    #[test]
    fn overflow_and_division_by_zero_are_errors() {
        let big = Amount::new(Decimal::MAX, Code::parse("USD").unwrap());
        assert_eq!(big.try_add(&a("1 USD")), Err(MoneyError::Overflow { op: "addition" }));
        assert!(big.checked_mul(Decimal::from(2)).is_err());
        assert!(matches!(a("1 USD").checked_div(Decimal::ZERO), Err(MoneyError::DivisionByZero { .. })));
        assert!(matches!(a("1 USD").ratio_to(&a("0 USD")), Err(MoneyError::DivisionByZero { .. })));
    }

    #[test]
    fn rounding_rule_half_away_from_zero_for_fiat_only() {
        assert_eq!(a("0.005 USD").round_to_minor_units(), a("0.01 USD"));
        assert_eq!(a("-0.005 USD").round_to_minor_units(), a("-0.01 USD"));
        assert_eq!(a("2.344999 EUR").round_to_minor_units(), a("2.34 EUR"));
        assert_eq!(a("0.5 JPY").round_to_minor_units(), a("1 JPY"));
        assert_eq!(a("1.0005 KWD").round_to_minor_units(), a("1.001 KWD"));
        assert_eq!(a("0.123456789 BTC").round_to_minor_units(), a("0.123456789 BTC"));
        assert_eq!(a("150000 GBP").round_to_minor_units().to_string(), "150000.00 GBP");
        assert_eq!(a("7 JPY").round_to_minor_units().to_string(), "7 JPY");
    }

    #[test]
    fn signs() {
        assert!(a("-1 USD").is_negative());
        assert!(!a("0 USD").is_negative() && !a("-0 USD").is_negative() && !a("0 USD").is_positive());
        assert!(a("-0 USD").is_zero());
        assert_eq!(a("-1 USD").abs(), a("1 USD"));
        assert_eq!(a("1 USD").neg(), a("-1 USD"));
    }

    #[test]
    fn serde_round_trip_as_strings() {
        let x = a("1234.50 USD");
        let json = serde_json::to_string(&x).unwrap();
        assert_eq!(json, r#"{"value":"1234.50","code":"USD"}"#);
        assert_eq!(serde_json::from_str::<Amount>(&json).unwrap(), x);
        assert!(serde_json::from_str::<Amount>(r#"{"value":1234.5,"code":"USD"}"#).is_err());
        assert!(serde_json::from_str::<Amount>(r#"{"value":"1","code":"U S"}"#).is_err());
    }
}
