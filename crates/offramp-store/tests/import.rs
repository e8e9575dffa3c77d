//! Importing into an encrypted ledger: the generic CSV, duplicates, all-or-nothing, cancellation.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use std::path::{Path, PathBuf};

use offramp_core::{Amount, Code, Timestamp, TxKind};
use offramp_store::import::{parse_bytes, parse_file};
use offramp_store::{ImportError, Key, Ledger, StoreError, TxFilter};

fn fixture(name: &str) -> PathBuf {
    Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/fixtures").join(name)
}

fn now() -> Timestamp {
    Timestamp::parse_rfc3339("2026-11-28T00:00:00Z").unwrap()
}

fn new_ledger(dir: &Path) -> Ledger {
    Ledger::create(&dir.join("ledger.offramp"), &Key::Passphrase("test passphrase".into())).unwrap()
}

fn all(l: &Ledger) -> Vec<offramp_store::TxRow> {
    l.transactions(&TxFilter { limit: 10_000, ..Default::default() }).unwrap()
}

const HEADER: &str = "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency,external_id,note";

#[test]
fn imports_the_generic_fixture_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = new_ledger(tmp.path());
    let parsed = parse_file(&fixture("generic-v1.csv")).unwrap();
    assert_eq!(parsed.format, "generic-v1");
    let s = l.import(&[parsed], now(), &mut |_, _| true).unwrap();
    // Two need a price: the staking income, and the transfer's fee paid in BTC (a disposal of that BTC).
    assert_eq!((s[0].rows, s[0].added, s[0].already_present, s[0].needs_price), (7, 7, 0, 2));

    let rows = all(&l);
    assert_eq!(rows.len(), 7);
    let first = &rows[0];
    assert_eq!(first.kind, TxKind::Buy);
    assert_eq!(first.account, "Kraken");
    // The decimal comes back exactly as written, trailing zeros included.
    assert_eq!(first.received.unwrap().to_string(), "0.02500000 BTC");
    assert_eq!(first.fee, Some(Amount::parse("2.60 EUR").unwrap()));
    assert_eq!((first.source_file.as_str(), first.source_line), ("generic-v1.csv", 2));
    assert_eq!(rows[1].timestamp.to_rfc3339(), "2024-02-10T07:30:00Z", "offset converted to UTC");
    let staking = rows.iter().find(|r| r.kind == TxKind::Staking).unwrap();
    assert!(staking.needs_price && staking.fiat_value.is_none(), "unknown value stays unknown, not zero");
    assert_eq!(rows[6].note, "note with, a comma");

    let accounts = l.accounts().unwrap();
    let names: Vec<_> = accounts.iter().map(|a| (a.name.as_str(), a.transactions)).collect();
    assert_eq!(names, [("Kraken", 6), ("Ledger Nano", 1)]);

    // Filters and keyset paging.
    let btc = Code::parse("BTC").unwrap();
    let f = TxFilter { asset: Some(btc), limit: 2, ..Default::default() };
    let page1 = l.transactions(&f).unwrap();
    assert_eq!(page1.len(), 2);
    let last = page1.last().unwrap();
    let page2 = l.transactions(&TxFilter { after: Some((last.timestamp, last.id)), ..f.clone() }).unwrap();
    assert!(page2.iter().all(|r| r.timestamp >= last.timestamp && r.id != last.id));
    let sells = l.transactions(&TxFilter { kind: Some(TxKind::Sell), limit: 10, ..Default::default() }).unwrap();
    assert_eq!(sells.len(), 1);
    let nano = TxFilter { account: Some("Ledger Nano".into()), limit: 10, ..Default::default() };
    assert_eq!(l.transactions(&nano).unwrap().len(), 1);
}

#[test]
fn importing_twice_or_overlapping_adds_nothing_new() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = new_ledger(tmp.path());
    let p = parse_file(&fixture("generic-v1.csv")).unwrap();
    l.import(std::slice::from_ref(&p), now(), &mut |_, _| true).unwrap();
    let again = l.import(&[p], now(), &mut |_, _| true).unwrap();
    assert_eq!((again[0].added, again[0].already_present), (0, 7));
    assert_eq!(l.transaction_count().unwrap(), 7);

    // An overlapping export: two known rows (one written with different trailing zeros) and one new row.
    let text = format!(
        "{HEADER}\n2024-01-05T10:00:00Z,buy,Kraken,1000,EUR,0.025,BTC,2.6,EUR,,,K-1,edited note\n\
         2024-02-10T07:30:00Z,buy,Kraken,2000.00,EUR,0.05,BTC,5.20,EUR,,,K-2,\n\
         2024-07-01T00:00:00Z,buy,Kraken,10,EUR,0.0002,BTC,,,,,K-7,\n"
    );
    let p = parse_bytes(Path::new("overlap.csv"), text.as_bytes()).unwrap();
    let s = l.import(&[p], now(), &mut |_, _| true).unwrap();
    assert_eq!((s[0].added, s[0].already_present), (1, 2));
    assert_eq!(l.transaction_count().unwrap(), 8);
}

/// Kraken's ledgers export and trades export describe the same trades (the trades export even states a fee in
/// another asset): whichever is imported first, a trade already there under its Kraken id is not added again, while
/// the rows only one export has are added.
#[test]
fn kraken_ledgers_and_trades_exports_overlap_without_doubling() {
    let tmp = tempfile::tempdir().unwrap();
    let (ledgers, trades) = (fixture("kraken-ledgers-v3.csv"), fixture("kraken-trades-v1.csv"));
    let mut by_id = Vec::new();
    for (name, order) in [("a", [&ledgers, &trades]), ("b", [&trades, &ledgers])] {
        let mut l = Ledger::create(&tmp.path().join(name), &Key::Passphrase("k".into())).unwrap();
        let first = l.import_files(&[order[0].clone()], now(), &mut |_, _| true).unwrap();
        let second = l.import_files(&[order[1].clone()], now(), &mut |_, _| true).unwrap();
        assert_eq!((first[0].added, first[0].already_present), (5, 0), "{name}");
        // The two trades of January and March are in both files.
        assert_eq!((second[0].added, second[0].already_present), (3, 2), "{name}");
        let rows = all(&l);
        assert_eq!(rows.len(), 8, "{name}");
        let mut ids: Vec<_> = rows.iter().filter_map(|r| r.external_id.clone()).collect();
        ids.sort();
        by_id.push(ids);
        // In one import call, both files together: the same.
        let mut l = Ledger::create(&tmp.path().join(format!("{name}-together")), &Key::Passphrase("k".into())).unwrap();
        let both = l.import_files(&[order[0].clone(), order[1].clone()], now(), &mut |_, _| true).unwrap();
        assert_eq!(both.iter().map(|s| s.added).sum::<u64>(), 8, "{name}");
    }
    assert_eq!(by_id[0], by_id[1], "the same events whichever came first");
    // Each trade once: the January buy of 0.1 BTC is there a single time.
    assert_eq!(by_id[0].iter().filter(|i| *i == "TJKLXX-PGMDM-BDPHFO").count(), 1);
}

#[test]
fn identical_rows_within_one_file_are_both_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = new_ledger(tmp.path());
    let row = "2024-01-05T10:00:00Z,buy,Coinbase,50,USD,0.001,BTC,,,,,,";
    let text = format!("{HEADER}\n{row}\n{row}\n");
    let p = parse_bytes(Path::new("twins.csv"), text.as_bytes()).unwrap();
    assert_eq!(l.import(std::slice::from_ref(&p), now(), &mut |_, _| true).unwrap()[0].added, 2);
    assert_eq!(l.import(&[p], now(), &mut |_, _| true).unwrap()[0].added, 0);
    assert_eq!(l.transaction_count().unwrap(), 2);
}

#[test]
fn cancelling_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = new_ledger(tmp.path());
    let mut text = String::from(HEADER);
    for i in 0..10_000 {
        text.push_str(&format!("\n2024-01-01T00:00:00Z,buy,A,{}.00,USD,0.001,BTC,,,,,id-{i},", i + 1));
    }
    let p = parse_bytes(Path::new("big.csv"), text.as_bytes()).unwrap();
    let mut calls = Vec::new();
    let r = l.import(&[p], now(), &mut |done, total| {
        calls.push((done, total));
        false
    });
    assert!(matches!(r, Err(StoreError::Cancelled)));
    assert_eq!(calls, [(4096, 10_000)]);
    assert_eq!(l.transaction_count().unwrap(), 0);
    assert!(l.accounts().unwrap().is_empty());
}

#[test]
fn progress_reaches_the_total() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = new_ledger(tmp.path());
    let p = parse_file(&fixture("generic-v1.csv")).unwrap();
    let mut last = (0, 0);
    l.import(&[p], now(), &mut |d, t| {
        last = (d, t);
        true
    })
    .unwrap();
    assert_eq!(last, (7, 7));
}

fn expect_err(name: &str, bytes: &[u8]) -> ImportError {
    match parse_bytes(Path::new(name), bytes) {
        Err(e) => e,
        Ok(p) => panic!("{name}: expected an error, parsed {} rows", p.rows.len()),
    }
}

/// (file name, contents, expected line, expected field, words the message must contain)
type Case = (&'static str, Vec<u8>, Option<u64>, Option<&'static str>, &'static str);

#[test]
fn malformed_inputs_are_refused_with_file_line_and_field() {
    let ok_row = "2024-01-05T10:00:00Z,buy,Kraken,1000.00,EUR,0.025,BTC,,,,,,";
    let with = |row: &str| format!("{HEADER}\n{ok_row}\n{row}\n").into_bytes();
    // (file name, contents, expected line, expected field, words the message must contain)
    let cases: Vec<Case> = vec![
        ("empty.csv", b"".to_vec(), None, None, "empty"),
        ("wrong-header.csv", b"Date,Amount\n2024-01-01,5\n".to_vec(), Some(1), None, "unrecognised header"),
        (
            "missing-col.csv",
            b"timestamp,type,account,sent_amount,sent_asset,received_amount\n".to_vec(),
            Some(1),
            Some("received_asset"),
            "missing",
        ),
        ("dup-col.csv", format!("{HEADER},note\n").into_bytes(), Some(1), Some("note"), "twice"),
        ("typo-col.csv", format!("{HEADER},fiat_valeu\n").into_bytes(), Some(1), Some("fiat_valeu"), "unknown column"),
        (
            "truncated.csv",
            format!("{HEADER}\n{ok_row}\n2024-01-06T10:00:00Z,buy,Kra").into_bytes(),
            Some(3),
            None,
            "expected 13 fields",
        ),
        (
            "bad-number.csv",
            with("2024-01-05T10:00:00Z,buy,Kraken,1O00,EUR,0.025,BTC,,,,,,"),
            Some(3),
            Some("sent_amount"),
            "unexpected character",
        ),
        (
            "thousands.csv",
            with("2024-01-05T10:00:00Z,buy,Kraken,\"1,000\",EUR,0.025,BTC,,,,,,"),
            Some(3),
            Some("sent_amount"),
            "unexpected character ','",
        ),
        (
            "exponent.csv",
            with("2024-01-05T10:00:00Z,buy,Kraken,1e3,EUR,0.025,BTC,,,,,,"),
            Some(3),
            Some("sent_amount"),
            "exponent",
        ),
        (
            "negative.csv",
            with("2024-01-05T10:00:00Z,buy,Kraken,1000,EUR,-0.025,BTC,,,,,,"),
            Some(3),
            Some("received_amount"),
            "positive",
        ),
        (
            "negative-fee.csv",
            with("2024-01-05T10:00:00Z,buy,Kraken,1000,EUR,0.025,BTC,-1,EUR,,,,"),
            Some(3),
            Some("fee_amount"),
            "negative",
        ),
        (
            "unknown-type.csv",
            with("2024-01-05T10:00:00Z,swap,Kraken,1000,EUR,0.025,BTC,,,,,,"),
            Some(3),
            Some("type"),
            "unknown type `swap`",
        ),
        (
            "old-date.csv",
            with("1970-01-01T00:00:00Z,buy,Kraken,1000,EUR,0.025,BTC,,,,,,"),
            Some(3),
            Some("timestamp"),
            "outside the years",
        ),
        (
            "no-zone.csv",
            with("2024-01-05 10:00:00,buy,Kraken,1000,EUR,0.025,BTC,,,,,,"),
            Some(3),
            Some("timestamp"),
            "time zone",
        ),
        (
            "bad-date.csv",
            with("2024-13-45T10:00:00Z,buy,Kraken,1000,EUR,0.025,BTC,,,,,,"),
            Some(3),
            Some("timestamp"),
            "RFC 3339",
        ),
        (
            "no-asset.csv",
            with("2024-01-05T10:00:00Z,buy,Kraken,1000,,0.025,BTC,,,,,,"),
            Some(3),
            Some("sent_asset"),
            "missing",
        ),
        (
            "bad-asset.csv",
            with("2024-01-05T10:00:00Z,buy,Kraken,1000,E$R,0.025,BTC,,,,,,"),
            Some(3),
            Some("sent_asset"),
            "invalid code",
        ),
        (
            "crypto-value.csv",
            with("2024-01-05T10:00:00Z,trade,Kraken,1,ETH,0.05,BTC,,,3,BTC,,"),
            Some(3),
            Some("fiat_value"),
            "not a fiat currency",
        ),
        (
            "too-many-decimals.csv",
            with(&format!("2024-01-05T10:00:00Z,buy,Kraken,1000,EUR,0.{}1,BTC,,,,,,", "0".repeat(28))),
            Some(3),
            Some("received_amount"),
            "decimal places",
        ),
        ("utf16.csv", [&[0xFFu8, 0xFE][..], "t\0i\0".as_bytes()].concat(), None, None, "UTF-16"),
        (
            // A note whose quote is never closed must not swallow the sell on the next line.
            "open-quote.csv",
            format!(
                "{HEADER}\n{ok_row}\n2024-01-06T10:00:00Z,buy,Kraken,1000,EUR,0.025,BTC,,,,,,\"unterminated note\n\
                 2024-06-30T09:00:00Z,sell,Kraken,0.02,BTC,1200.00,EUR,,,,,,\n"
            )
            .into_bytes(),
            Some(3),
            None,
            "never closed",
        ),
        (
            "leap-second.csv",
            with("2024-12-31T23:59:60Z,buy,Kraken,1000,EUR,0.025,BTC,,,,,,"),
            Some(3),
            Some("timestamp"),
            "leap second",
        ),
        (
            "nanoseconds.csv",
            with("2024-01-05T10:00:00.1234567Z,buy,Kraken,1000,EUR,0.025,BTC,,,,,,"),
            Some(3),
            Some("timestamp"),
            "microsecond",
        ),
    ];
    for (name, bytes, line, field, words) in cases {
        let e = expect_err(name, &bytes);
        assert_eq!(e.file, Path::new(name), "{name}");
        assert_eq!(e.line, line, "{name}: {e}");
        assert_eq!(e.field.as_deref(), field, "{name}: {e}");
        assert!(e.to_string().contains(words), "{name}: `{e}` should mention `{words}`");
        assert!(e.to_string().starts_with(name), "{name}: the message starts with the file: {e}");
    }
}

/// The generic CSV's note may hold line breaks (Offramp's own export writes them quoted): such a file imports, and
/// its export reads back the same; a note whose quote opens and runs on in an exchange's file is refused.
#[test]
fn quoted_line_breaks_only_where_the_format_has_them() {
    let text = format!(
        "{HEADER}\n2024-01-05T10:00:00Z,buy,Kraken,1000,EUR,0.025,BTC,,,,,,\"two\nlines, and \"\"quotes\"\"\"\n"
    );
    let p = parse_bytes(Path::new("multi.csv"), text.as_bytes()).unwrap();
    assert_eq!(p.rows[0].tx.note, "two\nlines, and \"quotes\"");
    let coinbase = "Timestamp,Transaction Type,Asset,Quantity Transacted,Spot Price Currency,Spot Price at Transaction,Subtotal,Total (inclusive of fees and/or spread),Fees and/or Spread,Notes\n\
        2023-03-01T12:00:00Z,Buy,BTC,0.01,EUR,21000.00,210.00,213.99,3.99,\"Bought \"\"0.01\"\" BTC\n\
        2023-03-09T09:00:00Z,Receive,BTC,0.005,EUR,20500.00,102.50,102.50,0.00,\"Received\"\n";
    let e = parse_bytes(Path::new("cb.csv"), coinbase.as_bytes()).unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.to_string().contains("never closed") || e.to_string().contains("runs over"), "{e}");
}

#[test]
fn invalid_utf8_in_a_field_names_line_and_field() {
    let mut bytes = format!("{HEADER}\n2024-01-05T10:00:00Z,buy,Kraken,1000,EUR,0.025,BTC,,,,,,caf").into_bytes();
    bytes.extend_from_slice(&[0xE9, b'\n']); // Latin-1 "é"
    let e = expect_err("latin1.csv", &bytes);
    assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("note")));
    assert!(e.to_string().contains("UTF-8"));
}

#[test]
fn a_ten_megabyte_line_is_refused_with_a_short_message() {
    let huge = "9".repeat(10 * 1024 * 1024);
    let bytes = format!("{HEADER}\n2024-01-05T10:00:00Z,buy,Kraken,{huge},EUR,0.025,BTC,,,,,,\n").into_bytes();
    let e = expect_err("huge.csv", &bytes);
    assert_eq!((e.line, e.field.as_deref()), (Some(2), Some("sent_amount")));
    assert!(e.to_string().len() < 500, "message must not quote 10 MB: {} bytes", e.to_string().len());
    let header_only = format!("{huge}\n").into_bytes();
    let e = expect_err("huge-header.csv", &header_only);
    assert!(e.to_string().len() < 1000);
}

#[test]
fn bom_and_crlf_are_accepted() {
    let text = format!("\u{FEFF}{HEADER}\r\n2024-01-05T10:00:00Z,buy,Kraken,1000,EUR,0.025,BTC,,,,,,x\r\n");
    let p = parse_bytes(Path::new("bom.csv"), text.as_bytes()).unwrap();
    assert_eq!(p.rows.len(), 1);
    assert_eq!(p.rows[0].tx.note, "x", "no stray carriage return");
    assert_eq!(p.rows[0].line, 2);
}

#[test]
fn one_bad_file_among_several_adds_nothing_at_all() {
    let tmp = tempfile::tempdir().unwrap();
    let l = new_ledger(tmp.path());
    let good = parse_file(&fixture("generic-v1.csv"));
    let bad = parse_bytes(Path::new("bad.csv"), format!("{HEADER}\nnot,a,row,,,,,,,,,,\n").as_bytes());
    // Parsing comes first, for every file: the bad one stops the whole import before anything is written.
    assert!(good.is_ok() && bad.is_err());
    assert_eq!(l.transaction_count().unwrap(), 0);
}

#[test]
fn a_failed_write_rolls_back_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = new_ledger(tmp.path());
    let good = parse_file(&fixture("generic-v1.csv")).unwrap();
    // Make the second file fail inside the transaction by breaking its account name after parsing.
    let mut bad = parse_file(&fixture("generic-v1.csv")).unwrap();
    bad.rows[3].tx.account = "  ".into();
    bad.rows[3].tx.timestamp = Timestamp::parse_rfc3339("2025-01-01T00:00:00Z").unwrap();
    assert!(l.import(&[good, bad], now(), &mut |_, _| true).is_err());
    assert_eq!(l.transaction_count().unwrap(), 0);
    assert!(l.accounts().unwrap().is_empty());
}

#[test]
fn data_survives_reopening() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("ledger.offramp");
    {
        let mut l = Ledger::create(&path, &Key::Passphrase("pw".into())).unwrap();
        l.import(&[parse_file(&fixture("generic-v1.csv")).unwrap()], now(), &mut |_, _| true).unwrap();
    }
    let l = Ledger::open(&path, &Key::Passphrase("pw".into())).unwrap();
    assert_eq!(l.transaction_count().unwrap(), 7);
    let bytes = std::fs::read(&path).unwrap();
    let needle = b"first buy";
    assert!(!bytes.windows(needle.len()).any(|w| w == needle), "notes are not readable in the file");
}

/// A generic CSV of `n` buys, one a minute, with `bad_at` (a 0-based row) given an unreadable amount.
fn big_file(dir: &Path, name: &str, n: usize, bad_at: Option<usize>) -> PathBuf {
    let mut text = String::from(HEADER);
    let start = Timestamp::parse_rfc3339("2024-01-01T00:00:00Z").unwrap().unix_micros();
    for i in 0..n {
        let ts = Timestamp::from_unix_micros(start + i as i64 * 60_000_000);
        let amount = if Some(i) == bad_at { "12x34".to_string() } else { format!("{}.00", i + 1) };
        text.push_str(&format!("\n{ts},buy,A,{amount},USD,0.001,BTC,,,,,id-{i},"));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn streaming_import_writes_the_same_as_parse_then_import() {
    let tmp = tempfile::tempdir().unwrap();
    let big = big_file(tmp.path(), "big.csv", 20_000, None);
    let files = [fixture("generic-v1.csv"), fixture("kraken-ledgers-v3.csv"), big];
    let mut streamed = Ledger::create(&tmp.path().join("a"), &Key::Passphrase("k".into())).unwrap();
    let mut calls = Vec::new();
    let s1 = streamed
        .import_files(&files, now(), &mut |d, t| {
            calls.push((d, t));
            true
        })
        .unwrap();
    let mut parsed_first = Ledger::create(&tmp.path().join("b"), &Key::Passphrase("k".into())).unwrap();
    let parsed: Vec<_> = files.iter().map(|f| parse_file(f).unwrap()).collect();
    let s2 = parsed_first.import(&parsed, now(), &mut |_, _| true).unwrap();
    assert_eq!(s1, s2);
    let rows = |l: &Ledger| {
        let mut v = Vec::new();
        l.each_transaction(&TxFilter::default(), &mut |r| {
            v.push(format!("{r:?}"));
            Ok(())
        })
        .unwrap();
        v
    };
    assert_eq!(rows(&streamed), rows(&parsed_first));
    assert!(rows(&streamed).len() > 20_000);
    // Progress only grows and ends at the number of rows written.
    assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].0 <= w[0].1));
    let written: u64 = s1.iter().map(|s| s.rows).sum();
    assert_eq!(calls.last(), Some(&(written, written)));
    // Again: nothing new.
    let again = streamed.import_files(&files, now(), &mut |_, _| true).unwrap();
    assert!(again.iter().all(|s| s.added == 0 && s.already_present == s.rows));
}

#[test]
fn a_bad_row_after_thousands_were_written_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = new_ledger(tmp.path());
    // The bad row is far past the first chunks, which the writer has already inserted when it arrives.
    let files = [fixture("generic-v1.csv"), big_file(tmp.path(), "bad.csv", 30_000, Some(29_000))];
    let e = l.import_files(&files, now(), &mut |_, _| true).unwrap_err();
    match e {
        StoreError::Import(e) => {
            assert_eq!(
                (e.file.file_name().unwrap(), e.line, e.field.as_deref()),
                ("bad.csv".as_ref(), Some(29_002), Some("sent_amount"))
            );
        }
        other => panic!("expected an import error, got {other}"),
    }
    assert_eq!(l.transaction_count().unwrap(), 0);
    assert!(l.accounts().unwrap().is_empty());
    // A missing file is named too, and also adds nothing.
    let e = l.import_files(&[fixture("generic-v1.csv"), tmp.path().join("nope.csv")], now(), &mut |_, _| true);
    assert!(e.unwrap_err().to_string().contains("nope.csv"));
    assert_eq!(l.transaction_count().unwrap(), 0);
}

#[test]
fn cancelling_a_streaming_import_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = new_ledger(tmp.path());
    let big = big_file(tmp.path(), "big.csv", 50_000, None);
    let mut calls = 0;
    let r = l.import_files(&[big], now(), &mut |_, _| {
        calls += 1;
        calls < 3
    });
    assert!(matches!(r, Err(StoreError::Cancelled)));
    assert_eq!(calls, 3);
    assert_eq!(l.transaction_count().unwrap(), 0);
}

/// A device that never ends, a pipe or a folder is refused before anything is read; so is a line too long to be
/// a CSV row.
#[test]
fn only_regular_files_of_bounded_size_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = new_ledger(tmp.path());
    for (p, says) in [(Path::new("/dev/zero"), "not a regular file"), (tmp.path(), "not a regular file")] {
        let e = l.import_files(&[p.to_path_buf()], now(), &mut |_, _| true).unwrap_err();
        assert!(e.to_string().contains(says), "{}: {e}", p.display());
        assert!(parse_file(p).unwrap_err().to_string().contains(says));
    }
    #[cfg(unix)]
    {
        let fifo = tmp.path().join("pipe.csv");
        let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(status.success());
        let e = parse_file(&fifo).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }
    let long = format!("{HEADER}\n{}\n", "x".repeat(offramp_store::import::MAX_LINE_BYTES + 1));
    let e = parse_bytes(Path::new("long.csv"), long.as_bytes()).unwrap_err();
    assert_eq!(e.line, Some(2), "{e}");
    assert!(e.to_string().contains("longer than 16 MiB"), "{e}");
    assert_eq!(l.transaction_count().unwrap(), 0);
}
