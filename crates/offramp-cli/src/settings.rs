//! `settings`: report settings kept in the ledger.

use std::io::Write;

use clap::Subcommand;
use offramp_app::AppError;

use crate::Ctx;

#[derive(Subcommand, Debug)]
pub(crate) enum SettingsCommand {
    /// How the network fee of a move between your own accounts is treated in a jurisdiction's reports:
    /// `disposal` (default: the fee's units are sold for their value) or `basis` (the units that arrive keep the
    /// whole cost).
    TransferFee { jurisdiction: String, treatment: String },
}

pub(crate) fn run(
    ctx: &Ctx,
    command: Option<SettingsCommand>,
    out: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    let mut s = ctx.session()?;
    match command {
        Some(SettingsCommand::TransferFee { jurisdiction, treatment }) => {
            let set = s.set_transfer_fee(&jurisdiction, &treatment)?;
            Ok(writeln!(out, "Own-transfer fees in {} reports: {}.", set.jurisdiction, set.treatment))
        }
        None => Ok(s.transfer_fees()?.iter().try_for_each(|t| {
            let how = if t.default { " (default)" } else { "" };
            writeln!(out, "transfer-fee {} {}{how}", t.jurisdiction, t.treatment)
        })),
    }
}
