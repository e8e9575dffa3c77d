//! The `offramp` command-line tool: parse, call the application layer, print. No business logic lives here.
//!
//! Exit codes: 0 success; 1 the application refused or failed (the message starts with `error[CODE]`);
//! 2 the command line itself is wrong.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use offramp_app::{AppError, Config, Flavor, LedgerState, Status};

#[derive(Parser, Debug)]
#[command(name = "offramp", version = offramp_app::VERSION, about = "Offramp: sell crypto into a bank account safely, and keep the records your tax return needs.")]
struct Cli {
    /// The data folder holding the ledger (default: $OFFRAMP_DATA_DIR, else the per-user data folder).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Show where the ledger lives, whether it exists, and the app version.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Runs the CLI with `args` (the first is the program name), writing to `out` and `err`. Returns the exit code.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let is_help = matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            );
            let target: &mut dyn Write = if is_help { out } else { err };
            let _ = write!(target, "{}", e.render());
            return if is_help { 0 } else { 2 };
        }
    };
    let config = Config::from_env(Flavor::of_this_build(), cli.data_dir);
    let result = match cli.command {
        Command::Status { json } => {
            offramp_app::status(&config).map(|s| print_status(&s, json, out))
        }
    };
    match result {
        Ok(Ok(())) => 0,
        Ok(Err(io)) => {
            let _ = writeln!(err, "error[IO]: cannot write output: {io}");
            1
        }
        Err(e) => {
            print_error(&e, err);
            1
        }
    }
}

fn print_error(e: &AppError, err: &mut dyn Write) {
    let _ = writeln!(err, "error[{}]: {}", e.code, e.message);
}

fn print_status(s: &Status, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, s).map_err(std::io::Error::other)?;
        return writeln!(out);
    }
    let flavor = match s.flavor {
        Flavor::Release => "release build",
        Flavor::Dev => "dev build",
    };
    let origin = if s.data_dir_overridden {
        " (chosen by --data-dir or OFFRAMP_DATA_DIR)"
    } else {
        ""
    };
    let ledger = match (s.ledger, s.ledger_size_bytes) {
        (LedgerState::Present, Some(n)) => format!("present ({n} bytes, encrypted)"),
        (LedgerState::Present, None) => "present".to_string(),
        (LedgerState::Missing, _) => "not created yet".to_string(),
    };
    writeln!(out, "Offramp {} ({flavor})", s.app_version)?;
    writeln!(out, "Data folder: {}{origin}", s.data_dir.display())?;
    writeln!(out, "Ledger file: {}", s.ledger_path.display())?;
    writeln!(out, "Ledger:      {ledger}")
}
