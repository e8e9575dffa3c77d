use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{AppError, ErrorCode};

/// The environment variable that puts Offramp's data folder somewhere else (tests, portable installs).
pub const DATA_DIR_ENV: &str = "OFFRAMP_DATA_DIR";

/// The environment variable that points every exchange's order-book client at another server (tests replay
/// recorded answers from one on loopback).
pub const MARKET_URL_ENV: &str = "OFFRAMP_MARKET_URL";

/// The ledger's file name inside the data folder.
pub const LEDGER_FILE_NAME: &str = "ledger.offramp";

/// Release builds and development builds keep their data in separate folders, so trying out a dev build never
/// touches the ledger a person keeps their real records in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Flavor {
    Release,
    Dev,
}

impl Flavor {
    /// The flavor of the binary being built: `Dev` for debug builds, `Release` otherwise. Call it from the
    /// binary crate (the shell or the CLI), whose build profile is the one that matters.
    pub fn of_this_build() -> Flavor {
        if cfg!(debug_assertions) {
            Flavor::Dev
        } else {
            Flavor::Release
        }
    }

    /// The folder name under the operating system's per-user data folder.
    pub fn folder_name(&self) -> &'static str {
        match self {
            Flavor::Release => "offramp",
            Flavor::Dev => "offramp-dev",
        }
    }
}

/// Where Offramp keeps its files, resolved once by the front end at start-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Config {
    pub flavor: Flavor,
    /// The data folder; `None` when it cannot be determined (no home folder and no override).
    pub data_dir: Option<PathBuf>,
    /// Whether `data_dir` came from an explicit override (a flag or `OFFRAMP_DATA_DIR`).
    pub data_dir_overridden: bool,
    /// Where live order books are fetched from instead of the exchanges (`OFFRAMP_MARKET_URL`; tests only).
    #[serde(skip)]
    pub market_url: Option<String>,
}

impl Config {
    /// Resolves the data folder: an explicit folder wins; otherwise `<os data dir>/offramp` (release) or
    /// `<os data dir>/offramp-dev` (dev builds). Pure: the caller passes what it read from the environment.
    pub fn resolve(flavor: Flavor, explicit: Option<PathBuf>, os_data_dir: Option<PathBuf>) -> Config {
        match explicit.filter(|p| !p.as_os_str().is_empty()) {
            Some(dir) => Config { flavor, data_dir: Some(dir), data_dir_overridden: true, market_url: None },
            None => Config {
                flavor,
                data_dir: os_data_dir.map(|d| d.join(flavor.folder_name())),
                data_dir_overridden: false,
                market_url: None,
            },
        }
    }

    /// Resolves from the process environment: `flag` (a `--data-dir` flag), then `OFFRAMP_DATA_DIR`, then the
    /// operating system's per-user data folder (`$XDG_DATA_HOME` or `~/.local/share` on Linux,
    /// `~/Library/Application Support` on macOS, `%APPDATA%` on Windows).
    pub fn from_env(flavor: Flavor, flag: Option<PathBuf>) -> Config {
        let explicit = flag.or_else(|| std::env::var_os(DATA_DIR_ENV).map(PathBuf::from));
        let market_url = std::env::var(MARKET_URL_ENV).ok().filter(|u| !u.is_empty());
        Config { market_url, ..Config::resolve(flavor, explicit, dirs::data_dir()) }
    }

    pub fn data_dir(&self) -> Result<&Path, AppError> {
        self.data_dir.as_deref().ok_or_else(|| {
            AppError::new(
                ErrorCode::DataDirUnavailable,
                format!(
                    "Cannot find a per-user data folder (is HOME set?). Set {DATA_DIR_ENV} or pass --data-dir to choose one."
                ),
            )
        })
    }

    pub fn ledger_path(&self) -> Result<PathBuf, AppError> {
        Ok(self.data_dir()?.join(LEDGER_FILE_NAME))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_folder_wins() {
        let c = Config::resolve(Flavor::Release, Some("/x/y".into()), Some("/home/u/.local/share".into()));
        assert_eq!(c.data_dir.as_deref(), Some(Path::new("/x/y")));
        assert!(c.data_dir_overridden);
        assert_eq!(c.ledger_path().unwrap(), Path::new("/x/y/ledger.offramp"));
    }

    #[test]
    fn dev_and_release_use_separate_folders() {
        let os = Some(PathBuf::from("/home/u/.local/share"));
        let rel = Config::resolve(Flavor::Release, None, os.clone());
        let dev = Config::resolve(Flavor::Dev, Some(PathBuf::new()), os);
        assert_eq!(rel.data_dir.as_deref(), Some(Path::new("/home/u/.local/share/offramp")));
        assert_eq!(dev.data_dir.as_deref(), Some(Path::new("/home/u/.local/share/offramp-dev")));
        assert!(!dev.data_dir_overridden, "an empty override is ignored");
    }

    #[test]
    fn no_folder_is_a_coded_error() {
        let c = Config::resolve(Flavor::Dev, None, None);
        let e = c.ledger_path().unwrap_err();
        assert_eq!(e.code, ErrorCode::DataDirUnavailable);
        assert!(e.message.contains(DATA_DIR_ENV));
    }
}
