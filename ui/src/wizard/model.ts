// The guided sale's state: everything the user typed or chose, in one object, kept in the ledger while it is
// unlocked (so a sale can be resumed after a restart) and in memory otherwise. Money stays decimal strings.

export type SaleMode = "qty" | "cash" | "all";
export type Priority = "cost" | "fast" | "risk" | "privacy";

export type TypedHolding = { asset: string; qty: string; where: string };

export type WizardState = {
  version: 1;
  step: number;
  holdings: { typed: TypedHolding[] };
  sale: {
    mode: SaleMode;
    qty: string;
    cash: string;
    asset: string;
    fiat: string;
    country: string;
    by: string;
    price: string;
    volatility: string;
    volume: string;
  };
  situation: {
    levels: Record<string, string>;
    heldAt: string;
    priority: Priority;
    cashOk: boolean;
    tax: boolean;
    jurisdiction: string;
    rateShort: string;
    rateLong: string;
    rate: string;
  };
  plan: { maxDays: string; start: string; id: string };
  compare: { live: boolean };
  checklist: Record<string, boolean>;
};

export const STEPS = ["Your holdings", "What to sell", "Your situation", "Compare", "The plan", "Before you sell", "Selling"] as const;

export function initialState(): WizardState {
  return {
    version: 1,
    step: 0,
    holdings: { typed: [{ asset: "BTC", qty: "", where: "" }] },
    sale: { mode: "qty", qty: "", cash: "", asset: "BTC", fiat: "USD", country: "US", by: "", price: "", volatility: "0.03", volume: "10000" },
    situation: { levels: {}, heldAt: "", priority: "cost", cashOk: false, tax: false, jurisdiction: "us", rateShort: "", rateLong: "", rate: "" },
    plan: { maxDays: "60", start: "", id: "" },
    compare: { live: false },
    checklist: {},
  };
}

/** A saved draft read back: anything missing or of another shape falls back to the defaults, field by field. */
export function fromDraft(draft: unknown): WizardState {
  const base = initialState();
  if (typeof draft !== "object" || draft === null || (draft as { version?: unknown }).version !== 1) return base;
  const d = draft as Partial<WizardState>;
  return {
    version: 1,
    step: typeof d.step === "number" && d.step >= 0 && d.step < STEPS.length ? d.step : 0,
    holdings: { typed: Array.isArray(d.holdings?.typed) ? d.holdings.typed : base.holdings.typed },
    sale: { ...base.sale, ...(d.sale ?? {}) },
    situation: { ...base.situation, ...(d.situation ?? {}), levels: { ...(d.situation?.levels ?? {}) } },
    plan: { ...base.plan, ...(d.plan ?? {}) },
    compare: { live: d.compare?.live === true },
    checklist: { ...(d.checklist ?? {}) },
  };
}

/** The risk appetite a priority stands for. */
export function riskFor(p: Priority): "low" | "medium" | "high" {
  return p === "risk" ? "low" : p === "cost" ? "high" : "medium";
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** `a / b` rounded up to `places` decimals, exactly (BigInt): the quantity whose value reaches an amount. */
export function divideUp(a: string, b: string, places = 8): string | null {
  const pa = DECIMAL.exec(a.trim());
  const pb = DECIMAL.exec(b.trim());
  if (!pa || !pb) return null;
  const scale = (m: RegExpExecArray) => ({ n: BigInt((m[1] ?? "0") + (m[2] ?? "")), d: (m[2] ?? "").length });
  const x = scale(pa);
  const y = scale(pb);
  if (y.n === 0n) return null;
  // a/b = (x.n / 10^x.d) / (y.n / 10^y.d); times 10^places, rounded up.
  const num = x.n * 10n ** BigInt(places + y.d);
  const den = y.n * 10n ** BigInt(x.d);
  const q = (num + den - 1n) / den;
  const digits = q.toString().padStart(places + 1, "0");
  const int = digits.slice(0, digits.length - places);
  const frac = digits.slice(digits.length - places).replace(/0+$/, "");
  return frac ? `${int}.${frac}` : int;
}

/** Compares two decimal strings (-1, 0, 1), exactly. */
export function compareDecimals(a: string, b: string): number {
  const pa = DECIMAL.exec(a.trim());
  const pb = DECIMAL.exec(b.trim());
  if (!pa || !pb) return 0;
  const places = Math.max((pa[2] ?? "").length, (pb[2] ?? "").length);
  const x = BigInt((pa[1] ?? "0") + (pa[2] ?? "").padEnd(places, "0"));
  const y = BigInt((pb[1] ?? "0") + (pb[2] ?? "").padEnd(places, "0"));
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The checklist every seller goes through before the first sale. */
export const CHECKLIST: { id: string; text: string }[] = [
  { id: "twofa", text: "Two-factor authentication (an authenticator app, not SMS) is on at every venue account you will use." },
  {
    id: "allowlist",
    text: "Your bank account (and any withdrawal address) is on the venue's allow-list, and its waiting period after adding it has passed.",
  },
  { id: "test", text: "A small test withdrawal to your bank has arrived, before the large ones." },
  { id: "bank", text: "Your bank knows a large transfer from the exchange is coming (and from where), so it is not held." },
  { id: "support", text: "You contact the venue only through its official website or app: support never asks for your passwords or codes." },
  { id: "scams", text: "No one asks you to pay an \"unlock\", \"tax\" or \"verification\" fee to release your money: that is always a scam." },
];
