//! The generic CSV: its header, then fuzzed rows (so the fuzzer spends its time in the row reader).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut file = offramp_store::import::GENERIC_COLUMNS.join(",").into_bytes();
    file.push(b'\n');
    file.extend_from_slice(data);
    if let Ok(parsed) = offramp_store::import::parse_bytes(std::path::Path::new("fuzz.csv"), &file) {
        // What is accepted is a valid transaction (amounts bounded, kinds consistent).
        for row in &parsed.rows {
            assert!(row.tx.validate().is_ok(), "line {}: accepted an invalid transaction", row.line);
        }
    }
});
