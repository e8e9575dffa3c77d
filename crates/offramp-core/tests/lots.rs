//! The lot engine: worked examples with their numbers written out, errors, and properties on random histories.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use offramp_core::lots::{book, Event, LotError, Method, PoolId};
use offramp_core::{Code, Decimal, Timestamp};
use proptest::prelude::*;
use std::collections::HashMap;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn t(s: &str) -> Timestamp {
    Timestamp::parse_rfc3339(&format!("{s}T12:00:00Z")).unwrap()
}

fn btc() -> Code {
    Code::parse("BTC").unwrap()
}

const WALLET: PoolId = PoolId(0);
const EXCHANGE: PoolId = PoolId(1);

fn buy(lot: i64, day: &str, qty: &str, cost: &str) -> Event {
    Event::Acquire { lot, pool: EXCHANGE, asset: btc(), time: t(day), qty: d(qty), cost: Some(d(cost)) }
}

fn sell(id: i64, day: &str, qty: &str, proceeds: &str) -> Event {
    Event::Dispose {
        id,
        pool: EXCHANGE,
        asset: btc(),
        time: t(day),
        qty: d(qty),
        proceeds: Some(d(proceeds)),
        pick: None,
    }
}

/// IRS-style example (Publication 551's principle of identified lots; numbers of our own): three purchases,
/// one sale of 1.5 BTC for $45,000.
///   lot 1: 2023-01-10, 1 BTC for $20,000 (fees included)
///   lot 2: 2023-06-10, 1 BTC for $30,000
///   lot 3: 2023-09-10, 1 BTC for $25,000
/// FIFO takes lot 1 whole and half of lot 2: basis 20,000 + 15,000 = 35,000, gain 10,000.
/// LIFO takes lot 3 whole and half of lot 2: basis 25,000 + 15,000 = 40,000, gain 5,000.
/// HIFO takes lot 2 whole and half of lot 3: basis 30,000 + 12,500 = 42,500, gain 2,500.
#[test]
fn fifo_lifo_hifo_worked_example() {
    let events = [
        buy(1, "2023-01-10", "1", "20000"),
        buy(2, "2023-06-10", "1", "30000"),
        buy(3, "2023-09-10", "1", "25000"),
        sell(10, "2024-03-01", "1.5", "45000"),
    ];
    let expect = [
        (Method::Fifo, vec![(1, "1", "20000"), (2, "0.5", "15000")], "35000", "10000"),
        (Method::Lifo, vec![(3, "1", "25000"), (2, "0.5", "15000")], "40000", "5000"),
        (Method::Hifo, vec![(2, "1", "30000"), (3, "0.5", "12500")], "42500", "2500"),
    ];
    for (method, pieces, cost, gain) in expect {
        let b = book(&events, method).unwrap();
        let got: Vec<(i64, Decimal, Decimal)> =
            b.disposals[0].pieces.iter().map(|p| (p.lot, p.qty, p.cost.unwrap())).collect();
        let want: Vec<(i64, Decimal, Decimal)> = pieces.iter().map(|(l, q, c)| (*l, d(q), d(c))).collect();
        assert_eq!(got, want, "{method:?}");
        assert_eq!(b.disposals[0].cost, Some(d(cost)), "{method:?}");
        assert_eq!(b.disposals[0].gain, Some(d(gain)), "{method:?}");
        let held_cost: Decimal = b.holdings.iter().map(|h| h.cost.unwrap()).sum();
        assert_eq!(held_cost + d(cost), d("75000"), "{method:?}: basis is conserved");
    }
}

/// Average cost (Canada's adjusted cost base): 1 BTC for C$30,000 and 1 BTC for C$50,000 make 2 BTC at C$40,000
/// each; selling 0.5 BTC for C$30,000 uses C$20,000 of cost (gain C$10,000) and leaves 1.5 BTC costing C$60,000,
/// still C$40,000 each; a later purchase re-averages.
#[test]
fn average_cost_acb() {
    let events = [
        buy(1, "2024-01-10", "1", "30000"),
        buy(2, "2024-02-10", "1", "50000"),
        sell(10, "2024-03-01", "0.5", "30000"),
        buy(3, "2024-04-10", "0.5", "30000"),
        sell(11, "2024-05-01", "1", "70000"),
    ];
    let b = book(&events, Method::Average).unwrap();
    assert_eq!((b.disposals[0].cost, b.disposals[0].gain), (Some(d("20000")), Some(d("10000"))));
    // Pool before the second sale: 2 BTC costing 60,000 + 30,000 = 90,000, i.e. 45,000 each.
    assert_eq!((b.disposals[1].cost, b.disposals[1].gain), (Some(d("45000")), Some(d("25000"))));
    assert_eq!(b.holdings.len(), 1);
    assert_eq!((b.holdings[0].qty, b.holdings[0].cost), (d("1"), Some(d("45000"))));
    let mut picked = events[..2].to_vec();
    picked.push(Event::Dispose {
        id: 12,
        pool: EXCHANGE,
        asset: btc(),
        time: t("2024-03-01"),
        qty: d("1"),
        proceeds: None,
        pick: Some(vec![(1, d("1"))]),
    });
    assert!(matches!(book(&picked, Method::Average), Err(LotError::PickNotAllowed { event: 12 })));
}

#[test]
fn part_of_a_lot_costs_its_share_and_the_last_piece_takes_the_rest() {
    // 3 BTC for $100: thirds cannot be exact. The first third costs 100/3 rounded to 12 places; the second is
    // half of the remaining 66.666666666667, i.e. 33.3333333333335, rounded half to even; the third takes exactly
    // what is left.
    let events = [
        buy(1, "2024-01-01", "3", "100"),
        sell(10, "2024-02-01", "1", "50"),
        sell(11, "2024-02-02", "1", "50"),
        sell(12, "2024-02-03", "1", "50"),
    ];
    let b = book(&events, Method::Fifo).unwrap();
    let costs: Vec<Decimal> = b.disposals.iter().map(|x| x.cost.unwrap()).collect();
    assert_eq!(costs, [d("33.333333333333"), d("33.333333333334"), d("33.333333333333")]);
    assert_eq!(costs.iter().sum::<Decimal>(), d("100"));
    assert!(b.holdings.is_empty());
}

#[test]
fn specific_identification_takes_the_named_lots() {
    let mut events = vec![buy(1, "2023-01-10", "1", "20000"), buy(2, "2023-06-10", "1", "30000")];
    events.push(Event::Dispose {
        id: 10,
        pool: EXCHANGE,
        asset: btc(),
        time: t("2024-03-01"),
        qty: d("0.4"),
        proceeds: Some(d("12000")),
        pick: Some(vec![(2, d("0.4"))]),
    });
    let b = book(&events, Method::Fifo).unwrap();
    assert_eq!(b.disposals[0].pieces[0].lot, 2);
    assert_eq!(b.disposals[0].cost, Some(d("12000")));
    assert_eq!(b.disposals[0].gain, Some(d("0")));

    let bad = |pick: Vec<(i64, Decimal)>, qty: &str| {
        let mut ev = events[..2].to_vec();
        ev.push(Event::Dispose {
            id: 11,
            pool: EXCHANGE,
            asset: btc(),
            time: t("2024-03-01"),
            qty: d(qty),
            proceeds: None,
            pick: Some(pick),
        });
        book(&ev, Method::Fifo).unwrap_err()
    };
    assert!(matches!(bad(vec![(9, d("0.1"))], "0.1"), LotError::UnknownLot { lot: 9, .. }));
    assert!(matches!(bad(vec![(1, d("1.5"))], "1.5"), LotError::LotTooSmall { lot: 1, .. }));
    assert!(matches!(bad(vec![(1, d("0.1"))], "0.2"), LotError::PickMismatch { .. }));
}

#[test]
fn overselling_names_the_event_and_never_makes_a_negative_lot() {
    let events =
        [buy(1, "2024-01-01", "1", "100"), sell(10, "2024-02-01", "0.6", "60"), sell(11, "2024-02-02", "0.6", "60")];
    let e = book(&events, Method::Fifo).unwrap_err();
    assert_eq!(
        e,
        LotError::Oversold { event: 11, asset: btc(), pool: EXCHANGE, wanted: d("0.6"), available: d("0.4") }
    );
    assert!(e.to_string().starts_with("event 11: sells or moves 0.6 BTC but only 0.4 BTC is held"));
}

#[test]
fn per_wallet_pools_and_moves_carry_date_and_cost() {
    let events = [
        buy(1, "2023-01-10", "1", "20000"),
        buy(2, "2023-06-10", "1", "30000"),
        Event::Move {
            id: 5,
            from: EXCHANGE,
            to: WALLET,
            asset: btc(),
            time: t("2023-07-01"),
            qty: d("1.5"),
            fee: d("0"),
        },
        // The exchange now holds only half of lot 2; selling 0.6 there is too much even though 2 BTC exist in all.
        sell(10, "2024-03-01", "0.6", "24000"),
    ];
    let e = book(&events, Method::Fifo).unwrap_err();
    assert!(matches!(e, LotError::Oversold { event: 10, .. }));
    let mut ok = events[..3].to_vec();
    ok.push(Event::Dispose {
        id: 10,
        pool: WALLET,
        asset: btc(),
        time: t("2024-03-01"),
        qty: d("1.2"),
        proceeds: Some(d("48000")),
        pick: None,
    });
    let b = book(&ok, Method::Fifo).unwrap();
    let p = &b.disposals[0].pieces;
    assert_eq!((p[0].lot, p[0].acquired, p[0].qty, p[0].cost), (1, t("2023-01-10"), d("1"), Some(d("20000"))));
    assert_eq!((p[1].lot, p[1].acquired, p[1].qty, p[1].cost), (2, t("2023-06-10"), d("0.2"), Some(d("6000"))));
}

#[test]
fn unknown_cost_is_carried_and_flagged_not_zero() {
    let events = [
        Event::Acquire { lot: 1, pool: EXCHANGE, asset: btc(), time: t("2024-01-01"), qty: d("1"), cost: None },
        sell(10, "2024-02-01", "0.5", "30000"),
    ];
    let b = book(&events, Method::Hifo).unwrap();
    assert!(b.disposals[0].unknown_basis());
    assert_eq!((b.disposals[0].cost, b.disposals[0].gain), (None, None));
    assert_eq!(b.holdings[0].cost, None);
}

#[test]
fn bad_events_are_errors() {
    assert!(matches!(book(&[buy(1, "2024-01-01", "0", "1")], Method::Fifo), Err(LotError::NonPositive { .. })));
    assert!(matches!(book(&[buy(1, "2024-01-01", "1", "-1")], Method::Fifo), Err(LotError::Negative { .. })));
    let twice = [buy(1, "2024-01-01", "1", "1"), buy(1, "2024-01-02", "1", "1")];
    assert!(matches!(book(&twice, Method::Fifo), Err(LotError::DuplicateLot { lot: 1, .. })));
    let backwards = [buy(1, "2024-01-02", "1", "1"), buy(2, "2024-01-01", "1", "1")];
    assert!(matches!(book(&backwards, Method::Fifo), Err(LotError::OutOfOrder { event: 2 })));
}

// ---- properties on random histories ----

#[derive(Debug, Clone)]
enum Op {
    Buy {
        pool: u32,
        asset: usize,
        qty: u32,
        cost: u32,
        unknown: bool,
    },
    Sell {
        pool: u32,
        asset: usize,
        share: u8,
        proceeds: u32,
    },
    /// A move; `fee` percent of it does not arrive, its cost carried by what does.
    Move {
        from: u32,
        to: u32,
        asset: usize,
        share: u8,
        fee: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..3u32, 0..2usize, 1..5000u32, 0..1_000_000u32, prop::bool::weighted(0.1))
            .prop_map(|(pool, asset, qty, cost, unknown)| Op::Buy { pool, asset, qty, cost, unknown }),
        2 => (0..3u32, 0..2usize, 1..=100u8, 0..1_000_000u32)
            .prop_map(|(pool, asset, share, proceeds)| Op::Sell { pool, asset, share, proceeds }),
        1 => (0..3u32, 0..3u32, 0..2usize, 1..=100u8, prop_oneof![Just(0u8), 1..=5u8])
            .prop_map(|(from, to, asset, share, fee)| Op::Move { from, to, asset, share, fee }),
    ]
}

/// Turns random operations into a valid history: sells and moves take a share of what the pool holds.
fn history(ops: &[Op]) -> Vec<Event> {
    let assets = [Code::parse("BTC").unwrap(), Code::parse("ETH").unwrap()];
    let mut held: HashMap<(u32, usize), Decimal> = HashMap::new();
    let mut events = Vec::new();
    let start = t("2024-01-01").unix_micros();
    for (i, op) in ops.iter().enumerate() {
        let time = Timestamp::from_unix_micros(start + i as i64 * 3_600_000_000);
        let id = i as i64 + 1;
        match *op {
            Op::Buy { pool, asset, qty, cost, unknown } => {
                let q = Decimal::new(qty as i64, 3);
                *held.entry((pool, asset)).or_default() += q;
                let cost = (!unknown).then(|| Decimal::new(cost as i64, 2));
                events.push(Event::Acquire { lot: id, pool: PoolId(pool), asset: assets[asset], time, qty: q, cost });
            }
            Op::Sell { pool, asset, share, proceeds } => {
                let h = held.entry((pool, asset)).or_default();
                let q = (*h * Decimal::new(share as i64, 2)).round_dp(3);
                if q.is_zero() {
                    continue;
                }
                *h -= q;
                let proceeds = Some(Decimal::new(proceeds as i64, 2));
                events.push(Event::Dispose {
                    id,
                    pool: PoolId(pool),
                    asset: assets[asset],
                    time,
                    qty: q,
                    proceeds,
                    pick: None,
                });
            }
            Op::Move { from, to, asset, share, fee } => {
                let h = held.entry((from, asset)).or_default();
                let q = (*h * Decimal::new(share as i64, 2)).round_dp(3);
                let fee = (q * Decimal::new(fee as i64, 2)).round_dp(3);
                if q.is_zero() || from == to || fee >= q {
                    continue;
                }
                *h -= q;
                *held.entry((to, asset)).or_default() += q - fee;
                events.push(Event::Move {
                    id,
                    from: PoolId(from),
                    to: PoolId(to),
                    asset: assets[asset],
                    time,
                    qty: q - fee,
                    fee,
                });
            }
        }
    }
    events
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn conservation_and_no_lot_used_twice(ops in prop::collection::vec(op(), 1..120)) {
        let events = history(&ops);
        let mut proceeds_by_method = Vec::new();
        for method in [Method::Fifo, Method::Lifo, Method::Hifo, Method::Average] {
            let b = book(&events, method).unwrap();
            // Quantity and basis per asset: acquired = disposed + held (moves change neither).
            let mut acquired: HashMap<(Code, bool), Decimal> = HashMap::new();
            let mut lot_qty: HashMap<i64, Decimal> = HashMap::new();
            let mut lot_cost: HashMap<i64, Option<Decimal>> = HashMap::new();
            for e in &events {
                if let Event::Acquire { lot, asset, qty, cost, .. } = e {
                    *acquired.entry((*asset, false)).or_default() += qty;
                    *acquired.entry((*asset, true)).or_default() += cost.unwrap_or_default();
                    lot_qty.insert(*lot, *qty);
                    lot_cost.insert(*lot, *cost);
                }
            }
            let mut accounted: HashMap<(Code, bool), Decimal> = HashMap::new();
            let mut used: HashMap<i64, Decimal> = HashMap::new();
            let mut used_cost: HashMap<i64, Decimal> = HashMap::new();
            for x in &b.disposals {
                prop_assert_eq!(x.pieces.iter().map(|p| p.qty).sum::<Decimal>(), x.qty);
                for p in &x.pieces {
                    *accounted.entry((x.asset, false)).or_default() += p.qty;
                    *accounted.entry((x.asset, true)).or_default() += p.cost.unwrap_or_default();
                    *used.entry(p.lot).or_default() += p.qty;
                    *used_cost.entry(p.lot).or_default() += p.cost.unwrap_or_default();
                    if method != Method::Average {
                        prop_assert_eq!(p.cost.is_none(), lot_cost[&p.lot].is_none(), "unknown cost stays unknown");
                    }
                    prop_assert!(p.qty > Decimal::ZERO);
                }
            }
            // Units a move's carried fee took away: gone from the lot, their cost still with the units that arrived.
            for m in &b.moves {
                for p in &m.left {
                    *accounted.entry((m.asset, false)).or_default() += p.qty;
                    *used.entry(p.lot).or_default() += p.qty;
                }
                for p in &m.arrived {
                    *accounted.entry((m.asset, false)).or_default() -= p.qty;
                    *used.entry(p.lot).or_default() -= p.qty;
                }
                let (left, arrived): (Decimal, Decimal) =
                    (m.left.iter().map(|p| p.qty).sum(), m.arrived.iter().map(|p| p.qty).sum());
                let cost = |v: &[offramp_core::lots::Piece]| v.iter().map(|p| p.cost.unwrap_or_default()).sum::<Decimal>();
                prop_assert!(arrived <= left);
                prop_assert_eq!(cost(&m.left), cost(&m.arrived), "a move keeps all the cost");
            }
            for h in &b.holdings {
                prop_assert!(h.qty > Decimal::ZERO, "no empty or negative lot is held");
                *accounted.entry((h.asset, false)).or_default() += h.qty;
                *accounted.entry((h.asset, true)).or_default() += h.cost.unwrap_or_default();
                *used.entry(h.lot).or_default() += h.qty;
                *used_cost.entry(h.lot).or_default() += h.cost.unwrap_or_default();
            }
            // Under average cost one unknown cost makes the whole pool's cost unknown (it cannot be averaged), so
            // its known part is not comparable; quantities still are.
            let unknown_assets: std::collections::HashSet<Code> = events
                .iter()
                .filter_map(|e| match e {
                    Event::Acquire { asset, cost: None, .. } => Some(*asset),
                    _ => None,
                })
                .collect();
            for (k, v) in &acquired {
                if method == Method::Average && k.1 && unknown_assets.contains(&k.0) {
                    continue;
                }
                prop_assert_eq!(accounted.get(k).copied().unwrap_or_default(), *v, "{:?} {:?}", method, k);
            }
            // Every lot is used exactly once in total: its pieces and what is left add up to it, cost too.
            // (Average cost merges lots, so only the totals above apply to it.)
            for (lot, q) in lot_qty.iter().filter(|_| method != Method::Average) {
                prop_assert_eq!(used.get(lot).copied().unwrap_or_default(), *q, "lot {} quantity", lot);
                prop_assert_eq!(used_cost.get(lot).copied().unwrap_or_default(), lot_cost[lot].unwrap_or_default(), "lot {} cost", lot);
            }
            proceeds_by_method.push(b.disposals.iter().map(|x| x.proceeds.unwrap_or_default()).sum::<Decimal>());
        }
        prop_assert!(proceeds_by_method.windows(2).all(|w| w[0] == w[1]), "every method gives the same total proceeds");
    }
}
