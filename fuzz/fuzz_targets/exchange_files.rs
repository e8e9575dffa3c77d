//! Every exchange importer: the first byte picks a variant (each of Coinbase, Kraken ledgers and trades, Binance,
//! Bitstamp, Gemini) whose fixture comes first, the rest are more rows.
#![no_main]

use libfuzzer_sys::fuzz_target;

/// Each exchange variant's fixture: its header (and title block) and valid rows, which the fuzzed rows follow.
const FIXTURES: &[&str] = &[
    include_str!("../../crates/offramp-store/tests/fixtures/coinbase-v1.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/coinbase-v2.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/coinbase-v3.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/coinbase-v4.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/kraken-ledgers-v1.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/kraken-ledgers-v2.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/kraken-ledgers-v3.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/kraken-trades-v1.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/kraken-trades-v2.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/binance-statement-v1.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/binance-statement-v2.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/bitstamp-v1.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/bitstamp-v2.csv"),
    include_str!("../../crates/offramp-store/tests/fixtures/gemini-v1.csv"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rows)) = data.split_first() else { return };
    let mut file = FIXTURES[pick as usize % FIXTURES.len()].as_bytes().to_vec();
    if !file.ends_with(b"\n") {
        file.push(b'\n');
    }
    file.extend_from_slice(rows);
    if let Ok(parsed) = offramp_store::import::parse_bytes(std::path::Path::new("fuzz.csv"), &file) {
        for row in &parsed.rows {
            assert!(row.tx.validate().is_ok(), "line {}: accepted an invalid transaction", row.line);
        }
    }
});
