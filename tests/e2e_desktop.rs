//! End-to-end: the real desktop app in a real window (under Xvfb), driven through tauri-driver and
//! WebKitWebDriver. Run by `scripts/test.sh`, which builds the app, starts Xvfb and passes the binary:
//!
//! ```sh
//! OFFRAMP_E2E_APP=target/debug/offramp-desktop xvfb-run -a cargo test --test e2e_desktop -- --ignored
//! ```
//!
//! Screenshots are saved to `$OFFRAMP_E2E_ARTIFACTS` (default `artifacts/e2e/`).
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// tauri-driver as a child process; stopped with SIGTERM on drop so it also ends WebKitWebDriver (a SIGKILL
/// would leave WebKitWebDriver running and holding its port).
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(data_dir: &Path, log: &Path) -> Driver {
        let bin = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into());
        let (port, native) = (free_port(), free_port());
        let log_file = std::fs::File::create(log).unwrap();
        let child = Command::new(&bin)
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("OFFRAMP_DATA_DIR", data_dir)
            .stdout(Stdio::from(log_file.try_clone().unwrap()))
            .stderr(Stdio::from(log_file))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin}: {e} (install it with `cargo install tauri-driver`)"));
        let driver = Driver { child, url: format!("http://127.0.0.1:{port}") };
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("{}/status", driver.url)).call().is_err() {
            assert!(Instant::now() < deadline, "tauri-driver did not answer on {}", driver.url);
            std::thread::sleep(Duration::from_millis(100));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebDriver session: just the calls these tests need.
struct Session {
    base: String,
}

fn send(req: ureq::Request, body: Option<Value>) -> Value {
    let res = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    match res {
        Ok(r) => r.into_json::<Value>().expect("webdriver json"),
        Err(ureq::Error::Status(code, r)) => {
            panic!("webdriver answered {code}: {}", r.into_string().unwrap_or_default())
        }
        Err(e) => panic!("webdriver request failed: {e}"),
    }
}

impl Session {
    fn new(driver: &Driver, app: &Path) -> Session {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": app}
        }}});
        let v = send(ureq::post(&format!("{}/session", driver.url)).timeout(Duration::from_secs(60)), Some(caps));
        let id = v["value"]["sessionId"].as_str().expect("sessionId").to_string();
        Session { base: format!("{}/session/{id}", driver.url) }
    }

    fn find(&self, css: &str) -> Option<String> {
        let r = ureq::post(&format!("{}/element", self.base)).send_json(json!({"using": "css selector", "value": css}));
        match r {
            Ok(r) => r.into_json::<Value>().ok()?["value"][ELEMENT_KEY].as_str().map(String::from),
            Err(_) => None,
        }
    }

    fn text_of(&self, css: &str) -> Option<String> {
        let id = self.find(css)?;
        let r = ureq::get(&format!("{}/element/{id}/text", self.base)).call().ok()?;
        r.into_json::<Value>().ok()?["value"].as_str().map(String::from)
    }

    /// Waits until the element exists and its text satisfies `ok`; returns the text.
    fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut last = None;
        while Instant::now() < deadline {
            last = self.text_of(css);
            if let Some(t) = &last {
                if ok(t) {
                    return t.clone();
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("element {css} never showed the expected text; last seen: {last:?}")
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css).unwrap_or_else(|| panic!("no element {css}"));
        send(ureq::post(&format!("{}/element/{id}/clear", self.base)), Some(json!({})));
        send(ureq::post(&format!("{}/element/{id}/value", self.base)), Some(json!({"text": text})));
    }

    fn click(&self, css: &str) {
        let id = self.find(css).unwrap_or_else(|| panic!("no element {css}"));
        send(ureq::post(&format!("{}/element/{id}/click", self.base)), Some(json!({})));
    }

    /// Scrolls the element to the top of the window (so a screenshot shows it).
    fn scroll_to(&self, css: &str) {
        let id = self.find(css).unwrap_or_else(|| panic!("no element {css}"));
        let script = "arguments[0].scrollIntoView({block: 'start', behavior: 'instant'});";
        send(
            ureq::post(&format!("{}/execute/sync", self.base)),
            Some(json!({"script": script, "args": [{ELEMENT_KEY: id}]})),
        );
        std::thread::sleep(Duration::from_millis(300)); // let the window repaint before a screenshot
    }

    fn screenshot(&self, path: &Path) {
        let v = send(ureq::get(&format!("{}/screenshot", self.base)), None);
        let png = base64::engine::general_purpose::STANDARD.decode(v["value"].as_str().expect("base64")).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "screenshot is a PNG");
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.base).call();
    }
}

fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("OFFRAMP_E2E_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("artifacts/e2e"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

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
    // Plan the same sale over days: Kraken's one-day schedule nets what the quote said (same model), and its
    // limits (Pro level) allow one day.
    s.click("[data-testid=plan-submit]");
    assert_eq!(s.wait_text("[data-testid=plan-venue-kraken] [data-testid=fewest-days]", |t| !t.is_empty()), "1");
    let one_day = s.wait_text("[data-testid=schedule-kraken-1-0] [data-testid=schedule-net]", |t| !t.is_empty());
    assert_eq!(one_day, "648,018.23");
    s.scroll_to("[data-testid=plan-venue-kraken]");
    s.screenshot(&artifacts.join("plan.png"));
}
