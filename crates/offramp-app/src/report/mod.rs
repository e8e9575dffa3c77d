//! Tax reports, one module per jurisdiction over one history service ([`crate::history`]): `us` (gains per lot
//! piece, Form 8949, files for tax software), `uk` (same-day, 30-day and Section 104 matching, SA108), `de`
//! (§ 23 EStG, Anlage SO), `ca` (adjusted cost base, Schedule 3), and `income` and `holdings` for all. The tax
//! law itself lives in the core next to its engine (`offramp_core::{us, uk, de, ca}`); the CSV files are written
//! in one place (`csv`).

pub mod ca;
pub mod csv;
pub mod de;
pub mod holdings;
pub mod income;
pub mod pdf;
pub mod uk;
pub mod us;

use std::collections::BTreeMap;

use chrono::Datelike;
use offramp_core::lots::{book_with, Method, PoolId};
use offramp_core::money::round_half_away;
use offramp_core::tax::{Flag, GainRow};
use offramp_core::time::Zone;
use offramp_core::{Amount, Code, Decimal, Jurisdiction, Transaction};
use serde::Serialize;

use crate::history::History;
use crate::session::Progress;
use crate::{AppError, ErrorCode, Session};

pub use holdings::{HoldingRow, HoldingsRequest};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportRow {
    #[serde(flatten)]
    pub row: GainRow,
    /// The account (wallet) the disposal was made from.
    pub account: String,
    /// Where the disposal and the lot came from (file:line).
    pub disposal_source: String,
    pub lot_source: String,
    /// Problems of the disposal's or the lot's transaction.
    pub flags: Vec<Flag>,
    /// The official exchange rates the disposal's and the lot's amounts in other currencies were converted at:
    /// "disposal: ECB reference rate 2024-03-05: 1.0849 USD per EUR"; empty when nothing was converted.
    pub exchange_rates: Vec<String>,
}

/// Gains per lot piece (US, Germany).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GainsReport {
    pub jurisdiction: Jurisdiction,
    pub year: i32,
    pub currency: Code,
    /// The method of this tax year.
    pub method: Method,
    pub pooling: Pooling,
    /// How the CSV names the short and the long class: `short`/`long` (US), `taxable`/`tax-free` (Germany).
    #[cfg_attr(feature = "ts", ts(type = "[string, string]"))]
    pub terms: (&'static str, &'static str),
    /// Rows whose basis or proceeds are unknown (listed first).
    pub unknown_rows: usize,
    /// Sums over the rows whose figures are all known, each row rounded half away from zero to cents first (the
    /// sum of the rows as printed).
    pub short_term_gain: Amount,
    pub long_term_gain: Amount,
    pub rows: Vec<ReportRow>,
}

/// One year's US totals under one method (see [`Session::compare_methods`]).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MethodTotals {
    pub year: i32,
    pub method: Method,
    pub short_term_gain: Amount,
    pub long_term_gain: Amount,
    pub unknown_rows: usize,
}

/// Reads tax years: `2024`, `2022,2024` or `2021-2024` (at most 50 years, 2009 to 2100), in order, each once.
pub fn parse_years(text: &str) -> Result<Vec<i32>, AppError> {
    let invalid = || {
        AppError::new(
            ErrorCode::InvalidInput,
            format!("year: `{}` (a year, a list 2022,2024 or a range 2021-2024)", offramp_core::text::clip(text)),
        )
    };
    let year = |s: &str| s.trim().parse::<i32>().ok().filter(|y| (2009..=2100).contains(y)).ok_or_else(invalid);
    let mut years = std::collections::BTreeSet::new();
    for part in text.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (year(a)?, year(b)?);
                if b < a || b - a >= 50 {
                    return Err(invalid());
                }
                years.extend(a..=b);
            }
            None => {
                years.insert(year(part)?);
            }
        }
    }
    if years.len() > 50 {
        return Err(invalid());
    }
    Ok(years.into_iter().collect())
}

/// Reads a list of methods: `fifo,lifo,hifo`.
pub fn parse_methods(text: &str) -> Result<Vec<Method>, AppError> {
    let mut out = Vec::new();
    for m in text.split(',') {
        let m = parse_method(m.trim())?;
        if !out.contains(&m) {
            out.push(m);
        }
    }
    Ok(out)
}

/// How US lots are pooled across accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Pooling {
    /// All accounts together (universal application) up to 2024, per account from 1 January 2025, the remaining
    /// lots allocated to the accounts that hold the units (Rev. Proc. 2024-28). The default for US reports.
    Transition,
    /// Per account (wallet) for every year.
    PerAccount,
}

/// The booking rules of a report: the method of each tax year and how accounts are pooled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Basis {
    pub default: Method,
    /// Tax years booked with another method than `default`.
    pub by_year: BTreeMap<i32, Method>,
    pub pooling: Pooling,
}

impl Basis {
    /// One method for every year, one pool per account (Germany; and a neutral default for tests).
    pub fn per_account(method: Method) -> Basis {
        Basis { default: method, by_year: Default::default(), pooling: Pooling::PerAccount }
    }

    pub fn method_in(&self, year: i32) -> Method {
        self.by_year.get(&year).copied().unwrap_or(self.default)
    }

    /// Reads a method (`fifo`, or `fifo,2023=hifo,2024=lifo`: a default and methods for given tax years) and a
    /// pooling (`transition` or `per-account`).
    pub fn parse(methods: &str, pooling: &str) -> Result<Basis, AppError> {
        let invalid = |m: String| AppError::new(ErrorCode::InvalidInput, m);
        let mut default = None;
        let mut by_year = BTreeMap::new();
        for part in methods.split(',').map(str::trim) {
            match part.split_once('=') {
                Some((year, m)) => {
                    let y: i32 = year
                        .trim()
                        .parse()
                        .ok()
                        .filter(|y| (2009..=2100).contains(y))
                        .ok_or_else(|| invalid(format!("method: `{year}` is not a tax year")))?;
                    if by_year.insert(y, parse_method(m.trim())?).is_some() {
                        return Err(invalid(format!("method: {y} is given twice")));
                    }
                }
                None if default.is_none() => default = Some(parse_method(part)?),
                None => return Err(invalid("method: give one default method (e.g. fifo,2023=hifo)".into())),
            }
        }
        let pooling = match pooling {
            "transition" => Pooling::Transition,
            "per-account" => Pooling::PerAccount,
            other => {
                return Err(invalid(format!(
                    "pooling: `{}` (transition: all accounts up to 2024 then per account; per-account)",
                    offramp_core::text::clip(other)
                )))
            }
        };
        Ok(Basis { default: default.unwrap_or(Method::Fifo), by_year, pooling })
    }
}

pub fn parse_method(text: &str) -> Result<Method, AppError> {
    match text.to_ascii_lowercase().as_str() {
        "fifo" => Ok(Method::Fifo),
        "lifo" => Ok(Method::Lifo),
        "hifo" => Ok(Method::Hifo),
        other => Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("method: `{other}` is not available for this report (fifo, lifo, hifo)"),
        )),
    }
}

/// How a report reads the ledger: the currency of its figures, the zone of its dates, and the user's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Conventions {
    pub currency: Code,
    pub zone: Zone,
    pub options: offramp_core::tax::Options,
    /// How fiat amounts in other currencies are converted (official rates); `None`: they stay unknown.
    pub rule: Option<offramp_core::fx::RateRule>,
}

impl Conventions {
    pub(crate) fn of(jurisdiction: Jurisdiction, history: &History) -> Conventions {
        Conventions {
            currency: jurisdiction.currency(),
            zone: jurisdiction.zone(),
            options: history.options(jurisdiction),
            rule: Some(offramp_core::fx::RateRule::of(jurisdiction)),
        }
    }

    /// For figures in `currency` outside a tax report (the beancount export): the conventions of the jurisdiction
    /// that reports in it, else UTC dates and the default settings.
    pub(crate) fn for_currency(currency: Code, history: &History) -> Conventions {
        match Jurisdiction::ALL.into_iter().find(|j| j.currency() == currency) {
            Some(j) => Conventions::of(j, history),
            None => Conventions { currency, zone: Zone::Utc, options: Default::default(), rule: None },
        }
    }
}

/// Lot events of `txs` with one pool per account (universal before 2025 under [`Pooling::Transition`]), booked
/// with the method of each tax year. Returns the conversion (flags, income), the booking, and the account name of
/// each pool.
pub(crate) fn book_lots(
    history: &History,
    txs: &[(i64, Transaction)],
    c: Conventions,
    basis: &Basis,
) -> Result<(offramp_core::tax::Conversion, offramp_core::lots::Booking, Vec<String>), AppError> {
    let mut accounts: Vec<String> = Vec::new();
    let mut pool = |name: &str| {
        let i = accounts.iter().position(|n| n == name).unwrap_or_else(|| {
            accounts.push(name.to_string());
            accounts.len() - 1
        });
        PoolId(i as u32)
    };
    let mut conv = history.events(txs, c, &mut pool);
    if basis.pooling == Pooling::Transition {
        let cutoff = offramp_core::us::per_account_from();
        conv.events = offramp_core::tax::universal_before(std::mem::take(&mut conv.events), cutoff).map_err(|e| {
            let account = offramp_core::text::clip(accounts.get(e.pool as usize).map(String::as_str).unwrap_or(""));
            let message = format!(
                "account {account} sells or sends more {} than it holds (its balance goes to {} {}) before \
                 per-account basis began (1 January 2025): an import is missing or a transfer is not confirmed. \
                 Source: {}",
                e.asset,
                e.qty,
                e.asset,
                history.describe(e.event)
            );
            AppError::new(ErrorCode::InvalidInput, message)
        })?;
    }
    let booking = book_with(&conv.events, &|t| basis.method_in(t.date_in(c.zone).year()))
        .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("{e}. Source: {}", history.describe(e.event()))))?;
    Ok((conv, booking, accounts))
}

/// Money in reports: rounded half away from zero to cents, always two decimals; `UNKNOWN` when unknown.
pub fn cents(v: Option<Decimal>) -> String {
    v.map(|v| round_half_away(v, 2).to_string()).unwrap_or_else(|| "UNKNOWN".into())
}

/// A fiat figure as shown to the user: rounded half away from zero to cents.
pub fn fiat(v: Decimal) -> String {
    round_half_away(v, 2).to_string()
}

/// A report file ready to be written (to a new file, or to standard output), with the lines that sum it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReportFile {
    #[cfg_attr(feature = "ts", ts(skip))]
    #[serde(skip)]
    pub body: Vec<u8>,
    /// What the file holds, and warnings about it (unknown figures first).
    pub summary: Vec<String>,
}

impl Session {
    /// A readable PDF of `jurisdiction`'s tax report for `year` (US: Form 8949 and Schedule D, with `basis` and
    /// `reported`; UK: the computation and SA108; Germany: the sales and Anlage SO; Canada: Schedule 3), with a
    /// summary page listing every unknown figure first. `today` is printed on it.
    pub fn report_pdf(
        &self,
        jurisdiction: Jurisdiction,
        year: i32,
        basis: &Basis,
        reported: offramp_core::us::Reported,
        today: chrono::NaiveDate,
        progress: Progress,
    ) -> Result<ReportFile, AppError> {
        Ok(match jurisdiction {
            Jurisdiction::Us => {
                let r = self.us_gains(year, basis, progress)?;
                pdf::us(&r, &us::Form8949::of(&r, reported), today)
            }
            Jurisdiction::Uk => pdf::uk(&self.uk_gains(year, progress)?, today),
            Jurisdiction::De => pdf::de(&self.de_gains(year, progress)?, today),
            Jurisdiction::Ca => pdf::ca(&self.ca_gains(year, progress)?, today),
        })
    }

    /// Realized gains of several tax years as one CSV (one header, the years in order, each year's unknown rows
    /// first within it); with more than one year the summary lines say their year. See [`parse_years`]. US and
    /// German years come from one booking of the history.
    pub fn gains_file_years(
        &self,
        jurisdiction: Jurisdiction,
        years: &[i32],
        basis: &Basis,
        progress: Progress,
    ) -> Result<ReportFile, AppError> {
        let files: Vec<ReportFile> = match jurisdiction {
            Jurisdiction::Us => gains_years(&*self.history(progress)?, jurisdiction, years, basis)?
                .iter()
                .map(us::gains_file)
                .collect::<Result<_, _>>()?,
            Jurisdiction::De => gains_years(&*self.history(progress)?, jurisdiction, years, &de::BASIS)?
                .into_iter()
                .map(|r| de::gains_file(&de::report(r)))
                .collect::<Result<_, _>>()?,
            Jurisdiction::Uk => {
                years.iter().map(|y| uk::gains_file(&self.uk_gains(*y, progress)?)).collect::<Result<_, _>>()?
            }
            Jurisdiction::Ca => {
                years.iter().map(|y| ca::gains_file(&self.ca_gains(*y, progress)?)).collect::<Result<_, _>>()?
            }
        };
        let mut body = Vec::new();
        let mut summary = Vec::new();
        for (i, (year, f)) in years.iter().zip(files).enumerate() {
            // The header once: each later file from its second line on (a header holds no line break).
            let rows = match i {
                0 => &f.body[..],
                _ => f.body.iter().position(|b| *b == b'\n').map(|n| &f.body[n + 1..]).unwrap_or(&[]),
            };
            body.extend_from_slice(rows);
            match years.len() {
                1 => summary = f.summary,
                _ => {
                    let label = jurisdiction.tax_year_label(*year);
                    summary.extend(f.summary.into_iter().map(|l| format!("{label}: {l}")));
                }
            }
        }
        Ok(ReportFile { body, summary })
    }

    /// The US totals of every year in `years` under each method in `methods` (with `pooling`), to choose a method:
    /// short- and long-term gains (sums of the printed rows) and the rows left unknown. One booking per method.
    pub fn compare_methods(
        &self,
        years: &[i32],
        methods: &[Method],
        pooling: Pooling,
        progress: Progress,
    ) -> Result<Vec<MethodTotals>, AppError> {
        let history = self.history(progress)?;
        let mut out = Vec::new();
        for method in methods {
            let basis = Basis { default: *method, by_year: Default::default(), pooling };
            for r in gains_years(&history, Jurisdiction::Us, years, &basis)? {
                out.push(MethodTotals {
                    year: r.year,
                    method: *method,
                    short_term_gain: r.short_term_gain,
                    long_term_gain: r.long_term_gain,
                    unknown_rows: r.unknown_rows,
                });
            }
        }
        out.sort_by_key(|t| t.year);
        Ok(out)
    }

    /// Realized gains of `year` as CSV in `jurisdiction`'s terms: one row per lot piece (US, with `basis`;
    /// Germany), per disposal day and rule (UK, the tax year starting 6 April), per disposal (Canada).
    pub fn gains_file(
        &self,
        jurisdiction: Jurisdiction,
        year: i32,
        basis: &Basis,
        progress: Progress,
    ) -> Result<ReportFile, AppError> {
        self.gains_file_years(jurisdiction, &[year], basis, progress)
    }
}

/// Gains per lot piece for disposals in tax `year` of `jurisdiction` (calendar years; US and Germany).
pub(crate) fn gains(
    history: &History,
    jurisdiction: Jurisdiction,
    year: i32,
    basis: &Basis,
) -> Result<GainsReport, AppError> {
    let mut reports = gains_years(history, jurisdiction, &[year], basis)?;
    reports.pop().ok_or_else(|| AppError::new(ErrorCode::Internal, "no report for the year"))
}

/// [`gains`] for each of `years`, from one booking of the history. When the whole history cannot be booked
/// because of a problem after a year (an account that sold more than it held, say), that year stays reportable:
/// the history up to its end is booked instead (a later event never changes an earlier disposal's lots). A
/// problem in or before the year stops its report with the error.
pub(crate) fn gains_years(
    history: &History,
    jurisdiction: Jurisdiction,
    years: &[i32],
    basis: &Basis,
) -> Result<Vec<GainsReport>, AppError> {
    let c = Conventions::of(jurisdiction, history);
    let whole = history.booked(c, basis, || {
        book_lots(history, &history.txs, c, basis).map(|(mut conv, booking, accounts)| {
            // What the rows need of the conversion is its flags and fees; the events were only the booking's input.
            conv.events = Vec::new();
            (conv, booking, accounts)
        })
    });
    years
        .iter()
        .map(|&year| match &*whole {
            Ok((conv, booking, _)) => Ok(gains_of(history, jurisdiction, year, basis, c, conv, booking)),
            Err(e) => {
                let last = jurisdiction.tax_year(year).map(|(_, last)| last).ok_or_else(|| e.clone())?;
                let cut = history.txs.partition_point(|(_, t)| t.timestamp.date_in(c.zone) <= last);
                if cut == history.txs.len() {
                    return Err(e.clone());
                }
                let (conv, booking, _) = book_lots(history, &history.txs[..cut], c, basis)?;
                Ok(gains_of(history, jurisdiction, year, basis, c, &conv, &booking))
            }
        })
        .collect()
}

/// One year's rows and totals from a booking.
fn gains_of(
    history: &History,
    jurisdiction: Jurisdiction,
    year: i32,
    basis: &Basis,
    c: Conventions,
    conv: &offramp_core::tax::Conversion,
    booking: &offramp_core::lots::Booking,
) -> GainsReport {
    let rows: Vec<ReportRow> = offramp_core::tax::gain_rows_with(booking, year, c.zone, &conv.excess_fees)
        .into_iter()
        .map(|row| {
            let mut flags = conv.flags.get(&row.disposal).cloned().unwrap_or_default();
            for f in conv.flags.get(&row.lot).into_iter().flatten() {
                if !flags.contains(f) {
                    flags.push(f.clone());
                }
            }
            let exchange_rates = [("disposal", row.disposal), ("lot", row.lot)]
                .into_iter()
                .filter_map(|(what, id)| conv.rates.get(&id).map(|r| format!("{what}: {}", r.describe())))
                .collect();
            ReportRow {
                exchange_rates,
                account: history.account_of(row.disposal),
                disposal_source: history.source(row.disposal),
                lot_source: history.source(row.lot),
                flags,
                row,
            }
        })
        .collect();
    // Totals are the sums of the rows as printed (each rounded half away from zero to cents): what a reader adds
    // up on paper is what the report says.
    let sum = |term| -> Decimal {
        rows.iter().filter(|r| r.row.term == term).filter_map(|r| r.row.gain).map(|g| round_half_away(g, 2)).sum()
    };
    let currency = c.currency;
    GainsReport {
        jurisdiction,
        year,
        currency,
        method: basis.method_in(year),
        pooling: basis.pooling,
        terms: ("short", "long"),
        unknown_rows: rows.iter().filter(|r| r.row.gain.is_none()).count(),
        short_term_gain: Amount::new(sum(offramp_core::holding::Term::Short), currency).round_to_minor_units(),
        long_term_gain: Amount::new(sum(offramp_core::holding::Term::Long), currency).round_to_minor_units(),
        rows,
    }
}

/// The per-disposal gains CSV: one row per lot piece, money rounded half away from zero to cents, unknown
/// figures written `UNKNOWN` (and those rows first).
pub fn gains_csv(report: &GainsReport) -> Result<Vec<u8>, AppError> {
    gains_csv_with_wallet(report, false)
}

/// [`gains_csv`], with a `wallet` column (the account the disposal was made from) after `lot_source` where the
/// report is per wallet (Germany: FIFO per wallet, BMF Rz. 61-62, and the Rz. 102 details).
pub fn gains_csv_with_wallet(report: &GainsReport, wallet: bool) -> Result<Vec<u8>, AppError> {
    let c = report.currency;
    let mut header = vec![
        "date_acquired".to_string(),
        "date_sold".into(),
        "asset".into(),
        "quantity".into(),
        format!("proceeds_{c}"),
        format!("cost_basis_{c}"),
        format!("gain_{c}"),
        "term".into(),
        "matching_rule".into(),
        "lot_id".into(),
        "disposal_id".into(),
        "disposal_source".into(),
        "lot_source".into(),
        "flags".into(),
        "exchange_rates".into(),
    ];
    if wallet {
        header.insert(13, "wallet".into());
    }
    let mut f = csv::CsvFile::new(&header)?;
    let rule = report.method.label();
    for r in &report.rows {
        let flags: Vec<&str> = r.flags.iter().map(Flag::as_str).collect();
        let term = match r.row.term {
            offramp_core::holding::Term::Short => report.terms.0,
            offramp_core::holding::Term::Long => report.terms.1,
        };
        let mut cells = vec![
            r.row.acquired.to_string(),
            r.row.sold.to_string(),
            r.row.asset.to_string(),
            r.row.qty.normalize().to_string(),
            cents(r.row.proceeds),
            cents(r.row.cost),
            cents(r.row.gain),
            term.to_string(),
            rule.to_string(),
            r.row.lot.to_string(),
            r.row.disposal.to_string(),
            r.disposal_source.clone(),
            r.lot_source.clone(),
            flags.join(" "),
            r.exchange_rates.join("; "),
        ];
        if wallet {
            cells.insert(13, r.account.clone());
        }
        f.row(&cells)?;
    }
    f.finish()
}
