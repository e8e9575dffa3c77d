//! Kraken's trades export ("Trades" in History → Export), two header variants: v1
//! (`txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers`) and v2 (the same, then the
//! position columns `postxid,posstatus,cprice,ccost,cfee,cvol,cmargin,net,trades`).
//!
//! One row is one trade of `vol` units of the pair's base asset for `cost` of its quote asset; Kraken states the
//! `fee` in the quote asset. A buy sends the cost and receives the volume, a sell the other way round; each becomes
//! the same transaction the ledgers export gives for that trade (see [`super::kraken::trade_transactions`]), with
//! the trade's `txid` as its id, which is the `refid` of its legs in the ledgers export: a trade already in the
//! ledger from either export is not added again (see `Format::trade_ids`). The trades export does not say in
//! which asset a fee was taken (Kraken can take it in the base asset): where that matters, the ledgers export is
//! the exact record. Margin trades and positions are refused, naming the line: Offramp records spot trades.

use offramp_core::{Amount, Code, Decimal};

use super::kraken::{asset_code, trade_transactions, TIME_FORMATS};
use super::sheet::{has, Cells, Sheet};
use super::ParsedRow;
use crate::error::quote;
use crate::ImportError;

const COLUMNS: [&str; 13] = [
    "txid",
    "ordertxid",
    "pair",
    "time",
    "type",
    "ordertype",
    "price",
    "cost",
    "fee",
    "vol",
    "margin",
    "misc",
    "ledgers",
];
const POSITION: [&str; 9] = ["postxid", "posstatus", "cprice", "ccost", "cfee", "cvol", "cmargin", "net", "trades"];

pub fn is_v1(n: &[String]) -> bool {
    has(n, &COLUMNS) && !has(n, &["postxid"])
}

pub fn is_v2(n: &[String]) -> bool {
    has(n, &COLUMNS) && has(n, &POSITION)
}

/// Quote assets that end a pair's name, longest first (so `USDT` is tried before `USD`), as Kraken spells them.
const QUOTES: [&str; 22] = [
    "PYUSD", "ZUSD", "ZEUR", "ZGBP", "ZCAD", "ZJPY", "ZAUD", "ZCHF", "XXBT", "XETH", "USDT", "USDC", "DAI", "USD",
    "EUR", "GBP", "CAD", "JPY", "AUD", "CHF", "XBT", "ETH",
];

/// A pair's base and quote assets: `XBT/USD`, the legacy eight-letter names (`XXBTZEUR`, `XETHXXBT`), or a name
/// ending in a known quote asset (`SOLEUR`, `XBTUSDT`, `ETHXBT`).
pub fn split_pair(pair: &str) -> Result<(Code, Code), String> {
    let upper = pair.trim().to_ascii_uppercase();
    let legacy = |s: &str| s.is_ascii() && s.len() == 8 && s.starts_with(['X', 'Z']) && s[4..].starts_with(['X', 'Z']);
    let (base, quote_part) = if let Some((b, q)) = upper.split_once('/') {
        (b.to_string(), q.to_string())
    } else if legacy(&upper) && asset_code(&upper[..4]).is_ok() && asset_code(&upper[4..]).is_ok() {
        (upper[..4].to_string(), upper[4..].to_string())
    } else {
        let q = QUOTES.iter().find(|q| upper.len() > q.len() && upper.ends_with(*q)).ok_or_else(|| {
            format!(
                "cannot tell the base and quote assets of pair {} (import Kraken's ledgers export instead)",
                quote(pair)
            )
        })?;
        (upper[..upper.len() - q.len()].to_string(), q.to_string())
    };
    Ok((asset_code(&base)?, asset_code(&quote_part)?))
}

pub fn parse(sheet: &mut Sheet) -> Result<Vec<ParsedRow>, ImportError> {
    let col = |n: &str| sheet.require(n);
    let (txid, pair, time, kind, cost, fee, vol, margin) = (
        col("txid")?,
        col("pair")?,
        col("time")?,
        col("type")?,
        col("cost")?,
        col("fee")?,
        col("vol")?,
        col("margin")?,
    );
    let (postxid, posstatus) = (sheet.col("postxid"), sheet.col("posstatus"));
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    while let Some(line) = sheet.next_row(&mut record)? {
        let c = Cells { path: sheet.path, line, record: &record, names: &sheet.names };
        for tx in rows(&c, [txid, pair, time, kind, cost, fee, vol, margin], [postxid, posstatus])? {
            out.push(ParsedRow { line, tx });
        }
    }
    Ok(out)
}

/// Map a row to its transactions (one, or two for a currency conversion or a trade with a second fee).
fn rows(
    c: &Cells,
    cols: [usize; 8],
    position: [Option<usize>; 2],
) -> Result<Vec<offramp_core::Transaction>, ImportError> {
    let [txid, pair, time, kind, cost, fee, vol, margin] = cols.map(Some);
    let id = c.text(txid)?;
    if id.is_empty() {
        return Err(c.err("txid", "missing: every trade has its Kraken id"));
    }
    let margin_used = c.decimal(margin)?.unwrap_or_default();
    if !margin_used.is_zero() {
        return Err(
            c.err("margin", format!("a margin trade ({margin_used} of margin): Offramp records spot trades only"))
        );
    }
    for idx in position {
        if !c.text(idx)?.is_empty() {
            let name = idx.map(|i| c.names[i].as_str()).unwrap_or("postxid");
            return Err(c.err(name, "a trade of a margin position: Offramp records spot trades only"));
        }
    }
    let (base, quote_asset) = split_pair(c.text(pair)?).map_err(|e| c.err("pair", e))?;
    let ts = c.timestamp(time, &TIME_FORMATS)?;
    let positive = |field: &str, idx| -> Result<Decimal, ImportError> {
        let v = c.decimal(idx)?.ok_or_else(|| c.err(field, "missing"))?;
        if v.is_sign_negative() || v.is_zero() {
            return Err(c.err(field, format!("must be positive ({v})")));
        }
        Ok(v)
    };
    let volume = Amount::new(positive("vol", vol)?, base);
    let total = Amount::new(positive("cost", cost)?, quote_asset);
    let fee_paid = c.decimal(fee)?.unwrap_or_default();
    if fee_paid.is_sign_negative() && !fee_paid.is_zero() {
        return Err(c.err("fee", format!("must not be negative ({fee_paid})")));
    }
    let fee_paid = Some(Amount::new(fee_paid, quote_asset)).filter(|f| !f.is_zero());
    let txs = match c.text(kind)?.to_ascii_lowercase().as_str() {
        "buy" => trade_transactions(ts, id, total, volume, fee_paid, None),
        "sell" => trade_transactions(ts, id, volume, total, None, fee_paid),
        other => return Err(c.err("type", format!("{} is not a trade side (buy or sell)", quote(other)))),
    };
    // The checks of the core, each failing field named by its column (an amount by `vol`: the quantities).
    txs.map_err(|e| c.err(if matches!(e.field, "sent" | "received") { "vol" } else { e.field }, e.reason))
}

#[cfg(test)]
mod tests {
    use super::split_pair;

    #[test]
    fn pairs() {
        let p = |s: &str| split_pair(s).map(|(b, q)| format!("{b}/{q}"));
        assert_eq!(p("XXBTZEUR").unwrap(), "BTC/EUR");
        assert_eq!(p("XETHXXBT").unwrap(), "ETH/BTC");
        assert_eq!(p("XBT/USD").unwrap(), "BTC/USD");
        assert_eq!(p("SOLEUR").unwrap(), "SOL/EUR");
        assert_eq!(p("XBTUSDT").unwrap(), "BTC/USDT");
        assert_eq!(p("USDCUSDT").unwrap(), "USDC/USDT");
        assert_eq!(p("USDTZUSD").unwrap(), "USDT/USD");
        assert_eq!(p("ETHXBT").unwrap(), "ETH/BTC");
        assert_eq!(p("dotusd").unwrap(), "DOT/USD");
        assert_eq!(p("EURUSD").unwrap(), "EUR/USD");
        assert!(p("XBTBRL").unwrap_err().contains("cannot tell the base and quote assets of pair `XBTBRL`"));
        assert!(p("USD").is_err());
        // Not ASCII: an error, not a panic on a split character.
        assert!(p("XXXÉZEU").is_err());
        assert!(p("XXXÉ/EUR").is_err());
    }
}
