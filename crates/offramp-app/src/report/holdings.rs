//! What is held at a date, lot by lot per account, with cost and (at prices the user gives) value; and what the
//! tax rules of each jurisdiction see of it, for tax-aware plans.

use std::collections::HashMap;

use offramp_core::lots::Method;
use offramp_core::taxplan::HeldLot;
use offramp_core::{Code, Decimal, Jurisdiction};
use serde::Serialize;

use super::{book_lots, Basis, Conventions};
use crate::history::History;
use crate::session::Progress;
use crate::{AppError, ErrorCode, Session};

/// One lot still held at a date, valued at the given price.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct HoldingRow {
    pub account: String,
    pub asset: Code,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub lot: i64,
    pub acquired: chrono::NaiveDate,
    #[serde(with = "offramp_core::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    #[serde(with = "offramp_core::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub cost: Option<Decimal>,
    /// Quantity × the given price; `None` when no price was given for the asset.
    #[serde(with = "offramp_core::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub value: Option<Decimal>,
    #[serde(with = "offramp_core::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub unrealized: Option<Decimal>,
    pub lot_source: String,
    /// The first day a disposal of this lot counts as held more than one year: long-term in the US, tax-free in
    /// Germany (§ 23 EStG); the UK and Canada have no holding period.
    pub more_than_one_year_on: Option<chrono::NaiveDate>,
}

/// A holdings request as text from the UI or the command line.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(default)]
pub struct HoldingsRequest {
    /// The end of this day (UTC): `YYYY-MM-DD`.
    pub at: String,
    /// The report currency (default USD).
    pub currency: Option<String>,
    /// A price per unit in the report currency, `ASSET=PRICE` (e.g. `BTC=65000`), one per asset.
    pub prices: Vec<String>,
}

impl Session {
    /// What is held at the end of the request's date, lot by lot per account, booked with `basis`.
    pub fn holdings(
        &self,
        r: &HoldingsRequest,
        basis: &Basis,
        progress: Progress,
    ) -> Result<Vec<HoldingRow>, AppError> {
        let invalid = |m: String| AppError::new(ErrorCode::InvalidInput, m);
        let date = crate::parse_day("at", &r.at)?;
        let currency =
            Code::parse(r.currency.as_deref().unwrap_or("USD")).map_err(|e| invalid(format!("currency: {e}")))?;
        let mut prices = HashMap::new();
        for p in &r.prices {
            let (asset, value) = p
                .split_once('=')
                .ok_or_else(|| invalid(format!("price: `{}` should read ASSET=PRICE", offramp_core::text::clip(p))))?;
            let asset = Code::parse(asset).map_err(|e| invalid(format!("price: {e}")))?;
            let value = offramp_core::money::parse_decimal(value).map_err(|e| invalid(format!("price: {e}")))?;
            prices.insert(asset, value);
        }
        let history = self.history(progress)?;
        holdings_in(&history, date, Conventions::for_currency(currency, &history), basis, &prices)
    }
}

pub(crate) fn holdings_in(
    history: &History,
    date: chrono::NaiveDate,
    c: Conventions,
    basis: &Basis,
    prices: &HashMap<Code, Decimal>,
) -> Result<Vec<HoldingRow>, AppError> {
    let end = date
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc().timestamp_micros())
        .ok_or_else(|| AppError::new(ErrorCode::InvalidInput, format!("date: {date} is out of range")))?;
    let txs: Vec<_> = history.txs.iter().filter(|(_, t)| t.timestamp.unix_micros() < end).cloned().collect();
    let (_, booking, accounts) = book_lots(history, &txs, c, basis)?;
    booking
        .holdings
        .iter()
        .filter(|h| h.pool != offramp_core::tax::OUTSIDE)
        .map(|h| {
            let value = prices.get(&h.asset).map(|p| crate::checked::mul("value", *p, h.qty)).transpose()?;
            let unrealized =
                value.zip(h.cost).map(|(v, c)| crate::checked::sub("unrealized gain", v, c)).transpose()?;
            Ok(HoldingRow {
                account: if h.pool == offramp_core::tax::UNIVERSAL {
                    "all accounts (universal, before 2025)".to_string()
                } else {
                    accounts.get(h.pool.0 as usize).cloned().unwrap_or_default()
                },
                asset: h.asset,
                lot: h.lot,
                acquired: h.acquired.date_in(c.zone),
                qty: h.qty,
                cost: h.cost,
                value,
                unrealized,
                lot_source: history.source(h.lot),
                more_than_one_year_on: offramp_core::holding::first_long_term_date(h.acquired.date_in(c.zone)),
            })
        })
        .collect()
}

/// What the tax rules see of `asset` held at the end of `date`: US lots per account (booked with `basis`),
/// German lots per wallet (FIFO), the UK's Section 104 pool or Canada's adjusted cost base as one lot. In the
/// jurisdiction's currency.
pub(crate) fn held_lots(
    history: &History,
    asset: Code,
    date: chrono::NaiveDate,
    jurisdiction: Jurisdiction,
    basis: &Basis,
) -> Result<Vec<HeldLot>, AppError> {
    let pool = |qty: Decimal, cost: Option<Decimal>| {
        if qty.is_zero() {
            Vec::new()
        } else {
            vec![HeldLot {
                account: offramp_core::taxplan::pool_name(jurisdiction).into(),
                lot: 0,
                acquired: date,
                qty,
                cost,
            }]
        }
    };
    match jurisdiction {
        Jurisdiction::Uk => {
            let events: Vec<_> = super::uk::uk_events(history)
                .remove(&asset)
                .unwrap_or_default()
                .into_iter()
                .filter(|e| e.date() <= date)
                .collect();
            let (_, p) = offramp_core::uk::uk_match(&events)
                .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("{asset}: {e}")))?;
            Ok(pool(p.qty, p.cost))
        }
        Jurisdiction::Ca => {
            let events: Vec<_> = super::ca::ca_events(history)
                .remove(&asset)
                .unwrap_or_default()
                .into_iter()
                .filter(|e| e.date() <= date)
                .collect();
            let (_, h) = offramp_core::ca::acb(&events)
                .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("{asset}: {e}")))?;
            Ok(pool(h.qty, h.acb))
        }
        Jurisdiction::Us | Jurisdiction::De => {
            let de = Basis::per_account(Method::Fifo);
            let basis = if jurisdiction == Jurisdiction::De { &de } else { basis };
            let c = Conventions::of(jurisdiction, history);
            Ok(holdings_in(history, date, c, basis, &HashMap::new())?
                .into_iter()
                .filter(|h| h.asset == asset)
                .map(|h| HeldLot { account: h.account, lot: h.lot, acquired: h.acquired, qty: h.qty, cost: h.cost })
                .collect())
        }
    }
}

/// Holdings as a CSV file: one row per lot still held, cost and value in the report currency (`UNKNOWN` where
/// unknown), with the totals per asset as its summary.
pub fn holdings_file(rows: &[HoldingRow]) -> Result<super::ReportFile, AppError> {
    let mut f = super::csv::CsvFile::new(&[
        "account",
        "asset",
        "lot_id",
        "date_acquired",
        "quantity",
        "cost_basis",
        "value",
        "unrealized_gain",
        "lot_source",
    ])?;
    let mut per_asset: std::collections::BTreeMap<String, (Decimal, usize)> = Default::default();
    for r in rows {
        f.row(&[
            r.account.clone(),
            r.asset.to_string(),
            r.lot.to_string(),
            r.acquired.to_string(),
            r.qty.normalize().to_string(),
            super::cents(r.cost),
            super::cents(r.value),
            super::cents(r.unrealized),
            r.lot_source.clone(),
        ])?;
        let e = per_asset.entry(r.asset.to_string()).or_default();
        e.0 = e.0.checked_add(r.qty).ok_or_else(|| crate::checked::overflow("holdings"))?;
        e.1 += 1;
    }
    let mut summary: Vec<String> =
        per_asset.iter().map(|(a, (q, n))| format!("{a}: {} in {n} lot(s)", q.normalize())).collect();
    let unknown = rows.iter().filter(|r| r.cost.is_none()).count();
    if unknown > 0 {
        summary.insert(0, format!("WARNING: {unknown} lot(s) have an unknown cost (UNKNOWN)."));
    }
    Ok(super::ReportFile { body: f.finish()?, summary })
}

impl Session {
    /// [`Session::holdings`] as a file ([`holdings_file`]).
    pub fn holdings_file(
        &self,
        r: &HoldingsRequest,
        basis: &Basis,
        progress: Progress,
    ) -> Result<super::ReportFile, AppError> {
        holdings_file(&self.holdings(r, basis, progress)?)
    }
}
