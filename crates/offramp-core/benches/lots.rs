//! Lot engine benchmark (a bench binary: `cargo bench -p offramp-core --bench lots`).
//! 1. 1,000,000 events over 3 assets and 5 accounts (buys, sells, moves), every method. Target: under 1 s each.
//! 2. The whole path of a US gains report from 1,000,000 ledger transactions (buys, sells, own transfers):
//!    transactions to lot events, the universal-to-per-account transition at 2025, booking, and the year's rows,
//!    for FIFO, LIFO and HIFO. Target: under 1 s each; peak memory is read with `/usr/bin/time -v`.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use std::time::Instant;

use offramp_core::lots::{book, book_with, Event, Method, PoolId};
use offramp_core::tax::{gain_rows, to_events, universal_before};
use offramp_core::time::Zone;
use offramp_core::{Amount, Code, Decimal, Timestamp, Transaction, TxKind};

fn main() {
    let n: usize = std::env::var("OFFRAMP_BENCH_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    // OFFRAMP_BENCH_PART=1 or 2 runs one part alone (to read each part's peak memory).
    let part = std::env::var("OFFRAMP_BENCH_PART").unwrap_or_default();
    if part == "2" {
        transactions(n);
        return;
    }
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
    drop(events);
    if part != "1" {
        transactions(n);
    }
}

/// Part 2: from ledger transactions to a year's gain rows.
fn transactions(n: usize) {
    let assets = [Code::parse("BTC").unwrap(), Code::parse("ETH").unwrap(), Code::parse("SOL").unwrap()];
    let usd = Code::parse("USD").unwrap();
    let accounts = ["acct-0", "acct-1", "acct-2", "acct-3", "acct-4"];
    // One transaction every 2 minutes from 2022: 1M of them reach into 2025 (the transition is crossed).
    let start = Timestamp::parse_rfc3339("2022-01-01T00:00:00Z").unwrap().unix_micros();
    let mut held = [[Decimal::ZERO; 3]; 5];
    let mut txs: Vec<(i64, Transaction)> = Vec::with_capacity(n);
    let mut links = Vec::new();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let tx = |time: i64, account: &str, kind: TxKind, sent: Option<Amount>, received: Option<Amount>| Transaction {
        sent,
        received,
        ..Transaction::new(Timestamp::from_unix_micros(time), account, kind)
    };
    while txs.len() < n {
        let r = next();
        let (a, asset) = ((r % 5) as usize, ((r >> 8) % 3) as usize);
        let time = start + txs.len() as i64 * 120_000_000;
        let id = txs.len() as i64 + 1;
        match (r >> 16) % 10 {
            0..=4 => {
                let qty = Decimal::new(1 + (r >> 24) as i64 % 100_000, 5);
                held[a][asset] += qty;
                let cost = Decimal::new(100 + (r >> 32) as i64 % 10_000_000, 2);
                txs.push((
                    id,
                    tx(
                        time,
                        accounts[a],
                        TxKind::Buy,
                        Some(Amount::new(cost, usd)),
                        Some(Amount::new(qty, assets[asset])),
                    ),
                ));
            }
            5..=7 => {
                let qty = (held[a][asset] * Decimal::new(40, 2)).round_dp(5);
                if qty.is_zero() {
                    continue;
                }
                held[a][asset] -= qty;
                let proceeds = Decimal::new(100 + (r >> 32) as i64 % 10_000_000, 2);
                txs.push((
                    id,
                    tx(
                        time,
                        accounts[a],
                        TxKind::Sell,
                        Some(Amount::new(qty, assets[asset])),
                        Some(Amount::new(proceeds, usd)),
                    ),
                ));
            }
            _ => {
                let to = (a + 1 + (r >> 40) as usize % 4) % 5;
                let qty = (held[a][asset] * Decimal::new(25, 2)).round_dp(5);
                if qty.is_zero() || txs.len() + 2 > n {
                    continue;
                }
                held[a][asset] -= qty;
                held[to][asset] += qty;
                txs.push((id, tx(time, accounts[a], TxKind::TransferOut, Some(Amount::new(qty, assets[asset])), None)));
                txs.push((
                    id + 1,
                    tx(time + 1, accounts[to], TxKind::TransferIn, None, Some(Amount::new(qty, assets[asset]))),
                ));
                links.push((id, id + 1));
            }
        }
    }
    let last_year = chrono::Datelike::year(&txs.last().unwrap().1.timestamp.date_utc());
    println!("{} ledger transactions ({} own transfers), 2022 to {last_year}", txs.len(), links.len());
    let cutoff = Timestamp::parse_rfc3339("2025-01-01T00:00:00Z").unwrap();
    for method in [Method::Fifo, Method::Lifo, Method::Hifo] {
        let t = Instant::now();
        let mut names: Vec<&str> = Vec::new();
        let mut pool = |name: &str| {
            let i = names.iter().position(|x| *x == name).unwrap_or_else(|| {
                names.push(accounts.iter().find(|a| **a == name).copied().unwrap_or("other"));
                names.len() - 1
            });
            PoolId(i as u32)
        };
        let conv = to_events(&txs, &links, usd, &mut pool);
        let t_events = t.elapsed().as_secs_f64();
        let events = universal_before(conv.events, cutoff).unwrap();
        let t_transition = t.elapsed().as_secs_f64();
        let b = book_with(&events, &|_| method).unwrap();
        drop(events);
        let t_book = t.elapsed().as_secs_f64();
        let rows = gain_rows(&b, 2024, Zone::Utc);
        let secs = t.elapsed().as_secs_f64();
        println!(
            "US gains from transactions, {method:?}: {secs:.3} s (target < 1 s): {} disposals booked, {} rows for 2024 \
             (events {t_events:.3} s, transition {:.3} s, booking {:.3} s, rows {:.3} s)",
            b.disposals.len(),
            rows.len(),
            t_transition - t_events,
            t_book - t_transition,
            secs - t_book
        );
    }
}
