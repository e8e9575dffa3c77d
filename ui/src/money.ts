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
