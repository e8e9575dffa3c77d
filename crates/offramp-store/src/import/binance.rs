//! Binance's "transaction history" statement: `User_ID,UTC_Time,Account,Operation,Coin,Change,Remark` (v2) or
//! the same without `User_ID` (v1). One trade is several rows sharing a time and account
//! (`Transaction Buy` / `Transaction Spend` / `Transaction Fee`, `Transaction Sold` / `Transaction Revenue`,
//! older `Buy` / `Sell` / `Fee`, `Binance Convert`); their changes are summed per coin: the coin that went down
//! was sent, the coin that went up was received, fee rows give the fee.
//! Deposits and withdrawals of crypto are own-transfer legs; of fiat, money in or out. Interest, staking and
//! distribution rows are income. Moves between Binance's own wallets (spot, funding, earn subscriptions and
//! redemptions) are left out and counted. A group that sends several coins at once (dust conversion to BNB) is
//! refused with its lines: its split between coins is not in the file.

use std::collections::BTreeMap;

use offramp_core::{Amount, Code, Decimal, Timestamp, Transaction, TxKind};

use super::sheet::{has, Cells, Sheet};
use super::ParsedRow;
use crate::error::quote;
use crate::ImportError;

const ACCOUNT: &str = "Binance";

const BASE: [&str; 6] = ["utc_time", "account", "operation", "coin", "change", "remark"];

pub fn is_v2(n: &[String]) -> bool {
    has(n, &BASE) && has(n, &["user_id"])
}

pub fn is_v1(n: &[String]) -> bool {
    has(n, &BASE) && !has(n, &["user_id"])
}

enum Role {
    /// Paid with the Binance Card: crypto spent (a disposal at its value then, which the statement does not give).
    Spend,
    TradeLeg,
    TradeFee,
    Deposit,
    Withdrawal,
    Income(TxKind),
    Internal,
}

fn role(op: &str) -> Option<Role> {
    let op = op.to_ascii_lowercase();
    Some(match op.as_str() {
        "transaction buy"
        | "transaction spend"
        | "transaction sold"
        | "transaction revenue"
        | "buy"
        | "sell"
        | "binance convert"
        | "large otc trading" => Role::TradeLeg,
        "transaction fee" | "fee" => Role::TradeFee,
        "binance card spending" => Role::Spend,
        "deposit" => Role::Deposit,
        "withdraw" | "withdrawal" => Role::Withdrawal,
        "simple earn flexible interest"
        | "simple earn locked rewards"
        | "savings interest"
        | "pos savings interest" => Role::Income(TxKind::Interest),
        "staking rewards" | "eth 2.0 staking rewards" | "eth2.0 staking rewards" => Role::Income(TxKind::Staking),
        "distribution" | "airdrop assets" => Role::Income(TxKind::Airdrop),
        "commission history" | "referral kickback" | "cash voucher distribution" => Role::Income(TxKind::OtherIncome),
        _ if op.starts_with("transfer between")
            || op.starts_with("simple earn flexible subscription")
            || op.starts_with("simple earn flexible redemption")
            || op.starts_with("simple earn locked subscription")
            || op.starts_with("simple earn locked redemption")
            || op == "staking purchase"
            || op == "staking redemption"
            || op == "main and funding account transfer" =>
        {
            Role::Internal
        }
        _ => return None,
    })
}

struct Row {
    line: u64,
    coin: Code,
    change: Decimal,
    fee: bool,
}

pub fn parse(sheet: &mut Sheet) -> Result<Vec<ParsedRow>, ImportError> {
    let (time, account, operation, coin, change) = (
        sheet.require("utc_time")?,
        sheet.require("account")?,
        sheet.require("operation")?,
        sheet.require("coin")?,
        sheet.require("change")?,
    );
    let mut out = Vec::new();
    // Trade rows grouped by (time, wallet), in order of first appearance.
    let mut groups: BTreeMap<(Timestamp, String), Vec<Row>> = BTreeMap::new();
    let mut record = csv::ByteRecord::new();
    while let Some(line) = sheet.next_row(&mut record)? {
        let c = Cells { path: sheet.path, line, record: &record, names: &sheet.names };
        let ts = c.timestamp(Some(time), &["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S%.f"])?;
        let op = c.text(Some(operation))?;
        let Some(role) = role(op) else {
            return Err(c.err("operation", format!("unknown Binance operation {}", quote(op))));
        };
        let code = c.code(Some(coin))?;
        let delta = c.decimal(Some(change))?.ok_or_else(|| c.err("change", "missing"))?;
        let qty = Amount::new(delta.abs(), code);
        let mut tx = Transaction::new(ts, ACCOUNT, TxKind::Fee);
        tx.note = c.text(sheet.col("remark"))?.to_string();
        let wrong_sign = |what: &str| c.err("change", format!("a {what} row with change {delta} has the wrong sign"));
        match role {
            Role::Internal => {
                sheet.left_out += 1;
                continue;
            }
            Role::TradeLeg | Role::TradeFee => {
                let wallet = c.text(Some(account))?.to_string();
                groups.entry((ts, wallet)).or_default().push(Row {
                    line,
                    coin: code,
                    change: delta,
                    fee: matches!(role, Role::TradeFee),
                });
                continue;
            }
            Role::Deposit if delta > Decimal::ZERO => {
                tx.kind = if code.is_fiat() { TxKind::Deposit } else { TxKind::TransferIn };
                tx.received = Some(qty);
            }
            Role::Withdrawal if delta < Decimal::ZERO => {
                tx.kind = if code.is_fiat() { TxKind::Withdrawal } else { TxKind::TransferOut };
                tx.sent = Some(qty);
            }
            Role::Income(kind) if delta > Decimal::ZERO => {
                tx.kind = kind;
                tx.received = Some(qty);
            }
            Role::Spend if delta < Decimal::ZERO => {
                // Spending a fiat balance is money leaving; spending crypto disposes of it (its value: needs price).
                tx.kind = if code.is_fiat() { TxKind::Withdrawal } else { TxKind::Spend };
                tx.sent = Some(qty);
            }
            Role::Spend => return Err(wrong_sign("card spending")),
            Role::Deposit => return Err(wrong_sign("deposit")),
            Role::Withdrawal => return Err(wrong_sign("withdrawal")),
            Role::Income(_) => return Err(wrong_sign("income")),
        }
        tx.validate().map_err(|e| c.err("change", e.reason))?;
        out.push(ParsedRow { line, tx });
    }
    for ((ts, _wallet), rows) in groups {
        out.extend(trade(sheet, ts, &rows)?);
    }
    out.sort_by_key(|r| r.line);
    Ok(out)
}

fn trade(sheet: &Sheet, ts: Timestamp, rows: &[Row]) -> Result<Vec<ParsedRow>, ImportError> {
    let line = rows.iter().map(|r| r.line).min().unwrap_or(0);
    let lines = rows.iter().map(|r| r.line.to_string()).collect::<Vec<_>>().join(", ");
    let err = |m: String| ImportError::at(sheet.path, line, Some("operation"), m);
    let mut net: BTreeMap<Code, Decimal> = BTreeMap::new();
    let mut fees: BTreeMap<Code, Decimal> = BTreeMap::new();
    for r in rows {
        let bucket = if r.fee { &mut fees } else { &mut net };
        let sum = bucket.entry(r.coin).or_default();
        *sum = sum.checked_add(r.change).ok_or_else(|| {
            ImportError::at(
                sheet.path,
                r.line,
                Some("change"),
                "the trade's rows add up to more than a number can hold",
            )
        })?;
    }
    let sent: Vec<(Code, Decimal)> = net.iter().filter(|(_, v)| **v < Decimal::ZERO).map(|(c, v)| (*c, -*v)).collect();
    let received: Vec<(Code, Decimal)> =
        net.iter().filter(|(_, v)| **v > Decimal::ZERO).map(|(c, v)| (*c, *v)).collect();
    let ([(sc, sv)], [(rc, rv)]) = (&sent[..], &received[..]) else {
        return Err(err(format!(
            "the trade rows at {ts} (lines {lines}) send {} coin(s) and receive {}; Offramp reads one coin for \
             another. Record this conversion through the generic CSV, one trade per coin.",
            sent.len(),
            received.len()
        )));
    };
    let fee_list: Vec<Amount> =
        fees.iter().filter(|(_, v)| !v.is_zero()).map(|(c, v)| Amount::new(v.abs(), *c)).collect();
    let kind = match (sc.is_fiat(), rc.is_fiat()) {
        (true, false) => TxKind::Buy,
        (false, true) => TxKind::Sell,
        (false, false) => TxKind::Trade,
        (true, true) => {
            return Err(err(format!("the rows at {ts} (lines {lines}) convert one fiat currency into another")))
        }
    };
    let mut fee_iter = fee_list.into_iter();
    let base = Transaction {
        timestamp: ts,
        account: ACCOUNT.to_string(),
        kind,
        sent: Some(Amount::new(*sv, *sc)),
        received: Some(Amount::new(*rv, *rc)),
        fee: fee_iter.next(),
        fiat_value: None,
        external_id: None,
        note: String::new(),
    };
    base.validate().map_err(|e| err(format!("lines {lines}: {e}")))?;
    let mut out = vec![ParsedRow { line, tx: base.clone() }];
    for extra in fee_iter {
        let tx = Transaction {
            kind: TxKind::Fee,
            sent: None,
            received: None,
            fee: Some(extra),
            note: "second fee of the trade".into(),
            ..base.clone()
        };
        out.push(ParsedRow { line, tx });
    }
    Ok(out)
}
