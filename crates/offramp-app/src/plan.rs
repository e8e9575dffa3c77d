//! Planning a sale: the catalog (with the user's overrides when the ledger is open) and the planner in the core.

use chrono::NaiveDate;
use offramp_core::catalog::Venue;
use offramp_core::plan::{plan, Plan, PlanRequest};

use crate::error::{AppError, ErrorCode};
use crate::venues::{sale_request, QuoteRequest};

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
    let sale = sale_request(r)?;
    if sale.qty <= offramp_core::Decimal::ZERO {
        return Err(AppError::new(ErrorCode::InvalidInput, "quantity: must be positive"));
    }
    Ok(plan(venues, &PlanRequest { sale, start, max_days }))
}

/// As [`plan_sale`] over the built-in catalog, starting on `now`'s date (UTC): for the desktop shell, which
/// reads the clock at its edge.
pub fn plan_from(r: &QuoteRequest, now: offramp_core::Timestamp, max_days: u32) -> Result<Plan, AppError> {
    plan_sale(&crate::venues::venues(None)?, r, now.date_utc(), max_days)
}

/// The tax side of a plan: the user's jurisdiction, marginal rates (fractions) and how their past disposals were
/// booked (US; Germany is always FIFO per wallet, the UK always the pool).
#[derive(Debug, Clone)]
pub struct TaxOptions {
    pub jurisdiction: offramp_core::taxplan::Jurisdiction,
    pub rates: offramp_core::taxplan::Rates,
    pub basis: crate::report::Basis,
}

/// How far ahead "waiting N days saves X" looks.
pub const WAIT_DAYS: u32 = 90;

/// As [`plan_sale`], over the catalog with the user's own figures (overrides) applied, with the lots to sell chosen
/// from the ledger's holdings on the first day and the tax of every schedule. The sale must be in the
/// jurisdiction's currency (Offramp has no exchange rates yet). The ledger is opened once. Returns the plan and
/// how many of the user's figures were applied.
pub fn plan_with_ledger(
    config: &crate::config::Config,
    key: &offramp_store::Key,
    r: &QuoteRequest,
    start: NaiveDate,
    max_days: u32,
    tax: &TaxOptions,
) -> Result<(Plan, usize), AppError> {
    use offramp_core::taxplan::Jurisdiction as J;
    let name = match tax.jurisdiction {
        J::Us => "a US",
        J::Uk => "a UK",
        J::De => "a German",
        J::Ca => "a Canadian",
    };
    let currency = tax.jurisdiction.currency();
    let sale = sale_request(r)?;
    if sale.fiat != currency {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!(
                "tax: {name} estimate needs the sale in {currency} (Offramp has no exchange rates yet); \
                 plan without --tax, or sell into {currency}"
            ),
        ));
    }
    let ledger = offramp_store::Ledger::open(&config.ledger_path()?, key)?;
    let mine = ledger.overrides()?;
    let plan = plan_sale(&crate::overrides::catalog(&mine)?, r, start, max_days)?;
    let history = crate::report::load_from(&ledger)?;
    let lots = crate::report::held_lots(&history, sale.asset, start, tax.jurisdiction, &tax.basis)?;
    Ok((plan.with_tax(&lots, tax.jurisdiction, tax.rates, WAIT_DAYS), mine.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::venues::quote_tests::req;

    #[test]
    fn plans_over_the_built_in_catalog() {
        let venues = crate::venues::venues(None).unwrap();
        let start = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let p = plan_sale(&venues, &req(), start, 30).unwrap();
        let kraken = p.exchanges.iter().find(|v| v.venue == "kraken").unwrap();
        // Under the Pro level's $10M a day, one day is enough.
        assert_eq!((kraken.fewest_days, kraken.limits_level.as_deref()), (Some(1), Some("Pro")));
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
        // 1 BTC at 59,000 EUR: 3 days under the daily cap, but 30 days hold at most 50,000: 30 × 59,000 / N ≤ 50,000
        // gives 36 days.
        let r = QuoteRequest { qty: "1".into(), price: Some("59000".into()), ..r };
        let small = plan_sale(&venues, &r, start, 365).unwrap();
        let bitvavo = small.exchanges.iter().find(|v| v.venue == "bitvavo").unwrap();
        assert_eq!(bitvavo.fewest_days, Some(36));
    }
}
