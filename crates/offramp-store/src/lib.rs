//! Offramp's storage: the ledger is one SQLite file encrypted with SQLCipher. The key always comes from the
//! caller; this crate never stores or derives it from anything but what it is given.
//!
//! Guarantees: every import is one transaction (all rows of all files, or none); re-importing a file, or a
//! file that overlaps one already imported, adds nothing (each row has a content fingerprint); decimals are
//! stored as TEXT and read back exactly; a ledger written by a newer schema is refused, not altered.

mod backup;
mod db;
pub mod edits;
mod error;
pub mod files;
mod history;
pub mod import;
pub mod key;
mod overrides;
mod query;
mod rates;
mod transfers;

pub use backup::{inspect_backup, restore, BackupInfo};
pub use db::{rekey, Ledger, SCHEMA_VERSION};
pub use error::{ImportError, StoreError};
pub use history::AllTransactions;
pub use import::{ImportSummary, ParsedFile};
pub use key::{Key, Passphrase, Secret32};
pub use query::{AccountRow, TxFilter, TxRow};
pub use rates::RatesStored;
pub use transfers::LinkStatus;
