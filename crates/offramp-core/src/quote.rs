//! What selling a quantity at one venue would give: gross, each cost line, net fiat, days to cash, and why a
//! venue is unsuitable. Pure: the venue's facts and the market inputs come in. A cost that is not known is a
//! line with no amount, and then the net is not known either: never a zero.

use serde::Serialize;

use crate::catalog::{RestrictionKind, Venue, VenueKind, VenueStatus, WithdrawalLimit, WithdrawalMethod};
use crate::market::{schedule_withdrawals, sqrt_impact, walk_sell, ImpactParams, OrderBook, RollingLimit, SellWalk};
use crate::money::Code;
use crate::Decimal;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SaleRequest {
    pub asset: Code,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    pub fiat: Code,
    /// ISO country code of the seller (US, GB, DE, ...).
    pub country: String,
    /// The reference price of one unit in `fiat` (from a ticker, or the user's own figure when offline).
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub price: Decimal,
    /// The seller's trading volume over the last 30 days, for fee tiers.
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub volume_30d: Decimal,
    /// Square-root-law inputs, when known.
    pub impact: Option<ImpactParams>,
    /// The seller's verification level at venues where they said (else the level a new verified account gets:
    /// see [`account_limits`]).
    pub levels: Vec<VenueLevel>,
    /// The venue where the coins already are (no deposit there); `None`: the seller's own wallet.
    pub held_at: Option<String>,
}

/// The seller's verification level at one venue, as the catalog names it (`Intermediate`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VenueLevel {
    pub venue: String,
    pub level: String,
}

impl SaleRequest {
    /// The level the seller said they have at `venue`.
    pub fn level_at(&self, venue: &str) -> Option<&str> {
        self.levels.iter().find(|l| l.venue.eq_ignore_ascii_case(venue)).map(|l| l.level.as_str())
    }

    /// Whether the coins are already at `venue` (no deposit to make there).
    pub fn held_at(&self, venue: &str) -> bool {
        self.held_at.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(venue))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CostLine {
    pub name: &'static str,
    /// In the sale's fiat currency; `None` when unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub amount: Option<Decimal>,
    pub note: String,
    /// Where the figure comes from ("not given" where the catalog names none) and its date ("an unknown date").
    pub source: String,
    pub as_of: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VenueQuote {
    pub venue: String,
    pub name: String,
    pub kind: VenueKind,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub gross: Decimal,
    pub costs: Vec<CostLine>,
    /// Gross less every cost line; `None` when any cost is unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub net: Option<Decimal>,
    /// Days to withdraw everything under the published limits; `None` when unknown.
    pub days_to_cash: Option<u32>,
    /// Why this venue cannot take the sale (empty when it can).
    pub unsuitable: Vec<String>,
    pub warnings: Vec<String>,
    /// How many visits or trades its caps split the sale into (an ATM's daily cap, a P2P platform's largest
    /// trade), when more than one: such venues rank after those that take the sale at once.
    pub pieces: Option<u32>,
}

fn mentions(list: &[String], needle: &str) -> bool {
    let n = needle.to_ascii_uppercase();
    list.iter().any(|s| s.to_ascii_uppercase().contains(&n))
}

/// Members of the European Economic Area (EU plus Iceland, Liechtenstein and Norway), by ISO code.
const EEA: [&str; 30] = [
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT",
    "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
];

/// Whether a venue's published regions include a country (ISO code): named as a word (`US (most states)`),
/// as the EU/EEA for its members, as the UK for GB, or by a catch-all (`global`, `other`).
pub fn serves(regions: &[String], country: &str) -> bool {
    let country = country.to_ascii_uppercase();
    let words = regions.iter().flat_map(|r| r.split(|c: char| !c.is_ascii_alphanumeric())).map(str::to_ascii_uppercase);
    let mut wanted = vec![country.clone(), "GLOBAL".to_string(), "OTHER".to_string()];
    if country == "GB" {
        wanted.push("UK".into());
    }
    if EEA.contains(&country.as_str()) {
        wanted.extend(["EU".to_string(), "EEA".to_string()]);
    }
    words.into_iter().any(|w| wanted.contains(&w))
}

/// The fee schedule a resident of `country` pays at `venue`: a regional schedule whose region serves the
/// country (OKX's EEA schedule for a German seller), else the venue's.
pub fn fees_for<'v>(venue: &'v Venue, country: &str) -> &'v crate::catalog::FeeSchedule {
    venue
        .fees
        .regional
        .iter()
        .find(|r| serves(std::slice::from_ref(&r.region), country))
        .map(|r| &r.schedule)
        .unwrap_or(&venue.fees)
}

/// The taker fee for a 30-day volume: the highest tier whose lower bound the volume reaches, else the base fee.
pub fn taker_fee_pct(fees: &crate::catalog::FeeSchedule, volume_30d: Decimal) -> Option<Decimal> {
    fees.tiers
        .iter()
        .filter(|t| t.min_volume <= volume_30d)
        .max_by_key(|t| t.min_volume)
        .and_then(|t| t.taker_pct)
        .or(fees.taker_pct)
}

pub fn quote(venue: &Venue, req: &SaleRequest) -> VenueQuote {
    quote_with_book(venue, req, None)
}

/// As [`quote`], with the venue's live order book when one was fetched: the market-impact line is then the
/// exact cost of walking its bids (against the book's mid) instead of the square-root law.
pub fn quote_with_book(venue: &Venue, req: &SaleRequest, book: Option<&OrderBook>) -> VenueQuote {
    let gross = req.qty * req.price;
    let pct = |p: Decimal| gross * p / Decimal::ONE_HUNDRED;
    let mut q = VenueQuote {
        venue: venue.id.clone(),
        name: venue.name.clone(),
        kind: venue.kind,
        gross,
        costs: Vec::new(),
        net: None,
        days_to_cash: None,
        unsuitable: Vec::new(),
        warnings: Vec::new(),
        pieces: None,
    };
    if venue.status == VenueStatus::Closed {
        q.unsuitable.push("closed".into());
    }
    let fiat = req.fiat.as_str();
    if venue.fiat_currencies.is_empty() {
        q.warnings.push(format!("which currencies it pays out is not published: check that it pays {fiat}"));
    } else if !mentions(&venue.fiat_currencies, fiat)
        && !mentions(&venue.fiat_currencies, "many")
        && !mentions(&venue.fiat_currencies, "any")
    {
        q.unsuitable.push(format!("does not pay out {fiat}"));
    }
    if !venue.regions.is_empty() && !serves(&venue.regions, &req.country) {
        q.unsuitable.push(format!("not listed for {} (regions are indicative)", req.country));
    }
    for r in venue.restrictions.iter().filter(|r| r.country.eq_ignore_ascii_case(&req.country)) {
        match r.kind {
            RestrictionKind::Refused => {
                q.unsuitable.push(format!("does not serve residents of {}: {}", r.country, r.text))
            }
            RestrictionKind::NewAccountsRefused => q.unsuitable.push(format!(
                "takes no new customers from {} (an account you already have may still work): {}",
                r.country, r.text
            )),
            RestrictionKind::Unverified => {
                q.warnings.push(format!("may not serve residents of {} (unverified): {}", r.country, r.text))
            }
        }
    }
    match venue.kind {
        VenueKind::Exchange => exchange(venue, req, gross, book, &mut q),
        VenueKind::P2p => {
            let fee = venue.fees.taker_pct.map(pct);
            q.costs.push(CostLine {
                name: "platform fee",
                amount: fee,
                note: pct_note(venue.fees.taker_pct),
                source: String::new(),
                as_of: String::new(),
            });
            q.costs.push(CostLine {
                name: "spread",
                amount: venue.typical_spread_pct.map(pct),
                note: "the premium or discount agreed with each buyer".into(),
                source: String::new(),
                as_of: String::new(),
            });
            let caps = &venue.caps;
            match caps.new_user_trade_max_btc.or(caps.trade_max_btc).filter(|_| req.asset.as_str() == "BTC") {
                Some(max) if max > Decimal::ZERO => {
                    let trades = (req.qty / max).ceil();
                    q.pieces = u32::try_from(trades).ok().filter(|n| *n > 1);
                    let new = if caps.new_user_trade_max_btc.is_some() { " for a new account" } else { "" };
                    q.warnings.push(format!("at most {max} BTC per trade{new}: {trades} trades with different buyers"));
                }
                _ => q.warnings.push("per-trade limit unknown".into()),
            }
            q.warnings
                .push("counterparty risk: payments can be reversed after you release the coins (chargebacks)".into());
        }
        VenueKind::Otc => {
            match venue.min_ticket_usd {
                Some(min) if req.fiat.as_str() == "USD" && gross < min => {
                    q.unsuitable.push(format!("below the desk's minimum ticket of {min} USD"))
                }
                Some(_) => {}
                None => q.warnings.push("minimum ticket unknown".into()),
            }
            q.costs.push(CostLine {
                name: "desk spread",
                amount: venue.typical_spread_pct.map(pct),
                note: match venue.typical_spread_pct {
                    None => format!(
                        "not published: ask the desk for a quote and enter it (offramp override set {} spread_pct P)",
                        venue.id
                    ),
                    Some(_) if venue.overridden.iter().any(|o| o.starts_with("spread_pct")) => {
                        "the desk's quote you entered".into()
                    }
                    Some(_) => "published typical spread".into(),
                },
                source: String::new(),
                as_of: String::new(),
            });
        }
        VenueKind::Atm => {
            q.costs.push(CostLine {
                name: "ATM fee",
                amount: venue.observed_fee_pct.map(pct),
                note: venue.observed_fee_source.clone().unwrap_or_default(),
                source: String::new(),
                as_of: String::new(),
            });
            q.warnings.push("cash only; whether its machines buy bitcoin from you is not published".into());
            let caps = &venue.caps;
            match (caps.per_day, caps.per_day_currency.as_deref()) {
                (Some(cap), Some(c)) if c == fiat && cap > Decimal::ZERO => {
                    let visits = (gross / cap).ceil();
                    q.days_to_cash = u32::try_from(visits).ok();
                    q.pieces = q.days_to_cash.filter(|n| *n > 1);
                    q.warnings.push(format!(
                        "at most {cap} {c} a day ({}): {visits} daily visits",
                        caps.per_day_note.as_deref().unwrap_or("published daily cap")
                    ));
                }
                (Some(cap), Some(c)) => q
                    .warnings
                    .push(format!("at most {cap} {c} a day: how many visits in {fiat} is unknown (no exchange rates)")),
                _ => q.warnings.push("daily cap not published".into()),
            }
        }
        VenueKind::Card | VenueKind::Ramp => {
            q.costs.push(CostLine {
                name: "fee",
                amount: venue.fees.taker_pct.map(pct),
                note: pct_note(venue.fees.taker_pct),
                source: String::new(),
                as_of: String::new(),
            });
        }
    }
    // The lines that did not say where their figure comes from when they were made.
    for c in q.costs.iter_mut().filter(|c| c.source.is_empty()) {
        let (source, as_of) = source_of(venue, c, book.is_some());
        c.source = source.unwrap_or_else(|| "not given".into());
        c.as_of = as_of.unwrap_or_else(|| "an unknown date".into());
    }
    let known: Option<Decimal> = q.costs.iter().map(|c| c.amount).sum();
    q.net = known.map(|c| gross - c);
    if q.net.is_some_and(|n| n < Decimal::ZERO) {
        q.unsuitable.push("its costs would exceed what the sale brings in: sell less at once, or ask a desk".into());
    }
    q
}

/// Where a cost line's figure comes from, and its date.
fn source_of(venue: &Venue, c: &CostLine, live: bool) -> (Option<String>, Option<String>) {
    // The record's own date stands for its figures unless it says they are dated one by one ("mixed").
    let record_date = venue.as_of.clone().filter(|d| !d.starts_with("mixed"));
    let record_text = |obj: &str, key: &str| {
        venue.record.get(obj).and_then(|o| o.get(key)).and_then(|s| s.as_str()).map(String::from)
    };
    match c.name {
        "platform fee" | "fee" => (venue.fees.source.clone(), venue.fees.as_of.clone().or(record_date)),
        "market impact" if live && c.note.starts_with("live order book") => {
            (Some(format!("{}'s live order book", venue.name)), Some("the time of this quote".into()))
        }
        "market impact" => (
            Some("square-root law (market_impact.md) with your daily volatility and volume".into()),
            Some("this quote".into()),
        ),
        "deposit fee" => {
            (record_text("crypto_deposit", "source"), record_text("crypto_deposit", "as_of").or(record_date))
        }
        "desk spread" if venue.overridden.iter().any(|o| o.starts_with("spread_pct")) => {
            (Some("your figure (the desk's quote)".into()), None)
        }
        "ATM fee" => (venue.observed_fee_source.clone(), record_date),
        _ => (venue.record.get("source").and_then(|s| s.as_str()).map(String::from), record_date),
    }
}

fn pct_note(p: Option<Decimal>) -> String {
    p.map(|p| format!("{p}%")).unwrap_or_else(|| "unknown".into())
}

fn exchange(venue: &Venue, req: &SaleRequest, gross: Decimal, book: Option<&OrderBook>, q: &mut VenueQuote) {
    let fees = fees_for(venue, &req.country);
    let fee_pct = taker_fee_pct(fees, req.volume_30d);
    let regional = venue.fees.regional.iter().find(|r| std::ptr::eq(&r.schedule, fees));
    q.costs.push(CostLine {
        name: "taker fee",
        amount: fee_pct.map(|p| gross * p / Decimal::ONE_HUNDRED),
        note: format!(
            "{} at 30-day volume {}{}; source {}, as of {}",
            pct_note(fee_pct),
            req.volume_30d,
            regional
                .map(|r| format!(
                    ", the {} schedule for residents of {}{}",
                    r.region,
                    req.country,
                    r.effective.as_deref().map(|e| format!(" (from {e})")).unwrap_or_default()
                ))
                .unwrap_or_default(),
            fees.source.as_deref().unwrap_or("not given"),
            fees.as_of.as_deref().unwrap_or("an unknown date")
        ),
        source: fees.source.clone().unwrap_or_else(|| "not given".into()),
        as_of: fees.as_of.clone().unwrap_or_else(|| "an unknown date".into()),
    });
    let walked = book.map(|b| walk_sell(b, req.qty));
    let impact = req.impact.and_then(|p| sqrt_impact(&p, req.qty).map(|e| (p, e)));
    q.costs.push(match (walked, impact) {
        (Some(Ok(SellWalk::Filled(f))), _) => {
            // Against the book's own mid (or best bid on a one-sided book), in the book's quote currency.
            let reference = f.mid.unwrap_or(f.best_bid) * req.qty;
            CostLine {
                name: "market impact",
                amount: Some(reference - f.gross),
                note: format!(
                    "live order book: {} levels, average price {}, {} bps below mid",
                    f.levels_used,
                    f.vwap.round_dp(2),
                    f.slippage_vs_mid_bps.map(|b| b.round_dp(2).to_string()).unwrap_or_else(|| "?".into())
                ), source: String::new(), as_of: String::new() }
        }
        (Some(Ok(SellWalk::NotEnoughDepth { partial, .. })), _) => {
            q.warnings.push(format!(
                "the visible book takes only {} of {}: too thin for one market sale; split the sale or ask an OTC desk",
                partial.filled, req.qty
            ));
            CostLine { name: "market impact", amount: None, note: "not enough depth in the live book".into(), source: String::new(), as_of: String::new() }
        }
        (_, Some((p, e))) => CostLine {
            name: "market impact",
            amount: Some(gross * e.average_fraction),
            note: format!(
                "square-root law, no live order book: Y {} x daily volatility {} x sqrt({} / daily volume {}), two thirds of the peak",
                p.y, p.daily_volatility, req.qty, p.daily_volume
            ), source: String::new(), as_of: String::new() },
        (_, None) => CostLine { name: "market impact", amount: None, note: "offline and no daily volume/volatility given".into(), source: String::new(), as_of: String::new() },
    });
    q.costs.push(CostLine {
        name: "deposit fee",
        amount: venue.deposit_fee,
        note: venue.deposit_fee_note.clone().unwrap_or_else(|| "not published".into()),
        source: String::new(),
        as_of: String::new(),
    });
    let fiat = req.fiat.as_str();
    let cheapest = cheapest_withdrawal(venue, fiat, gross, &req.country);
    let (source, as_of) = match &cheapest {
        Ok((_, m)) => (
            m.source.clone().unwrap_or_else(|| "not given".into()),
            m.as_of.clone().unwrap_or_else(|| "an unknown date".into()),
        ),
        Err(_) => ("not given".into(), "an unknown date".into()),
    };
    q.costs.push(CostLine {
        name: "fiat withdrawal fee",
        amount: cheapest.as_ref().ok().map(|(f, _)| *f),
        note: match cheapest {
            Ok((_, m)) => format!(
                "{} (per withdrawal; more if split over days), settles {}; source {}, as of {}",
                m.method,
                m.settlement_time.as_deref().unwrap_or("in an unpublished time"),
                m.source.as_deref().unwrap_or("not given"),
                m.as_of.as_deref().unwrap_or("an unknown date")
            ),
            Err(why) => why,
        },
        source,
        as_of,
    });
    // Days to cash: under the seller's level, else the level a new verified account gets.
    match account_limits(venue, fiat, &req.country, req.level_at(&venue.id)) {
        Ok(Some(a)) => {
            if a.known() {
                let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");
                let s = schedule_withdrawals(gross, start, &[], &a.limits, 366);
                if s.unscheduled.is_zero() {
                    q.days_to_cash = s.days.last().map(|d| (d.day - start).num_days() as u32 + 1);
                }
            }
            q.warnings.push(format!(
                "withdrawals: {} (source {}, as of {})",
                describe_level(venue, &a),
                a.source.as_deref().unwrap_or("not given"),
                a.as_of.as_deref().unwrap_or("an unknown date")
            ));
            q.warnings.extend(a.note);
        }
        Ok(None) => q.warnings.push(format!("{fiat} withdrawal limits unknown")),
        Err(e) => q.unsuitable.push(e),
    }
}

/// The cheapest published way for a resident of `country` to withdraw `amount` of `fiat` in one withdrawal, among
/// the methods offered there whose sizes take it: its fee (fixed plus percentage, at least the minimum fee) and the
/// method; or why it is not known.
pub fn cheapest_withdrawal<'v>(
    venue: &'v Venue,
    fiat: &str,
    amount: Decimal,
    country: &str,
) -> Result<(Decimal, &'v WithdrawalMethod), String> {
    let paying: Vec<&WithdrawalMethod> = venue.withdrawal_methods.iter().filter(|m| m.pays_out(fiat)).collect();
    let methods: Vec<&&WithdrawalMethod> = paying.iter().filter(|m| m.offered_to(country)).collect();
    let priced: Vec<&&&WithdrawalMethod> = methods.iter().filter(|m| m.fee_known()).collect();
    match priced.iter().filter(|m| m.takes(amount)).min_by_key(|m| m.fee_for(amount)) {
        Some(m) => Ok((m.fee_for(amount), m)),
        None if paying.is_empty() => Err(format!("no {fiat} withdrawal method published")),
        None if methods.is_empty() => Err(format!(
            "no {fiat} withdrawal method offered to residents of {country}: {}",
            paying.iter().filter_map(|m| m.restriction.as_deref()).collect::<Vec<_>>().join("; ")
        )),
        None if priced.is_empty() => Err(format!("{fiat} withdrawal fee not published")),
        None => Err(format!("no published {fiat} withdrawal method takes {amount} at once")),
    }
}

/// The withdrawal caps a plan respects at one venue, in the sale's currency, and whose they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountLimits {
    /// The verification level, as the catalog names it ("yours" for limits the user entered).
    pub level: String,
    /// How the level was chosen: `yours` (the seller said, or entered their own limits), `entry` (the level a
    /// new verified account gets, assumed), `only` (the one level published).
    pub chosen: &'static str,
    /// Rolling windows of 1, 30 (and 365) days; a cap stays unknown (`None`) when not published, or published in
    /// another currency.
    pub limits: Vec<RollingLimit>,
    /// The currency the caps are published in.
    pub currency: String,
    pub source: Option<String>,
    pub as_of: Option<String>,
    /// Why some caps are unknown, when they are.
    pub note: Option<String>,
}

impl AccountLimits {
    /// Every window's cap is known.
    pub fn known(&self) -> bool {
        self.limits.iter().all(|l| l.cap.is_some())
    }
}

/// Whether a level is open to a resident of `country`: "Express (US only)" is only for the US.
fn level_open_to(l: &WithdrawalLimit, country: &str) -> bool {
    let name = l.level.to_ascii_uppercase();
    if !name.contains("ONLY") {
        return true;
    }
    let words: Vec<&str> = name.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    let country = country.to_ascii_uppercase();
    words.contains(&country.as_str()) || (country == "GB" && words.contains(&"UK"))
}

/// Whether a seller can use a level at all: one that takes no crypto deposits cannot sell deposited coins.
fn level_takes_crypto(l: &WithdrawalLimit) -> bool {
    !l.note.as_deref().is_some_and(|n| n.to_ascii_lowercase().contains("no crypto deposits"))
}

/// The fiat withdrawal caps that apply to the seller at `venue`: those of the level they named (an error
/// listing the venue's levels when it has no such level), else the level a new verified account gets, which
/// is the least generous level with a published daily cap that is open to their country and takes crypto
/// deposits (a first-time seller is rarely at the top level; the plan says which it assumed). Caps published in
/// another currency than `fiat` stay unknown: Offramp has no exchange rates. `Ok(None)` when the venue publishes
/// no fiat cap at any level.
pub fn account_limits(
    venue: &Venue,
    fiat: &str,
    country: &str,
    level: Option<&str>,
) -> Result<Option<AccountLimits>, String> {
    let published: Vec<&WithdrawalLimit> = venue.withdrawal_limits.iter().filter(|l| l.currency.is_some()).collect();
    // The user's own limits win over any level.
    let yours = venue.withdrawal_limits.iter().find(|l| l.level == "yours" && l.currency.is_some());
    let (l, chosen) = match level {
        _ if yours.is_some() => (yours.expect("checked"), "yours"),
        Some(name) => {
            let wanted = name.trim().to_ascii_lowercase();
            let found =
                venue.withdrawal_limits.iter().find(|l| l.level.to_ascii_lowercase() == wanted).or_else(|| {
                    venue.withdrawal_limits.iter().find(|l| l.level.to_ascii_lowercase().starts_with(&wanted))
                });
            match found {
                // A level that publishes no cap gives unknown windows, said so below.
                Some(l) => (l, "yours"),
                None => {
                    let names: Vec<&str> = venue.withdrawal_limits.iter().map(|l| l.level.as_str()).collect();
                    return Err(format!(
                        "{} has no verification level `{name}` (published: {})",
                        venue.id,
                        if names.is_empty() { "none".to_string() } else { names.join(", ") }
                    ));
                }
            }
        }
        None if published.len() == 1 => {
            let l = published[0];
            (l, if l.level == "yours" { "yours" } else { "only" })
        }
        None => {
            let usable = || {
                published
                    .iter()
                    .copied()
                    .filter(|l| l.fiat_per_day.is_some() && level_open_to(l, country) && level_takes_crypto(l))
            };
            // Prefer the sale's currency; among levels with the same daily cap, the one that publishes more caps.
            let pick = usable()
                .filter(|l| l.currency.as_deref() == Some(fiat))
                .min_by_key(|l| {
                    (l.fiat_per_day, 3 - (l.fiat_per_month.is_some() as u8 + l.fiat_per_year.is_some() as u8))
                })
                .or_else(|| usable().min_by_key(|l| l.fiat_per_day));
            match pick {
                Some(l) => (l, "entry"),
                None => return Ok(None),
            }
        }
    };
    let currency = l.currency.clone().unwrap_or_else(|| fiat.to_string());
    let same = currency.eq_ignore_ascii_case(fiat);
    let cap = |c: Option<Decimal>| if same { c } else { None };
    let mut limits =
        vec![RollingLimit { days: 1, cap: cap(l.fiat_per_day) }, RollingLimit { days: 30, cap: cap(l.fiat_per_month) }];
    if l.fiat_per_year.is_some() {
        limits.push(RollingLimit { days: 365, cap: cap(l.fiat_per_year) });
    }
    let published_caps = || {
        let mut v = Vec::new();
        for (c, w) in [(l.fiat_per_day, "a day"), (l.fiat_per_month, "in 30 days"), (l.fiat_per_year, "in 365 days")] {
            if let Some(c) = c {
                v.push(format!("{c} {currency} {w}"));
            }
        }
        v.join(", ")
    };
    let note = if published_caps().is_empty() {
        Some(format!("{}'s {} limits are not published: the plan cannot check them", venue.name, l.level))
    } else if !same {
        Some(format!(
            "{}'s {} caps are published in {currency} ({}): unknown in {fiat} (Offramp has no exchange rates); \
             enter your {fiat} limits (offramp override set {} limit_day \"N {fiat}\")",
            venue.name,
            l.level,
            published_caps(),
            venue.id
        ))
    } else if limits.iter().any(|w| w.cap.is_none()) {
        Some(format!("{}'s {} level does not publish every cap: the unknown ones are not checked", venue.name, l.level))
    } else {
        None
    };
    Ok(Some(AccountLimits {
        level: l.level.clone(),
        chosen,
        limits,
        currency,
        source: l.source.clone(),
        as_of: l.as_of.clone(),
        note,
    }))
}

/// How a plan describes whose limits it used.
pub fn describe_level(venue: &Venue, a: &AccountLimits) -> String {
    match a.chosen {
        "entry" => format!(
            "limits of {}'s {} level, the level a new verified account gets (assumed: if your account is at another \
             level, say which: `--level {}=LEVEL`, or pick it in the window)",
            venue.name, a.level, venue.id
        ),
        "only" => format!("limits of {}'s {} level, the only one published", venue.name, a.level),
        _ if a.level == "yours" => format!("your own limits at {}", venue.name),
        _ => format!("limits of your {} level at {}", a.level, venue.name),
    }
}

#[cfg(test)]
mod region_tests {
    use super::serves;

    #[test]
    fn regions_by_word_eea_and_uk() {
        let r = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(serves(&r(&["EU/EEA (Netherlands-based, MiCA CASP)"]), "NL"));
        assert!(serves(&r(&["EU/EEA (Netherlands-based, MiCA CASP)"]), "de"));
        assert!(!serves(&r(&["EU/EEA (Netherlands-based, MiCA CASP)"]), "US"));
        assert!(serves(&r(&["US (most states)", "UK"]), "GB"));
        assert!(serves(&r(&["global ex-restricted"]), "JP"));
        // Words, not substrings: "AU" is not in "AUSTRIA-ONLY", "DE" is not in "SCHEDULE".
        assert!(!serves(&r(&["Austria-only"]), "AU"));
        assert!(!serves(&r(&["EEA (separate fee schedule)"]), "US"));
        assert!(!serves(&r(&["CA"]), "US"));
    }
}
