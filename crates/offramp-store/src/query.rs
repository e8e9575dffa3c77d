//! Reading the ledger: accounts and transactions, filtered and paged for the UI and the CLI.

use offramp_core::money::parse_decimal;
use offramp_core::{Amount, Code, Timestamp, TxKind};
use rusqlite::params;
use rusqlite::types::{Value, ValueRef};
use serde::Serialize;

use crate::{Ledger, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub venue: String,
    pub holder: String,
    pub transactions: u64,
}

/// A stored transaction with where it came from. Serialized flat: the transaction's fields beside `id`,
/// `needs_price` and the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TxRow {
    pub id: i64,
    #[serde(flatten)]
    pub tx: offramp_core::Transaction,
    pub needs_price: bool,
    pub source_file: String,
    pub source_line: u64,
    /// Voided or replaced by a hand edit (see `offramp tx history`): listed, but in no report.
    pub retired: bool,
}

impl std::ops::Deref for TxRow {
    type Target = offramp_core::Transaction;
    fn deref(&self) -> &offramp_core::Transaction {
        &self.tx
    }
}

/// Filters for listing transactions. Pages are by keyset: pass the last row's `(timestamp, id)` as `after`.
#[derive(Debug, Clone, Default)]
pub struct TxFilter {
    pub account: Option<String>,
    pub asset: Option<Code>,
    pub kind: Option<TxKind>,
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub after: Option<(Timestamp, i64)>,
    pub limit: u32,
    /// Also the rows hand edits voided or replaced (the transaction list shows them, marked); otherwise only the
    /// rows reports read.
    pub include_retired: bool,
}

fn corrupt(what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, what.into())
}

/// A stored text value, read in SQLite's own buffer (NULL: `None`).
pub(crate) fn stored_text(v: ValueRef<'_>) -> Result<Option<&str>, String> {
    match v {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => std::str::from_utf8(t).map(Some).map_err(|e| e.to_string()),
        other => Err(format!("{:?} instead of text", other.data_type())),
    }
}

/// A stored amount (decimal text and code), parsed without copying the text; `None` when either is NULL.
pub(crate) fn stored_amount(value: ValueRef<'_>, code: ValueRef<'_>) -> Result<Option<Amount>, String> {
    match (stored_text(value)?, stored_text(code)?) {
        (Some(v), Some(c)) => {
            let value = parse_decimal(v).map_err(|e| format!("stored amount {v}: {e}"))?;
            let code = Code::parse(c).map_err(|e| format!("stored code {c}: {e}"))?;
            Ok(Some(Amount::new(value, code)))
        }
        _ => Ok(None),
    }
}

fn amount(r: &rusqlite::Row, value: usize) -> rusqlite::Result<Option<Amount>> {
    stored_amount(r.get_ref(value)?, r.get_ref(value + 1)?).map_err(corrupt)
}

impl Ledger {
    pub fn accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.name, a.venue, a.holder, (SELECT count(*) FROM transactions t WHERE t.account_id = a.id)
             FROM accounts a ORDER BY a.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AccountRow {
                id: r.get(0)?,
                name: r.get(1)?,
                venue: r.get(2)?,
                holder: r.get(3)?,
                transactions: r.get::<_, i64>(4)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The transactions with these ids, in (time, id) order; ids not in the ledger are left out.
    pub fn transactions_by_id(&self, ids: &[i64]) -> Result<Vec<TxRow>, StoreError> {
        let mut rows = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let marks = vec!["?"; chunk.len()].join(",");
            let sql = format!(
                "SELECT t.id, t.ts_us, a.name, t.kind, t.sent_amount, t.sent_asset, t.received_amount,
                        t.received_asset, t.fee_amount, t.fee_asset, t.value_amount, t.value_currency, t.external_id,
                        t.note, s.file_name, t.source_line, t.retired
                 FROM transactions t JOIN accounts a ON a.id = t.account_id JOIN sources s ON s.id = t.source_id
                 WHERE t.id IN ({marks})"
            );
            let mut stmt = self.conn.prepare(&sql)?;
            let found = stmt.query_map(rusqlite::params_from_iter(chunk.iter()), tx_row)?;
            for r in found {
                rows.push(r?);
            }
        }
        rows.sort_by_key(|r| (r.tx.timestamp, r.id));
        Ok(rows)
    }

    /// The time of the earliest transaction, if any.
    pub fn first_transaction_time(&self) -> Result<Option<offramp_core::Timestamp>, StoreError> {
        let us: Option<i64> = self.conn.query_row("SELECT min(ts_us) FROM transactions", [], |r| r.get(0))?;
        Ok(us.map(offramp_core::Timestamp::from_unix_micros))
    }

    pub fn transaction_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row("SELECT count(*) FROM transactions", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Every transaction matching `filter` (its `limit` is ignored), in time order, handed to `each` one at a
    /// time; read window by window so memory stays bounded.
    pub fn each_transaction(
        &self,
        filter: &TxFilter,
        each: &mut dyn FnMut(TxRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.scan(filter, None, each)
    }

    /// One page of transactions in time order (then by id), filtered; at most `filter.limit` rows (1 to 10,000).
    pub fn transactions(&self, filter: &TxFilter) -> Result<Vec<TxRow>, StoreError> {
        let mut rows = Vec::new();
        self.scan(filter, Some(u64::from(filter.limit.clamp(1, 10_000))), &mut |r| {
            rows.push(r);
            Ok(())
        })?;
        Ok(rows)
    }

    /// Reads the transactions matching `filter` in (time, id) order, up to `limit` of them.
    ///
    /// The only index on transactions leads with the account (see migration 5), so there is no single index in
    /// time order across accounts. The rows are read in time windows instead: each window is one query that seeks
    /// into every account's range of the index and sorts only the rows inside the window. The window's width
    /// follows the rows it found (aiming at what is still needed for a page, or [`WINDOW_ROWS`] when everything
    /// is read), so a first page reads about a page of rows, and a rare filter widens the window quickly.
    fn scan(
        &self,
        filter: &TxFilter,
        limit: Option<u64>,
        each: &mut dyn FnMut(TxRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        // The time span of the accounts' rows, from the index.
        let (Some(first), Some(last)) = (self.edge(filter, Edge::FirstFrom(i64::MIN))?, self.edge(filter, Edge::Last)?)
        else {
            return Ok(());
        };
        let mut lo = first;
        if let Some(from) = filter.from {
            lo = lo.max(from.unix_micros());
        }
        if let Some((ts, _)) = filter.after {
            lo = lo.max(ts.unix_micros());
        }
        let mut end = last.saturating_add(1);
        if let Some(until) = filter.until {
            end = end.min(until.unix_micros());
        }
        if lo >= end {
            return Ok(());
        }

        let (sql, mut args) = window_query(filter, limit.is_some());
        let mut stmt = self.conn.prepare_cached(&sql)?;
        // The first window's width, from the ledger's average density (the highest id approximates the count).
        let rows_estimate: i64 =
            self.conn.query_row("SELECT ifnull(max(id), 1) FROM transactions", [], |r| r.get(0))?;
        let target = |left: Option<u64>| left.map_or(WINDOW_ROWS, |n| n.min(WINDOW_ROWS)).max(1) as i128;
        let full_span = i128::from(last) - i128::from(first) + 1;
        let mut width = clamp_width(full_span * target(limit) / i128::from(rows_estimate.max(1)));
        let mut left = limit;
        while lo < end && left != Some(0) {
            let hi = lo.saturating_add(width).min(end);
            args[0] = Value::Integer(lo);
            args[1] = Value::Integer(hi);
            if let Some(n) = left {
                *args.last_mut().expect("a paged query ends with its limit") = Value::Integer(n as i64);
            }
            let mut found = 0u64;
            let mut rows = stmt.query(rusqlite::params_from_iter(args.iter()))?;
            while let Some(r) = rows.next()? {
                each(tx_row(r)?)?;
                found += 1;
            }
            left = left.map(|n| n - found.min(n));
            lo = hi;
            if found == 0 {
                // Nothing here: skip a gap in the history straight to the next row (so one early outlier does not
                // stretch the windows over years of rows); where rows were there but did not match, widen.
                match self.edge(filter, Edge::FirstFrom(hi))? {
                    None => break,
                    Some(next) if next > hi => lo = next,
                    Some(_) => width = clamp_width(i128::from(width) * 8),
                }
            } else {
                // As wide as the density just seen says the rest needs, growing at most 8-fold.
                width = clamp_width((i128::from(width) * target(left) / found as i128).min(i128::from(width) * 8));
            }
        }
        Ok(())
    }
}

/// An end of the accounts' history (of the filter's account, or of all), read from the index.
#[derive(Clone, Copy)]
enum Edge {
    /// The time of the first row at or after this instant.
    FirstFrom(i64),
    /// The time of the last row.
    Last,
}

impl Ledger {
    /// One seek per account into `transactions_by_account_time`; `None` when there is no such row.
    fn edge(&self, filter: &TxFilter, edge: Edge) -> rusqlite::Result<Option<i64>> {
        let (sql, from) = match edge {
            Edge::FirstFrom(from) => (
                "SELECT min(n) FROM (
                    SELECT (SELECT ts_us FROM transactions WHERE account_id = a.id AND ts_us >= ?1
                            ORDER BY ts_us LIMIT 1) AS n
                    FROM accounts a WHERE ?2 IS NULL OR a.name = ?2)",
                from,
            ),
            Edge::Last => (
                "SELECT max(n) FROM (
                    SELECT (SELECT ts_us FROM transactions WHERE account_id = a.id AND ts_us >= ?1
                            ORDER BY ts_us DESC LIMIT 1) AS n
                    FROM accounts a WHERE ?2 IS NULL OR a.name = ?2)",
                i64::MIN,
            ),
        };
        self.conn.prepare_cached(sql)?.query_row(params![from, filter.account.as_deref()], |r| r.get(0))
    }
}

/// Rows a time window aims at when every matching transaction is read.
const WINDOW_ROWS: u64 = 8_192;

fn clamp_width(w: i128) -> i64 {
    w.clamp(1, i128::from(i64::MAX)) as i64
}

/// The query for one time window: `?1` and `?2` are the window `[lo, hi)`, then the filter's values, then (for a
/// page) the number of rows still wanted. The accounts are the outer loop (`CROSS JOIN` keeps that order), each
/// one a seek into `transactions_by_account_time`; only the window's rows are sorted.
fn window_query(filter: &TxFilter, paged: bool) -> (String, Vec<Value>) {
    let mut sql = String::from(
        "SELECT t.id, t.ts_us, a.name, t.kind, t.sent_amount, t.sent_asset, t.received_amount, t.received_asset,
                t.fee_amount, t.fee_asset, t.value_amount, t.value_currency, t.external_id, t.note,
                s.file_name, t.source_line, t.retired
         FROM accounts a CROSS JOIN transactions t ON t.account_id = a.id JOIN sources s ON s.id = t.source_id
         WHERE t.ts_us >= ?1 AND t.ts_us < ?2",
    );
    if !filter.include_retired {
        sql.push_str(" AND t.retired = 0");
    }
    let mut args: Vec<Value> = vec![Value::Null, Value::Null];
    if let Some(name) = &filter.account {
        sql.push_str(" AND a.name = ?");
        args.push(Value::Text(name.clone()));
    }
    if let Some(asset) = &filter.asset {
        sql.push_str(" AND (t.sent_asset = ? OR t.received_asset = ? OR t.fee_asset = ?)");
        for _ in 0..3 {
            args.push(Value::Text(asset.as_str().to_string()));
        }
    }
    if let Some(kind) = &filter.kind {
        sql.push_str(" AND t.kind = ?");
        args.push(Value::Text(kind.as_str().to_string()));
    }
    if let Some((ts, id)) = filter.after {
        sql.push_str(" AND (t.ts_us, t.id) > (?, ?)");
        args.push(Value::Integer(ts.unix_micros()));
        args.push(Value::Integer(id));
    }
    sql.push_str(" ORDER BY t.ts_us, t.id");
    if paged {
        sql.push_str(" LIMIT ?");
        args.push(Value::Null);
    }
    (sql, args)
}

fn tx_row(r: &rusqlite::Row) -> rusqlite::Result<TxRow> {
    let kind_text: String = r.get(3)?;
    let kind: TxKind = kind_text.parse().map_err(corrupt)?;
    let tx = offramp_core::Transaction {
        timestamp: Timestamp::from_unix_micros(r.get(1)?),
        account: r.get(2)?,
        kind,
        sent: amount(r, 4)?,
        received: amount(r, 6)?,
        fee: amount(r, 8)?,
        fiat_value: amount(r, 10)?,
        external_id: r.get(12)?,
        note: r.get(13)?,
    };
    Ok(TxRow {
        id: r.get(0)?,
        needs_price: tx.needs_price(),
        tx,
        source_file: r.get(14)?,
        source_line: r.get::<_, i64>(15)? as u64,
        retired: r.get::<_, i64>(16)? != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Key;

    /// Every row as (id, time, account, kind, assets), in (time, id) order, read straight from the table.
    type Plain = (i64, i64, String, String, [Option<String>; 3]);

    fn reference(l: &Ledger) -> Vec<Plain> {
        let mut stmt = l
            .conn
            .prepare(
                "SELECT t.id, t.ts_us, a.name, t.kind, t.sent_asset, t.received_asset, t.fee_asset
                 FROM transactions t JOIN accounts a ON a.id = t.account_id ORDER BY t.ts_us, t.id",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, [r.get(4)?, r.get(5)?, r.get(6)?])))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    fn matches(p: &Plain, f: &TxFilter) -> bool {
        f.account.as_ref().is_none_or(|a| *a == p.2)
            && f.asset.is_none_or(|c| p.4.iter().any(|x| x.as_deref() == Some(c.as_str())))
            && f.kind.is_none_or(|k| k.as_str() == p.3)
            && f.from.is_none_or(|t| p.1 >= t.unix_micros())
            && f.until.is_none_or(|t| p.1 < t.unix_micros())
            && f.after.is_none_or(|(t, id)| (p.1, p.0) > (t.unix_micros(), id))
    }

    /// A history shaped to trip a windowed reader: accounts of very different sizes (one with no sells, one
    /// with a single row), an outlier years before everything else, a gap, and hundreds of rows in one instant.
    fn ledger(dir: &std::path::Path) -> Ledger {
        let mut text = String::from("timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n");
        let mut seed: u64 = 7;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let start = Timestamp::parse_rfc3339("2021-01-01T00:00:00Z").unwrap().unix_micros();
        let row = |ts: i64, kind: &str, account: &str, asset: &str| match kind {
            "buy" => format!("{},buy,{account},10,USD,0.001,{asset}\n", Timestamp::from_unix_micros(ts)),
            "sell" => format!("{},sell,{account},0.001,{asset},10,USD\n", Timestamp::from_unix_micros(ts)),
            _ => format!("{},staking,{account},,,0.001,{asset}\n", Timestamp::from_unix_micros(ts)),
        };
        text.push_str(&row(
            Timestamp::parse_rfc3339("2010-06-01T00:00:00Z").unwrap().unix_micros(),
            "buy",
            "Old",
            "BTC",
        ));
        let mut ts = start;
        for i in 0..3000u64 {
            // Mostly a few minutes apart, a gap of a year at row 1500, then a burst in one instant.
            ts += match i {
                1500 => 365 * 86_400_000_000,
                2000..=2299 => 0,
                _ => 1 + next(600) as i64 * 1_000_000,
            };
            let (account, kinds): (&str, &[&str]) = match next(10) {
                0..=5 => ("Big", &["buy", "sell", "staking"]),
                6..=8 => ("Holder", &["buy", "staking"]),
                _ => ("Small", &["buy", "sell"]),
            };
            let kind = kinds[next(kinds.len() as u64) as usize];
            let asset = ["BTC", "ETH", "SOL"][next(3) as usize];
            text.push_str(&row(ts, kind, account, asset));
        }
        let csv = dir.join("h.csv");
        std::fs::write(&csv, text).unwrap();
        let mut l = Ledger::create(&dir.join("l"), &Key::Passphrase("k".into())).unwrap();
        l.import_files(&[csv], Timestamp::from_unix_micros(0), &mut |_, _| true).unwrap();
        l
    }

    /// Reading everything at once for reports gives what the ordered scan gives (ids, transactions, sources),
    /// also when a later import holds rows older than the first one's (the table is then out of time order).
    #[test]
    fn all_transactions_reads_what_the_ordered_scan_reads() {
        let tmp = tempfile::tempdir().unwrap();
        let mut l = ledger(tmp.path());
        let mut text =
            String::from("timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,note\n");
        let start = Timestamp::parse_rfc3339("2020-12-31T23:00:00Z").unwrap().unix_micros();
        for i in 0..400i64 {
            // Interleaved with the first file's rows, some at the very instant of its burst, with notes.
            let ts = Timestamp::from_unix_micros(start + i * 1_900_000_000 + i % 3);
            text.push_str(&format!("{ts},buy,Late,{i}.25,USD,0.5,ETH,note {i}\n"));
        }
        let burst = reference(&l)[2100].1;
        text.push_str(&format!("{},sell,Big,0.002,BTC,10,USD,\n", Timestamp::from_unix_micros(burst)));
        let csv = tmp.path().join("late.csv");
        std::fs::write(&csv, text).unwrap();
        l.import_files(&[csv], Timestamp::from_unix_micros(0), &mut |_, _| true).unwrap();

        let mut expected = Vec::new();
        l.each_transaction(&TxFilter::default(), &mut |r| {
            expected.push((r.id, r.tx.clone(), r.source_file.clone(), r.source_line));
            Ok(())
        })
        .unwrap();
        let mut calls = 0;
        let all = l
            .all_transactions(&mut |_, _| {
                calls += 1;
                true
            })
            .unwrap();
        assert!(calls > 0);
        let got: Vec<_> = all
            .txs
            .iter()
            .zip(&all.origins)
            .map(|((id, tx), (file, line))| (*id, tx.clone(), all.files[*file as usize].clone(), *line))
            .collect();
        assert_eq!(got.len(), 3402);
        assert_eq!(got, expected);
        assert!(matches!(l.all_transactions(&mut |_, _| false), Err(StoreError::Cancelled)));
    }

    /// Every filter, read whole and page by page (pages of 1, 7 and 100 rows), gives exactly the rows a plain
    /// sort of the table gives, in the same order.
    #[test]
    fn windows_read_what_a_full_sort_reads() {
        let tmp = tempfile::tempdir().unwrap();
        let l = ledger(tmp.path());
        let all = reference(&l);
        assert_eq!(all.len(), 3001);
        let at = |s: &str| Some(Timestamp::parse_rfc3339(s).unwrap());
        let mid = &all[1700];
        let filters = [
            TxFilter::default(),
            TxFilter { account: Some("Big".into()), ..Default::default() },
            TxFilter { account: Some("Small".into()), kind: Some(TxKind::Sell), ..Default::default() },
            TxFilter { account: Some("Old".into()), ..Default::default() },
            TxFilter { account: Some("Nobody".into()), ..Default::default() },
            TxFilter { kind: Some(TxKind::Sell), ..Default::default() },
            TxFilter { asset: Some(Code::parse("SOL").unwrap()), kind: Some(TxKind::Staking), ..Default::default() },
            TxFilter { from: at("2021-01-02T00:00:00Z"), until: at("2022-06-01T00:00:00Z"), ..Default::default() },
            TxFilter { from: at("2030-01-01T00:00:00Z"), ..Default::default() },
            TxFilter { after: Some((Timestamp::from_unix_micros(mid.1), mid.0)), ..Default::default() },
        ];
        for f in filters {
            let expected: Vec<i64> = all.iter().filter(|p| matches(p, &f)).map(|p| p.0).collect();
            let mut whole = Vec::new();
            l.each_transaction(&f, &mut |r| {
                whole.push(r.id);
                Ok(())
            })
            .unwrap();
            assert_eq!(whole, expected, "{f:?}");
            for limit in [1, 7, 100] {
                let mut paged = Vec::new();
                let mut page_filter = TxFilter { limit, ..f.clone() };
                loop {
                    let page = l.transactions(&page_filter).unwrap();
                    assert!(page.len() <= limit as usize);
                    paged.extend(page.iter().map(|r| r.id));
                    match page.last() {
                        Some(r) if page.len() == limit as usize => page_filter.after = Some((r.timestamp, r.id)),
                        _ => break,
                    }
                    if limit == 1 && paged.len() > 400 {
                        break; // enough single-row pages (through the burst) for the slow case
                    }
                }
                let n = paged.len();
                assert_eq!(paged, expected[..n], "{f:?} limit {limit}");
                assert!(n == expected.len() || (limit == 1 && n > 400), "{f:?} limit {limit}");
            }
        }
    }

    /// A window is one query that seeks into each account's range of the index, not a scan of the table.
    #[test]
    fn a_window_seeks_the_index() {
        let tmp = tempfile::tempdir().unwrap();
        let l = Ledger::create(&tmp.path().join("l"), &Key::Passphrase("k".into())).unwrap();
        let (sql, args) = window_query(&TxFilter { kind: Some(TxKind::Sell), ..Default::default() }, true);
        let plan: Vec<String> = l
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter().any(|p| p
                .contains("SEARCH t USING INDEX transactions_by_account_time (account_id=? AND ts_us>? AND ts_us<?)")),
            "{plan:?}"
        );
        assert!(!plan.iter().any(|p| p.starts_with("SCAN t")), "{plan:?}");
    }
}
