//! United States rules around the lot engine: the move from universal to per-account (per-wallet) basis on
//! 1 January 2025 (Treas. Reg. §1.1012-1(j), Rev. Proc. 2024-28), and where each disposal goes on Form 8949 and
//! Schedule D (boxes A-F before 2025, G-L for digital assets from 2025 with Form 1099-DA).

use serde::{Deserialize, Serialize};

use crate::holding::Term;

/// The first instant of per-account basis (1 January 2025, UTC for now).
pub fn per_account_from() -> crate::Timestamp {
    crate::Timestamp::from_unix_micros(1_735_689_600_000_000)
}

/// What the seller received from brokers for the year's digital-asset sales (tax years 2025 on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "kebab-case")]
pub enum Reported {
    /// No Form 1099-DA: boxes I / L (C / F before 2025).
    None,
    /// A 1099-DA showing cost basis: boxes G / J.
    WithBasis,
    /// A 1099-DA without basis: boxes H / K.
    WithoutBasis,
}

impl Reported {
    /// Reads `none`, `with-basis` or `without-basis`.
    pub fn parse(text: &str) -> Option<Reported> {
        match text {
            "none" => Some(Reported::None),
            "with-basis" => Some(Reported::WithBasis),
            "without-basis" => Some(Reported::WithoutBasis),
            _ => None,
        }
    }
}

/// The Form 8949 check box for a row.
pub fn box_for(year: i32, term: Term, reported: Reported) -> char {
    use Term::*;
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

/// Form 8949's part for a term: Part I short-term, Part II long-term.
pub fn part_for(term: Term) -> &'static str {
    match term {
        Term::Short => "I",
        Term::Long => "II",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cutoff_is_new_year_2025() {
        assert_eq!(per_account_from().to_rfc3339(), "2025-01-01T00:00:00Z");
    }

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
        assert_eq!(Reported::parse("maybe"), None);
        assert_eq!(Reported::parse("with-basis"), Some(Reported::WithBasis));
    }
}
