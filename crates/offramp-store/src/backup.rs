//! Backups with SQLite's online backup API (the copy is encrypted with the same key), restore, and export of
//! the whole ledger to the generic CSV.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::Backup;
use rusqlite::{Connection, OpenFlags};

use crate::db::apply_key;
use crate::import::GENERIC_COLUMNS;
use crate::{Key, Ledger, StoreError, TxFilter};

fn io(context: String) -> impl FnOnce(std::io::Error) -> StoreError {
    move |source| StoreError::Io { context, source }
}

/// Copies the open database `from` into a new file at `dest`, encrypted with `key`.
fn copy_to_new_file(from: &Connection, dest: &Path, key: &Key, page_size: u32) -> Result<(), StoreError> {
    if dest.exists() {
        return Err(StoreError::AlreadyExists(dest.to_path_buf()));
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut to = Connection::open_with_flags(dest, flags)?;
    apply_key(&to, key, page_size)?;
    Backup::new(from, &mut to)?.run_to_completion(4096, Duration::ZERO, None)?;
    // The copy must read back with the key before anyone relies on it.
    let check: String = to.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Corrupt { path: dest.to_path_buf(), detail: check });
    }
    Ok(())
}

impl Ledger {
    /// Writes a consistent copy of the ledger to `dest` (which must not exist) while it stays open and usable.
    /// The copy is encrypted with `key` (normally the ledger's own key).
    pub fn backup_to(&self, dest: &Path, key: &Key) -> Result<(), StoreError> {
        copy_to_new_file(&self.conn, dest, key, self.page_size)
    }

    /// Exports every transaction, in time order, as the generic CSV (importable into any Offramp ledger).
    /// Returns the number of transactions written.
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
            w.write_record([
                r.timestamp.to_rfc3339().as_str(),
                r.kind.as_str(),
                &r.account,
                &sa,
                &sc,
                &ra,
                &rc,
                &fa,
                &fc,
                &va,
                &vc,
                r.external_id.as_deref().unwrap_or(""),
                &r.note,
            ])
            .map_err(csv_err)?;
            n += 1;
            Ok(())
        })?;
        w.flush().map_err(io("cannot write the export".into()))?;
        Ok(n)
    }
}

/// Replaces the ledger at `ledger_path` with the backup at `backup` (checked with `key` first). The ledger
/// being replaced is kept beside it as `<name>.replaced-<stamp>`; returns that path (or `None` if there was no
/// ledger). The restored ledger replaces the old one in one atomic rename: a crash leaves one or the other.
pub fn restore(backup: &Path, key: &Key, ledger_path: &Path, stamp: &str) -> Result<Option<PathBuf>, StoreError> {
    let source = Ledger::open(backup, key)?;
    let name = ledger_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let staging = ledger_path.with_file_name(format!("{name}.restoring"));
    for stale in [staging.clone(), sidecar(&staging, "-wal"), sidecar(&staging, "-shm"), sidecar(&staging, "-journal")]
    {
        if stale.exists() {
            std::fs::remove_file(&stale).map_err(io(format!("cannot remove {}", stale.display())))?;
        }
    }
    if let Some(dir) = ledger_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(format!("cannot create {}", dir.display())))?;
    }
    copy_to_new_file(&source.conn, &staging, key, source.page_size)?;
    drop(source);
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
    Ok(replaced)
}

fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}
