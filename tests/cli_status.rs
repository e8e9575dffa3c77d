//! `offramp status`: golden output, JSON, and errors with stable codes.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

mod common;

use common::*;
use std::process::Command;

#[test]
fn status_text_for_a_new_data_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    let out = offramp(&["status", "--data-dir", d]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let want =
        golden("status_missing.txt", &[("VERSION", offramp_app::VERSION), ("FLAVOR", flavor_words()), ("DATA_DIR", d)]);
    assert_eq!(stdout(&out), want);
    assert!(!dir.exists(), "status must not create the data folder");
}

#[test]
fn status_text_when_the_ledger_exists() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("ledger.offramp"), b"not-a-real!").unwrap();
    let d = tmp.path().to_str().unwrap();
    let out = offramp(&["status", "--data-dir", d]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let want =
        golden("status_present.txt", &[("VERSION", offramp_app::VERSION), ("FLAVOR", flavor_words()), ("DATA_DIR", d)]);
    assert_eq!(stdout(&out), want);
}

#[test]
fn status_json_and_env_variable() {
    let tmp = tempfile::tempdir().unwrap();
    let out =
        Command::new(offramp_bin()).args(["status", "--json"]).env("OFFRAMP_DATA_DIR", tmp.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["app_version"], offramp_app::VERSION);
    assert_eq!(v["data_dir"], tmp.path().to_str().unwrap());
    assert_eq!(v["data_dir_overridden"], true);
    assert_eq!(v["ledger"], "missing");
    assert_eq!(v["ledger_size_bytes"], serde_json::Value::Null);
}

#[test]
fn default_folder_is_the_per_user_data_folder_and_dev_builds_use_their_own() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(offramp_bin())
        .args(["status", "--json"])
        .env_remove("OFFRAMP_DATA_DIR")
        .env("XDG_DATA_HOME", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let folder = if cfg!(debug_assertions) { "offramp-dev" } else { "offramp" };
    assert_eq!(v["data_dir"], tmp.path().join(folder).to_str().unwrap());
    assert_eq!(v["data_dir_overridden"], false);
}

#[test]
fn an_unusable_data_folder_is_a_coded_error_on_stderr() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("plain-file");
    std::fs::write(&file, b"x").unwrap();
    let out = offramp(&["status", "--data-dir", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(err.starts_with("error[LEDGER_PATH_INVALID]: "), "{err}");
    assert!(err.contains(file.to_str().unwrap()), "names the path: {err}");
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let out = offramp(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("frobnicate"));
    let out = offramp(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).contains("status"));
    let out = offramp(&["--version"]);
    assert_eq!(stdout(&out).trim(), format!("offramp {}", offramp_app::VERSION));
}

#[test]
fn venues_list_with_unknowns_spelled_out() {
    let out = offramp(&["venues", "--kind", "otc"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(stdout(&out), golden("venues_otc.txt", &[]));
    let out = offramp(&["venues", "--kind", "bank"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error[INVALID_INPUT]: kind: unknown venue kind `bank`"));
    let json: serde_json::Value = serde_json::from_str(&stdout(&offramp(&["venues", "--json"]))).unwrap();
    let kraken = json.as_array().unwrap().iter().find(|v| v["id"] == "kraken").unwrap();
    assert_eq!(kraken["fees"]["taker_pct"], "0.26", "figures cross as strings");
    assert_eq!(kraken["fees"]["tiers"][8]["min_volume"], "10000000");
}

/// `offramp quote`: offline, with the price and impact inputs given. Kraken: 0.26 % base taker fee on $650,000
/// ($1,690.00), square-root impact (Y 0.7, σ 3 %, V 10,000 BTC: $287.77), Fedwire $4.00: net $648,018.23, cash in
/// 32 days under a new verified account's (Intermediate) limits.
#[test]
fn quote_offline_with_given_price() {
    let out = offramp(&[
        "quote",
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
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    let kraken = text.lines().find(|l| l.starts_with("kraken ")).unwrap();
    assert_eq!(
        kraken.split_whitespace().collect::<Vec<_>>().join(" "),
        "kraken 648018.23 32 taker fee 1690.00; market impact 287.77; deposit fee 0.00; fiat withdrawal fee 4.00"
    );
    assert!(text.contains("kraken_otc           desk spread unknown"), "{text}");
    assert!(text.contains("bitvavo              does not pay out USD"), "{text}");
    let out = offramp(&["quote", "--sell", "10", "BTC", "--to", "USD"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error[INVALID_INPUT]: price: Offramp is offline"), "{}", stderr(&out));
}

/// `offramp quote --live` against a local server replaying recorded order books (no internet in tests; Gemini's
/// never answers). Kraken's recorded bids take 1.5 BTC at 0.8 × 65,000 + 0.7 × 64,995.3 = 97,496.71 against a
/// mid of 65,005.05 (97,507.575 for 1.5): impact 10.865; with the 0.26 % fee on 97,500 (253.50) and Fedwire
/// (4.00) the net is 97,231.635, shown as 97,231.64.
#[test]
fn quote_with_live_books_replayed_locally() {
    let dir = std::path::Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap())
        .join("crates/offramp-market/tests/recorded");
    let url = offramp_market::replay::serve(dir, vec![offramp_market::Exchange::Gemini]).unwrap();
    let data = tempfile::tempdir().unwrap();
    let quote = |url: &str| {
        std::process::Command::new(offramp_bin())
            .args(["quote", "--sell", "1.5", "BTC", "--to", "USD", "--price", "65000", "--live"])
            .env("OFFRAMP_MARKET_URL", url)
            .env("OFFRAMP_DATA_DIR", data.path())
            .output()
            .unwrap()
    };
    let out = quote(&url);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    assert!(text.lines().any(|l| l.starts_with("kraken: order book fetched in ")), "{text}");
    assert!(text.contains("gemini: no answer within 1500 ms: no live book, impact from the model"), "{text}");
    let kraken = text.lines().find(|l| l.starts_with("kraken ")).unwrap();
    assert_eq!(
        kraken.split_whitespace().collect::<Vec<_>>().join(" "),
        "kraken 97231.64 1 taker fee 253.50; market impact 10.87; deposit fee 0.00; fiat withdrawal fee 4.00"
    );
    // Offline now (nothing listens on that port): the books fetched a moment ago are used, with their age.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let out = quote(&closed);
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("kraken: offline (cannot reach the exchange): using its order book fetched at ")),
        "{text}"
    );
    assert!(
        text.contains("gemini: offline (cannot reach the exchange): no live book, impact from the model"),
        "{text}"
    );
    let kraken = text.lines().find(|l| l.starts_with("kraken ")).unwrap();
    assert!(kraken.contains("market impact 10.87"), "the cached book is walked exactly: {kraken}");
    // Live without a price of one's own: the median mid of the books that answered. Mids: Binance 64,998.015,
    // Coinbase 65,002.26, Bitstamp 65,005, Kraken 65,005.05 (Gemini never answers): (65,002.26 + 65,005) / 2.
    let out = std::process::Command::new(offramp_bin())
        .args(["quote", "--sell", "1.5", "BTC", "--to", "USD", "--live"])
        .env("OFFRAMP_MARKET_URL", &url)
        .env("OFFRAMP_DATA_DIR", data.path())
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("price: 65003.63 USD, the median mid price of 4 order book(s)"), "{text}");
    assert!(text.contains("Selling 1.5 BTC at 65003.63 USD each (median mid of the live order books)"), "{text}");
}

/// `offramp price`: the median mid of the replayed books (see above: 65,003.63 from 4 of 5; Gemini never
/// answers), as text and JSON; offline, a clear MARKET_UNAVAILABLE naming each exchange.
#[test]
fn the_live_price_from_replayed_books_and_offline() {
    let dir = std::path::Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap())
        .join("crates/offramp-market/tests/recorded");
    let url = offramp_market::replay::serve(dir, vec![offramp_market::Exchange::Gemini]).unwrap();
    let price = |url: &str, extra: &[&str]| {
        std::process::Command::new(offramp_bin())
            .args([&["price", "btc", "--to", "usd"][..], extra].concat())
            .env("OFFRAMP_MARKET_URL", url)
            .output()
            .unwrap()
    };
    let out = price(&url, &[]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("65003.63 USD per BTC at "), "{text}");
    assert!(text.trim_end().ends_with(", the median mid price of 4 order book(s)"), "{text}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&price(&url, &["--json"]))).unwrap();
    assert_eq!((v["price"].as_str(), v["books"].as_u64()), (Some("65003.63"), Some(4)));
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let out = price(&closed, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with("error[MARKET_UNAVAILABLE]: no live price of BTC in USD: "), "{err}");
    assert!(err.contains("kraken: offline (cannot reach the exchange)"), "{err}");
}

/// `offramp plan`: days under the limits, the frontier, JSON with every day, and bad input named.
#[test]
fn plan_splits_the_sale_under_the_limits() {
    let base = [
        "plan",
        "--sell",
        "10",
        "BTC",
        "--to",
        "USD",
        "--price",
        "65000",
        "--start",
        "2026-12-01",
        "--level",
        "kraken=Pro",
    ];
    let impact = ["--volatility", "0.03", "--daily-volume", "10000"];
    let out = offramp(&[&base[..], &impact[..], &["--max-days", "30"]].concat());
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "withdrawal limits 10000000.00 USD a day, 100000000.00 USD in 30 days; limits of your Pro level at Kraken \
             (Kraken Pro spot); fewest days 1"
        ),
        "{text}"
    );
    // Kraken, one day: 0.26 % of 650,000 (1,690) + impact 287.77 + Fedwire 4.00 = 1,981.77.
    let one_day = text.lines().find(|l| l.trim_start().starts_with("1     even")).unwrap();
    assert_eq!(
        one_day.split_whitespace().take(6).collect::<Vec<_>>(),
        ["1", "even", "1981.77", "648018.23", "0.00", "650.00"]
    );
    assert!(text.contains("Desks that could take the bulk, spread not published"), "{text}");
    assert!(text.contains("bitvavo: does not pay out USD"), "{text}");

    let out = offramp(&[&base[..], &impact[..], &["--json"]].concat());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let kraken = json["exchanges"].as_array().unwrap().iter().find(|v| v["venue"] == "kraken").unwrap();
    for s in kraken["schedules"].as_array().unwrap() {
        let total: offramp_core::Decimal = s["sales"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["qty"].as_str().unwrap().parse::<offramp_core::Decimal>().unwrap())
            .sum();
        assert_eq!(total, offramp_core::Decimal::from(10), "{s}");
        assert!(s["sales"][0]["gross"].is_string(), "money as strings");
    }

    // In euros from Germany: Bitvavo's Intermediate caps (25,000 a day, 50,000 in 30 days) for 1 BTC (59,000):
    // 25,000 on days 1 and 2 fill the 30-day window; day 31 has room again for the last 9,000: 31 days.
    let out = offramp(&[
        "plan",
        "--sell",
        "1",
        "BTC",
        "--to",
        "EUR",
        "--country",
        "DE",
        "--price",
        "59000",
        "--start",
        "2026-12-01",
        "--max-days",
        "60",
    ]);
    let text = stdout(&out);
    assert!(
        text.contains("withdrawal limits 25000.00 EUR a day, 50000.00 EUR in 30 days, 90000.00 EUR in 365 days; limits of Bitvavo's Intermediate level, the level a new verified account gets")
            && text.contains("fewest days 31"),
        "{text}"
    );
    assert!(text.contains("impact and risk are unknown, so costs are unknown"), "{text}");

    for (args, want) in [
        (vec!["--max-days", "0"], "error[INVALID_INPUT]: max days: 0 is not between 1 and 365"),
        (vec!["--start", "2026-13-01"], "error[INVALID_INPUT]: start: `2026-13-01` is not a date"),
    ] {
        let out = offramp(&[&base[..8], &args[..]].concat());
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).starts_with(want), "{}", stderr(&out));
    }
}

/// A sale under way: `--withdrawn` counts what already left a venue against its rolling windows.
#[test]
fn plan_counts_withdrawals_already_made() {
    let base = [
        "plan",
        "--sell",
        "4",
        "BTC",
        "--to",
        "USD",
        "--price",
        "64000",
        "--volatility",
        "0.03",
        "--daily-volume",
        "10000",
        "--start",
        "2026-12-10",
        "--max-days",
        "60",
    ];
    let fresh = stdout(&offramp(&base));
    assert!(fresh.contains("30 days; limits of Kraken") && fresh.contains("fewest days 3\n"), "{fresh}");
    // 400,000 out of Kraken's 500,000 in 30 days went yesterday: 100,000 today, the rest once it leaves the window.
    let out = offramp(&[&base[..], &["--withdrawn", "kraken:2026-12-09:400000"]].concat());
    assert!(stdout(&out).contains("fewest days 31\n"), "{}", stdout(&out));
    let bad = offramp(&[&base[..], &["--withdrawn", "kraken:2026-12-09"]].concat());
    assert!(
        stderr(&bad).starts_with("error[INVALID_INPUT]: withdrawn: `kraken:2026-12-09` is not VENUE:YYYY-MM-DD:AMOUNT")
    );
    let bad = offramp(&[&base[..], &["--withdrawn", "krakken:2026-12-09:5"]].concat());
    assert!(stderr(&bad).contains("no venue `krakken`"), "{}", stderr(&bad));
}
