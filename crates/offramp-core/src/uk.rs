//! UK share matching for cryptoassets (TCGA 1992 ss.104–106A; HMRC Cryptoassets Manual CRYPTO22200 onwards),
//! for one token type of one person (all accounts together). A disposal is matched, in order:
//! 1. with acquisitions on the **same day** (all acquisitions of a day count as one, and so do all disposals);
//! 2. with acquisitions in the **30 days after** it, earliest first ("bed and breakfasting"); earlier disposals
//!    are matched first;
//! 3. with the **Section 104 pool**: every acquisition not matched above, at the pool's average cost.
//!
//! Dates are UK calendar dates (the caller converts instants to Europe/London dates). Costs include allowable
//! fees; proceeds are net of disposal fees. Part of a cost is allocated as in [`crate::lots`] (12 places, the
//! last part takes the rest), so pool costs are conserved exactly. Unknown costs stay unknown.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::lots::take_share;
use crate::Decimal;

/// The UK tax year called `start`: 6 April `start` to 5 April `start + 1`, both included.
pub fn tax_year(start: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((NaiveDate::from_ymd_opt(start, 4, 6)?, NaiveDate::from_ymd_opt(start.checked_add(1)?, 4, 5)?))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UkEvent {
    Acquire {
        id: i64,
        date: NaiveDate,
        qty: Decimal,
        cost: Option<Decimal>,
    },
    Dispose {
        id: i64,
        date: NaiveDate,
        qty: Decimal,
        proceeds: Option<Decimal>,
    },
    /// Units that leave the pool without a disposal, their cost staying with the rest (the network fee of a move
    /// between the person's own accounts, when the user treats it as part of the basis). Applied to the pool at
    /// the end of the day.
    Shrink {
        id: i64,
        date: NaiveDate,
        qty: Decimal,
    },
}

impl UkEvent {
    pub fn date(&self) -> NaiveDate {
        match self {
            UkEvent::Acquire { date, .. } | UkEvent::Dispose { date, .. } | UkEvent::Shrink { date, .. } => *date,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    SameDay,
    BedAndBreakfast { acquired: NaiveDate },
    Section104,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UkMatch {
    #[serde(flatten)]
    pub rule: Rule,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost: Option<Decimal>,
}

/// All disposals of one day, matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UkDisposal {
    pub date: NaiveDate,
    /// The disposal events of that day.
    pub ids: Vec<i64>,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub proceeds: Option<Decimal>,
    pub matches: Vec<UkMatch>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub gain: Option<Decimal>,
}

/// The Section 104 pool after all events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Section104 {
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UkError {
    #[error("disposal on {date} (events {ids:?}): {wanted} more tokens sold than held ({available} in the pool)")]
    Oversold { date: NaiveDate, ids: Vec<i64>, wanted: Decimal, available: Decimal },
    #[error("event {id}: quantity must be positive and amounts not negative")]
    Invalid { id: i64 },
}

#[derive(Default)]
struct Day {
    acq_qty: Decimal,
    acq_cost: Option<Decimal>,
    acq_any: bool,
    disp_qty: Decimal,
    disp_left: Decimal,
    proceeds: Option<Decimal>,
    ids: Vec<i64>,
    matches: Vec<UkMatch>,
    /// Units leaving the pool without a disposal, and the events that took them.
    shrink: Decimal,
    shrink_ids: Vec<i64>,
}

pub fn uk_match(events: &[UkEvent]) -> Result<(Vec<UkDisposal>, Section104), UkError> {
    let mut days: BTreeMap<NaiveDate, Day> = BTreeMap::new();
    for e in events {
        match e {
            UkEvent::Acquire { id, date, qty, cost } => {
                if *qty <= Decimal::ZERO || cost.is_some_and(|c| c < Decimal::ZERO) {
                    return Err(UkError::Invalid { id: *id });
                }
                let d = days.entry(*date).or_default();
                d.acq_cost = if d.acq_any { d.acq_cost.zip(*cost).map(|(a, b)| a + b) } else { *cost };
                d.acq_any = true;
                d.acq_qty += qty;
            }
            UkEvent::Dispose { id, date, qty, proceeds } => {
                if *qty <= Decimal::ZERO || proceeds.is_some_and(|p| p < Decimal::ZERO) {
                    return Err(UkError::Invalid { id: *id });
                }
                let d = days.entry(*date).or_default();
                d.proceeds = if d.ids.is_empty() { *proceeds } else { d.proceeds.zip(*proceeds).map(|(a, b)| a + b) };
                d.disp_qty += qty;
                d.disp_left += qty;
                d.ids.push(*id);
            }
            UkEvent::Shrink { id, date, qty } => {
                if *qty <= Decimal::ZERO {
                    return Err(UkError::Invalid { id: *id });
                }
                let d = days.entry(*date).or_default();
                d.shrink += qty;
                d.shrink_ids.push(*id);
            }
        }
    }
    // 1. Same day.
    for d in days.values_mut() {
        let q = d.disp_left.min(d.acq_qty);
        if q > Decimal::ZERO {
            let cost = take_share(&mut d.acq_qty, &mut d.acq_cost, q);
            d.disp_left -= q;
            d.matches.push(UkMatch { rule: Rule::SameDay, qty: q, cost });
        }
    }
    // 2. The next 30 days, earlier disposals first, earliest acquisitions first.
    let dates: Vec<NaiveDate> = days.keys().copied().collect();
    for (i, date) in dates.iter().enumerate() {
        let last = date.checked_add_days(Days::new(30)).unwrap_or(*date);
        for later in dates[i + 1..].iter().take_while(|d| **d <= last) {
            let want = days[date].disp_left;
            if want.is_zero() {
                break;
            }
            let acq = days.get_mut(later).expect("date from the map");
            let q = want.min(acq.acq_qty);
            if q.is_zero() {
                continue;
            }
            let cost = take_share(&mut acq.acq_qty, &mut acq.acq_cost, q);
            let d = days.get_mut(date).expect("date from the map");
            d.disp_left -= q;
            d.matches.push(UkMatch { rule: Rule::BedAndBreakfast { acquired: *later }, qty: q, cost });
        }
    }
    // 3. The Section 104 pool, in date order.
    let mut pool = Section104 { qty: Decimal::ZERO, cost: Some(Decimal::ZERO) };
    let mut out = Vec::new();
    for (date, d) in days.iter_mut() {
        if d.acq_qty > Decimal::ZERO {
            pool.qty += d.acq_qty;
            pool.cost = pool.cost.zip(d.acq_cost).map(|(a, b)| a + b);
        }
        if d.disp_left > Decimal::ZERO {
            if pool.qty < d.disp_left {
                return Err(UkError::Oversold {
                    date: *date,
                    ids: d.ids.clone(),
                    wanted: d.disp_left - pool.qty,
                    available: pool.qty,
                });
            }
            let q = d.disp_left;
            let cost = take_share(&mut pool.qty, &mut pool.cost, q);
            d.disp_left = Decimal::ZERO;
            d.matches.push(UkMatch { rule: Rule::Section104, qty: q, cost });
        }
        if d.shrink > Decimal::ZERO {
            if pool.qty < d.shrink {
                return Err(UkError::Oversold {
                    date: *date,
                    ids: d.shrink_ids.clone(),
                    wanted: d.shrink - pool.qty,
                    available: pool.qty,
                });
            }
            pool.qty -= d.shrink;
        }
        if !d.ids.is_empty() {
            let cost = d.matches.iter().map(|m| m.cost).sum::<Option<Decimal>>();
            out.push(UkDisposal {
                date: *date,
                ids: d.ids.clone(),
                qty: d.disp_qty,
                proceeds: d.proceeds,
                matches: d.matches.clone(),
                cost,
                gain: d.proceeds.zip(cost).map(|(p, c)| p - c),
            });
        }
    }
    Ok((out, pool))
}
