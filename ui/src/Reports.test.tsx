import { afterEach, describe, expect, test } from "vitest";
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { App } from "./App";
import type { GainsReport, IncomeReport, ReportRow, Status } from "./backend";
import { clearDrafts } from "./drafts";
import { formatsFor } from "./Reports";
import { mockShell, type Handler } from "./testShell";

afterEach(() => {
  cleanup();
  clearMocks();
  clearDrafts();
  window.location.hash = "";
});

const status: Status = { app_version: "0.1.0", flavor: "dev", data_dir: "/d", data_dir_overridden: false, ledger_path: "/d/l", ledger: "present", ledger_size_bytes: 1 };

const row = (over: Partial<ReportRow>): ReportRow => ({
  account: "Kraken",
  disposal_source: "kraken.csv:9",
  lot_source: "kraken.csv:2",
  flags: [],
  exchange_rates: [],
  disposal: 9,
  lot: 2,
  asset: "BTC",
  acquired: "2023-01-05",
  sold: "2024-03-01",
  qty: "0.5",
  proceeds: "30000.00",
  cost: "10000.00",
  gain: "20000.00",
  term: "long",
  ...over,
});

const gains: GainsReport = {
  jurisdiction: "us",
  year: 2024,
  currency: "USD",
  method: "fifo",
  pooling: "transition",
  terms: ["short", "long"],
  unknown_rows: 1,
  short_term_gain: { value: "-150.25", code: "USD" },
  long_term_gain: { value: "20000.00", code: "USD" },
  rows: [
    row({ disposal: 11, lot: 5, sold: "2024-05-02", cost: null, gain: null, term: "short", flags: ["unknown_origin"], disposal_source: "kraken.csv:14" }),
    row({}),
    row({ disposal: 10, lot: 3, sold: "2024-04-10", gain: "-150.25", term: "short", exchange_rates: ["disposal: ECB reference rate 2024-04-10: 1.0860 USD per EUR"] }),
  ],
};
const income: IncomeReport = { jurisdiction: "us", year: 2024, currency: "USD", rows: [], unknown_rows: 0, by_kind: [], total: { value: "12.50", code: "USD" }, freigrenze: null };

function shell(more: Handler) {
  mockShell((cmd, args) => {
    if (cmd === "get_status") return status;
    if (cmd === "session_state") return { unlocked: true, second_factor: false };
    return more(cmd, args);
  });
}

describe("reports", () => {
  test("the preview: totals, the disposals with an unknown figure first with what to do, then every row", async () => {
    const asked: unknown[] = [];
    shell((cmd, args) => {
      if (cmd === "us_gains") {
        asked.push(args);
        return gains;
      }
      if (cmd === "income") return income;
      return undefined;
    });
    window.location.hash = "#/reports";
    render(<App />);
    expect(await screen.findByTestId("report-empty")).toBeTruthy();
    fireEvent.change(screen.getByTestId("report-year"), { target: { value: "2024" } });
    fireEvent.change(screen.getByTestId("report-method"), { target: { value: "fifo,2024=hifo" } });
    fireEvent.click(screen.getByTestId("report-submit"));
    expect((await screen.findByTestId("total-short")).textContent).toBe("-150.25 USD");
    expect(screen.getByTestId("total-long").textContent).toBe("20,000.00 USD");
    expect(screen.getByTestId("total-income").textContent).toBe("12.50 USD");
    expect(asked).toHaveLength(1);
    const a = asked[0] as { year: number; basis: unknown; job: string };
    expect(a.year).toBe(2024);
    expect(a.basis).toEqual({ method: "fifo,2024=hifo", pooling: "transition" });
    const unknowns = screen.getByTestId("report-unknowns");
    expect(unknowns.textContent).toContain("1 disposal has an unknown figure");
    expect(within(unknowns).getByTestId("unknown-row").textContent).toContain("import the account they came from");
    const rows = screen.getAllByTestId("report-row");
    expect(rows).toHaveLength(3);
    expect(rows[0]!.textContent).toContain("unknown");
    expect(rows[1]!.textContent).toContain("20,000.00 USD");
    // A row converted from another currency names the official rate it was converted at.
    expect(within(rows[2]!).getByTestId("row-rate").textContent).toContain("ECB reference rate 2024-04-10: 1.0860 USD per EUR");
    expect(within(rows[1]!).queryByTestId("row-rate")).toBeNull();
  });

  test("the report kept when moving away and back; a refusal shows its code", async () => {
    let fail = false;
    shell((cmd) => {
      if (cmd === "us_gains") {
        if (fail) throw { code: "INVALID_INPUT", message: "method: `fofo` is not fifo, lifo or hifo" };
        return gains;
      }
      if (cmd === "income") return income;
      if (cmd === "attention") return { transactions: 1, needs_price: 0, unknown_basis: 0, proposed_transfers: 0, unmatched_withdrawals: 0 };
      if (cmd === "balances" || cmd === "accounts") return [];
      return undefined;
    });
    window.location.hash = "#/reports";
    render(<App />);
    fireEvent.change(await screen.findByTestId("report-year"), { target: { value: "2024" } });
    fireEvent.click(screen.getByTestId("report-submit"));
    await screen.findByTestId("total-short");
    fireEvent.click(screen.getByTestId("nav-home"));
    await screen.findByTestId("unlocked");
    fireEvent.click(screen.getByTestId("nav-reports"));
    expect((await screen.findByTestId("total-short")).textContent).toBe("-150.25 USD");
    expect((screen.getByTestId("report-year") as HTMLInputElement).value).toBe("2024");
    fail = true;
    fireEvent.change(screen.getByTestId("report-method"), { target: { value: "fofo" } });
    fireEvent.click(screen.getByTestId("report-submit"));
    expect((await screen.findByTestId("error-code")).textContent).toBe("INVALID_INPUT");
  });

  test("export: the chosen format and path go to the shell; what was written and that it is not encrypted", async () => {
    const exported: unknown[] = [];
    shell((cmd, args) => {
      if (cmd === "us_gains") return gains;
      if (cmd === "income") return income;
      if (cmd === "export_file") {
        exported.push(args);
        return { path: (args as { path: string }).path, summary: ["Schedule D: line 1a ..."], notice: "This file is not encrypted: keep it private." };
      }
      return undefined;
    });
    window.location.hash = "#/reports";
    render(<App />);
    fireEvent.change(await screen.findByTestId("report-year"), { target: { value: "2024" } });
    fireEvent.click(screen.getByTestId("report-submit"));
    await screen.findByTestId("export-format");
    fireEvent.change(screen.getByTestId("export-format"), { target: { value: "form8949" } });
    fireEvent.change(screen.getByTestId("export-path"), { target: { value: "/home/u/f8949.csv" } });
    fireEvent.click(screen.getByTestId("export-submit"));
    expect((await screen.findByTestId("export-notice")).textContent).toContain("not encrypted");
    expect(screen.getByTestId("export-saved-path").textContent).toBe("/home/u/f8949.csv");
    const e = exported[0] as { request: unknown; path: string };
    expect(e.request).toEqual({ kind: "form8949", year: 2024, basis: { method: "fifo", pooling: "transition" }, reported: "none" });
    expect(e.path).toBe("/home/u/f8949.csv");
  });

  test("Canada: a loss year shows its net capital loss; Germany: an uncertain Freigrenze says so", async () => {
    const m = (value: string, code: string) => ({ value, code });
    const ca = {
      year: 2024,
      rows: [],
      unknown_rows: 0,
      totals: {
        proceeds: m("550.00", "CAD"), acb: m("1008.33", "CAD"), gains: m("0.00", "CAD"), losses: m("458.33", "CAD"),
        net: m("-458.33", "CAD"), taxable: m("0.00", "CAD"), net_capital_loss: m("229.17", "CAD"), denied: m("91.67", "CAD"),
      },
    };
    const de = { ...gains, jurisdiction: "de", currency: "EUR", terms: ["taxable", "tax-free"], anlage_so: { proceeds: "80.00", cost: "50.00", gain: "30.00" }, freigrenze: { limit: "1000", verdict: "uncertain" } };
    shell((cmd) => {
      if (cmd === "ca_gains") return ca;
      if (cmd === "de_gains") return de;
      if (cmd === "income") return { ...income, currency: "CAD" };
      return undefined;
    });
    window.location.hash = "#/reports";
    render(<App />);
    fireEvent.change(await screen.findByTestId("report-jurisdiction"), { target: { value: "ca" } });
    fireEvent.change(screen.getByTestId("report-year"), { target: { value: "2024" } });
    fireEvent.click(screen.getByTestId("report-submit"));
    expect((await screen.findByTestId("total-net-capital-loss")).textContent).toContain("229.17");
    fireEvent.change(screen.getByTestId("report-jurisdiction"), { target: { value: "de" } });
    fireEvent.click(screen.getByTestId("report-submit"));
    expect((await screen.findByTestId("report-preview")).textContent).toContain("not known: resolve the unknown rows first");
  });

  test("every jurisdiction offers its own files and the common ones", () => {
    expect(formatsFor("us").map((f) => f.id)).toEqual(["gains", "pdf", "form8949", "turbotax", "taxact", "income", "holdings", "beancount", "generic"]);
    for (const j of ["uk", "de", "ca"] as const) {
      expect(formatsFor(j).map((f) => f.id)).toEqual(["gains", "pdf", "income", "holdings", "beancount", "generic"]);
      expect(formatsFor(j).find((x) => x.id === "pdf")!.request({ jurisdiction: j, year: "2024", method: "fifo", pooling: "transition" })).toMatchObject({
        kind: "pdf",
        jurisdiction: j,
        year: 2024,
      });
    }
    const f = { jurisdiction: "uk" as const, year: "2024", method: "fifo", pooling: "transition" };
    expect(formatsFor("uk").find((x) => x.id === "holdings")!.request(f)).toEqual({
      kind: "holdings",
      request: { at: "2025-04-05", currency: "GBP", prices: [] },
      basis: { method: "fifo", pooling: "transition" },
    });
  });
});
