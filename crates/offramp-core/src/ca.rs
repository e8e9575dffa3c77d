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
//!   loss, and it is added to the ACB of the substituted property (s.53(1)(f)) as soon as that is held: at the
//!   disposal for units bought in the 30 days before it, when they are bought for units bought after it.
//!
//! Events come in the order they happened (a disposal's ACB averages over the property owned at that moment,
//! s.47: a purchase later the same day is not in it); their dates are calendar dates, for the 30-day periods.

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
///
/// Events come in time order (the order of the instants they happened at; their dates never decrease): a
/// disposal's ACB is the average over the property owned at that moment, so a purchase later the same day is not
/// in it (s.47). Whether a loss is superficial depends on what is held at the end of the 30 days after it, which
/// the full event list tells (the events after the period are looked at only for that). The denied part of a loss
/// is added to the ACB when the substituted property is held (s.53(1)(f)): units bought before the disposal (in
/// the 30 days before it) take their share at the disposal, units bought after it take theirs when they are
/// bought, so a disposal in between averages over the adjusted cost.
pub fn acb(events: &[CaEvent]) -> Result<(Vec<CaDisposal>, Holding), CaError> {
    let date = CaEvent::date;
    // First pass: validity, order and quantities (the quantities do not depend on the ACB), so that a loss can be
    // judged on what is held at the end of its period.
    let mut held_after = Vec::with_capacity(events.len());
    // acquired_before[k]: units acquired by events[..k].
    let mut acquired_before = Vec::with_capacity(events.len() + 1);
    acquired_before.push(Decimal::ZERO);
    let mut held = Decimal::ZERO;
    let mut acquired = Decimal::ZERO;
    let mut last: Option<NaiveDate> = None;
    for e in events {
        let d = date(e);
        if last.is_some_and(|l| d < l) {
            return Err(CaError::OutOfOrder { id: e.id() });
        }
        last = Some(d);
        match e {
            CaEvent::Acquire { id, qty, cost, .. } => {
                if *qty <= Decimal::ZERO || cost.is_some_and(|c| c < Decimal::ZERO) {
                    return Err(CaError::Invalid { id: *id });
                }
                held = held.checked_add(*qty).ok_or(CaError::Invalid { id: *id })?;
                acquired = acquired.checked_add(*qty).ok_or(CaError::Invalid { id: *id })?;
            }
            CaEvent::Dispose { id, qty, proceeds, .. } => {
                if *qty <= Decimal::ZERO || proceeds.is_some_and(|p| p < Decimal::ZERO) {
                    return Err(CaError::Invalid { id: *id });
                }
                if *qty > held {
                    return Err(CaError::Oversold { id: *id, wanted: *qty, held });
                }
                held -= *qty;
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
        held_after.push(held);
        acquired_before.push(acquired);
    }

    // Second pass: the ACB, in time order.
    let mut held = Decimal::ZERO;
    let mut cost: Option<Decimal> = Some(Decimal::ZERO);
    let mut out = Vec::new();
    // Denied losses to add to the ACB right after the event at that index.
    let mut add_after: Vec<Decimal> = vec![Decimal::ZERO; events.len()];
    for (i, e) in events.iter().enumerate() {
        match e {
            CaEvent::Acquire { qty, cost: c, .. } => {
                held += *qty;
                cost = cost.zip(*c).and_then(|(a, b)| a.checked_add(b));
            }
            CaEvent::Dispose { id, qty, proceeds, date: d } => {
                let share = take_share(&mut held, &mut cost, *qty);
                let mut gain = proceeds.zip(share).map(|(p, a)| p - a);
                let mut denied_loss = Decimal::ZERO;
                if let Some(loss) = gain.filter(|g| *g < Decimal::ZERO).map(|g| -g) {
                    let start = d.checked_sub_days(Days::new(30)).unwrap_or(*d);
                    let end = d.checked_add_days(Days::new(30)).unwrap_or(*d);
                    let lo = events.partition_point(|e| date(e) < start);
                    let hi = events.partition_point(|e| date(e) <= end);
                    let bought = acquired_before[hi] - acquired_before[lo];
                    // What is held at the end of the period: after the last event on or before its last day (this
                    // disposal is one of them, so `hi > i`).
                    let held_at_end = held_after[hi - 1];
                    let superficial = (*qty).min(bought).min(held_at_end);
                    if superficial > Decimal::ZERO {
                        denied_loss =
                            if superficial == *qty { loss } else { crate::tax::share(loss, superficial, *qty) };
                        gain = gain.map(|g| g + denied_loss);
                        substitute(events, lo, hi, i, superficial, denied_loss, &mut add_after);
                    }
                }
                out.push(CaDisposal {
                    id: *id,
                    date: *d,
                    qty: *qty,
                    proceeds: *proceeds,
                    acb: share,
                    gain,
                    denied_loss,
                });
            }
            CaEvent::Shrink { qty, .. } => {
                held -= *qty;
            }
        }
        if !add_after[i].is_zero() {
            cost = cost.and_then(|c| c.checked_add(add_after[i]));
        }
    }
    Ok((out, Holding { qty: held, acb: cost }))
}

/// Spreads a denied loss over the substituted property: the first `units` acquired in the period
/// (`events[lo..hi]`), each part added when its units are held (at the disposal `at` for units bought before it),
/// the last part taking what is left so the whole loss is added.
fn substitute(
    events: &[CaEvent],
    lo: usize,
    hi: usize,
    at: usize,
    units: Decimal,
    denied: Decimal,
    add: &mut [Decimal],
) {
    let mut left = units;
    let mut added = Decimal::ZERO;
    for (j, e) in events.iter().enumerate().take(hi).skip(lo) {
        let CaEvent::Acquire { qty, .. } = e else { continue };
        let part = left.min(*qty);
        left -= part;
        let amount = if left.is_zero() { denied - added } else { crate::tax::share(denied, part, units) };
        added += amount;
        add[j.max(at)] += amount;
        if left.is_zero() {
            break;
        }
    }
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

    /// Events carry their order: buy 10 for 1,000; on 1 June sell 0.5 for 100 at 10:00, then buy 1 for 300 at
    /// 18:00. The sale averages over the 10 units owned at 10:00 (ACB 50.00, gain 50.00), not over 11 with the
    /// evening's purchase (which gave 118.33 and a loss).
    #[test]
    fn a_purchase_later_the_same_day_is_not_in_an_earlier_sale() {
        let (out, h) = acb(&[
            buy(1, "2024-01-10", "10", "1000"),
            sell(2, "2024-06-01", "0.5", "100"),
            buy(3, "2024-06-01", "1", "300"),
        ])
        .unwrap();
        assert_eq!((out[0].acb, out[0].gain, out[0].denied_loss), (Some(d("50")), Some(d("50")), Decimal::ZERO));
        assert_eq!((h.qty, h.acb), (d("10.5"), Some(d("1250"))));
    }

    /// A denied loss enters the ACB once the substituted property is held, so a sale in between averages over it:
    /// 10 bought for 1,000; 5 sold for 250 on 1 Feb (ACB 500, loss 250); 1 bought for 60 on 5 Feb and held at the
    /// end of the period: 1/5 of the loss (50.00) is denied and added on 5 Feb; 5 sold for 300 on 10 Feb take 5/6 of
    /// (500 + 60 + 50) = 508.33 (the rule applied only after the period gave 466.67).
    #[test]
    fn a_denied_loss_enters_the_acb_when_the_substitute_is_held() {
        let (out, h) = acb(&[
            buy(1, "2024-01-01", "10", "1000"),
            sell(2, "2024-02-01", "5", "250"),
            buy(3, "2024-02-05", "1", "60"),
            sell(4, "2024-02-10", "5", "300"),
        ])
        .unwrap();
        assert_eq!((out[0].gain, out[0].denied_loss), (Some(d("-200")), d("50")));
        let acb4 = out[1].acb.unwrap();
        assert_eq!(acb4.round_dp(2), d("508.33"));
        assert_eq!(h.qty, d("1"));
        // Cost is conserved: everything paid plus the denied loss is in the disposals' ACB or still held.
        let denied = out[0].denied_loss + out[1].denied_loss;
        assert_eq!(out[0].acb.unwrap() + acb4 + h.acb.unwrap(), d("1000") + d("60") + denied);
        // Bought back before the loss (within 30 days) and still held: added at the disposal itself.
        let (out, h) = acb(&[
            buy(1, "2024-01-20", "10", "1000"),
            sell(2, "2024-02-01", "5", "250"),
            sell(3, "2024-02-02", "1", "50"),
        ])
        .unwrap();
        // 4 units held at the end: the first loss (250) is wholly denied (5 bought in the period, 4 held: 4/5).
        assert_eq!(out[0].denied_loss, d("200"));
        // The second sale takes 1/5 of (500 + 200): 140, a loss of 90, of which min(1, 10, 4) = all denied.
        assert_eq!((out[1].acb, out[1].denied_loss, out[1].gain), (Some(d("140")), d("90"), Some(d("0"))));
        assert_eq!((h.qty, h.acb), (d("4"), Some(d("650"))));
    }

    /// Sold at a loss, everything gone before the period ends although units were bought in it: the loss stands,
    /// and nothing is added to an ACB later (the old rule judged it only at the period's end, too).
    #[test]
    fn a_substitute_sold_before_the_period_ends_denies_nothing() {
        let (out, h) = acb(&[
            buy(1, "2024-01-10", "10", "1000"),
            sell(2, "2024-03-10", "10", "500"),
            buy(3, "2024-03-20", "10", "600"),
            sell(4, "2024-03-25", "10", "700"),
            buy(5, "2024-06-01", "1", "60"),
        ])
        .unwrap();
        assert_eq!((out[0].denied_loss, out[1].acb), (Decimal::ZERO, Some(d("600"))));
        assert_eq!(h.acb, Some(d("60")));
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
