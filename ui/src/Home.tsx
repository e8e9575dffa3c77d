import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "react-router";
import { useDraft } from "./drafts";
import { formatCount, formatInstant, formatQty } from "./format";
import { addDecimals } from "./money";
import { NO_FILTERS, type Filters } from "./ledger/Transactions";
import { backend, toBackendError, type Status } from "./backend";
import { ErrorPanel, formatBytes } from "./common";
import { CreateLedger, Unlock } from "./Access";
import { queries } from "./queries";

export function Home() {
  const qc = useQueryClient();
  const status = useQuery(queries.status);
  const session = useQuery(queries.session);
  const refresh = () => void qc.invalidateQueries();
  return (
    <>
      <p className="lede">
        Sell crypto into your bank account safely and at the lowest total cost, and keep the records your tax return
        needs. Everything stays on this computer.
      </p>
      <section className="card" aria-labelledby="ledger-heading">
        <div className="card-head">
          <h2 id="ledger-heading">Your ledger</h2>
          <button type="button" onClick={refresh} data-testid="refresh" disabled={status.isFetching}>
            Refresh
          </button>
        </div>
        {status.isPending && <p data-testid="loading">Looking for your ledger…</p>}
        {status.isError && <ErrorPanel error={toBackendError(status.error)} />}
        {status.data && !status.isError && <LedgerInfo status={status.data} />}
      </section>
      {status.data && !status.isError && (
        <section className="card access" aria-labelledby="access-heading">
          {status.data.ledger === "missing" ? (
            <CreateLedger />
          ) : session.data?.unlocked ? (
            <Unlocked />
          ) : (
            <Unlock secondFactor={session.data?.second_factor === true} />
          )}
        </section>
      )}
    </>
  );
}

function Unlocked() {
  const accounts = useQuery(queries.accounts);
  const balances = useQuery(queries.balances);
  const attention = useQuery(queries.attention);
  // Older test shells answer nothing: no items.
  const items = useQuery({ queryKey: ["attention-list"], queryFn: async () => (await backend.attentionList()) ?? [] });
  const [, setFilters] = useDraft<Filters>("tx-filters", NO_FILTERS);
  const navigate = useNavigate();
  const show = (f: Partial<Filters>) => {
    setFilters({ ...NO_FILTERS, ...f });
    navigate("/ledger/transactions");
  };
  // Holdings at a glance: each asset's total over the accounts (decimal strings added exactly).
  const byAsset = new Map<string, string>();
  for (const b of balances.data ?? []) byAsset.set(b.asset, addDecimals(byAsset.get(b.asset) ?? "0", b.qty));
  for (const [asset, qty] of byAsset) if (qty === "0") byAsset.delete(asset);
  const a = attention.data;
  const empty = a?.transactions === 0;
  return (
    <>
      <h2 id="access-heading">Unlocked</h2>
      <p className="state state-ok" data-testid="unlocked">
        Your ledger is open
        {accounts.data ? `: ${accounts.data.length} account${accounts.data.length === 1 ? "" : "s"}` : ""}.
      </p>
      {(attention.error ?? balances.error) && <ErrorPanel error={toBackendError(attention.error ?? balances.error)} />}
      {a && (
        <div className="glance">
          <div>
            <h3>Holdings</h3>
            {byAsset.size === 0 ? (
              <p className="empty" data-testid="holdings-empty">
                Nothing held yet.
              </p>
            ) : (
              <ul className="balances" data-testid="holdings">
                {[...byAsset.entries()].map(([asset, qty]) => (
                  <li key={asset} data-testid={`holding-${asset}`}>
                    {formatQty(qty)} {asset}
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div>
            <h3>Needs your attention</h3>
            <ul className="attention" data-testid="attention">
              <li>
                <button type="button" className="link" onClick={() => show({ needs_price: true })} disabled={a.needs_price === 0} data-testid="attention-needs-price">
                  {formatCount(a.needs_price)} transaction{a.needs_price === 1 ? "" : "s"} need a price
                </button>
                {a.needs_price > 0 && <FillPrices />}
              </li>
              <li>
                <button type="button" className="link" onClick={() => show({ unknown_basis: true })} disabled={a.unknown_basis === 0} data-testid="attention-unknown-basis">
                  {formatCount(a.unknown_basis)} arrival{a.unknown_basis === 1 ? "" : "s"} of crypto with no known cost
                </button>
              </li>
              <li>
                <Link to="/ledger/transfers" data-testid="attention-transfers">
                  {formatCount(a.proposed_transfers)} own transfer{a.proposed_transfers === 1 ? "" : "s"} to confirm or reject
                </Link>
              </li>
              <li>
                <Link to="/ledger/transfers">
                  {formatCount(a.unmatched_withdrawals)} withdrawal{a.unmatched_withdrawals === 1 ? "" : "s"} with no counterpart
                </Link>
              </li>
            </ul>
            {items.data && items.data.length > 0 && (
              <ul className="attention-items" data-testid="attention-items">
                {items.data.map((i) => (
                  <li key={`${i.kind}-${i.tx}`} data-testid={`attention-item-${i.tx}`}>
                    {formatInstant(i.at)}, {i.account}: {i.what}. <span className="note">To resolve: {i.action}.</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div>
            <h3>Next step</h3>
            <p data-testid="next-step">
              {empty ? (
                <Link to="/ledger/import">Import your exchanges' history files</Link>
              ) : a.proposed_transfers > 0 ? (
                <Link to="/ledger/transfers">Confirm or reject the proposed own transfers</Link>
              ) : (
                <>
                  <Link to="/reports">Open your tax report</Link> or <Link to="/sell">plan a sale</Link>
                </>
              )}
            </p>
          </div>
        </div>
      )}
      <p className="hint">It locks itself after a while without use (Settings), or with Lock.</p>
    </>
  );
}

function LedgerInfo({ status }: { status: Status }) {
  const present = status.ledger === "present";
  return (
    <>
      <p className={present ? "state state-ok" : "state state-missing"} data-testid="ledger-state">
        {present ? `Ledger found (${formatBytes(status.ledger_size_bytes ?? 0)}, encrypted)` : "No ledger yet"}
      </p>
      {!present && (
        <p className="hint">
          Create it below: it is encrypted with a passphrase you choose, and kept only on this computer.
        </p>
      )}
      <dl className="facts">
        <dt>Ledger file</dt>
        <dd>
          <code data-testid="ledger-path">{status.ledger_path}</code>
        </dd>
        <dt>Data folder</dt>
        <dd>
          <code data-testid="data-dir">{status.data_dir}</code>
          {status.data_dir_overridden && <span className="note"> (set by OFFRAMP_DATA_DIR)</span>}
        </dd>
      </dl>
    </>
  );
}

/** Fills "needs price" from exchanges' daily candles: first what would be filled (a dry run), then, on the user's
 *  word, each price an edit naming its source. */
function FillPrices() {
  const qc = useQueryClient();
  const look = useMutation({ mutationFn: () => backend.fillPrices(true) });
  const fill = useMutation({ mutationFn: () => backend.fillPrices(false), onSuccess: () => void qc.invalidateQueries() });
  const busy = look.isPending || fill.isPending;
  const sources = (r: { filled: { source: string }[] }) => [...new Set(r.filled.map((f) => f.source.split(" daily")[0]))].join(", ");
  return (
    <>
      {" "}
      {!look.data && !fill.data && (
        <button type="button" onClick={() => look.mutate()} disabled={busy} data-testid="fill-prices">
          {look.isPending ? "Asking the exchanges…" : "Look up the exchanges' daily prices"}
        </button>
      )}
      {(look.error ?? fill.error) && <ErrorPanel error={toBackendError(look.error ?? fill.error)} />}
      {look.data && !fill.data && (
        <p className="note" data-testid="fill-preview">
          {formatCount(look.data.filled.length)} of {formatCount(look.data.needing)} can take the day&apos;s close in {look.data.currency}
          {look.data.filled.length > 0 ? ` (from ${sources(look.data)})` : ""}
          {look.data.missing.length > 0 ? `; ${formatCount(look.data.missing.length)} have no source: set their price in the transaction` : ""}
          {look.data.errors.length > 0 ? `; not reached: ${look.data.errors.join("; ")}` : ""}.{" "}
          {look.data.filled.length > 0 && (
            <button type="button" onClick={() => fill.mutate()} disabled={busy} data-testid="fill-confirm">
              {fill.isPending ? "Filling…" : `Use these ${formatCount(look.data.filled.length)} prices`}
            </button>
          )}
        </p>
      )}
      {fill.data && (
        <p className="note" data-testid="fill-done">
          Filled {formatCount(fill.data.filled.length)} of {formatCount(fill.data.needing)} with the day&apos;s close in {fill.data.currency}
          {fill.data.missing.length > 0 ? `; ${formatCount(fill.data.missing.length)} still need a price (no exchange has the asset that day: set it in the transaction)` : ""}
          {fill.data.errors.length > 0 ? `; not reached: ${fill.data.errors.join("; ")}` : ""}. Each is an edit you can undo.
        </p>
      )}
    </>
  );
}
