//! Filling "needs price" from exchanges' public daily candles (`offramp prices fill`, Home > What needs
//! attention): each price found becomes an edit naming its source (exchange, day, close), so a report shows where
//! a reconstructed figure came from, and `tx undo` takes it back. Where no source has the asset and day, the
//! transaction stays unknown.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::NaiveDate;
use offramp_core::{Amount, Code, Decimal, Timestamp};
use offramp_market::candles::{PriceHistory, CANDLE_EXCHANGES};
use offramp_market::Exchange;
use offramp_store::edits::{EditAction, NewEdit};
use serde::Serialize;

use crate::edits::priced_leg;
use crate::{no_progress, AppError, ErrorCode, Session};

/// A transaction given a price.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Filled {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub date: NaiveDate,
    pub asset: Code,
    /// The day's close, per unit.
    #[serde(with = "offramp_core::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub price: Decimal,
    /// price × quantity: the transaction's fiat value now.
    #[serde(with = "offramp_core::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub value: Decimal,
    pub source: String,
    /// The edit that set it (`None` in a dry run).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub edit: Option<i64>,
}

/// A transaction that still needs a price, and why.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NotFilled {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub why: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FillReport {
    pub currency: Code,
    pub dry_run: bool,
    /// How many transactions needed a price.
    pub needing: usize,
    pub filled: Vec<Filled>,
    pub missing: Vec<NotFilled>,
    /// Sources that could not be asked (offline, an error), one line each.
    pub errors: Vec<String>,
}

/// How long one request to an exchange may take.
const TIMEOUT: Duration = Duration::from_secs(20);

/// Reads a list of exchanges (`kraken,coinbase`), in the order to ask them; `None`: all, in the default order.
pub fn parse_sources(text: Option<&str>) -> Result<Vec<Exchange>, AppError> {
    let Some(text) = text else { return Ok(CANDLE_EXCHANGES.to_vec()) };
    let mut out = Vec::new();
    for name in text.split(',').map(|s| s.trim().to_ascii_lowercase()) {
        let ex = CANDLE_EXCHANGES.into_iter().find(|e| e.id() == name).ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidInput,
                format!("source: `{}` (kraken, coinbase, bitstamp or binance)", offramp_core::text::clip(&name)),
            )
        })?;
        if !out.contains(&ex) {
            out.push(ex);
        }
    }
    Ok(out)
}

/// The exchanges over the network (or the replay server `OFFRAMP_MARKET_URL` names, in tests).
pub fn feed(config: &crate::Config) -> offramp_market::candles::HttpCandles {
    offramp_market::candles::HttpCandles::new(config.market_url.clone())
}

impl Session {
    /// Fills the transactions that need a price with the daily close (UTC day) of their priced asset in
    /// `currency` (default: the user's currency), asking `sources` in order; each price found is an edit (all in
    /// one database transaction), unless `dry_run`.
    pub fn fill_prices(
        &mut self,
        sources: &[Exchange],
        currency: Option<&str>,
        dry_run: bool,
        now: Timestamp,
        feed: &dyn PriceHistory,
    ) -> Result<FillReport, AppError> {
        let currency = match currency.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => crate::parse_code("currency", c)?,
            None => crate::parse_code("currency", &self.preferences()?.currency)?,
        };
        if !currency.is_fiat() {
            return Err(AppError::new(ErrorCode::InvalidInput, format!("currency: {currency} is not a fiat currency")));
        }
        let history = self.history(&mut no_progress())?;
        // The transactions to price, with their priced leg (kept: the edits are written from them).
        let mut wanted: Vec<(i64, NaiveDate, Amount, offramp_core::Transaction)> = Vec::new();
        let mut missing = Vec::new();
        let mut needing = 0;
        for (id, t) in &history.txs {
            if !t.needs_price() {
                continue;
            }
            needing += 1;
            match priced_leg(t) {
                Some(leg) if t.effective_fiat_value().is_none() => {
                    wanted.push((*id, t.timestamp.date_utc(), leg, t.clone()))
                }
                _ => missing.push(NotFilled {
                    id: *id,
                    why: "a fee paid in a third asset needs its own price: set it by hand (`offramp tx edit`)".into(),
                }),
            }
        }
        drop(history);
        // Each asset's days, asked of each source in turn for the days still without a close.
        let mut days: BTreeMap<Code, BTreeSet<NaiveDate>> = BTreeMap::new();
        for (_, d, leg, _) in &wanted {
            days.entry(leg.code()).or_default().insert(*d);
        }
        let mut found: BTreeMap<(Code, NaiveDate), (Decimal, Exchange)> = BTreeMap::new();
        let mut errors = Vec::new();
        for (asset, need) in &days {
            for ex in sources {
                let left: Vec<NaiveDate> =
                    need.iter().copied().filter(|d| !found.contains_key(&(*asset, *d))).collect();
                let (Some(first), Some(last)) = (left.first(), left.last()) else { break };
                match feed.daily_closes(*ex, *asset, currency, *first, *last, TIMEOUT) {
                    Ok(closes) => {
                        for (d, close) in closes {
                            if need.contains(&d) {
                                found.entry((*asset, d)).or_insert((close, *ex));
                            }
                        }
                    }
                    Err(e) => errors.push(format!("{} {asset}/{currency}: {e}", ex.name())),
                }
            }
        }
        let mut filled = Vec::new();
        let mut priced = Vec::new();
        for (id, date, leg, mut t) in wanted {
            match found.get(&(leg.code(), date)) {
                Some((price, ex)) => {
                    match price.checked_mul(leg.value()).filter(|v| *v <= offramp_core::ledger::MAX_AMOUNT) {
                        Some(value) => {
                            t.fiat_value = Some(Amount::new(value, currency));
                            priced.push(t);
                            filled.push(Filled {
                                id,
                                date,
                                asset: leg.code(),
                                price: *price,
                                value,
                                source: format!(
                                    "{} daily candle {date} (UTC), close {} {currency}",
                                    ex.name(),
                                    price.normalize()
                                ),
                                edit: None,
                            })
                        }
                        None => missing.push(NotFilled { id, why: format!("{price} × {} is too large", leg.value()) }),
                    }
                }
                None => missing.push(NotFilled {
                    id,
                    why: format!("no source has a daily close of {} in {currency} on {date}", leg.code()),
                }),
            }
        }
        if !dry_run && !filled.is_empty() {
            let edits: Vec<NewEdit> = filled
                .iter()
                .zip(&priced)
                .map(|(f, t)| NewEdit {
                    action: EditAction::Edit,
                    target: Some(f.id),
                    tx: Some(t),
                    reason: "price filled from an exchange's daily candle",
                    document: "",
                    price_source: Some(&f.source),
                    made_by: "you (prices fill)",
                })
                .collect();
            let ids = self.ledger_mut().apply_edits(&edits, now)?;
            for (f, id) in filled.iter_mut().zip(ids) {
                f.edit = Some(id);
            }
        }
        missing.sort_by_key(|m| m.id);
        Ok(FillReport { currency, dry_run, needing, filled, missing, errors })
    }
}
