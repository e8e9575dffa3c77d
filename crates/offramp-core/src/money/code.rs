use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ParseError;

const MAX_LEN: usize = 15;

/// A currency or asset code such as `USD`, `EUR`, `BTC`, `USDC.E`.
///
/// Stored inline (no allocation, `Copy`), always upper case. Accepted: 1 to 15 characters, ASCII letters and
/// digits, plus `.`, `-` and `_` after the first character. Lower-case input is upper-cased.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(type = "string"))]
pub struct Code {
    len: u8,
    bytes: [u8; MAX_LEN],
}

/// Whether a code is a national currency or a crypto asset. Decides how a figure is rounded for presentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeKind {
    /// A fiat currency with this many minor-unit digits (2 for USD, 0 for JPY).
    Fiat { minor_units: u32 },
    /// Anything else: crypto assets, tokens. Never rounded.
    Crypto,
}

/// ISO 4217 currencies Offramp knows, with their minor units. A code not in this list is treated as a crypto
/// asset: an unknown currency is never rounded, so nothing is lost by not knowing it. [`Code::kind`] matches on
/// the same codes (a test checks that they agree).
#[cfg(test)]
const FIAT: &[(&str, u32)] = &[
    ("USD", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("CAD", 2),
    ("AUD", 2),
    ("NZD", 2),
    ("CHF", 2),
    ("JPY", 0),
    ("SEK", 2),
    ("NOK", 2),
    ("DKK", 2),
    ("PLN", 2),
    ("CZK", 2),
    ("HUF", 2),
    ("RON", 2),
    ("BGN", 2),
    ("TRY", 2),
    ("ZAR", 2),
    ("BRL", 2),
    ("MXN", 2),
    ("ARS", 2),
    ("INR", 2),
    ("SGD", 2),
    ("HKD", 2),
    ("KRW", 0),
    ("NGN", 2),
    ("KES", 2),
    ("AED", 2),
    ("ILS", 2),
    ("KWD", 3),
    ("BHD", 3),
];

impl Code {
    /// Parses a code, upper-casing letters. See the type's documentation for what is accepted.
    pub fn parse(text: &str) -> Result<Code, ParseError> {
        let invalid = |reason| ParseError::InvalidCode { text: crate::text::clip(text), reason };
        if text.is_empty() {
            return Err(invalid("empty"));
        }
        if text.len() > MAX_LEN {
            return Err(invalid("longer than 15 characters"));
        }
        let mut bytes = [0u8; MAX_LEN];
        for (i, b) in text.bytes().enumerate() {
            let ok = b.is_ascii_alphanumeric() || (i > 0 && matches!(b, b'.' | b'-' | b'_'));
            if !ok {
                return Err(invalid("only letters, digits and (not first) `.`, `-`, `_` are allowed"));
            }
            bytes[i] = b.to_ascii_uppercase();
        }
        Ok(Code { len: text.len() as u8, bytes })
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII bytes are ever stored, so this cannot fail.
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or("")
    }

    pub fn kind(&self) -> CodeKind {
        // Every known currency has three letters; a match on the bytes (no string built, no list scanned: this is
        // called for every amount of every transaction a report reads). The same list as [`FIAT`].
        if self.len != 3 {
            return CodeKind::Crypto;
        }
        let minor_units = match &[self.bytes[0], self.bytes[1], self.bytes[2]] {
            b"USD" => 2,
            b"EUR" => 2,
            b"GBP" => 2,
            b"CAD" => 2,
            b"AUD" => 2,
            b"NZD" => 2,
            b"CHF" => 2,
            b"JPY" => 0,
            b"SEK" => 2,
            b"NOK" => 2,
            b"DKK" => 2,
            b"PLN" => 2,
            b"CZK" => 2,
            b"HUF" => 2,
            b"RON" => 2,
            b"BGN" => 2,
            b"TRY" => 2,
            b"ZAR" => 2,
            b"BRL" => 2,
            b"MXN" => 2,
            b"ARS" => 2,
            b"INR" => 2,
            b"SGD" => 2,
            b"HKD" => 2,
            b"KRW" => 0,
            b"NGN" => 2,
            b"KES" => 2,
            b"AED" => 2,
            b"ILS" => 2,
            b"KWD" => 3,
            b"BHD" => 3,
            _ => return CodeKind::Crypto,
        };
        CodeKind::Fiat { minor_units }
    }

    pub fn is_fiat(&self) -> bool {
        matches!(self.kind(), CodeKind::Fiat { .. })
    }
}

impl FromStr for Code {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Code::parse(s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({})", self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Code::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_fiat_list_and_the_match_agree() {
        for (code, minor_units) in super::FIAT {
            assert_eq!(super::Code::parse(code).unwrap().kind(), super::CodeKind::Fiat { minor_units: *minor_units });
        }
        assert_eq!(super::Code::parse("BTC").unwrap().kind(), super::CodeKind::Crypto);
        assert_eq!(super::Code::parse("USDC").unwrap().kind(), super::CodeKind::Crypto);
    }

    use super::*;

    #[test]
    fn parses_and_uppercases() {
        assert_eq!(Code::parse("btc").unwrap().as_str(), "BTC");
        assert_eq!(Code::parse("USDC.e").unwrap().as_str(), "USDC.E");
        assert_eq!(Code::parse("1INCH").unwrap().as_str(), "1INCH");
    }

    #[test]
    fn rejects_bad_codes() {
        for bad in ["", " BTC", "BT C", ".BTC", "BTC$", "ABCDEFGHIJKLMNOP", "€"] {
            assert!(Code::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn kinds() {
        assert_eq!(Code::parse("USD").unwrap().kind(), CodeKind::Fiat { minor_units: 2 });
        assert_eq!(Code::parse("JPY").unwrap().kind(), CodeKind::Fiat { minor_units: 0 });
        assert_eq!(Code::parse("BTC").unwrap().kind(), CodeKind::Crypto);
    }

    #[test]
    fn serde_as_string() {
        let c = Code::parse("eth").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"ETH\"");
        let back: Code = serde_json::from_str("\"ETH\"").unwrap();
        assert_eq!(back, c);
        assert!(serde_json::from_str::<Code>("\"E TH\"").is_err());
    }
}
