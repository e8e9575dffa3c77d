// The one module that talks to the desktop shell. Every Tauri call goes through here, so tests can mock the IPC
// (or this module) and the rest of the UI never imports @tauri-apps/api.
import { invoke } from "@tauri-apps/api/core";

/** Stable error codes from the application layer (offramp-app ErrorCode). */
export type ErrorCode = "DATA_DIR_UNAVAILABLE" | "LEDGER_PATH_INVALID" | "INVALID_INPUT" | "INTERNAL";

/** An error as the shell sends it: `{code, message}`. */
export class BackendError extends Error {
  readonly code: ErrorCode | string;
  constructor(code: ErrorCode | string, message: string) {
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
    if (typeof code === "string" && typeof message === "string") return new BackendError(code, message);
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

export type Flavor = "release" | "dev";
export type LedgerState = "missing" | "present";

/** offramp-app Status. Paths arrive as strings; sizes are integers (never money). */
export interface Status {
  app_version: string;
  flavor: Flavor;
  data_dir: string;
  data_dir_overridden: boolean;
  ledger_path: string;
  ledger: LedgerState;
  ledger_size_bytes: number | null;
}

/** A sale request; every figure is a decimal string (never a float). */
export interface QuoteRequest {
  qty: string;
  asset: string;
  fiat: string;
  country: string;
  price?: string;
  volume_30d?: string;
  daily_volatility?: string;
  daily_volume?: string;
}

export interface CostLine {
  name: string;
  /** Decimal string in the sale's currency, or null when unknown. */
  amount: string | null;
  note: string;
}

export interface VenueQuote {
  venue: string;
  name: string;
  kind: "exchange" | "p2p" | "otc" | "atm" | "card" | "ramp";
  gross: string;
  costs: CostLine[];
  net: string | null;
  days_to_cash: number | null;
  unsuitable: string[];
  warnings: string[];
}

/** One day of a schedule; money in the sale's currency as decimal strings, null when unknown. */
export interface DaySale {
  day: string;
  qty: string;
  gross: string;
  fee_pct: string | null;
  fee: string | null;
  impact: string | null;
  withdrawal_fee: string | null;
}

export interface Schedule {
  days: number;
  /** Almgren-Chriss urgency per day; "0" is an even split. */
  urgency: string;
  sales: DaySale[];
  gross: string;
  cost: string | null;
  net: string | null;
  risk_std: string | null;
  maker_saving: string | null;
  efficient: boolean;
  tax: string | null;
  after_tax: string | null;
}

export interface RollingLimit {
  days: number;
  cap: string | null;
}

export interface VenuePlan {
  venue: string;
  name: string;
  schedules: Schedule[];
  limits: RollingLimit[];
  limits_level: string | null;
  fewest_days: number | null;
  unsuitable: string[];
  warnings: string[];
}

export interface Mix {
  desk: string;
  exchange: string;
  desk_qty: string;
  exchange_qty: string;
  cost: string;
  net: string;
  note: string;
}

export interface Plan {
  exchanges: VenuePlan[];
  mixes: Mix[];
  desks_without_quote: string[];
  notes: string[];
}

export const backend = {
  getStatus: () => call<Status>("get_status"),
  quote: (request: QuoteRequest) => call<VenueQuote[]>("quote", { request }),
  plan: (request: QuoteRequest, maxDays: number) => call<Plan>("plan", { request, maxDays }),
};
