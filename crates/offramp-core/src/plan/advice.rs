//! One recommendation, then the alternatives: complete plans across venue kinds, ranked.
//!
//! The kinds: one exchange over days, withdrawing as it sells; everything sold on day 1 at one exchange and the
//! fiat withdrawn over the days its limits need (no price risk; the exchange holds the money meanwhile); two
//! exchanges in parallel, adding their limits; a desk for the bulk and an exchange for the rest (when the desk's
//! spread is known), or a desk to ask for a quote; P2P platforms and ATM operators with their caps applied.
//!
//! Ranking, in order: plans that pay the cash the seller needs by their day (when they gave one) before those
//! that do not or cannot say; plans whose every cost is known before those with an unknown cost; plans whose
//! days to cash are known; then the highest *score*, the expected net less the seller's risk weight times one
//! standard deviation of price risk (low appetite 2, medium 1, high 0). Money is in the sale's currency and not
//! rounded here (the fronts print cents, half away from zero).

use chrono::{Days, NaiveDate};
use serde::Serialize;

use super::{withdrawn, Mix, PlanRequest, Room, Trajectory, VenueCosts, VenuePlan, QTY_PLACES};
use crate::catalog::{Venue, VenueKind, VenueStatus};
use crate::quote::{fees_for, quote};
use crate::Decimal;

/// How much price risk the seller accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum RiskAppetite {
    /// A standard deviation of price risk weighs twice its amount.
    Low,
    /// Weighs its amount.
    #[default]
    Medium,
    /// Only the expected net counts.
    High,
}

impl RiskAppetite {
    pub fn parse(text: &str) -> Result<RiskAppetite, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "low" => Ok(RiskAppetite::Low),
            "medium" | "" => Ok(RiskAppetite::Medium),
            "high" => Ok(RiskAppetite::High),
            other => Err(format!("`{other}` is not a risk appetite (low, medium, high)")),
        }
    }

    /// The weight of one standard deviation of price risk in the score.
    pub fn weight(self) -> Decimal {
        match self {
            RiskAppetite::Low => Decimal::TWO,
            RiskAppetite::Medium => Decimal::ONE,
            RiskAppetite::High => Decimal::ZERO,
        }
    }

    /// Expected net less the weight times one standard deviation of price risk: the ranking's figure. `None`
    /// when the net is unknown, or the risk is unknown and counts (an unknown risk would flatter the plan).
    pub fn score(self, net: Option<Decimal>, risk: Option<Decimal>) -> Option<Decimal> {
        let w = self.weight();
        match risk {
            Some(r) => net.map(|n| n - w * r),
            None if w.is_zero() => net,
            None => None,
        }
    }

    fn word(self) -> &'static str {
        match self {
            RiskAppetite::Low => "low",
            RiskAppetite::Medium => "medium",
            RiskAppetite::High => "high",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// One exchange, selling over days and withdrawing each day's proceeds.
    OverDays,
    /// One exchange, everything sold on day 1, the fiat withdrawn over the days the limits need.
    SellNowWithdrawLater,
    /// Two exchanges at once, each within its own limits.
    TwoExchanges,
    /// A desk for the bulk, an exchange for the rest, on day 1.
    DeskAndExchange,
    /// A desk whose price is not published: ask it for a quote.
    AskDesk,
    P2p,
    Atm,
}

/// Where a figure comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FigureSource {
    pub figure: String,
    /// "not given" where the catalog names none.
    pub source: String,
    /// "an unknown date" where the catalog gives none.
    pub as_of: String,
}

impl FigureSource {
    pub fn new(figure: String, source: Option<String>, as_of: Option<String>) -> FigureSource {
        FigureSource {
            figure,
            source: source.unwrap_or_else(|| "not given".into()),
            as_of: as_of.unwrap_or_else(|| "an unknown date".into()),
        }
    }
}

/// One day's part of a plan at one venue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Tranche {
    pub day: NaiveDate,
    pub venue: String,
    /// What to sell that day (zero on a day that only withdraws).
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub sell: Decimal,
    /// What to withdraw that day (counted against the limits); `None` when unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub withdraw: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub withdrawal_fee: Option<Decimal>,
    /// The lots this tranche sells, when the tax side was asked for (the plan's lots in their order, tranche by
    /// tranche).
    pub lots: Vec<TrancheLot>,
}

/// Part of a lot sold by one tranche.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TrancheLot {
    pub account: String,
    pub lot: i64,
    pub acquired: NaiveDate,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
}

/// Gives each tranche that sells its part of `pieces` (the lots in the order the sale uses them), in turn.
pub(super) fn allocate_lots(tranches: &mut [Tranche], pieces: &[crate::taxplan::Piece]) {
    let mut left: Vec<Decimal> = pieces.iter().map(|p| p.qty).collect();
    let mut i = 0;
    for t in tranches.iter_mut() {
        t.lots.clear();
        let mut need = t.sell;
        while need > Decimal::ZERO && i < pieces.len() {
            let take = need.min(left[i]);
            if take > Decimal::ZERO {
                let p = &pieces[i];
                t.lots.push(TrancheLot { account: p.account.clone(), lot: p.lot, acquired: p.acquired, qty: take });
                left[i] -= take;
                need -= take;
            }
            if left[i].is_zero() {
                i += 1;
            }
        }
    }
}

/// Something to do, on a day (`None`: before starting, or whenever it applies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Step {
    pub day: Option<NaiveDate>,
    pub text: String,
}

/// A complete plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Candidate {
    pub kind: PlanKind,
    pub venues: Vec<String>,
    pub title: String,
    /// Days from the first day to the last withdrawal (bank settlement comes on top); `None` when unknown.
    pub days_to_cash: Option<u32>,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub gross: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub net: Option<Decimal>,
    /// The costs other than market impact, for ranking when no impact inputs were given (then every plan's
    /// impact is unknown alike); `None` when one of them is unknown too.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost_before_impact: Option<Decimal>,
    /// The estimated tax on this plan's net with the chosen lots, and what is left after it (see `Plan::tax`).
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub tax: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub after_tax: Option<Decimal>,
    /// One standard deviation of what the price can do to the proceeds while coins are still held.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub price_risk: Option<Decimal>,
    /// Custody risk: the most (coins at the reference price, or fiat) a venue holds for the seller at the end of
    /// a day, and on how many days it holds anything.
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub custody_peak: Decimal,
    pub custody_days: u32,
    /// Net less the risk weight times the price risk: the ranking's figure.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub score: Option<Decimal>,
    /// Whether the cash needed arrives by the seller's day (`None`: no day given, or cannot say).
    pub meets_deadline: Option<bool>,
    /// A doubt about the venue serving the seller at all (a restriction the catalog could not verify): such
    /// plans rank after the others of their group.
    pub caution: Option<String>,
    /// Why it ranks where it does.
    pub reason: String,
    pub steps: Vec<Step>,
    pub tranches: Vec<Tranche>,
    pub unknown_costs: Vec<String>,
    pub sources: Vec<FigureSource>,
    pub warnings: Vec<String>,
}

impl Candidate {
    fn new(kind: PlanKind, venues: Vec<String>, title: String, gross: Decimal) -> Candidate {
        Candidate {
            kind,
            venues,
            title,
            days_to_cash: None,
            gross,
            cost: None,
            net: None,
            cost_before_impact: None,
            tax: None,
            after_tax: None,
            price_risk: None,
            custody_peak: Decimal::ZERO,
            custody_days: 0,
            score: None,
            meets_deadline: None,
            caution: None,
            reason: String::new(),
            steps: Vec::new(),
            tranches: Vec::new(),
            unknown_costs: Vec::new(),
            sources: Vec::new(),
            warnings: Vec::new(),
        }
    }
}

fn day_index(start: NaiveDate, day: NaiveDate) -> u32 {
    u32::try_from((day - start).num_days()).unwrap_or(0) + 1
}

fn add_days(start: NaiveDate, k: usize) -> Option<NaiveDate> {
    start.checked_add_days(Days::new(k as u64))
}

/// Money as text: cents, rounded half away from zero.
fn money(v: Decimal) -> String {
    format!("{:.2}", v.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

fn pct(v: Option<Decimal>) -> String {
    v.map(|p| format!("{}%", p.normalize())).unwrap_or_else(|| "an unpublished fee".into())
}

/// Every complete plan for the sale.
pub(super) fn candidates(
    venues: &[Venue],
    req: &PlanRequest,
    exchanges: &[VenuePlan],
    mixes: &[Mix],
    trajectories: &[Trajectory],
) -> Vec<Candidate> {
    let sale = &req.sale;
    if sale.qty <= Decimal::ZERO || sale.price <= Decimal::ZERO {
        return Vec::new();
    }
    let by_id = |id: &str| venues.iter().find(|v| v.id == id);
    let mut out = Vec::new();
    let usable: Vec<(&VenuePlan, &Venue)> = exchanges
        .iter()
        .filter(|p| p.unsuitable.is_empty() && !p.schedules.is_empty())
        .filter_map(|p| by_id(&p.venue).map(|v| (p, v)))
        .collect();
    for (p, v) in &usable {
        out.extend(over_days(req, p, v));
        if let Some(c) = sell_now(req, p, v, trajectories) {
            out.push(c);
        }
    }
    // A venue whose limits alone cannot finish within the horizon may still help another.
    let pairable: Vec<(&VenuePlan, &Venue)> = exchanges
        .iter()
        .filter(|p| p.unsuitable.iter().all(|u| u.starts_with("the withdrawal limits do not allow")))
        .filter_map(|p| by_id(&p.venue).map(|v| (p, v)))
        .collect();
    out.extend(two_exchanges(req, &pairable));
    for m in mixes {
        if let (Some(desk), Some(ex)) = (by_id(&m.desk), by_id(&m.exchange)) {
            out.push(desk_and_exchange(req, m, desk, ex));
        }
    }
    for v in venues.iter().filter(|v| v.status != VenueStatus::Reference && v.status != VenueStatus::Closed) {
        let q = quote(v, sale);
        if !q.unsuitable.is_empty() {
            continue;
        }
        match v.kind {
            VenueKind::Otc if v.typical_spread_pct.is_none() => out.push(ask_desk(req, v)),
            VenueKind::P2p => out.push(p2p(req, v)),
            VenueKind::Atm => out.push(atm(req, v)),
            _ => {}
        }
    }
    for c in &mut out {
        let doubts: Vec<String> = c
            .venues
            .iter()
            .filter_map(|id| by_id(id))
            .flat_map(|v| quote(v, sale).warnings)
            .filter(|w| w.starts_with("may not serve"))
            .collect();
        if !doubts.is_empty() {
            c.caution = Some(doubts.join("; "));
        }
        c.meets_deadline = meets_deadline(req, c);
        if sale.impact.is_none() {
            // No impact inputs: every plan's impact and price risk are unknown alike, so plans are compared on
            // their other costs (and the ranking says so).
            c.score = c.cost_before_impact.map(|x| c.gross - x);
            continue;
        }
        c.score = req.risk.score(c.net, c.price_risk);
    }
    out
}

/// What depositing at `v` costs this seller (nothing where the coins already are).
fn deposit_fee(req: &PlanRequest, v: &Venue) -> Option<Decimal> {
    if req.sale.held_at(&v.id) {
        Some(Decimal::ZERO)
    } else {
        v.deposit_fee
    }
}

/// A schedule's trading and withdrawal fees and the deposit: its costs other than market impact.
fn before_impact(sales: &[super::DaySale], deposit: Option<Decimal>) -> Option<Decimal> {
    let mut sum = deposit?;
    for d in sales {
        sum += d.fee? + d.withdrawal_fee?;
    }
    Some(sum)
}

/// Whether what reaches the bank by `cash_by` covers what the seller needs.
fn meets_deadline(req: &PlanRequest, c: &Candidate) -> Option<bool> {
    let by = req.cash_by?;
    if by < req.start {
        return Some(false);
    }
    let needed = req.cash_needed.or(c.net)?;
    if c.tranches.is_empty() {
        return None;
    }
    let mut received = Decimal::ZERO;
    for t in c.tranches.iter().filter(|t| t.day <= by) {
        received += t.withdraw? - t.withdrawal_fee?;
    }
    Some(received >= needed)
}

/// The day-1 steps of selling at an exchange: the deposit, the order, the withdrawal.
fn exchange_steps(req: &PlanRequest, v: &Venue, deposit: Decimal, sell: Decimal, first: Option<&Tranche>) -> Vec<Step> {
    let sale = &req.sale;
    let asset = sale.asset.as_str();
    let mut steps = Vec::new();
    let day = Some(req.start);
    if sale.held_at(&v.id) {
        steps.push(Step { day, text: format!("Your {asset} is already at {}: no deposit.", v.name) });
    } else {
        steps.push(Step {
            day,
            text: format!(
                "Deposit {} {asset} to {} (deposit fee: {}); wait until it is credited.",
                deposit.normalize(),
                v.name,
                v.deposit_fee_note.as_deref().unwrap_or("not published")
            ),
        });
    }
    let fees = fees_for(v, &sale.country);
    let twap = v
        .twap
        .as_ref()
        .map(|(text, from)| format!(" or {}'s own TWAP order over the day (catalog, {from}: \"{text}\")", v.name))
        .unwrap_or_default();
    steps.push(Step {
        day,
        text: format!(
            "Sell {} {asset} for {}: limit orders at or just above the best bid pay the maker fee ({}){twap}; \
             a market order pays the taker fee ({}, the figure in this plan's cost).",
            sell.normalize(),
            sale.fiat,
            pct(fees.maker_pct),
            pct(super::taker_fee_pct(fees, sale.volume_30d))
        ),
    });
    if let Some(t) = first.filter(|t| t.withdraw.is_none()) {
        let method = crate::quote::cheapest_withdrawal(v, sale.fiat.as_str(), sale.price * sell, &sale.country).ok();
        steps.push(Step {
            day,
            text: format!(
                "Withdraw the day's proceeds (its value less the fees and market impact) to your bank{}{}.",
                method.map(|(_, m)| format!(" by {}", m.method)).unwrap_or_default(),
                t.withdrawal_fee
                    .map(|f| format!(" (fee {})", money(f)))
                    .unwrap_or_else(|| " (fee not published)".into())
            ),
        });
    }
    if let Some(t) = first.filter(|t| t.withdraw.is_some_and(|w| w > Decimal::ZERO)) {
        let w = t.withdraw.unwrap_or_default();
        let method = crate::quote::cheapest_withdrawal(v, sale.fiat.as_str(), w, &sale.country).ok();
        steps.push(Step {
            day,
            text: format!(
                "Withdraw {} {} to your bank{}{}.",
                money(w),
                sale.fiat,
                method.map(|(_, m)| format!(" by {}", m.method)).unwrap_or_default(),
                match (t.withdrawal_fee, method.and_then(|(_, m)| m.settlement_time.clone())) {
                    (Some(f), Some(s)) => format!(" (fee {}; settles {s})", money(f)),
                    (Some(f), None) => format!(" (fee {}; settlement time not published)", money(f)),
                    (None, _) => " (fee not published)".to_string(),
                }
            ),
        });
    }
    steps
}

/// A day's sale as a tranche: it withdraws what the sale brought in (unknown when a cost is).
fn sold(d: &super::DaySale, venue: &str) -> Tranche {
    Tranche {
        day: d.day,
        venue: venue.to_string(),
        sell: d.qty,
        withdraw: d.fee.zip(d.impact).map(|(f, i)| withdrawn(d.gross - f - i)),
        withdrawal_fee: d.withdrawal_fee,
        lots: Vec::new(),
    }
}

fn over_days(req: &PlanRequest, p: &VenuePlan, v: &Venue) -> Option<Candidate> {
    let score = |s: &super::Schedule| req.risk.score(s.net, s.risk_std);
    // The best by score among the schedules whose figures are known, else the fastest (or the shortest).
    let known = p.schedules.iter().filter(|s| score(s).is_some()).max_by_key(|s| (score(s), std::cmp::Reverse(s.days)));
    let s = known
        .or_else(|| p.schedules.iter().find(|s| s.fastest))
        .or_else(|| p.schedules.iter().min_by_key(|s| s.days))?;
    let how = if s.fastest {
        "as fast as the limits allow".to_string()
    } else if s.urgency.is_zero() {
        "an even split".to_string()
    } else {
        format!("front-loaded (urgency {})", s.urgency)
    };
    let sold_days = s.sales.len();
    let title = if sold_days <= 1 {
        format!("{}: sell everything today and withdraw it", v.name)
    } else {
        format!("{}: sell over {} days ({how}), withdrawing each day's proceeds", v.name, s.days)
    };
    let mut c = Candidate::new(PlanKind::OverDays, vec![v.id.clone()], title, s.gross);
    c.cost = s.cost;
    c.cost_before_impact = before_impact(&s.sales, deposit_fee(req, v));
    c.net = s.net;
    c.price_risk = s.risk_std;
    // With a withdrawal cap unknown, when the money can leave is unknown too.
    let limits_known = !p.limits.is_empty() && p.limits.iter().all(|l| l.cap.is_some());
    c.days_to_cash = s.sales.last().map(|d| day_index(req.start, d.day)).filter(|_| limits_known);
    c.tranches = s.sales.iter().map(|d| sold(d, &v.id)).collect();
    // Deposit each day's coins as they are sold: the exchange holds at most one day's sale.
    c.custody_peak = s.sales.iter().map(|d| d.gross).max().unwrap_or_default();
    c.custody_days = sold_days as u32;
    let first = s.sales.first().map(|d| d.qty).unwrap_or_default();
    c.steps = exchange_steps(req, v, first, first, c.tranches.first());
    if sold_days > 1 {
        c.steps.push(Step {
            day: None,
            text: format!(
                "Days 2 to {}: the same each day with that day's amount (the tranche table); deposit each day's coins \
                 that day, or all at once if you accept the exchange holding them.",
                c.days_to_cash.unwrap_or(s.days)
            ),
        });
    }
    c.unknown_costs = p.unknown_costs.clone();
    c.sources = p.sources.clone();
    c.warnings = p.warnings.clone();
    if let Some(b) = &p.limits_basis {
        c.warnings.push(b.clone());
    }
    Some(c)
}

/// Everything sold on day 1; the fiat leaves as fast as the withdrawal limits allow. Only where the limits are
/// known and make selling over days necessary.
fn sell_now(req: &PlanRequest, p: &VenuePlan, v: &Venue, trajectories: &[Trajectory]) -> Option<Candidate> {
    let sale = &req.sale;
    if p.fewest_days.is_none_or(|d| d <= 1) || p.limits.iter().any(|l| l.cap.is_none()) {
        return None;
    }
    let costs = VenueCosts::for_plan(v, req);
    let one_day;
    let t = match trajectories.iter().find(|t| t.days == 1) {
        Some(t) => t,
        None => {
            one_day = Trajectory::new(sale, 1, Decimal::ZERO);
            &one_day
        }
    };
    let gross = t.grosses[0];
    if costs.min_order.is_some_and(|m| gross < m) {
        return None;
    }
    let (taker, _) = costs.fees_at(costs.volume_30d);
    let fee = taker.map(|(_, f)| gross * f);
    let impact = t.impacts.as_ref().map(|i| i[0]);
    let proceeds = fee.zip(impact).map(|(f, i)| gross - f - i);
    // Withdraw the proceeds in cents (cut down: a fraction of a cent cannot leave), or the gross when a cost is
    // unknown (the limits are checked against it, as for the other plans).
    let to_withdraw = proceeds.unwrap_or(gross).round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero);
    let mut room = Room::after(&p.limits, &costs.pre, costs.today);
    let mut left = to_withdraw;
    let mut tranches = Vec::new();
    let mut wfees = Some(Decimal::ZERO);
    let mut k = 0usize;
    let mut warnings = Vec::new();
    while left > Decimal::ZERO {
        if k as u32 >= req.max_days {
            return None;
        }
        let day = add_days(req.start, k)?;
        let mut w = room.today().map_or(left, |r| r.min(left)).max(Decimal::ZERO);
        // A withdrawal larger than any method takes at once is cut to the largest one that does.
        if w > Decimal::ZERO && costs.withdrawal_fee(w).is_err() {
            let most = costs.withdrawals.iter().filter_map(|m| m.max_amount).filter(|m| *m < w).max();
            match most {
                Some(m) if costs.withdrawal_fee(m).is_ok() => w = m,
                _ => return None,
            }
        }
        let wfee = if w > Decimal::ZERO { costs.withdrawal_fee(w).ok()? } else { Some(Decimal::ZERO) };
        if w > Decimal::ZERO && wfee.is_some_and(|f| f >= left) {
            warnings.push(format!(
                "{} {} would be left at the exchange: less than a withdrawal costs",
                money(left),
                sale.fiat
            ));
            wfees = wfees.map(|s| s + left);
            break;
        }
        if w > Decimal::ZERO || k == 0 {
            tranches.push(Tranche {
                day,
                venue: v.id.clone(),
                sell: if k == 0 { sale.qty } else { Decimal::ZERO },
                withdraw: Some(w),
                withdrawal_fee: if w > Decimal::ZERO { wfee } else { Some(Decimal::ZERO) },
                lots: Vec::new(),
            });
        }
        if w > Decimal::ZERO {
            wfees = wfees.and_then(|s| wfee.map(|f| s + f));
        }
        room.push(w);
        left -= w;
        k += 1;
    }
    let days = tranches.last().map(|t| day_index(req.start, t.day))?;
    let title = format!("{}: sell everything on day 1, withdraw over {days} days", v.name);
    let mut c = Candidate::new(PlanKind::SellNowWithdrawLater, vec![v.id.clone()], title, gross);
    c.cost = fee.zip(impact).zip(wfees).zip(costs.deposit_fee).map(|(((f, i), w), d)| f + i + w + d);
    c.cost_before_impact = fee.zip(wfees).zip(costs.deposit_fee).map(|((f, w), d)| f + w + d);
    if c.cost.is_some_and(|x| x > gross) {
        return None;
    }
    c.net = c.cost.map(|x| gross - x);
    c.price_risk = Some(Decimal::ZERO);
    c.days_to_cash = Some(days);
    c.custody_peak = to_withdraw;
    c.custody_days = days;
    c.steps = exchange_steps(req, v, sale.qty, sale.qty, tranches.first());
    c.steps.push(Step {
        day: None,
        text: format!(
            "Then withdraw as the limits allow, on the days of the tranche table, until day {days}: until then {} holds \
             your money (custody risk instead of price risk).",
            v.name
        ),
    });
    c.tranches = tranches;
    c.unknown_costs = p.unknown_costs.clone();
    c.sources = p.sources.clone();
    c.warnings = warnings;
    c.warnings.extend(p.limits_basis.clone());
    Some(c)
}

/// Two exchanges at once, each day selling what each one's limits leave room for (the first of the pair first),
/// for pairs that finish sooner than either alone. The three best pairs by score.
fn two_exchanges(req: &PlanRequest, usable: &[(&VenuePlan, &Venue)]) -> Vec<Candidate> {
    let sale = &req.sale;
    let known: Vec<&(&VenuePlan, &Venue)> =
        usable.iter().filter(|(p, _)| !p.limits.is_empty() && p.limits.iter().all(|l| l.cap.is_some())).collect();
    let mut out = Vec::new();
    for (i, (pa, va)) in known.iter().enumerate() {
        for (pb, vb) in known.iter().skip(i + 1) {
            let alone = pa.fewest_days.unwrap_or(u32::MAX).min(pb.fewest_days.unwrap_or(u32::MAX));
            if alone <= 1 {
                continue;
            }
            let (ca, cb) = (VenueCosts::for_plan(va, req), VenueCosts::for_plan(vb, req));
            let (mut ra, mut rb) =
                (Room::after(&pa.limits, &ca.pre, ca.today), Room::after(&pb.limits, &cb.pre, cb.today));
            let (mut qa, mut qb) = (Vec::new(), Vec::new());
            let mut left = sale.qty;
            let mut ok = true;
            while left > Decimal::ZERO {
                if qa.len() as u32 >= req.max_days.min(alone) {
                    ok = false;
                    break;
                }
                let a = ra.fill(left, sale.price, ca.min_order);
                let b = rb.fill(left - a, sale.price, cb.min_order);
                ra.push(withdrawn(a * sale.price));
                rb.push(withdrawn(b * sale.price));
                qa.push(a);
                qb.push(b);
                left -= a + b;
            }
            if !ok || qa.len() as u32 >= alone {
                continue;
            }
            let combined: Vec<Decimal> = qa.iter().zip(&qb).map(|(a, b)| *a + *b).collect();
            let tc = Trajectory::from_quantities(sale, combined);
            let (Some(sa), Some(sb)) = (
                ca.schedule(&Trajectory::from_quantities(sale, qa.clone()), req.start, &pa.limits),
                cb.schedule(&Trajectory::from_quantities(sale, qb.clone()), req.start, &pb.limits),
            ) else {
                continue;
            };
            // One market: the impact of each day's combined sale, not of each half alone.
            let own_impact = |s: &super::Schedule| s.sales.iter().map(|d| d.impact).sum::<Option<Decimal>>();
            let impact: Option<Decimal> = tc.impacts.as_ref().map(|i| i.iter().sum());
            let cost = sa
                .cost
                .zip(sb.cost)
                .zip(own_impact(&sa).zip(own_impact(&sb)))
                .zip(impact)
                .map(|(((a, b), (ia, ib)), i)| a + b - ia - ib + i);
            let days = qa.len() as u32;
            let title = format!("{} and {} in parallel: {days} days instead of {alone}", va.name, vb.name);
            let mut c =
                Candidate::new(PlanKind::TwoExchanges, vec![va.id.clone(), vb.id.clone()], title, sa.gross + sb.gross);
            c.cost = cost;
            c.net = cost.map(|x| c.gross - x);
            c.cost_before_impact = before_impact(&sa.sales, deposit_fee(req, va))
                .zip(before_impact(&sb.sales, deposit_fee(req, vb)))
                .map(|(a, b)| a + b);
            c.price_risk = tc.risk_std;
            c.days_to_cash = Some(days);
            for (s, v) in [(&sa, va), (&sb, vb)] {
                c.tranches.extend(s.sales.iter().map(|d| sold(d, &v.id)));
            }
            c.tranches.sort_by(|a, b| a.day.cmp(&b.day).then(a.venue.cmp(&b.venue)));
            c.custody_peak = sa.sales.iter().chain(&sb.sales).map(|d| d.gross).max().unwrap_or_default();
            c.custody_days = days;
            for (s, v) in [(&sa, va), (&sb, vb)] {
                let first = s.sales.first().filter(|d| d.day == req.start);
                let q = first.map(|d| d.qty).unwrap_or_default();
                let t = c.tranches.iter().find(|t| t.venue == v.id && t.day == req.start).cloned();
                if q > Decimal::ZERO {
                    c.steps.extend(exchange_steps(req, v, q, q, t.as_ref()));
                }
            }
            c.steps.push(Step {
                day: None,
                text: format!("Then each day at both, the amounts of the tranche table, until day {days}."),
            });
            c.unknown_costs = pa.unknown_costs.iter().chain(&pb.unknown_costs).cloned().collect();
            c.sources = pa.sources.iter().chain(&pb.sources).cloned().collect();
            c.warnings = pa.limits_basis.iter().chain(&pb.limits_basis).cloned().collect();
            out.push(c);
        }
    }
    out.sort_by_key(|c| std::cmp::Reverse(req.risk.score(c.net, c.price_risk)));
    out.truncate(3);
    out
}

fn desk_and_exchange(req: &PlanRequest, m: &Mix, desk: &Venue, ex: &Venue) -> Candidate {
    let sale = &req.sale;
    let asset = sale.asset.as_str();
    let title = format!(
        "{} for {} {asset}, {} for the other {} (day 1)",
        desk.name,
        m.desk_qty.normalize(),
        ex.name,
        m.exchange_qty.normalize()
    );
    let mut c =
        Candidate::new(PlanKind::DeskAndExchange, vec![desk.id.clone(), ex.id.clone()], title, sale.qty * sale.price);
    c.cost = Some(m.cost);
    c.net = Some(m.net);
    c.cost_before_impact = Some(m.cost);
    c.price_risk = Some(Decimal::ZERO);
    c.days_to_cash = Some(1);
    c.custody_peak = m.exchange_qty * sale.price;
    c.custody_days = 1;
    c.tranches = vec![
        Tranche {
            day: req.start,
            venue: desk.id.clone(),
            sell: m.desk_qty,
            withdraw: None,
            withdrawal_fee: None,
            lots: Vec::new(),
        },
        Tranche {
            day: req.start,
            venue: ex.id.clone(),
            sell: m.exchange_qty,
            withdraw: None,
            withdrawal_fee: None,
            lots: Vec::new(),
        },
    ];
    c.steps.push(Step {
        day: None,
        text: format!(
            "Before day 1: open an account with {} (institutional KYC: {}) and agree the price for {} {asset}.",
            desk.name,
            desk.record.get("kyc").and_then(|k| k.as_str()).unwrap_or("not published"),
            m.desk_qty.normalize()
        ),
    });
    c.steps.extend(exchange_steps(req, ex, m.exchange_qty, m.exchange_qty, None));
    c.sources.push(FigureSource::new(
        format!("{}'s spread ({}%)", desk.name, desk.typical_spread_pct.unwrap_or_default().normalize()),
        if desk.overridden.iter().any(|o| o.starts_with("spread_pct")) { Some("your figure".into()) } else { None },
        desk.as_of.clone(),
    ));
    c.warnings.push(m.note.clone());
    c
}

fn ask_desk(req: &PlanRequest, desk: &Venue) -> Candidate {
    let sale = &req.sale;
    let gross = sale.qty * sale.price;
    let title = format!("{}: ask for a quote for all {} {}", desk.name, sale.qty.normalize(), sale.asset);
    let mut c = Candidate::new(PlanKind::AskDesk, vec![desk.id.clone()], title, gross);
    c.price_risk = Some(Decimal::ZERO);
    c.unknown_costs.push(format!(
        "desk spread: not published (ask for a quote; enter it: offramp override set {} spread_pct P)",
        desk.id
    ));
    match desk.min_ticket_usd {
        Some(min) if sale.fiat.as_str() == "USD" => {
            c.warnings.push(format!("minimum ticket {} USD: this sale of {} USD is above it", money(min), money(gross)))
        }
        Some(min) => c.warnings.push(format!(
            "minimum ticket {} USD: Offramp cannot compare it with {} {} (no exchange rates); ask the desk",
            money(min),
            money(gross),
            sale.fiat
        )),
        None => c.warnings.push("minimum ticket not published".into()),
    }
    c.sources.push(FigureSource::new("minimum ticket".into(), desk.min_ticket_source.clone(), desk.as_of.clone()));
    c.steps.push(Step {
        day: None,
        text: format!(
            "Ask {} for a quote to sell {} {} for {} (onboarding: {}). Enter the spread it quotes \
             (offramp override set {} spread_pct P) and plan again to compare it.",
            desk.name,
            sale.qty.normalize(),
            sale.asset,
            sale.fiat,
            desk.record.get("kyc").and_then(|k| k.as_str()).unwrap_or("not published"),
            desk.id
        ),
    });
    c
}

fn p2p(req: &PlanRequest, v: &Venue) -> Candidate {
    let sale = &req.sale;
    let gross = sale.qty * sale.price;
    let caps = &v.caps;
    let per_trade = caps.new_user_trade_max_btc.or(caps.trade_max_btc).filter(|_| sale.asset.as_str() == "BTC");
    let trades = per_trade.filter(|m| *m > Decimal::ZERO).map(|m| (sale.qty / m).ceil());
    let title = match trades {
        Some(n) => format!("{}: about {n} trades with different buyers", v.name),
        None => format!("{}: trades with buyers (per-trade limit unknown)", v.name),
    };
    let mut c = Candidate::new(PlanKind::P2p, vec![v.id.clone()], title, gross);
    let fee = v.fees.maker_pct.or(v.fees.taker_pct);
    c.unknown_costs.push("the premium or discount each buyer agrees: not published".into());
    if fee.is_none() {
        c.unknown_costs.push("platform fee: not published".into());
    }
    if let Some(m) = caps.new_user_trade_max_btc {
        c.warnings.push(format!(
            "a new account trades at most {} BTC at a time{}",
            m.normalize(),
            caps.trade_max_btc
                .map(|t| format!(
                    " ({} {} BTC once its payment account is signed and aged)",
                    if caps.trade_max_exclusive { "under" } else { "up to" },
                    t.normalize()
                ))
                .unwrap_or_default()
        ));
    } else if let Some(t) = caps.trade_max_btc {
        c.warnings.push(format!(
            "at most {} BTC per trade{}",
            t.normalize(),
            if caps.trade_max_exclusive { " (exclusive)" } else { "" }
        ));
    }
    if let (Some(d), Some(cur)) = (caps.per_day, &caps.per_day_currency) {
        if cur.eq_ignore_ascii_case(sale.fiat.as_str()) {
            let days = (gross / d).ceil();
            c.days_to_cash = u32::try_from(days).ok();
            c.warnings.push(format!("{} {cur} a day: {days} days", money(d)));
        } else {
            c.warnings.push(format!(
                "{} {cur} a day (no exchange rates: how many days in {} is unknown){}",
                money(d),
                sale.fiat,
                caps.per_day_note.as_deref().map(|n| format!("; {n}")).unwrap_or_default()
            ));
        }
    }
    c.warnings.push("counterparty risk: a buyer's payment can be reversed after you release the coins".into());
    if let Some(dep) = v.record.get("security_deposit_pct").filter(|x| x.is_number()) {
        c.warnings.push(format!("each trade locks a security deposit of {dep}% of it until it completes"));
    }
    c.sources.push(FigureSource::new(
        format!("platform fee ({})", pct(fee)),
        v.fees.source.clone(),
        v.fees.as_of.clone(),
    ));
    c.sources.push(FigureSource::new("trade limits".into(), caps.source.clone(), caps.as_of.clone()));
    c.steps.push(Step {
        day: Some(req.start),
        text: format!(
            "Open {}; post a sell offer{} and release the coins only once the payment has arrived in your bank \
             and cannot be reversed.",
            v.name,
            per_trade.map(|m| format!(" of at most {} BTC", m.normalize())).unwrap_or_default()
        ),
    });
    c
}

fn atm(req: &PlanRequest, v: &Venue) -> Candidate {
    let sale = &req.sale;
    let gross = sale.qty * sale.price;
    let caps = &v.caps;
    let cap = caps.per_day.filter(|_| caps.per_day_currency.as_deref() == Some(sale.fiat.as_str()));
    let days = cap.filter(|c| *c > Decimal::ZERO).and_then(|c| u32::try_from((gross / c).ceil()).ok());
    let title = match days {
        Some(n) => format!("{}: cash at its machines, {n} daily visits", v.name),
        None => format!("{}: cash at its machines (daily cap in {} unknown)", v.name, sale.fiat),
    };
    let mut c = Candidate::new(PlanKind::Atm, vec![v.id.clone()], title, gross);
    c.cost = v.observed_fee_pct.map(|p| gross * p / Decimal::ONE_HUNDRED);
    c.net = c.cost.map(|x| gross - x);
    c.cost_before_impact = c.cost;
    c.days_to_cash = days;
    if let (Some(n), Some(cap)) = (days, cap) {
        // A visit a day: the rest is held in the seller's wallet meanwhile (price risk, no custody).
        if n > 1 {
            let t = Trajectory::new(sale, n.min(365), Decimal::ZERO);
            c.price_risk = t.risk_std;
        } else {
            c.price_risk = Some(Decimal::ZERO);
        }
        let per =
            (sale.qty / Decimal::from(n)).round_dp_with_strategy(QTY_PLACES, rust_decimal::RoundingStrategy::ToZero);
        let fee = v.observed_fee_pct.map(|p| p / Decimal::ONE_HUNDRED);
        let mut left = sale.qty;
        for k in 0..n.min(365) as usize {
            let Some(day) = add_days(req.start, k) else { break };
            let q = if k + 1 == n as usize { left } else { per.min(left) };
            left -= q;
            let cash = (q * sale.price).min(cap);
            c.tranches.push(Tranche {
                day,
                venue: v.id.clone(),
                sell: q,
                withdraw: fee.map(|_| cash),
                withdrawal_fee: fee.map(|f| cash * f),
                lots: Vec::new(),
            });
        }
        if n > req.max_days {
            c.warnings.push(format!("needs {n} daily visits, more than the {} days asked for", req.max_days));
        }
    }
    c.warnings.push(format!(
        "{}; whether its machines buy bitcoin from you is {}",
        caps.per_day_note.as_deref().unwrap_or("daily cap not published"),
        match caps.sell_supported {
            Some(true) => "published: yes",
            Some(false) => "published: no",
            None => "not published",
        }
    ));
    c.warnings.push("cash only: carrying it is a risk of its own".into());
    if c.cost.is_none() {
        c.unknown_costs.push("ATM fee: not published".into());
    }
    c.sources.push(FigureSource::new(
        format!("ATM fee ({})", pct(v.observed_fee_pct)),
        v.observed_fee_source.clone(),
        v.as_of.clone(),
    ));
    c.sources.push(FigureSource::new("daily cap".into(), caps.source.clone(), caps.as_of.clone()));
    c.steps.push(Step {
        day: Some(req.start),
        text: format!(
            "Find a {} machine that buys bitcoin (most only sell it); sell at most {} a visit.",
            v.name,
            cap.map(|x| format!("{} {}", money(x), sale.fiat)).unwrap_or_else(|| "its daily cap".into())
        ),
    });
    c
}

/// Ranks the plans (see the module's rule) and writes each one's reason; returns the rule in words.
pub(super) fn rank(cands: &mut [Candidate], req: &PlanRequest) -> String {
    let beyond = |c: &Candidate| c.days_to_cash.is_some_and(|d| d > req.max_days);
    let no_impact = req.sale.impact.is_none();
    let deadline_rank = |c: &Candidate| match c.meets_deadline {
        Some(true) => 0u8,
        None => 1,
        Some(false) => 2,
    };
    cands.sort_by(|a, b| {
        deadline_rank(a)
            .cmp(&deadline_rank(b))
            .then(beyond(a).cmp(&beyond(b)))
            .then(a.score.is_none().cmp(&b.score.is_none()))
            .then(if no_impact { std::cmp::Ordering::Equal } else { a.net.is_none().cmp(&b.net.is_none()) })
            .then(a.caution.is_some().cmp(&b.caution.is_some()))
            .then(b.score.cmp(&a.score))
            .then(b.net.cmp(&a.net))
            .then(a.days_to_cash.cmp(&b.days_to_cash))
    });
    let fiat = req.sale.fiat.as_str();
    let w = req.risk.weight();
    let deadline = req.cash_by.map(|d| {
        format!(
            " and that pay {} by {d}",
            req.cash_needed.map(|n| format!("{} {fiat}", money(n))).unwrap_or_else(|| "everything".into())
        )
    });
    let rule = if no_impact {
        format!(
            "No daily volume and volatility given: market impact and price risk are unknown for every plan, so plans \
             are ranked by their proceeds less their other costs (fees, deposit, withdrawals){}; plans with an unknown \
             fee follow, then those that miss your day. Give --volatility and --daily-volume for a full ranking.",
            deadline.clone().unwrap_or_default()
        )
    } else {
        format!(
            "Ranked by expected net less {w} x one standard deviation of price risk (your risk appetite: {}), among \
             the plans whose costs are all known{}; plans with an unknown cost follow, then those that miss your day.",
            req.risk.word(),
            deadline.clone().unwrap_or_default()
        )
    };
    let first = cands.first().map(|c| (c.title.clone(), c.score, c.net));
    for (i, c) in cands.iter_mut().enumerate() {
        c.reason = if c.meets_deadline == Some(false) {
            format!("pays less than you need by {}", req.cash_by.map(|d| d.to_string()).unwrap_or_default())
        } else if beyond(c) {
            format!("takes {} days, more than the {} asked for", c.days_to_cash.unwrap_or_default(), req.max_days)
        } else if c.net.is_none() && !(no_impact && c.score.is_some()) {
            format!("net unknown: {}", c.unknown_costs.join("; "))
        } else if c.score.is_none() {
            "price risk unknown: how many days it takes is unknown".into()
        } else if let Some(doubt) = c.caution.as_ref().filter(|_| i > 0) {
            format!("ranked after venues sure to serve you: {doubt}")
        } else if i == 0 && no_impact {
            format!(
                "Recommended: the most left after fees, deposit and withdrawals, {} {fiat}, cash in {} day(s) (market \
                 impact and price risk unknown: no daily volume and volatility given).",
                money(c.score.unwrap_or_default()),
                c.days_to_cash.map(|d| d.to_string()).unwrap_or_else(|| "an unknown number of".into()),
            )
        } else if i == 0 {
            format!(
                "Recommended: the highest expected net after a price-risk charge of {w} x one standard deviation \
                 (risk appetite {}){}: net {} {fiat}, price risk {} {fiat}, cash in {} day(s){}.",
                req.risk.word(),
                deadline.clone().unwrap_or_default(),
                money(c.net.unwrap_or_default()),
                money(c.price_risk.unwrap_or_default()),
                c.days_to_cash.map(|d| d.to_string()).unwrap_or_else(|| "an unknown number of".into()),
                if c.custody_days > 1 {
                    format!(
                        "; the venue holds up to {} {fiat} of yours for {} days (custody risk)",
                        money(c.custody_peak),
                        c.custody_days
                    )
                } else {
                    String::new()
                }
            )
        } else {
            match &first {
                Some((title, Some(best), _)) => format!(
                    "scores {} {fiat} less than the recommendation ({title})",
                    money(*best - c.score.unwrap_or_default())
                ),
                _ => "ranks below the plans above".into(),
            }
        };
    }
    // The recommendation's reason also says by how much it beats the next plan with a known score.
    if cands.len() > 1 {
        if let (Some(best), Some(next)) = (cands[0].score, cands[1..].iter().find(|c| c.score.is_some())) {
            let gap = best - next.score.unwrap_or_default();
            if cands[0].reason.starts_with("Recommended") && gap > Decimal::ZERO {
                let more = format!(" It scores {} {fiat} more than the next, {}.", money(gap), next.title);
                cands[0].reason.push_str(&more);
            }
        }
    }
    // A plan whose withdrawal limits are not published can still be the best known: it says so.
    for c in cands.iter_mut().filter(|c| c.days_to_cash.is_none() && c.net.is_some()) {
        c.reason.push_str(&format!(
            " When the money can leave is unknown: the venue's withdrawal limits in {fiat} are not published; check \
             your account's before you start (or enter them)."
        ));
    }
    rule
}
