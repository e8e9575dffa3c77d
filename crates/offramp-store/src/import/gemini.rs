//! Gemini's transaction history: `Date,Time (UTC),Type,Symbol,Specification,...` followed by one
//! `<CUR> Amount <CUR>` / `Fee (<CUR>) <CUR>` / `<CUR> Balance <CUR>` triple per currency in the account.
//! Amounts may be written `$1,234.56`, `-0.5 BTC` or `(1,234.56 USD)` for negatives.
//!
//! Buy and Sell rows are trades between the two currencies of the symbol (BTCUSD): the currency whose amount
//! went down was sent, the one that went up was received; the fee is in its own column. Credit and Debit rows
//! are deposits and withdrawals (own-transfer legs for crypto). Any other type is an error.
//!
//! Gemini's own export ends with a row of closing balances (no date, no type, only the balance columns). It is
//! recognised, counted as a row that is not a transaction, and checked: each closing balance must equal the last
//! running balance the rows gave for that currency.

use offramp_core::{Amount, Code, Decimal, Transaction, TxKind};

use super::generic::validated;
use super::sheet::{Cells, Sheet};
use super::ParsedRow;
use crate::error::quote;
use crate::ImportError;

const ACCOUNT: &str = "Gemini";

pub fn is_v1(n: &[String]) -> bool {
    ["date", "time (utc)", "type", "symbol", "specification"].iter().all(|c| n.iter().any(|x| x == c))
        && n.iter().any(|x| x.contains(" amount "))
}

/// The per-currency columns: (currency, amount column, fee column, balance column).
#[allow(clippy::type_complexity)]
fn currency_columns(sheet: &Sheet) -> Result<Vec<(Code, usize, Option<usize>, Option<usize>)>, ImportError> {
    let mut out = Vec::new();
    for (i, name) in sheet.names.iter().enumerate() {
        // "usd amount usd" → USD
        let parts: Vec<&str> = name.split(' ').collect();
        if let [cur, "amount", cur2] = parts[..] {
            if cur == cur2 {
                let code = Code::parse(cur)
                    .map_err(|e| ImportError::at(sheet.path, sheet.header_line(), Some(name), e.to_string()))?;
                let fee = sheet.col(&format!("fee ({cur}) {cur}"));
                let balance = sheet.col(&format!("{cur} balance {cur}"));
                out.push((code, i, fee, balance));
            }
        }
    }
    Ok(out)
}

/// Gemini writes negatives in parentheses and may add the currency: `(1,234.56 USD)`, `-0.5 BTC`.
fn signed(c: &Cells, idx: usize) -> Result<Option<Decimal>, ImportError> {
    let text = c.text(Some(idx))?;
    if text.is_empty() {
        return Ok(None);
    }
    let (negative, inner) = match text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        Some(inner) => (true, inner.trim()),
        None => (false, text),
    };
    let number = match inner.rsplit_once(' ') {
        Some((n, code)) if code.chars().all(|ch| ch.is_ascii_alphabetic()) => n,
        _ => inner,
    };
    let v = c.money_text(&c.names[idx], number)?;
    Ok(Some(if negative { -v.abs() } else { v }))
}

pub fn parse(sheet: &mut Sheet) -> Result<Vec<ParsedRow>, ImportError> {
    let (date, time, kind, symbol) =
        (sheet.require("date")?, sheet.require("time (utc)")?, sheet.require("type")?, sheet.require("symbol")?);
    let trade_id = sheet.col("trade id");
    let currencies = currency_columns(sheet)?;
    let mut out = Vec::new();
    let mut record = csv::ByteRecord::new();
    // The last running balance of each currency, and whether the closing balances row has been read.
    let mut balances: Vec<Option<Decimal>> = vec![None; currencies.len()];
    let mut closed = false;
    while let Some(line) = sheet.next_row(&mut record)? {
        let c = Cells { path: sheet.path, line, record: &record, names: &sheet.names };
        if closed {
            return Err(c.err("date", "a row after the closing balances row (the file's last row)"));
        }
        if c.text(Some(date))?.is_empty() && c.text(Some(time))?.is_empty() && c.text(Some(kind))?.is_empty() {
            for (i, (code, amount_col, _, balance_col)) in currencies.iter().enumerate() {
                if signed(&c, *amount_col)?.is_some_and(|v| !v.is_zero()) {
                    return Err(c.err(&c.names[*amount_col], "a row without a date or type moves an amount"));
                }
                let (Some(col), Some(last)) = (balance_col, balances[i]) else { continue };
                if let Some(closing) = signed(&c, *col)? {
                    if closing != last {
                        return Err(c.err(
                            &c.names[*col],
                            format!(
                                "the closing balance {closing} {code} is not the {last} {code} the rows end with \
                                 (is the file complete?)"
                            ),
                        ));
                    }
                }
            }
            closed = true;
            sheet.left_out += 1;
            continue;
        }
        for (i, (_, _, _, balance_col)) in currencies.iter().enumerate() {
            if let Some(col) = balance_col {
                if let Some(b) = signed(&c, *col)? {
                    balances[i] = Some(b);
                }
            }
        }
        let stamp = format!("{} {}", c.text(Some(date))?, c.text(Some(time))?);
        let dt = ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M:%S"]
            .iter()
            .find_map(|f| chrono::NaiveDateTime::parse_from_str(&stamp, f).ok())
            .ok_or_else(|| {
                c.err("date", format!("{} is not a date and time (YYYY-MM-DD and HH:MM:SS)", quote(&stamp)))
            })?;
        let ts = offramp_core::Timestamp::from_utc(&dt, &stamp).map_err(|e| c.err("date", e.to_string()))?;
        let mut moves: Vec<Amount> = Vec::new();
        let mut fees: Vec<Amount> = Vec::new();
        for (code, amount_col, fee_col, _) in &currencies {
            if let Some(v) = signed(&c, *amount_col)?.filter(|v| !v.is_zero()) {
                moves.push(Amount::new(v, *code));
            }
            if let Some(fc) = fee_col {
                if let Some(v) = signed(&c, *fc)?.filter(|v| !v.is_zero()) {
                    fees.push(Amount::new(v.abs(), *code));
                }
            }
        }
        let t = c.text(Some(kind))?.to_ascii_lowercase();
        let mut tx = Transaction::new(ts, ACCOUNT, TxKind::Fee);
        tx.external_id = Some(c.text(trade_id)?.to_string()).filter(|s| !s.is_empty());
        tx.note = c.text(sheet.col("specification"))?.to_string();
        let one = |want_negative: bool| moves.iter().find(|a| a.is_negative() == want_negative).map(|a| a.abs());
        match t.as_str() {
            "buy" | "sell" => {
                let (Some(sent), Some(received), 2) = (one(true), one(false), moves.len()) else {
                    return Err(c.err(
                        "type",
                        format!(
                            "a {t} of {} should move two currencies, one down and one up; found {}",
                            quote(c.text(Some(symbol))?),
                            moves.len()
                        ),
                    ));
                };
                tx.kind = match (sent.code().is_fiat(), received.code().is_fiat()) {
                    (true, false) => TxKind::Buy,
                    (false, true) => TxKind::Sell,
                    _ => TxKind::Trade,
                };
                tx.sent = Some(sent);
                tx.received = Some(received);
            }
            "credit" | "debit" => {
                let [moved] = moves[..] else {
                    return Err(c.err("type", format!("a {t} should move one currency; found {}", moves.len())));
                };
                let crypto = !moved.code().is_fiat();
                match (t.as_str(), moved.is_negative()) {
                    ("credit", false) => {
                        tx.kind = if crypto { TxKind::TransferIn } else { TxKind::Deposit };
                        tx.received = Some(moved);
                    }
                    ("debit", true) => {
                        tx.kind = if crypto { TxKind::TransferOut } else { TxKind::Withdrawal };
                        tx.sent = Some(moved.abs());
                    }
                    _ => return Err(c.err("type", format!("a {t} with amount {moved} has the wrong sign"))),
                }
            }
            _ => return Err(c.err("type", format!("unknown Gemini type {}", quote(c.text(Some(kind))?)))),
        }
        let mut fees = fees.into_iter();
        tx.fee = fees.next();
        let tx = validated(&c, tx, |f| f)?;
        for extra in fees {
            let f = Transaction { kind: TxKind::Fee, sent: None, received: None, fee: Some(extra), ..tx.clone() };
            out.push(ParsedRow { line, tx: f });
        }
        out.push(ParsedRow { line, tx });
    }
    Ok(out)
}
