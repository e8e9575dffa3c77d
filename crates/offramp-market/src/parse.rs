//! Parsers for each exchange's public order-book response (shapes as documented by the exchanges; see the
//! team's market_impact.md). Prices and sizes arrive as JSON strings and are read as exact decimals; a number
//! sent as a JSON number is read from its text.

use offramp_core::market::{Level, OrderBook};
use offramp_core::money::parse_decimal;
use offramp_core::Decimal;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{exchange} order book: {reason}")]
pub struct ParseError {
    pub exchange: &'static str,
    pub reason: String,
}

fn err(exchange: &'static str, reason: impl Into<String>) -> ParseError {
    ParseError { exchange, reason: reason.into() }
}

fn decimal(exchange: &'static str, v: &Value, what: &str) -> Result<Decimal, ParseError> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        other => return Err(err(exchange, format!("{what} is not a number: {other}"))),
    };
    if text.contains(['e', 'E']) {
        return Decimal::from_scientific(&text).map_err(|e| err(exchange, format!("{what} `{text}`: {e}")));
    }
    parse_decimal(&text).map_err(|e| err(exchange, format!("{what}: {e}")))
}

/// Levels written as arrays `[price, size, ...]` (Kraken, Coinbase, Binance, Bitstamp).
fn array_levels(exchange: &'static str, side: Option<&Value>, name: &str) -> Result<Vec<Level>, ParseError> {
    let Some(Value::Array(levels)) = side else {
        return Err(err(exchange, format!("no `{name}` array")));
    };
    levels
        .iter()
        .map(|l| match l.as_array() {
            Some(a) if a.len() >= 2 => {
                Ok(Level { price: decimal(exchange, &a[0], "price")?, size: decimal(exchange, &a[1], "size")? })
            }
            _ => Err(err(exchange, format!("a `{name}` level is not [price, size, ...]: {l}"))),
        })
        .collect()
}

fn json(exchange: &'static str, body: &str) -> Result<Value, ParseError> {
    serde_json::from_str(body).map_err(|e| err(exchange, format!("not JSON: {e}")))
}

/// Kraken `GET /0/public/Depth`: `{"error":[],"result":{"XXBTZUSD":{"asks":[[p,v,ts]],"bids":[...]}}}`.
pub fn kraken(body: &str) -> Result<OrderBook, ParseError> {
    const X: &str = "Kraken";
    let v = json(X, body)?;
    if let Some(errors) = v.get("error").and_then(Value::as_array).filter(|e| !e.is_empty()) {
        return Err(err(X, format!("the exchange answered with errors: {errors:?}")));
    }
    let result = v.get("result").and_then(Value::as_object).ok_or_else(|| err(X, "no `result`"))?;
    let (_, book) = result.iter().next().ok_or_else(|| err(X, "`result` has no pair"))?;
    Ok(OrderBook { bids: array_levels(X, book.get("bids"), "bids")?, asks: array_levels(X, book.get("asks"), "asks")? })
}

/// Coinbase Exchange `GET /products/{id}/book?level=2`: `{"bids":[[p,size,num_orders]],"asks":[...]}`.
pub fn coinbase(body: &str) -> Result<OrderBook, ParseError> {
    const X: &str = "Coinbase Exchange";
    let v = json(X, body)?;
    if let Some(m) = v.get("message").and_then(Value::as_str) {
        return Err(err(X, format!("the exchange answered: {m}")));
    }
    Ok(OrderBook { bids: array_levels(X, v.get("bids"), "bids")?, asks: array_levels(X, v.get("asks"), "asks")? })
}

/// Binance `GET /api/v3/depth`: `{"lastUpdateId":n,"bids":[["p","q"]],"asks":[...]}`.
pub fn binance(body: &str) -> Result<OrderBook, ParseError> {
    const X: &str = "Binance";
    let v = json(X, body)?;
    if let Some(m) = v.get("msg").and_then(Value::as_str) {
        return Err(err(X, format!("the exchange answered: {m}")));
    }
    Ok(OrderBook { bids: array_levels(X, v.get("bids"), "bids")?, asks: array_levels(X, v.get("asks"), "asks")? })
}

/// Bitstamp `GET /api/v2/order_book/{pair}/`: `{"timestamp":"..","bids":[["p","a"]],"asks":[...]}`.
pub fn bitstamp(body: &str) -> Result<OrderBook, ParseError> {
    const X: &str = "Bitstamp";
    let v = json(X, body)?;
    Ok(OrderBook { bids: array_levels(X, v.get("bids"), "bids")?, asks: array_levels(X, v.get("asks"), "asks")? })
}

/// Gemini `GET /v1/book/{symbol}`: `{"bids":[{"price":"..","amount":"..","timestamp":".."}],"asks":[...]}`.
pub fn gemini(body: &str) -> Result<OrderBook, ParseError> {
    const X: &str = "Gemini";
    let v = json(X, body)?;
    let side = |name: &str| -> Result<Vec<Level>, ParseError> {
        let Some(Value::Array(levels)) = v.get(name) else {
            return Err(err(X, format!("no `{name}` array")));
        };
        levels
            .iter()
            .map(|l| {
                let price = l.get("price").ok_or_else(|| err(X, format!("a `{name}` level has no price")))?;
                let amount = l.get("amount").ok_or_else(|| err(X, format!("a `{name}` level has no amount")))?;
                Ok(Level { price: decimal(X, price, "price")?, size: decimal(X, amount, "amount")? })
            })
            .collect()
    };
    Ok(OrderBook { bids: side("bids")?, asks: side("asks")? })
}
