//! The venue catalog: the facts Offramp knows about places to sell (fees, limits, settlement), each with its
//! source and date as published, and `None` where a figure is unknown (shown as "unknown", never as zero).
//!
//! Parsed from the reference catalog's JSON (`venues.json`). Figures are read into decimals from the JSON
//! number's own text, never through arithmetic on floats. The whole record is kept as well, so every fact the
//! typed fields do not cover can still be shown with its source.

use serde::Serialize;
use serde_json::Value;

use crate::money::parse_decimal;
use crate::Decimal;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum VenueKind {
    Exchange,
    P2p,
    Otc,
    Atm,
    Card,
    Ramp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum VenueStatus {
    Active,
    ActiveWithRestrictions,
    Closed,
    /// Not a venue: industry averages or market references, for comparison only.
    Reference,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FeeTier {
    /// Lower bound of 30-day volume for this tier, in `FeeSchedule::volume_currency`.
    #[serde(with = "crate::money::decimal_str")]
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub min_volume: Decimal,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub maker_pct: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub taker_pct: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FeeSchedule {
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub maker_pct: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub taker_pct: Option<Decimal>,
    pub tiers: Vec<FeeTier>,
    pub volume_currency: Option<String>,
    pub source: Option<String>,
    pub as_of: Option<String>,
    pub confidence: Option<String>,
    /// Schedules for sellers of one region instead of this one (OKX's EEA schedule from 2025-10-01).
    pub regional: Vec<RegionalFees>,
}

/// A fee schedule that replaces the venue's for residents of a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RegionalFees {
    /// The region as the catalog names it (`EEA`), read as [`crate::quote::serves`] reads regions.
    pub region: String,
    /// When it took effect, as published.
    pub effective: Option<String>,
    pub schedule: FeeSchedule,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WithdrawalMethod {
    pub method: String,
    pub currency: Option<String>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub fee_fixed: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub fee_pct: Option<Decimal>,
    /// The least one withdrawal costs (`fee_min`): a percentage fee below it is raised to it.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub fee_min: Option<Decimal>,
    /// Whether `min_amount` itself is excluded ("> 10,000" in the method's name) and `max_amount` ("< 10,000").
    pub min_exclusive: bool,
    pub max_exclusive: bool,
    /// Where the catalog restricts the method: offered only to residents of these countries (ISO codes) ...
    pub only_countries: Vec<String>,
    /// ... or to everyone but these.
    pub except_countries: Vec<String>,
    /// The published words the restriction comes from.
    pub restriction: Option<String>,
    /// Currencies this method no longer counts for: the user set their own withdrawal fee for them.
    pub replaced_for: Vec<String>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub min_amount: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub max_amount: Option<Decimal>,
    pub max_amount_period: Option<String>,
    pub settlement_time: Option<String>,
    pub source: Option<String>,
    pub as_of: Option<String>,
}

impl WithdrawalMethod {
    /// Whether the method pays out `fiat` (its published currency field names it), and the user has not replaced
    /// it with a figure of their own for that currency.
    pub fn pays_out(&self, fiat: &str) -> bool {
        let fiat = fiat.to_ascii_uppercase();
        self.currency.as_deref().is_some_and(|c| c.to_ascii_uppercase().contains(&fiat))
            && !self.replaced_for.iter().any(|c| c.eq_ignore_ascii_case(&fiat))
    }

    /// Whether a resident of `country` (ISO code) may use the method, as far as the catalog says.
    pub fn offered_to(&self, country: &str) -> bool {
        let c = country.to_ascii_uppercase();
        (self.only_countries.is_empty() || self.only_countries.contains(&c)) && !self.except_countries.contains(&c)
    }

    /// What one withdrawal of `amount` costs: the fixed part plus the percentage, and at least the minimum fee.
    /// Exact (no rounding: the caller rounds for display).
    pub fn fee_for(&self, amount: Decimal) -> Decimal {
        let raw = self.fee_fixed.unwrap_or_default()
            + self.fee_pct.map(|p| amount * p / Decimal::ONE_HUNDRED).unwrap_or_default();
        self.fee_min.map_or(raw, |m| raw.max(m))
    }

    /// Whether a fee is published at all (fixed, percentage or minimum).
    pub fn fee_known(&self) -> bool {
        self.fee_fixed.is_some() || self.fee_pct.is_some()
    }

    /// The smallest and largest amount one withdrawal (or one day's withdrawals) may carry, where published. A
    /// maximum over a longer period is a limit, not a size: it is left to the rolling limits.
    pub fn amount_range(&self) -> (Option<Decimal>, Option<Decimal>) {
        let per_withdrawal_or_day = self
            .max_amount_period
            .as_deref()
            .is_none_or(|p| p.contains("day") || p.contains("24h") || p.contains("transaction"));
        (self.min_amount, self.max_amount.filter(|_| per_withdrawal_or_day))
    }

    /// Whether one withdrawal of `amount` fits the method's published sizes.
    pub fn takes(&self, amount: Decimal) -> bool {
        let (min, max) = self.amount_range();
        let above = |m: Decimal| if self.min_exclusive { amount > m } else { amount >= m };
        let below = |m: Decimal| if self.max_exclusive { amount < m } else { amount <= m };
        min.is_none_or(above) && max.is_none_or(below)
    }
}

/// How a venue's published restriction concerns residents of one country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RestrictionKind {
    /// Residents are not served.
    Refused,
    /// No new accounts for residents (an existing account may still work).
    NewAccountsRefused,
    /// The catalog says residents may not be served, but that it could not verify it.
    Unverified,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Restriction {
    /// ISO 3166 code.
    pub country: String,
    pub kind: RestrictionKind,
    /// The catalog's words (with their source, where it gives one).
    pub text: String,
}

/// The country restrictions a venue's `region_restrictions` state in words the catalog uses: "US persons not
/// served", "excludes US persons" (marked unverified where the text says so), "stopped accepting new UK users".
/// Other restrictions (a tier, a funding method) are not about whole countries and are left to the methods.
fn restrictions(published: &[String]) -> Vec<Restriction> {
    let mut out = Vec::new();
    for text in published {
        let u = text.to_ascii_uppercase();
        let unverified = u.contains("UNVERIFIED") || u.contains("NOT VERIFIED");
        if u.contains("US PERSONS NOT SERVED") || u.contains("EXCLUDES US PERSONS") {
            let kind = if unverified { RestrictionKind::Unverified } else { RestrictionKind::Refused };
            out.push(Restriction { country: "US".into(), kind, text: text.clone() });
        }
        if u.contains("NEW UK USERS") && (u.contains("STOPPED") || u.contains("NOT ACCEPTING")) {
            out.push(Restriction {
                country: "GB".into(),
                kind: RestrictionKind::NewAccountsRefused,
                text: text.clone(),
            });
        }
    }
    out
}

/// A size written into a method's name ("OpenPayd bank wire <= 10,000"): the comparison and the amount.
fn size_in_name(name: &str) -> Option<(&'static str, Decimal)> {
    for op in ["<=", ">=", "<", ">"] {
        if let Some(i) = name.find(op) {
            let digits: String = name[i + op.len()..]
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
                .filter(|c| *c != ',')
                .collect();
            if let Ok(v) = parse_decimal(digits.trim_end_matches('.')) {
                return Some((op, v));
            }
        }
    }
    None
}

/// Which countries may use a withdrawal method, from the catalog's words about it (its name, level and note,
/// and a venue restriction naming it, e.g. "Customers Bank Fedwire: US clients only"): (only, except).
fn method_countries(words: &str) -> (Vec<String>, Vec<String>) {
    let u = words.to_ascii_uppercase();
    let mut only = Vec::new();
    let mut except = Vec::new();
    if u.contains("NON-US") {
        except.push("US".to_string());
    }
    if ["US CLIENTS ONLY", "US ONLY", "US CUSTOMERS ONLY", "US RESIDENTS ONLY"].iter().any(|p| u.contains(p)) {
        only.push("US".to_string());
    }
    if u.contains("SINGAPORE ACCOUNTS") {
        only.push("SG".to_string());
    }
    if u.contains("UK/GIBRALTAR BANK") {
        only.extend(["GB".to_string(), "GI".to_string()]);
    }
    (only, except)
}

/// Lower-case words of a text (letters and digits).
fn words_of(text: &str) -> std::collections::HashSet<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_ascii_lowercase).collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WithdrawalLimit {
    pub level: String,
    /// The currency of the caps below (`USD`, `EUR`), when the record states any fiat cap.
    pub currency: Option<String>,
    /// Caps on fiat withdrawals over a day, a rolling 30 days and a rolling 365 days; `None` is unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub fiat_per_day: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub fiat_per_month: Option<Decimal>,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub fiat_per_year: Option<Decimal>,
    pub note: Option<String>,
    pub source: Option<String>,
    pub as_of: Option<String>,
}

/// Caps on one seller at a P2P platform or an ATM operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Caps {
    /// The largest trade in BTC for a fiat sale (Bisq: "< 2 BTC", exclusive), where published.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub trade_max_btc: Option<Decimal>,
    pub trade_max_exclusive: bool,
    /// The largest trade of a new account (Bisq: 0.1 BTC until its payment account is signed).
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub new_user_trade_max_btc: Option<Decimal>,
    /// A cap per day in a fiat currency (Peach: 1,000 CHF; an ATM operator's daily limit in USD).
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub per_day: Option<Decimal>,
    pub per_day_currency: Option<String>,
    /// What the published daily cap is (an ATM's "daily buy limit").
    pub per_day_note: Option<String>,
    pub source: Option<String>,
    pub as_of: Option<String>,
    /// Whether the operator's machines buy bitcoin from customers: `None` is not published.
    pub sell_supported: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Venue {
    pub id: String,
    pub name: String,
    pub kind: VenueKind,
    pub status: VenueStatus,
    pub regions: Vec<String>,
    /// Countries whose residents the venue does not serve (or not as new customers), from its published
    /// restrictions.
    pub restrictions: Vec<Restriction>,
    pub fiat_currencies: Vec<String>,
    pub fees: FeeSchedule,
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub typical_spread_pct: Option<Decimal>,
    pub withdrawal_methods: Vec<WithdrawalMethod>,
    pub withdrawal_limits: Vec<WithdrawalLimit>,
    /// What depositing the crypto to sell costs: zero where the venue publishes deposits as free, else unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub deposit_fee: Option<Decimal>,
    /// The deposit fee as published (text), when there is one.
    pub deposit_fee_note: Option<String>,
    /// The smallest order the exchange takes, in `min_order_currency` (the quote currency); `None` when unknown.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub min_order: Option<Decimal>,
    pub min_order_currency: Option<String>,
    /// OTC desks' minimum ticket.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub min_ticket_usd: Option<Decimal>,
    pub min_ticket_source: Option<String>,
    /// P2P platforms: the largest single trade, in BTC, where published.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub max_trade_btc: Option<Decimal>,
    /// ATMs: the fee observed on transactions.
    #[serde(with = "crate::money::decimal_str::option")]
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub observed_fee_pct: Option<Decimal>,
    pub observed_fee_source: Option<String>,
    /// P2P platforms and ATMs: caps on what one seller can do, as published.
    pub caps: Caps,
    /// The exchange's own tool for selling over time (TWAP), as a catalog record describes it, with that record.
    pub twap: Option<(String, String)>,
    /// The record's own date (`as_of`), as published ("unknown" becomes `None`).
    pub as_of: Option<String>,
    /// The whole record as published.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub record: Value,
    /// The user's own figures applied over the published ones (see `overrides::apply`), described.
    pub overridden: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("venue catalog, record {record} (`{id}`), field `{field}`: {reason}")]
pub struct CatalogError {
    pub record: usize,
    pub id: String,
    pub field: String,
    pub reason: String,
}

struct Reader<'a> {
    index: usize,
    id: String,
    v: &'a Value,
}

impl Reader<'_> {
    fn err(&self, field: &str, reason: impl Into<String>) -> CatalogError {
        CatalogError { record: self.index, id: self.id.clone(), field: field.to_string(), reason: reason.into() }
    }

    /// A figure: a JSON number read from its text; `null`, a missing key or a text such as "unknown" is `None`.
    fn num(&self, obj: &Value, field: &str) -> Result<Option<Decimal>, CatalogError> {
        number(obj.get(field)).map_err(|reason| self.err(field, reason))
    }
}

fn number(v: Option<&Value>) -> Result<Option<Decimal>, String> {
    match v {
        Some(Value::Number(n)) => {
            let text = n.to_string();
            let parsed = if text.contains(['e', 'E']) {
                Decimal::from_scientific(&text).map_err(|e| format!("{text}: {e}"))
            } else {
                parse_decimal(&text).map_err(|e| e.to_string())
            };
            parsed.map(Some)
        }
        _ => Ok(None),
    }
}

fn text(v: &Value, field: &str) -> Option<String> {
    v.get(field).and_then(Value::as_str).filter(|s| !s.is_empty() && *s != "unknown").map(String::from)
}

fn strings(v: &Value, field: &str) -> Vec<String> {
    v.get(field)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(String::from)).collect())
        .unwrap_or_default()
}

/// Parses the catalog. Every record needs an `id`, a `name`, a known `kind` and `status`; figures that are
/// missing or `null` are unknown.
pub fn parse_catalog(json: &str) -> Result<Vec<Venue>, CatalogError> {
    let root: Value = serde_json::from_str(json).map_err(|e| CatalogError {
        record: 0,
        id: String::new(),
        field: String::new(),
        reason: format!("not valid JSON: {e}"),
    })?;
    let records = root.as_array().ok_or_else(|| CatalogError {
        record: 0,
        id: String::new(),
        field: String::new(),
        reason: "the catalog must be a JSON array of venues".into(),
    })?;
    let mut seen = std::collections::HashSet::new();
    records
        .iter()
        .enumerate()
        .map(|(index, v)| {
            let r = Reader { index, id: text(v, "id").unwrap_or_default(), v };
            if r.id.is_empty() {
                return Err(r.err("id", "missing"));
            }
            if !seen.insert(r.id.clone()) {
                return Err(r.err("id", "appears twice"));
            }
            venue(&r)
        })
        .collect::<Result<Vec<Venue>, CatalogError>>()
        .map(|mut all| {
            link_twap(&mut all);
            all
        })
}

/// A P2P platform's trade limits or an ATM operator's daily limit.
fn caps(r: &Reader) -> Result<Caps, CatalogError> {
    let v = r.v;
    let t = v.get("trade_limits").cloned().unwrap_or(Value::Null);
    let mut c = Caps { sell_supported: v.get("sell_supported").and_then(Value::as_bool), ..Caps::default() };
    // "< 2 BTC depending on payment-method risk": a bound in words.
    match t.get("fiat_accounts_max_btc") {
        Some(Value::String(s)) => {
            let s = s.trim();
            let exclusive = s.starts_with('<') && !s.starts_with("<=");
            let digits: String = s
                .trim_start_matches(['<', '=', ' '])
                .chars()
                .take_while(|ch| ch.is_ascii_digit() || *ch == '.')
                .collect();
            if let Ok(n) = parse_decimal(&digits) {
                c.trade_max_btc = Some(n);
                c.trade_max_exclusive = exclusive;
            }
        }
        other => c.trade_max_btc = number(other).map_err(|e| r.err("trade_limits.fiat_accounts_max_btc", e))?,
    }
    if c.trade_max_btc.is_none() {
        c.trade_max_btc = match r.num(&t, "max_single_trade_sats")? {
            Some(sats) => Some(sats / Decimal::from(100_000_000)),
            None => r.num(&t, "max_single_trade_btc")?,
        };
    }
    c.new_user_trade_max_btc = r.num(&t, "new_user_limit_btc")?;
    if let Some(obj) = t.as_object() {
        if let Some((k, _)) = obj.iter().find(|(k, x)| k.starts_with("per_day_") && x.is_number()) {
            c.per_day = r.num(&t, k)?;
            c.per_day_currency = Some(k.trim_start_matches("per_day_").to_ascii_uppercase());
            c.per_day_note = text(&t, "confidence").map(|x| format!("confidence {x}"));
        }
    }
    c.source = text(&t, "source");
    c.as_of = text(&t, "as_of");
    if let Some(cap) = r.num(v, "daily_buy_limit_usd")? {
        c.per_day = Some(cap);
        c.per_day_currency = Some("USD".into());
        c.per_day_note = Some("the operator's published daily buy limit (a sell limit is not published)".into());
        c.source = text(v, "daily_limit_source");
        c.as_of = None;
    }
    Ok(c)
}

/// An exchange's own TWAP tool, where the catalog mentions one: in the exchange's record or in one of its own
/// desks' (`kraken_otc` says "Kraken also offers native TWAP on the exchange").
fn link_twap(venues: &mut [Venue]) {
    fn mention(v: &Value) -> Option<String> {
        match v {
            Value::String(s) if s.to_ascii_uppercase().contains("TWAP") => Some(s.clone()),
            Value::Array(a) => a.iter().find_map(mention),
            Value::Object(o) => o.values().find_map(mention),
            _ => None,
        }
    }
    let found: Vec<(usize, String, String)> = venues
        .iter()
        .enumerate()
        .filter(|(_, v)| v.kind == VenueKind::Exchange)
        .filter_map(|(i, ex)| {
            venues
                .iter()
                .filter(|r| r.id == ex.id || r.id.starts_with(&format!("{}_", ex.id)))
                .find_map(|r| mention(&r.record).map(|m| (i, m, r.name.clone())))
        })
        .collect();
    for (i, m, from) in found {
        venues[i].twap = Some((m, from));
    }
}

/// The fee tiers of a schedule object.
fn tiers(r: &Reader, obj: &Value, field: &str) -> Result<Vec<FeeTier>, CatalogError> {
    let mut out = Vec::new();
    for t in obj.get("tiers").and_then(Value::as_array).into_iter().flatten() {
        let min = r.num(t, "min_30d_volume")?.or(r.num(t, "min_30d_volume_eur")?);
        out.push(FeeTier {
            min_volume: min.ok_or_else(|| r.err(&format!("{field}.min_30d_volume"), "missing"))?,
            maker_pct: r.num(t, "maker_pct")?,
            taker_pct: r.num(t, "taker_pct")?,
        });
    }
    Ok(out)
}

fn venue(r: &Reader) -> Result<Venue, CatalogError> {
    let v = r.v;
    let kind = match text(v, "kind").as_deref() {
        Some("exchange") => VenueKind::Exchange,
        Some("p2p") => VenueKind::P2p,
        Some("otc") => VenueKind::Otc,
        Some("atm") => VenueKind::Atm,
        Some("card") => VenueKind::Card,
        Some("ramp") => VenueKind::Ramp,
        other => return Err(r.err("kind", format!("unknown kind {other:?}"))),
    };
    let status = match text(v, "status").as_deref() {
        Some("active") => VenueStatus::Active,
        Some("active_with_restrictions") => VenueStatus::ActiveWithRestrictions,
        Some("closed") => VenueStatus::Closed,
        Some("reference") => VenueStatus::Reference,
        other => return Err(r.err("status", format!("unknown status {other:?}"))),
    };
    let fees_obj = v.get("fees").cloned().unwrap_or(Value::Null);
    let mut fees = FeeSchedule {
        // The record's headline figures, else the fee object's base figures.
        maker_pct: r
            .num(v, "maker_fee_pct")?
            .or(r.num(&fees_obj, "maker_fee_pct_base")?)
            .or(r.num(&fees_obj, "maker_fee_pct")?),
        taker_pct: r
            .num(v, "taker_fee_pct")?
            .or(r.num(&fees_obj, "taker_fee_pct_base")?)
            .or(r.num(&fees_obj, "taker_fee_pct")?),
        tiers: Vec::new(),
        volume_currency: text(&fees_obj, "volume_currency"),
        source: text(&fees_obj, "tiers_source").or_else(|| text(&fees_obj, "source")).or_else(|| text(v, "fee_source")),
        as_of: text(&fees_obj, "tiers_as_of").or_else(|| text(&fees_obj, "as_of")),
        confidence: text(&fees_obj, "confidence"),
        regional: Vec::new(),
    };
    fees.tiers = tiers(r, &fees_obj, "fees.tiers")?;
    // Regional schedules: `<region>_schedule` objects (`eea_schedule`), each with its own tiers in its currency.
    if let Some(obj) = fees_obj.as_object() {
        for (key, s) in obj.iter().filter(|(k, v)| k.ends_with("_schedule") && v.is_object()) {
            let region = key.trim_end_matches("_schedule").to_ascii_uppercase();
            let tiers = tiers(r, s, &format!("fees.{key}.tiers"))?;
            let base = tiers.iter().min_by_key(|t| t.min_volume);
            fees.regional.push(RegionalFees {
                region,
                effective: text(s, "effective"),
                schedule: FeeSchedule {
                    maker_pct: r.num(s, "maker_pct")?.or(base.and_then(|t| t.maker_pct)),
                    taker_pct: r.num(s, "taker_pct")?.or(base.and_then(|t| t.taker_pct)),
                    volume_currency: text(s, "currency"),
                    source: text(s, "source"),
                    as_of: text(s, "as_of").or_else(|| text(s, "effective").map(|e| format!("effective {e}"))),
                    confidence: text(s, "confidence"),
                    regional: Vec::new(),
                    tiers,
                },
            });
        }
    }
    let published_restrictions = strings(v, "region_restrictions");
    let mut withdrawal_methods: Vec<WithdrawalMethod> = Vec::new();
    for m in v.get("fiat_withdrawal_methods").and_then(Value::as_array).into_iter().flatten() {
        let name = text(m, "method").unwrap_or_else(|| "unnamed".into());
        let (mut min_amount, mut max_amount) = (r.num(m, "min_amount")?, r.num(m, "max_amount")?);
        let (mut min_exclusive, mut max_exclusive) = (false, false);
        // A size range in the name ("<= 10,000", "> 10,000") is a size of one withdrawal.
        let mut max_amount_period = text(m, "max_amount_period");
        match size_in_name(&name) {
            Some((op @ (">" | ">="), amount)) if min_amount.is_none() => {
                min_amount = Some(amount);
                min_exclusive = op == ">";
            }
            Some((op @ ("<" | "<="), amount)) if max_amount.is_none() => {
                max_amount = Some(amount);
                max_exclusive = op == "<";
                max_amount_period = Some("transaction".into());
            }
            _ => {}
        }
        // The words about the method: its own, and a venue restriction that names it ("Customers Bank Fedwire:
        // US clients only" names the method "Fedwire (Customers Bank)").
        let own = words_of(&name);
        let about: Vec<&String> = published_restrictions
            .iter()
            .filter(|t| {
                t.split_once(':').is_some_and(|(head, _)| {
                    let head = words_of(head);
                    head.len() >= 2 && head.is_subset(&own)
                })
            })
            .collect();
        let mut words = vec![name.clone()];
        words.extend(text(m, "kyc_level"));
        words.extend(text(m, "note"));
        words.extend(about.iter().map(|t| t.to_string()));
        let (only_countries, except_countries) = method_countries(&words.join(" | "));
        let restriction = (!only_countries.is_empty() || !except_countries.is_empty())
            .then(|| about.first().map(|t| t.to_string()).unwrap_or_else(|| name.clone()));
        withdrawal_methods.push(WithdrawalMethod {
            method: name,
            currency: text(m, "currency"),
            fee_fixed: r.num(m, "fee_fixed")?,
            fee_pct: r.num(m, "fee_pct")?,
            fee_min: r.num(m, "fee_min")?,
            min_amount,
            max_amount,
            min_exclusive,
            max_exclusive,
            max_amount_period,
            settlement_time: text(m, "settlement_time"),
            // "same" is the catalog's ditto: the source of the method above.
            source: match text(m, "source") {
                Some(s) if s.eq_ignore_ascii_case("same") => withdrawal_methods.last().and_then(|p| p.source.clone()),
                other => other,
            },
            as_of: text(m, "as_of"),
            only_countries,
            except_countries,
            restriction,
            replaced_for: Vec::new(),
        });
    }
    let mut withdrawal_limits = Vec::new();
    for l in v.get("withdrawal_limits").and_then(Value::as_array).into_iter().flatten() {
        // Fiat caps are published per currency (`fiat_withdraw_per_day_usd`, `..._eur`); a cap on fiat and crypto
        // together (`combined_withdraw_per_day_eur`) caps fiat too.
        let currency = ["usd", "eur", "gbp"].into_iter().find(|c| {
            ["fiat_withdraw", "combined_withdraw"]
                .iter()
                .any(|k| ["day", "month", "year"].iter().any(|p| l.get(format!("{k}_per_{p}_{c}")).is_some()))
        });
        let cap = |period: &str| -> Result<Option<Decimal>, CatalogError> {
            let Some(c) = currency else { return Ok(None) };
            let fiat = r.num(l, &format!("fiat_withdraw_per_{period}_{c}"))?;
            Ok(match fiat {
                Some(v) => Some(v),
                None => r.num(l, &format!("combined_withdraw_per_{period}_{c}"))?,
            })
        };
        withdrawal_limits.push(WithdrawalLimit {
            level: text(l, "level").unwrap_or_else(|| "default".into()),
            currency: currency.map(str::to_ascii_uppercase),
            fiat_per_day: cap("day")?,
            fiat_per_month: cap("month")?,
            fiat_per_year: cap("year")?,
            note: text(l, "note"),
            source: text(l, "source"),
            as_of: text(l, "as_of"),
        });
    }
    Ok(Venue {
        id: r.id.clone(),
        name: text(v, "name").ok_or_else(|| r.err("name", "missing"))?,
        kind,
        status,
        regions: strings(v, "regions"),
        restrictions: restrictions(&published_restrictions),
        fiat_currencies: strings(v, "fiat_currencies"),
        fees,
        typical_spread_pct: r.num(v, "typical_spread_pct")?,
        withdrawal_methods,
        withdrawal_limits,
        // Deposits: only a published "free" is read as zero; anything else (a number in some unit, nothing) stays
        // unknown, with the published text kept.
        deposit_fee_note: v.get("crypto_deposit").and_then(|d| text(d, "fee")),
        deposit_fee: v
            .get("crypto_deposit")
            .and_then(|d| text(d, "fee"))
            .filter(|t| t.trim_start().to_ascii_lowercase().starts_with("free"))
            .map(|_| Decimal::ZERO),
        // Minimum order: published as the quote-currency amount of the BTC pair (`btcusd_quote` with `currency`).
        min_order: {
            let m = v.get("min_order").cloned().unwrap_or(Value::Null);
            r.num(&m, "btcusd_quote")?
        },
        min_order_currency: v.get("min_order").and_then(|m| text(m, "currency")).map(|c| c.to_ascii_uppercase()),
        min_ticket_usd: r.num(v, "min_ticket_usd")?,
        min_ticket_source: text(v, "min_ticket_source"),
        max_trade_btc: {
            let limits = v.get("trade_limits").cloned().unwrap_or(Value::Null);
            match r.num(&limits, "max_single_trade_sats")? {
                Some(sats) => Some(sats / Decimal::from(100_000_000)),
                None => r.num(&limits, "max_single_trade_btc")?,
            }
        },
        observed_fee_pct: r.num(v, "fee_pct_observed")?,
        observed_fee_source: text(v, "fee_source"),
        caps: caps(r)?,
        twap: None,
        as_of: text(v, "as_of"),
        record: v.clone(),
        overridden: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_come_from_their_text_and_unknowns_stay_unknown() {
        let json = r#"[{"id":"x","name":"X","kind":"exchange","status":"active","maker_fee_pct":0.16,
            "taker_fee_pct":null,"typical_spread_pct":"unknown","fees":{"min_fee_btc":5e-05,"tiers":[
            {"min_30d_volume":0,"maker_pct":0.1,"taker_pct":0.2}]},"as_of":"unknown"}]"#;
        let v = &parse_catalog(json).unwrap()[0];
        assert_eq!(v.fees.maker_pct, Some(Decimal::new(16, 2)));
        assert_eq!(v.fees.taker_pct, None);
        assert_eq!(v.typical_spread_pct, None);
        assert_eq!(v.as_of, None);
        assert_eq!(v.fees.tiers[0].taker_pct, Some(Decimal::new(2, 1)));
        assert_eq!(number(Some(&serde_json::json!(5e-05))).unwrap(), Some(Decimal::new(5, 5)));
    }

    #[test]
    fn bad_records_name_the_record_and_field() {
        let e = parse_catalog(r#"[{"id":"x","name":"X","kind":"bank","status":"active"}]"#).unwrap_err();
        assert_eq!((e.record, e.id.as_str(), e.field.as_str()), (0, "x", "kind"));
        let e = parse_catalog(r#"[{"id":"x","name":"X","kind":"atm","status":"active"},{"id":"x","name":"Y","kind":"atm","status":"active"}]"#).unwrap_err();
        assert_eq!((e.record, e.field.as_str()), (1, "id"));
        assert!(parse_catalog("{}").is_err());
    }
}
