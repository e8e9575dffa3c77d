//! `prices`: fill "needs price" from exchanges' public daily candles, or set a price by hand.

use std::io::Write;

use clap::Subcommand;
use offramp_app::clock::system_now;
use offramp_app::{AppError, ErrorCode};

use crate::ledger::WhyArgs;
use crate::{json_out, Ctx};

#[derive(Subcommand, Debug)]
pub(crate) enum PricesCommand {
    /// Set the price of a transaction's crypto asset by hand, e.g. `offramp prices set 12 "61000 USD"`: its fiat
    /// value becomes price × quantity (an edit, kept with your reason; `tx undo` takes it back).
    Set {
        id: i64,
        /// The unit price with its currency: `61000 USD`.
        price: String,
        #[command(flatten)]
        why: WhyArgs,
        #[arg(long)]
        json: bool,
    },
    /// Fill the transactions that need a price from exchanges' public daily candles (the close of the UTC day),
    /// each price kept as an edit naming its source. Where no source has the asset and day, it stays unknown.
    Fill {
        /// Ask these exchanges, in this order: kraken, coinbase, bitstamp, binance (comma-separated). Default:
        /// all four.
        #[arg(long, value_name = "LIST")]
        source: Option<String>,
        /// The fiat currency of the prices (default: your currency setting, else USD).
        #[arg(long)]
        currency: Option<String>,
        /// Only say what would be filled; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(ctx: &Ctx, command: PricesCommand, out: &mut dyn Write) -> Result<std::io::Result<()>, AppError> {
    match command {
        PricesCommand::Set { id, price, why, json } => {
            let price = offramp_app::model::Amount::parse(price.trim())
                .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("price: {e} (write it as `61000 USD`)")))?;
            let e = ctx.session()?.set_price(id, price, "you", &why.note(), system_now())?;
            if json {
                return Ok(json_out(&e, out));
            }
            Ok(writeln!(out, "{}", crate::ledger::edit_text(&e)))
        }
        PricesCommand::Fill { source, currency, dry_run, json } => {
            let sources = offramp_app::prices::parse_sources(source.as_deref())?;
            let feed = offramp_app::prices::feed(&ctx.config);
            let mut s = ctx.session()?;
            let r = s.fill_prices(&sources, currency.as_deref(), dry_run, system_now(), &feed)?;
            if json {
                return Ok(json_out(&r, out));
            }
            Ok(print_fill(&r, out))
        }
    }
}

fn print_fill(r: &offramp_app::prices::FillReport, out: &mut dyn Write) -> std::io::Result<()> {
    let verb = if r.dry_run { "Would fill" } else { "Filled" };
    writeln!(out, "{verb} {} of {} transaction(s) that need a price ({}).", r.filled.len(), r.needing, r.currency)?;
    for f in &r.filled {
        writeln!(
            out,
            "  #{} {} {}: {} {} per {} from {} -> value {} {}",
            f.id, f.date, f.asset, f.price, r.currency, f.asset, f.source, f.value, r.currency
        )?;
    }
    for m in &r.missing {
        writeln!(out, "  #{}: {}", m.id, m.why)?;
    }
    for e in &r.errors {
        writeln!(out, "  {e}")?;
    }
    Ok(())
}
