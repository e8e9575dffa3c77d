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
/// asset: an unknown currency is never rounded, so nothing is lost by not knowing it.
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
        // Every known currency has three letters: compare bytes, without building a string (this is called for
        // every amount of every transaction a report reads).
        if self.len != 3 {
            return CodeKind::Crypto;
        }
        let me = [self.bytes[0], self.bytes[1], self.bytes[2]];
        FIAT.iter()
            .find(|(c, _)| {
                let b = c.as_bytes();
                b[0] == me[0] && b[1] == me[1] && b[2] == me[2]
            })
            .map(|&(_, minor_units)| CodeKind::Fiat { minor_units })
            .unwrap_or(CodeKind::Crypto)
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
