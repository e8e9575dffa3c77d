//! Offramp's application layer.
//!
//! The only API that the desktop shell (`src-tauri`) and the CLI (`offramp`) call. Each use case takes plain
//! inputs (a [`Config`], request values) and returns a serializable result or an [`AppError`] carrying a stable
//! [`ErrorCode`]. Nothing here depends on Tauri.

pub mod beancount;
mod config;
mod error;
pub mod ledger;
pub mod overrides;
pub mod plan;
pub mod report;
mod status;
pub mod venues;

pub use config::{Config, Flavor, DATA_DIR_ENV, LEDGER_FILE_NAME};
pub use error::{AppError, ErrorCode};
pub use status::{status, LedgerState, Status};

/// The version of Offramp (the workspace version, shared by every crate, the CLI and the desktop app).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
