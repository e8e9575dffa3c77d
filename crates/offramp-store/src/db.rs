use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::key::{Key, Material};
use crate::StoreError;

/// The schema version this build writes. A ledger with a higher `user_version` is refused.
pub const SCHEMA_VERSION: i64 = 8;

/// Migrations, in order: `MIGRATIONS[i]` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_initial.sql"),
    include_str!("../migrations/0002_one_time_index.sql"),
    include_str!("../migrations/0003_venue_overrides.sql"),
    include_str!("../migrations/0004_settings.sql"),
    include_str!("../migrations/0005_one_index_per_account.sql"),
    include_str!("../migrations/0006_ledger_marker.sql"),
    include_str!("../migrations/0007_fx_rates.sql"),
    include_str!("../migrations/0008_edits.sql"),
];

/// The page size of new ledgers: 16 KiB pages cut the per-page work (B-tree splits, encryption and HMAC) of large
/// imports by about a sixth against SQLCipher's default.
pub(crate) const PAGE_SIZE: u32 = 16384;
/// How long a connection waits for another one (another Offramp process or window) to finish writing before it
/// gives up with [`StoreError::Busy`]: longer than the largest import takes to commit.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The page size of ledgers written before, still opened.
pub(crate) const LEGACY_PAGE_SIZE: u32 = 4096;

/// Gives SQLCipher the key and the page size for a connection (before its first read or write).
pub(crate) fn apply_key(conn: &Connection, key: &Material, page_size: u32) -> rusqlite::Result<()> {
    conn.pragma_update(None, "key", key.pragma().as_str())?;
    conn.execute_batch(&format!("PRAGMA cipher_page_size = {page_size}; PRAGMA cipher_log_level = NONE;"))
}

/// The first 16 bytes of a file: an SQLCipher ledger's plaintext salt (`None` if the file is shorter).
pub(crate) fn file_salt(path: &Path) -> Option<[u8; 16]> {
    use std::io::Read;
    let mut salt = [0u8; 16];
    std::fs::File::open(path).ok()?.read_exact(&mut salt).ok()?;
    Some(salt)
}

/// The page sizes to try with a key: ledgers keyed by Argon2id were all made with [`PAGE_SIZE`]; others may have
/// the former size.
pub(crate) fn page_sizes(m: &Material) -> &'static [u32] {
    match m {
        Material::Derived { .. } => &[PAGE_SIZE],
        Material::Legacy(_) | Material::Raw(_) => &[PAGE_SIZE, LEGACY_PAGE_SIZE],
    }
}

/// An open, unlocked ledger.
pub struct Ledger {
    pub(crate) conn: Connection,
    path: PathBuf,
    /// The file's page size (copies are written with the same).
    pub(crate) page_size: u32,
    /// Held for as long as the ledger is open (see [`LedgerLock`]); `None` only while a new ledger is built.
    _lock: Option<LedgerLock>,
    /// The key the ledger opened with (backups are written with it).
    pub(crate) key: Material,
    /// Whether opening checked the whole file (after an unclean shutdown).
    checked_at_open: bool,
}

/// What an open waits for when the lock is held exclusively.
const SHARED_WAITS_FOR: &str = "replacing the ledger file (a restore or a change of passphrase)";

/// `<ledger>.lock`, a file (mode 0600) beside the ledger on which every open ledger holds a **shared** lock for as
/// long as it is open, and whatever replaces the ledger file (a restore, a change of passphrase) an **exclusive**
/// one: a ledger open in one window or command is never replaced under it, where it would go on writing into the
/// file set aside. Writers among themselves are kept apart by SQLite (WAL, one writer at a time, each waiting up
/// to [`BUSY_TIMEOUT`]).
pub(crate) struct LedgerLock {
    _file: std::fs::File,
}

impl LedgerLock {
    fn file(ledger: &Path) -> Result<std::fs::File, StoreError> {
        let path = sidecar(ledger, ".lock");
        let mut o = std::fs::OpenOptions::new();
        o.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, crate::files::FILE_MODE);
        o.open(&path).map_err(|e| StoreError::Disk {
            cause: "the ledger's lock file cannot be created or opened (is the folder read-only?)",
            detail: format!("{}: {e}", path.display()),
        })
    }

    /// Waits up to `wait` for the lock, then gives up with `Busy`.
    fn take(ledger: &Path, exclusive: bool, wait: std::time::Duration, what: &str) -> Result<LedgerLock, StoreError> {
        LedgerLock::take_on(LedgerLock::file(ledger)?, exclusive, wait, what)
    }

    fn take_on(
        file: std::fs::File,
        exclusive: bool,
        wait: std::time::Duration,
        what: &str,
    ) -> Result<LedgerLock, StoreError> {
        let start = std::time::Instant::now();
        loop {
            let got = if exclusive { file.try_lock() } else { file.try_lock_shared() };
            match got {
                Ok(()) => return Ok(LedgerLock { _file: file }),
                Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < wait => {
                    std::thread::sleep(std::time::Duration::from_millis(25))
                }
                Err(std::fs::TryLockError::WouldBlock) => return Err(StoreError::Busy(what.into())),
                Err(std::fs::TryLockError::Error(e)) => {
                    return Err(StoreError::Disk {
                        cause: "the ledger's lock file cannot be locked",
                        detail: e.to_string(),
                    })
                }
            }
        }
    }

    /// The lock of an open ledger, and whether the last use of the ledger ended uncleanly: a write-ahead log left
    /// behind while no other window or command has the ledger open (SQLite removes the log when the last
    /// connection closes, so one nobody holds means the last user was killed or lost power). Decided under a
    /// momentary exclusive lock, so no other Offramp process is opening or closing the ledger then.
    fn shared_noting_unclean(ledger: &Path) -> Result<(LedgerLock, bool), StoreError> {
        let file = LedgerLock::file(ledger)?;
        let unclean = match file.try_lock() {
            Ok(()) => {
                let left = sidecar(ledger, "-wal").exists();
                // Dropping to shared is not atomic (flock): whoever slips in between is waited for below.
                let _ = file.unlock();
                left
            }
            Err(_) => false,
        };
        Ok((LedgerLock::take_on(file, false, BUSY_TIMEOUT, SHARED_WAITS_FOR)?, unclean))
    }

    /// The lock of whatever replaces the ledger file: no other window or command may have it open.
    pub(crate) fn exclusive(ledger: &Path) -> Result<LedgerLock, StoreError> {
        LedgerLock::take(
            ledger,
            true,
            std::time::Duration::from_secs(2),
            "keeping it open (close Offramp's other windows and commands first)",
        )
    }
}

fn random_error(e: getrandom::Error) -> StoreError {
    StoreError::Disk { cause: "the system's random source failed", detail: e.to_string() }
}

/// Opens `path` read-write with `key`: each way the key may apply to this file (Argon2id over its salt, SQLCipher's
/// PBKDF2, each page size) is tried until page 1 decrypts. A wrong key (or a plain SQLite file, or garbage) fails
/// with "not a database"; any other failure (busy, disk full, a read-only folder, an I/O error) is reported as
/// what it is, never as a wrong key.
pub(crate) fn open_keyed(path: &Path, key: &Key) -> Result<(Connection, u32, Material), StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    for material in crate::key::candidates(key, file_salt(path)) {
        for &page_size in page_sizes(&material) {
            let conn = Connection::open_with_flags(path, flags)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
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

/// Changes the key of the ledger at `path` from `old` to `new` without losing a row: the whole ledger is written
/// to a new file under the new key (SQLCipher's `sqlcipher_export`), that copy is checked (it opens with the new
/// key, passes the integrity check, holds every transaction), then it replaces the ledger in one rename. This
/// runs while no other window or command has the ledger open (else `Busy`); a kill at any moment leaves the
/// ledger under the old key or the new one, never neither. With a passphrase, the new file has a new salt and an
/// Argon2id key (a ledger made before is moved to Argon2id).
pub fn rekey(path: &Path, old: &Key, new: &Key) -> Result<(), StoreError> {
    if !path.is_file() {
        return Err(StoreError::NotFound(path.to_path_buf()));
    }
    let _lock = LedgerLock::exclusive(path)?;
    let (conn, _, _) = open_keyed(path, old)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if check != "ok" {
        return Err(StoreError::Corrupt { path: path.to_path_buf(), detail: check });
    }
    // Everything committed is in the main file before it is copied.
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let rows: i64 = conn.query_row("SELECT count(*) FROM transactions", [], |r| r.get(0)).unwrap_or(0);
    let material = crate::key::for_new_file(new).map_err(random_error)?;
    let (tmp, file) = crate::files::create_temp_beside(path)?;
    drop(file);
    let result = (|| {
        // The new (empty) file, attached with its key; its page size is set before its first page is written.
        conn.execute(
            "ATTACH DATABASE ?1 AS rekeyed KEY ?2",
            rusqlite::params![tmp.to_string_lossy(), material.pragma().as_str()],
        )?;
        let copied = (|| -> Result<(), StoreError> {
            conn.execute_batch(&format!("PRAGMA rekeyed.cipher_page_size = {PAGE_SIZE};"))?;
            conn.query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(()))?;
            conn.execute_batch(&format!("PRAGMA rekeyed.user_version = {version};"))?;
            Ok(())
        })();
        conn.execute_batch("DETACH DATABASE rekeyed;")?;
        copied?;
        // The copy must open with the new key and hold everything.
        {
            let check =
                Connection::open_with_flags(&tmp, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
            apply_key(&check, &material, PAGE_SIZE)?;
            let ok: String = check.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            let copied_rows: i64 = check.query_row("SELECT count(*) FROM transactions", [], |r| r.get(0))?;
            if ok != "ok" || copied_rows != rows {
                return Err(StoreError::Invalid(format!(
                    "the re-keyed copy did not check out ({ok}, {copied_rows} of {rows} transactions); the ledger \
                     was not changed"
                )));
            }
        }
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(|source| StoreError::Io { context: format!("cannot write {}", tmp.display()), source })?;
        Ok(())
    })();
    // Closing the old connection removes its WAL files, so none is left to be read with the new file.
    drop(conn);
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        let _ = std::fs::remove_file(sidecar(&tmp, "-journal"));
        return Err(e);
    }
    for side in ["-wal", "-shm"] {
        let p = sidecar(path, side);
        if p.exists() {
            let _ = std::fs::remove_file(&tmp);
            return Err(StoreError::Invalid(format!(
                "{} is still there after closing the ledger; the ledger was not changed",
                p.display()
            )));
        }
    }
    std::fs::rename(&tmp, path).map_err(|source| StoreError::Io {
        context: format!("cannot move the re-keyed ledger into place at {}", path.display()),
        source,
    })?;
    crate::files::sync_dir(path.parent().unwrap_or(Path::new(".")));
    Ok(())
}

/// `path` with `suffix` appended to its file name (`ledger.offramp-wal`, `ledger.offramp.lock`).
pub(crate) fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

impl Ledger {
    /// Creates a new, empty, encrypted ledger. Refuses to touch an existing file. The ledger is built in a
    /// temporary file beside `path` (mode 0600, in a folder created 0700) and given its name only when complete,
    /// so a kill never leaves a half-made ledger there.
    pub fn create(path: &Path, key: &Key) -> Result<Ledger, StoreError> {
        if path.exists() {
            return Err(StoreError::AlreadyExists(path.to_path_buf()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::files::create_private_dir(dir)?;
        }
        let material = crate::key::for_new_file(key).map_err(random_error)?;
        let (tmp, file) = crate::files::create_temp_beside(path)?;
        drop(file);
        let built = (|| {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            let conn = Connection::open_with_flags(&tmp, flags)?;
            conn.busy_timeout(BUSY_TIMEOUT)?;
            apply_key(&conn, &material, PAGE_SIZE)?;
            // A rollback journal while it is built: closing leaves one self-contained file to move into place.
            conn.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;")?;
            let mut l = Ledger {
                conn,
                path: tmp.clone(),
                page_size: PAGE_SIZE,
                _lock: None,
                key: material,
                checked_at_open: false,
            };
            l.migrate()?;
            drop(l);
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(|source| StoreError::Io { context: format!("cannot write {}", tmp.display()), source })?;
            crate::files::publish(&tmp, path)
        })();
        if built.is_err() {
            let _ = std::fs::remove_file(&tmp);
            let _ = std::fs::remove_file(sidecar(&tmp, "-journal"));
        }
        built?;
        Ledger::open(path, key)
    }

    /// Whether the ledger's key is derived by Argon2id (false: a ledger made before, still on SQLCipher's PBKDF2,
    /// which a change of passphrase moves to Argon2id).
    pub fn uses_argon2id(&self) -> bool {
        matches!(self.key, Material::Derived { .. })
    }

    /// Opens an existing ledger with its key: checks the key (page 1 decrypts and its HMAC holds), the file's
    /// length against its header, and the schema version, and brings an older schema up to date. After an
    /// unclean shutdown (a kill, a power cut: the write-ahead log left behind), the whole file is checked too
    /// ([`Ledger::check`]).
    ///
    /// Why that is enough at every other open: SQLite's commits are atomic, so a clean shutdown leaves a whole
    /// file; and SQLCipher verifies every page's HMAC whenever it reads it, so a page changed since (a disk
    /// error, tampering) is refused as damage when anything reads it, never used as data. Checking every page at
    /// every open would cost about 0.7 s per 1,000,000 transactions before every command.
    pub fn open(path: &Path, key: &Key) -> Result<Ledger, StoreError> {
        if !path.is_file() {
            return Err(StoreError::NotFound(path.to_path_buf()));
        }
        if std::fs::metadata(path).map(|m| m.len()).unwrap_or(1) == 0 {
            // SQLite would take an empty file for a new database and write a fresh, empty ledger into it.
            return Err(StoreError::Corrupt { path: path.to_path_buf(), detail: "the file is empty (0 bytes)".into() });
        }
        let (lock, unclean) = LedgerLock::shared_noting_unclean(path)?;
        crate::files::make_private(path);
        let (conn, page_size, key) = open_keyed(path, key)?;
        Ledger::prepare(conn, path, page_size, lock, key, unclean)
    }

    fn prepare(
        conn: Connection,
        path: &Path,
        page_size: u32,
        lock: LedgerLock,
        key: Material,
        check_whole: bool,
    ) -> Result<Ledger, StoreError> {
        conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA cipher_memory_security = OFF;
             PRAGMA cache_size = -131072;
             PRAGMA temp_store = MEMORY;",
        )?;
        let mut ledger =
            Ledger { conn, path: path.to_path_buf(), page_size, _lock: Some(lock), key, checked_at_open: check_whole };
        if check_whole {
            ledger.check()?;
        } else {
            ledger.check_size()?;
        }
        ledger.migrate()?;
        Ok(ledger)
    }

    /// Checks the whole ledger: every page is read and its HMAC verified (SQLCipher), and the b-trees' structure
    /// (SQLite's `quick_check`). A damaged or tampered file is [`StoreError::Corrupt`]. Runs at open after an
    /// unclean shutdown, and on the user's request (`offramp check`); backups, restores and re-keyed copies get
    /// the full `integrity_check`. About 0.7 s per 1,000,000 transactions.
    pub fn check(&self) -> Result<(), StoreError> {
        let check: String = self.conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            return Err(StoreError::Corrupt { path: self.path.clone(), detail: check });
        }
        Ok(())
    }

    /// The check at every open: the file is as long as its header says (page 1, whose HMAC the key check
    /// verified, counts the pages). A file cut short (a copy that stopped, a full disk) is refused at unlock.
    /// Damage inside a page is found when the page is read: its HMAC fails and the read is
    /// [`StoreError::Corrupt`], never data. Skipped while the write-ahead log holds pages (another window or
    /// command is writing: the ledger's size is then the file's and the log's): the log only grows while a
    /// connection holds it, so a log empty before and after the count means the count is the file's alone.
    fn check_size(&self) -> Result<(), StoreError> {
        let log = sidecar(&self.path, "-wal");
        let log_has_pages = || std::fs::metadata(&log).is_ok_and(|m| m.len() > 0);
        if log_has_pages() {
            return Ok(());
        }
        let pages: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let len = std::fs::metadata(&self.path)
            .map_err(|source| StoreError::Io { context: format!("cannot read {}", self.path.display()), source })?
            .len();
        let expected = u64::try_from(pages).unwrap_or(0).saturating_mul(u64::from(self.page_size));
        if len < expected && !log_has_pages() {
            return Err(StoreError::Corrupt {
                path: self.path.clone(),
                detail: format!(
                    "the file is {len} bytes, but its header counts {pages} pages of {} bytes ({expected} bytes): it \
                     was cut short",
                    self.page_size
                ),
            });
        }
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let found: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: self.path.clone(), found, supported: SCHEMA_VERSION });
        }
        if found == SCHEMA_VERSION {
            return Ok(());
        }
        // IMMEDIATE: two processes opening an old ledger at once must not both start migrating from a read.
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let found: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.commit()?;
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether opening checked the whole file, because the last use of the ledger ended uncleanly (a kill, a
    /// power cut): it passed, or the open would have failed.
    pub fn checked_at_open(&self) -> bool {
        self.checked_at_open
    }

    /// A number that changes whenever another connection (another window or command) commits a change to the
    /// ledger; what this connection writes itself does not change it.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Frees what SQLite holds in memory for this connection (its page cache, up to 128 MiB, filled by the check
    /// at open); pages are read again as they are needed.
    pub fn shrink_memory(&self) -> Result<(), StoreError> {
        Ok(self.conn.execute_batch("PRAGMA shrink_memory")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(p: &str) -> Key {
        Key::Passphrase(p.into())
    }

    #[test]
    fn create_then_open_with_the_right_key_only() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("sub/ledger.offramp");
        let l = Ledger::create(&path, &pass("correct horse")).unwrap();
        assert_eq!(l.schema_version().unwrap(), SCHEMA_VERSION);
        drop(l);
        assert!(matches!(Ledger::create(&path, &pass("x")), Err(StoreError::AlreadyExists(_))));
        assert!(matches!(Ledger::open(&path, &pass("wrong")), Err(StoreError::WrongKey(_))));
        Ledger::open(&path, &pass("correct horse")).unwrap();
        assert!(matches!(Ledger::open(&tmp.path().join("nope"), &pass("x")), Err(StoreError::NotFound(_))));
    }

    #[test]
    fn raw_key() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("l");
        Ledger::create(&path, &Key::Raw([7; 32])).unwrap();
        assert!(matches!(Ledger::open(&path, &Key::Raw([8; 32])), Err(StoreError::WrongKey(_))));
        Ledger::open(&path, &Key::Raw([7; 32])).unwrap();
    }

    #[test]
    fn the_file_is_not_plain_sqlite() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("l");
        Ledger::create(&path, &pass("k")).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert!(!bytes.starts_with(b"SQLite format 3\0"), "header must be encrypted");
        // Opening without a key, as plain SQLite would, fails.
        let plain = Connection::open(&path).unwrap();
        assert!(plain.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)).is_err());
    }

    #[test]
    fn a_newer_schema_is_refused_and_left_alone() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("l");
        let l = Ledger::create(&path, &pass("k")).unwrap();
        l.conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1).unwrap();
        drop(l);
        match Ledger::open(&path, &pass("k")) {
            Err(StoreError::TooNew { found, supported, .. }) => {
                assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION));
            }
            other => panic!("expected TooNew, got {:?}", other.map(|_| ())),
        }
    }

    fn indexes(l: &Ledger) -> Vec<String> {
        l.conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'transactions' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn a_schema_1_ledger_is_brought_up_to_date() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("l");
        let mut l = Ledger::create(&path, &pass("k")).unwrap();
        let csv = tmp.path().join("h.csv");
        std::fs::write(
            &csv,
            "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n\
             2024-01-01T00:00:00Z,buy,A,10,USD,0.001,BTC\n2024-01-01T00:00:00Z,buy,B,10,USD,0.001,BTC\n\
             2024-01-02T00:00:00Z,sell,A,0.001,BTC,11,USD\n",
        )
        .unwrap();
        let now = offramp_core::Timestamp::from_unix_micros(0);
        l.import_files(std::slice::from_ref(&csv), now, &mut |_, _| true).unwrap();
        // Put the file back to what schema 1 looked like, rows included.
        l.conn
            .execute_batch(
                "DROP INDEX transactions_by_account_time;
                 CREATE INDEX transactions_by_time ON transactions(ts_us);
                 CREATE UNIQUE INDEX transactions_fingerprint ON transactions(ts_us, fingerprint);
                 CREATE INDEX transactions_by_account ON transactions(account_id, ts_us);
                 DROP TABLE venue_overrides; DROP TABLE settings; DROP TABLE meta;
                 DROP TABLE fx_rates; DROP TABLE edits; ALTER TABLE transactions DROP COLUMN retired;
                 PRAGMA user_version = 1;",
            )
            .unwrap();
        drop(l);
        let mut l = Ledger::open(&path, &pass("k")).unwrap();
        assert_eq!(l.schema_version().unwrap(), SCHEMA_VERSION);
        assert_eq!(indexes(&l), ["transactions_by_account_time"]);
        // Duplicates are still recognised by the new index: the same file again adds nothing.
        let again = l.import_files(std::slice::from_ref(&csv), now, &mut |_, _| true).unwrap();
        assert_eq!((again[0].rows, again[0].added), (3, 0));
        assert_eq!(l.transaction_count().unwrap(), 3);
    }

    #[test]
    fn a_ledger_with_the_former_page_size_still_opens_and_backs_up() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("old");
        {
            // What a ledger of the previous version looked like: SQLCipher's default 4 KiB pages.
            let conn = Connection::open(&path).unwrap();
            apply_key(&conn, &Material::Legacy("k".into()), LEGACY_PAGE_SIZE).unwrap();
            conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
        }
        let l = Ledger::open(&path, &pass("k")).unwrap();
        assert_eq!(l.page_size, LEGACY_PAGE_SIZE);
        assert_eq!(l.schema_version().unwrap(), SCHEMA_VERSION);
        let copy = tmp.path().join("copy");
        l.backup_to(&copy).unwrap();
        drop(l);
        assert_eq!(Ledger::open(&copy, &pass("k")).unwrap().page_size, LEGACY_PAGE_SIZE);
        assert!(matches!(Ledger::open(&path, &pass("wrong")), Err(StoreError::WrongKey(_))));
        // New ledgers use the larger pages.
        let new = Ledger::create(&tmp.path().join("new"), &pass("k")).unwrap();
        assert_eq!(new.page_size, PAGE_SIZE);
        let size: String = new.conn.query_row("PRAGMA cipher_page_size", [], |r| r.get(0)).unwrap();
        assert_eq!(size, PAGE_SIZE.to_string());
    }

    #[test]
    fn a_ledger_of_the_first_argon2id_parameters_still_opens_and_moves_to_the_new_ones_on_rekey() {
        use crate::key::{argon2id, Passphrase, KDF_ARGON2ID_V1, KDF_ARGON2ID_V2};
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("v1");
        let mut salt = [7u8; 16];
        salt[0] = KDF_ARGON2ID_V1;
        let p = Passphrase::from("k");
        {
            let conn = Connection::open(&path).unwrap();
            apply_key(&conn, &Material::Derived { key: argon2id(&p, &salt), salt }, PAGE_SIZE).unwrap();
            conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
        }
        assert_eq!(std::fs::read(&path).unwrap()[..16], salt);
        let l = Ledger::open(&path, &pass("k")).unwrap();
        assert!(l.uses_argon2id());
        assert_eq!(l.schema_version().unwrap(), SCHEMA_VERSION);
        drop(l);
        assert!(matches!(Ledger::open(&path, &pass("wrong")), Err(StoreError::WrongKey(_))));
        // The same passphrase under the current parameters is another key: the marker picks the parameters.
        let mut v2 = salt;
        v2[0] = KDF_ARGON2ID_V2;
        assert_ne!(argon2id(&p, &salt).bytes()[..], argon2id(&p, &v2).bytes()[..]);
        // A change of passphrase writes the current parameters.
        crate::rekey(&path, &pass("k"), &pass("k2")).unwrap();
        assert_eq!(std::fs::read(&path).unwrap()[0], KDF_ARGON2ID_V2);
        Ledger::open(&path, &pass("k2")).unwrap();
    }

    #[test]
    fn garbage_is_not_a_ledger() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("l");
        std::fs::write(&path, vec![0x42u8; 8192]).unwrap();
        assert!(matches!(Ledger::open(&path, &pass("k")), Err(StoreError::WrongKey(_))));
    }
}
