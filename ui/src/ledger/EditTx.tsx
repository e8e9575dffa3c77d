// Hand edits with a history, in the window: set a price, correct or void a transaction, add one the files lack,
// and see (and undo) the edits that touched a transaction. Every edit is kept in the ledger with its reason.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { backend, toBackendError, type TxRow } from "../backend";
import type { EditRow } from "../bindings/EditRow";
import type { TxInput } from "../bindings/TxInput";
import type { TxChanges } from "../bindings/TxChanges";
import type { Amount } from "../bindings/Amount";
import { ErrorPanel } from "../common";
import { useDraft } from "../drafts";
import { formatInstant } from "../format";
import { KINDS } from "./Transactions";


const text = (a: Amount | null) => (a ? `${a.value} ${a.code}` : "");

/** "edit 3 (you, …): replaced transaction 12 with transaction 40; reason: …" */
export function editText(e: EditRow): string {
  const what =
    e.action === "add"
      ? `added transaction ${e.replacement}`
      : e.action === "edit"
        ? `replaced transaction ${e.target} with transaction ${e.replacement}`
        : e.action === "void"
          ? `voided transaction ${e.target}`
          : `undid edit ${e.undoes}`;
  let t = `edit ${e.id} (${e.made_by}, ${formatInstant(e.made_at)}): ${what}`;
  if (e.price_source) t += `; price from ${e.price_source}`;
  if (e.reason) t += `; reason: ${e.reason}`;
  if (e.document) t += `; document: ${e.document}`;
  return t;
}

type Why = { reason: string; document: string };
type Correction = { at: string; account: string; kind: string; sent: string; received: string; fee: string; fiat_value: string; note: string };

/** One transaction's edits: set its price, correct it, void it; its history with undo. */
export function EditTx({ tx, onClose }: { tx: TxRow; onClose: () => void }) {
  const qc = useQueryClient();
  const [why, setWhy] = useDraft<Why>(`tx-why-${tx.id}`, { reason: "", document: "" });
  const [price, setPrice] = useDraft(`tx-price-${tx.id}`, "");
  const [fix, setFix] = useDraft<Correction>(`tx-fix-${tx.id}`, {
    at: tx.timestamp,
    account: tx.account,
    kind: tx.kind,
    sent: text(tx.sent),
    received: text(tx.received),
    fee: text(tx.fee),
    fiat_value: text(tx.fiat_value),
    note: tx.note,
  });
  const history = useQuery({ queryKey: ["tx-history", tx.id], queryFn: () => backend.transactionHistory(tx.id) });
  const done = { onSuccess: () => void qc.invalidateQueries() };
  const priced = useMutation({ mutationFn: () => backend.setPrice(tx.id, price.trim(), why), ...done });
  const voided = useMutation({ mutationFn: () => backend.voidTransaction(tx.id, why), ...done });
  const corrected = useMutation({
    mutationFn: () => {
      // Only what changed is sent; an emptied amount is removed.
      const was: Correction = { at: tx.timestamp, account: tx.account, kind: tx.kind, sent: text(tx.sent), received: text(tx.received), fee: text(tx.fee), fiat_value: text(tx.fiat_value), note: tx.note };
      const changes: TxChanges = { at: null, account: null, kind: null, sent: null, received: null, fee: null, fiat_value: null, note: null };
      for (const k of Object.keys(fix) as (keyof Correction)[]) if (fix[k].trim() !== was[k].trim()) changes[k] = fix[k];
      return backend.editTransaction(tx.id, changes, why);
    },
    ...done,
  });
  const undone = useMutation({ mutationFn: (edit: number) => backend.undoEdit(edit, why), ...done });
  // Only the last action's outcome is shown: each starts by clearing the others'.
  const all = [priced, voided, corrected, undone];
  const run = (m: { mutate: () => void }) => {
    for (const x of all) x.reset();
    m.mutate();
  };
  const result = priced.data ?? voided.data ?? corrected.data ?? undone.data;
  const error = priced.error ?? voided.error ?? corrected.error ?? undone.error;
  const busy = priced.isPending || voided.isPending || corrected.isPending || undone.isPending;
  const field = (k: keyof Correction, label: string) => (
    <label>
      <span>{label}</span>
      <input value={fix[k]} onChange={(e) => setFix((f) => ({ ...f, [k]: e.target.value }))} data-testid={`fix-${k}`} size={14} />
    </label>
  );
  return (
    <section className="card edit-tx" aria-labelledby="edit-tx-heading" data-testid="edit-tx">
      <div className="card-head">
        <h4 id="edit-tx-heading">
          Transaction {tx.id}: {tx.kind.replace("_", " ")} in {tx.account}, {formatInstant(tx.timestamp)}
        </h4>
        <button type="button" onClick={onClose} data-testid="edit-close">
          Close
        </button>
      </div>
      {tx.retired ? (
        <p className="note" data-testid="edit-retired">
          An edit voided or replaced this transaction: it is in no report. Undo that edit below to bring it back.
        </p>
      ) : (
        <>
          <div className="inline-form">
            <label>
              <span>Why (kept with the edit)</span>
              <input value={why.reason} onChange={(e) => setWhy((w) => ({ ...w, reason: e.target.value }))} data-testid="edit-reason" size={28} />
            </label>
            <label>
              <span>Supporting document</span>
              <input value={why.document} onChange={(e) => setWhy((w) => ({ ...w, document: e.target.value }))} data-testid="edit-document" size={18} />
            </label>
          </div>
          <form
            className="inline-form"
            onSubmit={(e) => {
              e.preventDefault();
              run(priced);
            }}
          >
            <label>
              <span>Price of one unit (e.g. 61000 USD)</span>
              <input value={price} onChange={(e) => setPrice(e.target.value)} data-testid="edit-price" size={16} />
            </label>
            <button type="submit" disabled={busy || !price.trim()} data-testid="edit-set-price">
              Set the price
            </button>
          </form>
          <details>
            <summary>Correct it (a new transaction replaces it; this one stays listed)</summary>
            <form
              className="filters"
              onSubmit={(e) => {
                e.preventDefault();
                run(corrected);
              }}
            >
              {field("at", "When (UTC)")}
              {field("account", "Account")}
              <label>
                <span>Kind</span>
                <select value={fix.kind} onChange={(e) => setFix((f) => ({ ...f, kind: e.target.value }))} data-testid="fix-kind">
                  {KINDS.map((k) => (
                    <option key={k} value={k}>
                      {k.replace("_", " ")}
                    </option>
                  ))}
                </select>
              </label>
              {field("sent", "Sent")}
              {field("received", "Received")}
              {field("fee", "Fee")}
              {field("fiat_value", "Value")}
              {field("note", "Note")}
              <button type="submit" disabled={busy} data-testid="edit-correct">
                Save the correction
              </button>
            </form>
          </details>
          <button type="button" onClick={() => run(voided)} disabled={busy} data-testid="edit-void">
            Void it (out of every report, still listed)
          </button>
        </>
      )}
      {error && <ErrorPanel error={toBackendError(error)} />}
      {result && (
        <p className="state state-ok" data-testid="edit-done">
          {editText(result)}
        </p>
      )}
      {history.data && history.data.length > 0 && (
        <>
          <h4>Its history</h4>
          <ul data-testid="edit-history">
            {history.data.map((e) => (
              <li key={e.id}>
                {editText(e)}{" "}
                {e.standing ? (
                  e.action !== "undo" && (
                    <button type="button" className="link" onClick={() => run({ mutate: () => undone.mutate(e.id) })} disabled={busy} data-testid={`edit-undo-${e.id}`}>
                      Undo
                    </button>
                  )
                ) : (
                  <span className="note"> (undone)</span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

const EMPTY: TxInput & Why = { at: "", account: "", kind: "buy", sent: "", received: "", fee: "", fiat_value: "", note: "", reason: "", document: "" };

/** A transaction the files lack: the purchase of coins that arrived from outside, say. */
export function AddTx() {
  const qc = useQueryClient();
  const [form, setForm] = useDraft<TxInput & Why>("tx-add", EMPTY);
  const add = useMutation({
    mutationFn: () => {
      const { reason, document, ...input } = form;
      return backend.addTransaction(input, { reason, document });
    },
    onSuccess: () => {
      void qc.invalidateQueries();
      setForm(EMPTY);
    },
  });
  const field = (k: keyof typeof EMPTY, label: string, hint = "") => (
    <label>
      <span>{label}</span>
      <input value={form[k] ?? ""} placeholder={hint} onChange={(e) => setForm((f) => ({ ...f, [k]: e.target.value }))} data-testid={`add-${k}`} size={14} />
    </label>
  );
  return (
    <details className="add-tx">
      <summary data-testid="add-tx">Add a transaction your files lack</summary>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        {field("at", "When", "2024-03-05")}
        {field("account", "Account", "Ledger Nano")}
        <label>
          <span>Kind</span>
          <select value={form.kind} onChange={(e) => setForm((f) => ({ ...f, kind: e.target.value }))} data-testid="add-kind">
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k.replace("_", " ")}
              </option>
            ))}
          </select>
        </label>
        {field("sent", "Sent", "1000 USD")}
        {field("received", "Received", "0.02 BTC")}
        {field("fee", "Fee")}
        {field("fiat_value", "Value", "1000 USD")}
        {field("note", "Note")}
        {field("reason", "Why")}
        {field("document", "Document")}
        <button type="submit" disabled={add.isPending} data-testid="add-submit">
          Add it
        </button>
      </form>
      {add.isError && <ErrorPanel error={toBackendError(add.error)} />}
      {add.data && (
        <p className="state state-ok" data-testid="add-done">
          {editText(add.data)}
        </p>
      )}
    </details>
  );
}
