// Own transfers: withdrawals and deposits that look like one move between two of your accounts, to confirm
// (lots move with their date and cost) or reject; and the legs with no counterpart.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { backend, toBackendError, type TxRow } from "../backend";
import { ErrorPanel } from "../common";
import { formatAmount, formatInstant } from "../format";
import { LEDGER_KEYS, queries } from "../queries";

function Leg({ tx }: { tx: TxRow }) {
  return (
    <span>
      <strong>{tx.account}</strong> {formatInstant(tx.timestamp)}: {formatAmount(tx.sent ?? tx.received)}
      <span className="note"> ({tx.source_file.split("/").pop()}:{tx.source_line})</span>
    </span>
  );
}

export function Transfers() {
  const qc = useQueryClient();
  const view = useQuery(queries.transfers);
  const decide = useMutation({
    mutationFn: (d: { out: number; in: number; confirm: boolean }) => backend.decideTransfer(d.out, d.in, d.confirm),
    onSuccess: () => void qc.invalidateQueries({ predicate: (q) => LEDGER_KEYS.includes(String(q.queryKey[0])) }),
  });
  const confirmAll = useMutation({
    mutationFn: () => backend.confirmTransfers({ exact: false }, false),
    onSuccess: () => void qc.invalidateQueries({ predicate: (q) => LEDGER_KEYS.includes(String(q.queryKey[0])) }),
  });
  const v = view.data;
  return (
    <section className="card" aria-labelledby="transfers-heading">
      <h3 id="transfers-heading">Own transfers</h3>
      {view.isError && <ErrorPanel error={toBackendError(view.error)} />}
      {decide.isError && <ErrorPanel error={toBackendError(decide.error)} />}
      {confirmAll.isError && <ErrorPanel error={toBackendError(confirmAll.error)} />}
      {v && (
        <>
          <h4>To confirm ({v.proposals.length})</h4>
          {v.proposals.length > 1 && (
            <p>
              <button type="button" data-testid="confirm-all" onClick={() => confirmAll.mutate()} disabled={confirmAll.isPending}>
                Confirm all {v.proposals.length} listed below as my own moves
              </button>{" "}
              <span className="hint">(in one step: all of them or none; check the list first)</span>
            </p>
          )}
          {v.proposals.length === 0 ? (
            <p className="empty" data-testid="proposals-empty">
              Nothing to confirm: no withdrawal and deposit pair looks like a move between your accounts.
            </p>
          ) : (
            <ul className="proposals">
              {v.proposals.map((p) => (
                <li key={`${p.out_tx.id}-${p.in_tx.id}`} data-testid={`proposal-${p.out_tx.id}-${p.in_tx.id}`}>
                  <div>
                    <Leg tx={p.out_tx} /> → <Leg tx={p.in_tx} />
                    <div className="note">
                      Arrived {Math.round(p.delay_seconds / 60)} min later; the network kept {formatAmount(p.shortfall)}.
                    </div>
                  </div>
                  <div className="actions">
                    <button
                      type="button"
                      onClick={() => decide.mutate({ out: p.out_tx.id, in: p.in_tx.id, confirm: true })}
                      disabled={decide.isPending}
                      data-testid={`confirm-${p.out_tx.id}-${p.in_tx.id}`}
                    >
                      Confirm: my own move
                    </button>
                    <button
                      type="button"
                      onClick={() => decide.mutate({ out: p.out_tx.id, in: p.in_tx.id, confirm: false })}
                      disabled={decide.isPending}
                      data-testid={`reject-${p.out_tx.id}-${p.in_tx.id}`}
                    >
                      Not mine
                    </button>
                  </div>
                </li>
              ))}
            </ul>
          )}
          <h4>Confirmed ({v.confirmed.length})</h4>
          <p className="note" data-testid="confirmed-count">
            {v.confirmed.length === 0 ? "None yet." : `${v.confirmed.length} move(s) between your accounts.`}
          </p>
          <h4>Withdrawals with no counterpart ({v.unmatched_out.length})</h4>
          <p className="hint">Sent to someone else (a sale or a gift?) or to an account whose history is not imported.</p>
          <ul className="legs" data-testid="unmatched-out">
            {v.unmatched_out.map((t) => (
              <li key={t.id}>
                <Leg tx={t} />
              </li>
            ))}
          </ul>
          <h4>Deposits with no counterpart ({v.unmatched_in.length})</h4>
          <p className="hint">Their cost is unknown until their origin is in the ledger (import the account they came from).</p>
          <ul className="legs" data-testid="unmatched-in">
            {v.unmatched_in.map((t) => (
              <li key={t.id}>
                <Leg tx={t} />
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
