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

#[derive(Subcommand, Debug)]
pub(crate) enum PassphraseCommand {
    /// Change the ledger's passphrase (the ledger is re-written under the new key; every row is kept). The new one
    /// comes from --new-passphrase-file FILE or $OFFRAMP_NEW_PASSPHRASE (for scripts), else it is asked twice.
    Change {
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<std::path::PathBuf>,
    },
    /// How strong a passphrase is (read as the new one is), and why.
    Check {
        #[arg(long, value_name = "FILE")]
        new_passphrase_file: Option<std::path::PathBuf>,
    },
}

/// A new passphrase: from a file or `$OFFRAMP_NEW_PASSPHRASE` (scripts), else asked twice on the terminal.
pub(crate) fn new_passphrase(file: Option<&std::path::Path>) -> Result<offramp_app::Passphrase, AppError> {
    if let Some(f) = file {
        return crate::passphrase_from_file(f);
    }
    if let Ok(p) = std::env::var("OFFRAMP_NEW_PASSPHRASE") {
        if !p.is_empty() {
            return Ok(offramp_app::Passphrase::new(p));
        }
    }
    let missing = || {
        AppError::new(
            offramp_app::ErrorCode::PassphraseRequired,
            "A new passphrase is needed: run Offramp in a terminal to type it, or (for scripts) pass \
             --new-passphrase-file FILE or set OFFRAMP_NEW_PASSPHRASE.",
        )
    };
    let first = crate::prompt("New passphrase: ")?.ok_or_else(missing)?;
    let again = crate::prompt("The new passphrase again: ")?.ok_or_else(missing)?;
    if first.as_str() != again.as_str() {
        return Err(AppError::new(offramp_app::ErrorCode::InvalidInput, "The two passphrases are not the same."));
    }
    Ok(first)
}

pub(crate) fn passphrase(
    ctx: &Ctx,
    command: PassphraseCommand,
    out: &mut dyn Write,
    _err: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    match command {
        PassphraseCommand::Change { new_passphrase_file } => {
            let old = ctx.passphrase()?;
            let new = new_passphrase(new_passphrase_file.as_deref())?;
            offramp_app::unlock::change_passphrase(&ctx.config, old, new, offramp_app::clock::system_now())?;
            Ok(writeln!(
                out,
                "Changed the ledger's passphrase; the old one no longer opens it. Backups made before \
                              still open with the old one."
            ))
        }
        PassphraseCommand::Check { new_passphrase_file } => {
            let p = new_passphrase(new_passphrase_file.as_deref())?;
            let s = offramp_app::unlock::strength(p.as_str(), &[]);
            Ok((|| {
                writeln!(
                    out,
                    "Strength {} of 4: {}",
                    s.score,
                    if s.acceptable { "strong enough" } else { "too weak" }
                )?;
                for line in s.warning.iter().chain(&s.suggestions) {
                    writeln!(out, "  {line}")?;
                }
                Ok(())
            })())
        }
    }
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
