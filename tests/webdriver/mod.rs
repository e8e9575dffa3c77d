//! WebDriver helpers shared by the end-to-end tests and the desktop benchmark: tauri-driver as a child process
//! and the few WebDriver calls they need.
#![allow(dead_code, clippy::unwrap_used, clippy::panic)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

pub const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// tauri-driver as a child process; stopped with SIGTERM on drop so it also ends WebKitWebDriver (a SIGKILL
/// would leave WebKitWebDriver running and holding its port).
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    pub fn start(data_dir: &Path, log: &Path) -> Driver {
        Driver::start_with(data_dir, log, &[])
    }

    /// Starts tauri-driver with more environment for the app it launches (e.g. `OFFRAMP_MARKET_URL`).
    pub fn start_with(data_dir: &Path, log: &Path, env: &[(&str, &str)]) -> Driver {
        let bin = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into());
        let (port, native) = (free_port(), free_port());
        let log_file = std::fs::File::create(log).unwrap();
        let child = Command::new(&bin)
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .env("OFFRAMP_DATA_DIR", data_dir)
            .envs(env.iter().copied())
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
pub struct Session {
    pub base: String,
}

pub fn send(req: ureq::Request, body: Option<Value>) -> Value {
    try_send(req, body).unwrap_or_else(|e| panic!("{e}"))
}

/// A WebDriver request; its error in words.
pub fn try_send(req: ureq::Request, body: Option<Value>) -> Result<Value, String> {
    let res = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    match res {
        Ok(r) => Ok(r.into_json::<Value>().expect("webdriver json")),
        Err(ureq::Error::Status(code, r)) => {
            Err(format!("webdriver answered {code}: {}", r.into_string().unwrap_or_default()))
        }
        Err(e) => Err(format!("webdriver request failed: {e}")),
    }
}

impl Session {
    pub fn new(driver: &Driver, app: &Path) -> Session {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": app}
        }}});
        let v = send(ureq::post(&format!("{}/session", driver.url)).timeout(Duration::from_secs(60)), Some(caps));
        let id = v["value"]["sessionId"].as_str().expect("sessionId").to_string();
        Session { base: format!("{}/session/{id}", driver.url) }
    }

    pub fn find(&self, css: &str) -> Option<String> {
        let r = ureq::post(&format!("{}/element", self.base)).send_json(json!({"using": "css selector", "value": css}));
        match r {
            Ok(r) => r.into_json::<Value>().ok()?["value"][ELEMENT_KEY].as_str().map(String::from),
            Err(_) => None,
        }
    }

    pub fn text_of(&self, css: &str) -> Option<String> {
        let id = self.find(css)?;
        let r = ureq::get(&format!("{}/element/{id}/text", self.base)).call().ok()?;
        r.into_json::<Value>().ok()?["value"].as_str().map(String::from)
    }

    /// Waits until the element exists and its text satisfies `ok`; returns the text.
    pub fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_text_for(css, Duration::from_secs(15), ok)
    }

    pub fn wait_text_for(&self, css: &str, wait: Duration, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + wait;
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
        self.screenshot(&artifacts_dir().join("failure.png"));
        panic!("element {css} never showed the expected text; last seen: {last:?} (window: artifacts/e2e/failure.png)")
    }

    /// Waits (up to 15 s) for an element to be in the window; its id.
    pub fn wait_for(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(id) = self.find(css) {
                return id;
            }
            if Instant::now() >= deadline {
                self.screenshot(&artifacts_dir().join("failure.png"));
                panic!("no element {css} (window: artifacts/e2e/failure.png)");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.wait_for(css);
        send(ureq::post(&format!("{}/element/{id}/clear", self.base)), Some(json!({})));
        send(ureq::post(&format!("{}/element/{id}/value", self.base)), Some(json!({"text": text})));
    }

    /// Whether the element is enabled (a button the user may press).
    pub fn enabled(&self, css: &str) -> bool {
        let id = self.find(css).unwrap_or_else(|| panic!("no element {css}"));
        send(ureq::get(&format!("{}/element/{id}/enabled", self.base)), None)["value"].as_bool().unwrap()
    }

    /// The texts of every element matching `css`.
    pub fn texts_of_all(&self, css: &str) -> Vec<String> {
        let v =
            send(ureq::post(&format!("{}/elements", self.base)), Some(json!({"using": "css selector", "value": css})));
        v["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let id = e[ELEMENT_KEY].as_str().unwrap();
                send(ureq::get(&format!("{}/element/{id}/text", self.base)), None)["value"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    }

    /// Chooses the option with `value` in a `<select>`.
    pub fn select_by_value(&self, css: &str, value: &str) {
        let option = format!("{css} option[value=\"{value}\"]");
        self.click(&option);
    }

    /// Clicks the element, finding it again if the window re-rendered it between the find and the click.
    pub fn click(&self, css: &str) {
        for attempt in 0.. {
            let id = self.wait_for(css);
            match try_send(ureq::post(&format!("{}/element/{id}/click", self.base)), Some(json!({}))) {
                Ok(_) => return,
                Err(e) if e.contains("stale element") && attempt < 5 => std::thread::sleep(Duration::from_millis(100)),
                Err(e) => panic!("click on {css}: {e}"),
            }
        }
    }

    /// Scrolls the element to the top of the window (so a screenshot shows it).
    pub fn scroll_to(&self, css: &str) {
        let id = self.find(css).unwrap_or_else(|| panic!("no element {css}"));
        let script = "arguments[0].scrollIntoView({block: 'start', behavior: 'instant'});";
        send(
            ureq::post(&format!("{}/execute/sync", self.base)),
            Some(json!({"script": script, "args": [{ELEMENT_KEY: id}]})),
        );
        std::thread::sleep(Duration::from_millis(300)); // let the window repaint before a screenshot
    }

    /// Presses a key on the keyboard (WebDriver key codes: "\u{E004}" Tab, "\u{E007}" Enter), to whatever has focus.
    pub fn press(&self, key: &str) {
        let actions = json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}
        ]}]});
        send(ureq::post(&format!("{}/actions", self.base)), Some(actions));
    }

    /// Runs a script in the window and returns its value.
    pub fn run_sync(&self, script: &str) -> Value {
        send(ureq::post(&format!("{}/execute/sync", self.base)), Some(json!({"script": script, "args": []})))["value"]
            .clone()
    }

    /// Runs an async script in the window; it calls `done(result)`, the last argument.
    pub fn run_async(&self, script: &str) -> Value {
        let body = json!({"script": script, "args": []});
        send(ureq::post(&format!("{}/execute/async", self.base)).timeout(Duration::from_secs(20)), Some(body))["value"]
            .clone()
    }

    /// A screenshot of the display (X, through ImageMagick's `import`: WebKitWebDriver's own screenshot never
    /// answers when WebKit does not composite, which the app chooses on a machine without a GPU), else of the page
    /// through WebDriver.
    pub fn screenshot(&self, path: &Path) {
        std::thread::sleep(Duration::from_millis(300)); // the window paints what the last step changed
        if std::env::var_os("DISPLAY").is_some() {
            let window = Command::new("import").args(["-window", "root", "-crop", "1100x760+0+0"]).arg(path).status();
            if window.is_ok_and(|s| s.success()) {
                return;
            }
        }
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

/// Cargo's target folder: `$CARGO_TARGET_DIR`, else `target/` in the workspace.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"))
}

/// The release desktop app a benchmark drives: `$OFFRAMP_BENCH_APP`, else the release build in the target folder;
/// `script` is what builds it, named when it is missing.
pub fn bench_app(script: &str) -> PathBuf {
    let app = std::env::var_os("OFFRAMP_BENCH_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| target_dir().join("release/offramp-desktop"));
    app.canonicalize().unwrap_or_else(|e| panic!("{}: {e} (build it: {script})", app.display()))
}

pub fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("OFFRAMP_E2E_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("artifacts/e2e"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
