use rust_decimal::Decimal;

use super::ParseError;

/// The largest number of decimal places a figure may have (the limit of [`Decimal`]).
pub const MAX_SCALE: u32 = 28;

/// Parses a plain decimal number exactly.
///
/// Accepted: an optional `+` or `-`, digits, and at most one `.` (`12`, `-0.5`, `.25`, `3.`). Refused, each with
/// its own [`ParseError`]: empty text, surrounding or inner white space, exponents (`1e5`), thousands separators,
/// more than [`MAX_SCALE`] decimal places, and values too large for a [`Decimal`]. Nothing is rounded: a number
/// that cannot be held exactly is an error.
pub fn parse_decimal(text: &str) -> Result<Decimal, ParseError> {
    if text.is_empty() {
        return Err(ParseError::Empty);
    }
    let (negative, body) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let offset = text.len() - body.len();
    let mut int_digits = 0usize;
    let mut frac_digits = 0usize;
    let mut seen_point = false;
    for (i, ch) in body.char_indices() {
        match ch {
            '0'..='9' if seen_point => frac_digits += 1,
            '0'..='9' => int_digits += 1,
            '.' if !seen_point => seen_point = true,
            'e' | 'E' => return Err(ParseError::Exponent(crate::text::clip(text))),
            _ => {
                return Err(ParseError::InvalidCharacter { text: crate::text::clip(text), ch, pos: offset + i });
            }
        }
    }
    if int_digits + frac_digits == 0 {
        return Err(ParseError::NoDigits(crate::text::clip(text)));
    }
    if frac_digits > MAX_SCALE as usize {
        return Err(ParseError::TooManyDecimals { text: crate::text::clip(text), got: frac_digits, max: MAX_SCALE });
    }
    let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
    let mut canonical = String::with_capacity(body.len() + 3);
    if negative {
        canonical.push('-');
    }
    canonical.push_str(if int_part.is_empty() { "0" } else { int_part });
    if !frac_part.is_empty() {
        canonical.push('.');
        canonical.push_str(frac_part);
    }
    Decimal::from_str_exact(&canonical).map_err(|_| ParseError::OutOfRange(crate::text::clip(text)))
}

/// Serde helpers that write a [`Decimal`] as a JSON string (`"0.1"`, never `0.1`) and read it back with
/// [`parse_decimal`]. A JSON number is refused on input: it may already have passed through a float.
///
/// Use as `#[serde(with = "offramp_core::money::decimal_str")]`, or `decimal_str::option` for `Option<Decimal>`.
pub mod decimal_str {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_decimal(&text).map_err(serde::de::Error::custom)
    }

    pub mod option {
        use rust_decimal::Decimal;
        use serde::{Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(value: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
            match value {
                Some(v) => s.collect_str(v),
                None => s.serialize_none(),
            }
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
            match Option::<String>::deserialize(d)? {
                Some(text) => super::super::parse_decimal(&text).map(Some).map_err(serde::de::Error::custom),
                None => Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn accepts_plain_numbers() {
        assert_eq!(parse_decimal("12").unwrap(), d("12"));
        assert_eq!(parse_decimal("-0.5").unwrap(), d("-0.5"));
        assert_eq!(parse_decimal("+1.25").unwrap(), d("1.25"));
        assert_eq!(parse_decimal(".25").unwrap(), d("0.25"));
        assert_eq!(parse_decimal("3.").unwrap(), d("3"));
        // Scale is kept: 1.50 stays 1.50 when written back.
        assert_eq!(parse_decimal("1.50").unwrap().to_string(), "1.50");
        assert_eq!(parse_decimal("0.00000001").unwrap().to_string(), "0.00000001");
        // 28 decimal places is the most a Decimal holds exactly.
        let p28 = format!("0.{}1", "0".repeat(27));
        assert_eq!(parse_decimal(&p28).unwrap().scale(), 28);
    }

    #[test]
    fn rejects_bad_numbers() {
        assert_eq!(parse_decimal(""), Err(ParseError::Empty));
        assert!(matches!(parse_decimal("1e5"), Err(ParseError::Exponent(_))));
        assert!(matches!(parse_decimal("1.5E-3"), Err(ParseError::Exponent(_))));
        assert!(matches!(parse_decimal("-"), Err(ParseError::NoDigits(_))));
        assert!(matches!(parse_decimal("."), Err(ParseError::NoDigits(_))));
        assert!(matches!(parse_decimal("1,000.00"), Err(ParseError::InvalidCharacter { ch: ',', pos: 1, .. })));
        assert!(matches!(parse_decimal(" 1"), Err(ParseError::InvalidCharacter { ch: ' ', pos: 0, .. })));
        assert!(matches!(parse_decimal("1 "), Err(ParseError::InvalidCharacter { .. })));
        assert!(matches!(parse_decimal("1.2.3"), Err(ParseError::InvalidCharacter { ch: '.', .. })));
        assert!(matches!(parse_decimal("--1"), Err(ParseError::InvalidCharacter { ch: '-', .. })));
        assert!(matches!(parse_decimal("NaN"), Err(ParseError::InvalidCharacter { .. })));
        assert!(matches!(parse_decimal("١٢"), Err(ParseError::InvalidCharacter { .. })));
        let p29 = format!("0.{}1", "0".repeat(28));
        assert!(matches!(parse_decimal(&p29), Err(ParseError::TooManyDecimals { got: 29, .. })));
        assert!(matches!(parse_decimal(&"9".repeat(40)), Err(ParseError::OutOfRange(_))));
    }

    #[test]
    fn serde_string_only() {
        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct W {
            #[serde(with = "decimal_str")]
            v: Decimal,
            #[serde(with = "decimal_str::option")]
            o: Option<Decimal>,
        }
        let w = W { v: d("0.10"), o: None };
        let json = serde_json::to_string(&w).unwrap();
        assert_eq!(json, r#"{"v":"0.10","o":null}"#);
        assert_eq!(serde_json::from_str::<W>(&json).unwrap(), w);
        assert!(serde_json::from_str::<W>(r#"{"v":0.1,"o":null}"#).is_err(), "JSON numbers are refused");
        assert!(serde_json::from_str::<W>(r#"{"v":"1e3","o":null}"#).is_err());
        let w2: W = serde_json::from_str(r#"{"v":"1","o":"2.5"}"#).unwrap();
        assert_eq!(w2.o, Some(d("2.5")));
    }
}
