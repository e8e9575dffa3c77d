//! The ledger as a beancount file: every transaction with its postings, crypto held **at cost** in lots labelled
//! `lot-<acquiring transaction id>` with their acquisition dates, reductions naming their lots, and every
//! transaction balanced with explicit amounts (capital gains, income, transfers out of the ledger).
//!
//! Lots are tracked per account (where the coins are), booked with the given method, in the report currency
//! (USD, GBP or EUR). The export needs every lot's cost: while an acquisition's cost is unknown it is refused,
//! naming the transactions (an unknown cost is never written as zero).

use std::collections::{BTreeSet, HashMap};
use std::io::Write;

use offramp_core::lots::{Event, Method};
use offramp_core::money::Code;
use offramp_core::tax::OUTSIDE;
use offramp_core::{Decimal, TxKind};

use crate::report::{book_lots, Basis, Conventions};
use crate::session::Progress;
use crate::{AppError, ErrorCode, Session};

/// Decimal places of a unit cost written in a cost spec (the weight it gives differs from the lot's exact cost
/// by less than a millionth of a cent for any realistic quantity).
const UNIT_COST_PLACES: u32 = 12;

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BeancountSummary {
    pub transactions: usize,
    pub accounts: usize,
}

/// A beancount account component: starts with a capital letter or digit, then letters, digits and dashes.
fn component(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if out.is_empty() {
        out = "Account".into();
    }
    let mut chars = out.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase()).unwrap_or('A');
    format!("{first}{}", chars.as_str())
}

/// A beancount commodity: capital letters, digits and `._-'`, starting with a letter.
fn commodity(code: Code) -> String {
    let c = code.as_str();
    if c.starts_with(|ch: char| ch.is_ascii_uppercase()) {
        c.to_string()
    } else {
        format!("X{c}")
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

struct Posting {
    account: String,
    units: Decimal,
    commodity: String,
    /// ` {…}` cost spec, with its leading space, or empty.
    cost: String,
}

/// One transaction's postings, and their weights per commodity (to balance it).
#[derive(Default)]
struct Entry {
    postings: Vec<Posting>,
    weight: HashMap<String, Decimal>,
}

impl Entry {
    fn add(&mut self, account: String, units: Decimal, commodity: String, cost: String, w: (String, Decimal)) {
        *self.weight.entry(w.0).or_default() += w.1;
        self.postings.push(Posting { account, units, commodity, cost });
    }
}

/// What beancount holds, per (account, commodity, lot label): each position's units, unit cost and date, in the
/// order they arrived. A reduction names the exact positions it takes (no ambiguous match), and every weight is
/// `units × unit cost` as written: the product beancount computes, so each entry balances in its arithmetic.
#[derive(Default)]
struct Positions(HashMap<PositionKey, Vec<Position>>);

/// (account, commodity, lot id).
type PositionKey = (String, String, i64);
/// (units, unit cost as written, acquisition date).
type Position = (Decimal, Decimal, chrono::NaiveDate);

/// `units × unit`, or an error naming the figures when it cannot be held.
fn weight_of(units: Decimal, unit: Decimal) -> Result<Decimal, AppError> {
    units.checked_mul(unit).ok_or_else(|| {
        AppError::new(ErrorCode::InvalidInput, format!("{units} units at {unit} each is too large a figure to write"))
    })
}

fn spec(unit: Decimal, cur: &str, date: chrono::NaiveDate, lot: i64) -> String {
    format!(" {{{unit} {cur}, {date}, \"lot-{lot}\"}}")
}

impl Positions {
    #[allow(clippy::too_many_arguments)]
    fn augment(
        &mut self,
        entry: &mut Entry,
        account: String,
        commodity: String,
        lot: i64,
        units: Decimal,
        unit: Decimal,
        date: chrono::NaiveDate,
        cur: &str,
    ) -> Result<(), AppError> {
        let w = weight_of(units, unit)?;
        let held = self.0.entry((account.clone(), commodity.clone(), lot)).or_default();
        match held.iter_mut().find(|p| p.1 == unit && p.2 == date) {
            Some(p) => p.0 += units,
            None => held.push((units, unit, date)),
        }
        entry.add(account, units, commodity, spec(unit, cur, date, lot), (cur.to_string(), w));
        Ok(())
    }

    /// Takes `units` of `lot` from `account`, oldest position first; returns the cost taken (the weights).
    fn reduce(
        &mut self,
        entry: &mut Entry,
        account: String,
        commodity: String,
        lot: i64,
        units: Decimal,
        cur: &str,
    ) -> Result<Decimal, AppError> {
        let short = || {
            AppError::new(
                ErrorCode::Internal,
                format!("beancount export: {account} holds less of lot-{lot} than the booking takes from it"),
            )
        };
        let held = self.0.get_mut(&(account.clone(), commodity.clone(), lot)).ok_or_else(short)?;
        let mut left = units;
        let mut taken = Decimal::ZERO;
        while left > Decimal::ZERO {
            let Some(first) = held.first_mut() else { return Err(short()) };
            let q = first.0.min(left);
            let (unit, date) = (first.1, first.2);
            first.0 -= q;
            left -= q;
            if first.0.is_zero() {
                held.remove(0);
            }
            let w = weight_of(q, unit)?;
            taken += w;
            entry.add(account.clone(), -q, commodity.clone(), spec(unit, cur, date, lot), (cur.to_string(), -w));
        }
        Ok(taken)
    }
}

impl Session {
    /// Writes the whole ledger in beancount syntax to `out`, lots at cost in `currency` booked with `method` per
    /// account. `today` is written in the header.
    pub fn beancount(
        &self,
        currency: Code,
        method: Method,
        today: chrono::NaiveDate,
        out: &mut dyn Write,
        progress: Progress,
    ) -> Result<BeancountSummary, AppError> {
        let history = self.history(progress)?;
        export(&history, currency, method, today, out)
    }
}

fn export(
    history: &crate::history::History,
    currency: Code,
    method: Method,
    today: chrono::NaiveDate,
    out: &mut dyn Write,
) -> Result<BeancountSummary, AppError> {
    let basis = Basis::per_account(method);
    let c = Conventions::for_currency(currency, history);
    let (conv, booking, pools) = book_lots(history, &history.txs, c, &basis)?;
    let zone = c.zone;

    // Refuse while a cost is unknown, naming the transactions.
    let unknown: Vec<i64> = conv
        .events
        .iter()
        .filter_map(|e| match e {
            Event::Acquire { lot, cost: None, .. } => Some(*lot),
            _ => None,
        })
        .collect();
    if !unknown.is_empty() {
        let named: Vec<String> = unknown.iter().take(5).map(|id| history.describe(*id)).collect();
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!(
                "the beancount export needs every lot's cost, and {} acquisition(s) have an unknown cost in {currency} \
                 (first: {}). Record their value or their origin (import the account they came from and confirm \
                 the transfer), then export again.",
                unknown.len(),
                named.join(", ")
            ),
        ));
    }

    // Beancount account names, one per ledger account, kept distinct.
    let mut names: HashMap<String, String> = HashMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for (_, t) in &history.txs {
        if !names.contains_key(&t.account) {
            let base = format!("Assets:Offramp:{}", component(&t.account));
            let mut name = base.clone();
            let mut n = 2;
            while taken.contains(&name) {
                name = format!("{base}-{n}");
                n += 1;
            }
            taken.insert(name.clone());
            names.insert(t.account.clone(), name);
        }
    }
    let pool_account = |p: offramp_core::lots::PoolId| -> String {
        pools.get(p.0 as usize).and_then(|a| names.get(a)).cloned().unwrap_or_else(|| "Assets:Offramp:Unknown".into())
    };

    // Index the booking by transaction.
    let mut acquisitions: HashMap<i64, Vec<&Event>> = HashMap::new();
    for e in &conv.events {
        if let Event::Acquire { lot, .. } = e {
            acquisitions.entry(*lot).or_default().push(e);
        }
    }
    let mut disposals: HashMap<i64, Vec<&offramp_core::lots::Disposal>> = HashMap::new();
    for d in &booking.disposals {
        disposals.entry(d.id).or_default().push(d);
    }
    let mut moves: HashMap<i64, Vec<&offramp_core::lots::MoveRecord>> = HashMap::new();
    for m in &booking.moves {
        moves.entry(m.id).or_default().push(m);
    }

    let cur = commodity(currency);
    let gains = "Income:Offramp:CapitalGains".to_string();
    let unpriced = "Expenses:Offramp:UnpricedDisposals".to_string();
    let untracked = "Equity:Offramp:LeftUntracked".to_string();
    let external = "Equity:Offramp:External".to_string();
    let conversions = "Equity:Offramp:Conversions".to_string();
    let first_day = history.txs.first().map(|(_, t)| t.timestamp.date_in(zone)).unwrap_or(today);

    let mut body: Vec<u8> = Vec::new();
    let mut used_accounts: BTreeSet<String> = BTreeSet::new();
    // The unit cost written for a lot piece (12 places): what beancount multiplies its units by.
    let unit_of = |lot: i64, qty: Decimal, cost: Decimal| -> Result<Decimal, AppError> {
        let unit = cost.checked_div(qty).ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidInput,
                format!(
                    "lot-{lot} ({}): a cost of {cost} {cur} for {qty} units is too large a unit cost to write; check \
                     that transaction",
                    history.source(lot),
                ),
            )
        })?;
        Ok(unit.round_dp(UNIT_COST_PLACES).normalize())
    };
    let mut lots = Positions::default();
    for (id, t) in &history.txs {
        let mut entry = Entry::default();
        for e in acquisitions.get(id).into_iter().flatten() {
            if let Event::Acquire { lot, pool, asset, time, qty, cost: Some(cost) } = e {
                let unit = unit_of(*lot, *qty, *cost)?;
                lots.augment(
                    &mut entry,
                    pool_account(*pool),
                    commodity(*asset),
                    *lot,
                    *qty,
                    unit,
                    time.date_in(zone),
                    &cur,
                )?;
            }
        }
        let mut unpriced_cost = Decimal::ZERO;
        // Crypto given away (a network fee, a fee, a payment) is sold for its value and that value spent.
        let mut given = Decimal::ZERO;
        for d in disposals.get(id).into_iter().flatten() {
            if matches!(t.kind, TxKind::TransferOut | TxKind::Fee | TxKind::Spend) {
                given += d.proceeds.unwrap_or_default();
            }
            for p in &d.pieces {
                let c = lots.reduce(&mut entry, pool_account(d.pool), commodity(d.asset), p.lot, p.qty, &cur)?;
                if d.proceeds.is_none() {
                    unpriced_cost += c;
                }
            }
        }
        let mut untracked_cost = Decimal::ZERO;
        for m in moves.get(id).into_iter().flatten() {
            for p in &m.left {
                let c = lots.reduce(&mut entry, pool_account(m.from), commodity(m.asset), p.lot, p.qty, &cur)?;
                if m.to == OUTSIDE {
                    untracked_cost += c;
                }
            }
            if m.to != OUTSIDE {
                for p in &m.arrived {
                    let unit = unit_of(p.lot, p.qty, p.cost.unwrap_or_default())?;
                    let date = p.acquired.date_in(zone);
                    lots.augment(&mut entry, pool_account(m.to), commodity(m.asset), p.lot, p.qty, unit, date, &cur)?;
                }
            }
        }
        // The fiat legs, as cash in the transaction's account.
        let account = names.get(&t.account).cloned().unwrap_or_default();
        for (amount, sign) in [(t.received, Decimal::ONE), (t.sent, -Decimal::ONE), (t.fee, -Decimal::ONE)] {
            if let Some(a) = amount.filter(|a| a.code().is_fiat() && !a.value().is_zero()) {
                let c = commodity(a.code());
                entry.add(account.clone(), sign * a.value(), c.clone(), String::new(), (c, sign * a.value()));
            }
        }
        if entry.postings.is_empty() {
            continue;
        }
        // Balance: what the cost side explains, then the rest by the transaction's nature.
        if !unpriced_cost.is_zero() {
            entry.add(unpriced.clone(), unpriced_cost, cur.clone(), String::new(), (cur.clone(), unpriced_cost));
        }
        if !given.is_zero() {
            let to = if t.kind == TxKind::Spend { "Expenses:Offramp:Spending" } else { "Expenses:Offramp:Fees" };
            entry.add(to.into(), given, cur.clone(), String::new(), (cur.clone(), given));
        }
        if !untracked_cost.is_zero() {
            entry.add(untracked.clone(), untracked_cost, cur.clone(), String::new(), (cur.clone(), untracked_cost));
        }
        let main = match t.kind {
            k if k.is_income() => format!("Income:Offramp:{}", component(k.as_str())),
            TxKind::Deposit | TxKind::Withdrawal => external.clone(),
            _ => gains.clone(),
        };
        let Entry { mut postings, weight } = entry;
        let mut residuals: Vec<(String, Decimal)> =
            weight.iter().filter(|(_, w)| !w.is_zero()).map(|(c, w)| (c.clone(), -*w)).collect();
        residuals.sort();
        for (c, r) in residuals {
            let to = if c == cur {
                main.clone()
            } else if matches!(t.kind, TxKind::Deposit | TxKind::Withdrawal) {
                external.clone()
            } else {
                conversions.clone()
            };
            postings.push(Posting { account: to, units: r, commodity: c, cost: String::new() });
        }
        let narration = if t.note.is_empty() { t.external_id.clone().unwrap_or_default() } else { t.note.clone() };
        let io = |e: std::io::Error| AppError::new(ErrorCode::Io, e.to_string());
        writeln!(body, "{} * {} {}", t.timestamp.date_in(zone), quote(t.kind.as_str()), quote(&narration))
            .map_err(io)?;
        writeln!(body, "  offramp_id: {}", quote(&id.to_string())).map_err(io)?;
        writeln!(body, "  source: {}", quote(&history.source(*id))).map_err(io)?;
        if disposals.get(id).into_iter().flatten().any(|d| d.proceeds.is_none()) {
            writeln!(body, "  proceeds: \"UNKNOWN\"").map_err(io)?;
        }
        for p in &postings {
            used_accounts.insert(p.account.clone());
            writeln!(body, "  {:<40} {} {}{}", p.account, p.units.normalize(), p.commodity, p.cost).map_err(io)?;
        }
        writeln!(body).map_err(io)?;
    }

    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, e.to_string());
    let method_name = method.label();
    writeln!(
        out,
        "; Offramp ledger, exported {today}. Lots at cost in {currency}, per account, {method_name}; each lot is"
    )
    .map_err(io)?;
    writeln!(out, "; labelled lot-<id of the transaction that acquired it>. Tax reports: offramp report.")
        .map_err(io)?;
    writeln!(out, "option \"title\" \"Offramp ledger\"").map_err(io)?;
    writeln!(out, "option \"operating_currency\" {}", quote(&cur)).map_err(io)?;
    writeln!(out, "option \"booking_method\" \"FIFO\"").map_err(io)?;
    // A posting at cost lends the cost currency a tolerance from its units' precision (beancount's own option for
    // ledgers held at cost), so an entry with no cash posting is not held to an exactness no unit cost can give.
    writeln!(out, "option \"infer_tolerance_from_cost\" \"TRUE\"").map_err(io)?;
    writeln!(out).map_err(io)?;
    for a in &used_accounts {
        writeln!(out, "{first_day} open {a}").map_err(io)?;
    }
    writeln!(out).map_err(io)?;
    out.write_all(&body).map_err(io)?;
    Ok(BeancountSummary {
        transactions: history.txs.len(),
        accounts: used_accounts.iter().filter(|a| a.starts_with("Assets:")).count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_beancount() {
        assert_eq!(component("Ledger Nano"), "Ledger-Nano");
        assert_eq!(component("kraken"), "Kraken");
        assert_eq!(component("  "), "Account");
        assert_eq!(component("Café/Wallet #2"), "Caf-Wallet-2");
        assert_eq!(commodity(Code::parse("BTC").unwrap()), "BTC");
        assert_eq!(quote("a \"b\""), "\"a \\\"b\\\"\"");
    }
}
