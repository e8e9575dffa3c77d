//! End-to-end: the real desktop app in a real window (under Xvfb), driven through tauri-driver and
//! WebKitWebDriver. Run by `scripts/test.sh`, which builds the app, starts Xvfb and passes the binary:
//!
//! ```sh
//! OFFRAMP_E2E_APP=target/debug/offramp-desktop xvfb-run -a cargo test --test e2e_desktop -- --ignored
//! ```
//!
//! Screenshots are saved to `$OFFRAMP_E2E_ARTIFACTS` (default `artifacts/e2e/`).
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

mod common;
mod webdriver;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use webdriver::*;

#[test]
#[ignore = "needs the built desktop app, tauri-driver and a display: run by scripts/test.sh"]
fn home_screen_shows_the_ledger_location_and_state() {
    let app = PathBuf::from(std::env::var("OFFRAMP_E2E_APP").expect("OFFRAMP_E2E_APP: path to offramp-desktop"));
    let app = app.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", app.display()));
    let artifacts = artifacts_dir();
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    std::fs::create_dir(&data_dir).unwrap();
    let ledger = data_dir.join("ledger.offramp");

    let driver = Driver::start(&data_dir, &artifacts.join("tauri-driver.log"));
    let s = Session::new(&driver, &app);

    // A fresh data folder: the home screen says where the ledger will live, that there is none yet, the version.
    assert_eq!(s.wait_text("[data-testid=ledger-state]", |t| !t.is_empty()), "No ledger yet");
    assert_eq!(s.wait_text("[data-testid=ledger-path]", |_| true), ledger.to_str().unwrap());
    assert_eq!(s.wait_text("[data-testid=data-dir]", |_| true), data_dir.to_str().unwrap());
    assert_eq!(s.wait_text("[data-testid=app-version]", |_| true), format!("v{}", offramp_app::VERSION));
    s.screenshot(&artifacts.join("home-no-ledger.png"));

    // The window may call Offramp's commands and nothing of the core (capabilities/default.json): a script in
    // the page asking for a window or file-system path is refused by the shell.
    let call = |cmd: &str| {
        s.run_async(&format!(
            "const done = arguments[arguments.length - 1];\
             window.__TAURI_INTERNALS__.invoke({cmd:?}, {{}}).then(() => done('allowed'), (e) => done('refused: ' + \
             (typeof e === 'string' ? e : JSON.stringify(e))));"
        ))
    };
    assert_eq!(call("session_state"), json!("allowed"));
    for core in ["plugin:window|title", "plugin:path|resolve_directory", "plugin:webview|print"] {
        let r = call(core);
        let r = r.as_str().unwrap();
        assert!(r.starts_with("refused") && r.contains("not allowed"), "{core}: {r}");
    }

    // A ledger file appears: Refresh shows it (state read from the real file system by the Rust side).
    std::fs::write(&ledger, vec![0u8; 4096]).unwrap();
    s.click("[data-testid=refresh]");
    let state = s.wait_text("[data-testid=ledger-state]", |t| t.starts_with("Ledger found"));
    assert_eq!(state, "Ledger found (4.0 KB, encrypted)");
    s.screenshot(&artifacts.join("home-ledger-found.png"));

    // The ledger path turns into a folder: the error reaches the window with its stable code.
    std::fs::remove_file(&ledger).unwrap();
    std::fs::create_dir(&ledger).unwrap();
    s.click("[data-testid=refresh]");
    assert_eq!(s.wait_text("[data-testid=error-code]", |_| true), "LEDGER_PATH_INVALID");
    let msg = s.wait_text("[data-testid=error-message]", |_| true);
    assert!(msg.contains(ledger.to_str().unwrap()) && msg.contains("not a file"), "{msg}");
    s.screenshot(&artifacts.join("home-error.png"));

    // The keyboard alone: Tab reaches the sidebar's Ledger link, its focus is drawn, Enter opens it.
    let focused = || s.run_sync("return document.activeElement && document.activeElement.getAttribute('data-testid');");
    let mut tabs = 0;
    while focused() != json!("nav-ledger") {
        s.press("\u{E004}");
        tabs += 1;
        assert!(tabs <= 30, "Tab never reached the Ledger link (last: {})", focused());
    }
    let outline = s.run_sync(
        "const st = getComputedStyle(document.activeElement); return st.outlineStyle + ' ' + st.outlineWidth;",
    );
    assert_eq!(outline, json!("solid 3px"), "the focused link shows where the focus is");
    s.screenshot(&artifacts.join("keyboard-focus.png"));
    s.press("\u{E007}");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !s.run_sync("return window.location.hash;").as_str().unwrap_or("").starts_with("#/ledger") {
        assert!(std::time::Instant::now() < deadline, "Enter did not open the Ledger screen");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The ledger path is a folder here: the Ledger screen says so with the code, as Home did.
    assert_eq!(s.wait_text("[data-testid=error-code]", |_| true), "LEDGER_PATH_INVALID");
}

/// The venue comparison in the real window: the form goes to the Rust side and the table comes back.
#[test]
#[ignore = "needs the built desktop app, tauri-driver and a display: run by scripts/test.sh"]
fn compare_venues_in_the_real_window() {
    let app = PathBuf::from(std::env::var("OFFRAMP_E2E_APP").expect("OFFRAMP_E2E_APP: path to offramp-desktop"));
    let app = app.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", app.display()));
    let artifacts = artifacts_dir();
    let tmp = tempfile::tempdir().unwrap();
    let driver = Driver::start(tmp.path(), &artifacts.join("tauri-driver-compare.log"));
    let s = Session::new(&driver, &app);

    s.wait_text("[data-testid=ledger-state]", |t| !t.is_empty());
    s.click("[data-testid=nav-compare]");
    s.click("[data-testid=sell-tab-compare]");
    s.wait_text("[data-testid=quote-submit]", |t| t == "Compare");
    // Without a price the Rust side refuses, and the window says why.
    s.type_into("[data-testid=quote-qty]", "10");
    s.click("[data-testid=quote-submit]");
    assert_eq!(s.wait_text("[data-testid=error-code]", |_| true), "INVALID_INPUT");
    s.type_into("[data-testid=quote-price]", "65000");
    s.type_into("[data-testid=quote-daily_volatility]", "0.03");
    s.type_into("[data-testid=quote-daily_volume]", "10000");
    s.click("[data-testid=quote-submit]");
    // Same figures as the CLI: 650,000 − 1,690.00 fee − 287.77 impact − 4.00 Fedwire.
    assert_eq!(s.wait_text("[data-testid=quote-row-kraken] [data-testid=net]", |t| !t.is_empty()), "648,018.23");
    let unsuitable = s.wait_text("[data-testid=quote-unsuitable]", |t| !t.is_empty());
    assert!(unsuitable.contains("does not pay out USD"), "{unsuitable}");
    s.screenshot(&artifacts.join("compare-venues.png"));
    // Plan the same sale over up to 60 days as a first-time seller (Kraken's entry level, 100,000 a day and
    // 500,000 in 30 days): the recommendation is to sell on day 1 and withdraw over 32 days, with its steps.
    s.type_into("[data-testid=plan-max-days]", "60");
    s.click("[data-testid=plan-submit]");
    let title = s.wait_text("[data-testid=plan-recommended] h4", |t| !t.is_empty());
    assert!(title.contains("Kraken") && title.contains("withdraw over 32 days"), "{title}");
    let steps = s.wait_text("[data-testid=recommended-steps]", |t| !t.is_empty());
    assert!(steps.contains("Deposit 10 BTC to Kraken") && steps.contains("Withdraw 100000.00 USD"), "{steps}");
    assert_eq!(s.wait_text("[data-testid=plan-venue-kraken] [data-testid=fewest-days]", |t| !t.is_empty()), "32");
    s.scroll_to("[data-testid=plan-recommended]");
    s.screenshot(&artifacts.join("plan-recommended.png"));
    // At the Pro level the seller says they have, one day: Kraken's one-day schedule nets what the quote said
    // (same model).
    s.select_by_value("[data-testid=plan-level-kraken]", "Pro");
    s.click("[data-testid=plan-submit]");
    assert_eq!(s.wait_text("[data-testid=plan-venue-kraken] [data-testid=fewest-days]", |t| t == "1"), "1");
    let one_day = s.wait_text("[data-testid=schedule-kraken-1-0] [data-testid=schedule-net]", |t| !t.is_empty());
    assert_eq!(one_day, "648,018.23");
    s.scroll_to("[data-testid=plan-venue-kraken]");
    s.screenshot(&artifacts.join("plan.png"));
}

/// The guided sale in the real window, with a ledger made and imported by the CLI (12 BTC at Kraken): every step
/// reached by the mouse and by the keyboard, back and forward keep the inputs, the plan shown is `offramp plan`'s
/// for the same inputs, the checklist is stored in the ledger (still ticked after locking and unlocking), and a
/// recorded tranche moves the progress and appears in the ledger. A screenshot of every step.
#[test]
#[ignore = "needs the built desktop app, tauri-driver and a display: run by scripts/test.sh"]
fn the_sale_wizard_in_the_real_window() {
    let app = PathBuf::from(std::env::var("OFFRAMP_E2E_APP").expect("OFFRAMP_E2E_APP: path to offramp-desktop"));
    let app = app.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", app.display()));
    let artifacts = artifacts_dir();
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    let pass = "ferry quantum marigold stapler upriver";
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(common::offramp_bin())
            .args(args)
            .env("OFFRAMP_DATA_DIR", &data_dir)
            .env("OFFRAMP_PASSPHRASE", pass)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    let history = tmp.path().join("history.csv");
    std::fs::write(
        &history,
        "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency\n\
         2023-03-01T10:00:00Z,buy,Kraken,240000,USD,10,BTC,,,,\n\
         2025-06-01T10:00:00Z,buy,Kraken,130000,USD,2,BTC,,,,\n",
    )
    .unwrap();
    cli(&["init"]);
    cli(&["import", history.to_str().unwrap()]);

    let driver = Driver::start(&data_dir, &artifacts.join("tauri-driver-wizard.log"));
    let s = Session::new(&driver, &app);
    let unlock = |s: &Session| {
        s.type_into("[data-testid=unlock-passphrase]", pass);
        s.click("[data-testid=unlock-submit]");
        s.wait_for("[data-testid=lock]");
    };
    unlock(&s);
    let shot = |s: &Session, name: &str| {
        s.scroll_to("#wizard-heading");
        s.screenshot(&artifacts.join(name));
    };
    // The keyboard: focus a control and press Enter or Space, as a person tabbing through would.
    let key_on = |s: &Session, css: &str, key: &str| {
        s.run_sync(&format!("document.querySelector('{css}').focus()"));
        s.press(key);
    };

    s.click("[data-testid=nav-compare]");
    // 1. Holdings, from the ledger.
    let balances = s.wait_text("[data-testid=wizard-balances]", |t| t.contains("12"));
    assert!(balances.contains("Kraken") && balances.contains("BTC"), "{balances}");
    shot(&s, "wizard-1-holdings.png");
    key_on(&s, "[data-testid=wizard-next]", "\u{E007}");
    // 2. What to sell.
    s.wait_for("[data-testid=wizard-page-2]");
    s.type_into("[data-testid=sale-qty]", "10");
    s.type_into("[data-testid=sale-price]", "65000");
    assert!(s
        .wait_text("[data-testid=sale-summary]", |t| t.contains("You hold 12"))
        .contains("Selling 10 BTC into USD"));
    shot(&s, "wizard-2-what-to-sell.png");
    // Back and forward keep what was typed.
    s.click("[data-testid=wizard-back]");
    s.wait_for("[data-testid=wizard-page-1]");
    s.click("[data-testid=wizard-next]");
    s.wait_for("[data-testid=wizard-page-2]");
    let qty = s.run_sync("return document.querySelector('[data-testid=sale-qty]').value");
    assert_eq!(qty, "10");
    s.click("[data-testid=wizard-next]");
    // 3. The situation: levels as published, the tax from the ledger.
    s.wait_for("[data-testid=wizard-page-3]");
    key_on(&s, "[data-testid=situation-tax]", " ");
    s.type_into("[data-testid=situation-rate-short]", "32");
    s.type_into("[data-testid=situation-rate-long]", "15");
    shot(&s, "wizard-3-situation.png");
    key_on(&s, "[data-testid=wizard-next]", "\u{E007}");
    // 4. The comparison: the same figures as the CLI's quote.
    assert_eq!(
        s.wait_text("[data-testid=compare-row-kraken] [data-testid=compare-net]", |t| !t.is_empty()),
        "648,018.23"
    );
    assert!(s.wait_text("[data-testid=compare-unsuitable]", |t| !t.is_empty()).contains("does not pay out USD"));
    shot(&s, "wizard-4-compare.png");
    s.click("[data-testid=wizard-next]");
    // 5. The plan: the recommendation `offramp plan` gives for the same inputs (priority "lowest cost" is the
    // high risk appetite).
    let title = s.wait_text("[data-testid=plan-recommended] h4", |t| !t.is_empty());
    let json: serde_json::Value = serde_json::from_str(&cli(&[
        "plan",
        "--sell",
        "10",
        "BTC",
        "--to",
        "USD",
        "--price",
        "65000",
        "--volatility",
        "0.03",
        "--daily-volume",
        "10000",
        "--max-days",
        "60",
        "--risk",
        "high",
        "--json",
    ]))
    .unwrap();
    let first = &json["recommended"][0];
    assert_eq!(title, format!("Recommended: {}", first["title"].as_str().unwrap()));
    let figures = s.wait_text("[data-testid=recommended-figures]", |t| !t.is_empty());
    let net: offramp_app::model::Decimal = first["net"].as_str().unwrap().parse().unwrap();
    let net = offramp_app::model::round_half_away(net, 2).to_string();
    let (int, frac) = net.split_once('.').unwrap_or((&net, "00"));
    assert!(figures.contains(&format!("{}.{frac}", group_digits(int))), "{figures} vs {net}");
    assert!(s.wait_text("[data-testid=plan-tax]", |t| !t.is_empty()).contains("Estimated tax"));
    s.wait_for("[data-testid=plan-timeline]");
    shot(&s, "wizard-5-plan.png");
    s.click("[data-testid=wizard-next]");
    // 6. The checklist, ticked by mouse and keyboard, stored in the ledger.
    s.wait_for("[data-testid=wizard-checklist]");
    for id in ["twofa", "allowlist", "test"] {
        s.click(&format!("[data-testid=check-{id}]"));
    }
    for id in ["bank", "support", "scams"] {
        key_on(&s, &format!("[data-testid=check-{id}]"), " ");
    }
    shot(&s, "wizard-6-checklist.png");
    std::thread::sleep(std::time::Duration::from_millis(800)); // the draft is saved 300 ms after the last change
    s.click("[data-testid=lock]");
    s.click("[data-testid=nav-home]");
    unlock(&s);
    s.click("[data-testid=nav-compare]");
    s.wait_for("[data-testid=wizard-checklist]");
    let ticked = s.run_sync(
        "return [...document.querySelectorAll('[data-testid^=check-]')].filter(e => e.checked).length.toString()",
    );
    assert_eq!(ticked, "6", "the checklist came back from the ledger");
    s.click("[data-testid=wizard-next]");
    // 7. Selling: a recorded tranche moves the progress and appears in the ledger.
    s.wait_text("[data-testid=sale-progress-text]", |t| t.contains("Sold 0 of 10 BTC"));
    let today = offramp_app::clock::system_now().date_utc().to_string();
    s.type_into("[data-testid=tranche-at]", &today);
    s.type_into("[data-testid=tranche-qty]", "2.5");
    s.type_into("[data-testid=tranche-proceeds]", "162000");
    s.type_into("[data-testid=tranche-fee]", "421.20");
    s.click("[data-testid=tranche-record]");
    s.wait_text("[data-testid=sale-progress-text]", |t| t.contains("Sold 2.5 of 10 BTC"));
    s.wait_text("[data-testid=replan]", |t| !t.is_empty());
    shot(&s, "wizard-7-selling.png");
    let ledger = cli(&["tx", "list", "--kind", "sell", "--json"]);
    assert!(ledger.contains("recorded in Offramp") && ledger.contains("\"2.5\""), "{ledger}");
}

/// Thousands grouped as the window shows them: "648018" -> "648,018".
fn group_digits(int: &str) -> String {
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn unix_now() -> offramp_app::model::Timestamp {
    let micros = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros();
    offramp_app::model::Timestamp::from_unix_micros(i64::try_from(micros).unwrap())
}

/// The code an authenticator app shows `steps` periods of 30 s from now.
fn totp(secret: &str, steps: i64) -> String {
    let t = unix_now();
    offramp_app::twofa::code_at(
        secret,
        offramp_app::model::Timestamp::from_unix_micros(t.unix_micros() + steps * 30_000_000),
    )
    .unwrap()
}

/// A first-time user in the real window: creates the ledger (a weak passphrase refused with the reason), turns
/// the second factor on (secret from the screen, as an authenticator app would read it; the device secret goes to
/// the real Secret Service, see scripts/with-keyring.sh), locks, and unlocks with the passphrase and a code; a code
/// already used and the passphrase alone are refused; a recovery code opens it once.
#[test]
#[ignore = "needs the built desktop app, tauri-driver, a display and a Secret Service: run by scripts/test.sh"]
fn create_enrol_lock_and_unlock_with_a_code_in_the_real_window() {
    use std::os::unix::fs::PermissionsExt;
    let app = PathBuf::from(std::env::var("OFFRAMP_E2E_APP").expect("OFFRAMP_E2E_APP: path to offramp-desktop"));
    let app = app.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", app.display()));
    let artifacts = artifacts_dir();
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    let driver = Driver::start(&data_dir, &artifacts.join("tauri-driver-access.log"));
    let s = Session::new(&driver, &app);

    // Create: a common password is refused, with zxcvbn's reason; a long passphrase typed twice is taken.
    assert_eq!(s.wait_text("[data-testid=ledger-state]", |t| !t.is_empty()), "No ledger yet");
    s.type_into("[data-testid=create-passphrase]", "password123");
    s.type_into("[data-testid=create-again]", "password123");
    let word = s.wait_text("[data-testid=strength-word]", |t| t.contains("not accepted"));
    assert!(word.starts_with("very weak") || word.starts_with("weak"), "{word}");
    assert!(!s.enabled("[data-testid=create-submit]"));
    s.screenshot(&artifacts.join("create-weak-passphrase.png"));
    let passphrase = "ferry quantum marigold stapler upriver";
    s.type_into("[data-testid=create-passphrase]", passphrase);
    s.type_into("[data-testid=create-again]", passphrase);
    s.wait_text("[data-testid=strength-word]", |t| t == "very strong" || t == "strong");
    s.click("[data-testid=create-submit]");
    let unlocked = s.wait_text("[data-testid=unlocked]", |t| !t.is_empty());
    assert_eq!(unlocked, "Your ledger is open: 0 accounts.");
    let ledger = data_dir.join("ledger.offramp");
    let mode = std::fs::metadata(&ledger).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "the ledger file is private");
    assert!(!std::fs::read(&ledger).unwrap().starts_with(b"SQLite format 3"), "the ledger is encrypted");

    // Turn the second factor on: QR code and secret on screen, the first code turns it on, ten recovery codes.
    s.click("[data-testid=nav-settings]");
    assert_eq!(
        s.wait_text("[data-testid=twofa-state]", |t| !t.is_empty()),
        "Off: the passphrase alone opens the ledger."
    );
    s.click("[data-testid=twofa-begin]");
    let secret = s.wait_text("[data-testid=twofa-secret]", |t| !t.is_empty());
    assert!(s.find("[data-testid=twofa-qr]").is_some());
    s.scroll_to("[data-testid=twofa-heading], #twofa-heading");
    s.screenshot(&artifacts.join("twofa-enrol.png"));
    s.type_into("[data-testid=twofa-passphrase]", passphrase);
    s.type_into("[data-testid=twofa-code]", "123");
    s.click("[data-testid=twofa-confirm]");
    assert_eq!(s.wait_text("[data-testid=error-code]", |_| true), "WRONG_CODE");
    s.type_into("[data-testid=twofa-code]", &totp(&secret, 0));
    s.click("[data-testid=twofa-confirm]");
    s.wait_text("[data-testid=recovery-codes]", |t| !t.is_empty());
    let codes = s.texts_of_all("[data-testid=recovery-codes] li");
    assert_eq!(codes.len(), 10, "{codes:?}");
    assert!(codes.iter().all(|c| c.len() >= 10), "{codes:?}");
    s.screenshot(&artifacts.join("twofa-recovery-codes.png"));
    s.click("[data-testid=recovery-done]");
    assert_eq!(s.wait_text("[data-testid=twofa-state]", |t| t.starts_with("On:")), "On: 10 recovery codes left.");

    // Lock; the unlock form now asks for a code. The passphrase alone, and a wrong code, are refused.
    s.click("[data-testid=lock]");
    s.click("[data-testid=nav-home]");
    s.type_into("[data-testid=unlock-passphrase]", passphrase);
    s.click("[data-testid=unlock-submit]");
    assert_eq!(s.wait_text("[data-testid=error-code]", |_| true), "CODE_REQUIRED");
    s.type_into("[data-testid=unlock-code]", "000000");
    s.click("[data-testid=unlock-submit]");
    s.wait_text("[data-testid=error-code]", |t| t == "WRONG_CODE");
    // The next code the app shows opens it (the first one was spent turning the factor on).
    let code = totp(&secret, 1);
    s.type_into("[data-testid=unlock-passphrase]", passphrase);
    s.type_into("[data-testid=unlock-code]", &code);
    s.screenshot(&artifacts.join("unlock-with-code.png"));
    s.click("[data-testid=unlock-submit]");
    s.wait_text("[data-testid=unlocked]", |t| t.starts_with("Your ledger is open"));

    // The same code again (a replay) is refused, with the reason.
    s.click("[data-testid=lock]");
    s.type_into("[data-testid=unlock-passphrase]", passphrase);
    s.type_into("[data-testid=unlock-code]", &code);
    s.click("[data-testid=unlock-submit]");
    assert_eq!(s.wait_text("[data-testid=error-code]", |_| true), "WRONG_CODE");
    assert!(s.wait_text("[data-testid=error-message]", |_| true).contains("used already"));
    s.screenshot(&artifacts.join("unlock-replay-refused.png"));

    // A recovery code opens it once.
    s.type_into("[data-testid=unlock-passphrase]", passphrase);
    s.type_into("[data-testid=unlock-code]", &codes[3]);
    s.click("[data-testid=unlock-submit]");
    s.wait_text("[data-testid=unlocked]", |t| t.starts_with("Your ledger is open"));
    s.click("[data-testid=nav-settings]");
    assert_eq!(s.wait_text("[data-testid=twofa-state]", |t| t.starts_with("On:")), "On: 9 recovery codes left.");
}

/// The records in the real window: create a ledger, try a file with a bad line (its line shown, nothing added),
/// import good files (progress seen; rows in the table; the count matches), confirm a proposed own transfer,
/// lock, unlock: everything still there.
#[test]
#[ignore = "needs the built desktop app, tauri-driver, a display and a Secret Service: run by scripts/test.sh"]
fn import_browse_and_confirm_in_the_real_window() {
    let app = PathBuf::from(std::env::var("OFFRAMP_E2E_APP").expect("OFFRAMP_E2E_APP: path to offramp-desktop"));
    let app = app.canonicalize().unwrap_or_else(|e| panic!("{}: {e}", app.display()));
    let artifacts = artifacts_dir();
    let tmp = tempfile::tempdir().unwrap();
    let data_dir = tmp.path().join("data");
    let head = "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,\
                fiat_value,fiat_currency\n";
    // A file with a bad amount on line 3.
    let bad = tmp.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("{head}2024-01-01T00:00:00Z,buy,Kraken,100,USD,0.01,BTC,,,,\n2024-01-02T00:00:00Z,buy,Kraken,1e3,USD,0.01,BTC,,,,\n"),
    )
    .unwrap();
    // Good files: a move between two accounts (a proposed own transfer), and a large history (progress).
    let moves = tmp.path().join("moves.csv");
    std::fs::write(
        &moves,
        format!(
            "{head}2024-02-01T00:00:00Z,buy,Kraken,30000,USD,1,BTC,,,,\n\
             2024-03-01T12:00:00Z,transfer_out,Kraken,0.5,BTC,,,0.0001,BTC,,\n\
             2024-03-01T12:40:00Z,transfer_in,Ledger Nano,,,0.5,BTC,,,,\n\
             2024-06-01T09:00:00Z,sell,Kraken,0.2,BTC,12000,USD,,,,\n"
        ),
    )
    .unwrap();
    const BULK: usize = 120_000;
    let bulk = tmp.path().join("bulk.csv");
    let mut text = String::from(head);
    for i in 0..BULK {
        let s = i % 86_400;
        text.push_str(&format!(
            "2023-{:02}-{:02}T{:02}:{:02}:{:02}Z,buy,Bulk,{}.{:02},USD,0.0001,BTC,,,,\n",
            i / 86_400 % 12 + 1,
            i / (86_400 * 12) + 1,
            s / 3600,
            s / 60 % 60,
            s % 60,
            10 + i % 90,
            i % 100
        ));
    }
    std::fs::write(&bulk, text).unwrap();

    // Live prices come from a local server replaying recorded order books (Gemini's never answers).
    let recorded =
        PathBuf::from(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("crates/offramp-market/tests/recorded");
    let market = offramp_market::replay::serve(recorded, vec![offramp_market::Exchange::Gemini]).unwrap();
    let driver =
        Driver::start_with(&data_dir, &artifacts.join("tauri-driver-ledger.log"), &[("OFFRAMP_MARKET_URL", &market)]);
    let s = Session::new(&driver, &app);
    let passphrase = "ferry quantum marigold stapler upriver";
    s.wait_text("[data-testid=ledger-state]", |t| t == "No ledger yet");
    s.type_into("[data-testid=create-passphrase]", passphrase);
    s.type_into("[data-testid=create-again]", passphrase);
    s.wait_text("[data-testid=strength-word]", |t| t.ends_with("strong"));
    s.click("[data-testid=create-submit]");
    s.wait_text("[data-testid=next-step]", |t| t.contains("Import"));
    s.screenshot(&artifacts.join("home-empty-ledger.png"));

    // The ledger starts empty, and says what to do.
    s.click("[data-testid=nav-ledger]");
    assert!(s.wait_text("[data-testid=tx-empty]", |t| !t.is_empty()).contains("Import"));
    s.click("[data-testid=ledger-tab-import]");
    s.type_into("[data-testid=import-path]", bad.to_str().unwrap());
    s.click("[data-testid=import-add]");
    let err = s.wait_text("[data-testid=import-error-0]", |t| !t.is_empty());
    assert!(err.contains("bad.csv") && err.contains("line 3") && err.contains("sent_amount"), "{err}");
    assert!(!s.enabled("[data-testid=import-submit]"), "a file that would fail cannot be imported");
    s.screenshot(&artifacts.join("import-bad-line.png"));
    s.click("[data-testid=import-file-0] button");

    // Good files: their formats first, then the import with its progress, then the summary.
    for f in [&moves, &bulk] {
        s.type_into("[data-testid=import-path]", f.to_str().unwrap());
        s.click("[data-testid=import-add]");
    }
    // (Each file is read whole to check it: a debug build takes a while over 120,000 rows.)
    let long = Duration::from_secs(90);
    assert_eq!(s.wait_text_for("[data-testid=import-format-0]", long, |t| t == "generic-v1"), "generic-v1");
    assert_eq!(s.wait_text_for("[data-testid=import-format-1]", long, |t| t == "generic-v1"), "generic-v1");
    s.screenshot(&artifacts.join("import-checked.png"));
    s.click("[data-testid=import-submit]");
    s.wait_for("[data-testid=import-progress]");
    s.screenshot(&artifacts.join("import-progress.png"));
    let done = s.wait_text_for("[data-testid=import-done]", Duration::from_secs(120), |t| !t.is_empty());
    let total = BULK + 4;
    assert!(done.contains(&format!("{} new", group(total))), "{done}");
    s.screenshot(&artifacts.join("import-done.png"));

    // The table: rows appear, the count is the ledger's.
    s.click("[data-testid=ledger-tab-transactions]");
    let of_total = format!("of {}", group(total));
    s.wait_text("[data-testid=tx-count]", |t| t.ends_with(&of_total));
    s.wait_for("[data-testid=tx-table] tbody tr[data-testid^=tx-row-]");
    s.screenshot(&artifacts.join("transactions.png"));
    // Filtered to one account: exactly its rows.
    s.select_by_value("[data-testid=filter-account]", "Kraken");
    s.wait_text("[data-testid=tx-count]", |t| t.starts_with("3 shown"));
    s.click("[data-testid=filter-clear]");

    // The proposed own transfer: confirmed.
    s.click("[data-testid=ledger-tab-transfers]");
    s.wait_for("[data-testid^=confirm-]");
    s.screenshot(&artifacts.join("transfers-proposed.png"));
    s.click("[data-testid^=confirm-]");
    assert_eq!(
        s.wait_text("[data-testid=confirmed-count]", |t| t.starts_with('1')),
        "1 move(s) between your accounts."
    );
    s.click("[data-testid=ledger-tab-accounts]");
    assert_eq!(s.wait_text("[data-testid=balance-Ledger\\ Nano-BTC]", |t| !t.is_empty()), "0.5 BTC");

    // Holdings: 12 BTC in 120,000 lots of Bulk, 0.2999 left at Kraken, 0.5 on the Nano, valued at the last live
    // price (the median mid of the replayed books, 65,003.63): 12.7999 x 65,003.63 = 832,039.963637.
    s.click("[data-testid=ledger-tab-holdings]");
    s.wait_text_for("[data-testid=holding-cost-BTC]", long, |t| t.ends_with("USD"));
    s.click("[data-testid=live-price-BTC]");
    assert!(s.wait_text("[data-testid=live-source-BTC]", |t| !t.is_empty()).starts_with("Median mid of 4 order books"));
    s.click("[data-testid=holdings-apply]");
    assert_eq!(s.wait_text_for("[data-testid=holding-value-BTC]", long, |t| t.ends_with("USD")), "832,039.96 USD");
    s.screenshot(&artifacts.join("holdings.png"));

    // A report: the 2024 sale, previewed, then written through the export (the path typed where the save
    // dialog would put it) and read back from disk.
    s.click("[data-testid=nav-reports]");
    s.type_into("[data-testid=report-year]", "2024");
    s.click("[data-testid=report-submit]");
    let rows: usize = s
        .wait_text_for("[data-testid=total-rows]", Duration::from_secs(60), |t| !t.is_empty())
        .replace(',', "")
        .parse()
        .unwrap();
    assert!(rows >= 1, "{rows}");
    s.screenshot(&artifacts.join("report-preview.png"));
    let out = tmp.path().join("gains-2024.csv");
    s.type_into("[data-testid=export-path]", out.to_str().unwrap());
    s.click("[data-testid=export-submit]");
    assert!(s.wait_text("[data-testid=export-notice]", |t| !t.is_empty()).contains("not encrypted"));
    s.scroll_to("[data-testid=export-done]");
    s.screenshot(&artifacts.join("report-exported.png"));
    let csv = std::fs::read_to_string(&out).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
    let (sold, proceeds) = (col("date_sold"), col("proceeds_USD"));
    let body: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(body.len(), rows, "the file has the rows the window showed");
    // First the network fee of the own transfer (0.0001 BTC kept on 1 March: a disposal of unknown value), as the
    // window said; then the sale's lot pieces.
    assert_eq!((body[0][sold], body[0][proceeds]), ("2024-03-01", "UNKNOWN"));
    assert!(body[1..].iter().all(|r| r[sold] == "2024-06-01"));
    let cents: i64 = body[1..].iter().map(|r| r[proceeds].replace('.', "").parse::<i64>().unwrap()).sum();
    assert_eq!(cents, 1_200_000, "the pieces' proceeds add up to the sale's 12,000.00 USD");

    // The same report as a readable PDF through the same export, read back as text: the unknown rows are counted
    // first, the Schedule D lines follow.
    s.select_by_value("[data-testid=export-format]", "pdf");
    let pdf = tmp.path().join("report-2024.pdf");
    s.type_into("[data-testid=export-path]", pdf.to_str().unwrap());
    s.click("[data-testid=export-submit]");
    s.wait_text("[data-testid=export-saved-path]", |t| t.ends_with("report-2024.pdf"));
    s.scroll_to("[data-testid=export-done]");
    s.screenshot(&artifacts.join("report-pdf-exported.png"));
    let text = std::process::Command::new("pdftotext").arg("-layout").arg(&pdf).arg("-").output().unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    let unknown = body.iter().filter(|r| r.contains(&"UNKNOWN")).count();
    let first = text.find(&format!("Figures to resolve before filing: {unknown}")).unwrap_or_else(|| panic!("{text}"));
    assert!(first < text.find("Schedule D (Form 1040)").unwrap(), "{text}");
    assert!(text.starts_with("US capital gains, tax year 2024"), "{text}");

    // Lock, unlock: the same ledger.
    s.click("[data-testid=lock]");
    s.wait_for("[data-testid=needs-unlock]");
    s.type_into("[data-testid=unlock-passphrase]", passphrase);
    s.click("[data-testid=unlock-submit]");
    s.wait_for("[data-testid=report-empty]"); // unlocked where it was locked: what was typed is gone with the lock
    s.click("[data-testid=nav-ledger]");
    s.click("[data-testid=ledger-tab-transactions]");
    s.wait_text("[data-testid=tx-count]", |t| t.ends_with(&of_total));

    // Settings: a default changed and kept.
    s.click("[data-testid=nav-settings]");
    s.select_by_value("[data-testid=pref-jurisdiction]", "de");
    s.type_into("[data-testid=pref-currency]", "EUR");
    s.click("[data-testid=pref-save]");
    s.wait_for("[data-testid=pref-saved]");
    s.screenshot(&artifacts.join("settings.png"));
    // The whole ledger checked on request: every page read and verified, the count of what it holds.
    s.click("[data-testid=check-ledger]");
    s.wait_text("[data-testid=check-done]", |t| {
        t.contains("every page read and verified") && t.contains(&format!("({} transactions)", group(total)))
    });
    s.scroll_to("#check-heading");
    s.screenshot(&artifacts.join("settings-check-ledger.png"));
    // The official exchange rates reports convert with: what ships with the app, and each report's rule.
    assert!(s.wait_text("[data-testid=rates-hmrc]", |t| !t.is_empty()).contains("30 currencies, 2014-02 to "));
    assert!(s.wait_text("[data-testid=rate-rules]", |t| !t.is_empty()).contains("HMRC's monthly exchange rate"));
    s.scroll_to("#rates-heading");
    s.screenshot(&artifacts.join("settings-exchange-rates.png"));

    // A hand edit: the own transfer's network fee needed a price; set it on the transaction, in the window. It is
    // an edit (the old row stays listed, replaced), and nothing needs a price any more.
    s.click("[data-testid=nav-ledger]");
    s.click("[data-testid=ledger-tab-transactions]");
    s.click("[data-testid=filter-needs-price]");
    s.wait_text("[data-testid=tx-count]", |t| t.starts_with("1 shown"));
    s.click("[data-testid^=tx-edit-]");
    s.type_into("[data-testid=edit-reason]", "the day's price from my exchange statement");
    s.type_into("[data-testid=edit-price]", "60000 USD");
    s.click("[data-testid=edit-set-price]");
    let done = s.wait_text("[data-testid=edit-done]", |t| !t.is_empty());
    assert!(done.contains("replaced transaction") && done.contains("price from you"), "{done}");
    s.wait_for("[data-testid=tx-empty]");
    s.screenshot(&artifacts.join("transaction-price-set.png"));
    s.click("[data-testid=filter-clear]");
    s.click("[data-testid=nav-home]");
    assert_eq!(
        s.wait_text("[data-testid=attention-needs-price]", |t| t.starts_with('0')),
        "0 transactions need a price"
    );
    s.click("[data-testid=nav-reports]");
    s.wait_text("[data-testid=report-jurisdiction]", |t| t.contains("Germany"));
}

/// 120003 → "120,003" (the window's count, in the en-US locale the tests run in).
fn group(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The app installed from its .deb (scripts/deb-test.sh installs it): the window is titled Offramp and opens on
/// the create screen of a new user.
#[test]
#[ignore = "needs the .deb installed and a display: run by scripts/deb-test.sh"]
fn the_installed_package_opens_on_the_create_screen() {
    let app = PathBuf::from(std::env::var("OFFRAMP_E2E_APP").expect("OFFRAMP_E2E_APP: the installed binary"));
    assert!(app.starts_with("/usr/bin"), "the installed binary: {}", app.display());
    let artifacts = artifacts_dir();
    let tmp = tempfile::tempdir().unwrap();
    let driver = Driver::start(&tmp.path().join("data"), &artifacts.join("tauri-driver-deb.log"));
    let s = Session::new(&driver, &app);
    let title = send(ureq::get(&format!("{}/title", s.base)), None)["value"].as_str().unwrap().to_string();
    assert_eq!(title, "Offramp");
    assert_eq!(s.wait_text("[data-testid=ledger-state]", |t| !t.is_empty()), "No ledger yet");
    s.wait_for("[data-testid=create-passphrase]");
    assert_eq!(s.wait_text("[data-testid=app-version]", |_| true), format!("v{}", offramp_app::VERSION));
    s.screenshot(&artifacts.join("deb-installed.png"));
}
