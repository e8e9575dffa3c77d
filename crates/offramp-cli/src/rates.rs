//! `rates`: the official exchange rates reports convert with, and fetching the newest from their publishers.

use std::io::Write;

use clap::Subcommand;
use offramp_app::clock::system_now;
use offramp_app::rates::{parse_source, RatesStatus, RefreshOutcome};
use offramp_app::AppError;

use crate::{json_out, Ctx};

#[derive(Subcommand, Debug)]
pub(crate) enum RatesCommand {
    /// Fetch the rates published since the last one known (HMRC, ECB, Bank of Canada) and keep them in the ledger.
    Refresh {
        /// Only these publishers: hmrc, ecb, boc (comma-separated). Default: all three.
        #[arg(long, value_name = "LIST")]
        source: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(
    ctx: &Ctx,
    command: Option<RatesCommand>,
    json: bool,
    out: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    match command {
        None => {
            let s = ctx.session()?.rates_status()?;
            Ok(if json { json_out(&s, out) } else { print_status(&s, out) })
        }
        Some(RatesCommand::Refresh { source, json }) => {
            let sources = match source {
                Some(list) => list.split(',').map(parse_source).collect::<Result<Vec<_>, _>>()?,
                None => offramp_app::model::RateSource::ALL.to_vec(),
            };
            let feed = offramp_app::rates::feed(&ctx.config);
            let r = ctx.session()?.refresh_rates(&sources, system_now(), &feed)?;
            Ok(if json { json_out(&r, out) } else { print_refresh(&r, out) })
        }
    }
}

fn print_status(s: &RatesStatus, out: &mut dyn Write) -> std::io::Result<()> {
    for x in &s.series {
        let span = match (x.first, x.last) {
            (Some(a), Some(b)) if x.monthly => format!("{} to {}", a.format("%Y-%m"), b.format("%Y-%m")),
            (Some(a), Some(b)) => format!("{a} to {b}"),
            _ => "none yet: `offramp rates refresh` fetches them".to_string(),
        };
        let used: Vec<&str> = x.used_by.iter().map(|j| j.name()).collect();
        writeln!(
            out,
            "{} (against {}): {} currencies, {span}; {} fetched into this ledger; used by: {}",
            x.name,
            x.base,
            x.currencies,
            x.fetched,
            used.join(", ")
        )?;
        writeln!(out, "  {}", x.attribution)?;
    }
    writeln!(out, "How each report converts an amount in another currency:")?;
    for (j, rule) in &s.rules {
        writeln!(out, "  {}: {rule}", j.name())?;
    }
    if s.missing.is_empty() {
        return writeln!(out, "Every rate your transactions need is known.");
    }
    writeln!(out, "Rates your transactions need that are not known (their figures stay unknown in those reports):")?;
    for m in &s.missing {
        let days: Vec<String> = m
            .first
            .iter()
            .map(|d| if m.source.monthly() { d.format("%Y-%m").to_string() } else { d.to_string() })
            .collect();
        let more = if m.count > days.len() { ", …" } else { "" };
        writeln!(
            out,
            "  {}: {} for {} on {} {} ({}{more}): `offramp rates refresh` fetches what the publisher has",
            m.jurisdiction.name(),
            m.source.name(),
            m.currency,
            m.count,
            if m.source.monthly() { "month(s)" } else { "day(s)" },
            days.join(", ")
        )?;
    }
    Ok(())
}

fn print_refresh(r: &[RefreshOutcome], out: &mut dyn Write) -> std::io::Result<()> {
    for o in r {
        let name = o.source.name();
        match &o.error {
            Some(e) => writeln!(out, "{name}: not fetched ({e}); nothing changed")?,
            None if o.from > o.to => writeln!(out, "{name}: already up to date")?,
            None => {
                writeln!(out, "{name} {} to {}: {} new, {} corrected", o.from, o.to, o.added, o.changed)?;
                if o.refused > 0 {
                    writeln!(out, "  {} value(s) in the answer did not read as rates and were left out", o.refused)?;
                }
            }
        }
    }
    Ok(())
}
