import { expect, test } from "vitest";
import { formatDecimal } from "./money";

test("rounds half away from zero, exactly, and groups thousands", () => {
  expect(formatDecimal("648018.2299")).toBe("648,018.23");
  expect(formatDecimal("0.005")).toBe("0.01");
  expect(formatDecimal("-0.005")).toBe("-0.01");
  expect(formatDecimal("-0.004")).toBe("0.00");
  expect(formatDecimal("1690")).toBe("1,690.00");
  expect(formatDecimal("0.1")).toBe("0.10");
  // Beyond float precision: still exact.
  expect(formatDecimal("12345678901234567890.125")).toBe("12,345,678,901,234,567,890.13");
  expect(formatDecimal("7", 0)).toBe("7");
  expect(formatDecimal("not a number")).toBe("not a number");
});

test("sums decimal strings exactly", async () => {
  const { addDecimals } = await import("./money");
  expect(addDecimals("0.1", "0.2")).toBe("0.3");
  expect(addDecimals("1.005", "-2")).toBe("-0.995");
  expect(addDecimals("12345678901234567890.1", "0.00000001")).toBe("12345678901234567890.10000001");
  expect(addDecimals("5", "-5")).toBe("0");
});
