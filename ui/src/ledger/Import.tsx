// Importing exchange files: chosen in the system's dialog, dropped on the window, or typed as a path; each file
// read and checked first (its format, its transactions, or the line that would stop it); then one import of
// them all, all or nothing, with progress and Cancel; then what it did.
import { useEffect, useRef, useState } from "react";
import { useMutation, useQueries, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { backend, newJob, onJobProgress, toBackendError, type ImportReport, type JobProgress } from "../backend";
import { ErrorPanel } from "../common";
import { useDraft } from "../drafts";
import { formatCount } from "../format";
import { LEDGER_KEYS } from "../queries";

const name = (path: string) => path.split(/[\\/]/).pop() ?? path;

async function chooseFiles(): Promise<string[]> {
  const { open } = await import("@tauri-apps/plugin-dialog");
  const picked = await open({
    multiple: true,
    directory: false,
    title: "Choose exchange history files",
    filters: [{ name: "Exchange exports (CSV)", extensions: ["csv", "txt", "CSV"] }],
  });
  return picked === null ? [] : Array.isArray(picked) ? picked : [picked];
}

/** Files dropped on the window (the webview gives their paths). */
function useDroppedFiles(onDrop: (paths: string[]) => void) {
  const [over, setOver] = useState(false);
  const cb = useRef(onDrop);
  cb.current = onDrop;
  useEffect(() => {
    let off: (() => void) | undefined;
    let live = true;
    import("@tauri-apps/api/webview")
      .then(({ getCurrentWebview }) =>
        getCurrentWebview().onDragDropEvent((e) => {
          if (e.payload.type === "enter" || e.payload.type === "over") setOver(true);
          else if (e.payload.type === "leave") setOver(false);
          else if (e.payload.type === "drop") {
            setOver(false);
            cb.current(e.payload.paths);
          }
        }),
      )
      .then((f) => {
        if (live) off = f;
        else f();
      })
      .catch(() => undefined); // outside the desktop shell (tests): nothing to listen to
    return () => {
      live = false;
      off?.();
    };
  }, []);
  return over;
}

export function Import() {
  const qc = useQueryClient();
  const [files, setFiles] = useDraft<string[]>("import-files", []);
  const [typed, setTyped] = useDraft("import-path", "");
  const [progress, setProgress] = useState<JobProgress | null>(null);
  const [job, setJob] = useState<string | null>(null);
  const add = (paths: string[]) => setFiles((f) => [...f, ...paths.filter((p) => p && !f.includes(p))]);
  const over = useDroppedFiles(add);

  // Each file is read once when it is added (its own query: adding another does not read it again).
  const checks = useQueries({
    queries: files.map((f) => ({
      queryKey: ["check-file", f],
      queryFn: () => backend.checkFiles([f]).then((c) => c[0]),
      staleTime: Infinity,
    })),
  });
  const run = useMutation({
    mutationFn: async (): Promise<ImportReport> => {
      const id = newJob("import");
      setJob(id);
      setProgress(null);
      const off = await onJobProgress(id, setProgress).catch(() => null);
      try {
        return await backend.importFiles(files, id);
      } finally {
        off?.();
        setJob(null);
      }
    },
    onSuccess: () => {
      setFiles([]);
      qc.removeQueries({ queryKey: ["check-file"] });
      void qc.invalidateQueries({ predicate: (q) => LEDGER_KEYS.includes(String(q.queryKey[0])) });
    },
  });
  const bad = checks.some((c) => c.data?.error);
  const checked = checks.every((c) => c.isSuccess);
  const ready = files.length > 0 && checked && !bad && !run.isPending;
  const failed = checks.find((c) => c.isError)?.error;

  return (
    <section className={over ? "card drop-target over" : "card drop-target"} aria-labelledby="import-heading" data-testid="import">
      <h3 id="import-heading">Import files</h3>
      <p className="hint">
        Download your transaction history from each exchange (Coinbase, Kraken, Binance, Bitstamp, Gemini) as CSV,
        or use Offramp's generic CSV for anything else. Drop the files here, or choose them. An import is all or
        nothing, and importing a file again adds nothing.
      </p>
      <div className="import-add">
        <button type="button" onClick={() => void chooseFiles().then(add)} data-testid="import-choose">
          Choose files…
        </button>
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (typed.trim()) {
              add([typed.trim()]);
              setTyped("");
            }
          }}
        >
          <label>
            <span>or a file's path</span>
            <input value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="/home/you/Downloads/kraken.csv" data-testid="import-path" className="wide" />
          </label>
          <button type="submit" disabled={!typed.trim()} data-testid="import-add">
            Add
          </button>
        </form>
      </div>
      {files.length === 0 && !run.data && (
        <p className="empty drop-hint" data-testid="import-empty">
          Drop exchange files here.
        </p>
      )}
      {files.length > 0 && (
        <table className="data-table" data-testid="import-files">
          <thead>
            <tr>
              <th>File</th>
              <th>Format</th>
              <th className="num">Transactions</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {files.map((f, i) => {
              const q = checks[i];
              const c = q?.data;
              return (
                <tr key={f} data-testid={`import-file-${i}`}>
                  <td title={f}>{name(f)}</td>
                  <td data-testid={`import-format-${i}`}>
                    {c?.error ? (
                      <span className="error-inline" data-testid={`import-error-${i}`}>
                        {c.error.message}
                      </span>
                    ) : (
                      (c?.format ?? (q?.isFetching ? "reading…" : ""))
                    )}
                  </td>
                  <td className="num">{c && !c.error ? formatCount(c.transactions) : ""}</td>
                  <td>
                    <button type="button" onClick={() => setFiles(files.filter((x) => x !== f))} disabled={run.isPending} aria-label={`Remove ${name(f)}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {bad && (
        <p className="state-missing" data-testid="import-blocked">
          A file above would stop the import (nothing would be added): fix it or remove it.
        </p>
      )}
      {failed && <ErrorPanel error={toBackendError(failed)} />}
      <div className="actions">
        <button type="button" className="primary" onClick={() => run.mutate()} disabled={!ready} data-testid="import-submit">
          {run.isPending ? "Importing…" : `Import ${files.length || ""} file${files.length === 1 ? "" : "s"}`}
        </button>
        {run.isPending && job && (
          <button type="button" onClick={() => void backend.cancelJob(job)} data-testid="import-cancel">
            Cancel
          </button>
        )}
      </div>
      {run.isPending && (
        <div className="progress" data-testid="import-progress">
          <progress max={progress?.total || 1} value={progress?.done ?? 0} aria-label="Import progress" />
          <span className="note">
            {progress ? `${formatCount(progress.done)} of ${formatCount(progress.total)} rows` : "Reading the files…"}
          </span>
        </div>
      )}
      {run.isError && <ErrorPanel error={toBackendError(run.error)} />}
      {run.data && <Summary report={run.data} />}
    </section>
  );
}

function Summary({ report }: { report: ImportReport }) {
  return (
    <div className="summary" data-testid="import-summary">
      <p className="state state-ok" data-testid="import-done">
        Imported: {formatCount(report.added)} new transaction{report.added === 1 ? "" : "s"}
        {report.already_present > 0 ? `, ${formatCount(report.already_present)} already in the ledger` : ""}.
      </p>
      <table className="data-table">
        <thead>
          <tr>
            <th>File</th>
            <th>Format</th>
            <th className="num">Added</th>
            <th className="num">Already there</th>
            <th className="num">Left out on purpose</th>
            <th className="num">Need a price</th>
          </tr>
        </thead>
        <tbody>
          {report.files.map((f) => (
            <tr key={f.file}>
              <td title={f.file}>{name(f.file)}</td>
              <td>{f.format}</td>
              <td className="num">{formatCount(f.added)}</td>
              <td className="num">{formatCount(f.already_present)}</td>
              <td className="num">{formatCount(f.left_out)}</td>
              <td className="num">{formatCount(f.needs_price)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <Link to="/ledger/transactions">See the transactions</Link> · <Link to="/ledger/transfers">Check own transfers</Link>
      </p>
    </div>
  );
}
