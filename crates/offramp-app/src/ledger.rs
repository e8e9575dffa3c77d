//! Ledger use cases on an open session: import, accounts, transactions, own transfers, backup, export; and
//! restore, which replaces the ledger file and so runs with no session open.

use std::path::{Path, PathBuf};

use offramp_core::transfers::MatchRules;
use offramp_core::{Code, Timestamp, TxKind};
use offramp_store::{LinkStatus, TxFilter};
use serde::Serialize;

pub use offramp_store::{AccountRow, BackupInfo, ImportSummary, Key, Passphrase, TxRow};

use crate::session::Progress;
use crate::{AppError, Config, ErrorCode, Session};

/// What an import did, file by file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ImportReport {
    pub files: Vec<ImportSummary>,
    pub added: u64,
    pub already_present: u64,
    pub needs_price: u64,
}

/// One account's balance of one asset (a decimal string).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Balance {
    pub account: String,
    pub asset: String,
    pub qty: String,
}

/// What needs the user's attention (see [`Session::attention`]), as counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Attention {
    pub transactions: u64,
    pub needs_price: u64,
    pub unknown_basis: u64,
    pub proposed_transfers: u64,
    pub unmatched_withdrawals: u64,
}

/// One thing that needs the user's attention, with the action that resolves it (see [`Session::attention_list`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttentionItem {
    /// `needs_price`, `unknown_basis`, `proposed_transfer` or `unmatched_withdrawal`.
    pub kind: String,
    /// The transaction (for a proposed transfer: its out-leg; `other` is the in-leg).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub tx: i64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub other: Option<i64>,
    pub at: Timestamp,
    pub account: String,
    /// What it is, in words: "staking +0.5 ETH".
    pub what: String,
    /// What resolves it: the command, and where in the window.
    pub action: String,
}

/// What a file to import holds, found by reading it whole, before anything is written: its format (from its
/// header) and number of transactions, or the first error (file, line, field) that would stop its import.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileCheck {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub file: PathBuf,
    /// The importer that recognised it, e.g. `kraken-ledgers-v2`.
    pub format: Option<String>,
    /// Transactions it holds (before those already in the ledger are left out).
    pub transactions: u64,
    /// Rows deliberately not transactions (pending copies, moves between an exchange's own wallets).
    pub left_out: u64,
    pub error: Option<AppError>,
}

/// Checks files to import without touching the ledger (see [`FileCheck`]); one answer per file, in order.
pub fn check_files(files: &[PathBuf]) -> Vec<FileCheck> {
    files
        .iter()
        .map(|f| match offramp_store::import::parse_file(f) {
            Ok(p) => FileCheck {
                file: f.clone(),
                format: Some(p.format.to_string()),
                transactions: p.rows.len() as u64,
                left_out: p.left_out,
                error: None,
            },
            Err(e) => FileCheck {
                file: f.clone(),
                format: None,
                transactions: 0,
                left_out: 0,
                error: Some(AppError::new(ErrorCode::ImportInvalid, e.to_string())),
            },
        })
        .collect()
}

/// Whether crypto arrived in `t` with no known cost (see offramp_core::tax::unknown_origin).
fn arrived_without_cost(id: i64, t: &offramp_core::Transaction, linked_in: &std::collections::HashSet<i64>) -> bool {
    offramp_core::tax::unknown_origin(t, linked_in.contains(&id))
}

/// A request for one page of transactions, as text from the UI or the command line.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(default)]
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
    /// Only transactions that need a price (no fiat value where one is needed): never counted as zero.
    pub needs_price: Option<bool>,
    /// Only crypto that arrived with no known cost: a deposit, or a transfer in with no confirmed counterpart.
    pub unknown_basis: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TxPage {
    pub rows: Vec<TxRow>,
    /// Pass as `after` to get the next page; `None` on the last page.
    pub next: Option<String>,
}

fn invalid(field: &str, message: impl std::fmt::Display) -> AppError {
    AppError::new(ErrorCode::InvalidInput, format!("{field}: {message}"))
}

/// An instant typed by the user: RFC 3339, or a day (`2024-03-05`) for its midnight UTC; naming the field.
pub(crate) fn parse_instant(field: &str, text: &str) -> Result<Timestamp, AppError> {
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

/// Own transfers: proposed links to confirm, and legs with no counterpart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TransfersView {
    pub proposals: Vec<ProposalView>,
    /// Withdrawals with no matching deposit: sent to someone else (a disposal?) or to an account not imported.
    pub unmatched_out: Vec<TxRow>,
    /// Deposits with no matching withdrawal: their cost basis is unknown until their origin is recorded.
    pub unmatched_in: Vec<TxRow>,
    pub confirmed: Vec<(i64, i64)>,
}

/// Which proposed own transfers to confirm at once: all of them, or those within a delay, or with no amount lost
/// on the way (beyond the network fee the withdrawal itself records).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(default)]
pub struct ConfirmRule {
    /// Arrived at most this many minutes after it left.
    pub within_minutes: Option<i64>,
    /// Arrived whole: nothing missing between the two legs.
    pub exact: bool,
}

impl ConfirmRule {
    pub fn accepts(&self, p: &ProposalView) -> bool {
        self.within_minutes.is_none_or(|m| p.delay_seconds <= m.saturating_mul(60))
            && (!self.exact || p.shortfall.value().is_zero())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProposalView {
    pub out_tx: TxRow,
    pub in_tx: TxRow,
    pub shortfall: offramp_core::Amount,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub delay_seconds: i64,
}

/// Creates a new encrypted ledger in the data folder. Returns its path.
pub fn init_ledger(config: &Config, key: &Key) -> Result<PathBuf, AppError> {
    Ok(Session::create(config, key)?.ledger_path().to_path_buf())
}

/// Reads what a backup holds, checking it as a restore would; the backup is not changed.
pub fn inspect_backup(backup: &Path, key: &Key) -> Result<BackupInfo, AppError> {
    Ok(offramp_store::inspect_backup(backup, key)?)
}

/// The keys a backup may be under: with this ledger's device secret (a backup made with the second factor on),
/// then the passphrase alone (one made before).
fn backup_keys(passphrase: &Passphrase, device: Option<offramp_store::Secret32>) -> Vec<Key> {
    let mut keys = Vec::new();
    if let Some(d) = device {
        keys.push(Key::WithDeviceSecret(passphrase.clone(), d));
    }
    keys.push(Key::Passphrase(passphrase.clone()));
    keys
}

/// Restores a backup as [`restore`] does, for a user: with the second factor on, its code is asked (a sensitive
/// action), and the backup may have been made with it on or before it was.
pub fn restore_with(
    config: &Config,
    passphrase: Passphrase,
    code: Option<&str>,
    backup: &Path,
    now: Timestamp,
    store: &dyn crate::twofa::SecretStore,
) -> Result<Restored, AppError> {
    let device = crate::twofa::verify(config, code, now, store)?;
    let mut last = None;
    for key in backup_keys(&passphrase, device) {
        match restore(config, &key, backup, now) {
            Err(e) if e.code == ErrorCode::WrongKey => last = Some(e),
            other => return other,
        }
    }
    Err(last.unwrap_or_else(|| AppError::new(ErrorCode::WrongKey, "the backup does not open with this passphrase")))
}

/// What a backup holds, for a user (with the second factor on, a backup made with it opens with its device
/// secret, without asking for a code: nothing is changed).
pub fn inspect_backup_with(
    config: &Config,
    passphrase: Passphrase,
    backup: &Path,
    store: &dyn crate::twofa::SecretStore,
) -> Result<BackupInfo, AppError> {
    let device = crate::twofa::device_secret(config, store)?;
    let mut last = None;
    for key in backup_keys(&passphrase, device) {
        match inspect_backup(backup, &key) {
            Err(e) if e.code == ErrorCode::WrongKey => last = Some(e),
            other => return other,
        }
    }
    Err(last.unwrap_or_else(|| AppError::new(ErrorCode::WrongKey, "the backup does not open with this passphrase")))
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Restored {
    pub backup: BackupInfo,
    /// Where the replaced ledger was kept (none if there was no ledger).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub replaced: Option<PathBuf>,
}

/// Replaces the ledger with a backup, checked first (it must be a whole Offramp ledger that opens with `key`
/// and holds transactions); the replaced ledger is kept beside it. Runs with no session open: a ledger open in
/// another window or command makes it `LEDGER_BUSY`.
pub fn restore(config: &Config, key: &Key, backup: &Path, now: Timestamp) -> Result<Restored, AppError> {
    let stamp = now.to_utc().format("%Y%m%dT%H%M%SZ").to_string();
    let (backup, replaced) = offramp_store::restore(backup, key, &config.ledger_path()?, &stamp)?;
    Ok(Restored { backup, replaced })
}

/// What `check` verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CheckReport {
    pub ledger: String,
    pub transactions: u64,
}

impl Session {
    /// Imports files into the ledger: all rows of all files in one transaction (files are parsed on a second
    /// thread while rows are written). Any error, or a cancel from `progress`, adds nothing.
    pub fn import_files(
        &mut self,
        files: &[PathBuf],
        now: Timestamp,
        progress: Progress,
    ) -> Result<ImportReport, AppError> {
        if files.is_empty() {
            return Err(AppError::new(ErrorCode::InvalidInput, "No file to import was given."));
        }
        let summaries = self.ledger_mut().import_files(files, now, progress)?;
        Ok(ImportReport {
            added: summaries.iter().map(|s| s.added).sum(),
            already_present: summaries.iter().map(|s| s.already_present).sum(),
            needs_price: summaries.iter().map(|s| s.needs_price).sum(),
            files: summaries,
        })
    }

    pub fn accounts(&self) -> Result<Vec<AccountRow>, AppError> {
        Ok(self.ledger().accounts()?)
    }

    /// One page of transactions in time order.
    pub fn transactions(&self, q: &TxQuery) -> Result<TxPage, AppError> {
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
            // The list shows every row, those hand edits voided or replaced marked as such.
            include_retired: true,
        };
        let rows = if q.needs_price == Some(true) || q.unknown_basis == Some(true) {
            self.attention_page(&filter, q.needs_price == Some(true), q.unknown_basis == Some(true))?
        } else {
            self.ledger().transactions(&filter)?
        };
        let next = if rows.len() == limit as usize {
            rows.last().map(|r| format!("{}:{}", r.timestamp.unix_micros(), r.id))
        } else {
            None
        };
        Ok(TxPage { rows, next })
    }

    /// A page of the transactions that need attention (needs a price, unknown cost), with `filter`'s other
    /// conditions: read from the session's history (these are not columns of the ledger), then the page's rows
    /// from the ledger with their sources.
    fn attention_page(
        &self,
        filter: &TxFilter,
        needs_price: bool,
        unknown_basis: bool,
    ) -> Result<Vec<TxRow>, AppError> {
        let history = self.history(&mut crate::session::no_progress())?;
        let linked_in: std::collections::HashSet<i64> = history.links.iter().map(|&(_, i)| i).collect();
        let start = match filter.after {
            Some((ts, id)) => history.txs.partition_point(|(i, t)| (t.timestamp, *i) <= (ts, id)),
            None => 0,
        };
        let ids: Vec<i64> = history.txs[start..]
            .iter()
            .filter(|(id, t)| {
                (!needs_price || t.needs_price())
                    && (!unknown_basis || arrived_without_cost(*id, t, &linked_in))
                    && filter.account.as_ref().is_none_or(|a| *a == t.account)
                    && filter.asset.is_none_or(|c| t.assets().any(|x| x == c))
                    && filter.kind.is_none_or(|k| k == t.kind)
                    && filter.from.is_none_or(|f| t.timestamp >= f)
                    && filter.until.is_none_or(|u| t.timestamp < u)
            })
            .take(filter.limit as usize)
            .map(|(id, _)| *id)
            .collect();
        Ok(self.ledger().transactions_by_id(&ids)?)
    }

    /// Each account's balance of each asset: received − sent − fee over its whole history (exact; an account's
    /// assets in code order, accounts by name). A zero balance is kept (the account held the asset once).
    pub fn balances(&self) -> Result<Vec<Balance>, AppError> {
        let history = self.history(&mut crate::session::no_progress())?;
        let mut sums: std::collections::BTreeMap<(String, String), offramp_core::Decimal> = Default::default();
        for (_, t) in &history.txs {
            let legs = [(t.received, true), (t.sent, false), (t.fee, false)];
            for (amount, plus) in legs.into_iter().filter_map(|(a, p)| a.map(|a| (a, p))) {
                let key = (t.account.clone(), amount.code().as_str().to_string());
                let sum = sums.entry(key).or_default();
                let next = if plus { sum.checked_add(amount.value()) } else { sum.checked_sub(amount.value()) };
                *sum = next.ok_or_else(|| crate::checked::overflow(&format!("the balance of {}", t.account)))?;
            }
        }
        Ok(sums
            .into_iter()
            .map(|((account, asset), qty)| Balance { account, asset, qty: qty.normalize().to_string() })
            .collect())
    }

    /// Checks the whole ledger file (every page's HMAC, the b-trees): `LEDGER_CORRUPT` naming what failed, or
    /// what was checked. Unlocking checks this much only after an unclean shutdown (docs/SECURITY.md).
    pub fn check(&self) -> Result<CheckReport, AppError> {
        self.ledger().check()?;
        Ok(CheckReport {
            ledger: self.ledger_path().display().to_string(),
            transactions: self.ledger().transaction_count()?,
        })
    }

    /// What needs the user's attention before a report can be trusted: transactions that need a price, crypto
    /// that arrived with no known cost, proposed own transfers to confirm or reject, and withdrawals with no
    /// counterpart (sent to someone else, or to an account not imported).
    pub fn attention(&self) -> Result<Attention, AppError> {
        let history = self.history(&mut crate::session::no_progress())?;
        let linked_in: std::collections::HashSet<i64> = history.links.iter().map(|&(_, i)| i).collect();
        let needs_price = history.txs.iter().filter(|(_, t)| t.needs_price()).count() as u64;
        let unknown_basis =
            history.txs.iter().filter(|(id, t)| arrived_without_cost(*id, t, &linked_in)).count() as u64;
        let transfers = self.transfers()?;
        Ok(Attention {
            transactions: history.txs.len() as u64,
            needs_price,
            unknown_basis,
            proposed_transfers: transfers.proposals.len() as u64,
            unmatched_withdrawals: transfers.unmatched_out.len() as u64,
        })
    }

    /// What needs attention, item by item with the action that resolves each: the transactions that need a price,
    /// crypto that arrived with no known cost, proposed own transfers, withdrawals with no counterpart; at most
    /// `limit` of each kind, oldest first.
    pub fn attention_list(&self, limit: usize) -> Result<Vec<AttentionItem>, AppError> {
        let history = self.history(&mut crate::session::no_progress())?;
        let linked_in: std::collections::HashSet<i64> = history.links.iter().map(|&(_, i)| i).collect();
        let what = |t: &offramp_core::Transaction| {
            let leg =
                |sign: &str, a: &Option<offramp_core::Amount>| a.map(|a| format!(" {sign}{a}")).unwrap_or_default();
            format!("{}{}{}", t.kind.as_str(), leg("-", &t.sent), leg("+", &t.received))
        };
        let item = |kind: &str, id: i64, t: &offramp_core::Transaction, action: String| AttentionItem {
            kind: kind.into(),
            tx: id,
            other: None,
            at: t.timestamp,
            account: t.account.clone(),
            what: what(t),
            action,
        };
        let mut out = Vec::new();
        for (id, t) in history.txs.iter().filter(|(_, t)| t.needs_price()).take(limit) {
            out.push(item(
                "needs_price",
                *id,
                t,
                format!(
                    "fill it from the exchanges' daily close (`offramp prices fill`; Home > Fill from exchanges' daily \
                     prices) or set it (`offramp prices set {id} PRICE`; Ledger > Edit > Set the price)"
                ),
            ));
        }
        for (id, t) in history.txs.iter().filter(|(id, t)| arrived_without_cost(*id, t, &linked_in)).take(limit) {
            out.push(item(
                "unknown_basis",
                *id,
                t,
                format!(
                    "import the account it came from and confirm the own transfer (`offramp transfers`), or record its \
                     purchase (`offramp tx edit {id} --kind buy --sent \"COST CUR\"`; Ledger > Edit > Correct it)"
                ),
            ));
        }
        drop(history);
        let transfers = self.transfers()?;
        for p in transfers.proposals.iter().take(limit) {
            let (o, i) = (p.out_tx.id, p.in_tx.id);
            out.push(AttentionItem {
                other: Some(i),
                ..item(
                    "proposed_transfer",
                    o,
                    &p.out_tx.tx,
                    format!(
                        "confirm it is one move between your accounts (`offramp transfers confirm {o} {i}`), or reject it \
                         (`offramp transfers reject {o} {i}`); Ledger > Own transfers"
                    ),
                )
            });
        }
        for r in transfers.unmatched_out.iter().take(limit) {
            out.push(item(
                "unmatched_withdrawal",
                r.id,
                &r.tx,
                "if it went to an account of yours, import that account's file and confirm the transfer; otherwise it \
                 left your holdings (a payment or gift) and is out of the reports"
                    .into(),
            ));
        }
        Ok(out)
    }

    /// Proposes own-transfer links and lists the legs that have no counterpart.
    pub fn transfers(&self) -> Result<TransfersView, AppError> {
        let ledger = self.ledger();
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

    /// Confirms every proposed own transfer that `rule` accepts, in one transaction, and returns them (with
    /// `dry_run`, returns them and writes nothing): the review of many links at once instead of one command each.
    pub fn confirm_transfers(&mut self, rule: &ConfirmRule, dry_run: bool) -> Result<Vec<ProposalView>, AppError> {
        let view = self.transfers()?;
        let chosen: Vec<ProposalView> = view.proposals.into_iter().filter(|p| rule.accepts(p)).collect();
        if !dry_run && !chosen.is_empty() {
            let links: Vec<(i64, i64)> = chosen.iter().map(|p| (p.out_tx.id, p.in_tx.id)).collect();
            self.ledger_mut().set_transfer_links(&links, LinkStatus::Confirmed)?;
        }
        Ok(chosen)
    }

    /// Records the user's decision on a proposed own transfer.
    pub fn decide_transfer(&mut self, out_id: i64, in_id: i64, confirm: bool) -> Result<(), AppError> {
        let status = if confirm { LinkStatus::Confirmed } else { LinkStatus::Rejected };
        Ok(self.ledger_mut().set_transfer_link(out_id, in_id, status)?)
    }

    /// Writes an encrypted, checked backup of the ledger (under the ledger's own key: the same passphrase opens
    /// it) to `dest`, which must not exist.
    pub fn backup(&self, dest: &Path) -> Result<BackupInfo, AppError> {
        Ok(self.ledger().backup_to(dest)?)
    }

    /// Exports the whole ledger as the generic CSV to `out`. Returns the number of transactions written.
    pub fn export(&self, out: &mut dyn std::io::Write) -> Result<u64, AppError> {
        Ok(self.ledger().export_generic(out)?)
    }

    /// Exports the whole ledger as the generic CSV to a new file (see [`crate::files::write_new`]).
    pub fn export_to(&self, file: &Path) -> Result<u64, AppError> {
        crate::files::write_new(file, |w| self.export(w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::no_progress;
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
        assert_eq!(Session::open(&config, &key).unwrap_err().code, ErrorCode::LedgerNotFound);
        init_ledger(&config, &key).unwrap();
        assert_eq!(init_ledger(&config, &key).unwrap_err().code, ErrorCode::LedgerExists);
        let mut s = Session::open(&config, &key).unwrap();
        assert_eq!(s.import_files(&[], now(), &mut no_progress()).unwrap_err().code, ErrorCode::InvalidInput);

        let rows: String = (1..=5).map(|d| format!("2024-01-0{d}T00:00:00Z,buy,A,10,USD,0.001,BTC\n")).collect();
        let f = write(tmp.path(), "b.csv", &rows);
        let r = s.import_files(std::slice::from_ref(&f), now(), &mut no_progress()).unwrap();
        assert_eq!((r.added, r.already_present), (5, 0));
        let r = s.import_files(&[f], now(), &mut no_progress()).unwrap();
        assert_eq!((r.added, r.already_present), (0, 5));

        let mut q = TxQuery { limit: Some(2), ..Default::default() };
        let mut seen = Vec::new();
        loop {
            let page = s.transactions(&q).unwrap();
            seen.extend(page.rows.iter().map(|r| r.timestamp.date_utc().to_string()));
            match page.next {
                Some(n) => q.after = Some(n),
                None => break,
            }
        }
        assert_eq!(seen, ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"]);

        let q = TxQuery { from: Some("2024-01-02".into()), until: Some("2024-01-04".into()), ..Default::default() };
        assert_eq!(s.transactions(&q).unwrap().rows.len(), 2);
        assert_eq!(s.accounts().unwrap()[0].transactions, 5);
    }

    /// The attention filters: exactly the rows that need a price, and exactly the crypto that arrived with no
    /// known cost (a deposit; a transfer in until its own transfer is confirmed), paged and combined with the
    /// other filters; and the counts.
    #[test]
    fn what_needs_attention_is_listed_and_counted() {
        let (tmp, config, key) = setup();
        init_ledger(&config, &key).unwrap();
        let mut s = Session::open(&config, &key).unwrap();
        let f = write(
            tmp.path(),
            "a.csv",
            "2024-01-01T00:00:00Z,buy,A,100,USD,0.01,BTC\n\
             2024-01-02T00:00:00Z,staking,A,,,0.5,ETH\n\
             2024-01-03T00:00:00Z,deposit,A,,,0.2,BTC\n\
             2024-01-04T00:00:00Z,transfer_out,A,0.005,BTC,,\n\
             2024-01-04T00:10:00Z,transfer_in,B,,,0.005,BTC\n\
             2024-01-05T00:00:00Z,staking,B,,,0.1,ETH\n\
             2024-01-06T00:00:00Z,deposit,B,,,50,USD\n",
        );
        s.import_files(&[f], now(), &mut no_progress()).unwrap();
        let kinds = |s: &Session, q: TxQuery| -> Vec<String> {
            s.transactions(&q).unwrap().rows.iter().map(|r| format!("{} {}", r.account, r.kind.as_str())).collect()
        };
        let needs = TxQuery { needs_price: Some(true), ..Default::default() };
        // (A crypto deposit has no value either: the ledger cannot know what it was worth on arrival.)
        assert_eq!(kinds(&s, needs.clone()), ["A staking", "A deposit", "B staking"]);
        assert_eq!(kinds(&s, TxQuery { account: Some("B".into()), ..needs.clone() }), ["B staking"]);
        let unknown = TxQuery { unknown_basis: Some(true), ..Default::default() };
        assert_eq!(kinds(&s, unknown.clone()), ["A deposit", "B transfer_in"], "a fiat deposit has no basis to know");
        // Paged one row at a time, with the cursor.
        let page = s.transactions(&TxQuery { limit: Some(1), ..unknown.clone() }).unwrap();
        assert_eq!(page.rows.len(), 1);
        let rest = s.transactions(&TxQuery { after: page.next.clone(), ..unknown.clone() }).unwrap();
        assert_eq!(rest.rows.len(), 1);
        assert_eq!(rest.rows[0].kind, TxKind::TransferIn);
        assert!(rest.rows[0].source_file.ends_with("a.csv") && rest.rows[0].source_line == 6, "{:?}", rest.rows[0]);
        let a = s.attention().unwrap();
        assert_eq!(
            (a.transactions, a.needs_price, a.unknown_basis, a.proposed_transfers, a.unmatched_withdrawals),
            (7, 3, 2, 1, 0)
        );
        // Confirming the own transfer gives the transfer in its cost: it leaves the list.
        let t = s.transfers().unwrap();
        let (o, i) = (t.proposals[0].out_tx.id, t.proposals[0].in_tx.id);
        s.decide_transfer(o, i, true).unwrap();
        assert_eq!(kinds(&s, unknown), ["A deposit"]);
        let a = s.attention().unwrap();
        assert_eq!((a.unknown_basis, a.proposed_transfers), (1, 0));
        let b: Vec<String> =
            s.balances().unwrap().iter().map(|b| format!("{} {} {}", b.account, b.asset, b.qty)).collect();
        assert_eq!(b, ["A BTC 0.205", "A ETH 0.5", "A USD -100", "B BTC 0.005", "B ETH 0.1", "B USD 50"]);
    }

    #[test]
    fn files_are_checked_before_anything_is_written() {
        let (tmp, config, key) = setup();
        init_ledger(&config, &key).unwrap();
        let good = write(tmp.path(), "g.csv", "2024-01-01T00:00:00Z,buy,A,100,USD,0.01,BTC\n");
        let bad = write(
            tmp.path(),
            "b.csv",
            "2024-01-01T00:00:00Z,buy,A,100,USD,0.01,BTC\n2024-01-02T00:00:00Z,buy,A,1e3,USD,0.01,BTC\n",
        );
        let checks = check_files(&[good.clone(), bad.clone(), tmp.path().join("missing.csv")]);
        assert_eq!(checks[0].format.as_deref(), Some("generic-v1"));
        assert_eq!((checks[0].transactions, checks[0].error.is_none()), (1, true));
        let e = checks[1].error.as_ref().unwrap();
        assert_eq!(e.code, ErrorCode::ImportInvalid);
        assert!(
            e.message.contains("b.csv") && e.message.contains("line 3") && e.message.contains("sent_amount"),
            "{e:?}"
        );
        assert!(checks[2].error.as_ref().unwrap().message.contains("missing.csv"));
        let s = Session::open(&config, &key).unwrap();
        assert_eq!(s.transactions(&TxQuery::default()).unwrap().rows.len(), 0, "nothing was written");
    }

    #[test]
    fn bad_queries_and_keys_are_coded() {
        let (tmp, config, key) = setup();
        init_ledger(&config, &key).unwrap();
        let mut s = Session::open(&config, &key).unwrap();
        let bad = |q: TxQuery| s.transactions(&q).unwrap_err();
        assert_eq!(bad(TxQuery { kind: Some("swap".into()), ..Default::default() }).code, ErrorCode::InvalidInput);
        assert_eq!(bad(TxQuery { asset: Some("B C".into()), ..Default::default() }).code, ErrorCode::InvalidInput);
        assert_eq!(
            bad(TxQuery { from: Some("2024-99-01".into()), ..Default::default() }).code,
            ErrorCode::InvalidInput
        );
        assert_eq!(bad(TxQuery { after: Some("x".into()), ..Default::default() }).code, ErrorCode::InvalidInput);
        assert_eq!(bad(TxQuery { limit: Some(0), ..Default::default() }).code, ErrorCode::InvalidInput);
        let wrong = Key::Passphrase("nope".into());
        assert_eq!(Session::open(&config, &wrong).unwrap_err().code, ErrorCode::WrongKey);
        let f = write(tmp.path(), "bad.csv", "2024-01-01T00:00:00Z,buy,A,ten,USD,0.001,BTC\n");
        let e = s.import_files(&[f], now(), &mut no_progress()).unwrap_err();
        assert_eq!(e.code, ErrorCode::ImportInvalid);
        assert!(e.message.contains("bad.csv, line 2, field `sent_amount`"), "{}", e.message);
    }

    #[test]
    fn the_session_reloads_its_history_only_when_the_ledger_changes() {
        let (tmp, config, key) = setup();
        let mut s = Session::create(&config, &key).unwrap();
        let f = write(tmp.path(), "a.csv", "2024-01-01T00:00:00Z,buy,A,10,USD,0.001,BTC\n");
        s.import_files(&[f], now(), &mut no_progress()).unwrap();
        let h1 = s.history(&mut no_progress()).unwrap();
        let h2 = s.history(&mut no_progress()).unwrap();
        assert!(std::sync::Arc::ptr_eq(&h1, &h2), "nothing changed: the same history");
        // Another connection (another window or command) writes: the next read sees it.
        let mut other = Session::open(&config, &key).unwrap();
        let g = write(tmp.path(), "b.csv", "2024-02-01T00:00:00Z,buy,A,10,USD,0.001,BTC\n");
        other.import_files(&[g], now(), &mut no_progress()).unwrap();
        let h3 = s.history(&mut no_progress()).unwrap();
        assert_eq!((h1.txs.len(), h3.txs.len()), (1, 2));
        // A write through this session: reloaded too.
        s.set_transfer_fee("ca", "basis").unwrap();
        assert!(!std::sync::Arc::ptr_eq(&h3, &s.history(&mut no_progress()).unwrap()));
        // Loading can be cancelled.
        s.set_transfer_fee("ca", "disposal").unwrap();
        assert_eq!(s.history(&mut |_, _| false).unwrap_err().code, ErrorCode::Cancelled);
    }
}
