use std::io::ErrorKind;
use std::path::PathBuf;

use serde::Serialize;

use crate::{AppError, Config, ErrorCode, Flavor, VERSION};

/// Whether the ledger file exists yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum LedgerState {
    /// No ledger has been created in this data folder.
    Missing,
    /// A ledger file is there (it is encrypted; opening it needs the passphrase).
    Present,
}

/// What the home screen and `offramp status` show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Status {
    pub app_version: String,
    pub flavor: Flavor,
    pub data_dir: PathBuf,
    pub data_dir_overridden: bool,
    pub ledger_path: PathBuf,
    pub ledger: LedgerState,
    /// The ledger file's size in bytes, when it exists.
    pub ledger_size_bytes: Option<u64>,
}

/// Reports where the ledger lives and whether it exists. Reads file metadata only; creates nothing.
pub fn status(config: &Config) -> Result<Status, AppError> {
    let data_dir = config.data_dir()?.to_path_buf();
    let ledger_path = config.ledger_path()?;
    let invalid = |what: String| AppError::new(ErrorCode::LedgerPathInvalid, what);

    match std::fs::metadata(&data_dir) {
        Ok(m) if !m.is_dir() => {
            return Err(invalid(format!("The data folder {} exists but is not a folder.", data_dir.display())));
        }
        Ok(_) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(invalid(format!("Cannot read the data folder {}: {e}.", data_dir.display()))),
    }

    let (ledger, ledger_size_bytes) = match std::fs::metadata(&ledger_path) {
        Ok(m) if m.is_file() => (LedgerState::Present, Some(m.len())),
        Ok(_) => {
            return Err(invalid(format!("The ledger path {} exists but is not a file.", ledger_path.display())));
        }
        Err(e) if e.kind() == ErrorKind::NotFound => (LedgerState::Missing, None),
        Err(e) if e.kind() == ErrorKind::NotADirectory => {
            return Err(invalid(format!("The data folder {} is not a folder.", data_dir.display())));
        }
        Err(e) => return Err(invalid(format!("Cannot read the ledger {}: {e}.", ledger_path.display()))),
    };

    Ok(Status {
        app_version: VERSION.to_string(),
        flavor: config.flavor,
        data_dir,
        data_dir_overridden: config.data_dir_overridden,
        ledger_path,
        ledger,
        ledger_size_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: PathBuf) -> Config {
        Config::resolve(Flavor::Dev, Some(dir), None)
    }

    #[test]
    fn missing_then_present() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("data");
        let s = status(&config(dir.clone())).unwrap();
        assert_eq!(s.ledger, LedgerState::Missing);
        assert_eq!(s.ledger_path, dir.join("ledger.offramp"));
        assert_eq!(s.ledger_size_bytes, None);
        assert!(!dir.exists(), "status creates nothing");

        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("ledger.offramp"), b"12345").unwrap();
        let s = status(&config(dir)).unwrap();
        assert_eq!(s.ledger, LedgerState::Present);
        assert_eq!(s.ledger_size_bytes, Some(5));
        assert_eq!(s.app_version, VERSION);
    }

    #[test]
    fn data_dir_that_is_a_file_is_a_coded_error() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("not-a-folder");
        std::fs::write(&file, b"x").unwrap();
        let e = status(&config(file)).unwrap_err();
        assert_eq!(e.code, ErrorCode::LedgerPathInvalid);
        assert!(e.message.contains("not a folder"), "{}", e.message);
    }

    #[test]
    fn ledger_path_that_is_a_folder_is_a_coded_error() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("ledger.offramp")).unwrap();
        let e = status(&config(tmp.path().to_path_buf())).unwrap_err();
        assert_eq!(e.code, ErrorCode::LedgerPathInvalid);
        assert!(e.message.contains("not a file"), "{}", e.message);
    }

    #[test]
    fn no_data_dir() {
        let e = status(&Config::resolve(Flavor::Release, None, None)).unwrap_err();
        assert_eq!(e.code, ErrorCode::DataDirUnavailable);
    }
}
