import { afterEach, describe, expect, test } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { App } from "./App";
import type { Status } from "./backend";
import { clearDrafts } from "./drafts";
import { mockShell, type Handler } from "./testShell";

afterEach(() => {
  cleanup();
  clearMocks();
  clearDrafts();
  window.location.hash = "";
});

const status: Status = { app_version: "0.1.0", flavor: "dev", data_dir: "/home/u/.local/share/offramp", data_dir_overridden: false, ledger_path: "/home/u/.local/share/offramp/ledger.offramp", ledger: "present", ledger_size_bytes: 1 };

function shell(more: Handler, unlocked = true) {
  mockShell((cmd, args) => {
    const answer = more(cmd, args);
    if (answer !== undefined) return answer;
    switch (cmd) {
      case "get_status":
        return status;
      case "session_state":
        return { unlocked, second_factor: false };
      case "get_auto_lock":
        return 10;
      case "twofa_status":
        return { enabled: false, recovery_codes_left: 0 };
      case "preferences":
        return { jurisdiction: "us", currency: "USD", method: "fifo", pooling: "transition" };
      case "transfer_fees":
        return ["us", "uk", "de", "ca"].map((j) => ({ jurisdiction: j, treatment: "disposal", default: true }));
      case "overrides":
        return [];
      case "venues":
        return [{ id: "kraken", name: "Kraken" }, { id: "kraken_otc", name: "Kraken OTC" }];
      default:
        return undefined;
    }
  });
}

describe("settings", () => {
  test("the defaults are saved and start the report form", async () => {
    const saved: unknown[] = [];
    let prefs = { jurisdiction: "us", currency: "USD", method: "fifo", pooling: "transition" };
    shell((cmd, args) => {
      if (cmd === "preferences") return prefs;
      if (cmd === "set_preferences") {
        saved.push(args);
        prefs = (args as { preferences: typeof prefs }).preferences;
        return prefs;
      }
      return undefined;
    });
    window.location.hash = "#/settings";
    render(<App />);
    const j = (await screen.findByTestId("pref-jurisdiction")) as HTMLSelectElement;
    await waitFor(() => expect(j.value).toBe("us"));
    fireEvent.change(j, { target: { value: "de" } });
    fireEvent.change(screen.getByTestId("pref-currency"), { target: { value: "EUR" } });
    fireEvent.click(screen.getByTestId("pref-save"));
    await screen.findByTestId("pref-saved");
    expect(saved).toEqual([{ preferences: { jurisdiction: "de", currency: "EUR", method: "fifo", pooling: "transition" } }]);
    fireEvent.click(screen.getByTestId("nav-reports"));
    expect(((await screen.findByTestId("report-jurisdiction")) as HTMLSelectElement).value).toBe("de");
  });

  test("a venue figure is added with its note and removed; a refusal names the field", async () => {
    let figures: unknown[] = [];
    const calls: unknown[] = [];
    shell((cmd, args) => {
      if (cmd === "rates_status") return { series: [], rules: [] };
      if (cmd === "overrides") return figures;
      if (cmd === "set_override") {
        calls.push(args);
        const a = args as { venue: string; field: string; value: string; note: string };
        if (a.value === "25000") throw { code: "INVALID_INPUT", message: "limit_day: give an amount with its currency, e.g. `25000 EUR`" };
        figures = [{ venue: a.venue, field: a.field, value: "25000", currency: "USD", note: a.note, set_on: "2026-12-02" }];
        return figures[0];
      }
      if (cmd === "remove_override") {
        calls.push(args);
        figures = [];
        return null;
      }
      return undefined;
    });
    window.location.hash = "#/settings";
    render(<App />);
    expect(await screen.findByTestId("figures-empty")).toBeTruthy();
    await screen.findByText("Kraken OTC");
    fireEvent.change(screen.getByTestId("figure-venue"), { target: { value: "kraken" } });
    fireEvent.change(screen.getByTestId("figure-field"), { target: { value: "limit_day" } });
    fireEvent.change(screen.getByTestId("figure-value"), { target: { value: "25000" } });
    fireEvent.change(screen.getByTestId("figure-note"), { target: { value: "my verified level" } });
    fireEvent.click(screen.getByTestId("figure-save"));
    expect((await screen.findByTestId("error-message")).textContent).toContain("limit_day");
    fireEvent.change(screen.getByTestId("figure-value"), { target: { value: "25000 USD" } });
    fireEvent.click(screen.getByTestId("figure-save"));
    expect((await screen.findByTestId("figure-kraken-limit_day")).textContent).toContain("my verified level");
    fireEvent.click(screen.getByTestId("figure-remove-kraken-limit_day"));
    await screen.findByTestId("figures-empty");
    expect(calls).toEqual([
      { venue: "kraken", field: "limit_day", value: "25000", note: "my verified level" },
      { venue: "kraken", field: "limit_day", value: "25000 USD", note: "my verified level" },
      { venue: "kraken", field: "limit_day" },
    ]);
  });

  test("the own-transfer fee treatment per country, a backup, and a restore checked first", async () => {
    const calls: Array<[string, unknown]> = [];
    shell((cmd, args) => {
      if (["set_transfer_fee", "backup", "inspect_backup", "restore"].includes(cmd)) calls.push([cmd, args]);
      if (cmd === "set_transfer_fee") return { jurisdiction: "uk", treatment: "basis", default: false };
      const info = { path: "/b/x.offramp", schema_version: 6, transactions: 1234, accounts: 3, last_transaction: "2024-06-01T09:00:00Z" };
      if (cmd === "backup" || cmd === "inspect_backup") return info;
      if (cmd === "restore") return { backup: info, replaced: "/home/u/.local/share/offramp/ledger.offramp.replaced-1" };
      return undefined;
    });
    window.location.hash = "#/settings";
    render(<App />);
    fireEvent.change(await screen.findByTestId("fee-uk"), { target: { value: "basis" } });
    fireEvent.change(screen.getByTestId("backup-path"), { target: { value: "/b/x.offramp" } });
    fireEvent.click(screen.getByTestId("backup-submit"));
    expect((await screen.findByTestId("backup-done")).textContent).toContain("1,234 transactions in 3 accounts");
    fireEvent.change(screen.getByTestId("restore-path"), { target: { value: "/b/x.offramp" } });
    fireEvent.change(screen.getByTestId("restore-passphrase"), { target: { value: "old pass phrase" } });
    fireEvent.click(screen.getByTestId("restore-check"));
    expect((await screen.findByTestId("restore-holds")).textContent).toContain("1,234 transactions");
    fireEvent.click(screen.getByTestId("restore-submit"));
    expect((await screen.findByTestId("restore-done")).textContent).toContain("kept at /home/u/.local/share/offramp/ledger.offramp.replaced-1");
    expect(calls).toEqual([
      ["set_transfer_fee", { jurisdiction: "uk", treatment: "basis" }],
      ["backup", { dest: "/b/x.offramp" }],
      ["inspect_backup", { path: "/b/x.offramp", passphrase: "old pass phrase" }],
      ["restore", { path: "/b/x.offramp", passphrase: "old pass phrase", code: null }],
    ]);
    expect(screen.getByTestId("settings-data-dir").textContent).toBe("/home/u/.local/share/offramp");
  });

  test("check the ledger on request: whole, or damaged with the backend's code", async () => {
    let damaged = false;
    shell((cmd) => {
      if (cmd === "check_ledger") {
        if (damaged) throw { code: "LEDGER_CORRUPT", message: "the ledger is damaged: a page failed its integrity check" };
        return { ledger: "/home/u/.local/share/offramp/ledger.offramp", transactions: 1000000 };
      }
      return undefined;
    });
    window.location.hash = "#/settings";
    render(<App />);
    fireEvent.click(await screen.findByTestId("check-ledger"));
    expect((await screen.findByTestId("check-done")).textContent).toContain("every page read and verified (1,000,000 transactions)");
    damaged = true;
    fireEvent.click(screen.getByTestId("check-ledger"));
    expect((await screen.findByText(/a page failed its integrity check/)).textContent).toBeTruthy();
  });

  test("exchange rates: what each publisher covers, the rules, and a refresh that reports each publisher", async () => {
    let refreshed = false;
    shell((cmd) => {
      if (cmd === "rates_status")
        return {
          series: [
            { source: "hmrc", name: "HMRC monthly exchange rates", base: "GBP", monthly: true, currencies: 30, first: "2014-02-01", last: refreshed ? "2026-12-01" : "2026-11-01", fetched: refreshed ? 30 : 0, used_by: ["uk"], attribution: "HM Revenue & Customs" },
            { source: "boc", name: "Bank of Canada daily exchange rates", base: "CAD", monthly: false, currencies: 0, first: null, last: null, fetched: 0, used_by: ["ca"], attribution: "Bank of Canada" },
          ],
          rules: [["uk", "HMRC's monthly exchange rate for the month of the transaction"]],
          missing: refreshed ? [] : [{ jurisdiction: "ca", source: "boc", currency: "USD", count: 2, first: ["2026-11-20", "2026-12-02"] }],
        };
      if (cmd === "refresh_rates") {
        refreshed = true;
        return [
          { source: "hmrc", from: "2026-12-01", to: "2027-01-01", added: 30, changed: 0, refused: 0, error: null },
          { source: "boc", from: "2017-01-03", to: "2026-12-07", added: 0, changed: 0, refused: 0, error: "offline (cannot reach the publisher)" },
        ];
      }
      return undefined;
    });
    window.location.hash = "#/settings";
    render(<App />);
    expect((await screen.findByTestId("rates-hmrc")).textContent).toContain("30 currencies, 2014-02 to 2026-11");
    expect(screen.getByTestId("rates-boc").textContent).toContain("none yet");
    expect(screen.getByTestId("rate-rules").textContent).toContain("UK: HMRC's monthly exchange rate");
    expect(screen.getByTestId("rates-missing").textContent).toContain("CA: BOC USD on 2 days");
    fireEvent.click(screen.getByTestId("rates-refresh"));
    const done = await screen.findByTestId("rates-refreshed");
    expect(done.textContent).toContain("HMRC: 30 new, 0 corrected");
    expect(done.textContent).toContain("BOC: not fetched (offline (cannot reach the publisher)); nothing changed");
    expect((await screen.findByText(/2014-02 to 2026-12/)).textContent).toContain("30 fetched into your ledger");
    expect(screen.queryByTestId("rates-missing")).toBeNull();
  });

  test("locked: what lives in the ledger asks to unlock; the rest is there", async () => {
    shell(() => undefined, false);
    window.location.hash = "#/settings";
    render(<App />);
    expect(await screen.findByTestId("settings-locked")).toBeTruthy();
    expect(screen.queryByTestId("pref-jurisdiction")).toBeNull();
    expect(screen.getByTestId("autolock-minutes")).toBeTruthy();
    expect(screen.getByTestId("restore-path")).toBeTruthy();
  });
});
