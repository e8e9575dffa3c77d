//! The `offramp` command-line tool: parse, call the application layer, print. No business logic lives here.
//!
//! Exit codes: 0 success; 1 the application refused or failed (the message starts with `error[CODE]`);
//! 2 the command line itself is wrong.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use std::path::Path;

use clap::{Parser, Subcommand};
use offramp_app::ledger::{self, Key};
use offramp_app::{AppError, Config, ErrorCode, Flavor, LedgerState, Status};
use offramp_core::Timestamp;

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
    /// Create a new, encrypted ledger in the data folder.
    Init,
    /// Import exchange or generic CSV files: all files or nothing; rows already in the ledger are skipped.
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print `progress DONE/TOTAL` lines to stderr while rows are written.
        #[arg(long)]
        progress: bool,
        #[arg(long)]
        json: bool,
    },
    /// List the accounts in the ledger.
    Accounts {
        #[arg(long)]
        json: bool,
    },
    /// Transactions.
    Tx {
        #[command(subcommand)]
        command: TxCommand,
    },
}

#[derive(Subcommand, Debug)]
enum TxCommand {
    /// List transactions in time order, one page at a time.
    List {
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        asset: Option<String>,
        /// buy, sell, trade, spend, fee, transfer_out, transfer_in, deposit, withdrawal, staking, mining,
        /// airdrop, interest, other_income
        #[arg(long)]
        kind: Option<String>,
        /// From this date (YYYY-MM-DD, UTC) or instant (RFC 3339).
        #[arg(long)]
        from: Option<String>,
        /// Before this date or instant.
        #[arg(long)]
        until: Option<String>,
        /// The cursor printed after the previous page.
        #[arg(long)]
        after: Option<String>,
        #[arg(long, default_value_t = 100)]
        limit: u32,
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
            let is_help =
                matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion);
            let target: &mut dyn Write = if is_help { out } else { err };
            let _ = write!(target, "{}", e.render());
            return if is_help { 0 } else { 2 };
        }
    };
    let config = Config::from_env(Flavor::of_this_build(), cli.data_dir);
    let pf = cli.passphrase_file.as_deref();
    let result = match cli.command {
        Command::Status { json } => offramp_app::status(&config).map(|s| print_status(&s, json, out)),
        Command::Init => key(pf)
            .and_then(|k| ledger::init_ledger(&config, &k))
            .map(|p| writeln!(out, "Created an encrypted ledger at {}", p.display())),
        Command::Import { files, progress, json } => {
            let mut report = |done: u64, total: u64| {
                if progress {
                    let _ = writeln!(err, "progress {done}/{total}");
                    let _ = err.flush();
                }
                true
            };
            key(pf)
                .and_then(|k| ledger::import_files(&config, &k, &files, now(), &mut report))
                .map(|r| print_import(&r, json, out))
        }
        Command::Accounts { json } => {
            key(pf).and_then(|k| ledger::accounts(&config, &k)).map(|a| print_accounts(&a, json, out))
        }
        Command::Tx { command: TxCommand::List { account, asset, kind, from, until, after, limit, json } } => {
            let q = ledger::TxQuery { account, asset, kind, from, until, after, limit: Some(limit) };
            key(pf).and_then(|k| ledger::list_transactions(&config, &k, &q)).map(|p| print_page(&p, json, out))
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

/// The ledger key: from `--passphrase-file` (its first line), else `$OFFRAMP_PASSPHRASE`.
fn key(file: Option<&Path>) -> Result<Key, AppError> {
    if let Some(file) = file {
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

/// The clock is read here, at the edge, and passed in.
fn now() -> Timestamp {
    let us =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros() as i64).unwrap_or(0);
    Timestamp::from_unix_micros(us)
}

fn json_out<T: serde::Serialize>(value: &T, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(std::io::Error::other)?;
    writeln!(out)
}

fn print_import(r: &ledger::ImportReport, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(r, out);
    }
    for f in &r.files {
        writeln!(
            out,
            "{}: {} rows ({}), {} added, {} already in the ledger",
            f.file.display(),
            f.rows,
            f.format,
            f.added,
            f.already_present
        )?;
        if f.left_out > 0 {
            writeln!(
                out,
                "  {} file rows are not transactions (pending copies, moves between the exchange's own wallets)",
                f.left_out
            )?;
        }
    }
    writeln!(out, "Added {} transactions; {} were already in the ledger.", r.added, r.already_present)?;
    if r.needs_price > 0 {
        writeln!(out, "{} added transactions need a price (their fiat value is unknown).", r.needs_price)?;
    }
    Ok(())
}

fn print_accounts(accounts: &[ledger::AccountRow], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(&accounts, out);
    }
    if accounts.is_empty() {
        return writeln!(out, "No accounts yet: import a file first.");
    }
    writeln!(out, "{:<24} {:<14} {:>12}", "ACCOUNT", "VENUE", "TRANSACTIONS")?;
    for a in accounts {
        writeln!(out, "{:<24} {:<14} {:>12}", a.name, a.venue, a.transactions)?;
    }
    Ok(())
}

fn leg(prefix: &str, a: &Option<offramp_core::Amount>) -> String {
    a.map(|a| format!("{prefix}{a}")).unwrap_or_default()
}

fn print_page(page: &ledger::TxPage, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(page, out);
    }
    for r in &page.rows {
        let value = match (r.fiat_value, r.needs_price) {
            (Some(v), _) => format!("value {v}"),
            (None, true) => "NEEDS PRICE".to_string(),
            (None, false) => String::new(),
        };
        writeln!(
            out,
            "{}  {:<12} {:<16} {:<22} {:<22} {:<18} {}",
            r.timestamp,
            r.kind.as_str(),
            r.account,
            leg("-", &r.sent),
            leg("+", &r.received),
            leg("fee ", &r.fee),
            value
        )?;
    }
    if let Some(next) = &page.next {
        writeln!(out, "More: --after {next}")?;
    }
    Ok(())
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
    let origin = if s.data_dir_overridden { " (chosen by --data-dir or OFFRAMP_DATA_DIR)" } else { "" };
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
