//! Planning a sale: the catalog (with the user's overrides when the ledger is open) and the planner in the core;
//! with the ledger, the lots to sell and the tax.

use chrono::NaiveDate;
use offramp_core::catalog::Venue;
use offramp_core::plan::{plan, Plan, PlanRequest, RiskAppetite};
use offramp_core::taxplan::Rates;
use offramp_core::{Decimal, Jurisdiction};

use crate::error::{AppError, ErrorCode};
use crate::report::Basis;
use crate::session::Progress;
use crate::venues::{sale_request, QuoteRequest};
use crate::Session;

/// The longest plan the planner looks at.
pub const MAX_DAYS: u32 = 365;

/// Plans the sale over at most `max_days` days from `start`, at every exchange of `venues`, and every mix of a desk
/// whose spread is known with an exchange.
pub fn plan_sale(venues: &[Venue], r: &QuoteRequest, start: NaiveDate, max_days: u32) -> Result<Plan, AppError> {
    if max_days == 0 || max_days > MAX_DAYS {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("max days: {max_days} is not between 1 and {MAX_DAYS}"),
        ));
    }
    let sale = sale_request(venues, r)?;
    if sale.qty <= Decimal::ZERO {
        return Err(AppError::new(ErrorCode::InvalidInput, "quantity: must be positive"));
    }
    let invalid = |m: String| AppError::new(ErrorCode::InvalidInput, m);
    let cash_by = match r.cash_by.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => {
            let day = crate::parse_day("cash by", t)?;
            if day < start {
                return Err(invalid(format!("cash by: {day} is before the first day of selling, {start}")));
            }
            Some(day)
        }
    };
    let cash_needed = match r.cash_needed.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => {
            let v = offramp_core::money::parse_decimal(t).map_err(|e| invalid(format!("cash needed: {e}")))?;
            let gross = sale.qty * sale.price;
            if v <= Decimal::ZERO || v > gross {
                return Err(invalid(format!(
                    "cash needed: {v} {} is not between 0 and the sale's value, {} {}",
                    sale.fiat,
                    gross.round_dp(2),
                    sale.fiat
                )));
            }
            Some(v)
        }
    };
    if cash_needed.is_some() && cash_by.is_none() {
        return Err(invalid("cash needed: say by when (cash by)".into()));
    }
    let risk = RiskAppetite::parse(r.risk.as_deref().unwrap_or("medium")).map_err(|e| invalid(format!("risk: {e}")))?;
    for w in &r.withdrawn {
        if !venues.iter().any(|v| v.id == w.venue) {
            return Err(invalid(format!(
                "withdrawn: no venue `{}` in the catalog",
                offramp_core::text::clip(&w.venue)
            )));
        }
        if w.amount < Decimal::ZERO || w.amount > Decimal::from(1_000_000_000_000_000i64) {
            return Err(invalid(format!("withdrawn: {} is not an amount between 0 and 10^15", w.amount)));
        }
    }
    let history = r.withdrawn.clone();
    Ok(plan(venues, &PlanRequest { sale, start, max_days, cash_by, cash_needed, risk, history }))
}

/// The tax side of a plan: the user's jurisdiction, marginal rates (fractions) and how their past disposals were
/// booked (US; Germany is always FIFO per wallet, the UK and Canada always the pool).
#[derive(Debug, Clone)]
pub struct TaxOptions {
    pub jurisdiction: Jurisdiction,
    pub rates: Rates,
    pub basis: Basis,
}

/// The tax side of a plan as text from the UI or the command line: rates in percent.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(default)]
pub struct TaxRequest {
    /// `us`, `uk`, `de` or `ca`.
    pub jurisdiction: String,
    /// US: the marginal rate on short-term gains, in percent (e.g. `32`).
    pub rate_short: Option<String>,
    /// US: the rate on long-term gains, in percent (0, 15 or 20).
    pub rate_long: Option<String>,
    /// The UK's CGT rate; Germany's personal income tax rate; Canada's marginal rate; in percent.
    pub rate: Option<String>,
    /// US: how past disposals were matched (`fifo`, `fifo,2023=hifo`), and the pooling (`transition`,
    /// `per-account`).
    pub method: Option<String>,
    pub pooling: Option<String>,
}

impl TaxRequest {
    /// Reads the request: which rates the jurisdiction takes (the US a short and a long rate; the others one),
    /// each a percentage between 0 and 100.
    pub fn options(&self) -> Result<TaxOptions, AppError> {
        let invalid = |m: String| AppError::new(ErrorCode::InvalidInput, m);
        let pct = |field: &str, v: &Option<String>| -> Result<Option<Decimal>, AppError> {
            let Some(v) = v else { return Ok(None) };
            let p = offramp_core::money::parse_decimal(v).map_err(|e| invalid(format!("{field}: {e}")))?;
            if p < Decimal::ZERO || p > Decimal::ONE_HUNDRED {
                return Err(invalid(format!("{field}: {p} is not a percentage between 0 and 100")));
            }
            Ok(Some(p / Decimal::ONE_HUNDRED))
        };
        let jurisdiction = Jurisdiction::parse(&self.jurisdiction).map_err(|e| invalid(format!("tax: {e}")))?;
        let rates = match jurisdiction {
            Jurisdiction::Us => {
                if self.rate.is_some() {
                    return Err(invalid("rate: a US estimate takes --rate-short and --rate-long".into()));
                }
                Rates { short: pct("rate-short", &self.rate_short)?, long: pct("rate-long", &self.rate_long)? }
            }
            Jurisdiction::Uk | Jurisdiction::De | Jurisdiction::Ca => {
                if self.rate_short.is_some() || self.rate_long.is_some() {
                    return Err(invalid(format!(
                        "rate: a {} estimate takes one --rate",
                        jurisdiction.id().to_uppercase()
                    )));
                }
                Rates { short: pct("rate", &self.rate)?, long: None }
            }
        };
        let basis =
            Basis::parse(self.method.as_deref().unwrap_or("fifo"), self.pooling.as_deref().unwrap_or("transition"))?;
        Ok(TaxOptions { jurisdiction, rates, basis })
    }
}

/// How far ahead "waiting N days saves X" looks.
pub const WAIT_DAYS: u32 = 90;

impl Session {
    /// As [`plan_sale`], over the catalog with the user's own figures applied, with the lots to sell chosen from
    /// the ledger's holdings on the first day and the tax of every schedule. The sale must be in the
    /// jurisdiction's currency (Offramp has no exchange rates yet).
    pub fn plan_with_tax(
        &self,
        r: &QuoteRequest,
        start: NaiveDate,
        max_days: u32,
        tax: &TaxOptions,
        progress: Progress,
    ) -> Result<Plan, AppError> {
        let currency = tax.jurisdiction.currency();
        let venues = self.catalog()?.venues;
        let sale = sale_request(&venues, r)?;
        if sale.fiat != currency {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!(
                    "tax: a {} estimate needs the sale in {currency} (Offramp has no exchange rates yet); \
                     plan without --tax, or sell into {currency}",
                    tax.jurisdiction.adjective()
                ),
            ));
        }
        let plan = plan_sale(&venues, r, start, max_days)?;
        let history = self.history(progress)?;
        let lots = crate::report::holdings::held_lots(&history, sale.asset, start, tax.jurisdiction, &tax.basis)?;
        Ok(plan.with_tax(&lots, tax.jurisdiction, tax.rates, WAIT_DAYS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::venues::quote_tests::req;

    #[test]
    fn plans_over_the_built_in_catalog() {
        let venues = crate::venues::venues(None).unwrap();
        let start = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        // At the entry level (Intermediate: 100,000 a day, 500,000 in 30 days) 650,000 needs 32 days.
        let p = plan_sale(&venues, &req(), start, 30).unwrap();
        let kraken = p.exchanges.iter().find(|v| v.venue == "kraken").unwrap();
        assert_eq!((kraken.fewest_days, kraken.limits_level.as_deref()), (None, Some("Intermediate")));
        assert!(kraken.unsuitable.iter().any(|u| u.contains("within 30 days")), "{:?}", kraken.unsuitable);
        // At the Pro level the seller says they have: $10M a day, one day is enough.
        let pro = QuoteRequest {
            levels: vec![offramp_core::quote::VenueLevel { venue: "Kraken".into(), level: "Pro".into() }],
            ..req()
        };
        let p = plan_sale(&venues, &pro, start, 30).unwrap();
        let kraken = p.exchanges.iter().find(|v| v.venue == "kraken").unwrap();
        assert_eq!((kraken.fewest_days, kraken.limits_level.as_deref()), (Some(1), Some("Pro")));
        assert!(kraken.limits_basis.as_deref().unwrap().contains("your Pro level"));
        assert!(kraken.schedules.iter().any(|s| s.efficient && s.days > 1));
        let bitvavo = p.exchanges.iter().find(|v| v.venue == "bitvavo").unwrap();
        assert!(bitvavo.unsuitable.iter().any(|u| u.contains("USD")));
        // Every desk's spread is unpublished: listed, not priced.
        assert!(p.mixes.is_empty());
        assert!(p.desks_without_quote.contains(&"kraken_otc".to_string()));
        assert_eq!(plan_sale(&venues, &req(), start, 0).unwrap_err().code, ErrorCode::InvalidInput);
        let e = plan_sale(&venues, &QuoteRequest { qty: "-1".into(), ..req() }, start, 5).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
    }

    #[test]
    fn euro_sale_under_bitvavo_limits() {
        let venues = crate::venues::venues(None).unwrap();
        let start = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let r = QuoteRequest { fiat: "EUR".into(), country: "NL".into(), price: Some("60000".into()), ..req() };
        // 600,000 EUR; Bitvavo Intermediate: 25,000 a day, 50,000 in 30 days, 90,000 in 365 days: not within a year.
        let p = plan_sale(&venues, &r, start, 365).unwrap();
        let bitvavo = p.exchanges.iter().find(|v| v.venue == "bitvavo").unwrap();
        assert_eq!(bitvavo.fewest_days, None);
        assert!(bitvavo.unsuitable.iter().any(|u| u.contains("do not allow")), "{:?}", bitvavo.unsuitable);
        // 1 BTC at 59,000 EUR: 25,000 on days 1 and 2 fill the 30-day window, day 31 takes the last 9,000: 31 days
        // (an even split would need 36: 30 × 59,000 / N ≤ 50,000).
        let r = QuoteRequest { qty: "1".into(), price: Some("59000".into()), ..r };
        let small = plan_sale(&venues, &r, start, 365).unwrap();
        let bitvavo = small.exchanges.iter().find(|v| v.venue == "bitvavo").unwrap();
        assert_eq!(bitvavo.fewest_days, Some(31));
        assert!(bitvavo.schedules.iter().any(|s| s.fastest && s.days == 31));
        assert!(bitvavo.schedules.iter().any(|s| !s.fastest && s.days == 36 && s.urgency.is_zero()));
    }

    #[test]
    fn each_jurisdiction_takes_its_own_rates() {
        let t = |j: &str, short: Option<&str>, long: Option<&str>, one: Option<&str>| TaxRequest {
            jurisdiction: j.into(),
            rate_short: short.map(String::from),
            rate_long: long.map(String::from),
            rate: one.map(String::from),
            ..Default::default()
        };
        let us = t("us", Some("32"), Some("15"), None).options().unwrap();
        assert_eq!((us.rates.short, us.rates.long), (Some(Decimal::new(32, 2)), Some(Decimal::new(15, 2))));
        assert!(t("us", None, None, Some("20")).options().is_err());
        for j in ["uk", "de", "ca"] {
            assert_eq!(t(j, None, None, Some("20")).options().unwrap().rates.short, Some(Decimal::new(20, 2)));
            assert!(t(j, Some("20"), None, None).options().is_err(), "{j}");
        }
        assert!(t("us", Some("101"), None, None).options().unwrap_err().message.contains("between 0 and 100"));
        assert!(t("fr", None, None, None).options().unwrap_err().message.contains("`fr`"));
    }
}
