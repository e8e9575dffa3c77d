import { afterEach, describe, expect, test } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { clearMocks } from "@tauri-apps/api/mocks";
import { App } from "../App";
import type { Status, TxRow } from "../backend";
import { clearDrafts } from "../drafts";
import { mockShell, type Handler } from "../testShell";

afterEach(() => {
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

const tx = (id: number, account: string, extra: Partial<TxRow> = {}): TxRow => ({
  id,
  needs_price: false,
  source_file: "/home/u/kraken.csv",
  source_line: id + 1,
  retired: false,
  timestamp: `2024-01-0${(id % 9) + 1}T10:00:00Z`,
  account,
  kind: "buy",
  sent: { value: "100", code: "USD" },
  received: { value: "0.001", code: "BTC" },
  fee: null,
  fiat_value: { value: "100", code: "USD" },
  external_id: `K-${id}`,
  note: "",
  ...extra,
});

/** An unlocked ledger; `more` answers the rest. */
function shell(more: Handler): void {
  mockShell((cmd, args) => {
    if (cmd === "get_status") return status;
    if (cmd === "session_state") return { unlocked: true, second_factor: false };
    if (cmd === "accounts")
      return [
        { id: 1, name: "Kraken", venue: "kraken", holder: "", transactions: 3 },
        { id: 2, name: "Ledger Nano", venue: "other", holder: "", transactions: 1 },
      ];
    return more(cmd, args);
  });
}

describe("transactions", () => {
  test("rows come page by page as the end comes into view; filters go to the backend; each row shows its source", async () => {
    const asked: Array<Record<string, unknown>> = [];
    shell((cmd, args) => {
      if (cmd === "transactions") {
        const q = args?.query as Record<string, unknown>;
        asked.push(q);
        if (q.needs_price) return { rows: [tx(9, "Kraken", { needs_price: true, fiat_value: null })], next: null };
        if (q.after === "c2") return { rows: [tx(3, "Ledger Nano")], next: null };
        return { rows: [tx(1, "Kraken"), tx(2, "Kraken")], next: "c2" };
      }
      return undefined;
    });
    window.location.hash = "#/ledger/transactions";
    render(<App />);
    await screen.findByTestId("tx-row-3");
    expect(asked.map((q) => q.after ?? null)).toEqual([null, "c2"]);
    expect(asked[0]!.limit).toBe(500);
    const row = screen.getByTestId("tx-row-1");
    expect(within(row).getByText("kraken.csv:2")).toBeTruthy();
    expect(within(row).getByText("0.001 BTC")).toBeTruthy();
    expect(screen.getByTestId("tx-count").textContent).toBe("3 shown of 4");

    fireEvent.click(screen.getByTestId("filter-needs-price"));
    await screen.findByTestId("tx-row-9");
    expect(asked[asked.length - 1]).toEqual({ limit: 500, needs_price: true });
    expect(within(screen.getByTestId("tx-row-9")).getByText("needs price")).toBeTruthy();
    expect(screen.queryByTestId("tx-row-1")).toBeNull();
  });

  test("hand edits: set a price, void, see the history and undo; add a transaction the files lack", async () => {
    const calls: Array<[string, Record<string, unknown>]> = [];
    const edit = (id: number, action: string, extra: Record<string, unknown> = {}) => ({
      id, action, target: 9, replacement: null, undoes: null, reason: "from my notes", document: "", price_source: null,
      made_by: "you", made_at: "2026-12-07T10:00:00Z", standing: true, ...extra,
    });
    shell((cmd, args) => {
      if (cmd === "transactions") return { rows: [tx(9, "Kraken", { kind: "staking", sent: null, received: { value: "0.5", code: "ETH" }, needs_price: true, fiat_value: null })], next: null };
      if (["set_price", "void_transaction", "undo_edit", "add_transaction"].includes(cmd)) calls.push([cmd, args as Record<string, unknown>]);
      if (cmd === "set_price") return edit(1, "edit", { replacement: 10, price_source: "you" });
      if (cmd === "void_transaction") throw { code: "INVALID_INPUT", message: "transaction: transaction 9 is voided or replaced already" };
      if (cmd === "transaction_history") return [edit(1, "edit", { replacement: 10, price_source: "you" })];
      if (cmd === "undo_edit") return edit(2, "undo", { target: null, undoes: 1 });
      if (cmd === "add_transaction") return edit(3, "add", { target: null, replacement: 11 });
      return undefined;
    });
    window.location.hash = "#/ledger/transactions";
    render(<App />);
    fireEvent.click(await screen.findByTestId("tx-edit-9"));
    fireEvent.change(screen.getByTestId("edit-reason"), { target: { value: "from my notes" } });
    fireEvent.change(screen.getByTestId("edit-price"), { target: { value: "3500 USD" } });
    fireEvent.click(screen.getByTestId("edit-set-price"));
    expect((await screen.findByTestId("edit-done")).textContent).toContain("edit 1 (you,");
    expect(calls[0]).toEqual(["set_price", { id: 9, price: "3500 USD", note: { reason: "from my notes", document: "" } }]);
    fireEvent.click(screen.getByTestId("edit-void"));
    expect((await screen.findByText(/voided or replaced already/)).textContent).toBeTruthy();
    fireEvent.click(await screen.findByTestId("edit-undo-1"));
    expect((await screen.findByTestId("edit-done")).textContent).toContain("undid edit 1");
    expect(calls.find((c) => c[0] === "undo_edit")![1].edit).toBe(1);
    fireEvent.click(screen.getByTestId("add-tx"));
    fireEvent.change(screen.getByTestId("add-at"), { target: { value: "2024-03-01" } });
    fireEvent.change(screen.getByTestId("add-account"), { target: { value: "Ledger Nano" } });
    fireEvent.change(screen.getByTestId("add-sent"), { target: { value: "1000 USD" } });
    fireEvent.change(screen.getByTestId("add-received"), { target: { value: "0.02 BTC" } });
    fireEvent.change(screen.getByTestId("add-reason"), { target: { value: "bought from a friend" } });
    fireEvent.click(screen.getByTestId("add-submit"));
    expect((await screen.findByTestId("add-done")).textContent).toContain("added transaction 11");
    const added = calls.find((c) => c[0] === "add_transaction")![1];
    expect(added.input).toMatchObject({ at: "2024-03-01", account: "Ledger Nano", kind: "buy", sent: "1000 USD", received: "0.02 BTC" });
    expect(added.note).toEqual({ reason: "bought from a friend", document: "" });
  });

  test("filters are kept when moving to another screen and back", async () => {
    shell((cmd) => (cmd === "transactions" ? { rows: [], next: null } : undefined));
    window.location.hash = "#/ledger/transactions";
    render(<App />);
    fireEvent.change(await screen.findByTestId("filter-asset"), { target: { value: "ETH" } });
    expect((await screen.findByTestId("tx-empty")).textContent).toBe("No transaction matches these filters.");
    fireEvent.click(screen.getByTestId("nav-home"));
    await screen.findByTestId("unlocked");
    fireEvent.click(screen.getByTestId("nav-ledger"));
    expect(((await screen.findByTestId("filter-asset")) as HTMLInputElement).value).toBe("ETH");
  });

  test("an empty ledger says what to do", async () => {
    shell((cmd) => (cmd === "transactions" ? { rows: [], next: null } : undefined));
    window.location.hash = "#/ledger";
    render(<App />);
    expect((await screen.findByTestId("tx-empty")).textContent).toContain("Import your exchanges' history files");
  });
});

describe("import", () => {
  test("each file is checked first; a bad line blocks the import; good files import with a summary", async () => {
    const imported: unknown[] = [];
    shell((cmd, args) => {
      if (cmd === "check_files") {
        const [path] = args?.paths as string[];
        if (path!.endsWith("bad.csv"))
          return [{ file: path, format: null, transactions: 0, left_out: 0, error: { code: "IMPORT_INVALID", message: "bad.csv, line 3, field `sent_amount`: exponent notation is not accepted" } }];
        return [{ file: path, format: "kraken-ledgers-v2", transactions: 12, left_out: 1, error: null }];
      }
      if (cmd === "import_files") {
        imported.push(args);
        return {
          files: [{ file: "/t/kraken.csv", format: "kraken-ledgers-v2", rows: 12, added: 10, already_present: 2, needs_price: 0, left_out: 1 }],
          added: 10,
          already_present: 2,
          needs_price: 0,
        };
      }
      return undefined;
    });
    window.location.hash = "#/ledger/import";
    render(<App />);
    const add = (p: string) => {
      fireEvent.change(screen.getByTestId("import-path"), { target: { value: p } });
      fireEvent.click(screen.getByTestId("import-add"));
    };
    await screen.findByTestId("import-empty");
    add("/t/bad.csv");
    expect((await screen.findByTestId("import-error-0")).textContent).toContain("line 3");
    expect((screen.getByTestId("import-submit") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("import-blocked")).toBeTruthy();
    fireEvent.click(within(screen.getByTestId("import-file-0")).getByText("Remove"));
    add("/t/kraken.csv");
    expect((await screen.findByTestId("import-format-0")).textContent).toBe("kraken-ledgers-v2");
    await waitFor(() => expect((screen.getByTestId("import-submit") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId("import-submit"));
    expect((await screen.findByTestId("import-done")).textContent).toBe("Imported: 10 new transactions, 2 already in the ledger.");
    expect(imported).toHaveLength(1);
    expect((imported[0] as { paths: string[] }).paths).toEqual(["/t/kraken.csv"]);
    expect(String((imported[0] as { job: string }).job)).toMatch(/^import-/);
  });
});

describe("own transfers and accounts", () => {
  test("confirming a proposal sends the pair; balances are shown per account", async () => {
    const decided: unknown[] = [];
    let confirmed = false;
    shell((cmd, args) => {
      if (cmd === "transfers")
        return confirmed
          ? { proposals: [], unmatched_out: [], unmatched_in: [], confirmed: [[2, 3]] }
          : {
              proposals: [{ out_tx: tx(2, "Kraken", { kind: "transfer_out" }), in_tx: tx(3, "Ledger Nano", { kind: "transfer_in" }), shortfall: { value: "0.0001", code: "BTC" }, delay_seconds: 2400 }],
              unmatched_out: [],
              unmatched_in: [],
              confirmed: [],
            };
      if (cmd === "decide_transfer") {
        decided.push(args);
        confirmed = true;
        return null;
      }
      if (cmd === "balances")
        return [
          { account: "Kraken", asset: "BTC", qty: "0.4999" },
          { account: "Kraken", asset: "USD", qty: "-30000" },
          { account: "Ledger Nano", asset: "BTC", qty: "0.5" },
        ];
      return undefined;
    });
    window.location.hash = "#/ledger/transfers";
    render(<App />);
    fireEvent.click(await screen.findByTestId("confirm-2-3"));
    expect((await screen.findByText("1 move(s) between your accounts."))).toBeTruthy();
    expect(decided).toEqual([{ outId: 2, inId: 3, confirm: true }]);
    fireEvent.click(screen.getByTestId("ledger-tab-accounts"));
    expect((await screen.findByTestId("balance-Ledger Nano-BTC")).textContent).toBe("0.5 BTC");
    expect(screen.getByTestId("balance-Kraken-USD").className).toBe("negative");
  });

  test("several proposals are confirmed all at once, in one call", async () => {
    const calls: unknown[] = [];
    let confirmed = false;
    const proposal = (o: number, i: number) => ({
      out_tx: tx(o, "Kraken", { kind: "transfer_out" }),
      in_tx: tx(i, "Ledger Nano", { kind: "transfer_in" }),
      shortfall: { value: "0.0001", code: "BTC" },
      delay_seconds: 1200,
    });
    shell((cmd, args) => {
      if (cmd === "transfers")
        return confirmed
          ? { proposals: [], unmatched_out: [], unmatched_in: [], confirmed: [[2, 3], [4, 5]] }
          : { proposals: [proposal(2, 3), proposal(4, 5)], unmatched_out: [], unmatched_in: [], confirmed: [] };
      if (cmd === "confirm_transfers") {
        calls.push(args);
        confirmed = true;
        return [proposal(2, 3), proposal(4, 5)];
      }
      return undefined;
    });
    window.location.hash = "#/ledger/transfers";
    render(<App />);
    fireEvent.click(await screen.findByTestId("confirm-all"));
    expect(await screen.findByText("2 move(s) between your accounts.")).toBeTruthy();
    expect(calls).toEqual([{ rule: { exact: false }, dryRun: false }]);
  });

  test("a locked ledger asks to unlock on the ledger screen", async () => {
    mockShell((cmd) => {
      if (cmd === "get_status") return status;
      if (cmd === "session_state") return { unlocked: false, second_factor: false };
      return undefined;
    });
    window.location.hash = "#/ledger/transactions";
    render(<App />);
    expect(await screen.findByTestId("needs-unlock")).toBeTruthy();
    expect(screen.getByTestId("unlock-passphrase")).toBeTruthy();
  });
});

describe("home", () => {
  test("holdings summed exactly over accounts, what needs attention, and the next step", async () => {
    shell((cmd) => {
      if (cmd === "balances")
        return [
          { account: "Kraken", asset: "BTC", qty: "0.1" },
          { account: "Ledger Nano", asset: "BTC", qty: "0.2" },
          { account: "Kraken", asset: "ETH", qty: "0" },
        ];
      if (cmd === "attention")
        return { transactions: 4, needs_price: 2, unknown_basis: 0, proposed_transfers: 1, unmatched_withdrawals: 0 };
      if (cmd === "transactions") return { rows: [], next: null };
      if (cmd === "attention_list")
        return [{ kind: "needs_price", tx: 7, other: null, at: "2024-04-15T00:00:00Z", account: "Kraken", what: "staking +0.01 ETH", action: "set its price (`offramp prices set 7 PRICE`; Ledger > Edit > Set the price)" }];
      return undefined;
    });
    render(<App />);
    expect((await screen.findByTestId("holding-BTC")).textContent).toBe("0.3 BTC");
    expect((await screen.findByTestId("attention-item-7")).textContent).toContain("Kraken: staking +0.01 ETH. To resolve: set its price");
    expect(screen.queryByTestId("holding-ETH")).toBeNull();
    expect(screen.getByTestId("attention-needs-price").textContent).toBe("2 transactions need a price");
    expect((screen.getByTestId("attention-unknown-basis") as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByTestId("next-step").textContent).toBe("Confirm or reject the proposed own transfers");
    fireEvent.click(screen.getByTestId("attention-needs-price"));
    expect(((await screen.findByTestId("filter-needs-price")) as HTMLInputElement).checked).toBe(true);
  });

  test("fill prices from the exchanges' daily candles: what was filled and what still needs a price", async () => {
    let filled = false;
    const dryRuns: boolean[] = [];
    shell((cmd, args) => {
      if (cmd === "balances") return [];
      if (cmd === "attention")
        return { transactions: 4, needs_price: filled ? 1 : 3, unknown_basis: 0, proposed_transfers: 0, unmatched_withdrawals: 0 };
      if (cmd === "fill_prices") {
        const dry = (args as { dryRun: boolean }).dryRun;
        dryRuns.push(dry);
        if (!dry) filled = true;
        return {
          currency: "USD",
          dry_run: dry,
          needing: 3,
          filled: [
            { id: 1, date: "2024-03-05", asset: "ETH", price: "3500.5", value: "1750.25", source: "Kraken daily candle 2024-03-05 (UTC), close 3500.5 USD", edit: 1 },
            { id: 2, date: "2024-03-06", asset: "ETH", price: "3600", value: "7200", source: "Kraken daily candle 2024-03-06 (UTC), close 3600 USD", edit: 2 },
          ],
          missing: [{ id: 3, why: "no source has a daily close of FOO in USD on 2024-03-07" }],
          errors: [],
        };
      }
      return undefined;
    });
    render(<App />);
    fireEvent.click(await screen.findByTestId("fill-prices"));
    // First what would be filled, from where; nothing changes until the user says so.
    expect((await screen.findByTestId("fill-preview")).textContent).toContain("2 of 3 can take the day's close in USD (from Kraken); 1 have no source");
    expect(dryRuns).toEqual([true]);
    fireEvent.click(screen.getByTestId("fill-confirm"));
    expect((await screen.findByTestId("fill-done")).textContent).toContain("Filled 2 of 3 with the day's close in USD; 1 still need a price");
    expect(dryRuns).toEqual([true, false]);
    expect((await screen.findByText("1 transaction need a price")).textContent).toBeTruthy();
  });
});
