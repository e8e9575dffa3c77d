//! Any bytes as an import file: recognised and read to rows, or refused with an error naming the file; never a
//! panic, never unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = offramp_store::import::parse_bytes(std::path::Path::new("fuzz.csv"), data);
});
