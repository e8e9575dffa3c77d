//! United States: gains per lot piece (FIFO, LIFO, HIFO; universal to per-account basis in 2025), Form 8949 rows
//! with the Schedule D totals, and capital-gains files for tax software.

use chrono::NaiveDate;
use offramp_core::holding::Term;
use offramp_core::money::round_half_away;
use offramp_core::us::{box_for, part_for, schedule_d_line, Reported};
use offramp_core::{Decimal, Jurisdiction};
use serde::Serialize;

use super::{cents, csv::CsvFile, gains, Basis, GainsReport, ReportFile, ReportRow};
use crate::session::Progress;
use crate::{AppError, ErrorCode, Session};

impl Session {
    /// The US gains report for calendar `year`: every disposal split into the lot pieces it consumed, with term,
    /// proceeds, basis and gain in USD, booked with `basis`.
    pub fn us_gains(&self, year: i32, basis: &Basis, progress: Progress) -> Result<GainsReport, AppError> {
        let history = self.history(progress)?;
        gains(&history, Jurisdiction::Us, year, basis)
    }

    /// Form 8949 for `year` with the Schedule D totals; `reported` says what Forms 1099-DA the seller received.
    pub fn form_8949(
        &self,
        year: i32,
        basis: &Basis,
        reported: Reported,
        progress: Progress,
    ) -> Result<ReportFile, AppError> {
        form_8949(&self.us_gains(year, basis, progress)?, reported)
    }

    /// The year's gains as a file for tax software (refused while a basis or proceeds is unknown: a tax program
    /// would read a blank as zero).
    pub fn software_file(
        &self,
        year: i32,
        basis: &Basis,
        format: SoftwareFormat,
        progress: Progress,
    ) -> Result<ReportFile, AppError> {
        software_csv(&self.us_gains(year, basis, progress)?, format)
    }
}

pub(crate) fn gains_file(report: &GainsReport) -> Result<ReportFile, AppError> {
    let mut summary = Vec::new();
    if report.unknown_rows > 0 {
        summary.push(format!(
            "WARNING: {} row(s) have an unknown cost basis or proceeds (listed first, marked UNKNOWN). The totals below leave them out.",
            report.unknown_rows
        ));
    }
    summary.push(format!(
        "{} rows; short-term gain {}, long-term gain {} (each the sum of its rows as printed, in cents)",
        report.rows.len(),
        report.short_term_gain,
        report.long_term_gain
    ));
    Ok(ReportFile { body: super::gains_csv(report)?, summary })
}

/// Reads `none`, `with-basis` or `without-basis`.
pub fn parse_reported(text: &str) -> Result<Reported, AppError> {
    Reported::parse(text).ok_or_else(|| {
        AppError::new(
            ErrorCode::InvalidInput,
            format!("reported: `{}` (none, with-basis, without-basis)", offramp_core::text::clip(text)),
        )
    })
}

fn to_cents(v: Decimal) -> Decimal {
    round_half_away(v, 2)
}

fn mdy(d: NaiveDate) -> String {
    d.format("%m/%d/%Y").to_string()
}

/// One Form 8949 row as printed: columns (a)-(e) and (h) (no adjustments are computed), `UNKNOWN` where unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row8949 {
    pub part: &'static str,
    pub box_: char,
    pub description: String,
    pub acquired: String,
    pub sold: String,
    pub proceeds: String,
    pub cost: String,
    pub gain: String,
}

/// A Schedule D line: the sum of one box's rows as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line8949 {
    pub part: &'static str,
    pub box_: char,
    pub line: &'static str,
    pub proceeds: Decimal,
    pub cost: Decimal,
    pub gain: Decimal,
}

/// Form 8949 for a year: its rows (unknown ones first, then box by box, by date sold) and the Schedule D lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form8949 {
    pub rows: Vec<Row8949>,
    pub totals: Vec<Line8949>,
    pub unknown_rows: usize,
}

impl Form8949 {
    /// Row amounts are exact cents (half away from zero); each total is the sum of its rows as printed. Rows with
    /// an unknown basis or proceeds come first and are left out of the totals: they must be resolved before filing.
    pub fn of(report: &GainsReport, reported: Reported) -> Form8949 {
        use std::collections::BTreeMap;
        let mut sums: BTreeMap<(char, &'static str, &'static str), (Decimal, Decimal, Decimal)> = BTreeMap::new();
        let mut rows: Vec<&ReportRow> = report.rows.iter().collect();
        rows.sort_by_key(|r| {
            (r.row.gain.is_some(), box_for(report.year, r.row.term, reported), r.row.sold, r.row.acquired)
        });
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let row = &r.row;
            let b = box_for(report.year, row.term, reported);
            let (d, e) = (row.proceeds.map(to_cents), row.cost.map(to_cents));
            let h = d.zip(e).map(|(d, e)| d - e);
            let show = |v: Option<Decimal>| v.map(|v| v.to_string()).unwrap_or_else(|| "UNKNOWN".into());
            out.push(Row8949 {
                part: part_for(row.term),
                box_: b,
                description: format!("{} {}", row.qty, row.asset),
                acquired: mdy(row.acquired),
                sold: mdy(row.sold),
                proceeds: show(d),
                cost: show(e),
                gain: show(h),
            });
            if let (Some(d), Some(e), Some(h)) = (d, e, h) {
                let s = sums.entry((b, schedule_d_line(b), part_for(row.term))).or_default();
                s.0 += d;
                s.1 += e;
                s.2 += h;
            }
        }
        let totals = sums
            .into_iter()
            .map(|((box_, line, part), (proceeds, cost, gain))| Line8949 { part, box_, line, proceeds, cost, gain })
            .collect();
        Form8949 { rows: out, totals, unknown_rows: report.unknown_rows }
    }
}

/// Form 8949 rows (columns a–h with part and box) as CSV, and the Schedule D totals per line as the summary.
/// Row amounts are exact cents (half away from zero); each total is the sum of its rows as printed. Rows with an
/// unknown basis or proceeds are written `UNKNOWN` first and left out of the totals: they must be resolved
/// before filing.
pub fn form_8949(report: &GainsReport, reported: Reported) -> Result<ReportFile, AppError> {
    let form = Form8949::of(report, reported);
    let mut f = CsvFile::new(&[
        "part",
        "box",
        "a_description",
        "b_date_acquired",
        "c_date_sold",
        "d_proceeds",
        "e_cost_basis",
        "f_code",
        "g_adjustment",
        "h_gain_or_loss",
    ])?;
    for r in &form.rows {
        f.row(&[
            r.part.to_string(),
            r.box_.to_string(),
            r.description.clone(),
            r.acquired.clone(),
            r.sold.clone(),
            r.proceeds.clone(),
            r.cost.clone(),
            String::new(),
            String::new(),
            r.gain.clone(),
        ])?;
    }
    let mut summary = Vec::new();
    if form.unknown_rows > 0 {
        summary.push(format!("WARNING: {} row(s) have an unknown basis or proceeds; resolve them before filing. They are not in the totals.", form.unknown_rows));
    }
    for t in &form.totals {
        summary.push(format!(
            "Schedule D line {} (Form 8949 box {}): proceeds {}, cost {}, adjustments 0.00, gain or (loss) {}",
            t.line, t.box_, t.proceeds, t.cost, t.gain
        ));
    }
    Ok(ReportFile { body: f.finish()?, summary })
}

/// Capital-gains files that US tax software imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum SoftwareFormat {
    /// TaxAct "Stock Assistant" CSV (vendor-documented columns; up to 2,000 rows per return).
    TaxAct,
    /// The TurboTax gains CSV many exporters write (`Currency Name,Purchase Date,Cost Basis,Date Sold,Proceeds`;
    /// the column set comes from secondary sources).
    TurboTax,
}

impl SoftwareFormat {
    /// Reads `taxact` or `turbotax`.
    pub fn parse(text: &str) -> Result<SoftwareFormat, AppError> {
        match text {
            "taxact" => Ok(SoftwareFormat::TaxAct),
            "turbotax" => Ok(SoftwareFormat::TurboTax),
            other => Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("format: `{}` (taxact, turbotax)", offramp_core::text::clip(other)),
            )),
        }
    }
}

/// Writes the year's rows for tax software. Refuses when a row's basis or proceeds is unknown: a tax program
/// would take a blank as zero. The summary holds the warnings to show the user.
pub fn software_csv(report: &GainsReport, format: SoftwareFormat) -> Result<ReportFile, AppError> {
    if report.unknown_rows > 0 {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!(
                "{} row(s) have an unknown cost basis or proceeds; a tax program would read them as zero. Resolve them first (see `offramp report gains`).",
                report.unknown_rows
            ),
        ));
    }
    let mut warnings = Vec::new();
    let body = match format {
        SoftwareFormat::TaxAct => {
            let mut f = CsvFile::new(&[
                "Description",
                "Date Acquired",
                "Date Sold",
                "Sales Proceeds",
                "Cost or Other Basis",
                "Long/Short",
                "Reporting Category",
            ])?;
            if report.year >= 2025 {
                warnings.push("TaxAct's reporting categories are documented as A-F; whether it takes the digital-asset boxes G-L for 2025 is not confirmed, so the category is left empty: choose it in TaxAct.".into());
            }
            if report.rows.len() > 2000 {
                warnings.push(format!(
                    "{} rows: TaxAct imports at most 2,000; attach Form 8949 summaries for the rest.",
                    report.rows.len()
                ));
            }
            for r in &report.rows {
                let x = &r.row;
                let (term, category) = match x.term {
                    Term::Short => ("Short", "C"),
                    Term::Long => ("Long", "F"),
                };
                f.row(&[
                    format!("{} {}", x.qty, x.asset),
                    mdy(x.acquired),
                    mdy(x.sold),
                    cents(x.proceeds),
                    cents(x.cost),
                    term.to_string(),
                    if report.year >= 2025 { String::new() } else { category.to_string() },
                ])?;
            }
            f.finish()?
        }
        SoftwareFormat::TurboTax => {
            warnings.push(
                "The TurboTax gains CSV layout comes from exporters, not from an Intuit page: check the import.".into(),
            );
            let mut f = CsvFile::new(&["Currency Name", "Purchase Date", "Cost Basis", "Date Sold", "Proceeds"])?;
            for r in &report.rows {
                let x = &r.row;
                f.row(&[x.asset.to_string(), mdy(x.acquired), cents(x.cost), mdy(x.sold), cents(x.proceeds)])?;
            }
            f.finish()?
        }
    };
    Ok(ReportFile { body, summary: warnings.into_iter().map(|w| format!("NOTE: {w}")).collect() })
}
