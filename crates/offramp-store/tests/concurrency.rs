//! Two writers on one ledger at once (two connections, as two processes would have): both land completely, or
//! one is refused with `Busy`; a committed row is never lost, and a busy ledger never reads as a wrong key.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};

use offramp_core::Timestamp;
use offramp_store::{Key, Ledger, StoreError};

fn key() -> Key {
    Key::Passphrase("concurrency".into())
}

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-28T00:00:00Z").unwrap()
}

/// A generic CSV of `rows` buys in account `account`, one a minute from 2020-01-01.
fn csv(dir: &Path, name: &str, account: &str, rows: usize) -> PathBuf {
    let mut s = String::from("timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n");
    let t0 = Timestamp::parse_rfc3339("2020-01-01T00:00:00Z").unwrap().unix_micros();
    for i in 0..rows {
        let ts = Timestamp::from_unix_micros(t0 + i as i64 * 60_000_000);
        s.push_str(&format!("{ts},buy,{account},10.{:02},USD,0.001,BTC\n", i % 100));
    }
    let p = dir.join(name);
    std::fs::write(&p, s).unwrap();
    p
}

fn count_in(path: &Path, account: &str) -> u64 {
    let l = Ledger::open(path, &key()).unwrap();
    l.accounts().unwrap().iter().find(|a| a.name == account).map(|a| a.transactions).unwrap_or(0)
}

/// The defect this guards against: a large import (the bulk path from 10,000 rows) switched the ledger's journal
/// mode while a second connection wrote in WAL mode, and the second import's committed rows vanished.
#[test]
fn a_large_and_a_small_import_at_once_both_land() {
    let tmp = tempfile::tempdir().unwrap();
    let big = csv(tmp.path(), "a.csv", "A", 12_000);
    let small = csv(tmp.path(), "b.csv", "B", 50);
    for round in 0..6 {
        let path = tmp.path().join(format!("ledger-{round}.offramp"));
        drop(Ledger::create(&path, &key()).unwrap());
        let barrier = Arc::new(Barrier::new(2));
        let run = |file: PathBuf, barrier: Arc<Barrier>, path: PathBuf| {
            std::thread::spawn(move || {
                let mut l = Ledger::open(&path, &key()).unwrap();
                barrier.wait();
                l.import_files(&[file], now(), &mut |_, _| true)
            })
        };
        let a = run(big.clone(), barrier.clone(), path.clone());
        let b = run(small.clone(), barrier, path.clone());
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        for (result, account, rows) in [(a, "A", 12_000), (b, "B", 50)] {
            match result {
                Ok(s) => assert_eq!(
                    (s[0].added, count_in(&path, account)),
                    (rows, rows),
                    "round {round}: the import of {account} said it added {} rows",
                    s[0].added
                ),
                Err(StoreError::Busy(_)) => assert_eq!(count_in(&path, account), 0),
                Err(e) => panic!("round {round}: {account}: {e}"),
            }
        }
    }
}

/// One writer's step: an import of a small file, a setting, or one of the user's figures.
#[derive(Debug, Clone)]
enum Write {
    Import(usize),
    Setting(u8),
    Figure(u8),
}

fn strategy() -> impl proptest::strategy::Strategy<Value = Vec<Write>> {
    use proptest::prelude::*;
    prop::collection::vec(
        prop_oneof![
            3 => (1usize..40).prop_map(Write::Import),
            // The bulk path (from 10,000 rows), where a journal switch once lost the other writer's rows.
            1 => Just(Write::Import(10_500)),
            2 => any::<u8>().prop_map(Write::Setting),
            2 => any::<u8>().prop_map(Write::Figure),
        ],
        1..6,
    )
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 12, ..Default::default() })]

    /// Two writers (two connections) interleave random writes on one ledger: every write that reported success is
    /// there afterwards, with everything it wrote.
    #[test]
    fn two_concurrent_writers_never_lose_a_committed_row(a in strategy(), b in strategy()) {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("l.offramp");
        drop(Ledger::create(&path, &key()).unwrap());
        let run = |writer: &'static str, steps: Vec<Write>, path: PathBuf, dir: PathBuf| {
            std::thread::spawn(move || {
                let mut l = Ledger::open(&path, &key()).unwrap();
                let mut done = Vec::new();
                for (i, step) in steps.into_iter().enumerate() {
                    let result = match &step {
                        Write::Import(n) => {
                            let f = csv(&dir, &format!("{writer}-{i}.csv"), &format!("{writer}{i}"), *n);
                            l.import_files(&[f], now(), &mut |_, _| true).map(|_| ())
                        }
                        Write::Setting(v) => l.set_setting(&format!("{writer}.{i}"), &v.to_string()),
                        Write::Figure(v) => {
                            let o = offramp_core::overrides::Override::parse(
                                "kraken", "taker_pct", &format!("{}", v % 100), &format!("{writer}{i}"), "2026-12-01",
                            ).unwrap();
                            l.set_override(&o)
                        }
                    };
                    match result {
                        Ok(()) => done.push((i, step)),
                        Err(StoreError::Busy(_)) => {}
                        Err(e) => panic!("{writer} step {i}: {e}"),
                    }
                }
                done
            })
        };
        let ta = run("a", a, path.clone(), tmp.path().to_path_buf());
        let tb = run("b", b, path.clone(), tmp.path().to_path_buf());
        let (da, db) = (ta.join().unwrap(), tb.join().unwrap());
        let l = Ledger::open(&path, &key()).unwrap();
        let accounts = l.accounts().unwrap();
        for (writer, done) in [("a", da), ("b", db)] {
            for (i, step) in done {
                match step {
                    Write::Import(n) => {
                        let name = format!("{writer}{i}");
                        let got = accounts.iter().find(|x| x.name == name).map(|x| x.transactions).unwrap_or(0);
                        proptest::prop_assert_eq!(got, n as u64, "{} lost rows", name);
                    }
                    Write::Setting(v) => {
                        proptest::prop_assert_eq!(l.setting(&format!("{writer}.{i}")).unwrap(), Some(v.to_string()));
                    }
                    Write::Figure(_) => {
                        proptest::prop_assert!(!l.overrides().unwrap().is_empty());
                    }
                }
            }
        }
    }
}

/// A backup taken while another connection imports holds the ledger before or after the import, never a part of
/// it, and always checks out.
#[test]
fn a_backup_during_an_import_is_all_or_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("l.offramp");
    drop(Ledger::create(&path, &key()).unwrap());
    let big = csv(tmp.path(), "a.csv", "A", 12_000);
    let importer = {
        let path = path.clone();
        std::thread::spawn(move || Ledger::open(&path, &key()).unwrap().import_files(&[big], now(), &mut |_, _| true))
    };
    let l = Ledger::open(&path, &key()).unwrap();
    let mut seen = Vec::new();
    for i in 0..6 {
        let dest = tmp.path().join(format!("b{i}.offramp"));
        let info = l.backup_to(&dest).unwrap();
        assert!(info.transactions == 0 || info.transactions == 12_000, "a backup holds {}", info.transactions);
        assert_eq!(offramp_store::inspect_backup(&dest, &key()).unwrap().transactions, info.transactions);
        seen.push(info.transactions);
    }
    importer.join().unwrap().unwrap();
    let last = tmp.path().join("after.offramp");
    assert_eq!(l.backup_to(&last).unwrap().transactions, 12_000);
    drop(seen);
}

/// Unlocking while another connection imports (its write-ahead log holding pages the main file does not have
/// yet): the open's size check must not take the ledger's grown size for a file cut short. Every open succeeds
/// and sees a whole number of the writer's imports.
#[test]
fn opening_while_another_connection_imports_is_never_damage() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("l.offramp");
    drop(Ledger::create(&path, &key()).unwrap());
    let files: Vec<PathBuf> = (0..12).map(|i| csv(tmp.path(), &format!("w{i}.csv"), &format!("w{i}"), 3000)).collect();
    let writer = {
        let path = path.clone();
        std::thread::spawn(move || {
            let mut l = Ledger::open(&path, &key()).unwrap();
            for f in &files {
                l.import_files(std::slice::from_ref(f), now(), &mut |_, _| true).unwrap();
            }
        })
    };
    let mut opens = 0;
    while !writer.is_finished() || opens < 3 {
        match Ledger::open(&path, &key()) {
            Ok(l) => assert_eq!(l.transaction_count().unwrap() % 3000, 0),
            Err(StoreError::Busy(_)) => {}
            Err(e) => panic!("open {opens} during an import: {e:?}"),
        }
        opens += 1;
    }
    writer.join().unwrap();
    assert_eq!(Ledger::open(&path, &key()).unwrap().transaction_count().unwrap(), 36_000);
}
