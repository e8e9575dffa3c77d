//! Coinbase's retail "Transaction history" report, every known header variant (v1: currency-prefixed columns;
//! v2: `Spot Price Currency` and `Fees`; v3: `Fees and/or Spread`; v4: an `ID` column first). The report may
//! start with a title block; the header is found below it.
//!
//! Mapping (every row is one transaction in the account "Coinbase"; quantities may carry a sign, amounts a
//! currency symbol):
//! - Buy / Advanced Trade Buy: sent = Subtotal in the price currency, received = quantity, fee = Fees.
//!   Paid with a crypto (e.g. USDC) it is a `trade`.
//! - Sell / Advanced Trade Sell: sent = quantity, received = Subtotal, fee = Fees.
//! - Convert: sent = quantity; received read from the note "Converted 1 ETH to 0.05 BTC"; value = Subtotal.
//! - Send / Receive: own-transfer legs (matched with the other side later; unmatched ones are flagged).
//! - Rewards Income, Staking Income, Learning Reward, Inflation Reward, Coinbase Earn, Interest: income at the
//!   row's value (Subtotal, else quantity × price).
//! - Deposit / Withdrawal: money in or out from outside.
//!   Anything else is an error naming the line: an unknown type is never skipped.

use offramp_core::{Amount, Code, Decimal, Transaction, TxKind};

use super::generic::validated;
use super::sheet::{has, Cells, Sheet};
use super::ParsedRow;
use crate::error::quote;
use crate::ImportError;

const ACCOUNT: &str = "Coinbase";

const BASE: [&str; 4] = ["timestamp", "transaction type", "asset", "quantity transacted"];

pub fn is_v4(n: &[String]) -> bool {
    has(n, &BASE) && has(n, &["id", "price currency", "price at transaction", "fees and/or spread"])
}

pub fn is_v3(n: &[String]) -> bool {
    has(n, &BASE) && has(n, &["spot price currency", "spot price at transaction", "fees and/or spread"])
}

pub fn is_v2(n: &[String]) -> bool {
    has(n, &BASE) && has(n, &["spot price currency", "spot price at transaction", "fees", "total (inclusive of fees)"])
}

pub fn is_v1(n: &[String]) -> bool {
    has(n, &BASE) && v1_prefix(n).is_some()
}

/// The account currency of a v1 file: the `USD` of `USD Spot Price at Transaction`.
fn v1_prefix(n: &[String]) -> Option<String> {
    n.iter().find_map(|c| c.strip_suffix(" spot price at transaction")).filter(|p| p.len() == 3).map(String::from)
}

struct Cols {
    ts: usize,
    kind: usize,
    asset: usize,
    qty: usize,
    id: Option<usize>,
    price_currency: Option<usize>,
    /// v1: the currency named in the column titles.
    fixed_currency: Option<Code>,
    price: Option<usize>,
    subtotal: Option<usize>,
    fees: Option<usize>,
    notes: Option<usize>,
}

fn first(sheet: &Sheet, names: &[&str]) -> Option<usize> {
    names.iter().find_map(|n| sheet.col(n))
}

pub fn parse(sheet: &mut Sheet) -> Result<Vec<ParsedRow>, ImportError> {
    let prefix = v1_prefix(&sheet.names);
    let p = |s: &str| prefix.as_ref().map(|p| format!("{p} {s}")).unwrap_or_default();
    let cols = Cols {
        ts: sheet.require("timestamp")?,
        kind: sheet.require("transaction type")?,
        asset: sheet.require("asset")?,
        qty: sheet.require("quantity transacted")?,
        id: sheet.col("id"),
        price_currency: first(sheet, &["price currency", "spot price currency"]),
        fixed_currency: prefix.as_deref().and_then(|p| Code::parse(p).ok()),
        price: first(sheet, &["price at transaction", "spot price at transaction", &p("spot price at transaction")]),
        subtotal: first(sheet, &["subtotal", &p("subtotal")]),
        fees: first(sheet, &["fees and/or spread", "fees", &p("fees")]),
        notes: sheet.col("notes"),
    };
    sheet.map_rows(&mut |cells| parse_row(cells, &cols))
}

fn positive(c: &Cells, idx: Option<usize>) -> Result<Option<Decimal>, ImportError> {
    Ok(c.money(idx)?.map(|v| v.abs()).filter(|v| !v.is_zero()))
}

fn parse_row(c: &Cells, cols: &Cols) -> Result<Transaction, ImportError> {
    let timestamp = c.timestamp(Some(cols.ts), &["%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S"])?;
    let kind_text = c.text(Some(cols.kind))?.to_string();
    let asset = c.code(Some(cols.asset))?;
    let qty = c.money(Some(cols.qty))?.map(|v| v.abs()).ok_or_else(|| c.err("quantity transacted", "missing"))?;
    let currency = match cols.price_currency {
        Some(i) if !c.text(Some(i))?.is_empty() => Some(c.code(Some(i))?),
        _ => cols.fixed_currency,
    };
    let subtotal = positive(c, cols.subtotal)?;
    let fees = positive(c, cols.fees)?;
    let price = positive(c, cols.price)?;
    let notes = c.text(cols.notes)?.to_string();
    let fiat =
        |v: Option<Decimal>| -> Option<Amount> { Some(Amount::new(v?, currency?)).filter(|a| a.code().is_fiat()) };
    let value = fiat(subtotal.or_else(|| price.and_then(|p| p.checked_mul(qty))));
    let need_currency = |what: &str| {
        currency.ok_or_else(|| c.err("price currency", format!("missing: a {what} needs its price currency")))
    };
    let mut tx = Transaction::new(timestamp, ACCOUNT, TxKind::Fee);
    tx.external_id = Some(c.text(cols.id)?.to_string()).filter(|s| !s.is_empty());
    tx.note = notes.clone();
    let quantity = Amount::new(qty, asset);
    match kind_text.to_ascii_lowercase().as_str() {
        "buy" | "advanced trade buy" | "advance trade buy" => {
            let cur = need_currency("buy")?;
            let paid = subtotal.ok_or_else(|| c.err("subtotal", "missing: a buy needs the amount paid"))?;
            tx.kind = if cur.is_fiat() { TxKind::Buy } else { TxKind::Trade };
            tx.sent = Some(Amount::new(paid, cur));
            tx.received = Some(quantity);
            tx.fee = fees.map(|f| Amount::new(f, cur));
        }
        "sell" | "advanced trade sell" | "advance trade sell" => {
            let cur = need_currency("sell")?;
            let got = subtotal.ok_or_else(|| c.err("subtotal", "missing: a sell needs the amount received"))?;
            tx.kind = if cur.is_fiat() { TxKind::Sell } else { TxKind::Trade };
            tx.sent = Some(quantity);
            tx.received = Some(Amount::new(got, cur));
            tx.fee = fees.map(|f| Amount::new(f, cur));
        }
        "convert" => {
            tx.kind = TxKind::Trade;
            tx.sent = Some(quantity);
            tx.received = Some(converted_to(c, &notes, asset)?);
            tx.fiat_value = value;
        }
        "send" => {
            tx.kind = TxKind::TransferOut;
            tx.sent = Some(quantity);
        }
        "card spend" => {
            // Paid for something with the Coinbase Card: a disposal of the crypto at its value then.
            tx.kind = TxKind::Spend;
            tx.sent = Some(quantity);
            tx.fiat_value = value;
            tx.fee = fees.zip(currency).map(|(f, cur)| Amount::new(f, cur)).filter(|f| f.code().is_fiat());
        }
        "receive" => {
            tx.kind = TxKind::TransferIn;
            tx.received = Some(quantity);
        }
        "deposit" => {
            tx.kind = TxKind::Deposit;
            tx.received = Some(quantity);
        }
        "withdrawal" => {
            tx.kind = TxKind::Withdrawal;
            tx.sent = Some(quantity);
        }
        "staking income" => income(&mut tx, TxKind::Staking, quantity, value),
        "interest" | "interest income" => income(&mut tx, TxKind::Interest, quantity, value),
        "rewards income" | "learning reward" | "inflation reward" | "coinbase earn" | "incentives rewards payout" => {
            income(&mut tx, TxKind::OtherIncome, quantity, value)
        }
        _ => {
            return Err(c.err(
                "transaction type",
                format!(
                    "unknown Coinbase transaction type {} (known: Buy, Sell, Advanced Trade Buy/Sell, Convert, Send, \
                     Card Spend, Receive, Deposit, Withdrawal, Staking Income, Rewards Income, Learning Reward, Inflation \
                     Reward, Coinbase Earn, Interest)",
                    quote(&kind_text)
                ),
            ))
        }
    }
    validated(c, tx, |field| match field {
        "sent" | "received" => "quantity transacted",
        "fee" => "fees",
        "fiat_value" => "subtotal",
        other => other,
    })
}

fn income(tx: &mut Transaction, kind: TxKind, quantity: Amount, value: Option<Amount>) {
    tx.kind = kind;
    tx.received = Some(quantity);
    tx.fiat_value = value;
}

/// Reads the received side of a Convert from its note: `Converted 0.01 ETH to 0.0005 BTC`.
fn converted_to(c: &Cells, notes: &str, sent_asset: Code) -> Result<Amount, ImportError> {
    let bad = || {
        c.err(
            "notes",
            format!("a Convert note should read `Converted <qty> <asset> to <qty> <asset>`, got {}", quote(notes)),
        )
    };
    let words: Vec<&str> = notes.split_whitespace().collect();
    let [verb, _, from, to_word, qty, asset] = words[..] else { return Err(bad()) };
    if !verb.eq_ignore_ascii_case("converted") || !to_word.eq_ignore_ascii_case("to") {
        return Err(bad());
    }
    if Code::parse(from).ok() != Some(sent_asset) {
        return Err(c.err("notes", format!("the note converts {} but the row's asset is {sent_asset}", quote(from))));
    }
    let qty = offramp_core::money::parse_decimal(&qty.replace(',', "")).map_err(|_| bad())?;
    let code = Code::parse(asset).map_err(|_| bad())?;
    Ok(Amount::new(qty, code))
}
