//! `tranche record`, `tranche progress`: a sale as it executes, kept in the ledger.

use std::io::Write;

use clap::Subcommand;
use offramp_app::clock::system_now;
use offramp_app::wizard::{ProgressQuery, TrancheRecord};
use offramp_app::AppError;

use crate::{json_out, Ctx};

#[derive(Subcommand, Debug)]
pub(crate) enum TrancheCommand {
    /// Record an executed tranche as a sale in the ledger (the same tranche twice adds nothing).
    Record {
        /// The venue it executed at (catalog id, e.g. kraken).
        #[arg(long)]
        venue: String,
        /// Quantity and asset sold, e.g. `--sold 2.5 BTC`.
        #[arg(long, num_args = 2, value_names = ["QTY", "ASSET"], required = true)]
        sold: Vec<String>,
        /// What it brought in after the trading fee, and the currency, e.g. `--for 162000 USD`.
        #[arg(long = "for", num_args = 2, value_names = ["AMOUNT", "CURRENCY"], required = true)]
        proceeds: Vec<String>,
        /// The trading fee, in the same currency.
        #[arg(long)]
        fee: Option<String>,
        /// When it executed: YYYY-MM-DD (noon UTC) or an RFC 3339 time.
        #[arg(long)]
        at: String,
        /// The plan and tranche it belongs to (so recording it twice adds nothing).
        #[arg(long)]
        plan: Option<String>,
        #[arg(long)]
        tranche: Option<u32>,
        /// The ledger account (default: the ledger's account at that venue, else a new one named after it).
        #[arg(long)]
        account: Option<String>,
    },
    /// How far a sale has come: its sales in the ledger since its first day.
    Progress {
        /// Quantity and asset of the whole sale, e.g. `--sale 10 BTC`.
        #[arg(long, num_args = 2, value_names = ["QTY", "ASSET"], required = true)]
        sale: Vec<String>,
        /// The currency sold into.
        #[arg(long, value_name = "CURRENCY")]
        to: String,
        /// The sale's first day (YYYY-MM-DD).
        #[arg(long)]
        since: String,
        /// The plan's venues (repeatable; none: every account).
        #[arg(long = "venue")]
        venues: Vec<String>,
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(ctx: &Ctx, command: TrancheCommand, out: &mut dyn Write) -> Result<std::io::Result<()>, AppError> {
    let two = |v: Vec<String>| -> (String, String) {
        let [a, b]: [String; 2] = v.try_into().unwrap_or_default();
        (a, b)
    };
    match command {
        TrancheCommand::Record { venue, sold, proceeds, fee, at, plan, tranche, account } => {
            let (qty, asset) = two(sold);
            let (amount, fiat) = two(proceeds);
            let mut session = ctx.session()?;
            let venues = session.catalog()?.venues;
            let r = TrancheRecord { venue, at, qty, asset, proceeds: amount, fiat, fee, plan, tranche, account };
            let done = session.record_tranche(&venues, &r, system_now())?;
            Ok(if done.added {
                writeln!(out, "Recorded the sale in {} ({}).", done.account, done.external_id)
            } else {
                writeln!(out, "Already recorded ({}): nothing added.", done.external_id)
            })
        }
        TrancheCommand::Progress { sale, to, since, venues, json } => {
            let (qty, asset) = two(sale);
            let p = ctx.session()?.sale_progress(&ProgressQuery {
                asset: asset.clone(),
                fiat: to.clone(),
                since,
                qty: qty.clone(),
                venues,
            })?;
            if json {
                return Ok(json_out(&p, out));
            }
            Ok((|| {
                writeln!(
                    out,
                    "Sold {} of {qty} {asset} for {} {to}; {} left.",
                    p.sold,
                    offramp_app::report::fiat(p.proceeds),
                    p.left
                )?;
                for s in &p.sales {
                    writeln!(
                        out,
                        "  {} {:<20} {:>14} {asset} {:>14} {to}  {}",
                        s.at,
                        s.account,
                        s.qty,
                        s.proceeds.map(offramp_app::report::fiat).unwrap_or_else(|| "?".into()),
                        if s.recorded { "recorded" } else { "imported" }
                    )?;
                }
                Ok(())
            })())
        }
    }
}
