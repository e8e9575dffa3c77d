//! An exchange's answer: the first byte picks the exchange, the rest is the body. Parsed and checked, or an
//! error; what is accepted is a book a quote can walk without overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use offramp_market::Exchange;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(body) else { return };
    let ex = Exchange::ALL[pick as usize % Exchange::ALL.len()];
    if let Ok(book) = ex.parse(text) {
        for qty in ["0.001", "1", "1000000000000"] {
            let _ = offramp_core::market::walk_sell(&book, qty.parse().unwrap_or_default());
        }
    }
});
