//! Market data: public order books, fetched concurrently with a timeout per request, behind the
//! [`BookSource`] trait so the rest of the app (and its tests) does not depend on the network.
//!
//! Offline is a state, not a crash: a venue that cannot be reached, times out or answers badly gives a
//! [`MarketError`] for that venue only, and the caller falls back to the square-root impact model and says so.

pub mod cache;
pub mod candles;
pub mod official;
pub mod parse;
pub mod replay;

use std::time::{Duration, Instant};

use offramp_core::market::OrderBook;

/// The exchanges whose public Level-2 books Offramp reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Exchange {
    Kraken,
    Coinbase,
    Binance,
    Bitstamp,
    Gemini,
}

impl Exchange {
    pub const ALL: [Exchange; 5] =
        [Exchange::Kraken, Exchange::Coinbase, Exchange::Binance, Exchange::Bitstamp, Exchange::Gemini];

    pub fn id(&self) -> &'static str {
        match self {
            Exchange::Kraken => "kraken",
            Exchange::Coinbase => "coinbase",
            Exchange::Binance => "binance",
            Exchange::Bitstamp => "bitstamp",
            Exchange::Gemini => "gemini",
        }
    }

    /// The public REST base URL.
    pub fn base_url(&self) -> &'static str {
        match self {
            Exchange::Kraken => "https://api.kraken.com",
            Exchange::Coinbase => "https://api.exchange.coinbase.com",
            Exchange::Binance => "https://api.binance.com",
            Exchange::Bitstamp => "https://www.bitstamp.net",
            Exchange::Gemini => "https://api.gemini.com",
        }
    }

    /// The book request's path for a pair (`base`/`quote` in common tickers, e.g. BTC/USD).
    pub fn book_path(&self, base: &str, quote: &str) -> String {
        let (b, q) = (base.to_ascii_uppercase(), quote.to_ascii_uppercase());
        match self {
            Exchange::Kraken => {
                let b = if b == "BTC" { "XBT".to_string() } else { b };
                format!("/0/public/Depth?pair={b}{q}&count=500")
            }
            Exchange::Coinbase => format!("/products/{b}-{q}/book?level=2"),
            Exchange::Binance => format!("/api/v3/depth?symbol={b}{}&limit=1000", if q == "USD" { "USDT" } else { &q }),
            Exchange::Bitstamp => format!("/api/v2/order_book/{}{}/", b.to_lowercase(), q.to_lowercase()),
            Exchange::Gemini => {
                format!("/v1/book/{}{}?limit_bids=500&limit_asks=500", b.to_lowercase(), q.to_lowercase())
            }
        }
    }

    /// The exchange's name as errors show it.
    pub fn name(&self) -> &'static str {
        match self {
            Exchange::Kraken => "Kraken",
            Exchange::Coinbase => "Coinbase Exchange",
            Exchange::Binance => "Binance",
            Exchange::Bitstamp => "Bitstamp",
            Exchange::Gemini => "Gemini",
        }
    }

    /// Parses and checks an answer (see [`parse::validate`]).
    pub fn parse(&self, body: &str) -> Result<OrderBook, parse::ParseError> {
        match self {
            Exchange::Kraken => parse::kraken(body),
            Exchange::Coinbase => parse::coinbase(body),
            Exchange::Binance => parse::binance(body),
            Exchange::Bitstamp => parse::bitstamp(body),
            Exchange::Gemini => parse::gemini(body),
        }
    }
}

/// The most an exchange's answer may hold (a 1,000-level book is about 60 kB).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarketError {
    #[error("{0}: offline (cannot reach the exchange)")]
    Offline(&'static str),
    #[error("{0}: no answer within {1} ms")]
    Timeout(&'static str, u128),
    #[error("{0}: answered HTTP {1}")]
    Http(&'static str, u16),
    #[error(transparent)]
    Parse(#[from] parse::ParseError),
}

/// A book with the time it was fetched (for caches and "as of" labels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedBook {
    pub exchange: Exchange,
    pub book: OrderBook,
    /// How long the request took.
    pub elapsed: Duration,
}

/// Where order books come from: the network, or a test double.
pub trait BookSource {
    /// Fetches the books of `exchanges` for `base`/`quote` concurrently; each result arrives within `timeout`.
    fn books(
        &self,
        exchanges: &[Exchange],
        base: &str,
        quote: &str,
        timeout: Duration,
    ) -> Vec<(Exchange, Result<FetchedBook, MarketError>)>;
}

/// The network source: HTTPS only, no redirects, answers capped at [`MAX_BODY_BYTES`] and parsed within the
/// timeout. `base_url` overrides every exchange's base URL (tests point it at a local server that replays recorded
/// responses); plain `http` is accepted only for a server on this machine (loopback).
pub struct HttpBooks {
    client: Option<reqwest::Client>,
    base_url: Option<String>,
}

/// Whether `url` is plain HTTP to this machine (a test's replay server).
fn is_loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host
        .rsplit_once(':')
        .map(|(h, port)| if port.chars().all(|c| c.is_ascii_digit()) { h } else { host })
        .unwrap_or(host);
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

impl HttpBooks {
    pub fn new(base_url: Option<String>) -> HttpBooks {
        HttpBooks { client: client_for(base_url.as_deref()), base_url }
    }

    async fn one(&self, ex: Exchange, base: &str, quote: &str, timeout: Duration) -> Result<FetchedBook, MarketError> {
        let started = Instant::now();
        let ticker = |s: &str| !s.is_empty() && s.len() <= 15 && s.chars().all(|c| c.is_ascii_alphanumeric());
        if !ticker(base) || !ticker(quote) {
            return Err(MarketError::Parse(parse::ParseError {
                exchange: ex.name(),
                reason: "an asset or currency code that is not letters and digits is not sent to the exchange".into(),
            }));
        }
        let client = self.client.as_ref().ok_or(MarketError::Offline(ex.id()))?;
        let url = format!("{}{}", self.base_url.as_deref().unwrap_or(ex.base_url()), ex.book_path(base, quote));
        let request = async { Ok::<_, MarketError>(ex.parse(&get_text(client, &url, ex.id(), ex.name()).await?)?) };
        let book = tokio::time::timeout(timeout, request)
            .await
            .map_err(|_| MarketError::Timeout(ex.id(), timeout.as_millis()))??;
        if started.elapsed() > timeout {
            return Err(MarketError::Timeout(ex.id(), timeout.as_millis()));
        }
        Ok(FetchedBook { exchange: ex, book, elapsed: started.elapsed() })
    }
}

/// The body of a GET of `url` as text, at most [`MAX_BODY_BYTES`] (`who`: the source's id for errors, `name`: as
/// users read it). The caller bounds the time.
pub(crate) async fn get_text(
    client: &reqwest::Client,
    url: &str,
    who: &'static str,
    name: &'static str,
) -> Result<String, MarketError> {
    let mut resp = client.get(url).send().await.map_err(|_| MarketError::Offline(who))?;
    if !resp.status().is_success() {
        return Err(MarketError::Http(who, resp.status().as_u16()));
    }
    let too_big = || {
        MarketError::Parse(parse::ParseError {
            exchange: name,
            reason: format!("the answer is larger than {} MB; not read", MAX_BODY_BYTES >> 20),
        })
    };
    if resp.content_length().is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(too_big());
    }
    let mut body: Vec<u8> = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|_| MarketError::Offline(who))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_big());
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| {
        MarketError::Parse(parse::ParseError { exchange: name, reason: "the answer is not UTF-8 text".into() })
    })
}

/// Blocking GETs of text, one after another, each within its own timeout: for the sources asked page by page
/// (official rates, daily candles).
pub(crate) struct Getter<'c> {
    client: &'c reqwest::Client,
    runtime: tokio::runtime::Runtime,
    who: &'static str,
    name: &'static str,
}

impl<'c> Getter<'c> {
    pub(crate) fn new(
        client: Option<&'c reqwest::Client>,
        who: &'static str,
        name: &'static str,
    ) -> Result<Self, MarketError> {
        let client = client.ok_or(MarketError::Offline(who))?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|_| MarketError::Offline(who))?;
        Ok(Getter { client, runtime, who, name })
    }

    pub(crate) fn get(&self, url: &str, timeout: Duration) -> Result<String, MarketError> {
        self.runtime.block_on(async {
            tokio::time::timeout(timeout, get_text(self.client, url, self.who, self.name))
                .await
                .map_err(|_| MarketError::Timeout(self.who, timeout.as_millis()))?
        })
    }
}

/// An HTTPS client (plain HTTP only to a loopback `base_url`, for tests), no redirects; `None` when `base_url` is
/// neither.
pub(crate) fn client_for(base_url: Option<&str>) -> Option<reqwest::Client> {
    let plain_ok = base_url.is_some_and(is_loopback_http);
    let usable = base_url.is_none_or(|u| plain_ok || u.starts_with("https://"));
    usable
        .then(|| {
            reqwest::Client::builder()
                .user_agent(concat!("offramp/", env!("CARGO_PKG_VERSION")))
                .redirect(reqwest::redirect::Policy::none())
                .https_only(!plain_ok)
                .build()
                .ok()
        })
        .flatten()
}

impl BookSource for HttpBooks {
    fn books(
        &self,
        exchanges: &[Exchange],
        base: &str,
        quote: &str,
        timeout: Duration,
    ) -> Vec<(Exchange, Result<FetchedBook, MarketError>)> {
        let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(rt) => rt,
            Err(_) => return exchanges.iter().map(|e| (*e, Err(MarketError::Offline(e.id())))).collect(),
        };
        runtime.block_on(async {
            let futures = exchanges.iter().map(|ex| async move { (*ex, self.one(*ex, base, quote, timeout).await) });
            join_all(futures).await
        })
    }
}

/// Runs futures concurrently on the current task and returns their outputs in order.
async fn join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut outputs: Vec<Option<F::Output>> = (0..set.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in set.iter_mut().enumerate() {
            if outputs[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => outputs[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
