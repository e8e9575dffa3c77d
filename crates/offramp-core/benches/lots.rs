//! Lot engine benchmark (a bench binary: `cargo bench -p offramp-core --bench lots`).
//! 1,000,000 events over 3 assets and 5 accounts (buys, sells, moves), every method. Target: under 1 s each.

use std::time::Instant;

use offramp_core::lots::{book, Event, Method, PoolId};
use offramp_core::{Code, Decimal, Timestamp};

fn main() {
    let n: usize = std::env::var("OFFRAMP_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    let assets = [Code::parse("BTC").unwrap(), Code::parse("ETH").unwrap(), Code::parse("SOL").unwrap()];
    let start = Timestamp::parse_rfc3339("2020-01-01T00:00:00Z").unwrap().unix_micros();
    let mut held = [[Decimal::ZERO; 3]; 5];
    let mut events = Vec::with_capacity(n);
    // A deterministic pseudo-random walk (xorshift), so every run books the same history.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..n {
        let r = next();
        let (pool, asset) = ((r % 5) as usize, ((r >> 8) % 3) as usize);
        let time = Timestamp::from_unix_micros(start + i as i64 * 60_000_000);
        let id = i as i64;
        match (r >> 16) % 10 {
            0..=4 => {
                let qty = Decimal::new(1 + (r >> 24) as i64 % 100_000, 5);
                held[pool][asset] += qty;
                let cost = Some(Decimal::new(100 + (r >> 32) as i64 % 10_000_000, 2));
                events.push(Event::Acquire {
                    lot: id,
                    pool: PoolId(pool as u32),
                    asset: assets[asset],
                    time,
                    qty,
                    cost,
                });
            }
            5..=8 => {
                let qty = (held[pool][asset] * Decimal::new(((r >> 24) % 50) as i64 + 1, 2)).round_dp(5);
                if qty.is_zero() {
                    continue;
                }
                held[pool][asset] -= qty;
                let proceeds = Some(Decimal::new((r >> 32) as i64 % 10_000_000, 2));
                events.push(Event::Dispose {
                    id,
                    pool: PoolId(pool as u32),
                    asset: assets[asset],
                    time,
                    qty,
                    proceeds,
                    pick: None,
                });
            }
            _ => {
                let to = (pool + 1 + (r >> 40) as usize % 4) % 5;
                let qty = (held[pool][asset] * Decimal::new(25, 2)).round_dp(5);
                if qty.is_zero() {
                    continue;
                }
                held[pool][asset] -= qty;
                held[to][asset] += qty;
                events.push(Event::Move {
                    id,
                    from: PoolId(pool as u32),
                    to: PoolId(to as u32),
                    asset: assets[asset],
                    time,
                    qty,
                    fee: Decimal::ZERO,
                });
            }
        }
    }
    println!("{} events", events.len());
    for method in [Method::Fifo, Method::Lifo, Method::Hifo, Method::Average] {
        let t = Instant::now();
        let b = book(&events, method).unwrap();
        let secs = t.elapsed().as_secs_f64();
        let pieces: usize = b.disposals.iter().map(|d| d.pieces.len()).sum();
        println!(
            "{method:?}: {:.3} s (target < 1 s): {} disposals, {pieces} lot pieces, {} lots still held",
            secs,
            b.disposals.len(),
            b.holdings.len()
        );
    }
}
