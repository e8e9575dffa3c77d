//! `status`, `init`, `import`, `accounts`, `tx list`, `transfers`, `backup`, `restore`, `export`.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;

use offramp_app::clock::system_now;
use offramp_app::ledger::{self, AccountRow, ImportReport, TxPage, TxQuery, TxRow};
use offramp_app::model::Amount;
use offramp_app::{no_progress, AppError, Flavor, LedgerState, Status};

use crate::{json_out, Ctx};

#[derive(Subcommand, Debug)]
pub(crate) enum LedgerCommand {
    /// Create a new, encrypted ledger in the data folder.
    Init,
    /// Import exchange or generic CSV files: all files or nothing; rows already in the ledger are skipped.
    Import {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print `progress DONE/TOTAL` lines to stderr while rows are written.
        #[arg(long)]
        progress: bool,
        /// Only read the files and say what each holds (format, transactions) or what would stop its import;
        /// the ledger is not opened.
        #[arg(long)]
        check: bool,
        #[arg(long)]
        json: bool,
    },
    /// What needs your attention before a report can be trusted: transactions that need a price, crypto that
    /// arrived with no known cost, own transfers to confirm, withdrawals with no counterpart.
    Attention {
        #[arg(long)]
        json: bool,
    },
    /// Check the whole ledger file: every page read and its HMAC verified, and the b-trees' structure. (Unlocking
    /// checks the key and the file's length, and everything only after an unclean shutdown; see docs/SECURITY.md.)
    Check {
        #[arg(long)]
        json: bool,
    },
    /// List the accounts in the ledger.
    Accounts {
        #[arg(long)]
        json: bool,
    },
    /// Each account's balance of each asset (received − sent − fee over its history).
    Balances {
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
    /// Replace the ledger with a backup (checked first: it must be a whole Offramp ledger holding transactions);
    /// the replaced ledger is kept beside it. With --check, only say what the backup holds.
    Restore {
        file: PathBuf,
        /// Check the backup and say what it holds, without restoring it.
        #[arg(long)]
        check: bool,
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
pub(crate) enum TransfersCommand {
    /// Confirm that OUT (a transfer out) and IN (a transfer in) are one move between your accounts.
    Confirm { out_id: i64, in_id: i64 },
    /// Confirm every proposed link at once (or those the options select), in one transaction; with --dry-run,
    /// list what would be confirmed and change nothing.
    ConfirmAll {
        /// Only links whose deposit arrived at most this many minutes after the withdrawal.
        #[arg(long, value_name = "MINUTES")]
        within: Option<i64>,
        /// Only links where nothing is missing between the two legs.
        #[arg(long)]
        exact: bool,
        #[arg(long)]
        dry_run: bool,
    },
    /// Reject a proposed link; it will not be proposed again.
    Reject { out_id: i64, in_id: i64 },
}

#[derive(Subcommand, Debug)]
pub(crate) enum TxCommand {
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
        /// Only transactions that need a price.
        #[arg(long)]
        needs_price: bool,
        /// Only crypto that arrived with no known cost (deposits, transfers in with no confirmed counterpart).
        #[arg(long)]
        unknown_basis: bool,
        #[arg(long)]
        json: bool,
    },
    /// Add a transaction your files lack (e.g. the purchase of coins that arrived from outside). Kept as an edit:
    /// it names who added it, when and why.
    Add {
        /// When (RFC 3339, or a day YYYY-MM-DD for midnight UTC).
        #[arg(long)]
        at: String,
        #[arg(long)]
        account: String,
        /// buy, sell, trade, spend, fee, transfer_out, transfer_in, deposit, withdrawal, staking, mining, airdrop,
        /// interest, other_income
        #[arg(long)]
        kind: String,
        /// What left the account, e.g. `1000 USD`.
        #[arg(long)]
        sent: Option<String>,
        /// What arrived, e.g. `0.02 BTC`.
        #[arg(long)]
        received: Option<String>,
        #[arg(long)]
        fee: Option<String>,
        /// Its value in fiat at the time, e.g. `1000 USD` (income, trades).
        #[arg(long)]
        value: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        why: WhyArgs,
        #[arg(long)]
        json: bool,
    },
    /// Correct a transaction: a new one with the changes replaces it (the old one stays listed, replaced). An
    /// amount given as "" is removed.
    Edit {
        id: i64,
        #[arg(long)]
        at: Option<String>,
        #[arg(long)]
        account: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        sent: Option<String>,
        #[arg(long)]
        received: Option<String>,
        #[arg(long)]
        fee: Option<String>,
        #[arg(long)]
        value: Option<String>,
        #[arg(long)]
        note: Option<String>,
        #[command(flatten)]
        why: WhyArgs,
        #[arg(long)]
        json: bool,
    },
    /// Void a transaction: out of every report, still listed as voided; re-importing its file does not bring it
    /// back.
    Void {
        id: i64,
        #[command(flatten)]
        why: WhyArgs,
        #[arg(long)]
        json: bool,
    },
    /// Undo an edit (by its number, as `tx history` and `tx edits` show it): what it added or replaced is as before.
    Undo {
        edit: i64,
        #[command(flatten)]
        why: WhyArgs,
        #[arg(long)]
        json: bool,
    },
    /// The edits that touched a transaction: what replaced or voided it, or wrote it.
    History {
        id: i64,
        #[arg(long)]
        json: bool,
    },
    /// Every edit made to the ledger, oldest first.
    Edits {
        #[arg(long)]
        json: bool,
    },
}

/// Why an edit is made.
#[derive(clap::Args, Debug)]
pub(crate) struct WhyArgs {
    /// Why (kept with the edit).
    #[arg(long, default_value = "")]
    reason: String,
    /// A reference to a document that supports it (a receipt, a statement).
    #[arg(long, default_value = "")]
    document: String,
}

impl WhyArgs {
    pub(crate) fn note(&self) -> offramp_app::edits::EditNote {
        offramp_app::edits::EditNote { reason: self.reason.clone(), document: self.document.clone() }
    }
}

/// How many items of each kind `offramp attention` lists.
const ATTENTION_ITEMS: usize = 20;

pub(crate) fn run(
    ctx: &Ctx,
    command: LedgerCommand,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<std::io::Result<()>, AppError> {
    match command {
        LedgerCommand::Init => {
            // A new passphrase: from the script's file or variable, else typed twice.
            let passphrase = match (&ctx.passphrase_file, std::env::var("OFFRAMP_PASSPHRASE")) {
                (Some(_), _) | (None, Ok(_)) => ctx.passphrase()?,
                (None, Err(_)) => crate::settings::new_passphrase(None)?,
            };
            let s = offramp_app::unlock::create_ledger(&ctx.config, passphrase)?;
            Ok(writeln!(out, "Created an encrypted ledger at {}", s.ledger_path().display()))
        }
        LedgerCommand::Import { files, check: true, json, .. } => {
            let checks = ledger::check_files(&files);
            if json {
                return Ok(json_out(&checks, out));
            }
            let failed = checks.iter().find_map(|c| c.error.clone());
            let mut text = String::new();
            for c in &checks {
                match (&c.format, &c.error) {
                    (Some(f), None) => text.push_str(&format!(
                        "{}: {f}, {} transactions{}\n",
                        c.file.display(),
                        c.transactions,
                        if c.left_out > 0 {
                            format!(" ({} rows left out on purpose)", c.left_out)
                        } else {
                            String::new()
                        }
                    )),
                    (_, Some(e)) => text.push_str(&format!("{}: error[{}]: {}\n", c.file.display(), e.code, e.message)),
                    (None, None) => {}
                }
            }
            if let Err(e) = out.write_all(text.as_bytes()) {
                return Ok(Err(e));
            }
            match failed {
                Some(e) => Err(e),
                None => Ok(Ok(())),
            }
        }
        LedgerCommand::Check { json } => {
            let c = ctx.session()?.check()?;
            if json {
                return Ok(json_out(&c, out));
            }
            Ok(writeln!(
                out,
                "The ledger is whole: every page of {} read and verified, {} transactions.",
                c.ledger, c.transactions
            ))
        }
        LedgerCommand::Attention { json } => {
            let a = ctx.session()?.attention()?;
            if json {
                return Ok(json_out(&a, out));
            }
            let items = ctx.session()?.attention_list(ATTENTION_ITEMS)?;
            Ok((|| {
                writeln!(
                    out,
                    "{} transactions: {} need a price, {} arrived with no known cost, {} own transfers to confirm or \
                     reject, {} withdrawals with no counterpart.",
                    a.transactions, a.needs_price, a.unknown_basis, a.proposed_transfers, a.unmatched_withdrawals
                )?;
                for i in &items {
                    let id = match i.other {
                        Some(o) => format!("#{} -> #{o}", i.tx),
                        None => format!("#{}", i.tx),
                    };
                    writeln!(out, "- {} {id} {} {} ({}): {}", i.kind, i.at, i.account, i.what, i.action)?;
                }
                Ok(())
            })())
        }
        LedgerCommand::Import { files, progress, json, .. } => {
            let mut report = |done: u64, total: u64| {
                if progress {
                    let _ = writeln!(err, "progress {done}/{total}");
                    let _ = err.flush();
                }
                true
            };
            let r = ctx.session()?.import_files(&files, system_now(), &mut report)?;
            Ok(print_import(&r, json, out))
        }
        LedgerCommand::Balances { json } => {
            let b = ctx.session()?.balances()?;
            if json {
                return Ok(json_out(&b, out));
            }
            let text: String = b.iter().map(|b| format!("{}\t{}\t{}\n", b.account, b.asset, b.qty)).collect();
            Ok(out.write_all(format!("account\tasset\tbalance\n{text}").as_bytes()))
        }
        LedgerCommand::Accounts { json } => Ok(print_accounts(&ctx.session()?.accounts()?, json, out)),
        LedgerCommand::Tx {
            command:
                TxCommand::List { account, asset, kind, from, until, after, limit, needs_price, unknown_basis, json },
        } => {
            let q = TxQuery {
                account,
                asset,
                kind,
                from,
                until,
                after,
                limit: Some(limit),
                needs_price: Some(needs_price),
                unknown_basis: Some(unknown_basis),
            };
            Ok(print_page(&ctx.session()?.transactions(&q)?, json, out))
        }
        LedgerCommand::Tx {
            command: TxCommand::Add { at, account, kind, sent, received, fee, value, note, why, json },
        } => {
            let input = offramp_app::edits::TxInput { at, account, kind, sent, received, fee, fiat_value: value, note };
            let e = ctx.session()?.add_transaction(&input, &why.note(), system_now())?;
            Ok(print_edit(&e, json, out))
        }
        LedgerCommand::Tx {
            command: TxCommand::Edit { id, at, account, kind, sent, received, fee, value, note, why, json },
        } => {
            let changes =
                offramp_app::edits::TxChanges { at, account, kind, sent, received, fee, fiat_value: value, note };
            let e = ctx.session()?.edit_transaction(id, &changes, &why.note(), system_now())?;
            Ok(print_edit(&e, json, out))
        }
        LedgerCommand::Tx { command: TxCommand::Void { id, why, json } } => {
            let e = ctx.session()?.void_transaction(id, &why.note(), system_now())?;
            Ok(print_edit(&e, json, out))
        }
        LedgerCommand::Tx { command: TxCommand::Undo { edit, why, json } } => {
            let e = ctx.session()?.undo_edit(edit, &why.note(), system_now())?;
            Ok(print_edit(&e, json, out))
        }
        LedgerCommand::Tx { command: TxCommand::History { id, json } } => {
            Ok(print_edits(&ctx.session()?.transaction_history(id)?, json, out))
        }
        LedgerCommand::Tx { command: TxCommand::Edits { json } } => {
            Ok(print_edits(&ctx.session()?.edits()?, json, out))
        }
        LedgerCommand::Transfers { command, json } => {
            let mut s = ctx.session()?;
            match command {
                None => Ok(print_transfers(&s.transfers()?, json, out)),
                Some(TransfersCommand::ConfirmAll { within, exact, dry_run }) => {
                    if within.is_some_and(|m| m < 0) {
                        return Err(AppError::new(
                            offramp_app::ErrorCode::InvalidInput,
                            "within: minutes cannot be negative",
                        ));
                    }
                    let rule = offramp_app::ledger::ConfirmRule { within_minutes: within, exact };
                    let done = s.confirm_transfers(&rule, dry_run)?;
                    let verb = if dry_run { "Would link" } else { "Linked" };
                    Ok((|| {
                        for p in &done {
                            writeln!(
                                out,
                                "{verb} {} -> {}: {} {} from {} to {}, {} min apart",
                                p.out_tx.id,
                                p.in_tx.id,
                                p.out_tx.sent.map(|a| a.value().normalize().to_string()).unwrap_or_default(),
                                p.shortfall.code(),
                                p.out_tx.account,
                                p.in_tx.account,
                                p.delay_seconds / 60
                            )?;
                        }
                        writeln!(
                            out,
                            "{} {} own transfer(s){}.",
                            if dry_run { "Would confirm" } else { "Confirmed" },
                            done.len(),
                            if dry_run { "; nothing changed" } else { "" }
                        )
                    })())
                }
                Some(TransfersCommand::Confirm { out_id, in_id }) => {
                    s.decide_transfer(out_id, in_id, true)?;
                    Ok(writeln!(out, "Linked {out_id} -> {in_id} as a move between your own accounts."))
                }
                Some(TransfersCommand::Reject { out_id, in_id }) => {
                    s.decide_transfer(out_id, in_id, false)?;
                    Ok(writeln!(out, "Rejected {out_id} -> {in_id}; it will not be proposed again."))
                }
            }
        }
        LedgerCommand::Backup { file } => {
            let info = ctx.session()?.backup(&file)?;
            Ok(writeln!(
                out,
                "Backup written to {} (encrypted with the ledger's passphrase): {}.",
                file.display(),
                holds(&info)
            ))
        }
        LedgerCommand::Restore { file, check } => {
            let passphrase = ctx.passphrase()?;
            let store = crate::secret_store(&ctx.config);
            if check {
                let info = ledger::inspect_backup_with(&ctx.config, passphrase, &file, &*store)?;
                return Ok(writeln!(out, "{} is a whole Offramp ledger: {}.", file.display(), holds(&info)));
            }
            let code = ctx.code()?;
            let r = ledger::restore_with(
                &ctx.config,
                passphrase,
                code.as_deref().map(String::as_str),
                &file,
                system_now(),
                &*store,
            )?;
            Ok((|| {
                writeln!(out, "Restored the ledger from {}: {}.", file.display(), holds(&r.backup))?;
                match &r.replaced {
                    Some(p) => writeln!(out, "The ledger it replaced is kept at {}.", p.display()),
                    None => Ok(()),
                }
            })())
        }
        LedgerCommand::Export { out: file, format, currency, method } if format == "beancount" => {
            let currency = offramp_app::parse_code("currency", &currency)?;
            let method = offramp_app::report::parse_method(&method)?;
            let s = ctx.session()?;
            let mut body = Vec::new();
            let summary = s.beancount(currency, method, system_now().date_utc(), &mut body, &mut no_progress())?;
            let file_out = offramp_app::report::ReportFile {
                body,
                summary: vec![format!(
                    "{} transactions, {} accounts, lots at cost in {currency}.",
                    summary.transactions, summary.accounts
                )],
            };
            crate::emit(ctx, file.as_deref(), &file_out, out, err)
        }
        LedgerCommand::Export { format, .. } if format != "generic" => Err(AppError::new(
            offramp_app::ErrorCode::InvalidInput,
            format!("format: `{}` (generic or beancount)", offramp_app::model::clip(&format)),
        )),
        LedgerCommand::Export { out: None, .. } => {
            ctx.session()?.export(out)?;
            Ok(Ok(()))
        }
        LedgerCommand::Export { out: Some(file), .. } => {
            let n = ctx.session()?.export_to(&file)?;
            Ok(writeln!(
                out,
                "Exported {n} transactions to {}.\nNote: {}",
                file.display(),
                offramp_app::files::UNENCRYPTED
            ))
        }
    }
}

/// "12 transactions in 3 accounts, the last on 2024-06-30".
fn holds(info: &ledger::BackupInfo) -> String {
    let last = info.last_transaction.map(|t| format!(", the last on {}", t.date_utc())).unwrap_or_default();
    format!("{} transactions in {} accounts{last}", info.transactions, info.accounts)
}

pub(crate) fn print_status(s: &Status, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(s, out);
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

fn print_import(r: &ImportReport, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
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

fn print_accounts(accounts: &[AccountRow], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
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

fn leg(prefix: &str, a: &Option<Amount>) -> String {
    a.map(|a| format!("{prefix}{a}")).unwrap_or_default()
}

fn print_page(page: &TxPage, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(page, out);
    }
    for r in &page.rows {
        let value = match (r.fiat_value, r.needs_price) {
            (Some(v), _) => format!("value {v}"),
            (None, true) => "NEEDS PRICE".to_string(),
            (None, false) => String::new(),
        };
        let state = match (r.retired, r.source_file == offramp_app::edits::EDIT_SOURCE) {
            (true, _) => "  [VOIDED or replaced: offramp tx history]".to_string(),
            (false, true) => format!("  [edit {}]", r.source_line),
            (false, false) => String::new(),
        };
        writeln!(
            out,
            "#{:<7} {}  {:<12} {:<16} {:<22} {:<22} {:<18} {}{state}",
            r.id,
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

/// "edit 3 (you, 2026-12-07T10:00:00Z): voided transaction 12 — reason; document"
pub(crate) fn edit_text(e: &offramp_app::edits::Edit) -> String {
    use offramp_app::edits::Action as A;
    let what = match (e.action, e.target, e.replacement, e.undoes) {
        (A::Add, _, Some(r), _) => format!("added transaction {r}"),
        (A::Edit, Some(t), Some(r), _) => format!("replaced transaction {t} with transaction {r}"),
        (A::Void, Some(t), _, _) => format!("voided transaction {t}"),
        (A::Undo, _, _, Some(u)) => format!("undid edit {u}"),
        _ => e.action.as_str().to_string(),
    };
    let mut text = format!("edit {} ({}, {}): {what}", e.id, e.made_by, e.made_at);
    if let Some(p) = &e.price_source {
        text.push_str(&format!("; price from {p}"));
    }
    if !e.reason.is_empty() {
        text.push_str(&format!("; reason: {}", e.reason));
    }
    if !e.document.is_empty() {
        text.push_str(&format!("; document: {}", e.document));
    }
    if !e.standing {
        text.push_str(" [undone]");
    }
    text
}

fn print_edit(e: &offramp_app::edits::Edit, json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(e, out);
    }
    writeln!(out, "{}", edit_text(e))
}

fn print_edits(v: &[offramp_app::edits::Edit], json: bool, out: &mut dyn Write) -> std::io::Result<()> {
    if json {
        return json_out(&v, out);
    }
    if v.is_empty() {
        return writeln!(out, "No edits.");
    }
    for e in v {
        writeln!(out, "{}", edit_text(e))?;
    }
    Ok(())
}

fn tx_line(r: &TxRow) -> String {
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
