//! The user's own venue figures: set, list, remove, and the catalog with them applied.

use offramp_core::catalog::Venue;
use offramp_core::overrides::{apply, Field, Override};
use serde::Serialize;

use crate::error::{AppError, ErrorCode};
use crate::venues::venues;
use crate::Session;

fn invalid(m: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidInput, m)
}

/// The catalog quotes and plans use, and whose figures it holds.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Catalog {
    pub venues: Vec<Venue>,
    /// How many of the user's own figures are applied.
    pub own_figures: usize,
    /// Why the user's figures are not applied, when they are not (the ledger is locked).
    pub note: Option<String>,
}

impl Catalog {
    /// The published figures only.
    pub fn published() -> Result<Catalog, AppError> {
        Ok(Catalog { venues: venues(None)?, own_figures: 0, note: None })
    }

    /// The catalog for a front end that may hold an unlocked ledger: the user's figures applied when it does;
    /// otherwise the published ones, saying why when a ledger exists but is locked.
    pub fn for_session(session: Option<&Session>, ledger_exists: bool) -> Result<Catalog, AppError> {
        match session {
            Some(s) => s.catalog(),
            None if ledger_exists => Ok(Catalog {
                note: Some("the ledger is locked (no passphrase given): your own venue figures are not applied".into()),
                ..Catalog::published()?
            }),
            None => Catalog::published(),
        }
    }
}

/// The built-in catalog with `overrides` applied (every venue records which figures are the user's).
pub fn catalog_with(overrides: &[Override]) -> Result<Vec<Venue>, AppError> {
    let mut all = venues(None)?;
    for v in &mut all {
        apply(v, overrides);
    }
    Ok(all)
}

impl Session {
    /// Sets one of the user's figures for a catalog venue (replacing an earlier one for the same field). `today` is
    /// recorded as when it was set.
    pub fn set_override(
        &mut self,
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
        self.ledger_mut().set_override(&o)?;
        Ok(o)
    }

    /// Removes one figure; an error when there was none.
    pub fn remove_override(&mut self, venue: &str, field: &str) -> Result<(), AppError> {
        let field: Field = field.parse().map_err(invalid)?;
        if !self.ledger_mut().remove_override(venue, field)? {
            return Err(invalid(format!(
                "no figure of yours for {} {}",
                offramp_core::text::clip(venue),
                field.as_str()
            )));
        }
        Ok(())
    }

    pub fn overrides(&self) -> Result<Vec<Override>, AppError> {
        Ok(self.ledger().overrides()?)
    }

    /// The catalog with the user's figures applied.
    pub fn catalog(&self) -> Result<Catalog, AppError> {
        let mine = self.overrides()?;
        Ok(Catalog { venues: catalog_with(&mine)?, own_figures: mine.len(), note: None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Key};

    #[test]
    fn overrides_change_quotes_and_plans() {
        let tmp = tempfile::tempdir().unwrap();
        let config = Config::resolve(crate::config::Flavor::Dev, Some(tmp.path().to_path_buf()), None);
        let key = Key::Passphrase("pw".into());
        let mut s = Session::create(&config, &key).unwrap();
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        s.set_override("kraken", "limit_day", "25000 USD", "my level", today).unwrap();
        s.set_override("kraken", "limit_month", "200000 USD", "", today).unwrap();
        s.set_override("kraken_otc", "spread_pct", "0.4", "quote of 2026-11-27", today).unwrap();
        let e = s.set_override("krakken", "taker_pct", "0.1", "", today).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("`krakken` is not in the catalog"));
        assert_eq!(s.set_override("kraken", "taker_pct", "abc", "", today).unwrap_err().code, ErrorCode::InvalidInput);

        let catalog = Catalog::for_session(Some(&s), true).unwrap();
        assert_eq!((catalog.own_figures, catalog.note.as_deref()), (3, None));
        let locked = Catalog::for_session(None, true).unwrap();
        assert_eq!(locked.own_figures, 0);
        assert!(locked.note.unwrap().contains("locked"));
        let venues = catalog.venues;
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

        s.remove_override("kraken", "limit_day").unwrap();
        assert_eq!(s.remove_override("kraken", "limit_day").unwrap_err().code, ErrorCode::InvalidInput);
        assert_eq!(s.overrides().unwrap().len(), 2);
    }
}
