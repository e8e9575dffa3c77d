import { useCallback, useEffect, useState } from "react";
import { backend, BackendError, toBackendError, type Status } from "./backend";
import { CompareVenues } from "./CompareVenues";

type Load = { kind: "loading" } | { kind: "ok"; status: Status } | { kind: "error"; error: BackendError };

type Page = "home" | "compare";

export function App() {
  const [load, setLoad] = useState<Load>({ kind: "loading" });
  const [page, setPage] = useState<Page>("home");

  const refresh = useCallback(() => {
    setLoad({ kind: "loading" });
    backend.getStatus().then(
      (status) => setLoad({ kind: "ok", status }),
      (e: unknown) => setLoad({ kind: "error", error: toBackendError(e) }),
    );
  }, []);

  useEffect(refresh, [refresh]);

  return (
    <div className="app">
      <header className="topbar">
        <h1>Offramp</h1>
        {load.kind === "ok" && (
          <span className="badges">
            <span className="badge" data-testid="app-version">
              v{load.status.app_version}
            </span>
            {load.status.flavor === "dev" && (
              <span className="badge badge-dev" data-testid="flavor">
                dev build
              </span>
            )}
          </span>
        )}
        <nav className="tabs">
          <button type="button" className={page === "home" ? "tab active" : "tab"} onClick={() => setPage("home")} data-testid="nav-home">
            Home
          </button>
          <button type="button" className={page === "compare" ? "tab active" : "tab"} onClick={() => setPage("compare")} data-testid="nav-compare">
            Compare venues
          </button>
        </nav>
      </header>
      {page === "compare" ? (
        <main>
          <CompareVenues />
        </main>
      ) : (
      <main>
        <p className="lede">
          Sell crypto into your bank account safely and at the lowest total cost, and keep the records your tax
          return needs. Everything stays on this computer.
        </p>
        <section className="card" aria-labelledby="ledger-heading">
          <div className="card-head">
            <h2 id="ledger-heading">Your ledger</h2>
            <button type="button" onClick={refresh} data-testid="refresh" disabled={load.kind === "loading"}>
              Refresh
            </button>
          </div>
          {load.kind === "loading" && <p data-testid="loading">Looking for your ledger…</p>}
          {load.kind === "error" && <ErrorPanel error={load.error} />}
          {load.kind === "ok" && <LedgerInfo status={load.status} />}
        </section>
      </main>
      )}
    </div>
  );
}

function LedgerInfo({ status }: { status: Status }) {
  const present = status.ledger === "present";
  return (
    <>
      <p className={present ? "state state-ok" : "state state-missing"} data-testid="ledger-state">
        {present
          ? `Ledger found (${formatBytes(status.ledger_size_bytes ?? 0)}, encrypted)`
          : "No ledger yet"}
      </p>
      {!present && (
        <p className="hint">
          A new ledger will be created here, encrypted with a passphrase you choose, when you first import your
          history.
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

function ErrorPanel({ error }: { error: BackendError }) {
  return (
    <div className="error" role="alert">
      <p data-testid="error-message">{error.message}</p>
      <p className="error-code">
        Error code: <code data-testid="error-code">{error.code}</code>
      </p>
    </div>
  );
}

/** Byte counts for display (integers; never money). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
