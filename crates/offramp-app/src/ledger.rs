//! Ledger use cases: create, import, list. Each opens the ledger with the caller's key, does one thing, and
//! returns plain serializable results.

use std::path::{Path, PathBuf};

use offramp_core::transfers::MatchRules;
use offramp_core::{Code, Timestamp, TxKind};
use offramp_store::{Ledger, LinkStatus, TxFilter};
use serde::Serialize;

pub use offramp_store::{AccountRow, ImportSummary, Key, TxRow};

use crate::{AppError, Config, ErrorCode};

fn open(config: &Config, key: &Key) -> Result<Ledger, AppError> {
    Ok(Ledger::open(&config.ledger_path()?, key)?)
}

/// Creates a new encrypted ledger in the data folder. Returns its path.
pub fn init_ledger(config: &Config, key: &Key) -> Result<PathBuf, AppError> {
    let path = config.ledger_path()?;
    Ledger::create(&path, key)?;
    Ok(path)
}

/// What an import did, file by file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub files: Vec<ImportSummary>,
    pub added: u64,
    pub already_present: u64,
    pub needs_price: u64,
}

/// Imports files into the ledger: all rows of all files in one transaction (files are parsed on a second thread
/// while rows are written). Any error, or a cancel from `progress(done, total)` returning `false`, adds nothing.
pub fn import_files(
    config: &Config,
    key: &Key,
    files: &[PathBuf],
    now: Timestamp,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<ImportReport, AppError> {
    if files.is_empty() {
        return Err(AppError::new(ErrorCode::InvalidInput, "No file to import was given."));
    }
    let mut ledger = open(config, key)?;
    let summaries = ledger.import_files(files, now, progress)?;
    Ok(ImportReport {
        added: summaries.iter().map(|s| s.added).sum(),
        already_present: summaries.iter().map(|s| s.already_present).sum(),
        needs_price: summaries.iter().map(|s| s.needs_price).sum(),
        files: summaries,
    })
}

pub fn accounts(config: &Config, key: &Key) -> Result<Vec<AccountRow>, AppError> {
    Ok(open(config, key)?.accounts()?)
}

/// A request for one page of transactions, as text from the UI or the command line.
#[derive(Debug, Clone, Default)]
pub struct TxQuery {
    pub account: Option<String>,
    pub asset: Option<String>,
    pub kind: Option<String>,
    /// `YYYY-MM-DD` (start of that day, UTC) or RFC 3339.
    pub from: Option<String>,
    /// Exclusive: `YYYY-MM-DD` (start of that day, UTC) or RFC 3339.
    pub until: Option<String>,
    /// The cursor of the previous page's last row (`TxPage::next`).
    pub after: Option<String>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxPage {
    pub rows: Vec<TxRow>,
    /// Pass as `after` to get the next page; `None` on the last page.
    pub next: Option<String>,
}

fn invalid(field: &str, message: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::InvalidInput, format!("{field}: {message}"))
}

fn parse_instant(field: &str, text: &str) -> Result<Timestamp, AppError> {
    if text.len() == 10 {
        let rfc = format!("{text}T00:00:00Z");
        return Timestamp::parse_rfc3339(&rfc).map_err(|e| invalid(field, e));
    }
    Timestamp::parse_rfc3339(text).map_err(|e| invalid(field, e))
}

fn parse_cursor(text: &str) -> Result<(Timestamp, i64), AppError> {
    let bad = || invalid("after", format!("`{}` is not a page cursor", offramp_core::text::clip(text)));
    let (ts, id) = text.split_once(':').ok_or_else(bad)?;
    Ok((Timestamp::from_unix_micros(ts.parse().map_err(|_| bad())?), id.parse().map_err(|_| bad())?))
}

pub const DEFAULT_PAGE: u32 = 100;
pub const MAX_PAGE: u32 = 10_000;

/// One page of transactions in time order.
pub fn list_transactions(config: &Config, key: &Key, q: &TxQuery) -> Result<TxPage, AppError> {
    let limit = q.limit.unwrap_or(DEFAULT_PAGE);
    if limit == 0 || limit > MAX_PAGE {
        return Err(invalid("limit", format!("must be between 1 and {MAX_PAGE}")));
    }
    let filter = TxFilter {
        account: q.account.clone(),
        asset: q.asset.as_deref().map(Code::parse).transpose().map_err(|e| invalid("asset", e))?,
        kind: q.kind.as_deref().map(str::parse::<TxKind>).transpose().map_err(|e| invalid("kind", e))?,
        from: q.from.as_deref().map(|t| parse_instant("from", t)).transpose()?,
        until: q.until.as_deref().map(|t| parse_instant("until", t)).transpose()?,
        after: q.after.as_deref().map(parse_cursor).transpose()?,
        limit,
    };
    let rows = open(config, key)?.transactions(&filter)?;
    let next = if rows.len() == limit as usize {
        rows.last().map(|r| format!("{}:{}", r.timestamp.unix_micros(), r.id))
    } else {
        None
    };
    Ok(TxPage { rows, next })
}

/// Own transfers: proposed links to confirm, and legs with no counterpart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransfersView {
    pub proposals: Vec<ProposalView>,
    /// Withdrawals with no matching deposit: sent to someone else (a disposal?) or to an account not imported.
    pub unmatched_out: Vec<TxRow>,
    /// Deposits with no matching withdrawal: their cost basis is unknown until their origin is recorded.
    pub unmatched_in: Vec<TxRow>,
    pub confirmed: Vec<(i64, i64)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProposalView {
    pub out_tx: TxRow,
    pub in_tx: TxRow,
    pub shortfall: offramp_core::Amount,
    pub delay_seconds: i64,
}

/// Proposes own-transfer links and lists the legs that have no counterpart.
pub fn transfers(config: &Config, key: &Key) -> Result<TransfersView, AppError> {
    let ledger = open(config, key)?;
    let m = ledger.match_transfers(MatchRules::default())?;
    let mut all: std::collections::HashMap<i64, TxRow> = std::collections::HashMap::new();
    for kind in [TxKind::TransferOut, TxKind::TransferIn] {
        ledger.each_transaction(&TxFilter { kind: Some(kind), ..Default::default() }, &mut |r| {
            all.insert(r.id, r);
            Ok(())
        })?;
    }
    let row = |id: &i64| {
        all.get(id).cloned().ok_or_else(|| AppError::new(ErrorCode::Internal, format!("transaction {id} vanished")))
    };
    Ok(TransfersView {
        proposals: m
            .proposals
            .iter()
            .map(|p| {
                Ok(ProposalView {
                    out_tx: row(&p.out_id)?,
                    in_tx: row(&p.in_id)?,
                    shortfall: p.shortfall,
                    delay_seconds: p.delay_seconds,
                })
            })
            .collect::<Result<_, AppError>>()?,
        unmatched_out: m.unmatched_out.iter().map(row).collect::<Result<_, _>>()?,
        unmatched_in: m.unmatched_in.iter().map(row).collect::<Result<_, _>>()?,
        confirmed: ledger.confirmed_transfers()?,
    })
}

/// Records the user's decision on a proposed own transfer.
pub fn decide_transfer(config: &Config, key: &Key, out_id: i64, in_id: i64, confirm: bool) -> Result<(), AppError> {
    let status = if confirm { LinkStatus::Confirmed } else { LinkStatus::Rejected };
    Ok(open(config, key)?.set_transfer_link(out_id, in_id, status)?)
}

/// Writes an encrypted backup of the ledger (same key) to `dest`, which must not exist.
pub fn backup(config: &Config, key: &Key, dest: &Path) -> Result<(), AppError> {
    open(config, key)?.backup_to(dest, key)?;
    Ok(())
}

/// Replaces the ledger with a backup; the replaced ledger is kept beside it. Returns where it was kept.
pub fn restore(config: &Config, key: &Key, backup: &Path, now: Timestamp) -> Result<Option<PathBuf>, AppError> {
    let stamp = now.to_utc().format("%Y%m%dT%H%M%SZ").to_string();
    Ok(offramp_store::restore(backup, key, &config.ledger_path()?, &stamp)?.1)
}

/// Exports the whole ledger as the generic CSV. Returns the number of transactions written.
pub fn export(config: &Config, key: &Key, out: &mut dyn std::io::Write) -> Result<u64, AppError> {
    Ok(open(config, key)?.export_generic(out)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Flavor;

    fn setup() -> (tempfile::TempDir, Config, Key) {
        let tmp = tempfile::tempdir().unwrap();
        let config = Config::resolve(Flavor::Dev, Some(tmp.path().to_path_buf()), None);
        (tmp, config, Key::Passphrase("pw".into()))
    }

    fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(
            &p,
            format!("timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n{body}"),
        )
        .unwrap();
        p
    }

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-11-28T00:00:00Z").unwrap()
    }

    #[test]
    fn import_then_list_with_paging() {
        let (tmp, config, key) = setup();
        assert_eq!(
            import_files(&config, &key, &[], now(), &mut |_, _| true).unwrap_err().code,
            ErrorCode::InvalidInput
        );
        let f = write(tmp.path(), "a.csv", "");
        assert_eq!(
            import_files(&config, &key, &[f], now(), &mut |_, _| true).unwrap_err().code,
            ErrorCode::LedgerNotFound
        );
        init_ledger(&config, &key).unwrap();
        assert_eq!(init_ledger(&config, &key).unwrap_err().code, ErrorCode::LedgerExists);

        let rows: String = (1..=5).map(|d| format!("2024-01-0{d}T00:00:00Z,buy,A,10,USD,0.001,BTC\n")).collect();
        let f = write(tmp.path(), "b.csv", &rows);
        let r = import_files(&config, &key, std::slice::from_ref(&f), now(), &mut |_, _| true).unwrap();
        assert_eq!((r.added, r.already_present), (5, 0));
        let r = import_files(&config, &key, &[f], now(), &mut |_, _| true).unwrap();
        assert_eq!((r.added, r.already_present), (0, 5));

        let mut q = TxQuery { limit: Some(2), ..Default::default() };
        let mut seen = Vec::new();
        loop {
            let page = list_transactions(&config, &key, &q).unwrap();
            seen.extend(page.rows.iter().map(|r| r.timestamp.date_utc().to_string()));
            match page.next {
                Some(n) => q.after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]);

        let q = TxQuery { from: Some("2024-01-02".into()), until: Some("2024-01-04".into()), ..Default::default() };
        assert_eq!(list_transactions(&config, &key, &q).unwrap().rows.len(), 2);
        assert_eq!(accounts(&config, &key).unwrap()[0].transactions, 5);
    }

    #[test]
    fn bad_queries_and_keys_are_coded() {
        let (tmp, config, key) = setup();
        init_ledger(&config, &key).unwrap();
        let bad = |q: TxQuery| list_transactions(&config, &key, &q).unwrap_err();
        assert_eq!(bad(TxQuery { kind: Some("swap".into()), ..Default::default() }).code, ErrorCode::InvalidInput);
        assert_eq!(bad(TxQuery { asset: Some("B C".into()), ..Default::default() }).code, ErrorCode::InvalidInput);
        assert_eq!(
            bad(TxQuery { from: Some("2024-99-01".into()), ..Default::default() }).code,
            ErrorCode::InvalidInput
        );
        assert_eq!(bad(TxQuery { after: Some("x".into()), ..Default::default() }).code, ErrorCode::InvalidInput);
        assert_eq!(bad(TxQuery { limit: Some(0), ..Default::default() }).code, ErrorCode::InvalidInput);
        let wrong = Key::Passphrase("nope".into());
        assert_eq!(accounts(&config, &wrong).unwrap_err().code, ErrorCode::WrongKey);
        let f = write(tmp.path(), "bad.csv", "2024-01-01T00:00:00Z,buy,A,ten,USD,0.001,BTC\n");
        let e = import_files(&config, &key, &[f], now(), &mut |_, _| true).unwrap_err();
        assert_eq!(e.code, ErrorCode::ImportInvalid);
        assert!(e.message.contains("bad.csv, line 2, field `sent_amount`"), "{}", e.message);
    }
}
