//! The data-loss and panic defects of issue 11, tried as a user (and an attacker) would, through the real CLI:
//! two processes at once, a full disk, hostile figures, dust sales, the modes of every file written.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::*;

const PASS: &str = "a long test passphrase";

fn cmd(data: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(offramp_bin());
    c.args(args).env("OFFRAMP_DATA_DIR", data).env("OFFRAMP_PASSPHRASE", PASS);
    c
}

fn run(data: &Path, args: &[&str]) -> Output {
    cmd(data, args).output().unwrap()
}

fn ok(out: Output) -> String {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    stdout(&out)
}

/// Exit 0 or a coded refusal (1 with `error[CODE]`), never a panic (101) or a signal.
fn no_crash(what: &str, out: &Output) {
    match out.status.code() {
        Some(0) => {}
        Some(1) => assert!(stderr(out).starts_with("error["), "{what}: {}", stderr(out)),
        other => panic!("{what}: exit {other:?}: {}", stderr(out)),
    }
}

const HEADER: &str = "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency,external_id,note";

fn csv(dir: &Path, name: &str, rows: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, format!("{HEADER}\n{rows}")).unwrap();
    p
}

fn buys(dir: &Path, name: &str, account: &str, n: usize) -> PathBuf {
    let rows: String = (0..n)
        .map(|i| {
            format!(
                "2020-01-{:02}T{:02}:{:02}:00Z,buy,{account},10.{:02},USD,0.001,BTC,,,,,,\n",
                1 + i / 1440 % 28,
                i / 60 % 24,
                i % 60,
                i % 100
            )
        })
        .collect();
    csv(dir, name, &rows)
}

fn accounts(data: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(run(data, &["accounts", "--json"]))).unwrap()
}

fn count(data: &Path, account: &str) -> u64 {
    accounts(data)
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == account)
        .map(|a| a["transactions"].as_u64().unwrap())
        .unwrap_or(0)
}

/// Issue 11.1: `offramp import A & offramp import B &` on one ledger, A on the bulk path: both land completely
/// (or one is refused as busy), never "Added 50" for rows the ledger does not keep.
#[test]
fn two_imports_in_two_processes_both_land() {
    let tmp = tempfile::tempdir().unwrap();
    let a = buys(tmp.path(), "a.csv", "A", 12_000);
    let b = buys(tmp.path(), "b.csv", "B", 50);
    for round in 0..4 {
        let data = tmp.path().join(format!("d{round}"));
        ok(run(&data, &["init"]));
        let spawn = |f: &Path| {
            cmd(&data, &["import", f.to_str().unwrap()]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
        };
        let (pa, pb) = (spawn(&a), spawn(&b));
        let (oa, ob) = (pa.wait_with_output().unwrap(), pb.wait_with_output().unwrap());
        for (out, account, rows) in [(oa, "A", 12_000), (ob, "B", 50)] {
            match out.status.code() {
                Some(0) => assert_eq!(count(&data, account), rows, "round {round}: {}", stdout(&out)),
                Some(1) => {
                    assert!(stderr(&out).starts_with("error[LEDGER_BUSY]"), "{}", stderr(&out));
                    assert_eq!(count(&data, account), 0);
                }
                other => panic!("round {round}: exit {other:?}: {}", stderr(&out)),
            }
        }
    }
}

/// Issue 11.3/11.14: a backup onto a full disk fails and leaves no file under its name (a retry works); a backup
/// and every file the app writes are 0600 in a 0700 folder.
#[cfg(unix)]
#[test]
fn a_full_disk_leaves_no_half_backup_and_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    ok(run(&data, &["import", buys(tmp.path(), "h.csv", "A", 3000).to_str().unwrap()]));
    let dest = tmp.path().join("b.offramp");
    // A file-size limit of 64 KiB stands in for a full disk: writes past it fail (the signal is ignored).
    let full = Command::new("sh")
        .arg("-c")
        .arg(format!("trap '' XFSZ; ulimit -f 64; exec \"$0\" backup {}", dest.display()))
        .arg(offramp_bin())
        .env("OFFRAMP_DATA_DIR", &data)
        .env("OFFRAMP_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert_eq!(full.status.code(), Some(1), "{}", stderr(&full));
    assert!(stderr(&full).starts_with("error[IO]"), "{}", stderr(&full));
    assert!(!dest.exists(), "no half backup under the name");
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    ok(run(&data, &["backup", dest.to_str().unwrap()]));
    let report = tmp.path().join("gains.csv");
    ok(run(&data, &["report", "gains", "--year", "2020", "--out", report.to_str().unwrap()]));
    let export = tmp.path().join("all.csv");
    ok(run(&data, &["export", "--out", export.to_str().unwrap()]));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    for f in [data.join("ledger.offramp"), data.join("ledger.offramp.lock"), dest.clone(), report, export] {
        assert_eq!(mode(&f), 0o600, "{}", f.display());
    }
    assert_eq!(mode(&data), 0o700);
    // The restore keeps the replaced ledger private too.
    let out = ok(run(&data, &["restore", dest.to_str().unwrap()]));
    assert!(out.contains("3000 transactions"), "{out}");
    let replaced = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains(".replaced-"))
        .unwrap();
    assert_eq!(mode(&replaced), 0o600);
}

/// Issue 11.4: when the disk refuses writes, every command says so (IO), never "wrong passphrase".
#[cfg(unix)]
#[test]
fn a_refusing_disk_is_not_a_wrong_passphrase() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    // A 16 KiB file-size limit: the ledger opens, but its WAL index (32 KiB) cannot be made.
    let out = Command::new("sh")
        .arg("-c")
        .arg("trap '' XFSZ; ulimit -f 16; exec \"$0\" accounts")
        .arg(offramp_bin())
        .env("OFFRAMP_DATA_DIR", &data)
        .env("OFFRAMP_PASSPHRASE", PASS)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!stderr(&out).contains("WRONG_KEY"), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("error[IO]"), "{}", stderr(&out));
    // The right passphrase still opens it once the disk is fine, and a wrong one is still a wrong key.
    ok(run(&data, &["accounts"]));
    let wrong = cmd(&data, &["accounts"]).env("OFFRAMP_PASSPHRASE", "wrong").output().unwrap();
    assert!(stderr(&wrong).starts_with("error[WRONG_KEY]"), "{}", stderr(&wrong));
}

/// Issue 11.3: restoring an unfinished, empty or foreign backup is refused and the ledger keeps every row.
#[test]
fn unfinished_or_empty_backups_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    ok(run(&data, &["import", buys(tmp.path(), "h.csv", "A", 500).to_str().unwrap()]));
    let good = tmp.path().join("good.offramp");
    ok(run(&data, &["backup", good.to_str().unwrap()]));
    let bytes = std::fs::read(&good).unwrap();
    let half = tmp.path().join("half.offramp");
    std::fs::write(&half, &bytes[..bytes.len() / 2]).unwrap();
    let empty = tmp.path().join("empty.offramp");
    std::fs::write(&empty, b"").unwrap();
    for f in [&half, &empty] {
        let out = run(&data, &["restore", f.to_str().unwrap()]);
        assert!(stderr(&out).starts_with("error[BACKUP_INVALID]"), "{}", stderr(&out));
        assert_eq!(count(&data, "A"), 500);
    }
    let check = ok(run(&data, &["restore", "--check", good.to_str().unwrap()]));
    assert!(check.contains("500 transactions in 1 accounts, the last on 2020-01-01"), "{check}");
    assert_eq!(std::fs::read(&good).unwrap(), bytes, "checking a backup does not change it");
}

/// Issue 11.9-11.12: absurd figures are refusals naming the figure; extreme stored rows go through every report;
/// a dust sale whose fee exceeds its proceeds is reported with zero proceeds and the excess as cost.
#[test]
fn extreme_figures_never_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    for args in [
        &[
            "quote",
            "--sell",
            "1000000000000",
            "BTC",
            "--to",
            "USD",
            "--price",
            "1000000000000",
            "--volatility",
            "1",
            "--daily-volume",
            "0.0001",
        ][..],
        &[
            "plan",
            "--sell",
            "1000000000000",
            "BTC",
            "--to",
            "USD",
            "--price",
            "1000000000000",
            "--volatility",
            "1",
            "--daily-volume",
            "0.0001",
        ],
        &[
            "quote",
            "--sell",
            "10",
            "BTC",
            "--to",
            "USD",
            "--price",
            "65000",
            "--volatility",
            "1000000000000",
            "--daily-volume",
            "0.0000000000000000000000000001",
        ],
        &[
            "plan",
            "--sell",
            "10",
            "BTC",
            "--to",
            "USD",
            "--price",
            "65000",
            "--volatility",
            "1000000000000",
            "--daily-volume",
            "0.0000000000000000000000000001",
        ],
    ] {
        let out = run(&data, args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).starts_with("error[INVALID_INPUT]"), "{args:?}: {}", stderr(&out));
    }
    ok(run(&data, &["init"]));
    let rows = "2024-01-01T00:00:00Z,buy,A,1000000000000000000,USD,0.0000000000000000000000000001,BTC,,,,,,\n\
                2024-01-02T00:00:00Z,buy,A,100,USD,1,BTC,,,,,,\n\
                2024-02-01T00:00:00Z,sell,A,0.5,BTC,30000,USD,,,,,,\n\
                2024-03-01T00:00:00Z,sell,A,0.0001,BTC,0.02,USD,0.10,USD,,,,dust\n";
    ok(run(&data, &["import", csv(tmp.path(), "extreme.csv", rows).to_str().unwrap()]));
    for args in [
        &["report", "gains", "--year", "2024", "--method", "hifo"][..],
        &["report", "gains", "--year", "2024", "--method", "lifo"],
        &["report", "8949", "--year", "2024"],
        &["report", "uk", "--year", "2023"],
        &["report", "de", "--year", "2024"],
        &["report", "ca", "--year", "2024"],
        &["report", "holdings", "--at", "2024-12-31", "--price", "BTC=1000000000000"],
        &["export", "--format", "beancount"],
        &["plan", "--sell", "0.1", "BTC", "--to", "USD", "--price", "65000", "--tax", "us"],
    ] {
        no_crash(&format!("{args:?}"), &run(&data, args));
    }
    // The dust sale: a row with zero proceeds, the 0.08 excess fee counted in its cost, and the report goes
    // through.
    let dust = tmp.path().join("dust");
    ok(run(&dust, &["init"]));
    let rows = "2024-01-02T00:00:00Z,buy,A,100,USD,1,BTC,,,,,,\n\
                2024-03-01T00:00:00Z,sell,A,0.0001,BTC,0.02,USD,0.10,USD,,,,dust\n";
    ok(run(&dust, &["import", csv(tmp.path(), "dust.csv", rows).to_str().unwrap()]));
    let gains = ok(run(&dust, &["report", "gains", "--year", "2024"]));
    let row = gains.lines().nth(1).unwrap();
    assert!(row.starts_with("2024-01-02,2024-03-01,BTC,0.0001,0.00,0.09,-0.09,short"), "{gains}");
    let dust_gb = tmp.path().join("dust-gb");
    ok(run(&dust_gb, &["init"]));
    ok(run(&dust_gb, &["import", csv(tmp.path(), "dust-gb.csv", &rows.replace("USD", "GBP")).to_str().unwrap()]));
    let uk = ok(run(&dust_gb, &["report", "uk", "--year", "2023"]));
    assert!(uk.contains("disposed of 0.0001 for 0.00; allowable cost 0.09"), "{uk}");
}
