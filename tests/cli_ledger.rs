//! `offramp init|import|accounts|tx list`: golden output, duplicates, errors that change nothing, and a kill in
//! the middle of a large import.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use offramp_core::Decimal;
use offramp_store::{Key, Ledger};
use std::collections::HashMap;

fn fixture() -> PathBuf {
    Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap())
        .join("crates/offramp-store/tests/fixtures/generic-v1.csv")
}

fn count(data: &Path) -> u64 {
    Ledger::open(&data.join("ledger.offramp"), &Key::Passphrase(PASS.into())).unwrap().transaction_count().unwrap()
}

#[test]
fn init_import_list_golden() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    let fx = fixture();
    let f = fx.to_str().unwrap();

    let out = run(data, &["import", f]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error[LEDGER_NOT_FOUND]: "), "{}", stderr(&out));

    assert!(ok(run(data, &["init"])).starts_with("Created an encrypted ledger at "));
    let out = run(data, &["init"]);
    assert!(stderr(&out).starts_with("error[LEDGER_EXISTS]: "));

    assert_eq!(ok(run(data, &["import", f])), golden("import_fixture.txt", &[("FILE", f)]));
    assert_eq!(ok(run(data, &["import", f])), golden("import_again.txt", &[("FILE", f)]));
    assert_eq!(ok(run(data, &["accounts"])), golden("accounts.txt", &[]));
    assert_eq!(ok(run(data, &["tx", "list", "--limit", "3"])), golden("tx_list_page1.txt", &[]));

    let json: serde_json::Value =
        serde_json::from_str(&ok(run(data, &["tx", "list", "--kind", "staking", "--json"]))).unwrap();
    let row = &json["rows"][0];
    assert_eq!(row["received"], serde_json::json!({"value": "0.01", "code": "ETH"}));
    assert_eq!(row["fiat_value"], serde_json::Value::Null);
    assert_eq!(row["needs_price"], true);
    assert_eq!((row["source_file"].as_str(), row["source_line"].as_u64()), (Some("generic-v1.csv"), Some(6)));
    assert_eq!(json["next"], serde_json::Value::Null);
}

#[test]
fn a_bad_file_names_file_line_field_and_adds_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let bad = tmp.path().join("bad.csv");
    std::fs::write(
        &bad,
        "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n\
         2024-01-01T00:00:00Z,buy,A,10,USD,0.001,BTC\n\
         2024-01-02T00:00:00Z,buy,A,1.5e3,USD,0.001,BTC\n",
    )
    .unwrap();
    let fx = fixture();
    // The good fixture comes first on the command line: still nothing is added.
    let out = run(data, &["import", fx.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let want = format!("error[IMPORT_INVALID]: {}, line 3, field `sent_amount`: exponent notation", bad.display());
    assert!(err.starts_with(&want), "{err}");
    assert!(err.trim_end().ends_with("Nothing was imported."), "{err}");
    assert_eq!(count(data), 0);
}

#[test]
fn the_passphrase_is_required_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let out = Command::new(offramp_bin())
        .args(["accounts"])
        .env("OFFRAMP_DATA_DIR", data)
        .env_remove("OFFRAMP_PASSPHRASE")
        .output()
        .unwrap();
    assert!(stderr(&out).starts_with("error[PASSPHRASE_REQUIRED]: "));
    let pf = tmp.path().join("pass.txt");
    std::fs::write(&pf, "wrong\n").unwrap();
    let out = run(data, &["--passphrase-file", pf.to_str().unwrap(), "accounts"]);
    assert_eq!(stderr(&out).lines().collect::<Vec<_>>().len(), 1, "one clean line: {}", stderr(&out));
    assert!(stderr(&out).starts_with("error[WRONG_KEY]: "));
    std::fs::write(&pf, format!("{PASS}\n")).unwrap();
    ok(run(data, &["--passphrase-file", pf.to_str().unwrap(), "accounts"]));
}

#[derive(Debug, Clone, Copy)]
enum Moment {
    /// After this many `progress` lines: the import is writing rows.
    Progress(usize),
    Millis(u64),
}

/// SIGKILL at several moments of a large import: the ledger always reopens, passes its integrity check (done by
/// `Ledger::open` after an unclean shutdown) and holds either none or all of the file.
#[test]
fn killing_an_import_leaves_none_or_all() {
    const ROWS: usize = 150_000;
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.csv");
    let mut text =
        String::from("timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,external_id\n");
    for i in 0..ROWS {
        let (d, s) = (i / 86_400 % 28 + 1, i % 86_400);
        text.push_str(&format!(
            "2024-02-{d:02}T{:02}:{:02}:{:02}Z,buy,A,{}.{:02},USD,0.0001,BTC,id-{i}\n",
            s / 3600,
            s / 60 % 60,
            s % 60,
            10 + i % 90,
            i % 100
        ));
    }
    std::fs::write(&big, text).unwrap();

    // Kills while rows are being written (after the n-th progress report), then at fixed times (any phase).
    let mut killed = 0;
    let moments = [
        Moment::Progress(1),
        Moment::Progress(10),
        Moment::Progress(30),
        Moment::Progress(37),
        Moment::Millis(300),
        Moment::Millis(1500),
    ];
    for (attempt, moment) in moments.into_iter().enumerate() {
        let data = tmp.path().join(format!("data{attempt}"));
        ok(run(&data, &["init"]));
        let mut child = Command::new(offramp_bin())
            .args(["import", "--progress", big.to_str().unwrap()])
            .env("OFFRAMP_DATA_DIR", &data)
            .env("OFFRAMP_PASSPHRASE", PASS)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        match moment {
            Moment::Progress(n) => {
                for _ in 0..n {
                    let line = lines.next().expect("a progress line").unwrap();
                    assert!(line.starts_with("progress "), "{line}");
                }
            }
            Moment::Millis(ms) => std::thread::sleep(Duration::from_millis(ms)),
        }
        child.kill().unwrap(); // SIGKILL on Unix
        let status = child.wait().unwrap();
        killed += usize::from(!status.success());
        // A kill leaves the write-ahead log behind: the next unlock checks the whole file (and it passes).
        let left = data.join("ledger.offramp-wal").exists();
        let l = Ledger::open(&data.join("ledger.offramp"), &Key::Passphrase(PASS.into())).unwrap();
        assert_eq!(l.checked_at_open(), left, "attempt {attempt}: log left {left}");
        drop(l);
        let n = count(&data);
        eprintln!("attempt {attempt}: {moment:?}, killed: {}, rows in ledger: {n}", !status.success());
        assert!(n == 0 || n == ROWS as u64, "attempt {attempt} ({moment:?}): {n} rows");
    }
    assert!(killed > 0, "no attempt was killed before the import finished");
}

/// SIGKILL at many moments of a change of passphrase on a large ledger (spread over the time a full change
/// takes): the ledger always opens with exactly one of the two passphrases and holds every row.
#[test]
fn killing_a_change_of_passphrase_leaves_a_ledger_under_one_of_the_two() {
    const ROWS: usize = 60_000;
    const NEW: &str = "a new passphrase after the kill test";
    let tmp = tempfile::tempdir().unwrap();
    let csv = tmp.path().join("h.csv");
    let mut text = String::from("timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n");
    for i in 0..ROWS {
        let s = i % 86_400;
        let d = i / 86_400 + 1;
        text.push_str(&format!(
            "2024-03-{d:02}T{:02}:{:02}:{:02}Z,buy,A,{}.5,USD,0.001,BTC\n",
            s / 3600,
            s / 60 % 60,
            s % 60,
            10 + i
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let new_file = tmp.path().join("new.txt");
    std::fs::write(&new_file, format!("{NEW}\n")).unwrap();
    let change = |data: &Path| {
        Command::new(offramp_bin())
            .args(["passphrase", "change", "--new-passphrase-file", new_file.to_str().unwrap()])
            .env("OFFRAMP_DATA_DIR", data)
            .env("OFFRAMP_PASSPHRASE", PASS)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let template = tmp.path().join("template");
    ok(run(&template, &["init"]));
    ok(run(&template, &["import", csv.to_str().unwrap()]));
    let fresh = |name: &str| {
        let data = tmp.path().join(name);
        std::fs::create_dir(&data).unwrap();
        std::fs::copy(template.join("ledger.offramp"), data.join("ledger.offramp")).unwrap();
        data
    };
    // How long one whole change takes here, to spread the kills over it.
    let data = fresh("timing");
    let t = std::time::Instant::now();
    assert!(change(&data).wait().unwrap().success());
    let full = t.elapsed();
    let opens = |data: &Path, p: &str| Ledger::open(&data.join("ledger.offramp"), &Key::Passphrase(p.into()));
    assert_eq!(opens(&data, NEW).unwrap().transaction_count().unwrap(), ROWS as u64);

    let (mut old_kept, mut new_taken) = (0, 0);
    for (i, percent) in [0u32, 10, 30, 50, 70, 85, 92, 96, 98, 100, 102, 105].into_iter().enumerate() {
        let data = fresh(&format!("kill{i}"));
        let mut child = change(&data);
        std::thread::sleep(full * percent / 100);
        child.kill().unwrap();
        let _ = child.wait();
        let (old, new) = (opens(&data, PASS), opens(&data, NEW));
        let ledger = match (old, new) {
            (Ok(l), Err(_)) => {
                old_kept += 1;
                l
            }
            (Err(_), Ok(l)) => {
                new_taken += 1;
                l
            }
            (Ok(_), Ok(_)) => panic!("kill {i}: both passphrases open it"),
            (Err(a), Err(b)) => panic!("kill {i}: neither opens it: {a:?} / {b:?}"),
        };
        assert_eq!(ledger.transaction_count().unwrap(), ROWS as u64, "kill {i}: every row is there");
        eprintln!("kill at {percent} % of {full:?}: old {old_kept}, new {new_taken} so far");
    }
    assert!(old_kept > 0, "no kill landed before the change took effect");
    eprintln!("old passphrase kept: {old_kept}, new one taken: {new_taken}");
}

#[test]
fn transfers_backup_restore_and_export_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    ok(run(&data, &["import", fixture().to_str().unwrap()]));

    let v: serde_json::Value = serde_json::from_str(&ok(run(&data, &["transfers", "--json"]))).unwrap();
    let p = &v["proposals"][0];
    let (out_id, in_id) = (p["out_tx"]["id"].as_i64().unwrap(), p["in_tx"]["id"].as_i64().unwrap());
    assert_eq!(p["in_tx"]["account"], "Ledger Nano");
    ok(run(&data, &["transfers", "confirm", &out_id.to_string(), &in_id.to_string()]));
    let v: serde_json::Value = serde_json::from_str(&ok(run(&data, &["transfers", "--json"]))).unwrap();
    assert_eq!(v["confirmed"], serde_json::json!([[out_id, in_id]]));
    assert_eq!(v["proposals"], serde_json::json!([]));

    let backup = tmp.path().join("backup.offramp");
    ok(run(&data, &["backup", backup.to_str().unwrap()]));
    let export = tmp.path().join("export.csv");
    assert_eq!(
        ok(run(&data, &["export", "--out", export.to_str().unwrap()])),
        format!("Exported 7 transactions to {}.\nNote: {}\n", export.display(), offramp_app::files::UNENCRYPTED)
    );
    assert!(stderr(&run(&data, &["export", "--out", export.to_str().unwrap()])).starts_with("error[INVALID_INPUT]"));

    // Export, then import into an empty ledger: the same transactions.
    let other = tmp.path().join("other");
    ok(run(&other, &["init"]));
    ok(run(&other, &["import", export.to_str().unwrap()]));
    let list = |d: &Path| {
        let v: serde_json::Value = serde_json::from_str(&ok(run(d, &["tx", "list", "--json"]))).unwrap();
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut r = r.clone();
                for k in ["id", "source_file", "source_line"] {
                    r.as_object_mut().unwrap().remove(k);
                }
                r
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(list(&other), list(&data));

    // Restore the backup over a changed ledger.
    let extra = tmp.path().join("extra.csv");
    std::fs::write(&extra, "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n2025-01-01T00:00:00Z,buy,K,1,EUR,0.00001,BTC\n").unwrap();
    ok(run(&data, &["import", extra.to_str().unwrap()]));
    assert_eq!(count(&data), 8);
    let said = ok(run(&data, &["restore", backup.to_str().unwrap()]));
    assert!(said.contains("The ledger it replaced is kept at"), "{said}");
    assert_eq!(count(&data), 7);
}

/// The US gains report end to end: import, then `offramp report gains`. Figures (FIFO): 1 BTC bought 10 Jan 2023
/// for $20,000 + $100 fee is sold on 1 Aug 2024 for its share of $60,000 − $60 ($39,960): long term, gain $19,860.
/// Half of the 1 Jun 2024 lot ($15,000) goes in the same sale ($19,980, short term, $4,980) and the other half on
/// 1 Sep ($25,000 of $30,000, short term, $10,000). The last 0.1 BTC sold arrived from nobody knows where: its
/// basis is unknown, the row says so and comes first, and the totals leave it out.
#[test]
fn us_gains_report_golden() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    let history = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/history.csv");
    ok(run(&data, &["import", history.to_str().unwrap()]));
    let out = run(&data, &["report", "gains", "--year", "2024"]);
    assert_eq!(ok(out.clone()), golden("gains_2024_fifo.csv", &[]));
    let summary = stderr(&out);
    assert!(summary.starts_with("WARNING: 1 row(s) have an unknown cost basis"), "{summary}");
    assert!(summary.contains("short-term gain 14980.00 USD, long-term gain 19860.00 USD"), "{summary}");
    // HIFO takes the dearer 2024 lot first.
    let hifo = stderr(&run(&data, &["report", "gains", "--year", "2024", "--method", "hifo"]));
    assert!(hifo.contains("short-term gain 9960.00 USD, long-term gain 24880.00 USD"), "{hifo}");
    // The same history in a UK report: its USD figures have no GBP value (no exchange rates): unknown, not zero.
    let uk = ok(run(&data, &["report", "gains", "--year", "2024", "--jurisdiction", "uk"]));
    assert!(uk.lines().skip(1).all(|l| l.contains("UNKNOWN")), "{uk}");
}

/// HMRC Cryptoassets Manual CRYPTO22256 (example 6) imported as a generic CSV in GBP and reported with
/// `offramp report uk`: HMRC's gains of £15,000 (31 July) and £10,000 (5 August), and the pool disposal of
/// 7 August derived from HMRC's rules (see crates/offramp-core/tests/uk.rs).
#[test]
fn uk_report_reproduces_hmrc_example_6() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    let file = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/hmrc_example_6.csv");
    ok(run(&data, &["import", file.to_str().unwrap()]));
    assert_eq!(ok(run(&data, &["report", "uk", "--year", "2024"])), golden("uk_2024.txt", &[]));
    // The opening purchase is in the previous tax year: no disposals there.
    assert!(ok(run(&data, &["report", "uk", "--year", "2023"])).contains("SA108 cryptoassets: disposals 0;"));
}

/// Form 8949 for the same history: tax year 2024, so crypto goes in boxes C (short) and F (long); the row of
/// unknown basis comes first and stays out of the Schedule D totals.
#[test]
fn form_8949_and_schedule_d() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    let history = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/history.csv");
    ok(run(&data, &["import", history.to_str().unwrap()]));
    let out = run(&data, &["report", "8949", "--year", "2024"]);
    assert_eq!(
        ok(out.clone()),
        "part,box,a_description,b_date_acquired,c_date_sold,d_proceeds,e_cost_basis,f_code,g_adjustment,h_gain_or_loss\n\
         I,C,0.1 BTC,07/01/2024,09/01/2024,5000.00,UNKNOWN,,,UNKNOWN\n\
         I,C,0.5 BTC,06/01/2024,08/01/2024,19980.00,15000.00,,,4980.00\n\
         I,C,0.5 BTC,06/01/2024,09/01/2024,25000.00,15000.00,,,10000.00\n\
         II,F,1 BTC,01/10/2023,08/01/2024,39960.00,20100.00,,,19860.00\n"
    );
    assert_eq!(
        stderr(&out),
        "WARNING: 1 row(s) have an unknown basis or proceeds; resolve them before filing. They are not in the totals.\n\
         Schedule D line 3 (Form 8949 box C): proceeds 44980.00, cost 30000.00, adjustments 0.00, gain or (loss) 14980.00\n\
         Schedule D line 10 (Form 8949 box F): proceeds 39960.00, cost 20100.00, adjustments 0.00, gain or (loss) 19860.00\n"
    );
}

/// Germany: 1 BTC bought 1 Mar 2022 for €20,000 + €25 and 1 BTC bought 1 Feb 2024 for €40,000; 1.5 BTC sold on
/// 1 May 2024 for €90,000 − €90. FIFO per wallet: the 2022 coin was held more than a year (tax-free, €59,940 −
/// €20,025); half of the 2024 coin is taxable (€29,970 − €20,000 = €9,970), which reaches the €1,000 Freigrenze.
#[test]
fn germany_report_golden() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    let file = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/de_history.csv");
    ok(run(&data, &["import", file.to_str().unwrap()]));
    assert_eq!(ok(run(&data, &["report", "de", "--year", "2024"])), golden("de_2024.txt", &[]));
    // The same pieces as a CSV, classed taxable or tax-free.
    let csv = ok(run(&data, &["report", "gains", "--year", "2024", "--jurisdiction", "de"]));
    let classes: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').nth(7).unwrap()).collect();
    assert_eq!(classes, ["tax-free", "taxable"], "{csv}");
}

/// Holdings on 15 August 2024 of the gains history: half of the June lot ($15,000) and the 0.2 BTC of unknown
/// origin, valued at $60,000 a coin.
#[test]
fn holdings_at_a_date() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    let history = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/history.csv");
    ok(run(&data, &["import", history.to_str().unwrap()]));
    assert_eq!(
        ok(run(&data, &["report", "holdings", "--at", "2024-08-15", "--price", "BTC=60000"])),
        "account,asset,lot_id,date_acquired,quantity,cost_basis,value,unrealized_gain,lot_source\n\
         Coinbase,BTC,2,2024-06-01,0.5,15000.00,30000.00,15000.00,history.csv:3\n\
         Coinbase,BTC,3,2024-07-01,0.2,UNKNOWN,12000.00,UNKNOWN,history.csv:4\n"
    );
    let e = stderr(&run(&data, &["report", "holdings", "--at", "15.08.2024"]));
    assert!(e.starts_with("error[INVALID_INPUT]: at:"), "{e}");
    // To a file: the same CSV, the totals and the warning printed, and the note that it is not encrypted.
    let file = tmp.path().join("holdings.csv");
    let printed = ok(run(&data, &["report", "holdings", "--at", "2024-08-15", "--out", file.to_str().unwrap()]));
    assert!(
        printed.contains("WARNING: 1 lot(s) have an unknown cost") && printed.contains("BTC: 0.7 in 2 lot(s)"),
        "{printed}"
    );
    assert!(printed.contains("not encrypted"), "{printed}");
    assert!(std::fs::read_to_string(&file).unwrap().starts_with("account,asset,lot_id,"));
    let income = tmp.path().join("income.csv");
    let printed = ok(run(&data, &["report", "income", "--year", "2024", "--out", income.to_str().unwrap()]));
    assert!(printed.contains("Total: "), "{printed}");
    assert!(std::fs::read_to_string(&income)
        .unwrap()
        .starts_with("date,account,kind,asset,quantity,value_USD,source,exchange_rate\n"));
}

/// Files for tax software: TaxAct's documented columns and the TurboTax gains layout; refused while a row's basis
/// is unknown (a tax program would read a blank as zero).
#[test]
fn tax_software_files() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    let known = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/history_known.csv");
    ok(run(&data, &["import", known.to_str().unwrap()]));
    assert_eq!(
        ok(run(&data, &["report", "software", "--year", "2024", "--format", "taxact"])),
        "Description,Date Acquired,Date Sold,Sales Proceeds,Cost or Other Basis,Long/Short,Reporting Category\n\
         1 BTC,01/10/2023,08/01/2024,39960.00,20100.00,Long,F\n\
         0.5 BTC,06/01/2024,08/01/2024,19980.00,15000.00,Short,C\n"
    );
    assert_eq!(
        ok(run(&data, &["report", "software", "--year", "2024", "--format", "turbotax"])),
        "Currency Name,Purchase Date,Cost Basis,Date Sold,Proceeds\nBTC,01/10/2023,20100.00,08/01/2024,39960.00\nBTC,06/01/2024,15000.00,08/01/2024,19980.00\n"
    );
    let history = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/history.csv");
    ok(run(&data, &["import", history.to_str().unwrap()]));
    let e = stderr(&run(&data, &["report", "software", "--year", "2024", "--format", "taxact"]));
    assert!(e.starts_with("error[INVALID_INPUT]: 1 row(s) have an unknown cost basis"), "{e}");
}

/// Your own venue figures: kept in the ledger, used by quote and plan, removable; without the passphrase the
/// published figures apply and the CLI says so.
#[test]
fn overrides_are_kept_in_the_ledger_and_used_by_quote_and_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let set = ok(run(data, &["override", "set", "kraken", "limit_day", "25000 USD", "--note", "my verified level"]));
    assert_eq!(set.trim(), "Set your figure for kraken: limit_day 25000 USD.");
    ok(run(data, &["override", "set", "kraken", "limit_month", "200000 USD"]));
    ok(run(data, &["override", "set", "kraken_otc", "spread_pct", "0.4"]));
    let list = ok(run(data, &["override", "list"]));
    assert!(list.contains("kraken               limit_day 25000 USD") && list.contains("my verified level"), "{list}");

    let plan = ["plan", "--sell", "1", "BTC", "--to", "USD", "--price", "65000", "--start", "2026-12-01"];
    let out = run(data, &[&plan[..], &["--max-days", "60"]].concat());
    let text = ok(out);
    // 65,000 under 25,000 a day: 3 days.
    assert!(
        text.contains(
            "withdrawal limits 25000.00 USD a day, 200000.00 USD in 30 days; your own limits at Kraken (Kraken Pro spot); \
             fewest days 3"
        ),
        "{text}"
    );

    // With the tax side (one opening of the ledger for the figures and the holdings), the figures still apply.
    let out = run(data, &[&plan[..], &["--max-days", "60", "--tax", "us"]].concat());
    assert!(stderr(&out).contains("Using 3 figure(s) of yours"), "{}", stderr(&out));
    let text = ok(out);
    assert!(
        text.contains("withdrawal limits 25000.00 USD a day") && text.contains("your own limits at Kraken"),
        "{text}"
    );

    let quote = ["quote", "--sell", "10", "BTC", "--to", "USD", "--price", "65000"];
    let out = run(data, &quote);
    assert!(stderr(&out).contains("Using 3 figure(s) of yours"), "{}", stderr(&out));
    let text = ok(out);
    // 0.4 % of 650,000 = 2,600: the desk now has a net.
    let otc = text.lines().find(|l| l.starts_with("kraken_otc ")).unwrap();
    assert!(otc.contains("647400.00") && otc.contains("desk spread 2600.00"), "{otc}");

    // Locked ledger: the published figures, and a note.
    let out = Command::new(offramp_bin())
        .args(quote)
        .env("OFFRAMP_DATA_DIR", data)
        .env_remove("OFFRAMP_PASSPHRASE")
        .output()
        .unwrap();
    assert!(stderr(&out).contains("the ledger is locked"), "{}", stderr(&out));
    assert!(stdout(&out).contains("kraken_otc           desk spread unknown"), "{}", stdout(&out));

    let bad = run(data, &["override", "set", "kraken", "limit_day", "25000"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).starts_with("error[INVALID_INPUT]: limit_day: give an amount with its currency"),
        "{}",
        stderr(&bad)
    );
    ok(run(data, &["override", "remove", "kraken_otc", "spread_pct"]));
    let again = run(data, &["override", "remove", "kraken_otc", "spread_pct"]);
    assert!(stderr(&again).starts_with("error[INVALID_INPUT]: no figure of yours for kraken_otc spread_pct"));
}

/// `offramp plan --tax us`: the lots to sell from the ledger, the tax per schedule, and "waiting 10 days saves".
/// Three lots of 1 BTC bought at 20,000 (2023), 50,000 (2025-12-10) and 55,000 (2026-06-01); selling 3 at 60,000
/// on 2026-12-01 with rates 37 % / 20 %: short gains 5,000 + 10,000 at 37 % = 5,550, long 40,000 at 20 % = 8,000.
/// On 2026-12-11 the 50,000 lot is long-term: its 10,000 is taxed at 20 % instead, saving 1,700.
#[test]
fn tax_aware_plan_from_the_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let history = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/plan_lots.csv");
    ok(run(data, &["import", history.to_str().unwrap()]));
    let plan = [
        "plan",
        "--sell",
        "3",
        "BTC",
        "--to",
        "USD",
        "--price",
        "60000",
        "--volatility",
        "0.03",
        "--daily-volume",
        "10000",
        "--start",
        "2026-12-01",
        "--max-days",
        "5",
        "--level",
        "kraken=Pro",
        "--tax",
        "us",
    ];
    let text = ok(run(data, &[&plan[..], &["--rate-short", "37", "--rate-long", "20"]].concat()));
    assert!(
        text.contains("short-term or taxable gain 15000.00; long-term gain 40000.00; estimated tax 13550.00"),
        "{text}"
    );
    assert!(
        text.contains("Waiting 10 days (until 2026-12-11) saves 1700.00 USD in tax: lot 2 in Kraken turns long-term."),
        "{text}"
    );
    // The lots in the order that costs least tax: the 55,000 lot, then the 50,000 lot, then the old one.
    let lots: Vec<&str> = text.lines().skip_while(|l| !l.starts_with("Tax (US")).skip(2).take(3).collect();
    assert!(lots[0].contains("Ledger") && lots[0].contains("2026-06-01") && lots[2].contains("2023-01-10"), "{lots:?}");
    // Each schedule's tax is on its own net: one day nets 179,484.35, so its tax is 13,550 less 37 %/20 % shares
    // of the 515.65 of costs.
    let json: serde_json::Value = serde_json::from_str(&ok(run(
        data,
        &[&plan[..], &["--rate-short", "37", "--rate-long", "20", "--json"]].concat(),
    )))
    .unwrap();
    let kraken = json["exchanges"].as_array().unwrap().iter().find(|v| v["venue"] == "kraken").unwrap();
    let one_day = kraken["schedules"].as_array().unwrap().iter().find(|s| s["days"] == 1).unwrap();
    let d = |v: &serde_json::Value| v.as_str().unwrap().parse::<offramp_core::Decimal>().unwrap();
    assert_eq!(d(&one_day["after_tax"]), d(&one_day["net"]) - d(&one_day["tax"]));
    assert!(d(&one_day["tax"]) < "13550".parse().unwrap() && d(&one_day["tax"]) > "13350".parse().unwrap());
    // Without rates: gains by class, tax unknown, the wait still pointed out.
    let text = ok(run(data, &plan));
    assert!(text.contains("estimated tax unknown"), "{text}");
    assert!(
        text.contains("Waiting 10 days (until 2026-12-11) moves 10000.00 USD of gain out of the short-term class"),
        "{text}"
    );
    // The sale must be in the jurisdiction's currency.
    let out = run(data, &["plan", "--sell", "1", "BTC", "--to", "EUR", "--price", "55000", "--tax", "us"]);
    assert_eq!(
        stderr(&out).trim_end(),
        "error[INVALID_INPUT]: tax: a US estimate needs the sale in USD (Offramp has no exchange rates yet); \
         plan without --tax, or sell into USD"
    );
    let out = run(data, &[&plan[..], &["--rate", "30"]].concat());
    assert!(stderr(&out).starts_with("error[INVALID_INPUT]: rate: a US estimate takes --rate-short and --rate-long"));
}

/// US pooling: all accounts together up to 2024 and per account from 2025 (the default), or per account
/// throughout; methods per tax year. A buys 1 BTC for 10,000 (2023-01-05); B buys 1 for 30,000 (2023-06-05) and
/// 1 for 20,000 (2023-07-05); B sells 1 for 50,000 in 2024; A sells 1 for 60,000 in 2025.
#[test]
fn us_transition_and_methods_per_year() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let history = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/us_transition.csv");
    ok(run(data, &["import", history.to_str().unwrap()]));
    let gain = |args: &[&str]| -> Vec<String> {
        let text = ok(run(data, &[&["report", "gains"][..], args].concat()));
        text.lines().skip(1).map(|l| l.split(',').take(7).collect::<Vec<_>>().join(",")).collect()
    };
    // Universal FIFO in 2024: the oldest lot anywhere (A's 10,000): gain 40,000.
    assert_eq!(gain(&["--year", "2024"]), ["2023-01-05,2024-03-05,BTC,1,50000.00,10000.00,40000.00"]);
    // At 2025-01-01, A holds 1 and B holds 1: FIFO hands the oldest remaining lot (30,000) to A, the next to B.
    assert_eq!(gain(&["--year", "2025"]), ["2023-06-05,2025-02-05,BTC,1,60000.00,30000.00,30000.00"]);
    // Per account throughout: B sells its own oldest (30,000); A its own (10,000).
    assert_eq!(
        gain(&["--year", "2024", "--pooling", "per-account"]),
        ["2023-06-05,2024-03-05,BTC,1,50000.00,30000.00,20000.00"]
    );
    assert_eq!(
        gain(&["--year", "2025", "--pooling", "per-account"]),
        ["2023-01-05,2025-02-05,BTC,1,60000.00,10000.00,50000.00"]
    );
    // HIFO in 2024 only: the 30,000 lot; then FIFO in 2025 gives A the oldest remaining (10,000).
    assert_eq!(
        gain(&["--year", "2024", "--method", "fifo,2024=hifo"]),
        ["2023-06-05,2024-03-05,BTC,1,50000.00,30000.00,20000.00"]
    );
    assert_eq!(
        gain(&["--year", "2025", "--method", "fifo,2024=hifo"]),
        ["2023-01-05,2025-02-05,BTC,1,60000.00,10000.00,50000.00"]
    );
    // Holdings at the end of 2025: B's allocated lot.
    let held = ok(run(data, &["report", "holdings", "--at", "2025-12-31"]));
    assert!(held.lines().nth(1).unwrap().starts_with("B,BTC,3,2023-07-05,1,20000.00"), "{held}");
    for (args, want) in [
        (vec!["--method", "fifo,20x4=hifo"], "error[INVALID_INPUT]: method: `20x4` is not a tax year"),
        (vec!["--pooling", "universal"], "error[INVALID_INPUT]: pooling: `universal`"),
        (vec!["--method", "fifo,lifo"], "error[INVALID_INPUT]: method: give one default method"),
    ] {
        let out = run(data, &[&["report", "gains", "--year", "2024"][..], &args[..]].concat());
        assert!(stderr(&out).starts_with(want), "{}", stderr(&out));
    }
}

/// The own-transfer fee treatment is a setting per jurisdiction, kept in the ledger. Default `disposal`: the fee's
/// 0.001 BTC is a disposal (its value is unknown here: an UNKNOWN row first). `basis`: no disposal, and B's
/// 1 BTC keeps the whole 30,030 of cost.
#[test]
fn transfer_fee_treatment_is_a_setting() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let history = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/transfer_fee.csv");
    ok(run(data, &["import", history.to_str().unwrap()]));
    let view: serde_json::Value = serde_json::from_str(&ok(run(data, &["transfers", "--json"]))).unwrap();
    let p = &view["proposals"][0];
    let (o, i) = (p["out_tx"]["id"].to_string(), p["in_tx"]["id"].to_string());
    ok(run(data, &["transfers", "confirm", &o, &i]));
    assert_eq!(
        ok(run(data, &["settings"])),
        "jurisdiction us\ncurrency USD\nmethod fifo\npooling transition\n\
         transfer-fee us disposal (default)\ntransfer-fee uk disposal (default)\ntransfer-fee de disposal (default)\n\
         transfer-fee ca disposal (default)\n"
    );
    let gains = ok(run(data, &["report", "gains", "--year", "2024"]));
    let rows: Vec<&str> = gains.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{gains}");
    assert!(rows[0].starts_with("2024-01-01,2024-02-01,BTC,0.001,UNKNOWN,30.00,UNKNOWN"), "{gains}");
    assert!(rows[1].starts_with("2024-01-01,2024-03-01,BTC,1,70000.00,30000.00,40000.00"), "{gains}");

    ok(run(data, &["settings", "transfer-fee", "us", "basis"]));
    assert!(ok(run(data, &["settings"])).contains("\ntransfer-fee us basis\n"));
    // The defaults: set one at a time, checked, kept.
    assert!(ok(run(data, &["settings", "set", "jurisdiction", "uk"])).starts_with("jurisdiction uk\n"));
    assert!(ok(run(data, &["settings", "set", "currency", "gbp"])).contains("currency GBP\n"));
    let e = stderr(&run(data, &["settings", "set", "currency", "BTC"]));
    assert!(e.starts_with("error[INVALID_INPUT]: currency: BTC"), "{e}");
    assert!(ok(run(data, &["settings"])).starts_with("jurisdiction uk\ncurrency GBP\n"));
    let gains = ok(run(data, &["report", "gains", "--year", "2024"]));
    let rows: Vec<&str> = gains.lines().skip(1).collect();
    assert_eq!(rows, ["2024-01-01,2024-03-01,BTC,1,70000.00,30030.00,39970.00,short,FIFO,1,4,transfer_fee.csv:5,transfer_fee.csv:2,,"], "{gains}");
    let bad = run(data, &["settings", "transfer-fee", "us", "ignore"]);
    assert!(
        stderr(&bad).starts_with("error[INVALID_INPUT]: transfer fee: `ignore` (disposal or basis)"),
        "{}",
        stderr(&bad)
    );
}

/// Canada's reports read Canada's own transfer-fee setting (they used to read Germany's, and Canadians could not
/// set theirs).
#[test]
fn canada_has_its_own_transfer_fee_setting() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let usd = std::fs::read_to_string(
        Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/transfer_fee.csv"),
    )
    .unwrap();
    let cad = tmp.path().join("transfer_fee_cad.csv");
    std::fs::write(&cad, usd.replace("USD", "CAD")).unwrap();
    ok(run(data, &["import", cad.to_str().unwrap()]));
    let view: serde_json::Value = serde_json::from_str(&ok(run(data, &["transfers", "--json"]))).unwrap();
    let p = &view["proposals"][0];
    ok(run(data, &["transfers", "confirm", &p["out_tx"]["id"].to_string(), &p["in_tx"]["id"].to_string()]));
    let ca = |data: &Path| {
        let json: serde_json::Value =
            serde_json::from_str(&ok(run(data, &["report", "ca", "--year", "2024", "--json"]))).unwrap();
        (json["unknown_rows"].as_u64().unwrap(), json["rows"].as_array().unwrap().len())
    };
    // Default (disposal): the 0.001 BTC fee is a disposal of unknown value, listed as an unknown row.
    assert_eq!(ca(data), (1, 2));
    // Germany's setting does not change Canada's report.
    ok(run(data, &["settings", "transfer-fee", "de", "basis"]));
    assert_eq!(ca(data), (1, 2));
    // Canada's own does: no disposal, the coin that arrives keeps the whole 30,030 CAD.
    assert_eq!(
        ok(run(data, &["settings", "transfer-fee", "ca", "basis"])),
        "Own-transfer fees in ca reports: basis.\n"
    );
    assert_eq!(ca(data), (0, 1));
    let json: serde_json::Value =
        serde_json::from_str(&ok(run(data, &["report", "ca", "--year", "2024", "--json"]))).unwrap();
    assert_eq!(json["totals"]["acb"], serde_json::json!({"value": "30030.00", "code": "CAD"}));
    assert!(ok(run(data, &["settings"])).ends_with("transfer-fee de basis\ntransfer-fee ca basis\n"));
}

/// The beancount export, read back by an independent checker: every transaction balances per currency, no
/// reduction takes more of a lot than the account holds, what is left matches the holdings report, and the
/// capital-gains postings add up to the gains report (per account, as the export books).
#[test]
fn beancount_export_balances_and_matches_the_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let history =
        Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/beancount_history.csv");
    ok(run(data, &["import", history.to_str().unwrap()]));
    let view: serde_json::Value = serde_json::from_str(&ok(run(data, &["transfers", "--json"]))).unwrap();
    let p = &view["proposals"][0];
    ok(run(data, &["transfers", "confirm", &p["out_tx"]["id"].to_string(), &p["in_tx"]["id"].to_string()]));
    let text = ok(run(data, &["export", "--format", "beancount"]));
    assert!(text.contains("option \"operating_currency\" \"USD\""), "{text}");

    type Lots = HashMap<(String, String, String), Vec<(Decimal, Decimal)>>;
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    let mut lots: Lots = HashMap::new();
    let mut gains_total = Decimal::ZERO;
    let mut weights: HashMap<String, Decimal> = HashMap::new();
    let mut transactions = 0;
    let check = |weights: &mut HashMap<String, Decimal>| {
        for (c, w) in weights.drain() {
            assert!(w.abs() <= d("0.005"), "a transaction does not balance in {c}: {w}\n{text}");
        }
    };
    for line in text.lines() {
        if line.len() > 11 && line.as_bytes()[10] == b' ' && line[11..].starts_with('*') {
            check(&mut weights);
            transactions += 1;
            continue;
        }
        let Some(posting) = line.strip_prefix("  ").filter(|l| l.starts_with(|c: char| c.is_ascii_uppercase())) else {
            continue;
        };
        let (head, cost) = match posting.split_once(" {") {
            Some((h, c)) => (h, Some(c.trim_end_matches('}'))),
            None => (posting, None),
        };
        let parts: Vec<&str> = head.split_whitespace().collect();
        let (account, units, commodity) = (parts[0].to_string(), d(parts[1]), parts[2].to_string());
        match cost {
            None => {
                *weights.entry(commodity.clone()).or_default() += units;
                if account == "Income:Offramp:CapitalGains" {
                    gains_total -= units;
                }
            }
            Some(spec) => {
                let fields: Vec<&str> = spec.split(", ").collect();
                let label = fields.last().unwrap().trim_matches('"').to_string();
                let key = (account.clone(), commodity.clone(), label.clone());
                if fields.len() == 3 {
                    let (unit, cur) = fields[0].split_once(' ').unwrap();
                    *weights.entry(cur.to_string()).or_default() += units * d(unit);
                    lots.entry(key).or_default().push((units, d(unit)));
                } else {
                    // A reduction: FIFO among the positions with this label.
                    let mut left = -units;
                    let positions = lots.get_mut(&key).unwrap_or_else(|| panic!("no lot {label} in {account}\n{text}"));
                    while left > Decimal::ZERO {
                        assert!(!positions.is_empty(), "{account} sells more of {label} than it holds");
                        let take = positions[0].0.min(left);
                        *weights.entry("USD".into()).or_default() -= take * positions[0].1;
                        positions[0].0 -= take;
                        left -= take;
                        if positions[0].0.is_zero() {
                            positions.remove(0);
                        }
                    }
                }
            }
        }
    }
    check(&mut weights);
    assert_eq!(transactions, 9, "the in-leg of the confirmed transfer is part of its out-leg's entry");

    // What is left matches the holdings report (per account).
    let held = ok(run(data, &["report", "holdings", "--at", "2024-12-31", "--pooling", "per-account"]));
    let mut expected: HashMap<(String, String), Decimal> = HashMap::new();
    for row in held.lines().skip(1) {
        let f: Vec<&str> = row.split(',').collect();
        *expected.entry((format!("Assets:Offramp:{}", f[0].replace(' ', "-")), f[1].to_string())).or_default() +=
            d(f[4]);
    }
    let mut exported: HashMap<(String, String), Decimal> = HashMap::new();
    for ((account, commodity, _), positions) in &lots {
        let q: Decimal = positions.iter().map(|p| p.0).sum();
        if !q.is_zero() {
            *exported.entry((account.clone(), commodity.clone())).or_default() += q;
        }
    }
    assert_eq!(exported, expected);
    // Capital gains: the sum of the gains report's rows (per account, every row known).
    let gains = ok(run(data, &["report", "gains", "--year", "2024", "--pooling", "per-account"]));
    let report_total: Decimal = gains.lines().skip(1).map(|l| d(l.split(',').nth(6).unwrap())).sum();
    assert!((gains_total - report_total).abs() <= d("0.05"), "beancount {gains_total} vs report {report_total}");
    assert!(report_total > Decimal::ZERO);

    // An unknown cost is refused, named.
    let unknown = tmp.path().join("unknown.csv");
    std::fs::write(&unknown, "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n2024-08-01T00:00:00Z,deposit,Kraken,,,1,BTC\n").unwrap();
    ok(run(data, &["import", unknown.to_str().unwrap()]));
    let out = run(data, &["export", "--format", "beancount"]);
    assert!(
        stderr(&out).contains("needs every lot's cost") && stderr(&out).contains("unknown.csv:2"),
        "{}",
        stderr(&out)
    );
}

/// Canada: the adjusted cost base over all accounts, a superficial loss, the taxable half; income at fair value;
/// gains CSVs for every jurisdiction. 10 ETH for 1,000 (Newton) and 10 for 2,000 (Shakepay): ACB 150 each.
/// Selling 5 for 1,500: ACB 750, gain 750. Selling 10 for 1,000: ACB 1,500, loss 500; 5 bought back on 20 July
/// and 0.1 received as staking on 1 August are held at the end of the 30 days: 5.1 of the 10 units are
/// substituted, so 5.1/10 of the loss (255) is denied and added to the ACB of the units kept.
#[test]
fn canada_income_and_gains_in_every_jurisdiction() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let history = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden/ca_history.csv");
    ok(run(data, &["import", history.to_str().unwrap()]));
    let text = ok(run(data, &["report", "ca", "--year", "2024"]));
    assert!(
        text.contains("2024-07-10 10 ETH: proceeds 1000.00, ACB 1500.00, gain -245.00; superficial loss denied 255.00"),
        "{text}"
    );
    assert!(text.contains("Schedule 3: proceeds 2500.00 CAD, adjusted cost base 2250.00 CAD, gains 750.00 CAD, losses 245.00 CAD, net 505.00 CAD"), "{text}");
    assert!(text.contains("Taxable capital gain (50 % inclusion): 252.50 CAD"), "{text}");
    let csv = ok(run(data, &["report", "gains", "--year", "2024", "--jurisdiction", "ca"]));
    assert_eq!(csv.lines().nth(2), Some("2024-07-10,ETH,10,1000.00,1500.00,-245.00,255.00,4,ca_history.csv:5,"));
    let income = ok(run(data, &["report", "income", "--year", "2024", "--jurisdiction", "ca"]));
    assert!(
        income.contains("2024-08-01,Newton,staking,ETH,0.1,300.00,ca_history.csv:7,")
            && income.contains("Total: 300.00 CAD"),
        "{income}"
    );
    // In another jurisdiction's currency the values are converted at that jurisdiction's official rate (ECB of the
    // day for Germany, HMRC's month for the UK), and each row says which.
    let income = ok(run(data, &["report", "income", "--year", "2024", "--jurisdiction", "de"]));
    assert!(!income.contains("UNKNOWN") && income.contains("ECB reference rate 2024-08-01: "), "{income}");
    for (j, rate) in [("uk", "HMRC monthly rate 2024-"), ("de", "ECB reference rate 2024-")] {
        let csv = ok(run(data, &["report", "gains", "--year", "2024", "--jurisdiction", j]));
        assert!(csv.lines().skip(1).all(|l| l.contains(rate) && l.contains(" CAD per ")), "CAD history in {j}\n{csv}");
    }
    let bad = run(data, &["report", "gains", "--year", "2024", "--jurisdiction", "fr"]);
    assert!(
        stderr(&bad).starts_with("error[INVALID_INPUT]: jurisdiction: `fr` (us, uk, de or ca)"),
        "{}",
        stderr(&bad)
    );
}

/// `import --check` says what each file holds, or the error that would stop it, and writes nothing;
/// `attention` counts what needs the user before a report can be trusted; `tx list --needs-price`.
#[test]
fn files_are_checked_and_attention_counted_through_the_cli() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    let head = "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n";
    let good = tmp.path().join("good.csv");
    std::fs::write(
        &good,
        format!("{head}2024-01-01T00:00:00Z,buy,A,100,USD,0.01,BTC\n2024-01-02T00:00:00Z,staking,A,,,1,ETH\n"),
    )
    .unwrap();
    let bad = tmp.path().join("bad.csv");
    std::fs::write(&bad, format!("{head}2024-01-01T00:00:00Z,buy,A,1e3,USD,0.01,BTC\n")).unwrap();
    assert_eq!(
        ok(run(&data, &["import", "--check", good.to_str().unwrap()])),
        format!("{}: generic-v1, 2 transactions\n", good.display())
    );
    let out = run(&data, &["import", "--check", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("bad.csv: error[IMPORT_INVALID]") && text.contains("line 2"), "{text}");
    assert!(stderr(&out).starts_with("error[IMPORT_INVALID]"));
    assert_eq!(count(&data), 0, "checking writes nothing");
    ok(run(&data, &["import", good.to_str().unwrap()]));
    let attention = ok(run(&data, &["attention"]));
    assert!(
        attention.starts_with(
            "2 transactions: 1 need a price, 0 arrived with no known cost, 0 own transfers to confirm or reject, 0 \
             withdrawals with no counterpart.\n"
        ),
        "{attention}"
    );
    // Each item with the action that resolves it.
    let items: Vec<&str> = attention.lines().skip(1).collect();
    assert_eq!(items.len(), 1, "{attention}");
    assert!(items[0].starts_with("- needs_price #") && items[0].contains("`offramp prices set "), "{attention}");
    assert_eq!(ok(run(&data, &["balances"])), "account\tasset\tbalance\nA\tBTC\t0.01\nA\tETH\t1\nA\tUSD\t-100\n");
    let listed = ok(run(&data, &["tx", "list", "--needs-price", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert_eq!(v["rows"].as_array().unwrap().len(), 1);
    assert_eq!(v["rows"][0]["kind"], "staking");
}

/// A UK, German or Canadian gains report matches lots by its own rules: a US method or pooling is refused, not
/// silently ignored.
#[test]
fn gains_outside_the_us_refuse_us_matching_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let out = run(data, &["report", "gains", "--year", "2024", "--jurisdiction", "uk", "--method", "hifo"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error[INVALID_INPUT]: method: --method and --pooling choose how US lots are matched"),
        "{}",
        stderr(&out)
    );
    let out = run(data, &["report", "gains", "--year", "2024", "--jurisdiction", "de", "--pooling", "per-account"]);
    assert!(stderr(&out).starts_with("error[INVALID_INPUT]: pooling: "), "{}", stderr(&out));
    ok(run(data, &["report", "gains", "--year", "2024", "--jurisdiction", "uk"]));
    ok(run(data, &["report", "gains", "--year", "2024", "--method", "hifo"]));
}

/// `--out` never replaces a file unless asked: `--force` replaces it whole (temporary file, then rename, 0600).
#[test]
fn out_replaces_an_existing_file_only_with_force() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let file = tmp.path().join("gains.csv");
    std::fs::write(&file, "old\n").unwrap();
    let out = run(data, &["report", "gains", "--year", "2024", "--out", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists; choose a new file (or replace it: --force)"), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "old\n", "untouched");
    ok(run(data, &["report", "gains", "--year", "2024", "--out", file.to_str().unwrap(), "--force"]));
    let body = std::fs::read_to_string(&file).unwrap();
    assert!(body.starts_with("Description") || body.contains(','), "{body}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
}

/// UK income follows the UK tax year: `--year 2024` is 6 April 2024 to 5 April 2025.
#[test]
fn uk_income_is_per_tax_year() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let history = tmp.path().join("staking.csv");
    std::fs::write(
        &history,
        "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency\n\
         2024-04-05T12:00:00Z,staking,Kraken,,,0.1,ETH,,,200,GBP\n\
         2024-04-06T12:00:00Z,staking,Kraken,,,0.2,ETH,,,400,GBP\n\
         2025-04-05T12:00:00Z,staking,Kraken,,,0.3,ETH,,,600,GBP\n\
         2025-04-06T12:00:00Z,staking,Kraken,,,0.4,ETH,,,800,GBP\n",
    )
    .unwrap();
    ok(run(data, &["import", history.to_str().unwrap()]));
    let income = ok(run(data, &["report", "income", "--year", "2024", "--jurisdiction", "uk"]));
    assert!(income.contains("Total: 1000.00 GBP"), "6 April 2024 and 5 April 2025, not January-December\n{income}");
    assert!(
        income.contains("2024-04-06") && income.contains("2025-04-05") && !income.contains("2024-04-05,"),
        "{income}"
    );
}

/// SA108 by HMRC's definitions: disposal proceeds are the total received, allowable costs include the incidental
/// costs of disposal. Bought 1 BTC for 20,000 + 10 fee; sold it for 30,000 with a 50 fee: proceeds 30,000,
/// allowable costs 20,060 (of which 50 incidental), gain 9,940 (the same as the net figures give).
#[test]
fn sa108_boxes_follow_hmrc_definitions() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let history = tmp.path().join("uk.csv");
    std::fs::write(
        &history,
        "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency\n\
         2024-05-01T12:00:00Z,buy,Kraken,20000,GBP,1,BTC,10,GBP,,\n\
         2024-09-01T12:00:00Z,sell,Kraken,1,BTC,30000,GBP,50,GBP,,\n",
    )
    .unwrap();
    ok(run(data, &["import", history.to_str().unwrap()]));
    let text = ok(run(data, &["report", "uk", "--year", "2024"]));
    assert!(
        text.contains(
            "SA108 cryptoassets: disposals 1; proceeds 30000.00 GBP; allowable costs 20060.00 GBP (of which 50.00 GBP \
             incidental costs of disposal); gains 9940.00 GBP; losses 0.00 GBP"
        ),
        "{text}"
    );
}

/// Many proposed own transfers confirmed at once, in one transaction: a dry run lists them and changes nothing;
/// `--within` selects by delay; then every one.
#[test]
fn own_transfers_confirmed_all_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let history = tmp.path().join("moves.csv");
    std::fs::write(
        &history,
        "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency\n\
         2024-01-01T00:00:00Z,buy,Kraken,60000,USD,2,BTC,,,,\n\
         2024-02-01T12:00:00Z,transfer_out,Kraken,0.5,BTC,,,0.0001,BTC,,\n\
         2024-02-01T12:20:00Z,transfer_in,Ledger Nano,,,0.5,BTC,,,,\n\
         2024-03-01T12:00:00Z,transfer_out,Kraken,0.7,BTC,,,0.0001,BTC,,\n\
         2024-03-01T15:00:00Z,transfer_in,Ledger Nano,,,0.7,BTC,,,,\n",
    )
    .unwrap();
    ok(run(data, &["import", history.to_str().unwrap()]));
    let dry = ok(run(data, &["transfers", "confirm-all", "--dry-run"]));
    assert!(dry.contains("Would confirm 2 own transfer(s); nothing changed."), "{dry}");
    assert!(ok(run(data, &["transfers"])).contains("0.7"), "still proposed");
    let within = ok(run(data, &["transfers", "confirm-all", "--within", "60"]));
    assert!(within.contains("Confirmed 1 own transfer(s).") && within.contains("20 min apart"), "{within}");
    let rest = ok(run(data, &["transfers", "confirm-all"]));
    assert!(rest.contains("Confirmed 1 own transfer(s).") && rest.contains("180 min apart"), "{rest}");
    assert!(ok(run(data, &["transfers", "confirm-all"])).contains("Confirmed 0 own transfer(s)."));
    let bad = run(data, &["transfers", "confirm-all", "--within", "-5"]);
    assert!(
        stderr(&bad).contains("within: minutes cannot be negative") || bad.status.code() == Some(2),
        "{}",
        stderr(&bad)
    );
}

/// A UK report of a USD history converts every amount at HMRC's monthly rate for its month (figures worked by
/// hand from HMRC's published tables: May 2024 1.2457 USD per GBP, August 2024 1.3033), says which rate on each
/// row, and says why a month with no HMRC rate (before the bundled series, which starts in February 2014) is
/// unknown rather than guessing.
#[test]
fn uk_report_of_a_usd_history_converts_at_hmrc_monthly_rates() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let file = data.join("usd.csv");
    std::fs::write(
        &file,
        "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency,external_id,note\n\
         2013-05-02T12:00:00Z,buy,Coinbase,100,USD,1,LTC,,,,,,\n\
         2013-06-02T12:00:00Z,sell,Coinbase,1,LTC,120,USD,,,,,,\n\
         2024-05-10T12:00:00Z,buy,Coinbase,50000,USD,1,BTC,50,USD,,,,\n\
         2024-08-01T12:00:00Z,sell,Coinbase,0.5,BTC,30000,USD,30,USD,,,,\n",
    )
    .unwrap();
    ok(run(data, &["import", file.to_str().unwrap()]));
    let text = ok(run(data, &["report", "uk", "--year", "2024"]));
    // Cost: 0.5 × (50000 + 50) / 1.2457 = 20089.1065…; proceeds (30000 − 30) / 1.3033 = 22995.4730…
    assert!(text.contains("2024-08-01 BTC: disposed of 0.5 for 22995.47; allowable cost 20089.11"), "{text}");
    assert!(text.contains("gain 2906.37"), "{text}");
    assert!(text.contains("converted at 4: HMRC monthly rate 2024-08: 1.3033 USD per GBP"), "{text}");
    // SA108: proceeds before the fee (30000 / 1.3033), the fee (30 / 1.3033 = 23.02) among the allowable costs.
    assert!(
        text.contains("proceeds 23018.49 GBP; allowable costs 20112.13 GBP (of which 23.02 GBP incidental"),
        "{text}"
    );
    assert!(!text.contains("WARNING"), "{text}");
    let csv = ok(run(data, &["report", "gains", "--year", "2024", "--jurisdiction", "uk"]));
    assert!(csv.lines().next().unwrap().ends_with(",sources,exchange_rates"), "{csv}");
    assert!(csv.contains("4: HMRC monthly rate 2024-08: 1.3033 USD per GBP"), "{csv}");
    // 2013: HMRC's monthly rates are not bundled that far back: unknown, with the cause.
    let old = ok(run(data, &["report", "uk", "--year", "2013"]));
    assert!(old.contains("WARNING: 1 disposal(s) have unknown proceeds or costs"), "{old}");
    assert!(old.contains("Their trades are in USD, for months with no HMRC monthly exchange rate known"), "{old}");
    assert!(old.contains("cost UNKNOWN, proceeds UNKNOWN, gain UNKNOWN"), "{old}");
}

/// `offramp rates refresh` fetches what each publisher published after the last rate known (here from a local
/// server replaying their documented answers: HMRC's monthly XML, the ECB data API's CSV, the Bank of Canada's
/// Valet JSON), keeps it in the ledger, and reports use it at once: a December 2026 sale in USD, unknown in a UK
/// report while HMRC's December rate is not known, is converted at it afterwards; the Canada report converts at
/// the Bank of Canada's daily rates. Offline, nothing changes and each publisher says so.
#[test]
fn rates_refresh_fills_the_months_and_days_the_bundle_lacks() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let file = data.join("usd.csv");
    std::fs::write(
        &file,
        "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency,external_id,note\n\
         2026-11-20T12:00:00Z,buy,Coinbase,90000,USD,1,BTC,,,,,,\n\
         2026-12-02T12:00:00Z,sell,Coinbase,0.5,BTC,50000,USD,,,,,,\n",
    )
    .unwrap();
    ok(run(data, &["import", file.to_str().unwrap()]));
    let before = ok(run(data, &["report", "uk", "--year", "2026"]));
    assert!(before.contains("disposed of 0.5 for UNKNOWN"), "{before}");
    let ca = ok(run(data, &["report", "ca", "--year", "2026"]));
    assert!(ca.contains("proceeds UNKNOWN"), "{ca}");

    // `rates` says which rates the ledger needs and lacks.
    let status = ok(run(data, &["rates"]));
    assert!(
        status.contains("Canada: Bank of Canada daily exchange rates for USD on 2 day(s) (2026-11-20, 2026-12-02)"),
        "{status}"
    );
    assert!(
        status.contains("the United Kingdom: HMRC monthly exchange rates for USD on 1 month(s) (2026-12)"),
        "{status}"
    );
    // Offline: each publisher says so, nothing changes.
    let offline = Command::new(common::offramp_bin())
        .args(["rates", "refresh"])
        .env("OFFRAMP_DATA_DIR", data)
        .env("OFFRAMP_PASSPHRASE", common::PASS)
        .env("OFFRAMP_MARKET_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let text = ok(offline);
    assert_eq!(
        text.matches("not fetched (offline (cannot reach the publisher)); nothing changed").count(),
        3,
        "{text}"
    );

    let hmrc =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<exchangeRateMonthList Period=\"01/Dec/2026 to 31/Dec/2026\">\n\
        <exchangeRate><countryName>USA</countryName><countryCode>US</countryCode><currencyName>Dollar</currencyName>\
        <currencyCode>USD</currencyCode><rateNew>1.3400</rateNew></exchangeRate>\n</exchangeRateMonthList>\n";
    let ecb = "KEY,FREQ,CURRENCY,CURRENCY_DENOM,EXR_TYPE,EXR_SUFFIX,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n\
        EXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2026-11-02,1.1150,A\n\
        EXR.D.USD.EUR.SP00.A,D,USD,EUR,SP00,A,2026-12-02,1.1200,A\n";
    let boc = r#"{"observations":[{"d":"2026-11-20","FXUSDCAD":{"v":"1.3950"}},{"d":"2026-12-02","FXUSDCAD":{"v":"1.4012"}}]}"#;
    let url = offramp_market::replay::serve_routes(vec![
        ("/api/v2/exchange_rates/files/monthly_xml_2026-12.xml".into(), hmrc.into()),
        ("/service/data/EXR/".into(), ecb.into()),
        ("/valet/observations/".into(), boc.into()),
    ])
    .unwrap();
    let refresh = |args: &[&str]| {
        Command::new(common::offramp_bin())
            .args(args)
            .env("OFFRAMP_DATA_DIR", data)
            .env("OFFRAMP_PASSPHRASE", common::PASS)
            .env("OFFRAMP_MARKET_URL", &url)
            .output()
            .unwrap()
    };
    let text = ok(refresh(&["rates", "refresh"]));
    assert!(text.contains("HMRC monthly exchange rates 2026-12-01 to "), "{text}");
    assert!(text.contains(": 1 new, 0 corrected"), "{text}");
    assert!(
        text.contains("ECB euro reference rates 2026-10-31 to ") && text.contains(": 2 new, 0 corrected"),
        "{text}"
    );
    assert!(text.contains("Bank of Canada daily exchange rates 2026-11-20 to "), "{text}");
    // Again: nothing new.
    let again = ok(refresh(&["rates", "refresh", "--source", "hmrc,boc"]));
    assert!(!again.contains(" new, ") || again.matches(": 0 new, 0 corrected").count() == 2, "{again}");
    let status = ok(run(data, &["rates"]));
    assert!(
        status.contains("HMRC monthly exchange rates (against GBP): 30 currencies, 2014-02 to 2026-12; 1 fetched"),
        "{status}"
    );
    assert!(
        status.contains(
            "Bank of Canada daily exchange rates (against CAD): 1 currencies, 2026-11-20 to 2026-12-02; 2 fetched"
        ),
        "{status}"
    );
    assert!(
        !status.contains("Canada: Bank of Canada daily exchange rates for")
            && !status.contains("Kingdom: HMRC monthly exchange rates for"),
        "{status}"
    );

    // UK: proceeds 50000 / 1.3400 = 37313.43; cost 0.5 × 90000 / 1.3396 (HMRC's bundled November rate) = 33592.12.
    let uk = ok(run(data, &["report", "uk", "--year", "2026"]));
    assert!(uk.contains("disposed of 0.5 for 37313.43; allowable cost 33592.12"), "{uk}");
    assert!(uk.contains("converted at 2: HMRC monthly rate 2026-12: 1.34 USD per GBP"), "{uk}");
    // Canada: proceeds 50000 × 1.4012 = 70060.00; ACB 0.5 × 90000 × 1.3950 = 62775.00.
    let ca = ok(run(data, &["report", "ca", "--year", "2026"]));
    assert!(ca.contains("proceeds 70060.00, ACB 62775.00, gain 7285.00"), "{ca}");
    let bad = refresh(&["rates", "refresh", "--source", "fed"]);
    assert!(stderr(&bad).contains("source: `fed` (hmrc, ecb or boc)"), "{}", stderr(&bad));
}

/// `offramp prices fill` gives the transactions that need a price the daily close of their asset (from a local
/// server replaying the exchanges' documented candle answers), asking the sources in order, each price an edit
/// naming its source; an asset no source has stays unknown; `--dry-run` changes nothing; `prices set` sets one by
/// hand; reports read the filled values and name the edit as their source.
#[test]
fn prices_fill_from_daily_candles_and_set_by_hand() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path();
    ok(run(data, &["init"]));
    let file = data.join("income.csv");
    std::fs::write(
        &file,
        "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency,external_id,note\n\
         2024-03-05T09:00:00Z,staking,Kraken,,,0.5,ETH,,,,,,\n\
         2024-03-06T10:00:00Z,trade,Kraken,0.1,BTC,2,ETH,,,,,,\n\
         2024-03-07T11:00:00Z,airdrop,Kraken,,,100,FOO,,,,,,\n\
         2024-03-08T12:00:00Z,staking,Kraken,,,0.1,ETH,,,,,,\n",
    )
    .unwrap();
    ok(run(data, &["import", file.to_str().unwrap()]));
    assert!(ok(run(data, &["attention"])).contains("4 need a price"));
    let kraken = r#"{"error":[],"result":{"XETHZUSD":[[1709596800,"3400","3550","3380","3500.5","3450","100",10],[1709683200,"3500","3650","3480","3600","3550","100",10]],"last":1709683200}}"#;
    let coinbase = "[[1709856000,3650.1,3750.2,3660.3,3700.0,99.5]]";
    let url = offramp_market::replay::serve_routes(vec![
        ("/0/public/OHLC?pair=ETHUSD".into(), kraken.into()),
        ("/products/ETH-USD/candles".into(), coinbase.into()),
    ])
    .unwrap();
    let with_market = |args: &[&str], market: &str| {
        Command::new(common::offramp_bin())
            .args(args)
            .env("OFFRAMP_DATA_DIR", data)
            .env("OFFRAMP_PASSPHRASE", common::PASS)
            .env("OFFRAMP_MARKET_URL", market)
            .output()
            .unwrap()
    };
    // Offline: every source says so, nothing is filled.
    let offline = ok(with_market(&["prices", "fill"], "http://127.0.0.1:9"));
    assert!(offline.starts_with("Filled 0 of 4 transaction(s) that need a price (USD)."), "{offline}");
    assert!(offline.contains("Kraken ETH/USD: kraken: offline"), "{offline}");
    let dry = ok(with_market(&["prices", "fill", "--dry-run"], &url));
    assert!(dry.starts_with("Would fill 3 of 4"), "{dry}");
    assert!(ok(run(data, &["attention"])).contains("4 need a price"), "a dry run changes nothing");
    let text = ok(with_market(&["prices", "fill"], &url));
    assert!(text.starts_with("Filled 3 of 4 transaction(s) that need a price (USD)."), "{text}");
    assert!(text.contains("#1 2024-03-05 ETH: 3500.5 USD per ETH from Kraken daily candle 2024-03-05 (UTC), close 3500.5 USD -> value 1750.25 USD"), "{text}");
    assert!(
        text.contains("#2 2024-03-06 ETH: 3600 USD per ETH from Kraken") && text.contains("value 7200 USD"),
        "{text}"
    );
    assert!(text.contains("#4 2024-03-08 ETH: 3700.0 USD per ETH from Coinbase Exchange daily candle"), "{text}");
    assert!(text.contains("#3: no source has a daily close of FOO in USD on 2024-03-07"), "{text}");
    assert!(ok(run(data, &["attention"])).contains("1 need a price"));
    let history = ok(run(data, &["tx", "history", "1"]));
    assert!(history.contains("price from Kraken daily candle 2024-03-05 (UTC), close 3500.5 USD"), "{history}");
    // The income report reads the filled values, sourced from the edits.
    let income = ok(run(data, &["report", "income", "--year", "2024"]));
    assert!(income.contains(",staking,ETH,0.5,1750.25,edit:1,"), "{income}");
    // Again: nothing left that a source has.
    assert!(ok(with_market(&["prices", "fill"], &url)).starts_with("Filled 0 of 1"));
    // By hand: 0.012 USD a FOO.
    let set = ok(run(data, &["prices", "set", "3", "0.012 USD", "--reason", "CoinGecko close"]));
    assert!(set.contains("replaced transaction 3 with transaction") && set.contains("price from you"), "{set}");
    assert!(ok(run(data, &["attention"])).contains("0 need a price"));
    let income = ok(run(data, &["report", "income", "--year", "2024"]));
    assert!(income.contains(",airdrop,FOO,100,1.20,edit:"), "{income}");
    let bad = run(data, &["prices", "set", "5", "0 USD"]);
    assert!(stderr(&bad).contains("error[INVALID_INPUT]"), "{}", stderr(&bad));
}
