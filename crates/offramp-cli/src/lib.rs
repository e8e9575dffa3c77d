//! The `offramp` command-line tool: parse, call the application layer, print. No business logic lives here:
//! every decision is `offramp-app`'s. One module per command group (`ledger`, `report`, `sale`, `settings`).
//!
//! Exit codes: 0 success; 1 the application refused or failed (the message starts with `error[CODE]`);
//! 2 the command line itself is wrong.

mod ledger;
mod report;
mod sale;
mod settings;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use offramp_app::{AppError, Config, ErrorCode, Flavor, Key, Session};

#[derive(Parser, Debug)]
#[command(name = "offramp", version = offramp_app::VERSION, about = "Offramp: sell crypto into a bank account safely, and keep the records your tax return needs.")]
struct Cli {
    /// The data folder holding the ledger (default: $OFFRAMP_DATA_DIR, else the per-user data folder).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// A file whose first line is the ledger's passphrase (default: $OFFRAMP_PASSPHRASE).
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,

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
    #[command(flatten)]
    Ledger(ledger::LedgerCommand),
    /// Tax reports.
    Report {
        #[command(subcommand)]
        command: report::ReportCommand,
    },
    #[command(flatten)]
    Sale(sale::SaleCommand),
    /// Report settings kept in the ledger: without a subcommand, lists them.
    Settings {
        #[command(subcommand)]
        command: Option<settings::SettingsCommand>,
    },
}

/// How US lots are matched: the method per tax year and the pooling of accounts.
#[derive(clap::Args, Debug)]
pub(crate) struct BasisArgs {
    /// fifo, lifo or hifo; methods can differ per tax year: `fifo,2023=hifo` (FIFO except 2023).
    #[arg(long, default_value = "fifo")]
    pub(crate) method: String,
    /// transition: all accounts together up to 2024, per account from 2025 (remaining lots allocated to the
    /// accounts holding the units); per-account: per account for every year.
    #[arg(long, default_value = "transition")]
    pub(crate) pooling: String,
}

impl BasisArgs {
    pub(crate) fn basis(&self) -> Result<offramp_app::report::Basis, AppError> {
        offramp_app::report::Basis::parse(&self.method, &self.pooling)
    }
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
            let is_help =
                matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion);
            let target: &mut dyn Write = if is_help { out } else { err };
            let _ = write!(target, "{}", e.render());
            return if is_help { 0 } else { 2 };
        }
    };
    let ctx =
        Ctx { config: Config::from_env(Flavor::of_this_build(), cli.data_dir), passphrase_file: cli.passphrase_file };
    let result = match cli.command {
        Command::Status { json } => offramp_app::status(&ctx.config).map(|s| ledger::print_status(&s, json, out)),
        Command::Ledger(command) => ledger::run(&ctx, command, out, err),
        Command::Report { command } => report::run(&ctx, command, out, err),
        Command::Sale(command) => sale::run(&ctx, command, out, err),
        Command::Settings { command } => settings::run(&ctx, command, out),
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

/// What every command gets: where the data lives and where the passphrase comes from.
pub(crate) struct Ctx {
    pub(crate) config: Config,
    passphrase_file: Option<PathBuf>,
}

impl Ctx {
    /// The ledger key: from `--passphrase-file` (its first line), else `$OFFRAMP_PASSPHRASE`.
    pub(crate) fn key(&self) -> Result<Key, AppError> {
        if let Some(file) = &self.passphrase_file {
            let text = std::fs::read_to_string(file).map_err(|e| {
                AppError::new(ErrorCode::Io, format!("cannot read the passphrase file {}: {e}", file.display()))
            })?;
            let line = text.lines().next().unwrap_or("");
            if line.is_empty() {
                return Err(AppError::new(ErrorCode::PassphraseRequired, format!("{} is empty", file.display())));
            }
            return Ok(Key::Passphrase(line.to_string()));
        }
        match std::env::var("OFFRAMP_PASSPHRASE") {
            Ok(p) if !p.is_empty() => Ok(Key::Passphrase(p)),
            _ => Err(AppError::new(
                ErrorCode::PassphraseRequired,
                "The ledger is encrypted: set OFFRAMP_PASSPHRASE or pass --passphrase-file FILE.",
            )),
        }
    }

    /// The ledger, unlocked for this command.
    pub(crate) fn session(&self) -> Result<Session, AppError> {
        Session::open(&self.config, &self.key()?)
    }
}

pub(crate) fn json_out<T: serde::Serialize>(value: &T, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::other)?;
    writeln!(out)
}

fn print_error(e: &AppError, err: &mut dyn Write) {
    let _ = writeln!(err, "error[{}]: {}", e.code, offramp_app::model::printable(&e.message));
}

/// Writes a report file to stdout (its summary to stderr), or to a new file (its summary to stdout). Never
/// replaces an existing file.
pub(crate) fn emit(
    file: Option<&Path>,
    report: &offramp_app::report::ReportFile,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    let summary = |w: &mut dyn Write| report.summary.iter().try_for_each(|line| writeln!(w, "{line}"));
    match file {
        None => Ok(out.write_all(&report.body).and_then(|_| summary(err))),
        Some(f) => {
            offramp_app::files::write_bytes(f, &report.body)?;
            Ok(writeln!(out, "Wrote {}", f.display()).and_then(|_| summary(out)))
        }
    }
}
