//! Parsers for each exchange's public order-book response (shapes as documented by the exchanges; see the
//! team's market_impact.md), into typed structs: prices and sizes arrive as JSON strings (or numbers, read from
//! their text) and are read as exact decimals. Every book is then checked ([`validate`]) before anyone uses or
//! caches it: a server's answer is data from outside, never trusted.

use std::fmt;

use offramp_core::market::{Level, OrderBook};
use offramp_core::money::parse_decimal;
use offramp_core::Decimal;
use serde::de::{self, Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{exchange} order book: {reason}")]
pub struct ParseError {
    pub exchange: &'static str,
    pub reason: String,
}

/// An error whose text may quote the server: control characters (terminal escapes) are replaced, and it is
/// clipped.
fn err(exchange: &'static str, reason: impl Into<String>) -> ParseError {
    ParseError { exchange, reason: offramp_core::text::clip(&offramp_core::text::printable(&reason.into())) }
}

/// The largest price or size a level may have (far above any real market; bounds every product the quote forms).
pub const MAX_FIGURE: Decimal = Decimal::from_parts(3_567_587_328, 232, 0, false, 0); // 10^12
/// The most levels a side may have.
pub const MAX_LEVELS: usize = 10_000;

/// A decimal written as a JSON string or number.
struct Num(Decimal);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Num, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal number (as a string or a number)")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Num, E> {
                let text = s.trim();
                let v = if text.contains(['e', 'E']) {
                    Decimal::from_scientific(text)
                        .map_err(|e| E::custom(format!("`{}`: {e}", offramp_core::text::clip(text))))
                } else {
                    parse_decimal(text).map_err(E::custom)
                };
                v.map(Num)
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Num, E> {
                Ok(Num(Decimal::from(n)))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Num, E> {
                Ok(Num(Decimal::from(n)))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Num, E> {
                // serde_json hands a JSON number with a fraction over as a float: its exact text is lost, so it is
                // refused rather than rounded (every exchange read here sends decimals as strings).
                Err(E::custom("a decimal sent as a JSON number with a fraction (its exact value is not known)"))
            }
        }
        d.deserialize_any(V)
    }
}

/// A level written as an array `[price, size, ...]` (Kraken, Coinbase, Binance, Bitstamp); the rest is ignored.
struct ArrayLevel(Level);

impl<'de> Deserialize<'de> for ArrayLevel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ArrayLevel, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ArrayLevel;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a level [price, size, ...]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ArrayLevel, A::Error> {
                let Num(price) = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let Num(size) = seq.next_element()?.ok_or_else(|| de::Error::invalid_length(1, &self))?;
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(ArrayLevel(Level { price, size }))
            }
        }
        d.deserialize_seq(V)
    }
}

#[derive(Deserialize)]
struct ArraySides {
    bids: Vec<ArrayLevel>,
    asks: Vec<ArrayLevel>,
}

impl ArraySides {
    fn book(self) -> OrderBook {
        OrderBook {
            bids: self.bids.into_iter().map(|l| l.0).collect(),
            asks: self.asks.into_iter().map(|l| l.0).collect(),
        }
    }
}

fn json<'a, T: Deserialize<'a>>(exchange: &'static str, body: &'a str) -> Result<T, ParseError> {
    serde_json::from_str(body).map_err(|e| err(exchange, format!("not the documented answer: {e}")))
}

/// Checks a book before it is used or kept: every price and size positive and at most [`MAX_FIGURE`], at most
/// [`MAX_LEVELS`] a side, and bids below asks where both exist.
pub fn validate(exchange: &'static str, book: OrderBook) -> Result<OrderBook, ParseError> {
    for (name, side) in [("bids", &book.bids), ("asks", &book.asks)] {
        if side.len() > MAX_LEVELS {
            return Err(err(exchange, format!("{} {name} (at most {MAX_LEVELS} are read)", side.len())));
        }
        for l in side {
            for (what, v) in [("price", l.price), ("size", l.size)] {
                if v <= Decimal::ZERO || v > MAX_FIGURE {
                    return Err(err(exchange, format!("a {what} of {v} in the {name} is not a real market's")));
                }
            }
        }
    }
    let best_bid = book.bids.iter().map(|l| l.price).max();
    let best_ask = book.asks.iter().map(|l| l.price).min();
    if let (Some(b), Some(a)) = (best_bid, best_ask) {
        if b > a {
            return Err(err(exchange, format!("the best bid {b} is above the best ask {a} (a crossed book)")));
        }
    }
    Ok(book)
}

/// Kraken `GET /0/public/Depth`: `{"error":[],"result":{"XXBTZUSD":{"asks":[[p,v,ts]],"bids":[...]}}}`.
pub fn kraken(body: &str) -> Result<OrderBook, ParseError> {
    const X: &str = "Kraken";
    #[derive(Deserialize)]
    struct Answer {
        #[serde(default)]
        error: Vec<String>,
        result: Option<std::collections::BTreeMap<String, ArraySides>>,
    }
    let a: Answer = json(X, body)?;
    if !a.error.is_empty() {
        return Err(err(X, format!("the exchange answered with errors: {}", a.error.join("; "))));
    }
    let result = a.result.ok_or_else(|| err(X, "no `result`"))?;
    let (_, book) = result.into_iter().next().ok_or_else(|| err(X, "`result` has no pair"))?;
    validate(X, book.book())
}

/// Answers that are either a book of array levels or an error message in a field of their own.
fn array_book(exchange: &'static str, body: &str, message_field: &str) -> Result<OrderBook, ParseError> {
    if let Ok(v) = serde_json::from_str::<std::collections::BTreeMap<String, serde_json::Value>>(body) {
        if let Some(m) = v.get(message_field).and_then(|m| m.as_str()) {
            return Err(err(exchange, format!("the exchange answered: {m}")));
        }
    }
    let sides: ArraySides = json(exchange, body)?;
    validate(exchange, sides.book())
}

/// Coinbase Exchange `GET /products/{id}/book?level=2`: `{"bids":[[p,size,num_orders]],"asks":[...]}`.
pub fn coinbase(body: &str) -> Result<OrderBook, ParseError> {
    array_book("Coinbase Exchange", body, "message")
}

/// Binance `GET /api/v3/depth`: `{"lastUpdateId":n,"bids":[["p","q"]],"asks":[...]}`.
pub fn binance(body: &str) -> Result<OrderBook, ParseError> {
    array_book("Binance", body, "msg")
}

/// Bitstamp `GET /api/v2/order_book/{pair}/`: `{"timestamp":"..","bids":[["p","a"]],"asks":[...]}`.
pub fn bitstamp(body: &str) -> Result<OrderBook, ParseError> {
    const X: &str = "Bitstamp";
    let sides: ArraySides = json(X, body)?;
    validate(X, sides.book())
}

/// Gemini `GET /v1/book/{symbol}`: `{"bids":[{"price":"..","amount":"..","timestamp":".."}],"asks":[...]}`.
pub fn gemini(body: &str) -> Result<OrderBook, ParseError> {
    const X: &str = "Gemini";
    #[derive(Deserialize)]
    struct GeminiLevel {
        price: Num,
        amount: Num,
    }
    #[derive(Deserialize)]
    struct Answer {
        bids: Vec<GeminiLevel>,
        asks: Vec<GeminiLevel>,
    }
    let a: Answer = json(X, body)?;
    let side = |v: Vec<GeminiLevel>| v.into_iter().map(|l| Level { price: l.price.0, size: l.amount.0 }).collect();
    validate(X, OrderBook { bids: side(a.bids), asks: side(a.asks) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_is_ten_to_the_twelfth() {
        assert_eq!(MAX_FIGURE, Decimal::from(1_000_000_000_000i64));
    }

    #[test]
    fn hostile_books_are_refused_before_use() {
        // A price of 7.9e28 (it used to panic the quote, after being cached).
        let huge = r#"{"bids":[["79228162514264337593543950335","1"]],"asks":[]}"#;
        assert!(binance(huge).is_err());
        let above = r#"{"bids":[["10000000000001","1"]],"asks":[]}"#;
        assert!(binance(above).unwrap_err().reason.contains("not a real market"));
        assert!(binance(r#"{"bids":[["-1","1"]],"asks":[]}"#).is_err());
        assert!(binance(r#"{"bids":[["0","1"]],"asks":[]}"#).is_err());
        assert!(binance(r#"{"bids":[["101","1"]],"asks":[["100","1"]]}"#).unwrap_err().reason.contains("crossed"));
        assert!(binance(r#"{"bids":[["1e40","1"]],"asks":[]}"#).is_err());
        assert!(binance(r#"{"bids":[[65000.5,"1"]],"asks":[]}"#).is_err(), "a float's exact value is unknown");
        assert_eq!(binance(r#"{"bids":[[65000,"1"]],"asks":[]}"#).unwrap().bids[0].price, Decimal::from(65000));
        // An error text with terminal escapes is shown without them.
        let e = binance(r#"{"msg":"bad \u001b[31mred\u001b[0m"}"#).unwrap_err();
        assert!(!e.reason.contains('\u{1b}') && e.reason.contains("bad ?[31mred"), "{}", e.reason);
        let e = kraken(r#"{"error":["EQuery:\u0007Unknown asset pair"]}"#).unwrap_err();
        assert!(!e.reason.contains('\u{7}'), "{}", e.reason);
        let many: Vec<String> = (0..=MAX_LEVELS).map(|i| format!("[\"{}\",\"1\"]", i + 1)).collect();
        let body = format!("{{\"bids\":[{}],\"asks\":[]}}", many.join(","));
        assert!(bitstamp(&body).unwrap_err().reason.contains("at most"));
    }
}
