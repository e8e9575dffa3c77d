//! Helpers shared by the acceptance tests.
#![allow(dead_code)]
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The workspace's build output folder for the profile these tests were built with (`target/debug`), found from
/// the test executable's own path (`target/debug/deps/<test>`), so a custom `CARGO_TARGET_DIR` works too.
pub fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps").to_path_buf()
}

/// The `offramp` CLI binary, built once per test run (cargo only builds a package's own binaries for its tests,
/// and the CLI lives in `crates/offramp-cli`).
pub fn offramp_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "--quiet", "-p", "offramp-cli", "--bin", "offramp"]);
        // Cargo gives a test process variables describing the test's own package; build scripts that watch such
        // variables (ring's does) would see them change and rebuild. Build as from a clean shell instead.
        for (k, _) in std::env::vars() {
            let test_only = [
                "CARGO_PKG_",
                "CARGO_CRATE_",
                "CARGO_MANIFEST_",
                "CARGO_BIN_",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
            ]
            .iter()
            .any(|p| k.starts_with(p));
            if test_only || k == "OUT_DIR" {
                cmd.env_remove(k);
            }
        }
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        let status = cmd.status().expect("run cargo build for the offramp CLI");
        assert!(status.success(), "building the offramp CLI failed");
        let bin = profile_dir().join(format!("offramp{}", std::env::consts::EXE_SUFFIX));
        assert!(bin.is_file(), "no CLI binary at {}", bin.display());
        bin
    })
    .clone()
}

/// Runs `offramp` with `args` in a clean environment (no `OFFRAMP_DATA_DIR` leaking in from the caller).
pub fn offramp(args: &[&str]) -> Output {
    Command::new(offramp_bin()).args(args).env_remove("OFFRAMP_DATA_DIR").output().expect("run offramp")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

/// The passphrase of the ledgers the acceptance tests create.
pub const PASS: &str = "a long test passphrase";

/// Runs `offramp` on the ledger in `data`, the passphrase given as scripts give it (`OFFRAMP_PASSPHRASE`).
pub fn run(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(offramp_bin())
        .args(args)
        .env("OFFRAMP_DATA_DIR", data)
        .env("OFFRAMP_PASSPHRASE", PASS)
        .output()
        .expect("run offramp")
}

/// What a command that must succeed printed on stdout (its stderr shown if it failed).
pub fn ok(out: Output) -> String {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    stdout(&out)
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 stderr")
}

/// Reads a golden file from `tests/golden/` and fills its `{PLACEHOLDER}`s.
pub fn golden(name: &str, vars: &[(&str, &str)]) -> String {
    let path = PathBuf::from(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/golden").join(name);
    let mut text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    for (k, v) in vars {
        text = text.replace(&format!("{{{k}}}"), v);
    }
    text
}

pub fn flavor_words() -> &'static str {
    if cfg!(debug_assertions) {
        "dev build"
    } else {
        "release build"
    }
}
