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

/// A server that misbehaves differently for each exchange's path: Kraken sends an endless body, Coinbase a
/// redirect to another host, Binance trickles its answer past the timeout, Bitstamp a price of 7.9e28, Gemini an
/// error text with terminal escapes.
fn hostile_server() -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                let _ = reader.read_line(&mut line);
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n";
                if path.starts_with("/0/public/Depth") {
                    let _ = write!(stream, "{head}\r\n{{\"result\":{{\"XXBTZUSD\":{{\"bids\":[");
                    let chunk = "[\"1\",\"1\",1],".repeat(10_000);
                    while stream.write_all(chunk.as_bytes()).is_ok() {}
                } else if path.starts_with("/products/") {
                    let _ = stream.write_all(
                        b"HTTP/1.1 302 Found\r\nlocation: https://example.invalid/book\r\ncontent-length: 0\r\n\r\n",
                    );
                } else if path.starts_with("/api/v3/depth") {
                    let _ = write!(stream, "{head}\r\n{{\"bids\":[");
                    for _ in 0..100 {
                        if stream.write_all(b"[\"1\",\"1\"],").is_err() {
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(50));
                    }
                } else if path.starts_with("/api/v2/order_book/") {
                    let body = r#"{"bids":[["79228162514264337593543950335","1"]],"asks":[]}"#;
                    let _ = write!(stream, "{head}content-length: {}\r\n\r\n{body}", body.len());
                } else {
                    let body = "{\"bids\":[],\"asks\":[],\"x\":\"\u{1b}]0;pwned\u{7}\"}";
                    let _ = write!(stream, "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n{body}", body.len());
                }
            });
        }
    });
    url
}

#[test]
fn hostile_servers_are_refused_within_the_timeout() {
    let source = HttpBooks::new(Some(hostile_server()));
    let started = Instant::now();
    let results = source.books(&Exchange::ALL, "BTC", "USD", Duration::from_millis(1500));
    assert!(started.elapsed() < Duration::from_millis(2500), "{:?}", started.elapsed());
    let get = |ex: Exchange| results.iter().find(|(e, _)| *e == ex).unwrap().1.clone();
    match get(Exchange::Kraken) {
        Err(MarketError::Parse(p)) => assert!(p.reason.contains("larger than 4 MB"), "{p}"),
        other => panic!("an endless body must be cut off: {other:?}"),
    }
    assert_eq!(get(Exchange::Coinbase), Err(MarketError::Http("coinbase", 302)), "redirects are not followed");
    assert_eq!(get(Exchange::Binance), Err(MarketError::Timeout("binance", 1500)));
    assert!(matches!(get(Exchange::Bitstamp), Err(MarketError::Parse(_))), "a price of 7.9e28 is refused");
    // An answer with raw control characters in it: refused, and its error holds none of them.
    match get(Exchange::Gemini) {
        Err(MarketError::Parse(p)) => assert!(!p.reason.chars().any(char::is_control), "{p:?}"),
        other => panic!("{other:?}"),
    }
    // Asset codes that are not plain tickers never reach a URL.
    let r = source.books(&[Exchange::Kraken], "BTC/../x", "USD", Duration::from_millis(500));
    assert!(matches!(&r[0].1, Err(MarketError::Parse(p)) if p.reason.contains("letters and digits")), "{r:?}");
}

#[test]
fn plain_http_only_to_this_machine() {
    let source = HttpBooks::new(Some("http://example.invalid".into()));
    let r = source.books(&[Exchange::Kraken], "BTC", "USD", Duration::from_millis(500));
    assert_eq!(r[0].1, Err(MarketError::Offline("kraken")));
}
