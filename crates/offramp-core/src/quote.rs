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

/// The taker fee for a 30-day volume: the highest tier whose lower bound the volume reaches, else the base fee.
pub fn taker_fee_pct(venue: &Venue, volume_30d: Decimal) -> Option<Decimal> {
    venue
        .fees
        .tiers
        .iter()
        .filter(|t| t.min_volume <= volume_30d)
        .max_by_key(|t| t.min_volume)
        .and_then(|t| t.taker_pct)
        .or(venue.fees.taker_pct)
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
            q.costs.push(CostLine { name: "platform fee", amount: fee, note: pct_note(venue.fees.taker_pct) });
            q.costs.push(CostLine {
                name: "spread",
                amount: venue.typical_spread_pct.map(pct),
                note: "the premium or discount agreed with each buyer".into(),
            });
            match venue.max_trade_btc.filter(|_| req.asset.as_str() == "BTC") {
                Some(max) if max > Decimal::ZERO => {
                    let trades = (req.qty / max).ceil();
                    q.warnings.push(format!("at most {max} BTC per trade: {trades} trades with different buyers"));
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
            });
        }
        VenueKind::Atm => {
            q.costs.push(CostLine {
                name: "ATM fee",
                amount: venue.observed_fee_pct.map(pct),
                note: venue.observed_fee_source.clone().unwrap_or_default(),
            });
            q.warnings.push("cash only; whether its machines buy bitcoin from you is not published".into());
        }
        VenueKind::Card | VenueKind::Ramp => {
            q.costs.push(CostLine {
                name: "fee",
                amount: venue.fees.taker_pct.map(pct),
                note: pct_note(venue.fees.taker_pct),
            });
        }
    }
    let known: Option<Decimal> = q.costs.iter().map(|c| c.amount).sum();
    q.net = known.map(|c| gross - c);
    if q.net.is_some_and(|n| n < Decimal::ZERO) {
        q.unsuitable.push("its costs would exceed what the sale brings in: sell less at once, or ask a desk".into());
    }
    q
}

fn pct_note(p: Option<Decimal>) -> String {
    p.map(|p| format!("{p}%")).unwrap_or_else(|| "unknown".into())
}

fn exchange(venue: &Venue, req: &SaleRequest, gross: Decimal, book: Option<&OrderBook>, q: &mut VenueQuote) {
    let fee_pct = taker_fee_pct(venue, req.volume_30d);
    q.costs.push(CostLine {
        name: "taker fee",
        amount: fee_pct.map(|p| gross * p / Decimal::ONE_HUNDRED),
        note: format!(
            "{} at 30-day volume {}; source {}, as of {}",
            pct_note(fee_pct),
            req.volume_30d,
            venue.fees.source.as_deref().unwrap_or("not given"),
            venue.fees.as_of.as_deref().unwrap_or("an unknown date")
        ),
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
                ),
            }
        }
        (Some(Ok(SellWalk::NotEnoughDepth { partial, .. })), _) => {
            q.warnings.push(format!(
                "the visible book takes only {} of {}: too thin for one market sale; split the sale or ask an OTC desk",
                partial.filled, req.qty
            ));
            CostLine { name: "market impact", amount: None, note: "not enough depth in the live book".into() }
        }
        (_, Some((p, e))) => CostLine {
            name: "market impact",
            amount: Some(gross * e.average_fraction),
            note: format!(
                "square-root law, no live order book: Y {} x daily volatility {} x sqrt({} / daily volume {}), two thirds of the peak",
                p.y, p.daily_volatility, req.qty, p.daily_volume
            ),
        },
        (_, None) => CostLine { name: "market impact", amount: None, note: "offline and no daily volume/volatility given".into() },
    });
    q.costs.push(CostLine {
        name: "deposit fee",
        amount: venue.deposit_fee,
        note: venue.deposit_fee_note.clone().unwrap_or_else(|| "not published".into()),
    });
    let fiat = req.fiat.as_str();
    let cheapest = cheapest_withdrawal(venue, fiat, gross, &req.country);
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
    });
    // Days to cash: under the most generous published verification level (the seller's own level may be lower).
    match withdrawal_limits(venue, req.fiat.as_str()) {
        Some((l, limits)) => {
            let start = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date");
            let s = schedule_withdrawals(gross, start, &[], &limits, 366);
            if s.unscheduled.is_zero() {
                q.days_to_cash = s.days.last().map(|d| (d.day - start).num_days() as u32 + 1);
            }
            q.warnings.push(format!(
                "withdrawal limits assume the {} verification level (as of {})",
                l.level,
                l.as_of.as_deref().unwrap_or("an unknown date")
            ));
        }
        None => q.warnings.push(format!("{fiat} withdrawal limits unknown")),
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

/// The fiat withdrawal caps that apply to a sale into `fiat`: the most generous published verification level
/// with a known daily cap in that currency, as rolling windows of 1, 30 and 365 days (an unknown cap stays
/// unknown in its window). `None` when no level publishes a daily cap in that currency.
pub fn withdrawal_limits<'v>(venue: &'v Venue, fiat: &str) -> Option<(&'v WithdrawalLimit, Vec<RollingLimit>)> {
    let level = venue
        .withdrawal_limits
        .iter()
        .filter(|l| l.currency.as_deref() == Some(fiat) && l.fiat_per_day.is_some())
        // Between levels with the same daily cap, the one that publishes more caps (it says more, not less).
        .max_by_key(|l| (l.fiat_per_day, l.fiat_per_month.is_some() as u8 + l.fiat_per_year.is_some() as u8))?;
    let mut limits =
        vec![RollingLimit { days: 1, cap: level.fiat_per_day }, RollingLimit { days: 30, cap: level.fiat_per_month }];
    if level.fiat_per_year.is_some() {
        limits.push(RollingLimit { days: 365, cap: level.fiat_per_year });
    }
    Some((level, limits))
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
