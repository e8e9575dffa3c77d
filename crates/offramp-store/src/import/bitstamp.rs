//! Bitstamp's transaction export, two variants.
//! - v2: `ID,Account,Type,Subtype,Datetime,Amount,Amount currency,Value,Value currency,Rate,Rate currency,Fee,
//!   Fee currency,Order ID`.
//! - v1: `Type,Datetime,Account,Amount,Value,Rate,Fee,Sub Type`, where amount cells carry their currency
//!   (`0.50000000 BTC`) and dates read like `Jan. 05, 2023, 10:00 AM` (UTC).
//!
//! `Market` rows are trades: Buy receives the amount and pays the value; Sell the reverse; the fee is in its own
//! currency. Deposits and withdrawals of crypto are own-transfer legs; of fiat, money in or out. Staking rewards
//! are income. Sub-account transfers are left out and counted; any other type is an error.

use offramp_core::money::parse_decimal;
use offramp_core::{Amount, Code, Transaction, TxKind};

use super::generic::validated;
use super::sheet::{has, Cells, Sheet};
use super::ParsedRow;
use crate::error::quote;
use crate::ImportError;

const ACCOUNT: &str = "Bitstamp";

pub fn is_v2(n: &[String]) -> bool {
    has(
        n,
        &["type", "subtype", "datetime", "amount", "amount currency", "value", "value currency", "fee", "fee currency"],
    )
}

pub fn is_v1(n: &[String]) -> bool {
    has(n, &["type", "datetime", "account", "amount", "value", "rate", "fee", "sub type"])
        && !has(n, &["amount currency"])
}

const DATE_FORMATS: [&str; 6] = [
    "%Y-%m-%d %H:%M:%S",
    "%b. %d, %Y, %I:%M %p",
    "%b %d, %Y, %I:%M %p",
    "%B %d, %Y, %I:%M %p",
    "%b. %d, %Y, %I:%M:%S %p",
    "%b %d, %Y, %I:%M:%S %p",
];

pub fn parse(sheet: &mut Sheet) -> Result<Vec<ParsedRow>, ImportError> {
    let v2 = sheet.col("amount currency").is_some();
    let kind = sheet.require("type")?;
    let subtype = if v2 { sheet.require("subtype")? } else { sheet.require("sub type")? };
    let datetime = sheet.require("datetime")?;
    let amount = sheet.require("amount")?;
    let value = sheet.require("value")?;
    let fee = sheet.require("fee")?;
    let id = sheet.col("id");
    let currency = |name: &str| if v2 { sheet.col(name) } else { None };
    let (amount_cur, value_cur, fee_cur) =
        (currency("amount currency"), currency("value currency"), currency("fee currency"));
    let mut out = Vec::new();
    let mut left_out = 0;
    let mut record = csv::ByteRecord::new();
    while let Some(line) = sheet.next_row(&mut record)? {
        let c = Cells { path: sheet.path, line, record: &record, names: &sheet.names };
        // v1 cells are "<number> <CODE>"; v2 cells are a number with the code in the next column.
        let cell = |idx: usize, cur: Option<usize>| -> Result<Option<Amount>, ImportError> {
            let field = c.names[idx].clone();
            let text = c.text(Some(idx))?;
            if text.is_empty() {
                return Ok(None);
            }
            let (number, code) = match cur {
                Some(ci) => (text, c.text(Some(ci))?),
                None => text
                    .split_once(' ')
                    .ok_or_else(|| c.err(&field, format!("{} should read `<number> <currency>`", quote(text))))?,
            };
            let v = parse_decimal(number.trim()).map_err(|e| c.err(&field, e.to_string()))?;
            let code = Code::parse(code.trim()).map_err(|e| c.err(&field, e.to_string()))?;
            Ok(Some(Amount::new(v.abs(), code)))
        };
        let ts = c.timestamp(Some(datetime), &DATE_FORMATS)?;
        let t = c.text(Some(kind))?.to_ascii_lowercase();
        let sub = c.text(Some(subtype))?.to_ascii_lowercase();
        let qty = cell(amount, amount_cur)?.ok_or_else(|| c.err("amount", "missing"))?;
        let mut tx = Transaction::new(ts, ACCOUNT, TxKind::Fee);
        tx.fee = cell(fee, fee_cur)?.filter(|f| !f.is_zero());
        tx.external_id = Some(c.text(id)?.to_string()).filter(|s| !s.is_empty());
        match (t.as_str(), sub.as_str()) {
            ("market" | "limit" | "instant", "buy") => {
                let paid =
                    cell(value, value_cur)?.ok_or_else(|| c.err("value", "missing: a buy needs the amount paid"))?;
                tx.kind = if paid.code().is_fiat() { TxKind::Buy } else { TxKind::Trade };
                tx.sent = Some(paid);
                tx.received = Some(qty);
            }
            ("market" | "limit" | "instant", "sell") => {
                let got = cell(value, value_cur)?
                    .ok_or_else(|| c.err("value", "missing: a sell needs the amount received"))?;
                tx.kind = if got.code().is_fiat() { TxKind::Sell } else { TxKind::Trade };
                tx.sent = Some(qty);
                tx.received = Some(got);
            }
            ("deposit", _) => {
                tx.kind = if qty.code().is_fiat() { TxKind::Deposit } else { TxKind::TransferIn };
                tx.received = Some(qty);
            }
            ("withdrawal", _) => {
                tx.kind = if qty.code().is_fiat() { TxKind::Withdrawal } else { TxKind::TransferOut };
                tx.sent = Some(qty);
            }
            ("staking reward" | "staking", _) => {
                tx.kind = TxKind::Staking;
                tx.received = Some(qty);
            }
            ("sub account transfer", _) => {
                left_out += 1;
                continue;
            }
            _ => {
                return Err(c.err(
                    "type",
                    format!("unknown Bitstamp type {} / {}", quote(c.text(Some(kind))?), quote(c.text(Some(subtype))?)),
                ))
            }
        }
        out.push(ParsedRow {
            line,
            tx: validated(&c, tx, |f| match f {
                "sent" | "received" => "amount",
                o => o,
            })?,
        });
    }
    sheet.left_out += left_out;
    Ok(out)
}
