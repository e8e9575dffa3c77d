//! Canada: every asset's disposals of a calendar year at its adjusted cost base over all the person's accounts,
//! superficial losses denied, in CAD (dates UTC for now), with the Schedule 3 totals and the taxable half.

use std::collections::BTreeMap;

use offramp_core::ca::{acb, CaDisposal, CaEvent};
use offramp_core::lots::{Event as E, PoolId};
use offramp_core::{Amount, Code, Decimal, Jurisdiction};
use serde::Serialize;

use super::{cents, csv::CsvFile, Conventions, ReportFile};
use crate::history::History;
use crate::session::Progress;
use crate::{AppError, ErrorCode, Session};

/// One Canadian disposal with where it came from.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaRow {
    pub asset: Code,
    #[serde(flatten)]
    pub disposal: CaDisposal,
    pub source: String,
    /// The Bank of Canada rate the disposal's amounts in another currency were converted at, or empty.
    pub exchange_rate: String,
}

/// Schedule 3 figures for the year, from the rows whose figures are all known, in CAD (cents, half away from
/// zero).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaTotals {
    pub proceeds: Amount,
    pub acb: Amount,
    pub gains: Amount,
    pub losses: Amount,
    /// Gains less losses.
    pub net: Amount,
    /// Half of a positive net gain (the inclusion rate).
    pub taxable: Amount,
    /// Half of a net loss: the year's net capital loss (allowable capital losses beyond the taxable capital
    /// gains), which can be carried back three years or forward indefinitely against taxable capital gains
    /// (s.111(1)(b)); zero in a gain year.
    pub net_capital_loss: Amount,
    /// Losses denied as superficial (added to the ACB of the units kept).
    pub denied: Amount,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaReport {
    pub year: i32,
    pub rows: Vec<CaRow>,
    pub unknown_rows: usize,
    pub totals: CaTotals,
}

/// Every asset's events for the ACB: one pool for everything (identical property is averaged across all
/// accounts). Units that left to an unknown destination leave the average at its cost share (negative ids).
pub(crate) fn ca_events(history: &History) -> BTreeMap<Code, Vec<CaEvent>> {
    ca_events_and_fees(history).0
}

/// As [`ca_events`], with the selling fees beyond each disposal's proceeds (by transaction id).
type RatesUsed = std::collections::HashMap<i64, offramp_core::fx::RateUsed>;

fn ca_events_and_fees(
    history: &History,
) -> (BTreeMap<Code, Vec<CaEvent>>, std::collections::HashMap<i64, Decimal>, RatesUsed) {
    let c = Conventions::of(Jurisdiction::Ca, history);
    let conv = history.events(&history.txs, c, &mut |_| PoolId(0));
    let mut by_asset: BTreeMap<Code, Vec<CaEvent>> = Default::default();
    for e in &conv.events {
        match e {
            E::Acquire { lot, asset, time, qty, cost, .. } => by_asset
                .entry(*asset)
                .or_default()
                .push(CaEvent::Acquire { id: *lot, date: time.date_in(c.zone), qty: *qty, cost: *cost }),
            E::Dispose { id, asset, time, qty, proceeds, .. } => by_asset
                .entry(*asset)
                .or_default()
                .push(CaEvent::Dispose { id: *id, date: time.date_in(c.zone), qty: *qty, proceeds: *proceeds }),
            // Moves between the person's accounts change nothing; units that left to an unknown destination are
            // out of the report: they leave the average at its cost share.
            E::Move { id, asset, time, qty, fee, to, .. } if *to == offramp_core::tax::OUTSIDE => by_asset
                .entry(*asset)
                .or_default()
                .push(CaEvent::Dispose { id: *id, date: time.date_in(c.zone), qty: *qty + *fee, proceeds: None }),
            // A move between the person's accounts whose network fee the user counts in the basis: those units
            // leave the pool, its ACB stays.
            E::Move { id, asset, time, fee, .. } if *fee > Decimal::ZERO => by_asset
                .entry(*asset)
                .or_default()
                .push(CaEvent::Shrink { id: *id, date: time.date_in(c.zone), qty: *fee }),
            E::Move { .. } => {}
        }
    }
    // The engine's events are in time order: a disposal averages over what is owned at its instant (s.47).
    (by_asset, conv.excess_fees, conv.rates)
}

fn ca_error(history: &History, asset: Code, e: &offramp_core::ca::CaError) -> AppError {
    use offramp_core::ca::CaError as C;
    let id = match e {
        C::Oversold { id, .. } | C::Invalid { id } | C::OutOfOrder { id } => id.abs(),
    };
    AppError::new(ErrorCode::InvalidInput, format!("{asset}: {e}. Source: {}", history.describe(id)))
}

impl Session {
    /// Canada's capital gains for calendar `year`.
    pub fn ca_gains(&self, year: i32, progress: Progress) -> Result<CaReport, AppError> {
        let history = self.history(progress)?;
        let cad = Jurisdiction::Ca.currency();
        let mut rows = Vec::new();
        let (by_asset, excess_fees, rates) = ca_events_and_fees(&history);
        for (asset, events) in by_asset {
            let (disposals, _) = acb(&events).map_err(|e| ca_error(&history, asset, &e))?;
            for mut d in disposals.into_iter().filter(|d| chrono::Datelike::year(&d.date) == year) {
                if d.id < 0 {
                    continue; // left to an unknown destination: not a disposal in this report
                }
                // Selling fees beyond the proceeds: an outlay of the disposal, counted with its ACB (docs/TAX.md).
                if let Some(excess) = excess_fees.get(&d.id) {
                    d.acb = d.acb.map(|a| a + *excess);
                    d.gain = d.proceeds.zip(d.acb).map(|(p, a)| p - a);
                }
                let source = history.source(d.id);
                let exchange_rate = rates.get(&d.id).map(|r| r.describe()).unwrap_or_default();
                rows.push(CaRow { asset, disposal: d, source, exchange_rate });
            }
        }
        rows.sort_by_key(|r| (r.disposal.gain.is_some(), r.disposal.date, r.disposal.id));
        let known: Vec<&CaRow> = rows.iter().filter(|r| r.disposal.gain.is_some()).collect();
        // Totals are the sums of the rows as printed (each rounded half away from zero to cents).
        let sum = |f: &dyn Fn(&CaDisposal) -> Decimal| -> Decimal {
            known.iter().map(|r| offramp_core::money::round_half_away(f(&r.disposal), 2)).sum()
        };
        let gains = sum(&|d| d.gain.unwrap_or_default().max(Decimal::ZERO));
        let losses = sum(&|d| (-d.gain.unwrap_or_default()).max(Decimal::ZERO));
        let net = gains - losses;
        let money = |v: Decimal| Amount::new(v, cad).round_to_minor_units();
        Ok(CaReport {
            year,
            unknown_rows: rows.len() - known.len(),
            totals: CaTotals {
                proceeds: money(sum(&|d| d.proceeds.unwrap_or_default())),
                acb: money(sum(&|d| d.acb.unwrap_or_default())),
                gains: money(gains),
                losses: money(losses),
                net: money(net),
                taxable: money(net.max(Decimal::ZERO) * offramp_core::ca::INCLUSION_RATE),
                net_capital_loss: money((-net).max(Decimal::ZERO) * offramp_core::ca::INCLUSION_RATE),
                denied: money(sum(&|d| d.denied_loss)),
            },
            rows,
        })
    }
}

pub(crate) fn gains_file(r: &CaReport) -> Result<ReportFile, AppError> {
    let mut f = CsvFile::new(&[
        "date_sold",
        "asset",
        "quantity",
        "proceeds_CAD",
        "acb_CAD",
        "gain_CAD",
        "superficial_loss_denied_CAD",
        "disposal_id",
        "source",
        "exchange_rate",
    ])?;
    for row in &r.rows {
        let d = &row.disposal;
        f.row(&[
            d.date.to_string(),
            row.asset.to_string(),
            d.qty.normalize().to_string(),
            cents(d.proceeds),
            cents(d.acb),
            cents(d.gain),
            cents(Some(d.denied_loss)),
            d.id.to_string(),
            row.source.clone(),
            row.exchange_rate.clone(),
        ])?;
    }
    let mut summary = vec![format!(
        "{} disposals ({} unknown, first); net {}, taxable {}",
        r.rows.len(),
        r.unknown_rows,
        r.totals.net,
        r.totals.taxable
    )];
    if !r.totals.net_capital_loss.value().is_zero() {
        summary.push(format!("net capital loss of the year (carried over, s.111): {}", r.totals.net_capital_loss));
    }
    Ok(ReportFile { body: f.finish()?, summary })
}
