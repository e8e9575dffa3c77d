//! Order books: each exchange's recorded response shape parsed exactly, and the HTTP source run against a local
//! server that replays them (no internet in tests): concurrency, a venue that hangs, and the offline state.
#![allow(clippy::unwrap_used, clippy::panic, clippy::float_arithmetic, clippy::cast_precision_loss, clippy::float_cmp)]

use std::net::TcpListener;
use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use offramp_core::market::{walk_sell, SellWalk};
use offramp_core::Decimal;
use offramp_market::{BookSource, Exchange, HttpBooks, MarketError};

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn recorded(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/recorded").join(name),
    )
    .unwrap()
}

#[test]
fn every_recorded_shape_parses_exactly() {
    let k = Exchange::Kraken.parse(&recorded("kraken.json")).unwrap();
    assert_eq!((k.bids[0].price, k.bids[0].size), (d("65000.00000"), d("0.800")));
    assert_eq!((k.asks[2].price, k.asks.len()), (d("65020.50000"), 3));
    let c = Exchange::Coinbase.parse(&recorded("coinbase.json")).unwrap();
    assert_eq!((c.bids[1].price, c.bids[1].size), (d("64999.99"), d("1.2")), "size is the level total, not × orders");
    let b = Exchange::Binance.parse(&recorded("binance.json")).unwrap();
    assert_eq!(b.bids[0].size, d("0.52100000"));
    let s = Exchange::Bitstamp.parse(&recorded("bitstamp.json")).unwrap();
    assert_eq!(s.bids[0].size, d("0.33685271"));
    let g = Exchange::Gemini.parse(&recorded("gemini.json")).unwrap();
    assert_eq!((g.asks[0].price, g.asks[0].size), (d("65005.25"), d("0.9")));

    // Walking the recorded Kraken book for 1.5 BTC: 0.8 × 65000 + 0.7 × 64995.3 = 52000 + 45496.71.
    let SellWalk::Filled(f) = walk_sell(&k, d("1.5")).unwrap() else { panic!("depth") };
    assert_eq!(f.gross, d("97496.710"));
    assert!(matches!(walk_sell(&k, d("10")).unwrap(), SellWalk::NotEnoughDepth { .. }));
}

#[test]
fn bad_answers_are_errors_naming_the_exchange() {
    let e = Exchange::Kraken.parse(r#"{"error":["EQuery:Unknown asset pair"]}"#).unwrap_err();
    assert!(e.to_string().starts_with("Kraken order book: the exchange answered with errors"), "{e}");
    assert!(Exchange::Binance
        .parse(r#"{"code":-1121,"msg":"Invalid symbol."}"#)
        .unwrap_err()
        .to_string()
        .contains("Invalid symbol"));
    assert!(Exchange::Gemini.parse("<html>").is_err());
    assert!(
        Exchange::Coinbase.parse(r#"{"bids":[["1e5","1"]],"asks":[]}"#).is_ok(),
        "exponent strings are read exactly"
    );
    assert!(Exchange::Bitstamp.parse(r#"{"bids":[["abc","1"]],"asks":[]}"#).is_err());
}

#[test]
fn books_come_concurrently_and_a_hanging_venue_only_times_out() {
    let dir = Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").unwrap()).join("tests/recorded");
    let addr = offramp_market::replay::serve(dir, vec![Exchange::Gemini]).unwrap();
    let source = HttpBooks::new(Some(addr));
    let started = Instant::now();
    let results = source.books(&Exchange::ALL, "BTC", "USD", Duration::from_millis(800));
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_millis(2000), "the hanging venue held the others: {elapsed:?}");
    for (ex, r) in &results {
        match ex {
            Exchange::Gemini => assert_eq!(r.as_ref().unwrap_err(), &MarketError::Timeout("gemini", 800)),
            _ => assert!(!r.as_ref().unwrap().book.bids.is_empty(), "{ex:?}: {r:?}"),
        }
    }
}

#[test]
fn without_a_network_every_venue_says_offline() {
    // A port nothing listens on: connection refused, the same as having no network.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let source = HttpBooks::new(Some(format!("http://127.0.0.1:{port}")));
    let results = source.books(&[Exchange::Kraken, Exchange::Bitstamp], "BTC", "USD", Duration::from_secs(2));
    assert_eq!(results[0].1, Err(MarketError::Offline("kraken")));
    assert_eq!(results[1].1, Err(MarketError::Offline("bitstamp")));
}
