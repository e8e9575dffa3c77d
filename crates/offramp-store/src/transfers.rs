//! Own-transfer links: proposals are computed by the core; the user's confirmations and rejections are stored.

use offramp_core::money::parse_decimal;
use offramp_core::transfers::{match_transfers, Leg, MatchRules, Matching};
use offramp_core::{Amount, Code, Timestamp};
use rusqlite::params;
use serde::Serialize;

use crate::{Ledger, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum LinkStatus {
    Confirmed,
    Rejected,
}

impl LinkStatus {
    fn as_str(&self) -> &'static str {
        match self {
            LinkStatus::Confirmed => "confirmed",
            LinkStatus::Rejected => "rejected",
        }
    }
}

fn leg_from_row(r: &rusqlite::Row) -> rusqlite::Result<Leg> {
    let amount_text: String = r.get(3)?;
    let code_text: String = r.get(4)?;
    let bad = |what: String| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, what.into());
    let code = Code::parse(&code_text).map_err(|e| bad(e.to_string()))?;
    let value = parse_decimal(&amount_text).map_err(|e| bad(e.to_string()))?;
    let fee = match (r.get::<_, Option<String>>(5)?, r.get::<_, Option<String>>(6)?) {
        (Some(v), Some(c)) => Some(Amount::new(
            parse_decimal(&v).map_err(|e| bad(e.to_string()))?,
            Code::parse(&c).map_err(|e| bad(e.to_string()))?,
        )),
        _ => None,
    };
    Ok(Leg {
        id: r.get(0)?,
        account: r.get(1)?,
        timestamp: Timestamp::from_unix_micros(r.get(2)?),
        amount: Amount::new(value, code),
        fee,
    })
}

impl Ledger {
    /// Transfer legs not yet confirmed as linked, and pairs the user rejected are not proposed again.
    pub fn match_transfers(&self, rules: MatchRules) -> Result<Matching, StoreError> {
        let legs = |direction: &str| -> Result<Vec<Leg>, StoreError> {
            let (amount, asset, kind, side) = match direction {
                "out" => ("t.sent_amount", "t.sent_asset", "transfer_out", "out_tx"),
                _ => ("t.received_amount", "t.received_asset", "transfer_in", "in_tx"),
            };
            let sql = format!(
                "SELECT t.id, a.name, t.ts_us, {amount}, {asset}, t.fee_amount, t.fee_asset
                 FROM transactions t JOIN accounts a ON a.id = t.account_id
                 WHERE t.kind = '{kind}' AND t.retired = 0
                   AND t.id NOT IN (SELECT {side} FROM transfer_links WHERE status = 'confirmed')
                 ORDER BY t.ts_us, t.id"
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let rows = stmt.query_map([], leg_from_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        };
        let (outs, ins) = (legs("out")?, legs("in")?);
        // Rejected pairs must not come back: match, drop rejected proposals, and report their legs as unmatched.
        let mut rejected = std::collections::HashSet::new();
        let mut stmt = self.conn.prepare("SELECT out_tx, in_tx FROM transfer_links WHERE status = 'rejected'")?;
        for pair in stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))? {
            rejected.insert(pair?);
        }
        let mut m = match_transfers(&outs, &ins, rules);
        m.proposals.retain(|p| {
            let keep = !rejected.contains(&(p.out_id, p.in_id));
            if !keep {
                m.unmatched_out.push(p.out_id);
                m.unmatched_in.push(p.in_id);
            }
            keep
        });
        m.unmatched_out.sort_unstable();
        m.unmatched_in.sort_unstable();
        Ok(m)
    }

    /// Records the user's decision on a pair. Confirming checks that the ids are a transfer_out and a
    /// transfer_in of the same asset, and that neither leg is already linked.
    pub fn set_transfer_link(&mut self, out_id: i64, in_id: i64, status: LinkStatus) -> Result<(), StoreError> {
        self.set_transfer_links(&[(out_id, in_id)], status)
    }

    /// As [`Ledger::set_transfer_link`] for several links, in one transaction: all of them or none (a link that
    /// cannot be made names itself, and nothing is written).
    pub fn set_transfer_links(&mut self, links: &[(i64, i64)], status: LinkStatus) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for &(out_id, in_id) in links {
            let kind_asset = |id: i64, col: &str| -> Result<Option<(String, Option<String>)>, StoreError> {
                let sql = format!("SELECT kind, {col} FROM transactions WHERE id = ?1");
                match tx.query_row(&sql, [id], |r| Ok((r.get(0)?, r.get(1)?))) {
                    Ok(v) => Ok(Some(v)),
                    Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
                    Err(e) => Err(e.into()),
                }
            };
            let out = kind_asset(out_id, "sent_asset")?;
            let inn = kind_asset(in_id, "received_asset")?;
            let invalid = |m: String| StoreError::Invalid(m);
            match (&out, &inn) {
                (Some((ok, oa)), Some((ik, ia))) if ok == "transfer_out" && ik == "transfer_in" && oa == ia => {}
                (None, _) => return Err(invalid(format!("no transaction {out_id}"))),
                (_, None) => return Err(invalid(format!("no transaction {in_id}"))),
                _ => {
                    return Err(invalid(format!(
                        "transaction {out_id} and {in_id} are not a transfer out and a transfer in of the same asset"
                    )))
                }
            }
            if status == LinkStatus::Confirmed {
                let taken: i64 = tx.query_row(
                    "SELECT count(*) FROM transfer_links WHERE status = 'confirmed' AND (out_tx = ?1 OR in_tx = ?2)",
                    params![out_id, in_id],
                    |r| r.get(0),
                )?;
                if taken > 0 {
                    return Err(invalid(format!(
                        "transaction {out_id} or {in_id} is already linked to another transfer"
                    )));
                }
            }
            tx.execute("DELETE FROM transfer_links WHERE out_tx = ?1 AND in_tx = ?2", params![out_id, in_id])?;
            tx.execute(
                "INSERT INTO transfer_links (out_tx, in_tx, status) VALUES (?1, ?2, ?3)",
                params![out_id, in_id, status.as_str()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Confirmed links, as (out id, in id).
    pub fn confirmed_transfers(&self) -> Result<Vec<(i64, i64)>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT out_tx, in_tx FROM transfer_links WHERE status = 'confirmed' ORDER BY out_tx")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
