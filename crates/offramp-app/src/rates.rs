//! Official exchange rates: which ones the app knows (bundled, and fetched into the ledger), and fetching the
//! newest from their publishers (`offramp rates refresh`, Settings > Exchange rates).

use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use offramp_core::fx::{RateBook, RateRule, RateSource};
use offramp_core::{Decimal, Jurisdiction, Timestamp};
use offramp_market::official::{boc_first_day, RateFeed};
use serde::Serialize;

use crate::{AppError, ErrorCode, Session};

/// One publisher's rates as the app knows them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RateSeries {
    pub source: RateSource,
    pub name: String,
    /// The currency the publisher quotes against (GBP, EUR, CAD).
    pub base: String,
    pub monthly: bool,
    /// How many currencies it has rates for.
    pub currencies: usize,
    /// The first and last day (a monthly source: month) with a rate, of any currency; `None` when it has none.
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
    /// How many of its rates were fetched into this ledger (the rest ship with the app).
    pub fetched: usize,
    /// Which reports convert by it.
    pub used_by: Vec<Jurisdiction>,
    /// Where the rates come from and on what terms.
    pub attribution: String,
}

/// What `offramp rates` shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RatesStatus {
    pub series: Vec<RateSeries>,
    /// Each jurisdiction's rule, in words.
    pub rules: Vec<(Jurisdiction, String)>,
    /// The rates this ledger's transactions need that are not known, per jurisdiction and currency.
    pub missing: Vec<MissingRates>,
}

/// The days (a monthly source: months) on which a jurisdiction's reports cannot convert a currency.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MissingRates {
    pub jurisdiction: Jurisdiction,
    pub source: RateSource,
    pub currency: String,
    /// How many distinct days (months) lack a rate, and the first few of them.
    pub count: usize,
    pub first: Vec<NaiveDate>,
}

/// What a refresh did, per publisher.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RefreshOutcome {
    pub source: RateSource,
    /// The period asked for.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub added: usize,
    pub changed: usize,
    /// Values the publisher sent that were left out (not a positive number, a date that does not parse).
    pub refused: usize,
    /// Why nothing was fetched (offline, an HTTP error, an answer that does not read), or `None`.
    pub error: Option<String>,
}

fn attribution(source: RateSource) -> &'static str {
    match source {
        RateSource::Hmrc => {
            "HM Revenue & Customs, monthly exchange rates (trade-tariff.service.gov.uk); bundled from 2014-02 as the \
             hmrc-rates crate ships HMRC's files. Contains public sector information licensed under the Open \
             Government Licence v3.0."
        }
        RateSource::Ecb => {
            "European Central Bank, euro foreign exchange reference rates (ecb.europa.eu; data-api.ecb.europa.eu); \
             bundled from 2009. Source: ECB statistics, reproduced with the source stated."
        }
        RateSource::Boc => {
            "Bank of Canada, daily exchange rates (bankofcanada.ca, Valet API); not bundled: fetched into the \
             ledger by a refresh."
        }
    }
}

/// How long one request to a publisher may take.
const TIMEOUT: Duration = Duration::from_secs(20);

impl Session {
    /// The official rates known to this ledger: bundled and fetched, per publisher.
    pub fn rates_status(&self) -> Result<RatesStatus, AppError> {
        let fetched = self.ledger().rates()?;
        let book = RateBook::with(&fetched);
        let coverage = book.coverage();
        let series = RateSource::ALL
            .into_iter()
            .map(|s| {
                let mine: Vec<_> = coverage.iter().filter(|c| c.0 == s).collect();
                RateSeries {
                    source: s,
                    name: s.name().to_string(),
                    base: s.base().to_string(),
                    monthly: s.monthly(),
                    currencies: mine.len(),
                    first: mine.iter().map(|c| c.2).min(),
                    last: mine.iter().map(|c| c.3).max(),
                    fetched: fetched.iter().filter(|r| r.source == s).count(),
                    used_by: Jurisdiction::ALL
                        .into_iter()
                        .filter(|j| match RateRule::of(*j) {
                            RateRule::HmrcMonthly => s == RateSource::Hmrc,
                            RateRule::EcbDaily | RateRule::EcbCross => s == RateSource::Ecb,
                            RateRule::BocDaily => s == RateSource::Boc,
                        })
                        .collect(),
                    attribution: attribution(s).to_string(),
                }
            })
            .collect();
        let rules = Jurisdiction::ALL.into_iter().map(|j| (j, RateRule::of(j).describe().to_string())).collect();
        Ok(RatesStatus { series, rules, missing: self.missing_rates(&book)? })
    }

    /// The dates each jurisdiction's reports cannot convert: every fiat amount of every transaction in a currency
    /// other than the jurisdiction's, tried against `book` by the jurisdiction's rule.
    fn missing_rates(&self, book: &RateBook) -> Result<Vec<MissingRates>, AppError> {
        use std::collections::{BTreeMap, BTreeSet};
        let history = self.history(&mut crate::session::no_progress())?;
        let mut out = Vec::new();
        for j in Jurisdiction::ALL {
            let (rule, to, zone) = (RateRule::of(j), j.currency(), j.zone());
            let source = match rule {
                RateRule::HmrcMonthly => RateSource::Hmrc,
                RateRule::BocDaily => RateSource::Boc,
                _ => RateSource::Ecb,
            };
            let mut gaps: BTreeMap<String, BTreeSet<NaiveDate>> = BTreeMap::new();
            let mut tried: std::collections::HashSet<(offramp_core::Code, NaiveDate)> = Default::default();
            for (_, t) in &history.txs {
                for a in [t.sent, t.received, t.fee, t.fiat_value].into_iter().flatten() {
                    if !a.code().is_fiat() || a.code() == to {
                        continue;
                    }
                    let mut day = t.timestamp.date_in(zone);
                    if source.monthly() {
                        day = day.with_day(1).unwrap_or(day);
                    }
                    if tried.insert((a.code(), day)) && book.convert(rule, Decimal::ONE, a.code(), to, day).is_err() {
                        gaps.entry(a.code().to_string()).or_default().insert(day);
                    }
                }
            }
            for (currency, days) in gaps {
                out.push(MissingRates {
                    jurisdiction: j,
                    source,
                    currency,
                    count: days.len(),
                    first: days.iter().take(5).copied().collect(),
                });
            }
        }
        Ok(out)
    }

    /// Fetches from each of `sources` the rates published after the last one known, up to `now` (HMRC: through
    /// next month, which HMRC publishes before it starts), and keeps them in the ledger (one transaction per
    /// publisher: all of its answer or none). A publisher that cannot be reached is reported, not an error; the
    /// others are still fetched. Reports read the new rates at once.
    pub fn refresh_rates(
        &mut self,
        sources: &[RateSource],
        now: Timestamp,
        feed: &dyn RateFeed,
    ) -> Result<Vec<RefreshOutcome>, AppError> {
        let today = now.date_utc();
        let book = RateBook::with(&self.ledger().rates()?);
        let coverage = book.coverage();
        let first_tx = self.ledger().first_transaction_time()?.map(|t| t.date_utc());
        let mut out = Vec::new();
        for &s in sources {
            let last = coverage.iter().filter(|c| c.0 == s).map(|c| c.3).max();
            let from = match (s, last) {
                (RateSource::Hmrc, Some(l)) => next_month(l),
                (_, Some(l)) => l + chrono::Duration::days(1),
                // Nothing known yet (the Bank of Canada): from the first transaction, or the series' start.
                (_, None) => first_tx.unwrap_or(today).max(boc_first_day()),
            };
            let to = if s.monthly() { next_month(today) } else { today };
            let mut o = RefreshOutcome { source: s, from, to, added: 0, changed: 0, refused: 0, error: None };
            if from > to {
                out.push(o);
                continue;
            }
            match feed.fetch(s, from, to, TIMEOUT) {
                Ok(f) => {
                    o.refused = f.refused;
                    if f.rates.is_empty() {
                        out.push(o);
                        continue; // nothing to write (and the reports' history stays as it is)
                    }
                    let stored = self.ledger_mut().put_rates(&f.rates, now)?;
                    o.added = stored.added;
                    o.changed = stored.changed;
                }
                Err(offramp_market::MarketError::Offline(_)) => {
                    o.error = Some("offline (cannot reach the publisher)".into())
                }
                Err(e) => o.error = Some(e.to_string()),
            }
            out.push(o);
        }
        Ok(out)
    }
}

fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 { (d.year() + 1, 1) } else { (d.year(), d.month() + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(d)
}

/// The publishers over the network (or the replay server `OFFRAMP_MARKET_URL` names, in tests).
pub fn feed(config: &crate::Config) -> offramp_market::official::HttpRates {
    offramp_market::official::HttpRates::new(config.market_url.clone())
}

/// Reads a publisher's name as typed (`hmrc`, `ecb`, `boc`), naming the field.
pub fn parse_source(text: &str) -> Result<RateSource, AppError> {
    RateSource::parse(text).ok_or_else(|| {
        AppError::new(
            ErrorCode::InvalidInput,
            format!("source: `{}` (hmrc, ecb or boc)", offramp_core::text::clip(text)),
        )
    })
}
