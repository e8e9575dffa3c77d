//! Official exchange rates: the reference rates each tax authority accepts, and the rule by which each
//! jurisdiction's reports convert an amount in another fiat currency (docs/TAX.md, "Other currencies").
//!
//! - United Kingdom: HMRC's monthly exchange rate for the month of the transaction (HMRC publishes one rate per
//!   currency and calendar month, as units of the currency per 1 GBP).
//! - Germany: the European Central Bank's euro reference rate of the day (units per 1 EUR).
//! - Canada: the Bank of Canada's daily exchange rate of the day (CAD per 1 unit of the currency).
//! - United States: the ECB's euro reference rates of the day, crossed through the euro for a currency other than
//!   the euro (USD = amount / rate of the currency × rate of USD). The IRS asks for "the prevailing exchange rate"
//!   and names no publisher; this is the stated source, shown on every converted row.
//!
//! A daily rate is the one published for the day; on a day with no publication (weekends, holidays) the last rate
//! published before it, at most [`MAX_DAYS_BACK`] days earlier, and only while the series is known to cover the day
//! (a day after the last published rate is missing, not the last rate repeated). A monthly rate is the month's own
//! or missing. Missing is never guessed: the amount stays unknown and the row is flagged.
//!
//! Bundled data (refreshable from the publishers, see `offramp-market`): HMRC's monthly rates from February 2014
//! (`data/hmrc-monthly.csv`, from HMRC's published files as the `hmrc-rates` crate bundles them; Open Government
//! Licence v3.0) and the ECB's reference rates from 2009 (`data/ecb-eurofxref.csv`, the ECB's `eurofxref-hist`,
//! reproduced with its source stated). The Bank of Canada's series is not bundled: it is fetched and kept in the
//! ledger. Conversions are not rounded (28 significant digits); reports round each printed figure as they always do.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use crate::money::Code;
use crate::time::{Timestamp, Zone};
use crate::{Decimal, Jurisdiction};

/// How many days before the day a daily rate may have been published (the ECB's longest closure, at Easter or
/// Christmas and the new year, is four days).
pub const MAX_DAYS_BACK: i64 = 7;

/// Who published a rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum RateSource {
    /// HM Revenue & Customs' monthly exchange rates: units of the currency per 1 GBP, one per calendar month.
    Hmrc,
    /// The European Central Bank's euro foreign exchange reference rates: units of the currency per 1 EUR, daily.
    Ecb,
    /// The Bank of Canada's daily exchange rates: CAD per 1 unit of the currency.
    Boc,
}

impl RateSource {
    pub const ALL: [RateSource; 3] = [RateSource::Hmrc, RateSource::Ecb, RateSource::Boc];

    pub fn id(self) -> &'static str {
        match self {
            RateSource::Hmrc => "hmrc",
            RateSource::Ecb => "ecb",
            RateSource::Boc => "boc",
        }
    }

    pub fn parse(text: &str) -> Option<RateSource> {
        RateSource::ALL.into_iter().find(|s| s.id() == text.trim().to_ascii_lowercase())
    }

    pub fn name(self) -> &'static str {
        match self {
            RateSource::Hmrc => "HMRC monthly exchange rates",
            RateSource::Ecb => "ECB euro reference rates",
            RateSource::Boc => "Bank of Canada daily exchange rates",
        }
    }

    /// The currency the source quotes against.
    pub fn base(self) -> Code {
        let code = match self {
            RateSource::Hmrc => "GBP",
            RateSource::Ecb => "EUR",
            RateSource::Boc => "CAD",
        };
        Code::parse(code).expect("a fiat code")
    }

    /// One rate per calendar month (HMRC) rather than per day.
    pub fn monthly(self) -> bool {
        self == RateSource::Hmrc
    }
}

/// One published rate: `value` units of `currency` per 1 unit of the base (HMRC, ECB), or base units per 1 unit of
/// `currency` (Bank of Canada), as the publisher prints it. `date` is the day it is for (a monthly rate: the
/// month's first day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Rate {
    pub source: RateSource,
    pub currency: Code,
    pub date: NaiveDate,
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub value: Decimal,
}

impl Rate {
    /// `amount` of `currency` in the source's base currency, unrounded; `None` on overflow.
    pub fn to_base(&self, amount: Decimal) -> Option<Decimal> {
        match self.source {
            RateSource::Boc => amount.checked_mul(self.value),
            _ => amount.checked_div(self.value),
        }
    }

    /// `amount` of the base currency in `currency`, unrounded; `None` on overflow.
    pub fn from_base(&self, amount: Decimal) -> Option<Decimal> {
        match self.source {
            RateSource::Boc => amount.checked_div(self.value),
            _ => amount.checked_mul(self.value),
        }
    }

    /// "HMRC monthly rate 2024-03: 1.2614 USD per GBP", as rows and files show it.
    pub fn describe(&self) -> String {
        let base = self.source.base();
        let v = self.value.normalize();
        match self.source {
            RateSource::Hmrc => {
                format!("HMRC monthly rate {}: {v} {} per {base}", self.date.format("%Y-%m"), self.currency)
            }
            RateSource::Ecb => format!("ECB reference rate {}: {v} {} per {base}", self.date, self.currency),
            RateSource::Boc => format!("Bank of Canada rate {}: {v} {base} per {}", self.date, self.currency),
        }
    }
}

/// The rates a conversion used: one, or two for a cross through the euro.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RateUsed {
    pub rate: Rate,
    pub cross: Option<Rate>,
}

impl RateUsed {
    pub fn describe(&self) -> String {
        match &self.cross {
            Some(c) => format!("{}; {}", self.rate.describe(), c.describe()),
            None => self.rate.describe(),
        }
    }
}

/// Why an amount could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Missing {
    #[error("no {} for {currency} on {date} (the series {coverage})", publisher.name())]
    NoRate { publisher: RateSource, currency: Code, date: NaiveDate, coverage: String },
    #[error("the converted figure is too large")]
    Overflow,
}

/// How a jurisdiction's reports convert an amount in another fiat currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RateRule {
    /// HMRC's rate for the month of the day (UK).
    HmrcMonthly,
    /// The ECB's rate of the day (Germany, into EUR).
    EcbDaily,
    /// The Bank of Canada's rate of the day (Canada, into CAD).
    BocDaily,
    /// The ECB's rates of the day, crossed through the euro (United States, into USD).
    EcbCross,
}

impl RateRule {
    pub fn of(jurisdiction: Jurisdiction) -> RateRule {
        match jurisdiction {
            Jurisdiction::Uk => RateRule::HmrcMonthly,
            Jurisdiction::De => RateRule::EcbDaily,
            Jurisdiction::Ca => RateRule::BocDaily,
            Jurisdiction::Us => RateRule::EcbCross,
        }
    }

    /// The rule for figures in `currency` outside a tax report: the rule of the jurisdiction that reports in it.
    pub fn for_currency(currency: Code) -> Option<RateRule> {
        Jurisdiction::ALL.into_iter().find(|j| j.currency() == currency).map(RateRule::of)
    }

    pub fn describe(self) -> &'static str {
        match self {
            RateRule::HmrcMonthly => "HMRC's monthly exchange rate for the month of the transaction",
            RateRule::EcbDaily => {
                "the ECB euro reference rate of the day (the last one published before it on a \
                                   day without one)"
            }
            RateRule::BocDaily => {
                "the Bank of Canada's daily rate of the day (the last one published before it on \
                                   a day without one)"
            }
            RateRule::EcbCross => "the ECB euro reference rates of the day, crossed through the euro",
        }
    }
}

/// Every rate known: a series per (source, currency), each in date order.
#[derive(Debug, Clone, Default)]
pub struct RateBook {
    series: HashMap<(RateSource, Code), Vec<(NaiveDate, Decimal)>>,
}

/// Why a rate was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BadRate(pub String);

impl RateBook {
    /// The rates shipped with the app (parsed once per process).
    pub fn bundled() -> &'static RateBook {
        static BOOK: OnceLock<RateBook> = OnceLock::new();
        BOOK.get_or_init(|| {
            let mut b = RateBook::default();
            // The bundled files are checked by a test; a cell that does not parse is left out, never guessed.
            let _ = b.read_table(RateSource::Hmrc, include_str!("../data/hmrc-monthly.csv"));
            let _ = b.read_table(RateSource::Ecb, include_str!("../data/ecb-eurofxref.csv"));
            b
        })
    }

    /// Reads a table with a header `date,CUR,CUR,...` (a monthly source: `month`, `YYYY-MM`), one row per day or
    /// month, an empty cell where there is no rate. Returns how many cells it could not read (each left out).
    pub fn read_table(&mut self, source: RateSource, text: &str) -> usize {
        let mut lines = text.lines();
        let Some(header) = lines.next() else { return 0 };
        let codes: Vec<Option<Code>> = header.split(',').skip(1).map(|c| Code::parse(c.trim()).ok()).collect();
        let mut bad = 0;
        for line in lines {
            let mut cells = line.split(',');
            let Some(date) = cells.next().and_then(|d| parse_day(source, d)) else {
                bad += 1;
                continue;
            };
            for (code, cell) in codes.iter().zip(cells) {
                let (Some(code), cell) = (code, cell.trim()) else { continue };
                if cell.is_empty() {
                    continue;
                }
                match cell.parse::<Decimal>() {
                    Ok(v) if v > Decimal::ZERO => self.put(source, *code, date, v),
                    _ => bad += 1,
                }
            }
        }
        bad
    }

    /// Adds or replaces a rate (a publisher's correction replaces its earlier figure for the same day).
    pub fn insert(&mut self, rate: Rate) -> Result<(), BadRate> {
        if rate.value <= Decimal::ZERO {
            return Err(BadRate(format!("{}: a rate must be positive (got {})", rate.currency, rate.value)));
        }
        if !rate.currency.is_fiat() || rate.currency == rate.source.base() {
            return Err(BadRate(format!("{}: not a currency {} quotes", rate.currency, rate.source.name())));
        }
        let date = if rate.source.monthly() { first_of_month(rate.date) } else { rate.date };
        self.put(rate.source, rate.currency, date, rate.value);
        Ok(())
    }

    fn put(&mut self, source: RateSource, currency: Code, date: NaiveDate, value: Decimal) {
        let s = self.series.entry((source, currency)).or_default();
        match s.binary_search_by_key(&date, |(d, _)| *d) {
            Ok(i) => s[i].1 = value,
            Err(i) => s.insert(i, (date, value)),
        }
    }

    /// The rate of `source` for `currency` that applies on `date`, by the rules in the module's documentation.
    pub fn lookup(&self, source: RateSource, currency: Code, date: NaiveDate) -> Result<Rate, Missing> {
        let series = self.series.get(&(source, currency)).map(Vec::as_slice).unwrap_or_default();
        let found = if source.monthly() {
            let month = first_of_month(date);
            series.binary_search_by_key(&month, |(d, _)| *d).ok().map(|i| series[i])
        } else {
            let covered = series.last().is_some_and(|(last, _)| *last >= date);
            match series.partition_point(|(d, _)| *d <= date) {
                0 => None,
                i => Some(series[i - 1]).filter(|(d, _)| covered && (date - *d).num_days() <= MAX_DAYS_BACK),
            }
        };
        match found {
            Some((d, value)) => Ok(Rate { source, currency, date: d, value }),
            None => Err(Missing::NoRate { publisher: source, currency, date, coverage: coverage_text(source, series) }),
        }
    }

    /// `amount` of `from` in `to` on `date` by `rule`, with the rates used; the identity when `from == to`.
    pub fn convert(
        &self,
        rule: RateRule,
        amount: Decimal,
        from: Code,
        to: Code,
        date: NaiveDate,
    ) -> Result<(Decimal, Option<RateUsed>), Missing> {
        if from == to {
            return Ok((amount, None));
        }
        let direct = |source: RateSource| -> Result<(Decimal, Option<RateUsed>), Missing> {
            // Only a conversion into the source's own base currency is direct.
            if to != source.base() {
                return Err(Missing::NoRate {
                    publisher: source,
                    currency: to,
                    date,
                    coverage: "quotes another currency".into(),
                });
            }
            let rate = self.lookup(source, from, date)?;
            let v = rate.to_base(amount).ok_or(Missing::Overflow)?;
            Ok((v, Some(RateUsed { rate, cross: None })))
        };
        match rule {
            RateRule::HmrcMonthly => direct(RateSource::Hmrc),
            RateRule::EcbDaily => direct(RateSource::Ecb),
            RateRule::BocDaily => direct(RateSource::Boc),
            RateRule::EcbCross => {
                let eur = RateSource::Ecb.base();
                if to == eur {
                    return direct(RateSource::Ecb);
                }
                let into = self.lookup(RateSource::Ecb, to, date)?;
                if from == eur {
                    let v = into.from_base(amount).ok_or(Missing::Overflow)?;
                    return Ok((v, Some(RateUsed { rate: into, cross: None })));
                }
                let out = self.lookup(RateSource::Ecb, from, date)?;
                let v = out.to_base(amount).and_then(|e| into.from_base(e)).ok_or(Missing::Overflow)?;
                Ok((v, Some(RateUsed { rate: out, cross: Some(into) })))
            }
        }
    }

    /// Each series: (source, currency, first date, last date, number of rates), in a stable order.
    pub fn coverage(&self) -> Vec<(RateSource, Code, NaiveDate, NaiveDate, usize)> {
        let mut out: Vec<_> =
            self.series.iter().filter_map(|((s, c), v)| Some((*s, *c, v.first()?.0, v.last()?.0, v.len()))).collect();
        out.sort_by(|a, b| (a.0, a.1.as_str()).cmp(&(b.0, b.1.as_str())));
        out
    }

    /// Every rate of `source` (in currency, then date order).
    pub fn rates_of(&self, source: RateSource) -> Vec<Rate> {
        let mut out: Vec<Rate> = self
            .series
            .iter()
            .filter(|((s, _), _)| *s == source)
            .flat_map(|((s, c), v)| {
                v.iter().map(|(d, value)| Rate { source: *s, currency: *c, date: *d, value: *value })
            })
            .collect();
        out.sort_by(|a, b| (a.currency.as_str(), a.date).cmp(&(b.currency.as_str(), b.date)));
        out
    }

    /// A copy of the bundled rates with `extra` laid over them (rates fetched later, kept in the ledger).
    pub fn with(extra: &[Rate]) -> RateBook {
        let mut b = RateBook::bundled().clone();
        for r in extra {
            let _ = b.insert(*r);
        }
        b
    }
}

/// A rate book and the rule one report converts by, in the zone its dates are read in.
#[derive(Debug, Clone, Copy)]
pub struct Converter<'a> {
    pub book: &'a RateBook,
    pub rule: RateRule,
    pub zone: Zone,
}

impl Converter<'_> {
    /// `amount` of `from` in `to` at the time `at` (its date in the report's zone).
    pub fn convert(
        &self,
        amount: Decimal,
        from: Code,
        to: Code,
        at: Timestamp,
    ) -> Result<(Decimal, Option<RateUsed>), Missing> {
        self.book.convert(self.rule, amount, from, to, at.date_in(self.zone))
    }
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn parse_day(source: RateSource, text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    if source.monthly() {
        NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d").ok()
    } else {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
    }
}

fn coverage_text(source: RateSource, series: &[(NaiveDate, Decimal)]) -> String {
    match (series.first(), series.last()) {
        (Some((a, _)), Some((b, _))) if source.monthly() => {
            format!("has months {} to {}", a.format("%Y-%m"), b.format("%Y-%m"))
        }
        (Some((a, _)), Some((b, _))) => format!("runs {a} to {b}"),
        _ => "has no rates; fetch them with `offramp rates refresh`".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn c(s: &str) -> Code {
        Code::parse(s).unwrap()
    }
    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// Figures read by hand from the publishers' own tables: HMRC's monthly XML (monthly_xml_2024-03.xml:
    /// USD 1.2614, EUR 1.1682; monthly_xml_2021-06.xml: USD 1.4146) and the ECB's reference rates
    /// (2024-03-05: USD 1.0849, GBP 0.85543; 2020-03-16: USD 1.1157).
    #[test]
    fn bundled_rates_are_the_published_ones() {
        let b = RateBook::bundled();
        let hmrc = |cur, date| b.lookup(RateSource::Hmrc, c(cur), d(date)).unwrap().value;
        assert_eq!(hmrc("USD", "2024-03-17"), dec("1.2614"));
        assert_eq!(hmrc("EUR", "2024-03-01"), dec("1.1682"));
        assert_eq!(hmrc("USD", "2021-06-30"), dec("1.4146"));
        let ecb = |cur, date| b.lookup(RateSource::Ecb, c(cur), d(date)).unwrap().value;
        assert_eq!(ecb("USD", "2024-03-05"), dec("1.0849"));
        assert_eq!(ecb("GBP", "2024-03-05"), dec("0.85543"));
        assert_eq!(ecb("USD", "2020-03-16"), dec("1.1157"));
        // Every cell of both files is read.
        let mut again = RateBook::default();
        assert_eq!(again.read_table(RateSource::Hmrc, include_str!("../data/hmrc-monthly.csv")), 0);
        assert_eq!(again.read_table(RateSource::Ecb, include_str!("../data/ecb-eurofxref.csv")), 0);
    }

    #[test]
    fn a_day_without_a_rate_takes_the_last_published_one_within_the_series() {
        let b = RateBook::bundled();
        // Saturday 2024-03-09 and Sunday the 10th: Friday the 8th's rate.
        let sat = b.lookup(RateSource::Ecb, c("USD"), d("2024-03-09")).unwrap();
        assert_eq!(sat.date, d("2024-03-08"));
        assert_eq!(b.lookup(RateSource::Ecb, c("USD"), d("2024-03-10")).unwrap().date, d("2024-03-08"));
        // After the series' end: missing, never the last rate repeated; before its start: missing.
        let (_, last, ..) = b
            .coverage()
            .into_iter()
            .find(|(s, cur, ..)| *s == RateSource::Ecb && *cur == c("USD"))
            .map(|(_, _, first, last, n)| (first, last, n))
            .unwrap();
        let after = last + chrono::Duration::days(1);
        assert!(matches!(b.lookup(RateSource::Ecb, c("USD"), after), Err(Missing::NoRate { .. })));
        assert!(b.lookup(RateSource::Ecb, c("USD"), d("2008-12-31")).is_err());
        // HMRC: the month's own rate or none.
        assert!(b.lookup(RateSource::Hmrc, c("USD"), d("2013-05-10")).is_err());
        // No Bank of Canada series is bundled.
        let e = b.lookup(RateSource::Boc, c("USD"), d("2024-03-05")).unwrap_err();
        assert!(e.to_string().contains("offramp rates refresh"), "{e}");
    }

    #[test]
    fn each_rule_converts_into_its_currency() {
        let b = RateBook::bundled();
        let (gbp, used) =
            b.convert(RateRule::HmrcMonthly, dec("1261.40"), c("USD"), c("GBP"), d("2024-03-20")).unwrap();
        assert_eq!(gbp, dec("1000"));
        assert_eq!(used.unwrap().describe(), "HMRC monthly rate 2024-03: 1.2614 USD per GBP");
        let (eur, _) = b.convert(RateRule::EcbDaily, dec("1084.9"), c("USD"), c("EUR"), d("2024-03-05")).unwrap();
        assert_eq!(eur, dec("1000"));
        // US: EUR straight at the USD rate; GBP crossed through the euro.
        let (usd, _) = b.convert(RateRule::EcbCross, dec("1000"), c("EUR"), c("USD"), d("2024-03-05")).unwrap();
        assert_eq!(usd, dec("1084.9"));
        let (usd, used) = b.convert(RateRule::EcbCross, dec("855.43"), c("GBP"), c("USD"), d("2024-03-05")).unwrap();
        assert_eq!(usd, dec("1084.9"));
        let used = used.unwrap();
        assert_eq!(used.rate.currency, c("GBP"));
        assert_eq!(used.cross.unwrap().currency, c("USD"));
        // Canada: from a fetched series, CAD per unit.
        let mut b2 = b.clone();
        b2.insert(Rate { source: RateSource::Boc, currency: c("USD"), date: d("2024-03-05"), value: dec("1.3571") })
            .unwrap();
        let (cad, _) = b2.convert(RateRule::BocDaily, dec("100"), c("USD"), c("CAD"), d("2024-03-05")).unwrap();
        assert_eq!(cad, dec("135.71"));
        // The same currency needs no rate; a rule never converts into a currency its source does not quote.
        assert_eq!(
            b.convert(RateRule::HmrcMonthly, dec("5"), c("GBP"), c("GBP"), d("2024-03-05")).unwrap().0,
            dec("5")
        );
        assert!(b.convert(RateRule::HmrcMonthly, dec("5"), c("USD"), c("EUR"), d("2024-03-05")).is_err());
    }

    #[test]
    fn refused_rates_and_overflow() {
        let mut b = RateBook::default();
        let r = Rate { source: RateSource::Ecb, currency: c("USD"), date: d("2024-03-05"), value: Decimal::ZERO };
        assert!(b.insert(r).is_err());
        assert!(b.insert(Rate { currency: c("EUR"), value: Decimal::ONE, ..r }).is_err());
        assert!(b.insert(Rate { currency: c("BTC"), value: Decimal::ONE, ..r }).is_err());
        b.insert(Rate { value: dec("0.0000000000000000001"), ..r }).unwrap();
        let e = b.convert(RateRule::EcbDaily, Decimal::MAX, c("USD"), c("EUR"), d("2024-03-05")).unwrap_err();
        assert_eq!(e, Missing::Overflow);
    }
}
