//! Kraken's ledgers export (the file that contains everything), three header variants: v1 (no `wallet`),
//! v2 (`wallet`, with or without `amountusd`), v3 (`wallet` and `subclass`).
//!
//! Rows sharing a `refid` with type trade/spend/receive are the legs of one trade: the negative leg is what was
//! sent, the positive one what was received, each leg's `fee` is paid in that leg's asset (Kraken's balance
//! moves by `amount - fee`). Kraken's asset codes are mapped to common tickers (XXBT → BTC, ZEUR → EUR; the
//! staking variants `.S .M .F .B .P` and ETH2 fold into their asset). Rows without a `txid` are Kraken's
//! pending copies of a deposit or withdrawal whose completed row follows; they are left out. Moves between
//! Kraken's own wallets (`transfer`, and `earn` other than rewards) change nothing the ledger tracks and are
//! left out, counted in the import summary. An `adjustment` (Kraken changing a balance: a delisted asset
//! converted, a correction) is a trade when two legs with one refid go opposite ways, and otherwise a deposit
//! or withdrawal from or to outside (of unknown origin or destination, flagged in reports). Anything else is an
//! error naming the line.

use std::collections::HashMap;

use offramp_core::{Amount, Code, Decimal, Timestamp, Transaction, TxKind};

use super::generic::validated;
use super::sheet::{has, Cells, Sheet};
use super::ParsedRow;
use crate::error::quote;
use crate::ImportError;

const ACCOUNT: &str = "Kraken";

/// How Kraken's exports write a time (UTC): `2024-01-04 10:15:07.4591`, or without the fraction.
pub(super) const TIME_FORMATS: [&str; 2] = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M:%S"];

const BASE: [&str; 9] = ["txid", "refid", "time", "type", "subtype", "aclass", "asset", "amount", "fee"];

pub fn is_v3(n: &[String]) -> bool {
    has(n, &BASE) && has(n, &["wallet", "subclass"])
}

/// `wallet` without `subclass`: with `amountusd`, or without it (both are written by Kraken).
pub fn is_v2(n: &[String]) -> bool {
    has(n, &BASE) && has(n, &["wallet"]) && !has(n, &["subclass"])
}

pub fn is_v1(n: &[String]) -> bool {
    has(n, &BASE) && !has(n, &["wallet"])
}

/// Kraken's asset code → the common ticker.
pub fn asset_code(raw: &str) -> Result<Code, String> {
    let upper = raw.to_ascii_uppercase();
    let base = match upper.rsplit_once('.') {
        Some((b, "S" | "M" | "F" | "B" | "P")) => b,
        _ => upper.as_str(),
    };
    if base == "KFEE" {
        return Err("KFEE (Kraken fee credits) are not supported: remove those rows or record them by hand".into());
    }
    let mapped = match base {
        "XXBT" | "XBT" => "BTC",
        "XETH" | "ETH2" => "ETH",
        "XXDG" | "XDG" => "DOGE",
        "XLTC" => "LTC",
        "XXRP" => "XRP",
        "XXLM" => "XLM",
        "XETC" => "ETC",
        "XZEC" => "ZEC",
        "XXMR" => "XMR",
        "XMLN" => "MLN",
        "XREP" => "REP",
        "ZUSD" => "USD",
        "ZEUR" => "EUR",
        "ZGBP" => "GBP",
        "ZCAD" => "CAD",
        "ZJPY" => "JPY",
        "ZAUD" => "AUD",
        "ZCHF" => "CHF",
        other => other,
    };
    Code::parse(mapped).map_err(|e| e.to_string())
}

#[derive(Debug, Clone)]
struct Leg {
    line: u64,
    txid: String,
    refid: String,
    ts: Timestamp,
    kind: String,
    subtype: String,
    asset: Code,
    amount: Decimal,
    fee: Decimal,
}

pub fn parse(sheet: &mut Sheet) -> Result<Vec<ParsedRow>, ImportError> {
    let col = |n: &str| sheet.require(n);
    let (txid, refid, time, kind, subtype, asset, amount, fee) = (
        col("txid")?,
        col("refid")?,
        col("time")?,
        col("type")?,
        col("subtype")?,
        col("asset")?,
        col("amount")?,
        col("fee")?,
    );
    let mut out: Vec<ParsedRow> = Vec::new();
    let mut trades: HashMap<String, Vec<Leg>> = HashMap::new();
    let mut trade_order: Vec<String> = Vec::new();
    let mut adjustments: Vec<Leg> = Vec::new();
    let mut record = csv::ByteRecord::new();
    while let Some(line) = sheet.next_row(&mut record)? {
        let c = Cells { path: sheet.path, line, record: &record, names: &sheet.names };
        let leg_txid = c.text(Some(txid))?.to_string();
        if leg_txid.is_empty() {
            sheet.left_out += 1; // a pending copy; the completed row (with a txid) is in the file too
            continue;
        }
        let raw_asset = c.text(Some(asset))?;
        let leg = Leg {
            line,
            txid: leg_txid,
            refid: c.text(Some(refid))?.to_string(),
            ts: c.timestamp(Some(time), &TIME_FORMATS)?,
            kind: c.text(Some(kind))?.to_ascii_lowercase(),
            subtype: c.text(Some(subtype))?.to_ascii_lowercase(),
            asset: asset_code(raw_asset).map_err(|e| c.err("asset", e))?,
            amount: c.decimal(Some(amount))?.ok_or_else(|| c.err("amount", "missing"))?,
            fee: c.decimal(Some(fee))?.unwrap_or_default(),
        };
        if leg.fee.is_sign_negative() && !leg.fee.is_zero() {
            return Err(c.err("fee", format!("must not be negative ({})", leg.fee)));
        }
        match leg.kind.as_str() {
            "adjustment" => adjustments.push(leg),
            "trade" | "spend" | "receive" => {
                if leg.refid.is_empty() {
                    return Err(c.err("refid", "missing: a trade leg needs the refid that links it to its other leg"));
                }
                if !trades.contains_key(&leg.refid) {
                    trade_order.push(leg.refid.clone());
                }
                trades.entry(leg.refid.clone()).or_default().push(leg);
            }
            _ => match single(&c, &leg)? {
                Some(tx) => out.push(ParsedRow { line, tx }),
                None => sheet.left_out += 1,
            },
        }
    }
    for refid in trade_order {
        let legs = trades.remove(&refid).unwrap_or_default();
        out.extend(trade(sheet, &legs)?);
    }
    out.extend(adjusted(sheet, adjustments)?);
    out.sort_by_key(|r| r.line);
    Ok(out)
}

/// Adjustments: two legs of one refid going opposite ways are a conversion (a trade); any other is money or
/// crypto arriving from, or leaving to, outside.
fn adjusted(sheet: &Sheet, legs: Vec<Leg>) -> Result<Vec<ParsedRow>, ImportError> {
    let mut by_refid: HashMap<String, Vec<Leg>> = HashMap::new();
    let mut order = Vec::new();
    for leg in legs {
        if !by_refid.contains_key(&leg.refid) {
            order.push(leg.refid.clone());
        }
        by_refid.entry(leg.refid.clone()).or_default().push(leg);
    }
    let mut out = Vec::new();
    for refid in order {
        let legs = by_refid.remove(&refid).unwrap_or_default();
        let opposite = legs.len() == 2 && legs[0].amount.is_sign_negative() != legs[1].amount.is_sign_negative();
        if opposite && !refid.is_empty() && legs.iter().all(|l| !l.amount.is_zero()) {
            out.extend(trade(sheet, &legs)?);
            continue;
        }
        for leg in legs.into_iter().filter(|l| !l.amount.is_zero()) {
            let err = |m: String| ImportError::at(sheet.path, leg.line, Some("amount"), m);
            let qty = Amount::new(leg.amount.abs(), leg.asset);
            let mut tx = base_tx(&leg, TxKind::Deposit, &leg.txid);
            tx.note = "Kraken balance adjustment".into();
            if leg.amount.is_sign_negative() {
                tx.kind = TxKind::Withdrawal;
                tx.sent = Some(qty);
            } else {
                tx.received = Some(qty);
            }
            tx.fee = fee_of(&leg);
            tx.validate().map_err(|e| err(e.reason))?;
            out.push(ParsedRow { line: leg.line, tx });
        }
    }
    Ok(out)
}

fn base_tx(leg: &Leg, kind: TxKind, external_id: &str) -> Transaction {
    let mut tx = Transaction::new(leg.ts, ACCOUNT, kind);
    tx.external_id = Some(external_id.to_string());
    tx
}

fn fee_of(leg: &Leg) -> Option<Amount> {
    Some(Amount::new(leg.fee, leg.asset)).filter(|f| !f.is_zero())
}

fn column(field: &str) -> &str {
    match field {
        "sent" | "received" => "amount",
        other => other,
    }
}

/// A row that is an event on its own: deposit, withdrawal, staking reward; `None` for internal wallet moves.
fn single(c: &Cells, leg: &Leg) -> Result<Option<Transaction>, ImportError> {
    let fiat = leg.asset.is_fiat();
    let qty = Amount::new(leg.amount.abs(), leg.asset);
    let positive = leg.amount.is_sign_positive() && !leg.amount.is_zero();
    let kind = match (leg.kind.as_str(), positive) {
        ("deposit", true) => Some(if fiat { TxKind::Deposit } else { TxKind::TransferIn }),
        ("withdrawal", false) => Some(if fiat { TxKind::Withdrawal } else { TxKind::TransferOut }),
        ("staking", true) => Some(TxKind::Staking),
        ("earn", true) if leg.subtype == "reward" => Some(TxKind::Staking),
        ("transfer" | "earn", _) => None, // between Kraken's own wallets (spot, staking, earn)
        ("deposit" | "withdrawal" | "staking", _) => {
            return Err(c.err("amount", format!("a {} with amount {} has the wrong sign", leg.kind, leg.amount)))
        }
        _ => {
            return Err(c.err(
                "type",
                format!(
                    "unsupported Kraken ledger type {} (supported: trade, spend, receive, deposit, withdrawal, \
                     staking, earn, transfer, adjustment)",
                    quote(&leg.kind)
                ),
            ))
        }
    };
    let Some(kind) = kind else { return Ok(None) };
    let mut tx = base_tx(leg, kind, &leg.txid);
    if positive {
        tx.received = Some(qty);
    } else {
        tx.sent = Some(qty);
    }
    tx.fee = fee_of(leg);
    validated(c, tx, column).map(Some)
}

/// The two legs of one trade (sharing a refid) → one transaction (plus a fee transaction when both legs paid a
/// fee).
fn trade(sheet: &Sheet, legs: &[Leg]) -> Result<Vec<ParsedRow>, ImportError> {
    let first = &legs[0];
    let err = |field: Option<&str>, m: String| ImportError::at(sheet.path, first.line, field, m);
    let (Some(out_leg), Some(in_leg), 2) = (
        legs.iter().find(|l| l.amount.is_sign_negative() && !l.amount.is_zero()),
        legs.iter().find(|l| l.amount.is_sign_positive() && !l.amount.is_zero()),
        legs.len(),
    ) else {
        return Err(err(
            Some("refid"),
            format!(
                "a trade needs two legs with refid {}, one negative and one positive; found {} leg(s) (lines {})",
                quote(&first.refid),
                legs.len(),
                legs.iter().map(|l| l.line.to_string()).collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let sent = Amount::new(-out_leg.amount, out_leg.asset);
    let received = Amount::new(in_leg.amount, in_leg.asset);
    let line = out_leg.line.min(in_leg.line);
    let txs = trade_transactions(first.ts, &first.refid, sent, received, fee_of(out_leg), fee_of(in_leg))
        .map_err(|e| err(Some(column(e.field)), e.reason))?;
    Ok(txs.into_iter().map(|tx| ParsedRow { line, tx }).collect())
}

/// One Kraken trade as transactions, whichever export it comes from: `sent` for `received`, each side's fee in that
/// side's asset, `id` the trade's Kraken id (a ledgers export's `refid`, a trades export's `txid`).
///
/// Fiat for fiat is a currency conversion inside Kraken: a withdrawal and a deposit, no crypto event. Otherwise a
/// buy, sell or trade carrying one fee (the fiat one when both sides paid); a second fee becomes a fee transaction.
pub(super) fn trade_transactions(
    ts: Timestamp,
    id: &str,
    sent: Amount,
    received: Amount,
    sent_fee: Option<Amount>,
    received_fee: Option<Amount>,
) -> Result<Vec<Transaction>, offramp_core::TxError> {
    let tx = |kind| {
        let mut tx = Transaction::new(ts, ACCOUNT, kind);
        tx.external_id = Some(id.to_string());
        tx
    };
    let (sent_fiat, received_fiat) = (sent.code().is_fiat(), received.code().is_fiat());
    let mut rows = Vec::new();
    if sent_fiat && received_fiat {
        let mut w = tx(TxKind::Withdrawal);
        w.sent = Some(sent);
        w.fee = sent_fee;
        w.note = format!("currency conversion to {}", received.code());
        let mut d = tx(TxKind::Deposit);
        d.received = Some(received);
        d.fee = received_fee;
        d.note = format!("currency conversion from {}", sent.code());
        rows.extend([w, d]);
    } else {
        let kind = match (sent_fiat, received_fiat) {
            (true, false) => TxKind::Buy,
            (false, true) => TxKind::Sell,
            _ => TxKind::Trade,
        };
        let mut fees: Vec<Amount> = [received_fee, sent_fee].into_iter().flatten().collect();
        fees.sort_by_key(|f| !f.code().is_fiat());
        let mut fees = fees.into_iter();
        let mut t = tx(kind);
        t.sent = Some(sent);
        t.received = Some(received);
        t.fee = fees.next();
        rows.push(t);
        for extra in fees {
            let mut f = tx(TxKind::Fee);
            f.fee = Some(extra);
            f.note = "second fee of the trade".into();
            rows.push(f);
        }
    }
    for t in &rows {
        t.validate()?;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::asset_code;

    #[test]
    fn kraken_codes() {
        let c = |s: &str| asset_code(s).unwrap().to_string();
        assert_eq!(c("XXBT"), "BTC");
        assert_eq!(c("XBT.M"), "BTC");
        assert_eq!(c("ETH2.S"), "ETH");
        assert_eq!(c("ZEUR"), "EUR");
        assert_eq!(c("DOT.S"), "DOT");
        assert_eq!(c("USDC"), "USDC");
        assert!(asset_code("KFEE").is_err());
    }
}
