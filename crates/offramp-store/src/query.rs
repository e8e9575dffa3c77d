//! Reading the ledger: accounts and transactions, filtered and paged for the UI and the CLI.

use offramp_core::money::parse_decimal;
use offramp_core::{Amount, Code, Timestamp, TxKind};
use rusqlite::types::Value;
use serde::Serialize;

use crate::{Ledger, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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
pub struct TxRow {
    pub id: i64,
    #[serde(flatten)]
    pub tx: offramp_core::Transaction,
    pub needs_price: bool,
    pub source_file: String,
    pub source_line: u64,
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
}

fn corrupt(what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, what.into())
}

fn amount(value: Option<String>, code: Option<String>) -> rusqlite::Result<Option<Amount>> {
    match (value, code) {
        (Some(v), Some(c)) => {
            let value = parse_decimal(&v).map_err(|e| corrupt(format!("stored amount {v}: {e}")))?;
            let code = Code::parse(&c).map_err(|e| corrupt(format!("stored code {c}: {e}")))?;
            Ok(Some(Amount::new(value, code)))
        }
        _ => Ok(None),
    }
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

    pub fn transaction_count(&self) -> Result<u64, StoreError> {
        Ok(self.conn.query_row("SELECT count(*) FROM transactions", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Every transaction matching `filter` (its `limit` and `after` are ignored), in time order, handed to `each`
    /// one at a time; read page by page so memory stays bounded.
    pub fn each_transaction(
        &self,
        filter: &TxFilter,
        each: &mut dyn FnMut(TxRow) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut page_filter = TxFilter { limit: 10_000, after: None, ..filter.clone() };
        loop {
            let page = self.transactions(&page_filter)?;
            let full = page.len() == page_filter.limit as usize;
            page_filter.after = page.last().map(|r| (r.timestamp, r.id));
            for row in page {
                each(row)?;
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// One page of transactions in time order, filtered.
    pub fn transactions(&self, filter: &TxFilter) -> Result<Vec<TxRow>, StoreError> {
        let mut sql = String::from(
            "SELECT t.id, t.ts_us, a.name, t.kind, t.sent_amount, t.sent_asset, t.received_amount, t.received_asset,
                    t.fee_amount, t.fee_asset, t.value_amount, t.value_currency, t.external_id, t.note,
                    s.file_name, t.source_line
             FROM transactions t JOIN accounts a ON a.id = t.account_id JOIN sources s ON s.id = t.source_id
             WHERE 1 = 1",
        );
        let mut args: Vec<Value> = Vec::new();
        if let Some(name) = &filter.account {
            sql.push_str(" AND t.account_id = (SELECT id FROM accounts WHERE name = ?)");
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
        if let Some(from) = filter.from {
            sql.push_str(" AND t.ts_us >= ?");
            args.push(Value::Integer(from.unix_micros()));
        }
        if let Some(until) = filter.until {
            sql.push_str(" AND t.ts_us < ?");
            args.push(Value::Integer(until.unix_micros()));
        }
        if let Some((ts, id)) = filter.after {
            sql.push_str(" AND (t.ts_us, t.id) > (?, ?)");
            args.push(Value::Integer(ts.unix_micros()));
            args.push(Value::Integer(id));
        }
        sql.push_str(" ORDER BY t.ts_us, t.id LIMIT ?");
        args.push(Value::Integer(i64::from(filter.limit.clamp(1, 10_000))));

        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            let kind_text: String = r.get(3)?;
            let kind: TxKind = kind_text.parse().map_err(corrupt)?;
            let tx = offramp_core::Transaction {
                timestamp: Timestamp::from_unix_micros(r.get(1)?),
                account: r.get(2)?,
                kind,
                sent: amount(r.get(4)?, r.get(5)?)?,
                received: amount(r.get(6)?, r.get(7)?)?,
                fee: amount(r.get(8)?, r.get(9)?)?,
                fiat_value: amount(r.get(10)?, r.get(11)?)?,
                external_id: r.get(12)?,
                note: r.get(13)?,
            };
            Ok(TxRow {
                id: r.get(0)?,
                needs_price: tx.needs_price(),
                tx,
                source_file: r.get(14)?,
                source_line: r.get::<_, i64>(15)? as u64,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
