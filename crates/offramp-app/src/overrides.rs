//! The user's own venue figures: set, list, remove, and the catalog with them applied.

use offramp_core::catalog::Venue;
use offramp_core::overrides::{apply, Field, Override};
use offramp_store::{Key, Ledger};

use crate::config::Config;
use crate::error::{AppError, ErrorCode};
use crate::venues::venues;

fn invalid(m: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidInput, m)
}

fn open(config: &Config, key: &Key) -> Result<Ledger, AppError> {
    Ok(Ledger::open(&config.ledger_path()?, key)?)
}

/// Sets one of the user's figures for a catalog venue (replacing an earlier one for the same field). `today` is
/// recorded as when it was set.
pub fn set(
    config: &Config,
    key: &Key,
    venue: &str,
    field: &str,
    value: &str,
    note: &str,
    today: chrono::NaiveDate,
) -> Result<Override, AppError> {
    if !venues(None)?.iter().any(|v| v.id == venue) {
        return Err(invalid(format!(
            "venue: `{}` is not in the catalog (offramp venues lists them)",
            offramp_core::text::clip(venue)
        )));
    }
    let o = Override::parse(venue, field, value, note, &today.to_string()).map_err(invalid)?;
    open(config, key)?.set_override(&o)?;
    Ok(o)
}

/// Removes one figure; an error when there was none.
pub fn remove(config: &Config, key: &Key, venue: &str, field: &str) -> Result<(), AppError> {
    let field: Field = field.parse().map_err(invalid)?;
    if !open(config, key)?.remove_override(venue, field)? {
        return Err(invalid(format!("no figure of yours for {venue} {}", field.as_str())));
    }
    Ok(())
}

pub fn list(config: &Config, key: &Key) -> Result<Vec<Override>, AppError> {
    Ok(open(config, key)?.overrides()?)
}

/// The catalog with the user's figures applied (every venue records which figures are the user's).
pub fn catalog(overrides: &[Override]) -> Result<Vec<Venue>, AppError> {
    let mut all = venues(None)?;
    for v in &mut all {
        apply(v, overrides);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_change_quotes_and_plans() {
        let tmp = tempfile::tempdir().unwrap();
        let config = Config::resolve(crate::config::Flavor::Dev, Some(tmp.path().to_path_buf()), None);
        let key = Key::Passphrase("pw".into());
        crate::ledger::init_ledger(&config, &key).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        set(&config, &key, "kraken", "limit_day", "25000 USD", "my level", today).unwrap();
        set(&config, &key, "kraken", "limit_month", "200000 USD", "", today).unwrap();
        set(&config, &key, "kraken_otc", "spread_pct", "0.4", "quote of 2026-11-27", today).unwrap();
        let e = set(&config, &key, "krakken", "taker_pct", "0.1", "", today).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("`krakken` is not in the catalog"));
        assert_eq!(
            set(&config, &key, "kraken", "taker_pct", "abc", "", today).unwrap_err().code,
            ErrorCode::InvalidInput
        );

        let venues = catalog(&list(&config, &key).unwrap()).unwrap();
        let r = crate::venues::quote_tests::req();
        let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let p = crate::plan::plan_sale(&venues, &r, start, 90).unwrap();
        let kraken = p.exchanges.iter().find(|v| v.venue == "kraken").unwrap();
        // 650,000 USD under 25,000 a day and 200,000 in 30 days: 30 × 650,000 / N ≤ 200,000 gives 98 days: not
        // within 90; the Pro level's one day no longer applies.
        assert_eq!(kraken.limits_level.as_deref(), Some("yours"));
        assert_eq!(kraken.fewest_days, None);
        // The desk's quote prices the mix.
        assert!(p.mixes.iter().any(|m| m.desk == "kraken_otc"), "{:?}", p.mixes);
        assert!(!p.desks_without_quote.contains(&"kraken_otc".to_string()));
        let quotes = crate::venues::quote_all_in(&venues, &r).unwrap();
        let otc = quotes.iter().find(|q| q.venue == "kraken_otc").unwrap();
        assert_eq!(
            otc.net,
            Some(
                "650000".parse::<offramp_core::Decimal>().unwrap() * "0.996".parse::<offramp_core::Decimal>().unwrap()
            )
        );
        assert_eq!(otc.costs[0].note, "the desk's quote you entered");

        remove(&config, &key, "kraken", "limit_day").unwrap();
        assert_eq!(remove(&config, &key, "kraken", "limit_day").unwrap_err().code, ErrorCode::InvalidInput);
        assert_eq!(list(&config, &key).unwrap().len(), 2);
    }
}
