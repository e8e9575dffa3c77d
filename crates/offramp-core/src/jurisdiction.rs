//! Where the taxpayer files: one type for the whole program. Each country's own rules live in its module
//! (`us`, `uk`, `de`, `ca`); this enum says which module applies, and every `match` on it is exhaustive, so a fifth
//! country makes the compiler list every place that must learn about it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::time::Zone;
use crate::Code;

/// The tax rules a report or a plan follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Jurisdiction {
    /// The United States (IRS: Form 8949, Schedule D).
    Us,
    /// The United Kingdom (HMRC: SA108).
    Uk,
    /// Germany (§ 23 EStG: Anlage SO).
    De,
    /// Canada (CRA: Schedule 3).
    Ca,
}

/// A jurisdiction id that Offramp does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` (us, uk, de or ca)")]
pub struct UnknownJurisdiction(pub String);

impl Jurisdiction {
    pub const ALL: [Jurisdiction; 4] = [Jurisdiction::Us, Jurisdiction::Uk, Jurisdiction::De, Jurisdiction::Ca];

    /// The id used in settings, on the command line and in files: `us`, `uk`, `de`, `ca`.
    pub fn id(self) -> &'static str {
        match self {
            Jurisdiction::Us => "us",
            Jurisdiction::Uk => "uk",
            Jurisdiction::De => "de",
            Jurisdiction::Ca => "ca",
        }
    }

    /// Reads an id (any case).
    pub fn parse(text: &str) -> Result<Jurisdiction, UnknownJurisdiction> {
        Jurisdiction::ALL
            .into_iter()
            .find(|j| j.id().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| UnknownJurisdiction(crate::text::clip(text)))
    }

    /// The country's name in English.
    pub fn name(self) -> &'static str {
        match self {
            Jurisdiction::Us => "the United States",
            Jurisdiction::Uk => "the United Kingdom",
            Jurisdiction::De => "Germany",
            Jurisdiction::Ca => "Canada",
        }
    }

    /// The adjective: "a US estimate", "a German report".
    pub fn adjective(self) -> &'static str {
        match self {
            Jurisdiction::Us => "US",
            Jurisdiction::Uk => "UK",
            Jurisdiction::De => "German",
            Jurisdiction::Ca => "Canadian",
        }
    }

    /// The currency its tax is computed in.
    pub fn currency(self) -> Code {
        let code = match self {
            Jurisdiction::Us => "USD",
            Jurisdiction::Uk => "GBP",
            Jurisdiction::De => "EUR",
            Jurisdiction::Ca => "CAD",
        };
        Code::parse(code).expect("a currency code")
    }

    /// Where the taxpayer's calendar dates are taken (holding periods, same-day rules, tax years). The UK and
    /// Germany in their own time; the US and Canada in UTC for now (a taxpayer's own time zone there is not yet a
    /// setting).
    pub fn zone(self) -> Zone {
        match self {
            Jurisdiction::Us => Zone::Utc,
            Jurisdiction::Uk => Zone::London,
            Jurisdiction::De => Zone::Berlin,
            Jurisdiction::Ca => Zone::Utc,
        }
    }

    /// The first and last day (inclusive) of the tax year called `year`: the calendar year, except in the UK,
    /// where tax year `2024` runs from 6 April 2024 to 5 April 2025 (written 2024/25). `None` out of range.
    pub fn tax_year(self, year: i32) -> Option<(NaiveDate, NaiveDate)> {
        match self {
            Jurisdiction::Uk => crate::uk::tax_year(year),
            Jurisdiction::Us | Jurisdiction::De | Jurisdiction::Ca => {
                Some((NaiveDate::from_ymd_opt(year, 1, 1)?, NaiveDate::from_ymd_opt(year, 12, 31)?))
            }
        }
    }

    /// The tax year a date falls in (the year it is called by, see [`Jurisdiction::tax_year`]).
    pub fn tax_year_of(self, date: NaiveDate) -> i32 {
        let year = chrono::Datelike::year(&date);
        match self.tax_year(year) {
            Some((first, _)) if date < first => year - 1,
            _ => year,
        }
    }

    /// How the tax year is written: `2024`, or `2024/25` in the UK.
    pub fn tax_year_label(self, year: i32) -> String {
        match self {
            Jurisdiction::Uk => format!("{year}/{:02}", (year + 1).rem_euclid(100)),
            Jurisdiction::Us | Jurisdiction::De | Jurisdiction::Ca => year.to_string(),
        }
    }
}

impl std::fmt::Display for Jurisdiction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl std::str::FromStr for Jurisdiction {
    type Err = UnknownJurisdiction;
    fn from_str(s: &str) -> Result<Jurisdiction, UnknownJurisdiction> {
        Jurisdiction::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        crate::time::parse_date(s).unwrap()
    }

    #[test]
    fn ids_round_trip_and_unknown_ones_are_refused() {
        for j in Jurisdiction::ALL {
            assert_eq!(Jurisdiction::parse(j.id()), Ok(j));
            assert_eq!(Jurisdiction::parse(&j.id().to_uppercase()), Ok(j));
            assert_eq!(serde_json::to_value(j).unwrap(), serde_json::json!(j.id()));
        }
        assert!(Jurisdiction::parse("fr").unwrap_err().to_string().contains("`fr`"));
        let currencies: Vec<String> = Jurisdiction::ALL.iter().map(|j| j.currency().to_string()).collect();
        assert_eq!(currencies, ["USD", "GBP", "EUR", "CAD"]);
    }

    #[test]
    fn tax_years() {
        assert_eq!(Jurisdiction::Uk.tax_year(2024), Some((day("2024-04-06"), day("2025-04-05"))));
        assert_eq!(Jurisdiction::De.tax_year(2024), Some((day("2024-01-01"), day("2024-12-31"))));
        assert_eq!(Jurisdiction::Uk.tax_year_of(day("2025-04-05")), 2024);
        assert_eq!(Jurisdiction::Uk.tax_year_of(day("2025-04-06")), 2025);
        assert_eq!(Jurisdiction::Us.tax_year_of(day("2025-04-05")), 2025);
        assert_eq!(Jurisdiction::Uk.tax_year_label(2099), "2099/00");
        assert_eq!(Jurisdiction::Ca.tax_year_label(2024), "2024");
    }
}
