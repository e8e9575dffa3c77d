//! Tax reports. Today: the US per-disposal gains report (FIFO, LIFO or HIFO over per-account pools).

use std::collections::HashMap;

use chrono::Datelike;
use offramp_core::lots::{book_with, Method, PoolId};
use offramp_core::money::round_half_away;
use offramp_core::tax::{gain_rows, to_events_with, Flag, GainRow, TransferFee};
use offramp_core::time::Zone;
use offramp_core::{Amount, Code, Decimal};
use offramp_store::{Ledger, TxFilter};
use serde::Serialize;

use crate::ledger::Key;
use crate::{AppError, Config, ErrorCode};

#[derive(Debug, Clone, Serialize)]
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
}

#[derive(Debug, Clone, Serialize)]
pub struct GainsReport {
    pub year: i32,
    pub currency: Code,
    /// The method of this tax year.
    pub method: Method,
    pub pooling: Pooling,
    /// How the CSV names the short and the long class: `short`/`long` (US), `taxable`/`tax-free` (Germany).
    pub terms: (&'static str, &'static str),
    /// Rows whose basis or proceeds are unknown (listed first).
    pub unknown_rows: usize,
    /// Sums over the rows whose figures are all known, rounded half away from zero to cents.
    pub short_term_gain: Amount,
    pub long_term_gain: Amount,
    pub rows: Vec<ReportRow>,
}

/// How US lots are pooled across accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pooling {
    /// All accounts together (universal application) up to 2024, per account from 1 January 2025, the remaining
    /// lots allocated to the accounts that hold the units (Rev. Proc. 2024-28). The default for US reports.
    Transition,
    /// Per account (wallet) for every year.
    PerAccount,
}

/// The first instant of per-account basis in the US (Treas. Reg. §1.1012-1(j)): 1 January 2025, UTC for now.
pub fn us_per_account_from() -> offramp_core::Timestamp {
    offramp_core::Timestamp::parse_rfc3339("2025-01-01T00:00:00Z").expect("a valid instant")
}

/// The booking rules of a report: the method of each tax year and how accounts are pooled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Basis {
    pub default: Method,
    /// Tax years booked with another method than `default`.
    pub by_year: std::collections::BTreeMap<i32, Method>,
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

    /// Reads `--method` (`fifo`, or `fifo,2023=hifo,2024=lifo`: a default and methods for given tax years) and
    /// `--pooling` (`transition` or `per-account`).
    pub fn parse(methods: &str, pooling: &str) -> Result<Basis, AppError> {
        let invalid = |m: String| AppError::new(ErrorCode::InvalidInput, m);
        let mut default = None;
        let mut by_year = std::collections::BTreeMap::new();
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

/// The ledger's transactions in time order, their sources (file:line) and the confirmed own transfers.
pub(crate) struct History {
    pub(crate) txs: Vec<(i64, offramp_core::Transaction)>,
    pub(crate) sources: HashMap<i64, String>,
    links: Vec<(i64, i64)>,
    /// Transaction id → index in `txs`.
    index: HashMap<i64, usize>,
    /// The user's transfer-fee treatment per jurisdiction (`us`, `uk`, `de`), where set.
    transfer_fee: HashMap<String, TransferFee>,
}

impl History {
    /// The conventions for reports in `currency` (USD: the US, GBP: the UK, EUR: Germany).
    fn options(&self, currency: Code) -> offramp_core::tax::Options {
        let jurisdiction = match currency.as_str() {
            "USD" => "us",
            "GBP" => "uk",
            _ => "de",
        };
        offramp_core::tax::Options { transfer_fee: self.transfer_fee.get(jurisdiction).copied().unwrap_or_default() }
    }
}

/// Where a report's dates are taken: the UK (GBP) in Europe/London, Germany (EUR) in Europe/Berlin, the US in
/// UTC (a US taxpayer's own time zone is not yet a setting).
pub(crate) fn zone_of(currency: Code) -> Zone {
    match currency.as_str() {
        "GBP" => Zone::London,
        "EUR" => Zone::Berlin,
        _ => Zone::Utc,
    }
}

/// Jurisdictions whose reports have settings.
pub const JURISDICTIONS: [&str; 3] = ["us", "uk", "de"];

/// Reads a transfer-fee treatment (`disposal` or `basis`).
pub fn parse_transfer_fee(text: &str) -> Result<TransferFee, AppError> {
    match text {
        "disposal" => Ok(TransferFee::Disposal),
        "basis" => Ok(TransferFee::Basis),
        other => Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("transfer fee: `{}` (disposal or basis)", offramp_core::text::clip(other)),
        )),
    }
}

/// Sets how the network fee of an own transfer is treated in `jurisdiction`'s reports.
pub fn set_transfer_fee(config: &Config, key: &Key, jurisdiction: &str, treatment: &str) -> Result<(), AppError> {
    if !JURISDICTIONS.contains(&jurisdiction) {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("jurisdiction: `{}` (us, uk, de)", offramp_core::text::clip(jurisdiction)),
        ));
    }
    let t = parse_transfer_fee(treatment)?;
    let value = if t == TransferFee::Basis { "basis" } else { "disposal" };
    Ledger::open(&config.ledger_path()?, key)?.set_setting(&format!("transfer_fee.{jurisdiction}"), value)?;
    Ok(())
}

/// The transfer-fee treatment of every jurisdiction (the default where not set).
pub fn transfer_fees(config: &Config, key: &Key) -> Result<Vec<(String, TransferFee, bool)>, AppError> {
    let ledger = Ledger::open(&config.ledger_path()?, key)?;
    let mut out = Vec::new();
    for j in JURISDICTIONS {
        let set = ledger.setting(&format!("transfer_fee.{j}"))?;
        let t = match &set {
            Some(v) => parse_transfer_fee(v)?,
            None => TransferFee::default(),
        };
        out.push((j.to_string(), t, set.is_some()));
    }
    Ok(out)
}

impl History {
    fn account_of(&self, id: i64) -> String {
        self.index.get(&id).map(|&i| self.txs[i].1.account.clone()).unwrap_or_default()
    }
}

pub(crate) fn load(config: &Config, key: &Key) -> Result<History, AppError> {
    load_from(&Ledger::open(&config.ledger_path()?, key)?)
}

/// The history of an open ledger: every transaction in time order with its source, confirmed transfers and the
/// user's report settings.
pub(crate) fn load_from(ledger: &Ledger) -> Result<History, AppError> {
    let (mut txs, mut sources, mut index) = (Vec::new(), HashMap::new(), HashMap::new());
    ledger.each_transaction(&TxFilter::default(), &mut |r| {
        sources.insert(r.id, format!("{}:{}", r.source_file, r.source_line));
        index.insert(r.id, txs.len());
        txs.push((r.id, r.tx));
        Ok(())
    })?;
    let mut transfer_fee = HashMap::new();
    for j in JURISDICTIONS {
        if let Some(v) = ledger.setting(&format!("transfer_fee.{j}"))? {
            transfer_fee.insert(j.to_string(), parse_transfer_fee(&v)?);
        }
    }
    Ok(History { txs, sources, links: ledger.confirmed_transfers()?, index, transfer_fee })
}

/// Lot events of `txs` in `currency` with one pool per account (universal before 2025 under
/// [`Pooling::Transition`]), booked with the method of each tax year. Returns the conversion (flags, income), the
/// booking, and the account name of each pool.
pub(crate) fn book_lots(
    history: &History,
    txs: &[(i64, offramp_core::Transaction)],
    currency: Code,
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
    let mut conv = to_events_with(txs, &history.links, currency, &mut pool, history.options(currency));
    if basis.pooling == Pooling::Transition {
        let cutoff = us_per_account_from();
        conv.events = offramp_core::tax::universal_before(std::mem::take(&mut conv.events), cutoff).map_err(|e| {
            let account = accounts.get(e.pool as usize).cloned().unwrap_or_default();
            AppError::new(
                ErrorCode::InvalidInput,
                format!(
                    "at the move to per-account basis (1 January 2025) account {} holds {} {}: a negative \
                     balance (an import is missing or a transfer is not confirmed)",
                    offramp_core::text::clip(&account),
                    e.qty,
                    e.asset
                ),
            )
        })?;
    }
    let zone = zone_of(currency);
    let booking = book_with(&conv.events, &|t| basis.method_in(t.date_in(zone).year())).map_err(|e| {
        AppError::new(ErrorCode::InvalidInput, format!("{e}. Source: {}", source_of(&e, &history.sources)))
    })?;
    Ok((conv, booking, accounts))
}

/// The US gains report for `year`: every disposal split into the lot pieces it consumed, with term, proceeds,
/// basis and gain in USD. Lots are tracked per account.
pub fn us_gains(config: &Config, key: &Key, year: i32, basis: &Basis) -> Result<GainsReport, AppError> {
    gains(config, key, year, Code::parse("USD").expect("USD is a code"), basis)
}

/// Gains per lot piece in `currency`, lots tracked per account (wallet), for disposals in calendar `year`.
pub fn gains(config: &Config, key: &Key, year: i32, currency: Code, basis: &Basis) -> Result<GainsReport, AppError> {
    let history = load(config, key)?;
    let (conv, booking, _) = book_lots(&history, &history.txs, currency, basis)?;
    let rows: Vec<ReportRow> = gain_rows(&booking, year, zone_of(currency))
        .into_iter()
        .map(|row| {
            let mut flags = conv.flags.get(&row.disposal).cloned().unwrap_or_default();
            for f in conv.flags.get(&row.lot).into_iter().flatten() {
                if !flags.contains(f) {
                    flags.push(f.clone());
                }
            }
            ReportRow {
                account: history.account_of(row.disposal),
                disposal_source: history.sources.get(&row.disposal).cloned().unwrap_or_default(),
                lot_source: history.sources.get(&row.lot).cloned().unwrap_or_default(),
                flags,
                row,
            }
        })
        .collect();
    let sum = |term| -> Decimal { rows.iter().filter(|r| r.row.term == term).filter_map(|r| r.row.gain).sum() };
    Ok(GainsReport {
        year,
        currency,
        method: basis.method_in(year),
        pooling: basis.pooling,
        terms: ("short", "long"),
        unknown_rows: rows.iter().filter(|r| r.row.gain.is_none()).count(),
        short_term_gain: Amount::new(sum(offramp_core::holding::Term::Short), currency).round_to_minor_units(),
        long_term_gain: Amount::new(sum(offramp_core::holding::Term::Long), currency).round_to_minor_units(),
        rows,
    })
}

/// Germany's private sales (§ 23 EStG) in calendar `year`: FIFO per wallet in EUR on Berlin dates; rows held one
/// year or less are `taxable`, the others `tax-free`.
pub fn de_gains(config: &Config, key: &Key, year: i32) -> Result<GainsReport, AppError> {
    let eur = Code::parse("EUR").expect("EUR is a code");
    let mut r = gains(config, key, year, eur, &Basis::per_account(Method::Fifo))?;
    r.terms = ("taxable", "tax-free");
    Ok(r)
}

/// Germany's Freigrenze for private sales in a calendar year: gains stay tax-free if their total is **less**
/// than this (EUR 600 up to 2023, EUR 1,000 from 2024; § 23 Abs. 3 EStG, BMF 06.03.2025 Rz. 53). It is a
/// cliff, not an allowance.
pub fn de_freigrenze(year: i32) -> Decimal {
    if year >= 2024 {
        Decimal::from(1000)
    } else {
        Decimal::from(600)
    }
}

fn source_of(e: &offramp_core::lots::LotError, sources: &HashMap<i64, String>) -> String {
    use offramp_core::lots::LotError as L;
    let id = match e {
        L::Oversold { event, .. }
        | L::NonPositive { event, .. }
        | L::Negative { event }
        | L::OutOfOrder { event }
        | L::UnknownLot { event, .. }
        | L::LotTooSmall { event, .. }
        | L::PickMismatch { event, .. }
        | L::DuplicateLot { event, .. }
        | L::PickNotAllowed { event }
        | L::MethodMix { event } => *event,
    };
    sources.get(&id).cloned().map(|s| format!("transaction {id} ({s})")).unwrap_or_else(|| format!("transaction {id}"))
}

/// Money in reports: rounded half away from zero to cents, always two decimals; `UNKNOWN` when unknown.
pub fn cents(v: Option<Decimal>) -> String {
    v.map(|v| round_half_away(v, 2).to_string()).unwrap_or_else(|| "UNKNOWN".into())
}

/// The per-disposal gains CSV: one row per lot piece, money rounded half away from zero to cents, unknown
/// figures written `UNKNOWN` (and those rows first).
pub fn write_gains_csv(report: &GainsReport, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    writeln!(out, "date_acquired,date_sold,asset,quantity,proceeds_{c},cost_basis_{c},gain_{c},term,matching_rule,lot_id,disposal_id,disposal_source,lot_source,flags", c = report.currency)?;
    let rule = match report.method {
        Method::Fifo => "FIFO",
        Method::Lifo => "LIFO",
        Method::Hifo => "HIFO",
        Method::Average => "AVERAGE",
    };
    for r in &report.rows {
        let flags: Vec<String> = r
            .flags
            .iter()
            .map(|f| serde_json::to_value(f).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default())
            .collect();
        let term = match r.row.term {
            offramp_core::holding::Term::Short => report.terms.0,
            offramp_core::holding::Term::Long => report.terms.1,
        };
        let quote =
            |s: &str| if s.contains([',', '"']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() };
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            r.row.acquired,
            r.row.sold,
            r.row.asset,
            r.row.qty,
            cents(r.row.proceeds),
            cents(r.row.cost),
            cents(r.row.gain),
            term,
            rule,
            r.row.lot,
            r.row.disposal,
            quote(&r.disposal_source),
            quote(&r.lot_source),
            flags.join(" ")
        )?;
    }
    Ok(())
}

/// One UK disposal day of one token, with its matching and SA108-relevant figures.
#[derive(Debug, Clone, Serialize)]
pub struct UkRow {
    pub asset: Code,
    #[serde(flatten)]
    pub disposal: offramp_core::uk::UkDisposal,
    pub sources: Vec<String>,
}

/// The SA108 capital gains figures for cryptoassets, from the rows whose figures are all known.
#[derive(Debug, Clone, Serialize)]
pub struct Sa108 {
    pub disposals: usize,
    pub proceeds: Amount,
    pub allowable_costs: Amount,
    pub gains: Amount,
    pub losses: Amount,
}

#[derive(Debug, Clone, Serialize)]
pub struct UkReport {
    /// The tax year starting 6 April of this year.
    pub tax_year_start: i32,
    pub rows: Vec<UkRow>,
    /// Rows whose proceeds or allowable cost are unknown (listed first).
    pub unknown_rows: usize,
    pub sa108: Sa108,
}

/// Every token's events for UK matching: one pool per person, whatever the account; moves between the
/// person's own accounts do not change it.
fn uk_events(history: &History) -> std::collections::BTreeMap<Code, Vec<offramp_core::uk::UkEvent>> {
    let gbp = Code::parse("GBP").expect("GBP is a code");
    let conv = to_events_with(&history.txs, &history.links, gbp, &mut |_| PoolId(0), history.options(gbp));
    let mut by_asset: std::collections::BTreeMap<Code, Vec<offramp_core::uk::UkEvent>> = Default::default();
    for e in &conv.events {
        use offramp_core::lots::Event as E;
        use offramp_core::uk::UkEvent as U;
        match e {
            E::Acquire { lot, asset, time, qty, cost, .. } => by_asset.entry(*asset).or_default().push(U::Acquire {
                id: *lot,
                date: time.date_in(Zone::London),
                qty: *qty,
                cost: *cost,
            }),
            E::Dispose { id, asset, time, qty, proceeds, .. } => by_asset.entry(*asset).or_default().push(U::Dispose {
                id: *id,
                date: time.date_in(Zone::London),
                qty: *qty,
                proceeds: *proceeds,
            }),
            E::Move { .. } => {}
        }
    }
    by_asset
}

/// What the tax rules see of `asset` held at the end of `date` in a history read from the ledger: US lots per
/// account (booked with `basis`), German lots per wallet (FIFO), the UK's Section 104 pool as one lot. In the
/// jurisdiction's currency.
pub(crate) fn held_lots(
    history: &History,
    asset: Code,
    date: chrono::NaiveDate,
    jurisdiction: offramp_core::taxplan::Jurisdiction,
    basis: &Basis,
) -> Result<Vec<offramp_core::taxplan::HeldLot>, AppError> {
    use offramp_core::taxplan::{HeldLot, Jurisdiction as J};
    let currency = jurisdiction.currency();
    if jurisdiction == J::Uk {
        let events: Vec<_> = uk_events(history)
            .remove(&asset)
            .unwrap_or_default()
            .into_iter()
            .filter(|e| match e {
                offramp_core::uk::UkEvent::Acquire { date: d, .. }
                | offramp_core::uk::UkEvent::Dispose { date: d, .. } => *d <= date,
            })
            .collect();
        let (_, pool) = offramp_core::uk::uk_match(&events)
            .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("{asset}: {e}")))?;
        if pool.qty.is_zero() {
            return Ok(Vec::new());
        }
        return Ok(vec![HeldLot {
            account: "Section 104 pool".into(),
            lot: 0,
            acquired: date,
            qty: pool.qty,
            cost: pool.cost,
        }]);
    }
    let de = Basis::per_account(Method::Fifo);
    let basis = if jurisdiction == J::De { &de } else { basis };
    Ok(holdings_in(history, date, currency, basis, &HashMap::new())?
        .into_iter()
        .filter(|h| h.asset == asset)
        .map(|h| HeldLot { account: h.account, lot: h.lot, acquired: h.acquired, qty: h.qty, cost: h.cost })
        .collect())
}

/// The UK computation for the tax year 6 April `start` – 5 April `start + 1`: each token's disposals matched
/// by the same-day, 30-day and Section 104 rules (all accounts together), in GBP, on UK (Europe/London) dates.
pub fn uk_gains(config: &Config, key: &Key, start: i32) -> Result<UkReport, AppError> {
    let history = load(config, key)?;
    let by_asset = uk_events(&history);
    let sources = &history.sources;
    let gbp = Code::parse("GBP").expect("GBP is a code");
    let first = chrono::NaiveDate::from_ymd_opt(start, 4, 6)
        .ok_or_else(|| AppError::new(ErrorCode::InvalidInput, format!("year: {start} is out of range")))?;
    let last = chrono::NaiveDate::from_ymd_opt(start + 1, 4, 5)
        .ok_or_else(|| AppError::new(ErrorCode::InvalidInput, format!("year: {start} is out of range")))?;
    let mut rows = Vec::new();
    for (asset, events) in by_asset {
        let (disposals, _pool) = offramp_core::uk::uk_match(&events)
            .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("{asset}: {e}")))?;
        for d in disposals.into_iter().filter(|d| d.date >= first && d.date <= last) {
            let srcs = d.ids.iter().map(|i| sources.get(i).cloned().unwrap_or_default()).collect();
            rows.push(UkRow { asset, disposal: d, sources: srcs });
        }
    }
    rows.sort_by_key(|r| (r.disposal.gain.is_some(), r.disposal.date, r.asset));
    let known: Vec<&UkRow> = rows.iter().filter(|r| r.disposal.gain.is_some()).collect();
    let total =
        |f: &dyn Fn(&UkRow) -> Decimal| Amount::new(known.iter().map(|r| f(r)).sum(), gbp).round_to_minor_units();
    let sa108 = Sa108 {
        disposals: rows.len(),
        proceeds: total(&|r| r.disposal.proceeds.unwrap_or_default()),
        allowable_costs: total(&|r| r.disposal.cost.unwrap_or_default()),
        gains: total(&|r| r.disposal.gain.unwrap_or_default().max(Decimal::ZERO)),
        losses: total(&|r| (-r.disposal.gain.unwrap_or_default()).max(Decimal::ZERO)),
    };
    Ok(UkReport { tax_year_start: start, unknown_rows: rows.len() - known.len(), rows, sa108 })
}

/// What the seller received from brokers for the year's digital-asset sales (tax years 2025 on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reported {
    /// No Form 1099-DA: boxes I / L (C / F before 2025).
    None,
    /// A 1099-DA showing cost basis: boxes G / J.
    WithBasis,
    /// A 1099-DA without basis: boxes H / K.
    WithoutBasis,
}

pub fn parse_reported(text: &str) -> Result<Reported, AppError> {
    match text {
        "none" => Ok(Reported::None),
        "with-basis" => Ok(Reported::WithBasis),
        "without-basis" => Ok(Reported::WithoutBasis),
        other => Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("reported: `{other}` (none, with-basis, without-basis)"),
        )),
    }
}

/// The Form 8949 check box for a row.
pub fn box_for(year: i32, term: offramp_core::holding::Term, reported: Reported) -> char {
    use offramp_core::holding::Term::*;
    match (year >= 2025, term, reported) {
        (false, Short, _) => 'C',
        (false, Long, _) => 'F',
        (true, Short, Reported::WithBasis) => 'G',
        (true, Short, Reported::WithoutBasis) => 'H',
        (true, Short, Reported::None) => 'I',
        (true, Long, Reported::WithBasis) => 'J',
        (true, Long, Reported::WithoutBasis) => 'K',
        (true, Long, Reported::None) => 'L',
    }
}

/// Schedule D line for a Form 8949 box (2025 wording: "Box A or Box G", ...).
pub fn schedule_d_line(b: char) -> &'static str {
    match b {
        'A' | 'G' => "1b",
        'B' | 'H' => "2",
        'C' | 'I' => "3",
        'D' | 'J' => "8b",
        'E' | 'K' => "9",
        _ => "10",
    }
}

fn to_cents(v: Decimal) -> Decimal {
    round_half_away(v, 2)
}

/// Form 8949 rows (columns a–h with part and box) as CSV, then Schedule D totals per line as text to `totals`.
/// Row amounts are exact cents (half away from zero); each total is the sum of its rows as printed. Rows with an
/// unknown basis or proceeds are written `UNKNOWN` first and left out of the totals: they must be resolved
/// before filing.
pub fn write_8949(
    report: &GainsReport,
    reported: Reported,
    out: &mut dyn std::io::Write,
    totals: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    use std::collections::BTreeMap;
    writeln!(
        out,
        "part,box,a_description,b_date_acquired,c_date_sold,d_proceeds,e_cost_basis,f_code,g_adjustment,h_gain_or_loss"
    )?;
    let mut sums: BTreeMap<(char, &str), (Decimal, Decimal, Decimal)> = BTreeMap::new();
    let mdy = |d: chrono::NaiveDate| d.format("%m/%d/%Y").to_string();
    // Unknown rows first (they block filing), then box by box (Part I before Part II), by date sold.
    let mut rows: Vec<&ReportRow> = report.rows.iter().collect();
    rows.sort_by_key(|r| {
        (r.row.gain.is_some(), box_for(report.year, r.row.term, reported), r.row.sold, r.row.acquired)
    });
    for r in rows {
        let row = &r.row;
        let b = box_for(report.year, row.term, reported);
        let part = match row.term {
            offramp_core::holding::Term::Short => "I",
            offramp_core::holding::Term::Long => "II",
        };
        let (d, e) = (row.proceeds.map(to_cents), row.cost.map(to_cents));
        let h = d.zip(e).map(|(d, e)| d - e);
        let show = |v: Option<Decimal>| v.map(|v| v.to_string()).unwrap_or_else(|| "UNKNOWN".into());
        writeln!(
            out,
            "{part},{b},{} {},{},{},{},{},,,{}",
            row.qty,
            row.asset,
            mdy(row.acquired),
            mdy(row.sold),
            show(d),
            show(e),
            show(h)
        )?;
        if let (Some(d), Some(e), Some(h)) = (d, e, h) {
            let s = sums.entry((b, schedule_d_line(b))).or_default();
            s.0 += d;
            s.1 += e;
            s.2 += h;
        }
    }
    if report.unknown_rows > 0 {
        writeln!(totals, "WARNING: {} row(s) have an unknown basis or proceeds; resolve them before filing. They are not in the totals.", report.unknown_rows)?;
    }
    for ((b, line), (d, e, h)) in sums {
        writeln!(
            totals,
            "Schedule D line {line} (Form 8949 box {b}): proceeds {d}, cost {e}, adjustments 0.00, gain or (loss) {h}"
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use offramp_core::holding::Term;

    #[test]
    fn form_8949_boxes_by_year_term_and_1099_da() {
        assert_eq!(box_for(2024, Term::Short, Reported::WithBasis), 'C', "before 2025 crypto goes in C/F");
        assert_eq!(box_for(2024, Term::Long, Reported::None), 'F');
        assert_eq!(box_for(2025, Term::Short, Reported::WithBasis), 'G');
        assert_eq!(box_for(2025, Term::Short, Reported::WithoutBasis), 'H');
        assert_eq!(box_for(2025, Term::Short, Reported::None), 'I');
        assert_eq!(box_for(2025, Term::Long, Reported::WithBasis), 'J');
        assert_eq!(box_for(2025, Term::Long, Reported::WithoutBasis), 'K');
        assert_eq!(box_for(2026, Term::Long, Reported::None), 'L');
        let lines: Vec<&str> = "ABCDEFGHIJKL".chars().map(schedule_d_line).collect();
        assert_eq!(lines, ["1b", "2", "3", "8b", "9", "10", "1b", "2", "3", "8b", "9", "10"]);
        assert!(parse_reported("maybe").is_err());
    }
}

/// One lot still held at a date, valued at the given price.
#[derive(Debug, Clone, Serialize)]
pub struct HoldingRow {
    pub account: String,
    pub asset: Code,
    pub lot: i64,
    pub acquired: chrono::NaiveDate,
    #[serde(with = "offramp_core::money::decimal_str")]
    pub qty: Decimal,
    #[serde(with = "offramp_core::money::decimal_str::option")]
    pub cost: Option<Decimal>,
    /// Quantity × the given price; `None` when no price was given for the asset.
    #[serde(with = "offramp_core::money::decimal_str::option")]
    pub value: Option<Decimal>,
    #[serde(with = "offramp_core::money::decimal_str::option")]
    pub unrealized: Option<Decimal>,
    pub lot_source: String,
}

/// What is held at the end of `date` (UTC), lot by lot per account, with cost and, where a price is given,
/// value and unrealized gain in `currency`. Lots that left to an unknown destination are not listed.
pub fn holdings(
    config: &Config,
    key: &Key,
    date: chrono::NaiveDate,
    currency: Code,
    basis: &Basis,
    prices: &HashMap<Code, Decimal>,
) -> Result<Vec<HoldingRow>, AppError> {
    holdings_in(&load(config, key)?, date, currency, basis, prices)
}

fn holdings_in(
    history: &History,
    date: chrono::NaiveDate,
    currency: Code,
    basis: &Basis,
    prices: &HashMap<Code, Decimal>,
) -> Result<Vec<HoldingRow>, AppError> {
    let end = date
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| dt.and_utc().timestamp_micros())
        .ok_or_else(|| AppError::new(ErrorCode::InvalidInput, format!("date: {date} is out of range")))?;
    let txs: Vec<_> = history.txs.iter().filter(|(_, t)| t.timestamp.unix_micros() < end).cloned().collect();
    let (_, booking, accounts) = book_lots(history, &txs, currency, basis)?;
    Ok(booking
        .holdings
        .iter()
        .filter(|h| h.pool != offramp_core::tax::OUTSIDE)
        .map(|h| {
            let value = prices.get(&h.asset).map(|p| *p * h.qty);
            HoldingRow {
                account: if h.pool == offramp_core::tax::UNIVERSAL {
                    "all accounts (universal, before 2025)".to_string()
                } else {
                    accounts.get(h.pool.0 as usize).cloned().unwrap_or_default()
                },
                asset: h.asset,
                lot: h.lot,
                acquired: h.acquired.date_in(zone_of(currency)),
                qty: h.qty,
                cost: h.cost,
                value,
                unrealized: value.zip(h.cost).map(|(v, c)| v - c),
                lot_source: history.sources.get(&h.lot).cloned().unwrap_or_default(),
            }
        })
        .collect())
}

/// Capital-gains files that US tax software imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoftwareFormat {
    /// TaxAct "Stock Assistant" CSV (vendor-documented columns; up to 2,000 rows per return).
    TaxAct,
    /// The TurboTax gains CSV many exporters write (`Currency Name,Purchase Date,Cost Basis,Date Sold,Proceeds`;
    /// the column set comes from secondary sources).
    TurboTax,
}

/// Writes the year's rows for tax software. Refuses when a row's basis or proceeds is unknown: a tax program
/// would take a blank as zero. Returns warnings to show the user.
pub fn write_software_csv(
    report: &GainsReport,
    format: SoftwareFormat,
    out: &mut dyn std::io::Write,
) -> Result<Vec<String>, AppError> {
    if report.unknown_rows > 0 {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!(
                "{} row(s) have an unknown cost basis or proceeds; a tax program would read them as zero. Resolve them first (see `offramp report gains`).",
                report.unknown_rows
            ),
        ));
    }
    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, e.to_string());
    let mdy = |d: chrono::NaiveDate| d.format("%m/%d/%Y").to_string();
    let mut warnings = Vec::new();
    match format {
        SoftwareFormat::TaxAct => {
            writeln!(
                out,
                "Description,Date Acquired,Date Sold,Sales Proceeds,Cost or Other Basis,Long/Short,Reporting Category"
            )
            .map_err(io)?;
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
                    offramp_core::holding::Term::Short => ("Short", "C"),
                    offramp_core::holding::Term::Long => ("Long", "F"),
                };
                writeln!(
                    out,
                    "{} {},{},{},{},{},{},{}",
                    x.qty,
                    x.asset,
                    mdy(x.acquired),
                    mdy(x.sold),
                    cents(x.proceeds),
                    cents(x.cost),
                    term,
                    if report.year >= 2025 { "" } else { category }
                )
                .map_err(io)?;
            }
        }
        SoftwareFormat::TurboTax => {
            warnings.push(
                "The TurboTax gains CSV layout comes from exporters, not from an Intuit page: check the import.".into(),
            );
            writeln!(out, "Currency Name,Purchase Date,Cost Basis,Date Sold,Proceeds").map_err(io)?;
            for r in &report.rows {
                let x = &r.row;
                writeln!(
                    out,
                    "{},{},{},{},{}",
                    x.asset,
                    mdy(x.acquired),
                    cents(x.cost),
                    mdy(x.sold),
                    cents(x.proceeds)
                )
                .map_err(io)?;
            }
        }
    }
    Ok(warnings)
}

/// One Canadian disposal with where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct CaRow {
    pub asset: Code,
    #[serde(flatten)]
    pub disposal: offramp_core::ca::CaDisposal,
    pub source: String,
}

/// Schedule 3 figures for the year, from the rows whose figures are all known, in CAD (cents, half away from
/// zero).
#[derive(Debug, Clone, Serialize)]
pub struct CaTotals {
    pub proceeds: Amount,
    pub acb: Amount,
    pub gains: Amount,
    pub losses: Amount,
    /// Gains less losses.
    pub net: Amount,
    /// Half of a positive net gain (the inclusion rate).
    pub taxable: Amount,
    /// Losses denied as superficial (added to the ACB of the units kept).
    pub denied: Amount,
}

#[derive(Debug, Clone, Serialize)]
pub struct CaReport {
    pub year: i32,
    pub rows: Vec<CaRow>,
    pub unknown_rows: usize,
    pub totals: CaTotals,
}

/// Canada's capital gains for calendar `year`: every asset's disposals at its adjusted cost base over all the
/// person's accounts, superficial losses denied, in CAD (dates UTC for now).
pub fn ca_gains(config: &Config, key: &Key, year: i32) -> Result<CaReport, AppError> {
    use offramp_core::ca::{acb, CaEvent};
    use offramp_core::lots::Event as E;
    let history = load(config, key)?;
    let cad = Code::parse("CAD").expect("CAD is a code");
    // One pool for everything: identical property is averaged across all accounts.
    let conv = to_events_with(&history.txs, &history.links, cad, &mut |_| PoolId(0), history.options(cad));
    let mut by_asset: std::collections::BTreeMap<Code, Vec<CaEvent>> = Default::default();
    for e in &conv.events {
        match e {
            E::Acquire { lot, asset, time, qty, cost, .. } => by_asset
                .entry(*asset)
                .or_default()
                .push(CaEvent::Acquire { id: *lot, date: time.date_utc(), qty: *qty, cost: *cost }),
            E::Dispose { id, asset, time, qty, proceeds, .. } => by_asset
                .entry(*asset)
                .or_default()
                .push(CaEvent::Dispose { id: *id, date: time.date_utc(), qty: *qty, proceeds: *proceeds }),
            // Moves between the person's accounts change nothing; units that left to an unknown destination are
            // out of the report: they leave the average at its cost share.
            E::Move { id, asset, time, qty, fee, to, .. } if *to == offramp_core::tax::OUTSIDE => by_asset
                .entry(*asset)
                .or_default()
                .push(CaEvent::Dispose { id: *id, date: time.date_utc(), qty: *qty + *fee, proceeds: None }),
            E::Move { .. } => {}
        }
    }
    let mut rows = Vec::new();
    for (asset, mut events) in by_asset {
        // Same date: acquisitions first (the engine's events are already in time order within a date).
        events.sort_by_key(|e| match e {
            CaEvent::Acquire { date, .. } => (*date, 0),
            CaEvent::Dispose { date, .. } => (*date, 1),
        });
        let (disposals, _) = acb(&events).map_err(|e| {
            AppError::new(ErrorCode::InvalidInput, format!("{asset}: {e}. Source: {}", ca_source(&e, &history.sources)))
        })?;
        for d in disposals.into_iter().filter(|d| chrono::Datelike::year(&d.date) == year) {
            if d.id < 0 {
                continue; // left to an unknown destination: not a disposal in this report
            }
            let source = history.sources.get(&d.id).cloned().unwrap_or_default();
            rows.push(CaRow { asset, disposal: d, source });
        }
    }
    rows.sort_by_key(|r| (r.disposal.gain.is_some(), r.disposal.date, r.disposal.id));
    let known: Vec<&CaRow> = rows.iter().filter(|r| r.disposal.gain.is_some()).collect();
    let sum = |f: &dyn Fn(&offramp_core::ca::CaDisposal) -> Decimal| -> Decimal {
        known.iter().map(|r| f(&r.disposal)).sum()
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
            denied: money(sum(&|d| d.denied_loss)),
        },
        rows,
    })
}

fn ca_source(e: &offramp_core::ca::CaError, sources: &HashMap<i64, String>) -> String {
    use offramp_core::ca::CaError as C;
    let id = match e {
        C::Oversold { id, .. } | C::Invalid { id } | C::OutOfOrder { id } => id.abs(),
    };
    sources.get(&id).cloned().map(|s| format!("transaction {id} ({s})")).unwrap_or_else(|| format!("transaction {id}"))
}

/// One receipt of income (staking, mining, airdrop, interest, other) at its fair value.
#[derive(Debug, Clone, Serialize)]
pub struct IncomeRow {
    pub id: i64,
    pub date: chrono::NaiveDate,
    pub account: String,
    pub kind: offramp_core::TxKind,
    pub asset: Code,
    #[serde(with = "offramp_core::money::decimal_str")]
    pub qty: Decimal,
    /// Fair value on receipt in the report currency; `None` when unknown (flagged, listed first).
    #[serde(with = "offramp_core::money::decimal_str::option")]
    pub value: Option<Decimal>,
    pub source: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncomeReport {
    pub year: i32,
    pub currency: Code,
    pub rows: Vec<IncomeRow>,
    pub unknown_rows: usize,
    /// Known values by kind, and in all, rounded half away from zero to cents.
    pub by_kind: Vec<(offramp_core::TxKind, Amount)>,
    pub total: Amount,
}

/// Income received in calendar `year` (dates where the taxpayer lives for GBP and EUR), at fair value in
/// `currency`: it is taxed as income, and it is also the cost of the lots it creates.
pub fn income(config: &Config, key: &Key, year: i32, currency: Code) -> Result<IncomeReport, AppError> {
    let history = load(config, key)?;
    let conv = to_events_with(&history.txs, &history.links, currency, &mut |_| PoolId(0), history.options(currency));
    let zone = zone_of(currency);
    let mut rows: Vec<IncomeRow> = conv
        .income
        .iter()
        .filter_map(|(id, asset, qty, value)| {
            let t = &history.txs[*history.index.get(id)?].1;
            let date = t.timestamp.date_in(zone);
            (chrono::Datelike::year(&date) == year).then(|| IncomeRow {
                id: *id,
                date,
                account: t.account.clone(),
                kind: t.kind,
                asset: *asset,
                qty: *qty,
                value: *value,
                source: history.sources.get(id).cloned().unwrap_or_default(),
            })
        })
        .collect();
    rows.sort_by_key(|r| (r.value.is_some(), r.date, r.id));
    let mut by_kind: Vec<(offramp_core::TxKind, Amount)> = Vec::new();
    for r in rows.iter().filter(|r| r.value.is_some()) {
        match by_kind.iter_mut().find(|(k, _)| *k == r.kind) {
            Some((_, a)) => *a = Amount::new(a.value() + r.value.unwrap_or_default(), currency),
            None => by_kind.push((r.kind, Amount::new(r.value.unwrap_or_default(), currency))),
        }
    }
    let total: Decimal = by_kind.iter().map(|(_, a)| a.value()).sum();
    let by_kind = by_kind.into_iter().map(|(k, a)| (k, a.round_to_minor_units())).collect();
    Ok(IncomeReport {
        year,
        currency,
        unknown_rows: rows.iter().filter(|r| r.value.is_none()).count(),
        rows,
        by_kind,
        total: Amount::new(total, currency).round_to_minor_units(),
    })
}

/// Germany's Freigrenze for income from services such as staking and lending (§ 22 Nr. 3 EStG): such income
/// stays tax-free if the year's total is **less than** EUR 256 (a cliff).
pub const DE_SERVICES_FREIGRENZE: Decimal = Decimal::from_parts(256, 0, 0, false, 0);
