//! Order-book walking (exact), the square-root law, and rolling withdrawal limits.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use chrono::{Days, NaiveDate};
use offramp_core::market::{
    room_on, schedule_withdrawals, sqrt_impact, walk_sell, BookError, ImpactParams, Level, OrderBook, RollingLimit,
    SellWalk,
};
use offramp_core::Decimal;
use proptest::prelude::*;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn lvl(p: &str, s: &str) -> Level {
    Level { price: d(p), size: d(s) }
}

/// A small BTC/USD book in the shape Kraken's Depth endpoint returns (levels given unsorted on purpose).
fn book() -> OrderBook {
    OrderBook {
        bids: vec![lvl("64990.5", "1.2"), lvl("65000.0", "0.5"), lvl("64980", "2.0")],
        asks: vec![lvl("65010", "1"), lvl("65020", "3")],
    }
}

#[test]
fn walking_the_bids_is_exact() {
    let SellWalk::Filled(f) = walk_sell(&book(), d("1.0")).unwrap() else { panic!("should fill") };
    // 0.5 × 65000.0 + 0.5 × 64990.5 = 32500.00 + 32495.25
    assert_eq!(f.gross, d("64995.25"));
    assert_eq!(f.vwap, d("64995.25"));
    assert_eq!((f.best_bid, f.worst_price, f.levels_used), (d("65000.0"), d("64990.5"), 2));
    assert_eq!(f.mid, Some(d("65005")));
    // (65005 − 64995.25) / 65005 × 10,000 and (65000 − 64995.25) / 65000 × 10,000
    assert_eq!(f.slippage_vs_mid_bps.unwrap().round_dp(6), d("1.499885"));
    assert_eq!(f.slippage_vs_best_bid_bps.round_dp(6), d("0.730769"));
}

#[test]
fn a_book_too_thin_says_so_and_prices_only_what_it_holds() {
    match walk_sell(&book(), d("5")).unwrap() {
        SellWalk::NotEnoughDepth { wanted, partial } => {
            assert_eq!(wanted, d("5"));
            assert_eq!(partial.filled, d("3.7"));
            // 32500 + 1.2 × 64990.5 + 2 × 64980
            assert_eq!(partial.gross, d("240448.60"));
            assert_eq!(partial.levels_used, 3);
        }
        other => panic!("expected NotEnoughDepth, got {other:?}"),
    }
}

#[test]
fn bad_books_are_errors() {
    assert_eq!(walk_sell(&OrderBook::default(), d("1")), Err(BookError::NoBids));
    let bad = OrderBook { bids: vec![lvl("65000", "0")], asks: vec![] };
    assert!(matches!(walk_sell(&bad, d("1")), Err(BookError::BadLevel { .. })));
    assert_eq!(walk_sell(&book(), d("0")), Err(BookError::NonPositive));
    // No asks: no mid, no slippage against it; the rest still works.
    let one_sided = OrderBook { bids: vec![lvl("100", "1")], asks: vec![] };
    let SellWalk::Filled(f) = walk_sell(&one_sided, d("0.5")).unwrap() else { panic!() };
    assert_eq!((f.mid, f.slippage_vs_mid_bps), (None, None));
}

/// market_impact.md's illustrative example: Q = 50 BTC, V_D = 10,000 BTC, σ_D = 3 %, Y = 0.7 gives about
/// 0.148 % at the end and an average shortfall of about 9.9 bps.
#[test]
fn square_root_law() {
    let p = ImpactParams { y: d("0.7"), daily_volatility: d("0.03"), daily_volume: d("10000") };
    let e = sqrt_impact(&p, d("50")).unwrap();
    assert_eq!(e.peak_fraction.round_dp(7), d("0.0014849"));
    assert_eq!((e.average_fraction * d("10000")).round_dp(1), d("9.9"));
    assert!(sqrt_impact(&ImpactParams { daily_volume: d("0"), ..p }, d("1")).is_none());
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Kraken Intermediate (venues.json): $100,000 a day and $500,000 in any 30 days. $1.2M takes 5 days, then the
/// month is full until the first day leaves the window.
#[test]
fn daily_and_rolling_monthly_caps() {
    let limits = [RollingLimit { days: 1, cap: Some(d("100000")) }, RollingLimit { days: 30, cap: Some(d("500000")) }];
    let s = schedule_withdrawals(d("1200000"), day("2026-12-01"), &[], &limits, 120);
    let days: Vec<String> = s.days.iter().map(|x| x.day.to_string()).collect();
    assert_eq!(
        days,
        [
            "2026-12-01",
            "2026-12-02",
            "2026-12-03",
            "2026-12-04",
            "2026-12-05",
            "2026-12-31",
            "2027-01-01",
            "2027-01-02",
            "2027-01-03",
            "2027-01-04",
            "2027-01-30",
            "2027-01-31"
        ]
    );
    assert!(s.days.iter().all(|x| x.amount == d("100000")));
    assert_eq!((s.unscheduled, s.unknown_limits), (d("0"), false));
    // Earlier withdrawals count: $450k in the last 30 days leaves $50k today.
    let history = [(day("2026-11-20"), d("450000"))];
    assert_eq!(room_on(day("2026-12-01"), &history, &limits), Some(d("50000")));
}

#[test]
fn unknown_limits_are_reported_not_zero() {
    let limits = [RollingLimit { days: 1, cap: None }];
    let s = schedule_withdrawals(d("1000"), day("2026-12-01"), &[], &limits, 10);
    assert!(s.unknown_limits);
    assert_eq!(s.days.len(), 1, "an unknown cap does not block the sale");
    assert_eq!(room_on(day("2026-12-01"), &[], &limits), None);
    let s =
        schedule_withdrawals(d("1000"), day("2026-12-01"), &[], &[RollingLimit { days: 1, cap: Some(d("100")) }], 3);
    assert_eq!(s.unscheduled, d("700"), "what does not fit within max_days is said, not dropped");
}

proptest! {
    #[test]
    fn schedules_never_exceed_any_window(
        daily in 1u32..50_000,
        monthly in 1u32..200_000,
        weekly in prop::option::of(1u32..120_000),
        total in 1u32..2_000_000,
        history in prop::collection::vec((0u64..40, 1u32..60_000), 0..6),
    ) {
        let mut limits = vec![RollingLimit { days: 1, cap: Some(Decimal::from(daily)) }, RollingLimit { days: 30, cap: Some(Decimal::from(monthly)) }];
        if let Some(w) = weekly {
            limits.push(RollingLimit { days: 7, cap: Some(Decimal::from(w)) });
        }
        let start = day("2026-12-01");
        let hist: Vec<(NaiveDate, Decimal)> = history.iter().map(|(back, a)| (start.checked_sub_days(Days::new(back + 1)).unwrap(), Decimal::from(*a))).collect();
        let s = schedule_withdrawals(Decimal::from(total), start, &hist, &limits, 365);
        let mut all = hist.clone();
        all.extend(s.days.iter().map(|x| (x.day, x.amount)));
        let scheduled: Decimal = s.days.iter().map(|x| x.amount).sum();
        prop_assert_eq!(scheduled + s.unscheduled, Decimal::from(total));
        for x in &s.days {
            prop_assert!(x.amount > Decimal::ZERO);
            for l in &limits {
                let first = x.day.checked_sub_days(Days::new(u64::from(l.days) - 1)).unwrap();
                let used: Decimal = all.iter().filter(|(d, _)| *d >= first && *d <= x.day).map(|(_, a)| *a).sum();
                // History alone may already exceed a cap; the schedule must then add nothing to that window.
                let before: Decimal = hist.iter().filter(|(d, _)| *d >= first && *d <= x.day).map(|(_, a)| *a).sum();
                prop_assert!(used <= l.cap.unwrap().max(before), "{} window ending {}: {} > {}", l.days, x.day, used, l.cap.unwrap());
            }
        }
    }
}
