use serde::Serialize;

/// Stable error codes. The UI and scripts match on these strings, so a code, once published, keeps its spelling
/// and meaning; new situations get new codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// Neither an explicit data folder nor the operating system's per-user data folder is known.
    DataDirUnavailable,
    /// The data folder or ledger path exists but is not usable (not a folder, not a file, unreadable).
    LedgerPathInvalid,
    /// The request itself is malformed (a bad figure, an unknown option).
    InvalidInput,
    /// A bug or an unexpected failure of the machine. The message says what happened.
    Internal,
}

impl ErrorCode {
    pub fn as_str(&self) -> &'static str {
        match self {
            ErrorCode::DataDirUnavailable => "DATA_DIR_UNAVAILABLE",
            ErrorCode::LedgerPathInvalid => "LEDGER_PATH_INVALID",
            ErrorCode::InvalidInput => "INVALID_INPUT",
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
#[error("{message} [{code}]")]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> AppError {
        AppError {
            code,
            message: message.into(),
        }
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
            ErrorCode::Internal,
        ] {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
        }
    }
}
