//! The sale planner: how to sell a quantity at an exchange over one or more days, never exceeding a withdrawal
//! limit, trading market impact against price risk; and how an OTC desk can take the bulk.
//!
//! Pure: the venues, the sale, the first day and the horizon come in. The arithmetic follows the reference
//! recipe (`market_impact.md` §3.2): each day's slice pays the square-root law's average impact
//! `(2/3)·Y·σ_D·sqrt(q/V_D)·q·P` (impact assumed to decay overnight), the taker fee of the tier reached by the
//! trailing 30-day volume (the seller's own sales count), and one fiat withdrawal; the price risk of holding
//! what is not sold yet is `σ_D·P·sqrt(Σ x_k²)` over the end-of-day holdings `x_k` (Almgren–Chriss variance with
//! one-day steps). Schedules follow Almgren–Chriss trajectories `x_k = X·sinh(κ(N−k))/sinh(κN)`: κ = 0 is an
//! even split (TWAP), a larger κ sells more early. Every candidate (days × urgency) is costed and the user sees
//! the efficient frontier, not one answer.
//!
//! Rounding: day quantities are cut down to 8 decimal places (a satoshi for bitcoin) and the last day takes
//! exactly what is left, so the days always add up to the quantity sold. Money is not rounded here.

use chrono::{Days, NaiveDate};
use rust_decimal::MathematicalOps;
use serde::Serialize;

use crate::catalog::{Venue, VenueKind, VenueStatus, WithdrawalMethod};
use crate::market::RollingLimit;
use crate::quote::{account_limits, cheapest_withdrawal, describe_level, fees_for, quote, taker_fee_pct, SaleRequest};

mod advice;
use crate::Decimal;
pub use advice::{Candidate, FigureSource, PlanKind, RiskAppetite, Step, Tranche, TrancheLot};

/// Candidate numbers of selling days (those up to the horizon are tried, plus the fewest the limits allow).
const DAY_CANDIDATES: [u32; 17] = [1, 2, 3, 4, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365];
/// Candidate urgencies κ, per day: 0 is an even split; 1 sells most in the first days.
const URGENCIES: [(i64, u32); 4] = [(0, 0), (1, 1), (3, 1), (1, 0)];
/// Day quantities are cut to this many decimal places.
const QTY_PLACES: u32 = 8;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlanRequest {
    pub sale: SaleRequest,
    /// The first day of selling.
    pub start: NaiveDate,
    /// The longest plan considered, in days (1 to 365).
    pub max_days: u32,
    /// The cash the seller needs in the bank, and by which day (`None`: no deadline). Without an amount, all of
    /// the sale's proceeds.
    pub cash_by: Option<NaiveDate>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cash_needed: Option<Decimal>,
    /// How much price risk the seller accepts: the weight of one standard deviation in the ranking.
    pub risk: RiskAppetite,
    /// What the seller already withdrew from venues in the year before `start` (a sale under way): it counts
    /// against the rolling windows of the plan's first days.
    pub history: Vec<PastWithdrawal>,
}

/// A fiat withdrawal made before the plan's first day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PastWithdrawal {
    pub venue: String,
    pub day: NaiveDate,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub amount: Decimal,
}

/// The longest rolling window the planner knows (days).
const LONGEST_WINDOW: usize = 365;

/// What `venue` withdrew on each of the 364 days before `start` (oldest first, in cents as [`withdrawn`]), and
/// on `start` itself before the plan (it counts against the first day's windows).
fn history_before(req: &PlanRequest, venue: &str) -> (Vec<Decimal>, Decimal) {
    let mut pre = vec![Decimal::ZERO; LONGEST_WINDOW - 1];
    let mut today = Decimal::ZERO;
    for h in req.history.iter().filter(|h| h.venue.eq_ignore_ascii_case(venue) && h.day <= req.start) {
        let back = (req.start - h.day).num_days();
        let amount = withdrawn(h.amount.max(Decimal::ZERO));
        match usize::try_from(back) {
            Ok(0) => today += amount,
            Ok(back) if back < LONGEST_WINDOW => pre[LONGEST_WINDOW - 1 - back] += amount,
            _ => {}
        }
    }
    (pre, today)
}

/// One day of a schedule. Money is in the sale's fiat currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DaySale {
    pub day: NaiveDate,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    /// Quantity × reference price: also what is counted against the withdrawal limits (it is never less than
    /// what actually arrives).
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub gross: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub fee_pct: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub fee: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub impact: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub withdrawal_fee: Option<Decimal>,
}

/// Selling over `days` days with urgency `urgency` at one exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Schedule {
    /// The horizon in days (an urgent schedule may finish earlier: `sales` lists only the days with a sale).
    pub days: u32,
    /// κ per day (0: even split).
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub urgency: Decimal,
    /// As fast as the limits allow: each day sells all the room every rolling window leaves (urgency 0 then
    /// means nothing).
    pub fastest: bool,
    pub sales: Vec<DaySale>,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub gross: Decimal,
    /// Trading fees, market impact, withdrawal fees and the deposit fee; `None` when any of them is unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub net: Option<Decimal>,
    /// One standard deviation of what the price can do to the proceeds while the rest is still held.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub risk_std: Option<Decimal>,
    /// What limit orders at the maker fee would save on trading fees, if they fill.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub maker_saving: Option<Decimal>,
    /// On the cost-versus-risk frontier: no other schedule here is both cheaper and less risky.
    pub efficient: bool,
    /// Estimated tax on this schedule's net proceeds with the chosen lots (see `Plan::tax`); `None` when not
    /// asked for or not known.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub tax: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub after_tax: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VenuePlan {
    pub venue: String,
    pub name: String,
    /// The efficient schedules (fewest days first, even split before front-loaded), then the others that fit.
    pub schedules: Vec<Schedule>,
    /// The withdrawal caps the schedules respect, and the verification level they belong to.
    pub limits: Vec<RollingLimit>,
    pub limits_level: Option<String>,
    /// Whose limits these are, in words ("the level a new verified account gets (assumed)", "your own").
    pub limits_basis: Option<String>,
    /// Fewest days the limits allow (`None`: not within the horizon, or the limits are unknown).
    pub fewest_days: Option<u32>,
    /// Costs that are not known at this venue (the net of every schedule is then unknown), with why.
    pub unknown_costs: Vec<String>,
    /// Where each figure used here comes from.
    pub sources: Vec<FigureSource>,
    pub unsuitable: Vec<String>,
    pub warnings: Vec<String>,
}

/// An OTC desk for the bulk and an exchange for the rest, in one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Mix {
    pub desk: String,
    pub exchange: String,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub desk_qty: Decimal,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub exchange_qty: Decimal,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub cost: Decimal,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub net: Decimal,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Plan {
    pub request: PlanRequest,
    pub exchanges: Vec<VenuePlan>,
    pub mixes: Vec<Mix>,
    /// Desks that could take the bulk but whose spread is unknown (enter the quote they give you).
    pub desks_without_quote: Vec<String>,
    /// Complete plans across venue kinds, best first: the first is the recommendation (see [`advice`]).
    pub recommended: Vec<Candidate>,
    /// How the plans are ranked, in words.
    pub ranking: String,
    pub notes: Vec<String>,
    /// The lots to sell and the tax, when the user's holdings were given (see [`Plan::with_tax`]).
    pub tax: Option<TaxView>,
}

/// The tax side of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TaxView {
    /// The lots to sell, priced at the reference price (before selling costs).
    pub choice: crate::taxplan::Choice,
    /// Lots about to turn long-term or tax-free, and what waiting would save.
    pub waits: Vec<crate::taxplan::Wait>,
    pub rates: crate::taxplan::Rates,
}

impl Plan {
    /// Adds the tax side: the lots chosen for the sale at the reference price, the tax of every schedule on its
    /// own net proceeds (same lots), and what waiting for lots to turn long-term or tax-free would save (within
    /// `wait_days`).
    pub fn with_tax(
        mut self,
        lots: &[crate::taxplan::HeldLot],
        jurisdiction: crate::taxplan::Jurisdiction,
        rates: crate::taxplan::Rates,
        wait_days: u32,
    ) -> Plan {
        let sale = crate::taxplan::TaxSale {
            jurisdiction,
            date: self.request.start,
            qty: self.request.sale.qty,
            proceeds_per_unit: self.request.sale.price,
            lots,
            rates,
        };
        let choice = crate::taxplan::choose(&sale);
        for c in &mut self.recommended {
            advice::allocate_lots(&mut c.tranches, &choice.pieces);
            if let Some(net) = c.net {
                let t = choice.repriced(&sale, net / self.request.sale.qty).tax;
                c.tax = t;
                c.after_tax = t.map(|t| net - t);
            }
        }
        for v in &mut self.exchanges {
            for s in &mut v.schedules {
                if let Some(net) = s.net {
                    let t = choice.repriced(&sale, net / self.request.sale.qty).tax;
                    s.tax = t;
                    s.after_tax = t.map(|t| net - t);
                }
            }
        }
        if !choice.short_of.is_zero() {
            self.notes.push(format!(
                "The ledger holds {} {} less than this sale: the tax of that part is unknown.",
                choice.short_of, self.request.sale.asset
            ));
        }
        let waits = crate::taxplan::waits(&sale, wait_days);
        self.tax = Some(TaxView { choice, waits, rates });
        self
    }
}

/// Plans the sale at every exchange of the catalog, and every mix of a desk with a known spread and an exchange.
pub fn plan(venues: &[Venue], req: &PlanRequest) -> Plan {
    let max_days = req.max_days.clamp(1, 365);
    // The trajectories (day quantities, impact, risk) depend on the sale only: computed once for every venue.
    let mut trajectories = Vec::new();
    if req.sale.qty > Decimal::ZERO && req.sale.price > Decimal::ZERO {
        for n in DAY_CANDIDATES.iter().copied().filter(|&n| n <= max_days) {
            for &(num, den) in &URGENCIES {
                let kappa = Decimal::from(num) / Decimal::from(10u32.pow(den));
                if n == 1 && !kappa.is_zero() {
                    continue; // one day: every urgency is the same
                }
                if kappa * Decimal::from(n) > Decimal::from(20) {
                    // Holdings fall by e^-κ a day: after 20/κ days less than 2e-9 of the sale is left, so this
                    // schedule is a shorter one with empty days at the end.
                    continue;
                }
                trajectories.push(Trajectory::new(&req.sale, n, kappa));
            }
        }
    }
    let exchanges: Vec<VenuePlan> = venues
        .iter()
        .filter(|v| v.kind == VenueKind::Exchange)
        .map(|v| plan_exchange(v, req, max_days, &trajectories))
        .collect();
    let mut mixes = Vec::new();
    let mut desks_without_quote = Vec::new();
    for desk in venues.iter().filter(|v| v.kind == VenueKind::Otc && v.status != VenueStatus::Reference) {
        let q = quote(desk, &req.sale);
        if !q.unsuitable.is_empty() {
            continue;
        }
        match desk.typical_spread_pct {
            None => desks_without_quote.push(desk.id.clone()),
            Some(spread) => {
                for ex in venues.iter().filter(|v| v.kind == VenueKind::Exchange) {
                    if let Some(m) = mix(desk, spread, ex, &req.sale) {
                        mixes.push(m);
                    }
                }
            }
        }
    }
    mixes.sort_by_key(|m| std::cmp::Reverse(m.net));
    let mut notes = vec![
        "Impact: square-root law per day, decaying overnight; risk: one standard deviation of the price over the days \
         the rest is held (Almgren-Chriss)."
            .to_string(),
        "Limits are checked against each day's gross proceeds under your verification level where you gave it (--level), \
         else the level a new verified account gets; enter your own limits as overrides."
            .to_string(),
    ];
    if req.sale.impact.is_none() {
        notes.push("No daily volume and volatility: impact and risk are unknown, so costs are unknown.".into());
    }
    let mut recommended = advice::candidates(venues, req, &exchanges, &mixes, &trajectories);
    let ranking = advice::rank(&mut recommended, req);
    Plan { request: req.clone(), exchanges, mixes, desks_without_quote, recommended, ranking, notes, tax: None }
}

fn plan_exchange(venue: &Venue, req: &PlanRequest, max_days: u32, trajectories: &[Trajectory]) -> VenuePlan {
    let sale = &req.sale;
    let q = quote(venue, sale);
    let fiat = sale.fiat.as_str();
    let mut out = VenuePlan {
        venue: venue.id.clone(),
        name: venue.name.clone(),
        schedules: Vec::new(),
        limits: Vec::new(),
        limits_level: None,
        limits_basis: None,
        fewest_days: None,
        unknown_costs: Vec::new(),
        sources: Vec::new(),
        unsuitable: q.unsuitable,
        warnings: Vec::new(),
    };
    if !out.unsuitable.is_empty() {
        return out;
    }
    let account = match account_limits(venue, fiat, &sale.country, sale.level_at(&venue.id)) {
        Ok(a) => a,
        Err(e) => {
            out.unsuitable.push(e);
            return out;
        }
    };
    let limits_known = account.as_ref().is_some_and(|a| a.known());
    match &account {
        Some(a) => {
            out.limits = a.limits.clone();
            out.limits_level = Some(a.level.clone());
            out.limits_basis = Some(describe_level(venue, a));
            out.sources.push(FigureSource::new(
                format!("withdrawal limits ({})", a.level),
                a.source.clone(),
                a.as_of.clone(),
            ));
            if let Some(n) = &a.note {
                out.warnings.push(n.clone());
            }
        }
        None => out.warnings.push(format!(
            "{fiat} withdrawal limits unknown: the plan cannot check them; enter your account's limits \
             (offramp override set {} limit_day \"N {fiat}\")",
            venue.id
        )),
    }
    if sale.qty <= Decimal::ZERO || sale.price <= Decimal::ZERO {
        out.unsuitable.push("nothing to sell".into());
        return out;
    }
    let costs = VenueCosts::for_plan(venue, req);
    out.unknown_costs = costs.unknowns(venue, sale);
    out.sources.extend(costs.sources(venue, sale));
    let mut schedules = Vec::new();
    let mut rejected_for_limits = 0;
    for t in trajectories {
        match costs.schedule(t, req.start, &out.limits) {
            Some(s) => schedules.push(s),
            None => rejected_for_limits += 1,
        }
    }
    if let Some(n) = fewest_even_days(sale, req.start, max_days, &out.limits, (&costs.pre, costs.today))
        .filter(|&n| !trajectories.iter().any(|t| t.days == n && t.kappa.is_zero()))
    {
        if let Some(s) = costs.schedule(&Trajectory::new(sale, n, Decimal::ZERO), req.start, &out.limits) {
            schedules.push(s);
        }
    }
    // With a cap unknown, "the fastest" would only be the fastest the known caps allow: not offered.
    let fastest = if limits_known {
        fastest_quantities(sale, req.start, max_days, &out.limits, costs.min_order, (&costs.pre, costs.today))
    } else {
        None
    };
    out.fewest_days = fastest.as_ref().map(|q| q.len() as u32);
    if let Some(qtys) = fastest {
        let t = Trajectory::from_quantities(sale, qtys);
        if !trajectories.iter().any(|x| x.qtys == t.qtys) {
            if let Some(mut s) = costs.schedule(&t, req.start, &out.limits) {
                s.fastest = true;
                schedules.push(s);
            }
        }
    }
    if out.fewest_days.is_none() && limits_known {
        out.unsuitable.push(format!("the withdrawal limits do not allow this sale within {max_days} days"));
    } else if schedules.is_empty() {
        out.unsuitable.push("no schedule meets the minimum order and withdrawal sizes".into());
    } else if rejected_for_limits > 0 {
        out.warnings.push(format!(
            "{rejected_for_limits} other schedules would break a withdrawal limit or a minimum order or withdrawal size"
        ));
    }
    mark_frontier(&mut schedules);
    schedules.sort_by(|a, b| b.efficient.cmp(&a.efficient).then(a.days.cmp(&b.days)).then(a.urgency.cmp(&b.urgency)));
    out.schedules = schedules;
    out
}

/// Holdings fractions after each day: `x_k / X = sinh(κ(N−k)) / sinh(κN)`, or `1 − k/N` when κ = 0.
/// Computed as `r^k·(1 − r^{2(N−k)})/(1 − r^{2N})` with `r = e^{−κ}`, which cannot overflow; the powers come from
/// repeated multiplication (one `exp` per trajectory).
fn holdings_fractions(n: u32, kappa: Decimal) -> Vec<Decimal> {
    let nn = Decimal::from(n);
    if kappa.is_zero() {
        return (0..=n).map(|k| Decimal::ONE - Decimal::from(k) / nn).collect();
    }
    let r = if kappa > Decimal::from(60) { Decimal::ZERO } else { (-kappa).exp() };
    // powers[i] = r^i for i = 0..=2n
    let mut powers = Vec::with_capacity(2 * n as usize + 1);
    let mut p = Decimal::ONE;
    for _ in 0..=2 * n {
        powers.push(p);
        p *= r;
    }
    let denominator = Decimal::ONE - powers[2 * n as usize];
    (0..=n as usize).map(|k| powers[k] * (Decimal::ONE - powers[2 * (n as usize - k)]) / denominator).collect()
}

/// Day quantities from a trajectory: cut to 8 places, the last day takes the rest.
fn day_quantities(total: Decimal, n: u32, kappa: Decimal) -> Vec<Decimal> {
    quantities(total, kappa, &holdings_fractions(n, kappa))
}

/// Day quantities for a trajectory whose holdings fractions `x` are already known.
fn quantities(total: Decimal, kappa: Decimal, x: &[Decimal]) -> Vec<Decimal> {
    if kappa.is_zero() {
        return even_quantities(total, (x.len() - 1) as u32);
    }
    quantities_from(x, total)
}

/// An even split: `total / n` a day cut to 8 places (3 BTC over 3 days is exactly 1 a day), the rest on the last.
fn even_quantities(total: Decimal, n: u32) -> Vec<Decimal> {
    let q = (total / Decimal::from(n)).round_dp_with_strategy(QTY_PLACES, rust_decimal::RoundingStrategy::ToZero);
    let mut out = vec![q; n as usize];
    if let Some(last) = out.last_mut() {
        *last = total - q * Decimal::from(n - 1);
    }
    out
}

/// Day quantities from holdings fractions `x_0 = 1 … x_n = 0`.
fn quantities_from(x: &[Decimal], total: Decimal) -> Vec<Decimal> {
    let n = x.len() - 1;
    let mut out = Vec::with_capacity(n);
    let mut left = total;
    for k in 1..=n {
        let q = if k == n {
            left
        } else {
            ((x[k - 1] - x[k]) * total).round_dp_with_strategy(QTY_PLACES, rust_decimal::RoundingStrategy::ToZero)
        }
        .min(left);
        out.push(q);
        left -= q;
    }
    out
}

/// The fewest days of an even split that keep every window within its cap (a steadier schedule than the fastest,
/// offered beside it). An even split puts `min(n, w)/n` of the total in a window of `w` days, so `n` must reach
/// `w·total/cap` for each cap below the total; the search starts there and checks day by day (the 8-place cut can
/// push a boundary case one day on).
fn fewest_even_days(
    sale: &SaleRequest,
    start: NaiveDate,
    max_days: u32,
    limits: &[RollingLimit],
    (pre, today): (&[Decimal], Decimal),
) -> Option<u32> {
    let total = sale.qty * sale.price;
    let mut from = 1u32;
    for l in limits {
        if let Some(cap) = l.cap.filter(|c| *c > Decimal::ZERO && *c < total) {
            let need = (Decimal::from(l.days.max(1)) * total / cap).floor();
            from = from.max(u32::try_from(need).unwrap_or(u32::MAX));
        }
    }
    (from.saturating_sub(1).max(1)..=max_days).find(|&n| {
        let grosses: Vec<Decimal> =
            day_quantities(sale.qty, n, Decimal::ZERO).iter().map(|q| *q * sale.price).collect();
        within_limits_after(pre, today, &grosses, limits) && start.checked_add_days(Days::new(u64::from(n))).is_some()
    })
}

/// The fastest sale the limits allow, as each day's quantity: every day sells all the room that every rolling
/// window leaves (its cap less what the window's earlier days withdrew), as the largest quantity of 8 places whose
/// gross in cents ([`withdrawn`]) fits, the last day the rest; a day with no room sells nothing. No schedule ends
/// sooner: at every day this one has sold at least as much as any schedule within the caps. `None` when it needs
/// more than `max_days` days.
fn fastest_quantities(
    sale: &SaleRequest,
    start: NaiveDate,
    max_days: u32,
    limits: &[RollingLimit],
    min_order: Option<Decimal>,
    (pre, today): (&[Decimal], Decimal),
) -> Option<Vec<Decimal>> {
    let mut qtys: Vec<Decimal> = Vec::new();
    let mut room = Room::after(limits, pre, today);
    let mut left = sale.qty;
    while left > Decimal::ZERO {
        if qtys.len() as u32 >= max_days {
            return None;
        }
        let q = room.fill(left, sale.price, min_order);
        qtys.push(q);
        room.push(withdrawn(q * sale.price));
        left -= q;
    }
    start.checked_add_days(Days::new(qtys.len() as u64))?;
    Some(qtys)
}

/// The room every rolling window leaves on the next day, given what the earlier days withdrew (in cents, as
/// [`withdrawn`]); running sums, so a window's earlier days cost one subtraction.
struct Room<'l> {
    limits: &'l [RollingLimit],
    prefix: Vec<Decimal>,
    /// Withdrawn on the first day before the plan: part of that day's windows.
    carry: Decimal,
}

impl<'l> Room<'l> {
    /// The room after the days `pre` (withdrawals before the first day, oldest first) and what the first day
    /// already withdrew (`today`).
    fn after(limits: &'l [RollingLimit], pre: &[Decimal], today: Decimal) -> Room<'l> {
        let mut prefix = Vec::with_capacity(pre.len() + 1);
        prefix.push(Decimal::ZERO);
        for a in pre {
            prefix.push(prefix[prefix.len() - 1] + *a);
        }
        Room { limits, prefix, carry: today }
    }

    /// What may still be withdrawn today (`None`: no cap is known).
    fn today(&self) -> Option<Decimal> {
        let n = self.prefix.len() - 1;
        self.limits
            .iter()
            .filter_map(|l| {
                let cap = l.cap?;
                Some(cap - (self.prefix[n] - self.prefix[n.saturating_sub(l.days.max(1) as usize - 1)]) - self.carry)
            })
            .min()
    }

    /// Today's withdrawal (in cents), and the day ends.
    fn push(&mut self, amount: Decimal) {
        self.prefix.push(self.prefix[self.prefix.len() - 1] + amount + self.carry);
        self.carry = Decimal::ZERO;
    }

    /// The largest quantity of 8 places, at most `left`, whose gross in cents fits today's room (the last day
    /// the rest); nothing when less than the smallest order fits.
    fn fill(&self, left: Decimal, price: Decimal, min_order: Option<Decimal>) -> Decimal {
        let all = withdrawn(left * price);
        let room = self.today().map_or(all, |r| r.min(all));
        if room >= all {
            return left;
        }
        if room <= Decimal::ZERO {
            return Decimal::ZERO;
        }
        // From the most that half a cent more would allow, down a satoshi at a time (a step or two).
        let sat = Decimal::new(1, QTY_PLACES);
        let half_cent = Decimal::new(5, 3);
        let mut q = ((room + half_cent) / price)
            .round_dp_with_strategy(QTY_PLACES, rust_decimal::RoundingStrategy::ToZero)
            .min(left);
        while q > Decimal::ZERO && withdrawn(q * price) > room {
            q -= sat;
        }
        // Less than the smallest order the venue takes is not a sale: wait for more room.
        if q < left && min_order.is_some_and(|m| q * price < m) {
            return Decimal::ZERO;
        }
        q.max(Decimal::ZERO)
    }
}

/// What a day's sale puts against the withdrawal limits: its gross in whole cents (rounded half away from zero),
/// as fiat is withdrawn. (Without it, quantities cut to 8 places leave a few hundredths of a cent of every
/// day's room unused, and the dust left over takes one more day.)
pub fn withdrawn(gross: Decimal) -> Decimal {
    gross.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// Every window of every known limit holds no more than its cap (prefix sums: one pass per limit), each day
/// counted as [`withdrawn`].
#[cfg(test)]
fn within_limits(amounts: &[Decimal], limits: &[RollingLimit]) -> bool {
    within_limits_after(&[], Decimal::ZERO, amounts, limits)
}

/// As [`within_limits`], after the withdrawals `pre` of the days before (in cents, oldest first) and `today` of
/// the first day before the plan: every window that ends on one of the schedule's days holds no more than its
/// cap.
fn within_limits_after(pre: &[Decimal], today: Decimal, amounts: &[Decimal], limits: &[RollingLimit]) -> bool {
    let mut prefix = Vec::with_capacity(pre.len() + amounts.len() + 1);
    prefix.push(Decimal::ZERO);
    for a in pre {
        prefix.push(prefix[prefix.len() - 1] + *a);
    }
    for (k, a) in amounts.iter().enumerate() {
        let carried = if k == 0 { today } else { Decimal::ZERO };
        prefix.push(prefix[prefix.len() - 1] + withdrawn(*a) + carried);
    }
    limits.iter().all(|l| {
        let Some(cap) = l.cap else { return true };
        let w = l.days.max(1) as usize;
        (pre.len() + 1..prefix.len()).all(|end| prefix[end] - prefix[end.saturating_sub(w)] <= cap)
    })
}

/// A way to sell the quantity over `days` days with urgency `kappa`: what depends on the sale only.
struct Trajectory {
    days: u32,
    kappa: Decimal,
    qtys: Vec<Decimal>,
    grosses: Vec<Decimal>,
    /// Each day's impact cost (square-root law); `None` without volume and volatility.
    impacts: Option<Vec<Decimal>>,
    risk_std: Option<Decimal>,
}

impl Trajectory {
    fn new(sale: &SaleRequest, days: u32, kappa: Decimal) -> Trajectory {
        let x = holdings_fractions(days, kappa);
        let qtys = quantities(sale.qty, kappa, &x);
        Trajectory::of(sale, days, kappa, &x, qtys)
    }

    /// A trajectory of given daily quantities (the fastest fill), its holdings fractions from what is left.
    fn from_quantities(sale: &SaleRequest, qtys: Vec<Decimal>) -> Trajectory {
        let mut x = Vec::with_capacity(qtys.len() + 1);
        let mut left = sale.qty;
        x.push(Decimal::ONE);
        for q in &qtys {
            left -= q;
            x.push(if sale.qty.is_zero() { Decimal::ZERO } else { left / sale.qty });
        }
        Trajectory::of(sale, qtys.len() as u32, Decimal::ZERO, &x, qtys)
    }

    fn of(sale: &SaleRequest, days: u32, kappa: Decimal, x: &[Decimal], qtys: Vec<Decimal>) -> Trajectory {
        let grosses: Vec<Decimal> = qtys.iter().map(|q| *q * sale.price).collect();
        // Equal days (an even split) share one square root.
        let impacts = sale.impact.and_then(|p| {
            let mut last: Option<(Decimal, Decimal)> = None;
            let mut out = Vec::with_capacity(qtys.len());
            for (q, g) in qtys.iter().zip(&grosses) {
                let fraction = match last {
                    Some((lq, f)) if lq == *q => f,
                    _ => crate::market::sqrt_impact(&p, *q)?.average_fraction,
                };
                last = Some((*q, fraction));
                out.push(*g * fraction);
            }
            Some(out)
        });
        let risk_std = sale.impact.and_then(|p| {
            let sum_sq: Decimal = x[1..days as usize].iter().map(|f| *f * sale.qty * *f * sale.qty).sum();
            sum_sq.sqrt().map(|s| p.daily_volatility * sale.price * s)
        });
        Trajectory { days, kappa, qtys, grosses, impacts, risk_std }
    }
}

/// (lower bound of 30-day volume, taker percent and fraction, maker fraction).
type Tier = (Decimal, Option<(Decimal, Decimal)>, Option<Decimal>);

/// A venue's fee facts for one sale, looked up once (percentages turned into fractions).
struct VenueCosts {
    /// (lower bound of 30-day volume, taker percent and fraction, maker fraction), by lower bound; the base fees
    /// at -1.
    tiers: Vec<Tier>,
    volume_30d: Decimal,
    /// The seller's own sales raise the fee tier when the tiers are counted in the sale's currency.
    own_volume_counts: bool,
    /// Published withdrawal methods in the sale's currency, offered in the seller's country, with a known fee.
    withdrawals: Vec<WithdrawalMethod>,
    /// The smallest order, when published in the sale's currency.
    min_order: Option<Decimal>,
    /// What was withdrawn here in the 364 days before the plan, and on its first day before it (see
    /// [`history_before`]).
    pre: Vec<Decimal>,
    today: Decimal,
    deposit_fee: Option<Decimal>,
}

impl VenueCosts {
    fn new(venue: &Venue, sale: &SaleRequest) -> VenueCosts {
        let fraction = |p: Option<Decimal>| p.map(|p| p / Decimal::ONE_HUNDRED);
        let fiat = sale.fiat.as_str();
        let withdrawals = venue
            .withdrawal_methods
            .iter()
            .filter(|m| m.pays_out(fiat) && m.offered_to(&sale.country) && m.fee_known())
            .cloned()
            .collect();
        // The same choice as `quote::taker_fee_pct`: the highest tier reached, its figure or else the base fee.
        let both = |p: Option<Decimal>| p.map(|p| (p, p / Decimal::ONE_HUNDRED));
        let fees = fees_for(venue, &sale.country);
        let mut tiers = vec![(Decimal::NEGATIVE_ONE, both(fees.taker_pct), fraction(fees.maker_pct))];
        for t in &fees.tiers {
            tiers.push((t.min_volume, both(t.taker_pct.or(fees.taker_pct)), fraction(t.maker_pct.or(fees.maker_pct))));
        }
        tiers.sort_by_key(|t| t.0);
        VenueCosts {
            tiers,
            min_order: venue.min_order.filter(|_| venue.min_order_currency.as_deref() == Some(fiat)),
            // Coins already at the venue need no deposit.
            deposit_fee: if sale.held_at(&venue.id) { Some(Decimal::ZERO) } else { venue.deposit_fee },
            volume_30d: sale.volume_30d,
            own_volume_counts: fees.volume_currency.as_deref().is_none_or(|c| c.eq_ignore_ascii_case(fiat)),
            withdrawals,
            pre: Vec::new(),
            today: Decimal::ZERO,
        }
    }

    /// As [`VenueCosts::new`], with what the seller already withdrew here before the plan's first day.
    fn for_plan(venue: &Venue, req: &PlanRequest) -> VenueCosts {
        let (pre, today) = history_before(req, &venue.id);
        VenueCosts { pre, today, ..VenueCosts::new(venue, &req.sale) }
    }

    /// The costs this venue does not publish (each makes every net here unknown), with why and how to give them.
    fn unknowns(&self, venue: &Venue, sale: &SaleRequest) -> Vec<String> {
        let mut out = Vec::new();
        if self.tiers.iter().all(|t| t.1.is_none()) {
            out.push(format!("taker fee: not published (offramp override set {} taker_pct P)", venue.id));
        }
        if sale.impact.is_none() {
            out.push("market impact: no daily volume and volatility given".into());
        }
        if self.deposit_fee.is_none() {
            out.push(format!(
                "deposit fee: {}",
                venue
                    .deposit_fee_note
                    .as_deref()
                    .map(|n| format!("published as \"{n}\""))
                    .unwrap_or("not published".into())
            ));
        }
        if self.withdrawals.is_empty() {
            let why = cheapest_withdrawal(venue, sale.fiat.as_str(), sale.qty * sale.price, &sale.country)
                .err()
                .unwrap_or_else(|| "not published".into());
            out.push(format!(
                "withdrawal fee: {why} (offramp override set {} withdrawal_fee \"F {}\")",
                venue.id, sale.fiat
            ));
        }
        out
    }

    /// Where the fee figures come from: the fee schedule, the deposit, each withdrawal method used.
    fn sources(&self, venue: &Venue, sale: &SaleRequest) -> Vec<FigureSource> {
        let fees = fees_for(venue, &sale.country);
        let mut out = vec![FigureSource::new("trading fees".into(), fees.source.clone(), fees.as_of.clone())];
        if sale.held_at(&venue.id) {
            out.push(FigureSource::new("no deposit: the coins are already there".into(), Some("you".into()), None));
        } else {
            let deposit = venue.record.get("crypto_deposit");
            let text = |k: &str| deposit.and_then(|d| d.get(k)).and_then(|s| s.as_str()).map(String::from);
            out.push(FigureSource::new(
                format!("deposit fee ({})", venue.deposit_fee_note.as_deref().unwrap_or("not published")),
                text("source"),
                text("as_of").or(venue.as_of.clone().filter(|d| !d.starts_with("mixed"))),
            ));
        }
        for m in &self.withdrawals {
            out.push(FigureSource::new(format!("withdrawal: {}", m.method), m.source.clone(), m.as_of.clone()));
        }
        out
    }

    /// The cheapest published withdrawal that takes `amount`: the choice of `quote::cheapest_withdrawal` (the same
    /// methods, sizes and fees: `WithdrawalMethod::takes` and `fee_for`). `Err(())` when methods are published but
    /// none takes that amount.
    fn withdrawal_fee(&self, amount: Decimal) -> Result<Option<Decimal>, ()> {
        if self.withdrawals.is_empty() {
            return Ok(None);
        }
        self.withdrawals.iter().filter(|w| w.takes(amount)).map(|w| w.fee_for(amount)).min().map(Some).ok_or(())
    }

    /// The taker fee (percent and fraction) and the maker fraction at a 30-day volume.
    fn fees_at(&self, volume: Decimal) -> (Option<(Decimal, Decimal)>, Option<Decimal>) {
        let i = self.tiers.partition_point(|t| t.0 <= volume);
        let t = &self.tiers[i.max(1) - 1];
        (t.1, t.2)
    }

    /// Costs a trajectory at this venue; `None` when it would exceed a known limit.
    fn schedule(&self, t: &Trajectory, start: NaiveDate, limits: &[RollingLimit]) -> Option<Schedule> {
        if !within_limits_after(&self.pre, self.today, &t.grosses, limits) {
            return None;
        }
        let mut sales = Vec::with_capacity(t.days as usize);
        let (mut fees, mut wfees, mut maker) = (Some(Decimal::ZERO), Some(Decimal::ZERO), Some(Decimal::ZERO));
        let add = |sum: &mut Option<Decimal>, v: Option<Decimal>| *sum = sum.and_then(|s| v.map(|v| s + v));
        // The seller's own sales over the trailing 30 days (this day excluded), kept as a running sum.
        let mut recent = Decimal::ZERO;
        for (k, (&qty, &gross)) in t.qtys.iter().zip(&t.grosses).enumerate() {
            let day = start.checked_add_days(Days::new(k as u64))?;
            if self.own_volume_counts && k > 0 {
                recent += t.grosses[k - 1];
                if k > 29 {
                    recent -= t.grosses[k - 30];
                }
            }
            if qty.is_zero() {
                continue; // an urgent schedule can have sold everything before its last day: nothing to withdraw
            }
            let (taker, maker_fraction) = self.fees_at(self.volume_30d + recent);
            let fee = taker.map(|(_, f)| gross * f);
            // Minimum sizes: an order below the exchange's minimum, or a day's proceeds that no published
            // withdrawal method takes, make the schedule impossible.
            if self.min_order.is_some_and(|m| gross < m) {
                return None;
            }
            let wfee = self.withdrawal_fee(gross).ok()?;
            add(&mut fees, fee);
            add(&mut wfees, wfee);
            add(&mut maker, taker.zip(maker_fraction).map(|((_, t), m)| gross * (t - m).max(Decimal::ZERO)));
            let fee_pct = taker.map(|(pct, _)| pct);
            let impact = t.impacts.as_ref().map(|i| i[k]);
            sales.push(DaySale { day, qty, gross, fee_pct, fee, impact, withdrawal_fee: wfee });
        }
        let gross: Decimal = t.grosses.iter().sum();
        let impact: Option<Decimal> = t.impacts.as_ref().map(|i| i.iter().sum());
        // One deposit of the crypto, then the days' costs.
        let cost = fees.and_then(|f| impact.and_then(|i| wfees.and_then(|w| self.deposit_fee.map(|d| f + i + w + d))));
        if cost.is_some_and(|c| c > gross) {
            return None; // costs beyond what the sale brings in: never a plan
        }
        Some(Schedule {
            days: t.days,
            urgency: t.kappa,
            fastest: false,
            sales,
            gross,
            cost,
            net: cost.map(|c| gross - c),
            risk_std: t.risk_std,
            maker_saving: maker,
            efficient: false,
            tax: None,
            after_tax: None,
        })
    }
}

/// Marks the schedules that no other schedule beats on both cost and risk (both must be known).
fn mark_frontier(schedules: &mut [Schedule]) {
    let points: Vec<Option<(Decimal, Decimal)>> = schedules.iter().map(|s| s.cost.zip(s.risk_std)).collect();
    for (i, s) in schedules.iter_mut().enumerate() {
        let Some((c, r)) = points[i] else { continue };
        s.efficient = !points
            .iter()
            .enumerate()
            .any(|(j, p)| j != i && p.is_some_and(|(c2, r2)| c2 <= c && r2 <= r && (c2 < c || r2 < r || j < i)));
    }
}

/// The desk takes the bulk, the exchange sells in one day what it does more cheaply than the desk: up to where
/// its marginal cost (fee plus `Y·σ_D·sqrt(q/V_D)` of the price, the derivative of the impact cost) reaches the
/// desk's spread, `q* = V_D·((s − f)/(Y·σ_D))²`, and no more than one day's withdrawal cap. The desk's part
/// must reach its minimum ticket. `None` when there is nothing to mix (one of them would take everything) or a
/// figure is unknown.
fn mix(desk: &Venue, spread_pct: Decimal, exchange: &Venue, sale: &SaleRequest) -> Option<Mix> {
    let p = sale.impact?;
    if !quote(exchange, sale).unsuitable.is_empty() {
        return None;
    }
    let hundred = Decimal::ONE_HUNDRED;
    let fee_pct = taker_fee_pct(fees_for(exchange, &sale.country), sale.volume_30d)?;
    let (s, f) = (spread_pct / hundred, fee_pct / hundred);
    let slope = p.y * p.daily_volatility;
    if s <= f || slope <= Decimal::ZERO {
        return None; // the desk is cheaper for every unit: no exchange part
    }
    let mut q_ex = p.daily_volume * ((s - f) / slope) * ((s - f) / slope);
    if let Ok(Some(a)) = account_limits(exchange, sale.fiat.as_str(), &sale.country, sale.level_at(&exchange.id)) {
        if let Some(day_cap) = a.limits.iter().filter(|l| l.days == 1).find_map(|l| l.cap) {
            q_ex = q_ex.min(day_cap / sale.price);
        }
    }
    let q_ex = q_ex.round_dp_with_strategy(QTY_PLACES, rust_decimal::RoundingStrategy::ToZero);
    if q_ex <= Decimal::ZERO || q_ex >= sale.qty {
        return None;
    }
    let q_desk = sale.qty - q_ex;
    if desk.min_ticket_usd.is_some_and(|min| sale.fiat.as_str() == "USD" && q_desk * sale.price < min) {
        return None;
    }
    let ex_gross = q_ex * sale.price;
    let impact = crate::market::sqrt_impact(&p, q_ex)?.average_fraction * ex_gross;
    let wfee = cheapest_withdrawal(exchange, sale.fiat.as_str(), ex_gross, &sale.country).ok()?.0;
    let deposit = if sale.held_at(&exchange.id) { Decimal::ZERO } else { exchange.deposit_fee? };
    let cost = q_desk * sale.price * s + ex_gross * f + impact + wfee + deposit;
    if cost > sale.qty * sale.price {
        return None;
    }
    Some(Mix {
        desk: desk.id.clone(),
        exchange: exchange.id.clone(),
        desk_qty: q_desk,
        exchange_qty: q_ex,
        cost,
        net: sale.qty * sale.price - cost,
        note: format!(
            "the exchange sells while its fee plus impact stays under the desk's {spread_pct}% spread; the desk \
             settles the rest directly"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn trajectories_start_full_end_empty_and_front_load_with_urgency() {
        for kappa in ["0", "0.1", "0.3", "1", "5"].map(d) {
            let x = holdings_fractions(10, kappa);
            assert_eq!(x[0], Decimal::ONE);
            assert!(x[10].is_zero(), "{kappa}: {}", x[10]);
            assert!(x.windows(2).all(|w| w[0] > w[1]), "{kappa}: holdings only fall");
        }
        // Even split: a tenth a day. Urgent: more than a tenth on the first day.
        assert_eq!(holdings_fractions(10, Decimal::ZERO)[1], d("0.9"));
        assert!(holdings_fractions(10, d("1"))[1] < d("0.5"));
        // Long horizons with high urgency do not overflow.
        let x = holdings_fractions(365, d("1"));
        assert!(x[364] >= Decimal::ZERO && x[365].is_zero());
    }

    #[test]
    fn day_quantities_add_up_exactly() {
        for kappa in ["0", "0.1", "1"].map(d) {
            for n in [1, 3, 7, 30] {
                let q = day_quantities(d("10.12345678"), n, kappa);
                assert_eq!(q.len(), n as usize);
                assert_eq!(q.iter().sum::<Decimal>(), d("10.12345678"), "n {n} kappa {kappa}");
                assert!(q.iter().all(|x| *x >= Decimal::ZERO && x.scale() <= QTY_PLACES));
            }
        }
        assert_eq!(day_quantities(d("1"), 3, Decimal::ZERO), [d("0.33333333"), d("0.33333333"), d("0.33333334")]);
        assert_eq!(day_quantities(d("3"), 3, Decimal::ZERO), [d("1"), d("1"), d("1")]);
    }

    #[test]
    fn rolling_windows_are_checked_with_prefix_sums() {
        let day = |cap: &str| RollingLimit { days: 1, cap: Some(d(cap)) };
        let month = |cap: &str| RollingLimit { days: 30, cap: Some(d(cap)) };
        assert!(within_limits(&[d("100"), d("100")], &[day("100")]));
        assert!(!within_limits(&[d("100"), d("100.01")], &[day("100")]));
        let forty: Vec<Decimal> = vec![d("10"); 40];
        assert!(within_limits(&forty, &[month("300")]));
        assert!(!within_limits(&forty, &[month("299.99")]));
        assert!(within_limits(&forty, &[RollingLimit { days: 30, cap: None }]), "unknown caps are reported elsewhere");
    }
}
