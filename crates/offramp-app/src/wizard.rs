//! The sale wizard's use cases: its draft kept in the (encrypted) ledger so a sale can be resumed after a
//! restart, each executed tranche recorded as a sale in the ledger, and the progress of the sale read back from
//! the ledger (recorded tranches and sales imported from the venue's own file alike).

use std::path::Path;

use offramp_core::money::{decimal_str, parse_decimal};
use offramp_core::Code;
use offramp_core::{Decimal, Timestamp, TxKind};
use serde::{Deserialize, Serialize};

use crate::{AppError, ErrorCode, Session};

/// The settings key of the wizard's draft.
pub const DRAFT_KEY: &str = "wizard.sale.v1";
/// The largest draft kept (what a person types into seven steps is a few kilobytes).
pub const MAX_DRAFT_BYTES: usize = 256 * 1024;
/// The external id of a recorded tranche starts with this.
pub use offramp_store::import::RECORDED_PREFIX;
/// The file name recorded tranches carry as their source in the ledger.
pub const RECORDED_SOURCE: &str = "recorded in Offramp (sale wizard)";

fn invalid(m: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidInput, m)
}

/// The venue id the ledger's accounts carry for a catalog venue (importers name Coinbase `coinbase`).
pub fn ledger_venue(catalog_id: &str) -> &'static str {
    match catalog_id {
        "kraken" => "kraken",
        "coinbase_advanced" | "coinbase" => "coinbase",
        "binance" => "binance",
        "bitstamp" => "bitstamp",
        "gemini" => "gemini",
        "bitfinex" => "bitfinex",
        "okx" => "okx",
        "bitvavo" => "bitvavo",
        _ => "other",
    }
}

/// One executed tranche as the user reports it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(default)]
pub struct TrancheRecord {
    /// The catalog venue id (`kraken`).
    pub venue: String,
    /// When it executed: `YYYY-MM-DDTHH:MM:SSZ`, or a day (noon UTC is recorded).
    pub at: String,
    pub qty: String,
    pub asset: String,
    /// What the sale brought in, in `fiat`, after the trading fee.
    pub proceeds: String,
    pub fiat: String,
    /// The trading fee, in `fiat` (optional).
    pub fee: Option<String>,
    /// Which plan and tranche this was (kept in the ledger row's id, so the same record twice adds nothing).
    pub plan: Option<String>,
    pub tranche: Option<u32>,
    /// The ledger account to record it in (default: the account the ledger has at that venue, else a new one
    /// named after the venue).
    pub account: Option<String>,
}

/// What recording a tranche did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RecordedTranche {
    /// `false`: the same tranche was already recorded (nothing added).
    pub added: bool,
    /// The ledger account it went into.
    pub account: String,
    pub external_id: String,
}

/// Which sales belong to a sale in progress.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
#[serde(default)]
pub struct ProgressQuery {
    pub asset: String,
    pub fiat: String,
    /// The first day of the sale (`YYYY-MM-DD`): sales from then on count.
    pub since: String,
    /// How much the sale is of.
    pub qty: String,
    /// The catalog venues of the plan (empty: sales at any account count).
    pub venues: Vec<String>,
}

/// One sale counted in the progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ProgressSale {
    pub id: i64,
    pub at: String,
    pub account: String,
    /// The plan's venue it was sold at (the catalog id), when the account's venue says.
    pub venue: Option<String>,
    #[serde(with = "decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub qty: Decimal,
    /// What it brought in, in the sale's currency; `None` when the sale was into something else.
    #[serde(with = "decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub proceeds: Option<Decimal>,
    /// Recorded in the wizard (else imported from the venue's file).
    pub recorded: bool,
}

/// How far a sale has come.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SaleProgress {
    #[serde(with = "decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub sold: Decimal,
    /// What is left to sell (never below zero).
    #[serde(with = "decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub left: Decimal,
    #[serde(with = "decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub proceeds: Decimal,
    pub sales: Vec<ProgressSale>,
}

/// Reads a positive decimal a user typed, bounded so that sums stay far inside a decimal's range.
fn positive(field: &str, text: &str) -> Result<Decimal, AppError> {
    let v = parse_decimal(text.trim()).map_err(|e| invalid(format!("{field}: {e}")))?;
    if v <= Decimal::ZERO {
        return Err(invalid(format!("{field}: must be positive")));
    }
    if v > Decimal::from(1_000_000_000_000_000i64) {
        return Err(invalid(format!("{field}: {v} is more than 10^18")));
    }
    Ok(v)
}

/// A field of the generic CSV, quoted when it needs to be.
fn csv(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// The instant a user typed: an RFC 3339 time, or a day (noon UTC).
fn instant(field: &str, text: &str) -> Result<Timestamp, AppError> {
    let t = text.trim();
    if t.len() == 10 {
        let day = crate::parse_day(field, t)?;
        return Timestamp::parse_rfc3339(&format!("{day}T12:00:00Z")).map_err(|e| invalid(format!("{field}: {e}")));
    }
    Timestamp::parse_rfc3339(t).map_err(|e| invalid(format!("{field}: `{}`: {e}", offramp_core::text::clip(t))))
}

impl Session {
    /// The wizard's draft, when one was saved.
    pub fn sale_draft(&self) -> Result<Option<serde_json::Value>, AppError> {
        let Some(text) = self.ledger().setting(DRAFT_KEY)? else { return Ok(None) };
        match serde_json::from_str(&text) {
            Ok(v) => Ok(Some(v)),
            // A draft that cannot be read is not the user's data: start afresh rather than fail the wizard.
            Err(_) => Ok(None),
        }
    }

    /// Keeps the wizard's draft (a JSON object, at most [`MAX_DRAFT_BYTES`]); `null` forgets it.
    pub fn save_sale_draft(&mut self, draft: &serde_json::Value) -> Result<(), AppError> {
        let text = match draft {
            serde_json::Value::Null => String::new(),
            serde_json::Value::Object(_) => {
                serde_json::to_string(draft).map_err(|e| AppError::new(ErrorCode::Internal, format!("draft: {e}")))?
            }
            _ => return Err(invalid("draft: must be an object")),
        };
        if text.len() > MAX_DRAFT_BYTES {
            return Err(invalid(format!("draft: {} bytes is more than {MAX_DRAFT_BYTES}", text.len())));
        }
        self.ledger_mut().set_setting(DRAFT_KEY, &text)?;
        Ok(())
    }

    /// Records an executed tranche as a sale in the ledger, in the user's account at that venue (an account the
    /// ledger already has for it, else a new one named after the venue). The same tranche twice adds nothing.
    /// `now` bounds the time: a sale in the future is refused.
    pub fn record_tranche(
        &mut self,
        venues: &[offramp_core::catalog::Venue],
        r: &TrancheRecord,
        now: Timestamp,
    ) -> Result<RecordedTranche, AppError> {
        let venue = venues.iter().find(|v| v.id.eq_ignore_ascii_case(r.venue.trim())).ok_or_else(|| {
            invalid(format!("venue: no venue `{}` in the catalog", offramp_core::text::clip(&r.venue)))
        })?;
        let asset = Code::parse(r.asset.trim()).map_err(|e| invalid(format!("asset: {e}")))?;
        let fiat = Code::parse(r.fiat.trim()).map_err(|e| invalid(format!("currency: {e}")))?;
        if asset.is_fiat() || !fiat.is_fiat() {
            return Err(invalid(format!("currency: a sale of a crypto asset for fiat ({asset} for {fiat} is not)")));
        }
        let qty = positive("quantity", &r.qty)?;
        let proceeds = positive("proceeds", &r.proceeds)?;
        let fee = match r.fee.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
            None => None,
            Some(f) => {
                let v = parse_decimal(f).map_err(|e| invalid(format!("fee: {e}")))?;
                if v < Decimal::ZERO || v > proceeds {
                    return Err(invalid(format!("fee: {v} is not between 0 and the proceeds, {proceeds}")));
                }
                Some(v)
            }
        };
        let mut at = instant("at", &r.at)?;
        // A day alone stands for its noon (UTC); recorded on that very day before noon, it stands for now: a sale
        // recorded the morning it happened is not in the future.
        if r.at.trim().len() == 10 && at > now && at.date_utc() == now.date_utc() {
            at = now;
        }
        if at > now {
            return Err(invalid(format!("at: {} is in the future", at.to_rfc3339())));
        }
        let ledger_venue = ledger_venue(&venue.id);
        let accounts = self.ledger().accounts()?;
        let account = match r.account.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            Some(name) => {
                if !accounts.iter().any(|a| a.name == name) {
                    return Err(invalid(format!(
                        "account: the ledger has no account `{}`",
                        offramp_core::text::clip(name)
                    )));
                }
                name.to_string()
            }
            // The account the ledger has at that venue; else one named after it ("Kraken" from Offramp's generic
            // format, whose venue is unknown); else a new one.
            None => {
                let named = |a: &&offramp_store::AccountRow| {
                    let n = a.name.trim().to_ascii_lowercase();
                    let first = venue.name.split_whitespace().next().unwrap_or_default().to_ascii_lowercase();
                    n == venue.id || n == first || n.starts_with(&format!("{} ", venue.id))
                };
                accounts
                    .iter()
                    .filter(|a| a.venue == ledger_venue && ledger_venue != "other")
                    .max_by_key(|a| a.transactions)
                    .or_else(|| accounts.iter().filter(named).max_by_key(|a| a.transactions))
                    .map(|a| a.name.clone())
                    .unwrap_or_else(|| venue.name.clone())
            }
        };
        let external_id = format!(
            "{RECORDED_PREFIX}{}:{}",
            r.plan.as_deref().map(str::trim).filter(|p| !p.is_empty()).unwrap_or("manual"),
            r.tranche.map(|t| t.to_string()).unwrap_or_else(|| at.unix_micros().to_string())
        );
        if external_id.len() > 200 || external_id.contains(['\n', '\r']) {
            return Err(invalid("plan: too long, or not one line"));
        }
        let header = offramp_store::import::GENERIC_COLUMNS.join(",");
        let row = [
            at.to_rfc3339(),
            "sell".into(),
            account.clone(),
            qty.to_string(),
            asset.to_string(),
            proceeds.to_string(),
            fiat.to_string(),
            fee.map(|f| f.to_string()).unwrap_or_default(),
            fee.map(|_| fiat.to_string()).unwrap_or_default(),
            proceeds.checked_add(fee.unwrap_or_default()).map(|v| v.to_string()).unwrap_or_default(),
            fiat.to_string(),
            external_id.clone(),
            "recorded in Offramp's sale wizard".into(),
        ]
        .iter()
        .map(|f| csv(f))
        .collect::<Vec<_>>()
        .join(",");
        let body = format!("{header}\n{row}\n");
        let mut file = offramp_store::import::parse_bytes(Path::new(RECORDED_SOURCE), body.as_bytes())?;
        file.venue = ledger_venue;
        let summaries = self.ledger_mut().import(&[file], now, &mut |_, _| true)?;
        Ok(RecordedTranche { added: summaries.iter().any(|s| s.added > 0), account, external_id })
    }

    /// The sales of `q.asset` for `q.fiat` since the sale's first day, at the plan's venues: what is sold, what is
    /// left of `q.qty`, what came in.
    pub fn sale_progress(&self, q: &ProgressQuery) -> Result<SaleProgress, AppError> {
        let asset = Code::parse(q.asset.trim()).map_err(|e| invalid(format!("asset: {e}")))?;
        let fiat = Code::parse(q.fiat.trim()).map_err(|e| invalid(format!("currency: {e}")))?;
        let total = positive("quantity", &q.qty)?;
        let since = instant("since", &format!("{}T00:00:00Z", crate::parse_day("since", q.since.trim())?))?;
        let wanted: Vec<&'static str> = q.venues.iter().map(|v| ledger_venue(v.trim())).collect();
        let accounts = self.ledger().accounts()?;
        let counts = |account: &str| {
            wanted.is_empty()
                || accounts.iter().any(|a| a.name == account && wanted.contains(&a.venue.as_str()))
                || accounts.iter().any(|a| a.name == account && a.venue == "other")
        };
        let mut sales = Vec::new();
        let mut after = None;
        loop {
            let page = self.ledger().transactions(&offramp_store::TxFilter {
                asset: Some(asset),
                kind: Some(TxKind::Sell),
                from: Some(since),
                after,
                limit: 1000,
                ..Default::default()
            })?;
            let n = page.len();
            after = page.last().map(|r| (r.timestamp, r.id));
            for r in page {
                let Some(sent) = r.sent.filter(|s| s.code() == asset) else { continue };
                if !counts(&r.account) {
                    continue;
                }
                let recorded = r.external_id.as_deref().is_some_and(|e| e.starts_with(RECORDED_PREFIX));
                let account_venue = accounts.iter().find(|a| a.name == r.account).map(|a| a.venue.as_str());
                let venue = q
                    .venues
                    .iter()
                    .find(|v| account_venue.is_some_and(|a| a != "other" && ledger_venue(v.trim()) == a))
                    .cloned();
                sales.push(ProgressSale {
                    id: r.id,
                    at: r.timestamp.to_rfc3339(),
                    account: r.account.clone(),
                    venue,
                    qty: sent.value(),
                    proceeds: r.received.filter(|x| x.code() == fiat).map(|x| x.value()),
                    recorded,
                });
            }
            if n < 1000 {
                break;
            }
        }
        let sold: Decimal = sales.iter().map(|s| s.qty).sum();
        let proceeds: Decimal = sales.iter().filter_map(|s| s.proceeds).sum();
        Ok(SaleProgress {
            sold: sold.normalize(),
            left: (total - sold).max(Decimal::ZERO).normalize(),
            proceeds: proceeds.normalize(),
            sales,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Config, Flavor, Key};

    fn session() -> (tempfile::TempDir, Config, Session) {
        let tmp = tempfile::tempdir().unwrap();
        let config = Config::resolve(Flavor::Dev, Some(tmp.path().to_path_buf()), None);
        let key = Key::Passphrase("pw".into());
        crate::ledger::init_ledger(&config, &key).unwrap();
        let s = Session::open(&config, &key).unwrap();
        (tmp, config, s)
    }

    fn now() -> Timestamp {
        Timestamp::parse_rfc3339("2026-12-05T12:00:00Z").unwrap()
    }

    fn tranche(qty: &str, at: &str, n: u32) -> TrancheRecord {
        TrancheRecord {
            venue: "kraken".into(),
            at: at.into(),
            qty: qty.into(),
            asset: "BTC".into(),
            proceeds: "162000".into(),
            fiat: "USD".into(),
            fee: Some("421.20".into()),
            plan: Some("2026-12-02-BTC".into()),
            tranche: Some(n),
            account: None,
        }
    }

    /// A tranche recorded by hand, then Kraken's own file with that sale: the file's row replaces the recorded one
    /// (in the same transaction), so the sale counts once; a second, different sale is not touched.
    #[test]
    fn the_venues_own_file_replaces_the_recorded_tranche() {
        let (tmp, _config, mut s) = session();
        let venues = crate::venues::venues(None).unwrap();
        let at = |day: &str| TrancheRecord { plan: Some("p".into()), ..tranche("0.05", day, 1) };
        s.record_tranche(&venues, &at("2025-02-03"), now()).unwrap();
        s.record_tranche(&venues, &TrancheRecord { tranche: Some(2), ..tranche("0.3", "2025-02-10", 2) }, now())
            .unwrap();
        let file = tmp.path().join("kraken-trades.csv");
        std::fs::write(
            &file,
            "txid,ordertxid,pair,time,type,ordertype,price,cost,fee,vol,margin,misc,ledgers,postxid,posstatus,cprice,ccost,cfee,cvol,cmargin,net,trades
             TZ63HS-YBD4M-3RDG7H,OU2SQ5-PKL7R-YDB7T4,XBT/USD,2025-02-03 12:00:01.0001,sell,limit,98000.0,4900.00000,12.74000,0.05000000,0.00000,,LQ6ZAF-CSFOX-3FQIT2,,,,,,,,,
",
        )
        .unwrap();
        let report = s.import_files(&[file], now(), &mut crate::no_progress()).unwrap();
        assert_eq!((report.added, report.files[0].replaced_recorded), (1, 1));
        let q = ProgressQuery {
            asset: "BTC".into(),
            fiat: "USD".into(),
            since: "2025-02-01".into(),
            qty: "1".into(),
            venues: vec!["kraken".into()],
        };
        let p = s.sale_progress(&q).unwrap();
        assert_eq!(p.sold.to_string(), "0.35", "0.05 once (Kraken's row) and the other recorded 0.3");
        let recorded: Vec<bool> = p.sales.iter().map(|x| x.recorded).collect();
        assert_eq!(recorded, [false, true]);
    }

    #[test]
    fn the_draft_is_kept_in_the_ledger_across_sessions() {
        let (_tmp, config, mut s) = session();
        assert_eq!(s.sale_draft().unwrap(), None);
        let draft = serde_json::json!({"version": 1, "step": 5, "checklist": {"twofa": true}});
        s.save_sale_draft(&draft).unwrap();
        drop(s);
        let mut s = Session::open(&config, &Key::Passphrase("pw".into())).unwrap();
        assert_eq!(s.sale_draft().unwrap(), Some(draft));
        assert_eq!(s.save_sale_draft(&serde_json::json!([1])).unwrap_err().code, ErrorCode::InvalidInput);
        let huge = serde_json::json!({"x": "y".repeat(MAX_DRAFT_BYTES)});
        assert!(s.save_sale_draft(&huge).unwrap_err().message.contains("more than"));
        s.save_sale_draft(&serde_json::Value::Null).unwrap();
        assert_eq!(s.sale_draft().unwrap(), None, "forgotten");
    }

    #[test]
    fn a_day_recorded_that_morning_is_not_in_the_future() {
        let (_tmp, _config, mut s) = session();
        let venues = crate::venues::venues(None).unwrap();
        let morning = Timestamp::parse_rfc3339("2026-12-08T01:10:00Z").unwrap();
        // The day itself, before noon: recorded at the moment it is recorded.
        s.record_tranche(&venues, &tranche("0.5", "2026-12-08", 1), morning).unwrap();
        // A later day, or a time after now, is still refused.
        let e = s.record_tranche(&venues, &tranche("0.5", "2026-12-09", 2), morning).unwrap_err();
        assert!(e.message.contains("is in the future"), "{e}");
        let e = s.record_tranche(&venues, &tranche("0.5", "2026-12-08T02:00:00Z", 3), morning).unwrap_err();
        assert!(e.message.contains("is in the future"), "{e}");
    }

    #[test]
    fn a_recorded_tranche_is_a_sale_in_the_ledger_and_moves_the_progress() {
        let (tmp, _config, mut s) = session();
        // The user's Kraken account, from an import of Kraken's own file (venue `kraken`).
        let file = tmp.path().join("kraken.csv");
        std::fs::write(
            &file,
            "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency\n\
             2024-01-05T10:00:00Z,buy,My Kraken,250000,USD,10,BTC,,,,\n",
        )
        .unwrap();
        s.import_files(&[file], now(), &mut crate::no_progress()).unwrap();
        let venues = crate::venues::venues(None).unwrap();
        let q = ProgressQuery {
            asset: "BTC".into(),
            fiat: "USD".into(),
            since: "2026-12-02".into(),
            qty: "10".into(),
            venues: vec!["kraken".into()],
        };
        let p = s.sale_progress(&q).unwrap();
        assert_eq!((p.sold, p.left), (Decimal::ZERO, Decimal::TEN));

        let r = s.record_tranche(&venues, &tranche("2.5", "2026-12-02", 1), now()).unwrap();
        assert!(r.added);
        assert_eq!(r.external_id, "offramp-tranche:2026-12-02-BTC:1");
        // "My Kraken" came from Offramp's generic format, whose venue is unknown (`other`), and is not named after
        // the venue: the sale goes into a new account of venue `kraken`, named after it.
        assert_eq!(r.account, "Kraken (Kraken Pro spot)");
        let again = s.record_tranche(&venues, &tranche("2.5", "2026-12-02", 1), now()).unwrap();
        assert!(!again.added, "the same tranche twice adds nothing");
        s.record_tranche(&venues, &tranche("1", "2026-12-03T15:30:00Z", 2), now()).unwrap();
        let p = s.sale_progress(&q).unwrap();
        assert_eq!((p.sold.to_string(), p.left.to_string()), ("3.5".into(), "6.5".into()));
        assert_eq!(p.proceeds, Decimal::from(324_000));
        assert!(p.sales.iter().all(|x| x.recorded));
        // It is a sale in the ledger, with its fee, counted in the reports.
        let page = s.transactions(&crate::ledger::TxQuery { kind: Some("sell".into()), ..Default::default() }).unwrap();
        assert_eq!(page.rows.len(), 2);
        assert_eq!(page.rows[0].source_file, RECORDED_SOURCE);
        assert_eq!(page.rows[0].fee.unwrap().value().to_string(), "421.20");
        // Before the sale's first day, or elsewhere, sales do not count.
        let later = ProgressQuery { since: "2026-12-03".into(), ..q.clone() };
        assert_eq!(s.sale_progress(&later).unwrap().sold.to_string(), "1");
        let elsewhere = ProgressQuery { venues: vec!["bitstamp".into()], ..q };
        assert!(s.sale_progress(&elsewhere).unwrap().sales.is_empty());
        // A second recorded tranche at Kraken goes into the same account.
        let r = s.record_tranche(&venues, &tranche("0.5", "2026-12-04", 3), now()).unwrap();
        assert_eq!(r.account, "Kraken (Kraken Pro spot)");
    }

    #[test]
    fn the_account_named_after_the_venue_or_the_one_asked_for() {
        let (tmp, _config, mut s) = session();
        let file = tmp.path().join("history.csv");
        std::fs::write(
            &file,
            "timestamp,type,account,sent_amount,sent_asset,received_amount,received_asset,fee_amount,fee_asset,fiat_value,fiat_currency
             2024-01-05T10:00:00Z,buy,Kraken,250000,USD,10,BTC,,,,
             2024-01-06T10:00:00Z,buy,Cold storage,25000,USD,1,BTC,,,,
",
        )
        .unwrap();
        s.import_files(&[file], now(), &mut crate::no_progress()).unwrap();
        let venues = crate::venues::venues(None).unwrap();
        assert_eq!(s.record_tranche(&venues, &tranche("1", "2026-12-02", 1), now()).unwrap().account, "Kraken");
        let asked = TrancheRecord { account: Some("Cold storage".into()), ..tranche("1", "2026-12-02", 2) };
        assert_eq!(s.record_tranche(&venues, &asked, now()).unwrap().account, "Cold storage");
        let missing = TrancheRecord { account: Some("Nope".into()), ..tranche("1", "2026-12-02", 3) };
        assert!(s.record_tranche(&venues, &missing, now()).unwrap_err().message.contains("no account `Nope`"));
    }

    #[test]
    fn bad_records_are_refused_and_change_nothing() {
        let (_tmp, _config, mut s) = session();
        let venues = crate::venues::venues(None).unwrap();
        let bad = |r: TrancheRecord, s: &mut Session| s.record_tranche(&venues, &r, now()).unwrap_err().message;
        assert!(
            bad(TrancheRecord { venue: "nowhere".into(), ..tranche("1", "2026-12-02", 1) }, &mut s).contains("nowhere")
        );
        assert!(bad(tranche("0", "2026-12-02", 1), &mut s).starts_with("quantity: must be positive"));
        assert!(bad(tranche("1e3", "2026-12-02", 1), &mut s).starts_with("quantity"));
        assert!(bad(tranche("1", "2027-01-01", 1), &mut s).contains("in the future"));
        assert!(bad(tranche("1", "yesterday", 1), &mut s).starts_with("at"));
        assert!(bad(TrancheRecord { fee: Some("200000".into()), ..tranche("1", "2026-12-02", 1) }, &mut s)
            .starts_with("fee"));
        assert!(
            bad(TrancheRecord { fiat: "BTC".into(), ..tranche("1", "2026-12-02", 1) }, &mut s).starts_with("currency")
        );
        let page = s.transactions(&crate::ledger::TxQuery::default()).unwrap();
        assert!(page.rows.is_empty());
    }
}
