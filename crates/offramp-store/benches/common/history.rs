//! The benchmarks' history: a generic CSV of `rows` rows, shared by the store's benchmark (`ledger.rs`) and the
//! desktop benchmark (`benches/desktop.rs`), which include this file with `#[path]`.

/// 3 assets, 6 accounts, every kind of row the importer handles, one row every 30 seconds from 2023.
pub fn write_csv(path: &std::path::Path, rows: usize) {
    use offramp_core::Timestamp;
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency,external_id,note").unwrap();
    let start = Timestamp::parse_rfc3339("2023-01-01T00:00:00Z").unwrap().unix_micros();
    let assets = ["BTC", "ETH", "SOL"];
    for i in 0..rows {
        let ts = Timestamp::from_unix_micros(start + i as i64 * 30_000_000);
        // Five busy accounts, and a rare one with a row in every 10,000.
        let account = if i % 10_000 == 9_999 { "rare".to_string() } else { format!("acct-{}", i % 5) };
        let asset = assets[i % 3];
        let q = format!("0.{:08}", 1 + (i * 7919) % 99_999_999);
        let usd = format!("{}.{:02}", 10 + i % 5000, i % 100);
        let line = match i % 10 {
            0..=4 => format!("{ts},buy,{account},{usd},USD,{q},{asset},0.50,USD,,,x{i},"),
            5 | 6 => format!("{ts},sell,{account},{q},{asset},{usd},USD,0.50,USD,,,x{i},"),
            7 => format!("{ts},staking,{account},,,{q},{asset},,,{usd},USD,x{i},"),
            8 => format!("{ts},trade,{account},{q},{asset},{q},{},,,{usd},USD,x{i},", assets[(i + 1) % 3]),
            _ => format!("{ts},transfer_out,{account},{q},{asset},,,0.0001,{asset},,,x{i},"),
        };
        writeln!(w, "{line}").unwrap();
    }
}
