// The guided sale for a first-time seller: seven steps from "what I hold" to recording the tranches as they
// execute. Every figure comes from the backend as a decimal string; the state is one object (model.ts), saved
// in the ledger while it is unlocked.
import { useEffect, useRef, useState, type ReactNode } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from "recharts";
import { backend, newJob, toBackendError, type BackendError, type Plan, type QuoteRequest, type VenueQuote } from "../backend";
import type { Candidate } from "../bindings/Candidate";
import type { SaleProgress } from "../bindings/SaleProgress";
import { ErrorPanel } from "../common";
import { useDraft } from "../drafts";
import { formatNumber, formatQty } from "../format";
import { addDecimals } from "../money";
import { Recommendation } from "../PlanView";
import { queries } from "../queries";
import { CHECKLIST, STEPS, compareDecimals, divideUp, fromDraft, initialState, riskFor, type WizardState } from "./model";

/** Money in the user's locale (exact: the backend's decimal strings, never a float). */
const money = (v: string | null | undefined) => (v === null || v === undefined ? "unknown" : formatNumber(v, 2));
/** A chart's value (presentation only: the figures themselves stay decimal strings). */
const chartNumber = (v: string | null) => (v === null ? 0 : Number(v));

/** The wizard's state: from the ledger's draft when unlocked (saved back as it changes), else in memory. */
function useWizardState(
  known: boolean,
  unlocked: boolean,
): [WizardState, (f: (s: WizardState) => WizardState) => void, boolean] {
  const [memory, setMemory] = useDraft<WizardState>("sale-wizard", initialState());
  const draft = useQuery({ ...queries.saleDraft, enabled: unlocked });
  const [state, setState] = useState<WizardState | null>(null);
  // Once whether the ledger is unlocked is known, and then its draft has been read.
  const loaded = known && (!unlocked || draft.isFetched);
  useEffect(() => {
    if (state !== null || !loaded) return;
    setState(unlocked && draft.data ? fromDraft(draft.data) : memory);
  }, [loaded, unlocked, draft.data, memory, state]);
  const timer = useRef<number | undefined>(undefined);
  // The latest state, so that updates in a row build on each other; side effects (the in-memory copy, the save)
  // happen here, never inside a state updater.
  const latest = useRef<WizardState | null>(null);
  latest.current = state;
  const update = (f: (s: WizardState) => WizardState) => {
    const next = f(latest.current ?? memory);
    latest.current = next;
    setState(next);
    setMemory(next);
    if (unlocked) {
      window.clearTimeout(timer.current);
      timer.current = window.setTimeout(() => void backend.saveSaleDraft(next).catch(() => undefined), 300);
    }
  };
  return [state ?? memory, update, loaded && state !== null];
}

export function SaleWizard() {
  const session = useQuery(queries.session);
  const unlocked = session.data?.unlocked === true;
  const [s, update, ready] = useWizardState(session.data !== undefined, unlocked);
  if (!session.data || !ready) return <p data-testid="loading">Loading…</p>;
  const go = (step: number) => update((x) => ({ ...x, step: Math.max(0, Math.min(STEPS.length - 1, step)) }));
  return (
    <section className="card wizard" aria-labelledby="wizard-heading">
      <h2 id="wizard-heading">Sell, step by step</h2>
      <p className="hint">
        {unlocked
          ? "Your answers are kept in your encrypted ledger: you can close Offramp and come back to them."
          : "The ledger is locked: your answers are kept only while this window is open, and there is no tax estimate."}
      </p>
      <ol className="stepper" aria-label="Steps">
        {STEPS.map((name, i) => (
          <li key={name}>
            <button
              type="button"
              data-testid={`wizard-step-${i + 1}`}
              aria-current={s.step === i ? "step" : undefined}
              className={s.step === i ? "active" : ""}
              onClick={() => go(i)}
            >
              {i + 1}. {name}
            </button>
          </li>
        ))}
      </ol>
      <div className="wizard-body" data-testid={`wizard-page-${s.step + 1}`}>
        <h3>
          {s.step + 1}. {STEPS[s.step]}
        </h3>
        <Step s={s} update={update} unlocked={unlocked} />
      </div>
      <div className="wizard-nav">
        <button type="button" data-testid="wizard-back" onClick={() => go(s.step - 1)} disabled={s.step === 0}>
          Back
        </button>
        <button type="button" data-testid="wizard-next" onClick={() => go(s.step + 1)} disabled={s.step === STEPS.length - 1}>
          Next
        </button>
      </div>
    </section>
  );
}

type StepProps = { s: WizardState; update: (f: (s: WizardState) => WizardState) => void; unlocked: boolean };

function Step(p: StepProps) {
  switch (p.s.step) {
    case 0:
      return <Holdings {...p} />;
    case 1:
      return <WhatToSell {...p} />;
    case 2:
      return <Situation {...p} />;
    case 3:
      return <Compare {...p} />;
    case 4:
      return <ThePlan {...p} />;
    case 5:
      return <Checklist {...p} />;
    default:
      return <Selling {...p} />;
  }
}

function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label>
      <span>{label}</span>
      {children}
      {hint && <small>{hint}</small>}
    </label>
  );
}

/** The asset's total over the ledger's accounts, or over what was typed. */
function useHeld(s: WizardState, unlocked: boolean): { total: string | null; rows: { where: string; qty: string }[] } {
  const balances = useQuery({ ...queries.balances, enabled: unlocked });
  const asset = s.sale.asset.toUpperCase();
  const rows = unlocked
    ? (balances.data ?? []).filter((b) => b.asset === asset).map((b) => ({ where: b.account, qty: b.qty }))
    : s.holdings.typed.filter((h) => h.asset.toUpperCase() === asset && h.qty !== "").map((h) => ({ where: h.where || "—", qty: h.qty }));
  let total: string | null = rows.length ? "0" : null;
  for (const r of rows) {
    try {
      total = total === null ? r.qty : addDecimals(total, r.qty);
    } catch {
      total = null;
    }
  }
  return { total, rows };
}


function Holdings({ s, update, unlocked }: StepProps) {
  const balances = useQuery({ ...queries.balances, enabled: unlocked });
  if (unlocked) {
    return (
      <div>
        <p className="hint">From your ledger: what each account holds now.</p>
        {balances.isError && <ErrorPanel error={toBackendError(balances.error)} />}
        <table data-testid="wizard-balances">
          <thead>
            <tr>
              <th>Account</th>
              <th>Asset</th>
              <th className="num">Quantity</th>
            </tr>
          </thead>
          <tbody>
            {(balances.data ?? []).map((b) => (
              <tr key={`${b.account}-${b.asset}`}>
                <td>{b.account}</td>
                <td>{b.asset}</td>
                <td className="num">{formatQty(b.qty)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {balances.data?.length === 0 && <p className="note">The ledger holds nothing yet: import your exchange files (Ledger, Import).</p>}
      </div>
    );
  }
  const set = (i: number, k: "asset" | "qty" | "where", v: string) =>
    update((x) => ({ ...x, holdings: { typed: x.holdings.typed.map((h, j) => (j === i ? { ...h, [k]: v } : h)) } }));
  return (
    <div>
      <p className="hint">Type what you hold and where (or unlock your ledger on the Home screen to read it from there).</p>
      {s.holdings.typed.map((h, i) => (
        <div className="quote-form" key={i}>
          <Field label="Asset">
            <input data-testid={`holding-asset-${i}`} value={h.asset} onChange={(e) => set(i, "asset", e.target.value)} />
          </Field>
          <Field label="Quantity">
            <input data-testid={`holding-qty-${i}`} value={h.qty} onChange={(e) => set(i, "qty", e.target.value)} />
          </Field>
          <Field label="Where (wallet or exchange)">
            <input data-testid={`holding-where-${i}`} value={h.where} onChange={(e) => set(i, "where", e.target.value)} />
          </Field>
        </div>
      ))}
      <button
        type="button"
        data-testid="holding-add"
        onClick={() => update((x) => ({ ...x, holdings: { typed: [...x.holdings.typed, { asset: "BTC", qty: "", where: "" }] } }))}
      >
        Add a holding
      </button>
    </div>
  );
}

/** The quantity the sale is of, from the chosen way of saying it; `null` with the reason when it cannot be said. */
export function saleQty(s: WizardState, held: string | null): { qty: string | null; why: string | null } {
  switch (s.sale.mode) {
    case "qty":
      return s.sale.qty ? { qty: s.sale.qty.trim(), why: null } : { qty: null, why: "Give the quantity to sell." };
    case "all":
      return held ? { qty: held, why: null } : { qty: null, why: "No holding of this asset is known: type it in step 1." };
    case "cash": {
      if (!s.sale.cash || !s.sale.price) return { qty: null, why: "Give the amount you need and the price of one unit." };
      const q = divideUp(s.sale.cash, s.sale.price);
      return q ? { qty: q, why: null } : { qty: null, why: "The amount and the price must be plain numbers." };
    }
  }
}

function WhatToSell({ s, update, unlocked }: StepProps) {
  const held = useHeld(s, unlocked);
  const set = (k: keyof WizardState["sale"], v: string) => update((x) => ({ ...x, sale: { ...x.sale, [k]: v } }));
  const q = saleQty(s, held.total);
  return (
    <div>
      <fieldset className="choices">
        <legend>How much</legend>
        {(
          [
            ["qty", "A quantity"],
            ["cash", "What I need in my bank account"],
            ["all", "All of it"],
          ] as const
        ).map(([mode, label]) => (
          <label key={mode} className="choice">
            <input type="radio" name="sale-mode" data-testid={`sale-mode-${mode}`} checked={s.sale.mode === mode} onChange={() => set("mode", mode)} />
            {label}
          </label>
        ))}
      </fieldset>
      <div className="quote-form">
        {s.sale.mode === "qty" && (
          <Field label={`Quantity of ${s.sale.asset}`}>
            <input data-testid="sale-qty" value={s.sale.qty} onChange={(e) => set("qty", e.target.value)} />
          </Field>
        )}
        {s.sale.mode === "cash" && (
          <Field label={`Amount needed (${s.sale.fiat})`} hint="before costs: the plan shows what arrives">
            <input data-testid="sale-cash" value={s.sale.cash} onChange={(e) => set("cash", e.target.value)} />
          </Field>
        )}
        <Field label="Asset">
          <input data-testid="sale-asset" value={s.sale.asset} onChange={(e) => set("asset", e.target.value)} />
        </Field>
        <Field label="Into currency">
          <input data-testid="sale-fiat" value={s.sale.fiat} onChange={(e) => set("fiat", e.target.value)} />
        </Field>
        <Field label="Your country" hint="ISO code or name">
          <input data-testid="sale-country" value={s.sale.country} onChange={(e) => set("country", e.target.value)} />
        </Field>
        <Field label="Cash needed by (optional)">
          <input data-testid="sale-by" type="date" value={s.sale.by} onChange={(e) => set("by", e.target.value)} />
        </Field>
        <Field label={`Price of one ${s.sale.asset} (${s.sale.fiat})`} hint="offline: your figure">
          <input data-testid="sale-price" value={s.sale.price} onChange={(e) => set("price", e.target.value)} />
        </Field>
        <Field label="Daily volatility (fraction)" hint="for market impact and price risk">
          <input data-testid="sale-volatility" value={s.sale.volatility} onChange={(e) => set("volatility", e.target.value)} />
        </Field>
        <Field label="Daily volume (units)">
          <input data-testid="sale-volume" value={s.sale.volume} onChange={(e) => set("volume", e.target.value)} />
        </Field>
      </div>
      <p className="note" data-testid="sale-summary">
        {q.qty ? `Selling ${q.qty} ${s.sale.asset} into ${s.sale.fiat}.` : q.why}
        {held.total !== null && ` You hold ${held.total} ${s.sale.asset}.`}
        {held.total !== null && q.qty !== null && compareDecimals(q.qty, held.total) > 0 && " That is more than you hold."}
      </p>
    </div>
  );
}

function Situation({ s, update, unlocked }: StepProps) {
  const venues = useQuery(queries.venues);
  const exchanges = (venues.data ?? []).filter((v) => v.kind === "exchange" && v.status !== "closed");
  const set = <K extends keyof WizardState["situation"]>(k: K, v: WizardState["situation"][K]) =>
    update((x) => ({ ...x, situation: { ...x.situation, [k]: v } }));
  return (
    <div>
      <h4>Your verification level at each exchange</h4>
      <p className="hint">What each level lets you withdraw, as published. Without an answer, a new verified account's level is assumed.</p>
      <div className="quote-form">
        {exchanges
          .filter((v) => v.withdrawal_limits.some((l) => l.currency !== null))
          .map((v) => (
            <Field key={v.id} label={v.name}>
              <select
                data-testid={`situation-level-${v.id}`}
                value={s.situation.levels[v.id] ?? ""}
                onChange={(e) => set("levels", { ...s.situation.levels, [v.id]: e.target.value })}
              >
                <option value="">a new verified account's (assumed)</option>
                {v.withdrawal_limits.map((l) => (
                  <option key={l.level} value={l.level}>
                    {l.level}
                    {l.fiat_per_day !== null ? `: ${formatNumber(l.fiat_per_day, 2)} ${l.currency ?? ""} a day` : ": limits not published"}
                    {l.fiat_per_month !== null ? `, ${formatNumber(l.fiat_per_month, 2)} in 30 days` : ""}
                  </option>
                ))}
              </select>
            </Field>
          ))}
        <Field label="Your coins are now">
          <select data-testid="situation-held-at" value={s.situation.heldAt} onChange={(e) => set("heldAt", e.target.value)}>
            <option value="">in your own wallet</option>
            {exchanges.map((v) => (
              <option key={v.id} value={v.id}>
                at {v.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="What matters most">
          <select data-testid="situation-priority" value={s.situation.priority} onChange={(e) => set("priority", e.target.value as WizardState["situation"]["priority"])}>
            <option value="cost">the lowest total cost</option>
            <option value="fast">being done fast</option>
            <option value="risk">the least price risk</option>
            <option value="privacy">privacy</option>
          </select>
        </Field>
        <label className="choice">
          <input type="checkbox" data-testid="situation-cash-ok" checked={s.situation.cashOk} onChange={(e) => set("cashOk", e.target.checked)} />
          I can receive cash (ATMs, in-person trades)
        </label>
      </div>
      {s.situation.priority === "privacy" && (
        <p className="note">Peer-to-peer platforms need no identity check, but they trade in small pieces and carry counterparty risk; the plan lists them with their caps.</p>
      )}
      <h4>Tax</h4>
      {unlocked ? (
        <div className="quote-form">
          <label className="choice">
            <input type="checkbox" data-testid="situation-tax" checked={s.situation.tax} onChange={(e) => set("tax", e.target.checked)} />
            Estimate the tax from my ledger's lots
          </label>
          <Field label="Tax rules">
            <select data-testid="situation-jurisdiction" value={s.situation.jurisdiction} onChange={(e) => set("jurisdiction", e.target.value)}>
              <option value="us">United States</option>
              <option value="uk">United Kingdom</option>
              <option value="de">Germany</option>
              <option value="ca">Canada</option>
            </select>
          </Field>
          {s.situation.jurisdiction === "us" ? (
            <>
              <Field label="Short-term rate (%)">
                <input data-testid="situation-rate-short" value={s.situation.rateShort} onChange={(e) => set("rateShort", e.target.value)} />
              </Field>
              <Field label="Long-term rate (%)">
                <input data-testid="situation-rate-long" value={s.situation.rateLong} onChange={(e) => set("rateLong", e.target.value)} />
              </Field>
            </>
          ) : (
            <Field label="Your rate (%)">
              <input data-testid="situation-rate" value={s.situation.rate} onChange={(e) => set("rate", e.target.value)} />
            </Field>
          )}
        </div>
      ) : (
        <p className="note">Unlock your ledger for a tax estimate: the lots to sell come from it.</p>
      )}
    </div>
  );
}

/** The request the backend quotes and plans, from the state; `null` with why when it is not complete. */
export function requestOf(s: WizardState, held: string | null): { request: QuoteRequest | null; why: string | null } {
  const q = saleQty(s, held);
  if (!q.qty) return { request: null, why: q.why };
  const r: QuoteRequest = {
    qty: q.qty,
    asset: s.sale.asset,
    fiat: s.sale.fiat,
    country: s.sale.country,
    risk: riskFor(s.situation.priority),
    levels: Object.entries(s.situation.levels)
      .filter(([, l]) => l !== "")
      .map(([venue, level]) => ({ venue, level })),
  };
  if (s.sale.price) r.price = s.sale.price;
  if (s.sale.volatility && s.sale.volume) {
    r.daily_volatility = s.sale.volatility;
    r.daily_volume = s.sale.volume;
  }
  if (s.situation.heldAt) r.held_at = s.situation.heldAt;
  if (s.sale.by) r.cash_by = s.sale.by;
  return { request: r, why: null };
}

function Compare({ s, update, unlocked }: StepProps) {
  const held = useHeld(s, unlocked);
  const { request, why } = requestOf(s, held.total);
  const live = s.compare.live;
  const setLive = (on: boolean) => update((x) => ({ ...x, compare: { live: on } }));
  const quote = useQuery({
    queryKey: ["wizard-quote", request, live],
    queryFn: async () => {
      if (!request) return { quotes: [] as VenueQuote[], market: [] };
      if (live) return backend.quoteLive(request);
      return { quotes: await backend.quote(request), market: [] };
    },
    enabled: request !== null,
  });
  if (!request) return <p className="note">{why}</p>;
  if (quote.isError) return <ErrorPanel error={toBackendError(quote.error)} />;
  if (!quote.data) return <p data-testid="loading">Comparing…</p>;
  const quotes = quote.data.quotes.filter((q) => s.situation.cashOk || q.kind !== "atm");
  const known = quotes.filter((q) => q.unsuitable.length === 0 && q.net !== null);
  const unknown = quotes.filter((q) => q.unsuitable.length === 0 && q.net === null);
  const unsuitable = quotes.filter((q) => q.unsuitable.length > 0);
  const chart = known.map((q) => ({ venue: q.name, net: chartNumber(q.net), days: q.days_to_cash ?? 0 }));
  return (
    <div data-testid="wizard-compare">
      <label className="choice">
        <input type="checkbox" data-testid="compare-live" checked={live} onChange={(e) => setLive(e.target.checked)} />
        Use the exchanges' live order books (online)
      </label>
      <p className="hint" data-testid="compare-source">
        {live
          ? quote.data.market.map((m) => `${m.venue}: ${m.state === "live" ? "live order book" : `model (${m.state})`}`).join("; ")
          : "Offline: market impact from the square-root law with your volatility and volume, not live order books."}
        {!s.situation.cashOk && " ATMs are left out: you said you cannot receive cash."}
      </p>
      <div className="chart" style={{ height: 260 }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={chart} margin={{ left: 30 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="venue" />
            <YAxis yAxisId="net" />
            <YAxis yAxisId="days" orientation="right" />
            <Tooltip />
            <Legend />
            <Bar yAxisId="net" dataKey="net" name={`Net ${s.sale.fiat}`} fill="var(--accent)" />
            <Bar yAxisId="days" dataKey="days" name="Days to cash" fill="#94a3b8" />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table data-testid="compare-table">
        <thead>
          <tr>
            <th>Venue</th>
            <th className="num">Net {s.sale.fiat}</th>
            <th className="num">Days</th>
            <th>Where each figure comes from</th>
          </tr>
        </thead>
        <tbody>
          {[...known, ...unknown].map((q) => (
            <tr key={q.venue} data-testid={`compare-row-${q.venue}`}>
              <td>{q.name}</td>
              <td className="num" data-testid="compare-net">
                {money(q.net)}
              </td>
              <td className="num">{q.days_to_cash ?? "?"}</td>
              <td>
                <ul className="cost-notes">
                  {q.costs.map((c) => (
                    <li key={c.name}>
                      {c.name} {money(c.amount)}: {c.source}, as of {c.as_of}
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {unsuitable.length > 0 && (
        <>
          <h4>Not suitable for this sale</h4>
          <ul data-testid="compare-unsuitable">
            {unsuitable.map((q) => (
              <li key={q.venue}>
                <strong>{q.name}</strong>: {q.unsuitable.join("; ")}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

/** The plan for the state's request (with the tax when asked and unlocked), shared by the plan and later steps. */
function usePlan(s: WizardState, unlocked: boolean, rest?: Partial<QuoteRequest>) {
  const held = useHeld(s, unlocked);
  const base = requestOf(s, held.total);
  const request = base.request && rest ? { ...base.request, ...rest } : base.request;
  const days = Number.parseInt(s.plan.maxDays, 10);
  const withTax = unlocked && s.situation.tax;
  const plan = useQuery<Plan, BackendError>({
    queryKey: ["wizard-plan", request, s.plan.maxDays, withTax, s.situation.jurisdiction, s.situation.rateShort, s.situation.rateLong, s.situation.rate],
    queryFn: async () => {
      if (!request) throw new Error("no request");
      try {
        if (withTax) {
          const us = s.situation.jurisdiction === "us";
          return await backend.planWithTax(
            request,
            Number.isFinite(days) ? days : 0,
            {
              jurisdiction: s.situation.jurisdiction,
              ...(us && s.situation.rateShort ? { rate_short: s.situation.rateShort } : {}),
              ...(us && s.situation.rateLong ? { rate_long: s.situation.rateLong } : {}),
              ...(!us && s.situation.rate ? { rate: s.situation.rate } : {}),
            },
            newJob("wizard-plan"),
          );
        }
        return await backend.plan(request, Number.isFinite(days) ? days : 0);
      } catch (e) {
        throw toBackendError(e);
      }
    },
    enabled: request !== null,
  });
  return { plan, request, why: base.why };
}

function ThePlan({ s, update, unlocked }: StepProps) {
  const { plan, request, why } = usePlan(s, unlocked);
  return (
    <div data-testid="wizard-plan">
      <div className="quote-form">
        <Field label="Sell over at most (days)">
          <input data-testid="wizard-max-days" value={s.plan.maxDays} onChange={(e) => update((x) => ({ ...x, plan: { ...x.plan, maxDays: e.target.value } }))} />
        </Field>
      </div>
      {!request && <p className="note">{why}</p>}
      {plan.isError && <ErrorPanel error={plan.error} />}
      {request && !plan.data && !plan.isError && <p data-testid="loading">Planning…</p>}
      {plan.data && <PlanDetail plan={plan.data} fiat={s.sale.fiat.toUpperCase()} asset={s.sale.asset.toUpperCase()} />}
    </div>
  );
}

function PlanDetail({ plan, fiat, asset }: { plan: Plan; fiat: string; asset: string }) {
  const first = plan.recommended[0];
  return (
    <div>
      <Recommendation plan={plan} fiat={fiat} asset={asset} />
      {first && <Timeline c={first} fiat={fiat} asset={asset} />}
      {first && <Frontier plan={plan} venue={first.venues[0] ?? ""} fiat={fiat} />}
      {plan.tax && <TaxPart plan={plan} fiat={fiat} />}
    </div>
  );
}

function Timeline({ c, fiat, asset }: { c: Candidate; fiat: string; asset: string }) {
  const byDay = new Map<string, { day: string; sell: number; withdraw: number }>();
  for (const t of c.tranches) {
    const d = byDay.get(t.day) ?? { day: t.day, sell: 0, withdraw: 0 };
    d.sell += chartNumber(t.sell);
    d.withdraw += chartNumber(t.withdraw);
    byDay.set(t.day, d);
  }
  const data = [...byDay.values()];
  if (data.length === 0) return null;
  return (
    <div data-testid="plan-timeline">
      <h5>Timeline: what is sold and withdrawn each day</h5>
      <div className="chart" style={{ height: 220 }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ left: 30 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="day" />
            <YAxis yAxisId="sell" />
            <YAxis yAxisId="withdraw" orientation="right" />
            <Tooltip />
            <Legend />
            <Bar yAxisId="sell" dataKey="sell" name={`Sell ${asset}`} fill="var(--accent)" />
            <Bar yAxisId="withdraw" dataKey="withdraw" name={`Withdraw ${fiat}`} fill="#94a3b8" />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}

function Frontier({ plan, venue, fiat }: { plan: Plan; venue: string; fiat: string }) {
  const v = plan.exchanges.find((e) => e.venue === venue);
  const points = (v?.schedules ?? [])
    .filter((x) => x.cost !== null && x.risk_std !== null)
    .map((x) => ({ cost: chartNumber(x.cost), risk: chartNumber(x.risk_std), days: x.days, efficient: x.efficient }));
  if (!v || points.length < 2) return null;
  return (
    <div data-testid="plan-frontier">
      <h5>
        {v.name}: cost against price risk ({points.length} schedules; the frontier is no other schedule both cheaper and less risky)
      </h5>
      <div className="chart" style={{ height: 240 }}>
        <ResponsiveContainer width="100%" height="100%">
          <ScatterChart margin={{ left: 30 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" dataKey="risk" name={`Price risk (1 SD, ${fiat})`} />
            <YAxis type="number" dataKey="cost" name={`Cost ${fiat}`} />
            <ZAxis type="number" dataKey="days" name="Days" range={[30, 30]} />
            <Tooltip />
            <Legend />
            <Scatter name="On the frontier" data={points.filter((x) => x.efficient)} fill="var(--accent)" />
            <Scatter name="Off the frontier" data={points.filter((x) => !x.efficient)} fill="#cbd5e1" />
          </ScatterChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}

function TaxPart({ plan, fiat }: { plan: Plan; fiat: string }) {
  const t = plan.tax;
  if (!t) return null;
  return (
    <div data-testid="plan-tax">
      <h5>The lots this sale uses, and the tax</h5>
      <table>
        <thead>
          <tr>
            <th>Account</th>
            <th>Acquired</th>
            <th className="num">Quantity</th>
            <th className="num">Cost</th>
            <th className="num">Gain</th>
            <th>Class</th>
          </tr>
        </thead>
        <tbody>
          {t.choice.pieces.map((p) => (
            <tr key={`${p.account}-${p.lot}`}>
              <td>{p.account}</td>
              <td>{p.acquired}</td>
              <td className="num">{formatQty(p.qty)}</td>
              <td className="num">{money(p.cost)}</td>
              <td className="num">{money(p.gain)}</td>
              <td>{p.class}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p data-testid="plan-tax-total">
        Estimated tax: {money(t.choice.tax)} {fiat}
        {t.choice.short_of !== "0" && ` (the ledger holds ${t.choice.short_of} less than this sale: that part's tax is unknown)`}
      </p>
      {t.waits.map((w) => (
        <p key={`${w.account}-${w.lot}`} className="note" data-testid="plan-wait">
          Waiting {w.days} days (until {w.date}) {w.saving !== null ? `saves ${money(w.saving)} ${fiat} in tax` : "moves gain out of the short-term class"}: lot {w.lot}{" "}
          in {w.account}.
        </p>
      ))}
    </div>
  );
}

function Checklist({ s, update, unlocked }: StepProps) {
  const { plan } = usePlan(s, unlocked);
  const venues = useQuery(queries.venues);
  const first = plan.data?.recommended[0];
  const used = (venues.data ?? []).filter((v) => first?.venues.includes(v.id));
  const tick = (id: string, v: boolean) => update((x) => ({ ...x, checklist: { ...x.checklist, [id]: v } }));
  const done = CHECKLIST.filter((c) => s.checklist[c.id]).length;
  return (
    <div data-testid="wizard-checklist">
      <p className="hint">
        Tick each one once it is true. {done} of {CHECKLIST.length} done.
      </p>
      <ul className="checklist">
        {CHECKLIST.map((c) => (
          <li key={c.id}>
            <label className="choice">
              <input type="checkbox" data-testid={`check-${c.id}`} checked={s.checklist[c.id] === true} onChange={(e) => tick(c.id, e.target.checked)} />
              {c.text}
            </label>
          </li>
        ))}
      </ul>
      {first && (
        <>
          <h4>What the catalog says about {used.map((v) => v.name).join(" and ") || "this plan's venues"}</h4>
          <ul data-testid="checklist-warnings">
            {[...first.warnings, ...first.unknown_costs].map((w) => (
              <li key={w}>{w}</li>
            ))}
            {used.flatMap((v) =>
              v.withdrawal_methods
                .filter((m) => m.settlement_time !== null)
                .map((m) => (
                  <li key={`${v.id}-${m.method}`}>
                    {v.name}, {m.method}: settles {m.settlement_time} (count it before the day you need the money)
                  </li>
                )),
            )}
          </ul>
          <p className="note">Lead times the catalog does not know (account verification, a new bank account's waiting period) are not counted: ask the venue.</p>
        </>
      )}
    </div>
  );
}

function Selling({ s, unlocked }: StepProps) {
  const qc = useQueryClient();
  const held = useHeld(s, unlocked);
  const { plan, request } = usePlan(s, unlocked);
  const first = plan.data?.recommended[0];
  const start = plan.data?.request.start ?? "";
  const venuesOfPlan = first?.venues ?? [];
  const progress = useQuery<SaleProgress, BackendError>({
    queryKey: ["sale-progress", request?.asset, request?.fiat, start, request?.qty, venuesOfPlan],
    queryFn: () =>
      backend.saleProgress({ asset: request?.asset ?? "", fiat: request?.fiat ?? "", since: start, qty: request?.qty ?? "", venues: venuesOfPlan }).catch((e: unknown) => {
        throw toBackendError(e);
      }),
    enabled: unlocked && request !== null && start !== "",
  });
  const accounts = useQuery({ ...queries.accounts, enabled: unlocked });
  const [form, setForm] = useState({ venue: "", account: "", at: "", qty: "", proceeds: "", fee: "" });
  const record = useMutation<unknown, BackendError>({
    mutationFn: () =>
      backend
        .recordTranche({
          venue: form.venue || venuesOfPlan[0] || "",
          at: form.at,
          qty: form.qty,
          asset: s.sale.asset,
          proceeds: form.proceeds,
          fiat: s.sale.fiat,
          ...(form.fee ? { fee: form.fee } : {}),
          ...(form.account ? { account: form.account } : {}),
          plan: `${start}-${s.sale.asset}`,
        })
        .catch((e: unknown) => {
          throw toBackendError(e);
        }),
    onSuccess: () => {
      setForm({ venue: form.venue, account: form.account, at: "", qty: "", proceeds: "", fee: "" });
      void qc.invalidateQueries({ queryKey: ["sale-progress"] });
      for (const k of ["accounts", "attention", "balances", "transactions", "holdings", "report"]) void qc.invalidateQueries({ queryKey: [k] });
    },
  });
  const left = progress.data?.left;
  // The rest, planned from today: what the sales so far brought in counts as withdrawn on their days, against the
  // venues' rolling windows.
  const withdrawn = (progress.data?.sales ?? [])
    .filter((x) => x.proceeds !== null)
    .map((x) => ({ venue: x.venue ?? venuesOfPlan[0] ?? "", day: x.at.slice(0, 10), amount: x.proceeds ?? "0" }));
  const rest = usePlan(
    s,
    unlocked,
    left && left !== "0" && progress.data?.sold !== "0" ? { qty: left, withdrawn } : undefined,
  );
  if (!unlocked) {
    return <p className="note">Unlock your ledger to record each tranche as it executes: the sales go into your ledger, and the plan follows them.</p>;
  }
  if (!request) return <p className="note">Say what to sell first (step 2).</p>;
  // The bar's length only (the figures beside it are exact).
  const total = Number(request.qty);
  const pct = progress.data && total > 0 ? Math.min(100, Math.round((Number(progress.data.sold) / total) * 100)) : 0;
  return (
    <div data-testid="wizard-selling">
      <h4>Record a tranche that executed</h4>
      <p className="hint">Or import the venue's file afterwards (Ledger, Import): its sales count here too.</p>
      <form
        className="quote-form"
        onSubmit={(e) => {
          e.preventDefault();
          record.mutate();
        }}
      >
        <Field label="Venue">
          <select data-testid="tranche-venue" value={form.venue || venuesOfPlan[0] || ""} onChange={(e) => setForm({ ...form, venue: e.target.value })}>
            {venuesOfPlan.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Ledger account">
          <select data-testid="tranche-account" value={form.account} onChange={(e) => setForm({ ...form, account: e.target.value })}>
            <option value="">the venue's account (found or created)</option>
            {(accounts.data ?? []).map((a) => (
              <option key={a.id} value={a.name}>
                {a.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="When (day, or YYYY-MM-DDTHH:MM:SSZ)">
          <input data-testid="tranche-at" value={form.at} placeholder={start} onChange={(e) => setForm({ ...form, at: e.target.value })} />
        </Field>
        <Field label={`Sold (${s.sale.asset})`}>
          <input data-testid="tranche-qty" value={form.qty} onChange={(e) => setForm({ ...form, qty: e.target.value })} />
        </Field>
        <Field label={`Received (${s.sale.fiat}, after the fee)`}>
          <input data-testid="tranche-proceeds" value={form.proceeds} onChange={(e) => setForm({ ...form, proceeds: e.target.value })} />
        </Field>
        <Field label={`Trading fee (${s.sale.fiat}, optional)`}>
          <input data-testid="tranche-fee" value={form.fee} onChange={(e) => setForm({ ...form, fee: e.target.value })} />
        </Field>
        <button type="submit" data-testid="tranche-record" disabled={record.isPending}>
          Record it
        </button>
      </form>
      {record.isError && <ErrorPanel error={record.error} />}
      {progress.data && (
        <div data-testid="sale-progress">
          <progress max={100} value={pct} aria-label="Sold so far" /> {pct}%
          <p data-testid="sale-progress-text">
            Sold {progress.data.sold} of {request.qty} {s.sale.asset} for {money(progress.data.proceeds)} {s.sale.fiat}; {progress.data.left} left.
          </p>
          <ul>
            {progress.data.sales.map((x) => (
              <li key={x.id}>
                {x.at.slice(0, 10)} {x.account}: {formatQty(x.qty)} {s.sale.asset} for {money(x.proceeds)} {s.sale.fiat} ({x.recorded ? "recorded here" : "imported"})
              </li>
            ))}
          </ul>
        </div>
      )}
      {progress.data && progress.data.sold !== "0" && progress.data.left !== "0" && (
        <div data-testid="replan">
          <h4>The rest, planned again at today's figures</h4>
          {rest.plan.isError && <ErrorPanel error={rest.plan.error} />}
          {rest.plan.isPending && <p data-testid="loading">Planning the rest…</p>}
          {rest.plan.data?.recommended[0] ? (
            <p>
              <strong>{rest.plan.data.recommended[0].title}</strong>: net {money(rest.plan.data.recommended[0].net)} {s.sale.fiat}.{" "}
              {rest.plan.data.recommended[0].reason}
            </p>
          ) : (
            rest.plan.data && <p className="note">No complete plan for the rest within {s.plan.maxDays} days.</p>
          )}
        </div>
      )}
      {held.total !== null && <p className="hint">You hold {held.total} {s.sale.asset} in the ledger now.</p>}
    </div>
  );
}
