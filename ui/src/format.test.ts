import { expect, test } from "vitest";
import { validLocale, exactFallback, formatAmount, formatDate, formatInstant, formatNumber, formatQty } from "./format";

test("money is formatted exactly from the string, half away from zero, in the locale", () => {
  expect(formatNumber("648018.2299", 2, { locale: "en-US" })).toBe("648,018.23");
  expect(formatNumber("0.005", 2, { locale: "en-US" })).toBe("0.01");
  expect(formatNumber("-0.005", 2, { locale: "en-US" })).toBe("-0.01");
  expect(formatNumber("12345678901234567890.125", 2, { locale: "en-US" })).toBe("12,345,678,901,234,567,890.13");
  expect(formatNumber("1234.5", 2, { locale: "de-DE" })).toBe("1.234,50");
  expect(formatNumber("unknown", 2, { locale: "en-US" })).toBe("unknown");
});

test("quantities keep their decimals, amounts their code", () => {
  expect(formatQty("0.00012345", "en-US")).toBe("0.00012345");
  expect(formatQty("1500", "en-US")).toBe("1,500");
  expect(formatAmount({ value: "0.5", code: "BTC" }, "en-US")).toBe("0.5 BTC");
  expect(formatAmount({ value: "1234.5", code: "EUR" }, "de-DE")).toBe("1.234,50 EUR");
  expect(formatAmount(null)).toBe("");
});

test("dates in the locale, in UTC", () => {
  expect(formatDate("2024-03-01", "en-US")).toBe("Mar 1, 2024");
  expect(formatInstant("2024-03-01T23:30:00Z", "en-GB")).toBe("1 Mar 2024, 23:30");
});

test("the exact fallback (an engine without exact decimal strings) gives the same text", () => {
  expect(exactFallback("1234.005", 2, false, "en-US")).toBe("1,234.01");
  expect(exactFallback("1234.5", 2, false, "de-DE")).toBe("1.234,50");
  expect(exactFallback("0.50000", 8, true, "en-US")).toBe("0.5");
  expect(exactFallback("12345678901234567890.125", 2, false, "en-US")).toBe(formatNumber("12345678901234567890.125", 2, { locale: "en-US" }));
});

test("a system language that is not a language tag (LANG=C) falls back to en-US", () => {
  expect(validLocale("C")).toBeNull();
  expect(validLocale("")).toBeNull();
  expect(validLocale("de-DE")).toBe("de-DE");
  expect(validLocale("en_US")).toBeNull();
});
