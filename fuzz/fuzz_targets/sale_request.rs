//! A sale request as the UI sends it (JSON of text fields): quoted at every venue and planned, or refused with
//! `INVALID_INPUT`; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offramp_app::venues::QuoteRequest;

fuzz_target!(|data: &[u8]| {
    let Ok(request) = serde_json::from_slice::<QuoteRequest>(data) else { return };
    let Ok(venues) = offramp_app::venues::venues(None) else { return };
    let _ = offramp_app::venues::quote_all_in(&venues, &request);
    let start = offramp_app::parse_day("start", "2026-12-01").unwrap_or_default();
    let _ = offramp_app::plan::plan_sale(&venues, &request, start, 30);
});
