// Tax reports: a year, a jurisdiction, a method → a preview (totals, a chart of gains by month, the disposals with
// an unknown figure first with what to do about each, then every row) → a file in any format the CLI writes.
import { useMemo, useRef, useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { Link } from "react-router";
import { NeedsLedger } from "./Access";
import {
  backend,
  newJob,
  onJobProgress,
  toBackendError,
  type BasisRequest,
  type CaReport,
  type DeReport,
  type ExportRequest,
  type Exported,
  type Flag,
  type GainsReport,
  type IncomeReport,
  type JobProgress,
  type UkReport,
} from "./backend";
import { ErrorPanel } from "./common";
import { ROW_HEIGHT, VirtualTable } from "./virtualTable";
import { useDraft } from "./drafts";
import { formatCount, formatDate, formatNumber, formatQty, userLocale } from "./format";
import { addDecimals } from "./money";
import { queries } from "./queries";

export type Jurisdiction = "us" | "uk" | "de" | "ca";
export type ReportForm = { jurisdiction: Jurisdiction; year: string; method: string; pooling: string };

const CURRENCY: Record<Jurisdiction, string> = { us: "USD", uk: "GBP", de: "EUR", ca: "CAD" };
const NAMES: Record<Jurisdiction, string> = {
  us: "United States (Form 8949, Schedule D)",
  uk: "United Kingdom (SA108)",
  de: "Germany (Anlage SO)",
  ca: "Canada (Schedule 3)",
};

/** Last year: the one a return is usually being prepared for (a default only; the user picks). */
const defaultYear = () => String(new Date().getFullYear() - 1);

type Loaded =
  | { jurisdiction: "us"; gains: GainsReport; income: IncomeReport }
  | { jurisdiction: "uk"; gains: UkReport; income: IncomeReport }
  | { jurisdiction: "de"; gains: DeReport; income: IncomeReport }
  | { jurisdiction: "ca"; gains: CaReport; income: IncomeReport };

/** One disposal row as the preview shows it, whatever the jurisdiction. */
type Row = { key: string; date: string; asset: string; qty: string; proceeds: string | null; cost: string | null; gain: string | null; detail: string; source: string; flags: Flag[]; rates: string[] };

function basisOf(f: ReportForm): BasisRequest {
  return { method: f.method || "fifo", pooling: f.pooling || "transition" };
}

async function load(f: ReportForm, job: string): Promise<Loaded> {
  const year = Number(f.year);
  const income = () => backend.income(year, f.jurisdiction, `${job}-income`);
  switch (f.jurisdiction) {
    case "us":
      return { jurisdiction: "us", gains: await backend.usGains(year, basisOf(f), job), income: await income() };
    case "uk":
      return { jurisdiction: "uk", gains: await backend.ukGains(year, job), income: await income() };
    case "de":
      return { jurisdiction: "de", gains: await backend.deGains(year, job), income: await income() };
    case "ca":
      return { jurisdiction: "ca", gains: await backend.caGains(year, job), income: await income() };
  }
}

function rowsOf(l: Loaded): Row[] {
  switch (l.jurisdiction) {
    case "us":
    case "de":
      return l.gains.rows.map((r, i) => ({
        key: `${r.disposal}-${r.lot}-${i}`,
        date: r.sold,
        asset: r.asset,
        qty: r.qty,
        proceeds: r.proceeds,
        cost: r.cost,
        gain: r.gain,
        detail: `${l.gains.terms[r.term === "short" ? 0 : 1]}, acquired ${formatDate(r.acquired)} (${r.account})`,
        source: r.disposal_source,
        flags: r.flags,
        rates: r.exchange_rates,
      }));
    case "uk":
      return l.gains.rows.map((r, i) => ({
        key: `${r.date}-${r.asset}-${i}`,
        date: r.date,
        asset: r.asset,
        qty: r.qty,
        proceeds: r.proceeds,
        cost: r.cost,
        gain: r.gain,
        detail: r.matches.map((m) => (m.rule === "section104" ? "Section 104 pool" : m.rule === "same_day" ? "same day" : `30 days (${formatDate(m.acquired)})`)).join(", "),
        source: r.sources.join(", "),
        flags: [],
        rates: r.exchange_rates,
      }));
    case "ca":
      return l.gains.rows.map((r) => ({
        key: String(r.id),
        date: r.date,
        asset: r.asset,
        qty: r.qty,
        proceeds: r.proceeds,
        cost: r.acb,
        gain: r.gain,
        detail: r.denied_loss !== "0" && r.denied_loss !== "0.00" ? `superficial loss denied: ${formatNumber(r.denied_loss)}` : "ACB",
        source: r.source,
        flags: [],
        rates: r.exchange_rate ? [r.exchange_rate] : [],
      }));
  }
}

/** What the user can do about a disposal whose figures are incomplete. */
export function adviceFor(flags: Flag[], row: Row): string {
  const say: Record<Flag, string> = {
    needs_price: "Its value is missing: fill it from the exchanges' daily prices (Home), or set its price (Ledger › Edit).",
    foreign_currency: "Its amount is in another currency, on a date with no official rate known: fetch the newest rates (Settings › Exchange rates), or set its value in the report's currency (Ledger › Edit).",
    fee_in_other_asset: "A fee was paid in a third asset: add that fee's value.",
    transfer_fee: "The network kept part of an own transfer: it is a disposal of unknown value unless you choose another treatment (Settings › Transfer fees).",
    unknown_origin: "The coins came from somewhere not in the ledger: import the account they came from, confirm the own transfer (Ledger › Own transfers), or record their purchase (Ledger › Edit › Correct it).",
    unknown_destination: "The coins left to an unknown place: confirm the own transfer if it went to one of your accounts.",
  };
  if (flags.length) return flags.map((f) => say[f]).join(" ");
  return row.proceeds === null
    ? "The proceeds are unknown: the sale's value is missing (import the file with prices, or add fiat_value)."
    : "The cost is unknown: some of the coins sold arrived with no known cost (import the account they came from, or confirm the own transfer).";
}

export function Reports() {
  return (
    <NeedsLedger what="Your reports">
      <WithDefaults />
    </NeedsLedger>
  );
}

/** The form starts from the user's defaults (Settings), once they are read. */
function WithDefaults() {
  const prefs = useQuery(queries.preferences);
  if (prefs.isPending) return <p data-testid="loading">Loading…</p>;
  const p = prefs.data;
  return (
    <ReportScreen
      initial={{
        jurisdiction: (p?.jurisdiction ?? "us") as Jurisdiction,
        year: defaultYear(),
        method: p?.method ?? "fifo",
        pooling: p?.pooling ?? "transition",
      }}
    />
  );
}

function ReportScreen({ initial }: { initial: ReportForm }) {
  const [form, setForm] = useDraft<ReportForm>("report-form", initial);
  const [shown, setShown] = useDraft<ReportForm | null>("report-shown", null);
  const [progress, setProgress] = useState<JobProgress | null>(null);
  const jobRef = useRef<string | null>(null);
  const report = useQuery({
    queryKey: ["report", shown],
    enabled: shown !== null,
    staleTime: Infinity,
    queryFn: async () => {
      const job = newJob("report");
      jobRef.current = job;
      setProgress(null);
      const off = await onJobProgress(job, setProgress).catch(() => null);
      try {
        return await load(shown as ReportForm, job);
      } catch (e) {
        throw toBackendError(e);
      } finally {
        off?.();
        jobRef.current = null;
      }
    },
  });
  const yearOk = /^\d{4}$/.test(form.year) && Number(form.year) >= 2009 && Number(form.year) <= 2100;
  const set = <K extends keyof ReportForm>(k: K, v: ReportForm[K]) => setForm((f) => ({ ...f, [k]: v }));
  return (
    <>
      <h2 className="page-title">Reports</h2>
      <section className="card" aria-labelledby="report-heading">
        <h3 id="report-heading">Capital gains and income</h3>
        <form
          className="report-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (yearOk) setShown({ ...form });
          }}
        >
          <label>
            <span>Country's rules</span>
            <select value={form.jurisdiction} onChange={(e) => set("jurisdiction", e.target.value as Jurisdiction)} data-testid="report-jurisdiction">
              {(Object.keys(NAMES) as Jurisdiction[]).map((j) => (
                <option key={j} value={j}>
                  {NAMES[j]}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{form.jurisdiction === "uk" ? "Tax year starting 6 April" : "Tax year"}</span>
            <input value={form.year} onChange={(e) => set("year", e.target.value.trim())} inputMode="numeric" size={6} aria-invalid={!yearOk} data-testid="report-year" />
          </label>
          {form.jurisdiction === "us" && (
            <>
              <label>
                <span>Method (per year: fifo,2023=hifo)</span>
                <input value={form.method} onChange={(e) => set("method", e.target.value)} list="methods" size={16} data-testid="report-method" />
                <datalist id="methods">
                  <option value="fifo" />
                  <option value="lifo" />
                  <option value="hifo" />
                </datalist>
              </label>
              <label>
                <span>Lots pooled</span>
                <select value={form.pooling} onChange={(e) => set("pooling", e.target.value)} data-testid="report-pooling">
                  <option value="transition">across accounts until 2024, per account from 2025</option>
                  <option value="per-account">per account</option>
                </select>
              </label>
            </>
          )}
          {form.jurisdiction !== "us" && (
            <p className="note">
              {form.jurisdiction === "uk" && "Same day, 30 days, then the Section 104 pool (the law leaves no choice)."}
              {form.jurisdiction === "de" && "First in, first out per wallet (as the BMF letter of 2025 asks)."}
              {form.jurisdiction === "ca" && "Adjusted cost base over all accounts; superficial losses denied."}
            </p>
          )}
          <button type="submit" className="primary" disabled={!yearOk || report.isFetching} data-testid="report-submit">
            Show the report
          </button>
          {report.isFetching && jobRef.current && (
            <button type="button" onClick={() => jobRef.current && void backend.cancelJob(jobRef.current)} data-testid="report-cancel">
              Cancel
            </button>
          )}
        </form>
        {report.isFetching && (
          <div className="progress" data-testid="report-progress">
            <progress max={progress?.total || 1} value={progress?.done ?? 0} aria-label="Reading the history" />
            <span className="note">{progress ? `${formatCount(progress.done)} of ${formatCount(progress.total)} transactions read` : "Reading the history…"}</span>
          </div>
        )}
        {report.isError && <ErrorPanel error={toBackendError(report.error)} />}
        {shown === null && (
          <p className="empty" data-testid="report-empty">
            Choose the country and the year, then show the report. Everything is computed from your ledger on this computer.
          </p>
        )}
      </section>
      {report.data && shown && <Preview loaded={report.data} form={shown} />}
      {report.data && shown && <ExportCard form={shown} />}
    </>
  );
}

function Total({ label, value, testid }: { label: string; value: string; testid: string }) {
  return (
    <div className="total">
      <div className="label">{label}</div>
      <div className="value" data-testid={testid}>
        {value}
      </div>
    </div>
  );
}

function Preview({ loaded, form }: { loaded: Loaded; form: ReportForm }) {
  const cur = CURRENCY[loaded.jurisdiction];
  const money = (v: string | null | undefined) => (v === null || v === undefined ? "unknown" : `${formatNumber(v)} ${cur}`);
  const rows = useMemo(() => rowsOf(loaded), [loaded]);
  const unknown = rows.filter((r) => r.gain === null);
  const known = rows.filter((r) => r.gain !== null);
  // Gains by month, summed exactly; the chart draws them (display only).
  const byMonth = useMemo(() => {
    const m = new Map<string, string>();
    for (const r of known) m.set(r.date.slice(0, 7), addDecimals(m.get(r.date.slice(0, 7)) ?? "0", r.gain as string));
    return [...m.entries()].sort().map(([month, gain]) => ({ month, gain: Number(gain), exact: gain }));
  }, [known]);
  const g = loaded.gains;
  return (
    <section className="card" aria-labelledby="preview-heading" data-testid="report-preview">
      <h3 id="preview-heading">
        {NAMES[loaded.jurisdiction]}, {loaded.jurisdiction === "uk" ? `tax year ${form.year}/${String((Number(form.year) + 1) % 100).padStart(2, "0")}` : form.year}
      </h3>
      <div className="totals">
        {loaded.jurisdiction === "us" && (
          <>
            <Total label="Short-term gain (Part I)" value={money((g as GainsReport).short_term_gain.value)} testid="total-short" />
            <Total label="Long-term gain (Part II)" value={money((g as GainsReport).long_term_gain.value)} testid="total-long" />
          </>
        )}
        {loaded.jurisdiction === "uk" && (
          <>
            <Total label="Disposals (SA108 box 5)" value={formatCount((g as UkReport).sa108.disposals)} testid="total-disposals" />
            <Total label="Proceeds" value={money((g as UkReport).sa108.proceeds.value)} testid="total-proceeds" />
            <Total label="Allowable costs (with selling fees)" value={money((g as UkReport).sa108.allowable_costs.value)} testid="total-costs" />
            {(g as UkReport).sa108.incidental_costs && (
              <Total label="of which selling fees" value={money((g as UkReport).sa108.incidental_costs.value)} testid="total-incidental" />
            )}
            <Total label="Gains" value={money((g as UkReport).sa108.gains.value)} testid="total-gains" />
            <Total label="Losses" value={money((g as UkReport).sa108.losses.value)} testid="total-losses" />
          </>
        )}
        {loaded.jurisdiction === "de" && (
          <>
            <Total label="Veräußerungspreis (Anlage SO)" value={money((g as DeReport).anlage_so.proceeds)} testid="total-proceeds" />
            <Total label="Anschaffungskosten" value={money((g as DeReport).anlage_so.cost)} testid="total-costs" />
            <Total label="Gewinn/Verlust (taxable)" value={money((g as DeReport).anlage_so.gain)} testid="total-gain" />
            <Total label="Tax-free (held over a year)" value={money((g as DeReport).long_term_gain.value)} testid="total-tax-free" />
            <Total
              label={`Freigrenze ${formatNumber((g as DeReport).freigrenze.limit, 0)} EUR`}
              value={
                (g as DeReport).freigrenze.verdict === "below"
                  ? "below: tax-free"
                  : (g as DeReport).freigrenze.verdict === "reached"
                    ? "reached: all taxable"
                    : "not known: resolve the unknown rows first"
              }
              testid="total-freigrenze"
            />
          </>
        )}
        {loaded.jurisdiction === "ca" && (
          <>
            <Total label="Proceeds (Schedule 3)" value={money((g as CaReport).totals.proceeds.value)} testid="total-proceeds" />
            <Total label="Adjusted cost base" value={money((g as CaReport).totals.acb.value)} testid="total-acb" />
            <Total label="Net gain" value={money((g as CaReport).totals.net.value)} testid="total-net" />
            <Total label="Taxable (half)" value={money((g as CaReport).totals.taxable.value)} testid="total-taxable" />
            {(g as CaReport).totals.net_capital_loss.value.replace(/[0.]/g, "") !== "" && (
              <Total
                label="Net capital loss (half; carried over, s.111)"
                value={money((g as CaReport).totals.net_capital_loss.value)}
                testid="total-net-capital-loss"
              />
            )}
          </>
        )}
        <Total label={`Income (${cur}, at receipt)`} value={money(loaded.income.total.value)} testid="total-income" />
        <Total label="Disposals listed" value={formatCount(rows.length)} testid="total-rows" />
      </div>
      {unknown.length > 0 && (
        <div className="unknowns" role="alert" data-testid="report-unknowns">
          <strong>
            {formatCount(unknown.length)} disposal{unknown.length === 1 ? " has" : "s have"} an unknown figure: the totals above leave them out, and
            a return filed with them would be wrong.
          </strong>
          {"foreign_fiat" in g && (g as UkReport).foreign_fiat.length > 0 && (
            <p data-testid="report-unknown-cause">
              Their trades are in {(g as UkReport).foreign_fiat.join(", ")}, in months with no HMRC exchange rate known yet, so their pound figures
              are unknown (never zero). Settings › Exchange rates fetches the missing months.
            </p>
          )}
          <ul>
            {unknown.slice(0, 50).map((r) => (
              <li key={r.key} data-testid="unknown-row">
                {formatDate(r.date)}: {formatQty(r.qty)} {r.asset} ({r.source}). {adviceFor(r.flags, r)}
              </li>
            ))}
          </ul>
          {unknown.length > 50 && <p className="note">…and {formatCount(unknown.length - 50)} more, first in the rows below and in the file.</p>}
          <p>
            <Link to="/ledger/transactions">See them in the ledger</Link>
          </p>
        </div>
      )}
      {rows.length === 0 ? (
        <p className="empty" data-testid="report-no-rows">
          No disposal in this tax year.
        </p>
      ) : (
        <>
          {byMonth.length > 0 && (
            <figure className="chart" aria-label="Gains by month" data-testid="report-chart">
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={byMonth}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="month" />
                  <YAxis
                    domain={[(min: number) => Math.min(0, min), (max: number) => Math.max(0, max)]}
                    tickFormatter={(v: number) => new Intl.NumberFormat(userLocale(), { notation: "compact" }).format(v)}
                  />
                  <Tooltip formatter={(_v, _n, item) => `${formatNumber((item.payload as { exact: string }).exact)} ${cur}`} />
                  <Bar dataKey="gain" name="Gain" fill="var(--accent)" />
                </BarChart>
              </ResponsiveContainer>
            </figure>
          )}
          <RowsTable rows={[...unknown, ...known]} money={money} />
        </>
      )}
    </section>
  );
}

function RowsTable({ rows, money }: { rows: Row[]; money: (v: string | null) => string }) {
  return (
    <VirtualTable
      count={rows.length}
      label="Disposals"
      testId="report-scroll"
      tableTestId="report-rows"
      head={<tr>
        <th style={{ width: 110 }}>Sold</th>
        <th style={{ width: 70 }}>Asset</th>
        <th style={{ width: 110 }} className="num">Quantity</th>
        <th style={{ width: 130 }} className="num">Proceeds</th>
        <th style={{ width: 130 }} className="num">Cost</th>
        <th style={{ width: 130 }} className="num">Gain</th>
        <th style={{ width: 220 }}>Rule</th>
        <th style={{ width: 150 }}>Source</th>
      </tr>}
      row={(index) => {
        const r = rows[index];
        if (!r) return null;
        return (
          <tr key={r.key} style={{ height: ROW_HEIGHT }} data-testid="report-row" className={r.gain === null ? "unknown" : ""}>
            <td>{formatDate(r.date)}</td>
            <td>{r.asset}</td>
            <td className="num">{formatQty(r.qty)}</td>
            <td className="num">{money(r.proceeds)}</td>
            <td className="num">{money(r.cost)}</td>
            <td className={`num ${r.gain?.startsWith("-") ? "negative" : ""}`}>{r.gain === null ? <span className="flag">unknown</span> : money(r.gain)}</td>
            <td title={r.detail}>{r.detail}</td>
            <td title={[r.source, ...r.rates].join("\n")}>
              {r.source}
              {r.rates.length > 0 && (
                <span className="note" data-testid="row-rate">
                  {" "}· converted at {r.rates.join("; ")}
                </span>
              )}
            </td>
          </tr>
        );
      }}
    />
  );
}

type Format = { id: string; label: string; name: string; request: (f: ReportForm) => ExportRequest };

/** Every file the CLI writes, for the jurisdiction shown. */
export function formatsFor(j: Jurisdiction): Format[] {
  const year = (f: ReportForm) => Number(f.year);
  const yearEnd = (f: ReportForm) => (j === "uk" ? `${Number(f.year) + 1}-04-05` : `${f.year}-12-31`);
  const gains: Record<Jurisdiction, string> = {
    us: "Capital gains CSV (one row per lot)",
    uk: "UK computation CSV (same day, 30 days, Section 104) with the SA108 figures",
    de: "Private sales CSV with the Anlage SO totals and the Freigrenze",
    ca: "Capital gains CSV with the Schedule 3 totals",
  };
  const pdf: Record<Jurisdiction, string> = {
    us: "Readable PDF: Form 8949 pages and the Schedule D lines",
    uk: "Readable PDF: the computation and the SA108 boxes",
    de: "Readable PDF: the sales and the Anlage SO lines",
    ca: "Readable PDF: the disposals and the Schedule 3 lines",
  };
  const list: Format[] = [
    { id: "gains", label: gains[j], name: `gains-${j}`, request: (f) => ({ kind: "gains", jurisdiction: j, year: year(f), basis: basisOf(f) }) },
    { id: "pdf", label: pdf[j], name: `report-${j}`, request: (f) => ({ kind: "pdf", jurisdiction: j, year: year(f), basis: basisOf(f), reported: "none" }) },
  ];
  if (j === "us") {
    list.push(
      { id: "form8949", label: "Form 8949 rows with the Schedule D totals", name: "form8949", request: (f) => ({ kind: "form8949", year: year(f), basis: basisOf(f), reported: "none" }) },
      { id: "turbotax", label: "TurboTax import CSV", name: "turbotax", request: (f) => ({ kind: "software", year: year(f), format: "turbotax", basis: basisOf(f) }) },
      { id: "taxact", label: "TaxAct import CSV", name: "taxact", request: (f) => ({ kind: "software", year: year(f), format: "taxact", basis: basisOf(f) }) },
    );
  }
  list.push(
    { id: "income", label: "Income CSV (staking, mining, airdrops, interest)", name: `income-${j}`, request: (f) => ({ kind: "income", jurisdiction: j, year: year(f) }) },
    {
      id: "holdings",
      label: "Holdings at the end of the tax year (lots, cost)",
      name: `holdings-${j}`,
      request: (f) => ({ kind: "holdings", request: { at: yearEnd(f), currency: CURRENCY[j], prices: [] }, basis: basisOf(f) }),
    },
    { id: "beancount", label: "Beancount ledger (lots at cost)", name: "ledger", request: () => ({ kind: "beancount", currency: CURRENCY[j], method: "fifo" }) },
    { id: "generic", label: "Every transaction (Offramp's generic CSV)", name: "transactions", request: () => ({ kind: "generic" }) },
  );
  return list;
}

function ExportCard({ form }: { form: ReportForm }) {
  const formats = formatsFor(form.jurisdiction);
  const [choice, setChoice] = useDraft("export-format", "gains");
  const format = formats.find((f) => f.id === choice) ?? formats[0]!;
  const ext = format.id === "beancount" ? "beancount" : format.id === "pdf" ? "pdf" : "csv";
  const [path, setPath] = useDraft("export-path", "");
  const save = useMutation({
    mutationFn: (): Promise<Exported> => backend.exportFile(format.request(form), path.trim(), newJob("export")),
  });
  const choose = async () => {
    const { save: dialog } = await import("@tauri-apps/plugin-dialog");
    const picked = await dialog({
      title: "Save the report",
      defaultPath: `offramp-${format.name}-${form.year}.${ext}`,
      filters: [{ name: ext === "csv" ? "CSV" : ext === "pdf" ? "PDF" : "Beancount", extensions: [ext] }],
    });
    if (picked) setPath(picked);
  };
  return (
    <section className="card" aria-labelledby="export-heading">
      <h3 id="export-heading">Save as a file</h3>
      <form
        className="report-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (path.trim()) save.mutate();
        }}
      >
        <label>
          <span>Format</span>
          <select value={format.id} onChange={(e) => setChoice(e.target.value)} data-testid="export-format">
            {formats.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>File</span>
          <input value={path} onChange={(e) => setPath(e.target.value)} className="wide" placeholder={`/home/you/offramp-${format.name}-${form.year}.${ext}`} data-testid="export-path" />
        </label>
        <button type="button" onClick={() => void choose()} data-testid="export-choose">
          Choose…
        </button>
        <button type="submit" className="primary" disabled={!path.trim() || save.isPending} data-testid="export-submit">
          Save
        </button>
      </form>
      {save.isError && <ErrorPanel error={toBackendError(save.error)} />}
      {save.data && (
        <div data-testid="export-done">
          <p className="state state-ok">
            Saved to <code data-testid="export-saved-path">{save.data.path}</code>
          </p>
          <ul className="note" data-testid="export-summary">
            {save.data.summary.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
          <p className="flag" data-testid="export-notice">
            {save.data.notice}
          </p>
        </div>
      )}
    </section>
  );
}
