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
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error("{0}")]
    Invalid(String),
    #[error("the import was cancelled; nothing was added")]
    Cancelled,
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
}
