//! A local HTTP server that answers order-book requests with recorded responses, for tests and demos without
//! a network (this crate's tests and the CLI's acceptance tests use it). It serves each exchange's book path
//! from a folder of `<exchange>.json` files; exchanges listed in `hang` get a connection that never answers.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use crate::Exchange;

fn exchange_for(path: &str) -> Option<Exchange> {
    if path.starts_with("/0/public/Depth") {
        Some(Exchange::Kraken)
    } else if path.starts_with("/products/") {
        Some(Exchange::Coinbase)
    } else if path.starts_with("/api/v3/depth") {
        Some(Exchange::Binance)
    } else if path.starts_with("/api/v2/order_book/") {
        Some(Exchange::Bitstamp)
    } else if path.starts_with("/v1/book/") {
        Some(Exchange::Gemini)
    } else {
        None
    }
}

/// Reads a request's line and headers; returns the stream to answer on and the path asked for.
fn request_path(stream: std::io::Result<std::net::TcpStream>) -> Option<(std::net::TcpStream, String)> {
    let stream = stream.ok()?;
    let mut reader = BufReader::new(stream.try_clone().ok()?);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
            break;
        }
    }
    Some((stream, path))
}

/// Starts the server on 127.0.0.1 (a free port) in a background thread; returns its base URL. The thread
/// serves until the process ends.
pub fn serve(dir: PathBuf, hang: Vec<Exchange>) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Some((mut stream, path)) = request_path(stream) else { continue };
            match exchange_for(&path) {
                Some(ex) if hang.contains(&ex) => {
                    std::thread::spawn(move || {
                        std::thread::sleep(Duration::from_secs(30));
                        drop(stream);
                    });
                }
                Some(ex) => match std::fs::read_to_string(dir.join(format!("{}.json", ex.id()))) {
                    Ok(body) => {
                        let _ = write!(
                            stream,
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                            body.len()
                        );
                    }
                    Err(_) => {
                        let _ = stream
                            .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                    }
                },
                None => {
                    let _ =
                        stream.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                }
            }
        }
    });
    Ok(url)
}

/// Starts a server on 127.0.0.1 (a free port) that answers each GET whose path starts with one of `routes`'
/// prefixes with that route's recorded body (the first match; 404 for anything else), for tests of the other
/// public sources (official exchange rates, historical prices). Returns its base URL; serves until the process
/// ends.
pub fn serve_routes(routes: Vec<(String, String)>) -> std::io::Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Some((mut stream, path)) = request_path(stream) else { continue };
            match routes.iter().find(|(prefix, _)| path.starts_with(prefix.as_str())) {
                Some((_, body)) => {
                    let _ = write!(
                        stream,
                        "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                }
                None => {
                    let _ =
                        stream.write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
                }
            }
        }
    });
    Ok(url)
}
