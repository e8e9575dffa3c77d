//! Backups with SQLite's online backup API (the copy is encrypted with the same key), checked restores, and
//! export of the whole ledger to the generic CSV.
//!
//! A backup is written to a temporary file beside its destination, checked (integrity, every transaction there)
//! and only then given its name: a backup killed part-way, or one that hits a full disk, leaves no file under the
//! name. A restore opens the backup **read-only** (it is never written to), checks that it is an Offramp ledger
//! (key, integrity, schema, the ledger marker) that holds transactions, copies it beside the ledger, checks the
//! copy, and swaps it in with one rename while no other window or command has the ledger open.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};
use serde::Serialize;

use crate::db::{apply_key, file_salt, page_sizes, sidecar, LedgerLock, BUSY_TIMEOUT};
use crate::import::GENERIC_COLUMNS;
use crate::key::Material;
use crate::{Key, Ledger, StoreError, TxFilter, SCHEMA_VERSION};

fn io(context: String) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { context, source }
}

/// What a backup holds, read before anything is replaced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupInfo {
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub path: PathBuf,
    pub schema_version: i64,
    pub transactions: u64,
    pub accounts: u64,
    /// The time of the latest transaction.
    pub last_transaction: Option<offramp_core::Timestamp>,
}

fn not_a_backup(path: &Path, why: impl Into<String>) -> StoreError {
    StoreError::NotALedger { path: path.to_path_buf(), why: why.into() }
}

/// Opens a backup read-only and without touching it (`immutable`: no journal, no lock, nothing written), with the
/// key, trying each way it may apply (see `db::open_keyed`).
fn open_read_only(path: &Path, key: &Key) -> Result<(Connection, u32, Material), StoreError> {
    let meta = std::fs::metadata(path).map_err(io(format!("cannot read {}", path.display())))?;
    if !meta.is_file() {
        return Err(not_a_backup(path, "it is not a file"));
    }
    if meta.len() == 0 {
        return Err(not_a_backup(path, "the file is empty (0 bytes): a backup that never finished"));
    }
    let uri = file_uri(path);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    for material in crate::key::candidates(key, file_salt(path)) {
        for &page_size in page_sizes(&material) {
            let conn = Connection::open_with_flags(&uri, flags)?;
            apply_key(&conn, &material, page_size)?;
            match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
                Ok(_) => return Ok((conn, page_size, material)),
                Err(e) if crate::error::is_not_a_database(&e) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
    Err(StoreError::WrongKey(path.to_path_buf()))
}

fn damaged(e: StoreError, path: &Path) -> StoreError {
    match e {
        StoreError::Corrupt { detail, .. } => not_a_backup(path, format!("it is damaged or incomplete ({detail})")),
        other => other,
    }
}

/// `file:<path>?immutable=1`, the path percent-encoded where a URI needs it.
fn file_uri(path: &Path) -> String {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = String::from("file:");
    for b in abs.to_string_lossy().bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out.push_str("?immutable=1");
    out
}

/// Checks that an open database is a whole Offramp ledger and says what it holds. Damage found on the way is
/// reported as a backup that cannot be restored.
fn verify(conn: &Connection, path: &Path) -> Result<BackupInfo, StoreError> {
    verify_inner(conn, path).map_err(|e| match e {
        StoreError::Corrupt { detail, .. } => not_a_backup(path, format!("it is damaged or incomplete ({detail})")),
        other => other,
    })
}

fn verify_inner(conn: &Connection, path: &Path) -> Result<BackupInfo, StoreError> {
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(not_a_backup(path, format!("it is damaged or incomplete (integrity check: {check})")));
    }
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::TooNew { path: path.to_path_buf(), found: version, supported: SCHEMA_VERSION });
    }
    let has = |table: &str| -> Result<bool, StoreError> {
        Ok(conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |r| {
            r.get::<_, i64>(0)
        })? == 1)
    };
    // Ledgers from schema 6 on carry a marker; older ones are recognised by their tables.
    let marked = has("meta")?
        && conn
            .query_row("SELECT value FROM meta WHERE key = 'format'", [], |r| r.get::<_, String>(0))
            .map(|v| v == "offramp-ledger")
            .unwrap_or(false);
    let legacy = (1..6).contains(&version) && has("transactions")? && has("accounts")? && has("sources")?;
    if !(marked || legacy) {
        return Err(not_a_backup(path, "it opens with this passphrase but is not an Offramp ledger"));
    }
    let transactions = conn.query_row("SELECT count(*) FROM transactions", [], |r| r.get::<_, i64>(0))? as u64;
    let accounts = conn.query_row("SELECT count(*) FROM accounts", [], |r| r.get::<_, i64>(0))? as u64;
    let last: Option<i64> = conn.query_row("SELECT max(ts_us) FROM transactions", [], |r| r.get(0))?;
    Ok(BackupInfo {
        path: path.to_path_buf(),
        schema_version: version,
        transactions,
        accounts,
        last_transaction: last.map(offramp_core::Timestamp::from_unix_micros),
    })
}

/// Reads what a backup holds, checking it as a restore would (key, integrity, schema, that it is an Offramp
/// ledger). Opens it read-only: the file is not changed.
pub fn inspect_backup(backup: &Path, key: &Key) -> Result<BackupInfo, StoreError> {
    let (conn, _, _) = open_read_only(backup, key).map_err(|e| damaged(e, backup))?;
    verify(&conn, backup)
}

/// Copies the open database `from` into the new temporary file `tmp` (encrypted with `key`, the source's own), as
/// one file with a rollback journal (no WAL beside it), checked, flushed to the disk. Returns what the copy holds.
fn copy_into(from: &Connection, tmp: &Path, key: &Material, page_size: u32) -> Result<BackupInfo, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut to = Connection::open_with_flags(tmp, flags)?;
    to.busy_timeout(BUSY_TIMEOUT)?;
    apply_key(&to, key, page_size)?;
    Backup::new(from, &mut to)?.run_to_completion(4096, Duration::ZERO, None)?;
    to.execute_batch("PRAGMA journal_mode = DELETE;")?;
    let info = verify(&to, tmp)?;
    drop(to);
    std::fs::File::open(tmp).and_then(|f| f.sync_all()).map_err(io(format!("cannot write {}", tmp.display())))?;
    Ok(info)
}

/// Makes a checked copy of `from` at `dest` (which must not exist): written beside it under a temporary name and
/// renamed only when complete and verified.
fn copy_to_new_file(from: &Connection, dest: &Path, key: &Material, page_size: u32) -> Result<BackupInfo, StoreError> {
    if dest.exists() {
        return Err(StoreError::AlreadyExists(dest.to_path_buf()));
    }
    let (tmp, file) = crate::files::create_temp_beside(dest)?;
    drop(file);
    let result = copy_into(from, &tmp, key, page_size).and_then(|info| {
        crate::files::publish(&tmp, dest)?;
        Ok(BackupInfo { path: dest.to_path_buf(), ..info })
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(sidecar(&tmp, "-journal"));
    }
    result
}

impl Ledger {
    /// Writes a consistent copy of the ledger to `dest` (which must not exist) while it stays open and usable.
    /// The copy is encrypted with the ledger's own key (the same passphrase opens it) and checked before it gets
    /// its name; it holds every transaction the ledger held when it was taken.
    pub fn backup_to(&self, dest: &Path) -> Result<BackupInfo, StoreError> {
        copy_to_new_file(&self.conn, dest, &self.key, self.page_size)
    }

    /// Exports every transaction, in time order, as the generic CSV (importable into any Offramp ledger).
    /// Returns the number of transactions written. Text cells that a spreadsheet would run as a formula are
    /// written with a leading `'` (which the generic importer takes off again).
    pub fn export_generic(&self, out: &mut dyn Write) -> Result<u64, StoreError> {
        let mut w = csv::Writer::from_writer(out);
        let csv_err = |e: csv::Error| StoreError::Io { context: "cannot write the export".into(), source: e.into() };
        w.write_record(GENERIC_COLUMNS).map_err(csv_err)?;
        let mut n = 0;
        self.each_transaction(&TxFilter::default(), &mut |r| {
            let split = |a: &Option<offramp_core::Amount>| match a {
                Some(a) => (a.value().to_string(), a.code().to_string()),
                None => (String::new(), String::new()),
            };
            let (sa, sc) = split(&r.sent);
            let (ra, rc) = split(&r.received);
            let (fa, fc) = split(&r.fee);
            let (va, vc) = split(&r.fiat_value);
            let safe = offramp_core::text::spreadsheet_safe;
            w.write_record([
                r.timestamp.to_rfc3339().as_str(),
                r.kind.as_str(),
                &safe(&r.account),
                &sa,
                &sc,
                &ra,
                &rc,
                &fa,
                &fc,
                &va,
                &vc,
                &safe(r.external_id.as_deref().unwrap_or("")),
                &safe(&r.note),
            ])
            .map_err(csv_err)?;
            n += 1;
            Ok(())
        })?;
        w.flush().map_err(io("cannot write the export".into()))?;
        Ok(n)
    }
}

/// Replaces the ledger at `ledger_path` with the backup at `backup`, which is checked first (see
/// [`inspect_backup`]; one that holds no transaction is refused) and never written to. The ledger being replaced
/// is kept beside it as `<name>.replaced-<stamp>`. The restored copy is checked before it replaces the ledger in
/// one atomic rename, while no other window or command has the ledger open (else `Busy`): a crash leaves one or
/// the other. Returns what was restored and where the replaced ledger was kept (`None` if there was none).
pub fn restore(
    backup: &Path,
    key: &Key,
    ledger_path: &Path,
    stamp: &str,
) -> Result<(BackupInfo, Option<PathBuf>), StoreError> {
    let (source, page_size, material) = open_read_only(backup, key).map_err(|e| damaged(e, backup))?;
    let info = verify(&source, backup)?;
    if info.transactions == 0 {
        return Err(not_a_backup(
            backup,
            "it holds no transactions; restoring it would empty your ledger, so it is refused",
        ));
    }
    if let Some(dir) = ledger_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::files::create_private_dir(dir)?;
    }
    let _lock = LedgerLock::exclusive(ledger_path)?;
    let (staging, file) = crate::files::create_temp_beside(ledger_path)?;
    drop(file);
    let result = (|| {
        let copied = copy_into(&source, &staging, &material, page_size)?;
        if copied.transactions != info.transactions {
            return Err(StoreError::Invalid(format!(
                "the copy of the backup holds {} transactions instead of {}; nothing was replaced",
                copied.transactions, info.transactions
            )));
        }
        drop(source);
        let name = ledger_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let mut replaced = None;
        if ledger_path.exists() {
            // Keep the current ledger under a second name (a hard link: no copy, no moment without a ledger), move
            // its WAL files and any rollback journal (normally absent after a clean close) along, then swap the
            // restored file in with one atomic rename.
            let aside = ledger_path.with_file_name(format!("{name}.replaced-{stamp}"));
            if aside.exists() {
                return Err(StoreError::AlreadyExists(aside));
            }
            std::fs::hard_link(ledger_path, &aside)
                .or_else(|_| std::fs::copy(ledger_path, &aside).map(|_| ()))
                .map_err(io(format!("cannot keep a copy of {}", ledger_path.display())))?;
            crate::files::make_private(&aside);
            for suffix in ["-wal", "-shm", "-journal"] {
                let side = sidecar(ledger_path, suffix);
                if side.exists() {
                    let to = sidecar(&aside, suffix);
                    std::fs::rename(&side, &to).map_err(io(format!("cannot move {}", side.display())))?;
                }
            }
            replaced = Some(aside);
        }
        std::fs::rename(&staging, ledger_path).map_err(io(format!("cannot move {}", staging.display())))?;
        crate::files::sync_dir(ledger_path.parent().unwrap_or(Path::new(".")));
        Ok(replaced)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&staging);
        let _ = std::fs::remove_file(sidecar(&staging, "-journal"));
    }
    Ok((info, result?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_escape_what_they_must() {
        let u = file_uri(Path::new("/tmp/my backups/b?#%.offramp"));
        assert_eq!(u, "file:/tmp/my%20backups/b%3F%23%25.offramp?immutable=1");
    }
}
