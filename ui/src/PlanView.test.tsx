import { afterEach, expect, test } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { mockShell } from "./testShell";
import { App } from "./App";
import type { Plan, Schedule } from "./backend";

afterEach(() => {
  cleanup();
  clearMocks();
});

const status = { app_version: "0.1.0", flavor: "dev", data_dir: "/d", data_dir_overridden: false, ledger_path: "/d/l", ledger: "missing", ledger_size_bytes: null };

const schedule = (days: number, urgency: string, net: string | null, efficient: boolean, fastest = false): Schedule => ({
  days,
  urgency,
  fastest,
  sales: [{ day: "2026-12-01", qty: "3.33333333", gross: "216666.66", fee_pct: "0.26", fee: "563.33", impact: "95.7", withdrawal_fee: "4" }],
  gross: "650000",
  cost: net === null ? null : "1651.48",
  net,
  risk_std: net === null ? null : "14534.44",
  maker_saving: "650",
  efficient,
  tax: null,
  after_tax: null,
});

const plan: Plan = {
  request: {
    sale: { asset: "BTC", qty: "10", fiat: "USD", country: "US", price: "65000", volume_30d: "0", impact: null },
    start: "2026-12-01",
    max_days: 30,
  },
  tax: null,
  exchanges: [
    {
      venue: "kraken",
      name: "Kraken",
      schedules: [schedule(3, "0", "648348.5249", true), schedule(5, "0.1", "648000", false), schedule(2, "0", "647000", true, true)],
      limits: [
        { days: 1, cap: "10000000" },
        { days: 30, cap: "100000000" },
      ],
      limits_level: "Pro",
      fewest_days: 1,
      unsuitable: [],
      warnings: [],
    },
    { venue: "binance", name: "Binance", schedules: [schedule(1, "0", null, false)], limits: [], limits_level: null, fewest_days: 1, unsuitable: [], warnings: ["USD withdrawal limits unknown"] },
    { venue: "bitvavo", name: "Bitvavo", schedules: [], limits: [], limits_level: null, fewest_days: null, unsuitable: ["does not pay out USD"], warnings: [] },
  ],
  mixes: [],
  desks_without_quote: ["kraken_otc"],
  notes: ["Impact: square-root law per day"],
};

test("after comparing, the sale is planned over days: the frontier per exchange, unknowns spelled out", async () => {
  const calls: unknown[] = [];
  mockShell((cmd, args) => {
    if (cmd === "get_status") return status;
    if (cmd === "quote") return [];
    if (cmd === "plan") {
      calls.push(args);
      return plan;
    }
    throw new Error(cmd);
  });
  render(<App />);
  fireEvent.click(screen.getByTestId("nav-compare"));
  fireEvent.change(screen.getByTestId("quote-qty"), { target: { value: "10" } });
  fireEvent.change(screen.getByTestId("quote-price"), { target: { value: "65000" } });
  fireEvent.click(screen.getByTestId("quote-submit"));
  fireEvent.change(await screen.findByTestId("plan-max-days"), { target: { value: "10" } });
  fireEvent.click(screen.getByTestId("plan-submit"));
  const kraken = await screen.findByTestId("plan-venue-kraken");
  expect(kraken.textContent).toContain("withdrawal limits (Pro): 10,000,000.00 USD a day, 100,000,000.00 USD in 30 days");
  const row = within(kraken).getByTestId("schedule-kraken-3-0");
  expect(within(row).getByTestId("schedule-net").textContent).toBe("648,348.52");
  expect(row.textContent).toContain("even");
  // The fastest fill under the limits is named as such.
  expect(within(kraken).getByTestId("schedule-kraken-2-fastest").textContent).toContain("as fast as the limits allow");
  // Only the frontier is shown when there is one.
  expect(within(kraken).queryByTestId("schedule-kraken-5-0.1")).toBeNull();
  // Without a frontier, the shortest schedules, with unknown costs said as such.
  expect(within(screen.getByTestId("plan-venue-binance")).getByTestId("schedule-net").textContent).toBe("unknown");
  expect(screen.getByTestId("plan-venue-binance").textContent).toContain("withdrawal limits unknown");
  expect(screen.getByTestId("plan-unsuitable").textContent).toContain("Bitvavo: does not pay out USD");
  expect(screen.getByTestId("plan-desks").textContent).toContain("kraken_otc");
  expect(calls).toEqual([{ request: { qty: "10", asset: "BTC", fiat: "USD", country: "US", price: "65000" }, maxDays: 10 }]);
});

test("a refused plan shows its message and code", async () => {
  mockShell((cmd) => {
    if (cmd === "get_status") return status;
    if (cmd === "quote") return [];
    throw { code: "INVALID_INPUT", message: "max days: 0 is not between 1 and 365" };
  });
  render(<App />);
  fireEvent.click(screen.getByTestId("nav-compare"));
  fireEvent.change(screen.getByTestId("quote-qty"), { target: { value: "10" } });
  fireEvent.click(screen.getByTestId("quote-submit"));
  fireEvent.change(await screen.findByTestId("plan-max-days"), { target: { value: "0" } });
  fireEvent.click(screen.getByTestId("plan-submit"));
  expect((await screen.findByTestId("plan-error-code")).textContent).toBe("INVALID_INPUT");
  expect(screen.getByTestId("plan-error-message").textContent).toContain("max days");
});
