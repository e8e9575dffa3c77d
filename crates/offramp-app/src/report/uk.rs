//! The United Kingdom: each token's disposals matched by the same-day, 30-day and Section 104 rules over all the
//! person's accounts, in GBP on UK (Europe/London) dates, per tax year (6 April to 5 April), with the SA108
//! cryptoasset figures.

use std::collections::BTreeMap;

use offramp_core::lots::PoolId;
use offramp_core::uk::{Rule, UkDisposal, UkEvent};
use offramp_core::{Amount, Code, Decimal, Jurisdiction};
use serde::Serialize;

use super::{cents, csv::CsvFile, Conventions, ReportFile};
use crate::history::History;
use crate::session::Progress;
use crate::{AppError, ErrorCode, Session};

/// One UK disposal day of one token, with its matching and SA108-relevant figures.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UkRow {
    pub asset: Code,
    #[serde(flatten)]
    pub disposal: UkDisposal,
    pub sources: Vec<String>,
    /// The official rates the disposal's amounts in other currencies were converted at (HMRC's monthly rate), one
    /// per converted transaction: "12: HMRC monthly rate 2024-03: 1.2614 USD per GBP".
    pub exchange_rates: Vec<String>,
}

/// The SA108 capital gains figures for cryptoassets, from the rows whose figures are all known, by HMRC's
/// definitions: disposal proceeds are the total received (before the costs of selling), and allowable costs
/// include the incidental costs of disposal (the selling fees paid in pounds). The rows' own proceeds are net of
/// those fees; the gains are the same either way.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Sa108 {
    pub disposals: usize,
    pub proceeds: Amount,
    pub allowable_costs: Amount,
    /// The part of the allowable costs that is incidental costs of disposal.
    pub incidental_costs: Amount,
    pub gains: Amount,
    pub losses: Amount,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UkReport {
    /// The tax year starting 6 April of this year.
    pub tax_year_start: i32,
    pub rows: Vec<UkRow>,
    /// Rows whose proceeds or allowable cost are unknown (listed first).
    pub unknown_rows: usize,
    /// The fiat currencies other than GBP that could not be converted (no HMRC rate for the month) in those rows'
    /// transactions: why they are unknown.
    pub foreign_fiat: Vec<Code>,
    pub sa108: Sa108,
}

/// Every token's events for UK matching: one pool per person, whatever the account; moves between the
/// person's own accounts do not change it.
pub(crate) fn uk_events(history: &History) -> BTreeMap<Code, Vec<UkEvent>> {
    uk_events_and_fees(history).0
}

/// The rates each converted transaction used, by id.
type RatesUsed = std::collections::HashMap<i64, offramp_core::fx::RateUsed>;

/// As [`uk_events`], with the selling fees beyond each disposal's proceeds (by transaction id) and the rates used.
fn uk_events_and_fees(
    history: &History,
) -> (BTreeMap<Code, Vec<UkEvent>>, std::collections::HashMap<i64, Decimal>, RatesUsed) {
    let c = Conventions::of(Jurisdiction::Uk, history);
    let conv = history.events(&history.txs, c, &mut |_| PoolId(0));
    let mut by_asset: BTreeMap<Code, Vec<UkEvent>> = Default::default();
    for e in &conv.events {
        use offramp_core::lots::Event as E;
        match e {
            E::Acquire { lot, asset, time, qty, cost, .. } => by_asset
                .entry(*asset)
                .or_default()
                .push(UkEvent::Acquire { id: *lot, date: time.date_in(c.zone), qty: *qty, cost: *cost }),
            E::Dispose { id, asset, time, qty, proceeds, .. } => by_asset
                .entry(*asset)
                .or_default()
                .push(UkEvent::Dispose { id: *id, date: time.date_in(c.zone), qty: *qty, proceeds: *proceeds }),
            // A move between the person's accounts whose network fee the user counts in the basis: those units
            // leave the pool, its cost stays.
            E::Move { id, asset, time, fee, to, .. } if *fee > Decimal::ZERO && *to != offramp_core::tax::OUTSIDE => {
                by_asset.entry(*asset).or_default().push(UkEvent::Shrink {
                    id: *id,
                    date: time.date_in(c.zone),
                    qty: *fee,
                })
            }
            E::Move { .. } => {}
        }
    }
    (by_asset, conv.excess_fees, conv.rates)
}

impl Session {
    /// The UK computation for the tax year 6 April `start` – 5 April `start + 1`.
    pub fn uk_gains(&self, start: i32, progress: Progress) -> Result<UkReport, AppError> {
        let history = self.history(progress)?;
        let (by_asset, excess_fees, rates) = uk_events_and_fees(&history);
        let (first, last) = Jurisdiction::Uk
            .tax_year(start)
            .ok_or_else(|| AppError::new(ErrorCode::InvalidInput, format!("year: {start} is out of range")))?;
        let mut rows = Vec::new();
        for (asset, events) in by_asset {
            let (disposals, _pool) = offramp_core::uk::uk_match(&events)
                .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("{asset}: {e}")))?;
            for mut d in disposals.into_iter().filter(|d| d.date >= first && d.date <= last) {
                // Selling fees beyond the proceeds are an incidental cost of the disposal (docs/TAX.md).
                let excess: Decimal = d.ids.iter().filter_map(|i| excess_fees.get(i)).sum();
                if !excess.is_zero() {
                    d.cost = d.cost.map(|c| c + excess);
                    d.gain = d.proceeds.zip(d.cost).map(|(p, c)| p - c);
                }
                let sources = d.ids.iter().map(|i| history.source(*i)).collect();
                let exchange_rates =
                    d.ids.iter().filter_map(|i| rates.get(i).map(|r| format!("{i}: {}", r.describe()))).collect();
                rows.push(UkRow { asset, disposal: d, sources, exchange_rates });
            }
        }
        rows.sort_by_key(|r| (r.disposal.gain.is_some(), r.disposal.date, r.asset));
        let gbp = Jurisdiction::Uk.currency();
        let known: Vec<&UkRow> = rows.iter().filter(|r| r.disposal.gain.is_some()).collect();
        // Each figure is the sum of the disposals' figures as shown (each rounded half away from zero to pence).
        let total = |f: &dyn Fn(&UkRow) -> Decimal| {
            Amount::new(known.iter().map(|r| offramp_core::money::round_half_away(f(r), 2)).sum(), gbp)
                .round_to_minor_units()
        };
        // The selling fees in pounds (or converted into pounds at the rate the row used) netted from each row's
        // proceeds (those beyond the proceeds are in its cost already).
        let incidental = |r: &UkRow| -> Decimal {
            r.disposal
                .ids
                .iter()
                .filter_map(|i| history.transaction(*i))
                .filter_map(|t| {
                    let f = t.fee.filter(|f| f.code().is_fiat() && t.kind != offramp_core::TxKind::Fee)?;
                    let rule = offramp_core::fx::RateRule::HmrcMonthly;
                    let date = t.timestamp.date_in(Jurisdiction::Uk.zone());
                    history.rate_book().convert(rule, f.value(), f.code(), gbp, date).ok().map(|(v, _)| v)
                })
                .sum::<Decimal>()
                - r.disposal.ids.iter().filter_map(|i| excess_fees.get(i)).sum::<Decimal>()
        };
        let sa108 = Sa108 {
            disposals: rows.len(),
            proceeds: total(&|r| r.disposal.proceeds.unwrap_or_default() + incidental(r)),
            allowable_costs: total(&|r| r.disposal.cost.unwrap_or_default() + incidental(r)),
            incidental_costs: total(&|r| incidental(r)),
            gains: total(&|r| r.disposal.gain.unwrap_or_default().max(Decimal::ZERO)),
            losses: total(&|r| (-r.disposal.gain.unwrap_or_default()).max(Decimal::ZERO)),
        };
        let mut foreign_fiat: Vec<Code> = rows
            .iter()
            .filter(|r| r.disposal.gain.is_none())
            .flat_map(|r| {
                r.disposal.ids.iter().filter(|i| !rates.contains_key(i)).filter_map(|i| history.transaction(*i))
            })
            .flat_map(|t| [t.sent, t.received, t.fee, t.fiat_value])
            .flatten()
            .map(|a| a.code())
            .filter(|c| c.is_fiat() && *c != gbp)
            .collect();
        foreign_fiat.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        foreign_fiat.dedup();
        Ok(UkReport { tax_year_start: start, unknown_rows: rows.len() - known.len(), rows, foreign_fiat, sa108 })
    }
}

/// How a matching rule reads in the computation and its CSV.
pub fn rule_text(rule: &Rule) -> String {
    match rule {
        Rule::SameDay => "same day".to_string(),
        Rule::BedAndBreakfast { acquired } => format!("30 days ({acquired})"),
        Rule::Section104 => "section 104 pool".to_string(),
    }
}

/// One match of a disposal as the computation shows it: its rule, units, cost, its share of the day's proceeds (by
/// units) and that share's gain.
pub fn match_text(d: &UkDisposal, m: &offramp_core::uk::UkMatch) -> String {
    let share = d.proceeds.zip(m.qty.checked_div(d.qty)).and_then(|(p, f)| p.checked_mul(f));
    format!(
        "{} {}: cost {}, proceeds {}, gain {}",
        rule_text(&m.rule),
        m.qty,
        cents(m.cost),
        cents(share),
        cents(share.zip(m.cost).map(|(p, c)| p - c))
    )
}

pub(crate) fn gains_file(r: &UkReport) -> Result<ReportFile, AppError> {
    let mut f = CsvFile::new(&[
        "date",
        "asset",
        "quantity",
        "proceeds_GBP",
        "allowable_cost_GBP",
        "gain_GBP",
        "matching",
        "disposal_ids",
        "sources",
        "exchange_rates",
    ])?;
    for row in &r.rows {
        let d = &row.disposal;
        let matching: Vec<String> =
            d.matches.iter().map(|m| format!("{} {} cost {}", rule_text(&m.rule), m.qty, cents(m.cost))).collect();
        let ids: Vec<String> = d.ids.iter().map(|i| i.to_string()).collect();
        f.row(&[
            d.date.to_string(),
            row.asset.to_string(),
            d.qty.normalize().to_string(),
            cents(d.proceeds),
            cents(d.cost),
            cents(d.gain),
            matching.join("; "),
            ids.join(" "),
            row.sources.join(" "),
            row.exchange_rates.join("; "),
        ])?;
    }
    let summary = vec![format!(
        "{} disposal days ({} unknown, first); tax year {}",
        r.rows.len(),
        r.unknown_rows,
        Jurisdiction::Uk.tax_year_label(r.tax_year_start)
    )];
    Ok(ReportFile { body: f.finish()?, summary })
}
