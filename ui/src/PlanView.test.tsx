import { afterEach, expect, test } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { mockShell } from "./testShell";
import { App } from "./App";
import type { Plan, Schedule, VenuePlan } from "./backend";
import { candidate } from "./testPlans";
import type { Venue } from "./bindings/Venue";

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

const venuePlan = (v: Partial<VenuePlan> & { venue: string; name: string }): VenuePlan => ({
  schedules: [],
  limits: [],
  limits_level: null,
  limits_basis: null,
  fewest_days: null,
  unknown_costs: [],
  sources: [],
  unsuitable: [],
  warnings: [],
  ...v,
});

const plan: Plan = {
  request: {
    sale: { asset: "BTC", qty: "10", fiat: "USD", country: "US", price: "65000", volume_30d: "0", impact: null, levels: [], held_at: null },
    start: "2026-12-01",
    max_days: 30,
    cash_by: null,
    cash_needed: null,
    risk: "medium",
    history: [],
  },
  tax: null,
  recommended: [
    candidate({ title: "Kraken: sell everything on day 1, withdraw over 32 days" }),
    candidate({ title: "CoinFlip: cash at its machines, 44 daily visits", kind: "atm", venues: ["coinflip"], net: "513500", reason: "scores 207899.38 USD less than the recommendation" }),
  ],
  ranking: "Ranked by expected net less 1 x one standard deviation of price risk",
  exchanges: [
    venuePlan({
      venue: "kraken",
      name: "Kraken",
      schedules: [schedule(3, "0", "648348.5249", true), schedule(5, "0.1", "648000", false), schedule(2, "0", "647000", true, true)],
      limits: [
        { days: 1, cap: "10000000" },
        { days: 30, cap: "100000000" },
      ],
      limits_level: "Pro",
      fewest_days: 1,
    }),
    venuePlan({ venue: "binance", name: "Binance", schedules: [schedule(1, "0", null, false)], fewest_days: 1, warnings: ["USD withdrawal limits unknown"] }),
    venuePlan({ venue: "bitvavo", name: "Bitvavo", unsuitable: ["does not pay out USD"] }),
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
  fireEvent.click(await screen.findByTestId("sell-tab-compare"));
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
  expect(calls).toEqual([{ request: { qty: "10", asset: "BTC", fiat: "USD", country: "US", price: "65000", risk: "medium", levels: [] }, maxDays: 10 }]);
});

const kraken: Partial<Venue> = {
  id: "kraken",
  name: "Kraken",
  kind: "exchange",
  status: "active",
  withdrawal_limits: [
    { level: "Intermediate", currency: "USD", fiat_per_day: "100000", fiat_per_month: "500000", fiat_per_year: null, note: null, source: null, as_of: null },
    { level: "Pro", currency: "USD", fiat_per_day: "10000000", fiat_per_month: null, fiat_per_year: null, note: null, source: null, as_of: null },
  ],
};

test("the recommendation comes first with its reason, steps, tranches and sources; the seller's situation goes with the request", async () => {
  const calls: unknown[] = [];
  mockShell((cmd, args) => {
    if (cmd === "get_status") return status;
    if (cmd === "quote") return [];
    if (cmd === "venues") return [kraken];
    if (cmd === "plan") {
      calls.push(args);
      return plan;
    }
    throw new Error(cmd);
  });
  render(<App />);
  fireEvent.click(screen.getByTestId("nav-compare"));
  fireEvent.click(await screen.findByTestId("sell-tab-compare"));
  fireEvent.change(screen.getByTestId("quote-qty"), { target: { value: "10" } });
  fireEvent.change(screen.getByTestId("quote-price"), { target: { value: "65000" } });
  fireEvent.click(screen.getByTestId("quote-submit"));
  fireEvent.change(await screen.findByTestId("plan-level-kraken"), { target: { value: "Pro" } });
  fireEvent.change(screen.getByTestId("plan-risk"), { target: { value: "low" } });
  fireEvent.change(screen.getByTestId("plan-cash-by"), { target: { value: "2026-12-20" } });
  fireEvent.change(screen.getByTestId("plan-held-at"), { target: { value: "kraken" } });
  fireEvent.click(screen.getByTestId("plan-submit"));
  const rec = await screen.findByTestId("plan-recommended");
  expect(rec.textContent).toContain("Recommended: Kraken: sell everything on day 1, withdraw over 32 days");
  expect(screen.getByTestId("recommended-figures").textContent).toContain("647,994.23");
  expect(screen.getByTestId("recommended-reason").textContent).toContain("highest expected net");
  expect(screen.getByTestId("recommended-steps").textContent).toContain("Deposit 10 BTC to Kraken");
  expect(screen.getByTestId("recommended-tranches").textContent).toContain("100,000.00");
  expect(screen.getByTestId("recommended-sources").textContent).toContain("marketrealist.com (secondary), as of 2022-03-25");
  expect(screen.getByTestId("plan-alternatives").textContent).toContain("CoinFlip: cash at its machines, 44 daily visits");
  expect(calls).toEqual([
    {
      request: {
        qty: "10",
        asset: "BTC",
        fiat: "USD",
        country: "US",
        price: "65000",
        risk: "low",
        levels: [{ venue: "kraken", level: "Pro" }],
        cash_by: "2026-12-20",
        held_at: "kraken",
      },
      maxDays: 30,
    },
  ]);
});

test("a refused plan shows its message and code", async () => {
  mockShell((cmd) => {
    if (cmd === "get_status") return status;
    if (cmd === "quote") return [];
    throw { code: "INVALID_INPUT", message: "max days: 0 is not between 1 and 365" };
  });
  render(<App />);
  fireEvent.click(screen.getByTestId("nav-compare"));
  fireEvent.click(await screen.findByTestId("sell-tab-compare"));
  fireEvent.change(screen.getByTestId("quote-qty"), { target: { value: "10" } });
  fireEvent.click(screen.getByTestId("quote-submit"));
  fireEvent.change(await screen.findByTestId("plan-max-days"), { target: { value: "0" } });
  fireEvent.click(screen.getByTestId("plan-submit"));
  expect((await screen.findByTestId("plan-error-code")).textContent).toBe("INVALID_INPUT");
  expect(screen.getByTestId("plan-error-message").textContent).toContain("max days");
});
