//! The venue catalog use cases.

use offramp_core::catalog::{parse_catalog, Venue, VenueKind};

use crate::{AppError, ErrorCode};

/// The built-in catalog's JSON (see `data/README.md`).
pub const BUILT_IN_CATALOG: &str = include_str!("../data/venues.json");

/// Every venue of the built-in catalog, or those of one kind (`exchange`, `p2p`, `otc`, `atm`, `card`, `ramp`).
pub fn venues(kind: Option<&str>) -> Result<Vec<Venue>, AppError> {
    let wanted = match kind {
        None => None,
        Some(k) => Some(match k {
            "exchange" => VenueKind::Exchange,
            "p2p" => VenueKind::P2p,
            "otc" => VenueKind::Otc,
            "atm" => VenueKind::Atm,
            "card" => VenueKind::Card,
            "ramp" => VenueKind::Ramp,
            other => {
                return Err(AppError::new(
                    ErrorCode::InvalidInput,
                    format!("kind: unknown venue kind `{other}` (exchange, p2p, otc, atm, card, ramp)"),
                ))
            }
        }),
    };
    let all = parse_catalog(BUILT_IN_CATALOG).map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?;
    Ok(all.into_iter().filter(|v| wanted.is_none_or(|k| v.kind == k)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use offramp_core::catalog::VenueStatus;
    use offramp_core::Decimal;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn the_built_in_catalog_reads_exactly() {
        let all = venues(None).unwrap();
        assert_eq!(all.len(), 28);
        let count = |k: VenueKind| all.iter().filter(|v| v.kind == k).count();
        assert_eq!(
            (count(VenueKind::Exchange), count(VenueKind::P2p), count(VenueKind::Otc), count(VenueKind::Atm)),
            (8, 7, 9, 4)
        );
        let closed: Vec<&str> = all.iter().filter(|v| v.status == VenueStatus::Closed).map(|v| v.id.as_str()).collect();
        assert_eq!(closed, ["localbitcoins", "paxful", "genesis"]);

        let kraken = all.iter().find(|v| v.id == "kraken").unwrap();
        assert_eq!((kraken.fees.maker_pct, kraken.fees.taker_pct), (Some(d("0.16")), Some(d("0.26"))));
        let taker: Vec<Decimal> = kraken.fees.tiers.iter().map(|t| t.taker_pct.unwrap()).collect();
        assert_eq!(taker, ["0.26", "0.24", "0.22", "0.2", "0.18", "0.16", "0.14", "0.12", "0.1"].map(d));
        let intermediate = kraken.withdrawal_limits.iter().find(|l| l.level == "Intermediate").unwrap();
        assert_eq!(
            (intermediate.fiat_per_day_usd, intermediate.fiat_per_month_usd),
            (Some(d("100000")), Some(d("500000")))
        );
        assert_eq!(intermediate.as_of.as_deref(), Some("2022-03-25"));
        let sepa = kraken.withdrawal_methods.iter().find(|m| m.method.starts_with("SEPA")).unwrap();
        assert_eq!(sepa.fee_fixed, None, "an unknown fee stays unknown");

        let otc = all.iter().find(|v| v.id == "kraken_otc").unwrap();
        assert_eq!(otc.min_ticket_usd, Some(d("50000")));
        assert_eq!(otc.typical_spread_pct, None);
        assert_eq!(all.iter().find(|v| v.id == "bitcoin_depot").unwrap().observed_fee_pct, Some(d("23")));
    }

    #[test]
    fn filtering_by_kind() {
        assert!(venues(Some("otc")).unwrap().iter().all(|v| v.kind == VenueKind::Otc));
        assert_eq!(venues(Some("bank")).unwrap_err().code, ErrorCode::InvalidInput);
    }
}
