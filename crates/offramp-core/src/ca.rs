//! Canada: capital gains on crypto with the adjusted cost base (ACB), for one asset of one person (all accounts
//! together: identical property is averaged whatever the wallet), in CAD.
//!
//! - **ACB**: a running weighted average. An acquisition adds its cost (fees included) and units; a disposal
//!   takes `ACB × units sold / units held` (12 places, the last units take all that is left), and its gain is
//!   proceeds (net of fees) minus that share.
//! - **Inclusion**: half of a net capital gain is taxable (`INCLUSION_RATE`); the 2024 proposal to raise it to
//!   two thirds above C$250,000 was not in force (its status is unverified in the reference): not applied.
//! - **Superficial loss** (ITA s.54, s.40(2)(g)(i)): a loss is denied when the same property is acquired in the
//!   period from 30 days before to 30 days after the disposal and is still held at the end of that period. The
//!   denied share is `min(units sold, units acquired in the period, units held at its end) / units sold` of the
//!   loss, and it is added to the ACB of the units held (they are the substituted property).
//!
//! Dates are calendar dates; events come in date order (acquisitions before disposals on the same day).

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::lots::take_share;
use crate::Decimal;

/// The share of a net capital gain included in income.
pub const INCLUSION_RATE: Decimal = Decimal::from_parts(5, 0, 0, false, 1);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaEvent {
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
    /// Units that leave without a disposal, the ACB staying with the rest (the network fee of a move between the
    /// person's own accounts, when the user treats it as part of the basis).
    Shrink {
        id: i64,
        date: NaiveDate,
        qty: Decimal,
    },
}

impl CaEvent {
    pub fn id(&self) -> i64 {
        match self {
            CaEvent::Acquire { id, .. } | CaEvent::Dispose { id, .. } | CaEvent::Shrink { id, .. } => *id,
        }
    }

    pub fn date(&self) -> NaiveDate {
        match self {
            CaEvent::Acquire { date, .. } | CaEvent::Dispose { date, .. } | CaEvent::Shrink { date, .. } => *date,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaDisposal {
    pub id: i64,
    pub date: NaiveDate,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub proceeds: Option<Decimal>,
    /// The ACB of the units sold.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub acb: Option<Decimal>,
    /// Proceeds minus ACB, after any superficial-loss denial (a denied loss counts as zero here).
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub gain: Option<Decimal>,
    /// The part of a loss denied as superficial (positive), added to the ACB of the units still held.
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub denied_loss: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaError {
    #[error("event {id}: sells {wanted} but only {held} is held")]
    Oversold { id: i64, wanted: Decimal, held: Decimal },
    #[error("event {id}: quantity must be positive and amounts not negative")]
    Invalid { id: i64 },
    #[error("event {id} comes before the event preceding it: events must be in date order")]
    OutOfOrder { id: i64 },
}

/// What is held after the events: units and their ACB.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Holding {
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub acb: Option<Decimal>,
}

/// Computes every disposal's ACB and gain, with the superficial-loss rule.
pub fn acb(events: &[CaEvent]) -> Result<(Vec<CaDisposal>, Holding), CaError> {
    let date = CaEvent::date;
    let mut held = Decimal::ZERO;
    let mut cost: Option<Decimal> = Some(Decimal::ZERO);
    let mut out = Vec::new();
    // Losses judged once the 30 days after their disposal have passed: (end of the period, index in `out`).
    let mut pending: Vec<(NaiveDate, usize)> = Vec::new();
    let mut last: Option<NaiveDate> = None;
    for e in events {
        let d = date(e);
        if last.is_some_and(|l| d < l) {
            return Err(CaError::OutOfOrder { id: e.id() });
        }
        last = Some(d);
        settle(&mut pending, &mut out, events, d, held, &mut cost, false);
        match e {
            CaEvent::Acquire { id, qty, cost: c, .. } => {
                if *qty <= Decimal::ZERO || c.is_some_and(|c| c < Decimal::ZERO) {
                    return Err(CaError::Invalid { id: *id });
                }
                held += *qty;
                cost = cost.zip(*c).map(|(a, b)| a + b);
            }
            CaEvent::Dispose { id, qty, proceeds, .. } => {
                if *qty <= Decimal::ZERO || proceeds.is_some_and(|p| p < Decimal::ZERO) {
                    return Err(CaError::Invalid { id: *id });
                }
                if *qty > held {
                    return Err(CaError::Oversold { id: *id, wanted: *qty, held });
                }
                let share = take_share(&mut held, &mut cost, *qty);
                let gain = proceeds.zip(share).map(|(p, a)| p - a);
                out.push(CaDisposal {
                    id: *id,
                    date: d,
                    qty: *qty,
                    proceeds: *proceeds,
                    acb: share,
                    gain,
                    denied_loss: Decimal::ZERO,
                });
                if gain.is_some_and(|g| g < Decimal::ZERO) {
                    pending.push((d.checked_add_days(Days::new(30)).unwrap_or(d), out.len() - 1));
                }
            }
            CaEvent::Shrink { id, qty, .. } => {
                if *qty <= Decimal::ZERO {
                    return Err(CaError::Invalid { id: *id });
                }
                if *qty > held {
                    return Err(CaError::Oversold { id: *id, wanted: *qty, held });
                }
                held -= *qty;
            }
        }
    }
    // Periods still open at the end of the events: judged on what is held now (no later events are known).
    settle(&mut pending, &mut out, events, NaiveDate::MAX, held, &mut cost, true);
    Ok((out, Holding { qty: held, acb: cost }))
}

/// Judges the losses whose 30-day-after period ended before `today` (or all, at the end): denies the
/// superficial part and adds it to the ACB of what is held.
fn settle(
    pending: &mut Vec<(NaiveDate, usize)>,
    out: &mut [CaDisposal],
    events: &[CaEvent],
    today: NaiveDate,
    held: Decimal,
    cost: &mut Option<Decimal>,
    all: bool,
) {
    pending.retain(|(end, idx)| {
        if !all && *end >= today {
            return true;
        }
        let d = &mut out[*idx];
        let start = d.date.checked_sub_days(Days::new(30)).unwrap_or(d.date);
        let acquired: Decimal = events
            .iter()
            .filter_map(|e| match e {
                CaEvent::Acquire { date, qty, .. } if *date >= start && *date <= *end => Some(*qty),
                _ => None,
            })
            .sum();
        let superficial = d.qty.min(acquired).min(held);
        if superficial > Decimal::ZERO {
            if let Some(loss) = d.gain.map(|g| -g) {
                let denied = if superficial == d.qty { loss } else { crate::tax::share(loss, superficial, d.qty) };
                d.denied_loss = denied;
                d.gain = d.gain.map(|g| g + denied);
                *cost = cost.map(|c| c + denied);
            }
        }
        false
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }
    fn day(s: &str) -> NaiveDate {
        crate::time::parse_date(s).unwrap()
    }
    fn buy(id: i64, date: &str, qty: &str, cost: &str) -> CaEvent {
        CaEvent::Acquire { id, date: day(date), qty: d(qty), cost: Some(d(cost)) }
    }
    fn sell(id: i64, date: &str, qty: &str, proceeds: &str) -> CaEvent {
        CaEvent::Dispose { id, date: day(date), qty: d(qty), proceeds: Some(d(proceeds)) }
    }

    /// 10 units for 1,000 and 10 for 2,000: ACB 3,000 for 20 (150 each). Selling 5 for 1,500: ACB 750, gain 750,
    /// taxable 375. What is left: 15 units, ACB 2,250.
    #[test]
    fn a_shrink_keeps_the_acb_with_the_units_left() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let events = [
            CaEvent::Acquire { id: 1, date: day("2024-01-01"), qty: d("1.001"), cost: Some(d("30030")) },
            CaEvent::Shrink { id: 2, date: day("2024-02-01"), qty: d("0.001") },
            CaEvent::Dispose { id: 3, date: day("2024-03-01"), qty: d("1"), proceeds: Some(d("70000")) },
        ];
        let (out, held) = acb(&events).unwrap();
        assert_eq!((out.len(), out[0].acb, out[0].gain), (1, Some(d("30030")), Some(d("39970"))));
        assert_eq!(held, Holding { qty: d("0"), acb: Some(d("0")) });
        let too_much = [
            CaEvent::Acquire { id: 1, date: day("2024-01-01"), qty: d("1"), cost: Some(d("1")) },
            CaEvent::Shrink { id: 2, date: day("2024-01-02"), qty: d("1.5") },
        ];
        assert!(matches!(acb(&too_much), Err(CaError::Oversold { id: 2, .. })));
    }

    #[test]
    fn average_cost_base() {
        let (out, h) = acb(&[
            buy(1, "2024-01-10", "10", "1000"),
            buy(2, "2024-02-10", "10", "2000"),
            sell(3, "2024-06-10", "5", "1500"),
        ])
        .unwrap();
        assert_eq!((out[0].acb, out[0].gain), (Some(d("750")), Some(d("750"))));
        assert_eq!(out[0].gain.unwrap() * INCLUSION_RATE, d("375"));
        assert_eq!((h.qty, h.acb), (d("15"), Some(d("2250"))));
    }

    /// Bought 10 for 1,000; sold all 10 for 500 on 2024-03-10 (loss 500); bought 10 for 600 on 2024-03-20 and
    /// still held on 2024-04-09: the whole loss is superficial, denied, and added to the new units' ACB (1,100).
    #[test]
    fn superficial_loss_is_denied_and_added_to_the_acb() {
        let (out, h) = acb(&[
            buy(1, "2024-01-10", "10", "1000"),
            sell(2, "2024-03-10", "10", "500"),
            buy(3, "2024-03-20", "10", "600"),
        ])
        .unwrap();
        assert_eq!((out[0].gain, out[0].denied_loss), (Some(Decimal::ZERO), d("500")));
        assert_eq!(h.acb, Some(d("1100")));
        // Bought back only 4 and held: 4/10 of the loss is denied.
        let (out, h) = acb(&[
            buy(1, "2024-01-10", "10", "1000"),
            sell(2, "2024-03-10", "10", "500"),
            buy(3, "2024-03-20", "4", "240"),
        ])
        .unwrap();
        assert_eq!((out[0].gain, out[0].denied_loss), (Some(d("-300")), d("200")));
        assert_eq!(h.acb, Some(d("440")));
        // Bought back, but sold again before the period ended: nothing held at its end, the loss stands.
        let (out, _) = acb(&[
            buy(1, "2024-01-10", "10", "1000"),
            sell(2, "2024-03-10", "10", "500"),
            buy(3, "2024-03-20", "10", "600"),
            sell(4, "2024-03-25", "10", "600"),
            buy(5, "2024-06-01", "1", "60"),
        ])
        .unwrap();
        assert_eq!((out[0].gain, out[0].denied_loss), (Some(d("-500")), Decimal::ZERO));
        // Bought 31 days later: outside the period.
        let (out, _) = acb(&[
            buy(1, "2024-01-10", "10", "1000"),
            sell(2, "2024-03-10", "10", "500"),
            buy(3, "2024-04-10", "10", "600"),
        ])
        .unwrap();
        assert_eq!(out[0].denied_loss, Decimal::ZERO);
    }

    #[test]
    fn errors() {
        assert!(matches!(acb(&[sell(1, "2024-01-01", "1", "10")]), Err(CaError::Oversold { id: 1, .. })));
        assert!(matches!(
            acb(&[buy(1, "2024-02-01", "1", "10"), buy(2, "2024-01-01", "1", "10")]),
            Err(CaError::OutOfOrder { id: 2 })
        ));
    }
}
