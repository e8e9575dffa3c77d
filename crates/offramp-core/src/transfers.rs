//! Matching the two legs of moves between the user's own accounts: a withdrawal from one account (out-leg) and
//! the deposit into another (in-leg) of the same asset. Pure: candidates in, proposals and leftovers out.
//!
//! A pair is proposed when the asset is the same, the accounts differ, the in-leg arrives no earlier than the
//! out-leg left and within the time window, and the amount that arrived is the amount sent (a recorded fee is
//! charged on top of it), or short of it by at most the tolerance (a network fee the export did not record).
//! Among competing pairs the closest amounts win, then the shortest delay; each leg is used once.

use serde::Serialize;

use crate::money::Amount;
use crate::time::Timestamp;
use crate::Decimal;

/// One leg of a possible own transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leg {
    pub id: i64,
    pub account: String,
    pub timestamp: Timestamp,
    /// The quantity sent (out-leg) or received (in-leg).
    pub amount: Amount,
    /// The out-leg's fee, when the export recorded it (charged on top of `amount`; informative here).
    pub fee: Option<Amount>,
}

#[derive(Debug, Clone, Copy)]
pub struct MatchRules {
    /// The longest time between leaving and arriving.
    pub window_micros: i64,
    /// The largest unexplained shortfall, as a fraction of the amount sent (0.01 = 1 %).
    pub tolerance: Decimal,
}

impl Default for MatchRules {
    /// 72 hours (slow chains, exchange review holds) and 1 % (network fees the export did not record).
    fn default() -> Self {
        MatchRules { window_micros: 72 * 3600 * 1_000_000, tolerance: Decimal::new(1, 2) }
    }
}

/// A proposed link for the user to confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Proposal {
    pub out_id: i64,
    pub in_id: i64,
    /// Sent minus received: what the network or the receiving side kept.
    pub shortfall: Amount,
    pub delay_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Matching {
    pub proposals: Vec<Proposal>,
    /// Out-legs with no in-leg: sent to someone else (a disposal?) or to an account not in the ledger.
    pub unmatched_out: Vec<i64>,
    /// In-legs with no out-leg: their cost basis is unknown until their origin is recorded.
    pub unmatched_in: Vec<i64>,
}

/// Proposes links between out-legs and in-legs.
pub fn match_transfers(outs: &[Leg], ins: &[Leg], rules: MatchRules) -> Matching {
    let mut candidates: Vec<(Decimal, i64, usize, usize, Amount)> = Vec::new();
    for (oi, o) in outs.iter().enumerate() {
        for (ii, i) in ins.iter().enumerate() {
            if o.amount.code() != i.amount.code() || o.account == i.account {
                continue;
            }
            let delay = i.timestamp.unix_micros() - o.timestamp.unix_micros();
            if delay < 0 || delay > rules.window_micros {
                continue;
            }
            // The fee was charged on top of what was sent (the ledger's convention), so what should arrive is
            // the amount sent; anything less was kept by the network.
            let Ok(shortfall) = o.amount.try_sub(&i.amount) else { continue };
            if shortfall.is_negative() {
                continue; // more arrived than left: not this pair
            }
            let limit = o.amount.value() * rules.tolerance;
            if shortfall.value() > limit {
                continue;
            }
            candidates.push((shortfall.value(), delay, oi, ii, shortfall));
        }
    }
    candidates.sort_by_key(|c| (c.0, c.1, c.2, c.3));
    let (mut out_used, mut in_used) = (vec![false; outs.len()], vec![false; ins.len()]);
    let mut proposals = Vec::new();
    for (_, delay, oi, ii, shortfall) in candidates {
        if out_used[oi] || in_used[ii] {
            continue;
        }
        out_used[oi] = true;
        in_used[ii] = true;
        proposals.push(Proposal {
            out_id: outs[oi].id,
            in_id: ins[ii].id,
            shortfall,
            delay_seconds: delay / 1_000_000,
        });
    }
    proposals.sort_by_key(|p| p.out_id);
    Matching {
        proposals,
        unmatched_out: outs.iter().zip(&out_used).filter(|(_, u)| !**u).map(|(l, _)| l.id).collect(),
        unmatched_in: ins.iter().zip(&in_used).filter(|(_, u)| !**u).map(|(l, _)| l.id).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leg(id: i64, account: &str, ts: &str, amount: &str, fee: Option<&str>) -> Leg {
        Leg {
            id,
            account: account.into(),
            timestamp: Timestamp::parse_rfc3339(ts).unwrap(),
            amount: Amount::parse(amount).unwrap(),
            fee: fee.map(|f| Amount::parse(f).unwrap()),
        }
    }

    #[test]
    fn matches_exact_and_within_tolerance() {
        let outs = [
            leg(1, "Kraken", "2024-03-01T12:00:00Z", "0.05 BTC", Some("0.0001 BTC")),
            leg(2, "Coinbase", "2024-03-02T12:00:00Z", "1 ETH", None),
            leg(3, "Coinbase", "2024-03-03T12:00:00Z", "2 ETH", None),
        ];
        let ins = [
            leg(10, "Nano", "2024-03-01T12:40:00Z", "0.0499 BTC", None),
            leg(11, "Nano", "2024-03-02T13:00:00Z", "0.9995 ETH", None),
            leg(12, "Nano", "2024-03-03T12:30:00Z", "2 ETH", None),
        ];
        let m = match_transfers(&outs, &ins, MatchRules::default());
        assert_eq!(
            m.proposals.iter().map(|p| (p.out_id, p.in_id, p.shortfall.to_string())).collect::<Vec<_>>(),
            [(1, 10, "0.0001 BTC".to_string()), (2, 11, "0.0005 ETH".into()), (3, 12, "0 ETH".into())]
        );
        assert_eq!(m.proposals[0].delay_seconds, 2400);
        assert!(m.unmatched_in.is_empty() && m.unmatched_out.is_empty());
    }

    #[test]
    fn refuses_wrong_direction_time_asset_account_and_size() {
        let outs = [leg(1, "Kraken", "2024-03-01T12:00:00Z", "1 BTC", None)];
        let bad_ins = [
            leg(10, "Nano", "2024-03-01T11:59:59Z", "1 BTC", None), // arrived before it left
            leg(11, "Nano", "2024-03-05T12:00:01Z", "1 BTC", None), // after the window
            leg(12, "Nano", "2024-03-01T13:00:00Z", "1 ETH", None), // other asset
            leg(13, "Kraken", "2024-03-01T13:00:00Z", "1 BTC", None), // same account
            leg(14, "Nano", "2024-03-01T13:00:00Z", "0.98 BTC", None), // 2 % short
            leg(15, "Nano", "2024-03-01T13:00:00Z", "1.01 BTC", None), // more than sent
        ];
        let m = match_transfers(&outs, &bad_ins, MatchRules::default());
        assert!(m.proposals.is_empty());
        assert_eq!(m.unmatched_out, [1]);
        assert_eq!(m.unmatched_in, [10, 11, 12, 13, 14, 15]);
    }

    #[test]
    fn each_leg_is_used_once_closest_first() {
        let outs =
            [leg(1, "A", "2024-01-01T00:00:00Z", "1 BTC", None), leg(2, "A", "2024-01-01T00:10:00Z", "1 BTC", None)];
        let ins = [leg(10, "B", "2024-01-01T00:20:00Z", "1 BTC", None)];
        let m = match_transfers(&outs, &ins, MatchRules::default());
        assert_eq!(m.proposals.len(), 1);
        assert_eq!((m.proposals[0].out_id, m.proposals[0].in_id), (2, 10), "the shorter delay wins");
        assert_eq!(m.unmatched_out, [1]);
    }
}
