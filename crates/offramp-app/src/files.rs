//! Files the application writes for the user (reports, exports): created new, 0600, under a temporary name and
//! renamed when complete (see `offramp_store::files`); an existing file is never replaced.

use std::io::Write;
use std::path::Path;

use offramp_store::StoreError;

use crate::{AppError, ErrorCode};

/// Said wherever a report or an export is written: unlike the ledger and its backups, it is plain text.
pub const UNENCRYPTED: &str = "This file is not encrypted: anyone who can read it sees your holdings and gains. It is \
     readable only by your user account here; keep it private, and delete it when you no longer need it.";

/// Writes a new file at `dest` with what `write` produces; nothing is left under `dest` if anything fails.
pub fn write_new<T>(dest: &Path, write: impl FnOnce(&mut dyn Write) -> Result<T, AppError>) -> Result<T, AppError> {
    offramp_store::files::write_new(dest, write).map_err(|e: AppError| match e.code {
        ErrorCode::LedgerExists => already_exists(dest),
        _ => e,
    })
}

/// Writes `bytes` to a new file at `dest`.
pub fn write_bytes(dest: &Path, bytes: &[u8]) -> Result<(), AppError> {
    write_new(dest, |w| w.write_all(bytes).map_err(|e| io_error(dest, e)))
}

fn already_exists(dest: &Path) -> AppError {
    AppError::new(ErrorCode::InvalidInput, format!("{} already exists; choose a new file.", dest.display()))
}

/// Replaces a small file of the app's own (preferences) with `bytes`: written new under a temporary name (0600) and
/// renamed over the old one.
pub fn replace(dest: &Path, bytes: &[u8]) -> Result<(), AppError> {
    Ok(offramp_store::files::write_replacing(dest, bytes)?)
}

/// A write to `dest` that failed.
pub fn io_error(dest: &Path, e: std::io::Error) -> AppError {
    AppError::from(StoreError::Io { context: format!("cannot write {}", dest.display()), source: e })
}
