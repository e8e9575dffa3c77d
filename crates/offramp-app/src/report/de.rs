//! Germany: private sales (§ 23 EStG) of a calendar year, FIFO per wallet in EUR on Berlin dates; pieces held one
//! year or less are taxable, the others tax-free; the Anlage SO totals and the Freigrenze.

use offramp_core::de::{sales_freigrenze, Freigrenze};
use offramp_core::holding::Term;
use offramp_core::lots::Method;
use offramp_core::money::round_half_away;
use offramp_core::{Decimal, Jurisdiction};
use serde::Serialize;

use super::{gains, Basis, GainsReport, ReportFile};
use crate::session::Progress;
use crate::{AppError, Session};

/// The Anlage SO lines for cryptoassets: the taxable pieces whose figures are all known.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AnlageSo {
    /// Veräußerungspreis.
    #[serde(with = "offramp_core::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub proceeds: Decimal,
    /// Anschaffungskosten.
    #[serde(with = "offramp_core::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub cost: Decimal,
    /// Gewinn/Verlust.
    #[serde(with = "offramp_core::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub gain: Decimal,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeReport {
    #[serde(flatten)]
    pub gains: GainsReport,
    pub anlage_so: AnlageSo,
    /// The Freigrenze of the year against these gains (tax-free only if the year's total from all private sales
    /// stays below it).
    pub freigrenze: Freigrenze,
}

/// How German lots are booked: FIFO per wallet (BMF-Schreiben of 6 March 2025, Rz. 61-62).
pub(crate) const BASIS: Basis =
    Basis { default: Method::Fifo, by_year: std::collections::BTreeMap::new(), pooling: super::Pooling::PerAccount };

impl Session {
    /// Germany's private sales in calendar `year`.
    pub fn de_gains(&self, year: i32, progress: Progress) -> Result<DeReport, AppError> {
        Ok(report(gains(&*self.history(progress)?, Jurisdiction::De, year, &BASIS)?))
    }
}

/// The German report of a year's pieces: their classes named, the Anlage SO lines and the Freigrenze.
pub(crate) fn report(mut r: GainsReport) -> DeReport {
    r.terms = ("taxable", "tax-free");
    let taxable: Vec<_> = r.rows.iter().filter(|x| x.row.term == Term::Short && x.row.gain.is_some()).collect();
    // The totals are the sums of the rows as printed (each rounded half away from zero to cents), so the
    // Anlage SO lines add up on paper.
    let sum = |f: &dyn Fn(&offramp_core::tax::GainRow) -> Option<Decimal>| -> Decimal {
        taxable.iter().filter_map(|x| f(&x.row)).map(|v| round_half_away(v, 2)).sum()
    };
    let anlage_so = AnlageSo { proceeds: sum(&|x| x.proceeds), cost: sum(&|x| x.cost), gain: sum(&|x| x.gain) };
    // Unknown rows held one year or less could change the taxable total either way.
    let unknown_taxable = r.rows.iter().filter(|x| x.row.term == Term::Short && x.row.gain.is_none()).count();
    let freigrenze = Freigrenze::apply_with_unknown(sales_freigrenze(r.year), anlage_so.gain, unknown_taxable, false);
    DeReport { gains: r, anlage_so, freigrenze }
}

pub(crate) fn gains_file(r: &DeReport) -> Result<ReportFile, AppError> {
    let g = &r.gains;
    let summary =
        vec![format!("{} rows ({} unknown, first); taxable rows: held one year or less", g.rows.len(), g.unknown_rows)];
    Ok(ReportFile { body: super::gains_csv_with_wallet(g, true)?, summary })
}
