//! Report benchmark (a bench binary): how long a tax report of a 1,000,000-row ledger takes, whole process and in a
//! desktop session. Run with `scripts/report-bench.sh` (builds the release CLI, then runs this).
//!
//! The history: the generic CSV of the benchmarks (5 busy accounts and a rare one, 3 assets, buys, sells, trades,
//! staking, withdrawals), one row every 210 seconds from 2019-01-01, so 1,000,000 rows reach August 2025.
//!
//! 1. Whole process (the release CLI, as a script runs it), wall time and peak RSS (`/usr/bin/time`): `init`,
//!    `import` of the file, opening (`tx list --limit 1`) of an empty and of the full ledger, then `report gains`
//!    (fifo, lifo, hifo), `report uk`, `report 8949`, `report holdings`. Targets: each report at most a third of
//!    the same run's import time, and under 400 MB peak.
//! 2. Opening the full ledger after the key derivation (whole-process open minus the empty ledger's): target
//!    under 0.3 s.
//! 3. In a session (the ledger already open, as in the desktop): the first report of a year (reads the history),
//!    then another method, another year, the UK report. Target: a preview under 0.5 s.
//!
//! `OFFRAMP_BENCH_ROWS` changes the row count; `OFFRAMP_BENCH_CLI` the binary (default: target/release/offramp).
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

#[path = "../crates/offramp-store/benches/common/history.rs"]
mod history;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use offramp_app::report::{Basis, Pooling};
use offramp_app::{no_progress, Config, Flavor, Session};
use offramp_core::lots::Method;
use offramp_core::Jurisdiction;

const PASSPHRASE: &str = "bench passphrase for the reports";
/// Whole-process peak memory target (MB).
const RSS_TARGET_MB: f64 = 400.0;

struct Run {
    wall: f64,
    peak_mb: f64,
}

/// Runs the CLI with `args` on `data`, timing it; peak RSS from `/usr/bin/time`.
fn whole(cli: &Path, data: &Path, args: &[&str]) -> Run {
    let rss = data.with_extension("rss");
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M", "-o"])
        .arg(&rss)
        .arg(cli)
        .args(args)
        .env("OFFRAMP_DATA_DIR", data)
        .env("OFFRAMP_PASSPHRASE", PASSPHRASE)
        .output()
        .expect("/usr/bin/time (Debian package `time`) runs");
    let wall = t.elapsed().as_secs_f64();
    assert!(out.status.success(), "offramp {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    let kb: f64 = std::fs::read_to_string(&rss).unwrap().lines().last().unwrap().trim().parse().unwrap();
    Run { wall, peak_mb: kb / 1024.0 }
}

/// The best (lowest wall) of `n` runs, with its peak.
fn best(n: usize, f: &mut dyn FnMut() -> Run) -> Run {
    (0..n).map(|_| f()).min_by(|a, b| a.wall.total_cmp(&b.wall)).unwrap()
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, f64) {
    let t = Instant::now();
    let v = f();
    (v, t.elapsed().as_secs_f64())
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list: there are no tests here.
    }
    let rows: usize = std::env::var("OFFRAMP_BENCH_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let cli = std::env::var_os("OFFRAMP_BENCH_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/offramp"));
    assert!(cli.is_file(), "{} is missing: run scripts/report-bench.sh (it builds the release CLI)", cli.display());
    let tmp = tempfile::tempdir().unwrap();
    // For profiling: OFFRAMP_BENCH_DATA=DIR keeps the ledger there and re-uses it; OFFRAMP_BENCH_PART=session
    // measures only the session (on that ledger).
    let keep = std::env::var_os("OFFRAMP_BENCH_DATA").map(PathBuf::from);
    let session_only = std::env::var("OFFRAMP_BENCH_PART").is_ok_and(|p| p == "session");
    let data = keep.clone().unwrap_or_else(|| tmp.path().join("data"));
    if !(session_only && data.join("ledger.offramp").is_file()) {
        let _ = std::fs::remove_dir_all(&data);
        cli_part(&cli, rows, tmp.path(), &data);
    }
    println!();
    println!("in a session (the ledger open, as in the desktop)");
    let config = Config::resolve(Flavor::Release, Some(data.clone()), None);
    let key = offramp_app::Key::Passphrase(PASSPHRASE.into());
    let (session, t) = timed(|| Session::open(&config, &key).unwrap());
    println!("{:<48} {t:>6.3} s", "open (key derivation + checks)");
    let basis = |m: Method| Basis { default: m, by_year: Default::default(), pooling: Pooling::Transition };
    // What the desktop's report screen asks for (the preview: totals and rows), and its export.
    let gains = |year: i32, m: Method| timed(|| session.us_gains(year, &basis(m), &mut no_progress()).unwrap()).1;
    let preview = |name: &str, t: f64| {
        println!("{name:<48} {t:>6.3} s   {}", if t < 0.5 { "met (< 0.5 s)" } else { "NOT MET (< 0.5 s)" });
    };
    preview("first preview: gains 2024 fifo (reads the ledger)", gains(2024, Method::Fifo));
    preview("switch the method: 2024 hifo", gains(2024, Method::Hifo));
    preview("switch the year: 2023 hifo", gains(2023, Method::Hifo));
    preview("back to 2024 fifo", gains(2024, Method::Fifo));
    preview("2024 lifo (a third method)", gains(2024, Method::Lifo));
    let t = timed(|| session.uk_gains(2024, &mut no_progress()).unwrap()).1;
    preview("report uk 2024", t);
    let t = timed(|| {
        session.gains_file(Jurisdiction::Us, 2024, &basis(Method::Lifo), &mut no_progress()).unwrap().body.len()
    })
    .1;
    println!("{:<48} {t:>6.3} s", "export the 2024 lifo gains CSV");
    let released = timed(|| session.release_cache()).1;
    println!("{:<48} {released:>6.3} s", "release the cache (idle window)");
    preview("preview 2024 fifo after the release", gains(2024, Method::Fifo));
}

fn cli_part(cli: &Path, rows: usize, dir: &Path, data: &Path) {
    let csv = dir.join("history.csv");
    // 1,000,000 rows x 210 s reach August 2025; fewer rows keep the same span.
    let step = (210 * 1_000_000 / rows.max(1) as i64).max(1);
    history::write_csv_from(&csv, rows, "2019-01-01T00:00:00Z", step, true);
    println!("history: {rows} rows from 2019-01-01, one every {step} s ({:.0} MB)", file_mb(&csv));

    let empty = dir.join("empty");
    let init = whole(cli, data, &["init"]);
    whole(cli, &empty, &["init"]);
    let import = whole(cli, data, &["import", csv.to_str().unwrap()]);
    println!("ledger file: {:.0} MB", file_mb(&data.join("ledger.offramp")));
    let third = import.wall / 3.0;
    println!();
    println!("whole process (release CLI), best of 3            wall      peak RSS   vs import/3   targets");
    let line = |name: &str, r: &Run, target: bool| {
        let ok = if !target {
            String::new()
        } else if r.wall <= third && r.peak_mb < RSS_TARGET_MB {
            "met".into()
        } else {
            format!("NOT MET (<= {third:.2} s, < {RSS_TARGET_MB:.0} MB)")
        };
        println!("{name:<48} {:>6.2} s {:>8.0} MB {:>10.2}x   {ok}", r.wall, r.peak_mb, r.wall / third);
    };
    line("init (key derivation, new ledger)", &init, false);
    line("import of the file", &import, false);
    let open_empty = best(3, &mut || whole(cli, &empty, &["tx", "list", "--limit", "1"]));
    let open_full = best(3, &mut || whole(cli, data, &["tx", "list", "--limit", "1"]));
    line("open an empty ledger (tx list --limit 1)", &open_empty, false);
    line("open the full ledger (tx list --limit 1)", &open_full, false);
    let out = dir.join("out");
    let o = out.to_str().unwrap();
    for method in ["fifo", "lifo", "hifo"] {
        let r = best(3, &mut || {
            whole(cli, data, &["report", "gains", "--year", "2024", "--method", method, "--out", o, "--force"])
        });
        line(&format!("report gains --year 2024 --method {method}"), &r, true);
    }
    let r = best(3, &mut || whole(cli, data, &["report", "uk", "--year", "2024"]));
    line("report uk --year 2024", &r, true);
    let r = best(3, &mut || whole(cli, data, &["report", "8949", "--year", "2024", "--out", o, "--force"]));
    line("report 8949 --year 2024", &r, true);
    let r = best(3, &mut || {
        whole(cli, data, &["report", "holdings", "--at", "2024-12-31", "--price", "BTC=60000", "--out", o, "--force"])
    });
    line("report holdings --at 2024-12-31", &r, true);
    let after_kdf = open_full.wall - open_empty.wall;
    println!(
        "opening the full ledger after the key derivation: {:.3} s (target < 0.3 s: {})",
        after_kdf,
        if after_kdf < 0.3 { "met" } else { "NOT MET" }
    );
}

fn file_mb(p: &Path) -> f64 {
    std::fs::metadata(p).map(|m| m.len() as f64 / 1e6).unwrap_or(0.0)
}
