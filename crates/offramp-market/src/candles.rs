//! Historical prices: exchanges' public daily candles (UTC days), behind a trait ([`PriceHistory`]). The price
//! of a day is the close of that day's candle, on the exchange's market of the asset against the fiat currency
//! itself: never a stablecoin standing in for a currency (Binance's USDT is not USD), never a neighbouring day.
//! Answers are capped in size and time; a candle whose day or close does not read is left out, never guessed.

use std::time::Duration;

use chrono::{DateTime, NaiveDate};
use offramp_core::{Code, Decimal};

use crate::parse::ParseError;
use crate::{client_for, Exchange, Getter, MarketError};

/// The exchanges with public daily candles, in the default order of preference.
pub const CANDLE_EXCHANGES: [Exchange; 4] =
    [Exchange::Kraken, Exchange::Coinbase, Exchange::Bitstamp, Exchange::Binance];

/// Where daily closes come from.
pub trait PriceHistory {
    /// The daily closes of `asset` in `fiat` on `exchange` for the UTC days `from` to `to` (inclusive), as many as
    /// the exchange has; `Ok(empty)` when it has no such market.
    fn daily_closes(
        &self,
        exchange: Exchange,
        asset: Code,
        fiat: Code,
        from: NaiveDate,
        to: NaiveDate,
        timeout: Duration,
    ) -> Result<Vec<(NaiveDate, Decimal)>, MarketError>;
}

/// The exchanges over HTTPS (`base_url` replaces every exchange's address: tests point it at a local server).
pub struct HttpCandles {
    client: Option<reqwest::Client>,
    base_url: Option<String>,
}

impl HttpCandles {
    pub fn new(base_url: Option<String>) -> HttpCandles {
        HttpCandles { client: client_for(base_url.as_deref()), base_url }
    }
}

fn day_secs(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).map(|t| t.and_utc().timestamp()).unwrap_or(0)
}

fn day_of(secs: i64) -> Option<NaiveDate> {
    // Only a candle that opens at a UTC midnight is a day's candle.
    (secs.rem_euclid(86_400) == 0).then(|| DateTime::from_timestamp(secs, 0).map(|t| t.date_naive())).flatten()
}

/// How many days one request may cover on each exchange.
fn page_days(exchange: Exchange) -> i64 {
    match exchange {
        Exchange::Coinbase => 300,
        Exchange::Bitstamp | Exchange::Binance => 1000,
        _ => 720,
    }
}

/// The request paths for `asset`/`fiat` from `from` to `to`; empty when the exchange has no such market form.
pub fn candle_paths(exchange: Exchange, asset: Code, fiat: Code, from: NaiveDate, to: NaiveDate) -> Vec<String> {
    let ok = |s: &str| !s.is_empty() && s.len() <= 15 && s.chars().all(|c| c.is_ascii_alphanumeric());
    let (a, f) = (asset.as_str().to_ascii_uppercase(), fiat.as_str().to_ascii_uppercase());
    if !ok(&a) || !ok(&f) || from > to {
        return Vec::new();
    }
    if exchange == Exchange::Kraken {
        // Kraken answers at most the last 720 candles after `since`: one request.
        let a = if a == "BTC" { "XBT".to_string() } else { a };
        return vec![format!("/0/public/OHLC?pair={a}{f}&interval=1440&since={}", day_secs(from) - 1)];
    }
    let mut out = Vec::new();
    let mut start = from;
    while start <= to && out.len() < 50 {
        let end = (start + chrono::Duration::days(page_days(exchange) - 1)).min(to);
        let (s, e) = (day_secs(start), day_secs(end));
        out.push(match exchange {
            Exchange::Coinbase => format!(
                "/products/{a}-{f}/candles?granularity=86400&start={}&end={}",
                start.format("%Y-%m-%dT00:00:00Z"),
                end.format("%Y-%m-%dT00:00:00Z")
            ),
            Exchange::Bitstamp => format!(
                "/api/v2/ohlc/{}{}/?step=86400&start={s}&end={e}&limit=1000",
                a.to_lowercase(),
                f.to_lowercase()
            ),
            Exchange::Binance => {
                format!(
                    "/api/v3/klines?symbol={a}{f}&interval=1d&startTime={}&endTime={}&limit=1000",
                    s * 1000,
                    e * 1000
                )
            }
            _ => return Vec::new(),
        });
        start = end + chrono::Duration::days(1);
    }
    out
}

impl PriceHistory for HttpCandles {
    fn daily_closes(
        &self,
        exchange: Exchange,
        asset: Code,
        fiat: Code,
        from: NaiveDate,
        to: NaiveDate,
        timeout: Duration,
    ) -> Result<Vec<(NaiveDate, Decimal)>, MarketError> {
        let paths = candle_paths(exchange, asset, fiat, from, to);
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let getter = Getter::new(self.client.as_ref(), exchange.id(), exchange.name())?;
        let mut out = Vec::new();
        for path in paths {
            let url = format!("{}{path}", self.base_url.as_deref().unwrap_or(exchange.base_url()));
            let body = match getter.get(&url, timeout) {
                Ok(b) => b,
                // No such market on this exchange.
                Err(MarketError::Http(_, 400 | 404)) => return Ok(Vec::new()),
                Err(e) => return Err(e),
            };
            out.extend(parse_candles(exchange, &body)?.into_iter().filter(|(d, _)| *d >= from && *d <= to));
        }
        out.sort_by_key(|(d, _)| *d);
        out.dedup_by_key(|(d, _)| *d);
        Ok(out)
    }
}

fn bad(exchange: Exchange, reason: impl Into<String>) -> MarketError {
    MarketError::Parse(ParseError { exchange: exchange.name(), reason: reason.into() })
}

fn close_of(v: &serde_json::Value) -> Option<Decimal> {
    match v {
        serde_json::Value::String(s) => positive(s),
        _ => None,
    }
}

/// A positive decimal from its text (at most 40 characters), or `None`.
fn positive(text: &str) -> Option<Decimal> {
    let t = text.trim();
    (t.len() <= 40).then(|| t.parse::<Decimal>().ok()).flatten().filter(|d| *d > Decimal::ZERO)
}

/// Coinbase sends its candles as JSON numbers: each is read from its own text (a `RawValue`), never through a
/// float. `[[time, low, high, open, close, volume], ...]`.
fn coinbase_candles(body: &str) -> Result<Vec<(NaiveDate, Decimal)>, MarketError> {
    let rows: Vec<Vec<Box<serde_json::value::RawValue>>> =
        serde_json::from_str(body).map_err(|e| bad(Exchange::Coinbase, format!("not a list of candles ({e})")))?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            let day = r.first()?.get().trim().parse::<i64>().ok().and_then(day_of)?;
            Some((day, positive(r.get(4)?.get().trim_matches('"'))?))
        })
        .collect())
}

fn secs_of(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Reads one answer of `exchange`'s candle endpoint into (UTC day, close).
pub fn parse_candles(exchange: Exchange, body: &str) -> Result<Vec<(NaiveDate, Decimal)>, MarketError> {
    if exchange == Exchange::Coinbase {
        return coinbase_candles(body);
    }
    let json: serde_json::Value = serde_json::from_str(body).map_err(|e| bad(exchange, format!("not JSON ({e})")))?;
    let rows: Vec<&serde_json::Value> = match exchange {
        Exchange::Kraken => {
            if json.get("error").and_then(|e| e.as_array()).is_some_and(|e| !e.is_empty()) {
                return Ok(Vec::new()); // "EQuery:Unknown asset pair"
            }
            let result = json.get("result").and_then(|r| r.as_object()).ok_or_else(|| bad(exchange, "no result"))?;
            result.iter().filter(|(k, _)| *k != "last").filter_map(|(_, v)| v.as_array()).flatten().collect()
        }
        Exchange::Binance => json.as_array().ok_or_else(|| bad(exchange, "not a list of candles"))?.iter().collect(),
        Exchange::Coinbase => Vec::new(), // read above
        Exchange::Bitstamp => json
            .get("data")
            .and_then(|d| d.get("ohlc"))
            .and_then(|o| o.as_array())
            .ok_or_else(|| bad(exchange, "no data.ohlc"))?
            .iter()
            .collect(),
        Exchange::Gemini => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    for r in rows {
        let (time, close) = match exchange {
            // [time, open, high, low, close, vwap, volume, count]
            Exchange::Kraken => (r.get(0).and_then(secs_of), r.get(4).and_then(close_of)),
            // [open time ms, open, high, low, close, volume, close time, ...]
            Exchange::Binance => {
                (r.get(0).and_then(secs_of).map(|ms| ms.div_euclid(1000)), r.get(4).and_then(close_of))
            }
            Exchange::Bitstamp => (r.get("timestamp").and_then(secs_of), r.get("close").and_then(close_of)),
            Exchange::Coinbase | Exchange::Gemini => (None, None),
        };
        if let (Some(day), Some(close)) = (time.and_then(day_of), close) {
            out.push((day, close));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn each_exchanges_candles_are_read_exactly() {
        let day = day_secs(d("2024-03-05"));
        let kraken = format!(
            r#"{{"error":[],"result":{{"XXBTZUSD":[[{day},"63000.0","69000.0","59000.0","63724.1","64000.0","1234.5",9000],[{},"1","1","1","bad","1","1",1]],"last":{day}}}}}"#,
            day + 3600
        );
        assert_eq!(
            parse_candles(Exchange::Kraken, &kraken).unwrap(),
            vec![(d("2024-03-05"), "63724.1".parse().unwrap())]
        );
        let coinbase = format!("[[{day},59000.1,69000.2,63000.3,63787.87,12345.678]]");
        assert_eq!(parse_candles(Exchange::Coinbase, &coinbase).unwrap()[0].1, "63787.87".parse::<Decimal>().unwrap());
        // More digits than a float holds: read exactly from the answer's text.
        let long = format!("[[{day},1,2,3,63787.870000000000001,5]]");
        assert_eq!(
            parse_candles(Exchange::Coinbase, &long).unwrap()[0].1,
            "63787.870000000000001".parse::<Decimal>().unwrap()
        );
        let bitstamp =
            format!(r#"{{"data":{{"pair":"BTC/EUR","ohlc":[{{"timestamp":"{day}","close":"58800","open":"1"}}]}}}}"#);
        assert_eq!(parse_candles(Exchange::Bitstamp, &bitstamp).unwrap()[0].1, Decimal::from(58800));
        let binance = format!(
            r#"[[{},"1","2","0.5","58700.50","10",{},"0",1,"0","0","0"]]"#,
            day * 1000,
            day * 1000 + 86_399_999
        );
        assert_eq!(
            parse_candles(Exchange::Binance, &binance).unwrap()[0],
            (d("2024-03-05"), "58700.50".parse().unwrap())
        );
        // Errors and unknown pairs: nothing, never a guess.
        assert!(parse_candles(Exchange::Kraken, r#"{"error":["EQuery:Unknown asset pair"]}"#).unwrap().is_empty());
        assert!(parse_candles(Exchange::Coinbase, "{").is_err());
        assert!(parse_candles(Exchange::Coinbase, r#"[[1709596800,1,2,3,-5,6]]"#).unwrap().is_empty());
    }

    #[test]
    fn requests_page_through_the_period() {
        let btc = Code::parse("BTC").unwrap();
        let usd = Code::parse("USD").unwrap();
        let p = candle_paths(Exchange::Coinbase, btc, usd, d("2023-01-01"), d("2024-12-31"));
        assert_eq!(p.len(), 3);
        assert!(p[0].starts_with("/products/BTC-USD/candles?granularity=86400&start=2023-01-01T00:00:00Z"));
        assert!(candle_paths(Exchange::Kraken, btc, usd, d("2024-03-05"), d("2024-03-05"))[0].contains("pair=XBTUSD"));
        assert!(
            candle_paths(Exchange::Binance, btc, usd, d("2024-03-05"), d("2024-03-05"))[0].contains("symbol=BTCUSD&")
        );
    }
}
