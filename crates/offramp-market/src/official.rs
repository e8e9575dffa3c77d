//! Official exchange rates from their publishers, behind a trait ([`RateFeed`]): HMRC's monthly rates (one XML
//! file per month from the UK Trade Tariff service), the ECB's euro reference rates (its data API, SDMX CSV) and
//! the Bank of Canada's daily rates (its Valet API, JSON). Each answer is capped in size and time and checked
//! before use: a rate that is not a positive decimal, a date that does not parse, a currency Offramp does not know
//! is left out (counted), never guessed.

use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use offramp_core::fx::{Rate, RateSource};
use offramp_core::{Code, Decimal};

use crate::parse::ParseError;
use crate::{client_for, Getter, MarketError};

/// The currencies Offramp asks each publisher for (the fiat currencies it knows that the publisher quotes).
pub fn currencies(source: RateSource) -> &'static [&'static str] {
    match source {
        RateSource::Hmrc => &[
            "USD", "EUR", "CAD", "AUD", "NZD", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN",
            "TRY", "ZAR", "BRL", "MXN", "ARS", "INR", "SGD", "HKD", "KRW", "NGN", "KES", "AED", "ILS", "KWD", "BHD",
        ],
        RateSource::Ecb => &[
            "USD", "GBP", "CAD", "AUD", "NZD", "CHF", "JPY", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "RON", "BGN",
            "TRY", "ZAR", "BRL", "MXN", "INR", "SGD", "HKD", "KRW", "ILS",
        ],
        RateSource::Boc => &[
            "USD", "EUR", "GBP", "AUD", "NZD", "CHF", "JPY", "SEK", "NOK", "TRY", "ZAR", "BRL", "MXN", "INR", "SGD",
            "HKD", "KRW",
        ],
    }
}

/// The first day the Bank of Canada's current daily series (Valet `FX...CAD`) has.
pub fn boc_first_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2017, 1, 3).unwrap_or_default()
}

/// What one fetch brought.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fetched {
    pub rates: Vec<Rate>,
    /// Values the publisher sent that were left out (not a positive decimal, a date that does not parse).
    pub refused: usize,
}

/// Where official rates come from.
pub trait RateFeed {
    /// The rates `source` published for the days (HMRC: the months) from `from` to `to`, inclusive.
    fn fetch(
        &self,
        source: RateSource,
        from: NaiveDate,
        to: NaiveDate,
        timeout: Duration,
    ) -> Result<Fetched, MarketError>;
}

/// The publishers over HTTPS (`base_url` replaces every publisher's address: tests point it at a local server
/// replaying recorded answers).
pub struct HttpRates {
    client: Option<reqwest::Client>,
    base_url: Option<String>,
}

impl HttpRates {
    pub fn new(base_url: Option<String>) -> HttpRates {
        HttpRates { client: client_for(base_url.as_deref()), base_url }
    }

    fn base(&self, source: RateSource) -> &str {
        self.base_url.as_deref().unwrap_or(match source {
            RateSource::Hmrc => "https://www.trade-tariff.service.gov.uk",
            RateSource::Ecb => "https://data-api.ecb.europa.eu",
            RateSource::Boc => "https://www.bankofcanada.ca",
        })
    }
}

/// The paths each request asks for (documented by the publishers; see docs/SECURITY.md for what is sent).
pub fn paths(source: RateSource, from: NaiveDate, to: NaiveDate) -> Vec<String> {
    match source {
        RateSource::Hmrc => {
            let mut out = Vec::new();
            let (mut y, mut m) = (from.year(), from.month());
            while (y, m) <= (to.year(), to.month()) && out.len() < 600 {
                out.push(format!("/api/v2/exchange_rates/files/monthly_xml_{y}-{m:02}.xml"));
                (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            }
            out
        }
        RateSource::Ecb => {
            let cur = currencies(source).join("+");
            vec![format!("/service/data/EXR/D.{cur}.EUR.SP00.A?startPeriod={from}&endPeriod={to}&format=csvdata")]
        }
        RateSource::Boc => {
            // One request per calendar year keeps each answer small.
            let series: Vec<String> = currencies(source).iter().map(|c| format!("FX{c}CAD")).collect();
            let mut out = Vec::new();
            let mut start = from;
            while start <= to && out.len() < 100 {
                let end = NaiveDate::from_ymd_opt(start.year(), 12, 31).unwrap_or(to).min(to);
                out.push(format!("/valet/observations/{}/json?start_date={start}&end_date={end}", series.join(",")));
                start = end + chrono::Duration::days(1);
            }
            out
        }
    }
}

impl RateFeed for HttpRates {
    fn fetch(
        &self,
        source: RateSource,
        from: NaiveDate,
        to: NaiveDate,
        timeout: Duration,
    ) -> Result<Fetched, MarketError> {
        let getter = Getter::new(self.client.as_ref(), source.id(), source.name())?;
        let mut out = Fetched::default();
        for path in paths(source, from, to) {
            let url = format!("{}{path}", self.base(source));
            let body = match getter.get(&url, timeout) {
                Ok(b) => b,
                // HMRC: a month not published yet (the next month's file appears near the end of the month).
                Err(MarketError::Http(_, 404)) if source == RateSource::Hmrc => break,
                // The ECB answers 404 when no rate was published in the period (a weekend).
                Err(MarketError::Http(_, 404)) if source == RateSource::Ecb => continue,
                Err(e) => return Err(e),
            };
            let part = parse(source, &path, &body)?;
            out.refused += part.refused;
            out.rates.extend(part.rates.into_iter().filter(|r| r.date >= first_of(source, from) && r.date <= to));
        }
        Ok(out)
    }
}

fn first_of(source: RateSource, d: NaiveDate) -> NaiveDate {
    if source.monthly() {
        d.with_day(1).unwrap_or(d)
    } else {
        d
    }
}

fn bad(source: RateSource, reason: impl Into<String>) -> MarketError {
    MarketError::Parse(ParseError { exchange: source.name(), reason: reason.into() })
}

fn positive(text: &str) -> Option<Decimal> {
    let t = text.trim();
    if t.is_empty() || t.len() > 40 {
        return None;
    }
    t.parse::<Decimal>().ok().filter(|v| *v > Decimal::ZERO)
}

fn known(source: RateSource, code: &str) -> Option<Code> {
    let code = code.trim();
    currencies(source).contains(&code).then(|| Code::parse(code).ok()).flatten()
}

/// Reads one answer of `source` (for the request `path`).
pub fn parse(source: RateSource, path: &str, body: &str) -> Result<Fetched, MarketError> {
    match source {
        RateSource::Hmrc => parse_hmrc(path, body),
        RateSource::Ecb => parse_ecb(body),
        RateSource::Boc => parse_boc(body),
    }
}

/// HMRC's monthly XML: `<exchangeRateMonthList Period="01/Mar/2024 to 31/Mar/2024">` with `<exchangeRate>` entries
/// of `<currencyCode>` and `<rateNew>`. The month is the one the request named (and the file says).
fn parse_hmrc(path: &str, body: &str) -> Result<Fetched, MarketError> {
    let s = RateSource::Hmrc;
    let month = path
        .rsplit("monthly_xml_")
        .next()
        .and_then(|m| m.strip_suffix(".xml"))
        .and_then(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d").ok())
        .ok_or_else(|| bad(s, "the request names no month"))?;
    if !body.contains("<exchangeRateMonthList") {
        return Err(bad(s, "not HMRC's monthly exchange rate file"));
    }
    let mut out = Fetched::default();
    let mut codes = std::collections::HashMap::new();
    for entry in body.split("<exchangeRate>").skip(1) {
        let (Some(code), Some(rate)) = (tag(entry, "currencyCode"), tag(entry, "rateNew")) else {
            out.refused += 1;
            continue;
        };
        let Some(code) = known(s, code) else { continue };
        match positive(rate) {
            // A currency listed for several countries has one rate; two different figures are left out.
            Some(value) => match codes.insert(code, value) {
                Some(prev) if prev != value => out.refused += 1,
                _ => {}
            },
            None => out.refused += 1,
        }
    }
    for (currency, value) in codes {
        out.rates.push(Rate { source: s, currency, date: month, value });
    }
    out.rates.sort_by(|a, b| a.currency.as_str().cmp(b.currency.as_str()));
    Ok(out)
}

fn tag<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let end = text[start..].find(&close)? + start;
    Some(text[start..end].trim())
}

/// The ECB data API's SDMX CSV: a header with `CURRENCY`, `TIME_PERIOD` and `OBS_VALUE` among its columns.
fn parse_ecb(body: &str) -> Result<Fetched, MarketError> {
    let s = RateSource::Ecb;
    let mut lines = body.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').map(str::trim).collect();
    let col = |name: &str| header.iter().position(|h| *h == name).ok_or_else(|| bad(s, format!("no {name} column")));
    let (cur, day, value) = (col("CURRENCY")?, col("TIME_PERIOD")?, col("OBS_VALUE")?);
    let mut out = Fetched::default();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        let get = |i: usize| cells.get(i).copied().unwrap_or("");
        let Some(currency) = known(s, get(cur)) else { continue };
        match (NaiveDate::parse_from_str(get(day).trim(), "%Y-%m-%d").ok(), positive(get(value))) {
            (Some(date), Some(value)) => out.rates.push(Rate { source: s, currency, date, value }),
            _ => out.refused += 1,
        }
    }
    Ok(out)
}

/// The Bank of Canada's Valet JSON: `{"observations": [{"d": "2024-03-05", "FXUSDCAD": {"v": "1.3571"}, ...}]}`.
fn parse_boc(body: &str) -> Result<Fetched, MarketError> {
    let s = RateSource::Boc;
    let json: serde_json::Value = serde_json::from_str(body).map_err(|e| bad(s, format!("not JSON ({e})")))?;
    let obs = json.get("observations").and_then(|o| o.as_array()).ok_or_else(|| bad(s, "no observations"))?;
    let mut out = Fetched::default();
    for o in obs {
        let Some(date) =
            o.get("d").and_then(|d| d.as_str()).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        else {
            out.refused += 1;
            continue;
        };
        for code in currencies(s) {
            let Some(v) = o.get(format!("FX{code}CAD")) else { continue };
            let Some(currency) = known(s, code) else { continue };
            match v.get("v").and_then(|v| v.as_str()).and_then(positive) {
                Some(value) => out.rates.push(Rate { source: s, currency, date, value }),
                None => out.refused += 1,
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn each_publishers_answer_is_read_and_bad_values_left_out() {
        let xml = "<?xml version=\"1.0\"?>\n<exchangeRateMonthList Period=\"01/Mar/2024 to 31/Mar/2024\">\
            <exchangeRate><countryName>USA</countryName><currencyCode>USD</currencyCode><rateNew>1.2614</rateNew></exchangeRate>\
            <exchangeRate><countryName>Ecuador</countryName><currencyCode>USD</currencyCode><rateNew>1.2614</rateNew></exchangeRate>\
            <exchangeRate><currencyCode>EUR</currencyCode><rateNew>-1</rateNew></exchangeRate>\
            <exchangeRate><currencyCode>XYZ</currencyCode><rateNew>3</rateNew></exchangeRate></exchangeRateMonthList>";
        let f = parse(RateSource::Hmrc, "/api/v2/exchange_rates/files/monthly_xml_2024-03.xml", xml).unwrap();
        assert_eq!(f.rates.len(), 1);
        assert_eq!((f.rates[0].date, f.rates[0].value.to_string()), (d("2024-03-01"), "1.2614".to_string()));
        assert_eq!(f.refused, 1);
        assert!(parse(RateSource::Hmrc, "/x/monthly_xml_2024-03.xml", "<html>").is_err());

        let csv = "KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n\
                   EXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2024-03-05,1.0849,A\n\
                   EXR.D.GBP.EUR.SP00.A,D,GBP,EUR,SP00,A,2024-03-05,NaN,A\n";
        let f = parse(RateSource::Ecb, "", csv).unwrap();
        assert_eq!(f.rates.len(), 1);
        assert_eq!(f.refused, 1);
        assert!(parse(RateSource::Ecb, "", "a,b\n1,2").is_err());

        let json =
            r#"{"observations":[{"d":"2024-03-05","FXUSDCAD":{"v":"1.3571"},"FXEURCAD":{"v":"0"}},{"d":"bad"}]}"#;
        let f = parse(RateSource::Boc, "", json).unwrap();
        assert_eq!(f.rates.len(), 1);
        assert_eq!(f.rates[0].currency.as_str(), "USD");
        assert_eq!(f.refused, 2);
        assert!(parse(RateSource::Boc, "", "{").is_err());
    }

    #[test]
    fn requests_cover_the_period() {
        let p = paths(RateSource::Hmrc, d("2026-11-15"), d("2027-01-02"));
        assert_eq!(p.len(), 3);
        assert!(p[2].ends_with("monthly_xml_2027-01.xml"));
        let p = paths(RateSource::Boc, d("2017-01-03"), d("2019-02-01"));
        assert_eq!(p.len(), 3);
        assert!(p[0].contains("start_date=2017-01-03&end_date=2017-12-31"));
        assert!(p[2].contains("start_date=2019-01-01&end_date=2019-02-01"));
        assert!(paths(RateSource::Ecb, d("2026-10-31"), d("2026-12-07"))[0].contains("startPeriod=2026-10-31"));
    }
}
