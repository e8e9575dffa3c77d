import { afterEach, expect, test } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { mockShell } from "./testShell";
import { App } from "./App";
import type { VenueQuote } from "./backend";

afterEach(() => {
  cleanup();
  clearMocks();
});

const quote = (venue: string, net: string | null, unsuitable: string[] = []): VenueQuote => ({
  venue,
  name: venue.toUpperCase(),
  kind: "exchange",
  gross: "650000",
  costs: [
    { name: "taker fee", amount: "1690.00", note: "0.26% at 30-day volume 0", source: "https://www.kraken.com/features/fee-schedule", as_of: "2026-06-15" },
    { name: "market impact", amount: net === null ? null : "287.77", note: "", source: "square-root law", as_of: "this quote" },
  ],
  net,
  days_to_cash: net === null ? null : 1,
  unsuitable,
  warnings: net === null ? [] : ["withdrawal limits assume the Pro verification level"],
  pieces: null,
});

test("the form sends exact strings and the results are sorted into three groups", async () => {
  const calls: unknown[] = [];
  mockShell((cmd, args) => {
    if (cmd === "get_status") return { app_version: "0.1.0", flavor: "dev", data_dir: "/d", data_dir_overridden: false, ledger_path: "/d/l", ledger: "missing", ledger_size_bytes: null };
    if (cmd === "quote") {
      calls.push(args);
      return [quote("kraken", "648018.2299"), quote("kraken_otc", null), quote("bitvavo", null, ["does not pay out USD"])];
    }
    throw new Error(cmd);
  });
  render(<App />);
  fireEvent.click(screen.getByTestId("nav-compare"));
  fireEvent.click(await screen.findByTestId("sell-tab-compare"));
  fireEvent.change(screen.getByTestId("quote-qty"), { target: { value: "10" } });
  fireEvent.change(screen.getByTestId("quote-price"), { target: { value: "65000" } });
  fireEvent.click(screen.getByTestId("quote-submit"));
  const row = await screen.findByTestId("quote-row-kraken");
  expect(within(row).getByTestId("net").textContent).toBe("648,018.23");
  expect(row.textContent).toContain("taker fee 1,690.00; market impact 287.77");
  expect(row.textContent).toContain("Pro verification level");
  // Where each figure comes from, and as of when, is shown with it.
  expect(within(row).getByTestId("cost-notes").textContent).toContain("taker fee: 0.26% at 30-day volume 0 (source https://www.kraken.com/features/fee-schedule, as of 2026-06-15)");
  expect(within(row).getByTestId("cost-notes").textContent).toContain("market impact: (source square-root law, as of this quote)");
  expect(screen.getByTestId("quote-unknown").textContent).toContain("KRAKEN_OTC: taker fee 1,690.00; market impact unknown");
  expect(screen.getByTestId("quote-unsuitable").textContent).toContain("BITVAVO: does not pay out USD");
  expect(calls).toEqual([{ request: { qty: "10", asset: "BTC", fiat: "USD", country: "US", price: "65000" } }]);
});

test("a refusal from the backend shows its message and code", async () => {
  mockShell((cmd) => {
    if (cmd === "get_status") return { app_version: "0.1.0", flavor: "dev", data_dir: "/d", data_dir_overridden: false, ledger_path: "/d/l", ledger: "missing", ledger_size_bytes: null };
    throw { code: "INVALID_INPUT", message: "price: Offramp is offline (no live prices yet): give the price of one unit" };
  });
  render(<App />);
  fireEvent.click(screen.getByTestId("nav-compare"));
  fireEvent.click(await screen.findByTestId("sell-tab-compare"));
  fireEvent.change(screen.getByTestId("quote-qty"), { target: { value: "10" } });
  fireEvent.click(screen.getByTestId("quote-submit"));
  expect((await screen.findByTestId("error-code")).textContent).toBe("INVALID_INPUT");
  expect(screen.getByTestId("error-message").textContent).toContain("offline");
});
