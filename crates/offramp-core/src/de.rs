//! German rules around the lot engine (BMF-Schreiben of 06.03.2025 on cryptoassets): private sales (§ 23 EStG)
//! are FIFO per wallet and tax-free after more than one year; gains of a calendar year stay tax-free below a
//! **Freigrenze** (a cliff, not an allowance), and so does income from services such as staking (§ 22 Nr. 3 EStG).

use serde::Serialize;

use crate::Decimal;

/// The Freigrenze for private sales (§ 23 Abs. 3 EStG, BMF 06.03.2025 Rz. 53): EUR 600 up to 2023, EUR 1,000 from
/// 2024. Gains stay tax-free if their total is **less** than this.
pub fn sales_freigrenze(year: i32) -> Decimal {
    if year >= 2024 {
        Decimal::from(1000)
    } else {
        Decimal::from(600)
    }
}

/// The Freigrenze for income from services such as staking and lending (§ 22 Nr. 3 EStG): EUR 256 a year.
pub const SERVICES_FREIGRENZE: Decimal = Decimal::from_parts(256, 0, 0, false, 0);

/// What a Freigrenze does to a year's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Below the limit: tax-free (if the year's total from every source of that kind stays below it).
    Below,
    /// At or above the limit: all of it is taxable (a cliff).
    Reached,
    /// Rows of the year have an unknown value, so the total and the verdict are not known: resolve them first.
    Uncertain,
}

/// A Freigrenze applied to a year's total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Freigrenze {
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub limit: Decimal,
    pub verdict: Verdict,
}

impl Freigrenze {
    /// `total` against `limit`: tax-free only when strictly below.
    pub fn apply(limit: Decimal, total: Decimal) -> Freigrenze {
        Freigrenze { limit, verdict: if total < limit { Verdict::Below } else { Verdict::Reached } }
    }

    /// As [`Freigrenze::apply`], with `unknown` rows of the year left out of `total`. Their values could be
    /// gains or losses (`only_add` false: private sales) or only add (`only_add` true: income), so the verdict is
    /// uncertain unless the known total already reaches the limit and the unknown rows can only add to it.
    pub fn apply_with_unknown(limit: Decimal, total: Decimal, unknown: usize, only_add: bool) -> Freigrenze {
        let known = Freigrenze::apply(limit, total);
        if unknown == 0 || (only_add && known.verdict == Verdict::Reached) {
            known
        } else {
            Freigrenze { limit, verdict: Verdict::Uncertain }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_freigrenze_is_a_cliff() {
        assert_eq!(sales_freigrenze(2023), Decimal::from(600));
        assert_eq!(sales_freigrenze(2024), Decimal::from(1000));
        assert_eq!(Freigrenze::apply(Decimal::from(1000), Decimal::from(999)).verdict, Verdict::Below);
        assert_eq!(Freigrenze::apply(Decimal::from(1000), Decimal::from(1000)).verdict, Verdict::Reached);
        assert_eq!(Freigrenze::apply(SERVICES_FREIGRENZE, Decimal::from(256)).verdict, Verdict::Reached);
    }

    #[test]
    fn unknown_rows_make_the_verdict_uncertain() {
        let f = |total: i64, unknown, only_add| {
            Freigrenze::apply_with_unknown(Decimal::from(1000), Decimal::from(total), unknown, only_add).verdict
        };
        assert_eq!(f(10, 0, false), Verdict::Below);
        assert_eq!(f(10, 1, false), Verdict::Uncertain);
        // Sales: an unknown row may be a loss that brings a total above the limit back below it.
        assert_eq!(f(5000, 1, false), Verdict::Uncertain);
        // Income only adds: reached stays reached, below becomes uncertain.
        assert_eq!(f(5000, 1, true), Verdict::Reached);
        assert_eq!(f(10, 1, true), Verdict::Uncertain);
    }
}
