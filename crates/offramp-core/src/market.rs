//! Market arithmetic for a sale: walking an order book exactly, the square-root impact law, and rolling
//! withdrawal limits. Pure and decimal throughout.

use chrono::{Days, NaiveDate};
use rust_decimal::MathematicalOps;
use serde::{Deserialize, Serialize};

use crate::Decimal;

/// One price level: `size` base units at `price` quote units each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Level {
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub price: Decimal,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub size: Decimal,
}

/// A Level-2 snapshot. Levels may come in any order; they are sorted when used.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderBook {
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    #[error("the book has no bids")]
    NoBids,
    #[error("a level has a price or size that is not positive ({price} × {size})")]
    BadLevel { price: Decimal, size: Decimal },
    #[error("the quantity to sell must be positive")]
    NonPositive,
    #[error("the book's figures are too large to compute with exactly")]
    Overflow,
}

/// What selling into the bids would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SellFill {
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub filled: Decimal,
    /// Quote received before fees.
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub gross: Decimal,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub vwap: Decimal,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub best_bid: Decimal,
    /// The last (lowest) price reached.
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub worst_price: Decimal,
    pub levels_used: usize,
    /// Mid price, when the book has asks too.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub mid: Option<Decimal>,
    /// (mid − vwap) / mid in basis points, when there is a mid.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub slippage_vs_mid_bps: Option<Decimal>,
    /// (best bid − vwap) / best bid in basis points.
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub slippage_vs_best_bid_bps: Decimal,
}

/// The result of walking the book: the whole quantity filled, or not enough visible depth (with what the book
/// could take), never a made-up price for the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SellWalk {
    Filled(SellFill),
    NotEnoughDepth {
        #[serde(with = "crate::money::decimal_str")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        wanted: Decimal,
        /// Everything the visible bids would take, filled.
        partial: SellFill,
    },
}

const BPS: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// Sells `qty` into the bids, best price first. Exact: gross is the sum of `take × price` over the levels.
pub fn walk_sell(book: &OrderBook, qty: Decimal) -> Result<SellWalk, BookError> {
    if qty <= Decimal::ZERO {
        return Err(BookError::NonPositive);
    }
    for l in book.bids.iter().chain(&book.asks) {
        if l.price <= Decimal::ZERO || l.size <= Decimal::ZERO {
            return Err(BookError::BadLevel { price: l.price, size: l.size });
        }
    }
    let mut bids = book.bids.clone();
    bids.sort_by_key(|l| std::cmp::Reverse(l.price));
    let best_bid = bids.first().ok_or(BookError::NoBids)?.price;
    let best_ask = book.asks.iter().map(|l| l.price).min();
    let (mut left, mut gross, mut worst, mut used) = (qty, Decimal::ZERO, best_bid, 0);
    for l in &bids {
        if left.is_zero() {
            break;
        }
        let take = left.min(l.size);
        gross = take.checked_mul(l.price).and_then(|v| gross.checked_add(v)).ok_or(BookError::Overflow)?;
        left -= take;
        worst = l.price;
        used += 1;
    }
    let filled = qty - left;
    let vwap = gross.checked_div(filled).ok_or(BookError::Overflow)?;
    let mid = match best_ask {
        Some(a) => Some(a.checked_add(best_bid).ok_or(BookError::Overflow)? / Decimal::TWO),
        None => None,
    };
    let fill = SellFill {
        filled,
        gross,
        vwap,
        best_bid,
        worst_price: worst,
        levels_used: used,
        mid,
        slippage_vs_mid_bps: mid.map(|m| (m - vwap) / m * BPS),
        slippage_vs_best_bid_bps: (best_bid - vwap) / best_bid * BPS,
    };
    Ok(if left.is_zero() { SellWalk::Filled(fill) } else { SellWalk::NotEnoughDepth { wanted: qty, partial: fill } })
}

/// The square-root impact law's parameters, shown to the user with every estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImpactParams {
    /// Y, dimensionless, "of order one" (default 0.7).
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub y: Decimal,
    /// σ_D: daily volatility as a fraction (0.03 = 3 %).
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub daily_volatility: Decimal,
    /// V_D: daily volume in the units of the quantity sold.
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub daily_volume: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImpactEstimate {
    /// Price impact at the end of the sale, as a fraction: Y·σ_D·√(Q/V_D).
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub peak_fraction: Decimal,
    /// Average shortfall of a constant-rate sale, as a fraction: two thirds of the peak.
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub average_fraction: Decimal,
}

/// The square-root law for selling `qty` over about a day. `None` when the inputs make no sense (no volume).
pub fn sqrt_impact(p: &ImpactParams, qty: Decimal) -> Option<ImpactEstimate> {
    if p.daily_volume <= Decimal::ZERO
        || qty < Decimal::ZERO
        || p.y < Decimal::ZERO
        || p.daily_volatility < Decimal::ZERO
    {
        return None;
    }
    let peak = p.y * p.daily_volatility * (qty / p.daily_volume).sqrt()?;
    Some(ImpactEstimate { peak_fraction: peak, average_fraction: peak * Decimal::TWO / Decimal::from(3) })
}

/// A cap on the amount withdrawn in any window of `days` consecutive days (1 = daily, 30 = rolling month).
/// `cap: None` means the venue's limit is unknown: it is reported, never taken as zero or as no limit silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RollingLimit {
    pub days: u32,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cap: Option<Decimal>,
}

/// How much more may be withdrawn on `day`, given earlier withdrawals (`history`, any order), under every known
/// limit: for each window ending on `day`, its cap minus what the window already holds. `None` when no limit is
/// known.
pub fn room_on(day: NaiveDate, history: &[(NaiveDate, Decimal)], limits: &[RollingLimit]) -> Option<Decimal> {
    limits
        .iter()
        .filter_map(|l| {
            let cap = l.cap?;
            let first = day.checked_sub_days(Days::new(u64::from(l.days.max(1)) - 1))?;
            let used: Decimal = history.iter().filter(|(d, _)| *d >= first && *d <= day).map(|(_, a)| *a).sum();
            Some((cap - used).max(Decimal::ZERO))
        })
        .min()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DayAmount {
    pub day: NaiveDate,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub amount: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WithdrawalSchedule {
    /// What to withdraw each day, earliest first.
    pub days: Vec<DayAmount>,
    /// Some limit of the venue is unknown: the schedule only respects the known ones.
    pub unknown_limits: bool,
    /// What could not be scheduled within `max_days`.
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub unscheduled: Decimal,
}

/// Spreads `total` over days from `start`, taking on each day as much as every known limit allows (given the
/// earlier `history`), for at most `max_days` days. By construction no window ever exceeds its cap.
pub fn schedule_withdrawals(
    total: Decimal,
    start: NaiveDate,
    history: &[(NaiveDate, Decimal)],
    limits: &[RollingLimit],
    max_days: u32,
) -> WithdrawalSchedule {
    let mut hist = history.to_vec();
    let mut left = total.max(Decimal::ZERO);
    let mut days = Vec::new();
    let mut day = start;
    for _ in 0..max_days {
        if left.is_zero() {
            break;
        }
        let take = match room_on(day, &hist, limits) {
            Some(room) => room.min(left),
            None => left,
        };
        if take > Decimal::ZERO {
            days.push(DayAmount { day, amount: take });
            hist.push((day, take));
            left -= take;
        }
        match day.checked_add_days(Days::new(1)) {
            Some(next) => day = next,
            None => break,
        }
    }
    WithdrawalSchedule { days, unknown_limits: limits.iter().any(|l| l.cap.is_none()), unscheduled: left }
}
