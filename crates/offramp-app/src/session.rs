//! The ledger session: an unlocked ledger held open. Opening derives the key and checks the file's integrity
//! once; every ledger use case then runs on the open session (`impl Session` blocks in `ledger`, `report`,
//! `overrides`, `settings`, `plan`, `beancount`). The desktop app holds one for as long as it is unlocked, the
//! CLI one per command. Dropping it (locking) closes the ledger.
//!
//! The history that reports read (every transaction, with sources, links and settings) is loaded once and kept
//! until the ledger changes: through this session (every writing use case marks it), or through another window
//! or command (SQLite's `data_version` says so).

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;

use offramp_store::{Key, Ledger};

use crate::history::History;
use crate::{AppError, Config};

/// How a long use case reports progress and is cancelled: called with (done, total) now and then; returning
/// `false` cancels it (nothing is changed, the error is `CANCELLED`).
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64) -> bool;

/// A progress callback that never cancels.
pub fn no_progress() -> impl FnMut(u64, u64) -> bool {
    |_, _| true
}

pub struct Session {
    config: Config,
    ledger: Ledger,
    /// Commits made through this session (SQLite's `data_version` counts only those of other connections).
    writes: u64,
    history: RefCell<Option<Cached>>,
    /// SQLite's cache was let go since the history was last loaded (an idle window asks every few seconds).
    shrunk: std::cell::Cell<bool>,
}

struct Cached {
    data_version: i64,
    writes: u64,
    history: Arc<History>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("ledger", &self.ledger.path()).finish_non_exhaustive()
    }
}

impl Session {
    /// Opens the ledger of the data folder with its key (one key derivation and integrity check).
    pub fn open(config: &Config, key: &Key) -> Result<Session, AppError> {
        let ledger = Ledger::open(&config.ledger_path()?, key)?;
        Ok(Session::over(config, ledger))
    }

    /// Creates a new encrypted ledger in the data folder and opens it.
    pub fn create(config: &Config, key: &Key) -> Result<Session, AppError> {
        let ledger = Ledger::create(&config.ledger_path()?, key)?;
        Ok(Session::over(config, ledger))
    }

    fn over(config: &Config, ledger: Ledger) -> Session {
        // Offramp's own data folder (not one the user pointed at, which may hold other things) is the owner's
        // only, even if an earlier version made it readable by others.
        if !config.data_dir_overridden {
            if let Ok(dir) = config.data_dir() {
                offramp_store::files::make_private(dir);
            }
        }
        Session {
            config: config.clone(),
            ledger,
            writes: 0,
            history: RefCell::new(None),
            shrunk: std::cell::Cell::new(false),
        }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn ledger_path(&self) -> &Path {
        self.ledger.path()
    }

    pub(crate) fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// The ledger for a use case that writes: what was cached from it is dropped.
    pub(crate) fn ledger_mut(&mut self) -> &mut Ledger {
        self.writes += 1;
        self.history.replace(None);
        &mut self.ledger
    }

    /// Drops the history kept for reports (about 550 MB for 1,000,000 transactions) and SQLite's page cache; the
    /// next report loads them again. The desktop calls this when the window has been idle a while. True if a
    /// history was dropped.
    pub fn release_cache(&self) -> bool {
        let had = self.history.replace(None).is_some();
        if had || !self.shrunk.get() {
            // Best effort: a connection that cannot shrink just keeps its cache.
            let _ = self.ledger.shrink_memory();
            self.shrunk.set(true);
        }
        had
    }

    /// The ledger's history for reports, loaded once and re-used until the ledger changes. Loading reports
    /// progress per transaction read and can be cancelled.
    pub(crate) fn history(&self, progress: Progress) -> Result<Arc<History>, AppError> {
        let data_version = self.ledger.data_version()?;
        if let Some(c) = self.history.borrow().as_ref() {
            if c.data_version == data_version && c.writes == self.writes {
                return Ok(c.history.clone());
            }
        }
        let history = Arc::new(History::load(&self.ledger, progress)?);
        self.shrunk.set(false);
        self.history.replace(Some(Cached { data_version, writes: self.writes, history: history.clone() }));
        Ok(history)
    }
}
