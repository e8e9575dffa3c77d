import { useQuery, useQueryClient } from "@tanstack/react-query";
import { toBackendError, type Status } from "./backend";
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
  return (
    <>
      <h2 id="access-heading">Unlocked</h2>
      <p className="state state-ok" data-testid="unlocked">
        Your ledger is open
        {accounts.data ? `: ${accounts.data.length} account${accounts.data.length === 1 ? "" : "s"}` : ""}.
      </p>
      <p className="hint">It locks itself after a while without use (Settings), or with Lock at the top.</p>
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
