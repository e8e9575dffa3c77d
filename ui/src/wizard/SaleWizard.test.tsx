import { afterEach, describe, expect, test } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { App } from "../App";
import type { Plan, Status, VenueQuote } from "../backend";
import { candidate } from "../testPlans";
import { clearDrafts } from "../drafts";
import { mockShell, type Handler } from "../testShell";
import { divideUp, fromDraft, initialState } from "./model";

afterEach(() => {
  cleanup();
  clearMocks();
  clearDrafts();
  window.location.hash = "";
});

const status: Status = { app_version: "0.1.0", flavor: "dev", data_dir: "/d", data_dir_overridden: false, ledger_path: "/d/l", ledger: "present", ledger_size_bytes: 1 };

const kraken = {
  id: "kraken",
  name: "Kraken",
  kind: "exchange",
  status: "active",
  withdrawal_limits: [
    { level: "Intermediate", currency: "USD", fiat_per_day: "100000", fiat_per_month: "500000", fiat_per_year: null, note: null, source: null, as_of: null },
    { level: "Pro", currency: "USD", fiat_per_day: "10000000", fiat_per_month: "100000000", fiat_per_year: null, note: null, source: null, as_of: null },
  ],
  withdrawal_methods: [{ method: "Fedwire (Customers Bank)", settlement_time: "0-1 business days" }],
};

const quote = (venue: string, kind: string, net: string | null, unsuitable: string[] = []): VenueQuote => ({
  venue,
  name: venue.toUpperCase(),
  kind: kind as VenueQuote["kind"],
  gross: "650000",
  costs: [{ name: "taker fee", amount: "1690", note: "", source: "kraken.com/fees", as_of: "2026-06-15" }],
  net,
  days_to_cash: net === null ? null : 32,
  unsuitable,
  warnings: [],
  pieces: null,
});

const recommended = candidate({
  title: "Kraken: sell everything on day 1, withdraw over 32 days",
  steps: [{ day: "2026-12-02", text: "Deposit 10 BTC to Kraken" }],
  tranches: [
    { day: "2026-12-02", venue: "kraken", sell: "10", withdraw: "100000", withdrawal_fee: "4", lots: [{ account: "Kraken", lot: 1, acquired: "2023-03-01", qty: "10" }] },
    { day: "2026-12-03", venue: "kraken", sell: "0", withdraw: "100000", withdrawal_fee: "4", lots: [] },
  ],
});

const plan = (qty: string): Plan => ({
  request: {
    sale: { asset: "BTC", qty, fiat: "USD", country: "US", price: "65000", volume_30d: "0", impact: null, levels: [], held_at: null },
    start: "2026-12-02",
    max_days: 60,
    cash_by: null,
    cash_needed: null,
    risk: "high",
    history: [],
  },
  exchanges: [],
  mixes: [],
  desks_without_quote: [],
  recommended: [{ ...recommended, title: `${recommended.title} (${qty} BTC)` }],
  ranking: "Ranked by expected net",
  notes: [],
  tax: null,
});

function shell(more: Handler, unlocked: boolean) {
  mockShell((cmd, args) => {
    const answer = more(cmd, args);
    if (answer !== undefined) return answer;
    switch (cmd) {
      case "get_status":
        return status;
      case "session_state":
        return { unlocked, second_factor: false };
      case "venues":
        return [kraken];
      case "balances":
        return [{ account: "Kraken", asset: "BTC", qty: "12.5" }];
      case "sale_draft":
        return null;
      case "save_sale_draft":
        return null;
      case "quote":
        return [quote("kraken", "exchange", "648018.23"), quote("coinflip", "atm", "513500"), quote("bitvavo", "exchange", null, ["does not pay out USD"])];
      case "plan":
        return plan((args as { request: { qty: string } }).request.qty);
      default:
        return undefined;
    }
  });
}

const next = () => fireEvent.click(screen.getByTestId("wizard-next"));

describe("the sale wizard", () => {
  test("locked: holdings typed in, back and forward keep every input, the plan and the checklist", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    shell((cmd, args) => {
      calls.push({ cmd, args });
      return undefined;
    }, false);
    window.location.hash = "#/sell";
    render(<App />);
    await screen.findByTestId("wizard-page-1");
    fireEvent.change(screen.getByTestId("holding-qty-0"), { target: { value: "10" } });
    fireEvent.change(screen.getByTestId("holding-where-0"), { target: { value: "Ledger Nano" } });
    next();
    await screen.findByTestId("wizard-page-2");
    fireEvent.click(screen.getByTestId("sale-mode-all"));
    fireEvent.change(screen.getByTestId("sale-price"), { target: { value: "65000" } });
    expect(screen.getByTestId("sale-summary").textContent).toContain("Selling 10 BTC into USD");
    // Back to step 1 and forward again: nothing typed is lost.
    fireEvent.click(screen.getByTestId("wizard-back"));
    expect((await screen.findByTestId("holding-qty-0") as HTMLInputElement).value).toBe("10");
    next();
    expect(((await screen.findByTestId("sale-price")) as HTMLInputElement).value).toBe("65000");
    expect((screen.getByTestId("sale-mode-all") as HTMLInputElement).checked).toBe(true);
    next();
    await screen.findByTestId("wizard-page-3");
    fireEvent.change(await screen.findByTestId("situation-level-kraken"), { target: { value: "Pro" } });
    expect(screen.getByText(/Unlock your ledger for a tax estimate/)).toBeTruthy();
    next();
    // The comparison: ATMs left out (no cash), unsuitable venues grouped with their reason, sources shown.
    const table = await screen.findByTestId("compare-table");
    expect(within(table).getByTestId("compare-row-kraken").textContent).toContain("kraken.com/fees, as of 2026-06-15");
    expect(within(table).queryByTestId("compare-row-coinflip")).toBeNull();
    expect(screen.getByTestId("compare-unsuitable").textContent).toContain("BITVAVO: does not pay out USD");
    expect(screen.getByTestId("compare-source").textContent).toContain("Offline");
    next();
    expect((await screen.findByTestId("plan-recommended")).textContent).toContain("withdraw over 32 days (10 BTC)");
    // Each tranche says which lots it sells.
    expect(screen.getAllByTestId("tranche-lots")[0]?.textContent).toBe("Kraken lot 1 (2023-03-01): 10");
    const planCall = calls.find((c) => c.cmd === "plan")?.args as { request: Record<string, unknown>; maxDays: number };
    expect(planCall.request).toMatchObject({ qty: "10", asset: "BTC", fiat: "USD", country: "US", price: "65000", risk: "high", levels: [{ venue: "kraken", level: "Pro" }] });
    expect(planCall.maxDays).toBe(60);
    next();
    const check = (await screen.findByTestId("check-twofa")) as HTMLInputElement;
    fireEvent.click(check);
    expect(check.checked).toBe(true);
    expect(screen.getByTestId("checklist-warnings").textContent).toContain("settles 0-1 business days");
    next();
    expect((await screen.findByTestId("wizard-page-7")).textContent).toContain("Unlock your ledger to record each tranche");
    // Any step can be reached directly, and keeps its state.
    fireEvent.click(screen.getByTestId("wizard-step-6"));
    expect(((await screen.findByTestId("check-twofa")) as HTMLInputElement).checked).toBe(true);
    // Locked: nothing is written to the ledger.
    expect(calls.some((c) => c.cmd === "save_sale_draft")).toBe(false);
  });

  test("unlocked: the draft is resumed from the ledger and saved back; a recorded tranche moves the progress", async () => {
    const saved: unknown[] = [];
    const recorded: unknown[] = [];
    const planCalls: { request: { qty: string; withdrawn?: unknown } }[] = [];
    let sold = "0";
    const draft = { ...initialState(), step: 6, sale: { ...initialState().sale, qty: "10", price: "65000" } };
    shell((cmd, args) => {
      if (cmd === "sale_draft") return draft;
      if (cmd === "save_sale_draft") {
        saved.push(args);
        return null;
      }
      if (cmd === "plan") planCalls.push(args as { request: { qty: string } });
      if (cmd === "record_tranche") {
        recorded.push(args);
        sold = "2.5";
        return { added: true, account: "Kraken", external_id: "offramp-tranche:x:1" };
      }
      if (cmd === "sale_progress") {
        return {
          sold,
          left: sold === "0" ? "10" : "7.5",
          proceeds: sold === "0" ? "0" : "162000",
          sales: sold === "0" ? [] : [{ id: 7, at: "2026-12-02T12:00:00Z", account: "Kraken", venue: "kraken", qty: "2.5", proceeds: "162000", recorded: true }],
        };
      }
      return undefined;
    }, true);
    window.location.hash = "#/sell";
    render(<App />);
    // Resumed where the user left it: step 7.
    await screen.findByTestId("wizard-page-7");
    expect((await screen.findByTestId("sale-progress-text")).textContent).toContain("Sold 0 of 10 BTC");
    fireEvent.change(screen.getByTestId("tranche-at"), { target: { value: "2026-12-02" } });
    fireEvent.change(screen.getByTestId("tranche-qty"), { target: { value: "2.5" } });
    fireEvent.change(screen.getByTestId("tranche-proceeds"), { target: { value: "162000" } });
    fireEvent.click(screen.getByTestId("tranche-record"));
    await waitFor(() => expect(screen.getByTestId("sale-progress-text").textContent).toContain("Sold 2.5 of 10 BTC"));
    expect(recorded[0]).toMatchObject({ record: { venue: "kraken", at: "2026-12-02", qty: "2.5", asset: "BTC", proceeds: "162000", fiat: "USD" } });
    // The rest is planned again: 7.5 BTC, with what the first tranche brought in counted as withdrawn that day.
    expect((await screen.findByTestId("replan")).textContent).toContain("(7.5 BTC)");
    const replan = planCalls.find((c) => c.request.qty === "7.5");
    expect(replan?.request.withdrawn).toEqual([{ venue: "kraken", day: "2026-12-02", amount: "162000" }]);
    // Moving changes the draft, which is saved in the ledger.
    fireEvent.click(screen.getByTestId("wizard-step-2"));
    await waitFor(() => expect(saved.length).toBeGreaterThan(0), { timeout: 2000 });
    expect((saved[saved.length - 1] as { draft: { step: number } }).draft.step).toBe(1);
  });
});

describe("the wizard's model", () => {
  test("the quantity for an amount is rounded up to the satoshi, exactly", () => {
    expect(divideUp("100000", "65000")).toBe("1.53846154");
    expect(divideUp("130000", "65000")).toBe("2");
    expect(divideUp("0.1", "3")).toBe("0.03333334");
    expect(divideUp("x", "3")).toBeNull();
    expect(divideUp("1", "0")).toBeNull();
  });

  test("a draft of another shape falls back to the defaults", () => {
    expect(fromDraft(null)).toEqual(initialState());
    expect(fromDraft({ version: 2 })).toEqual(initialState());
    const d = fromDraft({ version: 1, step: 99, sale: { qty: "3" } });
    expect(d.step).toBe(0);
    expect(d.sale.qty).toBe("3");
    expect(d.sale.fiat).toBe("USD");
  });
});
