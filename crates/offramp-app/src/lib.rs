//! Offramp's application layer.
//!
//! The only API that the desktop shell (`src-tauri`) and the CLI (`offramp`) call. A front end resolves a
//! [`Config`] once, opens a [`Session`] on the ledger (key derivation and integrity check, once) and runs the
//! use cases on it; use cases that need no ledger (status, the catalog, quotes, plans without tax) are plain
//! functions. Every result is serializable; every failure is an [`AppError`] carrying a stable [`ErrorCode`].
//! Nothing here depends on Tauri, and the fronts need nothing but this crate: the core's types they show are
//! re-exported in [`model`].

pub mod beancount;
mod checked;
pub mod clock;
mod config;
pub mod edits;
mod error;
pub mod files;
mod history;
pub mod ledger;
pub mod overrides;
pub mod plan;
pub mod prices;
pub mod rates;
pub mod report;
mod session;
pub mod settings;
mod status;
pub mod twofa;
pub mod unlock;
pub mod venues;
pub mod wizard;

pub use config::{Config, Flavor, DATA_DIR_ENV, LEDGER_FILE_NAME, MARKET_URL_ENV};
pub use error::{AppError, ErrorCode};
pub use offramp_store::{Key, Passphrase};
pub use session::{no_progress, Progress, Session};
pub use status::{status, LedgerState, Status};

/// The version of Offramp (the workspace version, shared by every crate, the CLI and the desktop app).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The core's types that the fronts show (results of use cases carry them), so that neither front depends on the
/// core directly.
pub mod model {
    pub use offramp_core::catalog::{Venue, VenueKind, VenueStatus, WithdrawalLimit};
    pub use offramp_core::de::{Freigrenze, Verdict};
    pub use offramp_core::fx::{Rate, RateRule, RateSource};
    pub use offramp_core::holding::Term;
    pub use offramp_core::money::round_half_away;
    pub use offramp_core::overrides::Override;
    pub use offramp_core::plan::{
        Candidate, FigureSource, PastWithdrawal, Plan, PlanKind, PlanRequest, RiskAppetite, Step, TaxView, Tranche,
    };
    pub use offramp_core::quote::{AccountLimits, CostLine, VenueLevel, VenueQuote};
    pub use offramp_core::tax::{Flag, TransferFee};
    pub use offramp_core::taxplan::{Choice, Class, Rates};
    pub use offramp_core::text::{clip, printable};
    pub use offramp_core::uk::Rule;
    pub use offramp_core::us::Reported;
    pub use offramp_core::{Amount, Code, Decimal, Jurisdiction, Timestamp, TxKind};
}

/// Reads a calendar date typed by the user (`YYYY-MM-DD`), naming the field.
pub fn parse_day(field: &str, text: &str) -> Result<chrono::NaiveDate, AppError> {
    offramp_core::time::parse_date(text).ok_or_else(|| {
        AppError::new(
            ErrorCode::InvalidInput,
            format!("{field}: `{}` is not a date (YYYY-MM-DD)", offramp_core::text::clip(text)),
        )
    })
}

/// Reads a decimal typed by the user (no exponents, no thousands separators), naming the field.
pub fn parse_decimal(field: &str, text: &str) -> Result<offramp_core::Decimal, AppError> {
    offramp_core::money::parse_decimal(text)
        .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("{field}: {e}")))
}

/// Reads a currency or asset code typed by the user, naming the field.
pub fn parse_code(field: &str, text: &str) -> Result<offramp_core::Code, AppError> {
    offramp_core::Code::parse(text).map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("{field}: {e}")))
}
