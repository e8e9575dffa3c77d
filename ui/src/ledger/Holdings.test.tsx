import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { App } from "../App";
import type { HoldingRow, Status } from "../backend";
import { clearDrafts } from "../drafts";
import { mockShell, type Handler } from "../testShell";
import { daysBetween, localToday, totalsByAsset } from "./Holdings";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date(2026, 11, 2, 12, 0, 0)); // 2 December 2026, local time
});

afterEach(() => {
  vi.useRealTimers();
  cleanup();
  clearMocks();
  clearDrafts();
  window.location.hash = "";
});

const status: Status = {
  app_version: "0.1.0",
  flavor: "dev",
  data_dir: "/d",
  data_dir_overridden: false,
  ledger_path: "/d/ledger.offramp",
  ledger: "present",
  ledger_size_bytes: 4096,
};

/** Two BTC lots (one turning long-term on 2027-01-10, one already) and an ETH lot of unknown cost. */
function lots(prices: string[]): HoldingRow[] {
  const btc = prices.includes("BTC=65000.50");
  const row = (lot: number, asset: string, acquired: string, on: string, qty: string, cost: string | null, value: string | null, unrealized: string | null): HoldingRow => ({
    account: "Kraken",
    asset,
    lot,
    acquired,
    qty,
    cost,
    value,
    unrealized,
    lot_source: `kraken.csv line ${lot + 1}`,
    more_than_one_year_on: on,
  });
  return [
    row(1, "BTC", "2024-03-01", "2025-03-02", "0.1", "4000.10", btc ? "6500.05" : null, btc ? "2499.95" : null),
    row(2, "BTC", "2026-01-09", "2027-01-10", "0.2", "9000.20", btc ? "13000.10" : null, btc ? "3999.90" : null),
    row(3, "ETH", "2026-06-01", "2027-06-02", "1", null, null, null),
  ];
}

function shell(preferences: { jurisdiction: string; currency: string }, more: Handler = () => undefined): unknown[] {
  const calls: unknown[] = [];
  mockShell((cmd, args) => {
    if (cmd === "get_status") return status;
    if (cmd === "session_state") return { unlocked: true, second_factor: false };
    if (cmd === "preferences") return { ...preferences, method: "hifo", pooling: "transition" };
    if (cmd === "balances")
      return [
        { account: "Kraken", asset: "BTC", qty: "0.3" },
        { account: "Kraken", asset: "ETH", qty: "1" },
        { account: "Kraken", asset: "USD", qty: "-5" },
      ];
    if (cmd === "holdings") {
      calls.push(args);
      const request = (args as { request: { prices: string[] } }).request;
      return lots(request.prices);
    }
    return more(cmd, args);
  });
  return calls;
}

describe("holdings", () => {
  test("dates: today in the user's calendar and whole days between two dates", () => {
    expect(localToday()).toBe("2026-12-02");
    expect(daysBetween("2026-12-02", "2027-01-10")).toBe(39);
    expect(daysBetween("2024-02-28", "2024-03-01")).toBe(2);
  });

  test("totals are exact, and a lot of unknown cost makes its asset's cost unknown", () => {
    const t = totalsByAsset(lots(["BTC=65000.50"]));
    expect(t.map((x) => [x.asset, x.qty, x.cost, x.value, x.unrealized, x.unknownCost])).toEqual([
      ["BTC", "0.3", "13000.3", "19500.15", "6499.85", 0],
      ["ETH", "1", null, null, null, 1],
    ]);
  });

  test("US: a live price fills the field, valuing sends it, lots turning long-term soon are listed", async () => {
    const calls = shell({ jurisdiction: "us", currency: "USD" }, (cmd, args) => {
      if (cmd === "live_price") {
        expect(args).toEqual({ asset: "BTC", fiat: "USD" });
        return { asset: "BTC", fiat: "USD", price: "65000.50", books: 4, at: "2026-12-02T11:59:00Z", statuses: [] };
      }
      return undefined;
    });
    window.location.hash = "#/ledger/holdings";
    render(<App />);
    await screen.findByTestId("holdings-totals");
    expect(calls[0]).toMatchObject({ request: { at: "2026-12-02", currency: "USD", prices: [] }, basis: { method: "hifo", pooling: "transition" } });
    expect(screen.getByTestId("holding-value-BTC").textContent).toBe("give a price");
    expect(screen.getByTestId("holding-cost-ETH").textContent).toBe("unknown for 1 lot");
    const soon = screen.getAllByTestId("holding-soon");
    expect(soon).toHaveLength(1);
    expect(soon[0]?.textContent).toContain("0.2 BTC in Kraken");
    expect(soon[0]?.textContent).toContain("(in 39 days)");
    fireEvent.click(screen.getByTestId("live-price-BTC"));
    await waitFor(() => expect((screen.getByTestId("price-BTC") as HTMLInputElement).value).toBe("65000.50"));
    expect(screen.getByTestId("live-source-BTC").textContent).toContain("Median mid of 4 order books");
    fireEvent.click(screen.getByTestId("holdings-apply"));
    await waitFor(() => expect(screen.getByTestId("holding-value-BTC").textContent).toBe("19,500.15 USD"));
    expect(calls[calls.length - 1]).toMatchObject({ request: { prices: ["BTC=65000.50"] } });
    expect(screen.getByTestId("holding-unrealized-BTC").textContent).toBe("6,499.85 USD");
    expect(within(screen.getByTestId("holdings-lots")).getByText("Long-term from")).toBeTruthy();
  });

  test("a price that is not a number is refused before anything is sent; an offline live price says why", async () => {
    const calls = shell({ jurisdiction: "us", currency: "USD" }, (cmd) => {
      if (cmd === "live_price") throw { code: "INVALID_INPUT", message: "asset: not a code" };
      return undefined;
    });
    window.location.hash = "#/ledger/holdings";
    render(<App />);
    await screen.findByTestId("holdings-totals");
    fireEvent.change(screen.getByTestId("price-ETH"), { target: { value: "3,000" } });
    expect(screen.getByTestId("price-error").textContent).toContain("ETH");
    expect((screen.getByTestId("holdings-apply") as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByTestId("live-price-ETH"));
    expect((await screen.findByTestId("live-error-ETH")).textContent).toBe("asset: not a code");
    expect(calls).toHaveLength(1);
  });

  test("Germany: lots first in, first out per wallet, and the tax-free date; the UK has no holding period", async () => {
    const calls = shell({ jurisdiction: "de", currency: "EUR" });
    window.location.hash = "#/ledger/holdings";
    render(<App />);
    await screen.findByTestId("holdings-totals");
    expect(calls[0]).toMatchObject({ request: { currency: "EUR" }, basis: { method: "fifo", pooling: "per-account" } });
    expect(within(screen.getByTestId("holdings-lots")).getByText("Tax-free from")).toBeTruthy();
    expect(screen.getByTestId("holdings-soon").textContent).toContain("Tax-free soon");
    cleanup();
    clearMocks();
    shell({ jurisdiction: "uk", currency: "GBP" });
    render(<App />);
    await screen.findByTestId("holdings-totals");
    expect(screen.queryByTestId("holdings-soon")).toBeNull();
    expect(screen.getByText(/Section 104 pool/)).toBeTruthy();
  });
});
