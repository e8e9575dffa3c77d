//! The TypeScript declarations of every type that crosses to the UI, generated from the Rust types (ts-rs) into
//! `ui/src/bindings/`, committed. This test fails when they are stale; `OFFRAMP_UPDATE_BINDINGS=1 cargo test -p
//! offramp-desktop bindings` writes them again.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ts_rs::{Config, TS};

use offramp_app::ledger::{AccountRow, BackupInfo, ImportReport, Restored, TransfersView, TxPage, TxQuery};
use offramp_app::model::{Override, Plan, Venue, VenueQuote};
use offramp_app::plan::TaxRequest;
use offramp_app::report::{ca::CaReport, de::DeReport, income::IncomeReport, uk::UkReport};
use offramp_app::report::{GainsReport, HoldingRow, HoldingsRequest};
use offramp_app::settings::TransferFeeSetting;
use offramp_app::twofa::{Enrolment, TwoFaStatus};
use offramp_app::unlock::Strength;
use offramp_app::venues::{MarketStatus, QuoteRequest};
use offramp_app::wizard::{ProgressQuery, RecordedTranche, SaleProgress, TrancheRecord};
use offramp_app::{AppError, ErrorCode, Status};

use crate::commands::{BasisRequest, ExportRequest, Exported, LiveQuotes, SessionState};
use crate::JobProgress;

fn export_all(dir: &Path) {
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    macro_rules! export {
        ($($t:ty),* $(,)?) => { $( <$t as TS>::export_all(&cfg).expect(stringify!($t)); )* };
    }
    export!(
        AppError,
        ErrorCode,
        Status,
        SessionState,
        JobProgress,
        AccountRow,
        offramp_app::ledger::Attention,
        offramp_app::ledger::CheckReport,
        offramp_app::ledger::AttentionItem,
        offramp_app::rates::RatesStatus,
        offramp_app::rates::RefreshOutcome,
        offramp_app::prices::FillReport,
        offramp_app::edits::Edit,
        offramp_app::edits::TxInput,
        offramp_app::edits::TxChanges,
        offramp_app::edits::EditNote,
        offramp_app::ledger::Balance,
        offramp_app::ledger::FileCheck,
        TxQuery,
        TxPage,
        TransfersView,
        ImportReport,
        GainsReport,
        UkReport,
        DeReport,
        CaReport,
        IncomeReport,
        HoldingRow,
        HoldingsRequest,
        BasisRequest,
        ExportRequest,
        Exported,
        BackupInfo,
        Restored,
        Override,
        TransferFeeSetting,
        offramp_app::settings::Preferences,
        Venue,
        VenueQuote,
        offramp_app::ledger::ConfirmRule,
        TrancheRecord,
        RecordedTranche,
        ProgressQuery,
        SaleProgress,
        LiveQuotes,
        offramp_app::venues::LivePrice,
        MarketStatus,
        QuoteRequest,
        Plan,
        TaxRequest,
        Strength,
        Enrolment,
        TwoFaStatus,
    );
}

fn files(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "ts") {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    out
}

fn committed_dir() -> PathBuf {
    Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("../ui/src/bindings")
}

#[test]
fn bindings_are_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    export_all(tmp.path());
    let fresh = files(tmp.path());
    assert!(fresh.len() > 30, "{} files", fresh.len());
    let dir = committed_dir();
    if std::env::var_os("OFFRAMP_UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &fresh {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    let committed = files(&dir);
    let stale: Vec<&String> = fresh.keys().filter(|k| committed.get(*k) != fresh.get(*k)).collect();
    let extra: Vec<&String> = committed.keys().filter(|k| !fresh.contains_key(*k)).collect();
    assert!(
        stale.is_empty() && extra.is_empty(),
        "ui/src/bindings is stale (changed or missing: {stale:?}; no longer generated: {extra:?}). Run \
         OFFRAMP_UPDATE_BINDINGS=1 cargo test -p offramp-desktop bindings, and commit the result."
    );
}
