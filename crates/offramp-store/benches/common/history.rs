//! The benchmarks' history: a generic CSV of `rows` rows, shared by the store's benchmark (`ledger.rs`) and the
//! desktop benchmark (`benches/desktop.rs`), which include this file with `#[path]`.

/// 3 assets, 6 accounts, every kind of row the importer handles, one row every 30 seconds from 2023.
#[allow(dead_code)]
pub fn write_csv(path: &std::path::Path, rows: usize) {
    write_csv_from(path, rows, "2023-01-01T00:00:00Z", 30, false);
}

/// [`write_csv`] from `start` (RFC 3339), one row every `step_secs` seconds. With `held`, no account ever sells or
/// sends more than it holds (as a tax report needs): each account's first rows buy each asset, and every later buy
/// is one unit more than the sells and withdrawals take on average.
pub fn write_csv_from(path: &std::path::Path, rows: usize, start: &str, step_secs: i64, held: bool) {
    use offramp_core::Timestamp;
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency,external_id,note").unwrap();
    let start = Timestamp::parse_rfc3339(start).unwrap().unix_micros();
    let assets = ["BTC", "ETH", "SOL"];
    for i in 0..rows {
        let ts = Timestamp::from_unix_micros(start + i as i64 * step_secs * 1_000_000);
        // Five busy accounts, and a rare one with a row in every 10,000.
        let account = if i % 10_000 == 9_999 { "rare".to_string() } else { format!("acct-{}", i % 5) };
        let asset = assets[i % 3];
        let q = format!("0.{:08}", 1 + (i * 7919) % 99_999_999);
        let bought = if held { format!("1.{:08}", 1 + (i * 7919) % 99_999_999) } else { q.clone() };
        let usd = format!("{}.{:02}", 10 + i % 5000, i % 100);
        let opening = held && i < 18;
        let line = match i % 10 {
            _ if opening => {
                let (account, asset) = (if i < 15 { format!("acct-{}", i / 3) } else { "rare".into() }, assets[i % 3]);
                format!("{ts},buy,{account},{usd},USD,100,{asset},0.50,USD,,,x{i},")
            }
            0..=4 => format!("{ts},buy,{account},{usd},USD,{bought},{asset},0.50,USD,,,x{i},"),
            5 | 6 => format!("{ts},sell,{account},{q},{asset},{usd},USD,0.50,USD,,,x{i},"),
            7 => format!("{ts},staking,{account},,,{q},{asset},,,{usd},USD,x{i},"),
            8 => format!("{ts},trade,{account},{q},{asset},{q},{},,,{usd},USD,x{i},", assets[(i + 1) % 3]),
            _ => format!("{ts},transfer_out,{account},{q},{asset},,,0.0001,{asset},,,x{i},"),
        };
        writeln!(w, "{line}").unwrap();
    }
}
