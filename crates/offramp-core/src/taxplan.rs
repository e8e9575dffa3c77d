//! Tax-aware selling: which of the lots held to sell so that this sale costs the least tax under the user's
//! jurisdiction, the estimated tax, and lots about to change class ("waiting 12 days saves X").
//!
//! Pure: the lots held (from the ledger), the sale's date, quantity and proceeds per unit, and the user's tax
//! rates come in. Rates are the user's own (marginal rates depend on their whole return): without them the gains
//! are still split by class, and the tax is unknown, never guessed.
//!
//! - **US** (specific identification, Treas. Reg. §1.1012-1(c), (j)): any lot may be named, so the choice is the
//!   cheapest: lots ranked by the tax one unit of them costs (`rate(term) × (price − unit cost)`), losses first.
//!   When every lot is at a gain the tax is linear in the quantity taken from each lot, so that order is optimal
//!   (property-tested against every other order); with losses in the mix, netting between the classes can make
//!   another order of the losses slightly cheaper. Without rates the ranking is losses, then long-term gains,
//!   then short-term gains, each smallest first. The chosen lots must be moved to the venue that sells
//!   (per-wallet basis from 2025).
//! - **Germany** (§ 23 EStG): FIFO within each wallet; a lot held more than one year is tax-free. The choice is
//!   which wallet to sell from: at each step the wallet whose next FIFO lot costs the least tax (a greedy choice).
//! - **UK** (TCGA 1992 s.104): no choice: a sale is matched with the pool at its average cost (same-day and
//!   30-day rules apply if you buy the same token around the sale; a plan cannot know that).
//! - **Canada** (ITA s.47): no choice either: identical property has one adjusted cost base, averaged over all the
//!   person's accounts; half of a net gain is taxed at the user's marginal rate (the inclusion rate).
//!
//! Lots whose cost is unknown are taken last; if they must be used, the gain and tax are unknown (flagged).

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::holding::{first_long_term_date, held_more_than_one_year};
use crate::Decimal;

pub use crate::jurisdiction::Jurisdiction;

/// A lot held, as the ledger's holdings report gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HeldLot {
    pub account: String,
    pub lot: i64,
    pub acquired: NaiveDate,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    /// The lot's remaining cost basis; `None` when unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost: Option<Decimal>,
}

/// The user's marginal rates, as fractions (0.24 = 24 %). US: short and long term; UK and Germany: `short` is
/// the one rate that applies (the UK's CGT rate, Germany's personal income tax rate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rates {
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub short: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub long: Option<Decimal>,
}

/// Whether a piece's gain is taxed at the short rate, the long rate, or not at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// US short term; Germany held one year or less; UK (one rate).
    Short,
    /// US long term.
    Long,
    /// Germany: held more than one year.
    TaxFree,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Piece {
    pub account: String,
    pub lot: i64,
    pub acquired: NaiveDate,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub proceeds: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub gain: Option<Decimal>,
    pub class: Class,
}

/// The lots a sale would use, and what it would cost in tax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Choice {
    pub jurisdiction: Jurisdiction,
    pub date: NaiveDate,
    pub pieces: Vec<Piece>,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub proceeds: Decimal,
    /// Gains by class; `None` when a piece's cost is unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub gain_short: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub gain_long: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub gain_tax_free: Option<Decimal>,
    /// Estimated tax on this sale alone (losses offset gains within the sale; allowances and other gains of the
    /// year are not known here); `None` when a rate or a cost is unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub tax: Option<Decimal>,
    /// Pieces whose cost basis is unknown: their gain cannot be computed.
    pub unknown_basis: usize,
    /// The quantity asked for but not held.
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub short_of: Decimal,
}

/// "Waiting until `date` (`days` days) saves `saving`": a lot turns long-term (US) or tax-free (Germany).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Wait {
    pub days: u32,
    pub date: NaiveDate,
    pub lot: i64,
    pub account: String,
    /// The tax saved by selling on `date` instead (at the same price); `None` when rates are unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub saving: Option<Decimal>,
    /// The gain that moves out of the short class by waiting.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub gain_moved: Option<Decimal>,
}

/// A sale of `qty` on `date` with `proceeds_per_unit` (after selling costs), from `lots`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxSale<'a> {
    pub jurisdiction: Jurisdiction,
    pub date: NaiveDate,
    pub qty: Decimal,
    pub proceeds_per_unit: Decimal,
    pub lots: &'a [HeldLot],
    pub rates: Rates,
}

fn class_of(j: Jurisdiction, acquired: NaiveDate, date: NaiveDate) -> Class {
    let long = held_more_than_one_year(acquired, date);
    match (j, long) {
        (Jurisdiction::Us, true) => Class::Long,
        (Jurisdiction::De, true) => Class::TaxFree,
        (Jurisdiction::Us | Jurisdiction::De, false) | (Jurisdiction::Uk | Jurisdiction::Ca, _) => Class::Short,
    }
}

/// What the one lot of a pooling jurisdiction is called.
pub fn pool_name(j: Jurisdiction) -> &'static str {
    match j {
        Jurisdiction::Uk => "Section 104 pool",
        Jurisdiction::Ca => "adjusted cost base (all accounts)",
        Jurisdiction::Us | Jurisdiction::De => "",
    }
}

fn rate(rates: Rates, class: Class) -> Option<Decimal> {
    match class {
        Class::Short => rates.short,
        Class::Long => rates.long,
        Class::TaxFree => Some(Decimal::ZERO),
    }
}

/// Per-unit ranking key: lower sells first. Unknown costs last.
fn rank(s: &TaxSale, l: &HeldLot) -> (u8, Decimal) {
    let Some(cost) = l.cost.filter(|_| l.qty > Decimal::ZERO) else { return (3, Decimal::ZERO) };
    // A unit cost too large to compute is the largest loss there is: sold first.
    let Some(gain) = cost.checked_div(l.qty).and_then(|unit| s.proceeds_per_unit.checked_sub(unit)) else {
        return (0, Decimal::MIN);
    };
    let class = class_of(s.jurisdiction, l.acquired, s.date);
    match (rate(s.rates, class), class) {
        (Some(r), _) => (0, r * gain),
        // Without rates: a loss first, then long-term or tax-free gains, then short-term gains, smallest first.
        (None, _) if gain < Decimal::ZERO => (0, gain),
        (None, Class::Short) => (2, gain),
        (None, _) => (1, gain),
    }
}

/// Chooses the lots for the sale (see the module's rules) and estimates its tax.
pub fn choose(s: &TaxSale) -> Choice {
    let mut order: Vec<&HeldLot> = s.lots.iter().filter(|l| l.qty > Decimal::ZERO).collect();
    let mut taken: Vec<(&HeldLot, Decimal)> = Vec::new();
    let mut left = s.qty;
    match s.jurisdiction {
        Jurisdiction::Us => {
            order.sort_by(|a, b| rank(s, a).cmp(&rank(s, b)).then(a.acquired.cmp(&b.acquired)).then(a.lot.cmp(&b.lot)));
            for l in order {
                if left.is_zero() {
                    break;
                }
                let q = l.qty.min(left);
                taken.push((l, q));
                left -= q;
            }
        }
        Jurisdiction::De => {
            // FIFO queues per wallet; at each step the wallet whose head lot costs least.
            let mut wallets: BTreeMap<&str, Vec<&HeldLot>> = BTreeMap::new();
            for l in order {
                wallets.entry(l.account.as_str()).or_default().push(l);
            }
            for q in wallets.values_mut() {
                q.sort_by(|a, b| a.acquired.cmp(&b.acquired).then(a.lot.cmp(&b.lot)));
                q.reverse(); // pop() takes the oldest
            }
            while left > Decimal::ZERO {
                let Some(best) = wallets
                    .iter()
                    .filter_map(|(w, q)| q.last().map(|l| (*w, rank(s, l), l.acquired)))
                    .min_by(|a, b| a.1.cmp(&b.1).then(a.2.cmp(&b.2)))
                    .map(|(w, _, _)| w)
                else {
                    break;
                };
                let l = wallets.get_mut(best).and_then(|q| q.pop()).expect("a head lot");
                let q = l.qty.min(left);
                taken.push((l, q));
                left -= q;
            }
        }
        Jurisdiction::Uk | Jurisdiction::Ca => {
            // The pool (UK Section 104; Canada's adjusted cost base of identical property): every lot at the
            // pool's average cost (unknown if any cost is unknown).
            let total: Decimal = order.iter().map(|l| l.qty).sum();
            let cost: Option<Decimal> = order.iter().map(|l| l.cost).sum();
            let q = total.min(s.qty);
            if q > Decimal::ZERO {
                let pool = HeldLot {
                    account: pool_name(s.jurisdiction).into(),
                    lot: 0,
                    acquired: order.iter().map(|l| l.acquired).min().unwrap_or(s.date),
                    qty: total,
                    cost,
                };
                let piece_cost = pool.cost.map(|c| if q == total { c } else { crate::tax::share(c, q, total) });
                return finish(s, vec![piece(s, &pool, q, piece_cost, Class::Short)], s.qty - q);
            }
            return finish(s, Vec::new(), s.qty);
        }
    }
    let pieces = taken
        .into_iter()
        .map(|(l, q)| {
            let cost = l.cost.map(|c| if q == l.qty { c } else { crate::tax::share(c, q, l.qty) });
            piece(s, l, q, cost, class_of(s.jurisdiction, l.acquired, s.date))
        })
        .collect();
    finish(s, pieces, left)
}

fn piece(s: &TaxSale, l: &HeldLot, q: Decimal, cost: Option<Decimal>, class: Class) -> Piece {
    let proceeds = q * s.proceeds_per_unit;
    Piece {
        account: l.account.clone(),
        lot: l.lot,
        acquired: l.acquired,
        qty: q,
        cost,
        proceeds,
        gain: cost.map(|c| proceeds - c),
        class,
    }
}

fn finish(s: &TaxSale, pieces: Vec<Piece>, short_of: Decimal) -> Choice {
    let sum = |class: Class| -> Option<Decimal> {
        pieces.iter().filter(|p| p.class == class).map(|p| p.gain).sum::<Option<Decimal>>()
    };
    let (gs, gl, gf) = (sum(Class::Short), sum(Class::Long), sum(Class::TaxFree));
    // Within the sale, a net loss in one class offsets gains in the other (US netting); nothing below zero.
    let tax = match s.jurisdiction {
        Jurisdiction::Us => gs.zip(gl).and_then(|(st, lt)| {
            let (st, lt) = if st < Decimal::ZERO { (Decimal::ZERO, (lt + st).max(Decimal::ZERO)) } else { (st, lt) };
            let (st, lt) = if lt < Decimal::ZERO { ((st + lt).max(Decimal::ZERO), Decimal::ZERO) } else { (st, lt) };
            let short = if st.is_zero() { Some(Decimal::ZERO) } else { s.rates.short.map(|r| r * st) };
            let long = if lt.is_zero() { Some(Decimal::ZERO) } else { s.rates.long.map(|r| r * lt) };
            short.zip(long).map(|(a, b)| a + b)
        }),
        Jurisdiction::Uk | Jurisdiction::De => {
            gs.and_then(|g| if g <= Decimal::ZERO { Some(Decimal::ZERO) } else { s.rates.short.map(|r| r * g) })
        }
        // Half of a capital gain is taxable income, at the user's marginal rate.
        Jurisdiction::Ca => gs.and_then(|g| {
            if g <= Decimal::ZERO {
                Some(Decimal::ZERO)
            } else {
                s.rates.short.map(|r| r * g * crate::ca::INCLUSION_RATE)
            }
        }),
    };
    Choice {
        jurisdiction: s.jurisdiction,
        date: s.date,
        proceeds: pieces.iter().map(|p| p.proceeds).sum(),
        gain_short: gs,
        gain_long: gl,
        gain_tax_free: gf,
        tax: if pieces.iter().any(|p| p.gain.is_none()) { None } else { tax },
        unknown_basis: pieces.iter().filter(|p| p.gain.is_none()).count(),
        short_of,
        pieces,
    }
}

impl Choice {
    /// The same lots sold for `proceeds_per_unit` instead (say, a plan's net per unit): proceeds, gains and tax
    /// recomputed.
    pub fn repriced(&self, s: &TaxSale, proceeds_per_unit: Decimal) -> Choice {
        let s = TaxSale { proceeds_per_unit, ..s.clone() };
        let pieces = self
            .pieces
            .iter()
            .map(|p| {
                let proceeds = p.qty * proceeds_per_unit;
                Piece { proceeds, gain: p.cost.map(|c| proceeds - c), ..p.clone() }
            })
            .collect();
        finish(&s, pieces, self.short_of)
    }
}

/// Lots that turn long-term (US) or tax-free (Germany) within `horizon_days` of the sale and would change the
/// tax of this sale: for each such date, what selling then (at the same price) would save. Soonest first.
pub fn waits(s: &TaxSale, horizon_days: u32) -> Vec<Wait> {
    match s.jurisdiction {
        // Holding longer changes nothing in a pool.
        Jurisdiction::Uk | Jurisdiction::Ca => return Vec::new(),
        Jurisdiction::Us | Jurisdiction::De => {}
    }
    let now = choose(s);
    let mut dates: Vec<(NaiveDate, &HeldLot)> = s
        .lots
        .iter()
        .filter(|l| l.qty > Decimal::ZERO && !held_more_than_one_year(l.acquired, s.date))
        .filter_map(|l| first_long_term_date(l.acquired).map(|d| (d, l)))
        .filter(|(d, _)| (*d - s.date).num_days() <= i64::from(horizon_days))
        .collect();
    dates.sort_by_key(|(d, l)| (*d, l.lot));
    dates.dedup_by_key(|(d, _)| *d);
    let mut out = Vec::new();
    for (date, lot) in dates {
        let later = choose(&TaxSale { date, ..s.clone() });
        let moved = now.gain_short.zip(later.gain_short).map(|(a, b)| a - b).filter(|x| *x > Decimal::ZERO);
        let saving = match now.tax.zip(later.tax) {
            // With rates, only a lower tax counts (netting can make the move worthless).
            Some((a, b)) if a > b => Some(a - b),
            Some(_) => continue,
            // Without them, a gain leaving the short class is worth pointing out.
            None if moved.is_some() => None,
            None => continue,
        };
        let days = (date - s.date).num_days().max(0) as u32;
        out.push(Wait { days, date, lot: lot.lot, account: lot.account.clone(), saving, gain_moved: moved });
    }
    out
}

/// The day `days` after `date`, for callers building horizons.
pub fn after(date: NaiveDate, days: u32) -> Option<NaiveDate> {
    date.checked_add_days(Days::new(u64::from(days)))
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
    fn lot(account: &str, id: i64, acquired: &str, qty: &str, cost: Option<&str>) -> HeldLot {
        HeldLot { account: account.into(), lot: id, acquired: day(acquired), qty: d(qty), cost: cost.map(d) }
    }

    /// Three lots of 1 BTC; selling 1.5 at 60,000 on 2026-12-01 with rates 37 % / 20 %.
    fn us_lots() -> Vec<HeldLot> {
        vec![
            lot("kraken", 1, "2023-01-10", "1", Some("20000")), // long, gain 40,000 → tax 8,000 per BTC
            lot("ledger", 2, "2026-06-01", "1", Some("70000")), // short, loss 10,000 → tax −3,700 per BTC
            lot("kraken", 3, "2025-12-10", "1", Some("50000")), // short, gain 10,000 → tax 3,700 per BTC; long from 2026-12-11
        ]
    }

    #[test]
    fn us_picks_the_lots_that_cost_least_tax() {
        let lots = us_lots();
        let s = TaxSale {
            jurisdiction: Jurisdiction::Us,
            date: day("2026-12-01"),
            qty: d("1.5"),
            proceeds_per_unit: d("60000"),
            lots: &lots,
            rates: Rates { short: Some(d("0.37")), long: Some(d("0.20")) },
        };
        let c = choose(&s);
        // The loss lot first, then half of lot 3 (3,700 a BTC) before lot 1 (8,000 a BTC).
        let picked: Vec<(i64, Decimal)> = c.pieces.iter().map(|p| (p.lot, p.qty)).collect();
        assert_eq!(picked, [(2, d("1")), (3, d("0.5"))]);
        // Short: −10,000 + 5,000 = −5,000; long 0: no tax.
        assert_eq!((c.gain_short, c.gain_long, c.tax), (Some(d("-5000")), Some(Decimal::ZERO), Some(Decimal::ZERO)));
        assert!(c.short_of.is_zero());

        // 2.5 BTC: the loss offsets short gains, the rest is long-term.
        let c = choose(&TaxSale { qty: d("2.5"), ..s.clone() });
        assert_eq!(c.pieces.iter().map(|p| p.lot).collect::<Vec<_>>(), [2, 3, 1]);
        // short −10,000 + 10,000 = 0; long 0.5 × 40,000 = 20,000 at 20 % = 4,000.
        assert_eq!((c.gain_short, c.gain_long, c.tax), (Some(Decimal::ZERO), Some(d("20000")), Some(d("4000"))));

        // Selling all three, the loss offsets lot 3's short gain: waiting for it to turn long-term changes nothing.
        let all = TaxSale { qty: d("3"), ..s.clone() };
        assert!(waits(&all, 60).is_empty());
        // With lot 2 at a gain instead (5,000), lot 3 turning long-term on 2026-12-11 saves (37 % − 20 %) × 10,000.
        let mut gains = lots.clone();
        gains[1].cost = Some(d("55000"));
        let all = TaxSale { lots: &gains, ..all };
        assert_eq!(choose(&all).tax, Some(d("13550")), "short 15,000 × 37 % + long 40,000 × 20 %");
        let w = waits(&all, 60);
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].days, w[0].date, w[0].lot), (10, day("2026-12-11"), 3));
        assert_eq!(w[0].saving, Some(d("1700")));
        // Without rates: the classes are still split, the tax is unknown, waiting moves 10,000 to long term.
        let unknown = TaxSale { rates: Rates::default(), ..all };
        let c = choose(&unknown);
        assert_eq!(c.tax, None);
        assert_eq!(waits(&unknown, 60)[0].gain_moved, Some(d("10000")));
    }

    #[test]
    fn unknown_cost_is_used_last_and_makes_the_tax_unknown() {
        let lots = vec![lot("a", 1, "2020-01-01", "1", None), lot("a", 2, "2020-01-01", "1", Some("1000"))];
        let s = TaxSale {
            jurisdiction: Jurisdiction::Us,
            date: day("2026-12-01"),
            qty: d("1"),
            proceeds_per_unit: d("60000"),
            lots: &lots,
            rates: Rates { short: Some(d("0.3")), long: Some(d("0.15")) },
        };
        assert_eq!(choose(&s).pieces[0].lot, 2);
        let c = choose(&TaxSale { qty: d("1.5"), ..s.clone() });
        assert_eq!((c.unknown_basis, c.tax, c.gain_long), (1, None, None));
        let c = choose(&TaxSale { qty: d("3"), ..s });
        assert_eq!(c.short_of, d("1"));
    }

    #[test]
    fn germany_fifo_per_wallet_prefers_the_tax_free_wallet() {
        // Wallet A's oldest lot is recent (taxable); wallet B's oldest is over a year old (tax-free).
        let lots = vec![
            lot("A", 1, "2026-06-01", "1", Some("50000")),
            lot("A", 2, "2026-07-01", "1", Some("55000")),
            lot("B", 3, "2024-01-01", "0.5", Some("20000")),
            lot("B", 4, "2026-10-01", "1", Some("58000")),
        ];
        let s = TaxSale {
            jurisdiction: Jurisdiction::De,
            date: day("2026-12-01"),
            qty: d("1"),
            proceeds_per_unit: d("60000"),
            lots: &lots,
            rates: Rates { short: Some(d("0.42")), long: None },
        };
        let c = choose(&s);
        // B's tax-free lot first (0.5), then the cheaper taxable head: B's lot 4 (gain 2,000/BTC) beats A's lot 1
        // (10,000/BTC).
        assert_eq!(c.pieces.iter().map(|p| (p.lot, p.qty)).collect::<Vec<_>>(), [(3, d("0.5")), (4, d("0.5"))]);
        assert_eq!((c.gain_tax_free, c.gain_short), (Some(d("10000")), Some(d("1000"))));
        assert_eq!(c.tax, Some(d("420")));
        // FIFO holds inside a wallet: lot 2 is never taken before lot 1.
        let c = choose(&TaxSale { qty: d("3"), ..s.clone() });
        let a: Vec<i64> = c.pieces.iter().filter(|p| p.account == "A").map(|p| p.lot).collect();
        assert_eq!(a, [1, 2]);
        // Lot 1 turns tax-free on 2027-06-02: 183 days.
        let w = waits(&TaxSale { qty: d("3.5"), ..s }, 200);
        assert_eq!(w[0].date, day("2027-06-02"));
        assert_eq!(w[0].days, 183);
    }

    #[test]
    fn uk_uses_the_pool_average() {
        let lots = vec![lot("a", 1, "2020-01-01", "1", Some("10000")), lot("b", 2, "2025-01-01", "3", Some("150000"))];
        let s = TaxSale {
            jurisdiction: Jurisdiction::Uk,
            date: day("2026-12-01"),
            qty: d("2"),
            proceeds_per_unit: d("50000"),
            lots: &lots,
            rates: Rates { short: Some(d("0.24")), long: None },
        };
        let c = choose(&s);
        // Pool: 4 BTC for 160,000 → 80,000 for 2; proceeds 100,000; gain 20,000; tax 4,800.
        assert_eq!((c.pieces[0].cost, c.gain_short, c.tax), (Some(d("80000")), Some(d("20000")), Some(d("4800"))));
        assert!(waits(&s, 365).is_empty(), "no holding-period rule in the UK");
    }
}
