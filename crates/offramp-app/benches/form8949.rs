//! Form 8949 export benchmark (a bench binary: `cargo bench -p offramp-app --bench form8949`): a year with
//! 100,000 disposals (each taking two lot pieces), from booked lots to the CSV and Schedule D totals.
//! Target: under 1 s.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use std::time::Instant;

use offramp_app::model::Reported;
use offramp_app::report::us::form_8949;
use offramp_app::report::{GainsReport, ReportRow};
use offramp_core::lots::{book, Event, Method, PoolId};
use offramp_core::tax::us_rows;
use offramp_core::{Amount, Code, Decimal, Timestamp};

fn main() {
    let n = 100_000i64;
    let btc = Code::parse("BTC").unwrap();
    let usd = Code::parse("USD").unwrap();
    let start = Timestamp::parse_rfc3339("2023-03-01T00:00:00Z").unwrap().unix_micros();
    let mut events = Vec::new();
    // Lots through 2023 and 2024, sales through 2024: some long term, some short.
    for i in 0..n {
        let t = Timestamp::from_unix_micros(start + i * 300_000_000);
        events.push(Event::Acquire {
            lot: i,
            pool: PoolId(0),
            asset: btc,
            time: t,
            qty: Decimal::new(3, 3),
            cost: Some(Decimal::new(9000 + i % 500, 2) * Decimal::from(1000)),
        });
    }
    let sales_start = Timestamp::parse_rfc3339("2024-01-01T00:00:00Z").unwrap().unix_micros();
    let mut sales: Vec<Event> = (0..n)
        .map(|i| Event::Dispose {
            id: n + i,
            pool: PoolId(0),
            asset: btc,
            time: Timestamp::from_unix_micros(sales_start + i * 300_000_000),
            qty: Decimal::new(2, 3),
            proceeds: Some(Decimal::new(12000 + i % 700, 2) * Decimal::from(1000)),
            pick: None,
        })
        .collect();
    events.append(&mut sales);
    events.sort_by_key(|e| match e {
        Event::Acquire { time, .. } | Event::Dispose { time, .. } | Event::Move { time, .. } => *time,
    });
    let booking = book(&events, Method::Fifo).unwrap();
    let t = Instant::now();
    let rows: Vec<ReportRow> = us_rows(&booking, 2024)
        .into_iter()
        .map(|row| ReportRow {
            exchange_rates: vec![],
            row,
            account: "bench".into(),
            disposal_source: "bench.csv:1".into(),
            lot_source: "bench.csv:1".into(),
            flags: vec![],
        })
        .collect();
    let report = GainsReport {
        jurisdiction: offramp_app::model::Jurisdiction::Us,
        year: 2024,
        currency: usd,
        method: Method::Fifo,
        pooling: offramp_app::report::Pooling::Transition,
        terms: ("short", "long"),
        unknown_rows: 0,
        short_term_gain: Amount::zero(usd),
        long_term_gain: Amount::zero(usd),
        rows,
    };
    let file = form_8949(&report, Reported::None).unwrap();
    let (csv, totals) = (file.body, file.summary.join("\n"));
    let secs = t.elapsed().as_secs_f64();
    let disposals = booking.disposals.iter().filter(|d| d.time.date_utc().to_string().starts_with("2024")).count();
    println!(
        "Form 8949 for {disposals} disposals ({} rows, {:.1} MB CSV): {:.3} s (target < 1 s)",
        report.rows.len(),
        csv.len() as f64 / 1e6,
        secs
    );
    println!("{totals}");
}
