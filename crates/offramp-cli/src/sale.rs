//! `quote`, `plan`, `override`, `venues`: the sale assistant.

use std::io::Write;

use clap::Subcommand;
use offramp_app::clock::system_now;
use offramp_app::model::{clip, Decimal, Plan, PlanRequest, TaxView, Venue, VenueKind, VenueQuote};
use offramp_app::overrides::Catalog;
use offramp_app::plan::TaxRequest;
use offramp_app::{no_progress, AppError, LedgerState};

use crate::{json_out, BasisArgs, Ctx};

// Parsed once per process: the size of its largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub(crate) enum SaleCommand {
    /// What selling would give at every venue: gross, costs, net, days to cash, and why a venue does not fit.
    Quote {
        #[command(flatten)]
        sale: SaleArgs,
        /// Fetch the exchanges' live order books (1.5 s timeout, all at once, so the answer comes within 2 s) and walk them for the impact.
        #[arg(long)]
        live: bool,
        #[arg(long)]
        json: bool,
    },
    /// A plan for the sale at each exchange: how much to sell each day without exceeding a withdrawal limit, the
    /// cost-versus-risk frontier, and a desk for the bulk where its spread is known.
    Plan {
        #[command(flatten)]
        sale: SaleArgs,
        /// The longest plan to consider, in days (1 to 365).
        #[arg(long, default_value_t = 30)]
        max_days: u32,
        /// The first day of selling (YYYY-MM-DD; default today, UTC).
        #[arg(long)]
        start: Option<String>,
        /// Show every schedule that fits, not only those on the frontier.
        #[arg(long)]
        all: bool,
        /// Choose the lots to sell from your ledger and estimate the tax: us, uk, de or ca.
        #[arg(long, value_name = "JURISDICTION")]
        tax: Option<String>,
        /// US: your marginal rate on short-term gains, in percent (e.g. 32).
        #[arg(long, value_name = "PERCENT")]
        rate_short: Option<String>,
        /// US: your rate on long-term gains, in percent (0, 15 or 20).
        #[arg(long, value_name = "PERCENT")]
        rate_long: Option<String>,
        /// UK: your CGT rate; Germany: your personal income tax rate; Canada: your marginal rate; in percent.
        #[arg(long, value_name = "PERCENT")]
        rate: Option<String>,
        /// US: how your past disposals were matched, which decides the lots still held.
        #[command(flatten)]
        basis: BasisArgs,
        /// The day you need the cash in your bank by (YYYY-MM-DD): plans that pay it later rank last.
        #[arg(long, value_name = "DAY")]
        cash_by: Option<String>,
        /// How much of the proceeds you need by that day (default: all of it).
        #[arg(long, value_name = "AMOUNT")]
        cash_needed: Option<String>,
        /// How much price risk you accept: low, medium or high (the weight of one standard deviation in the ranking: 2, 1, 0).
        #[arg(long, default_value = "medium")]
        risk: String,
        /// How many alternatives to list after the recommendation.
        #[arg(long, default_value_t = 6)]
        alternatives: usize,
        /// A withdrawal already made (a sale under way), counted against the venue's rolling windows:
        /// VENUE:YYYY-MM-DD:AMOUNT, repeatable (e.g. `--withdrawn kraken:2026-12-02:100000`).
        #[arg(long = "withdrawn", value_name = "VENUE:DAY:AMOUNT")]
        withdrawn: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Your own figures for venues (your fee, your verified limits, a desk's quote), kept in the ledger and used by
    /// quote and plan instead of the published ones.
    Override {
        #[command(subcommand)]
        command: OverrideCommand,
    },
    /// The last live price of an asset: the median mid of the exchanges' order books (1.5 s timeout, all at once).
    Price {
        /// The asset, e.g. BTC.
        asset: String,
        /// The currency of the price.
        #[arg(long, value_name = "CURRENCY", default_value = "USD")]
        to: String,
        #[arg(long)]
        json: bool,
    },
    /// The venue catalog: fees, limits and minimums with their source dates ("unknown" where not published).
    Venues {
        /// exchange, p2p, otc, atm, card or ramp
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

/// What to sell, for what, from where, and the market inputs while offline.
#[derive(clap::Args, Debug)]
pub(crate) struct SaleArgs {
    /// Quantity and asset, e.g. `--sell 10 BTC`.
    #[arg(long, num_args = 2, value_names = ["QTY", "ASSET"], required = true)]
    pub(crate) sell: Vec<String>,
    /// The fiat currency to receive.
    #[arg(long, value_name = "CURRENCY")]
    pub(crate) to: String,
    /// Your country (ISO code).
    #[arg(long, default_value = "US")]
    pub(crate) country: String,
    /// The price of one unit in that currency (needed while Offramp has no live prices).
    #[arg(long)]
    pub(crate) price: Option<String>,
    /// Your trading volume over the last 30 days, for fee tiers.
    #[arg(long)]
    pub(crate) volume_30d: Option<String>,
    /// Daily volatility as a fraction (0.03 = 3 %), for the square-root impact law.
    #[arg(long)]
    pub(crate) volatility: Option<String>,
    /// Daily traded volume of the asset, in its units, for the square-root impact law.
    #[arg(long)]
    pub(crate) daily_volume: Option<String>,
    /// Your verification level at a venue, as the catalog names it (repeatable), e.g. `--level kraken=Pro`.
    /// Default: the level a new verified account gets.
    #[arg(long = "level", value_name = "VENUE=LEVEL")]
    pub(crate) levels: Vec<String>,
    /// The exchange where your coins already are (no deposit there); default: your own wallet.
    #[arg(long, value_name = "VENUE")]
    pub(crate) held_at: Option<String>,
}

impl SaleArgs {
    pub(crate) fn request(self) -> Result<offramp_app::venues::QuoteRequest, AppError> {
        let [qty, asset]: [String; 2] = self.sell.try_into().unwrap_or_default();
        let levels = self
            .levels
            .iter()
            .map(|l| match l.split_once('=') {
                Some((venue, level)) if !venue.trim().is_empty() && !level.trim().is_empty() => {
                    Ok(offramp_app::model::VenueLevel { venue: venue.trim().into(), level: level.trim().into() })
                }
                _ => Err(AppError::new(
                    offramp_app::ErrorCode::InvalidInput,
                    format!("level: `{l}` is not VENUE=LEVEL (e.g. kraken=Intermediate)"),
                )),
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(offramp_app::venues::QuoteRequest {
            qty,
            asset,
            fiat: self.to,
            country: self.country,
            price: self.price,
            volume_30d: self.volume_30d,
            daily_volatility: self.volatility,
            daily_volume: self.daily_volume,
            impact_y: None,
            levels,
            held_at: self.held_at,
            ..Default::default()
        })
    }
}

#[derive(Subcommand, Debug)]
pub(crate) enum OverrideCommand {
    /// Set one of your figures for a venue: taker_pct, maker_pct, spread_pct (a desk's quote), or an amount with
    /// its currency for min_ticket, withdrawal_fee, limit_day, limit_month, limit_year (e.g. "25000 EUR").
    Set {
        venue: String,
        field: String,
        value: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Remove one of your figures (the published one applies again).
    Remove { venue: String, field: String },
    /// List your figures.
    List {
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(
    ctx: &Ctx,
    command: SaleCommand,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    match command {
        SaleCommand::Quote { sale, live, json } => {
            let req = sale.request()?;
            let catalog = catalog(ctx, err)?;
            if live {
                let (quotes, statuses) =
                    offramp_app::venues::quote_live(&ctx.config, &catalog.venues, &req, system_now())?;
                Ok(statuses
                    .iter()
                    .try_for_each(|s| writeln!(out, "{}: {}", s.venue, offramp_app::model::printable(&s.message)))
                    .and_then(|_| print_quotes(&req, &quotes, json, out)))
            } else {
                let quotes = offramp_app::venues::quote_all_in(&catalog.venues, &req)?;
                Ok(print_quotes(&req, &quotes, json, out))
            }
        }
        SaleCommand::Plan {
            sale,
            max_days,
            start,
            all,
            tax,
            rate_short,
            rate_long,
            rate,
            basis,
            cash_by,
            cash_needed,
            risk,
            alternatives,
            withdrawn,
            json,
        } => {
            let withdrawn = withdrawn
                .iter()
                .map(|w| {
                    let bad = || {
                        AppError::new(
                            offramp_app::ErrorCode::InvalidInput,
                            format!("withdrawn: `{w}` is not VENUE:YYYY-MM-DD:AMOUNT"),
                        )
                    };
                    let mut parts = w.splitn(3, ':');
                    let (Some(venue), Some(day), Some(amount)) = (parts.next(), parts.next(), parts.next()) else {
                        return Err(bad());
                    };
                    Ok(offramp_app::model::PastWithdrawal {
                        venue: venue.trim().to_ascii_lowercase(),
                        day: offramp_app::parse_day("withdrawn", day)?,
                        amount: offramp_app::model::Decimal::from_str_exact(amount.trim()).map_err(|_| bad())?,
                    })
                })
                .collect::<Result<Vec<_>, AppError>>()?;
            let req = offramp_app::venues::QuoteRequest {
                cash_by,
                cash_needed,
                risk: Some(risk),
                withdrawn,
                ..sale.request()?
            };
            let start = match start {
                Some(text) => offramp_app::parse_day("start", &text)?,
                None => system_now().date_utc(),
            };
            let plan = match tax {
                None => offramp_app::plan::plan_sale(&catalog(ctx, err)?.venues, &req, start, max_days)?,
                Some(jurisdiction) => {
                    let options = TaxRequest {
                        jurisdiction,
                        rate_short,
                        rate_long,
                        rate,
                        method: basis.method,
                        pooling: basis.pooling,
                    }
                    .options()?;
                    let session = ctx.session()?;
                    note_own_figures(session.catalog()?.own_figures, err);
                    session.plan_with_tax(&req, start, max_days, &options, &mut no_progress())?
                }
            };
            Ok(print_plan(&plan, all, alternatives, json, out))
        }
        SaleCommand::Override { command } => overrides(ctx, command, out),
        SaleCommand::Price { asset, to, json } => {
            let p = offramp_app::venues::live_price(&ctx.config, &asset, &to, system_now())?;
            if json {
                return Ok(json_out(&p, out));
            }
            let Some(price) = p.price else {
                let why: Vec<String> = p
                    .statuses
                    .iter()
                    .map(|s| format!("{}: {}", s.venue, offramp_app::model::printable(&s.message)))
                    .collect();
                return Err(AppError::new(
                    offramp_app::ErrorCode::MarketUnavailable,
                    format!("no live price of {} in {}: {}", p.asset, p.fiat, why.join("; ")),
                ));
            };
            Ok(writeln!(
                out,
                "{} {} per {} at {}, the median mid price of {} order book(s)",
                price, p.fiat, p.asset, p.at, p.books
            ))
        }
        SaleCommand::Venues { kind, json } => {
            Ok(print_venues(&offramp_app::venues::venues(kind.as_deref())?, json, out))
        }
    }
}

fn overrides(ctx: &Ctx, command: OverrideCommand, out: &mut dyn Write) -> Result<std::io::Result<()>, AppError> {
    let mut s = ctx.session()?;
    match command {
        OverrideCommand::Set { venue, field, value, note } => {
            let o = s.set_override(&venue, &field, &value, &note, system_now().date_utc())?;
            Ok(writeln!(out, "Set your figure for {}: {}.", o.venue, o.describe()))
        }
        OverrideCommand::Remove { venue, field } => {
            s.remove_override(&venue, &field)?;
            Ok(writeln!(out, "Removed your {field} for {venue}; the published figure applies again."))
        }
        OverrideCommand::List { json } => {
            let all = s.overrides()?;
            if json {
                return Ok(json_out(&all, out));
            }
            if all.is_empty() {
                return Ok(writeln!(out, "No figures of yours: quotes and plans use the published ones."));
            }
            Ok(all
                .iter()
                .try_for_each(|o| writeln!(out, "{:<20} {:<32} set {}  {}", o.venue, o.describe(), o.set_on, o.note)))
        }
    }
}

/// Says on `err` (stdout may be JSON) that the user's own venue figures are applied.
fn note_own_figures(count: usize, err: &mut dyn Write) {
    if count > 0 {
        let _ = writeln!(err, "Using {count} figure(s) of yours (offramp override list).");
    }
}

/// The catalog for quotes and plans: with the user's own figures when the ledger exists and a passphrase is at
/// hand; otherwise the published figures, saying why on `err` (stdout may be JSON).
fn catalog(ctx: &Ctx, err: &mut dyn Write) -> Result<Catalog, AppError> {
    // Without a data folder there is no ledger, and quotes still work from the published figures.
    let exists = offramp_app::status(&ctx.config).is_ok_and(|s| s.ledger == LedgerState::Present);
    let session = match (exists, ctx.key()) {
        (true, Ok(key)) => Some(offramp_app::Session::open(&ctx.config, &key)?),
        _ => None,
    };
    let catalog = Catalog::for_session(session.as_ref(), exists)?;
    note_own_figures(catalog.own_figures, err);
    if let Some(note) = &catalog.note {
        let _ = writeln!(err, "note: {note}.");
    }
    Ok(catalog)
}

/// The recommendation in full (why, the steps, the sources), then the alternatives one line each.
fn print_recommendation(p: &Plan, alternatives: usize, out: &mut dyn Write) -> std::io::Result<()> {
    let fiat = p.request.sale.fiat.as_str();
    let money = |v: Option<Decimal>| v.map(fiat2).unwrap_or_else(|| "unknown".into());
    let days = |d: Option<u32>| d.map(|d| d.to_string()).unwrap_or_else(|| "unknown".into());
    let Some(first) = p.recommended.first() else {
        return writeln!(out, "\nNo complete plan: see why at each venue below.");
    };
    writeln!(out, "\nRECOMMENDED: {}", first.title)?;
    writeln!(
        out,
        "  net {} {fiat}, cost {}, price risk (1 SD) {}, days to cash {}",
        money(first.net),
        money(first.cost),
        money(first.price_risk),
        days(first.days_to_cash)
    )?;
    if p.tax.is_some() {
        writeln!(out, "  estimated tax {} {fiat}, after tax {}", money(first.tax), money(first.after_tax))?;
    }
    writeln!(out, "  {}", first.reason)?;
    writeln!(out, "  Steps:")?;
    for (i, s) in first.steps.iter().enumerate() {
        let day = s.day.map(|d| format!("{d}: ")).unwrap_or_default();
        writeln!(out, "    {}. {day}{}", i + 1, s.text)?;
    }
    if first.tranches.len() > 1 {
        writeln!(out, "  Tranches (day, venue, sell {}, withdraw {fiat}, withdrawal fee):", p.request.sale.asset)?;
        let shown = first.tranches.iter().take(12);
        for t in shown {
            writeln!(
                out,
                "    {} {:<18} {:>14} {:>14} {:>10}",
                t.day,
                t.venue,
                t.sell.normalize(),
                money(t.withdraw),
                money(t.withdrawal_fee)
            )?;
        }
        if first.tranches.len() > 12 {
            writeln!(out, "    ... {} more (--json lists them all)", first.tranches.len() - 12)?;
        }
    }
    for w in &first.warnings {
        writeln!(out, "  ! {w}")?;
    }
    for u in &first.unknown_costs {
        writeln!(out, "  ? {u}")?;
    }
    writeln!(out, "  Sources:")?;
    for s in &first.sources {
        writeln!(out, "    {}: {}, as of {}", s.figure, s.source, s.as_of)?;
    }
    let rest: Vec<_> = p.recommended.iter().skip(1).take(alternatives).collect();
    if !rest.is_empty() {
        writeln!(out, "\nALTERNATIVES ({} of {}; --alternatives N for more):", rest.len(), p.recommended.len() - 1)?;
        for (i, c) in rest.iter().enumerate() {
            writeln!(
                out,
                "  {}. {}: net {} {fiat}, price risk {}, {} day(s) to cash; {}",
                i + 2,
                c.title,
                money(c.net),
                money(c.price_risk),
                days(c.days_to_cash),
                c.reason
            )?;
        }
    }
    writeln!(out, "\n{}", p.ranking)
}

fn print_plan(p: &Plan, all: bool, alternatives: usize, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(p, out);
    }
    let r = &p.request;
    let fiat = r.sale.fiat.as_str();
    let money = |v: Option<Decimal>| v.map(fiat2).unwrap_or_else(|| "unknown".into());
    writeln!(
        out,
        "Plan: selling {} {} at {} {fiat} each (your price) from {}, from {} over at most {} days. \
         Money rounded half away from zero to cents.",
        r.sale.qty, r.sale.asset, r.sale.price, r.sale.country, r.start, r.max_days
    )?;
    print_recommendation(p, alternatives, out)?;
    writeln!(out, "\nEach exchange in detail:")?;
    for v in p.exchanges.iter().filter(|v| v.unsuitable.is_empty()) {
        let limits: Vec<String> = v
            .limits
            .iter()
            .map(|l| {
                let window = if l.days == 1 { "a day".to_string() } else { format!("in {} days", l.days) };
                format!(
                    "{} {window}",
                    l.cap.map(|c| format!("{} {fiat}", fiat2(c))).unwrap_or_else(|| "unknown".into())
                )
            })
            .collect();
        let limits = match (&v.limits_level, &v.limits_basis) {
            (Some(_), Some(basis)) => format!("{}; {basis}", limits.join(", ")),
            (Some(level), None) => format!("({level}): {}", limits.join(", ")),
            _ => "unknown".into(),
        };
        let fewest = v.fewest_days.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
        writeln!(out, "\n{} ({})\n  withdrawal limits {limits}; fewest days {fewest}", v.venue, v.name)?;
        let taxed = p.tax.is_some();
        let tax_head = if taxed { format!(" {:>12} {:>14}", "TAX", "AFTER TAX") } else { String::new() };
        writeln!(
            out,
            "  {:>4} {:>8} {:>13} {:>14} {:>13} {:>11}{tax_head}  FIRST DAYS ({})",
            "DAYS",
            "URGENCY",
            format!("COST {fiat}"),
            format!("NET {fiat}"),
            "RISK 1 SD",
            "MAKER SAVES",
            r.sale.asset
        )?;
        // Without a frontier (a cost or the risk is unknown), the shortest schedules that fit.
        let frontier = v.schedules.iter().any(|s| s.efficient);
        let shown = v.schedules.iter().enumerate().filter(|(i, s)| all || s.efficient || (!frontier && *i < 3));
        for s in shown.map(|(_, s)| s) {
            let urgency = if s.fastest {
                "fastest".to_string()
            } else if s.urgency.is_zero() {
                "even".to_string()
            } else {
                s.urgency.to_string()
            };
            let first: Vec<String> = s.sales.iter().take(3).map(|d| d.qty.normalize().to_string()).collect();
            let more = if s.sales.len() > 3 { ", ..." } else { "" };
            let tax_cols =
                if taxed { format!(" {:>12} {:>14}", money(s.tax), money(s.after_tax)) } else { String::new() };
            writeln!(
                out,
                "  {:>4} {:>8} {:>13} {:>14} {:>13} {:>11}{tax_cols}  {}{more}{}",
                s.days,
                urgency,
                money(s.cost),
                money(s.net),
                money(s.risk_std),
                money(s.maker_saving),
                first.join(", "),
                match (s.efficient, s.cost.is_some() && s.risk_std.is_some()) {
                    (true, _) => "",
                    (false, true) => "  (off the frontier)",
                    (false, false) => "  (cost or risk unknown)",
                }
            )?;
        }
        if !frontier && !all && v.schedules.len() > 3 {
            writeln!(out, "  ... {} more that fit the limits (--all lists them)", v.schedules.len() - 3)?;
        }
        for w in &v.warnings {
            writeln!(out, "  ! {w}")?;
        }
        for u in &v.unknown_costs {
            writeln!(out, "  ? {u}")?;
        }
        for s in &v.sources {
            writeln!(out, "  source: {}: {}, as of {}", s.figure, s.source, s.as_of)?;
        }
    }
    if !p.mixes.is_empty() {
        writeln!(out, "\nA desk for the bulk, an exchange for the rest (one day):")?;
        for m in &p.mixes {
            writeln!(
                out,
                "  {} {} + {} {}: cost {} net {} {fiat} ({})",
                m.desk,
                m.desk_qty,
                m.exchange,
                m.exchange_qty,
                fiat2(m.cost),
                fiat2(m.net),
                m.note
            )?;
        }
    }
    if !p.desks_without_quote.is_empty() {
        writeln!(
            out,
            "\nDesks that could take the bulk, spread not published (ask for a quote, enter it as an override): {}",
            p.desks_without_quote.join(", ")
        )?;
    }
    let unsuitable: Vec<String> = p
        .exchanges
        .iter()
        .filter(|v| !v.unsuitable.is_empty())
        .map(|v| format!("{}: {}", v.venue, v.unsuitable.join("; ")))
        .collect();
    if !unsuitable.is_empty() {
        writeln!(out, "\nNot suitable:")?;
        for u in unsuitable {
            writeln!(out, "  {u}")?;
        }
    }
    if let Some(t) = &p.tax {
        print_tax_view(t, r, out)?;
    }
    writeln!(out)?;
    for n in &p.notes {
        writeln!(out, "Note: {n}")?;
    }
    Ok(())
}

fn print_tax_view(t: &TaxView, r: &PlanRequest, out: &mut dyn Write) -> std::io::Result<()> {
    use offramp_app::model::Jurisdiction as J;
    let fiat = r.sale.fiat.as_str();
    let money = |v: Option<Decimal>| v.map(fiat2).unwrap_or_else(|| "unknown".into());
    let pct = |v: Option<Decimal>| {
        v.map(|r| format!("{} %", (r * Decimal::ONE_HUNDRED).normalize())).unwrap_or_else(|| "unknown".into())
    };
    let c = &t.choice;
    let (rule, rates) = match c.jurisdiction {
        J::Us => (
            "US, specific identification: the lots that cost the least tax",
            format!("short-term {}, long-term {}", pct(t.rates.short), pct(t.rates.long)),
        ),
        J::Uk => ("UK, the Section 104 pool at its average cost", format!("CGT {}", pct(t.rates.short))),
        J::De => ("Germany, FIFO per wallet from the cheapest wallet", format!("income tax {}", pct(t.rates.short))),
        J::Ca => ("Canada, the adjusted cost base over all accounts", format!("marginal rate {}", pct(t.rates.short))),
    };
    writeln!(out, "\nTax ({rule}; your rates: {rates}). At {} {fiat} a unit, before selling costs:", r.sale.price)?;
    writeln!(
        out,
        "  {:<20} {:>8} {:>10} {:>16} {:>14} {:>14}  CLASS",
        "ACCOUNT", "LOT", "ACQUIRED", "QUANTITY", "COST", "GAIN"
    )?;
    for piece in &c.pieces {
        let class =
            serde_json::to_value(piece.class).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default();
        writeln!(
            out,
            "  {:<20} {:>8} {:>10} {:>16} {:>14} {:>14}  {class}",
            clip(&piece.account),
            piece.lot,
            piece.acquired,
            piece.qty,
            money(piece.cost),
            money(piece.gain),
        )?;
    }
    let mut totals = vec![format!("short-term or taxable gain {}", money(c.gain_short))];
    match c.jurisdiction {
        J::Us => totals.push(format!("long-term gain {}", money(c.gain_long))),
        J::De => totals.push(format!("tax-free gain {}", money(c.gain_tax_free))),
        J::Uk | J::Ca => {}
    }
    totals.push(format!("estimated tax {}", money(c.tax)));
    writeln!(out, "  {}", totals.join("; "))?;
    if c.unknown_basis > 0 {
        writeln!(
            out,
            "  ! {} lot piece(s) with an UNKNOWN cost basis: gain and tax unknown until it is recorded",
            c.unknown_basis
        )?;
    }
    if !c.short_of.is_zero() {
        writeln!(out, "  ! the ledger holds {} {} less than this sale", c.short_of, r.sale.asset)?;
    }
    if t.rates.short.is_none() || (c.jurisdiction == J::Us && t.rates.long.is_none()) {
        writeln!(
            out,
            "  (give your rates to estimate the tax: --rate-short/--rate-long for the US, --rate otherwise)"
        )?;
    }
    for w in &t.waits {
        let what = match (w.saving, w.gain_moved) {
            (Some(s), _) => format!("saves {} {fiat} in tax", fiat2(s)),
            (None, Some(g)) => format!("moves {} {fiat} of gain out of the short-term class", fiat2(g)),
            (None, None) => continue,
        };
        let becomes = if c.jurisdiction == J::De { "tax-free" } else { "long-term" };
        writeln!(
            out,
            "  Waiting {} days (until {}) {what}: lot {} in {} turns {becomes}.",
            w.days, w.date, w.lot, w.account
        )?;
    }
    Ok(())
}

fn fiat2(v: Decimal) -> String {
    offramp_app::report::fiat(v)
}

fn print_quotes(
    req: &offramp_app::venues::QuoteRequest,
    quotes: &[VenueQuote],
    json: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if json {
        return json_out(&quotes, out);
    }
    let gross = quotes.first().map(|q| fiat2(q.gross)).unwrap_or_default();
    let fiat = req.fiat.to_ascii_uppercase();
    // The price is the user's, or (live, without one) the median mid of the books: gross / quantity says which.
    let (price, whose) = match req.price.as_deref() {
        Some(p) => (p.to_string(), "your price"),
        None => (
            quotes
                .first()
                .and_then(|q| {
                    offramp_app::parse_decimal("quantity", &req.qty)
                        .ok()
                        .map(|qty| (q.gross / qty).normalize().to_string())
                })
                .unwrap_or_else(|| "?".into()),
            "median mid of the live order books",
        ),
    };
    writeln!(
        out,
        "Selling {} {} at {price} {fiat} each ({whose}): {gross} {fiat} gross. Money rounded half away from zero to cents.",
        req.qty,
        req.asset.to_ascii_uppercase(),
    )?;
    let line = |q: &VenueQuote| -> String {
        q.costs
            .iter()
            .map(|c| format!("{} {}", c.name, c.amount.map(fiat2).unwrap_or_else(|| "unknown".into())))
            .collect::<Vec<_>>()
            .join("; ")
    };
    writeln!(out, "\n{:<22} {:>14} {:>5}  COSTS", "VENUE", format!("NET {fiat}"), "DAYS")?;
    for q in quotes.iter().filter(|q| q.unsuitable.is_empty() && q.net.is_some()) {
        let days = q.days_to_cash.map(|d| d.to_string()).unwrap_or_else(|| "?".into());
        writeln!(out, "{:<22} {:>14} {:>5}  {}", q.venue, fiat2(q.net.unwrap_or_default()), days, line(q))?;
        for w in &q.warnings {
            writeln!(out, "{:<44}! {w}", "")?;
        }
        for c in q.costs.iter().filter(|c| c.amount.is_some()) {
            writeln!(out, "{:<44}  {}: source {}, as of {}", "", c.name, c.source, c.as_of)?;
        }
    }
    writeln!(out, "\nNet unknown (a cost is not published; an override or a desk quote would settle it):")?;
    for q in quotes.iter().filter(|q| q.unsuitable.is_empty() && q.net.is_none()) {
        writeln!(out, "  {:<20} {}", q.venue, line(q))?;
    }
    writeln!(out, "\nNot suitable:")?;
    for q in quotes.iter().filter(|q| !q.unsuitable.is_empty()) {
        writeln!(out, "  {:<20} {}", q.venue, q.unsuitable.join("; "))?;
    }
    Ok(())
}

fn or_unknown(v: Option<impl std::fmt::Display>, suffix: &str) -> String {
    v.map(|v| format!("{v}{suffix}")).unwrap_or_else(|| "unknown".into())
}

fn print_venues(venues: &[Venue], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(&venues, out);
    }
    writeln!(out, "{:<22} {:<9} {:<25} {:>9} {:>9}  LIMITS AND MINIMUMS", "VENUE", "KIND", "STATUS", "TAKER", "MAKER")?;
    for v in venues {
        let status = serde_json::to_value(v.status).ok().and_then(|s| s.as_str().map(String::from)).unwrap_or_default();
        let kind = serde_json::to_value(v.kind).ok().and_then(|s| s.as_str().map(String::from)).unwrap_or_default();
        let mut notes = Vec::new();
        if !v.withdrawal_limits.is_empty() {
            let levels: Vec<String> = v
                .withdrawal_limits
                .iter()
                .map(|l| {
                    let unit = format!(" {}", l.currency.as_deref().unwrap_or(""));
                    format!("{} {}", l.level, or_unknown(l.fiat_per_day, unit.trim_end()))
                })
                .collect();
            notes.push(format!("fiat withdrawal per day: {}", levels.join(", ")));
        }
        if v.min_ticket_usd.is_some() || v.kind == VenueKind::Otc {
            notes.push(format!("minimum ticket {}", or_unknown(v.min_ticket_usd, " USD")));
        }
        if let Some(f) = v.observed_fee_pct {
            notes.push(format!("observed fee {f}%"));
        }
        notes.push(format!("as of {}", v.as_of.as_deref().unwrap_or("unknown")));
        writeln!(
            out,
            "{:<22} {:<9} {:<25} {:>9} {:>9}  {}",
            v.id,
            kind,
            status,
            or_unknown(v.fees.taker_pct, "%"),
            or_unknown(v.fees.maker_pct, "%"),
            notes.join("; ")
        )?;
    }
    Ok(())
}
