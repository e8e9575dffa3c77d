//! UK matching against HMRC's own worked examples (Cryptoassets Manual, "pooling examples", CRYPTO22250 onwards;
//! gov.uk/hmrc-internal-manuals/cryptoassets-manual). HMRC's years are "20XX"; the tests use 2024. Figures quoted
//! from HMRC are marked "HMRC"; figures the manual does not print are derived from its rules and marked so.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use chrono::NaiveDate;
use offramp_core::uk::{uk_match, Rule, UkError, UkEvent};
use offramp_core::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn buy(id: i64, date: &str, qty: &str, cost: &str) -> UkEvent {
    UkEvent::Acquire { id, date: day(date), qty: d(qty), cost: Some(d(cost)) }
}

fn sell(id: i64, date: &str, qty: &str, proceeds: &str) -> UkEvent {
    UkEvent::Dispose { id, date: day(date), qty: d(qty), proceeds: Some(d(proceeds)) }
}

/// CRYPTO22251, example 1: basic Section 104 pool disposal (Victoria, token A).
#[test]
fn hmrc_example_1_basic_pool() {
    let events = [
        buy(1, "2024-01-01", "100", "1000"),
        buy(2, "2024-09-18", "50", "125000"),
        sell(3, "2024-12-01", "50", "300000"),
    ];
    let (disposals, pool) = uk_match(&events).unwrap();
    let x = &disposals[0];
    assert_eq!(x.matches.len(), 1);
    assert_eq!(x.matches[0].rule, Rule::Section104);
    assert_eq!(x.cost, Some(d("42000")), "HMRC: £126,000 x (50 / 150) = £42,000");
    assert_eq!(x.gain, Some(d("258000")), "HMRC: gain £258,000");
    assert_eq!((pool.qty, pool.cost), (d("100"), Some(d("84000"))), "HMRC: pool of 100 token A, £84,000");
}

/// CRYPTO22255, example 5: 30-day rule with a part disposal of the pool (Melanie, token E).
#[test]
fn hmrc_example_5_thirty_day_rule_and_pool() {
    let events = [
        buy(1, "2024-01-01", "14000", "200000"),
        sell(2, "2024-08-30", "4000", "160000"),
        buy(3, "2024-09-11", "500", "17500"),
    ];
    let (disposals, pool) = uk_match(&events).unwrap();
    let x = &disposals[0];
    assert_eq!(x.matches[0].rule, Rule::BedAndBreakfast { acquired: day("2024-09-11") });
    assert_eq!(
        (x.matches[0].qty, x.matches[0].cost),
        (d("500"), Some(d("17500"))),
        "HMRC: 30 day, 500 token E, £17,500"
    );
    assert_eq!(x.matches[1].rule, Rule::Section104);
    assert_eq!(
        (x.matches[1].qty, x.matches[1].cost),
        (d("3500"), Some(d("50000"))),
        "HMRC: £200,000 x (3,500 / 14,000)"
    );
    assert_eq!(x.gain, Some(d("92500")), "HMRC: gain £92,500");
    assert_eq!((pool.qty, pool.cost), (d("10500"), Some(d("150000"))), "HMRC: pool of 10,500 token E, £150,000");
}

/// CRYPTO22256, example 6: same-day rule, 30-day rule and the pool together (Gulferaz, token F).
#[test]
fn hmrc_example_6_same_day_thirty_day_and_pool() {
    let events = [
        buy(1, "2024-01-01", "100000", "300000"),
        buy(2, "2024-07-31", "10000", "45000"),
        sell(3, "2024-07-31", "30000", "150000"),
        sell(4, "2024-08-05", "20000", "100000"),
        buy(5, "2024-08-06", "50000", "225000"),
        sell(6, "2024-08-07", "100000", "150000"),
    ];
    let (disposals, pool) = uk_match(&events).unwrap();
    // 31 July: same day 10,000 (£45,000) + 30 day 20,000 from 6 August (£90,000); gain £15,000 (HMRC).
    let jul31 = &disposals[0];
    assert_eq!(jul31.matches[0].rule, Rule::SameDay);
    assert_eq!((jul31.matches[0].qty, jul31.matches[0].cost), (d("10000"), Some(d("45000"))));
    assert_eq!(jul31.matches[1].rule, Rule::BedAndBreakfast { acquired: day("2024-08-06") });
    assert_eq!((jul31.matches[1].qty, jul31.matches[1].cost), (d("20000"), Some(d("90000"))));
    assert_eq!(jul31.gain, Some(d("15000")));
    // 5 August: 30 day 20,000 from 6 August, £225,000 x (20,000 / 50,000) = £90,000 (HMRC); gain £10,000 (derived).
    let aug5 = &disposals[1];
    assert_eq!(aug5.matches.len(), 1);
    assert_eq!((aug5.matches[0].qty, aug5.matches[0].cost), (d("20000"), Some(d("90000"))));
    assert_eq!(aug5.gain, Some(d("10000")));
    // 7 August (derived from HMRC's rules): the remaining 10,000 of 6 August (£45,000) joined the pool:
    // 110,000 token F costing £345,000; 100,000 sold cost £345,000 x 100,000 / 110,000 = £313,636.363636363636.
    let aug7 = &disposals[2];
    assert_eq!(
        aug7.matches,
        [offramp_core::uk::UkMatch { rule: Rule::Section104, qty: d("100000"), cost: Some(d("313636.363636363636")) }]
    );
    assert_eq!(aug7.gain, Some(d("-163636.363636363636")));
    assert_eq!(
        (pool.qty, pool.cost),
        (d("10000"), Some(d("31363.636363636364"))),
        "what is left is exactly £345,000 minus what was used"
    );
}

#[test]
fn several_disposals_in_a_day_count_as_one_and_overselling_is_an_error() {
    let events =
        [buy(1, "2024-01-01", "10", "100"), sell(2, "2024-02-01", "4", "60"), sell(3, "2024-02-01", "4", "60")];
    let (disposals, _) = uk_match(&events).unwrap();
    assert_eq!(disposals.len(), 1);
    assert_eq!(
        (disposals[0].qty, disposals[0].proceeds, disposals[0].ids.clone()),
        (d("8"), Some(d("120")), vec![2, 3])
    );
    assert_eq!(disposals[0].gain, Some(d("40")));

    let too_much = [buy(1, "2024-01-01", "1", "100"), sell(2, "2024-02-01", "2", "60")];
    assert!(matches!(uk_match(&too_much), Err(UkError::Oversold { ids, .. }) if ids == vec![2]));
}

#[test]
fn an_acquisition_more_than_30_days_later_goes_to_the_pool() {
    let events = [
        buy(1, "2024-01-01", "10", "100"),
        sell(2, "2024-03-01", "5", "100"),
        buy(3, "2024-03-31", "5", "500"),
        buy(4, "2024-04-01", "5", "900"),
    ];
    let (disposals, pool) = uk_match(&events).unwrap();
    // 31 March is day 30 after 1 March: matched. 1 April (day 31) is not.
    assert_eq!(disposals[0].matches[0].rule, Rule::BedAndBreakfast { acquired: day("2024-03-31") });
    assert_eq!(disposals[0].cost, Some(d("500")));
    assert_eq!((pool.qty, pool.cost), (d("15"), Some(d("1000"))));
}

/// A network fee kept by a move between the person's own accounts, counted in the basis: the units leave the pool,
/// its cost stays (no disposal); more than the pool holds is refused.
#[test]
fn a_shrink_leaves_the_pool_without_a_disposal() {
    let events = [
        buy(1, "2024-01-01", "1.001", "30030"),
        UkEvent::Shrink { id: 2, date: day("2024-02-01"), qty: d("0.001") },
        sell(3, "2024-03-01", "1", "70000"),
    ];
    let (disposals, pool) = uk_match(&events).unwrap();
    assert_eq!(disposals.len(), 1);
    assert_eq!((disposals[0].cost, disposals[0].gain), (Some(d("30030")), Some(d("39970"))));
    assert_eq!((pool.qty, pool.cost), (d("0"), Some(d("0"))));
    let too_much = [buy(1, "2024-01-01", "1", "100"), UkEvent::Shrink { id: 2, date: day("2024-01-02"), qty: d("2") }];
    assert!(matches!(uk_match(&too_much), Err(UkError::Oversold { .. })));
}
