//! The `offramp` command-line tool: parse, call the application layer, print. No business logic lives here:
//! every decision is `offramp-app`'s. One module per command group (`ledger`, `report`, `sale`, `settings`).
//!
//! Exit codes: 0 success; 1 the application refused or failed (the message starts with `error[CODE]`);
//! 2 the command line itself is wrong.

mod ledger;
mod prices;
mod rates;
mod report;
mod sale;
mod settings;
mod tranche;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use offramp_app::{AppError, Config, ErrorCode, Flavor, Key, Passphrase, Session};

#[derive(Parser, Debug)]
#[command(name = "offramp", version = offramp_app::VERSION, about = "Offramp: sell crypto into a bank account safely, and keep the records your tax return needs.")]
struct Cli {
    /// The data folder holding the ledger (default: $OFFRAMP_DATA_DIR, else the per-user data folder).
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,

    /// For scripts: a file whose first line is the ledger's passphrase (else $OFFRAMP_PASSPHRASE, else Offramp
    /// asks on the terminal, without echo).
    #[arg(long, global = true, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,

    /// With the second factor on: the code your authenticator app shows, or a recovery code (else
    /// $OFFRAMP_CODE, else Offramp asks on the terminal).
    #[arg(long, global = true, value_name = "CODE")]
    code: Option<String>,

    /// Replace the file named by --out if it exists (written whole under a temporary name, then renamed).
    #[arg(long, global = true)]
    force: bool,

    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of its largest variant does not matter.
#[allow(clippy::large_enum_variant)]
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
    /// A sale as it executes: record each tranche in the ledger, and see how far the sale has come.
    Tranche {
        #[command(subcommand)]
        command: tranche::TrancheCommand,
    },
    /// Report settings kept in the ledger: without a subcommand, lists them.
    Settings {
        #[command(subcommand)]
        command: Option<settings::SettingsCommand>,
    },
    /// Prices of crypto for transactions that need one: filled from exchanges' daily candles, or set by hand.
    Prices {
        #[command(subcommand)]
        command: prices::PricesCommand,
    },
    /// The official exchange rates reports convert other currencies with (HMRC, ECB, Bank of Canada): without a
    /// subcommand, what is known and how each report converts.
    Rates {
        #[command(subcommand)]
        command: Option<rates::RatesCommand>,
        #[arg(long)]
        json: bool,
    },
    /// The ledger's passphrase.
    Passphrase {
        #[command(subcommand)]
        command: settings::PassphraseCommand,
    },
    /// The second factor: a code from an authenticator app at unlock, and a device secret in the system keyring
    /// without which the ledger file and its passphrase open nothing.
    #[command(name = "2fa")]
    TwoFa {
        #[command(subcommand)]
        command: settings::TwoFaCommand,
    },
}

/// How US lots are matched: the method per tax year and the pooling of accounts.
#[derive(clap::Args, Debug)]
pub(crate) struct BasisArgs {
    /// US only: fifo, lifo or hifo; methods can differ per tax year: `fifo,2023=hifo` (FIFO except 2023).
    /// Default fifo.
    #[arg(long)]
    pub(crate) method: Option<String>,
    /// US only: transition (default): all accounts together up to 2024, per account from 2025 (remaining lots
    /// allocated to the accounts holding the units); per-account: per account for every year.
    #[arg(long)]
    pub(crate) pooling: Option<String>,
}

impl BasisArgs {
    pub(crate) fn basis(&self) -> Result<offramp_app::report::Basis, AppError> {
        offramp_app::report::Basis::parse(
            self.method.as_deref().unwrap_or("fifo"),
            self.pooling.as_deref().unwrap_or("transition"),
        )
    }

    /// Refuses a method or pooling for a jurisdiction whose rules fix how lots are matched (they would be
    /// ignored without a word otherwise).
    pub(crate) fn only_for_us(&self, j: offramp_app::model::Jurisdiction) -> Result<(), AppError> {
        use offramp_app::model::Jurisdiction as J;
        let given = if self.method.is_some() { Some("method") } else { self.pooling.as_ref().map(|_| "pooling") };
        match (j, given) {
            (J::Us, _) | (_, None) => Ok(()),
            (other, Some(flag)) => Err(AppError::new(
                ErrorCode::InvalidInput,
                format!(
                    "{flag}: --method and --pooling choose how US lots are matched; {} rules fix their own \
                     matching (leave them out)",
                    other.adjective()
                ),
            )),
        }
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
    let ctx = Ctx {
        config: Config::from_env(Flavor::of_this_build(), cli.data_dir),
        passphrase_file: cli.passphrase_file,
        code: cli.code,
        force: cli.force,
    };
    let result = match cli.command {
        Command::Status { json } => offramp_app::status(&ctx.config).map(|s| ledger::print_status(&s, json, out)),
        Command::Ledger(command) => ledger::run(&ctx, command, out, err),
        Command::Report { command } => report::run(&ctx, command, out, err),
        Command::Sale(command) => sale::run(&ctx, command, out, err),
        Command::Tranche { command } => tranche::run(&ctx, command, out),
        Command::Settings { command } => settings::run(&ctx, command, out),
        Command::Rates { command, json } => rates::run(&ctx, command, json, out),
        Command::Prices { command } => prices::run(&ctx, command, out),
        Command::Passphrase { command } => settings::passphrase(&ctx, command, out, err),
        Command::TwoFa { command } => settings::two_fa(&ctx, command, out, err),
    };
    match result {
        Ok(Ok(())) => 0,
        // The reader went away (`offramp transfers | head`): stop quietly, as Unix tools do.
        Ok(Err(io)) if io.kind() == std::io::ErrorKind::BrokenPipe => 0,
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
    pub(crate) passphrase_file: Option<PathBuf>,
    code: Option<String>,
    /// `--force`: an existing --out file is replaced.
    pub(crate) force: bool,
}

/// Reads a passphrase from the first line of a file (for scripts).
pub(crate) fn passphrase_from_file(file: &Path) -> Result<Passphrase, AppError> {
    let text = zeroize::Zeroizing::new(std::fs::read_to_string(file).map_err(|e| {
        AppError::new(ErrorCode::Io, format!("cannot read the passphrase file {}: {e}", file.display()))
    })?);
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(AppError::new(ErrorCode::PassphraseRequired, format!("{} is empty", file.display())));
    }
    Ok(Passphrase::new(line.to_string()))
}

/// The system keyring, or (without one) a store in memory: a recovery code still unlocks then. The keyring is
/// only reached when the second factor is on.
pub(crate) fn secret_store(config: &Config) -> Box<dyn offramp_app::twofa::SecretStore> {
    let on = offramp_app::twofa::status(config).is_ok_and(|s| s.enabled);
    match on.then(offramp_app::twofa::SystemKeyring::connect) {
        Some(Ok(k)) => Box::new(k),
        _ => Box::new(offramp_app::twofa::MemoryStore::default()),
    }
}

/// Asks for a passphrase on the terminal without echoing it; `None` when there is no terminal.
pub(crate) fn prompt(question: &str) -> Result<Option<Passphrase>, AppError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Ok(None);
    }
    rpassword::prompt_password(question)
        .map(|p| Some(Passphrase::new(p)))
        .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot read the passphrase from the terminal: {e}")))
}

impl Ctx {
    /// The ledger's passphrase: from `--passphrase-file` (its first line), else `$OFFRAMP_PASSPHRASE` (both for
    /// scripts), else asked on the terminal without echo.
    pub(crate) fn passphrase(&self) -> Result<Passphrase, AppError> {
        if let Some(file) = &self.passphrase_file {
            return passphrase_from_file(file);
        }
        match std::env::var("OFFRAMP_PASSPHRASE") {
            Ok(p) if !p.is_empty() => return Ok(Passphrase::new(p)),
            _ => {}
        }
        match prompt("Ledger passphrase: ")? {
            Some(p) if !p.is_empty() => Ok(p),
            _ => Err(AppError::new(
                ErrorCode::PassphraseRequired,
                "The ledger is encrypted: run Offramp in a terminal to type the passphrase, or (for scripts) pass \
                 --passphrase-file FILE or set OFFRAMP_PASSPHRASE.",
            )),
        }
    }

    pub(crate) fn key(&self) -> Result<Key, AppError> {
        Ok(Key::Passphrase(self.passphrase()?))
    }

    /// The `--code` flag as given.
    pub(crate) fn code_flag(&self) -> Option<String> {
        self.code.clone()
    }

    /// The second factor's code, when it is on: `--code`, else `$OFFRAMP_CODE`, else asked (without echo: it may
    /// be a recovery code). `None` when the second factor is off.
    pub(crate) fn code(&self) -> Result<Option<zeroize::Zeroizing<String>>, AppError> {
        if !offramp_app::twofa::status(&self.config)?.enabled {
            return Ok(None);
        }
        if let Some(c) = &self.code {
            return Ok(Some(zeroize::Zeroizing::new(c.clone())));
        }
        if let Ok(c) = std::env::var("OFFRAMP_CODE") {
            return Ok(Some(zeroize::Zeroizing::new(c)));
        }
        match prompt("Authentication code (or a recovery code): ")? {
            Some(p) => Ok(Some(zeroize::Zeroizing::new(p.as_str().to_string()))),
            None => Err(AppError::new(
                ErrorCode::CodeRequired,
                "The second factor is on: pass --code CODE (or set OFFRAMP_CODE), or run Offramp in a terminal.",
            )),
        }
    }

    /// The ledger, unlocked for this command (with its second factor when on; wrong attempts are counted: see
    /// `offramp_app::unlock`).
    pub(crate) fn session(&self) -> Result<Session, AppError> {
        let passphrase = self.passphrase()?;
        let code = self.code()?;
        offramp_app::twofa::unlock(
            &self.config,
            passphrase,
            code.as_deref().map(String::as_str),
            offramp_app::clock::system_now(),
            &*secret_store(&self.config),
        )
    }
}

pub(crate) fn json_out<T: serde::Serialize>(value: &T, out: &mut dyn Write) -> std::io::Result<()> {
    // Whole, then one write: stdout is line-buffered, and a plan's JSON has a hundred thousand lines.
    let mut buf = serde_json::to_vec_pretty(value).map_err(std::io::Error::other)?;
    buf.push(b'\n');
    out.write_all(&buf)
}

fn print_error(e: &AppError, err: &mut dyn Write) {
    let _ = writeln!(err, "error[{}]: {}", e.code, offramp_app::model::printable(&e.message));
}

/// Writes a report file to stdout (its summary to stderr), or to a new file (its summary to stdout). An existing
/// file is replaced only with `--force`.
pub(crate) fn emit(
    ctx: &Ctx,
    file: Option<&Path>,
    report: &offramp_app::report::ReportFile,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    let summary = |w: &mut dyn Write| report.summary.iter().try_for_each(|line| writeln!(w, "{line}"));
    match file {
        None => Ok(out.write_all(&report.body).and_then(|_| summary(err))),
        Some(f) => {
            if ctx.force {
                offramp_app::files::replace(f, &report.body)?;
            } else {
                offramp_app::files::write_bytes(f, &report.body).map_err(|e| {
                    if f.exists() {
                        AppError::new(e.code, format!("{} (or replace it: --force)", e.message.trim_end_matches('.')))
                    } else {
                        e
                    }
                })?;
            }
            Ok(writeln!(out, "Wrote {}", f.display())
                .and_then(|_| summary(out))
                .and_then(|_| writeln!(out, "Note: {}", offramp_app::files::UNENCRYPTED)))
        }
    }
}

#[cfg(test)]
mod tests {
    /// A reader that went away: every write fails as a closed pipe does.
    struct ClosedPipe;

    impl std::io::Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_ends_the_command_quietly() {
        let mut err = Vec::new();
        let code = super::run(["offramp", "venues"], &mut ClosedPipe, &mut err);
        assert_eq!((code, String::from_utf8(err).unwrap()), (0, String::new()));
        // Any other write error is still an error.
        struct Full;
        impl std::io::Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::Error::from_raw_os_error(28))
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut err = Vec::new();
        assert_eq!(super::run(["offramp", "venues"], &mut Full, &mut err), 1);
        assert!(String::from_utf8(err).unwrap().starts_with("error[IO]: cannot write output"));
    }
}
