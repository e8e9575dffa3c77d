//! Income (staking, mining, airdrops, interest, other) at fair value on receipt: taxed as income, and the cost of
//! the lots it creates.

use offramp_core::lots::PoolId;
use offramp_core::{Amount, Code, Decimal, Jurisdiction, TxKind};
use serde::Serialize;

use super::Conventions;
use crate::session::Progress;
use crate::{AppError, Session};

/// One receipt of income at its fair value.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncomeRow {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub date: chrono::NaiveDate,
    pub account: String,
    pub kind: TxKind,
    pub asset: Code,
    #[serde(with = "offramp_core::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    /// Fair value on receipt in the report currency; `None` when unknown (flagged, listed first).
    #[serde(with = "offramp_core::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub value: Option<Decimal>,
    pub source: String,
    /// The official rate a fair value in another currency was converted at, or empty.
    pub exchange_rate: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct IncomeReport {
    pub jurisdiction: Jurisdiction,
    pub year: i32,
    pub currency: Code,
    pub rows: Vec<IncomeRow>,
    pub unknown_rows: usize,
    /// Known values by kind, and in all, rounded half away from zero to cents.
    pub by_kind: Vec<(TxKind, Amount)>,
    pub total: Amount,
    /// Germany: the Freigrenze for income from services (§ 22 Nr. 3 EStG) against the total.
    pub freigrenze: Option<offramp_core::de::Freigrenze>,
}

impl Session {
    /// Income received in `jurisdiction`'s tax year `year` (dates where the taxpayer lives): the calendar year,
    /// except in the UK, where 2024 is 6 April 2024 to 5 April 2025. At fair value in the jurisdiction's currency.
    pub fn income(&self, year: i32, jurisdiction: Jurisdiction, progress: Progress) -> Result<IncomeReport, AppError> {
        let history = self.history(progress)?;
        let c = Conventions::of(jurisdiction, &history);
        let currency = c.currency;
        let conv = history.events(&history.txs, c, &mut |_| PoolId(0));
        let mut rows: Vec<IncomeRow> = conv
            .income
            .iter()
            .filter_map(|(id, asset, qty, value)| {
                let t = history.transaction(*id)?;
                let date = t.timestamp.date_in(c.zone);
                (jurisdiction.tax_year_of(date) == year).then(|| IncomeRow {
                    id: *id,
                    date,
                    account: t.account.clone(),
                    kind: t.kind,
                    asset: *asset,
                    qty: *qty,
                    value: *value,
                    source: history.source(*id),
                    exchange_rate: conv.rates.get(id).map(|r| r.describe()).unwrap_or_default(),
                })
            })
            .collect();
        rows.sort_by_key(|r| (r.value.is_some(), r.date, r.id));
        let mut by_kind: Vec<(TxKind, Amount)> = Vec::new();
        for r in rows.iter().filter(|r| r.value.is_some()) {
            match by_kind.iter_mut().find(|(k, _)| *k == r.kind) {
                Some((_, a)) => *a = Amount::new(a.value() + r.value.unwrap_or_default(), currency),
                None => by_kind.push((r.kind, Amount::new(r.value.unwrap_or_default(), currency))),
            }
        }
        let total: Decimal = by_kind.iter().map(|(_, a)| a.value()).sum();
        let by_kind = by_kind.into_iter().map(|(k, a)| (k, a.round_to_minor_units())).collect();
        let total = Amount::new(total, currency).round_to_minor_units();
        let unknown = rows.iter().filter(|r| r.value.is_none()).count();
        let freigrenze = match jurisdiction {
            // Income only adds: an unknown value leaves the verdict open unless the known total already reaches it.
            Jurisdiction::De => Some(offramp_core::de::Freigrenze::apply_with_unknown(
                offramp_core::de::SERVICES_FREIGRENZE,
                total.value(),
                unknown,
                true,
            )),
            Jurisdiction::Us | Jurisdiction::Uk | Jurisdiction::Ca => None,
        };
        Ok(IncomeReport {
            jurisdiction,
            year,
            currency,
            unknown_rows: rows.iter().filter(|r| r.value.is_none()).count(),
            rows,
            by_kind,
            total,
            freigrenze,
        })
    }
}

/// The income report as a CSV file (one row per receipt, unknown values first as `UNKNOWN`), with the totals by
/// kind, the total and (Germany) the Freigrenze as its summary.
pub fn income_file(r: &IncomeReport) -> Result<super::ReportFile, AppError> {
    let mut f = super::csv::CsvFile::new(&[
        "date",
        "account",
        "kind",
        "asset",
        "quantity",
        &format!("value_{}", r.currency),
        "source",
        "exchange_rate",
    ])?;
    for row in &r.rows {
        f.row(&[
            row.date.to_string(),
            row.account.clone(),
            row.kind.as_str().to_string(),
            row.asset.to_string(),
            row.qty.normalize().to_string(),
            super::cents(row.value),
            row.source.clone(),
            row.exchange_rate.clone(),
        ])?;
    }
    let mut summary = Vec::new();
    if r.unknown_rows > 0 {
        summary.push(format!(
            "WARNING: {} receipt(s) have no known value (listed first, UNKNOWN); the totals leave them out.",
            r.unknown_rows
        ));
    }
    summary.push(format!(
        "Income received in {}, at fair value on receipt in {}: {} receipts",
        r.year,
        r.currency,
        r.rows.len()
    ));
    for (kind, a) in &r.by_kind {
        summary.push(format!("{}: {a}", kind.as_str()));
    }
    summary.push(format!("Total: {}", r.total));
    if let Some(fg) = &r.freigrenze {
        let verdict = match fg.verdict {
            offramp_core::de::Verdict::Below => "below: tax-free",
            offramp_core::de::Verdict::Reached => "reached: all of it is taxable (a cliff)",
            offramp_core::de::Verdict::Uncertain => {
                "not known: some income has no value yet, and with it the total could reach the limit"
            }
        };
        summary
            .push(format!("Leistungen (§ 22 Nr. 3 EStG, staking and lending): Freigrenze {} EUR {verdict}", fg.limit));
    }
    Ok(super::ReportFile { body: f.finish()?, summary })
}

impl Session {
    /// [`Session::income`] as a file ([`income_file`]).
    pub fn income_file(
        &self,
        year: i32,
        jurisdiction: Jurisdiction,
        progress: Progress,
    ) -> Result<super::ReportFile, AppError> {
        income_file(&self.income(year, jurisdiction, progress)?)
    }
}
