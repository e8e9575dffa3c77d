//! Offramp's desktop shell. Each command is a few lines that call the application layer (`offramp-app`);
//! errors reach the UI as `{code, message}` (the serialized [`AppError`]).

use offramp_app::{AppError, Config, Flavor, Status};
use tauri::{Builder, Runtime, State};

/// Where the ledger lives, whether it exists, and the app version (the home screen).
#[tauri::command]
fn get_status(config: State<'_, Config>) -> Result<Status, AppError> {
    offramp_app::status(&config)
}

/// What selling would give at every venue of the catalog (offline: the price comes with the request).
#[tauri::command]
fn quote(request: offramp_app::venues::QuoteRequest) -> Result<Vec<offramp_app::model::VenueQuote>, AppError> {
    offramp_app::venues::quote_all(&request)
}

/// A plan for the sale at each exchange over at most `max_days` days from today (the clock is read here, at the
/// edge): schedules under the withdrawal limits and the cost-versus-risk frontier.
#[tauri::command]
fn plan(request: offramp_app::venues::QuoteRequest, max_days: u32) -> Result<offramp_app::model::Plan, AppError> {
    let today = offramp_app::clock::system_now().date_utc();
    offramp_app::plan::plan_sale(&offramp_app::venues::venues(None)?, &request, today, max_days)
}

/// Adds Offramp's state and commands to a builder. Generic over the runtime so tests can use `tauri::test`'s
/// mock runtime with the very same commands.
pub fn with_commands<R: Runtime>(builder: Builder<R>, config: Config) -> Builder<R> {
    builder.manage(config).invoke_handler(tauri::generate_handler![get_status, quote, plan])
}

/// Starts the desktop app. The data folder comes from `OFFRAMP_DATA_DIR` or the per-user data folder
/// (`offramp-dev` for debug builds).
pub fn run() {
    let config = Config::from_env(Flavor::of_this_build(), None);
    if let Err(e) = with_commands(Builder::default(), config).run(tauri::generate_context!()) {
        eprintln!("Offramp could not start its window: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;

    fn invoke(config: Config, cmd: &str) -> Result<serde_json::Value, serde_json::Value> {
        invoke_with(config, cmd, serde_json::json!({}))
    }

    fn invoke_with(config: Config, cmd: &str, args: serde_json::Value) -> Result<serde_json::Value, serde_json::Value> {
        let app = with_commands(mock_builder(), config).build(mock_context(noop_assets())).expect("mock app");
        let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("window");
        get_ipc_response(
            &webview,
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
        .map(|body| body.deserialize::<serde_json::Value>().expect("json"))
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
        let request = serde_json::json!({"request": {"qty": "2", "asset": "BTC", "fiat": "USD", "country": "US", "price": "50000"}});
        let quotes = invoke_with(config.clone(), "quote", request).expect("ok");
        let kraken = quotes.as_array().unwrap().iter().find(|q| q["venue"] == "kraken").unwrap();
        assert_eq!(kraken["gross"], "100000");
        assert_eq!(kraken["costs"][0]["amount"], "260.00", "0.26 % taker fee, as a string");
        assert_eq!(kraken["net"], serde_json::Value::Null, "no impact inputs: net unknown, not a guess");
        let err =
            invoke_with(config, "quote", serde_json::json!({"request": {"qty": "2", "asset": "BTC", "fiat": "USD"}}))
                .expect_err("no price");
        assert_eq!(err["code"], "INVALID_INPUT");
    }

    #[test]
    fn plan_command_returns_schedules_or_a_coded_error() {
        let config = Config::resolve(Flavor::Dev, None, None);
        let request = serde_json::json!({"request": {"qty": "10", "asset": "BTC", "fiat": "USD", "country": "US",
            "price": "65000", "daily_volatility": "0.03", "daily_volume": "10000"}, "maxDays": 10});
        let plan = invoke_with(config.clone(), "plan", request).expect("ok");
        let kraken = plan["exchanges"].as_array().unwrap().iter().find(|v| v["venue"] == "kraken").unwrap();
        assert_eq!(kraken["fewest_days"], 1);
        let one_day = kraken["schedules"].as_array().unwrap().iter().find(|s| s["days"] == 1).unwrap();
        assert!(one_day["net"].is_string(), "money as strings: {one_day}");
        let bad = serde_json::json!({"request": {"qty": "10", "asset": "BTC", "fiat": "USD", "country": "US",
            "price": "65000"}, "maxDays": 0});
        let err = invoke_with(config, "plan", bad).expect_err("refused");
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
}
