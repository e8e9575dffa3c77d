//! From the ledger's transactions to lot events, and from booked disposals to report rows.
//!
//! Conventions (documented for users in docs/TAX.md):
//! - Every figure is in the report's currency (USD for the US). A fiat amount in another currency is converted at
//!   the official rate the jurisdiction's rule names ([`crate::fx`]), and the rate used is kept per transaction;
//!   where no rate is known (or no converter is given) the cost or proceeds it feeds is unknown and the row is
//!   flagged, never zero.
//! - A transaction moves each asset's balance by `received − sent − fee`. An acquisition's cost is what was
//!   paid plus a fee in the report currency; a fee in the acquired asset reduces the quantity acquired. A
//!   disposal's proceeds are what was received less a fee in the report currency; a fee in the disposed asset is
//!   disposed of with it. A fee in any other crypto asset is a disposal of that asset at an unknown value.
//! - Crypto-to-crypto trades, spending and crypto fees are disposals at the transaction's fiat value; income is
//!   an acquisition at its fair value on receipt.
//! - A confirmed own transfer moves lots (date and cost kept) from one account's pool to the other's, at the
//!   time the out-leg left. What the network kept (sent + fee − received) is disposed of at an unknown value
//!   (default treatment; no market price is known to the app).
//! - A withdrawal or transfer out with no confirmed counterpart takes its lots out of the report (to a pool
//!   "outside"); a deposit or transfer in of crypto with no counterpart is an acquisition of unknown cost.

use std::collections::HashMap;

use crate::fasthash::{FastMap, FastSet};

use crate::holding::{us_term, Term};
use crate::ledger::{Transaction, TxKind};
use crate::lots::{take_share, Booking, Event, PoolId};
use crate::money::{Amount, Code};
use crate::Decimal;

/// The pool of lots that left the user's accounts without a known destination.
pub const OUTSIDE: PoolId = PoolId(u32::MAX);

/// Why a transaction's figures are incomplete.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The transaction has no fiat value (or one in another currency).
    NeedsPrice,
    /// An amount is in a fiat currency other than the report's.
    ForeignCurrency,
    /// A fee in a third asset: disposed of at an unknown value.
    FeeInOtherAsset,
    /// The network kept part of an own transfer: disposed of at an unknown value.
    TransferFee,
    /// Crypto arrived from an unknown source: its cost is unknown.
    UnknownOrigin,
    /// Crypto left to an unknown destination: its lots are out of the report.
    UnknownDestination,
}

impl Flag {
    /// The flag's name as files and the UI show it (its serialized form).
    pub fn as_str(&self) -> &'static str {
        match self {
            Flag::NeedsPrice => "needs_price",
            Flag::ForeignCurrency => "foreign_currency",
            Flag::FeeInOtherAsset => "fee_in_other_asset",
            Flag::TransferFee => "transfer_fee",
            Flag::UnknownOrigin => "unknown_origin",
            Flag::UnknownDestination => "unknown_destination",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Conversion {
    pub events: Vec<Event>,
    /// Flags per transaction id.
    pub flags: HashMap<i64, Vec<Flag>>,
    /// Income received (transaction id, asset, quantity, fair value).
    pub income: Vec<(i64, Code, Decimal, Option<Decimal>)>,
    /// Disposals whose selling fees exceed what they brought in (a dust sale: 0.02 USD for a 0.10 USD fee): their
    /// proceeds are zero, and the excess, by disposal id, is a cost of the disposal that the reports add to its
    /// cost basis (docs/TAX.md).
    pub excess_fees: HashMap<i64, Decimal>,
    /// The official exchange rate each converted transaction's fiat amounts were converted at, by transaction id.
    pub rates: HashMap<i64, crate::fx::RateUsed>,
}

/// `a × part / whole` for `0 <= part <= whole`: exactly when the product fits in a decimal, otherwise as
/// `a × (part / whole)`, which cannot overflow (the ratio is at most one).
pub fn share(a: Decimal, part: Decimal, whole: Decimal) -> Decimal {
    if whole.is_zero() {
        return Decimal::ZERO;
    }
    match a.checked_mul(part) {
        Some(p) => p / whole,
        None => a * (part / whole),
    }
}

fn add_flag(c: &mut Conversion, id: i64, f: Flag) {
    let v = c.flags.entry(id).or_default();
    if !v.contains(&f) {
        v.push(f);
    }
}

/// What happens to the part of an own transfer that the network kept (sent + fee − received).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum TransferFee {
    /// A disposal of those units (a fee paid in crypto is a disposal of that crypto) at their value: the
    /// transfer's fiat value (of what was sent) shared by quantity, or unknown and flagged without one. The
    /// default in every jurisdiction: the most cautious reading.
    #[default]
    Disposal,
    /// No disposal: the units that arrive carry the whole cost of what left (the fee becomes part of their
    /// basis).
    Basis,
}

/// Conventions chosen by the user (see docs/TAX.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    pub transfer_fee: TransferFee,
}

/// Turns transactions (in time order, with their ids) into lot events for `currency`. `pool` maps an account
/// name to its pool (one per account, or the same pool for all). `links` are confirmed (out id, in id) pairs.
pub fn to_events(
    txs: &[(i64, Transaction)],
    links: &[(i64, i64)],
    currency: Code,
    pool: &mut dyn FnMut(&str) -> PoolId,
) -> Conversion {
    to_events_with(txs, links, currency, pool, Options::default())
}

/// As [`to_events`], with the user's conventions.
pub fn to_events_with(
    txs: &[(i64, Transaction)],
    links: &[(i64, i64)],
    currency: Code,
    pool: &mut dyn FnMut(&str) -> PoolId,
    options: Options,
) -> Conversion {
    to_events_fx(txs, links, currency, pool, options, None)
}

/// As [`to_events_with`], converting fiat amounts in other currencies with `fx` (none: they stay unknown).
pub fn to_events_fx(
    txs: &[(i64, Transaction)],
    links: &[(i64, i64)],
    currency: Code,
    pool: &mut dyn FnMut(&str) -> PoolId,
    options: Options,
    fx: Option<&crate::fx::Converter<'_>>,
) -> Conversion {
    let out_to_in: FastMap<i64, i64> = links.iter().copied().collect();
    let linked_in: FastSet<i64> = links.iter().map(|(_, i)| *i).collect();
    // Only the linked in-legs are looked up by id.
    let by_id: FastMap<i64, &Transaction> = txs
        .iter()
        .filter(|(id, t)| matches!(t.kind, TxKind::TransferIn | TxKind::Deposit) && linked_in.contains(id))
        .map(|(id, t)| (*id, t))
        .collect();
    let mut c = Conversion::default();
    c.events.reserve(txs.len() + txs.len() / 8);
    for (id, t) in txs {
        let id = *id;
        let p = pool(&t.account);
        let flag = |f: Flag, c: &mut Conversion| add_flag(c, id, f);
        let value_of = |a: &Amount, c: &mut Conversion| -> Option<Decimal> {
            if a.code() == currency {
                return Some(a.value());
            }
            if !a.code().is_fiat() {
                return None;
            }
            match fx.map(|fx| fx.convert(a.value(), a.code(), currency, t.timestamp)) {
                Some(Ok((v, used))) => {
                    if let Some(u) = used {
                        c.rates.insert(id, u);
                    }
                    Some(v)
                }
                _ => {
                    add_flag(c, id, Flag::ForeignCurrency);
                    None
                }
            }
        };
        let fiat_value = match t.effective_fiat_value() {
            Some(v) => value_of(&v, &mut c),
            None => None,
        };
        // The fee: in fiat (a money adjustment, converted when in another currency; `Some(None)` when it cannot
        // be), in one of the legs' assets, or in a third crypto asset.
        let fee = t.fee.filter(|f| !f.is_zero());
        let fee_money: Option<Option<Decimal>> = fee
            .filter(|f| {
                f.code().is_fiat() && matches!(t.kind, TxKind::Buy | TxKind::Sell | TxKind::Trade | TxKind::Spend)
            })
            .map(|f| value_of(&f, &mut c));
        let fee_in = |code: Code| fee.filter(|f| f.code() == code).map(|f| f.value()).unwrap_or_default();
        let legs = [t.sent.map(|a| a.code()), t.received.map(|a| a.code())];
        // A fee in a crypto asset that is not one of the legs (a standalone fee is its own disposal, below).
        let third_fee = fee.filter(|f| t.kind != TxKind::Fee && !f.code().is_fiat() && !legs.contains(&Some(f.code())));
        if let Some(f) = third_fee {
            flag(Flag::FeeInOtherAsset, &mut c);
            c.events.push(Event::Dispose {
                id,
                pool: p,
                asset: f.code(),
                time: t.timestamp,
                qty: f.value(),
                proceeds: None,
                pick: None,
            });
        }
        let adjust = |v: Option<Decimal>, sign: Decimal| -> Option<Decimal> {
            if third_fee.is_some() {
                return None;
            }
            match fee_money {
                Some(None) => None,
                Some(Some(m)) => v.map(|v| v + sign * m),
                None => v,
            }
        };
        // Proceeds net of fees that came out below zero: zero proceeds, the excess kept as a cost of the disposal.
        let floor = |v: Option<Decimal>, c: &mut Conversion| -> Option<Decimal> {
            match v {
                Some(v) if v < Decimal::ZERO => {
                    *c.excess_fees.entry(id).or_default() += -v;
                    Some(Decimal::ZERO)
                }
                other => other,
            }
        };
        let crypto = |a: &Option<Amount>| a.filter(|a| !a.code().is_fiat());
        let dispose = |a: Amount, proceeds: Option<Decimal>, c: &mut Conversion| {
            let qty = a.value() + fee_in(a.code());
            c.events.push(Event::Dispose {
                id,
                pool: p,
                asset: a.code(),
                time: t.timestamp,
                qty,
                proceeds,
                pick: None,
            });
        };
        let acquire = |a: Amount, cost: Option<Decimal>, c: &mut Conversion| {
            let qty = a.value() - fee_in(a.code());
            if qty > Decimal::ZERO {
                c.events.push(Event::Acquire { lot: id, pool: p, asset: a.code(), time: t.timestamp, qty, cost });
            }
        };
        match t.kind {
            TxKind::Buy => {
                let cost = t.sent.as_ref().and_then(|s| value_of(s, &mut c));
                if let Some(r) = crypto(&t.received) {
                    acquire(r, adjust(cost, Decimal::ONE), &mut c);
                }
            }
            TxKind::Sell => {
                let proceeds = t.received.as_ref().and_then(|r| value_of(r, &mut c));
                if let Some(s) = crypto(&t.sent) {
                    let net = floor(adjust(proceeds, -Decimal::ONE), &mut c);
                    dispose(s, net, &mut c);
                }
            }
            TxKind::Trade | TxKind::Spend => {
                if fiat_value.is_none() {
                    flag(Flag::NeedsPrice, &mut c);
                }
                if let Some(s) = crypto(&t.sent) {
                    let net = floor(adjust(fiat_value, -Decimal::ONE), &mut c);
                    dispose(s, net, &mut c);
                }
                if let Some(r) = crypto(&t.received) {
                    acquire(r, fiat_value, &mut c);
                }
            }
            TxKind::Fee => {
                // A fee on its own: paid in crypto it is a disposal of that crypto at the transaction's value.
                if let Some(f) = fee.filter(|f| !f.code().is_fiat()) {
                    if fiat_value.is_none() {
                        flag(Flag::NeedsPrice, &mut c);
                    }
                    c.events.push(Event::Dispose {
                        id,
                        pool: p,
                        asset: f.code(),
                        time: t.timestamp,
                        qty: f.value(),
                        proceeds: fiat_value,
                        pick: None,
                    });
                }
            }
            k if k.is_income() => {
                if let Some(r) = crypto(&t.received) {
                    if fiat_value.is_none() {
                        flag(Flag::NeedsPrice, &mut c);
                    }
                    c.income.push((id, r.code(), r.value(), fiat_value));
                    acquire(r, fiat_value, &mut c);
                }
            }
            TxKind::TransferOut | TxKind::Withdrawal => {
                let Some(s) = crypto(&t.sent) else { continue };
                match out_to_in.get(&id).and_then(|i| by_id.get(i)) {
                    Some(inn) => {
                        let arrived = inn.received.map(|r| r.value()).unwrap_or_default();
                        let left = s.value() + fee_in(s.code());
                        let kept = (left - arrived).max(Decimal::ZERO);
                        let carried = options.transfer_fee == TransferFee::Basis && kept > Decimal::ZERO;
                        if arrived > Decimal::ZERO {
                            c.events.push(Event::Move {
                                id,
                                from: p,
                                to: pool(&inn.account),
                                asset: s.code(),
                                time: t.timestamp,
                                qty: arrived,
                                fee: if carried { kept } else { Decimal::ZERO },
                            });
                        }
                        if kept > Decimal::ZERO && !carried {
                            // The transfer's fiat value is the value of what was sent: the fee's share by quantity.
                            let proceeds =
                                fiat_value.filter(|_| !s.value().is_zero()).map(|v| share(v, kept, s.value()));
                            if proceeds.is_none() {
                                flag(Flag::TransferFee, &mut c);
                            }
                            c.events.push(Event::Dispose {
                                id,
                                pool: p,
                                asset: s.code(),
                                time: t.timestamp,
                                qty: kept,
                                proceeds,
                                pick: None,
                            });
                        }
                    }
                    None => {
                        flag(Flag::UnknownDestination, &mut c);
                        let qty = s.value() + fee_in(s.code());
                        c.events.push(Event::Move {
                            id,
                            from: p,
                            to: OUTSIDE,
                            asset: s.code(),
                            time: t.timestamp,
                            qty,
                            fee: Decimal::ZERO,
                        });
                    }
                }
            }
            TxKind::TransferIn | TxKind::Deposit => {
                if linked_in.contains(&id) {
                    continue; // the move was made at the out-leg
                }
                if let Some(r) = crypto(&t.received) {
                    flag(Flag::UnknownOrigin, &mut c);
                    acquire(r, None, &mut c);
                }
            }
            _ => {}
        }
    }
    c
}

/// Whether `t` brings crypto of unknown cost: a deposit or a transfer in that no confirmed own transfer explains
/// (`linked`), as [`convert`] books it (an acquisition flagged [`Flag::UnknownOrigin`]).
pub fn unknown_origin(t: &Transaction, linked: bool) -> bool {
    matches!(t.kind, TxKind::TransferIn | TxKind::Deposit) && !linked && t.received.is_some_and(|r| !r.code().is_fiat())
}

/// One row of a gains report: one piece of one lot consumed by one disposal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GainRow {
    pub disposal: i64,
    pub lot: i64,
    pub asset: Code,
    pub acquired: chrono::NaiveDate,
    pub sold: chrono::NaiveDate,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub proceeds: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub gain: Option<Decimal>,
    pub term: Term,
}

/// Splits each disposal of `year` (UTC calendar year) into one row per lot piece, with the proceeds shared by
/// quantity (the last piece takes the rest, so rows add up to the disposal exactly) and the US term of each
/// piece. Rows whose basis or proceeds are unknown come first.
pub fn us_rows(booking: &Booking, year: i32) -> Vec<GainRow> {
    gain_rows(booking, year, crate::time::Zone::Utc)
}

/// As [`us_rows`], with dates (the year, the holding period) taken in `zone` (Germany: Europe/Berlin).
pub fn gain_rows(booking: &Booking, year: i32, zone: crate::time::Zone) -> Vec<GainRow> {
    gain_rows_with(booking, year, zone, &HashMap::new())
}

/// As [`gain_rows`], with the selling fees that exceeded each disposal's proceeds ([`Conversion::excess_fees`])
/// added to the cost of its pieces, shared by quantity (the last piece takes the rest).
pub fn gain_rows_with(
    booking: &Booking,
    year: i32,
    zone: crate::time::Zone,
    excess_fees: &HashMap<i64, Decimal>,
) -> Vec<GainRow> {
    let mut rows = Vec::new();
    for d in booking.disposals.iter().filter(|d| chrono::Datelike::year(&d.time.date_in(zone)) == year) {
        let (mut qty_left, mut proceeds_left) = (d.qty, d.proceeds);
        let mut excess = d.proceeds.and(excess_fees.get(&d.id).copied());
        let mut excess_qty = d.qty;
        for p in &d.pieces {
            let proceeds = take_share(&mut qty_left, &mut proceeds_left, p.qty);
            let extra = take_share(&mut excess_qty, &mut excess, p.qty).unwrap_or_default();
            let cost = p.cost.map(|c| c + extra);
            let sold = d.time.date_in(zone);
            let acquired = p.acquired.date_in(zone);
            rows.push(GainRow {
                disposal: d.id,
                lot: p.lot,
                asset: d.asset,
                acquired,
                sold,
                qty: p.qty,
                proceeds,
                cost,
                gain: proceeds.zip(cost).map(|(a, b)| a - b),
                term: us_term(acquired, sold),
            });
        }
    }
    rows.sort_by_key(|r| (r.gain.is_some(), r.sold, r.disposal, r.acquired, r.lot));
    rows
}

/// The pool of every account together (US universal application, up to 2024).
pub const UNIVERSAL: PoolId = PoolId(u32::MAX - 1);

/// An account that sold or sent more than it held while lots were pooled universally: its lots could not be
/// allocated back to it at the transition to per-account basis.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("account pool {pool} sells or sends more {asset} than it holds before per-account basis ({cutoff}): its balance goes to {qty} at event {event} (an import is missing or a transfer is not confirmed)")]
pub struct TransitionError {
    pub cutoff: String,
    pub pool: u32,
    pub asset: Code,
    /// The balance after the event (negative).
    pub qty: Decimal,
    /// The first event (a transaction's id) after which the account's balance was negative.
    pub event: i64,
}

/// Rewrites per-account events (from [`to_events`] with one pool per account) for **universal application
/// before `cutoff`** and per-account basis from it (US: Treas. Reg. §1.1012-1(j) from 1 January 2025, with the
/// Rev. Proc. 2024-28 transition):
/// - before the cutoff every account's pool is [`UNIVERSAL`]: disposals draw from all of the person's lots, and
///   moves between the person's own accounts disappear (moves to [`OUTSIDE`] stay);
/// - at the cutoff the universal pool's remaining lots are allocated to the accounts that hold the units: for
///   each asset, each account (in pool order) receives its balance at that moment, the lots taken in the booking
///   method's order (with FIFO, the oldest remaining lots go to the first account). This is a global allocation
///   rule in the sense of Rev. Proc. 2024-28 §5.02; the user must adopt it in their records (docs/TAX.md).
///
/// The allocation moves have ids -1, -2, ... (no transaction has a negative id).
pub fn universal_before(mut events: Vec<Event>, cutoff: crate::Timestamp) -> Result<Vec<Event>, TransitionError> {
    let time = |e: &Event| match e {
        Event::Acquire { time, .. } | Event::Dispose { time, .. } | Event::Move { time, .. } => *time,
    };
    let split = events.iter().position(|e| time(e) >= cutoff).unwrap_or(events.len());
    let mut balances: std::collections::BTreeMap<(Code, PoolId), Decimal> = Default::default();
    // Rewritten in place (no second copy of a large history): pools before the cutoff become UNIVERSAL, moves
    // between the person's own accounts disappear unless a fee's cost is carried.
    let mut index = 0usize;
    // The first event that takes an account below zero (it sold or sent more than it held): the report stops on
    // it, naming the transaction, rather than booking it against another account's lots.
    let mut negative: Option<TransitionError> = None;
    let mut debit = |balances: &mut std::collections::BTreeMap<(Code, PoolId), Decimal>, id, asset, pool, amount| {
        let b = balances.entry((asset, pool)).or_default();
        *b -= amount;
        if *b < Decimal::ZERO && pool != OUTSIDE && negative.is_none() {
            negative = Some(TransitionError { cutoff: cutoff.to_rfc3339(), pool: pool.0, asset, qty: *b, event: id });
        }
    };
    events.retain_mut(|e| {
        index += 1;
        if index > split {
            return true;
        }
        match e {
            Event::Acquire { pool, asset, qty, .. } => {
                *balances.entry((*asset, *pool)).or_default() += *qty;
                *pool = UNIVERSAL;
                true
            }
            Event::Dispose { id, pool, asset, qty, .. } => {
                debit(&mut balances, *id, *asset, *pool, *qty);
                *pool = UNIVERSAL;
                true
            }
            Event::Move { id, from, to, asset, qty, fee, .. } => {
                debit(&mut balances, *id, *asset, *from, *qty + *fee);
                *from = UNIVERSAL;
                if *to == OUTSIDE {
                    return true;
                }
                *balances.entry((*asset, *to)).or_default() += *qty;
                // Within the universal pool the fee's units simply leave; their cost stays in the pool on the
                // lots they came from, which is what "basis" asks for.
                *to = UNIVERSAL;
                !fee.is_zero()
            }
        }
    });
    if let Some(e) = negative {
        return Err(e);
    }
    let kept_before = events.iter().position(|e| time(e) >= cutoff).unwrap_or(events.len());
    let mut allocation = Vec::new();
    let mut next_id = -1i64;
    for ((asset, pool), qty) in balances {
        // (No balance is negative here: the first event that made one so stopped above.)
        if pool == OUTSIDE || qty <= Decimal::ZERO {
            continue;
        }
        allocation.push(Event::Move {
            id: next_id,
            from: UNIVERSAL,
            to: pool,
            asset,
            time: cutoff,
            qty,
            fee: Decimal::ZERO,
        });
        next_id -= 1;
    }
    events.splice(kept_before..kept_before, allocation);
    Ok(events)
}
