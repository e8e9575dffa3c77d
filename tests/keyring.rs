//! The second factor with the real system keyring: the Secret Service of gnome-keyring, in a D-Bus session of its
//! own. `scripts/keyring-test.sh` starts both and runs these (ignored otherwise: they need that session).
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

const PASS: &str = "a long test passphrase for the keyring";

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(offramp_bin())
        .args(args)
        .env("OFFRAMP_DATA_DIR", data)
        .env("OFFRAMP_PASSPHRASE", PASS)
        .output()
        .unwrap()
}

fn ok(out: Output) -> String {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    stdout(&out)
}

fn now() -> offramp_app::model::Timestamp {
    offramp_app::clock::system_now()
}

/// The code for the time step after `t`'s: valid now (one step of drift is allowed), and new.
fn code_after(secret: &str, t: offramp_app::model::Timestamp, steps: i64) -> String {
    let t = offramp_app::model::Timestamp::from_unix_micros(t.unix_micros() + steps * 30_000_000);
    offramp_app::twofa::code_at(secret, t).unwrap()
}

/// Waits for the next 30-second step to begin.
fn next_step() {
    let s = now().unix_micros() / 1_000_000;
    std::thread::sleep(std::time::Duration::from_millis(((30 - s % 30) * 1000 + 200) as u64));
}

fn keyring_items() -> String {
    let out = Command::new("secret-tool").args(["search", "--all", "service", "Offramp ledger second factor"]).output();
    out.map(|o| format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
        .unwrap_or_default()
}

#[test]
#[ignore = "needs a D-Bus session with gnome-keyring: scripts/keyring-test.sh"]
fn the_second_factor_with_the_real_keyring() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    ok(run(&data, &["init"]));
    let csv = tmp.path().join("h.csv");
    std::fs::write(&csv, "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n2024-01-01T00:00:00Z,buy,A,10,USD,0.001,BTC\n").unwrap();
    ok(run(&data, &["import", csv.to_str().unwrap()]));

    // Without a terminal, enable shows the QR code and its secret, and waits for the confirming code.
    let shown = ok(run(&data, &["2fa", "enable"]));
    assert!(shown.contains("otpauth://totp/Offramp:ledger?secret="), "{shown}");
    assert!(shown.contains('█') || shown.contains('▀'), "a QR code for the terminal: {shown}");
    let secret = shown.split("enter the secret ").nth(1).unwrap().split(')').next().unwrap().to_string();
    let bad = run(&data, &["2fa", "confirm", "--code", "000000"]);
    assert!(stderr(&bad).starts_with("error[WRONG_CODE]"), "{}", stderr(&bad));
    let t0 = now();
    let confirmed = ok(run(&data, &["2fa", "confirm", "--code", &code_after(&secret, t0, 0)]));
    let recovery: Vec<String> = confirmed
        .lines()
        .map(str::trim)
        .filter(|l| l.len() == 11 && l.as_bytes()[5] == b'-')
        .map(String::from)
        .collect();
    assert_eq!(recovery.len(), 10, "{confirmed}");
    assert!(
        keyring_items().contains("Offramp ledger second factor"),
        "the secret is in the keyring: {}",
        keyring_items()
    );
    assert_eq!(ok(run(&data, &["2fa", "status"])).trim(), "Second factor: on; 10 recovery codes left.");

    // The ledger file and the passphrase alone open nothing.
    let key = offramp_app::Key::Passphrase(PASS.into());
    assert!(offramp_store::Ledger::open(&data.join("ledger.offramp"), &key).is_err());
    let no_code = run(&data, &["accounts"]);
    assert!(stderr(&no_code).starts_with("error[CODE_REQUIRED]"), "{}", stderr(&no_code));
    // The next step's code opens it; the same code again is refused.
    let c1 = code_after(&secret, t0, 1);
    assert!(ok(run(&data, &["accounts", "--code", &c1])).contains("A "));
    let replay = run(&data, &["accounts", "--code", &c1]);
    assert!(stderr(&replay).starts_with("error[WRONG_CODE]"), "{}", stderr(&replay));

    // A new machine: the keyring loses the entry. An app code cannot help; a recovery code unlocks once and puts
    // the secrets back.
    let cleared = Command::new("secret-tool").args(["clear", "service", "Offramp ledger second factor"]).status();
    assert!(cleared.unwrap().success());
    let missing = run(&data, &["accounts", "--code", &code_after(&secret, t0, 2)]);
    assert!(stderr(&missing).starts_with("error[SECOND_FACTOR_MISSING]"), "{}", stderr(&missing));
    assert!(ok(run(&data, &["accounts", "--code", &recovery[0]])).contains("A "));
    let again = run(&data, &["accounts", "--code", &recovery[0]]);
    assert!(stderr(&again).starts_with("error[WRONG_CODE]"), "{}", stderr(&again));
    assert!(keyring_items().contains("Offramp ledger second factor"), "put back: {}", keyring_items());
    // (The last code used was for step s + 1: the next must be later.)
    next_step();
    ok(run(&data, &["accounts", "--code", &code_after(&secret, now(), 1)]));

    // Turning it off asks for a code; then the passphrase alone opens the ledger.
    next_step();
    ok(run(&data, &["2fa", "disable", "--code", &code_after(&secret, now(), 1)]));
    ok(run(&data, &["accounts"]));
    assert!(offramp_store::Ledger::open(&data.join("ledger.offramp"), &key).is_ok());
}
