use serde::Serialize;

/// Stable error codes. The UI and scripts match on these strings, so a code, once published, keeps its spelling
/// and meaning; new situations get new codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// Neither an explicit data folder nor the operating system's per-user data folder is known.
    DataDirUnavailable,
    /// The data folder or ledger path exists but is not usable (not a folder, not a file, unreadable).
    LedgerPathInvalid,
    /// The request itself is malformed (a bad figure, an unknown option).
    InvalidInput,
    /// No ledger file where one was expected (create one first).
    LedgerNotFound,
    /// A ledger file already exists where a new one was to be created.
    LedgerExists,
    /// The passphrase or key does not open the ledger (or the file is not an Offramp ledger).
    WrongKey,
    /// The operation needs the ledger's passphrase and none was given.
    PassphraseRequired,
    /// The desktop app's ledger is locked: unlock it first.
    LedgerLocked,
    /// A new passphrase is too weak (the message says why and how to make it stronger).
    WeakPassphrase,
    /// Too many wrong passphrases in a row: the next attempt must wait (the message says how long).
    UnlockDelayed,
    /// The second factor is on: a code from the authenticator app (or a recovery code) is needed.
    CodeRequired,
    /// The authenticator code (or recovery code) is wrong, or was used already.
    WrongCode,
    /// This machine's keyring has no second-factor secret for the ledger: unlock with a recovery code.
    SecondFactorMissing,
    /// The system keyring (Secret Service) cannot be used; the second factor needs one.
    KeyringUnavailable,
    /// The ledger was written by a newer version of Offramp; it is left untouched.
    LedgerTooNew,
    /// The ledger file failed SQLite's integrity check.
    LedgerCorrupt,
    /// A file offered as a backup cannot be restored (unfinished, damaged, empty, or not an Offramp ledger); the
    /// ledger was not changed.
    BackupInvalid,
    /// An import file was refused; the message names the file, line and field. Nothing was added.
    ImportInvalid,
    /// The user cancelled; nothing was changed.
    Cancelled,
    /// Another Offramp (a second window or command) is using the ledger; nothing was changed. Try again.
    LedgerBusy,
    /// No exchange answered with market data (offline, or a pair none of them trades); the message lists each.
    MarketUnavailable,
    /// Reading or writing a file failed (permissions, disk full).
    Io,
    /// The database engine failed unexpectedly.
    Storage,
    /// A bug or an unexpected failure of the machine. The message says what happened.
    Internal,
}

impl ErrorCode {
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::DataDirUnavailable => "DATA_DIR_UNAVAILABLE",
            ErrorCode::LedgerPathInvalid => "LEDGER_PATH_INVALID",
            ErrorCode::InvalidInput => "INVALID_INPUT",
            ErrorCode::LedgerNotFound => "LEDGER_NOT_FOUND",
            ErrorCode::LedgerExists => "LEDGER_EXISTS",
            ErrorCode::WrongKey => "WRONG_KEY",
            ErrorCode::PassphraseRequired => "PASSPHRASE_REQUIRED",
            ErrorCode::LedgerLocked => "LEDGER_LOCKED",
            ErrorCode::WeakPassphrase => "WEAK_PASSPHRASE",
            ErrorCode::UnlockDelayed => "UNLOCK_DELAYED",
            ErrorCode::CodeRequired => "CODE_REQUIRED",
            ErrorCode::WrongCode => "WRONG_CODE",
            ErrorCode::SecondFactorMissing => "SECOND_FACTOR_MISSING",
            ErrorCode::KeyringUnavailable => "KEYRING_UNAVAILABLE",
            ErrorCode::LedgerTooNew => "LEDGER_TOO_NEW",
            ErrorCode::LedgerCorrupt => "LEDGER_CORRUPT",
            ErrorCode::BackupInvalid => "BACKUP_INVALID",
            ErrorCode::ImportInvalid => "IMPORT_INVALID",
            ErrorCode::Cancelled => "CANCELLED",
            ErrorCode::LedgerBusy => "LEDGER_BUSY",
            ErrorCode::MarketUnavailable => "MARKET_UNAVAILABLE",
            ErrorCode::Io => "IO",
            ErrorCode::Storage => "STORAGE",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as every front end shows it: `{"code": "LEDGER_PATH_INVALID", "message": "..."}`.
/// The message is written for the user: it names the file, line and field where there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[error("{message} [{code}]")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError { code, message: message.into() }
    }
}

impl From<offramp_store::StoreError> for AppError {
    fn from(e: offramp_store::StoreError) -> AppError {
        use offramp_store::StoreError as S;
        if let S::Import(e) = e {
            return e.into();
        }
        let code = match &e {
            S::NotFound(_) => ErrorCode::LedgerNotFound,
            S::AlreadyExists(_) => ErrorCode::LedgerExists,
            S::WrongKey(_) => ErrorCode::WrongKey,
            S::TooNew { .. } => ErrorCode::LedgerTooNew,
            S::Corrupt { .. } => ErrorCode::LedgerCorrupt,
            S::Import(_) => ErrorCode::ImportInvalid,
            S::Cancelled => ErrorCode::Cancelled,
            S::Busy(_) => ErrorCode::LedgerBusy,
            S::Disk { .. } => ErrorCode::Io,
            S::NotALedger { .. } => ErrorCode::BackupInvalid,
            S::Io { .. } => ErrorCode::Io,
            S::Sqlite(_) => ErrorCode::Storage,
            S::Invalid(_) => ErrorCode::InvalidInput,
        };
        let message = match &e {
            S::NotFound(p) => format!("No ledger at {}. Create one first (`offramp init`).", p.display()),
            _ => e.to_string(),
        };
        AppError::new(code, message)
    }
}

impl From<offramp_store::ImportError> for AppError {
    fn from(e: offramp_store::ImportError) -> AppError {
        AppError::new(ErrorCode::ImportInvalid, format!("{e}. Nothing was imported."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_code_and_message() {
        let e = AppError::new(ErrorCode::LedgerPathInvalid, "not a file");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "LEDGER_PATH_INVALID", "message": "not a file"})
        );
        for code in [
            ErrorCode::DataDirUnavailable,
            ErrorCode::LedgerPathInvalid,
            ErrorCode::InvalidInput,
            ErrorCode::LedgerNotFound,
            ErrorCode::LedgerExists,
            ErrorCode::WrongKey,
            ErrorCode::PassphraseRequired,
            ErrorCode::LedgerLocked,
            ErrorCode::WeakPassphrase,
            ErrorCode::UnlockDelayed,
            ErrorCode::CodeRequired,
            ErrorCode::WrongCode,
            ErrorCode::SecondFactorMissing,
            ErrorCode::KeyringUnavailable,
            ErrorCode::LedgerTooNew,
            ErrorCode::LedgerCorrupt,
            ErrorCode::BackupInvalid,
            ErrorCode::ImportInvalid,
            ErrorCode::Cancelled,
            ErrorCode::LedgerBusy,
            ErrorCode::MarketUnavailable,
            ErrorCode::Io,
            ErrorCode::Storage,
            ErrorCode::Internal,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(code.as_str()));
        }
    }
}
