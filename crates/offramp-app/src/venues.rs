//! The venue catalog use cases.

use offramp_core::catalog::{parse_catalog, Venue, VenueKind};

use crate::{AppError, ErrorCode};

/// The built-in catalog's JSON (see `data/README.md`).
pub const BUILT_IN_CATALOG: &str = include_str!("../data/venues.json");

/// Every venue of the built-in catalog, or those of one kind (`exchange`, `p2p`, `otc`, `atm`, `card`, `ramp`).
pub fn venues(kind: Option<&str>) -> Result<Vec<Venue>, AppError> {
    let wanted = match kind {
        None => None,
        Some(k) => Some(match k {
            "exchange" => VenueKind::Exchange,
            "p2p" => VenueKind::P2p,
            "otc" => VenueKind::Otc,
            "atm" => VenueKind::Atm,
            "card" => VenueKind::Card,
            "ramp" => VenueKind::Ramp,
            other => {
                return Err(AppError::new(
                    ErrorCode::InvalidInput,
                    format!("kind: unknown venue kind `{other}` (exchange, p2p, otc, atm, card, ramp)"),
                ))
            }
        }),
    };
    Ok(built_in()?.iter().filter(|v| wanted.is_none_or(|k| v.kind == k)).cloned().collect())
}

/// The built-in catalog, parsed once per process.
fn built_in() -> Result<&'static [Venue], AppError> {
    static CATALOG: std::sync::OnceLock<Result<Vec<Venue>, String>> = std::sync::OnceLock::new();
    CATALOG
        .get_or_init(|| parse_catalog(BUILT_IN_CATALOG).map_err(|e| e.to_string()))
        .as_deref()
        .map_err(|e| AppError::new(ErrorCode::Internal, e.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use offramp_core::catalog::VenueStatus;
    use offramp_core::Decimal;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn the_built_in_catalog_reads_exactly() {
        let all = venues(None).unwrap();
        assert_eq!(all.len(), 28);
        let count = |k: VenueKind| all.iter().filter(|v| v.kind == k).count();
        assert_eq!(
            (count(VenueKind::Exchange), count(VenueKind::P2p), count(VenueKind::Otc), count(VenueKind::Atm)),
            (8, 7, 9, 4)
        );
        let closed: Vec<&str> = all.iter().filter(|v| v.status == VenueStatus::Closed).map(|v| v.id.as_str()).collect();
        assert_eq!(closed, ["localbitcoins", "paxful", "genesis"]);

        let kraken = all.iter().find(|v| v.id == "kraken").unwrap();
        assert_eq!((kraken.fees.maker_pct, kraken.fees.taker_pct), (Some(d("0.16")), Some(d("0.26"))));
        let taker: Vec<Decimal> = kraken.fees.tiers.iter().map(|t| t.taker_pct.unwrap()).collect();
        assert_eq!(taker, ["0.26", "0.24", "0.22", "0.2", "0.18", "0.16", "0.14", "0.12", "0.1"].map(d));
        let intermediate = kraken.withdrawal_limits.iter().find(|l| l.level == "Intermediate").unwrap();
        assert_eq!(
            (intermediate.currency.as_deref(), intermediate.fiat_per_day, intermediate.fiat_per_month),
            (Some("USD"), Some(d("100000")), Some(d("500000")))
        );
        let bitvavo = all.iter().find(|v| v.id == "bitvavo").unwrap();
        let l = &bitvavo.withdrawal_limits[0];
        assert_eq!(
            (l.currency.as_deref(), l.fiat_per_day, l.fiat_per_month, l.fiat_per_year),
            (Some("EUR"), Some(d("25000")), Some(d("50000")), Some(d("90000")))
        );
        assert_eq!(bitvavo.withdrawal_limits[1].fiat_per_day, Some(d("25000")), "a combined cap caps fiat");
        assert_eq!(bitvavo.withdrawal_limits[2].fiat_per_day, None, "unknown stays unknown");
        assert_eq!(intermediate.as_of.as_deref(), Some("2022-03-25"));
        let sepa = kraken.withdrawal_methods.iter().find(|m| m.method.starts_with("SEPA")).unwrap();
        assert_eq!(sepa.fee_fixed, None, "an unknown fee stays unknown");

        let otc = all.iter().find(|v| v.id == "kraken_otc").unwrap();
        assert_eq!(otc.min_ticket_usd, Some(d("50000")));
        assert_eq!(otc.typical_spread_pct, None);
        assert_eq!(all.iter().find(|v| v.id == "bitcoin_depot").unwrap().observed_fee_pct, Some(d("23")));
        // Caps on one seller: Bisq's "< 2 BTC" for fiat accounts (exclusive) and 0.1 for a new account; Peach's
        // 1,000 CHF a day; an ATM operator's daily limit in USD (what it limits is said).
        let bisq = &all.iter().find(|v| v.id == "bisq").unwrap().caps;
        assert_eq!(
            (bisq.trade_max_btc, bisq.trade_max_exclusive, bisq.new_user_trade_max_btc),
            (Some(d("2")), true, Some(d("0.1")))
        );
        assert_eq!(bisq.as_of.as_deref(), Some("2024-01-23"));
        let peach = &all.iter().find(|v| v.id == "peach").unwrap().caps;
        assert_eq!((peach.per_day, peach.per_day_currency.as_deref()), (Some(d("1000")), Some("CHF")));
        let flip = &all.iter().find(|v| v.id == "coinflip").unwrap().caps;
        assert_eq!(
            (flip.per_day, flip.per_day_currency.as_deref(), flip.sell_supported),
            (Some(d("15000")), Some("USD"), None)
        );
        assert!(flip.per_day_note.as_deref().unwrap().contains("buy limit"));
        let robosats = &all.iter().find(|v| v.id == "robosats").unwrap().caps;
        assert_eq!(robosats.trade_max_btc, Some(d("0.04")));
        // OKX's EEA schedule: its own tiers in EUR, from 2025-10-01.
        let okx = all.iter().find(|v| v.id == "okx").unwrap();
        let eea = &okx.fees.regional[0];
        assert_eq!((eea.region.as_str(), eea.effective.as_deref()), ("EEA", Some("2025-10-01")));
        assert_eq!((eea.schedule.taker_pct, eea.schedule.tiers.len()), (Some(d("0.35")), 9));
        assert_eq!(eea.schedule.volume_currency.as_deref(), Some("EUR"));
        // Kraken's own TWAP tool, from its record.
        assert!(kraken.twap.as_ref().unwrap().0.contains("TWAP"));
    }

    #[test]
    fn filtering_by_kind() {
        assert!(venues(Some("otc")).unwrap().iter().all(|v| v.kind == VenueKind::Otc));
        assert_eq!(venues(Some("bank")).unwrap_err().code, ErrorCode::InvalidInput);
    }
}

/// A sale request as text from the UI or the command line.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(default)]
pub struct QuoteRequest {
    pub qty: String,
    pub asset: String,
    pub fiat: String,
    pub country: String,
    /// The price of one unit in `fiat`. Required while Offramp has no live prices (offline).
    pub price: Option<String>,
    pub volume_30d: Option<String>,
    pub daily_volatility: Option<String>,
    pub daily_volume: Option<String>,
    /// Y of the square-root law (default 0.7).
    pub impact_y: Option<String>,
    /// The seller's verification level at venues (default: the level a new verified account gets).
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<offramp_core::quote::VenueLevel>>", optional))]
    pub levels: Vec<offramp_core::quote::VenueLevel>,
    /// The venue (an exchange's id) where the coins already are; none: the seller's own wallet.
    pub held_at: Option<String>,
    /// Plans: the day the seller needs the cash by (YYYY-MM-DD), and how much (default: all of it).
    pub cash_by: Option<String>,
    pub cash_needed: Option<String>,
    /// Plans: `low`, `medium` (default) or `high`.
    pub risk: Option<String>,
    /// Plans: what was already withdrawn from venues before the first day (a sale under way), counted against
    /// the rolling windows.
    #[cfg_attr(feature = "ts", ts(as = "Option<Vec<offramp_core::plan::PastWithdrawal>>", optional))]
    pub withdrawn: Vec<offramp_core::plan::PastWithdrawal>,
}

fn dec(field: &str, text: &str) -> Result<offramp_core::Decimal, AppError> {
    offramp_core::money::parse_decimal(text)
        .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("{field}: {e}")))
}

/// Quotes the sale at every venue of the catalog (reference records left out): suitable venues with a known
/// net first, best first; then those whose net is unknown; then the unsuitable ones with their reasons.
pub fn quote_all(r: &QuoteRequest) -> Result<Vec<offramp_core::quote::VenueQuote>, AppError> {
    quote_all_in(&venues(None)?, r)
}

/// As [`quote_all`], over a given catalog (the built-in one with the user's figures applied, say).
pub fn quote_all_in(venues: &[Venue], r: &QuoteRequest) -> Result<Vec<offramp_core::quote::VenueQuote>, AppError> {
    quote_all_with_books(venues, r, &std::collections::HashMap::new())
}

/// The state of one venue's live data for a quote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MarketStatus {
    pub venue: String,
    /// `live`, or why not: `offline`, `timeout`, `error`.
    pub state: &'static str,
    pub message: String,
}

/// The catalog venue each order-book client serves.
fn venue_of(ex: offramp_market::Exchange) -> &'static str {
    use offramp_market::Exchange::*;
    match ex {
        Kraken => "kraken",
        Coinbase => "coinbase_advanced",
        Binance => "binance",
        Bitstamp => "bitstamp",
        Gemini => "gemini",
    }
}

/// How long a live quote waits for each exchange's book (all are fetched at once): the whole answer, books and
/// computation, comes within 2 s even when an exchange never answers.
pub const LIVE_TIMEOUT: std::time::Duration = std::time::Duration::from_millis(1500);

/// How old a cached order book may be and still be used when the exchange cannot be reached.
pub const CACHE_MAX_AGE_SECONDS: i64 = 15 * 60;

/// Quotes with the exchanges' live order books (or those of `config.market_url`), each within
/// [`LIVE_TIMEOUT`], keeping fetched books in the data folder's cache (see [`quote_all_live`]).
pub fn quote_live(
    config: &crate::Config,
    venues: &[Venue],
    r: &QuoteRequest,
    now: offramp_core::Timestamp,
) -> Result<(Vec<offramp_core::quote::VenueQuote>, Vec<MarketStatus>), AppError> {
    let source = offramp_market::HttpBooks::new(config.market_url.clone());
    let cache = config.data_dir().ok().map(|d| offramp_market::cache::BookCache::new(d.join("cache").join("books")));
    quote_all_live(venues, r, &source, LIVE_TIMEOUT, cache.as_ref(), now)
}

/// Quotes with live order books where they can be fetched (all at once, each within `timeout`). Fetched books
/// are kept in `cache` with their time (`now`); an exchange that cannot be reached is quoted on its cached book
/// when that is at most 15 minutes old, else on the square-root law. The statuses say which, and how old.
pub fn quote_all_live(
    venues: &[Venue],
    r: &QuoteRequest,
    source: &dyn offramp_market::BookSource,
    timeout: std::time::Duration,
    cache: Option<&offramp_market::cache::BookCache>,
    now: offramp_core::Timestamp,
) -> Result<(Vec<offramp_core::quote::VenueQuote>, Vec<MarketStatus>), AppError> {
    let mut books = std::collections::HashMap::new();
    let mut statuses = Vec::new();
    for (ex, result) in source.books(&offramp_market::Exchange::ALL, &r.asset, &r.fiat, timeout) {
        let venue = venue_of(ex).to_string();
        match result {
            Ok(f) => {
                if let Some(c) = cache {
                    c.store(ex, &r.asset, &r.fiat, &f.book, now);
                }
                statuses.push(MarketStatus {
                    venue: venue.clone(),
                    state: "live",
                    message: format!("order book fetched in {} ms", f.elapsed.as_millis()),
                });
                books.insert(venue, f.book);
            }
            Err(e) => {
                let (state, why) = why_not_live(&e);
                let cached = cache.and_then(|c| c.load(ex, &r.asset, &r.fiat));
                let age = cached.as_ref().map(|(_, at)| (now.unix_micros() - at.unix_micros()) / 1_000_000);
                match (cached, age) {
                    (Some((book, at)), Some(age)) if (0..=CACHE_MAX_AGE_SECONDS).contains(&age) => {
                        statuses.push(MarketStatus {
                            venue: venue.clone(),
                            state: "cached",
                            message: format!(
                                "{why}: using its order book fetched at {} ({} min {} s ago)",
                                at.to_rfc3339(),
                                age / 60,
                                age % 60
                            ),
                        });
                        books.insert(venue, book);
                    }
                    (Some((_, at)), _) => statuses.push(MarketStatus {
                        venue,
                        state,
                        message: format!(
                            "{why}: its last order book ({}) is too old; impact from the model",
                            at.to_rfc3339()
                        ),
                    }),
                    (None, _) => statuses.push(MarketStatus {
                        venue,
                        state,
                        message: format!("{why}: no live book, impact from the model"),
                    }),
                }
            }
        }
    }
    // Without a price of its own, the sale is priced at the median mid of the books at hand.
    let mut r = r.clone();
    if r.price.is_none() {
        if let Some((mid, n)) = median_mid(books.values()) {
            statuses.push(MarketStatus {
                venue: "price".into(),
                state: "live",
                message: format!("{mid} {}, the median mid price of {n} order book(s)", r.fiat.to_ascii_uppercase()),
            });
            r.price = Some(mid.to_string());
        }
    }
    Ok((quote_all_with_books(venues, &r, &books)?, statuses))
}

/// A price from the exchanges' live order books: the median of their mid prices, with how many books and when.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LivePrice {
    pub asset: String,
    pub fiat: String,
    /// `None` when no exchange answered with a book of both sides (offline, or a pair none of them trades).
    #[serde(with = "offramp_core::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub price: Option<offramp_core::Decimal>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub books: usize,
    /// When the books were fetched (RFC 3339, UTC).
    pub at: String,
    pub statuses: Vec<MarketStatus>,
}

/// The last live price of `asset` in `fiat` (or from `config.market_url`), each exchange within [`LIVE_TIMEOUT`].
pub fn live_price(
    config: &crate::Config,
    asset: &str,
    fiat: &str,
    now: offramp_core::Timestamp,
) -> Result<LivePrice, AppError> {
    let source = offramp_market::HttpBooks::new(config.market_url.clone());
    live_price_from(&source, asset, fiat, LIVE_TIMEOUT, now)
}

/// [`live_price`] from any book source.
pub fn live_price_from(
    source: &dyn offramp_market::BookSource,
    asset: &str,
    fiat: &str,
    timeout: std::time::Duration,
    now: offramp_core::Timestamp,
) -> Result<LivePrice, AppError> {
    let invalid = |m: String| AppError::new(ErrorCode::InvalidInput, m);
    let asset = offramp_core::Code::parse(asset).map_err(|e| invalid(format!("asset: {e}")))?;
    let fiat = offramp_core::Code::parse(fiat).map_err(|e| invalid(format!("currency: {e}")))?;
    let (base, quote) = (asset.to_string(), fiat.to_string());
    let mut books = Vec::new();
    let mut statuses = Vec::new();
    for (ex, result) in source.books(&offramp_market::Exchange::ALL, &base, &quote, timeout) {
        let venue = venue_of(ex).to_string();
        match result {
            Ok(f) => {
                statuses.push(MarketStatus {
                    venue,
                    state: "live",
                    message: format!("order book fetched in {} ms", f.elapsed.as_millis()),
                });
                books.push(f.book);
            }
            Err(e) => {
                let (state, message) = why_not_live(&e);
                statuses.push(MarketStatus { venue, state, message });
            }
        }
    }
    let (price, n) = median_mid(books.iter()).map_or((None, 0), |(p, n)| (Some(p), n));
    Ok(LivePrice { asset: base, fiat: quote, price, books: n, at: now.to_rfc3339(), statuses })
}

/// A book that could not be fetched: its state (`offline`, `timeout`, `error`) and why, in words.
fn why_not_live(e: &offramp_market::MarketError) -> (&'static str, String) {
    use offramp_market::MarketError as M;
    match e {
        M::Offline(_) => ("offline", "offline (cannot reach the exchange)".to_string()),
        M::Timeout(_, ms) => ("timeout", format!("no answer within {ms} ms")),
        M::Http(_, code) => ("error", format!("answered HTTP {code}")),
        M::Parse(p) => ("error", p.reason.clone()),
    }
}

/// The median of the books' mid prices (best bid and best ask averaged), and how many books had both sides.
fn median_mid<'b>(
    books: impl Iterator<Item = &'b offramp_core::market::OrderBook>,
) -> Option<(offramp_core::Decimal, usize)> {
    let two = offramp_core::Decimal::TWO;
    let mut mids: Vec<offramp_core::Decimal> = books
        .filter_map(|b| {
            let bid = b.bids.iter().map(|l| l.price).max()?;
            let ask = b.asks.iter().map(|l| l.price).min()?;
            Some((bid + ask) / two)
        })
        .collect();
    if mids.is_empty() {
        return None;
    }
    mids.sort();
    let n = mids.len();
    let m = if n % 2 == 1 { mids[n / 2] } else { (mids[n / 2 - 1] + mids[n / 2]) / two };
    Some((m.normalize(), n))
}

/// Reads a sale request typed by the user (UI or command line), naming the field of any mistake.
pub fn sale_request(venues: &[Venue], r: &QuoteRequest) -> Result<offramp_core::quote::SaleRequest, AppError> {
    use offramp_core::market::ImpactParams;
    use offramp_core::money::Code;
    use offramp_core::Decimal;
    let invalid = |m: String| AppError::new(ErrorCode::InvalidInput, m);
    let code = |field: &str, t: &str| Code::parse(t).map_err(|e| invalid(format!("{field}: {e}")));
    let asset = code("asset", &r.asset)?;
    let fiat = code("currency", &r.fiat)?;
    if asset.is_fiat() {
        return Err(invalid(format!("asset: {asset} is a fiat currency; sell a crypto asset (BTC, ETH, ...)")));
    }
    if !fiat.is_fiat() {
        return Err(invalid(format!(
            "currency: {fiat} is not a fiat currency; give the one you want in your bank (USD, EUR, GBP, ...)"
        )));
    }
    // The assets the catalog's venues name (a venue's "others" names none): a sale of anything else would be
    // priced at some other asset's depth.
    let named: std::collections::BTreeSet<String> = venues
        .iter()
        .flat_map(|v| v.record.get("assets").and_then(|a| a.as_array()).into_iter().flatten())
        .filter_map(|a| a.as_str())
        .filter_map(|a| Code::parse(a).ok())
        .map(|c| c.to_string())
        .collect();
    if !named.is_empty() && !named.contains(asset.as_str()) {
        return Err(invalid(format!(
            "asset: no venue in the catalog names {asset} (known: {})",
            named.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    let country = offramp_core::country::parse_country(&r.country).map_err(|e| invalid(format!("country: {e}")))?;
    // Figures are bounded so that every product the cost model forms (quantity × price, their squares in the
    // price risk) stays far inside a decimal's range: a typo of twenty digits is refused, not a crash.
    let limit = Decimal::from(1_000_000_000_000i64);
    let bounded = |field: &str, text: &str, positive: bool| -> Result<Decimal, AppError> {
        let v = dec(field, text)?;
        if positive && v <= Decimal::ZERO || v < Decimal::ZERO {
            return Err(AppError::new(ErrorCode::InvalidInput, format!("{field}: must be positive")));
        }
        if v > limit {
            return Err(AppError::new(ErrorCode::InvalidInput, format!("{field}: {v} is more than {limit}")));
        }
        Ok(v)
    };
    let qty = bounded("quantity", &r.qty, true)?;
    // Every product the cost model forms stays far inside a decimal's range when, besides the bounds on each
    // figure: the sale's value is at most 10^18, volatility and Y at most 10, and the sale at most 10^12 times the
    // daily volume (impact <= value x 10 x 10 x 10^6 <= 10^26; risk <= sqrt(365) x qty x price x 10).
    let small = Decimal::TEN;
    let price = r.price.as_deref().ok_or_else(|| {
        AppError::new(
            ErrorCode::InvalidInput,
            "price: Offramp is offline (no live prices yet): give the price of one unit, e.g. --price 65000",
        )
    })?;
    let at_most = |field: &str, v: Decimal, most: Decimal| -> Result<Decimal, AppError> {
        if v > most {
            return Err(AppError::new(ErrorCode::InvalidInput, format!("{field}: {v} is more than {most}")));
        }
        Ok(v)
    };
    let impact = match (&r.daily_volatility, &r.daily_volume) {
        (Some(v), Some(vol)) => {
            // A fraction of the price (0.03), or a percent written as one ("3%"); a bare 3 is a percent typed
            // for a fraction: refused rather than read as 300 %.
            let volatility = match v.trim().strip_suffix('%') {
                Some(pct) => bounded("daily volatility", pct.trim(), false)? / Decimal::ONE_HUNDRED,
                None => bounded("daily volatility", v, false)?,
            };
            if volatility > Decimal::ONE {
                return Err(invalid(format!(
                    "daily volatility: {volatility} is a fraction of the price (0.03 is 3 % a day): write 0.03 or 3%"
                )));
            }
            let p = ImpactParams {
                y: at_most("impact Y", bounded("impact Y", r.impact_y.as_deref().unwrap_or("0.7"), false)?, small)?,
                daily_volatility: volatility,
                daily_volume: bounded("daily volume", vol, true)?,
            };
            if qty.checked_div(p.daily_volume).is_none_or(|ratio| ratio > limit) {
                return Err(AppError::new(
                    ErrorCode::InvalidInput,
                    format!(
                        "daily volume: {} is too small for a sale of {qty} (more than {limit} days of the market's \
                         volume; check the figure)",
                        p.daily_volume
                    ),
                ));
            }
            Some(p)
        }
        (None, None) => None,
        _ => {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                "impact: give both the daily volatility and the daily volume",
            ))
        }
    };
    let price = bounded("price", price, true)?;
    let exchange = |field: &str, id: &str| -> Result<&Venue, AppError> {
        venues.iter().find(|v| v.id.eq_ignore_ascii_case(id.trim())).ok_or_else(|| {
            let known: Vec<&str> =
                venues.iter().filter(|v| v.kind == VenueKind::Exchange).map(|v| v.id.as_str()).collect();
            invalid(format!("{field}: no venue `{}` in the catalog (exchanges: {})", id.trim(), known.join(", ")))
        })
    };
    for l in &r.levels {
        let v = exchange("level", &l.venue)?;
        if let Err(e) = offramp_core::quote::account_limits(v, fiat.as_str(), &country, Some(&l.level)) {
            return Err(invalid(format!("level: {e}")));
        }
    }
    let held_at = match r.held_at.as_deref().map(str::trim).filter(|h| !h.is_empty()) {
        None => None,
        Some(h) => Some(exchange("held at", h)?.id.clone()),
    };
    let levels = r
        .levels
        .iter()
        .map(|l| offramp_core::quote::VenueLevel {
            venue: l.venue.trim().to_ascii_lowercase(),
            level: l.level.trim().to_string(),
        })
        .collect();
    let most_value = Decimal::from(1_000_000_000_000_000_000i64);
    if qty.checked_mul(price).is_none_or(|v| v > most_value) {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("sale: {qty} at {price} a unit is worth more than {most_value}; check the quantity and the price"),
        ));
    }
    Ok(offramp_core::quote::SaleRequest {
        asset,
        qty,
        fiat,
        country,
        price,
        volume_30d: bounded("30-day volume", r.volume_30d.as_deref().unwrap_or("0"), false)?,
        impact,
        levels,
        held_at,
    })
}

fn quote_all_with_books(
    venues: &[Venue],
    r: &QuoteRequest,
    books: &std::collections::HashMap<String, offramp_core::market::OrderBook>,
) -> Result<Vec<offramp_core::quote::VenueQuote>, AppError> {
    use offramp_core::catalog::VenueStatus;
    let req = sale_request(venues, r)?;
    let mut quotes: Vec<_> = venues
        .iter()
        .filter(|v| v.status != VenueStatus::Reference)
        .map(|v| offramp_core::quote::quote_with_book(v, &req, books.get(&v.id)))
        .collect();
    // Suitable first; among them, those that take the sale at once before those whose caps split it into many
    // visits or trades (an ATM's daily cap); then known nets, best first.
    quotes.sort_by_key(|q| (!q.unsuitable.is_empty(), q.pieces.is_some(), q.net.is_none(), std::cmp::Reverse(q.net)));
    Ok(quotes)
}

#[cfg(test)]
pub(crate) mod quote_tests {
    use super::*;
    use std::str::FromStr;

    /// 10 BTC for USD from the US at 65,000 with impact inputs: the sale the application layer's tests share.
    pub(crate) fn req() -> QuoteRequest {
        QuoteRequest {
            qty: "10".into(),
            asset: "BTC".into(),
            fiat: "USD".into(),
            country: "US".into(),
            price: Some("65000".into()),
            daily_volatility: Some("0.03".into()),
            daily_volume: Some("10000".into()),
            ..Default::default()
        }
    }

    #[test]
    fn kraken_quote_line_by_line() {
        let quotes = quote_all(&req()).unwrap();
        let k = quotes.iter().find(|q| q.venue == "kraken").unwrap();
        let d = |s: &str| offramp_core::Decimal::from_str(s).unwrap();
        assert_eq!(k.gross, d("650000"));
        // Base tier 0.26 % of 650,000 = 1,690; deposits free; Fedwire $4, settling in 0-1 business days.
        let line = |name: &str| k.costs.iter().find(|c| c.name == name).unwrap();
        assert_eq!(line("taker fee").amount, Some(d("1690")));
        assert_eq!(
            (line("deposit fee").amount, line("deposit fee").note.as_str()),
            (Some(d("0")), "free (network fee paid by sender)")
        );
        assert_eq!(line("fiat withdrawal fee").amount, Some(d("4.0")));
        // Where the figure comes from and as of when (this one's date is not published: it says so).
        let note = &line("fiat withdrawal fee").note;
        assert!(
            note.starts_with("Fedwire")
                && note.contains("settles 0-1 business days; source https://support.kraken.com/"),
            "{note}"
        );
        assert!(note.ends_with("as of an unknown date"), "{note}");
        // Impact: 650,000 × (2/3) × 0.7 × 0.03 × sqrt(10 / 10,000) = 650,000 × 0.000442718872... ≈ 287.77
        let impact = line("market impact").amount.unwrap();
        assert_eq!(impact.round_dp(2), d("287.77"));
        assert_eq!(k.net, Some(d("650000") - d("1690") - d("4.0") - impact));
        // A first-time seller is not at the Pro level: the entry level (Intermediate: 100,000 a day, 500,000 in 30
        // days) takes 100,000 on days 1-5, then waits for the 30-day window: the last 150,000 on days 31 and 32.
        assert_eq!(k.days_to_cash, Some(32));
        assert!(k.warnings.iter().any(|w| w.contains("Intermediate level, the level a new verified account gets")));
        assert!(k.unsuitable.is_empty());
        // At the level the seller says they have: Pro, 10,000,000 a day, one day.
        let pro = QuoteRequest {
            levels: vec![offramp_core::quote::VenueLevel { venue: "kraken".into(), level: "pro".into() }],
            ..req()
        };
        assert_eq!(quote_of("kraken", &pro).days_to_cash, Some(1));
        let bad = QuoteRequest {
            levels: vec![offramp_core::quote::VenueLevel { venue: "kraken".into(), level: "Gold".into() }],
            ..req()
        };
        let e = quote_all(&bad).unwrap_err();
        assert!(
            e.message.contains("no verification level `Gold` (published: Express (US only), Intermediate, Pro)"),
            "{}",
            e.message
        );
        let nowhere = QuoteRequest {
            levels: vec![offramp_core::quote::VenueLevel { venue: "krakken".into(), level: "Pro".into() }],
            ..req()
        };
        assert!(quote_all(&nowhere).unwrap_err().message.contains("no venue `krakken`"));
    }

    #[test]
    fn caps_in_another_currency_are_unknown_not_absent() {
        // Kraken publishes its caps in USD: a euro sale cannot be checked against them, and says so.
        let r = QuoteRequest { fiat: "EUR".into(), country: "DE".into(), price: Some("60000".into()), ..req() };
        let k = quote_of("kraken", &r);
        assert_eq!(k.days_to_cash, None, "not one day: unknown");
        assert!(
            k.warnings.iter().any(|w| w.contains("published in USD") && w.contains("unknown in EUR")),
            "{:?}",
            k.warnings
        );
        let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let p =
            crate::plan::plan_sale(&venues(None).unwrap(), &QuoteRequest { qty: "50".into(), ..r }, start, 1).unwrap();
        let kraken = p.exchanges.iter().find(|v| v.venue == "kraken").unwrap();
        assert_eq!(kraken.fewest_days, None, "a one-day 50 BTC sale is not shown as possible");
        assert!(kraken.limits.iter().all(|l| l.cap.is_none()));
        let c = p.recommended.iter().find(|c| c.venues == ["kraken"]).unwrap();
        assert_eq!(c.days_to_cash, None);
    }

    #[test]
    fn okx_charges_its_eea_schedule_to_eea_sellers() {
        // 10 BTC at 60,000 EUR from Germany at volume 0: the EEA schedule's base taker fee, 0.35 % (global: 0.1 %).
        let r = QuoteRequest { fiat: "EUR".into(), country: "DE".into(), price: Some("60000".into()), ..req() };
        let okx = quote_of("okx", &r);
        let fee = line(&okx, "taker fee");
        assert_eq!(fee.amount, Some(d("2100.00")), "{fee:?}");
        assert!(fee.note.contains("the EEA schedule") && fee.note.contains("from 2025-10-01"), "{}", fee.note);
        // Past its 100,001 EUR tier: 0.30 %.
        let big = QuoteRequest { volume_30d: Some("150000".into()), ..r.clone() };
        assert_eq!(line(&quote_of("okx", &big), "taker fee").amount, Some(d("1800.00")));
        // A seller outside the EEA pays the global schedule.
        let sg = QuoteRequest { country: "SG".into(), ..r };
        let okx = quote_of("okx", &sg);
        if okx.unsuitable.is_empty() {
            assert_eq!(line(&okx, "taker fee").amount, Some(d("600.0")));
        }
    }

    #[test]
    fn atms_apply_their_daily_caps_and_rank_after_venues_that_take_the_sale_at_once() {
        // 10 BTC at 65,000 = 650,000 USD in cash: Bitcoin Depot's 25,000 a day is 26 visits, CoinFlip's 15,000 44.
        let quotes = quote_all(&req()).unwrap();
        let depot = quotes.iter().find(|q| q.venue == "bitcoin_depot").unwrap();
        assert_eq!((depot.days_to_cash, depot.pieces), (Some(26), Some(26)));
        let flip = quotes.iter().find(|q| q.venue == "coinflip").unwrap();
        assert_eq!(flip.days_to_cash, Some(44));
        let pos = |id: &str| quotes.iter().position(|q| q.venue == id).unwrap();
        for ex in quotes.iter().filter(|q| q.unsuitable.is_empty() && q.pieces.is_none()) {
            assert!(pos(&ex.venue) < pos("bitcoin_depot"), "{} ranks before the ATM", ex.venue);
        }
        // A sale one visit takes is not split.
        let small = QuoteRequest { qty: "0.1".into(), ..req() };
        let depot = quote_of("bitcoin_depot", &small);
        assert_eq!((depot.days_to_cash, depot.pieces), (Some(1), None));
        // Bisq: a new account trades at most 0.1 BTC at a time (fiat accounts under 2 BTC once signed).
        let bisq = quotes.iter().find(|q| q.venue == "bisq").unwrap();
        assert_eq!(bisq.pieces, Some(100));
        assert!(bisq.warnings.iter().any(|w| w.contains("0.1 BTC per trade for a new account")), "{:?}", bisq.warnings);
    }

    fn d(s: &str) -> offramp_core::Decimal {
        offramp_core::Decimal::from_str(s).unwrap()
    }

    fn line<'q>(q: &'q offramp_core::quote::VenueQuote, name: &str) -> &'q offramp_core::quote::CostLine {
        q.costs.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no {name} line in {q:?}"))
    }

    fn quote_of(venue: &str, r: &QuoteRequest) -> offramp_core::quote::VenueQuote {
        quote_all(r).unwrap().into_iter().find(|q| q.venue == venue).unwrap()
    }

    /// Bitfinex's bank wire is 0.1 % with a minimum of USD 100: 0.5 BTC at 65,000 (32,500) pays 100, not 32.50.
    /// Its OpenPayd methods carry their sizes in their names (<= 10,000 for EUR 5, > 10,000 at 0.1 %): 10 BTC to
    /// EUR at 60,000 (600,000) pays 600, not 5.
    #[test]
    fn minimum_fees_and_sizes_in_method_names_apply() {
        let d = |s: &str| offramp_core::Decimal::from_str(s).unwrap();
        let half = QuoteRequest { qty: "0.5".into(), ..req() };
        let w = line(&quote_of("bitfinex", &half), "fiat withdrawal fee").amount.unwrap();
        assert_eq!(w, d("100"));
        let eur = QuoteRequest { fiat: "EUR".into(), country: "DE".into(), price: Some("60000".into()), ..req() };
        let b = quote_of("bitfinex", &eur);
        assert_eq!(line(&b, "fiat withdrawal fee").amount, Some(d("600")));
        // A small sale takes the EUR 5 method: 0.1 BTC at 60,000 = 6,000.
        let small = QuoteRequest { qty: "0.1".into(), ..eur.clone() };
        let s = quote_of("bitfinex", &small);
        assert_eq!(line(&s, "fiat withdrawal fee").amount, Some(d("5.0")));
        let note = &line(&s, "fiat withdrawal fee").note;
        assert!(note.starts_with("OpenPayd bank wire <= 10,000"), "{note}");
        // Its source is the catalog's "same": the method above's, written out.
        assert!(note.contains("source bitfinexbr.com/securities/fees"), "{note}");
        // The taker fee says where its schedule comes from and as of when.
        let fee = &line(&s, "taker fee").note;
        assert!(
            fee.starts_with("0.2% at 30-day volume 0; source https://www.bitfinex.com/fees, as of an unknown date"),
            "{fee}"
        );
    }

    /// Kraken's Fedwire is for US clients only and its SWIFT wire for non-US clients: a US seller pays 4, a
    /// German seller of USD 60.
    #[test]
    fn withdrawal_methods_restricted_to_a_region_apply_only_there() {
        let d = |s: &str| offramp_core::Decimal::from_str(s).unwrap();
        let us = quote_of("kraken", &req());
        assert_eq!(line(&us, "fiat withdrawal fee").amount, Some(d("4.0")));
        let de = quote_of("kraken", &QuoteRequest { country: "DE".into(), ..req() });
        let w = line(&de, "fiat withdrawal fee");
        assert_eq!(w.amount, Some(d("60.0")));
        assert!(w.note.starts_with("International SWIFT wire (non-US clients)"), "{}", w.note);
    }

    /// Binance does not serve US persons and takes no new UK customers; Bitfinex's exclusion of US persons is
    /// unverified in the catalog: a warning, not a refusal.
    #[test]
    fn venues_that_do_not_serve_a_country_say_so() {
        let binance_us = quote_of("binance", &QuoteRequest { fiat: "EUR".into(), ..req() });
        assert!(
            binance_us
                .unsuitable
                .iter()
                .any(|u| u.starts_with("does not serve residents of US: US persons not served")),
            "{:?}",
            binance_us.unsuitable
        );
        let gb = QuoteRequest { fiat: "GBP".into(), country: "GB".into(), ..req() };
        let binance_gb = quote_of("binance", &gb);
        assert!(
            binance_gb.unsuitable.iter().any(|u| u.starts_with("takes no new customers from GB")),
            "{:?}",
            binance_gb.unsuitable
        );
        let bitfinex = quote_of("bitfinex", &req());
        assert!(bitfinex.unsuitable.is_empty(), "{:?}", bitfinex.unsuitable);
        assert!(bitfinex.warnings.iter().any(|w| w.starts_with("may not serve residents of US (unverified)")));
        let de = quote_of("binance", &QuoteRequest { fiat: "EUR".into(), country: "DE".into(), ..req() });
        assert!(!de.unsuitable.iter().any(|u| u.contains("residents")), "{:?}", de.unsuitable);
    }

    /// What the planner used to take silently: an asset no venue names, a currency that is not fiat, a country
    /// that does not exist, a volatility typed as a percent.
    #[test]
    fn requests_that_cannot_be_planned_are_refused_with_the_reason() {
        let err = |r: QuoteRequest| quote_all(&r).unwrap_err();
        let e = err(QuoteRequest { asset: "FOOCOIN".into(), ..req() });
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(
            e.message.starts_with("asset: no venue in the catalog names FOOCOIN (known: BNB, BTC, ETH"),
            "{}",
            e.message
        );
        assert!(err(QuoteRequest { fiat: "XYZ".into(), ..req() }).message.starts_with("currency: XYZ is not a fiat"));
        assert!(err(QuoteRequest { fiat: "BTC".into(), ..req() }).message.starts_with("currency: BTC is not a fiat"));
        assert!(err(QuoteRequest { asset: "USD".into(), ..req() }).message.starts_with("asset: USD is a fiat"));
        assert!(err(QuoteRequest { country: "ZZ".into(), ..req() })
            .message
            .starts_with("country: `ZZ` is not a country"));
        assert!(err(QuoteRequest { country: "".into(), ..req() }).message.starts_with("country: give your country"));
        let e = err(QuoteRequest { daily_volatility: Some("3".into()), ..req() });
        assert!(e.message.starts_with("daily volatility: 3 is a fraction of the price"), "{}", e.message);
        // A percent written as one, and a country by its name.
        let pct =
            quote_all(&QuoteRequest { daily_volatility: Some("3%".into()), country: "United States".into(), ..req() })
                .unwrap();
        let fraction = quote_all(&req()).unwrap();
        assert_eq!(pct, fraction);
        // A sale far beyond the market's depth: no venue shows a negative net as if it were a plan.
        let huge = QuoteRequest { daily_volatility: Some("1".into()), daily_volume: Some("0.001".into()), ..req() };
        for q in quote_all(&huge).unwrap() {
            if q.net.is_some_and(|n| n < offramp_core::Decimal::ZERO) {
                assert!(q.unsuitable.iter().any(|u| u.starts_with("its costs would exceed")), "{q:?}");
            }
        }
        let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let p = crate::plan::plan_sale(&venues(None).unwrap(), &huge, start, 30).unwrap();
        for ex in &p.exchanges {
            assert!(
                ex.schedules.iter().all(|s| s.net.is_none_or(|n| n >= offramp_core::Decimal::ZERO)),
                "{}",
                ex.venue
            );
        }
    }

    #[test]
    fn unknowns_unsuitables_and_order() {
        let quotes = quote_all(&req()).unwrap();
        assert!(quotes.iter().all(|q| q.venue != "atm_industry" && q.venue != "otc_market_reference"));
        let closed = quotes.iter().find(|q| q.venue == "paxful").unwrap();
        assert!(closed.unsuitable.contains(&"closed".to_string()));
        let bitvavo = quotes.iter().find(|q| q.venue == "bitvavo").unwrap();
        assert!(bitvavo.unsuitable.iter().any(|u| u == "does not pay out USD"));
        let otc = quotes.iter().find(|q| q.venue == "kraken_otc").unwrap();
        assert_eq!(otc.net, None, "the desk's spread is unknown: so is the net");
        // Known nets come first, best first.
        let nets: Vec<_> =
            quotes.iter().take_while(|q| q.unsuitable.is_empty() && q.net.is_some()).map(|q| q.net.unwrap()).collect();
        assert!(!nets.is_empty() && nets.windows(2).all(|w| w[0] >= w[1]));
        let robosats = quotes.iter().find(|q| q.venue == "robosats").unwrap();
        assert!(
            robosats.warnings.iter().any(|w| w.contains("at most 0.04 BTC per trade: 250 trades")),
            "{:?}",
            robosats.warnings
        );
        // Offline without a price: a clear refusal.
        let e = quote_all(&QuoteRequest { price: None, ..req() }).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.contains("offline"));
        // Absurd figures are refused, never a crash: 28 digits of quantity times a price would overflow.
        let huge = "9999999999999999999999999999";
        for r in [
            QuoteRequest { qty: huge.into(), ..req() },
            QuoteRequest { price: Some(huge.into()), ..req() },
            QuoteRequest { daily_volume: Some(huge.into()), ..req() },
            QuoteRequest { volume_30d: Some(huge.into()), ..req() },
        ] {
            let e = quote_all(&r).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidInput);
            assert!(e.message.contains("is more than 1000000000000"), "{}", e.message);
            let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
            assert_eq!(
                crate::plan::plan_sale(&venues(None).unwrap(), &r, start, 30).unwrap_err().code,
                ErrorCode::InvalidInput
            );
        }
        assert!(quote_all(&QuoteRequest { price: Some("-1".into()), ..req() })
            .unwrap_err()
            .message
            .contains("price: must be positive"));
    }
}

#[cfg(test)]
mod live_price_tests {
    use super::*;
    use offramp_core::market::{Level, OrderBook};
    use offramp_market::{BookSource, Exchange, FetchedBook, MarketError};
    use std::str::FromStr;

    /// Books by exchange: `Some((bid, ask))`, or `None` for one that cannot be reached.
    struct Fixed(Vec<(Exchange, Option<(&'static str, &'static str)>)>);

    impl BookSource for Fixed {
        fn books(
            &self,
            _: &[Exchange],
            _: &str,
            _: &str,
            _: std::time::Duration,
        ) -> Vec<(Exchange, Result<FetchedBook, MarketError>)> {
            let d = |s: &str| offramp_core::Decimal::from_str(s).unwrap();
            self.0
                .iter()
                .map(|(ex, sides)| {
                    let r = match sides {
                        Some((bid, ask)) => Ok(FetchedBook {
                            exchange: *ex,
                            book: OrderBook {
                                // The best bid is the highest, wherever it stands in the list.
                                bids: vec![
                                    Level { price: d(bid) - d("5"), size: d("1") },
                                    Level { price: d(bid), size: d("1") },
                                ],
                                asks: vec![Level { price: d(ask), size: d("1") }],
                            },
                            elapsed: std::time::Duration::from_millis(7),
                        }),
                        None => Err(MarketError::Offline(ex.id())),
                    };
                    (*ex, r)
                })
                .collect()
        }
    }

    fn now() -> offramp_core::Timestamp {
        offramp_core::Timestamp::parse_rfc3339("2026-12-02T10:00:00Z").unwrap()
    }

    #[test]
    fn the_live_price_is_the_median_mid_of_the_books_that_answered() {
        let source = Fixed(vec![
            (Exchange::Kraken, Some(("99", "101"))),    // mid 100
            (Exchange::Coinbase, Some(("101", "103"))), // mid 102
            (Exchange::Binance, None),
            (Exchange::Bitstamp, Some(("109.5", "110.5"))), // mid 110
        ]);
        let p = live_price_from(&source, "btc", "usd", std::time::Duration::from_millis(10), now()).unwrap();
        assert_eq!((p.asset.as_str(), p.fiat.as_str()), ("BTC", "USD"));
        assert_eq!(p.price.map(|p| p.to_string()), Some("102".into()));
        assert_eq!(p.books, 3);
        assert_eq!(p.at, "2026-12-02T10:00:00Z");
        let binance = p.statuses.iter().find(|s| s.venue == venue_of(Exchange::Binance)).unwrap();
        assert_eq!(binance.state, "offline");
        // An even number of books: the two middle mids averaged.
        let two = Fixed(vec![(Exchange::Kraken, Some(("99", "101"))), (Exchange::Gemini, Some(("100.5", "101.5")))]);
        let p = live_price_from(&two, "BTC", "EUR", std::time::Duration::from_millis(10), now()).unwrap();
        assert_eq!(p.price.map(|p| p.to_string()), Some("100.5".into()));
    }

    #[test]
    fn no_book_means_no_price_and_a_bad_code_is_refused() {
        let none = Fixed(vec![(Exchange::Kraken, None), (Exchange::Gemini, None)]);
        let p = live_price_from(&none, "BTC", "USD", std::time::Duration::from_millis(10), now()).unwrap();
        assert_eq!((p.price, p.books, p.statuses.len()), (None, 0, 2));
        let e = live_price_from(&none, "BTC/../x", "USD", std::time::Duration::from_millis(10), now()).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert!(e.message.starts_with("asset: "), "{}", e.message);
    }
}

#[cfg(test)]
mod source_tests {
    use super::quote_tests::req;
    use super::*;

    /// Every cost line of every quote names where its figure comes from and its date, "not given" and "an
    /// unknown date" where the catalog has none: never an empty field.
    #[test]
    fn every_quoted_figure_has_a_source_and_a_date() {
        for r in [req(), QuoteRequest { fiat: "EUR".into(), country: "DE".into(), ..req() }] {
            for q in quote_all(&r).unwrap() {
                for c in &q.costs {
                    assert!(!c.source.is_empty() && !c.as_of.is_empty(), "{} {}: {c:?}", q.venue, c.name);
                }
            }
        }
        let k = quote_all(&req()).unwrap().into_iter().find(|q| q.venue == "kraken").unwrap();
        let fee = k.costs.iter().find(|c| c.name == "fiat withdrawal fee").unwrap();
        assert_eq!(fee.source, "https://support.kraken.com/hc/en-us/articles/customers-bank-funding-provider");
        assert_eq!(fee.as_of, "an unknown date");
        let depot = quote_all(&req()).unwrap().into_iter().find(|q| q.venue == "bitcoin_depot").unwrap();
        assert_eq!(
            (depot.costs[0].source.as_str(), depot.costs[0].as_of.as_str()),
            ("Iowa AG (2025-02-27)", "2025-02-27")
        );
        // The plan: every venue's sources and every complete plan's.
        let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let p = crate::plan::plan_sale(&venues(None).unwrap(), &QuoteRequest { ..req() }, start, 60).unwrap();
        for c in &p.recommended {
            assert!(!c.sources.is_empty(), "{}", c.title);
            assert!(c.sources.iter().all(|s| !s.source.is_empty() && !s.as_of.is_empty()));
        }
    }

    /// A withdrawal fee of yours with the deposit fee unpublished: the net is unknown, and the plan says why.
    #[test]
    fn an_unknown_deposit_fee_is_listed_when_it_makes_the_net_unknown() {
        let mut all = venues(None).unwrap();
        let o =
            offramp_core::overrides::Override::parse("bitstamp", "withdrawal_fee", "10 USD", "", "2026-12-01").unwrap();
        for v in &mut all {
            offramp_core::overrides::apply(v, std::slice::from_ref(&o));
        }
        let start = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let p = crate::plan::plan_sale(&all, &req(), start, 60).unwrap();
        let b = p.exchanges.iter().find(|v| v.venue == "bitstamp").unwrap();
        assert!(b.schedules.iter().all(|s| s.net.is_none()));
        assert_eq!(b.unknown_costs.len(), 1, "{:?}", b.unknown_costs);
        assert!(b.unknown_costs[0].starts_with("deposit fee"), "{:?}", b.unknown_costs);
        let c = p.recommended.iter().find(|c| c.venues == ["bitstamp"]).unwrap();
        assert!(c.reason.contains("net unknown: deposit fee"), "{}", c.reason);
        // The withdrawal fee is yours: its source says so.
        assert!(b
            .sources
            .iter()
            .any(|s| s.figure == "withdrawal: your withdrawal" && s.source.starts_with("your figure")));
    }
}
