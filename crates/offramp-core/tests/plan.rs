//! The sale planner on a small hand-made catalog: limits never exceeded, costs by the reference recipe, the
//! frontier, the desk-and-exchange mix, unknowns staying unknown.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use std::str::FromStr;

use chrono::NaiveDate;
use offramp_core::catalog::parse_catalog;
use offramp_core::market::{room_on, ImpactParams};
use offramp_core::plan::{plan, withdrawn, PlanKind, PlanRequest, RiskAppetite};
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
        history: Vec::new(),
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

/// Two exchanges with the same Kraken-like limits, the second with a different withdrawal fee.
fn two_exchange_catalog() -> String {
    let base = catalog("100000", "500000");
    let second = r#"{"id":"ex2","name":"Ex2","kind":"exchange","status":"active","regions":["US"],"fiat_currencies":["USD"],
    "maker_fee_pct":0.1,"taker_fee_pct":0.2,"fiat_withdrawal_methods":[{"method":"wire","currency":"USD","fee_fixed":10}],
    "crypto_deposit":{"fee":"free"},
    "withdrawal_limits":[{"level":"Starter","fiat_withdraw_per_day_usd":50000,"fiat_withdraw_per_month_usd":200000},
                         {"level":"Plus","fiat_withdraw_per_day_usd":200000,"fiat_withdraw_per_month_usd":2000000}],
    "as_of":"2026-01-01"},"#;
    base.replacen("[\n", &format!("[\n{second}\n"), 1)
}

#[test]
fn sell_now_and_withdraw_over_days_has_no_price_risk_and_ranks_first_when_limits_bind() {
    // 10 BTC at 64,000 under 100,000 a day and 500,000 in 30 days: selling takes 32 days with the price risk of
    // holding; selling on day 1 and withdrawing over the same 32 days holds fiat at the exchange instead.
    let venues = parse_catalog(&catalog("100000", "500000")).unwrap();
    let p = plan(&venues, &request("10", "64000", true, 60));
    let now = p.recommended.iter().find(|c| c.kind == PlanKind::SellNowWithdrawLater).unwrap();
    assert_eq!((now.days_to_cash, now.price_risk), (Some(32), Some(Decimal::ZERO)));
    assert_eq!(now.tranches[0].sell, d("10"));
    assert!(now.tranches[1..].iter().all(|t| t.sell.is_zero()));
    // Withdrawals: 100,000 on days 1-5, 100,000 on day 31, the rest on day 32, 4 USD each.
    let w: Vec<Decimal> = now.tranches.iter().map(|t| t.withdraw.unwrap()).collect();
    assert_eq!(&w[..6], &[d("100000"); 6]);
    assert_eq!(w.len(), 7);
    assert_eq!(now.tranches.iter().map(|t| t.withdrawal_fee.unwrap()).sum::<Decimal>(), d("28"));
    // Net: gross less the base taker fee (0.26 %), one day's impact, 7 withdrawals and a free deposit.
    let gross = d("640000");
    let impact = gross * d("2") / d("3") * d("0.7") * d("0.03") * (d("10") / d("10000")).sqrt().unwrap();
    let expected = gross - gross * d("0.0026") - impact - d("28");
    assert!((now.net.unwrap() - expected).abs() < d("0.01"), "{:?} vs {expected}", now.net);
    assert_eq!(now.custody_days, 32);
    // The desk with a published 0.3 % spread takes the bulk on day 1: first, with no price risk and no custody
    // for a month. Then selling now beats 32 days of price risk at medium risk appetite.
    assert_eq!(p.recommended[0].kind, PlanKind::DeskAndExchange, "{:?}", p.recommended[0].title);
    assert!(p.recommended[0].reason.starts_with("Recommended"), "{}", p.recommended[0].reason);
    let pos = |k: PlanKind| p.recommended.iter().position(|c| c.kind == k && c.venues == ["ex"]).unwrap();
    assert!(pos(PlanKind::SellNowWithdrawLater) < pos(PlanKind::OverDays));
    assert!(now.steps[0].text.starts_with("Deposit 10 BTC to Ex"), "{}", now.steps[0].text);
    assert!(now.steps[1].text.contains("maker fee (0.16%)"), "{}", now.steps[1].text);
    assert!(
        now.steps[2].text.starts_with("Withdraw 100000.00 USD to your bank by wire (fee 4.00"),
        "{}",
        now.steps[2].text
    );
    assert!(now.sources.iter().any(|s| s.figure == "withdrawal: wire"));
    assert!(now.reason.contains("less than the recommendation"), "{}", now.reason);
    // Ranked: scores never increase down the list among plans whose figures are all known.
    let scores: Vec<Decimal> = p.recommended.iter().map_while(|c| c.score).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[test]
fn a_risk_loving_seller_and_coins_already_at_the_exchange() {
    let venues = parse_catalog(&catalog("100000", "500000")).unwrap();
    let mut req = request("10", "64000", true, 60);
    req.risk = RiskAppetite::High;
    let p = plan(&venues, &req);
    // Only the expected net counts: over days is cheaper (less impact a day) and ranks first at high appetite.
    let first = &p.recommended[0];
    let over = p.recommended.iter().find(|c| c.kind == PlanKind::OverDays && c.venues == ["ex"]).unwrap();
    let now = p.recommended.iter().find(|c| c.kind == PlanKind::SellNowWithdrawLater).unwrap();
    assert!(over.net.unwrap() > now.net.unwrap());
    assert_eq!(first.score, first.net, "no charge for price risk");
    assert!(p.recommended.iter().position(|c| c == over) < p.recommended.iter().position(|c| c == now));
    // Coins already at the exchange: no deposit step.
    req.sale.held_at = Some("ex".into());
    let p = plan(&venues, &req);
    let c = p.recommended.iter().find(|c| c.venues == ["ex"]).unwrap();
    assert!(c.steps[0].text.contains("already at Ex: no deposit"), "{}", c.steps[0].text);
}

#[test]
fn two_exchanges_in_parallel_add_their_limits() {
    let venues = parse_catalog(&two_exchange_catalog()).unwrap();
    let p = plan(&venues, &request("10", "64000", true, 60));
    // Ex alone: 32 days; Ex2 at its entry level (Starter: 50,000 a day, 200,000 in 30 days): beyond 60 days.
    let ex2 = p.exchanges.iter().find(|v| v.venue == "ex2").unwrap();
    assert_eq!(ex2.limits_level.as_deref(), Some("Starter"));
    let both = p.recommended.iter().find(|c| c.kind == PlanKind::TwoExchanges).unwrap();
    // Together 150,000 a day for 4 days and 50,000 more: Ex's 500,000 and Ex2's 200,000 hold 640,000 in 5 days.
    assert_eq!(both.days_to_cash, Some(5), "{}", both.title);
    let mut names = both.venues.clone();
    names.sort();
    assert_eq!(names, ["ex", "ex2"]);
    assert_eq!(both.tranches.iter().map(|t| t.sell).sum::<Decimal>(), d("10"));
    // At the Plus level the seller names, Ex2 alone needs 4 days, so a pair must beat that to be offered.
    let mut req = request("10", "64000", true, 60);
    req.sale.levels = vec![offramp_core::quote::VenueLevel { venue: "ex2".into(), level: "Plus".into() }];
    let p = plan(&venues, &req);
    assert_eq!(p.exchanges.iter().find(|v| v.venue == "ex2").unwrap().fewest_days, Some(4));
    assert!(p.recommended.iter().filter(|c| c.kind == PlanKind::TwoExchanges).all(|c| c.days_to_cash < Some(4)));
}

#[test]
fn a_deadline_ranks_plans_that_pay_in_time_first() {
    let venues = parse_catalog(&catalog("100000", "500000")).unwrap();
    let mut req = request("10", "64000", true, 60);
    // 300,000 needed by day 3: every plan here withdraws 100,000 a day, so day 3 is just enough.
    req.cash_by = Some(NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
    req.cash_needed = Some(d("299000"));
    let p = plan(&venues, &req);
    let now = p.recommended.iter().find(|c| c.kind == PlanKind::SellNowWithdrawLater).unwrap();
    assert_eq!(now.meets_deadline, Some(true));
    // All of it by day 3 is impossible: every plan misses, and says so.
    req.cash_needed = None;
    let p = plan(&venues, &req);
    assert!(p.recommended.iter().filter(|c| c.venues == ["ex"]).all(|c| c.meets_deadline == Some(false)));
    assert!(p
        .recommended
        .iter()
        .filter(|c| c.meets_deadline == Some(false))
        .all(|c| c.reason.contains("by 2026-12-03")));
}

/// A sale under way: what was withdrawn in the last 30 days counts against the windows of the rest.
#[test]
fn withdrawals_already_made_count_against_the_windows() {
    let venues = parse_catalog(&catalog("100000", "500000")).unwrap();
    let fresh = plan(&venues, &request("4", "64000", true, 60));
    let ex = |p: &offramp_core::plan::Plan| p.exchanges.iter().find(|v| v.venue == "ex").unwrap().fewest_days;
    // 256,000: three days of 100,000, 100,000 and 56,000.
    assert_eq!(ex(&fresh), Some(3));
    // 400,000 withdrawn over the four days before: the 30-day window has 100,000 left, so 100,000 on day 1,
    // then nothing until the first of those days leaves the window (day 27), then the rest.
    let mut req = request("4", "64000", true, 60);
    for back in 1..=4u64 {
        req.history.push(offramp_core::plan::PastWithdrawal {
            venue: "ex".into(),
            day: req.start - chrono::Days::new(back),
            amount: d("100000"),
        });
    }
    let p = plan(&venues, &req);
    assert_eq!(ex(&p), Some(28), "{:?}", p.exchanges[0].schedules.iter().find(|s| s.fastest).map(|s| &s.sales));
    let now = p.recommended.iter().find(|c| c.kind == PlanKind::SellNowWithdrawLater).unwrap();
    let days: Vec<i64> = now.tranches.iter().map(|t| (t.day - req.start).num_days() + 1).collect();
    assert_eq!(days.first(), Some(&1));
    assert!(days.iter().skip(1).all(|d| *d >= 27), "{days:?}");
    // Withdrawn earlier today (the first day of the plan): today's cap is used up, the rest takes a day longer.
    let mut today = request("4", "64000", true, 60);
    today.history.push(offramp_core::plan::PastWithdrawal {
        venue: "ex".into(),
        day: today.start,
        amount: d("100000"),
    });
    assert_eq!(ex(&plan(&venues, &today)), Some(4));
    // Withdrawals at another venue, or more than a year ago, do not count.
    let mut other = request("4", "64000", true, 60);
    other.history.push(offramp_core::plan::PastWithdrawal {
        venue: "nolimits".into(),
        day: other.start - chrono::Days::new(1),
        amount: d("500000"),
    });
    other.history.push(offramp_core::plan::PastWithdrawal {
        venue: "ex".into(),
        day: other.start - chrono::Days::new(400),
        amount: d("500000"),
    });
    assert_eq!(ex(&plan(&venues, &other)), Some(3));
}

#[test]
fn each_tranche_sells_its_part_of_the_lots() {
    use offramp_core::taxplan::{HeldLot, Jurisdiction, Rates};
    let venues = parse_catalog(&catalog("100000", "500000")).unwrap();
    let lot = |n: i64, day: &str, qty: &str, cost: &str| HeldLot {
        account: "Ex".into(),
        lot: n,
        acquired: NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap(),
        qty: d(qty),
        cost: Some(d(cost)),
    };
    // 10 BTC from three lots; a US seller: the lots that cost least tax go first (the long-term, dearest).
    let lots =
        [lot(1, "2020-01-01", "4", "40000"), lot(2, "2026-06-01", "3", "270000"), lot(3, "2023-01-01", "5", "100000")];
    let rates = Rates { short: Some(d("0.32")), long: Some(d("0.15")) };
    let p = plan(&venues, &request("10", "64000", true, 60)).with_tax(&lots, Jurisdiction::Us, rates, 90);
    let choice = &p.tax.as_ref().unwrap().choice;
    for c in p.recommended.iter().filter(|c| !c.tranches.is_empty()) {
        // Every tranche's lots add up to what it sells, and over the plan to the lots the sale uses, in order.
        for t in &c.tranches {
            assert_eq!(t.lots.iter().map(|l| l.qty).sum::<Decimal>(), t.sell, "{}: {}", c.title, t.day);
        }
        let mut used: Vec<(i64, Decimal)> = Vec::new();
        for l in c.tranches.iter().flat_map(|t| &t.lots) {
            match used.last_mut() {
                Some((n, q)) if *n == l.lot => *q += l.qty,
                _ => used.push((l.lot, l.qty)),
            }
        }
        let expected: Vec<(i64, Decimal)> = choice.pieces.iter().map(|p| (p.lot, p.qty)).collect();
        assert_eq!(used, expected, "{}", c.title);
        assert!(c.tax.is_some() && c.after_tax.is_some() || c.net.is_none(), "{}", c.title);
    }
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
        earlier_pct in 0u32..=100u32,
        earlier_back in 0u64..40u64,
    ) {
        let qty = Decimal::new(qty_sats as i64, 8);
        let month_cap = day_cap * month_factor;
        let venues = parse_catalog(&catalog(&day_cap.to_string(), &month_cap.to_string())).unwrap();
        let mut req = request("1", "1", true, max_days);
        req.sale.qty = qty;
        req.sale.price = Decimal::from(price);
        // A sale under way: something already withdrawn some days before (at most a day's cap).
        let earlier_day = req.start - chrono::Days::new(earlier_back);
        let earlier = Decimal::from(day_cap) * Decimal::from(earlier_pct) / Decimal::ONE_HUNDRED;
        let earlier = earlier.round_dp(2);
        req.history.push(offramp_core::plan::PastWithdrawal { venue: "ex".into(), day: earlier_day, amount: earlier });
        let before = vec![(earlier_day, earlier)];
        let p = plan(&venues, &req);
        let ex = p.exchanges.iter().find(|v| v.venue == "ex").unwrap();
        for s in &ex.schedules {
            prop_assert_eq!(s.sales.iter().map(|x| x.qty).sum::<Decimal>(), qty);
            let mut history = before.clone();
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
        let (mut left, mut history, mut greedy) = (qty, before.clone(), Vec::new());
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
        // Every complete plan's withdrawals (sell now and withdraw later included) stay within every window at
        // every venue it uses, and it sells exactly the quantity.
        for c in &p.recommended {
            if !matches!(c.kind, PlanKind::OverDays | PlanKind::SellNowWithdrawLater | PlanKind::TwoExchanges) {
                continue;
            }
            prop_assert_eq!(c.tranches.iter().map(|t| t.sell).sum::<Decimal>(), qty, "{}", c.title);
            for venue in &c.venues {
                let limits = &p.exchanges.iter().find(|v| &v.venue == venue).unwrap().limits;
                let mut history = if venue == "ex" { before.clone() } else { Vec::new() };
                for t in c.tranches.iter().filter(|t| &t.venue == venue) {
                    // What counts against the limits: the withdrawal, else (impact unknown) the day's gross.
                    let out = t.withdraw.unwrap_or_else(|| withdrawn(t.sell * price));
                    let Some(room) = room_on(t.day, &history, limits) else { continue };
                    prop_assert!(out <= room, "{}: day {} withdraws {} room {}", c.title, t.day, out, room);
                    history.push((t.day, out));
                }
            }
            if c.kind == PlanKind::SellNowWithdrawLater {
                // Everything is sold on day 1; the withdrawals take as many days as the greedy fill does.
                prop_assert_eq!(c.tranches[0].sell, qty);
                prop_assert_eq!(c.price_risk, Some(Decimal::ZERO));
            }
        }
        if let Some(n) = expected {
            prop_assert!(ex.schedules.iter().all(|s| s.days >= n), "a schedule shorter than the fewest days");
            if let Some(f) = ex.schedules.iter().find(|s| s.fastest) {
                let sold: Vec<(NaiveDate, Decimal)> = f.sales.iter().map(|x| (x.day, x.qty)).collect();
                prop_assert_eq!(sold, greedy);
            }
        }
    }
}
