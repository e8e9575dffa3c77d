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
}
