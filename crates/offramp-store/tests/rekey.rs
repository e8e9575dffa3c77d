//! Keys: new ledgers are Argon2id over the passphrase and the file's salt; a change of key (a new passphrase, the
//! second factor's device secret) re-writes the ledger under the new key without losing a row, and only while no
//! one else has it open. Ledgers made before (SQLCipher's PBKDF2) still open and move to Argon2id when re-keyed.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use std::path::Path;

use offramp_core::Timestamp;
use offramp_store::key::{Secret32, KDF_ARGON2ID_V2};
use offramp_store::{rekey, Key, Ledger, StoreError, TxFilter};

fn pass(p: &str) -> Key {
    Key::Passphrase(p.into())
}

fn rows(l: &Ledger) -> Vec<String> {
    l.transactions(&TxFilter { limit: 10_000, ..Default::default() })
        .unwrap()
        .into_iter()
        .map(|r| format!("{:?}", r.tx))
        .collect()
}

fn filled(path: &Path, key: &Key) -> Vec<String> {
    let mut l = Ledger::create(path, key).unwrap();
    let dir = path.parent().unwrap();
    let csv = dir.join("h.csv");
    let mut text = String::from("timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n");
    for i in 0..500 {
        text.push_str(&format!("2024-01-01T00:{:02}:{:02}Z,buy,A,{}.5,USD,0.001,BTC\n", i / 60, i % 60, 10 + i));
    }
    std::fs::write(&csv, text).unwrap();
    l.import_files(&[csv], Timestamp::from_unix_micros(0), &mut |_, _| true).unwrap();
    l.set_setting("transfer_fee.us", "basis").unwrap();
    rows(&l)
}

#[test]
fn a_new_ledger_is_argon2id_over_its_own_salt() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("l.offramp");
    let l = Ledger::create(&path, &pass("first passphrase")).unwrap();
    assert!(l.uses_argon2id());
    drop(l);
    let bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes[0], KDF_ARGON2ID_V2, "the salt's first byte says how the key is derived");
    assert!(!bytes.windows(16).any(|w| w == b"SQLite format 3\0"));
    assert!(matches!(Ledger::open(&path, &pass("wrong")), Err(StoreError::WrongKey(_))));
    Ledger::open(&path, &pass("first passphrase")).unwrap();
    // Two ledgers with the same passphrase have different salts, so different keys.
    let other = tmp.path().join("m.offramp");
    drop(Ledger::create(&other, &pass("first passphrase")).unwrap());
    assert_ne!(std::fs::read(&other).unwrap()[..16], bytes[..16]);
}

#[test]
fn rekeying_keeps_every_row_and_refuses_the_old_key() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("l.offramp");
    let before = filled(&path, &pass("old passphrase"));
    let salt_before = std::fs::read(&path).unwrap()[..16].to_vec();
    // Not while the ledger is open elsewhere.
    let open = Ledger::open(&path, &pass("old passphrase")).unwrap();
    assert!(matches!(rekey(&path, &pass("old passphrase"), &pass("new passphrase")), Err(StoreError::Busy(_))));
    drop(open);
    assert!(matches!(rekey(&path, &pass("wrong"), &pass("new passphrase")), Err(StoreError::WrongKey(_))));
    rekey(&path, &pass("old passphrase"), &pass("new passphrase")).unwrap();
    assert_ne!(std::fs::read(&path).unwrap()[..16].to_vec(), salt_before, "a new salt");
    assert!(matches!(Ledger::open(&path, &pass("old passphrase")), Err(StoreError::WrongKey(_))));
    let l = Ledger::open(&path, &pass("new passphrase")).unwrap();
    assert_eq!(rows(&l), before);
    assert_eq!(l.setting("transfer_fee.us").unwrap().as_deref(), Some("basis"));
    assert_eq!(l.schema_version().unwrap(), offramp_store::SCHEMA_VERSION);
    drop(l);
    let leftovers: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial") || n.ends_with("-wal") || n.ends_with("-journal"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// With the second factor on, the passphrase alone opens nothing; the device secret with it does.
#[test]
fn a_device_secret_is_needed_once_it_is_part_of_the_key() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("l.offramp");
    let before = filled(&path, &pass("passphrase"));
    let device = Secret32::new([42; 32]);
    let with = Key::WithDeviceSecret("passphrase".into(), device.clone());
    rekey(&path, &pass("passphrase"), &with).unwrap();
    assert!(matches!(Ledger::open(&path, &pass("passphrase")), Err(StoreError::WrongKey(_))));
    let wrong_device = Key::WithDeviceSecret("passphrase".into(), Secret32::new([43; 32]));
    assert!(matches!(Ledger::open(&path, &wrong_device), Err(StoreError::WrongKey(_))));
    assert_eq!(rows(&Ledger::open(&path, &with).unwrap()), before);
    // A backup is under the same key.
    let backup = tmp.path().join("b.offramp");
    Ledger::open(&path, &with).unwrap().backup_to(&backup).unwrap();
    assert!(matches!(offramp_store::inspect_backup(&backup, &pass("passphrase")), Err(StoreError::WrongKey(_))));
    assert_eq!(offramp_store::inspect_backup(&backup, &with).unwrap().transactions, 500);
    // And back.
    rekey(&path, &with, &pass("passphrase")).unwrap();
    assert_eq!(rows(&Ledger::open(&path, &pass("passphrase")).unwrap()), before);
}

/// A ledger made before Argon2id (SQLCipher's PBKDF2 over the passphrase) still opens, and a change of passphrase
/// moves it to Argon2id.
#[test]
fn a_pbkdf2_ledger_opens_and_moves_to_argon2id() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("old.offramp");
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.pragma_update(None, "key", "old passphrase").unwrap();
        c.execute_batch("PRAGMA cipher_page_size = 4096; CREATE TABLE t(x); INSERT INTO t VALUES (1);").unwrap();
    }
    let l = Ledger::open(&path, &pass("old passphrase")).unwrap();
    assert!(!l.uses_argon2id());
    let before = rows(&l);
    drop(l);
    rekey(&path, &pass("old passphrase"), &pass("a new passphrase")).unwrap();
    let l = Ledger::open(&path, &pass("a new passphrase")).unwrap();
    assert!(l.uses_argon2id());
    assert_eq!(rows(&l), before);
}

/// A byte changed anywhere in the file (a disk error, or tampering) is never used as data: SQLCipher checks each
/// page's HMAC whenever it reads it, so a read of the page fails as damage (never as a wrong passphrase, never a
/// panic); `check` (`offramp check`) finds it wherever it is; after an unclean shutdown (a write-ahead log left
/// behind), the unlock itself checks every page and refuses the file. A change in page 1 fails the unlock.
#[test]
fn a_changed_byte_anywhere_is_never_read_as_data() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("l.offramp");
    let before = filled(&path, &pass("the passphrase"));
    let original = std::fs::read(&path).unwrap();
    let pages = original.len() / 16384;
    assert!(pages >= 3, "{pages} pages");
    let wal = tmp.path().join("l.offramp-wal");
    for page in [1, pages / 2, pages - 1] {
        let mut bytes = original.clone();
        bytes[page * 16384 + 100] ^= 0x01;
        std::fs::write(&path, &bytes).unwrap();
        let l = Ledger::open(&path, &pass("the passphrase")).unwrap_or_else(|e| panic!("page {page}: {e:?}"));
        assert!(!l.checked_at_open());
        match l.check() {
            Err(StoreError::Corrupt { detail, .. }) => assert!(!detail.is_empty()),
            other => panic!("page {page}: the check gave {other:?}"),
        }
        // Reading every row either fails as damage or gives the rows as they were: never changed data.
        match l.transactions(&TxFilter { limit: 10_000, ..Default::default() }) {
            Ok(rows) => {
                assert_eq!(rows.into_iter().map(|r| format!("{:?}", r.tx)).collect::<Vec<_>>(), before, "page {page}")
            }
            Err(StoreError::Corrupt { .. }) => {}
            Err(e) => panic!("page {page}: reading gave {e:?}"),
        }
        drop(l);
        // The same file after an unclean shutdown: the unlock checks every page.
        std::fs::write(&wal, b"").unwrap();
        match Ledger::open(&path, &pass("the passphrase")) {
            Err(StoreError::Corrupt { detail, .. }) => assert!(!detail.is_empty()),
            Err(e) => panic!("page {page}: {e:?}"),
            Ok(_) => panic!("page {page}: a changed ledger opened after an unclean shutdown"),
        }
        let _ = std::fs::remove_file(&wal);
        let _ = std::fs::remove_file(tmp.path().join("l.offramp-shm"));
    }
    let mut bytes = original.clone();
    bytes[200] ^= 0x01;
    std::fs::write(&path, &bytes).unwrap();
    assert!(Ledger::open(&path, &pass("the passphrase")).is_err(), "page 0 changed");
    std::fs::write(&path, &original).unwrap();
    let l = Ledger::open(&path, &pass("the passphrase")).unwrap();
    l.check().unwrap();
    assert_eq!(rows(&l), before);
}

/// A ledger cut short (a copy that stopped, a disk that filled) is refused at unlock as damaged, even at a page
/// boundary and after a clean shutdown: the file's length is checked against the page count in its header.
#[test]
fn a_ledger_cut_short_is_refused_at_unlock() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("l.offramp");
    filled(&path, &pass("the passphrase"));
    let original = std::fs::read(&path).unwrap();
    for keep in [original.len() - 16384, original.len() - 100, 2 * 16384] {
        std::fs::write(&path, &original[..keep]).unwrap();
        match Ledger::open(&path, &pass("the passphrase")) {
            Err(StoreError::Corrupt { detail, .. }) => assert!(!detail.is_empty(), "{keep}"),
            Err(e) => panic!("{keep} bytes: {e:?}"),
            Ok(_) => panic!("{keep} bytes of {}: a ledger cut short opened", original.len()),
        }
    }
    std::fs::write(&path, &original).unwrap();
    Ledger::open(&path, &pass("the passphrase")).unwrap().check().unwrap();
}
