//! The sale planner on a small hand-made catalog: limits never exceeded, costs by the reference recipe, the
//! frontier, the desk-and-exchange mix, unknowns staying unknown.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use std::str::FromStr;

use chrono::NaiveDate;
use offramp_core::catalog::parse_catalog;
use offramp_core::market::{room_on, ImpactParams};
use offramp_core::plan::{plan, withdrawn, PlanRequest, RiskAppetite};
use offramp_core::quote::SaleRequest;
use offramp_core::{Code, Decimal};
use proptest::prelude::*;
use rust_decimal::MathematicalOps;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// An exchange with Kraken-like tiers and limits, one without published limits, a desk with a quoted spread
/// and one without.
fn catalog(day_cap: &str, month_cap: &str) -> String {
    format!(
        r#"[
  {{"id":"ex","name":"Ex","kind":"exchange","status":"active","regions":["US"],"fiat_currencies":["USD"],
    "maker_fee_pct":0.16,"taker_fee_pct":0.26,
    "fees":{{"volume_currency":"USD","tiers":[{{"min_30d_volume":0,"maker_pct":0.16,"taker_pct":0.26}},
                                            {{"min_30d_volume":50000,"maker_pct":0.14,"taker_pct":0.24}},
                                            {{"min_30d_volume":100000,"maker_pct":0.12,"taker_pct":0.22}}]}},
    "fiat_withdrawal_methods":[{{"method":"wire","currency":"USD","fee_fixed":4}}],
    "crypto_deposit":{{"fee":"free (network fee paid by sender)"}},
    "withdrawal_limits":[{{"level":"Intermediate","fiat_withdraw_per_day_usd":{day_cap},"fiat_withdraw_per_month_usd":{month_cap}}}],
    "as_of":"2026-01-01"}},
  {{"id":"nolimits","name":"No limits published","kind":"exchange","status":"active","regions":["US"],
    "fiat_currencies":["USD"],"taker_fee_pct":0.5,"maker_fee_pct":0.25,
    "fiat_withdrawal_methods":[{{"method":"ACH","currency":"USD","fee_fixed":0}}],"as_of":"2026-01-01"}},
  {{"id":"desk","name":"Desk","kind":"otc","status":"active","regions":["global"],"fiat_currencies":["USD"],
    "min_ticket_usd":100000,"typical_spread_pct":0.3,"as_of":"2026-01-01"}},
  {{"id":"silent_desk","name":"Silent desk","kind":"otc","status":"active","regions":["global"],
    "fiat_currencies":["USD"],"min_ticket_usd":50000,"typical_spread_pct":null,"as_of":"2026-01-01"}}
]"#
    )
}

fn request(qty: &str, price: &str, impact: bool, max_days: u32) -> PlanRequest {
    PlanRequest {
        sale: SaleRequest {
            asset: Code::parse("BTC").unwrap(),
            qty: d(qty),
            fiat: Code::parse("USD").unwrap(),
            country: "US".into(),
            price: d(price),
            volume_30d: Decimal::ZERO,
            impact: impact.then(|| ImpactParams { y: d("0.7"), daily_volatility: d("0.03"), daily_volume: d("10000") }),
            levels: Vec::new(),
            held_at: None,
        },
        start: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        max_days,
        cash_by: None,
        cash_needed: None,
        risk: RiskAppetite::Medium,
    }
}

#[test]
fn ten_btc_under_kraken_like_limits() {
    // 10 BTC at 64,000 = 640,000 USD; 100,000 a day and 500,000 in any 30 days: one month cannot hold it.
    let venues = parse_catalog(&catalog("100000", "500000")).unwrap();
    let p = plan(&venues, &request("10", "64000", true, 60));
    let ex = p.exchanges.iter().find(|v| v.venue == "ex").unwrap();
    assert!(ex.unsuitable.is_empty(), "{:?}", ex.unsuitable);
    // The fastest: 100,000 on each of days 1-5 fills the 30-day window; day 31 has room for 100,000 again (days 2-5
    // hold 400,000), day 32 for the last 40,000: 32 days.
    assert_eq!(ex.fewest_days, Some(32));
    assert!(ex.schedules.iter().all(|s| s.days >= 32), "nothing shorter fits");
    let fastest = ex.schedules.iter().find(|s| s.fastest).unwrap();
    let days: Vec<(u32, Decimal)> = fastest
        .sales
        .iter()
        .map(|x| ((x.day - NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()).num_days() as u32 + 1, x.gross))
        .collect();
    // Each full day is the most of 8 places whose gross is 100,000.00 in cents: 1.56250007 BTC = 100,000.00448;
    // the last day the rest, 0.62499958 BTC = 39,999.97312.
    let k = d("100000.00");
    let withdrawn_days: Vec<(u32, Decimal)> = days.iter().map(|(n, g)| (*n, withdrawn(*g))).collect();
    assert_eq!(withdrawn_days, [(1, k), (2, k), (3, k), (4, k), (5, k), (31, k), (32, d("39999.97"))]);
    // An even split needs a day's share within 100,000 (7 days) and 30 days' share within 500,000: 30 × 640,000 / N
    // ≤ 500,000 gives 39 days; it is offered beside the fastest.
    let s = ex.schedules.iter().find(|s| s.days == 39 && s.urgency.is_zero() && !s.fastest).unwrap();
    assert_eq!(s.sales.iter().map(|x| x.qty).sum::<Decimal>(), d("10"));
    // Costs by hand for the even split: q = 10/39 BTC a day (the last day takes the rest).
    let q = s.sales[0].qty;
    assert_eq!(q, d("0.25641025"));
    let gross = q * d("64000");
    // Same order of operations as the code: peak = Y·σ·sqrt(q/V), average = peak·2/3, cost = gross × average.
    let peak = d("0.7") * d("0.03") * (q / d("10000")).sqrt().unwrap();
    let impact = gross * (peak * d("2") / d("3"));
    assert_eq!(s.sales[0].impact, Some(impact));
    assert_eq!(s.sales[0].fee_pct, Some(d("0.26")));
    assert_eq!(s.sales[0].withdrawal_fee, Some(d("4")));
    // The seller's own sales reach the 50,000 tier after four days (4 × 16,410.26 ≥ 50,000): day 5 pays 0.24 %.
    assert_eq!(s.sales[4].fee_pct, Some(d("0.24")));
    assert_eq!(s.sales[3].fee_pct, Some(d("0.26")));
    // The withdrawal fee is paid every day.
    let wfees: Decimal = s.sales.iter().filter_map(|x| x.withdrawal_fee).sum();
    assert_eq!(wfees, d("156"));
    assert_eq!(s.net, s.cost.map(|c| s.gross - c));
    // Risk of an even split: σ·P·Q·sqrt((N−1)(2N−1)/(6N)) (reference §3.2), to the precision of the 8-place cut.
    let n = d("39");
    let closed =
        d("0.03") * d("64000") * d("10") * ((n - d("1")) * (d("2") * n - d("1")) / (d("6") * n)).sqrt().unwrap();
    assert!((s.risk_std.unwrap() - closed).abs() < d("0.01"), "{} vs {closed}", s.risk_std.unwrap());
}

/// 650,000 USD under 25,000 a day and 100,000 in any 30 days: an even split needs 196 days; selling each day's
/// room needs 182 (six full 30-day windows of 100,000, then two days of 25,000).
#[test]
fn the_fewest_days_are_the_greedy_fill() {
    let venues = parse_catalog(&catalog("25000", "100000")).unwrap();
    let p = plan(&venues, &request("10", "65000", true, 365));
    let ex = p.exchanges.iter().find(|v| v.venue == "ex").unwrap();
    assert_eq!(ex.fewest_days, Some(182));
    assert!(ex.schedules.iter().any(|s| s.fastest && s.days == 182));
    let even: Vec<u32> = ex.schedules.iter().filter(|s| !s.fastest && s.urgency.is_zero()).map(|s| s.days).collect();
    assert!(even.iter().any(|&n| n > 182), "the steadier even split: {even:?}");
    // Within 181 days it cannot be done.
    let p = plan(&venues, &request("10", "65000", true, 181));
    let ex = p.exchanges.iter().find(|v| v.venue == "ex").unwrap();
    assert_eq!(ex.fewest_days, None);
    assert!(ex.unsuitable.iter().any(|u| u.contains("do not allow this sale within 181 days")), "{:?}", ex.unsuitable);
}

#[test]
fn the_frontier_trades_cost_for_risk() {
    let venues = parse_catalog(&catalog("10000000", "100000000")).unwrap();
    let p = plan(&venues, &request("50", "65000", true, 30));
    let ex = p.exchanges.iter().find(|v| v.venue == "ex").unwrap();
    assert_eq!(ex.fewest_days, Some(1));
    let frontier: Vec<_> = ex.schedules.iter().filter(|s| s.efficient).collect();
    assert!(frontier.len() >= 3, "{} efficient schedules", frontier.len());
    // Along the frontier, less risk costs more.
    let mut points: Vec<(Decimal, Decimal)> = frontier.iter().map(|s| (s.risk_std.unwrap(), s.cost.unwrap())).collect();
    points.sort();
    assert!(points.windows(2).all(|w| w[0].1 > w[1].1), "{points:?}");
    // Selling everything today has no holding risk and the highest impact.
    let today = ex.schedules.iter().find(|s| s.days == 1).unwrap();
    assert!(today.efficient && today.risk_std == Some(Decimal::ZERO));
    // No schedule off the frontier beats one on it in both respects.
    for s in ex.schedules.iter().filter(|s| !s.efficient) {
        assert!(frontier.iter().any(|f| f.cost <= s.cost && f.risk_std <= s.risk_std));
    }
    // Limit orders at the maker fee would save the fee difference on every slice.
    assert_eq!(today.maker_saving, Some(d("50") * d("65000") * d("0.10") / d("100")));
}

#[test]
fn unknowns_stay_unknown() {
    let venues = parse_catalog(&catalog("100000", "500000")).unwrap();
    // Without daily volume and volatility: impact, cost, net and risk are unknown, never zero.
    let p = plan(&venues, &request("1", "65000", false, 10));
    let ex = p.exchanges.iter().find(|v| v.venue == "ex").unwrap();
    assert!(!ex.schedules.is_empty());
    assert!(ex.schedules.iter().all(|s| s.cost.is_none() && s.net.is_none() && s.risk_std.is_none()));
    assert!(ex.schedules.iter().all(|s| s.sales.iter().all(|x| x.impact.is_none() && x.fee.is_some())));
    assert!(p.notes.iter().any(|n| n.contains("costs are unknown")));
    // A venue without published limits is planned, and says it could not check them.
    let open = p.exchanges.iter().find(|v| v.venue == "nolimits").unwrap();
    assert!(open.limits.is_empty() && open.warnings.iter().any(|w| w.contains("limits unknown")));
    // A desk without a published spread is listed, not priced.
    assert_eq!(p.desks_without_quote, ["silent_desk"]);
}

#[test]
fn the_desk_takes_the_bulk_and_the_exchange_the_rest() {
    let venues = parse_catalog(&catalog("10000000", "100000000")).unwrap();
    let p = plan(&venues, &request("50", "65000", true, 30));
    let m = p.mixes.iter().find(|m| m.desk == "desk" && m.exchange == "ex").unwrap();
    // q* = V·((s − f)/(Y·σ))² = 10000 · ((0.003 − 0.0026)/(0.7 · 0.03))² = 3.62811791... BTC.
    assert_eq!(m.exchange_qty, d("3.62811791"));
    assert_eq!(m.desk_qty + m.exchange_qty, d("50"));
    // At q*, one more unit on the exchange costs what the desk charges: the mix beats both alone.
    let ex_today =
        p.exchanges.iter().find(|v| v.venue == "ex").unwrap().schedules.iter().find(|s| s.days == 1).unwrap();
    assert!(m.cost < ex_today.cost.unwrap());
    let desk_alone = d("50") * d("65000") * d("0.003");
    assert!(m.cost < desk_alone, "{} vs {desk_alone}", m.cost);
    assert_eq!(m.net, d("50") * d("65000") - m.cost);
    // Too small for the desk's minimum ticket: no mix.
    let small = plan(&venues, &request("1", "65000", true, 30));
    assert!(small.mixes.is_empty());
}

/// Minimum sizes: an exchange whose smallest order is 20 USD and whose wire takes at least 1,000 USD. Selling
/// 0.1 BTC at 65,000 (6,500 USD): splits of 7 days or more would withdraw less than 1,000 a day, so the longest
/// candidate planned is 5 days (candidates: 1 to 5, 7, 10, ...); 0.01 BTC (650 USD) cannot be withdrawn at all.
#[test]
fn minimum_order_and_withdrawal_sizes() {
    let json = r#"[{"id":"small","name":"Small","kind":"exchange","status":"active","regions":["US"],
        "fiat_currencies":["USD"],"taker_fee_pct":0.2,"maker_fee_pct":0.1,
        "min_order":{"btcusd_quote":20.0,"currency":"USD"},
        "fiat_withdrawal_methods":[{"method":"wire","currency":"USD","fee_fixed":10,"min_amount":1000}],
        "crypto_deposit":{"fee":"free"},
        "withdrawal_limits":[{"level":"Basic","fiat_withdraw_per_day_usd":100000,"fiat_withdraw_per_month_usd":1000000}]}]"#;
    let venues = parse_catalog(json).unwrap();
    assert_eq!((venues[0].min_order, venues[0].min_order_currency.as_deref()), (Some(d("20")), Some("USD")));
    let p = plan(&venues, &request("0.1", "65000", true, 30));
    let v = &p.exchanges[0];
    let days: std::collections::BTreeSet<u32> = v.schedules.iter().map(|s| s.days).collect();
    assert_eq!(days.iter().max(), Some(&5), "{days:?}");
    assert!(v.schedules.iter().all(|s| s.sales.iter().all(|x| x.gross >= d("1000"))));
    assert!(v.warnings.iter().any(|w| w.contains("minimum order or withdrawal size")), "{:?}", v.warnings);
    let p = plan(&venues, &request("0.01", "65000", true, 30));
    assert_eq!(p.exchanges[0].unsuitable, ["no schedule meets the minimum order and withdrawal sizes"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// No schedule ever puts more into a day or any 30-day window than the caps allow, checked day by day with
    /// the independent `room_on`, and the days add up to the quantity sold.
    #[test]
    fn plans_never_exceed_a_limit(
        qty_sats in 1_000_000u64..5_000_000_000u64,
        price in 1_000u32..150_000u32,
        day_cap in 1_000u32..500_000u32,
        month_factor in 1u32..40u32,
        max_days in 1u32..120u32,
    ) {
        let qty = Decimal::new(qty_sats as i64, 8);
        let month_cap = day_cap * month_factor;
        let venues = parse_catalog(&catalog(&day_cap.to_string(), &month_cap.to_string())).unwrap();
        let mut req = request("1", "1", true, max_days);
        req.sale.qty = qty;
        req.sale.price = Decimal::from(price);
        let p = plan(&venues, &req);
        let ex = p.exchanges.iter().find(|v| v.venue == "ex").unwrap();
        for s in &ex.schedules {
            prop_assert_eq!(s.sales.iter().map(|x| x.qty).sum::<Decimal>(), qty);
            let mut history = Vec::new();
            // Fiat is withdrawn in cents: each day counts its gross rounded to the cent.
            for x in &s.sales {
                let room = room_on(x.day, &history, &ex.limits).unwrap();
                let out = withdrawn(x.gross);
                prop_assert!(out <= room, "day {} withdraws {} room {}", x.day, out, room);
                history.push((x.day, out));
            }
        }
        // Either some schedule fits, or the plan says the limits do not allow the sale in the horizon.
        prop_assert!(!ex.schedules.is_empty() || ex.unsuitable.iter().any(|u| u.contains("do not allow")));
        // The fewest days are those of the greedy fill, computed here independently with `room_on`: each day sells
        // all the room left (cut to 8 places), the last day the rest.
        let start = req.start;
        let price = Decimal::from(price);
        let (mut left, mut history, mut greedy) = (qty, Vec::new(), Vec::new());
        let mut day = 0u32;
        while left > Decimal::ZERO && day < max_days {
            let date = start + chrono::Days::new(u64::from(day));
            let room = room_on(date, &history, &ex.limits).unwrap();
            // The largest quantity of 8 places (or all that is left) whose gross in cents fits today's room.
            // (The test catalog publishes no minimum order.)
            let sat = Decimal::new(1, 8);
            let q = if withdrawn(left * price) <= room {
                left
            } else if room.is_zero() {
                Decimal::ZERO
            } else {
                let mut q = (room / price).round_dp_with_strategy(8, rust_decimal::RoundingStrategy::ToZero);
                while q + sat < left && withdrawn((q + sat) * price) <= room {
                    q += sat;
                }
                q
            };
            if q > Decimal::ZERO {
                history.push((date, withdrawn(q * price)));
                greedy.push((date, q));
            }
            left -= q;
            day += 1;
        }
        let expected = (left.is_zero()).then_some(day);
        prop_assert_eq!(ex.fewest_days, expected);
        if let Some(n) = expected {
            prop_assert!(ex.schedules.iter().all(|s| s.days >= n), "a schedule shorter than the fewest days");
            if let Some(f) = ex.schedules.iter().find(|s| s.fastest) {
                let sold: Vec<(NaiveDate, Decimal)> = f.sales.iter().map(|x| (x.day, x.qty)).collect();
                prop_assert_eq!(sold, greedy);
            }
        }
    }
}
