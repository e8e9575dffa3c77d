//! The guided sale's benchmark (a bench binary): the release app in a real window under Xvfb, driven through
//! tauri-driver. Run with `scripts/wizard-bench.sh` (builds the release app, starts Xvfb, runs this).
//!
//! Times, measured inside the window (from the click on "Next" to the step's result on screen, polled every
//! animation frame), for 10 BTC to USD from the US:
//! 1. "Compare" to the comparison table, offline (the square-root law) and with live order books from a local
//!    server replaying recorded answers (Gemini's never answers: its 1.5 s timeout is inside the figure).
//! 2. "Plan" to the recommendation, offline, 60 and 365 days.
//!
//! Each run uses a different price, so nothing comes from a cache.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

#[path = "../tests/webdriver/mod.rs"]
mod webdriver;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::json;
use webdriver::*;

const RUNS: usize = 7;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` asks for a list: there are no tests here.
    }
    let app = bench_app("scripts/wizard-bench.sh");
    let artifacts = artifacts_dir();
    let tmp = tempfile::tempdir().unwrap();
    let recorded = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("crates/offramp-market/tests/recorded");
    let market = offramp_market::replay::serve(recorded, vec![offramp_market::Exchange::Gemini]).unwrap();
    let driver = Driver::start_with(
        &tmp.path().join("data"),
        &artifacts.join("tauri-driver-wizard-bench.log"),
        &[("OFFRAMP_MARKET_URL", &market)],
    );
    let s = Session::new(&driver, &app);
    s.wait_text_for("[data-testid=ledger-state]", Duration::from_secs(30), |t| !t.is_empty());
    println!("app: {}", app.display());
    s.click("[data-testid=nav-compare]");
    s.click("[data-testid=wizard-step-2]");
    s.type_into("[data-testid=sale-qty]", "10");
    s.type_into("[data-testid=sale-price]", "65000");

    let mut compare_offline = Vec::new();
    let mut compare_live = Vec::new();
    let mut plan_60 = Vec::new();
    let mut plan_365 = Vec::new();
    // Turns the comparison's live order books on or off (kept in the wizard's state).
    let set_live = |on: bool| {
        s.click("[data-testid=wizard-step-4]");
        s.wait_for("[data-testid=compare-live]");
        let checked = s.run_sync("return document.querySelector('[data-testid=compare-live]').checked ? 'on' : 'off'");
        if (checked == "on") != on {
            s.click("[data-testid=compare-live]");
        }
    };
    let mut price = 65_000;
    let mut fresh = |s: &Session, step: &str| {
        price += 1;
        s.click("[data-testid=wizard-step-2]");
        set_value(s, "[data-testid=sale-price]", &price.to_string());
        s.click(step);
    };
    for _ in 0..RUNS {
        for (live, out) in [(false, &mut compare_offline), (true, &mut compare_live)] {
            set_live(live);
            fresh(&s, "[data-testid=wizard-step-3]");
            out.push(timed(
                &s,
                "[data-testid=wizard-next]",
                "[data-testid=compare-table]",
                "[data-testid=wizard-page-4]",
            ));
        }
        set_live(false);
        for (days, out) in [("60", &mut plan_60), ("365", &mut plan_365)] {
            s.click("[data-testid=wizard-step-5]");
            set_value(&s, "[data-testid=wizard-max-days]", days);
            fresh(&s, "[data-testid=wizard-step-4]");
            s.wait_for("[data-testid=compare-table]");
            out.push(timed(
                &s,
                "[data-testid=wizard-next]",
                "[data-testid=plan-recommended]",
                "[data-testid=wizard-page-5]",
            ));
        }
    }
    s.screenshot(&artifacts.join("wizard-bench-plan.png"));
    report("Compare -> comparison on screen, offline (square-root law)", &compare_offline);
    report(
        "Compare -> comparison on screen, live order books (replay server, one exchange never answers)",
        &compare_live,
    );
    report("Plan -> recommendation on screen, 60 days", &plan_60);
    report("Plan -> recommendation on screen, 365 days", &plan_365);
}

/// Sets an input's whole value as typing would (React sees an input event), whatever it held before.
fn set_value(s: &Session, css: &str, text: &str) {
    s.wait_for(css);
    s.run_sync(&format!(
        "const el = document.querySelector('{css}');
         Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, '{text}');
         el.dispatchEvent(new Event('input', {{ bubbles: true }}));
         return '';"
    ));
}

/// Clicks `button` and polls every animation frame until `result` is on the page (and `page` shows the step):
/// the milliseconds in between, measured by the window's own clock.
fn timed(s: &Session, button: &str, result: &str, page: &str) -> f64 {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const t0 = performance.now();
         document.querySelector('{button}').click();
         (function poll() {{
           if (document.querySelector('{page}') && document.querySelector('{result}')) done(performance.now() - t0);
           else requestAnimationFrame(poll);
         }})();"
    );
    send(ureq::post(&format!("{}/timeouts", s.base)), Some(json!({"script": 30_000})));
    let body = Some(json!({"script": script, "args": []}));
    match try_send(ureq::post(&format!("{}/execute/async", s.base)).timeout(Duration::from_secs(40)), body) {
        Ok(v) => v["value"].as_f64().unwrap_or_else(|| panic!("no time: {v}")),
        Err(e) => {
            s.screenshot(&artifacts_dir().join("wizard-bench-failure.png"));
            panic!("{result} never showed: {e} (window: wizard-bench-failure.png)")
        }
    }
}

fn report(what: &str, ms: &[f64]) {
    let mut sorted = ms.to_vec();
    sorted.sort_by(f64::total_cmp);
    let all: Vec<String> = ms.iter().map(|m| format!("{m:.0}")).collect();
    println!(
        "{what}: median {:.0} ms, worst {:.0} ms ({} runs: {})",
        sorted[sorted.len() / 2],
        sorted[sorted.len() - 1],
        ms.len(),
        all.join(", ")
    );
}
