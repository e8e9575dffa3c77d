//! Backup, restore, export round trip, and own-transfer matching on a real ledger.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use std::path::{Path, PathBuf};

use offramp_core::transfers::MatchRules;
use offramp_core::Timestamp;
use offramp_store::import::{parse_bytes, parse_file};
use offramp_store::{inspect_backup, restore, Key, Ledger, LinkStatus, StoreError, TxFilter, TxRow};

fn fixture(name: &str) -> PathBuf {
    Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/fixtures").join(name)
}

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-28T00:00:00Z").unwrap()
}

fn key() -> Key {
    Key::Passphrase("backup test".into())
}

const ALL_FIXTURES: [&str; 15] = [
    "binance-statement-v1.csv",
    "binance-statement-v2.csv",
    "bitstamp-v1.csv",
    "bitstamp-v2.csv",
    "gemini-v1.csv",
    "generic-v1.csv",
    "coinbase-v1.csv",
    "coinbase-v2.csv",
    "coinbase-v3.csv",
    "coinbase-v4.csv",
    "kraken-ledgers-v1.csv",
    "kraken-ledgers-v2.csv",
    "kraken-ledgers-v3.csv",
    "kraken-trades-v1.csv",
    "kraken-trades-v2.csv",
];

fn full_ledger(path: &Path) -> Ledger {
    let mut l = Ledger::create(path, &key()).unwrap();
    let files: Vec<_> = ALL_FIXTURES.iter().map(|f| parse_file(&fixture(f)).unwrap()).collect();
    l.import(&files, now(), &mut |_, _| true).unwrap();
    l
}

/// What a transaction is, without where it was stored or imported from.
fn essence(rows: Vec<TxRow>) -> Vec<String> {
    rows.into_iter().map(|r| format!("{:?}", r.tx)).collect()
}

fn everything(l: &Ledger) -> Vec<TxRow> {
    l.transactions(&TxFilter { limit: 10_000, ..Default::default() }).unwrap()
}

#[test]
fn export_then_import_gives_the_same_transactions() {
    let tmp = tempfile::tempdir().unwrap();
    let l = full_ledger(&tmp.path().join("a"));
    let mut csv = Vec::new();
    let n = l.export_generic(&mut csv).unwrap();
    assert_eq!(n, l.transaction_count().unwrap());
    assert!(n > 25);

    let mut fresh = Ledger::create(&tmp.path().join("b"), &key()).unwrap();
    let parsed = parse_bytes(Path::new("export.csv"), &csv).unwrap();
    assert_eq!(parsed.format, "generic-v1");
    fresh.import(&[parsed], now(), &mut |_, _| true).unwrap();
    assert_eq!(essence(everything(&fresh)), essence(everything(&l)));
    let names = |l: &Ledger| l.accounts().unwrap().into_iter().map(|a| (a.name, a.transactions)).collect::<Vec<_>>();
    assert_eq!(names(&fresh), names(&l));
    // Importing the export back into the original ledger adds nothing.
    let mut l = l;
    let again = l.import(&[parse_bytes(Path::new("export.csv"), &csv).unwrap()], now(), &mut |_, _| true).unwrap();
    assert_eq!(again[0].added, 0);
}

/// Text a spreadsheet would run as a formula is exported with a leading `'`, and reads back exactly as it was.
#[test]
fn formulas_are_neutralised_in_the_export_and_read_back_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = Ledger::create(&tmp.path().join("a"), &key()).unwrap();
    let rows = "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,external_id,note\n\
        2024-01-01T00:00:00Z,buy,=cmd|' /C calc'!A0,10,USD,0.001,BTC,@id,=HYPERLINK(\"http://x\")\n\
        2024-01-02T00:00:00Z,buy,+Wallet,10,USD,0.001,BTC,-7,'=quoted already\n\
        2024-01-03T00:00:00Z,buy,Plain,10,USD,0.001,BTC,,\"\ttab, and a note\"\n";
    l.import(&[parse_bytes(Path::new("f.csv"), rows.as_bytes()).unwrap()], now(), &mut |_, _| true).unwrap();
    let mut csv = Vec::new();
    l.export_generic(&mut csv).unwrap();
    let text = String::from_utf8(csv.clone()).unwrap();
    // (A cell read from a file with a leading `'` before a formula start is read without it, as a spreadsheet
    // shows it; cells are trimmed, so the tab is gone.)
    for cell in ["'=cmd", "'@id", "'=HYPERLINK", "'+Wallet", "'-7", ",'=quoted already"] {
        assert!(text.contains(cell), "{cell} in {text}");
    }
    let mut fresh = Ledger::create(&tmp.path().join("b"), &key()).unwrap();
    fresh.import(&[parse_bytes(Path::new("export.csv"), &csv).unwrap()], now(), &mut |_, _| true).unwrap();
    assert_eq!(essence(everything(&fresh)), essence(everything(&l)));
    // Importing the export into the original ledger adds nothing: the same transactions, the same fingerprints.
    assert_eq!(
        l.import(&[parse_bytes(Path::new("e.csv"), &csv).unwrap()], now(), &mut |_, _| true).unwrap()[0].added,
        0
    );
}

#[test]
fn backup_is_encrypted_and_restores_the_same_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let ledger_path = tmp.path().join("ledger.offramp");
    let l = full_ledger(&ledger_path);
    let before = essence(everything(&l));
    let backup = tmp.path().join("backup.offramp");
    l.backup_to(&backup).unwrap();
    assert!(matches!(l.backup_to(&backup), Err(StoreError::AlreadyExists(_))));
    let bytes = std::fs::read(&backup).unwrap();
    assert!(!bytes.starts_with(b"SQLite format 3\0"));
    assert!(matches!(inspect_backup(&backup, &Key::Passphrase("wrong".into())), Err(StoreError::WrongKey(_))));
    let info = inspect_backup(&backup, &key()).unwrap();
    assert_eq!(info.transactions, before.len() as u64);
    assert_eq!(info.last_transaction, everything(&l).last().map(|r| r.timestamp));
    assert_eq!(std::fs::read(&backup).unwrap(), bytes, "inspecting a backup does not change it");

    // The ledger changes after the backup; restoring brings back the backed-up state and keeps the replaced one.
    let mut l = l;
    let extra = "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n\
                 2025-01-01T00:00:00Z,buy,Kraken,1,EUR,0.00001,BTC\n";
    l.import(&[parse_bytes(Path::new("x.csv"), extra.as_bytes()).unwrap()], now(), &mut |_, _| true).unwrap();
    drop(l);
    let backup_bytes = std::fs::read(&backup).unwrap();
    let (info, replaced) = restore(&backup, &key(), &ledger_path, "20261128T000000Z").unwrap();
    let replaced = replaced.unwrap();
    assert_eq!(info.transactions, before.len() as u64);
    assert_eq!(std::fs::read(&backup).unwrap(), backup_bytes, "a restore never writes into the backup");
    assert_eq!(essence(everything(&Ledger::open(&ledger_path, &key()).unwrap())), before);
    assert_eq!(Ledger::open(&replaced, &key()).unwrap().transaction_count().unwrap(), before.len() as u64 + 1);
    let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // A backup that does not open with the key changes nothing.
    assert!(matches!(
        restore(&backup, &Key::Passphrase("wrong".into()), &ledger_path, "x"),
        Err(StoreError::WrongKey(_))
    ));
    assert_eq!(essence(everything(&Ledger::open(&ledger_path, &key()).unwrap())), before);
}

/// A backup that never finished (killed part-way: its first pages only), an empty file (a full disk), a copy of
/// another database, or a backup with no transaction never replaces a ledger; the ledger stays as it was.
#[test]
fn partial_empty_or_foreign_backups_are_refused_and_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let ledger_path = tmp.path().join("ledger.offramp");
    let l = full_ledger(&ledger_path);
    let before = essence(everything(&l));
    let good = tmp.path().join("good.offramp");
    l.backup_to(&good).unwrap();
    drop(l);
    let bytes = std::fs::read(&good).unwrap();
    let partial = tmp.path().join("partial.offramp");
    std::fs::write(&partial, &bytes[..bytes.len() / 2]).unwrap();
    let empty = tmp.path().join("empty.offramp");
    std::fs::write(&empty, b"").unwrap();
    let garbage = tmp.path().join("garbage.offramp");
    std::fs::write(&garbage, vec![7u8; 65536]).unwrap();
    let foreign = tmp.path().join("foreign.offramp");
    {
        // An encrypted database that opens with the ledger's passphrase but is not a ledger.
        let c = rusqlite::Connection::open(&foreign).unwrap();
        c.pragma_update(None, "key", "backup test").unwrap();
        c.execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('hello');").unwrap();
    }
    let no_rows = tmp.path().join("no-rows.offramp");
    Ledger::create(&tmp.path().join("blank"), &key()).unwrap().backup_to(&no_rows).unwrap();
    for (file, expect) in [
        (&partial, "damaged or incomplete"),
        (&empty, "empty (0 bytes)"),
        (&garbage, ""),
        (&foreign, "not an Offramp ledger"),
        (&no_rows, "holds no transactions"),
    ] {
        let e = restore(file, &key(), &ledger_path, "x").unwrap_err();
        match &e {
            StoreError::NotALedger { why, .. } => assert!(why.contains(expect), "{}: {why}", file.display()),
            StoreError::WrongKey(_) => assert_eq!(expect, "", "{}: {e}", file.display()),
            other => panic!("{}: {other}", file.display()),
        }
        assert_eq!(essence(everything(&Ledger::open(&ledger_path, &key()).unwrap())), before);
    }
    // A backup is refused while the ledger is open elsewhere (it would go on writing into the replaced file).
    let open = Ledger::open(&ledger_path, &key()).unwrap();
    assert!(matches!(restore(&good, &key(), &ledger_path, "y"), Err(StoreError::Busy(_))));
    drop(open);
    restore(&good, &key(), &ledger_path, "y").unwrap();
}

#[test]
fn own_transfers_are_proposed_confirmed_and_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = full_ledger(&tmp.path().join("l"));
    let m = l.match_transfers(MatchRules::default()).unwrap();
    // The generic fixture's Kraken → Ledger Nano move (0.05 BTC, fee 0.0001, 0.0499 arrived) is proposed.
    let rows = everything(&l);
    let id_of = |pred: &dyn Fn(&TxRow) -> bool| rows.iter().find(|r| pred(r)).unwrap().id;
    let out = id_of(&|r| r.account == "Kraken" && r.kind.as_str() == "transfer_out" && r.note.contains("hardware"));
    let inn = id_of(&|r| r.account == "Ledger Nano");
    assert!(m.proposals.iter().any(|p| (p.out_id, p.in_id) == (out, inn)), "{m:?}");
    // The Coinbase send to an outside address has no in-leg: flagged.
    let cb_send = id_of(&|r| r.account == "Coinbase" && r.kind.as_str() == "transfer_out");
    assert!(m.unmatched_out.contains(&cb_send));

    l.set_transfer_link(out, inn, LinkStatus::Confirmed).unwrap();
    assert_eq!(l.confirmed_transfers().unwrap(), [(out, inn)]);
    let m = l.match_transfers(MatchRules::default()).unwrap();
    assert!(!m.proposals.iter().any(|p| p.out_id == out) && !m.unmatched_out.contains(&out));

    // A leg cannot be confirmed twice; wrong pairs are refused.
    assert!(matches!(l.set_transfer_link(out, inn, LinkStatus::Confirmed), Err(StoreError::Invalid(_))));
    assert!(matches!(l.set_transfer_link(inn, out, LinkStatus::Confirmed), Err(StoreError::Invalid(_))));
    assert!(matches!(l.set_transfer_link(out, 999_999, LinkStatus::Confirmed), Err(StoreError::Invalid(_))));

    // Rejecting a proposal keeps it from coming back; its legs are reported unmatched.
    let mut l2 = full_ledger(&tmp.path().join("l2"));
    l2.set_transfer_link(out, inn, LinkStatus::Rejected).unwrap();
    let m = l2.match_transfers(MatchRules::default()).unwrap();
    assert!(!m.proposals.iter().any(|p| (p.out_id, p.in_id) == (out, inn)));
    assert!(m.unmatched_out.contains(&out) && m.unmatched_in.contains(&inn));
}
