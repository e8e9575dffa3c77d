// The one module that talks to the desktop shell. Every Tauri call goes through here, so tests can mock the IPC
// (or this module) and the rest of the UI never imports @tauri-apps/api. The types are generated from the Rust
// types (ui/src/bindings, by ts-rs; a Rust test fails when they are stale): money is always a decimal string.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { AccountRow } from "./bindings/AccountRow";
import type { Attention } from "./bindings/Attention";
import type { CheckReport } from "./bindings/CheckReport";
import type { RatesStatus } from "./bindings/RatesStatus";
import type { AttentionItem } from "./bindings/AttentionItem";
import type { RefreshOutcome } from "./bindings/RefreshOutcome";
import type { FillReport } from "./bindings/FillReport";
import type { EditRow } from "./bindings/EditRow";
import type { EditNote } from "./bindings/EditNote";
import type { TxInput } from "./bindings/TxInput";
import type { TxChanges } from "./bindings/TxChanges";
import type { Balance } from "./bindings/Balance";
import type { FileCheck } from "./bindings/FileCheck";
import type { Preferences } from "./bindings/Preferences";
import type { BackupInfo } from "./bindings/BackupInfo";
import type { BasisRequest } from "./bindings/BasisRequest";
import type { CaReport } from "./bindings/CaReport";
import type { DeReport } from "./bindings/DeReport";
import type { ErrorCode } from "./bindings/ErrorCode";
import type { ExportRequest } from "./bindings/ExportRequest";
import type { Exported } from "./bindings/Exported";
import type { GainsReport } from "./bindings/GainsReport";
import type { HoldingRow } from "./bindings/HoldingRow";
import type { HoldingsRequest } from "./bindings/HoldingsRequest";
import type { ImportReport } from "./bindings/ImportReport";
import type { IncomeReport } from "./bindings/IncomeReport";
import type { JobProgress } from "./bindings/JobProgress";
import type { LiveQuotes } from "./bindings/LiveQuotes";
import type { LivePrice } from "./bindings/LivePrice";
import type { Override } from "./bindings/Override";
import type { Plan } from "./bindings/Plan";
import type { ConfirmRule } from "./bindings/ConfirmRule";
import type { ProposalView } from "./bindings/ProposalView";
import type { ProgressQuery } from "./bindings/ProgressQuery";
import type { RecordedTranche } from "./bindings/RecordedTranche";
import type { SaleProgress } from "./bindings/SaleProgress";
import type { TrancheRecord } from "./bindings/TrancheRecord";
import type { QuoteRequest } from "./bindings/QuoteRequest";
import type { Restored } from "./bindings/Restored";
import type { SessionState } from "./bindings/SessionState";
import type { Status } from "./bindings/Status";
import type { Enrolment } from "./bindings/Enrolment";
import type { Strength } from "./bindings/Strength";
import type { TwoFaStatus } from "./bindings/TwoFaStatus";
import type { TaxRequest } from "./bindings/TaxRequest";
import type { TransferFeeSetting } from "./bindings/TransferFeeSetting";
import type { TransfersView } from "./bindings/TransfersView";
import type { TxPage } from "./bindings/TxPage";
import type { TxQuery } from "./bindings/TxQuery";
import type { UkReport } from "./bindings/UkReport";
import type { Venue } from "./bindings/Venue";
import type { VenueQuote } from "./bindings/VenueQuote";

export type { LivePrice } from "./bindings/LivePrice";
export type { BackupInfo, Override, Preferences, Restored, TransferFeeSetting, Venue };
export type { AccountRow, Attention, Balance, FileCheck, ImportReport, TxPage, TxQuery, TransfersView };
export type { TxRow } from "./bindings/TxRow";
export type { BasisRequest, CaReport, DeReport, ExportRequest, Exported, GainsReport, HoldingRow, HoldingsRequest, IncomeReport, UkReport };
export type { ReportRow } from "./bindings/ReportRow";
export type { Flag } from "./bindings/Flag";
export type { ProposalView } from "./bindings/ProposalView";
export type { Amount } from "./bindings/Amount";
export type { Enrolment, ErrorCode, JobProgress, Plan, QuoteRequest, SessionState, Status, Strength, TwoFaStatus, VenueQuote };
export type { CostLine } from "./bindings/CostLine";
export type { DaySale } from "./bindings/DaySale";
export type { Mix } from "./bindings/Mix";
export type { RollingLimit } from "./bindings/RollingLimit";
export type { Schedule } from "./bindings/Schedule";
export type { VenuePlan } from "./bindings/VenuePlan";
export type { Flavor } from "./bindings/Flavor";
export type { LedgerState } from "./bindings/LedgerState";

/** An error as the shell sends it: `{code, message}`. */
export class BackendError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }
}

/** Turns whatever a failed call threw into a BackendError. Anything not shaped `{code, message}` is INTERNAL. */
export function toBackendError(e: unknown): BackendError {
  if (e instanceof BackendError) return e;
  if (typeof e === "object" && e !== null) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string" && typeof message === "string") return new BackendError(code as ErrorCode, message);
  }
  const text = e instanceof Error ? e.message : typeof e === "string" ? e : JSON.stringify(e);
  return new BackendError("INTERNAL", text || "Unknown error");
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toBackendError(e);
  }
}

let jobCounter = 0;
/** A new id for a long command (import, report), to follow its progress and cancel it. */
export function newJob(prefix: string): string {
  jobCounter += 1;
  return `${prefix}-${Date.now()}-${jobCounter}`;
}

/** Calls `onProgress` for every progress report of job `job` until the returned function is called. */
export function onJobProgress(job: string, onProgress: (p: JobProgress) => void): Promise<UnlistenFn> {
  return listen<JobProgress>("job-progress", (e) => {
    if (e.payload.job === job) onProgress(e.payload);
  });
}

/** Calls `onLocked` whenever the shell locks the ledger by itself (auto-lock after the idle time). */
export function onSessionLocked(onLocked: () => void): Promise<UnlistenFn> {
  return listen("session-locked", () => onLocked());
}

export const backend = {
  getStatus: () => call<Status>("get_status"),
  sessionState: () => call<SessionState>("session_state"),
  createLedger: (passphrase: string) => call<Status>("create_ledger", { passphrase }),
  unlock: (passphrase: string, code?: string) => call<SessionState>("unlock", { passphrase, code: code ?? null }),
  lock: () => call<SessionState>("lock"),
  passphraseStrength: (passphrase: string) => call<Strength>("passphrase_strength", { passphrase }),
  changePassphrase: (old: string, next: string, code?: string) =>
    call<SessionState>("change_passphrase", { old, new: next, code: code ?? null }),
  twofaStatus: () => call<TwoFaStatus>("twofa_status"),
  twofaBegin: () => call<Enrolment>("twofa_begin"),
  twofaConfirm: (passphrase: string, code: string) => call<string[]>("twofa_confirm", { passphrase, code }),
  twofaDisable: (passphrase: string, code: string) => call<SessionState>("twofa_disable", { passphrase, code }),
  touch: () => call<void>("touch"),
  getAutoLock: () => call<number>("get_auto_lock"),
  setAutoLock: (minutes: number) => call<number>("set_auto_lock", { minutes }),
  accounts: () => call<AccountRow[]>("accounts"),
  attention: () => call<Attention>("attention"),
  checkLedger: () => call<CheckReport>("check_ledger"),
  ratesStatus: () => call<RatesStatus>("rates_status"),
  attentionList: () => call<AttentionItem[]>("attention_list"),
  refreshRates: () => call<RefreshOutcome[]>("refresh_rates"),
  fillPrices: (dryRun: boolean) => call<FillReport>("fill_prices", { dryRun }),
  setPrice: (id: number, price: string, note: EditNote) => call<EditRow>("set_price", { id, price, note }),
  addTransaction: (input: TxInput, note: EditNote) => call<EditRow>("add_transaction", { input, note }),
  editTransaction: (id: number, changes: TxChanges, note: EditNote) => call<EditRow>("edit_transaction", { id, changes, note }),
  voidTransaction: (id: number, note: EditNote) => call<EditRow>("void_transaction", { id, note }),
  undoEdit: (edit: number, note: EditNote) => call<EditRow>("undo_edit", { edit, note }),
  transactionHistory: (id: number) => call<EditRow[]>("transaction_history", { id }),
  balances: () => call<Balance[]>("balances"),
  checkFiles: (paths: string[]) => call<FileCheck[]>("check_files", { paths }),
  transactions: (query: TxQuery) => call<TxPage>("transactions", { query }),
  transfers: () => call<TransfersView>("transfers"),
  decideTransfer: (outId: number, inId: number, confirm: boolean) =>
    call<void>("decide_transfer", { outId, inId, confirm }),
  importFiles: (paths: string[], job: string) => call<ImportReport>("import_files", { paths, job }),
  cancelJob: (job: string) => call<boolean>("cancel_job", { job }),
  usGains: (year: number, basis: BasisRequest, job: string) => call<GainsReport>("us_gains", { year, basis, job }),
  ukGains: (year: number, job: string) => call<UkReport>("uk_gains", { year, job }),
  deGains: (year: number, job: string) => call<DeReport>("de_gains", { year, job }),
  caGains: (year: number, job: string) => call<CaReport>("ca_gains", { year, job }),
  income: (year: number, jurisdiction: string, job: string) =>
    call<IncomeReport>("income", { year, jurisdiction, job }),
  holdings: (request: HoldingsRequest, basis: BasisRequest, job: string) =>
    call<HoldingRow[]>("holdings", { request, basis, job }),
  exportFile: (request: ExportRequest, path: string, job: string) =>
    call<Exported>("export_file", { request, path, job }),
  backup: (dest: string) => call<BackupInfo>("backup", { dest }),
  inspectBackup: (path: string, passphrase: string) => call<BackupInfo>("inspect_backup", { path, passphrase }),
  restore: (path: string, passphrase: string, code?: string) =>
    call<Restored>("restore", { path, passphrase, code: code ?? null }),
  overrides: () => call<Override[]>("overrides"),
  setOverride: (venue: string, field: string, value: string, note: string) =>
    call<Override>("set_override", { venue, field, value, note }),
  removeOverride: (venue: string, field: string) => call<void>("remove_override", { venue, field }),
  preferences: () => call<Preferences>("preferences"),
  setPreferences: (preferences: Preferences) => call<Preferences>("set_preferences", { preferences }),
  transferFees: () => call<TransferFeeSetting[]>("transfer_fees"),
  setTransferFee: (jurisdiction: string, treatment: string) =>
    call<TransferFeeSetting>("set_transfer_fee", { jurisdiction, treatment }),
  venues: (kind?: string) => call<Venue[]>("venues", { kind: kind ?? null }),
  quote: (request: QuoteRequest) => call<VenueQuote[]>("quote", { request }),
  quoteLive: (request: QuoteRequest) => call<LiveQuotes>("quote_live", { request }),
  livePrice: (asset: string, fiat: string) => call<LivePrice>("live_price", { asset, fiat }),
  plan: (request: QuoteRequest, maxDays: number) => call<Plan>("plan", { request, maxDays }),
  planWithTax: (request: QuoteRequest, maxDays: number, tax: TaxRequest, job: string) =>
    call<Plan>("plan_with_tax", { request, maxDays, tax, job }),
  confirmTransfers: (rule: ConfirmRule, dryRun: boolean) => call<ProposalView[]>("confirm_transfers", { rule, dryRun }),
  saleDraft: () => call<unknown>("sale_draft"),
  saveSaleDraft: (draft: unknown) => call<void>("save_sale_draft", { draft }),
  recordTranche: (record: TrancheRecord) => call<RecordedTranche>("record_tranche", { record }),
  saleProgress: (query: ProgressQuery) => call<SaleProgress>("sale_progress", { query }),
};
