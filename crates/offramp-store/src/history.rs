//! Every transaction at once, for reports: one pass over the table in storage order (the fastest read SQLite
//! has), each value parsed from SQLite's own buffer without an intermediate string, then put in (time, id) order.
//! Imports write files in time order, so the table is already in order or made of a few ordered runs: checking
//! that costs one pass, and sorting runs is close to linear.

use std::collections::HashMap;

use offramp_core::{Amount, Timestamp, Transaction, TxKind};
use rusqlite::types::ValueRef;

use crate::query::{stored_amount, stored_text};
use crate::{Ledger, StoreError};

/// Every transaction of the ledger in (time, id) order, with where each came from.
#[derive(Debug, Default)]
pub struct AllTransactions {
    /// (id, transaction), in (time, id) order.
    pub txs: Vec<(i64, Transaction)>,
    /// Where each transaction of `txs` (same position) came from: an index into `files`, and the line.
    pub origins: Vec<(u32, u64)>,
    /// The imported files' names.
    pub files: Vec<String>,
}

/// How often reading reports progress (rows).
const PROGRESS_EVERY: u64 = 65_536;

fn bad(column: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt { path: "the ledger".into(), detail: format!("a stored {column} cannot be read: {detail}") }
}

fn text<'a>(v: ValueRef<'a>, column: &str) -> Result<Option<&'a str>, StoreError> {
    stored_text(v).map_err(|e| bad(column, e))
}

fn amount(value: ValueRef, code: ValueRef, column: &str) -> Result<Option<Amount>, StoreError> {
    stored_amount(value, code).map_err(|e| bad(column, e))
}

impl Ledger {
    /// Every transaction, in (time, id) order, with its source. `progress` is called with (read, total) now and
    /// then; returning `false` stops with [`StoreError::Cancelled`].
    pub fn all_transactions(&self, progress: &mut dyn FnMut(u64, u64) -> bool) -> Result<AllTransactions, StoreError> {
        let total = self.transaction_count()?;
        let accounts: HashMap<i64, String> = self
            .conn
            .prepare("SELECT id, name FROM accounts")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut files = Vec::new();
        let mut file_index: HashMap<i64, u32> = HashMap::new();
        for row in self
            .conn
            .prepare("SELECT id, file_name FROM sources")?
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        {
            let (id, name) = row?;
            file_index.insert(id, u32::try_from(files.len()).unwrap_or(u32::MAX));
            files.push(name);
        }
        let capacity = usize::try_from(total).unwrap_or(0);
        let mut txs: Vec<(i64, Transaction)> = Vec::with_capacity(capacity);
        let mut origins: Vec<(u32, u64)> = Vec::with_capacity(capacity);
        let mut stmt = self.conn.prepare(
            "SELECT id, ts_us, account_id, kind, sent_amount, sent_asset, received_amount, received_asset,
                    fee_amount, fee_asset, value_amount, value_currency, external_id, note, source_id, source_line
             FROM transactions WHERE retired = 0",
        )?;
        let mut rows = stmt.query([])?;
        // The last account seen (rows come in runs of one account): its name is cloned, not looked up.
        let mut last_account: Option<(i64, &String)> = None;
        while let Some(r) = rows.next()? {
            let account_id: i64 = r.get(2)?;
            let account = match last_account {
                Some((id, name)) if id == account_id => name,
                _ => {
                    let name = accounts.get(&account_id).ok_or_else(|| bad("account", account_id))?;
                    last_account = Some((account_id, name));
                    name
                }
            };
            let kind_text = text(r.get_ref(3)?, "kind")?.unwrap_or("");
            let kind: TxKind = kind_text.parse().map_err(|e| bad("kind", e))?;
            let tx = Transaction {
                timestamp: Timestamp::from_unix_micros(r.get(1)?),
                account: account.clone(),
                kind,
                sent: amount(r.get_ref(4)?, r.get_ref(5)?, "sent amount")?,
                received: amount(r.get_ref(6)?, r.get_ref(7)?, "received amount")?,
                fee: amount(r.get_ref(8)?, r.get_ref(9)?, "fee")?,
                fiat_value: amount(r.get_ref(10)?, r.get_ref(11)?, "fiat value")?,
                external_id: text(r.get_ref(12)?, "external id")?.map(str::to_string),
                note: text(r.get_ref(13)?, "note")?.unwrap_or("").to_string(),
            };
            let source: i64 = r.get(14)?;
            let file = *file_index.get(&source).ok_or_else(|| bad("source", source))?;
            let line = u64::try_from(r.get::<_, i64>(15)?).unwrap_or(0);
            txs.push((r.get(0)?, tx));
            origins.push((file, line));
            let done = txs.len() as u64;
            if done.is_multiple_of(PROGRESS_EVERY) && !progress(done, total.max(done)) {
                return Err(StoreError::Cancelled);
            }
        }
        if !progress(txs.len() as u64, txs.len() as u64) {
            return Err(StoreError::Cancelled);
        }
        let key = |t: &(i64, Transaction)| (t.1.timestamp, t.0);
        if !txs.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
            let mut order: Vec<u32> = (0..u32::try_from(txs.len()).map_err(|_| bad("row count", txs.len()))?).collect();
            order.sort_by_key(|&i| key(&txs[i as usize]));
            permute(&mut txs, &mut origins, &mut order);
        }
        Ok(AllTransactions { txs, origins, files })
    }
}

/// Puts `a` and `b` in `order` in place: afterwards position `i` holds what was at `order[i]` (`order` is used
/// up). Each cycle of the permutation is followed once, by swaps.
fn permute<A, B>(a: &mut [A], b: &mut [B], order: &mut [u32]) {
    for i in 0..order.len() {
        let mut j = i;
        loop {
            let k = order[j] as usize;
            order[j] = j as u32;
            if k == i || k == j {
                break;
            }
            a.swap(j, k);
            b.swap(j, k);
            j = k;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permute_puts_each_element_where_the_order_says() {
        for n in [0usize, 1, 2, 5, 64] {
            // A few permutations: reversed, rotated, a fixed shuffle.
            let orders: Vec<Vec<u32>> = vec![
                (0..n as u32).rev().collect(),
                (0..n as u32).map(|i| (i + 3) % n.max(1) as u32).collect(),
                (0..n as u32).map(|i| (i * 7 + 1) % n.max(1) as u32).collect(),
            ];
            for order in orders.into_iter().filter(|o| {
                let mut s = o.clone();
                s.sort_unstable();
                s == (0..n as u32).collect::<Vec<_>>()
            }) {
                let mut a: Vec<u32> = (0..n as u32).map(|i| i * 10).collect();
                let mut b: Vec<String> = (0..n).map(|i| i.to_string()).collect();
                let mut o = order.clone();
                permute(&mut a, &mut b, &mut o);
                for (i, &k) in order.iter().enumerate() {
                    assert_eq!(a[i], k * 10);
                    assert_eq!(b[i], k.to_string());
                }
            }
        }
    }
}
