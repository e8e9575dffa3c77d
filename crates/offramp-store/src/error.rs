use std::path::PathBuf;

/// Where an import went wrong: the file, the line (1-based, as an editor shows it), the field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.describe())]
pub struct ImportError {
    pub file: PathBuf,
    pub line: Option<u64>,
    pub field: Option<String>,
    pub message: String,
}

impl ImportError {
    pub fn file(file: &std::path::Path, message: impl Into<String>) -> ImportError {
        ImportError { file: file.to_path_buf(), line: None, field: None, message: message.into() }
    }

    pub fn at(file: &std::path::Path, line: u64, field: Option<&str>, message: impl Into<String>) -> ImportError {
        ImportError {
            file: file.to_path_buf(),
            line: Some(line),
            field: field.map(String::from),
            message: message.into(),
        }
    }

    fn describe(&self) -> String {
        let mut s = self.file.display().to_string();
        if let Some(line) = self.line {
            s.push_str(&format!(", line {line}"));
        }
        if let Some(field) = &self.field {
            s.push_str(&format!(", field `{field}`"));
        }
        format!("{s}: {}", self.message)
    }
}

/// Quotes user-supplied text in an error, shortened so a 10 MB line never lands in a message.
pub fn quote(text: &str) -> String {
    format!("`{}`", offramp_core::text::clip(text))
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no ledger at {0}")]
    NotFound(PathBuf),
    #[error("a file already exists at {0}")]
    AlreadyExists(PathBuf),
    #[error("cannot open {0}: wrong passphrase or key, or not an Offramp ledger")]
    WrongKey(PathBuf),
    #[error("{path} was written by a newer version of Offramp (schema {found}; this version knows up to {supported}). Update Offramp to open it.")]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error("{path} failed its integrity check: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    /// A backup (or a file offered as one) that cannot be restored; the ledger is left as it is.
    #[error("{path} cannot be restored: {why}. Your ledger was not changed.")]
    NotALedger { path: PathBuf, why: String },
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("{0}")]
    Invalid(String),
    #[error("Cancelled; nothing was changed.")]
    Cancelled,
    /// Another connection (another Offramp process or window) holds the ledger and did not let go in time.
    #[error("the ledger is busy: another Offramp (a second window or command) is {0}. Nothing was changed; try again when it has finished.")]
    Busy(String),
    /// The operating system refused a read or write of the ledger (disk full, read-only folder, permissions,
    /// an I/O error): never a sign of a wrong passphrase.
    #[error("{cause} ({detail}). The passphrase is not the problem; nothing was changed.")]
    Disk { cause: &'static str, detail: String },
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
}

impl From<rusqlite::Error> for StoreError {
    /// Sorts SQLite's failures by what the user can do about them: busy (wait), the disk (free space, fix
    /// permissions), damage (restore a backup); anything else is a database error.
    fn from(e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode as C;
        let detail = || e.to_string();
        match e.sqlite_error_code() {
            Some(C::DatabaseBusy | C::DatabaseLocked) => StoreError::Busy("using it".into()),
            Some(C::DiskFull) => StoreError::Disk { cause: "the disk holding the ledger is full", detail: detail() },
            Some(C::ReadOnly) => {
                StoreError::Disk { cause: "the ledger or its folder cannot be written (read-only)", detail: detail() }
            }
            Some(C::CannotOpen) => StoreError::Disk {
                cause: "the ledger's files cannot be opened (check the folder exists and can be written)",
                detail: detail(),
            },
            Some(C::PermissionDenied) => {
                StoreError::Disk { cause: "permission to use the ledger's files was denied", detail: detail() }
            }
            Some(C::SystemIoFailure) => {
                StoreError::Disk { cause: "reading or writing the ledger's files failed", detail: detail() }
            }
            Some(C::DatabaseCorrupt) => StoreError::Corrupt { path: PathBuf::from("the ledger"), detail: detail() },
            // After the key was checked at open (where "not a database" means a wrong key), a page whose HMAC
            // fails reads as "not a database": damage, never a wrong passphrase.
            Some(C::NotADatabase) => StoreError::Corrupt {
                path: PathBuf::from("the ledger"),
                detail: format!("a page failed its integrity check (HMAC) when read: {}", detail()),
            },
            _ => StoreError::Sqlite(e),
        }
    }
}

/// Whether SQLite said the file is not a database (what a wrong key, or a file that is not a ledger, gives).
pub(crate) fn is_not_a_database(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(rusqlite::ErrorCode::NotADatabase)
}
