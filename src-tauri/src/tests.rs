//! The shell's commands on Tauri's mock runtime: the same commands the window calls, through the same IPC.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{Listener, Manager, WebviewWindow};

use super::*;

struct App {
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
    progress: Arc<Mutex<Vec<JobProgress>>>,
}

fn app(config: Config) -> App {
    let app = with_commands(mock_builder(), config).build(mock_context(noop_assets())).expect("mock app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("window");
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = progress.clone();
    app.listen_any("job-progress", move |e| {
        if let Ok(p) = serde_json::from_str::<JobProgress>(e.payload()) {
            seen.lock().unwrap().push(p);
        }
    });
    App { _app: app, webview, progress }
}

impl App {
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().expect("json"))
    }
}

fn invoke(config: Config, cmd: &str) -> Result<Value, Value> {
    app(config).call(cmd, json!({}))
}

fn temp_config() -> (tempfile::TempDir, Config) {
    let tmp = tempfile::tempdir().unwrap();
    let config = Config::resolve(Flavor::Dev, Some(tmp.path().join("data")), None);
    (tmp, config)
}

#[test]
fn get_status_reports_the_ledger_location() {
    let tmp = tempfile::tempdir().unwrap();
    let config = Config::resolve(Flavor::Dev, Some(tmp.path().to_path_buf()), None);
    let status = invoke(config, "get_status").expect("ok");
    assert_eq!(status["ledger"], "missing");
    assert_eq!(status["flavor"], "dev");
    assert_eq!(status["app_version"], offramp_app::VERSION);
    assert_eq!(status["ledger_path"], tmp.path().join("ledger.offramp").to_str().unwrap());
}

#[test]
fn quote_command_returns_every_venue_or_a_coded_error() {
    let config = Config::resolve(Flavor::Dev, None, None);
    let a = app(config);
    let request = json!({"request": {"qty": "2", "asset": "BTC", "fiat": "USD", "country": "US", "price": "50000"}});
    let quotes = a.call("quote", request).expect("ok");
    let kraken = quotes.as_array().unwrap().iter().find(|q| q["venue"] == "kraken").unwrap();
    assert_eq!(kraken["gross"], "100000");
    assert_eq!(kraken["costs"][0]["amount"], "260.00", "0.26 % taker fee, as a string");
    assert_eq!(kraken["net"], Value::Null, "no impact inputs: net unknown, not a guess");
    let err = a.call("quote", json!({"request": {"qty": "2", "asset": "BTC", "fiat": "USD"}})).expect_err("no price");
    assert_eq!(err["code"], "INVALID_INPUT");
}

#[test]
fn plan_command_returns_schedules_or_a_coded_error() {
    let config = Config::resolve(Flavor::Dev, None, None);
    let a = app(config);
    // The seller's level at Kraken goes with the request (Pro: $10M a day).
    let request = json!({"request": {"qty": "10", "asset": "BTC", "fiat": "USD", "country": "US",
        "price": "65000", "daily_volatility": "0.03", "daily_volume": "10000",
        "levels": [{"venue": "kraken", "level": "Pro"}]}, "maxDays": 10});
    let plan = a.call("plan", request).expect("ok");
    assert!(
        plan["recommended"][0]["reason"].as_str().unwrap().starts_with("Recommended"),
        "{}",
        plan["recommended"][0]
    );
    let kraken = plan["exchanges"].as_array().unwrap().iter().find(|v| v["venue"] == "kraken").unwrap();
    assert_eq!(kraken["fewest_days"], 1);
    let one_day = kraken["schedules"].as_array().unwrap().iter().find(|s| s["days"] == 1).unwrap();
    assert!(one_day["net"].is_string(), "money as strings: {one_day}");
    let bad = json!({"request": {"qty": "10", "asset": "BTC", "fiat": "USD", "country": "US",
        "price": "65000"}, "maxDays": 0});
    let err = a.call("plan", bad).expect_err("refused");
    assert_eq!(err["code"], "INVALID_INPUT");
}

#[test]
fn errors_reach_the_ui_as_code_and_message() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let config = Config::resolve(Flavor::Dev, Some(file), None);
    let err = invoke(config, "get_status").expect_err("must fail");
    assert_eq!(err["code"], "LEDGER_PATH_INVALID");
    assert!(err["message"].as_str().unwrap().contains("not a folder"), "{err}");
    assert_eq!(err.as_object().unwrap().len(), 2, "exactly {{code, message}}: {err}");

    let err = invoke(Config::resolve(Flavor::Dev, None, None), "get_status").expect_err("must fail");
    assert_eq!(err["code"], "DATA_DIR_UNAVAILABLE");
}

const HISTORY: &str = "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n\
    2024-01-05T10:00:00Z,buy,Kraken,30000,USD,1,BTC\n\
    2024-06-30T09:00:00Z,sell,Kraken,0.5,BTC,35000,USD\n";

/// The window's whole ledger flow: locked until unlocked, one session for every command, reports, exports, the
/// user's figures in quotes, locking again.
#[test]
fn a_session_is_held_while_unlocked() {
    let (tmp, config) = temp_config();
    let a = app(config);
    assert_eq!(a.call("session_state", json!({})).unwrap()["unlocked"], false);
    assert_eq!(a.call("accounts", json!({})).unwrap_err()["code"], "LEDGER_LOCKED");
    assert_eq!(a.call("unlock", json!({"passphrase": "pw"})).unwrap_err()["code"], "LEDGER_NOT_FOUND");
    a.call("create_ledger", json!({"passphrase": "a good passphrase"})).unwrap();
    assert_eq!(a.call("session_state", json!({})).unwrap()["unlocked"], true);

    let file = tmp.path().join("history.csv");
    std::fs::write(&file, HISTORY).unwrap();
    let r = a.call("import_files", json!({"paths": [file], "job": "import-1"})).unwrap();
    assert_eq!(r["added"], 2);
    let progress = a.progress.lock().unwrap().clone();
    assert!(progress.iter().any(|p| p.job == "import-1" && p.done == 2 && p.total == 2), "{progress:?}");
    assert_eq!(a.call("accounts", json!({})).unwrap()[0]["name"], "Kraken");
    let page = a.call("transactions", json!({"query": {"limit": 1}})).unwrap();
    assert_eq!(page["rows"].as_array().unwrap().len(), 1);
    assert!(page["next"].is_string());

    let gains = a.call("us_gains", json!({"year": 2024, "basis": {}, "job": "r1"})).unwrap();
    assert_eq!(gains["short_term_gain"], json!({"value": "20000.00", "code": "USD"}));
    let bad = a.call("us_gains", json!({"year": 2024, "basis": {"method": "random"}, "job": "r2"})).unwrap_err();
    assert_eq!(bad["code"], "INVALID_INPUT");
    let out = tmp.path().join("gains.csv");
    let exported = a
        .call(
            "export_file",
            json!({"request": {"kind": "gains", "jurisdiction": "us", "year": 2024}, "path": out, "job": "e1"}),
        )
        .unwrap();
    assert!(exported["summary"][0].as_str().unwrap().contains("1 rows"), "{exported}");
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("date_acquired,date_sold"));
    assert!(exported["notice"].as_str().unwrap().starts_with("This file is not encrypted"), "{exported}");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    let again = a.call("export_file", json!({"request": {"kind": "generic"}, "path": out, "job": "e2"})).unwrap_err();
    assert_eq!(again["code"], "INVALID_INPUT", "an existing file is never replaced: {again}");

    // The user's own figures reach the window's quotes while unlocked.
    a.call("set_override", json!({"venue": "kraken", "field": "taker_pct", "value": "0.1", "note": "my tier"}))
        .unwrap();
    let request = json!({"request": {"qty": "2", "asset": "BTC", "fiat": "USD", "country": "US", "price": "50000"}});
    let fee = |quotes: &Value| {
        quotes.as_array().unwrap().iter().find(|q| q["venue"] == "kraken").unwrap()["costs"][0]["amount"].clone()
    };
    assert_eq!(fee(&a.call("quote", request.clone()).unwrap()), "100.0", "0.1 % of 100,000: your fee");
    let settings = a.call("set_transfer_fee", json!({"jurisdiction": "ca", "treatment": "basis"})).unwrap();
    assert_eq!(settings["jurisdiction"], "ca");

    a.call("lock", json!({})).unwrap();
    assert_eq!(a.call("accounts", json!({})).unwrap_err()["code"], "LEDGER_LOCKED");
    assert_eq!(fee(&a.call("quote", request).unwrap()), "260.00", "locked: the published fee");
    assert_eq!(a.call("unlock", json!({"passphrase": "wrong"})).unwrap_err()["code"], "WRONG_KEY");
    a.call("unlock", json!({"passphrase": "a good passphrase"})).unwrap();
    assert_eq!(a.call("overrides", json!({})).unwrap().as_array().unwrap().len(), 1);
}

/// A long import cancelled from the window adds nothing and says CANCELLED.
#[test]
fn a_cancelled_import_adds_nothing() {
    let (tmp, config) = temp_config();
    let a = app(config);
    a.call("create_ledger", json!({"passphrase": "a good passphrase"})).unwrap();
    let file = tmp.path().join("big.csv");
    let mut text = String::from("timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset\n");
    for i in 0..400_000u64 {
        text.push_str(&format!(
            "2024-01-01T00:00:00.{:06}Z,buy,A,{}.{:02},USD,0.001,BTC\n",
            i % 1_000_000,
            10 + i / 100,
            i % 100
        ));
    }
    std::fs::write(&file, text).unwrap();
    // Cancel as soon as the first progress report arrives.
    // (What `cancel_job` does; the window's call itself is checked below.)
    let canceller = {
        let (progress, shell) = (a.progress.clone(), a._app.state::<Shell>().share());
        std::thread::spawn(move || {
            for _ in 0..2000 {
                if !progress.lock().unwrap().is_empty() {
                    return Value::Bool(crate::cancel_job(&shell, "big"));
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            Value::Bool(false)
        })
    };
    let r = a.call("import_files", json!({"paths": [file], "job": "big"}));
    assert_eq!(canceller.join().unwrap(), true, "the job was running when cancelled");
    assert_eq!(r.unwrap_err()["code"], "CANCELLED");
    assert_eq!(a.call("accounts", json!({})).unwrap(), json!([]));
    assert_eq!(a.call("cancel_job", json!({"job": "big"})).unwrap(), false, "the job is over");
}

/// A panic inside a command is an INTERNAL error for the window, and the app goes on.
#[test]
fn a_panic_becomes_an_error() {
    let r: Result<(), AppError> = tauri::async_runtime::block_on(blocking(|| panic!("a test bug")));
    let e = r.unwrap_err();
    assert_eq!(e.code, ErrorCode::Internal);
    assert!(e.message.contains("a test bug") && e.message.contains("Nothing was changed"), "{}", e.message);
    // A panic while the session was held does not leave the shell unusable.
    let (_tmp, config) = temp_config();
    let shell = Shell::new(config.clone());
    let inner = shell.share();
    tauri::async_runtime::block_on(blocking(move || {
        inner.with_slot(|slot| {
            *slot = Some(Session::create(&config, &offramp_app::Key::Passphrase("pw".into()))?);
            Ok(())
        })
    }))
    .unwrap();
    let inner = shell.share();
    let r: Result<(), AppError> =
        tauri::async_runtime::block_on(blocking(move || inner.with_session(|_| panic!("inside the session"))));
    assert_eq!(r.unwrap_err().code, ErrorCode::Internal);
    assert!(shell.share().with_session(|s| s.accounts()).unwrap().is_empty());
}

/// The window's second factor: enrol (the code computed from the secret shown), lock, unlock with the passphrase
/// and a code, a reused code refused, a recovery code once, turning it off.
#[test]
fn the_second_factor_through_the_window() {
    let (_tmp, config) = temp_config();
    let store: Arc<dyn offramp_app::twofa::SecretStore> = Arc::new(offramp_app::twofa::MemoryStore::default());
    let app = with_shell(mock_builder(), Shell::with_store(config.clone(), store))
        .build(mock_context(noop_assets()))
        .expect("mock app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("window");
    let a = App { _app: app, webview, progress: Arc::new(Mutex::new(Vec::new())) };
    let pass = "a good passphrase for tests";
    a.call("create_ledger", json!({"passphrase": pass})).unwrap();
    let e = a.call("twofa_begin", json!({})).unwrap();
    let secret = e["secret_base32"].as_str().unwrap().to_string();
    assert!(e["qr_svg"].as_str().unwrap().contains("<svg"));
    let now = offramp_app::clock::system_now();
    let code = |t: offramp_app::model::Timestamp| offramp_app::twofa::code_at(&secret, t).unwrap();
    let wrong = a.call("twofa_confirm", json!({"passphrase": pass, "code": "000000"})).unwrap_err();
    assert_eq!(wrong["code"], "WRONG_CODE");
    let first = code(now);
    let recovery = a.call("twofa_confirm", json!({"passphrase": pass, "code": first})).unwrap();
    assert_eq!(recovery.as_array().unwrap().len(), 10);
    assert_eq!(a.call("accounts", json!({})).unwrap(), json!([]), "still unlocked after enrolling");
    a.call("lock", json!({})).unwrap();
    let state = a.call("session_state", json!({})).unwrap();
    assert_eq!((state["unlocked"].clone(), state["second_factor"].clone()), (json!(false), json!(true)));
    assert_eq!(a.call("unlock", json!({"passphrase": pass})).unwrap_err()["code"], "CODE_REQUIRED");
    // The code just used to enrol is refused (its time step is spent); the next step's code works.
    let used = a.call("unlock", json!({"passphrase": pass, "code": first})).unwrap_err();
    assert_eq!(used["code"], "WRONG_CODE");
    let later = offramp_app::model::Timestamp::from_unix_micros(now.unix_micros() + 30_000_000);
    a.call("unlock", json!({"passphrase": pass, "code": code(later)})).unwrap();
    a.call("lock", json!({})).unwrap();
    let r = recovery[0].as_str().unwrap();
    a.call("unlock", json!({"passphrase": pass, "code": r})).unwrap();
    a.call("lock", json!({})).unwrap();
    assert_eq!(a.call("unlock", json!({"passphrase": pass, "code": r})).unwrap_err()["code"], "WRONG_CODE");
    assert_eq!(a.call("twofa_status", json!({})).unwrap()["recovery_codes_left"], 9);
}

/// After a minute without use the history kept for reports is dropped (memory back), the ledger stays unlocked,
/// and the next use loads it again.
#[test]
fn an_idle_window_lets_go_of_the_report_cache() {
    let (_tmp, config) = temp_config();
    let a = app(config);
    a.call("create_ledger", json!({"passphrase": "a good passphrase for tests"})).unwrap();
    let shell = a._app.state::<Shell>().share();
    let now = std::time::SystemTime::now();
    assert_eq!(a.call("attention", json!({})).unwrap()["transactions"], 0); // loads the history
    assert!(!shell.release_if_idle(now + std::time::Duration::from_secs(30)), "not idle long enough");
    assert!(shell.release_if_idle(now + std::time::Duration::from_secs(61)));
    assert!(!shell.release_if_idle(now + std::time::Duration::from_secs(62)), "nothing left to drop");
    assert_eq!(a.call("attention", json!({})).unwrap()["transactions"], 0, "still unlocked, loaded again");
    assert!(shell.release_if_idle(now + std::time::Duration::from_secs(63)));
}

/// The ledger locks itself after the idle time the user set (kept across restarts), and not before.
#[test]
fn the_ledger_locks_itself_when_idle() {
    let (_tmp, config) = temp_config();
    let a = app(config.clone());
    a.call("create_ledger", json!({"passphrase": "a good passphrase for tests"})).unwrap();
    assert_eq!(a.call("get_auto_lock", json!({})).unwrap(), 10);
    assert_eq!(a.call("set_auto_lock", json!({"minutes": 0})).unwrap_err()["code"], "INVALID_INPUT");
    assert_eq!(a.call("set_auto_lock", json!({"minutes": 3})).unwrap(), 3);
    let shell = a._app.state::<Shell>().share();
    let now = std::time::SystemTime::now();
    assert!(!shell.lock_if_idle(now + std::time::Duration::from_secs(170)), "not idle long enough");
    assert!(shell.lock_if_idle(now + std::time::Duration::from_secs(181)));
    assert_eq!(a.call("accounts", json!({})).unwrap_err()["code"], "LEDGER_LOCKED");
    // The setting is kept for the next start.
    let b = Shell::new(config);
    b.share().load_preferences();
    assert_eq!(b.share().auto_lock_minutes.load(std::sync::atomic::Ordering::Relaxed), 3);
}

/// The one list of commands (src/command_names.rs, from which build.rs makes a permission each) is the handler's
/// list, and the window's capability allows exactly those, the two event calls and the open and save dialogs: no
/// core command.
#[test]
fn the_window_may_call_only_offramps_commands() {
    let source = include_str!("commands.rs");
    let handler = source.split("tauri::generate_handler![").nth(1).unwrap().split(']').next().unwrap();
    let handled: Vec<&str> = handler.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    assert_eq!(handled, crate::command_names::COMMANDS);
    let defined = source.matches("#[tauri::command]").count();
    assert_eq!(defined, handled.len(), "every #[tauri::command] is in the handler");

    let capability: Value = serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
    let allowed: Vec<&str> =
        capability["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    let mut expected =
        vec!["core:event:allow-listen", "core:event:allow-unlisten", "dialog:allow-open", "dialog:allow-save"];
    let names: Vec<String> = handled.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    expected.extend(names.iter().map(String::as_str));
    assert_eq!(allowed, expected);
    assert_eq!(capability["windows"], json!(["main"]));
}

/// The content security policy forbids inline scripts and styles, plugins, <base>, form posts and framing.
#[test]
fn the_content_security_policy_is_strict() {
    let conf: Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().unwrap();
    let directives: std::collections::HashMap<&str, &str> =
        csp.split(';').filter_map(|d| d.trim().split_once(' ')).collect();
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
    assert_eq!(directives["default-src"], "'self'");
    assert_eq!(directives["script-src"], "'self'");
    assert_eq!(directives["style-src"], "'self'");
    for d in ["object-src", "base-uri", "form-action", "frame-ancestors"] {
        assert_eq!(directives[d], "'none'", "{d}");
    }
    assert_eq!(conf["app"]["withGlobalTauri"], Value::Null, "no window.__TAURI__ global");
    // The web inspector exists only in debug builds unless tauri's `devtools` feature is on: it is not.
    let manifest = include_str!("../Cargo.toml");
    assert!(!manifest.contains("devtools"), "no devtools in release builds");
}

/// The screen locking (a screensaver's `ActiveChanged(true)` on the session bus, as GNOME and others send it)
/// locks the ledger and tells the window; the screen saver stopping does not unlock anything.
#[test]
#[ignore = "needs a D-Bus session bus: run by scripts/keyring-test.sh"]
fn the_ledger_locks_when_the_screen_locks() {
    let (_tmp, config) = temp_config();
    let a = app(config);
    let locked = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = locked.clone();
    a._app.listen_any("session-locked", move |e| seen.lock().unwrap().push(e.payload().to_string()));
    a.call("create_ledger", json!({"passphrase": "a good passphrase for tests"})).unwrap();
    let shell = a._app.state::<Shell>().share();
    assert!(shell.is_unlocked());
    start_locks(a._app.handle(), shell.clone()).unwrap();
    let bus = zbus::blocking::Connection::session().expect("a session bus");
    let emit = |on: bool| {
        bus.emit_signal(None::<&str>, "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver", "ActiveChanged", &on).unwrap();
    };
    // The watchers subscribe in the background: keep signalling "off" until the shell has certainly subscribed,
    // then "on".
    std::thread::sleep(std::time::Duration::from_millis(500));
    emit(false);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(shell.is_unlocked(), "the screen saver stopping locks nothing");
    emit(true);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while shell.is_unlocked() {
        assert!(std::time::Instant::now() < deadline, "the screen lock did not lock the ledger");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(a.call("accounts", json!({})).unwrap_err()["code"], "LEDGER_LOCKED");
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(*locked.lock().unwrap(), vec!["\"ActiveChanged\"".to_string()]);
}
