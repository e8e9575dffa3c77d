// Exact presentation of decimal strings from the backend: no floating point anywhere on a money path.

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Rounds a decimal string half away from zero to `places` decimals and groups thousands:
 * "648018.2299" -> "648,018.23". Returns the input unchanged if it is not a plain decimal.
 */
export function formatDecimal(value: string, places = 2): string {
  const m = DECIMAL.exec(value.trim());
  if (!m) return value;
  const [, sign, int, frac = ""] = m;
  const padded = (frac + "0".repeat(places + 1)).slice(0, places + 1);
  let units = BigInt(int + padded.slice(0, places));
  if (Number(padded[places]) >= 5) units += 1n; // half away from zero: the sign is applied afterwards
  const digits = units.toString().padStart(places + 1, "0");
  const whole = digits.slice(0, digits.length - places) || "0";
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const isZero = units === 0n;
  return `${sign && !isZero ? "-" : ""}${grouped}${places > 0 ? "." + digits.slice(digits.length - places) : ""}`;
}

/** Exact sum of two decimal strings ("0.1" + "0.2" = "0.3"), by integer arithmetic on the scaled digits. */
export function addDecimals(a: string, b: string): string {
  const parse = (v: string) => {
    const m = DECIMAL.exec(v.trim());
    if (!m) throw new Error(`not a decimal: ${v}`);
    const [, sign, int, frac = ""] = m;
    return { sign: sign === "-" ? -1n : 1n, int: int ?? "0", frac };
  };
  const x = parse(a);
  const y = parse(b);
  const places = Math.max(x.frac.length, y.frac.length);
  const scaled = (p: { sign: bigint; int: string; frac: string }) => p.sign * BigInt(p.int + p.frac.padEnd(places, "0"));
  const sum = scaled(x) + scaled(y);
  const neg = sum < 0n;
  const digits = (neg ? -sum : sum).toString().padStart(places + 1, "0");
  const int = digits.slice(0, digits.length - places);
  const frac = places > 0 ? digits.slice(digits.length - places).replace(/0+$/, "") : "";
  return `${neg ? "-" : ""}${int}${frac ? "." + frac : ""}`;
}
