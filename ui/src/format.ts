// Numbers, dates and amounts in the user's locale (Intl). Money and quantities arrive from the backend as decimal
// strings and are formatted from the string (Intl.NumberFormat formats a decimal string exactly, rounding half
// away from zero), never through a float.
import type { Amount } from "./bindings/Amount";
import { formatDecimal } from "./money";

/** The locale the window formats in: the system's (the webview's language), if it is a valid language tag
 * (under `LANG=C` the webview reports "C", which is not), else en-US. */
export function userLocale(): string {
  const lang = typeof navigator !== "undefined" ? navigator.language : "";
  return validLocale(lang) ?? "en-US";
}

const checked = new Map<string, string | null>();
export function validLocale(tag: string): string | null {
  if (!checked.has(tag)) {
    let ok: string | null = null;
    try {
      ok = tag ? (Intl.getCanonicalLocales(tag)[0] ?? null) : null;
    } catch {
      ok = null;
    }
    checked.set(tag, ok);
  }
  return checked.get(tag) ?? null;
}

const DECIMAL = /^-?\d+(\.\d+)?$/;
const cache = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, min: number, max: number): Intl.NumberFormat {
  const key = `${locale}|${min}|${max}`;
  let nf = cache.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(locale, {
      minimumFractionDigits: min,
      maximumFractionDigits: max,
      roundingMode: "halfExpand",
    } as Intl.NumberFormatOptions);
    cache.set(key, nf);
  }
  return nf;
}

/**
 * A decimal string for display: grouped and with the locale's separators, `places` decimals (money), or up to
 * `places` without trailing zeros when `trim` (quantities). Anything that is not a plain decimal is returned as
 * it is (never guessed).
 */
export function formatNumber(value: string, places = 2, opts: { trim?: boolean; locale?: string } = {}): string {
  const v = value.trim();
  if (!DECIMAL.test(v)) return value;
  const locale = opts.locale ?? userLocale();
  if (!formatsStringsExactly()) return exactFallback(v, places, opts.trim === true, locale);
  const nf = numberFormat(locale, opts.trim ? 0 : places, places);
  // The string overload formats the exact decimal (ECMA-402 "Intl.NumberFormat v3").
  return (nf.format as unknown as (s: string) => string)(v);
}

let exact: boolean | null = null;
/** Whether this engine's Intl formats decimal strings exactly (else numbers would pass through a float). */
function formatsStringsExactly(): boolean {
  if (exact === null) {
    const f = numberFormat("en-US", 2, 2).format as unknown as (s: string) => string;
    exact = f("12345678901234567890.125") === "12,345,678,901,234,567,890.13";
  }
  return exact;
}

/** Exact rounding by string arithmetic (money.ts), then the locale's separators. */
export function exactFallback(v: string, places: number, trim: boolean, locale: string): string {
  let text = formatDecimal(v, places);
  if (trim && text.includes(".")) text = text.replace(/\.?0+$/, "");
  const parts = new Intl.NumberFormat(locale).formatToParts(1234.5);
  const group = parts.find((p) => p.type === "group")?.value ?? ",";
  const decimal = parts.find((p) => p.type === "decimal")?.value ?? ".";
  return text.replace(/[,.]/g, (c) => (c === "," ? group : decimal));
}

/** A quantity of an asset: up to 8 decimals, trailing zeros dropped (0.5 BTC, not 0.50000000). */
export function formatQty(value: string, locale?: string): string {
  const frac = value.split(".")[1]?.length ?? 0;
  return formatNumber(value, Math.max(frac, 0), { trim: true, locale });
}

/** An amount with its code: "0.5 BTC", "1,234.56 USD" (fiat with 2 decimals). */
export function formatAmount(a: Amount | null | undefined, locale?: string): string {
  if (!a) return "";
  const fiat = /^(USD|EUR|GBP|CAD|CHF|JPY|AUD)$/.test(a.code);
  return `${fiat ? formatNumber(a.value, 2, { locale }) : formatQty(a.value, locale)} ${a.code}`;
}

/** An instant (RFC 3339 from the backend) as date and time in the user's locale, in UTC (as the ledger keeps it). */
export function formatInstant(ts: string, locale?: string): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  return new Intl.DateTimeFormat(locale ?? userLocale(), {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: "UTC",
  }).format(d);
}

/** A calendar date (`YYYY-MM-DD`) in the user's locale. */
export function formatDate(date: string, locale?: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return date;
  return new Intl.DateTimeFormat(locale ?? userLocale(), { dateStyle: "medium", timeZone: "UTC" }).format(d);
}

/** A count: 1,000,000. */
export function formatCount(n: number, locale?: string): string {
  return new Intl.NumberFormat(locale ?? userLocale()).format(n);
}
