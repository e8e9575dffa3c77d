//! Fetched order books kept on disk with the time they were fetched, so a quote made while offline (or while an
//! exchange does not answer) can use the last book, saying how old it is. One JSON file per exchange and pair,
//! replaced atomically (written beside, then renamed).

use std::path::{Path, PathBuf};

use offramp_core::market::OrderBook;
use offramp_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::Exchange;

#[derive(Serialize, Deserialize)]
struct Stored {
    fetched_at: Timestamp,
    book: OrderBook,
}

/// A folder of cached books.
#[derive(Debug, Clone)]
pub struct BookCache {
    dir: PathBuf,
}

impl BookCache {
    pub fn new(dir: impl Into<PathBuf>) -> BookCache {
        BookCache { dir: dir.into() }
    }

    fn file(&self, exchange: Exchange, base: &str, quote: &str) -> PathBuf {
        let clean = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric()).collect::<String>().to_ascii_uppercase();
        self.dir.join(format!("{}-{}-{}.json", exchange.id(), clean(base), clean(quote)))
    }

    /// Keeps a fetched book with its time: checked first (a book that fails [`crate::parse::validate`] is not
    /// kept), written new under a temporary name of its own (mode 0600, in a folder created 0700), then renamed
    /// over the previous one. A cache that cannot be written is not an error for the quote (it is only a
    /// convenience), so the result says whether it was kept.
    pub fn store(&self, exchange: Exchange, base: &str, quote: &str, book: &OrderBook, fetched_at: Timestamp) -> bool {
        if crate::parse::validate(exchange.name(), book.clone()).is_err() {
            return false;
        }
        let path = self.file(exchange, base, quote);
        let write = || -> std::io::Result<()> {
            let mut dirs = std::fs::DirBuilder::new();
            dirs.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut dirs, 0o700);
            dirs.create(&self.dir)?;
            static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let tmp = self.dir.join(format!(".{}.{}-{n}.partial", exchange.id(), std::process::id()));
            let text = serde_json::to_vec(&Stored { fetched_at, book: book.clone() }).map_err(std::io::Error::other)?;
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            let result = (|| {
                let mut f = o.open(&tmp)?;
                std::io::Write::write_all(&mut f, &text)?;
                f.sync_all()?;
                std::fs::rename(&tmp, &path)
            })();
            if result.is_err() {
                let _ = std::fs::remove_file(&tmp);
            }
            result
        };
        write().is_ok()
    }

    /// The last book kept for this exchange and pair, with when it was fetched. A missing, unreadable or
    /// implausible file (one that fails [`crate::parse::validate`]) is no book: a damaged cache is not used.
    pub fn load(&self, exchange: Exchange, base: &str, quote: &str) -> Option<(OrderBook, Timestamp)> {
        let path = self.file(exchange, base, quote);
        if std::fs::metadata(&path).ok()?.len() > crate::MAX_BODY_BYTES as u64 * 4 {
            return None;
        }
        let bytes = std::fs::read(path).ok()?;
        let s: Stored = serde_json::from_slice(&bytes).ok()?;
        let book = crate::parse::validate(exchange.name(), s.book).ok()?;
        Some((book, s.fetched_at))
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use offramp_core::market::Level;

    #[test]
    fn keeps_the_last_book_with_its_time() {
        let tmp = std::env::temp_dir().join(format!("offramp-cache-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let cache = BookCache::new(&tmp);
        assert!(cache.load(Exchange::Kraken, "BTC", "USD").is_none());
        let book = OrderBook {
            bids: vec![Level { price: "65000.10".parse().unwrap(), size: "0.5".parse().unwrap() }],
            asks: vec![],
        };
        let t = Timestamp::parse_rfc3339("2026-11-28T10:00:00Z").unwrap();
        assert!(cache.store(Exchange::Kraken, "btc", "usd", &book, t));
        assert_eq!(cache.load(Exchange::Kraken, "BTC", "USD"), Some((book.clone(), t)), "exact decimals, same time");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&tmp.join("kraken-BTC-USD.json")), 0o600);
            assert_eq!(mode(&tmp), 0o700);
        }
        // A book that is not a real market's is neither kept nor used, even if it is on disk.
        let hostile = OrderBook {
            bids: vec![Level { price: "79228162514264337593543950335".parse().unwrap(), size: "1".parse().unwrap() }],
            asks: vec![],
        };
        assert!(!cache.store(Exchange::Kraken, "BTC", "USD", &hostile, t));
        assert_eq!(cache.load(Exchange::Kraken, "BTC", "USD"), Some((book, t)));
        let planted = serde_json::to_vec(&Stored { fetched_at: t, book: hostile }).unwrap();
        std::fs::write(tmp.join("kraken-BTC-USD.json"), planted).unwrap();
        assert!(cache.load(Exchange::Kraken, "BTC", "USD").is_none());
        std::fs::write(tmp.join("kraken-BTC-USD.json"), b"{not json").unwrap();
        assert!(cache.load(Exchange::Kraken, "BTC", "USD").is_none());
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
