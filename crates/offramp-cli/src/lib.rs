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
use offramp_app::report::cents as money;
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

/// What to sell, for what, from where, and the market inputs while offline.
#[derive(clap::Args, Debug)]
struct SaleArgs {
    /// Quantity and asset, e.g. `--sell 10 BTC`.
    #[arg(long, num_args = 2, value_names = ["QTY", "ASSET"], required = true)]
    sell: Vec<String>,
    /// The fiat currency to receive.
    #[arg(long, value_name = "CURRENCY")]
    to: String,
    /// Your country (ISO code).
    #[arg(long, default_value = "US")]
    country: String,
    /// The price of one unit in that currency (needed while Offramp has no live prices).
    #[arg(long)]
    price: Option<String>,
    /// Your trading volume over the last 30 days, for fee tiers.
    #[arg(long)]
    volume_30d: Option<String>,
    /// Daily volatility as a fraction (0.03 = 3 %), for the square-root impact law.
    #[arg(long)]
    volatility: Option<String>,
    /// Daily traded volume of the asset, in its units, for the square-root impact law.
    #[arg(long)]
    daily_volume: Option<String>,
}

impl SaleArgs {
    fn request(self) -> offramp_app::venues::QuoteRequest {
        let [qty, asset]: [String; 2] = self.sell.try_into().unwrap_or_default();
        offramp_app::venues::QuoteRequest {
            qty,
            asset,
            fiat: self.to,
            country: self.country,
            price: self.price,
            volume_30d: self.volume_30d,
            daily_volatility: self.volatility,
            daily_volume: self.daily_volume,
            impact_y: None,
        }
    }
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
    /// Moves between your own accounts: proposed links to confirm, and withdrawals/deposits with no counterpart.
    Transfers {
        #[command(subcommand)]
        command: Option<TransfersCommand>,
        #[arg(long)]
        json: bool,
    },
    /// Write an encrypted copy of the ledger (same passphrase) to FILE, which must not exist.
    Backup { file: PathBuf },
    /// Replace the ledger with a backup; the replaced ledger is kept beside it.
    Restore { file: PathBuf },
    /// Tax reports.
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
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
        /// Choose the lots to sell from your ledger and estimate the tax: us, uk or de.
        #[arg(long, value_name = "JURISDICTION")]
        tax: Option<String>,
        /// US: your marginal rate on short-term gains, in percent (e.g. 32).
        #[arg(long, value_name = "PERCENT")]
        rate_short: Option<String>,
        /// US: your rate on long-term gains, in percent (0, 15 or 20).
        #[arg(long, value_name = "PERCENT")]
        rate_long: Option<String>,
        /// UK: your CGT rate; Germany: your personal income tax rate; in percent.
        #[arg(long, value_name = "PERCENT")]
        rate: Option<String>,
        /// US: how your past disposals were matched, which decides the lots still held.
        #[command(flatten)]
        basis: BasisArgs,
        #[arg(long)]
        json: bool,
    },
    /// Your own figures for venues (your fee, your verified limits, a desk's quote), kept in the ledger and used by
    /// quote and plan instead of the published ones.
    Override {
        #[command(subcommand)]
        command: OverrideCommand,
    },
    /// Report settings kept in the ledger: without a subcommand, lists them.
    Settings {
        #[command(subcommand)]
        command: Option<SettingsCommand>,
    },
    /// The venue catalog: fees, limits and minimums with their source dates ("unknown" where not published).
    Venues {
        /// exchange, p2p, otc, atm, card or ramp
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Export every transaction as the generic CSV, or as a beancount ledger with lots at cost (to stdout, or to
    /// --out FILE, which must not exist).
    Export {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// generic (the generic CSV, re-importable) or beancount
        #[arg(long, default_value = "generic")]
        format: String,
        /// beancount: the currency lots are held at cost in.
        #[arg(long, default_value = "USD")]
        currency: String,
        /// beancount: how lots are matched within each account (fifo, lifo, hifo).
        #[arg(long, default_value = "fifo")]
        method: String,
    },
}

#[derive(Subcommand, Debug)]
enum ReportCommand {
    /// A capital-gains CSV for US tax software: taxact or turbotax (refused while a basis is unknown).
    Software {
        #[arg(long)]
        year: i32,
        /// taxact or turbotax
        #[arg(long)]
        format: String,
        #[command(flatten)]
        basis: BasisArgs,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Lots held at the end of a date, per account, with cost and (given prices) value and unrealized gain.
    Holdings {
        /// YYYY-MM-DD (UTC).
        #[arg(long)]
        at: String,
        /// The report currency.
        #[arg(long, default_value = "USD")]
        currency: String,
        /// Which lots remain depends on how earlier disposals were matched.
        #[command(flatten)]
        basis: BasisArgs,
        /// A price per unit in the report currency, e.g. --price BTC=65000 (repeat per asset).
        #[arg(long, value_name = "ASSET=PRICE")]
        price: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// Germany: private sales of the calendar year (§ 23 EStG), FIFO per wallet in EUR; taxable (held one year
    /// or less) and tax-free pieces, the Anlage SO totals and the Freigrenze.
    De {
        #[arg(long)]
        year: i32,
    },
    /// IRS Form 8949 rows (part, box, columns a-h) as CSV, and the Schedule D totals.
    #[command(name = "8949")]
    F8949 {
        #[arg(long)]
        year: i32,
        #[command(flatten)]
        basis: BasisArgs,
        /// Form 1099-DA received for these sales (2025 on): none, with-basis or without-basis.
        #[arg(long, default_value = "none")]
        reported: String,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// UK capital gains for the tax year starting 6 April YEAR: same-day, 30-day and Section 104 matching in GBP,
    /// and the SA108 cryptoasset figures.
    Uk {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
    /// Canada: capital gains of the calendar year at the adjusted cost base (all accounts together), superficial
    /// losses denied, in CAD, with the Schedule 3 totals and the taxable half.
    Ca {
        #[arg(long)]
        year: i32,
        #[arg(long)]
        json: bool,
    },
    /// Income of the calendar year (staking, mining, airdrops, interest) at fair value on receipt.
    Income {
        #[arg(long)]
        year: i32,
        /// us (USD), uk (GBP), de (EUR) or ca (CAD)
        #[arg(long, default_value = "us")]
        jurisdiction: String,
        #[arg(long)]
        json: bool,
    },
    /// Realized gains as CSV, one row per lot piece (US, Germany), per disposal day and rule (UK) or per disposal
    /// (Canada), in the jurisdiction's currency.
    Gains {
        #[arg(long)]
        year: i32,
        /// us, uk, de or ca
        #[arg(long, default_value = "us")]
        jurisdiction: String,
        #[command(flatten)]
        basis: BasisArgs,
        /// Write the CSV to FILE (which must not exist) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// How US lots are matched: the method per tax year and the pooling of accounts.
#[derive(clap::Args, Debug)]
struct BasisArgs {
    /// fifo, lifo or hifo; methods can differ per tax year: `fifo,2023=hifo` (FIFO except 2023).
    #[arg(long, default_value = "fifo")]
    method: String,
    /// transition: all accounts together up to 2024, per account from 2025 (remaining lots allocated to the
    /// accounts holding the units); per-account: per account for every year.
    #[arg(long, default_value = "transition")]
    pooling: String,
}

impl BasisArgs {
    fn basis(&self) -> Result<offramp_app::report::Basis, AppError> {
        offramp_app::report::Basis::parse(&self.method, &self.pooling)
    }
}

#[derive(Subcommand, Debug)]
enum SettingsCommand {
    /// How the network fee of a move between your own accounts is treated in a jurisdiction's reports:
    /// `disposal` (default: the fee's units are sold for their value) or `basis` (the units that arrive keep the
    /// whole cost).
    TransferFee { jurisdiction: String, treatment: String },
}

#[derive(Subcommand, Debug)]
enum OverrideCommand {
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

#[derive(Subcommand, Debug)]
enum TransfersCommand {
    /// Confirm that OUT (a transfer out) and IN (a transfer in) are one move between your accounts.
    Confirm { out_id: i64, in_id: i64 },
    /// Reject a proposed link; it will not be proposed again.
    Reject { out_id: i64, in_id: i64 },
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
    let result =
        match cli.command {
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
            Command::Transfers { command, json } => key(pf).and_then(|k| match command {
                None => ledger::transfers(&config, &k).map(|v| print_transfers(&v, json, out)),
                Some(TransfersCommand::Confirm { out_id, in_id }) => {
                    ledger::decide_transfer(&config, &k, out_id, in_id, true)
                        .map(|()| writeln!(out, "Linked {out_id} -> {in_id} as a move between your own accounts."))
                }
                Some(TransfersCommand::Reject { out_id, in_id }) => {
                    ledger::decide_transfer(&config, &k, out_id, in_id, false)
                        .map(|()| writeln!(out, "Rejected {out_id} -> {in_id}; it will not be proposed again."))
                }
            }),
            Command::Backup { file } => key(pf).and_then(|k| ledger::backup(&config, &k, &file)).map(|()| {
                writeln!(out, "Backup written to {} (encrypted with the ledger's passphrase).", file.display())
            }),
            Command::Restore { file } => key(pf).and_then(|k| ledger::restore(&config, &k, &file, now())).map(|kept| {
                writeln!(out, "Restored the ledger from {}.", file.display())?;
                match kept {
                    Some(p) => writeln!(out, "The ledger it replaced is kept at {}.", p.display()),
                    None => Ok(()),
                }
            }),
            Command::Report { command: ReportCommand::Gains { year, jurisdiction, basis, out: file } } => key(pf)
                .and_then(|k| gains(&config, &k, year, &jurisdiction, &basis.basis()?, file.as_deref(), out, err)),
            Command::Report { command: ReportCommand::F8949 { year, basis, reported, out: file } } => {
                key(pf).and_then(|k| {
                    let reported = offramp_app::report::parse_reported(&reported)?;
                    let report = offramp_app::report::us_gains(&config, &k, year, &basis.basis()?)?;
                    let (mut csv, mut totals) = (Vec::new(), Vec::new());
                    offramp_app::report::write_8949(&report, reported, &mut csv, &mut totals)
                        .map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
                    emit(file.as_deref(), &csv, out, err, &mut |w| w.write_all(&totals))
                })
            }
            Command::Report { command: ReportCommand::Holdings { at, currency, basis, price, json } } => key(pf)
                .and_then(|k| holdings_cmd(&config, &k, &at, &currency, &basis.basis()?, &price))
                .map(|rows| print_holdings(&rows, json, out)),
            Command::Report { command: ReportCommand::Software { year, format, basis, out: file } } => key(pf)
                .and_then(|k| {
                    let format = match format.as_str() {
                        "taxact" => offramp_app::report::SoftwareFormat::TaxAct,
                        "turbotax" => offramp_app::report::SoftwareFormat::TurboTax,
                        other => {
                            return Err(AppError::new(
                                ErrorCode::InvalidInput,
                                format!("format: `{other}` (taxact, turbotax)"),
                            ))
                        }
                    };
                    let report = offramp_app::report::us_gains(&config, &k, year, &basis.basis()?)?;
                    let mut csv = Vec::new();
                    let warnings = offramp_app::report::write_software_csv(&report, format, &mut csv)?;
                    let note = |w: &mut dyn Write| warnings.iter().try_for_each(|x| writeln!(w, "NOTE: {x}"));
                    emit(file.as_deref(), &csv, out, err, &mut |w| note(w))
                }),
            Command::Report { command: ReportCommand::De { year } } => {
                key(pf).and_then(|k| offramp_app::report::de_gains(&config, &k, year)).map(|r| print_de(&r, out))
            }
            Command::Report { command: ReportCommand::Ca { year, json } } => {
                key(pf).and_then(|k| offramp_app::report::ca_gains(&config, &k, year)).map(|r| print_ca(&r, json, out))
            }
            Command::Report { command: ReportCommand::Income { year, jurisdiction, json } } => key(pf)
                .and_then(|k| {
                    let currency = currency_of(&jurisdiction)?;
                    offramp_app::report::income(&config, &k, year, currency)
                })
                .map(|r| print_income(&r, &jurisdiction, json, out)),
            Command::Report { command: ReportCommand::Uk { year, json } } => {
                key(pf).and_then(|k| offramp_app::report::uk_gains(&config, &k, year)).map(|r| print_uk(&r, json, out))
            }
            Command::Quote { sale, live, json } => {
                let req = sale.request();
                let venues = match catalog(&config, pf, err) {
                    Ok(v) => v,
                    Err(e) => {
                        print_error(&e, err);
                        return 1;
                    }
                };
                if live {
                    // OFFRAMP_MARKET_URL points every exchange at another server (tests replay recorded answers).
                    let source = offramp_market::HttpBooks::new(std::env::var("OFFRAMP_MARKET_URL").ok());
                    offramp_app::venues::quote_all_live(
                        &venues,
                        &req,
                        &source,
                        offramp_app::venues::LIVE_TIMEOUT,
                        // Books are kept in the data folder (when there is one) to be used while offline.
                        config
                            .data_dir()
                            .ok()
                            .map(|d| offramp_market::cache::BookCache::new(d.join("cache").join("books")))
                            .as_ref(),
                        now(),
                    )
                    .map(|(q, statuses)| {
                        statuses
                            .iter()
                            .try_for_each(|s| writeln!(out, "{}: {}", s.venue, s.message))
                            .and_then(|_| print_quotes(&req, &q, json, out))
                    })
                } else {
                    offramp_app::venues::quote_all_in(&venues, &req).map(|q| print_quotes(&req, &q, json, out))
                }
            }
            Command::Plan { sale, max_days, start, all, tax, rate_short, rate_long, rate, basis, json } => {
                let req = sale.request();
                let start = match start {
                    Some(text) => parse_day("start", &text),
                    None => Ok(now().date_utc()),
                };
                start
                    .and_then(|start| match tax {
                        None => offramp_app::plan::plan_sale(&catalog(&config, pf, err)?, &req, start, max_days),
                        Some(j) => {
                            let options = tax_options(&j, rate_short, rate_long, rate, basis.basis()?)?;
                            tax_plan(&config, pf, &req, start, max_days, &options, err)
                        }
                    })
                    .map(|p| print_plan(&p, all, json, out))
            }
            Command::Override { command } => key(pf).and_then(|k| match command {
                OverrideCommand::Set { venue, field, value, note } => {
                    offramp_app::overrides::set(&config, &k, &venue, &field, &value, &note, now().date_utc())
                        .map(|o| writeln!(out, "Set your figure for {}: {}.", o.venue, o.describe()))
                }
                OverrideCommand::Remove { venue, field } => offramp_app::overrides::remove(&config, &k, &venue, &field)
                    .map(|()| writeln!(out, "Removed your {field} for {venue}; the published figure applies again.")),
                OverrideCommand::List { json } => offramp_app::overrides::list(&config, &k).map(|all| {
                    if json {
                        return json_out(&all, out);
                    }
                    if all.is_empty() {
                        return writeln!(out, "No figures of yours: quotes and plans use the published ones.");
                    }
                    for o in &all {
                        writeln!(out, "{:<20} {:<32} set {}  {}", o.venue, o.describe(), o.set_on, o.note)?;
                    }
                    Ok(())
                }),
            }),
            Command::Settings { command } => key(pf).and_then(|k| match command {
                Some(SettingsCommand::TransferFee { jurisdiction, treatment }) => {
                    offramp_app::report::set_transfer_fee(&config, &k, &jurisdiction, &treatment)
                        .map(|()| writeln!(out, "Own-transfer fees in {jurisdiction} reports: {treatment}."))
                }
                None => offramp_app::report::transfer_fees(&config, &k).map(|all| {
                    for (j, t, set) in all {
                        let t = if t == offramp_core::tax::TransferFee::Basis { "basis" } else { "disposal" };
                        let how = if set { "" } else { " (default)" };
                        writeln!(out, "transfer-fee {j} {t}{how}")?;
                    }
                    Ok(())
                }),
            }),
            Command::Venues { kind, json } => {
                offramp_app::venues::venues(kind.as_deref()).map(|v| print_venues(&v, json, out))
            }
            Command::Export { out: file, format, currency, method } if format == "beancount" => key(pf).and_then(|k| {
                let currency = offramp_core::Code::parse(&currency)
                    .map_err(|e| AppError::new(ErrorCode::InvalidInput, format!("currency: {e}")))?;
                let method = offramp_app::report::parse_method(&method)?;
                let mut body = Vec::new();
                let s = offramp_app::beancount::export(&config, &k, currency, method, now().date_utc(), &mut body)?;
                emit(file.as_deref(), &body, out, err, &mut |w| {
                    writeln!(w, "{} transactions, {} accounts, lots at cost in {currency}.", s.transactions, s.accounts)
                })
            }),
            Command::Export { format, .. } if format != "generic" => Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("format: `{}` (generic or beancount)", offramp_core::text::clip(&format)),
            )),
            Command::Export { out: None, .. } => key(pf).and_then(|k| ledger::export(&config, &k, out)).map(|_| Ok(())),
            Command::Export { out: Some(file), .. } => key(pf)
                .and_then(|k| export_to_file(&config, &k, &file))
                .map(|n| writeln!(out, "Exported {n} transactions to {}.", file.display())),
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

/// Writes the export next to its destination, then renames it into place: no half-written file is left behind.
fn export_to_file(config: &Config, key: &Key, file: &Path) -> Result<u64, AppError> {
    if file.exists() {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("{} already exists; choose a new file.", file.display()),
        ));
    }
    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, format!("cannot write {}: {e}", file.display()));
    let partial = file.with_extension("partial");
    let mut w = std::io::BufWriter::new(std::fs::File::create(&partial).map_err(io)?);
    let result = ledger::export(config, key, &mut w).and_then(|n| {
        let f = w.into_inner().map_err(|e| io(e.into_error()))?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&partial, file).map_err(io)?;
        Ok(n)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

fn tx_line(r: &ledger::TxRow) -> String {
    format!(
        "#{} {} {} {}{}{}",
        r.id,
        r.timestamp,
        r.account,
        r.kind.as_str(),
        leg(" -", &r.sent),
        leg(" +", &r.received)
    )
}

fn print_transfers(v: &ledger::TransfersView, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(v, out);
    }
    writeln!(out, "Proposed moves between your own accounts ({}):", v.proposals.len())?;
    for p in &v.proposals {
        writeln!(out, "  {}  ->  {}", tx_line(&p.out_tx), tx_line(&p.in_tx))?;
        writeln!(
            out,
            "      arrived after {} min, {} short; confirm: offramp transfers confirm {} {}",
            p.delay_seconds / 60,
            p.shortfall,
            p.out_tx.id,
            p.in_tx.id
        )?;
    }
    writeln!(
        out,
        "Withdrawals with no matching deposit ({}): sent to someone else, or to an account not imported?",
        v.unmatched_out.len()
    )?;
    for r in &v.unmatched_out {
        writeln!(out, "  {}", tx_line(r))?;
    }
    writeln!(
        out,
        "Deposits with no matching withdrawal ({}): cost basis unknown until their origin is recorded.",
        v.unmatched_in.len()
    )?;
    for r in &v.unmatched_in {
        writeln!(out, "  {}", tx_line(r))?;
    }
    writeln!(out, "Confirmed moves: {}", v.confirmed.len())
}

/// Writes a report to stdout (its summary to stderr), or to a new file (its summary to stdout). Never
/// overwrites an existing file.
fn emit(
    file: Option<&Path>,
    body: &[u8],
    out: &mut dyn Write,
    err: &mut dyn Write,
    summary: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
) -> Result<std::io::Result<()>, AppError> {
    match file {
        None => Ok(out.write_all(body).and_then(|_| summary(err))),
        Some(f) => {
            if f.exists() {
                return Err(AppError::new(
                    ErrorCode::InvalidInput,
                    format!("{} already exists; choose a new file.", f.display()),
                ));
            }
            std::fs::write(f, body)
                .map_err(|e| AppError::new(ErrorCode::Io, format!("cannot write {}: {e}", f.display())))?;
            Ok(writeln!(out, "Wrote {}", f.display()).and_then(|_| summary(out)))
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn gains(
    config: &Config,
    key: &Key,
    year: i32,
    jurisdiction: &str,
    basis: &offramp_app::report::Basis,
    file: Option<&Path>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    let mut csv = Vec::new();
    let io = |e: std::io::Error| AppError::new(ErrorCode::Io, e.to_string());
    match jurisdiction {
        "us" => {}
        "de" => {
            let r = offramp_app::report::de_gains(config, key, year)?;
            offramp_app::report::write_gains_csv(&r, &mut csv).map_err(io)?;
            let unknown = r.unknown_rows;
            return emit(file, &csv, out, err, &mut |w| {
                writeln!(w, "{} rows ({} unknown, first); taxable rows: held one year or less", r.rows.len(), unknown)
            });
        }
        "uk" => {
            let r = offramp_app::report::uk_gains(config, key, year)?;
            write_uk_csv(&r, &mut csv).map_err(io)?;
            return emit(file, &csv, out, err, &mut |w| {
                writeln!(
                    w,
                    "{} disposal days ({} unknown, first); tax year {year}/{:02}",
                    r.rows.len(),
                    r.unknown_rows,
                    (year + 1) % 100
                )
            });
        }
        "ca" => {
            let r = offramp_app::report::ca_gains(config, key, year)?;
            write_ca_csv(&r, &mut csv).map_err(io)?;
            return emit(file, &csv, out, err, &mut |w| {
                writeln!(
                    w,
                    "{} disposals ({} unknown, first); net {}, taxable {}",
                    r.rows.len(),
                    r.unknown_rows,
                    r.totals.net,
                    r.totals.taxable
                )
            });
        }
        other => {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("jurisdiction: `{}` (us, uk, de or ca)", offramp_core::text::clip(other)),
            ))
        }
    }
    let report = offramp_app::report::us_gains(config, key, year, basis)?;
    offramp_app::report::write_gains_csv(&report, &mut csv).map_err(|e| AppError::new(ErrorCode::Io, e.to_string()))?;
    let mut summary = |w: &mut dyn Write| -> std::io::Result<()> {
        if report.unknown_rows > 0 {
            writeln!(
                w,
                "WARNING: {} row(s) have an unknown cost basis or proceeds (listed first, marked UNKNOWN). The totals below leave them out.",
                report.unknown_rows
            )?;
        }
        writeln!(
            w,
            "{} rows; short-term gain {}, long-term gain {}",
            report.rows.len(),
            report.short_term_gain,
            report.long_term_gain
        )
    };
    emit(file, &csv, out, err, &mut summary)
}

fn holdings_cmd(
    config: &Config,
    key: &Key,
    at: &str,
    currency: &str,
    basis: &offramp_app::report::Basis,
    prices: &[String],
) -> Result<Vec<offramp_app::report::HoldingRow>, AppError> {
    let invalid = |m: String| AppError::new(ErrorCode::InvalidInput, m);
    let date = parse_day("at", at)?;
    let currency = offramp_core::Code::parse(currency).map_err(|e| invalid(format!("currency: {e}")))?;
    let mut map = std::collections::HashMap::new();
    for p in prices {
        let (asset, value) =
            p.split_once('=').ok_or_else(|| invalid(format!("price: `{p}` should read ASSET=PRICE")))?;
        let asset = offramp_core::Code::parse(asset).map_err(|e| invalid(format!("price: {e}")))?;
        let value = offramp_core::money::parse_decimal(value).map_err(|e| invalid(format!("price: {e}")))?;
        map.insert(asset, value);
    }
    offramp_app::report::holdings(config, key, date, currency, basis, &map)
}

fn print_holdings(rows: &[offramp_app::report::HoldingRow], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(&rows, out);
    }
    writeln!(out, "account,asset,lot_id,date_acquired,quantity,cost_basis,value,unrealized_gain,lot_source")?;
    for r in rows {
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            r.account,
            r.asset,
            r.lot,
            r.acquired,
            r.qty,
            money(r.cost),
            money(r.value),
            money(r.unrealized),
            r.lot_source
        )?;
    }
    Ok(())
}

fn print_de(r: &offramp_app::report::GainsReport, out: &mut dyn Write) -> std::io::Result<()> {
    use offramp_core::holding::Term;
    let eur = |v: Option<offramp_core::Decimal>| money(v);
    writeln!(out, "Germany: private Veräußerungsgeschäfte (§ 23 EStG), calendar year {}, EUR, FIFO per wallet; money rounded half away from zero to cents", r.year)?;
    if r.unknown_rows > 0 {
        writeln!(
            out,
            "WARNING: {} sale(s) have an unknown cost or price (listed first); the totals leave them out.",
            r.unknown_rows
        )?;
    }
    for (title, term) in
        [("Taxable: held one year or less", Term::Short), ("Tax-free: held more than one year", Term::Long)]
    {
        writeln!(out, "{title}:")?;
        for row in r.rows.iter().filter(|x| x.row.term == term) {
            let x = &row.row;
            writeln!(
                out,
                "  {} {} {} (wallet {}): Veräußerungspreis {}, Anschaffungskosten {}, Gewinn/Verlust {}, acquired {}, held {} days  [{}]",
                x.sold,
                x.qty,
                x.asset,
                row.account,
                eur(x.proceeds),
                eur(x.cost),
                eur(x.gain),
                x.acquired,
                (x.sold - x.acquired).num_days(),
                row.disposal_source
            )?;
        }
    }
    let taxable: Vec<_> = r.rows.iter().filter(|x| x.row.term == Term::Short && x.row.gain.is_some()).collect();
    let sum = |f: &dyn Fn(&offramp_core::tax::GainRow) -> Option<offramp_core::Decimal>| -> offramp_core::Decimal {
        taxable.iter().filter_map(|x| f(&x.row)).sum()
    };
    let (price, cost, gain) = (sum(&|x| x.proceeds), sum(&|x| x.cost), sum(&|x| x.gain));
    writeln!(
        out,
        "Anlage SO (Kryptowährungen): Veräußerungspreis {}; Anschaffungskosten {}; Gewinn/Verlust {}",
        eur(Some(price)),
        eur(Some(cost)),
        eur(Some(gain))
    )?;
    let limit = offramp_app::report::de_freigrenze(r.year);
    if gain < limit {
        writeln!(
            out,
            "Freigrenze {}: {} EUR. These gains are below it: tax-free if the year's total from ALL private sales stays below it.",
            r.year,
            eur(Some(limit))
        )
    } else {
        writeln!(
            out,
            "Freigrenze {}: {} EUR. These gains reach it: the whole amount is taxable (the Freigrenze is a cliff).",
            r.year,
            eur(Some(limit))
        )
    }
}

/// The report currency of a jurisdiction.
fn currency_of(jurisdiction: &str) -> Result<offramp_core::Code, AppError> {
    let code = match jurisdiction {
        "us" => "USD",
        "uk" => "GBP",
        "de" => "EUR",
        "ca" => "CAD",
        other => {
            return Err(AppError::new(
                ErrorCode::InvalidInput,
                format!("jurisdiction: `{}` (us, uk, de or ca)", offramp_core::text::clip(other)),
            ))
        }
    };
    Ok(offramp_core::Code::parse(code).expect("a currency code"))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// How a UK matching rule reads in the computation and its CSV.
fn uk_rule(rule: &offramp_core::uk::Rule) -> String {
    use offramp_core::uk::Rule;
    match rule {
        Rule::SameDay => "same day".to_string(),
        Rule::BedAndBreakfast { acquired } => format!("30 days ({acquired})"),
        Rule::Section104 => "section 104 pool".to_string(),
    }
}

fn write_uk_csv(r: &offramp_app::report::UkReport, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "date,asset,quantity,proceeds_GBP,allowable_cost_GBP,gain_GBP,matching,disposal_ids,sources")?;
    for row in &r.rows {
        let d = &row.disposal;
        let matching: Vec<String> = d
            .matches
            .iter()
            .map(|m| format!("{} {} cost {}", uk_rule(&m.rule), m.qty, offramp_app::report::cents(m.cost)))
            .collect();
        let ids: Vec<String> = d.ids.iter().map(|i| i.to_string()).collect();
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            d.date,
            row.asset,
            d.qty,
            offramp_app::report::cents(d.proceeds),
            offramp_app::report::cents(d.cost),
            offramp_app::report::cents(d.gain),
            csv_field(&matching.join("; ")),
            ids.join(" "),
            csv_field(&row.sources.join(" "))
        )?;
    }
    Ok(())
}

fn write_ca_csv(r: &offramp_app::report::CaReport, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "date_sold,asset,quantity,proceeds_CAD,acb_CAD,gain_CAD,superficial_loss_denied_CAD,disposal_id,source"
    )?;
    for row in &r.rows {
        let d = &row.disposal;
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            d.date,
            row.asset,
            d.qty,
            offramp_app::report::cents(d.proceeds),
            offramp_app::report::cents(d.acb),
            offramp_app::report::cents(d.gain),
            offramp_app::report::cents(Some(d.denied_loss)),
            d.id,
            csv_field(&row.source)
        )?;
    }
    Ok(())
}

fn print_ca(r: &offramp_app::report::CaReport, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(r, out);
    }
    writeln!(out, "Canada: capital gains, calendar year {}, CAD, adjusted cost base over all accounts; money rounded half away from zero to cents", r.year)?;
    if r.unknown_rows > 0 {
        writeln!(
            out,
            "WARNING: {} disposal(s) have unknown proceeds or ACB (listed first); the totals leave them out.",
            r.unknown_rows
        )?;
    }
    for row in &r.rows {
        let d = &row.disposal;
        let denied = if d.denied_loss.is_zero() {
            String::new()
        } else {
            format!(
                "; superficial loss denied {} (added to the ACB of the units kept)",
                offramp_app::report::cents(Some(d.denied_loss))
            )
        };
        writeln!(
            out,
            "{} {} {}: proceeds {}, ACB {}, gain {}{denied}  [{}]",
            d.date,
            d.qty,
            row.asset,
            offramp_app::report::cents(d.proceeds),
            offramp_app::report::cents(d.acb),
            offramp_app::report::cents(d.gain),
            row.source
        )?;
    }
    let t = &r.totals;
    writeln!(
        out,
        "Schedule 3: proceeds {}, adjusted cost base {}, gains {}, losses {}, net {}",
        t.proceeds, t.acb, t.gains, t.losses, t.net
    )?;
    writeln!(out, "Taxable capital gain (50 % inclusion): {}; superficial losses denied: {}", t.taxable, t.denied)
}

fn print_income(
    r: &offramp_app::report::IncomeReport,
    jurisdiction: &str,
    json: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if json {
        return json_out(r, out);
    }
    writeln!(
        out,
        "Income received in {}, at fair value on receipt in {}; money rounded half away from zero to cents",
        r.year, r.currency
    )?;
    if r.unknown_rows > 0 {
        writeln!(
            out,
            "WARNING: {} receipt(s) have no known value (listed first, UNKNOWN); the totals leave them out.",
            r.unknown_rows
        )?;
    }
    writeln!(out, "date,account,kind,asset,quantity,value_{},source", r.currency)?;
    for row in &r.rows {
        writeln!(
            out,
            "{},{},{},{},{},{},{}",
            row.date,
            csv_field(&row.account),
            row.kind.as_str(),
            row.asset,
            row.qty,
            offramp_app::report::cents(row.value),
            csv_field(&row.source)
        )?;
    }
    for (kind, a) in &r.by_kind {
        writeln!(out, "{}: {a}", kind.as_str())?;
    }
    writeln!(out, "Total: {}", r.total)?;
    if jurisdiction == "de" {
        let limit = offramp_app::report::DE_SERVICES_FREIGRENZE;
        let verdict =
            if r.total.value() < limit { "below: tax-free" } else { "reached: all of it is taxable (a cliff)" };
        writeln!(out, "Leistungen (§ 22 Nr. 3 EStG, staking and lending): Freigrenze {limit} EUR {verdict}")?;
    }
    Ok(())
}

fn print_uk(r: &offramp_app::report::UkReport, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(r, out);
    }
    writeln!(
        out,
        "UK capital gains, tax year {}/{:02} (6 April {} to 5 April {}), GBP; money rounded half away from zero to pence",
        r.tax_year_start,
        (r.tax_year_start + 1) % 100,
        r.tax_year_start,
        r.tax_year_start + 1
    )?;
    if r.unknown_rows > 0 {
        writeln!(
            out,
            "WARNING: {} disposal(s) have unknown proceeds or costs (listed first); the SA108 figures leave them out.",
            r.unknown_rows
        )?;
    }
    for row in &r.rows {
        let d = &row.disposal;
        let parts: Vec<String> =
            d.matches.iter().map(|m| format!("{} {}: {}", uk_rule(&m.rule), m.qty, money(m.cost))).collect();
        writeln!(
            out,
            "{} {}: disposed of {} for {}; allowable cost {} ({}); gain {}  [{}]",
            d.date,
            row.asset,
            d.qty,
            money(d.proceeds),
            money(d.cost),
            parts.join("; "),
            money(d.gain),
            row.sources.join(", ")
        )?;
    }
    let s = &r.sa108;
    writeln!(
        out,
        "SA108 cryptoassets: disposals {}; proceeds {}; allowable costs {}; gains {}; losses {}",
        s.disposals, s.proceeds, s.allowable_costs, s.gains, s.losses
    )
}

/// Says on `err` (stdout may be JSON) that the user's own venue figures are applied.
fn note_own_figures(count: usize, err: &mut dyn Write) {
    if count > 0 {
        let _ = writeln!(err, "Using {count} figure(s) of yours (offramp override list).");
    }
}

/// A plan with its tax side: the ledger (opened once) gives the user's figures and the lots held.
fn tax_plan(
    config: &Config,
    pf: Option<&Path>,
    req: &offramp_app::venues::QuoteRequest,
    start: chrono::NaiveDate,
    max_days: u32,
    options: &offramp_app::plan::TaxOptions,
    err: &mut dyn Write,
) -> Result<offramp_core::plan::Plan, AppError> {
    let (plan, mine) = offramp_app::plan::plan_with_ledger(config, &key(pf)?, req, start, max_days, options)?;
    note_own_figures(mine, err);
    Ok(plan)
}

/// The catalog for quotes and plans: with the user's own figures when the ledger exists and a passphrase is at
/// hand; otherwise the published figures, saying why on `err` (stdout may be JSON).
fn catalog(
    config: &Config,
    pf: Option<&Path>,
    err: &mut dyn Write,
) -> Result<Vec<offramp_core::catalog::Venue>, AppError> {
    if !config.ledger_path()?.is_file() {
        return offramp_app::venues::venues(None);
    }
    match key(pf) {
        Ok(k) => {
            let mine = offramp_app::overrides::list(config, &k)?;
            note_own_figures(mine.len(), err);
            offramp_app::overrides::catalog(&mine)
        }
        Err(_) => {
            let _ = writeln!(
                err,
                "note: the ledger is locked (no passphrase given): your own venue figures are not applied."
            );
            offramp_app::venues::venues(None)
        }
    }
}

/// Reads `--tax` and the rates (percent on the command line, fractions inside).
fn tax_options(
    jurisdiction: &str,
    short: Option<String>,
    long: Option<String>,
    one: Option<String>,
    basis: offramp_app::report::Basis,
) -> Result<offramp_app::plan::TaxOptions, AppError> {
    use offramp_core::taxplan::{Jurisdiction as J, Rates};
    let invalid = |m: String| AppError::new(ErrorCode::InvalidInput, m);
    let pct = |field: &str, v: Option<String>| -> Result<Option<offramp_core::Decimal>, AppError> {
        let Some(v) = v else { return Ok(None) };
        let p = offramp_core::money::parse_decimal(&v).map_err(|e| invalid(format!("{field}: {e}")))?;
        if p < offramp_core::Decimal::ZERO || p > offramp_core::Decimal::ONE_HUNDRED {
            return Err(invalid(format!("{field}: {p} is not a percentage between 0 and 100")));
        }
        Ok(Some(p / offramp_core::Decimal::ONE_HUNDRED))
    };
    let (jurisdiction, rates) = match jurisdiction.to_ascii_lowercase().as_str() {
        "us" => {
            if one.is_some() {
                return Err(invalid("rate: a US estimate takes --rate-short and --rate-long".into()));
            }
            (J::Us, Rates { short: pct("rate-short", short)?, long: pct("rate-long", long)? })
        }
        j @ ("uk" | "de") => {
            if short.is_some() || long.is_some() {
                return Err(invalid(format!("rate: a {} estimate takes one --rate", j.to_ascii_uppercase())));
            }
            (if j == "uk" { J::Uk } else { J::De }, Rates { short: pct("rate", one)?, long: None })
        }
        other => return Err(invalid(format!("tax: `{other}` is not us, uk or de"))),
    };
    Ok(offramp_app::plan::TaxOptions { jurisdiction, rates, basis })
}

fn parse_day(field: &str, text: &str) -> Result<chrono::NaiveDate, AppError> {
    offramp_core::time::parse_date(text)
        .ok_or_else(|| AppError::new(ErrorCode::InvalidInput, format!("{field}: `{text}` is not a date (YYYY-MM-DD)")))
}

fn print_plan(p: &offramp_core::plan::Plan, all: bool, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(p, out);
    }
    let r = &p.request;
    let fiat = r.sale.fiat.as_str();
    let money = |v: Option<offramp_core::Decimal>| v.map(fiat2).unwrap_or_else(|| "unknown".into());
    writeln!(
        out,
        "Plan: selling {} {} at {} {fiat} each (your price) from {}, from {} over at most {} days. \
         Money rounded half away from zero to cents.",
        r.sale.qty, r.sale.asset, r.sale.price, r.sale.country, r.start, r.max_days
    )?;
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
        let limits = match &v.limits_level {
            Some(level) => format!("({level}): {}", limits.join(", ")),
            None => "unknown".into(),
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
            let urgency = if s.urgency.is_zero() { "even".to_string() } else { s.urgency.to_string() };
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

fn print_tax_view(
    t: &offramp_core::plan::TaxView,
    r: &offramp_core::plan::PlanRequest,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    use offramp_core::taxplan::Jurisdiction as J;
    let fiat = r.sale.fiat.as_str();
    let money = |v: Option<offramp_core::Decimal>| v.map(fiat2).unwrap_or_else(|| "unknown".into());
    let pct = |v: Option<offramp_core::Decimal>| {
        v.map(|r| format!("{} %", (r * offramp_core::Decimal::ONE_HUNDRED).normalize()))
            .unwrap_or_else(|| "unknown".into())
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
            offramp_core::text::clip(&piece.account),
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

fn fiat2(v: offramp_core::Decimal) -> String {
    offramp_core::money::round_half_away(v, 2).to_string()
}

fn print_quotes(
    req: &offramp_app::venues::QuoteRequest,
    quotes: &[offramp_core::quote::VenueQuote],
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
                    offramp_core::money::parse_decimal(&req.qty).ok().map(|qty| (q.gross / qty).normalize().to_string())
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
    let line = |q: &offramp_core::quote::VenueQuote| -> String {
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

fn print_venues(venues: &[offramp_core::catalog::Venue], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
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
        if v.min_ticket_usd.is_some() || v.kind == offramp_core::catalog::VenueKind::Otc {
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
