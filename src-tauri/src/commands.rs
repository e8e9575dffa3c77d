//! The commands the window calls. Each is a few lines over `offramp-app`: read the arguments, run the use case
//! off the main thread on the unlocked session, return its result (or `{code, message}`).

use std::path::PathBuf;

use offramp_app::clock::system_now;
use offramp_app::files::UNENCRYPTED;
use offramp_app::ledger::{AccountRow, BackupInfo, ImportReport, Restored, TransfersView, TxPage, TxQuery};
use offramp_app::model::{Override, Plan, Venue, VenueQuote};
use offramp_app::overrides::Catalog;
use offramp_app::plan::TaxRequest;
use offramp_app::report::{ca::CaReport, de::DeReport, income::IncomeReport, uk::UkReport};
use offramp_app::report::{Basis, GainsReport, HoldingRow, HoldingsRequest};
use offramp_app::settings::{parse_jurisdiction, TransferFeeSetting};
use offramp_app::unlock::Strength;
use offramp_app::venues::{MarketStatus, QuoteRequest};
use offramp_app::wizard::{ProgressQuery, RecordedTranche, SaleProgress, TrancheRecord};
use offramp_app::{AppError, Passphrase, Session, Status};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Runtime, State};

use crate::{blocking, end_job, job_progress, Shell};

pub(crate) fn handler<R: Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        get_status,
        session_state,
        passphrase_strength,
        change_passphrase,
        touch,
        get_auto_lock,
        set_auto_lock,
        twofa_status,
        twofa_begin,
        twofa_confirm,
        twofa_disable,
        create_ledger,
        unlock,
        lock,
        attention,
        check_ledger,
        balances,
        check_files,
        accounts,
        transactions,
        transfers,
        decide_transfer,
        import_files,
        cancel_job,
        us_gains,
        uk_gains,
        de_gains,
        ca_gains,
        income,
        holdings,
        export_file,
        backup,
        inspect_backup,
        restore,
        overrides,
        set_override,
        remove_override,
        preferences,
        set_preferences,
        transfer_fees,
        set_transfer_fee,
        venues,
        quote,
        quote_live,
        live_price,
        plan,
        plan_with_tax,
        confirm_transfers,
        sale_draft,
        save_sale_draft,
        record_tranche,
        sale_progress,
        rates_status,
        refresh_rates,
        fill_prices,
        set_price,
        add_transaction,
        edit_transaction,
        void_transaction,
        undo_edit,
        transaction_history,
        attention_list,
    ]
}

/// Where the ledger lives, whether it exists, and the app version (the home screen).
#[tauri::command]
fn get_status(shell: State<'_, Shell>) -> Result<Status, AppError> {
    offramp_app::status(&shell.inner.config)
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct SessionState {
    pub unlocked: bool,
    /// Whether unlocking asks for a code from the authenticator app.
    pub second_factor: bool,
}

fn state(inner: &crate::Inner, unlocked: bool) -> SessionState {
    let second_factor = offramp_app::twofa::status(&inner.config).is_ok_and(|s| s.enabled);
    SessionState { unlocked, second_factor }
}

#[tauri::command]
fn session_state(shell: State<'_, Shell>) -> SessionState {
    state(&shell.inner, shell.inner.is_unlocked())
}

/// The user is active in the window (called now and then while they are): the auto-lock waits.
#[tauri::command]
fn touch(shell: State<'_, Shell>) {
    shell.inner.touch();
}

/// Minutes of idleness after which the ledger locks itself.
#[tauri::command]
fn get_auto_lock(shell: State<'_, Shell>) -> u32 {
    shell.inner.auto_lock_minutes.load(std::sync::atomic::Ordering::Relaxed)
}

#[tauri::command]
fn set_auto_lock(shell: State<'_, Shell>, minutes: u32) -> Result<u32, AppError> {
    shell.inner.set_auto_lock(minutes)
}

#[tauri::command]
fn twofa_status(shell: State<'_, Shell>) -> Result<offramp_app::twofa::TwoFaStatus, AppError> {
    offramp_app::twofa::status(&shell.inner.config)
}

/// Starts turning the second factor on: the QR code and secret to show (kept until confirmed).
#[tauri::command]
async fn twofa_begin(shell: State<'_, Shell>) -> Result<offramp_app::twofa::Enrolment, AppError> {
    let inner = shell.share();
    blocking(move || {
        inner.secrets()?; // a keyring must be there before anything is shown
        let e = offramp_app::twofa::begin(&inner.config)?;
        *inner.pending_enrolment() = Some(e.clone());
        Ok(e)
    })
    .await
}

/// Turns the second factor on with the first code the app shows; returns the recovery codes (shown once). The
/// ledger is re-keyed and stays unlocked.
#[tauri::command]
async fn twofa_confirm(shell: State<'_, Shell>, passphrase: String, code: String) -> Result<Vec<String>, AppError> {
    let inner = shell.share();
    blocking(move || {
        let enrolment = inner.pending_enrolment().clone().ok_or_else(|| {
            AppError::new(offramp_app::ErrorCode::InvalidInput, "Start turning the second factor on first.")
        })?;
        let store = inner.secrets()?;
        inner
            .with_slot(|slot| {
                drop(slot.take());
                let (codes, session) = offramp_app::twofa::confirm(
                    &inner.config,
                    &Passphrase::new(passphrase),
                    &enrolment,
                    &code,
                    system_now(),
                    &*store,
                )?;
                *slot = Some(session);
                Ok(codes)
            })
            .inspect(|_| *inner.pending_enrolment() = None)
    })
    .await
}

/// Turns the second factor off (asks a code); the ledger is re-keyed to the passphrase alone and left locked.
#[tauri::command]
async fn twofa_disable(shell: State<'_, Shell>, passphrase: String, code: String) -> Result<SessionState, AppError> {
    let inner = shell.share();
    blocking(move || {
        let store = inner.secrets()?;
        inner.with_slot(|slot| {
            drop(slot.take());
            offramp_app::twofa::disable(&inner.config, Passphrase::new(passphrase), &code, system_now(), &*store)
        })?;
        Ok(state(&inner, false))
    })
    .await
}

/// How strong a new passphrase would be, and why (for the strength meter; the same check refuses weak ones).
#[tauri::command]
fn passphrase_strength(passphrase: String) -> Strength {
    let p = Passphrase::new(passphrase);
    offramp_app::unlock::strength(p.as_str(), &[])
}

/// Changes the passphrase: the ledger is closed, re-written under the new key, and left locked. With the second
/// factor on, `code` is asked.
#[tauri::command]
async fn change_passphrase(
    shell: State<'_, Shell>,
    old: String,
    new: String,
    code: Option<String>,
) -> Result<SessionState, AppError> {
    let inner = shell.share();
    blocking(move || {
        let store = inner.secrets_if_on()?;
        inner.with_slot(|slot| {
            drop(slot.take());
            offramp_app::unlock::change_passphrase(
                &inner.config,
                Passphrase::new(old),
                Passphrase::new(new),
                code.as_deref(),
                system_now(),
                &*store,
            )
        })?;
        Ok(state(&inner, false))
    })
    .await
}

/// Creates the encrypted ledger and keeps it unlocked.
#[tauri::command]
async fn create_ledger(shell: State<'_, Shell>, passphrase: String) -> Result<Status, AppError> {
    let inner = shell.share();
    blocking(move || {
        let session = offramp_app::unlock::create_ledger(&inner.config, Passphrase::new(passphrase))?;
        inner.with_slot(|slot| {
            *slot = Some(session);
            Ok(())
        })?;
        offramp_app::status(&inner.config)
    })
    .await
}

/// Opens the ledger with the passphrase (and, with the second factor on, a code) and keeps it open until `lock`.
#[tauri::command]
async fn unlock(shell: State<'_, Shell>, passphrase: String, code: Option<String>) -> Result<SessionState, AppError> {
    let inner = shell.share();
    blocking(move || {
        let store = inner.secrets_if_on()?;
        let session = offramp_app::twofa::unlock(
            &inner.config,
            Passphrase::new(passphrase),
            code.as_deref(),
            system_now(),
            &*store,
        )?;
        inner.with_slot(|slot| {
            *slot = Some(session);
            Ok(())
        })?;
        Ok(state(&inner, true))
    })
    .await
}

/// Closes the ledger (the passphrase is needed again).
#[tauri::command]
async fn lock(shell: State<'_, Shell>) -> Result<SessionState, AppError> {
    let inner = shell.share();
    blocking(move || {
        inner.with_slot(|slot| {
            drop(slot.take());
            Ok(())
        })
    })
    .await?;
    Ok(state(&shell.inner, false))
}

/// Checks the whole ledger file (every page's HMAC, the b-trees): `LEDGER_CORRUPT` or what was checked.
#[tauri::command]
async fn check_ledger(shell: State<'_, Shell>) -> Result<offramp_app::ledger::CheckReport, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.check())).await
}

/// What needs the user's attention (counts), for Home.
#[tauri::command]
async fn attention(shell: State<'_, Shell>) -> Result<offramp_app::ledger::Attention, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.attention())).await
}

/// Each account's balance of each asset.
#[tauri::command]
async fn balances(shell: State<'_, Shell>) -> Result<Vec<offramp_app::ledger::Balance>, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.balances())).await
}

/// Reads files to import and says what each holds, or what would stop its import; writes nothing.
#[tauri::command]
async fn check_files(paths: Vec<PathBuf>) -> Result<Vec<offramp_app::ledger::FileCheck>, AppError> {
    blocking(move || Ok(offramp_app::ledger::check_files(&paths))).await
}

#[tauri::command]
async fn accounts(shell: State<'_, Shell>) -> Result<Vec<AccountRow>, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.accounts())).await
}

#[tauri::command]
async fn transactions(shell: State<'_, Shell>, query: TxQuery) -> Result<TxPage, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.transactions(&query))).await
}

#[tauri::command]
async fn transfers(shell: State<'_, Shell>) -> Result<TransfersView, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.transfers())).await
}

#[tauri::command]
async fn decide_transfer(shell: State<'_, Shell>, out_id: i64, in_id: i64, confirm: bool) -> Result<(), AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.decide_transfer(out_id, in_id, confirm))).await
}

/// Imports files, all or nothing, reporting progress as job `job` (cancel with `cancel_job`).
#[tauri::command]
async fn import_files<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    paths: Vec<PathBuf>,
    job: String,
) -> Result<ImportReport, AppError> {
    let inner = shell.share();
    blocking(move || {
        let mut progress = job_progress(&app, &inner, &job);
        let r = inner.with_session(|s| s.import_files(&paths, system_now(), &mut progress));
        end_job(&inner, &job);
        r
    })
    .await
}

/// Stops a running long command; returns whether one was running under that id.
#[tauri::command]
fn cancel_job(shell: State<'_, Shell>, job: String) -> bool {
    crate::cancel_job(&shell.inner, &job)
}

/// Which lots a US report books, as the UI sends it.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS), ts(optional_fields))]
#[serde(default)]
pub struct BasisRequest {
    /// `fifo`, `lifo`, `hifo`, or per year: `fifo,2023=hifo`.
    pub method: Option<String>,
    /// `transition` (default) or `per-account`.
    pub pooling: Option<String>,
}

impl BasisRequest {
    fn basis(&self) -> Result<Basis, AppError> {
        Basis::parse(self.method.as_deref().unwrap_or("fifo"), self.pooling.as_deref().unwrap_or("transition"))
    }
}

/// Runs a report (or any use case reading the history) as job `job`.
async fn report<R: Runtime, T: Send + 'static>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    job: String,
    f: impl FnOnce(&mut Session, offramp_app::Progress) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let inner = shell.share();
    blocking(move || {
        let mut progress = job_progress(&app, &inner, &job);
        let r = inner.with_session(|s| f(s, &mut progress));
        end_job(&inner, &job);
        r
    })
    .await
}

#[tauri::command]
async fn us_gains<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    year: i32,
    basis: BasisRequest,
    job: String,
) -> Result<GainsReport, AppError> {
    report(app, shell, job, move |s, p| s.us_gains(year, &basis.basis()?, p)).await
}

#[tauri::command]
async fn uk_gains<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    year: i32,
    job: String,
) -> Result<UkReport, AppError> {
    report(app, shell, job, move |s, p| s.uk_gains(year, p)).await
}

#[tauri::command]
async fn de_gains<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    year: i32,
    job: String,
) -> Result<DeReport, AppError> {
    report(app, shell, job, move |s, p| s.de_gains(year, p)).await
}

#[tauri::command]
async fn ca_gains<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    year: i32,
    job: String,
) -> Result<CaReport, AppError> {
    report(app, shell, job, move |s, p| s.ca_gains(year, p)).await
}

#[tauri::command]
async fn income<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    year: i32,
    jurisdiction: String,
    job: String,
) -> Result<IncomeReport, AppError> {
    report(app, shell, job, move |s, p| s.income(year, parse_jurisdiction("jurisdiction", &jurisdiction)?, p)).await
}

#[tauri::command]
async fn holdings<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    request: HoldingsRequest,
    basis: BasisRequest,
    job: String,
) -> Result<Vec<HoldingRow>, AppError> {
    report(app, shell, job, move |s, p| s.holdings(&request, &basis.basis()?, p)).await
}

/// A file to export, as the UI asks for it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExportRequest {
    /// Realized gains as CSV in the jurisdiction's terms.
    Gains {
        jurisdiction: String,
        year: i32,
        #[serde(default)]
        basis: BasisRequest,
    },
    /// IRS Form 8949 rows; the Schedule D totals come back as the summary.
    Form8949 {
        year: i32,
        #[serde(default)]
        basis: BasisRequest,
        reported: Option<String>,
    },
    /// A file for US tax software (`taxact` or `turbotax`).
    Software {
        year: i32,
        format: String,
        #[serde(default)]
        basis: BasisRequest,
    },
    /// A readable PDF of the year's tax report in the jurisdiction's form layout, unknown figures listed first.
    Pdf {
        jurisdiction: String,
        year: i32,
        #[serde(default)]
        basis: BasisRequest,
        reported: Option<String>,
    },
    /// Income of a calendar year at fair value on receipt (staking, mining, airdrops, interest).
    Income { jurisdiction: String, year: i32 },
    /// Lots held at the end of a day, with cost and (at the given prices) value.
    Holdings { request: HoldingsRequest, basis: BasisRequest },
    /// Every transaction as the generic CSV (re-importable).
    Generic,
    /// A beancount ledger with lots at cost.
    Beancount { currency: Option<String>, method: Option<String> },
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Exported {
    #[cfg_attr(test, ts(type = "string"))]
    pub path: PathBuf,
    pub summary: Vec<String>,
    /// That the file is not encrypted (to show where it is written).
    pub notice: String,
}

/// Writes a report or an export to a new file at `path` (never replacing one), as job `job`.
#[tauri::command]
async fn export_file<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    request: ExportRequest,
    path: PathBuf,
    job: String,
) -> Result<Exported, AppError> {
    report(app, shell, job, move |s, p| {
        let file = match request {
            ExportRequest::Gains { jurisdiction, year, basis } => {
                s.gains_file(parse_jurisdiction("jurisdiction", &jurisdiction)?, year, &basis.basis()?, p)?
            }
            ExportRequest::Form8949 { year, basis, reported } => {
                let reported = offramp_app::report::us::parse_reported(reported.as_deref().unwrap_or("none"))?;
                s.form_8949(year, &basis.basis()?, reported, p)?
            }
            ExportRequest::Software { year, format, basis } => {
                let format = offramp_app::report::us::SoftwareFormat::parse(&format)?;
                s.software_file(year, &basis.basis()?, format, p)?
            }
            ExportRequest::Pdf { jurisdiction, year, basis, reported } => {
                let reported = offramp_app::report::us::parse_reported(reported.as_deref().unwrap_or("none"))?;
                let j = parse_jurisdiction("jurisdiction", &jurisdiction)?;
                s.report_pdf(j, year, &basis.basis()?, reported, system_now().date_utc(), p)?
            }
            ExportRequest::Income { jurisdiction, year } => {
                s.income_file(year, parse_jurisdiction("jurisdiction", &jurisdiction)?, p)?
            }
            ExportRequest::Holdings { request, basis } => s.holdings_file(&request, &basis.basis()?, p)?,
            ExportRequest::Generic => {
                let n = s.export_to(&path)?;
                return Ok(Exported { path, summary: vec![format!("{n} transactions")], notice: UNENCRYPTED.into() });
            }
            ExportRequest::Beancount { currency, method } => {
                let currency = offramp_app::parse_code("currency", currency.as_deref().unwrap_or("USD"))?;
                let method = offramp_app::report::parse_method(method.as_deref().unwrap_or("fifo"))?;
                let mut body = Vec::new();
                let b = s.beancount(currency, method, system_now().date_utc(), &mut body, p)?;
                let summary = vec![format!(
                    "{} transactions, {} accounts, lots at cost in {currency}",
                    b.transactions, b.accounts
                )];
                offramp_app::report::ReportFile { body, summary }
            }
        };
        offramp_app::files::write_bytes(&path, &file.body)?;
        Ok(Exported { path, summary: file.summary, notice: UNENCRYPTED.into() })
    })
    .await
}

/// Writes a checked, encrypted backup of the ledger to `dest` (which must not exist).
#[tauri::command]
async fn backup(shell: State<'_, Shell>, dest: PathBuf) -> Result<BackupInfo, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.backup(&dest))).await
}

/// What a backup holds (checked as a restore would check it; the file is not changed).
#[tauri::command]
async fn inspect_backup(shell: State<'_, Shell>, path: PathBuf, passphrase: String) -> Result<BackupInfo, AppError> {
    let inner = shell.share();
    blocking(move || {
        let store = inner.secrets_if_on()?;
        offramp_app::ledger::inspect_backup_with(&inner.config, Passphrase::new(passphrase), &path, &*store)
    })
    .await
}

/// Replaces the ledger with a backup (with the second factor on, a code is asked). The ledger is closed first
/// and stays locked afterwards.
#[tauri::command]
async fn restore(
    shell: State<'_, Shell>,
    path: PathBuf,
    passphrase: String,
    code: Option<String>,
) -> Result<Restored, AppError> {
    let inner = shell.share();
    blocking(move || {
        let store = inner.secrets_if_on()?;
        inner.with_slot(|slot| {
            drop(slot.take());
            offramp_app::ledger::restore_with(
                &inner.config,
                Passphrase::new(passphrase),
                code.as_deref(),
                &path,
                system_now(),
                &*store,
            )
        })
    })
    .await
}

#[tauri::command]
async fn overrides(shell: State<'_, Shell>) -> Result<Vec<Override>, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.overrides())).await
}

#[tauri::command]
async fn set_override(
    shell: State<'_, Shell>,
    venue: String,
    field: String,
    value: String,
    note: String,
) -> Result<Override, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.set_override(&venue, &field, &value, &note, system_now().date_utc())))
        .await
}

#[tauri::command]
async fn remove_override(shell: State<'_, Shell>, venue: String, field: String) -> Result<(), AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.remove_override(&venue, &field))).await
}

/// The user's defaults (country, currency, method, pooling), kept in the ledger.
#[tauri::command]
async fn preferences(shell: State<'_, Shell>) -> Result<offramp_app::settings::Preferences, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.preferences())).await
}

#[tauri::command]
async fn set_preferences(
    shell: State<'_, Shell>,
    preferences: offramp_app::settings::Preferences,
) -> Result<offramp_app::settings::Preferences, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.set_preferences(preferences))).await
}

#[tauri::command]
async fn transfer_fees(shell: State<'_, Shell>) -> Result<Vec<TransferFeeSetting>, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.transfer_fees())).await
}

#[tauri::command]
async fn set_transfer_fee(
    shell: State<'_, Shell>,
    jurisdiction: String,
    treatment: String,
) -> Result<TransferFeeSetting, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.set_transfer_fee(&jurisdiction, &treatment))).await
}

/// The catalog, or the venues of one kind.
#[tauri::command]
fn venues(kind: Option<String>) -> Result<Vec<Venue>, AppError> {
    offramp_app::venues::venues(kind.as_deref())
}

/// The catalog quotes and plans use: the user's own figures applied while the ledger is unlocked.
fn catalog(inner: &crate::Inner) -> Result<Catalog, AppError> {
    // Without a data folder there is no ledger, and quotes still work from the published figures.
    let exists = offramp_app::status(&inner.config).is_ok_and(|s| s.ledger == offramp_app::LedgerState::Present);
    inner.with_slot(|slot| Catalog::for_session(slot.as_ref(), exists))
}

/// What selling would give at every venue (offline: the price comes with the request).
#[tauri::command]
async fn quote(shell: State<'_, Shell>, request: QuoteRequest) -> Result<Vec<VenueQuote>, AppError> {
    let inner = shell.share();
    blocking(move || offramp_app::venues::quote_all_in(&catalog(&inner)?.venues, &request)).await
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct LiveQuotes {
    pub quotes: Vec<VenueQuote>,
    pub market: Vec<MarketStatus>,
}

/// As `quote`, walking the exchanges' live order books where they answer (within 2 s).
#[tauri::command]
async fn quote_live(shell: State<'_, Shell>, request: QuoteRequest) -> Result<LiveQuotes, AppError> {
    let inner = shell.share();
    blocking(move || {
        let venues = catalog(&inner)?.venues;
        let (quotes, market) = offramp_app::venues::quote_live(&inner.config, &venues, &request, system_now())?;
        Ok(LiveQuotes { quotes, market })
    })
    .await
}

/// The last live price of `asset` in `fiat`: the median mid of the exchanges' order books.
#[tauri::command]
async fn live_price(
    shell: State<'_, Shell>,
    asset: String,
    fiat: String,
) -> Result<offramp_app::venues::LivePrice, AppError> {
    let inner = shell.share();
    blocking(move || offramp_app::venues::live_price(&inner.config, &asset, &fiat, system_now())).await
}

/// A plan for the sale at each exchange over at most `max_days` days from today: schedules under the withdrawal
/// limits and the cost-versus-risk frontier.
#[tauri::command]
async fn plan(shell: State<'_, Shell>, request: QuoteRequest, max_days: u32) -> Result<Plan, AppError> {
    let inner = shell.share();
    blocking(move || {
        let venues = catalog(&inner)?.venues;
        offramp_app::plan::plan_sale(&venues, &request, system_now().date_utc(), max_days)
    })
    .await
}

/// As `plan`, with the lots to sell chosen from the ledger and the tax of every schedule.
#[tauri::command]
async fn plan_with_tax<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    request: QuoteRequest,
    max_days: u32,
    tax: TaxRequest,
    job: String,
) -> Result<Plan, AppError> {
    report(app, shell, job, move |s, p| {
        s.plan_with_tax(&request, system_now().date_utc(), max_days, &tax.options()?, p)
    })
    .await
}

/// The sale wizard's draft kept in the ledger (`null` when none).
#[tauri::command]
async fn sale_draft(shell: State<'_, Shell>) -> Result<Option<serde_json::Value>, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.sale_draft())).await
}

/// Keeps the sale wizard's draft in the ledger (`null` forgets it).
#[tauri::command]
async fn save_sale_draft(shell: State<'_, Shell>, draft: serde_json::Value) -> Result<(), AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.save_sale_draft(&draft))).await
}

/// Records an executed tranche as a sale in the ledger.
#[tauri::command]
async fn record_tranche(shell: State<'_, Shell>, record: TrancheRecord) -> Result<RecordedTranche, AppError> {
    let inner = shell.share();
    blocking(move || {
        let venues = catalog(&inner)?.venues;
        inner.with_session(|s| s.record_tranche(&venues, &record, system_now()))
    })
    .await
}

/// How far a sale has come, from the ledger's sales.
#[tauri::command]
async fn sale_progress(shell: State<'_, Shell>, query: ProgressQuery) -> Result<SaleProgress, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.sale_progress(&query))).await
}

/// Confirms every proposed own transfer `rule` accepts, in one transaction (with `dry_run`, only lists them).
#[tauri::command]
async fn confirm_transfers(
    shell: State<'_, Shell>,
    rule: offramp_app::ledger::ConfirmRule,
    dry_run: bool,
) -> Result<Vec<offramp_app::ledger::ProposalView>, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.confirm_transfers(&rule, dry_run))).await
}

/// The official exchange rates known (bundled and fetched), per publisher, and each report's rule.
#[tauri::command]
async fn rates_status(shell: State<'_, Shell>) -> Result<offramp_app::rates::RatesStatus, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.rates_status())).await
}

/// Fetches the rates each publisher published since the last one known, into the ledger.
#[tauri::command]
async fn refresh_rates(shell: State<'_, Shell>) -> Result<Vec<offramp_app::rates::RefreshOutcome>, AppError> {
    let inner = shell.share();
    blocking(move || {
        let feed = offramp_app::rates::feed(&inner.config);
        inner.with_session(|s| s.refresh_rates(&offramp_app::model::RateSource::ALL, system_now(), &feed))
    })
    .await
}

/// Fills "needs price" from exchanges' daily candles (or says what it would fill).
#[tauri::command]
async fn fill_prices(shell: State<'_, Shell>, dry_run: bool) -> Result<offramp_app::prices::FillReport, AppError> {
    let inner = shell.share();
    blocking(move || {
        let feed = offramp_app::prices::feed(&inner.config);
        let sources = offramp_app::prices::parse_sources(None)?;
        inner.with_session(|s| s.fill_prices(&sources, None, dry_run, system_now(), &feed))
    })
    .await
}

/// Sets a transaction's price by hand (`61000 USD` a unit).
#[tauri::command]
async fn set_price(
    shell: State<'_, Shell>,
    id: i64,
    price: String,
    note: offramp_app::edits::EditNote,
) -> Result<offramp_app::edits::Edit, AppError> {
    let inner = shell.share();
    blocking(move || {
        let price = offramp_app::model::Amount::parse(price.trim()).map_err(|e| {
            AppError::new(offramp_app::ErrorCode::InvalidInput, format!("price: {e} (write it as `61000 USD`)"))
        })?;
        inner.with_session(|s| s.set_price(id, price, "you", &note, system_now()))
    })
    .await
}

#[tauri::command]
async fn add_transaction(
    shell: State<'_, Shell>,
    input: offramp_app::edits::TxInput,
    note: offramp_app::edits::EditNote,
) -> Result<offramp_app::edits::Edit, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.add_transaction(&input, &note, system_now()))).await
}

#[tauri::command]
async fn edit_transaction(
    shell: State<'_, Shell>,
    id: i64,
    changes: offramp_app::edits::TxChanges,
    note: offramp_app::edits::EditNote,
) -> Result<offramp_app::edits::Edit, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.edit_transaction(id, &changes, &note, system_now()))).await
}

#[tauri::command]
async fn void_transaction(
    shell: State<'_, Shell>,
    id: i64,
    note: offramp_app::edits::EditNote,
) -> Result<offramp_app::edits::Edit, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.void_transaction(id, &note, system_now()))).await
}

#[tauri::command]
async fn undo_edit(
    shell: State<'_, Shell>,
    edit: i64,
    note: offramp_app::edits::EditNote,
) -> Result<offramp_app::edits::Edit, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.undo_edit(edit, &note, system_now()))).await
}

/// The edits that touched a transaction.
#[tauri::command]
async fn transaction_history(shell: State<'_, Shell>, id: i64) -> Result<Vec<offramp_app::edits::Edit>, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.transaction_history(id))).await
}

/// What needs attention, item by item with the action that resolves each (Home).
#[tauri::command]
async fn attention_list(shell: State<'_, Shell>) -> Result<Vec<offramp_app::ledger::AttentionItem>, AppError> {
    let inner = shell.share();
    blocking(move || inner.with_session(|s| s.attention_list(10))).await
}
