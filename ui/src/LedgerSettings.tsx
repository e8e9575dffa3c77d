// Settings kept in the ledger (so they need it unlocked): the user's defaults, the own-transfer fee treatment per
// country, the user's own venue figures; and backups.
import { useEffect } from "react";
import { useForm } from "react-hook-form";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { backend, toBackendError, type Preferences } from "./backend";
import { ErrorPanel } from "./common";
import { useDraft } from "./drafts";
import { formatCount, formatDate, formatInstant } from "./format";
import { LEDGER_KEYS, queries } from "./queries";

const COUNTRIES = [
  ["us", "United States"],
  ["uk", "United Kingdom"],
  ["de", "Germany"],
  ["ca", "Canada"],
] as const;

export function Defaults() {
  const qc = useQueryClient();
  const prefs = useQuery(queries.preferences);
  const { register, handleSubmit, reset, formState } = useForm<Preferences>();
  useEffect(() => {
    if (prefs.data) reset(prefs.data);
  }, [prefs.data, reset]);
  const save = useMutation({
    mutationFn: backend.setPreferences,
    onSuccess: (p) => {
      qc.setQueryData(queries.preferences.queryKey, p);
      reset(p);
    },
  });
  return (
    <section className="card" aria-labelledby="defaults-heading">
      <h3 id="defaults-heading">Your defaults</h3>
      <p className="hint">Reports and sales start from these; each report can still choose otherwise.</p>
      {prefs.isError && <ErrorPanel error={toBackendError(prefs.error)} />}
      <form className="report-form" onSubmit={handleSubmit((p) => save.mutate(p))} data-testid="defaults-form">
        <label>
          <span>Country whose tax rules apply</span>
          <select {...register("jurisdiction")} data-testid="pref-jurisdiction">
            {COUNTRIES.map(([id, name]) => (
              <option key={id} value={id}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Currency you sell into</span>
          <input {...register("currency", { required: true })} size={5} data-testid="pref-currency" />
        </label>
        <label>
          <span>US method (per year: fifo,2023=hifo)</span>
          <input {...register("method", { required: true })} size={16} data-testid="pref-method" />
        </label>
        <label>
          <span>US lots pooled</span>
          <select {...register("pooling")} data-testid="pref-pooling">
            <option value="transition">across accounts until 2024, per account from 2025</option>
            <option value="per-account">per account</option>
          </select>
        </label>
        <button type="submit" disabled={!formState.isDirty || save.isPending} data-testid="pref-save">
          Save
        </button>
      </form>
      {save.isSuccess && !formState.isDirty && (
        <p className="state state-ok" data-testid="pref-saved">
          Saved.
        </p>
      )}
      {save.isError && <ErrorPanel error={toBackendError(save.error)} />}
    </section>
  );
}

export function TransferFees() {
  const qc = useQueryClient();
  const fees = useQuery(queries.transferFees);
  const set = useMutation({
    mutationFn: (v: { j: string; t: string }) => backend.setTransferFee(v.j, v.t),
    onSuccess: () => void qc.invalidateQueries({ predicate: (q) => ["transfer-fees", ...LEDGER_KEYS].includes(String(q.queryKey[0])) }),
  });
  return (
    <section className="card" aria-labelledby="fees-heading">
      <h3 id="fees-heading">The network fee of a move between your own accounts</h3>
      <p className="hint">
        What the network keeps when you move coins between your accounts: a sale of those units for their value
        (the default), or a cost the units that arrive carry.
      </p>
      {fees.isError && <ErrorPanel error={toBackendError(fees.error)} />}
      <div className="report-form">
        {fees.data?.map((f) => (
          <label key={f.jurisdiction}>
            <span>
              {COUNTRIES.find(([id]) => id === f.jurisdiction)?.[1]} reports{f.default ? " (default)" : ""}
            </span>
            <select value={f.treatment} onChange={(e) => set.mutate({ j: f.jurisdiction, t: e.target.value })} data-testid={`fee-${f.jurisdiction}`}>
              <option value="disposal">a disposal at its value</option>
              <option value="basis">part of the cost that arrives</option>
            </select>
          </label>
        ))}
      </div>
      {set.isError && <ErrorPanel error={toBackendError(set.error)} />}
    </section>
  );
}

const FIELDS = [
  ["taker_pct", "Taker fee, % (market orders)"],
  ["maker_pct", "Maker fee, %"],
  ["spread_pct", "Spread, % (a desk's quote)"],
  ["min_ticket", "Minimum ticket (e.g. 100000 USD)"],
  ["withdrawal_fee", "Withdrawal fee (e.g. 4 USD)"],
  ["limit_day", "Withdrawal limit per day (e.g. 25000 USD)"],
  ["limit_month", "Withdrawal limit per month"],
  ["limit_year", "Withdrawal limit per year"],
] as const;

type FigureForm = { venue: string; field: string; value: string; note: string };

export function VenueFigures() {
  const qc = useQueryClient();
  const overrides = useQuery(queries.overrides);
  const venues = useQuery(queries.venues);
  const [draft, setDraft] = useDraft<FigureForm>("figure-form", { venue: "", field: "taker_pct", value: "", note: "" });
  const { register, handleSubmit, reset, watch } = useForm<FigureForm>({ defaultValues: draft });
  useEffect(() => {
    const sub = watch((v) => setDraft({ venue: v.venue ?? "", field: v.field ?? "taker_pct", value: v.value ?? "", note: v.note ?? "" }));
    return () => sub.unsubscribe();
  }, [watch, setDraft]);
  const refresh = () => void qc.invalidateQueries({ predicate: (q) => ["overrides", "quote", "plan"].includes(String(q.queryKey[0])) });
  const add = useMutation({
    mutationFn: (f: FigureForm) => backend.setOverride(f.venue, f.field, f.value.trim(), f.note.trim()),
    onSuccess: () => {
      const cleared = { ...draft, value: "", note: "" };
      setDraft(cleared);
      reset(cleared);
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: (o: { venue: string; field: string }) => backend.removeOverride(o.venue, o.field), onSuccess: refresh });
  const name = (id: string) => venues.data?.find((v) => v.id === id)?.name ?? id;
  return (
    <section className="card" aria-labelledby="figures-heading">
      <h3 id="figures-heading">Your venue figures</h3>
      <p className="hint">
        Your own fee tier, your verified withdrawal limits, a desk's quote: they replace the published figure in quotes
        and plans, marked as yours. Setting a figure again replaces it.
      </p>
      {(overrides.error ?? venues.error) && <ErrorPanel error={toBackendError(overrides.error ?? venues.error)} />}
      {overrides.data?.length === 0 && (
        <p className="empty" data-testid="figures-empty">
          None yet: the published figures apply.
        </p>
      )}
      {overrides.data && overrides.data.length > 0 && (
        <table className="data-table" data-testid="figures">
          <thead>
            <tr>
              <th>Venue</th>
              <th>Figure</th>
              <th>Value</th>
              <th>Note</th>
              <th>Set on</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {overrides.data.map((o) => (
              <tr key={`${o.venue}-${o.field}`} data-testid={`figure-${o.venue}-${o.field}`}>
                <td>{name(o.venue)}</td>
                <td>{FIELDS.find(([f]) => f === o.field)?.[1] ?? o.field}</td>
                <td>
                  {o.value} {o.currency ?? "%"}
                </td>
                <td>{o.note}</td>
                <td>{formatDate(o.set_on)}</td>
                <td>
                  <button type="button" onClick={() => reset({ venue: o.venue, field: o.field, value: o.value + (o.currency ? ` ${o.currency}` : ""), note: o.note })}>
                    Edit
                  </button>{" "}
                  <button type="button" onClick={() => remove.mutate(o)} data-testid={`figure-remove-${o.venue}-${o.field}`}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form className="report-form" onSubmit={handleSubmit((f) => add.mutate(f))} data-testid="figure-form">
        <label>
          <span>Venue</span>
          <select {...register("venue", { required: true })} data-testid="figure-venue">
            <option value="">Choose…</option>
            {venues.data?.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Figure</span>
          <select {...register("field")} data-testid="figure-field">
            {FIELDS.map(([f, label]) => (
              <option key={f} value={f}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>Value</span>
          <input {...register("value", { required: true })} size={14} data-testid="figure-value" />
        </label>
        <label>
          <span>Note (where it comes from)</span>
          <input {...register("note")} size={24} data-testid="figure-note" />
        </label>
        <button type="submit" disabled={add.isPending} data-testid="figure-save">
          Save the figure
        </button>
      </form>
      {add.isError && <ErrorPanel error={toBackendError(add.error)} />}
      {remove.isError && <ErrorPanel error={toBackendError(remove.error)} />}
    </section>
  );
}

export function BackupNow() {
  const [dest, setDest] = useDraft("backup-path", "");
  const backup = useMutation({ mutationFn: () => backend.backup(dest.trim()) });
  const choose = async () => {
    const { save } = await import("@tauri-apps/plugin-dialog");
    const day = new Date().toISOString().slice(0, 10);
    const picked = await save({ title: "Save a backup of the ledger", defaultPath: `offramp-backup-${day}.offramp`, filters: [{ name: "Offramp ledger", extensions: ["offramp"] }] });
    if (picked) setDest(picked);
  };
  return (
    <section className="card" aria-labelledby="backup-heading">
      <h3 id="backup-heading">Back up now</h3>
      <p className="hint">
        An encrypted copy (the same passphrase and second factor), checked before it gets its name. Keep one away from
        this computer.
      </p>
      <form
        className="report-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (dest.trim()) backup.mutate();
        }}
      >
        <label>
          <span>Backup file</span>
          <input value={dest} onChange={(e) => setDest(e.target.value)} className="wide" placeholder="/media/usb/offramp-backup.offramp" data-testid="backup-path" />
        </label>
        <button type="button" onClick={() => void choose()} data-testid="backup-choose">
          Choose…
        </button>
        <button type="submit" className="primary" disabled={!dest.trim() || backup.isPending} data-testid="backup-submit">
          Back up
        </button>
      </form>
      {backup.isError && <ErrorPanel error={toBackendError(backup.error)} />}
      {backup.data && (
        <p className="state state-ok" data-testid="backup-done">
          Backed up to {backup.data.path}: {formatCount(backup.data.transactions)} transactions in {formatCount(backup.data.accounts)} accounts
          {backup.data.last_transaction ? `, the latest of ${formatInstant(backup.data.last_transaction)}` : ""}.
        </p>
      )}
    </section>
  );
}

export function CheckLedger() {
  const check = useMutation({ mutationFn: () => backend.checkLedger() });
  return (
    <section className="card" aria-labelledby="check-heading">
      <h3 id="check-heading">Check the ledger</h3>
      <p className="hint">
        Reads every page of the ledger file and verifies it. Unlocking checks the key and the file&apos;s length, and
        everything only after Offramp was not closed properly; any damaged page is refused whenever it is read.
      </p>
      <button type="button" onClick={() => check.mutate()} disabled={check.isPending} data-testid="check-ledger">
        {check.isPending ? "Checking…" : "Check now"}
      </button>
      {check.isError && <ErrorPanel error={toBackendError(check.error)} />}
      {check.data && (
        <p className="state state-ok" data-testid="check-done">
          The ledger is whole: every page read and verified ({formatCount(check.data.transactions)} transactions).
        </p>
      )}
    </section>
  );
}

export function Restore({ secondFactor }: { secondFactor: boolean }) {
  const qc = useQueryClient();
  const [path, setPath] = useDraft("restore-path", "");
  // Secrets are kept in the screen only, never in drafts.
  const inspect = useMutation({ mutationFn: (p: { passphrase: string }) => backend.inspectBackup(path.trim(), p.passphrase) });
  const restore = useMutation({
    mutationFn: (p: { passphrase: string; code: string }) => backend.restore(path.trim(), p.passphrase, secondFactor ? p.code : undefined),
    onSuccess: () => void qc.invalidateQueries(),
  });
  const { register, handleSubmit, reset } = useForm<{ passphrase: string; code: string }>({ defaultValues: { passphrase: "", code: "" } });
  const choose = async () => {
    const { open } = await import("@tauri-apps/plugin-dialog");
    const picked = await open({ title: "Choose a backup", multiple: false, directory: false, filters: [{ name: "Offramp ledger", extensions: ["offramp"] }] });
    if (typeof picked === "string") setPath(picked);
  };
  return (
    <section className="card" aria-labelledby="restore-heading">
      <h3 id="restore-heading">Restore from a backup</h3>
      <p className="hint">
        The backup is checked first (its passphrase, that it is whole, what it holds); the ledger it replaces is kept
        beside it. The ledger is locked afterwards.
      </p>
      <form
        className="access-form"
        onSubmit={handleSubmit((v) => {
          restore.mutate(v, { onSuccess: () => reset() });
        })}
        data-testid="restore-form"
      >
        <div className="inline-form">
          <label>
            <span>Backup file</span>
            <input value={path} onChange={(e) => setPath(e.target.value)} className="wide" data-testid="restore-path" />
          </label>
          <button type="button" onClick={() => void choose()} data-testid="restore-choose">
            Choose…
          </button>
        </div>
        <label>
          <span>The backup's passphrase</span>
          <input type="password" autoComplete="current-password" {...register("passphrase", { required: true })} data-testid="restore-passphrase" />
        </label>
        {secondFactor && (
          <label>
            <span>Code from your authenticator app (or a recovery code)</span>
            <input inputMode="numeric" autoComplete="one-time-code" {...register("code", { required: true })} data-testid="restore-code" />
          </label>
        )}
        <div className="actions">
          <button type="button" onClick={handleSubmit((v) => inspect.mutate(v))} disabled={!path.trim() || inspect.isPending} data-testid="restore-check">
            Check what it holds
          </button>
          <button type="submit" disabled={!path.trim() || restore.isPending} data-testid="restore-submit">
            Restore it
          </button>
        </div>
      </form>
      {inspect.isError && <ErrorPanel error={toBackendError(inspect.error)} />}
      {inspect.data && (
        <p data-testid="restore-holds">
          It holds {formatCount(inspect.data.transactions)} transactions in {formatCount(inspect.data.accounts)} accounts
          {inspect.data.last_transaction ? `, the latest of ${formatInstant(inspect.data.last_transaction)}` : ""}.
        </p>
      )}
      {restore.isError && <ErrorPanel error={toBackendError(restore.error)} />}
      {restore.data && (
        <p className="state state-ok" data-testid="restore-done">
          Restored ({formatCount(restore.data.backup.transactions)} transactions).
          {restore.data.replaced ? ` The replaced ledger is kept at ${restore.data.replaced}.` : ""} Unlock it to go on.
        </p>
      )}
    </section>
  );
}

/** The official exchange rates reports convert other currencies with: what is known, and a refresh. */
export function ExchangeRates() {
  const qc = useQueryClient();
  const status = useQuery({ queryKey: ["rates-status"], queryFn: () => backend.ratesStatus() });
  const refresh = useMutation({
    mutationFn: () => backend.refreshRates(),
    onSuccess: () => void qc.invalidateQueries(),
  });
  return (
    <section className="card" aria-labelledby="rates-heading">
      <h3 id="rates-heading">Exchange rates</h3>
      <p className="hint">
        A report converts an amount in another currency at the official rate its tax authority accepts, and each
        converted row names the rate. Rates ship with Offramp; the newest are fetched from their publishers.
      </p>
      {status.isError && <ErrorPanel error={toBackendError(status.error)} />}
      {status.data && (
        <ul className="rates" data-testid="rates">
          {status.data.series.map((x) => (
            <li key={x.source} data-testid={`rates-${x.source}`}>
              <strong>{x.name}</strong> (against {x.base}):{" "}
              {x.first && x.last
                ? `${x.currencies} currencies, ${x.monthly ? x.first.slice(0, 7) : formatDate(x.first)} to ${x.monthly ? x.last.slice(0, 7) : formatDate(x.last)}`
                : "none yet: fetch them below"}
              {x.fetched > 0 ? `; ${formatCount(x.fetched)} fetched into your ledger` : ""}. <span className="note">{x.attribution}</span>
            </li>
          ))}
        </ul>
      )}
      {status.data && (
        <ul className="note" data-testid="rate-rules">
          {status.data.rules.map(([j, rule]) => (
            <li key={j}>
              {j.toUpperCase()}: {rule}
            </li>
          ))}
        </ul>
      )}
      {status.data && (status.data.missing ?? []).length > 0 && (
        <div className="unknowns" data-testid="rates-missing">
          <strong>Rates your transactions need that are not known yet</strong> (those figures stay unknown in that report):
          <ul>
            {status.data.missing.map((m) => (
              <li key={`${m.jurisdiction}-${m.currency}`}>
                {m.jurisdiction.toUpperCase()}: {m.source.toUpperCase()} {m.currency} on {formatCount(m.count)} {m.source === "hmrc" ? "month" : "day"}
                {m.count === 1 ? "" : "s"} ({m.first.map((d) => (m.source === "hmrc" ? d.slice(0, 7) : formatDate(d))).join(", ")}
                {m.count > m.first.length ? ", …" : ""})
              </li>
            ))}
          </ul>
        </div>
      )}
      <button type="button" onClick={() => refresh.mutate()} disabled={refresh.isPending} data-testid="rates-refresh">
        {refresh.isPending ? "Fetching…" : "Fetch the newest rates"}
      </button>
      {refresh.isError && <ErrorPanel error={toBackendError(refresh.error)} />}
      {refresh.data && (
        <ul className="state" data-testid="rates-refreshed">
          {refresh.data.map((o) => (
            <li key={o.source}>
              {o.source.toUpperCase()}:{" "}
              {o.error ? `not fetched (${o.error}); nothing changed` : `${formatCount(o.added)} new, ${formatCount(o.changed)} corrected`}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
