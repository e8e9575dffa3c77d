//! Tax-aware lot choice on random holdings: it never takes more than a lot holds, takes exactly what is asked
//! (or says how much is missing), and, when every lot is at a gain, no other order of the lots costs less tax.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use std::str::FromStr;

use chrono::NaiveDate;
use offramp_core::taxplan::{choose, HeldLot, Jurisdiction, Rates, TaxSale};
use offramp_core::Decimal;
use proptest::prelude::*;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// The tax of taking lots in a given order (all at a gain: no netting).
fn tax_in_order(lots: &[&HeldLot], qty: Decimal, price: Decimal, date: NaiveDate, rates: Rates) -> Decimal {
    let mut left = qty;
    let mut tax = Decimal::ZERO;
    for l in lots {
        if left.is_zero() {
            break;
        }
        let q = l.qty.min(left);
        let gain = q * price - l.cost.unwrap() * q / l.qty;
        let long = offramp_core::holding::held_more_than_one_year(l.acquired, date);
        tax += gain * if long { rates.long.unwrap() } else { rates.short.unwrap() };
        left -= q;
    }
    tax
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_choice_is_whole_and_cheapest(
        raw in prop::collection::vec((1u32..2000, 0u32..1000, 1u32..40_000), 1..7),
        want in 1u32..5000,
        short_pct in 20u32..40,
        long_pct in 0u32..20,
        perm_seed in any::<u64>(),
    ) {
        let date = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let price = d("50000");
        let lots: Vec<HeldLot> = raw
            .iter()
            .enumerate()
            .map(|(i, (days_ago, qty_milli, unit_cost))| HeldLot {
                account: format!("w{}", i % 2),
                lot: i as i64,
                acquired: date - chrono::Days::new(u64::from(*days_ago)),
                qty: Decimal::new(i64::from(*qty_milli) + 1, 3),
                // Unit cost below the price: every lot is at a gain.
                cost: Some(Decimal::new(i64::from(*unit_cost), 0) * Decimal::new(i64::from(*qty_milli) + 1, 3)),
            })
            .collect();
        let qty = Decimal::new(i64::from(want), 3);
        let rates = Rates { short: Some(Decimal::new(i64::from(short_pct), 2)), long: Some(Decimal::new(i64::from(long_pct), 2)) };
        let s = TaxSale { jurisdiction: Jurisdiction::Us, date, qty, proceeds_per_unit: price, lots: &lots, rates };
        let c = choose(&s);
        let held: Decimal = lots.iter().map(|l| l.qty).sum();
        let taken: Decimal = c.pieces.iter().map(|p| p.qty).sum();
        prop_assert_eq!(taken, qty.min(held));
        prop_assert_eq!(c.short_of, (qty - held).max(Decimal::ZERO));
        for p in &c.pieces {
            let l = lots.iter().find(|l| l.lot == p.lot).unwrap();
            prop_assert!(p.qty > Decimal::ZERO && p.qty <= l.qty);
        }
        // No lot appears twice.
        let mut ids: Vec<i64> = c.pieces.iter().map(|p| p.lot).collect();
        ids.sort();
        ids.dedup();
        prop_assert_eq!(ids.len(), c.pieces.len());
        // Against a random order of the same lots: never more tax (to a rounding hair).
        let mut order: Vec<&HeldLot> = lots.iter().collect();
        let mut seed = perm_seed;
        for i in (1..order.len()).rev() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            order.swap(i, (seed >> 33) as usize % (i + 1));
        }
        let other = tax_in_order(&order, qty, price, date, rates);
        let mine = c.tax.unwrap();
        prop_assert!(mine <= other + d("0.000001"), "chosen {} vs another order {}", mine, other);
    }
}
